/* mod_iam tests, suite "policy": the role table. The built-in roles of
 * DESIGN.md's table, found by name or slug in any spelling; custom roles
 * added (IAMRole) or refused; the lowest role an approval grants on each
 * plan; and slugs.
 */
#include "policy_test.h"

#include <stdio.h>
#include <string.h>

static void upcase(const char *s, char *buf, size_t len)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < len; i++)
        buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
    buf[i] = '\0';
}

static void downcase_spaced(const char *s, char *buf, size_t len)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < len; i++)
        buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    buf[i] = '\0';
}

/* ================================================================ roles */

START_TEST(roles_builtin_table)
{
    int i;

    ck_assert_int_eq(ws_roles.n, N(design_roles));
    for (i = 0; i < N(design_roles); i++) {
        const iam_role_t *r = iam_roles_find(&ws_roles, design_roles[i].name);

        ck_assert_msg(r != NULL, "built-in role '%s' not found", design_roles[i].name);
        ck_assert_str_eq(r->name, design_roles[i].name);
        ck_assert_str_eq(r->slug, design_roles[i].slug);
        if (design_roles[i].type)
            ck_assert_str_eq(r->type, design_roles[i].type);
        else
            ck_assert_ptr_null(r->type);
        ck_assert_msg(r->level == design_roles[i].level, "%s: level %s", r->name,
                      iam_level_name(r->level));
        ck_assert_int_eq(r->kind, design_roles[i].kind);
        ck_assert_msg(!!r->all_only == design_roles[i].all_only, "%s: all_only %d", r->name,
                      r->all_only);
        ck_assert_int_eq(r->custom, 0);
    }
}
END_TEST

START_TEST(roles_find_any_spelling)
{
    int i;

    for (i = 0; i < N(design_roles); i++) {
        const iam_role_t *want = iam_roles_find(&ws_roles, design_roles[i].slug);
        char up[128], low[128];

        upcase(design_roles[i].slug, up, sizeof(up));            /* "SOURCE-ADMIN" */
        downcase_spaced(design_roles[i].name, low, sizeof(low)); /* "source admin" */
        ck_assert_msg(want != NULL, "slug '%s' not found", design_roles[i].slug);
        ck_assert_ptr_eq(iam_roles_find(&ws_roles, up), want);
        ck_assert_ptr_eq(iam_roles_find(&ws_roles, low), want);
        upcase(design_roles[i].name, up, sizeof(up)); /* "SOURCE ADMIN" */
        ck_assert_ptr_eq(iam_roles_find(&ws_roles, up), want);
    }
    ck_assert_str_eq(iam_roles_find(&ws_roles, "source admin")->slug, "source-admin");
    ck_assert_str_eq(iam_roles_find(&ws_roles, "Source Admin")->slug, "source-admin");
    ck_assert_str_eq(iam_roles_find(&ws_roles, "SOURCE-ADMIN")->slug, "source-admin");
    ck_assert_str_eq(iam_roles_find(&ws_roles, "tracking plan read-only")->slug,
                     "tracking-plan-read-only");
}
END_TEST

START_TEST(roles_find_unknown)
{
    static const char *const unknown[] = {"Source Owner", "source", "admin",    "source-admins",
                                          "Workspace",    "",       "read-only"};
    int i;

    for (i = 0; i < N(unknown); i++)
        ck_assert_msg(iam_roles_find(&ws_roles, unknown[i]) == NULL, "'%s' found a role",
                      unknown[i]);
    ck_assert_ptr_null(iam_roles_find(&ws_roles, NULL));
}
END_TEST

START_TEST(roles_add_custom)
{
    const iam_role_t *r;

    ck_assert_ptr_null(
        iam_roles_add(&ws_roles, "Source Editor", "source-editor", "source", EDIT, 0));
    ck_assert_ptr_null(
        iam_roles_add(&ws_roles, "Dashboard Viewer", "dashboard-viewer", "dashboard", READ, 1));
    ck_assert_int_eq(ws_roles.n, N(design_roles) + 2);

    r = iam_roles_find(&ws_roles, "source editor");
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(iam_roles_find(&ws_roles, "SOURCE-EDITOR"), r);
    ck_assert_ptr_eq(iam_roles_find(&ws_roles, "Source Editor"), r);
    ck_assert_str_eq(r->name, "Source Editor");
    ck_assert_str_eq(r->type, "source");
    ck_assert_int_eq(r->level, EDIT);
    ck_assert_int_eq(r->kind, IAM_ROLE_PLAIN);
    ck_assert_int_eq(r->custom, 1);
    ck_assert_int_eq(r->all_only, 0);

    r = iam_roles_find(&ws_roles, "dashboard-viewer");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->all_only, 1);
    ck_assert_int_eq(r->level, READ);
    /* The built-ins are still there and unchanged. */
    ck_assert_int_eq(iam_roles_find(&ws_roles, "source-admin")->level, ADMIN);
}
END_TEST

