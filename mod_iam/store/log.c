/* mod_iam store: the operation log. Every write transaction, whatever
 * made it (console, API, iamctl, provisioning, request access, import, a
 * child's touches), appends one entry at commit: the records that are
 * facts, as they are after the change (tx_put and tx_del hand each one to
 * st_log_op), with the time, the actor and the next sequence. What derives
 * from the facts (member copies of group grants, the name and role-holder
 * indexes, the counts) is not logged: iam_store_log_apply rebuilds it the
 * way the write did, in the same transaction. So the log of a store,
 * applied in order to an empty one, makes a store equal to it key for key
 * (iam_store_digest says so), and a replica follows by applying entries.
 *
 *   'L' u64 sequence   an entry (log_codec.c), the last IAM_LOG_KEEP kept
 *   0x01 "log"         the sequence of the last entry (u64, big-endian)
 *   0x01 "log-id"      the log's id, made with its first entry; a replica
 *                      takes its source's with the first entry it applies
 */
#include "store_int.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TRIM_MAX 64 /* entries one commit deletes at most: a lowered keep catches up */

void st_log_op(tx_t *t, char kind, const key_t_ *k, const MDB_val *v)
{
    iam_op_t op = {kind, k->b, k->n, NULL, 0};

    if (!t->log || t->deriving || !iam_log_key_kind(k->b, k->n))
        return;
    if (v) {
        op.val = v->mv_data;
        op.vlen = v->mv_size;
    }
    st_log_put_op(t->log, &op);
    t->nops++;
}

void st_log_begin(tx_t *t)
{
    t->log = apr_pcalloc(t->p, sizeof(*t->log));
    t->log->p = t->p;
    t->nops = 0;
}

static int first_seq(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    *(unsigned long long *)data = key_seq_of(k->mv_data, k->mv_size);
    return 0;
}

/* The oldest entry kept (0: none). */
static unsigned long long oldest_seq(tx_t *t)
{
    key_t_ prefix = {{'L'}, 1};
    unsigned long long seq = 0;

    tx_scan(t, &prefix, NULL, first_seq, &seq);
    return seq;
}

/* Stores entry `seq` (the store's head is seq - 1) and lets the oldest
 * go past the store's keep. */
static void log_store(tx_t *t, unsigned long long seq, const void *data, size_t len)
{
    unsigned long long old;
    key_t_ k;
    int i;

    key_seq(&k, 'L', seq);
    tx_put(t, &k, (MDB_val){len, (void *)data});
    tx_meta_count_add(t, "log", 1);
    if (seq <= t->st->log_keep)
        return;
    old = oldest_seq(t);
    for (i = 0; i < TRIM_MAX && old && old + t->st->log_keep <= seq; i++, old++) {
        key_seq(&k, 'L', old);
        tx_del(t, &k);
    }
}

/* The store's log id (*id: IAM_LOG_ID bytes): 1, 0 none yet, -1 failed. */
static int log_id(tx_t *t, const unsigned char **id)
{
    key_t_ k;
    MDB_val v;
    int found;

    key_meta(&k, "log-id");
    if ((found = tx_get(t, &k, &v)) != 1)
        return found;
    if (v.mv_size != IAM_LOG_ID)
        return tx_fail(t, IAM_CORRUPT, "store %s: its log id is damaged", t->st->dir), -1;
    *id = v.mv_data;
    return 1;
}

static void set_log_id(tx_t *t, const unsigned char *id)
{
    key_t_ k;

    key_meta(&k, "log-id");
    tx_put(t, &k, (MDB_val){IAM_LOG_ID, apr_pmemdup(t->p, id, IAM_LOG_ID)});
}

/* The entry `seq` of log `id`: its head, then the operations t->log
 * holds (t->nops of them); t->log is spent. */
static wbuf_t log_entry(tx_t *t, const unsigned char *id, unsigned long long seq)
{
    wbuf_t w = {t->p, NULL, 0, 0};

    st_log_head(&w, id, seq, (long long)time(NULL), t->actor ? t->actor : "system",
                (unsigned long)t->nops);
    w_need(&w, t->log->n);
    memcpy(w.d + w.n, t->log->d, t->log->n);
    w.n += t->log->n;
    t->log = NULL;
    return w;
}

