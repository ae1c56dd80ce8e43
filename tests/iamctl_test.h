/* mod_iam tests: the iamctl command line, run as a real process on a fresh
 * store per test. Exit status: 0 ok, 1 error (one "iamctl: ..." line on
 * stderr), 2 bad usage, 3 `check` denied.
 *
 * The suite's files, in the order their TCases run: test_iamctl_members.c,
 * test_iamctl_groups.c, test_iamctl_export.c, test_iamctl_check.c,
 * test_iamctl_usage.c, test_iamctl_crash.c; iamctl_test.c holds what they
 * share (the fixture, running iamctl, reading what it printed) and the
 * suite. */
#ifndef IAMCTL_TEST_H
#define IAMCTL_TEST_H

#include "iam_test.h"

#include <jansson.h>

/* ---- the fixture's state (iamctl_test.c) ---- */

extern char *ctlt_tmp_dir;  /* the fixture's temp directory */
extern char store[512];     /* the store inside it (not created until init) */
extern char last_cmd[4096]; /* for failure messages */
extern char *out, *errs;    /* what the last command printed */

/* A TCase of this suite: a fresh directory per test, IAM_TIMEOUT_DISK. */
TCase *ctlt_tcase(const char *name);

/* ---- running iamctl ---- */

/* Forgets what the last command printed. */
void forget_output(void);
/* A path in the fixture's directory. */
const char *path_of(const char *name);
/* Runs `iamctl -d STORE ARGS`; returns the exit status. */
int ctl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same on another store directory. */
int ctl_at(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define EXPECT_EXIT(want, call)                                                                    \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        ck_assert_msg(rc_ == (want), "iamctl %s: exit %d, want %d\nstdout: %s\nstderr: %s",        \
                      last_cmd, rc_, (want), out, errs);                                           \
    } while (0)

/* Success, and stdout holds `text` (NULL: anything). */
#define CTL_OK(text, ...)                                                                          \
    do {                                                                                           \
        EXPECT_EXIT(0, ctl(__VA_ARGS__));                                                          \
        assert_holds(out, text);                                                                   \
    } while (0)

/* An error: exit 1 and one line "iamctl: ..." holding `text`. */
#define CTL_FAILS(text, ...)                                                                       \
    do {                                                                                           \
        EXPECT_EXIT(1, ctl(__VA_ARGS__));                                                          \
        assert_error_line(text);                                                                   \
    } while (0)

/* Bad usage: exit 2, the usage text on stderr, nothing on stdout. */
#define CTL_USAGE(text, ...)                                                                       \
    do {                                                                                           \
        EXPECT_EXIT(2, ctl(__VA_ARGS__));                                                          \
        assert_usage(text);                                                                        \
    } while (0)

/* `text` (NULL: anything) is in `what`, which the last command printed. */
void assert_holds(const char *what, const char *text);
/* stderr is one line "iamctl: ..." holding `text`, stdout empty. */
void assert_error_line(const char *text);
/* The usage text on stderr (after the reason holding `text`, if any),
 * stdout empty. */
void assert_usage(const char *text);

/* ---- JSON ---- */

/* What the last command printed, parsed (a new reference). */
json_t *out_json(void);
const char *jstr(json_t *o, const char *key);
int jbool(json_t *o, const char *key);
/* The element of `array` whose `key` is `value`, or NULL. */
json_t *jfind(json_t *array, const char *key, const char *value);
/* An array of strings as one line, "a b c". */
const char *jwords(json_t *array);
/* `member show LOGIN --json` (a new reference). */
json_t *ctlt_member_json(const char *login);
json_t *group_json(const char *name);
/* The items of the grant of `role` in an object's "grants", "-" if none. */
const char *grant_items(json_t *holder, const char *role);
void write_file(const char *path, const char *text);

/* A workspace with a bit of everything: alice the owner, bob, carol
 * invited, group eng, a grant of each scope. */
void populate(void);

/* ---- the tests ---- */

/* Each file adds its TCases to the suite, in the order they run. */
void ctlt_add_members(Suite *s); /* test_iamctl_members.c: init, member, grant */
void ctlt_add_groups(Suite *s);  /* test_iamctl_groups.c: group, roles */
void ctlt_add_export(Suite *s);  /* test_iamctl_export.c: export */
void ctlt_add_check(Suite *s);   /* test_iamctl_check.c: check */
void ctlt_add_usage(Suite *s);   /* test_iamctl_usage.c: usage, plan */
void ctlt_add_crash(Suite *s);   /* test_iamctl_crash.c: crash */

#endif
