/* mod_iam: plan limits and the decision. Pure functions only: the
 * module, iamctl and the unit tests share them. */
#include "iam_policy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- plans ---- */

int iam_plan_allows_role(iam_plan_e plan, const iam_role_t *role)
{
    if (plan == IAM_PLAN_BUSINESS || role->kind != IAM_ROLE_PLAIN)
        return 1;
    return !strcmp(role->slug, "source-admin");
}

int iam_plan_allows_groups(iam_plan_e plan)
{
    return plan == IAM_PLAN_BUSINESS;
}

int iam_plan_allows_labels(iam_plan_e plan)
{
    return plan == IAM_PLAN_BUSINESS;
}

int iam_plan_allows_grant(iam_plan_e plan, const iam_role_t *role, const iam_grant_t *g,
                          int to_group)
{
    return iam_plan_allows_role(plan, role) && (!to_group || iam_plan_allows_groups(plan)) &&
           (g->scope != IAM_SCOPE_LABELS || iam_plan_allows_labels(plan));
}

const char *iam_grant_check(const iam_roles_t *roles, iam_plan_e plan, const iam_grant_t *g,
                            int to_group, char *buf, size_t len)
{
    const iam_role_t *role = iam_roles_find(roles, g->role);
    const char *err = NULL;
    int i;

    if (!role) {
        snprintf(buf, len, "unknown role '%s'", g->role);
        return buf;
    }
    if (!iam_plan_allows_role(plan, role)) {
        snprintf(buf, len, "the %s plan cannot grant %s: only Workspace Owner and Source Admin",
                 iam_plan_name(plan), role->name);
        return buf;
    }
    if (to_group && !iam_plan_allows_groups(plan)) {
        snprintf(buf, len, "the %s plan has no user groups", iam_plan_name(plan));
        return buf;
    }
    if (g->scope == IAM_SCOPE_LABELS && !iam_plan_allows_labels(plan)) {
        snprintf(buf, len, "the %s plan has no labels", iam_plan_name(plan));
        return buf;
    }
    if (role->kind == IAM_ROLE_MEMBER) {
        snprintf(buf, len, "every active member holds Workspace Member; it is not granted");
        return buf;
    }
    if (role->kind == IAM_ROLE_OWNER && to_group) {
        snprintf(buf, len, "Workspace Owner is granted to members, not to groups");
        return buf;
    }
    if (g->scope != IAM_SCOPE_ALL && role->all_only) {
        snprintf(buf, len, "%s can only be granted on all resources of its type", role->name);
        return buf;
    }
    if (g->scope == IAM_SCOPE_ALL && g->nitems != 0) {
        snprintf(buf, len, "a grant on all resources names none");
        return buf;
    }
    if (g->nitems > IAM_MAX_ITEMS) {
        snprintf(buf, len, "a grant names at most %d resources or labels", IAM_MAX_ITEMS);
        return buf;
    }
    if (g->scope != IAM_SCOPE_ALL && g->nitems == 0) {
        snprintf(buf, len, "a grant on %s names at least one",
                 g->scope == IAM_SCOPE_LABELS ? "labels" : "specific resources");
        return buf;
    }
    for (i = 0; i < g->nitems && !err; i++) {
        err = g->scope == IAM_SCOPE_LABELS ? iam_check_label(g->items[i])
                                           : iam_check_resource_name(g->items[i]);
        if (err) {
            snprintf(buf, len, "'%s': %s", g->items[i], err);
            return buf;
        }
    }
    if (g->scope == IAM_SCOPE_LABELS) {
        /* One value per key: "env:prod AND env:dev" could never match. */
        int j;
        for (i = 0; i < g->nitems; i++) {
            size_t k = strcspn(g->items[i], ":");
            for (j = i + 1; j < g->nitems; j++) {
                if (!strncasecmp(g->items[i], g->items[j], k + 1)) {
                    snprintf(buf, len,
                             "labels '%s' and '%s' share a key; a resource has one "
                             "value per key (grant twice for OR)",
                             g->items[i], g->items[j]);
                    return buf;
                }
            }
        }
    }
    return NULL;
}

