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

/* A query's one pass over its range (query_range). */
typedef struct {
    const char *after, *before; /* the cursors, NULL if not given */
    unsigned char c[MAXKEY];    /* the cursor's position */
    size_t nc;
    ix_filter_t f;
    int limit;
    long known;     /* entries in the range (-1: unknown, or a filter) */
    size_t nprefix; /* the range's key prefix: what an entry's position follows */
    ix_hit_t *ring; /* the last `limit` matches before the cursor */
    ix_hit_t *list; /* the first `limit` after it */
    long nprec, nfollow;
    int nlist;
    int all; /* every entry of the range was read: the total is counted */
} query_pass_t;

/* Reads q into s: the cursor, the status, the search (lower-cased); 0 (the
 * transaction failed) if q is none a query can be. */
static int query_prepare(tx_t *t, const iam_member_query_t *q, long known, query_pass_t *s)
{
    const char *search = q->search ? q->search : "";
    size_t i;

    s->after = q->after && *q->after ? q->after : NULL;
    s->before = q->before && *q->before ? q->before : NULL;
    s->f = (ix_filter_t){NULL, strlen(search), q->status};
    if (s->after && s->before) {
        tx_fail(t, IAM_INVALID, "a page is after a cursor or before one, not both");
        return 0;
    }
    if ((s->after || s->before) && !cursor_pos(s->after ? s->after : s->before, s->c, &s->nc)) {
        tx_fail(t, IAM_INVALID, "not a cursor of this list: '%.40s'",
                s->after ? s->after : s->before);
        return 0;
    }
    if (q->status < -1 || q->status > IAM_STATUS_LAST) {
        tx_fail(t, IAM_INVALID, "no member status %d", q->status);
        return 0;
    }
    if (s->f.n) {
        char *lower = apr_palloc(t->p, s->f.n + 1);
        for (i = 0; i <= s->f.n; i++)
            lower[i] = (char)ix_ascii_lower((unsigned char)search[i]);
        s->f.needle = lower;
    }
    s->known = s->f.n || s->f.status >= 0 ? -1 : known;
    s->ring = apr_palloc(t->p, sizeof(ix_hit_t) * (size_t)s->limit);
    s->list = apr_palloc(t->p, sizeof(ix_hit_t) * (size_t)s->limit);
    s->all = 1;
    return 1;
}

/* One entry of the range: counted before the cursor (the last page of them
 * kept in the ring) or after it (the first page kept). */
static int query_entry(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    query_pass_t *s = data;
    ix_hit_t hit;
    int precedes;

    if ((s->f.n || s->f.status >= 0) && ix_matches(t, v, &s->f) != 1)
        return 1;
    hit.pos = (MDB_val){k->mv_size - s->nprefix, (char *)k->mv_data + s->nprefix};
    hit.v = *v;
    precedes = s->after    ? pos_cmp(&hit.pos, s->c, s->nc) <= 0
               : s->before ? pos_cmp(&hit.pos, s->c, s->nc) < 0
                           : 0;
    if (precedes) {
        s->ring[s->nprec % s->limit] = hit;
        s->nprec++;
    } else {
        if (s->nlist < s->limit)
            s->list[s->nlist++] = hit;
        s->nfollow++;
    }
    if (s->known >= 0 &&
        (s->nlist == s->limit || (s->before && !precedes && s->nprec >= s->limit))) {
        s->all = 0; /* the page is whole, and the total known */
        return 0;
    }
    return 1;
}

/* The members a page shows: only those are read. */
static void query_members(tx_t *t, const ix_hit_t **page, int npage, iam_member_page_t *out)
{
    const unsigned char *login;
    iam_member_t *m;
    size_t len;
    int i;

    for (i = 0; i < npage && t->status == IAM_OK; i++) {
        if (!(login = ix_pos_login(page[i]->pos.mv_data, page[i]->pos.mv_size, &len)))
            tx_fail(t, IAM_CORRUPT, "store %s: a name index key is damaged", t->st->dir);
        else if (list_read_member(t, NULL, login, len, &m) == 1)
            APR_ARRAY_PUSH(out->members, iam_member_t *) = m;
        else
            tx_fail(t, IAM_CORRUPT, "store %s: the name index names missing member '%s'",
                    t->st->dir, apr_pstrmemdup(t->p, (const char *)login, len));
    }
}

/* The page, from what the pass kept: from the ring (the `limit` last
 * before the cursor) and the list (the first after it); `first` counts the
 * matches before it. */
static void query_page(tx_t *t, apr_pool_t *p, const query_pass_t *s, iam_member_page_t *out)
{
    const ix_hit_t **page = apr_palloc(t->p, sizeof(ix_hit_t *) * (size_t)s->limit);
    int nlist = s->nlist, npage = 0, i;
    long first, n;

    if (s->before && s->nprec < s->limit) {
        first = 0; /* fewer than a page before: the first page */
    } else if (s->before || (nlist == 0 && s->nprec > 0)) {
        /* before, or after the end: the last page */
        first = s->nprec > s->limit ? s->nprec - s->limit : 0;
        nlist = 0;
    } else {
        first = s->nprec;
    }
    for (n = first; n < s->nprec; n++)
        page[npage++] = &s->ring[n % s->limit];
    for (i = 0; i < nlist && npage < s->limit; i++)
        page[npage++] = &s->list[i];
    out->offset = first;
    out->total = s->all ? s->nprec + s->nfollow : s->known;
    if (out->total < first + npage)
        out->total = first + npage; /* a count that lies: never a negative rest */
    if (npage > 0) {
        out->prev = first > 0 ? pos_cursor(p, &page[0]->pos) : NULL;
        out->next = first + npage < out->total ? pos_cursor(p, &page[npage - 1]->pos) : NULL;
    }
    query_members(t, page, npage, out);
}

