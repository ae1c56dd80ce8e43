/* mod_iam: request plumbing shared by the console and the JSON API. */
#include "iam_web.h"

#include "apr_strings.h"
#include "http_protocol.h"
#include "util_script.h"

#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

void iam_web_security_headers(request_rec *r)
{
    apr_table_t *h = r->err_headers_out; /* kept on error responses too */

    apr_table_setn(h, "Cache-Control", "no-store");
    apr_table_setn(h, "Content-Security-Policy",
                   "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                   "frame-ancestors 'none'; base-uri 'none'");
    apr_table_setn(h, "X-Content-Type-Options", "nosniff");
    apr_table_setn(h, "X-Frame-Options", "DENY");
    apr_table_setn(h, "Referrer-Policy", "same-origin");
}

const char *iam_web_cookie(request_rec *r, const char *name)
{
    const char *h = apr_table_get(r->headers_in, "Cookie");
    size_t n = strlen(name);

    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        if (!strncmp(h, name, n) && h[n] == '=')
            return apr_pstrmemdup(r->pool, h + n + 1, strcspn(h + n + 1, ";"));
        h = strchr(h, ';');
    }
    return NULL;
}

void iam_web_set_cookie(request_rec *r, const char *name, const char *value, const char *path,
                        int max_age, int secure)
{
    /* err_headers_out: kept on the redirect that follows a post */
    apr_table_add(r->err_headers_out, "Set-Cookie",
                  apr_psprintf(r->pool, "%s=%s; Path=%s; Max-Age=%d; HttpOnly; SameSite=Strict%s",
                               name, value ? value : "", path, value ? max_age : 0,
                               secure || !strcmp(ap_http_scheme(r), "https") ? "; Secure" : ""));
}

/* The key that seals `purpose` for this user: HMAC-SHA256(secret,
 * "seal:PURPOSE:USER"). */
static void seal_key(request_rec *r, const unsigned char secret[32], const char *purpose,
                     unsigned char key[32])
{
    const char *msg = apr_pstrcat(r->pool, "seal:", purpose, ":", r->user, NULL);
    unsigned int len = 32;

    HMAC(EVP_sha256(), secret, 32, (const unsigned char *)msg, strlen(msg), key, &len);
}

#define SEAL_NONCE 12
#define SEAL_TAG 16

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

const char *iam_web_seal(request_rec *r, const unsigned char secret[32], const char *purpose,
                         const char *plain)
{
    size_t n = strlen(plain), total = SEAL_NONCE + n + SEAL_TAG, i;
    unsigned char key[32], *buf = apr_palloc(r->pool, total);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    char *hex = NULL;
    int len, ok;

    seal_key(r, secret, purpose, key);
    ok =
        ctx && apr_generate_random_bytes(buf, SEAL_NONCE) == APR_SUCCESS &&
        EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
        EVP_EncryptUpdate(ctx, buf + SEAL_NONCE, &len, (const unsigned char *)plain, (int)n) == 1 &&
        EVP_EncryptFinal_ex(ctx, buf + SEAL_NONCE + len, &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, buf + SEAL_NONCE + n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof(key));
    if (ok) {
        hex = apr_palloc(r->pool, total * 2 + 1);
        for (i = 0; i < total; i++)
            apr_snprintf(hex + i * 2, 3, "%02x", buf[i]);
    }
    return hex;
}

const char *iam_web_unseal(request_rec *r, const unsigned char secret[32], const char *purpose,
                           const char *sealed)
{
    size_t hn = sealed ? strlen(sealed) : 0, total = hn / 2, n, i;
    unsigned char key[32], *buf;
    EVP_CIPHER_CTX *ctx;
    char *plain;
    int len, ok;

    if (hn % 2 || total <= SEAL_NONCE + SEAL_TAG || total > 4096)
        return NULL;
    buf = apr_palloc(r->pool, total);
    for (i = 0; i < total; i++) {
        int hi = hexval(sealed[2 * i]), lo = hexval(sealed[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return NULL;
        buf[i] = (unsigned char)(hi << 4 | lo);
    }
    n = total - SEAL_NONCE - SEAL_TAG;
    plain = apr_palloc(r->pool, n + 1);
    seal_key(r, secret, purpose, key);
    ctx = EVP_CIPHER_CTX_new();
    ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
         EVP_DecryptUpdate(ctx, (unsigned char *)plain, &len, buf + SEAL_NONCE, (int)n) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, buf + SEAL_NONCE + n) == 1 &&
         EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + len, &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok || memchr(plain, 0, n))
        return NULL;
    plain[n] = '\0';
    return plain;
}

const char *iam_web_bearer(request_rec *r)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");

    if (!h || strncasecmp(h, "Bearer ", 7))
        return NULL;
    for (h += 7; *h == ' '; h++)
        ;
    return h;
}

