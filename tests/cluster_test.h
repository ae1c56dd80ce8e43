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

void cl_pg_setup(void);
void cl_pg_teardown(void);

void cluster_add_iamctl(Suite *s);
void cluster_add_httpd(Suite *s);

#endif
