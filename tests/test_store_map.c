/* mod_iam tests, the "store" suite (store_test.h): a full map. A handle
 * adopts the bigger map another process grew; a store whose map is full
 * refuses the write that does not fit (IAM_FULL), and all before it stays
 * whole. */
#include "store_test.h"

#include <sys/wait.h>
#include <unistd.h>

/* ---- a full map ---- */

/* Another process grows the map past this handle's size: the handle adopts
 * the new size instead of failing every request. */
START_TEST(test_map_grown_by_another_process)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/grow", NULL);
    iam_store_t *small = open_other("grow", 1048576);
    iam_workspace_info_t wi;
    iam_member_t *m;
    pid_t pid;
    int status;

    OK(iam_store_member_add(small, "test", "first", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    pid = fork();
    if (pid == 0) {
        /* a separate process with its own environment and a bigger map */
        apr_pool_t *cp;
        iam_store_t *big;
        iam_err_t e;
        int n;
        apr_pool_create(&cp, NULL);
        if (iam_store_open(&big, dir, 64 << 20, 0, cp, &e) != IAM_OK)
            _exit(1);
        for (n = 0; n < 12000; n++) {
            if (iam_store_member_add(big, "test", apr_psprintf(cp, "bulk%05d", n), NULL,
                                     "a name that takes some room in the record", IAM_ACTIVE, 0,
                                     &e) != IAM_OK)
                _exit(2);
        }
        _exit(0);
    }
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    OK(iam_store_info(small, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 12001);
    OK(iam_store_member_get(small, pool, "bulk11999", &m, &ierr));
    OK(iam_store_member_add(small, "test", "last", NULL, NULL, IAM_ACTIVE, 0, &ierr));
}
END_TEST

START_TEST(test_map_full)
{
    iam_store_t *tiny = open_other("tiny", 1048576);
    iam_workspace_info_t wi;
    iam_member_t *m;
    iam_status_e rc = IAM_OK;
    const char *name = "A display name long enough to fill a small map in a few thousand adds, "
                       "padded out to a hundred and twenty chars.";
    int n;

    for (n = 0; n < 100000; n++) {
        memset(&ierr, 0, sizeof(ierr));
        rc = iam_store_member_add(tiny, "test", apr_psprintf(pool, "user%06d", n),
                                  apr_psprintf(pool, "user%06d@example.com", n), name, IAM_ACTIVE,
                                  n == 0, &ierr);
        if (rc != IAM_OK)
            break;
    }
    ck_assert_msg(rc == IAM_FULL, "after %d adds: %s (%s)", n, iam_status_str(rc), ierr.msg);
    ck_assert_ptr_nonnull(strstr(ierr.msg, "IAMMapSize"));
    ck_assert_int_gt(n, 0);

    /* Everything before the failure is whole; the failed add left nothing. */
    OK(iam_store_info(tiny, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, n);
    ck_assert_int_eq(wi.owners, 1);
    for (int i = 0; i < n; i++) {
        OK(iam_store_member_get(tiny, pool, apr_psprintf(pool, "user%06d", i), &m, &ierr));
        ck_assert_str_eq(m->name, name);
    }
    EXPECT(IAM_NOTFOUND,
           iam_store_member_get(tiny, pool, apr_psprintf(pool, "user%06d", n), &m, &ierr));
}
END_TEST

/* ---- the cases ---- */

void store_cases_map(Suite *s)
{
    TCase *tc;

    tc = store_tcase("map-full");
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER); /* 8 s under ASan */
    tcase_add_test(tc, test_map_full);
    tcase_add_test(tc, test_map_grown_by_another_process);
    suite_add_tcase(s, tc);
}
