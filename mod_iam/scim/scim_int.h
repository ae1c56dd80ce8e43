/* mod_iam SCIM: what the SCIM service provider's files share; nothing
 * outside mod_iam/scim/ includes it. The files, one concern each:
 *
 *   filter.c   filters and PATCH paths (iam_scim.h: pure, fuzzed)
 *   scim.c     the way in: the token, routing, errors, bodies, lists
 *              (filter, paging, attributes), the discovery endpoints
 *   users.c    Users: members as SCIM shows and writes them
 *   groups.c   Groups: user groups and their members
 *
 * Every endpoint answers through scim_send (or scim_error) and returns
 * what it returns (DONE). Every write is one store call, so one
 * transaction, audited under the token that made it ("scim:tok_..."). */
#ifndef IAM_SCIM_INT_H
#define IAM_SCIM_INT_H

#include "iam_scim.h"
#include "iam_web.h"

#include "apr_strings.h"
#include "http_protocol.h"

#define SCIM_USER_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_GROUP_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_ENTERPRISE "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_LIST_SCHEMA "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_PATCH_SCHEMA "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_ERROR_SCHEMA "urn:ietf:params:scim:api:messages:2.0:Error"
#define SCIM_BODY_MAX (1024 * 1024) /* ServiceProviderConfig's maxPayloadSize */
#define SCIM_COUNT_MAX 1000         /* the most resources one page holds */
#define SCIM_COUNT_DEFAULT 100
#define SCIM_OPS_MAX 1000 /* PATCH operations one request holds */

typedef struct {
    iam_web_t *w;
    json_t *body; /* the request's JSON object, or NULL */
} scim_t;

/* What a list asks for: its filter, page and attributes. */
typedef struct {
    const iam_scim_filter_t *filter; /* NULL: all */
    long start;                      /* startIndex, from 1 */
    long count;
    apr_array_header_t *attributes; /* const char *: lower-cased, "name.givenname"; NULL: all */
    apr_array_header_t *excluded;
} scim_query_t;

/* How a resource type is listed: its kind, how one entry becomes its
 * JSON, and whether the filter or the attributes need a group's members. */
typedef struct {
    char kind; /* IAM_ID_MEMBER or IAM_ID_GROUP */
    json_t *(*to_json)(scim_t *s, const iam_scim_entry_t *e);
} scim_type_t;

/* Sets one attribute (path) of what a write says (ctx, a user's or a
 * group's), as `kind` says: 'a' add, 'r' replace, 'x' remove (v NULL),
 * 'b' an attribute of a whole body (POST, PUT). NULL, or why not with
 * *type the scimType. */
typedef const char *(*scim_set_fn)(apr_pool_t *p, void *ctx, char kind, const iam_scim_path_t *path,
                                   json_t *v, const char **type);

#pragma GCC visibility push(hidden)

/* scim.c */
int scim_send(request_rec *r, int status, json_t *j);
int scim_error(request_rec *r, int status, const char *type, const char *detail);
int scim_store_error(request_rec *r, const iam_err_t *err);
int scim_read_body(scim_t *s);
const char *scim_location(scim_t *s, const char *what, const char *id);
json_t *scim_meta(scim_t *s, const char *type, const char *id, long long created);
int scim_wanted(const scim_query_t *q, const char *attr);
json_t *scim_project(const scim_query_t *q, json_t *res);
int scim_query(scim_t *s, scim_query_t *q);
int scim_list(scim_t *s, const scim_type_t *type, const scim_query_t *q);
const char *scim_attr_name(apr_pool_t *p, const char *key);
int scim_bool(json_t *v, int *out);
int scim_whole(scim_t *s, scim_set_fn set, void *ctx);
int scim_patch(scim_t *s, const char *id, scim_set_fn set, void *ctx);

/* users.c */
json_t *scim_user_json(scim_t *s, const iam_scim_entry_t *e);
int scim_users(scim_t *s, const char *id);

/* groups.c */
json_t *scim_group_json(scim_t *s, const iam_scim_entry_t *e);
int scim_groups(scim_t *s, const char *id);

#pragma GCC visibility pop

#endif
