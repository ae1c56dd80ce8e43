/* mod_iam integration tests: the JSON API under /iam/api/v1/ of the demo
 * site (conf/demo), spoken to over real HTTP on the real apache2.
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. Every password
 * is "<login>-pw".
 *
 * One server serves every test of the "api" TCase (an unchecked fixture),
 * so each test makes its own members and groups, with names no other test
 * uses, and never removes or demotes olivia. Every response of the API is
 * checked for JSON and the security headers as it arrives (api()). Every
 * refused change is checked to leave the store as it was: the export and
 * the newest audit entry before and after. The "team" TCase starts its own
 * server under IAMPlan team for each test (a checked fixture). */
#include "iam_test.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define API "/iam/api/v1/"
#define BODY_MAX (64 * 1024)

static iam_httpd_t srv;  /* the demo, business plan */
static iam_httpd_t team; /* the demo under IAMPlan team */

/* ---- small helpers ---- */

/* printf into one of a ring of buffers: enough for the few strings a test
 * holds at once, and nothing to free. */
static const char *S(const char *fmt, ...)
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
static const char *esc(const char *s)
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

static void add_user(const iam_httpd_t *h, const char *login)
{
    char *out;
    int rc = iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw' 2>&1", h->root,
                          login, login);

    ck_assert_msg(rc == 0, "htpasswd %s: %s", login, out);
    free(out);
}

/* ---- requests ---- */

typedef struct {
    long status;
    char *body, *headers;
    json_t *json; /* the body parsed, or NULL */
} resp_t;

static void resp_free(resp_t *r)
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
static long request(const iam_httpd_t *h, const char *user, const char *method, const char *path,
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
static void check_api_answer(const resp_t *r, const char *method, const char *path)
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
static long api_on(const iam_httpd_t *h, const char *method, const char *path, const char *json,
                   resp_t *r)
{
    request(h, "olivia", method, path, json ? "application/json" : NULL, json, NULL, r);
    check_api_answer(r, method, path);
    return r->status;
}

static long api(const char *method, const char *path, const char *json, resp_t *r)
{
    return api_on(&srv, method, path, json, r);
}

/* The status of a request to the site itself (not the API) as `user`. */
static long site_status(const iam_httpd_t *h, const char *method, const char *path,
                        const char *user)
{
    char userpass[512], *body;
    long st;

    snprintf(userpass, sizeof(userpass), "%s:%s-pw", user, user);
    st = iam_http(h, method, path, userpass, &body);
    free(body);
    return st;
}

/* ---- assertions that name the test's line ---- */

#define EXPECT_STATUS(r, want)                                                                     \
    ck_assert_msg((r).status == (want), "line %d: status %ld, want %d; body: %s", __LINE__,        \
                  (r).status, (int)(want), (r).body)

#define EXPECT_ERROR(r, want, code) expect_error(__LINE__, &(r), (want), (code), 0)

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
static void expect_error(int line, const resp_t *r, long want, const char *codes, int denial)
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

/* obj[key] equals the JSON text `want` (objects compare without order). */
#define EXPECT_JSON(obj, key, want) expect_json(__LINE__, (obj), (key), (want))

static void expect_json(int line, json_t *obj, const char *key, const char *want)
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

#define EXPECT_STR(obj, key, want) expect_str(__LINE__, (obj), (key), (want))

static void expect_str(int line, json_t *obj, const char *key, const char *want)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    ck_assert_msg(json_is_string(v), "line %d: \"%s\" is not a string", line, key);
    ck_assert_msg(!strcmp(json_string_value(v), want), "line %d: \"%s\" is \"%s\", want \"%s\"",
                  line, key, json_string_value(v), want);
}

/* The object has exactly these keys (comma-separated). */
#define EXPECT_KEYS(obj, keys) expect_keys(__LINE__, (obj), (keys))

static void expect_keys(int line, json_t *obj, const char *keys)
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

static int has_string(json_t *arr, const char *s)
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
static int is_time(json_t *v)
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

static long long newest_audit_on(const iam_httpd_t *h)
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
static char *snapshot_of(const iam_httpd_t *h)
{
    char *out, *snap;
    long long seq = newest_audit_on(h);

    ck_assert_int_eq(iam_ctl(h, &out, "export"), 0);
    snap = malloc(strlen(out) + 64);
    sprintf(snap, "audit %lld\n%s", seq, out);
    free(out);
    return snap;
}

#define EXPECT_UNCHANGED(before, h) expect_unchanged(__LINE__, (before), (h))

static void expect_unchanged(int line, char *before, const iam_httpd_t *h)
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
static void make_member(const char *name, const char *extra_json, int login)
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

/* ---- who gets in ---- */

static const struct {
    const char *user, *method, *path, *body;
    long want;
    const char *code; /* NULL: a success; else the codes that fit, '|'-separated */
    int denial;       /* refused before the handler, by Require iam-member */
} access_cases[] = {
    {NULL, "GET", "members", NULL, 401, "unauthorized"},
    {NULL, "POST", "members", "{\"login\":\"acc-anon\",\"status\":\"active\"}", 401,
     "unauthorized"},
    {"max", "GET", "members", NULL, 403, "forbidden"},
    {"max", "GET", "roles", NULL, 403, "forbidden"},
    {"sam", "GET", "members", NULL, 403, "forbidden"},
    {"rita", "GET", "groups", NULL, 403, "forbidden"},
    {"max", "POST", "members", "{\"login\":\"acc-max\",\"status\":\"active\"}", 403, "forbidden"},
    {"sam", "PATCH", "members/sam",
     "{\"grants\":[{\"role\":\"workspace-owner\",\"scope\":\"all\"}]}", 403, "forbidden"},
    {"sam", "POST", "members/sam/grants", "{\"role\":\"workspace-owner\",\"scope\":\"all\"}", 403,
     "forbidden"},
    {"rita", "DELETE", "members/max", NULL, 403, "forbidden"},
    {"rita", "DELETE", "groups/analysts", NULL, 403, "forbidden"},
    {"nora", "GET", "members", NULL, 403, "forbidden|not_a_member", 1},
    {"nora", "POST", "members", "{\"login\":\"nora\",\"status\":\"active\"}", 403,
     "forbidden|not_a_member", 1},
    {"olivia", "GET", "members", NULL, 200, NULL},
    {"olivia", "GET", "audit", NULL, 200, NULL},
};

START_TEST(test_access)
{
    const char *user = access_cases[_i].user, *method = access_cases[_i].method;
    const char *path = access_cases[_i].path, *body = access_cases[_i].body;
    char *before = snapshot_of(&srv);
    resp_t r;

    request(&srv, user, method, path, body ? "application/json" : NULL, body, NULL, &r);
    ck_assert_msg(r.status == access_cases[_i].want, "%s %s as %s: got %ld, want %ld: %s", method,
                  path, user ? user : "(no user)", r.status, access_cases[_i].want, r.body);
    EXPECT_UNCHANGED(before, &srv);
    check_api_answer(&r, method, path);
    if (access_cases[_i].code)
        expect_error(__LINE__, &r, access_cases[_i].want, access_cases[_i].code,
                     access_cases[_i].denial);
    /* a non-member cannot ask for access: there is nothing to give */
    if (access_cases[_i].denial && json_object_get(r.json, "request_access"))
        ck_assert(json_is_false(json_object_get(r.json, "request_access")));
    resp_free(&r);
}
END_TEST

START_TEST(test_wrong_password_is_401)
{
    resp_t r;
    iam_req_t req = {"GET", API "members", "olivia:not-her-password", NULL, NULL, {NULL}};

    memset(&r, 0, sizeof(r));
    r.status = iam_http_do(&srv, &req, &r.body, &r.headers);
    ck_assert_int_eq(r.status, 401);
    resp_free(&r);
}
END_TEST

