/* The cluster suite: a workspace in a real PostgreSQL, its stores
 * replicas (iamctl --database; IAMDatabase). What its files share. */
#ifndef CLUSTER_TEST_H
#define CLUSTER_TEST_H

#include "iam_test.h"

/* The PostgreSQL of the current test case (started by its fixture). */
extern iam_pg_t cl_pg;

/* A new database of cl_pg: its connection string (the test fails if it
 * cannot be made). */
char *cl_database(const char *tag);
/* A new store directory (not made yet). */
char *cl_store(const char *tag);
/* Runs iamctl with these arguments (stderr with stdout): its exit status. */
int cl_ctl(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, and the test fails unless it exits 0. */
char *cl_ctl_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The console's JSON API of a server, as olivia (the demo's owner): the
 * status, and the body into *out unless it is NULL. */
long cl_api(const iam_httpd_t *h, const char *method, const char *path, const char *body,
            char **out);
/* GET path as a demo user (password "<user>-pw"): the status. */
long cl_site(const iam_httpd_t *h, const char *path, const char *user);
/* a and b serve one workspace (IAMDatabase db; a under the event MPM, b
 * under prefork): a's demo store moved into the database, b started with
 * no store at all. */
void cl_start_pair(iam_httpd_t *a, iam_httpd_t *b, const char *db);

/* Brings the stores a and b up to the database (db: its connection
 * string quoted for the shell) and checks that both and the database's
 * own view export the same, and that a and b hold the same bytes (their
 * digests): the export. */
char *cl_converged(const char *db, const char *a, const char *b);

/* A test case with a PostgreSQL of its own, started before its tests
 * and stopped after them (in the runner), and its timeout in seconds. */
TCase *cl_tcase(const char *name, int timeout);

void cluster_add_iamctl(Suite *s);
void cluster_add_httpd(Suite *s);

#endif
