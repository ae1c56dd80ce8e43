/* mod_iam integration tests, the JSON API: members. The list, its paging
 * and search; one member; an invitation and an active member made; PATCH
 * changing what it names only; deleting; grants given and revoked, and
 * seen by the site at once; the last owner kept; markup kept as data. */
#include "api_test.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

void at_add_member_tests(TCase *tc)
{
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
}
