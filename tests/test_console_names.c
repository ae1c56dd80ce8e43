/* mod_iam integration tests, console suite: names the URL scheme must
 * carry (URL metacharacters, a slash as in a single sign-on login, the
 * name "new"), whose links and forms must work; lists of more than a page
 * (members, a group's members) and the counts under them; and a
 * resource's page, which lists who can reach it as Apache decides. The
 * console_names TCase. */
#include "console_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names the URL scheme must carry ---- */

/* Logins and group names with URL metacharacters: the links work. */
START_TEST(test_odd_characters_in_names)
{
    resp_t r;

    iam_ctl_or_die(&srv, "member add 'a?b#c%%d&e=f' --name 'Odd Login'");
    iam_ctl_or_die(&srv, "group create 'g?h#i%%j'");
    r = follow_link("/iam/members?q=odd", "Odd Login");
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h1>Odd Login</h1>");
    resp_free(&r);
    r = follow_link("/iam/groups?q=h%23i", "g?h#i%j");
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h1>g?h#i%j</h1>");
    resp_free(&r);
    /* and the forms post back to them */
    r = post_form("/iam/members/a%3Fb%23c%25d%26e%3Df",
                  kv("action", "grant", "role", "warehouse-read-only", "scope", "all", NULL));
    ck_see_other(&r, "/iam/members/a%3", "updated");
    resp_free(&r);
}
END_TEST

/* The page's <h1> (malloc'd). */
static char *h1_of(const char *body)
{
    const char *s = body ? strstr(body, "<h1>") : NULL, *e = s ? strstr(s, "</h1>") : NULL;

    return s && e ? strndup(s + 4, (size_t)(e - s - 4)) : strdup("(no h1)");
}

/* POSTs `fields` (freed here) with olivia's token to the action of the
 * first post form of `page`, as the browser would; then follows the 303
 * and checks the page it leads to has the <h1> `title`. Returns that page. */
static resp_t post_on_page(const resp_t *page, char *fields, const char *title)
{
    const char *key = "<form method=\"post\" action=\"", *a = strstr(page->body, key), *e;
    char *action, *raw, *loc, *h1;
    resp_t r, next;

    ck_assert_msg(a != NULL, "no form on:\n%s", shown(page->body));
    a += strlen(key);
    e = strchr(a, '"');
    raw = strndup(a, (size_t)(e - a));
    action = html_unescape(raw);
    r = post_form(action, fields);
    ck_assert_msg(r.status == 303, "POST %s: %ld\n%s", action, r.status, shown(r.body));
    loc = iam_test_header(r.headers, "Location");
    ck_assert_ptr_nonnull(loc);
    next = get_as("olivia", loc);
    h1 = h1_of(next.body);
    ck_assert_msg(next.status == 200 && !strcmp(h1, title),
                  "POST %s led to %s: %ld \"%s\", want \"%s\"", action, loc, next.status, h1,
                  title);
    free(h1);
    free(loc);
    free(raw);
    free(action);
    resp_free(&r);
    return next;
}

/* Logins from single sign-on are often URLs ("https://idp/..."): such a
 * member, and a group with a slash in its name, get a page too, and their
 * forms work. */
START_TEST(test_slash_in_names)
{
    resp_t r, after;

    iam_ctl_or_die(&srv, "member add 'https://idp.example/u/1' --name 'Url Person'");
    iam_ctl_or_die(&srv, "group create 'sales/emea'");
    r = follow_link("/iam/members?q=url+person", "Url Person");
    ck_assert_msg(r.status == 200, "the member page of 'https://idp.example/u/1': %ld", r.status);
    ck_has(r.body, "<h1>Url Person</h1>");
    after =
        post_on_page(&r, kv("action", "grant", "role", "warehouse-read-only", "scope", "all", NULL),
                     "Url Person");
    ck_has(after.body, "<td data-label=\"Role\">Warehouse Read-only</td><td "
                       "data-label=\"Resources\">All current and future</td>");
    resp_free(&after);
    resp_free(&r);
    r = follow_link("/iam/groups?q=emea", "sales/emea");
    ck_assert_msg(r.status == 200, "the group page of 'sales/emea': %ld", r.status);
    ck_has(r.body, "<h1>sales/emea</h1>");
    after = post_on_page(&r, kv("action", "add-members", "member", "tina", NULL), "sales/emea");
    ck_has(after.body, "Members (1)");
    resp_free(&after);
    resp_free(&r);
}
END_TEST

