/* mod_iam tests, suite "policy": the decision on one request. The level a
 * method needs, the matrix of every built-in role against every type and
 * level, direct and group grants, scopes (all, resources, labels), owners
 * and members, unknown and custom roles; then collections: listing and
 * creating.
 */
#include "policy_test.h"

#include <string.h>

/* A row of a decision matrix: one resource, the level needed, the outcome. */
typedef struct {
    const char *type;
    const char *name;      /* NULL: the collection */
    const char *labels[4]; /* NULL-terminated */
    iam_level_e need;
    int allow;
} want_t;

static void check_matrix(const char *subject, iam_plan_e plan, const iam_grant_set_t *sets,
                         int nsets, const want_t *w, int n)
{
    int i, nl;

    for (i = 0; i < n; i++) {
        iam_resource_t res;
        iam_decision_t d;
        char why[512], what[256];

        for (nl = 0; nl < 3 && w[i].labels[nl]; nl++)
            ;
        res = (iam_resource_t){w[i].type, w[i].name, nl, (const char **)w[i].labels};
        d = iam_policy_decide(&ws_roles, plan, sets, nsets, &res, w[i].need);
        ck_assert_msg(d.allow == w[i].allow, "%s, row %d: %s %s: expected %s, got \"%s\"", subject,
                      i, iam_level_name(w[i].need), res_text(&res, what, sizeof(what)),
                      w[i].allow ? "allow" : "deny", iam_policy_explain(&d, why, sizeof(why)));
    }
}

/* ================================================================ decide */

START_TEST(decide_level_for_method)
{
    static const struct {
        const char *method;
        iam_level_e configured, want;
    } cases[] = {
        {"GET", IAM_LEVEL_NONE, READ},
        {"HEAD", IAM_LEVEL_NONE, READ},
        {"OPTIONS", IAM_LEVEL_NONE, READ},
        {"PROPFIND", IAM_LEVEL_NONE, READ},
        {"POST", IAM_LEVEL_NONE, EDIT},
        {"PUT", IAM_LEVEL_NONE, EDIT},
        {"DELETE", IAM_LEVEL_NONE, EDIT},
        {"PATCH", IAM_LEVEL_NONE, EDIT},
        {"MKCOL", IAM_LEVEL_NONE, EDIT},
        {"PROPPATCH", IAM_LEVEL_NONE, EDIT},
        {"COPY", IAM_LEVEL_NONE, EDIT},
        {"MOVE", IAM_LEVEL_NONE, EDIT},
        {"LOCK", IAM_LEVEL_NONE, EDIT},
        {"BREW", IAM_LEVEL_NONE, EDIT},
        /* IAMPermission wins over the method. */
        {"GET", ADMIN, ADMIN},
        {"GET", EDIT, EDIT},
        {"POST", READ, READ},
        {"DELETE", ADMIN, ADMIN},
        {"PROPFIND", EDIT, EDIT},
    };
    int i;

    for (i = 0; i < N(cases); i++) {
        iam_level_e got = iam_level_for_method(cases[i].method, cases[i].configured);
        ck_assert_msg(got == cases[i].want, "%s (configured %s): want %s, got %s", cases[i].method,
                      iam_level_name(cases[i].configured), iam_level_name(cases[i].want),
                      iam_level_name(got));
    }
}
END_TEST

/* Every built-in plain role granted on all, against every type and level:
 * allowed exactly when the type is the role's and its level is enough. */
