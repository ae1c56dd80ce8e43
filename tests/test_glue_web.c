/* mod_iam tests, the "glue" suite (glue_test.h): what the console and the
 * API share (iam_web.h), on requests of the stand-in: forms and query
 * strings, the same-origin check, CSRF tokens, sealed values, cookies,
 * the security headers, the request body and its limit, the "TYPE/NAME"
 * of a path, and the HTTP status and API code of each store status. */
#include "glue_test.h"

#include <apr_lib.h>

static request_rec *get(const char *uri)
{
    return stub_request(glue_pool, glue_main, stub_dir_conf(TOP), "GET", uri);
}

/* Every value of key in the form, joined by '|'; "(null)" for no form. */
static const char *values(apr_table_t *form, const char *key)
{
    apr_array_header_t *v;
    const char *out = "";
    int i;

    if (!form)
        return "(null)";
    v = iam_web_values(glue_pool, form, key);
    for (i = 0; i < v->nelts; i++)
        out = apr_pstrcat(glue_pool, out, i ? "|" : "", APR_ARRAY_IDX(v, i, const char *), NULL);
    return out;
}

static apr_table_t *form(const char *s)
{
    return iam_web_parse_form(glue_pool, s);
}

/* ---- forms ---- */

START_TEST(test_form_decoding)
{
    apr_table_t *f = form("name=Jane+Doe&q=%41%42%2b%26%3d&x%20y=1&flag&empty=&a=1&&b=2&a=3");

    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(values(f, "name"), "Jane Doe");
    ck_assert_str_eq(values(f, "q"), "AB+&=");
    ck_assert_str_eq(values(f, "x y"), "1");
    ck_assert_str_eq(values(f, "flag"), "");
    ck_assert_str_eq(values(f, "empty"), "");
    ck_assert_str_eq(values(f, "a"), "1|3"); /* repeated keys kept, in order */
    ck_assert_str_eq(values(f, "b"), "2");
    ck_assert_int_eq(apr_table_elts(f)->nelts, 8);
    ck_assert_str_eq(values(form("v=%c3%a9%C3%A9"), "v"), "\xc3\xa9\xc3\xa9");
    ck_assert_str_eq(values(form("v=%2500"), "v"), "%00"); /* an escaped '%', then "00" */
    ck_assert_str_eq(values(form("a=b=c"), "a"), "b=c");
    ck_assert_int_eq(apr_table_elts(form(""))->nelts, 0);
    ck_assert_int_eq(apr_table_elts(form(NULL))->nelts, 0);
    ck_assert_int_eq(iam_web_values(glue_pool, NULL, "a")->nelts, 0);
}
END_TEST