/* Outside api/v1/: still the API's JSON, never the HTML console. */
START_TEST(test_unknown_api_paths)
{
    resp_t r;

    api("GET", "/iam/api", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api("GET", "/iam/api/v2/members", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api("GET", "nothing-here", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api("GET", "", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
}
END_TEST

/* ---- members ---- */

#define MEMBER_KEYS "login,email,name,status,owner,pii,provisioned,created,groups,grants"

START_TEST(test_members_list)
{
    resp_t r;
    json_t *list, *m, *olivia = NULL;
    size_t i;

    api("GET", "members?limit=500", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "members,next,total");
    list = json_object_get(r.json, "members");
    ck_assert(json_is_array(list));
    ck_assert_int_ge(json_array_size(list), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "total")),
                     (long long)json_array_size(list));
    ck_assert(json_is_null(json_object_get(r.json, "next")));
    json_array_foreach(list, i, m)
    {
        EXPECT_KEYS(m, MEMBER_KEYS);
        ck_assert(is_time(json_object_get(m, "created")));
        if (!strcmp(json_string_value(json_object_get(m, "login")), "olivia"))
            olivia = m;
    }
    ck_assert_ptr_nonnull(olivia);
    EXPECT_STR(olivia, "email", "olivia@example.com");
    EXPECT_STR(olivia, "name", "Olivia Owner");
    EXPECT_STR(olivia, "status", "active");
    EXPECT_JSON(olivia, "owner", "true");
    EXPECT_JSON(olivia, "pii", "false");
    EXPECT_JSON(olivia, "groups", "[]");
    EXPECT_JSON(olivia, "grants", "[{\"role\":\"workspace-owner\",\"scope\":\"all\"}]");
    resp_free(&r);
}
END_TEST

/* limit=2 pages, each continued from "next", visit every member once, in
 * login order, and end with "next": null. */
START_TEST(test_members_paging)
{
    char seen[64][300];
    int nseen = 0, pages = 0, i, j;
    long long total = -1;
    const char *after = NULL;
    char next[300];
    resp_t r;

    make_member("pg-a", NULL, 0);
    make_member("pg-b", NULL, 0);
    make_member("pg-c", NULL, 0);
    for (;;) {
        json_t *list, *m, *nx;
        size_t k;
        api("GET", after ? S("members?limit=2&after=%s", esc(after)) : "members?limit=2", NULL, &r);
        EXPECT_STATUS(r, 200);
        list = json_object_get(r.json, "members");
        nx = json_object_get(r.json, "next");
        total = json_integer_value(json_object_get(r.json, "total"));
        pages++;
        ck_assert_int_le(json_array_size(list), 2);
        json_array_foreach(list, k, m)
        {
            const char *login = json_string_value(json_object_get(m, "login"));
            ck_assert_int_lt(nseen, 64);
            for (j = 0; j < nseen; j++)
                ck_assert_msg(strcasecmp(seen[j], login), "%s seen twice", login);
            if (nseen > 0)
                ck_assert_msg(strcasecmp(seen[nseen - 1], login) < 0, "%s after %s", login,
                              seen[nseen - 1]);
            snprintf(seen[nseen++], sizeof(seen[0]), "%s", login);
        }
        if (json_is_null(nx)) {
            resp_free(&r);
            break;
        }
        /* a full page, continued from its last member */
        ck_assert_int_eq(json_array_size(list), 2);
        ck_assert(json_is_string(nx));
        ck_assert_str_eq(json_string_value(nx), seen[nseen - 1]);
        snprintf(next, sizeof(next), "%s", json_string_value(nx));
        after = next;
        resp_free(&r);
        ck_assert_int_lt(pages, 40);
    }
    ck_assert_int_eq(nseen, total);
    ck_assert_int_eq(pages, (nseen + 1) / 2);
    /* the whole list in one page says the same */
    api("GET", "members?limit=500", NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "members")), nseen);
    for (i = 0; i < nseen; i++)
        EXPECT_STR(json_array_get(json_object_get(r.json, "members"), i), "login", seen[i]);
    resp_free(&r);
    /* limits out of range */
    api("GET", "members?limit=0", NULL, &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("GET", "members?limit=501", NULL, &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
}
END_TEST

/* The logins a search answers, in order, comma-separated (ring buffer). */
static const char *search(const char *q)
{
    static char ring[4][4096];
    static int next;
    char *buf = ring[next++ % 4];
    resp_t r;
    json_t *m;
    size_t i;

    buf[0] = '\0';
    api("GET", S("members?limit=500&q=%s", esc(q)), NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert(json_is_null(json_object_get(r.json, "next")));
    json_array_foreach(json_object_get(r.json, "members"), i, m)
    {
        if (buf[0])
            strcat(buf, ",");
        strncat(buf, json_string_value(json_object_get(m, "login")), 200);
    }
    resp_free(&r);
    return buf;
}

START_TEST(test_members_search)
{
    make_member("srch-one", "\"name\":\"Quentin Quibble\"", 0);
    make_member("srch-two", "\"name\":\"Zed Quibbleson\"", 0);
    /* by name, case-insensitively, as a substring */
    ck_assert_str_eq(search("quentin QUIBBLE"), "srch-one");
    ck_assert_str_eq(search("QUIBBLE"), "srch-one,srch-two");
    ck_assert_str_eq(search("rita reader"), "rita");
    /* by email */
    ck_assert_str_eq(search("SRCH-TWO@EXAMPLE"), "srch-two");
    ck_assert_str_eq(search("sam@example.com"), "sam");
    ck_assert_str_eq(search("no-such-text-anywhere"), "");
    /* paging inside a search */
    {
        resp_t r;
        api("GET", "members?q=quibble&limit=1", NULL, &r);
        EXPECT_STATUS(r, 200);
        EXPECT_JSON(r.json, "next", "\"srch-one\"");
        ck_assert_int_eq(json_array_size(json_object_get(r.json, "members")), 1);
        resp_free(&r);
        api("GET", "members?q=quibble&limit=1&after=srch-one", NULL, &r);
        EXPECT_STATUS(r, 200);
        EXPECT_JSON(r.json, "next", "null");
        EXPECT_STR(json_array_get(json_object_get(r.json, "members"), 0), "login", "srch-two");
        resp_free(&r);
    }
}
END_TEST

START_TEST(test_member_show)
{
    resp_t r;

    api("GET", "members/rita", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, MEMBER_KEYS);
    EXPECT_STR(r.json, "login", "rita");
    EXPECT_STR(r.json, "email", "rita@example.com");
    EXPECT_STR(r.json, "name", "Rita Reader");
    EXPECT_STR(r.json, "status", "active");
    EXPECT_JSON(r.json, "owner", "false");
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    EXPECT_JSON(r.json, "grants", "[]");
    resp_free(&r);
    /* logins match exactly (IAMLoginCase exact): SAM is not sam */
    api("GET", "members/SAM", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api("GET", "members/sam", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "login", "sam");
    EXPECT_JSON(
        r.json, "grants",
        "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\"]}]");
    resp_free(&r);
    api("GET", "members/nobody-at-all", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
}
END_TEST

/* An invitation: login = email, status invited; the first login makes the
 * member active, and the grants given work. */
/* Whether the API shows `login` as an active member. */
static int member_active(const char *login)
{
    char path[300];
    resp_t r;
    const char *status;
    int yes;

    snprintf(path, sizeof(path), "members/%s", login);
    api("GET", path, NULL, &r);
    status = json_string_value(json_object_get(r.json, "status"));
    yes = r.status == 200 && status && !strcmp(status, "active");
    resp_free(&r);
    return yes;
}

START_TEST(test_member_invite)
{
    resp_t r;

    api("POST", "members",
        "{\"email\":\"ivy@example.com\",\"name\":\"Ivy Invite\",\"grants\":[{\"role\":"
        "\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}],\"groups\":"
        "[\"analysts\"]}",
        &r);
    EXPECT_STATUS(r, 201);
    EXPECT_KEYS(r.json, MEMBER_KEYS);
    EXPECT_STR(r.json, "login", "ivy@example.com");
    EXPECT_STR(r.json, "email", "ivy@example.com");
    EXPECT_STR(r.json, "name", "Ivy Invite");
    EXPECT_STR(r.json, "status", "invited");
    EXPECT_JSON(r.json, "owner", "false");
    EXPECT_JSON(r.json, "pii", "false");
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}]");
    ck_assert(is_time(json_object_get(r.json, "created")));
    resp_free(&r);
    api("GET", "members/ivy@example.com", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "status", "invited");
    resp_free(&r);

    /* the first login activates; her grant and her group's both count */
    add_user(&srv, "ivy@example.com");
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "ivy@example.com"), 200);
    ck_assert_int_eq(site_status(&srv, "POST", "/sources/web/", "ivy@example.com"), 200);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "ivy@example.com"), 200);
    ck_assert_int_eq(site_status(&srv, "POST", "/sources/checkout/", "ivy@example.com"), 403);
    ck_assert_int_eq(site_status(&srv, "GET", "/warehouses/main/", "ivy@example.com"), 403);
    IAM_EVENTUALLY(member_active("ivy@example.com")); /* written just after the answer */
    api("GET", "members/ivy@example.com", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "status", "active");
    resp_free(&r);

    /* an invitation with its own login, into a group */
    api("POST", "members",
        "{\"login\":\"ian\",\"email\":\"ian@example.com\",\"status\":\"invited\","
        "\"groups\":[\"analysts\"]}",
        &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "login", "ian");
    EXPECT_STR(r.json, "status", "invited");
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    EXPECT_JSON(r.json, "grants", "[]");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_create_active)
{
    resp_t r;

    api("POST", "members",
        "{\"login\":\"Alan\",\"email\":\"alan@example.com\",\"name\":\"Alan Active\","
        "\"status\":\"active\",\"pii\":true,\"grants\":[{\"role\":\"warehouse-read-only\","
        "\"scope\":\"all\"},{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":"
        "[\"env:prod\",\"team:growth\"]}]}",
        &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "login", "Alan");
    EXPECT_STR(r.json, "email", "alan@example.com");
    EXPECT_STR(r.json, "name", "Alan Active");
    EXPECT_STR(r.json, "status", "active");
    EXPECT_JSON(r.json, "pii", "true");
    EXPECT_JSON(r.json, "owner", "false");
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"},{\"role\":\"source-read-"
                "only\",\"scope\":\"labels\",\"labels\":[\"env:prod\",\"team:growth\"]}]");
    resp_free(&r);
    /* the login as given, found as given */
    api("GET", "members/Alan", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "login", "Alan");
    resp_free(&r);
    api("GET", "members/alan", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    /* and it works: Alan is in the password file as "Alan" */
    add_user(&srv, "Alan");
    ck_assert_int_eq(site_status(&srv, "GET", "/warehouses/main/", "Alan"), 200);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "Alan"), 200);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "Alan"), 403);
    /* a login only: no email, no name */
    api("POST", "members", "{\"login\":\"bare\",\"status\":\"active\"}", &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "email", "");
    EXPECT_STR(r.json, "name", "");
    EXPECT_STR(r.json, "status", "active");
    resp_free(&r);
    /* a name but neither login nor email */
    api("POST", "members", "{\"name\":\"Nobody\"}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
}
END_TEST

