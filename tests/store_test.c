/* mod_iam tests, the "store" suite (store_test.h): the fixture, the
 * helpers more than one of its files calls, and suite_store(), which adds
 * each file's TCases. */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>

#define TEST_MAPSIZE ((size_t)64 << 20)

char *tmp_dir;    /* the fixture's temp directory */
const char *sdir; /* the store inside it */
apr_pool_t *pool; /* owns every store handle of the test */
iam_store_t *st;  /* the store under test */
iam_err_t ierr;   /* detail of the last call */
int damaged;      /* the test wrote the files behind the store's back */

/* ---- fixture ---- */

static void store_setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    tmp_dir = iam_test_tmpdir("store");
    sdir = apr_pstrcat(pool, tmp_dir, "/store", NULL);
    memset(&ierr, 0, sizeof(ierr));
    damaged = 0;
    /* A test store need not fsync its commits (the tests of crash safety
     * kill other processes), nor map 1 GiB: under AddressSanitizer every
     * open and close of a map that size costs a tenth of a second. */
    ck_assert_msg(iam_store_open(&st, sdir, TEST_MAPSIZE, IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool,
                                 &ierr) == IAM_OK,
                  "open %s: %s", sdir, ierr.msg);
}

static void verify_after(void);

/* Whatever a test did through the API, the store it leaves verifies
 * clean: every index and count follows every write. */
static void store_teardown(void)
{
    if (!damaged)
        verify_after();
    apr_pool_destroy(pool); /* closes every store opened on it */
    iam_test_rmtree(tmp_dir);
    free(tmp_dir);
    apr_terminate();
}

/* ---- helpers ---- */

iam_grant_t grant_of(const char *role, iam_scope_e scope, const char **items)
{
    iam_grant_t g = {role, scope, 0, items};

    while (items && items[g.nitems])
        g.nitems++;
    return g;
}

iam_grant_t all_of(const char *role)
{
    return grant_of(role, IAM_SCOPE_ALL, NULL);
}

void add(const char *login, const char *email, int owner)
{
    OK(iam_store_member_add(st, "test", login, email, NULL, IAM_ACTIVE, owner, &ierr));
}

/* IAMLoginCase fold: logins match in any case (the default is exact). */
void fold(void)
{
    iam_store_set_fold_case(st, 1);
}

void add_members(const char *const *logins)
{
    for (; *logins; logins++)
        add(*logins, NULL, 0);
}

iam_member_t *member(const char *login)
{
    iam_member_t *m = NULL;

    OK(iam_store_member_get(st, pool, login, &m, &ierr));
    return m;
}

iam_group_t *group(const char *name)
{
    iam_group_t *g = NULL;

    OK(iam_store_group_get(st, pool, name, &g, &ierr));
    return g;
}

iam_workspace_info_t info(void)
{
    iam_workspace_info_t wi;

    OK(iam_store_info(st, &wi, pool, &ierr));
    return wi;
}

/* The grant of `role` in `grants` (the first one), or NULL. */
const iam_grant_t *grant_in(const apr_array_header_t *grants, const char *role)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        if (!strcmp(g->role, role))
            return g;
    }
    return NULL;
}

