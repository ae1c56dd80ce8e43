/* mod_iam: the per-decision microbenchmark (make bench-decide).
 *
 * Builds a store of N members in N/10 groups (each member in 3), with
 * direct, group, label and all-scope grants in the mix, and L resources
 * the workspace labelled (the 1,000 decided on among them: their team
 * label is the workspace's, httpd.conf's is env:*), then times what
 * Apache does per request: one read transaction for the member and their
 * groups (iam_store_subject), the resource's workspace labels when the
 * member holds a grant on labels of its type (iam_resource_labelled, as
 * authz.c), and the policy (iam_policy_decide).
 *
 *   bench_decide [-n MEMBERS] [-L LABELLED] [-i DECISIONS] [-d DIR] [-q]
 *
 * With -d, a store already built there for the same -n is used as it is
 * (so callgrind need not watch the import).
 * Prints ns per decision (median of batches). Under
 * `valgrind --tool=callgrind --toggle-collect=decide_batch` the collected
 * instructions divided by the decisions made are instructions per decision
 * (make bench-decide does that). -q: one batch, for callgrind and tests. */
#include "iam_access.h"
#include "iam_policy.h"
#include "iam_store.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000
#define RESOURCES 1000

static const char *label_of(apr_pool_t *p, int i)
{
    return apr_psprintf(p, "team:t%d", i % 20);
}

static iam_grant_t *grant(apr_pool_t *p, const char *role, iam_scope_e scope, const char *item)
{
    iam_grant_t *g = apr_pcalloc(p, sizeof(*g));

    g->role = role;
    g->scope = scope;
    if (item) {
        g->items = apr_pcalloc(p, 2 * sizeof(char *));
        g->items[0] = item;
        g->nitems = 1;
    }
    return g;
}

/* Members and groups for iam_store_import: member i holds one direct
 * grant (resources, labels or all, in turn) and is in 3 groups; group j
 * holds a resource grant and, one in ten, an all-scope one. */
static void build(iam_store_t *st, apr_pool_t *p, int n, int labelled)
{
    apr_array_header_t *resources =
        apr_array_make(p, labelled + 1, sizeof(iam_resource_labels_t *));
    apr_array_header_t *members = apr_array_make(p, n + 1, sizeof(iam_member_t *));
    apr_array_header_t *groups = apr_array_make(p, n / 10 + 1, sizeof(iam_group_t *));
    int ngroups = n / 10 > 3 ? n / 10 : 3, i, k;
    iam_err_t err;
    iam_member_t *owner = apr_pcalloc(p, sizeof(*owner));

    for (i = 0; i < ngroups; i++) {
        iam_group_t *g = apr_pcalloc(p, sizeof(*g));
        g->name = apr_psprintf(p, "g%07d", i);
        g->grants = apr_array_make(p, 2, sizeof(iam_grant_t));
        *(iam_grant_t *)apr_array_push(g->grants) = *grant(
            p, "source-read-only", IAM_SCOPE_RESOURCES, apr_psprintf(p, "s%d", i % RESOURCES));
        if (i % 10 == 0)
            *(iam_grant_t *)apr_array_push(g->grants) =
                *grant(p, "warehouse-read-only", IAM_SCOPE_ALL, NULL);
        APR_ARRAY_PUSH(groups, iam_group_t *) = g;
    }
    owner->login = "owner";
    owner->email = "owner@example.com";
    owner->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
    *(iam_grant_t *)apr_array_push(owner->grants) =
        *grant(p, "workspace-owner", IAM_SCOPE_ALL, NULL);
    owner->groups = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(members, iam_member_t *) = owner;
    for (i = 0; i < n; i++) {
        iam_member_t *m = apr_pcalloc(p, sizeof(*m));
        m->login = apr_psprintf(p, "user%07d", i);
        m->email = apr_psprintf(p, "user%07d@example.com", i);
        m->name = apr_psprintf(p, "User %d", i);
        m->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
        *(iam_grant_t *)apr_array_push(m->grants) =
            i % 3 == 0   ? *grant(p, "source-admin", IAM_SCOPE_RESOURCES,
                                  apr_psprintf(p, "s%d", i % RESOURCES))
            : i % 3 == 1 ? *grant(p, "personas-user", IAM_SCOPE_LABELS, label_of(p, i))
                         : *grant(p, "tracking-plan-read-only", IAM_SCOPE_ALL, NULL);
        m->groups = apr_array_make(p, 3, sizeof(const char *));
        for (k = 0; k < 3; k++)
            APR_ARRAY_PUSH(m->groups, const char *) =
                APR_ARRAY_IDX(groups, (i * 7 + k * 13) % ngroups, iam_group_t *)->name;
        APR_ARRAY_PUSH(members, iam_member_t *) = m;
    }
    for (i = 0; i < labelled; i++) {
        iam_resource_labels_t *r = apr_pcalloc(p, sizeof(*r));
        r->type = i % 2 ? "source" : "space";
        r->name = apr_psprintf(p, "s%d", i);
        r->labels = apr_pcalloc(p, 2 * sizeof(char *));
        r->labels[r->nlabels++] = label_of(p, i);
        APR_ARRAY_PUSH(resources, iam_resource_labels_t *) = r;
    }
    if (iam_store_import_all(st, "bench", IAM_PLAN_BUSINESS, members, groups, NULL, resources,
                             &err) != IAM_OK) {
        fprintf(stderr, "bench_decide: import: %s\n", err.msg);
        exit(1);
    }
}

