/* iamctl: a workspace held in a database (--database, $IAM_DATABASE, or
 * the database a replica store records). Opening the store connects to
 * the database, brings the store up to it and sends every write through
 * it; with the database down, reads go on from the store and writes fail
 * with one line. Without a store of its own (no -d, -f or $IAM_STORE),
 * iamctl works on a temporary replica. Also: init of a workspace in a
 * database, and `replica status`. */

#include "iamctl_int.h"

#include "iam_replica.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

#define LAG_MAX 5          /* seconds a replica may be behind before status says so */
#define FOLLOWER_SILENT 10 /* seconds a server's follower may go without hearing */

/* The database the command names, or the one the store records. */
static const char *conninfo_of(ctl_t *c)
{
    return c->database ? c->database : iam_store_database(c->st, c->p);
}

/* Sends every write of the store through the database the command names
 * or the store records: 0, or the exit status. Reads show the store as it
 * is (its server's follower keeps it up to date); each write catches up
 * first. A temporary replica is brought up to the database now. */
int ctl_follow_database(ctl_t *c)
{
    const char *conninfo = conninfo_of(c);
    iam_err_t err;
    long applied;

    if (!conninfo)
        return 0;
    if (iam_replica_attach(c->st, conninfo, c->p) != IAM_OK)
        return ctl_error("cannot prepare the connection to the database");
    if (!c->temp)
        return 0;
    if (iam_db_connect(&c->db, conninfo, c->p, &err) != IAM_OK ||
        iam_replica_catch_up(c->st, c->db, &applied, &err) != IAM_OK)
        return ctl_store_error(&err);
    return 0;
}

/* A store for a command without one: a temporary replica, removed at exit. */
static char *temp_dir;

static void remove_temp(void)
{
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    char path[1100];
    size_t i;

    if (!temp_dir)
        return;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", temp_dir, files[i]);
        unlink(path);
    }
    rmdir(temp_dir);
}

int ctl_temp_replica(ctl_t *c)
{
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = apr_pstrcat(c->p, tmp, "/iamctl.XXXXXX", NULL);

    if (!mkdtemp(dir))
        return ctl_error("cannot make a temporary store in %s", tmp);
    temp_dir = strdup(dir);
    atexit(remove_temp);
    c->dir = dir;
    return 0;
}

/* init with a database: a new workspace if it holds none (its first
 * entries made in the store, then copied into the database), else the
 * store becomes a replica of the workspace it holds. */
int ctl_init_database(ctl_t *c)
{
    unsigned char id[IAM_LOG_ID];
    unsigned long long head;
    iam_err_t err;
    long applied = 0;

    if (iam_db_connect(&c->db, c->database, c->p, &err) != IAM_OK)
        return ctl_store_error(&err);
    switch (iam_db_head(c->db, id, &head, &err)) {
    case IAM_NOSTORE:
        if (iam_store_secret_make(c->st, &err) != IAM_OK ||
            iam_replica_publish(c->st, c->db, &err) != IAM_OK)
            return ctl_store_error(&err);
        printf("database ready: a new workspace, store %s its replica\n", c->dir);
        return 0;
    case IAM_OK:
        if (c->temp)
            return ctl_error("the database holds a workspace already");
        if (iam_replica_catch_up(c->st, c->db, &applied, &err) != IAM_OK ||
            iam_store_set_database(c->st, c->database, &err) != IAM_OK)
            return ctl_store_error(&err);
        printf("store %s is a replica of the database's workspace: %ld entries applied\n", c->dir,
               applied);
        return 0;
    default: return ctl_store_error(&err);
    }
}

/* How long the store has been behind: the age of the first entry it
 * lacks (0 when it lacks none or it cannot be read). */
static long long lag_seconds(ctl_t *c, unsigned long long head)
{
    apr_array_header_t *next;
    iam_log_entry_t e;
    iam_err_t err;
    const iam_log_entry_t *raw;

    if (iam_db_read(c->db, c->p, head, 1, &next, &err) != IAM_OK || !next->nelts)
        return 0;
    raw = (const iam_log_entry_t *)next->elts;
    if (iam_log_decode(c->p, raw->data, raw->len, &e))
        return 0;
    return (long long)time(NULL) - e.time;
}

/* What a server's follower last noted (cluster.c): 1 if there is such a
 * note, with its time and entry. */
static int follower_note(ctl_t *c, long *pid, long long *contact, unsigned long long *entry)
{
    FILE *f = fopen(apr_pstrcat(c->p, c->dir, "/follower", NULL), "r");
    int n;

    if (!f)
        return 0;
    n = fscanf(f, "pid %ld contact %lld entry %llu", pid, contact, entry);
    fclose(f);
    return n == 3;
}

/* replica sync: brings the store up to the database now (a server's
 * follower does it by itself). */
