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
#include <sys/mman.h>
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

static long api_post(const char *path, const char *json);

/* Children killed with SIGKILL in the middle of requests and of the API's
 * writes: the answers that arrive are all right, every write the API
 * acknowledged is there and the store has no damage, the store's reader
 * slots of the dead are cleared, and a write right after is not held up. */
START_TEST(test_children_killed_under_load)
{
    load_t l;
    tally_t t;
    pid_t kids[64], writer;
    int kills = 0, round, n, nacked = 0, i;
    /* the writer's adds: 0 not sent, 1 sent, 2 acknowledged (201) */
    volatile int *acked =
        mmap(NULL, sizeof(int) * 4000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *out = NULL;
    time_t t0;

    ck_assert_ptr_ne((void *)acked, MAP_FAILED);
    load_start(&l, 4);
    writer = fork(); /* member adds through the API, in flight while children die */
    ck_assert_int_ge(writer, 0);
    if (writer == 0) {
        time_t end = time(NULL) + 3;
        char json[128];
        for (i = 0; i < 4000 && time(NULL) < end; i++) {
            snprintf(json, sizeof(json), "{\"login\": \"k%04d\", \"status\": \"active\"}", i);
            acked[i] = 1;
            acked[i] = api_post("/iam/api/v1/members", json) == 201 ? 2 : 1;
        }
        _exit(0);
    }
    for (round = 0; round < 15; round++) {
        usleep(200 * 1000);
        if ((n = children(kids, 64)) > 0 && kill(kids[round % n], SIGKILL) == 0)
            kills++;
    }
    waitpid(writer, NULL, 0);
    t = load_wait(&l);
    for (i = 0; i < 4000 && acked[i]; i++) {
        nacked += acked[i] == 2;
        if (acked[i] == 2) {
            ck_assert_msg(iam_ctl(&srv, &out, "member show k%04d", i) == 0,
                          "k%04d was acknowledged, but is not there: %s", i, out);
            free(out);
            out = NULL;
        }
    }
    ck_assert_int_gt(nacked, 10);
    ck_assert_msg(iam_ctl(&srv, &out, "verify") == 0, "%s", out);
    free(out);
    out = NULL;
    printf("faults: %d API adds during the kills, %d acknowledged and there, %d cut off; no "
           "damage\n",
           i, nacked, i - nacked);
    munmap((void *)acked, sizeof(int) * 4000);
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
    /* the dead's reader slots were cleared by the next process to open the
     * store (a new child, or iamctl as here): none is left */
    iam_test_run(&out, NULL, "mdb_stat -rr '%s' 2>&1", srv.store);
    ck_assert_msg(strstr(out, " 0 stale readers cleared") != NULL, "%s", out);
    free(out);
    out = NULL;
}
END_TEST

/* Graceful restarts (apachectl graceful: SIGUSR1) while clients keep
 * asking: every answer is the one the grants call for, and none is 5xx. */
START_TEST(test_graceful_restart_under_load)
{
    load_t l;
    tally_t t;
    int restarts = 0, i;
    char *log, *p;

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
    ck_assert_msg(t.wrong == 0, "%ld wrong answers, first: %s", t.wrong, t.first_wrong);
    ck_assert_int_eq(t.server_errors, 0);
    ck_assert_int_eq(t.no_answer, 0);
    ck_assert_int_gt(t.sent, 100);
    /* each signal was a restart Apache made (its log says so), not just a
     * signal sent */
    log = iam_httpd_log(&srv);
    for (i = 0, p = log; (p = strstr(p, "SIGUSR1 received")) != NULL; p++)
        i++;
    ck_assert_msg(i == restarts && restarts == 5, "%d signals, %d restarts logged:\n%s", restarts,
                  i, log);
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
    /* the console's form says so too */
    {
        char *page = NULL, *tok, form[512];
        iam_req_t get = {"GET", "/iam/members/new", "olivia:olivia-pw", NULL, NULL, {NULL}};
        iam_req_t post = {
            "POST", "/iam/members", "olivia:olivia-pw", "application/x-www-form-urlencoded",
            form,   {NULL}};
        ck_assert_int_eq(iam_http_do(&srv, &get, &page, NULL), 200);
        ck_assert_ptr_nonnull(tok = iam_test_csrf(page));
        /* as big as the add that did not fit (a smaller one might) */
        snprintf(form, sizeof(form),
                 "csrf=%s&email=late%%40example.com&name=A+display+name+long+enough+to+fill+a+"
                 "small+map+in+a+few+thousand+adds%%2C+padded+out+to+a+hundred+and+twenty+chars.",
                 tok);
        free(page);
        st = iam_http_do(&srv, &post, &page, NULL);
        ck_assert_msg(st == 507 && strstr(page, "IAMMapSize"), "console: %ld %s", st, page);
        free(page);
        free(tok);
    }
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

/* ---- soak: decisions while owners write ---- */

#define SOAK_SECONDS 8 /* IAM_SOAK_SECONDS=N for a longer run */
#define SOAK_READERS 4
#define SOAK_MAX_READS 2000000
#define SOAK_MAX_WRITES 100000

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts); /* one clock for every process */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    double sent, answered;
    int granted; /* writes: the grant holds after it; reads: the status */
} event_t;

