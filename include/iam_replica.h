/* mod_iam: a store as the replica of a workspace's database
 * (iam_database.h). A replica applies the database's log in its order;
 * its writes lock the database's head, catch up, and are committed by the
 * database before the store commits them, so it is never ahead. */
#ifndef IAM_REPLICA_H
#define IAM_REPLICA_H

#include "iam_database.h"

/* Applies the entries the store lacks, in batches; *applied (if not NULL)
 * counts them. An empty store starts from the database's latest snapshot.
 * IAM_INVALID if the store follows another workspace or is ahead of the
 * database; IAM_STALE if it is behind what the database's log keeps.
 * Either way it is to be made anew from the database. */
iam_status_e iam_replica_catch_up(iam_store_t *st, iam_db_t *db, long *applied, iam_err_t *err);
/* Every write of this handle goes through the database `conninfo`: a
 * connection per write in progress (threads may write at once), made in
 * `p` when needed and kept for the next one. With the database out of
 * reach, writes fail with IAM_UNAVAILABLE and change nothing. */
iam_status_e iam_replica_attach(iam_store_t *st, const char *conninfo, apr_pool_t *p);
/* A new workspace in an empty database from a store whose whole log it
 * still holds (a store just made by init, or one to move in): the log is
 * copied, and the store records the database. */
iam_status_e iam_replica_publish(iam_store_t *st, iam_db_t *db, iam_err_t *err);

/* Keeps the store as the database's latest snapshot (*seq: its entry),
 * and the log from the newest snapshot at least `keep` entries older
 * (iam_db_snapshot_put; *trimmed: how many entries went). The store must
 * follow the database's log. */
iam_status_e iam_replica_snapshot(iam_store_t *st, iam_db_t *db, unsigned long long keep,
                                  unsigned long long *seq, unsigned long long *trimmed,
                                  iam_err_t *err);
/* A server's follower keeps a snapshot once the log has grown by this
 * many entries since the latest, and the log this far back. */
#define IAM_SNAPSHOT_EVERY 10000
/* Makes the store anew in place from the database's latest snapshot (in
 * one transaction: readers see the old store, then the new one), then
 * catches up: for a store that cannot follow (behind what the log keeps,
 * ahead, another workspace's). IAM_NOTFOUND if there is no snapshot. */
iam_status_e iam_replica_remake(iam_store_t *st, iam_db_t *db, long *applied, iam_err_t *err);

/* Where a replica stands against its database. */
typedef struct {
    unsigned long long head;        /* the store's last entry */
    unsigned long long db_head;     /* the database's (when reachable) */
    unsigned long long db_oldest;   /* the oldest entry its log keeps (0: none) */
    unsigned long long db_snapshot; /* its latest snapshot's entry (0: none) */
    int reachable;                  /* the database answered */
    int same_log;                   /* both follow the same log (or the store has none yet) */
} iam_replica_status_t;
iam_status_e iam_replica_status(iam_store_t *st, iam_db_t *db, iam_replica_status_t *out,
                                iam_err_t *err);

#endif