/* "new" is a valid login and group name: its link must not lead to the
 * invite or create form, and its forms work. */
START_TEST(test_names_new)
{
    resp_t r, after;
    char *h1, *out;

    iam_ctl_or_die(&srv, "member add new --email new@example.com --name 'Newton New'");
    iam_ctl_or_die(&srv, "group create new");
    r = follow_link("/iam/members?q=newton", "Newton New");
    h1 = h1_of(r.body);
    ck_assert_msg(r.status == 200 && !strcmp(h1, "Newton New"),
                  "the link to member 'new' shows \"%s\" (%ld), not the member", h1, r.status);
    free(h1);
    after = post_on_page(&r, kv("action", "grant", "role", "identity-admin", "scope", "all", NULL),
                         "Newton New");
    ck_has(after.body, "<td data-label=\"Role\">Identity Admin</td>");
    resp_free(&r);
    /* its confirmation page removes it */
    {
        const char *key = "\">Remove Team Member</a>";
        char *a = strstr(after.body, key), *href;
        ck_assert_msg(a != NULL, "no remove link:\n%s", shown(after.body));
        *a = '\0';
        href = html_unescape(strrchr(after.body, '"') + 1);
        r = get_as("olivia", href);
        ck_has(r.body, "Remove <strong>Newton New</strong>");
        free(href);
    }
    resp_free(&after);
    after = post_on_page(&r, kv("action", "remove", NULL), "Users");
    ck_has(after.body, "Removed new from the workspace.");
    resp_free(&after);
    resp_free(&r);
    ck_assert_int_ne(iam_ctl(&srv, &out, "member show new 2>&1"), 0);
    free(out);

    r = follow_link("/iam/groups?q=new", "new");
    h1 = h1_of(r.body);
    ck_assert_msg(r.status == 200 && !strcmp(h1, "new"),
                  "the link to group 'new' shows \"%s\" (%ld), not the group", h1, r.status);
    free(h1);
    after = post_on_page(&r, kv("action", "add-members", "member", "tina", NULL), "new");
    ck_has(after.body, "Members (1)");
    resp_free(&after);
    resp_free(&r);
}
END_TEST

/* The href of the link whose text is `label` (unescaped; free it), or NULL. */
static char *link_href(const char *body, const char *label)
{
    char want[128], *copy = strdup(body), *end, *h;

    snprintf(want, sizeof(want), "\">%s</a>", label);
    end = strstr(copy, want);
    if (!end) {
        free(copy);
        return NULL;
    }
    *end = '\0';
    h = html_unescape(strrchr(copy, '"') + 1);
    free(copy);
    return h;
}

/* More members than a page holds: pages of 50 in name order (the name
 * shown, not the login), "51–60 of 60", Previous and Next. */
