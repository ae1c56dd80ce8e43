/* mod_iam tests, the "scim_http" suite: SCIM in a real httpd. What its
 * files share: the server (started by test_scim_http.c), the identity
 * provider's token, and the helpers of a SCIM request and its answer.
 *
 *   test_scim_http.c       the server, the helpers, discovery, who gets
 *                          in, lists, refusals; suite_scim_http
 *   test_scim_providers.c  Okta's and Entra ID's sequences */
#ifndef SCIM_TEST_H
#define SCIM_TEST_H

/* This suite's shared names, prefixed where the linker sees them. */
#define scim_srv sh_srv
#define scim_token sh_token
#define check_scim_answer sh_check_answer
#define scim_with sh_with
#define scim sh_scim
#define expect_scim_error sh_expect_error
#define str_of sh_str_of
#define okta_create sh_okta_create

#include "api_test.h"

#define SCIM "/iam/scim/v2/"
#define USER_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:User"
#define GROUP_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:Group"
#define PATCH_SCHEMA "urn:ietf:params:scim:api:messages:2.0:PatchOp"

extern iam_httpd_t scim_srv;
extern char scim_token[128]; /* made for an identity provider */

/* What every SCIM answer with a body carries: SCIM's media type, the
 * handler's security headers, JSON. */
void check_scim_answer(const resp_t *r, const char *method, const char *path);
/* One SCIM request (path under scim/v2/) with `token` (NULL: none), or
 * with the suite's token; the answer checked. */
long scim_with(const char *token, const char *method, const char *path, const char *json,
               resp_t *r);
long scim(const char *method, const char *path, const char *json, resp_t *r);
/* The RFC's error: its schema, status as a string, scimType if asked. */
#define EXPECT_SCIM_ERROR(r, want, type) expect_scim_error(__LINE__, &(r), (want), (type))
void expect_scim_error(int line, const resp_t *r, long want, const char *type);
/* o[key] when a string, else NULL. */
const char *str_of(json_t *o, const char *key);
/* A user made as Okta makes one (the lookup, then POST), with a
 * password to log in: its id. */
const char *okta_create(const char *login, const char *given, const char *family);

void scim_add_provider_tests(TCase *tc);

#endif
