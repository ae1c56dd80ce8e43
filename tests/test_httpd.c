/* mod_iam integration tests: the real apache2 with mod_iam on the demo
 * site (conf/demo), real HTTP requests, under the event, prefork and worker
 * MPMs.
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. The fixture
 * adds: lena (Source Admin on label env:prod), cara (Source Admin on all),
 * wanda (Warehouse Read-only), flip (changed while the server runs). */
#include "iam_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static iam_httpd_t srv;

static void add_user(const char *login)
{
    char *out;
    int rc =
        iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw'", srv.root, login, login);
    if (rc != 0) {
        fprintf(stderr, "htpasswd %s: %s\n", login, out);
        abort();
    }
    free(out);
}

static void ctl_or_die(const char *args)
{
    char *out;

    if (iam_ctl(&srv, &out, "%s", args) != 0) {
        fprintf(stderr, "iamctl %s: %s\n", args, out);
        abort();
    }
    free(out);
}

static void start_demo(const char *mpm)
{
    iam_httpd_prepare(&srv, mpm);
    add_user("lena");
    add_user("cara");
    add_user("wanda");
    add_user("flip");
    add_user("inv@example.com");
    ctl_or_die("member add lena");
    ctl_or_die("grant --member lena source-admin --label env:prod");
    ctl_or_die("member add cara");
    ctl_or_die("grant --member cara source-admin --all");
    ctl_or_die("member add wanda");
    ctl_or_die("grant --member wanda warehouse-read-only");
    ctl_or_die("member add flip");
    ctl_or_die("member invite inv@example.com --name Invited");
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

static void stop_demo(void)
{
    iam_httpd_cleanup(&srv);
}

/* One request as `user` (password "<user>-pw"), or with no user. */
static long status_on(const iam_httpd_t *h, const char *method, const char *path, const char *user)
{
    char userpass[128], *body;
    long st;

    if (user)
        snprintf(userpass, sizeof(userpass), "%s:%s-pw", user, user);
    st = iam_http(h, method, path, user ? userpass : NULL, &body);
    free(body);
    return st;
}

static long status_of(const char *method, const char *path, const char *user)
{
    return status_on(&srv, method, path, user);
}

/* Static files answer POST with 200 here and PUT with 405: both mean
 * mod_iam allowed the request. */
static const struct {
    const char *user, *method, *path;
    long want;
} matrix[] = {
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
    long got = status_of(matrix[_i].method, matrix[_i].path, matrix[_i].user);

    ck_assert_msg(got == matrix[_i].want, "%s %s %s: got %ld, want %ld",
                  matrix[_i].user ? matrix[_i].user : "(no user)", matrix[_i].method,
                  matrix[_i].path, got, matrix[_i].want);
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

START_TEST(test_invitation_becomes_active)
{
    char *out;

    ck_assert_int_eq(iam_ctl(&srv, &out, "member show inv@example.com"), 0);
    ck_assert_msg(strstr(out, "status:  invited"), "%s", out);
    free(out);
    ck_assert_int_eq(status_of("GET", "/", "inv@example.com"), 200);
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
    ck_assert_msg(strstr(log, "[iam:error]") && strstr(log, "no IAMResource for this path"),
                  "no configuration error for /unmapped/ in:\n%s", log);
    free(log);
}
END_TEST

/* ---- configtest: every bad directive is caught before start-up ---- */

static iam_httpd_t cfg;

static void cfg_setup(void)
{
    iam_httpd_prepare(&cfg, "configtest");
}

static void cfg_teardown(void)
{
    iam_httpd_cleanup(&cfg);
}

static const struct {
    const char *conf, *want;
} bad_config[] = {
    {"<Location /x>\nIAMResource source\n</Location>", "IAMResource needs TYPE NAME"},
    {"<Location /x>\nIAMResource nosuchtype a\n</Location>", "no role grants on type"},
    {"<Location /x>\nIAMResource source a env\n</Location>", "a label is KEY:VALUE"},
    {"<Location /x>\nIAMResource source a env:x env:y\n</Location>", "given twice"},
    {"<Location /x>\nIAMResource source b@d\n</Location>", "IAMResource: name 'b@d'"},
    {"<Location /x>\nIAMPermission superuser\n</Location>", "IAMPermission: 'superuser'"},
    {"IAMMapSize 12Q", "IAMMapSize: '12Q'"},
    {"IAMMapSize 10K", "IAMMapSize: '10K'"},
    {"IAMPlan gold", "IAMPlan: 'gold'"},
    {"IAMRole \"Source Admin\" source admin", "that name is a built-in role"},
    {"IAMRole \"Viewer\" dashboard superuser", "'superuser' is not a level"},
    {"IAMRole \"Viewer\" dashboard read sometimes", "'sometimes' is not a flag"},
    {"IAMRole \"Viewer\"", "IAMRole needs"},
    {"IAMRole \"Viewer\" dashboard read\nIAMRole \"viewer\" dashboard edit", "already declared"},
    {"IAMStore relative/path", "IAMStore: 'relative/path' must be an absolute"},
    {"<Location /x>\nIAMStore /tmp/x\n</Location>", "IAMStore"},
    {"<Location /x>\nRequire iam extra\n</Location>", "takes no arguments"},
    {"<Location /x>\nRequire iam-owner someone\n</Location>", "takes no arguments"},
    {"IAMBootstrapOwner \"\"", "IAMBootstrapOwner"},
};

START_TEST(test_configtest_refuses)
{
    char *out;
    int rc = iam_httpd_configtest(&cfg, bad_config[_i].conf, &out);

    ck_assert_msg(rc != 0, "configtest passed for:\n%s", bad_config[_i].conf);
    ck_assert_msg(strstr(out, bad_config[_i].want), "for:\n%s\nwant '%s' in:\n%s",
                  bad_config[_i].conf, bad_config[_i].want, out);
    free(out);
}
END_TEST

START_TEST(test_configtest_accepts)
{
    char *out;
    int rc = iam_httpd_configtest(&cfg,
                                  "IAMPlan business\nIAMMapSize 64M\n"
                                  "IAMRole \"Dashboard Viewer\" dashboard read all-only\n"
                                  "<Location /d>\nIAMResource dashboard kpis team:growth\n"
                                  "IAMPermission auto\nRequire iam\n</Location>",
                                  &out);

    ck_assert_msg(rc == 0, "%s", out);
    free(out);
}
END_TEST

/* ---- servers with their own configuration ---- */

static iam_httpd_t own;

static void own_setup(void)
{
    iam_httpd_prepare(&own, "own");
}

static void own_teardown(void)
{
    iam_httpd_cleanup(&own);
}

static long own_status(const char *method, const char *path, const char *user)
{
    return status_on(&own, method, path, user);
}

/* The team plan: group grants are not honoured, and iamctl refuses what
 * the plan lacks because the server recorded the plan in the store. */
START_TEST(test_team_plan)
{
    char *out;

    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, "IAMPlan team"), 0);
    ck_assert_int_eq(own_status("GET", "/sources/checkout/", "sam"), 200);
    ck_assert_int_eq(own_status("GET", "/sources/checkout/", "rita"), 403);
    ck_assert_int_eq(own_status("GET", "/owners/", "olivia"), 200);
    ck_assert_int_eq(iam_ctl(&own, &out, "group create more 2>&1"), 1);
    ck_assert_msg(strstr(out, "team plan"), "%s", out);
    free(out);
    ck_assert_int_eq(iam_ctl(&own, &out, "grant --member max warehouse-admin 2>&1"), 1);
    ck_assert_msg(strstr(out, "team plan"), "%s", out);
    free(out);
    ck_assert_int_eq(iam_ctl(&own, &out, "--plan business 2>&1"), 1);
    ck_assert_msg(strstr(out, "IAMPlan"), "%s", out);
    free(out);
}
END_TEST

