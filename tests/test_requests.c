/* mod_iam integration tests: "request access". A refused member sees a
 * page that names what was refused and offers a form; the form posts to
 * the console's request-access endpoint, which stores the request, mails
 * every owner with an email, and sends the member back. Owners approve or
 * dismiss in the console or the API; any change to the member's
 * permissions answers their open requests.
 *
 * One shared server (event MPM) runs the demo site with a stand-in
 * sendmail (conf/demo/mailbox) writing to ROOT/mailbox.txt, IAMMailFrom
 * iam@example.com and three owners: olivia and owen with an email, ozzie
 * without. Every test there uses members of its own. The own_config case
 * starts a server per test for the directives (IAMRequestLimit,
 * IAMMailCommand that fails or hangs, IAMRequestAccess Off,
 * IAMDeniedTemplate, IAMConsoleURL); a guard process stops such a server
 * if its test fails. The hanging mail command is "sleep 30.PID", so its
 * processes can be found (and stopped by their ids) afterwards. */
#include "iam_test.h"

#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define FORM "application/x-www-form-urlencoded"
#define WAREHOUSE "/warehouses/main/"

static iam_httpd_t srv; /* shared by the "shared" case */
static iam_httpd_t own; /* one per test of "own_config" */

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

/* s URL-encoded for a form or a query */
static char *enc(const char *s)
{
    CURL *c = curl_easy_init();
    char *e = curl_easy_escape(c, s, (int)strlen(s)), *out = strdup(e);

    curl_free(e);
    curl_easy_cleanup(c);
    return out;
}

/* A response for a failure message (Check carries a few KiB at most): the
 * page's notice where it has one, else its start. */
static const char *brief(const char *body)
{
    const char *n = body ? strstr(body, "<p class=\"notice") : NULL;

    if (!body)
        return "(none)";
    return xprintf("%.400s", n ? n : body);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* A /proc file (its size reads as 0), up to 4 KiB, its NULs made spaces
 * (a command line reads "sleep 30"). */
static char *proc_file(int pid, const char *name)
{
    char *buf = calloc(1, 4097);
    FILE *f = fopen(xprintf("/proc/%d/%s", pid, name), "rb");
    size_t n = 0, i;

    if (f) {
        n = fread(buf, 1, 4096, f);
        fclose(f);
    }
    while (n > 0 && buf[n - 1] == '\0')
        n--;
    for (i = 0; i < n; i++) {
        if (buf[i] == '\0')
            buf[i] = ' ';
    }
    buf[n] = '\0';
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A user of the password file ("<login>-pw") and a member of the store. */
static void add_member(const iam_httpd_t *h, const char *login, const char *opts)
{
    char *out = NULL;
    int rc = iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' %s %s", h->root, shq(login),
                          shq(xprintf("%s-pw", login)));

    ck_assert_msg(rc == 0, "htpasswd %s: %s", login, out);
    free(out);
    rc = iam_ctl(h, &out, "member add %s %s 2>&1", shq(login), opts ? opts : "");
    ck_assert_msg(rc == 0, "iamctl member add %s %s: %s", login, opts ? opts : "", out);
    free(out);
}

/* add_member, unless an earlier test of the shared server made it */
static void ensure_member(const iam_httpd_t *h, const char *login)
{
    char *out = NULL;

    if (iam_ctl(h, &out, "member show %s", shq(login)) != 0)
        add_member(h, login, NULL);
    free(out);
}

static void ctl_ok(const iam_httpd_t *h, const char *args)
{
    char *out = NULL;
    int rc = iam_ctl(h, &out, "%s 2>&1", args);

    ck_assert_msg(rc == 0, "iamctl %s: %s", args, out);
    free(out);
}

/* One request as `user` (password "<user>-pw"); body and headers wanted or not. */
static long call(const iam_httpd_t *h, const char *user, const char *method, const char *path,
                 const char *ctype, const char *body, const char *header, char **out,
                 char **headers)
{
    iam_req_t req = {method, path, user ? xprintf("%s:%s-pw", user, user) : NULL,
                     ctype,  body, {header, NULL}};
    char *b = NULL;
    long st = iam_http_do(h, &req, out ? out : &b, headers);

    free(b);
    return st;
}

/* The member's CSRF token, from the request form on their refused page. */
static char *member_csrf(const iam_httpd_t *h, const char *user, const char *path)
{
    char *body, *tok;
    long st = call(h, user, "GET", path, NULL, NULL, NULL, &body, NULL);

    tok = st == 403 ? iam_test_csrf(body) : NULL;
    ck_assert_msg(tok != NULL, "no request form for %s on %s (status %ld):\n%s", user, path, st,
                  body);
    free(body);
    return tok;
}

/* Olivia's token, from a console form. */
static char *owner_csrf(const iam_httpd_t *h)
{
    char *body, *tok;
    long st = call(h, "olivia", "GET", "/iam/members/new", NULL, NULL, NULL, &body, NULL);

    tok = st == 200 ? iam_test_csrf(body) : NULL;
    ck_assert_msg(tok != NULL, "no console form for olivia (status %ld):\n%s", st, body);
    free(body);
    return tok;
}

/* An HTML attribute value as the browser reads it (iam_h's entities). */
static char *unescape_html(const char *s, size_t n)
{
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#x27;", "'"}};
    char *out = calloc(1, n + 1), *o = out;
    size_t i, k;

    for (i = 0; i < n;) {
        for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
            size_t l = strlen(ents[k].ent);
            if (i + l <= n && !strncmp(s + i, ents[k].ent, l)) {
                *o++ = ents[k].ch[0];
                i += l;
                break;
            }
        }
        if (k == sizeof(ents) / sizeof(ents[0]))
            *o++ = s[i++];
    }
    return out;
}

/* What a browser posts when the first button named action=approve of a
 * page's form for `login`'s request is pressed: every hidden field of that
 * form, and action=approve. NULL when the page has no such form; *button
 * (if wanted) is the button's text. */
static char *approve_post(const char *page, const char *login, char **button)
{
    const char *f = page, *end, *in, *mark = xprintf("name=\"rlogin\" value=\"%s\"", login);
    char *body, *b;

    while ((f = strstr(f, "<form")) && (end = strstr(f, "</form>"))) {
        char *form = strndup(f, (size_t)(end - f));
        f = end;
        if (!has(form, mark) || !(b = strstr(form, "value=\"approve\">")))
            continue;
        if (button)
            *button = strndup(b + 16, strcspn(b + 16, "<"));
        body = strdup("action=approve");
        for (in = form; (in = strstr(in, "<input type=\"hidden\" name=\"")); in++) {
            const char *name = in + 27, *val = strstr(name, "value=\"");
            size_t nl = strcspn(name, "\""), vl;
            if (!val)
                break;
            val += 7;
            vl = strcspn(val, "\"");
            body = xprintf("%s&%s=%s", body, strndup(name, nl),
                           enc(unescape_html(val, vl)));
        }
        return body;
    }
    return NULL;
}

/* Posts the request form with a given token. */
static long ask_with(const iam_httpd_t *h, const char *user, const char *tok, const char *path,
                     const char *level, const char *message, char **out, char **headers)
{
    char *body = xprintf("csrf=%s&type=source&name=checkout&level=%s&path=%s&message=%s", tok,
                         level, enc(path), enc(message));

    return call(h, user, "POST", "/iam/request-access", FORM, body, NULL, out, headers);
}

/* As a browser does: the refused page, then its form. */
static long ask(const iam_httpd_t *h, const char *user, const char *path, const char *level,
                const char *message)
{
    return ask_with(h, user, member_csrf(h, user, path), path, level, message, NULL, NULL);
}

static json_t *parse_json(const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body ? body : "", 0, &e);

    ck_assert_msg(j != NULL, "not JSON (%s):\n%s", e.text, body);
    return j;
}

/* GET BASE/api/v1/PATH as olivia; the parsed answer. */
static json_t *api_get(const iam_httpd_t *h, const char *path)
{
    char *body, *url = xprintf("/iam/api/v1/%s", path);
    long st = call(h, "olivia", "GET", url, NULL, NULL, NULL, &body, NULL);

    ck_assert_msg(st == 200, "GET %s: %ld\n%s", url, st, body);
    return parse_json(body);
}

static long api_post(const iam_httpd_t *h, const char *path, const char *json, char **out)
{
    char *url = xprintf("/iam/api/v1/%s", path);
    return call(h, "olivia", "POST", url, "application/json", json, NULL, out, NULL);
}

/* The open requests of `login` (all when NULL), as the API lists them. */
static json_t *requests_of(const iam_httpd_t *h, const char *login)
{
    json_t *j = api_get(h, login ? xprintf("requests?login=%s", enc(login)) : "requests");
    json_t *a = json_incref(json_object_get(j, "requests"));

    ck_assert_msg(json_is_array(a), "no \"requests\" array");
    json_decref(j);
    return a;
}

static size_t nrequests(const iam_httpd_t *h, const char *login)
{
    json_t *a = requests_of(h, login);
    size_t n = json_array_size(a);

    json_decref(a);
    return n;
}

/* Requests of `login` in the whole list (not through the member's index). */
static int nrequests_in_all(const iam_httpd_t *h, const char *login)
{
    json_t *a = requests_of(h, NULL), *q;
    size_t i;
    int n = 0;

    json_array_foreach(a, i, q)
    {
        n += !strcmp(json_string_value(json_object_get(q, "login")), login);
    }
    json_decref(a);
    return n;
}

static const char *str_at(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(missing)";
}

/* An audit entry with this action, target and actor (newest first). */
/* Whether the trail has `action` on `target` by `actor` (NULL: anyone). */
static int audited(const iam_httpd_t *h, const char *action, const char *target, const char *actor)
{
    char *out = NULL;
    json_t *a, *e;
    size_t i;
    int found = 0;

    ck_assert_int_eq(iam_ctl(h, &out, "audit --json --limit 100000"), 0);
    a = parse_json(out);
    json_array_foreach(a, i, e)
    {
        found |= !strcmp(str_at(e, "action"), action) && !strcmp(str_at(e, "target"), target) &&
                 (!actor || !strcmp(str_at(e, "actor"), actor));
    }
    json_decref(a);
    free(out);
    return found;
}

/* The status of `login`'s request for type:name among all of theirs
 * (answered ones too), or "none". */
static char *status_of(const iam_httpd_t *h, const char *login, const char *type,
                       const char *name)
{
    json_t *j = api_get(h, xprintf("requests?login=%s&status=all", enc(login))), *q;
    char *st = strdup("none");
    size_t i;

    json_array_foreach(json_object_get(j, "requests"), i, q)
    {
        if (!strcmp(str_at(q, "type"), type) && !strcmp(str_at(q, "name"), name)) {
            free(st);
            st = strdup(str_at(q, "status"));
        }
    }
    json_decref(j);
    return st;
}

/* ---- the mailbox: messages end with a line "." ---- */

typedef struct {
    char *head; /* the header lines, each ending in \n */
    char *body;
} mail_t;

#define MAILS_MAX 16

static void add_mail(const char *text, const char *match, mail_t *out, int *n)
{
    const char *sep;

    if (!text || !*text || (match && !has(text, match)))
        return;
    sep = strstr(text, "\n\n");
    if (out && *n < MAILS_MAX) {
        out[*n].head = sep ? strndup(text, (size_t)(sep - text) + 1) : strdup(text);
        out[*n].body = strdup(sep ? sep + 2 : "");
    }
    (*n)++;
}

