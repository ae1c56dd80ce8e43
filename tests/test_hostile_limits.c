/* Hostile input that Apache's own limits answer: headers over
 * LimitRequestFieldSize or LimitRequestFields, credentials that decode to
 * nothing (and a huge bearer token, which mod_iam refuses), a NUL byte in
 * a header, request lines Apache cannot read (over LimitRequestLine, a
 * bare LF, TLS on the HTTP port). Each gets its answer, no child dies,
 * and the server goes on. */
#include "hostile_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How many crashed children the error log reports so far, and the last
 * such line. */
static int crashes_logged(char **last)
{
    char *log = iam_httpd_log(&srv), *p, *line = NULL;
    int n = 0;

    for (p = log; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t len = strcspn(p, "\n");
        char *l = strndup(p, len);
        if (strstr(l, "exit signal") || strstr(l, "segfault")) {
            n++;
            line = l;
        }
    }
    if (last)
        *last = line ? line : "";
    free(log);
    return n;
}

/* Apache's own limits answer (LimitRequestFieldSize 8190,
 * LimitRequestFields 100): 400, never a 5xx, and the server goes on.
 * (Apache 2.4 says 400 where newer servers say 431.) */
START_TEST(test_oversized_headers)
{
    static const char nul_header[] = "GET /sources/checkout/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Connection: close\r\nX-N: a\0b\r\n\r\n";
    char *many = "";
    resp_t r;
    int i;

    for (i = 0; i < 120; i++)
        many = xprintf("%sX-H%d: v\r\n", many, i);
    apache_only = 1; /* Apache's limits and its Basic parser answer, but for the API's token */
    r = raw_request("GET", "/sources/checkout/", auth_of("sam"),
                    xprintf("X-Big: %s\r\n", repeat('a', 10000)), NULL, 0);
    ck_status("a 10000-byte header", r.status, 400);
    ck_still_serving("a 10000-byte header");
    r = raw_request("GET", "/sources/checkout/",
                    xprintf("Authorization: Basic %s\r\n", repeat('A', 10000)), NULL, NULL, 0);
    ck_status("a 10000-byte Authorization", r.status, 400);
    ck_still_serving("a 10000-byte Authorization");
    r = raw_request("GET", "/sources/checkout/", auth_of("sam"), many, NULL, 0);
    ck_status("120 headers", r.status, 400);
    ck_still_serving("120 headers");
    /* within the limits, credentials that decode to nothing: 401 */
    r = raw_request("GET", "/sources/checkout/",
                    xprintf("Authorization: Basic %s\r\n", repeat('A', 7000)), NULL, NULL, 0);
    ck_status("a 7000-byte Basic of nothing", r.status, 401);
    r = raw_request("GET", "/sources/checkout/", "Authorization: Basic !!!!****\r\n", NULL, NULL,
                    0);
    ck_status("Basic that is not base64", r.status, 401);
    r = raw_request("GET", "/sources/checkout/",
                    xprintf("Authorization: Basic %s\r\n", base64("sam", 3)), NULL, NULL, 0);
    ck_status("Basic without a colon", r.status, 401);
    /* "sam\0olivia" decodes to the C string "sam" with no password */
    r = raw_request("GET", "/sources/checkout/",
                    xprintf("Authorization: Basic %s\r\n", base64("sam\0olivia:sam-pw", 17)), NULL,
                    NULL, 0);
    ck_status("Basic with a NUL in the login", r.status, 401);
    /* a huge bearer token on the API: mod_iam refuses it (401, JSON) */
    apache_only = 0;
    r = raw_request(
        "GET", "/iam/api/v1/members",
        xprintf("Authorization: Bearer tok_%s.%s\r\n", repeat('x', 4000), repeat('y', 3000)), NULL,
        NULL, 0);
    ck_status("a 7000-byte bearer token", r.status, 401);
    ck_json_error("a 7000-byte bearer token", &r, "invalid_token");
    apache_only = 1;
    /* a bearer token anywhere else is no login at all */
    r = raw_request("GET", "/sources/checkout/", "Authorization: Bearer tok_x.y\r\n", NULL, NULL,
                    0);
    ck_status("a bearer token on a page", r.status, 401);
    /* a NUL byte in a header value: Apache refuses the request */
    r = raw_send(nul_header, sizeof(nul_header) - 1);
    ck_status("a NUL in a header", r.status, 400);
    ck_still_serving("the oversized headers");
    apache_only = 0;
    passed();
}
END_TEST

/* Requests Apache cannot even read a request line from. Apache alone
 * answers 414 (a request line over LimitRequestLine, 8190 bytes) or 400
 * (a line ended by a bare LF; TLS handshake bytes on the HTTP port) and
 * goes on. The answer must come, and no child may die. */
static const struct {
    const char *name;
    long status;
} unreadable[] = {
    {"a 9000-byte request line", 414},
    {"a request line ended by a bare LF", 400},
    {"a TLS ClientHello on the HTTP port", 400},
};

START_TEST(test_unreadable_request_line)
{
    int before = crashes_logged(NULL), after;
    char *data, *line;
    size_t len;
    resp_t r;

    switch (_i) {
    case 0:
        data = xprintf("GET /sources/checkout/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
                       repeat('a', 9000), auth_of("sam"));
        len = strlen(data);
        break;
    case 1:
        data = "GET /sources/checkout/ HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n\n";
        len = strlen(data);
        break;
    default:
        data = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"
               "abcdefghijabcdefghijabcdefghij12\r\n\r\n";
        len = 11 + 32 + 4;
        break;
    }
    r = raw_send(data, len);
    usleep(1500 * 1000); /* the parent logs a dead child within a second */
    after = crashes_logged(&line);
    ck_assert_msg(after == before, "%s: %d child process(es) died, the client got %zu bytes; %s",
                  unreadable[_i].name, after - before, r.len, line);
    ck_status(unreadable[_i].name, r.status, unreadable[_i].status);
    ck_still_serving(unreadable[_i].name);
    passed();
}
END_TEST

/* Adds this file's tests to the suite's TCase; returns how many. */
int ho_add_limits(TCase *tc)
{
    tcase_add_test(tc, test_oversized_headers);
    tcase_add_loop_test(tc, test_unreadable_request_line, 0, ARRAY_LEN(unreadable));
    return ARRAY_LEN(unreadable) + 1;
}
