/* mod_iam integration tests, "request access": filing a request. The
 * form's post is stored (and mailed, audited, shown in the console) only
 * for a page that refuses its member, as the resource and level that page
 * refused, whatever the form names; asking again updates the message; the
 * console and the owners-only page can be asked for too; the mail's link
 * names this server whatever the Host. Refused input (message, CSRF token,
 * Origin, Referer, path, method) stores and mails nothing. */
#include "requests_test.h"

#include <stdlib.h>
#include <string.h>

/* ---- storing ---- */

/* A request is only for a page that refuses its member (review finding):
 * a path that lets them in, or has no resource, is refused and nothing
 * is stored (approving "owners:*" would have made them an owner). */
START_TEST(test_request_only_for_a_refusal)
{
    char *tok = member_csrf(&srv, "rita", "/warehouses/main/"), *out;
    static const char *const paths[] = {"/", "/nope/", "/sources/web/"};
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        ck_assert_int_eq(ask_with(&srv, "rita", tok, paths[i], "read", "let me in", &out, NULL),
                         400);
        ck_assert_msg(has(out, "does not refuse you"), "%s: %s", paths[i], out);
        free(out);
    }
    ck_assert_int_eq(nrequests(&srv, "rita"), 0);
    free(tok);
}
END_TEST

/* A request for a resource a path template names: filed for that name
 * (which the subrequest that found the refusal held, and let go of). */
START_TEST(test_request_for_a_templated_resource)
{
    add_member(&srv, "tess", "");
    ck_assert_int_eq(ask(&srv, "tess", "/apps/shop/", "read", "the shop, please"), 303);
    ck_assert_str_eq(status_of(&srv, "tess", "source", "shop"), "open");
}
END_TEST

/* The link in the owners' mail names this server, whatever Host the
 * requester sent (review finding). */
START_TEST(test_mail_link_ignores_host_header)
{
    char *tok, *body, *raw;
    long st;

    add_member(&srv, "hank", "");
    tok = member_csrf(&srv, "hank", "/warehouses/main/");
    body = xprintf("csrf=%s&level=read&path=%s&message=hostile", tok, enc("/warehouses/main/"));
    st = call(&srv, "hank", "POST", "/iam/request-access", FORM, body, "Host: evil.example", NULL,
              NULL);
    ck_assert_int_eq(st, 303);
    raw = iam_httpd_log(&srv); /* keep the log in failure messages small: check the mailbox */
    free(raw);
    ck_assert_int_eq(
        iam_test_run(&raw, NULL, "grep -c 'evil.example' '%s/mailbox.txt' || true", srv.root), 0);
    ck_assert_msg(atoi(raw) == 0, "a mail links to the Host header's site");
    free(raw);
    free(body);
    free(tok);
}
END_TEST

START_TEST(test_request_is_stored)
{
    const char *msg1 = "I need the main warehouse for the Q3 report";
    const char *msg2 = "Read access is enough, thanks";
    const char *subject = "Subject: Access request from Max Member: warehouse main";
    mail_t m[MAILS_MAX];
    char *tok, *body, *hdrs, *loc;
    json_t *list, *q;
    long st;

    tok = member_csrf(&srv, "max", WAREHOUSE);
    /* type and name of the form are ignored: the path says what it is */
    st = ask_with(&srv, "max", tok, WAREHOUSE, "read", msg1, &body, &hdrs);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, body);
    loc = iam_test_header(hdrs, "Location");
    ck_assert_msg(ends_with(loc, "/warehouses/main/"), "Location %s", loc ? loc : "(none)");
    ck_assert_str_eq(loc, xprintf("http://127.0.0.1:%d/warehouses/main/", srv.port));
    free(body);
    list = requests_of(&srv, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    q = json_array_get(list, 0);
    ck_assert_str_eq(str_at(q, "login"), "max");
    ck_assert_str_eq(str_at(q, "type"), "warehouse");
    ck_assert_str_eq(str_at(q, "name"), "main");
    ck_assert_str_eq(str_at(q, "level"), "read");
    ck_assert_str_eq(str_at(q, "path"), WAREHOUSE);
    ck_assert_str_eq(str_at(q, "message"), msg1);
    json_decref(list);
    ck_assert_int_eq(nrequests_in_all(&srv, "max"), 1);
    ck_assert_msg(audited(&srv, "request.open", "max", "member:max"), "no request.open audit");
    ck_assert_int_eq(mails(&srv, subject, m), 2);
    /* the refused page now says it is pending, without a form */
    ck_assert_int_eq(call(&srv, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "Your request for access is pending"), "%s", body);
    ck_assert_msg(!has(body, "<form") && !has(body, "name=\"csrf\""), "%s", body);
    free(body);
    /* asking again updates the message: one request, no new mail */
    ck_assert_int_eq(ask_with(&srv, "max", tok, WAREHOUSE, "read", msg2, NULL, NULL), 303);
    list = requests_of(&srv, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_str_eq(str_at(json_array_get(list, 0), "message"), msg2);
    json_decref(list);
    ck_assert_int_eq(mails(&srv, subject, m), 2);
    /* within a minute of the first ask an update is not audited (a loop of
     * asks must not fill the store) */
    ck_assert_msg(!audited(&srv, "request.update", "max", "member:max"),
                  "request.update audited within a minute");
    /* the console shows it, on the overview and the member's page */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "read access to warehouse main") && has(body, msg2) &&
                      has(body, "name=\"rlogin\" value=\"max\""),
                  "%s", body);
    free(body);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/max", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, "Access requests") && has(body, msg2), "%s", body);
    free(body);
}
END_TEST

