/* mod_iam tests: the role table, names, syntax checks, plan limits and the
 * decision. Every expectation comes from shared/DESIGN.md ("Built-in roles",
 * "The decision (one request)", the concept table), not from what the
 * implementation happens to print: the tests name the roles, levels and
 * scopes of the design and check that the policy agrees.
 */
#include "iam_policy.h"
#include "iam_test.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LIST(...) ((const char *[]){__VA_ARGS__})
#define NLIST(...) N(LIST(__VA_ARGS__))

/* Grants: on all resources of the role's type, on named resources, on labels. */
#define G_ALL(role) ((iam_grant_t){(role), IAM_SCOPE_ALL, 0, NULL})
#define G_ON(role, ...)                                                                            \
    ((iam_grant_t){(role), IAM_SCOPE_RESOURCES, NLIST(__VA_ARGS__), LIST(__VA_ARGS__)})
#define G_LABELS(role, ...)                                                                        \
    ((iam_grant_t){(role), IAM_SCOPE_LABELS, NLIST(__VA_ARGS__), LIST(__VA_ARGS__)})

/* Grant sets: held directly, or through a group. */
#define DIRECT(g) ((iam_grant_set_t){NULL, (g), N(g)})
#define VIA(group, g) ((iam_grant_set_t){(group), (g), N(g)})

/* Resources: a named one, a named one with labels, a type's collection. */
#define RES(type, name) ((iam_resource_t){(type), (name), 0, NULL})
#define RES_L(type, name, ...)                                                                     \
    ((iam_resource_t){(type), (name), NLIST(__VA_ARGS__), LIST(__VA_ARGS__)})
#define COLLECTION(type) ((iam_resource_t){(type), NULL, 0, NULL})

#define READ IAM_LEVEL_READ
#define EDIT IAM_LEVEL_EDIT
#define ADMIN IAM_LEVEL_ADMIN
#define FREE IAM_PLAN_FREE
#define TEAM IAM_PLAN_TEAM
#define BUSINESS IAM_PLAN_BUSINESS

/* The workspace's roles, fresh for every test (checked fixture). */
static iam_roles_t ws_roles;

static void setup_roles(void)
{
    iam_roles_init(&ws_roles);
}

static const char *res_text(const iam_resource_t *res, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "%s/%s", res->type, res->name ? res->name : "*");
    int i;

    for (i = 0; i < res->nlabels && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, " %s", res->labels[i]);
    return buf;
}

/* Decides and checks the outcome; the message names the test line, the
 * resource, the level and what the policy said. */
static iam_decision_t expect_at(int line, iam_plan_e plan, const iam_grant_set_t *sets, int nsets,
                                iam_resource_t res, iam_level_e need, int allow)
{
    iam_decision_t d = iam_policy_decide(&ws_roles, plan, sets, nsets, &res, need);
    char why[512], what[256];

    ck_assert_msg(d.allow == allow, "line %d: %s %s on %s (%s plan): expected %s, got \"%s\"", line,
                  iam_level_name(need), res_text(&res, what, sizeof(what)),
                  res.name ? "resource" : "collection", iam_plan_name(plan),
                  allow ? "allow" : "deny", iam_policy_explain(&d, why, sizeof(why)));
    if (allow) {
        ck_assert_msg(d.role != NULL && d.grant != NULL, "line %d: an allow names its grant", line);
    } else {
        ck_assert_msg(d.reason != NULL && d.reason[0], "line %d: a deny says why", line);
        ck_assert_msg(d.grant == NULL, "line %d: a deny names no grant", line);
    }
    return d;
}

#define ALLOW_ON(plan, sets, res, need) expect_at(__LINE__, plan, sets, N(sets), res, need, 1)
#define DENY_ON(plan, sets, res, need) expect_at(__LINE__, plan, sets, N(sets), res, need, 0)
#define ALLOW(sets, res, need) ALLOW_ON(BUSINESS, sets, res, need)
#define DENY(sets, res, need) DENY_ON(BUSINESS, sets, res, need)

static void contains_at(int line, const char *hay, const char *needle)
{
    ck_assert_msg(hay != NULL && strstr(hay, needle) != NULL, "line %d: \"%s\" lacks \"%s\"", line,
                  hay ? hay : "(null)", needle);
}

