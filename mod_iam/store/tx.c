/* mod_iam store: statuses and the one place LMDB's codes become ours;
 * transactions (begin, get, put, commit or reset), the pool of reset
 * read transactions, the memo of where member records lie, and tx_scan,
 * the one cursor loop every scan of the store goes through. */
#include "store_int.h"

#include <apr_atomic.h>
#include <apr_strings.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
    "ok",
    "not found",
    "already exists",
    "invalid input",
    "last owner",
    "not allowed by the plan",
    "store is full",
    "store is damaged",
    "unknown store version",
    "no store",
    "permission denied",
    "changed meanwhile",
    "store error",
    "database unavailable",
    "in use",
};

const char *iam_status_str(iam_status_e st)
{
    return (st >= IAM_OK && st <= IAM_IN_USE) ? status_text[st] : "?";
}

iam_status_e st_fail(iam_err_t *err, iam_status_e st, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        err->status = st;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return st;
}

/* The one place where LMDB and OS codes become ours. */
iam_status_e st_map_rc(iam_store_t *st, int rc, iam_err_t *err)
{
    const char *dir = st ? st->dir : "";

    switch (rc) {
    case MDB_SUCCESS: return IAM_OK;
    case MDB_NOTFOUND: return st_fail(err, IAM_NOTFOUND, "not found");
    case MDB_MAP_FULL:
        return st_fail(err, IAM_FULL,
                       "store %s is full: raise IAMMapSize in httpd.conf (and iamctl -m) and "
                       "restart Apache; nothing was written",
                       dir);
    case MDB_MAP_RESIZED:
        return st_fail(err, IAM_ERROR,
                       "store %s was grown past this process's map size by another process: "
                       "raise IAMMapSize and restart Apache (apachectl graceful)",
                       dir);
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
        return st_fail(err, IAM_CORRUPT, "store %s is damaged or not a mod_iam store: %s", dir,
                       mdb_strerror(rc));
    case MDB_VERSION_MISMATCH:
        return st_fail(err, IAM_VERSION, "store %s was written by another LMDB version: %s", dir,
                       mdb_strerror(rc));
    case EACCES:
    case EPERM:
    case EROFS:
        return st_fail(err, IAM_ACCESS,
                       "permission denied on store %s: the Apache user (and iamctl) need read and "
                       "write access to the directory and its files",
                       dir);
    case ENOENT:
        return st_fail(err, IAM_NOSTORE, "no store at %s: run 'iamctl -d %s init'", dir, dir);
    default: return st_fail(err, IAM_ERROR, "store %s: %s", dir, mdb_strerror(rc));
    }
}

iam_status_e tx_fail(tx_t *t, iam_status_e st, const char *fmt, ...)
{
    va_list ap;

    if (t->status != IAM_OK)
        return t->status;
    t->status = st;
    if (t->err) {
        t->err->status = st;
        va_start(ap, fmt);
        vsnprintf(t->err->msg, sizeof(t->err->msg), fmt, ap);
        va_end(ap);
    }
    return st;
}

iam_status_e tx_rc(tx_t *t, int rc)
{
    if (rc == MDB_SUCCESS || t->status != IAM_OK)
        return t->status;
    t->status = st_map_rc(t->st, rc, t->err);
    return t->status;
}

/* A reset read transaction from the pool, or NULL. */
static MDB_txn *reader_take(iam_store_t *st)
{
    int i;

    for (i = 0; i < READER_POOL; i++)
        if (__atomic_load_n(&st->readers[i], __ATOMIC_RELAXED)) { /* else no need to lock */
            MDB_txn *txn = apr_atomic_xchgptr(&st->readers[i], NULL);
            if (txn)
                return txn;
        }
    return NULL;
}

/* Gives a reset read transaction back to the pool; 0 if the pool is full. */
static int reader_give(iam_store_t *st, MDB_txn *txn)
{
    int i;

    for (i = 0; i < READER_POOL; i++)
        if (!__atomic_load_n(&st->readers[i], __ATOMIC_RELAXED) &&
            !apr_atomic_casptr(&st->readers[i], txn, NULL))
            return 1;
    return 0;
}

/* Frees every pooled read transaction: before the map is adopted anew,
 * and at close. */