START_TEST(test_message_of_1000_bytes_accepted)
{
    char msg[1001];
    json_t *list;

    add_member(&srv, "mel", NULL);
    memset(msg, 'm', 1000);
    msg[1000] = '\0';
    ck_assert_int_eq(ask(&srv, "mel", WAREHOUSE, "read", msg), 303);
    list = requests_of(&srv, "mel");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_int_eq(strlen(str_at(json_array_get(list, 0), "message")), 1000);
    json_decref(list);
}
END_TEST

START_TEST(test_same_origin_post_accepted)
{
    char *tok, *origin, *body;

    add_member(&srv, "oscar", NULL);
    tok = member_csrf(&srv, "oscar", WAREHOUSE);
    origin = xprintf("Origin: http://127.0.0.1:%d", srv.port);
    body = xprintf("csrf=%s&path=%s&level=read&message=hi", tok, enc(WAREHOUSE));
    ck_assert_int_eq(
        call(&srv, "oscar", "POST", "/iam/request-access", FORM, body, origin, NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&srv, "oscar"), 1);
}
END_TEST

/* ---- refused input: nothing stored, nothing mailed ---- */

enum { TOK_GOOD, TOK_NONE, TOK_WRONG, TOK_OWNER };

static const struct {
    const char *what;
    int tok;
    const char *path;    /* URL-encoded; NULL: none */
    const char *message; /* URL-encoded; NULL: 1001 bytes */
    const char *header;
    const char *method;
    long want;
    const char *says; /* in the answer, or NULL */
} refused[] = {
    {"a message over 1000 bytes", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", NULL, NULL, "POST", 400,
     "the message is too long"},
    {"a message with a NUL", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "a%00b", NULL, "POST", 400, NULL},
    {"a message with a control character", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "a%01b", NULL,
     "POST", 400, "the message must not contain control characters"},
    {"a message that is not UTF-8", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "a%FFb", NULL, "POST", 400,
     "the message is not valid UTF-8"},
    {"no csrf", TOK_NONE, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "POST", 403, NULL},
    {"a wrong csrf", TOK_WRONG, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "POST", 403, NULL},
    {"another user's csrf", TOK_OWNER, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "POST", 403, NULL},
    {"a foreign Origin", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "hi", "Origin: http://evil.example",
     "POST", 403, NULL},
    {"a foreign Referer", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "hi",
     "Referer: http://evil.example/page", "POST", 403, NULL},
    {"path //evil.example/x", TOK_GOOD, "%2F%2Fevil.example%2Fx", "hi", NULL, "POST", 400, NULL},
    {"path http://evil", TOK_GOOD, "http%3A%2F%2Fevil", "hi", NULL, "POST", 400, NULL},
    {"path /\\evil", TOK_GOOD, "%2F%5Cevil.example", "hi", NULL, "POST", 400, NULL},
    {"a relative path", TOK_GOOD, "warehouses%2Fmain%2F", "hi", NULL, "POST", 400, NULL},
    {"no path", TOK_GOOD, NULL, "hi", NULL, "POST", 400, NULL},
    {"a path with CR LF", TOK_GOOD, "%2Fwarehouses%2Fmain%2F%0D%0ASet-Cookie:%20x=1", "hi", NULL,
     "POST", 400, NULL},
    {"GET", TOK_GOOD, "%2Fwarehouses%2Fmain%2F", "hi", NULL, "GET", 405, NULL},
};