START_TEST(roles_add_refused)
{
    static const struct {
        const char *name, *type;
        iam_level_e level;
    } bad[] = {
        {"Source Admin", "source", ADMIN},        /* a built-in's name */
        {"source admin", "source", READ},         /* ... in another case */
        {"SOURCE-ADMIN", "warehouse", EDIT},      /* a built-in's slug */
        {"Workspace Owner", "source", ADMIN},     /* owner */
        {"workspace member", "anything", READ},   /* member */
        {"Personas_User", "space", EDIT},         /* same slug */
        {"", "source", READ},                     /* empty */
        {"!!!", "source", READ},                  /* no letter or digit */
        {"Bad\nName", "source", READ},            /* control character */
        {"Good Name", "bad type", READ},          /* type with a space */
        {"Good Name", "", READ},                  /* empty type */
        {"Good Name", "a/b", READ},               /* type with a slash */
        {"Good Name", "source", IAM_LEVEL_NONE},  /* not a level */
        {"Good Name", "source", (iam_level_e)4},  /* not a level */
        {"Good Name", "source", (iam_level_e)-1}, /* not a level */
    };
    int i, n0 = ws_roles.n;

    for (i = 0; i < N(bad); i++) {
        const char *err = add_named(bad[i].name, bad[i].type, bad[i].level);
        ck_assert_msg(err != NULL, "custom role '%s' %s %d was accepted", bad[i].name, bad[i].type,
                      bad[i].level);
    }
    ck_assert_int_eq(ws_roles.n, n0);
    ck_assert_ptr_null(iam_roles_find(&ws_roles, "good name"));
    /* The message says why a built-in clashes. */
    ck_assert_contains(add_named("Source Admin", "source", ADMIN), "built-in");
}
END_TEST

START_TEST(roles_add_too_long)
{
    char name[80];

    memset(name, 'n', sizeof(name));
    name[64] = '\0'; /* 64: the longest name */
    ck_assert_ptr_null(add_named(name, "source", READ));
    name[64] = 'n';
    name[65] = '\0';
    ck_assert_ptr_nonnull(add_named(name, "source", READ));
}
END_TEST

START_TEST(roles_add_duplicate_custom)
{
    int n0;

    ck_assert_ptr_null(add_named("Source Editor", "source", EDIT));
    n0 = ws_roles.n;
    ck_assert_ptr_nonnull(add_named("Source Editor", "source", EDIT));
    ck_assert_ptr_nonnull(add_named("source editor", "warehouse", READ));
    ck_assert_ptr_nonnull(add_named("SOURCE_EDITOR", "source", ADMIN));
    ck_assert_contains(add_named("Source Editor", "source", EDIT), "already");
    ck_assert_int_eq(ws_roles.n, n0);
    ck_assert_int_eq(iam_roles_find(&ws_roles, "source-editor")->level, EDIT);
}
END_TEST

START_TEST(roles_add_until_full)
{
    static char names[IAM_ROLES_MAX][32], slugs[IAM_ROLES_MAX][32];
    int i, added = 0;

    for (i = 0; i < IAM_ROLES_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "Custom %d", i);
        iam_slugify(names[i], slugs[i], sizeof(slugs[i]));
        if (!iam_roles_add(&ws_roles, names[i], slugs[i], "thing", READ, 0))
            added++;
    }
    ck_assert_int_eq(added, IAM_ROLES_MAX - N(design_roles));
    ck_assert_int_eq(ws_roles.n, IAM_ROLES_MAX);
    ck_assert_ptr_nonnull(iam_roles_find(&ws_roles, "custom 0"));
    ck_assert_ptr_null(iam_roles_find(&ws_roles, names[IAM_ROLES_MAX - 1]));
}
END_TEST

START_TEST(roles_has_type)
{
    int i;

    for (i = 0; i < N(design_types); i++)
        ck_assert_msg(iam_roles_has_type(&ws_roles, design_types[i]), "no role of type %s",
                      design_types[i]);
    ck_assert_int_eq(iam_roles_has_type(&ws_roles, "dashboard"), 0);
    ck_assert_int_eq(iam_roles_has_type(&ws_roles, ""), 0);
    ck_assert_ptr_null(add_named("Dashboard Viewer", "dashboard", READ));
    ck_assert_int_eq(iam_roles_has_type(&ws_roles, "dashboard"), 1);
}
END_TEST

/* The role an approval of `level` on one resource of `type` grants by
 * default: the lowest that gives it on the plan. */
static const iam_role_t *lowest(const char *type, iam_level_e level, iam_plan_e plan)
{
    const char *item[2], *why;
    iam_grant_t g;

    return iam_policy_approval(&ws_roles, plan, type, "x", level, NULL, IAM_APPROVE_AUTO, &g, item,
                               &why);
}

