/* mod_iam integration tests, console suite: every page of the console as
 * the owner sees it (its headings, links and forms, its security headers,
 * one csrf token in every form, no script), the Roles page and the
 * overview's counts, the stylesheet, pages that are not there and the
 * done= notices; and that everyone else is refused every page, with
 * nothing of the workspace in the refusal. The console_pages TCase. */
#include "console_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pages, as the owner ---- */

static const struct {
    const char *path;
    const char *want[8];
    const char *absent[4];
} pages[] = {
    {"/iam/",
     {"<h1>Overview</h1>", "team members", "/iam/members/new", "/iam/groups/new",
      "<a class=\"skip\" href=\"#main\">Skip to the main content</a>", "<main id=\"main\"",
      "Just-in-time provisioning is off:"},
     {"user groups user groups", "1 Workspace Owners"}},
    /* the seed's four members; nora is in the password file only */
    {"/iam/members",
     {"<h1>Users</h1>", "href=\"/iam/members/olivia\"", "href=\"/iam/members/sam\"",
      "href=\"/iam/members/rita\"", "href=\"/iam/members/max\"",
      "<div class=\"tabs\" role=\"tablist\" aria-label=\"Members by status\"><a role=\"tab\" "
      "href=\"/iam/members\" aria-selected=\"true\" class=\"current\">All</a>",
      /* the role column names the resources too */
      "<td data-label=\"Direct roles\">Source Admin on checkout</td>"},
     {"href=\"/iam/members/nora\""}},
    /* by email, case-insensitively */
    {"/iam/members?q=RITA@EXAMPLE",
     {"href=\"/iam/members/rita\"", "rita@example.com", "value=\"RITA@EXAMPLE\""},
     {"href=\"/iam/members/sam\"", "href=\"/iam/members/max\"", "href=\"/iam/members/olivia\""}},
    /* by name */
    {"/iam/members?q=reader",
     {"href=\"/iam/members/rita\"", "Rita Reader"},
     {"href=\"/iam/members/sam\"", "href=\"/iam/members/max\"", "href=\"/iam/members/olivia\""}},
    {"/iam/members?q=no-such-person", {"No team member matches that search."}, {"<table>"}},
    {"/iam/members/new",
     {"<h1>Invite Team Member</h1>", "name=\"email\"", "name=\"role1\"", "name=\"scope1\"",
      "name=\"items1\"",
      /* Enter invites: the form's first button */
      "<input type=\"hidden\" name=\"csrf\" value=\"",
      "\"><button class=\"default-action\" "
      "name=\"action\" value=\"invite\""},
     {0}},
    {"/iam/members/sam",
     {"<h1>Sam Source-Admin</h1>",
      "<td data-label=\"Role\">Source Admin</td><td data-label=\"Resources\">checkout</td><td "
      "data-label=\"From\">Direct</td>",
      "name=\"rrole\" value=\"source-admin\""},
     {"Workspace Owner</span>"}},
    {"/iam/members/rita",
     {"<h1>Rita Reader</h1>",
      "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">All current and "
      "future</td>",
      "Group analysts</a>"},
     {0}},
    {"/iam/members/olivia",
     {"<h1>Olivia Owner</h1>", "badge owner", "last Workspace Owner"},
     {"?confirm=remove\">Remove Team Member"}},
    {"/iam/groups",
     {"<h1>Groups</h1>", "href=\"/iam/groups/analysts\"", "Source Read-only on all",
      "/iam/groups/new"},
     {0}},
    {"/iam/groups/new",
     {"<h1>Create User Group</h1>", "name=\"name\"", "name=\"role1\"", "value=\"preview\"",
      "value=\"create\""},
     {0}},
    {"/iam/groups/analysts",
     {"<h1>analysts</h1>", "Members (1)", "href=\"/iam/members/rita\"", "value=\"add-members\"",
      "Source Read-only on all"},
     {0}},
    {"/iam/groups/analysts?tab=permissions",
     {"<h1>analysts</h1>",
      "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">All current and "
      "future</td>",
      "This group", "value=\"pii\""},
     {0}},
    {"/iam/groups/analysts?confirm=delete",
     {"Delete <strong>analysts</strong>", "value=\"delete\""},
     {0}},
    {"/iam/members/max?confirm=remove",
     {"Remove <strong>Max Member</strong>", "value=\"remove\""},
     {0}},
    {"/iam/resources",
     {"<h1>Resources</h1>",
      "<td data-label=\"Type\">source</td><td data-label=\"Name\"><a "
      "href=\"/iam/resources/source/checkout\" aria-label=\"Who can reach source "
      "checkout\">checkout</a>",
      "<code>/sources/checkout/</code>", "env:prod", "<code>/warehouses/main/</code>"},
     {0}},
    {"/iam/roles", {"<h1>Roles</h1>", "Source Admin", "source-read-only", "Identity Admin"}, {0}},
    {"/iam/audit",
     {"<h1>Audit</h1>", "<ol class=\"audit\">", "created the group analysts.</span>",
      "<select name=\"kind\">", "<time datetime=\""},
     {"member.add", "group.create"}},
};

