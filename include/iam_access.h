/* mod_iam: who can reach a resource. For one resource (its type, name and
 * labels), every member and group whose grant gives access to it, at which
 * level and through which grant: the answer to "who can see production?".
 * The store finds the holders of each role of the resource's type (its
 * role-holder index, never a scan of the members); each of their grants is
 * judged by iam_policy_level, the decision Apache makes. Shared by the
 * console's resource page and the API's resources/TYPE/NAME/access. */
#ifndef IAM_ACCESS_H
#define IAM_ACCESS_H

#include "iam_policy.h"
#include "iam_store.h"

typedef struct {
    const iam_member_t *member; /* a member holding the grant directly; or NULL */
    const iam_group_t *group;   /* a group (its members hold it through it); or NULL */
    long group_members;         /* how many members the group has */
    const iam_grant_t *grant;   /* the grant that gives the access */
    const iam_role_t *role;     /* its role */
    iam_level_e level;          /* the level it gives on the resource */
} iam_access_t;

/* Every grant that gives some access to `res` (name NULL: the type's
 * collection), as iam_access_t, highest level first, then groups before
 * members, then by name. Workspace Owners come first, at admin level. */
iam_status_e iam_access_list(iam_store_t *st, apr_pool_t *p, const iam_roles_t *roles,
                             iam_plan_e plan, const iam_resource_t *res, apr_array_header_t **out,
                             iam_err_t *err);

#endif
