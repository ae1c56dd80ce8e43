/* mod_iam: the console's lists at size (issue 13; make bench-lists).
 *
 * Builds a store of N members through iam_store_import (timed), then times
 * what the owners' console asks of the store for a page, median of R runs
 * each in a fresh pool:
 *
 *   members by name: the first page, a middle one, the last, a search that
 *     matches one member, one that matches all, the Invited filter;
 *   a group's members: 5, 600 and all N of them (first and middle page,
 *     a search);
 *   who holds a role held directly by 30% of the members and by a group,
 *     each holder then judged against a resource (iam_policy_decide);
 *   for comparison, what the console's users page asks today (login
 *     order: iam_store_member_page_status and iam_store_member_count).
 *
 * "store" is the store call alone; "page" adds the work the console does
 * per row (the roles summary and group names of each member shown, or a
 * decision per holder); rendering the HTML and httpd's own work are not
 * in it (bench/run times the whole console page with curl). Each is given
 * as CPU time of the thread (what the work costs, whatever else runs on
 * the machine) and the page also as wall-clock time (what a user waits,
 * on this machine as loaded as it is).
 *
 *   bench_lists [-n MEMBERS] [-r RUNS] [-d DIR] [-o ONLY] [-q]
 *
 * With -d, a store already built there for the same -n is used as it is;
 * -o: only the measurements whose name holds ONLY (to profile one).
 * -q: one run of each, quietly checked (make test runs it tiny). */
#include "iam_policy.h"
#include "iam_present.h"
#include "iam_store.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RESOURCES 1000
#define PAGE 50

static const char *const given[] = {"Ada",  "Bela",  "Chen",  "Dora", "Emil",  "Farah",
                                    "Gus",  "Hana",  "Ivo",   "Jun",  "Kemal", "Lena",
                                    "Mads", "Nour",  "Oskar", "Pia",  "Quinn", "Rosa",
                                    "Sven", "Tariq", "Uma",   "Vera", "Wim",   "Yusuf"};
static const char *const family[] = {"Abe",    "Berg",   "Costa", "Dahl",   "Eze",   "Fox",
                                     "Gray",   "Holm",   "Ito",   "Jansen", "Kowal", "Lund",
                                     "Moreau", "Nagy",   "Ortiz", "Park",   "Quist", "Ruiz",
                                     "Silva",  "Tanaka", "Usman", "Varga",  "Weiss", "Zhou"};

static iam_grant_t grant(apr_pool_t *p, const char *role, iam_scope_e scope, const char *item)
{
    iam_grant_t g = {role, scope, 0, NULL};

    if (item) {
        g.items = apr_pcalloc(p, 2 * sizeof(char *));
        g.items[0] = item;
        g.nitems = 1;
    }
    return g;
}

static iam_group_t *new_group(apr_pool_t *p, apr_array_header_t *groups, const char *name)
{
    iam_group_t *g = apr_pcalloc(p, sizeof(*g));

    g->name = name;
    g->grants = apr_array_make(p, 2, sizeof(iam_grant_t));
    APR_ARRAY_PUSH(groups, iam_group_t *) = g;
    return g;
}

/* The data set: member i ("user%07d") is named from two lists by a hash of
 * i, so name order is not login order (1 in 50 has no name: the login is
 * shown); 1 in 10 is invited; 3 in 10 hold Source Admin on one resource,
 * the rest Personas User on a label or Tracking Plan Read-only on all.
 * Each is in 3 of N/10 groups (as bench/decide.c) and in "everyone"; 600
 * are in "six-hundred" (which holds Source Admin on all), 5 in "five". */
