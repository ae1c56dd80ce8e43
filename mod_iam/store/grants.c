/* mod_iam store: grants of members and groups: validated and merged
 * (st_merge_grant), granted, edited and revoked. */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

static int same_items(const iam_grant_t *a, const iam_grant_t *b)
{
    int i, j, found;

    if (a->nitems != b->nitems)
        return 0;
    for (i = 0; i < a->nitems; i++) {
        for (found = 0, j = 0; j < b->nitems && !found; j++)
            found = !strcasecmp(a->items[i], b->items[j]);
        if (!found)
            return 0;
    }
    return 1;
}

static int item_index(const iam_grant_t *g, const char *item)
{
    int i;

    for (i = 0; i < g->nitems; i++) {
        if (!strcasecmp(g->items[i], item))
            return i;
    }
    return -1;
}

/* Finds the grant of `slug` with `scope` (and for labels, the same set). */
static int find_grant(const apr_array_header_t *grants, const char *slug, const iam_grant_t *like)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        if (strcmp(g->role, slug) || g->scope != like->scope)
            continue;
        if (like->scope != IAM_SCOPE_LABELS || same_items(g, like))
            return i;
    }
    return -1;
}

static void remove_grant(apr_array_header_t *grants, int idx)
{
    iam_grant_t *e = (iam_grant_t *)grants->elts;

    memmove(&e[idx], &e[idx + 1], sizeof(iam_grant_t) * (size_t)(grants->nelts - idx - 1));
    grants->nelts--;
}

/* Validates `in` and merges it into `grants` (resources merge into the
 * role's one resource grant). strict: a grant already held is IAM_EXISTS;
 * else it merges silently. Returns the role, or NULL on failure. */
const iam_role_t *st_merge_grant(tx_t *t, apr_array_header_t *grants, const iam_grant_t *in,
                                 const iam_roles_t *roles, iam_plan_e plan, int to_group,
                                 const char *label, int strict)
{
    char msg[256];
    const char *e;
    const iam_role_t *role = iam_roles_find(roles, in->role);
    iam_grant_t g = *in;
    int idx, i;

    if ((e = iam_grant_check(roles, plan, &g, to_group, msg, sizeof(msg))) != NULL) {
        tx_fail(t,
                role && !iam_plan_allows_grant(plan, role, &g, to_group) ? IAM_PLAN : IAM_INVALID,
                "%s", e);
        return NULL;
    }
    for (i = 0; g.scope == IAM_SCOPE_LABELS && !t->restoring && i < g.nitems; i++) {
        if (!st_label_grantable(t, roles, g.items[i])) {
            if (t->status == IAM_OK)
                tx_fail(t, IAM_INVALID,
                        "there is no label '%s': create it first (iamctl label create, or the "
                        "console's Labels tab), or declare it in httpd.conf",
                        g.items[i]);
            return NULL;
        }
    }
    g.role = role->slug;
    /* "--resource a A a" is one resource */
    g.items = apr_pcalloc(t->p, sizeof(char *) * (size_t)(in->nitems + 1));
    g.nitems = 0;
    for (i = 0; i < in->nitems; i++) {
        if (item_index(&g, in->items[i]) < 0)
            g.items[g.nitems++] = apr_pstrdup(t->p, in->items[i]);
    }
    idx = find_grant(grants, role->slug, &g);
    if (idx >= 0 && g.scope != IAM_SCOPE_RESOURCES) {
        if (strict)
            tx_fail(t, IAM_EXISTS, "%s already holds %s on %s", label, role->name,
                    iam_scope_name(g.scope));
        return strict ? NULL : role;
    }
    if (idx >= 0) {
        iam_grant_t *cur = &APR_ARRAY_IDX(grants, idx, iam_grant_t);
        const char **items =
            apr_pcalloc(t->p, sizeof(char *) * (size_t)(cur->nitems + g.nitems + 1));
        int n = cur->nitems, added = 0;
        memcpy(items, cur->items, sizeof(char *) * (size_t)n);
        for (i = 0; i < g.nitems; i++) {
            if (item_index(&(iam_grant_t){0, 0, n, items}, g.items[i]) < 0) {
                items[n++] = g.items[i];
                added++;
            }
        }
        if (!added && strict) {
            tx_fail(t, IAM_EXISTS, "%s already holds %s on those resources", label, role->name);
            return NULL;
        }
        if (n > IAM_MAX_ITEMS) {
            tx_fail(t, IAM_INVALID, "a grant names at most %d resources", IAM_MAX_ITEMS);
            return NULL;
        }
        cur->items = items;
        cur->nitems = n;
    } else if (grants->nelts >= IAM_MAX_GRANTS) {
        tx_fail(t, IAM_INVALID, "%s already holds %d grants, the most one can hold", label,
                IAM_MAX_GRANTS);
        return NULL;
    } else {
        *(iam_grant_t *)apr_array_push(grants) = g;
    }
    return role;
}