START_TEST(test_form_malformed)
{
    static const char *const bad[] = {
        "a=%zz", "a=%4",    "a=%",        "a=1&b=%g0", "%zz=1",     "a=1%00",
        "%00=1", "a=b%00c", "k%00=v&x=1", "a=%%41",    "a=1&b=2%0", "a=%0%41",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(form(bad[i]) == NULL, "'%s' accepted", bad[i]);
    /* a good escape is no bad one */
    ck_assert_ptr_nonnull(form("a=1&b=%41"));
}
END_TEST

START_TEST(test_words)
{
    apr_array_header_t *w = iam_web_words(glue_pool, " a b,c\t\td,, e\n");

    ck_assert_int_eq(w->nelts, 5);
    ck_assert_str_eq(APR_ARRAY_IDX(w, 0, const char *), "a");
    ck_assert_str_eq(APR_ARRAY_IDX(w, 3, const char *), "d");
    ck_assert_str_eq(APR_ARRAY_IDX(w, 4, const char *), "e");
    ck_assert_int_eq(iam_web_words(glue_pool, NULL)->nelts, 0);
    ck_assert_int_eq(iam_web_words(glue_pool, " , ")->nelts, 0);
}
END_TEST

/* ---- the same-origin check ---- */

/* Whether a request to `host` (its Host header; https when `https`)
 * with these headers (NULL: not sent) passes. */
static int same_origin(const char *host, int https, const char *origin, const char *referer)
{
    server_rec *s = stub_server(glue_pool, 0);
    request_rec *r;

    s->server_scheme = https ? "https" : NULL;
    r = stub_request(glue_pool, s, stub_dir_conf(TOP), "POST", "/iam/members");
    apr_table_set(r->headers_in, "Host", host);
    if (origin)
        apr_table_set(r->headers_in, "Origin", origin);
    if (referer)
        apr_table_set(r->headers_in, "Referer", referer);
    return iam_web_same_origin(r);
}

START_TEST(test_same_origin)
{
    static const struct {
        const char *host;
        int https;
        const char *origin, *referer;
        int same;
    } cases[] = {
        {"www.example.com", 0, "http://www.example.com", NULL, 1},
        {"www.example.com", 0, "HTTP://WWW.Example.COM", NULL, 1},
        {"www.example.com", 0, "http://evil.example", NULL, 0},
        {"www.example.com", 0, "http://www.example.com:8080", NULL, 0},
        {"www.example.com", 0, "https://www.example.com", NULL, 0},
        {"www.example.com", 0, "http://www.example.com.evil", NULL, 0},
        {"www.example.com", 0, "null", NULL, 0},
        {"www.example.com", 0, "", NULL, 0},
        /* Origin, when sent, decides alone */
        {"www.example.com", 0, "http://www.example.com", "http://evil.example/", 1},
        {"www.example.com", 0, "http://evil.example", "http://www.example.com/iam/", 0},
        /* Referer: this origin, then a path or nothing */
        {"www.example.com", 0, NULL, "http://www.example.com/iam/members", 1},
        {"www.example.com", 0, NULL, "http://www.example.com", 1},
        {"www.example.com", 0, NULL, "http://www.example.com.evil/", 0},
        {"www.example.com", 0, NULL, "http://www.example.com:8080@evil/", 0},
        {"www.example.com", 0, NULL, "http://www.example.com@evil/", 0},
        {"www.example.com", 0, NULL, "http://www.example.comevil/", 0},
        {"www.example.com", 0, NULL, "http://www.example.com?x=/", 0},
        {"www.example.com", 0, NULL, "https://www.example.com/iam/", 0},
        {"www.example.com", 0, NULL, "http://evil.example/http://www.example.com/", 0},
        {"www.example.com:8080", 0, NULL, "http://www.example.com:8080/iam/", 1},
        {"www.example.com:8080", 0, NULL, "http://www.example.com:80801/", 0},
        {"www.example.com:8080", 0, NULL, "http://www.example.com:8080@evil/", 0},
        {"www.example.com:8080", 0, "http://www.example.com:8080", NULL, 1},
        {"www.example.com:8080", 0, "http://www.example.com", NULL, 0},
        {"www.example.com", 1, "https://www.example.com", NULL, 1},
        {"www.example.com", 1, "http://www.example.com", NULL, 0},
        {"www.example.com", 1, NULL, "https://www.example.com/iam/", 1},
        /* neither sent: the CSRF token or JSON-only decides */
        {"www.example.com", 0, NULL, NULL, 1},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = same_origin(cases[i].host, cases[i].https, cases[i].origin, cases[i].referer);
        ck_assert_msg(got == cases[i].same, "case %zu: Host %s, Origin %s, Referer %s: %d", i,
                      cases[i].host, cases[i].origin ? cases[i].origin : "-",
                      cases[i].referer ? cases[i].referer : "-", got);
    }
}
END_TEST

/* ---- CSRF tokens and sealed values ---- */

static const unsigned char secret_a[32] = "0123456789abcdef0123456789abcde";
static const unsigned char secret_b[32] = "0123456789abcdef0123456789abcdX";

static request_rec *as(const char *user)
{
    request_rec *r = get("/iam/");

    r->user = (char *)user;
    return r;
}

START_TEST(test_csrf_token)
{
    const char *t = iam_web_csrf_token(as("olivia"), secret_a);
    size_t i;

    ck_assert_uint_eq(strlen(t), 64);
    for (i = 0; i < 64; i++)
        ck_assert_msg(strchr("0123456789abcdef", t[i]) != NULL, "not hex: %s", t);
    ck_assert_str_eq(iam_web_csrf_token(as("olivia"), secret_a), t);
    ck_assert_str_ne(iam_web_csrf_token(as("bob"), secret_a), t);
    ck_assert_str_ne(iam_web_csrf_token(as("Olivia"), secret_a), t);
    ck_assert_str_ne(iam_web_csrf_token(as("olivia"), secret_b), t);
}
END_TEST

START_TEST(test_csrf_ok)
{
    const char *t = iam_web_csrf_token(as("olivia"), secret_a);
    char *changed = apr_pstrdup(glue_pool, t), *upper = apr_pstrdup(glue_pool, t);
    size_t i;

    changed[10] = changed[10] == 'a' ? 'b' : 'a';
    for (i = 0; upper[i]; i++)
        upper[i] = (char)apr_toupper(upper[i]);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, t), 1);
    ck_assert_int_eq(iam_web_csrf_ok(as("bob"), secret_a, t), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_b, t), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, NULL), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, ""), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, apr_pstrndup(glue_pool, t, 63)), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, apr_pstrndup(glue_pool, t, 32)), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, apr_pstrcat(glue_pool, t, "0", NULL)),
                     0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, changed), 0);
    ck_assert_int_eq(iam_web_csrf_ok(as("olivia"), secret_a, upper), 0);
}
END_TEST

