/* mod_iam store: the member record, written by rec_encode_member and read
 * by rec_decode_member_at.
 *
 * From format 3 a member record is what a decision needs, in one read and
 * laid out so that reading it is pointer arithmetic, not parsing: fixed-
 * size tables, then one pool of NUL-terminated strings they point into.
 * Set 0 holds the member's own grants, sets 1.. those of each group they
 * are in, copied from the group records by st_flush_dirty in the same
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
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

#define FLAT_HEAD 44
#define FLAT_DIRECT 0xffffffffUL
#define FLAT_BY_REF 1
#define FLAT_COPY_MAX 512
#define FLAT_PROVISIONED 1 /* byte 3: made by just-in-time provisioning */

/* Whether a group's grants are small enough to copy into its members. */
int rec_copies_grants(const iam_group_t *g)
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
MDB_val rec_encode_member(apr_pool_t *p, const iam_member_t *m, const apr_array_header_t *groups)
{
    wbuf_t w = {p, NULL, 0, 0}, pool = {p, NULL, 0, 0};
    int ng = groups ? groups->nelts : 0, i, j, k;
    /* the grants each set copies: [0] the member's own, NULL by reference */
    const apr_array_header_t **parts = apr_palloc(p, sizeof(*parts) * (size_t)(ng + 1));
    unsigned long ngrants = 0, nitems = 0;

    parts[0] = m->grants;
    for (i = 0; i < ng; i++) {
        const iam_group_t *g = APR_ARRAY_IDX(groups, i, const iam_group_t *);
        parts[i + 1] = rec_copies_grants(g) ? g->grants : NULL;
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
    w_u32(&w, st_pool_str(&pool, m->login));
    w_u32(&w, st_pool_str(&pool, m->email));
    w_u32(&w, st_pool_str(&pool, m->name));
    w_u32(&w, (unsigned long)ng + 1);
    w_u32(&w, ngrants);
    w_u32(&w, nitems);
    for (i = 0; i <= ng; i++) {
        const iam_group_t *g = i ? APR_ARRAY_IDX(groups, i - 1, const iam_group_t *) : NULL;
        w_u32(&w, g ? st_pool_str(&pool, g->name) : FLAT_DIRECT);
        w_u8(&w, g && g->pii ? 1 : 0);
        w_u8(&w, parts[i] ? 0 : FLAT_BY_REF);
        w_u16(&w, parts[i] ? (unsigned)parts[i]->nelts : 0); /* IAM_MAX_GRANTS per holder */
    }
    for (i = 0; i <= ng; i++) {
        for (j = 0; parts[i] && j < parts[i]->nelts; j++) {
            const iam_grant_t *gr = &APR_ARRAY_IDX(parts[i], j, iam_grant_t);
            w_u32(&w, st_pool_str(&pool, gr->role));
            w_u8(&w, (unsigned)gr->scope);
            w_u8(&w, 0);
            w_u16(&w, (unsigned)gr->nitems); /* IAM_MAX_ITEMS per grant */
        }
    }
    for (i = 0; i <= ng; i++) {
        for (j = 0; parts[i] && j < parts[i]->nelts; j++) {
            const iam_grant_t *gr = &APR_ARRAY_IDX(parts[i], j, iam_grant_t);
            for (k = 0; k < gr->nitems; k++)
                w_u32(&w, st_pool_str(&pool, gr->items[k]));
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

/* A format 3 record being decoded: its tables, and its pool (in the copy). */
typedef struct {
    const unsigned char *d;
    unsigned long nsets, ngrants, nitems;
    const char *pool;
    size_t pool_len;
} flat_t;

/* Fills the grant sets from the record's tables: the sets in order, each
 * naming how many of the grants that follow are its own; the counts must
 * add up. 0: damaged. */
static int flat_sets(const flat_t *f, iam_grant_set_t *sets, iam_grant_t *grants,
                     const char **items)
{
    const unsigned char *set_at = f->d + FLAT_HEAD, *grant_at = set_at + 8 * f->nsets,
                        *item_at = grant_at + 8 * f->ngrants;
    unsigned long s, g = 0, it = 0, j;

    for (s = 0; s < f->nsets; s++, set_at += 8) {
        unsigned long via = be32(set_at), n = be16(set_at + 6);
        int by_ref = set_at[5] & FLAT_BY_REF;
        sets[s].via = s == 0 ? NULL : pool_at(f->pool, f->pool_len, via);
        if ((s == 0) != (via == FLAT_DIRECT) || (s > 0 && !sets[s].via) || n > f->ngrants - g ||
            (by_ref && (s == 0 || n > 0)))
            return 0;
        sets[s].grants = by_ref ? NULL : grants + g;
        sets[s].ngrants = (int)n;
        for (; n > 0; n--, g++, grant_at += 8) {
            iam_grant_t *gr = &grants[g];
            gr->role = pool_at(f->pool, f->pool_len, be32(grant_at));
            gr->scope = (iam_scope_e)grant_at[4];
            gr->nitems = (int)be16(grant_at + 6);
            gr->items = items;
            if (!gr->role || gr->scope > IAM_SCOPE_LABELS ||
                (unsigned long)gr->nitems > f->nitems - it)
                return 0;
            for (j = 0; j < (unsigned long)gr->nitems; j++, it++, item_at += 4) {
                if (!(*items++ = pool_at(f->pool, f->pool_len, be32(item_at))))
                    return 0;
            }
            *items++ = NULL;
        }
    }
    return g == f->ngrants && it == f->nitems;
}

/* Decodes a format 3 record: the member and, with `subj`, their grant
 * sets (set 0 direct; a set by reference has grants NULL, for the caller
 * to read from the group). One allocation holds a copy of the record (the
 * strings stay there) and every table; each offset and count is checked
 * against the record, so damage is NULL, never a wild read. */
static iam_member_t *decode_flat(apr_pool_t *p, const MDB_val *v, iam_subject_t *subj)
{
    const unsigned char *d = v->mv_data;
    size_t size = v->mv_size, copy = (v->mv_size + 7) & ~(size_t)7, pool_off;
    flat_t f = {d, 0, 0, 0, NULL, 0};
    unsigned long s;
    iam_grant_set_t *sets;
    iam_grant_t *grants;
    const char **items, **names;
    iam_member_t *m;
    char *block;

    if (!(pool_off = flat_pool_off(d, size, &f.nsets, &f.ngrants, &f.nitems)) ||
        d[1] > IAM_STATUS_LAST || f.nsets < 1)
        return NULL;
    f.pool_len = size - pool_off;
    block = apr_palloc(p, copy + sizeof(*m) + 2 * sizeof(apr_array_header_t) +
                              sizeof(*sets) * f.nsets + sizeof(*grants) * f.ngrants +
                              sizeof(char *) * (f.nitems + f.ngrants + f.nsets));
    memcpy(block, d, size);
    f.pool = block + pool_off;
    m = (iam_member_t *)(block + copy);
    m->grants = (apr_array_header_t *)(m + 1);
    m->groups = m->grants + 1;
    sets = (iam_grant_set_t *)(m->groups + 1);
    grants = (iam_grant_t *)(sets + f.nsets);
    items = (const char **)(grants + f.ngrants);
    names = items + f.nitems + f.ngrants;

    m->status = (iam_member_status_e)d[1];
    m->provisioned = d[3] & FLAT_PROVISIONED ? 1 : 0;
    m->pii = d[2] ? 1 : 0;
    m->created = (long long)((unsigned long long)be32(d + 4) << 32 | be32(d + 8));
    m->last_seen = (long long)((unsigned long long)be32(d + 12) << 32 | be32(d + 16));
    m->login = pool_at(f.pool, f.pool_len, be32(d + 20));
    m->email = pool_at(f.pool, f.pool_len, be32(d + 24));
    m->name = pool_at(f.pool, f.pool_len, be32(d + 28));
    if (!m->login || !m->email || !m->name || !m->login[0] || !flat_sets(&f, sets, grants, items))
        return NULL;
    /* the member's own grants and groups, as APR arrays over the tables;
     * full (nalloc == nelts), so a push moves the array, never onto set 1 */
    *m->grants = (apr_array_header_t){p, sizeof(iam_grant_t), sets[0].ngrants, sets[0].ngrants,
                                      (char *)grants};
    *m->groups = (apr_array_header_t){p, sizeof(const char *), 0, (int)f.nsets, (char *)names};
    if (subj) {
        for (s = 1; s < f.nsets; s++) {
            names[s - 1] = sets[s].via;
            subj->pii |= d[FLAT_HEAD + 8 * s + 4] ? 1 : 0;
        }
        m->groups->nelts = (int)f.nsets - 1;
        subj->sets = sets;
        subj->nsets = (int)f.nsets;
    }
    return m;
}

/* Decodes a member record of any format; with `subj` (format 3 only),
 * fills in its grant sets too. *flat tells whether the record was one. */
iam_member_t *rec_decode_member_at(apr_pool_t *p, const MDB_val *v, iam_subject_t *subj, int *flat)
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
    if (r.bad || r.off != r.n || m->status > IAM_STATUS_LAST || !m->login[0])
        return NULL;
    return m;
}

iam_member_t *rec_decode_member(apr_pool_t *p, const MDB_val *v)
{
    int flat;
    return rec_decode_member_at(p, v, NULL, &flat);
}

/* Whether a format 3 record surely does not match `search`: its login,
 * email and name are read where they lie, so a search decodes only the
 * records it shows. 0 when unsure (another format, or damage the decoder
 * will report). */
int rec_flat_misses(const MDB_val *v, const char *search)
{
    const unsigned char *d = v->mv_data;
    size_t size = v->mv_size, pool_off, k;
    unsigned long nsets, ngrants, nitems;

    if (!search || !size || d[0] != MEMBER_FORMAT ||
        !(pool_off = flat_pool_off(d, size, &nsets, &ngrants, &nitems)))
        return 0;
    for (k = 20; k <= 28; k += 4) {
        unsigned long off = be32(d + k);
        if (off >= size - pool_off || st_contains_ci((const char *)d + pool_off + off, search))
            return 0;
    }
    return 1;
}
