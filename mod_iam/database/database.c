/* mod_iam: the workspace's database, PostgreSQL through libpq (the only
 * file that includes it). Two tables:
 *
 *   iam_workspace  one row: the log's id, the sequence of its last entry
 *                  (the head, which writers lock) and the schema version
 *   iam_log        the log's entries by sequence, as the store's codec
 *                  wrote them (iam_log_encode), from the one after the
 *                  oldest snapshot kept
 *   iam_snapshot   the workspace at an entry, as one entry that puts
 *                  every fact (iam_store_snapshot): a new replica starts
 *                  from the latest
 *
 * A commit that appends notifies the channel iam_log with the new head,
 * so followers need not poll. Values always travel as parameters. */
#include "iam_database.h"

#include <apr_strings.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <poll.h>

#define SCHEMA_VERSION 1
#define CHANNEL "iam_log"
#define SNAPSHOT_LOCK "7169651" /* pg_advisory_xact_lock's key for snapshot writers */

struct iam_db {
    PGconn *conn;
    const char *conninfo;
    int in_tx; /* a transaction is open (lock, or create) */
};

static const char *const schema[] = {
    "CREATE TABLE IF NOT EXISTS iam_workspace ("
    " one boolean PRIMARY KEY DEFAULT true CHECK (one),"
    " log_id bytea NOT NULL CHECK (length(log_id) = 16),"
    " head bigint NOT NULL CHECK (head >= 0),"
    " schema_version integer NOT NULL,"
    " created timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS iam_log ("
    " seq bigint PRIMARY KEY CHECK (seq > 0),"
    " entry bytea NOT NULL,"
    " committed timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS iam_snapshot ("
    " seq bigint PRIMARY KEY CHECK (seq > 0),"
    " entry bytea NOT NULL,"
    " made timestamptz NOT NULL DEFAULT now())",
};

static iam_status_e command(iam_db_t *db, const char *sql, iam_err_t *err);

static const char session_limits[] = "SET lock_timeout = '10s'; "
                                     "SET idle_in_transaction_session_timeout = '60s'; "
                                     "SET statement_timeout = '120s'";

static iam_status_e fail(iam_err_t *err, iam_status_e st, const char *fmt, ...)
{
    va_list ap;
    char *c, *o;

    err->status = st;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    /* libpq's messages run over lines ("...\n\tIs the server running"):
     * one line, for a log line or iamctl's one line of error */
    for (c = err->msg, o = err->msg; *c; c++) {
        char ch = (*c == '\n' || *c == '\t' || *c == '\r') ? ' ' : *c;
        if (ch != ' ' || (o > err->msg && o[-1] != ' '))
            *o++ = ch;
    }
    while (o > err->msg && o[-1] == ' ')
        o--;
    *o = '\0';
    return st;
}

/* A failed query: a lost connection (SQLSTATE class 08, a shutting-down
 * server) is IAM_UNAVAILABLE, anything else IAM_ERROR. */
static iam_status_e query_failed(iam_db_t *db, PGresult *res, const char *what, iam_err_t *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* a lock or statement timeout (55P03, 57014) is the database too busy
     * to answer: as unreachable, nothing was written */
    int lost = PQstatus(db->conn) != CONNECTION_OK || !state || !strncmp(state, "08", 2) ||
               !strncmp(state, "57P", 3) || !strcmp(state, "55P03") || !strcmp(state, "57014");

    fail(err, lost ? IAM_UNAVAILABLE : IAM_ERROR, "database: %s: %s", what,
         PQerrorMessage(db->conn));
    PQclear(res);
    return err->status;
}

static apr_status_t close_conn(void *data)
{
    iam_db_t *db = data;

    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    return APR_SUCCESS;
}

/* The connection, made again if it was lost (outside a transaction). */
static iam_status_e ready(iam_db_t *db, iam_err_t *err)
{
    if (PQstatus(db->conn) == CONNECTION_OK)
        return IAM_OK;
    if (db->in_tx)
        return fail(err, IAM_UNAVAILABLE, "database: the connection was lost");
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK)
        return fail(err, IAM_UNAVAILABLE, "database: %s", PQerrorMessage(db->conn));
    return IAM_OK;
}

