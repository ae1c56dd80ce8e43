/* mod_iam tests, the "store" suite (store_test.h): a workspace dumped and
 * imported (whole, into an empty store only, all or nothing, with an
 * owner, keeping the plan httpd.conf recorded), then whole-record writes
 * of a member or a group, members paged, the audit trail, the store's
 * secret, and what children saw, written in one batch (touch). The
 * "records" TCase goes on with the tests of test_store_requests.c. */
#include "store_test.h"

#include <time.h>

/* ---- dump and import ---- */

static int same_grants(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        const iam_grant_t *x = &APR_ARRAY_IDX(a, i, iam_grant_t);
        const iam_grant_t *y = &APR_ARRAY_IDX(b, i, iam_grant_t);
        if (strcmp(x->role, y->role) || x->scope != y->scope ||
            strcmp(items_text(x), items_text(y)))
            return 0;
    }
    return 1;
}

static int same_names(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), APR_ARRAY_IDX(b, i, const char *)))
            return 0;
    }
    return 1;
}

/* A workspace with a bit of everything. */
static void populate(void)
{
    iam_grant_t res = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web", "api"));
    iam_grant_t lab = grant_of("personas-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod", "team:x"));
    iam_grant_t wh = all_of("warehouse-read-only");

    fold();
    OK(iam_store_member_add(st, "test", "alice", "alice@example.com", "Alice", IAM_ACTIVE, 1,
                            &ierr));
    OK(iam_store_member_add(st, "test", "Bob", "bob@example.com", NULL, IAM_ACTIVE, 0, &ierr));
    OK(iam_store_member_add(st, "test", "carol@example.com", "carol@example.com", "Carol",
                            IAM_INVITED, 0, &ierr));
    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    OK(iam_store_label_create(st, "test", "team:x", NULL, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &res, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &wh, &ierr));
    OK(iam_store_grant(st, "test", 1, "ops", &res, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob", "carol@example.com"), 2, &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob"), 1, &ierr));
}

static void assert_same_member(const iam_member_t *a, const iam_member_t *b)
{
    ck_assert_str_eq(a->login, b->login);
    ck_assert_str_eq(a->email, b->email);
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->status, b->status);
    ck_assert_int_eq(a->pii, b->pii);
    ck_assert_int_eq(a->created, b->created);
    ck_assert_msg(same_grants(a->grants, b->grants), "grants of %s differ", a->login);
    ck_assert_msg(same_names(a->groups, b->groups), "groups of %s differ", a->login);
}

static void assert_same_group(const iam_group_t *a, const iam_group_t *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->pii, b->pii);
    ck_assert_msg(same_grants(a->grants, b->grants), "grants of group %s differ", a->name);
    ck_assert_msg(same_names(a->members, b->members), "members of group %s differ", a->name);
}

static void assert_same_dump(const dump_t *a, const dump_t *b)
{
    int i;

    ck_assert_int_eq(a->plan, b->plan);
    ck_assert_int_eq(a->members->nelts, b->members->nelts);
    ck_assert_int_eq(a->groups->nelts, b->groups->nelts);
    for (i = 0; i < a->members->nelts; i++)
        assert_same_member(APR_ARRAY_IDX(a->members, i, iam_member_t *),
                           APR_ARRAY_IDX(b->members, i, iam_member_t *));
    for (i = 0; i < a->groups->nelts; i++)
        assert_same_group(APR_ARRAY_IDX(a->groups, i, iam_group_t *),
                          APR_ARRAY_IDX(b->groups, i, iam_group_t *));
}

