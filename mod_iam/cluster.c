/* mod_iam: the server as a replica of the workspace's database
 * (IAMDatabase). At start-up the store is filled from the database (made
 * anew if it follows another workspace); every write of the server goes
 * through the database (iam_replica_attach); and one thread of one child,
 * mod_watchdog's singleton, follows the database: it waits for the
 * notification of a new entry (LISTEN), or polls every few seconds, and
 * applies what the store lacks, which every child then reads. Decisions
 * never touch the network. */
#include "mod_iam.h"

#include "iam_replica.h"

#include "apr_optional.h"
#include "apr_strings.h"
#include "mod_watchdog.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define FOLLOW_WAIT apr_time_from_msec(500) /* one call of the callback waits this long */
#define FOLLOW_POLL 5                       /* s: catch up at least this often */
#define RECONNECT 2                         /* s between attempts to reach the database */
#define SNAPSHOT_CHECK 60                   /* s: whether a snapshot is due, at most this often */

/* Removes a store's files so that it can be made anew (start-up only,
 * before any child opened it). */
static void remove_store(const char *dir, apr_pool_t *p)
{
    unlink(apr_pstrcat(p, dir, "/data.mdb", NULL));
    unlink(apr_pstrcat(p, dir, "/lock.mdb", NULL));
}

/* Start-up: the store *st (opened, made if missing) becomes the database's
 * replica, up to its head. A store of another workspace is made anew from
 * the database, never served. Unreachable: the store stays as it is. */
static iam_status_e prepare(server_rec *s, const iam_workspace_t *ws, iam_store_t **st,
                            apr_pool_t *p, iam_err_t *err)
{
    const char *conninfo = iam_ws_database(ws);
    unsigned char id[IAM_LOG_ID];
    unsigned long long head;
    iam_db_t *db;
    long applied = 0;

    if (iam_db_connect(&db, conninfo, p, err) != IAM_OK ||
        iam_db_head(db, id, &head, err) != IAM_OK) {
        iam_log_s(s, APLOG_ERR, 0,
                  "%s: %s; deciding from the store as it is, writes refused until it answers",
                  IAM_DIR_DATABASE, err->msg);
        /* recorded all the same: iamctl -d STORE must not write it alone */
        if (iam_store_set_database(*st, conninfo, err) != IAM_OK)
            return err->status;
        return iam_replica_attach(*st, conninfo, p);
    }
    /* a store of another workspace, ahead of the database (restored,
     * failed over), or behind what its log keeps: made anew, never served */
    switch (iam_replica_catch_up(*st, db, &applied, err)) {
    case IAM_INVALID:
    case IAM_STALE:
        iam_log_s(s, APLOG_WARNING, 0, "store %s: %s: made anew", iam_ws_store_dir(ws), err->msg);
        iam_store_close(*st);
        remove_store(iam_ws_store_dir(ws), p);
        if (iam_store_open(st, iam_ws_store_dir(ws), iam_ws_mapsize(ws), IAM_OPEN_CREATE, p, err) !=
            IAM_OK)
            return err->status;
        iam_replica_catch_up(*st, db, &applied, err);
        break;
    default: break;
    }
    if (err->status != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "%s: filling the store: %s", IAM_DIR_DATABASE, err->msg);
    else
        iam_log_s(s, APLOG_INFO, 0, "%s: store %s at entry %" APR_UINT64_T_FMT " (%ld applied now)",
                  IAM_DIR_DATABASE, iam_ws_store_dir(ws), (apr_uint64_t)head, applied);
    /* the store's writes (the plan, the bootstrap owner) go through it */
    if (iam_store_set_database(*st, conninfo, err) != IAM_OK)
        return err->status;
    return iam_replica_attach(*st, conninfo, p);
}

iam_status_e iam_cluster_open(server_rec *s, const iam_workspace_t *ws, iam_store_t **st,
                              apr_pool_t *p, iam_err_t *err)
{
    const char *dir = iam_ws_store_dir(ws);

    switch (iam_store_open(st, dir, iam_ws_mapsize(ws), IAM_OPEN_CREATE, p, err)) {
    case IAM_OK: break;
    case IAM_CORRUPT:
    case IAM_VERSION: /* the database has it all: never serve a damaged copy */
        iam_log_s(s, APLOG_WARNING, 0, "%s: made anew from the database", err->msg);
        remove_store(dir, p);
        if (iam_store_open(st, dir, iam_ws_mapsize(ws), IAM_OPEN_CREATE, p, err) != IAM_OK)
            return err->status;
        break;
    default: return err->status;
    }
    return prepare(s, ws, st, p, err);
}

