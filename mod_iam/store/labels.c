/* mod_iam store: the workspace's labels, 'l' label -> record (the key
 * lower-cased, as labels match whatever their case). Every workspace has
 * env:dev and env:prod, built in: no record, never deleted. Owners make
 * their own; one that a grant uses cannot be deleted (the role-holder
 * index says which grants, one lookup per role). Labels are facts of the
 * log: replicas and replays have them. */
#include "store_int.h"

#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LABEL_FORMAT 1
#define USERS_SHOWN 5 /* grants named when a delete is refused */

static const char *const builtin[] = {"env:dev", "env:prod"};

int iam_label_builtin(const char *label)
{
    size_t i;

    for (i = 0; label && i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        if (!strcasecmp(label, builtin[i]))
            return 1;
    }
    return 0;
}

static MDB_val encode_label(apr_pool_t *p, const iam_label_t *l)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, LABEL_FORMAT);
    w_str(&w, l->label);
    w_str(&w, l->description);
    w_str(&w, l->creator);
    w_u64(&w, (unsigned long long)l->created);
    return w_val(&w);
}

iam_label_t *rec_decode_label(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_label_t *l = apr_pcalloc(p, sizeof(*l));

    if (r_u8(&r) != LABEL_FORMAT)
        return NULL;
    l->label = r_str(&r);
    l->description = r_str(&r);
    l->creator = r_str(&r);
    l->created = (long long)r_u64(&r);
    if (r.bad || r.off != r.n || iam_check_label(l->label))
        return NULL;
    return l;
}

typedef struct {
    const char *label;
    const char *description;
} label_ctx_t;

void st_label_make(tx_t *t, iam_plan_e plan, const char *label, const char *description)
{
    iam_label_t l = {label, description ? description : "", t->actor ? t->actor : "system", 0, 0};
    const char *e;
    key_t_ k;
    MDB_val v;

    if ((e = iam_check_label(label))) {
        tx_fail(t, IAM_INVALID, "label '%s': %s", label ? label : "", e);
        return;
    }
    if (*l.description && (e = iam_check_text(l.description, 200))) {
        tx_fail(t, IAM_INVALID, "the description %s", e);
        return;
    }
    if (!iam_plan_allows_labels(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no labels", iam_plan_name(plan));
        return;
    }
    key_make(&k, 'l', label, NULL); /* iam_check_label bounds its length */
    if (iam_label_builtin(label) || tx_get(t, &k, &v) == 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "label '%s' exists already%s", label,
                    iam_label_builtin(label) ? " (every workspace has it)" : "");
        return;
    }
    l.created = (long long)time(NULL);
    tx_put(t, &k, encode_label(t->p, &l));
    st_audit(t, "label.create", label, "", l.description);
}

static void label_create_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    label_ctx_t *c = data;

    (void)roles;
    st_label_make(t, plan, c->label, c->description);
}

iam_status_e iam_store_label_create(iam_store_t *st, const char *actor, const char *label,
                                    const char *description, iam_err_t *err)
{
    label_ctx_t c = {label, description};

    return st_write_op(st, actor, err, label_create_op, &c);
}

/* The grants on `label`, from the role-holder index: counted, at most
 * `max` (*more: there are more), and named ("member NAME", "group NAME")
 * into `who` unless it is NULL. */
typedef struct {
    apr_array_header_t *who;
    int max;
    size_t prefix;
    int count;
    int more;
} users_t;

static int one_user(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    users_t *u = data;
    const char *b = (const char *)k->mv_data + u->prefix;
    size_t n = k->mv_size - u->prefix;

    (void)v;
    if (n < 2)
        return 1;
    if (u->count >= u->max) {
        u->more = 1;
        return 0;
    }
    u->count++;
    if (u->who)
        APR_ARRAY_PUSH(u->who, const char *) = apr_pstrcat(
            t->p, b[0] == 'g' ? "group " : "member ", apr_pstrmemdup(t->p, b + 1, n - 1), NULL);
    return 1;
}

static void label_users(tx_t *t, const iam_roles_t *roles, const char *label, users_t *u)
{
    key_t_ k;
    int i;

    for (i = 0; i < roles->n && !u->more && t->status == IAM_OK; i++) {
        const char *target = apr_psprintf(t->p, "%s\tl:%s", roles->role[i].slug, label);
        if (key_make(&k, 'X', target, NULL) || k.n + 1 > MAXKEY)
            continue;
        k.b[k.n++] = 0; /* the whole label: not env:prod for env:pro */
        u->prefix = k.n;
        tx_scan(t, &k, NULL, one_user, u);
    }
}

/* Whether a grant may name `label`: the workspace has it, or a grant or
 * a resource uses it already (a label in use cannot be deleted, so it
 * stays as good as made: stores from before labels were objects hold
 * such grants, and a member's grants are saved whole). */
int st_label_grantable(tx_t *t, const iam_roles_t *roles, const char *label)
{
    users_t u = {NULL, 1, 0, 0, 0};

    if (tx_label_exists(t, label) || t->status != IAM_OK)
        return 1;
    label_users(t, roles, label, &u);
    return u.count > 0 || tx_label_resources(t, label) > 0;
}

/* The resources that carry `label`, for a refusal: the workspace's
 * labelled ones, then httpd.conf's. */
