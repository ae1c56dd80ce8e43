/* mod_iam tests, the "store" suite (store_test.h): the end of the
 * "records" TCase (test_store_records.c adds it): a member's arrival (an
 * invitation claimed by email, a member provisioned), access requests
 * (revisions, approval, how they end, the history kept), a grant edited in
 * place, the member count, IAMLoginCase, and API tokens (made, checked,
 * revoked, dead with their owner's authority). */
#include "store_test.h"

/* ---- arrivals, requests, login case and tokens ---- */

START_TEST(test_arrive_claims_invitation_by_email)
{
    iam_grant_t g = all_of("warehouse-read-only");
    iam_arrive_e what;
    iam_member_t *m;

    add("olivia", NULL, 1);
    OK(iam_store_member_add(st, "test", "pat@corp.example", "pat@corp.example", "Pat", IAM_INVITED,
                            0, &ierr));
    OK(iam_store_grant(st, "test", 0, "pat@corp.example", &g, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("pat@corp.example"), 1, &ierr));
    /* another email: nothing happens, nothing is written */
    OK(iam_store_member_arrive(st, "pat", "other@corp.example", NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    OK(iam_store_member_arrive(st, "pat", "PAT@corp.example", "P. At", 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    m = member("pat");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_str_eq(m->email, "pat@corp.example");
    ck_assert_str_eq(m->name, "Pat");
    ck_assert_ptr_nonnull(grant_in(m->grants, "warehouse-read-only"));
    ck_assert_str_eq(joined(m->groups), "eng");
    ck_assert_str_eq(joined(group("eng")->members), "pat");
    ck_assert_int_gt(m->last_seen, 0);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "pat@corp.example", &m, &ierr));
    ck_assert_int_eq(info().members, 2);
    /* the second arrival finds the member and changes nothing */
    OK(iam_store_member_arrive(st, "pat", "pat@corp.example", NULL, 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    ck_assert_str_eq(audit_actions(1), "member.activate");
}
END_TEST

START_TEST(test_arrive_provisions)
{
    iam_arrive_e what;
    iam_member_t *m;

    add("olivia", "olivia@example.com", 1);
    OK(iam_store_member_arrive(st, "nina", NULL, NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_NONE);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "nina", &m, &ierr));
    OK(iam_store_member_arrive(st, "nina", "nina@corp.example", "Nina New", 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_PROVISIONED);
    m = member("nina");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_str_eq(m->email, "nina@corp.example");
    ck_assert_str_eq(m->name, "Nina New");
    ck_assert_int_eq(m->grants->nelts, 0);
    ck_assert_str_eq(audit_actions(1), "member.provision");
    /* an email already taken is left out, never an error */
    OK(iam_store_member_arrive(st, "ollie", "olivia@example.com", NULL, 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_PROVISIONED);
    ck_assert_str_eq(member("ollie")->email, "");
    /* not on the team plan */
    set_plan(IAM_PLAN_TEAM);
    EXPECT(IAM_PLAN, iam_store_member_arrive(st, "zed", NULL, NULL, 1, &what, &ierr));
}
END_TEST

/* A request's revision: each change makes a new one, an approval names
 * the one its owner saw, and grants exactly what it says. */
START_TEST(test_request_revisions)
{
    iam_request_t q = {"bob", "source", "web", "/sources/web/", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_request_change_e change;
    iam_request_t *got;
    iam_approval_t a = {"bob", "source", "web", 1, NULL, 0, 0};
    iam_member_t *m;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_NEW);
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_SAME);
    OK(iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    ck_assert_uint_eq(got->rev, 1);
    /* the level changes once at once, then not within the minute */
    q.level = IAM_LEVEL_EDIT;
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_LEVEL);
    ck_assert_str_eq(audit_actions(1), "request.level");
    q.level = IAM_LEVEL_READ;
    EXPECT(IAM_INVALID, iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_SAME);
    q.level = IAM_LEVEL_EDIT;
    q.message = "please";
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_MESSAGE);
    OK(iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    ck_assert_uint_eq(got->rev, 3);
    ck_assert_int_eq(got->level, IAM_LEVEL_EDIT);
    /* an approval of revision 1 (read) grants nothing */
    EXPECT(IAM_STALE, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    /* a role that does not give edit, or is of another type: refused */
    a.rev = 3;
    a.role = "source-read-only";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    a.role = "warehouse-admin";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    a.role = "workspace-owner";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    /* the least, on that one resource */
    a.role = NULL;
    OK(iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(items_text(grant_in(m->grants, "source-admin")), "web");
    EXPECT(IAM_NOTFOUND, iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    /* an owners' page: Workspace Owner, confirmed or not at all */
    q = (iam_request_t){"bob", "owners", "*", "/owners/", IAM_LEVEL_ADMIN, "", 0, 0, 0};
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    a = (iam_approval_t){"bob", "owners", "*", 1, NULL, IAM_APPROVE_ALL, 0};
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_msg(strstr(ierr.msg, "Workspace Owner"), "%s", ierr.msg);
    a.role = "source-admin";
    EXPECT(IAM_INVALID, iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(info().owners, 1);
    a.role = NULL;
    a.owner_confirmed = 1;
    OK(iam_store_request_approve(st, "test", &a, NULL, NULL, &ierr));
    ck_assert_int_eq(info().owners, 2);
}
END_TEST

/* The request of `login` for source `name` among their history, or NULL. */
static iam_request_t *history_of(const char *login, const char *name)
{
    apr_array_header_t *list;
    int i;

    OK(iam_store_request_history(st, pool, login, &list, &ierr));
    for (i = 0; i < list->nelts; i++) {
        iam_request_t *q = APR_ARRAY_IDX(list, i, iam_request_t *);
        if (!strcmp(q->name, name))
            return q;
    }
    return NULL;
}

/* A request ends when it is answered, or when a change gives the access it
 * asked for, on the resource with the labels it had when refused; the
 * member's other requests stay open, and answered ones are kept for the
 * member to see. */
START_TEST(test_request_lifecycle)
{
    iam_request_t web = {"bob", "source", "web", "/sources/web/", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_request_t ios = {"bob", "source", "ios", "/sources/ios/", IAM_LEVEL_READ, "", 0, 0, 0};
    iam_request_change_e change;
    apr_array_header_t *list;
    iam_request_t *got;
    iam_verify_t v;
    iam_grant_t g;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    web.nlabels = 1;
    web.labels = ITEMS("env:prod");
    OK(iam_store_request_put(st, "member:bob", &web, 10, &change, &ierr));
    OK(iam_store_request_put(st, "member:bob", &ios, 10, &change, &ierr));
    /* a grant on labels that web lacks: both stay */
    g = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:dev"));
    OK(iam_store_grant(st, "console:olivia", 0, "bob", &g, &ierr));
    OK(iam_store_request_list(st, pool, "bob", &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    /* one on its label: web ends, as granted by that change; ios stays */
    g = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    OK(iam_store_grant(st, "console:olivia", 0, "bob", &g, &ierr));
    OK(iam_store_request_list(st, pool, "bob", &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 0, iam_request_t *)->name, "ios");
    ck_assert_int_eq(history_of("bob", "web")->status, IAM_REQUEST_GRANTED);
    ck_assert_str_eq(history_of("bob", "web")->answered_by, "console:olivia");
    ck_assert_int_eq(history_of("bob", "web")->nlabels, 1);
    ck_assert_str_eq(audit_actions(2), "request.granted grant");
    EXPECT(IAM_NOTFOUND, iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    /* dismissed: ended, kept, and not answered twice */
    OK(iam_store_request_dismiss(st, "console:olivia", "bob", "source", "ios", pool, &got, &ierr));
    ck_assert_int_eq(got->status, IAM_REQUEST_DISMISSED);
    ck_assert_int_eq(history_of("bob", "ios")->status, IAM_REQUEST_DISMISSED);
    EXPECT(IAM_NOTFOUND, iam_store_request_dismiss(st, "console:olivia", "bob", "source", "ios",
                                                   pool, &got, &ierr));
    OK(iam_store_request_list(st, pool, NULL, &list, &ierr));
    ck_assert_int_eq(list->nelts, 0);
    /* asking again opens it anew, at the next revision */
    OK(iam_store_request_put(st, "member:bob", &ios, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_NEW);
    OK(iam_store_request_get(st, pool, "bob", "source", "ios", &got, &ierr));
    ck_assert_uint_eq(got->rev, 2);
    ck_assert_int_eq(got->status, IAM_REQUEST_OPEN);
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.nproblems, 0);
    ck_assert_int_eq(v.requests, 2);
    /* a removed member's requests go, answered ones too */
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    add("bob", NULL, 0);
    OK(iam_store_request_history(st, pool, "bob", &list, &ierr));
    ck_assert_int_eq(list->nelts, 0);
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.requests, 0);
}
END_TEST

/* A grant edited in place: exactly the grant shown (else IAM_STALE), the
 * same role, validated as any grant, audited once. */
START_TEST(test_grant_edit)
{
    iam_grant_t old = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout", "web"));
    iam_grant_t now = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    iam_grant_t other = grant_of("source-read-only", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    iam_grant_t labels = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t owner = all_of("workspace-owner");
    iam_member_t *m;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &old, &ierr));
    OK(iam_store_grant_edit(st, "test", 0, "bob", &old, &now, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(items_text(grant_in(m->grants, "source-admin")), "checkout");
    ck_assert_str_eq(audit_actions(1), "grant.edit");
    /* what was shown is no longer so */
    EXPECT(IAM_STALE, iam_store_grant_edit(st, "test", 0, "bob", &old, &now, &ierr));
    /* another role is no edit */
    EXPECT(IAM_INVALID, iam_store_grant_edit(st, "test", 0, "bob", &now, &other, &ierr));
    /* to labels; then a role granted on all only cannot go to resources */
    OK(iam_store_grant_edit(st, "test", 0, "bob", &now, &labels, &ierr));
    ck_assert_int_eq(grant_in(member("bob")->grants, "source-admin")->scope, IAM_SCOPE_LABELS);
    now = grant_of("workspace-owner", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    EXPECT(IAM_INVALID, iam_store_grant_edit(st, "test", 0, "olivia", &owner, &now, &ierr));
    ck_assert_int_eq(info().owners, 1);
    /* a group's */
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &old, &ierr));
    now = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("ios"));
    OK(iam_store_grant_edit(st, "test", 1, "eng", &old, &now, &ierr));
    ck_assert_str_eq(items_text(grant_in(group("eng")->grants, "source-admin")), "ios");
}
END_TEST

START_TEST(test_member_count)
{
    long n;

    add("olivia", "olivia@example.com", 1);
    add("sam", "sam@example.com", 0);
    add("samantha", NULL, 0);
    OK(iam_store_member_add(st, "test", "ivy@corp.example", "ivy@corp.example", NULL, IAM_INVITED,
                            0, &ierr));
    OK(iam_store_member_count(st, pool, NULL, -1, &n, &ierr));
    ck_assert_int_eq(n, 4);
    OK(iam_store_member_count(st, pool, "SAM", -1, &n, &ierr));
    ck_assert_int_eq(n, 2);
    OK(iam_store_member_count(st, pool, NULL, IAM_INVITED, &n, &ierr));
    ck_assert_int_eq(n, 1);
    OK(iam_store_member_count(st, pool, NULL, IAM_ACTIVE, &n, &ierr));
    ck_assert_int_eq(n, 3);
    OK(iam_store_member_count(st, pool, "example", IAM_ACTIVE, &n, &ierr));
    ck_assert_int_eq(n, 2);
    OK(iam_store_member_count(st, pool, "nobody", -1, &n, &ierr));
    ck_assert_int_eq(n, 0);
}
END_TEST

/* IAMLoginCase exact (the default): a login is its member only as
 * spelt, as Apache's `Require user` compares; a second login that differs
 * only in case is refused whatever the setting. */
START_TEST(test_login_case)
{
    iam_grant_t g = all_of("warehouse-read-only");
    iam_request_t q = {"olivia", "warehouse", "main", "/w/", IAM_LEVEL_READ, "", 0, 0, 0};
    iam_request_change_e change;
    iam_subject_t subj;
    iam_roles_t roles;
    iam_arrive_e what;
    iam_member_t *m;
    iam_workspace_info_t wi;

    iam_roles_init(&roles);
    ck_assert_int_eq(iam_store_fold_case(st), 0);
    add("Olivia", "olivia@example.com", 1);
    OK(iam_store_subject(st, pool, "Olivia", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.owner, 1);
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "OLIVIA", &roles, &subj, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "olivia", &roles, &subj, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "olivia", &m, &ierr));
    ck_assert_msg(strstr(ierr.msg, "the member is 'Olivia'"), "%s", ierr.msg);
    EXPECT(IAM_NOTFOUND, iam_store_grant(st, "test", 0, "olivia", &g, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_remove(st, "test", "OLIVIA", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_request_put(st, "test", &q, 10, &change, &ierr));
    /* no second member of the same login in another case, by any door */
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "OLIVIA", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_msg(strstr(ierr.msg, "differs only in case"), "%s", ierr.msg);
    EXPECT(IAM_EXISTS, iam_store_member_arrive(st, "OLIVIA", NULL, NULL, 1, &what, &ierr));
    OK(iam_store_member_get(st, pool, "Olivia", &m, &ierr));
    ck_assert_int_eq(info().members, 1);
    /* IAMLoginCase fold: any case is the member */
    fold();
    OK(iam_store_subject(st, pool, "OLIVIA", &roles, &subj, &ierr));
    ck_assert_str_eq(subj.member->login, "Olivia");
    EXPECT(IAM_EXISTS,
           iam_store_member_add(st, "test", "OLIVIA", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    /* what the server records is what a store opened later follows */
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 1, &ierr));
    iam_store_close(st);
    reopen();
    ck_assert_int_eq(iam_store_fold_case(st), 1);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    iam_store_close(st);
    reopen();
    ck_assert_int_eq(iam_store_fold_case(st), 0);
    ck_assert_str_eq(audit_actions(1), "workspace.login-case");
    wi = info();
    ck_assert_int_eq(wi.members, 1);
}
END_TEST

START_TEST(test_tokens)
{
    const char *token, *token2;
    iam_token_t *t, *seen;
    apr_array_header_t *list;
    iam_verify_t v;
    char *bad;

    add("olivia", NULL, 1);
    add("oscar", NULL, 1);
    EXPECT(IAM_INVALID, iam_store_token_create(st, "test", "nobody", "x", pool, &token, &t, &ierr));
    OK(iam_store_token_create(st, "console:olivia", "olivia", "nightly sync", pool, &token, &t,
                              &ierr));
    ck_assert_int_eq(strlen(token), 4 + 12 + 1 + 40);
    ck_assert_str_eq(t->creator, "console:olivia");
    OK(iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_str_eq(seen->id, t->id);
    ck_assert_str_eq(seen->description, "nightly sync");
    /* wrong secret, unknown id, malformed: all "not found", none crash */
    bad = apr_pstrdup(pool, token);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'a' ? 'b' : 'a';
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, bad, &seen, &ierr));
    ck_assert_ptr_null(strstr(ierr.msg, bad + 17)); /* never the secret */
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool,
                                               "tok_000000000000.0000000000000000000000"
                                               "000000000000000000",
                                               &seen, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, "abc", &seen, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, "", &seen, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, NULL, &seen, &ierr));
    OK(iam_store_token_create(st, "test", "olivia", "second", pool, &token2, &t, &ierr));
    OK(iam_store_token_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    OK(iam_store_token_revoke(st, "test", APR_ARRAY_IDX(list, 0, iam_token_t *)->id, &ierr));
    OK(iam_store_token_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    EXPECT(IAM_NOTFOUND, iam_store_token_revoke(st, "test", "tok_nope", &ierr));
    EXPECT(IAM_INVALID, iam_store_token_create(st, "test", "olivia", "", pool, &token, &t, &ierr));
    ck_assert_str_eq(audit_actions(3), "token.revoke token.create token.create");
    /* a token dies with its owner's authority */
    OK(iam_store_token_create(st, "test", "olivia", "third", pool, &token2, &t, &ierr));
    OK(iam_store_token_check(st, pool, token2, &seen, &ierr));
    OK(iam_store_revoke(st, "test", 0, "olivia",
                        &(iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL}, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token2, &seen, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "no longer a Workspace Owner"));
    /* for good: the owner made one again does not revive it */
    OK(iam_store_grant(st, "test", 0, "olivia",
                       &(iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL}, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token2, &seen, &ierr));
    ck_assert_msg(strstr(ierr.msg, "is dead: its owner 'olivia' is no longer a Workspace Owner"),
                  "%s", ierr.msg);
    ck_assert_int_eq(iam_store_token_matches(st, pool, token2), 0);
    /* removed, then a member of that login again (in another case) */
    OK(iam_store_token_create(st, "test", "oscar", "oscar's", pool, &token, &t, &ierr));
    ck_assert_int_eq(iam_store_token_matches(st, pool, token), 1);
    OK(iam_store_member_remove(st, "test", "oscar", &ierr));
    OK(iam_store_member_add(st, "test", "OSCAR", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_msg(strstr(ierr.msg, "'oscar' was removed"), "%s", ierr.msg);
    /* a live token whose owner lost the owner index without it (a store
     * of an earlier release) does not come back with a new owner */
    OK(iam_store_token_create(st, "test", "olivia", "older", pool, &token, &t, &ierr));
    iam_store_close(st);
    raw_del(sdir, "Oolivia", 7);
    reopen();
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token, &seen, &ierr));
    {
        apr_array_header_t *owner = apr_array_make(pool, 1, sizeof(iam_grant_t));
        iam_member_spec_t sp = {"olivia", NULL, NULL, IAM_ACTIVE, -1, owner, NULL};
        *(iam_grant_t *)apr_array_push(owner) = all_of("workspace-owner");
        OK(iam_store_member_put(st, "test", &sp, 0, &ierr)); /* the index made anew */
    }
    EXPECT(IAM_NOTFOUND, iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_msg(strstr(ierr.msg, "an owner of that login from before"), "%s", ierr.msg);
    /* listed as dead, with when and why */
    OK(iam_store_token_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 4);
    for (int i = 0; i < list->nelts; i++) {
        iam_token_t *tk = APR_ARRAY_IDX(list, i, iam_token_t *);
        ck_assert_msg(tk->dead > 0 && *tk->dead_why, "%s is not dead", tk->id);
    }
    ck_assert_int_eq(iam_store_verify(st, pool, &v, &ierr), IAM_OK);
    ck_assert_int_eq(v.nproblems, 0);
}
END_TEST

/* ---- the cases ---- */

/* The rest of the "records" TCase, after the tests of test_store_records.c. */
void store_tests_requests(TCase *tc)
{
    tcase_add_test(tc, test_arrive_claims_invitation_by_email);
    tcase_add_test(tc, test_arrive_provisions);
    tcase_add_test(tc, test_tokens);
    tcase_add_test(tc, test_login_case);
    tcase_add_test(tc, test_request_revisions);
    tcase_add_test(tc, test_request_lifecycle);
    tcase_add_test(tc, test_grant_edit);
    tcase_add_test(tc, test_member_count);
}
