/* mod_iam integration tests: the real apache2 with mod_iam on the demo
 * site (conf/demo), real HTTP requests, under the event, prefork and worker
 * MPMs.
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. The fixture
 * adds: lena (Source Admin on label env:prod), cara (Source Admin on all),
 * wanda (Warehouse Read-only), flip (changed while the server runs). */

/* What the httpd suite's files share, declared here and defined once in
 * httpd_test.c: the demo server and its fixture's members, requests by
 * status, and the checks of a row of a matrix and of a configuration
 * apache2 -t refuses. One concern a file:
 *
 *   test_httpd_mpm.c     the demo under each MPM: who gets what, changes
 *                        seen at once, decisions in the log
 *   test_httpd_config.c  apache2 -t on bad directives; servers with a
 *                        configuration or a store of their own; two demos
 *   test_httpd_paths.c   IAMResourcePath: resources declared by path
 *
 * The tests call the helpers by the names they had when all were one
 * file. The server's symbol is ht_srv (srv in the tests: the console
 * suite has a server of its own), and what only builds the suite carries
 * the prefix ht_. */
#ifndef IAM_HTTPD_TEST_H
#define IAM_HTTPD_TEST_H

/* This suite's shared names, prefixed where the linker sees them (every
 * suite's files link into one binary), short where the tests use them. */
#define add_user ht_add_user

#include "iam_test.h"

/* The demo of the running TCase (its MPM's, or the paths site's). */
extern iam_httpd_t ht_srv;
#define srv ht_srv

/* Adds `login` (password "<login>-pw") to the server's password file. */
void add_user(const iam_httpd_t *h, const char *login);
/* The fixture's members beside the demo's: lena, cara, wanda. */
void add_fixture_members(const iam_httpd_t *h);
/* The teardown of the TCases on srv. */
void stop_demo(void);

/* One request as `user` (password "<user>-pw"), or with no user. */
long status_on(const iam_httpd_t *h, const char *method, const char *path, const char *user);
long status_of(const char *method, const char *path, const char *user);

/* Static files answer POST with 200 here and PUT with 405: both mean
 * mod_iam allowed the request. */
typedef struct {
    const char *user, *method, *path;
    long want;
} matrix_row_t;

/* One row: the request, as the row's user, answers the row's status. */
void ck_row(const matrix_row_t *row);

/* A configuration apache2 -t must refuse, and what its message says. */
typedef struct {
    const char *conf, *want;
} bad_config_t;

/* apache2 -t on a config of base.conf plus `row->conf` fails, saying
 * `row->want`. */
void ck_refused(iam_httpd_t *h, const bad_config_t *row);

/* Each file adds its TCases to the suite, in this order. */
void ht_add_mpm(Suite *s);    /* event, prefork, worker */
void ht_add_config(Suite *s); /* configtest, own_config, demo */
void ht_add_paths(Suite *s);  /* resource_path, resource_path_config */

#endif
