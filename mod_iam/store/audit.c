/* mod_iam store: the audit trail. 'A' + u64 big-endian sequence -> who,
 * when, what, on whom, before, after; written by st_audit in the
 * transaction of the change it records, read newest first. */
#include "store_int.h"
#include "iam_audit_text.h"

#include <apr_strings.h>
#include <limits.h>
#include <string.h>
#include <time.h>

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
 * so the audit's reader (mod_iam/audit/) reads it back exactly. Grants need
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

const char *st_describe_member(tx_t *t, const iam_member_t *m)
{
    apr_array_header_t *groups = apr_array_make(t->p, 4, sizeof(const char *));
    int i;

    tx_each_link(t, 'm', m->login, st_add_name, groups);
    for (i = 0; i < groups->nelts; i++)
        APR_ARRAY_IDX(groups, i, const char *) =
            describe_text(t->p, APR_ARRAY_IDX(groups, i, const char *));
    return apr_psprintf(t->p, "status=%s email=%s name=%s pii=%s grants=[%s] groups=[%s]",
                        iam_member_status_name(m->status), m->email, describe_text(t->p, m->name),
                        m->pii ? "yes" : "no", describe_grants(t->p, m->grants),
                        groups->nelts ? apr_array_pstrcat(t->p, groups, ',') : "");
}

const char *st_describe_group(tx_t *t, const iam_group_t *g)
{
    apr_array_header_t *members = apr_array_make(t->p, 4, sizeof(const char *));

    tx_each_link(t, 'g', g->name, st_add_name, members);
    return apr_psprintf(t->p, "pii=%s grants=[%s] members=%d", g->pii ? "yes" : "no",
                        describe_grants(t->p, g->grants), members->nelts);
}

static const char *clip(apr_pool_t *p, const char *s)
{
    return strlen(s) > AUDIT_TEXT_MAX
               ? apr_pstrcat(p, apr_pstrndup(p, s, AUDIT_TEXT_MAX), "...", NULL)
               : s;
}

void st_audit(tx_t *t, const char *action, const char *target, const char *before,
              const char *after)
{
    iam_audit_t a;
    key_t_ k;

    if (t->status != IAM_OK)
        return;
    a.seq = (unsigned long long)tx_meta_count(t, "audit") + 1;
    tx_meta_count_add(t, "audit", 1);
    key_seq(&k, 'A', a.seq);
    a.time = (long long)time(NULL);
    a.actor = t->actor;
    a.action = action;
    a.target = target;
    a.before = clip(t->p, before ? before : "");
    a.after = clip(t->p, after ? after : "");
    tx_put(t, &k, rec_encode_audit(t->p, &a));
}

typedef struct {
    apr_pool_t *scratch; /* what an entry that does not match leaves behind */
    const iam_audit_filter_t *f;
    int limit;
    long examined, scan_max;
    unsigned long long last; /* the sequence of the last entry examined */
    apr_array_header_t *out;
} audit_scan_t;

/* An entry of the trail, newest first: examined and kept if it matches,
 * until the page is full or the bound reached. */
static int scan_audit(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    audit_scan_t *c = data;
    iam_audit_t *a;

    if (k->mv_size != 9)
        return 0; /* not an entry: the trail ends */
    if ((c->limit > 0 && c->out->nelts >= c->limit) || c->examined >= c->scan_max)
        return 0;
    apr_pool_clear(c->scratch);
    if (!(a = rec_decode_audit(c->scratch, k, v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: an audit record is damaged", t->st->dir);
        return 0;
    }
    c->examined++;
    c->last = a->seq;
    if (iam_audit_match(c->scratch, a, c->f))
        APR_ARRAY_PUSH(c->out, iam_audit_t *) = rec_decode_audit(t->p, k, v);
    return 1;
}

static iam_status_e audit_scan(iam_store_t *st, apr_pool_t *p, unsigned long long before, int limit,
                               const iam_audit_filter_t *f, long scan_max, apr_array_header_t **out,
                               unsigned long long *next, iam_err_t *err)
{
    audit_scan_t c = {NULL, f, limit, 0, scan_max, 0, NULL};
    key_t_ prefix, from;
    tx_t t;

    *out = c.out = apr_array_make(p, limit > 0 ? limit : 16, sizeof(iam_audit_t *));
    *next = 0;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    apr_pool_create(&c.scratch, p);
    /* newest first, from just below `before` (or the end) */
    key_make(&prefix, 'A', "", NULL);
    key_seq(&from, 'A', before ? before : ~0ULL);
    tx_scan_back(&t, &prefix, &from, scan_audit, &c);
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
