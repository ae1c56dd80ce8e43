/* mod_iam tests: a first login decided by a read (iam_store_arrival), for
 * the authz phase, and written after the answer (iam_store_touch with
 * IAM_TOUCH_ARRIVE): what the read says is what the write then makes. */
#include "iam_store.h"
#include "iam_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

static char *tmp_dir;
static apr_pool_t *pool;
static iam_store_t *st;
static iam_err_t ierr;
static iam_roles_t roles;

#define EXPECT(want, call) IAM_EXPECT(ierr, want, call)
#define OK(call) EXPECT(IAM_OK, call)

static void arrival_setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    tmp_dir = iam_test_tmpdir("arrival");
    OK(iam_store_open(&st, apr_pstrcat(pool, tmp_dir, "/store", NULL), (size_t)64 << 20,
                      IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
    iam_roles_init(&roles);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    OK(iam_store_member_add(st, "t", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
}

static void arrival_teardown(void)
{
    apr_pool_destroy(pool);
    iam_test_rmtree(tmp_dir);
    free(tmp_dir);
    apr_terminate();
}

/* The member a subject describes, in a line. */
static const char *said(const iam_subject_t *s)
{
    const iam_member_t *m = s->member;
    return apr_psprintf(pool, "%s %s email=%s name=%s sets=%d direct=%d owner=%d prov=%d", m->login,
                        m->status == IAM_ACTIVE ? "active" : "invited", m->email, m->name, s->nsets,
                        s->sets[0].ngrants, s->owner, m->provisioned);
}

/* Previews the arrival, writes it as the child would, and checks the
 * member the write made is the one the read described. */
static iam_arrive_e preview_then_write(const char *login, const char *email, const char *name,
                                       int provision)
{
    iam_subject_t before, after;
    iam_touch_t x = {IAM_TOUCH_ARRIVE, login, 1700000000, email, name, provision, 0};
    iam_arrive_e what;
    const char *a;

    OK(iam_store_arrival(st, pool, login, email, name, provision, &roles, &before, &what, &ierr));
    a = said(&before);
    OK(iam_store_touch(st, &x, 1, &ierr));
    ck_assert_int_eq(x.arrived, what);
    OK(iam_store_subject(st, pool, login, &roles, &after, &ierr));
    ck_assert_str_eq(said(&after), a);
    return what;
}

/* An invitation taken up: its grants and groups, the new login, active. */
START_TEST(test_claim_previewed_then_written)
{
    iam_grant_t g = {"source-admin", IAM_SCOPE_ALL, 0, NULL};
    const char *logins[] = {"pat@corp.example"};
    iam_subject_t s;

    OK(iam_store_member_add(st, "t", "pat@corp.example", "pat@corp.example", "Pat", IAM_INVITED, 0,
                            &ierr));
    OK(iam_store_grant(st, "t", 0, "pat@corp.example", &g, &ierr));
    OK(iam_store_group_create(st, "t", "eng", &ierr));
    OK(iam_store_group_members(st, "t", "eng", 1, logins, 1, &ierr));
    ck_assert_int_eq(preview_then_write("pat", "pat@corp.example", "P. At", 0), IAM_ARRIVE_CLAIMED);
    OK(iam_store_subject(st, pool, "pat", &roles, &s, &ierr));
    ck_assert_str_eq(said(&s), "pat active email=pat@corp.example name=Pat sets=2 direct=1 owner=0 "
                               "prov=0");
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "pat@corp.example", &roles, &s, &ierr));
}
END_TEST

/* A login provisioned: a Workspace Member with no grants; an email taken
 * by another member is left out, as the write leaves it out. */
START_TEST(test_provision_previewed_then_written)
{
    iam_subject_t s;
    iam_arrive_e what;

    OK(iam_store_member_add(st, "t", "sam", "sam@corp.example", NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_int_eq(preview_then_write("nina", "nina@corp.example", "Nina", 1),
                     IAM_ARRIVE_PROVISIONED);
    ck_assert_int_eq(preview_then_write("dup", "sam@corp.example", "Dup", 1),
                     IAM_ARRIVE_PROVISIONED);
    OK(iam_store_subject(st, pool, "dup", &roles, &s, &ierr));
    ck_assert_str_eq(s.member->email, "");
    /* a member already (another request's arrival was written since the
     * caller looked): that member, nothing to do */
    OK(iam_store_arrival(st, pool, "nina", NULL, NULL, 1, &roles, &s, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    ck_assert_str_eq(s.member->login, "nina");
}
END_TEST

/* What the write would refuse, the read refuses; and a refusal noted in a
 * batch is skipped while the rest is written. */
START_TEST(test_refusals)
{
    iam_touch_t batch[2] = {{IAM_TOUCH_ARRIVE, "NINA", 1700000000, NULL, NULL, 1, 0},
                            {IAM_TOUCH_ARRIVE, "lou", 1700000000, NULL, NULL, 1, 0}};
    iam_subject_t s;
    iam_arrive_e what;

    OK(iam_store_member_add(st, "t", "nina", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_arrival(st, pool, "kim", "kim@corp.example", NULL, 0, &roles, &s,
                                           &what, &ierr));
    EXPECT(IAM_EXISTS,
           iam_store_arrival(st, pool, "NINA", NULL, NULL, 1, &roles, &s, &what, &ierr));
    EXPECT(IAM_INVALID,
           iam_store_arrival(st, pool, "bad\tlogin", NULL, NULL, 1, &roles, &s, &what, &ierr));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_TEAM, &roles, 0, &ierr));
    EXPECT(IAM_PLAN, iam_store_arrival(st, pool, "lou", NULL, NULL, 1, &roles, &s, &what, &ierr));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    OK(iam_store_touch(st, batch, 2, &ierr));
    ck_assert_int_eq(batch[0].arrived, IAM_ARRIVE_NONE);
    ck_assert_int_eq(batch[1].arrived, IAM_ARRIVE_PROVISIONED);
    OK(iam_store_subject(st, pool, "lou", &roles, &s, &ierr));
}
END_TEST

Suite *suite_arrival(void)
{
    Suite *s = suite_create("arrival");
    TCase *tc = tcase_create("arrival");

    tcase_add_checked_fixture(tc, arrival_setup, arrival_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    tcase_add_test(tc, test_claim_previewed_then_written);
    tcase_add_test(tc, test_provision_previewed_then_written);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);
    return s;
}