const char *iam_db_check_conninfo(apr_pool_t *p, const char *conninfo)
{
    char *bad = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &bad);
    const char *why;

    if (opts) {
        PQconninfoFree(opts);
        return NULL;
    }
    /* libpq's message may quote the value it choked on, a password
     * among them: it is not repeated */
    why = bad ? "not a connection string libpq takes (see libpq's \"Connection Strings\")"
              : "out of memory";
    PQfreemem(bad);
    return apr_pstrdup(p, why);
}

iam_status_e iam_db_connect(iam_db_t **out, const char *conninfo, apr_pool_t *p, iam_err_t *err)
{
    /* Defaults first, so that the connection string's own win: a bounded
     * wait to connect, and TCP keepalives that end a connection to a host
     * gone silent within some 15 s (the follower then connects again). */
    const char *keys[] = {"connect_timeout",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "tcp_user_timeout",
                          "application_name",
                          "dbname",
                          NULL};
    const char *values[] = {"5", "5", "2", "3", "15000", "mod_iam", conninfo, NULL};
    iam_db_t *db = apr_pcalloc(p, sizeof(*db));
    const char *why = iam_db_check_conninfo(p, conninfo);

    if (why)
        return fail(err, IAM_INVALID, "database: %s", why);
    db->conninfo = apr_pstrdup(p, conninfo);
    db->conn = PQconnectdbParams(keys, values, 1);
    apr_pool_cleanup_register(p, db, close_conn, apr_pool_cleanup_null);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
        return fail(err, IAM_UNAVAILABLE, "database: %s",
                    db->conn ? PQerrorMessage(db->conn) : "out of memory");
    /* No session may hold the log's head for long, nor wait for ever for
     * it: a writer stuck mid-write is ended by the server, one that waits
     * is refused (nothing written) and may try again. */
    if (command(db, session_limits, err) != IAM_OK)
        return err->status;
    *out = db;
    return IAM_OK;
}

int iam_db_usable(const iam_db_t *db)
{
    return db->conn && PQstatus(db->conn) == CONNECTION_OK && !db->in_tx;
}

const char *iam_db_conninfo(const iam_db_t *db)
{
    return db->conninfo;
}

/* A statement with text parameters and binary results. */
static PGresult *run(iam_db_t *db, const char *sql, int n, const char *const *values,
                     const int *lengths, const int *binary)
{
    return PQexecParams(db->conn, sql, n, NULL, values, lengths, binary, 1);
}

static iam_status_e command(iam_db_t *db, const char *sql, iam_err_t *err)
{
    PGresult *res = PQexec(db->conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return query_failed(db, res, sql, err);
    PQclear(res);
    return IAM_OK;
}

static unsigned long long get_u64(const PGresult *res, int row, int col)
{
    const unsigned char *b = (const unsigned char *)PQgetvalue(res, row, col);
    unsigned long long v = 0;
    int i;

    for (i = 0; i < 8 && PQgetlength(res, row, col) == 8; i++)
        v = (v << 8) | b[i];
    return v;
}

static iam_status_e begin(iam_db_t *db, iam_err_t *err)
{
    if (ready(db, err) != IAM_OK || command(db, "BEGIN", err) != IAM_OK)
        return err->status;
    db->in_tx = 1;
    return IAM_OK;
}

void iam_db_rollback(iam_db_t *db)
{
    iam_err_t ignored;

    if (db->in_tx && PQstatus(db->conn) == CONNECTION_OK)
        command(db, "ROLLBACK", &ignored);
    db->in_tx = 0;
}

iam_status_e iam_db_commit(iam_db_t *db, iam_err_t *err)
{
    PGresult *res = PQexec(db->conn, "COMMIT");

    db->in_tx = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return query_failed(db, res, "COMMIT", err);
    /* a transaction that failed answers COMMIT with ROLLBACK */
    if (strcmp(PQcmdStatus(res), "COMMIT")) {
        PQclear(res);
        return fail(err, IAM_ERROR, "database: the write was rolled back");
    }
    PQclear(res);
    return IAM_OK;
}

/* The workspace row, locked when `lock`. */
static iam_status_e read_head(iam_db_t *db, int lock, unsigned char *log_id,
                              unsigned long long *head, iam_err_t *err)
{
    PGresult *res = run(db,
                        lock ? "SELECT log_id, head, schema_version FROM iam_workspace FOR UPDATE"
                             : "SELECT log_id, head, schema_version FROM iam_workspace",
                        0, NULL, NULL, NULL);

    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && !strcmp(state, "42P01")) { /* undefined_table */
            PQclear(res);
            return fail(err, IAM_NOSTORE, "database: it holds no workspace: run iamctl init");
        }
        return query_failed(db, res, "reading the workspace", err);
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        return fail(err, IAM_NOSTORE, "database: it holds no workspace: run iamctl init");
    }
    if (PQgetlength(res, 0, 0) != IAM_LOG_ID || PQgetlength(res, 0, 2) != 4 ||
        ntohl(*(const uint32_t *)PQgetvalue(res, 0, 2)) != SCHEMA_VERSION) {
        PQclear(res);
        return fail(err, IAM_VERSION,
                    "database: its workspace has a schema this build does not know");
    }
    memcpy(log_id, PQgetvalue(res, 0, 0), IAM_LOG_ID);
    *head = get_u64(res, 0, 1);
    PQclear(res);
    return IAM_OK;
}