/* PATCH changes what it names and nothing else. */
START_TEST(test_member_patch)
{
    const char *grants0 =
        "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\"]}]";
    resp_t r;

    api("POST", "members",
        S("{\"login\":\"pat\",\"status\":\"active\",\"email\":\"pat@example.com\",\"name\":"
          "\"Pat\",\"groups\":[\"analysts\"],\"grants\":%s}",
          grants0),
        &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);

    api("PATCH", "members/pat", "{\"name\":\"Pat Two\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "name", "Pat Two");
    EXPECT_STR(r.json, "email", "pat@example.com");
    EXPECT_STR(r.json, "status", "active");
    EXPECT_JSON(r.json, "pii", "false");
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    EXPECT_JSON(r.json, "grants", grants0);
    resp_free(&r);

    api("PATCH", "members/pat", "{\"email\":\"pat2@example.com\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "email", "pat2@example.com");
    EXPECT_STR(r.json, "name", "Pat Two");
    EXPECT_JSON(r.json, "grants", grants0);
    resp_free(&r);
    /* the old email is free again, the new one taken */
    api("POST", "members", "{\"login\":\"pat-old\",\"email\":\"pat@example.com\"}", &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    api("POST", "members", "{\"login\":\"pat-new\",\"email\":\"pat2@example.com\"}", &r);
    EXPECT_ERROR(r, 409, "exists");
    resp_free(&r);

    api("PATCH", "members/pat", "{\"pii\":true}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "pii", "true");
    EXPECT_STR(r.json, "name", "Pat Two");
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    EXPECT_JSON(r.json, "grants", grants0);
    resp_free(&r);

    /* grants replace the whole set */
    api("PATCH", "members/pat",
        "{\"grants\":[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"},{\"role\":\"Personas "
        "User\",\"scope\":\"resources\",\"resources\":[\"s1\",\"s2\"]}]}",
        &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"},{\"role\":\"personas-"
                "user\",\"scope\":\"resources\",\"resources\":[\"s1\",\"s2\"]}]");
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    EXPECT_JSON(r.json, "pii", "true");
    EXPECT_STR(r.json, "email", "pat2@example.com");
    resp_free(&r);

    /* groups replace the whole set, seen from the group too */
    api("PATCH", "members/pat", "{\"groups\":[]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "groups", "[]");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "grants")), 2);
    resp_free(&r);
    api("GET", "groups/analysts", NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert(!has_string(json_object_get(r.json, "members"), "pat"));
    resp_free(&r);
    api("PATCH", "members/pat", "{\"groups\":[\"Analysts\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "groups", "[\"analysts\"]");
    resp_free(&r);
    api("GET", "groups/analysts", NULL, &r);
    ck_assert(has_string(json_object_get(r.json, "members"), "pat"));
    resp_free(&r);

    /* an empty body changes nothing */
    api("PATCH", "members/pat", "{}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "name", "Pat Two");
    EXPECT_JSON(r.json, "pii", "true");
    resp_free(&r);
    /* "" clears the email */
    api("PATCH", "members/pat", "{\"email\":\"\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "email", "");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_delete)
{
    resp_t r;

    make_member("dell", "\"groups\":[\"analysts\"]", 1);
    ck_assert_int_eq(site_status(&srv, "GET", "/", "dell"), 200);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "dell"), 200);
    api("DELETE", "members/dell", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "login", "\"dell\"");
    EXPECT_JSON(r.json, "removed", "true");
    resp_free(&r);
    api("GET", "members/dell", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api("GET", "groups/analysts", NULL, &r);
    ck_assert(!has_string(json_object_get(r.json, "members"), "dell"));
    resp_free(&r);
    api("DELETE", "members/dell", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    /* gone for real: not even the home page */
    ck_assert_int_eq(site_status(&srv, "GET", "/", "dell"), 403);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "dell"), 403);
    /* the email is free again */
    api("POST", "members", "{\"login\":\"dell2\",\"email\":\"dell@example.com\"}", &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);
}
END_TEST

START_TEST(test_member_grants)
{
    resp_t r;

    make_member("gary", NULL, 1);
    api("POST", "members/gary/grants",
        "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "login", "gary");
    EXPECT_JSON(
        r.json, "grants",
        "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\"]}]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/settings/", "gary"), 200);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "gary"), 403);
    /* resources merge into the role's one grant */
    api("POST", "members/gary/grants",
        "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\","
                "\"web\"]}]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "gary"), 200);
    /* a grant already held */
    api("POST", "members/gary/grants",
        "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_ERROR(r, 409, "exists");
    resp_free(&r);
    /* by display name; labels */
    api("POST", "members/gary/grants",
        "{\"role\":\"Source Read-only\",\"scope\":\"labels\",\"labels\":[\"env:dev\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\","
                "\"web\"]},{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":[\"env:"
                "dev\"]}]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gary"), 200);
    ck_assert_int_eq(site_status(&srv, "POST", "/sources/ios/", "gary"), 403);

    /* revoke one resource */
    api("POST", "members/gary/grants/revoke",
        "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\"]},"
                "{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":[\"env:dev\"]}]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "gary"), 403);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "gary"), 200);
    /* a resource not held */
    api("POST", "members/gary/grants/revoke",
        "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"ios\"]}", &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    /* another grant of the role, then without "scope": every one of them */
    api("POST", "members/gary/grants", "{\"role\":\"source-admin\",\"scope\":\"all\"}", &r);
    EXPECT_STATUS(r, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "grants")), 3);
    resp_free(&r);
    api("POST", "members/gary/grants/revoke", "{\"role\":\"source-admin\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":[\"env:dev\"]}]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "gary"), 403);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gary"), 200);
    api("POST", "members/gary/grants/revoke", "{\"role\":\"source-admin\"}", &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    /* a label grant goes by its exact set */
    api("POST", "members/gary/grants/revoke",
        "{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":[\"env:dev\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants", "[]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gary"), 403);
}
END_TEST

/* The warehouse: granted through the API, seen at once by the site;
 * revoked, refused at once. */
START_TEST(test_grant_takes_effect)
{
    resp_t r;

    make_member("wendy", NULL, 1);
    ck_assert_int_eq(site_status(&srv, "GET", "/warehouses/main/", "wendy"), 403);
    api("POST", "members/wendy/grants", "{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/warehouses/main/", "wendy"), 200);
    ck_assert_int_eq(site_status(&srv, "POST", "/warehouses/main/", "wendy"), 403);
    api("POST", "members/wendy/grants/revoke", "{\"role\":\"warehouse-read-only\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants", "[]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/warehouses/main/", "wendy"), 403);
    /* through PATCH: admin, then nothing */
    api("PATCH", "members/wendy", "{\"grants\":[{\"role\":\"warehouse-admin\",\"scope\":\"all\"}]}",
        &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "POST", "/warehouses/main/", "wendy"), 200);
    api("PATCH", "members/wendy", "{\"grants\":[]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants", "[]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/warehouses/main/", "wendy"), 403);
    /* an owner made through the API is one; taken back, is not */
    ck_assert_int_eq(site_status(&srv, "GET", "/owners/", "wendy"), 403);
    api("POST", "members/wendy/grants", "{\"role\":\"workspace-owner\",\"scope\":\"all\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "owner", "true");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/owners/", "wendy"), 200);
    api("POST", "members/wendy/grants/revoke", "{\"role\":\"workspace-owner\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "owner", "false");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/owners/", "wendy"), 403);
}
END_TEST

/* With a second owner, olivia could be demoted; the last owner never. */
START_TEST(test_last_owner)
{
    char *before;
    resp_t r;

    before = snapshot_of(&srv);
    api("DELETE", "members/olivia", NULL, &r);
    EXPECT_ERROR(r, 409, "last_owner");
    resp_free(&r);
    api("PATCH", "members/olivia", "{\"grants\":[]}", &r);
    EXPECT_ERROR(r, 409, "last_owner");
    resp_free(&r);
    api("PATCH", "members/olivia",
        "{\"name\":\"Demoted\",\"grants\":[{\"role\":\"source-admin\",\"scope\":\"all\"}]}", &r);
    EXPECT_ERROR(r, 409, "last_owner");
    resp_free(&r);
    api("POST", "members/olivia/grants/revoke", "{\"role\":\"workspace-owner\"}", &r);
    EXPECT_ERROR(r, 409, "last_owner");
    resp_free(&r);
    api("POST", "members/olivia/grants/revoke", "{\"role\":\"workspace-owner\",\"scope\":\"all\"}",
        &r);
    EXPECT_ERROR(r, 409, "last_owner");
    resp_free(&r);
    EXPECT_UNCHANGED(before, &srv);

    /* a second owner, who can be demoted while olivia stays */
    make_member("otto", "\"grants\":[{\"role\":\"workspace-owner\",\"scope\":\"all\"}]", 0);
    api("PATCH", "members/otto", "{\"grants\":[]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "owner", "false");
    resp_free(&r);
    api("GET", "members/olivia", NULL, &r);
    EXPECT_JSON(r.json, "owner", "true");
    resp_free(&r);
}
END_TEST

/* JSON is data: a name with markup comes back exactly as given. */
START_TEST(test_markup_is_data)
{
    const char *name = "<script>alert(1)</script>";
    resp_t r;

    api("POST", "members",
        "{\"login\":\"xss\",\"status\":\"active\",\"name\":\"<script>alert(1)</script>\"}", &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "name", name);
    resp_free(&r);
    api("GET", "members/xss", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "name", name);
    resp_free(&r);
    ck_assert_str_eq(search("<script>"), "xss");
    api("POST", "groups", "{\"name\":\"<b onmouseover=x>g</b>\",\"members\":[\"xss\"]}", &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "name", "<b onmouseover=x>g</b>");
    resp_free(&r);
    api("GET", "members/xss", NULL, &r);
    EXPECT_JSON(r.json, "groups", "[\"<b onmouseover=x>g</b>\"]");
    resp_free(&r);
}
END_TEST

/* ---- groups ---- */

#define GROUP_KEYS "name,pii,created,member_count,grants"

START_TEST(test_groups_list)
{
    resp_t r;
    json_t *g, *analysts = NULL;
    size_t i;

    api("GET", "groups", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "groups");
    json_array_foreach(json_object_get(r.json, "groups"), i, g)
    {
        EXPECT_KEYS(g, GROUP_KEYS);
        ck_assert(is_time(json_object_get(g, "created")));
        if (!strcmp(json_string_value(json_object_get(g, "name")), "analysts"))
            analysts = g;
    }
    ck_assert_ptr_nonnull(analysts);
    EXPECT_JSON(analysts, "pii", "false");
    EXPECT_JSON(analysts, "grants", "[{\"role\":\"source-read-only\",\"scope\":\"all\"}]");
    ck_assert_int_ge(json_integer_value(json_object_get(analysts, "member_count")), 1);
    resp_free(&r);
    api("GET", "groups/ANALYSTS", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, GROUP_KEYS ",members");
    EXPECT_STR(r.json, "name", "analysts");
    ck_assert(has_string(json_object_get(r.json, "members"), "rita"));
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "member_count")),
                     (long long)json_array_size(json_object_get(r.json, "members")));
    resp_free(&r);
}
END_TEST

/* The groups of a member, as the member's record says. */
static const char *groups_of(const char *login)
{
    static char ring[4][1024];
    static int next;
    char *buf = ring[next++ % 4];
    resp_t r;

    api("GET", S("members/%s", login), NULL, &r);
    EXPECT_STATUS(r, 200);
    snprintf(buf, sizeof(ring[0]), "%s",
             json_dumps(json_object_get(r.json, "groups"), JSON_COMPACT));
    resp_free(&r);
    return buf;
}

START_TEST(test_group_lifecycle)
{
    resp_t r;

    make_member("gm1", NULL, 0);
    make_member("gm2", NULL, 0);
    make_member("gm3", NULL, 0);
    api("POST", "groups",
        "{\"name\":\"gamma\",\"pii\":true,\"grants\":[{\"role\":\"personas-read-only\","
        "\"scope\":\"labels\",\"labels\":[\"team:growth\"]},{\"role\":\"source-read-only\","
        "\"scope\":\"resources\",\"resources\":[\"web\"]}],\"members\":[\"gm1\",\"gm2\"]}",
        &r);
    EXPECT_STATUS(r, 201);
    EXPECT_KEYS(r.json, GROUP_KEYS ",members");
    EXPECT_STR(r.json, "name", "gamma");
    EXPECT_JSON(r.json, "pii", "true");
    EXPECT_JSON(r.json, "member_count", "2");
    EXPECT_JSON(r.json, "members", "[\"gm1\",\"gm2\"]");
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"personas-read-only\",\"scope\":\"labels\",\"labels\":[\"team:"
                "growth\"]},{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":["
                "\"web\"]}]");
    resp_free(&r);
    api("GET", "groups/gamma", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "members", "[\"gm1\",\"gm2\"]");
    resp_free(&r);
    ck_assert_str_eq(groups_of("gm1"), "[\"gamma\"]");
    ck_assert_str_eq(groups_of("gm2"), "[\"gamma\"]");
    ck_assert_str_eq(groups_of("gm3"), "[]");

    /* PATCH grants: replaced; members and pii stay */
    api("PATCH", "groups/gamma",
        "{\"grants\":[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants", "[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}]");
    EXPECT_JSON(r.json, "members", "[\"gm1\",\"gm2\"]");
    EXPECT_JSON(r.json, "pii", "true");
    resp_free(&r);
    /* PATCH pii */
    api("PATCH", "groups/gamma", "{\"pii\":false}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "pii", "false");
    EXPECT_JSON(r.json, "grants", "[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}]");
    EXPECT_JSON(r.json, "members", "[\"gm1\",\"gm2\"]");
    resp_free(&r);
    /* PATCH members: the whole set */
    api("PATCH", "groups/gamma", "{\"members\":[\"gm2\",\"gm3\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "members", "[\"gm2\",\"gm3\"]");
    EXPECT_JSON(r.json, "member_count", "2");
    EXPECT_JSON(r.json, "grants", "[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}]");
    resp_free(&r);
    ck_assert_str_eq(groups_of("gm1"), "[]");
    ck_assert_str_eq(groups_of("gm3"), "[\"gamma\"]");
    /* the same name in the body is fine; another is not */
    api("PATCH", "groups/gamma", "{\"name\":\"GAMMA\"}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    api("PATCH", "groups/gamma", "{\"name\":\"delta\"}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);

    /* add several, remove several */
    api("POST", "groups/gamma/members", "{\"logins\":[\"gm1\",\"rita\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "member_count", "4");
    ck_assert(has_string(json_object_get(r.json, "members"), "gm1"));
    ck_assert(has_string(json_object_get(r.json, "members"), "rita"));
    resp_free(&r);
    ck_assert_str_eq(groups_of("rita"), "[\"analysts\",\"gamma\"]");
    api("POST", "groups/gamma/members/remove", "{\"logins\":[\"gm1\",\"gm2\",\"rita\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "members", "[\"gm3\"]");
    resp_free(&r);
    ck_assert_str_eq(groups_of("rita"), "[\"analysts\"]");
    ck_assert_str_eq(groups_of("gm2"), "[]");
    /* removing one who is not in it */
    api("POST", "groups/gamma/members/remove", "{\"logins\":[\"gm1\"]}", &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);

    /* grants on a group, one at a time */
    api("POST", "groups/gamma/grants",
        "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"ios\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "name", "gamma");
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"warehouse-read-only\",\"scope\":\"all\"},{\"role\":\"source-admin\","
                "\"scope\":\"resources\",\"resources\":[\"ios\"]}]");
    resp_free(&r);
    api("POST", "groups/gamma/grants/revoke", "{\"role\":\"warehouse-read-only\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"ios\"]}]");
    resp_free(&r);

    /* delete: gone, and from the member's side too */
    api("DELETE", "groups/gamma", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "name", "\"gamma\"");
    EXPECT_JSON(r.json, "deleted", "true");
    resp_free(&r);
    api("GET", "groups/gamma", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    ck_assert_str_eq(groups_of("gm3"), "[]");
    api("DELETE", "groups/gamma", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
}
END_TEST

/* A group's grants reach its members on the site, and stop when they
 * leave it. */
START_TEST(test_group_takes_effect)
{
    resp_t r;

    make_member("gina", NULL, 1);
    api("POST", "groups",
        "{\"name\":\"web-readers\",\"grants\":[{\"role\":\"source-read-only\",\"scope\":"
        "\"resources\",\"resources\":[\"web\"]}]}",
        &r);
    EXPECT_STATUS(r, 201);
    EXPECT_JSON(r.json, "members", "[]");
    EXPECT_JSON(r.json, "member_count", "0");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "gina"), 403);
    api("POST", "groups/web-readers/members", "{\"logins\":[\"gina\"]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "gina"), 200);
    ck_assert_int_eq(site_status(&srv, "POST", "/sources/web/", "gina"), 403);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gina"), 403);
    /* the group's grants changed: the member's access follows */
    api("PATCH", "groups/web-readers",
        "{\"grants\":[{\"role\":\"source-admin\",\"scope\":\"labels\",\"labels\":[\"env:dev\"]}]}",
        &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "gina"), 403);
    ck_assert_int_eq(site_status(&srv, "POST", "/sources/ios/", "gina"), 200);
    api("POST", "groups/web-readers/members/remove", "{\"logins\":[\"gina\"]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gina"), 403);
    /* into a group from the member's side; the group deleted */
    api("PATCH", "members/gina", "{\"groups\":[\"web-readers\"]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gina"), 200);
    api("DELETE", "groups/web-readers", NULL, &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/ios/", "gina"), 403);
    ck_assert_str_eq(groups_of("gina"), "[]");
}
END_TEST

/* ---- roles, resources ---- */

static const char *const builtin_slugs[] = {
    "workspace-owner", "workspace-member",    "source-admin",        "source-read-only",
    "warehouse-admin", "warehouse-read-only", "tracking-plan-admin", "tracking-plan-read-only",
    "personas-admin",  "personas-user",       "personas-read-only",  "identity-admin",
};

START_TEST(test_roles)
{
    resp_t r;
    json_t *roles, *role;
    size_t i;

    api("GET", "roles", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "plan,roles");
    EXPECT_STR(r.json, "plan", "business");
    roles = json_object_get(r.json, "roles");
    ck_assert_int_eq(json_array_size(roles), 12);
    json_array_foreach(roles, i, role)
    {
        EXPECT_KEYS(role, "slug,name,type,level,scopes,custom,plan_allows");
        EXPECT_STR(role, "slug", builtin_slugs[i]);
        EXPECT_JSON(role, "custom", "false");
        EXPECT_JSON(role, "plan_allows", "true");
    }
    ck_assert(json_equal(json_array_get(roles, 0),
                         json_loads("{\"slug\":\"workspace-owner\",\"name\":\"Workspace Owner\","
                                    "\"type\":null,\"level\":\"owner\",\"scopes\":\"all\","
                                    "\"custom\":false,\"plan_allows\":true}",
                                    0, NULL)));
    ck_assert(json_equal(json_array_get(roles, 2),
                         json_loads("{\"slug\":\"source-admin\",\"name\":\"Source Admin\","
                                    "\"type\":\"source\",\"level\":\"admin\",\"scopes\":\"all, "
                                    "resource, label\",\"custom\":false,\"plan_allows\":true}",
                                    0, NULL)));
    ck_assert(json_equal(json_array_get(roles, 5),
                         json_loads("{\"slug\":\"warehouse-read-only\",\"name\":\"Warehouse "
                                    "Read-only\",\"type\":\"warehouse\",\"level\":\"read\","
                                    "\"scopes\":\"all\",\"custom\":false,\"plan_allows\":true}",
                                    0, NULL)));
    EXPECT_STR(json_array_get(roles, 9), "level", "edit");
    resp_free(&r);
}
END_TEST

START_TEST(test_resources)
{
    resp_t r;

    api("GET", "resources", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "resources");
    EXPECT_JSON(r.json, "resources",
                "[{\"type\":\"source\",\"name\":\"*\",\"labels\":[],\"path\":\"/sources/\"},"
                "{\"type\":\"source\",\"name\":\"checkout\",\"labels\":[],\"path\":\"/sources/"
                "checkout/\"},"
                "{\"type\":\"source\",\"name\":\"web\",\"labels\":[\"env:prod\",\"team:growth\"],"
                "\"path\":\"/sources/web/\"},"
                "{\"type\":\"source\",\"name\":\"ios\",\"labels\":[\"env:dev\"],\"path\":\"/"
                "sources/ios/\"},"
                "{\"type\":\"warehouse\",\"name\":\"main\",\"labels\":[],\"path\":\"/warehouses/"
                "main/\"}]");
    resp_free(&r);
}
END_TEST

/* Who can reach a resource: owners, direct grants and groups whose grant
 * covers it (by name, by label, on all), at the level it gives; a grant
 * on another resource or label is not listed. */
static json_t *access_row(json_t *access, const char *key, const char *who)
{
    size_t i;
    json_t *row;

    json_array_foreach(access, i, row)
    {
        const char *v = json_string_value(json_object_get(row, key));
        if (v && !strcmp(v, who))
            return row;
    }
    return NULL;
}

START_TEST(test_resource_access)
{
    resp_t r;
    json_t *access, *row;

    api("POST", "members",
        "{\"login\":\"acc-web\",\"status\":\"active\",\"grants\":[{\"role\":\"source-admin\","
        "\"scope\":\"labels\",\"labels\":[\"env:prod\"]}]}",
        &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    api("POST", "members",
        "{\"login\":\"acc-ios\",\"status\":\"active\",\"grants\":[{\"role\":\"source-read-only\","
        "\"scope\":\"resources\",\"resources\":[\"ios\"]}]}",
        &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);

    api("GET", "resources/source/web/access", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "resource,access");
    EXPECT_JSON(r.json, "resource",
                "{\"type\":\"source\",\"name\":\"web\",\"labels\":[\"env:prod\",\"team:growth\"]}");
    access = json_object_get(r.json, "access");
    row = access_row(access, "member", "olivia");
    ck_assert_msg(row != NULL, "no owner in %s", r.body);
    EXPECT_STR(row, "level", "admin");
    EXPECT_STR(row, "role", "workspace-owner");
    EXPECT_STR(json_array_get(access, 0), "role", "workspace-owner"); /* owners first */
    row = access_row(access, "member", "acc-web");
    ck_assert_msg(row != NULL, "no label grant in %s", r.body);
    EXPECT_KEYS(row, "member,name,status,level,role,role_name,grant");
    EXPECT_STR(row, "level", "admin");
    EXPECT_JSON(row, "grant",
                "{\"role\":\"source-admin\",\"scope\":\"labels\",\"labels\":[\"env:prod\"]}");
    ck_assert_ptr_null(access_row(access, "member", "acc-ios"));
    row = access_row(access, "group", "analysts");
    ck_assert_msg(row != NULL, "no group in %s", r.body);
    EXPECT_KEYS(row, "group,members,level,role,role_name,grant");
    EXPECT_STR(row, "level", "read");
    resp_free(&r);

    api("GET", "resources/source/ios/access", NULL, &r);
    EXPECT_STATUS(r, 200);
    access = json_object_get(r.json, "access");
    ck_assert_ptr_nonnull(access_row(access, "member", "acc-ios"));
    ck_assert_ptr_null(access_row(access, "member", "acc-web"));
    resp_free(&r);

    /* the collection: any grant of the type lists it (read); only a grant
     * on all sources gives more there */
    api("GET", "resources/source/*/access", NULL, &r);
    EXPECT_STATUS(r, 200);
    access = json_object_get(r.json, "access");
    ck_assert_ptr_nonnull(access_row(access, "group", "analysts"));
    EXPECT_STR(access_row(access, "member", "acc-ios"), "level", "read");
    EXPECT_STR(access_row(access, "member", "acc-web"), "level", "read");
    resp_free(&r);

    api("GET", "resources/source/nope/access", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api("GET", "resources/source/web", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
}
END_TEST

/* ---- audit ---- */

/* Each change made through the API, newest first, by "api:olivia". */
START_TEST(test_audit)
{
    static const struct {
        const char *method, *path, *body, *action, *target;
    } steps[] = {
        {"POST", "members", "{\"login\":\"aud\",\"status\":\"active\"}", "member.add", "aud"},
        {"POST", "members", "{\"email\":\"aud-inv@example.com\"}", "member.invite",
         "aud-inv@example.com"},
        {"PATCH", "members/aud", "{\"name\":\"Aud Itor\"}", "member.update", "aud"},
        {"POST", "members/aud/grants", "{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}",
         "grant", "aud"},
        {"POST", "members/aud/grants/revoke", "{\"role\":\"warehouse-read-only\"}", "revoke",
         "aud"},
        {"POST", "groups", "{\"name\":\"aud-g\"}", "group.create", "group:aud-g"},
        {"POST", "groups/aud-g/members", "{\"logins\":[\"aud\"]}", "group.add-members",
         "group:aud-g"},
        {"POST", "groups/aud-g/grants", "{\"role\":\"identity-admin\",\"scope\":\"all\"}", "grant",
         "group:aud-g"},
        {"PATCH", "groups/aud-g", "{\"pii\":true}", "group.update", "group:aud-g"},
        {"POST", "groups/aud-g/members/remove", "{\"logins\":[\"aud\"]}", "group.remove-members",
         "group:aud-g"},
        {"DELETE", "groups/aud-g", NULL, "group.delete", "group:aud-g"},
        {"DELETE", "members/aud", NULL, "member.remove", "aud"},
    };
    const int n = (int)(sizeof(steps) / sizeof(steps[0]));
    long long start = newest_audit_on(&srv), seqs[32];
    int i, got = 0;
    long long before = 0;
    json_t *list, *e;
    resp_t r;

    for (i = 0; i < n; i++) {
        api(steps[i].method, steps[i].path, steps[i].body, &r);
        ck_assert_msg(r.status == 200 || r.status == 201, "%s %s: %ld %s", steps[i].method,
                      steps[i].path, r.status, r.body);
        resp_free(&r);
    }
    api("GET", S("audit?limit=%d", n), NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "audit");
    list = json_object_get(r.json, "audit");
    ck_assert_int_eq(json_array_size(list), n);
    for (i = 0; i < n; i++) {
        e = json_array_get(list, (size_t)i);
        EXPECT_KEYS(e, "seq,time,actor,action,target,before,after");
        ck_assert_int_eq(json_integer_value(json_object_get(e, "seq")), start + n - i);
        ck_assert(is_time(json_object_get(e, "time")));
        EXPECT_STR(e, "actor", "api:olivia");
        EXPECT_STR(e, "action", steps[n - 1 - i].action);
        EXPECT_STR(e, "target", steps[n - 1 - i].target);
        seqs[i] = json_integer_value(json_object_get(e, "seq"));
    }
    /* what changed, before and after */
    e = json_array_get(list, (size_t)(n - 3)); /* member.update */
    ck_assert_msg(strstr(json_string_value(json_object_get(e, "before")), " name= pii="), "%s",
                  json_string_value(json_object_get(e, "before")));
    ck_assert_msg(strstr(json_string_value(json_object_get(e, "after")), " name=Aud Itor pii="),
                  "%s", json_string_value(json_object_get(e, "after")));
    e = json_array_get(list, (size_t)(n - 4)); /* grant */
    ck_assert_msg(strstr(json_string_value(json_object_get(e, "after")), "warehouse-read-only"),
                  "%s", json_string_value(json_object_get(e, "after")));
    ck_assert_msg(!strstr(json_string_value(json_object_get(e, "before")), "warehouse-read-only"),
                  "%s", json_string_value(json_object_get(e, "before")));
    e = json_array_get(list, 0); /* member.remove */
    EXPECT_STR(e, "after", "");
    ck_assert_msg(strstr(json_string_value(json_object_get(e, "before")), "name=Aud Itor"), "%s",
                  json_string_value(json_object_get(e, "before")));
    resp_free(&r);

    /* pages of 5 with before= walk the same entries */
    while (got < n) {
        size_t k;
        api("GET", before ? S("audit?limit=5&before=%lld", before) : "audit?limit=5", NULL, &r);
        EXPECT_STATUS(r, 200);
        list = json_object_get(r.json, "audit");
        ck_assert_int_eq(json_array_size(list), 5);
        json_array_foreach(list, k, e)
        {
            long long seq = json_integer_value(json_object_get(e, "seq"));
            if (got < n)
                ck_assert_int_eq(seq, seqs[got]);
            got++;
            before = seq;
        }
        resp_free(&r);
    }
    /* before= the first of these: what came before them */
    api("GET", S("audit?limit=1&before=%lld", start + 1), NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_array_get(json_object_get(r.json, "audit"), 0), "seq")),
                     start);
    resp_free(&r);
    api("GET", "audit?limit=0", NULL, &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
}
END_TEST

/* ---- refused requests: each leaves the store as it was ---- */

#define J "application/json"
#define EVIL "Origin: http://evil.example"

static const struct {
    const char *method, *path, *ctype, *body, *header;
    long want;
    const char *code;
} refused[] = {
    /* the body */
    {"POST", "members", J, "not json", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-trunc\"", NULL, 400, "invalid"},
    {"POST", "members", J, "[{\"login\":\"e-array\"}]", NULL, 400, "invalid"},
    {"POST", "members", J, "\"e-string\"", NULL, 400, "invalid"},
    {"POST", "members", J, "", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-unknown\",\"status\":\"active\",\"role\":\"x\"}", NULL,
     400, "invalid"},
    {"PATCH", "members/max", J, "{\"nmae\":\"typo\"}", NULL, 400, "invalid"},
    {"POST", "groups", J, "{\"name\":\"e-unknown\",\"member\":[\"max\"]}", NULL, 400, "invalid"},
    {"POST", "members/max/grants", J, "{\"role\":\"source-admin\",\"scope\":\"all\",\"x\":1}", NULL,
     400, "invalid"},
    {"POST", "groups/analysts/members", J, "{\"logins\":[\"max\"],\"all\":true}", NULL, 400,
     "invalid"},
    {"POST", "members", J, "{\"login\":\"e-dup\",\"login\":\"e-dup2\"}", NULL, 400, "invalid"},
    {"PATCH", "members/max", J, "{\"name\":\"A\",\"name\":\"B\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-nul\\u0000x\",\"status\":\"active\"}", NULL, 400,
     "invalid"},
    {"POST", "members", J, "{\"login\":42}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-pii\",\"pii\":\"yes\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-status\",\"status\":\"boss\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-grants\",\"grants\":{\"role\":\"source-admin\"}}", NULL,
     400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-groups\",\"groups\":\"analysts\"}", NULL, 400,
     "invalid"},
    {"PATCH", "members/max", J, "{\"login\":\"maxine\"}", NULL, 400, "invalid"},
    {"PATCH", "members/max", J, "{\"status\":\"invited\"}", NULL, 400, "invalid"},
    {"POST", "groups/analysts/members", J, "{\"logins\":[]}", NULL, 400, "invalid"},
    {"POST", "groups/analysts/members", J, "{}", NULL, 400, "invalid"},
    {"POST", "members/max/grants", J, "{\"scope\":\"all\"}", NULL, 400, "invalid"},
    /* the content type */
    {"POST", "members", "application/x-www-form-urlencoded", "login=e-form&status=active", NULL,
     415, "unsupported_media_type"},
    {"POST", "members", "multipart/form-data; boundary=x", "--x--", NULL, 415,
     "unsupported_media_type"},
    {"POST", "members", "text/plain", "{\"login\":\"e-text\",\"status\":\"active\"}", NULL, 415,
     "unsupported_media_type"},
    {"POST", "members", "application/jsonp", "{\"login\":\"e-jsonp\",\"status\":\"active\"}", NULL,
     415, "unsupported_media_type"},
    {"POST", "members", NULL, "{\"login\":\"e-none\",\"status\":\"active\"}", NULL, 415,
     "unsupported_media_type"},
    {"PATCH", "members/max", "application/x-www-form-urlencoded", "name=Evil", NULL, 415,
     "unsupported_media_type"},
    {"POST", "members/max/grants", "text/plain", "{\"role\":\"warehouse-admin\",\"scope\":\"all\"}",
     NULL, 415, "unsupported_media_type"},
    /* another origin */
    {"POST", "members", J, "{\"login\":\"e-evil\",\"status\":\"active\"}", EVIL, 403,
     "cross_origin"},
    {"PATCH", "members/max", J, "{\"name\":\"Evil\"}", EVIL, 403, "cross_origin"},
    {"DELETE", "members/max", NULL, NULL, EVIL, 403, "cross_origin"},
    {"POST", "members/max/grants", J, "{\"role\":\"workspace-owner\",\"scope\":\"all\"}", EVIL, 403,
     "cross_origin"},
    {"POST", "groups", J, "{\"name\":\"e-evil\"}", EVIL, 403, "cross_origin"},
    {"PATCH", "groups/analysts", J, "{\"pii\":true}", EVIL, 403, "cross_origin"},
    {"DELETE", "groups/analysts", NULL, NULL, EVIL, 403, "cross_origin"},
    {"POST", "groups/analysts/members", J, "{\"logins\":[\"max\"]}", EVIL, 403, "cross_origin"},
    {"POST", "members", J, "{\"login\":\"e-null\",\"status\":\"active\"}", "Origin: null", 403,
     "cross_origin"},
    {"POST", "members", J, "{\"login\":\"e-ref\",\"status\":\"active\"}",
     "Referer: http://evil.example/iam/", 403, "cross_origin"},
    {"DELETE", "members/max", NULL, NULL, "Referer: http://127.0.0.1.evil.example/", 403,
     "cross_origin"},
    /* no such member or group */
    {"GET", "members/e-nobody", NULL, NULL, NULL, 404, "not_found"},
    {"PATCH", "members/e-nobody", J, "{\"name\":\"X\"}", NULL, 404, "not_found"},
    {"DELETE", "members/e-nobody", NULL, NULL, NULL, 404, "not_found"},
    {"POST", "members/e-nobody/grants", J, "{\"role\":\"source-admin\",\"scope\":\"all\"}", NULL,
     404, "not_found"},
    {"POST", "members/e-nobody/grants/revoke", J, "{\"role\":\"source-admin\"}", NULL, 404,
     "not_found"},
    {"GET", "groups/e-nogroup", NULL, NULL, NULL, 404, "not_found"},
    {"PATCH", "groups/e-nogroup", J, "{\"pii\":true}", NULL, 404, "not_found"},
    {"DELETE", "groups/e-nogroup", NULL, NULL, NULL, 404, "not_found"},
    {"POST", "groups/e-nogroup/members", J, "{\"logins\":[\"max\"]}", NULL, 404, "not_found"},
    {"POST", "groups/e-nogroup/grants", J, "{\"role\":\"source-admin\",\"scope\":\"all\"}", NULL,
     404, "not_found"},
    /* all or nothing: one unknown name refuses the whole change */
    {"POST", "members", J,
     "{\"login\":\"e-grp\",\"status\":\"active\",\"groups\":[\"analysts\","
     "\"e-nogroup\"]}",
     NULL, 404, "not_found"},
    {"PATCH", "members/max", J,
     "{\"name\":\"Changed\",\"pii\":true,\"groups\":[\"analysts\","
     "\"e-nogroup\"]}",
     NULL, 404, "not_found"},
    {"POST", "groups", J, "{\"name\":\"e-grp\",\"members\":[\"max\",\"e-nobody\"]}", NULL, 404,
     "not_found"},
    {"PATCH", "groups/analysts", J, "{\"pii\":true,\"members\":[\"rita\",\"e-nobody\"]}", NULL, 404,
     "not_found"},
    {"POST", "groups/analysts/members", J, "{\"logins\":[\"max\",\"e-nobody\"]}", NULL, 404,
     "not_found"},
    {"POST", "groups/analysts/members/remove", J, "{\"logins\":[\"rita\",\"max\"]}", NULL, 404,
     "not_found"},
    /* already there */
    {"POST", "members", J, "{\"login\":\"max\",\"status\":\"active\"}", NULL, 409, "exists"},
    {"POST", "members", J, "{\"login\":\"MAX\"}", NULL, 409, "exists"},
    {"POST", "members", J, "{\"login\":\"e-mail\",\"email\":\"Max@Example.com\"}", NULL, 409,
     "exists"},
    {"PATCH", "members/rita", J, "{\"email\":\"sam@example.com\"}", NULL, 409, "exists"},
    {"POST", "groups", J, "{\"name\":\"analysts\"}", NULL, 409, "exists"},
    {"POST", "groups", J, "{\"name\":\"Analysts\",\"pii\":true}", NULL, 409, "exists"},
    {"POST", "groups/analysts/members", J, "{\"logins\":[\"rita\"]}", NULL, 409, "exists"},
    {"POST", "members/sam/grants", J,
     "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"checkout\"]}", NULL, 409,
     "exists"},
    {"POST", "groups/analysts/grants", J, "{\"role\":\"source-read-only\",\"scope\":\"all\"}", NULL,
     409, "exists"},
    /* the last owner */
    {"DELETE", "members/olivia", NULL, NULL, NULL, 409, "last_owner"},
    {"PATCH", "members/olivia", J, "{\"grants\":[]}", NULL, 409, "last_owner"},
    {"POST", "members/olivia/grants/revoke", J, "{\"role\":\"Workspace Owner\"}", NULL, 409,
     "last_owner"},
    /* bad values */
    {"POST", "members", J, "{\"login\":\"e-mail\",\"email\":\"not-an-email\"}", NULL, 400,
     "invalid"},
    {"POST", "members", J, "{\"email\":\"two@at@example.com\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"email\":\"<a>@example.com\"}", NULL, 400, "invalid"},
    {"PATCH", "members/max", J, "{\"email\":\"max@\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\" e-space\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"e-ctl\\u0007\"}", NULL, 400, "invalid"},
    {"POST", "members", J, "{\"login\":\"\"}", NULL, 400, "invalid"},
    {"POST", "members", J,
     "{\"login\":\"e-label\",\"grants\":[{\"role\":\"source-admin\",\"scope\":\"labels\","
     "\"labels\":[\"prod\"]}]}",
     NULL, 400, "invalid"},
    {"POST", "members/max/grants", J,
     "{\"role\":\"source-admin\",\"scope\":\"labels\",\"labels\":[\"envprod\"]}", NULL, 400,
     "invalid"},
    {"POST", "members/max/grants", J,
     "{\"role\":\"source-admin\",\"scope\":\"labels\",\"labels\":[\"env:prod\",\"env:dev\"]}", NULL,
     400, "invalid"},
    {"POST", "members/max/grants", J, "{\"role\":\"no-such-role\",\"scope\":\"all\"}", NULL, 400,
     "invalid"},
    {"POST", "members", J,
     "{\"login\":\"e-role\",\"grants\":[{\"role\":\"Chief Everything\",\"scope\":\"all\"}]}", NULL,
     400, "invalid"},
    {"POST", "members/max/grants", J,
     "{\"role\":\"warehouse-admin\",\"scope\":\"resources\",\"resources\":[\"main\"]}", NULL, 400,
     "invalid"},
    {"PATCH", "members/max", J,
     "{\"grants\":[{\"role\":\"warehouse-admin\",\"scope\":\"resources\",\"resources\":"
     "[\"main\"]}]}",
     NULL, 400, "invalid"},
    {"POST", "members/max/grants", J, "{\"role\":\"source-admin\",\"scope\":\"some\"}", NULL, 400,
     "invalid"},
    {"POST", "members/max/grants", J, "{\"role\":\"source-admin\",\"scope\":\"resources\"}", NULL,
     400, "invalid"},
    {"POST", "members/max/grants", J,
     "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[]}", NULL, 400, "invalid"},
    {"POST", "members/max/grants", J,
     "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"a b\"]}", NULL, 400,
     "invalid"},
    {"POST", "members/max/grants", J, "{\"role\":\"workspace-member\",\"scope\":\"all\"}", NULL,
     400, "invalid"},
    {"POST", "groups", J,
     "{\"name\":\"e-owners\",\"grants\":[{\"role\":\"workspace-owner\",\"scope\":\"all\"}]}", NULL,
     400, "invalid"},
    {"POST", "groups/analysts/grants", J, "{\"role\":\"workspace-owner\",\"scope\":\"all\"}", NULL,
     400, "invalid"},
    {"POST", "groups", J, "{\"pii\":true}", NULL, 400, "invalid"},
    {"POST", "groups", J, "{\"name\":\"\"}", NULL, 400, "invalid"},
    {"PATCH", "groups/analysts", J, "{\"name\":\"renamed\"}", NULL, 400, "invalid"},
    {"POST", "members/max/grants/revoke", J, "{\"role\":\"no-such-role\"}", NULL, 400, "invalid"},
    /* endpoints and methods */
    {"GET", "no-such-endpoint", NULL, NULL, NULL, 404, "not_found"},
    {"GET", "members-and-more", NULL, NULL, NULL, 404, "not_found"},
    {"PUT", "members", J, "{\"login\":\"e-put\",\"status\":\"active\"}", NULL, 405,
     "method_not_allowed"},
    {"DELETE", "members", NULL, NULL, NULL, 405, "method_not_allowed"},
    {"PATCH", "members", J, "{}", NULL, 405, "method_not_allowed"},
    {"PUT", "members/max", J, "{\"name\":\"Put\"}", NULL, 405, "method_not_allowed"},
    {"POST", "members/max", J, "{\"name\":\"Post\"}", NULL, 405, "method_not_allowed"},
    {"GET", "members/max/grants", NULL, NULL, NULL, 405, "method_not_allowed"},
    {"DELETE", "members/max/grants/revoke", NULL, NULL, NULL, 405, "method_not_allowed"},
    {"PUT", "groups", J, "{\"name\":\"e-put\"}", NULL, 405, "method_not_allowed"},
    {"POST", "groups/analysts", J, "{\"pii\":true}", NULL, 405, "method_not_allowed"},
    {"GET", "groups/analysts/members", NULL, NULL, NULL, 405, "method_not_allowed"},
    {"POST", "roles", J, "{}", NULL, 405, "method_not_allowed"},
    {"DELETE", "audit", NULL, NULL, NULL, 405, "method_not_allowed"},
    {"PUT", "resources", J, "{}", NULL, 405, "method_not_allowed"},
};

START_TEST(test_refused)
{
    char *before = snapshot_of(&srv);
    resp_t r;

    request(&srv, "olivia", refused[_i].method, refused[_i].path, refused[_i].ctype,
            refused[_i].body, refused[_i].header, &r);
    check_api_answer(&r, refused[_i].method, refused[_i].path);
    ck_assert_msg(r.status == refused[_i].want, "%s %s %s: got %ld, want %ld: %s",
                  refused[_i].method, refused[_i].path, refused[_i].body ? refused[_i].body : "",
                  r.status, refused[_i].want, r.body);
    EXPECT_ERROR(r, refused[_i].want, refused[_i].code);
    resp_free(&r);
    EXPECT_UNCHANGED(before, &srv);
}
END_TEST

/* A grant on all resources names none (the policy refuses one that does):
 * resources or labels sent with "scope": "all" must be refused, not
 * dropped, or the grant is wider than what was asked for. */
START_TEST(test_scope_all_with_items_refused)
{
    static const struct {
        const char *method, *path, *body;
    } cases[] = {
        {"POST", "members/scopy/grants",
         "{\"role\":\"source-admin\",\"scope\":\"all\",\"resources\":[\"checkout\"]}"},
        {"PATCH", "members/scopy",
         "{\"grants\":[{\"role\":\"source-admin\",\"scope\":\"all\",\"labels\":[\"env:dev\"]}]}"},
        {"POST", "groups",
         "{\"name\":\"scopy-g\",\"members\":[\"scopy\"],\"grants\":[{\"role\":\"source-admin\","
         "\"scope\":\"all\",\"resources\":[\"checkout\"]}]}"},
    };
    int k;

    make_member("scopy", NULL, 1);
    for (k = 0; k < (int)(sizeof(cases) / sizeof(cases[0])); k++) {
        char *before = snapshot_of(&srv);
        resp_t r;
        long web;
        api(cases[k].method, cases[k].path, cases[k].body, &r);
        web = site_status(&srv, "POST", "/sources/web/", "scopy");
        ck_assert_msg(r.status == 400 && web == 403,
                      "%s %s %s: got %ld %s; and now POST /sources/web/ as scopy gives %ld (want "
                      "400, and 403)",
                      cases[k].method, cases[k].path, cases[k].body, r.status, r.body, web);
        EXPECT_ERROR(r, 400, "invalid");
        resp_free(&r);
        EXPECT_UNCHANGED(before, &srv);
    }
}
END_TEST

/* Unknown fields are refused at every level: a misspelt field inside a
 * grant must not pass as "no such condition". */
START_TEST(test_unknown_field_in_grant_refused)
{
    static const struct {
        const char *method, *path, *body;
    } cases[] = {
        {"PATCH", "members/fieldy",
         "{\"grants\":[{\"role\":\"source-read-only\",\"scope\":\"all\",\"expires\":\"2027-01-"
         "01\"}]}"},
        {"POST", "members",
         "{\"login\":\"fieldy2\",\"grants\":[{\"role\":\"source-read-only\",\"scope\":"
         "\"resources\",\"resources\":[\"web\"],\"lables\":[\"env:prod\"]}]}"},
        {"POST", "members/fieldy/grants",
         "{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":[\"web\"],"
         "\"labels\":[\"env:prod\"]}"},
        {"POST", "groups",
         "{\"name\":\"fieldy-g\",\"grants\":[{\"role\":\"source-read-only\",\"scope\":\"all\","
         "\"only\":\"weekdays\"}]}"},
    };
    int k;

    make_member("fieldy", NULL, 0);
    for (k = 0; k < (int)(sizeof(cases) / sizeof(cases[0])); k++) {
        char *before = snapshot_of(&srv);
        resp_t r;
        api(cases[k].method, cases[k].path, cases[k].body, &r);
        ck_assert_msg(r.status == 400, "%s %s %s: got %ld %s, want 400", cases[k].method,
                      cases[k].path, cases[k].body, r.status, r.body);
        EXPECT_ERROR(r, 400, "invalid");
        resp_free(&r);
        EXPECT_UNCHANGED(before, &srv);
    }
}
END_TEST

/* A JSON object of exactly `size` bytes that adds member `login`. */
static char *sized_body(const char *login, size_t size)
{
    char *b = malloc(size + 1);
    int n = snprintf(b, size + 1, "{\"login\":\"%s\",\"status\":\"active\"", login);

    memset(b + n, ' ', size - (size_t)n - 1);
    b[size - 1] = '}';
    b[size] = '\0';
    return b;
}

/* 64 KiB is the most a body may hold: one byte more is 413, whether the
 * length is announced or the body is chunked. */
START_TEST(test_body_limit)
{
    char *before, *body;
    resp_t r;

    before = snapshot_of(&srv);
    body = sized_body("big-over", BODY_MAX + 1);
    request(&srv, "olivia", "POST", "members", J, body, NULL, &r);
    check_api_answer(&r, "POST", "members (64 KiB + 1)");
    EXPECT_ERROR(r, 413, "too_large");
    resp_free(&r);
    request(&srv, "olivia", "POST", "members", J, body, "Transfer-Encoding: chunked", &r);
    check_api_answer(&r, "POST", "members (chunked, 64 KiB + 1)");
    EXPECT_ERROR(r, 413, "too_large");
    resp_free(&r);
    free(body);
    body = sized_body("big-much", 4 * BODY_MAX);
    request(&srv, "olivia", "PATCH", "members/max", J, body, NULL, &r);
    check_api_answer(&r, "PATCH", "members/max (256 KiB)");
    EXPECT_ERROR(r, 413, "too_large");
    resp_free(&r);
    free(body);
    EXPECT_UNCHANGED(before, &srv);

    /* exactly 64 KiB passes, announced or chunked */
    body = sized_body("big-exact", BODY_MAX);
    api("POST", "members", body, &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "login", "big-exact");
    resp_free(&r);
    free(body);
    body = sized_body("big-exact-chunked", BODY_MAX);
    request(&srv, "olivia", "POST", "members", J, body, "Transfer-Encoding: chunked", &r);
    check_api_answer(&r, "POST", "members (chunked, 64 KiB)");
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    free(body);
}
END_TEST

/* This origin, named by Origin or Referer, may write. */
START_TEST(test_same_origin_writes)
{
    char origin[128], referer[160];
    resp_t r;

    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%d", srv.port);
    snprintf(referer, sizeof(referer), "Referer: http://127.0.0.1:%d/iam/members", srv.port);
    request(&srv, "olivia", "POST", "members", J, "{\"login\":\"orig-a\",\"status\":\"active\"}",
            origin, &r);
    check_api_answer(&r, "POST", "members");
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    request(&srv, "olivia", "PATCH", "members/orig-a", J, "{\"name\":\"Orig\"}", referer, &r);
    check_api_answer(&r, "PATCH", "members/orig-a");
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "name", "Orig");
    resp_free(&r);
    request(&srv, "olivia", "DELETE", "members/orig-a", NULL, NULL, origin, &r);
    check_api_answer(&r, "DELETE", "members/orig-a");
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    /* a JSON content type with parameters is JSON */
    request(&srv, "olivia", "POST", "members", "application/json; charset=utf-8",
            "{\"login\":\"orig-b\",\"status\":\"active\"}", NULL, &r);
    check_api_answer(&r, "POST", "members");
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    /* reads need no origin check: another site's Origin on a GET is fine */
    request(&srv, "olivia", "GET", "members/orig-b", NULL, NULL, EVIL, &r);
    check_api_answer(&r, "GET", "members/orig-b");
    EXPECT_STATUS(r, 200);
    resp_free(&r);
}
END_TEST

/* ---- the team plan: its own server for each test ---- */

static void team_setup(void)
{
    iam_httpd_prepare(&team, "api-team");
    if (iam_httpd_start(&team, "event", NULL, "IAMPlan team") != 0) {
        char *log = iam_httpd_log(&team);
        fprintf(stderr, "apache2 (IAMPlan team) did not start:\n%s\n", log);
        free(log);
        iam_httpd_cleanup(&team);
        abort();
    }
}

static void team_teardown(void)
{
    iam_httpd_cleanup(&team);
}

static const struct {
    const char *method, *path, *body;
} team_refused[] = {
    {"POST", "groups", "{\"name\":\"team-group\"}"},
    {"POST", "members/max/grants", "{\"role\":\"source-read-only\",\"scope\":\"all\"}"},
    {"POST", "members/max/grants", "{\"role\":\"warehouse-admin\",\"scope\":\"all\"}"},
    {"POST", "members/max/grants",
     "{\"role\":\"source-admin\",\"scope\":\"labels\",\"labels\":[\"env:prod\"]}"},
    {"PATCH", "members/max",
     "{\"name\":\"Max\",\"grants\":[{\"role\":\"source-read-only\",\"scope\":\"all\"}]}"},
    {"PATCH", "members/max", "{\"groups\":[\"analysts\"]}"},
    {"POST", "members",
     "{\"login\":\"team-ro\",\"status\":\"active\",\"grants\":[{\"role\":\"source-read-only\","
     "\"scope\":\"resources\",\"resources\":[\"web\"]}]}"},
    {"POST", "members", "{\"login\":\"team-grp\",\"status\":\"active\",\"groups\":[\"analysts\"]}"},
    {"PATCH", "groups/analysts", "{\"pii\":true}"},
    {"POST", "groups/analysts/members", "{\"logins\":[\"max\"]}"},
    {"POST", "groups/analysts/grants", "{\"role\":\"source-admin\",\"scope\":\"all\"}"},
};

START_TEST(test_team_plan_limits)
{
    resp_t r;
    json_t *role;
    size_t i;
    int k;

    /* the roles say what the plan lacks */
    api_on(&team, "GET", "roles", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "plan", "team");
    json_array_foreach(json_object_get(r.json, "roles"), i, role)
    {
        const char *slug = json_string_value(json_object_get(role, "slug"));
        int allowed = !strcmp(slug, "workspace-owner") || !strcmp(slug, "workspace-member") ||
                      !strcmp(slug, "source-admin");
        ck_assert_msg(json_is_true(json_object_get(role, "plan_allows")) == allowed,
                      "%s: plan_allows %s", slug,
                      json_dumps(json_object_get(role, "plan_allows"), JSON_ENCODE_ANY));
    }
    resp_free(&r);

    for (k = 0; k < (int)(sizeof(team_refused) / sizeof(team_refused[0])); k++) {
        char *before = snapshot_of(&team);
        api_on(&team, team_refused[k].method, team_refused[k].path, team_refused[k].body, &r);
        ck_assert_msg(r.status == 422, "%s %s %s: got %ld, want 422: %s", team_refused[k].method,
                      team_refused[k].path, team_refused[k].body, r.status, r.body);
        EXPECT_ERROR(r, 422, "plan_limit");
        resp_free(&r);
        EXPECT_UNCHANGED(before, &team);
    }
    api_on(&team, "GET", "groups/team-group", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    api_on(&team, "GET", "members/max", NULL, &r);
    EXPECT_JSON(r.json, "grants", "[]");
    EXPECT_JSON(r.json, "groups", "[]");
    resp_free(&r);
}
END_TEST

START_TEST(test_team_plan_allows_source_admin)
{
    resp_t r;

    ck_assert_int_eq(site_status(&team, "GET", "/sources/web/", "max"), 403);
    api_on(&team, "POST", "members/max/grants",
           "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants",
                "[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[\"web\"]}]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&team, "GET", "/sources/web/", "max"), 200);
    ck_assert_int_eq(site_status(&team, "POST", "/sources/web/", "max"), 200);
    ck_assert_int_eq(site_status(&team, "GET", "/sources/ios/", "max"), 403);
    /* a member without groups, with Source Admin on all */
    api_on(&team, "POST", "members",
           "{\"login\":\"team-admin\",\"status\":\"active\",\"groups\":[],\"grants\":[{\"role\":"
           "\"source-admin\",\"scope\":\"all\"}]}",
           &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    add_user(&team, "team-admin");
    ck_assert_int_eq(site_status(&team, "POST", "/sources/", "team-admin"), 200);
    /* revoking works on any plan */
    api_on(&team, "POST", "members/max/grants/revoke", "{\"role\":\"source-admin\"}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "grants", "[]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&team, "GET", "/sources/web/", "max"), 403);
    /* and groups can still be read and emptied, not filled */
    api_on(&team, "GET", "groups", NULL, &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    api_on(&team, "POST", "groups/analysts/members/remove", "{\"logins\":[\"rita\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "members", "[]");
    resp_free(&r);
}
END_TEST

Suite *suite_api(void)
{
    Suite *s = suite_create("api");
    TCase *tc;

    tc = tcase_create("api");
    tcase_add_unchecked_fixture(tc, start_api, stop_api);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_access, 0, (int)(sizeof(access_cases) / sizeof(access_cases[0])));
    tcase_add_test(tc, test_wrong_password_is_401);
    tcase_add_test(tc, test_unknown_api_paths);
    tcase_add_test(tc, test_members_list);
    tcase_add_test(tc, test_members_paging);
    tcase_add_test(tc, test_members_search);
    tcase_add_test(tc, test_member_show);
    tcase_add_test(tc, test_member_invite);
    tcase_add_test(tc, test_member_create_active);
    tcase_add_test(tc, test_member_patch);
    tcase_add_test(tc, test_member_delete);
    tcase_add_test(tc, test_member_grants);
    tcase_add_test(tc, test_grant_takes_effect);
    tcase_add_test(tc, test_last_owner);
    tcase_add_test(tc, test_markup_is_data);
    tcase_add_test(tc, test_groups_list);
    tcase_add_test(tc, test_group_lifecycle);
    tcase_add_test(tc, test_group_takes_effect);
    tcase_add_test(tc, test_roles);
    tcase_add_test(tc, test_resources);
    tcase_add_test(tc, test_resource_access);
    tcase_add_test(tc, test_audit);
    tcase_add_loop_test(tc, test_refused, 0, (int)(sizeof(refused) / sizeof(refused[0])));
    tcase_add_test(tc, test_scope_all_with_items_refused);
    tcase_add_test(tc, test_unknown_field_in_grant_refused);
    tcase_add_test(tc, test_body_limit);
    tcase_add_test(tc, test_same_origin_writes);
    suite_add_tcase(s, tc);

    tc = tcase_create("team");
    tcase_add_checked_fixture(tc, team_setup, team_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_team_plan_limits);
    tcase_add_test(tc, test_team_plan_allows_source_admin);
    suite_add_tcase(s, tc);
    return s;
}
