/* Hostile input: the JSON API's bodies and URLs. Bodies that are not
 * JSON, too large, too deep, hold NUL bytes, invalid UTF-8 or the wrong
 * types, each with the status and error code it must get and the store
 * unchanged; writes from another site or not as JSON; bad query strings,
 * logins and paths of the API. */
#include "hostile_test.h"

#include <string.h>

enum { BODY_PLAIN, BODY_HUGE_SPACES, BODY_HUGE_STRING, BODY_DEEP, BODY_DEEP_FIELD };

/* a raw NUL byte inside a string */
#define NUL_IN_STRING "{\"login\":\"h3\0x\",\"status\":\"active\"}"

static const struct {
    const char *method, *path, *body;
    size_t len; /* for bodies holding NUL bytes; 0: strlen */
    int kind;
    long status;
    const char *code;
} bad_json[] = {
    {"POST", "members", "{", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "not json", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "[]", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "null", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h1\",\"status\":\"active\"} trailing", 0, BODY_PLAIN, 400,
     "invalid"},
    {"POST", "members", "{\"login\":\"h1\",\"login\":\"h2\",\"status\":\"active\"}", 0, BODY_PLAIN,
     400, "invalid"},
    /* over 64 KiB: 413 before parsing */
    {"POST", "members", NULL, 0, BODY_HUGE_SPACES, 413, "too_large"},
    {"POST", "members", NULL, 0, BODY_HUGE_STRING, 413, "too_large"},
    /* 5000 levels (10 KB): jansson stops at its depth limit of 2048 */
    {"POST", "members", NULL, 0, BODY_DEEP, 400, "invalid"},
    {"POST", "members", NULL, 0, BODY_DEEP_FIELD, 400, "invalid"},
    /* a raw NUL byte, an escaped one, invalid UTF-8, a lone surrogate */
    {"POST", "members", NUL_IN_STRING, sizeof(NUL_IN_STRING) - 1, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h3\\u0000x\",\"status\":\"active\"}", 0, BODY_PLAIN, 400,
     "invalid"},
    {"POST", "members", "{\"login\":\"h4\xff\xfe\",\"status\":\"active\"}", 0, BODY_PLAIN, 400,
     "invalid"},
    {"POST", "members", "{\"login\":\"h4\\udc00\",\"status\":\"active\"}", 0, BODY_PLAIN, 400,
     "invalid"},
    {"POST", "members", "{\"login\":\"h5\\n\",\"status\":\"active\"}", 0, BODY_PLAIN, 400,
     "invalid"},
    {"PATCH", "members/max", "{\"name\":\"Max\\u0000Owner\"}", 0, BODY_PLAIN, 400, "invalid"},
    {"PATCH", "members/max", "{\"name\":\"Max \xc0\xaf\"}", 0, BODY_PLAIN, 400, "invalid"},
    /* wrong types */
    {"POST", "members", "{\"login\":5,\"status\":\"active\"}", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":true}", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"owner\"}", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"active\",\"grants\":\"all\"}", 0,
     BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"active\",\"grants\":[5]}", 0, BODY_PLAIN,
     400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"active\",\"grants\":[{\"role\":{}}]}", 0,
     BODY_PLAIN, 400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"active\",\"groups\":[null]}", 0, BODY_PLAIN,
     400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"active\",\"pii\":\"yes\"}", 0, BODY_PLAIN,
     400, "invalid"},
    {"POST", "members", "{\"login\":\"h6\",\"status\":\"active\",\"owner\":true}", 0, BODY_PLAIN,
     400, "invalid"},
    {"PATCH", "members/max", "{\"name\":123}", 0, BODY_PLAIN, 400, "invalid"},
    {"PATCH", "members/max", "{\"email\":[\"a@b.c\"]}", 0, BODY_PLAIN, 400, "invalid"},
    {"PATCH", "members/max", "{\"login\":\"olivia\"}", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "members/max/grants",
     "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":\"web\"}", 0, BODY_PLAIN,
     400, "invalid"},
    {"POST", "members/max/grants",
     "{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":[1e400]}", 0, BODY_PLAIN,
     400, "invalid"},
    {"POST", "members/max/grants", "{\"role\":\"workspace-owner\",\"scope\":\"labels\"}", 0,
     BODY_PLAIN, 400, "invalid"},
    {"POST", "groups/analysts/members", "{\"logins\":\"max\"}", 0, BODY_PLAIN, 400, "invalid"},
    {"POST", "groups/analysts/members", "{\"logins\":[\"max\",[\"sam\"]]}", 0, BODY_PLAIN, 400,
     "invalid"},
    {"POST", "requests/approve", "{\"login\":1,\"type\":\"source\",\"name\":\"web\"}", 0,
     BODY_PLAIN, 400, "invalid"},
    {"POST", "tokens", "{\"description\":{}}", 0, BODY_PLAIN, 400, "invalid"},
};

static char *json_body(int i, size_t *len)
{
    char *b;

    switch (bad_json[i].kind) {
    case BODY_HUGE_SPACES: /* valid JSON, 70 KB of it */
        b = xprintf("{\"login\":\"h1\",\"status\":\"active\"}%s", repeat(' ', 70000));
        break;
    case BODY_HUGE_STRING:
        b = xprintf("{\"login\":\"%s\",\"status\":\"active\"}", repeat('a', 70000));
        break;
    case BODY_DEEP: b = xprintf("%s%s", repeat('[', 5000), repeat(']', 5000)); break;
    case BODY_DEEP_FIELD:
        b = xprintf("{\"login\":\"h2\",\"status\":\"active\",\"grants\":%s%s}", repeat('[', 3000),
                    repeat(']', 3000));
        break;
    default:
        *len = bad_json[i].len ? bad_json[i].len : strlen(bad_json[i].body);
        return (char *)bad_json[i].body;
    }
    *len = strlen(b);
    return b;
}

