/* Hostile input: the path and the request line. Paths that map
 * elsewhere (dot segments, encodings, repeated slashes, case, trailing
 * dots, absolute forms), sent byte for byte, each with the status every
 * demo user must get; the same tricks on checkout's admin-only page;
 * other methods; other shapes of request line and credentials (HTTP/1.0,
 * HTTP/0.9, another host, two Authorization headers). */
#include "hostile_test.h"

#include <string.h>

static resp_t raw_get(const char *user, const char *target)
{
    return raw_request("GET", target, auth_of(user), NULL, NULL, 0);
}

/* Each path as sent, byte for byte, and the status each demo user must
 * get. `web`: Apache maps the path to /sources/web/ itself, so rita (who
 * reads every source) must get the web page there: that proves the trick
 * reaches the resource, and sam's refusal is mod_iam's. sam is Source
 * Admin on checkout only: he must never see the web page, whatever the
 * path. */
static const struct {
    const char *target;
    long sam, rita, max, nora;
    int web;
} paths[] = {
    /* the controls */
    {"/sources/web/", 403, 200, 403, 403, 1},
    {"/sources/checkout/", 200, 200, 403, 403, 0},
    /* dot segments, plain and encoded: Apache resolves them before it
     * matches <Location>, so they reach web and mod_iam decides on web */
    {"/sources/checkout/../web/", 403, 200, 403, 403, 1},
    {"/sources/checkout/%2e%2e/web/", 403, 200, 403, 403, 1},
    {"/sources/checkout/.%2E/web/", 403, 200, 403, 403, 1},
    {"/sources/checkout/../web/index.html", 403, 200, 403, 403, 1},
    {"/sources/checkout/../../sources/web/", 403, 200, 403, 403, 1},
    {"/sources/checkout/.././web/", 403, 200, 403, 403, 1},
    {"/./sources/web/", 403, 200, 403, 403, 1},
    {"/sources/./web/", 403, 200, 403, 403, 1},
    {"/sources/web/./", 403, 200, 403, 403, 1},
    {"/sources/web/.", 403, 200, 403, 403, 1},
    /* encoded letters are decoded before matching */
    {"/sources/%77eb/", 403, 200, 403, 403, 1},
    {"/sources/w%65b/index.html", 403, 200, 403, 403, 1},
    /* repeated slashes are merged (MergeSlashes On, the default) */
    {"//sources/web/", 403, 200, 403, 403, 1},
    {"/sources//web/", 403, 200, 403, 403, 1},
    {"/sources/web//", 403, 200, 403, 403, 1},
    /* the absolute form names the same path */
    {"http://127.0.0.1/sources/web/", 403, 200, 403, 403, 1},
    {"/sources/web/index.html", 403, 200, 403, 403, 1},
    /* Case changes: the file system is case-sensitive, so these are other
     * (missing) paths. /Sources/ and /SOURCES/ are outside <Location
     * "/sources/">: the <Directory>'s `Require iam-member` lets members
     * through to a 404, nora (no member) gets 403. /sources/WEB/ is in
     * the sources collection, which sam and rita may read (any source
     * grant): 404; max holds no source grant: 403. None of them is web. */
    {"/Sources/web/", 404, 404, 404, 403, 0},
    {"/SOURCES/WEB/", 404, 404, 404, 403, 0},
    {"/sources/WEB/", 404, 404, 403, 403, 0},
    /* encoded slashes: AllowEncodedSlashes Off (the default) makes Apache
     * answer 404 before any authentication, for everyone */
    {"/sources/web%2f", 404, 404, 404, 404, 0},
    {"/sources/web%2F", 404, 404, 404, 404, 0},
    {"/sources%2fweb/", 404, 404, 404, 404, 0},
    {"/sources/checkout/..%2fweb/", 404, 404, 404, 404, 0},
    {"/sources/checkout/%2e%2e%2fweb/", 404, 404, 404, 404, 0},
    /* ';' starts no path parameter in Apache: ";x" is a file name inside
     * web (refused to sam; rita may look: 404), "web;x" another directory
     * of the collection, "..;" a name under checkout (sam may look: 404) */
    {"/sources/web/;x", 403, 404, 403, 403, 0},
    {"/sources/web;x/", 404, 404, 403, 403, 0},
    {"/sources/checkout/..;/web/", 404, 404, 403, 403, 0},
    /* trailing dots: "web." and "web.." are other names on Linux (the
     * collection: 404 for source holders); "index.html." is a missing
     * file inside web, and "index.html/" path info after a static file,
     * which core refuses (404 for rita) */
    {"/sources/web./", 404, 404, 403, 403, 0},
    {"/sources/web../", 404, 404, 403, 403, 0},
    {"/sources/web/index.html.", 403, 404, 403, 403, 0},
    {"/sources/web/index.html/", 403, 404, 403, 403, 0},
    /* backslashes separate nothing on Linux */
    {"/sources/web\\", 404, 404, 403, 403, 0},
    {"/sources/checkout/..\\web\\", 404, 404, 403, 403, 0},
    /* an encoded NUL: Apache refuses it with 404 before authentication */
    {"/sources/web/%00", 404, 404, 404, 404, 0},
    {"/sources/web%00/", 404, 404, 404, 404, 0},
    /* raw invalid UTF-8 and an overlong UTF-8 "/" or ".": plain bytes of a
     * name, no separator */
    {"/sources/web/\xff\xfe", 403, 404, 403, 403, 0},
    {"/sources/%c0%afweb/", 404, 404, 403, 403, 0},
    {"/sources/checkout/%c0%ae%c0%ae/web/", 404, 404, 403, 403, 0},
    /* double encoding is decoded once: a file "%2e%2e" under checkout,
     * which sam may read (404) */
    {"/sources/checkout/%252e%252e/web/", 404, 404, 403, 403, 0},
    /* Apache refuses these itself (400): above the root, a fragment in the
     * request, an IIS-style %u escape */
    {"/../sources/web/", 400, 400, 400, 400, 0},
    {"/sources/web/#x", 400, 400, 400, 400, 0},
    {"/sources/checkout/%u002e%u002e/web/", 400, 400, 400, 400, 0},
    /* Without the slash the path is outside <Location "/sources/web/">: it
     * is the collection, which sam and rita may read, and mod_dir answers
     * 301 to /sources/web/ (which then refuses sam). The redirect carries
     * no content; max and nora are refused the collection. */
    {"/sources/web", 301, 301, 403, 403, 0},
};

