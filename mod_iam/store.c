/* mod_iam: the LMDB store.
 *
 * One environment, one unnamed database, typed keys (Knot DNS style):
 *
 *   0x01 "version"            format version, decimal text
 *   0x01 "plan"               plan recorded by the server (or iamctl --plan)
 *   0x01 "plan-by"            "server" once a server has recorded it
 *   0x01 "roles"              custom roles recorded by the server
 *   0x01 "members", "groups" member and group counts (u64, big-endian)
 *   'M' login                 member record      (login lower-cased)
 *   'G' group                 group record       (name lower-cased)
 *   'm' login 0x00 group      membership, the member's side
 *   'g' group 0x00 login      membership, the group's side
 *   'O' login                 owner index
 *   'E' email                 email index -> login
 *   'R' login 0x00 type:name  an open access request
 *   'r' login 0x00 type:name  an answered one, kept for the member to see
 *   'T' token id              an API token (its secret only as SHA-256)
 *   'A' u64 sequence          the audit trail
 *   0x01 "login-case"         "exact" or "fold" (IAMLoginCase), recorded by the server
 *   'N' pos                   name index: members in the console's order -> status,
 *                             login, email, name (format 5; pos: see the indexes)
 *   'n' group 0x00 pos        the same, of one group's members
 *   'X' target 0x00 'm' login role-holder index: a member holds a grant of a role
 *                             on a target (role TAB "*", "r:" resource, "l:" label)
 *   'X' target 0x00 'g' group a group does
 *
 * Both sides of a membership, the owner index, the name and role-holder
 * indexes and the counts are written in the same transaction as the
 * records they mirror. Records are a small
 * length-prefixed binary format, decoded with bounds checks: a damaged
 * record is IAM_CORRUPT, never a crash and never an allow.
 */
#include "iam_store.h"

#include "iam_audit_text.h"

#include <apr_atomic.h>
#include <apr_general.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <lmdb.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define K_META 0x01
#define MAXKEY 511 /* LMDB's default key size limit */
#define REC_FORMAT 1
#define MEMBER_FORMAT 3 /* 2 added last_seen, 3 the groups' grants; 1 and 2 are still read */
#define READER_POOL 16  /* reset read transactions kept for reuse: each keeps a reader slot */
#define MEMO_SLOTS 4096 /* member records whose place in the map is remembered */
#define MEMO_KEY 64     /* longer keys are not remembered */

/* Where a member record was found, and in which snapshot. While the
 * store's last committed transaction is still that one (a renewed read
 * transaction has its id), no page of that snapshot has been written or
 * freed for reuse, and the renewed transaction keeps it so: the record is
 * where it was, byte for byte, and its B-tree need not be searched again
 * (the search is most of a decision's cost on a big store). Any commit
 * gives the next snapshot a new id, and every entry of older ones
 * misses. Filled and read in read transactions only (a write
 * transaction's pages are its own until it commits). */
typedef struct {
    volatile unsigned int busy; /* a try-lock: a thread that finds it held reads the tree */
    size_t txnid;               /* the snapshot the place was found in */
    size_t klen;                /* 0: empty */
    unsigned char key[MEMO_KEY];
    MDB_val val;
} memo_t;

struct iam_store {
    MDB_env *env;
    MDB_dbi dbi;
    const char *dir;
    /* Every transaction holds it shared; adopting a map grown by another
     * process (MDB_MAP_RESIZED) holds it exclusive, as LMDB requires no
     * transaction of this process to be active then. */
    pthread_rwlock_t lock;
    int locked_init;
    /* Read transactions reset rather than freed: the next read renews one
     * (no allocation, the reader slot kept) instead of beginning afresh.
     * Each slot is taken and given back by one atomic exchange: no lock,
     * so a thread preempted in between holds no other thread up. */
    volatile void *readers[READER_POOL]; /* MDB_txn *, or NULL (APR's atomics want this type) */
    memo_t *memo;                        /* MEMO_SLOTS, or NULL */
    int fold;                            /* logins match folded to lower case (IAMLoginCase fold) */
#ifdef IAM_TEST_HOOKS
    unsigned long memo_hits;
#endif
};

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
};

const char *iam_status_str(iam_status_e st)
{
    return (st >= IAM_OK && st <= IAM_ERROR) ? status_text[st] : "?";
}

static iam_status_e fail(iam_err_t *err, iam_status_e st, const char *fmt, ...)
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
static iam_status_e map_rc(iam_store_t *st, int rc, iam_err_t *err)
{
    const char *dir = st ? st->dir : "";

    switch (rc) {
    case MDB_SUCCESS: return IAM_OK;
    case MDB_NOTFOUND: return fail(err, IAM_NOTFOUND, "not found");
    case MDB_MAP_FULL:
        return fail(err, IAM_FULL,
                    "store %s is full: raise IAMMapSize in httpd.conf (and iamctl -m) and "
                    "restart Apache; nothing was written",
                    dir);
    case MDB_MAP_RESIZED:
        return fail(err, IAM_ERROR,
                    "store %s was grown past this process's map size by another process: "
                    "raise IAMMapSize and restart Apache (apachectl graceful)",
                    dir);
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
        return fail(err, IAM_CORRUPT, "store %s is damaged or not a mod_iam store: %s", dir,
                    mdb_strerror(rc));
    case MDB_VERSION_MISMATCH:
        return fail(err, IAM_VERSION, "store %s was written by another LMDB version: %s", dir,
                    mdb_strerror(rc));
    case EACCES:
    case EPERM:
    case EROFS:
        return fail(err, IAM_ACCESS,
                    "permission denied on store %s: the Apache user (and iamctl) need read and "
                    "write access to the directory and its files",
                    dir);
    case ENOENT: return fail(err, IAM_NOSTORE, "no store at %s: run 'iamctl -d %s init'", dir, dir);
    default: return fail(err, IAM_ERROR, "store %s: %s", dir, mdb_strerror(rc));
    }
}

/* ---- keys ---- */

typedef struct {
    unsigned char b[MAXKEY];
    size_t n;
} key_t_;

static int key_make(key_t_ *k, char type, const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0, i;

    if (1 + la + (b ? 1 + lb : 0) > MAXKEY)
        return -1;
    k->b[0] = (unsigned char)type;
    for (i = 0; i < la; i++)
        k->b[1 + i] = (unsigned char)tolower((unsigned char)a[i]);
    k->n = 1 + la;
    if (b) {
        k->b[k->n++] = 0;
        for (i = 0; i < lb; i++)
            k->b[k->n++] = (unsigned char)tolower((unsigned char)b[i]);
    }
    return 0;
}

static MDB_val kval(key_t_ *k)
{
    MDB_val v = {k->n, k->b};
    return v;
}

/* ---- record encoding ---- */

typedef struct {
    apr_pool_t *p;
    unsigned char *d;
    size_t n, cap;
} wbuf_t;

static void w_need(wbuf_t *w, size_t more)
{
    if (w->n + more > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        unsigned char *d;
        while (cap < w->n + more)
            cap *= 2;
        d = apr_palloc(w->p, cap);
        if (w->n)
            memcpy(d, w->d, w->n);
        w->d = d;
        w->cap = cap;
    }
}

static void w_u8(wbuf_t *w, unsigned v)
{
    w_need(w, 1);
    w->d[w->n++] = (unsigned char)v;
}

static void w_u16(wbuf_t *w, unsigned v)
{
    w_u8(w, (v >> 8) & 0xff);
    w_u8(w, v & 0xff);
}

static void w_u32_at(wbuf_t *w, size_t at, unsigned long v)
{
    int i;

    for (i = 0; i < 4; i++)
        w->d[at + (size_t)i] = (unsigned char)(v >> ((3 - i) * 8));
}

static void w_u32(wbuf_t *w, unsigned long v)
{
    w_need(w, 4);
    w_u32_at(w, w->n, v);
    w->n += 4;
}

static void w_u64(wbuf_t *w, unsigned long long v)
{
    int i;

    for (i = 7; i >= 0; i--)
        w_u8(w, (unsigned)(v >> (i * 8)) & 0xff);
}

static void w_str(wbuf_t *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n > 0xffff)
        n = 0xffff; /* inputs are validated far below this */
    w_u16(w, (unsigned)n);
    w_need(w, n);
    if (n)
        memcpy(w->d + w->n, s, n);
    w->n += n;
}

/* The written record, as LMDB takes it. */
static MDB_val w_val(const wbuf_t *w)
{
    MDB_val v = {w->n, w->d};
    return v;
}

static void w_grants(wbuf_t *w, const apr_array_header_t *grants)
{
    int i, j;

    w_u16(w, (unsigned)grants->nelts);
    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        w_str(w, g->role);
        w_u8(w, (unsigned)g->scope);
        w_u16(w, (unsigned)g->nitems);
        for (j = 0; j < g->nitems; j++)
            w_str(w, g->items[j]);
    }
}

/* A record being read. Strings are copied, NUL-terminated, into `arena`:
 * one allocation the size of the record holds them all (each takes its
 * length plus one, where the record spent its length plus two). */
typedef struct {
    apr_pool_t *p;
    const unsigned char *d;
    size_t n, off;
    int bad;
    char *arena;
} rbuf_t;

static rbuf_t r_open(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = {p, v->mv_data, v->mv_size, 0, 0, apr_palloc(p, v->mv_size + 1)};
    return r;
}

static unsigned r_u8(rbuf_t *r)
{
    if (r->bad || r->off + 1 > r->n) {
        r->bad = 1;
        return 0;
    }
    return r->d[r->off++];
}

static unsigned r_u16(rbuf_t *r)
{
    unsigned v;

    if (r->bad || r->off + 2 > r->n) {
        r->bad = 1;
        return 0;
    }
    v = ((unsigned)r->d[r->off] << 8) | r->d[r->off + 1];
    r->off += 2;
    return v;
}

static unsigned long r_u32(rbuf_t *r)
{
    unsigned long v = 0;
    int i;

    for (i = 0; i < 4; i++)
        v = (v << 8) | r_u8(r);
    return v;
}

static unsigned long long r_u64(rbuf_t *r)
{
    unsigned long long v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = (v << 8) | r_u8(r);
    return v;
}

static const char *r_str(rbuf_t *r)
{
    size_t n = r_u16(r);
    const unsigned char *from = r->d + r->off;
    char *s = r->arena;

    if (r->bad || r->off + n > r->n || memchr(from, 0, n)) { /* an embedded NUL: not ours */
        r->bad = 1;
        return "";
    }
    memcpy(s, from, n);
    s[n] = 0;
    r->arena += n + 1;
    r->off += n;
    return s;
}

static apr_array_header_t *r_grants(rbuf_t *r)
{
    unsigned n = r_u16(r), i, j;
    apr_array_header_t *a;

    /* Each grant takes at least 5 bytes: a damaged count allocates nothing. */
    if (r->bad || (size_t)n * 5 > r->n - r->off) {
        r->bad = 1;
        n = 0;
    }
    a = apr_array_make(r->p, n ? (int)n : 1, sizeof(iam_grant_t));
    for (i = 0; i < n && !r->bad; i++) {
        iam_grant_t *g = apr_array_push(a);
        g->role = r_str(r);
        g->scope = (iam_scope_e)r_u8(r);
        g->nitems = (int)r_u16(r);
        g->items = NULL;
        if (r->bad || g->scope > IAM_SCOPE_LABELS || (size_t)g->nitems * 2 > r->n - r->off) {
            g->nitems = 0;
            r->bad = 1;
            break;
        }
        g->items = apr_palloc(r->p, sizeof(char *) * (size_t)(g->nitems + 1));
        for (j = 0; j < (unsigned)g->nitems; j++)
            g->items[j] = r_str(r);
        g->items[j] = NULL;
    }
    return a;
}

/* ---- member records ----
 *
 * From format 3 a member record is what a decision needs, in one read and
 * laid out so that reading it is pointer arithmetic, not parsing: fixed-
 * size tables, then one pool of NUL-terminated strings they point into.
 * Set 0 holds the member's own grants, sets 1.. those of each group they
 * are in, copied from the group records by flush_dirty in the same
 * transaction as any change to them, so never stale. A group whose grants
 * take more than FLAT_COPY_MAX bytes is not copied (the set says "by
 * reference" and the decision reads that group's record too): a big grant
 * on a big group must not be stored once per member.
 *
 *   header  44 bytes: u8 format, status, pii, 0; u64 created, last_seen;
 *           u32 login, email, name (pool offsets); u32 nsets, ngrants,
 *           nitems
 *   sets    8 bytes each: u32 group name (0xffffffff: direct), u8 pii,
 *           u8 flags (1: by reference), u16 grants
 *   grants  8 bytes each: u32 role, u8 scope, u8 0, u16 items
 *   items   4 bytes each: u32 resource name or label
 *   pool    the strings; its last byte is a NUL
 *
 * Numbers are big-endian. Formats 1 and 2 (fields in a row, no groups)
 * are still read. */

#define FLAT_HEAD 44
#define FLAT_DIRECT 0xffffffffUL
#define FLAT_BY_REF 1
#define FLAT_COPY_MAX 512
#define FLAT_PROVISIONED 1 /* byte 3: made by just-in-time provisioning */

/* Adds a string to the pool; returns its offset. */
static unsigned long pool_str(wbuf_t *pool, const char *s)
{
    size_t n = s ? strlen(s) : 0, at = pool->n;

    w_need(pool, n + 1);
    if (n)
        memcpy(pool->d + pool->n, s, n);
    pool->n += n;
    pool->d[pool->n++] = 0;
    return (unsigned long)at;
}

/* Whether a group's grants are small enough to copy into its members. */
static int copies_grants(const iam_group_t *g)
{
    size_t bytes = 0;
    int i, j;

    for (i = 0; i < g->grants->nelts && bytes <= FLAT_COPY_MAX; i++) {
        const iam_grant_t *gr = &APR_ARRAY_IDX(g->grants, i, iam_grant_t);
        bytes += 8 + strlen(gr->role) + 1;
        for (j = 0; j < gr->nitems; j++)
            bytes += 4 + strlen(gr->items[j]) + 1;
    }
    return bytes <= FLAT_COPY_MAX;
}

/* `groups` (iam_group_t *): the member's groups, NULL for none yet. */
static MDB_val encode_member(apr_pool_t *p, const iam_member_t *m, const apr_array_header_t *groups)
{
    wbuf_t w = {p, NULL, 0, 0}, pool = {p, NULL, 0, 0};
    int ng = groups ? groups->nelts : 0, i, j, k;
    /* the grants each set copies: [0] the member's own, NULL by reference */
    const apr_array_header_t **parts = apr_palloc(p, sizeof(*parts) * (size_t)(ng + 1));
    unsigned long ngrants = 0, nitems = 0;

    parts[0] = m->grants;
    for (i = 0; i < ng; i++) {
        const iam_group_t *g = APR_ARRAY_IDX(groups, i, const iam_group_t *);
        parts[i + 1] = copies_grants(g) ? g->grants : NULL;
    }
    for (i = 0; i <= ng; i++) {
        for (j = 0; parts[i] && j < parts[i]->nelts; j++, ngrants++)
            nitems += (unsigned long)APR_ARRAY_IDX(parts[i], j, iam_grant_t).nitems;
    }
    w_u8(&w, MEMBER_FORMAT);
    w_u8(&w, (unsigned)m->status);
    w_u8(&w, m->pii ? 1 : 0);
    w_u8(&w, m->provisioned ? FLAT_PROVISIONED : 0); /* flags; older releases ignore them */
    w_u64(&w, (unsigned long long)m->created);
    w_u64(&w, (unsigned long long)m->last_seen);
    w_u32(&w, pool_str(&pool, m->login));
    w_u32(&w, pool_str(&pool, m->email));
    w_u32(&w, pool_str(&pool, m->name));
    w_u32(&w, (unsigned long)ng + 1);
    w_u32(&w, ngrants);
    w_u32(&w, nitems);
    for (i = 0; i <= ng; i++) {
        const iam_group_t *g = i ? APR_ARRAY_IDX(groups, i - 1, const iam_group_t *) : NULL;
        w_u32(&w, g ? pool_str(&pool, g->name) : FLAT_DIRECT);
        w_u8(&w, g && g->pii ? 1 : 0);
        w_u8(&w, parts[i] ? 0 : FLAT_BY_REF);
        w_u16(&w, parts[i] ? (unsigned)parts[i]->nelts : 0); /* IAM_MAX_GRANTS per holder */
    }
    for (i = 0; i <= ng; i++) {
        for (j = 0; parts[i] && j < parts[i]->nelts; j++) {
            const iam_grant_t *gr = &APR_ARRAY_IDX(parts[i], j, iam_grant_t);
            w_u32(&w, pool_str(&pool, gr->role));
            w_u8(&w, (unsigned)gr->scope);
            w_u8(&w, 0);
            w_u16(&w, (unsigned)gr->nitems); /* IAM_MAX_ITEMS per grant */
        }
    }
    for (i = 0; i <= ng; i++) {
        for (j = 0; parts[i] && j < parts[i]->nelts; j++) {
            const iam_grant_t *gr = &APR_ARRAY_IDX(parts[i], j, iam_grant_t);
            for (k = 0; k < gr->nitems; k++)
                w_u32(&w, pool_str(&pool, gr->items[k]));
        }
    }
    w_need(&w, pool.n);
    memcpy(w.d + w.n, pool.d, pool.n);
    w.n += pool.n;
    return w_val(&w);
}

static unsigned be16(const unsigned char *d)
{
    return (unsigned)d[0] << 8 | d[1];
}

static unsigned long be32(const unsigned char *d)
{
    return (unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 | (unsigned long)d[2] << 8 | d[3];
}

/* The string at `off` of a record's pool, or NULL if `off` is outside it
 * (the pool ends in a NUL, so every string inside it is terminated). */
static const char *pool_at(const char *pool, size_t len, unsigned long off)
{
    return off < len ? pool + off : NULL;
}

/* Where a format 3 record's string pool starts, its table counts bounded
 * by the record's size before any arithmetic on them can wrap (each entry
 * takes 4 or 8 bytes of the record); 0 if the tables cannot fit. */
static size_t flat_pool_off(const unsigned char *d, size_t size, unsigned long *nsets,
                            unsigned long *ngrants, unsigned long *nitems)
{
    size_t off;

    if (size < FLAT_HEAD || d[size - 1] != 0)
        return 0;
    *nsets = be32(d + 32);
    *ngrants = be32(d + 36);
    *nitems = be32(d + 40);
    if (*nsets > size / 8 || *ngrants > size / 8 || *nitems > size / 4)
        return 0;
    off = FLAT_HEAD + 8 * *nsets + 8 * *ngrants + 4 * *nitems;
    return off < size ? off : 0;
}

/* Decodes a format 3 record: the member and, with `subj`, their grant
 * sets (set 0 direct; a set by reference has grants NULL, for the caller
 * to read from the group). One allocation holds a copy of the record (the
 * strings stay there) and every table; each offset and count is checked
 * against the record, so damage is NULL, never a wild read. */
static iam_member_t *decode_flat(apr_pool_t *p, const MDB_val *v, iam_subject_t *subj)
{
    const unsigned char *d = v->mv_data, *set_at, *grant_at, *item_at;
    size_t size = v->mv_size, copy = (v->mv_size + 7) & ~(size_t)7, pool_off, pool_len;
    unsigned long nsets, ngrants, nitems, s, g = 0, it = 0, j;
    iam_grant_set_t *sets;
    iam_grant_t *grants;
    const char **items, **names, *pool;
    iam_member_t *m;
    char *block;

    if (!(pool_off = flat_pool_off(d, size, &nsets, &ngrants, &nitems)) || d[1] > IAM_INVITED ||
        nsets < 1)
        return NULL;
    pool_len = size - pool_off;
    set_at = d + FLAT_HEAD;
    grant_at = set_at + 8 * nsets;
    item_at = grant_at + 8 * ngrants;
    block =
        apr_palloc(p, copy + sizeof(*m) + 2 * sizeof(apr_array_header_t) + sizeof(*sets) * nsets +
                          sizeof(*grants) * ngrants + sizeof(char *) * (nitems + ngrants + nsets));
    memcpy(block, d, size);
    pool = block + pool_off;
    m = (iam_member_t *)(block + copy);
    m->grants = (apr_array_header_t *)(m + 1);
    m->groups = m->grants + 1;
    sets = (iam_grant_set_t *)(m->groups + 1);
    grants = (iam_grant_t *)(sets + nsets);
    items = (const char **)(grants + ngrants);
    names = items + nitems + ngrants;

    m->status = (iam_member_status_e)d[1];
    m->provisioned = d[3] & FLAT_PROVISIONED ? 1 : 0;
    m->pii = d[2] ? 1 : 0;
    m->created = (long long)((unsigned long long)be32(d + 4) << 32 | be32(d + 8));
    m->last_seen = (long long)((unsigned long long)be32(d + 12) << 32 | be32(d + 16));
    m->login = pool_at(pool, pool_len, be32(d + 20));
    m->email = pool_at(pool, pool_len, be32(d + 24));
    m->name = pool_at(pool, pool_len, be32(d + 28));
    if (!m->login || !m->email || !m->name || !m->login[0])
        return NULL;
    /* the sets in order, each naming how many of the grants that follow
     * are its own; the counts must add up */
    for (s = 0; s < nsets; s++, set_at += 8) {
        unsigned long via = be32(set_at), n = be16(set_at + 6);
        int by_ref = set_at[5] & FLAT_BY_REF;
        sets[s].via = s == 0 ? NULL : pool_at(pool, pool_len, via);
        if ((s == 0) != (via == FLAT_DIRECT) || (s > 0 && !sets[s].via) || n > ngrants - g ||
            (by_ref && (s == 0 || n > 0)))
            return NULL;
        sets[s].grants = by_ref ? NULL : grants + g;
        sets[s].ngrants = (int)n;
        for (; n > 0; n--, g++, grant_at += 8) {
            iam_grant_t *gr = &grants[g];
            gr->role = pool_at(pool, pool_len, be32(grant_at));
            gr->scope = (iam_scope_e)grant_at[4];
            gr->nitems = (int)be16(grant_at + 6);
            gr->items = items;
            if (!gr->role || gr->scope > IAM_SCOPE_LABELS ||
                (unsigned long)gr->nitems > nitems - it)
                return NULL;
            for (j = 0; j < (unsigned long)gr->nitems; j++, it++, item_at += 4) {
                if (!(*items++ = pool_at(pool, pool_len, be32(item_at))))
                    return NULL;
            }
            *items++ = NULL;
        }
    }
    if (g != ngrants || it != nitems)
        return NULL;
    /* the member's own grants and groups, as APR arrays over the tables;
     * full (nalloc == nelts), so a push moves the array, never onto set 1 */
    *m->grants = (apr_array_header_t){p, sizeof(iam_grant_t), sets[0].ngrants, sets[0].ngrants,
                                      (char *)grants};
    *m->groups = (apr_array_header_t){p, sizeof(const char *), 0, (int)nsets, (char *)names};
    if (subj) {
        for (s = 1; s < nsets; s++) {
            names[s - 1] = sets[s].via;
            subj->pii |= d[FLAT_HEAD + 8 * s + 4] ? 1 : 0;
        }
        m->groups->nelts = (int)nsets - 1;
        subj->sets = sets;
        subj->nsets = (int)nsets;
    }
    return m;
}

/* Decodes a member record of any format; with `subj` (format 3 only),
 * fills in its grant sets too. *flat tells whether the record was one. */
static iam_member_t *decode_member_at(apr_pool_t *p, const MDB_val *v, iam_subject_t *subj,
                                      int *flat)
{
    rbuf_t r;
    iam_member_t *m;
    unsigned fmt;

    *flat = v->mv_size > 0 && *(const unsigned char *)v->mv_data == MEMBER_FORMAT;
    if (*flat)
        return decode_flat(p, v, subj);
    r = r_open(p, v);
    fmt = r_u8(&r);
    if (fmt != 1 && fmt != 2)
        return NULL;
    m = apr_pcalloc(p, sizeof(*m));
    m->status = (iam_member_status_e)r_u8(&r);
    m->pii = (int)r_u8(&r);
    m->created = (long long)r_u64(&r);
    m->login = r_str(&r);
    m->email = r_str(&r);
    m->name = r_str(&r);
    m->grants = r_grants(&r);
    if (fmt == 2)
        m->last_seen = (long long)r_u64(&r);
    m->groups = apr_array_make(p, 4, sizeof(const char *));
    if (r.bad || r.off != r.n || m->status > IAM_INVITED || !m->login[0])
        return NULL;
    return m;
}

static iam_member_t *decode_member(apr_pool_t *p, const MDB_val *v)
{
    int flat;
    return decode_member_at(p, v, NULL, &flat);
}

static MDB_val encode_group(apr_pool_t *p, const iam_group_t *g)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, REC_FORMAT);
    w_u8(&w, g->pii ? 1 : 0);
    w_u64(&w, (unsigned long long)g->created);
    w_str(&w, g->name);
    w_grants(&w, g->grants);
    return w_val(&w);
}