/* ---- the follower ---- */

/* The watchdog thread's own, but for the child's exit (follow_stop):
 * follow_lock, a static mutex that outlives the child's pools, keeps the
 * two apart. */
static pthread_mutex_t follow_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int stopped;      /* the child is going: its store is closed or closing */
    apr_pool_t *pool; /* the connection's (NULL: none) */
    iam_db_t *db;
    time_t next_try;      /* no attempt to connect before */
    time_t last_catch;    /* the last catch-up */
    time_t last_snapshot; /* the last look at whether one is due */
    int said_down;        /* the loss is logged once */
    char stuck[256];      /* why the log could not be applied, logged once */
} follow;

static void follow_close(void)
{
    if (follow.pool)
        apr_pool_destroy(follow.pool);
    follow.pool = NULL;
    follow.db = NULL;
}

static int follow_connect(server_rec *s)
{
    iam_err_t err;

    if (follow.db)
        return 1;
    if (time(NULL) < follow.next_try)
        return 0;
    follow.next_try = time(NULL) + RECONNECT;
    apr_pool_create(&follow.pool, NULL);
    if (iam_db_connect(&follow.db, iam_ws_database(iam_workspace_of(s)), follow.pool, &err) !=
            IAM_OK ||
        iam_db_listen(follow.db, &err) != IAM_OK) {
        if (!follow.said_down)
            iam_log_s(s, APLOG_ERR, 0, "%s: following stopped: %s", IAM_DIR_DATABASE, err.msg);
        follow.said_down = 1;
        follow_close();
        return 0;
    }
    if (follow.said_down)
        iam_log_s(s, APLOG_NOTICE, 0, "%s: following again", IAM_DIR_DATABASE);
    follow.said_down = 0;
    follow.last_catch = 0; /* what came meanwhile, now */
    return 1;
}

/* What the follower last heard, for `iamctl replica status`: the file
 * "follower" in the store's directory (pid, time, entry), once a second
 * at most, replaced whole. */
static void follow_note(server_rec *s, iam_store_t *st)
{
    static time_t noted;
    unsigned long long oldest, head;
    const char *dir = iam_ws_store_dir(iam_workspace_of(s));
    char tmp[1024], path[1024];
    iam_err_t err;
    FILE *f;

    if (time(NULL) == noted || iam_store_log_head(st, &oldest, &head, &err) != IAM_OK)
        return;
    noted = time(NULL);
    snprintf(path, sizeof(path), "%s/follower", dir);
    snprintf(tmp, sizeof(tmp), "%s/follower.%ld", dir, (long)getpid());
    if (!(f = fopen(tmp, "w")))
        return;
    fprintf(f, "pid %ld\ncontact %lld\nentry %llu\n", (long)getpid(), (long long)noted, head);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
}

/* Keeps a snapshot in the database once the log has grown by
 * IAM_SNAPSHOT_EVERY entries since the latest: new replicas start from
 * it, and the log before the one before it is let go of. Whichever
 * server's follower looks first keeps it. */
static void follow_snapshot(server_rec *s, iam_store_t *st)
{
    unsigned long long oldest, snapshot, mine, seq, trimmed, ignored;
    iam_err_t err;

    if (time(NULL) - follow.last_snapshot < SNAPSHOT_CHECK)
        return;
    follow.last_snapshot = time(NULL);
    if (iam_db_kept(follow.db, &oldest, &snapshot, &err) != IAM_OK ||
        iam_store_log_head(st, &ignored, &mine, &err) != IAM_OK ||
        mine < snapshot + IAM_SNAPSHOT_EVERY)
        return;
    if (iam_replica_snapshot(st, follow.db, IAM_SNAPSHOT_EVERY, &seq, &trimmed, &err) != IAM_OK)
        iam_log_s(s, APLOG_WARNING, 0, "%s: keeping a snapshot: %s", IAM_DIR_DATABASE, err.msg);
    else
        iam_log_s(s, APLOG_INFO, 0,
                  "%s: snapshot at entry %" APR_UINT64_T_FMT " kept; %" APR_UINT64_T_FMT
                  " older log entries let go of",
                  IAM_DIR_DATABASE, (apr_uint64_t)seq, (apr_uint64_t)trimmed);
}

