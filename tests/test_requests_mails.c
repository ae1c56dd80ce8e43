/* mod_iam integration tests, "request access": the owners' mails. One
 * mail per owner with an email (the log names an owner without one), with
 * exactly the headers mod_iam writes: a message cannot add one. A long
 * Subject is cut at 200 bytes, never inside a character, and one that is
 * not ASCII is an RFC 2047 encoded-word. */
#include "requests_test.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the mails ---- */

START_TEST(test_one_mail_per_owner)
{
    const char *msg = "Für den Bericht: the orders table, please.";
    const char *subject = "Subject: Access request from Mia Mailer: warehouse main";
    mail_t m[MAILS_MAX];
    char *link, *log;
    int n, i, to_olivia = 0, to_owen = 0;

    add_member(&srv, "mia", "--email mia@example.com --name 'Mia Mailer'");
    ck_assert_int_eq(ask(&srv, "mia", WAREHOUSE, "read", msg), 303);
    n = mails(&srv, subject, m);
    if (n != 2) {
        char *box = iam_test_slurp(xprintf("%s/mailbox.txt", srv.root));
        size_t len = strlen(box);
        ck_abort_msg("%d mails about mia's request; the mailbox ends:\n%s", n,
                     box + (len > 2000 ? len - 2000 : 0));
    }
    link = xprintf("http://127.0.0.1:%d/iam/members/mia\n", srv.port);
    for (i = 0; i < n; i++) {
        check_header_block(&m[i]);
        ck_assert_msg(has(m[i].head, "From: iam@example.com\n"), "%s", m[i].head);
        to_olivia += has(m[i].head, "To: olivia@example.com\n");
        to_owen += has(m[i].head, "To: owen@example.com\n");
        ck_assert_msg(has(m[i].body, "Mia Mailer (mia, mia@example.com) asks for read access to "
                                     "warehouse main (/warehouses/main/)."),
                      "%s", m[i].body);
        ck_assert_msg(has(m[i].body, msg), "%s", m[i].body);
        ck_assert_msg(has(m[i].body, link), "no %s in:\n%s", link, m[i].body);
    }
    ck_assert_int_eq(to_olivia, 1);
    ck_assert_int_eq(to_owen, 1);
    /* the owner without an email: no mail, and the log says so */
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "owner 'ozzie' has no email: not told of mia's request"), "%s", log);
    ck_assert_msg(!has(log, "IAMMailCommand failed"), "%s", log);
    free(log);
}
END_TEST

START_TEST(test_mail_headers_not_injectable)
{
    const char *subject = "Subject: Access request from Ingrid Inject: warehouse main";
    mail_t m[MAILS_MAX];
    const char *l;
    int n, i;

    add_member(&srv, "ingrid", "--email ingrid@example.com --name 'Ingrid Inject'");
    ck_assert_int_eq(
        ask(&srv, "ingrid", WAREHOUSE, "read", "hi\r\nBcc: evil@example.com\r\n\r\nX-Evil: 1\r\nX"),
        303);
    n = mails(&srv, subject, m);
    ck_assert_int_eq(n, 2);
    for (i = 0; i < n; i++) {
        check_header_block(&m[i]);
        for (l = m[i].head; *l; l = strchr(l, '\n') + 1) {
            ck_assert_msg(strncasecmp(l, "Bcc", 3) && l[0] != 'X', "injected header in:\n%s",
                          m[i].head);
        }
        /* the words are there, in the body, with CRLF made LF */
        ck_assert_msg(has(m[i].body, "hi\nBcc: evil@example.com\n\nX-Evil: 1\nX"), "%s", m[i].body);
    }
}
END_TEST

static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        int n = *u < 0x80             ? 0
                : (*u & 0xe0) == 0xc0 ? 1
                : (*u & 0xf0) == 0xe0 ? 2
                : (*u & 0xf8) == 0xf0 ? 3
                                      : -1;
        if (n < 0)
            return 0;
        for (u++; n > 0; n--, u++) {
            if ((*u & 0xc0) != 0x80)
                return 0;
        }
    }
    return 1;
}

static char *base64_decode(const char *in, size_t len)
{
    static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = calloc(1, len + 1), *o = out;
    unsigned bits = 0;
    int nbits = 0;
    size_t i;

    for (i = 0; i < len && in[i] != '='; i++) {
        const char *c = strchr(abc, in[i]);
        if (!c || !in[i])
            return NULL;
        bits = (bits << 6) | (unsigned)(c - abc);
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            *o++ = (char)((bits >> nbits) & 0xff);
        }
    }
    return out;
}

/* A long Subject is cut at 200 bytes, not inside a character, and a
 * Subject that is not ASCII is an RFC 2047 encoded-word. */
START_TEST(test_mail_subject_utf8)
{
    char path[512] = "/owners/x", *subject, *text;
    const char *b64;
    mail_t m[MAILS_MAX];
    int n, i;
    size_t len;

    add_member(&srv, "uma", "--name 'Uma Utf'");
    /* "/owners/x", 60 é, "/z", 90 é (each segment under the file system's
     * 255 bytes): the Subject's cut at 200 bytes falls inside an é */
    for (i = 0; i < 150; i++)
        strcat(path, i == 60 ? "/z\xc3\xa9" : "\xc3\xa9"); /* é */
    ck_assert_int_eq(ask_with(&srv, "uma", member_csrf(&srv, "uma", "/owners/"), path, "admin",
                              "long", NULL, NULL),
                     303);
    n = mails(&srv, "Uma Utf (uma) asks for admin access to the owners-only page /owners/", m);
    ck_assert_int_eq(n, 2);
    for (i = 0; i < n; i++) {
        check_header_block(&m[i]);
        subject = strstr(m[i].head, "Subject: ") + 9;
        subject = strndup(subject, strcspn(subject, "\n"));
        ck_assert_msg(!strncmp(subject, "=?UTF-8?B?", 10) && ends_with(subject, "?="), "%s",
                      subject);
        b64 = subject + 10;
        len = strlen(b64) - 2;
        text = base64_decode(b64, len);
        ck_assert_msg(text != NULL, "not base64: %s", subject);
        ck_assert_msg(
            !strncmp(text, "Access request from Uma Utf: the owners-only page /owners/x\xc3\xa9",
                     61),
            "%s", text);
        ck_assert_msg(strlen(text) <= 200 && strlen(text) >= 198, "%zu bytes: %s", strlen(text),
                      text);
        ck_assert_msg(utf8_ok(text), "the Subject is cut inside a character: %s", text);
        ck_assert_msg(utf8_ok(m[i].body) && has(m[i].body, path), "%s", m[i].body);
    }
}
END_TEST

void rq_add_mail_tests(TCase *tc)
{
    tcase_add_test(tc, test_one_mail_per_owner);
    tcase_add_test(tc, test_mail_headers_not_injectable);
}

void rq_add_mail_tests_late(TCase *tc)
{
    tcase_add_test(tc, test_mail_subject_utf8);
}
