/* mod_iam integration tests, console suite: the procedures on members,
 * each checked on real access to the protected paths: invite (with a
 * login and a group), grant and revoke (on all, on resources, on labels),
 * edit a grant in place, join and leave a group, change the details,
 * remove; a post that names this very server as its Origin or Referer;
 * and the audit trail in words, filtered and paged. The
 * console_procedures TCase, whose procedures on groups are in
 * test_console_groups.c. */
#include "console_test.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- procedures, each checked on real access ---- */

/* Whether olivia's view of `path` holds `text`. */
static int page_shows(const char *path, const char *text)
{
    resp_t r = get_as("olivia", path);
    int yes = r.status == 200 && r.body && strstr(r.body, text) != NULL;

    resp_free(&r);
    return yes;
}

START_TEST(test_invite)
{
    resp_t r;
    char *loc;

    ck_access("ivy@example.com", "/sources/checkout/", 403);
    r = post_form("/iam/members",
                  kv("email", "ivy@example.com", "name", "Ivy Invitee", "role1", "source-admin",
                     "scope1", "resources", "items1", "checkout", NULL));
    ck_see_other(&r, "/iam/members/ivy", "invited");
    loc = iam_test_header(r.headers, "Location");
    resp_free(&r);
    r = get_as("olivia", loc);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "<h1>Ivy Invitee</h1>");
    ck_has(r.body, "Invitation saved.");
    ck_has(r.body, "<span class=\"badge invited\">invited</span>");
    ck_has(r.body, "<td data-label=\"Role\">Source Admin</td><td "
                   "data-label=\"Resources\">checkout</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
    r = get_as("olivia", "/iam/members?q=IVY@");
    ck_has(r.body, "ivy@example.com");
    ck_has(r.body, "<span class=\"badge invited\">invited</span>");
    resp_free(&r);
    /* the grant holds at the first login, which makes the member active */
    ck_access("ivy@example.com", "/sources/checkout/", 200);
    ck_access("ivy@example.com", "/sources/checkout/settings/", 200);
    ck_access("ivy@example.com", "/sources/web/", 403);
    /* written just after the first login's answer (touch.c) */
    IAM_EVENTUALLY(page_shows(loc, "<span class=\"badge active\">active</span>"));
    r = get_as("olivia", loc);
    ck_has(r.body, "<span class=\"badge active\">active</span>");
    resp_free(&r);
    free(loc);
}
END_TEST