void st_log_commit(tx_t *t)
{
    unsigned long long seq;
    const unsigned char *id = NULL;
    unsigned char made[IAM_LOG_ID];
    int found;
    wbuf_t w;

    if (!t->log || !t->nops || t->status != IAM_OK)
        return;
    if ((found = log_id(t, &id)) == 0) {
        if (apr_generate_random_bytes(made, sizeof(made)) != APR_SUCCESS) {
            tx_fail(t, IAM_ERROR, "no random bytes for the log's id");
            return;
        }
        set_log_id(t, made);
        id = made;
    } else if (found < 0) {
        return;
    }
    seq = (unsigned long long)tx_meta_count(t, "log") + 1;
    w = log_entry(t, id, seq);
    t->entry = w.d;
    t->entry_len = w.n;
    t->entry_seq = seq;
    log_store(t, seq, w.d, w.n);
}

/* Every fact of the store as a put: the first entry of a store upgraded
 * from a format without the log, so that its log, too, starts from
 * nothing. A member's record is logged as a write logs it, without the
 * copies of their groups' grants. */
static int snapshot_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    key_t_ key;
    MDB_val val = *v;

    if (!iam_log_key_kind(k->mv_data, k->mv_size) || k->mv_size > MAXKEY)
        return 1;
    memcpy(key.b, k->mv_data, k->mv_size);
    key.n = k->mv_size;
    if (key.b[0] == 'M') {
        iam_member_t *m = rec_decode_member(t->p, v);
        if (!m) {
            tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
            return 0;
        }
        val = rec_encode_member(t->p, m, NULL);
    }
    st_log_op(t, IAM_OP_PUT, &key, &val);
    return 1;
}

void st_log_snapshot(tx_t *t)
{
    key_t_ all = {{0}, 0};

    tx_scan(t, &all, NULL, snapshot_one, NULL);
}

iam_status_e iam_store_snapshot(iam_store_t *st, apr_pool_t *p, iam_log_entry_t *out,
                                iam_err_t *err)
{
    const unsigned char *id = NULL;
    unsigned long long seq;
    wbuf_t w;
    tx_t t;

    memset(out, 0, sizeof(*out));
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    t.actor = "snapshot";
    seq = (unsigned long long)tx_meta_count(&t, "log");
    if (t.status == IAM_OK && (log_id(&t, &id) != 1 || !seq)) {
        if (t.status == IAM_OK)
            tx_fail(&t, IAM_NOTFOUND, "store %s has no log entry yet", st->dir);
    } else if (t.status == IAM_OK) {
        st_log_begin(&t);
        st_log_snapshot(&t);
        if (t.status == IAM_OK) {
            w = log_entry(&t, id, seq);
            if (iam_log_decode(p, w.d, w.n, out)) /* its own codec's bytes: never */
                tx_fail(&t, IAM_ERROR, "store %s: its snapshot does not decode", st->dir);
            out->data = w.d;
            out->len = w.n;
        }
    }
    return tx_done(&t);
}

/* ---- reading the log ---- */

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *out;
    int limit;
} read_ctx_t;

static int read_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    read_ctx_t *c = data;
    iam_log_entry_t *e = apr_palloc(c->p, sizeof(*e));
    const char *why;

    /* copied: the snapshot's pages are not the caller's */
    if ((why = iam_log_decode(c->p, apr_pmemdup(c->p, v->mv_data, v->mv_size), v->mv_size, e))) {
        tx_fail(t, IAM_CORRUPT, "store %s: log entry %llu is damaged: %s", t->st->dir,
                key_seq_of(k->mv_data, k->mv_size), why);
        return 0;
    }
    APR_ARRAY_PUSH(c->out, iam_log_entry_t *) = e;
    return c->out->nelts < c->limit;
}