static void assert_empty(iam_store_t *s)
{
    iam_workspace_info_t wi;
    dump_t d = dump_of(s);

    OK(iam_store_info(s, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 0);
    ck_assert_int_eq(wi.groups, 0);
    ck_assert_int_eq(wi.owners, 0);
    ck_assert_int_eq(d.members->nelts, 0);
    ck_assert_int_eq(d.groups->nelts, 0);
}

START_TEST(test_dump_import_round_trip)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_workspace_info_t wi;
    dump_t before, after;

    populate();
    before = dump_of(st);
    ck_assert_int_eq(before.members->nelts, 3);
    ck_assert_int_eq(before.groups->nelts, 2);
    /* PII access has no setter of its own: import is how it arrives. */
    APR_ARRAY_IDX(before.members, 1, iam_member_t *)->pii = 1;
    APR_ARRAY_IDX(before.groups, 1, iam_group_t *)->pii = 1;
    OK(iam_store_import(copy, "test", before.plan, before.members, before.groups, &ierr));
    after = dump_of(copy);
    assert_same_dump(&before, &after);
    OK(iam_store_info(copy, &wi, pool, &ierr));
    ck_assert_int_eq(wi.members, 3);
    ck_assert_int_eq(wi.groups, 2);
    ck_assert_int_eq(wi.owners, 1);
}
END_TEST

/* An export restores when the groups were made, as it does for members. */
START_TEST(test_import_keeps_created)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_member_t *m;
    iam_group_t *g;
    dump_t d;

    populate();
    d = dump_of(st);
    APR_ARRAY_IDX(d.members, 0, iam_member_t *)->created = 1000000000;
    APR_ARRAY_IDX(d.groups, 0, iam_group_t *)->created = 1000000000;
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    OK(iam_store_member_get(copy, pool, "alice", &m, &ierr));
    ck_assert_int_eq(m->created, 1000000000);
    OK(iam_store_group_get(copy, pool, "eng", &g, &ierr));
    ck_assert_int_eq(g->created, 1000000000);
}
END_TEST

/* Import fills a store; the plan stays the one httpd.conf recorded, as
 * with iam_store_set_plan. */
START_TEST(test_import_keeps_server_plan)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_workspace_info_t wi;
    iam_roles_t roles;
    iam_status_e rc;
    dump_t d;

    populate(); /* business: groups and labels */
    d = dump_of(st);
    iam_roles_init(&roles);
    OK(iam_store_set_workspace(copy, "server", IAM_PLAN_TEAM, &roles, 0, &ierr));
    memset(&ierr, 0, sizeof(ierr));
    rc = iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr);
    OK(iam_store_info(copy, &wi, pool, &ierr));
    ck_assert_msg(wi.plan == IAM_PLAN_TEAM,
                  "import (%s) replaced the server's team plan with %s and loaded %d groups",
                  iam_status_str(rc), iam_plan_name(wi.plan), wi.groups);
}
END_TEST

START_TEST(test_import_into_non_empty)
{
    iam_store_t *copy = open_other("copy", 0);
    dump_t d, target;

    populate();
    d = dump_of(st);
    OK(iam_store_member_add(copy, "test", "zed", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    EXPECT(IAM_EXISTS, iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    target = dump_of(copy);
    ck_assert_int_eq(target.members->nelts, 1);
    ck_assert_int_eq(target.groups->nelts, 0);
    ck_assert_str_eq(APR_ARRAY_IDX(target.members, 0, iam_member_t *)->login, "zed");
    /* Into itself, too. */
    EXPECT(IAM_EXISTS, iam_store_import(st, "test", d.plan, d.members, d.groups, &ierr));
    target = dump_of(st);
    assert_same_dump(&d, &target);
}
END_TEST

START_TEST(test_import_all_or_nothing)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_member_t *last;
    iam_grant_t *g;
    dump_t d;

    populate();
    d = dump_of(st);
    /* The last member's first grant names a role no one declared. */
    last = APR_ARRAY_IDX(d.members, d.members->nelts - 1, iam_member_t *);
    g = apr_array_push(last->grants);
    *g = all_of("no-such-role");
    ck_assert_int_ne(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr), IAM_OK);
    assert_empty(copy);

    /* A member in a group the file does not define. */
    apr_array_pop(last->grants);
    APR_ARRAY_PUSH(last->groups, const char *) = "undefined";
    ck_assert_int_ne(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr), IAM_OK);
    assert_empty(copy);

    /* Groups on a plan without them. */
    apr_array_pop(last->groups);
    EXPECT(IAM_PLAN, iam_store_import(copy, "test", IAM_PLAN_TEAM, d.members, d.groups, &ierr));
    assert_empty(copy);
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
}
END_TEST