void st_readers_drain(iam_store_t *st)
{
    MDB_txn *txn;

    while ((txn = reader_take(st)) != NULL)
        mdb_txn_abort(txn);
}

/* Empties the memo; only while no transaction of this process is active. */
static void memo_forget(iam_store_t *st)
{
    if (st->memo)
        memset(st->memo, 0, MEMO_SLOTS * sizeof(memo_t));
}

static void upstream_end(tx_t *t);

/* A write of the workspace on a replica: the upstream locks it and
 * brings this store up to it first. */
static iam_status_e upstream_begin(tx_t *t)
{
    iam_store_t *st = t->st;

    if (!st->upstream.begin)
        return tx_fail(t, IAM_INVALID,
                       "store %s replicates a database: write through it (iamctl --database, or "
                       "its server)",
                       st->dir);
    if (st->upstream.begin(st->upstream.ctx, st, &t->session, t->err) != IAM_OK) {
        t->status = t->err->status;
        upstream_end(t); /* a lock taken before the failure is let go now */
    }
    return t->status;
}

static void upstream_end(tx_t *t)
{
    if (t->session)
        t->st->upstream.end(t->session);
    t->session = NULL;
}

/* The write's entry, to the database before LMDB commits it. */
static void upstream_commit(tx_t *t)
{
    iam_log_entry_t e = {0};

    if (!t->session || !t->entry || t->status != IAM_OK)
        return;
    e.seq = t->entry_seq;
    e.data = t->entry;
    e.len = t->entry_len;
    if (t->st->upstream.commit(t->session, &e, t->err) != IAM_OK)
        t->status = t->err->status;
}

iam_status_e tx_begin(tx_t *t, iam_store_t *st, int write, apr_pool_t *p, iam_err_t *err)
{
    int rc;

    t->st = st;
    t->txn = NULL;
    t->p = p;
    t->err = err;
    t->status = IAM_OK;
    t->actor = NULL;
    t->dirty = NULL;
    t->settle = NULL;
    t->roles = NULL;
    t->plan = IAM_PLAN_FREE;
    t->write = write;
    t->log = NULL;
    t->nops = 0;
    t->deriving = 0;
    t->restoring = 0;
    t->scim = 0;
    t->session = NULL;
    t->entry = NULL;
    if (write == TX_WRITE && (st->replica || st->upstream.begin) && upstream_begin(t) != IAM_OK)
        return t->status;
    if (write)
        st_log_begin(t);
    pthread_rwlock_rdlock(&st->lock);
    if (!write && (t->txn = reader_take(st))) {
        if (mdb_txn_renew(t->txn) == MDB_SUCCESS)
            return IAM_OK;
        mdb_txn_abort(t->txn); /* a grown map, say: begin afresh below */
        t->txn = NULL;
    }
    rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc == MDB_READERS_FULL) {
        /* Slots of crashed processes, and this one's idle pool: free them
         * and try once more. */
        int dead = 0;
        st_readers_drain(st);
        mdb_reader_check(st->env, &dead);
        rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    }
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size, then retry. */
        pthread_rwlock_unlock(&st->lock);
        pthread_rwlock_wrlock(&st->lock);
        st_readers_drain(st);
        memo_forget(st); /* the map moves: every remembered place with it */
        mdb_env_set_mapsize(st->env, 0);
        pthread_rwlock_unlock(&st->lock);
        pthread_rwlock_rdlock(&st->lock);
        rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    }
    if (rc != MDB_SUCCESS) {
        t->txn = NULL;
        pthread_rwlock_unlock(&st->lock);
        upstream_end(t);
    }
    return tx_rc(t, rc);
}

/* Commits when every step succeeded, else aborts; returns the status. */
iam_status_e tx_end(tx_t *t)
{
    if (!t->txn)
        return t->status;
    st_flush_dirty(t);
    st_settle_requests(t); /* after: it reads the records as they will be */
    st_log_commit(t);      /* last: what settling changed is in the entry */
    upstream_commit(t);    /* the database first: a replica is never ahead of it */
    if (t->status != IAM_OK)
        mdb_txn_abort(t->txn);
    else if (tx_rc(t, mdb_txn_commit(t->txn)) != IAM_OK && t->session)
        apr_snprintf(t->err->msg, sizeof(t->err->msg),
                     "the change is made in the workspace's database, but this server's store "
                     "could not take it (%s): it will follow from the database",
                     iam_status_str(t->status));
    t->txn = NULL;
    pthread_rwlock_unlock(&t->st->lock);
    upstream_end(t);
    return t->status;
}

