/* mod_iam tests: faults while a real httpd serves load (issue 7). Apache
 * children killed with SIGKILL, graceful restarts, a full store: every
 * answer that arrives is the right one, nothing answers 5xx, and the
 * store's writers are never blocked. */
#include "iam_test.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static iam_httpd_t srv;

static void faults_setup(void)
{
    iam_httpd_prepare(&srv, "faults");
    ck_assert_msg(iam_httpd_start(&srv, "event", NULL, NULL) == 0, "httpd did not start:\n%s",
                  iam_httpd_log(&srv));
}

static void faults_teardown(void)
{
    iam_httpd_stop(&srv);
    iam_httpd_cleanup(&srv);
}

/* ---- load: client processes that check every answer ---- */

/* The demo site's answers (conf/demo/seed): one of each kind. */
static const struct {
    const char *user, *path;
    long want;
} matrix[] = {
    {"sam:sam-pw", "/sources/checkout/", 200},
    {"sam:sam-pw", "/sources/web/", 403},
    {"rita:rita-pw", "/sources/web/", 200},
    {"max:max-pw", "/warehouses/main/", 403},
    {"olivia:olivia-pw", "/owners/", 200},
    {"max:max-pw", "/", 200},
    {"nora:nora-pw", "/", 403},
    {NULL, "/sources/checkout/", 401},
};
#define NMATRIX (int)(sizeof(matrix) / sizeof(matrix[0]))
#define CLIENTS 6

typedef struct {
    long sent, wrong, server_errors, no_answer;
    char first_wrong[160];
} tally_t;

typedef struct {
    pid_t pid[CLIENTS];
    int fd[CLIENTS];
} load_t;

/* Starts CLIENTS processes that send the matrix round and round for
 * `seconds`, each reporting a tally_t on its pipe. */
static void load_start(load_t *l, int seconds)
{
    int i;

    for (i = 0; i < CLIENTS; i++) {
        int p[2];
        ck_assert_int_eq(pipe(p), 0);
        l->pid[i] = fork();
        ck_assert_int_ge(l->pid[i], 0);
        if (l->pid[i] == 0) {
            tally_t t;
            time_t end = time(NULL) + seconds;
            int k = i;
            memset(&t, 0, sizeof(t));
            close(p[0]);
            while (time(NULL) < end) {
                long st =
                    iam_http(&srv, "GET", matrix[k % NMATRIX].path, matrix[k % NMATRIX].user, NULL);
                t.sent++;
                if (st == 0)
                    t.no_answer++;
                else if (st >= 500)
                    t.server_errors++;
                if (st != 0 && st != matrix[k % NMATRIX].want && !t.wrong++)
                    snprintf(t.first_wrong, sizeof(t.first_wrong), "%s %s: %ld, want %ld",
                             matrix[k % NMATRIX].user ? matrix[k % NMATRIX].user : "-",
                             matrix[k % NMATRIX].path, st, matrix[k % NMATRIX].want);
                k++;
            }
            if (write(p[1], &t, sizeof(t)) != (ssize_t)sizeof(t))
                _exit(1);
            _exit(0);
        }
        close(p[1]);
        l->fd[i] = p[0];
    }
}

static tally_t load_wait(load_t *l)
{
    tally_t sum;
    int i;

    memset(&sum, 0, sizeof(sum));
    for (i = 0; i < CLIENTS; i++) {
        tally_t t;
        if (read(l->fd[i], &t, sizeof(t)) == (ssize_t)sizeof(t)) {
            sum.sent += t.sent;
            sum.wrong += t.wrong;
            sum.server_errors += t.server_errors;
            sum.no_answer += t.no_answer;
            if (t.wrong && !sum.first_wrong[0])
                memcpy(sum.first_wrong, t.first_wrong, sizeof(sum.first_wrong));
        }
        close(l->fd[i]);
        waitpid(l->pid[i], NULL, 0);
    }
    return sum;
}

/* The pids of httpd's children (processes whose parent is srv.pid). */
static int children(pid_t *out, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) && n < max) {
        char path[64], stat[512] = "";
        int pid = atoi(e->d_name), ppid = 0;
        FILE *f;
        if (pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        if (!(f = fopen(path, "r"))) /* (proc files have no size to slurp by) */
            continue;
        if (!fgets(stat, sizeof(stat), f))
            stat[0] = 0;
        fclose(f);
        /* pid (comm) state ppid ...: comm may hold spaces, so after the last ')' */
        if (strrchr(stat, ')') && sscanf(strrchr(stat, ')') + 2, "%*c %d", &ppid) == 1 &&
            ppid == srv.pid)
            out[n++] = pid;
    }
    if (d)
        closedir(d);
    return n;
}

/* ---- the tests ---- */

/* Children killed with SIGKILL in the middle of requests: the answers that
 * arrive are all right, the store's reader slots of the dead are cleared,
 * and a write right after is not held up. */
