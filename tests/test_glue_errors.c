/* mod_iam tests, the "glue" suite (glue_test.h): the one shape of every
 * JSON error ({"error":{"code":CODE,"message":MESSAGE}}, iam_web.h), read
 * back with jansson, whatever the message holds: quotes, backslashes,
 * line breaks, and the odd bytes of a name echoed from a URL, replaced;
 * the short HTML error page and the console's page shell, every value
 * escaped (iam_html.h); the escapes of links. */
#include "glue_test.h"

#include <jansson.h>

/* The code and message of a JSON error body, checked for its shape:
 * one key "error", holding exactly "code" and "message", both strings. */
static void error_of(const char *body, const char **code, const char **message)
{
    json_error_t jerr;
    json_t *j, *e;

    ck_assert_ptr_nonnull(body);
    j = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);
    ck_assert_msg(j != NULL, "not JSON (%s): %s", jerr.text, body);
    ck_assert_int_eq(json_object_size(j), 1);
    e = json_object_get(j, "error");
    ck_assert_msg(json_is_object(e) && json_object_size(e) == 2, "shape: %s", body);
    ck_assert(json_is_string(json_object_get(e, "code")));
    ck_assert(json_is_string(json_object_get(e, "message")));
    *code = apr_pstrdup(glue_pool, json_string_value(json_object_get(e, "code")));
    *message = apr_pstrdup(glue_pool, json_string_value(json_object_get(e, "message")));
    json_decref(j);
}

/* The message as the body carries it. */
static const char *message_of(const char *message)
{
    const char *code, *got;

    error_of(iam_web_error_json(glue_pool, "invalid", message), &code, &got);
    ck_assert_str_eq(code, "invalid");
    return got;
}

START_TEST(test_json_error_shape)
{
    const char *body = iam_web_error_json(glue_pool, "not_found", "No member 'bob'.");
    const char *code, *message;

    ck_assert_str_eq(body,
                     "{\"error\":{\"code\":\"not_found\",\"message\":\"No member 'bob'.\"}}\n");
    error_of(body, &code, &message);
    ck_assert_str_eq(code, "not_found");
    ck_assert_str_eq(message, "No member 'bob'.");
}
END_TEST

START_TEST(test_json_error_object)
{
    json_t *j = iam_web_error_object(glue_pool, "plan_limit", "Groups need the team plan.");
    json_t *e = json_object_get(j, "error");

    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(json_object_size(j), 1);
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "plan_limit");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
                     "Groups need the team plan.");
    json_decref(j);
}
END_TEST

/* Quotes, backslashes, line breaks and tabs are text: escaped in the
 * body, the same once read back. */
START_TEST(test_json_error_escapes)
{
    const char *tricky = "say \"hi\" \\ and\nthen\ttab, </script> \xc3\xa9t\xc3\xa9 \xe2\x9c\x93";
    const char *body = iam_web_error_json(glue_pool, "invalid", tricky);

    ck_assert_ptr_nonnull(strstr(body, "say \\\"hi\\\" \\\\ and\\nthen\\ttab"));
    ck_assert_str_eq(message_of(tricky), tricky);
    ck_assert_str_eq(message_of(""), "");
}
END_TEST

/* A message that is not valid text has its odd bytes replaced, and only
 * those: bytes that begin no UTF-8 character, cut or overlong ones,
 * surrogates, control characters (DEL too); the rest of its text, line
 * breaks and tabs included, as it was. */
START_TEST(test_json_error_odd_bytes)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"bad \xff\xfe name", "bad ?? name"},
        {"a\x01"
         "b\x1b"
         "c",
         "a?b?c"},
        {"cut \xc3", "cut ?"},
        {"overlong \xc0\xaf", "overlong ??"},
        {"surrogate \xed\xa0\x80", "surrogate ???"},
        {"lead then ascii \xe2x", "lead then ascii ?x"},
        {"del\x7f", "del?"},
        {"caf\xc3\xa9 \xff", "caf\xc3\xa9 ?"},
        {"\xe2\x9c\x93 \x80 \xe2\x9c\x93", "\xe2\x9c\x93 ? \xe2\x9c\x93"},
        {"line\nbreak\ttab \xff", "line\nbreak\ttab ?"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = message_of(cases[i].in);
        ck_assert_msg(!strcmp(got, cases[i].out), "case %zu: \"%s\", want \"%s\"", i, got,
                      cases[i].out);
    }
}
END_TEST

/* A message past 4 KiB is cut there (still valid JSON); one within
 * stays whole. */
START_TEST(test_json_error_long)
{
    char *big = apr_palloc(glue_pool, 10001);
    const char *got;

    memset(big, 'x', 10000);
    big[10000] = '\0';
    got = message_of(big);
    ck_assert_uint_eq(strlen(got), 4096);
    big[4096] = '\0';
    ck_assert_str_eq(message_of(big), big);
}
END_TEST

/* ---- HTML ---- */

START_TEST(test_html_escape)
{
    ck_assert_str_eq(iam_h(glue_pool, "<a href=\"x\" title='y'>&amp;</a>"),
                     "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;amp;&lt;/a&gt;");
    ck_assert_str_eq(iam_h(glue_pool, NULL), "");
    ck_assert_str_eq(iam_h(glue_pool, "plain \xc3\xa9"), "plain \xc3\xa9");
}
END_TEST