/* The messages that hold `match` (all when NULL). A line "From: " after a
 * body starts a message too, should two mail commands' writes interleave. */
static int mails(const iam_httpd_t *h, const char *match, mail_t *out)
{
    char *text = iam_test_slurp(xprintf("%s/mailbox.txt", h->root)), *p, *next, *cur = NULL;
    size_t len, curlen = 0;
    int n = 0, in_body = 0;

    for (p = text; *p; p = next) {
        char *nl = strchr(p, '\n');
        len = nl ? (size_t)(nl - p) : strlen(p);
        next = nl ? nl + 1 : p + len;
        if ((len == 1 && p[0] == '.') || (in_body && len >= 6 && !strncmp(p, "From: ", 6))) {
            add_mail(cur, match, out, &n);
            free(cur);
            cur = NULL;
            curlen = 0;
            in_body = 0;
            if (len == 1 && p[0] == '.')
                continue;
        }
        if (len == 0 && cur)
            in_body = 1;
        cur = realloc(cur, curlen + len + 2);
        memcpy(cur + curlen, p, len);
        curlen += len;
        cur[curlen++] = '\n';
        cur[curlen] = '\0';
    }
    add_mail(cur, match, out, &n);
    free(cur);
    free(text);
    return n;
}

static const char *const mail_headers[] = {
    "From: ",           "To: ",           "Subject: ",
    "MIME-Version: ",   "Content-Type: ", "Content-Transfer-Encoding: ",
    "Auto-Submitted: ",
};

/* Every line of the header block is one of the headers mod_iam writes,
 * each once. */
static void check_header_block(const mail_t *m)
{
    const char *l;
    int seen[7] = {0}, i, lines = 0;

    for (l = m->head; *l; l = strchr(l, '\n') + 1) {
        int known = -1;
        for (i = 0; i < 7; i++) {
            if (!strncmp(l, mail_headers[i], strlen(mail_headers[i])))
                known = i;
        }
        ck_assert_msg(known >= 0, "unexpected header line '%.*s' in:\n%s", (int)strcspn(l, "\n"), l,
                      m->head);
        ck_assert_msg(!seen[known]++, "%s twice in:\n%s", mail_headers[known], m->head);
        lines++;
    }
    ck_assert_msg(lines == 7, "%d header lines in:\n%s", lines, m->head);
}

/* ---- the shared server ---- */

static void start_shared(void)
{
    char *out = NULL, *extra;

    iam_httpd_prepare(&srv, "requests");
    if (iam_test_run(&out, NULL,
                     "touch '%s/mailbox.txt' && chmod 666 '%s/mailbox.txt' && "
                     "for d in either either-owners both; do mkdir -p '%s/htdocs/'$d && "
                     "echo $d > '%s/htdocs/'$d/index.html; done && chmod -R a+rX '%s/htdocs' && "
                     "echo x > '%s/htdocs/either/locked.html' && "
                     "chmod 000 '%s/htdocs/either/locked.html' && "
                     "htpasswd -bm '%s/htpasswd' owen owen-pw && "
                     "'%s/iamctl' -d '%s' member add owen --email owen@example.com "
                     "--name 'Owen Owner' --owner && "
                     "'%s/iamctl' -d '%s' member add ozzie --name 'Ozzie No-Mail' --owner",
                     srv.root, srv.root, srv.root, srv.root, srv.root, srv.root, srv.root,
                     srv.root, iam_test_build_dir(), srv.store,
                     iam_test_build_dir(), srv.store) != 0) {
        fprintf(stderr, "preparing the requests server failed: %s\n", out);
        abort();
    }
    free(out);
    /* pages a <RequireAny> opens to one user beside mod_iam's lines */
    extra = xprintf("IAMMailCommand \"%s/../conf/demo/mailbox %s/mailbox.txt\"\n"
                    "IAMMailFrom iam@example.com\n"
                    "<Location \"/either/\">\n  IAMResource warehouse main\n"
                    "  <RequireAny>\n    Require iam\n    Require user una\n  </RequireAny>\n"
                    "</Location>\n"
                    "<Location \"/either-owners/\">\n"
                    "  <RequireAny>\n    Require iam-owner\n    Require user una\n  </RequireAny>\n"
                    "</Location>\n"
                    "<Location \"/both/\">\n  IAMResource warehouse main\n"
                    "  <RequireAny>\n    Require iam-owner\n    Require iam\n  </RequireAny>\n"
                    "</Location>",
                    iam_test_build_dir(), srv.root);
    if (iam_httpd_start(&srv, "event", NULL, extra) != 0) {
        char *log = iam_httpd_log(&srv);
        fprintf(stderr, "apache2 did not start:\n%s\n", log);
        abort();
    }
    free(extra);
}

static void stop_shared(void)
{
    iam_httpd_cleanup(&srv);
}

/* ---- the refused page ---- */

START_TEST(test_denied_page_html)
{
    char *body, *hdrs, *ct;
    long st;

    add_member(&srv, "dina", "--name 'Dina Denied'");
    st = call(&srv, "dina", "GET", WAREHOUSE, NULL, NULL, NULL, &body, &hdrs);
    ck_assert_int_eq(st, 403);
    ct = iam_test_header(hdrs, "Content-Type");
    ck_assert_msg(ct && !strncmp(ct, "text/html", 9), "Content-Type %s", ct ? ct : "(none)");
    ck_assert_msg(has(iam_test_header(hdrs, "Cache-Control"), "no-store"), "%s", hdrs);
    ck_assert_msg(has(iam_test_header(hdrs, "X-Frame-Options"), "DENY"), "%s", hdrs);
    ck_assert_msg(has(iam_test_header(hdrs, "X-Content-Type-Options"), "nosniff"), "%s", hdrs);
    ck_assert_msg(has(iam_test_header(hdrs, "Content-Security-Policy"), "frame-ancestors 'none'"),
                  "%s", hdrs);
    ck_assert_msg(has(body, "You are signed in as <strong>dina</strong>"), "%s", body);
    ck_assert_msg(has(body, "you do not have read access to <strong>the warehouse main</strong>"),
                  "%s", body);
    ck_assert_msg(has(body, "<form method=\"post\" action=\"/iam/request-access\">"), "%s", body);
    ck_assert_msg(iam_test_csrf(body) && strlen(iam_test_csrf(body)) == 64, "%s", body);
    ck_assert_msg(has(body, "name=\"type\" value=\"warehouse\""), "%s", body);
    ck_assert_msg(has(body, "name=\"name\" value=\"main\""), "%s", body);
    ck_assert_msg(has(body, "name=\"level\" value=\"read\""), "%s", body);
    ck_assert_msg(has(body, "name=\"path\" value=\"/warehouses/main/\""), "%s", body);
    ck_assert_msg(has(body, "<textarea id=\"message\" name=\"message\" maxlength=\"1000\">"), "%s",
                  body);
    ck_assert_msg(!has(body, "pending"), "%s", body);
    free(body);
    /* a write needs edit: the page says so */
    st = call(&srv, "dina", "POST", "/sources/checkout/", FORM, "x=1", NULL, &body, NULL);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(has(body, "you do not have edit access to <strong>the source checkout</strong>"),
                  "%s", body);
    ck_assert_msg(has(body, "name=\"level\" value=\"edit\""), "%s", body);
    free(body);
    /* the collection, and the owners-only page */
    ck_assert_int_eq(call(&srv, "dina", "GET", "/sources/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<strong>the source collection</strong>"), "%s", body);
    ck_assert_msg(has(body, "name=\"name\" value=\"*\""), "%s", body);
    free(body);
    ck_assert_int_eq(call(&srv, "dina", "GET", "/owners/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "admin access to <strong>this page, for Workspace Owners only"), "%s",
                  body);
    free(body);
}
END_TEST

START_TEST(test_denied_page_escapes_login)
{
    const char *login = "o'brien<x>";
    char *body;
    long st;

    add_member(&srv, login, NULL);
    st = call(&srv, login, "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(has(body, "You are signed in as <strong>o&#x27;brien&lt;x&gt;</strong>"), "%s",
                  body);
    ck_assert_msg(!has(body, "o'brien") && !has(body, "<x>"), "unescaped login in:\n%s", body);
    ck_assert_msg(iam_test_csrf(body) != NULL, "no form for %s:\n%s", login, body);
    free(body);
    /* the member can ask, and the owners' overview escapes the login too */
    ck_assert_int_eq(ask(&srv, login, WAREHOUSE, "read", "<b>please</b>"), 303);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "o&#x27;brien&lt;x&gt;") && has(body, "&lt;b&gt;please&lt;/b&gt;"),
                  "%s", body);
    ck_assert_msg(!has(body, "o'brien<x>") && !has(body, "<b>please"), "%s", body);
    free(body);
}
END_TEST

START_TEST(test_denied_page_json)
{
    const char *accept = "Accept: application/json";
    char *body, *hdrs, *ct;
    json_t *j, *res;
    long st;

    add_member(&srv, "jade", NULL);
    st = call(&srv, "jade", "GET", WAREHOUSE, NULL, NULL, accept, &body, &hdrs);
    ck_assert_int_eq(st, 403);
    ct = iam_test_header(hdrs, "Content-Type");
    ck_assert_msg(ct && !strncmp(ct, "application/json", 16), "Content-Type %s",
                  ct ? ct : "(none)");
    ck_assert_msg(has(iam_test_header(hdrs, "Cache-Control"), "no-store"), "%s", hdrs);
    j = parse_json(body);
    ck_assert_str_eq(str_at(json_object_get(j, "error"), "code"), "forbidden");
    res = json_object_get(j, "resource");
    ck_assert_str_eq(str_at(res, "type"), "warehouse");
    ck_assert_str_eq(str_at(res, "name"), "main");
    ck_assert_str_eq(str_at(j, "level"), "read");
    ck_assert_msg(json_is_true(json_object_get(j, "request_access")), "%s", body);
    ck_assert_msg(json_is_false(json_object_get(j, "request_pending")), "%s", body);
    json_decref(j);
    free(body);
    /* once asked, the JSON says pending */
    ck_assert_int_eq(ask(&srv, "jade", WAREHOUSE, "read", "json"), 303);
    ck_assert_int_eq(call(&srv, "jade", "GET", WAREHOUSE, NULL, NULL, accept, &body, NULL), 403);
    j = parse_json(body);
    ck_assert_msg(json_is_true(json_object_get(j, "request_pending")), "%s", body);
    json_decref(j);
    free(body);
    /* a browser that also takes JSON gets the page */
    st = call(&srv, "jade", "GET", "/sources/web/", NULL, NULL,
              "Accept: text/html, application/json", &body, &hdrs);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(!strncmp(iam_test_header(hdrs, "Content-Type"), "text/html", 9), "%s", hdrs);
    ck_assert_msg(has(body, "<strong>the source web</strong>"), "%s", body);
    free(body);
}
END_TEST

/* ---- storing ---- */

/* A request is only for a page that refuses its member (review finding):
 * a path that lets them in, or has no resource, is refused and nothing
 * is stored (approving "owners:*" would have made them an owner). */
