/* mod_iam integration tests, the JSON API: what the test_api_*.c files
 * share (api_test.h says which file tests what): the requests and their
 * checks, the assertions that name the test's line, the store's snapshot,
 * the demo server of the "api" case and suite_api(), which gathers every
 * file's tests. */
#include "api_test.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

iam_httpd_t at_srv; /* the demo, business plan */

/* ---- small helpers ---- */

/* printf into one of a ring of buffers: enough for the few strings a test
 * holds at once, and nothing to free. */
const char *S(const char *fmt, ...)
{
    static char ring[16][8192];
    static int next;
    char *buf = ring[next++ % 16];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(ring[0]), fmt, ap);
    va_end(ap);
    return buf;
}

/* A query-string value, %-escaped. */
const char *esc(const char *s)
{
    static char ring[8][1024];
    static int next;
    char *buf = ring[next++ % 8], *o = buf;

    for (; *s && o < buf + sizeof(ring[0]) - 4; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || strchr("-._~", c))
            *o++ = (char)c;
        else
            o += sprintf(o, "%%%02X", c);
    }
    *o = '\0';
    return buf;
}

void add_user(const iam_httpd_t *h, const char *login)
{
    char *out;
    int rc = iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw' 2>&1", h->root,
                          login, login);

    ck_assert_msg(rc == 0, "htpasswd %s: %s", login, out);
    free(out);
}

/* ---- requests ---- */

