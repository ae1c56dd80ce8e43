/* mod_iam integration tests, the JSON API: user groups. The list; a
 * group's life (made with members and grants, shown, changed, renamed,
 * its members added and removed, its grants given and revoked, deleted);
 * and its grants reaching its members on the site, and stopping when they
 * leave. */
#include "api_test.h"

#include <stdio.h>
#include <string.h>

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
    EXPECT_KEYS(r.json, GROUP_KEYS ",members,managed_by");
    EXPECT_STR(r.json, "name", "analysts");
    EXPECT_STR(r.json, "managed_by", "workspace");
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
    EXPECT_KEYS(r.json, GROUP_KEYS ",members,managed_by");
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

void at_add_group_tests(TCase *tc)
{
    tcase_add_test(tc, test_groups_list);
    tcase_add_test(tc, test_group_lifecycle);
    tcase_add_test(tc, test_group_takes_effect);
}
