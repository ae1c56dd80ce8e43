/* iamctl tests: the workspace's members and their grants. init (twice
 * keeps what is there) and the global options; member add, invite, list,
 * show and remove, with their JSON and their refusals (a login or email
 * that differs only in case, bad usage); grant and revoke on members and
 * groups, per resource, per label and on all, and what they refuse. */
#include "iamctl_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The line of `text` that starts with `prefix` (a static copy), or "". */
static const char *line_starting(const char *text, const char *prefix)
{
    static char line[1024];
    size_t n = strlen(prefix), len;

    for (; *text; text += len + (text[len] == '\n')) {
        len = strcspn(text, "\n");
        if (!strncmp(text, prefix, n)) {
            snprintf(line, sizeof(line), "%.*s", (int)len, text);
            return line;
        }
    }
    return "";
}

/* ---- init and global options ---- */

START_TEST(test_init)
{
    struct stat sb;
    char data[600];

    CTL_OK("ready: plan business, 0 members, 0 groups", "init");
    snprintf(data, sizeof(data), "%s/data.mdb", store);
    ck_assert_int_eq(stat(data, &sb), 0);
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK("1 members", "init"); /* again: keeps what is there */
    CTL_USAGE("init takes no arguments", "init now");
}
END_TEST

START_TEST(test_help_and_map_size)
{
    EXPECT_EXIT(0, ctl("-h"));
    assert_holds(out, "usage: iamctl");
    CTL_OK("ready", "-m 64M init");
    CTL_OK("added", "-m 64M member add alice");
}
END_TEST

/* ---- members ---- */

START_TEST(test_member_add)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK("added alice as Workspace Owner",
           "member add alice --email alice@example.com --name 'Alice Liddell' --owner");
    CTL_OK("added bob\n", "member add bob");
    /* logins match exactly (IAMLoginCase exact, the default) */
    CTL_FAILS("the member is 'alice'", "member show ALICE");
    m = ctlt_member_json("alice");
    ck_assert_str_eq(jstr(m, "login"), "alice");
    ck_assert_str_eq(jstr(m, "email"), "alice@example.com");
    ck_assert_str_eq(jstr(m, "name"), "Alice Liddell");
    ck_assert_str_eq(jstr(m, "status"), "active");
    ck_assert(jbool(m, "owner"));
    ck_assert_str_eq(grant_items(m, "workspace-owner"), "all");
    ck_assert_int_eq(json_array_size(json_object_get(m, "groups")), 0);
    json_decref(m);

    CTL_FAILS("differs only in case from the member 'bob'", "member add Bob");
    CTL_FAILS("already used", "member add robert --email ALICE@example.com");
    CTL_FAILS("email", "member add dave --email not-an-email");
    CTL_USAGE("one LOGIN", "member add");
    CTL_USAGE("one LOGIN", "member add a b");
    CTL_USAGE("needs a value", "member add dave --email");
    CTL_USAGE("unknown option", "member add dave --admin");
}
END_TEST

START_TEST(test_member_invite)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK("invited carol@example.com", "member invite carol@example.com --name Carol");
    m = ctlt_member_json("carol@example.com");
    ck_assert_str_eq(jstr(m, "login"), "carol@example.com");
    ck_assert_str_eq(jstr(m, "email"), "carol@example.com");
    ck_assert_str_eq(jstr(m, "name"), "Carol");
    ck_assert_str_eq(jstr(m, "status"), "invited");
    ck_assert(!jbool(m, "owner"));
    json_decref(m);
    CTL_FAILS("differs only in case", "member invite CAROL@example.com");
    CTL_FAILS("email", "member invite not-an-email");
    CTL_USAGE("email as its argument", "member invite dave@example.com --email d@example.com");
    CTL_USAGE("unknown option", "member invite dave@example.com --owner");
    CTL_USAGE(NULL, "member invite");
}
END_TEST