/* Each bad body: the status and error code written above, a JSON answer,
 * nothing changed. Sent raw so that NUL bytes go out as they are. */
START_TEST(test_api_bad_json)
{
    size_t len;
    char *body = json_body(_i, &len), *before = export_store();
    char *what = xprintf("%s %s with body #%d", bad_json[_i].method, bad_json[_i].path, _i);
    resp_t r = raw_request(bad_json[_i].method, xprintf("/iam/api/v1/%s", bad_json[_i].path),
                           auth_of("olivia"), "Content-Type: application/json\r\n", body, len);

    ck_status(what, r.status, bad_json[_i].status);
    ck_json_error(what, &r, bad_json[_i].code);
    ck_same_store(what, before);
    passed();
}
END_TEST

/* Writes from another site, or not as JSON: refused, nothing changed. A
 * browser's cross-site form can send neither a JSON type nor a PATCH. */
START_TEST(test_api_cross_site)
{
    static const struct {
        const char *ctype, *header;
        long status;
        const char *code;
    } rows[] = {
        {JSON, "Origin: http://evil.example", 403, "cross_origin"},
        {JSON, "Origin: null", 403, "cross_origin"},
        {JSON, "Referer: http://evil.example/iam/", 403, "cross_origin"},
        /* a host that merely starts with this one's */
        {JSON, "Referer: http://127.0.0.1:%d.evil.example/iam/", 403, "cross_origin"},
        {"text/plain", NULL, 415, "unsupported_media_type"},
        {"application/jsonx", NULL, 415, "unsupported_media_type"},
        {FORM, NULL, 415, "unsupported_media_type"},
        {NULL, NULL, 415, "unsupported_media_type"},
    };
    const char *body = "{\"login\":\"xsite\",\"status\":\"active\",\"grants\":[{\"role\":"
                       "\"workspace-owner\",\"scope\":\"all\"}]}";
    char *before = export_store();
    int i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *hdrs[] = {rows[i].header ? xprintf(rows[i].header, srv.port) : NULL, NULL};
        char *what = xprintf("POST members with %s %s", rows[i].ctype ? rows[i].ctype : "no type",
                             rows[i].header ? rows[i].header : "");
        resp_t r =
            call("POST", "/iam/api/v1/members", userpass("olivia"), rows[i].ctype, body, hdrs);

        ck_status(what, r.status, rows[i].status);
        ck_json_error(what, &r, rows[i].code);
    }
    /* a PATCH that would make max an owner, from another site */
    {
        const char *hdrs[] = {"Origin: http://evil.example", NULL};
        resp_t r = call("PATCH", "/iam/api/v1/members/max", userpass("olivia"), JSON,
                        "{\"grants\":[{\"role\":\"workspace-owner\",\"scope\":\"all\"}]}", hdrs);
        ck_status("cross-site PATCH", r.status, 403);
        ck_json_error("cross-site PATCH", &r, "cross_origin");
    }
    ck_same_store("cross-site API writes", before);
    passed();
}
END_TEST

/* Bad URLs of the API: JSON errors, never a 5xx. */
START_TEST(test_api_bad_urls)
{
    static const struct {
        const char *method, *target;
        long status;
        const char *code;
    } rows[] = {
        /* a bad %-escape in the query */
        {"GET", "/iam/api/v1/members?q=%zz", 400, "invalid"},
        {"GET", "/iam/api/v1/members?q=%", 400, "invalid"},
        /* a NUL in the query would cut the value */
        {"GET", "/iam/api/v1/members?q=%00", 400, "invalid"},
        {"GET", "/iam/api/v1/members?limit=99999999999999999999", 400, "invalid"},
        {"GET", "/iam/api/v1/members?limit=-1", 400, "invalid"},
        {"GET", "/iam/api/v1/members?status=owner", 400, "invalid"},
        {"GET", "/iam/api/v1/audit?limit=abc", 400, "invalid"},
        /* a login that cannot exist, as raw bytes and escaped */
        {"GET", "/iam/api/v1/members/%ff%fe", 404, "not_found"},
        {"GET", "/iam/api/v1/members/\xff\xfe", 404, "not_found"},
        /* Apache refuses an encoded NUL or slash in the path (404) */
        {"GET", "/iam/api/v1/members/%00", 404, "not_found"},
        {"GET", "/iam/api/v1/members/..%2f..%2f", 404, "not_found"},
        /* dot segments leave the API's tree: /iam/api/ is no endpoint */
        {"DELETE", "/iam/api/v1/tokens/../../", 404, "not_found"},
        /* "members/.." is /iam/api/v1/ itself, where only GETs are routed */
        {"DELETE", "/iam/api/v1/members/%2e%2e", 405, "method_not_allowed"},
        {"GET", "/iam/api/v2/members", 404, "not_found"},
        {"BREW", "/iam/api/v1/members", 405, "method_not_allowed"},
    };
    char *before = export_store();
    int i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        resp_t r = raw_request(rows[i].method, rows[i].target, auth_of("olivia"), NULL, NULL, 0);
        char *what = xprintf("%s %s", rows[i].method, rows[i].target);

        ck_status(what, r.status, rows[i].status);
        ck_json_error(what, &r, rows[i].code);
    }
    ck_same_store("bad API URLs", before);
    passed();
}
END_TEST

/* Adds this file's tests to the suite's TCase; returns how many. */
int ho_add_api(TCase *tc)
{
    tcase_add_loop_test(tc, test_api_bad_json, 0, ARRAY_LEN(bad_json));
    tcase_add_test(tc, test_api_cross_site);
    tcase_add_test(tc, test_api_bad_urls);
    return ARRAY_LEN(bad_json) + 2;
}