static iam_group_t *decode_group(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_group_t *g = apr_pcalloc(p, sizeof(*g));

    if (r_u8(&r) != REC_FORMAT)
        return NULL;
    g->pii = (int)r_u8(&r);
    g->created = (long long)r_u64(&r);
    g->name = r_str(&r);
    g->grants = r_grants(&r);
    g->members = apr_array_make(p, 4, sizeof(const char *));
    if (r.bad || r.off != r.n || !g->name[0])
        return NULL;
    return g;
}

static MDB_val encode_roles(apr_pool_t *p, const iam_roles_t *roles)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i, n = 0;

    for (i = 0; i < roles->n; i++)
        n += roles->role[i].custom;
    w_u16(&w, (unsigned)n);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        if (!r->custom)
            continue;
        w_str(&w, r->name);
        w_str(&w, r->slug);
        w_str(&w, r->type);
        w_u8(&w, (unsigned)r->level);
        w_u8(&w, (unsigned)r->all_only);
    }
    return w_val(&w);
}

static int decode_roles(apr_pool_t *p, const MDB_val *v, iam_roles_t *roles)
{
    rbuf_t r = r_open(p, v);
    unsigned n = r_u16(&r), i;

    for (i = 0; i < n && !r.bad; i++) {
        const char *name = r_str(&r), *slug = r_str(&r), *type = r_str(&r);
        iam_level_e level = (iam_level_e)r_u8(&r);
        int all_only = (int)r_u8(&r);
        if (!r.bad && iam_roles_add(roles, name, slug, type, level, all_only))
            r.bad = 1;
    }
    return (r.bad || r.off != r.n) ? -1 : 0;
}

/* ---- transactions ----
 *
 * A tx_t carries a sticky status: after the first failure every later
 * call is a no-op, so a write reads begin, put, put, commit. */

typedef struct {
    iam_store_t *st;
    MDB_txn *txn;
    apr_pool_t *p;
    iam_err_t *err;
    iam_status_e status;
    const char *actor; /* who writes: recorded in the audit trail */
    apr_hash_t *dirty; /* logins whose record must carry their groups anew */
    apr_hash_t *settle; /* logins whose permissions changed: their open requests are
                           checked at commit (settle_requests) */
    const iam_roles_t *roles; /* a write's roles and plan, read in its transaction */
    iam_plan_e plan;
    int write;
} tx_t;

static iam_status_e tx_fail(tx_t *t, iam_status_e st, const char *fmt, ...)
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

static iam_status_e tx_rc(tx_t *t, int rc)
{
    if (rc == MDB_SUCCESS || t->status != IAM_OK)
        return t->status;
    t->status = map_rc(t->st, rc, t->err);
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
static void readers_drain(iam_store_t *st)
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

static iam_status_e tx_begin(tx_t *t, iam_store_t *st, int write, apr_pool_t *p, iam_err_t *err)
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
        readers_drain(st);
        mdb_reader_check(st->env, &dead);
        rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    }
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size, then retry. */
        pthread_rwlock_unlock(&st->lock);
        pthread_rwlock_wrlock(&st->lock);
        readers_drain(st);
        memo_forget(st); /* the map moves: every remembered place with it */
        mdb_env_set_mapsize(st->env, 0);
        pthread_rwlock_unlock(&st->lock);
        pthread_rwlock_rdlock(&st->lock);
        rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    }
    if (rc != MDB_SUCCESS) {
        t->txn = NULL;
        pthread_rwlock_unlock(&st->lock);
    }
    return tx_rc(t, rc);
}

static void flush_dirty(tx_t *t);
static void settle_requests(tx_t *t);

/* Commits when every step succeeded, else aborts; returns the status. */
static iam_status_e tx_end(tx_t *t)
{
    if (!t->txn)
        return t->status;
    flush_dirty(t);
    settle_requests(t); /* after: it reads the records as they will be */
    if (t->status == IAM_OK)
        tx_rc(t, mdb_txn_commit(t->txn));
    else
        mdb_txn_abort(t->txn);
    t->txn = NULL;
    pthread_rwlock_unlock(&t->st->lock);
    return t->status;
}

/* Read transactions: nothing to commit; the transaction is reset and
 * kept for the next read. */
static iam_status_e tx_done(tx_t *t)
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

static int tx_get(tx_t *t, key_t_ *k, MDB_val *out)
{
    MDB_val kv = kval(k);
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
static int tx_get_memo(tx_t *t, key_t_ *k, MDB_val *out)
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

static void tx_put(tx_t *t, key_t_ *k, MDB_val v)
{
    MDB_val kv = kval(k);

    if (t->status == IAM_OK)
        tx_rc(t, mdb_put(t->txn, t->st->dbi, &kv, &v, 0));
}

static void tx_del(tx_t *t, key_t_ *k)
{
    MDB_val kv = kval(k);
    int rc;

    if (t->status != IAM_OK)
        return;
    rc = mdb_del(t->txn, t->st->dbi, &kv, NULL);
    if (rc != MDB_NOTFOUND)
        tx_rc(t, rc);
}

static MDB_val str_val(const char *s)
{
    MDB_val v = {strlen(s), (void *)s};
    return v;
}

static int meta_key(key_t_ *k, const char *name)
{
    return key_make(k, K_META, name, NULL);
}

/* Counters kept beside the records they count ("members", "groups"). */
static long long meta_count(tx_t *t, const char *what)
{
    key_t_ k;
    MDB_val v;
    long long n = 0;
    size_t i;

    meta_key(&k, what);
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

static void meta_count_add(tx_t *t, const char *what, int delta)
{
    key_t_ k;
    unsigned char *b = apr_palloc(t->p, 8);
    unsigned long long n = (unsigned long long)(meta_count(t, what) + delta);
    MDB_val v = {8, b};
    int i;

    meta_key(&k, what);
    for (i = 7; i >= 0; i--, n >>= 8)
        b[i] = (unsigned char)(n & 0xff);
    tx_put(t, &k, v);
}

static iam_plan_e tx_plan(tx_t *t)
{
    key_t_ k;
    MDB_val v;
    iam_plan_e plan = IAM_PLAN_BUSINESS;

    meta_key(&k, "plan");
    if (tx_get(t, &k, &v) == 1) {
        char *s = apr_pstrmemdup(t->p, v.mv_data, v.mv_size);
        if (iam_plan_parse(s, &plan))
            tx_fail(t, IAM_CORRUPT, "store %s: unknown plan '%s' recorded", t->st->dir, s);
    }
    return plan;
}

static void tx_roles(tx_t *t, iam_roles_t *roles)
{
    key_t_ k;
    MDB_val v;

    iam_roles_init(roles);
    meta_key(&k, "roles");
    if (tx_get(t, &k, &v) == 1 && decode_roles(t->p, &v, roles))
        tx_fail(t, IAM_CORRUPT, "store %s: damaged custom role list", t->st->dir);
}

/* ---- open and close ---- */

static apr_status_t store_cleanup(void *data)
{
    iam_store_close(data);
    return APR_SUCCESS;
}

void iam_store_close(iam_store_t *st)
{
    if (st && st->env) {
        if (st->locked_init)
            readers_drain(st);
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
static int version_of(const MDB_val *v)
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
    meta_key(&k, "version");
    found = tx_get(&t, &k, &v);
    if (found == 1) {
        char *s = apr_pstrmemdup(p, v.mv_data, v.mv_size);
        /* older formats are read as they are (but for the indexes of
         * format 5); the first write upgrades them (tx_upgrade) */
        if (version_of(&v) < 1 || version_of(&v) > IAM_STORE_FORMAT)
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
            tx_put(&t, &k, str_val(apr_itoa(p, IAM_STORE_FORMAT)));
    }
    meta_key(&k, "login-case");
    st->fold = tx_get(&t, &k, &v) == 1 && v.mv_size == 4 && !memcmp(v.mv_data, "fold", 4);
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

#ifdef IAM_TEST_HOOKS
unsigned long iam_store_memo_hits(const iam_store_t *st)
{
    return __atomic_load_n(&st->memo_hits, __ATOMIC_RELAXED);
}
#endif

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
        return fail(err, IAM_CORRUPT, "store %s: cannot read the size of data.mdb", st->dir);
    need = ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize;
    if ((unsigned long long)sb.st_size < need)
        return fail(err, IAM_CORRUPT,
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
            return fail(err, IAM_ACCESS,
                        "refusing store %s: %s is not a plain file (a symlink or a hard link?)",
                        st->dir, names[i]);
    }
    return IAM_OK;
}

iam_status_e iam_store_open(iam_store_t **out, const char *dir, size_t mapsize, int flags,
                            apr_pool_t *pool, iam_err_t *err)
{
    iam_store_t *st = apr_pcalloc(pool, sizeof(*st));
    /* read txns are not tied to a thread. Never MDB_WRITEMAP, nor a map
     * grown in this process on MDB_MAP_FULL: the memo (memo_t) relies on
     * a committed snapshot's pages staying put. */
    unsigned int envflags = MDB_NOTLS;
    struct stat sb;
    char *data = apr_pstrcat(pool, dir, "/data.mdb", NULL);
    MDB_txn *txn = NULL;
    int rc, dead;

    st->dir = apr_pstrdup(pool, dir);
    *out = NULL;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || !(flags & IAM_OPEN_CREATE))
            return map_rc(st, errno, err);
        if (mkdir(dir, 0750) != 0)
            return map_rc(st, errno, err);
    } else if (!S_ISDIR(sb.st_mode)) {
        return fail(err, IAM_NOSTORE, "store %s is not a directory", dir);
    }
    if (stat(data, &sb) != 0) {
        if (errno != ENOENT)
            return map_rc(st, errno, err);
        if (!(flags & IAM_OPEN_CREATE))
            return fail(err, IAM_NOSTORE, "no store at %s: run 'iamctl -d %s init'", dir, dir);
        if (mapsize == 0)
            mapsize = IAM_STORE_DEFAULT_MAPSIZE; /* new store; else keep the recorded size */
    } else if (sb.st_size == 0) {
        /* LMDB would make an empty file a new, empty store: a store that
         * existed is never made anew */
        return fail(err, IAM_CORRUPT,
                    "store %s is damaged: data.mdb is empty (0 bytes); restore it from a backup, "
                    "or move it away and run 'iamctl -d %s init' to start an empty workspace",
                    dir, dir);
    }
    if (flags & IAM_OPEN_RDONLY)
        envflags |= MDB_RDONLY;
    if (flags & IAM_OPEN_NOSYNC)
        envflags |= MDB_NOSYNC;

    if (check_files(st, err) != IAM_OK)
        return err ? err->status : IAM_ERROR;
    if ((rc = mdb_env_create(&st->env)) != MDB_SUCCESS)
        return map_rc(st, rc, err);
    if (pthread_rwlock_init(&st->lock, NULL) != 0) {
        fail(err, IAM_ERROR, "store %s: cannot create a lock", dir);
        goto fail;
    }
    st->locked_init = 1;
    if ((mapsize && (rc = mdb_env_set_mapsize(st->env, mapsize)) != MDB_SUCCESS) ||
        (rc = mdb_env_set_maxreaders(st->env, 1024)) != MDB_SUCCESS ||
        (rc = mdb_env_open(st->env, dir, envflags, 0640)) != MDB_SUCCESS)
        goto fail_rc;
    if (check_length(st, data, err) != IAM_OK) /* before any page is read */
        goto fail;
    if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)) != MDB_SUCCESS)
        goto fail_rc;
    rc = mdb_dbi_open(txn, NULL, 0, &st->dbi);
    if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        goto fail_rc;
    }
    if ((rc = mdb_txn_commit(txn)) != MDB_SUCCESS) /* commit frees txn either way */
        goto fail_rc;
    mdb_reader_check(st->env, &dead);
    st->memo = apr_pcalloc(pool, MEMO_SLOTS * sizeof(memo_t));
    if (check_version(st, !!(flags & IAM_OPEN_CREATE) && !(flags & IAM_OPEN_RDONLY), pool, err) !=
        IAM_OK)
        goto fail;
    apr_pool_cleanup_register(pool, st, store_cleanup, apr_pool_cleanup_null);
    *out = st;
    return IAM_OK;

fail_rc:
    map_rc(st, rc, err);
fail:
    iam_store_close(st);
    return err ? err->status : IAM_ERROR;
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
            return fail(err, IAM_ACCESS, "refusing to give %s away: not a plain file", path);
        if (lchown(path, (uid_t)uid, (gid_t)gid) != 0)
            return fail(err, IAM_ACCESS, "cannot give %s to uid %ld: %s", path, uid,
                        strerror(errno));
    }
    return IAM_OK;
}

/* ---- reads ---- */

/* Reads the raw record of a member ('M') or group ('G'): 1 found, 0 not,
 * -1 failed (status set). */
static int tx_record(tx_t *t, char type, const char *name, MDB_val *v)
{
    key_t_ k;

    if (key_make(&k, type, name, NULL)) {
        tx_fail(t, IAM_INVALID, "%s is too long", type == 'M' ? "login" : "group name");
        return -1;
    }
    return tx_get_memo(t, &k, v);
}

static int tx_member(tx_t *t, const char *login, iam_member_t **out)
{
    MDB_val v;
    int found = tx_record(t, 'M', login, &v);

    *out = NULL;
    if (found == 1 && !(*out = decode_member(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged", t->st->dir,
                login);
        return -1;
    }
    return found;
}

/* The member whose login is `login` as the workspace matches logins: keys
 * are folded, so a record found under the key of `login` is its member
 * only if its login is `login` exactly, unless logins fold (IAMLoginCase).
 * For logins from outside (a request, a form, a command line); keys read
 * back from the store's own indexes go to tx_member. */
static int tx_member_named(tx_t *t, const char *login, iam_member_t **out)
{
    int found = tx_member(t, login, out);

    if (found == 1 && !t->st->fold && strcmp((*out)->login, login)) {
        *out = NULL;
        return 0;
    }
    return found;
}

/* Fails the transaction: no member `login` (naming the member whose login
 * differs only in case, when logins do not fold). */
static void no_member(tx_t *t, const char *login)
{
    iam_member_t *m;

    if (t->status != IAM_OK)
        return;
    if (tx_member(t, login, &m) == 1 && strcmp(m->login, login))
        tx_fail(t, IAM_NOTFOUND,
                "no member '%s' (logins match exactly, IAMLoginCase exact: the member is '%s')",
                login, m->login);
    else if (t->status == IAM_OK)
        tx_fail(t, IAM_NOTFOUND, "no member '%s'", login);
}

/* The member named `login` (tx_member_named), or NULL with the transaction
 * failed as no_member says. */
static iam_member_t *tx_member_must(tx_t *t, const char *login)
{
    iam_member_t *m;

    if (tx_member_named(t, login, &m) == 1)
        return m;
    no_member(t, login);
    return NULL;
}

static int tx_group(tx_t *t, const char *name, iam_group_t **out)
{
    MDB_val v;
    int found = tx_record(t, 'G', name, &v);

    *out = NULL;
    if (found == 1 && !(*out = decode_group(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of group '%s' is damaged", t->st->dir, name);
        return -1;
    }
    return found;
}

/* Calls fn(suffix) for every key that starts with type+a+0x00; suffix is
 * the lower-cased part after the 0x00. */
static void tx_each_link(tx_t *t, char type, const char *a,
                         void (*fn)(tx_t *, const char *, void *), void *ctx)
{
    key_t_ k;
    MDB_cursor *c;
    MDB_val kv, v;
    int rc;

    if (t->status != IAM_OK)
        return;
    if (key_make(&k, type, a, "")) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return;
    }
    if (tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &c)) != IAM_OK)
        return;
    kv = kval(&k);
    for (rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE); rc == MDB_SUCCESS && t->status == IAM_OK;
         rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT)) {
        if (kv.mv_size < k.n || memcmp(kv.mv_data, k.b, k.n))
            break;
        fn(t, apr_pstrmemdup(t->p, (char *)kv.mv_data + k.n, kv.mv_size - k.n), ctx);
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc);
    mdb_cursor_close(c);
}

typedef struct {
    iam_subject_t *subj;
    apr_array_header_t *sets;
    apr_array_header_t *names;
} subject_ctx_t;

static void add_group_set(tx_t *t, const char *group, void *data)
{
    subject_ctx_t *ctx = data;
    iam_group_t *g;

    if (tx_group(t, group, &g) != 1) {
        tx_fail(t, IAM_CORRUPT, "store %s: membership names missing group '%s'", t->st->dir, group);
        return;
    }
    if (ctx->sets) {
        iam_grant_set_t *s = apr_array_push(ctx->sets);
        s->via = g->name;
        s->grants = (iam_grant_t *)g->grants->elts;
        s->ngrants = g->grants->nelts;
        if (ctx->subj)
            ctx->subj->pii |= g->pii;
    }
    APR_ARRAY_PUSH(ctx->names, const char *) = g->name;
}

/* The subject of `login` in transaction t (a read, or a write about to
 * commit): 1 found, 0 not (nothing failed), -1 failed. The login matches
 * its record regardless of case; the caller checks the case it needs. */
static int tx_subject(tx_t *t, const char *login, const iam_roles_t *roles, iam_subject_t *out)
{
    iam_member_t *m = NULL;
    apr_pool_t *p = t->p;
    MDB_val v;
    int found, flat;

    memset(out, 0, sizeof(*out));
    if ((found = tx_record(t, 'M', login, &v)) != 1)
        return found;
    /* one read: the record carries the grants of the member's groups
     * (but for groups with grants too big to copy, read here) */
    if ((m = decode_member_at(p, &v, out, &flat)) && flat) {
        int s;
        for (s = 1; s < out->nsets && t->status == IAM_OK; s++) {
            iam_group_t *g;
            if (out->sets[s].grants)
                continue;
            if (tx_group(t, out->sets[s].via, &g) != 1) {
                tx_fail(t, IAM_CORRUPT, "store %s: member '%s' is in missing group '%s'",
                        t->st->dir, login, out->sets[s].via);
                return -1;
            }
            out->sets[s].grants = (iam_grant_t *)g->grants->elts;
            out->sets[s].ngrants = g->grants->nelts;
        }
    } else if (m) {
        /* a record from before format 3, in a store not yet upgraded */
        subject_ctx_t ctx = {out, apr_array_make(p, 4, sizeof(iam_grant_set_t)), m->groups};
        iam_grant_set_t *direct = apr_array_push(ctx.sets);
        direct->via = NULL;
        direct->grants = (iam_grant_t *)m->grants->elts;
        direct->ngrants = m->grants->nelts;
        tx_each_link(t, 'm', login, add_group_set, &ctx);
        out->sets = (iam_grant_set_t *)ctx.sets->elts;
        out->nsets = ctx.sets->nelts;
    }
    if (!m || strcasecmp(m->login, login)) {
        /* (a record under another login's key: never someone else's grants) */
        tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged", t->st->dir,
                login);
        return -1;
    }
    if (t->status != IAM_OK)
        return -1;
    out->member = m;
    out->owner = iam_policy_is_owner(roles, out->sets, out->nsets);
    out->pii |= out->owner || m->pii;
    return 1;
}

iam_status_e iam_store_subject(iam_store_t *st, apr_pool_t *p, const char *login,
                               const iam_roles_t *roles, iam_subject_t *out, iam_err_t *err)
{
    tx_t t;
    int found;

    if (tx_begin(&t, st, 0, p, err) != IAM_OK) {
        memset(out, 0, sizeof(*out));
        return t.status;
    }
    found = tx_subject(&t, login, roles, out);
    if (found == 1 && !st->fold && strcmp(out->member->login, login))
        tx_fail(&t, IAM_NOTFOUND, "'%s' is not a member (the member '%s' differs in case)", login,
                out->member->login);
    else if (found == 0)
        tx_fail(&t, IAM_NOTFOUND, "'%s' is not a member", login);
    if (t.status != IAM_OK)
        memset(out, 0, sizeof(*out));
    return tx_done(&t);
}

static int count_prefix(tx_t *t, char type)
{
    MDB_cursor *c;
    MDB_val kv = {1, &type}, v;
    int rc, n = 0;

    if (t->status != IAM_OK || tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &c)) != IAM_OK)
        return 0;
    for (rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
         rc == MDB_SUCCESS && kv.mv_size > 0 && *(char *)kv.mv_data == type;
         rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT))
        n++;
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc); /* an undercount must not pass for "no owner" */
    mdb_cursor_close(c);
    return n;
}

iam_status_e iam_store_info(iam_store_t *st, iam_workspace_info_t *out, apr_pool_t *p,
                            iam_err_t *err)
{
    tx_t t;

    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    out->plan = tx_plan(&t);
    tx_roles(&t, &out->roles);
    out->owners = count_prefix(&t, 'O');
    out->members = (int)meta_count(&t, "members");
    out->groups = (int)meta_count(&t, "groups");
    return tx_done(&t);
}

static void add_name(tx_t *t, const char *name, void *data)
{
    (void)t;
    APR_ARRAY_PUSH((apr_array_header_t *)data, const char *) = name;
}

iam_status_e iam_store_member_get(iam_store_t *st, apr_pool_t *p, const char *login,
                                  iam_member_t **out, iam_err_t *err)
{
    tx_t t;
    subject_ctx_t ctx = {NULL, NULL, NULL};

    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_member_named(&t, login, out) == 1) {
        ctx.names = (*out)->groups;
        tx_each_link(&t, 'm', login, add_group_set, &ctx);
    } else {
        no_member(&t, login);
    }
    return tx_done(&t);
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    if (!hay)
        return 0;
    for (; *hay; hay++) {
        for (i = 0;
             i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]);
             i++)
            ;
        if (i == n)
            return 1;
    }
    return n == 0;
}

/* Walks every record of one type in key order. */
static void tx_each_record(tx_t *t, char type, int (*fn)(tx_t *, const MDB_val *, void *),
                           void *ctx)
{
    MDB_cursor *c;
    MDB_val kv = {1, &type}, v;
    int rc;

    if (t->status != IAM_OK || tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &c)) != IAM_OK)
        return;
    for (rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
         rc == MDB_SUCCESS && kv.mv_size > 0 && *(char *)kv.mv_data == type && t->status == IAM_OK;
         rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT)) {
        if (!fn(t, &v, ctx))
            break;
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc);
    mdb_cursor_close(c);
}

/* Reads every record of one type into *out (fn decodes and pushes), in one
 * read transaction. */
