/* The few httpd functions that web.c and the API (mod_iam/api/) call, for
 * the fuzz targets that include those files (form.c, json_body.c): httpd's
 * own code lives in the server binary, not in a library a test can link.
 *
 * ap_unescape_urlencoded does what httpd 2.4's does (server/util.c): '+'
 * becomes a space, then each %XX is decoded; a '%' without two hex digits
 * is a bad escape (400) and %00 is refused (404). The request body is
 * served from stub_body in pieces of stub_chunk bytes. */
#ifndef FUZZ_HTTPD_STUBS_H
#define FUZZ_HTTPD_STUBS_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"

#include <apr_lib.h>
#include <apr_strings.h>
#include <stdarg.h>
#include <stdio.h>

module AP_MODULE_DECLARE_DATA iam_module;

/* the body the next ap_get_client_block calls hand out */
static const char *stub_body;
static apr_size_t stub_len, stub_off, stub_chunk = 1024;
static int stub_chunked; /* Transfer-Encoding: chunked (no Content-Length) */
/* what the handler wrote */
static char *stub_out;
static apr_size_t stub_out_len;

static void stub_request_body(const char *body, apr_size_t len, apr_size_t chunk, int chunked)
{
    stub_body = body;
    stub_len = len;
    stub_off = 0;
    stub_chunk = chunk ? chunk : 1;
    stub_chunked = chunked;
    stub_out = NULL;
    stub_out_len = 0;
}

int ap_setup_client_block(request_rec *r, int read_policy)
{
    (void)read_policy;
    r->read_chunked = stub_chunked;
    r->remaining = stub_chunked ? 0 : (apr_off_t)stub_len;
    r->read_length = 0;
    return OK;
}

int ap_should_client_block(request_rec *r)
{
    return r->read_length == 0 && (r->read_chunked || r->remaining > 0);
}

long ap_get_client_block(request_rec *r, char *buffer, apr_size_t bufsiz)
{
    apr_size_t n = stub_len - stub_off;

    if (n > bufsiz)
        n = bufsiz;
    if (n > stub_chunk)
        n = stub_chunk;
    memcpy(buffer, stub_body + stub_off, n);
    stub_off += n;
    if (!r->read_chunked)
        r->remaining -= (apr_off_t)n;
    return (long)n;
}

const char *ap_run_http_scheme(const request_rec *r)
{
    (void)r;
    return "http";
}

static int stub_hex(int c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

int ap_unescape_urlencoded(char *query)
{
    char *x, *y;
    int badesc = 0, badpath = 0;

    if (!query)
        return OK;
    for (x = query; *x; x++) {
        if (*x == '+')
            *x = ' ';
    }
    for (x = y = query; *x; ++x, ++y) {
        if (*x != '%') {
            *y = *x;
        } else if (!apr_isxdigit(x[1]) || !apr_isxdigit(x[2])) {
            badesc = 1;
            *y = *x;
        } else {
            *y = (char)(stub_hex((unsigned char)x[1]) << 4 | stub_hex((unsigned char)x[2]));
            if (!*y)
                badpath = 1;
            x += 2;
        }
    }
    *y = '\0';
    return badesc ? HTTP_BAD_REQUEST : badpath ? HTTP_NOT_FOUND : OK;
}

/* Formats the line (so a bad argument shows), and drops it. */
void ap_log_rerror_(const char *file, int line, int module_index, int level, apr_status_t status,
                    const request_rec *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    (void)file;
    (void)line;
    (void)module_index;
    (void)level;
    (void)status;
    (void)r;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
}

int ap_rwrite(const void *buf, int nbytes, request_rec *r)
{
    char *out = apr_palloc(r->pool, stub_out_len + (apr_size_t)nbytes + 1);

    if (stub_out_len)
        memcpy(out, stub_out, stub_out_len);
    memcpy(out + stub_out_len, buf, (apr_size_t)nbytes);
    stub_out_len += (apr_size_t)nbytes;
    out[stub_out_len] = '\0';
    stub_out = out;
    return nbytes;
}

void ap_set_content_type(request_rec *r, const char *ct)
{
    r->content_type = ct;
}

/* A request with what web.c and the API read of one. */
static request_rec *stub_request(apr_pool_t *p, const char *method, const char *user)
{
    request_rec *r = apr_pcalloc(p, sizeof(*r));

    r->pool = p;
    r->method = method;
    r->method_number = !strcmp(method, "GET")      ? M_GET
                       : !strcmp(method, "POST")   ? M_POST
                       : !strcmp(method, "PUT")    ? M_PUT
                       : !strcmp(method, "DELETE") ? M_DELETE
                       : !strcmp(method, "PATCH")  ? M_PATCH
                                                   : M_INVALID;
    r->user = (char *)user;
    r->headers_in = apr_table_make(p, 4);
    r->headers_out = apr_table_make(p, 4);
    r->err_headers_out = apr_table_make(p, 4);
    r->uri = "/iam/";
    r->status = HTTP_OK;
    return r;
}

#endif
