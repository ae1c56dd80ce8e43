/* mod_iam integration tests, httpd suite: the demo site on the real
 * apache2 under the event, prefork and worker MPMs, one TCase each: a
 * matrix of who may do what where (direct, group, label and owner grants,
 * nested IAMPermission, the collection, other types), a wrong password,
 * changes by iamctl seen without a restart, an invitation that becomes
 * active at the first login, and each decision logged with its reason. */
#include "httpd_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_demo(const char *mpm)
{
    iam_httpd_prepare(&srv, mpm);
    add_fixture_members(&srv);
    add_user(&srv, "flip");
    add_user(&srv, "inv@example.com");
    iam_ctl_or_die(&srv, "member add flip");
    iam_ctl_or_die(&srv, "member invite inv@example.com --name Invited");
    if (iam_httpd_start(&srv, mpm, NULL, NULL) != 0) {
        char *log = iam_httpd_log(&srv);
        fprintf(stderr, "apache2 (%s) did not start:\n%s\n", mpm, log);
        abort();
    }
}

static void start_event(void)
{
    start_demo("event");
}

static void start_prefork(void)
{
    start_demo("prefork");
}

static void start_worker(void)
{
    start_demo("worker");
}

static const matrix_row_t matrix[] = {
    /* no user: authn asks */
    {NULL, "GET", "/", 401},
    {NULL, "GET", "/sources/checkout/", 401},
    {NULL, "GET", "/owners/", 401},
    /* the workspace home: any active member (Require iam-member) */
    {"olivia", "GET", "/", 200},
    {"sam", "GET", "/", 200},
    {"rita", "GET", "/", 200},
    {"max", "GET", "/", 200},
    {"nora", "GET", "/", 403},
    /* a named source: direct, group, owner, nothing */
    {"olivia", "GET", "/sources/checkout/", 200},
    {"sam", "GET", "/sources/checkout/", 200},
    {"sam", "POST", "/sources/checkout/", 200},
    {"rita", "GET", "/sources/checkout/", 200},
    {"rita", "POST", "/sources/checkout/", 403},
    {"rita", "HEAD", "/sources/checkout/", 200},
    {"max", "GET", "/sources/checkout/", 403},
    {"nora", "GET", "/sources/checkout/", 403},
    /* IAMPermission admin on a nested location */
    {"sam", "GET", "/sources/checkout/settings/", 200},
    {"rita", "GET", "/sources/checkout/settings/", 403},
    {"cara", "GET", "/sources/checkout/settings/", 200},
    /* another source: resource scope does not reach it; labels do */
    {"sam", "GET", "/sources/web/", 403},
    {"lena", "GET", "/sources/web/", 200},
    {"lena", "PUT", "/sources/web/", 405}, /* allowed; the file handler refuses PUT */
    {"lena", "GET", "/sources/ios/", 403},
    {"lena", "GET", "/sources/checkout/", 403},
    {"rita", "GET", "/sources/web/", 200},
    {"rita", "DELETE", "/sources/web/", 403},
    /* the collection: listing needs any source grant, creating needs
     * admin on all */
    {"rita", "GET", "/sources/", 200},
    {"sam", "GET", "/sources/", 200},
    {"max", "GET", "/sources/", 403},
    {"sam", "POST", "/sources/", 403},
    {"lena", "POST", "/sources/", 403},
    {"cara", "POST", "/sources/", 200},
    {"olivia", "POST", "/sources/", 200},
    /* the warehouse: another type */
    {"wanda", "GET", "/warehouses/main/", 200},
    {"wanda", "POST", "/warehouses/main/", 403},
    {"cara", "GET", "/warehouses/main/", 403},
    {"rita", "GET", "/warehouses/main/", 403},
    {"olivia", "GET", "/warehouses/main/", 200},
    /* owners only */
    {"olivia", "GET", "/owners/", 200},
    {"sam", "GET", "/owners/", 403},
    {"nora", "GET", "/owners/", 403},
    /* Require iam with no IAMResource: refused, except for owners */
    {"max", "GET", "/unmapped/", 403},
    {"cara", "GET", "/unmapped/", 403},
    {"olivia", "GET", "/unmapped/", 200},
};

