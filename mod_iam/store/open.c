/* mod_iam store: opening and closing the environment (with the checks a
 * store's files must pass first), the format version checked at open,
 * upgraded by the first write, and required by the indexes' readers. */
#include "store_int.h"

#include <apr_strings.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static apr_status_t store_cleanup(void *data)
{
    iam_store_close(data);
    return APR_SUCCESS;
}

void iam_store_close(iam_store_t *st)
{
    if (st && st->env) {
        if (st->locked_init)
            st_readers_drain(st);
        mdb_env_close(st->env);
        st->env = NULL;
    }
    if (st && st->locked_init) {
        pthread_rwlock_destroy(&st->lock);
        st->locked_init = 0;
    }
}

int iam_store_reader_check(iam_store_t *st)
{
    int dead = 0;

    mdb_reader_check(st->env, &dead);
    return dead;
}

/* The format a version key holds (decimal text, no leading zero); 0 for
 * anything else. */
int st_version_of(const MDB_val *v)
{
    const char *d = v->mv_data;
    int n = 0;
    size_t i;

    if (v->mv_size < 1 || v->mv_size > 4 || d[0] == '0')
        return 0;
    for (i = 0; i < v->mv_size; i++) {
        if (d[i] < '0' || d[i] > '9')
            return 0;
        n = n * 10 + (d[i] - '0');
    }
    return n;
}

static iam_status_e check_version(iam_store_t *st, int create, apr_pool_t *p, iam_err_t *err)
{
    tx_t t;
    key_t_ k;
    MDB_val v;
    int found;

    if (tx_begin(&t, st, create, p, err) != IAM_OK)
        return t.status;
    key_meta(&k, "version");
    found = tx_get(&t, &k, &v);
    if (found == 1) {
        char *s = apr_pstrmemdup(p, v.mv_data, v.mv_size);
        /* older formats are read as they are (but for the indexes of
         * format 5); the first write upgrades them (tx_upgrade) */
        if (st_version_of(&v) < 1 || st_version_of(&v) > IAM_STORE_FORMAT)
            tx_fail(&t, IAM_VERSION,
                    "store %s has format version %.20s, this mod_iam reads versions 1 to %d: use "
                    "the mod_iam release that wrote it, or export and import",
                    st->dir, s, IAM_STORE_FORMAT);
    } else if (found == 0) {
        MDB_stat ms;
        mdb_stat(t.txn, st->dbi, &ms);
        if (ms.ms_entries > 0)
            tx_fail(&t, IAM_CORRUPT, "%s holds an LMDB database that is not a mod_iam store",
                    st->dir);
        else if (!create)
            tx_fail(&t, IAM_NOSTORE, "store %s is not initialised: run 'iamctl -d %s init'",
                    st->dir, st->dir);
        else
            tx_put(&t, &k, st_str_val(apr_itoa(p, IAM_STORE_FORMAT)));
    }
    key_meta(&k, "login-case");
    st->fold = tx_get(&t, &k, &v) == 1 && v.mv_size == 4 && !memcmp(v.mv_data, "fold", 4);
    key_meta(&k, "database");
    st->replica = tx_get(&t, &k, &v) == 1;
    return create ? tx_end(&t) : tx_done(&t);
}

int iam_store_fold_case(const iam_store_t *st)
{
    return st->fold;
}

void iam_store_set_fold_case(iam_store_t *st, int fold)
{
    st->fold = fold ? 1 : 0;
}

/* Whether data.mdb holds every page its last commit needs. LMDB maps the
 * file and reads its pages in place: a page past the end of a truncated
 * file is SIGBUS in whichever process reads it, not an error. */
static iam_status_e check_length(iam_store_t *st, const char *data, iam_err_t *err)
{
    MDB_envinfo info;
    MDB_stat ms;
    struct stat sb;
    unsigned long long need;

    if (mdb_env_info(st->env, &info) != MDB_SUCCESS || mdb_env_stat(st->env, &ms) != MDB_SUCCESS ||
        stat(data, &sb) != 0)
        return st_fail(err, IAM_CORRUPT, "store %s: cannot read the size of data.mdb", st->dir);
    need = ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize;
    if ((unsigned long long)sb.st_size < need)
        return st_fail(
            err, IAM_CORRUPT,
            "store %s is damaged: data.mdb is %llu bytes, but its last commit needs %llu "
            "(the file was cut short: restore it from a backup, or from 'iamctl export' "
            "output into a new store)",
            st->dir, (unsigned long long)sb.st_size, need);
    return IAM_OK;
}