START_TEST(test_members_next_page)
{
    resp_t r;
    char *out, *href;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "for i in $(seq -w 1 60); do '%s/iamctl' -d '%s' member add "
                                  "zm-$i --name \"Zed Many $i\" || exit 1; done; '%s/iamctl' -d "
                                  "'%s' member add aa-last --name 'Zed Many 99'",
                                  iam_test_build_dir(), srv.store, iam_test_build_dir(), srv.store),
                     0);
    free(out);
    r = get_as("olivia", "/iam/members?q=zed+many");
    ck_has(r.body, "href=\"/iam/members/zm-01\"");
    ck_lacks(r.body, "href=\"/iam/members/zm-60\"");
    ck_lacks(r.body, "href=\"/iam/members/aa-last\""); /* by name: "Zed Many 99" is last */
    ck_has(r.body, "1–50 of 61 team members match “zed many”.");
    ck_assert_ptr_null(link_href(r.body, "Previous"));
    href = link_href(r.body, "Next");
    ck_assert_msg(href != NULL, "no next page:\n%s", shown(r.body));
    resp_free(&r);
    r = get_as("olivia", href);
    free(href);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "href=\"/iam/members/zm-60\"");
    ck_has(r.body, "href=\"/iam/members/aa-last\"");
    ck_lacks(r.body, "href=\"/iam/members/zm-01\"");
    ck_lacks(r.body, "href=\"/iam/members/olivia\""); /* still the search */
    ck_has(r.body, "51–61 of 61 team members match “zed many”.");
    ck_assert(strstr(r.body, "zm-60") < strstr(r.body, "aa-last"));
    ck_assert_ptr_null(link_href(r.body, "Next"));
    href = link_href(r.body, "Previous");
    ck_assert_msg(href != NULL, "no previous page:\n%s", shown(r.body));
    resp_free(&r);
    r = get_as("olivia", href);
    free(href);
    ck_has(r.body, "1–50 of 61 team members match “zed many”.");
    ck_has(r.body, "href=\"/iam/members/zm-01\"");
    resp_free(&r);
    /* a cursor edited by hand starts over, it is no error */
    r = get_as("olivia", "/iam/members?q=zed+many&after=zz%3Cscript%3E");
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "1–50 of 61");
    resp_free(&r);
}
END_TEST

/* A big group's members come in pages too, in name order, searchable;
 * the tab counts them all whatever the search. */
START_TEST(test_group_members_paged)
{
    resp_t r;
    char *out, *href;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "ctl() { '%s/iamctl' -d '%s' \"$@\" || exit 1; }; ctl group "
                                  "create big; for i in $(seq -w 1 60); do ctl member add gm-$i "
                                  "--name \"Gee Member $i\"; ctl group add big gm-$i; done",
                                  iam_test_build_dir(), srv.store),
                     0);
    free(out);
    r = get_as("olivia", "/iam/groups/big");
    ck_has(r.body, "Members (60)");
    ck_has(r.body, "1–50 of 60 members.");
    ck_has(r.body, "href=\"/iam/members/gm-01\"");
    ck_lacks(r.body, "href=\"/iam/members/gm-51\"");
    href = link_href(r.body, "Next");
    ck_assert_msg(href != NULL, "no next page:\n%s", shown(r.body));
    resp_free(&r);
    r = get_as("olivia", href);
    free(href);
    ck_has(r.body, "51–60 of 60 members.");
    ck_has(r.body, "href=\"/iam/members/gm-60\"");
    ck_lacks(r.body, "href=\"/iam/members/gm-01\"");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups/big?mq=member+07");
    ck_has(r.body, "Members (60)");
    ck_has(r.body, "1 member matches “member 07”.");
    ck_has(r.body, "href=\"/iam/members/gm-07\"");
    ck_lacks(r.body, "href=\"/iam/members/gm-08\"");
    resp_free(&r);
}
END_TEST

/* A resource's page lists who can reach it, and Apache agrees: each
 * member listed gets in, one not listed does not. */
