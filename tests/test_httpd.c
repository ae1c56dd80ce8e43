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
#include <sys/stat.h>
#include <unistd.h>

static iam_httpd_t srv;

static void add_user(const iam_httpd_t *h, const char *login)
{
    char *out;
    int rc =
        iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw'", h->root, login, login);
    if (rc != 0) {
        fprintf(stderr, "htpasswd %s: %s\n", login, out);
        abort();
    }
    free(out);
}

/* The fixture's members beside the demo's: lena, cara, wanda. */
static void add_fixture_members(const iam_httpd_t *h)
{
    add_user(h, "lena");
    add_user(h, "cara");
    add_user(h, "wanda");
    iam_ctl_or_die(h, "member add lena");
    iam_ctl_or_die(h, "grant --member lena source-admin --label env:prod");
    iam_ctl_or_die(h, "member add cara");
    iam_ctl_or_die(h, "grant --member cara source-admin --all");
    iam_ctl_or_die(h, "member add wanda");
    iam_ctl_or_die(h, "grant --member wanda warehouse-read-only");
}

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
typedef struct {
    const char *user, *method, *path;
    long want;
} matrix_row_t;

/* One row: the request, as the row's user, answers the row's status. */
static void ck_row(const matrix_row_t *row)
{
    long got = status_of(row->method, row->path, row->user);

    ck_assert_msg(got == row->want, "%s %s %s: got %ld, want %ld",
                  row->user ? row->user : "(no user)", row->method, row->path, got, row->want);
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

/* A configuration apache2 -t must refuse, and what its message says. */
typedef struct {
    const char *conf, *want;
} bad_config_t;

static void ck_refused(iam_httpd_t *h, const bad_config_t *row)
{
    char *out;
    int rc = iam_httpd_configtest(h, row->conf, &out);

    ck_assert_msg(rc != 0, "configtest passed for:\n%s", row->conf);
    ck_assert_msg(strstr(out, row->want), "for:\n%s\nwant '%s' in:\n%s", row->conf, row->want, out);
    free(out);
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

    ck_assert_int_eq(iam_test_run(&out, NULL, "rm -rf '%s' && mkdir -m 755 '%s'", own.store,
                                  own.store),
                     0);
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

    ck_assert_int_eq(iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' OLIVIA OLIVIA-pw",
                                  own.root),
                     0);
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
        ck_assert_msg(strstr(body, "You need access") && strstr(body, "name=\"csrf\""), "%s",
                      body);
        ck_assert_msg(!iam_test_header(hdrs, "WWW-Authenticate"), "%s", hdrs);
        free(body);
        free(hdrs);
        ck_assert_int_eq(own_status("GET", "/", "nora"), 403); /* not a member */
        ck_assert_int_eq(own_status("GET", "/owners/", "max"), 403);
        ck_assert_int_eq(own_status("GET", "/", NULL), 401);  /* no user */
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
    ck_assert_int_eq(iam_test_run(&out, NULL, "'%s/iamctl' -f '%s/configtest.conf' grant --member "
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
    ck_assert_int_eq(iam_test_run(&out, NULL, "'%s/iamctl' -d '%s/mod_iam-demo-%d-%d/store' member "
                                              "add only-in-the-first",
                                  iam_test_build_dir(), tmp, (int)getuid(), a),
                     0);
    free(out);
    ck_assert_msg(demo_start(tmp, b) == 0, "the second demo did not start:\n%s",
                  iam_test_slurp(xprintf("%s/demo-%d.log", tmp, b)));
    ck_assert_int_eq(iam_test_run(&out, NULL, "'%s/iamctl' -d '%s/mod_iam-demo-%d-%d/store' member "
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

/* ---- IAMResourcePath: resources declared by path, in one table ---- */

/* The demo's htdocs with a site of its own: every path needs `Require
 * iam`, and the sources are declared by path alone (a collection and the
 * named sources below it). One <Location> names another resource on a
 * path the table covers too (the table wins); the warehouse is declared by
 * its <Location> only, and /unmapped/ by neither. MergeSlashes Off keeps
 * "//" in the request's path, as <Location> does not. SSI and a
 * per-directory RewriteRule make subrequests and internal redirects that
 * share the parent's sections. */
static const char paths_site[] = "MergeSlashes Off\n"
                                 "LoadModule include_module "
                                 "/usr/lib/apache2/modules/mod_include.so\n"
                                 "LoadModule rewrite_module "
                                 "/usr/lib/apache2/modules/mod_rewrite.so\n"
                                 "AddOutputFilter INCLUDES .shtml\n"
                                 "ErrorDocument 404 /errors/404.html\n"
                                 "DocumentRoot \"${IAM_ROOT}/htdocs\"\n"
                                 "<Directory \"${IAM_ROOT}/htdocs\">\n"
                                 "    Options +Includes +FollowSymLinks\n"
                                 "    RewriteEngine On\n"
                                 "    RewriteRule ^sources/web/jump$ /sources/checkout/index.html\n"
                                 "    RewriteRule ^sources/web/hop$ /sources/web/index.html\n"
                                 "    AllowOverride None\n"
                                 "    AuthType Basic\n"
                                 "    AuthName \"mod_iam paths\"\n"
                                 "    AuthBasicProvider file\n"
                                 "    AuthUserFile \"${IAM_ROOT}/htpasswd\"\n"
                                 "    Require iam\n"
                                 "</Directory>\n"
                                 "IAMResourcePath /sources source *\n"
                                 "IAMResourcePath /sources/checkout source checkout\n"
                                 "IAMResourcePath /sources/web/ source web env:prod team:growth\n"
                                 "IAMResourcePath /sources/ios source ios env:dev\n"
                                 "<Location \"/sources/ios/\">\n"
                                 "    IAMResource warehouse main\n"
                                 "</Location>\n"
                                 "<IfModule iam_module>\n"
                                 "<Location \"/sources/web/private/\">\n"
                                 "    IAMResource source private\n"
                                 "</Location>\n"
                                 "</IfModule>\n"
                                 "<Location \"/sources/checkout/settings/\">\n"
                                 "    IAMPermission admin\n"
                                 "</Location>\n"
                                 "<Location \"/warehouses/main/\">\n"
                                 "    IAMResource warehouse main\n"
                                 "</Location>\n";

/* The fixture's members, and pages where only the table says what they
 * are: /sources/checkoutx/ (not checkout's) and /reports/q3/. */
static void prepare_paths(iam_httpd_t *h, const char *tag)
{
    char *out;

    iam_httpd_prepare(h, tag);
    add_fixture_members(h);
    if (iam_test_run(
            &out, NULL,
            "for d in sources/checkoutx reports/q3 sources/web/private errors; do mkdir -p "
            "'%s/htdocs/'$d && "
            "echo \"<p>$d</p>\" >'%s/htdocs/'$d/index.html; done && "
            "echo '<p>our 404</p>' >'%s/htdocs/errors/404.html' && "
            "printf '<p>web</p><!--#include virtual=\"%%s\" -->\\n' "
            "/sources/checkout/index.html >'%s/htdocs/sources/web/other.shtml' && "
            "printf '<p>web</p><!--#include virtual=\"%%s\" -->\\n' "
            "/sources/web/index.html >'%s/htdocs/sources/web/own.shtml' && "
            "chmod -R a+rX '%s'",
            h->root, h->root, h->root, h->root, h->root, h->root) != 0) {
        fprintf(stderr, "preparing %s: %s\n", h->root, out);
        abort();
    }
    free(out);
}

static void start_paths(void)
{
    prepare_paths(&srv, "paths");
    if (iam_httpd_start(&srv, "event", paths_site, NULL) != 0) {
        char *log = iam_httpd_log(&srv);
        fprintf(stderr, "apache2 did not start with IAMResourcePath:\n%s\n", log);
        abort();
    }
}

/* Whether the error log has `needle` (failure messages name the needle,
 * not the whole log: Check refuses long messages). */
static int log_has(const iam_httpd_t *h, const char *needle)
{
    char *log = iam_httpd_log(h);
    int found = has(log, needle);

    free(log);
    return found;
}

static const matrix_row_t path_matrix[] = {
    {NULL, "GET", "/sources/checkout/", 401},
    /* a named resource of the table: allowed on it, refused on another */
    {"sam", "GET", "/sources/checkout/", 200},
    {"sam", "GET", "/sources/web/", 403},
    {"max", "GET", "/sources/checkout/", 403},
    {"wanda", "GET", "/sources/checkout/", 403},
    /* the entry covers the path without its '/' (mod_dir then redirects) */
    {"sam", "GET", "/sources/checkout", 301},
    {"max", "GET", "/sources/checkout", 403},
    /* and every path below it; a <Location>'s IAMPermission still applies */
    {"sam", "GET", "/sources/checkout/index.html", 200},
    {"sam", "GET", "/sources/checkout/settings/", 200},
    {"rita", "GET", "/sources/checkout/settings/", 403},
    {"cara", "GET", "/sources/checkout/settings/", 200},
    /* the longest entry wins: sam may POST to checkout (Source Admin on
     * it), not to the collection (that needs admin on all) */
    {"sam", "POST", "/sources/checkout/", 200},
    {"sam", "POST", "/sources/", 403},
    {"rita", "POST", "/sources/checkout/", 403},
    {"rita", "GET", "/sources/", 200},
    {"max", "GET", "/sources/", 403},
    {"cara", "POST", "/sources/", 200},
    /* whole segments: /sources/checkoutx is the collection's, not checkout's */
    {"sam", "POST", "/sources/checkoutx/", 403},
    {"cara", "POST", "/sources/checkoutx/", 200},
    {"rita", "GET", "/sources/checkoutx/", 200},
    {"max", "GET", "/sources/checkoutx/", 403},
    /* a run of slashes is one, as <Location> compares it: "//" must not
     * slip past checkout to the collection */
    {"max", "GET", "/sources//checkout/", 403},
    {"wanda", "GET", "//sources///checkout/", 403},
    {"sam", "GET", "/sources//checkout/", 200},
    {"rita", "GET", "/sources//checkoutx/", 200},
    /* the request's decoded path is looked up */
    {"sam", "POST", "/sources/check%6Fut/", 200},
    {"max", "GET", "/sources/%63heckout/", 403},
    /* a label grant covers a labelled resource of the table */
    {"lena", "GET", "/sources/web/", 200},
    {"lena", "PUT", "/sources/web/", 405}, /* allowed; the file handler refuses PUT */
    {"lena", "GET", "/sources/ios/", 403},
    {"lena", "GET", "/sources/checkout/", 403},
    /* the table wins over a <Location>'s IAMResource on the same path:
     * /sources/ios/ is source ios, not the warehouse its Location names */
    {"rita", "GET", "/sources/ios/", 200},
    {"wanda", "GET", "/sources/ios/", 403},
    /* a <Location> deeper than the entry covering it is the more specific:
     * /sources/web/private/ is source private, not web */
    {"lena", "GET", "/sources/web/private/", 403},
    {"lena", "GET", "/sources/web/", 200},
    {"rita", "GET", "/sources/web/private/", 200},
    /* no entry covers /warehouses/: the <Location>'s IAMResource applies */
    {"wanda", "GET", "/warehouses/main/", 200},
    {"wanda", "POST", "/warehouses/main/", 403},
    {"rita", "GET", "/warehouses/main/", 403},
    {"cara", "GET", "/warehouses/main/", 403},
    /* neither: refused (a configuration error), except for owners */
    {"max", "GET", "/unmapped/", 403},
    {"cara", "GET", "/unmapped/", 403},
    {"max", "GET", "/reports/q3/", 403},
    {"olivia", "GET", "/unmapped/", 200},
    {"olivia", "POST", "/sources/checkout/", 200},
};

START_TEST(test_resource_path_matrix)
{
    ck_row(&path_matrix[_i]);
}
END_TEST

/* The decision names the table's resource; a Require iam path with
 * neither an entry nor an IAMResource is logged as the configuration
 * error it is, naming both directives. */
START_TEST(test_resource_path_logged)
{
    ck_assert_int_eq(status_of("GET", "/sources/ios/", "rita"), 200);
    ck_assert_int_eq(status_of("POST", "/sources/checkoutx/", "sam"), 403);
    ck_assert_int_eq(status_of("GET", "/unmapped/", "max"), 403);
    ck_assert_msg(log_has(&srv, "allow user 'rita' read on source ios (/sources/ios/)"),
                  "no allow line for rita on source ios");
    ck_assert_msg(log_has(&srv, "deny user 'sam' edit on source * (/sources/checkoutx/)"),
                  "no deny line for sam on the collection at /sources/checkoutx/");
    ck_assert_msg(log_has(&srv, "deny user 'max' on /unmapped/: 'Require iam' with no resource "
                                "for this path (configuration error: declare it with "
                                "IAMResourcePath, or IAMResource"),
                  "no configuration error for /unmapped/");
}
END_TEST

/* A subrequest or an internal redirect that shares every section with its
 * parent is not authorized again by Apache; with resources by path, mod_iam
 * decides it again for its own path. lena may read web, not checkout. */
START_TEST(test_resource_path_inherited)
{
    char userpass[] = "lena:lena-pw", *body;

    /* SSI: the include of checkout's page is refused, web's own is not */
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/other.shtml", userpass, &body), 200);
    ck_assert_msg(has(body, "<p>web</p>") && !has(body, "<h1>sources/checkout</h1>"),
                  "lena's page included checkout's: %.300s", body);
    free(body);
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/own.shtml", userpass, &body), 200);
    ck_assert_msg(has(body, "<h1>sources/web</h1>"), "web's own include missing: %.300s", body);
    free(body);
    /* a per-directory RewriteRule: an internal redirect to checkout */
    ck_assert_int_eq(status_of("GET", "/sources/web/jump", "lena"), 403);
    ck_assert_int_eq(status_of("GET", "/sources/web/hop", "lena"), 200);
    ck_assert_int_eq(status_of("GET", "/sources/web/jump", "sam"),
                     403); /* sam: checkout, not web */
    ck_assert_int_eq(status_of("GET", "/sources/web/jump", "olivia"), 200); /* an owner */
    /* an ErrorDocument is the administrator's page for the error, served
     * though no resource covers /errors/ */
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/missing", userpass, &body), 404);
    ck_assert_msg(has(body, "<p>our 404</p>"), "not the ErrorDocument: %.300s", body);
    free(body);
    ck_assert_msg(log_has(&srv, "refusing 'lena' the internal redirect of /sources/web/jump: not "
                                "allowed on /sources/checkout/index.html itself"),
                  "no log line for lena's internal redirect");
}
END_TEST

/* ---- IAMResourcePath: servers and configtests of their own ---- */

static iam_httpd_t vh;

static void vh_setup(void)
{
    prepare_paths(&vh, "pathsvh");
}

static void vh_teardown(void)
{
    iam_httpd_cleanup(&vh);
}

/* One request to the name-based virtual host `host` (NULL: the default). */
static long vh_status(const char *host, const char *method, const char *path, const char *user)
{
    iam_req_t req = {method, path, xprintf("%s:%s-pw", user, user), NULL, NULL, {NULL}};

    if (!strcmp(method, "POST")) {
        req.body = "x=1";
        req.content_type = "application/x-www-form-urlencoded";
    }
    req.headers[0] = host ? xprintf("Host: %s", host) : NULL;
    return iam_http_do(&vh, &req, NULL, NULL);
}

/* A virtual host has the main server's entries and its own; its own win
 * on the same path. The first (default) virtual host adds none, so it
 * sees the main server's only. */
START_TEST(test_resource_path_vhost)
{
    char *site = xprintf("%s"
                         "<VirtualHost 127.0.0.1:${IAM_PORT}>\n"
                         "    ServerName 127.0.0.1\n"
                         "</VirtualHost>\n"
                         "<VirtualHost 127.0.0.1:${IAM_PORT}>\n"
                         "    ServerName paths.example\n"
                         "    IAMResourcePath /sources/web source checkout\n"
                         "    IAMResourcePath /reports/q3 warehouse main\n"
                         "</VirtualHost>\n",
                         paths_site);

    if (iam_httpd_start(&vh, "event", site, NULL) != 0) {
        ck_abort_msg("apache2 did not start with a virtual host: %s",
                     log_has(&vh, "IAMResourcePath") ? "IAMResourcePath refused" : "see its log");
    }
    /* the default host: the main server's table */
    ck_assert_int_eq(vh_status(NULL, "GET", "/sources/checkout/", "sam"), 200);
    ck_assert_int_eq(vh_status(NULL, "GET", "/sources/web/", "sam"), 403);
    ck_assert_int_eq(vh_status(NULL, "GET", "/sources/web/", "lena"), 200);
    ck_assert_int_eq(vh_status(NULL, "GET", "/reports/q3/", "wanda"), 403);
    ck_assert_int_eq(vh_status(NULL, "POST", "/sources/checkoutx/", "sam"), 403);
    /* paths.example: the main server's entries ... */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/checkout/", "sam"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/checkout/", "max"), 403);
    ck_assert_int_eq(vh_status("paths.example", "POST", "/sources/checkoutx/", "sam"), 403);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/ios/", "lena"), 403);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/ios/", "rita"), 200);
    /* ... its own on the same path ("/sources/web" is "/sources/web/") ... */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/web/", "sam"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/web/", "lena"), 403);
    /* ... and its own new one */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/reports/q3/", "wanda"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/reports/q3/", "cara"), 403);
    /* the Location's IAMResource where neither table has an entry */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/warehouses/main/", "wanda"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/unmapped/", "max"), 403);
}
END_TEST