/* One page of the entries under `prefix` (the name index, or a group's)
 * that match q, in one pass: the entries before the cursor are counted,
 * the last page of them kept in a ring (for `before`, or for `after` past
 * the end), the page after it collected, the rest counted. `known`: how
 * many entries the range holds (-1: unknown); with no filter, the pass
 * then ends as soon as the page is whole. */
static void query_range(tx_t *t, apr_pool_t *p, const key_t_ *prefix, long known,
                        const iam_member_query_t *q, iam_member_page_t *out)
{
    query_pass_t s;

    memset(&s, 0, sizeof(s));
    s.limit = q->limit <= 0 ? QUERY_DEFAULT : q->limit > IAM_QUERY_MAX ? IAM_QUERY_MAX : q->limit;
    s.nprefix = prefix->n;
    out->members = apr_array_make(p, s.limit, sizeof(iam_member_t *));
    if (!query_prepare(t, q, known, &s))
        return;
    tx_scan(t, prefix, NULL, query_entry, &s);
    if (t->status == IAM_OK)
        query_page(t, p, &s, out);
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

/* The role-holder scan (iam_store_role_holders). */
typedef struct {
    const char *role;
    size_t n;         /* the prefix's length */
    MDB_cursor *mc;   /* reads the members, in key order */
    apr_hash_t *seen; /* 'm' login or 'g' group: each holder once */
    apr_array_header_t *members, *groups;
} holders_t;

/* One entry of the role-holder index: its member or group, read and
 * checked (it holds the role), once. */
static int holder_entry(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    holders_t *c = data;
    const unsigned char *z, *name;
    size_t len;
    iam_member_t *m;
    iam_group_t *g;

    z = memchr((const unsigned char *)k->mv_data + c->n - 1, 0, k->mv_size - c->n + 1);
    name = z ? z + 1 : NULL;
    len = z ? k->mv_size - (size_t)(name - (const unsigned char *)k->mv_data) : 0;
    if (len < 2 || (name[0] != 'm' && name[0] != 'g')) {
        tx_fail(t, IAM_CORRUPT, "store %s: a role index key is damaged", t->st->dir);
    } else if (apr_hash_get(c->seen, name, (apr_ssize_t)len)) {
        return 1; /* a holder with grants on several of the targets */
    } else if (name[0] == 'm') {
        apr_hash_set(c->seen, apr_pmemdup(t->p, name, len), (apr_ssize_t)len, "");
        if (list_read_member(t, c->mc, name + 1, len - 1, &m) == 1 &&
            holds_role(m->grants, c->role))
            APR_ARRAY_PUSH(c->members, iam_member_t *) = m;
        else
            tx_fail(t, IAM_CORRUPT, "store %s: the role index of '%s' is stale (member '%s')",
                    t->st->dir, c->role, apr_pstrmemdup(t->p, (const char *)name + 1, len - 1));
    } else {
        const char *gname = apr_pstrmemdup(t->p, (const char *)name + 1, len - 1);
        apr_hash_set(c->seen, apr_pmemdup(t->p, name, len), (apr_ssize_t)len, "");
        if (tx_group(t, gname, &g) == 1 && holds_role(g->grants, c->role))
            APR_ARRAY_PUSH(c->groups, iam_group_t *) = g;
        else
            tx_fail(t, IAM_CORRUPT, "store %s: the role index of '%s' is stale (group '%s')",
                    t->st->dir, c->role, gname);
    }
    return 1;
}

/* Reads the holders under one prefix of the role-holder index (k: a
 * whole target, or a role and its tab), each once. */
static void holders_under(tx_t *t, holders_t *c, const key_t_ *k)
{
    c->n = k->n;
    tx_scan(t, k, NULL, holder_entry, c);
}

iam_status_e iam_store_role_holders(iam_store_t *st, apr_pool_t *p, const char *role,
                                    const iam_resource_t *on, apr_array_header_t **members,
                                    apr_array_header_t **groups, iam_err_t *err)
{
    apr_array_header_t *targets = apr_array_make(p, 4, sizeof(const char *));
    holders_t c = {role, 0, NULL, apr_hash_make(p), NULL, NULL};
    key_t_ k;
    tx_t t;
    int i;

    *members = c.members = apr_array_make(p, 16, sizeof(iam_member_t *));
    *groups = c.groups = apr_array_make(p, 4, sizeof(iam_group_t *));
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
    if (!tx_indexed(&t) || tx_rc(&t, mdb_cursor_open(t.txn, st->dbi, &c.mc)) != IAM_OK)
        return tx_done(&t);
    if (!targets->nelts) /* every grant of the role: the role and its tab */
        holders_under(&t, &c, &k);
    for (i = 0; i < targets->nelts && t.status == IAM_OK; i++) {
        if (key_make(&k, 'X', APR_ARRAY_IDX(targets, i, const char *), ""))
            continue; /* longer than any key the index holds */
        holders_under(&t, &c, &k);
    }
    mdb_cursor_close(c.mc);
    if (t.status != IAM_OK) {
        *members = apr_array_make(p, 1, sizeof(iam_member_t *));
        *groups = apr_array_make(p, 1, sizeof(iam_group_t *));
    }
    return tx_done(&t);
}