iam_status_e iam_db_head(iam_db_t *db, unsigned char *log_id, unsigned long long *head,
                         iam_err_t *err)
{
    if (ready(db, err) != IAM_OK)
        return err->status;
    return read_head(db, 0, log_id, head, err);
}

iam_status_e iam_db_lock(iam_db_t *db, unsigned char *log_id, unsigned long long *head,
                         iam_err_t *err)
{
    /* a kept connection the server has dropped (a restart, a failover)
     * fails its BEGIN: connect again once, as nothing was sent */
    if (begin(db, err) != IAM_OK && (err->status != IAM_UNAVAILABLE || begin(db, err) != IAM_OK))
        return err->status;
    if (read_head(db, 1, log_id, head, err) != IAM_OK) {
        iam_db_rollback(db);
        return err->status;
    }
    return IAM_OK;
}

iam_status_e iam_db_append(iam_db_t *db, unsigned long long seq, const void *data, size_t len,
                           iam_err_t *err)
{
    char num[24];
    const char *values[2] = {num, data};
    int lengths[2] = {0, (int)len}, binary[2] = {0, 1};
    PGresult *res;

    if (len > 0x3fffffff)
        return fail(err, IAM_INVALID, "database: a log entry of %zu bytes is too large", len);
    snprintf(num, sizeof(num), "%llu", seq);
    res = run(db,
              "WITH added AS (INSERT INTO iam_log (seq, entry) VALUES ($1::bigint, $2) RETURNING "
              "seq) UPDATE iam_workspace SET head = (SELECT seq FROM added) "
              "WHERE head = $1::bigint - 1 RETURNING pg_notify('" CHANNEL "', $1::text)",
              2, values, lengths, binary);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return query_failed(db, res, "appending to the log", err);
    if (PQntuples(res) != 1) { /* the head moved: the caller did not hold the lock */
        PQclear(res);
        return fail(err, IAM_STALE, "database: the log's head is not before entry %llu", seq);
    }
    PQclear(res);
    return IAM_OK;
}

iam_status_e iam_db_read(iam_db_t *db, apr_pool_t *p, unsigned long long after, int limit,
                         apr_array_header_t **out, iam_err_t *err)
{
    char num[24], lim[16];
    const char *values[2] = {num, lim};
    PGresult *res;
    int i;

    if (ready(db, err) != IAM_OK)
        return err->status;
    snprintf(num, sizeof(num), "%llu", after);
    snprintf(lim, sizeof(lim), "%d", limit > 0 ? limit : 1000);
    res =
        run(db, "SELECT seq, entry FROM iam_log WHERE seq > $1::bigint ORDER BY seq LIMIT $2::int",
            2, values, NULL, NULL);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return query_failed(db, res, "reading the log", err);
    *out = apr_array_make(p, PQntuples(res), sizeof(iam_log_entry_t));
    for (i = 0; i < PQntuples(res); i++) {
        iam_log_entry_t *e = apr_array_push(*out);
        memset(e, 0, sizeof(*e));
        e->seq = get_u64(res, i, 0);
        e->len = (size_t)PQgetlength(res, i, 1);
        e->data = apr_pmemdup(p, PQgetvalue(res, i, 1), e->len);
    }
    PQclear(res);
    return IAM_OK;
}

