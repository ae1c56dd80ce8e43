/* mod_iam tests: the LMDB store (iam_store.h), driven through its API on a
 * fresh store per test; damage is done with <lmdb.h> directly, the way a
 * crash, a stray tool or an old release would leave the files. */
#include "iam_access.h"
#include "iam_store.h"
#include "iam_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_MAPSIZE ((size_t)64 << 20)

static char *tmp_dir;    /* the fixture's temp directory */
static const char *sdir; /* the store inside it */
static apr_pool_t *pool; /* owns every store handle of the test */
static iam_store_t *st;  /* the store under test */
static iam_err_t ierr;   /* detail of the last call */
static int damaged;      /* the test wrote the files behind the store's back */

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

/* Runs a store call and checks its status; ierr is cleared first so the
 * failure message shows this call's detail. */
#define EXPECT(want, call)                                                                         \
    do {                                                                                           \
        iam_status_e got_;                                                                         \
        memset(&ierr, 0, sizeof(ierr));                                                            \
        got_ = (call);                                                                             \
        ck_assert_msg(got_ == (want), "%s -> %s (%s), want %s", #call, iam_status_str(got_),       \
                      ierr.msg, iam_status_str(want));                                             \
    } while (0)

#define OK(call) EXPECT(IAM_OK, call)

/* A NULL-terminated list of resource names or labels. */
#define ITEMS(...) ((const char *[]){__VA_ARGS__, NULL})

static iam_grant_t grant_of(const char *role, iam_scope_e scope, const char **items)
{
    iam_grant_t g = {role, scope, 0, items};

    while (items && items[g.nitems])
        g.nitems++;
    return g;
}

static iam_grant_t all_of(const char *role)
{
    return grant_of(role, IAM_SCOPE_ALL, NULL);
}

static void add(const char *login, const char *email, int owner)
{
    OK(iam_store_member_add(st, "test", login, email, NULL, IAM_ACTIVE, owner, &ierr));
}

/* IAMLoginCase fold: logins match in any case (the default is exact). */
static void fold(void)
{
    iam_store_set_fold_case(st, 1);
}

static void add_members(const char *const *logins)
{
    for (; *logins; logins++)
        add(*logins, NULL, 0);
}

static iam_member_t *member(const char *login)
{
    iam_member_t *m = NULL;

    OK(iam_store_member_get(st, pool, login, &m, &ierr));
    return m;
}

static iam_group_t *group(const char *name)
{
    iam_group_t *g = NULL;

    OK(iam_store_group_get(st, pool, name, &g, &ierr));
    return g;
}

static iam_workspace_info_t info(void)
{
    iam_workspace_info_t wi;

    OK(iam_store_info(st, &wi, pool, &ierr));
    return wi;
}

/* The grant of `role` in `grants` (the first one), or NULL. */
static const iam_grant_t *grant_in(const apr_array_header_t *grants, const char *role)
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
static const char *items_text(const iam_grant_t *g)
{
    const char *s = "";
    int i;

    for (i = 0; g && i < g->nitems; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", g->items[i], NULL);
    return s;
}

/* Names (group members, a member's groups) as one string, "a b c". */
static const char *joined(const apr_array_header_t *names)
{
    return names->nelts ? apr_array_pstrcat(pool, names, ' ') : "";
}

/* The logins iam_store_member_list gives, as one string "a b c". */
static const char *listed(const char *search, int offset, int limit)
{
    apr_array_header_t *list;
    const char *s = "";
    int i;

    OK(iam_store_member_list(st, pool, search, offset, limit, &list, &ierr));
    for (i = 0; i < list->nelts; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", APR_ARRAY_IDX(list, i, iam_member_t *)->login, NULL);
    return s;
}

static int same_grants(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        const iam_grant_t *x = &APR_ARRAY_IDX(a, i, iam_grant_t);
        const iam_grant_t *y = &APR_ARRAY_IDX(b, i, iam_grant_t);
        if (strcmp(x->role, y->role) || x->scope != y->scope ||
            strcmp(items_text(x), items_text(y)))
            return 0;
    }
    return 1;
}

static int same_names(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), APR_ARRAY_IDX(b, i, const char *)))
            return 0;
    }
    return 1;
}

static void set_plan(iam_plan_e plan)
{
    iam_roles_t roles;

    iam_roles_init(&roles);
    OK(iam_store_set_workspace(st, "server", plan, &roles, 0, &ierr));
}

/* A second store in the fixture's directory. */
static iam_store_t *open_other(const char *name, size_t mapsize)
{
    iam_store_t *other = NULL;

    OK(iam_store_open(&other, apr_pstrcat(pool, tmp_dir, "/", name, NULL), mapsize, IAM_OPEN_CREATE | IAM_OPEN_NOSYNC,
                      pool, &ierr));
    return other;
}

static void reopen(void)
{
    OK(iam_store_open(&st, sdir, 0, IAM_OPEN_NOSYNC, pool, &ierr));
}

/* ---- LMDB directly: what damage looks like ---- */

static void raw_put(const char *dir, const void *key, size_t klen, const void *val, size_t vlen)
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

static void raw_del(const char *dir, const void *key, size_t klen)
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
static MDB_val raw_get(const char *dir, const void *key, size_t klen)
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
static const char *rec_key(char type, const char *name, size_t *len)
{
    *len = 1 + strlen(name);
    return apr_psprintf(pool, "%c%s", type, name);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static int same_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "rb");
    char *buf = apr_palloc(pool, n + 1);
    size_t got;

    ck_assert_ptr_nonnull(f);
    got = fread(buf, 1, n + 1, f);
    fclose(f);
    return got == n && !memcmp(buf, data, n);
}

/* ---- open ---- */

START_TEST(test_reader_check_and_chown)
{
    ck_assert_int_eq(iam_store_reader_check(st), 0);
    OK(iam_store_chown(sdir, (long)getuid(), (long)getgid(), &ierr));
    OK(iam_store_chown(apr_pstrcat(pool, tmp_dir, "/missing", NULL), (long)getuid(), (long)getgid(),
                       &ierr));
}
END_TEST

START_TEST(test_open_creates_missing_dir)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/new", NULL);
    iam_store_t *s2 = open_other("new", 0);
    struct stat sb;
    iam_workspace_info_t wi;

    ck_assert_int_eq(stat(apr_pstrcat(pool, dir, "/data.mdb", NULL), &sb), 0);
    OK(iam_store_info(s2, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 0);
    ck_assert_int_eq(wi.groups, 0);
    ck_assert_int_eq(wi.owners, 0);
    ck_assert_int_eq(wi.plan, IAM_PLAN_BUSINESS);
    ck_assert_int_eq(wi.roles.n, 12);
}
END_TEST

START_TEST(test_open_missing_without_create)
{
    const char *missing = apr_pstrcat(pool, tmp_dir, "/missing", NULL);
    const char *empty = apr_pstrcat(pool, tmp_dir, "/empty", NULL);
    iam_store_t *s2 = NULL;

    EXPECT(IAM_NOSTORE, iam_store_open(&s2, missing, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "iamctl"));
    ck_assert_ptr_null(s2);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, missing, 0, IAM_OPEN_RDONLY, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "iamctl"));

    /* A directory without a store in it is no store either. */
    ck_assert_int_eq(mkdir(empty, 0750), 0);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, empty, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "iamctl"));
}
END_TEST

START_TEST(test_open_not_a_directory)
{
    const char *file = apr_pstrcat(pool, tmp_dir, "/file", NULL);
    iam_store_t *s2 = NULL;

    write_file(file, "x", 1);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, file, 0, IAM_OPEN_CREATE, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "not a directory"));
}
END_TEST

START_TEST(test_reopen_keeps_data)
{
    add("alice", "alice@example.com", 1);
    iam_store_close(st);
    reopen();
    ck_assert_str_eq(member("alice")->email, "alice@example.com");
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

/* ---- members ---- */

START_TEST(test_member_add_get)
{
    iam_member_t *m;

    fold();
    OK(iam_store_member_add(st, "test", "Alice", "alice@example.com", "Alice Liddell", IAM_ACTIVE,
                            0, &ierr));
    m = member("aLiCe"); /* logins fold */
    ck_assert_str_eq(m->login, "Alice");
    ck_assert_str_eq(m->email, "alice@example.com");
    ck_assert_str_eq(m->name, "Alice Liddell");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->pii, 0);
    ck_assert_int_gt(m->created, 0);
    ck_assert_int_eq(m->grants->nelts, 0);
    ck_assert_int_eq(m->groups->nelts, 0);
    ck_assert_int_eq(info().members, 1);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "bob", &m, &ierr));
}
END_TEST

START_TEST(test_member_list_search)
{
    OK(iam_store_member_add(st, "test", "carol", "carol@corp.example", "Carol Danvers", IAM_ACTIVE,
                            0, &ierr));
    OK(iam_store_member_add(st, "test", "alice", "alice@example.com", "Alice Liddell", IAM_ACTIVE,
                            0, &ierr));
    OK(iam_store_member_add(st, "test", "Bob", "bob@example.com", "Robert", IAM_ACTIVE, 0, &ierr));

    ck_assert_str_eq(listed(NULL, 0, 0), "alice Bob carol"); /* in login order */
    ck_assert_str_eq(listed("", 0, 0), "alice Bob carol");
    ck_assert_str_eq(listed("BO", 0, 0), "Bob");        /* login */
    ck_assert_str_eq(listed("CORP", 0, 0), "carol");    /* email */
    ck_assert_str_eq(listed("liddell", 0, 0), "alice"); /* name */
    ck_assert_str_eq(listed("example.com", 0, 0), "alice Bob");
    ck_assert_str_eq(listed("nobody", 0, 0), "");

    ck_assert_str_eq(listed(NULL, 1, 1), "Bob");
    ck_assert_str_eq(listed(NULL, 1, 0), "Bob carol");
    ck_assert_str_eq(listed(NULL, 0, 2), "alice Bob");
    ck_assert_str_eq(listed(NULL, 3, 10), "");
    ck_assert_str_eq(listed("example.com", 1, 5), "Bob");
}
END_TEST

START_TEST(test_member_remove)
{
    iam_member_t *m;

    fold();
    add("alice", NULL, 1);
    add("bob", "bob@example.com", 0);
    OK(iam_store_member_remove(st, "test", "BOB", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "bob", &m, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_remove(st, "test", "bob", &ierr));
    ck_assert_int_eq(info().members, 1);
    /* The email is free again. */
    add("robert", "bob@example.com", 0);
    add("bob", NULL, 0);
}
END_TEST

START_TEST(test_member_duplicate_login)
{
    fold();
    add("Bob", NULL, 0);
    EXPECT(IAM_EXISTS, iam_store_member_add(st, "test", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "BOB", "b@example.com", NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_int_eq(info().members, 1);
    ck_assert_str_eq(member("bob")->email, "");
}
END_TEST

START_TEST(test_member_duplicate_email)
{
    add("bob", "bob@example.com", 0);
    EXPECT(IAM_EXISTS, iam_store_member_add(st, "test", "robert", "bob@example.com", NULL,
                                            IAM_ACTIVE, 0, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "bob"));
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "rob", "BOB@Example.com", NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_str_eq(listed(NULL, 0, 0), "bob");
}
END_TEST

START_TEST(test_member_invalid)
{
    static const char *const bad_logins[] = {"", " bob", "bob ", "b\tob", "b\nob"};
    static const char *const bad_emails[] = {"bob",   "@example.com",          "bob@",
                                             "a@b@c", "bob smith@example.com", "<bob@example.com>"};
    size_t i;

    for (i = 0; i < sizeof(bad_logins) / sizeof(*bad_logins); i++)
        EXPECT(IAM_INVALID,
               iam_store_member_add(st, "test", bad_logins[i], NULL, NULL, IAM_ACTIVE, 0, &ierr));
    for (i = 0; i < sizeof(bad_emails) / sizeof(*bad_emails); i++)
        EXPECT(IAM_INVALID,
               iam_store_member_add(st, "test", "bob", bad_emails[i], NULL, IAM_ACTIVE, 0, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_member_add(st, "test", "bob", NULL, "Bob\x01", IAM_ACTIVE, 0, &ierr));
    ck_assert_int_eq(info().members, 0);
}
END_TEST

START_TEST(test_member_invite_activate)
{
    fold();
    OK(iam_store_member_add(st, "test", "carol@example.com", "carol@example.com", "Carol",
                            IAM_INVITED, 0, &ierr));
    ck_assert_int_eq(member("carol@example.com")->status, IAM_INVITED);
    OK(iam_store_member_activate(st, "Carol@Example.com", &ierr));
    ck_assert_int_eq(member("carol@example.com")->status, IAM_ACTIVE);
    OK(iam_store_member_activate(st, "carol@example.com", &ierr)); /* already active */
    ck_assert_int_eq(member("carol@example.com")->status, IAM_ACTIVE);
    ck_assert_str_eq(member("carol@example.com")->name, "Carol");
    EXPECT(IAM_NOTFOUND, iam_store_member_activate(st, "dave", &ierr));
}
END_TEST

/* ---- grants ---- */

START_TEST(test_grant_resources_merge)
{
    iam_grant_t g1 = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    iam_grant_t g2 = grant_of("Source Admin", IAM_SCOPE_RESOURCES, ITEMS("web", "CHECKOUT", "api"));
    iam_member_t *m;

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g1, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &g2, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(items_text(grant_in(m->grants, "source-admin")), "checkout web api");
    ck_assert_int_eq(grant_in(m->grants, "source-admin")->scope, IAM_SCOPE_RESOURCES);
    /* Nothing new to merge: already there. */
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 0, "bob", &g1, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 1);
}
END_TEST

/* The resources of a grant are a set, whether given at once or merged. */
START_TEST(test_grant_resources_no_duplicates)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a", "A", "a"));

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "a");
}
END_TEST

START_TEST(test_revoke_some_resources)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a", "b", "c"));
    iam_grant_t some = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("b"));
    iam_grant_t partly = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a", "zzz"));
    iam_grant_t rest = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("c", "a"));

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_revoke(st, "test", 0, "bob", &some, 0, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "a c");
    /* One resource not held: nothing revoked. */
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &partly, 0, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "a c");
    /* The last resources take the grant with them. */
    OK(iam_store_revoke(st, "test", 0, "bob", &rest, 0, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
}
END_TEST

START_TEST(test_revoke_whole_role)
{
    iam_grant_t res = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a"));
    iam_grant_t lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t ro = all_of("source-read-only");
    iam_grant_t whole = all_of("source-admin");
    iam_member_t *m;

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &res, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 3);
    OK(iam_store_revoke(st, "test", 0, "bob", &whole, 1, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_ptr_nonnull(grant_in(m->grants, "source-read-only"));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &whole, 1, &ierr));
}
END_TEST

START_TEST(test_revoke_missing_grant)
{
    iam_grant_t all = all_of("source-admin");
    iam_grant_t res = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a"));
    iam_grant_t lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t other_lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:dev"));

    add("bob", NULL, 0);
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &all, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &all, 1, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &res, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    /* Held on resources and labels, not on all; and not on other labels. */
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &all, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &other_lab, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "nobody", &all, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 1, "nogroup", &all, 1, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 2);
}
END_TEST

START_TEST(test_grant_duplicate)
{
    iam_grant_t all = all_of("source-admin");
    iam_grant_t lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod", "team:x"));
    iam_grant_t lab2 = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("team:x", "env:prod"));
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &all, &ierr));
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 0, "bob", &all, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    EXPECT(IAM_EXISTS,
           iam_store_grant(st, "test", 0, "bob", &lab2, &ierr)); /* same set of labels */
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 0, "alice", &owner, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 2);
}
END_TEST

