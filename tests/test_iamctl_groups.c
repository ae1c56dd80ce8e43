/* iamctl tests: groups, roles, labels and the labels of resources. group create, add, remove,
 * list, show and delete (all or nothing, a name that differs only in
 * case, what a deleted group leaves on its members) and their bad usage;
 * the roles iamctl knows, as text and as JSON; label create, list and
 * delete (refused while a grant names it) and their bad usage. */
#include "iamctl_test.h"

#include <jansson.h>

/* ---- groups ---- */

START_TEST(test_group_commands)
{
    json_t *a, *g, *m;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK(NULL, "member add bob");
    CTL_OK("created group eng", "group create eng");
    CTL_OK(NULL, "group create ops");
    CTL_FAILS("already exists", "group create ENG");
    CTL_OK("added 2 members to group eng", "group add eng alice bob");
    CTL_FAILS("no member 'ghost'", "group add ops bob ghost");
    g = group_json("ops"); /* all or nothing: bob is not in ops */
    ck_assert_int_eq(json_array_size(json_object_get(g, "members")), 0);
    json_decref(g);
    CTL_FAILS("already", "group add eng bob");

    CTL_OK(NULL, "group list");
    assert_holds(out, "2 members, 0 grants");
    assert_holds(out, "ops");
    CTL_OK(NULL, "group list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(jfind(a, "name", "eng"), "member_count")),
                     2);
    json_decref(a);
    CTL_OK("members: alice,bob\n", "group show eng");
    g = group_json("eng");
    ck_assert_str_eq(jstr(g, "name"), "eng");
    ck_assert_str_eq(jwords(json_object_get(g, "members")), "alice bob");
    ck_assert_int_eq(json_integer_value(json_object_get(g, "member_count")), 2);
    json_decref(g);

    CTL_OK("removed 1 member from group eng", "group remove eng alice");
    CTL_FAILS("not in group", "group remove eng alice");
    m = ctlt_member_json("bob");
    ck_assert_str_eq(jwords(json_object_get(m, "groups")), "eng");
    json_decref(m);
    CTL_OK("deleted group eng", "group delete eng");
    CTL_FAILS("no group 'eng'", "group show eng");
    CTL_FAILS("no group 'eng'", "group delete eng");
    m = ctlt_member_json("bob");
    ck_assert_int_eq(json_array_size(json_object_get(m, "groups")), 0);
    json_decref(m);
}
END_TEST

START_TEST(test_group_usage)
{
    CTL_OK(NULL, "init");
    CTL_USAGE("group needs a command", "group");
    CTL_USAGE("unknown group command", "group frob");
    CTL_USAGE("one NAME", "group create");
    CTL_USAGE("at least one LOGIN", "group add eng");
    CTL_USAGE("--json is for", "group create eng --json");
    CTL_USAGE("unknown option", "group list --all");
}
END_TEST

/* ---- roles ---- */

START_TEST(test_roles)
{
    static const char *const slugs[] = {
        "workspace-owner", "workspace-member",    "source-admin",        "source-read-only",
        "warehouse-admin", "warehouse-read-only", "tracking-plan-admin", "tracking-plan-read-only",
        "personas-admin",  "personas-user",       "personas-read-only",  "identity-admin"};
    json_t *a, *r;
    size_t i;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "roles --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 12);
    for (i = 0; i < sizeof(slugs) / sizeof(*slugs); i++) {
        r = jfind(a, "slug", slugs[i]);
        ck_assert_msg(r != NULL, "no role %s", slugs[i]);
        ck_assert(!jbool(r, "custom"));
        ck_assert(jbool(r, "plan_allows"));
        jstr(r, "name");
        jstr(r, "level");
        jstr(r, "scopes");
    }
    r = jfind(a, "slug", "source-admin");
    ck_assert_str_eq(jstr(r, "name"), "Source Admin");
    ck_assert_str_eq(jstr(r, "type"), "source");
    ck_assert_str_eq(jstr(r, "level"), "admin");
    ck_assert_str_eq(jstr(r, "scopes"), "all, resource, label");
    ck_assert_str_eq(jstr(jfind(a, "slug", "workspace-owner"), "level"), "owner");
    ck_assert_str_eq(jstr(jfind(a, "slug", "warehouse-admin"), "scopes"), "all");
    json_decref(a);
    CTL_OK("Source Admin", "roles");
    assert_holds(out, "tracking-plan-read-only");
    CTL_USAGE("no arguments", "roles all");
}
END_TEST

/* ---- labels ---- */