static const char *resources_using(tx_t *t, const char *label)
{
    int n = tx_label_resources(t, label);
    const iam_declared_t *d = NULL;
    int nd = st_declared_has(tx_declared(t), label, &d);

    if (n)
        return apr_psprintf(t->p, "%d resource%s", n, n == 1 ? "" : "s");
    if (nd)
        return apr_psprintf(t->p, "%s %s (httpd.conf)%s", d->res.type,
                            d->res.name ? d->res.name : "*", nd > 1 ? " and more" : "");
    return NULL;
}

static void label_delete_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const char *label = data;
    users_t u = {apr_array_make(t->p, USERS_SHOWN, sizeof(const char *)), USERS_SHOWN, 0, 0, 0};
    const char *used;
    iam_label_t *l;
    key_t_ k;
    MDB_val v;

    (void)plan;
    if (iam_label_builtin(label)) {
        tx_fail(t, IAM_INVALID, "label '%s' is built in: every workspace has it", label);
        return;
    }
    if (iam_check_label(label) || key_make(&k, 'l', label, NULL) || tx_get(t, &k, &v) != 1) {
        if (t->status == IAM_OK && !iam_check_label(label) &&
            st_declared_has(tx_declared(t), label, NULL))
            tx_fail(t, IAM_INVALID,
                    "label '%s' comes from httpd.conf: it goes when no line there carries it",
                    label);
        else if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no label '%s'", label);
        return;
    }
    if (!(l = rec_decode_label(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of label '%s' is damaged", t->st->dir, label);
        return;
    }
    label_users(t, roles, label, &u);
    used = resources_using(t, label);
    if (used || u.who->nelts) {
        tx_fail(t, IAM_IN_USE, "label '%s' is in use by %s%s%s%s%s: %s first", l->label,
                used ? used : "", used && u.who->nelts ? " and " : "",
                u.who->nelts ? "the grants of " : "", apr_array_pstrcat(t->p, u.who, ','),
                u.more ? " and more" : "",
                used ? (u.who->nelts ? "take it off and revoke them" : "take it off")
                     : "revoke them");
        return;
    }
    tx_del(t, &k);
    st_audit(t, "label.delete", l->label, l->description, "");
}

iam_status_e iam_store_label_delete(iam_store_t *st, const char *actor, const char *label,
                                    iam_err_t *err)
{
    return st_write_op(st, actor, err, label_delete_op, (void *)label);
}

static int list_label(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    iam_label_t *l = rec_decode_label(t->p, v);

    (void)k;
    if (!l) {
        tx_fail(t, IAM_CORRUPT, "store %s: a label record is damaged", t->st->dir);
        return 0;
    }
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_label_t *) = l;
    return 1;
}

static int by_label(const void *a, const void *b)
{
    return strcasecmp((*(iam_label_t *const *)a)->label, (*(iam_label_t *const *)b)->label);
}

static iam_label_t *find_label(apr_array_header_t *labels, const char *label)
{
    int i;

    for (i = 0; i < labels->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(labels, i, iam_label_t *)->label, label))
            return APR_ARRAY_IDX(labels, i, iam_label_t *);
    }
    return NULL;
}

/* Every label: built in, made, and declared in httpd.conf, with what uses
 * each; in one read transaction. */
iam_status_e iam_store_label_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err)
{
    apr_array_header_t *made = apr_array_make(p, 16, sizeof(iam_label_t *)), *decls;
    iam_roles_t roles;
    size_t i;
    int j, d;
    tx_t t;

    *out = apr_array_make(p, 16, sizeof(iam_label_t *));
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    tx_roles(&t, &roles);
    tx_each_record(&t, 'l', list_label, made);
    for (j = 0; j < made->nelts; j++)
        APR_ARRAY_IDX(made, j, iam_label_t *)->made = 1;
    decls = tx_declared(&t);
    for (d = 0; decls && d < decls->nelts; d++) {
        const iam_declared_t *dr = &APR_ARRAY_IDX(decls, d, iam_declared_t);
        for (j = 0; j < dr->res.nlabels; j++) {
            iam_label_t *l = find_label(made, dr->res.labels[j]);
            if (!l && !iam_label_builtin(dr->res.labels[j])) {
                l = apr_pcalloc(p, sizeof(*l));
                l->label = dr->res.labels[j];
                l->description = l->creator = "";
                APR_ARRAY_PUSH(made, iam_label_t *) = l;
            }
        }
    }
    qsort(made->elts, (size_t)made->nelts, sizeof(iam_label_t *), by_label);
    for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        iam_label_t *l = apr_pcalloc(p, sizeof(*l));
        l->label = builtin[i];
        l->description = l->creator = "";
        l->builtin = 1;
        APR_ARRAY_PUSH(*out, iam_label_t *) = l;
    }
    apr_array_cat(*out, made);
    for (j = 0; j < (*out)->nelts && t.status == IAM_OK; j++) {
        iam_label_t *l = APR_ARRAY_IDX(*out, j, iam_label_t *);
        users_t u = {NULL, IAM_LABEL_COUNT_MAX, 0, 0, 0};
        int nd = st_declared_has(decls, l->label, NULL);
        label_users(&t, &roles, l->label, &u);
        l->declared = nd > 0;
        l->resources = tx_label_resources(&t, l->label) + nd;
        l->grants = u.count;
        l->more = u.more;
    }
    return tx_done(&t);
}