#define ck_assert_contains(hay, needle) contains_at(__LINE__, (hay), (needle))

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

/* The built-in roles as DESIGN.md's table gives them. "global" scope
 * (owner, member) and "all only" both mean all_only. */
static const struct {
    const char *name, *slug, *type;
    iam_level_e level;
    iam_role_kind_e kind;
    int all_only;
} design_roles[] = {
    {"Workspace Owner", "workspace-owner", NULL, ADMIN, IAM_ROLE_OWNER, 1},
    {"Workspace Member", "workspace-member", NULL, IAM_LEVEL_NONE, IAM_ROLE_MEMBER, 1},
    {"Source Admin", "source-admin", "source", ADMIN, IAM_ROLE_PLAIN, 0},
    {"Source Read-only", "source-read-only", "source", READ, IAM_ROLE_PLAIN, 0},
    {"Warehouse Admin", "warehouse-admin", "warehouse", ADMIN, IAM_ROLE_PLAIN, 1},
    {"Warehouse Read-only", "warehouse-read-only", "warehouse", READ, IAM_ROLE_PLAIN, 1},
    {"Tracking Plan Admin", "tracking-plan-admin", "tracking-plan", ADMIN, IAM_ROLE_PLAIN, 1},
    {"Tracking Plan Read-only", "tracking-plan-read-only", "tracking-plan", READ, IAM_ROLE_PLAIN,
     1},
    {"Personas Admin", "personas-admin", "space", ADMIN, IAM_ROLE_PLAIN, 0},
    {"Personas User", "personas-user", "space", EDIT, IAM_ROLE_PLAIN, 0},
    {"Personas Read-only", "personas-read-only", "space", READ, IAM_ROLE_PLAIN, 0},
    {"Identity Admin", "identity-admin", "identity", ADMIN, IAM_ROLE_PLAIN, 1},
};

static const char *const design_types[] = {"source", "warehouse", "tracking-plan", "space",
                                           "identity"};

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

/* Adds a custom role the way IAMRole does: the slug is the name's, kept
 * alive as long as the role (the table holds the pointer). */
static const char *add_named(const char *name, const char *type, iam_level_e level)
{
    static char slugs[IAM_ROLES_MAX][128];
    static int next;
    const char *err;

    ck_assert_int_lt(next, IAM_ROLES_MAX);
    iam_slugify(name, slugs[next], sizeof(slugs[next]));
    err = iam_roles_add(&ws_roles, name, slugs[next], type, level, 0);
    if (!err)
        next++;
    return err;
}

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

/* ================================================================ names */

START_TEST(names_levels)
{
    static const struct {
        const char *s;
        int ok;
        iam_level_e level;
    } cases[] = {
        {"read", 1, READ},   {"edit", 1, EDIT}, {"admin", 1, ADMIN}, {"READ", 1, READ},
        {"Admin", 1, ADMIN}, {"none", 0, 0},    {"", 0, 0},          {"write", 0, 0},
        {"reader", 0, 0},    {"read ", 0, 0},   {"owner", 0, 0},
    };
    iam_level_e level;
    int i;

    for (i = 0; i < N(cases); i++) {
        level = (iam_level_e)99;
        ck_assert_msg((iam_level_parse(cases[i].s, &level) == 0) == cases[i].ok,
                      "level '%s': want %s", cases[i].s, cases[i].ok ? "ok" : "refused");
        if (cases[i].ok)
            ck_assert_int_eq(level, cases[i].level);
    }
    ck_assert_int_eq(iam_level_parse(NULL, &level), -1);
    ck_assert_str_eq(iam_level_name(READ), "read");
    ck_assert_str_eq(iam_level_name(EDIT), "edit");
    ck_assert_str_eq(iam_level_name(ADMIN), "admin");
    ck_assert_ptr_nonnull(iam_level_name((iam_level_e)42));
    /* Ordered read < edit < admin. */
    ck_assert_int_lt(IAM_LEVEL_NONE, READ);
    ck_assert_int_lt(READ, EDIT);
    ck_assert_int_lt(EDIT, ADMIN);
}
END_TEST

