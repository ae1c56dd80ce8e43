/* mod_iam store: the labels the workspace gives resources, and the
 * resources httpd.conf declares.
 *
 *   'b' type 0x00 name         the labels owners gave a resource
 *   'y' label 0x00 type:name   that resource carries that label: the
 *                              record's mirror, for a label's users
 *   0x01 "declared"            httpd.conf's IAMResource and IAMResourcePath
 *                              lines, recorded by the server at start-up
 *
 * All three are facts of the log, so every replica has them. A resource
 * needs no record to exist (httpd.conf declares it, a template covers it,
 * a grant names it): a record holds only the labels given to it here.
 * Where these and httpd.conf's give one key two values, these win: an
 * owner set them on purpose, and the resource's page says which is which.
 */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RESOURCE_FORMAT 1
#define DECLARED_FORMAT 1
#define DECLARED_MAX 100000 /* bounds a damaged count */

/* ---- records ---- */

static MDB_val encode_resource(apr_pool_t *p, const iam_resource_labels_t *r)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i;

    w_u8(&w, RESOURCE_FORMAT);
    w_str(&w, r->type);
    w_str(&w, r->name);
    w_u16(&w, (unsigned)r->nlabels);
    for (i = 0; i < r->nlabels; i++)
        w_str(&w, r->labels[i]);
    w_str(&w, r->by);
    w_u64(&w, (unsigned long long)r->at);
    return w_val(&w);
}

/* The labels of a record, checked as a write checks them. */
static int labels_ok(const char *const *labels, int n)
{
    int i, j;

    for (i = 0; i < n; i++) {
        size_t k = strcspn(labels[i], ":");
        if (iam_check_label(labels[i]))
            return 0;
        for (j = i + 1; j < n; j++) {
            if (!strncasecmp(labels[i], labels[j], k + 1))
                return 0;
        }
    }
    return 1;
}

/* A resource's record, bounds-checked; `strict` checks its names and
 * labels too, as writes, verify and the log's apply do (a decision's read
 * need not parse them again: a record is written only checked). */
iam_resource_labels_t *rec_decode_resource(apr_pool_t *p, const MDB_val *v, int strict)
{
    rbuf_t r = r_open(p, v);
    iam_resource_labels_t *out = apr_pcalloc(p, sizeof(*out));
    int i;

    if (r_u8(&r) != RESOURCE_FORMAT)
        return NULL;
    out->type = r_str(&r);
    out->name = r_str(&r);
    out->nlabels = (int)r_u16(&r);
    if (r.bad || out->nlabels > IAM_RESOURCE_LABELS_MAX)
        return NULL;
    out->labels = apr_pcalloc(p, sizeof(char *) * (size_t)(out->nlabels + 1));
    for (i = 0; i < out->nlabels; i++)
        out->labels[i] = r_str(&r);
    out->by = r_str(&r);
    out->at = (long long)r_u64(&r);
    if (r.bad || r.off != r.n)
        return NULL;
    if (strict && (iam_check_resource_type(out->type) || iam_check_resource_name(out->name) ||
                   !labels_ok(out->labels, out->nlabels)))
        return NULL;
    return out;
}

static MDB_val encode_declared(apr_pool_t *p, const apr_array_header_t *decls)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i, j;

    w_u8(&w, DECLARED_FORMAT);
    w_u32(&w, (unsigned long)decls->nelts);
    for (i = 0; i < decls->nelts; i++) {
        const iam_declared_t *d = &APR_ARRAY_IDX(decls, i, iam_declared_t);
        w_str(&w, d->res.type);
        w_str(&w, d->res.name ? d->res.name : "");
        w_str(&w, d->path ? d->path : "");
        w_u8(&w, d->templated ? 1 : 0);
        w_u16(&w, (unsigned)d->res.nlabels);
        for (j = 0; j < d->res.nlabels; j++)
            w_str(&w, d->res.labels[j]);
    }
    return w_val(&w);
}

