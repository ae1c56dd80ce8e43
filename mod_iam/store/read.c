/* mod_iam store: reads of one record, in a transaction the caller holds
 * (a member, a group, a subject for the decision, their links) and the
 * read calls built on them: a subject, a member, a group, the owners. */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

/* Reads the raw record of a member ('M') or group ('G'): 1 found, 0 not,
 * -1 failed (status set). */
int tx_record(tx_t *t, char type, const char *name, MDB_val *v)
{
    key_t_ k;

    if (key_make(&k, type, name, NULL)) {
        tx_fail(t, IAM_INVALID, "%s is too long", type == 'M' ? "login" : "group name");
        return -1;
    }
    return tx_get_memo(t, &k, v);
}

int tx_member(tx_t *t, const char *login, iam_member_t **out)
{
    MDB_val v;
    int found = tx_record(t, 'M', login, &v);

    *out = NULL;
    if (found == 1 && !(*out = rec_decode_member(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged", t->st->dir,
                login);
        return -1;
    }
    return found;
}

/* The member whose login is `login` as the workspace matches logins: keys
 * are folded, so a record found under the key of `login` is its member
 * only if its login is `login` exactly, unless logins fold (IAMLoginCase).
 * For logins from outside (a request, a form, a command line); keys read
 * back from the store's own indexes go to tx_member. */
int tx_member_named(tx_t *t, const char *login, iam_member_t **out)
{
    int found = tx_member(t, login, out);

    if (found == 1 && !t->st->fold && strcmp((*out)->login, login)) {
        *out = NULL;
        return 0;
    }
    return found;
}

/* Fails the transaction: no member `login` (naming the member whose login
 * differs only in case, when logins do not fold). */
void tx_no_member(tx_t *t, const char *login)
{
    iam_member_t *m;

    if (t->status != IAM_OK)
        return;
    if (tx_member(t, login, &m) == 1 && strcmp(m->login, login))
        tx_fail(t, IAM_NOTFOUND,
                "no member '%s' (logins match exactly, IAMLoginCase exact: the member is '%s')",
                login, m->login);
    else if (t->status == IAM_OK)
        tx_fail(t, IAM_NOTFOUND, "no member '%s'", login);
}

/* The member named `login` (tx_member_named), or NULL with the transaction
 * failed as tx_no_member says. */
iam_member_t *tx_member_must(tx_t *t, const char *login)
{
    iam_member_t *m;

    if (tx_member_named(t, login, &m) == 1)
        return m;
    tx_no_member(t, login);
    return NULL;
}

int tx_group(tx_t *t, const char *name, iam_group_t **out)
{
    MDB_val v;
    int found = tx_record(t, 'G', name, &v);

    *out = NULL;
    if (found == 1 && !(*out = rec_decode_group(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the record of group '%s' is damaged", t->st->dir, name);
        return -1;
    }
    return found;
}

/* Calls fn(suffix) for every key that starts with type+a+0x00; suffix is
 * the lower-cased part after the 0x00. */
typedef struct {
    size_t n; /* the prefix's length */
    void (*fn)(tx_t *, const char *, void *);
    void *ctx;
} link_scan_t;

static int each_link(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    link_scan_t *c = data;

    c->fn(t, apr_pstrmemdup(t->p, (char *)k->mv_data + c->n, k->mv_size - c->n), c->ctx);
    return 1;
}

void tx_each_link(tx_t *t, char type, const char *a, void (*fn)(tx_t *, const char *, void *),
                  void *ctx)
{
    link_scan_t c = {0, fn, ctx};
    key_t_ k;

    if (t->status != IAM_OK)
        return;
    if (key_make(&k, type, a, "")) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return;
    }
    c.n = k.n;
    tx_scan(t, &k, NULL, each_link, &c);
}

void st_add_name(tx_t *t, const char *name, void *data)
{
    (void)t;
    APR_ARRAY_PUSH((apr_array_header_t *)data, const char *) = name;
}

void st_add_group_set(tx_t *t, const char *group, void *data)
{
    subject_ctx_t *ctx = data;
    iam_group_t *g;

    if (tx_group(t, group, &g) != 1) {
        tx_fail(t, IAM_CORRUPT, "store %s: membership names missing group '%s'", t->st->dir, group);
        return;
    }
    if (ctx->sets) {
        iam_grant_set_t *s = apr_array_push(ctx->sets);
        s->via = g->name;
        s->grants = (iam_grant_t *)g->grants->elts;
        s->ngrants = g->grants->nelts;
        if (ctx->subj)
            ctx->subj->pii |= g->pii;
    }
    APR_ARRAY_PUSH(ctx->names, const char *) = g->name;
}

/* The subject of `login` in transaction t (a read, or a write about to
 * commit): 1 found, 0 not (nothing failed), -1 failed. The login matches
 * its record regardless of case; the caller checks the case it needs. */
int tx_subject(tx_t *t, const char *login, const iam_roles_t *roles, iam_subject_t *out)
{
    iam_member_t *m = NULL;
    apr_pool_t *p = t->p;
    MDB_val v;
    int found, flat;

    memset(out, 0, sizeof(*out));
    if ((found = tx_record(t, 'M', login, &v)) != 1)
        return found;
    /* one read: the record carries the grants of the member's groups
     * (but for groups with grants too big to copy, read here) */
    if ((m = rec_decode_member_at(p, &v, out, &flat)) && flat) {
        int s;
        for (s = 1; s < out->nsets && t->status == IAM_OK; s++) {
            iam_group_t *g;
            if (out->sets[s].grants)
                continue;
            if (tx_group(t, out->sets[s].via, &g) != 1) {
                tx_fail(t, IAM_CORRUPT, "store %s: member '%s' is in missing group '%s'",
                        t->st->dir, login, out->sets[s].via);
                return -1;
            }
            out->sets[s].grants = (iam_grant_t *)g->grants->elts;
            out->sets[s].ngrants = g->grants->nelts;
        }
    } else if (m) {
        /* a record from before format 3, in a store not yet upgraded */
        subject_ctx_t ctx = {out, apr_array_make(p, 4, sizeof(iam_grant_set_t)), m->groups};
        iam_grant_set_t *direct = apr_array_push(ctx.sets);
        direct->via = NULL;
        direct->grants = (iam_grant_t *)m->grants->elts;
        direct->ngrants = m->grants->nelts;
        tx_each_link(t, 'm', login, st_add_group_set, &ctx);
        out->sets = (iam_grant_set_t *)ctx.sets->elts;
        out->nsets = ctx.sets->nelts;
    }
    if (!m || strcasecmp(m->login, login)) {
        /* (a record under another login's key: never someone else's grants) */
        tx_fail(t, IAM_CORRUPT, "store %s: the record of member '%s' is damaged", t->st->dir,
                login);
        return -1;
    }
    if (t->status != IAM_OK)
        return -1;
    out->member = m;
    out->owner = iam_policy_is_owner(roles, out->sets, out->nsets);
    out->pii |= out->owner || m->pii;
    return 1;
}

iam_status_e iam_store_subject(iam_store_t *st, apr_pool_t *p, const char *login,
                               const iam_roles_t *roles, iam_subject_t *out, iam_err_t *err)
{
    tx_t t;
    int found;

    if (tx_begin(&t, st, 0, p, err) != IAM_OK) {
        memset(out, 0, sizeof(*out));
        return t.status;
    }
    found = tx_subject(&t, login, roles, out);
    if (found == 1 && !st->fold && strcmp(out->member->login, login))
        tx_fail(&t, IAM_NOTFOUND, "'%s' is not a member (the member '%s' differs in case)", login,
                out->member->login);
    else if (found == 0)
        tx_fail(&t, IAM_NOTFOUND, "'%s' is not a member", login);
    if (t.status != IAM_OK)
        memset(out, 0, sizeof(*out));
    return tx_done(&t);
}

static int count_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *n)
{
    ++*(int *)n;
    return 1;
}

/* How many keys of one type; a cursor error fails the transaction (an
 * undercount must not pass for "no owner"). */
int tx_count_prefix(tx_t *t, char type)
{
    key_t_ k;
    int n = 0;

    key_make(&k, type, "", NULL);
    tx_scan(t, &k, NULL, count_one, &n);
    return n;
}

iam_status_e iam_store_info(iam_store_t *st, iam_workspace_info_t *out, apr_pool_t *p,
                            iam_err_t *err)
{
    tx_t t;

    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    out->plan = tx_plan(&t);
    tx_roles(&t, &out->roles);
    out->owners = tx_count_prefix(&t, 'O');
    out->members = (int)tx_meta_count(&t, "members");
    out->groups = (int)tx_meta_count(&t, "groups");
    return tx_done(&t);
}

iam_status_e iam_store_member_get(iam_store_t *st, apr_pool_t *p, const char *login,
                                  iam_member_t **out, iam_err_t *err)
{
    tx_t t;
    subject_ctx_t ctx = {NULL, NULL, NULL};

    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_member_named(&t, login, out) == 1) {
        ctx.names = (*out)->groups;
        tx_each_link(&t, 'm', login, st_add_group_set, &ctx);
    } else {
        tx_no_member(&t, login);
    }
    return tx_done(&t);
}

