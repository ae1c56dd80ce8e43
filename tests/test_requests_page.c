/* mod_iam integration tests, "request access": the refused page. A member
 * refused by Require iam sees who they are, what was refused at which
 * level, and the request form (or that their request is pending), with
 * their login escaped; a client that takes only JSON gets the same in
 * JSON. A non-member gets no form, and their crafted post is refused. */
#include "requests_test.h"

#include <stdlib.h>
#include <string.h>

/* ---- the refused page ---- */

START_TEST(test_denied_page_html)
{
    char *body, *hdrs, *ct;
    long st;

    add_member(&srv, "dina", "--name 'Dina Denied'");
    st = call(&srv, "dina", "GET", WAREHOUSE, NULL, NULL, NULL, &body, &hdrs);
    ck_assert_int_eq(st, 403);
    ct = iam_test_header(hdrs, "Content-Type");
    ck_assert_msg(ct && !strncmp(ct, "text/html", 9), "Content-Type %s", ct ? ct : "(none)");
    ck_assert_msg(has(iam_test_header(hdrs, "Cache-Control"), "no-store"), "%s", hdrs);
    ck_assert_msg(has(iam_test_header(hdrs, "X-Frame-Options"), "DENY"), "%s", hdrs);
    ck_assert_msg(has(iam_test_header(hdrs, "X-Content-Type-Options"), "nosniff"), "%s", hdrs);
    ck_assert_msg(has(iam_test_header(hdrs, "Content-Security-Policy"), "frame-ancestors 'none'"),
                  "%s", hdrs);
    ck_assert_msg(has(body, "You are signed in as <strong>dina</strong>"), "%s", body);
    ck_assert_msg(has(body, "you do not have read access to <strong>the warehouse main</strong>"),
                  "%s", body);
    ck_assert_msg(has(body, "<form method=\"post\" action=\"/iam/request-access\">"), "%s", body);
    ck_assert_msg(iam_test_csrf(body) && strlen(iam_test_csrf(body)) == 64, "%s", body);
    ck_assert_msg(has(body, "name=\"type\" value=\"warehouse\""), "%s", body);
    ck_assert_msg(has(body, "name=\"name\" value=\"main\""), "%s", body);
    ck_assert_msg(has(body, "name=\"level\" value=\"read\""), "%s", body);
    ck_assert_msg(has(body, "name=\"path\" value=\"/warehouses/main/\""), "%s", body);
    ck_assert_msg(has(body, "<textarea id=\"message\" name=\"message\" maxlength=\"1000\">"), "%s",
                  body);
    ck_assert_msg(!has(body, "pending"), "%s", body);
    free(body);
    /* a write needs edit: the page says so */
    st = call(&srv, "dina", "POST", "/sources/checkout/", FORM, "x=1", NULL, &body, NULL);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(has(body, "you do not have edit access to <strong>the source checkout</strong>"),
                  "%s", body);
    ck_assert_msg(has(body, "name=\"level\" value=\"edit\""), "%s", body);
    free(body);
    /* the collection, and the owners-only page */
    ck_assert_int_eq(call(&srv, "dina", "GET", "/sources/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<strong>the source collection</strong>"), "%s", body);
    ck_assert_msg(has(body, "name=\"name\" value=\"*\""), "%s", body);
    free(body);
    ck_assert_int_eq(call(&srv, "dina", "GET", "/owners/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "admin access to <strong>this page, for Workspace Owners only"), "%s",
                  body);
    free(body);
}
END_TEST

START_TEST(test_denied_page_escapes_login)
{
    const char *login = "o'brien<x>";
    char *body;
    long st;

    add_member(&srv, login, NULL);
    st = call(&srv, login, "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(has(body, "You are signed in as <strong>o&#x27;brien&lt;x&gt;</strong>"), "%s",
                  body);
    ck_assert_msg(!has(body, "o'brien") && !has(body, "<x>"), "unescaped login in:\n%s", body);
    ck_assert_msg(iam_test_csrf(body) != NULL, "no form for %s:\n%s", login, body);
    free(body);
    /* the member can ask, and the owners' overview escapes the login too */
    ck_assert_int_eq(ask(&srv, login, WAREHOUSE, "read", "<b>please</b>"), 303);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "o&#x27;brien&lt;x&gt;") && has(body, "&lt;b&gt;please&lt;/b&gt;"),
                  "%s", body);
    ck_assert_msg(!has(body, "o'brien<x>") && !has(body, "<b>please"), "%s", body);
    free(body);
}
END_TEST