START_TEST(decide_builtin_matrix)
{
    int i, t, lv;

    for (i = 0; i < N(design_roles); i++) {
        iam_grant_t g[] = {G_ALL(design_roles[i].slug)};
        iam_grant_set_t who[] = {DIRECT(g)};

        if (design_roles[i].kind != IAM_ROLE_PLAIN)
            continue;
        for (t = 0; t < N(design_types); t++) {
            for (lv = READ; lv <= ADMIN; lv++) {
                int same = !strcmp(design_types[t], design_roles[i].type);
                int want_named = same && design_roles[i].level >= (iam_level_e)lv;
                int want_coll = same && (lv == READ || design_roles[i].level == ADMIN);
                iam_resource_t named = RES(design_types[t], "x1");
                iam_resource_t coll = COLLECTION(design_types[t]);
                iam_decision_t d;

                d = iam_policy_decide(&ws_roles, BUSINESS, who, 1, &named, (iam_level_e)lv);
                ck_assert_msg(d.allow == want_named, "%s: %s %s/x1: want %s", design_roles[i].name,
                              iam_level_name(lv), design_types[t], want_named ? "allow" : "deny");
                d = iam_policy_decide(&ws_roles, BUSINESS, who, 1, &coll, (iam_level_e)lv);
                ck_assert_msg(d.allow == want_coll, "%s: %s %s/*: want %s", design_roles[i].name,
                              iam_level_name(lv), design_types[t], want_coll ? "allow" : "deny");
            }
        }
    }
}
END_TEST

START_TEST(decide_direct)
{
    iam_grant_t g[] = {G_ALL("source-admin")};
    iam_grant_set_t who[] = {DIRECT(g)};
    iam_decision_t d;

    d = ALLOW(who, RES("source", "checkout"), EDIT);
    ck_assert_ptr_null(d.via);
    ck_assert_ptr_eq(d.grant, &g[0]);
    ck_assert_str_eq(d.role->name, "Source Admin");
    ALLOW(who, RES("source", "checkout"), READ);
    ALLOW(who, RES("source", "billing"), ADMIN);
    DENY(who, RES("space", "checkout"), READ);
}
END_TEST

START_TEST(decide_through_group)
{
    iam_grant_t eng[] = {G_ALL("personas-user")};
    iam_grant_set_t who[] = {VIA("eng", eng)};
    iam_decision_t d;

    d = ALLOW(who, RES("space", "eu"), EDIT);
    ck_assert_str_eq(d.via, "eng");
    ck_assert_ptr_eq(d.grant, &eng[0]);
    ck_assert_str_eq(d.role->name, "Personas User");
    DENY(who, RES("space", "eu"), ADMIN);
    DENY(who, RES("source", "eu"), READ);
}
END_TEST

/* Roles are additive: the union of direct and group grants. */
START_TEST(decide_additive)
{
    iam_grant_t mine[] = {G_ON("source-read-only", "checkout")};
    iam_grant_t eng[] = {G_ON("source-read-only", "billing")};
    iam_grant_t ops[] = {G_ALL("warehouse-admin")};
    iam_grant_set_t who[] = {DIRECT(mine), VIA("eng", eng), VIA("ops", ops)};
    iam_decision_t d;

    d = ALLOW(who, RES("source", "checkout"), READ);
    ck_assert_ptr_null(d.via);
    d = ALLOW(who, RES("source", "billing"), READ);
    ck_assert_str_eq(d.via, "eng");
    d = ALLOW(who, RES("warehouse", "wh1"), EDIT);
    ck_assert_str_eq(d.via, "ops");
    DENY(who, RES("source", "search"), READ);
    DENY(who, RES("source", "checkout"), EDIT);
    DENY(who, RES("space", "checkout"), READ);
}
END_TEST

/* The highest access wins, wherever it comes from and in whatever order. */
START_TEST(decide_highest_wins)
{
    iam_grant_t low[] = {G_ALL("source-read-only")};
    iam_grant_t high[] = {G_ON("source-admin", "checkout")};
    iam_grant_set_t low_first[] = {DIRECT(low), VIA("eng", high)};
    iam_grant_set_t high_first[] = {VIA("eng", high), DIRECT(low)};
    iam_grant_t both[] = {G_ALL("personas-read-only"), G_ALL("personas-admin"),
                          G_ALL("personas-user")};
    iam_grant_set_t one_set[] = {DIRECT(both)};
    iam_decision_t d;

    d = ALLOW(low_first, RES("source", "checkout"), ADMIN);
    ck_assert_str_eq(d.role->name, "Source Admin");
    ck_assert_str_eq(d.via, "eng");
    ALLOW(high_first, RES("source", "checkout"), EDIT);
    ALLOW(low_first, RES("source", "billing"), READ);
    DENY(low_first, RES("source", "billing"), EDIT);
    DENY(high_first, RES("source", "billing"), EDIT);

    d = ALLOW(one_set, RES("space", "eu"), ADMIN);
    ck_assert_str_eq(d.role->name, "Personas Admin");
    ALLOW(one_set, RES("space", "eu"), EDIT);
}
END_TEST

