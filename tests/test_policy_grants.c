/* mod_iam tests, suite "policy": whether a grant may be made
 * (iam_grant_check). Which roles, scopes and items each plan takes, to a
 * member or to a group, custom roles included, and the plan predicates.
 */
#include "policy_test.h"

#include <string.h>

/* ================================================================ grant_check */

typedef struct {
    iam_plan_e plan;
    int to_group;
    iam_grant_t grant;
    const char *refusal; /* NULL: allowed; else a word the message holds */
} grant_case_t;

static void check_grants(const grant_case_t *c, int n)
{
    char buf[256];
    int i;

    for (i = 0; i < n; i++) {
        const char *msg;

        memset(buf, 'Z', sizeof(buf));
        msg = iam_grant_check(&ws_roles, c[i].plan, &c[i].grant, c[i].to_group, buf, sizeof(buf));
        ck_assert_msg((msg == NULL) == (c[i].refusal == NULL),
                      "case %d: %s on %s (%d items)%s, %s plan: want %s, got %s", i,
                      c[i].grant.role, iam_scope_name(c[i].grant.scope), c[i].grant.nitems,
                      c[i].to_group ? " to a group" : "", iam_plan_name(c[i].plan),
                      c[i].refusal ? "refused" : "allowed", msg ? msg : "allowed");
        if (msg) {
            ck_assert_msg(strstr(msg, c[i].refusal) != NULL, "case %d: '%s' lacks '%s'", i, msg,
                          c[i].refusal);
            ck_assert_uint_lt(strlen(msg), sizeof(buf));
        }
    }
}

START_TEST(grant_check_business)
{
    const grant_case_t cases[] = {
        {BUSINESS, 0, G_ALL("workspace-owner"), NULL},
        {BUSINESS, 0, G_ALL("Workspace Owner"), NULL},
        {BUSINESS, 0, G_ALL("source-admin"), NULL},
        {BUSINESS, 1, G_ALL("source-admin"), NULL},
        {BUSINESS, 1, G_ON("source-read-only", "checkout", "billing"), NULL},
        {BUSINESS, 1, G_LABELS("personas-user", "env:prod", "team:growth"), NULL},
        {BUSINESS, 0, G_ALL("warehouse-admin"), NULL},
        {BUSINESS, 1, G_ALL("tracking-plan-read-only"), NULL},
        {BUSINESS, 0, G_ALL("identity-admin"), NULL},
        /* Unknown roles. */
        {BUSINESS, 0, G_ALL("source-owner"), "source-owner"},
        /* Workspace Owner goes to members only; Workspace Member is not granted. */
        {BUSINESS, 1, G_ALL("workspace-owner"), "group"},
        {BUSINESS, 0, G_ALL("workspace-member"), "Workspace Member"},
        {BUSINESS, 1, G_ALL("workspace-member"), "Workspace Member"},
        /* Global and all-only roles refuse resources and labels. */
        {BUSINESS, 0, G_ON("workspace-owner", "checkout"), "all"},
        {BUSINESS, 0, G_ON("warehouse-admin", "wh1"), "Warehouse Admin"},
        {BUSINESS, 0, G_LABELS("warehouse-read-only", "env:prod"), "all"},
        {BUSINESS, 1, G_ON("tracking-plan-admin", "tp"), "all"},
        {BUSINESS, 0, G_LABELS("tracking-plan-read-only", "env:prod"), "all"},
        {BUSINESS, 0, G_ON("identity-admin", "id"), "all"},
        /* Items: required for resources and labels, none for all. */
        {BUSINESS, 0, {"source-admin", IAM_SCOPE_RESOURCES, 0, NULL}, "at least one"},
        {BUSINESS, 0, {"source-admin", IAM_SCOPE_LABELS, 0, NULL}, "at least one"},
        {BUSINESS, 0, {"source-admin", IAM_SCOPE_ALL, 1, LIST("checkout")}, "all"},
        /* Items must be names or labels. */
        {BUSINESS, 0, G_ON("source-admin", "*"), "*"},
        {BUSINESS, 0, G_ON("source-admin", "checkout", "bad name"), "bad name"},
        {BUSINESS, 0, G_LABELS("source-admin", "envprod"), "envprod"},
        {BUSINESS, 0, G_LABELS("source-admin", "env:prod", "team:a b"), "team:a b"},
        /* One value per key: a label AND its sibling could never match. */
        {BUSINESS, 0, G_LABELS("source-admin", "env:prod", "env:dev"), "env:dev"},
        {BUSINESS, 0, G_LABELS("source-admin", "env:prod", "team:a", "ENV:eu"), "key"},
        {BUSINESS, 0, G_LABELS("source-admin", "env:prod", "envx:dev", "en:x"), NULL},
    };

    check_grants(cases, N(cases));
}
END_TEST

