/* mod_iam integration tests: the owners' HTML console (/iam) of the demo
 * site, driven like a browser would: GET a page, take the hidden "csrf"
 * field, POST the form url-encoded, follow the 303. Every change is
 * checked where it matters, on real access to the protected paths with
 * Basic auth; every refusal is checked to change nothing (`iamctl export`
 * before and after).
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. Each test that
 * changes something works on logins and groups of its own (added by the
 * fixture), so the tests of a TCase do not depend on each other. */

/* What the console suite's files share, declared here and defined once in
 * console_test.c: the demo each TCase starts, requests made as a browser
 * makes them, and the checks the tests have in common. One concern a file:
 *
 *   test_console_pages.c      every page as the owner; who gets in
 *   test_console_members.c    the procedures on members, the same-origin
 *                             control, the audit trail
 *   test_console_groups.c     the procedures on user groups (the TCase
 *                             console_procedures holds both)
 *   test_console_security.c   refusals that change nothing; escaping
 *   test_console_names.c      names the URL scheme must carry, lists of
 *                             more than a page, a resource's page
 *   test_console_team_plan.c  the team plan
 *   test_console_labels.c     the Labels tab, a resource's labels
 *
 * The tests call the helpers by the names they had when all were one
 * file. The server's symbol is cs_t_srv (srv in the tests: the httpd
 * suite has a server of its own), and what only builds the suite carries
 * the prefix cs_t_. */
#ifndef IAM_CONSOLE_TEST_H
#define IAM_CONSOLE_TEST_H

#include "iam_test.h"

#include <string.h>

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The body type of a form post. */
#define FORM "application/x-www-form-urlencoded"

/* ---- fixture ---- */

/* The business-plan demo of the running TCase. */
extern iam_httpd_t cs_t_srv;
#define srv cs_t_srv

/* Adds `login` (password "<login>-pw") to the server's password file. */
void add_login(const iam_httpd_t *h, const char *login);
/* Logins the tests change, one or more per test; all can log in. */
#define CS_T_TEST_MEMBERS 20
extern const char *const test_members[CS_T_TEST_MEMBERS];
/* Prepares and starts the demo on `h` with test_members and the groups
 * the tests change; `extra` ends httpd.conf. */
void start_on(iam_httpd_t *h, const char *tag, const char *extra);
/* The fixture of the TCases on srv. */
void start_console(void);
void stop_console(void);

/* Check passes messages of a few KiB at most: the page from its main
 * part, cut short. */
const char *shown(const char *body);

/* ---- requests ---- */

typedef struct {
    long status;
    char *body;
    char *headers;
} resp_t;

void resp_free(resp_t *r);
/* A request as `user` (password "<user>-pw"), or with no user. */
resp_t request_on(const iam_httpd_t *h, const char *method, const char *path, const char *user,
                  const char *ctype, const char *body, const char *hdr1, const char *hdr2);
resp_t get_on(const iam_httpd_t *h, const char *user, const char *path);
resp_t get_as(const char *user, const char *path);
/* The status of one request to a protected path. */
long access_on(const iam_httpd_t *h, const char *user, const char *method, const char *path);
long access_of(const char *user, const char *path);

#define ck_access(user, path, want)                                                                \
    do {                                                                                           \
        long got_ = access_of((user), (path));                                                     \
        ck_assert_msg(got_ == (want), "GET %s as %s: got %ld, want %ld", (path), (user), got_,     \
                      (long)(want));                                                               \
    } while (0)

/* `user`'s token, read from a console page as a browser would. */
char *token_on(const iam_httpd_t *h, const char *user, const char *page);
/* "k1=v1&k2=v2..." from NULL-terminated key, value pairs (malloc'd),
 * encoded as browsers encode a form. */
char *kv(const char *key, ...);
/* POSTs `fields` (encoded, freed here) with olivia's token, as her form
 * would. */
resp_t post_on(const iam_httpd_t *h, const char *path, char *fields);
resp_t post_form(const char *path, char *fields);
/* `iamctl export` of the store. */
char *export_on(const iam_httpd_t *h);
char *export_store(void);

#define ck_has(body, s)                                                                            \
    ck_assert_msg((body) && strstr((body), (s)) != NULL, "want '%s' in:\n%s", (s), shown(body))
#define ck_lacks(body, s)                                                                          \
    ck_assert_msg((body) && strstr((body), (s)) == NULL, "did not want '%s' in:\n%s", (s),         \
                  shown(body))

/* Two exports of the store are the same (they are too long to print). */
#define ck_same_store(before, after)                                                               \
    ck_assert_msg(!strcmp((before), (after)), "the store changed (iamctl export differs)")

/* A 303 to `want_prefix` (then anything) carrying "done=<done>". */
void ck_see_other(const resp_t *r, const char *want_prefix, const char *done);
/* The security headers every console answer carries. */
void ck_security_headers(const char *what, const char *headers, int no_store);
/* An attribute's text as the browser reads it (malloc'd): the entities
 * iam_h() writes, back to characters. */
char *html_unescape(const char *s);
/* Follows the link whose text is `text` (as HTML) on `page`; returns the
 * answer. */
resp_t follow_link(const char *page, const char *text);

/* ---- the suite ---- */

/* A TCase on a server of its own: `setup` starts it, `teardown` stops it. */
TCase *cs_t_server_case(const char *name, void (*setup)(void), void (*teardown)(void));
/* Each file adds its TCases to the suite, in this order. */
void cs_t_add_pages(Suite *s);                     /* console_pages */
void cs_t_add_procedures(Suite *s);                /* console_procedures (test_console_members.c) */
void cs_t_add_group_procedures(TCase *procedures); /* its tests on groups */
void cs_t_add_security(Suite *s);                  /* console_refusals, console_escaping */
void cs_t_add_names(Suite *s);                     /* console_names */
void cs_t_add_team_plan(Suite *s);
void cs_t_add_labels(Suite *s); /* console_team_plan */

#endif
