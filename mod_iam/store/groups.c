/* mod_iam store: groups: create, delete, their members (both sides of each
 * link), and a whole group as the console and the API write it. */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>
#include <strings.h>
#include <time.h>

iam_group_t *tx_group_create(tx_t *t, const char *name, iam_plan_e plan)
{
    const char *e;
    iam_group_t *g;

    if (!iam_plan_allows_groups(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
        return NULL;
    }
    if ((e = iam_check_group_name(name)) != NULL) {
        tx_fail(t, IAM_INVALID, "group name '%s' %s", name, e);
        return NULL;
    }
    if (tx_group(t, name, &g) != 0) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "group '%s' already exists", name);
        return NULL;
    }
    g = apr_pcalloc(t->p, sizeof(*g));
    g->name = name;
    g->created = (long long)time(NULL);
    g->grants = apr_array_make(t->p, 1, sizeof(iam_grant_t));
    g->members = apr_array_make(t->p, 1, sizeof(const char *));
    st_put_group(t, g);
    st_id_make(t, IAM_ID_GROUP, name);
    tx_meta_count_add(t, "groups", 1);
    return t->status == IAM_OK ? g : NULL;
}

static void group_create_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *name)
{
    iam_group_t *g;

    (void)roles;
    if ((g = tx_group_create(t, name, plan)) != NULL)
        st_audit(t, "group.create", apr_pstrcat(t->p, "group:", g->name, NULL), "",
                 st_describe_group(t, g));
}

iam_status_e iam_store_group_create(iam_store_t *st, const char *actor, const char *name,
                                    iam_err_t *err)
{
    return st_write_op(st, actor, err, group_create_op, (void *)name);
}

static void unlink_member(tx_t *t, const char *login, void *group)
{
    st_set_link(t, 'm', login, group, 0);
    st_set_link(t, 'g', group, login, 0);
}

/* Deletes group `name`: its links, its place in the role-holder index,
 * its id and record; audited. */
void st_group_delete(tx_t *t, const char *name)
{
    iam_group_t *g;
    const char *before;
    key_t_ k;

    if (tx_group(t, name, &g) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no group '%s'", name);
        return;
    }
    before = st_describe_group(t, g);
    st_settle_group_later(t, name);
    tx_each_link(t, 'g', name, unlink_member, (void *)name);
    ix_move_holder(t, 'g', g->name, ix_targets_of(t->p, g->grants), NULL);
    st_id_drop(t, IAM_ID_GROUP, name);
    key_make(&k, 'G', name, NULL);
    tx_del(t, &k);
    tx_meta_count_add(t, "groups", -1);
    st_audit(t, "group.delete", apr_pstrcat(t->p, "group:", g->name, NULL), before, "");
}

static void group_delete_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *name)
{
    (void)roles;
    (void)plan;
    st_group_delete(t, name);
}

/* Renames group g to `name` (its members, grants, id and place in the
 * indexes go with it), in t; audited. */
void st_group_rename(tx_t *t, iam_group_t *g, const char *name)
{
    apr_array_header_t *logins = apr_array_make(t->p, 16, sizeof(const char *));
    apr_array_header_t *targets = ix_targets_of(t->p, g->grants);
    const char *was = g->name, *e;
    iam_group_t *other;
    key_t_ k;
    int i;

    if ((e = iam_check_group_name(name)) != NULL) {
        tx_fail(t, IAM_INVALID, "group name '%s' %s", name, e);
        return;
    }
    if (strcasecmp(was, name) && tx_group(t, name, &other) != 0) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "group '%s' already exists", other->name);
        return;
    }
    st_settle_group_later(t, was);
    tx_each_link(t, 'g', was, st_add_name, logins);
    for (i = 0; i < logins->nelts; i++)
        unlink_member(t, APR_ARRAY_IDX(logins, i, const char *), (void *)was);
    ix_move_holder(t, 'g', was, targets, NULL);
    key_make(&k, 'G', was, NULL);
    tx_del(t, &k);
    g->name = name;
    st_put_group(t, g); /* its place in the role-holder index, under its new name */
    for (i = 0; i < logins->nelts; i++) {
        const char *l = APR_ARRAY_IDX(logins, i, const char *);
        st_set_link(t, 'm', l, name, 1);
        st_set_link(t, 'g', name, l, 1);
    }
    st_id_move(t, IAM_ID_GROUP, was, name);
    st_settle_group_later(t, name);
    st_audit(t, "group.rename", apr_pstrcat(t->p, "group:", name, NULL), was, name);
}

iam_status_e iam_store_group_delete(iam_store_t *st, const char *actor, const char *name,
                                    iam_err_t *err)
{
    return st_write_op(st, actor, err, group_delete_op, (void *)name);
}

/* Links or unlinks login and group, both sides; strict: a link already in
 * the wanted state is an error. `by_key`: login was read from a link key
 * (folded), not given from outside. Returns the member, or NULL. */