START_TEST(test_page_as_owner)
{
    resp_t r = get_as("olivia", pages[_i].path);
    char *ct = iam_test_header(r.headers, "Content-Type");
    int i;

    ck_assert_msg(r.status == 200, "GET %s: %ld\n%s", pages[_i].path, r.status, shown(r.body));
    ck_assert_msg(ct && !strncmp(ct, "text/html", 9), "GET %s: Content-Type %s", pages[_i].path,
                  ct ? ct : "(none)");
    for (i = 0; i < 5 && pages[_i].want[i]; i++)
        ck_has(r.body, pages[_i].want[i]);
    for (i = 0; i < 4 && pages[_i].absent[i]; i++)
        ck_lacks(r.body, pages[_i].absent[i]);
    ck_security_headers(pages[_i].path, r.headers, 1);
    ck_assert_msg(!strstr(r.body, "<script") && !strstr(r.body, "<SCRIPT"), "script on %s:\n%s",
                  pages[_i].path, shown(r.body));
    /* every form of the page carries the same token */
    if (strstr(r.body, "method=\"post\"")) {
        char *t = iam_test_csrf(r.body);
        ck_assert_int_eq(count_of(r.body, "method=\"post\""), count_of(r.body, "name=\"csrf\""));
        ck_assert_int_eq(count_of(r.body, t), count_of(r.body, "name=\"csrf\""));
        free(t);
    }
    free(ct);
    resp_free(&r);
}
END_TEST

START_TEST(test_roles_page_lists_twelve)
{
    static const char *const slugs[] = {
        "workspace-owner", "workspace-member",    "source-admin",        "source-read-only",
        "warehouse-admin", "warehouse-read-only", "tracking-plan-admin", "tracking-plan-read-only",
        "personas-admin",  "personas-user",       "personas-read-only",  "identity-admin",
    };
    resp_t r = get_as("olivia", "/iam/roles");
    const char *table = strstr(r.body, "<table>");
    char want[96];
    int i;

    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(table);
    /* one header row, then one row per role */
    ck_assert_int_eq(count_of(table, "<tr") - 1, 12);
    for (i = 0; i < ARRAY_LEN(slugs); i++) {
        snprintf(want, sizeof(want), "<span class=\"muted\">%s</span>", slugs[i]);
        ck_has(r.body, want);
    }
    ck_lacks(r.body, "not on this plan"); /* business has them all */
    resp_free(&r);
}
END_TEST

/* The overview counts what the store holds. */
START_TEST(test_overview_counts)
{
    resp_t r = get_as("olivia", "/iam/");
    char want[128];

    /* the seed's 4, the fixture's test members and xss2; 6 groups */
    snprintf(want, sizeof(want), "<strong>%d</strong> team members",
             4 + ARRAY_LEN(test_members) + 1);
    ck_has(r.body, want);
    ck_has(r.body, "<strong>6</strong> user groups");
    ck_has(r.body, "<strong>1</strong> Workspace Owner ");
    ck_has(r.body, "<span class=\"plan\">business</span> plan");
    resp_free(&r);
}
END_TEST

START_TEST(test_stylesheet)
{
    resp_t r = get_as("olivia", "/iam/static/console.css");
    char *ct = iam_test_header(r.headers, "Content-Type");

    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(ct && !strncmp(ct, "text/css", 8), "Content-Type %s", ct ? ct : "(none)");
    ck_has(r.body, ".card{");
    ck_security_headers("console.css", r.headers, 0);
    free(ct);
    resp_free(&r);
}
END_TEST

