/* mod_iam integration tests, httpd suite: configurations. apache2 -t
 * refuses every bad directive with a message that names it, and accepts
 * a good one (configtest); servers started with a configuration or a
 * store of their own: the team plan, IAMBootstrapOwner and custom roles,
 * stores of an unknown version, unreadable, missing or damaged (each
 * fails closed), IAMLoginCase, the status of a refusal, iamctl reading
 * the server's configuration (own_config); and two demos of `make demo`
 * at once, each with its own store (demo). */
#include "httpd_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const bad_config_t bad_config[] = {
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
    ck_refused(&cfg, &bad_config[_i]);
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

/* Polls a request until it answers `want` (a store fixed while the server
 * runs is opened again at most once a second); the last status. */
static long own_status_within(const char *method, const char *path, const char *user, long want)
{
    long st = 0;
    int i;

    for (i = 0; i < 50 && (st = own_status(method, path, user)) != want; i++)
        usleep(200 * 1000);
    return st;
}

/* The server never makes a store: a missing one fails closed, says to run
 * `iamctl init`, and IAMBootstrapOwner does not make one either; once
 * iamctl has made it, the running server uses it. */
START_TEST(test_server_never_makes_a_store)
{
    char *out, *log;

    ck_assert_int_eq(
        iam_test_run(&out, NULL, "rm -rf '%s' && mkdir -m 755 '%s'", own.store, own.store), 0);
    free(out);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, "IAMBootstrapOwner olivia"), 0);
    ck_assert_int_eq(own_status("GET", "/", "max"), 500);
    ck_assert_int_eq(own_status("GET", "/owners/", "olivia"), 500);
    ck_assert_int_eq(access(xprintf("%s/data.mdb", own.store), F_OK), -1);
    log = iam_httpd_log(&own);
    ck_assert_msg(strstr(log, "no store at") && strstr(log, "init"), "%s", log);
    free(log);
    ck_assert_int_eq(iam_ctl(&own, &out, "init && '%s/iamctl' -d '%s' member add max",
                             iam_test_build_dir(), own.store),
                     0);
    free(out);
    ck_assert_int_eq(own_status_within("GET", "/", "max", 200), 200);
    ck_assert_int_eq(own_status("GET", "/", "olivia"), 403); /* no owner was bootstrapped */
}
END_TEST

/* A data file emptied or cut short while Apache was down: the server
 * starts, refuses every mod_iam request with a reason, never crashes a
 * child (SIGBUS) and never makes the store anew (IAMBootstrapOwner would
 * then own an empty workspace). */
START_TEST(test_damaged_data_file_fails_closed)
{
    char *log, *data = xprintf("%s/data.mdb", own.store);
    struct stat sb;

    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_msg(sb.st_size >= 4 * 4096, "the demo store is %ld bytes", (long)sb.st_size);
    ck_assert_int_eq(truncate(data, sb.st_size / 2), 0);
    ck_assert_int_eq(iam_httpd_start(&own, "prefork", NULL, "IAMBootstrapOwner boss"), 0);
    ck_assert_int_eq(own_status("GET", "/", "max"), 500);
    ck_assert_int_eq(own_status("GET", "/sources/checkout/", "sam"), 500);
    ck_assert_int_eq(own_status("GET", "/iam/", "olivia"), 500);
    log = iam_httpd_log(&own);
    ck_assert_msg(strstr(log, "cut short"), "%s", log);
    ck_assert_msg(!strstr(log, "Bus error") && !strstr(log, "exit signal"), "%s", log);
    free(log);
    iam_httpd_stop(&own);
    ck_assert_int_eq(truncate(data, 0), 0);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, "IAMBootstrapOwner boss"), 0);
    ck_assert_int_eq(own_status("GET", "/", "max"), 500);
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(sb.st_size, 0);
    log = iam_httpd_log(&own);
    ck_assert_msg(strstr(log, "empty (0 bytes)"), "%s", log);
    free(log);
}
END_TEST

/* IAMLoginCase: exact by default, as `Require user` compares. A separate
 * account OLIVIA in the password file is not the owner olivia; with fold
 * it is (the risk the README states). */