START_TEST(test_seal)
{
    const char *sealed = iam_web_seal(as("olivia"), secret_a, "token", "s3cret value");
    char *tampered = apr_pstrdup(glue_pool, sealed);

    ck_assert_ptr_nonnull(sealed);
    ck_assert_ptr_null(strstr(sealed, "s3cret"));
    ck_assert_str_eq(iam_web_unseal(as("olivia"), secret_a, "token", sealed), "s3cret value");
    ck_assert_str_ne(iam_web_seal(as("olivia"), secret_a, "token", "s3cret value"), sealed);
    ck_assert_ptr_null(iam_web_unseal(as("bob"), secret_a, "token", sealed));
    ck_assert_ptr_null(iam_web_unseal(as("olivia"), secret_b, "token", sealed));
    ck_assert_ptr_null(iam_web_unseal(as("olivia"), secret_a, "notice", sealed));
    tampered[30] = tampered[30] == '0' ? '1' : '0';
    ck_assert_ptr_null(iam_web_unseal(as("olivia"), secret_a, "token", tampered));
    ck_assert_ptr_null(iam_web_unseal(as("olivia"), secret_a, "token",
                                      apr_pstrndup(glue_pool, sealed, strlen(sealed) - 2)));
    ck_assert_ptr_null(iam_web_unseal(as("olivia"), secret_a, "token", NULL));
    ck_assert_ptr_null(iam_web_unseal(as("olivia"), secret_a, "token", "zz"));
}
END_TEST

/* ---- cookies and headers ---- */

START_TEST(test_cookie)
{
    request_rec *r = get("/iam/");

    ck_assert_ptr_null(iam_web_cookie(r, "iam"));
    apr_table_set(r->headers_in, "Cookie", "iamx=1; other=iam=2; iam=abc; z=3");
    ck_assert_str_eq(iam_web_cookie(r, "iam"), "abc");
    ck_assert_str_eq(iam_web_cookie(r, "z"), "3");
    ck_assert_ptr_null(iam_web_cookie(r, "am"));
}
END_TEST