/* The store's files must be plain files: a symlink or a hard link planted
 * by whoever owns the directory would have LMDB (perhaps running as root)
 * write, or chown, a file elsewhere. */
static iam_status_e check_files(iam_store_t *st, iam_err_t *err)
{
    const char *names[] = {"data.mdb", "lock.mdb"};
    char path[4096];
    struct stat sb;
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", st->dir, names[i]);
        if (lstat(path, &sb) != 0)
            continue;
        if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1)
            return st_fail(err, IAM_ACCESS,
                           "refusing store %s: %s is not a plain file (a symlink or a hard link?)",
                           st->dir, names[i]);
    }
    return IAM_OK;
}

/* Where the store is to be: its directory (made for IAM_OPEN_CREATE), and
 * its data file, there unless the store is being created (*mapsize: then
 * the default, unless given) and never empty. */
static iam_status_e check_place(iam_store_t *st, const char *data, int flags, size_t *mapsize,
                                iam_err_t *err)
{
    struct stat sb;

    if (stat(st->dir, &sb) != 0) {
        if (errno != ENOENT || !(flags & IAM_OPEN_CREATE))
            return st_map_rc(st, errno, err);
        if (mkdir(st->dir, 0750) != 0)
            return st_map_rc(st, errno, err);
    } else if (!S_ISDIR(sb.st_mode)) {
        return st_fail(err, IAM_NOSTORE, "store %s is not a directory", st->dir);
    }
    if (stat(data, &sb) != 0) {
        if (errno != ENOENT)
            return st_map_rc(st, errno, err);
        if (!(flags & IAM_OPEN_CREATE))
            return st_fail(err, IAM_NOSTORE, "no store at %s: run 'iamctl -d %s init'", st->dir,
                           st->dir);
        if (*mapsize == 0)
            *mapsize = IAM_STORE_DEFAULT_MAPSIZE; /* new store; else keep the recorded size */
    } else if (sb.st_size == 0) {
        /* LMDB would make an empty file a new, empty store: a store that
         * existed is never made anew */
        return st_fail(err, IAM_CORRUPT,
                       "store %s is damaged: data.mdb is empty (0 bytes); restore it from a "
                       "backup, or move it away and run 'iamctl -d %s init' to start an empty "
                       "workspace",
                       st->dir, st->dir);
    }
    return IAM_OK;
}

/* Opens the unnamed database, in a transaction of its own; an LMDB code. */
static int open_dbi(iam_store_t *st)
{
    MDB_txn *txn;
    int rc;

    if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)) != MDB_SUCCESS)
        return rc;
    if ((rc = mdb_dbi_open(txn, NULL, 0, &st->dbi)) != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn); /* frees txn either way */
}

/* back-mdb's open sequence: create the environment, size it, open it, open
 * the database, check the format; one way out for every failure. */
