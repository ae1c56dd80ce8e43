/* mod_iam integration tests, console suite: the console of a team-plan
 * server, which has no user groups and only some roles: the pages say
 * what is not on the plan, its posts are refused without a change, what
 * the plan has still works, and grants or requests the plan cannot honour
 * say so. The console_team_plan TCase, on a server of its own. */
#include "console_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the team plan ---- */

static iam_httpd_t team;

static void start_team(void)
{
    start_on(&team, "console-team", "IAMPlan team");
}

static void stop_team(void)
{
    iam_httpd_cleanup(&team);
}

START_TEST(test_team_groups_unavailable)
{
    static const char *const paths[] = {"/iam/groups", "/iam/groups/new", "/iam/groups/analysts"};
    resp_t r;
    int i;

    for (i = 0; i < ARRAY_LEN(paths); i++) {
        r = get_on(&team, "olivia", paths[i]);
        ck_assert_msg(r.status == 200, "GET %s: %ld", paths[i], r.status);
        ck_has(r.body, "User groups are not available on the team plan.");
        ck_lacks(r.body, "value=\"add-members\"");
        ck_lacks(r.body, "value=\"create\"");
        resp_free(&r);
    }
    r = get_on(&team, "olivia", "/iam/members/tina");
    ck_has(r.body, "User groups are not available on the team plan.");
    ck_has(r.body, "<button name=\"action\" value=\"join\" disabled>Add User Group</button>");
    resp_free(&r);
    r = get_on(&team, "olivia", "/iam/");
    ck_has(r.body, "<span class=\"plan\">team</span> plan");
    resp_free(&r);
}
END_TEST

START_TEST(test_team_role_lists)
{
    static const struct {
        const char *slug, *name;
        int allowed;
    } roles[] = {
        {"workspace-owner", "Workspace Owner", 1},
        {"source-admin", "Source Admin", 1},
        {"source-read-only", "Source Read-only", 0},
        {"warehouse-admin", "Warehouse Admin", 0},
        {"warehouse-read-only", "Warehouse Read-only", 0},
        {"tracking-plan-admin", "Tracking Plan Admin", 0},
        {"tracking-plan-read-only", "Tracking Plan Read-only", 0},
        {"personas-admin", "Personas Admin", 0},
        {"personas-user", "Personas User", 0},
        {"personas-read-only", "Personas Read-only", 0},
        {"identity-admin", "Identity Admin", 0},
    };
    static const char *const forms[] = {"/iam/members/new", "/iam/members/tina"};
    char want[256];
    int i, f;

    for (f = 0; f < ARRAY_LEN(forms); f++) {
        resp_t r = get_on(&team, "olivia", forms[f]);
        ck_assert_int_eq(r.status, 200);
        for (i = 0; i < ARRAY_LEN(roles); i++) {
            if (roles[i].allowed)
                snprintf(want, sizeof(want), "<option value=\"%s\">%s</option>", roles[i].slug,
                         roles[i].name);
            else
                snprintf(want, sizeof(want),
                         "<option value=\"%s\" disabled>%s (not on this plan)</option>",
                         roles[i].slug, roles[i].name);
            ck_has(r.body, want);
        }
        ck_has(r.body, "<option value=\"labels\" disabled>Resources with labels (not on this "
                       "plan)</option>");
        resp_free(&r);
    }
    {
        resp_t r = get_on(&team, "olivia", "/iam/roles");
        ck_assert_int_eq(count_of(r.body, "<tr class=\"unavailable\">"), 9);
        ck_has(r.body, "not on this plan");
        resp_free(&r);
    }
}
END_TEST

static const struct {
    const char *what, *path, *fields;
} team_refusals[] = {
    {"invite with a read-only role", "/iam/members",
     "email=t1%40example.com&role1=source-read-only&scope1=all"},
    {"invite with a label scope", "/iam/members",
     "email=t1%40example.com&role1=source-admin&scope1=labels&items1=env%3Aprod"},
    {"invite into a group", "/iam/members", "email=t1%40example.com&group=analysts"},
    {"grant a read-only role", "/iam/members/tina",
     "action=grant&role=source-read-only&scope=resources&items=checkout"},
    {"grant a warehouse role", "/iam/members/tina", "action=grant&role=warehouse-admin&scope=all"},
    {"grant on labels", "/iam/members/tina",
     "action=grant&role=source-admin&scope=labels&items=env%3Aprod"},
    {"join a group", "/iam/members/tina", "action=join&group=analysts"},
    {"create a group", "/iam/groups", "action=create&name=teamgroup"},
    {"add group members", "/iam/groups/analysts", "action=add-members&member=tina"},
};