START_TEST(test_label_commands)
{
    json_t *a;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add max");
    CTL_OK("created label team:growth", "label create team:growth --description 'Growth team'");
    CTL_FAILS("exists already", "label create Team:Growth");
    CTL_FAILS("every workspace has it", "label create env:prod");
    CTL_FAILS("a label is KEY:VALUE", "label create growth");
    CTL_OK(NULL, "label list");
    assert_holds(out, "env:dev");
    assert_holds(out, "built in");
    assert_holds(out, "Growth team");
    CTL_OK(NULL, "label list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 3);
    ck_assert_str_eq(
        json_string_value(json_object_get(jfind(a, "label", "team:growth"), "description")),
        "Growth team");
    ck_assert_str_eq(json_string_value(json_object_get(jfind(a, "label", "env:dev"), "from")),
                     "built in");
    json_decref(a);
    CTL_OK(NULL, "grant --member max source-read-only --label team:growth");
    CTL_FAILS("in use by the grants of member max", "label delete team:growth");
    CTL_OK(NULL, "revoke --member max source-read-only");
    CTL_OK("deleted label team:growth", "label delete team:growth");
    CTL_FAILS("no label 'team:growth'", "label delete team:growth");
    CTL_FAILS("built in", "label delete env:dev");
    CTL_OK(NULL, "audit");
    assert_holds(out, "label.delete           team:growth");
    assert_holds(out, "label.create           team:growth");
}
END_TEST

START_TEST(test_label_usage)
{
    CTL_OK(NULL, "init");
    CTL_USAGE("label takes create, delete or list", "label");
    CTL_USAGE("label takes create, delete or list", "label frob x:y");
    CTL_USAGE("one KEY:VALUE", "label create");
    CTL_USAGE("one KEY:VALUE", "label delete a:b c:d");
    CTL_USAGE("--json is for label list", "label create a:b --json");
    CTL_USAGE("--description is for label create", "label delete a:b --description x");
    CTL_USAGE("label list takes no arguments", "label list a:b");
    CTL_USAGE("unknown option", "label list --all");
}
END_TEST

/* resource label, unlabel, list, show; check sees the workspace's
 * labels; export and import carry them. */
START_TEST(test_resource_commands)
{
    json_t *a, *o;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add max");
    CTL_FAILS("no label 'team:growth'", "resource label source web team:growth");
    CTL_OK(NULL, "label create team:growth");
    CTL_OK(NULL, "grant --member max source-read-only --label team:growth");
    EXPECT_EXIT(3, ctl("check max source web read"));
    CTL_OK("source web: team:growth env:prod", "resource label source web team:growth env:prod");
    CTL_OK("allow", "check max source web read");
    /* a label on a key the resource has replaces its value */
    CTL_OK("source web: team:growth env:dev", "resource label source web env:dev");
    CTL_FAILS("share a key", "resource label source web env:dev env:prod");
    CTL_FAILS("no role grants on resources of type 'nope'", "resource label nope web env:dev");
    CTL_FAILS("does not give source 'web' the label team:other",
              "resource unlabel source web team:other");
    CTL_FAILS("in use by 1 resource", "label delete team:growth");
    CTL_OK(NULL, "resource list");
    assert_holds(out, "team:growth env:dev");
    CTL_OK(NULL, "resource list --label team:growth --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 1);
    o = json_array_get(a, 0);
    ck_assert_str_eq(jstr(o, "name"), "web");
    ck_assert(jbool(o, "labelled"));
    json_decref(a);
    CTL_OK(NULL, "resource list --type space");
    ck_assert_str_eq(out, "");
    CTL_OK(NULL, "resource show source web");
    assert_holds(out, "label team:growth");
    assert_holds(out, "from workspace");
    assert_holds(out, "member max");
    CTL_OK(NULL, "export");
    assert_holds(out, "\"resources\"");
    CTL_OK("source web: env:dev", "resource unlabel source web team:growth");
    EXPECT_EXIT(3, ctl("check max source web read"));
    CTL_OK(NULL, "audit");
    assert_holds(out, "resource.labels        source:web");
}
END_TEST

START_TEST(test_resource_usage)
{
    CTL_OK(NULL, "init");
    CTL_USAGE("resource takes label, unlabel, list or show", "resource");
    CTL_USAGE("resource takes label, unlabel, list or show", "resource frob source web");
    CTL_USAGE("needs TYPE NAME", "resource show source");
    CTL_USAGE("needs TYPE NAME KEY:VALUE", "resource label source web");
    CTL_USAGE("a label is KEY:VALUE", "resource label source web nocolon");
    CTL_USAGE("resource 'a/b'", "resource label source a/b env:dev");
    CTL_USAGE("--json is for resource list and show", "resource label source web env:dev --json");
    CTL_USAGE("takes no arguments", "resource list source");
    CTL_USAGE("label 'x'", "resource list --label x");
    CTL_USAGE("unknown option", "resource list --all");
}
END_TEST

/* Adds this file's TCases to the suite. */
void ctlt_add_groups(Suite *s)
{
    TCase *tc;

    tc = ctlt_tcase("group");
    tcase_add_test(tc, test_group_commands);
    tcase_add_test(tc, test_group_usage);
    suite_add_tcase(s, tc);

    tc = ctlt_tcase("roles");
    tcase_add_test(tc, test_roles);
    suite_add_tcase(s, tc);

    tc = ctlt_tcase("label");
    tcase_add_test(tc, test_label_commands);
    tcase_add_test(tc, test_resource_commands);
    tcase_add_test(tc, test_resource_usage);
    tcase_add_test(tc, test_label_usage);
    suite_add_tcase(s, tc);
}
