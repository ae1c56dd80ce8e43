/* mod_iam integration tests: labels and the labels of resources through
 * the API, decided by the real httpd at the next request (issue 16).
 *
 * A label is made, named by a grant, put on a resource declared in
 * httpd.conf (the grant opens), taken off (it closes), refused deletion
 * while in use; the workspace's label replaces httpd.conf's on its key;
 * a resource's own admin may relabel it and nothing else. */
#include "api_test.h"

#include <string.h>

/* The newest audit entry's action and actor, as "action by actor". */
static char *newest_audit(void)
{
    resp_t r;
    json_t *e;
    char *out;

    api("GET", "audit?limit=1", NULL, &r);
    EXPECT_STATUS(r, 200);
    e = json_array_get(json_object_get(r.json, "audit"), 0);
    out = strdup(S("%s by %s", json_string_value(json_object_get(e, "action")),
                   json_string_value(json_object_get(e, "actor"))));
    resp_free(&r);
    return out;
}

static json_t *label_row(json_t *labels, const char *label)
{
    size_t i;
    json_t *row;

    json_array_foreach(labels, i, row)
    {
        if (!strcmp(json_string_value(json_object_get(row, "label")), label))
            return row;
    }
    return NULL;
}

START_TEST(test_labels_made_and_deleted)
{
    json_t *row;
    char *before;
    resp_t r;

    api("GET", "labels", NULL, &r);
    EXPECT_STATUS(r, 200);
    row = label_row(json_object_get(r.json, "labels"), "env:dev");
    ck_assert_msg(row != NULL, "no env:dev in %s", r.body);
    EXPECT_STR(row, "from", "built in");
    row = label_row(json_object_get(r.json, "labels"), "team:growth");
    ck_assert_msg(row != NULL, "httpd.conf's team:growth is not listed: %s", r.body);
    EXPECT_STR(row, "from", "httpd.conf");
    ck_assert(json_is_true(json_object_get(row, "declared")));
    ck_assert_int_ge(json_integer_value(json_object_get(row, "resources")), 1);
    resp_free(&r);

    api("POST", "labels", "{\"label\":\"team:lab-made\",\"description\":\"Made here\"}", &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "from", "workspace");
    EXPECT_STR(r.json, "description", "Made here");
    EXPECT_STR(r.json, "created_by", "api:olivia");
    resp_free(&r);
    api("POST", "labels", "{\"label\":\"TEAM:lab-made\"}", &r);
    EXPECT_ERROR(r, 409, "exists");
    resp_free(&r);

    /* bad input changes nothing */
    before = snapshot_of(&srv);
    api("POST", "labels", "{\"label\":\"nocolon\"}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("POST", "labels", "{\"label\":\"1team:x\"}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("POST", "labels", "{\"label\":\"team:y\",\"colour\":\"red\"}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("DELETE", "labels/env:dev", NULL, &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("DELETE", "labels/team:never-made", NULL, &r);
    EXPECT_ERROR(r, 404, "not_found");
    resp_free(&r);
    /* a grant on a label that does not exist */
    api("POST", "members",
        "{\"login\":\"lab-nolabel\",\"status\":\"active\",\"grants\":[{\"role\":\"source-admin\","
        "\"scope\":\"labels\",\"labels\":[\"team:never-made\"]}]}",
        &r);
    EXPECT_ERROR(r, 400, "invalid");
    ck_assert_msg(strstr(r.body, "no label 'team:never-made'"), "%s", r.body);
    resp_free(&r);
    EXPECT_UNCHANGED(before, &srv);

    api("DELETE", "labels/team:lab-made", NULL, &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    api("GET", "labels", NULL, &r);
    ck_assert_ptr_null(label_row(json_object_get(r.json, "labels"), "team:lab-made"));
    resp_free(&r);
}
END_TEST

/* A label put on a resource opens a grant on it at the next request, and
 * closes it when taken off; it cannot be deleted while either uses it. */
START_TEST(test_resource_labels_decide)
{
    char *before, *audit;
    resp_t r;

    api("POST", "labels", "{\"label\":\"team:lab\"}", &r);
    EXPECT_STATUS(r, 201);
    resp_free(&r);
    make_member("lab-lee",
                "\"grants\":[{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":["
                "\"team:lab\"]}]",
                1);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "lab-lee"), 403);

    api("PUT", "resources/source/checkout/labels", "{\"labels\":[\"team:lab\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(json_object_get(r.json, "resource"), "workspace_labels", "[\"team:lab\"]");
    EXPECT_JSON(json_object_get(r.json, "resource"), "labels", "[\"team:lab\"]");
    resp_free(&r);
    audit = newest_audit();
    ck_assert_str_eq(audit, "resource.labels by api:olivia");
    free(audit);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "lab-lee"), 200);
    api("GET", "resources?label=team:lab", NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "resources")), 1);
    resp_free(&r);

    /* in use by a resource and a grant: not deleted */
    api("DELETE", "labels/team:lab", NULL, &r);
    EXPECT_ERROR(r, 409, "in_use");
    resp_free(&r);

    /* refused changes change nothing, and decide nothing */
    before = snapshot_of(&srv);
    api("PUT", "resources/source/checkout/labels", "{\"labels\":[\"env:dev\",\"env:prod\"]}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("PUT", "resources/source/checkout/labels", "{\"labels\":[\"team:never-made\"]}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("PUT", "resources/nope/checkout/labels", "{\"labels\":[]}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("PUT", "resources/source/checkout/labels", "{\"labels\":\"team:lab\"}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("PUT", "resources/source/checkout/labels", "{\"labels\":[],\"x\":1}", &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    api("PUT", "resources/source/a%20b/labels", "{\"labels\":[]}", &r);
    ck_assert_int_ge(r.status, 400);
    resp_free(&r);
    EXPECT_UNCHANGED(before, &srv);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "lab-lee"), 200);

    api("PUT", "resources/source/checkout/labels", "{\"labels\":[]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/checkout/", "lab-lee"), 403);
}
END_TEST

/* The workspace's label replaces httpd.conf's on the same key: web is
 * env:prod in httpd.conf; given env:dev, a grant on env:prod no longer
 * reaches it, one on env:dev does. */
START_TEST(test_resource_labels_replace_httpd_conf)
{
    resp_t r;

    make_member("lab-prod",
                "\"grants\":[{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":["
                "\"env:prod\"]}]",
                1);
    make_member("lab-dev",
                "\"grants\":[{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":["
                "\"env:dev\"]}]",
                1);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "lab-prod"), 200);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "lab-dev"), 403);
    api("PUT", "resources/source/web/labels", "{\"labels\":[\"env:dev\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(json_object_get(r.json, "resource"), "labels", "[\"team:growth\",\"env:dev\"]");
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "lab-prod"), 403);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "lab-dev"), 200);
    api("GET", "resources/source/web", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(json_object_get(r.json, "resource"), "workspace_labels", "[\"env:dev\"]");
    resp_free(&r);
    api("PUT", "resources/source/web/labels", "{\"labels\":[]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&srv, "GET", "/sources/web/", "lab-prod"), 200);
}
END_TEST

/* An admin of one resource (Source Admin on ios) may change its labels,
 * audited under their name, with labels that exist; not another
 * resource's, and no other page or endpoint opens to them. */
START_TEST(test_resource_admin)
{
    char *audit;
    resp_t r;

    make_member("lab-ada",
                "\"grants\":[{\"role\":\"source-admin\",\"scope\":\"resources\",\"resources\":["
                "\"ios\"]}]",
                1);
    request(&srv, "lab-ada", "PUT", "resources/source/ios/labels", "application/json",
            "{\"labels\":[\"env:prod\"]}", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(json_object_get(r.json, "resource"), "labels", "[\"env:prod\"]");
    resp_free(&r);
    audit = newest_audit();
    ck_assert_str_eq(audit, "resource.labels by api:lab-ada");
    free(audit);
    request(&srv, "lab-ada", "PUT", "resources/source/ios/labels", "application/json",
            "{\"labels\":[\"team:never-made\"]}", NULL, &r);
    EXPECT_ERROR(r, 400, "invalid");
    resp_free(&r);
    /* another resource, and every other endpoint: owners only */
    request(&srv, "lab-ada", "PUT", "resources/source/web/labels", "application/json",
            "{\"labels\":[]}", NULL, &r);
    EXPECT_ERROR(r, 403, "forbidden");
    resp_free(&r);
    request(&srv, "lab-ada", "GET", "resources/source/ios", NULL, NULL, NULL, &r);
    EXPECT_ERROR(r, 403, "forbidden");
    resp_free(&r);
    request(&srv, "lab-ada", "POST", "labels", "application/json", "{\"label\":\"team:ada\"}", NULL,
            &r);
    EXPECT_ERROR(r, 403, "forbidden");
    resp_free(&r);
    request(&srv, "lab-ada", "GET", "members", NULL, NULL, NULL, &r);
    EXPECT_ERROR(r, 403, "forbidden");
    resp_free(&r);
    /* the console: the resource's own page, with its labels form; no other */
    ck_assert_int_eq(
        request(&srv, "lab-ada", "GET", "/iam/resources/source/ios", NULL, NULL, NULL, &r), 200);
    ck_assert_msg(strstr(r.body, "Save labels") && !strstr(r.body, "href=\"/iam/members\""), "%s",
                  r.body);
    resp_free(&r);
    ck_assert_int_eq(
        request(&srv, "lab-ada", "GET", "/iam/resources/source/web", NULL, NULL, NULL, &r), 403);
    resp_free(&r);
    ck_assert_int_eq(request(&srv, "lab-ada", "GET", "/iam/labels", NULL, NULL, NULL, &r), 403);
    resp_free(&r);
    api("PUT", "resources/source/ios/labels", "{\"labels\":[]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
}
END_TEST

void at_add_label_tests(TCase *tc)
{
    tcase_add_test(tc, test_labels_made_and_deleted);
    tcase_add_test(tc, test_resource_labels_decide);
    tcase_add_test(tc, test_resource_labels_replace_httpd_conf);
    tcase_add_test(tc, test_resource_admin);
}