START_TEST(test_path_trick)
{
    static const char *const users[] = {"sam", "rita", "max", "nora"};
    const long want[] = {paths[_i].sam, paths[_i].rita, paths[_i].max, paths[_i].nora};
    int u, refused = 0, let_in = 0;

    /* a row tests mod_iam when it would fail both if mod_iam let everyone
     * in (a 403 wanted) and if it refused everyone (another answer wanted
     * after a good login) */
    for (u = 0; u < 4; u++) {
        refused |= want[u] == 403;
        let_in |= want[u] != 403 && want[u] != 401;
    }
    apache_only = !(refused && let_in);
    for (u = 0; u < 4; u++) {
        resp_t r = raw_get(users[u], paths[_i].target);
        char *what = xprintf("GET %s as %s", paths[_i].target, users[u]);

        ck_status(what, r.status, want[u]);
        if (u != 1)
            ck_assert_msg(!has(r.body, WEB_CONTENT), "%s: the web page leaked:\n%s", what,
                          cut(r.body));
        else if (paths[_i].web)
            ck_assert_msg(has(r.body, WEB_CONTENT), "%s: not the web page:\n%s", what, cut(r.body));
    }
    passed();
}
END_TEST

/* The same tricks on the admin-only settings page of checkout
 * (IAMPermission admin): rita reads checkout, sam administers it. */
static const char *const settings_paths[] = {
    "/sources/checkout/settings/",        "/sources/checkout/%73ettings/",
    "/sources/checkout//settings/",       "/sources/checkout/settings/../settings/",
    "/sources/checkout/./settings/",      "/sources/checkout/settings/index.html",
    "/sources/web/../checkout/settings/",
};

START_TEST(test_settings_trick)
{
    resp_t r = raw_get("rita", settings_paths[_i]);

    ck_status(xprintf("GET %s as rita", settings_paths[_i]), r.status, 403);
    ck_assert_msg(!has(r.body, "<h1>sources/checkout/settings</h1>"), "%s", cut(r.body));
    r = raw_get("sam", settings_paths[_i]);
    ck_status(xprintf("GET %s as sam", settings_paths[_i]), r.status, 200);
    ck_assert_msg(has(r.body, "<h1>sources/checkout/settings</h1>"), "%s", cut(r.body));
    passed();
}
END_TEST

