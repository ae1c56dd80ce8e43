/* mod_iam tests, cluster suite: two real httpds with IAMDatabase, each
 * with its own store, one workspace in a real PostgreSQL. The second
 * server starts with no store and fills it from the database; a grant
 * made through one server's API is enforced by the other (pushed, not
 * restarted), and at once by the server that made it, and so is a label
 * put on a resource; the same member
 * added through both at once is made once, and a member SCIM made through
 * one and suspended through the other is refused by both; with the database stopped
 * both keep deciding, writes answer 503 database_unavailable, and once it
 * is back writes work and the servers follow again by themselves; in the
 * end both stores and the database export the same. */
#include "cluster_test.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

START_TEST(test_two_servers_one_workspace)
{
    char *db = cl_database("pair"), *out = NULL;
    iam_httpd_t a, b;
    long sa, sb;

    cl_start_pair(&a, &b, db);
    /* b filled its store from the database: the demo's members decide */
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "rita"), 200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 403);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "nora"), 403);
    /* a grant through a: a enforces it on its next request, b soon after */
    ck_assert_int_eq(cl_api(&a, "POST", "members/max/grants",
                            "{\"role\":\"source-read-only\",\"scope\":\"all\"}", &out),
                     200);
    ck_assert_int_eq(cl_site(&a, "/sources/web/", "max"), 200);
    IAM_EVENTUALLY(cl_site(&b, "/sources/web/", "max") == 200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 200);
    /* and back, through b */
    ck_assert_int_eq(
        cl_api(&b, "POST", "members/max/grants/revoke", "{\"role\":\"source-read-only\"}", &out),
        200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 403);
    IAM_EVENTUALLY(cl_site(&a, "/sources/web/", "max") == 403);
    ck_assert_int_eq(cl_site(&a, "/sources/web/", "max"), 403);
    /* a label made through a and put on a resource through b: the grant
     * on it opens on both, and closes on both when a takes it off */
    ck_assert_int_eq(cl_api(&a, "POST", "labels", "{\"label\":\"team:pair\"}", &out), 201);
    ck_assert_int_eq(cl_api(&a, "POST", "members/max/grants",
                            "{\"role\":\"source-read-only\",\"scope\":\"labels\",\"labels\":["
                            "\"team:pair\"]}",
                            &out),
                     200);
    /* (a write through b brings b up to the database's head first) */
    ck_assert_int_eq(
        cl_api(&b, "PUT", "resources/source/checkout/labels", "{\"labels\":[\"team:pair\"]}", &out),
        200);
    ck_assert_int_eq(cl_site(&b, "/sources/checkout/", "max"), 200);
    IAM_EVENTUALLY(cl_site(&a, "/sources/checkout/", "max") == 200);
    ck_assert_int_eq(cl_api(&a, "PUT", "resources/source/checkout/labels", "{\"labels\":[]}", &out),
                     200);
    ck_assert_int_eq(cl_site(&a, "/sources/checkout/", "max"), 403);
    IAM_EVENTUALLY(cl_site(&b, "/sources/checkout/", "max") == 403);
    ck_assert_int_eq(cl_site(&b, "/sources/checkout/", "max"), 403);
    /* the same member through both: one is made, the other is told so */
    sa = cl_api(&a, "POST", "members", "{\"login\":\"quinn\"}", NULL);
    sb = cl_api(&b, "POST", "members", "{\"login\":\"quinn\"}", NULL);
    ck_assert_msg((sa == 201 && sb == 409) || (sa == 409 && sb == 201), "a %ld, b %ld", sa, sb);
    /* SCIM through a makes nora a member; her suspension through b
     * refuses her on a too (one write path: the database first) */
    {
        char *tok, *id, *auth;
        iam_req_t req = {
            "POST", "/iam/scim/v2/Users", NULL, "application/scim+json", "{\"userName\":\"nora\"}",
            {NULL}};
        ck_assert_int_eq(
            cl_api(&a, "POST", "tokens", "{\"description\":\"idp\",\"scope\":\"scim\"}", &out),
            201);
        tok = strstr(out, "\"token\":\"") + 9;
        tok = strndup(tok, strcspn(tok, "\""));
        auth = xprintf("Authorization: Bearer %s", tok);
        req.headers[0] = auth;
        ck_assert_int_eq(iam_http_do(&a, &req, &out, NULL), 201);
        id = strstr(out, "\"id\":\"") + 6;
        id = strndup(id, strcspn(id, "\""));
        ck_assert_int_eq(cl_site(&a, "/", "nora"), 200);
        IAM_EVENTUALLY(cl_site(&b, "/", "nora") == 200);
        ck_assert_int_eq(cl_site(&b, "/", "nora"), 200);
        req.method = "PATCH";
        req.path = xprintf("/iam/scim/v2/Users/%s", id);
        req.body = "{\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}";
        ck_assert_int_eq(iam_http_do(&b, &req, &out, NULL), 200);
        ck_assert_int_eq(cl_site(&b, "/", "nora"), 403);
        IAM_EVENTUALLY(cl_site(&a, "/", "nora") == 403);
        ck_assert_int_eq(cl_site(&a, "/", "nora"), 403);
        free(tok);
        free(id);
    }
    /* everything both servers wrote (members seen included), everywhere */
    cl_converged(shq(db), a.store, b.store);
    /* b's follower says how it stands */
    IAM_EVENTUALLY(cl_ctl(&out, "-d %s replica status", b.store) == 0 && has(out, "following"));
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica status", b.store), 0);
    ck_assert_msg(has(out, "behind:   0 entries") && has(out, ": following"), "%s", out);
    iam_httpd_stop(&a);
    iam_httpd_stop(&b);
}
END_TEST