iam_status_e iam_store_log_head(iam_store_t *st, unsigned long long *oldest,
                                unsigned long long *head, iam_err_t *err)
{
    apr_pool_t *p;
    tx_t t;

    *oldest = *head = 0;
    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, 0, p, err) == IAM_OK) {
        *head = (unsigned long long)tx_meta_count(&t, "log");
        *oldest = oldest_seq(&t);
    }
    tx_done(&t);
    apr_pool_destroy(p);
    return t.status;
}

iam_status_e iam_store_log_id(iam_store_t *st, unsigned char *out, iam_err_t *err)
{
    const unsigned char *id = NULL;
    apr_pool_t *p;
    int found = 0;
    tx_t t;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, TX_READ, p, err) == IAM_OK && (found = log_id(&t, &id)) == 1)
        memcpy(out, id, IAM_LOG_ID);
    tx_done(&t);
    apr_pool_destroy(p);
    if (t.status == IAM_OK && found == 0)
        return st_fail(err, IAM_NOTFOUND, "store %s has no log yet", st->dir);
    return t.status;
}

iam_status_e iam_store_log_read(iam_store_t *st, apr_pool_t *p, unsigned long long after, int limit,
                                apr_array_header_t **out, iam_err_t *err)
{
    read_ctx_t c = {p, apr_array_make(p, 16, sizeof(iam_log_entry_t *)), limit > 0 ? limit : 1000};
    unsigned long long head, oldest;
    key_t_ prefix = {{'L'}, 1}, from;
    tx_t t;

    *out = c.out;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    head = (unsigned long long)tx_meta_count(&t, "log");
    oldest = oldest_seq(&t);
    if (t.status == IAM_OK && after > head)
        tx_fail(&t, IAM_INVALID, "store %s: its log ends at %llu, before %llu", st->dir, head,
                after);
    else if (t.status == IAM_OK && after < head && oldest > after + 1)
        tx_fail(&t, IAM_STALE,
                "store %s keeps its log from entry %llu on: entries %llu to %llu are gone; start "
                "from a copy of the store (iamctl copy)",
                st->dir, oldest, after + 1, oldest - 1);
    else if (after < head) {
        key_seq(&from, 'L', after + 1);
        tx_scan(&t, &prefix, &from, read_one, &c);
    }
    return tx_done(&t);
}

/* ---- applying the log ---- */

static int same_key(const key_t_ *k, const iam_op_t *op)
{
    return k->n == op->klen && !memcmp(k->b, op->key, k->n);
}

/* An operation's key, as the store's functions take one. */
static void op_key(key_t_ *k, const iam_op_t *op)
{
    memcpy(k->b, op->key, op->klen);
    k->n = op->klen;
}

/* The login and the group of a membership's key ('m' login 0 group);
 * 0 if either is empty or the key holds more. */
static int link_parts(apr_pool_t *p, const iam_op_t *op, const char **login, const char **group)
{
    const unsigned char *sep = memchr(op->key + 1, 0, op->klen - 1);
    size_t rest = op->klen - (size_t)(sep + 1 - op->key);

    *login = apr_pstrmemdup(p, (const char *)op->key + 1, (size_t)(sep - op->key - 1));
    *group = apr_pstrmemdup(p, (const char *)sep + 1, rest);
    return **login && **group && !memchr(sep + 1, 0, rest);
}

/* Whether k is the workspace record `name`. */
static int is_meta(const key_t_ *k, const char *name)
{
    size_t n = strlen(name);

    return k->b[0] == K_META && k->n == n + 1 && !memcmp(k->b + 1, name, n);
}

static void count_link(tx_t *t, const char *name, void *data)
{
    (void)t;
    (void)name;
    (*(int *)data)++;
}

/* Whether a member ('m') or a group ('g') still has memberships: the
 * write that removes one takes them back first. */
static int has_links(tx_t *t, char type, const char *name)
{
    int n = 0;

    tx_each_link(t, type, name, count_link, &n);
    return n > 0;
}