START_TEST(names_plans_and_scopes)
{
    static const struct {
        const char *s;
        int ok;
        iam_plan_e plan;
    } cases[] = {
        {"free", 1, FREE},
        {"team", 1, TEAM},
        {"business", 1, BUSINESS},
        {"TEAM", 1, TEAM},
        {"Business", 1, BUSINESS},
        {"enterprise", 0, 0},
        {"", 0, 0},
        {"tea", 0, 0},
    };
    iam_plan_e plan;
    int i;

    for (i = 0; i < N(cases); i++) {
        plan = (iam_plan_e)99;
        ck_assert_msg((iam_plan_parse(cases[i].s, &plan) == 0) == cases[i].ok, "plan '%s': want %s",
                      cases[i].s, cases[i].ok ? "ok" : "refused");
        if (cases[i].ok)
            ck_assert_int_eq(plan, cases[i].plan);
    }
    ck_assert_int_eq(iam_plan_parse(NULL, &plan), -1);
    ck_assert_str_eq(iam_plan_name(FREE), "free");
    ck_assert_str_eq(iam_plan_name(TEAM), "team");
    ck_assert_str_eq(iam_plan_name(BUSINESS), "business");
    ck_assert_str_eq(iam_scope_name(IAM_SCOPE_ALL), "all");
    ck_assert_str_eq(iam_scope_name(IAM_SCOPE_RESOURCES), "resources");
    ck_assert_str_eq(iam_scope_name(IAM_SCOPE_LABELS), "labels");
    ck_assert_ptr_nonnull(iam_plan_name((iam_plan_e)7));
    ck_assert_ptr_nonnull(iam_scope_name((iam_scope_e)7));
}
END_TEST

START_TEST(names_sizes)
{
    static const struct {
        const char *s;
        int ok;
        size_t bytes;
    } cases[] = {
        {"1G", 1, (size_t)1 << 30},
        {"64M", 1, (size_t)64 << 20},
        {"64m", 1, (size_t)64 << 20},
        {"1048576", 1, (size_t)1 << 20}, /* 1 MiB: the least */
        {"1024K", 1, (size_t)1 << 20},
        {"1T", 1, (size_t)1 << 40}, /* 1 TiB: the most */
        {"1024G", 1, (size_t)1 << 40},
        {"1099511627776", 1, (size_t)1 << 40},
        {"512K", 0, 0},    /* below 1 MiB */
        {"1048575", 0, 0}, /* below 1 MiB */
        {"2T", 0, 0},      /* above 1 TiB */
        {"1025G", 0, 0},
        {"1099511627777", 0, 0},
        {"0", 0, 0},
        {"0M", 0, 0},
        {"abc", 0, 0},
        {"1X", 0, 0},
        {"1GB", 0, 0},
        {"1.5G", 0, 0},
        {"-1G", 0, 0},
        {" 1G", 0, 0},
        {"1 G", 0, 0},
        {"", 0, 0},
        {"M", 0, 0},
        {"99999999999999999999999", 0, 0},
        {"18446744073709551615", 0, 0},
        {"17179869184T", 0, 0}, /* overflows n * mult */
    };
    size_t out;
    int i;

    for (i = 0; i < N(cases); i++) {
        out = 12345;
        ck_assert_msg((iam_parse_size(cases[i].s, &out) == 0) == cases[i].ok, "size '%s': want %s",
                      cases[i].s, cases[i].ok ? "ok" : "refused");
        if (cases[i].ok)
            ck_assert_msg(out == cases[i].bytes, "size '%s': want %zu, got %zu", cases[i].s,
                          cases[i].bytes, out);
        else
            ck_assert_msg(out == 12345, "size '%s': refused but wrote %zu", cases[i].s, out);
    }
    ck_assert_int_eq(iam_parse_size(NULL, &out), -1);
}
END_TEST

/* ================================================================ checks */

typedef const char *(*check_fn)(const char *);

typedef struct {
    const char *value;
    int ok;
} syntax_t;

static void check_syntax(const char *what, check_fn fn, const syntax_t *c, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        const char *err = fn(c[i].value);
        ck_assert_msg((err == NULL) == c[i].ok, "%s '%s': want %s, got %s", what, c[i].value,
                      c[i].ok ? "ok" : "refused", err ? err : "ok");
    }
    ck_assert_msg(fn(NULL) != NULL, "%s NULL accepted", what);
}