iam_member_t *tx_group_link(tx_t *t, const char *group, const char *login, int add, int strict,
                            int by_key)
{
    iam_member_t *m;
    key_t_ k;
    MDB_val v;
    int linked;

    if ((by_key ? tx_member(t, login, &m) : tx_member_named(t, login, &m)) != 1) {
        tx_no_member(t, login);
        return NULL;
    }
    if (key_make(&k, 'm', login, group)) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return NULL;
    }
    if ((linked = tx_get(t, &k, &v)) < 0)
        return NULL;
    /* a change of a group SCIM manages: the identity provider would undo it */
    if (linked != add && !t->scim && st_group_managed(t, group)) {
        tx_fail(t, IAM_INVALID,
                "group '%s' is managed by the identity provider (SCIM): change its members "
                "there",
                group);
        return NULL;
    }
    if (strict && linked == add) {
        tx_fail(t, add ? IAM_EXISTS : IAM_NOTFOUND, "'%s' is %s in group '%s'", m->login,
                add ? "already" : "not", group);
        return NULL;
    }
    st_set_link(t, 'm', login, group, add);
    st_set_link(t, 'g', group, login, add);
    return m;
}

typedef struct {
    const char *name;
    int add;
    const char *const *logins;
    int n;
} members_ctx_t;

static void group_members_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    members_ctx_t *c = data;
    apr_array_header_t *who = apr_array_make(t->p, c->n > 0 ? c->n : 1, sizeof(const char *));
    iam_group_t *g;
    iam_member_t *m;
    int i;

    (void)roles;
    if (c->add && !iam_plan_allows_groups(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
        return;
    }
    if (tx_group(t, c->name, &g) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no group '%s'", c->name);
        return;
    }
    if (c->n == 0)
        tx_fail(t, IAM_INVALID, "name at least one member");
    for (i = 0; i < c->n && t->status == IAM_OK; i++) {
        if ((m = tx_group_link(t, g->name, c->logins[i], c->add, 1, 0)) != NULL) {
            APR_ARRAY_PUSH(who, const char *) = m->login;
            st_settle_later(t, m->login);
        }
    }
    st_audit(t, c->add ? "group.add-members" : "group.remove-members",
             apr_pstrcat(t->p, "group:", g->name, NULL), "", apr_array_pstrcat(t->p, who, ','));
}

iam_status_e iam_store_group_members(iam_store_t *st, const char *actor, const char *name, int add,
                                     const char *const *logins, int n, iam_err_t *err)
{
    members_ctx_t c = {name, add, logins, n};
    return st_write_op(st, actor, err, group_members_op, &c);
}

typedef struct {
    const iam_group_spec_t *spec;
    int create;
} group_put_t;

static void group_put_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const iam_group_spec_t *sp = ((group_put_t *)data)->spec;
    int create = ((group_put_t *)data)->create;
    iam_group_t *g;
    iam_member_t *m;
    const char *before = "", *label;
    apr_array_header_t *joined = NULL, *left = NULL;
    int i;

    if (create) {
        if (!(g = tx_group_create(t, sp->name, plan)))
            return;
    } else {
        if (!iam_plan_allows_groups(plan)) {
            tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
            return;
        }
        if (tx_group(t, sp->name, &g) != 1) {
            if (t->status == IAM_OK)
                tx_fail(t, IAM_NOTFOUND, "no group '%s'", sp->name);
            return;
        }
        before = st_describe_group(t, g);
    }
    if (sp->pii >= 0)
        g->pii = sp->pii ? 1 : 0;
    label = apr_psprintf(t->p, "group '%s'", g->name);
    if (sp->grants || sp->members)
        st_settle_group_later(t, g->name); /* before: who leaves is checked too */
    if (sp->grants)
        g->grants = st_build_grants(t, sp->grants, roles, plan, 1, label);
    st_put_group(t, g);
    if (sp->members) {
        apr_array_header_t *cur = apr_array_make(t->p, 4, sizeof(const char *));
        joined = apr_array_make(t->p, 4, sizeof(const char *));
        left = apr_array_make(t->p, 4, sizeof(const char *));
        tx_each_link(t, 'g', g->name, st_add_name, cur);
        for (i = 0; i < cur->nelts && t->status == IAM_OK; i++) {
            const char *lk = APR_ARRAY_IDX(cur, i, const char *);
            if (!st_in_names(sp->members, lk) && (m = tx_group_link(t, g->name, lk, 0, 0, 1)))
                APR_ARRAY_PUSH(left, const char *) = m->login;
        }
        for (i = 0; i < sp->members->nelts && t->status == IAM_OK; i++) {
            m = tx_group_link(t, g->name, APR_ARRAY_IDX(sp->members, i, const char *), 1, 0, 0);
            if (m && !st_in_names(cur, m->login) && !st_in_names(joined, m->login))
                APR_ARRAY_PUSH(joined, const char *) = m->login;
        }
    }
    if (sp->grants || sp->members)
        st_settle_group_later(t, g->name); /* after: who joins is checked too */
    st_audit(t, create ? "group.create" : "group.update",
             apr_pstrcat(t->p, "group:", g->name, NULL), before, st_describe_group(t, g));
    /* The group's record only counts its members: who joined or left is
     * written as group.add-members would, so the trail names them and its
     * filter by member finds how they got (or lost) the group's access. */
    if (joined && joined->nelts)
        st_audit(t, "group.add-members", apr_pstrcat(t->p, "group:", g->name, NULL), "",
                 apr_array_pstrcat(t->p, joined, ','));
    if (left && left->nelts)
        st_audit(t, "group.remove-members", apr_pstrcat(t->p, "group:", g->name, NULL), "",
                 apr_array_pstrcat(t->p, left, ','));
}

iam_status_e iam_store_group_put(iam_store_t *st, const char *actor, const iam_group_spec_t *spec,
                                 int create, iam_err_t *err)
{
    group_put_t ctx = {spec, create};
    return st_write_op(st, actor, err, group_put_op, &ctx);
}