static void apply_member(tx_t *t, const iam_op_t *op, const MDB_val *v)
{
    key_t_ k;
    MDB_val old;
    iam_member_t *m;
    const char *login = apr_pstrmemdup(t->p, (const char *)op->key + 1, op->klen - 1);
    int found;

    op_key(&k, op);
    if ((found = tx_get(t, &k, &old)) < 0)
        return;
    if (op->kind == IAM_OP_DEL) {
        if (found && has_links(t, 'm', login)) {
            tx_fail(t, IAM_CORRUPT, "the log removes member '%s' while they are in groups", login);
        } else if (found) {
            st_mark_dirty(t, login); /* before: its index entries go with it */
            tx_del(t, &k);
            tx_meta_count_add(t, "members", -1);
        }
        return;
    }
    if (!(m = rec_decode_member(t->p, v)) || key_make(&k, 'M', m->login, NULL) ||
        !same_key(&k, op)) {
        tx_fail(t, IAM_CORRUPT, "the log puts a damaged record of member '%s'", login);
        return;
    }
    st_mark_dirty(t, m->login);
    tx_put(t, &k, *v);
    if (!found)
        tx_meta_count_add(t, "members", 1);
}

static void apply_group(tx_t *t, const iam_op_t *op, const MDB_val *v)
{
    key_t_ k;
    MDB_val old, again;
    iam_group_t *g;
    const char *name = apr_pstrmemdup(t->p, (const char *)op->key + 1, op->klen - 1);
    int found;

    op_key(&k, op);
    if ((found = tx_get(t, &k, &old)) < 0)
        return;
    if (op->kind == IAM_OP_DEL) {
        if (!found)
            return;
        if (has_links(t, 'g', name)) {
            tx_fail(t, IAM_CORRUPT, "the log deletes group '%s' while it has members", name);
            return;
        }
        if (!(g = rec_decode_group(t->p, &old))) {
            tx_fail(t, IAM_CORRUPT, "store %s: the record of group '%s' is damaged", t->st->dir,
                    name);
            return;
        }
        ix_move_holder(t, 'g', g->name, ix_targets_of(t->p, g->grants), NULL);
        tx_del(t, &k);
        tx_meta_count_add(t, "groups", -1);
        return;
    }
    /* st_put_group writes the record it is given: only one that encodes
     * back to these very bytes is taken */
    if (!(g = rec_decode_group(t->p, v)) || key_make(&k, 'G', g->name, NULL) || !same_key(&k, op) ||
        (again = rec_encode_group(t->p, g)).mv_size != v->mv_size ||
        memcmp(again.mv_data, v->mv_data, v->mv_size)) {
        tx_fail(t, IAM_CORRUPT, "the log puts a damaged record of group '%s'", name);
        return;
    }
    st_put_group(t, g);
    if (!found)
        tx_meta_count_add(t, "groups", 1);
}

static void apply_link(tx_t *t, const iam_op_t *op)
{
    const char *login, *group;

    if (!link_parts(t->p, op, &login, &group)) {
        tx_fail(t, IAM_CORRUPT, "the log links a damaged membership");
        return;
    }
    st_set_link(t, 'm', login, group, op->kind == IAM_OP_PUT);
    st_set_link(t, 'g', group, login, op->kind == IAM_OP_PUT);
}

