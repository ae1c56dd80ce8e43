/* mod_iam tests, the "store" suite (store_test.h): grants to members and
 * groups (merged, revoked in part or whole, refused, too many items), what
 * each plan allows and the custom roles httpd.conf declares, the
 * workspace's owners (never none; the first one bootstrapped), and groups:
 * made and deleted, their members on both sides, the grant sets a decision
 * reads, the workspace's counts. */
#include "store_test.h"

/* ---- grants ---- */

START_TEST(test_grant_resources_merge)
{
    iam_grant_t g1 = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout"));
    iam_grant_t g2 = grant_of("Source Admin", IAM_SCOPE_RESOURCES, ITEMS("web", "CHECKOUT", "api"));
    iam_member_t *m;

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g1, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &g2, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(items_text(grant_in(m->grants, "source-admin")), "checkout web api");
    ck_assert_int_eq(grant_in(m->grants, "source-admin")->scope, IAM_SCOPE_RESOURCES);
    /* Nothing new to merge: already there. */
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 0, "bob", &g1, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 1);
}
END_TEST

/* The resources of a grant are a set, whether given at once or merged. */
START_TEST(test_grant_resources_no_duplicates)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a", "A", "a"));

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "a");
}
END_TEST

START_TEST(test_revoke_some_resources)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a", "b", "c"));
    iam_grant_t some = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("b"));
    iam_grant_t partly = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a", "zzz"));
    iam_grant_t rest = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("c", "a"));

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_revoke(st, "test", 0, "bob", &some, 0, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "a c");
    /* One resource not held: nothing revoked. */
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &partly, 0, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "a c");
    /* The last resources take the grant with them. */
    OK(iam_store_revoke(st, "test", 0, "bob", &rest, 0, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
}
END_TEST

START_TEST(test_revoke_whole_role)
{
    iam_grant_t res = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a"));
    iam_grant_t lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t ro = all_of("source-read-only");
    iam_grant_t whole = all_of("source-admin");
    iam_member_t *m;

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &res, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 3);
    OK(iam_store_revoke(st, "test", 0, "bob", &whole, 1, &ierr));
    m = member("bob");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_ptr_nonnull(grant_in(m->grants, "source-read-only"));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &whole, 1, &ierr));
}
END_TEST

START_TEST(test_revoke_missing_grant)
{
    iam_grant_t all = all_of("source-admin");
    iam_grant_t res = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a"));
    iam_grant_t lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t other_lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:dev"));

    add("bob", NULL, 0);
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &all, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &all, 1, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &res, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    /* Held on resources and labels, not on all; and not on other labels. */
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &all, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "bob", &other_lab, 0, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 0, "nobody", &all, 1, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 1, "nogroup", &all, 1, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 2);
}
END_TEST

START_TEST(test_grant_duplicate)
{
    iam_grant_t all = all_of("source-admin");
    iam_grant_t lab = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod", "team:x"));
    iam_grant_t lab2 = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("team:x", "env:prod"));
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &all, &ierr));
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 0, "bob", &all, &ierr));
    OK(iam_store_label_create(st, "test", "team:x", NULL, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr));
    EXPECT(IAM_EXISTS,
           iam_store_grant(st, "test", 0, "bob", &lab2, &ierr)); /* same set of labels */
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 0, "alice", &owner, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 2);
}
END_TEST