typedef struct {
    event_t writes[SOAK_MAX_WRITES];
    int nwrites;
    event_t reads[SOAK_READERS][SOAK_MAX_READS / SOAK_READERS];
    int nreads[SOAK_READERS];
    long other_wrong; /* answers of the rest of the matrix that were off */
} soak_t;

/* Whether `status`, answered between r->sent and r->answered, fits the
 * grants in force at some moment then: before a write is answered its
 * change may or may not have been seen. */
static int fits(const soak_t *sk, const event_t *r)
{
    int before = 0, i, can_allow, can_deny;

    for (i = 0; i < sk->nwrites && sk->writes[i].answered <= r->sent; i++)
        before = sk->writes[i].granted;
    can_allow = before, can_deny = !before;
    for (; i < sk->nwrites && sk->writes[i].sent < r->answered; i++) {
        can_allow |= sk->writes[i].granted;
        can_deny |= !sk->writes[i].granted;
    }
    return r->granted == 200 ? can_allow : r->granted == 403 ? can_deny : 0;
}

/* Sum of the anonymous memory of the given children (kB), -1 if one left. */
static long anon_kb(const pid_t *pids, int n)
{
    long sum = 0;
    int i;

    for (i = 0; i < n; i++) {
        char path[64], line[256];
        long kb = -1;
        FILE *f;
        snprintf(path, sizeof(path), "/proc/%d/status", pids[i]);
        if (!(f = fopen(path, "r")))
            return -1;
        while (fgets(line, sizeof(line), f))
            if (sscanf(line, "RssAnon: %ld", &kb) == 1)
                break;
        fclose(f);
        sum += kb;
    }
    return sum;
}

static long api_post(const char *path, const char *json)
{
    iam_req_t req = {"POST", path, "olivia:olivia-pw", "application/json", json, {NULL}};
    return iam_http_do(&srv, &req, NULL, NULL);
}

/* Owners change max's access to the warehouse over and over, directly and
 * through a group, while readers ask for it (and for the rest of the demo
 * matrix): each answer fits the grants in force while it was made; the
 * children's memory does not grow; afterwards the site and iamctl check
 * agree on a sample of decisions. */
