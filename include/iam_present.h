/* mod_iam: how records read to people and programs. The text and JSON
 * forms of members, groups, grants and roles, and the JSON readers, shared
 * by iamctl, the console and the JSON API so all three say the same. */
#ifndef IAM_PRESENT_H
#define IAM_PRESENT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

#include "iam_access.h"
#include "iam_policy.h"
#include "iam_store.h"

/* ---- text ---- */

/* "2026-11-27T14:40:19Z", or "" for 0. */
const char *iam_time_text(apr_pool_t *p, long long t);
/* The inverse; 0 when s is empty or not that form. */
long long iam_time_parse(const char *s);
/* The display name of a role slug (the slug itself if unknown). */
const char *iam_role_name(const iam_roles_t *roles, const char *slug);
/* "Source Admin on resources checkout web", "Warehouse Admin on all". */
const char *iam_grant_text(apr_pool_t *p, const iam_roles_t *roles, const iam_grant_t *g);
/* "checkout web", "env:prod team:x" or "all". */
const char *iam_grant_scope_text(apr_pool_t *p, const iam_grant_t *g);
/* "a,b,c", or "-" for none. */
const char *iam_names_text(apr_pool_t *p, const apr_array_header_t *names);
/* The roles a member holds directly: "Source Admin,Warehouse Admin", or
 * "Workspace Member". */
const char *iam_roles_summary(apr_pool_t *p, const iam_roles_t *roles, const iam_member_t *m);
/* "all", or "all, resource, label". */
const char *iam_scopes_text(const iam_role_t *r);
/* Whether the grants hold Workspace Owner. */
int iam_grants_owner(const apr_array_header_t *grants);

/* ---- JSON out ---- */

json_t *iam_json_grant(const iam_grant_t *g);
json_t *iam_json_grants(const apr_array_header_t *grants);
json_t *iam_json_names(const apr_array_header_t *names);
json_t *iam_json_member(apr_pool_t *p, const iam_member_t *m);
json_t *iam_json_group(apr_pool_t *p, const iam_group_t *g, int with_members);
json_t *iam_json_role(const iam_role_t *r, iam_plan_e plan);
json_t *iam_json_audit(apr_pool_t *p, const iam_audit_t *a);
json_t *iam_json_token(apr_pool_t *p, const iam_token_t *t);
/* A label: where it comes from ("built in", "workspace", "httpd.conf")
 * and what uses it. */
json_t *iam_json_label(apr_pool_t *p, const iam_label_t *l);
const char *iam_label_from(const iam_label_t *l);
/* A resource the workspace knows: "labels" as decisions see them,
 * "workspace_labels" the ones the workspace gives it (what PUT sets). */
json_t *iam_json_resource(apr_pool_t *p, const iam_known_t *k);

/* ---- JSON in: each returns NULL or a message (in p) ---- */

/* o[key] as a string: required or not; refuses non-strings and NUL bytes. */
const char *iam_json_get_str(json_t *o, const char *key, int required, const char **out,
                             apr_pool_t *p);
/* o[key] as true/false; *out keeps `dflt` when absent. */
const char *iam_json_get_bool(json_t *o, const char *key, int *out);
/* o["grants"] as iam_grant_t (role, scope, resources/labels); *out is
 * NULL when absent and `optional`, else an empty array. */
const char *iam_json_get_grants(json_t *o, apr_pool_t *p, apr_array_header_t **out);
/* o[key] as an array of strings; NULL when absent. */
const char *iam_json_get_names(json_t *o, const char *key, apr_pool_t *p, apr_array_header_t **out);

#endif
