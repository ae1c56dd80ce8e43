/* mod_iam integration tests, the JSON API: errors and bodies. Bodies that
 * are not JSON objects, unknown or repeated fields (inside a grant too),
 * wrong types, a method a path does not take, "scope": "all" with
 * resources or labels: each refused with its error code, the store as it
 * was. The 64 KiB body limit, announced or chunked; and writes that name
 * this origin accepted. */
#include "api_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- refused requests: each leaves the store as it was ---- */

#define J "application/json"
#define EVIL "Origin: http://evil.example"
#define BODY_MAX (64 * 1024)

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

void at_add_refused_tests(TCase *tc)
{
    tcase_add_loop_test(tc, test_refused, 0, (int)(sizeof(refused) / sizeof(refused[0])));
    tcase_add_test(tc, test_scope_all_with_items_refused);
    tcase_add_test(tc, test_unknown_field_in_grant_refused);
    tcase_add_test(tc, test_body_limit);
    tcase_add_test(tc, test_same_origin_writes);
}