START_TEST(test_not_found)
{
    static const char *const paths[] = {
        "/iam/members/nobody-here",  "/iam/members/nobody-here?confirm=remove",
        "/iam/groups/no-such-group", "/iam/groups/no-such-group?confirm=delete",
        "/iam/no-such-page",
    };
    int i;

    resp_t r;

    /* each a console page: the tab bar, the reason, a way back */
    for (i = 0; i < ARRAY_LEN(paths); i++) {
        r = get_as("olivia", paths[i]);
        ck_assert_msg(r.status == 404, "GET %s: %ld", paths[i], r.status);
        ck_security_headers(paths[i], r.headers, 1);
        ck_has(r.body, "<nav");
        ck_has(r.body, "<p class=\"notice");
        ck_lacks(r.body, "Not Found</h1>");
        resp_free(&r);
    }
    r = get_as("olivia", "/iam/no-such-page");
    ck_has(r.body, "There is no such page in the console.");
    ck_has(r.body, "href=\"/iam/\">Back to the overview</a>");
    resp_free(&r);
    /* a stale link to confirm an owner's request: the request is gone */
    r = get_as("olivia", "/iam/?confirm=approve&login=nobody&type=owners&name=*&rev=1");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "<nav");
    resp_free(&r);
    r = get_as("olivia", "/iam/?confirm=approve&login=olivia");
    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "Incomplete link");
    resp_free(&r);
}
END_TEST

/* A done= code shows its fixed message; anything else shows nothing. */
START_TEST(test_done_messages)
{
    resp_t r = get_as("olivia", "/iam/members?done=removed");

    ck_has(r.body, "Team member removed from the workspace.");
    resp_free(&r);
    r = get_as("olivia", "/iam/members?done=%3Cb%3Eowned%3C/b%3E");
    ck_assert_int_eq(r.status, 200);
    ck_lacks(r.body, "owned");
    ck_lacks(r.body, "class=\"notice");
    resp_free(&r);
}
END_TEST

/* ---- who gets in ---- */

static const char *const console_pages[] = {
    "/iam/",
    "/iam/members",
    "/iam/members?q=rita",
    "/iam/members/new",
    "/iam/members/sam",
    "/iam/members/rita",
    "/iam/members/max?confirm=remove",
    "/iam/groups",
    "/iam/groups/new",
    "/iam/groups/analysts",
    "/iam/groups/analysts?tab=permissions",
    "/iam/resources",
    "/iam/roles",
    "/iam/audit",
};

START_TEST(test_page_refused_to_others)
{
    static const struct {
        const char *user;
        long want;
    } who[] = {{"max", 403}, {"sam", 403}, {"rita", 403}, {"nora", 403}, {NULL, 401}};
    const char *path = console_pages[_i];
    int i;

    for (i = 0; i < ARRAY_LEN(who); i++) {
        resp_t r = get_as(who[i].user, path);
        ck_assert_msg(r.status == who[i].want, "GET %s as %s: got %ld, want %ld\n%s", path,
                      who[i].user ? who[i].user : "(no user)", r.status, who[i].want,
                      shown(r.body));
        /* nothing of the workspace leaks into the refusal */
        ck_lacks(r.body, "olivia@example.com");
        ck_lacks(r.body, "Rita Reader");
        ck_lacks(r.body, "rita@example.com");
        resp_free(&r);
    }
}
END_TEST

void cs_t_add_pages(Suite *s)
{
    TCase *tc;

    tc = cs_t_server_case("console_pages", start_console, stop_console);
    tcase_add_loop_test(tc, test_page_as_owner, 0, ARRAY_LEN(pages));
    tcase_add_test(tc, test_roles_page_lists_twelve);
    tcase_add_test(tc, test_overview_counts);
    tcase_add_test(tc, test_stylesheet);
    tcase_add_test(tc, test_not_found);
    tcase_add_test(tc, test_done_messages);
    tcase_add_loop_test(tc, test_page_refused_to_others, 0, ARRAY_LEN(console_pages));
    suite_add_tcase(s, tc);
}