apr_array_header_t *st_build_grants(tx_t *t, const apr_array_header_t *in, const iam_roles_t *roles,
                                    iam_plan_e plan, int to_group, const char *label)
{
    apr_array_header_t *out = apr_array_make(t->p, in->nelts ? in->nelts : 1, sizeof(iam_grant_t));
    int i;

    for (i = 0; i < in->nelts && t->status == IAM_OK; i++)
        st_merge_grant(t, out, &APR_ARRAY_IDX(in, i, iam_grant_t), roles, plan, to_group, label, 0);
    return out;
}

/* Loads the grants of a member or group for change; writes them back. */
typedef struct {
    iam_member_t *m;
    iam_group_t *g;
    apr_array_header_t *grants;
    const char *label;  /* "member 'x'" or "group 'y'" */
    const char *before; /* the holder, described before the change */
} holder_t;

static int load_holder(tx_t *t, int group, const char *who, holder_t *h)
{
    memset(h, 0, sizeof(*h));
    if (group) {
        if (tx_group(t, who, &h->g) == 1) {
            h->grants = h->g->grants;
            h->label = apr_psprintf(t->p, "group '%s'", h->g->name);
            h->before = st_describe_group(t, h->g);
            return 1;
        }
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no group '%s'", who);
        return 0;
    }
    if (tx_member_named(t, who, &h->m) == 1) {
        h->grants = h->m->grants;
        h->label = apr_psprintf(t->p, "member '%s'", h->m->login);
        h->before = st_describe_member(t, h->m);
        return 1;
    }
    tx_no_member(t, who);
    return 0;
}

static void save_holder(tx_t *t, holder_t *h, const char *action)
{
    if (h->g) {
        st_put_group(t, h->g);
        st_audit(t, action, apr_pstrcat(t->p, "group:", h->g->name, NULL), h->before,
                 st_describe_group(t, h->g));
    } else {
        st_put_member(t, h->m);
        st_audit(t, action, h->m->login, h->before, st_describe_member(t, h->m));
    }
}

typedef struct {
    int group;
    const char *who;
    const iam_grant_t *g;
    int whole_role;
} grant_ctx_t;

static void grant_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    grant_ctx_t *c = data;
    const iam_role_t *role;
    holder_t h;

    if (!load_holder(t, c->group, c->who, &h))
        return;
    if (!(role = st_merge_grant(t, h.grants, c->g, roles, plan, c->group, h.label, 1)))
        return;
    if (role->kind == IAM_ROLE_OWNER)
        st_set_owner_index(t, h.m->login, 1);
    if (h.m)
        st_settle_later(t, h.m->login);
    else
        st_settle_group_later(t, h.g->name);
    save_holder(t, &h, "grant");
}

iam_status_e iam_store_grant(iam_store_t *st, const char *actor, int group, const char *who,
                             const iam_grant_t *g, iam_err_t *err)
{
    grant_ctx_t c = {group, who, g, 0};
    return st_write_op(st, actor, err, grant_op, &c);
}

