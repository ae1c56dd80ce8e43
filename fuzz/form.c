/* Fuzz target: the console's request plumbing (issue 7): the body reader
 * with its size limit, the application/x-www-form-urlencoded parser that
 * reads both POST bodies and query strings, the multi-value and word
 * splitters, the CSRF check and the same-origin check.
 *
 * The input is the body, read the way read_post() in console/console.c
 * reads it (iam_web_read_body, then the strlen check, then
 * iam_web_parse_form), in pieces of a size taken from the input's length.
 * The form's Host, Origin and Referer values become those headers for the
 * same-origin check, and its csrf value is checked against user's token.
 *
 * web.c needs a few httpd functions: the tests' stand-in for httpd
 * (tests/httpd_stub.c, linked) gives them. */
#include "httpd_stub.h"

#include "../mod_iam/web.c"

#include <stdint.h>

static apr_pool_t *root;
static const unsigned char secret[32] = "0123456789abcdef0123456789abcde";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    return 0;
}

/* A POST of olivia's: one a read, as httpd reads a request's body once. */
static request_rec *new_request(apr_pool_t *p)
{
    request_rec *r =
        stub_request(p, stub_server(p, 0), iam_create_dir_conf(p, NULL), "POST", "/iam/members");

    r->user = "olivia";
    return r;
}

static int touch_entry(void *ctx, const char *key, const char *value)
{
    *(size_t *)ctx += strlen(key) + strlen(value);
    return 1;
}

static void use_form(apr_pool_t *p, request_rec *r, apr_table_t *form)
{
    static const char *const keys[] = {"member", "group", "role", "csrf", "items", "q", NULL};
    const char *v;
    size_t sum = 0;
    int i, j;

    apr_table_do(touch_entry, &sum, form, NULL);
    for (i = 0; keys[i]; i++) {
        apr_array_header_t *vals = iam_web_values(p, form, keys[i]);
        for (j = 0; j < vals->nelts; j++) {
            apr_array_header_t *words = iam_web_words(p, APR_ARRAY_IDX(vals, j, const char *));
            int k;
            for (k = 0; k < words->nelts; k++)
                sum += strlen(APR_ARRAY_IDX(words, k, const char *));
        }
    }
    /* the CSRF token: a forged one fails, the user's own passes */
    r->user = (char *)((v = apr_table_get(form, "user")) ? v : "olivia");
    if (iam_web_csrf_ok(r, secret, apr_table_get(form, "csrf")) &&
        strcmp(apr_table_get(form, "csrf"), iam_web_csrf_token(r, secret)))
        abort();
    if (!iam_web_csrf_ok(r, secret, iam_web_csrf_token(r, secret)))
        abort();
    /* the same-origin check, on headers the form names */
    if ((v = apr_table_get(form, "Host")))
        apr_table_setn(r->headers_in, "Host", v);
    if ((v = apr_table_get(form, "Origin")))
        apr_table_setn(r->headers_in, "Origin", v);
    if ((v = apr_table_get(form, "Referer")))
        apr_table_setn(r->headers_in, "Referer", v);
    (void)iam_web_same_origin(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    request_rec *r;
    apr_table_t *form;
    apr_size_t len;
    char *body, *copy;
    int rc;

    apr_pool_create(&p, root);
    r = new_request(p);

    /* over a smaller limit: 413 whenever the body is bigger */
    stub_body(r, (const char *)data, size, size % 7 + 1, size & 1);
    rc = iam_web_read_body(r, size / 2, &body, &len);
    if ((rc == OK) != (size <= size / 2) && size)
        abort();

    /* as read_post() reads a form */
    r = new_request(p);
    stub_body(r, (const char *)data, size, size % 13 + 1, size & 2);
    rc = iam_web_read_body(r, IAM_BODY_MAX, &body, &len);
    if (rc == OK && (len != size || memcmp(body, data, size) || body[len]))
        abort(); /* the body as sent, NUL-terminated */
    if (rc == OK && strlen(body) == len) {
        form = iam_web_parse_form(p, body);
        /* only a bad or %00 escape is refused */
        if (!form && !memchr(body, '%', len))
            abort();
        if (form)
            use_form(p, r, form);
    }

    /* as admin.c reads the query string (r->args) */
    copy = apr_pstrmemdup(p, (const char *)data, size);
    if ((form = iam_web_parse_form(p, copy)))
        use_form(p, r, form);
    (void)iam_web_words(p, copy);

    apr_pool_destroy(p);
    return 0;
}