START_TEST(test_request_only_for_a_refusal)
{
    char *tok = member_csrf(&srv, "rita", "/warehouses/main/"), *out;
    static const char *const paths[] = {"/", "/nope/", "/sources/web/"};
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        ck_assert_int_eq(ask_with(&srv, "rita", tok, paths[i], "read", "let me in", &out, NULL),
                         400);
        ck_assert_msg(has(out, "does not refuse you"), "%s: %s", paths[i], out);
        free(out);
    }
    ck_assert_int_eq(nrequests(&srv, "rita"), 0);
    free(tok);
}
END_TEST

/* The link in the owners' mail names this server, whatever Host the
 * requester sent (review finding). */
START_TEST(test_mail_link_ignores_host_header)
{
    char *tok, *body, *raw;
    long st;

    add_member(&srv, "hank", "");
    tok = member_csrf(&srv, "hank", "/warehouses/main/");
    body = xprintf("csrf=%s&level=read&path=%s&message=hostile", tok, enc("/warehouses/main/"));
    st = call(&srv, "hank", "POST", "/iam/request-access", FORM, body, "Host: evil.example", NULL,
              NULL);
    ck_assert_int_eq(st, 303);
    raw = iam_httpd_log(&srv); /* keep the log in failure messages small: check the mailbox */
    free(raw);
    ck_assert_int_eq(
        iam_test_run(&raw, NULL, "grep -c 'evil.example' '%s/mailbox.txt' || true", srv.root), 0);
    ck_assert_msg(atoi(raw) == 0, "a mail links to the Host header's site");
    free(raw);
    free(body);
    free(tok);
}
END_TEST

START_TEST(test_request_is_stored)
{
    const char *msg1 = "I need the main warehouse for the Q3 report";
    const char *msg2 = "Read access is enough, thanks";
    const char *subject = "Subject: Access request from Max Member: warehouse main";
    mail_t m[MAILS_MAX];
    char *tok, *body, *hdrs, *loc;
    json_t *list, *q;
    long st;

    tok = member_csrf(&srv, "max", WAREHOUSE);
    /* type and name of the form are ignored: the path says what it is */
    st = ask_with(&srv, "max", tok, WAREHOUSE, "read", msg1, &body, &hdrs);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, body);
    loc = iam_test_header(hdrs, "Location");
    ck_assert_msg(ends_with(loc, "/warehouses/main/"), "Location %s", loc ? loc : "(none)");
    ck_assert_str_eq(loc, xprintf("http://127.0.0.1:%d/warehouses/main/", srv.port));
    free(body);
    list = requests_of(&srv, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    q = json_array_get(list, 0);
    ck_assert_str_eq(str_at(q, "login"), "max");
    ck_assert_str_eq(str_at(q, "type"), "warehouse");
    ck_assert_str_eq(str_at(q, "name"), "main");
    ck_assert_str_eq(str_at(q, "level"), "read");
    ck_assert_str_eq(str_at(q, "path"), WAREHOUSE);
    ck_assert_str_eq(str_at(q, "message"), msg1);
    json_decref(list);
    ck_assert_int_eq(nrequests_in_all(&srv, "max"), 1);
    ck_assert_msg(audited(&srv, "request.open", "max", "member:max"), "no request.open audit");
    ck_assert_int_eq(mails(&srv, subject, m), 2);
    /* the refused page now says it is pending, without a form */
    ck_assert_int_eq(call(&srv, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "Your request for access is pending"), "%s", body);
    ck_assert_msg(!has(body, "<form") && !has(body, "name=\"csrf\""), "%s", body);
    free(body);
    /* asking again updates the message: one request, no new mail */
    ck_assert_int_eq(ask_with(&srv, "max", tok, WAREHOUSE, "read", msg2, NULL, NULL), 303);
    list = requests_of(&srv, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_str_eq(str_at(json_array_get(list, 0), "message"), msg2);
    json_decref(list);
    ck_assert_int_eq(mails(&srv, subject, m), 2);
    /* within a minute of the first ask an update is not audited (a loop of
     * asks must not fill the store) */
    ck_assert_msg(!audited(&srv, "request.update", "max", "member:max"),
                  "request.update audited within a minute");
    /* the console shows it, on the overview and the member's page */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "read access to warehouse main") && has(body, msg2) &&
                      has(body, "name=\"rlogin\" value=\"max\""),
                  "%s", body);
    free(body);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/max", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, "Access requests") && has(body, msg2), "%s", body);
    free(body);
}
END_TEST

START_TEST(test_message_of_1000_bytes_accepted)
{
    char msg[1001];
    json_t *list;

    add_member(&srv, "mel", NULL);
    memset(msg, 'm', 1000);
    msg[1000] = '\0';
    ck_assert_int_eq(ask(&srv, "mel", WAREHOUSE, "read", msg), 303);
    list = requests_of(&srv, "mel");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_int_eq(strlen(str_at(json_array_get(list, 0), "message")), 1000);
    json_decref(list);
}
END_TEST

START_TEST(test_same_origin_post_accepted)
{
    char *tok, *origin, *body;

    add_member(&srv, "oscar", NULL);
    tok = member_csrf(&srv, "oscar", WAREHOUSE);
    origin = xprintf("Origin: http://127.0.0.1:%d", srv.port);
    body = xprintf("csrf=%s&path=%s&level=read&message=hi", tok, enc(WAREHOUSE));
    ck_assert_int_eq(
        call(&srv, "oscar", "POST", "/iam/request-access", FORM, body, origin, NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&srv, "oscar"), 1);
}
END_TEST

/* ---- refused input: nothing stored, nothing mailed ---- */

enum { TOK_GOOD, TOK_NONE, TOK_WRONG, TOK_OWNER };

static const struct {
    const char *what;
    int tok;
    const char *path;    /* URL-encoded; NULL: none */
    const char *message; /* URL-encoded; NULL: 1001 bytes */
    const char *header;
    const char *method;
    long want;
    const char *says; /* in the answer, or NULL */
} refused[] = {
    {"a message over 1000 bytes", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", NULL, NULL, "POST", 400,
     "the message is too long"},
    {"a message with a NUL", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "a%00b", NULL, "POST", 400, NULL},
    {"a message with a control character", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "a%01b", NULL,
     "POST", 400, "the message must not contain control characters"},
    {"a message that is not UTF-8", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "a%FFb", NULL, "POST", 400,
     "the message is not valid UTF-8"},
    {"no csrf", TOK_NONE, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "POST", 403, NULL},
    {"a wrong csrf", TOK_WRONG, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "POST", 403, NULL},
    {"another user's csrf", TOK_OWNER, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "POST", 403, NULL},
    {"a foreign Origin", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "hi", "Origin: http://evil.example",
     "POST", 403, NULL},
    {"a foreign Referer", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "hi",
     "Referer: http://evil.example/page", "POST", 403, NULL},
    {"path //evil.example/x", TOK_GOOD, "%2F%2Fevil.example%2Fx", "hi", NULL, "POST", 400, NULL},
    {"path http://evil", TOK_GOOD, "http%3A%2F%2Fevil", "hi", NULL, "POST", 400, NULL},
    {"path /\\evil", TOK_GOOD, "%2F%5Cevil.example", "hi", NULL, "POST", 400, NULL},
    {"a relative path", TOK_GOOD, "warehouses%2Fmain%2F", "hi", NULL, "POST", 400, NULL},
    {"no path", TOK_GOOD, NULL, "hi", NULL, "POST", 400, NULL},
    {"a path with CR LF", TOK_GOOD, "%2Fwarehouses%2Fmain%2F%0D%0ASet-Cookie:%20x=1", "hi", NULL,
     "POST", 400, NULL},
    {"GET", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "GET", 405, NULL},
};

START_TEST(test_refused_input)
{
    char *login = xprintf("ref%d", _i), *name = xprintf("Refused Number%d", _i);
    char *tok, *body, *out, big[1002];
    long st;

    add_member(&srv, login, xprintf("--name '%s'", name));
    tok = refused[_i].tok == TOK_GOOD    ? member_csrf(&srv, login, WAREHOUSE)
          : refused[_i].tok == TOK_OWNER ? owner_csrf(&srv)
          : refused[_i].tok == TOK_WRONG ? strdup("00000000000000000000000000000000000000000000"
                                                  "00000000000000000000")
                                         : NULL;
    memset(big, 'b', 1001);
    big[1001] = '\0';
    body = xprintf("%s%s&level=read%s%s&message=%s", tok ? "csrf=" : "x=1", tok ? tok : "",
                   refused[_i].path ? "&path=" : "", refused[_i].path ? refused[_i].path : "",
                   refused[_i].message ? refused[_i].message : big);
    st = call(&srv, login, refused[_i].method, "/iam/request-access", FORM, body,
              refused[_i].header, &out, NULL);
    ck_assert_msg(st == refused[_i].want, "%s: got %ld, want %ld\n%s", refused[_i].what, st,
                  refused[_i].want, out);
    if (refused[_i].says)
        ck_assert_msg(has(out, refused[_i].says), "%s: want '%s' in:\n%s", refused[_i].what,
                      refused[_i].says, out);
    ck_assert_msg(nrequests(&srv, login) == 0, "%s: a request was stored", refused[_i].what);
    ck_assert_msg(nrequests_in_all(&srv, login) == 0, "%s: a request was stored", refused[_i].what);
    ck_assert_int_eq(mails(&srv, xprintf("Access request from %s", name), NULL), 0);
    /* the page still offers the form: nothing is pending */
    ck_assert_int_eq(call(&srv, login, "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(!has(body, "pending"), "%s: pending after a refused post:\n%s", refused[_i].what,
                  body);
    free(body);
    free(out);
}
END_TEST

/* ---- the mails ---- */

START_TEST(test_one_mail_per_owner)
{
    const char *msg = "Für den Bericht: the orders table, please.";
    const char *subject = "Subject: Access request from Mia Mailer: warehouse main";
    mail_t m[MAILS_MAX];
    char *link, *log;
    int n, i, to_olivia = 0, to_owen = 0;

    add_member(&srv, "mia", "--email mia@example.com --name 'Mia Mailer'");
    ck_assert_int_eq(ask(&srv, "mia", WAREHOUSE, "read", msg), 303);
    n = mails(&srv, subject, m);
    if (n != 2) {
        char *box = iam_test_slurp(xprintf("%s/mailbox.txt", srv.root));
        size_t len = strlen(box);
        ck_abort_msg("%d mails about mia's request; the mailbox ends:\n%s", n,
                     box + (len > 2000 ? len - 2000 : 0));
    }
    link = xprintf("http://127.0.0.1:%d/iam/members/mia\n", srv.port);
    for (i = 0; i < n; i++) {
        check_header_block(&m[i]);
        ck_assert_msg(has(m[i].head, "From: iam@example.com\n"), "%s", m[i].head);
        to_olivia += has(m[i].head, "To: olivia@example.com\n");
        to_owen += has(m[i].head, "To: owen@example.com\n");
        ck_assert_msg(has(m[i].body, "Mia Mailer (mia, mia@example.com) asks for read access to "
                                     "warehouse main (/warehouses/main/)."),
                      "%s", m[i].body);
        ck_assert_msg(has(m[i].body, msg), "%s", m[i].body);
        ck_assert_msg(has(m[i].body, link), "no %s in:\n%s", link, m[i].body);
    }
    ck_assert_int_eq(to_olivia, 1);
    ck_assert_int_eq(to_owen, 1);
    /* the owner without an email: no mail, and the log says so */
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "owner 'ozzie' has no email: not told of mia's request"), "%s", log);
    ck_assert_msg(!has(log, "IAMMailCommand failed"), "%s", log);
    free(log);
}
END_TEST

