/* Hostile input: the console's forms. Posts that must not pass the gate
 * (no token, a wrong or foreign one, another origin, another content
 * type); form bodies that cannot be read as a form or hold values the
 * checks refuse (bad escapes, NUL bytes, control characters, invalid
 * UTF-8, over 64 KiB); a repeated field, of which the first counts. */
#include "hostile_test.h"

#include <jansson.h>
#include <string.h>

/* The owner's CSRF token, read from a console page as a browser would. */
static char *owner_token(void)
{
    resp_t r = get_as("olivia", "/iam/members/new");
    char *t = iam_test_csrf(r.body);

    ck_assert_msg(r.status == 200 && t, "no token on /iam/members/new (%ld)", r.status);
    return t;
}

/* Posts that must not pass the gate (origin, type, token): 403 or 415,
 * nothing changed. Each would make max a Workspace Owner. */
START_TEST(test_console_cross_site)
{
    char *tok = owner_token(), *maxtok = max_token(), *before = export_store();
    char *grant = "action=grant&role=workspace-owner&scope=all";
    const struct {
        const char *body, *ctype, *header;
        long status;
    } rows[] = {
        {grant, FORM, NULL, 403},                                        /* no token */
        {xprintf("csrf=&%s", grant), FORM, NULL, 403},                   /* an empty one */
        {xprintf("csrf=%064d&%s", 0, grant), FORM, NULL, 403},           /* a wrong one */
        {xprintf("csrf=%s&%s", maxtok, grant), FORM, NULL, 403},         /* max's: bound to him */
        {xprintf("csrf=%.63s&%s", tok, grant), FORM, NULL, 403},         /* olivia's, cut short */
        {xprintf("csrf=%sx&%s", tok, grant), FORM, NULL, 403},           /* olivia's, made longer */
        {xprintf("csrf=bogus&csrf=%s&%s", tok, grant), FORM, NULL, 403}, /* the first one counts */
        {xprintf("csrf=%s&%s", tok, grant), FORM, "Origin: http://evil.example", 403},
        {xprintf("csrf=%s&%s", tok, grant), FORM, "Origin: null", 403},
        {xprintf("csrf=%s&%s", tok, grant), FORM, "Referer: http://evil.example/iam/", 403},
        {xprintf("csrf=%s&%s", tok, grant), "text/plain", NULL, 415},
        {xprintf("csrf=%s&%s", tok, grant), "multipart/form-data; boundary=x", NULL, 415},
        {xprintf("csrf=%s&%s", tok, grant), NULL, NULL, 415},
    };
    int i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *hdrs[] = {rows[i].header, NULL};
        resp_t r =
            call("POST", "/iam/members/max", userpass("olivia"), rows[i].ctype, rows[i].body, hdrs);
        ck_status(xprintf("console post #%d (%s)", i, rows[i].header ? rows[i].header : ""),
                  r.status, rows[i].status);
    }
    ck_same_store("refused console posts", before);
    passed();
}
END_TEST

/* Form bodies that cannot be read as a form, or values the checks
 * refuse: 4xx, nothing changed. With a valid token, as olivia. */
START_TEST(test_console_bad_forms)
{
    char *tok = owner_token(), *before = export_store();
    const char *details = "action=details&email=max%40example.com&name=";
    const struct {
        const char *body;
        size_t len; /* 0: strlen */
        long status;
        const char *says; /* in the page, or NULL */
        const char *path; /* NULL: max's page */
    } rows[] = {
        /* bad %-escapes and an escaped NUL: the form is unreadable (400,
         * Apache's page); a raw control character: the name check refuses it */
        {xprintf("csrf=%s&%sMax%%zzMember", tok, details), 0, 400, NULL},
        {xprintf("csrf=%s&%sMax%%4", tok, details), 0, 400, NULL},
        {xprintf("csrf=%s&%sMax%%00Owner", tok, details), 0, 400, NULL},
        {xprintf("csrf=%s&%sMax\1Owner", tok, details), 0, 400, "control characters"},
        /* values the member checks refuse (the page says why) */
        {xprintf("csrf=%s&%sMax%%ff%%fe", tok, details), 0, 400, "not valid UTF-8"},
        {xprintf("csrf=%s&%sMax%%0d%%0aBcc:+x", tok, details), 0, 400, "control characters"},
        {xprintf("csrf=%s&%s%s", tok, details, repeat('A', 60000)), 0, 400, "too long"},
        /* over 64 KiB */
        {xprintf("csrf=%s&%s%s", tok, details, repeat('A', 70000)), 0, 413, NULL},
        /* an invitation of 60000 empty pairs and no email */
        {xprintf("csrf=%s%s", tok, repeat('&', 60000)), 0, 400, "Enter the email address",
         "/iam/members"},
        /* no token, and 60000 bytes of '=' */
        {repeat('=', 60000), 0, 403, NULL, "/iam/members"},
    };
    int i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        size_t len = rows[i].len ? rows[i].len : strlen(rows[i].body);
        resp_t r = raw_request("POST", rows[i].path ? rows[i].path : "/iam/members/max",
                               auth_of("olivia"), "Content-Type: " FORM "\r\n", rows[i].body, len);
        char *what = xprintf("console form #%d", i);

        ck_status(what, r.status, rows[i].status);
        if (rows[i].says)
            ck_assert_msg(has(r.body, rows[i].says), "%s: want '%s' in:\n%s", what, rows[i].says,
                          cut(r.body));
        ck_assert_msg(!has_script_tag(r.body), "%s", cut(r.body));
    }
    /* a raw NUL byte in the body, sent as it is */
    {
        char *b = xprintf("csrf=%s&%sMaxZOwner", tok, details);
        size_t len = strlen(b);
        *strchr(b + strlen(b) - 6, 'Z') = '\0';
        resp_t r = raw_request("POST", "/iam/members/max", auth_of("olivia"),
                               "Content-Type: " FORM "\r\n", b, len);
        ck_status("a raw NUL in a form", r.status, 400);
    }
    ck_same_store("bad console forms", before);
    passed();
}
END_TEST

/* A repeated field: the first value counts, once. An owner's form that
 * says action=details and then action=remove (with the remove's
 * confirmation) changes the details and removes nobody. */
START_TEST(test_console_repeated_fields)
{
    char *tok = owner_token();
    resp_t r = call("POST", "/iam/members/twice", userpass("olivia"), FORM,
                    xprintf("csrf=%s&action=details&action=remove&confirm=remove"
                            "&email=twice%%40example.com&name=Renamed+Once&name=Renamed+Twice",
                            tok),
                    NULL);
    json_t *m;

    ck_status("action=details&action=remove", r.status, 303);
    m = ho_member_json("twice");
    ck_assert_msg(m != NULL, "the second action ran: twice was removed");
    ck_assert_str_eq(json_string_value(json_object_get(m, "name")), "Renamed Once");
    passed();
}
END_TEST

/* Adds this file's tests to the suite's TCase; returns how many. */
int ho_add_console(TCase *tc)
{
    tcase_add_test(tc, test_console_cross_site);
    tcase_add_test(tc, test_console_bad_forms);
    tcase_add_test(tc, test_console_repeated_fields);
    return 3;
}
