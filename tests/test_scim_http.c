/* SCIM 2.0 in a real httpd: the demo site (conf/demo), its SCIM endpoints
 * under /iam/scim/v2/, spoken to the way Okta and Microsoft Entra ID
 * speak to them. The request bodies are those of their public
 * documentation (Okta's "SCIM 2.0 protocol reference" and Entra ID's
 * "Tutorial: Develop and plan provisioning for a SCIM endpoint", the
 * request and response examples), with names of this workspace; every
 * sequence checks the answers and then the decisions that follow at the
 * site's own paths (/sources/web/ needs a source grant on web).
 *
 * One server serves the case (an unchecked fixture); each test makes its
 * own users and groups under names no other test uses. This file holds
 * the server, the helpers (scim_test.h), discovery, who gets in, lists and
 * refusals; test_scim_providers.c the Okta and Entra ID sequences. */
#include "scim_test.h"

#include <stdarg.h>

iam_httpd_t scim_srv;
char scim_token[128];
static char api_token[128];

/* A token made by olivia through the API: its secret into out. */
static void make_token(const char *scope, char *out, size_t n)
{
    resp_t r;

    api_on(&scim_srv, "POST", "tokens",
           S("{\"description\":\"%s\",\"scope\":\"%s\"}", scope, scope), &r);
    EXPECT_STATUS(r, 201);
    snprintf(out, n, "%s", json_string_value(json_object_get(r.json, "token")));
    resp_free(&r);
}

static void start_scim(void)
{
    iam_httpd_prepare(&scim_srv, "scim");
    ck_assert_int_eq(iam_httpd_start(&scim_srv, "event", NULL, NULL), 0);
    make_token("scim", scim_token, sizeof(scim_token));
    make_token("api", api_token, sizeof(api_token));
}

static void stop_scim(void)
{
    iam_httpd_stop(&scim_srv);
    iam_httpd_cleanup(&scim_srv);
}

/* What every SCIM answer with a body carries: SCIM's media type, the
 * handler's security headers, JSON. */
void check_scim_answer(const resp_t *r, const char *method, const char *path)
{
    char *ct = iam_test_header(r->headers, "Content-Type");
    char *cc = iam_test_header(r->headers, "Cache-Control");

    ck_assert_msg(r->status > 0, "%s %s: no answer", method, path);
    ck_assert_msg(cc && !strcmp(cc, "no-store"), "%s %s: Cache-Control %s", method, path,
                  cc ? cc : "(none)");
    if (r->status != 204) {
        ck_assert_msg(ct && !strncmp(ct, "application/scim+json", 21),
                      "%s %s (%ld): Content-Type %s", method, path, r->status, ct ? ct : "(none)");
        ck_assert_msg(r->json != NULL, "%s %s (%ld): not JSON: %s", method, path, r->status,
                      r->body);
    }
    free(ct);
    free(cc);
}

/* One SCIM request with `token` (NULL: none); the answer checked. */
long scim_with(const char *token, const char *method, const char *path, const char *json, resp_t *r)
{
    char auth[256];

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
    request(&scim_srv, NULL, method, S("%s%s", SCIM, path),
            json ? "application/scim+json; charset=utf-8" : NULL, json, token ? auth : NULL, r);
    check_scim_answer(r, method, path);
    return r->status;
}

long scim(const char *method, const char *path, const char *json, resp_t *r)
{
    return scim_with(scim_token, method, path, json, r);
}

/* The RFC's error: its schema, status as a string, scimType if asked. */
void expect_scim_error(int line, const resp_t *r, long want, const char *type)
{
    json_t *schemas = json_object_get(r->json, "schemas");

    ck_assert_msg(r->status == want, "line %d: status %ld, want %ld: %s", line, r->status, want,
                  r->body);
    ck_assert_msg(has_string(schemas, "urn:ietf:params:scim:api:messages:2.0:Error"),
                  "line %d: not a SCIM error: %s", line, r->body);
    ck_assert_msg(json_is_string(json_object_get(r->json, "status")) &&
                      atol(json_string_value(json_object_get(r->json, "status"))) == want,
                  "line %d: status member: %s", line, r->body);
    if (type)
        ck_assert_msg(json_is_string(json_object_get(r->json, "scimType")) &&
                          !strcmp(json_string_value(json_object_get(r->json, "scimType")), type),
                      "line %d: scimType, want %s: %s", line, type, r->body);
}