static iam_status_e list_records(iam_store_t *st, apr_pool_t *p, char type,
                                 int (*fn)(tx_t *, const MDB_val *, void *),
                                 apr_array_header_t **out, iam_err_t *err)
{
    tx_t t;

    *out = apr_array_make(p, 16, sizeof(void *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    tx_each_record(&t, type, fn, *out);
    return tx_done(&t);
}

typedef struct {
    const char *search;
    int skip, limit;
    int with_groups;
    apr_array_header_t *out;
} list_ctx_t;

/* Whether a format 3 record surely does not match `search`: its login,
 * email and name are read where they lie, so a search decodes only the
 * records it shows. 0 when unsure (another format, or damage the decoder
 * will report). */
static int flat_misses(const MDB_val *v, const char *search)
{
    const unsigned char *d = v->mv_data;
    size_t size = v->mv_size, pool_off, k;
    unsigned long nsets, ngrants, nitems;

    if (!search || !size || d[0] != MEMBER_FORMAT ||
        !(pool_off = flat_pool_off(d, size, &nsets, &ngrants, &nitems)))
        return 0;
    for (k = 20; k <= 28; k += 4) {
        unsigned long off = be32(d + k);
        if (off >= size - pool_off || contains_ci((const char *)d + pool_off + off, search))
            return 0;
    }
    return 1;
}

static int list_member(tx_t *t, const MDB_val *v, void *data)
{
    list_ctx_t *ctx = data;
    iam_member_t *m;

    if (flat_misses(v, ctx->search))
        return 1;
    m = decode_member(t->p, v);

    if (!m) {
        tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
        return 0;
    }
    if (ctx->search && !contains_ci(m->login, ctx->search) && !contains_ci(m->email, ctx->search) &&
        !contains_ci(m->name, ctx->search))
        return 1;
    if (ctx->skip > 0) {
        ctx->skip--;
        return 1;
    }
    if (ctx->with_groups) {
        subject_ctx_t sc = {NULL, NULL, m->groups};
        tx_each_link(t, 'm', m->login, add_group_set, &sc);
    }
    APR_ARRAY_PUSH(ctx->out, iam_member_t *) = m;
    return ctx->limit <= 0 || ctx->out->nelts < ctx->limit;
}

iam_status_e iam_store_member_list(iam_store_t *st, apr_pool_t *p, const char *search, int offset,
                                   int limit, apr_array_header_t **out, iam_err_t *err)
{
    tx_t t;
    list_ctx_t ctx = {search && search[0] ? search : NULL, offset, limit, 1, NULL};

    *out = ctx.out = apr_array_make(p, 16, sizeof(iam_member_t *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    tx_each_record(&t, 'M', list_member, &ctx);
    return tx_done(&t);
}

static int list_group(tx_t *t, const MDB_val *v, void *data)
{
    iam_group_t *g = decode_group(t->p, v);

    if (!g) {
        tx_fail(t, IAM_CORRUPT, "store %s: a group record is damaged", t->st->dir);
        return 0;
    }
    tx_each_link(t, 'g', g->name, add_name, g->members);
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_group_t *) = g;
    return 1;
}

typedef struct {
    const char *search;
    int status; /* -1 any, else IAM_ACTIVE or IAM_INVITED */
    int limit;
    apr_array_header_t *out;
    const char *skip; /* the key to step over: the previous page's last */
    const char **next;
} page_ctx_t;

static int page_member(tx_t *t, const MDB_val *v, void *data)
{
    page_ctx_t *ctx = data;
    iam_member_t *m;
    subject_ctx_t sc = {NULL, NULL, NULL};

    if (flat_misses(v, ctx->search))
        return 1;
    m = decode_member(t->p, v);
    if (!m) {
        tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
        return 0;
    }
    if (ctx->skip && !strcasecmp(m->login, ctx->skip))
        return 1;
    if (ctx->status >= 0 && (int)m->status != ctx->status)
        return 1;
    if (ctx->search && !contains_ci(m->login, ctx->search) && !contains_ci(m->email, ctx->search) &&
        !contains_ci(m->name, ctx->search))
        return 1;
    if (ctx->out->nelts >= ctx->limit) {
        /* one more match: there is a next page */
        *ctx->next = APR_ARRAY_IDX(ctx->out, ctx->out->nelts - 1, iam_member_t *)->login;
        return 0;
    }
    sc.names = m->groups;
    tx_each_link(t, 'm', m->login, add_group_set, &sc);
    APR_ARRAY_PUSH(ctx->out, iam_member_t *) = m;
    return 1;
}

iam_status_e iam_store_member_page(iam_store_t *st, apr_pool_t *p, const char *search,
                                   const char *after, int limit, apr_array_header_t **out,
                                   const char **next, iam_err_t *err)
{
    return iam_store_member_page_status(st, p, search, -1, after, limit, out, next, err);
}

iam_status_e iam_store_member_page_status(iam_store_t *st, apr_pool_t *p, const char *search,
                                          int status, const char *after, int limit,
                                          apr_array_header_t **out, const char **next,
                                          iam_err_t *err)
{
    page_ctx_t ctx = {search && *search ? search : NULL, status, limit > 0 ? limit : 50, NULL,
                      after && *after ? after : NULL,    next};
    MDB_cursor *c;
    MDB_val kv, v;
    key_t_ k;
    tx_t t;
    int rc;

    *next = NULL;
    *out = ctx.out = apr_array_make(p, ctx.limit, sizeof(iam_member_t *));
    if (key_make(&k, 'M', ctx.skip ? ctx.skip : "", NULL))
        return fail(err, IAM_INVALID, "login is too long");
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_rc(&t, mdb_cursor_open(t.txn, st->dbi, &c)) != IAM_OK)
        return tx_done(&t);
    kv = kval(&k);
    for (rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
         rc == MDB_SUCCESS && kv.mv_size > 0 && *(char *)kv.mv_data == 'M' && t.status == IAM_OK;
         rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT)) {
        if (!page_member(&t, &v, &ctx))
            break;
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(&t, rc);
    mdb_cursor_close(c);
    return tx_done(&t);
}

typedef struct {
    const char *search;
    int status;
    long n;
    apr_pool_t *scratch; /* a record decoded to be counted is let go at once */
} count_ctx_t;

static int count_member(tx_t *t, const MDB_val *v, void *data)
{
    count_ctx_t *c = data;
    const unsigned char *d = v->mv_data;
    iam_member_t *m;

    if (flat_misses(v, c->search))
        return 1;
    if (!c->search && v->mv_size > 1 && d[0] == MEMBER_FORMAT) {
        c->n += (int)d[1] == c->status; /* the status, where it lies */
        return 1;
    }
    if (!(m = decode_member(c->scratch, v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
        return 0;
    }
    c->n += (c->status < 0 || (int)m->status == c->status) &&
            (!c->search || contains_ci(m->login, c->search) || contains_ci(m->email, c->search) ||
             contains_ci(m->name, c->search));
    apr_pool_clear(c->scratch);
    return 1;
}

iam_status_e iam_store_member_count(iam_store_t *st, apr_pool_t *p, const char *search, int status,
                                    long *out, iam_err_t *err)
{
    count_ctx_t c = {search && *search ? search : NULL, status, 0, NULL};
    tx_t t;

    *out = 0;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (!c.search && status < 0) {
        c.n = (long)meta_count(&t, "members");
    } else {
        apr_pool_create(&c.scratch, p);
        tx_each_record(&t, 'M', count_member, &c);
        apr_pool_destroy(c.scratch);
    }
    *out = c.n;
    return tx_done(&t);
}

/* ---- the name and role-holder indexes (store format 5) ----
 *
 *   'N' pos                  -> u8 format, u8 status, login NUL email NUL name NUL
 *   'n' group 0x00 pos       -> the same, for each member of the group
 *   'X' target 0x00 'm' login  the member holds a grant on target (targets_of:
 *                              "source-admin\tr:web", "source-admin\t*")
 *   'X' target 0x00 'g' group  the group does
 *
 * pos is a member's place in the console's order: their display name (the
 * name, or the login when it is empty), ASCII case folded and cut to
 * POS_NAME_MAX bytes (so that a group name, a name and a login fit one
 * key), 0x00, then the member's key (the lower-cased login) to break ties.
 * The value carries what a search matches and the status, so a search or
 * a filter reads the index alone and decodes only the members a page
 * shows: an entry takes some 80 bytes where a member record takes 300 or
 * more (bench/lists.c). Writes move the entries in the transaction of the change
 * (flush_dirty, put_group, group_delete_op); a store of an older format
 * gets them with its first write (ix_build). */

#define POS_NAME_MAX 120
#define IX_VALUE_FORMAT 1
#define IX_STORE_FORMAT 5 /* the first store format that has them */
#define QUERY_DEFAULT 50

static void hex(char *out, const unsigned char *b, size_t n);
static int in_names(const apr_array_header_t *names, const char *name);

/* Case folding for the indexes and their searches: ASCII only, whatever
 * the locale (other UTF-8 bytes are kept as they are). */
static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* A member's place in the name order into pos (MAXKEY bytes); its length,
 * or 0 if it cannot fit a key. */
static size_t member_pos(const iam_member_t *m, unsigned char *pos)
{
    const char *shown = m->name && *m->name ? m->name : m->login;
    size_t n = strlen(shown), i;
    key_t_ lk;

    if (n > POS_NAME_MAX)
        n = POS_NAME_MAX;
    if (key_make(&lk, 'M', m->login, NULL) || n + lk.n > MAXKEY - 1)
        return 0;
    for (i = 0; i < n; i++)
        pos[i] = ascii_lower((unsigned char)shown[i]);
    pos[n] = 0;
    memcpy(pos + n + 1, lk.b + 1, lk.n - 1);
    return n + lk.n;
}

/* The value of a member's entries. */
static MDB_val ix_value(apr_pool_t *p, const iam_member_t *m)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, IX_VALUE_FORMAT);
    w_u8(&w, (unsigned)m->status);
    pool_str(&w, m->login);
    pool_str(&w, m->email);
    pool_str(&w, m->name);
    return w_val(&w);
}

typedef struct {
    int status;
    const char *login, *email, *name; /* in the value itself */
} ix_entry_t;

/* Reads an entry's value where it lies (it ends in a NUL, so each field is
 * terminated inside it); 0 if it is damaged. */
static int ix_parse(const MDB_val *v, ix_entry_t *e)
{
    const char *d = v->mv_data, *end = d + v->mv_size, *z;

    if (v->mv_size < 6 || d[0] != IX_VALUE_FORMAT || (unsigned char)d[1] > IAM_INVITED ||
        end[-1] != 0 || !d[2])
        return 0;
    e->status = d[1];
    e->login = d + 2;
    z = memchr(e->login, 0, (size_t)(end - e->login));
    e->email = z + 1;
    if (e->email >= end || !(z = memchr(e->email, 0, (size_t)(end - e->email))))
        return 0;
    e->name = z + 1;
    return e->name < end && memchr(e->name, 0, (size_t)(end - e->name)) == end - 1;
}

/* Where a member's key starts in pos (after the first 0x00), or NULL. */
static const unsigned char *pos_login(const unsigned char *pos, size_t n, size_t *len)
{
    const unsigned char *z = memchr(pos, 0, n);

    if (!z || z + 1 >= pos + n)
        return NULL;
    *len = (size_t)(pos + n - (z + 1));
    return z + 1;
}

/* The key of a name index entry: 'N' pos, or 'n' group 0x00 pos. */
static int pos_key(key_t_ *k, const char *group, const unsigned char *pos, size_t n)
{
    if (group) {
        if (key_make(k, 'n', group, ""))
            return -1;
    } else {
        k->b[0] = 'N';
        k->n = 1;
    }
    if (k->n + n > MAXKEY)
        return -1;
    memcpy(k->b + k->n, pos, n);
    k->n += n;
    return 0;
}

/* The role-holder key of `target` (targets_of): kind 'm' and a member's
 * key, or 'g' and a group's name. */
static int holder_key(key_t_ *k, const char *target, char kind, const char *name)
{
    char b[MAXKEY + 1];
    size_t n = strlen(name);

    if (n + 2 > sizeof(b))
        return -1;
    b[0] = kind;
    memcpy(b + 1, name, n + 1);
    return key_make(k, 'X', target, b);
}

/* What `grants` are on, for the role-holder index, once each: a target is
 * the role's slug, a tab, and "*" (all of its type), "r:" and a resource,
 * or "l:" and a label (a grant on labels is found under each of them, and
 * holds only where the resource carries them all: the reader decides). */
static apr_array_header_t *targets_of(apr_pool_t *p, const apr_array_header_t *grants)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    int i, j;

    for (i = 0; grants && i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        for (j = 0; j < (g->scope == IAM_SCOPE_ALL ? 1 : g->nitems); j++) {
            const char *target =
                g->scope == IAM_SCOPE_ALL
                    ? apr_pstrcat(p, g->role, "\t*", NULL)
                    : apr_pstrcat(p, g->role, g->scope == IAM_SCOPE_LABELS ? "\tl:" : "\tr:",
                                  g->items[j], NULL);
            if (!in_names(out, target))
                APR_ARRAY_PUSH(out, const char *) = target;
        }
    }
    return out;
}

/* A target in words, for verify's messages: "source-admin on web",
 * "source-admin on label env:prod", "source-admin on all". */
static const char *target_text(apr_pool_t *p, const char *target)
{
    const char *tab = strchr(target, '\t');

    if (!tab)
        return target;
    return apr_psprintf(p, "%.*s on %s%s", (int)(tab - target), target,
                        !strncmp(tab + 1, "l:", 2) ? "label " : "",
                        !strcmp(tab + 1, "*") ? "all" : tab[1] && tab[2] ? tab + 3 : "");
}

/* Whether the store has the indexes of format 5; if not, the transaction
 * fails as IAM_VERSION (the first write of this release builds them, and
 * the server writes at start-up). */
static int tx_indexed(tx_t *t)
{
    key_t_ k;
    MDB_val v;

    meta_key(&k, "version");
    if (tx_get(t, &k, &v) == 1 && version_of(&v) >= IX_STORE_FORMAT)
        return 1;
    tx_fail(t, IAM_VERSION,
            "store %s is of an older format: its name and role indexes are built by the first "
            "write of this release (start Apache, or run an iamctl command that writes)",
            t->st->dir);
    return 0;
}

/* Decodes a member record with the names of their groups: from the record
 * itself (format 3 carries them), else from the links. NULL: damaged. */
static iam_member_t *member_with_groups(tx_t *t, const char *key, const MDB_val *v)
{
    iam_subject_t subj;
    iam_member_t *m;
    int flat;

    memset(&subj, 0, sizeof(subj));
    if (!(m = decode_member_at(t->p, v, &subj, &flat)))
        return NULL;
    if (!flat) {
        subject_ctx_t sc = {NULL, NULL, m->groups};
        tx_each_link(t, 'm', key, add_group_set, &sc);
    }
    return m;
}

/* The member whose key is `key` (len bytes), read for a list: 1 found, 0
 * not, -1 failed (damaged: IAM_CORRUPT). Not through the memo: a list
 * must not push out the members that decisions read. With a cursor `c`,
 * read through it: for keys in order, LMDB then searches the leaf page it
 * is on before it descends the tree again. */
static int list_read_member(tx_t *t, MDB_cursor *c, const unsigned char *key, size_t len,
                            iam_member_t **out)
{
    key_t_ k;
    MDB_val kv, v;
    const char *login = apr_pstrmemdup(t->p, (const char *)key, len);
    int found, rc;

    *out = NULL;
    if (len + 1 > MAXKEY) {
        tx_fail(t, IAM_CORRUPT, "store %s: an index entry is damaged", t->st->dir);
        return -1;
    }
    k.b[0] = 'M';
    memcpy(k.b + 1, key, len);
    k.n = len + 1;
    if (c) {
        kv = kval(&k);
        rc = mdb_cursor_get(c, &kv, &v, MDB_SET_KEY);
        found = rc == MDB_SUCCESS ? 1 : rc == MDB_NOTFOUND ? 0 : (tx_rc(t, rc), -1);
    } else {
        found = tx_get(t, &k, &v);
    }
    if (found == 1 && !(*out = member_with_groups(t, login, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged", t->st->dir,
                login);
        return -1;
    }
    return found;
}

/* What a query matches: `needle` is the search, lower-cased. */
typedef struct {
    const char *needle;
    size_t n;
    int status;
} ix_filter_t;

/* Whether hay holds the (lower-case) needle, ASCII case folded. */
static int holds_folded(const char *hay, const char *needle, size_t n)
{
    const unsigned char *h = (const unsigned char *)hay;
    unsigned char first = (unsigned char)needle[0];
    unsigned char upper = first >= 'a' && first <= 'z' ? (unsigned char)(first - 32) : first;
    size_t i;

    for (; *h; h++) {
        if (*h != first && *h != upper)
            continue;
        for (i = 1; i < n && ascii_lower(h[i]) == (unsigned char)needle[i]; i++)
            ;
        if (i == n)
            return 1;
    }
    return 0;
}

/* Whether an entry matches f: 1 yes, 0 no, -1 damaged (failed). */
static int ix_matches(tx_t *t, const MDB_val *v, const ix_filter_t *f)
{
    ix_entry_t e;

    if (!ix_parse(v, &e)) {
        tx_fail(t, IAM_CORRUPT, "store %s: a name index entry is damaged", t->st->dir);
        return -1;
    }
    if (f->status >= 0 && e.status != f->status)
        return 0;
    return !f->n || holds_folded(e.login, f->needle, f->n) ||
           holds_folded(e.email, f->needle, f->n) || holds_folded(e.name, f->needle, f->n);
}

/* A cursor: a position in hex. */
static const char *pos_cursor(apr_pool_t *p, const MDB_val *pos)
{
    char *s = apr_palloc(p, 2 * pos->mv_size + 1);

    hex(s, pos->mv_data, pos->mv_size);
    return s;
}

/* Reads a cursor into pos (MAXKEY bytes); 0 if it is none of ours. */
static int cursor_pos(const char *s, unsigned char *pos, size_t *n)
{
    size_t len = strlen(s), i;

    if (len == 0 || len % 2 || len / 2 > MAXKEY - 1)
        return 0;
    for (i = 0; i < len; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    }
    for (i = 0; i < len / 2; i++) {
        char b[3] = {s[2 * i], s[2 * i + 1], 0};
        pos[i] = (unsigned char)strtoul(b, NULL, 16);
    }
    *n = len / 2;
    return 1;
}

/* Compares a position with a cursor's, as LMDB orders keys. */
static int pos_cmp(const MDB_val *a, const unsigned char *b, size_t nb)
{
    int c = memcmp(a->mv_data, b, a->mv_size < nb ? a->mv_size : nb);

    return c ? c : a->mv_size < nb ? -1 : a->mv_size > nb;
}

/* An entry a query passed: its position and value, where they lie. */
typedef struct {
    MDB_val pos, v; /* in the snapshot: valid while the transaction lasts */
} ix_hit_t;

/* One page of the entries under `prefix` (the name index, or a group's)
 * that match q, in one pass: the entries before the cursor are counted,
 * the last page of them kept in a ring (for `before`, or for `after` past
 * the end), the page after it collected, the rest counted. `known`: how
 * many entries the range holds (-1: unknown); with no filter, the pass
 * then ends as soon as the page is whole. */
static void query_range(tx_t *t, apr_pool_t *p, const key_t_ *prefix, long known,
                        const iam_member_query_t *q, iam_member_page_t *out)
{
    int limit = q->limit <= 0 ? QUERY_DEFAULT : q->limit > IAM_QUERY_MAX ? IAM_QUERY_MAX : q->limit;
    const char *after = q->after && *q->after ? q->after : NULL;
    const char *before = q->before && *q->before ? q->before : NULL;
    const char *search = q->search ? q->search : "";
    ix_filter_t f = {NULL, strlen(search), q->status};
    ix_hit_t *ring = apr_palloc(t->p, sizeof(ix_hit_t) * (size_t)limit);
    ix_hit_t *list = apr_palloc(t->p, sizeof(ix_hit_t) * (size_t)limit);
    const ix_hit_t **page = apr_palloc(t->p, sizeof(ix_hit_t *) * (size_t)limit);
    unsigned char c[MAXKEY];
    size_t nc = 0, i;
    long nprec = 0, nfollow = 0, first, n;
    int nlist = 0, npage = 0, all = 1, rc;
    MDB_cursor *cur;
    MDB_val kv, v;

    out->members = apr_array_make(p, limit, sizeof(iam_member_t *));
    if (after && before) {
        tx_fail(t, IAM_INVALID, "a page is after a cursor or before one, not both");
        return;
    }
    if ((after || before) && !cursor_pos(after ? after : before, c, &nc)) {
        tx_fail(t, IAM_INVALID, "not a cursor of this list: '%.40s'", after ? after : before);
        return;
    }
    if (q->status < -1 || q->status > IAM_INVITED) {
        tx_fail(t, IAM_INVALID, "no member status %d", q->status);
        return;
    }
    if (f.n) {
        char *lower = apr_palloc(t->p, f.n + 1);
        for (i = 0; i <= f.n; i++)
            lower[i] = (char)ascii_lower((unsigned char)search[i]);
        f.needle = lower;
    }
    if (f.n || f.status >= 0)
        known = -1;
    if (t->status != IAM_OK || tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &cur)) != IAM_OK)
        return;
    kv = (MDB_val){prefix->n, (void *)prefix->b};
    for (rc = mdb_cursor_get(cur, &kv, &v, MDB_SET_RANGE); rc == MDB_SUCCESS && t->status == IAM_OK;
         rc = mdb_cursor_get(cur, &kv, &v, MDB_NEXT)) {
        ix_hit_t hit;
        int precedes;
        if (kv.mv_size < prefix->n || memcmp(kv.mv_data, prefix->b, prefix->n))
            break;
        if ((f.n || f.status >= 0) && ix_matches(t, &v, &f) != 1)
            continue;
        hit.pos = (MDB_val){kv.mv_size - prefix->n, (char *)kv.mv_data + prefix->n};
        hit.v = v;
        precedes = after    ? pos_cmp(&hit.pos, c, nc) <= 0
                   : before ? pos_cmp(&hit.pos, c, nc) < 0
                            : 0;
        if (precedes) {
            ring[nprec % limit] = hit;
            nprec++;
        } else {
            if (nlist < limit)
                list[nlist++] = hit;
            nfollow++;
        }
        if (known >= 0 && (nlist == limit || (before && !precedes && nprec >= limit))) {
            all = 0; /* the page is whole, and the total known */
            break;
        }
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc);
    mdb_cursor_close(cur);
    if (t->status != IAM_OK)
        return;
    /* the page: from the ring (the `limit` last before the cursor) and the
     * list (the first after it); `first` counts the matches before it */
    if (before && nprec < limit) {
        first = 0; /* fewer than a page before: the first page */
    } else if (before || (nlist == 0 && nprec > 0)) {
        first = nprec > limit ? nprec - limit : 0; /* before, or after the end: the last page */
        nlist = 0;
    } else {
        first = nprec;
    }
    for (n = first; n < nprec; n++)
        page[npage++] = &ring[n % limit];
    for (i = 0; (int)i < nlist && npage < limit; i++)
        page[npage++] = &list[i];
    out->offset = first;
    out->total = all ? nprec + nfollow : known;
    if (out->total < first + npage)
        out->total = first + npage; /* a count that lies: never a negative rest */
    if (npage > 0) {
        out->prev = first > 0 ? pos_cursor(p, &page[0]->pos) : NULL;
        out->next = first + npage < out->total ? pos_cursor(p, &page[npage - 1]->pos) : NULL;
    }
    /* the members themselves: only those shown are read */
    for (i = 0; (int)i < npage && t->status == IAM_OK; i++) {
        const unsigned char *login;
        size_t len;
        iam_member_t *m;
        if (!(login = pos_login(page[i]->pos.mv_data, page[i]->pos.mv_size, &len)))
            tx_fail(t, IAM_CORRUPT, "store %s: a name index key is damaged", t->st->dir);
        else if (list_read_member(t, NULL, login, len, &m) == 1)
            APR_ARRAY_PUSH(out->members, iam_member_t *) = m;
        else
            tx_fail(t, IAM_CORRUPT, "store %s: the name index names missing member '%s'",
                    t->st->dir, apr_pstrmemdup(t->p, (const char *)login, len));
    }
}

/* Starts a query's read transaction: out emptied, q there, the store of
 * format 5. */
static iam_status_e query_begin(tx_t *t, iam_store_t *st, apr_pool_t *p,
                                const iam_member_query_t *q, iam_member_page_t *out, iam_err_t *err)
{
    memset(out, 0, sizeof(*out));
    out->members = apr_array_make(p, 1, sizeof(iam_member_t *));
    if (tx_begin(t, st, 0, p, err) != IAM_OK)
        return t->status;
    if (!q)
        return tx_fail(t, IAM_INVALID, "no query");
    tx_indexed(t);
    return t->status;
}

/* Ends it; a failed query leaves nothing half filled. */
static iam_status_e query_end(tx_t *t, apr_pool_t *p, iam_member_page_t *out)
{
    if (t->status != IAM_OK) {
        memset(out, 0, sizeof(*out));
        out->members = apr_array_make(p, 1, sizeof(iam_member_t *));
    }
    return tx_done(t);
}

iam_status_e iam_store_member_query(iam_store_t *st, apr_pool_t *p, const iam_member_query_t *q,
                                    iam_member_page_t *out, iam_err_t *err)
{
    key_t_ k = {{'N'}, 1};
    tx_t t;

    if (query_begin(&t, st, p, q, out, err) == IAM_OK)
        query_range(&t, p, &k, (long)meta_count(&t, "members"), q, out);
    return query_end(&t, p, out);
}

iam_status_e iam_store_group_member_query(iam_store_t *st, apr_pool_t *p, const char *group,
                                          const iam_member_query_t *q, iam_member_page_t *out,
                                          iam_err_t *err)
{
    iam_group_t *g;
    key_t_ k;
    tx_t t;

    if (query_begin(&t, st, p, q, out, err) == IAM_OK) {
        if (group && tx_group(&t, group, &g) == 1 && !key_make(&k, 'n', group, ""))
            query_range(&t, p, &k, -1, q, out);
        else if (t.status == IAM_OK)
            tx_fail(&t, IAM_NOTFOUND, "no group '%s'", group);
    }
    return query_end(&t, p, out);
}

/* Whether `grants` hold a grant of `role`. */
static int holds_role(const apr_array_header_t *grants, const char *role)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(grants, i, iam_grant_t).role, role))
            return 1;
    }
    return 0;
}

/* Reads the holders under one prefix of the role-holder index (k: a
 * whole target, or a role and its tab) into out, each once (seen). */
