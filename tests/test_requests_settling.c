/* mod_iam integration tests, "request access": how a request ends. Any
 * change that gives its access ends it (a grant by iamctl or the API,
 * joining a group, a group's grants), and a change that gives something
 * else leaves it; removing a member clears theirs. The member hears of
 * each answer by mail and on the refused page, and can ask again. */
#include "requests_test.h"

#include <stdlib.h>
#include <string.h>

/* ---- a request ends when answered, or when a change gives its access ---- */

START_TEST(test_ended_by_iamctl_grant)
{
    add_member(&srv, "gus", NULL);
    add_member(&srv, "gil", NULL);
    ck_assert_int_eq(ask(&srv, "gus", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "gus", "/sources/web/", "read", "b"), 303);
    ck_assert_int_eq(ask(&srv, "gil", WAREHOUSE, "read", "c"), 303);
    ck_assert_int_eq(nrequests(&srv, "gus"), 2);
    /* a grant that gives neither leaves both */
    ctl_ok(&srv, "grant --member gus source-read-only --resource ios");
    ck_assert_int_eq(nrequests(&srv, "gus"), 2);
    /* one that gives web ends that one only */
    ctl_ok(&srv, "grant --member gus source-read-only --resource web");
    ck_assert_int_eq(nrequests(&srv, "gus"), 1);
    ck_assert_int_eq(nrequests_in_all(&srv, "gus"), 1);
    ck_assert_str_eq(status_of(&srv, "gus", "source", "web"), "granted");
    ck_assert_str_eq(status_of(&srv, "gus", "warehouse", "main"), "open");
    ck_assert_msg(audited(&srv, "request.granted", "gus", NULL), "no request.granted audit");
    ck_assert_int_eq(nrequests(&srv, "gil"), 1);
    /* a revoke gives nothing: the warehouse request stays */
    ctl_ok(&srv, "revoke --member gus source-read-only --resource web");
    ck_assert_int_eq(nrequests(&srv, "gus"), 1);
    ck_assert_int_eq(nrequests(&srv, "gil"), 1);
}
END_TEST