const char *str_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Creates a user as Okta does (lookup by userName, then POST): its id. */
const char *okta_create(const char *login, const char *given, const char *family)
{
    static char ids[8][64];
    static int next;
    char *id = ids[next++ % 8];
    resp_t r;

    scim("GET", S("Users?filter=%s&startIndex=1&count=100", esc(S("userName eq \"%s\"", login))),
         NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "0");
    EXPECT_JSON(r.json, "Resources", "[]");
    resp_free(&r);
    scim("POST", "Users",
         S("{\"schemas\":[\"%s\"],\"userName\":\"%s\",\"name\":{\"givenName\":\"%s\","
           "\"familyName\":\"%s\"},\"emails\":[{\"primary\":true,\"value\":\"%s\",\"type\":"
           "\"work\"}],\"displayName\":\"%s %s\",\"locale\":\"en-US\",\"externalId\":"
           "\"00u1dhhb1fkIGP7RL1d8\",\"groups\":[],\"password\":\"1mz050nq\",\"active\":true}",
           USER_SCHEMA, login, given, family, login, given, family),
         &r);
    EXPECT_STATUS(r, 201);
    snprintf(id, 64, "%s", str_of(r.json, "id"));
    resp_free(&r);
    add_user(&scim_srv, login);
    return id;
}

/* ---- discovery ---- */

START_TEST(test_scim_discovery)
{
    resp_t r;
    json_t *a;

    scim("GET", "ServiceProviderConfig", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(json_object_get(r.json, "patch"), "supported", "true");
    EXPECT_JSON(json_object_get(r.json, "bulk"), "supported", "false");
    EXPECT_JSON(json_object_get(r.json, "filter"), "maxResults", "1000");
    a = json_array_get(json_object_get(r.json, "authenticationSchemes"), 0);
    EXPECT_STR(a, "type", "oauthbearertoken");
    resp_free(&r);

    scim("GET", "ResourceTypes", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "2");
    EXPECT_STR(json_array_get(json_object_get(r.json, "Resources"), 0), "endpoint", "/Users");
    resp_free(&r);
    scim("GET", "ResourceTypes/Group", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_STR(r.json, "schema", GROUP_SCHEMA);
    resp_free(&r);

    scim("GET", "Schemas/" USER_SCHEMA, NULL, &r);
    EXPECT_STATUS(r, 200);
    a = json_array_get(json_object_get(r.json, "attributes"), 0);
    EXPECT_STR(a, "name", "userName");
    EXPECT_STR(a, "uniqueness", "server");
    EXPECT_JSON(a, "caseExact", "false");
    resp_free(&r);
    scim("GET", "Schemas", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "2");
    resp_free(&r);

    scim("GET", "Widgets", NULL, &r);
    EXPECT_SCIM_ERROR(r, 404, NULL);
    resp_free(&r);
    scim("POST", "ServiceProviderConfig", "{}", &r);
    EXPECT_SCIM_ERROR(r, 405, NULL);
    resp_free(&r);
}
END_TEST

/* ---- who gets in ---- */

/* Only a token made for an identity provider opens scim/v2/: no token, a
 * bad one, an owner's API token and an owner's login are all refused, and
 * the SCIM token opens nothing else. */
START_TEST(test_scim_who)
{
    char *before = snapshot_of(&scim_srv);
    resp_t r;

    scim_with(NULL, "GET", "Users", NULL, &r);
    EXPECT_SCIM_ERROR(r, 401, NULL);
    ck_assert_ptr_nonnull(strstr(r.headers, "WWW-Authenticate: Bearer"));
    resp_free(&r);
    scim_with("tok_000000000000.0000", "GET", "Users", NULL, &r);
    EXPECT_SCIM_ERROR(r, 401, NULL);
    resp_free(&r);
    scim_with(api_token, "POST", "Users", "{\"userName\":\"by-api-token\"}", &r);
    EXPECT_SCIM_ERROR(r, 403, NULL);
    resp_free(&r);
    /* olivia, an owner, logged in: SCIM is not hers to speak */
    request(&scim_srv, "olivia", "POST", SCIM "Users", "application/scim+json",
            "{\"userName\":\"by-olivia\"}", NULL, &r);
    check_scim_answer(&r, "POST", "Users");
    EXPECT_SCIM_ERROR(r, 401, NULL);
    resp_free(&r);
    /* and the SCIM token opens neither the API nor the console */
    request(&scim_srv, NULL, "GET", "members", NULL, NULL,
            S("Authorization: Bearer %s", scim_token), &r);
    EXPECT_STATUS(r, 403);
    resp_free(&r);
    EXPECT_UNCHANGED(before, &scim_srv);
}
END_TEST

/* ---- lists ---- */

/* Paging with startIndex and count (1-based); a huge count is cut to the
 * maximum; attributes keeps only what was asked (and id). */
START_TEST(test_scim_paging)
{
    resp_t r;
    long total;
    int i;

    for (i = 0; i < 3; i++)
        okta_create(S("pager%d@okta.example", i), "Page", S("R%d", i));
    scim("GET", "Users?count=0", NULL, &r);
    EXPECT_STATUS(r, 200);
    total = (long)json_integer_value(json_object_get(r.json, "totalResults"));
    ck_assert_int_ge(total, 8); /* the demo's five and these three */
    EXPECT_JSON(r.json, "itemsPerPage", "0");
    resp_free(&r);
    scim("GET", "Users?startIndex=2&count=2&attributes=userName", NULL, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "startIndex", "2");
    EXPECT_JSON(r.json, "itemsPerPage", "2");
    EXPECT_KEYS(json_array_get(json_object_get(r.json, "Resources"), 0), "schemas,id,userName");
    resp_free(&r);
    scim("GET", S("Users?startIndex=%ld&count=5", total), NULL, &r);
    EXPECT_JSON(r.json, "itemsPerPage", "1");
    resp_free(&r);
    scim("GET", "Users?count=100000", NULL, &r);
    EXPECT_STATUS(r, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "itemsPerPage")), total);
    resp_free(&r);
    /* a filter that reads each user: the three made here */
    scim("GET", S("Users?filter=%s&count=2", esc("userName sw \"pager\" and active eq true")), NULL,
         &r);
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "3");
    EXPECT_JSON(r.json, "itemsPerPage", "2");
    resp_free(&r);
}
END_TEST