iam_status_e iam_store_open(iam_store_t **out, const char *dir, size_t mapsize, int flags,
                            apr_pool_t *pool, iam_err_t *err)
{
    iam_store_t *st = apr_pcalloc(pool, sizeof(*st));
    /* read txns are not tied to a thread. Never MDB_WRITEMAP, nor a map
     * grown in this process on MDB_MAP_FULL: the memo (memo_t) relies on
     * a committed snapshot's pages staying put. */
    unsigned int envflags = MDB_NOTLS;
    char *data = apr_pstrcat(pool, dir, "/data.mdb", NULL);
    iam_status_e status = IAM_ERROR;
    int rc = MDB_SUCCESS, dead;

    st->dir = apr_pstrdup(pool, dir);
    *out = NULL;
    if (flags & IAM_OPEN_RDONLY)
        envflags |= MDB_RDONLY;
    if (flags & IAM_OPEN_NOSYNC)
        envflags |= MDB_NOSYNC;
    if ((status = check_place(st, data, flags, &mapsize, err)) != IAM_OK ||
        (status = check_files(st, err)) != IAM_OK || (rc = mdb_env_create(&st->env)) != MDB_SUCCESS)
        goto fail;
    if (pthread_rwlock_init(&st->lock, NULL) != 0) {
        status = st_fail(err, IAM_ERROR, "store %s: cannot create a lock", dir);
        goto fail;
    }
    st->locked_init = 1;
    if ((mapsize && (rc = mdb_env_set_mapsize(st->env, mapsize)) != MDB_SUCCESS) ||
        (rc = mdb_env_set_maxreaders(st->env, 1024)) != MDB_SUCCESS ||
        (rc = mdb_env_open(st->env, dir, envflags, 0640)) != MDB_SUCCESS)
        goto fail;
    if ((status = check_length(st, data, err)) != IAM_OK) /* before any page is read */
        goto fail;
    if ((rc = open_dbi(st)) != MDB_SUCCESS)
        goto fail;
    mdb_reader_check(st->env, &dead);
    st->memo = apr_pcalloc(pool, MEMO_SLOTS * sizeof(memo_t));
    st->log_keep = IAM_LOG_KEEP;
    status =
        check_version(st, !!(flags & IAM_OPEN_CREATE) && !(flags & IAM_OPEN_RDONLY), pool, err);
    if (status != IAM_OK)
        goto fail;
    apr_pool_cleanup_register(pool, st, store_cleanup, apr_pool_cleanup_null);
    *out = st;
    return IAM_OK;

fail: /* closes what was made: iam_store_close takes a store half made */
    if (rc != MDB_SUCCESS)
        status = st_map_rc(st, rc, err);
    iam_store_close(st);
    return status;
}

iam_status_e iam_store_chown(const char *dir, long uid, long gid, iam_err_t *err)
{
    const char *files[] = {"", "/data.mdb", "/lock.mdb"};
    char path[4096];
    struct stat sb;
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", dir, files[i]);
        if (lstat(path, &sb) != 0)
            continue;
        /* Only what root made; never through a link (lchown, one link). */
        if (sb.st_uid != 0)
            continue;
        if (i > 0 && (!S_ISREG(sb.st_mode) || sb.st_nlink != 1))
            return st_fail(err, IAM_ACCESS, "refusing to give %s away: not a plain file", path);
        if (lchown(path, (uid_t)uid, (gid_t)gid) != 0)
            return st_fail(err, IAM_ACCESS, "cannot give %s to uid %ld: %s", path, uid,
                           strerror(errno));
    }
    return IAM_OK;
}

/* Checks the store's format inside every write: an older one is upgraded
 * by the first write of this release, in that write's transaction. Format
 * 1 (member records lack their groups' grants) and 2 to 4 (no name or
 * role-holder indexes; 2 and 3 also read their older request records as
 * they are) get the indexes (ix_build, which has flush_dirty
 * write every member record of format 1 anew); one written by a newer
 * release is refused. */
void tx_upgrade(tx_t *t)
{
    key_t_ k;
    MDB_val v;
    const char *now = apr_itoa(t->p, IAM_STORE_FORMAT);
    int was;

    key_meta(&k, "version");
    if (tx_get(t, &k, &v) != 1)
        return; /* a new store: check_version writes it */
    was = st_version_of(&v);
    if (was >= 1 && was < IAM_STORE_FORMAT) {
        if (was < LOG_STORE_FORMAT)
            st_log_snapshot(t); /* first: the log starts from what the store held */
        if (was < IX_STORE_FORMAT)
            ix_build(t);
        tx_put(t, &k, st_str_val(now));
    } else if (was != IAM_STORE_FORMAT) {
        tx_fail(t, IAM_VERSION,
                "store %s has format version %.*s, this mod_iam writes version %s: use the "
                "mod_iam release that wrote it",
                t->st->dir, (int)(v.mv_size > 20 ? 20 : v.mv_size), (char *)v.mv_data, now);
    }
}

/* Whether the store has the indexes of format 5; if not, the transaction
 * fails as IAM_VERSION (the first write of this release builds them, and
 * the server writes at start-up). */
int tx_indexed(tx_t *t)
{
    key_t_ k;
    MDB_val v;

    key_meta(&k, "version");
    if (tx_get(t, &k, &v) == 1 && st_version_of(&v) >= IX_STORE_FORMAT)
        return 1;
    tx_fail(t, IAM_VERSION,
            "store %s is of an older format: its name and role indexes are built by the first "
            "write of this release (start Apache, or run an iamctl command that writes)",
            t->st->dir);
    return 0;
}
