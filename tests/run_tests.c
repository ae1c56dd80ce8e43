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

char *iam_test_tmpdir(const char *tag)
{
    char *dir = malloc(256);

    snprintf(dir, 256, "/tmp/iam-test-%s-XXXXXX", tag);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    chmod(dir, 0755); /* the test httpd's children run as another user */
    return dir;
}

void iam_test_rmtree(const char *dir)
{
    char cmd[512];

    if (dir && !strncmp(dir, "/tmp/iam-test-", 14)) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
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
    const char *which = getenv("IAM_SUITES");
    int unit_only = which && !strcmp(which, "unit");
    SRunner *sr = srunner_create(suite_policy());
    int failed;

    srunner_add_suite(sr, suite_store());
    srunner_add_suite(sr, suite_pathmap());
    srunner_add_suite(sr, suite_iamctl());
    if (!unit_only) {
        srunner_add_suite(sr, suite_httpd());
        srunner_add_suite(sr, suite_requests());
        srunner_add_suite(sr, suite_api());
        srunner_add_suite(sr, suite_console());
        srunner_add_suite(sr, suite_identity());
        srunner_add_suite(sr, suite_hostile());
        srunner_add_suite(sr, suite_faults());
    }
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