void resp_free(resp_t *r)
{
    json_decref(r->json);
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

/* The value of the last `name:` header of the response (the last block:
 * after a 100 Continue), or NULL. In a ring buffer. */
static const char *header(const resp_t *r, const char *name)
{
    static char ring[8][1024];
    static int next;
    char *buf = ring[next++ % 8];
    const char *p = r->headers, *found = NULL;
    size_t n = strlen(name), len;

    while (p && *p) {
        if (!strncasecmp(p, name, n) && p[n] == ':')
            found = p + n + 1;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!found)
        return NULL;
    while (*found == ' ' || *found == '\t')
        found++;
    len = strcspn(found, "\r\n");
    if (len >= sizeof(ring[0]))
        len = sizeof(ring[0]) - 1;
    memcpy(buf, found, len);
    buf[len] = '\0';
    return buf;
}

/* One request. `path` without a leading '/' is under the API. `user` logs
 * in with "<user>-pw" (NULL: no user); `extra` is one more header line. */
long request(const iam_httpd_t *h, const char *user, const char *method, const char *path,
             const char *ctype, const char *body, const char *extra, resp_t *r)
{
    char url[4096], userpass[512];
    iam_req_t req = {method, url, NULL, ctype, body, {extra, NULL}};
    json_error_t jerr;

    snprintf(url, sizeof(url), "%s%s", path[0] == '/' ? "" : API, path);
    if (user) {
        snprintf(userpass, sizeof(userpass), "%s:%s-pw", user, user);
        req.userpass = userpass;
    }
    memset(r, 0, sizeof(*r));
    r->status = iam_http_do(h, &req, &r->body, &r->headers);
    r->json = json_loads(r->body, 0, &jerr);
    return r->status;
}

/* What every answer of the API carries, errors included: JSON, no
 * caching, no sniffing, no framing, a CSP. */
void check_api_answer(const resp_t *r, const char *method, const char *path)
{
    const char *ct = header(r, "Content-Type"), *csp = header(r, "Content-Security-Policy");
    const char *cc = header(r, "Cache-Control"), *xcto = header(r, "X-Content-Type-Options");
    const char *xfo = header(r, "X-Frame-Options");

    ck_assert_msg(r->status > 0, "%s %s: no answer", method, path);
    ck_assert_msg(ct && !strncmp(ct, "application/json", 16), "%s %s (%ld): Content-Type %s",
                  method, path, r->status, ct ? ct : "(none)");
    ck_assert_msg(r->json != NULL, "%s %s (%ld): the body is not JSON: %s", method, path, r->status,
                  r->body);
    ck_assert_msg(cc && !strcmp(cc, "no-store"), "%s %s (%ld): Cache-Control %s", method, path,
                  r->status, cc ? cc : "(none)");
    ck_assert_msg(xcto && !strcmp(xcto, "nosniff"), "%s %s (%ld): X-Content-Type-Options %s",
                  method, path, r->status, xcto ? xcto : "(none)");
    ck_assert_msg(xfo && !strcmp(xfo, "DENY"), "%s %s (%ld): X-Frame-Options %s", method, path,
                  r->status, xfo ? xfo : "(none)");
    ck_assert_msg(csp && strstr(csp, "default-src 'none'") && strstr(csp, "frame-ancestors 'none'"),
                  "%s %s (%ld): Content-Security-Policy %s", method, path, r->status,
                  csp ? csp : "(none)");
}

/* As olivia on `h`, a JSON body or none; the answer is checked above. */
long api_on(const iam_httpd_t *h, const char *method, const char *path, const char *json, resp_t *r)
{
    request(h, "olivia", method, path, json ? "application/json" : NULL, json, NULL, r);
    check_api_answer(r, method, path);
    return r->status;
}

long api(const char *method, const char *path, const char *json, resp_t *r)
{
    return api_on(&srv, method, path, json, r);
}

/* The status of a request to the site itself (not the API) as `user`. */
long site_status(const iam_httpd_t *h, const char *method, const char *path, const char *user)
{
    char userpass[512], *body;
    long st;

    snprintf(userpass, sizeof(userpass), "%s:%s-pw", user, user);
    st = iam_http(h, method, path, userpass, &body);
    free(body);
    return st;
}

/* ---- assertions that name the test's line ---- */

/* Whether `code` is one of the '|'-separated `codes`. */
static int code_in(const char *code, const char *codes)
{
    size_t n = strlen(code);

    for (;;) {
        if (!strncmp(codes, code, n) && (codes[n] == '|' || !codes[n]))
            return 1;
        if (!(codes = strchr(codes, '|')))
            return 0;
        codes++;
    }
}

/* {"error":{"code","message"}} with one of `codes`. A refusal in the authz
 * phase (`denial`) may add what was refused, as the README's "Request
 * access" shows: "resource", "level", "request_access", "request_pending". */
void expect_error(int line, const resp_t *r, long want, const char *codes, int denial)
{
    static const char *const extras[] = {"resource", "level", "request_access", "request_pending"};
    json_t *e = r->json ? json_object_get(r->json, "error") : NULL;
    json_t *c = e ? json_object_get(e, "code") : NULL,
           *m = e ? json_object_get(e, "message") : NULL;
    size_t keys = 1, i;

    ck_assert_msg(r->status == want, "line %d: status %ld, want %ld; body: %s", line, r->status,
                  want, r->body);
    for (i = 0; denial && i < sizeof(extras) / sizeof(extras[0]); i++)
        keys += json_object_get(r->json, extras[i]) != NULL;
    ck_assert_msg(json_is_object(r->json) && json_object_size(r->json) == keys &&
                      (keys == 1 || keys == 5) && json_is_object(e) && json_object_size(e) == 2,
                  "line %d: not {\"error\":{\"code\",\"message\"}}: %s", line, r->body);
    ck_assert_msg(json_is_string(c) && code_in(json_string_value(c), codes),
                  "line %d: error code is not \"%s\": %s", line, codes, r->body);
    ck_assert_msg(json_is_string(m) && json_string_length(m) > 0, "line %d: no message: %s", line,
                  r->body);
}

void expect_json(int line, json_t *obj, const char *key, const char *want)
{
    json_error_t jerr;
    json_t *w = json_loads(want, JSON_DECODE_ANY, &jerr);
    json_t *got = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    char *gs = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

    ck_assert_msg(w != NULL, "line %d: the expected value is not JSON: %s", line, want);
    ck_assert_msg(got && json_equal(got, w), "line %d: \"%s\" is %s, want %s", line, key,
                  gs ? gs : "(absent)", want);
    free(gs);
    json_decref(w);
}

void expect_str(int line, json_t *obj, const char *key, const char *want)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    ck_assert_msg(json_is_string(v), "line %d: \"%s\" is not a string", line, key);
    ck_assert_msg(!strcmp(json_string_value(v), want), "line %d: \"%s\" is \"%s\", want \"%s\"",
                  line, key, json_string_value(v), want);
}