apr_array_header_t *rec_decode_declared(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    apr_array_header_t *out;
    unsigned long n, i;
    int j;

    if (r_u8(&r) != DECLARED_FORMAT || (n = r_u32(&r)) > DECLARED_MAX || r.bad)
        return NULL;
    out = apr_array_make(p, n ? (int)n : 1, sizeof(iam_declared_t));
    for (i = 0; i < n && !r.bad; i++) {
        iam_declared_t *d = apr_array_push(out);
        d->res.type = r_str(&r);
        d->res.name = r_str(&r);
        d->path = r_str(&r);
        d->templated = (int)r_u8(&r);
        d->res.nlabels = (int)r_u16(&r);
        if (r.bad || d->res.nlabels > IAM_RESOURCE_LABELS_MAX)
            return NULL;
        d->res.labels = apr_pcalloc(p, sizeof(char *) * (size_t)(d->res.nlabels + 1));
        for (j = 0; j < d->res.nlabels; j++)
            d->res.labels[j] = r_str(&r);
        if (r.bad || iam_check_resource_type(d->res.type) ||
            !labels_ok(d->res.labels, d->res.nlabels))
            return NULL;
        if (!*d->res.name)
            d->res.name = NULL;
    }
    if (r.bad || r.off != r.n)
        return NULL;
    return out;
}

/* ---- reads ---- */

/* What httpd.conf declared, as the server recorded it: an empty array if
 * no server has; NULL (t failed) if the record is damaged. */
apr_array_header_t *tx_declared(tx_t *t)
{
    apr_array_header_t *out;
    key_t_ k;
    MDB_val v;

    key_meta(&k, "declared");
    if (tx_get(t, &k, &v) != 1)
        return t->status == IAM_OK ? apr_array_make(t->p, 1, sizeof(iam_declared_t)) : NULL;
    if (!(out = rec_decode_declared(t->p, &v)))
        tx_fail(t, IAM_CORRUPT, "store %s: the record of httpd.conf's resources is damaged",
                t->st->dir);
    return out;
}

/* Whether httpd.conf's resources carry `label` (*first: the first that does). */
int st_declared_has(const apr_array_header_t *decls, const char *label,
                    const iam_declared_t **first)
{
    int i, j, n = 0;

    for (i = 0; decls && i < decls->nelts; i++) {
        const iam_declared_t *d = &APR_ARRAY_IDX(decls, i, iam_declared_t);
        for (j = 0; j < d->res.nlabels; j++) {
            if (!strcasecmp(d->res.labels[j], label)) {
                if (!n++ && first)
                    *first = d;
                break;
            }
        }
    }
    return n;
}

/* 1 and *out: the record of a resource; 0: none; -1: t failed. */
static int tx_resource(tx_t *t, const char *type, const char *name, iam_resource_labels_t **out)
{
    key_t_ k;
    MDB_val v;
    int found;

    if (key_make(&k, 'b', type, name))
        return 0;
    if ((found = tx_get(t, &k, &v)) != 1)
        return found;
    if (!(*out = rec_decode_resource(t->p, &v, t->write)) || strcasecmp((*out)->type, type) ||
        strcasecmp((*out)->name, name)) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of %s '%s' is damaged", t->st->dir, type,
                name);
        return -1;
    }
    return 1;
}

iam_status_e iam_store_resource_labels(iam_store_t *st, apr_pool_t *p, const char *type,
                                       const char *name, iam_resource_labels_t **out,
                                       iam_err_t *err)
{
    tx_t t;
    int found;

    *out = NULL;
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    if ((found = tx_resource(&t, type, name, out)) == 0)
        tx_fail(&t, IAM_NOTFOUND, "%s '%s' has no labels of the workspace", type, name);
    if (found != 1)
        *out = NULL;
    return tx_done(&t);
}

iam_status_e iam_store_declared(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                iam_err_t *err)
{
    tx_t t;

    *out = NULL;
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    *out = tx_declared(&t);
    return tx_done(&t);
}

typedef struct {
    const char *type;
    apr_array_header_t *out;
} list_ctx_t;

