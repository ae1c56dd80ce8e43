/* mod_iam integration tests, console suite: the procedures on user
 * groups, each checked on real access: create one with roles and members,
 * preview without creating, picks that survive searches and a review
 * that must match what is created or added, add and remove members (all
 * or nothing), grant, revoke and the pii flag, delete. Tests of the
 * console_procedures TCase (test_console_members.c). */
#include "console_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_group_create)
{
    resp_t r;
    char *loc;

    ck_access("gina", "/warehouses/main/", 403);
    ck_access("gabe", "/sources/web/", 403);
    r = post_form("/iam/groups",
                  kv("action", "create", "name", "qa-team", "role1", "warehouse-read-only",
                     "scope1", "all", "items1", "", "role2", "source-read-only", "scope2", "labels",
                     "items2", "env:prod", "role3", "", "scope3", "all", "items3", "", "member",
                     "gina", "member", "gabe", NULL));
    ck_see_other(&r, "/iam/groups/qa-team", "group-created");
    loc = iam_test_header(r.headers, "Location");
    resp_free(&r);
    ck_access("gina", "/warehouses/main/", 200);
    ck_access("gabe", "/warehouses/main/", 200);
    ck_access("gabe", "/sources/web/", 200);
    ck_access("gabe", "/sources/ios/", 403);
    r = get_as("olivia", loc);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "User group created.");
    ck_has(r.body, "Members (2)");
    ck_has(r.body, "href=\"/iam/members/gina\"");
    ck_has(r.body, "href=\"/iam/members/gabe\"");
    ck_has(r.body, "<li>Warehouse Read-only on all</li>");
    ck_has(r.body, "<li>Source Read-only on labels env:prod</li>");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups");
    ck_has(r.body, "href=\"/iam/groups/qa-team\"");
    resp_free(&r);
    free(loc);
}
END_TEST

/* The value of the hidden field `name` in a page (malloc'd), or NULL. */
static char *hidden_value(const char *body, const char *name)
{
    char pat[128];
    const char *at, *end;

    snprintf(pat, sizeof(pat), "type=\"hidden\" name=\"%s\" value=\"", name);
    if (!body || !(at = strstr(body, pat)))
        return NULL;
    at += strlen(pat);
    end = strchr(at, '"');
    return end ? strndup(at, (size_t)(end - at)) : NULL;
}

/* Ticked members survive any number of searches (issue 13: tick pia,
 * search "pete", tick pete, save: the group held pete only); the chosen
 * are carried by the form and can be dropped one by one; the button
 * creates only what the review showed. */