START_TEST(decide_scope_resources)
{
    iam_grant_t g[] = {G_ON("source-admin", "checkout", "billing")};
    iam_grant_set_t who[] = {DIRECT(g)};
    static const want_t m[] = {
        {"source", "checkout", {NULL}, EDIT, 1},
        {"source", "billing", {NULL}, ADMIN, 1},
        {"source", "Checkout", {NULL}, EDIT, 1}, /* names compare case-insensitively */
        {"source", "BILLING", {NULL}, READ, 1},
        {"source", "check", {NULL}, READ, 0}, /* a prefix is not the name */
        {"source", "checkout2", {NULL}, READ, 0},
        {"source", "search", {NULL}, READ, 0},
        {"source", "search", {"env:prod"}, READ, 0},
        {"space", "checkout", {NULL}, READ, 0},
        {"warehouse", "billing", {NULL}, READ, 0},
    };
    iam_decision_t d;

    check_matrix("Source Admin on checkout, billing", BUSINESS, who, N(who), m, N(m));
    d = DENY(who, RES("source", "search"), READ);
    ck_assert_contains(d.reason, "scope");
}
END_TEST

START_TEST(decide_scope_labels)
{
    iam_grant_t growth[] = {G_LABELS("source-admin", "env:prod", "team:growth")};
    iam_grant_t ops[] = {G_LABELS("source-read-only", "env:dev")};
    iam_grant_set_t who[] = {VIA("growth", growth), VIA("ops", ops)};
    static const want_t m[] = {
        /* AND: every label of the grant. */
        {"source", "a", {"env:prod", "team:growth"}, EDIT, 1},
        {"source", "b", {"tier:1", "team:growth", "env:prod"}, ADMIN, 1},
        {"source", "c", {"env:prod"}, READ, 0},
        {"source", "d", {"team:growth"}, READ, 0},
        {"source", "e", {NULL}, READ, 0},
        {"source", "f", {"env:prod", "team:other"}, READ, 0},
        {"source", "g", {"env:staging", "team:growth"}, READ, 0},
        {"source", "h", {"env:prod-eu", "team:growth"}, READ, 0},
        /* OR: the second grant. */
        {"source", "i", {"env:dev"}, READ, 1},
        {"source", "j", {"env:dev", "team:growth"}, READ, 1},
        {"source", "k", {"env:dev"}, EDIT, 0}, /* Source Read-only */
        /* A label grant names no resource. */
        {"source", "env:prod", {NULL}, READ, 0},
        /* Wrong type. */
        {"space", "a", {"env:prod", "team:growth"}, READ, 0},
    };
    iam_decision_t d;

    check_matrix("growth: Source Admin on env:prod+team:growth; ops: Source Read-only on env:dev",
                 BUSINESS, who, N(who), m, N(m));
    d = ALLOW(who, RES_L("source", "a", "team:growth", "env:prod"), EDIT);
    ck_assert_str_eq(d.via, "growth");
    d = ALLOW(who, RES_L("source", "i", "env:dev"), READ);
    ck_assert_str_eq(d.via, "ops");
    ck_assert_str_eq(d.role->name, "Source Read-only");
}
END_TEST

