/* mod_iam tests: the audit trail in words (iam_audit_text.h), driven by
 * entries written as the store writes them, by real operations on a real
 * store, and by damaged and cut texts; and the store's filtered trail
 * (iam_store_audit_query), on real trails.
 *
 * The suite's files: test_audit_text_sentences.c,
 * test_audit_text_reading.c, test_audit_text_filters.c; audit_text_test.c
 * holds what they share (the fixtures, entries and their words) and the
 * suite. */
#ifndef AUDIT_TEXT_TEST_H
#define AUDIT_TEXT_TEST_H

#include "iam_audit_text.h"
#include "iam_store.h"
#include "iam_test.h"

#include <apr_tables.h>
#include <string.h>

#define TEST_MAPSIZE ((size_t)64 << 20)

/* ---- the fixtures' state (audit_text_test.c) ---- */

/* "words" and "trail": a pool and the built-in roles, with "Dashboard
 * Viewer" declared as a server would */
extern apr_pool_t *pool;
extern iam_roles_t roles;
/* "trail" only: a fresh store in a directory of its own */
extern char *att_tmp_dir;
extern iam_store_t *st;
extern iam_err_t ierr;

/* ---- helpers ---- */

#define OK(call)                                                                                   \
    do {                                                                                           \
        iam_status_e got_;                                                                         \
        memset(&ierr, 0, sizeof(ierr));                                                            \
        got_ = (call);                                                                             \
        ck_assert_msg(got_ == IAM_OK, "%s -> %s (%s)", #call, iam_status_str(got_), ierr.msg);     \
    } while (0)

#define ITEMS(...) ((const char *[]){__VA_ARGS__, NULL})

iam_grant_t grant_of(const char *role, iam_scope_e scope, const char **items);
/* An entry of the trail, at one fixed time. */
iam_audit_t entry(const char *actor, const char *action, const char *target, const char *before,
                  const char *after);
iam_audit_text_t describe(const iam_audit_t *a);
/* The sentence of entry(...). */
const char *sentence(const char *actor, const char *action, const char *target, const char *before,
                     const char *after);
/* The changes, one per line. */
const char *changes(const iam_audit_text_t *t);
/* Describes a and checks what any entry must give. */
iam_audit_text_t described_sanely(const iam_audit_t *a);

#define MAX0 "status=active email=max@example.com name=Max pii=no grants=[none] groups=[]"
#define MAX1                                                                                       \
    "status=active email=max@example.com name=Max Mustermann pii=no grants=[source-admin on "      \
    "checkout web] groups=[analysts]"

/* ---- a real store ("trail") ---- */

/* The store's whole trail, newest first. */
apr_array_header_t *trail(void);
/* The sentence of the `nth` entry of `action` in `list`, oldest first;
 * "(none)" when there is none. */
const char *said(const apr_array_header_t *list, const char *action, int nth);

/* ---- the tests ---- */

/* Each file adds its tests to the suite's two TCases: "words" (no store)
 * and "trail" (a real store). */
void att_add_sentences(TCase *tc_words, TCase *tc_trail); /* test_audit_text_sentences.c */
void att_add_reading(TCase *tc_words, TCase *tc_trail);   /* test_audit_text_reading.c */
void att_add_filters(TCase *tc_words, TCase *tc_trail);   /* test_audit_text_filters.c */

#endif