typedef struct {
    iam_store_t *st;
    iam_roles_t roles;
    apr_pool_t *scratch;
    const char **logins;
    iam_resource_t *res;
    int n, allowed, denied;
} bench_t;

/* One batch of decisions: the function callgrind collects. */
__attribute__((noinline)) void decide_batch(bench_t *b, int first)
{
    int i;

    for (i = 0; i < BATCH; i++) {
        unsigned long k =
            (unsigned long)(first + i) * 7919u; /* spreads the picks; never negative */
        iam_subject_t subj;
        iam_decision_t d;
        iam_err_t err;
        const iam_resource_t *res = &b->res[k % RESOURCES];

        if (iam_store_subject(b->st, b->scratch, b->logins[k % b->n], &b->roles, &subj, &err) !=
                IAM_OK ||
            (res->name && iam_policy_uses_labels(&b->roles, subj.sets, subj.nsets, res->type) &&
             iam_resource_labelled(b->st, b->scratch, res, &res, NULL, &err) != IAM_OK)) {
            fprintf(stderr, "bench_decide: %s\n", err.msg);
            exit(1);
        }
        d = iam_policy_decide(&b->roles, IAM_PLAN_BUSINESS, subj.sets, subj.nsets, res,
                              k % 4 ? IAM_LEVEL_READ : IAM_LEVEL_EDIT);
        if (d.allow)
            b->allowed++;
        else
            b->denied++;
        apr_pool_clear(b->scratch); /* as the request pool goes */
    }
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = 100000, labelled = 100000, decisions = 200000, quick = 0, opt, i, batches;
    const char *dir = NULL;
    char tmpl[] = "/tmp/iam-bench-XXXXXX";
    apr_pool_t *pool;
    iam_err_t err;
    bench_t b;
    double *per;

    while ((opt = getopt(argc, argv, "n:L:i:d:q")) != -1) {
        switch (opt) {
        case 'n': n = atoi(optarg); break;
        case 'L': labelled = atoi(optarg); break;
        case 'i': decisions = atoi(optarg); break;
        case 'd': dir = optarg; break;
        case 'q': quick = 1; break;
        default:
            fprintf(
                stderr,
                "usage: bench_decide [-n MEMBERS] [-L LABELLED] [-i DECISIONS] [-d DIR] [-q]\n");
            return 2;
        }
    }
    if (n < 10 || decisions < BATCH || labelled < RESOURCES || labelled > 1000000)
        return fprintf(stderr, "bench_decide: -n at least 10, -L %d to 1000000, -i at least %d\n",
                       RESOURCES, BATCH),
               2;
    apr_initialize();
    apr_pool_create(&pool, NULL);
    memset(&b, 0, sizeof(b));
    if (!dir && !(dir = mkdtemp(tmpl)))
        return perror("mkdtemp"), 1;
    if (iam_store_open(&b.st, apr_pstrcat(pool, dir, "/store", NULL), (size_t)4 << 30,
                       IAM_OPEN_CREATE, pool, &err) != IAM_OK)
        return fprintf(stderr, "bench_decide: %s\n", err.msg), 1;
    {
        iam_workspace_info_t info;
        if (iam_store_info(b.st, &info, pool, &err) != IAM_OK)
            return fprintf(stderr, "bench_decide: %s\n", err.msg), 1;
        if (info.members == 0)
            build(b.st, pool, n, labelled);
        else if (info.members != n + 1)
            return fprintf(stderr, "bench_decide: %s holds %d members, not %d: use another -d\n",
                           dir, info.members - 1, n),
                   1;
    }
    iam_roles_init(&b.roles);
    apr_pool_create(&b.scratch, pool);
    b.n = n;
    b.logins = apr_pcalloc(pool, sizeof(char *) * (size_t)n);
    for (i = 0; i < n; i++)
        b.logins[i] = apr_psprintf(pool, "user%07d", i);
    b.res = apr_pcalloc(pool, sizeof(iam_resource_t) * RESOURCES);
    for (i = 0; i < RESOURCES; i++) {
        b.res[i].type = i % 2 ? "source" : "space";
        b.res[i].name = apr_psprintf(pool, "s%d", i);
        b.res[i].nlabels = 1; /* httpd.conf's; the team label is the workspace's */
        b.res[i].labels = apr_pcalloc(pool, 2 * sizeof(char *));
        b.res[i].labels[0] = i % 3 ? "env:prod" : "env:dev";
    }
    batches = quick ? 1 : decisions / BATCH;
    per = apr_pcalloc(pool, sizeof(double) * (size_t)batches);
    decide_batch(&b, 0); /* warm the map and the caches */
    for (i = 0; i < batches; i++) {
        double t0 = now_ns();
        decide_batch(&b, (i + 1) * BATCH);
        per[i] = (now_ns() - t0) / BATCH;
    }
    qsort(per, (size_t)batches, sizeof(double), cmp_double);
    printf("members %d  decisions %d  median %.0f ns  p90 %.0f ns  (allowed %d, denied %d)\n", n,
           batches * BATCH, per[batches / 2], per[batches * 9 / 10], b.allowed, b.denied);
    iam_store_close(b.st);
    if (dir == tmpl) {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_decide: could not remove %s\n", tmpl);
    }
    return 0;
}