int iam_web_read_body(request_rec *r, apr_size_t max, char **body, apr_size_t *len)
{
    char *buf;
    apr_size_t n = 0;
    long got;
    int rc;

    *body = "";
    *len = 0;
    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK)
        return rc;
    if (!ap_should_client_block(r))
        return OK;
    if (r->remaining > (apr_off_t)max)
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    buf = apr_palloc(r->pool, max + 1);
    while ((got = ap_get_client_block(r, buf + n, max + 1 - n)) > 0) {
        n += (apr_size_t)got;
        if (n > max)
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (got < 0)
        return HTTP_BAD_REQUEST;
    buf[n] = '\0';
    *body = buf;
    *len = n;
    return OK;
}

static char *form_unescape(apr_pool_t *p, const char *s, apr_size_t n)
{
    char *v = apr_pstrmemdup(p, s, n);

    /* '+' is a space; refuses bad escapes; a %00 would cut the value */
    if (ap_unescape_urlencoded(v) != OK ||
        (n && memchr(s, '%', n) && strstr(s, "%00") && strstr(s, "%00") < s + n))
        return NULL;
    return v;
}

apr_table_t *iam_web_parse_form(apr_pool_t *p, const char *s)
{
    apr_table_t *t = apr_table_make(p, 8);

    while (s && *s) {
        const char *amp = strchr(s, '&'), *end = amp ? amp : s + strlen(s);
        const char *eq = memchr(s, '=', (apr_size_t)(end - s));
        char *k, *v;
        if (end > s) {
            k = form_unescape(p, s, (apr_size_t)((eq ? eq : end) - s));
            v = eq ? form_unescape(p, eq + 1, (apr_size_t)(end - eq - 1)) : apr_pstrdup(p, "");
            if (!k || !v)
                return NULL;
            apr_table_add(t, k, v);
        }
        s = amp ? amp + 1 : end;
    }
    return t;
}

typedef struct {
    apr_array_header_t *out;
} values_ctx_t;

static int push_value(void *ctx, const char *key, const char *value)
{
    (void)key;
    APR_ARRAY_PUSH(((values_ctx_t *)ctx)->out, const char *) = value;
    return 1;
}

apr_array_header_t *iam_web_values(apr_pool_t *p, apr_table_t *t, const char *key)
{
    values_ctx_t ctx = {apr_array_make(p, 4, sizeof(const char *))};

    if (t)
        apr_table_do(push_value, &ctx, t, key, NULL);
    return ctx.out;
}

apr_array_header_t *iam_web_words(apr_pool_t *p, const char *s)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    char *copy = apr_pstrdup(p, s ? s : ""), *last, *w;

    for (w = apr_strtok(copy, " ,\t\r\n", &last); w; w = apr_strtok(NULL, " ,\t\r\n", &last))
        APR_ARRAY_PUSH(a, const char *) = w;
    return a;
}

/* "http://host:port" of this request, as the browser addressed it. */
static const char *own_origin(request_rec *r)
{
    const char *host = apr_table_get(r->headers_in, "Host");

    return apr_pstrcat(r->pool, ap_http_scheme(r), "://", host ? host : "", NULL);
}

int iam_web_same_origin(request_rec *r)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *referer = apr_table_get(r->headers_in, "Referer");
    const char *own = own_origin(r);
    apr_size_t n = strlen(own);

    if (origin)
        return !strcasecmp(origin, own);
    if (referer)
        return !strncasecmp(referer, own, n) && (referer[n] == '/' || referer[n] == '\0');
    return 1; /* neither sent: the CSRF token (forms) or JSON-only (API) decides */
}

const char *iam_web_csrf_token(request_rec *r, const unsigned char secret[32])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char *hex;
    const char *msg = apr_pstrcat(r->pool, "csrf:", r->user, NULL);
    unsigned int i;

    HMAC(EVP_sha256(), secret, 32, (const unsigned char *)msg, strlen(msg), mac, &len);
    hex = apr_palloc(r->pool, len * 2 + 1);
    for (i = 0; i < len; i++)
        apr_snprintf(hex + i * 2, 3, "%02x", mac[i]);
    return hex;
}

int iam_web_csrf_ok(request_rec *r, const unsigned char secret[32], const char *token)
{
    const char *want = iam_web_csrf_token(r, secret);

    return token && strlen(token) == strlen(want) && CRYPTO_memcmp(token, want, strlen(want)) == 0;
}

int iam_web_http_status(iam_status_e st)
{
    switch (st) {
    case IAM_OK: return HTTP_OK;
    case IAM_INVALID: return HTTP_BAD_REQUEST;
    case IAM_NOTFOUND: return HTTP_NOT_FOUND;
    case IAM_EXISTS:
    case IAM_STALE:
    case IAM_IN_USE:
    case IAM_LAST_OWNER: return HTTP_CONFLICT;
    case IAM_PLAN: return HTTP_UNPROCESSABLE_ENTITY;
    case IAM_FULL: return HTTP_INSUFFICIENT_STORAGE;
    case IAM_UNAVAILABLE: return HTTP_SERVICE_UNAVAILABLE;
    default: return HTTP_INTERNAL_SERVER_ERROR;
    }
}

