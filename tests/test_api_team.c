/* mod_iam integration tests, the JSON API under IAMPlan team (the "team"
 * case: a server of its own for each test). The roles say what the plan
 * lacks; each change it does not allow is refused (422 plan_limit) and
 * leaves the store as it was; Source Admin, which it allows, works, and
 * groups can still be read and emptied. */
#include "api_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static iam_httpd_t team; /* the demo under IAMPlan team */

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

void at_add_team(Suite *s)
{
    TCase *tc = tcase_create("team");

    tcase_add_checked_fixture(tc, team_setup, team_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_team_plan_limits);
    tcase_add_test(tc, test_team_plan_allows_source_admin);
    suite_add_tcase(s, tc);
}
