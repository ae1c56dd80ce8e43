/* mod_iam store: the name and role-holder indexes (store format 5): their
 * keys and values, and how a write moves a member's or a group's entries
 * (ix_move, ix_move_holder), or builds them all in an older store
 * (ix_build). Their readers are in query.c; verify.c checks them. */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

/* ---- the name and role-holder indexes (store format 5) ----
 *
 *   'N' pos                  -> u8 format, u8 status, login NUL email NUL name NUL
 *   'n' group 0x00 pos       -> the same, for each member of the group
 *   'X' target 0x00 'm' login  the member holds a grant on target (ix_targets_of:
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
 * (st_flush_dirty, st_put_group, group_delete_op); a store of an older format
 * gets them with its first write (ix_build). */

#define POS_NAME_MAX 120
#define IX_VALUE_FORMAT 1

/* Case folding for the indexes and their searches: ASCII only, whatever
 * the locale (other UTF-8 bytes are kept as they are). */
unsigned char ix_ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* A member's place in the name order into pos (MAXKEY bytes); its length,
 * or 0 if it cannot fit a key. */
size_t ix_member_pos(const iam_member_t *m, unsigned char *pos)
{
    const char *shown = m->name && *m->name ? m->name : m->login;
    size_t n = strlen(shown), i;
    key_t_ lk;

    if (n > POS_NAME_MAX)
        n = POS_NAME_MAX;
    if (key_make(&lk, 'M', m->login, NULL) || n + lk.n > MAXKEY - 1)
        return 0;
    for (i = 0; i < n; i++)
        pos[i] = ix_ascii_lower((unsigned char)shown[i]);
    pos[n] = 0;
    memcpy(pos + n + 1, lk.b + 1, lk.n - 1);
    return n + lk.n;
}

/* The value of a member's entries. */
MDB_val ix_value(apr_pool_t *p, const iam_member_t *m)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, IX_VALUE_FORMAT);
    w_u8(&w, (unsigned)m->status);
    st_pool_str(&w, m->login);
    st_pool_str(&w, m->email);
    st_pool_str(&w, m->name);
    return w_val(&w);
}

/* Reads an entry's value where it lies (it ends in a NUL, so each field is
 * terminated inside it); 0 if it is damaged. */