START_TEST(test_matrix)
{
    ck_row(&matrix[_i]);
}
END_TEST

START_TEST(test_wrong_password_is_401)
{
    char *body;
    long st = iam_http(&srv, "GET", "/", "olivia:not-her-password", &body);

    free(body);
    ck_assert_int_eq(st, 401);
}
END_TEST

START_TEST(test_change_seen_without_restart)
{
    char *out;

    ck_assert_int_eq(status_of("GET", "/warehouses/main/", "flip"), 403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "grant --member flip warehouse-admin"), 0);
    free(out);
    ck_assert_int_eq(status_of("GET", "/warehouses/main/", "flip"), 200);
    ck_assert_int_eq(status_of("POST", "/warehouses/main/", "flip"), 200);
    /* through a group, then the group taken away */
    ck_assert_int_eq(iam_ctl(&srv, &out, "revoke --member flip warehouse-admin"), 0);
    free(out);
    ck_assert_int_eq(status_of("GET", "/warehouses/main/", "flip"), 403);
    ck_assert_int_eq(status_of("GET", "/sources/web/", "flip"), 403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group add analysts flip"), 0);
    free(out);
    ck_assert_int_eq(status_of("GET", "/sources/web/", "flip"), 200);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group remove analysts flip"), 0);
    free(out);
    ck_assert_int_eq(status_of("GET", "/sources/web/", "flip"), 403);
    /* removed from the workspace: not even the home page */
    ck_assert_int_eq(iam_ctl(&srv, &out, "member remove flip"), 0);
    free(out);
    ck_assert_int_eq(status_of("GET", "/", "flip"), 403);
}
END_TEST

/* Whether iamctl shows `login` active. */
static int shows_active(const char *login)
{
    char *out = NULL;
    int yes = iam_ctl(&srv, &out, "member show %s", login) == 0 && strstr(out, "status:  active");

    free(out);
    return yes;
}

START_TEST(test_invitation_becomes_active)
{
    char *out;

    ck_assert_int_eq(iam_ctl(&srv, &out, "member show inv@example.com"), 0);
    ck_assert_msg(strstr(out, "status:  invited"), "%s", out);
    free(out);
    ck_assert_int_eq(status_of("GET", "/", "inv@example.com"), 200);
    /* written by the child just after it answered (touch.c) */
    IAM_EVENTUALLY(shows_active("inv@example.com"));
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show inv@example.com"), 0);
    ck_assert_msg(strstr(out, "status:  active"), "%s", out);
    free(out);
}
END_TEST

START_TEST(test_decisions_logged_with_reason)
{
    char *log;

    ck_assert_int_eq(status_of("GET", "/sources/web/", "rita"), 200);
    ck_assert_int_eq(status_of("GET", "/sources/web/", "sam"), 403);
    ck_assert_int_eq(status_of("GET", "/unmapped/", "max"), 403);
    log = iam_httpd_log(&srv);
    ck_assert_msg(strstr(log, "[iam:debug]") &&
                      strstr(log, "allow user 'rita' read on source web (/sources/web/): allow: "
                                  "Source Read-only on all resources, through group analysts"),
                  "no allow line for rita in:\n%s", log);
    ck_assert_msg(strstr(log, "deny user 'sam' read on source web (/sources/web/): deny: no "
                              "grant's scope covers this resource"),
                  "no deny line for sam in:\n%s", log);
    ck_assert_msg(strstr(log, "[iam:error]") && strstr(log, "with no resource for this path"),
                  "no configuration error for /unmapped/ in:\n%s", log);
    free(log);
}
END_TEST

static TCase *demo_case(const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, setup, stop_demo);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_matrix, 0, (int)(sizeof(matrix) / sizeof(matrix[0])));
    tcase_add_test(tc, test_wrong_password_is_401);
    tcase_add_test(tc, test_change_seen_without_restart);
    tcase_add_test(tc, test_invitation_becomes_active);
    tcase_add_test(tc, test_decisions_logged_with_reason);
    return tc;
}

void ht_add_mpm(Suite *s)
{
    suite_add_tcase(s, demo_case("event", start_event));
    suite_add_tcase(s, demo_case("prefork", start_prefork));
    suite_add_tcase(s, demo_case("worker", start_worker));
}