void expect_keys(int line, json_t *obj, const char *keys)
{
    char copy[512], *k, *save;
    size_t n = 0;

    ck_assert_msg(json_is_object(obj), "line %d: not an object", line);
    snprintf(copy, sizeof(copy), "%s", keys);
    for (k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save), n++)
        ck_assert_msg(json_object_get(obj, k) != NULL, "line %d: no \"%s\" in %s", line, k,
                      json_dumps(obj, JSON_COMPACT));
    ck_assert_msg(json_object_size(obj) == n, "line %d: keys are not exactly %s: %s", line, keys,
                  json_dumps(obj, JSON_COMPACT));
}

int has_string(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return 1;
    }
    return 0;
}

/* "2026-11-27T14:40:19Z" */
int is_time(json_t *v)
{
    const char *s = json_string_value(v);
    int i;

    if (!s || strlen(s) != 20)
        return 0;
    for (i = 0; i < 20; i++) {
        char want = "dddd-dd-ddTdd:dd:ddZ"[i];
        if (want == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != want)
            return 0;
    }
    return 1;
}

/* ---- the store, as a whole ---- */

long long newest_audit_on(const iam_httpd_t *h)
{
    resp_t r;
    json_t *a;
    long long seq;

    api_on(h, "GET", "audit?limit=1", NULL, &r);
    EXPECT_STATUS(r, 200);
    a = json_array_get(json_object_get(r.json, "audit"), 0);
    seq = a ? json_integer_value(json_object_get(a, "seq")) : 0;
    resp_free(&r);
    return seq;
}

/* Everything a change could touch: `iamctl export` and the newest audit
 * entry. malloc'd. */
char *snapshot_of(const iam_httpd_t *h)
{
    char *out, *snap;
    long long seq = newest_audit_on(h);

    ck_assert_int_eq(iam_ctl(h, &out, "export"), 0);
    snap = malloc(strlen(out) + 64);
    sprintf(snap, "audit %lld\n%s", seq, out);
    free(out);
    return snap;
}

void expect_unchanged(int line, char *before, const iam_httpd_t *h)
{
    char *after = snapshot_of(h);
    size_t at = 0, from;

    while (before[at] && before[at] == after[at])
        at++;
    from = at > 120 ? at - 120 : 0;
    /* Check's messages are short: the first difference, in context */
    ck_assert_msg(!before[at] && !after[at],
                  "line %d: the store changed at byte %zu:\nbefore: ...%.300s\nafter:  ...%.300s",
                  line, at, before + from, after + from);
    free(before);
    free(after);
}

/* Makes an active member through the API (and a password for them when
 * `login` is true). */
void make_member(const char *name, const char *extra_json, int login)
{
    resp_t r;

    api("POST", "members",
        S("{\"login\":\"%s\",\"status\":\"active\",\"email\":\"%s@example.com\"%s%s}", name, name,
          extra_json ? "," : "", extra_json ? extra_json : ""),
        &r);
    ck_assert_msg(r.status == 201, "creating %s: %ld %s", name, r.status, r.body);
    resp_free(&r);
    if (login)
        add_user(&srv, name);
}

/* ---- the demo server ---- */

static void start_api(void)
{
    iam_httpd_prepare(&srv, "api");
    if (iam_httpd_start(&srv, "event", NULL, NULL) != 0) {
        char *log = iam_httpd_log(&srv);
        fprintf(stderr, "apache2 did not start:\n%s\n", log);
        free(log);
        iam_httpd_cleanup(&srv);
        abort();
    }
}

static void stop_api(void)
{
    iam_httpd_cleanup(&srv);
}

Suite *suite_api(void)
{
    Suite *s = suite_create("api");
    TCase *tc;

    tc = tcase_create("api");
    tcase_add_unchecked_fixture(tc, start_api, stop_api);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    at_add_access_tests(tc);
    at_add_member_tests(tc);
    at_add_group_tests(tc);
    at_add_workspace_tests(tc);
    at_add_refused_tests(tc);
    at_add_label_tests(tc);
    suite_add_tcase(s, tc);

    at_add_team(s);
    return s;
}