START_TEST(test_grant_refused)
{
    iam_grant_t unknown = all_of("no-such-role");
    iam_grant_t owner = all_of("workspace-owner");
    iam_grant_t minimal = all_of("workspace-member");
    iam_grant_t all_only = grant_of("warehouse-admin", IAM_SCOPE_RESOURCES, ITEMS("dw"));
    iam_grant_t bad_item = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a/b"));
    iam_grant_t bad_label = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("nocolon"));
    iam_grant_t same_key = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:a", "env:b"));
    iam_grant_t empty = grant_of("source-admin", IAM_SCOPE_RESOURCES, NULL);
    iam_grant_t ok = all_of("source-admin");

    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &unknown, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 1, "eng", &owner, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &minimal, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &all_only, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &bad_item, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &bad_label, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &same_key, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &empty, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_grant(st, "test", 0, "nobody", &ok, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_grant(st, "test", 1, "nogroup", &ok, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    ck_assert_int_eq(group("eng")->grants->nelts, 0);
}
END_TEST

/* An unknown role is bad input, whatever words its name holds. */
START_TEST(test_grant_unknown_role_is_not_a_plan_refusal)
{
    iam_grant_t g = all_of("marketing plan editor");

    add("bob", NULL, 0);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
}
END_TEST

START_TEST(test_grant_group)
{
    iam_grant_t g1 = grant_of("personas-user", IAM_SCOPE_RESOURCES, ITEMS("s1"));
    iam_grant_t g2 = grant_of("personas-user", IAM_SCOPE_RESOURCES, ITEMS("s2"));
    iam_grant_t lab = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t whole = all_of("personas-user");
    iam_group_t *g;

    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &g1, &ierr));
    OK(iam_store_grant(st, "test", 1, "ENG", &g2, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &lab, &ierr));
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 1, "eng", &lab, &ierr));
    g = group("eng");
    ck_assert_str_eq(g->name, "Eng");
    ck_assert_int_eq(g->grants->nelts, 2);
    ck_assert_str_eq(items_text(grant_in(g->grants, "personas-user")), "s1 s2");
    ck_assert_str_eq(items_text(grant_in(g->grants, "source-read-only")), "env:prod");

    OK(iam_store_revoke(st, "test", 1, "eng", &g1, 0, &ierr));
    ck_assert_str_eq(items_text(grant_in(group("eng")->grants, "personas-user")), "s2");
    OK(iam_store_revoke(st, "test", 1, "eng", &lab, 0, &ierr));
    OK(iam_store_revoke(st, "test", 1, "eng", &whole, 1, &ierr));
    ck_assert_int_eq(group("eng")->grants->nelts, 0);
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 1, "eng", &whole, 1, &ierr));
}
END_TEST

/* ---- plans and custom roles ---- */

START_TEST(test_team_plan_limits)
{
    iam_grant_t labels = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t read_only = all_of("source-read-only");
    iam_grant_t warehouse = all_of("warehouse-admin");
    iam_grant_t allowed = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    set_plan(IAM_PLAN_TEAM);
    ck_assert_int_eq(info().plan, IAM_PLAN_TEAM);
    EXPECT(IAM_PLAN, iam_store_group_create(st, "test", "eng", &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "team"));
    EXPECT(IAM_PLAN, iam_store_grant(st, "test", 0, "bob", &labels, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "team"));
    EXPECT(IAM_PLAN, iam_store_grant(st, "test", 0, "bob", &read_only, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "team"));
    EXPECT(IAM_PLAN, iam_store_grant(st, "test", 0, "bob", &warehouse, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    ck_assert_int_eq(info().groups, 0);
    /* What the plan does allow. */
    OK(iam_store_grant(st, "test", 0, "bob", &allowed, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &owner, &ierr));
    ck_assert_int_eq(info().owners, 2);
}
END_TEST

START_TEST(test_free_plan_no_group_members)
{
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    set_plan(IAM_PLAN_FREE);
    EXPECT(IAM_PLAN, iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    ck_assert_int_eq(group("eng")->members->nelts, 0);
}
END_TEST

START_TEST(test_set_plan_after_server)
{
    OK(iam_store_set_plan(st, "test", IAM_PLAN_TEAM, 0, &ierr)); /* no server yet: iamctl may */
    ck_assert_int_eq(info().plan, IAM_PLAN_TEAM);
    set_plan(IAM_PLAN_BUSINESS); /* a server records its IAMPlan */
    memset(&ierr, 0, sizeof(ierr));
    ck_assert_int_ne(iam_store_set_plan(st, "test", IAM_PLAN_FREE, 0, &ierr), IAM_OK);
    ck_assert_ptr_nonnull(strstr(ierr.msg, "IAMPlan"));
    ck_assert_int_eq(info().plan, IAM_PLAN_BUSINESS);
    OK(iam_store_set_plan(st, "test", IAM_PLAN_FREE, 1, &ierr));
    ck_assert_int_eq(info().plan, IAM_PLAN_FREE);
}
END_TEST

START_TEST(test_custom_roles)
{
    iam_roles_t roles;
    iam_workspace_info_t wi;
    const iam_role_t *r;
    iam_grant_t g = grant_of("Data Steward", IAM_SCOPE_RESOURCES, ITEMS("orders"));
    iam_grant_t auditor = all_of("auditor");
    iam_verify_t v;
    iam_grant_t auditor_res = grant_of("auditor", IAM_SCOPE_RESOURCES, ITEMS("q1"));

    iam_roles_init(&roles);
    ck_assert_ptr_null(
        iam_roles_add(&roles, "Data Steward", "data-steward", "dataset", IAM_LEVEL_EDIT, 0));
    ck_assert_ptr_null(iam_roles_add(&roles, "Auditor", "auditor", "report", IAM_LEVEL_READ, 1));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));

    wi = info();
    ck_assert_int_eq(wi.roles.n, 14);
    r = iam_roles_find(&wi.roles, "data-steward");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->custom, 1);
    ck_assert_str_eq(r->name, "Data Steward");
    ck_assert_str_eq(r->type, "dataset");
    ck_assert_int_eq(r->level, IAM_LEVEL_EDIT);
    ck_assert_int_eq(iam_roles_find(&wi.roles, "Auditor")->all_only, 1);

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &auditor, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &auditor_res, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "data-steward")), "orders");

    /* Roles dropped from httpd.conf can no longer be granted. */
    iam_roles_init(&roles);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    ck_assert_int_eq(info().roles.n, 12);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &auditor, &ierr));
    /* the grants still held of them are ignored by decisions: verify warns,
     * it does not call them damage */
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.nproblems, 0);
    ck_assert_int_eq(v.nwarnings, v.warnings->nelts);
    ck_assert_msg(v.nwarnings >= 1 &&
                      strstr(apr_array_pstrcat(pool, v.warnings, '\n'),
                             "member 'bob' holds a grant of role 'data-steward', which is not "
                             "declared"),
                  "%s", apr_array_pstrcat(pool, v.warnings, '\n'));
}
END_TEST

/* ---- owners ---- */

START_TEST(test_last_owner_remove)
{
    fold();
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    EXPECT(IAM_LAST_OWNER, iam_store_member_remove(st, "test", "ALICE", &ierr));
    ck_assert_ptr_nonnull(grant_in(member("alice")->grants, "workspace-owner"));
    ck_assert_int_eq(info().owners, 1);
    ck_assert_int_eq(info().members, 2);
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
}
END_TEST

START_TEST(test_last_owner_revoke)
{
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    EXPECT(IAM_LAST_OWNER, iam_store_revoke(st, "test", 0, "alice", &owner, 0, &ierr));
    EXPECT(IAM_LAST_OWNER, iam_store_revoke(st, "test", 0, "alice", &owner, 1, &ierr));
    ck_assert_int_eq(member("alice")->grants->nelts, 1);
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

START_TEST(test_two_owners)
{
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &owner, &ierr));
    ck_assert_int_eq(info().owners, 2);
    OK(iam_store_revoke(st, "test", 0, "alice", &owner, 0, &ierr));
    ck_assert_int_eq(info().owners, 1);
    ck_assert_int_eq(member("alice")->grants->nelts, 0);
    EXPECT(IAM_LAST_OWNER, iam_store_member_remove(st, "test", "bob", &ierr));

    OK(iam_store_grant(st, "test", 0, "alice", &owner, &ierr));
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    ck_assert_int_eq(info().owners, 1);
    EXPECT(IAM_LAST_OWNER, iam_store_revoke(st, "test", 0, "alice", &owner, 1, &ierr));
}
END_TEST

START_TEST(test_bootstrap_owner)
{
    int made = -1;
    iam_member_t *m;

    fold();
    OK(iam_store_bootstrap_owner(st, "Root", &made, &ierr));
    ck_assert_int_eq(made, 1);
    m = member("root");
    ck_assert_str_eq(m->login, "Root");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_ptr_nonnull(grant_in(m->grants, "workspace-owner"));
    ck_assert_int_eq(info().owners, 1);

    OK(iam_store_bootstrap_owner(st, "other", &made, &ierr));
    ck_assert_int_eq(made, 0);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "other", &m, &ierr));
    ck_assert_int_eq(info().members, 1);
}
END_TEST

