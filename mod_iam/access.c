/* mod_iam: who can reach a resource (iam_access.h). */
#include "iam_access.h"

#include <apr_hash.h>
#include <apr_strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>

iam_status_e iam_resource_labelled(iam_store_t *st, apr_pool_t *p, const iam_resource_t *res,
                                   const iam_resource_t **out, int *from, iam_err_t *err)
{
    iam_resource_labels_t *given;
    iam_resource_t *merged;
    iam_status_e rc;
    int i;

    *out = res;
    for (i = 0; from && i < res->nlabels; i++)
        from[i] = 0;
    if (!res->name)
        return IAM_OK;
    rc = iam_store_resource_labels(st, p, res->type, res->name, &given, err);
    if (rc == IAM_NOTFOUND)
        return IAM_OK;
    if (rc != IAM_OK)
        return rc;
    merged = apr_palloc(p, sizeof(*merged));
    *merged = *res;
    merged->labels = apr_palloc(p, sizeof(char *) * (size_t)(res->nlabels + given->nlabels + 1));
    merged->nlabels = iam_labels_merge(res->labels, res->nlabels, given->labels, given->nlabels,
                                       merged->labels, from);
    *out = merged;
    return IAM_OK;
}

/* ---- the resources the workspace knows ---- */

typedef struct {
    apr_pool_t *p;
    apr_hash_t *seen; /* "type:name", lower-cased -> iam_known_t * */
    apr_array_header_t *all;
    const apr_array_header_t *decls;
} known_ctx_t;

static iam_known_t *known_of(known_ctx_t *c, const char *type, const char *name)
{
    char *key = apr_pstrcat(c->p, type, ":", name, NULL), *q;
    iam_known_t *k;

    for (q = key; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    if ((k = apr_hash_get(c->seen, key, APR_HASH_KEY_STRING)))
        return k;
    k = apr_pcalloc(c->p, sizeof(*k));
    k->res.type = type;
    k->res.name = name;
    k->path = "";
    apr_hash_set(c->seen, key, APR_HASH_KEY_STRING, k);
    APR_ARRAY_PUSH(c->all, iam_known_t *) = k;
    return k;
}

/* httpd.conf's labels for a resource: its own entry's, else the first
 * template's of its type. */
static void conf_labels(known_ctx_t *c, iam_known_t *k)
{
    const iam_declared_t *tmpl = NULL;
    int i;

    for (i = 0; i < c->decls->nelts; i++) {
        const iam_declared_t *d = &APR_ARRAY_IDX(c->decls, i, iam_declared_t);
        if (strcasecmp(d->res.type, k->res.type))
            continue;
        if (!d->templated && d->res.name && !strcasecmp(d->res.name, k->res.name)) {
            k->declared = 1;
            k->path = d->path;
            k->res.labels = d->res.labels;
            k->res.nlabels = d->res.nlabels;
            return;
        }
        if (d->templated && !tmpl)
            tmpl = d;
    }
    if (tmpl) {
        k->templated = 1;
        k->path = tmpl->path;
        k->res.labels = tmpl->res.labels;
        k->res.nlabels = tmpl->res.nlabels;
    }
}

/* Its labels merged with what the workspace gives it (w: NULL if nothing). */
static void merge_given(apr_pool_t *p, iam_known_t *k, const iam_resource_labels_t *w)
{
    int n = k->res.nlabels + (w ? w->nlabels : 0);
    const char **labels = apr_pcalloc(p, sizeof(char *) * (size_t)(n + 1));
    int *from = apr_pcalloc(p, sizeof(int) * (size_t)(n + 1));

    k->res.nlabels = iam_labels_merge(k->res.labels, k->res.nlabels, w ? w->labels : NULL,
                                      w ? w->nlabels : 0, labels, from);
    k->res.labels = labels;
    k->from = from;
    if (w) {
        k->labelled = 1;
        k->by = w->by;
        k->at = w->at;
    }
}

static int known_order(const void *x, const void *y)
{
    const iam_known_t *a = *(iam_known_t *const *)x, *b = *(iam_known_t *const *)y;
    int c = strcasecmp(a->res.type, b->res.type);

    return c ? c : strcasecmp(a->res.name, b->res.name);
}

iam_status_e iam_resources_known(iam_store_t *st, apr_pool_t *p, const char *type,
                                 const char *label, apr_array_header_t **out, iam_err_t *err)
{
    known_ctx_t c = {p, apr_hash_make(p), apr_array_make(p, 32, sizeof(iam_known_t *)), NULL};
    apr_array_header_t *decls, *labelled, *granted;
    apr_hash_t *given = apr_hash_make(p);
    int i;

    *out = apr_array_make(p, 32, sizeof(iam_known_t *));
    if (iam_store_declared(st, p, &decls, err) != IAM_OK ||
        iam_store_resource_list(st, p, type, NULL, &labelled, err) != IAM_OK ||
        iam_store_granted_resources(st, p, type, &granted, err) != IAM_OK)
        return err->status;
    c.decls = decls;
    for (i = 0; i < decls->nelts; i++) {
        const iam_declared_t *d = &APR_ARRAY_IDX(decls, i, iam_declared_t);
        if (!d->templated && d->res.name && (!type || !strcasecmp(type, d->res.type)))
            known_of(&c, d->res.type, d->res.name);
    }
    for (i = 0; i < labelled->nelts; i++) {
        iam_resource_labels_t *w = APR_ARRAY_IDX(labelled, i, iam_resource_labels_t *);
        iam_known_t *k = known_of(&c, w->type, w->name);
        apr_hash_set(given, k, sizeof(k), w);
    }
    for (i = 0; i < granted->nelts; i++) {
        const iam_resource_t *g = &APR_ARRAY_IDX(granted, i, iam_resource_t);
        known_of(&c, g->type, g->name)->granted = 1;
    }
    for (i = 0; i < c.all->nelts; i++) {
        iam_known_t *k = APR_ARRAY_IDX(c.all, i, iam_known_t *);
        conf_labels(&c, k);
        merge_given(p, k, apr_hash_get(given, k, sizeof(k)));
        if (iam_resource_carries(&k->res, label))
            APR_ARRAY_PUSH(*out, iam_known_t *) = k;
    }
    qsort((*out)->elts, (size_t)(*out)->nelts, sizeof(iam_known_t *), known_order);
    return IAM_OK;
}

iam_status_e iam_resource_known(iam_store_t *st, apr_pool_t *p, const char *type, const char *name,
                                iam_known_t **out, iam_err_t *err)
{
    known_ctx_t c = {p, apr_hash_make(p), apr_array_make(p, 1, sizeof(iam_known_t *)), NULL};
    apr_array_header_t *decls, *granted;
    iam_resource_labels_t *w = NULL;
    iam_status_e rc;
    iam_known_t *k;
    int i;

    *out = NULL;
    if (iam_store_declared(st, p, &decls, err) != IAM_OK ||
        iam_store_granted_resources(st, p, type, &granted, err) != IAM_OK)
        return err->status;
    rc = iam_store_resource_labels(st, p, type, name, &w, err);
    if (rc != IAM_OK && rc != IAM_NOTFOUND)
        return rc;
    c.decls = decls;
    k = known_of(&c, type, w ? w->name : name);
    for (i = 0; i < granted->nelts; i++)
        k->granted |= !strcasecmp(APR_ARRAY_IDX(granted, i, iam_resource_t).name, name);
    conf_labels(&c, k);
    merge_given(p, k, w);
    *out = k;
    return IAM_OK;
}

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