static int replica_sync(ctl_t *c)
{
    unsigned long long oldest, head;
    iam_err_t err;
    long applied;

    if (!c->db)
        return ctl_error("the database cannot be reached: the store stays as it is");
    if (iam_replica_catch_up(c->st, c->db, &applied, &err) != IAM_OK ||
        iam_store_log_head(c->st, &oldest, &head, &err) != IAM_OK)
        return ctl_store_error(&err);
    printf("applied %ld entries: store %s at entry %llu\n", applied, c->dir, head);
    return 0;
}

/* replica snapshot [--keep N]: the store, brought up to the database,
 * kept there as the snapshot new replicas start from (a server's
 * follower keeps one every IAM_SNAPSHOT_EVERY entries by itself); the log
 * is kept from the newest snapshot at least N entries older (default
 * IAM_SNAPSHOT_EVERY), and let go of before it. */
static int replica_snapshot(ctl_t *c, unsigned long long keep)
{
    unsigned long long seq, trimmed;
    iam_err_t err;
    long applied;

    if (!c->db)
        return ctl_error("the database cannot be reached: no snapshot kept");
    if (iam_replica_catch_up(c->st, c->db, &applied, &err) != IAM_OK ||
        iam_replica_snapshot(c->st, c->db, keep, &seq, &trimmed, &err) != IAM_OK)
        return ctl_store_error(&err);
    printf("snapshot at entry %llu kept in the database; %llu older log entries let go of\n", seq,
           trimmed);
    return 0;
}

/* replica status | sync | snapshot: the store against the database. */
int cmd_replica(ctl_t *c, int argc, char **argv)
{
    iam_replica_status_t rs;
    const char *conninfo;
    iam_err_t err;
    long long lag = 0, contact = 0, silent;
    unsigned long long entry = 0;
    long pid = 0;
    const char *what = argc >= 1 ? argv[0] : "", *keep_text;
    int status = !strcmp(what, "status"), bad = 0;
    unsigned long long keep = IAM_SNAPSHOT_EVERY;
    char *end;

    if (argc >= 1) {
        argc--;
        argv++;
    }
    keep_text = ctl_take_opt(&argc, argv, "--keep", &bad);
    if (bad || (keep_text && strcmp(what, "snapshot")))
        return ctl_usage("--keep N is for replica snapshot");
    if (keep_text) {
        errno = 0;
        keep = strtoull(keep_text, &end, 10);
        if (errno || end == keep_text || *end || keep_text[0] == '-')
            return ctl_usage("--keep takes a number of entries, not '%s'", keep_text);
    }
    if (argc != 0 || (!status && strcmp(what, "sync") && strcmp(what, "snapshot")))
        return ctl_usage("replica takes one command: status, sync or snapshot [--keep N]");
    if (ctl_open_store(c, status ? IAM_OPEN_RDONLY : 0))
        return EXIT_FAILURE;
    if (!(conninfo = conninfo_of(c)))
        return ctl_error("store %s replicates no database", c->dir);
    if (!c->db && iam_db_connect(&c->db, conninfo, c->p, &err) != IAM_OK)
        c->db = NULL; /* unreachable: status says so, sync fails */
    if (!strcmp(what, "sync"))
        return replica_sync(c);
    if (!status)
        return replica_snapshot(c, keep);
    if (iam_replica_status(c->st, c->db, &rs, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (rs.reachable && rs.db_head > rs.head)
        lag = lag_seconds(c, rs.head);
    printf("store:    %s, entry %llu\n", c->dir, rs.head);
    if (!rs.reachable) {
        printf("database: unreachable\n");
        return EXIT_FAILURE;
    }
    printf("database: entry %llu", rs.db_head);
    if (rs.db_snapshot)
        printf(", its log kept from entry %llu, its snapshot at entry %llu", rs.db_oldest,
               rs.db_snapshot);
    printf("\n");
    if (rs.head && rs.db_oldest > rs.head + 1) { /* the entries it needs are gone */
        printf("state:    behind what the database keeps: make the store anew from the "
               "database\n");
        return EXIT_FAILURE;
    }
    if (!rs.same_log) {
        printf("state:    follows another workspace: make the store anew from the database\n");
        return EXIT_FAILURE;
    }
    if (rs.head > rs.db_head) { /* the database was restored, or failed over to a lagging standby */
        printf("state:    ahead of the database: make the store anew from the database\n");
        return EXIT_FAILURE;
    }
    printf("behind:   %llu entries, %lld s\n", rs.db_head - rs.head, lag);
    if (!follower_note(c, &pid, &contact, &entry)) {
        printf("follower: none has noted anything (no server with IAMDatabase follows it)\n");
        return lag > LAG_MAX ? EXIT_FAILURE : 0;
    }
    silent = (long long)time(NULL) - contact;
    printf("follower: server process %ld, last heard from the database %lld s ago, at entry "
           "%llu: %s\n",
           pid, silent, entry, silent > FOLLOWER_SILENT ? "not following" : "following");
    return lag > LAG_MAX || silent > FOLLOWER_SILENT ? EXIT_FAILURE : 0;
}
