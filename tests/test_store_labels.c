/* mod_iam tests, store suite: the workspace's labels (issue 16). env:dev
 * and env:prod are every workspace's; owners make more, each once
 * whatever its case; bad labels, long descriptions and plans without
 * labels are refused; a label a grant names cannot be deleted (the
 * message names whose), one no grant names can; every change is audited
 * and replays from the log (the fixture's teardown checks it). */
#include "store_test.h"

static const char *labels_text(void)
{
    apr_array_header_t *list;
    const char *out = "";
    int i;

    OK(iam_store_label_list(st, pool, &list, &ierr));
    for (i = 0; i < list->nelts; i++) {
        const iam_label_t *l = APR_ARRAY_IDX(list, i, iam_label_t *);
        out = apr_psprintf(pool, "%s%s%s%s", out, i ? " " : "", l->label,
                           l->builtin ? "(built in)" : "");
    }
    return out;
}

START_TEST(test_labels_made_once)
{
    char desc[202];

    ck_assert_str_eq(labels_text(), "env:dev(built in) env:prod(built in)");
    OK(iam_store_label_create(st, "t", "team:Growth", "the growth team", &ierr));
    ck_assert_str_eq(audit_actions(1), "label.create");
    OK(iam_store_label_create(st, "t", "team:data", NULL, &ierr));
    ck_assert_str_eq(labels_text(), "env:dev(built in) env:prod(built in) team:data team:Growth");
    EXPECT(IAM_EXISTS, iam_store_label_create(st, "t", "TEAM:growth", NULL, &ierr));
    EXPECT(IAM_EXISTS, iam_store_label_create(st, "t", "Env:Prod", NULL, &ierr));
    ck_assert_msg(strstr(ierr.msg, "every workspace has it"), "%s", ierr.msg);
    EXPECT(IAM_INVALID, iam_store_label_create(st, "t", "teamgrowth", NULL, &ierr));
    EXPECT(IAM_INVALID, iam_store_label_create(st, "t", "9team:x", NULL, &ierr));
    ck_assert_msg(strstr(ierr.msg, "must not start with a digit"), "%s", ierr.msg);
    EXPECT(IAM_INVALID, iam_store_label_create(st, "t", "team:a/b", NULL, &ierr));
    memset(desc, 'd', 201);
    desc[201] = '\0';
    EXPECT(IAM_INVALID, iam_store_label_create(st, "t", "team:ops", desc, &ierr));
    ck_assert_str_eq(labels_text(), "env:dev(built in) env:prod(built in) team:data team:Growth");
    ck_assert_str_eq(audit_actions(2), "label.create label.create");
}
END_TEST

START_TEST(test_labels_need_the_plan)
{
    set_plan(IAM_PLAN_TEAM);
    EXPECT(IAM_PLAN, iam_store_label_create(st, "t", "team:growth", NULL, &ierr));
    ck_assert_str_eq(labels_text(), "env:dev(built in) env:prod(built in)");
}
END_TEST

START_TEST(test_label_in_use_is_kept)
{
    iam_grant_t mine = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("team:data"));
    iam_grant_t both = grant_of("personas-user", IAM_SCOPE_LABELS, ITEMS("team:data", "env:prod"));
    iam_grant_t near = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("team:dat"));

    add("max", NULL, 0);
    OK(iam_store_group_create(st, "t", "eng", &ierr));
    OK(iam_store_label_create(st, "t", "team:data", NULL, &ierr));
    OK(iam_store_label_create(st, "t", "team:dat", NULL, &ierr));
    OK(iam_store_grant(st, "t", 0, "max", &mine, &ierr));
    OK(iam_store_grant(st, "t", 1, "eng", &both, &ierr));
    OK(iam_store_grant(st, "t", 1, "eng", &near, &ierr));
    EXPECT(IAM_IN_USE, iam_store_label_delete(st, "t", "Team:Data", &ierr));
    ck_assert_msg(strstr(ierr.msg, "member max") && strstr(ierr.msg, "group eng"), "%s", ierr.msg);
    OK(iam_store_revoke(st, "t", 0, "max", &mine, 0, &ierr));
    EXPECT(IAM_IN_USE, iam_store_label_delete(st, "t", "team:data", &ierr));
    ck_assert_msg(!strstr(ierr.msg, "member max") && strstr(ierr.msg, "group eng"), "%s", ierr.msg);
    OK(iam_store_revoke(st, "t", 1, "eng", &both, 0, &ierr));
    /* team:dat's grant is another label's, not a prefix of this one's */
    OK(iam_store_label_delete(st, "t", "team:data", &ierr));
    ck_assert_str_eq(audit_actions(1), "label.delete");
    EXPECT(IAM_NOTFOUND, iam_store_label_delete(st, "t", "team:data", &ierr));
    EXPECT(IAM_IN_USE, iam_store_label_delete(st, "t", "team:dat", &ierr));
    EXPECT(IAM_INVALID, iam_store_label_delete(st, "t", "env:prod", &ierr));
    ck_assert_str_eq(labels_text(), "env:dev(built in) env:prod(built in) team:dat");
}
END_TEST

/* A damaged label record is found by verify and refused by the list. */
START_TEST(test_label_damage_found)
{
    size_t n;
    const char *k;
    iam_verify_t v;
    apr_array_header_t *list;

    OK(iam_store_label_create(st, "t", "team:data", NULL, &ierr));
    iam_store_close(st);
    k = rec_key('l', "team:data", &n);
    raw_put(sdir, k, n, "\x01junk", 5);
    reopen();
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_msg(strstr(problems(&v), "label record 'team:data' is damaged"), "%s", problems(&v));
    EXPECT(IAM_CORRUPT, iam_store_label_list(st, pool, &list, &ierr));
}
END_TEST

void store_cases_labels(Suite *s)
{
    TCase *tc = store_tcase("labels");

    tcase_add_test(tc, test_labels_made_once);
    tcase_add_test(tc, test_labels_need_the_plan);
    tcase_add_test(tc, test_label_in_use_is_kept);
    tcase_add_test(tc, test_label_damage_found);
    suite_add_tcase(s, tc);
}
