/* mod_iam tests, the "store" suite (store_test.h): opening a store (made
 * where it is missing and asked for, refused where there is none or no
 * directory, reopened with its data; the reader check and chown), and
 * members: added and read, listed and searched, removed, a login or an
 * email taken twice, logins and emails refused, an invitation activated. */
#include "store_test.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

/* The logins iam_store_member_list gives, as one string "a b c". */
static const char *listed(const char *search, int offset, int limit)
{
    apr_array_header_t *list;
    const char *s = "";
    int i;

    OK(iam_store_member_list(st, pool, search, offset, limit, &list, &ierr));
    for (i = 0; i < list->nelts; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", APR_ARRAY_IDX(list, i, iam_member_t *)->login, NULL);
    return s;
}

/* ---- open ---- */

START_TEST(test_reader_check_and_chown)
{
    ck_assert_int_eq(iam_store_reader_check(st), 0);
    OK(iam_store_chown(sdir, (long)getuid(), (long)getgid(), &ierr));
    OK(iam_store_chown(apr_pstrcat(pool, tmp_dir, "/missing", NULL), (long)getuid(), (long)getgid(),
                       &ierr));
}
END_TEST

START_TEST(test_open_creates_missing_dir)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/new", NULL);
    iam_store_t *s2 = open_other("new", 0);
    struct stat sb;
    iam_workspace_info_t wi;

    ck_assert_int_eq(stat(apr_pstrcat(pool, dir, "/data.mdb", NULL), &sb), 0);
    OK(iam_store_info(s2, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 0);
    ck_assert_int_eq(wi.groups, 0);
    ck_assert_int_eq(wi.owners, 0);
    ck_assert_int_eq(wi.plan, IAM_PLAN_BUSINESS);
    ck_assert_int_eq(wi.roles.n, 12);
}
END_TEST

START_TEST(test_open_missing_without_create)
{
    const char *missing = apr_pstrcat(pool, tmp_dir, "/missing", NULL);
    const char *empty = apr_pstrcat(pool, tmp_dir, "/empty", NULL);
    iam_store_t *s2 = NULL;

    EXPECT(IAM_NOSTORE, iam_store_open(&s2, missing, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "iamctl"));
    ck_assert_ptr_null(s2);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, missing, 0, IAM_OPEN_RDONLY, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "iamctl"));

    /* A directory without a store in it is no store either. */
    ck_assert_int_eq(mkdir(empty, 0750), 0);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, empty, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "iamctl"));
}
END_TEST

START_TEST(test_open_not_a_directory)
{
    const char *file = apr_pstrcat(pool, tmp_dir, "/file", NULL);
    iam_store_t *s2 = NULL;

    write_file(file, "x", 1);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, file, 0, IAM_OPEN_CREATE, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "not a directory"));
}
END_TEST

START_TEST(test_reopen_keeps_data)
{
    add("alice", "alice@example.com", 1);
    iam_store_close(st);
    reopen();
    ck_assert_str_eq(member("alice")->email, "alice@example.com");
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

/* ---- members ---- */

START_TEST(test_member_add_get)
{
    iam_member_t *m;

    fold();
    OK(iam_store_member_add(st, "test", "Alice", "alice@example.com", "Alice Liddell", IAM_ACTIVE,
                            0, &ierr));
    m = member("aLiCe"); /* logins fold */
    ck_assert_str_eq(m->login, "Alice");
    ck_assert_str_eq(m->email, "alice@example.com");
    ck_assert_str_eq(m->name, "Alice Liddell");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->pii, 0);
    ck_assert_int_gt(m->created, 0);
    ck_assert_int_eq(m->grants->nelts, 0);
    ck_assert_int_eq(m->groups->nelts, 0);
    ck_assert_int_eq(info().members, 1);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "bob", &m, &ierr));
}
END_TEST