static void holders_under(tx_t *t, MDB_cursor *cur, MDB_cursor *mc, key_t_ *k, const char *role,
                          apr_hash_t *seen, apr_array_header_t *members, apr_array_header_t *groups)
{
    MDB_val kv = kval(k), v;
    int rc;

    for (rc = mdb_cursor_get(cur, &kv, &v, MDB_SET_RANGE); rc == MDB_SUCCESS && t->status == IAM_OK;
         rc = mdb_cursor_get(cur, &kv, &v, MDB_NEXT)) {
        const unsigned char *z, *name;
        size_t len;
        iam_member_t *m;
        iam_group_t *g;
        if (kv.mv_size < k->n || memcmp(kv.mv_data, k->b, k->n))
            break;
        z = memchr((const unsigned char *)kv.mv_data + k->n - 1, 0, kv.mv_size - k->n + 1);
        name = z ? z + 1 : NULL;
        len = z ? kv.mv_size - (size_t)(name - (const unsigned char *)kv.mv_data) : 0;
        if (len < 2 || (name[0] != 'm' && name[0] != 'g')) {
            tx_fail(t, IAM_CORRUPT, "store %s: a role index key is damaged", t->st->dir);
        } else if (apr_hash_get(seen, name, (apr_ssize_t)len)) {
            continue; /* a holder with grants on several of the targets */
        } else if (name[0] == 'm') {
            apr_hash_set(seen, apr_pmemdup(t->p, name, len), (apr_ssize_t)len, "");
            if (list_read_member(t, mc, name + 1, len - 1, &m) == 1 && holds_role(m->grants, role))
                APR_ARRAY_PUSH(members, iam_member_t *) = m;
            else
                tx_fail(t, IAM_CORRUPT, "store %s: the role index of '%s' is stale (member '%s')",
                        t->st->dir, role, apr_pstrmemdup(t->p, (const char *)name + 1, len - 1));
        } else {
            const char *gname = apr_pstrmemdup(t->p, (const char *)name + 1, len - 1);
            apr_hash_set(seen, apr_pmemdup(t->p, name, len), (apr_ssize_t)len, "");
            if (tx_group(t, gname, &g) == 1 && holds_role(g->grants, role))
                APR_ARRAY_PUSH(groups, iam_group_t *) = g;
            else
                tx_fail(t, IAM_CORRUPT, "store %s: the role index of '%s' is stale (group '%s')",
                        t->st->dir, role, gname);
        }
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc);
}

iam_status_e iam_store_role_holders(iam_store_t *st, apr_pool_t *p, const char *role,
                                    const iam_resource_t *on, apr_array_header_t **members,
                                    apr_array_header_t **groups, iam_err_t *err)
{
    apr_array_header_t *targets = apr_array_make(p, 4, sizeof(const char *));
    apr_hash_t *seen = apr_hash_make(p);
    MDB_cursor *cur, *mc = NULL;
    key_t_ k;
    tx_t t;
    int i;

    *members = apr_array_make(p, 16, sizeof(iam_member_t *));
    *groups = apr_array_make(p, 4, sizeof(iam_group_t *));
    if (on && on->name) {
        APR_ARRAY_PUSH(targets, const char *) = apr_pstrcat(p, role, "\t*", NULL);
        APR_ARRAY_PUSH(targets, const char *) = apr_pstrcat(p, role, "\tr:", on->name, NULL);
        for (i = 0; i < on->nlabels; i++)
            APR_ARRAY_PUSH(targets, const char *) =
                apr_pstrcat(p, role, "\tl:", on->labels[i], NULL);
    }
    if (!role || !*role || key_make(&k, 'X', apr_pstrcat(p, role, "\t", NULL), NULL))
        return fail(err, IAM_INVALID, "no role, or a role name too long");
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (!tx_indexed(&t) || tx_rc(&t, mdb_cursor_open(t.txn, st->dbi, &cur)) != IAM_OK)
        return tx_done(&t);
    if (tx_rc(&t, mdb_cursor_open(t.txn, st->dbi, &mc)) != IAM_OK) {
        mdb_cursor_close(cur);
        return tx_done(&t);
    }
    if (!targets->nelts) /* every grant of the role: the role and its tab */
        holders_under(&t, cur, mc, &k, role, seen, *members, *groups);
    for (i = 0; i < targets->nelts && t.status == IAM_OK; i++) {
        if (key_make(&k, 'X', APR_ARRAY_IDX(targets, i, const char *), ""))
            continue; /* longer than any key the index holds */
        holders_under(&t, cur, mc, &k, role, seen, *members, *groups);
    }
    mdb_cursor_close(mc);
    mdb_cursor_close(cur);
    if (t.status != IAM_OK) {
        *members = apr_array_make(p, 1, sizeof(iam_member_t *));
        *groups = apr_array_make(p, 1, sizeof(iam_group_t *));
    }
    return tx_done(&t);
}

iam_status_e iam_store_group_get(iam_store_t *st, apr_pool_t *p, const char *name,
                                 iam_group_t **out, iam_err_t *err)
{
    tx_t t;

    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_group(&t, name, out) == 1) {
        /* Member names as the members spell them. */
        apr_array_header_t *keys = apr_array_make(p, 8, sizeof(const char *));
        int i;
        tx_each_link(&t, 'g', name, add_name, keys);
        for (i = 0; i < keys->nelts && t.status == IAM_OK; i++) {
            iam_member_t *m;
            if (tx_member(&t, APR_ARRAY_IDX(keys, i, const char *), &m) == 1)
                APR_ARRAY_PUSH((*out)->members, const char *) = m->login;
            else
                tx_fail(&t, IAM_CORRUPT, "store %s: group '%s' lists a missing member", st->dir,
                        name);
        }
    } else if (t.status == IAM_OK) {
        tx_fail(&t, IAM_NOTFOUND, "no group '%s'", name);
    }
    return tx_done(&t);
}

iam_status_e iam_store_group_record(iam_store_t *st, apr_pool_t *p, const char *name,
                                    iam_group_t **out, iam_err_t *err)
{
    tx_t t;

    *out = NULL;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_group(&t, name, out) != 1 && t.status == IAM_OK)
        tx_fail(&t, IAM_NOTFOUND, "no group '%s'", name);
    return tx_done(&t);
}

iam_status_e iam_store_group_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err)
{
    return list_records(st, p, 'G', list_group, out, err);
}

static int name_group(tx_t *t, const MDB_val *v, void *data)
{
    iam_group_t *g = decode_group(t->p, v);

    if (!g) {
        tx_fail(t, IAM_CORRUPT, "store %s: a group record is damaged", t->st->dir);
        return 0;
    }
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_group_t *) = g;
    return 1;
}

iam_status_e iam_store_group_records(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                     iam_err_t *err)
{
    return list_records(st, p, 'G', name_group, out, err);
}

iam_status_e iam_store_dump(iam_store_t *st, apr_pool_t *p, iam_plan_e *plan,
                            apr_array_header_t **members, apr_array_header_t **groups,
                            iam_err_t *err)
{
    tx_t t;
    list_ctx_t ctx = {NULL, 0, 0, 1, NULL};

    *members = ctx.out = apr_array_make(p, 16, sizeof(iam_member_t *));
    *groups = apr_array_make(p, 16, sizeof(iam_group_t *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    *plan = tx_plan(&t);
    tx_each_record(&t, 'M', list_member, &ctx);
    tx_each_record(&t, 'G', list_group, *groups);
    return tx_done(&t);
}

/* ---- the audit trail ----
 *
 * 'A' + u64 big-endian sequence -> who, when, what, on whom, before, after.
 * Written by audit() in the transaction of the change it records. */

#define AUDIT_TEXT_MAX IAM_AUDIT_TEXT_MAX

static const char *describe_grants(apr_pool_t *p, const apr_array_header_t *grants)
{
    const char *s = "";
    int i, j;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        const char *items = g->scope == IAM_SCOPE_ALL ? "all" : "";
        for (j = 0; j < g->nitems; j++)
            items = apr_pstrcat(p, items, j ? " " : "", g->items[j], NULL);
        s = apr_psprintf(p, "%s%s%s on %s%s", s, i ? "; " : "", g->role,
                         g->scope == IAM_SCOPE_LABELS ? "labels " : "", items);
    }
    return grants->nelts ? s : "none";
}

/* A name as a description holds it: bare, unless it could pass for the
 * syntax around it (a '=' in a display name, a ',' or ']' in a group's);
 * then in double quotes, a backslash before each '"' and backslash in it,
 * so the audit's reader (audit_text.c) reads it back exactly. Grants need
 * none: slugs, resource names and labels hold none of these. */
static const char *describe_text(apr_pool_t *p, const char *s)
{
    char *out, *o;

    if (!strpbrk(s, "\"\\=[],"))
        return s;
    out = o = apr_palloc(p, 2 * strlen(s) + 3);
    *o++ = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

static const char *describe_member(tx_t *t, const iam_member_t *m)
{
    apr_array_header_t *groups = apr_array_make(t->p, 4, sizeof(const char *));
    int i;

    tx_each_link(t, 'm', m->login, add_name, groups);
    for (i = 0; i < groups->nelts; i++)
        APR_ARRAY_IDX(groups, i, const char *) =
            describe_text(t->p, APR_ARRAY_IDX(groups, i, const char *));
    return apr_psprintf(t->p, "status=%s email=%s name=%s pii=%s grants=[%s] groups=[%s]",
                        m->status == IAM_INVITED ? "invited" : "active", m->email,
                        describe_text(t->p, m->name), m->pii ? "yes" : "no",
                        describe_grants(t->p, m->grants),
                        groups->nelts ? apr_array_pstrcat(t->p, groups, ',') : "");
}

static const char *describe_group(tx_t *t, const iam_group_t *g)
{
    apr_array_header_t *members = apr_array_make(t->p, 4, sizeof(const char *));

    tx_each_link(t, 'g', g->name, add_name, members);
    return apr_psprintf(t->p, "pii=%s grants=[%s] members=%d", g->pii ? "yes" : "no",
                        describe_grants(t->p, g->grants), members->nelts);
}

static const char *clip(apr_pool_t *p, const char *s)
{
    return strlen(s) > AUDIT_TEXT_MAX
               ? apr_pstrcat(p, apr_pstrndup(p, s, AUDIT_TEXT_MAX), "...", NULL)
               : s;
}

static void audit_key(unsigned char *b, unsigned long long seq)
{
    int i;

    b[0] = 'A';
    for (i = 8; i >= 1; i--, seq >>= 8)
        b[i] = (unsigned char)(seq & 0xff);
}

static void audit(tx_t *t, const char *action, const char *target, const char *before,
                  const char *after)
{
    unsigned char kb[9];
    unsigned long long seq;
    wbuf_t w = {t->p, NULL, 0, 0};
    MDB_val kv = {9, kb}, v;

    if (t->status != IAM_OK)
        return;
    seq = (unsigned long long)meta_count(t, "audit") + 1;
    meta_count_add(t, "audit", 1);
    audit_key(kb, seq);
    w_u8(&w, REC_FORMAT);
    w_u64(&w, (unsigned long long)time(NULL));
    w_str(&w, t->actor);
    w_str(&w, action);
    w_str(&w, target);
    w_str(&w, clip(t->p, before ? before : ""));
    w_str(&w, clip(t->p, after ? after : ""));
    v.mv_size = w.n;
    v.mv_data = w.d;
    if (t->status == IAM_OK)
        tx_rc(t, mdb_put(t->txn, t->st->dbi, &kv, &v, 0));
}

static iam_audit_t *decode_audit(apr_pool_t *p, const MDB_val *k, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_audit_t *a = apr_pcalloc(p, sizeof(*a));
    const unsigned char *kb = k->mv_data;
    int i;

    for (i = 1; i <= 8; i++)
        a->seq = (a->seq << 8) | kb[i];
    if (r_u8(&r) != REC_FORMAT)
        return NULL;
    a->time = (long long)r_u64(&r);
    a->actor = r_str(&r);
    a->action = r_str(&r);
    a->target = r_str(&r);
    a->before = r_str(&r);
    a->after = r_str(&r);
    return r.bad || r.off != r.n ? NULL : a;
}

/* Calls fn on each entry of the trail older than `before` (0: from the
 * newest), newest first, while it returns 1: the one backward cursor loop
 * over the trail. */
static void tx_each_audit(tx_t *t, unsigned long long before,
                          int (*fn)(tx_t *, const MDB_val *, const MDB_val *, void *), void *ctx)
{
    unsigned char kb[9];
    MDB_val kv = {9, kb}, v;
    MDB_cursor *c;
    int rc;

    if (t->status != IAM_OK || tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &c)) != IAM_OK)
        return;
    /* from just below `before` (or the end) backwards */
    audit_key(kb, before ? before : ~0ULL);
    rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
    rc = rc == MDB_SUCCESS || rc == MDB_NOTFOUND
             ? mdb_cursor_get(c, &kv, &v, rc ? MDB_LAST : MDB_PREV)
             : rc;
    for (; rc == MDB_SUCCESS && t->status == IAM_OK; rc = mdb_cursor_get(c, &kv, &v, MDB_PREV)) {
        if (kv.mv_size != 9 || *(unsigned char *)kv.mv_data != 'A' || !fn(t, &kv, &v, ctx))
            break;
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(t, rc);
    mdb_cursor_close(c);
}

typedef struct {
    apr_pool_t *scratch; /* what an entry that does not match leaves behind */
    const iam_audit_filter_t *f;
    int limit;
    long examined, scan_max;
    unsigned long long last; /* the sequence of the last entry examined */
    apr_array_header_t *out;
} audit_scan_t;

static int scan_audit(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    audit_scan_t *c = data;
    iam_audit_t *a;

    if ((c->limit > 0 && c->out->nelts >= c->limit) || c->examined >= c->scan_max)
        return 0;
    apr_pool_clear(c->scratch);
    if (!(a = decode_audit(c->scratch, k, v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: an audit record is damaged", t->st->dir);
        return 0;
    }
    c->examined++;
    c->last = a->seq;
    if (iam_audit_match(c->scratch, a, c->f))
        APR_ARRAY_PUSH(c->out, iam_audit_t *) = decode_audit(t->p, k, v);
    return 1;
}

static iam_status_e audit_scan(iam_store_t *st, apr_pool_t *p, unsigned long long before, int limit,
                               const iam_audit_filter_t *f, long scan_max, apr_array_header_t **out,
                               unsigned long long *next, iam_err_t *err)
{
    audit_scan_t c = {NULL, f, limit, 0, scan_max, 0, NULL};
    tx_t t;

    *out = c.out = apr_array_make(p, limit > 0 ? limit : 16, sizeof(iam_audit_t *));
    *next = 0;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    apr_pool_create(&c.scratch, p);
    tx_each_audit(&t, before, scan_audit, &c);
    apr_pool_destroy(c.scratch);
    /* stopped early (a full page, the bound) with older entries left: go on
     * from the last one examined */
    if (t.status == IAM_OK && c.last > 1 &&
        ((limit > 0 && c.out->nelts >= limit) || c.examined >= c.scan_max))
        *next = c.last;
    return tx_done(&t);
}

iam_status_e iam_store_audit_query(iam_store_t *st, apr_pool_t *p, unsigned long long before,
                                   int limit, const iam_audit_filter_t *f, apr_array_header_t **out,
                                   unsigned long long *next, iam_err_t *err)
{
    return audit_scan(st, p, before, limit, f,
                      f && f->scan_max > 0 ? f->scan_max : IAM_AUDIT_SCAN_MAX, out, next, err);
}

iam_status_e iam_store_audit_list(iam_store_t *st, apr_pool_t *p, unsigned long long before,
                                  int limit, apr_array_header_t **out, iam_err_t *err)
{
    unsigned long long next;

    return audit_scan(st, p, before, limit, NULL, LONG_MAX, out, &next, err);
}

/* ---- writes ----
 *
 * Every write runs in write_op: one write transaction, the plan and roles
 * read inside it, the change and its audit record, commit or abort. */

/* ---- writes: the indexes of a member ----
 *
 * A member's entries in the name indexes and the role-holder index follow
 * from their record and their links. The first time a transaction marks a
 * member (mark_dirty), before it changes either, it notes what their
 * entries are (ix_state_t); flush_dirty, at commit, moves those that
 * changed. Who is marked only because a group's grants changed (mark_copy)
 * keeps their entries: none of them depends on a group's grants. */

typedef struct {
    unsigned char *pos; /* see member_pos */
    size_t npos;
    MDB_val value;              /* see ix_value */
    apr_array_header_t *groups; /* const char *: the groups they are in */
    apr_array_header_t *targets; /* const char *: what their own grants are on (targets_of) */
} ix_state_t;

/* What the dirty table holds for a member besides their state: no entries
 * (no record when first marked, or a store being upgraded), or a mark for
 * their record's copy of their groups only. */
static ix_state_t IX_NONE, IX_COPY_ONLY;

/* A member's entries, from their record and the names of their groups,
 * in p; NULL (the transaction failed) if they cannot fit a key. */
static ix_state_t *ix_state(tx_t *t, apr_pool_t *p, const iam_member_t *m,
                            const apr_array_header_t *groups)
{
    ix_state_t *s = apr_palloc(p, sizeof(*s));
    unsigned char pos[MAXKEY];
    int i;

    if (!(s->npos = member_pos(m, pos))) {
        tx_fail(t, IAM_INVALID, "the login of member '%s' is too long for the name index",
                m->login);
        return NULL;
    }
    s->pos = apr_pmemdup(p, pos, s->npos);
    s->value = ix_value(p, m);
    s->groups = apr_array_make(p, groups->nelts ? groups->nelts : 1, sizeof(const char *));
    for (i = 0; i < groups->nelts; i++)
        APR_ARRAY_PUSH(s->groups, const char *) =
            apr_pstrdup(p, APR_ARRAY_IDX(groups, i, const char *));
    s->targets = targets_of(p, m->grants);
    return s;
}

/* A member's entries as the store holds them now (read in a scratch pool:
 * a transaction that marks 100,000 members keeps only this of each), or
 * &IX_NONE if they have no record. */
static ix_state_t *ix_snapshot(tx_t *t, const char *key)
{
    apr_pool_t *outer = t->p, *scratch;
    apr_array_header_t *groups;
    ix_state_t *s = &IX_NONE;
    iam_member_t *m;

    apr_pool_create(&scratch, outer);
    t->p = scratch;
    if (tx_member(t, key, &m) == 1) {
        groups = apr_array_make(scratch, 4, sizeof(const char *));
        tx_each_link(t, 'm', key, add_name, groups);
        s = ix_state(t, outer, m, groups);
    }
    t->p = outer;
    apr_pool_destroy(scratch);
    return s ? s : &IX_NONE;
}

/* Puts (on) or deletes an entry of the name index, or of a group's. */
static void ix_entry(tx_t *t, const char *group, const ix_state_t *s, int on)
{
    key_t_ k;

    if (pos_key(&k, group, s->pos, s->npos)) {
        tx_fail(t, IAM_INVALID, "a name and login too long for the index of group '%s'", group);
        return;
    }
    if (on)
        tx_put(t, &k, s->value);
    else
        tx_del(t, &k);
}

/* Puts (on) or deletes a role-holder entry. */
static void set_holder(tx_t *t, const char *target, char kind, const char *name, int on)
{
    key_t_ k;

    if (holder_key(&k, target, kind, name)) {
        tx_fail(t, IAM_INVALID, "the grant on '%s' of '%s' is too long for the index",
                strchr(target, '\t') + 1, name);
        return;
    }
    if (on)
        tx_put(t, &k, str_val(""));
    else
        tx_del(t, &k);
}

/* Moves the role-holder entries of a member or group from the targets its
 * grants were on (NULL: none) to those they are on (NULL: none). */
static void move_holder(tx_t *t, char kind, const char *name, const apr_array_header_t *was,
                        const apr_array_header_t *now)
{
    int i;

    for (i = 0; was && i < was->nelts; i++) {
        if (!in_names(now, APR_ARRAY_IDX(was, i, const char *)))
            set_holder(t, APR_ARRAY_IDX(was, i, const char *), kind, name, 0);
    }
    for (i = 0; now && i < now->nelts; i++) {
        if (!in_names(was, APR_ARRAY_IDX(now, i, const char *)))
            set_holder(t, APR_ARRAY_IDX(now, i, const char *), kind, name, 1);
    }
}

/* Moves a member's entries from what they were (NULL: none) to what they
 * are (NULL: removed); entries that did not change are not written. */
static void ix_move(tx_t *t, const char *key, const ix_state_t *was, const ix_state_t *now)
{
    int same_pos = was && now && was->npos == now->npos && !memcmp(was->pos, now->pos, now->npos);
    int same = same_pos && was->value.mv_size == now->value.mv_size &&
               !memcmp(was->value.mv_data, now->value.mv_data, now->value.mv_size);
    int i;

    if (was && !same_pos)
        ix_entry(t, NULL, was, 0);
    if (now && !same)
        ix_entry(t, NULL, now, 1);
    for (i = 0; was && i < was->groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(was->groups, i, const char *);
        if (!same_pos || !in_names(now->groups, g))
            ix_entry(t, g, was, 0);
    }
    for (i = 0; now && i < now->groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(now->groups, i, const char *);
        if (!same || !in_names(was->groups, g))
            ix_entry(t, g, now, 1);
    }
    move_holder(t, 'm', key, was ? was->targets : NULL, now ? now->targets : NULL);
}

/* The member's key (lower-cased login) into lc (MAXKEY + 1 bytes); its length. */
static size_t dirty_key(const char *login, char *lc)
{
    size_t i;

    for (i = 0; login[i] && i < MAXKEY; i++)
        lc[i] = (char)tolower((unsigned char)login[i]);
    lc[i] = 0;
    return i;
}

/* Marks a member whose record must be written again, with their groups,
 * before the transaction commits (flush_dirty), and whose index entries
 * follow it: call it before changing their record or their links. */
static void mark_dirty(tx_t *t, const char *login)
{
    char lc[MAXKEY + 1];
    size_t n = dirty_key(login, lc);
    ix_state_t *was;

    if (!t->dirty)
        t->dirty = apr_hash_make(t->p);
    was = apr_hash_get(t->dirty, lc, (apr_ssize_t)n);
    if (!was)
        apr_hash_set(t->dirty, apr_pstrmemdup(t->p, lc, n), (apr_ssize_t)n, ix_snapshot(t, lc));
    else if (was == &IX_COPY_ONLY) /* nothing of theirs changed since: still as stored */
        apr_hash_set(t->dirty, lc, (apr_ssize_t)n, ix_snapshot(t, lc));
}

/* Marks a member whose record's copy of a group changed: nothing of
 * theirs that the indexes hold. */
static void mark_copy(tx_t *t, const char *login)
{
    char lc[MAXKEY + 1];
    size_t n = dirty_key(login, lc);

    if (!t->dirty)
        t->dirty = apr_hash_make(t->p);
    if (!apr_hash_get(t->dirty, lc, (apr_ssize_t)n))
        apr_hash_set(t->dirty, apr_pstrmemdup(t->p, lc, n), (apr_ssize_t)n, &IX_COPY_ONLY);
}

static void mark_member(tx_t *t, const char *login, void *data)
{
    (void)data;
    mark_copy(t, login);
}

/* Writes a member's own fields now; their groups follow at commit. */
static void put_member(tx_t *t, const iam_member_t *m)
{
    key_t_ k;

    if (key_make(&k, 'M', m->login, NULL)) {
        tx_fail(t, IAM_INVALID, "login is too long");
        return;
    }
    mark_dirty(t, m->login);
    tx_put(t, &k, encode_member(t->p, m, NULL));
}

/* Writes a group; if what its members' records carry of it changed (its
 * name, personal-data flag, or grants small enough to copy), they are
 * written again at commit. */
static void put_group(tx_t *t, const iam_group_t *g)
{
    key_t_ k;
    MDB_val old, v = encode_group(t->p, g);
    iam_group_t *was = NULL;

    if (key_make(&k, 'G', g->name, NULL)) {
        tx_fail(t, IAM_INVALID, "group name is too long");
        return;
    }
    if (tx_get(t, &k, &old) == 1) {
        if (old.mv_size == v.mv_size && !memcmp(old.mv_data, v.mv_data, v.mv_size))
            return;
        was = decode_group(t->p, &old);
    }
    tx_put(t, &k, v);
    move_holder(t, 'g', g->name, was ? targets_of(t->p, was->grants) : NULL,
                targets_of(t->p, g->grants));
    if (was && !strcmp(was->name, g->name) && !was->pii == !g->pii && !copies_grants(was) &&
        !copies_grants(g))
        return; /* its members hold it by reference, and still do */
    tx_each_link(t, 'g', g->name, mark_member, NULL);
}

/* Builds the indexes of format 5 in a store of an older format, in the
 * transaction of its first write: whatever 'N', 'n' and 'X' keys lie there
 * go; every member is marked as having no entries, so that flush_dirty
 * writes them all (and every record of format 1 anew, with its groups);
 * the groups' role-holder entries are written here. */
static void ix_build(tx_t *t)
{
    static const char types[] = {'N', 'n', 'X', 'M'};
    apr_array_header_t *keys[4], *groups = apr_array_make(t->p, 16, sizeof(iam_group_t *));
    MDB_cursor *c;
    MDB_val kv, v;
    size_t i;
    int rc, j;

    for (i = 0; i < sizeof(types); i++) {
        keys[i] = apr_array_make(t->p, 64, sizeof(MDB_val));
        if (t->status != IAM_OK || tx_rc(t, mdb_cursor_open(t->txn, t->st->dbi, &c)) != IAM_OK)
            return;
        kv = (MDB_val){1, (void *)&types[i]};
        for (rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
             rc == MDB_SUCCESS && kv.mv_size > 0 && *(char *)kv.mv_data == types[i];
             rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT))
            APR_ARRAY_PUSH(keys[i], MDB_val) =
                (MDB_val){kv.mv_size, apr_pmemdup(t->p, kv.mv_data, kv.mv_size)};
        if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
            tx_rc(t, rc);
        mdb_cursor_close(c);
    }
    for (i = 0; i < 3 && t->status == IAM_OK; i++) {
        for (j = 0; j < keys[i]->nelts && t->status == IAM_OK; j++)
            tx_rc(t, mdb_del(t->txn, t->st->dbi, &APR_ARRAY_IDX(keys[i], j, MDB_val), NULL));
    }
    if (!t->dirty)
        t->dirty = apr_hash_make(t->p);
    for (j = 0; j < keys[3]->nelts && t->status == IAM_OK; j++) {
        MDB_val *k = &APR_ARRAY_IDX(keys[3], j, MDB_val);
        if (k->mv_size > 1)
            apr_hash_set(t->dirty, apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1),
                         (apr_ssize_t)(k->mv_size - 1), &IX_NONE);
    }
    tx_each_record(t, 'G', name_group, groups);
    for (j = 0; j < groups->nelts && t->status == IAM_OK; j++) {
        iam_group_t *g = APR_ARRAY_IDX(groups, j, iam_group_t *);
        move_holder(t, 'g', g->name, NULL, targets_of(t->p, g->grants));
    }
}

static void collect_group(tx_t *t, const char *name, void *data)
{
    iam_group_t *g;

    if (tx_group(t, name, &g) == 1)
        APR_ARRAY_PUSH((apr_array_header_t *)data, iam_group_t *) = g;
    else
        tx_fail(t, IAM_CORRUPT, "store %s: membership names missing group '%s'", t->st->dir, name);
}

/* Writes every marked member's record again with the current grants of
 * their groups, inside the transaction that changed them: the copy a
 * decision reads is never stale. A removed member is skipped. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void flush_dirty(tx_t *t)
{
    apr_pool_t *outer = t->p, *scratch;
    apr_hash_index_t *hi;
    const char **logins;
    int n = 0, i, j;

    if (!t->dirty || t->status != IAM_OK)
        return;
    /* in key order: neighbouring records share pages, so a big flush
     * touches each page once */
    logins = apr_palloc(outer, sizeof(char *) * (apr_hash_count(t->dirty) + 1));
    for (hi = apr_hash_first(outer, t->dirty); hi; hi = apr_hash_next(hi))
        logins[n++] = apr_hash_this_key(hi);
    qsort(logins, (size_t)n, sizeof(char *), cmp_str);
    apr_pool_create(&scratch, outer);
    for (i = 0; i < n && t->status == IAM_OK; i++) {
        const char *login = logins[i];
        const ix_state_t *was = apr_hash_get(t->dirty, login, APR_HASH_KEY_STRING);
        apr_array_header_t *groups, *names = NULL;
        iam_member_t *m = NULL;
        MDB_val old, v;
        key_t_ k;

        t->p = scratch; /* a big import must not keep every record decoded */
        if (tx_record(t, 'M', login, &old) == 1) {
            if (!(m = decode_member(scratch, &old))) {
                tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged",
                        t->st->dir, login);
                break;
            }
            groups = apr_array_make(scratch, 4, sizeof(iam_group_t *));
            tx_each_link(t, 'm', login, collect_group, groups);
            names = apr_array_make(scratch, groups->nelts + 1, sizeof(const char *));
            for (j = 0; j < groups->nelts; j++)
                APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(groups, j, iam_group_t *)->name;
            v = encode_member(scratch, m, groups);
            key_make(&k, 'M', login, NULL);
            /* unchanged (an index upgrade, a copy that came out the same):
             * left alone, its pages not copied */
            if (v.mv_size != old.mv_size || memcmp(v.mv_data, old.mv_data, v.mv_size))
                tx_put(t, &k, v);
        }
        if (was != &IX_COPY_ONLY && t->status == IAM_OK)
            ix_move(t, login, was == &IX_NONE ? NULL : was,
                    m ? ix_state(t, scratch, m, names) : NULL);
        t->p = outer;
        apr_pool_clear(scratch);
    }
    t->p = outer;
    t->dirty = NULL;
    apr_pool_destroy(scratch);
}

