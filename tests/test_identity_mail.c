/* mod_iam tests, suite "identity": the invitation mail (IAMMailCommand, to
 * a mailbox file). An invitation through the API or the console mails the
 * invitee a login link; re-sending is for invited members only, and for
 * owners only. */
#include "identity_test.h"

#include <stdlib.h>
#include <string.h>

/* ================= the invitation mail ================= */

static void start_mail(void)
{
    char *extra;

    iam_httpd_prepare(&srv, "invmail");
    if (iam_test_run(NULL, NULL, "touch '%s/mailbox.txt' && chmod 666 '%s/mailbox.txt'", srv.root,
                     srv.root) != 0)
        abort();
    extra = xprintf("IAMMailCommand \"%s/../conf/demo/mailbox %s/mailbox.txt\"\n"
                    "IAMMailFrom iam@example.com\n"
                    "IAMLoginURL https://login.example/",
                    iam_test_build_dir(), srv.root);
    start_or_die(&srv, "event", extra);
}

/* The messages of the mailbox (each ends with a line ".") sent to `to`;
 * the last one's text in *last. */
static int mails_to(const iam_httpd_t *h, const char *to, char **last)
{
    char *text = iam_test_slurp(xprintf("%s/mailbox.txt", h->root)), *p = text, *end;
    char *want = xprintf("\nTo: %s\n", to);
    int n = 0;

    if (last)
        *last = NULL;
    while (*p) {
        char *msg;
        end = strstr(p, "\n.\n");
        msg = end ? strndup(p, (size_t)(end - p) + 1) : strdup(p);
        if (has(xprintf("\n%s", msg), want)) {
            n++;
            if (last)
                *last = msg;
        }
        if (!end)
            break;
        p = end + 3;
    }
    return n;
}

START_TEST(test_api_invite_mails_invitee)
{
    const char *to = "mia@corp.example";
    char *body, *msg, *hdr;
    json_t *j;

    ck_assert_int_eq(
        api(&srv, "POST", "members", "{\"email\":\"mia@corp.example\",\"name\":\"Mia\"}", &body),
        201);
    ck_assert_msg(has(body, "\"invited\""), "%s", body);
    ck_assert_int_eq(mails_to(&srv, to, &msg), 1);
    ck_assert_msg(has(msg, "\n\n"), "%s", msg);
    hdr = strndup(msg, (size_t)(strstr(msg, "\n\n") - msg));
    ck_assert_msg(has(hdr, "From: iam@example.com\n"), "%s", msg);
    ck_assert_msg(has(hdr, "Subject: You are invited to the workspace"), "%s", msg);
    ck_assert_msg(has(msg, "\nhttps://login.example/\n"), "no login link in:\n%s", msg);
    ck_assert_msg(has(msg, "Mia,"), "%s", msg);
    ck_assert_msg(has(msg, "Log in as mia@corp.example"), "%s", msg);
    /* re-sent: one more */
    ck_assert_int_eq(api(&srv, "POST", "members/mia@corp.example/resend", "{}", &body), 200);
    j = parse_json(body);
    ck_assert_msg(json_is_true(json_object_get(j, "mailed")), "%s", body);
    ck_assert_str_eq(str_at(j, "login"), to);
    json_decref(j);
    ck_assert_int_eq(mails_to(&srv, to, &msg), 2);
    ck_assert_msg(has(msg, "\nhttps://login.example/\n"), "%s", msg);
    /* once mia is active, nothing to re-send */
    add_login(&srv, to);
    ck_assert_int_eq(status_of(&srv, to, "/"), 200);
    IAM_EVENTUALLY(is_active(&srv, to)); /* written just after the answer */
    ck_assert_int_eq(api(&srv, "POST", "members/mia@corp.example/resend", "{}", &body), 409);
    ck_assert_msg(has(body, "\"error\""), "%s", body);
    ck_assert_int_eq(mails_to(&srv, to, NULL), 2);
}
END_TEST

START_TEST(test_api_resend_refused)
{
    char *body;

    /* an active member */
    ck_assert_int_eq(api(&srv, "POST", "members/sam/resend", "{}", &body), 409);
    ck_assert_msg(has(body, "\"error\""), "%s", body);
    ck_assert_int_eq(mails_to(&srv, "sam@example.com", NULL), 0);
    /* an active member added through the API gets no invitation */
    ck_assert_int_eq(api(&srv, "POST", "members",
                         "{\"login\":\"moe\",\"email\":\"moe@corp.example\",\"status\":\"active\"}",
                         &body),
                     201);
    ck_assert_int_eq(mails_to(&srv, "moe@corp.example", NULL), 0);
    /* only owners */
    ck_assert_int_eq(
        call(&srv, "sam", "POST", "/iam/api/v1/members/moe/resend", JSON, "{}", NULL, NULL, NULL),
        403);
}
END_TEST

/* The README's API errors: 404 not_found for "no such member". */
START_TEST(test_api_resend_unknown_member)
{
    char *body;

    ck_assert_int_eq(api(&srv, "POST", "members/nobody@corp.example/resend", "{}", &body), 404);
    ck_assert_msg(has(body, "\"not_found\""), "%s", body);
}
END_TEST

/* The console's invitation mails the invitee; its member page re-sends. */
START_TEST(test_console_invite_mails_invitee)
{
    const char *to = "nia@corp.example";
    char *body, *hdrs, *tok, *loc, *page, *msg;

    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/new", NULL, NULL, NULL, &body, NULL),
                     200);
    tok = iam_test_csrf(body);
    ck_assert_msg(tok != NULL, "%s", body);
    ck_assert_int_eq(call(&srv, "olivia", "POST", "/iam/members", FORM,
                          xprintf("csrf=%s&email=%s&name=Nia", tok, enc(to)), NULL, &body, &hdrs),
                     303);
    loc = iam_test_header(hdrs, "Location");
    ck_assert_msg(has(loc, "done=invited-mailed"), "%s", hdrs);
    ck_assert_int_eq(mails_to(&srv, to, &msg), 1);
    ck_assert_msg(has(msg, "\nhttps://login.example/\n"), "%s", msg);
    /* the invited member's page offers to re-send */
    page = strndup(loc, strcspn(loc, "?"));
    ck_assert_int_eq(call(&srv, "olivia", "GET", page, NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "Re-send invitation"), "%s", body);
    ck_assert_int_eq(call(&srv, "olivia", "POST", page, FORM,
                          xprintf("csrf=%s&action=resend", iam_test_csrf(body)), NULL, &body,
                          &hdrs),
                     303);
    ck_assert_msg(has(iam_test_header(hdrs, "Location"), "done=resent"), "%s", hdrs);
    ck_assert_int_eq(mails_to(&srv, to, NULL), 2);
    /* an active member's page does not */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/sam", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(!has(body, "Re-send invitation"), "%s", body);
}
END_TEST

void id_add_mail(Suite *s)
{
    TCase *tc;

    tc = id_server_case("invitation_mail", start_mail);
    tcase_add_test(tc, test_api_invite_mails_invitee);
    tcase_add_test(tc, test_api_resend_refused);
    tcase_add_test(tc, test_api_resend_unknown_member);
    tcase_add_test(tc, test_console_invite_mails_invitee);
    suite_add_tcase(s, tc);
}
