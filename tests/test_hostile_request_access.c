/* Hostile input: asking for access. Abuse of the request-access endpoint
 * (pages that refuse nothing, paths that are no local path, messages too
 * long or not text, the gate's token, origin and membership), refused
 * with nothing stored; a message with CR/LF that makes no header in the
 * redirect or the owners' mail; markup in a path, shown escaped; paths
 * that name a configuration error or leave the console by dot segments. */
#include "hostile_test.h"

#include <jansson.h>
#include <string.h>
#include <unistd.h>

/* max's open requests, as the API lists them. */
static char *requests_of_max(void)
{
    resp_t r = get_as("olivia", "/iam/api/v1/requests?login=max");

    ck_assert_msg(r.status == 200, "GET requests: %ld", r.status);
    return r.body;
}

/* Abuse of the request-access endpoint: refused, nothing stored. */
START_TEST(test_request_access_refused)
{
    char *tok = max_token(), *before = requests_of_max(), *store = export_store();
    const struct {
        const char *user, *body, *header;
        long status;
        const char *says;
    } rows[] = {
        /* a page that lets max in (the workspace home): nothing to ask */
        {"max", "path=/nowhere/", NULL, 400, "does not refuse you"},
        {"max", "path=/", NULL, 400, "does not refuse you"},
        /* a path that is no local path */
        {"max", "path=", NULL, 400, NULL},
        {"max", "path=sources/web/", NULL, 400, NULL},
        {"max", "path=//evil.example/", NULL, 400, NULL},
        {"max", "path=/%5Cevil.example/", NULL, 400, NULL},
        {"max", "path=http://evil.example/sources/web/", NULL, 400, NULL},
        {"max", "path=/sources/web/%0d%0aX-Evil:+1", NULL, 400, NULL},
        {"max", xprintf("path=/sources/web/%s", repeat('a', 2000)), NULL, 400, NULL},
        /* messages: over 1000 characters, invalid UTF-8, a NUL */
        {"max", xprintf("path=/sources/web/&message=%s", repeat('A', 10240)), NULL, 400,
         "too long"},
        {"max", "path=/sources/web/&message=%ff%fe", NULL, 400, "not valid UTF-8"},
        {"max", "path=/sources/web/&message=a%00b", NULL, 400, NULL},
        {"max", "path=/sources/web/&message=a%zzb", NULL, 400, NULL},
        /* the gate: token, origin, membership, login */
        {"max", "csrf=0&path=/sources/web/", NULL, 403, NULL},
        {"max", "csrf=&path=/sources/web/", NULL, 403, NULL},
        {"max", "path=/sources/web/", "Origin: http://evil.example", 403, NULL},
        {"nora", "path=/sources/web/", NULL, 403, "not a member"},
        {NULL, "path=/sources/web/", NULL, 401, NULL},
    };
    int i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *hdrs[] = {rows[i].header, NULL};
        /* the token first (a later "csrf=" is a repeat, and the first counts) */
        char *body = xprintf("csrf=%s&%s", tok, rows[i].body);
        resp_t r;
        char *what = xprintf("request-access #%d (%.60s)", i, rows[i].body);

        if (!strncmp(rows[i].body, "csrf=", 5))
            body = (char *)rows[i].body;
        r = call("POST", "/iam/request-access", userpass(rows[i].user), FORM, body, hdrs);
        ck_status(what, r.status, rows[i].status);
        if (rows[i].says)
            ck_assert_msg(has(r.body, rows[i].says), "%s: want '%s' in:\n%s", what, rows[i].says,
                          cut(r.body));
        ck_assert_msg(!has_script_tag(r.body) && !iam_test_header(r.head, "X-Evil"), "%s:\n%s%s",
                      what, r.head, cut(r.body));
    }
    /* a GET changes nothing */
    {
        resp_t r = get_as("max", "/iam/request-access?path=/sources/web/");
        ck_status("GET request-access", r.status, 405);
    }
    ck_assert_msg(!strcmp(before, requests_of_max()), "max's requests changed:\n%s\n%s", before,
                  requests_of_max());
    ck_same_store("refused access requests", store);
    passed();
}
END_TEST

/* A message with CR/LF is stored as typed (it is text the owners read),
 * and makes no header: not in the redirect, not in the owners' mail. */