START_TEST(test_resource_access_page)
{
    resp_t r;

    add_login(&srv, "acc");
    iam_ctl_or_die(&srv, "member add acc --name 'Ace Label'");
    iam_ctl_or_die(&srv, "grant --member acc source-admin --label env:prod");
    r = get_as("olivia", "/iam/resources");
    ck_has(r.body, "href=\"/iam/resources/source/web\"");
    ck_has(r.body, "href=\"/iam/resources/source/*\"");
    resp_free(&r);

    r = get_as("olivia", "/iam/resources/source/web");
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h1>source web</h1>");
    ck_has(r.body, "<span class=\"badge\">env:prod</span>");
    ck_has(r.body, "<code>/sources/web/</code>");
    ck_has(r.body, "href=\"/iam/members/olivia\"");
    ck_has(r.body, "href=\"/iam/members/acc\">Ace Label</a>");
    ck_has(r.body, "<td data-label=\"Access\">Admin</td><td data-label=\"Through\">Source Admin "
                   "on labels env:prod</td>");
    ck_has(r.body, "href=\"/iam/groups/analysts\">analysts</a>");
    ck_lacks(r.body, "href=\"/iam/members/sam\""); /* Source Admin on checkout only */
    ck_lacks(r.body, "href=\"/iam/members/max\"");
    resp_free(&r);
    r = get_as("acc", "/sources/web/");
    ck_assert_msg(r.status == 200, "acc on /sources/web/: %ld", r.status);
    resp_free(&r);
    r = get_as("sam", "/sources/web/");
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);

    r = get_as("olivia", "/iam/resources/source/ios");
    ck_lacks(r.body, "href=\"/iam/members/acc\"");
    resp_free(&r);
    r = get_as("acc", "/sources/ios/");
    ck_assert_int_eq(r.status, 403);
    resp_free(&r);

    /* what is not declared is a console page, its name escaped */
    r = get_as("olivia", "/iam/resources/source/%3Cb%3Ex");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "No resource “source &lt;b&gt;x” is declared in httpd.conf, covered by a "
                   "template, or named by a label or a grant.");
    ck_has(r.body, "Back to Resources");
    resp_free(&r);
    r = get_as("olivia", "/iam/resources/source");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "<nav");
    resp_free(&r);
}
END_TEST

/* The number under the Users list counts what the filter shows: "N team
 * members" on one page, "1–50 of N" on more. */
static long listed_count(const char *body, int *rows, int *paged)
{
    const char *p = strstr(body, "<nav class=\"pager\" aria-label=\"Pages\"><p class=\"muted\">");
    const char *of;

    *rows = count_of(body, "<tr><td data-label=\"Name\"><a href=\"/iam/member");
    *paged = 0;
    if (!p)
        return -1;
    p += strlen("<nav class=\"pager\" aria-label=\"Pages\"><p class=\"muted\">");
    of = strstr(p, " of ");
    *paged = of && of < strstr(p, "</p>");
    return strtol(*paged ? of + 4 : p, NULL, 10);
}

START_TEST(test_member_counts_follow_filters)
{
    static const char *const views[] = {
        "/iam/members?q=xss2",
        "/iam/members?status=invited",
        "/iam/members?status=active",
        "/iam/members?q=example&status=active",
        "/iam/members",
    };
    resp_t r;
    int i, rows, paged = 0;
    long n;

    iam_ctl_or_die(&srv, "member invite count-me@corp.example");
    for (i = 0; i < ARRAY_LEN(views); i++) {
        r = get_as("olivia", views[i]);
        n = listed_count(r.body, &rows, &paged);
        if (paged) /* a page of 50, and more */
            ck_assert_msg(rows == 50 && n > rows, "%s: says %ld, lists %d", views[i], n, rows);
        else
            ck_assert_msg(n == rows, "%s: says %ld, lists %d:\n%s", views[i], n, rows,
                          shown(r.body));
        resp_free(&r);
    }
    r = get_as("olivia", "/iam/members?q=xss2");
    ck_has(r.body, "1 team member matches “xss2”.");
    resp_free(&r);
    r = get_as("olivia", "/iam/members?status=invited");
    ck_has(r.body, "invited team member");
    resp_free(&r);
}
END_TEST

void cs_t_add_names(Suite *s)
{
    TCase *tc;

    tc = cs_t_server_case("console_names", start_console, stop_console);
    tcase_add_test(tc, test_odd_characters_in_names);
    tcase_add_test(tc, test_slash_in_names);
    tcase_add_test(tc, test_names_new);
    tcase_add_test(tc, test_members_next_page);
    tcase_add_test(tc, test_group_members_paged);
    tcase_add_test(tc, test_resource_access_page);
    tcase_add_test(tc, test_member_counts_follow_filters);
    suite_add_tcase(s, tc);
}
