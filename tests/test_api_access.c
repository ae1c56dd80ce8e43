/* mod_iam integration tests, the JSON API: who gets in. No user, members
 * without the right (plain, a Source Admin, a group's reader), a
 * non-member and the owner, reading and writing: each answer is the API's
 * JSON, and a refusal leaves the store as it was. A wrong password is 401;
 * paths outside api/v1/ are the API's 404, never the console. */
#include "api_test.h"

#include <string.h>

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

void at_add_access_tests(TCase *tc)
{
    tcase_add_loop_test(tc, test_access, 0, (int)(sizeof(access_cases) / sizeof(access_cases[0])));
    tcase_add_test(tc, test_wrong_password_is_401);
    tcase_add_test(tc, test_unknown_api_paths);
}
