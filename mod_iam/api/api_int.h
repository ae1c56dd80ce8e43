/* mod_iam API: what the API's files share, and nothing outside
 * mod_iam/api/ includes it. The files, one concern each:
 *
 *   api.c            routing; the answer, errors and the body of a write
 *   api_members.c    members, and the grants of members and groups
 *   api_groups.c     user groups and their members
 *   api_requests.c   access requests: list, approve, dismiss
 *   api_workspace.c  roles, the audit trail
 *   api_resources.c  resources, who can reach one, the labels the workspace gives it
 *   api_labels.c     the workspace's labels
 *   api_tokens.c     API tokens
 *
 * Every endpoint answers through api_send_json (or api_error) and returns
 * what it returns (DONE). Their shared functions carry the prefix api_
 * and stay inside mod_iam.so (hidden visibility): only iam_api_handle
 * (iam_web.h) is the API's way in. */
#ifndef IAM_API_INT_H
#define IAM_API_INT_H

#include "iam_present.h"
#include "iam_web.h"

#include "apr_strings.h"
#include "http_protocol.h"

typedef struct {
    iam_web_t *w;
    json_t *body; /* the request's JSON object, or NULL */
} api_t;

#pragma GCC visibility push(hidden)

/* api.c: routing, and the JSON in and out of every endpoint */
int api_send_json(request_rec *r, int status, json_t *j);
int api_error(request_rec *r, int status, const char *code, const char *message);
int api_store_error(request_rec *r, const iam_err_t *err);
const char *api_unknown_field(apr_pool_t *p, json_t *o, const char *const *known);
int api_read_json(api_t *a);
int api_bad(request_rec *r, const char *message);

/* api_members.c: members, and grants */
int api_list_members(api_t *a);
int api_show_member(api_t *a, const char *login, int status);
int api_resend_invitation(api_t *a, const char *login);
int api_put_member(api_t *a, const char *login, int create);
int api_remove_member(api_t *a, const char *login);
int api_change_grant(api_t *a, int group, const char *who, int revoke);

/* api_groups.c: user groups */
int api_list_groups(api_t *a);
int api_show_group(api_t *a, const char *name, int status);
int api_put_group(api_t *a, const char *name, int create);
int api_delete_group(api_t *a, const char *name);
int api_change_members(api_t *a, const char *name, int add);

/* api_requests.c: access requests */
int api_list_requests(api_t *a);
int api_answer_request(api_t *a, int approve);

/* api_workspace.c: roles, the audit trail */
int api_list_roles(api_t *a);
int api_list_audit(api_t *a);

/* api_resources.c: resources */
int api_list_resources(api_t *a);
int api_show_resource(api_t *a, const char *rest);
int api_put_resource_labels(api_t *a, const char *rest);

/* api_labels.c: labels */
int api_list_labels(api_t *a);
int api_create_label(api_t *a);
int api_delete_label(api_t *a, const char *label);

/* api_tokens.c: API tokens */
int api_list_tokens(api_t *a);
int api_create_token(api_t *a);
int api_revoke_token(api_t *a, const char *id);

#pragma GCC visibility pop

#endif