static void set_link(tx_t *t, char type, const char *a, const char *b, int on)
{
    key_t_ k;

    if (key_make(&k, type, a, b)) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return;
    }
    if (type == 'm')
        mark_dirty(t, a); /* before the change: its index entries move with it */
    if (on)
        tx_put(t, &k, str_val(""));
    else
        tx_del(t, &k);
}

static void owner_lost(tx_t *t, const char *login, const char *why);
static void kill_tokens(tx_t *t, const char *login, const char *why);

/* A login that becomes an owner starts without tokens: whatever tokens name
 * it (an earlier owner of that login, in any case) stay dead. */
static void set_owner_index(tx_t *t, const char *login, int on)
{
    key_t_ k;
    MDB_val v;

    key_make(&k, 'O', login, NULL);
    if (on && tx_get(t, &k, &v) == 0)
        kill_tokens(t, login, "an owner of that login from before");
    if (on)
        tx_put(t, &k, str_val(""));
    else
        tx_del(t, &k);
}

/* Checks the store's format inside every write: an older one is upgraded
 * by the first write of this release, in that write's transaction. Format
 * 1 (member records lack their groups' grants) and 2 to 4 (no name or
 * role-holder indexes; 2 and 3 also read their older request records as
 * they are) get the indexes (ix_build, which has flush_dirty
 * write every member record of format 1 anew); one written by a newer
 * release is refused. */
static void tx_upgrade(tx_t *t)
{
    key_t_ k;
    MDB_val v;
    const char *now = apr_itoa(t->p, IAM_STORE_FORMAT);
    int was;

    meta_key(&k, "version");
    if (tx_get(t, &k, &v) != 1)
        return; /* a new store: check_version writes it */
    was = version_of(&v);
    if (was >= 1 && was < IAM_STORE_FORMAT) {
        if (was < IX_STORE_FORMAT)
            ix_build(t);
        tx_put(t, &k, str_val(now));
    } else if (was != IAM_STORE_FORMAT) {
        tx_fail(t, IAM_VERSION,
                "store %s has format version %.*s, this mod_iam writes version %s: use the "
                "mod_iam release that wrote it",
                t->st->dir, (int)(v.mv_size > 20 ? 20 : v.mv_size), (char *)v.mv_data, now);
    }
}

typedef void (*write_fn)(tx_t *, const iam_roles_t *, iam_plan_e, void *);

static iam_status_e write_op(iam_store_t *st, const char *actor, iam_err_t *err, write_fn op,
                             void *ctx)
{
    apr_pool_t *p;
    tx_t t;
    iam_roles_t *roles;
    iam_plan_e plan;

    apr_pool_create(&p, NULL);
    roles = apr_palloc(p, sizeof(*roles));
    if (tx_begin(&t, st, 1, p, err) == IAM_OK) {
        t.actor = actor && *actor ? actor : "unknown";
        tx_upgrade(&t);
        plan = tx_plan(&t);
        tx_roles(&t, roles);
        t.roles = roles;
        t.plan = plan;
        if (t.status == IAM_OK)
            op(&t, roles, plan, ctx);
    }
    tx_end(&t);
    apr_pool_destroy(p);
    return t.status;
}

/* ---- access requests ---- */

/* 2 added the revision, when the level changed and when a change was last
 * audited; 3 the resource's labels and how the request ended; 1 and 2 are
 * still read */
#define REQUEST_FORMAT 3
#define REQUEST_REV_MAX 0xffffffffUL
#define REQUEST_LABELS_MAX 64

static MDB_val encode_request(apr_pool_t *p, const iam_request_t *q)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i, n = q->nlabels < REQUEST_LABELS_MAX ? q->nlabels : REQUEST_LABELS_MAX;

    w_u8(&w, REQUEST_FORMAT);
    w_u32(&w, q->rev);
    w_u64(&w, (unsigned long long)q->level_time);
    w_u64(&w, (unsigned long long)q->audit_time);
    w_u64(&w, (unsigned long long)q->time);
    w_str(&w, q->login);
    w_str(&w, q->type);
    w_str(&w, q->name);
    w_str(&w, q->path);
    w_u8(&w, (unsigned)q->level);
    w_str(&w, q->message);
    w_u8(&w, (unsigned)n);
    for (i = 0; i < n; i++)
        w_str(&w, q->labels[i]);
    w_u8(&w, (unsigned)q->status);
    w_u64(&w, (unsigned long long)q->answered);
    w_str(&w, q->answered_by);
    w_str(&w, q->granted_role);
    w_u8(&w, q->granted_all ? 1 : 0);
    return w_val(&w);
}

static iam_request_t *decode_request(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_request_t *q = apr_pcalloc(p, sizeof(*q));
    unsigned fmt = r_u8(&r), i;

    if (fmt < 1 || fmt > REQUEST_FORMAT)
        return NULL;
    q->rev = 1;
    if (fmt >= 2) {
        q->rev = (unsigned)r_u32(&r);
        q->level_time = (long long)r_u64(&r);
        q->audit_time = (long long)r_u64(&r);
    }
    q->time = (long long)r_u64(&r);
    q->login = r_str(&r);
    q->type = r_str(&r);
    q->name = r_str(&r);
    q->path = r_str(&r);
    q->level = (iam_level_e)r_u8(&r);
    q->message = r_str(&r);
    q->answered_by = q->granted_role = "";
    if (fmt >= 3) {
        q->nlabels = (int)r_u8(&r);
        q->labels = apr_pcalloc(p, sizeof(char *) * ((size_t)q->nlabels + 1));
        for (i = 0; i < (unsigned)q->nlabels && !r.bad; i++)
            q->labels[i] = r_str(&r);
        q->status = (iam_request_status_e)r_u8(&r);
        q->answered = (long long)r_u64(&r);
        q->answered_by = r_str(&r);
        q->granted_role = r_str(&r);
        q->granted_all = (int)r_u8(&r);
    }
    return r.bad || r.off != r.n || q->level > IAM_LEVEL_ADMIN ||
                   q->nlabels > REQUEST_LABELS_MAX || q->status > IAM_REQUEST_GRANTED
               ? NULL
               : q;
}

static const char *request_suffix(apr_pool_t *p, const char *type, const char *name)
{
    return apr_pstrcat(p, type, ":", name && *name ? name : "*", NULL);
}

/* A member's permissions changed (or may have): their open requests are
 * checked against the new permissions when the transaction commits
 * (settle_requests), once per member however many changes touched them. */
static void settle_later(tx_t *t, const char *login)
{
    char lc[MAXKEY + 1];
    size_t i;

    for (i = 0; login[i] && i < MAXKEY; i++)
        lc[i] = (char)tolower((unsigned char)login[i]);
    lc[i] = 0;
    if (!t->settle)
        t->settle = apr_hash_make(t->p);
    if (!apr_hash_get(t->settle, lc, (apr_ssize_t)i))
        apr_hash_set(t->settle, apr_pstrmemdup(t->p, lc, i), (apr_ssize_t)i, "");
}

static void settle_group_later(tx_t *t, const char *group)
{
    apr_array_header_t *members = apr_array_make(t->p, 8, sizeof(const char *));
    int i;

    tx_each_link(t, 'g', group, add_name, members);
    for (i = 0; i < members->nelts; i++)
        settle_later(t, APR_ARRAY_IDX(members, i, const char *));
}

/* ---- the workspace ---- */

typedef struct {
    iam_plan_e plan;
    const iam_roles_t *roles;
    int force;
    int by_server;
    int fold;
} workspace_ctx_t;

static void set_workspace_op(tx_t *t, const iam_roles_t *roles, iam_plan_e old, void *data)
{
    workspace_ctx_t *c = data;
    key_t_ k;
    MDB_val v;

    (void)roles;
    meta_key(&k, "plan-by");
    if (!c->by_server && !c->force && tx_get(t, &k, &v) == 1) {
        tx_fail(t, IAM_INVALID,
                "the plan of store %s is set by IAMPlan in httpd.conf; change it there and "
                "restart Apache",
                t->st->dir);
        return;
    }
    if (c->by_server) {
        const char *lc = c->fold ? "fold" : "exact";
        tx_put(t, &k, str_val("server"));
        meta_key(&k, "roles");
        tx_put(t, &k, encode_roles(t->p, c->roles));
        meta_key(&k, "login-case");
        if (tx_get(t, &k, &v) != 1)
            v = str_val("exact");
        if (v.mv_size != strlen(lc) || memcmp(v.mv_data, lc, v.mv_size))
            audit(t, "workspace.login-case", "", apr_pstrmemdup(t->p, v.mv_data, v.mv_size), lc);
        tx_put(t, &k, str_val(lc));
    }
    meta_key(&k, "plan");
    tx_put(t, &k, str_val(iam_plan_name(c->plan)));
    if (old != c->plan)
        audit(t, "workspace.plan", "", iam_plan_name(old), iam_plan_name(c->plan));
}

iam_status_e iam_store_set_workspace(iam_store_t *st, const char *actor, iam_plan_e plan,
                                     const iam_roles_t *roles, int fold_case, iam_err_t *err)
{
    workspace_ctx_t c = {plan, roles, 1, 1, fold_case ? 1 : 0};
    iam_status_e rc = write_op(st, actor, err, set_workspace_op, &c);

    if (rc == IAM_OK)
        st->fold = c.fold;
    return rc;
}

iam_status_e iam_store_set_plan(iam_store_t *st, const char *actor, iam_plan_e plan, int force,
                                iam_err_t *err)
{
    workspace_ctx_t c = {plan, NULL, force, 0, 0};
    return write_op(st, actor, err, set_workspace_op, &c);
}

/* ---- members ---- */

static int check_member_fields(tx_t *t, const char *login, const char *email, const char *name)
{
    const char *e;

    if (login && (e = iam_check_login(login)) != NULL)
        return tx_fail(t, IAM_INVALID, "login '%s' %s", login, e), 0;
    if (email && *email && (e = iam_check_email(email)) != NULL)
        return tx_fail(t, IAM_INVALID, "email '%s' %s", email, e), 0;
    if (name && *name && (e = iam_check_text(name, 128)) != NULL)
        return tx_fail(t, IAM_INVALID, "name %s", e), 0;
    return 1;
}

/* Points the email index at `login` (email NULL or "": none); the old
 * email, if any, is released. */
static void set_email(tx_t *t, iam_member_t *m, const char *email)
{
    key_t_ k, lk;
    MDB_val v;

    if (email && *email) {
        if (key_make(&k, 'E', email, NULL)) {
            tx_fail(t, IAM_INVALID, "email is too long");
            return;
        }
        key_make(&lk, 'E', m->login, NULL);
        if (tx_get(t, &k, &v) == 1 &&
            (v.mv_size != lk.n - 1 || memcmp(v.mv_data, lk.b + 1, v.mv_size))) {
            tx_fail(t, IAM_EXISTS, "email %s is already used by member '%.*s'", email,
                    (int)v.mv_size, (char *)v.mv_data);
            return;
        }
    }
    if (m->email[0] && !key_make(&k, 'E', m->email, NULL))
        tx_del(t, &k);
    if (email && *email) {
        key_make(&k, 'E', email, NULL);
        key_make(&lk, 'E', m->login, NULL);
        tx_put(t, &k, (MDB_val){lk.n - 1, lk.b + 1});
    }
    m->email = email ? email : "";
}

static iam_member_t *tx_member_add(tx_t *t, const char *login, const char *email, const char *name,
                                   iam_member_status_e status, int owner)
{
    iam_member_t *m, *old;

    if (!check_member_fields(t, login, email, name))
        return NULL;
    if (tx_member(t, login, &old) != 0) {
        if (t->status == IAM_OK && strcmp(old->login, login))
            tx_fail(t, IAM_EXISTS,
                    "'%s' differs only in case from the member '%s': no two logins may (one "
                    "person would hold two memberships)",
                    login, old->login);
        else if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "'%s' is already a member", login);
        return NULL;
    }
    m = apr_pcalloc(t->p, sizeof(*m));
    m->login = login;
    m->email = "";
    m->name = name ? name : "";
    m->status = status;
    m->created = (long long)time(NULL);
    m->grants = apr_array_make(t->p, 1, sizeof(iam_grant_t));
    m->groups = apr_array_make(t->p, 1, sizeof(const char *));
    set_email(t, m, email);
    if (owner) {
        *(iam_grant_t *)apr_array_push(m->grants) =
            (iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL};
        set_owner_index(t, login, 1);
    }
    put_member(t, m);
    meta_count_add(t, "members", 1);
    return t->status == IAM_OK ? m : NULL;
}

typedef struct {
    const char *login, *email, *name;
    iam_member_status_e status;
    int owner;
} add_ctx_t;

static void member_add_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    add_ctx_t *c = data;
    iam_member_t *m;

    (void)roles;
    (void)plan;
    if ((m = tx_member_add(t, c->login, c->email, c->name, c->status, c->owner)) != NULL)
        audit(t, c->status == IAM_INVITED ? "member.invite" : "member.add", m->login, "",
              describe_member(t, m));
}

iam_status_e iam_store_member_add(iam_store_t *st, const char *actor, const char *login,
                                  const char *email, const char *name, iam_member_status_e status,
                                  int owner, iam_err_t *err)
{
    add_ctx_t c = {login, email && *email ? email : NULL, name && *name ? name : NULL, status,
                   owner};
    return write_op(st, actor, err, member_add_op, &c);
}

static int is_owner_grants(const apr_array_header_t *grants)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(grants, i, iam_grant_t).role, "workspace-owner"))
            return 1;
    }
    return 0;
}

static void last_owner_check(tx_t *t, const iam_member_t *m, const char *what)
{
    key_t_ k;
    MDB_val v;

    key_make(&k, 'O', m->login, NULL);
    if (tx_get(t, &k, &v) == 1 && count_prefix(t, 'O') <= 1)
        tx_fail(t, IAM_LAST_OWNER,
                "'%s' is the last Workspace Owner and cannot be %s: make another member an "
                "owner first",
                m->login, what);
}

static void member_remove_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *login)
{
    apr_array_header_t *groups;
    iam_member_t *m;
    const char *before;
    key_t_ k;
    int i;

    (void)roles;
    (void)plan;
    if (!(m = tx_member_must(t, login)))
        return;
    last_owner_check(t, m, "removed");
    mark_dirty(t, m->login); /* before the change: its index entries go with it */
    before = describe_member(t, m);
    groups = apr_array_make(t->p, 4, sizeof(const char *));
    tx_each_link(t, 'm', login, add_name, groups);
    for (i = 0; i < groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(groups, i, const char *);
        set_link(t, 'm', login, g, 0);
        set_link(t, 'g', g, login, 0);
    }
    owner_lost(t, m->login, "was removed from the workspace");
    set_email(t, m, NULL);
    settle_later(t, login);
    key_make(&k, 'M', login, NULL);
    tx_del(t, &k);
    meta_count_add(t, "members", -1);
    audit(t, "member.remove", m->login, before, "");
}

iam_status_e iam_store_member_remove(iam_store_t *st, const char *actor, const char *login,
                                     iam_err_t *err)
{
    return write_op(st, actor, err, member_remove_op, (void *)login);
}

static void member_activate_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *login)
{
    iam_member_t *m;

    (void)roles;
    (void)plan;
    if (!(m = tx_member_must(t, login)))
        return;
    if (m->status == IAM_INVITED) {
        m->status = IAM_ACTIVE;
        m->last_seen = (long long)time(NULL);
        put_member(t, m);
        audit(t, "member.activate", m->login, "invited", "active");
    } else if (m->last_seen + 3600 < (long long)time(NULL)) {
        m->last_seen = (long long)time(NULL);
        put_member(t, m);
    }
}

iam_status_e iam_store_member_activate(iam_store_t *st, const char *login, iam_err_t *err)
{
    return write_op(st, "system", err, member_activate_op, (void *)login);
}

typedef struct {
    const char *login;
    int *made;
} boot_ctx_t;

static void bootstrap_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const char *login = ((boot_ctx_t *)data)->login;
    int *made = ((boot_ctx_t *)data)->made;
    iam_member_t *m;
    const char *before = "";
    int found;

    (void)roles;
    (void)plan;
    if (count_prefix(t, 'O') != 0)
        return;
    found = tx_member(t, login, &m);
    if (found == 1 && !t->st->fold && strcmp(m->login, login)) {
        tx_fail(t, IAM_EXISTS,
                "'%s' differs only in case from the member '%s' (IAMLoginCase exact): name the "
                "member as they log in",
                login, m->login);
        return;
    }
    if (found == 0) {
        m = tx_member_add(t, login, NULL, NULL, IAM_ACTIVE, 1);
    } else if (found == 1) {
        before = describe_member(t, m);
        *(iam_grant_t *)apr_array_push(m->grants) =
            (iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL};
        m->status = IAM_ACTIVE;
        put_member(t, m);
        set_owner_index(t, login, 1);
    }
    if (m && t->status == IAM_OK) {
        audit(t, "owner.bootstrap", m->login, before, describe_member(t, m));
        *made = 1;
    }
}

iam_status_e iam_store_bootstrap_owner(iam_store_t *st, const char *login, int *made,
                                       iam_err_t *err)
{
    boot_ctx_t ctx = {login, made};
    iam_status_e rc;

    *made = 0;
    rc = write_op(st, "server", err, bootstrap_op, &ctx);
    if (rc != IAM_OK)
        *made = 0;
    return rc;
}

/* ---- grants ---- */

static int same_items(const iam_grant_t *a, const iam_grant_t *b)
{
    int i, j, found;

    if (a->nitems != b->nitems)
        return 0;
    for (i = 0; i < a->nitems; i++) {
        for (found = 0, j = 0; j < b->nitems && !found; j++)
            found = !strcasecmp(a->items[i], b->items[j]);
        if (!found)
            return 0;
    }
    return 1;
}

static int item_index(const iam_grant_t *g, const char *item)
{
    int i;

    for (i = 0; i < g->nitems; i++) {
        if (!strcasecmp(g->items[i], item))
            return i;
    }
    return -1;
}

/* Finds the grant of `slug` with `scope` (and for labels, the same set). */
static int find_grant(const apr_array_header_t *grants, const char *slug, const iam_grant_t *like)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        if (strcmp(g->role, slug) || g->scope != like->scope)
            continue;
        if (like->scope != IAM_SCOPE_LABELS || same_items(g, like))
            return i;
    }
    return -1;
}

static void remove_grant(apr_array_header_t *grants, int idx)
{
    iam_grant_t *e = (iam_grant_t *)grants->elts;

    memmove(&e[idx], &e[idx + 1], sizeof(iam_grant_t) * (size_t)(grants->nelts - idx - 1));
    grants->nelts--;
}

/* Validates `in` and merges it into `grants` (resources merge into the
 * role's one resource grant). strict: a grant already held is IAM_EXISTS;
 * else it merges silently. Returns the role, or NULL on failure. */