START_TEST(test_member_list_search)
{
    OK(iam_store_member_add(st, "test", "carol", "carol@corp.example", "Carol Danvers", IAM_ACTIVE,
                            0, &ierr));
    OK(iam_store_member_add(st, "test", "alice", "alice@example.com", "Alice Liddell", IAM_ACTIVE,
                            0, &ierr));
    OK(iam_store_member_add(st, "test", "Bob", "bob@example.com", "Robert", IAM_ACTIVE, 0, &ierr));

    ck_assert_str_eq(listed(NULL, 0, 0), "alice Bob carol"); /* in login order */
    ck_assert_str_eq(listed("", 0, 0), "alice Bob carol");
    ck_assert_str_eq(listed("BO", 0, 0), "Bob");        /* login */
    ck_assert_str_eq(listed("CORP", 0, 0), "carol");    /* email */
    ck_assert_str_eq(listed("liddell", 0, 0), "alice"); /* name */
    ck_assert_str_eq(listed("example.com", 0, 0), "alice Bob");
    ck_assert_str_eq(listed("nobody", 0, 0), "");

    ck_assert_str_eq(listed(NULL, 1, 1), "Bob");
    ck_assert_str_eq(listed(NULL, 1, 0), "Bob carol");
    ck_assert_str_eq(listed(NULL, 0, 2), "alice Bob");
    ck_assert_str_eq(listed(NULL, 3, 10), "");
    ck_assert_str_eq(listed("example.com", 1, 5), "Bob");
}
END_TEST

