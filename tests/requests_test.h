/* mod_iam integration tests: "request access". A refused member sees a
 * page that names what was refused and offers a form; the form posts to
 * the console's request-access endpoint, which stores the request, mails
 * every owner with an email, and sends the member back. Owners approve or
 * dismiss in the console or the API; any change to the member's
 * permissions answers their open requests.
 *
 * One shared server (event MPM) runs the demo site with a stand-in
 * sendmail (conf/demo/mailbox) writing to ROOT/mailbox.txt, IAMMailFrom
 * iam@example.com and three owners: olivia and owen with an email, ozzie
 * without. Every test there uses members of its own. The own_config case
 * starts a server per test for the directives (IAMRequestLimit,
 * IAMMailCommand that fails or hangs, IAMRequestAccess Off,
 * IAMDeniedTemplate, IAMConsoleURL); a guard process stops such a server
 * if its test fails. The hanging mail command is "sleep 30.PID", so its
 * processes can be found (and stopped by their ids) afterwards.
 *
 * The tests, one concern a file, share this header and requests_test.c
 * (the helpers below, the mailbox, the shared server, suite_requests):
 *
 *   test_requests_page.c      the refused page, in HTML and JSON; a non-member
 *   test_requests_filing.c    what is stored, for which page; refused input
 *   test_requests_mails.c     the owners' mails, their headers and Subject
 *   test_requests_approval.c  approving and dismissing, in the console and the API
 *   test_requests_settling.c  how a request ends; what the member then sees
 *   test_requests_config.c    the "own_config" case: the directives */
#ifndef REQUESTS_TEST_H
#define REQUESTS_TEST_H

/* This suite's shared names, prefixed where the linker sees them (every
 * suite's files link into one binary), short where the tests use them. */
#define call rq_call
#define enc rq_enc
#define status_of rq_status_of
#define str_at rq_str_at
#define parse_json rq_parse_json

#include "iam_test.h"

#include <jansson.h>
#include <stddef.h>

#define FORM "application/x-www-form-urlencoded"
#define WAREHOUSE "/warehouses/main/"

/* The server of the "shared" case (started by requests_test.c); the tests
 * call it srv. */
extern iam_httpd_t rq_srv;
#define srv rq_srv

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

char *enc(const char *s);            /* URL-encoded, for a form or a query */
const char *brief(const char *body); /* a response, short, for a failure message */
int ends_with(const char *s, const char *suffix);
/* A user of the password file ("<login>-pw") and a member of the store. */
void add_member(const iam_httpd_t *h, const char *login, const char *opts);
void ctl_ok(const iam_httpd_t *h, const char *args); /* iamctl ARGS, which must succeed */
/* One request as `user` (password "<user>-pw"); body and headers wanted or not. */
long call(const iam_httpd_t *h, const char *user, const char *method, const char *path,
          const char *ctype, const char *body, const char *header, char **out, char **headers);
/* The member's CSRF token, from the request form on their refused page. */
char *member_csrf(const iam_httpd_t *h, const char *user, const char *path);
char *owner_csrf(const iam_httpd_t *h); /* olivia's, from a console form */
/* Posts the request form with a given token. */
long ask_with(const iam_httpd_t *h, const char *user, const char *tok, const char *path,
              const char *level, const char *message, char **out, char **headers);
/* As a browser does: the refused page, then its form. */
long ask(const iam_httpd_t *h, const char *user, const char *path, const char *level,
         const char *message);
json_t *parse_json(const char *body);
json_t *api_get(const iam_httpd_t *h, const char *path); /* GET BASE/api/v1/PATH as olivia */
long api_post(const iam_httpd_t *h, const char *path, const char *json, char **out);
/* The open requests of `login` (all when NULL), as the API lists them. */
json_t *requests_of(const iam_httpd_t *h, const char *login);
size_t nrequests(const iam_httpd_t *h, const char *login);
/* Requests of `login` in the whole list (not through the member's index). */
int nrequests_in_all(const iam_httpd_t *h, const char *login);
const char *str_at(json_t *o, const char *key); /* "(missing)" if not a string */
/* Whether the trail has `action` on `target` by `actor` (NULL: anyone). */
int audited(const iam_httpd_t *h, const char *action, const char *target, const char *actor);
/* The status of `login`'s request for type:name among all of theirs
 * (answered ones too), or "none". */
char *status_of(const iam_httpd_t *h, const char *login, const char *type, const char *name);

/* ---- the mailbox: messages end with a line "." ---- */

typedef struct {
    char *head; /* the header lines, each ending in \n */
    char *body;
} mail_t;

#define MAILS_MAX 16

/* How many messages hold `match` (all when NULL); the first MAILS_MAX of
 * them in `out` unless it is NULL. */
int mails(const iam_httpd_t *h, const char *match, mail_t *out);
/* Every line of the header block is one of the headers mod_iam writes,
 * each once. */
void check_header_block(const mail_t *m);

/* ---- each file's tests ---- */

/* Add to the "shared" case, in the order suite_requests calls them. */
void rq_add_page_tests(TCase *tc);
void rq_add_filing_tests(TCase *tc);
void rq_add_mail_tests(TCase *tc);
void rq_add_approval_tests(TCase *tc);
void rq_add_settling_tests(TCase *tc);
void rq_add_filing_tests_late(TCase *tc);
void rq_add_mail_tests_late(TCase *tc);
void rq_add_page_tests_late(TCase *tc);
/* Adds the "own_config" case to the suite. */
void rq_add_own_config(Suite *s);

#endif
