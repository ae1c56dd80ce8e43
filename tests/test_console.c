/* mod_iam integration tests: the owners' HTML console (/iam) of the demo
 * site, driven like a browser would: GET a page, take the hidden "csrf"
 * field, POST the form url-encoded, follow the 303. Every change is
 * checked where it matters, on real access to the protected paths with
 * Basic auth; every refusal is checked to change nothing (`iamctl export`
 * before and after).
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. Each test that
 * changes something works on logins and groups of its own (added by the
 * fixture), so the tests of a TCase do not depend on each other. */
#include "iam_test.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static iam_httpd_t srv; /* the business-plan demo of the running TCase */

/* ---- fixture ---- */

static void add_login(const iam_httpd_t *h, const char *login)
{
    char *out;

    if (iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw'", h->root, login,
                     login) != 0) {
        fprintf(stderr, "htpasswd %s: %s\n", login, out);
        abort();
    }
    free(out);
}

/* Logins the tests change, one or more per test; all can log in. */
static const char *const test_members[] = {
    "gwen", "jon",  "dora", "remy", "gina", "gabe", "crew1", "crew2", "crew3",
    "otto", "dirk", "aud",  "ori",  "refu", "xss",  "tina",  "tess", "pia", "pete", "edie",
};

static void start_on(iam_httpd_t *h, const char *tag, const char *extra)
{
    size_t i;

    iam_httpd_prepare(h, tag);
    for (i = 0; i < sizeof(test_members) / sizeof(test_members[0]); i++) {
        add_login(h, test_members[i]);
        iam_ctl_or_die(h, "member add %s --email %s@example.com", test_members[i], test_members[i]);
    }
    add_login(h, "ivy@example.com"); /* invited by a test: can log in, not a member yet */
    add_login(h, "ivan");
    /* groups of their own for the group tests */
    iam_ctl_or_die(h, "group create crew");
    iam_ctl_or_die(h, "grant --group crew warehouse-read-only");
    iam_ctl_or_die(h, "group create ops");
    iam_ctl_or_die(h, "group add ops otto");
    iam_ctl_or_die(h, "group create doomed");
    iam_ctl_or_die(h, "grant --group doomed warehouse-read-only");
    iam_ctl_or_die(h, "group add doomed dirk");
    /* what the XSS tests look for: a member and groups named like markup */
    iam_ctl_or_die(h, "member add xss2 --email xss2@example.com --name '<script>alert(1)</script>'");
    iam_ctl_or_die(h, "group create '<img src=x onerror=alert(1)>'");
    iam_ctl_or_die(h, "group add '<img src=x onerror=alert(1)>' xss2");
    iam_ctl_or_die(h, "group create 'a\"b&c'\\''d'");
    iam_ctl_or_die(h, "group add 'a\"b&c'\\''d' xss2");
    if (iam_httpd_start(h, "event", NULL, extra) != 0) {
        char *log = iam_httpd_log(h);
        fprintf(stderr, "apache2 (%s) did not start:\n%s\n", tag, log);
        abort();
    }
}

static void start_console(void)
{
    start_on(&srv, "console", NULL);
}

static void stop_console(void)
{
    iam_httpd_cleanup(&srv);
}

/* Check passes messages of a few KiB at most: the page from its main
 * part, cut short. */
static const char *shown(const char *body)
{
    static char buf[3000];
    const char *m = body ? strstr(body, "<main") : NULL;

    snprintf(buf, sizeof(buf), "%s", m ? m : body ? body : "(none)");
    return buf;
}

/* ---- requests ---- */

typedef struct {
    long status;
    char *body;
    char *headers;
} resp_t;