START_TEST(roles_lowest)
{
    static const struct {
        iam_plan_e plan;
        const char *type;
        iam_level_e level;
        const char *want; /* display name, NULL for none */
    } cases[] = {
        {BUSINESS, "source", READ, "Source Read-only"},
        {BUSINESS, "source", EDIT, "Source Admin"},
        {BUSINESS, "source", ADMIN, "Source Admin"},
        {BUSINESS, "space", READ, "Personas Read-only"},
        {BUSINESS, "space", EDIT, "Personas User"},
        {BUSINESS, "space", ADMIN, "Personas Admin"},
        {BUSINESS, "warehouse", READ, "Warehouse Read-only"},
        {BUSINESS, "warehouse", EDIT, "Warehouse Admin"},
        {BUSINESS, "tracking-plan", READ, "Tracking Plan Read-only"},
        {BUSINESS, "tracking-plan", ADMIN, "Tracking Plan Admin"},
        {BUSINESS, "identity", READ, "Identity Admin"},
        {BUSINESS, "dashboard", READ, NULL},
        /* Free and team grant only Workspace Owner and Source Admin. */
        {TEAM, "source", READ, "Source Admin"},
        {TEAM, "source", EDIT, "Source Admin"},
        {FREE, "source", READ, "Source Admin"},
        {TEAM, "space", READ, NULL},
        {TEAM, "warehouse", READ, NULL},
        {FREE, "identity", ADMIN, NULL},
    };
    int i;

    for (i = 0; i < N(cases); i++) {
        const iam_role_t *r = lowest(cases[i].type, cases[i].level, cases[i].plan);
        ck_assert_msg(cases[i].want ? r && !strcmp(r->name, cases[i].want) : r == NULL,
                      "lowest %s %s on %s plan: want %s, got %s", cases[i].type,
                      iam_level_name(cases[i].level), iam_plan_name(cases[i].plan),
                      cases[i].want ? cases[i].want : "none", r ? r->name : "none");
    }
}
END_TEST

START_TEST(roles_lowest_custom)
{
    ck_assert_ptr_null(add_named("Source Editor", "source", EDIT));
    ck_assert_str_eq(lowest("source", EDIT, BUSINESS)->name, "Source Editor");
    ck_assert_str_eq(lowest("source", READ, BUSINESS)->name, "Source Read-only");
    ck_assert_str_eq(lowest("source", ADMIN, BUSINESS)->name, "Source Admin");
    /* Custom roles are not on the team plan. */
    ck_assert_str_eq(lowest("source", EDIT, TEAM)->name, "Source Admin");
}
END_TEST

START_TEST(roles_slugify)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Source Admin", "source-admin"},
        {"Tracking Plan Read-only", "tracking-plan-read-only"},
        {"SOURCE-ADMIN", "source-admin"},
        {"source_admin", "source-admin"},
        {"  Data  --  Team  ", "data-team"},
        {"a.b", "a-b"},
        {"Team 42", "team-42"},
        {"x", "x"},
        {"!!!", ""},
        {"", ""},
    };
    char buf[64];
    int i;

    for (i = 0; i < N(cases); i++) {
        iam_slugify(cases[i].in, buf, sizeof(buf));
        ck_assert_msg(!strcmp(buf, cases[i].out), "slug of '%s': want '%s', got '%s'", cases[i].in,
                      cases[i].out, buf);
    }
    /* A small buffer is never overrun and always terminated. */
    memset(buf, 'Z', sizeof(buf));
    iam_slugify("Source Admin", buf, 7);
    ck_assert_uint_lt(strlen(buf), 7);
    ck_assert_int_eq(strncmp(buf, "source", strlen(buf)), 0);
    ck_assert_int_eq(buf[8], 'Z');
    iam_slugify("Source Admin", buf, 1);
    ck_assert_str_eq(buf, "");
}
END_TEST

void pol_add_roles(Suite *s)
{
    TCase *tc;

    tc = pol_tcase("roles");
    tcase_add_test(tc, roles_builtin_table);
    tcase_add_test(tc, roles_find_any_spelling);
    tcase_add_test(tc, roles_find_unknown);
    tcase_add_test(tc, roles_add_custom);
    tcase_add_test(tc, roles_add_refused);
    tcase_add_test(tc, roles_add_too_long);
    tcase_add_test(tc, roles_add_duplicate_custom);
    tcase_add_test(tc, roles_add_until_full);
    tcase_add_test(tc, roles_has_type);
    tcase_add_test(tc, roles_lowest);
    tcase_add_test(tc, roles_lowest_custom);
    tcase_add_test(tc, roles_slugify);
    suite_add_tcase(s, tc);
}
