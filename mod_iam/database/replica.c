/* mod_iam: a store as the replica of the workspace's database. Catching
 * up applies the database's log in batches; the upstream makes each
 * write of the store lock the database's head, catch up to it, and hand
 * its entry to the database, which commits first. */
#include "iam_replica.h"

#include <apr_strings.h>
#include <apr_allocator.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define BATCH 500  /* entries read and applied in one transaction */
#define IDLE_MAX 2 /* connections a handle keeps between writes (they take turns anyway) */
#define OPEN_MAX 4 /* connections a handle has at once: more writers wait for one */

static iam_status_e refuse(iam_err_t *err, iam_status_e st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* err says why, and st is returned. */
static iam_status_e refuse(iam_err_t *err, iam_status_e st, const char *fmt, ...)
{
    va_list ap;

    err->status = st;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap); /* the C library's: %llu */
    va_end(ap);
    return st;
}

/* The store follows the database's log, or has none yet. */
static iam_status_e same_log(iam_store_t *st, const unsigned char *db_id, iam_err_t *err)
{
    unsigned char mine[IAM_LOG_ID];

    switch (iam_store_log_id(st, mine, err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: err->status = IAM_OK; return IAM_OK;
    default: return err->status;
    }
    if (memcmp(mine, db_id, IAM_LOG_ID))
        return refuse(err, IAM_INVALID,
                      "this store follows another workspace than the database's: make it anew "
                      "from the database");
    return IAM_OK;
}

/* An empty store starts from the database's latest snapshot, if it has
 * one: the whole log need not be replayed. */
static iam_status_e start(iam_store_t *st, iam_db_t *db, unsigned long long head, apr_pool_t *p,
                          long *applied, iam_err_t *err)
{
    iam_log_entry_t snap;

    if (iam_db_snapshot_latest(db, p, &snap, err) != IAM_OK)
        return err->status;
    if (!snap.seq || snap.seq > head) /* none (or of a head rolled back: the log then) */
        return IAM_OK;
    if (iam_store_log_start(st, &snap, 0, err) != IAM_OK)
        return err->status;
    if (applied)
        *applied += (long)snap.seq;
    return IAM_OK;
}

/* Applies what the store lacks up to `head` (the database's). */
static iam_status_e catch_up_to(iam_store_t *st, iam_db_t *db, unsigned long long head,
                                long *applied, iam_err_t *err)
{
    unsigned long long oldest, mine, kept;
    apr_array_header_t *batch;
    const iam_log_entry_t *first;
    iam_log_entry_t gone = {0};
    apr_pool_t *p;
    int n;

    err->status = IAM_OK;
    if (iam_store_log_head(st, &oldest, &mine, err) != IAM_OK)
        return err->status;
    /* restored, or failed over to a standby that lagged */
    if (mine > head)
        return refuse(err, IAM_INVALID,
                      "this store is ahead of the database (entry %llu, the database's %llu): "
                      "make it anew from the database",
                      mine, head);
    apr_pool_create(&p, NULL);
    if (mine == 0 && head > 0 && start(st, db, head, p, applied, err) != IAM_OK) {
        apr_pool_destroy(p);
        return err->status;
    }
    err->status = IAM_OK;
    while (iam_store_log_head(st, &oldest, &mine, err) == IAM_OK && mine < head) {
        apr_pool_clear(p);
        if (iam_db_read(db, p, mine, BATCH, &batch, err) != IAM_OK)
            break;
        first = batch->nelts ? &APR_ARRAY_IDX(batch, 0, iam_log_entry_t) : NULL;
        if (!first && iam_db_kept(db, &oldest, &kept, err) == IAM_OK && kept > mine) {
            gone.seq = oldest; /* all let go of, up to a snapshot */
            first = &gone;
        }
        if (!first) {
            if (err->status == IAM_OK)
                refuse(err, IAM_CORRUPT, "database: its log ends before its head (%llu < %llu)",
                       mine, head);
            break;
        }
        if (first->seq > mine + 1) { /* let go of after a snapshot */
            refuse(err, IAM_STALE,
                   "this store is at entry %llu, and the database keeps its log from entry %llu "
                   "on: make the store anew from the database",
                   mine, first->seq);
            break;
        }
        if (iam_store_log_apply(st, (const iam_log_entry_t *)batch->elts, batch->nelts, &n, err) !=
            IAM_OK)
            break;
        if (applied)
            *applied += n;
        err->status = IAM_OK;
    }
    apr_pool_destroy(p);
    return err->status;
}

iam_status_e iam_replica_catch_up(iam_store_t *st, iam_db_t *db, long *applied, iam_err_t *err)
{
    unsigned char id[IAM_LOG_ID];
    unsigned long long head;

    if (applied)
        *applied = 0;
    if (iam_db_head(db, id, &head, err) != IAM_OK || same_log(st, id, err) != IAM_OK)
        return err->status;
    return catch_up_to(st, db, head, applied, err);
}

/* The upstream of a handle: connections to the database, one per write
 * in progress up to OPEN_MAX, kept for the next (threads write at once in
 * a child, but the database's lock has them take turns anyway: more
 * connections would only wait there, and a server's children times
 * OPEN_MAX bounds what it asks of max_connections). */
typedef struct {
    const char *conninfo;
    apr_pool_t *pool; /* the connections' pools are its children */
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *freed; /* a connection went back, or away */
    apr_array_header_t *idle; /* session_t * */
    int open;                 /* connections in use or idle */
} upstream_t;

/* A connection, in its own pool, and the upstream it returns to. */
typedef struct {
    upstream_t *up;
    apr_pool_t *pool;
    iam_db_t *db;
} session_t;

/* Closes a session's connection, and lets a waiting writer open one. */
static void drop_session(session_t *s)
{
    upstream_t *up = s->up;

    apr_thread_mutex_lock(up->lock);
    apr_pool_destroy(s->pool);
    up->open--;
    apr_thread_cond_signal(up->freed);
    apr_thread_mutex_unlock(up->lock);
}

static session_t *take_session(upstream_t *up, iam_err_t *err)
{
    session_t *s = NULL;
    apr_pool_t *p;

    apr_thread_mutex_lock(up->lock);
    while (!up->idle->nelts && up->open >= OPEN_MAX)
        apr_thread_cond_wait(up->freed, up->lock);
    if (up->idle->nelts) {
        s = *(session_t **)apr_array_pop(up->idle);
    } else {
        apr_pool_create(&p, up->pool);
        up->open++;
    }
    apr_thread_mutex_unlock(up->lock);
    if (s)
        return s;
    s = apr_pcalloc(p, sizeof(*s));
    s->up = up;
    s->pool = p;
    if (iam_db_connect(&s->db, up->conninfo, p, err) != IAM_OK) {
        drop_session(s);
        return NULL;
    }
    return s;
}

static iam_status_e up_begin(void *ctx, iam_store_t *st, void **session, iam_err_t *err)
{
    session_t *s = take_session(ctx, err);
    unsigned char id[IAM_LOG_ID];
    unsigned long long head;

    if (!s)
        return err->status;
    *session = s; /* up_end gives it back, whatever happens now */
    if (iam_db_lock(s->db, id, &head, err) != IAM_OK)
        return err->status;
    /* a store that cannot follow (another workspace's, ahead, behind what
     * the database keeps): the server's state, not the write's fault; the
     * server makes its store anew when it starts */
    if (same_log(st, id, err) != IAM_OK || catch_up_to(st, s->db, head, NULL, err) != IAM_OK) {
        if (err->status == IAM_INVALID || err->status == IAM_STALE)
            err->status = IAM_UNAVAILABLE;
        return err->status;
    }
    return IAM_OK;
}

static iam_status_e up_commit(void *session, const iam_log_entry_t *e, iam_err_t *err)
{
    session_t *s = session;

    if (iam_db_append(s->db, e->seq, e->data, e->len, err) != IAM_OK)
        return err->status;
    return iam_db_commit(s->db, err);
}

/* Ends the session's transaction (nothing if it committed) and keeps the
 * connection for the next write, unless it was lost. */
static void up_end(void *session)
{
    session_t *s = session;
    upstream_t *up = s->up;

    iam_db_rollback(s->db);
    apr_thread_mutex_lock(up->lock);
    if (iam_db_usable(s->db) && up->idle->nelts < IDLE_MAX) {
        APR_ARRAY_PUSH(up->idle, session_t *) = s;
        apr_thread_cond_signal(up->freed);
        s = NULL;
    }
    apr_thread_mutex_unlock(up->lock);
    if (s)
        drop_session(s);
}

iam_status_e iam_replica_attach(iam_store_t *st, const char *conninfo, apr_pool_t *p)
{
    upstream_t *ctx = apr_pcalloc(p, sizeof(*ctx));
    iam_upstream_t up = {up_begin, up_commit, up_end, ctx};

    apr_allocator_t *alloc;
    apr_thread_mutex_t *alloc_lock;

    ctx->conninfo = apr_pstrdup(p, conninfo);
    /* the connections' pools: an allocator of their own, locked, as
     * threads allocate from them at once */
    if (apr_allocator_create(&alloc) != APR_SUCCESS)
        return IAM_ERROR;
    apr_pool_create_ex(&ctx->pool, p, NULL, alloc);
    apr_allocator_owner_set(alloc, ctx->pool);
    if (apr_thread_mutex_create(&alloc_lock, APR_THREAD_MUTEX_DEFAULT, ctx->pool) != APR_SUCCESS ||
        apr_thread_mutex_create(&ctx->lock, APR_THREAD_MUTEX_DEFAULT, ctx->pool) != APR_SUCCESS ||
        apr_thread_cond_create(&ctx->freed, ctx->pool) != APR_SUCCESS)
        return IAM_ERROR;
    apr_allocator_mutex_set(alloc, alloc_lock);
    ctx->idle = apr_array_make(ctx->pool, IDLE_MAX, sizeof(session_t *));
    iam_store_set_upstream(st, &up);
    return IAM_OK;
}

iam_status_e iam_replica_publish(iam_store_t *st, iam_db_t *db, iam_err_t *err)
{
    unsigned long long oldest, head;
    unsigned char id[IAM_LOG_ID];
    apr_array_header_t *read, *all;
    apr_pool_t *p;
    int i;

    if (iam_store_log_head(st, &oldest, &head, err) != IAM_OK ||
        iam_store_log_id(st, id, err) != IAM_OK)
        return err->status;
    if (oldest != 1) {
        return refuse(err, IAM_STALE,
                      "the store no longer holds its whole log: export it and import the file "
                      "into the database");
    }
    apr_pool_create(&p, NULL);
    all = apr_array_make(p, (int)head, sizeof(iam_log_entry_t));
    err->status = IAM_OK;
    while (all->nelts < (int)head &&
           iam_store_log_read(st, p, (unsigned long long)all->nelts, BATCH, &read, err) == IAM_OK &&
           read->nelts) {
        for (i = 0; i < read->nelts; i++)
            *(iam_log_entry_t *)apr_array_push(all) = *APR_ARRAY_IDX(read, i, iam_log_entry_t *);
    }
    if (err->status == IAM_OK && iam_db_create(db, id, all, err) == IAM_OK &&
        iam_store_set_database(st, iam_db_conninfo(db), err) == IAM_OK)
        err->status = IAM_OK;
    apr_pool_destroy(p);
    return err->status;
}

iam_status_e iam_replica_snapshot(iam_store_t *st, iam_db_t *db, unsigned long long keep,
                                  unsigned long long *seq, unsigned long long *trimmed,
                                  iam_err_t *err)
{
    unsigned char id[IAM_LOG_ID];
    unsigned long long head;
    iam_log_entry_t snap;
    apr_pool_t *p;

    *seq = *trimmed = 0;
    if (iam_db_head(db, id, &head, err) != IAM_OK || same_log(st, id, err) != IAM_OK)
        return err->status;
    apr_pool_create(&p, NULL);
    if (iam_store_snapshot(st, p, &snap, err) == IAM_OK &&
        iam_db_snapshot_put(db, id, snap.seq, snap.data, snap.len, keep, trimmed, err) == IAM_OK)
        *seq = snap.seq;
    apr_pool_destroy(p);
    return err->status;
}

iam_status_e iam_replica_remake(iam_store_t *st, iam_db_t *db, long *applied, iam_err_t *err)
{
    iam_log_entry_t snap;
    apr_pool_t *p;

    if (applied)
        *applied = 0;
    apr_pool_create(&p, NULL);
    if (iam_db_snapshot_latest(db, p, &snap, err) == IAM_OK) {
        if (!snap.seq)
            refuse(err, IAM_NOTFOUND,
                   "the database keeps no snapshot to make the store anew from (iamctl replica "
                   "snapshot keeps one)");
        else if (iam_store_log_start(st, &snap, 1, err) == IAM_OK)
            iam_replica_catch_up(st, db, applied, err);
    }
    apr_pool_destroy(p);
    return err->status;
}

iam_status_e iam_replica_status(iam_store_t *st, iam_db_t *db, iam_replica_status_t *out,
                                iam_err_t *err)
{
    unsigned long long oldest;
    unsigned char id[IAM_LOG_ID];
    iam_err_t db_err;

    memset(out, 0, sizeof(*out));
    if (iam_store_log_head(st, &oldest, &out->head, err) != IAM_OK)
        return err->status;
    out->same_log = 1;
    if (db && iam_db_head(db, id, &out->db_head, &db_err) == IAM_OK &&
        iam_db_kept(db, &out->db_oldest, &out->db_snapshot, &db_err) == IAM_OK) {
        out->reachable = 1;
        out->same_log = same_log(st, id, &db_err) == IAM_OK;
    }
    err->status = IAM_OK;
    return IAM_OK;
}
