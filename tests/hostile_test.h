/* mod_iam integration tests: hostile input (issue 7). Requests an attacker
 * would send, to a real apache2 running the demo site, each with the
 * answer it must get written next to it: refused or handled, never an
 * allow it should not be, never a crash, never a 5xx caused by input.
 *
 * Where libcurl would tidy a request up (paths with "..", "%2e%2e", NUL
 * bytes, invalid UTF-8, over-long lines and headers, bare LF), the request
 * goes out byte for byte over a TCP connection of its own (raw_send); the
 * rest goes through libcurl (call). Every status written here was first
 * observed against the server, then checked against what it must be: the
 * comments say why the less obvious ones are right.
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout" only; rita Source Read-only on all sources through group
 * "analysts"; max a plain member; nora in the password file but not a
 * member. The fixture adds logins with odd characters (some members, some
 * not), a member for the repeated-field test, an env.cgi backend (at "/"
 * and at /sources/checkout/, where IAMForwardHeaders is On) and a
 * stand-in sendmail writing to ROOT/mailbox.txt.
 *
 * Every request sent is counted (in memory shared with the forked test
 * processes); the fixture's teardown prints one line with the count, how
 * many got a 2xx where a refusal was wanted and how many got a 5xx or no
 * answer at all.
 *
 * The suite's files, in the order their tests run: test_hostile_paths.c,
 * test_hostile_api.c, test_hostile_console.c, test_hostile_identity.c,
 * test_hostile_limits.c, test_hostile_request_access.c; hostile_test.c
 * holds what they share (the tally, the requests, the fixture) and the
 * last test. */
#ifndef HOSTILE_TEST_H
#define HOSTILE_TEST_H

/* This suite's shared names, prefixed where the linker sees them (every
 * suite's files link into one binary), short where the tests use them. */
#define export_store ho_export_store
#define get_as ho_get_as
#define srv ho_srv
#define call ho_call

#include "iam_test.h"

#include <jansson.h>
#include <stddef.h>

#define MODULES "/usr/lib/apache2/modules"
#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"
#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* What only the web source's page holds: sam must never see it. */
#define WEB_CONTENT "<h1>sources/web</h1>"

/* The demo server (started by the fixture, hostile_test.c). */
extern iam_httpd_t srv;

/* ---- the tally, shared with the forked tests ---- */

typedef struct {
    int sent;         /* requests sent whose answer is mod_iam's */
    int apache;       /* requests whose answer is Apache's alone (see apache_only) */
    int bad_answers;  /* a 5xx, or no answer at all */
    int wrong_allows; /* a 2xx where a refusal was wanted */
    int passed;       /* tests (loop iterations) that ran to their end */
} tally_t;

extern tally_t *tally;
/* Set around requests whose answer would be the same whether mod_iam
 * granted or refused everything (Apache answers them itself: a 400, a
 * 404 before authentication, a wrong password): they test Apache, and
 * are counted apart from mod_iam's. */
extern int apache_only;

/* The last line of every test: it ran to the end, every check held. */
void passed(void);

/* The status is `want`; a 2xx where a refusal was wanted is tallied
 * before the test fails. */
#define ck_status(what, got, want)                                                                 \
    do {                                                                                           \
        long got_ = (got), want_ = (want);                                                         \
        if (got_ != want_ && got_ >= 200 && got_ < 300 && (want_ < 200 || want_ >= 300))           \
            __atomic_add_fetch(&tally->wrong_allows, 1, __ATOMIC_SEQ_CST);                         \
        ck_assert_msg(got_ == want_, "%s: status %ld, want %ld", (what), got_, want_);             \
    } while (0)

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

/* A "<script" in any case: the console and the refused page carry no
 * script at all, so any is injected markup. */
int has_script_tag(const char *s);
/* s cut to its first 2000 bytes, for a failure message */
const char *cut(const char *s);
/* n copies of c (malloc'd) */
char *repeat(char c, size_t n);

/* ---- answers ---- */

typedef struct {
    long status; /* 0: no status line */
    char *head;  /* the status line and headers ("" when none) */
    char *body;  /* what follows them (the whole answer when no status line) */
    size_t len;  /* bytes received in all */
} resp_t;

/* Sends `n` bytes as they are over a new TCP connection to the test
 * httpd and reads the answer until the server closes. */
resp_t raw_send(const char *data, size_t n);
/* "Authorization: Basic ...\r\n" for login:password */
char *basic_line(const char *login, const char *pw);
/* The Authorization line of a demo user (password "<login>-pw"), or "". */
char *auth_of(const char *user);
/* One HTTP/1.1 request written by hand: `auth` and `headers` are whole
 * header lines ("Name: value\r\n"), `body` (when not NULL) `body_len`
 * bytes sent with a Content-Length. */
resp_t raw_request(const char *method, const char *target, const char *auth, const char *headers,
                   const char *body, size_t body_len);
/* One request through libcurl; `userpass` "login:password" or NULL; up
 * to 7 extra header lines. */
resp_t call(const char *method, const char *path, const char *userpass, const char *ctype,
            const char *body, const char *const *hdrs);
/* "login:login-pw", the password of a demo user; NULL for none. */
char *userpass(const char *user);
resp_t get_as(const char *user, const char *path);
/* A JSON answer {"error": {"code": CODE, ...}}, served as JSON. */
void ck_json_error(const char *what, const resp_t *r, const char *code);

/* ---- the store, through iamctl ---- */

/* `iamctl export` */
char *export_store(void);
#define ck_same_store(what, before)                                                                \
    ck_assert_msg(!strcmp((before), export_store()),                                               \
                  "%s changed the store (iamctl export differs)", (what))

/* `iamctl member show LOGIN --json`, NULL when there is no such member. */
json_t *ho_member_json(const char *login);
/* max's CSRF token, from the request form of a page that refuses him. */
char *max_token(void);
/* A normal request still works. */
void ck_still_serving(const char *after);

/* ---- logins with odd characters (the fixture adds them) ---- */

typedef struct {
    const char *login; /* NULL: `length` times `fill`, built by odd_login() */
    int member;
    size_t length;
    char fill;
} odd_t;

#define ODD_LOGINS 9 /* the rows of odd[] */
extern odd_t odd[ODD_LOGINS];
const char *odd_login(int i);
char *odd_pw(int i);

/* ---- the tests ---- */

/* Each file adds its tests to the suite's one TCase, in the order they
 * run, and returns how many it added (a loop test once per row): the
 * fixture's summary holds only when that many ran to their end. */
int ho_add_paths(TCase *tc);          /* test_hostile_paths.c */
int ho_add_api(TCase *tc);            /* test_hostile_api.c */
int ho_add_console(TCase *tc);        /* test_hostile_console.c */
int ho_add_identity(TCase *tc);       /* test_hostile_identity.c */
int ho_add_limits(TCase *tc);         /* test_hostile_limits.c */
int ho_add_request_access(TCase *tc); /* test_hostile_request_access.c */

#endif