START_TEST(test_picks_survive_search)
{
    char *before = export_store(), *after, *print, *out;
    resp_t r;

    /* pia ticked, then a search for pete */
    r = post_form("/iam/groups",
                  kv("action", "preview", "name", "pickers", "member", "pia", "q", "pete", NULL));
    ck_assert_msg(r.status == 200, "%ld\n%s", r.status, shown(r.body));
    ck_has(r.body, "<input type=\"hidden\" name=\"member\" value=\"pia\">");
    ck_has(r.body, "name=\"unpick\" value=\"pia\" formnovalidate aria-label=\"Remove pia from the "
                   "chosen members\"");
    ck_has(r.body, "<input type=\"checkbox\" name=\"member\" value=\"pete\">");
    ck_lacks(r.body, "<input type=\"checkbox\" name=\"member\" value=\"pia\">");
    ck_has(r.body, "<h3>Members (1)</h3><ul><li>pia</li></ul>");
    print = hidden_value(r.body, "reviewed");
    ck_assert_ptr_nonnull(print);
    resp_free(&r);
    /* pete ticked and Create pressed at once: not what the review showed */
    r = post_form("/iam/groups", kv("action", "create", "name", "pickers", "member", "pia",
                                    "member", "pete", "reviewed", print, NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "Review the members you ticked, then press Create User Group again.");
    ck_has(r.body, "<h3>Members (2)</h3><ul><li>pia</li><li>pete</li></ul>");
    after = export_store();
    ck_same_store(before, after);
    free(print);
    print = hidden_value(r.body, "reviewed");
    resp_free(&r);
    /* dropping one from the chosen keeps the other */
    r = post_form("/iam/groups",
                  kv("name", "pickers", "member", "pia", "member", "pete", "unpick", "pia", NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h3>Members (1)</h3><ul><li>pete</li></ul>");
    resp_free(&r);
    /* as reviewed: both */
    r = post_form("/iam/groups", kv("action", "create", "name", "pickers", "member", "pia",
                                    "member", "pete", "reviewed", print, NULL));
    ck_see_other(&r, "/iam/groups/pickers", "group-created");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show pickers"), 0);
    ck_has(out, "pia");
    ck_has(out, "pete");
    free(out);
    /* the same on the group's Add: chosen across searches, added as reviewed */
    iam_ctl_or_die(&srv, "group remove pickers pia pete");
    r = post_form("/iam/groups/pickers",
                  kv("action", "find-members", "member", "pia", "q", "pete", NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<input type=\"hidden\" name=\"member\" value=\"pia\">");
    ck_has(r.body, "<h3>To be added (1)</h3><ul><li>pia</li></ul>");
    free(print);
    print = hidden_value(strstr(r.body, "<h2>Add members</h2>"), "reviewed");
    resp_free(&r);
    r = post_form("/iam/groups/pickers", kv("action", "add-members", "member", "pia", "member",
                                            "pete", "reviewed", print, NULL));
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "Review who will be added, then press Add again.");
    free(print);
    print = hidden_value(strstr(r.body, "<h2>Add members</h2>"), "reviewed");
    resp_free(&r);
    r = post_form("/iam/groups/pickers", kv("action", "add-members", "member", "pia", "member",
                                            "pete", "reviewed", print, NULL));
    ck_see_other(&r, "/iam/groups/pickers", "members-added&who=pia+and+pete+to+pickers");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups/pickers?done=members-added&who=pia+and+pete+to+pickers");
    ck_has(r.body, "Added pia and pete to pickers.");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show pickers"), 0);
    ck_has(out, "pia");
    ck_has(out, "pete");
    free(out);
    free(print);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_group_preview_creates_nothing)
{
    char *before = export_store(), *after;
    resp_t r;

    r = post_form("/iam/groups",
                  kv("action", "preview", "name", "preview-only", "role1", "source-admin", "scope1",
                     "resources", "items1", "checkout web", "member", "gina", NULL));
    ck_assert_msg(r.status == 200, "%ld\n%s", r.status, shown(r.body));
    /* the review shows the roles and the members; the form keeps what was typed */
    ck_has(r.body, "<h3>Group permissions</h3><ul><li>Source Admin on checkout, web</li>");
    ck_has(r.body, "<h3>Members (1)</h3><ul><li>gina</li>");
    ck_has(r.body, "name=\"name\" value=\"preview-only\"");
    ck_has(r.body, "value=\"checkout web\"");
    ck_has(r.body, "<input type=\"hidden\" name=\"member\" value=\"gina\">");
    ck_lacks(r.body, "<script");
    resp_free(&r);
    after = export_store();
    ck_same_store(before, after);
    r = get_as("olivia", "/iam/groups/preview-only");
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_group_add_and_remove_members)
{
    resp_t r;
    char *before, *after;

    ck_access("crew1", "/warehouses/main/", 403);
    ck_access("crew2", "/warehouses/main/", 403);
    r = post_form("/iam/groups/crew",
                  kv("action", "add-members", "member", "crew1", "member", "crew2", NULL));
    ck_see_other(&r, "/iam/groups/crew", "members-added");
    resp_free(&r);
    ck_access("crew1", "/warehouses/main/", 200);
    ck_access("crew2", "/warehouses/main/", 200);
    ck_access("crew3", "/warehouses/main/", 403);
    r = get_as("olivia", "/iam/groups/crew?done=members-added");
    ck_has(r.body, "Members added to the group.");
    ck_has(r.body, "Members (2)");
    ck_has(r.body, "name=\"member\" value=\"crew1\"> <a href=\"/iam/members/crew1\">");
    ck_has(r.body, "name=\"member\" value=\"crew2\"> <a href=\"/iam/members/crew2\">");
    resp_free(&r);

    /* all or nothing: crew1 is in already, so crew3 is not added either */
    before = export_store();
    r = post_form("/iam/groups/crew",
                  kv("action", "add-members", "member", "crew3", "member", "crew1", NULL));
    ck_assert_msg(r.status == 409, "%ld\n%s", r.status, shown(r.body));
    ck_has(r.body, "notice error");
    ck_has(r.body, "already");
    resp_free(&r);
    after = export_store();
    ck_same_store(before, after);
    ck_access("crew3", "/warehouses/main/", 403);

    r = post_form("/iam/groups/crew",
                  kv("action", "remove-members", "member", "crew1", "member", "crew2", NULL));
    ck_see_other(&r, "/iam/groups/crew", "members-removed");
    resp_free(&r);
    ck_access("crew1", "/warehouses/main/", 403);
    ck_access("crew2", "/warehouses/main/", 403);
    r = get_as("olivia", "/iam/groups/crew");
    ck_has(r.body, "Members (0)");
    resp_free(&r);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_group_grant_revoke_pii)
{
    resp_t r;
    char *out;

    ck_access("otto", "/sources/web/", 403);
    r = post_form("/iam/groups/ops", kv("action", "grant", "role", "source-read-only", "scope",
                                        "labels", "items", "env:prod", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_access("otto", "/sources/web/", 200);
    ck_access("otto", "/sources/ios/", 403);
    ck_access("otto", "/sources/checkout/", 403);
    r = get_as("olivia", "/iam/groups/ops?tab=permissions");
    ck_has(r.body,
           "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">labels "
           "env:prod</td><td data-label=\"From\">This group</td>");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/otto");
    ck_has(r.body, "Group ops</a>");
    resp_free(&r);

    r = post_form("/iam/groups/ops", kv("action", "revoke", "rrole", "source-read-only", "rscope",
                                        "labels", "ritems", "env:prod", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_access("otto", "/sources/web/", 403);

    r = post_form("/iam/groups/ops", kv("action", "pii", "pii", "1", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show ops --json"), 0);
    ck_has(out, "\"pii\": true");
    free(out);
    r = get_as("olivia", "/iam/groups/ops?tab=permissions");
    ck_has(r.body, "name=\"pii\" value=\"1\" checked>");
    resp_free(&r);
    r = post_form("/iam/groups/ops", kv("action", "pii", NULL));
    ck_see_other(&r, "/iam/groups/ops?tab=permissions", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "group show ops --json"), 0);
    ck_has(out, "\"pii\": false");
    free(out);
}
END_TEST

START_TEST(test_group_delete)
{
    resp_t r;
    char *out;

    ck_access("dirk", "/warehouses/main/", 200);
    r = get_as("olivia", "/iam/groups/doomed?confirm=delete");
    ck_has(r.body, "Delete <strong>doomed</strong>? Its 1 members");
    resp_free(&r);
    r = post_form("/iam/groups/doomed", kv("action", "delete", NULL));
    ck_see_other(&r, "/iam/groups", "group-deleted");
    resp_free(&r);
    ck_access("dirk", "/warehouses/main/", 403);
    ck_access("dirk", "/", 200); /* still in the workspace */
    r = get_as("olivia", "/iam/groups/doomed");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "There is no user group “doomed”");
    ck_has(r.body, "href=\"/iam/groups\">Back to Groups</a>");
    resp_free(&r);
    r = get_as("olivia", "/iam/groups?done=group-deleted");
    ck_has(r.body, "User group deleted.");
    ck_lacks(r.body, "href=\"/iam/groups/doomed\"");
    resp_free(&r);
    ck_assert_int_ne(iam_ctl(&srv, &out, "group show doomed 2>&1"), 0);
    free(out);
    r = post_form("/iam/groups/doomed", kv("action", "delete", NULL));
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
}
END_TEST

void cs_t_add_group_procedures(TCase *tc)
{
    tcase_add_test(tc, test_group_create);
    tcase_add_test(tc, test_group_preview_creates_nothing);
    tcase_add_test(tc, test_picks_survive_search);
    tcase_add_test(tc, test_group_add_and_remove_members);
    tcase_add_test(tc, test_group_grant_revoke_pii);
    tcase_add_test(tc, test_group_delete);
}