iam_status_e iam_db_create(iam_db_t *db, const unsigned char *log_id,
                           const apr_array_header_t *entries, iam_err_t *err)
{
    char version[16];
    const char *values[2] = {(const char *)log_id, version};
    int lengths[2] = {IAM_LOG_ID, 0}, binary[2] = {1, 0};
    unsigned char had[IAM_LOG_ID];
    unsigned long long head;
    PGresult *res;
    size_t i;
    int n;

    if (begin(db, err) != IAM_OK)
        return err->status;
    for (i = 0; i < sizeof(schema) / sizeof(schema[0]); i++) {
        if (command(db, schema[i], err) != IAM_OK)
            goto out;
    }
    if (command(db, "LOCK TABLE iam_workspace IN EXCLUSIVE MODE", err) != IAM_OK)
        goto out;
    switch (read_head(db, 0, had, &head, err)) {
    case IAM_NOSTORE: break;
    case IAM_OK: fail(err, IAM_EXISTS, "database: it holds a workspace already"); goto out;
    default: goto out;
    }
    snprintf(version, sizeof(version), "%d", SCHEMA_VERSION);
    res =
        run(db, "INSERT INTO iam_workspace (log_id, head, schema_version) VALUES ($1, 0, $2::int)",
            2, values, lengths, binary);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        query_failed(db, res, "making the workspace", err);
        goto out;
    }
    PQclear(res);
    for (n = 0; n < entries->nelts; n++) {
        const iam_log_entry_t *e = &APR_ARRAY_IDX(entries, n, iam_log_entry_t);
        if (iam_db_append(db, e->seq, e->data, e->len, err) != IAM_OK)
            goto out;
    }
    if (iam_db_commit(db, err) != IAM_OK)
        return err->status;
    err->status = IAM_OK;
    return IAM_OK;
out:
    iam_db_rollback(db);
    return err->status;
}

iam_status_e iam_db_listen(iam_db_t *db, iam_err_t *err)
{
    if (ready(db, err) != IAM_OK)
        return err->status;
    return command(db, "LISTEN " CHANNEL, err);
}

/* Takes the notifications libpq holds: 1 if there was one. */
static int drain(iam_db_t *db)
{
    PGnotify *n;
    int got = 0;

    while ((n = PQnotifies(db->conn))) {
        got = 1;
        PQfreemem(n);
    }
    return got;
}

int iam_db_wait(iam_db_t *db, apr_interval_time_t timeout)
{
    struct pollfd pfd = {PQsocket(db->conn), POLLIN, 0};

    if (pfd.fd < 0 || PQstatus(db->conn) != CONNECTION_OK)
        return -1;
    /* some may have come with the answers to the last queries */
    if (drain(db))
        return 1;
    if (poll(&pfd, 1, (int)(timeout / 1000)) < 0)
        return 0; /* a signal: the caller looks again */
    if (!PQconsumeInput(db->conn))
        return -1;
    return drain(db);
}

/* ---- snapshots, and the log they let go of ---- */

/* One row of numbers or data, outside a transaction: the result, or
 * NULL having said why. */
static PGresult *one_query(iam_db_t *db, const char *sql, const char *what, iam_err_t *err)
{
    PGresult *res;

    if (ready(db, err) != IAM_OK)
        return NULL;
    res = run(db, sql, 0, NULL, NULL, NULL);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        query_failed(db, res, what, err);
        return NULL;
    }
    return res;
}