START_TEST(test_grant_refused)
{
    iam_grant_t unknown = all_of("no-such-role");
    iam_grant_t owner = all_of("workspace-owner");
    iam_grant_t minimal = all_of("workspace-member");
    iam_grant_t all_only = grant_of("warehouse-admin", IAM_SCOPE_RESOURCES, ITEMS("dw"));
    iam_grant_t bad_item = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("a/b"));
    iam_grant_t bad_label = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("nocolon"));
    iam_grant_t same_key = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:a", "env:b"));
    iam_grant_t empty = grant_of("source-admin", IAM_SCOPE_RESOURCES, NULL);
    iam_grant_t ok = all_of("source-admin");

    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &unknown, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 1, "eng", &owner, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &minimal, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &all_only, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &bad_item, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &bad_label, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &same_key, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &empty, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_grant(st, "test", 0, "nobody", &ok, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_grant(st, "test", 1, "nogroup", &ok, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    ck_assert_int_eq(group("eng")->grants->nelts, 0);
}
END_TEST

/* An unknown role is bad input, whatever words its name holds. */
START_TEST(test_grant_unknown_role_is_not_a_plan_refusal)
{
    iam_grant_t g = all_of("marketing plan editor");

    add("bob", NULL, 0);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
}
END_TEST

START_TEST(test_grant_group)
{
    iam_grant_t g1 = grant_of("personas-user", IAM_SCOPE_RESOURCES, ITEMS("s1"));
    iam_grant_t g2 = grant_of("personas-user", IAM_SCOPE_RESOURCES, ITEMS("s2"));
    iam_grant_t lab = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t whole = all_of("personas-user");
    iam_group_t *g;

    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &g1, &ierr));
    OK(iam_store_grant(st, "test", 1, "ENG", &g2, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &lab, &ierr));
    EXPECT(IAM_EXISTS, iam_store_grant(st, "test", 1, "eng", &lab, &ierr));
    g = group("eng");
    ck_assert_str_eq(g->name, "Eng");
    ck_assert_int_eq(g->grants->nelts, 2);
    ck_assert_str_eq(items_text(grant_in(g->grants, "personas-user")), "s1 s2");
    ck_assert_str_eq(items_text(grant_in(g->grants, "source-read-only")), "env:prod");

    OK(iam_store_revoke(st, "test", 1, "eng", &g1, 0, &ierr));
    ck_assert_str_eq(items_text(grant_in(group("eng")->grants, "personas-user")), "s2");
    OK(iam_store_revoke(st, "test", 1, "eng", &lab, 0, &ierr));
    OK(iam_store_revoke(st, "test", 1, "eng", &whole, 1, &ierr));
    ck_assert_int_eq(group("eng")->grants->nelts, 0);
    EXPECT(IAM_NOTFOUND, iam_store_revoke(st, "test", 1, "eng", &whole, 1, &ierr));
}
END_TEST

START_TEST(test_grant_too_many_items)
{
    const char **items = apr_pcalloc(pool, sizeof(char *) * (IAM_MAX_ITEMS + 2));
    iam_grant_t g;
    int i;

    add("bob", NULL, 0);
    for (i = 0; i <= IAM_MAX_ITEMS; i++)
        items[i] = apr_psprintf(pool, "r%d", i);
    g = grant_of("source-admin", IAM_SCOPE_RESOURCES, items);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    items[IAM_MAX_ITEMS] = NULL;
    g = grant_of("source-admin", IAM_SCOPE_RESOURCES, items);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    ck_assert_int_eq(grant_in(member("bob")->grants, "source-admin")->nitems, IAM_MAX_ITEMS);
    /* merging past the limit is refused as well */
    items[0] = "one-more";
    items[1] = NULL;
    g = grant_of("source-admin", IAM_SCOPE_RESOURCES, items);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
}
END_TEST

/* ---- plans and custom roles ---- */

