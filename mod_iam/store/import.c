/* mod_iam store: import: members and groups (an export) into an empty
 * store, in one transaction. */
#include "store_int.h"

#include <apr_strings.h>

typedef struct {
    iam_plan_e plan;
    apr_array_header_t *members, *groups;
    const apr_array_header_t *labels, *resources;
} import_ctx_t;

static void import_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    import_ctx_t *c = data;
    key_t_ k;
    MDB_val v;
    int i, j;

    if (tx_meta_count(t, "members") > 0 || tx_meta_count(t, "groups") > 0 ||
        tx_count_prefix(t, 'M') > 0) {
        tx_fail(t, IAM_EXISTS, "store %s is not empty: import restores into an empty store",
                t->st->dir);
        return;
    }
    /* The file's grants may name labels its server's httpd.conf declared:
     * this store's server declares them, or they stay in use (and so
     * grantable) until revoked. */
    t->restoring = 1;
    /* A plan recorded by a server (IAMPlan) stays; the file must fit it. */
    key_meta(&k, "plan-by");
    if (tx_get(t, &k, &v) == 1) {
        c->plan = plan;
    } else {
        key_meta(&k, "plan");
        tx_put(t, &k, st_str_val(iam_plan_name(c->plan)));
    }
    for (i = 0; c->labels && i < c->labels->nelts && t->status == IAM_OK; i++) {
        const iam_label_t *l = APR_ARRAY_IDX(c->labels, i, const iam_label_t *);
        st_label_make(t, c->plan, l->label, l->description);
    }
    for (i = 0; c->resources && i < c->resources->nelts && t->status == IAM_OK; i++)
        st_resource_labels_put(t, roles, c->plan,
                               APR_ARRAY_IDX(c->resources, i, iam_resource_labels_t *));
    for (i = 0; i < c->groups->nelts && t->status == IAM_OK; i++) {
        iam_group_t *in = APR_ARRAY_IDX(c->groups, i, iam_group_t *);
        iam_group_t *g = tx_group_create(t, in->name, c->plan);
        if (!g)
            break;
        g->grants = st_build_grants(t, in->grants, roles, c->plan, 1,
                                    apr_psprintf(t->p, "group '%s'", g->name));
        g->pii = in->pii;
        if (in->created)
            g->created = in->created;
        st_put_group(t, g);
    }
    for (i = 0; i < c->members->nelts && t->status == IAM_OK; i++) {
        iam_member_t *in = APR_ARRAY_IDX(c->members, i, iam_member_t *);
        iam_member_t *m = tx_member_add(t, in->login, in->email && *in->email ? in->email : NULL,
                                        in->name && *in->name ? in->name : NULL, in->status, 0);
        if (!m)
            break;
        m->grants = st_build_grants(t, in->grants, roles, c->plan, 0,
                                    apr_psprintf(t->p, "member '%s'", m->login));
        st_set_owner_index(t, m->login, st_is_owner_grants(m->grants));
        m->pii = in->pii;
        if (in->created)
            m->created = in->created;
        st_put_member(t, m);
        for (j = 0; in->groups && j < in->groups->nelts && t->status == IAM_OK; j++) {
            const char *gname = APR_ARRAY_IDX(in->groups, j, const char *);
            iam_group_t *g;
            if (tx_group(t, gname, &g) != 1) {
                if (t->status == IAM_OK)
                    tx_fail(t, IAM_INVALID,
                            "member '%s' is in group '%s', which the file does not define",
                            m->login, gname);
                break;
            }
            tx_group_link(t, g->name, m->login, 1, 1, 0);
        }
    }
    if (t->status == IAM_OK && tx_count_prefix(t, 'O') == 0 && c->members->nelts > 0)
        tx_fail(t, IAM_LAST_OWNER, "the import has no Workspace Owner");
    /* an empty workspace filled: everyone in it was made with an id */
    key_meta(&k, "ids");
    tx_put(t, &k, st_str_val("1"));
    st_audit(t, "import", "", "",
             apr_psprintf(t->p, "%d members, %d groups", c->members->nelts, c->groups->nelts));
}

iam_status_e iam_store_import(iam_store_t *st, const char *actor, iam_plan_e plan,
                              apr_array_header_t *members, apr_array_header_t *groups,
                              iam_err_t *err)
{
    return iam_store_import_all(st, actor, plan, members, groups, NULL, NULL, err);
}

iam_status_e iam_store_import_all(iam_store_t *st, const char *actor, iam_plan_e plan,
                                  apr_array_header_t *members, apr_array_header_t *groups,
                                  const apr_array_header_t *labels,
                                  const apr_array_header_t *resources, iam_err_t *err)
{
    import_ctx_t c = {plan, members, groups, labels, resources};
    return st_write_op(st, actor, err, import_op, &c);
}
