/* mod_iam tests, the cluster suite: one PostgreSQL per test case,
 * started by the case's fixture in the runner and stopped after it; each
 * test makes its own database and stores. */
#include "cluster_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

iam_pg_t cl_pg;

void cl_pg_setup(void)
{
    memset(&cl_pg, 0, sizeof(cl_pg));
    if (iam_pg_start(&cl_pg, "pg") != 0) {
        fprintf(stderr, "cluster: PostgreSQL did not start\n");
        abort();
    }
}

void cl_pg_teardown(void)
{
    iam_pg_stop(&cl_pg);
}

char *cl_database(const char *tag)
{
    static int n;
    char *name = xprintf("%s_%d_%d", tag, (int)getpid(), ++n);
    char *conninfo = iam_pg_createdb(&cl_pg, name);

    ck_assert_msg(conninfo != NULL, "createdb %s failed", name);
    return conninfo;
}

char *cl_store(const char *tag)
{
    return xprintf("%s/store", iam_test_tmpdir(tag));
}

static int vctl(char **out, const char *fmt, va_list ap)
{
    char *args = NULL;
    int rc;

    if (vasprintf(&args, fmt, ap) < 0)
        abort();
    rc = iam_test_run(out, NULL, "'%s/iamctl' %s 2>&1", iam_test_build_dir(), args);
    free(args);
    return rc;
}

int cl_ctl(char **out, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vctl(out, fmt, ap);
    va_end(ap);
    return rc;
}

char *cl_ctl_ok(const char *fmt, ...)
{
    va_list ap;
    char *out = NULL;
    int rc;

    va_start(ap, fmt);
    rc = vctl(&out, fmt, ap);
    va_end(ap);
    ck_assert_msg(rc == 0, "iamctl exited %d: %s", rc, out);
    return out;
}

Suite *suite_cluster(void)
{
    Suite *s = suite_create("cluster");

    cluster_add_iamctl(s);
    cluster_add_httpd(s);
    return s;
}