START_TEST(test_bootstrap_existing_member)
{
    int made = -1;
    iam_member_t *m;

    fold();
    OK(iam_store_member_add(st, "test", "carol", NULL, NULL, IAM_INVITED, 0, &ierr));
    OK(iam_store_bootstrap_owner(st, "CAROL", &made, &ierr));
    ck_assert_int_eq(made, 1);
    m = member("carol");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_int_eq(info().members, 1);
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

/* ---- groups ---- */

START_TEST(test_group_create_delete)
{
    iam_group_t *g;
    apr_array_header_t *list;

    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    EXPECT(IAM_EXISTS, iam_store_group_create(st, "test", "ENG", &ierr));
    EXPECT(IAM_INVALID, iam_store_group_create(st, "test", "", &ierr));
    EXPECT(IAM_INVALID, iam_store_group_create(st, "test", " eng", &ierr));
    ck_assert_int_eq(info().groups, 2);
    g = group("eng");
    ck_assert_str_eq(g->name, "Eng");
    ck_assert_int_gt(g->created, 0);
    ck_assert_int_eq(g->members->nelts, 0);
    OK(iam_store_group_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 0, iam_group_t *)->name, "Eng");

    OK(iam_store_group_delete(st, "test", "eng", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_group_get(st, pool, "Eng", &g, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_group_delete(st, "test", "eng", &ierr));
    ck_assert_int_eq(info().groups, 1);
}
END_TEST

START_TEST(test_group_members_both_sides)
{
    apr_array_header_t *list;

    fold();
    add_members(ITEMS("alice", "Bob", "carol"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob", "carol"), 3, &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "alice Bob carol"); /* as spelt */
    ck_assert_str_eq(joined(member("bob")->groups), "eng");
    ck_assert_str_eq(joined(member("carol")->groups), "eng");
    OK(iam_store_group_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    ck_assert_int_eq(APR_ARRAY_IDX(list, 0, iam_group_t *)->members->nelts, 3);
    OK(iam_store_member_list(st, pool, "bob", 0, 0, &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    ck_assert_str_eq(joined(APR_ARRAY_IDX(list, 0, iam_member_t *)->groups), "eng");

    EXPECT(IAM_EXISTS, iam_store_group_members(st, "test", "eng", 1, ITEMS("alice"), 1, &ierr));
    OK(iam_store_group_members(st, "test", "ENG", 0, ITEMS("ALICE", "carol"), 2, &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "Bob");
    ck_assert_str_eq(joined(member("alice")->groups), "");
    ck_assert_str_eq(joined(member("carol")->groups), "");
    EXPECT(IAM_INVALID, iam_store_group_members(st, "test", "eng", 1, NULL, 0, &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_members(st, "test", "nogroup", 1, ITEMS("alice"), 1, &ierr));
}
END_TEST

START_TEST(test_group_members_all_or_nothing)
{
    add_members(ITEMS("alice", "bob"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "ghost", "bob"), 3, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "ghost"));
    ck_assert_str_eq(joined(group("eng")->members), "");
    ck_assert_str_eq(joined(member("alice")->groups), "");

    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice"), 1, &ierr));
    /* Removing one who is not in the group removes no one. */
    EXPECT(IAM_NOTFOUND,
           iam_store_group_members(st, "test", "eng", 0, ITEMS("alice", "bob"), 2, &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "alice");
    ck_assert_str_eq(joined(member("alice")->groups), "eng");
}
END_TEST

START_TEST(test_member_remove_leaves_groups)
{
    add_members(ITEMS("alice", "bob"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob"), 2, &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "alice");
    ck_assert_str_eq(joined(group("ops")->members), "");
    /* A new bob starts without the old one's groups. */
    add("bob", NULL, 0);
    ck_assert_int_eq(member("bob")->groups->nelts, 0);
}
END_TEST

START_TEST(test_group_delete_unlinks_members)
{
    iam_grant_t g = all_of("source-admin");
    iam_subject_t subj;
    iam_roles_t roles;

    iam_roles_init(&roles);
    add_members(ITEMS("alice", "bob", "carol", "dave"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &g, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob", "carol", "dave"), 4,
                               &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_group_delete(st, "test", "ENG", &ierr));
    ck_assert_int_eq(member("alice")->groups->nelts, 0);
    ck_assert_int_eq(member("dave")->groups->nelts, 0);
    ck_assert_str_eq(joined(member("bob")->groups), "ops");
    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.nsets, 1);
    /* A group of the same name starts empty, without the old grants. */
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "");
    ck_assert_int_eq(group("eng")->grants->nelts, 0);
}
END_TEST

START_TEST(test_subject_sets)
{
    iam_grant_t direct = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t eng_g = all_of("source-read-only");
    iam_grant_t ops_g = all_of("warehouse-admin");
    iam_roles_t roles;
    iam_subject_t subj;

    iam_roles_init(&roles);
    fold();
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "Ops", &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &direct, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &eng_g, &ierr));
    OK(iam_store_grant(st, "test", 1, "ops", &ops_g, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob", "alice"), 2, &ierr));

    OK(iam_store_subject(st, pool, "BOB", &roles, &subj, &ierr));
    ck_assert_str_eq(subj.member->login, "bob");
    ck_assert_int_eq(subj.owner, 0);
    ck_assert_int_eq(subj.nsets, 3);
    ck_assert_ptr_null(subj.sets[0].via);
    ck_assert_int_eq(subj.sets[0].ngrants, 1);
    ck_assert_str_eq(subj.sets[0].grants[0].role, "source-admin");
    ck_assert_str_eq(subj.sets[1].via, "eng");
    ck_assert_int_eq(subj.sets[1].ngrants, 1);
    ck_assert_str_eq(subj.sets[1].grants[0].role, "source-read-only");
    ck_assert_str_eq(subj.sets[2].via, "Ops");
    ck_assert_str_eq(subj.sets[2].grants[0].role, "warehouse-admin");

    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.owner, 1);
    ck_assert_int_eq(subj.nsets, 2);
    ck_assert_str_eq(subj.sets[1].via, "Ops");
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "nobody", &roles, &subj, &ierr));
}
END_TEST

START_TEST(test_info_counts)
{
    iam_workspace_info_t wi;
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add_members(ITEMS("bob", "carol"));
    OK(iam_store_grant(st, "test", 0, "carol", &owner, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    wi = info();
    ck_assert_int_eq(wi.members, 3);
    ck_assert_int_eq(wi.groups, 2);
    ck_assert_int_eq(wi.owners, 2);
    OK(iam_store_member_remove(st, "test", "carol", &ierr));
    OK(iam_store_group_delete(st, "test", "ops", &ierr));
    wi = info();
    ck_assert_int_eq(wi.members, 2);
    ck_assert_int_eq(wi.groups, 1);
    ck_assert_int_eq(wi.owners, 1);
}
END_TEST

/* ---- whole-record writes, paging, the audit trail, the secret ---- */

static apr_array_header_t *names_of(const char *const *names)
{
    apr_array_header_t *a = apr_array_make(pool, 4, sizeof(const char *));

    for (; names && *names; names++)
        APR_ARRAY_PUSH(a, const char *) = *names;
    return a;
}

static apr_array_header_t *grants_of(const iam_grant_t *g, int n)
{
    apr_array_header_t *a = apr_array_make(pool, n ? n : 1, sizeof(iam_grant_t));
    int i;

    for (i = 0; i < n; i++)
        *(iam_grant_t *)apr_array_push(a) = g[i];
    return a;
}

/* The actions of the newest `n` audit entries, newest first: "a b c". */
static const char *audit_actions(int n)
{
    apr_array_header_t *list, *names = apr_array_make(pool, 8, sizeof(const char *));
    int i;

    OK(iam_store_audit_list(st, pool, 0, n, &list, &ierr));
    for (i = 0; i < list->nelts; i++)
        APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(list, i, iam_audit_t *)->action;
    return joined(names);
}

START_TEST(test_member_put_create_and_update)
{
    iam_grant_t g[] = {grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout")),
                       all_of("warehouse-read-only")};
    iam_member_spec_t sp = {"dana", "dana@example.com", "Dana", IAM_INVITED, 1, NULL, NULL};
    iam_member_t *m;

    add("olivia", NULL, 1);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    sp.grants = grants_of(g, 2);
    sp.groups = names_of(ITEMS("eng"));
    OK(iam_store_member_put(st, "test", &sp, 1, &ierr));
    m = member("dana");
    ck_assert_int_eq(m->status, IAM_INVITED);
    ck_assert_int_eq(m->pii, 1);
    ck_assert_int_eq(m->grants->nelts, 2);
    ck_assert_str_eq(joined(m->groups), "eng");
    ck_assert_str_eq(joined(group("eng")->members), "dana");

    /* an update replaces what it names and keeps the rest */
    memset(&sp, 0, sizeof(sp));
    sp.login = "dana";
    sp.pii = -1;
    sp.name = "Dana D.";
    sp.groups = names_of(ITEMS("ops"));
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    m = member("dana");
    ck_assert_str_eq(m->name, "Dana D.");
    ck_assert_str_eq(m->email, "dana@example.com");
    ck_assert_int_eq(m->grants->nelts, 2);
    ck_assert_str_eq(joined(m->groups), "ops");
    ck_assert_str_eq(joined(group("eng")->members), "");
    ck_assert_str_eq(joined(group("ops")->members), "dana");
    ck_assert_str_eq(audit_actions(2), "member.update member.invite");
}
END_TEST

START_TEST(test_member_put_all_or_nothing)
{
    iam_grant_t good = all_of("warehouse-admin"),
                bad = grant_of("warehouse-admin", IAM_SCOPE_RESOURCES, ITEMS("x"));
    iam_grant_t both[] = {good, bad};
    iam_member_spec_t sp = {"erin", NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};

    add("olivia", NULL, 1);
    sp.grants = grants_of(both, 2);
    EXPECT(IAM_INVALID, iam_store_member_put(st, "test", &sp, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "erin", &(iam_member_t *){NULL}, &ierr));
    sp.grants = grants_of(&good, 1);
    sp.groups = names_of(ITEMS("no-such-group"));
    EXPECT(IAM_NOTFOUND, iam_store_member_put(st, "test", &sp, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "erin", &(iam_member_t *){NULL}, &ierr));
    ck_assert_int_eq(info().members, 1);
    ck_assert_str_eq(audit_actions(5), "member.add");

    /* the last owner cannot lose the role through an update either */
    memset(&sp, 0, sizeof(sp));
    sp.login = "olivia";
    sp.pii = -1;
    sp.grants = grants_of(NULL, 0);
    EXPECT(IAM_LAST_OWNER, iam_store_member_put(st, "test", &sp, 0, &ierr));
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

START_TEST(test_group_put)
{
    iam_grant_t g = grant_of("personas-read-only", IAM_SCOPE_LABELS, ITEMS("team:growth"));
    iam_group_spec_t sp = {"growth", 1, NULL, NULL};
    iam_group_t *gr;

    add_members(ITEMS("a", "b", "c"));
    sp.grants = grants_of(&g, 1);
    sp.members = names_of(ITEMS("a", "b"));
    OK(iam_store_group_put(st, "test", &sp, 1, &ierr));
    gr = group("growth");
    ck_assert_int_eq(gr->pii, 1);
    ck_assert_str_eq(joined(gr->members), "a b");
    ck_assert_str_eq(joined(member("a")->groups), "growth");
    sp.grants = NULL;
    sp.pii = -1;
    sp.members = names_of(ITEMS("b", "c"));
    OK(iam_store_group_put(st, "test", &sp, 0, &ierr));
    gr = group("growth");
    ck_assert_str_eq(joined(gr->members), "b c");
    ck_assert_int_eq(gr->grants->nelts, 1);
    ck_assert_str_eq(joined(member("a")->groups), "");
    EXPECT(IAM_EXISTS, iam_store_group_put(st, "test", &sp, 1, &ierr));
    sp.name = "other";
    sp.members = names_of(ITEMS("nobody"));
    EXPECT(IAM_NOTFOUND, iam_store_group_put(st, "test", &sp, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_group_get(st, pool, "other", &gr, &ierr));
}
END_TEST

START_TEST(test_member_page)
{
    apr_array_header_t *page, *seen = apr_array_make(pool, 128, sizeof(const char *));
    const char *after = NULL, *next;
    int i, pages = 0;

    for (i = 0; i < 120; i++)
        add(apr_psprintf(pool, "u%03d", i),
            apr_psprintf(pool, "u%03d@%s.example", i, i % 2 ? "odd" : "even"), 0);
    do {
        OK(iam_store_member_page(st, pool, NULL, after, 50, &page, &next, &ierr));
        for (i = 0; i < page->nelts; i++)
            APR_ARRAY_PUSH(seen, const char *) = APR_ARRAY_IDX(page, i, iam_member_t *)->login;
        after = next;
        pages++;
    } while (next);
    ck_assert_int_eq(pages, 3);
    ck_assert_int_eq(seen->nelts, 120);
    for (i = 0; i < 120; i++)
        ck_assert_str_eq(APR_ARRAY_IDX(seen, i, const char *), apr_psprintf(pool, "u%03d", i));
    /* a search pages too */
    OK(iam_store_member_page(st, pool, "ODD", NULL, 50, &page, &next, &ierr));
    ck_assert_int_eq(page->nelts, 50);
    ck_assert_str_eq(next, "u099");
    OK(iam_store_member_page(st, pool, "ODD", next, 50, &page, &next, &ierr));
    ck_assert_int_eq(page->nelts, 10);
    ck_assert_ptr_null(next);
    ck_assert_str_eq(APR_ARRAY_IDX(page, 0, iam_member_t *)->login, "u101");
}
END_TEST

START_TEST(test_audit_trail)
{
    iam_grant_t g = all_of("warehouse-admin");
    apr_array_header_t *list;
    iam_audit_t *a;

    add("olivia", NULL, 1);
    add("bob", "bob@example.com", 0);
    OK(iam_store_grant(st, "iamctl:root", 0, "bob", &g, &ierr));
    EXPECT(IAM_EXISTS, iam_store_grant(st, "iamctl:root", 0, "bob", &g, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_revoke(st, "test", 0, "bob", &g, 1, &ierr));
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    /* a refused write records nothing */
    ck_assert_str_eq(audit_actions(10), "member.remove revoke group.add-members group.create "
                                        "grant member.add member.add");
    OK(iam_store_audit_list(st, pool, 0, 10, &list, &ierr));
    a = APR_ARRAY_IDX(list, 4, iam_audit_t *);
    ck_assert_str_eq(a->actor, "iamctl:root");
    ck_assert_str_eq(a->target, "bob");
    ck_assert_ptr_nonnull(strstr(a->before, "grants=[none]"));
    ck_assert_ptr_nonnull(strstr(a->after, "warehouse-admin on all"));
    ck_assert_int_gt(a->time, 0);
    ck_assert_ptr_nonnull(strstr(APR_ARRAY_IDX(list, 0, iam_audit_t *)->before, "groups=[eng]"));
    /* paging: older than the third newest */
    OK(iam_store_audit_list(st, pool, APR_ARRAY_IDX(list, 2, iam_audit_t *)->seq, 2, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 0, iam_audit_t *)->action, "group.create");
}
END_TEST

/* The secret is made once (start-up, iamctl init); a read never makes it. */
START_TEST(test_secret_is_stable)
{
    unsigned char a[32], b[32], zero[32] = {0};

    EXPECT(IAM_NOTFOUND, iam_store_secret(st, a, &ierr));
    OK(iam_store_secret_make(st, &ierr));
    OK(iam_store_secret(st, a, &ierr));
    OK(iam_store_secret_make(st, &ierr)); /* made already: kept */
    OK(iam_store_secret(st, b, &ierr));
    ck_assert_mem_eq(a, b, 32);
    ck_assert_int_ne(memcmp(a, zero, 32), 0);
    reopen();
    OK(iam_store_secret(st, b, &ierr));
    ck_assert_mem_eq(a, b, 32);
}
END_TEST

/* What children saw, in one transaction: an invited member turns active
 * (audited once), a visit within the hour is not written again, a token's
 * last use moves forward only, and what is gone is skipped. */
START_TEST(test_touch)
{
    const char *token;
    iam_token_t *t, *seen;
    iam_member_t *m;
    long long now = (long long)time(NULL);
    apr_array_header_t *list;
    int i, activations = 0;

    add("olivia", NULL, 1);
    OK(iam_store_member_add(st, "test", "ivy", "ivy@example.com", NULL, IAM_INVITED, 0, &ierr));
    OK(iam_store_token_create(st, "test", "olivia", "sync", pool, &token, &t, &ierr));
    {
        iam_touch_t batch[] = {{IAM_TOUCH_MEMBER, "ivy", now},
                               {IAM_TOUCH_MEMBER, "olivia", now - 10},
                               {IAM_TOUCH_MEMBER, "gone", now},
                               {IAM_TOUCH_TOKEN, t->id, now},
                               {IAM_TOUCH_TOKEN, "nosuchtoken", now}};
        OK(iam_store_touch(st, batch, 5, &ierr));
    }
    m = member("ivy");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->last_seen, now);
    ck_assert_int_eq(member("olivia")->last_seen, now - 10);
    OK(iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_int_eq(seen->last_used, now);
    {
        iam_touch_t again[] = {{IAM_TOUCH_MEMBER, "ivy", now + 60},
                               {IAM_TOUCH_TOKEN, t->id, now - 100}};
        OK(iam_store_touch(st, again, 2, &ierr));
    }
    ck_assert_int_eq(member("ivy")->last_seen, now); /* within the hour: kept */
    OK(iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_int_eq(seen->last_used, now); /* never backwards */
    OK(iam_store_audit_list(st, pool, 0, 100, &list, &ierr));
    for (i = 0; i < list->nelts; i++)
        activations += !strcmp(APR_ARRAY_IDX(list, i, iam_audit_t *)->action, "member.activate");
    ck_assert_int_eq(activations, 1);
    OK(iam_store_touch(st, NULL, 0, &ierr));
}
END_TEST

/* ---- dump and import ---- */

/* A workspace with a bit of everything. */
static void populate(void)
{
    iam_grant_t res = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web", "api"));
    iam_grant_t lab = grant_of("personas-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod", "team:x"));
    iam_grant_t wh = all_of("warehouse-read-only");

    fold();
    OK(iam_store_member_add(st, "test", "alice", "alice@example.com", "Alice", IAM_ACTIVE, 1,
                            &ierr));
    OK(iam_store_member_add(st, "test", "Bob", "bob@example.com", NULL, IAM_ACTIVE, 0, &ierr));
    OK(iam_store_member_add(st, "test", "carol@example.com", "carol@example.com", "Carol",
                            IAM_INVITED, 0, &ierr));
    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &res, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &wh, &ierr));
    OK(iam_store_grant(st, "test", 1, "ops", &res, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob", "carol@example.com"), 2, &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob"), 1, &ierr));
}

typedef struct {
    iam_plan_e plan;
    apr_array_header_t *members, *groups;
} dump_t;

static dump_t dump_of(iam_store_t *s)
{
    dump_t d;

    OK(iam_store_dump(s, pool, &d.plan, &d.members, &d.groups, &ierr));
    return d;
}

static void assert_same_member(const iam_member_t *a, const iam_member_t *b)
{
    ck_assert_str_eq(a->login, b->login);
    ck_assert_str_eq(a->email, b->email);
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->status, b->status);
    ck_assert_int_eq(a->pii, b->pii);
    ck_assert_int_eq(a->created, b->created);
    ck_assert_msg(same_grants(a->grants, b->grants), "grants of %s differ", a->login);
    ck_assert_msg(same_names(a->groups, b->groups), "groups of %s differ", a->login);
}

static void assert_same_group(const iam_group_t *a, const iam_group_t *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->pii, b->pii);
    ck_assert_msg(same_grants(a->grants, b->grants), "grants of group %s differ", a->name);
    ck_assert_msg(same_names(a->members, b->members), "members of group %s differ", a->name);
}

static void assert_same_dump(const dump_t *a, const dump_t *b)
{
    int i;

    ck_assert_int_eq(a->plan, b->plan);
    ck_assert_int_eq(a->members->nelts, b->members->nelts);
    ck_assert_int_eq(a->groups->nelts, b->groups->nelts);
    for (i = 0; i < a->members->nelts; i++)
        assert_same_member(APR_ARRAY_IDX(a->members, i, iam_member_t *),
                           APR_ARRAY_IDX(b->members, i, iam_member_t *));
    for (i = 0; i < a->groups->nelts; i++)
        assert_same_group(APR_ARRAY_IDX(a->groups, i, iam_group_t *),
                          APR_ARRAY_IDX(b->groups, i, iam_group_t *));
}

static void assert_empty(iam_store_t *s)
{
    iam_workspace_info_t wi;
    dump_t d = dump_of(s);

    OK(iam_store_info(s, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 0);
    ck_assert_int_eq(wi.groups, 0);
    ck_assert_int_eq(wi.owners, 0);
    ck_assert_int_eq(d.members->nelts, 0);
    ck_assert_int_eq(d.groups->nelts, 0);
}

/* ---- arrivals and tokens ---- */

START_TEST(test_arrive_claims_invitation_by_email)
{
    iam_grant_t g = all_of("warehouse-read-only");
    iam_arrive_e what;
    iam_member_t *m;

    add("olivia", NULL, 1);
    OK(iam_store_member_add(st, "test", "pat@corp.example", "pat@corp.example", "Pat", IAM_INVITED,
                            0, &ierr));
    OK(iam_store_grant(st, "test", 0, "pat@corp.example", &g, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("pat@corp.example"), 1, &ierr));
    /* another email: nothing happens, nothing is written */
    OK(iam_store_member_arrive(st, "pat", "other@corp.example", NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    OK(iam_store_member_arrive(st, "pat", "PAT@corp.example", "P. At", 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    m = member("pat");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_str_eq(m->email, "pat@corp.example");
    ck_assert_str_eq(m->name, "Pat");
    ck_assert_ptr_nonnull(grant_in(m->grants, "warehouse-read-only"));
    ck_assert_str_eq(joined(m->groups), "eng");
    ck_assert_str_eq(joined(group("eng")->members), "pat");
    ck_assert_int_gt(m->last_seen, 0);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "pat@corp.example", &m, &ierr));
    ck_assert_int_eq(info().members, 2);
    /* the second arrival finds the member and changes nothing */
    OK(iam_store_member_arrive(st, "pat", "pat@corp.example", NULL, 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    ck_assert_str_eq(audit_actions(1), "member.activate");
}
END_TEST

START_TEST(test_arrive_provisions)
{
    iam_arrive_e what;
    iam_member_t *m;

    add("olivia", "olivia@example.com", 1);
    OK(iam_store_member_arrive(st, "nina", NULL, NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "nina", &m, &ierr));
    OK(iam_store_member_arrive(st, "nina", "nina@corp.example", "Nina New", 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_PROVISIONED);
    m = member("nina");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_str_eq(m->email, "nina@corp.example");
    ck_assert_str_eq(m->name, "Nina New");
    ck_assert_int_eq(m->grants->nelts, 0);
    ck_assert_str_eq(audit_actions(1), "member.provision");
    /* an email already taken is left out, never an error */
    OK(iam_store_member_arrive(st, "ollie", "olivia@example.com", NULL, 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_PROVISIONED);
    ck_assert_str_eq(member("ollie")->email, "");
    /* not on the team plan */
    set_plan(IAM_PLAN_TEAM);
    EXPECT(IAM_PLAN, iam_store_member_arrive(st, "zed", NULL, NULL, 1, &what, &ierr));
}
END_TEST

/* IAMLoginCase exact (the default): a login is its member only as
 * spelt, as Apache's `Require user` compares; a second login that differs
 * only in case is refused whatever the setting. */
/* A request's revision: each change makes a new one, an approval names
 * the one its owner saw, and grants exactly what it says. */
START_TEST(test_request_revisions)
{
    iam_request_t q = {"bob", "source", "web", "/sources/web/", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_request_change_e change;
    iam_request_t *got;
    iam_approval_t a = {"bob", "source", "web", 1, NULL, 0, 0};
    iam_member_t *m;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_NEW);
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_SAME);
    OK(iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    ck_assert_uint_eq(got->rev, 1);
    /* the level changes once at once, then not within the minute */
    q.level = IAM_LEVEL_EDIT;
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_LEVEL);
    ck_assert_str_eq(audit_actions(1), "request.level");
    q.level = IAM_LEVEL_READ;
    EXPECT(IAM_INVALID, iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_SAME);
    q.level = IAM_LEVEL_EDIT;
    q.message = "please";
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_MESSAGE);
    OK(iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    ck_assert_uint_eq(got->rev, 3);
    ck_assert_int_eq(got->level, IAM_LEVEL_EDIT);
    /* an approval of revision 1 (read) grants nothing */
    EXPECT(IAM_STALE, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    /* a role that does not give edit, or is of another type: refused */
    a.rev = 3;
    a.role = "source-read-only";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    a.role = "warehouse-admin";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    a.role = "workspace-owner";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    /* the least, on that one resource */
    a.role = NULL;
    OK(iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(items_text(grant_in(m->grants, "source-admin")), "web");
    EXPECT(IAM_NOTFOUND, iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    /* an owners' page: Workspace Owner, confirmed or not at all */
    q = (iam_request_t){"bob", "owners", "*", "/owners/", IAM_LEVEL_ADMIN, "", 0, 0, 0};
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    a = (iam_approval_t){"bob", "owners", "*", 1, NULL, IAM_APPROVE_ALL, 0};
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_msg(strstr(ierr.msg, "Workspace Owner"), "%s", ierr.msg);
    a.role = "source-admin";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(info().owners, 1);
    a.role = NULL;
    a.owner_confirmed = 1;
    OK(iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(info().owners, 2);
}
END_TEST

/* The request of `login` for source `name` among their history, or NULL. */
static iam_request_t *history_of(const char *login, const char *name)
{
    apr_array_header_t *list;
    int i;

    OK(iam_store_request_history(st, pool, login, &list, &ierr));
    for (i = 0; i < list->nelts; i++) {
        iam_request_t *q = APR_ARRAY_IDX(list, i, iam_request_t *);
        if (!strcmp(q->name, name))
            return q;
    }
    return NULL;
}

/* A request ends when it is answered, or when a change gives the access it
 * asked for, on the resource with the labels it had when refused; the
 * member's other requests stay open, and answered ones are kept for the
 * member to see. */
START_TEST(test_request_lifecycle)
{
    iam_request_t web = {"bob", "source", "web", "/sources/web/", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_request_t ios = {"bob", "source", "ios", "/sources/ios/", IAM_LEVEL_READ, "", 0, 0, 0};
    iam_request_change_e change;
    apr_array_header_t *list;
    iam_request_t *got;
    iam_verify_t v;
    iam_grant_t g;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    web.nlabels = 1;
    web.labels = ITEMS("env:prod");
    OK(iam_store_request_put(st, "member:bob", &web, 10, &change, &ierr));
    OK(iam_store_request_put(st, "member:bob", &ios, 10, &change, &ierr));
    /* a grant on labels that web lacks: both stay */
    g = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:dev"));
    OK(iam_store_grant(st, "console:olivia", 0, "bob", &g, &ierr));
    OK(iam_store_request_list(st, pool, "bob", &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    /* one on its label: web ends, as granted by that change; ios stays */
    g = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    OK(iam_store_grant(st, "console:olivia", 0, "bob", &g, &ierr));
    OK(iam_store_request_list(st, pool, "bob", &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 0, iam_request_t *)->name, "ios");
    ck_assert_int_eq(history_of("bob", "web")->status, IAM_REQUEST_GRANTED);
    ck_assert_str_eq(history_of("bob", "web")->answered_by, "console:olivia");
    ck_assert_int_eq(history_of("bob", "web")->nlabels, 1);
    ck_assert_str_eq(audit_actions(2), "request.granted grant");
    EXPECT(IAM_NOTFOUND, iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    /* dismissed: ended, kept, and not answered twice */
    OK(iam_store_request_dismiss(st, "console:olivia", "bob", "source", "ios", pool, &got, &ierr));
    ck_assert_int_eq(got->status, IAM_REQUEST_DISMISSED);
    ck_assert_int_eq(history_of("bob", "ios")->status, IAM_REQUEST_DISMISSED);
    EXPECT(IAM_NOTFOUND,
           iam_store_request_dismiss(st, "console:olivia", "bob", "source", "ios", pool, &got, &ierr));
    OK(iam_store_request_list(st, pool, NULL, &list, &ierr));
    ck_assert_int_eq(list->nelts, 0);
    /* asking again opens it anew, at the next revision */
    OK(iam_store_request_put(st, "member:bob", &ios, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_NEW);
    OK(iam_store_request_get(st, pool, "bob", "source", "ios", &got, &ierr));
    ck_assert_uint_eq(got->rev, 2);
    ck_assert_int_eq(got->status, IAM_REQUEST_OPEN);
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.nproblems, 0);
    ck_assert_int_eq(v.requests, 2);
    /* a removed member's requests go, answered ones too */
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    add("bob", NULL, 0);
    OK(iam_store_request_history(st, pool, "bob", &list, &ierr));
    ck_assert_int_eq(list->nelts, 0);
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.requests, 0);
}
END_TEST

/* A grant edited in place: exactly the grant shown (else IAM_STALE), the
 * same role, validated as any grant, audited once. */
START_TEST(test_grant_edit)
{
    iam_grant_t old = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout", "web"));
    iam_grant_t now = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    iam_grant_t other = grant_of("source-read-only", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    iam_grant_t labels = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t owner = all_of("workspace-owner");
    iam_member_t *m;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &old, &ierr));
    OK(iam_store_grant_edit(st, "test", 0, "bob", &old, &now, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(items_text(grant_in(m->grants, "source-admin")), "checkout");
    ck_assert_str_eq(audit_actions(1), "grant.edit");
    /* what was shown is no longer so */
    EXPECT(IAM_STALE, iam_store_grant_edit(st, "test", 0, "bob", &old, &now, &ierr));
    /* another role is no edit */
    EXPECT(IAM_INVALID, iam_store_grant_edit(st, "test", 0, "bob", &now, &other, &ierr));
    /* to labels; then a role granted on all only cannot go to resources */
    OK(iam_store_grant_edit(st, "test", 0, "bob", &now, &labels, &ierr));
    ck_assert_int_eq(grant_in(member("bob")->grants, "source-admin")->scope, IAM_SCOPE_LABELS);
    now = grant_of("workspace-owner", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    EXPECT(IAM_INVALID, iam_store_grant_edit(st, "test", 0, "olivia", &owner, &now, &ierr));
    ck_assert_int_eq(info().owners, 1);
    /* a group's */
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &old, &ierr));
    now = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("ios"));
    OK(iam_store_grant_edit(st, "test", 1, "eng", &old, &now, &ierr));
    ck_assert_str_eq(items_text(grant_in(group("eng")->grants, "source-admin")), "ios");
}
END_TEST

START_TEST(test_member_count)
{
    long n;

    add("olivia", "olivia@example.com", 1);
    add("sam", "sam@example.com", 0);
    add("samantha", NULL, 0);
    OK(iam_store_member_add(st, "test", "ivy@corp.example", "ivy@corp.example", NULL, IAM_INVITED,
                            0, &ierr));
    OK(iam_store_member_count(st, pool, NULL, -1, &n, &ierr));
    ck_assert_int_eq(n, 4);
    OK(iam_store_member_count(st, pool, "SAM", -1, &n, &ierr));
    ck_assert_int_eq(n, 2);
    OK(iam_store_member_count(st, pool, NULL, IAM_INVITED, &n, &ierr));
    ck_assert_int_eq(n, 1);
    OK(iam_store_member_count(st, pool, NULL, IAM_ACTIVE, &n, &ierr));
    ck_assert_int_eq(n, 3);
    OK(iam_store_member_count(st, pool, "example", IAM_ACTIVE, &n, &ierr));
    ck_assert_int_eq(n, 2);
    OK(iam_store_member_count(st, pool, "nobody", -1, &n, &ierr));
    ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_login_case)
{
    iam_grant_t g = all_of("warehouse-read-only");
    iam_request_t q = {"olivia", "warehouse", "main", "/w/", IAM_LEVEL_READ, "", 0, 0, 0};
    iam_request_change_e change;
    iam_subject_t subj;
    iam_roles_t roles;
    iam_arrive_e what;
    iam_member_t *m;
    iam_workspace_info_t wi;

    iam_roles_init(&roles);
    ck_assert_int_eq(iam_store_fold_case(st), 0);
    add("Olivia", "olivia@example.com", 1);
    OK(iam_store_subject(st, pool, "Olivia", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.owner, 1);
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "OLIVIA", &roles, &subj, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "olivia", &roles, &subj, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "olivia", &m, &ierr));
    ck_assert_msg(strstr(ierr.msg, "the member is 'Olivia'"), "%s", ierr.msg);
    EXPECT(IAM_NOTFOUND, iam_store_grant(st, "test", 0, "olivia", &g, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_remove(st, "test", "OLIVIA", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_request_put(st, "test", &q, 10, &change, &ierr));
    /* no second member of the same login in another case, by any door */
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "OLIVIA", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_msg(strstr(ierr.msg, "differs only in case"), "%s", ierr.msg);
    EXPECT(IAM_EXISTS, iam_store_member_arrive(st, "OLIVIA", NULL, NULL, 1, &what, &ierr));
    OK(iam_store_member_get(st, pool, "Olivia", &m, &ierr));
    ck_assert_int_eq(info().members, 1);
    /* IAMLoginCase fold: any case is the member */
    fold();
    OK(iam_store_subject(st, pool, "OLIVIA", &roles, &subj, &ierr));
    ck_assert_str_eq(subj.member->login, "Olivia");
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "OLIVIA", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    /* what the server records is what a store opened later follows */
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 1, &ierr));
    iam_store_close(st);
    reopen();
    ck_assert_int_eq(iam_store_fold_case(st), 1);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    iam_store_close(st);
    reopen();
    ck_assert_int_eq(iam_store_fold_case(st), 0);
    ck_assert_str_eq(audit_actions(1), "workspace.login-case");
    wi = info();
    ck_assert_int_eq(wi.members, 1);
}
END_TEST

START_TEST(test_tokens)
{
    const char *token, *token2;
    iam_token_t *t, *seen;
    apr_array_header_t *list;
    iam_verify_t v;
    char *bad;

    add("olivia", NULL, 1);
    add("oscar", NULL, 1);
    EXPECT(IAM_INVALID, iam_store_token_create(st, "test", "nobody", "x", pool, &token, &t, &ierr));
    OK(iam_store_token_create(st, "console:olivia", "olivia", "nightly sync", pool, &token, &t,
                              &ierr));
    ck_assert_int_eq(strlen(token), 4 + 12 + 1 + 40);
    ck_assert_str_eq(t->creator, "console:olivia");
    OK(iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_str_eq(seen->id, t->id);
    ck_assert_str_eq(seen->description, "nightly sync");
    /* wrong secret, unknown id, malformed: all "not found", none crash */
    bad = apr_pstrdup(pool, token);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'a' ? 'b' : 'a';
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, bad, &seen, &ierr));
    ck_assert_ptr_null(strstr(ierr.msg, bad + 17)); /* never the secret */
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool,
                                               "tok_000000000000.0000000000000000000000"
                                               "000000000000000000",
                                               &seen, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, "abc", &seen, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, "", &seen, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, NULL, &seen, &ierr));
    OK(iam_store_token_create(st, "test", "olivia", "second", pool, &token2, &t, &ierr));
    OK(iam_store_token_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    OK(iam_store_token_revoke(st, "test", APR_ARRAY_IDX(list, 0, iam_token_t *)->id, &ierr));
    OK(iam_store_token_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    EXPECT(IAM_NOTFOUND, iam_store_token_revoke(st, "test", "tok_nope", &ierr));
    EXPECT(IAM_INVALID, iam_store_token_create(st, "test", "olivia", "", pool, &token, &t, &ierr));
    ck_assert_str_eq(audit_actions(3), "token.revoke token.create token.create");
    /* a token dies with its owner's authority */
    OK(iam_store_token_create(st, "test", "olivia", "third", pool, &token2, &t, &ierr));
    OK(iam_store_token_check(st, pool, token2, &seen, &ierr));
    OK(iam_store_revoke(st, "test", 0, "olivia",
                        &(iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL}, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token2, &seen, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "no longer a Workspace Owner"));
    /* for good: the owner made one again does not revive it */
    OK(iam_store_grant(st, "test", 0, "olivia",
                       &(iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL}, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token2, &seen, &ierr));
    ck_assert_msg(strstr(ierr.msg, "is dead: its owner 'olivia' is no longer a Workspace Owner"),
                  "%s", ierr.msg);
    ck_assert_int_eq(iam_store_token_matches(st, pool, token2), 0);
    /* removed, then a member of that login again (in another case) */
    OK(iam_store_token_create(st, "test", "oscar", "oscar's", pool, &token, &t, &ierr));
    ck_assert_int_eq(iam_store_token_matches(st, pool, token), 1);
    OK(iam_store_member_remove(st, "test", "oscar", &ierr));
    OK(iam_store_member_add(st, "test", "OSCAR", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_msg(strstr(ierr.msg, "'oscar' was removed"), "%s", ierr.msg);
    /* a live token whose owner lost the owner index without it (a store
     * of an earlier release) does not come back with a new owner */
    OK(iam_store_token_create(st, "test", "olivia", "older", pool, &token, &t, &ierr));
    iam_store_close(st);
    raw_del(sdir, "Oolivia", 7);
    reopen();
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token, &seen, &ierr));
    {
        apr_array_header_t *owner = apr_array_make(pool, 1, sizeof(iam_grant_t));
        iam_member_spec_t sp = {"olivia", NULL, NULL, IAM_ACTIVE, -1, owner, NULL};
        *(iam_grant_t *)apr_array_push(owner) = all_of("workspace-owner");
        OK(iam_store_member_put(st, "test", &sp, 0, &ierr)); /* the index made anew */
    }
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_msg(strstr(ierr.msg, "an owner of that login from before"), "%s", ierr.msg);
    /* listed as dead, with when and why */
    OK(iam_store_token_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 4);
    for (int i = 0; i < list->nelts; i++) {
        iam_token_t *tk = APR_ARRAY_IDX(list, i, iam_token_t *);
        ck_assert_msg(tk->dead > 0 && *tk->dead_why, "%s is not dead", tk->id);
    }
    ck_assert_int_eq(iam_store_verify(st, pool, &v, &ierr), IAM_OK);
    ck_assert_int_eq(v.nproblems, 0);
}
END_TEST

START_TEST(test_dump_import_round_trip)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_workspace_info_t wi;
    dump_t before, after;

    populate();
    before = dump_of(st);
    ck_assert_int_eq(before.members->nelts, 3);
    ck_assert_int_eq(before.groups->nelts, 2);
    /* PII access has no setter of its own: import is how it arrives. */
    APR_ARRAY_IDX(before.members, 1, iam_member_t *)->pii = 1;
    APR_ARRAY_IDX(before.groups, 1, iam_group_t *)->pii = 1;
    OK(iam_store_import(copy, "test", before.plan, before.members, before.groups, &ierr));
    after = dump_of(copy);
    assert_same_dump(&before, &after);
    OK(iam_store_info(copy, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 3);
    ck_assert_int_eq(wi.groups, 2);
    ck_assert_int_eq(wi.owners, 1);
}
END_TEST

/* An export restores when the groups were made, as it does for members. */
START_TEST(test_import_keeps_created)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_member_t *m;
    iam_group_t *g;
    dump_t d;

    populate();
    d = dump_of(st);
    APR_ARRAY_IDX(d.members, 0, iam_member_t *)->created = 1000000000;
    APR_ARRAY_IDX(d.groups, 0, iam_group_t *)->created = 1000000000;
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    OK(iam_store_member_get(copy, pool, "alice", &m, &ierr));
    ck_assert_int_eq(m->created, 1000000000);
    OK(iam_store_group_get(copy, pool, "eng", &g, &ierr));
    ck_assert_int_eq(g->created, 1000000000);
}
END_TEST

/* Import fills a store; the plan stays the one httpd.conf recorded, as
 * with iam_store_set_plan. */
START_TEST(test_import_keeps_server_plan)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_workspace_info_t wi;
    iam_roles_t roles;
    iam_status_e rc;
    dump_t d;

    populate(); /* business: groups and labels */
    d = dump_of(st);
    iam_roles_init(&roles);
    OK(iam_store_set_workspace(copy, "server", IAM_PLAN_TEAM, &roles, 0, &ierr));
    memset(&ierr, 0, sizeof(ierr));
    rc = iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr);
    OK(iam_store_info(copy, &wi, pool, &ierr));
    ck_assert_msg(wi.plan == IAM_PLAN_TEAM,
                  "import (%s) replaced the server's team plan with %s and loaded %d groups",
                  iam_status_str(rc), iam_plan_name(wi.plan), wi.groups);
}
END_TEST

START_TEST(test_import_into_non_empty)
{
    iam_store_t *copy = open_other("copy", 0);
    dump_t d, target;

    populate();
    d = dump_of(st);
    OK(iam_store_member_add(copy, "test", "zed", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    EXPECT(IAM_EXISTS, iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    target = dump_of(copy);
    ck_assert_int_eq(target.members->nelts, 1);
    ck_assert_int_eq(target.groups->nelts, 0);
    ck_assert_str_eq(APR_ARRAY_IDX(target.members, 0, iam_member_t *)->login, "zed");
    /* Into itself, too. */
    EXPECT(IAM_EXISTS, iam_store_import(st, "test", d.plan, d.members, d.groups, &ierr));
    target = dump_of(st);
    assert_same_dump(&d, &target);
}
END_TEST

START_TEST(test_import_all_or_nothing)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_member_t *last;
    iam_grant_t *g;
    dump_t d;

    populate();
    d = dump_of(st);
    /* The last member's first grant names a role no one declared. */
    last = APR_ARRAY_IDX(d.members, d.members->nelts - 1, iam_member_t *);
    g = apr_array_push(last->grants);
    *g = all_of("no-such-role");
    ck_assert_int_ne(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr), IAM_OK);
    assert_empty(copy);

    /* A member in a group the file does not define. */
    apr_array_pop(last->grants);
    APR_ARRAY_PUSH(last->groups, const char *) = "undefined";
    ck_assert_int_ne(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr), IAM_OK);
    assert_empty(copy);

    /* Groups on a plan without them. */
    apr_array_pop(last->groups);
    EXPECT(IAM_PLAN, iam_store_import(copy, "test", IAM_PLAN_TEAM, d.members, d.groups, &ierr));
    assert_empty(copy);
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
}
END_TEST

START_TEST(test_import_needs_an_owner)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_member_t *alice;
    dump_t d;

    populate();
    d = dump_of(st);
    alice = APR_ARRAY_IDX(d.members, 0, iam_member_t *);
    ck_assert_str_eq(alice->login, "alice");
    apr_array_clear(alice->grants);
    EXPECT(IAM_LAST_OWNER, iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    assert_empty(copy);
}
END_TEST

/* ---- versions and damage ---- */

START_TEST(test_version_mismatch)
{
    iam_store_t *s2 = NULL;

    add("alice", NULL, 1);
    iam_store_close(st);
    raw_put(sdir, "\x01version", 8, "99", 2);
    EXPECT(IAM_VERSION, iam_store_open(&s2, sdir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "99"));
    ck_assert_ptr_null(s2);
    EXPECT(IAM_VERSION, iam_store_open(&s2, sdir, 0, IAM_OPEN_CREATE, pool, &ierr));
    EXPECT(IAM_VERSION, iam_store_open(&s2, sdir, 0, IAM_OPEN_RDONLY, pool, &ierr));
}
END_TEST

START_TEST(test_foreign_lmdb)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/foreign", NULL);
    iam_store_t *s2 = NULL;
    MDB_val v;

    ck_assert_int_eq(mkdir(dir, 0750), 0);
    raw_put(dir, "hello", 5, "world", 5);
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, dir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "not a mod_iam store"));
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, dir, 0, IAM_OPEN_RDONLY, pool, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, dir, 0, IAM_OPEN_CREATE, pool, &ierr));
    ck_assert_ptr_null(s2);
    /* Left as it was: no version key written into someone else's data. */
    ck_assert_ptr_null(raw_get(dir, "\x01version", 8).mv_data);
    v = raw_get(dir, "hello", 5);
    ck_assert_uint_eq(v.mv_size, 5);
}
END_TEST

/* A planted link must not make the store (perhaps run by root) write or
 * chown a file elsewhere. */
START_TEST(test_linked_files_refused)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/linked", NULL);
    const char *victim = apr_pstrcat(pool, tmp_dir, "/victim", NULL);
    const char *lock = apr_pstrcat(pool, dir, "/lock.mdb", NULL);
    const char *data = apr_pstrcat(pool, dir, "/data.mdb", NULL);
    iam_store_t *s2 = open_other("linked", 0);

    iam_store_close(s2);
    write_file(victim, "x", 1);
    ck_assert_int_eq(unlink(lock), 0);
    ck_assert_int_eq(symlink(victim, lock), 0);
    s2 = NULL;
    EXPECT(IAM_ACCESS, iam_store_open(&s2, dir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "not a plain file"));
    ck_assert(same_file(victim, "x", 1));

    /* a hard link to data.mdb: refused too, and never given away */
    ck_assert_int_eq(unlink(lock), 0);
    ck_assert_int_eq(link(data, apr_pstrcat(pool, tmp_dir, "/hard", NULL)), 0);
    EXPECT(IAM_ACCESS, iam_store_open(&s2, dir, 0, 0, pool, &ierr));
    if (geteuid() == 0)
        EXPECT(IAM_ACCESS, iam_store_chown(dir, 65534, 65534, &ierr));
}
END_TEST

START_TEST(test_grant_too_many_items)
{
    const char **items = apr_pcalloc(pool, sizeof(char *) * (IAM_MAX_ITEMS + 2));
    iam_grant_t g;
    int i;

    add("bob", NULL, 0);
    for (i = 0; i <= IAM_MAX_ITEMS; i++)
        items[i] = apr_psprintf(pool, "r%d", i);
    g = grant_of("source-admin", IAM_SCOPE_RESOURCES, items);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    items[IAM_MAX_ITEMS] = NULL;
    g = grant_of("source-admin", IAM_SCOPE_RESOURCES, items);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    ck_assert_int_eq(grant_in(member("bob")->grants, "source-admin")->nitems, IAM_MAX_ITEMS);
    /* merging past the limit is refused as well */
    items[0] = "one-more";
    items[1] = NULL;
    g = grant_of("source-admin", IAM_SCOPE_RESOURCES, items);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
}
END_TEST

START_TEST(test_garbage_data_file)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/garbage", NULL);
    static const int flags[] = {0, IAM_OPEN_RDONLY, IAM_OPEN_CREATE};
    unsigned char junk[65536];
    unsigned x = 12345;
    iam_store_t *s2 = NULL;
    size_t i;

    for (i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    ck_assert_int_eq(mkdir(dir, 0750), 0);
    write_file(apr_pstrcat(pool, dir, "/data.mdb", NULL), junk, sizeof(junk));
    for (i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
        memset(&ierr, 0, sizeof(ierr));
        ck_assert_int_ne(iam_store_open(&s2, dir, 0, flags[i], pool, &ierr), IAM_OK);
        ck_assert_ptr_null(s2);
        ck_assert_msg(ierr.msg[0] != '\0', "no message for a garbage data.mdb");
    }
    /* Not even IAM_OPEN_CREATE writes over a file it cannot read. */
    ck_assert_msg(same_file(apr_pstrcat(pool, dir, "/data.mdb", NULL), junk, sizeof(junk)),
                  "data.mdb was changed");
}
END_TEST

/* A data.mdb cut short (a full disk, a copy stopped half-way): LMDB would
 * map it and the first read past its end would kill the process with
 * SIGBUS (a Check error here, not a failure). Opened every way, it is a
 * clear IAM_CORRUPT, and nothing writes to it. */
START_TEST(test_truncated_data_file)
{
    static const int flags[] = {0, IAM_OPEN_RDONLY, IAM_OPEN_CREATE};
    const char *data = apr_pstrcat(pool, sdir, "/data.mdb", NULL);
    iam_store_t *s2 = NULL;
    struct stat sb;
    off_t cut;
    size_t i;
    int n;

    add("alice", NULL, 1);
    for (n = 0; n < 400; n++)
        add(apr_psprintf(pool, "member%03d-with-a-longer-login-to-fill-pages", n), NULL, 0);
    iam_store_close(st);
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_msg(sb.st_size > 16 * 4096, "a store of %ld bytes is too small", (long)sb.st_size);
    cut = sb.st_size / 2;
    ck_assert_int_eq(truncate(data, cut), 0);
    for (i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
        EXPECT(IAM_CORRUPT, iam_store_open(&s2, sdir, 0, flags[i], pool, &ierr));
        ck_assert_ptr_null(s2);
        ck_assert_msg(strstr(ierr.msg, "cut short") && strstr(ierr.msg, "bytes"), "%s", ierr.msg);
    }
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(sb.st_size, cut);
}
END_TEST

/* An empty or missing data.mdb: a store that existed is never made anew
 * (LMDB would make an empty file a fresh store), and only IAM_OPEN_CREATE
 * (iamctl init) makes a missing one. */
START_TEST(test_empty_data_file_not_recreated)
{
    const char *data = apr_pstrcat(pool, sdir, "/data.mdb", NULL);
    iam_store_t *s2 = NULL;
    struct stat sb;

    add("alice", NULL, 1);
    iam_store_close(st);
    ck_assert_int_eq(truncate(data, 0), 0);
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, sdir, 0, 0, pool, &ierr));
    ck_assert_msg(strstr(ierr.msg, "empty (0 bytes)"), "%s", ierr.msg);
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, sdir, 0, IAM_OPEN_CREATE, pool, &ierr));
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(sb.st_size, 0);
    /* missing: not there, and not made, unless asked to create */
    ck_assert_int_eq(unlink(data), 0);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, sdir, 0, 0, pool, &ierr));
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, sdir, 0, IAM_OPEN_RDONLY, pool, &ierr));
    ck_assert_int_ne(stat(data, &sb), 0);
    OK(iam_store_open(&s2, sdir, 0, IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
    ck_assert_int_eq(stat(data, &sb), 0);
}
END_TEST

/* Overwrites a record ('M' member or 'G' group) with `bytes` and reopens
 * the store. */
static void damage(char type, const char *name, const void *bytes, size_t n)
{
    size_t klen;
    const char *key = rec_key(type, name, &klen);

    iam_store_close(st);
    raw_put(sdir, key, klen, bytes, n);
    reopen();
}

START_TEST(test_damaged_member_record)
{
    static const unsigned char junk[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37};
    iam_member_t *m;
    iam_group_t *g;
    iam_subject_t subj;
    iam_roles_t roles;
    apr_array_header_t *list;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob"), 2, &ierr));
    damage('M', "bob", junk, sizeof(junk));

    EXPECT(IAM_CORRUPT, iam_store_member_get(st, pool, "bob", &m, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "bob"));
    EXPECT(IAM_CORRUPT, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_member_list(st, pool, NULL, 0, 0, &list, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_group_get(st, pool, "eng", &g, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_member_remove(st, "test", "bob", &ierr));
    /* The rest of the store still reads. */
    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.owner, 1);
}
END_TEST

/* A damaged group record fails every read and write of the group closed.
 * Its members' decisions read the copy of its grants their own records
 * carry, written whole by the last change, so they go on as before. */
START_TEST(test_damaged_group_record)
{
    static const unsigned char junk[] = {0x01, 0x00, 0xff, 0xff, 0xff, 0xff};
    iam_grant_t g = all_of("source-admin");
    iam_subject_t subj;
    iam_roles_t roles;
    iam_group_t *grp;
    apr_array_header_t *list;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &g, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    damage('G', "eng", junk, sizeof(junk));

    EXPECT(IAM_CORRUPT, iam_store_group_get(st, pool, "eng", &grp, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_group_list(st, pool, &list, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_grant(st, "test", 1, "eng", &g, &ierr));
    /* writing bob's record again needs the group: refused, nothing changes */
    EXPECT(IAM_CORRUPT, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.nsets, 2);
    ck_assert_str_eq(subj.sets[1].via, "eng");
    ck_assert_int_eq(subj.sets[0].ngrants, 0);
    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
}
END_TEST

/* Every cut of a good record is a damaged record, never a wrong one. */
START_TEST(test_truncated_member_record)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web", "api"));
    size_t klen, n;
    const char *key = rec_key('M', "bob", &klen);
    iam_member_t *m;
    iam_subject_t subj;
    iam_roles_t roles;
    MDB_val good;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    OK(iam_store_member_add(st, "test", "bob", "bob@example.com", "Bob", IAM_ACTIVE, 0, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    iam_store_close(st);
    good = raw_get(sdir, key, klen);
    ck_assert_ptr_nonnull(good.mv_data);
    reopen();
    for (n = 0; n < good.mv_size; n++) {
        damage('M', "bob", good.mv_data, n);
        EXPECT(IAM_CORRUPT, iam_store_member_get(st, pool, "bob", &m, &ierr));
        EXPECT(IAM_CORRUPT, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    }
    damage('M', "bob", good.mv_data, good.mv_size);
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "web api");
}
END_TEST

/* Any byte of a member record changed to anything: the store reads it as
 * damaged or as some record, and never reads outside it (ASan watches). */
START_TEST(test_flipped_member_record)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web", "api"));
    iam_grant_t l = grant_of("personas-user", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    size_t klen, n, v;
    const char *key = rec_key('M', "bob", &klen);
    iam_subject_t subj;
    iam_roles_t roles;
    MDB_val good;
    int s, i, j;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    OK(iam_store_member_add(st, "test", "bob", "bob@example.com", "Bob", IAM_ACTIVE, 0, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &l, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    iam_store_close(st);
    good = raw_get(sdir, key, klen);
    reopen();
    for (n = 0; n < good.mv_size; n++) {
        for (v = 0; v < sizeof(values); v++) {
            unsigned char *bad = apr_pmemdup(pool, good.mv_data, good.mv_size);
            iam_status_e rc;
            if (bad[n] == values[v])
                continue;
            bad[n] = values[v];
            damage('M', "bob", bad, good.mv_size);
            rc = iam_store_subject(st, pool, "bob", &roles, &subj, &ierr);
            ck_assert_msg(rc == IAM_OK || rc == IAM_CORRUPT, "byte %zu = %02x: %s", n, values[v],
                          iam_status_str(rc));
            for (s = 0; rc == IAM_OK && s < subj.nsets; s++) {
                ck_assert(s == 0 || strlen(subj.sets[s].via) < good.mv_size);
                for (i = 0; i < subj.sets[s].ngrants; i++) {
                    const iam_grant_t *gr = &subj.sets[s].grants[i];
                    ck_assert(strlen(gr->role) < good.mv_size);
                    for (j = 0; j < gr->nitems; j++)
                        ck_assert(strlen(gr->items[j]) < good.mv_size);
                }
            }
        }
    }
}
END_TEST

/* ---- the copy of their groups' grants that member records carry ---- */

/* The grant sets a decision sees for `login`, as "via:role,role via:role". */
static const char *sets_text(const char *login)
{
    iam_subject_t subj;
    iam_roles_t roles;
    const char *out = "";
    int s, i;

    iam_roles_init(&roles);
    OK(iam_store_subject(st, pool, login, &roles, &subj, &ierr));
    for (s = 0; s < subj.nsets; s++) {
        out = apr_pstrcat(pool, out, s ? " " : "", subj.sets[s].via ? subj.sets[s].via : "-", ":",
                          NULL);
        for (i = 0; i < subj.sets[s].ngrants; i++)
            out = apr_pstrcat(pool, out, i ? "," : "", subj.sets[s].grants[i].role, NULL);
    }
    return out;
}

/* Every change to a group, its grants or its members reaches the records of
 * the members it concerns, in the same transaction. */
START_TEST(test_member_record_follows_groups)
{
    iam_grant_t ro = all_of("source-read-only"), wh = all_of("warehouse-read-only");
    iam_group_spec_t sp = {"data", 1, NULL, NULL};
    iam_subject_t subj;
    iam_roles_t roles;

    iam_roles_init(&roles);
    add("olivia", NULL, 1);
    add_members(ITEMS("bob", "carol"));
    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob", "carol"), 2, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: Eng:");
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: Eng:source-read-only");
    ck_assert_str_eq(sets_text("carol"), "-: Eng:source-read-only");
    OK(iam_store_grant(st, "test", 0, "bob", &wh, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:warehouse-read-only Eng:source-read-only");
    OK(iam_store_revoke(st, "test", 1, "eng", &ro, 0, &ierr));
    ck_assert_str_eq(sets_text("carol"), "-: Eng:");
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 0, ITEMS("carol"), 1, &ierr));
    ck_assert_str_eq(sets_text("carol"), "-:");
    /* a second group, its personal-data flag, then the first one deleted */
    sp.grants = grants_of(&wh, 1);
    sp.members = names_of(ITEMS("bob"));
    OK(iam_store_group_put(st, "test", &sp, 1, &ierr));
    ck_assert_str_eq(sets_text("bob"), /* groups in name order */
                     "-:warehouse-read-only data:warehouse-read-only Eng:source-read-only");
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.pii, 1);
    OK(iam_store_group_delete(st, "test", "eng", &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:warehouse-read-only data:warehouse-read-only");
    ck_assert_str_eq(joined(member("bob")->groups), "data");
    /* a member removed and added again starts with nothing */
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    add("bob", NULL, 0);
    ck_assert_str_eq(sets_text("bob"), "-:");
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.pii, 0);
}
END_TEST

/* A handle remembers where it found member records, for as long as the
 * store's last commit is the one it read them in (store.c, memo_t). Any
 * commit, by another handle (another httpd child, iamctl) or by this one,
 * must reach its next read: a grant, a revoke, a removal, the same login
 * added again, a group's change, each read back at once, many times over
 * the same memo slot. */
START_TEST(test_memo_follows_every_commit)
{
    iam_grant_t ro = all_of("source-read-only");
    iam_store_t *other;
    iam_subject_t subj;
    iam_roles_t roles;
    unsigned long hits;
    int i;

    iam_roles_init(&roles);
    OK(iam_store_open(&other, sdir, 0, 0, pool, &ierr));
    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(other, "test", "Eng", &ierr));
    for (i = 0; i < 40; i++) {
        /* twice each: the second read is the remembered one (a hit), and
         * right after the commit that changed it, never */
        hits = iam_store_memo_hits(st);
        ck_assert_str_eq(sets_text("bob"), i % 2 ? "-:source-read-only" : "-:");
        ck_assert_msg(iam_store_memo_hits(st) == hits, "a hit across a commit (round %d)", i);
        ck_assert_str_eq(sets_text("bob"), i % 2 ? "-:source-read-only" : "-:");
        ck_assert_msg(iam_store_memo_hits(st) == hits + 1, "no hit on a second read (round %d)", i);
        if (i % 2)
            OK(iam_store_revoke(i % 4 == 1 ? other : st, "test", 0, "bob", &ro, 0, &ierr));
        else
            OK(iam_store_grant(i % 4 == 0 ? other : st, "test", 0, "bob", &ro, &ierr));
    }
    ck_assert_str_eq(sets_text("bob"), "-:");
    OK(iam_store_group_members(other, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_grant(other, "test", 1, "eng", &ro, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: Eng:source-read-only");
    ck_assert_str_eq(sets_text("bob"), "-: Eng:source-read-only");
    OK(iam_store_member_remove(other, "test", "bob", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    OK(iam_store_member_add(other, "test", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:");
    /* a write that changes nothing the decision reads still commits */
    OK(iam_store_member_activate(other, "bob", &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:");
}
END_TEST

/* A store of format 1 (member records without their groups) is read as it
 * is, and upgraded whole by the first write of this release, whoever opens
 * it; a store of a newer format is refused. */
START_TEST(test_upgrade_format_1)
{
    /* bob's record as format 2 wrote it: Source Read-only on "web" */
    static const unsigned char v2[] = {
        2,   0,   0, 0, 0,  0,   0,   0,   0,   0,   0,   0,   3,   'b', 'o', 'b', 0,   0,   0,
        0,   0,   1, 0, 16, 's', 'o', 'u', 'r', 'c', 'e', '-', 'r', 'e', 'a', 'd', '-', 'o', 'n',
        'l', 'y', 1, 0, 1,  0,   3,   'w', 'e', 'b', 0,   0,   0,   0,   0,   0,   0,   0};
    iam_grant_t wh = all_of("warehouse-read-only");
    size_t klen, vlen;
    const char *vkey = rec_key(0x01, "version", &vlen);
    const char *mkey = rec_key('M', "bob", &klen);
    iam_store_t *other;
    MDB_val rec;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &wh, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    iam_store_close(st);
    raw_put(sdir, vkey, vlen, "1", 1);
    raw_put(sdir, mkey, klen, v2, sizeof(v2));

    reopen(); /* as the module and iamctl open it */
    ck_assert_str_eq(sets_text("bob"), "-:source-read-only eng:warehouse-read-only");
    ck_assert_int_eq(((unsigned char *)raw_get(sdir, mkey, klen).mv_data)[0], 2);
    add("carol", NULL, 0); /* any write */
    iam_store_close(st);
    rec = raw_get(sdir, mkey, klen);
    ck_assert_int_eq(((unsigned char *)rec.mv_data)[0], 3);
    rec = raw_get(sdir, vkey, vlen);
    ck_assert_int_eq(rec.mv_size, 1);
    ck_assert_int_eq(*(char *)rec.mv_data, '0' + IAM_STORE_FORMAT);
    reopen();
    ck_assert_str_eq(sets_text("bob"), "-:source-read-only eng:warehouse-read-only");
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-read-only")), "web");

    /* a newer format: opening says so, and nothing is written */
    iam_store_close(st);
    raw_put(sdir, vkey, vlen, "7", 1);
    EXPECT(IAM_VERSION, iam_store_open(&other, sdir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "version 7"));
    raw_put(sdir, vkey, vlen, "05", 2);
    EXPECT(IAM_VERSION, iam_store_open(&other, sdir, 0, 0, pool, &ierr));
    /* formats 2 to 4 (earlier releases): read as they are, renumbered by a write */
    {
        static const char *older[] = {"2", "3", "4", "5"};
        size_t i;
        for (i = 0; i < sizeof(older) / sizeof(*older); i++) {
            raw_put(sdir, vkey, vlen, older[i], 1);
            reopen();
            add(apr_psprintf(pool, "dave%d", (int)i), NULL, 0);
            iam_store_close(st);
            ck_assert_int_eq(*(char *)raw_get(sdir, vkey, vlen).mv_data, '0' + IAM_STORE_FORMAT);
        }
    }
    reopen();
}
END_TEST

/* A group whose grants are too big to copy into every member is held by
 * reference: member records stay small, and decisions read the group. */
START_TEST(test_big_group_grants_by_reference)
{
    const char *many[301];
    iam_grant_t big, small = all_of("warehouse-read-only");
    size_t klen;
    const char *key = rec_key('M', "bob", &klen);
    iam_roles_t roles;
    iam_subject_t subj;
    iam_decision_t d;
    iam_resource_t res = {"source", "s299", 0, NULL};
    int i;

    for (i = 0; i < 300; i++)
        many[i] = apr_psprintf(pool, "s%d", i);
    many[300] = NULL;
    big = grant_of("source-admin", IAM_SCOPE_RESOURCES, many);
    iam_roles_init(&roles);
    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "big", &ierr));
    OK(iam_store_group_members(st, "test", "big", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_grant(st, "test", 1, "big", &big, &ierr));
    iam_store_close(st);
    ck_assert_uint_lt(raw_get(sdir, key, klen).mv_size, 200);
    reopen();
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    d = iam_policy_decide(&roles, IAM_PLAN_BUSINESS, subj.sets, subj.nsets, &res, IAM_LEVEL_ADMIN);
    ck_assert_msg(d.allow, "%s", d.reason);
    ck_assert_str_eq(d.via, "big");
    /* changed while held by reference: the next decision sees it */
    OK(iam_store_revoke(st, "test", 1, "big", &big, 1, &ierr));
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    d = iam_policy_decide(&roles, IAM_PLAN_BUSINESS, subj.sets, subj.nsets, &res, IAM_LEVEL_READ);
    ck_assert(!d.allow);
    /* small again: copied */
    OK(iam_store_grant(st, "test", 1, "big", &small, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: big:warehouse-read-only");
    iam_store_close(st);
    ck_assert_ptr_nonnull(memmem(raw_get(sdir, key, klen).mv_data, raw_get(sdir, key, klen).mv_size,
                                 "warehouse-read-only", 19));
    reopen();
}
END_TEST

/* ---- verify ---- */

static iam_verify_t verify(void)
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
static const char *problems(const iam_verify_t *v)
{
    const char *out = "";
    int i;

    for (i = 0; i < v->problems->nelts; i++)
        out = apr_pstrcat(pool, out, APR_ARRAY_IDX(v->problems, i, const char *), "\n", NULL);
    return out;
}

START_TEST(test_verify_clean_and_damaged)
{
    iam_grant_t ro = all_of("source-read-only");
    size_t klen;
    const char *gkey = rec_key('G', "eng", &klen);
    MDB_val before;
    iam_verify_t v;

    add("olivia", "olivia@example.com", 1);
    add("bob", "bob@example.com", 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    v = verify();
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    ck_assert_int_eq(v.members, 2);
    ck_assert_int_eq(v.groups, 1);
    ck_assert_int_eq(v.links, 1);

    /* a group record put back as it was before a grant: bob's copy is stale */
    iam_store_close(st);
    before = raw_get(sdir, gkey, klen);
    reopen();
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    iam_store_close(st);
    raw_put(sdir, gkey, klen, before.mv_data, before.mv_size);
    /* (and the role index says eng holds Source Read-only) one side of a
     * membership, an owner index entry and an email index entry that lie,
     * a record of no known type */
    raw_put(sdir, "g\0ghost", 7, "", 0);
    raw_put(sdir, "gghost\0bob", 10, "", 0);
    raw_put(sdir, "Obob", 4, "", 0);
    raw_put(sdir, "Enobody@example.com", 19, "nobody", 6);
    raw_put(sdir, "Zzz", 3, "", 0);
    reopen();
    v = verify();
    ck_assert_ptr_nonnull(strstr(problems(&v), "member 'bob' carries a stale copy of group 'eng'"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "the owner index is wrong for member 'bob'"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "leads nobody@example.com to missing member"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "unknown type 0x5a"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "a membership key is damaged"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "a membership names missing group 'ghost'"));
    ck_assert_ptr_nonnull(
        strstr(problems(&v), "the membership of 'bob' in 'ghost' has one side only"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "the role index says group 'eng' holds "
                                               "source-read-only on all, which it does not"));
    ck_assert_msg(v.nproblems == 8, "%s", problems(&v));

    /* a damaged group record: reported, and the scan goes on */
    iam_store_close(st);
    raw_put(sdir, gkey, klen, "\xff", 1);
    reopen();
    v = verify();
    ck_assert_ptr_nonnull(strstr(problems(&v), "group record 'eng' is damaged"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "unknown type 0x5a"));
}
END_TEST

/* ---- the console's lists: name order, pages, role holders (format 5) ---- */

/* A query of the members (group NULL) or of one group's members. */
static iam_member_page_t query_of(const char *group, const char *search, int status,
                                  const char *after, const char *before, int limit)
{
    iam_member_query_t q = {search, status, after, before, limit};
    iam_member_page_t pg;

    if (group)
        OK(iam_store_group_member_query(st, pool, group, &q, &pg, &ierr));
    else
        OK(iam_store_member_query(st, pool, &q, &pg, &ierr));
    return pg;
}

static iam_member_page_t query(const char *search, int status, const char *after,
                               const char *before, int limit)
{
    return query_of(NULL, search, status, after, before, limit);
}

/* A page's logins, "a b c". */
static const char *page_text(const iam_member_page_t *pg)
{
    const char *s = "";
    int i;

    for (i = 0; i < pg->members->nelts; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", APR_ARRAY_IDX(pg->members, i, iam_member_t *)->login,
                        NULL);
    return s;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Who holds `role` on `on` (NULL: anywhere): "m:login ... g:group ...",
 * each kind sorted. */
static const char *holders_on(const char *role, const iam_resource_t *on)
{
    apr_array_header_t *members, *groups;
    const char *s = "";
    int i;

    OK(iam_store_role_holders(st, pool, role, on, &members, &groups, &ierr));
    for (i = 0; i < members->nelts; i++) /* each member by their login, then sorted */
        APR_ARRAY_IDX(members, i, const char *) = APR_ARRAY_IDX(members, i, iam_member_t *)->login;
    qsort(members->elts, (size_t)members->nelts, sizeof(char *), by_text);
    for (i = 0; i < members->nelts; i++)
        s = apr_pstrcat(pool, s, *s ? " " : "", "m:", APR_ARRAY_IDX(members, i, const char *),
                        NULL);
    for (i = 0; i < groups->nelts; i++)
        s = apr_pstrcat(pool, s, *s ? " " : "", "g:", APR_ARRAY_IDX(groups, i, iam_group_t *)->name,
                        NULL);
    return s;
}

static const char *holders(const char *role)
{
    return holders_on(role, NULL);
}

/* The logins of the first page of a query with no cursor. */
static const char *first_page(const char *group, const char *search)
{
    iam_member_page_t pg = query_of(group, search, -1, NULL, NULL, 0);

    return page_text(&pg);
}

static void add_named(const char *login, const char *name, iam_member_status_e status)
{
    OK(iam_store_member_add(st, "test", login, NULL, name, status, 0, &ierr));
}

static void rename_member(const char *login, const char *name)
{
    iam_member_spec_t sp = {login, NULL, name, IAM_ACTIVE, -1, NULL, NULL};

    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
}

/* By display name (the login when the name is empty), ASCII case folded,
 * then by login; other UTF-8 bytes compare as they are. */
START_TEST(test_query_name_order)
{
    iam_member_page_t pg;
    iam_member_t *m;

    add("olivia", NULL, 1);                         /* no name: "olivia" */
    add_named("zed", "Banana", IAM_ACTIVE);         /* "banana" */
    add_named("yan", "apple", IAM_ACTIVE);          /* "apple" */
    add_named("sam2", "Sam", IAM_ACTIVE);           /* a tie, broken by login */
    add_named("Sam1", "sam", IAM_INVITED);          /* (the login's case aside) */
    add_named("emile", "\xc3\x89mile", IAM_ACTIVE); /* É: after every ASCII letter */
    add_named("Carrot", NULL, IAM_ACTIVE);          /* no name: "carrot" */
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "yan zed Carrot olivia Sam1 sam2 emile");
    ck_assert_int_eq(pg.offset, 0);
    ck_assert_int_eq(pg.total, 7);
    ck_assert_ptr_null(pg.prev);
    ck_assert_ptr_null(pg.next);
    /* the members come whole, with their groups */
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("zed"), 1, &ierr));
    pg = query("banana", -1, NULL, NULL, 0);
    ck_assert_int_eq(pg.members->nelts, 1);
    m = APR_ARRAY_IDX(pg.members, 0, iam_member_t *);
    ck_assert_str_eq(m->name, "Banana");
    ck_assert_str_eq(joined(m->groups), "eng");
}
END_TEST

/* A rename, a name cleared, an email changed, an activation, a removal: the
 * order and what a search or a filter finds follow in the same write. */
START_TEST(test_query_follows_changes)
{
    iam_member_spec_t sp = {"bob", "bob@new.example", NULL, IAM_ACTIVE, -1, NULL, NULL};
    iam_member_page_t pg;

    add("olivia", NULL, 1);
    add_named("bob", "Bob", IAM_INVITED);
    add_named("carl", "Carl", IAM_ACTIVE);
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "bob carl olivia");
    rename_member("bob", "Zoe");
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "carl olivia bob");
    ck_assert_int_eq(query("bob", -1, NULL, NULL, 0).total, 1); /* the login still matches */
    ck_assert_int_eq(query("zoe", -1, NULL, NULL, 0).total, 1);
    rename_member("carl", ""); /* the login then: "carl" still, but by login */
    rename_member("olivia", "Al");
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "olivia carl bob");
    ck_assert_int_eq(query("Carl", -1, NULL, NULL, 0).total, 1);
    ck_assert_int_eq(query("new.example", -1, NULL, NULL, 0).total, 0);
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    ck_assert_int_eq(query("NEW.example", -1, NULL, NULL, 0).total, 1);
    ck_assert_int_eq(query(NULL, IAM_INVITED, NULL, NULL, 0).total, 1);
    OK(iam_store_member_activate(st, "bob", &ierr));
    ck_assert_int_eq(query(NULL, IAM_INVITED, NULL, NULL, 0).total, 0);
    ck_assert_int_eq(query(NULL, IAM_ACTIVE, NULL, NULL, 0).total, 3);
    OK(iam_store_member_remove(st, "test", "carl", &ierr));
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "olivia bob");
    ck_assert_int_eq(pg.total, 2);
    ck_assert_int_eq(query("carl", -1, NULL, NULL, 0).total, 0);
}
END_TEST

/* Forward with `next`, back with `prev`; offset and total on each page. */
START_TEST(test_query_paging)
{
    iam_member_page_t pg[3], back;
    const char *all = "", *seen = "";
    int i;

    add("owner", NULL, 1); /* no name: "owner", before every "user ..." */
    for (i = 0; i < 119; i++)
        add_named(apr_psprintf(pool, "m%03d", 118 - i), apr_psprintf(pool, "User %03d", i),
                  IAM_ACTIVE);
    for (i = 0; i < 119; i++)
        all = apr_pstrcat(pool, all, " ", apr_psprintf(pool, "m%03d", 118 - i), NULL);
    all = apr_pstrcat(pool, "owner", all, NULL);
    pg[0] = query(NULL, -1, NULL, NULL, 50);
    pg[1] = query(NULL, -1, pg[0].next, NULL, 50);
    pg[2] = query(NULL, -1, pg[1].next, NULL, 50);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(pg[i].offset, 50 * i);
        ck_assert_int_eq(pg[i].total, 120);
        ck_assert_int_eq(pg[i].members->nelts, i < 2 ? 50 : 20);
        ck_assert_int_eq(pg[i].prev != NULL, i > 0);
        ck_assert_int_eq(pg[i].next != NULL, i < 2);
        seen = apr_pstrcat(pool, seen, i ? " " : "", page_text(&pg[i]), NULL);
    }
    ck_assert_str_eq(seen, all);
    /* back: the page before the last is the middle one, then the first */
    back = query(NULL, -1, NULL, pg[2].prev, 50);
    ck_assert_str_eq(page_text(&back), page_text(&pg[1]));
    ck_assert_int_eq(back.offset, 50);
    ck_assert_str_eq(back.next, pg[1].next);
    back = query(NULL, -1, NULL, back.prev, 50);
    ck_assert_str_eq(page_text(&back), page_text(&pg[0]));
    ck_assert_int_eq(back.offset, 0);
    ck_assert_ptr_null(back.prev);
    /* pages of another size from a cursor */
    back = query(NULL, -1, NULL, pg[1].prev, 7);
    ck_assert_int_eq(back.offset, 43);
    ck_assert_int_eq(back.members->nelts, 7);
    ck_assert_str_eq(APR_ARRAY_IDX(back.members, 6, iam_member_t *)->login, "m070");
    /* cursors are hex; anything else is refused, as are both at once */
    for (i = 0; pg[0].next[i]; i++)
        ck_assert(strchr("0123456789abcdef", pg[0].next[i]));
    EXPECT(IAM_INVALID,
           iam_store_member_query(st, pool, &(iam_member_query_t){NULL, -1, "xyz", NULL, 0}, &back,
                                  &ierr));
    EXPECT(IAM_INVALID,
           iam_store_member_query(st, pool, &(iam_member_query_t){NULL, -1, "abc", NULL, 0}, &back,
                                  &ierr));
    EXPECT(IAM_INVALID,
           iam_store_member_query(
               st, pool, &(iam_member_query_t){NULL, -1, pg[0].next, pg[1].prev, 0}, &back, &ierr));
    EXPECT(IAM_INVALID, iam_store_member_query(
                            st, pool, &(iam_member_query_t){NULL, 7, NULL, NULL, 0}, &back, &ierr));
    ck_assert_int_eq(back.members->nelts, 0);
    ck_assert_int_eq(back.total, 0);
}
END_TEST

/* A search and a status filter: total and offset count what matches. */
START_TEST(test_query_filters)
{
    iam_member_page_t pg, next;
    int i;

    add("olivia", "olivia@example.com", 1);
    for (i = 0; i < 60; i++)
        OK(iam_store_member_add(st, "test", apr_psprintf(pool, "u%02d", i),
                                apr_psprintf(pool, "u%02d@%s.example", i, i % 2 ? "odd" : "even"),
                                apr_psprintf(pool, "Name %02d", 59 - i),
                                i % 3 ? IAM_ACTIVE : IAM_INVITED, 0, &ierr));
    pg = query("ODD", -1, NULL, NULL, 20);
    ck_assert_int_eq(pg.total, 30);
    ck_assert_int_eq(pg.members->nelts, 20);
    ck_assert_str_eq(APR_ARRAY_IDX(pg.members, 0, iam_member_t *)->login, "u59"); /* "Name 00" */
    next = query("ODD", -1, pg.next, NULL, 20);
    ck_assert_int_eq(next.offset, 20);
    ck_assert_int_eq(next.members->nelts, 10);
    ck_assert_ptr_null(next.next);
    ck_assert_str_eq(APR_ARRAY_IDX(next.members, 9, iam_member_t *)->login, "u01");
    /* by name, by login, by email; case-insensitive */
    ck_assert_int_eq(query("name 1", -1, NULL, NULL, 0).total, 10);
    ck_assert_int_eq(query("U4", -1, NULL, NULL, 0).total, 10);
    ck_assert_int_eq(query("OLIVIA@", -1, NULL, NULL, 0).total, 1);
    ck_assert_int_eq(query("", -1, NULL, NULL, 0).total, 61);
    ck_assert_int_eq(query("nobody", -1, NULL, NULL, 0).total, 0);
    ck_assert_int_eq(query("nobody", -1, NULL, NULL, 0).members->nelts, 0);
    /* status, alone and with a search */
    pg = query(NULL, IAM_INVITED, NULL, NULL, 0);
    ck_assert_int_eq(pg.total, 20);
    for (i = 0; i < pg.members->nelts; i++)
        ck_assert_int_eq(APR_ARRAY_IDX(pg.members, i, iam_member_t *)->status, IAM_INVITED);
    ck_assert_int_eq(query(NULL, IAM_ACTIVE, NULL, NULL, 0).total, 41);
    pg = query("odd", IAM_INVITED, NULL, NULL, 4);
    ck_assert_int_eq(pg.total, 10); /* u03 u09 ... u57 */
    ck_assert_str_eq(page_text(&pg), "u57 u51 u45 u39");
    pg = query("odd", IAM_INVITED, NULL, pg.next, 4);
    ck_assert_str_eq(page_text(&pg), "u57 u51 u45 u39"); /* fewer than a page before: the first */
    pg = query("odd", IAM_INVITED, pg.next, NULL, 4);
    pg = query("odd", IAM_INVITED, pg.next, NULL, 4);
    ck_assert_str_eq(page_text(&pg), "u09 u03");
    ck_assert_int_eq(pg.offset, 8);
    pg = query("odd", IAM_INVITED, NULL, pg.prev, 4);
    ck_assert_str_eq(page_text(&pg), "u33 u27 u21 u15");
    ck_assert_int_eq(pg.offset, 4);
}
END_TEST

/* A cursor is a place, not a member: one from a member removed (or
 * renamed) since still leads to the page after it or before it. */
START_TEST(test_query_cursor_of_removed_member)
{
    iam_member_page_t pg, next;
    const char *last, *first2;

    add("a-owner", NULL, 1);
    add_members(ITEMS("b", "c", "d", "e", "f", "g", "h"));
    pg = query(NULL, -1, NULL, NULL, 3); /* a-owner b c */
    next = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&next), "d e f");
    last = APR_ARRAY_IDX(pg.members, 2, iam_member_t *)->login;
    first2 = APR_ARRAY_IDX(next.members, 0, iam_member_t *)->login;
    ck_assert_str_eq(last, "c");
    OK(iam_store_member_remove(st, "test", "c", &ierr));
    OK(iam_store_member_remove(st, "test", first2, &ierr));
    next = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&next), "e f g");
    ck_assert_int_eq(next.offset, 2);
    ck_assert_int_eq(next.total, 6);
    /* before e: only a-owner and b, fewer than a page: the first page */
    pg = query(NULL, -1, NULL, next.prev, 3);
    ck_assert_str_eq(page_text(&pg), "a-owner b e");
    ck_assert_int_eq(pg.offset, 0);
    /* renamed away: the place stays */
    rename_member("e", "Zed");
    pg = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&pg), "f g h");
    /* after the end: the last page; never an empty page while any match */
    OK(iam_store_member_remove(st, "test", "h", &ierr));
    OK(iam_store_member_remove(st, "test", "e", &ierr));
    pg = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&pg), "b f g");
    ck_assert_int_eq(pg.offset, 1);
    ck_assert_int_eq(pg.total, 4);
    ck_assert_ptr_null(pg.next);
    ck_assert_ptr_nonnull(pg.prev);
}
END_TEST

/* A group's members in the same order, paged and searched; a small group
 * among many members reads its own entries only. */
START_TEST(test_group_member_query)
{
    const char *const five[] = {"m10", "m3", "m77", "m42", "m5"};
    iam_grant_t wh = all_of("warehouse-read-only");
    iam_member_page_t pg;
    iam_group_t *g;
    int i;

    add("olivia", NULL, 1);
    for (i = 0; i < 100; i++)
        add_named(apr_psprintf(pool, "m%d", i), apr_psprintf(pool, "Person %03d", 100 - i),
                  IAM_ACTIVE);
    OK(iam_store_group_create(st, "test", "Five", &ierr));
    OK(iam_store_group_create(st, "test", "all", &ierr));
    OK(iam_store_group_members(st, "test", "five", 1, five, 5, &ierr));
    pg = query_of("FIVE", NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m77 m42 m10 m5 m3");
    ck_assert_int_eq(pg.total, 5);
    for (i = 0; i < 100; i++)
        OK(iam_store_group_members(st, "test", "all", 1,
                                   (const char *[]){apr_psprintf(pool, "m%d", i)}, 1, &ierr));
    pg = query_of("all", NULL, -1, NULL, NULL, 30);
    ck_assert_int_eq(pg.total, 100);
    ck_assert_str_eq(APR_ARRAY_IDX(pg.members, 0, iam_member_t *)->login, "m99");
    pg = query_of("all", NULL, -1, pg.next, NULL, 30);
    pg = query_of("all", NULL, -1, pg.next, NULL, 30);
    pg = query_of("all", NULL, -1, pg.next, NULL, 30);
    ck_assert_int_eq(pg.offset, 90);
    ck_assert_int_eq(pg.members->nelts, 10);
    ck_assert_str_eq(APR_ARRAY_IDX(pg.members, 9, iam_member_t *)->login, "m0");
    pg = query_of("all", NULL, -1, NULL, pg.prev, 30);
    ck_assert_int_eq(pg.offset, 60);
    /* a search inside the group */
    pg = query_of("five", "person 0", -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m77 m42 m10 m5 m3");
    pg = query_of("five", "person 09", -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m10 m5 m3");
    /* a rename moves the member in every group; leaving a group, out of it */
    rename_member("m3", "Aaron");
    ck_assert_str_eq(first_page("five", NULL), "m3 m77 m42 m10 m5");
    ck_assert_str_eq(
        APR_ARRAY_IDX(query_of("all", NULL, -1, NULL, NULL, 1).members, 0, iam_member_t *)->login,
        "m3");
    OK(iam_store_group_members(st, "test", "five", 0, ITEMS("m77"), 1, &ierr));
    OK(iam_store_member_remove(st, "test", "m42", &ierr));
    pg = query_of("five", NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m3 m10 m5");
    ck_assert_int_eq(query_of("all", NULL, -1, NULL, NULL, 0).total, 99);
    /* the group's own record, without reading its members */
    OK(iam_store_grant(st, "test", 1, "five", &wh, &ierr));
    OK(iam_store_group_record(st, pool, "FIVE", &g, &ierr));
    ck_assert_str_eq(g->name, "Five");
    ck_assert_int_eq(g->members->nelts, 0);
    ck_assert_ptr_nonnull(grant_in(g->grants, "warehouse-read-only"));
    EXPECT(IAM_NOTFOUND, iam_store_group_record(st, pool, "nope", &g, &ierr));
    ck_assert_ptr_null(g);
    /* no such group; a deleted one */
    EXPECT(IAM_NOTFOUND,
           iam_store_group_member_query(
               st, pool, "nope", &(iam_member_query_t){NULL, -1, NULL, NULL, 0}, &pg, &ierr));
    OK(iam_store_group_delete(st, "test", "five", &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_member_query(
               st, pool, "five", &(iam_member_query_t){NULL, -1, NULL, NULL, 0}, &pg, &ierr));
    OK(iam_store_group_create(st, "test", "five", &ierr));
    ck_assert_int_eq(query_of("five", NULL, -1, NULL, NULL, 0).total, 0);
}
END_TEST

/* Who holds a role follows grants, revokes, whole records, group deletion,
 * member removal, an invitation claimed by another login, and import. */
START_TEST(test_role_holders)
{
    iam_grant_t ro = all_of("source-read-only");
    iam_grant_t web = grant_of("source-read-only", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t lab = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_member_spec_t sp = {"carol", NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};
    iam_group_spec_t gs = {"ops", -1, NULL, NULL};
    iam_store_t *copy = open_other("copy", 0);
    iam_store_t *mine = st;
    iam_arrive_e what;
    iam_verify_t v;
    dump_t d;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    add("carol", NULL, 0);
    OK(iam_store_member_add(st, "test", "pat@corp.example", "pat@corp.example", NULL, IAM_INVITED,
                            0, &ierr));
    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    ck_assert_str_eq(holders("source-read-only"), "");
    ck_assert_str_eq(holders("workspace-owner"), "m:olivia");
    OK(iam_store_grant(st, "test", 0, "bob", &web, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr)); /* a second grant: one entry */
    OK(iam_store_grant(st, "test", 0, "pat@corp.example", &ro, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:bob m:pat@corp.example g:Eng");
    {
        /* by what the grants are on: bob's two grants find him once on web;
         * on ios (no env:prod) only the grants on all remain */
        const char *prod[] = {"team:x", "env:prod"};
        iam_resource_t on_web = {"source", "web", 2, prod}, on_ios = {"source", "ios", 0, NULL};
        ck_assert_str_eq(holders_on("source-read-only", &on_web),
                         "m:bob m:pat@corp.example g:Eng");
        ck_assert_str_eq(holders_on("source-read-only", &on_ios), "m:pat@corp.example g:Eng");
        on_ios.nlabels = 2, on_ios.labels = prod;
        ck_assert_str_eq(holders_on("source-read-only", &on_ios),
                         "m:bob m:pat@corp.example g:Eng");
    }
    OK(iam_store_revoke(st, "test", 0, "bob", &web, 0, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:bob m:pat@corp.example g:Eng");
    OK(iam_store_revoke(st, "test", 0, "bob", &lab, 0, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:pat@corp.example g:Eng");
    /* whole records: the console's and the API's writes */
    sp.grants = grants_of(&web, 1);
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    gs.grants = grants_of(&lab, 1);
    OK(iam_store_group_put(st, "test", &gs, 0, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:carol m:pat@corp.example g:Eng g:ops");
    sp.grants = grants_of(&web, 0);
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    /* the invitation taken up by another login: the holder moves with it */
    OK(iam_store_member_arrive(st, "pat", "pat@corp.example", NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    ck_assert_str_eq(holders("source-read-only"), "m:pat g:Eng g:ops");
    ck_assert_str_eq(first_page(NULL, "pat"), "pat");
    /* a group deleted, a member removed */
    OK(iam_store_group_delete(st, "test", "ops", &ierr));
    OK(iam_store_member_remove(st, "test", "pat", &ierr));
    ck_assert_str_eq(holders("source-read-only"), "g:Eng");
    ck_assert_str_eq(holders("SOURCE-READ-ONLY"), "g:Eng");
    ck_assert_str_eq(holders("no-such-role"), "");
    /* the grants of an import */
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    d = dump_of(st);
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    st = copy;
    ck_assert_str_eq(holders("source-read-only"), "m:bob g:Eng");
    ck_assert_str_eq(holders("workspace-owner"), "m:olivia");
    v = verify();
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    st = mine;
}
END_TEST

/* Who can reach a resource (iam_access.h): owners first, then by level,
 * groups before members; a grant that does not cover the resource, or
 * that the plan ignores, is not listed. */
START_TEST(test_access_list)
{
    iam_grant_t web = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t prod = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t ios = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("ios"));
    iam_grant_t all = all_of("source-read-only"), wh = all_of("warehouse-admin");
    const char *labels[] = {"env:prod"};
    iam_resource_t res = {"source", "web", 1, labels};
    apr_array_header_t *list;
    iam_roles_t roles;
    const char *got = "";
    int i;

    iam_roles_init(&roles);
    add("olivia", NULL, 1);
    add_named("bob", "Bob", IAM_ACTIVE);
    add_named("amy", "Amy", IAM_INVITED);
    add_named("cat", "Cat", IAM_ACTIVE);
    add_named("dan", "Dan", IAM_ACTIVE);
    OK(iam_store_grant(st, "test", 0, "bob", &web, &ierr));
    OK(iam_store_grant(st, "test", 0, "amy", &prod, &ierr));
    OK(iam_store_grant(st, "test", 0, "cat", &ios, &ierr));
    OK(iam_store_grant(st, "test", 0, "dan", &wh, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("cat", "dan"), 2, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &all, &ierr));
    OK(iam_access_list(st, pool, &roles, IAM_PLAN_BUSINESS, &res, &list, &ierr));
    for (i = 0; i < list->nelts; i++) {
        const iam_access_t *a = &APR_ARRAY_IDX(list, i, iam_access_t);
        got = apr_psprintf(pool, "%s%s%s:%s(%ld)", got, i ? " " : "",
                           a->group ? a->group->name : a->member->login, iam_level_name(a->level),
                           a->group_members);
    }
    ck_assert_str_eq(got, "olivia:admin(0) bob:admin(0) eng:read(2) amy:read(0)");
    /* the team plan has no groups or labels: what they give is not access */
    set_plan(IAM_PLAN_TEAM);
    OK(iam_access_list(st, pool, &roles, IAM_PLAN_TEAM, &res, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
}
END_TEST

/* Every key of one type goes, as from a store no release of format 5
 * ever wrote. */
static void raw_del_type(const char *dir, char type)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val k = {1, &type}, v;
    int rc;

    damaged = 1;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    ck_assert_int_eq(mdb_cursor_open(txn, dbi, &c), 0);
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size > 0 && *(char *)k.mv_data == type;
         rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT))
        ck_assert_int_eq(mdb_cursor_del(c, 0), 0);
    mdb_cursor_close(c);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store of format 4 (no indexes) is read, but its lists wait for the
 * first write of this release, which builds every index in its own
 * transaction (dropping whatever stray entries lay there). */
START_TEST(test_upgrade_builds_indexes)
{
    iam_grant_t ro = all_of("source-read-only");
    iam_member_query_t q = {NULL, -1, NULL, NULL, 0};
    apr_array_header_t *members, *groups;
    size_t vlen;
    const char *vkey = rec_key(0x01, "version", &vlen);
    iam_member_page_t pg;
    iam_verify_t v;

    add("olivia", NULL, 1);
    add_named("bob", "Zed", IAM_ACTIVE);
    add_named("carol", "Amy", IAM_INVITED);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob", "carol"), 2, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    iam_store_close(st);
    raw_del_type(sdir, 'N');
    raw_del_type(sdir, 'n');
    raw_del_type(sdir, 'X');
    raw_put(sdir, vkey, vlen, "4", 1);
    reopen();
    EXPECT(IAM_VERSION, iam_store_member_query(st, pool, &q, &pg, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "first write"));
    EXPECT(IAM_VERSION, iam_store_group_member_query(st, pool, "eng", &q, &pg, &ierr));
    EXPECT(IAM_VERSION,
           iam_store_role_holders(st, pool, "source-read-only", NULL, &members, &groups, &ierr));
    v = verify(); /* nothing to find wrong: the indexes are not there yet */
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    ck_assert_int_eq(v.indexed, 0);
    ck_assert_ptr_nonnull(strstr(APR_ARRAY_IDX(v.warnings, 0, const char *), "older format"));
    iam_store_close(st);
    raw_put(sdir, "Xsource-admin\0mbob", sizeof("Xsource-admin\0mbob") - 1, "", 0);
    reopen();

    add("dave", NULL, 0); /* any write */
    iam_store_close(st);
    ck_assert_int_eq(*(char *)raw_get(sdir, vkey, vlen).mv_data, '0' + IAM_STORE_FORMAT);
    reopen();
    ck_assert_str_eq(first_page(NULL, NULL), "carol dave olivia bob");
    ck_assert_str_eq(first_page("eng", NULL), "carol bob");
    ck_assert_str_eq(first_page(NULL, "zed"), "bob");
    ck_assert_int_eq(query(NULL, IAM_INVITED, NULL, NULL, 0).total, 1);
    ck_assert_str_eq(holders("source-read-only"), "m:bob g:eng");
    ck_assert_str_eq(holders("source-admin"), "");
    v = verify();
    ck_assert_msg(v.nproblems == 0 && v.nwarnings == 0, "%s", problems(&v));
    ck_assert_int_eq(v.indexed, 4 + 2 + 3); /* members, eng's two, bob eng olivia */
}
END_TEST

/* Verify finds index entries missing, stray, stale or damaged, both ways;
 * the reads take them for damage, never for an answer. */
START_TEST(test_verify_index_damage)
{
    static const char ghost[] = "\x01\x00ghost\0\0";
    static const char olivia[] = "\x01\x00olivia\0\0";
    iam_grant_t ro = all_of("source-read-only");
    apr_array_header_t *members, *groups;
    iam_member_page_t pg;
    iam_verify_t v;
    const char *text;

#define RAW_DEL(key) raw_del(sdir, key, sizeof(key) - 1)
#define RAW_PUT(key, val, n) raw_put(sdir, key, sizeof(key) - 1, val, n)
    add("olivia", NULL, 1);
    add_named("bob", "Bob", IAM_ACTIVE);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    v = verify();
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    ck_assert_int_eq(v.indexed, 2 + 1 + 2);
    ck_assert_str_eq(first_page(NULL, "o"), "bob olivia");

    iam_store_close(st);
    RAW_DEL("Nbob\0bob");
    RAW_DEL("neng\0bob\0bob");
    RAW_DEL("Xsource-read-only\t*\0mbob");
    RAW_PUT("Nghost\0ghost", ghost, sizeof(ghost));
    RAW_PUT("neng\0olivia\0olivia", olivia, sizeof(olivia));
    RAW_PUT("Nzzz\0olivia", olivia, sizeof(olivia));
    RAW_PUT("Nolivia\0olivia", "\x09", 1);
    RAW_PUT("Xsource-admin\t*\0molivia", "", 0);
    RAW_PUT("Xsource-admin\tr:web\0gnope", "", 0);
    reopen();
    v = verify();
    text = problems(&v);
    ck_assert_ptr_nonnull(strstr(text, "member 'bob' is missing from the name index\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "member 'bob' is missing from the name index of group 'eng'"));
    ck_assert_ptr_nonnull(
        strstr(text, "the role index misses member 'bob' holding source-read-only on all"));
    ck_assert_ptr_nonnull(strstr(text, "the name index names missing member 'ghost'"));
    ck_assert_ptr_nonnull(
        strstr(text, "the name index of group 'eng' lists member 'olivia', who is not in it"));
    ck_assert_ptr_nonnull(strstr(text, "the name index holds member 'olivia' under another name"));
    ck_assert_ptr_nonnull(strstr(text, "the name index entry of member 'olivia' is damaged"));
    ck_assert_ptr_nonnull(strstr(text, "the name index holds stale details of member 'olivia'"));
    ck_assert_ptr_nonnull(strstr(
        text, "the role index says member 'olivia' holds source-admin on all, which they do not"));
    ck_assert_ptr_nonnull(
        strstr(text, "the role index of source-admin on web names missing group 'nope'"));
    ck_assert_msg(v.nproblems == 10, "%s", text);

    /* the reads: damage, never a wrong list */
    EXPECT(IAM_CORRUPT, iam_store_role_holders(st, pool, "source-admin", NULL, &members, &groups, &ierr));
    ck_assert_int_eq(members->nelts + groups->nelts, 0);
    EXPECT(IAM_CORRUPT,
           iam_store_member_query(st, pool, &(iam_member_query_t){"ghost", -1, NULL, NULL, 0}, &pg,
                                  &ierr)); /* a search reads every value */
    ck_assert_int_eq(pg.members->nelts, 0);
    iam_store_close(st);
    RAW_DEL("Nolivia\0olivia");
    reopen();
    EXPECT(IAM_CORRUPT,
           iam_store_member_query(st, pool, &(iam_member_query_t){"ghost", -1, NULL, NULL, 0}, &pg,
                                  &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "missing member 'ghost'"));
#undef RAW_DEL
#undef RAW_PUT
}
END_TEST

/* ---- a full map ---- */

/* Another process grows the map past this handle's size: the handle adopts
 * the new size instead of failing every request. */
START_TEST(test_map_grown_by_another_process)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/grow", NULL);
    iam_store_t *small = open_other("grow", 1048576);
    iam_workspace_info_t wi;
    iam_member_t *m;
    pid_t pid;
    int status;

    OK(iam_store_member_add(small, "test", "first", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    pid = fork();
    if (pid == 0) {
        /* a separate process with its own environment and a bigger map */
        apr_pool_t *cp;
        iam_store_t *big;
        iam_err_t e;
        int n;
        apr_pool_create(&cp, NULL);
        if (iam_store_open(&big, dir, 64 << 20, 0, cp, &e) != IAM_OK)
            _exit(1);
        for (n = 0; n < 12000; n++) {
            if (iam_store_member_add(big, "test", apr_psprintf(cp, "bulk%05d", n), NULL,
                                     "a name that takes some room in the record", IAM_ACTIVE, 0,
                                     &e) != IAM_OK)
                _exit(2);
        }
        _exit(0);
    }
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    OK(iam_store_info(small, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 12001);
    OK(iam_store_member_get(small, pool, "bulk11999", &m, &ierr));
    OK(iam_store_member_add(small, "test", "last", NULL, NULL, IAM_ACTIVE, 0, &ierr));
}
END_TEST

START_TEST(test_map_full)
{
    iam_store_t *tiny = open_other("tiny", 1048576);
    iam_workspace_info_t wi;
    iam_member_t *m;
    iam_status_e rc = IAM_OK;
    const char *name = "A display name long enough to fill a small map in a few thousand adds, "
                       "padded out to a hundred and twenty chars.";
    int n;

    for (n = 0; n < 100000; n++) {
        memset(&ierr, 0, sizeof(ierr));
        rc = iam_store_member_add(tiny, "test", apr_psprintf(pool, "user%06d", n),
                                  apr_psprintf(pool, "user%06d@example.com", n), name, IAM_ACTIVE,
                                  n == 0, &ierr);
        if (rc != IAM_OK)
            break;
    }
    ck_assert_msg(rc == IAM_FULL, "after %d adds: %s (%s)", n, iam_status_str(rc), ierr.msg);
    ck_assert_ptr_nonnull(strstr(ierr.msg, "IAMMapSize"));
    ck_assert_int_gt(n, 0);

    /* Everything before the failure is whole; the failed add left nothing. */
    OK(iam_store_info(tiny, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, n);
    ck_assert_int_eq(wi.owners, 1);
    for (int i = 0; i < n; i++) {
        OK(iam_store_member_get(tiny, pool, apr_psprintf(pool, "user%06d", i), &m, &ierr));
        ck_assert_str_eq(m->name, name);
    }
    EXPECT(IAM_NOTFOUND,
           iam_store_member_get(tiny, pool, apr_psprintf(pool, "user%06d", n), &m, &ierr));
}
END_TEST

/* ---- the suite ---- */

static TCase *tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    return tc;
}

Suite *suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc;

    tc = tcase("open");
    tcase_add_test(tc, test_open_creates_missing_dir);
    tcase_add_test(tc, test_open_missing_without_create);
    tcase_add_test(tc, test_open_not_a_directory);
    tcase_add_test(tc, test_reopen_keeps_data);
    tcase_add_test(tc, test_reader_check_and_chown);
    suite_add_tcase(s, tc);

    tc = tcase("members");
    tcase_add_test(tc, test_member_add_get);
    tcase_add_test(tc, test_member_list_search);
    tcase_add_test(tc, test_member_remove);
    tcase_add_test(tc, test_member_duplicate_login);
    tcase_add_test(tc, test_member_duplicate_email);
    tcase_add_test(tc, test_member_invalid);
    tcase_add_test(tc, test_member_invite_activate);
    suite_add_tcase(s, tc);

    tc = tcase("grants");
    tcase_add_test(tc, test_grant_resources_merge);
    tcase_add_test(tc, test_grant_resources_no_duplicates);
    tcase_add_test(tc, test_revoke_some_resources);
    tcase_add_test(tc, test_revoke_whole_role);
    tcase_add_test(tc, test_revoke_missing_grant);
    tcase_add_test(tc, test_grant_duplicate);
    tcase_add_test(tc, test_grant_refused);
    tcase_add_test(tc, test_grant_unknown_role_is_not_a_plan_refusal);
    tcase_add_test(tc, test_grant_group);
    tcase_add_test(tc, test_grant_too_many_items);
    suite_add_tcase(s, tc);

    tc = tcase("plans");
    tcase_add_test(tc, test_team_plan_limits);
    tcase_add_test(tc, test_free_plan_no_group_members);
    tcase_add_test(tc, test_set_plan_after_server);
    tcase_add_test(tc, test_custom_roles);
    suite_add_tcase(s, tc);

    tc = tcase("owners");
    tcase_add_test(tc, test_last_owner_remove);
    tcase_add_test(tc, test_last_owner_revoke);
    tcase_add_test(tc, test_two_owners);
    tcase_add_test(tc, test_bootstrap_owner);
    tcase_add_test(tc, test_bootstrap_existing_member);
    suite_add_tcase(s, tc);

    tc = tcase("groups");
    tcase_add_test(tc, test_group_create_delete);
    tcase_add_test(tc, test_group_members_both_sides);
    tcase_add_test(tc, test_group_members_all_or_nothing);
    tcase_add_test(tc, test_member_remove_leaves_groups);
    tcase_add_test(tc, test_group_delete_unlinks_members);
    tcase_add_test(tc, test_subject_sets);
    tcase_add_test(tc, test_info_counts);
    suite_add_tcase(s, tc);

    tc = tcase("dump");
    tcase_add_test(tc, test_dump_import_round_trip);
    tcase_add_test(tc, test_import_keeps_created);
    tcase_add_test(tc, test_import_keeps_server_plan);
    tcase_add_test(tc, test_import_into_non_empty);
    tcase_add_test(tc, test_import_all_or_nothing);
    tcase_add_test(tc, test_import_needs_an_owner);
    suite_add_tcase(s, tc);

    tc = tcase("records");
    tcase_add_test(tc, test_member_put_create_and_update);
    tcase_add_test(tc, test_member_put_all_or_nothing);
    tcase_add_test(tc, test_group_put);
    tcase_add_test(tc, test_member_page);
    tcase_add_test(tc, test_audit_trail);
    tcase_add_test(tc, test_secret_is_stable);
    tcase_add_test(tc, test_touch);
    tcase_add_test(tc, test_arrive_claims_invitation_by_email);
    tcase_add_test(tc, test_arrive_provisions);
    tcase_add_test(tc, test_tokens);
    tcase_add_test(tc, test_login_case);
    tcase_add_test(tc, test_request_revisions);
    tcase_add_test(tc, test_request_lifecycle);
    tcase_add_test(tc, test_grant_edit);
    tcase_add_test(tc, test_member_count);
    suite_add_tcase(s, tc);

    tc = tcase("damage");
    tcase_add_test(tc, test_version_mismatch);
    tcase_add_test(tc, test_foreign_lmdb);
    tcase_add_test(tc, test_garbage_data_file);
    tcase_add_test(tc, test_truncated_data_file);
    tcase_add_test(tc, test_empty_data_file_not_recreated);
    tcase_add_test(tc, test_linked_files_refused);
    tcase_add_test(tc, test_damaged_member_record);
    tcase_add_test(tc, test_damaged_group_record);
    tcase_add_test(tc, test_truncated_member_record);
    tcase_add_test(tc, test_flipped_member_record);
    suite_add_tcase(s, tc);

    tc = tcase("decision-copy");
    tcase_add_test(tc, test_member_record_follows_groups);
    tcase_add_test(tc, test_memo_follows_every_commit);
    tcase_add_test(tc, test_upgrade_format_1);
    tcase_add_test(tc, test_big_group_grants_by_reference);
    tcase_add_test(tc, test_verify_clean_and_damaged);
    suite_add_tcase(s, tc);

    tc = tcase("indexes");
    tcase_add_test(tc, test_query_name_order);
    tcase_add_test(tc, test_query_follows_changes);
    tcase_add_test(tc, test_query_paging);
    tcase_add_test(tc, test_query_filters);
    tcase_add_test(tc, test_query_cursor_of_removed_member);
    tcase_add_test(tc, test_group_member_query);
    tcase_add_test(tc, test_role_holders);
    tcase_add_test(tc, test_access_list);
    tcase_add_test(tc, test_upgrade_builds_indexes);
    tcase_add_test(tc, test_verify_index_damage);
    suite_add_tcase(s, tc);

    tc = tcase("map-full");
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER); /* 8 s under ASan */
    tcase_add_test(tc, test_map_full);
    tcase_add_test(tc, test_map_grown_by_another_process);
    suite_add_tcase(s, tc);

    return s;
}