static int list_resource(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    list_ctx_t *c = data;
    iam_resource_labels_t *r;

    (void)k;
    if (!(r = rec_decode_resource(t->p, v, 1))) {
        tx_fail(t, IAM_CORRUPT, "store %s: a resource's labels are damaged", t->st->dir);
        return 0;
    }
    if (!c->type || !strcasecmp(c->type, r->type))
        APR_ARRAY_PUSH(c->out, iam_resource_labels_t *) = r;
    return 1;
}

/* The resources a label is on, from its mirror ('y'). */
static int list_labelled(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    list_ctx_t *c = data;
    const char *tn = memchr((const char *)k->mv_data + 1, 0, k->mv_size - 1);
    const char *end = (const char *)k->mv_data + k->mv_size, *colon;
    iam_resource_labels_t *r;

    (void)v;
    if (!tn || !(colon = memchr(tn + 1, ':', (size_t)(end - tn - 1))))
        return 1;
    if (tx_resource(t, apr_pstrmemdup(t->p, tn + 1, (size_t)(colon - tn - 1)),
                    apr_pstrmemdup(t->p, colon + 1, (size_t)(end - colon - 1)), &r) == 1 &&
        (!c->type || !strcasecmp(c->type, r->type)))
        APR_ARRAY_PUSH(c->out, iam_resource_labels_t *) = r;
    return t->status == IAM_OK;
}

iam_status_e iam_store_resource_list(iam_store_t *st, apr_pool_t *p, const char *type,
                                     const char *label, apr_array_header_t **out, iam_err_t *err)
{
    list_ctx_t c = {type, apr_array_make(p, 16, sizeof(iam_resource_labels_t *))};
    key_t_ k;
    tx_t t;

    *out = c.out;
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    if (!label) {
        tx_each_record(&t, 'b', list_resource, &c);
    } else if (!key_make(&k, 'y', label, "")) {
        /* the label and its 0x00: not env:prod for env:pro */
        tx_scan(&t, &k, NULL, list_labelled, &c);
    }
    return tx_done(&t);
}

/* How many resources of the workspace carry `label` (the mirror's count). */
static int count_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *n)
{
    (void)t;
    (void)k;
    (void)v;
    ++*(int *)n;
    return 1;
}

int tx_label_resources(tx_t *t, const char *label)
{
    key_t_ k;
    int n = 0;

    if (key_make(&k, 'y', label, ""))
        return 0;
    tx_scan(t, &k, NULL, count_one, &n);
    return n;
}

/* The resources grants name, by the role-holder index's targets ("role
 * TAB r:NAME" 0x00 holder): one seek past each target, not a read of
 * every holder. Names come as the index keeps them (lower case). */
typedef struct {
    size_t prefix; /* of "X role TAB r:" */
    const char *type;
    apr_array_header_t *out;
    key_t_ next; /* where the next target begins */
    int found;
} named_ctx_t;

static int one_target(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    named_ctx_t *c = data;
    const char *b = (const char *)k->mv_data + c->prefix;
    const char *nul = memchr(b, 0, k->mv_size - c->prefix);
    iam_resource_t *r;

    (void)v;
    if (!nul || nul == b || (size_t)(nul - (const char *)k->mv_data) + 1 >= MAXKEY)
        return 1;
    r = apr_array_push(c->out);
    memset(r, 0, sizeof(*r));
    r->type = c->type;
    r->name = apr_pstrmemdup(t->p, b, (size_t)(nul - b));
    c->next.n = (size_t)(nul - (const char *)k->mv_data);
    memcpy(c->next.b, k->mv_data, c->next.n);
    c->next.b[c->next.n++] = 1; /* past every holder of this target */
    c->found = 1;
    return 0;
}

