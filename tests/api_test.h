/* mod_iam integration tests: the JSON API under /iam/api/v1/ of the demo
 * site (conf/demo), spoken to over real HTTP on the real apache2.
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. Every password
 * is "<login>-pw".
 *
 * One server serves every test of the "api" TCase (an unchecked fixture),
 * so each test makes its own members and groups, with names no other test
 * uses, and never removes or demotes olivia. Every response of the API is
 * checked for JSON and the security headers as it arrives (api()). Every
 * refused change is checked to leave the store as it was: the export and
 * the newest audit entry before and after. The "team" TCase starts its own
 * server under IAMPlan team for each test (a checked fixture).
 *
 * The tests, one concern a file, share this header and api_test.c (the
 * helpers below, the demo server of the "api" case, suite_api):
 *
 *   test_api_access.c     who gets in: users, passwords, paths
 *   test_api_members.c    members, and their grants
 *   test_api_groups.c     user groups, and their grants
 *   test_api_workspace.c  roles, resources, the audit trail
 *   test_api_refused.c    errors and bodies: refused requests, the size limit, origins
 *   test_api_labels.c     labels, the labels of resources, resource admins
 *   test_api_team.c       the "team" case: IAMPlan team */
#ifndef API_TEST_H
#define API_TEST_H

/* This suite's shared names, prefixed where the linker sees them (every
 * suite's files link into one binary), short where the tests use them. */
#define resp_free at_resp_free

#include "iam_test.h"

#include <jansson.h>

#define API "/iam/api/v1/"

/* The server of the "api" case (started by api_test.c); the tests call
 * it srv. */
extern iam_httpd_t at_srv;
#define srv at_srv

/* ---- small helpers ---- */

/* printf into one of a ring of buffers: nothing to free. */
const char *S(const char *fmt, ...);
const char *esc(const char *s); /* a query-string value, %-escaped (ring buffer) */
void add_user(const iam_httpd_t *h, const char *login); /* to the password file, "<login>-pw" */

/* ---- requests ---- */

typedef struct {
    long status;
    char *body, *headers;
    json_t *json; /* the body parsed, or NULL */
} resp_t;

void resp_free(resp_t *r);
/* One request. `path` without a leading '/' is under the API. `user` logs
 * in with "<user>-pw" (NULL: no user); `extra` is one more header line. */
long request(const iam_httpd_t *h, const char *user, const char *method, const char *path,
             const char *ctype, const char *body, const char *extra, resp_t *r);
/* What every answer of the API carries, errors included: JSON, no
 * caching, no sniffing, no framing, a CSP. */
void check_api_answer(const resp_t *r, const char *method, const char *path);
/* As olivia on `h` (api: on srv), a JSON body or none; the answer checked. */
long api_on(const iam_httpd_t *h, const char *method, const char *path, const char *json,
            resp_t *r);
long api(const char *method, const char *path, const char *json, resp_t *r);
/* The status of a request to the site itself (not the API) as `user`. */
long site_status(const iam_httpd_t *h, const char *method, const char *path, const char *user);

/* ---- assertions that name the test's line ---- */

#define EXPECT_STATUS(r, want)                                                                     \
    ck_assert_msg((r).status == (want), "line %d: status %ld, want %d; body: %s", __LINE__,        \
                  (r).status, (int)(want), (r).body)

/* {"error":{"code","message"}} with one of the '|'-separated `codes`; a
 * refusal in the authz phase (`denial`) may add what was refused. */
#define EXPECT_ERROR(r, want, code) expect_error(__LINE__, &(r), (want), (code), 0)
void expect_error(int line, const resp_t *r, long want, const char *codes, int denial);

/* obj[key] equals the JSON text `want` (objects compare without order). */
#define EXPECT_JSON(obj, key, want) expect_json(__LINE__, (obj), (key), (want))
void expect_json(int line, json_t *obj, const char *key, const char *want);

#define EXPECT_STR(obj, key, want) expect_str(__LINE__, (obj), (key), (want))
void expect_str(int line, json_t *obj, const char *key, const char *want);

/* The object has exactly these keys (comma-separated). */
#define EXPECT_KEYS(obj, keys) expect_keys(__LINE__, (obj), (keys))
void expect_keys(int line, json_t *obj, const char *keys);

int has_string(json_t *arr, const char *s);
int is_time(json_t *v); /* "2026-11-27T14:40:19Z" */

/* ---- the store, as a whole ---- */

long long newest_audit_on(const iam_httpd_t *h);
/* Everything a change could touch: `iamctl export` and the newest audit
 * entry. malloc'd. */
char *snapshot_of(const iam_httpd_t *h);
/* The store is as `before` (a snapshot_of, freed) said. */
#define EXPECT_UNCHANGED(before, h) expect_unchanged(__LINE__, (before), (h))
void expect_unchanged(int line, char *before, const iam_httpd_t *h);
/* Makes an active member through the API (and a password for them when
 * `login` is true). */
void make_member(const char *name, const char *extra_json, int login);

/* ---- each file's tests ---- */

/* Add to the "api" case, in the order suite_api calls them. */
void at_add_access_tests(TCase *tc);
void at_add_member_tests(TCase *tc);
void at_add_group_tests(TCase *tc);
void at_add_workspace_tests(TCase *tc);
void at_add_refused_tests(TCase *tc);
void at_add_label_tests(TCase *tc);
/* Adds the "team" case to the suite. */
void at_add_team(Suite *s);

#endif