iam_status_e iam_store_group_get(iam_store_t *st, apr_pool_t *p, const char *name,
                                 iam_group_t **out, iam_err_t *err)
{
    tx_t t;

    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_group(&t, name, out) == 1) {
        /* Member names as the members spell them. */
        apr_array_header_t *keys = apr_array_make(p, 8, sizeof(const char *));
        int i;
        tx_each_link(&t, 'g', name, st_add_name, keys);
        for (i = 0; i < keys->nelts && t.status == IAM_OK; i++) {
            iam_member_t *m;
            if (tx_member(&t, APR_ARRAY_IDX(keys, i, const char *), &m) == 1)
                APR_ARRAY_PUSH((*out)->members, const char *) = m->login;
            else
                tx_fail(&t, IAM_CORRUPT, "store %s: group '%s' lists a missing member", st->dir,
                        name);
        }
    } else if (t.status == IAM_OK) {
        tx_fail(&t, IAM_NOTFOUND, "no group '%s'", name);
    }
    return tx_done(&t);
}

iam_status_e iam_store_group_record(iam_store_t *st, apr_pool_t *p, const char *name,
                                    iam_group_t **out, iam_err_t *err)
{
    tx_t t;

    *out = NULL;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_group(&t, name, out) != 1 && t.status == IAM_OK)
        tx_fail(&t, IAM_NOTFOUND, "no group '%s'", name);
    return tx_done(&t);
}