START_TEST(test_team_plan_limits)
{
    iam_grant_t labels = grant_of("source-admin", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t read_only = all_of("source-read-only");
    iam_grant_t warehouse = all_of("warehouse-admin");
    iam_grant_t allowed = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    set_plan(IAM_PLAN_TEAM);
    ck_assert_int_eq(info().plan, IAM_PLAN_TEAM);
    EXPECT(IAM_PLAN, iam_store_group_create(st, "test", "eng", &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "team"));
    EXPECT(IAM_PLAN, iam_store_grant(st, "test", 0, "bob", &labels, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "team"));
    EXPECT(IAM_PLAN, iam_store_grant(st, "test", 0, "bob", &read_only, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "team"));
    EXPECT(IAM_PLAN, iam_store_grant(st, "test", 0, "bob", &warehouse, &ierr));
    ck_assert_int_eq(member("bob")->grants->nelts, 0);
    ck_assert_int_eq(info().groups, 0);
    /* What the plan does allow. */
    OK(iam_store_grant(st, "test", 0, "bob", &allowed, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &owner, &ierr));
    ck_assert_int_eq(info().owners, 2);
}
END_TEST

START_TEST(test_free_plan_no_group_members)
{
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    set_plan(IAM_PLAN_FREE);
    EXPECT(IAM_PLAN, iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    ck_assert_int_eq(group("eng")->members->nelts, 0);
}
END_TEST

START_TEST(test_set_plan_after_server)
{
    OK(iam_store_set_plan(st, "test", IAM_PLAN_TEAM, 0, &ierr)); /* no server yet: iamctl may */
    ck_assert_int_eq(info().plan, IAM_PLAN_TEAM);
    set_plan(IAM_PLAN_BUSINESS); /* a server records its IAMPlan */
    memset(&ierr, 0, sizeof(ierr));
    ck_assert_int_ne(iam_store_set_plan(st, "test", IAM_PLAN_FREE, 0, &ierr), IAM_OK);
    ck_assert_ptr_nonnull(strstr(ierr.msg, "IAMPlan"));
    ck_assert_int_eq(info().plan, IAM_PLAN_BUSINESS);
    OK(iam_store_set_plan(st, "test", IAM_PLAN_FREE, 1, &ierr));
    ck_assert_int_eq(info().plan, IAM_PLAN_FREE);
}
END_TEST

START_TEST(test_custom_roles)
{
    iam_roles_t roles;
    iam_workspace_info_t wi;
    const iam_role_t *r;
    iam_grant_t g = grant_of("Data Steward", IAM_SCOPE_RESOURCES, ITEMS("orders"));
    iam_grant_t auditor = all_of("auditor");
    iam_verify_t v;
    iam_grant_t auditor_res = grant_of("auditor", IAM_SCOPE_RESOURCES, ITEMS("q1"));

    iam_roles_init(&roles);
    ck_assert_ptr_null(
        iam_roles_add(&roles, "Data Steward", "data-steward", "dataset", IAM_LEVEL_EDIT, 0));
    ck_assert_ptr_null(iam_roles_add(&roles, "Auditor", "auditor", "report", IAM_LEVEL_READ, 1));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));

    wi = info();
    ck_assert_int_eq(wi.roles.n, 14);
    r = iam_roles_find(&wi.roles, "data-steward");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->custom, 1);
    ck_assert_str_eq(r->name, "Data Steward");
    ck_assert_str_eq(r->type, "dataset");
    ck_assert_int_eq(r->level, IAM_LEVEL_EDIT);
    ck_assert_int_eq(iam_roles_find(&wi.roles, "Auditor")->all_only, 1);

    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &auditor, &ierr));
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &auditor_res, &ierr));
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "data-steward")), "orders");

    /* Roles dropped from httpd.conf can no longer be granted. */
    iam_roles_init(&roles);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    ck_assert_int_eq(info().roles.n, 12);
    EXPECT(IAM_INVALID, iam_store_grant(st, "test", 0, "bob", &auditor, &ierr));
    /* the grants still held of them are ignored by decisions: verify warns,
     * it does not call them damage */
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.nproblems, 0);
    ck_assert_int_eq(v.nwarnings, v.warnings->nelts);
    ck_assert_msg(v.nwarnings >= 1 &&
                      strstr(apr_array_pstrcat(pool, v.warnings, '\n'),
                             "member 'bob' holds a grant of role 'data-steward', which is not "
                             "declared"),
                  "%s", apr_array_pstrcat(pool, v.warnings, '\n'));
}
END_TEST