START_TEST(test_denied_page_json)
{
    const char *accept = "Accept: application/json";
    char *body, *hdrs, *ct;
    json_t *j, *res;
    long st;

    add_member(&srv, "jade", NULL);
    st = call(&srv, "jade", "GET", WAREHOUSE, NULL, NULL, accept, &body, &hdrs);
    ck_assert_int_eq(st, 403);
    ct = iam_test_header(hdrs, "Content-Type");
    ck_assert_msg(ct && !strncmp(ct, "application/json", 16), "Content-Type %s",
                  ct ? ct : "(none)");
    ck_assert_msg(has(iam_test_header(hdrs, "Cache-Control"), "no-store"), "%s", hdrs);
    j = parse_json(body);
    ck_assert_str_eq(str_at(json_object_get(j, "error"), "code"), "forbidden");
    res = json_object_get(j, "resource");
    ck_assert_str_eq(str_at(res, "type"), "warehouse");
    ck_assert_str_eq(str_at(res, "name"), "main");
    ck_assert_str_eq(str_at(j, "level"), "read");
    ck_assert_msg(json_is_true(json_object_get(j, "request_access")), "%s", body);
    ck_assert_msg(json_is_false(json_object_get(j, "request_pending")), "%s", body);
    json_decref(j);
    free(body);
    /* once asked, the JSON says pending */
    ck_assert_int_eq(ask(&srv, "jade", WAREHOUSE, "read", "json"), 303);
    ck_assert_int_eq(call(&srv, "jade", "GET", WAREHOUSE, NULL, NULL, accept, &body, NULL), 403);
    j = parse_json(body);
    ck_assert_msg(json_is_true(json_object_get(j, "request_pending")), "%s", body);
    json_decref(j);
    free(body);
    /* a browser that also takes JSON gets the page */
    st = call(&srv, "jade", "GET", "/sources/web/", NULL, NULL,
              "Accept: text/html, application/json", &body, &hdrs);
    ck_assert_int_eq(st, 403);
    ck_assert_msg(!strncmp(iam_test_header(hdrs, "Content-Type"), "text/html", 9), "%s", hdrs);
    ck_assert_msg(has(body, "<strong>the source web</strong>"), "%s", body);
    free(body);
}
END_TEST

/* ---- a non-member ---- */

START_TEST(test_non_member)
{
    char *body, *tok, *form;
    json_t *j;

    ck_assert_int_eq(call(&srv, "nora", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "You are not a member of this workspace. Ask a Workspace Owner to "
                            "invite you."),
                  "%s", body);
    ck_assert_msg(has(body, "<strong>the warehouse main</strong>"), "%s", body);
    ck_assert_msg(!has(body, "<form") && !iam_test_csrf(body), "%s", body);
    free(body);
    ck_assert_int_eq(
        call(&srv, "nora", "GET", WAREHOUSE, NULL, NULL, "Accept: application/json", &body, NULL),
        403);
    j = parse_json(body);
    ck_assert_str_eq(str_at(json_object_get(j, "error"), "code"), "not_a_member");
    ck_assert_msg(json_is_false(json_object_get(j, "request_access")), "%s", body);
    json_decref(j);
    free(body);
    /* a crafted post, even with a member's token */
    tok = owner_csrf(&srv);
    form = xprintf("csrf=%s&path=%s&level=read&message=let+me+in", tok, enc(WAREHOUSE));
    ck_assert_int_eq(
        call(&srv, "nora", "POST", "/iam/request-access", FORM, form, NULL, &body, NULL), 403);
    free(body);
    ck_assert_int_eq(nrequests(&srv, "nora"), 0);
    ck_assert_int_eq(nrequests_in_all(&srv, "nora"), 0);
}
END_TEST

void rq_add_page_tests(TCase *tc)
{
    tcase_add_test(tc, test_denied_page_html);
    tcase_add_test(tc, test_denied_page_escapes_login);
    tcase_add_test(tc, test_denied_page_json);
}

void rq_add_page_tests_late(TCase *tc)
{
    tcase_add_test(tc, test_non_member);
}