/* Read transactions: nothing to commit; the transaction is reset and
 * kept for the next read. */
iam_status_e tx_done(tx_t *t)
{
    iam_store_t *st = t->st;

    if (t->txn) {
        mdb_txn_reset(t->txn);
        if (!reader_give(st, t->txn))
            mdb_txn_abort(t->txn);
        t->txn = NULL;
        pthread_rwlock_unlock(&st->lock);
    }
    t->txn = NULL;
    return t->status;
}

int tx_get(tx_t *t, key_t_ *k, MDB_val *out)
{
    MDB_val kv = key_val(k);
    int rc;

    if (t->status != IAM_OK)
        return -1;
    rc = mdb_get(t->txn, t->st->dbi, &kv, out);
    if (rc == MDB_NOTFOUND)
        return 0;
    tx_rc(t, rc);
    return rc == MDB_SUCCESS ? 1 : -1;
}

/* tx_get through the memo (see memo_t). */
int tx_get_memo(tx_t *t, key_t_ *k, MDB_val *out)
{
    memo_t *m;
    size_t id, h = 5381, i;
    int rc, hit = 0;

    if (t->status != IAM_OK || t->write || !t->st->memo || k->n > MEMO_KEY)
        return tx_get(t, k, out);
    for (i = 0; i < k->n; i++)
        h = h * 33 + k->b[i];
    m = &t->st->memo[h & (MEMO_SLOTS - 1)];
    id = mdb_txn_id(t->txn);
    if (!__atomic_exchange_n(&m->busy, 1, __ATOMIC_ACQUIRE)) {
        if (m->txnid == id && m->klen == k->n && !memcmp(m->key, k->b, k->n)) {
            *out = m->val;
            hit = 1;
        }
        __atomic_store_n(&m->busy, 0, __ATOMIC_RELEASE);
    }
    if (hit) {
#ifdef IAM_TEST_HOOKS
        __atomic_add_fetch(&t->st->memo_hits, 1, __ATOMIC_RELAXED);
#endif
        return 1;
    }
    rc = tx_get(t, k, out);
    if (rc == 1 && !__atomic_exchange_n(&m->busy, 1, __ATOMIC_ACQUIRE)) {
        m->txnid = id;
        m->klen = k->n;
        memcpy(m->key, k->b, k->n);
        m->val = *out;
        __atomic_store_n(&m->busy, 0, __ATOMIC_RELEASE);
    }
    return rc;
}

void tx_put(tx_t *t, key_t_ *k, MDB_val v)
{
    MDB_val kv = key_val(k);

    if (t->status == IAM_OK && tx_rc(t, mdb_put(t->txn, t->st->dbi, &kv, &v, 0)) == IAM_OK)
        st_log_op(t, IAM_OP_PUT, k, &v);
}

void tx_del(tx_t *t, key_t_ *k)
{
    MDB_val kv = key_val(k);
    int rc;

    if (t->status != IAM_OK)
        return;
    rc = mdb_del(t->txn, t->st->dbi, &kv, NULL);
    if (rc == MDB_SUCCESS)
        st_log_op(t, IAM_OP_DEL, k, NULL);
    else if (rc != MDB_NOTFOUND)
        tx_rc(t, rc);
}

/* Where a scan starts: forward, at `from`, or the first key under the
 * prefix (the first key of all when the prefix is empty); backward, at
 * the last key below `from` (the last key of all without one). */
static int scan_first(MDB_cursor *c, const key_t_ *prefix, const key_t_ *from, int backward,
                      MDB_val *k, MDB_val *v)
{
    const key_t_ *at = from ? from : prefix;
    int rc;

    if (at->n == 0 || (backward && !from))
        return mdb_cursor_get(c, k, v, backward ? MDB_LAST : MDB_FIRST);
    *k = (MDB_val){at->n, (void *)at->b};
    rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
    if (!backward)
        return rc;
    return rc == MDB_SUCCESS    ? mdb_cursor_get(c, k, v, MDB_PREV)
           : rc == MDB_NOTFOUND ? mdb_cursor_get(c, k, v, MDB_LAST)
                                : rc;
}