/* The optional login, and user groups, on the invite form. */
START_TEST(test_invite_with_login_and_group)
{
    resp_t r;

    ck_access("ivan", "/sources/web/", 403);
    r = post_form("/iam/members", kv("email", "ivan.i@example.com", "name", "Ivan", "login", "ivan",
                                     "group", "analysts", NULL));
    ck_see_other(&r, "/iam/members/ivan?", "invited");
    resp_free(&r);
    ck_access("ivan", "/sources/web/", 200);
    ck_assert_int_eq(access_on(&srv, "ivan", "POST", "/sources/web/"), 403);
    r = get_as("olivia", "/iam/members/ivan");
    ck_has(r.body, "ivan.i@example.com");
    ck_has(r.body, "Group analysts</a>");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_grant_and_revoke)
{
    resp_t r;

    ck_access("gwen", "/warehouses/main/", 403);
    r = post_form("/iam/members/gwen", kv("action", "grant", "role", "warehouse-read-only", "scope",
                                          "all", "items", "", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/warehouses/main/", 200);
    ck_assert_int_eq(access_on(&srv, "gwen", "POST", "/warehouses/main/"), 403);
    r = get_as("olivia", "/iam/members/gwen?done=updated");
    ck_has(r.body, "Changes saved.");
    ck_has(r.body,
           "<td data-label=\"Role\">Warehouse Read-only</td><td data-label=\"Resources\">All "
           "current and future</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
    /* the page's Remove button */
    r = post_form("/iam/members/gwen", kv("action", "revoke", "rrole", "warehouse-read-only",
                                          "rscope", "all", "ritems", "all", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/warehouses/main/", 403);

    /* named resources; then one of them taken back */
    ck_access("gwen", "/sources/web/", 403);
    r = post_form("/iam/members/gwen", kv("action", "grant", "role", "Source Admin", "scope",
                                          "resources", "items", "checkout, web", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/sources/web/", 200);
    ck_access("gwen", "/sources/checkout/settings/", 200);
    ck_access("gwen", "/sources/ios/", 403);
    r = post_form("/iam/members/gwen", kv("action", "revoke", "rrole", "source-admin", "rscope",
                                          "resources", "ritems", "web", NULL));
    ck_see_other(&r, "/iam/members/gwen", "updated");
    resp_free(&r);
    ck_access("gwen", "/sources/web/", 403);
    ck_access("gwen", "/sources/checkout/", 200);
    r = get_as("olivia", "/iam/members/gwen");
    ck_has(r.body, "<td data-label=\"Role\">Source Admin</td><td "
                   "data-label=\"Resources\">checkout</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_labels_grant)
{
    resp_t r;

    ck_access("tess", "/sources/web/", 403);
    r = post_form("/iam/members/tess", kv("action", "grant", "role", "source-read-only", "scope",
                                          "labels", "items", "env:prod", NULL));
    ck_see_other(&r, "/iam/members/tess", "updated");
    resp_free(&r);
    ck_access("tess", "/sources/web/", 200);
    ck_access("tess", "/sources/ios/", 403);
    r = get_as("olivia", "/iam/members/tess");
    ck_has(r.body,
           "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">labels "
           "env:prod</td><td data-label=\"From\">Direct</td>");
    resp_free(&r);
}
END_TEST

/* A grant is edited in place: one resource dropped from "Source Admin on
 * checkout, web" without removing and adding it again; an edit of a grant
 * that changed since the page was drawn is refused. The last owner's
 * Workspace Owner cannot be removed, and the page says why before the click. */
START_TEST(test_grant_edit_in_place)
{
    char *before, *after;
    resp_t r;

    iam_ctl_or_die(&srv, "grant --member edie source-admin --resource checkout web");
    ck_access("edie", "/sources/web/", 200);
    r = get_as("olivia", "/iam/members/edie");
    ck_has(r.body, "<summary aria-label=\"Edit Source Admin on checkout, web of edie\">");
    ck_has(r.body, "aria-label=\"Remove Source Admin on checkout, web from edie\"");
    ck_has(r.body, "name=\"eitems\" value=\"checkout web\"");
    resp_free(&r);
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout web", "escope", "resources", "eitems", "checkout", NULL));
    ck_see_other(&r, "/iam/members/edie", "updated");
    resp_free(&r);
    ck_access("edie", "/sources/web/", 403);
    ck_access("edie", "/sources/checkout/", 200);
    /* the same post again: the grant is no longer what it says */
    before = export_store();
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout web", "escope", "resources", "eitems", "web", NULL));
    ck_assert_int_eq(r.status, 409);
    ck_has(r.body, "changed after you saw it");
    after = export_store();
    ck_same_store(before, after);
    resp_free(&r);
    free(before);
    free(after);
    /* to labels, and a bad edit changes nothing */
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout", "escope", "all", "eitems", "checkout", NULL));
    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "A grant on all resources names none");
    resp_free(&r);
    r = post_form("/iam/members/edie",
                  kv("action", "edit-grant", "rrole", "source-admin", "rscope", "resources",
                     "ritems", "checkout", "escope", "labels", "eitems", "env:prod", NULL));
    ck_see_other(&r, "/iam/members/edie", "updated");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/edie");
    ck_has(r.body, "<td data-label=\"Resources\">labels env:prod</td>");
    resp_free(&r);
    /* the last owner */
    r = get_as("olivia", "/iam/members/olivia");
    ck_has(r.body, "<button class=\"secondary\" disabled>Remove</button> <span class=\"muted\">The "
                   "last Workspace Owner: make another member an owner first.</span>");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_join_and_leave)
{
    resp_t r;

    ck_access("jon", "/sources/web/", 403);
    r = post_form("/iam/members/jon", kv("action", "join", "group", "analysts", NULL));
    ck_see_other(&r, "/iam/members/jon", "joined&who=analysts");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/jon?done=joined&who=analysts");
    ck_has(r.body, "Added to analysts.");
    resp_free(&r);
    ck_access("jon", "/sources/web/", 200);
    ck_access("jon", "/sources/ios/", 200);
    ck_assert_int_eq(access_on(&srv, "jon", "POST", "/sources/web/"), 403);
    r = get_as("olivia", "/iam/members/jon");
    ck_has(r.body, "<td data-label=\"Role\">Source Read-only</td><td data-label=\"Resources\">All "
                   "current and future</td><td data-label=\"From\"><a "
                   "href=\"/iam/groups/analysts\">Group analysts</a></td>");
    /* its leave button asks first, naming whom and what */
    ck_has(r.body, "href=\"/iam/members/jon?confirm=leave&amp;group=analysts\" aria-label=\"Remove "
                   "jon from analysts\">Remove from group</a>");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/jon?confirm=leave&group=analysts");
    ck_has(r.body, "Remove <strong>jon</strong> from <strong>analysts</strong>?");
    ck_has(r.body, "name=\"action\" value=\"leave\"");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/jon?confirm=leave&group=nosuch");
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
    r = get_as("olivia", "/iam/groups/analysts");
    ck_has(r.body, "href=\"/iam/members/jon\"");
    resp_free(&r);
    r = post_form("/iam/members/jon", kv("action", "leave", "group", "analysts", NULL));
    ck_see_other(&r, "/iam/members/jon", "left&who=analysts");
    resp_free(&r);
    ck_access("jon", "/sources/web/", 403);
    r = get_as("olivia", "/iam/members/jon");
    ck_has(r.body, "In no user group.");
    resp_free(&r);
}
END_TEST

START_TEST(test_member_details)
{
    resp_t r;
    char *out;

    /* a name with a slash and an ampersand, url-encoded as browsers do */
    r = post_form("/iam/members/dora", kv("action", "details", "name", "Dora Explorer / R&D",
                                          "email", "dora.new@example.com", "pii", "1", NULL));
    ck_see_other(&r, "/iam/members/dora", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show dora --json"), 0);
    ck_has(out, "\"name\": \"Dora Explorer / R&D\"");
    ck_has(out, "\"email\": \"dora.new@example.com\"");
    ck_has(out, "\"pii\": true");
    free(out);
    r = get_as("olivia", "/iam/members/dora");
    ck_has(r.body, "<h1>Dora Explorer / R&amp;D</h1>");
    ck_has(r.body, "value=\"dora.new@example.com\"");
    ck_has(r.body, "name=\"pii\" value=\"1\" checked>");
    resp_free(&r);
    /* the new email is searchable, the old one is free again */
    r = get_as("olivia", "/iam/members?q=DORA.NEW");
    ck_has(r.body, "href=\"/iam/members/dora\"");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member add dora2 --email dora@example.com"), 0);
    free(out);
    /* an unchecked box clears pii */
    r = post_form("/iam/members/dora", kv("action", "details", "name", "Dora Explorer", "email",
                                          "dora.new@example.com", NULL));
    ck_see_other(&r, "/iam/members/dora", "updated");
    resp_free(&r);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show dora --json"), 0);
    ck_has(out, "\"pii\": false");
    free(out);
    ck_access("dora", "/", 200); /* still a member */
}
END_TEST

START_TEST(test_member_remove)
{
    resp_t r;

    ck_access("remy", "/", 200);
    r = get_as("olivia", "/iam/members/remy?confirm=remove");
    ck_has(r.body, "value=\"remove\"");
    resp_free(&r);
    r = post_form("/iam/members/remy", kv("action", "remove", NULL));
    ck_see_other(&r, "/iam/members", "removed");
    {
        char *loc = iam_test_header(r.headers, "Location");
        ck_assert_str_eq(loc, "/iam/members?done=removed&who=remy");
        free(loc);
    }
    resp_free(&r);
    /* a removed member's page, or a post to it, is a console page that
     * says so and leads back to the list */
    r = get_as("olivia", "/iam/members/remy");
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "<nav");
    ck_has(r.body, "There is no team member “remy” in this workspace");
    ck_has(r.body, "href=\"/iam/members\">Back to Users</a>");
    resp_free(&r);
    r = post_form("/iam/members/remy", kv("action", "details", "name", "Ghost", NULL));
    ck_assert_int_eq(r.status, 404);
    ck_has(r.body, "There is no team member “remy”");
    resp_free(&r);
    r = get_as("olivia", "/iam/members?done=removed");
    ck_has(r.body, "Team member removed from the workspace.");
    ck_lacks(r.body, "href=\"/iam/members/remy\"");
    resp_free(&r);
    ck_access("remy", "/", 403);
    r = post_form("/iam/members/remy", kv("action", "remove", NULL));
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
}
END_TEST

/* A posted Origin or Referer of this very server is fine (the control for
 * the refusals below). */
START_TEST(test_same_origin_accepted)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), body[512], origin[128], referer[160];
    resp_t r;

    snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%d", srv.port);
    snprintf(referer, sizeof(referer), "Referer: http://127.0.0.1:%d/iam/members/ori", srv.port);
    snprintf(body, sizeof(body), "csrf=%s&action=details&name=Origin+One&email=ori%%40example.com",
             tok);
    r = request_on(&srv, "POST", "/iam/members/ori", "olivia", "application/x-www-form-urlencoded",
                   body, origin, NULL);
    ck_see_other(&r, "/iam/members/ori", "updated");
    resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s&action=details&name=Origin+Two&email=ori%%40example.com",
             tok);
    r = request_on(&srv, "POST", "/iam/members/ori", "olivia", "application/x-www-form-urlencoded",
                   body, referer, NULL);
    ck_see_other(&r, "/iam/members/ori", "updated");
    resp_free(&r);
    r = get_as("olivia", "/iam/members/ori");
    ck_has(r.body, "<h1>Origin Two</h1>");
    resp_free(&r);
    free(tok);
}
END_TEST

START_TEST(test_audit_shows_console_actor)
{
    resp_t r = post_form("/iam/members/aud", kv("action", "details", "name", "Audited Person",
                                                "email", "aud@example.com", NULL));

    ck_see_other(&r, "/iam/members/aud", "updated");
    resp_free(&r);
    /* in words: who, what, whom; what changed beneath */
    r = get_as("olivia", "/iam/audit");
    ck_has(r.body, "<span class=\"what\">Olivia Owner (olivia) changed the name of Audited Person "
                   "(aud).</span>");
    ck_has(r.body, "<li>name: (none) → Audited Person</li>");
    resp_free(&r);
    r = get_as("olivia", "/iam/");
    ck_has(r.body, "changed the name of Audited Person (aud).");
    resp_free(&r);
    /* filtered by the member, by who changed, by kind */
    r = get_as("olivia", "/iam/audit?member=aud&kind=member");
    ck_has(r.body, "changed the name of Audited Person (aud).");
    ck_lacks(r.body, "created the group");
    resp_free(&r);
    r = get_as("olivia", "/iam/audit?actor=nobody-did-this");
    ck_lacks(r.body, "changed the name of Audited Person");
    resp_free(&r);
}
END_TEST

/* More changes than a page holds: "Older changes" leads to them. */
START_TEST(test_audit_older_changes)
{
    resp_t r;
    char *out, *link, *href, *end;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "for i in $(seq -w 1 60); do '%s/iamctl' -d '%s' member add "
                                  "zz-hist-$i || exit 1; done",
                                  iam_test_build_dir(), srv.store),
                     0);
    free(out);
    r = get_as("olivia", "/iam/audit");
    ck_has(r.body, " added zz-hist-60.</span>");
    ck_lacks(r.body, " added zz-hist-05.</span>"); /* one page: the newest 50 */
    link = strstr(r.body, "\">Older changes</a>");
    ck_assert_msg(link != NULL, "no link to older changes:\n%s", shown(r.body));
    *link = '\0';
    href = strrchr(r.body, '"') + 1;
    ck_assert_msg(!strncmp(href, "/iam/audit?before=", 18) && isdigit((unsigned char)href[18]),
                  "the link to older changes is \"%s\"", href);
    for (end = href + 18; isdigit((unsigned char)*end); end++)
        ;
    /* the filters ride along */
    ck_assert_msg(!strcmp(end, "&amp;member=&amp;group=&amp;actor=&amp;kind="),
                  "the link to older changes is \"%s\"", href);
    *end = '\0';
    href = strdup(href);
    resp_free(&r);
    r = get_as("olivia", href);
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, " added zz-hist-05.</span>");
    ck_lacks(r.body, " added zz-hist-60.</span>");
    resp_free(&r);
    free(href);
}
END_TEST

void cs_t_add_procedures(Suite *s)
{
    TCase *tc;

    tc = cs_t_server_case("console_procedures", start_console, stop_console);
    tcase_add_test(tc, test_invite);
    tcase_add_test(tc, test_invite_with_login_and_group);
    tcase_add_test(tc, test_member_grant_and_revoke);
    tcase_add_test(tc, test_member_labels_grant);
    tcase_add_test(tc, test_member_join_and_leave);
    tcase_add_test(tc, test_grant_edit_in_place);
    tcase_add_test(tc, test_member_details);
    cs_t_add_group_procedures(tc);
    tcase_add_test(tc, test_member_remove);
    tcase_add_test(tc, test_same_origin_accepted);
    tcase_add_test(tc, test_audit_shows_console_actor);
    tcase_add_test(tc, test_audit_older_changes);
    suite_add_tcase(s, tc);
}