static void resp_free(resp_t *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

/* A request as `user` (password "<user>-pw"), or with no user. */
static resp_t request_on(const iam_httpd_t *h, const char *method, const char *path,
                         const char *user, const char *ctype, const char *body, const char *hdr1,
                         const char *hdr2)
{
    char userpass[300];
    iam_req_t req;
    resp_t r;

    memset(&req, 0, sizeof(req));
    req.method = method;
    req.path = path;
    if (user) {
        snprintf(userpass, sizeof(userpass), "%s:%s-pw", user, user);
        req.userpass = userpass;
    }
    req.content_type = ctype;
    req.body = body;
    req.headers[0] = hdr1;
    req.headers[1] = hdr1 ? hdr2 : NULL;
    r.status = iam_http_do(h, &req, &r.body, &r.headers);
    return r;
}

static resp_t get_on(const iam_httpd_t *h, const char *user, const char *path)
{
    return request_on(h, "GET", path, user, NULL, NULL, NULL, NULL);
}

static resp_t get_as(const char *user, const char *path)
{
    return get_on(&srv, user, path);
}

/* The status of one request to a protected path. */
static long access_on(const iam_httpd_t *h, const char *user, const char *method, const char *path)
{
    resp_t r = request_on(h, method, path, user, NULL, NULL, NULL, NULL);

    resp_free(&r);
    return r.status;
}

static long access_of(const char *user, const char *path)
{
    return access_on(&srv, user, "GET", path);
}

#define ck_access(user, path, want)                                                                \
    do {                                                                                           \
        long got_ = access_of((user), (path));                                                     \
        ck_assert_msg(got_ == (want), "GET %s as %s: got %ld, want %ld", (path), (user), got_,     \
                      (long)(want));                                                               \
    } while (0)

/* `user`'s token, read from a console page as a browser would. */
static char *token_on(const iam_httpd_t *h, const char *user, const char *page)
{
    resp_t r = get_on(h, user, page);
    char *t = iam_test_csrf(r.body);

    ck_assert_msg(t != NULL && strlen(t) >= 32, "no csrf field on %s as %s (%ld):\n%s", page, user,
                  r.status, shown(r.body));
    resp_free(&r);
    return t;
}

/* application/x-www-form-urlencoded, as browsers encode: only
 * letters, digits and "*-._" stay, a space is "+". */
static char *enc(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
            *o++ = (char)c;
        } else if (c == ' ') {
            *o++ = '+';
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* "k1=v1&k2=v2..." from NULL-terminated key, value pairs (malloc'd). */
static char *kv(const char *key, ...)
{
    va_list ap;
    size_t cap = 256, len = 0;
    char *out = calloc(1, cap);
    const char *k = key;

    va_start(ap, key);
    while (k) {
        const char *v = va_arg(ap, const char *);
        char *ek = enc(k), *ev = enc(v);
        size_t need = len + strlen(ek) + strlen(ev) + 3;
        if (need > cap) {
            cap = need * 2;
            out = realloc(out, cap);
        }
        len += (size_t)sprintf(out + len, "%s%s=%s", len ? "&" : "", ek, ev);
        free(ek);
        free(ev);
        k = va_arg(ap, const char *);
    }
    va_end(ap);
    return out;
}

/* POSTs `fields` (encoded, freed here) with olivia's token, as her form
 * would. */
static resp_t post_on(const iam_httpd_t *h, const char *path, char *fields)
{
    char *tok = token_on(h, "olivia", "/iam/members/new");
    char *body = malloc(strlen(tok) + strlen(fields) + 8);
    resp_t r;

    sprintf(body, "csrf=%s%s%s", tok, *fields ? "&" : "", fields);
    r = request_on(h, "POST", path, "olivia", "application/x-www-form-urlencoded", body, NULL,
                   NULL);
    free(tok);
    free(body);
    free(fields);
    return r;
}

static resp_t post_form(const char *path, char *fields)
{
    return post_on(&srv, path, fields);
}

static char *export_on(const iam_httpd_t *h)
{
    char *out;

    ck_assert_int_eq(iam_ctl(h, &out, "export"), 0);
    return out;
}

static char *export_store(void)
{
    return export_on(&srv);
}

#define ck_has(body, s)                                                                            \
    ck_assert_msg((body) && strstr((body), (s)) != NULL, "want '%s' in:\n%s", (s), shown(body))
#define ck_lacks(body, s)                                                                          \
    ck_assert_msg((body) && strstr((body), (s)) == NULL, "did not want '%s' in:\n%s", (s),         \
                  shown(body))

/* Two exports of the store are the same (they are too long to print). */
#define ck_same_store(before, after)                                                               \
    ck_assert_msg(!strcmp((before), (after)), "the store changed (iamctl export differs)")

/* A 303 to `want_prefix` (then anything) carrying "done=<done>". */
static void ck_see_other(const resp_t *r, const char *want_prefix, const char *done)
{
    char *loc = iam_test_header(r->headers, "Location"), want_done[64];

    ck_assert_msg(r->status == 303, "want 303, got %ld:\n%s\n%s", r->status, r->headers,
                  shown(r->body));
    ck_assert_msg(loc != NULL, "no Location in:\n%s", r->headers);
    ck_assert_msg(!strncmp(loc, want_prefix, strlen(want_prefix)), "Location %s, want %s...", loc,
                  want_prefix);
    snprintf(want_done, sizeof(want_done), "done=%s", done);
    ck_assert_msg(strstr(loc, want_done) != NULL, "Location %s, want %s", loc, want_done);
    free(loc);
}

/* The security headers every console answer carries. */
static void ck_security_headers(const char *what, const char *headers, int no_store)
{
    char *v;

    v = iam_test_header(headers, "Content-Security-Policy");
    ck_assert_msg(v && strstr(v, "default-src 'none'"), "%s: CSP %s", what, v ? v : "(none)");
    free(v);
    v = iam_test_header(headers, "X-Content-Type-Options");
    ck_assert_msg(v && !strcasecmp(v, "nosniff"), "%s: X-Content-Type-Options %s", what,
                  v ? v : "(none)");
    free(v);
    v = iam_test_header(headers, "X-Frame-Options");
    ck_assert_msg(v && !strcasecmp(v, "DENY"), "%s: X-Frame-Options %s", what, v ? v : "(none)");
    free(v);
    if (no_store) {
        v = iam_test_header(headers, "Cache-Control");
        ck_assert_msg(v && strstr(v, "no-store"), "%s: Cache-Control %s", what, v ? v : "(none)");
        free(v);
    }
}

/* How often `needle` occurs in `hay`. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;

    for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

/* An attribute's text as the browser reads it (malloc'd): the entities
 * iam_h() writes, back to characters. */
static char *html_unescape(const char *s)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#x27;", '\''}};
    char *out = malloc(strlen(s) + 1), *o = out;
    size_t i;

    while (*s) {
        for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
            if (!strncmp(s, ents[i].ent, strlen(ents[i].ent)))
                break;
        }
        if (i < sizeof(ents) / sizeof(ents[0])) {
            *o++ = ents[i].c;
            s += strlen(ents[i].ent);
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

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
      "<input type=\"hidden\" name=\"csrf\" value=\"", "\"><button class=\"default-action\" "
      "name=\"action\" value=\"invite\""},
     {0}},
    {"/iam/members/sam",
     {"<h1>Sam Source-Admin</h1>", "<td data-label=\"Role\">Source Admin</td><td data-label=\"Resources\">checkout</td><td data-label=\"From\">Direct</td>",
      "name=\"rrole\" value=\"source-admin\""},
     {"Workspace Owner</span>"}},
    {"/iam/members/rita",
     {"<h1>Rita Reader</h1>", "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">All current and future</td>",
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
     {"<h1>analysts</h1>", "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">All current and future</td>", "This group",
      "value=\"pii\""},
     {0}},
    {"/iam/groups/analysts?confirm=delete",
     {"Delete <strong>analysts</strong>", "value=\"delete\""},
     {0}},
    {"/iam/members/max?confirm=remove",
     {"Remove <strong>Max Member</strong>", "value=\"remove\""},
     {0}},
    {"/iam/resources",
     {"<h1>Resources</h1>", "<td data-label=\"Type\">source</td><td data-label=\"Name\"><a href=\"/iam/resources/source/checkout\" aria-label=\"Who can reach source checkout\">checkout</a>", "<code>/sources/checkout/</code>",
      "env:prod", "<code>/warehouses/main/</code>"},
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

/* ---- procedures, each checked on real access ---- */

/* Whether olivia's view of `path` holds `text`. */
static int page_shows(const char *path, const char *text)
{
    resp_t r = get_as("olivia", path);
    int yes = r.status == 200 && r.body && strstr(r.body, text) != NULL;

    resp_free(&r);
    return yes;
}

START_TEST(test_invite)
{
    resp_t r;
    char *loc;

    ck_access("ivy@example.com", "/sources/checkout/", 403);
    r = post_form("/iam/members",
                  kv("email", "ivy@example.com", "name", "Ivy Invitee", "role1", "source-admin",
                     "scope1", "resources", "items1", "checkout", NULL));
    ck_see_other(&r, "/iam/members/ivy", "invited");
    loc = iam_test_header(r.headers, "Location");
    resp_free(&r);
    r = get_as("olivia", loc);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h1>Ivy Invitee</h1>");
    ck_has(r.body, "Invitation saved.");
    ck_has(r.body, "<span class=\"badge invited\">invited</span>");
    ck_has(r.body, "<td data-label=\"Role\">Source Admin</td><td data-label=\"Resources\">checkout</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
    r = get_as("olivia", "/iam/members?q=IVY@");
    ck_has(r.body, "ivy@example.com");
    ck_has(r.body, "<span class=\"badge invited\">invited</span>");
    resp_free(&r);
    /* the grant holds at the first login, which makes the member active */
    ck_access("ivy@example.com", "/sources/checkout/", 200);
    ck_access("ivy@example.com", "/sources/checkout/settings/", 200);
    ck_access("ivy@example.com", "/sources/web/", 403);
    /* written just after the first login's answer (touch.c) */
    IAM_EVENTUALLY(page_shows(loc, "<span class=\"badge active\">active</span>"));
    r = get_as("olivia", loc);
    ck_has(r.body, "<span class=\"badge active\">active</span>");
    resp_free(&r);
    free(loc);
}
END_TEST

/* The optional login, and user groups, on the invite form. */
START_TEST(test_invite_with_login_and_group)
{
    resp_t r;

    ck_access("ivan", "/sources/web/", 403);
    r = post_form("/iam/members", kv("email", "ivan.i@example.com", "name", "Ivan", "login", "ivan",
                                     "group", "analysts", NULL));
    ck_see_other(&r, "/iam/members/ivan?", "invited");
    resp_free(&r);
    ck_access("ivan", "/sources/web/", 200);
    ck_assert_int_eq(access_on(&srv, "ivan", "POST", "/sources/web/"), 403);
    r = get_as("olivia", "/iam/members/ivan");
    ck_has(r.body, "ivan.i@example.com");
    ck_has(r.body, "Group analysts</a>");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_grant_and_revoke)
{
    resp_t r;

    ck_access("gwen", "/warehouses/main/", 403);
    r = post_form("/iam/members/gwen", kv("action", "grant", "role", "warehouse-read-only", "scope",
                                          "all", "items", "", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/warehouses/main/", 200);
    ck_assert_int_eq(access_on(&srv, "gwen", "POST", "/warehouses/main/"), 403);
    r = get_as("olivia", "/iam/members/gwen?done=updated");
    ck_has(r.body, "Changes saved.");
    ck_has(r.body, "<td data-label=\"Role\">Warehouse Read-only</td><td data-label=\"Resources\">All current and future</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
    /* the page's Remove button */
    r = post_form("/iam/members/gwen", kv("action", "revoke", "rrole", "warehouse-read-only",
                                          "rscope", "all", "ritems", "all", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/warehouses/main/", 403);

    /* named resources; then one of them taken back */
    ck_access("gwen", "/sources/web/", 403);
    r = post_form("/iam/members/gwen", kv("action", "grant", "role", "Source Admin", "scope",
                                          "resources", "items", "checkout, web", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/sources/web/", 200);
    ck_access("gwen", "/sources/checkout/settings/", 200);
    ck_access("gwen", "/sources/ios/", 403);
    r = post_form("/iam/members/gwen", kv("action", "revoke", "rrole", "source-admin", "rscope",
                                          "resources", "ritems", "web", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/sources/web/", 403);
    ck_access("gwen", "/sources/checkout/", 200);
    r = get_as("olivia", "/iam/members/gwen");
    ck_has(r.body, "<td data-label=\"Role\">Source Admin</td><td data-label=\"Resources\">checkout</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_labels_grant)
{
    resp_t r;

    ck_access("tess", "/sources/web/", 403);
    r = post_form("/iam/members/tess", kv("action", "grant", "role", "source-read-only", "scope",
                                          "labels", "items", "env:prod", NULL));
    ck_see_other(&r, "/iam/members/tess", "updated");
    resp_free(&r);
    ck_access("tess", "/sources/web/", 200);
    ck_access("tess", "/sources/ios/", 403);
    r = get_as("olivia", "/iam/members/tess");
    ck_has(r.body, "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">labels env:prod</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
}
END_TEST

/* A grant is edited in place: one resource dropped from "Source Admin on
 * checkout, web" without removing and adding it again; an edit of a grant
 * that changed since the page was drawn is refused. The last owner's
 * Workspace Owner cannot be removed, and the page says why before the click. */
START_TEST(test_grant_edit_in_place)
{
    char *before, *after;
    resp_t r;

    iam_ctl_or_die(&srv, "grant --member edie source-admin --resource checkout web");
    ck_access("edie", "/sources/web/", 200);
    r = get_as("olivia", "/iam/members/edie");
    ck_has(r.body, "<summary aria-label=\"Edit Source Admin on checkout, web of edie\">");
    ck_has(r.body, "aria-label=\"Remove Source Admin on checkout, web from edie\"");
    ck_has(r.body, "name=\"eitems\" value=\"checkout web\"");
    resp_free(&r);
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout web", "escope", "resources", "eitems", "checkout", NULL));
    ck_see_other(&r, "/iam/members/edie", "updated");
    resp_free(&r);
    ck_access("edie", "/sources/web/", 403);
    ck_access("edie", "/sources/checkout/", 200);
    /* the same post again: the grant is no longer what it says */
    before = export_store();
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout web", "escope", "resources", "eitems", "web", NULL));
    ck_assert_int_eq(r.status, 409);
    ck_has(r.body, "changed after you saw it");
    after = export_store();
    ck_same_store(before, after);
    resp_free(&r);
    free(before);
    free(after);
    /* to labels, and a bad edit changes nothing */
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout", "escope", "all", "eitems", "checkout", NULL));
    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "A grant on all resources names none");
    resp_free(&r);
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout", "escope", "labels", "eitems", "env:prod", NULL));
    ck_see_other(&r, "/iam/members/edie", "updated");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/edie");
    ck_has(r.body, "<td data-label=\"Resources\">labels env:prod</td>");
    resp_free(&r);
    /* the last owner */
    r = get_as("olivia", "/iam/members/olivia");
    ck_has(r.body, "<button class=\"secondary\" disabled>Remove</button> <span class=\"muted\">The "
                   "last Workspace Owner: make another member an owner first.</span>");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_join_and_leave)
{
    resp_t r;

    ck_access("jon", "/sources/web/", 403);
    r = post_form("/iam/members/jon", kv("action", "join", "group", "analysts", NULL));
    ck_see_other(&r, "/iam/members/jon", "joined&who=analysts");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/jon?done=joined&who=analysts");
    ck_has(r.body, "Added to analysts.");
    resp_free(&r);
    ck_access("jon", "/sources/web/", 200);
    ck_access("jon", "/sources/ios/", 200);
    ck_assert_int_eq(access_on(&srv, "jon", "POST", "/sources/web/"), 403);
    r = get_as("olivia", "/iam/members/jon");
    ck_has(r.body, "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">All current and future</td><td data-label=\"From\"><a "
                   "href=\"/iam/groups/analysts\">Group analysts</a></td>");
    /* its leave button asks first, naming whom and what */
    ck_has(r.body, "href=\"/iam/members/jon?confirm=leave&amp;group=analysts\" aria-label=\"Remove "
                   "jon from analysts\">Remove from group</a>");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/jon?confirm=leave&group=analysts");
    ck_has(r.body, "Remove <strong>jon</strong> from <strong>analysts</strong>?");
    ck_has(r.body, "name=\"action\" value=\"leave\"");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/jon?confirm=leave&group=nosuch");
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
    r = get_as("olivia", "/iam/groups/analysts");
    ck_has(r.body, "href=\"/iam/members/jon\"");
    resp_free(&r);
    r = post_form("/iam/members/jon", kv("action", "leave", "group", "analysts", NULL));
    ck_see_other(&r, "/iam/members/jon", "left&who=analysts");
    resp_free(&r);
    ck_access("jon", "/sources/web/", 403);
    r = get_as("olivia", "/iam/members/jon");
    ck_has(r.body, "In no user group.");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_details)
{
    resp_t r;
    char *out;

    /* a name with a slash and an ampersand, url-encoded as browsers do */
    r = post_form("/iam/members/dora", kv("action", "details", "name", "Dora Explorer / R&D",
                                          "email", "dora.new@example.com", "pii", "1", NULL));
    ck_see_other(&r, "/iam/members/dora", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show dora --json"), 0);
    ck_has(out, "\"name\": \"Dora Explorer / R&D\"");
    ck_has(out, "\"email\": \"dora.new@example.com\"");
    ck_has(out, "\"pii\": true");
    free(out);
    r = get_as("olivia", "/iam/members/dora");
    ck_has(r.body, "<h1>Dora Explorer / R&amp;D</h1>");
    ck_has(r.body, "value=\"dora.new@example.com\"");
    ck_has(r.body, "name=\"pii\" value=\"1\" checked>");
    resp_free(&r);
    /* the new email is searchable, the old one is free again */
    r = get_as("olivia", "/iam/members?q=DORA.NEW");
    ck_has(r.body, "href=\"/iam/members/dora\"");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member add dora2 --email dora@example.com"), 0);
    free(out);
    /* an unchecked box clears pii */
    r = post_form("/iam/members/dora", kv("action", "details", "name", "Dora Explorer", "email",
                                          "dora.new@example.com", NULL));
    ck_see_other(&r, "/iam/members/dora", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show dora --json"), 0);
    ck_has(out, "\"pii\": false");
    free(out);
    ck_access("dora", "/", 200); /* still a member */
}
END_TEST

START_TEST(test_group_create)
{
    resp_t r;
    char *loc;

    ck_access("gina", "/warehouses/main/", 403);
    ck_access("gabe", "/sources/web/", 403);
    r = post_form("/iam/groups",
                  kv("action", "create", "name", "qa-team", "role1", "warehouse-read-only",
                     "scope1", "all", "items1", "", "role2", "source-read-only", "scope2", "labels",
                     "items2", "env:prod", "role3", "", "scope3", "all", "items3", "", "member",
                     "gina", "member", "gabe", NULL));
    ck_see_other(&r, "/iam/groups/qa-team", "group-created");
    loc = iam_test_header(r.headers, "Location");
    resp_free(&r);
    ck_access("gina", "/warehouses/main/", 200);
    ck_access("gabe", "/warehouses/main/", 200);
    ck_access("gabe", "/sources/web/", 200);
    ck_access("gabe", "/sources/ios/", 403);
    r = get_as("olivia", loc);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "User group created.");
    ck_has(r.body, "Members (2)");
    ck_has(r.body, "href=\"/iam/members/gina\"");
    ck_has(r.body, "href=\"/iam/members/gabe\"");
    ck_has(r.body, "<li>Warehouse Read-only on all</li>");
    ck_has(r.body, "<li>Source Read-only on labels env:prod</li>");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups");
    ck_has(r.body, "href=\"/iam/groups/qa-team\"");
    resp_free(&r);
    free(loc);
}
END_TEST

/* The value of the hidden field `name` in a page (malloc'd), or NULL. */
static char *hidden_value(const char *body, const char *name)
{
    char pat[128];
    const char *at, *end;

    snprintf(pat, sizeof(pat), "type=\"hidden\" name=\"%s\" value=\"", name);
    if (!body || !(at = strstr(body, pat)))
        return NULL;
    at += strlen(pat);
    end = strchr(at, '"');
    return end ? strndup(at, (size_t)(end - at)) : NULL;
}

/* Ticked members survive any number of searches (issue 13: tick pia,
 * search "pete", tick pete, save: the group held pete only); the chosen
 * are carried by the form and can be dropped one by one; the button
 * creates only what the review showed. */
START_TEST(test_picks_survive_search)
{
    char *before = export_store(), *after, *print, *out;
    resp_t r;

    /* pia ticked, then a search for pete */
    r = post_form("/iam/groups", kv("action", "preview", "name", "pickers", "member", "pia", "q",
                                    "pete", NULL));
    ck_assert_msg(r.status == 200, "%ld\n%s", r.status, shown(r.body));
    ck_has(r.body, "<input type=\"hidden\" name=\"member\" value=\"pia\">");
    ck_has(r.body, "name=\"unpick\" value=\"pia\" formnovalidate aria-label=\"Remove pia from the "
                   "chosen members\"");
    ck_has(r.body, "<input type=\"checkbox\" name=\"member\" value=\"pete\">");
    ck_lacks(r.body, "<input type=\"checkbox\" name=\"member\" value=\"pia\">");
    ck_has(r.body, "<h3>Members (1)</h3><ul><li>pia</li></ul>");
    print = hidden_value(r.body, "reviewed");
    ck_assert_ptr_nonnull(print);
    resp_free(&r);
    /* pete ticked and Create pressed at once: not what the review showed */
    r = post_form("/iam/groups", kv("action", "create", "name", "pickers", "member", "pia",
                                    "member", "pete", "reviewed", print, NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "Review the members you ticked, then press Create User Group again.");
    ck_has(r.body, "<h3>Members (2)</h3><ul><li>pia</li><li>pete</li></ul>");
    after = export_store();
    ck_same_store(before, after);
    free(print);
    print = hidden_value(r.body, "reviewed");
    resp_free(&r);
    /* dropping one from the chosen keeps the other */
    r = post_form("/iam/groups", kv("name", "pickers", "member", "pia", "member", "pete", "unpick",
                                    "pia", NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h3>Members (1)</h3><ul><li>pete</li></ul>");
    resp_free(&r);
    /* as reviewed: both */
    r = post_form("/iam/groups", kv("action", "create", "name", "pickers", "member", "pia",
                                    "member", "pete", "reviewed", print, NULL));
    ck_see_other(&r, "/iam/groups/pickers", "group-created");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show pickers"), 0);
    ck_has(out, "pia");
    ck_has(out, "pete");
    free(out);
    /* the same on the group's Add: chosen across searches, added as reviewed */
    iam_ctl_or_die(&srv, "group remove pickers pia pete");
    r = post_form("/iam/groups/pickers",
                  kv("action", "find-members", "member", "pia", "q", "pete", NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<input type=\"hidden\" name=\"member\" value=\"pia\">");
    ck_has(r.body, "<h3>To be added (1)</h3><ul><li>pia</li></ul>");
    free(print);
    print = hidden_value(strstr(r.body, "<h2>Add members</h2>"), "reviewed");
    resp_free(&r);
    r = post_form("/iam/groups/pickers", kv("action", "add-members", "member", "pia", "member",
                                            "pete", "reviewed", print, NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "Review who will be added, then press Add again.");
    free(print);
    print = hidden_value(strstr(r.body, "<h2>Add members</h2>"), "reviewed");
    resp_free(&r);
    r = post_form("/iam/groups/pickers", kv("action", "add-members", "member", "pia", "member",
                                            "pete", "reviewed", print, NULL));
    ck_see_other(&r, "/iam/groups/pickers", "members-added&who=pia+and+pete+to+pickers");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups/pickers?done=members-added&who=pia+and+pete+to+pickers");
    ck_has(r.body, "Added pia and pete to pickers.");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show pickers"), 0);
    ck_has(out, "pia");
    ck_has(out, "pete");
    free(out);
    free(print);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_group_preview_creates_nothing)
{
    char *before = export_store(), *after;
    resp_t r;

    r = post_form("/iam/groups",
                  kv("action", "preview", "name", "preview-only", "role1", "source-admin", "scope1",
                     "resources", "items1", "checkout web", "member", "gina", NULL));
    ck_assert_msg(r.status == 200, "%ld\n%s", r.status, shown(r.body));
    /* the review shows the roles and the members; the form keeps what was typed */
    ck_has(r.body, "<h3>Group permissions</h3><ul><li>Source Admin on checkout, web</li>");
    ck_has(r.body, "<h3>Members (1)</h3><ul><li>gina</li>");
    ck_has(r.body, "name=\"name\" value=\"preview-only\"");
    ck_has(r.body, "value=\"checkout web\"");
    ck_has(r.body, "<input type=\"hidden\" name=\"member\" value=\"gina\">");
    ck_lacks(r.body, "<script");
    resp_free(&r);
    after = export_store();
    ck_same_store(before, after);
    r = get_as("olivia", "/iam/groups/preview-only");
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_group_add_and_remove_members)
{
    resp_t r;
    char *before, *after;

    ck_access("crew1", "/warehouses/main/", 403);
    ck_access("crew2", "/warehouses/main/", 403);
    r = post_form("/iam/groups/crew",
                  kv("action", "add-members", "member", "crew1", "member", "crew2", NULL));
    ck_see_other(&r, "/iam/groups/crew", "members-added");
    resp_free(&r);
    ck_access("crew1", "/warehouses/main/", 200);
    ck_access("crew2", "/warehouses/main/", 200);
    ck_access("crew3", "/warehouses/main/", 403);
    r = get_as("olivia", "/iam/groups/crew?done=members-added");
    ck_has(r.body, "Members added to the group.");
    ck_has(r.body, "Members (2)");
    ck_has(r.body, "name=\"member\" value=\"crew1\"> <a href=\"/iam/members/crew1\">");
    ck_has(r.body, "name=\"member\" value=\"crew2\"> <a href=\"/iam/members/crew2\">");
    resp_free(&r);

    /* all or nothing: crew1 is in already, so crew3 is not added either */
    before = export_store();
    r = post_form("/iam/groups/crew",
                  kv("action", "add-members", "member", "crew3", "member", "crew1", NULL));
    ck_assert_msg(r.status == 409, "%ld\n%s", r.status, shown(r.body));
    ck_has(r.body, "notice error");
    ck_has(r.body, "already");
    resp_free(&r);
    after = export_store();
    ck_same_store(before, after);
    ck_access("crew3", "/warehouses/main/", 403);

    r = post_form("/iam/groups/crew",
                  kv("action", "remove-members", "member", "crew1", "member", "crew2", NULL));
    ck_see_other(&r, "/iam/groups/crew", "members-removed");
    resp_free(&r);
    ck_access("crew1", "/warehouses/main/", 403);
    ck_access("crew2", "/warehouses/main/", 403);
    r = get_as("olivia", "/iam/groups/crew");
    ck_has(r.body, "Members (0)");
    resp_free(&r);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_group_grant_revoke_pii)
{
    resp_t r;
    char *out;

    ck_access("otto", "/sources/web/", 403);
    r = post_form("/iam/groups/ops", kv("action", "grant", "role", "source-read-only", "scope",
                                        "labels", "items", "env:prod", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_access("otto", "/sources/web/", 200);
    ck_access("otto", "/sources/ios/", 403);
    ck_access("otto", "/sources/checkout/", 403);
    r = get_as("olivia", "/iam/groups/ops?tab=permissions");
    ck_has(r.body, "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">labels env:prod</td><td data-label=\"From\">This group</td>");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/otto");
    ck_has(r.body, "Group ops</a>");
    resp_free(&r);

    r = post_form("/iam/groups/ops", kv("action", "revoke", "rrole", "source-read-only", "rscope",
                                        "labels", "ritems", "env:prod", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_access("otto", "/sources/web/", 403);

    r = post_form("/iam/groups/ops", kv("action", "pii", "pii", "1", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show ops --json"), 0);
    ck_has(out, "\"pii\": true");
    free(out);
    r = get_as("olivia", "/iam/groups/ops?tab=permissions");
    ck_has(r.body, "name=\"pii\" value=\"1\" checked>");
    resp_free(&r);
    r = post_form("/iam/groups/ops", kv("action", "pii", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show ops --json"), 0);
    ck_has(out, "\"pii\": false");
    free(out);
}
END_TEST

START_TEST(test_group_delete)
{
    resp_t r;
    char *out;

    ck_access("dirk", "/warehouses/main/", 200);
    r = get_as("olivia", "/iam/groups/doomed?confirm=delete");
    ck_has(r.body, "Delete <strong>doomed</strong>? Its 1 members");
    resp_free(&r);
    r = post_form("/iam/groups/doomed", kv("action", "delete", NULL));
    ck_see_other(&r, "/iam/groups", "group-deleted");
    resp_free(&r);
    ck_access("dirk", "/warehouses/main/", 403);
    ck_access("dirk", "/", 200); /* still in the workspace */
    r = get_as("olivia", "/iam/groups/doomed");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "There is no user group “doomed”");
    ck_has(r.body, "href=\"/iam/groups\">Back to Groups</a>");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups?done=group-deleted");
    ck_has(r.body, "User group deleted.");
    ck_lacks(r.body, "href=\"/iam/groups/doomed\"");
    resp_free(&r);
    ck_assert_int_ne(iam_ctl(&srv, &out, "group show doomed 2>&1"), 0);
    free(out);
    r = post_form("/iam/groups/doomed", kv("action", "delete", NULL));
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
}
END_TEST

START_TEST(test_member_remove)
{
    resp_t r;

    ck_access("remy", "/", 200);
    r = get_as("olivia", "/iam/members/remy?confirm=remove");
    ck_has(r.body, "value=\"remove\"");
    resp_free(&r);
    r = post_form("/iam/members/remy", kv("action", "remove", NULL));
    ck_see_other(&r, "/iam/members", "removed");
    {
        char *loc = iam_test_header(r.headers, "Location");
        ck_assert_str_eq(loc, "/iam/members?done=removed&who=remy");
        free(loc);
    }
    resp_free(&r);
    /* a removed member's page, or a post to it, is a console page that
     * says so and leads back to the list */
    r = get_as("olivia", "/iam/members/remy");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "<nav");
    ck_has(r.body, "There is no team member “remy” in this workspace");
    ck_has(r.body, "href=\"/iam/members\">Back to Users</a>");
    resp_free(&r);
    r = post_form("/iam/members/remy", kv("action", "details", "name", "Ghost", NULL));
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "There is no team member “remy”");
    resp_free(&r);
    r = get_as("olivia", "/iam/members?done=removed");
    ck_has(r.body, "Team member removed from the workspace.");
    ck_lacks(r.body, "href=\"/iam/members/remy\"");
    resp_free(&r);
    ck_access("remy", "/", 403);
    r = post_form("/iam/members/remy", kv("action", "remove", NULL));
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
}
END_TEST

/* A posted Origin or Referer of this very server is fine (the control for
 * the refusals below). */
START_TEST(test_same_origin_accepted)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), body[512], origin[128], referer[160];
    resp_t r;

    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%d", srv.port);
    snprintf(referer, sizeof(referer), "Referer: http://127.0.0.1:%d/iam/members/ori", srv.port);
    snprintf(body, sizeof(body), "csrf=%s&action=details&name=Origin+One&email=ori%%40example.com",
             tok);
    r = request_on(&srv, "POST", "/iam/members/ori", "olivia", "application/x-www-form-urlencoded",
                   body, origin, NULL);
    ck_see_other(&r, "/iam/members/ori", "updated");
    resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&action=details&name=Origin+Two&email=ori%%40example.com",
             tok);
    r = request_on(&srv, "POST", "/iam/members/ori", "olivia", "application/x-www-form-urlencoded",
                   body, referer, NULL);
    ck_see_other(&r, "/iam/members/ori", "updated");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/ori");
    ck_has(r.body, "<h1>Origin Two</h1>");
    resp_free(&r);
    free(tok);
}
END_TEST

START_TEST(test_audit_shows_console_actor)
{
    resp_t r = post_form("/iam/members/aud", kv("action", "details", "name", "Audited Person",
                                                "email", "aud@example.com", NULL));

    ck_see_other(&r, "/iam/members/aud", "updated");
    resp_free(&r);
    /* in words: who, what, whom; what changed beneath */
    r = get_as("olivia", "/iam/audit");
    ck_has(r.body, "<span class=\"what\">Olivia Owner (olivia) changed the name of Audited Person "
                   "(aud).</span>");
    ck_has(r.body, "<li>name: (none) → Audited Person</li>");
    resp_free(&r);
    r = get_as("olivia", "/iam/");
    ck_has(r.body, "changed the name of Audited Person (aud).");
    resp_free(&r);
    /* filtered by the member, by who changed, by kind */
    r = get_as("olivia", "/iam/audit?member=aud&kind=member");
    ck_has(r.body, "changed the name of Audited Person (aud).");
    ck_lacks(r.body, "created the group");
    resp_free(&r);
    r = get_as("olivia", "/iam/audit?actor=nobody-did-this");
    ck_lacks(r.body, "changed the name of Audited Person");
    resp_free(&r);
}
END_TEST

/* More changes than a page holds: "Older changes" leads to them. */
START_TEST(test_audit_older_changes)
{
    resp_t r;
    char *out, *link, *href, *end;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "for i in $(seq -w 1 60); do '%s/iamctl' -d '%s' member add "
                                  "zz-hist-$i || exit 1; done",
                                  iam_test_build_dir(), srv.store),
                     0);
    free(out);
    r = get_as("olivia", "/iam/audit");
    ck_has(r.body, " added zz-hist-60.</span>");
    ck_lacks(r.body, " added zz-hist-05.</span>"); /* one page: the newest 50 */
    link = strstr(r.body, "\">Older changes</a>");
    ck_assert_msg(link != NULL, "no link to older changes:\n%s", shown(r.body));
    *link = '\0';
    href = strrchr(r.body, '"') + 1;
    ck_assert_msg(!strncmp(href, "/iam/audit?before=", 18) && isdigit((unsigned char)href[18]),
                  "the link to older changes is \"%s\"", href);
    for (end = href + 18; isdigit((unsigned char)*end); end++)
        ;
    /* the filters ride along */
    ck_assert_msg(!strcmp(end, "&amp;member=&amp;group=&amp;actor=&amp;kind="),
                  "the link to older changes is \"%s\"", href);
    *end = '\0';
    href = strdup(href);
    resp_free(&r);
    r = get_as("olivia", href);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, " added zz-hist-05.</span>");
    ck_lacks(r.body, " added zz-hist-60.</span>");
    resp_free(&r);
    free(href);
}
END_TEST

/* ---- refusals: nothing changes ---- */

#define FORM "application/x-www-form-urlencoded"

static const struct {
    const char *what, *path;
    int csrf; /* 1 olivia's token, 0 none, 2 a wrong one */
    const char *fields;
    const char *ctype;
    const char *header; /* "%d" is the server's port */
    long want;
    const char *text; /* in the page that explains, or NULL */
} refusals[] = {
    {"no token", "/iam/members", 0, "email=r1%40example.com", FORM, NULL, 403, NULL},
    {"empty token", "/iam/members", 0, "csrf=&email=r1%40example.com", FORM, NULL, 403, NULL},
    {"wrong token", "/iam/members", 2, "email=r1%40example.com", FORM, NULL, 403, NULL},
    {"foreign Origin", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Origin: http://evil.example", 403, NULL},
    {"null Origin", "/iam/members", 1, "email=r1%40example.com", FORM, "Origin: null", 403, NULL},
    {"Origin on another port", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Origin: http://127.0.0.1:1", 403, NULL},
    {"foreign Referer", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Referer: http://evil.example/iam/members/new", 403, NULL},
    {"look-alike Referer", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Referer: http://127.0.0.1:%d.evil.example/iam/members/new", 403, NULL},
    {"JSON body", "/iam/members", 1, "email=r1%40example.com", "application/json", NULL, 415, NULL},
    {"text body", "/iam/members", 1, "email=r1%40example.com", "text/plain", NULL, 415, NULL},
    {"multipart body", "/iam/members", 1, "email=r1%40example.com", "multipart/form-data", NULL,
     415, NULL},
    {"no content type", "/iam/members", 1, "email=r1%40example.com", NULL, NULL, 415, NULL},
    {"bad escape", "/iam/members/refu", 1, "action=details&name=a%zzb&email=refu%40example.com",
     FORM, NULL, 400, NULL},
    {"NUL byte", "/iam/members/refu", 1, "action=details&name=a%00b&email=refu%40example.com", FORM,
     NULL, 400, NULL},
    {"invalid email", "/iam/members", 1, "email=not-an-email&name=Refused", FORM, NULL, 400,
     "is not an email address"},
    {"no email", "/iam/members", 1, "email=&name=Refused", FORM, NULL, 400,
     "Enter the email address"},
    {"unknown role", "/iam/members", 1, "email=r2%40example.com&role1=superuser&scope1=all", FORM,
     NULL, 400, "unknown role &#x27;superuser&#x27;"},
    {"unknown role among good ones", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=all&role2=nope&scope2=all", FORM, NULL, 400,
     "unknown role"},
    {"all resources naming some", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=all&items1=checkout", FORM, NULL, 400,
     "names none"},
    {"bad resource name", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=resources&items1=b%40d", FORM, NULL, 400,
     NULL},
    {"label without a colon", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=labels&items1=prod", FORM, NULL, 400, NULL},
    {"resources without names", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=resources&items1=", FORM, NULL, 400, NULL},
    {"all-only role on a resource", "/iam/members", 1,
     "email=r2%40example.com&role1=warehouse-admin&scope1=resources&items1=main", FORM, NULL, 400,
     NULL},
    {"email taken", "/iam/members", 1, "email=max%40example.com", FORM, NULL, 409, "already used"},
    {"login taken", "/iam/members", 1, "email=r3%40example.com&login=max", FORM, NULL, 409,
     "already a member"},
    {"login taken in another case", "/iam/members", 1, "email=r3%40example.com&login=MAX", FORM,
     NULL, 409, "differs only in case"},
    {"unknown group on invite", "/iam/members", 1, "email=r3%40example.com&group=nosuch", FORM,
     NULL, 404, "No group"},
    {"remove the last owner", "/iam/members/olivia", 1, "action=remove", FORM, NULL, 409,
     "last Workspace Owner"},
    {"demote the last owner", "/iam/members/olivia", 1,
     "action=revoke&rrole=workspace-owner&rscope=all&ritems=all", FORM, NULL, 409,
     "last Workspace Owner"},
    {"duplicate group", "/iam/groups", 1, "action=create&name=analysts", FORM, NULL, 409,
     "already exists"},
    {"duplicate group, other case", "/iam/groups", 1, "action=create&name=ANALYSTS", FORM, NULL,
     409, "already exists"},
    {"group without a name", "/iam/groups", 1, "action=create&name=", FORM, NULL, 400, NULL},
    {"owner role for a group", "/iam/groups", 1,
     "action=create&name=owners2&role1=workspace-owner&scope1=all", FORM, NULL, 400,
     "not to groups"},
    {"group with an unknown member", "/iam/groups", 1,
     "action=create&name=ghosts&member=nobody-here", FORM, NULL, 404, NULL},
    {"grant without a role", "/iam/members/refu", 1, "action=grant&role=&scope=all", FORM, NULL,
     400, "Choose a role"},
    {"grant held already", "/iam/members/sam", 1,
     "action=grant&role=source-admin&scope=resources&items=checkout", FORM, NULL, 409, NULL},
    {"revoke what is not held", "/iam/members/refu", 1,
     "action=revoke&rrole=warehouse-admin&rscope=all&ritems=all", FORM, NULL, 404, "does not hold"},
    {"join nothing", "/iam/members/refu", 1, "action=join", FORM, NULL, 400, "Choose a user group"},
    {"join an unknown group", "/iam/members/refu", 1, "action=join&group=nosuch", FORM, NULL, 404,
     "No group"},
    {"unknown member action", "/iam/members/refu", 1, "action=explode", FORM, NULL, 400,
     "Unknown action"},
    {"details with a bad email", "/iam/members/refu", 1,
     "action=details&name=Refu&email=bad%20address", FORM, NULL, 400, "is not an email address"},
    {"details with a control character", "/iam/members/refu", 1,
     "action=details&name=a%01b&email=refu%40example.com", FORM, NULL, 400, "control characters"},
    {"details of an unknown member", "/iam/members/nobody-here", 1,
     "action=details&name=X&email=", FORM, NULL, 404, NULL},
    {"remove an unknown member", "/iam/members/nobody-here", 1, "action=remove", FORM, NULL, 404,
     NULL},
    {"add no members", "/iam/groups/analysts", 1, "action=add-members", FORM, NULL, 400,
     "Choose at least one member to add"},
    {"add an unknown member", "/iam/groups/analysts", 1, "action=add-members&member=nobody-here",
     FORM, NULL, 404, NULL},
    {"add a member twice", "/iam/groups/analysts", 1, "action=add-members&member=rita", FORM, NULL,
     409, "already"},
    {"remove a non-member", "/iam/groups/analysts", 1, "action=remove-members&member=max", FORM,
     NULL, 404, NULL},
    {"owner role for a group, on its page", "/iam/groups/analysts", 1,
     "action=grant&role=workspace-owner&scope=all", FORM, NULL, 400, "not to groups"},
    {"unknown group action", "/iam/groups/analysts", 1, "action=explode", FORM, NULL, 400,
     "Unknown action"},
    {"delete an unknown group", "/iam/groups/nosuch", 1, "action=delete", FORM, NULL, 404, NULL},
    {"unknown overview action", "/iam/", 1, "action=explode", FORM, NULL, 400, "Unknown action"},
    {"post to the invite page", "/iam/members/new", 1, "email=r4%40example.com", FORM, NULL, 405,
     NULL},
    {"post to the resources", "/iam/resources", 1, "x=1", FORM, NULL, 405, NULL},
    {"post to the audit", "/iam/audit", 1, "x=1", FORM, NULL, 405, NULL},
};

START_TEST(test_refusal_changes_nothing)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), *before, *after, *body;
    char header[256];
    resp_t r;

    if (refusals[_i].csrf == 2)
        tok[0] = tok[0] == '0' ? '1' : '0';
    body = malloc(strlen(tok) * 2 + strlen(refusals[_i].fields) + 32);
    if (refusals[_i].csrf)
        sprintf(body, "csrf=%s&%s", tok, refusals[_i].fields);
    else
        sprintf(body, "%s", refusals[_i].fields);
    if (refusals[_i].header)
        snprintf(header, sizeof(header), refusals[_i].header, srv.port);
    before = export_store();
    r = request_on(&srv, "POST", refusals[_i].path, "olivia", refusals[_i].ctype, body,
                   refusals[_i].header ? header : NULL, NULL);
    after = export_store();
    ck_assert_msg(r.status == refusals[_i].want, "%s: POST %s %s: got %ld, want %ld\n%s",
                  refusals[_i].what, refusals[_i].path, body, r.status, refusals[_i].want,
                  shown(r.body));
    ck_assert_msg(!strcmp(before, after), "%s changed the store (iamctl export differs)",
                  refusals[_i].what);
    ck_security_headers(refusals[_i].what, r.headers, 1);
    if (refusals[_i].text) {
        /* the form again, with the reason */
        ck_has(r.body, "<p class=\"notice error\" role=\"alert\">");
        ck_has(r.body, refusals[_i].text);
        if (strcmp(refusals[_i].path, "/iam/"))
            ck_has(r.body, "name=\"csrf\"");
    }
    ck_lacks(r.body, "<script");
    resp_free(&r);
    free(body);
    free(before);
    free(after);
    free(tok);
}
END_TEST

START_TEST(test_refused_form_keeps_input)
{
    resp_t r = post_form("/iam/members", kv("email", "not-an-email", "name", "Kept Name", "login",
                                            "kept-login", "role1", "source-admin", "scope1",
                                            "resources", "items1", "checkout", NULL));

    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "<h1>Invite Team Member</h1>");
    ck_has(r.body, "name=\"email\" value=\"not-an-email\"");
    ck_has(r.body, "name=\"name\" value=\"Kept Name\"");
    ck_has(r.body, "name=\"login\" value=\"kept-login\"");
    ck_has(r.body, "<option value=\"source-admin\" selected>");
    ck_has(r.body, "<option value=\"resources\" selected>");
    ck_has(r.body, "name=\"items1\" value=\"checkout\"");
    resp_free(&r);
    /* the last owner's page explains why */
    r = post_form("/iam/members/olivia", kv("action", "remove", NULL));
    ck_assert_int_eq(r.status, 409);
    ck_has(r.body, "<h1>Olivia Owner</h1>");
    ck_has(r.body, "&#x27;olivia&#x27; is the last Workspace Owner and cannot be removed");
    resp_free(&r);
    ck_access("olivia", "/owners/", 200);
}
END_TEST

START_TEST(test_body_too_large)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), *before, *after, *after2, *body;
    size_t n = 70 * 1024, p;
    resp_t r;

    body = malloc(n + 256);
    sprintf(body, "csrf=%s&action=details&email=refu%%40example.com&name=", tok);
    p = strlen(body);
    memset(body + p, 'a', n);
    body[p + n] = '\0';
    ck_assert_uint_gt(strlen(body), 64 * 1024);
    before = export_store();
    r = request_on(&srv, "POST", "/iam/members/refu", "olivia", FORM, body, NULL, NULL);
    after = export_store();
    ck_assert_msg(r.status == 413, "got %ld", r.status);
    ck_same_store(before, after);
    resp_free(&r);
    /* the same without a length: chunked */
    r = request_on(&srv, "POST", "/iam/members/refu", "olivia", FORM, body,
                   "Transfer-Encoding: chunked", NULL);
    after2 = export_store();
    ck_assert_msg(r.status == 413, "chunked: got %ld", r.status);
    ck_same_store(before, after2);
    resp_free(&r);
    /* just under the limit is read */
    body[64 * 1024 - 10] = '\0';
    r = request_on(&srv, "POST", "/iam/members/refu", "olivia", FORM, body, NULL, NULL);
    ck_assert_msg(r.status == 400, "got %ld", r.status); /* a name of 64 KiB is too long */
    ck_has(r.body, "too long");
    resp_free(&r);
    free(body);
    free(before);
    free(after);
    free(after2);
    free(tok);
}
END_TEST

/* Members who are not owners hold a token of their own (the request-access
 * form); with it they still change nothing. */
START_TEST(test_non_owner_post_refused)
{
    static const char *const users[] = {"max", "sam", "rita"};
    int i;

    for (i = 0; i < ARRAY_LEN(users); i++) {
        resp_t r = get_as(users[i], "/iam/members");
        char *tok = iam_test_csrf(r.body), *before, *after, body[512], path[64];
        resp_free(&r);
        snprintf(path, sizeof(path), "/iam/members/%s", users[i]);
        snprintf(body, sizeof(body), "csrf=%s&action=grant&role=workspace-owner&scope=all",
                 tok ? tok : "");
        before = export_store();
        r = request_on(&srv, "POST", path, users[i], FORM, body, NULL, NULL);
        after = export_store();
        ck_assert_msg(r.status == 403, "%s: %ld\n%s", users[i], r.status, shown(r.body));
        ck_same_store(before, after);
        resp_free(&r);
        r = request_on(&srv, "POST", "/iam/members/olivia", users[i], FORM, strcat(body, "&x=1"),
                       NULL, NULL);
        ck_assert_int_eq(r.status, 403);
        resp_free(&r);
        r = request_on(&srv, "POST", "/iam/members", NULL, FORM, "email=r9%40example.com", NULL,
                       NULL);
        ck_assert_int_eq(r.status, 401);
        resp_free(&r);
        after = export_store();
        ck_same_store(before, after);
        ck_assert_int_eq(access_of(users[i], "/owners/"), 403);
        free(tok);
        free(before);
        free(after);
    }
}
END_TEST

/* GET never changes anything, whatever it carries; nor do other methods. */
START_TEST(test_get_changes_nothing)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), *before = export_store(), *after;
    char path[512];
    static const char *const fmts[] = {
        "/iam/members/max?action=remove&csrf=%s",
        "/iam/members/max?confirm=remove&action=remove&csrf=%s",
        "/iam/members/max?action=grant&role=workspace-owner&scope=all&csrf=%s",
        "/iam/groups/analysts?action=delete&csrf=%s",
        "/iam/groups/analysts?confirm=delete&action=delete&csrf=%s",
        "/iam/members?email=r5%%40example.com&csrf=%s",
        "/iam/groups?action=create&name=viaget&csrf=%s",
    };
    static const char *const methods[] = {"PUT", "DELETE", "PATCH"};
    int i;

    for (i = 0; i < ARRAY_LEN(fmts); i++) {
        resp_t r;
        snprintf(path, sizeof(path), fmts[i], tok);
        r = get_as("olivia", path);
        ck_assert_msg(r.status == 200, "GET %s: %ld", path, r.status);
        resp_free(&r);
    }
    for (i = 0; i < ARRAY_LEN(methods); i++) {
        resp_t r;
        snprintf(path, sizeof(path), "csrf=%s&action=remove", tok);
        r = request_on(&srv, methods[i], "/iam/members/max", "olivia", FORM, path, NULL, NULL);
        ck_assert_msg(r.status == 405, "%s: %ld", methods[i], r.status);
        resp_free(&r);
    }
    after = export_store();
    ck_same_store(before, after);
    ck_access("max", "/", 200);
    free(before);
    free(after);
    free(tok);
}
END_TEST

/* ---- escaping ---- */

#define XSS_NAME "<script>alert(1)</script>"
#define XSS_NAME_H "&lt;script&gt;alert(1)&lt;/script&gt;"
#define XSS_GROUP "<img src=x onerror=alert(1)>"
#define XSS_GROUP_H "&lt;img src=x onerror=alert(1)&gt;"
#define XSS_GROUP_URL "/iam/groups/%3Cimg%20src=x%20onerror=alert(1)%3E"
#define Q_GROUP "a\"b&c'd"
#define Q_GROUP_H "a&quot;b&amp;c&#x27;d"
#define Q_GROUP_URL "/iam/groups/a%22b&c'd"

static const struct {
    const char *path;
    const char *want[3];
} xss_pages[] = {
    {"/iam/members", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/members?q=xss2", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/members/xss2", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/members/xss2?confirm=remove", {XSS_NAME_H}},
    {"/iam/members/sam", {XSS_GROUP_H, Q_GROUP_H}}, /* groups to join */
    {"/iam/members/new", {XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/groups", {XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/groups?q=onerror", {XSS_GROUP_H}},
    {"/iam/groups/new", {XSS_NAME_H}}, /* the member picker */
    {XSS_GROUP_URL, {XSS_GROUP_H, "href=\"/iam/members/xss2\""}},
    {XSS_GROUP_URL "?tab=permissions", {XSS_GROUP_H}},
    {XSS_GROUP_URL "?confirm=delete", {XSS_GROUP_H}},
    {Q_GROUP_URL, {Q_GROUP_H, "href=\"/iam/members/xss2\""}},
    {"/iam/groups/analysts", {XSS_NAME_H}}, /* members to add */
    {"/iam/audit", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/", {XSS_GROUP_H}},
};

START_TEST(test_markup_escaped)
{
    resp_t r = get_as("olivia", xss_pages[_i].path);
    int i;

    ck_assert_msg(r.status == 200, "GET %s: %ld\n%s", xss_pages[_i].path, r.status, shown(r.body));
    for (i = 0; i < 3 && xss_pages[_i].want[i]; i++)
        ck_has(r.body, xss_pages[_i].want[i]);
    ck_lacks(r.body, "<script");
    ck_lacks(r.body, "<img");
    ck_lacks(r.body, Q_GROUP);
    ck_lacks(r.body, "b&c'd");
    resp_free(&r);
}
END_TEST

/* Follows the link whose text is `text` (as HTML) on `page`; returns the
 * answer. */
static resp_t follow_link(const char *page, const char *text)
{
    resp_t list = get_as("olivia", page), r;
    char want[256], *a, *href;

    snprintf(want, sizeof(want), "\">%s</a>", text);
    a = strstr(list.body, want);
    ck_assert_msg(a != NULL, "no link '%s' on %s:\n%s", text, page, shown(list.body));
    *a = '\0';
    href = html_unescape(strrchr(list.body, '"') + 1);
    ck_assert_msg(href[0] == '/' && !strchr(href, '<') && !strchr(href, '"') && !strchr(href, ' '),
                  "link '%s' on %s is \"%s\"", text, page, href);
    r = get_as("olivia", href);
    free(href);
    resp_free(&list);
    return r;
}

/* Links to a group named like markup lead to it. */
START_TEST(test_markup_group_links_work)
{
    const char *names[] = {XSS_GROUP_H, Q_GROUP_H};
    int i;

    for (i = 0; i < 2; i++) {
        resp_t g = follow_link("/iam/groups", names[i]);
        ck_assert_msg(g.status == 200, "%s: %ld", names[i], g.status);
        ck_has(g.body, names[i]);
        ck_has(g.body, "href=\"/iam/members/xss2\"");
        resp_free(&g);
    }
}
END_TEST

/* What a request carries is escaped when it is shown back. */
START_TEST(test_reflected_input_escaped)
{
    static const char *const paths[] = {
        "/iam/members?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/members?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups/analysts?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/members/sam?gq=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups/analysts?mq=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups/new?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    };
    resp_t r;
    int i;

    for (i = 0; i < ARRAY_LEN(paths); i++) {
        r = get_as("olivia", paths[i]);
        ck_assert_msg(r.status == 200, "GET %s: %ld", paths[i], r.status);
        ck_lacks(r.body, "<script");
        ck_has(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;");
        resp_free(&r);
    }
    /* a refused form shows the fields and the reason back, escaped */
    r = post_form("/iam/members", kv("email", "\"><script>alert(1)</script>", "name", XSS_NAME,
                                     "login", "'><script>alert(2)</script>", "items1",
                                     "\"><script>alert(3)</script>", NULL));
    ck_assert_int_eq(r.status, 400);
    ck_lacks(r.body, "<script");
    ck_has(r.body, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"");
    ck_has(r.body, "value=\"" XSS_NAME_H "\"");
    ck_has(r.body, "value=\"&#x27;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\"");
    ck_has(r.body, "value=\"&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;\"");
    resp_free(&r);
    /* the invite form's group finder */
    r = post_form("/iam/members", kv("action", "find", "gq", "\"><script>alert(6)</script>", NULL));
    ck_lacks(r.body, "<script");
    resp_free(&r);
    r = post_form("/iam/members", kv("email", "r6@example.com", "role1", XSS_NAME, NULL));
    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "unknown role &#x27;" XSS_NAME_H "&#x27;");
    ck_lacks(r.body, "<script");
    resp_free(&r);
    r = post_form("/iam/groups", kv("action", "preview", "name", "\"><script>alert(4)</script>",
                                    "q", "\"><script>alert(5)</script>", NULL));
    ck_assert_int_eq(r.status, 200);
    ck_lacks(r.body, "<script");
    ck_has(r.body, "&lt;script&gt;alert(4)");
    resp_free(&r);
}
END_TEST

/* Made through the console: the redirect and every page escape it. */
START_TEST(test_console_made_markup)
{
    resp_t r = post_form("/iam/groups", kv("action", "create", "name", "\"><svg onload=alert(7)>",
                                           "member", "xss2", NULL));
    char *loc;

    ck_see_other(&r, "/iam/groups/", "group-created");
    loc = iam_test_header(r.headers, "Location");
    ck_lacks(loc, "<");
    ck_lacks(loc, "\"");
    ck_lacks(loc, " ");
    resp_free(&r);
    r = get_as("olivia", loc);
    ck_assert_msg(r.status == 200, "GET %s: %ld", loc, r.status);
    ck_has(r.body, "<h1>&quot;&gt;&lt;svg onload=alert(7)&gt;</h1>");
    ck_lacks(r.body, "<svg");
    resp_free(&r);
    r = post_form("/iam/members/xss", kv("action", "details", "name", "<b onmouseover=alert(8)>x",
                                         "email", "xss@example.com", NULL));
    ck_see_other(&r, "/iam/members/xss", "updated");
    resp_free(&r);
    r = get_as("olivia", "/iam/members");
    ck_has(r.body, "&lt;b onmouseover=alert(8)&gt;x");
    ck_lacks(r.body, "<b onmouseover");
    ck_lacks(r.body, "<svg");
    resp_free(&r);
    r = get_as("olivia", "/iam/audit");
    ck_has(r.body, "&lt;b onmouseover=alert(8)&gt;x");
    ck_has(r.body, "&quot;&gt;&lt;svg onload=alert(7)&gt;");
    ck_lacks(r.body, "<b onmouseover");
    ck_lacks(r.body, "<svg");
    resp_free(&r);
    free(loc);
}
END_TEST

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
    ck_has(after.body, "<td data-label=\"Role\">Warehouse Read-only</td><td data-label=\"Resources\">All current and future</td>");
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
    ck_has(r.body, "No resource “source &lt;b&gt;x” is declared in httpd.conf.");
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
        "/iam/members?q=xss2",          "/iam/members?status=invited", "/iam/members?status=active",
        "/iam/members?q=example&status=active", "/iam/members",
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

/* ---- the team plan ---- */

static iam_httpd_t team;

static void start_team(void)
{
    start_on(&team, "console-team", "IAMPlan team");
}

static void stop_team(void)
{
    iam_httpd_cleanup(&team);
}

START_TEST(test_team_groups_unavailable)
{
    static const char *const paths[] = {"/iam/groups", "/iam/groups/new", "/iam/groups/analysts"};
    resp_t r;
    int i;

    for (i = 0; i < ARRAY_LEN(paths); i++) {
        r = get_on(&team, "olivia", paths[i]);
        ck_assert_msg(r.status == 200, "GET %s: %ld", paths[i], r.status);
        ck_has(r.body, "User groups are not available on the team plan.");
        ck_lacks(r.body, "value=\"add-members\"");
        ck_lacks(r.body, "value=\"create\"");
        resp_free(&r);
    }
    r = get_on(&team, "olivia", "/iam/members/tina");
    ck_has(r.body, "User groups are not available on the team plan.");
    ck_has(r.body, "<button name=\"action\" value=\"join\" disabled>Add User Group</button>");
    resp_free(&r);
    r = get_on(&team, "olivia", "/iam/");
    ck_has(r.body, "<span class=\"plan\">team</span> plan");
    resp_free(&r);
}
END_TEST

START_TEST(test_team_role_lists)
{
    static const struct {
        const char *slug, *name;
        int allowed;
    } roles[] = {
        {"workspace-owner", "Workspace Owner", 1},
        {"source-admin", "Source Admin", 1},
        {"source-read-only", "Source Read-only", 0},
        {"warehouse-admin", "Warehouse Admin", 0},
        {"warehouse-read-only", "Warehouse Read-only", 0},
        {"tracking-plan-admin", "Tracking Plan Admin", 0},
        {"tracking-plan-read-only", "Tracking Plan Read-only", 0},
        {"personas-admin", "Personas Admin", 0},
        {"personas-user", "Personas User", 0},
        {"personas-read-only", "Personas Read-only", 0},
        {"identity-admin", "Identity Admin", 0},
    };
    static const char *const forms[] = {"/iam/members/new", "/iam/members/tina"};
    char want[256];
    int i, f;

    for (f = 0; f < ARRAY_LEN(forms); f++) {
        resp_t r = get_on(&team, "olivia", forms[f]);
        ck_assert_int_eq(r.status, 200);
        for (i = 0; i < ARRAY_LEN(roles); i++) {
            if (roles[i].allowed)
                snprintf(want, sizeof(want), "<option value=\"%s\">%s</option>", roles[i].slug,
                         roles[i].name);
            else
                snprintf(want, sizeof(want),
                         "<option value=\"%s\" disabled>%s (not on this plan)</option>",
                         roles[i].slug, roles[i].name);
            ck_has(r.body, want);
        }
        ck_has(r.body, "<option value=\"labels\" disabled>Resources with labels (not on this "
                       "plan)</option>");
        resp_free(&r);
    }
    {
        resp_t r = get_on(&team, "olivia", "/iam/roles");
        ck_assert_int_eq(count_of(r.body, "<tr class=\"unavailable\">"), 9);
        ck_has(r.body, "not on this plan");
        resp_free(&r);
    }
}
END_TEST

static const struct {
    const char *what, *path, *fields;
} team_refusals[] = {
    {"invite with a read-only role", "/iam/members",
     "email=t1%40example.com&role1=source-read-only&scope1=all"},
    {"invite with a label scope", "/iam/members",
     "email=t1%40example.com&role1=source-admin&scope1=labels&items1=env%3Aprod"},
    {"invite into a group", "/iam/members", "email=t1%40example.com&group=analysts"},
    {"grant a read-only role", "/iam/members/tina",
     "action=grant&role=source-read-only&scope=resources&items=checkout"},
    {"grant a warehouse role", "/iam/members/tina", "action=grant&role=warehouse-admin&scope=all"},
    {"grant on labels", "/iam/members/tina",
     "action=grant&role=source-admin&scope=labels&items=env%3Aprod"},
    {"join a group", "/iam/members/tina", "action=join&group=analysts"},
    {"create a group", "/iam/groups", "action=create&name=teamgroup"},
    {"add group members", "/iam/groups/analysts", "action=add-members&member=tina"},
};

START_TEST(test_team_plan_refuses)
{
    char *tok = token_on(&team, "olivia", "/iam/members/new"), *before, *after, body[512];
    resp_t r;

    snprintf(body, sizeof(body), "csrf=%s&%s", tok, team_refusals[_i].fields);
    before = export_on(&team);
    r = request_on(&team, "POST", team_refusals[_i].path, "olivia", FORM, body, NULL, NULL);
    after = export_on(&team);
    ck_assert_msg(r.status == 422, "%s: got %ld, want 422\n%s", team_refusals[_i].what, r.status,
                  shown(r.body));
    ck_assert_msg(!strcmp(before, after), "%s changed the store", team_refusals[_i].what);
    ck_has(r.body, "notice error");
    ck_has(r.body, "team plan");
    resp_free(&r);
    ck_assert_int_eq(access_on(&team, "tina", "GET", "/sources/web/"), 403);
    free(before);
    free(after);
    free(tok);
}
END_TEST

/* What the plan has still works. */
START_TEST(test_team_plan_allows_source_admin)
{
    resp_t r;

    ck_assert_int_eq(access_on(&team, "tess", "GET", "/sources/web/"), 403);
    r = post_on(
        &team, "/iam/members/tess",
        kv("action", "grant", "role", "source-admin", "scope", "resources", "items", "web", NULL));
    ck_see_other(&r, "/iam/members/tess", "updated");
    resp_free(&r);
    ck_assert_int_eq(access_on(&team, "tess", "GET", "/sources/web/"), 200);
    ck_assert_int_eq(access_on(&team, "tess", "GET", "/sources/checkout/"), 403);
    /* group grants are not honoured on this plan */
    ck_assert_int_eq(access_on(&team, "rita", "GET", "/sources/web/"), 403);
}
END_TEST

/* What the console shows is what the server does: grants the plan does
 * not honour say so, and a request the plan cannot answer offers no
 * Approve. */
START_TEST(test_team_plan_shows_what_it_ignores)
{
    resp_t r;
    char *tok;

    /* rita reads sources through the group analysts: not on this plan */
    ck_assert_int_eq(access_on(&team, "rita", "GET", "/sources/web/"), 403);
    r = get_on(&team, "olivia", "/iam/members/rita");
    ck_has(r.body, "Source Read-only <span class=\"badge\">not honoured on the team plan</span>");
    ck_has(r.body, "the plan has no user groups");
    resp_free(&r);
    /* sam's Source Admin on checkout is honoured */
    ck_assert_int_eq(access_on(&team, "sam", "GET", "/sources/checkout/"), 200);
    r = get_on(&team, "olivia", "/iam/members/sam");
    ck_lacks(r.body, "not honoured");
    resp_free(&r);
    /* a request for the warehouse: no role of the team plan gives it */
    r = get_on(&team, "gina", "/warehouses/main/");
    ck_assert_int_eq(r.status, 403);
    tok = iam_test_csrf(r.body);
    ck_assert_msg(tok != NULL, "%s", shown(r.body));
    resp_free(&r);
    r = request_on(&team, "POST", "/iam/request-access", "gina", FORM,
                   kv("csrf", tok, "level", "read", "path", "/warehouses/main/", "message", "hi",
                      NULL),
                   NULL, NULL);
    ck_assert_int_eq(r.status, 303);
    resp_free(&r);
    r = get_on(&team, "olivia", "/iam/members/gina");
    ck_has(r.body, "Cannot be approved on the team plan");
    ck_lacks(r.body, "value=\"approve\"");
    ck_has(r.body, "value=\"dismiss\"");
    resp_free(&r);
}
END_TEST

/* ---- the suite ---- */

static TCase *server_case(const char *name, void (*setup)(void), void (*teardown)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    return tc;
}

Suite *suite_console(void)
{
    Suite *s = suite_create("console");
    TCase *tc;

    tc = server_case("console_pages", start_console, stop_console);
    tcase_add_loop_test(tc, test_page_as_owner, 0, ARRAY_LEN(pages));
    tcase_add_test(tc, test_roles_page_lists_twelve);
    tcase_add_test(tc, test_overview_counts);
    tcase_add_test(tc, test_stylesheet);
    tcase_add_test(tc, test_not_found);
    tcase_add_test(tc, test_done_messages);
    tcase_add_loop_test(tc, test_page_refused_to_others, 0, ARRAY_LEN(console_pages));
    suite_add_tcase(s, tc);

    tc = server_case("console_procedures", start_console, stop_console);
    tcase_add_test(tc, test_invite);
    tcase_add_test(tc, test_invite_with_login_and_group);
    tcase_add_test(tc, test_member_grant_and_revoke);
    tcase_add_test(tc, test_member_labels_grant);
    tcase_add_test(tc, test_member_join_and_leave);
    tcase_add_test(tc, test_grant_edit_in_place);
    tcase_add_test(tc, test_member_details);
    tcase_add_test(tc, test_group_create);
    tcase_add_test(tc, test_group_preview_creates_nothing);
    tcase_add_test(tc, test_picks_survive_search);
    tcase_add_test(tc, test_group_add_and_remove_members);
    tcase_add_test(tc, test_group_grant_revoke_pii);
    tcase_add_test(tc, test_group_delete);
    tcase_add_test(tc, test_member_remove);
    tcase_add_test(tc, test_same_origin_accepted);
    tcase_add_test(tc, test_audit_shows_console_actor);
    tcase_add_test(tc, test_audit_older_changes);
    suite_add_tcase(s, tc);

    tc = server_case("console_refusals", start_console, stop_console);
    tcase_add_loop_test(tc, test_refusal_changes_nothing, 0, ARRAY_LEN(refusals));
    tcase_add_test(tc, test_refused_form_keeps_input);
    tcase_add_test(tc, test_body_too_large);
    tcase_add_test(tc, test_non_owner_post_refused);
    tcase_add_test(tc, test_get_changes_nothing);
    suite_add_tcase(s, tc);

    tc = server_case("console_escaping", start_console, stop_console);
    tcase_add_loop_test(tc, test_markup_escaped, 0, ARRAY_LEN(xss_pages));
    tcase_add_test(tc, test_markup_group_links_work);
    tcase_add_test(tc, test_reflected_input_escaped);
    tcase_add_test(tc, test_console_made_markup);
    suite_add_tcase(s, tc);

    tc = server_case("console_names", start_console, stop_console);
    tcase_add_test(tc, test_odd_characters_in_names);
    tcase_add_test(tc, test_slash_in_names);
    tcase_add_test(tc, test_names_new);
    tcase_add_test(tc, test_members_next_page);
    tcase_add_test(tc, test_group_members_paged);
    tcase_add_test(tc, test_resource_access_page);
    tcase_add_test(tc, test_member_counts_follow_filters);
    suite_add_tcase(s, tc);

    tc = server_case("console_team_plan", start_team, stop_team);
    tcase_add_test(tc, test_team_groups_unavailable);
    tcase_add_test(tc, test_team_role_lists);
    tcase_add_loop_test(tc, test_team_plan_refuses, 0, ARRAY_LEN(team_refusals));
    tcase_add_test(tc, test_team_plan_allows_source_admin);
    tcase_add_test(tc, test_team_plan_shows_what_it_ignores);
    suite_add_tcase(s, tc);
    return s;
}
