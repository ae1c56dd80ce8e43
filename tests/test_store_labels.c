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

/* ---- the labels of resources (resources.c) ---- */

static const char *resource_text(const char *type, const char *name)
{
    iam_resource_labels_t *r;
    const char *out = "";
    int i;

    if (iam_store_resource_labels(st, pool, type, name, &r, &ierr) != IAM_OK)
        return "(none)";
    for (i = 0; i < r->nlabels; i++)
        out = apr_psprintf(pool, "%s%s%s", out, i ? " " : "", r->labels[i]);
    return out;
}

#define LABELS(...) ((const char *const[]){__VA_ARGS__})

/* Given, replaced, listed by label, taken off; every refusal changes
 * nothing; each change audited once. */
START_TEST(test_resource_labels_set)
{
    apr_array_header_t *list;

    EXPECT(IAM_INVALID,
           iam_store_resource_labels_set(st, "t", "source", "web", LABELS("team:x"), 1, &ierr));
    ck_assert_msg(strstr(ierr.msg, "no label 'team:x'"), "%s", ierr.msg);
    OK(iam_store_label_create(st, "t", "team:x", NULL, &ierr));
    OK(iam_store_resource_labels_set(st, "t", "source", "Web", LABELS("team:x", "env:prod"), 2,
                                     &ierr));
    ck_assert_str_eq(audit_actions(1), "resource.labels");
    ck_assert_str_eq(resource_text("source", "web"), "team:x env:prod");
    /* bad input of every kind: nothing changes */
    EXPECT(IAM_INVALID, iam_store_resource_labels_set(st, "t", "source", "web",
                                                      LABELS("env:dev", "ENV:prod"), 2, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_resource_labels_set(st, "t", "source", "web", LABELS("nocolon"), 1, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_resource_labels_set(st, "t", "nope", "web", LABELS("env:dev"), 1, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_resource_labels_set(st, "t", "source", "a/b", LABELS("env:dev"), 1, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_resource_labels_set(st, "t", "source", "*", LABELS("env:dev"), 1, &ierr));
    ck_assert_str_eq(resource_text("source", "web"), "team:x env:prod");
    ck_assert_str_eq(audit_actions(1), "resource.labels");
    /* the same set again: no change, no audit entry */
    OK(iam_store_resource_labels_set(st, "t", "source", "web", LABELS("team:x", "env:prod"), 2,
                                     &ierr));
    ck_assert_str_eq(audit_actions(2), "resource.labels label.create");
    OK(iam_store_resource_labels_set(st, "t", "space", "s1", LABELS("team:x"), 1, &ierr));
    OK(iam_store_resource_list(st, pool, NULL, "TEAM:x", &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    OK(iam_store_resource_list(st, pool, "space", "team:x", &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    OK(iam_store_resource_list(st, pool, NULL, "team:xy", &list, &ierr));
    ck_assert_int_eq(list->nelts, 0);
    /* in use by resources: not deleted */
    EXPECT(IAM_IN_USE, iam_store_label_delete(st, "t", "team:x", &ierr));
    ck_assert_msg(strstr(ierr.msg, "2 resources"), "%s", ierr.msg);
    OK(iam_store_resource_labels_set(st, "t", "source", "web", NULL, 0, &ierr));
    ck_assert_str_eq(resource_text("source", "web"), "(none)");
    OK(iam_store_resource_labels_set(st, "t", "space", "s1", NULL, 0, &ierr));
    OK(iam_store_resource_list(st, pool, NULL, NULL, &list, &ierr));
    ck_assert_int_eq(list->nelts, 0);
    OK(iam_store_label_delete(st, "t", "team:x", &ierr));
}
END_TEST

/* Assign Labels: one label onto several resources, replacing each one's
 * value for its key; all or nothing. */
START_TEST(test_label_assign)
{
    iam_resource_t two[] = {{"source", "web", 0, NULL}, {"source", "ios", 0, NULL}};
    iam_resource_t bad[] = {{"source", "api", 0, NULL}, {"nope", "x", 0, NULL}};

    OK(iam_store_resource_labels_set(st, "t", "source", "web", LABELS("env:dev"), 1, &ierr));
    OK(iam_store_label_assign(st, "t", "env:prod", two, 2, &ierr));
    ck_assert_str_eq(resource_text("source", "web"), "env:prod");
    ck_assert_str_eq(resource_text("source", "ios"), "env:prod");
    EXPECT(IAM_INVALID, iam_store_label_assign(st, "t", "env:dev", bad, 2, &ierr));
    ck_assert_str_eq(resource_text("source", "api"), "(none)");
    EXPECT(IAM_INVALID, iam_store_label_assign(st, "t", "env:dev", two, 0, &ierr));
    EXPECT(IAM_INVALID, iam_store_label_assign(st, "t", "team:none", two, 2, &ierr));
    ck_assert_str_eq(resource_text("source", "ios"), "env:prod");
}
END_TEST

/* httpd.conf's labels, recorded by the server: they exist (grants and
 * resources may name them), are listed as such, and a resource that
 * carries one keeps it from being deleted if it was also made. */
START_TEST(test_declared_labels)
{
    const char *web_labels[] = {"team:growth", "env:prod"}, *tmpl_labels[] = {"tier:web"};
    iam_declared_t d = {{"source", "web", 2, web_labels}, "/sources/web", 0};
    iam_declared_t t = {{"source", "{name}", 1, tmpl_labels}, "/sources/{name}", 1};
    apr_array_header_t *decls = apr_array_make(pool, 1, sizeof(iam_declared_t)), *list, *got;
    iam_grant_t g = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("team:growth"));
    int i, found = 0;

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    EXPECT(IAM_INVALID, iam_store_grant(st, "t", 0, "bob", &g, &ierr));
    APR_ARRAY_PUSH(decls, iam_declared_t) = d;
    APR_ARRAY_PUSH(decls, iam_declared_t) = t;
    OK(iam_store_set_declared(st, "server", decls, &ierr));
    OK(iam_store_declared(st, pool, &got, &ierr));
    ck_assert_int_eq(got->nelts, 2);
    ck_assert(APR_ARRAY_IDX(got, 1, iam_declared_t).templated);
    ck_assert_str_eq(APR_ARRAY_IDX(got, 0, iam_declared_t).path, "/sources/web");
    OK(iam_store_grant(st, "t", 0, "bob", &g, &ierr));
    OK(iam_store_label_list(st, pool, &list, &ierr));
    for (i = 0; i < list->nelts; i++) {
        const iam_label_t *l = APR_ARRAY_IDX(list, i, iam_label_t *);
        if (!strcmp(l->label, "team:growth")) {
            found = 1;
            ck_assert(l->declared && !l->made && !l->builtin);
            ck_assert_int_eq(l->resources, 1);
            ck_assert_int_eq(l->grants, 1);
        }
    }
    ck_assert(found);
    /* made as well: still in use by httpd.conf's resource once the grant goes */
    OK(iam_store_label_create(st, "t", "team:growth", NULL, &ierr));
    OK(iam_store_revoke(st, "t", 0, "bob", &g, 0, &ierr));
    EXPECT(IAM_IN_USE, iam_store_label_delete(st, "t", "team:growth", &ierr));
    ck_assert_msg(strstr(ierr.msg, "source web (httpd.conf)"), "%s", ierr.msg);
    /* a label only httpd.conf has: said so */
    EXPECT(IAM_INVALID, iam_store_label_delete(st, "t", "tier:web", &ierr));
    ck_assert_msg(strstr(ierr.msg, "comes from httpd.conf"), "%s", ierr.msg);
    /* recording the same again writes nothing */
    OK(iam_store_set_declared(st, "server", decls, &ierr));
}
END_TEST

/* A damaged resource record, and a mirror entry without its record, are
 * found by verify. */
START_TEST(test_resource_damage_found)
{
    static const char key[] = "bsource\0web"; /* 'b' type 0x00 name */
    iam_resource_labels_t *r;
    iam_verify_t v;

    OK(iam_store_resource_labels_set(st, "t", "source", "web", LABELS("env:dev"), 1, &ierr));
    iam_store_close(st);
    raw_put(sdir, key, sizeof(key) - 1, "\x01junk", 5);
    reopen();
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_msg(strstr(problems(&v), "the labels of a resource are damaged"), "%s", problems(&v));
    ck_assert_msg(strstr(problems(&v), "does not carry it"), "%s", problems(&v));
    EXPECT(IAM_CORRUPT, iam_store_resource_labels(st, pool, "source", "web", &r, &ierr));
}
END_TEST

void store_cases_labels(Suite *s)
{
    TCase *tc = store_tcase("labels");

    tcase_add_test(tc, test_labels_made_once);
    tcase_add_test(tc, test_labels_need_the_plan);
    tcase_add_test(tc, test_label_in_use_is_kept);
    tcase_add_test(tc, test_label_damage_found);
    tcase_add_test(tc, test_resource_labels_set);
    tcase_add_test(tc, test_label_assign);
    tcase_add_test(tc, test_declared_labels);
    tcase_add_test(tc, test_resource_damage_found);
    suite_add_tcase(s, tc);
}