/* Writes through a while b is killed (SIGKILL to all its processes) at
 * random moments, maybe mid-apply: b starts again on its store and
 * catches up; a damaged store is made anew from the database at start. */
START_TEST(test_server_killed_and_damaged)
{
    char *db = cl_database("killed"), *log;
    iam_httpd_t a, b;
    int round, i, st;

    cl_start_pair(&a, &b, db);
    for (round = 0; round < 4; round++) {
        for (i = 0; i < 15; i++) {
            ck_assert_int_eq(
                cl_api(&a, "POST", "members", xprintf("{\"login\":\"k%d-%d\"}", round, i), NULL),
                201);
            if (i == 5 + round)
                kill(-b.pid, SIGKILL);
        }
        waitpid(b.pid, &st, 0);
        ck_assert_int_eq(iam_httpd_start(&b, "prefork", NULL, xprintf("IAMDatabase \"%s\"\n", db)),
                         0);
        IAM_EVENTUALLY(cl_api(&b, "GET", xprintf("members/k%d-14", round), NULL, NULL) == 200);
        ck_assert_int_eq(cl_api(&b, "GET", xprintf("members/k%d-14", round), NULL, NULL), 200);
    }
    cl_converged(shq(db), a.store, b.store);
    cl_ctl_ok("-d %s verify", b.store);
    /* b's store damaged while it is down: made anew, never served */
    iam_httpd_stop(&b);
    ck_assert_int_eq(iam_test_run(NULL, NULL, "truncate -s 4096 '%s/data.mdb'", b.store), 0);
    ck_assert_int_eq(iam_httpd_start(&b, "prefork", NULL, xprintf("IAMDatabase \"%s\"\n", db)), 0);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "rita"), 200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 403);
    ck_assert_int_eq(cl_api(&b, "GET", "members/k3-14", NULL, NULL), 200);
    log = iam_httpd_log(&b);
    ck_assert_msg(has(log, "made anew from the database"), "%s", log);
    iam_httpd_stop(&a);
    iam_httpd_stop(&b);
}
END_TEST

/* The database stops: decisions go on, writes are refused with 503 and
 * change nothing; it starts again: writes work and b follows, with no
 * server restarted. */
/* A console form posted as olivia, with the token of her page: the
 * status, and the page into *out. */
static long console_post(const iam_httpd_t *h, const char *path, const char *fields, char **out)
{
    char *page = NULL, *token;
    iam_req_t get = {"GET", path, "olivia:olivia-pw", NULL, NULL, {NULL}};
    iam_req_t post = {"POST", path,  "olivia:olivia-pw", "application/x-www-form-urlencoded",
                      NULL,   {NULL}};

    ck_assert_int_eq(iam_http_do(h, &get, &page, NULL), 200);
    token = iam_test_csrf(page);
    ck_assert_msg(token != NULL, "no token on %s", path);
    post.body = xprintf("csrf=%s&%s", token, fields);
    return iam_http_do(h, &post, out, NULL);
}

START_TEST(test_servers_without_database)
{
    char *db = cl_database("gone"), *out = NULL, *before;
    iam_httpd_t a, b;

    cl_start_pair(&a, &b, db);
    before = cl_ctl_ok("-d %s export", b.store);
    iam_pg_stop(&cl_pg);
    ck_assert_int_eq(cl_site(&a, "/sources/web/", "rita"), 200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "rita"), 200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 403);
    ck_assert_int_eq(cl_api(&a, "POST", "members/max/grants",
                            "{\"role\":\"source-read-only\",\"scope\":\"all\"}", &out),
                     503);
    ck_assert_msg(has(out, "database_unavailable") && has(out, "nothing was changed") &&
                      !has(out, cl_pg.dir),
                  "%s", out);
    /* the console says so too, on its page */
    ck_assert_int_eq(
        console_post(&b, "/iam/members/max", "action=grant&role=source-read-only&scope=all", &out),
        503);
    ck_assert_msg(has(out, "database cannot be reached") && has(out, "<html"), "%s", out);
    ck_assert_int_eq(cl_site(&a, "/sources/web/", "max"), 403);
    ck_assert_int_eq(iam_pg_start(&cl_pg, "pg"), 0);
    ck_assert_int_eq(cl_api(&a, "POST", "members/max/grants",
                            "{\"role\":\"source-read-only\",\"scope\":\"all\"}", &out),
                     200);
    IAM_EVENTUALLY(cl_site(&b, "/sources/web/", "max") == 200);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 200);
    ck_assert_str_ne(cl_ctl_ok("-d %s export", b.store), before);
    iam_httpd_stop(&a);
    iam_httpd_stop(&b);
    iam_pg_stop(&cl_pg);
}
END_TEST

