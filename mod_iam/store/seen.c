/* mod_iam store: what the server's children saw, recorded after they
 * answered (iam_store_touch, from mod_iam/touch.c): a member's request
 * (an invited member turns active; the last visit, to the hour), an
 * API token's use (to the minute), and a first login that takes up an
 * invitation or is provisioned. One transaction for a batch. */
#include "store_int.h"

typedef struct {
    iam_touch_t *touch;
    int n;
} touch_ctx_t;

static void seen_member(tx_t *t, const iam_touch_t *x)
{
    iam_member_t *m;

    if (tx_member(t, x->key, &m) != 1)
        return; /* removed meanwhile (or damaged: the transaction says so) */
    if (m->status == IAM_INVITED) {
        m->status = IAM_ACTIVE;
        m->last_seen = x->when;
        st_put_member(t, m);
        st_audit(t, "member.activate", m->login, "invited", "active");
    } else if (m->last_seen + 3600 < x->when) {
        m->last_seen = x->when;
        st_put_member(t, m);
    }
}

static void used_token(tx_t *t, const iam_touch_t *x)
{
    unsigned char hash[32];
    iam_token_t *tk;
    key_t_ k;
    MDB_val v;

    if (key_make(&k, 'T', x->key, NULL) || tx_get(t, &k, &v) != 1 ||
        !(tk = rec_decode_token(t->p, &v, hash)) || tk->last_used >= x->when)
        return; /* revoked meanwhile, or already later */
    tk->last_used = x->when;
    tx_put(t, &k, rec_encode_token(t->p, tk, hash));
}

/* An arrival the store now refuses (an owner removed the invitation, the
 * plan changed) is skipped: the rest of the batch is written. */
static void arrived(tx_t *t, iam_touch_t *x)
{
    iam_arrive_e what;
    iam_err_t *err = t->err, mine;

    t->err = &mine;
    what = st_arrival(t, x->key, x->email, x->name, x->provision);
    t->err = err;
    if (t->status == IAM_EXISTS || t->status == IAM_INVALID || t->status == IAM_PLAN) {
        t->status = IAM_OK; /* refused before any write: the transaction is as it was */
        return;
    }
    if (what != IAM_ARRIVE_NONE)
        st_arrive(t, x->key, x->email, x->name, x->provision, &x->arrived);
}

static void touch_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const touch_ctx_t *c = data;
    int i;

    (void)roles;
    (void)plan;
    for (i = 0; i < c->n && t->status == IAM_OK; i++) {
        if (c->touch[i].kind == IAM_TOUCH_MEMBER)
            seen_member(t, &c->touch[i]);
        else if (c->touch[i].kind == IAM_TOUCH_TOKEN)
            used_token(t, &c->touch[i]);
        else if (c->touch[i].kind == IAM_TOUCH_ARRIVE)
            arrived(t, &c->touch[i]);
    }
}

iam_status_e iam_store_touch(iam_store_t *st, iam_touch_t *touch, int n, iam_err_t *err)
{
    touch_ctx_t c = {touch, n};

    if (n <= 0)
        return IAM_OK;
    return st_write_op(st, "system", err, touch_op, &c);
}