static const iam_role_t *merge_grant(tx_t *t, apr_array_header_t *grants, const iam_grant_t *in,
                                     const iam_roles_t *roles, iam_plan_e plan, int to_group,
                                     const char *label, int strict)
{
    char msg[256];
    const char *e;
    const iam_role_t *role = iam_roles_find(roles, in->role);
    iam_grant_t g = *in;
    int idx, i;

    if ((e = iam_grant_check(roles, plan, &g, to_group, msg, sizeof(msg))) != NULL) {
        tx_fail(t,
                role && !iam_plan_allows_grant(plan, role, &g, to_group) ? IAM_PLAN : IAM_INVALID,
                "%s", e);
        return NULL;
    }
    g.role = role->slug;
    /* "--resource a A a" is one resource */
    g.items = apr_pcalloc(t->p, sizeof(char *) * (size_t)(in->nitems + 1));
    g.nitems = 0;
    for (i = 0; i < in->nitems; i++) {
        if (item_index(&g, in->items[i]) < 0)
            g.items[g.nitems++] = apr_pstrdup(t->p, in->items[i]);
    }
    idx = find_grant(grants, role->slug, &g);
    if (idx >= 0 && g.scope != IAM_SCOPE_RESOURCES) {
        if (strict)
            tx_fail(t, IAM_EXISTS, "%s already holds %s on %s", label, role->name,
                    iam_scope_name(g.scope));
        return strict ? NULL : role;
    }
    if (idx >= 0) {
        iam_grant_t *cur = &APR_ARRAY_IDX(grants, idx, iam_grant_t);
        const char **items =
            apr_pcalloc(t->p, sizeof(char *) * (size_t)(cur->nitems + g.nitems + 1));
        int n = cur->nitems, added = 0;
        memcpy(items, cur->items, sizeof(char *) * (size_t)n);
        for (i = 0; i < g.nitems; i++) {
            if (item_index(&(iam_grant_t){0, 0, n, items}, g.items[i]) < 0) {
                items[n++] = g.items[i];
                added++;
            }
        }
        if (!added && strict) {
            tx_fail(t, IAM_EXISTS, "%s already holds %s on those resources", label, role->name);
            return NULL;
        }
        if (n > IAM_MAX_ITEMS) {
            tx_fail(t, IAM_INVALID, "a grant names at most %d resources", IAM_MAX_ITEMS);
            return NULL;
        }
        cur->items = items;
        cur->nitems = n;
    } else if (grants->nelts >= IAM_MAX_GRANTS) {
        tx_fail(t, IAM_INVALID, "%s already holds %d grants, the most one can hold", label,
                IAM_MAX_GRANTS);
        return NULL;
    } else {
        *(iam_grant_t *)apr_array_push(grants) = g;
    }
    return role;
}

/* Loads the grants of a member or group for change; writes them back. */
typedef struct {
    iam_member_t *m;
    iam_group_t *g;
    apr_array_header_t *grants;
    const char *label;  /* "member 'x'" or "group 'y'" */
    const char *before; /* the holder, described before the change */
} holder_t;

static int load_holder(tx_t *t, int group, const char *who, holder_t *h)
{
    memset(h, 0, sizeof(*h));
    if (group) {
        if (tx_group(t, who, &h->g) == 1) {
            h->grants = h->g->grants;
            h->label = apr_psprintf(t->p, "group '%s'", h->g->name);
            h->before = describe_group(t, h->g);
            return 1;
        }
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no group '%s'", who);
        return 0;
    }
    if (tx_member_named(t, who, &h->m) == 1) {
        h->grants = h->m->grants;
        h->label = apr_psprintf(t->p, "member '%s'", h->m->login);
        h->before = describe_member(t, h->m);
        return 1;
    }
    no_member(t, who);
    return 0;
}

static void save_holder(tx_t *t, holder_t *h, const char *action)
{
    if (h->g) {
        put_group(t, h->g);
        audit(t, action, apr_pstrcat(t->p, "group:", h->g->name, NULL), h->before,
              describe_group(t, h->g));
    } else {
        put_member(t, h->m);
        audit(t, action, h->m->login, h->before, describe_member(t, h->m));
    }
}

typedef struct {
    int group;
    const char *who;
    const iam_grant_t *g;
    int whole_role;
} grant_ctx_t;

static void grant_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    grant_ctx_t *c = data;
    const iam_role_t *role;
    holder_t h;

    if (!load_holder(t, c->group, c->who, &h))
        return;
    if (!(role = merge_grant(t, h.grants, c->g, roles, plan, c->group, h.label, 1)))
        return;
    if (role->kind == IAM_ROLE_OWNER)
        set_owner_index(t, h.m->login, 1);
    if (h.m)
        settle_later(t, h.m->login);
    else
        settle_group_later(t, h.g->name);
    save_holder(t, &h, "grant");
}

iam_status_e iam_store_grant(iam_store_t *st, const char *actor, int group, const char *who,
                             const iam_grant_t *g, iam_err_t *err)
{
    grant_ctx_t c = {group, who, g, 0};
    return write_op(st, actor, err, grant_op, &c);
}

static void revoke_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    grant_ctx_t *c = data;
    const iam_role_t *role = iam_roles_find(roles, c->g->role);
    holder_t h;
    int idx, i, removed = 0;

    (void)plan;
    if (!role) {
        tx_fail(t, IAM_INVALID, "unknown role '%s'", c->g->role);
        return;
    }
    if (!c->whole_role && c->g->scope != IAM_SCOPE_ALL && c->g->nitems == 0) {
        tx_fail(t, IAM_INVALID, "name the %s to revoke", iam_scope_name(c->g->scope));
        return;
    }
    if (!load_holder(t, c->group, c->who, &h))
        return;
    if (c->whole_role) {
        for (i = h.grants->nelts - 1; i >= 0; i--) {
            if (!strcmp(APR_ARRAY_IDX(h.grants, i, iam_grant_t).role, role->slug)) {
                remove_grant(h.grants, i);
                removed++;
            }
        }
    } else if ((idx = find_grant(h.grants, role->slug, c->g)) >= 0) {
        iam_grant_t *cur = &APR_ARRAY_IDX(h.grants, idx, iam_grant_t);
        if (c->g->scope == IAM_SCOPE_RESOURCES) {
            const char **items = apr_pcalloc(t->p, sizeof(char *) * (size_t)(cur->nitems + 1));
            int n = 0;
            for (i = 0; i < c->g->nitems; i++) {
                if (item_index(cur, c->g->items[i]) < 0) {
                    tx_fail(t, IAM_NOTFOUND, "%s does not hold %s on resource '%s'", h.label,
                            role->name, c->g->items[i]);
                    return;
                }
            }
            for (i = 0; i < cur->nitems; i++) {
                if (item_index(c->g, cur->items[i]) < 0)
                    items[n++] = cur->items[i];
            }
            cur->items = items;
            cur->nitems = n;
            if (n == 0)
                remove_grant(h.grants, idx);
        } else {
            remove_grant(h.grants, idx);
        }
        removed = 1;
    }
    if (!removed) {
        tx_fail(t, IAM_NOTFOUND, "%s does not hold %s%s%s", h.label, role->name,
                c->whole_role ? "" : " on ", c->whole_role ? "" : iam_scope_name(c->g->scope));
        return;
    }
    if (role->kind == IAM_ROLE_OWNER && h.m) {
        last_owner_check(t, h.m, "demoted");
        owner_lost(t, h.m->login, "is no longer a Workspace Owner");
    }
    if (h.m)
        settle_later(t, h.m->login);
    else
        settle_group_later(t, h.g->name);
    save_holder(t, &h, "revoke");
}

iam_status_e iam_store_revoke(iam_store_t *st, const char *actor, int group, const char *who,
                              const iam_grant_t *g, int whole_role, iam_err_t *err)
{
    grant_ctx_t c = {group, who, g, whole_role};
    return write_op(st, actor, err, revoke_op, &c);
}

typedef struct {
    int group;
    const char *who;
    const iam_grant_t *old, *now;
} edit_ctx_t;

static void grant_edit_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    edit_ctx_t *c = data;
    holder_t h;
    int idx;

    if (strcmp(c->old->role, c->now->role)) {
        tx_fail(t, IAM_INVALID, "an edit keeps the role: remove the grant and add the other role");
        return;
    }
    if (!load_holder(t, c->group, c->who, &h))
        return;
    idx = find_grant(h.grants, c->old->role, c->old);
    if (idx < 0 || (c->old->scope != IAM_SCOPE_ALL &&
                    !same_items(&APR_ARRAY_IDX(h.grants, idx, iam_grant_t), c->old))) {
        tx_fail(t, IAM_STALE, "the grant of %s changed after you saw it: look at it again",
                h.label);
        return;
    }
    remove_grant(h.grants, idx);
    if (!merge_grant(t, h.grants, c->now, roles, plan, c->group, h.label, 1))
        return;
    if (h.m)
        settle_later(t, h.m->login);
    else
        settle_group_later(t, h.g->name);
    save_holder(t, &h, "grant.edit");
}

iam_status_e iam_store_grant_edit(iam_store_t *st, const char *actor, int group, const char *who,
                                  const iam_grant_t *old, const iam_grant_t *now, iam_err_t *err)
{
    edit_ctx_t c = {group, who, old, now};
    return write_op(st, actor, err, grant_edit_op, &c);
}

/* ---- groups ---- */

static iam_group_t *tx_group_create(tx_t *t, const char *name, iam_plan_e plan)
{
    const char *e;
    iam_group_t *g;

    if (!iam_plan_allows_groups(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
        return NULL;
    }
    if ((e = iam_check_group_name(name)) != NULL) {
        tx_fail(t, IAM_INVALID, "group name '%s' %s", name, e);
        return NULL;
    }
    if (tx_group(t, name, &g) != 0) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "group '%s' already exists", name);
        return NULL;
    }
    g = apr_pcalloc(t->p, sizeof(*g));
    g->name = name;
    g->created = (long long)time(NULL);
    g->grants = apr_array_make(t->p, 1, sizeof(iam_grant_t));
    g->members = apr_array_make(t->p, 1, sizeof(const char *));
    put_group(t, g);
    meta_count_add(t, "groups", 1);
    return t->status == IAM_OK ? g : NULL;
}

static void group_create_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *name)
{
    iam_group_t *g;

    (void)roles;
    if ((g = tx_group_create(t, name, plan)) != NULL)
        audit(t, "group.create", apr_pstrcat(t->p, "group:", g->name, NULL), "",
              describe_group(t, g));
}

iam_status_e iam_store_group_create(iam_store_t *st, const char *actor, const char *name,
                                    iam_err_t *err)
{
    return write_op(st, actor, err, group_create_op, (void *)name);
}

static void unlink_member(tx_t *t, const char *login, void *group)
{
    set_link(t, 'm', login, group, 0);
    set_link(t, 'g', group, login, 0);
}

static void group_delete_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *name)
{
    iam_group_t *g;
    const char *before;
    key_t_ k;

    (void)roles;
    (void)plan;
    if (tx_group(t, name, &g) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no group '%s'", (char *)name);
        return;
    }
    before = describe_group(t, g);
    settle_group_later(t, name);
    tx_each_link(t, 'g', name, unlink_member, name);
    move_holder(t, 'g', g->name, targets_of(t->p, g->grants), NULL);
    key_make(&k, 'G', name, NULL);
    tx_del(t, &k);
    meta_count_add(t, "groups", -1);
    audit(t, "group.delete", apr_pstrcat(t->p, "group:", g->name, NULL), before, "");
}

iam_status_e iam_store_group_delete(iam_store_t *st, const char *actor, const char *name,
                                    iam_err_t *err)
{
    return write_op(st, actor, err, group_delete_op, (void *)name);
}

/* Links or unlinks login and group, both sides; strict: a link already in
 * the wanted state is an error. `by_key`: login was read from a link key
 * (folded), not given from outside. Returns the member, or NULL. */
static iam_member_t *tx_group_link(tx_t *t, const char *group, const char *login, int add,
                                   int strict, int by_key)
{
    iam_member_t *m;
    key_t_ k;
    MDB_val v;
    int linked;

    if ((by_key ? tx_member(t, login, &m) : tx_member_named(t, login, &m)) != 1) {
        no_member(t, login);
        return NULL;
    }
    if (key_make(&k, 'm', login, group)) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return NULL;
    }
    if ((linked = tx_get(t, &k, &v)) < 0)
        return NULL;
    if (strict && linked == add) {
        tx_fail(t, add ? IAM_EXISTS : IAM_NOTFOUND, "'%s' is %s in group '%s'", m->login,
                add ? "already" : "not", group);
        return NULL;
    }
    set_link(t, 'm', login, group, add);
    set_link(t, 'g', group, login, add);
    return m;
}

typedef struct {
    const char *name;
    int add;
    const char *const *logins;
    int n;
} members_ctx_t;

static void group_members_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    members_ctx_t *c = data;
    apr_array_header_t *who = apr_array_make(t->p, c->n > 0 ? c->n : 1, sizeof(const char *));
    iam_group_t *g;
    iam_member_t *m;
    int i;

    (void)roles;
    if (c->add && !iam_plan_allows_groups(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
        return;
    }
    if (tx_group(t, c->name, &g) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no group '%s'", c->name);
        return;
    }
    if (c->n == 0)
        tx_fail(t, IAM_INVALID, "name at least one member");
    for (i = 0; i < c->n && t->status == IAM_OK; i++) {
        if ((m = tx_group_link(t, g->name, c->logins[i], c->add, 1, 0)) != NULL) {
            APR_ARRAY_PUSH(who, const char *) = m->login;
            settle_later(t, m->login);
        }
    }
    audit(t, c->add ? "group.add-members" : "group.remove-members",
          apr_pstrcat(t->p, "group:", g->name, NULL), "", apr_array_pstrcat(t->p, who, ','));
}

iam_status_e iam_store_group_members(iam_store_t *st, const char *actor, const char *name, int add,
                                     const char *const *logins, int n, iam_err_t *err)
{
    members_ctx_t c = {name, add, logins, n};
    return write_op(st, actor, err, group_members_op, &c);
}

/* ---- whole records: the console's and the API's writes ---- */

static apr_array_header_t *build_grants(tx_t *t, const apr_array_header_t *in,
                                        const iam_roles_t *roles, iam_plan_e plan, int to_group,
                                        const char *label)
{
    apr_array_header_t *out = apr_array_make(t->p, in->nelts ? in->nelts : 1, sizeof(iam_grant_t));
    int i;

    for (i = 0; i < in->nelts && t->status == IAM_OK; i++)
        merge_grant(t, out, &APR_ARRAY_IDX(in, i, iam_grant_t), roles, plan, to_group, label, 0);
    return out;
}

static int in_names(const apr_array_header_t *names, const char *name)
{
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(names, i, const char *), name))
            return 1;
    }
    return 0;
}

typedef struct {
    const void *spec;
    int create;
} put_ctx_t;

static void member_put_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const iam_member_spec_t *sp = ((put_ctx_t *)data)->spec;
    int create = ((put_ctx_t *)data)->create;
    iam_member_t *m;
    const char *before = "", *label;
    int i, was_owner;

    if (create) {
        if (!(m = tx_member_add(t, sp->login, sp->email && *sp->email ? sp->email : NULL,
                                sp->name && *sp->name ? sp->name : NULL, sp->status, 0)))
            return;
    } else {
        if (!(m = tx_member_must(t, sp->login)))
            return;
        before = describe_member(t, m);
        if (!check_member_fields(t, NULL, sp->email, sp->name))
            return;
        if (sp->email && strcmp(sp->email, m->email))
            set_email(t, m, sp->email);
        if (sp->name)
            m->name = sp->name;
    }
    if (sp->pii >= 0)
        m->pii = sp->pii ? 1 : 0;
    label = apr_psprintf(t->p, "member '%s'", m->login);
    was_owner = is_owner_grants(m->grants);
    if (sp->grants) {
        m->grants = build_grants(t, sp->grants, roles, plan, 0, label);
        if (t->status != IAM_OK)
            return;
        if (was_owner && !is_owner_grants(m->grants)) {
            last_owner_check(t, m, "demoted");
            owner_lost(t, m->login, "is no longer a Workspace Owner");
        } else {
            set_owner_index(t, m->login, is_owner_grants(m->grants));
        }
    }
    put_member(t, m);
    if (sp->grants || sp->groups)
        settle_later(t, m->login);
    if (sp->groups) {
        apr_array_header_t *cur = apr_array_make(t->p, 4, sizeof(const char *));
        iam_group_t *g;
        if (sp->groups->nelts && !iam_plan_allows_groups(plan)) {
            tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
            return;
        }
        tx_each_link(t, 'm', m->login, add_name, cur);
        for (i = 0; i < cur->nelts && t->status == IAM_OK; i++) {
            const char *gk = APR_ARRAY_IDX(cur, i, const char *);
            if (!in_names(sp->groups, gk))
                tx_group_link(t, gk, m->login, 0, 0, 0);
        }
        for (i = 0; i < sp->groups->nelts && t->status == IAM_OK; i++) {
            const char *gname = APR_ARRAY_IDX(sp->groups, i, const char *);
            if (tx_group(t, gname, &g) != 1) {
                if (t->status == IAM_OK)
                    tx_fail(t, IAM_NOTFOUND, "no group '%s'", gname);
                return;
            }
            tx_group_link(t, g->name, m->login, 1, 0, 0);
        }
    }
    audit(t,
          create ? (sp->status == IAM_INVITED ? "member.invite" : "member.add") : "member.update",
          m->login, before, describe_member(t, m));
}

iam_status_e iam_store_member_put(iam_store_t *st, const char *actor, const iam_member_spec_t *spec,
                                  int create, iam_err_t *err)
{
    put_ctx_t ctx = {spec, create};
    return write_op(st, actor, err, member_put_op, &ctx);
}

static void group_put_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const iam_group_spec_t *sp = ((put_ctx_t *)data)->spec;
    int create = ((put_ctx_t *)data)->create;
    iam_group_t *g;
    iam_member_t *m;
    const char *before = "", *label;
    apr_array_header_t *joined = NULL, *left = NULL;
    int i;

    if (create) {
        if (!(g = tx_group_create(t, sp->name, plan)))
            return;
    } else {
        if (!iam_plan_allows_groups(plan)) {
            tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
            return;
        }
        if (tx_group(t, sp->name, &g) != 1) {
            if (t->status == IAM_OK)
                tx_fail(t, IAM_NOTFOUND, "no group '%s'", sp->name);
            return;
        }
        before = describe_group(t, g);
    }
    if (sp->pii >= 0)
        g->pii = sp->pii ? 1 : 0;
    label = apr_psprintf(t->p, "group '%s'", g->name);
    if (sp->grants || sp->members)
        settle_group_later(t, g->name); /* before: who leaves is checked too */
    if (sp->grants)
        g->grants = build_grants(t, sp->grants, roles, plan, 1, label);
    put_group(t, g);
    if (sp->members) {
        apr_array_header_t *cur = apr_array_make(t->p, 4, sizeof(const char *));
        joined = apr_array_make(t->p, 4, sizeof(const char *));
        left = apr_array_make(t->p, 4, sizeof(const char *));
        tx_each_link(t, 'g', g->name, add_name, cur);
        for (i = 0; i < cur->nelts && t->status == IAM_OK; i++) {
            const char *lk = APR_ARRAY_IDX(cur, i, const char *);
            if (!in_names(sp->members, lk) && (m = tx_group_link(t, g->name, lk, 0, 0, 1)))
                APR_ARRAY_PUSH(left, const char *) = m->login;
        }
        for (i = 0; i < sp->members->nelts && t->status == IAM_OK; i++) {
            m = tx_group_link(t, g->name, APR_ARRAY_IDX(sp->members, i, const char *), 1, 0, 0);
            if (m && !in_names(cur, m->login) && !in_names(joined, m->login))
                APR_ARRAY_PUSH(joined, const char *) = m->login;
        }
    }
    if (sp->grants || sp->members)
        settle_group_later(t, g->name); /* after: who joins is checked too */
    audit(t, create ? "group.create" : "group.update", apr_pstrcat(t->p, "group:", g->name, NULL),
          before, describe_group(t, g));
    /* The group's record only counts its members: who joined or left is
     * written as group.add-members would, so the trail names them and its
     * filter by member finds how they got (or lost) the group's access. */
    if (joined && joined->nelts)
        audit(t, "group.add-members", apr_pstrcat(t->p, "group:", g->name, NULL), "",
              apr_array_pstrcat(t->p, joined, ','));
    if (left && left->nelts)
        audit(t, "group.remove-members", apr_pstrcat(t->p, "group:", g->name, NULL), "",
              apr_array_pstrcat(t->p, left, ','));
}

iam_status_e iam_store_group_put(iam_store_t *st, const char *actor, const iam_group_spec_t *spec,
                                 int create, iam_err_t *err)
{
    put_ctx_t ctx = {spec, create};
    return write_op(st, actor, err, group_put_op, &ctx);
}

/* ---- import ---- */

typedef struct {
    iam_plan_e plan;
    apr_array_header_t *members, *groups;
} import_ctx_t;

static void import_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    import_ctx_t *c = data;
    key_t_ k;
    MDB_val v;
    int i, j;

    if (meta_count(t, "members") > 0 || meta_count(t, "groups") > 0 || count_prefix(t, 'M') > 0) {
        tx_fail(t, IAM_EXISTS, "store %s is not empty: import restores into an empty store",
                t->st->dir);
        return;
    }
    /* A plan recorded by a server (IAMPlan) stays; the file must fit it. */
    meta_key(&k, "plan-by");
    if (tx_get(t, &k, &v) == 1) {
        c->plan = plan;
    } else {
        meta_key(&k, "plan");
        tx_put(t, &k, str_val(iam_plan_name(c->plan)));
    }
    for (i = 0; i < c->groups->nelts && t->status == IAM_OK; i++) {
        iam_group_t *in = APR_ARRAY_IDX(c->groups, i, iam_group_t *);
        iam_group_t *g = tx_group_create(t, in->name, c->plan);
        if (!g)
            break;
        g->grants = build_grants(t, in->grants, roles, c->plan, 1,
                                 apr_psprintf(t->p, "group '%s'", g->name));
        g->pii = in->pii;
        if (in->created)
            g->created = in->created;
        put_group(t, g);
    }
    for (i = 0; i < c->members->nelts && t->status == IAM_OK; i++) {
        iam_member_t *in = APR_ARRAY_IDX(c->members, i, iam_member_t *);
        iam_member_t *m = tx_member_add(t, in->login, in->email && *in->email ? in->email : NULL,
                                        in->name && *in->name ? in->name : NULL, in->status, 0);
        if (!m)
            break;
        m->grants = build_grants(t, in->grants, roles, c->plan, 0,
                                 apr_psprintf(t->p, "member '%s'", m->login));
        set_owner_index(t, m->login, is_owner_grants(m->grants));
        m->pii = in->pii;
        if (in->created)
            m->created = in->created;
        put_member(t, m);
        for (j = 0; in->groups && j < in->groups->nelts && t->status == IAM_OK; j++) {
            const char *gname = APR_ARRAY_IDX(in->groups, j, const char *);
            iam_group_t *g;
            if (tx_group(t, gname, &g) != 1) {
                if (t->status == IAM_OK)
                    tx_fail(t, IAM_INVALID,
                            "member '%s' is in group '%s', which the file does not define",
                            m->login, gname);
                break;
            }
            tx_group_link(t, g->name, m->login, 1, 1, 0);
        }
    }
    if (t->status == IAM_OK && count_prefix(t, 'O') == 0 && c->members->nelts > 0)
        tx_fail(t, IAM_LAST_OWNER, "the import has no Workspace Owner");
    audit(t, "import", "", "",
          apr_psprintf(t->p, "%d members, %d groups", c->members->nelts, c->groups->nelts));
}

iam_status_e iam_store_import(iam_store_t *st, const char *actor, iam_plan_e plan,
                              apr_array_header_t *members, apr_array_header_t *groups,
                              iam_err_t *err)
{
    import_ctx_t c = {plan, members, groups};
    return write_op(st, actor, err, import_op, &c);
}

/* ---- the workspace secret ---- */

static void secret_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *out)
{
    key_t_ k;
    MDB_val v;

    (void)roles;
    (void)plan;
    meta_key(&k, "secret");
    if (tx_get(t, &k, &v) == 1 && v.mv_size == 32) {
        memcpy(out, v.mv_data, 32); /* another process made it first */
        return;
    }
    if (apr_generate_random_bytes(out, 32) != APR_SUCCESS) {
        tx_fail(t, IAM_ERROR, "no random bytes for the workspace secret");
        return;
    }
    tx_put(t, &k, (MDB_val){32, out});
}

iam_status_e iam_store_secret(iam_store_t *st, unsigned char out[32], iam_err_t *err)
{
    apr_pool_t *p;
    tx_t t;
    key_t_ k;
    MDB_val v;
    int have = 0;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, 0, p, err) == IAM_OK) {
        meta_key(&k, "secret");
        if (tx_get(&t, &k, &v) == 1 && v.mv_size == 32) {
            memcpy(out, v.mv_data, 32);
            have = 1;
        }
        tx_done(&t);
    }
    apr_pool_destroy(p);
    if (t.status != IAM_OK || have)
        return t.status;
    return write_op(st, "system", err, secret_op, out);
}

/* ---- access requests: writes and reads ---- */

/* The request of `login` for `suffix` among the open ('R') or the answered
 * ('r') ones: 1 found (*k its key), 0 not, -1 failed. */
