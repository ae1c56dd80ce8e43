/* mod_iam store: a replica's link to the workspace's database. The store
 * records which database it follows (meta "database", its own record:
 * the log does not carry it), and a handle may be given the upstream its
 * writes go through (tx.c calls it around each write of the workspace).
 *
 *   0x01 "database"   the connection string of the database it follows
 */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

void iam_store_set_upstream(iam_store_t *st, const iam_upstream_t *up)
{
    if (up)
        st->upstream = *up;
    else
        memset(&st->upstream, 0, sizeof(st->upstream));
}

const char *iam_store_database(iam_store_t *st, apr_pool_t *p)
{
    const char *conninfo = NULL;
    iam_err_t err;
    key_t_ k;
    MDB_val v;
    tx_t t;

    if (tx_begin(&t, st, TX_READ, p, &err) != IAM_OK)
        return NULL;
    key_meta(&k, "database");
    if (tx_get(&t, &k, &v) == 1)
        conninfo = apr_pstrmemdup(p, v.mv_data, v.mv_size);
    tx_done(&t);
    return conninfo;
}

iam_status_e iam_store_set_database(iam_store_t *st, const char *conninfo, iam_err_t *err)
{
    apr_pool_t *p;
    key_t_ k;
    tx_t t;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, TX_LOCAL, p, err) == IAM_OK) {
        t.log = NULL; /* not the workspace's: not logged */
        key_meta(&k, "database");
        if (conninfo)
            tx_put(&t, &k, st_str_val(conninfo));
        else
            tx_del(&t, &k);
    }
    if (tx_end(&t) == IAM_OK)
        st->replica = conninfo != NULL;
    apr_pool_destroy(p);
    return t.status;
}
