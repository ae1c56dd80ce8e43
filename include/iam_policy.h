/* mod_iam: roles, grants, resources and the decision.
 *
 * Everything here is pure: no I/O, no globals. The module, iamctl and the
 * tests all decide through iam_policy_decide(), so what `iamctl check` says
 * is what Apache does.
 */
#ifndef IAM_POLICY_H
#define IAM_POLICY_H

#include <stddef.h>

/* Limits that keep every record small and every decision cheap. */
#define IAM_MAX_ITEMS 1000 /* resources or labels in one grant */
#define IAM_MAX_GRANTS 256 /* grants held directly by one member or group */

/* Permission levels, ordered. */
typedef enum {
    IAM_LEVEL_NONE = 0,
    IAM_LEVEL_READ = 1,
    IAM_LEVEL_EDIT = 2,
    IAM_LEVEL_ADMIN = 3
} iam_level_e;

typedef enum { IAM_PLAN_FREE = 0, IAM_PLAN_TEAM = 1, IAM_PLAN_BUSINESS = 2 } iam_plan_e;

typedef enum {
    IAM_SCOPE_ALL = 0,       /* all current and future resources of the type */
    IAM_SCOPE_RESOURCES = 1, /* each named resource */
    IAM_SCOPE_LABELS = 2     /* resources carrying every label */
} iam_scope_e;

typedef enum {
    IAM_ROLE_PLAIN = 0, /* a level on one resource type */
    IAM_ROLE_OWNER,     /* Workspace Owner: everything */
    IAM_ROLE_MEMBER     /* Workspace Member: minimal access */
} iam_role_kind_e;

typedef struct {
    const char *slug; /* "source-admin": the stored name */
    const char *name; /* "Source Admin": the display name */
    const char *type; /* resource type; NULL for owner and member */
    iam_level_e level;
    iam_role_kind_e kind;
    int all_only; /* only the "all" scope may be granted */
    int custom;   /* declared by IAMRole */
} iam_role_t;

/* The roles of one workspace: built-ins followed by custom ones, with a
 * hash index of their slugs (kept by iam_roles_init and iam_roles_add, the
 * only writers) so a decision finds a grant's role in one probe or two. */
#define IAM_ROLES_MAX 64
#define IAM_ROLES_SLOTS 128 /* a power of two, at least twice IAM_ROLES_MAX */
typedef struct {
    iam_role_t role[IAM_ROLES_MAX];
    int n;
    unsigned char slot[IAM_ROLES_SLOTS]; /* 1 + index into role[], 0: empty */
} iam_roles_t;

typedef struct {
    const char *role; /* slug */
    iam_scope_e scope;
    int nitems; /* resource names or "key:value" labels */
    const char **items;
} iam_grant_t;

/* Grants held one way: directly (via == NULL) or through group `via`. */
typedef struct {
    const char *via;
    const iam_grant_t *grants;
    int ngrants;
} iam_grant_set_t;

typedef struct {
    const char *type;
    const char *name; /* NULL: the type's collection ("*") */
    int nlabels;
    const char **labels; /* "key:value" */
} iam_resource_t;

typedef struct {
    int allow;
    const iam_role_t *role;   /* the role of the deciding grant, if any */
    const iam_grant_t *grant; /* the grant that allowed, if any */
    const char *via;          /* NULL direct, else the group's name */
    const char *reason;       /* static text: why, in a few words */
} iam_decision_t;

/* ---- roles ---- */

void iam_roles_init(iam_roles_t *roles);
/* Adds a custom role; returns NULL or a static error message. */
const char *iam_roles_add(iam_roles_t *roles, const char *name, const char *slug, const char *type,
                          iam_level_e level, int all_only);
/* Finds a role by slug or display name, case-insensitively. */
const iam_role_t *iam_roles_find(const iam_roles_t *roles, const char *name);
/* Whether some role grants on this resource type. */
int iam_roles_has_type(const iam_roles_t *roles, const char *type);

/* Writes the slug of `name` ("Source Admin" -> "source-admin") into buf. */
void iam_slugify(const char *name, char *buf, size_t len);

/* ---- names and values ---- */

const char *iam_level_name(iam_level_e level);
int iam_level_parse(const char *s, iam_level_e *out); /* 0 ok, -1 bad */
const char *iam_plan_name(iam_plan_e plan);
int iam_plan_parse(const char *s, iam_plan_e *out);
const char *iam_scope_name(iam_scope_e scope);
/* "64M", "1G", "1048576": 1 MiB to 1 TiB, K/M/G/T suffixes; 0 ok, -1 bad. */
int iam_parse_size(const char *s, size_t *out);