static int tx_request_in(tx_t *t, char family, const char *login, const char *suffix, key_t_ *k,
                         iam_request_t **out)
{
    MDB_val v;
    int found;

    *out = NULL;
    if (key_make(k, family, login, suffix)) {
        tx_fail(t, IAM_INVALID, "the request is too long");
        return -1;
    }
    if ((found = tx_get(t, k, &v)) != 1)
        return found;
    if (!(*out = decode_request(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: an access request is damaged", t->st->dir);
        return -1;
    }
    return 1;
}

/* Ends the open request q (at key k): it moves to the answered ones, with
 * how and by whom it ended. */
static void end_request(tx_t *t, key_t_ *k, iam_request_t *q, iam_request_status_e how)
{
    key_t_ to;

    q->status = how;
    q->answered = (long long)time(NULL);
    q->answered_by = t->actor ? t->actor : "";
    tx_del(t, k);
    if (key_make(&to, 'r', q->login, request_suffix(t->p, q->type, q->name))) {
        tx_fail(t, IAM_INVALID, "the request is too long");
        return;
    }
    tx_put(t, &to, encode_request(t->p, q));
}

static const char *request_text(apr_pool_t *p, const iam_request_t *q)
{
    return apr_psprintf(p, "%s %s %s (revision %u)", iam_level_name(q->level), q->type, q->name,
                        q->rev);
}

/* Whether the subject now has the access q asks for, as the decision
 * would find on the resource as it was when refused. */
static int request_met(const tx_t *t, const iam_subject_t *s, const iam_request_t *q)
{
    iam_resource_t res = {q->type, strcmp(q->name, "*") ? q->name : NULL, q->nlabels, q->labels};

    if (iam_type_owners_only(q->type))
        return s->owner;
    return iam_policy_decide(t->roles, t->plan, s->sets, s->nsets, &res, q->level).allow;
}

/* Deletes every request of a login that is no member any more. */
static void drop_requests(tx_t *t, const char *login, const apr_array_header_t *open,
                          const apr_array_header_t *answered)
{
    int i;

    for (i = 0; i < open->nelts; i++)
        set_link(t, 'R', login, APR_ARRAY_IDX(open, i, const char *), 0);
    for (i = 0; i < answered->nelts; i++)
        set_link(t, 'r', login, APR_ARRAY_IDX(answered, i, const char *), 0);
}

/* At commit, for every member whose permissions changed: each open
 * request that the change satisfies ends (IAM_REQUEST_GRANTED, audited);
 * the others stay. The requests of a login that is no member go. */
static void settle_requests(tx_t *t)
{
    apr_pool_t *outer = t->p, *scratch;
    apr_hash_index_t *hi;

    if (!t->settle || !t->roles || t->status != IAM_OK)
        return;
    apr_pool_create(&scratch, outer);
    for (hi = apr_hash_first(outer, t->settle); hi && t->status == IAM_OK; hi = apr_hash_next(hi)) {
        const char *login = apr_hash_this_key(hi);
        apr_array_header_t *open, *answered;
        iam_subject_t subj;
        iam_request_t *q;
        key_t_ k;
        int i, found;

        t->p = scratch; /* a group of 100,000 members must not keep them all */
        open = apr_array_make(scratch, 4, sizeof(const char *));
        answered = apr_array_make(scratch, 4, sizeof(const char *));
        tx_each_link(t, 'R', login, add_name, open);
        tx_each_link(t, 'r', login, add_name, answered);
        if (open->nelts || answered->nelts) {
            if ((found = tx_subject(t, login, t->roles, &subj)) == 0)
                drop_requests(t, login, open, answered);
            for (i = 0; found == 1 && i < open->nelts && t->status == IAM_OK; i++) {
                if (tx_request_in(t, 'R', login, APR_ARRAY_IDX(open, i, const char *), &k, &q) ==
                        1 &&
                    request_met(t, &subj, q)) {
                    end_request(t, &k, q, IAM_REQUEST_GRANTED);
                    audit(t, "request.granted", subj.member->login, request_text(t->p, q), "");
                }
            }
        }
        t->p = outer;
        apr_pool_clear(scratch);
    }
    t->p = outer;
    t->settle = NULL;
    apr_pool_destroy(scratch);
}

/* Forgets a member's answered requests older than IAM_REQUEST_KEEP_DAYS. */
static void prune_answered(tx_t *t, const char *login, long long now)
{
    apr_array_header_t *keys = apr_array_make(t->p, 4, sizeof(const char *));
    iam_request_t *q;
    key_t_ k;
    int i;

    tx_each_link(t, 'r', login, add_name, keys);
    for (i = 0; i < keys->nelts && t->status == IAM_OK; i++) {
        if (tx_request_in(t, 'r', login, APR_ARRAY_IDX(keys, i, const char *), &k, &q) == 1 &&
            q->answered + IAM_REQUEST_KEEP_DAYS * 86400LL < now)
            tx_del(t, &k);
    }
}

typedef struct {
    const iam_request_t *req;
    int max_open;
    iam_request_change_e *change;
} request_ctx_t;

/* A change of level is mailed to every owner: at most one a minute, so a
 * member cannot flood them. */
#define REQUEST_LEVEL_EVERY 60

static void request_put_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    request_ctx_t *c = data;
    const iam_request_t *in = c->req;
    iam_request_t q = *in, *old = NULL, *ended = NULL;
    iam_member_t *m;
    const char *suffix, *e;
    key_t_ k, rk;
    int i;

    (void)roles;
    (void)plan;
    if (!(m = tx_member_must(t, in->login)))
        return;
    if ((e = iam_check_resource_type(in->type)) ||
        (strcmp(in->name, "*") && *in->name && (e = iam_check_resource_name(in->name)))) {
        tx_fail(t, IAM_INVALID, "the resource %s", e);
        return;
    }
    if ((e = iam_check_message(in->message, IAM_REQUEST_MESSAGE_MAX))) {
        tx_fail(t, IAM_INVALID, "the message %s", e);
        return;
    }
    if ((e = iam_check_text(in->path, 1024))) {
        tx_fail(t, IAM_INVALID, "the path %s", e);
        return;
    }
    if (in->level < IAM_LEVEL_READ || in->level > IAM_LEVEL_ADMIN) {
        tx_fail(t, IAM_INVALID, "the level is not read, edit or admin");
        return;
    }
    if (in->nlabels < 0 || in->nlabels > REQUEST_LABELS_MAX) {
        tx_fail(t, IAM_INVALID, "the resource has more than %d labels", REQUEST_LABELS_MAX);
        return;
    }
    for (i = 0; i < in->nlabels; i++) {
        if ((e = iam_check_label(in->labels[i]))) {
            tx_fail(t, IAM_INVALID, "a label of the resource %s", e);
            return;
        }
    }
    q.login = m->login;
    q.name = *in->name ? in->name : "*";
    q.time = (long long)time(NULL);
    prune_answered(t, m->login, q.time);
    suffix = request_suffix(t->p, in->type, in->name);
    if (tx_request_in(t, 'R', m->login, suffix, &k, &old) < 0 ||
        (!old && tx_request_in(t, 'r', m->login, suffix, &rk, &ended) < 0))
        return;
    q.status = IAM_REQUEST_OPEN;
    q.answered = 0;
    q.answered_by = q.granted_role = "";
    q.granted_all = 0;
    q.level_time = old ? old->level_time : 0;
    q.audit_time = old ? old->audit_time : 0;
    /* every change is a new revision (an approval names the one it saw),
     * asking again after an answer too; the last one stays, should a
     * request ever change 4 billion times */
    if (old || ended) {
        unsigned was = old ? old->rev : ended->rev;
        q.rev = was < REQUEST_REV_MAX ? was + 1 : was;
    } else {
        q.rev = 1;
    }
    if (!old) {
        apr_array_header_t *open = apr_array_make(t->p, 4, sizeof(const char *));
        tx_each_link(t, 'R', m->login, add_name, open);
        if (open->nelts >= c->max_open) {
            tx_fail(t, IAM_INVALID,
                    "%d access requests are already waiting for an owner; wait for an answer "
                    "before asking again",
                    open->nelts);
            return;
        }
        if (ended)
            tx_del(t, &rk); /* asked again after an answer: open anew */
        *c->change = IAM_REQUEST_NEW;
    } else if (old->level != in->level) {
        if (old->level_time && old->level_time + REQUEST_LEVEL_EVERY > q.time) {
            tx_fail(t, IAM_INVALID,
                    "this request changed its level less than a minute ago: wait a minute before "
                    "asking for %s access instead of %s",
                    iam_level_name(in->level), iam_level_name(old->level));
            return;
        }
        q.level_time = q.time;
        *c->change = IAM_REQUEST_LEVEL;
    } else if (strcmp(old->message, in->message)) {
        *c->change = IAM_REQUEST_MESSAGE;
    } else {
        return; /* asked again, as it was: nothing to write */
    }
    /* a new request and every change of level are audited; a new message
     * at most once a minute, so a loop cannot fill the store */
    if (*c->change != IAM_REQUEST_MESSAGE || q.audit_time + 60 <= q.time) {
        q.audit_time = q.time;
        audit(t,
              *c->change == IAM_REQUEST_NEW     ? "request.open"
              : *c->change == IAM_REQUEST_LEVEL ? "request.level"
                                                : "request.update",
              m->login, old ? request_text(t->p, old) : "",
              apr_psprintf(t->p, "%s: %s", request_text(t->p, &q), q.message));
    }
    tx_put(t, &k, encode_request(t->p, &q)); /* an update overwrites: no growth */
}

iam_status_e iam_store_request_put(iam_store_t *st, const char *actor, const iam_request_t *req,
                                   int max_open, iam_request_change_e *change, iam_err_t *err)
{
    request_ctx_t c = {req, max_open, change};
    iam_status_e rc;

    *change = IAM_REQUEST_SAME;
    if ((rc = write_op(st, actor, err, request_put_op, &c)) != IAM_OK)
        *change = IAM_REQUEST_SAME;
    return rc;
}

/* The open request of member m for type:name: 1 found (*k its key), 0 not
 * (failed as IAM_NOTFOUND), -1 failed. */
static int tx_request(tx_t *t, const iam_member_t *m, const char *type, const char *name,
                      key_t_ *k, iam_request_t **out)
{
    const char *suffix = request_suffix(t->p, type, name);
    int found = tx_request_in(t, 'R', m->login, suffix, k, out);

    if (found == 0)
        tx_fail(t, IAM_NOTFOUND, "no open request of '%s' for %s", m->login, suffix);
    return found;
}

iam_status_e iam_store_request_get(iam_store_t *st, apr_pool_t *p, const char *login,
                                   const char *type, const char *name, iam_request_t **out,
                                   iam_err_t *err)
{
    iam_member_t *m;
    key_t_ k;
    tx_t t;

    *out = NULL;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_member_named(&t, login, &m) == 1)
        tx_request(&t, m, type, name, &k, out);
    else
        no_member(&t, login);
    return tx_done(&t);
}

typedef struct {
    const iam_approval_t *a; /* NULL: dismiss */
    const char *login, *type, *name;
    apr_pool_t *p; /* where *out goes */
    iam_request_t **out;
} answer_ctx_t;

/* A copy of q in pool p (the transaction's pool goes with it). */
static iam_request_t *request_copy(apr_pool_t *p, apr_pool_t *scratch, const iam_request_t *q)
{
    MDB_val v = encode_request(scratch, q);
    return decode_request(p, &v);
}

static void request_answer_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    answer_ctx_t *c = data;
    const iam_approval_t *a = c->a;
    iam_request_t *q;
    iam_member_t *m;
    iam_grant_t g;
    const char *item[2], *why, *before;
    const iam_role_t *role;
    key_t_ k;

    if (!(m = tx_member_must(t, c->login)))
        return;
    if (tx_request(t, m, c->type, c->name, &k, &q) != 1)
        return;
    if (!a) {
        end_request(t, &k, q, IAM_REQUEST_DISMISSED);
        audit(t, "request.dismiss", m->login, request_text(t->p, q), "");
    } else {
        if (a->rev != q->rev) {
            tx_fail(t, IAM_STALE,
                    "the request of '%s' changed after you saw it: it now asks for %s access "
                    "(revision %u, you saw %u); look at it again before answering",
                    m->login, iam_level_name(q->level), q->rev, a->rev);
            return;
        }
        if (!(role = iam_policy_approval(roles, plan, q->type, q->name, q->level, a->role,
                                         a->scope, &g, item, &why))) {
            tx_fail(t, a->role ? IAM_INVALID : IAM_PLAN, "cannot approve %s access to %s %s: %s",
                    iam_level_name(q->level), q->type, q->name, why);
            return;
        }
        if (role->kind == IAM_ROLE_OWNER && !a->owner_confirmed) {
            tx_fail(t, IAM_INVALID,
                    "approving this request makes '%s' a Workspace Owner, with every right in "
                    "the workspace: confirm that first",
                    m->login);
            return;
        }
        before = describe_member(t, m);
        if (!merge_grant(t, m->grants, &g, roles, plan, 0, m->login, 0))
            return;
        if (role->kind == IAM_ROLE_OWNER)
            set_owner_index(t, m->login, 1);
        put_member(t, m);
        q->granted_role = role->slug;
        q->granted_all = g.scope == IAM_SCOPE_ALL;
        end_request(t, &k, q, IAM_REQUEST_APPROVED);
        settle_later(t, m->login); /* the grant may answer others of theirs too */
        audit(t, "request.approve", m->login,
              apr_psprintf(t->p, "%s; asked: %s", before, request_text(t->p, q)),
              describe_member(t, m));
    }
    if (c->out && t->status == IAM_OK)
        *c->out = request_copy(c->p, t->p, q);
}

iam_status_e iam_store_request_approve(iam_store_t *st, const char *actor, const iam_approval_t *a,
                                       apr_pool_t *p, iam_request_t **out, iam_err_t *err)
{
    answer_ctx_t c = {a, a->login, a->type, a->name, p, out};

    if (out)
        *out = NULL;
    return write_op(st, actor, err, request_answer_op, &c);
}

iam_status_e iam_store_request_dismiss(iam_store_t *st, const char *actor, const char *login,
                                       const char *type, const char *name, apr_pool_t *p,
                                       iam_request_t **out, iam_err_t *err)
{
    answer_ctx_t c = {NULL, login, type, name, p, out};

    if (out)
        *out = NULL;
    return write_op(st, actor, err, request_answer_op, &c);
}

static int list_request(tx_t *t, const MDB_val *v, void *data)
{
    iam_request_t *q = decode_request(t->p, v);

    if (!q) {
        tx_fail(t, IAM_CORRUPT, "store %s: an access request is damaged", t->st->dir);
        return 0;
    }
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_request_t *) = q;
    return 1;
}

/* Appends the member's requests of one family to out; answered ones
 * since `since` only. */
static void list_member_requests(tx_t *t, char family, const char *login, long long since,
                                 apr_array_header_t *out)
{
    apr_array_header_t *keys = apr_array_make(t->p, 4, sizeof(const char *));
    iam_request_t *q;
    key_t_ k;
    int i;

    tx_each_link(t, family, login, add_name, keys);
    for (i = 0; i < keys->nelts && t->status == IAM_OK; i++) {
        if (tx_request_in(t, family, login, APR_ARRAY_IDX(keys, i, const char *), &k, &q) == 1 &&
            (!q->answered || q->answered >= since))
            APR_ARRAY_PUSH(out, iam_request_t *) = q;
    }
}

iam_status_e iam_store_request_list(iam_store_t *st, apr_pool_t *p, const char *login,
                                    apr_array_header_t **out, iam_err_t *err)
{
    iam_member_t *m;
    tx_t t;

    *out = apr_array_make(p, 8, sizeof(iam_request_t *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (!login)
        tx_each_record(&t, 'R', list_request, *out);
    else if (tx_member_named(&t, login, &m) == 1) /* else: no member (as logins match) */
        list_member_requests(&t, 'R', login, 0, *out);
    return tx_done(&t);
}

static long long request_when(const iam_request_t *q)
{
    return q->answered > q->time ? q->answered : q->time;
}

static int cmp_recent(const void *a, const void *b)
{
    long long x = request_when(*(iam_request_t *const *)a),
              y = request_when(*(iam_request_t *const *)b);
    return x < y ? 1 : x > y ? -1 : 0;
}

iam_status_e iam_store_request_history(iam_store_t *st, apr_pool_t *p, const char *login,
                                       apr_array_header_t **out, iam_err_t *err)
{
    long long since = (long long)time(NULL) - IAM_REQUEST_KEEP_DAYS * 86400LL;
    iam_member_t *m;
    tx_t t;

    *out = apr_array_make(p, 8, sizeof(iam_request_t *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_member_named(&t, login, &m) == 1) {
        list_member_requests(&t, 'R', login, 0, *out);
        list_member_requests(&t, 'r', login, since, *out);
    }
    if (t.status == IAM_OK)
        qsort((*out)->elts, (size_t)(*out)->nelts, sizeof(iam_request_t *), cmp_recent);
    return tx_done(&t);
}

static void add_owner(tx_t *t, const char *login, void *data)
{
    iam_member_t *m;

    if (tx_member(t, login, &m) == 1)
        APR_ARRAY_PUSH((apr_array_header_t *)data, iam_member_t *) = m;
}

iam_status_e iam_store_owners(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                              iam_err_t *err)
{
    apr_array_header_t *logins;
    MDB_cursor *c;
    MDB_val kv = {1, "O"}, v;
    tx_t t;
    int rc, i;

    *out = apr_array_make(p, 4, sizeof(iam_member_t *));
    logins = apr_array_make(p, 4, sizeof(const char *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_rc(&t, mdb_cursor_open(t.txn, st->dbi, &c)) != IAM_OK)
        return tx_done(&t);
    for (rc = mdb_cursor_get(c, &kv, &v, MDB_SET_RANGE);
         rc == MDB_SUCCESS && kv.mv_size > 1 && *(char *)kv.mv_data == 'O';
         rc = mdb_cursor_get(c, &kv, &v, MDB_NEXT))
        APR_ARRAY_PUSH(logins, const char *) =
            apr_pstrmemdup(p, (char *)kv.mv_data + 1, kv.mv_size - 1);
    mdb_cursor_close(c);
    for (i = 0; i < logins->nelts && t.status == IAM_OK; i++)
        add_owner(&t, APR_ARRAY_IDX(logins, i, const char *), *out);
    return tx_done(&t);
}

/* ---- arrivals: invitations claimed by email, just-in-time members ---- */

typedef struct {
    const char *login, *email, *name;
    int provision;
    iam_arrive_e *what;
} arrive_ctx_t;

/* Moves invited member `m` to login `login`: record, group links, owner
 * index, email index; the invitation's requests go. */
static iam_member_t *rekey_member(tx_t *t, iam_member_t *m, const char *login)
{
    apr_array_header_t *groups = apr_array_make(t->p, 4, sizeof(const char *));
    const char *old = m->login;
    key_t_ k, lk;
    MDB_val v;
    int i, owner;

    mark_dirty(t, old); /* before the change: its index entries move to the new login */
    tx_each_link(t, 'm', old, add_name, groups);
    key_make(&k, 'O', old, NULL);
    owner = tx_get(t, &k, &v) == 1;
    settle_later(t, old);
    for (i = 0; i < groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(groups, i, const char *);
        set_link(t, 'm', old, g, 0);
        set_link(t, 'g', g, old, 0);
        set_link(t, 'm', login, g, 1);
        set_link(t, 'g', g, login, 1);
    }
    if (owner) {
        owner_lost(t, old, "was an invitation another login took up");
        set_owner_index(t, login, 1);
    }
    key_make(&k, 'M', old, NULL);
    tx_del(t, &k);
    m->login = login;
    if (m->email[0] && !key_make(&k, 'E', m->email, NULL)) {
        key_make(&lk, 'E', login, NULL);
        tx_put(t, &k, (MDB_val){lk.n - 1, lk.b + 1});
    }
    return m;
}

static void arrive_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    arrive_ctx_t *c = data;
    iam_member_t *m;
    key_t_ k;
    MDB_val v;
    int found;

    (void)roles;
    *c->what = IAM_ARRIVE_NONE;
    if ((found = tx_member(t, c->login, &m)) != 0) {
        /* already a member (another request got here first), or an error;
         * or a login that only differs in case from a member's, which
         * logins matched exactly can never admit */
        if (found == 1 && !t->st->fold && strcmp(m->login, c->login))
            tx_fail(t, IAM_EXISTS, "login '%s' differs only in case from the member '%s'",
                    c->login, m->login);
        return;
    }
    if (c->email && *c->email && !iam_check_email(c->email) && !key_make(&k, 'E', c->email, NULL) &&
        tx_get(t, &k, &v) == 1) {
        char *owner_login = apr_pstrmemdup(t->p, v.mv_data, v.mv_size);
        if (tx_member(t, owner_login, &m) == 1 && m->status == IAM_INVITED) {
            const char *before = describe_member(t, m);
            if (iam_check_login(c->login)) {
                tx_fail(t, IAM_INVALID, "login '%s' %s", c->login, iam_check_login(c->login));
                return;
            }
            m = rekey_member(t, m, apr_pstrdup(t->p, c->login));
            m->status = IAM_ACTIVE;
            m->last_seen = (long long)time(NULL);
            if (!*m->name && c->name && !iam_check_text(c->name, 128))
                m->name = c->name;
            put_member(t, m);
            *c->what = IAM_ARRIVE_CLAIMED;
            audit(t, "member.activate", m->login, before, describe_member(t, m));
            return;
        }
    }
    if (!c->provision)
        return;
    if (!iam_plan_allows_groups(plan)) { /* business only, as the directive */
        tx_fail(t, IAM_PLAN, "the %s plan has no just-in-time provisioning", iam_plan_name(plan));
        return;
    }
    /* an email already taken (or not an email) is left out, never an error */
    if (c->email && (iam_check_email(c->email) ||
                     (!key_make(&k, 'E', c->email, NULL) && tx_get(t, &k, &v) == 1)))
        c->email = NULL;
    if (c->name && iam_check_text(c->name, 128))
        c->name = NULL;
    if (!(m = tx_member_add(t, c->login, c->email, c->name, IAM_ACTIVE, 0)))
        return;
    m->last_seen = (long long)time(NULL);
    m->provisioned = 1;
    put_member(t, m);
    *c->what = IAM_ARRIVE_PROVISIONED;
    audit(t, "member.provision", m->login, "", describe_member(t, m));
}

iam_status_e iam_store_member_arrive(iam_store_t *st, const char *login, const char *email,
                                     const char *name, int provision, iam_arrive_e *what,
                                     iam_err_t *err)
{
    arrive_ctx_t c = {login, email, name, provision, what};

    *what = IAM_ARRIVE_NONE;
    return write_op(st, "system", err, arrive_op, &c);
}

/* ---- API tokens: 'T' id -> record; the secret only as SHA-256 ---- */

#define TOKEN_ID_HEX 12
#define TOKEN_SECRET_HEX 40

static void hex(char *out, const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

#define TOKEN_FORMAT 2 /* 2 added when it died, and why; 1 is still read */

static MDB_val encode_token(apr_pool_t *p, const iam_token_t *tk, const unsigned char hash[32])
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, TOKEN_FORMAT);
    w_str(&w, tk->id);
    w_str(&w, tk->description);
    w_str(&w, tk->creator);
    w_str(&w, tk->owner);
    w_u64(&w, (unsigned long long)tk->created);
    w_u64(&w, (unsigned long long)tk->last_used);
    w_u64(&w, (unsigned long long)tk->dead);
    w_str(&w, tk->dead_why ? tk->dead_why : "");
    w_need(&w, 32);
    memcpy(w.d + w.n, hash, 32);
    w.n += 32;
    return w_val(&w);
}

static iam_token_t *decode_token(apr_pool_t *p, const MDB_val *v, unsigned char hash[32])
{
    rbuf_t r = r_open(p, v);
    iam_token_t *tk = apr_pcalloc(p, sizeof(*tk));
    unsigned fmt = r_u8(&r);

    if (fmt != 1 && fmt != TOKEN_FORMAT)
        return NULL;
    tk->id = r_str(&r);
    tk->description = r_str(&r);
    tk->creator = r_str(&r);
    tk->owner = r_str(&r);
    tk->created = (long long)r_u64(&r);
    tk->last_used = (long long)r_u64(&r);
    tk->dead_why = "";
    if (fmt == TOKEN_FORMAT) {
        tk->dead = (long long)r_u64(&r);
        tk->dead_why = r_str(&r);
    }
    if (r.bad || r.n - r.off != 32)
        return NULL;
    memcpy(hash, r.d + r.off, 32);
    return tk;
}

typedef struct {
    const char *owner;
    const char *description;
    apr_pool_t *out_pool;
    const char **token;
    iam_token_t **out;
} token_ctx_t;

static void token_create_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    token_ctx_t *c = data;
    unsigned char idb[TOKEN_ID_HEX / 2], secret[TOKEN_SECRET_HEX / 2], hash[32];
    char idhex[TOKEN_ID_HEX + 1], sechex[TOKEN_SECRET_HEX + 1];
    iam_token_t *tk = apr_pcalloc(c->out_pool, sizeof(*tk));
    const char *e;
    key_t_ k;

    key_t_ ok;
    MDB_val ov;

    (void)roles;
    (void)plan;
    if ((e = iam_check_text(c->description, 200))) {
        tx_fail(t, IAM_INVALID, "the description %s", e);
        return;
    }
    if (!c->owner || key_make(&ok, 'O', c->owner, NULL) || tx_get(t, &ok, &ov) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_INVALID, "only a Workspace Owner's tokens can be made");
        return;
    }
    if (apr_generate_random_bytes(idb, sizeof(idb)) != APR_SUCCESS ||
        apr_generate_random_bytes(secret, sizeof(secret)) != APR_SUCCESS) {
        tx_fail(t, IAM_ERROR, "no random bytes for a token");
        return;
    }
    hex(idhex, idb, sizeof(idb));
    hex(sechex, secret, sizeof(secret));
    tk->id = apr_pstrcat(c->out_pool, "tok_", idhex, NULL);
    tk->description = apr_pstrdup(c->out_pool, c->description);
    tk->creator = apr_pstrdup(c->out_pool, t->actor);
    tk->owner = apr_pstrdup(c->out_pool, c->owner);
    tk->created = (long long)time(NULL);
    SHA256((const unsigned char *)sechex, strlen(sechex), hash);
    key_make(&k, 'T', tk->id, NULL);
    tx_put(t, &k, encode_token(t->p, tk, hash));
    audit(t, "token.create", tk->id, "", tk->description);
    *c->token = apr_pstrcat(c->out_pool, tk->id, ".", sechex, NULL);
    *c->out = tk;
}

