/* mod_iam store: the workspace's settings: the plan, the custom roles and
 * the login case recorded by the server (or iamctl), and the secret. */
#include "store_int.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <string.h>

typedef struct {
    iam_plan_e plan;
    const iam_roles_t *roles;
    int force;
    int by_server;
    int fold;
} workspace_ctx_t;

static void set_workspace_op(tx_t *t, const iam_roles_t *roles, iam_plan_e old, void *data)
{
    workspace_ctx_t *c = data;
    key_t_ k;
    MDB_val v;

    (void)roles;
    key_meta(&k, "plan-by");
    if (!c->by_server && !c->force && tx_get(t, &k, &v) == 1) {
        tx_fail(t, IAM_INVALID,
                "the plan of store %s is set by IAMPlan in httpd.conf; change it there and "
                "restart Apache",
                t->st->dir);
        return;
    }
    if (c->by_server) {
        const char *lc = c->fold ? "fold" : "exact";
        tx_put(t, &k, st_str_val("server"));
        key_meta(&k, "roles");
        tx_put(t, &k, rec_encode_roles(t->p, c->roles));
        key_meta(&k, "login-case");
        if (tx_get(t, &k, &v) != 1)
            v = st_str_val("exact");
        if (v.mv_size != strlen(lc) || memcmp(v.mv_data, lc, v.mv_size))
            st_audit(t, "workspace.login-case", "", apr_pstrmemdup(t->p, v.mv_data, v.mv_size), lc);
        tx_put(t, &k, st_str_val(lc));
    }
    key_meta(&k, "plan");
    tx_put(t, &k, st_str_val(iam_plan_name(c->plan)));
    if (old != c->plan)
        st_audit(t, "workspace.plan", "", iam_plan_name(old), iam_plan_name(c->plan));
}

iam_status_e iam_store_set_workspace(iam_store_t *st, const char *actor, iam_plan_e plan,
                                     const iam_roles_t *roles, int fold_case, iam_err_t *err)
{
    workspace_ctx_t c = {plan, roles, 1, 1, fold_case ? 1 : 0};
    iam_status_e rc = st_write_op(st, actor, err, set_workspace_op, &c);

    if (rc == IAM_OK)
        st->fold = c.fold;
    return rc;
}

iam_status_e iam_store_set_plan(iam_store_t *st, const char *actor, iam_plan_e plan, int force,
                                iam_err_t *err)
{
    workspace_ctx_t c = {plan, NULL, force, 0, 0};
    return st_write_op(st, actor, err, set_workspace_op, &c);
}

static void secret_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *out)
{
    key_t_ k;
    MDB_val v;

    (void)roles;
    (void)plan;
    key_meta(&k, "secret");
    if (tx_get(t, &k, &v) == 1 && v.mv_size == 32) {
        memcpy(out, v.mv_data, 32); /* another process made it first */
        return;
    }
    if (apr_generate_random_bytes(out, 32) != APR_SUCCESS) {
        tx_fail(t, IAM_ERROR, "no random bytes for the workspace secret");
        return;
    }
    tx_put(t, &k, (MDB_val){32, out});
}

iam_status_e iam_store_secret(iam_store_t *st, unsigned char out[32], iam_err_t *err)
{
    apr_pool_t *p;
    tx_t t;
    key_t_ k;
    MDB_val v;
    int have = 0;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, 0, p, err) == IAM_OK) {
        key_meta(&k, "secret");
        if (tx_get(&t, &k, &v) == 1 && v.mv_size == 32) {
            memcpy(out, v.mv_data, 32);
            have = 1;
        }
        tx_done(&t);
    }
    apr_pool_destroy(p);
    if (t.status != IAM_OK || have)
        return t.status;
    return st_fail(err, IAM_NOTFOUND,
                   "store %s has no workspace secret: restart Apache or run 'iamctl init', "
                   "which make it",
                   st->dir);
}

iam_status_e iam_store_secret_make(iam_store_t *st, iam_err_t *err)
{
    unsigned char out[32];

    return st_write_op(st, "system", err, secret_op, out);
}
