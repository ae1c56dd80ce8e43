/* mod_iam tests: SCIM filters and PATCH paths (iam_scim.h, issue 17), a
 * pure API. The expectations are RFC 7644's (3.4.2.2 filtering, 3.5.2
 * PATCH paths) and RFC 7643's (attribute names match whatever their case;
 * caseExact only where the schema says so: id, externalId, members'
 * value, meta), on a user written as the RFC's examples write one, with
 * the filters identity providers send (Okta: userName eq; Entra ID:
 * externalId eq, emails[type eq "work"].value, members[value eq ...]). */
#include "iam_scim.h"
#include "iam_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <string.h>

static apr_pool_t *pool;
static json_t *user;

static const char user_json[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],"
    "\"id\":\"2819c223\",\"externalId\":\"00u1\",\"userName\":\"Bjensen@Example.com\","
    "\"name\":{\"givenName\":\"Barbara\",\"familyName\":\"Jensen\"},\"displayName\":\"Babs\","
    "\"active\":true,\"emails\":[{\"value\":\"bjensen@example.com\",\"type\":\"work\","
    "\"primary\":true},{\"value\":\"babs@home.org\",\"type\":\"home\"}],"
    "\"meta\":{\"resourceType\":\"User\",\"created\":\"2026-01-01T00:00:00Z\"},"
    "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"employeeNumber\":"
    "\"701984\",\"manager\":{\"value\":\"26118915\"}},\"logins\":3}";

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    user = json_loads(user_json, 0, NULL);
    ck_assert_ptr_nonnull(user);
}

static void teardown(void)
{
    json_decref(user);
    apr_pool_destroy(pool);
    apr_terminate();
}