static void revoke_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    grant_ctx_t *c = data;
    const iam_role_t *role = iam_roles_find(roles, c->g->role);
    holder_t h;
    int idx, i, removed = 0;

    (void)plan;
    if (!role) {
        tx_fail(t, IAM_INVALID, "unknown role '%s'", c->g->role);
        return;
    }
    if (!c->whole_role && c->g->scope != IAM_SCOPE_ALL && c->g->nitems == 0) {
        tx_fail(t, IAM_INVALID, "name the %s to revoke", iam_scope_name(c->g->scope));
        return;
    }
    if (!load_holder(t, c->group, c->who, &h))
        return;
    if (c->whole_role) {
        for (i = h.grants->nelts - 1; i >= 0; i--) {
            if (!strcmp(APR_ARRAY_IDX(h.grants, i, iam_grant_t).role, role->slug)) {
                remove_grant(h.grants, i);
                removed++;
            }
        }
    } else if ((idx = find_grant(h.grants, role->slug, c->g)) >= 0) {
        iam_grant_t *cur = &APR_ARRAY_IDX(h.grants, idx, iam_grant_t);
        if (c->g->scope == IAM_SCOPE_RESOURCES) {
            const char **items = apr_pcalloc(t->p, sizeof(char *) * (size_t)(cur->nitems + 1));
            int n = 0;
            for (i = 0; i < c->g->nitems; i++) {
                if (item_index(cur, c->g->items[i]) < 0) {
                    tx_fail(t, IAM_NOTFOUND, "%s does not hold %s on resource '%s'", h.label,
                            role->name, c->g->items[i]);
                    return;
                }
            }
            for (i = 0; i < cur->nitems; i++) {
                if (item_index(c->g, cur->items[i]) < 0)
                    items[n++] = cur->items[i];
            }
            cur->items = items;
            cur->nitems = n;
            if (n == 0)
                remove_grant(h.grants, idx);
        } else {
            remove_grant(h.grants, idx);
        }
        removed = 1;
    }
    if (!removed) {
        tx_fail(t, IAM_NOTFOUND, "%s does not hold %s%s%s", h.label, role->name,
                c->whole_role ? "" : " on ", c->whole_role ? "" : iam_scope_name(c->g->scope));
        return;
    }
    if (role->kind == IAM_ROLE_OWNER && h.m) {
        st_last_owner_check(t, h.m, "demoted");
        st_owner_lost(t, h.m->login, "is no longer a Workspace Owner");
    }
    if (h.m)
        st_settle_later(t, h.m->login);
    else
        st_settle_group_later(t, h.g->name);
    save_holder(t, &h, "revoke");
}

iam_status_e iam_store_revoke(iam_store_t *st, const char *actor, int group, const char *who,
                              const iam_grant_t *g, int whole_role, iam_err_t *err)
{
    grant_ctx_t c = {group, who, g, whole_role};
    return st_write_op(st, actor, err, revoke_op, &c);
}

typedef struct {
    int group;
    const char *who;
    const iam_grant_t *old, *now;
} edit_ctx_t;

static void grant_edit_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    edit_ctx_t *c = data;
    holder_t h;
    int idx;

    if (strcmp(c->old->role, c->now->role)) {
        tx_fail(t, IAM_INVALID, "an edit keeps the role: remove the grant and add the other role");
        return;
    }
    if (!load_holder(t, c->group, c->who, &h))
        return;
    idx = find_grant(h.grants, c->old->role, c->old);
    if (idx < 0 || (c->old->scope != IAM_SCOPE_ALL &&
                    !same_items(&APR_ARRAY_IDX(h.grants, idx, iam_grant_t), c->old))) {
        tx_fail(t, IAM_STALE, "the grant of %s changed after you saw it: look at it again",
                h.label);
        return;
    }
    remove_grant(h.grants, idx);
    if (!st_merge_grant(t, h.grants, c->now, roles, plan, c->group, h.label, 1))
        return;
    if (h.m)
        st_settle_later(t, h.m->login);
    else
        st_settle_group_later(t, h.g->name);
    save_holder(t, &h, "grant.edit");
}

iam_status_e iam_store_grant_edit(iam_store_t *st, const char *actor, int group, const char *who,
                                  const iam_grant_t *old, const iam_grant_t *now, iam_err_t *err)
{
    edit_ctx_t c = {group, who, old, now};
    return st_write_op(st, actor, err, grant_edit_op, &c);
}
