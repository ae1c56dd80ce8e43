/* The audit_text suite's shared part (audit_text_test.h says what the
 * suite tests and which file holds what): the fixtures (a pool and roles;
 * a real store), entries as the store writes them and their words, the
 * real trail, and the suite. */
#include "audit_text_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

apr_pool_t *pool;
iam_roles_t roles;

/* ---- fixtures ---- */

static void pure_setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    iam_roles_init(&roles);
    ck_assert_ptr_null(iam_roles_add(&roles, "Dashboard Viewer", "dashboard-viewer", "dashboard",
                                     IAM_LEVEL_READ, 0));
}

static void pure_teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

char *att_tmp_dir;
iam_store_t *st;
iam_err_t ierr;

static void store_setup(void)
{
    pure_setup();
    att_tmp_dir = iam_test_tmpdir("audit");
    memset(&ierr, 0, sizeof(ierr));
    ck_assert_msg(iam_store_open(&st, apr_pstrcat(pool, att_tmp_dir, "/store", NULL), TEST_MAPSIZE,
                                 IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr) == IAM_OK,
                  "open: %s", ierr.msg);
}

static void store_teardown(void)
{
    pure_teardown(); /* closes the store with its pool */
    iam_test_rmtree(att_tmp_dir);
    free(att_tmp_dir);
}

/* ---- helpers ---- */

iam_grant_t grant_of(const char *role, iam_scope_e scope, const char **items)
{
    iam_grant_t g = {role, scope, 0, items};

    while (items && items[g.nitems])
        g.nitems++;
    return g;
}

iam_audit_t entry(const char *actor, const char *action, const char *target, const char *before,
                  const char *after)
{
    iam_audit_t a = {1, 1700000000, actor, action, target, before, after};
    return a;
}

iam_audit_text_t describe(const iam_audit_t *a)
{
    iam_audit_text_t t;

    iam_audit_describe(pool, &roles, a, NULL, NULL, &t);
    return t;
}

const char *sentence(const char *actor, const char *action, const char *target, const char *before,
                     const char *after)
{
    iam_audit_t a = entry(actor, action, target, before, after);
    return describe(&a).sentence;
}

/* The changes, one per line. */
const char *changes(const iam_audit_text_t *t)
{
    return apr_array_pstrcat(pool, t->changes, '\n');
}

/* Valid UTF-8 with no control character. */
static int clean_text(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        int n = *u < 0x80             ? 1
                : (*u & 0xe0) == 0xc0 ? 2
                : (*u & 0xf0) == 0xe0 ? 3
                : (*u & 0xf8) == 0xf0 ? 4
                                      : 0;
        int i;
        if (!n || (n == 1 && (*u < 0x20 || *u == 0x7f)))
            return 0;
        for (i = 1; i < n; i++) {
            if ((u[i] & 0xc0) != 0x80)
                return 0;
        }
        u += n;
    }
    return 1;
}

/* Describes a and checks what any entry must give. */
iam_audit_text_t described_sanely(const iam_audit_t *a)
{
    iam_audit_text_t t = describe(a);
    int i;

    ck_assert_ptr_nonnull(t.sentence);
    ck_assert_msg(*t.sentence, "an empty sentence for %s", a->action ? a->action : "(null)");
    ck_assert_msg(clean_text(t.sentence), "not clean: %s", t.sentence);
    ck_assert_ptr_nonnull(t.kind);
    for (i = 0; i < t.changes->nelts; i++)
        ck_assert_msg(clean_text(APR_ARRAY_IDX(t.changes, i, const char *)), "not clean: %s",
                      APR_ARRAY_IDX(t.changes, i, const char *));
    return t;
}

/* ---- a real store ---- */

apr_array_header_t *trail(void)
{
    apr_array_header_t *list;

    OK(iam_store_audit_list(st, pool, 0, 0, &list, &ierr));
    return list;
}

const char *said(const apr_array_header_t *list, const char *action, int nth)
{
    int i;

    for (i = list->nelts - 1; i >= 0; i--) { /* oldest first */
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        if (!strcmp(a->action, action) && nth-- == 0)
            return describe(a).sentence;
    }
    return "(none)";
}

/* ---- the suite ---- */

Suite *suite_audit_text(void)
{
    Suite *s = suite_create("audit_text");
    TCase *tc_words, *tc_trail;

    tc_words = tcase_create("words");
    tcase_add_checked_fixture(tc_words, pure_setup, pure_teardown);
    tcase_set_timeout(tc_words, IAM_TIMEOUT_PURE);
    tc_trail = tcase_create("trail");
    tcase_add_checked_fixture(tc_trail, store_setup, store_teardown);
    tcase_set_timeout(tc_trail, IAM_TIMEOUT_DISK);
    att_add_sentences(tc_words, tc_trail);
    att_add_reading(tc_words, tc_trail);
    att_add_filters(tc_words, tc_trail);
    suite_add_tcase(s, tc_words);
    suite_add_tcase(s, tc_trail);
    return s;
}