START_TEST(test_bootstrap_owner_and_custom_role)
{
    char *out;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "rm -rf '%s' && htpasswd -bm '%s/htpasswd' boss "
                                  "boss-pw",
                                  own.store, own.root),
                     0);
    free(out);
    ck_assert_int_eq(iam_ctl(&own, &out, "init"), 0);
    free(out);
    ck_assert_int_eq(iam_httpd_start(&own, "prefork", NULL,
                                     "IAMBootstrapOwner boss\n"
                                     "IAMRole \"Dashboard Viewer\" dashboard read\n"
                                     "<Location /sources/ios/>\nIAMResource dashboard kpis\n"
                                     "</Location>"),
                     0);
    ck_assert_int_eq(own_status("GET", "/owners/", "boss"), 200);
    ck_assert_int_eq(iam_ctl(&own, &out, "member show boss"), 0);
    ck_assert_msg(strstr(out, "owner:   yes"), "%s", out);
    free(out);
    /* the custom role was recorded, so iamctl can grant it */
    ck_assert_int_eq(iam_ctl(&own, &out, "member add dana"), 0);
    free(out);
    ck_assert_int_eq(iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' dana dana-pw", own.root),
                     0);
    free(out);
    ck_assert_int_eq(own_status("GET", "/sources/ios/", "dana"), 403);
    ck_assert_int_eq(iam_ctl(&own, &out, "grant --member dana 'Dashboard Viewer' --resource kpis"),
                     0);
    free(out);
    ck_assert_int_eq(own_status("GET", "/sources/ios/", "dana"), 200);
    ck_assert_int_eq(own_status("POST", "/sources/ios/", "dana"), 403);
}
END_TEST