/* Whether a record put as it is holds what its kind must. */
static int fact_ok(tx_t *t, const key_t_ *k, const MDB_val *v)
{
    unsigned char hash[32];

    switch (k->b[0]) {
    case 'R':
    case 'r': return rec_decode_request(t->p, v) != NULL;
    case 'T': return rec_decode_token(t->p, v, hash) != NULL;
    case 'l': return rec_decode_label(t->p, v) != NULL;
    case 'b': return rec_decode_resource(t->p, v, 1) != NULL;
    case 'y': return v->mv_size == 0;
    case 'I':
    case 'J': return rec_decode_id(t->p, &(MDB_val){k->n, (void *)k->b}, v) != NULL;
    case 'i':
    case 'j': return v->mv_size == 36 && !memchr(v->mv_data, 0, v->mv_size);
    case 'A': return rec_decode_audit(t->p, &(MDB_val){k->n, (void *)k->b}, v) != NULL;
    case 'E': return v->mv_size > 0 && v->mv_size <= MAXKEY && !memchr(v->mv_data, 0, v->mv_size);
    case 'O': return v->mv_size == 0;
    default: break; /* workspace records: by name */
    }
    if (is_meta(k, "secret"))
        return v->mv_size == 32;
    if (is_meta(k, "audit"))
        return v->mv_size == 8;
    if (is_meta(k, "ids"))
        return v->mv_size == 1 && *(const char *)v->mv_data == '1';
    if (is_meta(k, "declared"))
        return rec_decode_declared(t->p, v) != NULL;
    if (is_meta(k, "roles")) {
        iam_roles_t roles;
        iam_roles_init(&roles); /* decoding adds to it */
        return rec_decode_roles(t->p, v, &roles) == 0;
    }
    if (is_meta(k, "login-case"))
        return (v->mv_size == 5 && !memcmp(v->mv_data, "exact", 5)) ||
               (v->mv_size == 4 && !memcmp(v->mv_data, "fold", 4));
    if (is_meta(k, "plan")) {
        iam_plan_e plan;
        char text[16];
        if (v->mv_size >= sizeof(text))
            return 0;
        memcpy(text, v->mv_data, v->mv_size);
        text[v->mv_size] = 0;
        return iam_plan_parse(text, &plan) == 0;
    }
    return v->mv_size <= 64 && !memchr(v->mv_data, 0, v->mv_size);
}

static void apply_op(tx_t *t, const iam_op_t *op)
{
    MDB_val v = {op->vlen, (void *)op->val};
    key_t_ k;

    switch (op->key[0]) {
    case 'M': apply_member(t, op, &v); return;
    case 'G': apply_group(t, op, &v); return;
    case 'm': apply_link(t, op); return;
    default: break;
    }
    op_key(&k, op);
    if (op->kind == IAM_OP_DEL)
        tx_del(t, &k);
    else if (fact_ok(t, &k, &v))
        tx_put(t, &k, v);
    else
        tx_fail(t, IAM_CORRUPT, "the log puts a damaged %s record", iam_log_key_kind(k.b, k.n));
}

/* An entry the store says it has must be the one it holds (while it
 * keeps it): else the store wrote entries of its own under that number. */
static void same_entry(tx_t *t, const iam_log_entry_t *e)
{
    key_t_ k;
    MDB_val v;

    key_seq(&k, 'L', e->seq);
    if (tx_get(t, &k, &v) == 1 && (v.mv_size != e->len || memcmp(v.mv_data, e->data, e->len)))
        tx_fail(t, IAM_INVALID,
                "store %s holds another entry %llu than the log it follows: it was written "
                "to on its own; start it again from a copy",
                t->st->dir, e->seq);
}

/* After an entry: each membership it put joins a member and a group that
 * exist (within an entry they may come in any order). */
static void links_whole(tx_t *t, const iam_log_entry_t *e)
{
    int i;

    for (i = 0; i < e->nops && t->status == IAM_OK; i++) {
        const iam_op_t *op = &e->ops[i];
        const char *login, *group;
        key_t_ k;
        MDB_val v;

        if (op->key[0] != 'm' || op->kind != IAM_OP_PUT)
            continue;
        op_key(&k, op);
        if (tx_get(t, &k, &v) != 1)
            continue;                         /* taken back later in the entry */
        link_parts(t->p, op, &login, &group); /* whole: apply_link took it */
        if (tx_record(t, 'M', login, &v) != 1 || tx_record(t, 'G', group, &v) != 1)
            tx_fail(t, IAM_CORRUPT, "the log links '%s' and group '%s', which do not both exist",
                    login, group);
    }
}

/* An entry's operations, then the check that its memberships are whole. */
static void apply_entry(tx_t *t, const iam_log_entry_t *e)
{
    int j;

    for (j = 0; j < e->nops && t->status == IAM_OK; j++)
        apply_op(t, &e->ops[j]);
    links_whole(t, e);
}

/* After records came from a log: the handle matches logins as the
 * store's login case says (as the server's start-up reads it). */