iam_status_e iam_store_granted_resources(iam_store_t *st, apr_pool_t *p, const char *type,
                                         apr_array_header_t **out, iam_err_t *err)
{
    named_ctx_t c;
    iam_roles_t roles;
    key_t_ k;
    tx_t t;
    int i;

    memset(&c, 0, sizeof(c));
    *out = c.out = apr_array_make(p, 16, sizeof(iam_resource_t));
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    tx_roles(&t, &roles);
    for (i = 0; i < roles.n && t.status == IAM_OK; i++) {
        const iam_role_t *r = &roles.role[i];
        if (r->kind != IAM_ROLE_PLAIN || (type && strcasecmp(type, r->type)) ||
            key_make(&k, 'X', apr_pstrcat(p, r->slug, "\tr:", NULL), NULL))
            continue;
        c.prefix = k.n;
        c.type = apr_pstrdup(p, r->type);
        c.next.n = 0;
        do {
            c.found = 0;
            tx_scan(&t, &k, c.next.n ? &c.next : NULL, one_target, &c);
        } while (c.found && t.status == IAM_OK);
    }
    return tx_done(&t);
}

/* ---- writes ---- */

/* Whether the workspace has `label`: built in, made, or declared in
 * httpd.conf. */
int tx_label_exists(tx_t *t, const char *label)
{
    key_t_ k;
    MDB_val v;

    if (iam_label_builtin(label))
        return 1;
    if (!key_make(&k, 'l', label, NULL) && tx_get(t, &k, &v) == 1)
        return 1;
    return t->status == IAM_OK && st_declared_has(tx_declared(t), label, NULL);
}

static void set_mirror(tx_t *t, const iam_resource_labels_t *r, int on)
{
    const char *tn = apr_pstrcat(t->p, r->type, ":", r->name, NULL);
    key_t_ k;
    int i;

    for (i = 0; i < r->nlabels && t->status == IAM_OK; i++) {
        if (key_make(&k, 'y', r->labels[i], tn)) {
            tx_fail(t, IAM_INVALID, "label '%s' on %s is too long to index", r->labels[i], tn);
            return;
        }
        if (on)
            tx_put(t, &k, (MDB_val){0, ""});
        else
            tx_del(t, &k);
    }
}

static const char *labels_text(apr_pool_t *p, const iam_resource_labels_t *r)
{
    apr_array_header_t *a = apr_array_make(p, r ? r->nlabels : 1, sizeof(const char *));
    int i;

    for (i = 0; r && i < r->nlabels; i++)
        APR_ARRAY_PUSH(a, const char *) = r->labels[i];
    return apr_array_pstrcat(p, a, ' ');
}

void st_resource_labels_put(tx_t *t, const iam_roles_t *roles, iam_plan_e plan,
                            iam_resource_labels_t *want)
{
    iam_resource_labels_t *was = NULL;
    const char *e;
    key_t_ k;
    int i, j;

    if ((e = iam_check_resource_type(want->type)) || (e = iam_check_resource_name(want->name))) {
        tx_fail(t, IAM_INVALID, "%s '%s': %s", want->type ? want->type : "",
                want->name ? want->name : "", e);
        return;
    }
    if (!iam_roles_has_type(roles, want->type)) {
        tx_fail(t, IAM_INVALID, "no role grants on resources of type '%s'", want->type);
        return;
    }
    if (want->nlabels && !iam_plan_allows_labels(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no labels", iam_plan_name(plan));
        return;
    }
    if (want->nlabels > IAM_RESOURCE_LABELS_MAX) {
        tx_fail(t, IAM_INVALID, "a resource carries at most %d labels", IAM_RESOURCE_LABELS_MAX);
        return;
    }
    for (i = 0; i < want->nlabels && t->status == IAM_OK; i++) {
        size_t kl = strcspn(want->labels[i], ":");
        if ((e = iam_check_label(want->labels[i]))) {
            tx_fail(t, IAM_INVALID, "label '%s': %s", want->labels[i], e);
            return;
        }
        for (j = i + 1; j < want->nlabels; j++) {
            if (!strncasecmp(want->labels[i], want->labels[j], kl + 1)) {
                tx_fail(t, IAM_INVALID,
                        "labels '%s' and '%s' share a key: a resource has one value per key",
                        want->labels[i], want->labels[j]);
                return;
            }
        }
        if (!t->restoring && !tx_label_exists(t, want->labels[i]) && t->status == IAM_OK)
            tx_fail(t, IAM_INVALID, "there is no label '%s': create it first", want->labels[i]);
    }
    if (t->status != IAM_OK || tx_resource(t, want->type, want->name, &was) < 0)
        return;
    if (was) {
        /* the name as it was first labelled: one record, whatever the case */
        want->type = was->type;
        want->name = was->name;
        set_mirror(t, was, 0);
    }
    key_make(&k, 'b', want->type, want->name);
    if (want->nlabels) {
        want->by = t->actor ? t->actor : "system";
        want->at = (long long)time(NULL);
        tx_put(t, &k, encode_resource(t->p, want));
        set_mirror(t, want, 1);
    } else if (was) {
        tx_del(t, &k);
    }
    if (strcmp(labels_text(t->p, was), labels_text(t->p, want)))
        st_audit(t, "resource.labels", apr_pstrcat(t->p, want->type, ":", want->name, NULL),
                 labels_text(t->p, was), labels_text(t->p, want));
}

static void resource_labels_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    st_resource_labels_put(t, roles, plan, data);
}

