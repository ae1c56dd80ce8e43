/* SCIM in a real httpd, as Okta and Microsoft Entra ID speak it: their
 * documented provisioning sequences (users provisioned, updated,
 * deactivated, reactivated, renamed and deleted; groups pushed, renamed
 * and their members changed), each step followed by the site's decisions.
 * The server and helpers are test_scim_http.c's (scim_test.h). */
#include "scim_test.h"

/* ---- Okta ---- */

/* Okta's user lifecycle: look up, create, read, update the profile (PUT),
 * deactivate and reactivate (PATCH active), delete; the site follows each
 * step at the member's next request, and the audit trail names the token. */
START_TEST(test_scim_okta_user)
{
    const char *login = "dana@okta.example", *id;
    char *path;
    resp_t r;

    id = okta_create(login, "Dana", "Scully");
    ck_assert_int_eq(strlen(id), 36);
    /* an active Workspace Member with minimal access: the home, no source */
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 200);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", login), 403);

    path = strdup(S("Users/%s", id));
    scim("GET", path, NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "userName", login);
    EXPECT_STR(r.json, "displayName", "Dana Scully");
    EXPECT_STR(r.json, "externalId", "00u1dhhb1fkIGP7RL1d8");
    EXPECT_JSON(r.json, "active", "true");
    EXPECT_STR(json_array_get(json_object_get(r.json, "emails"), 0), "value", login);
    EXPECT_STR(json_object_get(r.json, "meta"), "resourceType", "User");
    ck_assert_ptr_nonnull(strstr(str_of(json_object_get(r.json, "meta"), "location"), path));
    resp_free(&r);

    /* the owner gives her a grant; deactivation keeps it for her return */
    api_on(&scim_srv, "POST", S("members/%s/grants", login),
           "{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", login), 200);

    /* a profile change: Okta PUTs the whole user */
    scim("PUT", path,
         S("{\"schemas\":[\"%s\"],\"id\":\"%s\",\"userName\":\"%s\",\"name\":{\"givenName\":"
           "\"Dana\",\"familyName\":\"Scully-Mulder\"},\"emails\":[{\"primary\":true,\"value\":"
           "\"dana.sm@okta.example\",\"type\":\"work\"}],\"active\":true}",
           USER_SCHEMA, id, login),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "displayName", "Dana Scully-Mulder");
    EXPECT_STR(json_array_get(json_object_get(r.json, "emails"), 0), "value",
               "dana.sm@okta.example");
    ck_assert_ptr_null(json_object_get(r.json, "externalId")); /* a PUT that leaves it out */
    resp_free(&r);

    /* deactivate: Okta's PATCH with no path */
    scim("PATCH", path,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":"
           "false}}]}",
           PATCH_SCHEMA),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "active", "false");
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", login), 403);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 403);
    api_on(&scim_srv, "GET", S("members/%s", login), NULL, &r);
    EXPECT_STR(r.json, "status", "suspended");
    resp_free(&r);

    /* reactivate: back with what she had */
    scim("PATCH", path,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":"
           "true}}]}",
           PATCH_SCHEMA),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "active", "true");
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", login), 200);

    /* the trail names the token and says what it did */
    api_on(&scim_srv, "GET", S("audit?member=%s", esc(login)), NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_msg(strstr(r.body, "scim:tok_") && strstr(r.body, "member.suspend") &&
                      strstr(r.body, "member.resume") && strstr(r.body, "member.add"),
                  "%s", r.body);
    resp_free(&r);

    scim("DELETE", path, NULL, &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    scim("GET", path, NULL, &r);
    EXPECT_SCIM_ERROR(r, 404, NULL);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 403);
    free(path);
}
END_TEST

/* Okta's group push: look up, create, owners give the group its roles,
 * members added and removed by PATCH, the group renamed; the console's
 * way of changing its members is refused; delete. */