START_TEST(test_children_killed_under_load)
{
    load_t l;
    tally_t t;
    pid_t kids[64];
    int kills = 0, round, n;
    char *out = NULL;
    time_t t0;

    load_start(&l, 4);
    for (round = 0; round < 15; round++) {
        usleep(200 * 1000);
        if ((n = children(kids, 64)) > 0 && kill(kids[round % n], SIGKILL) == 0)
            kills++;
    }
    t = load_wait(&l);
    printf("faults: %d children killed under load; %ld requests, %ld cut off with the child, "
           "%ld wrong, %ld 5xx\n",
           kills, t.sent, t.no_answer, t.wrong, t.server_errors);
    ck_assert_int_ge(kills, 5);
    ck_assert_msg(t.wrong == 0, "%ld wrong answers, first: %s", t.wrong, t.first_wrong);
    ck_assert_int_eq(t.server_errors, 0);
    ck_assert_int_gt(t.sent - t.no_answer, 100);

    /* a write now is not blocked by the dead, and the next request sees it */
    t0 = time(NULL);
    ck_assert_int_eq(iam_ctl(&srv, NULL, "grant --member max warehouse-read-only"), 0);
    ck_assert_int_le(time(NULL) - t0, 2);
    ck_assert_int_eq(iam_http(&srv, "GET", "/warehouses/main/", "max:max-pw", NULL), 200);
    /* the replacement children cleared the dead's reader slots */
    iam_test_run(&out, NULL, "mdb_stat -rr '%s' 2>&1", srv.store);
    ck_assert_msg(strstr(out, " 0 stale readers cleared") != NULL, "%s", out);
    free(out);
}
END_TEST

/* Graceful restarts (apachectl graceful: SIGUSR1) while clients keep
 * asking: every answer is the one the grants call for, and none is 5xx. */
START_TEST(test_graceful_restart_under_load)
{
    load_t l;
    tally_t t;
    int restarts = 0, i;
    char *log;

    load_start(&l, 4);
    for (i = 0; i < 5; i++) {
        usleep(600 * 1000);
        if (kill(srv.pid, SIGUSR1) == 0)
            restarts++;
    }
    t = load_wait(&l);
    printf("faults: %d graceful restarts under load; %ld requests, %ld unanswered, %ld wrong, "
           "%ld 5xx\n",
           restarts, t.sent, t.no_answer, t.wrong, t.server_errors);
    ck_assert_int_eq(restarts, 5);
    ck_assert_msg(t.wrong == 0, "%ld wrong answers, first: %s", t.wrong, t.first_wrong);
    ck_assert_int_eq(t.server_errors, 0);
    ck_assert_int_eq(t.no_answer, 0);
    ck_assert_int_gt(t.sent, 100);
    log = iam_httpd_log(&srv);
    ck_assert_msg(strstr(log, "AH00493") != NULL || strstr(log, "Graceful restart") != NULL,
                  "no graceful restart in the log:\n%s", log);
    free(log);
}
END_TEST

/* A full store while Apache runs: the API says so (507, store_full, what
 * to do), the write that did not fit left nothing, and decisions go on. */
START_TEST(test_full_store_while_serving)
{
    char json[512], login[32], *body = NULL, *out = NULL;
    iam_req_t req = {"POST", "/iam/api/v1/members", "olivia:olivia-pw", "application/json", json,
                     {NULL}};
    long st = 201;
    int n;

    iam_httpd_stop(&srv);
    ck_assert_int_eq(iam_httpd_start(&srv, "event", NULL, "IAMMapSize 1M\n"), 0);
    for (n = 0; n < 20000 && st == 201; n++) {
        snprintf(login, sizeof(login), "filler%05d", n);
        snprintf(json, sizeof(json),
                 "{\"login\": \"%s\", \"name\": \"A display name long enough to fill a "
                 "small map in a few thousand adds, padded out to a hundred and twenty chars.\"}",
                 login);
        free(body);
        st = iam_http_do(&srv, &req, &body, NULL);
    }
    ck_assert_msg(st == 507 && strstr(body, "store_full") && strstr(body, "IAMMapSize"),
                  "after %d adds: %ld %s", n, st, body);
    free(body);
    /* the add that did not fit left nothing behind */
    ck_assert_int_ne(iam_ctl(&srv, &out, "member show %s", login), 0);
    free(out);
    /* reads and decisions keep working */
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/checkout/", "sam:sam-pw", NULL), 200);
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/", "sam:sam-pw", NULL), 403);
    ck_assert_int_eq(iam_http(&srv, "GET", "/iam/api/v1/members", "olivia:olivia-pw", NULL), 200);
    ck_assert_int_eq(iam_ctl(&srv, &out, "verify"), 0);
    free(out);
    printf("faults: the store filled after %d adds through the API: 507 store_full, nothing "
           "half-written, decisions go on\n",
           n - 1);
}
END_TEST

Suite *suite_faults(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("load");

    tcase_add_checked_fixture(tc, faults_setup, faults_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_children_killed_under_load);
    tcase_add_test(tc, test_graceful_restart_under_load);
    tcase_add_test(tc, test_full_store_while_serving);
    suite_add_tcase(s, tc);
    return s;
}
