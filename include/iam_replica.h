/* mod_iam: a store as the replica of a workspace's database
 * (iam_database.h). A replica applies the database's log in its order;
 * its writes lock the database's head, catch up, and are committed by the
 * database before the store commits them, so it is never ahead. */
#ifndef IAM_REPLICA_H
#define IAM_REPLICA_H

#include "iam_database.h"

/* Applies the entries the store lacks, in batches; *applied (if not NULL)
 * counts them. IAM_INVALID if the store follows another workspace. */
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

/* Where a replica stands against its database. */
typedef struct {
    unsigned long long head;    /* the store's last entry */
    unsigned long long db_head; /* the database's (when reachable) */
    int reachable;              /* the database answered */
    int same_log;               /* both follow the same log (or the store has none yet) */
} iam_replica_status_t;
iam_status_e iam_replica_status(iam_store_t *st, iam_db_t *db, iam_replica_status_t *out,
                                iam_err_t *err);

#endif