START_TEST(test_import_needs_an_owner)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_member_t *alice;
    dump_t d;

    populate();
    d = dump_of(st);
    alice = APR_ARRAY_IDX(d.members, 0, iam_member_t *);
    ck_assert_str_eq(alice->login, "alice");
    apr_array_clear(alice->grants);
    EXPECT(IAM_LAST_OWNER, iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    assert_empty(copy);
}
END_TEST

/* ---- whole-record writes, paging, the audit trail, the secret ---- */

START_TEST(test_member_put_create_and_update)
{
    iam_grant_t g[] = {grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout")),
                       all_of("warehouse-read-only")};
    iam_member_spec_t sp = {"dana", "dana@example.com", "Dana", IAM_INVITED, 1, NULL, NULL};
    iam_member_t *m;

    add("olivia", NULL, 1);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    sp.grants = grants_of(g, 2);
    sp.groups = names_of(ITEMS("eng"));
    OK(iam_store_member_put(st, "test", &sp, 1, &ierr));
    m = member("dana");
    ck_assert_int_eq(m->status, IAM_INVITED);
    ck_assert_int_eq(m->pii, 1);
    ck_assert_int_eq(m->grants->nelts, 2);
    ck_assert_str_eq(joined(m->groups), "eng");
    ck_assert_str_eq(joined(group("eng")->members), "dana");

    /* an update replaces what it names and keeps the rest */
    memset(&sp, 0, sizeof(sp));
    sp.login = "dana";
    sp.pii = -1;
    sp.name = "Dana D.";
    sp.groups = names_of(ITEMS("ops"));
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    m = member("dana");
    ck_assert_str_eq(m->name, "Dana D.");
    ck_assert_str_eq(m->email, "dana@example.com");
    ck_assert_int_eq(m->grants->nelts, 2);
    ck_assert_str_eq(joined(m->groups), "ops");
    ck_assert_str_eq(joined(group("eng")->members), "");
    ck_assert_str_eq(joined(group("ops")->members), "dana");
    ck_assert_str_eq(audit_actions(2), "member.update member.invite");
}
END_TEST