START_TEST(test_mail_headers_not_injectable)
{
    const char *subject = "Subject: Access request from Ingrid Inject: warehouse main";
    mail_t m[MAILS_MAX];
    const char *l;
    int n, i;

    add_member(&srv, "ingrid", "--email ingrid@example.com --name 'Ingrid Inject'");
    ck_assert_int_eq(
        ask(&srv, "ingrid", WAREHOUSE, "read", "hi\r\nBcc: evil@example.com\r\n\r\nX-Evil: 1\r\nX"),
        303);
    n = mails(&srv, subject, m);
    ck_assert_int_eq(n, 2);
    for (i = 0; i < n; i++) {
        check_header_block(&m[i]);
        for (l = m[i].head; *l; l = strchr(l, '\n') + 1) {
            ck_assert_msg(strncasecmp(l, "Bcc", 3) && l[0] != 'X', "injected header in:\n%s",
                          m[i].head);
        }
        /* the words are there, in the body, with CRLF made LF */
        ck_assert_msg(has(m[i].body, "hi\nBcc: evil@example.com\n\nX-Evil: 1\nX"), "%s", m[i].body);
    }
}
END_TEST

/* ---- answers ---- */

START_TEST(test_approve_in_console)
{
    char *body, *hdrs, *out, *post, *button;
    long st;

    add_member(&srv, "april", "--name 'April Approved'");
    ck_assert_int_eq(ask(&srv, "april", WAREHOUSE, "read", "for the dashboards"), 303);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    post = approve_post(body, "april", &button);
    ck_assert_msg(post != NULL, "no approve form for april:\n%s", body);
    /* the button names what it grants: warehouse roles come on all only */
    ck_assert_str_eq(button, "Grant Warehouse Read-only on all warehouse resources");
    ck_assert_msg(has(post, "rrev=1") && has(post, "rrole=warehouse-read-only"), "%s", post);
    st = call(&srv, "olivia", "POST", "/iam/", FORM, post, NULL, &out, &hdrs);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(iam_test_header(hdrs, "Location"), "done=approved"), "%s", hdrs);
    free(out);
    /* read only: Warehouse Read-only */
    ck_assert_int_eq(call(&srv, "april", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "april", "POST", WAREHOUSE, FORM, "x=1", NULL, NULL, NULL), 403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show april"), 0);
    ck_assert_msg(has(out, "Warehouse Read-only on all (direct)") && !has(out, "Admin"), "%s", out);
    free(out);
    ck_assert_int_eq(nrequests(&srv, "april"), 0);
    ck_assert_int_eq(nrequests_in_all(&srv, "april"), 0);
    ck_assert_msg(audited(&srv, "request.approve", "april", "console:olivia"),
                  "no request.approve audit");
    /* the request is gone: approving again finds nothing */
    st = call(&srv, "olivia", "POST", "/iam/", FORM, post, NULL, &out, NULL);
    ck_assert_int_eq(st, 404);
    ck_assert_msg(has(out, "No open request of"), "%s", brief(out));
    free(out);
}
END_TEST

/* The outside review's attack: the member files read, the owner's page
 * shows read, the member re-posts for edit; the owner's Approve must not
 * grant edit (or anything). Every change of level is audited and mailed. */
START_TEST(test_approve_refused_when_the_request_changed)
{
    mail_t m[MAILS_MAX];
    char *page, *post, *button, *out, *tok;
    json_t *list;
    long st;

    add_member(&srv, "bert", "--name 'Bert Bumped'");
    tok = member_csrf(&srv, "bert", "/sources/ios/");
    ck_assert_int_eq(ask_with(&srv, "bert", tok, "/sources/ios/", "read", "to look", NULL, NULL),
                     303);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/bert", NULL, NULL, NULL, &page,
                          NULL),
                     200);
    post = approve_post(page, "bert", &button);
    ck_assert_msg(post != NULL, "no approve form:\n%s", page);
    ck_assert_str_eq(button, "Grant Source Read-only on ios");
    /* now the member asks for edit, on the same page */
    ck_assert_int_eq(ask_with(&srv, "bert", tok, "/sources/ios/", "edit", "to look", NULL, NULL),
                     303);
    list = requests_of(&srv, "bert");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_str_eq(str_at(json_array_get(list, 0), "level"), "edit");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "rev")), 2);
    json_decref(list);
    ck_assert_msg(audited(&srv, "request.level", "bert", "member:bert"), "no request.level audit");
    ck_assert_int_eq(mails(&srv, "Subject: Access request changed from Bert Bumped", m), 2);
    ck_assert_msg(has(m[0].body, "now asks for edit access"), "%s", m[0].body);
    /* the owner presses the button drawn before: refused, nothing granted */
    st = call(&srv, "olivia", "POST", "/iam/members/bert", FORM, post, NULL, &out, NULL);
    ck_assert_msg(st == 409, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(out, "changed after you saw it") && has(out, "now asks for edit"), "%s",
                  out);
    /* and the page drawn again names the new grant */
    post = approve_post(out, "bert", &button);
    ck_assert_msg(post && !strcmp(button, "Grant Source Admin on ios"), "%s", button);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show bert"), 0);
    ck_assert_msg(has(out, "Workspace Member (minimal workspace access)"), "%s", out);
    ck_assert_int_eq(call(&srv, "bert", "POST", "/sources/ios/", FORM, "x=1", NULL, NULL, NULL),
                     403);
    /* a second change of level within the minute is refused */
    st = ask_with(&srv, "bert", tok, "/sources/ios/", "read", "to look", &out, NULL);
    ck_assert_msg(st == 400 && has(out, "less than a minute ago"), "status %ld:\n%s", st, brief(out));
    list = requests_of(&srv, "bert");
    ck_assert_str_eq(str_at(json_array_get(list, 0), "level"), "edit");
    json_decref(list);
    ck_assert_int_eq(mails(&srv, "Subject: Access request changed from Bert Bumped", NULL), 2);
    /* a new message changes the revision too */
    ck_assert_int_eq(ask_with(&srv, "bert", tok, "/sources/ios/", "edit", "to fix it", NULL, NULL),
                     303);
    st = call(&srv, "olivia", "POST", "/iam/members/bert", FORM, post, NULL, &out, NULL);
    ck_assert_msg(st == 409, "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(nrequests(&srv, "bert"), 1);
}
END_TEST

/* Approving a request for an owners-only page makes an owner: never in
 * one click. */
START_TEST(test_approve_owner_needs_confirmation)
{
    char *page, *out, *link, *post, *hdrs;
    json_t *list;
    long st;
    int rev;

    add_member(&srv, "otto", "--name 'Otto Owner-to-be'");
    ck_assert_int_eq(ask(&srv, "otto", "/owners/", "admin", "please"), 303);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/otto", NULL, NULL, NULL, &page,
                          NULL),
                     200);
    ck_assert_msg(approve_post(page, "otto", NULL) == NULL, "a one-click approve:\n%s", page);
    ck_assert_msg(has(page, "Review: make otto a Workspace Owner"), "%s", page);
    list = requests_of(&srv, "otto");
    rev = (int)json_integer_value(json_object_get(json_array_get(list, 0), "rev"));
    json_decref(list);
    /* the owner role posted without the confirmation: refused */
    st = call(&srv, "olivia", "POST", "/iam/members/otto", FORM,
              xprintf("csrf=%s&action=approve&rlogin=otto&rtype=owners&rname=*&rrev=%d&rrole="
                      "workspace-owner&rscope=all",
                      owner_csrf(&srv), rev),
              NULL, &out, NULL);
    ck_assert_msg(st == 400 && has(out, "confirm that first"), "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show otto"), 0);
    ck_assert_msg(has(out, "owner:   no"), "%s", out);
    /* the review page, then its button */
    link = strstr(page, "/iam/?confirm=approve");
    ck_assert_ptr_nonnull(link);
    link = unescape_html(link, strcspn(link, "\""));
    ck_assert_int_eq(call(&srv, "olivia", "GET", link, NULL, NULL, NULL, &out, NULL), 200);
    ck_assert_msg(has(out, "approving makes them a <strong>Workspace Owner</strong>"), "%s", out);
    post = approve_post(out, "otto", NULL);
    ck_assert_msg(post && has(post, "rconfirm=owner"), "%s", out);
    st = call(&srv, "olivia", "POST", "/iam/", FORM, post, NULL, &out, &hdrs);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(call(&srv, "otto", "GET", "/owners/", NULL, NULL, NULL, NULL, NULL), 200);
    ctl_ok(&srv, "revoke --member otto workspace-owner --all");
}
END_TEST

/* The owner may pick another role on the approval (as GitLab lets them),
 * but only one that gives what was asked. */
START_TEST(test_approve_another_role)
{
    char *out, *tok;
    long st;

    add_member(&srv, "carl", NULL);
    ck_assert_int_eq(ask(&srv, "carl", "/sources/ios/", "read", "logs"), 303);
    tok = owner_csrf(&srv);
    /* not of the type, or below the level asked: refused */
    st = call(&srv, "olivia", "POST", "/iam/members/carl", FORM,
              xprintf("csrf=%s&action=approve&rlogin=carl&rtype=source&rname=ios&rrev=1&rrole="
                      "warehouse-read-only&rscope=all",
                      tok),
              NULL, &out, NULL);
    ck_assert_msg(st == 400 && has(out, "does not give the access asked for"), "status %ld:\n%s",
                  st, out);
    ck_assert_int_eq(nrequests(&srv, "carl"), 1);
    /* Source Admin on all sources, chosen */
    st = call(&srv, "olivia", "POST", "/iam/members/carl", FORM,
              xprintf("csrf=%s&action=approve&rlogin=carl&rtype=source&rname=ios&rrev=1&rrole="
                      "source-admin&rscope=all",
                      tok),
              NULL, &out, NULL);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show carl"), 0);
    ck_assert_msg(has(out, "Source Admin on all (direct)"), "%s", out);
    ck_assert_int_eq(call(&srv, "carl", "POST", "/sources/web/", FORM, "x=1", NULL, NULL, NULL),
                     200);
}
END_TEST

/* The API: requests carry their revision and default grant; an approval
 * with a stale revision is refused; an owner's one needs the role named. */