START_TEST(test_member_remove)
{
    iam_member_t *m;

    fold();
    add("alice", NULL, 1);
    add("bob", "bob@example.com", 0);
    OK(iam_store_member_remove(st, "test", "BOB", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "bob", &m, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_remove(st, "test", "bob", &ierr));
    ck_assert_int_eq(info().members, 1);
    /* The email is free again. */
    add("robert", "bob@example.com", 0);
    add("bob", NULL, 0);
}
END_TEST

/* Suspended and back (issue 17): grants and groups kept, the subject
 * says so, the name index follows; the last active owner stays; a
 * suspended owner does not count as one, and the other cannot go. */
START_TEST(test_member_suspend)
{
    iam_grant_t all = all_of("source-read-only");
    iam_subject_t subj;
    iam_member_page_t pg;
    iam_member_query_t q;
    iam_roles_t roles;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    add("bob", NULL, 1);
    add("carl", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "carl", &all, &ierr));
    OK(iam_store_member_suspend(st, "test", "carl", 1, &ierr));
    ck_assert_str_eq(audit_actions(1), "member.suspend");
    ck_assert_int_eq(member("carl")->status, IAM_SUSPENDED);
    ck_assert_int_eq(member("carl")->grants->nelts, 1);
    OK(iam_store_subject(st, pool, "carl", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.member->status, IAM_SUSPENDED);
    memset(&q, 0, sizeof(q));
    q.status = IAM_SUSPENDED;
    q.limit = 10;
    OK(iam_store_member_query(st, pool, &q, &pg, &ierr));
    ck_assert_int_eq(pg.total, 1);
    /* already suspended: nothing written */
    OK(iam_store_member_suspend(st, "test", "carl", 1, &ierr));
    ck_assert_str_eq(audit_actions(1), "member.suspend");
    OK(iam_store_member_suspend(st, "test", "carl", 0, &ierr));
    ck_assert_str_eq(audit_actions(1), "member.resume");
    ck_assert_int_eq(member("carl")->status, IAM_ACTIVE);
    /* owners: one may go, not both; a suspended one counts for nothing */
    OK(iam_store_member_suspend(st, "test", "alice", 1, &ierr));
    EXPECT(IAM_LAST_OWNER, iam_store_member_suspend(st, "test", "bob", 1, &ierr));
    EXPECT(IAM_LAST_OWNER, iam_store_member_remove(st, "test", "bob", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_suspend(st, "test", "nobody", 1, &ierr));
    /* an invitation is removed, not suspended: resumed, it would skip its checks */
    OK(iam_store_member_add(st, "test", "dee@example.com", "dee@example.com", NULL, IAM_INVITED, 0,
                            &ierr));
    EXPECT(IAM_INVALID, iam_store_member_suspend(st, "test", "dee@example.com", 1, &ierr));
    ck_assert_int_eq(member("dee@example.com")->status, IAM_INVITED);
    OK(iam_store_member_suspend(st, "test", "alice", 0, &ierr));
    OK(iam_store_member_suspend(st, "test", "bob", 1, &ierr));
    ck_assert_str_eq(iam_member_status_name(IAM_SUSPENDED), "suspended");
}
END_TEST

START_TEST(test_member_duplicate_login)
{
    fold();
    add("Bob", NULL, 0);
    EXPECT(IAM_EXISTS, iam_store_member_add(st, "test", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "BOB", "b@example.com", NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_int_eq(info().members, 1);
    ck_assert_str_eq(member("bob")->email, "");
}
END_TEST

START_TEST(test_member_duplicate_email)
{
    add("bob", "bob@example.com", 0);
    EXPECT(IAM_EXISTS, iam_store_member_add(st, "test", "robert", "bob@example.com", NULL,
                                            IAM_ACTIVE, 0, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "bob"));
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "rob", "BOB@Example.com", NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_str_eq(listed(NULL, 0, 0), "bob");
}
END_TEST

START_TEST(test_member_invalid)
{
    static const char *const bad_logins[] = {"", " bob", "bob ", "b\tob", "b\nob"};
    static const char *const bad_emails[] = {"bob",   "@example.com",          "bob@",
                                             "a@b@c", "bob smith@example.com", "<bob@example.com>"};
    size_t i;

    for (i = 0; i < sizeof(bad_logins) / sizeof(*bad_logins); i++)
        EXPECT(IAM_INVALID,
               iam_store_member_add(st, "test", bad_logins[i], NULL, NULL, IAM_ACTIVE, 0, &ierr));
    for (i = 0; i < sizeof(bad_emails) / sizeof(*bad_emails); i++)
        EXPECT(IAM_INVALID,
               iam_store_member_add(st, "test", "bob", bad_emails[i], NULL, IAM_ACTIVE, 0, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_member_add(st, "test", "bob", NULL, "Bob\x01", IAM_ACTIVE, 0, &ierr));
    ck_assert_int_eq(info().members, 0);
}
END_TEST

START_TEST(test_member_invite_activate)
{
    fold();
    OK(iam_store_member_add(st, "test", "carol@example.com", "carol@example.com", "Carol",
                            IAM_INVITED, 0, &ierr));
    ck_assert_int_eq(member("carol@example.com")->status, IAM_INVITED);
    OK(iam_store_member_activate(st, "Carol@Example.com", &ierr));
    ck_assert_int_eq(member("carol@example.com")->status, IAM_ACTIVE);
    OK(iam_store_member_activate(st, "carol@example.com", &ierr)); /* already active */
    ck_assert_int_eq(member("carol@example.com")->status, IAM_ACTIVE);
    ck_assert_str_eq(member("carol@example.com")->name, "Carol");
    EXPECT(IAM_NOTFOUND, iam_store_member_activate(st, "dave", &ierr));
}
END_TEST

/* ---- the cases ---- */

void store_cases_members(Suite *s)
{
    TCase *tc;

    tc = store_tcase("open");
    tcase_add_test(tc, test_open_creates_missing_dir);
    tcase_add_test(tc, test_open_missing_without_create);
    tcase_add_test(tc, test_open_not_a_directory);
    tcase_add_test(tc, test_reopen_keeps_data);
    tcase_add_test(tc, test_reader_check_and_chown);
    suite_add_tcase(s, tc);

    tc = store_tcase("members");
    tcase_add_test(tc, test_member_add_get);
    tcase_add_test(tc, test_member_list_search);
    tcase_add_test(tc, test_member_remove);
    tcase_add_test(tc, test_member_suspend);
    tcase_add_test(tc, test_member_duplicate_login);
    tcase_add_test(tc, test_member_duplicate_email);
    tcase_add_test(tc, test_member_invalid);
    tcase_add_test(tc, test_member_invite_activate);
    suite_add_tcase(s, tc);
}