/* ---- owners ---- */

START_TEST(test_last_owner_remove)
{
    fold();
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    EXPECT(IAM_LAST_OWNER, iam_store_member_remove(st, "test", "ALICE", &ierr));
    ck_assert_ptr_nonnull(grant_in(member("alice")->grants, "workspace-owner"));
    ck_assert_int_eq(info().owners, 1);
    ck_assert_int_eq(info().members, 2);
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
}
END_TEST

START_TEST(test_last_owner_revoke)
{
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    EXPECT(IAM_LAST_OWNER, iam_store_revoke(st, "test", 0, "alice", &owner, 0, &ierr));
    EXPECT(IAM_LAST_OWNER, iam_store_revoke(st, "test", 0, "alice", &owner, 1, &ierr));
    ck_assert_int_eq(member("alice")->grants->nelts, 1);
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

START_TEST(test_two_owners)
{
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_grant(st, "test", 0, "bob", &owner, &ierr));
    ck_assert_int_eq(info().owners, 2);
    OK(iam_store_revoke(st, "test", 0, "alice", &owner, 0, &ierr));
    ck_assert_int_eq(info().owners, 1);
    ck_assert_int_eq(member("alice")->grants->nelts, 0);
    EXPECT(IAM_LAST_OWNER, iam_store_member_remove(st, "test", "bob", &ierr));

    OK(iam_store_grant(st, "test", 0, "alice", &owner, &ierr));
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    ck_assert_int_eq(info().owners, 1);
    EXPECT(IAM_LAST_OWNER, iam_store_revoke(st, "test", 0, "alice", &owner, 1, &ierr));
}
END_TEST

START_TEST(test_bootstrap_owner)
{
    int made = -1;
    iam_member_t *m;

    fold();
    OK(iam_store_bootstrap_owner(st, "Root", &made, &ierr));
    ck_assert_int_eq(made, 1);
    m = member("root");
    ck_assert_str_eq(m->login, "Root");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_ptr_nonnull(grant_in(m->grants, "workspace-owner"));
    ck_assert_int_eq(info().owners, 1);

    OK(iam_store_bootstrap_owner(st, "other", &made, &ierr));
    ck_assert_int_eq(made, 0);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "other", &m, &ierr));
    ck_assert_int_eq(info().members, 1);
}
END_TEST

START_TEST(test_bootstrap_existing_member)
{
    int made = -1;
    iam_member_t *m;

    fold();
    OK(iam_store_member_add(st, "test", "carol", NULL, NULL, IAM_INVITED, 0, &ierr));
    OK(iam_store_bootstrap_owner(st, "CAROL", &made, &ierr));
    ck_assert_int_eq(made, 1);
    m = member("carol");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_int_eq(info().members, 1);
    ck_assert_int_eq(info().owners, 1);
}
END_TEST

/* ---- groups ---- */