START_TEST(test_member_list)
{
    json_t *a, *bob, *carol;

    populate();
    CTL_OK(NULL, "member list");
    assert_holds(line_starting(out, "alice "), "alice@example.com");
    assert_holds(line_starting(out, "alice "), "Alice Liddell");
    assert_holds(line_starting(out, "alice "), "roles=Workspace Owner groups=-");
    assert_holds(line_starting(out, "bob "),
                 "roles=Personas Read-only,Warehouse Read-only groups=eng");
    assert_holds(line_starting(out, "carol@example.com "), "invited");
    CTL_OK("bob ", "member list --search BOB@EXAMPLE");
    ck_assert_ptr_null(strstr(out, "alice"));
    CTL_OK(NULL, "member list --search nobody");
    ck_assert_str_eq(out, "");

    CTL_OK(NULL, "member list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 3);
    ck_assert_str_eq(jstr(json_array_get(a, 0), "login"), "alice");
    bob = jfind(a, "login", "bob");
    ck_assert_ptr_nonnull(bob);
    ck_assert_str_eq(jstr(bob, "email"), "bob@example.com");
    ck_assert_str_eq(jstr(bob, "name"), "");
    ck_assert_str_eq(jstr(bob, "status"), "active");
    ck_assert(!jbool(bob, "owner"));
    ck_assert(!jbool(bob, "pii"));
    ck_assert_int_eq(strlen(jstr(bob, "created")), 20); /* 2026-01-02T03:04:05Z */
    ck_assert_str_eq(jwords(json_object_get(bob, "groups")), "eng");
    ck_assert_int_eq(json_array_size(json_object_get(bob, "grants")), 2);
    ck_assert_str_eq(grant_items(bob, "personas-read-only"), "env:prod team:x");
    ck_assert_str_eq(grant_items(bob, "warehouse-read-only"), "all");
    carol = jfind(a, "login", "carol@example.com");
    ck_assert_str_eq(jstr(carol, "status"), "invited");
    json_decref(a);

    CTL_OK(NULL, "member list --search carol --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 1);
    json_decref(a);
    CTL_USAGE("unknown option", "member list --bogus");
    CTL_USAGE("no arguments", "member list bob");
}
END_TEST

START_TEST(test_member_show)
{
    json_t *m;

    populate();
    CTL_FAILS("no member 'BOB'", "member show BOB");
    CTL_OK("login:   bob\n", "member show bob");
    assert_holds(out, "owner:   no\n");
    assert_holds(out, "groups:  eng\n");
    assert_holds(out, "Personas Read-only on labels env:prod team:x (direct)");
    assert_holds(out, "Warehouse Read-only on all (direct)");
    assert_holds(out, "Source Admin on resources web api (through group eng)");
    CTL_OK("owner:   yes\n", "member show alice");
    assert_holds(out, "Workspace Owner on all (direct)");
    CTL_OK(NULL, "member add dave");
    CTL_OK("Workspace Member (minimal workspace access)", "member show dave");

    m = ctlt_member_json("bob");
    ck_assert_str_eq(jstr(m, "login"), "bob");
    ck_assert_str_eq(jwords(json_object_get(m, "groups")), "eng");
    ck_assert_str_eq(grant_items(m, "personas-read-only"), "env:prod team:x");
    json_decref(m);
    CTL_FAILS("no member 'ghost'", "member show ghost");
    CTL_USAGE("one LOGIN", "member show");
}
END_TEST

START_TEST(test_member_remove)
{
    json_t *g, *a;

    populate();
    CTL_OK("removed bob", "member remove bob");
    CTL_FAILS("no member 'bob'", "member show bob");
    CTL_FAILS("no member 'bob'", "member remove bob");
    g = group_json("eng");
    ck_assert_str_eq(jwords(json_object_get(g, "members")), "carol@example.com");
    json_decref(g);
    CTL_OK(NULL, "member list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 2);
    json_decref(a);
    CTL_USAGE("one LOGIN", "member remove");
}
END_TEST

/* ---- grants ---- */

START_TEST(test_grant_member)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK(NULL, "member add bob");
    CTL_OK("granted source-read-only to bob", "grant --member bob source-read-only --all");
    CTL_OK(NULL, "grant --member bob source-admin --resource a b");
    CTL_OK(NULL, "grant --member bob 'Source Admin' --resource c");
    CTL_FAILS("no label 'team:x'", "grant --member bob personas-admin --label env:prod team:x");
    CTL_OK(NULL, "label create team:x");
    CTL_OK(NULL, "grant --member bob personas-admin --label env:prod team:x");
    CTL_OK(NULL, "grant --member bob warehouse-admin"); /* all-only: all by default */
    m = ctlt_member_json("bob");
    ck_assert_int_eq(json_array_size(json_object_get(m, "grants")), 4);
    ck_assert_str_eq(grant_items(m, "source-read-only"), "all");
    ck_assert_str_eq(grant_items(m, "source-admin"), "a b c");
    ck_assert_str_eq(grant_items(m, "personas-admin"), "env:prod team:x");
    ck_assert_str_eq(grant_items(m, "warehouse-admin"), "all");
    json_decref(m);

    CTL_FAILS("already", "grant --member bob source-read-only --all");
    CTL_OK("revoked source-admin from bob", "revoke --member bob source-admin --resource a");
    CTL_OK(NULL, "revoke --member bob personas-admin --label env:prod team:x");
    CTL_OK(NULL, "revoke --member bob source-read-only --all");
    m = ctlt_member_json("bob");
    ck_assert_str_eq(grant_items(m, "source-admin"), "b c");
    ck_assert_str_eq(grant_items(m, "personas-admin"), "-");
    ck_assert_str_eq(grant_items(m, "source-read-only"), "-");
    json_decref(m);
    CTL_OK(NULL, "revoke --member bob source-admin"); /* the whole role */
    m = ctlt_member_json("bob");
    ck_assert_str_eq(grant_items(m, "source-admin"), "-");
    json_decref(m);
    CTL_FAILS("does not hold", "revoke --member bob source-admin");
    CTL_FAILS("does not hold", "revoke --member bob warehouse-admin --resource x");
}
END_TEST

START_TEST(test_grant_group)
{
    json_t *g;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "group create eng");
    CTL_OK("granted source-admin to eng", "grant --group eng source-admin --resource web api");
    CTL_OK(NULL, "grant --group eng personas-user --label env:prod");
    CTL_OK(NULL, "grant --group eng identity-admin --all");
    g = group_json("eng");
    ck_assert_int_eq(json_array_size(json_object_get(g, "grants")), 3);
    ck_assert_str_eq(grant_items(g, "source-admin"), "web api");
    ck_assert_str_eq(grant_items(g, "personas-user"), "env:prod");
    ck_assert_str_eq(grant_items(g, "identity-admin"), "all");
    json_decref(g);
    CTL_OK("Source Admin on resources web api", "group show eng");

    CTL_OK("revoked source-admin from eng", "revoke --group eng source-admin --resource web");
    CTL_OK(NULL, "revoke --group eng personas-user --label env:prod");
    CTL_OK(NULL, "revoke --group eng identity-admin --all");
    g = group_json("eng");
    ck_assert_str_eq(grant_items(g, "source-admin"), "api");
    ck_assert_int_eq(json_array_size(json_object_get(g, "grants")), 1);
    json_decref(g);
    CTL_OK(NULL, "revoke --group eng source-admin");
    CTL_FAILS("does not hold", "revoke --group eng source-admin");
    CTL_FAILS("no group 'ops'", "grant --group ops source-admin --all");
    CTL_FAILS("not to groups", "grant --group eng workspace-owner");
}
END_TEST

START_TEST(test_grant_refused)
{
    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add bob");
    CTL_FAILS("no member 'ghost'", "grant --member ghost source-admin --all");
    CTL_FAILS("unknown role", "grant --member bob galaxy-admin --all");
    CTL_FAILS("only be granted on all", "grant --member bob warehouse-admin --resource dw");
    CTL_FAILS("share a key", "grant --member bob source-admin --label env:a env:b");
    CTL_USAGE("--member LOGIN or --group NAME, and a ROLE", "grant --member bob");
    CTL_USAGE("--member LOGIN or --group NAME, and a ROLE", "grant source-admin --all");
    CTL_USAGE("granted per resource", "grant --member bob source-admin");
    CTL_USAGE("one scope", "grant --member bob source-admin --all --resource a");
    CTL_USAGE("one scope", "grant --member bob source-admin --resource a --label env:x");
    CTL_USAGE("exactly one of", "grant --member bob --group eng source-admin --all");
    CTL_USAGE("one ROLE", "grant --member bob source-admin warehouse-admin --all");
    CTL_USAGE("unknown option", "revoke --member bob source-admin --everything");
    CTL_USAGE("needs a value", "grant --member bob source-admin --resource");
}
END_TEST

/* Adds this file's TCases to the suite. */
void ctlt_add_members(Suite *s)
{
    TCase *tc;

    tc = ctlt_tcase("init");
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_help_and_map_size);
    suite_add_tcase(s, tc);

    tc = ctlt_tcase("member");
    tcase_add_test(tc, test_member_add);
    tcase_add_test(tc, test_member_invite);
    tcase_add_test(tc, test_member_list);
    tcase_add_test(tc, test_member_show);
    tcase_add_test(tc, test_member_remove);
    suite_add_tcase(s, tc);

    tc = ctlt_tcase("grant");
    tcase_add_test(tc, test_grant_member);
    tcase_add_test(tc, test_grant_group);
    tcase_add_test(tc, test_grant_refused);
    suite_add_tcase(s, tc);
}