/* A catch-up that failed: a store that cannot follow (behind what the
 * log keeps, ahead, another workspace's) is made anew in place from the
 * database's snapshot, never served on; anything else, or no snapshot to
 * start from, is logged when the reason is new, not every poll. */
static void follow_stuck(server_rec *s, iam_store_t *st, iam_err_t *err)
{
    iam_err_t again;
    long applied;

    if (err->status == IAM_INVALID || err->status == IAM_STALE) {
        if (iam_replica_remake(st, follow.db, &applied, &again) == IAM_OK) {
            iam_log_s(s, APLOG_WARNING, 0,
                      "%s: store %s: %s: made anew from the database's snapshot (%ld entries)",
                      IAM_DIR_DATABASE, iam_ws_store_dir(iam_workspace_of(s)), err->msg, applied);
            follow.stuck[0] = '\0';
            return;
        }
        if (again.status == IAM_UNAVAILABLE) {
            *err = again;
            return;
        }
    }
    if (!strcmp(follow.stuck, err->msg))
        return;
    apr_cpystrn(follow.stuck, err->msg, sizeof(follow.stuck));
    iam_log_s(s, APLOG_ERR, 0, "%s: cannot apply the database's log: %s%s", IAM_DIR_DATABASE,
              err->msg,
              err->status == IAM_INVALID || err->status == IAM_STALE
                  ? " (and there is no snapshot to make the store anew from: a restart of "
                    "Apache does; writes are refused until then)"
                  : "");
}

static void follow_once(server_rec *s)
{
    iam_store_t *st = iam_child_store();
    iam_err_t err;
    long applied;
    int woke;

    if (!st || !follow_connect(s))
        return;
    woke = iam_db_wait(follow.db, FOLLOW_WAIT);
    if (woke < 0) {
        follow_close();
        return;
    }
    if (woke || time(NULL) - follow.last_catch >= FOLLOW_POLL) {
        follow.last_catch = time(NULL);
        if (iam_replica_catch_up(st, follow.db, &applied, &err) != IAM_OK) {
            follow_stuck(s, st, &err);
            if (err.status == IAM_UNAVAILABLE)
                follow_close();
            return;
        }
        if (follow.stuck[0])
            iam_log_s(s, APLOG_NOTICE, 0, "%s: applying the database's log again",
                      IAM_DIR_DATABASE);
        follow.stuck[0] = '\0';
        follow_snapshot(s, st);
    }
    follow_note(s, st);
}

static apr_status_t follow_callback(int state, void *data, apr_pool_t *pool)
{
    (void)pool;
    pthread_mutex_lock(&follow_lock);
    if (state == AP_WATCHDOG_STATE_RUNNING && !follow.stopped)
        follow_once(data);
    else if (state == AP_WATCHDOG_STATE_STOPPING)
        follow_close();
    pthread_mutex_unlock(&follow_lock);
    return APR_SUCCESS;
}

/* Before the child's pool (and its store) goes: mod_watchdog's thread
 * lives on in pconf until the process exits, so it must stop touching
 * the store first. A follow_once in progress finishes (0.5 s at most). */
static apr_status_t follow_stop(void *data)
{
    (void)data;
    pthread_mutex_lock(&follow_lock);
    follow.stopped = 1;
    follow_close();
    pthread_mutex_unlock(&follow_lock);
    return APR_SUCCESS;
}

void iam_cluster_child_init(apr_pool_t *pchild, server_rec *s)
{
    if (iam_ws_database(iam_workspace_of(s)))
        apr_pool_pre_cleanup_register(pchild, NULL, follow_stop);
}

/* post_config: with IAMDatabase, one child's watchdog thread follows. */
int iam_cluster_register(apr_pool_t *pconf, server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get_instance =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *register_callback =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    ap_watchdog_t *wd;

    if (!iam_ws_database(iam_workspace_of(s)))
        return OK;
    if (!get_instance || !register_callback) {
        iam_log_s(s, APLOG_CRIT, 0, "%s needs mod_watchdog (compiled into Debian's apache2)",
                  IAM_DIR_DATABASE);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (get_instance(&wd, "mod_iam-follower", 0, 1, pconf) != APR_SUCCESS ||
        register_callback(wd, apr_time_from_msec(10), s, follow_callback) != APR_SUCCESS) {
        iam_log_s(s, APLOG_CRIT, 0, "%s: cannot start the follower (mod_watchdog)",
                  IAM_DIR_DATABASE);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