static int owner_login(tx_t *t, const MDB_val *k, const MDB_val *v, void *logins)
{
    if (k->mv_size < 2)
        return 0; /* an empty login: the list ends there, as it always has */
    APR_ARRAY_PUSH((apr_array_header_t *)logins, const char *) =
        apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1);
    return 1;
}

iam_status_e iam_store_owners(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                              iam_err_t *err)
{
    apr_array_header_t *logins;
    iam_member_t *m;
    key_t_ k;
    tx_t t;
    int i;

    *out = apr_array_make(p, 4, sizeof(iam_member_t *));
    logins = apr_array_make(p, 4, sizeof(const char *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    key_make(&k, 'O', "", NULL);
    tx_scan(&t, &k, NULL, owner_login, logins);
    for (i = 0; i < logins->nelts && t.status == IAM_OK; i++) {
        if (tx_member(&t, APR_ARRAY_IDX(logins, i, const char *), &m) == 1)
            APR_ARRAY_PUSH(*out, iam_member_t *) = m;
    }
    return tx_done(&t);
}

int iam_store_invited_email(iam_store_t *st, apr_pool_t *p, const char *email)
{
    iam_member_t *m;
    key_t_ k;
    MDB_val v;
    tx_t t;
    int invited = 0;

    if (!email || key_make(&k, 'E', email, NULL) || tx_begin(&t, st, 0, p, NULL) != IAM_OK)
        return 0;
    if (tx_get(&t, &k, &v) == 1 && tx_member(&t, apr_pstrmemdup(p, v.mv_data, v.mv_size), &m) == 1)
        invited = m->status == IAM_INVITED;
    tx_done(&t);
    return invited;
}
