/* mod_iam: what the admin handler's two faces (the HTML console and the
 * JSON API) share: the request context, body reading with a limit, form
 * parsing, CSRF tokens, the same-origin check, security headers and the
 * mapping of store statuses to HTTP. */
#ifndef IAM_WEB_H
#define IAM_WEB_H

#include "iam_access.h"
#include "mod_iam.h"

#include <jansson.h>

#define IAM_BODY_MAX (64 * 1024)
#define IAM_PAGE_SIZE 50

typedef struct {
    request_rec *r;
    const iam_workspace_t *ws;
    iam_store_t *st;
    const char *base;  /* the console's path without a trailing slash: "/iam" */
    const char *sub;   /* what follows it, without the leading slash: "members/bob" */
    const char *actor; /* "console:olivia" or "api:olivia", for the audit trail */
    const char *owner; /* the owner whose authority the request carries */
    /* Not an owner: the admin of one resource, changing its labels (its
     * page, PUT resources/TYPE/NAME/labels); nothing else is open. */
    int resource_admin;
    apr_table_t *query;
    unsigned char secret[32];
} iam_web_t;

/* Cache-Control no-store, a strict CSP, nosniff, no framing: on every
 * response of the handler, errors included. */
void iam_web_security_headers(request_rec *r);

/* Reads the request body (at most `max` bytes). Returns OK, or the HTTP
 * status to answer (413 too large, 400 unreadable). */
int iam_web_read_body(request_rec *r, apr_size_t max, char **body, apr_size_t *len);

/* application/x-www-form-urlencoded (also query strings) into a table that
 * keeps repeated keys; NULL when malformed (bad %-escape, NUL byte). */
apr_table_t *iam_web_parse_form(apr_pool_t *p, const char *s);
/* Every value of `key`, in order. */
apr_array_header_t *iam_web_values(apr_pool_t *p, apr_table_t *t, const char *key);
/* Splits "a b, c" into words. */
apr_array_header_t *iam_web_words(apr_pool_t *p, const char *s);

/* The value of cookie `name` the client sent, or NULL. */
const char *iam_web_cookie(request_rec *r, const char *name);
/* Sets (value) or clears (NULL) cookie `name` for `path`: HttpOnly,
 * SameSite=Strict, Secure over https or when `secure` (the console's URL is
 * https behind a proxy that speaks http to us), gone after max_age seconds. */
void iam_web_set_cookie(request_rec *r, const char *name, const char *value, const char *path,
                        int max_age, int secure);
/* `plain` sealed for r->user alone (AES-256-GCM under a key derived from
 * the workspace secret, the purpose and the user), as hex; NULL if it
 * cannot be. Unseal: the plain text, or NULL if anything does not match. */
const char *iam_web_seal(request_rec *r, const unsigned char secret[32], const char *purpose,
                         const char *plain);
const char *iam_web_unseal(request_rec *r, const unsigned char secret[32], const char *purpose,
                           const char *sealed);

/* Whether Origin (or else Referer), when sent, names this server. */
int iam_web_same_origin(request_rec *r);
/* The user's CSRF token: HMAC-SHA256(secret, user), hex. */
const char *iam_web_csrf_token(request_rec *r, const unsigned char secret[32]);
int iam_web_csrf_ok(request_rec *r, const unsigned char secret[32], const char *token);

/* 400, 404, 409, 422, 503, 507 or 500 for a store status. */
int iam_web_http_status(iam_status_e st);
/* A stable error code for the API: "invalid", "not_found", ... */
const char *iam_web_error_code(iam_status_e st);
/* What a refused write tells the owner: the store's message, but for the
 * database out of reach, where the detail (hosts, sockets) is the error
 * log's and the owner reads what it means. */
const char *iam_web_error_text(const iam_err_t *err);

/* The one shape of every JSON error mod_iam answers (the API's, a
 * refusal's, another module's 401 on the API):
 * {"error":{"code":CODE,"message":MESSAGE}}. A message that is not valid
 * text (it may echo a name from the URL) has its odd bytes replaced.
 * NULL only when out of memory. */
json_t *iam_web_error_object(apr_pool_t *p, const char *code, const char *message);
/* The same, as a body ending in a newline; NULL only when out of memory. */
const char *iam_web_error_json(apr_pool_t *p, const char *code, const char *message);

/* "TYPE/NAME" (the resource part of a path) into its two words: 1, or 0
 * when it is not that (no slash, an empty word, another slash). */
int iam_web_type_name(apr_pool_t *p, const char *s, const char **type, const char **name);

/* The resources httpd.conf declares as TYPE NAME ("*": the collection;
 * names in any case, as grants match them),
 * as iam_resource_decl_t * (one per declaring line: those that name it,
 * then copies of the type's templates, named NAME); empty when none. */
apr_array_header_t *iam_web_resource_decls(apr_pool_t *p, const iam_workspace_t *ws,
                                           const char *type, const char *name);
/* A row of the lists of resources (the console's Resources tab, GET
 * resources): httpd.conf's lines in their order, a template or a
 * collection as its line (decl), a named one as the workspace knows it
 * (known); then the resources only the workspace knows (`known`, from
 * iam_resources_known for the same type and label), by type and name. */
typedef struct {
    const iam_resource_decl_t *decl;
    const iam_known_t *known;
} iam_web_resource_row_t;
apr_array_header_t *iam_web_resource_rows(apr_pool_t *p, const iam_workspace_t *ws,
                                          const apr_array_header_t *known, const char *type,
                                          const char *label);

/* The token of an "Authorization: Bearer TOKEN" header, or NULL. */
const char *iam_web_bearer(request_rec *r);
/* The console (console/console.c), the API (api/api.c) and SCIM
 * (scim/scim.c, BASE/scim/v2/: its own token, never a login): each returns
 * an HTTP status or OK/DONE. */
int iam_console_handle(iam_web_t *w);
int iam_api_handle(iam_web_t *w);
int iam_scim_handle(iam_web_t *w);

#endif
