/* mod_iam tests: the role table, names, syntax checks, plan limits and the
 * decision. Every expectation comes from shared/DESIGN.md ("Built-in roles",
 * "The decision (one request)", the concept table), not from what the
 * implementation happens to print: the tests name the roles, levels and
 * scopes of the design and check that the policy agrees.
 */
#ifndef POLICY_TEST_H
#define POLICY_TEST_H

/* What the files of the "policy" suite (tests/test_policy_*.c) share: the
 * shorthands for grants, grant sets and resources, the checked decision,
 * the built-in roles as the design gives them, and the workspace's roles
 * of the running test (policy_test.c). */
#include "iam_policy.h"
#include "iam_test.h"

#include <stddef.h>

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
extern iam_roles_t ws_roles;

/* Decides and checks the outcome; the message names the test line, the
 * resource, the level and what the policy said. */
iam_decision_t expect_at(int line, iam_plan_e plan, const iam_grant_set_t *sets, int nsets,
                         iam_resource_t res, iam_level_e need, int allow);

#define ALLOW_ON(plan, sets, res, need) expect_at(__LINE__, plan, sets, N(sets), res, need, 1)
#define DENY_ON(plan, sets, res, need) expect_at(__LINE__, plan, sets, N(sets), res, need, 0)
#define ALLOW(sets, res, need) ALLOW_ON(BUSINESS, sets, res, need)
#define DENY(sets, res, need) DENY_ON(BUSINESS, sets, res, need)

void contains_at(int line, const char *hay, const char *needle);

#define ck_assert_contains(hay, needle) contains_at(__LINE__, (hay), (needle))

/* "type/name label..." of a resource, for a failure message. */
const char *res_text(const iam_resource_t *res, char *buf, size_t len);

/* The built-in roles as DESIGN.md's table gives them. "global" scope
 * (owner, member) and "all only" both mean all_only. */
typedef struct {
    const char *name, *slug, *type;
    iam_level_e level;
    iam_role_kind_e kind;
    int all_only;
} pol_design_role_t;

#define POL_DESIGN_ROLES 12
#define POL_DESIGN_TYPES 5

extern const pol_design_role_t design_roles[POL_DESIGN_ROLES];
extern const char *const design_types[POL_DESIGN_TYPES];

/* Adds a custom role the way IAMRole does: the slug is the name's, kept
 * alive as long as the role (the table holds the pointer). */
const char *add_named(const char *name, const char *type, iam_level_e level);

/* A TCase of the suite: the workspace's roles fresh for every test. */
TCase *pol_tcase(const char *name);

/* Each adds its file's TCases to the suite, in the order they run. */
void pol_add_roles(Suite *s);   /* test_policy_roles.c */
void pol_add_parsing(Suite *s); /* test_policy_parsing.c */
void pol_add_grants(Suite *s);  /* test_policy_grants.c */
void pol_add_decide(Suite *s);  /* test_policy_decide.c */
void pol_add_plans(Suite *s);   /* test_policy_plans.c */
void pol_add_explain(Suite *s); /* test_policy_explain.c */

#endif