START_TEST(test_request_access_crlf_message)
{
    char *tok = max_token(), *box, *msg, *p;
    resp_t r =
        call("POST", "/iam/request-access", userpass("max"), FORM,
             xprintf("csrf=%s&path=/sources/ios/&message=line1%%0d%%0aBcc:+evil%%40example.net"
                     "%%0d%%0a%%0d%%0abody",
                     tok),
             NULL);
    json_t *j;
    size_t k;
    int tries, found = 0;

    ck_status("a message with CR/LF", r.status, 303);
    ck_assert_msg(!iam_test_header(r.head, "Bcc"), "%s", r.head);
    j = json_loads(requests_of_max(), 0, NULL);
    for (k = 0; k < json_array_size(json_object_get(j, "requests")); k++) {
        json_t *q = json_array_get(json_object_get(j, "requests"), k);
        if (!strcmp(json_string_value(json_object_get(q, "name")), "ios")) {
            ck_assert_str_eq(json_string_value(json_object_get(q, "message")),
                             "line1\r\nBcc: evil@example.net\r\n\r\nbody");
            found = 1;
        }
    }
    ck_assert_msg(found, "the request was not stored");
    /* the owners' mail (the stand-in sendmail ends each with a line ".") */
    for (tries = 0;
         tries < 30 && !has(box = iam_test_slurp(xprintf("%s/mailbox.txt", srv.root)), "ios");
         tries++)
        usleep(100 * 1000);
    ck_assert_msg(has(box, "ios"), "no mail about the request:\n%s", box);
    for (p = box; p && *p;) {
        char *end = strstr(p, "\n.\n"), *head_end;
        msg = end ? strndup(p, (size_t)(end - p)) : strdup(p);
        head_end = strstr(msg, "\n\n");
        if (head_end)
            *head_end = '\0';
        ck_assert_msg(!has(msg, "evil@example.net") && !has(msg, "\nBcc:"),
                      "the message got into a mail's header block:\n%s", msg);
        p = end ? end + 3 : NULL;
    }
    passed();
}
END_TEST

/* A path with markup is stored, and shown escaped to the owner. */
START_TEST(test_request_access_markup_path)
{
    char *tok = max_token();
    resp_t r = call("POST", "/iam/request-access", userpass("max"), FORM,
                    xprintf("csrf=%s&path=/warehouses/main/%%3Cscript%%3Ealert(1)%%3C/script%%3E"
                            "&message=%%3Cscript%%3Ealert(2)%%3C/script%%3E",
                            tok),
                    NULL);

    ck_status("a request with markup in path and message", r.status, 303);
    r = get_as("olivia", "/iam/members/max");
    ck_status("max's page", r.status, 200);
    ck_assert_msg(has(r.body, "&lt;script&gt;alert(1)"), "%s", cut(strstr(r.body, "<main>")));
    ck_assert_msg(!has_script_tag(r.body), "%s", cut(strstr(r.body, "<main>")));
    r = get_as("olivia", "/iam/");
    ck_assert_msg(!has_script_tag(r.body), "%s", cut(strstr(r.body, "<main>")));
    passed();
}
END_TEST

/* /unmapped/ is refused only because the configuration is wrong (`Require
 * iam` with no IAMResource): authz.c refuses it "with nothing to
 * request", and its 403 offers no form. A request for it must be refused
 * too. Today it is stored as a request for an owners-only page, which an
 * owner's Approve answers with Workspace Owner. */
START_TEST(test_request_access_config_error_path)
{
    char *tok = max_token(), *before = requests_of_max();
    resp_t r = call("POST", "/iam/request-access", userpass("max"), FORM,
                    xprintf("csrf=%s&path=/unmapped/", tok), NULL);
    char *after = requests_of_max();

    ck_assert_msg(r.status == 400 && !strcmp(before, after),
                  "POST /iam/request-access path=/unmapped/ as max: status %ld, want 400 and "
                  "nothing stored; max's requests now:\n%s",
                  r.status, after);
    passed();
}
END_TEST

/* A path that starts with the console's but leaves it ("/iam/../...") maps
 * elsewhere. mod_iam decides whether it is a console request on the path
 * as sent, the rest on the path Apache resolves, so today it is filed as
 * a console request (as if max had asked for /iam/, which does refuse
 * him: Approve would make him an owner, but the owner sees "the workspace
 * console"). What must hold: it is filed as the console or as what the
 * path maps to (source web), nothing else, and nothing is granted. */
START_TEST(test_request_access_dot_segments)
{
    char *tok = max_token();
    resp_t r = call("POST", "/iam/request-access", userpass("max"), FORM,
                    xprintf("csrf=%s&path=/iam/../sources/checkout/", tok), NULL);
    json_t *j, *reqs, *m;
    size_t k;

    ck_status("path=/iam/../sources/checkout/", r.status, 303);
    j = json_loads(requests_of_max(), 0, NULL);
    reqs = json_object_get(j, "requests");
    for (k = 0; k < json_array_size(reqs); k++) {
        json_t *q = json_array_get(reqs, k);
        const char *type = json_string_value(json_object_get(q, "type"));
        const char *name = json_string_value(json_object_get(q, "name"));
        const char *path = json_string_value(json_object_get(q, "path"));
        if (!strcmp(path, "/iam/../sources/checkout/"))
            ck_assert_msg(!strcmp(type, "console") ||
                              (!strcmp(type, "source") && !strcmp(name, "checkout")),
                          "filed as %s %s", type, name);
    }
    m = ho_member_json("max");
    ck_assert_msg(m && json_is_false(json_object_get(m, "owner")), "max became an owner");
    passed();
}
END_TEST

/* Adds this file's tests to the suite's TCase; returns how many. */
int ho_add_request_access(TCase *tc)
{
    tcase_add_test(tc, test_request_access_refused);
    tcase_add_test(tc, test_request_access_crlf_message);
    tcase_add_test(tc, test_request_access_markup_path);
    tcase_add_test(tc, test_request_access_config_error_path);
    tcase_add_test(tc, test_request_access_dot_segments);
    return 5;
}