START_TEST(test_login_case)
{
    char *out;

    ck_assert_int_eq(
        iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' OLIVIA OLIVIA-pw", own.root), 0);
    free(out);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, NULL), 0);
    ck_assert_int_eq(own_status("GET", "/owners/", "olivia"), 200);
    ck_assert_int_eq(own_status("GET", "/owners/", "OLIVIA"), 403);
    ck_assert_int_eq(own_status("GET", "/", "OLIVIA"), 403);
    ck_assert_int_eq(own_status("GET", "/iam/", "OLIVIA"), 403);
    /* the console's API names members as logins match */
    ck_assert_int_eq(own_status("GET", "/iam/api/v1/members/OLIVIA", "olivia"), 404);
    ck_assert_int_eq(own_status("GET", "/iam/api/v1/members/olivia", "olivia"), 200);
    /* iamctl follows what the server recorded */
    ck_assert_int_eq(iam_ctl(&own, &out, "check OLIVIA source web read"), 3);
    free(out);
    iam_httpd_stop(&own);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, "IAMLoginCase fold"), 0);
    ck_assert_int_eq(own_status("GET", "/owners/", "OLIVIA"), 200);
    ck_assert_int_eq(own_status("GET", "/iam/api/v1/members/OLIVIA", "olivia"), 200);
    ck_assert_int_eq(iam_ctl(&own, &out, "check OLIVIA source web read"), 0);
    free(out);
    /* either way no second member of that login in another case */
    ck_assert_int_eq(iam_ctl(&own, &out, "member add OLIVIA 2>&1"), 1);
    ck_assert_msg(strstr(out, "differs only in case"), "%s", out);
    free(out);
}
END_TEST

/* A user mod_iam refuses gets 403 and its page, whatever
 * AuthzSendForbiddenOnFailure says (Apache's default would be 401: the
 * browser asks for the same password again); IAMDeniedStatus 401 asks for
 * Apache's answer. */
START_TEST(test_refused_user_gets_403)
{
    static const char *const confs[] = {"", "<Location />\nAuthzSendForbiddenOnFailure On\n"
                                            "</Location>"};
    iam_req_t req = {"GET", "/warehouses/main/", "max:max-pw", NULL, NULL, {NULL}};
    char *body, *hdrs;
    size_t i;

    for (i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
        ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, confs[i]), 0);
        ck_assert_int_eq(iam_http_do(&own, &req, &body, &hdrs), 403);
        ck_assert_msg(strstr(body, "You need access") && strstr(body, "name=\"csrf\""), "%s", body);
        ck_assert_msg(!iam_test_header(hdrs, "WWW-Authenticate"), "%s", hdrs);
        free(body);
        free(hdrs);
        ck_assert_int_eq(own_status("GET", "/", "nora"), 403); /* not a member */
        ck_assert_int_eq(own_status("GET", "/owners/", "max"), 403);
        ck_assert_int_eq(own_status("GET", "/", NULL), 401); /* no user */
        ck_assert_int_eq(own_status("GET", "/", "max:wrong"), 401);
        iam_httpd_stop(&own);
    }
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, "IAMDeniedStatus 401"), 0);
    ck_assert_int_eq(iam_http_do(&own, &req, &body, &hdrs), 401);
    ck_assert_msg(iam_test_header(hdrs, "WWW-Authenticate") != NULL, "%s", hdrs);
    free(body);
    free(hdrs);
}
END_TEST

/* `iamctl -f` reads the server's configuration: a custom role granted
 * before the server ever started is the server's role. */
START_TEST(test_iamctl_reads_the_config)
{
    static const char site[] = "IAMRole \"Repo Reader\" repo read\n"
                               "IAMResourcePath /sources/ios repo ios-app\n";
    char *out;

    ck_assert_int_eq(iam_httpd_configtest(&own, site, &out), 0);
    free(out);
    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "'%s/iamctl' -f '%s/configtest.conf' grant --member "
                                  "max 'Repo Reader' --resource ios-app 2>&1",
                                  iam_test_build_dir(), own.root),
                     0);
    free(out);
    ck_assert_int_eq(iam_httpd_start(&own, "event", NULL, site), 0);
    ck_assert_int_eq(own_status("GET", "/sources/ios/", "max"), 200);
    ck_assert_int_eq(own_status("POST", "/sources/ios/", "max"), 403);
}
END_TEST

