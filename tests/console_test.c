/* mod_iam integration tests, the console suite (console_test.h): what its
 * files share, defined once. The fixture that starts the business-plan
 * demo with the logins and groups the tests change; requests as a
 * browser makes them (Basic auth, the form's csrf token, url-encoded
 * fields); the checks of a 303, of the security headers, of a page's
 * links; and suite_console(), which gathers the files' TCases. */
#include "console_test.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

iam_httpd_t cs_t_srv; /* the business-plan demo of the running TCase */

/* ---- fixture ---- */

void add_login(const iam_httpd_t *h, const char *login)
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
const char *const test_members[] = {
    "gwen", "jon", "dora", "remy", "gina", "gabe", "crew1", "crew2", "crew3", "otto",
    "dirk", "aud", "ori",  "refu", "xss",  "tina", "tess",  "pia",   "pete",  "edie",
};

void start_on(iam_httpd_t *h, const char *tag, const char *extra)
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
    iam_ctl_or_die(h,
                   "member add xss2 --email xss2@example.com --name '<script>alert(1)</script>'");
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

void start_console(void)
{
    start_on(&srv, "console", NULL);
}

void stop_console(void)
{
    iam_httpd_cleanup(&srv);
}

/* Check passes messages of a few KiB at most: the page from its main
 * part, cut short. */
const char *shown(const char *body)
{
    static char buf[3000];
    const char *m = body ? strstr(body, "<main") : NULL;

    snprintf(buf, sizeof(buf), "%s", m ? m : body ? body : "(none)");
    return buf;
}

/* ---- requests ---- */

void resp_free(resp_t *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

/* A request as `user` (password "<user>-pw"), or with no user. */
resp_t request_on(const iam_httpd_t *h, const char *method, const char *path, const char *user,
                  const char *ctype, const char *body, const char *hdr1, const char *hdr2)
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

resp_t get_on(const iam_httpd_t *h, const char *user, const char *path)
{
    return request_on(h, "GET", path, user, NULL, NULL, NULL, NULL);
}

resp_t get_as(const char *user, const char *path)
{
    return get_on(&srv, user, path);
}

/* The status of one request to a protected path. */
long access_on(const iam_httpd_t *h, const char *user, const char *method, const char *path)
{
    resp_t r = request_on(h, method, path, user, NULL, NULL, NULL, NULL);

    resp_free(&r);
    return r.status;
}

long access_of(const char *user, const char *path)
{
    return access_on(&srv, user, "GET", path);
}

/* `user`'s token, read from a console page as a browser would. */
char *token_on(const iam_httpd_t *h, const char *user, const char *page)
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
char *kv(const char *key, ...)
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
resp_t post_on(const iam_httpd_t *h, const char *path, char *fields)
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

resp_t post_form(const char *path, char *fields)
{
    return post_on(&srv, path, fields);
}

char *export_on(const iam_httpd_t *h)
{
    char *out;

    ck_assert_int_eq(iam_ctl(h, &out, "export"), 0);
    return out;
}

char *export_store(void)
{
    return export_on(&srv);
}

/* A 303 to `want_prefix` (then anything) carrying "done=<done>". */
void ck_see_other(const resp_t *r, const char *want_prefix, const char *done)
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
void ck_security_headers(const char *what, const char *headers, int no_store)
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

/* An attribute's text as the browser reads it (malloc'd): the entities
 * iam_h() writes, back to characters. */
char *html_unescape(const char *s)
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

/* Follows the link whose text is `text` (as HTML) on `page`; returns the
 * answer. */
resp_t follow_link(const char *page, const char *text)
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

/* ---- the suite ---- */

TCase *cs_t_server_case(const char *name, void (*setup)(void), void (*teardown)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    return tc;
}

Suite *suite_console(void)
{
    Suite *s = suite_create("console");

    cs_t_add_pages(s);
    cs_t_add_procedures(s);
    cs_t_add_security(s);
    cs_t_add_names(s);
    cs_t_add_team_plan(s);
    cs_t_add_labels(s);
    return s;
}