static const bad_config_t bad_path_config[] = {
    /* arguments */
    {"IAMResourcePath", "IAMResourcePath needs PATH TYPE NAME"},
    {"IAMResourcePath \"\" source a", "IAMResourcePath needs PATH TYPE NAME"},
    {"IAMResourcePath /a", "IAMResourcePath needs PATH TYPE NAME"},
    {"IAMResourcePath /a source", "IAMResourcePath needs PATH TYPE NAME"},
    /* the path */
    {"IAMResourcePath sources/a source a", "IAMResourcePath: path 'sources/a' must begin with '/'"},
    {"IAMResourcePath * source a", "IAMResourcePath: path '*' must begin with '/'"},
    {"IAMResourcePath //a source a", "IAMResourcePath: path '//a' has an empty segment"},
    {"IAMResourcePath /a//b source a", "IAMResourcePath: path '/a//b' has an empty segment"},
    {"IAMResourcePath /a/./b source a", "IAMResourcePath: path '/a/./b' has a '.' or '..'"},
    {"IAMResourcePath /a/.. source a", "IAMResourcePath: path '/a/..' has a '.' or '..'"},
    {"IAMResourcePath /.. source a", "IAMResourcePath: path '/..' has a '.' or '..'"},
    {"IAMResourcePath \"/a\001b\" source a", "IAMResourcePath: path '/a\\x01b' holds a control"},
    {"IAMResourcePath /a\x7f source a", "IAMResourcePath: path '/a\\x7f' holds a control"},
    {"IAMResourcePath /a%2Fb source a", "IAMResourcePath: path '/a%2Fb' holds '%'"},
    /* the resource, as IAMResource's */
    {"IAMResourcePath /a nosuchtype a", "IAMResourcePath: no role grants on type 'nosuchtype'"},
    {"IAMResourcePath /a source b@d", "IAMResourcePath: name 'b@d'"},
    {"IAMResourcePath /a source a env", "IAMResourcePath: 'env'"},
    {"IAMResourcePath /a source a env:x env:y", "IAMResourcePath: label key of 'env:y'"},
    {"IAMResourcePath /a source * env:x", "IAMResourcePath: a collection (*) carries no labels"},
    {"IAMResourcePath /d dashboard kpis\nIAMRole \"Dashboard Viewer\" dashboard read",
     "IAMResourcePath: no role grants on type 'dashboard'"},
    /* the same path twice in one server, however spelled */
    {"IAMResourcePath /a source a\nIAMResourcePath /a source b",
     "IAMResourcePath: path '/a' is declared twice"},
    {"IAMResourcePath /a source a\nIAMResourcePath /a/ source a",
     "IAMResourcePath: path '/a/' is declared twice"},
    {"IAMResourcePath / source *\nIAMResourcePath / source a",
     "IAMResourcePath: path '/' is declared twice"},
    {"<VirtualHost 127.0.0.1:${IAM_PORT}>\nIAMResourcePath /v source a\n"
     "IAMResourcePath /v/ source b\n</VirtualHost>",
     "IAMResourcePath: path '/v/' is declared twice"},
    /* server config and virtual hosts only */
    {"<Location /x>\nIAMResourcePath /x source a\n</Location>", "IAMResourcePath not allowed"},
    {"<Directory /tmp>\nIAMResourcePath /x source a\n</Directory>", "IAMResourcePath not allowed"},
    {"<Files x>\nIAMResourcePath /x source a\n</Files>", "IAMResourcePath not allowed"},
};