/* A string of n copies of c followed by tail (static, reused). */
static const char *repeat(char c, size_t n, const char *tail)
{
    static char buf[4][1100];
    static int next;
    char *b = buf[next++ % 4];

    memset(b, c, n);
    snprintf(b + n, sizeof(buf[0]) - n, "%s", tail);
    return b;
}

START_TEST(checks_login)
{
    const syntax_t cases[] = {
        {"alice", 1},
        {"Alice.Smith@example.com", 1},
        {"CORP\\alice", 1},
        {"zoë", 1}, /* UTF-8 passes */
        {"a b", 1},
        {"", 0},
        {" alice", 0},
        {"alice ", 0},
        {"ali\nce", 0},
        {"ali\tce", 0},
        {"alice\x7f", 0},
        {"\x1b[31m", 0},
        {repeat('a', 256, ""), 1},
        {repeat('a', 257, ""), 0},
    };

    check_syntax("login", iam_check_login, cases, N(cases));
}
END_TEST

START_TEST(checks_group_name)
{
    const syntax_t cases[] = {
        {"eng", 1},
        {"Data Team", 1},
        {"growth/eu", 1},
        {"", 0},
        {" eng", 0},
        {"eng ", 0},
        {"e\rng", 0},
        {"eng\x01", 0},
        {repeat('g', 128, ""), 1},
        {repeat('g', 129, ""), 0},
    };

    check_syntax("group", iam_check_group_name, cases, N(cases));
}
END_TEST

START_TEST(checks_resource_type)
{
    const syntax_t cases[] = {
        {"source", 1},
        {"tracking-plan", 1},
        {"my_type.v2", 1},
        {"", 0},
        {"a b", 0},
        {"a/b", 0},
        {"*", 0},
        {"type:x", 0},
        {"t\n", 0},
        {"zoë", 0},
        {repeat('t', 64, ""), 1},
        {repeat('t', 65, ""), 0},
    };

    check_syntax("type", iam_check_resource_type, cases, N(cases));
}
END_TEST

START_TEST(checks_resource_name)
{
    const syntax_t cases[] = {
        {"checkout", 1},
        {"Checkout-2.eu_west", 1},
        {"*", 0}, /* the collection, not a name */
        {"", 0},
        {"a b", 0},
        {"../etc", 0},
        {"a*", 0},
        {"a:b", 0},
        {"a\x01", 0},
        {repeat('r', 128, ""), 1},
        {repeat('r', 129, ""), 0},
    };

    check_syntax("resource name", iam_check_resource_name, cases, N(cases));
    ck_assert_contains(iam_check_resource_name("*"), "collection");
}
END_TEST

START_TEST(checks_label)
{
    const syntax_t cases[] = {
        {"env:prod", 1},
        {"team:growth", 1},
        {"Tier:1", 1},
        {"a.b:c_d-e", 1},
        {"envprod", 0}, /* no colon */
        {"", 0},
        {":prod", 0},
        {"env:", 0},
        {":", 0},
        {"env:pr od", 0},
        {"e v:prod", 0},
        {"env:prod:eu", 0},
        {"env:prod\n", 0},
        {"env:*", 0},
        {"e/nv:prod", 0},
        {repeat('k', 64, ":v"), 1},
        {repeat('k', 65, ":v"), 0},
        {repeat('k', 600, ":v"), 0}, /* far past any key buffer */
        {repeat('k', 1, ":"), 0},
    };

    check_syntax("label", iam_check_label, cases, N(cases));
}
END_TEST

START_TEST(checks_label_value_length)
{
    char label[200];

    snprintf(label, sizeof(label), "k:%s", repeat('v', 128, ""));
    ck_assert_ptr_null(iam_check_label(label));
    snprintf(label, sizeof(label), "k:%s", repeat('v', 129, ""));
    ck_assert_ptr_nonnull(iam_check_label(label));
}
END_TEST

START_TEST(checks_email)
{
    const syntax_t cases[] = {
        {"alice@example.com", 1},
        {"a.b+tag@sub.example.org", 1},
        {"a@b", 1},
        {"alice.example.com", 0}, /* no @ */
        {"", 0},
        {"@example.com", 0},
        {"alice@", 0},
        {"a@b@c", 0},
        {"alice @example.com", 0},
        {"<alice@example.com>", 0},
        {"alice@example.com,bob@example.com", 0},
        {"alice@example.com\r\nBcc: eve@example.com", 0},
        {"alice@example.com;", 0},
        {repeat('a', 240, "@example.com"), 1}, /* 252 */
        {repeat('a', 242, "@example.com"), 1}, /* 254: the longest */
        {repeat('a', 243, "@example.com"), 0},
    };

    check_syntax("email", iam_check_email, cases, N(cases));
}
END_TEST