/* The items of a grant as one string, "a b c", for comparisons. */
const char *items_text(const iam_grant_t *g)
{
    const char *s = "";
    int i;

    for (i = 0; g && i < g->nitems; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", g->items[i], NULL);
    return s;
}

/* Names (group members, a member's groups) as one string, "a b c". */
const char *joined(const apr_array_header_t *names)
{
    return names->nelts ? apr_array_pstrcat(pool, names, ' ') : "";
}

void set_plan(iam_plan_e plan)
{
    iam_roles_t roles;

    iam_roles_init(&roles);
    OK(iam_store_set_workspace(st, "server", plan, &roles, 0, &ierr));
}

/* A second store in the fixture's directory. */
iam_store_t *open_other(const char *name, size_t mapsize)
{
    iam_store_t *other = NULL;

    OK(iam_store_open(&other, apr_pstrcat(pool, tmp_dir, "/", name, NULL), mapsize,
                      IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
    return other;
}

void reopen(void)
{
    OK(iam_store_open(&st, sdir, 0, IAM_OPEN_NOSYNC, pool, &ierr));
}

/* ---- LMDB directly: what damage looks like ---- */

void raw_put(const char *dir, const void *key, size_t klen, const void *val, size_t vlen)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};

    damaged = 1;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

void raw_del(const char *dir, const void *key, size_t klen)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {klen, (void *)key};

    damaged = 1;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    ck_assert_int_eq(mdb_del(txn, dbi, &k, NULL), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A copy of the value of `key` (in the pool), or NULL. */
MDB_val raw_get(const char *dir, const void *key, size_t klen)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k = {klen, (void *)key}, v = {0, NULL};

    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_RDONLY, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    if (mdb_get(txn, dbi, &k, &v) == 0)
        v.mv_data = apr_pmemdup(pool, v.mv_data, v.mv_size);
    else
        v.mv_data = NULL;
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return v;
}

/* Key of a record: a type byte and the lower-cased name. */
const char *rec_key(char type, const char *name, size_t *len)
{
    *len = 1 + strlen(name);
    return apr_psprintf(pool, "%c%s", type, name);
}

void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* ---- whole records, the audit trail, a dump ---- */

apr_array_header_t *names_of(const char *const *names)
{
    apr_array_header_t *a = apr_array_make(pool, 4, sizeof(const char *));

    for (; names && *names; names++)
        APR_ARRAY_PUSH(a, const char *) = *names;
    return a;
}

apr_array_header_t *grants_of(const iam_grant_t *g, int n)
{
    apr_array_header_t *a = apr_array_make(pool, n ? n : 1, sizeof(iam_grant_t));
    int i;

    for (i = 0; i < n; i++)
        *(iam_grant_t *)apr_array_push(a) = g[i];
    return a;
}

/* The actions of the newest `n` audit entries, newest first: "a b c". */
const char *audit_actions(int n)
{
    apr_array_header_t *list, *names = apr_array_make(pool, 8, sizeof(const char *));
    int i;

    OK(iam_store_audit_list(st, pool, 0, n, &list, &ierr));
    for (i = 0; i < list->nelts; i++)
        APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(list, i, iam_audit_t *)->action;
    return joined(names);
}

dump_t dump_of(iam_store_t *s)
{
    dump_t d;

    OK(iam_store_dump(s, pool, &d.plan, &d.members, &d.groups, &ierr));
    return d;
}

/* ---- verify ---- */

iam_verify_t verify(void)
{
    iam_verify_t v;

    OK(iam_store_verify(st, pool, &v, &ierr));
    return v;
}

/* The store as a fresh handle finds it, read only. */
static void verify_after(void)
{
    iam_store_t *fresh;
    iam_verify_t v;
    int i;
    char *all = "";

    if (iam_store_open(&fresh, sdir, TEST_MAPSIZE, IAM_OPEN_RDONLY, pool, &ierr) != IAM_OK)
        return; /* a test of a store that cannot open */
    OK(iam_store_verify(fresh, pool, &v, &ierr));
    for (i = 0; i < v.problems->nelts; i++)
        all = apr_pstrcat(pool, all, APR_ARRAY_IDX(v.problems, i, const char *), "\n", NULL);
    ck_assert_msg(v.nproblems == 0, "the test left the store damaged:\n%s", all);
    /* and its log, applied to an empty store, makes the same store */
    all = iam_test_replay_differs(fresh, apr_pstrcat(pool, tmp_dir, "/replayed", NULL), pool);
    ck_assert_msg(!all, "the store's log does not replay to it: %s", all);
}

/* The problems verify found, one per line. */
const char *problems(const iam_verify_t *v)
{
    const char *out = "";
    int i;

    for (i = 0; i < v->problems->nelts; i++)
        out = apr_pstrcat(pool, out, APR_ARRAY_IDX(v->problems, i, const char *), "\n", NULL);
    return out;
}

/* ---- the suite ---- */

TCase *store_tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    return tc;
}

/* Each file's TCases, in the order they have always run. */
Suite *suite_store(void)
{
    Suite *s = suite_create("store");

    store_cases_members(s); /* open, members */
    store_cases_grants(s);  /* grants, plans, owners, groups */
    store_cases_records(s); /* dump, records (with test_store_requests.c) */
    store_cases_damage(s);  /* damage, decision-copy */
    store_cases_lists(s);   /* indexes */
    store_cases_map(s);     /* map-full */
    store_cases_labels(s);  /* labels */
    store_cases_scim(s);    /* ids, SCIM's writes */
    return s;
}