START_TEST(test_html_error_page_escapes)
{
    const char *page = iam_html_error_page(
        glue_pool, "<T&\"'>", "<script>alert('x')</script> & \"q\"", "/back?a=1&b=\"<x>\"");

    ck_assert_ptr_nonnull(strstr(page, "<title>&lt;T&amp;&quot;&#x27;&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(page, "<h1>&lt;T&amp;&quot;&#x27;&gt;</h1>"));
    ck_assert_ptr_nonnull(strstr(
        page, "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;</p>"));
    ck_assert_ptr_nonnull(
        strstr(page, "<a href=\"/back?a=1&amp;b=&quot;&lt;x&gt;&quot;\">Back</a>"));
    ck_assert_ptr_null(strstr(page, "<script"));
    ck_assert_ptr_null(strstr(page, "<T"));
    ck_assert_ptr_nonnull(strstr(page, "<!doctype html>"));
    ck_assert_ptr_nonnull(strstr(page, "<meta charset=\"utf-8\">"));
}
END_TEST

START_TEST(test_html_error_page_without_back)
{
    const char *page = iam_html_error_page(glue_pool, "Access management", "Log in first.", NULL);

    ck_assert_ptr_nonnull(strstr(page, "<p>Log in first.</p>"));
    ck_assert_ptr_null(strstr(page, "<a "));
    ck_assert_ptr_null(strstr(page, "Back"));
    /* no value at all is no crash either */
    page = iam_html_error_page(glue_pool, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(page, "<h1></h1><p></p>"));
}
END_TEST

/* Links: a path segment escapes '/' too; a query value is form-encoded. */
START_TEST(test_url_escapes)
{
    ck_assert_str_eq(iam_url_segment(glue_pool, "a b/c?d#e%f"), "a%20b%2fc%3fd%23e%25f");
    ck_assert_str_eq(iam_url_segment(glue_pool, "olivia@example.com"), "olivia@example.com");
    ck_assert_str_eq(iam_url_segment(glue_pool, NULL), "");
    ck_assert_str_eq(iam_url_query(glue_pool, "a b&c=d/\xc3\xa9+"), "a+b%26c%3dd%2f%c3%a9%2b");
    ck_assert_str_eq(iam_url_query(glue_pool, NULL), "");
}
END_TEST

/* The console's page shell, written through ap_rprintf and ap_rputs:
 * every value escaped, the current tab marked, the notice's style. */
START_TEST(test_page_shell)
{
    request_rec *r = stub_request(glue_pool, glue_main, stub_dir_conf(TOP), "GET", "/iam/groups");
    iam_web_t w;
    const char *out;

    memset(&w, 0, sizeof(w));
    w.r = r;
    w.ws = WS;
    w.base = "/iam";
    r->user = "<b>olivia</b>";
    iam_page_begin(&w, "Groups & <teams>", "groups", "Saved \"x\".", 1);
    iam_page_end(&w);
    out = stub_output(NULL);
    ck_assert_str_eq(r->content_type, "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(out, "<title>Groups &amp; &lt;teams&gt; · Access management"));
    ck_assert_ptr_nonnull(strstr(out, "<h1>Groups &amp; &lt;teams&gt;</h1>"));
    ck_assert_ptr_nonnull(strstr(out, "&lt;b&gt;olivia&lt;/b&gt;"));
    ck_assert_ptr_nonnull(strstr(out, "business plan"));
    ck_assert_ptr_nonnull(
        strstr(out, "<a href=\"/iam/groups\" class=\"current\" aria-current=\"page\">Groups</a>"));
    ck_assert_ptr_nonnull(strstr(out, "<a href=\"/iam/members\">Users</a>"));
    ck_assert_ptr_nonnull(
        strstr(out, "<p class=\"notice error\" role=\"alert\">Saved &quot;x&quot;.</p>"));
    ck_assert_ptr_null(strstr(out, "<b>"));
    ck_assert_ptr_nonnull(strstr(out, "</main>\n</body></html>\n"));
    /* a status notice, and none at all */
    r = stub_request(glue_pool, glue_main, stub_dir_conf(TOP), "GET", "/iam/");
    w.r = r;
    iam_page_begin(&w, "Overview", "home", "Done.", 0);
    ck_assert_ptr_nonnull(
        strstr(stub_output(NULL), "<p class=\"notice\" role=\"status\">Done.</p>"));
    r = stub_request(glue_pool, glue_main, stub_dir_conf(TOP), "GET", "/iam/");
    w.r = r;
    iam_page_begin(&w, "Overview", "home", "", 0);
    ck_assert_ptr_null(strstr(stub_output(NULL), "notice"));
}
END_TEST

void glue_add_errors(Suite *s)
{
    TCase *tc;

    tc = glue_tcase("json errors", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_json_error_shape);
    tcase_add_test(tc, test_json_error_object);
    tcase_add_test(tc, test_json_error_escapes);
    tcase_add_test(tc, test_json_error_odd_bytes);
    tcase_add_test(tc, test_json_error_long);
    suite_add_tcase(s, tc);

    tc = glue_tcase("html", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_html_escape);
    tcase_add_test(tc, test_html_error_page_escapes);
    tcase_add_test(tc, test_html_error_page_without_back);
    tcase_add_test(tc, test_url_escapes);
    tcase_add_test(tc, test_page_shell);
    suite_add_tcase(s, tc);
}