START_TEST(checks_text)
{
    ck_assert_ptr_null(iam_check_text("Alice Smith", 64));
    ck_assert_ptr_null(iam_check_text("Zoë O'Brien <ops> & \"co\"", 64)); /* escaped on output */
    ck_assert_ptr_null(iam_check_text("abcd", 4));
    ck_assert_ptr_nonnull(iam_check_text("abcde", 4));
    ck_assert_ptr_nonnull(iam_check_text("", 64));
    ck_assert_ptr_nonnull(iam_check_text(NULL, 64));
    ck_assert_ptr_nonnull(iam_check_text("a\nb", 64));
    ck_assert_ptr_nonnull(iam_check_text("a\tb", 64));
    ck_assert_ptr_nonnull(iam_check_text("a\x7f", 64));
    ck_assert_ptr_nonnull(iam_check_text("\x01", 64));
    ck_assert_contains(iam_check_text("a\nb", 64), "control");
    ck_assert_contains(iam_check_text("", 64), "empty");
}
END_TEST

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

/* ================================================================ explain */

START_TEST(explain_allow_through_group)
{
    iam_grant_t eng[] = {G_ON("source-admin", "checkout", "billing")};
    iam_grant_set_t who[] = {VIA("eng", eng)};
    iam_decision_t d = ALLOW(who, RES("source", "checkout"), EDIT);
    char buf[256];

    ck_assert_ptr_eq(iam_policy_explain(&d, buf, sizeof(buf)), buf);
    ck_assert_contains(buf, "allow");
    ck_assert_contains(buf, "Source Admin");
    ck_assert_contains(buf, "through group eng");
    ck_assert_contains(buf, "checkout");
    ck_assert_contains(buf, "billing");
    ck_assert_ptr_null(strstr(buf, "deny"));
    ck_assert_ptr_null(strstr(buf, "direct"));
}
END_TEST

START_TEST(explain_allow_direct)
{
    iam_grant_t mine[] = {G_ALL("personas-read-only")};
    iam_grant_t lab[] = {G_LABELS("personas-user", "env:prod", "team:growth")};
    iam_grant_t own[] = {G_ALL("workspace-owner")};
    iam_grant_set_t who[] = {DIRECT(mine)};
    iam_grant_set_t labelled[] = {DIRECT(lab)};
    iam_grant_set_t owner[] = {DIRECT(own)};
    iam_decision_t d;
    char buf[256];

    d = ALLOW(who, RES("space", "eu"), READ);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "allow");
    ck_assert_contains(buf, "Personas Read-only");
    ck_assert_contains(buf, "direct");
    ck_assert_contains(buf, "all");
    ck_assert_ptr_null(strstr(buf, "group"));

    d = ALLOW(labelled, RES_L("space", "eu", "team:growth", "env:prod"), EDIT);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "Personas User");
    ck_assert_contains(buf, "env:prod");
    ck_assert_contains(buf, "team:growth");

    d = ALLOW(owner, RES("source", "x"), ADMIN);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "allow");
    ck_assert_contains(buf, "Workspace Owner");
    ck_assert_contains(buf, "direct");
}
END_TEST

START_TEST(explain_deny)
{
    iam_grant_t ro[] = {G_ALL("source-read-only")};
    iam_grant_set_t who[] = {VIA("eng", ro)};
    iam_decision_t d = DENY(who, RES("source", "checkout"), EDIT);
    iam_resource_t res = RES("source", "checkout");
    char buf[256];

    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "deny");
    ck_assert_contains(buf, d.reason);
    ck_assert_ptr_null(strstr(buf, "allow"));

    d = iam_policy_decide(&ws_roles, BUSINESS, NULL, 0, &res, READ);
    iam_policy_explain(&d, buf, sizeof(buf));
    ck_assert_contains(buf, "deny");
    ck_assert_contains(buf, d.reason);
}
END_TEST