START_TEST(test_resource_path_configtest_refuses)
{
    ck_refused(&vh, &bad_path_config[_i]);
}
END_TEST

/* 1024 bytes is the longest path; one more is refused. */
START_TEST(test_resource_path_configtest_length)
{
    char path[1100], *out;
    int rc;

    memset(path, 'p', sizeof(path));
    path[0] = '/';
    path[1024] = '\0';
    rc = iam_httpd_configtest(&vh, xprintf("IAMResourcePath %s source long", path), &out);
    ck_assert_msg(rc == 0, "a path of 1024 bytes refused");
    free(out);
    path[1024] = 'p';
    path[1025] = '\0';
    rc = iam_httpd_configtest(&vh, xprintf("IAMResourcePath %s source long", path), &out);
    ck_assert_msg(rc != 0, "a path of 1025 bytes accepted");
    ck_assert_msg(has(out, "IAMResourcePath: path '/ppp") && has(out, "is longer than 1024 bytes"),
                  "no length error naming IAMResourcePath");
    free(out);
}
END_TEST

START_TEST(test_resource_path_configtest_accepts)
{
    char *out;
    int rc = iam_httpd_configtest(&vh,
                                  "IAMRole \"Dashboard Viewer\" dashboard read\n"
                                  "IAMResourcePath / source *\n"
                                  "IAMResourcePath /d dashboard kpis team:growth\n"
                                  "IAMResourcePath \"/with space/caf\xc3\xa9\" source s\n"
                                  "IAMResourcePath /.well-known/x... source dots\n"
                                  "IAMResourcePath /a/ source a\n"
                                  "IAMResourcePath /a/b source b env:prod\n"
                                  "IAMResourcePath /a/bc source * \n"
                                  "<VirtualHost 127.0.0.1:${IAM_PORT}>\n"
                                  "ServerName v.example\n"
                                  "IAMResourcePath /a source other\n" /* the main server's path */
                                  "IAMResourcePath /v source v\n"
                                  "</VirtualHost>\n"
                                  "<Location /d>\nRequire iam\n</Location>",
                                  &out);

    ck_assert_msg(rc == 0, "%s", out);
    free(out);
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

Suite *suite_httpd(void)
{
    Suite *s = suite_create("httpd");
    TCase *tc;

    suite_add_tcase(s, demo_case("event", start_event));
    suite_add_tcase(s, demo_case("prefork", start_prefork));
    suite_add_tcase(s, demo_case("worker", start_worker));

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

    tc = tcase_create("resource_path");
    tcase_add_unchecked_fixture(tc, start_paths, stop_demo);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_resource_path_matrix, 0,
                        (int)(sizeof(path_matrix) / sizeof(path_matrix[0])));
    tcase_add_test(tc, test_resource_path_logged);
    tcase_add_test(tc, test_resource_path_inherited);
    suite_add_tcase(s, tc);

    tc = tcase_create("resource_path_config");
    tcase_add_checked_fixture(tc, vh_setup, vh_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_resource_path_vhost);
    tcase_add_loop_test(tc, test_resource_path_configtest_refuses, 0,
                        (int)(sizeof(bad_path_config) / sizeof(bad_path_config[0])));
    tcase_add_test(tc, test_resource_path_configtest_length);
    tcase_add_test(tc, test_resource_path_configtest_accepts);
    suite_add_tcase(s, tc);
    return s;
}