/* Syntax checks; each returns NULL or a static message. */
const char *iam_check_login(const char *login);
const char *iam_check_group_name(const char *name);
const char *iam_check_resource_type(const char *type);
const char *iam_check_resource_name(const char *name);
const char *iam_check_label(const char *label); /* "key:value" */
const char *iam_check_email(const char *email);
const char *iam_check_text(const char *text, size_t max); /* display names */
/* A free-text message: may be empty, may hold line breaks and tabs. */
const char *iam_check_message(const char *text, size_t max);

/* ---- plans ---- */

int iam_plan_allows_role(iam_plan_e plan, const iam_role_t *role);
int iam_plan_allows_groups(iam_plan_e plan);
int iam_plan_allows_labels(iam_plan_e plan);

/* Whether the plan has everything the grant uses: role, groups, labels. */
int iam_plan_allows_grant(iam_plan_e plan, const iam_role_t *role, const iam_grant_t *grant,
                          int to_group);

/* Whether `grant` may be given (to a group when `to_group`) under `plan`.
 * Returns NULL or a message written into buf; plan limits are checked
 * first, so a refusal is a plan limit exactly when iam_plan_allows_grant()
 * is false. */
const char *iam_grant_check(const iam_roles_t *roles, iam_plan_e plan, const iam_grant_t *grant,
                            int to_group, char *buf, size_t len);

/* ---- the decision ---- */

/* Level a request needs: `configured` unless NONE (auto), else by method. */
iam_level_e iam_level_for_method(const char *method, iam_level_e configured);

/* Whether any grant makes the subject a Workspace Owner (direct grants only). */
int iam_policy_is_owner(const iam_roles_t *roles, const iam_grant_set_t *sets, int nsets);

/* Why a grant held (through a group when `via_group`) counts for nothing
 * under `plan`, or NULL when decisions honour it: a role the plan lacks or
 * no longer declared, labels or groups the plan does not have, a scope
 * the role does not take. The decision skips exactly these. */
const char *iam_policy_ignored(const iam_roles_t *roles, iam_plan_e plan, const iam_grant_t *g,
                               int via_group);

/* Decides `need` on `res` for the subject whose grants are `sets`. */
iam_decision_t iam_policy_decide(const iam_roles_t *roles, iam_plan_e plan,
                                 const iam_grant_set_t *sets, int nsets, const iam_resource_t *res,
                                 iam_level_e need);

/* Whether any of the subject's grants on resources of `type` is on
 * labels: only then do a resource's labels matter to a decision, and only
 * then does the decision read the labels the workspace gave it (a loop
 * over the grants: cheaper than deciding twice). */
int iam_policy_uses_labels(const iam_roles_t *roles, const iam_grant_set_t *sets, int nsets,
                           const char *type);

/* Whether `res` carries `label` (whatever its case); a NULL label: yes. */
int iam_resource_carries(const iam_resource_t *res, const char *label);

/* A resource's labels as decisions see them: httpd.conf's (`conf`), then
 * the workspace's (`ws`), which replace httpd.conf's on the same key.
 * `out` has room for nconf + nws; returns how many it holds. from[i], if
 * from is not NULL, says whose out[i] is: 0 httpd.conf's, 1 the
 * workspace's. */
int iam_labels_merge(const char *const *conf, int nconf, const char *const *ws, int nws,
                     const char **out, int *from);

/* The highest level the subject holds on `res` (NONE if none). */
iam_level_e iam_policy_level(const iam_roles_t *roles, iam_plan_e plan, const iam_grant_set_t *sets,
                             int nsets, const iam_resource_t *res);

/* The pseudo-types of access requests for what only Workspace Owners open:
 * the console, and pages behind `Require iam-owner`. No role names them. */
#define IAM_TYPE_CONSOLE "console"
#define IAM_TYPE_OWNERS "owners"
int iam_type_owners_only(const char *type);

/* Where an approval grants its role: on the one resource asked for, on all
 * of its type, or (AUTO) on the one resource where the role can be granted
 * so, else on all. */
typedef enum { IAM_APPROVE_AUTO = 0, IAM_APPROVE_RESOURCE, IAM_APPROVE_ALL } iam_approve_scope_e;

/* The grant that answers a request for `need` on the resource `type` `name`
 * (NULL or "*": the type's collection; an owners-only type: Workspace Owner
 * on all): of `role` (NULL: the lowest-level role of the type that gives
 * it on this plan), on `scope`. out->items uses `item` (room for two). NULL
 * and *why (static text) when that grant would not give the access asked
 * for, or cannot be made (the plan lacks the role; a role granted on all
 * resources only, or a collection, on one resource). */
const iam_role_t *iam_policy_approval(const iam_roles_t *roles, iam_plan_e plan, const char *type,
                                      const char *name, iam_level_e need, const char *role,
                                      iam_approve_scope_e scope, iam_grant_t *out,
                                      const char *item[2], const char **why);

/* One line that explains a decision: "allow: Source Admin on resources
 * (checkout) through group eng". Returns buf. */
char *iam_policy_explain(const iam_decision_t *d, char *buf, size_t len);

#endif
