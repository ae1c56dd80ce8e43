/* mod_iam: the workspace's database (PostgreSQL), when IAMDatabase or
 * `iamctl --database` names one. It holds the system of record: the
 * workspace's operation log, in one order, and its head. Every server's
 * store is a replica that applies that log (iam_replica.h); decisions
 * never read the database.
 *
 * Behind this header alone: mod_iam/database/database.c is the one file
 * that includes libpq (the Makefile checks it). Every value goes to
 * PostgreSQL as a parameter; no message carries a password. */
#ifndef IAM_DATABASE_H
#define IAM_DATABASE_H

#include "iam_store.h"

typedef struct iam_db iam_db_t;

/* NULL if libpq takes `conninfo` as a connection string or URI, else why
 * not (for IAMDatabase, checked at start-up). */
const char *iam_db_check_conninfo(apr_pool_t *p, const char *conninfo);

/* Connects with a libpq connection string or URI; `p` owns the handle
 * (closed with it). IAM_UNAVAILABLE if the database cannot be reached. */
iam_status_e iam_db_connect(iam_db_t **db, const char *conninfo, apr_pool_t *p, iam_err_t *err);
/* Whether the connection is up and outside a transaction. */
int iam_db_usable(const iam_db_t *db);
/* The connection string as given, for the replica's record. */
const char *iam_db_conninfo(const iam_db_t *db);

/* Makes the schema and the workspace of the log `log_id` with `entries`
 * (iam_log_entry_t: data, len and seq 1, 2, ...), in one transaction.
 * IAM_EXISTS if the database holds a workspace already. */
iam_status_e iam_db_create(iam_db_t *db, const unsigned char *log_id,
                           const apr_array_header_t *entries, iam_err_t *err);
/* The workspace's log id (IAM_LOG_ID bytes) and its last sequence.
 * IAM_NOSTORE if the database holds no workspace. */
iam_status_e iam_db_head(iam_db_t *db, unsigned char *log_id, unsigned long long *head,
                         iam_err_t *err);
/* The entries after `after`, at most `limit`, oldest first, into p
 * (iam_log_entry_t with seq, data and len). */
iam_status_e iam_db_read(iam_db_t *db, apr_pool_t *p, unsigned long long after, int limit,
                         apr_array_header_t **out, iam_err_t *err);

/* Snapshots: the workspace at an entry (iam_store_snapshot's), so that a
 * new replica starts from the latest rather than from entry 1. put keeps
 * one of the log `log_id` at `seq` (an entry the database committed;
 * else IAM_INVALID) and keeps the log from the newest snapshot at least
 * `keep` entries older, letting go of the log up to it (*trimmed: how
 * many entries) and of the snapshots before it. One writer at a time. */
iam_status_e iam_db_snapshot_put(iam_db_t *db, const unsigned char *log_id, unsigned long long seq,
                                 const void *data, size_t len, unsigned long long keep,
                                 unsigned long long *trimmed, iam_err_t *err);
/* The latest snapshot (seq, data and len) into p; seq 0 if none. */
iam_status_e iam_db_snapshot_latest(iam_db_t *db, apr_pool_t *p, iam_log_entry_t *out,
                                    iam_err_t *err);
/* The oldest entry the log keeps (the one after the latest snapshot if
 * it keeps none yet; 0: none at all) and the latest snapshot's (0: none). */
iam_status_e iam_db_kept(iam_db_t *db, unsigned long long *oldest, unsigned long long *snapshot,
                         iam_err_t *err);

/* A write: lock takes the workspace's head (other writers wait) and says
 * where it is; append adds the entry that follows it; commit makes it
 * the workspace's, and tells the followers. rollback ends a lock that
 * appended nothing or failed. */
iam_status_e iam_db_lock(iam_db_t *db, unsigned char *log_id, unsigned long long *head,
                         iam_err_t *err);
iam_status_e iam_db_append(iam_db_t *db, unsigned long long seq, const void *data, size_t len,
                           iam_err_t *err);
iam_status_e iam_db_commit(iam_db_t *db, iam_err_t *err);
void iam_db_rollback(iam_db_t *db);

/* Following: listen subscribes this connection to new entries; wait
 * returns 1 when one was committed, 0 after `timeout` without, and
 * IAM_UNAVAILABLE's -1 when the connection is lost. */
iam_status_e iam_db_listen(iam_db_t *db, iam_err_t *err);
int iam_db_wait(iam_db_t *db, apr_interval_time_t timeout);

#endif
