/* mod_iam tests: runs every suite and prints Check's summary line.
 * IAM_SUITES=unit runs the unit suites only (the sanitizer build). */
#include "iam_test.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *iam_test_build_dir(void)
{
    const char *b = getenv("IAM_BUILD");
    return b && *b ? b : "build";
}

/* Every directory a test makes lies in one directory of the run, which
 * main() removes at the end, whatever failed: Check runs no teardown after
 * a failed assertion, so a test's own clean-up may never come. */
static char run_dir[128];

char *iam_test_tmpdir(const char *tag)
{
    char *dir = malloc(256);

    snprintf(dir, 256, "%s/%s-XXXXXX", run_dir, tag);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    chmod(dir, 0755); /* the test httpd's children run as another user */
    return dir;
}

/* Stops what a failed test left running (an httpd or a PostgreSQL whose
 * pid file lies in the run's directory), then removes the directory. */
static void rmtree_run(const char *dir)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "find '%s' -name httpd.pid 2>/dev/null | while read f; do kill -TERM $(cat \"$f\") "
             "2>/dev/null; done; find '%s' -name postmaster.pid 2>/dev/null | while read f; do "
             "kill -QUIT $(head -n 1 \"$f\") 2>/dev/null; done; sleep 0.2",
             dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not look for servers left running in %s\n", dir);
}

static void rmtree(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

void iam_test_rmtree(const char *dir)
{
    size_t n = strlen(run_dir);

    if (dir && n && !strncmp(dir, run_dir, n) && dir[n] == '/')
        rmtree(dir);
}

char *xprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

int has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

int count_of(const char *hay, const char *needle)
{
    int n = 0;

    while (hay && (hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

char *shq(const char *s)
{
    char *out = malloc(strlen(s) * 4 + 3), *o = out;

    *o++ = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *s;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

char *base64(const char *s, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
    return out;
}

char *iam_test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
        buf[0] = '\0';
    fclose(f);
    return buf;
}

int iam_test_run(char **out, char **err, const char *fmt, ...)
{
    char cmd[8192], full[8400], ofile[64], efile[64];
    va_list ap;
    int st, fd;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    snprintf(ofile, sizeof(ofile), "/tmp/iam-run-out-XXXXXX");
    snprintf(efile, sizeof(efile), "/tmp/iam-run-err-XXXXXX");
    if ((fd = mkstemp(ofile)) >= 0)
        close(fd);
    if ((fd = mkstemp(efile)) >= 0)
        close(fd);
    snprintf(full, sizeof(full), "( %s ) >%s 2>%s </dev/null", cmd, ofile, efile);
    st = system(full);
    if (out)
        *out = iam_test_slurp(ofile);
    if (err)
        *err = iam_test_slurp(efile);
    unlink(ofile);
    unlink(efile);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int main(void)
{
    const char *which = getenv("IAM_SUITES"), *xml = getenv("IAM_TEST_XML");
    int unit_only = which && !strcmp(which, "unit");
    int bench = which && !strcmp(which, "cluster-bench");
    SRunner *sr;
    int failed;

    snprintf(run_dir, sizeof(run_dir), "/tmp/iam-test-XXXXXX");
    if (!mkdtemp(run_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    chmod(run_dir, 0755);
    if (bench) { /* make bench-cluster: that alone */
        sr = srunner_create(suite_cluster_bench());
        goto run;
    }
    sr = srunner_create(suite_policy());

    srunner_add_suite(sr, suite_store());
    srunner_add_suite(sr, suite_pathmap());
    srunner_add_suite(sr, suite_scim());
    srunner_add_suite(sr, suite_iamctl());
    srunner_add_suite(sr, suite_audit_text());
    srunner_add_suite(sr, suite_log());
    srunner_add_suite(sr, suite_arrival());
    srunner_add_suite(sr, suite_glue());
    if (!unit_only) {
        srunner_add_suite(sr, suite_httpd());
        srunner_add_suite(sr, suite_requests());
        srunner_add_suite(sr, suite_api());
        srunner_add_suite(sr, suite_console());
        srunner_add_suite(sr, suite_identity());
        srunner_add_suite(sr, suite_hostile());
        srunner_add_suite(sr, suite_faults());
        srunner_add_suite(sr, suite_git());
        srunner_add_suite(sr, suite_scim_http());
        srunner_add_suite(sr, suite_log_httpd());
        srunner_add_suite(sr, suite_cluster());
    }
run:
    if (xml && *xml) /* each test's duration, to set timeouts by */
        srunner_set_xml(sr, xml);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rmtree_run(run_dir);
    rmtree(run_dir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