START_TEST(test_approve_api_exactly)
{
    json_t *list, *q;
    char *out;
    long st;

    add_member(&srv, "dora", NULL);
    ck_assert_int_eq(ask(&srv, "dora", "/sources/ios/", "read", "x"), 303);
    ck_assert_int_eq(ask(&srv, "dora", "/owners/", "admin", "y"), 303);
    list = requests_of(&srv, "dora");
    ck_assert_int_eq(json_array_size(list), 2);
    q = json_array_get(list, 0);
    if (strcmp(str_at(q, "type"), "source"))
        q = json_array_get(list, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(q, "rev")), 1);
    ck_assert_str_eq(str_at(json_object_get(q, "approve"), "role"), "source-read-only");
    json_decref(list);
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"source\",\"name\":\"ios\",\"rev\":7}", &out);
    ck_assert_msg(st == 409 && has(out, "\"changed\""), "status %ld:\n%s", st, brief(out));
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"source\",\"name\":\"ios\"}", &out);
    ck_assert_msg(st == 400 && has(out, "\\\"rev\\\" is required"), "status %ld:\n%s", st, brief(out));
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"owners\",\"name\":\"*\",\"rev\":1}", &out);
    ck_assert_msg(st == 400 && has(out, "Workspace Owner"), "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(call(&srv, "dora", "GET", "/owners/", NULL, NULL, NULL, NULL, NULL), 403);
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"source\",\"name\":\"ios\",\"rev\":1,"
                  "\"scope\":\"all\"}",
                  &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(out, "{\"role\":\"source-read-only\",\"scope\":\"all\"}"), "%s", out);
    /* the other asks for what the grant does not give: it stays open */
    ck_assert_int_eq(nrequests(&srv, "dora"), 1);
    ck_assert_str_eq(status_of(&srv, "dora", "source", "ios"), "approved");
}
END_TEST

/* A Require iam line that refused on the way to a page another line let
 * the user into leaves no trace: a 403 that comes later (a file Apache
 * cannot read) is Apache's, not mod_iam's request-access page. */
START_TEST(test_no_page_when_let_in)
{
    char *body;

    ensure_member(&srv, "una");
    ensure_member(&srv, "ugo");
    ck_assert_int_eq(call(&srv, "una", "GET", "/either/locked.html", NULL, NULL, NULL, &body, NULL),
                     403);
    ck_assert_msg(!has(body, "You need access") && !has(body, "csrf"), "%s", body);
    free(body);
    /* the same refusal without the user line: mod_iam's page */
    ck_assert_int_eq(call(&srv, "ugo", "GET", "/either/locked.html", NULL, NULL, NULL, &body, NULL),
                     403);
    ck_assert_msg(has(body, "You need access"), "%s", body);
}
END_TEST

/* A request is for a page that refuses the member: not for one another
 * line of a <RequireAny> lets them into (approving that one could make
 * an owner). What mod_iam refused, least first, is what is filed. */
