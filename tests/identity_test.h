/* mod_iam integration tests: who the user is (issue 5). Just-in-time
 * members (IAMAutoProvision), invitations claimed by email, the invitation
 * mail, the identity forwarded to the backend (IAMForwardHeaders) and API
 * tokens, each against a real apache2 with the configuration it needs.
 *
 * The identity provider stand-in. mod_iam reads IAMUserAttribute variables
 * from r->subprocess_env in the authz phase, so whatever sets them must run
 * before authz. Tried on Debian's apache2 2.4 (each checked by hand first):
 *   - SetEnvIf on the Authorization header works, and per user: mod_setenvif
 *     runs in post_read_request (server config) or header_parser (per dir),
 *     both before authn/authz, and the Basic credentials of a user are a
 *     fixed string, so
 *       SetEnvIf Authorization "^Basic <base64 of login:password>$" \
 *           OIDC_CLAIM_email=jane@corp.example "OIDC_CLAIM_name=Jane Doe"
 *     gives that user's claims on every request, as mod_auth_openidc would.
 *     This is what most tests use (idp_claims()).
 *   - SetEnvIf Request_URI "^/pat/" ... works too, for requests under that
 *     prefix only (the invitation test uses it once).
 *   - SetEnvIfExpr "%{REMOTE_USER} == 'x'" does not: REMOTE_USER is not
 *     known yet when it runs; the variable is never set.
 *   - SetEnv (mod_env) and per-directory RewriteRule [E=...] do not: they
 *     run in fixups, after authz; the member was provisioned without email.
 *
 * The backend stand-in is a CGI script that prints its environment: mod_cgid
 * under the event MPM here (checked by hand: mod_cgi runs it too, under
 * event and prefork).
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. Each test uses
 * logins of its own, so the tests of a TCase do not depend on each other. */
#ifndef IDENTITY_TEST_H
#define IDENTITY_TEST_H

/* This suite's shared names, prefixed where the linker sees them (every
 * suite's files link into one binary), short where the tests use them. */
#define add_login id_add_login
#define srv id_srv
#define call id_call
#define api id_api
#define enc id_enc
#define status_of id_status_of
#define str_at id_str_at
#define parse_json id_parse_json

/* What the files of the "identity" suite (tests/test_identity_*.c) share:
 * the server of the running TCase, the stand-in IdP, requests as a user or
 * through the API, and the store as iamctl shows it (identity_test.c).
 * Tests run in forked children: what these allocate is never freed. */
#include "iam_test.h"

#include <jansson.h>
#include <stddef.h>

#define MODULES "/usr/lib/apache2/modules"
#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"

extern iam_httpd_t srv; /* the server of the running TCase */

/* ---- small helpers ---- */

/* At most the last 3000 characters of s, for a failure message. */
const char *tail(const char *s);
/* s escaped for a URL (curl_easy_escape). */
char *enc(const char *s);
json_t *parse_json(const char *body);
/* The string at key, "(missing)" when there is none. */
const char *str_at(json_t *o, const char *key);

/* ---- servers ---- */

/* A login of the password file, password "<login>-pw". */
void add_login(const iam_httpd_t *h, const char *login);
/* The stand-in IdP: the claims of one user, given on every request that
 * carries that user's Basic credentials (see the comment at the top). */
char *idp_env(const char *login, const char *assignments);
char *idp_claims(const char *login, const char *email, const char *name);
/* mod_setenvif and the IAMUserAttribute lines of email and name. */
extern const char *const idp_conf;
/* Starts h under `mpm` with `extra`, or aborts, printing the error log. */
void start_or_die(iam_httpd_t *h, const char *mpm, const char *extra);
/* A TCase of its own server, started by `setup` before its first test and
 * stopped after its last. */
TCase *id_server_case(const char *name, void (*setup)(void));

/* ---- requests ---- */

/* One request as `user` (password "<user>-pw") or with no user; up to two
 * extra header lines. */
long call(const iam_httpd_t *h, const char *user, const char *method, const char *path,
          const char *ctype, const char *body, const char *header, char **out, char **headers);
long status_of(const iam_httpd_t *h, const char *user, const char *path);
/* An API call as olivia: BASE/api/v1/PATH. */
long api(const iam_httpd_t *h, const char *method, const char *path, const char *json, char **out);
/* The number of tokens the API lists. */
size_t ntokens(const iam_httpd_t *h);

/* ---- the store, through iamctl ---- */

/* `iamctl member show LOGIN --json`, or NULL when there is no such member. */
json_t *member_of(const iam_httpd_t *h, const char *login);
int nmembers(const iam_httpd_t *h);
/* Audit entries with this action, target and actor (NULL: any). */
int naudit(const iam_httpd_t *h, const char *action, const char *target, const char *actor);
/* The member exists and is active. */
int is_active(const iam_httpd_t *h, const char *login);
/* The member exists, active, with this email and name, and is no owner
 * (waits until the member is active). */
void ck_active_member(const iam_httpd_t *h, const char *login, const char *email, const char *name);

/* Each adds its file's TCases to the suite, in the order they run. */
void id_add_provision(Suite *s);      /* test_identity_provision.c */
void id_add_invitations(Suite *s);    /* test_identity_invitations.c */
void id_add_provision_plan(Suite *s); /* test_identity_provision.c */
void id_add_races(Suite *s);          /* test_identity_races.c */
void id_add_mail(Suite *s);           /* test_identity_mail.c */
void id_add_forward(Suite *s);        /* test_identity_forward.c */
void id_add_tokens(Suite *s);         /* test_identity_tokens.c */

#endif