START_TEST(decide_denials)
{
    iam_grant_t ro[] = {G_ALL("source-read-only")};
    iam_grant_set_t reader[] = {DIRECT(ro)};
    iam_grant_t sp[] = {G_ALL("personas-admin")};
    iam_grant_set_t spaces[] = {DIRECT(sp)};
    iam_decision_t d;

    /* Level too low. */
    d = DENY(reader, RES("source", "checkout"), EDIT);
    ck_assert_contains(d.reason, "level");
    DENY(reader, RES("source", "checkout"), ADMIN);
    /* Wrong type. */
    d = DENY(spaces, RES("source", "checkout"), READ);
    ck_assert_contains(d.reason, "type");
    DENY(spaces, RES("dashboard", "checkout"), READ);
}
END_TEST

START_TEST(decide_empty)
{
    iam_resource_t res = RES("source", "checkout");
    iam_grant_set_t none[] = {{NULL, NULL, 0}, {"eng", NULL, 0}};
    iam_level_e lv;

    for (lv = READ; lv <= ADMIN; lv++) {
        iam_decision_t d = iam_policy_decide(&ws_roles, BUSINESS, NULL, 0, &res, lv);
        ck_assert_int_eq(d.allow, 0);
        ck_assert_ptr_nonnull(d.reason);
        ck_assert_ptr_null(d.role);
        ck_assert_ptr_null(d.grant);
        DENY(none, res, lv);
        DENY(none, COLLECTION("source"), lv);
    }
}
END_TEST

/* A stored grant whose list is empty (grant_check refuses it) covers
 * nothing: "resources carrying all of no labels" must not mean every one. */
START_TEST(decide_empty_scope_covers_nothing)
{
    iam_grant_t g[] = {{"source-admin", IAM_SCOPE_LABELS, 0, NULL},
                       {"source-admin", IAM_SCOPE_RESOURCES, 0, NULL}};
    iam_grant_set_t who[] = {DIRECT(g)};

    DENY(who, RES("source", "checkout"), READ);
    DENY(who, RES_L("source", "checkout", "env:prod"), READ);
    DENY(who, COLLECTION("source"), EDIT);
}
END_TEST

START_TEST(decide_owner)
{
    iam_grant_t own[] = {G_ALL("workspace-owner")};
    iam_grant_set_t owner[] = {DIRECT(own)};
    iam_grant_t own_named[] = {G_ALL("Workspace Owner")};
    iam_grant_set_t owner2[] = {DIRECT(own_named)};
    iam_level_e lv;
    int t;

    for (lv = READ; lv <= ADMIN; lv++) {
        for (t = 0; t < N(design_types); t++) {
            ALLOW(owner, RES(design_types[t], "x1"), lv);
            ALLOW(owner, COLLECTION(design_types[t]), lv);
            ALLOW(owner, RES_L(design_types[t], "x2", "env:prod"), lv);
        }
        /* Every type, even one no role knows. */
        ALLOW(owner, RES("dashboard", "d1"), lv);
        ALLOW(owner2, COLLECTION("dashboard"), lv);
        ALLOW_ON(FREE, owner, RES("space", "eu"), lv);
        ALLOW_ON(TEAM, owner, COLLECTION("warehouse"), lv);
    }
    ck_assert_str_eq(ALLOW(owner, RES("source", "s"), ADMIN).role->name, "Workspace Owner");
}
END_TEST

START_TEST(decide_owner_not_through_group)
{
    iam_grant_t own[] = {G_ALL("workspace-owner")};
    iam_grant_set_t via_group[] = {VIA("admins", own)};

    DENY(via_group, RES("source", "checkout"), READ);
    DENY(via_group, COLLECTION("source"), EDIT);
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, via_group, N(via_group)), 0);
}
END_TEST

/* Workspace Member is minimal access: logging in, nothing more. */
START_TEST(decide_member)
{
    iam_grant_t mem[] = {G_ALL("workspace-member")};
    iam_grant_set_t member[] = {DIRECT(mem)};
    int t;

    for (t = 0; t < N(design_types); t++) {
        DENY(member, RES(design_types[t], "x1"), READ);
        DENY(member, COLLECTION(design_types[t]), READ);
    }
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, member, N(member)), 0);
}
END_TEST