/* The database made anew under a running server (another workspace): the
 * server's writes are refused (503), and each refusal lets go of the
 * log's head at once, so that the new workspace's own writers are never
 * held up; the follower says so once; once the new workspace has a
 * snapshot, the follower makes the store anew from it, in place. */
START_TEST(test_refused_write_lets_go)
{
    char *db = cl_database("anew"), *c = cl_store("c"), *out = NULL;
    iam_httpd_t a, b;
    int i;

    cl_start_pair(&a, &b, db);
    ck_assert_int_eq(iam_pg_sql(&cl_pg, strstr(db, "dbname=") + 7,
                                "DROP TABLE iam_log; DROP TABLE iam_workspace", &out),
                     0);
    cl_ctl_ok("-d %s --database %s init", c, shq(db));
    for (i = 0; i < 3; i++) {
        long st = cl_api(&a, "POST", "members", xprintf("{\"login\":\"late%d\"}", i), &out);
        /* the server's state, not the request's fault */
        ck_assert_msg(st == 503 && has(out, "database_unavailable"),
                      "a wrote to another workspace: %ld %s", st, out);
        /* no lock left behind: this write does not wait for lock_timeout */
        ck_assert_int_eq(cl_ctl(&out, "-d %s member add fresh%d", c, i), 0);
    }
    out = cl_ctl_ok("--database %s member list", shq(db));
    ck_assert_msg(has(out, "fresh2") && !has(out, "late"), "%s", out);
    /* said once in the log, not at every poll */
    sleep(6);
    ck_assert_int_le(count_of(iam_httpd_log(&a), "cannot apply the database's log"), 1);
    /* once the new workspace has a snapshot, a's follower makes its store
     * anew from it in place, without a restart */
    cl_ctl_ok("-d %s replica snapshot", c);
    IAM_EVENTUALLY(has(iam_httpd_log(&a), "made anew from the database's snapshot"));
    ck_assert_msg(has(iam_httpd_log(&a), "made anew from the database's snapshot"), "%s",
                  iam_httpd_log(&a));
    out = cl_ctl_ok("-d %s member list", a.store); /* olivia is not of this one: iamctl */
    ck_assert_msg(has(out, "fresh2"), "%s", out);
    cl_ctl_ok("-d %s member add late", a.store);
    out = cl_ctl_ok("--database %s member list", shq(db));
    ck_assert_msg(has(out, "late"), "%s", out);
    iam_httpd_stop(&a);
    iam_httpd_stop(&b);
}
END_TEST

/* A server down while the log moved past what the database keeps (two
 * snapshots since): at start its store is made anew from the latest
 * snapshot, and it decides on what happened meanwhile. */
START_TEST(test_server_behind_snapshots)
{
    char *db = cl_database("behind"), *log;
    iam_httpd_t a, b;

    cl_start_pair(&a, &b, db);
    iam_httpd_stop(&b);
    ck_assert_int_eq(cl_api(&a, "POST", "members/max/grants",
                            "{\"role\":\"source-read-only\",\"scope\":\"all\"}", NULL),
                     200);
    cl_ctl_ok("-d %s replica snapshot", a.store);
    ck_assert_int_eq(cl_api(&a, "POST", "members", "{\"login\":\"pat\"}", NULL), 201);
    cl_ctl_ok("-d %s replica snapshot --keep 0", a.store);
    ck_assert_int_eq(iam_httpd_start(&b, "prefork", NULL, xprintf("IAMDatabase \"%s\"\n", db)), 0);
    log = iam_httpd_log(&b);
    ck_assert_msg(has(log, "keeps its log from entry") && has(log, "made anew"), "%s", log);
    ck_assert_msg(!has(log, "%l"), "a number the log's formatter did not print: %s", log);
    ck_assert_int_eq(cl_site(&b, "/sources/web/", "max"), 200);
    ck_assert_int_eq(cl_api(&b, "GET", "members/pat", NULL, NULL), 200);
    ck_assert_int_eq(cl_api(&b, "POST", "members", "{\"login\":\"sami\"}", NULL), 201);
    cl_converged(shq(db), a.store, b.store);
    iam_httpd_stop(&a);
    iam_httpd_stop(&b);
}
END_TEST

void cluster_add_httpd(Suite *s)
{
    TCase *tc = cl_tcase("httpd", IAM_TIMEOUT_SERVER);
    TCase *gone = cl_tcase("httpd_down", IAM_TIMEOUT_SERVER);

    tcase_add_test(tc, test_two_servers_one_workspace);
    tcase_add_test(tc, test_server_killed_and_damaged);
    tcase_add_test(tc, test_refused_write_lets_go);
    tcase_add_test(tc, test_server_behind_snapshots);
    suite_add_tcase(s, tc);
    tcase_add_test(gone, test_servers_without_database);
    suite_add_tcase(s, gone);
}