START_TEST(test_refused_input)
{
    char *login = xprintf("ref%d", _i), *name = xprintf("Refused Number%d", _i);
    char *tok, *body, *out, big[1002];
    long st;

    add_member(&srv, login, xprintf("--name '%s'", name));
    tok = refused[_i].tok == TOK_GOOD    ? member_csrf(&srv, login, WAREHOUSE)
          : refused[_i].tok == TOK_OWNER ? owner_csrf(&srv)
          : refused[_i].tok == TOK_WRONG ? strdup("00000000000000000000000000000000000000000000"
                                                  "00000000000000000000")
                                         : NULL;
    memset(big, 'b', 1001);
    big[1001] = '\0';
    body = xprintf("%s%s&level=read%s%s&message=%s", tok ? "csrf=" : "x=1", tok ? tok : "",
                   refused[_i].path ? "&path=" : "", refused[_i].path ? refused[_i].path : "",
                   refused[_i].message ? refused[_i].message : big);
    st = call(&srv, login, refused[_i].method, "/iam/request-access", FORM, body,
              refused[_i].header, &out, NULL);
    ck_assert_msg(st == refused[_i].want, "%s: got %ld, want %ld\n%s", refused[_i].what, st,
                  refused[_i].want, out);
    if (refused[_i].says)
        ck_assert_msg(has(out, refused[_i].says), "%s: want '%s' in:\n%s", refused[_i].what,
                      refused[_i].says, out);
    ck_assert_msg(nrequests(&srv, login) == 0, "%s: a request was stored", refused[_i].what);
    ck_assert_msg(nrequests_in_all(&srv, login) == 0, "%s: a request was stored", refused[_i].what);
    ck_assert_int_eq(mails(&srv, xprintf("Access request from %s", name), NULL), 0);
    /* the page still offers the form: nothing is pending */
    ck_assert_int_eq(call(&srv, login, "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(!has(body, "pending"), "%s: pending after a refused post:\n%s", refused[_i].what,
                  body);
    free(body);
    free(out);
}
END_TEST

START_TEST(test_request_level_is_the_refused_one)
{
    char *tok = member_csrf(&srv, "rita", "/warehouses/main/");
    json_t *list;

    ck_assert_int_eq(ask_with(&srv, "rita", tok, "/sources/web/", "admin", "more", NULL, NULL),
                     303);
    list = requests_of(&srv, "rita");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_str_eq(str_at(json_array_get(list, 0), "level"), "edit");
    json_decref(list);
    free(tok);
}
END_TEST

/* The console and an owners-only page are things to ask for too. */
START_TEST(test_request_console_and_owners_page)
{
    mail_t m[MAILS_MAX];
    json_t *list, *q;
    char *body;
    size_t i;
    int console = 0, owners = 0;

    add_member(&srv, "cora", "--name 'Cora Console'");
    ck_assert_int_eq(call(&srv, "cora", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "admin access to <strong>the workspace console</strong>"), "%s", body);
    ck_assert_msg(has(body, "name=\"type\" value=\"console\"") &&
                      has(body, "name=\"path\" value=\"/iam/\""),
                  "%s", body);
    free(body);
    ck_assert_int_eq(ask(&srv, "cora", "/iam/", "admin", "to run the console"), 303);
    ck_assert_int_eq(ask(&srv, "cora", "/owners/", "admin", "the owners page"), 303);
    list = requests_of(&srv, "cora");
    ck_assert_int_eq(json_array_size(list), 2);
    json_array_foreach(list, i, q)
    {
        ck_assert_str_eq(str_at(q, "name"), "*");
        ck_assert_str_eq(str_at(q, "level"), "admin");
        console += !strcmp(str_at(q, "type"), "console") && !strcmp(str_at(q, "path"), "/iam/");
        owners += !strcmp(str_at(q, "type"), "owners") && !strcmp(str_at(q, "path"), "/owners/");
    }
    json_decref(list);
    ck_assert_msg(console == 1 && owners == 1, "console %d, owners %d", console, owners);
    /* both pages say pending */
    ck_assert_int_eq(call(&srv, "cora", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "Your request for access is pending") && !has(body, "<form"), "%s",
                  body);
    free(body);
    ck_assert_int_eq(call(&srv, "cora", "GET", "/owners/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "Your request for access is pending") && !has(body, "<form"), "%s",
                  body);
    free(body);
    ck_assert_int_eq(
        mails(&srv, "Subject: Access request from Cora Console: the workspace console\n", m), 2);
    ck_assert_int_eq(mails(&srv,
                           "Subject: Access request from Cora Console: the owners-only page "
                           "/owners/\n",
                           m),
                     2);
}
END_TEST

/* Valid UTF-8, as mod_iam checks every text it stores. */
void rq_add_filing_tests(TCase *tc)
{
    tcase_add_test(tc, test_request_is_stored);
    tcase_add_test(tc, test_request_only_for_a_refusal);
    tcase_add_test(tc, test_mail_link_ignores_host_header);
    tcase_add_test(tc, test_request_for_a_templated_resource);
    tcase_add_test(tc, test_message_of_1000_bytes_accepted);
    tcase_add_test(tc, test_same_origin_post_accepted);
    tcase_add_loop_test(tc, test_refused_input, 0, (int)(sizeof(refused) / sizeof(refused[0])));
}

void rq_add_filing_tests_late(TCase *tc)
{
    tcase_add_test(tc, test_request_console_and_owners_page);
    tcase_add_test(tc, test_request_level_is_the_refused_one);
}