START_TEST(decide_unknown_role_ignored)
{
    iam_grant_t g[] = {G_ALL("no-such-role"), G_ALL("source-read-only")};
    iam_grant_set_t who[] = {DIRECT(g)};
    iam_grant_t only[] = {G_ALL("no-such-role")};
    iam_grant_set_t who2[] = {DIRECT(only)};
    iam_decision_t d;

    d = ALLOW(who, RES("source", "checkout"), READ);
    ck_assert_ptr_eq(d.grant, &g[1]);
    DENY(who, RES("source", "checkout"), EDIT);
    DENY(who2, RES("source", "checkout"), READ);
    DENY(who2, COLLECTION("source"), READ);
    /* A custom role that is not declared (any more) is unknown too. */
    {
        iam_grant_t gone[] = {G_ALL("source-editor")};
        iam_grant_set_t who3[] = {DIRECT(gone)};
        DENY(who3, RES("source", "checkout"), READ);
    }
}
END_TEST

START_TEST(decide_custom_roles)
{
    iam_grant_t ed[] = {G_ALL("Source Editor")};
    iam_grant_set_t editor[] = {DIRECT(ed)};
    iam_grant_t dv[] = {G_ON("dashboard-viewer", "d1")};
    iam_grant_set_t viewer[] = {VIA("eng", dv)};
    iam_grant_t ba[] = {G_ALL("billing-admin")};
    iam_grant_set_t billing[] = {DIRECT(ba)};

    ck_assert_ptr_null(add_named("Source Editor", "source", EDIT));
    ck_assert_ptr_null(add_named("Dashboard Viewer", "dashboard", READ));
    ck_assert_ptr_null(add_named("Billing Admin", "billing", ADMIN));

    ALLOW(editor, RES("source", "checkout"), EDIT);
    DENY(editor, RES("source", "checkout"), ADMIN);
    ALLOW(editor, COLLECTION("source"), READ);
    DENY(editor, COLLECTION("source"), EDIT); /* creating needs admin */
    ALLOW(viewer, RES("dashboard", "D1"), READ);
    DENY(viewer, RES("dashboard", "d2"), READ);
    DENY(viewer, RES("dashboard", "d1"), EDIT);
    ALLOW(billing, COLLECTION("billing"), EDIT);
    ALLOW(billing, RES("billing", "invoices"), ADMIN);
    DENY(billing, RES("source", "invoices"), READ);
}
END_TEST

START_TEST(decide_is_owner)
{
    iam_grant_t own[] = {G_ALL("workspace-owner")};
    iam_grant_t own_named[] = {G_ALL("WORKSPACE OWNER")};
    iam_grant_t other[] = {G_ALL("source-admin"), G_ALL("no-such-role")};
    iam_grant_set_t direct[] = {DIRECT(other), DIRECT(own)};
    iam_grant_set_t named[] = {DIRECT(own_named)};
    iam_grant_set_t group_then_direct[] = {VIA("admins", own), DIRECT(own)};
    iam_grant_set_t group_only[] = {VIA("admins", own), VIA("eng", other)};
    iam_grant_set_t not_owner[] = {DIRECT(other)};

    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, direct, N(direct)), 1);
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, named, N(named)), 1);
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, group_then_direct, N(group_then_direct)), 1);
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, group_only, N(group_only)), 0);
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, not_owner, N(not_owner)), 0);
    ck_assert_int_eq(iam_policy_is_owner(&ws_roles, NULL, 0), 0);
}
END_TEST

/* ================================================================ collections */

START_TEST(collections_read)
{
    iam_grant_t on_one[] = {G_ON("source-read-only", "checkout")};
    iam_grant_t on_label[] = {G_LABELS("source-read-only", "env:prod")};
    iam_grant_t other_type[] = {G_ALL("personas-admin")};
    iam_grant_set_t a[] = {DIRECT(on_one)};
    iam_grant_set_t b[] = {VIA("eng", on_label)};
    iam_grant_set_t c[] = {DIRECT(other_type)};
    iam_decision_t d;

    /* Listing needs any grant of the type, whatever its scope. */
    ALLOW(a, COLLECTION("source"), READ);
    d = ALLOW(b, COLLECTION("source"), READ);
    ck_assert_str_eq(d.via, "eng");
    DENY(c, COLLECTION("source"), READ);
    ALLOW(c, COLLECTION("space"), READ);
    DENY(a, COLLECTION("space"), READ);
}
END_TEST

