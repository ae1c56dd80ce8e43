/* mod_iam: who can reach a resource (iam_access.h). */
#include "iam_access.h"

#include <apr_strings.h>
#include <stdlib.h>
#include <strings.h>

/* Adds a row for each of `grants` of `role` that gives access to `res`. */
static void add_grants(apr_array_header_t *out, const iam_roles_t *roles, iam_plan_e plan,
                       const iam_resource_t *res, const iam_role_t *role,
                       const apr_array_header_t *grants, const iam_member_t *m,
                       const iam_group_t *g, long group_members)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *grant = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        iam_grant_set_t set = {g ? g->name : NULL, grant, 1};
        iam_access_t *a;
        iam_level_e level;

        if (strcasecmp(grant->role, role->slug))
            continue;
        level = iam_policy_level(roles, plan, &set, 1, res);
        if (level == IAM_LEVEL_NONE)
            continue;
        a = apr_array_push(out);
        *a = (iam_access_t){m, g, group_members, grant, role, level};
    }
}

static const char *name_of(const iam_access_t *a)
{
    return a->group ? a->group->name : *a->member->name ? a->member->name : a->member->login;
}

static int access_order(const void *x, const void *y)
{
    const iam_access_t *a = x, *b = y;
    int owner_a = a->role->kind == IAM_ROLE_OWNER, owner_b = b->role->kind == IAM_ROLE_OWNER;

    if (owner_a != owner_b)
        return owner_b - owner_a;
    if (a->level != b->level)
        return (int)b->level - (int)a->level;
    if (!a->group != !b->group)
        return a->group ? -1 : 1;
    return strcasecmp(name_of(a), name_of(b));
}

iam_status_e iam_access_list(iam_store_t *st, apr_pool_t *p, const iam_roles_t *roles,
                             iam_plan_e plan, const iam_resource_t *res, apr_array_header_t **out,
                             iam_err_t *err)
{
    int i, j;

    *out = apr_array_make(p, 16, sizeof(iam_access_t));
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *role = &roles->role[i];
        apr_array_header_t *members, *groups;
        iam_status_e rc;

        if (role->kind == IAM_ROLE_MEMBER ||
            (role->kind == IAM_ROLE_PLAIN && strcmp(role->type, res->type)))
            continue;
        rc = iam_store_role_holders(st, p, role->slug, res, &members, &groups, err);
        if (rc != IAM_OK)
            return rc;
        for (j = 0; j < members->nelts; j++) {
            const iam_member_t *m = APR_ARRAY_IDX(members, j, iam_member_t *);
            add_grants(*out, roles, plan, res, role, m->grants, m, NULL, 0);
        }
        for (j = 0; j < groups->nelts; j++) {
            const iam_group_t *g = APR_ARRAY_IDX(groups, j, iam_group_t *);
            iam_member_query_t q = {NULL, -1, NULL, NULL, 1};
            iam_member_page_t count;
            rc = iam_store_group_member_query(st, p, g->name, &q, &count, err);
            if (rc != IAM_OK)
                return rc;
            add_grants(*out, roles, plan, res, role, g->grants, NULL, g, count.total);
        }
    }
    qsort((*out)->elts, (size_t)(*out)->nelts, sizeof(iam_access_t), access_order);
    return IAM_OK;
}