START_TEST(explain_bounded)
{
    static char items[40][101];
    const char *names[40];
    iam_grant_t g[1];
    iam_grant_set_t who[1];
    iam_decision_t d;
    char big[2048], small[24];
    int i;

    for (i = 0; i < 40; i++) {
        memset(items[i], 'a' + i % 26, 100);
        items[i][100] = '\0';
        names[i] = items[i];
    }
    names[39] = "checkout";
    g[0] = (iam_grant_t){"source-admin", IAM_SCOPE_RESOURCES, 40, names};
    who[0] = (iam_grant_set_t){"a-group-with-a-rather-long-name", g, 1};
    d = ALLOW(who, RES("source", "checkout"), READ);

    memset(small, 'Z', sizeof(small));
    ck_assert_ptr_eq(iam_policy_explain(&d, small, sizeof(small)), small);
    ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
    ck_assert_int_eq(strncmp(small, "allow", 5), 0);
    iam_policy_explain(&d, big, sizeof(big));
    ck_assert_uint_lt(strlen(big), sizeof(big));
    ck_assert_contains(big, "Source Admin");
    ck_assert_contains(big, "through group a-group-with-a-rather-long-name");
}
END_TEST

/* ================================================================ suite */

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
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, NULL, AUTO), "source-read-only on web");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", EDIT, NULL, AUTO), "source-admin on web");
    ck_assert_str_eq(approval(BUSINESS, "space", "s1", EDIT, NULL, ONE), "personas-user on s1");
    ck_assert_str_eq(approval(BUSINESS, "source", "web", READ, NULL, ALLOF),
                     "source-read-only on all");
    /* all-only roles and collections: on all, never silently */
    ck_assert_str_eq(approval(BUSINESS, "warehouse", "main", READ, NULL, AUTO),
                     "warehouse-read-only on all");
    ck_assert_str_eq(approval(BUSINESS, "warehouse", "main", READ, "warehouse-admin", ONE),
                     "refused: that role is granted on all resources of its type only");
    ck_assert_str_eq(approval(BUSINESS, "source", "*", READ, NULL, AUTO), "source-read-only on all");
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
    ck_assert_str_eq(approval(BUSINESS, "owners", "*", ADMIN, NULL, AUTO), "workspace-owner on all");
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

static TCase *tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup_roles, NULL);
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    return tc;
}

Suite *suite_policy(void)
{
    Suite *s = suite_create("policy");
    TCase *tc;

    tc = tcase("roles");
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

    tc = tcase("names");
    tcase_add_test(tc, names_levels);
    tcase_add_test(tc, names_plans_and_scopes);
    tcase_add_test(tc, names_sizes);
    suite_add_tcase(s, tc);

    tc = tcase("checks");
    tcase_add_test(tc, checks_login);
    tcase_add_test(tc, checks_group_name);
    tcase_add_test(tc, checks_resource_type);
    tcase_add_test(tc, checks_resource_name);
    tcase_add_test(tc, checks_label);
    tcase_add_test(tc, checks_label_value_length);
    tcase_add_test(tc, checks_email);
    tcase_add_test(tc, checks_text);
    suite_add_tcase(s, tc);

    tc = tcase("grant_check");
    tcase_add_test(tc, grant_check_business);
    tcase_add_test(tc, grant_check_small_plans);
    tcase_add_test(tc, grant_check_custom_roles);
    tcase_add_test(tc, grant_check_plan_predicates);
    tcase_add_test(tc, grant_check_small_buffer);
    suite_add_tcase(s, tc);

    tc = tcase("decide");
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

    tc = tcase("collections");
    tcase_add_test(tc, collections_read);
    tcase_add_test(tc, collections_create);
    suite_add_tcase(s, tc);

    tc = tcase("plans");
    tcase_add_test(tc, plans_small_plans_ignore_what_they_lack);
    tcase_add_test(tc, plans_custom_roles_ignored);
    tcase_add_test(tc, plans_label_grant_opens_collection);
    suite_add_tcase(s, tc);

    tc = tcase("approval");
    tcase_add_test(tc, approval_least_and_chosen);
    suite_add_tcase(s, tc);

    tc = tcase("explain");
    tcase_add_test(tc, explain_allow_through_group);
    tcase_add_test(tc, explain_allow_direct);
    tcase_add_test(tc, explain_deny);
    tcase_add_test(tc, explain_bounded);
    suite_add_tcase(s, tc);

    return s;
}