START_TEST(test_soak_decisions_while_writing)
{
    soak_t *sk =
        mmap(NULL, sizeof(soak_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    static const char *const steps[][2] = {
        {"/iam/api/v1/members/max/grants", "{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}"},
        {"/iam/api/v1/members/max/grants/revoke", "{\"role\":\"warehouse-read-only\"}"},
        {"/iam/api/v1/groups/wh/members", "{\"logins\":[\"max\"]}"},
        {"/iam/api/v1/groups/wh/members/remove", "{\"logins\":[\"max\"]}"},
    };
    pid_t kids[64], readers[SOAK_READERS];
    long anon_before, anon_after, reads = 0, unfit = 0;
    int nkids, i, j, w = 0,
                     seconds = getenv("IAM_SOAK_SECONDS") ? atoi(getenv("IAM_SOAK_SECONDS")) : 0;
    double end;
    char *out = NULL;

    ck_assert_ptr_ne(sk, MAP_FAILED);
    memset(sk, 0, sizeof(*sk));
    ck_assert_int_eq(api_post("/iam/api/v1/groups",
                              "{\"name\":\"wh\",\"grants\":[{\"role\":\"warehouse-read-only\","
                              "\"scope\":\"all\"}]}"),
                     201);
    for (i = 0; i < 200; i++) /* warm every child up */
        iam_http(&srv, "GET", "/warehouses/main/", "max:max-pw", NULL);
    nkids = children(kids, 64);
    anon_before = anon_kb(kids, nkids);
    seconds = seconds > 0 ? seconds : SOAK_SECONDS;
    end = now_s() + seconds;
    for (i = 0; i < SOAK_READERS; i++) {
        readers[i] = fork();
        ck_assert_int_ge(readers[i], 0);
        if (readers[i] == 0) {
            int k = 0;
            while (now_s() < end && sk->nreads[i] < SOAK_MAX_READS / SOAK_READERS) {
                event_t *e = &sk->reads[i][sk->nreads[i]];
                long st;
                if (k++ % 4 == 3) { /* the rest of the matrix, unaffected by the writes */
                    int m = k % (NMATRIX - 1) + (k % (NMATRIX - 1) >= 3); /* never max's 403 */
                    if (iam_http(&srv, "GET", matrix[m].path, matrix[m].user, NULL) !=
                        matrix[m].want)
                        __sync_fetch_and_add(&sk->other_wrong, 1);
                    continue;
                }
                e->sent = now_s();
                st = iam_http(&srv, "GET", "/warehouses/main/", "max:max-pw", NULL);
                e->answered = now_s();
                e->granted = (int)st;
                sk->nreads[i]++;
            }
            _exit(0);
        }
    }
    /* the owner's writes, as fast as the API answers */
    while (now_s() < end && w < SOAK_MAX_WRITES) {
        event_t *e = &sk->writes[w];
        e->sent = now_s();
        ck_assert_int_eq(api_post(steps[w % 4][0], steps[w % 4][1]) / 100, 2);
        e->answered = now_s();
        e->granted = w % 2 == 0; /* grant, revoke, join, leave */
        sk->nwrites = ++w;
    }
    for (i = 0; i < SOAK_READERS; i++)
        waitpid(readers[i], NULL, 0);
    anon_after = anon_kb(kids, nkids);

    for (i = 0; i < SOAK_READERS; i++) {
        for (j = 0; j < sk->nreads[i]; j++, reads++) {
            if (!fits(sk, &sk->reads[i][j]) && !unfit++)
                fprintf(stderr, "soak: status %d at %.6f-%.6f fits no state\n",
                        sk->reads[i][j].granted, sk->reads[i][j].sent, sk->reads[i][j].answered);
        }
    }
    printf("soak: %d s, %d writes through the API, %ld decisions checked against the grants in "
           "force, %ld unfit, %ld other answers wrong; children's anonymous memory %ld -> %ld "
           "kB\n",
           seconds, w, reads, unfit, sk->other_wrong, anon_before, anon_after);
    ck_assert_int_gt(w, 50);
    ck_assert_int_gt(reads, 500);
    ck_assert_int_eq(unfit, 0);
    ck_assert_int_eq(sk->other_wrong, 0);
    /* the same children, no growth beyond a little allocator slack */
    ck_assert_msg(anon_before > 0 && anon_after > 0, "a child went away during the soak");
    ck_assert_int_le(anon_after - anon_before, 4096);

    /* the site and iamctl check agree (w writes left max's grant as the
     * last step did) */
    for (i = 0; i < NMATRIX; i++) {
        static const char *const resource[] = {"source checkout read",
                                               "source web read --label "
                                               "env:prod --label team:growth",
                                               "", "warehouse main read"};
        const char *user = matrix[i].user;
        int r = strstr(matrix[i].path, "checkout")    ? 0
                : strstr(matrix[i].path, "web")       ? 1
                : strstr(matrix[i].path, "warehouse") ? 3
                                                      : -1;
        char login[32];
        long st;
        if (!user || r < 0)
            continue;
        snprintf(login, sizeof(login), "%.*s", (int)(strchr(user, ':') - user), user);
        st = iam_http(&srv, "GET", matrix[i].path, user, NULL);
        ck_assert_msg((st == 200) == (iam_ctl(&srv, &out, "check %s %s", login, resource[r]) == 0),
                      "%s on %s: site %ld, iamctl: %s", login, matrix[i].path, st, out);
        free(out);
        out = NULL;
    }
    munmap(sk, sizeof(*sk));
}
END_TEST

Suite *suite_faults(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("load");

    tcase_add_checked_fixture(tc, faults_setup, faults_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_children_killed_under_load);
    tcase_add_test(tc, test_graceful_restart_under_load);
    tcase_add_test(tc, test_full_store_while_serving);
    suite_add_tcase(s, tc);

    tc = tcase_create("soak");
    tcase_add_checked_fixture(tc, faults_setup, faults_teardown);
    tcase_set_timeout(tc,
                      getenv("IAM_SOAK_SECONDS") ? atoi(getenv("IAM_SOAK_SECONDS")) + 120 : 120);
    tcase_add_test(tc, test_soak_decisions_while_writing);
    suite_add_tcase(s, tc);
    return s;
}
