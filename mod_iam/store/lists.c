/* mod_iam store: walks over every record of a type, in key order: the
 * member lists, pages and counts of iamctl and the JSON API, the group
 * lists, and the dump that export writes. */
#include "store_int.h"

#include <string.h>

/* Walks every record of one type in key order. */
void tx_each_record(tx_t *t, char type, scan_fn fn, void *ctx)
{
    key_t_ k;

    key_make(&k, type, "", NULL);
    tx_scan(t, &k, NULL, fn, ctx);
}

/* Reads every record of one type into *out (fn decodes and pushes), in one
 * read transaction. */
iam_status_e st_list_records(iam_store_t *st, apr_pool_t *p, char type, scan_fn fn,
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

static int list_member(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    list_ctx_t *ctx = data;
    iam_member_t *m;

    if (rec_flat_misses(v, ctx->search))
        return 1;
    m = rec_decode_member(t->p, v);

    if (!m) {
        tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
        return 0;
    }
    if (ctx->search && !st_contains_ci(m->login, ctx->search) &&
        !st_contains_ci(m->email, ctx->search) && !st_contains_ci(m->name, ctx->search))
        return 1;
    if (ctx->skip > 0) {
        ctx->skip--;
        return 1;
    }
    if (ctx->with_groups) {
        subject_ctx_t sc = {NULL, NULL, m->groups};
        tx_each_link(t, 'm', m->login, st_add_group_set, &sc);
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

static int list_group(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    iam_group_t *g = rec_decode_group(t->p, v);

    if (!g) {
        tx_fail(t, IAM_CORRUPT, "store %s: a group record is damaged", t->st->dir);
        return 0;
    }
    tx_each_link(t, 'g', g->name, st_add_name, g->members);
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

static int page_member(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    page_ctx_t *ctx = data;
    iam_member_t *m;
    subject_ctx_t sc = {NULL, NULL, NULL};

    if (rec_flat_misses(v, ctx->search))
        return 1;
    m = rec_decode_member(t->p, v);
    if (!m) {
        tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
        return 0;
    }
    if (ctx->skip && !strcasecmp(m->login, ctx->skip))
        return 1;
    if (ctx->status >= 0 && (int)m->status != ctx->status)
        return 1;
    if (ctx->search && !st_contains_ci(m->login, ctx->search) &&
        !st_contains_ci(m->email, ctx->search) && !st_contains_ci(m->name, ctx->search))
        return 1;
    if (ctx->out->nelts >= ctx->limit) {
        /* one more match: there is a next page */
        *ctx->next = APR_ARRAY_IDX(ctx->out, ctx->out->nelts - 1, iam_member_t *)->login;
        return 0;
    }
    sc.names = m->groups;
    tx_each_link(t, 'm', m->login, st_add_group_set, &sc);
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
    key_t_ prefix, from;
    tx_t t;

    *next = NULL;
    *out = ctx.out = apr_array_make(p, ctx.limit, sizeof(iam_member_t *));
    if (key_make(&from, 'M', ctx.skip ? ctx.skip : "", NULL))
        return st_fail(err, IAM_INVALID, "login is too long");
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    key_make(&prefix, 'M', "", NULL);
    tx_scan(&t, &prefix, &from, page_member, &ctx);
    return tx_done(&t);
}

typedef struct {
    const char *search;
    int status;
    long n;
    apr_pool_t *scratch; /* a record decoded to be counted is let go at once */
} count_ctx_t;

static int count_member(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    count_ctx_t *c = data;
    const unsigned char *d = v->mv_data;
    iam_member_t *m;

    if (rec_flat_misses(v, c->search))
        return 1;
    if (!c->search && v->mv_size > 1 && d[0] == MEMBER_FORMAT) {
        c->n += (int)d[1] == c->status; /* the status, where it lies */
        return 1;
    }
    if (!(m = rec_decode_member(c->scratch, v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: a member record is damaged", t->st->dir);
        return 0;
    }
    c->n += (c->status < 0 || (int)m->status == c->status) &&
            (!c->search || st_contains_ci(m->login, c->search) ||
             st_contains_ci(m->email, c->search) || st_contains_ci(m->name, c->search));
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
        c.n = (long)tx_meta_count(&t, "members");
    } else {
        apr_pool_create(&c.scratch, p);
        tx_each_record(&t, 'M', count_member, &c);
        apr_pool_destroy(c.scratch);
    }
    *out = c.n;
    return tx_done(&t);
}

iam_status_e iam_store_group_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err)
{
    return st_list_records(st, p, 'G', list_group, out, err);
}

int st_name_group(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    iam_group_t *g = rec_decode_group(t->p, v);

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
    return st_list_records(st, p, 'G', st_name_group, out, err);
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