START_TEST(test_scim_okta_groups)
{
    const char *u1 = okta_create("fox@okta.example", "Fox", "Mulder");
    const char *u2 = okta_create("walter@okta.example", "Walter", "Skinner");
    const char *gid;
    char *gpath;
    resp_t r;

    scim("GET",
         S("Groups?filter=%s&startIndex=1&count=100", esc("displayName eq \"Okta Analysts\"")),
         NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "0");
    resp_free(&r);
    scim("POST", "Groups",
         S("{\"schemas\":[\"%s\"],\"displayName\":\"Okta Analysts\",\"members\":[]}", GROUP_SCHEMA),
         &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "displayName", "Okta Analysts");
    EXPECT_JSON(r.json, "members", "[]");
    gid = strdup(str_of(r.json, "id"));
    resp_free(&r);
    gpath = strdup(S("Groups/%s", gid));

    /* a SCIM group starts with no grants: an owner gives it a role */
    api_on(&scim_srv, "POST", S("groups/%s/grants", esc("Okta Analysts")),
           "{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "fox@okta.example"), 403);

    scim("PATCH", gpath,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"add\",\"path\":\"members\","
           "\"value\":[{\"value\":\"%s\",\"display\":\"fox@okta.example\"}]}]}",
           PATCH_SCHEMA, u1),
         &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "fox@okta.example"), 200);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "walter@okta.example"), 403);

    api_on(&scim_srv, "GET", S("groups/%s", esc("Okta Analysts")), NULL, &r);
    EXPECT_STR(r.json, "managed_by", "scim");
    resp_free(&r);
    /* the console's way is refused: the identity provider owns the members */
    {
        char *before = snapshot_of(&scim_srv);
        api_on(&scim_srv, "POST", S("groups/%s/members", esc("Okta Analysts")),
               "{\"logins\":[\"walter@okta.example\"]}", &r);
        EXPECT_ERROR(r, 400, "invalid");
        ck_assert_msg(strstr(r.body, "identity provider"), "%s", r.body);
        resp_free(&r);
        api_on(&scim_srv, "POST", S("groups/%s/members/remove", esc("Okta Analysts")),
               "{\"logins\":[\"fox@okta.example\"]}", &r);
        EXPECT_ERROR(r, 400, "invalid");
        resp_free(&r);
        api_on(&scim_srv, "PATCH", S("groups/%s", esc("Okta Analysts")),
               "{\"members\":[\"fox@okta.example\",\"walter@okta.example\"]}", &r);
        EXPECT_ERROR(r, 400, "invalid");
        resp_free(&r);
        EXPECT_UNCHANGED(before, &scim_srv);
    }
    /* what leaves its members as they are passes: its pii, sent back with them */
    api_on(&scim_srv, "PATCH", S("groups/%s", esc("Okta Analysts")),
           "{\"pii\":true,\"members\":[\"fox@okta.example\"]}", &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "pii", "true");
    resp_free(&r);

    /* a rename (Okta sends the id with it): grants and members stay */
    scim("PATCH", gpath,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"replace\",\"value\":{\"id\":\"%s\","
           "\"displayName\":\"Okta Analysts EU\"}}]}",
           PATCH_SCHEMA, gid),
         &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    scim("GET", gpath, NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "displayName", "Okta Analysts EU");
    EXPECT_STR(r.json, "id", gid);
    EXPECT_STR(json_array_get(json_object_get(r.json, "members"), 0), "value", u1);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "fox@okta.example"), 200);
    scim("GET", S("Users/%s", u1), NULL, &r);
    EXPECT_STR(json_array_get(json_object_get(r.json, "groups"), 0), "display", "Okta Analysts EU");
    resp_free(&r);

    /* Okta's remove: a filter in the path */
    scim("PATCH", gpath,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"remove\",\"path\":\"members[value "
           "eq \\\"%s\\\"]\"}]}",
           PATCH_SCHEMA, u1),
         &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "fox@okta.example"), 403);

    /* the console shows who manages it, and offers no member edits */
    request(&scim_srv, "olivia", "GET", S("/iam/groups/%s", esc("Okta Analysts EU")), NULL, NULL,
            NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_msg(strstr(r.body, "identity provider manages this group") &&
                      !strstr(r.body, "Add members") && !strstr(r.body, "name=\"member\""),
                  "%s", r.body);
    resp_free(&r);
    request(&scim_srv, "olivia", "GET", "/iam/groups", NULL, NULL, NULL, &r);
    ck_assert_msg(strstr(r.body, "Okta Analysts EU</a> <span class=\"badge\""), "%s", r.body);
    resp_free(&r);
    request(&scim_srv, "olivia", "GET", "/iam/groups/analysts", NULL, NULL, NULL, &r);
    ck_assert_msg(strstr(r.body, "Add members") && !strstr(r.body, "identity provider manages"),
                  "%s", r.body);
    resp_free(&r);

    /* what Okta reads before it changes a group: without its members */
    scim("GET", S("%s?excludedAttributes=members", gpath), NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_ptr_null(json_object_get(r.json, "members"));
    EXPECT_STR(r.json, "displayName", "Okta Analysts EU");
    resp_free(&r);

    scim("DELETE", gpath, NULL, &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    scim("GET", gpath, NULL, &r);
    EXPECT_SCIM_ERROR(r, 404, NULL);
    resp_free(&r);
    ck_assert_ptr_nonnull(u2);
    free(gpath);
    free((void *)gid);
}
END_TEST

/* ---- Entra ID ---- */

/* Entra ID's user sequence: the lookup, the create (with the enterprise
 * extension and attributes mod_iam keeps no copy of), PATCH with paths
 * and "Replace"/"Add" in capitals, "False" and "True" as strings, a
 * rename of userName (the id stays), delete. */
START_TEST(test_scim_entra_user)
{
    const char *login = "Test_User_ab6490ee@testuser.example";
    const char *renamed = "test_user_renamed@testuser.example";
    char *id, *path;
    resp_t r;

    scim("GET", S("Users?filter=%s", esc(S("userName eq \"%s\"", login))), NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "0");
    resp_free(&r);
    scim("POST", "Users",
         S("{\"schemas\":[\"%s\",\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"],"
           "\"externalId\":\"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\",\"userName\":\"%s\","
           "\"active\":true,\"emails\":[{\"primary\":true,\"type\":\"work\",\"value\":"
           "\"Test_User_11bb11bb@testuser.example\"}],\"meta\":{\"resourceType\":\"User\"},"
           "\"name\":{\"formatted\":\"givenName familyName\",\"familyName\":\"familyName\","
           "\"givenName\":\"givenName\"},\"roles\":[],\"title\":\"Engineer\","
           "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"department\":"
           "\"R&D\"}}",
           USER_SCHEMA, login),
         &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "displayName", "givenName familyName");
    id = strdup(str_of(r.json, "id"));
    ck_assert_ptr_nonnull(strstr(iam_test_header(r.headers, "Location"), id));
    resp_free(&r);
    path = strdup(S("Users/%s", id));
    add_user(&scim_srv, login);
    add_user(&scim_srv, renamed);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 200);

    /* userName is not case-exact: Entra's lookup in another case finds it */
    scim("GET", S("Users?filter=%s", esc("userName eq \"TEST_USER_AB6490EE@TESTUSER.EXAMPLE\"")),
         NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "1");
    EXPECT_STR(json_array_get(json_object_get(r.json, "Resources"), 0), "id", id);
    resp_free(&r);
    /* and by externalId */
    scim("GET", S("Users?filter=%s", esc("externalId eq \"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef\"")),
         NULL, &r);
    EXPECT_JSON(r.json, "totalResults", "1");
    resp_free(&r);

    scim("PATCH", path,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"Replace\",\"path\":\"emails[type eq "
           "\\\"work\\\"].value\",\"value\":\"updatedEmail@testuser.example\"},{\"op\":\"Add\","
           "\"path\":\"displayName\",\"value\":\"Updated Name\"},{\"op\":\"Replace\",\"path\":"
           "\"name.familyName\",\"value\":\"updatedFamilyName\"}]}",
           PATCH_SCHEMA),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(json_array_get(json_object_get(r.json, "emails"), 0), "value",
               "updatedEmail@testuser.example");
    EXPECT_STR(r.json, "displayName", "Updated Name");
    resp_free(&r);

    /* disable: "False", a string */
    scim("PATCH", path,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"Replace\",\"path\":\"active\","
           "\"value\":\"False\"}]}",
           PATCH_SCHEMA),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "active", "false");
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 403);
    scim("PATCH", path,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"Replace\",\"path\":\"active\","
           "\"value\":\"True\"}]}",
           PATCH_SCHEMA),
         &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 200);

    /* a rename: the same id, the new login at the door, the old one not */
    scim("PATCH", path,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"Replace\",\"path\":\"userName\","
           "\"value\":\"%s\"}]}",
           PATCH_SCHEMA, renamed),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "userName", renamed);
    EXPECT_STR(r.json, "id", id);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", renamed), 200);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", login), 403);

    scim("DELETE", path, NULL, &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/", renamed), 403);
    free(path);
    free(id);
}
END_TEST