START_TEST(test_request_only_where_the_page_refuses)
{
    char *out, *tok, *body;
    json_t *list;
    long st;

    add_member(&srv, "una", NULL);
    add_member(&srv, "ugo", NULL);
    ck_assert_int_eq(call(&srv, "una", "GET", "/either/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "una", "GET", "/either-owners/", NULL, NULL, NULL, NULL, NULL),
                     200);
    tok = member_csrf(&srv, "una", WAREHOUSE);
    st = ask_with(&srv, "una", tok, "/either/", "read", "x", &out, NULL);
    ck_assert_msg(st == 400 && has(out, "does not refuse you"), "status %ld:\n%s", st, brief(out));
    st = ask_with(&srv, "una", tok, "/either-owners/", "admin", "x", &out, NULL);
    ck_assert_msg(st == 400 && has(out, "does not refuse you"), "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(nrequests(&srv, "una"), 0);
    /* ugo is refused by both lines of /both/: the page and the request are
     * about the warehouse, which is enough, not the owners' pages */
    ck_assert_int_eq(call(&srv, "ugo", "GET", "/both/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "the warehouse main"), "%s", body);
    ck_assert_int_eq(ask(&srv, "ugo", "/both/", "read", "x"), 303);
    ck_assert_int_eq(ask(&srv, "ugo", "/either-owners/", "admin", "x"), 303);
    list = requests_of(&srv, "ugo");
    ck_assert_int_eq(json_array_size(list), 2);
    ck_assert_msg(!strcmp(str_at(json_array_get(list, 0), "type"), "warehouse") !=
                      !strcmp(str_at(json_array_get(list, 1), "type"), "warehouse"),
                  "one warehouse request");
    json_decref(list);
}
END_TEST

START_TEST(test_approve_edit_by_api)
{
    char *out;
    json_t *j, *grants, *g, *res;
    size_t i, k;
    int admin_grants = 0, on_web = 0, on_checkout = 0;
    long st;

    ck_assert_int_eq(call(&srv, "sam", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(ask(&srv, "sam", "/sources/web/", "edit", "deploys"), 303);
    j = requests_of(&srv, "sam");
    ck_assert_int_eq(json_array_size(j), 1);
    ck_assert_str_eq(str_at(json_array_get(j, 0), "level"), "edit");
    ck_assert_str_eq(str_at(json_array_get(j, 0), "name"), "web");
    json_decref(j);
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"sam\",\"type\":\"source\",\"name\":\"web\",\"rev\":1}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    j = parse_json(out);
    grants = json_object_get(j, "grants");
    json_array_foreach(grants, i, g)
    {
        ck_assert_msg(strcmp(str_at(g, "scope"), "all"), "a grant on all: %s", out);
        if (strcmp(str_at(g, "role"), "source-admin"))
            continue;
        admin_grants++;
        res = json_object_get(g, "resources");
        for (k = 0; k < json_array_size(res); k++) {
            const char *r = json_string_value(json_array_get(res, k));
            on_web += !strcmp(r, "web");
            on_checkout += !strcmp(r, "checkout");
            ck_assert_msg(!strcmp(r, "web") || !strcmp(r, "checkout"), "Source Admin on %s: %s", r,
                          out);
        }
    }
    ck_assert_msg(admin_grants >= 1 && on_web == 1 && on_checkout == 1, "%s", out);
    json_decref(j);
    free(out);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show sam"), 0);
    ck_assert_msg(has(out, "Source Admin on resources") && has(out, "web") && !has(out, "ios") &&
                      !has(out, "on all"),
                  "%s", out);
    free(out);
    ck_assert_int_eq(call(&srv, "sam", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "sam", "POST", "/sources/web/", FORM, "x=1", NULL, NULL, NULL),
                     200);
    ck_assert_int_eq(call(&srv, "sam", "GET", "/sources/ios/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&srv, "sam", "POST", "/sources/", FORM, "x=1", NULL, NULL, NULL), 403);
    ck_assert_int_eq(nrequests(&srv, "sam"), 0);
    ck_assert_msg(audited(&srv, "request.approve", "sam", "api:olivia"),
                  "no request.approve audit");
}
END_TEST

START_TEST(test_dismiss)
{
    char *out, *body, *tok;
    long st;

    add_member(&srv, "dale", NULL);
    add_member(&srv, "donna", NULL);
    ck_assert_int_eq(ask(&srv, "dale", WAREHOUSE, "read", "please"), 303);
    ck_assert_int_eq(ask(&srv, "donna", "/sources/ios/", "read", "please"), 303);
    /* by the API */
    st = api_post(&srv, "requests/dismiss",
                  "{\"login\":\"dale\",\"type\":\"warehouse\",\"name\":\"main\"}", &out);
    ck_assert_msg(st == 200 && has(out, "\"dismissed\":true"), "status %ld:\n%s", st, brief(out));
    free(out);
    /* in the console */
    tok = owner_csrf(&srv);
    body = xprintf("csrf=%s&action=dismiss&rlogin=donna&rtype=source&rname=ios", tok);
    st = call(&srv, "olivia", "POST", "/iam/members/donna", FORM, body, NULL, &out, NULL);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "dale"), 0);
    ck_assert_int_eq(nrequests(&srv, "donna"), 0);
    ck_assert_int_eq(call(&srv, "dale", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&srv, "donna", "GET", "/sources/ios/", NULL, NULL, NULL, NULL, NULL),
                     403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show dale"), 0);
    ck_assert_msg(has(out, "Workspace Member (minimal workspace access)"), "%s", out);
    free(out);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show donna"), 0);
    ck_assert_msg(has(out, "Workspace Member (minimal workspace access)"), "%s", out);
    free(out);
    ck_assert_msg(audited(&srv, "request.dismiss", "dale", "api:olivia"), "no dismiss audit");
    ck_assert_msg(audited(&srv, "request.dismiss", "donna", "console:olivia"), "no dismiss audit");
    /* the form is offered again */
    ck_assert_msg(member_csrf(&srv, "dale", WAREHOUSE) != NULL, "no form");
    /* nothing left to dismiss */
    st = api_post(&srv, "requests/dismiss",
                  "{\"login\":\"dale\",\"type\":\"warehouse\",\"name\":\"main\"}", &out);
    ck_assert_msg(st == 404, "status %ld:\n%s", st, brief(out));
    free(out);
}
END_TEST

/* ---- a request ends when answered, or when a change gives its access ---- */

START_TEST(test_ended_by_iamctl_grant)
{
    add_member(&srv, "gus", NULL);
    add_member(&srv, "gil", NULL);
    ck_assert_int_eq(ask(&srv, "gus", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "gus", "/sources/web/", "read", "b"), 303);
    ck_assert_int_eq(ask(&srv, "gil", WAREHOUSE, "read", "c"), 303);
    ck_assert_int_eq(nrequests(&srv, "gus"), 2);
    /* a grant that gives neither leaves both */
    ctl_ok(&srv, "grant --member gus source-read-only --resource ios");
    ck_assert_int_eq(nrequests(&srv, "gus"), 2);
    /* one that gives web ends that one only */
    ctl_ok(&srv, "grant --member gus source-read-only --resource web");
    ck_assert_int_eq(nrequests(&srv, "gus"), 1);
    ck_assert_int_eq(nrequests_in_all(&srv, "gus"), 1);
    ck_assert_str_eq(status_of(&srv, "gus", "source", "web"), "granted");
    ck_assert_str_eq(status_of(&srv, "gus", "warehouse", "main"), "open");
    ck_assert_msg(audited(&srv, "request.granted", "gus", NULL), "no request.granted audit");
    ck_assert_int_eq(nrequests(&srv, "gil"), 1);
    /* a revoke gives nothing: the warehouse request stays */
    ctl_ok(&srv, "revoke --member gus source-read-only --resource web");
    ck_assert_int_eq(nrequests(&srv, "gus"), 1);
    ck_assert_int_eq(nrequests(&srv, "gil"), 1);
}
END_TEST

START_TEST(test_ended_by_api_grant)
{
    char *out;
    long st;

    add_member(&srv, "hal", NULL);
    ck_assert_int_eq(ask(&srv, "hal", WAREHOUSE, "read", "a"), 303);
    /* a change that is not about permissions leaves it */
    st = call(&srv, "olivia", "PATCH", "/iam/api/v1/members/hal", "application/json",
              "{\"name\":\"Hal Renamed\"}", NULL, &out, NULL);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "hal"), 1);
    /* nor one about permissions that gives another resource */
    st = api_post(&srv, "members/hal/grants",
                  "{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":[\"ios\"]}",
                  &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "hal"), 1);
    ck_assert_int_eq(call(&srv, "hal", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 403);
    st = api_post(&srv, "members/hal/grants", "{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}",
                  &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "hal"), 0);
    ck_assert_str_eq(status_of(&srv, "hal", "warehouse", "main"), "granted");
    ck_assert_int_eq(call(&srv, "hal", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 200);
}
END_TEST

START_TEST(test_ended_by_group_add)
{
    add_member(&srv, "ivy", NULL);
    add_member(&srv, "jon", NULL);
    ck_assert_int_eq(ask(&srv, "ivy", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "ivy", "/sources/web/", "read", "a2"), 303);
    ck_assert_int_eq(ask(&srv, "jon", "/sources/web/", "read", "b"), 303);
    /* analysts: Source Read-only on all sources */
    ctl_ok(&srv, "group add analysts ivy");
    ck_assert_int_eq(nrequests(&srv, "ivy"), 1);
    ck_assert_str_eq(status_of(&srv, "ivy", "source", "web"), "granted");
    ck_assert_str_eq(status_of(&srv, "ivy", "warehouse", "main"), "open");
    ck_assert_int_eq(nrequests(&srv, "jon"), 1);
}
END_TEST

START_TEST(test_cleared_by_member_remove)
{
    add_member(&srv, "kim", NULL);
    add_member(&srv, "kit", NULL);
    ck_assert_int_eq(ask(&srv, "kim", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "kit", WAREHOUSE, "read", "b"), 303);
    ctl_ok(&srv, "member remove kim");
    ck_assert_int_eq(nrequests_in_all(&srv, "kim"), 0);
    ck_assert_int_eq(nrequests_in_all(&srv, "kit"), 1);
    /* a new member of that login starts with none, answered or open */
    add_member(&srv, "kim", NULL);
    ck_assert_str_eq(status_of(&srv, "kim", "warehouse", "main"), "none");
}
END_TEST

START_TEST(test_ended_by_group_changes)
{
    add_member(&srv, "lea", NULL);
    add_member(&srv, "leo", NULL);
    add_member(&srv, "lou", NULL);
    ctl_ok(&srv, "group create crew");
    ctl_ok(&srv, "group add crew lea leo");
    ck_assert_int_eq(ask(&srv, "lea", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "leo", WAREHOUSE, "read", "b"), 303);
    ck_assert_int_eq(ask(&srv, "lou", WAREHOUSE, "read", "c"), 303);
    ck_assert_int_eq(ask(&srv, "lea", "/sources/web/", "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "leo", "/sources/web/", "read", "b"), 303);
    ck_assert_int_eq(ask(&srv, "lou", "/sources/web/", "read", "c"), 303);
    /* the group's grants change, giving what none asked for: all stay */
    ctl_ok(&srv, "grant --group crew source-read-only --resource ios");
    ck_assert_int_eq(nrequests(&srv, "lea"), 2);
    ck_assert_int_eq(nrequests(&srv, "leo"), 2);
    /* giving web: the members' web requests end, the rest stay */
    ctl_ok(&srv, "grant --group crew source-read-only --resource web");
    ck_assert_int_eq(nrequests(&srv, "lea"), 1);
    ck_assert_int_eq(nrequests(&srv, "leo"), 1);
    ck_assert_int_eq(nrequests(&srv, "lou"), 2);
    /* who joins the group gets web: lou's web request ends */
    ctl_ok(&srv, "group add crew lou");
    ck_assert_int_eq(nrequests(&srv, "lou"), 1);
    ck_assert_str_eq(status_of(&srv, "lou", "source", "web"), "granted");
    /* who leaves, or a group deleted, gives nothing: nothing more ends */
    ctl_ok(&srv, "group remove crew lea");
    ck_assert_int_eq(nrequests(&srv, "lea"), 1);
    ctl_ok(&srv, "group delete crew");
    ck_assert_int_eq(nrequests(&srv, "leo"), 1);
    ck_assert_int_eq(nrequests(&srv, "lou"), 1);
    ck_assert_int_eq(nrequests_in_all(&srv, "lou"), 1);
    /* and she can ask for web again, now that it refuses her */
    ck_assert_int_eq(ask(&srv, "lea", "/sources/web/", "read", "a again"), 303);
    ck_assert_int_eq(nrequests(&srv, "lea"), 2);
}
END_TEST

/* The round trip: a member asks for two resources; an owner approves one
 * in the console and dismisses the other; the member gets a mail for
 * each, is let into the first, and the page of the second says it was
 * dismissed and what became of the first; asking again opens it anew. */
START_TEST(test_member_sees_the_answers)
{
    char *body, *tok, *page;
    mail_t m[MAILS_MAX];
    json_t *list, *q;
    long st;
    int n;

    add_member(&srv, "nell", "--email nell@example.com");
    ck_assert_int_eq(ask(&srv, "nell", WAREHOUSE, "read", "the warehouse, please"), 303);
    ck_assert_int_eq(ask(&srv, "nell", "/sources/web/", "read", "web too"), 303);
    list = requests_of(&srv, "nell");
    ck_assert_int_eq(json_array_size(list), 2);
    q = json_array_get(list, 0);
    if (strcmp(str_at(q, "type"), "source"))
        q = json_array_get(list, 1);
    /* approve web from the member's console page, as its button says */
    page = NULL;
    st = call(&srv, "olivia", "GET", "/iam/members/nell", NULL, NULL, NULL, &page, NULL);
    ck_assert_int_eq(st, 200);
    tok = iam_test_csrf(page);
    ck_assert_ptr_nonnull(tok);
    st = call(&srv, "olivia", "POST", "/iam/members/nell", FORM,
              xprintf("csrf=%s&action=approve&rlogin=nell&rtype=source&rname=web&rrev=%lld"
                      "&rrole=source-read-only&rscope=resource",
                      tok, (long long)json_integer_value(json_object_get(q, "rev"))),
              NULL, NULL, NULL);
    ck_assert_int_eq(st, 303);
    json_decref(list);
    /* the other is still open; then dismissed */
    ck_assert_int_eq(nrequests(&srv, "nell"), 1);
    st = call(&srv, "olivia", "POST", "/iam/members/nell", FORM,
              xprintf("csrf=%s&action=dismiss&rlogin=nell&rtype=warehouse&rname=main", tok), NULL,
              NULL, NULL);
    ck_assert_int_eq(st, 303);
    ck_assert_int_eq(nrequests(&srv, "nell"), 0);
    /* her mails: one per answer, to her */
    n = mails(&srv, "To: nell@example.com", m);
    ck_assert_msg(n == 2, "%d mails to nell", n);
    n = mails(&srv, "To: nell@example.com\nSubject: Your access request for source web: approved",
              m);
    ck_assert_msg(n == 1, "%d approval mails:\n%s%s", n, m[0].head, n > 1 ? m[1].head : "");
    ck_assert_msg(has(m[0].body, "olivia, a Workspace Owner, approved it: you now have Source "
                                 "Read-only on web"),
                  "%s", m[0].body);
    ck_assert_int_eq(mails(&srv,
                           "To: nell@example.com\nSubject: Your access request for warehouse "
                           "main: dismissed",
                           NULL),
                     1);
    /* web lets her in; the warehouse page says what became of both */
    ck_assert_int_eq(call(&srv, "nell", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "nell", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "olivia dismissed your request on "), "%s", body);
    ck_assert_msg(has(body, "read access to the source web: <strong>approved</strong> by olivia"),
                  "%s", body);
    ck_assert_msg(has(body, "name=\"csrf\""), "no form to ask again:\n%s", body);
    free(body);
    /* the JSON refusal says so too */
    st = call(&srv, "nell", "GET", WAREHOUSE, NULL, NULL, "Accept: application/json", &body, NULL);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(has(body, "\"request\":{\"status\":\"dismissed\""), "%s", body);
    free(body);
    /* asking again opens it anew, a new revision, mailed to the owners as new */
    n = mails(&srv, "Access request from nell: warehouse main", NULL);
    ck_assert_int_eq(ask(&srv, "nell", WAREHOUSE, "read", "please reconsider"), 303);
    ck_assert_int_eq(mails(&srv, "Access request from nell: warehouse main", NULL), n * 2);
    list = requests_of(&srv, "nell");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "rev")), 2);
    json_decref(list);
    ck_assert_str_eq(status_of(&srv, "nell", "source", "web"), "approved");
    free(tok);
}
END_TEST

/* A request is for the level the page refused at, whatever level the form
 * names (review finding: read on a source, asking for "admin" on a page
 * whose POST needs edit, filed admin, and approval granted Source Admin). */
START_TEST(test_request_level_is_the_refused_one)
{
    char *tok = member_csrf(&srv, "rita", "/warehouses/main/");
    json_t *list;

    ck_assert_int_eq(ask_with(&srv, "rita", tok, "/sources/web/", "admin", "more", NULL, NULL),
                     303);
    list = requests_of(&srv, "rita");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_str_eq(str_at(json_array_get(list, 0), "level"), "edit");
    json_decref(list);
    free(tok);
}
END_TEST

/* The console and an owners-only page are things to ask for too. */
START_TEST(test_request_console_and_owners_page)
{
    mail_t m[MAILS_MAX];
    json_t *list, *q;
    char *body;
    size_t i;
    int console = 0, owners = 0;

    add_member(&srv, "cora", "--name 'Cora Console'");
    ck_assert_int_eq(call(&srv, "cora", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "admin access to <strong>the workspace console</strong>"), "%s", body);
    ck_assert_msg(has(body, "name=\"type\" value=\"console\"") &&
                      has(body, "name=\"path\" value=\"/iam/\""),
                  "%s", body);
    free(body);
    ck_assert_int_eq(ask(&srv, "cora", "/iam/", "admin", "to run the console"), 303);
    ck_assert_int_eq(ask(&srv, "cora", "/owners/", "admin", "the owners page"), 303);
    list = requests_of(&srv, "cora");
    ck_assert_int_eq(json_array_size(list), 2);
    json_array_foreach(list, i, q)
    {
        ck_assert_str_eq(str_at(q, "name"), "*");
        ck_assert_str_eq(str_at(q, "level"), "admin");
        console += !strcmp(str_at(q, "type"), "console") && !strcmp(str_at(q, "path"), "/iam/");
        owners += !strcmp(str_at(q, "type"), "owners") && !strcmp(str_at(q, "path"), "/owners/");
    }
    json_decref(list);
    ck_assert_msg(console == 1 && owners == 1, "console %d, owners %d", console, owners);
    /* both pages say pending */
    ck_assert_int_eq(call(&srv, "cora", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "Your request for access is pending") && !has(body, "<form"), "%s",
                  body);
    free(body);
    ck_assert_int_eq(call(&srv, "cora", "GET", "/owners/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "Your request for access is pending") && !has(body, "<form"), "%s",
                  body);
    free(body);
    ck_assert_int_eq(
        mails(&srv, "Subject: Access request from Cora Console: the workspace console\n", m), 2);
    ck_assert_int_eq(mails(&srv,
                           "Subject: Access request from Cora Console: the owners-only page "
                           "/owners/\n",
                           m),
                     2);
}
END_TEST

/* Valid UTF-8, as mod_iam checks every text it stores. */
static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        int n = *u < 0x80             ? 0
                : (*u & 0xe0) == 0xc0 ? 1
                : (*u & 0xf0) == 0xe0 ? 2
                : (*u & 0xf8) == 0xf0 ? 3
                                      : -1;
        if (n < 0)
            return 0;
        for (u++; n > 0; n--, u++) {
            if ((*u & 0xc0) != 0x80)
                return 0;
        }
    }
    return 1;
}

static char *base64_decode(const char *in, size_t len)
{
    static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = calloc(1, len + 1), *o = out;
    unsigned bits = 0;
    int nbits = 0;
    size_t i;

    for (i = 0; i < len && in[i] != '='; i++) {
        const char *c = strchr(abc, in[i]);
        if (!c || !in[i])
            return NULL;
        bits = (bits << 6) | (unsigned)(c - abc);
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            *o++ = (char)((bits >> nbits) & 0xff);
        }
    }
    return out;
}

/* A long Subject is cut at 200 bytes, not inside a character, and a
 * Subject that is not ASCII is an RFC 2047 encoded-word. */
START_TEST(test_mail_subject_utf8)
{
    char path[512] = "/owners/x", *subject, *text;
    const char *b64;
    mail_t m[MAILS_MAX];
    int n, i;
    size_t len;

    add_member(&srv, "uma", "--name 'Uma Utf'");
    /* "/owners/x", 60 é, "/z", 90 é (each segment under the file system's
     * 255 bytes): the Subject's cut at 200 bytes falls inside an é */
    for (i = 0; i < 150; i++)
        strcat(path, i == 60 ? "/z\xc3\xa9" : "\xc3\xa9"); /* é */
    ck_assert_int_eq(ask_with(&srv, "uma", member_csrf(&srv, "uma", "/owners/"), path, "admin",
                              "long", NULL, NULL),
                     303);
    n = mails(&srv, "Uma Utf (uma) asks for admin access to the owners-only page /owners/", m);
    ck_assert_int_eq(n, 2);
    for (i = 0; i < n; i++) {
        check_header_block(&m[i]);
        subject = strstr(m[i].head, "Subject: ") + 9;
        subject = strndup(subject, strcspn(subject, "\n"));
        ck_assert_msg(!strncmp(subject, "=?UTF-8?B?", 10) && ends_with(subject, "?="), "%s",
                      subject);
        b64 = subject + 10;
        len = strlen(b64) - 2;
        text = base64_decode(b64, len);
        ck_assert_msg(text != NULL, "not base64: %s", subject);
        ck_assert_msg(
            !strncmp(text, "Access request from Uma Utf: the owners-only page /owners/x\xc3\xa9",
                     61),
            "%s", text);
        ck_assert_msg(strlen(text) <= 200 && strlen(text) >= 198, "%zu bytes: %s", strlen(text),
                      text);
        ck_assert_msg(utf8_ok(text), "the Subject is cut inside a character: %s", text);
        ck_assert_msg(utf8_ok(m[i].body) && has(m[i].body, path), "%s", m[i].body);
    }
}
END_TEST

/* ---- a non-member ---- */

START_TEST(test_non_member)
{
    char *body, *tok, *form;
    json_t *j;

    ck_assert_int_eq(call(&srv, "nora", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "You are not a member of this workspace. Ask a Workspace Owner to "
                            "invite you."),
                  "%s", body);
    ck_assert_msg(has(body, "<strong>the warehouse main</strong>"), "%s", body);
    ck_assert_msg(!has(body, "<form") && !iam_test_csrf(body), "%s", body);
    free(body);
    ck_assert_int_eq(
        call(&srv, "nora", "GET", WAREHOUSE, NULL, NULL, "Accept: application/json", &body, NULL),
        403);
    j = parse_json(body);
    ck_assert_str_eq(str_at(json_object_get(j, "error"), "code"), "not_a_member");
    ck_assert_msg(json_is_false(json_object_get(j, "request_access")), "%s", body);
    json_decref(j);
    free(body);
    /* a crafted post, even with a member's token */
    tok = owner_csrf(&srv);
    form = xprintf("csrf=%s&path=%s&level=read&message=let+me+in", tok, enc(WAREHOUSE));
    ck_assert_int_eq(
        call(&srv, "nora", "POST", "/iam/request-access", FORM, form, NULL, &body, NULL), 403);
    free(body);
    ck_assert_int_eq(nrequests(&srv, "nora"), 0);
    ck_assert_int_eq(nrequests_in_all(&srv, "nora"), 0);
}
END_TEST

/* ---- servers with their own configuration ---- */

/* The processes whose command line is exactly `cmdline` (these tests give
 * their mail commands unique arguments). */
static int find_procs(const char *cmdline, int *pids, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) != NULL) {
        int pid = atoi(e->d_name);
        char *cmd = pid > 0 ? proc_file(pid, "cmdline") : NULL;
        if (cmd && !strcmp(cmd, cmdline) && n < max)
            pids[n++] = pid;
        free(cmd);
    }
    if (d)
        closedir(d);
    return n;
}

/* Stops the server of `root` if it still runs (after a failed test). */
static void stop_leftover(const char *root)
{
    char *pidtext = iam_test_slurp(xprintf("%s/run/httpd.pid", root)), *cmd;
    int pid = atoi(pidtext), i;

    free(pidtext);
    for (i = 0; pid > 0 && i < 100; i++) {
        cmd = proc_file(pid, "cmdline");
        if (!has(cmd, root)) /* gone (or a zombie, or another process) */
            break;
        if (i == 0)
            kill(pid, SIGTERM);
        if (i == 99)
            kill(-pid, SIGKILL);
        usleep(100 * 1000);
        free(cmd);
    }
}

/* A failed check ends the test's process at once, without the checked
 * teardown: a guard process, woken when the test's process ends however
 * it ends, stops a server left running and removes its root. */
static void guard(const iam_httpd_t *h)
{
    char *root = strdup(h->root), c;
    int fds[2];
    pid_t g;

    if (pipe(fds) != 0)
        return;
    g = fork();
    if (g == 0) {
        /* out of the test's process group, which Check kills at its end */
        setpgid(0, 0);
        close(fds[1]);
        while (read(fds[0], &c, 1) > 0)
            ;
        stop_leftover(root);
        iam_test_rmtree(root);
        _exit(0);
    }
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* held by this process only */
}

static void own_setup(void)
{
    iam_httpd_prepare(&own, "reqown");
    guard(&own);
}

static void own_teardown(void)
{
    iam_httpd_cleanup(&own);
}

static void own_start(const char *extra)
{
    if (iam_httpd_start(&own, "event", NULL, extra) != 0) {
        char *log = iam_httpd_log(&own);
        ck_abort_msg("apache2 did not start with:\n%s\n%s", extra, log);
    }
}

START_TEST(test_request_limit)
{
    char *tok, *out;
    json_t *list, *q;
    size_t i;
    long st;

    own_start("IAMRequestLimit 2");
    tok = member_csrf(&own, "max", WAREHOUSE);
    ck_assert_int_eq(ask_with(&own, "max", tok, WAREHOUSE, "read", "one", NULL, NULL), 303);
    ck_assert_int_eq(ask_with(&own, "max", tok, "/sources/web/", "read", "two", NULL, NULL), 303);
    st = ask_with(&own, "max", tok, "/sources/ios/", "read", "three", &out, NULL);
    ck_assert_msg(st == 400, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(out, "2 access requests are already waiting for an owner"), "%s", out);
    free(out);
    list = requests_of(&own, "max");
    ck_assert_int_eq(json_array_size(list), 2);
    json_array_foreach(list, i, q)
    {
        ck_assert_str_ne(str_at(q, "name"), "ios");
    }
    json_decref(list);
    /* changing an open one is no new request */
    ck_assert_int_eq(ask_with(&own, "max", tok, WAREHOUSE, "read", "one, again", NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 2);
    /* once one is answered there is room again */
    st = api_post(&own, "requests/dismiss",
                  "{\"login\":\"max\",\"type\":\"source\",\"name\":\"web\"}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(ask_with(&own, "max", tok, "/sources/ios/", "read", "three", NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 2);
}
END_TEST

START_TEST(test_mail_command_fails)
{
    char *log;

    own_start("IAMMailCommand \"/bin/false\"");
    ck_assert_int_eq(ask(&own, "max", WAREHOUSE, "read", "mail fails"), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 1);
    log = iam_httpd_log(&own);
    ck_assert_msg(has(log, "IAMMailCommand failed (status 1) mailing an owner about max's request"),
                  "%s", log);
    free(log);
}
END_TEST

/* A mail command that hangs: "sleep 30.PID", unique to this test. Returns
 * how many of its processes ran still after the POST; stops them. */
static int hanging_mail(double *took)
{
    char *arg = xprintf("30.%d", (int)getpid()), *tok;
    int pids[16], n, i;
    double t0;
    long st;

    add_member(&own, "owen", "--email owen@example.com --owner");
    own_start(xprintf("IAMMailCommand \"sleep %s\"", arg));
    tok = member_csrf(&own, "max", WAREHOUSE);
    t0 = now_s();
    st = ask_with(&own, "max", tok, WAREHOUSE, "read", "mail hangs", NULL, NULL);
    *took = now_s() - t0;
    usleep(300 * 1000);
    n = find_procs(xprintf("sleep %s", arg), pids, 16);
    for (i = 0; i < n; i++)
        kill(pids[i], SIGKILL);
    ck_assert_int_eq(st, 303);
    return n;
}

START_TEST(test_mail_command_hangs)
{
    char *log;
    double took;

    hanging_mail(&took);
    /* the mails were tried (and waited for), but never past 2 s in all */
    ck_assert_msg(took < 3.0 && took > 1.5, "the post took %.2f s", took);
    ck_assert_int_eq(nrequests(&own, "max"), 1);
    log = iam_httpd_log(&own);
    ck_assert_msg(
        has(log, "IAMMailCommand took longer than 2 s; stopped it (the request is stored)"), "%s",
        log);
    free(log);
}
END_TEST

/* "stopped it": the command, not only the shell that runs it. */
START_TEST(test_hung_mail_command_is_stopped)
{
    double took;
    int left = hanging_mail(&took);

    ck_assert_msg(left == 0,
                  "%d 'sleep' processes of IAMMailCommand still ran after the log said they "
                  "were stopped (only /bin/sh -c was killed)",
                  left);
}
END_TEST

START_TEST(test_request_access_off)
{
    char *body, *tok, *form;
    json_t *j;
    long st;

    /* Off everywhere but one place, where the member finds a form and so
     * their token for a crafted post */
    own_start("IAMRequestAccess Off\n<Location \"/sources/ios/\">\nIAMRequestAccess On\n"
              "</Location>");
    ck_assert_int_eq(call(&own, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<strong>the warehouse main</strong>"), "%s", body);
    ck_assert_msg(has(body, "Ask a Workspace Owner for access."), "%s", body);
    ck_assert_msg(!has(body, "<form") && !iam_test_csrf(body), "%s", body);
    free(body);
    ck_assert_int_eq(
        call(&own, "max", "GET", WAREHOUSE, NULL, NULL, "Accept: application/json", &body, NULL),
        403);
    j = parse_json(body);
    ck_assert_msg(json_is_false(json_object_get(j, "request_access")), "%s", body);
    json_decref(j);
    free(body);
    tok = member_csrf(&own, "max", "/sources/ios/");
    form = xprintf("csrf=%s&path=%s&level=read&message=crafted", tok, enc(WAREHOUSE));
    st = call(&own, "max", "POST", "/iam/request-access", FORM, form, NULL, &body, NULL);
    ck_assert_msg(st == 403, "status %ld:\n%s", st, body);
    ck_assert_msg(has(body, "Access requests are turned off here."), "%s", body);
    free(body);
    ck_assert_int_eq(nrequests(&own, "max"), 0);
    /* the token was good: where it is on, the same post is stored */
    ck_assert_int_eq(ask_with(&own, "max", tok, "/sources/ios/", "read", "here", NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 1);
}
END_TEST

START_TEST(test_custom_template)
{
    const char *login = "o'brien<x>";
    char *file = xprintf("%s/denied.html", own.root), *body;

    write_file(file, "<html><body><h1>Custom</h1><p>{{user}} needs {{level}} on {{resource}}</p>"
                     "{{status}}{{form}}</body></html>");
    add_member(&own, login, NULL);
    own_start(xprintf("IAMDeniedTemplate \"%s\"", file));
    ck_assert_int_eq(call(&own, login, "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<html><body><h1>Custom</h1><p>o&#x27;brien&lt;x&gt; needs read on "
                            "the warehouse main</p><form method=\"post\" "
                            "action=\"/iam/request-access\">"),
                  "%s", body);
    ck_assert_msg(has(body, "</form>\n</body></html>"), "%s", body);
    ck_assert_msg(!has(body, "You need access") && !has(body, "{{"), "%s", body);
    free(body);
    /* {{status}} once asked */
    ck_assert_int_eq(ask(&own, "max", WAREHOUSE, "read", "custom"), 303);
    ck_assert_int_eq(call(&own, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<p>max needs read on the warehouse main</p><p class=\"status\" "
                            "role=\"status\">Your request for access is pending"),
                  "%s", body);
    ck_assert_msg(!has(body, "<form"), "%s", body);
    free(body);
}
END_TEST

/* An absolute IAMConsoleURL: the mails link there, the form still posts to
 * its path on this site. No IAMMailFrom: the From names this server. */
START_TEST(test_console_url)
{
    mail_t m[MAILS_MAX];
    char *body, *out = NULL;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "touch '%s/mailbox.txt' && chmod 666 '%s/mailbox.txt'", own.root,
                                  own.root),
                     0);
    free(out);
    own_start(xprintf("IAMMailCommand \"%s/../conf/demo/mailbox %s/mailbox.txt\"\n"
                      "IAMConsoleURL https://iam.example.com/iam/",
                      iam_test_build_dir(), own.root));
    ck_assert_int_eq(call(&own, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<form method=\"post\" action=\"/iam/request-access\">"), "%s", body);
    free(body);
    ck_assert_int_eq(ask(&own, "max", WAREHOUSE, "read", "console url"), 303);
    /* the demo has one owner, olivia */
    ck_assert_int_eq(mails(&own, "Subject: Access request from Max Member: warehouse main", m), 1);
    check_header_block(&m[0]);
    ck_assert_msg(has(m[0].head, "From: mod_iam@127.0.0.1\n"), "%s", m[0].head);
    ck_assert_msg(has(m[0].head, "To: olivia@example.com\n"), "%s", m[0].head);
    ck_assert_msg(has(m[0].body, "\nhttps://iam.example.com/iam/members/max\n"), "%s", m[0].body);
}
END_TEST

/* A page that IAMResourcePath declares is asked for as that resource, not
 * as the resource of the <Location> around it (source ios); approving the
 * request lets the member read there and nowhere else. */
START_TEST(test_request_for_a_resource_path)
{
    const char *beta = "/sources/ios/beta/";
    char *body = NULL, *out = NULL;
    json_t *list, *q;
    long st;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "mkdir '%s/htdocs/sources/ios/beta' && echo beta >"
                                  "'%s/htdocs/sources/ios/beta/index.html' && chmod -R a+rX '%s'",
                                  own.root, own.root, own.root),
                     0);
    free(out);
    own_start("IAMResourcePath /sources/ios/beta source beta env:dev");
    ck_assert_int_eq(call(&own, "max", "GET", beta, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "you do not have read access to <strong>the source beta</strong>") &&
                      has(body, "name=\"name\" value=\"beta\""),
                  "%s", body);
    free(body);
    ck_assert_int_eq(ask(&own, "max", beta, "read", "the beta, please"), 303);
    list = requests_of(&own, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    q = json_array_get(list, 0);
    ck_assert_str_eq(str_at(q, "type"), "source");
    ck_assert_str_eq(str_at(q, "name"), "beta");
    ck_assert_str_eq(str_at(q, "level"), "read");
    ck_assert_str_eq(str_at(q, "path"), beta);
    json_decref(list);
    /* the page beside it is still the Location's resource */
    ck_assert_int_eq(ask(&own, "max", "/sources/ios/", "read", "ios too"), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 2);
    st = api_post(&own, "requests/approve",
                  "{\"login\":\"max\",\"type\":\"source\",\"name\":\"beta\",\"rev\":1}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(call(&own, "max", "GET", beta, NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&own, "max", "POST", beta, FORM, "x=1", NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&own, "max", "GET", "/sources/ios/", NULL, NULL, NULL, NULL, NULL), 403);
    /* the approval gives beta only: the ios request stays open */
    ck_assert_int_eq(nrequests(&own, "max"), 1);
}
END_TEST

/* An entry covering an owners' page (here "/", every path) does not make a
 * request for that page one for the entry's resource: it is a request for
 * the owners' pages, as without the entry. */
START_TEST(test_owners_page_under_a_resource_path)
{
    json_t *list, *q;

    own_start("IAMResourcePath / source everything");
    ck_assert_int_eq(call(&own, "max", "GET", "/owners/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(ask(&own, "max", "/owners/", "read", "the owners page"), 303);
    list = requests_of(&own, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    q = json_array_get(list, 0);
    ck_assert_str_eq(str_at(q, "type"), "owners");
    ck_assert_str_eq(str_at(q, "name"), "*");
    ck_assert_str_eq(str_at(q, "level"), "admin");
    json_decref(list);
}
END_TEST

/* Resources declared by IAMResourcePath are listed with their path: the
 * console's Resources page and the API's resource list. */
START_TEST(test_resource_path_listed)
{
    char *body;
    json_t *j, *r, *found = NULL;
    size_t i;

    own_start("IAMResourcePath /sources/ios/beta/ source beta env:dev");
    j = api_get(&own, "resources");
    json_array_foreach(json_object_get(j, "resources"), i, r)
    {
        if (!strcmp(str_at(r, "path"), "/sources/ios/beta/"))
            found = r;
    }
    ck_assert_msg(found != NULL, "no resource with path /sources/ios/beta/");
    ck_assert_str_eq(str_at(found, "type"), "source");
    ck_assert_str_eq(str_at(found, "name"), "beta");
    ck_assert_int_eq(json_array_size(json_object_get(found, "labels")), 1);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(found, "labels"), 0)),
                     "env:dev");
    json_decref(j);
    ck_assert_int_eq(call(&own, "olivia", "GET", "/iam/resources", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, "href=\"/iam/resources/source/beta\"") &&
                      has(body, "<code>/sources/ios/beta/</code>"),
                  "%s", body);
    free(body);
}
END_TEST

static const struct {
    const char *text; /* NULL: no file */
    const char *problem;
} templates[] = {
    {"<p>{{bogus}}</p>{{resource}}", "unknown placeholder {{bogus}}"},
    {"<p>{{user}} needs {{level}}</p>{{form}}", "lacks {{resource}}"},
    {"{{resource}}{{form}}{{form}}", "{{form}} appears more than once"},
    {"{{resource}} {{level", "has a {{ without }}"},
    {NULL, "cannot be read"},
    {"<p>{{resource}}</p>", NULL}, /* accepted */
};

START_TEST(test_template_configtest)
{
    char *file = xprintf("%s/t%d.html", own.root, _i), *out;
    int rc;

    if (templates[_i].text)
        write_file(file, templates[_i].text);
    rc = iam_httpd_configtest(&own, xprintf("IAMDeniedTemplate \"%s\"", file), &out);
    if (!templates[_i].problem) {
        ck_assert_msg(rc == 0, "configtest refused %s:\n%s", templates[_i].text, out);
    } else {
        ck_assert_msg(rc != 0, "configtest passed for %s", templates[_i].text);
        ck_assert_msg(has(out, xprintf("IAMDeniedTemplate \"%s\"", file)) ||
                          has(out, xprintf("IAMDeniedTemplate %s", file)),
                      "the directive is not named in:\n%s", out);
        ck_assert_msg(has(out, templates[_i].problem), "want '%s' in:\n%s", templates[_i].problem,
                      out);
    }
    free(out);
}
END_TEST

Suite *suite_requests(void)
{
    Suite *s = suite_create("requests");
    TCase *tc;

    tc = tcase_create("shared");
    tcase_add_unchecked_fixture(tc, start_shared, stop_shared);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_denied_page_html);
    tcase_add_test(tc, test_denied_page_escapes_login);
    tcase_add_test(tc, test_denied_page_json);
    tcase_add_test(tc, test_request_is_stored);
    tcase_add_test(tc, test_request_only_for_a_refusal);
    tcase_add_test(tc, test_mail_link_ignores_host_header);
    tcase_add_test(tc, test_message_of_1000_bytes_accepted);
    tcase_add_test(tc, test_same_origin_post_accepted);
    tcase_add_loop_test(tc, test_refused_input, 0, (int)(sizeof(refused) / sizeof(refused[0])));
    tcase_add_test(tc, test_one_mail_per_owner);
    tcase_add_test(tc, test_mail_headers_not_injectable);
    tcase_add_test(tc, test_approve_in_console);
    tcase_add_test(tc, test_approve_refused_when_the_request_changed);
    tcase_add_test(tc, test_approve_owner_needs_confirmation);
    tcase_add_test(tc, test_approve_another_role);
    tcase_add_test(tc, test_approve_api_exactly);
    tcase_add_test(tc, test_request_only_where_the_page_refuses);
    tcase_add_test(tc, test_no_page_when_let_in);
    tcase_add_test(tc, test_approve_edit_by_api);
    tcase_add_test(tc, test_dismiss);
    tcase_add_test(tc, test_ended_by_iamctl_grant);
    tcase_add_test(tc, test_ended_by_api_grant);
    tcase_add_test(tc, test_ended_by_group_add);
    tcase_add_test(tc, test_cleared_by_member_remove);
    tcase_add_test(tc, test_ended_by_group_changes);
    tcase_add_test(tc, test_member_sees_the_answers);
    tcase_add_test(tc, test_request_console_and_owners_page);
    tcase_add_test(tc, test_request_level_is_the_refused_one);
    tcase_add_test(tc, test_mail_subject_utf8);
    tcase_add_test(tc, test_non_member);
    suite_add_tcase(s, tc);

    tc = tcase_create("own_config");
    tcase_add_checked_fixture(tc, own_setup, own_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_request_limit);
    tcase_add_test(tc, test_mail_command_fails);
    tcase_add_test(tc, test_mail_command_hangs);
    tcase_add_test(tc, test_hung_mail_command_is_stopped);
    tcase_add_test(tc, test_request_access_off);
    tcase_add_test(tc, test_custom_template);
    tcase_add_test(tc, test_console_url);
    tcase_add_test(tc, test_request_for_a_resource_path);
    tcase_add_test(tc, test_resource_path_listed);
    tcase_add_test(tc, test_owners_page_under_a_resource_path);
    tcase_add_loop_test(tc, test_template_configtest, 0,
                        (int)(sizeof(templates) / sizeof(templates[0])));
    suite_add_tcase(s, tc);
    return s;
}
