/* iamctl tests: check, the policy's answer from the command line. Allow
 * and deny with the reason (the grant and how it is held, or what is
 * missing), exit 3 when denied; labels, the collection ('*'), logins that
 * match exactly; and check's bad usage. */
#include "iamctl_test.h"

#include <string.h>

/* ---- check ---- */

START_TEST(test_check)
{
    populate();
    CTL_OK("allow: Source Admin on resources (web api), through group eng\n",
           "check bob source web read");
    CTL_OK("through group eng", "check bob source API edit");
    EXPECT_EXIT(3, ctl("check bob source billing read"));
    ck_assert_str_eq(out, "deny: no grant's scope covers this resource\n");
    CTL_OK("allow: Personas Read-only on labels (env:prod team:x), direct\n",
           "check bob space s1 read --label env:prod team:x");
    EXPECT_EXIT(3, ctl("check bob space s1 read --label env:prod"));
    assert_holds(out, "deny: ");
    EXPECT_EXIT(3, ctl("check bob space s1 edit --label env:prod team:x"));
    assert_holds(out, "deny: grants on this resource type are below the level needed");
    CTL_OK("allow: Warehouse Read-only on all resources, direct", "check bob warehouse dw read");
    CTL_OK("allow: Source Admin", "check bob source '*' read");
    EXPECT_EXIT(3, ctl("check bob source '*' edit"));
    assert_holds(out, "deny: creating a resource");
    CTL_OK("allow: Workspace Owner", "check alice identity anything admin");
    EXPECT_EXIT(3, ctl("check ALICE identity anything admin")); /* logins match exactly */
    assert_holds(out, "deny: 'ALICE' is not a member");
    EXPECT_EXIT(3, ctl("check ghost source web read"));
    ck_assert_str_eq(out, "deny: 'ghost' is not a member of the workspace\n");
    EXPECT_EXIT(3, ctl("check carol@example.com identity x read"));
    assert_holds(out, "deny: no grant on this resource type");
}
END_TEST

START_TEST(test_check_usage)
{
    CTL_OK(NULL, "init");
    CTL_USAGE("not a level", "check bob source web write");
    CTL_USAGE("check needs", "check bob source web");
    CTL_USAGE("check takes", "check bob source web read extra");
    CTL_USAGE("type", "check bob 'so/urce' web read");
    CTL_USAGE("label", "check bob source web read --label nocolon");
    CTL_USAGE("unknown option", "check bob source web read --verbose");
}
END_TEST

/* Adds this file's TCases to the suite. */
void ctlt_add_check(Suite *s)
{
    TCase *tc;

    tc = ctlt_tcase("check");
    tcase_add_test(tc, test_check);
    tcase_add_test(tc, test_check_usage);
    suite_add_tcase(s, tc);
}
