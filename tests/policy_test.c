/* mod_iam tests: what the files of the "policy" suite share (policy_test.h
 * says what each is), and the suite itself, gathered from those files. */
#include "policy_test.h"

#include <stdio.h>
#include <string.h>

/* The workspace's roles, fresh for every test (checked fixture). */
iam_roles_t ws_roles;

static void setup_roles(void)
{
    iam_roles_init(&ws_roles);
}

const char *res_text(const iam_resource_t *res, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "%s/%s", res->type, res->name ? res->name : "*");
    int i;

    for (i = 0; i < res->nlabels && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, " %s", res->labels[i]);
    return buf;
}

/* Decides and checks the outcome; the message names the test line, the
 * resource, the level and what the policy said. */
iam_decision_t expect_at(int line, iam_plan_e plan, const iam_grant_set_t *sets, int nsets,
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

void contains_at(int line, const char *hay, const char *needle)
{
    ck_assert_msg(hay != NULL && strstr(hay, needle) != NULL, "line %d: \"%s\" lacks \"%s\"", line,
                  hay ? hay : "(null)", needle);
}

/* The built-in roles of DESIGN.md's table, and the types they are of: left
 * unsized here, so that a count other than the header's does not compile. */
const pol_design_role_t design_roles[] = {
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

const char *const design_types[] = {"source", "warehouse", "tracking-plan", "space", "identity"};

/* Adds a custom role the way IAMRole does: the slug is the name's, kept
 * alive as long as the role (the table holds the pointer). */
const char *add_named(const char *name, const char *type, iam_level_e level)
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

TCase *pol_tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup_roles, NULL);
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    return tc;
}

Suite *suite_policy(void)
{
    Suite *s = suite_create("policy");

    pol_add_roles(s);
    pol_add_parsing(s);
    pol_add_grants(s);
    pol_add_decide(s);
    pol_add_plans(s);
    pol_add_explain(s);
    return s;
}