START_TEST(collections_create)
{
    iam_grant_t sa_all[] = {G_ALL("source-admin")};
    iam_grant_t sa_some[] = {G_ON("source-admin", "checkout")};
    iam_grant_t sa_label[] = {G_LABELS("source-admin", "env:prod")};
    iam_grant_t pu_all[] = {G_ALL("personas-user")};
    iam_grant_t pa_all[] = {G_ALL("personas-admin")};
    iam_grant_t wa_all[] = {G_ALL("warehouse-admin")};
    iam_grant_set_t admin_all[] = {DIRECT(sa_all)};
    iam_grant_set_t admin_some[] = {DIRECT(sa_some)};
    iam_grant_set_t admin_label[] = {DIRECT(sa_label)};
    iam_grant_set_t user_all[] = {DIRECT(pu_all)};
    iam_grant_set_t padmin_all[] = {VIA("eng", pa_all)};
    iam_grant_set_t wadmin_all[] = {DIRECT(wa_all)};
    iam_grant_set_t mixed[] = {DIRECT(sa_some), VIA("eng", sa_all)};
    iam_decision_t d;

    /* Creating needs an admin-level grant on all of the type. */
    ALLOW(admin_all, COLLECTION("source"), EDIT);
    ALLOW(admin_all, COLLECTION("source"), ADMIN);
    d = DENY(admin_some, COLLECTION("source"), EDIT);
    ck_assert_contains(d.reason, "admin");
    DENY(admin_some, COLLECTION("source"), ADMIN);
    DENY(admin_label, COLLECTION("source"), EDIT);
    /* Personas User has edit on all spaces but cannot create one. */
    ALLOW(user_all, RES("space", "eu"), EDIT);
    d = DENY(user_all, COLLECTION("space"), EDIT);
    ck_assert_contains(d.reason, "admin");
    ALLOW(user_all, COLLECTION("space"), READ);
    d = ALLOW(padmin_all, COLLECTION("space"), EDIT);
    ck_assert_str_eq(d.via, "eng");
    ALLOW(wadmin_all, COLLECTION("warehouse"), EDIT);
    DENY(wadmin_all, COLLECTION("source"), EDIT);
    d = ALLOW(mixed, COLLECTION("source"), EDIT);
    ck_assert_ptr_eq(d.grant, &sa_all[0]);
}
END_TEST

void pol_add_decide(Suite *s)
{
    TCase *tc;

    tc = pol_tcase("decide");
    tcase_add_test(tc, decide_level_for_method);
    tcase_add_test(tc, decide_builtin_matrix);
    tcase_add_test(tc, decide_direct);
    tcase_add_test(tc, decide_through_group);
    tcase_add_test(tc, decide_additive);
    tcase_add_test(tc, decide_highest_wins);
    tcase_add_test(tc, decide_scope_resources);
    tcase_add_test(tc, decide_scope_labels);
    tcase_add_test(tc, decide_denials);
    tcase_add_test(tc, decide_empty);
    tcase_add_test(tc, decide_empty_scope_covers_nothing);
    tcase_add_test(tc, decide_owner);
    tcase_add_test(tc, decide_owner_not_through_group);
    tcase_add_test(tc, decide_member);
    tcase_add_test(tc, decide_unknown_role_ignored);
    tcase_add_test(tc, decide_custom_roles);
    tcase_add_test(tc, decide_is_owner);
    suite_add_tcase(s, tc);

    tc = pol_tcase("collections");
    tcase_add_test(tc, collections_read);
    tcase_add_test(tc, collections_create);
    suite_add_tcase(s, tc);
}