START_TEST(test_set_cookie)
{
    request_rec *r = get("/iam/");
    server_rec *tls = stub_server(glue_pool, 0);

    iam_web_set_cookie(r, "iam", "v1", "/iam", 600, 0);
    iam_web_set_cookie(r, "gone", NULL, "/iam", 600, 1);
    ck_assert_str_eq(apr_table_get(r->err_headers_out, "Set-Cookie"),
                     "iam=v1; Path=/iam; Max-Age=600; HttpOnly; SameSite=Strict");
    ck_assert_str_eq(((const apr_table_entry_t *)apr_table_elts(r->err_headers_out)->elts)[1].val,
                     "gone=; Path=/iam; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
    tls->server_scheme = "https";
    r = stub_request(glue_pool, tls, stub_dir_conf(TOP), "GET", "/iam/");
    iam_web_set_cookie(r, "iam", "v1", "/iam", 600, 0);
    ck_assert_ptr_nonnull(strstr(apr_table_get(r->err_headers_out, "Set-Cookie"), "; Secure"));
}
END_TEST

START_TEST(test_security_headers)
{
    request_rec *r = get("/iam/");

    iam_web_security_headers(r);
    ck_assert_str_eq(apr_table_get(r->err_headers_out, "Cache-Control"), "no-store");
    ck_assert_str_eq(apr_table_get(r->err_headers_out, "X-Frame-Options"), "DENY");
    ck_assert_str_eq(apr_table_get(r->err_headers_out, "X-Content-Type-Options"), "nosniff");
    ck_assert_ptr_nonnull(strstr(apr_table_get(r->err_headers_out, "Content-Security-Policy"),
                                 "frame-ancestors 'none'"));
    ck_assert_ptr_nonnull(
        strstr(apr_table_get(r->err_headers_out, "Content-Security-Policy"), "default-src 'none'"));
}
END_TEST

/* ---- the request body ---- */

/* Reads a body of `len` bytes (in pieces of `chunk`) with limit `max`. */
static int read_body(apr_size_t len, apr_size_t chunk, int chunked, apr_size_t max, char **body,
                     apr_size_t *got)
{
    request_rec *r = stub_request(glue_pool, glue_main, stub_dir_conf(TOP), "POST", "/iam/api/x");
    char *data = apr_palloc(glue_pool, len + 1);
    apr_size_t i;

    for (i = 0; i < len; i++)
        data[i] = (char)('a' + i % 26);
    data[len] = '\0';
    stub_body(r, data, len, chunk, chunked);
    return iam_web_read_body(r, max, body, got);
}

START_TEST(test_read_body)
{
    char *body;
    apr_size_t n;

    ck_assert_int_eq(read_body(100, 7, 0, 100, &body, &n), OK);
    ck_assert_uint_eq(n, 100);
    ck_assert_uint_eq(strlen(body), 100);
    ck_assert_int_eq(memcmp(body, "abcdefghijklmnopqrstuvwxyzabc", 29), 0);
    ck_assert_int_eq(read_body(100, 7, 1, 100, &body, &n), OK);
    ck_assert_uint_eq(n, 100);
    ck_assert_int_eq(read_body(101, 1000, 0, 100, &body, &n), HTTP_REQUEST_ENTITY_TOO_LARGE);
    ck_assert_int_eq(read_body(101, 7, 1, 100, &body, &n), HTTP_REQUEST_ENTITY_TOO_LARGE);
    ck_assert_int_eq(read_body(IAM_BODY_MAX + 1, 8192, 1, IAM_BODY_MAX, &body, &n),
                     HTTP_REQUEST_ENTITY_TOO_LARGE);
    ck_assert_int_eq(read_body(0, 7, 0, 100, &body, &n), OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(body, "");
}
END_TEST

START_TEST(test_read_no_body)
{
    request_rec *r = get("/iam/");
    char *body = NULL;
    apr_size_t n = 9;

    ck_assert_int_eq(iam_web_read_body(r, 100, &body, &n), OK);
    ck_assert_str_eq(body, "");
    ck_assert_uint_eq(n, 0);
    apr_table_set(r->headers_in, "Content-Length", "12abc");
    ck_assert_int_eq(iam_web_read_body(r, 100, &body, &n), HTTP_BAD_REQUEST);
}
END_TEST

/* ---- names and statuses ---- */

START_TEST(test_type_name)
{
    const char *type = NULL, *name = NULL;

    ck_assert_int_eq(iam_web_type_name(glue_pool, "source/checkout", &type, &name), 1);
    ck_assert_str_eq(type, "source");
    ck_assert_str_eq(name, "checkout");
    ck_assert_int_eq(iam_web_type_name(glue_pool, "warehouse/*", &type, &name), 1);
    ck_assert_str_eq(name, "*");
    ck_assert_int_eq(iam_web_type_name(glue_pool, "source", &type, &name), 0);
    ck_assert_int_eq(iam_web_type_name(glue_pool, "/checkout", &type, &name), 0);
    ck_assert_int_eq(iam_web_type_name(glue_pool, "source/", &type, &name), 0);
    ck_assert_int_eq(iam_web_type_name(glue_pool, "source/a/b", &type, &name), 0);
    ck_assert_int_eq(iam_web_type_name(glue_pool, "source//b", &type, &name), 0);
    ck_assert_int_eq(iam_web_type_name(glue_pool, "", &type, &name), 0);
    ck_assert_int_eq(iam_web_type_name(glue_pool, "/", &type, &name), 0);
}
END_TEST

START_TEST(test_status_mapping)
{
    static const struct {
        iam_status_e st;
        int http;
        const char *code;
    } map[] = {
        {IAM_INVALID, HTTP_BAD_REQUEST, "invalid"},
        {IAM_NOTFOUND, HTTP_NOT_FOUND, "not_found"},
        {IAM_EXISTS, HTTP_CONFLICT, "exists"},
        {IAM_STALE, HTTP_CONFLICT, "changed"},
        {IAM_LAST_OWNER, HTTP_CONFLICT, "last_owner"},
        {IAM_PLAN, HTTP_UNPROCESSABLE_ENTITY, "plan_limit"},
        {IAM_FULL, HTTP_INSUFFICIENT_STORAGE, "store_full"},
        {IAM_UNAVAILABLE, HTTP_SERVICE_UNAVAILABLE, "database_unavailable"},
        {IAM_CORRUPT, HTTP_INTERNAL_SERVER_ERROR, "store_error"},
        {IAM_VERSION, HTTP_INTERNAL_SERVER_ERROR, "store_error"},
        {IAM_NOSTORE, HTTP_INTERNAL_SERVER_ERROR, "store_error"},
        {IAM_ACCESS, HTTP_INTERNAL_SERVER_ERROR, "store_error"},
        {IAM_ERROR, HTTP_INTERNAL_SERVER_ERROR, "store_error"},
    };
    size_t i;

    ck_assert_int_eq(iam_web_http_status(IAM_OK), HTTP_OK);
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        ck_assert_msg(iam_web_http_status(map[i].st) == map[i].http, "%s: %d",
                      iam_status_str(map[i].st), iam_web_http_status(map[i].st));
        ck_assert_str_eq(iam_web_error_code(map[i].st), map[i].code);
    }
}
END_TEST

void glue_add_web(Suite *s)
{
    TCase *tc;

    tc = glue_tcase("forms", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_form_decoding);
    tcase_add_test(tc, test_form_malformed);
    tcase_add_test(tc, test_words);
    suite_add_tcase(s, tc);

    tc = glue_tcase("origin and tokens", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_same_origin);
    tcase_add_test(tc, test_csrf_token);
    tcase_add_test(tc, test_csrf_ok);
    tcase_add_test(tc, test_seal);
    tcase_add_test(tc, test_cookie);
    tcase_add_test(tc, test_set_cookie);
    tcase_add_test(tc, test_security_headers);
    suite_add_tcase(s, tc);

    tc = glue_tcase("body, names, statuses", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_read_body);
    tcase_add_test(tc, test_read_no_body);
    tcase_add_test(tc, test_type_name);
    tcase_add_test(tc, test_status_mapping);
    suite_add_tcase(s, tc);
}