iam_status_e iam_store_resource_labels_set(iam_store_t *st, const char *actor, const char *type,
                                           const char *name, const char *const *labels, int n,
                                           iam_err_t *err)
{
    iam_resource_labels_t want = {type, name, n, (const char **)labels, NULL, 0};

    return st_write_op(st, actor, err, resource_labels_op, &want);
}

typedef struct {
    const char *label;
    const iam_resource_t *res;
    int n;
} assign_ctx_t;

/* The label on each resource, in place of the value it had for that key. */
static void assign_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    assign_ctx_t *c = data;
    size_t kl = strcspn(c->label, ":") + 1;
    int i, j;

    if (!c->n) {
        tx_fail(t, IAM_INVALID, "pick at least one resource to label");
        return;
    }
    for (i = 0; i < c->n && t->status == IAM_OK; i++) {
        iam_resource_labels_t *was = NULL,
                              want = {c->res[i].type, c->res[i].name, 0, NULL, NULL, 0};
        if (!iam_check_resource_type(want.type) && !iam_check_resource_name(want.name) &&
            tx_resource(t, want.type, want.name, &was) < 0)
            return;
        want.labels = apr_pcalloc(t->p, sizeof(char *) * (size_t)((was ? was->nlabels : 0) + 2));
        for (j = 0; was && j < was->nlabels; j++) {
            if (strncasecmp(was->labels[j], c->label, kl))
                want.labels[want.nlabels++] = was->labels[j];
        }
        want.labels[want.nlabels++] = c->label;
        st_resource_labels_put(t, roles, plan, &want);
    }
}

iam_status_e iam_store_label_assign(iam_store_t *st, const char *actor, const char *label,
                                    const iam_resource_t *res, int n, iam_err_t *err)
{
    assign_ctx_t c = {label, res, n};
    const char *e;

    if ((e = iam_check_label(label)))
        return st_fail(err, IAM_INVALID, "label '%s': %s", label ? label : "", e);
    return st_write_op(st, actor, err, assign_op, &c);
}

static void declared_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    MDB_val now = encode_declared(t->p, data), v;
    key_t_ k;

    (void)roles;
    (void)plan;
    key_meta(&k, "declared");
    if (tx_get(t, &k, &v) == 1 && v.mv_size == now.mv_size &&
        !memcmp(v.mv_data, now.mv_data, v.mv_size))
        return; /* as the server recorded it last: nothing to log */
    tx_put(t, &k, now);
}

iam_status_e iam_store_set_declared(iam_store_t *st, const char *actor,
                                    const apr_array_header_t *decls, iam_err_t *err)
{
    int i;

    for (i = 0; i < decls->nelts; i++) {
        const iam_declared_t *d = &APR_ARRAY_IDX(decls, i, iam_declared_t);
        if (iam_check_resource_type(d->res.type) || d->res.nlabels > IAM_RESOURCE_LABELS_MAX ||
            !labels_ok(d->res.labels, d->res.nlabels))
            return st_fail(err, IAM_INVALID, "httpd.conf's resource %s %s cannot be recorded",
                           d->res.type, d->res.name ? d->res.name : "*");
    }
    return st_write_op(st, actor, err, declared_op, (void *)decls);
}