/* ---- make demo: two at once, on two ports ---- */

/* Starts conf/demo/run on `port` in the background (TMPDIR: the test's
 * directory, where the demo makes its own); 0 once it answers. */
static int demo_start(const char *tmp, int port)
{
    iam_httpd_t probe;
    char *out = NULL;
    int i;

    if (iam_test_run(&out, NULL,
                     "TMPDIR='%s' IAM_DEMO_PORT=%d setsid '%s/../conf/demo/run' '%s' "
                     ">'%s/demo-%d.log' 2>&1 &",
                     tmp, port, iam_test_build_dir(), iam_test_build_dir(), tmp, port) != 0)
        return -1;
    free(out);
    memset(&probe, 0, sizeof(probe));
    probe.port = port;
    for (i = 0; i < 100; i++) {
        if (iam_http(&probe, "GET", "/", NULL, NULL) == 401)
            return 0;
        usleep(100 * 1000);
    }
    return -1;
}

static void demo_stop(const char *tmp, int port)
{
    iam_test_run(NULL, NULL,
                 "p=$(cat '%s/mod_iam-demo-'$(id -u)'-%d/run/httpd.pid' 2>/dev/null) && "
                 "kill -TERM $p; for i in $(seq 50); do kill -0 $p 2>/dev/null || exit 0; "
                 "sleep 0.1; done; kill -KILL $p",
                 tmp, port);
}

/* Two demos on two ports have a store each: the second does not wipe the
 * first's (it once shared one directory and removed it). */
START_TEST(test_two_demos)
{
    char *tmp = iam_test_tmpdir("demo"), *out;
    int a = iam_test_free_port(), b = iam_test_free_port();
    iam_httpd_t first;

    while (b == a)
        b = iam_test_free_port();
    ck_assert_msg(demo_start(tmp, a) == 0, "the first demo did not start:\n%s",
                  iam_test_slurp(xprintf("%s/demo-%d.log", tmp, a)));
    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "'%s/iamctl' -d '%s/mod_iam-demo-%d-%d/store' member "
                                  "add only-in-the-first",
                                  iam_test_build_dir(), tmp, (int)getuid(), a),
                     0);
    free(out);
    ck_assert_msg(demo_start(tmp, b) == 0, "the second demo did not start:\n%s",
                  iam_test_slurp(xprintf("%s/demo-%d.log", tmp, b)));
    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "'%s/iamctl' -d '%s/mod_iam-demo-%d-%d/store' member "
                                  "show only-in-the-first",
                                  iam_test_build_dir(), tmp, (int)getuid(), a),
                     0);
    free(out);
    memset(&first, 0, sizeof(first));
    first.port = a;
    ck_assert_int_eq(iam_http(&first, "GET", "/owners/", "olivia:olivia-pw", NULL), 200);
    demo_stop(tmp, a);
    demo_stop(tmp, b);
    iam_test_rmtree(tmp);
}
END_TEST

void ht_add_config(Suite *s)
{
    TCase *tc;

    tc = tcase_create("configtest");
    tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_configtest_refuses, 0,
                        (int)(sizeof(bad_config) / sizeof(bad_config[0])));
    tcase_add_test(tc, test_configtest_accepts);
    suite_add_tcase(s, tc);

    tc = tcase_create("own_config");
    tcase_add_checked_fixture(tc, own_setup, own_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_team_plan);
    tcase_add_test(tc, test_bootstrap_owner_and_custom_role);
    tcase_add_test(tc, test_unknown_store_version_fails_closed);
    tcase_add_test(tc, test_store_without_permission_fails_closed);
    tcase_add_test(tc, test_server_never_makes_a_store);
    tcase_add_test(tc, test_damaged_data_file_fails_closed);
    tcase_add_test(tc, test_login_case);
    tcase_add_test(tc, test_refused_user_gets_403);
    tcase_add_test(tc, test_iamctl_reads_the_config);
    suite_add_tcase(s, tc);

    tc = tcase_create("demo");
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_two_demos);
    suite_add_tcase(s, tc);
}