/* The one cursor loop (Knot's knot_lmdb_foreach): fn with each entry
 * whose key starts with `prefix`, while fn returns 1 and the transaction
 * has not failed. A cursor error fails the transaction (never a short
 * list that passes for whole); the cursor is closed on every way out. */
static void scan(tx_t *t, const key_t_ *prefix, const key_t_ *from, int backward, scan_fn fn,
                 void *ctx)
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc;

    if (t->status != IAM_OK || tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &c)) != IAM_OK)
        return;
    for (rc = scan_first(c, prefix, from, backward, &k, &v);
         rc == MDB_SUCCESS && t->status == IAM_OK;
         rc = mdb_cursor_get(c, &k, &v, backward ? MDB_PREV : MDB_NEXT)) {
        if (k.mv_size < prefix->n || memcmp(k.mv_data, prefix->b, prefix->n) || !fn(t, &k, &v, ctx))
            break;
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc);
    mdb_cursor_close(c);
}

/* Every entry under `prefix` (an empty one: every entry), in key order
 * from `from` (NULL: the first under the prefix). */
void tx_scan(tx_t *t, const key_t_ *prefix, const key_t_ *from, scan_fn fn, void *ctx)
{
    scan(t, prefix, from, 0, fn, ctx);
}

/* The same backward, in reverse key order (the audit trail, newest
 * first): from the last entry below `from` (NULL: the last key of all)
 * down, while the keys start with `prefix`. */
void tx_scan_back(tx_t *t, const key_t_ *prefix, const key_t_ *from, scan_fn fn, void *ctx)
{
    scan(t, prefix, from, 1, fn, ctx);
}

/* Counters kept beside the records they count ("members", "groups"). */
long long tx_meta_count(tx_t *t, const char *what)
{
    key_t_ k;
    MDB_val v;
    long long n = 0;
    size_t i;

    key_meta(&k, what);
    if (tx_get(t, &k, &v) == 1) {
        if (v.mv_size != 8) {
            tx_fail(t, IAM_CORRUPT, "store %s: damaged counter", t->st->dir);
            return 0;
        }
        for (i = 0; i < 8; i++)
            n = (n << 8) | ((unsigned char *)v.mv_data)[i];
    }
    return n;
}

void tx_meta_count_add(tx_t *t, const char *what, long long delta)
{
    key_t_ k;
    unsigned char *b = apr_palloc(t->p, 8);
    unsigned long long n = (unsigned long long)(tx_meta_count(t, what) + delta);
    MDB_val v = {8, b};
    int i;

    key_meta(&k, what);
    for (i = 7; i >= 0; i--, n >>= 8)
        b[i] = (unsigned char)(n & 0xff);
    tx_put(t, &k, v);
}

iam_plan_e tx_plan(tx_t *t)
{
    key_t_ k;
    MDB_val v;
    iam_plan_e plan = IAM_PLAN_BUSINESS;

    key_meta(&k, "plan");
    if (tx_get(t, &k, &v) == 1) {
        char *s = apr_pstrmemdup(t->p, v.mv_data, v.mv_size);
        if (iam_plan_parse(s, &plan))
            tx_fail(t, IAM_CORRUPT, "store %s: unknown plan '%s' recorded", t->st->dir, s);
    }
    return plan;
}

void tx_roles(tx_t *t, iam_roles_t *roles)
{
    key_t_ k;
    MDB_val v;

    iam_roles_init(roles);
    key_meta(&k, "roles");
    if (tx_get(t, &k, &v) == 1 && rec_decode_roles(t->p, &v, roles))
        tx_fail(t, IAM_CORRUPT, "store %s: damaged custom role list", t->st->dir);
}

#ifdef IAM_TEST_HOOKS
unsigned long iam_store_memo_hits(const iam_store_t *st)
{
    return __atomic_load_n(&st->memo_hits, __ATOMIC_RELAXED);
}
#endif
