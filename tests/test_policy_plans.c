/* mod_iam tests, suite "policy": the plans. What the free and team plans
 * ignore in a decision (groups, labels, every role but Source Admin and
 * Workspace Owner, custom roles), and what an approved request grants on
 * each plan (iam_policy_approval).
 */
#include "policy_test.h"

#include <stdio.h>
#include <string.h>

/* ================================================================ plans */

START_TEST(plans_small_plans_ignore_what_they_lack)
{
    static const iam_plan_e small[] = {FREE, TEAM};
    iam_grant_t sa_all[] = {G_ALL("source-admin")};
    iam_grant_t sa_some[] = {G_ON("source-admin", "checkout")};
    iam_grant_t sa_label[] = {G_LABELS("source-admin", "env:prod")};
    iam_grant_t ro_all[] = {G_ALL("source-read-only")};
    iam_grant_t pa_all[] = {G_ALL("personas-admin")};
    iam_grant_t own[] = {G_ALL("workspace-owner")};
    iam_grant_set_t direct_admin[] = {DIRECT(sa_all)};
    iam_grant_set_t direct_some[] = {DIRECT(sa_some)};
    iam_grant_set_t group_admin[] = {VIA("eng", sa_all)};
    iam_grant_set_t label_admin[] = {DIRECT(sa_label)};
    iam_grant_set_t reader[] = {DIRECT(ro_all)};
    iam_grant_set_t personas[] = {DIRECT(pa_all)};
    iam_grant_set_t owner[] = {DIRECT(own)};
    iam_grant_set_t mixed[] = {VIA("eng", sa_all), DIRECT(sa_some)};
    iam_resource_t prod = RES_L("source", "checkout", "env:prod");
    int p;

    /* Business honours all of them: the contrast that makes the rest mean something. */
    ALLOW(group_admin, prod, EDIT);
    ALLOW(label_admin, prod, EDIT);
    ALLOW(reader, prod, READ);
    ALLOW(personas, RES("space", "eu"), READ);

    for (p = 0; p < N(small); p++) {
        iam_plan_e plan = small[p];

        /* Honoured: Source Admin held directly, on all or on named resources; owners. */
        ALLOW_ON(plan, direct_admin, prod, EDIT);
        ALLOW_ON(plan, direct_admin, COLLECTION("source"), EDIT);
        ALLOW_ON(plan, direct_some, prod, ADMIN);
        DENY_ON(plan, direct_some, RES("source", "billing"), READ);
        ALLOW_ON(plan, owner, prod, ADMIN);
        ALLOW_ON(plan, owner, RES("space", "eu"), EDIT);
        /* Ignored: groups, labels, every role but Source Admin. */
        DENY_ON(plan, group_admin, prod, READ);
        DENY_ON(plan, group_admin, COLLECTION("source"), READ);
        DENY_ON(plan, label_admin, prod, READ);
        DENY_ON(plan, reader, prod, READ);
        DENY_ON(plan, reader, COLLECTION("source"), READ);
        DENY_ON(plan, personas, RES("space", "eu"), READ);
        DENY_ON(plan, personas, COLLECTION("space"), READ);
        /* A group grant never widens a direct one. */
        ALLOW_ON(plan, mixed, prod, EDIT);
        DENY_ON(plan, mixed, RES("source", "billing"), READ);
        DENY_ON(plan, mixed, COLLECTION("source"), EDIT);
    }
}
END_TEST

START_TEST(plans_custom_roles_ignored)
{
    iam_grant_t ed[] = {G_ALL("source-editor")};
    iam_grant_set_t editor[] = {DIRECT(ed)};

    ck_assert_ptr_null(add_named("Source Editor", "source", EDIT));
    ALLOW(editor, RES("source", "checkout"), EDIT);
    DENY_ON(TEAM, editor, RES("source", "checkout"), READ);
    DENY_ON(FREE, editor, RES("source", "checkout"), READ);
}
END_TEST

/* Free and team "have no ... labels": a label grant left in a store after a
 * downgrade is ignored everywhere, the type's collection included. */
START_TEST(plans_label_grant_opens_collection)
{
    iam_grant_t sa_label[] = {G_LABELS("source-admin", "env:prod")};
    iam_grant_set_t label_admin[] = {DIRECT(sa_label)};

    ALLOW(label_admin, COLLECTION("source"), READ);
    DENY_ON(TEAM, label_admin, RES_L("source", "c", "env:prod"), READ);
    DENY_ON(TEAM, label_admin, COLLECTION("source"), READ);
    DENY_ON(FREE, label_admin, COLLECTION("source"), READ);
}
END_TEST