START_TEST(grant_check_small_plans)
{
    const grant_case_t cases[] = {
        /* Free and team grant only Workspace Owner and Source Admin... */
        {FREE, 0, G_ALL("workspace-owner"), NULL},
        {FREE, 0, G_ALL("source-admin"), NULL},
        {FREE, 0, G_ON("source-admin", "checkout", "billing"), NULL},
        {TEAM, 0, G_ALL("workspace-owner"), NULL},
        {TEAM, 0, G_ALL("source-admin"), NULL},
        {TEAM, 0, G_ON("source-admin", "checkout"), NULL},
        {FREE, 0, G_ALL("source-read-only"), "free"},
        {TEAM, 0, G_ALL("source-read-only"), "team"},
        {TEAM, 0, G_ALL("personas-admin"), "Personas Admin"},
        {FREE, 0, G_ALL("warehouse-admin"), "free"},
        {TEAM, 0, G_ALL("identity-admin"), "team"},
        {TEAM, 0, G_ALL("tracking-plan-read-only"), "team"},
        /* ... and have no user groups ... */
        {FREE, 1, G_ALL("source-admin"), "free"},
        {TEAM, 1, G_ALL("source-admin"), "group"},
        {TEAM, 1, G_ALL("workspace-owner"), "group"},
        /* ... and no labels. */
        {FREE, 0, G_LABELS("source-admin", "env:prod"), "label"},
        {TEAM, 0, G_LABELS("source-admin", "env:prod"), "team"},
    };

    check_grants(cases, N(cases));
}
END_TEST

START_TEST(grant_check_custom_roles)
{
    ck_assert_ptr_null(add_named("Source Editor", "source", EDIT));
    ck_assert_ptr_null(
        iam_roles_add(&ws_roles, "Dashboard Viewer", "dashboard-viewer", "dashboard", READ, 1));
    {
        const grant_case_t cases[] = {
            {BUSINESS, 1, G_ON("source editor", "checkout"), NULL},
            {BUSINESS, 0, G_ALL("dashboard-viewer"), NULL},
            {BUSINESS, 0, G_ON("dashboard-viewer", "d1"), "all"}, /* declared all-only */
            {TEAM, 0, G_ALL("source-editor"), "team"},
            {FREE, 0, G_ALL("dashboard-viewer"), "free"},
        };

        check_grants(cases, N(cases));
    }
}
END_TEST

START_TEST(grant_check_plan_predicates)
{
    const iam_role_t *admin = iam_roles_find(&ws_roles, "source-admin");
    const iam_role_t *owner = iam_roles_find(&ws_roles, "workspace-owner");
    int i;

    for (i = 0; i < N(design_roles); i++) {
        const iam_role_t *r = iam_roles_find(&ws_roles, design_roles[i].slug);
        if (r->kind == IAM_ROLE_PLAIN && r != admin) {
            ck_assert_msg(!iam_plan_allows_role(FREE, r), "free allows %s", r->name);
            ck_assert_msg(!iam_plan_allows_role(TEAM, r), "team allows %s", r->name);
        }
        if (r->kind != IAM_ROLE_MEMBER)
            ck_assert_msg(iam_plan_allows_role(BUSINESS, r), "business refuses %s", r->name);
    }
    ck_assert(iam_plan_allows_role(FREE, admin) && iam_plan_allows_role(TEAM, admin));
    ck_assert(iam_plan_allows_role(FREE, owner) && iam_plan_allows_role(TEAM, owner));
    ck_assert(!iam_plan_allows_groups(FREE) && !iam_plan_allows_groups(TEAM));
    ck_assert(iam_plan_allows_groups(BUSINESS));
    ck_assert(!iam_plan_allows_labels(FREE) && !iam_plan_allows_labels(TEAM));
    ck_assert(iam_plan_allows_labels(BUSINESS));
}
END_TEST

START_TEST(grant_check_small_buffer)
{
    iam_grant_t g = G_LABELS("source-admin", "environment:production", "environment:staging");
    char buf[16];

    memset(buf, 'Z', sizeof(buf));
    ck_assert_ptr_eq(iam_grant_check(&ws_roles, BUSINESS, &g, 0, buf, sizeof(buf)), buf);
    ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
}
END_TEST

void pol_add_grants(Suite *s)
{
    TCase *tc;

    tc = pol_tcase("grant_check");
    tcase_add_test(tc, grant_check_business);
    tcase_add_test(tc, grant_check_small_plans);
    tcase_add_test(tc, grant_check_custom_roles);
    tcase_add_test(tc, grant_check_plan_predicates);
    tcase_add_test(tc, grant_check_small_buffer);
    suite_add_tcase(s, tc);
}