/* A store of an unknown version: mod_iam paths fail closed with 500 and a
 * log line that says what to do; other paths keep working. */
START_TEST(test_unknown_store_version_fails_closed)
{
    char *out, *log;

    /* mdb_load -T: a key line, then a value line; \01 is the meta type byte */
    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "printf '\\\\01version\\n99\\n' | mdb_load -T "
                                  "'%s'",
                                  own.store),
                     0);
    free(out);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL,
                                     "<Location /unmapped/>\nRequire all granted\n</Location>"),
                     0);
    ck_assert_int_eq(own_status("GET", "/sources/checkout/", "olivia"), 500);
    ck_assert_int_eq(own_status("GET", "/", "max"), 500);
    ck_assert_int_eq(own_status("GET", "/owners/", "olivia"), 500);
    ck_assert_int_eq(own_status("GET", "/unmapped/", "nora"), 200);
    log = iam_httpd_log(&own);
    ck_assert_msg(strstr(log, "format version 99"), "%s", log);
    free(log);
}
END_TEST

/* A store the server's children cannot reach: 500 and a log line that
 * names the problem, never an allow. */
START_TEST(test_store_without_permission_fails_closed)
{
    char *out, *log, extra[1024];

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "mkdir '%s/locked' && mv '%s' '%s/locked/store' && "
                                  "chmod 000 '%s/locked'",
                                  own.root, own.store, own.root, own.root),
                     0);
    free(out);
    snprintf(extra, sizeof(extra), "IAMStore \"%s/locked/store\"", own.root);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, extra), 0);
    ck_assert_int_eq(own_status("GET", "/sources/checkout/", "olivia"), 500);
    ck_assert_int_eq(own_status("GET", "/", "max"), 500);
    log = iam_httpd_log(&own);
    ck_assert_msg(strstr(log, "permission denied on store"), "%s", log);
    free(log);
    iam_test_run(NULL, NULL, "chmod 755 '%s/locked'", own.root);
}
END_TEST

static TCase *demo_case(const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, setup, stop_demo);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_matrix, 0, (int)(sizeof(matrix) / sizeof(matrix[0])));
    tcase_add_test(tc, test_wrong_password_is_401);
    tcase_add_test(tc, test_change_seen_without_restart);
    tcase_add_test(tc, test_invitation_becomes_active);
    tcase_add_test(tc, test_decisions_logged_with_reason);
    return tc;
}

Suite *suite_httpd(void)
{
    Suite *s = suite_create("httpd");
    TCase *tc;

    suite_add_tcase(s, demo_case("event", start_event));
    suite_add_tcase(s, demo_case("prefork", start_prefork));
    suite_add_tcase(s, demo_case("worker", start_worker));

    tc = tcase_create("configtest");
    tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_configtest_refuses, 0,
                        (int)(sizeof(bad_config) / sizeof(bad_config[0])));
    tcase_add_test(tc, test_configtest_accepts);
    suite_add_tcase(s, tc);

    tc = tcase_create("own_config");
    tcase_add_checked_fixture(tc, own_setup, own_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_team_plan);
    tcase_add_test(tc, test_bootstrap_owner_and_custom_role);
    tcase_add_test(tc, test_unknown_store_version_fails_closed);
    tcase_add_test(tc, test_store_without_permission_fails_closed);
    suite_add_tcase(s, tc);
    return s;
}