static double build(iam_store_t *st, apr_pool_t *p, int n)
{
    apr_array_header_t *members = apr_array_make(p, n + 1, sizeof(iam_member_t *));
    apr_array_header_t *groups = apr_array_make(p, n / 10 + 4, sizeof(iam_group_t *));
    int ngroups = n / 10 > 3 ? n / 10 : 3, i, k;
    iam_member_t *owner = apr_pcalloc(p, sizeof(*owner));
    struct timespec t0, t1;
    iam_err_t err;

    for (i = 0; i < ngroups; i++) {
        iam_group_t *g = new_group(p, groups, apr_psprintf(p, "g%07d", i));
        APR_ARRAY_PUSH(g->grants, iam_grant_t) = grant(p, "source-read-only", IAM_SCOPE_RESOURCES,
                                                       apr_psprintf(p, "s%d", i % RESOURCES));
        if (i % 10 == 0)
            APR_ARRAY_PUSH(g->grants, iam_grant_t) =
                grant(p, "warehouse-read-only", IAM_SCOPE_ALL, NULL);
    }
    new_group(p, groups, "everyone");
    APR_ARRAY_PUSH(new_group(p, groups, "six-hundred")->grants, iam_grant_t) =
        grant(p, "source-admin", IAM_SCOPE_ALL, NULL);
    new_group(p, groups, "five");
    owner->login = "owner";
    owner->email = "owner@example.com";
    owner->name = "Owner";
    owner->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
    APR_ARRAY_PUSH(owner->grants, iam_grant_t) = grant(p, "workspace-owner", IAM_SCOPE_ALL, NULL);
    owner->groups = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(members, iam_member_t *) = owner;
    for (i = 0; i < n; i++) {
        iam_member_t *m = apr_pcalloc(p, sizeof(*m));
        unsigned h = (unsigned)i * 2654435761u;
        m->login = apr_psprintf(p, "user%07d", i);
        m->email = apr_psprintf(p, "user%07d@example.com", i);
        m->name = i % 50 == 7 ? ""
                              : apr_psprintf(p, "%s %s %d", given[(h >> 8) % 24],
                                             family[(h >> 16) % 24], i % 97);
        m->status = i % 10 == 9 ? IAM_INVITED : IAM_ACTIVE;
        m->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
        APR_ARRAY_PUSH(m->grants, iam_grant_t) =
            i % 10 < 3 ? grant(p, "source-admin", IAM_SCOPE_RESOURCES,
                               apr_psprintf(p, "s%d", i % RESOURCES))
            : i % 10 < 6
                ? grant(p, "personas-user", IAM_SCOPE_LABELS, apr_psprintf(p, "team:t%d", i % 20))
                : grant(p, "tracking-plan-read-only", IAM_SCOPE_ALL, NULL);
        m->groups = apr_array_make(p, 5, sizeof(const char *));
        for (k = 0; k < 3; k++)
            APR_ARRAY_PUSH(m->groups, const char *) =
                APR_ARRAY_IDX(groups, (i * 7 + k * 13) % ngroups, iam_group_t *)->name;
        APR_ARRAY_PUSH(m->groups, const char *) = "everyone";
        if (i % (n / 600 > 0 ? n / 600 : 1) == 0 && i / (n / 600 > 0 ? n / 600 : 1) < 600)
            APR_ARRAY_PUSH(m->groups, const char *) = "six-hundred";
        if (i % (n / 5) == 3)
            APR_ARRAY_PUSH(m->groups, const char *) = "five";
        APR_ARRAY_PUSH(members, iam_member_t *) = m;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (iam_store_import(st, "bench", IAM_PLAN_BUSINESS, members, groups, &err) != IAM_OK) {
        fprintf(stderr, "bench_lists: import: %s\n", err.msg);
        exit(1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

typedef struct {
    iam_store_t *st;
    iam_roles_t roles;
    int quiet, failed;
} bench_t;

/* What one measured call does: RECORD reads a group's record alone,
 * GROUP_GET with all its members (what the console's group and member
 * pages do today). */
typedef enum { QUERY, GROUP, HOLDERS, TODAY, RECORD, GROUP_GET } kind_e;

typedef struct {
    const char *what;
    kind_e kind;
    const char *group;    /* GROUP */
    iam_member_query_t q; /* QUERY, GROUP; TODAY: search, status */
    const char *role;     /* HOLDERS */
    long want_total;      /* -1: not checked */
} op_t;

static double ms_of(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct {
    double store, page, wall; /* ms: CPU of the store call, CPU and wall of the page */
} times_t;

/* The console's work per member row: what the users page computes. */
static void rows(bench_t *b, apr_pool_t *p, const apr_array_header_t *members)
{
    int i;

    for (i = 0; i < members->nelts; i++) {
        const iam_member_t *m = APR_ARRAY_IDX(members, i, const iam_member_t *);
        (void)iam_roles_summary(p, &b->roles, m);
        (void)iam_names_text(p, m->groups);
    }
}

/* The caller's work for "who can reach s2": a decision per holder. */
static long judge(bench_t *b, const apr_array_header_t *members, const apr_array_header_t *groups)
{
    static const char *labels[] = {"team:t2", NULL};
    iam_resource_t res = {"source", "s2", 1, labels};
    long reach = 0;
    int i;

    for (i = 0; i < members->nelts; i++) {
        const iam_member_t *m = APR_ARRAY_IDX(members, i, const iam_member_t *);
        iam_grant_set_t set = {NULL, (const iam_grant_t *)m->grants->elts, m->grants->nelts};
        reach +=
            iam_policy_decide(&b->roles, IAM_PLAN_BUSINESS, &set, 1, &res, IAM_LEVEL_READ).allow;
    }
    for (i = 0; i < groups->nelts; i++) {
        const iam_group_t *g = APR_ARRAY_IDX(groups, i, const iam_group_t *);
        iam_grant_set_t set = {g->name, (const iam_grant_t *)g->grants->elts, g->grants->nelts};
        reach +=
            iam_policy_decide(&b->roles, IAM_PLAN_BUSINESS, &set, 1, &res, IAM_LEVEL_READ).allow;
    }
    return reach;
}

/* One run: the store call, then the page's own work; 0, or -1 on
 * failure. */
static int run_once(bench_t *b, const op_t *op, apr_pool_t *p, times_t *t, long *total, int *shown)
{
    apr_array_header_t *list, *members, *groups;
    iam_member_page_t pg;
    iam_group_t *g = NULL;
    const char *next;
    iam_err_t err;
    iam_status_e rc = IAM_OK;
    double w0 = ms_of(CLOCK_MONOTONIC), c0 = ms_of(CLOCK_THREAD_CPUTIME_ID);
    long n = 0;

    switch (op->kind) {
    case QUERY: rc = iam_store_member_query(b->st, p, &op->q, &pg, &err); break;
    case GROUP: rc = iam_store_group_member_query(b->st, p, op->group, &op->q, &pg, &err); break;
    case HOLDERS: rc = iam_store_role_holders(b->st, p, op->role, NULL, &members, &groups, &err); break;
    case RECORD: rc = iam_store_group_record(b->st, p, op->group, &g, &err); break;
    case GROUP_GET: rc = iam_store_group_get(b->st, p, op->group, &g, &err); break;
    case TODAY:
        rc = iam_store_member_page_status(b->st, p, op->q.search, op->q.status, NULL, PAGE, &list,
                                          &next, &err);
        if (rc == IAM_OK)
            rc = iam_store_member_count(b->st, p, op->q.search, op->q.status, &n, &err);
        break;
    }
    t->store = ms_of(CLOCK_THREAD_CPUTIME_ID) - c0;
    if (rc != IAM_OK) {
        fprintf(stderr, "bench_lists: %s: %s\n", op->what, err.msg);
        return -1;
    }
    switch (op->kind) {
    case QUERY:
    case GROUP:
        rows(b, p, pg.members);
        *total = pg.total;
        *shown = pg.members->nelts;
        break;
    case HOLDERS:
        *total = members->nelts + groups->nelts;
        *shown = (int)judge(b, members, groups); /* how many reach s2 */
        break;
    case TODAY:
        rows(b, p, list);
        *total = n;
        *shown = list->nelts;
        break;
    case RECORD:
    case GROUP_GET:
        *total = g->members->nelts;
        *shown = g->grants->nelts;
        break;
    }
    t->page = ms_of(CLOCK_THREAD_CPUTIME_ID) - c0;
    t->wall = ms_of(CLOCK_MONOTONIC) - w0;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(bench_t *b, const op_t *op, int runs, apr_pool_t *parent)
{
    double *store = calloc((size_t)runs, sizeof(double)),
           *page = calloc((size_t)runs, sizeof(double));
    double *wall = calloc((size_t)runs, sizeof(double));
    long total = 0;
    int shown = 0, i, rc;

    for (i = 0; i < runs; i++) {
        apr_pool_t *p;
        times_t t;
        apr_pool_create(&p, parent); /* as a request's pool */
        rc = run_once(b, op, p, &t, &total, &shown);
        apr_pool_destroy(p);
        if (rc) {
            b->failed = 1;
            free(store);
            free(page);
            free(wall);
            return;
        }
        store[i] = t.store;
        page[i] = t.page;
        wall[i] = t.wall;
    }
    if (op->want_total >= 0 && total != op->want_total) {
        fprintf(stderr, "bench_lists: %s: %ld match, expected %ld\n", op->what, total,
                op->want_total);
        b->failed = 1;
    }
    qsort(store, (size_t)runs, sizeof(double), cmp_double);
    qsort(page, (size_t)runs, sizeof(double), cmp_double);
    qsort(wall, (size_t)runs, sizeof(double), cmp_double);
    if (!b->quiet)
        printf("  %-33s %7.2f %7.2f %7.2f %7.2f   %6ld %s %d\n", op->what, store[runs / 2],
               page[runs / 2], page[runs * 9 / 10], wall[runs / 2], total,
               op->kind == HOLDERS ? "hold, reach" : "match, shown", shown);
    free(store);
    free(page);
    free(wall);
}

/* The cursor halfway: big pages from the start. */
static const char *middle_cursor(bench_t *b, apr_pool_t *p, const char *group, long total)
{
    iam_member_query_t q = {NULL, -1, NULL, NULL,
                            total / 20 < IAM_QUERY_MAX ? (int)(total / 20) : IAM_QUERY_MAX};
    iam_member_page_t pg;
    iam_err_t err;

    do {
        if ((group ? iam_store_group_member_query(b->st, p, group, &q, &pg, &err)
                   : iam_store_member_query(b->st, p, &q, &pg, &err)) != IAM_OK) {
            fprintf(stderr, "bench_lists: walking to the middle: %s\n", err.msg);
            exit(1);
        }
        q.after = pg.next;
    } while (pg.next && pg.offset + pg.members->nelts < total / 2);
    return q.after;
}

int main(int argc, char **argv)
{
    int n = 100000, runs = 21, opt, i;
    const char *dir = NULL, *only = NULL, *mid, *gmid;
    char tmpl[] = "/tmp/iam-bench-lists-XXXXXX";
    apr_pool_t *pool;
    iam_err_t err;
    iam_workspace_info_t info;
    double import_s = -1;
    long invited = 0, admins = 0;
    bench_t b;

    memset(&b, 0, sizeof(b));
    while ((opt = getopt(argc, argv, "n:r:d:o:q")) != -1) {
        switch (opt) {
        case 'o': only = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 'r': runs = atoi(optarg); break;
        case 'd': dir = optarg; break;
        case 'q': b.quiet = 1, runs = 1; break;
        default:
            fprintf(stderr, "usage: bench_lists [-n MEMBERS] [-r RUNS] [-d DIR] [-o ONLY] [-q]\n");
            return 2;
        }
    }
    if (n < 600 || runs < 1)
        return fprintf(stderr, "bench_lists: -n at least 600, -r at least 1\n"), 2;
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if (!dir && !(dir = mkdtemp(tmpl)))
        return perror("mkdtemp"), 1;
    if (iam_store_open(&b.st, apr_pstrcat(pool, dir, "/store", NULL), (size_t)4 << 30,
                       IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &err) != IAM_OK ||
        iam_store_info(b.st, &info, pool, &err) != IAM_OK)
        return fprintf(stderr, "bench_lists: %s\n", err.msg), 1;
    if (info.members == 0)
        import_s = build(b.st, pool, n);
    else if (info.members != n + 1)
        return fprintf(stderr, "bench_lists: %s holds %d members, not %d: use another -d\n", dir,
                       info.members - 1, n),
               1;
    iam_roles_init(&b.roles);
    mid = middle_cursor(&b, pool, NULL, n + 1);
    gmid = middle_cursor(&b, pool, "everyone", n);
    for (i = 0; i < n; i++) {
        invited += i % 10 == 9;
        admins += i % 10 < 3;
    }
    {
        const op_t ops[] = {
            {"members: first page", QUERY, NULL, {NULL, -1, NULL, NULL, PAGE}, NULL, n + 1},
            {"members: middle page", QUERY, NULL, {NULL, -1, mid, NULL, PAGE}, NULL, n + 1},
            {"members: last page (before=ff)",
             QUERY,
             NULL,
             {NULL, -1, NULL, "ff", PAGE},
             NULL,
             n + 1},
            {"members: search, 1 match",
             QUERY,
             NULL,
             {apr_psprintf(pool, "user%07d", n / 2), -1, NULL, NULL, PAGE},
             NULL,
             1},
            {"members: search, all match",
             QUERY,
             NULL,
             {"example.com", -1, NULL, NULL, PAGE},
             NULL,
             n + 1},
            {"members: Invited, first page",
             QUERY,
             NULL,
             {NULL, IAM_INVITED, NULL, NULL, PAGE},
             NULL,
             invited},
            {"members: Invited, middle page",
             QUERY,
             NULL,
             {NULL, IAM_INVITED, mid, NULL, PAGE},
             NULL,
             invited},
            {"group of 5: page", GROUP, "five", {NULL, -1, NULL, NULL, PAGE}, NULL, 5},
            {"group of 600: first page",
             GROUP,
             "six-hundred",
             {NULL, -1, NULL, NULL, PAGE},
             NULL,
             600},
            {"group of 600: search", GROUP, "six-hundred", {"ada", -1, NULL, NULL, PAGE}, NULL, -1},
            {"group of all: first page", GROUP, "everyone", {NULL, -1, NULL, NULL, PAGE}, NULL, n},
            {"group of all: middle page", GROUP, "everyone", {NULL, -1, gmid, NULL, PAGE}, NULL, n},
            {"group of all: search, 1 match",
             GROUP,
             "everyone",
             {apr_psprintf(pool, "user%07d", n / 3), -1, NULL, NULL, PAGE},
             NULL,
             1},
            {"holders of source-admin, judged", HOLDERS, NULL, {0}, "source-admin", admins + 1},
            {"holders of workspace-owner", HOLDERS, NULL, {0}, "workspace-owner", 1},
            {"group of all: its record", RECORD, "everyone", {0}, NULL, 0},
            {"today: users page (login order)",
             TODAY,
             NULL,
             {NULL, -1, NULL, NULL, PAGE},
             NULL,
             n + 1},
            {"today: users page, a search",
             TODAY,
             NULL,
             {apr_psprintf(pool, "user%07d", n / 2), -1, NULL, NULL, PAGE},
             NULL,
             1},
            {"today: users page, Invited",
             TODAY,
             NULL,
             {NULL, IAM_INVITED, NULL, NULL, PAGE},
             NULL,
             invited},
            {"today: group of all, group_get", GROUP_GET, "everyone", {0}, NULL, n},
            {"today: group of 600, group_get", GROUP_GET, "six-hundred", {0}, NULL, 600},
        };
        if (!b.quiet) {
            printf("members %d (+ owner), %d groups + everyone, six-hundred, five%s\n", n,
                   n / 10 > 3 ? n / 10 : 3, import_s >= 0 ? "" : " (store reused)");
            if (import_s >= 0)
                printf("import (iam_store_import, one transaction): %.2f s\n", import_s);
            printf("ms, median of %d runs (p90: the 90th percentile):\n  %-33s %7s %7s %7s %7s\n",
                   runs, "", "store", "page", "p90", "page");
            printf("  %-33s %7s %7s %7s %7s\n", "", "CPU", "CPU", "CPU", "wall");
        }
        for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++) {
            if (!only || strstr(ops[i].what, only))
                measure(&b, &ops[i], runs, pool);
        }
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return b.failed;
}