/* ---- the decision ---- */

iam_level_e iam_level_for_method(const char *method, iam_level_e configured)
{
    if (configured != IAM_LEVEL_NONE)
        return configured;
    if (!strcmp(method, "GET") || !strcmp(method, "HEAD") || !strcmp(method, "OPTIONS") ||
        !strcmp(method, "PROPFIND"))
        return IAM_LEVEL_READ;
    return IAM_LEVEL_EDIT;
}

int iam_policy_is_owner(const iam_roles_t *roles, const iam_grant_set_t *sets, int nsets)
{
    int s, i;

    for (s = 0; s < nsets; s++) {
        if (sets[s].via)
            continue;
        for (i = 0; i < sets[s].ngrants; i++) {
            const iam_role_t *role = iam_roles_find(roles, sets[s].grants[i].role);
            if (role && role->kind == IAM_ROLE_OWNER)
                return 1;
        }
    }
    return 0;
}

static int has_item(const iam_grant_t *g, const char *item)
{
    int i;

    for (i = 0; i < g->nitems; i++) {
        if (!strcasecmp(g->items[i], item))
            return 1;
    }
    return 0;
}

static int carries_all_labels(const iam_resource_t *res, const iam_grant_t *g)
{
    int i, j, found;

    for (i = 0; i < g->nitems; i++) {
        for (found = 0, j = 0; j < res->nlabels && !found; j++)
            found = !strcasecmp(res->labels[j], g->items[i]);
        if (!found)
            return 0;
    }
    return g->nitems > 0;
}

/* How near a grant came to allowing: the deny reason names the nearest. */
enum { MISS_NONE, MISS_TYPE, MISS_LEVEL, MISS_SCOPE, MISS_CREATE };

static const char *const miss_reasons[] = {
    "no grant on this resource type",
    "no grant on this resource type",
    "grants on this resource type are below the level needed",
    "no grant's scope covers this resource",
    "creating a resource needs an admin role on all resources of the type",
};

/* The one rule of what a plan honours, for the decision (hot: inline)
 * and for the console's "not honoured on this plan". */
static inline const char *ignored(const iam_role_t *role, iam_plan_e plan, const iam_grant_t *g,
                                  int via_group)
{
    if (via_group && !iam_plan_allows_groups(plan))
        return "the plan has no user groups";
    if (!role)
        return "the role is not declared (IAMRole)";
    if (via_group && role->kind == IAM_ROLE_OWNER)
        return "Workspace Owner counts only when granted to the member";
    if (!iam_plan_allows_role(plan, role))
        return "the plan does not have this role";
    if (g->scope == IAM_SCOPE_LABELS && !iam_plan_allows_labels(plan))
        return "the plan has no labels";
    if (g->scope != IAM_SCOPE_ALL && role->all_only)
        return "the role is granted on all resources only";
    return NULL;
}

const char *iam_policy_ignored(const iam_roles_t *roles, iam_plan_e plan, const iam_grant_t *g,
                               int via_group)
{
    return ignored(iam_roles_find(roles, g->role), plan, g, via_group);
}

int iam_policy_uses_labels(const iam_roles_t *roles, const iam_grant_set_t *sets, int nsets,
                           const char *type)
{
    int s, i;

    for (s = 0; s < nsets; s++) {
        for (i = 0; i < sets[s].ngrants; i++) {
            const iam_grant_t *g = &sets[s].grants[i];
            const iam_role_t *role;
            if (g->scope == IAM_SCOPE_LABELS && (role = iam_roles_find(roles, g->role)) &&
                role->type && !strcasecmp(role->type, type))
                return 1;
        }
    }
    return 0;
}

int iam_resource_carries(const iam_resource_t *res, const char *label)
{
    int i;

    for (i = 0; label && i < res->nlabels; i++) {
        if (!strcasecmp(res->labels[i], label))
            return 1;
    }
    return !label;
}