START_TEST(test_team_plan_refuses)
{
    char *tok = token_on(&team, "olivia", "/iam/members/new"), *before, *after, body[512];
    resp_t r;

    snprintf(body, sizeof(body), "csrf=%s&%s", tok, team_refusals[_i].fields);
    before = export_on(&team);
    r = request_on(&team, "POST", team_refusals[_i].path, "olivia", FORM, body, NULL, NULL);
    after = export_on(&team);
    ck_assert_msg(r.status == 422, "%s: got %ld, want 422\n%s", team_refusals[_i].what, r.status,
                  shown(r.body));
    ck_assert_msg(!strcmp(before, after), "%s changed the store", team_refusals[_i].what);
    ck_has(r.body, "notice error");
    ck_has(r.body, "team plan");
    resp_free(&r);
    ck_assert_int_eq(access_on(&team, "tina", "GET", "/sources/web/"), 403);
    free(before);
    free(after);
    free(tok);
}
END_TEST

/* What the plan has still works. */
START_TEST(test_team_plan_allows_source_admin)
{
    resp_t r;

    ck_assert_int_eq(access_on(&team, "tess", "GET", "/sources/web/"), 403);
    r = post_on(
        &team, "/iam/members/tess",
        kv("action", "grant", "role", "source-admin", "scope", "resources", "items", "web", NULL));
    ck_see_other(&r, "/iam/members/tess", "updated");
    resp_free(&r);
    ck_assert_int_eq(access_on(&team, "tess", "GET", "/sources/web/"), 200);
    ck_assert_int_eq(access_on(&team, "tess", "GET", "/sources/checkout/"), 403);
    /* group grants are not honoured on this plan */
    ck_assert_int_eq(access_on(&team, "rita", "GET", "/sources/web/"), 403);
}
END_TEST

/* What the console shows is what the server does: grants the plan does
 * not honour say so, and a request the plan cannot answer offers no
 * Approve. */
START_TEST(test_team_plan_shows_what_it_ignores)
{
    resp_t r;
    char *tok;

    /* rita reads sources through the group analysts: not on this plan */
    ck_assert_int_eq(access_on(&team, "rita", "GET", "/sources/web/"), 403);
    r = get_on(&team, "olivia", "/iam/members/rita");
    ck_has(r.body, "Source Read-only <span class=\"badge\">not honoured on the team plan</span>");
    ck_has(r.body, "the plan has no user groups");
    resp_free(&r);
    /* sam's Source Admin on checkout is honoured */
    ck_assert_int_eq(access_on(&team, "sam", "GET", "/sources/checkout/"), 200);
    r = get_on(&team, "olivia", "/iam/members/sam");
    ck_lacks(r.body, "not honoured");
    resp_free(&r);
    /* a request for the warehouse: no role of the team plan gives it */
    r = get_on(&team, "gina", "/warehouses/main/");
    ck_assert_int_eq(r.status, 403);
    tok = iam_test_csrf(r.body);
    ck_assert_msg(tok != NULL, "%s", shown(r.body));
    resp_free(&r);
    r = request_on(
        &team, "POST", "/iam/request-access", "gina", FORM,
        kv("csrf", tok, "level", "read", "path", "/warehouses/main/", "message", "hi", NULL), NULL,
        NULL);
    ck_assert_int_eq(r.status, 303);
    resp_free(&r);
    r = get_on(&team, "olivia", "/iam/members/gina");
    ck_has(r.body, "Cannot be approved on the team plan");
    ck_lacks(r.body, "value=\"approve\"");
    ck_has(r.body, "value=\"dismiss\"");
    resp_free(&r);
}
END_TEST

void cs_t_add_team_plan(Suite *s)
{
    TCase *tc;

    tc = cs_t_server_case("console_team_plan", start_team, stop_team);
    tcase_add_test(tc, test_team_groups_unavailable);
    tcase_add_test(tc, test_team_role_lists);
    tcase_add_loop_test(tc, test_team_plan_refuses, 0, ARRAY_LEN(team_refusals));
    tcase_add_test(tc, test_team_plan_allows_source_admin);
    tcase_add_test(tc, test_team_plan_shows_what_it_ignores);
    suite_add_tcase(s, tc);
}