START_TEST(test_member_put_all_or_nothing)
{
    iam_grant_t good = all_of("warehouse-admin"),
                bad = grant_of("warehouse-admin", IAM_SCOPE_RESOURCES, ITEMS("x"));
    iam_grant_t both[] = {good, bad};
    iam_member_spec_t sp = {"erin", NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};

    add("olivia", NULL, 1);
    sp.grants = grants_of(both, 2);
    EXPECT(IAM_INVALID, iam_store_member_put(st, "test", &sp, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "erin", &(iam_member_t *){NULL}, &ierr));
    sp.grants = grants_of(&good, 1);
    sp.groups = names_of(ITEMS("no-such-group"));
    EXPECT(IAM_NOTFOUND, iam_store_member_put(st, "test", &sp, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "erin", &(iam_member_t *){NULL}, &ierr));
    ck_assert_int_eq(info().members, 1);
    ck_assert_str_eq(audit_actions(5), "member.add");

    /* the last owner cannot lose the role through an update either */
    memset(&sp, 0, sizeof(sp));
    sp.login = "olivia";
    sp.pii = -1;
    sp.grants = grants_of(NULL, 0);
    EXPECT(IAM_LAST_OWNER, iam_store_member_put(st, "test", &sp, 0, &ierr));
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

START_TEST(test_group_put)
{
    iam_grant_t g = grant_of("personas-read-only", IAM_SCOPE_LABELS, ITEMS("team:growth"));
    iam_group_spec_t sp = {"growth", 1, NULL, NULL};
    iam_group_t *gr;

    add_members(ITEMS("a", "b", "c"));
    sp.grants = grants_of(&g, 1);
    sp.members = names_of(ITEMS("a", "b"));
    /* a grant on a label the workspace does not have is refused */
    EXPECT(IAM_INVALID, iam_store_group_put(st, "test", &sp, 1, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "no label 'team:growth'"));
    OK(iam_store_label_create(st, "test", "team:growth", NULL, &ierr));
    OK(iam_store_group_put(st, "test", &sp, 1, &ierr));
    gr = group("growth");
    ck_assert_int_eq(gr->pii, 1);
    ck_assert_str_eq(joined(gr->members), "a b");
    ck_assert_str_eq(joined(member("a")->groups), "growth");
    sp.grants = NULL;
    sp.pii = -1;
    sp.members = names_of(ITEMS("b", "c"));
    OK(iam_store_group_put(st, "test", &sp, 0, &ierr));
    gr = group("growth");
    ck_assert_str_eq(joined(gr->members), "b c");
    ck_assert_int_eq(gr->grants->nelts, 1);
    ck_assert_str_eq(joined(member("a")->groups), "");
    EXPECT(IAM_EXISTS, iam_store_group_put(st, "test", &sp, 1, &ierr));
    sp.name = "other";
    sp.members = names_of(ITEMS("nobody"));
    EXPECT(IAM_NOTFOUND, iam_store_group_put(st, "test", &sp, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_group_get(st, pool, "other", &gr, &ierr));
}
END_TEST

START_TEST(test_member_page)
{
    apr_array_header_t *page, *seen = apr_array_make(pool, 128, sizeof(const char *));
    const char *after = NULL, *next;
    int i, pages = 0;

    for (i = 0; i < 120; i++)
        add(apr_psprintf(pool, "u%03d", i),
            apr_psprintf(pool, "u%03d@%s.example", i, i % 2 ? "odd" : "even"), 0);
    do {
        OK(iam_store_member_page(st, pool, NULL, after, 50, &page, &next, &ierr));
        for (i = 0; i < page->nelts; i++)
            APR_ARRAY_PUSH(seen, const char *) = APR_ARRAY_IDX(page, i, iam_member_t *)->login;
        after = next;
        pages++;
    } while (next);
    ck_assert_int_eq(pages, 3);
    ck_assert_int_eq(seen->nelts, 120);
    for (i = 0; i < 120; i++)
        ck_assert_str_eq(APR_ARRAY_IDX(seen, i, const char *), apr_psprintf(pool, "u%03d", i));
    /* a search pages too */
    OK(iam_store_member_page(st, pool, "ODD", NULL, 50, &page, &next, &ierr));
    ck_assert_int_eq(page->nelts, 50);
    ck_assert_str_eq(next, "u099");
    OK(iam_store_member_page(st, pool, "ODD", next, 50, &page, &next, &ierr));
    ck_assert_int_eq(page->nelts, 10);
    ck_assert_ptr_null(next);
    ck_assert_str_eq(APR_ARRAY_IDX(page, 0, iam_member_t *)->login, "u101");
}
END_TEST

START_TEST(test_audit_trail)
{
    iam_grant_t g = all_of("warehouse-admin");
    apr_array_header_t *list;
    iam_audit_t *a;

    add("olivia", NULL, 1);
    add("bob", "bob@example.com", 0);
    OK(iam_store_grant(st, "iamctl:root", 0, "bob", &g, &ierr));
    EXPECT(IAM_EXISTS, iam_store_grant(st, "iamctl:root", 0, "bob", &g, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_revoke(st, "test", 0, "bob", &g, 1, &ierr));
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    /* a refused write records nothing */
    ck_assert_str_eq(audit_actions(10), "member.remove revoke group.add-members group.create "
                                        "grant member.add member.add");
    OK(iam_store_audit_list(st, pool, 0, 10, &list, &ierr));
    a = APR_ARRAY_IDX(list, 4, iam_audit_t *);
    ck_assert_str_eq(a->actor, "iamctl:root");
    ck_assert_str_eq(a->target, "bob");
    ck_assert_ptr_nonnull(strstr(a->before, "grants=[none]"));
    ck_assert_ptr_nonnull(strstr(a->after, "warehouse-admin on all"));
    ck_assert_int_gt(a->time, 0);
    ck_assert_ptr_nonnull(strstr(APR_ARRAY_IDX(list, 0, iam_audit_t *)->before, "groups=[eng]"));
    /* paging: older than the third newest */
    OK(iam_store_audit_list(st, pool, APR_ARRAY_IDX(list, 2, iam_audit_t *)->seq, 2, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 0, iam_audit_t *)->action, "group.create");
}
END_TEST

/* The secret is made once (start-up, iamctl init); a read never makes it. */
START_TEST(test_secret_is_stable)
{
    unsigned char a[32], b[32], zero[32] = {0};

    EXPECT(IAM_NOTFOUND, iam_store_secret(st, a, &ierr));
    OK(iam_store_secret_make(st, &ierr));
    OK(iam_store_secret(st, a, &ierr));
    OK(iam_store_secret_make(st, &ierr)); /* made already: kept */
    OK(iam_store_secret(st, b, &ierr));
    ck_assert_mem_eq(a, b, 32);
    ck_assert_int_ne(memcmp(a, zero, 32), 0);
    reopen();
    OK(iam_store_secret(st, b, &ierr));
    ck_assert_mem_eq(a, b, 32);
}
END_TEST

/* What children saw, in one transaction: an invited member turns active
 * (audited once), a visit within the hour is not written again, a token's
 * last use moves forward only, and what is gone is skipped. */
START_TEST(test_touch)
{
    const char *token;
    iam_token_t *t, *seen;
    iam_member_t *m;
    long long now = (long long)time(NULL);
    apr_array_header_t *list;
    int i, activations = 0;

    add("olivia", NULL, 1);
    OK(iam_store_member_add(st, "test", "ivy", "ivy@example.com", NULL, IAM_INVITED, 0, &ierr));
    OK(iam_store_token_create(st, "test", "olivia", "sync", pool, &token, &t, &ierr));
    {
        iam_touch_t batch[] = {{IAM_TOUCH_MEMBER, "ivy", now},
                               {IAM_TOUCH_MEMBER, "olivia", now - 10},
                               {IAM_TOUCH_MEMBER, "gone", now},
                               {IAM_TOUCH_TOKEN, t->id, now},
                               {IAM_TOUCH_TOKEN, "nosuchtoken", now}};
        OK(iam_store_touch(st, batch, 5, &ierr));
    }
    m = member("ivy");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->last_seen, now);
    ck_assert_int_eq(member("olivia")->last_seen, now - 10);
    OK(iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_int_eq(seen->last_used, now);
    {
        iam_touch_t again[] = {{IAM_TOUCH_MEMBER, "ivy", now + 60},
                               {IAM_TOUCH_TOKEN, t->id, now - 100}};
        OK(iam_store_touch(st, again, 2, &ierr));
    }
    ck_assert_int_eq(member("ivy")->last_seen, now); /* within the hour: kept */
    OK(iam_store_token_check(st, pool, token, &seen, &ierr));
    ck_assert_int_eq(seen->last_used, now); /* never backwards */
    OK(iam_store_audit_list(st, pool, 0, 100, &list, &ierr));
    for (i = 0; i < list->nelts; i++)
        activations += !strcmp(APR_ARRAY_IDX(list, i, iam_audit_t *)->action, "member.activate");
    ck_assert_int_eq(activations, 1);
    OK(iam_store_touch(st, NULL, 0, &ierr));
}
END_TEST

/* ---- the cases ---- */

void store_cases_records(Suite *s)
{
    TCase *tc;

    tc = store_tcase("dump");
    tcase_add_test(tc, test_dump_import_round_trip);
    tcase_add_test(tc, test_import_keeps_created);
    tcase_add_test(tc, test_import_keeps_server_plan);
    tcase_add_test(tc, test_import_into_non_empty);
    tcase_add_test(tc, test_import_all_or_nothing);
    tcase_add_test(tc, test_import_needs_an_owner);
    suite_add_tcase(s, tc);

    tc = store_tcase("records");
    tcase_add_test(tc, test_member_put_create_and_update);
    tcase_add_test(tc, test_member_put_all_or_nothing);
    tcase_add_test(tc, test_group_put);
    tcase_add_test(tc, test_member_page);
    tcase_add_test(tc, test_audit_trail);
    tcase_add_test(tc, test_secret_is_stable);
    tcase_add_test(tc, test_touch);
    store_tests_requests(tc); /* test_store_requests.c */
    suite_add_tcase(s, tc);
}
