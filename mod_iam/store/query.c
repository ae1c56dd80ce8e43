/* mod_iam store: the console's lists, read from the indexes: members in
 * name order, paged both ways (iam_store_member_query and of one group),
 * and who holds a role (iam_store_role_holders). */
#include "store_int.h"

#include <apr_strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_DEFAULT 50

/* Decodes a member record with the names of their groups: from the record
 * itself (format 3 carries them), else from the links. NULL: damaged. */
static iam_member_t *member_with_groups(tx_t *t, const char *key, const MDB_val *v)
{
    iam_subject_t subj;
    iam_member_t *m;
    int flat;

    memset(&subj, 0, sizeof(subj));
    if (!(m = rec_decode_member_at(t->p, v, &subj, &flat)))
        return NULL;
    if (!flat) {
        subject_ctx_t sc = {NULL, NULL, m->groups};
        tx_each_link(t, 'm', key, st_add_group_set, &sc);
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
        kv = key_val(&k);
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
        for (i = 1; i < n && ix_ascii_lower(h[i]) == (unsigned char)needle[i]; i++)
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

    st_hex(s, pos->mv_data, pos->mv_size);
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
            lower[i] = (char)ix_ascii_lower((unsigned char)search[i]);
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
        if (!(login = ix_pos_login(page[i]->pos.mv_data, page[i]->pos.mv_size, &len)))
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
        query_range(&t, p, &k, (long)tx_meta_count(&t, "members"), q, out);
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
    MDB_val kv = key_val(k), v;
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
        return st_fail(err, IAM_INVALID, "no role, or a role name too long");
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