START_TEST(test_ended_by_api_grant)
{
    char *out;
    long st;

    add_member(&srv, "hal", NULL);
    ck_assert_int_eq(ask(&srv, "hal", WAREHOUSE, "read", "a"), 303);
    /* a change that is not about permissions leaves it */
    st = call(&srv, "olivia", "PATCH", "/iam/api/v1/members/hal", "application/json",
              "{\"name\":\"Hal Renamed\"}", NULL, &out, NULL);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "hal"), 1);
    /* nor one about permissions that gives another resource */
    st = api_post(&srv, "members/hal/grants",
                  "{\"role\":\"source-read-only\",\"scope\":\"resources\",\"resources\":[\"ios\"]}",
                  &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "hal"), 1);
    ck_assert_int_eq(call(&srv, "hal", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 403);
    st = api_post(&srv, "members/hal/grants",
                  "{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "hal"), 0);
    ck_assert_str_eq(status_of(&srv, "hal", "warehouse", "main"), "granted");
    ck_assert_int_eq(call(&srv, "hal", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 200);
}
END_TEST

START_TEST(test_ended_by_group_add)
{
    add_member(&srv, "ivy", NULL);
    add_member(&srv, "jon", NULL);
    ck_assert_int_eq(ask(&srv, "ivy", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "ivy", "/sources/web/", "read", "a2"), 303);
    ck_assert_int_eq(ask(&srv, "jon", "/sources/web/", "read", "b"), 303);
    /* analysts: Source Read-only on all sources */
    ctl_ok(&srv, "group add analysts ivy");
    ck_assert_int_eq(nrequests(&srv, "ivy"), 1);
    ck_assert_str_eq(status_of(&srv, "ivy", "source", "web"), "granted");
    ck_assert_str_eq(status_of(&srv, "ivy", "warehouse", "main"), "open");
    ck_assert_int_eq(nrequests(&srv, "jon"), 1);
}
END_TEST

START_TEST(test_cleared_by_member_remove)
{
    add_member(&srv, "kim", NULL);
    add_member(&srv, "kit", NULL);
    ck_assert_int_eq(ask(&srv, "kim", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "kit", WAREHOUSE, "read", "b"), 303);
    ctl_ok(&srv, "member remove kim");
    ck_assert_int_eq(nrequests_in_all(&srv, "kim"), 0);
    ck_assert_int_eq(nrequests_in_all(&srv, "kit"), 1);
    /* a new member of that login starts with none, answered or open */
    add_member(&srv, "kim", NULL);
    ck_assert_str_eq(status_of(&srv, "kim", "warehouse", "main"), "none");
}
END_TEST

START_TEST(test_ended_by_group_changes)
{
    add_member(&srv, "lea", NULL);
    add_member(&srv, "leo", NULL);
    add_member(&srv, "lou", NULL);
    ctl_ok(&srv, "group create crew");
    ctl_ok(&srv, "group add crew lea leo");
    ck_assert_int_eq(ask(&srv, "lea", WAREHOUSE, "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "leo", WAREHOUSE, "read", "b"), 303);
    ck_assert_int_eq(ask(&srv, "lou", WAREHOUSE, "read", "c"), 303);
    ck_assert_int_eq(ask(&srv, "lea", "/sources/web/", "read", "a"), 303);
    ck_assert_int_eq(ask(&srv, "leo", "/sources/web/", "read", "b"), 303);
    ck_assert_int_eq(ask(&srv, "lou", "/sources/web/", "read", "c"), 303);
    /* the group's grants change, giving what none asked for: all stay */
    ctl_ok(&srv, "grant --group crew source-read-only --resource ios");
    ck_assert_int_eq(nrequests(&srv, "lea"), 2);
    ck_assert_int_eq(nrequests(&srv, "leo"), 2);
    /* giving web: the members' web requests end, the rest stay */
    ctl_ok(&srv, "grant --group crew source-read-only --resource web");
    ck_assert_int_eq(nrequests(&srv, "lea"), 1);
    ck_assert_int_eq(nrequests(&srv, "leo"), 1);
    ck_assert_int_eq(nrequests(&srv, "lou"), 2);
    /* who joins the group gets web: lou's web request ends */
    ctl_ok(&srv, "group add crew lou");
    ck_assert_int_eq(nrequests(&srv, "lou"), 1);
    ck_assert_str_eq(status_of(&srv, "lou", "source", "web"), "granted");
    /* who leaves, or a group deleted, gives nothing: nothing more ends */
    ctl_ok(&srv, "group remove crew lea");
    ck_assert_int_eq(nrequests(&srv, "lea"), 1);
    ctl_ok(&srv, "group delete crew");
    ck_assert_int_eq(nrequests(&srv, "leo"), 1);
    ck_assert_int_eq(nrequests(&srv, "lou"), 1);
    ck_assert_int_eq(nrequests_in_all(&srv, "lou"), 1);
    /* and she can ask for web again, now that it refuses her */
    ck_assert_int_eq(ask(&srv, "lea", "/sources/web/", "read", "a again"), 303);
    ck_assert_int_eq(nrequests(&srv, "lea"), 2);
}
END_TEST

/* The round trip: a member asks for two resources; an owner approves one
 * in the console and dismisses the other; the member gets a mail for
 * each, is let into the first, and the page of the second says it was
 * dismissed and what became of the first; asking again opens it anew. */
START_TEST(test_member_sees_the_answers)
{
    char *body, *tok, *page;
    mail_t m[MAILS_MAX];
    json_t *list, *q;
    long st;
    int n;

    add_member(&srv, "nell", "--email nell@example.com");
    ck_assert_int_eq(ask(&srv, "nell", WAREHOUSE, "read", "the warehouse, please"), 303);
    ck_assert_int_eq(ask(&srv, "nell", "/sources/web/", "read", "web too"), 303);
    list = requests_of(&srv, "nell");
    ck_assert_int_eq(json_array_size(list), 2);
    q = json_array_get(list, 0);
    if (strcmp(str_at(q, "type"), "source"))
        q = json_array_get(list, 1);
    /* approve web from the member's console page, as its button says */
    page = NULL;
    st = call(&srv, "olivia", "GET", "/iam/members/nell", NULL, NULL, NULL, &page, NULL);
    ck_assert_int_eq(st, 200);
    tok = iam_test_csrf(page);
    ck_assert_ptr_nonnull(tok);
    st = call(&srv, "olivia", "POST", "/iam/members/nell", FORM,
              xprintf("csrf=%s&action=approve&rlogin=nell&rtype=source&rname=web&rrev=%lld"
                      "&rrole=source-read-only&rscope=resource",
                      tok, (long long)json_integer_value(json_object_get(q, "rev"))),
              NULL, NULL, NULL);
    ck_assert_int_eq(st, 303);
    json_decref(list);
    /* the other is still open; then dismissed */
    ck_assert_int_eq(nrequests(&srv, "nell"), 1);
    st = call(&srv, "olivia", "POST", "/iam/members/nell", FORM,
              xprintf("csrf=%s&action=dismiss&rlogin=nell&rtype=warehouse&rname=main", tok), NULL,
              NULL, NULL);
    ck_assert_int_eq(st, 303);
    ck_assert_int_eq(nrequests(&srv, "nell"), 0);
    /* her mails: one per answer, to her */
    n = mails(&srv, "To: nell@example.com", m);
    ck_assert_msg(n == 2, "%d mails to nell", n);
    n = mails(&srv, "To: nell@example.com\nSubject: Your access request for source web: approved",
              m);
    ck_assert_msg(n == 1, "%d approval mails:\n%s%s", n, m[0].head, n > 1 ? m[1].head : "");
    ck_assert_msg(has(m[0].body, "olivia, a Workspace Owner, approved it: you now have Source "
                                 "Read-only on web"),
                  "%s", m[0].body);
    ck_assert_int_eq(mails(&srv,
                           "To: nell@example.com\nSubject: Your access request for warehouse "
                           "main: dismissed",
                           NULL),
                     1);
    /* web lets her in; the warehouse page says what became of both */
    ck_assert_int_eq(call(&srv, "nell", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "nell", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "olivia dismissed your request on "), "%s", body);
    ck_assert_msg(has(body, "read access to the source web: <strong>approved</strong> by olivia"),
                  "%s", body);
    ck_assert_msg(has(body, "name=\"csrf\""), "no form to ask again:\n%s", body);
    free(body);
    /* the JSON refusal says so too */
    st = call(&srv, "nell", "GET", WAREHOUSE, NULL, NULL, "Accept: application/json", &body, NULL);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(has(body, "\"request\":{\"status\":\"dismissed\""), "%s", body);
    free(body);
    /* asking again opens it anew, a new revision, mailed to the owners as new */
    n = mails(&srv, "Access request from nell: warehouse main", NULL);
    ck_assert_int_eq(ask(&srv, "nell", WAREHOUSE, "read", "please reconsider"), 303);
    ck_assert_int_eq(mails(&srv, "Access request from nell: warehouse main", NULL), n * 2);
    list = requests_of(&srv, "nell");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "rev")), 2);
    json_decref(list);
    ck_assert_str_eq(status_of(&srv, "nell", "source", "web"), "approved");
    free(tok);
}
END_TEST

/* A request is for the level the page refused at, whatever level the form
 * names (review finding: read on a source, asking for "admin" on a page
 * whose POST needs edit, filed admin, and approval granted Source Admin). */
void rq_add_settling_tests(TCase *tc)
{
    tcase_add_test(tc, test_ended_by_iamctl_grant);
    tcase_add_test(tc, test_ended_by_api_grant);
    tcase_add_test(tc, test_ended_by_group_add);
    tcase_add_test(tc, test_cleared_by_member_remove);
    tcase_add_test(tc, test_ended_by_group_changes);
    tcase_add_test(tc, test_member_sees_the_answers);
}