/* ---- approving a request: the grant, and whether it gives what was asked ---- */

static const char *approval(iam_plan_e plan, const char *type, const char *name, iam_level_e need,
                            const char *role, iam_approve_scope_e scope)
{
    static char buf[256];
    const char *item[2], *why;
    iam_grant_t g;
    const iam_role_t *r =
        iam_policy_approval(&ws_roles, plan, type, name, need, role, scope, &g, item, &why);

    if (!r)
        snprintf(buf, sizeof(buf), "refused: %s", why);
    else if (g.scope == IAM_SCOPE_RESOURCES)
        snprintf(buf, sizeof(buf), "%s on %s", r->slug, g.items[0]);
    else
        snprintf(buf, sizeof(buf), "%s on all", r->slug);
    return buf;
}

#define AUTO IAM_APPROVE_AUTO
#define ONE IAM_APPROVE_RESOURCE
#define ALLOF IAM_APPROVE_ALL

START_TEST(approval_least_and_chosen)
{
    /* the least that gives the level, on that one resource */
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, NULL, AUTO),
                     "source-read-only on web");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", EDIT, NULL, AUTO), "source-admin on web");
    ck_assert_str_eq(approval(BUSINESS, "space", "s1", EDIT, NULL, ONE), "personas-user on s1");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, NULL, ALLOF),
                     "source-read-only on all");
    /* all-only roles and collections: on all, never silently */
    ck_assert_str_eq(approval(BUSINESS, "warehouse", "main", READ, NULL, AUTO),
                     "warehouse-read-only on all");
    ck_assert_str_eq(approval(BUSINESS, "warehouse", "main", READ, "warehouse-admin", ONE),
                     "refused: that role is granted on all resources of its type only");
    ck_assert_str_eq(approval(BUSINESS, "source", "*", READ, NULL, AUTO),
                     "source-read-only on all");
    ck_assert_str_eq(approval(BUSINESS, "source", "*", READ, NULL, ONE),
                     "refused: no role of this type gives that access on this plan");
    ck_assert_str_eq(approval(BUSINESS, "source", "*", READ, "source-admin", ONE),
                     "refused: a request for a collection is answered on all of its type");
    /* creating in a collection needs admin on all, more than its level */
    ck_assert_str_eq(approval(BUSINESS, "source", NULL, EDIT, NULL, AUTO), "source-admin on all");
    ck_assert_str_eq(approval(BUSINESS, "space", "*", EDIT, NULL, AUTO), "personas-admin on all");
    ck_assert_str_eq(approval(BUSINESS, "space", "*", EDIT, "personas-user", AUTO),
                     "refused: that role does not give the access asked for");
    /* a chosen role must give what was asked */
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, "source-admin", AUTO),
                     "source-admin on web");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", EDIT, "source-read-only", AUTO),
                     "refused: that role does not give the access asked for");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, "warehouse-admin", AUTO),
                     "refused: that role does not give the access asked for");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, "no-such-role", AUTO),
                     "refused: unknown role");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, "workspace-owner", AUTO),
                     "refused: Workspace Owner is granted on requests for the owners' pages only");
    /* the owners' pages and the console: Workspace Owner only */
    ck_assert_str_eq(approval(BUSINESS, "owners", "*", ADMIN, NULL, AUTO),
                     "workspace-owner on all");
    ck_assert_str_eq(approval(BUSINESS, "console", "*", ADMIN, NULL, AUTO),
                     "workspace-owner on all");
    ck_assert_str_eq(approval(BUSINESS, "owners", "*", ADMIN, "source-admin", AUTO),
                     "refused: only Workspace Owner opens the console and the owners' pages");
    /* the team plan has Source Admin and Workspace Owner only */
    ck_assert_str_eq(approval(TEAM, "source", "web", READ, NULL, AUTO), "source-admin on web");
    ck_assert_str_eq(approval(TEAM, "warehouse", "main", READ, NULL, AUTO),
                     "refused: no role of this type gives that access on this plan");
    ck_assert_str_eq(approval(TEAM, "source", "web", READ, "source-read-only", AUTO),
                     "refused: the plan does not have that role");
}
END_TEST

void pol_add_plans(Suite *s)
{
    TCase *tc;

    tc = pol_tcase("plans");
    tcase_add_test(tc, plans_small_plans_ignore_what_they_lack);
    tcase_add_test(tc, plans_custom_roles_ignored);
    tcase_add_test(tc, plans_label_grant_opens_collection);
    suite_add_tcase(s, tc);

    tc = pol_tcase("approval");
    tcase_add_test(tc, approval_least_and_chosen);
    suite_add_tcase(s, tc);
}
