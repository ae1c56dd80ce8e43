/* Hostile input: who the request claims to be. Logins with odd
 * characters (spaces, quotes, markup, UTF-8 and not, up to 2000 bytes,
 * members and not) on every page of the demo and in the owner's console,
 * always escaped; X-IAM-* headers forged by the client, replaced where
 * mod_iam forwards its own, removed where it does not, seen by no other
 * module, and opening nothing. */
#include "hostile_test.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ================= logins with odd characters ================= */

/* As mod_iam's iam_h() writes text into HTML. */
static char *html_escape(const char *s)
{
    char *out = malloc(strlen(s) * 6 + 1), *o = out;

    for (; *s; s++) {
        const char *e = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\'' ? "&#x27;"
                                     : NULL;
        if (e) {
            strcpy(o, e);
            o += strlen(e);
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static char *url_escape(const char *s)
{
    CURL *c = curl_easy_init();
    char *e = curl_easy_escape(c, s, (int)strlen(s)), *out = strdup(e);

    curl_free(e);
    curl_easy_cleanup(c);
    return out;
}

static char *odd_userpass(int i)
{
    return xprintf("%s:%s", odd_login(i), odd_pw(i));
}

/* Every odd login on the demo's pages: never a 5xx, never in unless a
 * member (and then only the workspace home), every HTML answer without
 * markup of theirs, the refused page naming them escaped. */
START_TEST(test_odd_login)
{
    static const char *const refused[] = {
        "/sources/web/",     "/sources/checkout/", "/sources/checkout/settings/",
        "/warehouses/main/", "/owners/",           "/iam/",
        "/iam/members",      "/unmapped/"};
    const char *login = odd_login(_i);
    char *up = odd_userpass(_i), *who = xprintf("odd login #%d", _i);
    const char *json_accept[] = {"Accept: application/json", NULL};
    resp_t r;
    int i;

    /* the workspace home: members only (Require iam-member) */
    r = call("GET", "/", up, NULL, NULL, NULL);
    ck_status(xprintf("%s on /", who), r.status, odd[_i].member ? 200 : 403);
    ck_assert_msg(!has_script_tag(r.body), "%s on /:\n%s", who, cut(r.body));
    for (i = 0; i < ARRAY_LEN(refused); i++) {
        r = call("GET", refused[i], up, NULL, NULL, NULL);
        ck_status(xprintf("%s on %s", who, refused[i]), r.status, 403);
        ck_assert_msg(!has_script_tag(r.body), "%s on %s:\n%s", who, refused[i], cut(r.body));
    }
    /* the refused page names the login, escaped */
    r = call("GET", "/sources/web/", up, NULL, NULL, NULL);
    ck_assert_msg(has(r.body, xprintf("signed in as <strong>%s</strong>", html_escape(login))),
                  "%s: the refused page does not name the login escaped:\n%s", who, cut(r.body));
    /* as JSON: the error says which */
    r = call("GET", "/sources/web/", up, NULL, NULL, json_accept);
    ck_status(xprintf("%s on /sources/web/ as JSON", who), r.status, 403);
    ck_json_error(who, &r, odd[_i].member ? "forbidden" : "not_a_member");
    r = call("GET", "/iam/api/v1/members", up, NULL, NULL, NULL);
    ck_status(xprintf("%s on the API", who), r.status, 403);
    ck_json_error(who, &r, "forbidden");
    /* the request form is refused to non-members; members may ask */
    if (!odd[_i].member) {
        r = call("POST", "/iam/request-access", up, FORM, "csrf=x&path=/sources/web/", NULL);
        ck_status(xprintf("%s asking for access", who), r.status, 403);
        ck_assert_msg(!has_script_tag(r.body), "%s", cut(r.body));
    }
    passed();
}
END_TEST

/* The owner's console lists and shows those members, escaped; the API
 * gives their logins back exactly. */
START_TEST(test_odd_logins_in_console)
{
    static const char *const pages[] = {"/iam/", "/iam/members", "/iam/members?q=%3Cscript%3E",
                                        "/iam/members?q=%ff%fe", "/iam/audit"};
    resp_t r;
    json_t *j, *list;
    int i, k, found;

    for (i = 0; i < ARRAY_LEN(pages); i++) {
        r = get_as("olivia", pages[i]);
        ck_status(pages[i], r.status, 200);
        ck_assert_msg(!has_script_tag(r.body), "%s:\n%s", pages[i], cut(r.body));
    }
    r = get_as("olivia", "/iam/members");
    ck_assert_msg(has(r.body, "&lt;script&gt;alert(&#x27;m&#x27;)&lt;/script&gt;"), "%s",
                  cut(strstr(r.body, "<main>")));
    for (i = 0; i < ARRAY_LEN(odd); i++) {
        /* by the query: the console's own link for a login with a '/' */
        char *path = xprintf("/iam/member?login=%s", url_escape(odd_login(i)));
        r = get_as("olivia", path);
        /* a login of 2000 bytes is more than a store key holds: the store
         * calls it invalid (400) rather than unknown (404) */
        ck_status(xprintf("member page of odd login #%d", i), r.status,
                  odd[i].member          ? 200
                  : odd[i].length > 1000 ? 400
                                         : 404);
        ck_assert_msg(!has_script_tag(r.body), "%s:\n%s", path, cut(r.body));
    }
    r = get_as("olivia", "/iam/api/v1/members?limit=500");
    ck_status("GET members", r.status, 200);
    j = json_loads(r.body, 0, NULL);
    ck_assert_msg(j != NULL, "%s", cut(r.body));
    list = json_object_get(j, "members");
    for (i = 0; i < ARRAY_LEN(odd); i++) {
        for (found = 0, k = 0; k < (int)json_array_size(list); k++)
            found |= !strcmp(json_string_value(json_object_get(json_array_get(list, k), "login")),
                             odd_login(i));
        ck_assert_msg(found == odd[i].member, "odd login #%d listed: %d", i, found);
    }
    passed();
}
END_TEST

/* ================= forged X-IAM-* headers ================= */

static const char *const forged[] = {
    "X-IAM-User: olivia", "X-IAM-Owner: true",
    "x-iam-user: olivia", "X-IAM-OWNER: 1",
    "X-Iam-Pii: true",    "X-IAM-Resource: warehouse:main",
    "X-IAM-Level: admin", NULL,
};

/* A variable of the CGI's environment, NULL when not set. */
static char *env_of(const char *out, const char *name)
{
    char *mark = xprintf("\n%s=", name), *all = xprintf("\n%s", out);
    const char *p = strstr(all, mark);

    return p ? strndup(p + strlen(mark), strcspn(p + strlen(mark), "\n")) : NULL;
}

/* Forwarding on (/sources/checkout/): the backend sees sam's own values,
 * and no module saw the client's. */
START_TEST(test_forged_headers_replaced)
{
    resp_t r = call("GET", "/sources/checkout/env.cgi", userpass("sam"), NULL, NULL, forged);

    ck_status("sam's CGI under checkout", r.status, 200);
    ck_assert_msg(has(r.body, "SCRIPT_FILENAME="), "the CGI did not run:\n%s", cut(r.body));
    ck_assert_str_eq(env_of(r.body, "HTTP_X_IAM_USER"), "sam");
    ck_assert_str_eq(env_of(r.body, "IAM_USER"), "sam");
    ck_assert_str_eq(env_of(r.body, "HTTP_X_IAM_OWNER"), "false");
    ck_assert_str_eq(env_of(r.body, "HTTP_X_IAM_PII"), "false");
    ck_assert_str_eq(env_of(r.body, "HTTP_X_IAM_RESOURCE"), "source:checkout");
    ck_assert_msg(!has(r.body, "olivia") && !has(r.body, "warehouse"), "%s", r.body);
    ck_assert_msg(!env_of(r.body, "SAW_X_IAM_USER") && !env_of(r.body, "SAW_X_IAM_OWNER"),
                  "another module saw the client's header:\n%s", r.body);
    passed();
}
END_TEST

/* Forwarding off (the workspace home): nothing of that name reaches the
 * backend. */
START_TEST(test_forged_headers_removed)
{
    resp_t r = call("GET", "/env.cgi", userpass("max"), NULL, NULL, forged);

    ck_status("max's CGI at /", r.status, 200);
    ck_assert_msg(has(r.body, "SCRIPT_FILENAME="), "the CGI did not run:\n%s", cut(r.body));
    ck_assert_str_eq(env_of(r.body, "REMOTE_USER"), "max");
    ck_assert_msg(!has(r.body, "HTTP_X_IAM_") && !has(r.body, "\nIAM_") && !has(r.body, "olivia"),
                  "a forged header reached the backend:\n%s", r.body);
    ck_assert_msg(!env_of(r.body, "SAW_X_IAM_USER") && !env_of(r.body, "SAW_X_IAM_OWNER"), "%s",
                  r.body);
    passed();
}
END_TEST

/* The forged headers open nothing: max stays max, no user stays no user. */
START_TEST(test_forged_headers_grant_nothing)
{
    static const struct {
        const char *user, *path;
        long status;
    } rows[] = {
        {"max", "/owners/", 403},
        {"max", "/iam/", 403},
        {"max", "/iam/api/v1/members", 403},
        {"max", "/sources/web/", 403},
        {"max", "/warehouses/main/", 403},
        {"nora", "/", 403},
        {NULL, "/", 401},
        {NULL, "/iam/", 401},
        {NULL, "/iam/api/v1/members", 401},
    };
    char *before = export_store();
    int i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        resp_t r;
        apache_only = !rows[i].user; /* no login: Apache's 401 */
        r = call("GET", rows[i].path, userpass(rows[i].user), NULL, NULL, forged);
        apache_only = 0;
        ck_status(xprintf("%s on %s with forged headers", rows[i].user ? rows[i].user : "no user",
                          rows[i].path),
                  r.status, rows[i].status);
    }
    /* nor a write */
    {
        resp_t r = call("POST", "/iam/api/v1/members/max/grants", userpass("max"), JSON,
                        "{\"role\":\"workspace-owner\",\"scope\":\"all\"}", forged);
        ck_status("max granting himself owner with forged headers", r.status, 403);
    }
    ck_same_store("forged headers", before);
    passed();
}
END_TEST

/* Header syntax tricks, raw: a space before the colon is refused by
 * Apache (400); a folded line (obs-fold) becomes part of the header
 * before it, so it forges nothing. */
START_TEST(test_forged_header_syntax)
{
    resp_t r = raw_request("GET", "/sources/checkout/env.cgi", auth_of("sam"),
                           "X-IAM-User : olivia\r\n", NULL, 0);

    ck_status("X-IAM-User with a space before the colon", r.status, 400);
    r = raw_request("GET", "/sources/checkout/env.cgi", auth_of("sam"),
                    "X-Foo: a\r\n X-IAM-User: olivia\r\nX-IAM-User\t: olivia\r\n", NULL, 0);
    /* a tab before the colon is as bad as a space */
    ck_status("X-IAM-User with a tab before the colon", r.status, 400);
    r = raw_request("GET", "/sources/checkout/env.cgi", auth_of("sam"),
                    "X-Foo: a\r\n X-IAM-User: olivia\r\nX_IAM_User: olivia\r\n", NULL, 0);
    ck_status("a folded X-IAM-User", r.status, 200);
    ck_assert_str_eq(env_of(r.body, "HTTP_X_IAM_USER"), "sam");
    ck_assert_str_eq(env_of(r.body, "IAM_USER"), "sam");
    ck_assert_msg(!env_of(r.body, "SAW_X_IAM_USER"), "%s", r.body);
    passed();
}
END_TEST

/* Adds this file's tests to the suite's TCase; returns how many. */
int ho_add_identity(TCase *tc)
{
    tcase_add_loop_test(tc, test_odd_login, 0, ARRAY_LEN(odd));
    tcase_add_test(tc, test_odd_logins_in_console);
    tcase_add_test(tc, test_forged_headers_replaced);
    tcase_add_test(tc, test_forged_headers_removed);
    tcase_add_test(tc, test_forged_headers_grant_nothing);
    tcase_add_test(tc, test_forged_header_syntax);
    return ARRAY_LEN(odd) + 5;
}
