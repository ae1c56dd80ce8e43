/* mod_iam store: the workspace's labels, 'l' label -> record (the key
 * lower-cased, as labels match whatever their case). Every workspace has
 * env:dev and env:prod, built in: no record, never deleted. Owners make
 * their own; one that a grant uses cannot be deleted (the role-holder
 * index says which grants, one lookup per role). Labels are facts of the
 * log: replicas and replays have them. */
#include "store_int.h"

#include <apr_strings.h>
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

static void label_create_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    label_ctx_t *c = data;
    iam_label_t l = {c->label, c->description ? c->description : "", t->actor ? t->actor : "system",
                     0, 0};
    const char *e;
    key_t_ k;
    MDB_val v;

    (void)roles;
    if ((e = iam_check_label(c->label))) {
        tx_fail(t, IAM_INVALID, "label '%s': %s", c->label, e);
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
    key_make(&k, 'l', c->label, NULL); /* iam_check_label bounds its length */
    if (iam_label_builtin(c->label) || tx_get(t, &k, &v) == 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "label '%s' exists already%s", c->label,
                    iam_label_builtin(c->label) ? " (every workspace has it)" : "");
        return;
    }
    l.created = (long long)time(NULL);
    tx_put(t, &k, encode_label(t->p, &l));
    st_audit(t, "label.create", c->label, "", l.description);
}

iam_status_e iam_store_label_create(iam_store_t *st, const char *actor, const char *label,
                                    const char *description, iam_err_t *err)
{
    label_ctx_t c = {label, description};

    return st_write_op(st, actor, err, label_create_op, &c);
}

/* The grants on `label`: "member NAME" or "group NAME", from the
 * role-holder index, USERS_SHOWN at most (*more: whether there are more). */
typedef struct {
    apr_array_header_t *who;
    size_t prefix;
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
    if (u->who->nelts >= USERS_SHOWN) {
        u->more = 1;
        return 0;
    }
    APR_ARRAY_PUSH(u->who, const char *) = apr_pstrcat(t->p, b[0] == 'g' ? "group " : "member ",
                                                       apr_pstrmemdup(t->p, b + 1, n - 1), NULL);
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

static void label_delete_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const char *label = data;
    users_t u = {apr_array_make(t->p, USERS_SHOWN, sizeof(const char *)), 0, 0};
    iam_label_t *l;
    key_t_ k;
    MDB_val v;

    (void)plan;
    if (iam_label_builtin(label)) {
        tx_fail(t, IAM_INVALID, "label '%s' is built in: every workspace has it", label);
        return;
    }
    if (iam_check_label(label) || key_make(&k, 'l', label, NULL) || tx_get(t, &k, &v) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no label '%s'", label);
        return;
    }
    if (!(l = rec_decode_label(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of label '%s' is damaged", t->st->dir, label);
        return;
    }
    label_users(t, roles, label, &u);
    if (u.who->nelts) {
        tx_fail(t, IAM_IN_USE, "label '%s' is in use by the grants of %s%s: revoke them first",
                l->label, apr_array_pstrcat(t->p, u.who, ','), u.more ? " and more" : "");
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

iam_status_e iam_store_label_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err)
{
    apr_array_header_t *made;
    size_t i;

    if (st_list_records(st, p, 'l', list_label, &made, err) != IAM_OK)
        return err->status;
    *out = apr_array_make(p, made->nelts + 2, sizeof(iam_label_t *));
    for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
        iam_label_t *l = apr_pcalloc(p, sizeof(*l));
        l->label = builtin[i];
        l->description = "";
        l->creator = "";
        l->builtin = 1;
        APR_ARRAY_PUSH(*out, iam_label_t *) = l;
    }
    apr_array_cat(*out, made);
    return IAM_OK;
}