/* Other methods on web, as sam: each needs read (HEAD, OPTIONS, PROPFIND)
 * or edit (the rest); he has neither there. A lower-case "get" is an
 * unknown method to Apache, and so needs edit. */
START_TEST(test_web_methods)
{
    static const char *const methods[] = {"HEAD", "OPTIONS", "PROPFIND", "get", "POST",
                                          "PUT",  "DELETE",  "PATCH",    "FOO"};
    resp_t r;
    int i;

    for (i = 0; i < ARRAY_LEN(methods); i++) {
        r = raw_request(methods[i], "/sources/web/", auth_of("sam"), NULL, "x=1", 3);
        ck_status(xprintf("%s /sources/web/ as sam", methods[i]), r.status, 403);
        ck_assert_msg(!has(r.body, WEB_CONTENT), "%s", cut(r.body));
    }
    /* TRACE is answered by Apache's core in map_to_storage, before authn
     * and authz (TraceEnable is on by default): 200, but the body only
     * echoes the request back, never the resource. (`TraceEnable Off`
     * turns it into a 405.) */
    r = raw_request("TRACE", "/sources/web/", auth_of("sam"), NULL, NULL, 0);
    ck_status("TRACE /sources/web/ as sam", r.status, 200);
    ck_assert_msg(has(r.head, "message/http") && has(r.body, "TRACE /sources/web/ HTTP/1.1") &&
                      !has(r.body, WEB_CONTENT),
                  "TRACE answered:\n%s%s", r.head, cut(r.body));
    passed();
}
END_TEST

/* Other shapes of request line and credentials. */
START_TEST(test_web_request_forms)
{
    char *wrong = basic_line("olivia", "not-her-password");
    char *http10 = xprintf("GET /sources/web/ HTTP/1.0\r\n%s\r\n", auth_of("sam"));
    resp_t r = raw_send(http10, strlen(http10));

    ck_status("HTTP/1.0 without Host as sam", r.status, 403);
    ck_assert_msg(!has(r.body, WEB_CONTENT), "%s", cut(r.body));

    /* HTTP/0.9 carries no headers, so no credentials: the answer is the
     * bare body of a 401, without a status line */
    r = raw_send("GET /sources/web/\r\n", 19);
    ck_assert_msg(r.status == 0 && has(r.body, "401 Unauthorized") && !has(r.body, WEB_CONTENT),
                  "HTTP/0.9: status %ld:\n%s", r.status, cut(r.body));

    /* an absolute URI naming another host still names this path */
    r = raw_request("GET", "http://evil.example/sources/web/", auth_of("sam"), NULL, NULL, 0);
    ck_status("absolute URI of another host as sam", r.status, 403);

    /* Two Authorization headers: Apache joins them ("Basic A, Basic B")
     * and mod_auth_basic decodes the first credentials only. sam's first:
     * he is sam (403); a wrong password for olivia first: 401. */
    r = raw_request("GET", "/sources/web/", xprintf("%s%s", auth_of("sam"), wrong), NULL, NULL, 0);
    ck_status("sam's credentials, then olivia's with a wrong password", r.status, 403);
    apache_only = 1; /* mod_auth_basic's answer, whatever mod_iam would say */
    r = raw_request("GET", "/sources/web/", xprintf("%s%s", wrong, auth_of("sam")), NULL, NULL, 0);
    apache_only = 0;
    ck_status("olivia's with a wrong password, then sam's", r.status, 401);
    ck_assert_msg(!has(r.body, WEB_CONTENT), "%s", cut(r.body));
    passed();
}
END_TEST

/* Adds this file's tests to the suite's TCase; returns how many. */
int ho_add_paths(TCase *tc)
{
    tcase_add_loop_test(tc, test_path_trick, 0, ARRAY_LEN(paths));
    tcase_add_loop_test(tc, test_settings_trick, 0, ARRAY_LEN(settings_paths));
    tcase_add_test(tc, test_web_methods);
    tcase_add_test(tc, test_web_request_forms);
    return ARRAY_LEN(paths) + ARRAY_LEN(settings_paths) + 2;
}