static const struct {
    const char *filter;
    int match;
} cases[] = {
    {"userName eq \"bjensen@example.com\"", 1},
    {"USERNAME EQ \"BJENSEN@EXAMPLE.COM\"", 1},
    {"urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen@example.com\"", 1},
    {"userName eq \"bjensen\"", 0},
    {"id eq \"2819c223\"", 1},
    {"id eq \"2819C223\"", 0}, /* caseExact */
    {"externalId eq \"00u1\"", 1},
    {"externalId eq \"00U1\"", 0},
    {"emails.value eq \"babs@home.org\"", 1},
    {"emails eq \"babs@home.org\"", 1}, /* a complex value compares by its value */
    {"emails[type eq \"work\" and value co \"example\"]", 1},
    {"emails[type eq \"home\" and value co \"example\"]", 0},
    {"emails[primary eq true]", 1},
    {"name.familyName sw \"jen\"", 1},
    {"name.familyName sw \"sen\"", 0},
    {"displayName ew \"ABS\"", 1},
    {"displayName co \"\"", 1},
    {"active eq true", 1},
    {"active eq false", 0},
    {"active ne false", 1},
    {"not (active eq true)", 0},
    {"not(active eq false)", 1},
    {"userName eq \"x\" or displayName pr", 1},
    {"userName eq \"x\" and displayName pr", 0},
    {"userName eq \"x\" or userName eq \"y\" and displayName pr", 0},
    {"displayName pr or userName eq \"y\" and userName eq \"z\"", 1}, /* and binds tighter */
    {"(displayName pr or userName eq \"y\") and userName eq \"z\"", 0},
    {"title pr", 0},
    {"title eq null", 1},
    {"title ne null", 0},
    {"displayName ne null", 1},
    {"meta.created gt \"2025-12-31T00:00:00Z\"", 1},
    {"meta.created lt \"2025-12-31T00:00:00Z\"", 0},
    {"meta.resourceType eq \"User\"", 1},
    {"logins ge 3", 1},
    {"logins gt 3", 0},
    {"logins eq 3.0", 1},
    {"logins lt -1", 0},
    {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\"", 1},
    {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"26118915\"", 1},
    {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr", 0},
    {"(userName eq \"x\" or userName eq \"bjensen@example.com\") and active eq true", 1},
    {"userName ne \"x\"", 1},
    {"userName eq \"bjensen\\u0040example.com\"", 1},
    {"displayName eq \"B\\u00e1bs\"", 0},
};

START_TEST(test_filter_matches)
{
    const iam_scim_filter_t *f;
    const char *e = iam_scim_filter_parse(pool, cases[_i].filter, &f);

    ck_assert_msg(e == NULL, "%s: %s", cases[_i].filter, e);
    ck_assert_msg(iam_scim_filter_match(f, user) == cases[_i].match, "%s: want %d",
                  cases[_i].filter, cases[_i].match);
}
END_TEST

static const struct {
    const char *filter, *why;
} bad[] = {
    {"", "empty"},
    {"userName", "operator"},
    {"userName eq", "value"},
    {"userName eq bjensen", "value is expected"},
    {"userName zz \"x\"", "operator is expected"},
    {"userName eq\"x\"", "space"},
    {"(userName eq \"x\"", "')'"},
    {"userName eq \"x\")", "goes on"},
    {"userName eq \"x\" junk", "goes on"},
    {"userName eq \"x\" and", "attribute name"},
    {"emails[type eq \"work\"", "']'"},
    {"userName eq \"\\q\"", "escape"},
    {"userName eq \"abc", "not closed"},
    {"userName eq \"x\\", "not closed"}, /* a lone backslash at the very end */
    {"userName eq \"\\u12\"", "four hex"},
    {"userName eq \"\\u0000\"", "no character"},
    {"1abc eq \"x\"", "attribute name"},
    {"a..b eq \"x\"", "attribute name"},
    {"userName co true", "does not take"},
    {"logins sw 3", "does not take"},
    {"logins eq 1e999", "number"},
    {"urn:ietf:params:scim:schemas:core:2.0:User: eq \"x\"", "after the schema"},
    {"not userName eq \"x\"", "operator"},
};

START_TEST(test_filter_refused)
{
    const iam_scim_filter_t *f = (void *)1;
    const char *e = iam_scim_filter_parse(pool, bad[_i].filter, &f);

    ck_assert_msg(e != NULL, "%s: accepted", bad[_i].filter);
    ck_assert_msg(strstr(e, bad[_i].why) != NULL, "%s: '%s' lacks '%s'", bad[_i].filter, e,
                  bad[_i].why);
    ck_assert_ptr_null(f);
}
END_TEST

/* Nesting is bounded (a stack no client can exhaust); so is the length. */
START_TEST(test_filter_bounds)
{
    const iam_scim_filter_t *f;
    char deep[512] = "", big[IAM_SCIM_FILTER_MAX + 64];
    int i;

    for (i = 0; i < IAM_SCIM_FILTER_DEPTH; i++)
        strcat(deep, "(");
    strcat(deep, "userName pr");
    for (i = 0; i < IAM_SCIM_FILTER_DEPTH; i++)
        strcat(deep, ")");
    ck_assert_ptr_null(iam_scim_filter_parse(pool, deep, &f));
    ck_assert(iam_scim_filter_match(f, user));
    memmove(deep + 1, deep, strlen(deep) + 1);
    deep[0] = '(';
    strcat(deep, ")");
    ck_assert_ptr_nonnull(strstr(iam_scim_filter_parse(pool, deep, &f), "nested too deeply"));
    memset(big, 0, sizeof(big));
    strcpy(big, "userName eq \"");
    memset(big + strlen(big), 'x', IAM_SCIM_FILTER_MAX);
    strcat(big, "\"");
    ck_assert_ptr_nonnull(strstr(iam_scim_filter_parse(pool, big, &f), "over 4096 bytes"));
}
END_TEST

/* The one lookup a provider makes before each create. */
START_TEST(test_filter_eq)
{
    const iam_scim_filter_t *f;

    ck_assert_ptr_null(iam_scim_filter_parse(pool, "userName eq \"Alice@Example.com\"", &f));
    ck_assert_str_eq(iam_scim_filter_eq(f, "username"), "Alice@Example.com");
    ck_assert_ptr_null(iam_scim_filter_eq(f, "externalid"));
    ck_assert_ptr_null(iam_scim_filter_parse(pool, "userName eq \"a\" and active eq true", &f));
    ck_assert_ptr_null(iam_scim_filter_eq(f, "username"));
    ck_assert_ptr_null(iam_scim_filter_parse(pool, "userName sw \"a\"", &f));
    ck_assert_ptr_null(iam_scim_filter_eq(f, "username"));
}
END_TEST

START_TEST(test_paths)
{
    iam_scim_path_t p;
    json_t *member = json_loads("{\"value\":\"2819c223\",\"display\":\"Babs\"}", 0, NULL);

    ck_assert_ptr_null(iam_scim_path_parse(pool, "members[value eq \"2819c223\"]", &p));
    ck_assert_str_eq(p.attr, "members");
    ck_assert_ptr_null(p.sub);
    ck_assert(iam_scim_filter_match(p.filter, member));
    ck_assert_ptr_null(iam_scim_path_parse(pool, "members[value eq \"2819C223\"]", &p));
    ck_assert(!iam_scim_filter_match(p.filter, member)); /* ids are case-exact */
    ck_assert_ptr_null(iam_scim_path_parse(pool, "emails[type eq \"work\"].value", &p));
    ck_assert_str_eq(p.attr, "emails");
    ck_assert_str_eq(p.sub, "value");
    ck_assert_ptr_null(iam_scim_path_parse(pool, "name.givenName", &p));
    ck_assert_str_eq(p.attr, "name");
    ck_assert_str_eq(p.sub, "givenname");
    ck_assert_ptr_null(p.filter);
    ck_assert_ptr_null(iam_scim_path_parse(pool, "active", &p));
    ck_assert_str_eq(p.attr, "active");
    ck_assert_ptr_null(iam_scim_path_parse(
        pool, "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", &p));
    ck_assert_str_eq(p.attr, "name");
    ck_assert_str_eq(p.sub, "familyname");
    ck_assert_ptr_null(iam_scim_path_parse(
        pool, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", &p));
    ck_assert_str_eq(p.attr, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager");
    ck_assert_ptr_nonnull(iam_scim_path_parse(pool, "", &p));
    ck_assert_ptr_nonnull(iam_scim_path_parse(pool, "members[", &p));
    ck_assert_ptr_null(p.attr);
    ck_assert_ptr_nonnull(iam_scim_path_parse(pool, "members[value eq \"x\"].", &p));
    ck_assert_ptr_nonnull(iam_scim_path_parse(pool, "members[value eq \"x\"].a.b", &p));
    ck_assert_ptr_nonnull(iam_scim_path_parse(pool, "a..b", &p));
    ck_assert_ptr_nonnull(iam_scim_path_parse(pool, "members x", &p));
    json_decref(member);
}
END_TEST

Suite *suite_scim(void)
{
    Suite *s = suite_create("scim");
    TCase *tc = tcase_create("filter");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_filter_matches, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_loop_test(tc, test_filter_refused, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, test_filter_bounds);
    tcase_add_test(tc, test_filter_eq);
    tcase_add_test(tc, test_paths);
    suite_add_tcase(s, tc);
    return s;
}
