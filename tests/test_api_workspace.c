/* mod_iam integration tests, the JSON API: the workspace. The roles (the
 * built-in ones, under the business plan), the resources and who can reach
 * one, and the audit trail of the API's changes, newest first. */
#include "api_test.h"

#include <string.h>

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

/* httpd.conf's entries first, in its order, each as the workspace knows
 * it; then what only the workspace knows (other tests' grants name
 * spaces), never declared. */
START_TEST(test_resources)
{
    static const char *const want[] = {
        "{\"type\":\"source\",\"name\":\"*\",\"labels\":[],\"workspace_labels\":[],"
        "\"path\":\"/sources/\",\"template\":false,\"declared\":true}",
        "{\"type\":\"source\",\"name\":\"checkout\",\"labels\":[],\"workspace_labels\":[],"
        "\"path\":\"/sources/checkout/\",\"template\":false,\"declared\":true}",
        "{\"type\":\"source\",\"name\":\"web\",\"labels\":[\"env:prod\",\"team:growth\"],"
        "\"workspace_labels\":[],\"path\":\"/sources/web/\",\"template\":false,"
        "\"declared\":true}",
        "{\"type\":\"source\",\"name\":\"ios\",\"labels\":[\"env:dev\"],\"workspace_labels\":[],"
        "\"path\":\"/sources/ios/\",\"template\":false,\"declared\":true}",
        "{\"type\":\"warehouse\",\"name\":\"main\",\"labels\":[],\"workspace_labels\":[],"
        "\"path\":\"/warehouses/main/\",\"template\":false,\"declared\":true}",
    };
    json_t *list, *row;
    resp_t r;
    size_t i;

    api("GET", "resources", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "resources");
    list = json_object_get(r.json, "resources");
    ck_assert_uint_ge(json_array_size(list), 5);
    json_array_foreach(list, i, row)
    {
        if (i < 5) {
            json_t *w = json_loads(want[i], 0, NULL), *got = json_deep_copy(row);
            json_object_del(got, "granted"); /* other tests' grants name some */
            json_object_del(got, "labelled");
            ck_assert_msg(json_equal(got, w), "resource %zu is %s", i, json_dumps(row, 0));
            json_decref(w);
            json_decref(got);
        } else {
            ck_assert_msg(json_is_false(json_object_get(row, "declared")) &&
                              json_is_true(json_object_get(row, "granted")),
                          "resource %zu is %s", i, json_dumps(row, 0));
        }
    }
    resp_free(&r);

    /* narrowed by type and by label; a bad filter is a 400 */
    api("GET", "resources?type=warehouse", NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "resources")), 1);
    resp_free(&r);
    api("GET", "resources?label=env:dev", NULL, &r);
    EXPECT_STATUS(r, 200);
    list = json_object_get(r.json, "resources");
    ck_assert_uint_eq(json_array_size(list), 1);
    EXPECT_STR(json_array_get(list, 0), "name", "ios");
    resp_free(&r);
    api("GET", "resources?label=nocolon", NULL, &r);
    EXPECT_ERROR(r, 400, "invalid");
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
    EXPECT_STR(json_object_get(r.json, "resource"), "name", "web");
    EXPECT_JSON(json_object_get(r.json, "resource"), "labels", "[\"env:prod\",\"team:growth\"]");
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
    /* the resource alone is the same answer */
    api("GET", "resources/source/web", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_KEYS(r.json, "resource,access");
    resp_free(&r);
    api("GET", "resources/nope/web", NULL, &r);
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

void at_add_workspace_tests(TCase *tc)
{
    tcase_add_test(tc, test_roles);
    tcase_add_test(tc, test_resources);
    tcase_add_test(tc, test_resource_access);
    tcase_add_test(tc, test_audit);
}