static void read_fold(iam_store_t *st, apr_pool_t *p, iam_err_t *err)
{
    key_t_ k;
    MDB_val v;
    tx_t t;

    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return;
    key_meta(&k, "login-case");
    st->fold = tx_get(&t, &k, &v) == 1 && v.mv_size == 4 && !memcmp(v.mv_data, "fold", 4);
    tx_done(&t);
}

/* Whether the store holds facts that no entry of its log made. */
static int unlogged(tx_t *t, unsigned long long head)
{
    return head == 0 && (tx_meta_count(t, "members") > 0 || tx_meta_count(t, "groups") > 0 ||
                         tx_meta_count(t, "audit") > 0);
}

iam_status_e iam_store_log_apply(iam_store_t *st, const iam_log_entry_t *in, int n, int *applied,
                                 iam_err_t *err)
{
    apr_pool_t *p;
    unsigned long long head;
    iam_log_entry_t e;
    const unsigned char *id = NULL;
    const char *why;
    tx_t t;
    int i, done = 0;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, TX_LOCAL, p, err) == IAM_OK) {
        t.actor = "log";
        t.log = NULL; /* the entries are stored as they came, not logged again */
        tx_upgrade(&t);
        head = (unsigned long long)tx_meta_count(&t, "log");
        if (log_id(&t, &id) != 1)
            id = NULL;
        if (t.status == IAM_OK && unlogged(&t, head))
            tx_fail(&t, IAM_INVALID,
                    "store %s holds members that no log entry made: a store follows a log from "
                    "empty, or from a copy of the store it follows",
                    st->dir);
        for (i = 0; i < n && t.status == IAM_OK; i++) {
            if ((why = iam_log_decode(p, in[i].data, in[i].len, &e))) {
                tx_fail(&t, IAM_CORRUPT, "log entry %d of %d: %s", i + 1, n, why);
                break;
            }
            if (!id) { /* the first: this store follows that log from now on */
                set_log_id(&t, e.log_id);
                id = apr_pmemdup(p, e.log_id, IAM_LOG_ID);
            } else if (memcmp(id, e.log_id, IAM_LOG_ID)) {
                tx_fail(&t, IAM_INVALID,
                        "log entry %llu is of another workspace's log: store %s follows its own",
                        e.seq, st->dir);
                break;
            }
            if (e.seq <=
                head) { /* already here: the very same entry, or a store gone its own way */
                same_entry(&t, &e);
                continue;
            }
            if (e.seq != head + 1) {
                tx_fail(&t, IAM_STALE,
                        "log entry %llu does not follow %llu: entries %llu to %llu are missing",
                        e.seq, head, head + 1, e.seq - 1);
                break;
            }
            apply_entry(&t, &e);
            log_store(&t, e.seq, in[i].data, in[i].len);
            head = e.seq;
            done++;
        }
    }
    tx_end(&t);
    if (t.status == IAM_OK && done)
        read_fold(st, p, err);
    apr_pool_destroy(p);
    if (applied)
        *applied = t.status == IAM_OK ? done : 0;
    return t.status;
}

/* Empties the store in its transaction but for its format and the
 * database it records (the replica's own, not the workspace's). */
static void wipe(tx_t *t)
{
    static const char *const own[] = {"version", "database"};
    MDB_val keep[2];
    int found[2], rc;
    key_t_ k;
    size_t i;

    for (i = 0; i < 2; i++) {
        key_meta(&k, own[i]);
        if ((found[i] = tx_get(t, &k, &keep[i])) == 1)
            keep[i].mv_data = apr_pmemdup(t->p, keep[i].mv_data, keep[i].mv_size);
    }
    if (t->status != IAM_OK)
        return;
    if ((rc = mdb_drop(t->txn, t->st->dbi, 0)) != MDB_SUCCESS) {
        tx_fail(t, IAM_ERROR, "store %s: emptying it: %s", t->st->dir, mdb_strerror(rc));
        return;
    }
    for (i = 0; i < 2; i++) {
        key_meta(&k, own[i]);
        if (found[i] == 1)
            tx_put(t, &k, keep[i]);
    }
}