iam_status_e iam_db_kept(iam_db_t *db, unsigned long long *oldest, unsigned long long *snapshot,
                         iam_err_t *err)
{
    PGresult *res =
        one_query(db, "SELECT (SELECT min(seq) FROM iam_log), (SELECT max(seq) FROM iam_snapshot)",
                  "reading what the database keeps", err);

    *oldest = *snapshot = 0;
    if (!res)
        return err->status;
    *oldest = get_u64(res, 0, 0); /* NULL: an empty value, 0 */
    *snapshot = get_u64(res, 0, 1);
    if (!*oldest && *snapshot) /* nothing kept after it yet: the next one */
        *oldest = *snapshot + 1;
    PQclear(res);
    return IAM_OK;
}

iam_status_e iam_db_snapshot_latest(iam_db_t *db, apr_pool_t *p, iam_log_entry_t *out,
                                    iam_err_t *err)
{
    PGresult *res = one_query(db, "SELECT seq, entry FROM iam_snapshot ORDER BY seq DESC LIMIT 1",
                              "reading the snapshot", err);

    memset(out, 0, sizeof(*out));
    if (!res)
        return err->status;
    if (PQntuples(res) == 1) {
        out->seq = get_u64(res, 0, 0);
        out->len = (size_t)PQgetlength(res, 0, 1);
        out->data = apr_pmemdup(p, PQgetvalue(res, 0, 1), out->len);
    }
    PQclear(res);
    return IAM_OK;
}

iam_status_e iam_db_snapshot_put(iam_db_t *db, const unsigned char *log_id, unsigned long long seq,
                                 const void *data, size_t len, unsigned long long keep,
                                 unsigned long long *trimmed, iam_err_t *err)
{
    char num[24], back[24];
    const char *values[3] = {num, data, back};
    int lengths[3] = {0, (int)len, 0}, binary[3] = {0, 1, 0};
    unsigned char had[IAM_LOG_ID];
    unsigned long long head;
    PGresult *res;

    *trimmed = 0;
    if (len > 0x3fffffff)
        return fail(err, IAM_INVALID, "database: a snapshot of %zu bytes is too large", len);
    snprintf(num, sizeof(num), "%llu", seq);
    snprintf(back, sizeof(back), "%llu", keep);
    /* one snapshot writer at a time (servers' followers, iamctl); the
     * log's head is read, not locked: writers go on meanwhile */
    if (begin(db, err) != IAM_OK)
        goto out;
    res = run(db, "SELECT pg_advisory_xact_lock(" SNAPSHOT_LOCK ")", 0, NULL, NULL, NULL);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        query_failed(db, res, "waiting for another snapshot's writer", err);
        goto out;
    }
    PQclear(res);
    if (read_head(db, 0, had, &head, err) != IAM_OK)
        goto out;
    if (memcmp(had, log_id, IAM_LOG_ID) || head < seq) {
        fail(err, IAM_INVALID, "database: %s: no snapshot kept",
             head < seq ? "its log is behind the store's" : "it holds another workspace");
        goto out;
    }
    res = run(db,
              "INSERT INTO iam_snapshot (seq, entry) VALUES ($1::bigint, $2) "
              "ON CONFLICT (seq) DO NOTHING",
              2, values, lengths, binary);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        query_failed(db, res, "keeping the snapshot", err);
        goto out;
    }
    PQclear(res);
    /* the log is kept from the newest snapshot at least `keep` entries
     * older than this one, so that a replica that far behind goes on
     * from the log; the snapshots before that one go */
    values[1] = back;
    res = run(db,
              "WITH keep AS (SELECT coalesce(max(seq), 0) AS seq FROM iam_snapshot "
              "WHERE seq <= $1::bigint - $2::bigint), "
              "gone AS (DELETE FROM iam_snapshot WHERE seq < (SELECT seq FROM keep)), "
              "cut AS (DELETE FROM iam_log WHERE seq <= (SELECT seq FROM keep) RETURNING seq) "
              "SELECT count(*)::bigint FROM cut",
              2, values, NULL, NULL);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        query_failed(db, res, "letting go of the old log", err);
        goto out;
    }
    *trimmed = get_u64(res, 0, 0);
    PQclear(res);
    return iam_db_commit(db, err);
out:
    iam_db_rollback(db);
    return err->status;
}