static int same_key(const char *a, const char *b)
{
    size_t k = strcspn(a, ":");
    return !strncasecmp(a, b, k + 1);
}

int iam_labels_merge(const char *const *conf, int nconf, const char *const *ws, int nws,
                     const char **out, int *from)
{
    int i, j, n = 0, replaced;

    for (i = 0; i < nconf; i++) {
        for (replaced = 0, j = 0; j < nws && !replaced; j++)
            replaced = same_key(conf[i], ws[j]);
        if (replaced)
            continue;
        if (from)
            from[n] = 0;
        out[n++] = conf[i];
    }
    for (j = 0; j < nws; j++) {
        if (from)
            from[n] = 1;
        out[n++] = ws[j];
    }
    return n;
}

iam_decision_t iam_policy_decide(const iam_roles_t *roles, iam_plan_e plan,
                                 const iam_grant_set_t *sets, int nsets, const iam_resource_t *res,
                                 iam_level_e need)
{
    iam_decision_t d = {0, NULL, NULL, NULL, NULL};
    int s, i, miss = MISS_NONE;

    for (s = 0; s < nsets; s++) {
        const iam_grant_set_t *set = &sets[s];
        if (set->via && !iam_plan_allows_groups(plan))
            continue;
        for (i = 0; i < set->ngrants; i++) {
            const iam_grant_t *g = &set->grants[i];
            const iam_role_t *role = iam_roles_find(roles, g->role);
            int covers, m;

            /* What the plan lacks, or the role's scope rules forbid, is not
             * honoured even if an older store holds it. */
            if (ignored(role, plan, g, 0))
                continue;
            if (role->kind == IAM_ROLE_OWNER && !set->via) {
                d = (iam_decision_t){1, role, g, NULL, "Workspace Owner"};
                return d;
            }
            if (role->kind != IAM_ROLE_PLAIN || strcasecmp(role->type, res->type)) {
                miss = miss > MISS_TYPE ? miss : MISS_TYPE;
                continue;
            }
            if (role->level < need) {
                miss = miss > MISS_LEVEL ? miss : MISS_LEVEL;
                continue;
            }
            if (!res->name) {
                /* The collection: listing needs any grant of the type;
                 * creating needs admin on all current and future ones. */
                covers = need == IAM_LEVEL_READ ||
                         (role->level == IAM_LEVEL_ADMIN && g->scope == IAM_SCOPE_ALL);
                m = MISS_CREATE;
            } else if (g->scope == IAM_SCOPE_ALL) {
                covers = 1;
                m = MISS_SCOPE;
            } else if (g->scope == IAM_SCOPE_RESOURCES) {
                covers = has_item(g, res->name);
                m = MISS_SCOPE;
            } else {
                covers = carries_all_labels(res, g);
                m = MISS_SCOPE;
            }
            if (covers) {
                d = (iam_decision_t){1, role, g, set->via, "granted"};
                return d;
            }
            miss = miss > m ? miss : m;
        }
    }
    d.reason = miss_reasons[miss];
    return d;
}

iam_level_e iam_policy_level(const iam_roles_t *roles, iam_plan_e plan, const iam_grant_set_t *sets,
                             int nsets, const iam_resource_t *res)
{
    int level;

    for (level = IAM_LEVEL_ADMIN; level > IAM_LEVEL_NONE; level--) {
        if (iam_policy_decide(roles, plan, sets, nsets, res, (iam_level_e)level).allow)
            return (iam_level_e)level;
    }
    return IAM_LEVEL_NONE;
}

int iam_type_owners_only(const char *type)
{
    return !strcmp(type, IAM_TYPE_CONSOLE) || !strcmp(type, IAM_TYPE_OWNERS);
}

/* The grant of role `r` for the request; NULL and *why if it cannot be
 * made or would not give `need`. */