iam_status_e iam_store_log_start(iam_store_t *st, const iam_log_entry_t *snapshot, int replace,
                                 iam_err_t *err)
{
    const unsigned char *id = NULL;
    unsigned long long head;
    iam_log_entry_t e;
    const char *why;
    apr_pool_t *p;
    tx_t t;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, TX_LOCAL, p, err) == IAM_OK) {
        t.actor = "log";
        t.log = NULL;
        tx_upgrade(&t);
        head = (unsigned long long)tx_meta_count(&t, "log");
        if ((why = iam_log_decode(p, snapshot->data, snapshot->len, &e))) {
            tx_fail(&t, IAM_CORRUPT, "the snapshot: %s", why);
        } else if (t.status == IAM_OK && !replace && log_id(&t, &id) == 1 &&
                   !memcmp(id, e.log_id, IAM_LOG_ID) && head >= e.seq) {
            tx_end(&t); /* there already: another thread started it */
            apr_pool_destroy(p);
            return IAM_OK;
        } else if (t.status == IAM_OK && replace) {
            wipe(&t);
        } else if (t.status == IAM_OK && (head || id || unlogged(&t, 0))) {
            tx_fail(&t, IAM_INVALID, "store %s is not empty: a snapshot starts an empty store",
                    st->dir);
        }
        if (t.status == IAM_OK) {
            set_log_id(&t, e.log_id);
            apply_entry(&t, &e);
            tx_meta_count_add(&t, "log", (long long)e.seq); /* the log goes on from there */
        }
    }
    if (tx_end(&t) == IAM_OK)
        read_fold(st, p, err);
    apr_pool_destroy(p);
    return t.status;
}

void iam_store_set_log_keep(iam_store_t *st, unsigned long long keep)
{
    st->log_keep = keep ? keep : 1;
}

/* ---- a copy to start from ---- */

iam_status_e iam_store_copy(iam_store_t *st, const char *dir, iam_err_t *err)
{
    char path[4096];
    struct stat sb;
    int rc;

    snprintf(path, sizeof(path), "%s/data.mdb", dir);
    if (stat(path, &sb) == 0)
        return st_fail(err, IAM_EXISTS,
                       "%s already holds a store: a copy goes into a new directory", dir);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return st_fail(err, IAM_ACCESS, "cannot make %s: %s", dir, strerror(errno));
    pthread_rwlock_rdlock(&st->lock);
    rc = mdb_env_copy2(st->env, dir, MDB_CP_COMPACT); /* one read transaction: consistent */
    pthread_rwlock_unlock(&st->lock);
    if (rc)
        return st_map_rc(st, rc, err);
    chmod(path, 0640); /* it holds the workspace secret: not for every user */
    return IAM_OK;
}

/* ---- the store's digest ---- */

static int digest_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    unsigned char len[8];
    key_t_ own;
    int i;

    key_meta(&own, "database"); /* which database a replica follows is its own */
    if ((k->mv_size == own.n && !memcmp(k->mv_data, own.b, own.n)) ||
        *(const char *)k->mv_data == 'L')
        return 1;

    for (i = 0; i < 4; i++) {
        len[i] = (unsigned char)(k->mv_size >> (24 - 8 * i));
        len[4 + i] = (unsigned char)(v->mv_size >> (24 - 8 * i));
    }
    EVP_DigestUpdate(data, len, sizeof(len));
    EVP_DigestUpdate(data, k->mv_data, k->mv_size);
    EVP_DigestUpdate(data, v->mv_data, v->mv_size);
    return 1;
}

iam_status_e iam_store_digest(iam_store_t *st, unsigned char out[32], iam_err_t *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    key_t_ all = {{0}, 0};
    unsigned int n = 0;
    apr_pool_t *p;
    tx_t t;

    memset(out, 0, 32);
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(md);
        return st_fail(err, IAM_ERROR, "no SHA-256 from OpenSSL");
    }
    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, 0, p, err) == IAM_OK)
        tx_scan(&t, &all, NULL, digest_one, md);
    tx_done(&t);
    if (t.status == IAM_OK)
        EVP_DigestFinal_ex(md, out, &n);
    EVP_MD_CTX_free(md);
    apr_pool_destroy(p);
    return t.status;
}
