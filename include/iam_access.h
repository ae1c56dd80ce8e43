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

/* `res` with the labels the workspace gives it (iam_labels_merge), in p:
 * *out is res itself when it is a collection or has none. A store that
 * cannot say is an error: never a decision on the labels httpd.conf gave
 * alone (the workspace may have replaced one). from: see
 * iam_labels_merge (may be NULL; room for IAM_RESOURCE_LABELS_MAX plus
 * res->nlabels). */
iam_status_e iam_resource_labelled(iam_store_t *st, apr_pool_t *p, const iam_resource_t *res,
                                   const iam_resource_t **out, int *from, iam_err_t *err);

/* A resource the workspace knows: declared in httpd.conf, labelled in the
 * workspace, or named in a grant; with its labels as decisions see them. */
typedef struct {
    iam_resource_t res; /* labels merged: httpd.conf's, then the workspace's */
    const int *from;    /* per label: 0 httpd.conf, 1 the workspace */
    const char *path;   /* httpd.conf's path for it ("" if none) */
    int declared;       /* httpd.conf names it */
    int templated;      /* its httpd.conf labels come from a template of its type */
    int labelled;       /* the workspace gives it labels */
    int granted;        /* a grant names it */
    const char *by;     /* who last set the workspace's labels, and when */
    long long at;
} iam_known_t;

/* Every resource the workspace knows (iam_known_t), of `type` and
 * carrying `label` (NULL: any), by type and name. A resource named only
 * by a grant or a label takes httpd.conf's labels from its own entry if
 * there is one, else from the first template of its type. */
iam_status_e iam_resources_known(iam_store_t *st, apr_pool_t *p, const char *type,
                                 const char *label, apr_array_header_t **out, iam_err_t *err);
/* One resource, whether or not anything names it yet. */
iam_status_e iam_resource_known(iam_store_t *st, apr_pool_t *p, const char *type, const char *name,
                                iam_known_t **out, iam_err_t *err);

/* Every grant that gives some access to `res` (name NULL: the type's
 * collection), as iam_access_t, highest level first, then groups before
 * members, then by name. Workspace Owners come first, at admin level. */
iam_status_e iam_access_list(iam_store_t *st, apr_pool_t *p, const iam_roles_t *roles,
                             iam_plan_e plan, const iam_resource_t *res, apr_array_header_t **out,
                             iam_err_t *err);

#endif
