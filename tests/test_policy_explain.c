/* mod_iam tests, suite "policy": a decision in words (iam_policy_explain).
 * An allow names the role, the grant and the group it came through; a deny
 * says why; the text is bounded by the buffer it is given.
 */
#include "policy_test.h"

#include <string.h>

/* ================================================================ explain */

START_TEST(explain_allow_through_group)
{
    iam_grant_t eng[] = {G_ON("source-admin", "checkout", "billing")};
    iam_grant_set_t who[] = {VIA("eng", eng)};
    iam_decision_t d = ALLOW(who, RES("source", "checkout"), EDIT);
    char buf[256];

    ck_assert_ptr_eq(iam_policy_explain(&d, buf, sizeof(buf)), buf);
    ck_assert_contains(buf, "allow");
    ck_assert_contains(buf, "Source Admin");
    ck_assert_contains(buf, "through group eng");
    ck_assert_contains(buf, "checkout");
    ck_assert_contains(buf, "billing");
    ck_assert_ptr_null(strstr(buf, "deny"));
    ck_assert_ptr_null(strstr(buf, "direct"));
}
END_TEST

START_TEST(explain_allow_direct)
{
    iam_grant_t mine[] = {G_ALL("personas-read-only")};
    iam_grant_t lab[] = {G_LABELS("personas-user", "env:prod", "team:growth")};
    iam_grant_t own[] = {G_ALL("workspace-owner")};
    iam_grant_set_t who[] = {DIRECT(mine)};
    iam_grant_set_t labelled[] = {DIRECT(lab)};
    iam_grant_set_t owner[] = {DIRECT(own)};
    iam_decision_t d;
    char buf[256];

    d = ALLOW(who, RES("space", "eu"), READ);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "allow");
    ck_assert_contains(buf, "Personas Read-only");
    ck_assert_contains(buf, "direct");
    ck_assert_contains(buf, "all");
    ck_assert_ptr_null(strstr(buf, "group"));

    d = ALLOW(labelled, RES_L("space", "eu", "team:growth", "env:prod"), EDIT);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "Personas User");
    ck_assert_contains(buf, "env:prod");
    ck_assert_contains(buf, "team:growth");

    d = ALLOW(owner, RES("source", "x"), ADMIN);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "allow");
    ck_assert_contains(buf, "Workspace Owner");
    ck_assert_contains(buf, "direct");
}
END_TEST

START_TEST(explain_deny)
{
    iam_grant_t ro[] = {G_ALL("source-read-only")};
    iam_grant_set_t who[] = {VIA("eng", ro)};
    iam_decision_t d = DENY(who, RES("source", "checkout"), EDIT);
    iam_resource_t res = RES("source", "checkout");
    char buf[256];

    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "deny");
    ck_assert_contains(buf, d.reason);
    ck_assert_ptr_null(strstr(buf, "allow"));

    d = iam_policy_decide(&ws_roles, BUSINESS, NULL, 0, &res, READ);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "deny");
    ck_assert_contains(buf, d.reason);
}
END_TEST

START_TEST(explain_bounded)
{
    static char items[40][101];
    const char *names[40];
    iam_grant_t g[1];
    iam_grant_set_t who[1];
    iam_decision_t d;
    char big[2048], small[24];
    int i;

    for (i = 0; i < 40; i++) {
        memset(items[i], 'a' + i % 26, 100);
        items[i][100] = '\0';
        names[i] = items[i];
    }
    names[39] = "checkout";
    g[0] = (iam_grant_t){"source-admin", IAM_SCOPE_RESOURCES, 40, names};
    who[0] = (iam_grant_set_t){"a-group-with-a-rather-long-name", g, 1};
    d = ALLOW(who, RES("source", "checkout"), READ);

    memset(small, 'Z', sizeof(small));
    ck_assert_ptr_eq(iam_policy_explain(&d, small, sizeof(small)), small);
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
    ck_assert_int_eq(strncmp(small, "allow", 5), 0);
    iam_policy_explain(&d, big, sizeof(big));
    ck_assert_uint_lt(strlen(big), sizeof(big));
    ck_assert_contains(big, "Source Admin");
    ck_assert_contains(big, "through group a-group-with-a-rather-long-name");
}
END_TEST

void pol_add_explain(Suite *s)
{
    TCase *tc;

    tc = pol_tcase("explain");
    tcase_add_test(tc, explain_allow_through_group);
    tcase_add_test(tc, explain_allow_direct);
    tcase_add_test(tc, explain_deny);
    tcase_add_test(tc, explain_bounded);
    suite_add_tcase(s, tc);
}
