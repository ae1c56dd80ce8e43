/* mod_iam store: the write shell. Every write runs in st_write_op: one
 * write transaction, the format upgraded, the plan and roles read inside
 * it, the change and its audit record, then, at commit, the records and
 * index entries of every member it touched (st_flush_dirty). */
#include "store_int.h"

#include <apr_strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
 * before the transaction commits (st_flush_dirty), and whose index entries
 * follow it: call it before changing their record or their links. */
void st_mark_dirty(tx_t *t, const char *login)
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
void st_put_member(tx_t *t, const iam_member_t *m)
{
    key_t_ k;

    if (key_make(&k, 'M', m->login, NULL)) {
        tx_fail(t, IAM_INVALID, "login is too long");
        return;
    }
    st_mark_dirty(t, m->login);
    tx_put(t, &k, rec_encode_member(t->p, m, NULL));
}

/* Writes a group; if what its members' records carry of it changed (its
 * name, personal-data flag, or grants small enough to copy), they are
 * written again at commit. */
void st_put_group(tx_t *t, const iam_group_t *g)
{
    key_t_ k;
    MDB_val old, v = rec_encode_group(t->p, g);
    iam_group_t *was = NULL;

    if (key_make(&k, 'G', g->name, NULL)) {
        tx_fail(t, IAM_INVALID, "group name is too long");
        return;
    }
    if (tx_get(t, &k, &old) == 1) {
        if (old.mv_size == v.mv_size && !memcmp(old.mv_data, v.mv_data, v.mv_size))
            return;
        was = rec_decode_group(t->p, &old);
    }
    tx_put(t, &k, v);
    ix_move_holder(t, 'g', g->name, was ? ix_targets_of(t->p, was->grants) : NULL,
                   ix_targets_of(t->p, g->grants));
    if (was && !strcmp(was->name, g->name) && !was->pii == !g->pii && !rec_copies_grants(was) &&
        !rec_copies_grants(g))
        return; /* its members hold it by reference, and still do */
    tx_each_link(t, 'g', g->name, mark_member, NULL);
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

void st_flush_dirty(tx_t *t)
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
    t->deriving = 1; /* what follows derives from the facts: the log holds none of it */
    for (i = 0; i < n && t->status == IAM_OK; i++) {
        const char *login = logins[i];
        const ix_state_t *was = apr_hash_get(t->dirty, login, APR_HASH_KEY_STRING);
        apr_array_header_t *groups, *names = NULL;
        iam_member_t *m = NULL;
        MDB_val old, v;
        key_t_ k;

        t->p = scratch; /* a big import must not keep every record decoded */
        if (tx_record(t, 'M', login, &old) == 1) {
            if (!(m = rec_decode_member(scratch, &old))) {
                tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged",
                        t->st->dir, login);
                break;
            }
            groups = apr_array_make(scratch, 4, sizeof(iam_group_t *));
            tx_each_link(t, 'm', login, collect_group, groups);
            names = apr_array_make(scratch, groups->nelts + 1, sizeof(const char *));
            for (j = 0; j < groups->nelts; j++)
                APR_ARRAY_PUSH(names, const char *) = APR_ARRAY_IDX(groups, j, iam_group_t *)->name;
            v = rec_encode_member(scratch, m, groups);
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
    t->deriving = 0;
    apr_pool_destroy(scratch);
}

void st_set_link(tx_t *t, char type, const char *a, const char *b, int on)
{
    key_t_ k;

    if (key_make(&k, type, a, b)) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return;
    }
    if (type == 'm')
        st_mark_dirty(t, a); /* before the change: its index entries move with it */
    if (on)
        tx_put(t, &k, st_str_val(""));
    else
        tx_del(t, &k);
}

/* A login that becomes an owner starts without tokens: whatever tokens name
 * it (an earlier owner of that login, in any case) stay dead. */
void st_set_owner_index(tx_t *t, const char *login, int on)
{
    key_t_ k;
    MDB_val v;

    key_make(&k, 'O', login, NULL);
    if (on && tx_get(t, &k, &v) == 0)
        st_kill_tokens(t, login, "an owner of that login from before");
    if (on)
        tx_put(t, &k, st_str_val(""));
    else
        tx_del(t, &k);
}

iam_status_e st_write_op(iam_store_t *st, const char *actor, iam_err_t *err, write_fn op, void *ctx)
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