iam_status_e iam_store_token_create(iam_store_t *st, const char *actor, const char *owner,
                                    const char *description, apr_pool_t *p, const char **token,
                                    iam_token_t **out, iam_err_t *err)
{
    token_ctx_t c = {owner, description, p, token, out};

    *token = NULL;
    *out = NULL;
    return write_op(st, actor, err, token_create_op, &c);
}

static int list_token(tx_t *t, const MDB_val *v, void *data)
{
    unsigned char hash[32];
    iam_token_t *tk = decode_token(t->p, v, hash);

    if (!tk) {
        tx_fail(t, IAM_CORRUPT, "store %s: a token record is damaged", t->st->dir);
        return 0;
    }
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_token_t *) = tk;
    return 1;
}

iam_status_e iam_store_token_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err)
{
    return list_records(st, p, 'T', list_token, out, err);
}

static void token_revoke_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *id)
{
    key_t_ k;
    MDB_val v;

    (void)roles;
    (void)plan;
    if (key_make(&k, 'T', id, NULL) || tx_get(t, &k, &v) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no token '%s'", (char *)id);
        return;
    }
    tx_del(t, &k);
    audit(t, "token.revoke", id, "", "");
}

iam_status_e iam_store_token_revoke(iam_store_t *st, const char *actor, const char *id,
                                    iam_err_t *err)
{
    return write_op(st, actor, err, token_revoke_op, (void *)id);
}

static void token_used_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *id)
{
    unsigned char hash[32];
    iam_token_t *tk;
    key_t_ k;
    MDB_val v;

    (void)roles;
    (void)plan;
    if (key_make(&k, 'T', id, NULL) || tx_get(t, &k, &v) != 1 ||
        !(tk = decode_token(t->p, &v, hash)))
        return; /* revoked meanwhile: nothing to record */
    tk->last_used = (long long)time(NULL);
    tx_put(t, &k, encode_token(t->p, tk, hash));
}

typedef struct {
    const char *owner;
    apr_array_header_t *keys; /* const char *: ids of the owner's live tokens */
} owner_tokens_t;

static int find_owner_token(tx_t *t, const MDB_val *v, void *data)
{
    owner_tokens_t *c = data;
    unsigned char hash[32];
    iam_token_t *tk = decode_token(t->p, v, hash);

    if (!tk) {
        tx_fail(t, IAM_CORRUPT, "store %s: a token record is damaged", t->st->dir);
        return 0;
    }
    if (!tk->dead && !strcasecmp(tk->owner, c->owner))
        APR_ARRAY_PUSH(c->keys, const char *) = tk->id;
    return 1;
}

/* Every live token of `login` dies for good, `why` ("its owner 'x' WHY"). */
static void kill_tokens(tx_t *t, const char *login, const char *why)
{
    owner_tokens_t c = {login, apr_array_make(t->p, 4, sizeof(const char *))};
    unsigned char hash[32];
    iam_token_t *tk;
    key_t_ k;
    MDB_val v;
    int i;

    tx_each_record(t, 'T', find_owner_token, &c);
    for (i = 0; i < c.keys->nelts && t->status == IAM_OK; i++) {
        const char *id = APR_ARRAY_IDX(c.keys, i, const char *);
        if (key_make(&k, 'T', id, NULL) || tx_get(t, &k, &v) != 1 ||
            !(tk = decode_token(t->p, &v, hash)))
            continue;
        tk->dead = (long long)time(NULL);
        tk->dead_why = apr_psprintf(t->p, "its owner '%s' %s", tk->owner, why);
        tx_put(t, &k, encode_token(t->p, tk, hash));
        audit(t, "token.die", tk->id, "", tk->dead_why);
    }
}

/* `login` is no longer a Workspace Owner: out of the owner index, and
 * every token that carried their authority dies for good. */
static void owner_lost(tx_t *t, const char *login, const char *why)
{
    set_owner_index(t, login, 0);
    kill_tokens(t, login, why);
}

/* The live token whose whole text is `token`, or IAM_NOTFOUND (why in err). */
static iam_status_e token_find(iam_store_t *st, apr_pool_t *p, const char *token,
                               iam_token_t **out, iam_err_t *err)
{
    unsigned char want[32], got[32];
    const char *dot = token ? strchr(token, '.') : NULL;
    const char *id;
    iam_token_t *tk = NULL;
    key_t_ k;
    MDB_val v;
    tx_t t;
    size_t i;
    int diff = 0, owner_gone = 0;

    *out = NULL;
    if (!dot || dot - token != 4 + TOKEN_ID_HEX || strncmp(token, "tok_", 4) ||
        strlen(dot + 1) != TOKEN_SECRET_HEX)
        return fail(err, IAM_NOTFOUND, "malformed token");
    for (i = 4; token + i < dot; i++) {
        if (!isxdigit((unsigned char)token[i]))
            return fail(err, IAM_NOTFOUND, "malformed token");
    }
    id = apr_pstrmemdup(p, token, (apr_size_t)(dot - token));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    key_make(&k, 'T', id, NULL);
    if (tx_get(&t, &k, &v) == 1 && (tk = decode_token(p, &v, want)) != NULL) {
        /* a token carries its owner's authority: not a day longer, and
         * only the very member who made it (active, the login as spelt) */
        iam_member_t *m;
        key_t_ ok;
        MDB_val ov;
        if (key_make(&ok, 'O', tk->owner, NULL) || tx_get(&t, &ok, &ov) != 1 ||
            tx_member_named(&t, tk->owner, &m) != 1 || m->status != IAM_ACTIVE)
            owner_gone = 1;
    }
    tx_done(&t);
    if (t.status != IAM_OK)
        return t.status;
    if (!tk)
        return fail(err, IAM_NOTFOUND, "unknown or revoked token %s", id);
    if (tk->dead)
        return fail(err, IAM_NOTFOUND, "token %s is dead: %s", id, tk->dead_why);
    if (owner_gone)
        return fail(err, IAM_NOTFOUND, "token %s belongs to '%s', no longer a Workspace Owner", id,
                    tk->owner);
    SHA256((const unsigned char *)(dot + 1), strlen(dot + 1), got);
    for (i = 0; i < 32; i++)
        diff |= want[i] ^ got[i];
    if (diff)
        return fail(err, IAM_NOTFOUND, "wrong secret for token %s", id);
    *out = tk;
    return IAM_OK;
}

iam_status_e iam_store_token_check(iam_store_t *st, apr_pool_t *p, const char *token,
                                   iam_token_t **out, iam_err_t *err)
{
    iam_status_e rc = token_find(st, p, token, out, err);

    if (rc == IAM_OK && (*out)->last_used + 60 < (long long)time(NULL))
        write_op(st, "system", NULL, token_used_op, (void *)(*out)->id);
    return rc;
}

int iam_store_token_matches(iam_store_t *st, apr_pool_t *p, const char *token)
{
    iam_token_t *tk;
    iam_err_t err;

    return token_find(st, p, token, &tk, &err) == IAM_OK;
}

int iam_store_invited_email(iam_store_t *st, apr_pool_t *p, const char *email)
{
    iam_member_t *m;
    key_t_ k;
    MDB_val v;
    tx_t t;
    int invited = 0;

    if (!email || key_make(&k, 'E', email, NULL) || tx_begin(&t, st, 0, p, NULL) != IAM_OK)
        return 0;
    if (tx_get(&t, &k, &v) == 1 && tx_member(&t, apr_pstrmemdup(p, v.mv_data, v.mv_size), &m) == 1)
        invited = m->status == IAM_INVITED;
    tx_done(&t);
    return invited;
}

/* ---- verify: every record and every cross-reference ---- */

static void problem(iam_verify_t *out, apr_pool_t *p, const char *fmt, ...)
{
    va_list ap;

    out->nproblems++;
    if (out->problems->nelts >= IAM_VERIFY_MAX)
        return;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(out->problems, const char *) = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
}

/* Whether `type` a 0x00 b exists. */
static int has_key(tx_t *t, char type, const char *a, const char *b)
{
    key_t_ k;
    MDB_val v;

    return !key_make(&k, type, a, b) && tx_get(t, &k, &v) == 1;
}

static int same_grant(const iam_grant_t *a, const iam_grant_t *b)
{
    int i;

    if (strcmp(a->role, b->role) || a->scope != b->scope || a->nitems != b->nitems)
        return 0;
    for (i = 0; i < a->nitems; i++) {
        if (strcmp(a->items[i], b->items[i]))
            return 0;
    }
    return 1;
}

/* A grant of a role httpd.conf no longer declares (an IAMRole removed) is
 * not damage: decisions ignore it. It is worth a warning. */
static void verify_grants(iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                          const char *who, const iam_grant_t *g, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (iam_roles_find(roles, g[i].role))
            continue;
        if (out->warnings->nelts < IAM_VERIFY_MAX)
            APR_ARRAY_PUSH(out->warnings, const char *) =
                apr_psprintf(p,
                             "%s holds a grant of role '%s', which is not declared (an IAMRole "
                             "removed?): decisions ignore it",
                             who, g[i].role);
        out->nwarnings++;
    }
}

/* A member's entries in the name indexes (theirs, and their groups') and
 * the role-holder index: each there, and saying what the record says. */
static void verify_member_ix(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_member_t *m,
                             const apr_array_header_t *links)
{
    unsigned char pos[MAXKEY];
    size_t npos = member_pos(m, pos);
    apr_array_header_t *roles = targets_of(t->p, m->grants);
    MDB_val want = ix_value(t->p, m), got;
    key_t_ k;
    int i, found;

    for (i = -1; npos && i < links->nelts; i++) {
        const char *g = i < 0 ? NULL : APR_ARRAY_IDX(links, i, const char *);
        const char *of = g ? apr_psprintf(t->p, " of group '%s'", g) : "";
        found = pos_key(&k, g, pos, npos) ? 0 : tx_get(t, &k, &got);
        if (found != 1)
            problem(out, p, "member '%s' is missing from the name index%s", m->login, of);
        else if (got.mv_size != want.mv_size || memcmp(got.mv_data, want.mv_data, want.mv_size))
            problem(out, p, "the name index%s holds stale details of member '%s'", of, m->login);
    }
    if (!npos)
        problem(out, p, "member '%s' has a login too long for the name index", m->login);
    for (i = 0; i < roles->nelts; i++) {
        const char *r = APR_ARRAY_IDX(roles, i, const char *);
        if (holder_key(&k, r, 'm', m->login) || tx_get(t, &k, &got) != 1)
            problem(out, p, "the role index misses member '%s' holding %s", m->login,
                    target_text(t->p, r));
    }
}

/* An entry of a name index: the member it names is there (and in the group
 * it is filed under), at that place. */
static void verify_pos(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k,
                       const MDB_val *v)
{
    const unsigned char *pos = (const unsigned char *)k->mv_data + 1, *login, *z;
    size_t npos = k->mv_size - 1, len;
    const char *group = NULL, *of = "", *who;
    unsigned char want[MAXKEY];
    iam_member_t *m;
    ix_entry_t e;
    MDB_val rec;
    key_t_ mk;

    out->indexed++;
    if (*(const char *)k->mv_data == 'n') {
        if (!(z = memchr(pos, 0, npos)) || z == pos) {
            problem(out, p, "a key of a group's name index is damaged");
            return;
        }
        group = apr_pstrmemdup(t->p, (const char *)pos, (size_t)(z - pos));
        of = apr_psprintf(t->p, " of group '%s'", group);
        npos -= (size_t)(z + 1 - pos);
        pos = z + 1;
    }
    if (!(login = pos_login(pos, npos, &len)) || len + 1 > MAXKEY) {
        problem(out, p, "a key of the name index%s is damaged", of);
        return;
    }
    who = apr_pstrmemdup(t->p, (const char *)login, len);
    mk.b[0] = 'M';
    memcpy(mk.b + 1, login, len);
    mk.n = len + 1;
    if (!ix_parse(v, &e))
        problem(out, p, "the name index%s entry of member '%s' is damaged", of, who);
    if (tx_get(t, &mk, &rec) != 1) {
        problem(out, p, "the name index%s names missing member '%s'", of, who);
        return;
    }
    if (!(m = decode_member(t->p, &rec)))
        return; /* reported with its record */
    if (group && !has_key(t, 'G', group, NULL))
        problem(out, p, "the name index of missing group '%s' names member '%s'", group, who);
    else if (group && !has_key(t, 'm', who, group))
        problem(out, p, "the name index%s lists member '%s', who is not in it", of, who);
    if (member_pos(m, want) != npos || memcmp(want, pos, npos))
        problem(out, p, "the name index%s holds member '%s' under another name", of, who);
}

/* An entry of the role-holder index: the member or group it names is there
 * and holds a grant of that role. */
static void verify_holder(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k)
{
    const char *d = (const char *)k->mv_data + 1, *z = memchr(d, 0, k->mv_size - 1), *target, *name;
    size_t rest = z ? k->mv_size - 1 - (size_t)(z + 1 - d) : 0;
    iam_member_t *m;
    iam_group_t *g;
    MDB_val rec;

    out->indexed++;
    if (!z || z == d || rest < 2 || (z[1] != 'm' && z[1] != 'g')) {
        problem(out, p, "a key of the role index is damaged");
        return;
    }
    target = apr_pstrmemdup(t->p, d, (size_t)(z - d));
    name = apr_pstrmemdup(t->p, z + 2, rest - 1);
    if (tx_record(t, z[1] == 'm' ? 'M' : 'G', name, &rec) != 1)
        problem(out, p, "the role index of %s names missing %s '%s'", target_text(t->p, target),
                z[1] == 'm' ? "member" : "group", name);
    else if (z[1] == 'm' && (m = decode_member(t->p, &rec)) && !in_names(targets_of(t->p, m->grants), target))
        problem(out, p, "the role index says member '%s' holds %s, which they do not", name,
                target_text(t->p, target));
    else if (z[1] == 'g' && (g = decode_group(t->p, &rec)) && !in_names(targets_of(t->p, g->grants), target))
        problem(out, p, "the role index says group '%s' holds %s, which it does not", name,
                target_text(t->p, target));
}

/* A member: their record, its copy of their groups, the owner and email
 * indexes, and (indexed: format 5) their index entries. */
static void verify_member(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                          const MDB_val *k, const MDB_val *v, int indexed)
{
    const char *key = apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1);
    iam_subject_t subj;
    iam_member_t *m;
    apr_array_header_t *links = apr_array_make(t->p, 4, sizeof(const char *));
    key_t_ lk;
    MDB_val ev, gv;
    int flat, s, i;

    memset(&subj, 0, sizeof(subj));
    if (!(m = decode_member_at(t->p, v, &subj, &flat))) {
        problem(out, p, "member record '%s' is damaged", key);
        return;
    }
    key_make(&lk, 'M', m->login, NULL);
    if (lk.n != k->mv_size || memcmp(lk.b, k->mv_data, lk.n))
        problem(out, p, "member record '%s' holds login '%s'", key, m->login);
    verify_grants(out, p, roles, apr_psprintf(t->p, "member '%s'", m->login),
                  (iam_grant_t *)m->grants->elts, m->grants->nelts);
    if (has_key(t, 'O', m->login, NULL) != is_owner_grants(m->grants))
        problem(out, p, "the owner index is wrong for member '%s'", m->login);
    if (m->email[0]) {
        key_make(&lk, 'E', m->email, NULL);
        if (tx_get(t, &lk, &ev) != 1 || ev.mv_size != strlen(key) ||
            memcmp(ev.mv_data, key, ev.mv_size))
            problem(out, p, "the email index does not lead %s to member '%s'", m->email, m->login);
    }
    tx_each_link(t, 'm', m->login, add_name, links);
    if (indexed)
        verify_member_ix(t, out, p, m, links);
    if (!flat)
        return; /* a format 1 store: no copy to check */
    if (subj.nsets - 1 != links->nelts) {
        problem(out, p, "member '%s' carries %d groups, but is in %d", m->login, subj.nsets - 1,
                links->nelts);
        return;
    }
    for (s = 1; s < subj.nsets; s++) {
        const iam_grant_set_t *set = &subj.sets[s];
        iam_group_t *g;
        if (strcasecmp(set->via, APR_ARRAY_IDX(links, s - 1, const char *))) {
            problem(out, p, "member '%s' carries group '%s' where '%s' was expected", m->login,
                    set->via, APR_ARRAY_IDX(links, s - 1, const char *));
            continue;
        }
        /* read without tx_group: a damaged group is reported with its own
         * record, and must not stop the scan */
        if (tx_record(t, 'G', set->via, &gv) != 1 || !(g = decode_group(t->p, &gv)))
            continue;
        if (!set->grants) {
            if (copies_grants(g))
                problem(out, p, "member '%s' holds group '%s' by reference, not a copy", m->login,
                        g->name);
            continue;
        }
        if (set->ngrants != g->grants->nelts) {
            problem(out, p, "member '%s' carries a stale copy of group '%s'", m->login, g->name);
            continue;
        }
        for (i = 0; i < set->ngrants; i++) {
            if (!same_grant(&set->grants[i], &APR_ARRAY_IDX(g->grants, i, iam_grant_t))) {
                problem(out, p, "member '%s' carries a stale copy of group '%s'", m->login,
                        g->name);
                break;
            }
        }
    }
}

/* The two parts of a link key: type a 0x00 b. 0: malformed. */
static int split_link(tx_t *t, const MDB_val *k, const char **a, const char **b)
{
    const char *d = (const char *)k->mv_data + 1, *z = memchr(d, 0, k->mv_size - 1);

    if (!z || z == d || (size_t)(z - d) + 2 > k->mv_size - 1)
        return 0;
    *a = apr_pstrmemdup(t->p, d, (size_t)(z - d));
    *b = apr_pstrmemdup(t->p, z + 1, k->mv_size - 1 - (size_t)(z - d) - 1);
    return 1;
}

/* A group's role-holder entries: one for each role it holds. */
static void verify_group_holders(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_group_t *g)
{
    apr_array_header_t *roles = targets_of(t->p, g->grants);
    key_t_ k;
    MDB_val v;
    int i;

    for (i = 0; i < roles->nelts; i++) {
        const char *r = APR_ARRAY_IDX(roles, i, const char *);
        if (holder_key(&k, r, 'g', g->name) || tx_get(t, &k, &v) != 1)
            problem(out, p, "the role index misses group '%s' holding %s", g->name,
                    target_text(t->p, r));
    }
}

static void verify_record(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                          const MDB_val *k, const MDB_val *v, int indexed)
{
    char type = *(const char *)k->mv_data;
    const char *a, *b, *name = apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1);
    unsigned char hash[32];
    iam_group_t *g;

    switch (type) {
    case K_META: break;
    case 'M':
        out->members++;
        verify_member(t, out, p, roles, k, v, indexed);
        break;
    case 'G':
        out->groups++;
        if (!(g = decode_group(t->p, v))) {
            problem(out, p, "group record '%s' is damaged", name);
            break;
        }
        verify_grants(out, p, roles, apr_psprintf(t->p, "group '%s'", g->name),
                      (iam_grant_t *)g->grants->elts, g->grants->nelts);
        if (indexed)
            verify_group_holders(t, out, p, g);
        break;
    case 'N':
    case 'n':
        if (indexed)
            verify_pos(t, out, p, k, v);
        break;
    case 'X':
        if (indexed)
            verify_holder(t, out, p, k);
        break;
    case 'm':
    case 'g':
        out->links += type == 'm';
        if (!split_link(t, k, &a, &b)) {
            problem(out, p, "a membership key is damaged");
            break;
        }
        if (type == 'g') {
            const char *tmp = a;
            a = b, b = tmp; /* a: the login, b: the group */
        }
        if (!has_key(t, 'M', a, NULL))
            problem(out, p, "a membership names missing member '%s'", a);
        if (!has_key(t, 'G', b, NULL))
            problem(out, p, "a membership names missing group '%s'", b);
        if (!has_key(t, type == 'm' ? 'g' : 'm', type == 'm' ? b : a, type == 'm' ? a : b))
            problem(out, p, "the membership of '%s' in '%s' has one side only", a, b);
        break;
    case 'O':
        if (!has_key(t, 'M', name, NULL))
            problem(out, p, "the owner index names missing member '%s'", name);
        break;
    case 'E':
        a = apr_pstrmemdup(t->p, v->mv_data, v->mv_size);
        if (!has_key(t, 'M', a, NULL))
            problem(out, p, "the email index leads %s to missing member '%s'", name, a);
        break;
    case 'R':
    case 'r': {
        iam_request_t *q = decode_request(t->p, v);
        out->requests++;
        if (!q)
            problem(out, p, "an access request record is damaged");
        else if ((type == 'R') != (q->status == IAM_REQUEST_OPEN))
            problem(out, p, "the access request of '%s' for %s:%s is %s but filed as %s",
                    q->login, q->type, q->name, q->status == IAM_REQUEST_OPEN ? "open" : "answered",
                    type == 'R' ? "open" : "answered");
        break;
    }
    case 'A':
        out->audit++;
        if (k->mv_size != 9 || !decode_audit(t->p, k, v))
            problem(out, p, "an audit record is damaged");
        break;
    case 'T':
        out->tokens++;
        if (!decode_token(t->p, v, hash))
            problem(out, p, "token record '%s' is damaged", name);
        break;
    default: problem(out, p, "a record of unknown type 0x%02x", (unsigned char)type);
    }
}

iam_status_e iam_store_verify(iam_store_t *st, apr_pool_t *p, iam_verify_t *out, iam_err_t *err)
{
    apr_pool_t *scratch;
    iam_roles_t roles;
    MDB_cursor *c;
    MDB_val k, v;
    key_t_ vk;
    tx_t t;
    int rc, indexed;

    memset(out, 0, sizeof(*out));
    out->problems = apr_array_make(p, 8, sizeof(const char *));
    out->warnings = apr_array_make(p, 8, sizeof(const char *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    tx_roles(&t, &roles);
    if (t.status != IAM_OK)
        problem(out, p, "%s", err ? err->msg : "the custom role list is damaged");
    t.status = IAM_OK;
    /* an older format has no indexes yet: its first write builds them */
    meta_key(&vk, "version");
    indexed = tx_get(&t, &vk, &v) == 1 && version_of(&v) >= IX_STORE_FORMAT;
    if (!indexed && t.status == IAM_OK) {
        APR_ARRAY_PUSH(out->warnings, const char *) =
            "the store is of an older format, without the name and role indexes: the first "
            "write of this release builds them (not checked)";
        out->nwarnings++;
    }
    if (tx_rc(&t, mdb_cursor_open(t.txn, st->dbi, &c)) != IAM_OK)
        return tx_done(&t);
    apr_pool_create(&scratch, p);
    t.p = scratch; /* every record is read into it, then let go */
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == MDB_SUCCESS && t.status == IAM_OK;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size < 1)
            problem(out, p, "an empty key");
        else
            verify_record(&t, out, p, &roles, &k, &v, indexed);
        apr_pool_clear(scratch);
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
        tx_rc(&t, rc);
    mdb_cursor_close(c);
    t.p = p;
    if (t.status == IAM_OK) {
        if (meta_count(&t, "members") != out->members)
            problem(out, p, "the member count says %ld, the store holds %ld",
                    (long)meta_count(&t, "members"), out->members);
        if (meta_count(&t, "groups") != out->groups)
            problem(out, p, "the group count says %ld, the store holds %ld",
                    (long)meta_count(&t, "groups"), out->groups);
    }
    apr_pool_destroy(scratch);
    return tx_done(&t);
}