const char *iam_web_error_code(iam_status_e st)
{
    switch (st) {
    case IAM_INVALID: return "invalid";
    case IAM_NOTFOUND: return "not_found";
    case IAM_EXISTS: return "exists";
    case IAM_LAST_OWNER: return "last_owner";
    case IAM_STALE: return "changed";
    case IAM_PLAN: return "plan_limit";
    case IAM_FULL: return "store_full";
    case IAM_UNAVAILABLE: return "database_unavailable";
    case IAM_IN_USE: return "in_use";
    default: return "store_error";
    }
}

const char *iam_web_error_text(const iam_err_t *err)
{
    if (err->status == IAM_UNAVAILABLE)
        return "the workspace's database cannot be reached: nothing was changed (access "
               "decisions go on as before); try again once it is back";
    return err->msg;
}

/* The length of the character at s if a message may hold it, 0 for an
 * odd byte: iam_check_message decides, one character at a time, so the
 * two never disagree (DEL is a control character; é is text). */
static size_t message_char_len(const char *s)
{
    char c[5];
    size_t n;

    for (n = 1; n <= 4 && s[n - 1]; n++) {
        memcpy(c, s, n);
        c[n] = '\0';
        if (!iam_check_message(c, 4))
            return n;
    }
    return 0;
}

json_t *iam_web_error_object(apr_pool_t *p, const char *code, const char *message)
{
    if (iam_check_message(message, 4096)) {
        char *m = apr_pstrndup(p, message, 4096), *c;
        size_t n;
        for (c = m; *c; c += n) {
            if (!(n = message_char_len(c))) {
                *c = '?';
                n = 1;
            }
        }
        message = m;
    }
    return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
}

const char *iam_web_error_json(apr_pool_t *p, const char *code, const char *message)
{
    json_t *j = iam_web_error_object(p, code, message);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    const char *body = s ? apr_pstrcat(p, s, "\n", NULL) : NULL;

    free(s);
    json_decref(j);
    return body;
}

int iam_web_type_name(apr_pool_t *p, const char *s, const char **type, const char **name)
{
    const char *slash = strchr(s, '/');

    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
        return 0;
    *type = apr_pstrmemdup(p, s, (apr_size_t)(slash - s));
    *name = slash + 1;
    return 1;
}

apr_array_header_t *iam_web_resource_decls(apr_pool_t *p, const iam_workspace_t *ws,
                                           const char *type, const char *name)
{
    const apr_array_header_t *all = iam_ws_resources(ws);
    apr_array_header_t *out = apr_array_make(p, 2, sizeof(iam_resource_decl_t *));
    int i, collection = !strcmp(name, "*");
    iam_resource_decl_t *named;

    for (i = 0; all && i < all->nelts; i++) {
        iam_resource_decl_t *d = APR_ARRAY_IDX(all, i, iam_resource_decl_t *);
        /* names match whatever their case, as grants match them */
        if (!d->templated && !strcasecmp(d->res.type, type) &&
            (collection ? !d->res.name : d->res.name && !strcasecmp(d->res.name, name)))
            APR_ARRAY_PUSH(out, iam_resource_decl_t *) = d;
    }
    /* then the templates of the type: each covers every name */
    for (i = 0; !collection && !iam_check_resource_name(name) && all && i < all->nelts; i++) {
        iam_resource_decl_t *d = APR_ARRAY_IDX(all, i, iam_resource_decl_t *);
        if (!d->templated || strcasecmp(d->res.type, type))
            continue;
        named = apr_pmemdup(p, d, sizeof(*d));
        named->res.name = apr_pstrdup(p, name);
        APR_ARRAY_PUSH(out, iam_resource_decl_t *) = named;
    }
    return out;
}

apr_array_header_t *iam_web_resource_rows(apr_pool_t *p, const iam_workspace_t *ws,
                                          const apr_array_header_t *known, const char *type,
                                          const char *label)
{
    const apr_array_header_t *decls = iam_ws_resources(ws);
    apr_array_header_t *out = apr_array_make(p, known->nelts + 8, sizeof(iam_web_resource_row_t));
    char *shown = apr_pcalloc(p, (size_t)known->nelts + 1);
    int i, j;

    for (i = 0; decls && i < decls->nelts; i++) {
        const iam_resource_decl_t *d = APR_ARRAY_IDX(decls, i, iam_resource_decl_t *);
        if (type && strcasecmp(type, d->res.type))
            continue;
        if (d->templated || !d->res.name) {
            if (iam_resource_carries(&d->res, label))
                *(iam_web_resource_row_t *)apr_array_push(out) = (iam_web_resource_row_t){d, NULL};
            continue;
        }
        for (j = 0; j < known->nelts; j++) {
            const iam_known_t *k = APR_ARRAY_IDX(known, j, const iam_known_t *);
            if (!shown[j] && !strcasecmp(k->res.type, d->res.type) &&
                !strcasecmp(k->res.name, d->res.name)) {
                shown[j] = 1;
                *(iam_web_resource_row_t *)apr_array_push(out) = (iam_web_resource_row_t){NULL, k};
            }
        }
    }
    for (j = 0; j < known->nelts; j++) {
        if (!shown[j])
            *(iam_web_resource_row_t *)apr_array_push(out) =
                (iam_web_resource_row_t){NULL, APR_ARRAY_IDX(known, j, const iam_known_t *)};
    }
    return out;
}