int ix_parse(const MDB_val *v, ix_entry_t *e)
{
    const char *d = v->mv_data, *end = d + v->mv_size, *z;

    if (v->mv_size < 6 || d[0] != IX_VALUE_FORMAT || (unsigned char)d[1] > IAM_STATUS_LAST ||
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
const unsigned char *ix_pos_login(const unsigned char *pos, size_t n, size_t *len)
{
    const unsigned char *z = memchr(pos, 0, n);

    if (!z || z + 1 >= pos + n)
        return NULL;
    *len = (size_t)(pos + n - (z + 1));
    return z + 1;
}

/* The key of a name index entry: 'N' pos, or 'n' group 0x00 pos. */
int ix_pos_key(key_t_ *k, const char *group, const unsigned char *pos, size_t n)
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

/* The role-holder key of `target` (ix_targets_of): kind 'm' and a member's
 * key, or 'g' and a group's name. */
int ix_holder_key(key_t_ *k, const char *target, char kind, const char *name)
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
apr_array_header_t *ix_targets_of(apr_pool_t *p, const apr_array_header_t *grants)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    int i, j;

    for (i = 0; grants && i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        for (j = 0; j < (g->scope == IAM_SCOPE_ALL ? 1 : g->nitems); j++) {
            const char *target =
                g->scope == IAM_SCOPE_ALL
                    ? apr_pstrcat(p, g->role, "\t*", NULL)
                    : apr_pstrcat(p, g->role,
                                  g->scope == IAM_SCOPE_LABELS ? "\tl:" : "\tr:", g->items[j],
                                  NULL);
            if (!st_in_names(out, target))
                APR_ARRAY_PUSH(out, const char *) = target;
        }
    }
    return out;
}

/* A target in words, for verify's messages: "source-admin on web",
 * "source-admin on label env:prod", "source-admin on all". */
const char *ix_target_text(apr_pool_t *p, const char *target)
{
    const char *tab = strchr(target, '\t');

    if (!tab)
        return target;
    return apr_psprintf(p, "%.*s on %s%s", (int)(tab - target), target,
                        !strncmp(tab + 1, "l:", 2) ? "label " : "",
                        !strcmp(tab + 1, "*") ? "all"
                        : tab[1] && tab[2]    ? tab + 3
                                              : "");
}

/* ---- writes: the indexes of a member ----
 *
 * A member's entries in the name indexes and the role-holder index follow
 * from their record and their links. The first time a transaction marks a
 * member (st_mark_dirty), before it changes either, it notes what their
 * entries are (ix_state_t); st_flush_dirty, at commit, moves those that
 * changed. Who is marked only because a group's grants changed (mark_copy)
 * keeps their entries: none of them depends on a group's grants. */

ix_state_t IX_NONE, IX_COPY_ONLY; /* see store_int.h */

/* A member's entries, from their record and the names of their groups,
 * in p; NULL (the transaction failed) if they cannot fit a key. */
ix_state_t *ix_state(tx_t *t, apr_pool_t *p, const iam_member_t *m,
                     const apr_array_header_t *groups)
{
    ix_state_t *s = apr_palloc(p, sizeof(*s));
    unsigned char pos[MAXKEY];
    int i;

    if (!(s->npos = ix_member_pos(m, pos))) {
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
    s->targets = ix_targets_of(p, m->grants);
    return s;
}

/* A member's entries as the store holds them now (read in a scratch pool:
 * a transaction that marks 100,000 members keeps only this of each), or
 * &IX_NONE if they have no record. */
ix_state_t *ix_snapshot(tx_t *t, const char *key)
{
    apr_pool_t *outer = t->p, *scratch;
    apr_array_header_t *groups;
    ix_state_t *s = &IX_NONE;
    iam_member_t *m;

    apr_pool_create(&scratch, outer);
    t->p = scratch;
    if (tx_member(t, key, &m) == 1) {
        groups = apr_array_make(scratch, 4, sizeof(const char *));
        tx_each_link(t, 'm', key, st_add_name, groups);
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

    if (ix_pos_key(&k, group, s->pos, s->npos)) {
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

    if (ix_holder_key(&k, target, kind, name)) {
        tx_fail(t, IAM_INVALID, "the grant on '%s' of '%s' is too long for the index",
                strchr(target, '\t') + 1, name);
        return;
    }
    if (on)
        tx_put(t, &k, st_str_val(""));
    else
        tx_del(t, &k);
}

/* Moves the role-holder entries of a member or group from the targets its
 * grants were on (NULL: none) to those they are on (NULL: none). */
void ix_move_holder(tx_t *t, char kind, const char *name, const apr_array_header_t *was,
                    const apr_array_header_t *now)
{
    int i;

    for (i = 0; was && i < was->nelts; i++) {
        if (!st_in_names(now, APR_ARRAY_IDX(was, i, const char *)))
            set_holder(t, APR_ARRAY_IDX(was, i, const char *), kind, name, 0);
    }
    for (i = 0; now && i < now->nelts; i++) {
        if (!st_in_names(was, APR_ARRAY_IDX(now, i, const char *)))
            set_holder(t, APR_ARRAY_IDX(now, i, const char *), kind, name, 1);
    }
}

/* Moves a member's entries from what they were (NULL: none) to what they
 * are (NULL: removed); entries that did not change are not written. */
void ix_move(tx_t *t, const char *key, const ix_state_t *was, const ix_state_t *now)
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
        if (!same_pos || !st_in_names(now->groups, g))
            ix_entry(t, g, was, 0);
    }
    for (i = 0; now && i < now->groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(now->groups, i, const char *);
        if (!same || !st_in_names(was->groups, g))
            ix_entry(t, g, now, 1);
    }
    ix_move_holder(t, 'm', key, was ? was->targets : NULL, now ? now->targets : NULL);
}

/* Builds the indexes of format 5 in a store of an older format, in the
 * transaction of its first write: whatever 'N', 'n' and 'X' keys lie there
 * go; every member is marked as having no entries, so that flush_dirty
 * writes them all (and every record of format 1 anew, with its groups);
 * the groups' role-holder entries are written here. */
static int collect_key(tx_t *t, const MDB_val *k, const MDB_val *v, void *keys)
{
    APR_ARRAY_PUSH((apr_array_header_t *)keys, MDB_val) =
        (MDB_val){k->mv_size, apr_pmemdup(t->p, k->mv_data, k->mv_size)};
    return 1;
}

void ix_build(tx_t *t)
{
    static const char types[] = {'N', 'n', 'X', 'M'};
    apr_array_header_t *keys[4], *groups = apr_array_make(t->p, 16, sizeof(iam_group_t *));
    key_t_ prefix;
    size_t i;
    int j;

    for (i = 0; i < sizeof(types); i++) {
        keys[i] = apr_array_make(t->p, 64, sizeof(MDB_val));
        key_make(&prefix, types[i], "", NULL);
        tx_scan(t, &prefix, NULL, collect_key, keys[i]);
    }
    if (t->status != IAM_OK)
        return;
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
    tx_each_record(t, 'G', st_name_group, groups);
    for (j = 0; j < groups->nelts && t->status == IAM_OK; j++) {
        iam_group_t *g = APR_ARRAY_IDX(groups, j, iam_group_t *);
        ix_move_holder(t, 'g', g->name, NULL, ix_targets_of(t->p, g->grants));
    }
}