/* Entra ID's group sequence: create with an externalId, two members added
 * in one operation, one removed with a value list, the name replaced by
 * path, the lookup by displayName without members. */
START_TEST(test_scim_entra_groups)
{
    const char *a = okta_create("ada@entra.example", "Ada", "Lovelace");
    const char *b = okta_create("alan@entra.example", "Alan", "Turing");
    char *gid, *gpath;
    resp_t r;

    scim("POST", "Groups",
         S("{\"externalId\":\"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159\",\"displayName\":\"Entra "
           "Readers\",\"meta\":{\"resourceType\":\"Group\"},\"schemas\":[\"%s\"]}",
           GROUP_SCHEMA),
         &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STR(r.json, "externalId", "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
    gid = strdup(str_of(r.json, "id"));
    resp_free(&r);
    gpath = strdup(S("Groups/%s", gid));
    api_on(&scim_srv, "POST", S("groups/%s/grants", esc("Entra Readers")),
           "{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":[\"web\"]}", &r);
    EXPECT_STATUS(r, 200);
    resp_free(&r);

    scim("PATCH", gpath,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"Add\",\"path\":\"members\","
           "\"value\":[{\"value\":\"%s\"},{\"value\":\"%s\"}]}]}",
           PATCH_SCHEMA, a, b),
         &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "ada@entra.example"), 200);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "alan@entra.example"), 200);

    scim("PATCH", gpath,
         S("{\"schemas\":[\"%s\"],\"Operations\":[{\"op\":\"Remove\",\"path\":\"members\","
           "\"value\":[{\"value\":\"%s\"}]},{\"op\":\"Replace\",\"path\":\"displayName\","
           "\"value\":\"Entra Readers 2\"}]}",
           PATCH_SCHEMA, b),
         &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "alan@entra.example"), 403);
    ck_assert_int_eq(site_status(&scim_srv, "GET", "/sources/web/", "ada@entra.example"), 200);

    scim(
        "GET",
        S("Groups?excludedAttributes=members&filter=%s", esc("displayName eq \"entra readers 2\"")),
        NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "1");
    ck_assert_ptr_null(
        json_object_get(json_array_get(json_object_get(r.json, "Resources"), 0), "members"));
    resp_free(&r);
    /* a filter on the members (a scan): the group that holds ada */
    scim("GET", S("Groups?filter=%s", esc(S("members.value eq \"%s\"", a))), NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "1");
    EXPECT_STR(json_array_get(json_object_get(r.json, "Resources"), 0), "id", gid);
    resp_free(&r);

    /* a member removed from the workspace leaves the group with them */
    scim("DELETE", S("Users/%s", a), NULL, &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    scim("GET", gpath, NULL, &r);
    EXPECT_JSON(r.json, "members", "[]");
    resp_free(&r);
    /* and the identity provider, still naming them, is not refused */
    scim("PATCH", gpath,
         S("{\"Operations\":[{\"op\":\"Remove\",\"path\":\"members[value eq \\\"%s\\\"]\"}]}", a),
         &r);
    EXPECT_STATUS(r, 204);
    resp_free(&r);
    scim("PUT", gpath,
         S("{\"displayName\":\"Entra Readers 2\",\"members\":[{\"value\":\"%s\"},{\"value\":"
           "\"%s\"}]}",
           a, b),
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(json_array_get(json_object_get(r.json, "members"), 0), "value", b);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "members")), 1);
    resp_free(&r);
    free(gpath);
    free(gid);
}
END_TEST

void scim_add_provider_tests(TCase *tc)
{
    tcase_add_test(tc, test_scim_okta_user);
    tcase_add_test(tc, test_scim_okta_groups);
    tcase_add_test(tc, test_scim_entra_user);
    tcase_add_test(tc, test_scim_entra_groups);
}