START_TEST(test_group_create_delete)
{
    iam_group_t *g;
    apr_array_header_t *list;

    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    EXPECT(IAM_EXISTS, iam_store_group_create(st, "test", "ENG", &ierr));
    EXPECT(IAM_INVALID, iam_store_group_create(st, "test", "", &ierr));
    EXPECT(IAM_INVALID, iam_store_group_create(st, "test", " eng", &ierr));
    ck_assert_int_eq(info().groups, 2);
    g = group("eng");
    ck_assert_str_eq(g->name, "Eng");
    ck_assert_int_gt(g->created, 0);
    ck_assert_int_eq(g->members->nelts, 0);
    OK(iam_store_group_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 0, iam_group_t *)->name, "Eng");

    OK(iam_store_group_delete(st, "test", "eng", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_group_get(st, pool, "Eng", &g, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_group_delete(st, "test", "eng", &ierr));
    ck_assert_int_eq(info().groups, 1);
}
END_TEST

START_TEST(test_group_members_both_sides)
{
    apr_array_header_t *list;

    fold();
    add_members(ITEMS("alice", "Bob", "carol"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob", "carol"), 3, &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "alice Bob carol"); /* as spelt */
    ck_assert_str_eq(joined(member("bob")->groups), "eng");
    ck_assert_str_eq(joined(member("carol")->groups), "eng");
    OK(iam_store_group_list(st, pool, &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    ck_assert_int_eq(APR_ARRAY_IDX(list, 0, iam_group_t *)->members->nelts, 3);
    OK(iam_store_member_list(st, pool, "bob", 0, 0, &list, &ierr));
    ck_assert_int_eq(list->nelts, 1);
    ck_assert_str_eq(joined(APR_ARRAY_IDX(list, 0, iam_member_t *)->groups), "eng");

    EXPECT(IAM_EXISTS, iam_store_group_members(st, "test", "eng", 1, ITEMS("alice"), 1, &ierr));
    OK(iam_store_group_members(st, "test", "ENG", 0, ITEMS("ALICE", "carol"), 2, &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "Bob");
    ck_assert_str_eq(joined(member("alice")->groups), "");
    ck_assert_str_eq(joined(member("carol")->groups), "");
    EXPECT(IAM_INVALID, iam_store_group_members(st, "test", "eng", 1, NULL, 0, &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_members(st, "test", "nogroup", 1, ITEMS("alice"), 1, &ierr));
}
END_TEST

START_TEST(test_group_members_all_or_nothing)
{
    add_members(ITEMS("alice", "bob"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "ghost", "bob"), 3, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "ghost"));
    ck_assert_str_eq(joined(group("eng")->members), "");
    ck_assert_str_eq(joined(member("alice")->groups), "");

    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice"), 1, &ierr));
    /* Removing one who is not in the group removes no one. */
    EXPECT(IAM_NOTFOUND,
           iam_store_group_members(st, "test", "eng", 0, ITEMS("alice", "bob"), 2, &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "alice");
    ck_assert_str_eq(joined(member("alice")->groups), "eng");
}
END_TEST

START_TEST(test_member_remove_leaves_groups)
{
    add_members(ITEMS("alice", "bob"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob"), 2, &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "alice");
    ck_assert_str_eq(joined(group("ops")->members), "");
    /* A new bob starts without the old one's groups. */
    add("bob", NULL, 0);
    ck_assert_int_eq(member("bob")->groups->nelts, 0);
}
END_TEST

START_TEST(test_group_delete_unlinks_members)
{
    iam_grant_t g = all_of("source-admin");
    iam_subject_t subj;
    iam_roles_t roles;

    iam_roles_init(&roles);
    add_members(ITEMS("alice", "bob", "carol", "dave"));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &g, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob", "carol", "dave"), 4,
                               &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_group_delete(st, "test", "ENG", &ierr));
    ck_assert_int_eq(member("alice")->groups->nelts, 0);
    ck_assert_int_eq(member("dave")->groups->nelts, 0);
    ck_assert_str_eq(joined(member("bob")->groups), "ops");
    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.nsets, 1);
    /* A group of the same name starts empty, without the old grants. */
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    ck_assert_str_eq(joined(group("eng")->members), "");
    ck_assert_int_eq(group("eng")->grants->nelts, 0);
}
END_TEST

START_TEST(test_subject_sets)
{
    iam_grant_t direct = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t eng_g = all_of("source-read-only");
    iam_grant_t ops_g = all_of("warehouse-admin");
    iam_roles_t roles;
    iam_subject_t subj;

    iam_roles_init(&roles);
    fold();
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "Ops", &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &direct, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &eng_g, &ierr));
    OK(iam_store_grant(st, "test", 1, "ops", &ops_g, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_group_members(st, "test", "ops", 1, ITEMS("bob", "alice"), 2, &ierr));

    OK(iam_store_subject(st, pool, "BOB", &roles, &subj, &ierr));
    ck_assert_str_eq(subj.member->login, "bob");
    ck_assert_int_eq(subj.owner, 0);
    ck_assert_int_eq(subj.nsets, 3);
    ck_assert_ptr_null(subj.sets[0].via);
    ck_assert_int_eq(subj.sets[0].ngrants, 1);
    ck_assert_str_eq(subj.sets[0].grants[0].role, "source-admin");
    ck_assert_str_eq(subj.sets[1].via, "eng");
    ck_assert_int_eq(subj.sets[1].ngrants, 1);
    ck_assert_str_eq(subj.sets[1].grants[0].role, "source-read-only");
    ck_assert_str_eq(subj.sets[2].via, "Ops");
    ck_assert_str_eq(subj.sets[2].grants[0].role, "warehouse-admin");

    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.owner, 1);
    ck_assert_int_eq(subj.nsets, 2);
    ck_assert_str_eq(subj.sets[1].via, "Ops");
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "nobody", &roles, &subj, &ierr));
}
END_TEST

START_TEST(test_info_counts)
{
    iam_workspace_info_t wi;
    iam_grant_t owner = all_of("workspace-owner");

    add("alice", NULL, 1);
    add_members(ITEMS("bob", "carol"));
    OK(iam_store_grant(st, "test", 0, "carol", &owner, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    wi = info();
    ck_assert_int_eq(wi.members, 3);
    ck_assert_int_eq(wi.groups, 2);
    ck_assert_int_eq(wi.owners, 2);
    OK(iam_store_member_remove(st, "test", "carol", &ierr));
    OK(iam_store_group_delete(st, "test", "ops", &ierr));
    wi = info();
    ck_assert_int_eq(wi.members, 2);
    ck_assert_int_eq(wi.groups, 1);
    ck_assert_int_eq(wi.owners, 1);
}
END_TEST

/* ---- the cases ---- */

void store_cases_grants(Suite *s)
{
    TCase *tc;

    tc = store_tcase("grants");
    tcase_add_test(tc, test_grant_resources_merge);
    tcase_add_test(tc, test_grant_resources_no_duplicates);
    tcase_add_test(tc, test_revoke_some_resources);
    tcase_add_test(tc, test_revoke_whole_role);
    tcase_add_test(tc, test_revoke_missing_grant);
    tcase_add_test(tc, test_grant_duplicate);
    tcase_add_test(tc, test_grant_refused);
    tcase_add_test(tc, test_grant_unknown_role_is_not_a_plan_refusal);
    tcase_add_test(tc, test_grant_group);
    tcase_add_test(tc, test_grant_too_many_items);
    suite_add_tcase(s, tc);

    tc = store_tcase("plans");
    tcase_add_test(tc, test_team_plan_limits);
    tcase_add_test(tc, test_free_plan_no_group_members);
    tcase_add_test(tc, test_set_plan_after_server);
    tcase_add_test(tc, test_custom_roles);
    suite_add_tcase(s, tc);

    tc = store_tcase("owners");
    tcase_add_test(tc, test_last_owner_remove);
    tcase_add_test(tc, test_last_owner_revoke);
    tcase_add_test(tc, test_two_owners);
    tcase_add_test(tc, test_bootstrap_owner);
    tcase_add_test(tc, test_bootstrap_existing_member);
    suite_add_tcase(s, tc);

    tc = store_tcase("groups");
    tcase_add_test(tc, test_group_create_delete);
    tcase_add_test(tc, test_group_members_both_sides);
    tcase_add_test(tc, test_group_members_all_or_nothing);
    tcase_add_test(tc, test_member_remove_leaves_groups);
    tcase_add_test(tc, test_group_delete_unlinks_members);
    tcase_add_test(tc, test_subject_sets);
    tcase_add_test(tc, test_info_counts);
    suite_add_tcase(s, tc);
}
