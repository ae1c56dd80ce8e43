/* mod_iam tests, the cluster suite: one PostgreSQL per test case,
 * started by the case's fixture in the runner and stopped after it; each
 * test makes its own database and stores. */
#include "cluster_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

iam_pg_t cl_pg;

static void cl_pg_setup(void)
{
    memset(&cl_pg, 0, sizeof(cl_pg));
    if (iam_pg_start(&cl_pg, "pg") != 0) {
        fprintf(stderr, "cluster: PostgreSQL did not start\n");
        abort();
    }
}

static void cl_pg_teardown(void)
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

long cl_api(const iam_httpd_t *h, const char *method, const char *path, const char *body,
            char **out)
{
    iam_req_t req = {method,
                     xprintf("/iam/api/v1/%s", path),
                     "olivia:olivia-pw",
                     body ? "application/json" : NULL,
                     body,
                     {NULL}};

    return iam_http_do(h, &req, out, NULL);
}

long cl_site(const iam_httpd_t *h, const char *path, const char *user)
{
    return iam_http(h, "GET", path, xprintf("%s:%s-pw", user, user), NULL);
}

/* a and b serve one workspace: a's demo store moved into the database, b
 * with no store at all. */
void cl_start_pair(iam_httpd_t *a, iam_httpd_t *b, const char *db)
{
    const char *extra = xprintf("IAMDatabase \"%s\"\n", db);

    iam_httpd_prepare(a, "a");
    iam_httpd_prepare(b, "b");
    cl_ctl_ok("-d %s --database %s init", a->store, shq(db));
    ck_assert_int_eq(iam_test_run(NULL, NULL, "rm -rf '%s'", b->store), 0);
    ck_assert_int_eq(iam_httpd_start(a, "event", NULL, extra), 0);
    ck_assert_int_eq(iam_httpd_start(b, "prefork", NULL, extra), 0);
}

/* The digest line of `iamctl -d STORE log status`. */
static char *digest_of(const char *store)
{
    char *out = cl_ctl_ok("-d %s log status", store), *d = strstr(out, "digest: ");

    ck_assert_msg(d != NULL, "no digest in: %s", out);
    d[strcspn(d, "\n")] = '\0';
    return d;
}

char *cl_converged(const char *db, const char *a, const char *b)
{
    char *ea, *eb, *ed;

    cl_ctl_ok("-d %s replica sync", a);
    cl_ctl_ok("-d %s replica sync", b);
    ea = cl_ctl_ok("-d %s export", a);
    eb = cl_ctl_ok("-d %s export", b);
    ed = cl_ctl_ok("--database %s export", db);
    ck_assert_str_eq(ea, eb);
    ck_assert_str_eq(ea, ed);
    ck_assert_str_eq(digest_of(a), digest_of(b));
    return ea;
}

TCase *cl_tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, cl_pg_setup, cl_pg_teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

Suite *suite_cluster(void)
{
    Suite *s = suite_create("cluster");

    cluster_add_iamctl(s);
    cluster_add_httpd(s);
    return s;
}