static const iam_role_t *approval_of(const iam_roles_t *roles, iam_plan_e plan,
                                     const iam_resource_t *res, iam_level_e need,
                                     const iam_role_t *r, iam_approve_scope_e scope,
                                     iam_grant_t *out, const char *item[2], const char **why)
{
    iam_grant_set_t set = {NULL, out, 1};
    int owners_page = iam_type_owners_only(res->type);

    if (!iam_plan_allows_role(plan, r)) {
        *why = "the plan does not have that role";
        return NULL;
    }
    if (owners_page != (r->kind == IAM_ROLE_OWNER)) {
        *why = owners_page ? "only Workspace Owner opens the console and the owners' pages"
                           : "Workspace Owner is granted on requests for the owners' pages only";
        return NULL;
    }
    *out = (iam_grant_t){r->slug, IAM_SCOPE_ALL, 0, NULL};
    if (owners_page)
        return r;
    if (scope == IAM_APPROVE_RESOURCE && (!res->name || r->all_only)) {
        *why = !res->name ? "a request for a collection is answered on all of its type"
                          : "that role is granted on all resources of its type only";
        return NULL;
    }
    if (res->name && !r->all_only && scope != IAM_APPROVE_ALL) {
        item[0] = res->name;
        item[1] = NULL;
        *out = (iam_grant_t){r->slug, IAM_SCOPE_RESOURCES, 1, item};
    }
    /* the decision itself says whether the grant gives what was asked */
    if (!iam_policy_decide(roles, plan, &set, 1, res, need).allow) {
        *why = "that role does not give the access asked for";
        return NULL;
    }
    return r;
}

const iam_role_t *iam_policy_approval(const iam_roles_t *roles, iam_plan_e plan, const char *type,
                                      const char *name, iam_level_e need, const char *role,
                                      iam_approve_scope_e scope, iam_grant_t *out,
                                      const char *item[2], const char **why)
{
    iam_resource_t res = {type, name && strcmp(name, "*") ? name : NULL, 0, NULL};
    const iam_role_t *r;
    int level, i;

    if (role) {
        if (!(r = iam_roles_find(roles, role))) {
            *why = "unknown role";
            return NULL;
        }
        return approval_of(roles, plan, &res, need, r, scope, out, item, why);
    }
    if (iam_type_owners_only(type))
        return approval_of(roles, plan, &res, need, iam_roles_find(roles, "workspace-owner"), scope,
                           out, item, why);
    /* the lowest level that gives it (creating in a collection needs
     * admin on all: more than the level the method asks) */
    for (level = IAM_LEVEL_READ; level <= IAM_LEVEL_ADMIN; level++) {
        for (i = 0; i < roles->n; i++) {
            r = &roles->role[i];
            if (r->kind == IAM_ROLE_PLAIN && (int)r->level == level && !strcasecmp(r->type, type) &&
                approval_of(roles, plan, &res, need, r, scope, out, item, why))
                return r;
        }
    }
    *why = "no role of this type gives that access on this plan";
    return NULL;
}

char *iam_policy_explain(const iam_decision_t *d, char *buf, size_t len)
{
    char scope[512] = "";
    size_t o = 0;
    int i;

    if (!d->allow) {
        snprintf(buf, len, "deny: %s", d->reason);
        return buf;
    }
    if (d->grant->scope == IAM_SCOPE_ALL) {
        snprintf(scope, sizeof(scope), "all resources");
    } else {
        o = (size_t)snprintf(scope, sizeof(scope), "%s (",
                             d->grant->scope == IAM_SCOPE_LABELS ? "labels" : "resources");
        for (i = 0; i < d->grant->nitems && o < sizeof(scope); i++)
            o += (size_t)snprintf(scope + o, sizeof(scope) - o, "%s%s", i ? " " : "",
                                  d->grant->items[i]);
        if (o < sizeof(scope))
            snprintf(scope + o, sizeof(scope) - o, ")");
    }
    snprintf(buf, len, "allow: %s on %s, %s%s", d->role->name, scope,
             d->via ? "through group " : "direct", d->via ? d->via : "");
    return buf;
}
