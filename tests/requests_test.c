/* mod_iam integration tests, "request access": what the test_requests_*.c
 * files share (requests_test.h says which file tests what): the small
 * helpers, the mailbox, the shared server and suite_requests(), which
 * gathers every file's tests. */
#include "requests_test.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

iam_httpd_t rq_srv; /* shared by the "shared" case */

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

/* s URL-encoded for a form or a query */
char *enc(const char *s)
{
    CURL *c = curl_easy_init();
    char *e = curl_easy_escape(c, s, (int)strlen(s)), *out = strdup(e);

    curl_free(e);
    curl_easy_cleanup(c);
    return out;
}

/* A response for a failure message (Check carries a few KiB at most): the
 * page's notice where it has one, else its start. */
const char *brief(const char *body)
{
    const char *n = body ? strstr(body, "<p class=\"notice") : NULL;

    if (!body)
        return "(none)";
    return xprintf("%.400s", n ? n : body);
}

int ends_with(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* A user of the password file ("<login>-pw") and a member of the store. */
void add_member(const iam_httpd_t *h, const char *login, const char *opts)
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

void ctl_ok(const iam_httpd_t *h, const char *args)
{
    char *out = NULL;
    int rc = iam_ctl(h, &out, "%s 2>&1", args);

    ck_assert_msg(rc == 0, "iamctl %s: %s", args, out);
    free(out);
}

/* One request as `user` (password "<user>-pw"); body and headers wanted or not. */
long call(const iam_httpd_t *h, const char *user, const char *method, const char *path,
          const char *ctype, const char *body, const char *header, char **out, char **headers)
{
    iam_req_t req = {method, path, user ? xprintf("%s:%s-pw", user, user) : NULL,
                     ctype,  body, {header, NULL}};
    char *b = NULL;
    long st = iam_http_do(h, &req, out ? out : &b, headers);

    free(b);
    return st;
}

/* The member's CSRF token, from the request form on their refused page. */
char *member_csrf(const iam_httpd_t *h, const char *user, const char *path)
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
char *owner_csrf(const iam_httpd_t *h)
{
    char *body, *tok;
    long st = call(h, "olivia", "GET", "/iam/members/new", NULL, NULL, NULL, &body, NULL);

    tok = st == 200 ? iam_test_csrf(body) : NULL;
    ck_assert_msg(tok != NULL, "no console form for olivia (status %ld):\n%s", st, body);
    free(body);
    return tok;
}

/* Posts the request form with a given token. */
long ask_with(const iam_httpd_t *h, const char *user, const char *tok, const char *path,
              const char *level, const char *message, char **out, char **headers)
{
    char *body = xprintf("csrf=%s&type=source&name=checkout&level=%s&path=%s&message=%s", tok,
                         level, enc(path), enc(message));

    return call(h, user, "POST", "/iam/request-access", FORM, body, NULL, out, headers);
}

/* As a browser does: the refused page, then its form. */
long ask(const iam_httpd_t *h, const char *user, const char *path, const char *level,
         const char *message)
{
    return ask_with(h, user, member_csrf(h, user, path), path, level, message, NULL, NULL);
}

json_t *parse_json(const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body ? body : "", 0, &e);

    ck_assert_msg(j != NULL, "not JSON (%s):\n%s", e.text, body);
    return j;
}

/* GET BASE/api/v1/PATH as olivia; the parsed answer. */
json_t *api_get(const iam_httpd_t *h, const char *path)
{
    char *body, *url = xprintf("/iam/api/v1/%s", path);
    long st = call(h, "olivia", "GET", url, NULL, NULL, NULL, &body, NULL);

    ck_assert_msg(st == 200, "GET %s: %ld\n%s", url, st, body);
    return parse_json(body);
}

long api_post(const iam_httpd_t *h, const char *path, const char *json, char **out)
{
    char *url = xprintf("/iam/api/v1/%s", path);
    return call(h, "olivia", "POST", url, "application/json", json, NULL, out, NULL);
}

/* The open requests of `login` (all when NULL), as the API lists them. */
json_t *requests_of(const iam_httpd_t *h, const char *login)
{
    json_t *j = api_get(h, login ? xprintf("requests?login=%s", enc(login)) : "requests");
    json_t *a = json_incref(json_object_get(j, "requests"));

    ck_assert_msg(json_is_array(a), "no \"requests\" array");
    json_decref(j);
    return a;
}

size_t nrequests(const iam_httpd_t *h, const char *login)
{
    json_t *a = requests_of(h, login);
    size_t n = json_array_size(a);

    json_decref(a);
    return n;
}

/* Requests of `login` in the whole list (not through the member's index). */
int nrequests_in_all(const iam_httpd_t *h, const char *login)
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

const char *str_at(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(missing)";
}

/* An audit entry with this action, target and actor (newest first). */
/* Whether the trail has `action` on `target` by `actor` (NULL: anyone). */
int audited(const iam_httpd_t *h, const char *action, const char *target, const char *actor)
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
char *status_of(const iam_httpd_t *h, const char *login, const char *type, const char *name)
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
int mails(const iam_httpd_t *h, const char *match, mail_t *out)
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
void check_header_block(const mail_t *m)
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
                     srv.root, srv.root, srv.root, srv.root, srv.root, srv.root, srv.root, srv.root,
                     iam_test_build_dir(), srv.store, iam_test_build_dir(), srv.store) != 0) {
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
                    "IAMResourcePath /apps/{name} source\n"
                    "<Location \"/apps/\">\n  Require iam\n</Location>\n"
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

Suite *suite_requests(void)
{
    Suite *s = suite_create("requests");
    TCase *tc;

    /* The tests of one server, in the order they always ran: some meet
     * what an earlier one left (una and ugo, made by one test and met by
     * the next; rita's first request, filed after a test that finds she
     * has none). So a file whose tests came after the settling ones adds
     * those in a second turn. */
    tc = tcase_create("shared");
    tcase_add_unchecked_fixture(tc, start_shared, stop_shared);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    rq_add_page_tests(tc);
    rq_add_filing_tests(tc);
    rq_add_mail_tests(tc);
    rq_add_approval_tests(tc);
    rq_add_settling_tests(tc);
    rq_add_filing_tests_late(tc);
    rq_add_mail_tests_late(tc);
    rq_add_page_tests_late(tc);
    suite_add_tcase(s, tc);

    rq_add_own_config(s);
    return s;
}