/* ---- refusals: the RFC's errors, nothing changed ---- */

START_TEST(test_scim_refused)
{
    const char *id = okta_create("refused@okta.example", "Re", "Fused");
    char *before = snapshot_of(&scim_srv), *big, *olivia;
    resp_t r;
    size_t n = 1100 * 1024;

    scim("POST", "Users", "{\"userName\": ", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidSyntax");
    resp_free(&r);
    scim("POST", "Users", "{\"userName\":\"x1@okta.example\",\"shoeSize\":44}", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidSyntax");
    resp_free(&r);
    scim("POST", "Users", "{\"name\":{\"givenName\":\"No\"}}", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    /* userName is unique whatever its case */
    scim("POST", "Users", "{\"userName\":\"REFUSED@okta.example\"}", &r);
    EXPECT_SCIM_ERROR(r, 409, "uniqueness");
    resp_free(&r);
    scim("POST", "Users", "{\"userName\":\"x2@okta.example\",\"active\":\"maybe\"}", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    scim("GET", S("Users?filter=%s", esc("userName eq")), NULL, &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidFilter");
    resp_free(&r);
    scim("GET", "Users?count=lots", NULL, &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    /* a write whose answer could not be given is not made */
    scim("POST", "Groups?count=lots", "{\"displayName\":\"Never Made\"}", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    scim("GET", "Users?startIndex=99999999999999999999", NULL, &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    scim("PATCH", S("Users/%s", id),
         "{\"Operations\":[{\"op\":\"move\",\"path\":\"userName\",\"value\":\"x\"}]}", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidSyntax");
    resp_free(&r);
    scim("PATCH", S("Users/%s", id),
         "{\"Operations\":[{\"op\":\"replace\",\"path\":\"shoeSize\",\"value\":44}]}", &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidPath");
    resp_free(&r);
    scim("PATCH", S("Users/%s", id), "{\"Operations\":[{\"op\":\"remove\",\"path\":\"userName\"}]}",
         &r);
    EXPECT_SCIM_ERROR(r, 400, "mutability");
    resp_free(&r);
    /* a bad operation after a good one: neither is applied */
    scim("PATCH", S("Users/%s", id),
         "{\"Operations\":[{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Changed\"},"
         "{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"not "
         "an email\"}]}",
         &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    scim("PATCH", "Users/00000000-0000-4000-8000-000000000000",
         "{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}", &r);
    EXPECT_SCIM_ERROR(r, 404, NULL);
    resp_free(&r);
    scim("POST", "Groups",
         "{\"displayName\":\"Ghosts\",\"members\":[{\"value\":\"00000000-0000-4000-8000-"
         "000000000000\"}]}",
         &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    resp_free(&r);
    /* the last owner is never deactivated */
    scim("GET", S("Users?filter=%s", esc("userName eq \"olivia\"")), NULL, &r);
    olivia = strdup(str_of(json_array_get(json_object_get(r.json, "Resources"), 0), "id"));
    resp_free(&r);
    scim("PATCH", S("Users/%s", olivia),
         "{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}", &r);
    EXPECT_SCIM_ERROR(r, 400, "mutability");
    resp_free(&r);
    scim("DELETE", S("Users/%s", olivia), NULL, &r);
    EXPECT_SCIM_ERROR(r, 400, "mutability");
    resp_free(&r);
    /* nor is an owner renamed: her authority would follow the new login */
    scim("PATCH", S("Users/%s", olivia),
         "{\"Operations\":[{\"op\":\"replace\",\"path\":\"userName\",\"value\":"
         "\"mallory\"}]}",
         &r);
    EXPECT_SCIM_ERROR(r, 400, "invalidValue");
    ck_assert_msg(strstr(r.body, "Workspace Owner"), "%s", r.body);
    resp_free(&r);
    /* a body over the limit; another media type */
    big = malloc(n + 64);
    memset(big, ' ', n);
    strcpy(big + n, "{\"userName\":\"big@okta.example\"}");
    scim("POST", "Users", big, &r);
    EXPECT_SCIM_ERROR(r, 413, NULL);
    resp_free(&r);
    free(big);
    request(&scim_srv, NULL, "POST", SCIM "Users", "text/plain", "{\"userName\":\"t@x.example\"}",
            S("Authorization: Bearer %s", scim_token), &r);
    EXPECT_SCIM_ERROR(r, 415, NULL);
    resp_free(&r);
    EXPECT_UNCHANGED(before, &scim_srv);
    free(olivia);
}
END_TEST

/* A console at a path of its own (no IAMConsoleURL naming it), with
 * SCIM's section inside it to let the token past the login: SCIM is
 * found under it (the innermost section is not the console). */
START_TEST(test_scim_console_elsewhere)
{
    iam_httpd_t h;
    resp_t r;
    char *tok, auth[256];

    iam_httpd_prepare(&h, "scim-admin");
    ck_assert_int_eq(iam_httpd_start(&h, "event", NULL,
                                     "<Location \"/admin\">\n    SetHandler iam-admin\n"
                                     "</Location>\n<Location \"/admin/scim/\">\n    Require all "
                                     "granted\n</Location>\n"),
                     0);
    api_on(&h, "POST", "tokens", "{\"description\":\"idp\",\"scope\":\"scim\"}", &r);
    EXPECT_STATUS(r, 201);
    tok = strdup(json_string_value(json_object_get(r.json, "token")));
    resp_free(&r);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
    request(&h, NULL, "GET", "/admin/scim/v2/Users?filter=userName%20eq%20%22rita%22", NULL, NULL,
            auth, &r);
    check_scim_answer(&r, "GET", "/admin/scim/v2/Users");
    EXPECT_STATUS(r, 200);
    EXPECT_JSON(r.json, "totalResults", "1");
    ck_assert_ptr_nonnull(strstr(r.body, "http://127.0.0.1:"));
    ck_assert_ptr_nonnull(strstr(r.body, "/admin/scim/v2/Users/"));
    resp_free(&r);
    iam_httpd_stop(&h);
    iam_httpd_cleanup(&h);
    free(tok);
}
END_TEST

Suite *suite_scim_http(void)
{
    Suite *s = suite_create("scim_http");
    TCase *tc = tcase_create("http");

    tcase_add_unchecked_fixture(tc, start_scim, stop_scim);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_scim_discovery);
    tcase_add_test(tc, test_scim_who);
    scim_add_provider_tests(tc); /* before the lists: they count these users */
    tcase_add_test(tc, test_scim_paging);
    tcase_add_test(tc, test_scim_refused);
    tcase_add_test(tc, test_scim_console_elsewhere);
    suite_add_tcase(s, tc);
    return s;
}
