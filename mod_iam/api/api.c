/* mod_iam: the console's JSON API, BASE/api/v1/. Each endpoint mirrors a
 * console page and writes through the same store calls, one transaction
 * each. Errors are {"error":{"code":..., "message":...}} with the status
 * that fits. Writes take JSON bodies only (a cross-site form cannot send
 * one) and must come from this origin when the browser says where from.
 *
 * This file routes a request to its endpoint and holds the JSON in and
 * out that every endpoint uses: the answer, errors, the body of a write.
 * The endpoints live beside it, one file per concern (api_int.h names
 * them). */

#include "api_int.h"

int api_send_json(request_rec *r, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    json_decref(j);
    if (!s) {
        status = HTTP_INTERNAL_SERVER_ERROR;
        s = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"cannot encode the answer\"}}");
    }
    r->status = status;
    ap_set_content_type(r, "application/json");
    if (!r->header_only) {
        ap_rputs(s, r);
        ap_rputs("\n", r);
    }
    free(s);
    return DONE;
}

int api_error(request_rec *r, int status, const char *code, const char *message)
{
    return api_send_json(r, status, iam_web_error_object(r->pool, code, message));
}

int api_store_error(request_rec *r, const iam_err_t *err)
{
    if (iam_web_http_status(err->status) >= 500)
        iam_log_r(r, APLOG_ERR, 0, "api: %s", err->msg);
    return api_error(r, iam_web_http_status(err->status), iam_web_error_code(err->status),
                     iam_web_error_text(err));
}

/* Refuses fields the endpoint does not know: a typo must not pass as "no
 * change". */
const char *api_unknown_field(apr_pool_t *p, json_t *o, const char *const *known)
{
    const char *key;
    json_t *v;
    int i, ok;

    json_object_foreach(o, key, v)
    {
        (void)v;
        for (ok = 0, i = 0; known[i] && !ok; i++)
            ok = !strcmp(key, known[i]);
        if (!ok)
            return apr_psprintf(p, "unknown field \"%s\"", key);
    }
    return NULL;
}

static apr_status_t free_json(void *j)
{
    json_decref(j);
    return APR_SUCCESS;
}

/* Reads a JSON object body for a write. Returns OK or has answered. */
int api_read_json(api_t *a)
{
    request_rec *r = a->w->r;
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    json_error_t jerr;
    apr_size_t len;
    char *body;
    int rc;

    if (!iam_web_same_origin(r))
        return api_error(r, HTTP_FORBIDDEN, "cross_origin", "cross-origin writes are refused");
    if (!ct || strncasecmp(ct, "application/json", 16) || (ct[16] && ct[16] != ';'))
        return api_error(r, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                         "send a JSON body with Content-Type: application/json");
    if ((rc = iam_web_read_body(r, IAM_BODY_MAX, &body, &len)) != OK)
        return rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                   ? api_error(r, rc, "too_large",
                               apr_psprintf(r->pool, "the body is over %d bytes", IAM_BODY_MAX))
                   : api_error(r, rc, "invalid", "the body could not be read");
    a->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!a->body)
        return api_error(r, HTTP_BAD_REQUEST, "invalid",
                         apr_psprintf(r->pool, "the body is not JSON: %s", jerr.text));
    apr_pool_cleanup_register(r->pool, a->body, free_json, apr_pool_cleanup_null);
    if (!json_is_object(a->body))
        return api_error(r, HTTP_BAD_REQUEST, "invalid", "the body must be a JSON object");
    return OK;
}

int api_bad(request_rec *r, const char *message)
{
    return api_error(r, HTTP_BAD_REQUEST, "invalid", message);
}

/* ---- routing ---- */

/* If path ends with suffix, returns what precedes it (else NULL). */
static const char *strip_suffix(apr_pool_t *p, const char *path, const char *suffix)
{
    apr_size_t n = strlen(path), k = strlen(suffix);

    return n > k && !strcmp(path + n - k, suffix) ? apr_pstrmemdup(p, path, n - k) : NULL;
}

static int method_not_allowed(request_rec *r)
{
    return api_error(r, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                     apr_psprintf(r->pool, "%s is not allowed here", r->method));
}

static int route_members(api_t *a, const char *rest)
{
    request_rec *r = a->w->r;
    const char *who;

    if (!*rest) {
        if (r->method_number == M_GET)
            return api_list_members(a);
        return r->method_number == M_POST ? api_put_member(a, NULL, 1) : method_not_allowed(r);
    }
    if ((who = strip_suffix(r->pool, rest, "/resend")))
        return r->method_number == M_POST ? api_resend_invitation(a, who) : method_not_allowed(r);
    if ((who = strip_suffix(r->pool, rest, "/grants/revoke")))
        return r->method_number == M_POST ? api_change_grant(a, 0, who, 1) : method_not_allowed(r);
    if ((who = strip_suffix(r->pool, rest, "/grants")))
        return r->method_number == M_POST ? api_change_grant(a, 0, who, 0) : method_not_allowed(r);
    if (r->method_number == M_GET)
        return api_show_member(a, rest, HTTP_OK);
    if (r->method_number == M_PATCH)
        return api_put_member(a, rest, 0);
    if (r->method_number == M_DELETE)
        return api_remove_member(a, rest);
    return method_not_allowed(r);
}

static int route_groups(api_t *a, const char *rest)
{
    request_rec *r = a->w->r;
    const char *name;

    if (!*rest) {
        if (r->method_number == M_GET)
            return api_list_groups(a);
        return r->method_number == M_POST ? api_put_group(a, NULL, 1) : method_not_allowed(r);
    }
    if ((name = strip_suffix(r->pool, rest, "/members/remove")))
        return r->method_number == M_POST ? api_change_members(a, name, 0) : method_not_allowed(r);
    if ((name = strip_suffix(r->pool, rest, "/members")))
        return r->method_number == M_POST ? api_change_members(a, name, 1) : method_not_allowed(r);
    if ((name = strip_suffix(r->pool, rest, "/grants/revoke")))
        return r->method_number == M_POST ? api_change_grant(a, 1, name, 1) : method_not_allowed(r);
    if ((name = strip_suffix(r->pool, rest, "/grants")))
        return r->method_number == M_POST ? api_change_grant(a, 1, name, 0) : method_not_allowed(r);
    if (r->method_number == M_GET)
        return api_show_group(a, rest, HTTP_OK);
    if (r->method_number == M_PATCH)
        return api_put_group(a, rest, 0);
    if (r->method_number == M_DELETE)
        return api_delete_group(a, rest);
    return method_not_allowed(r);
}

int iam_api_handle(iam_web_t *w)
{
    request_rec *r = w->r;
    api_t a = {w, NULL};
    const char *path = w->sub, *labels;

    if (strncmp(path, "api/v1/", 7))
        return api_error(r, HTTP_NOT_FOUND, "not_found", "the API lives under api/v1/");
    path += 7;
    if (!strcmp(path, "members") || !strncmp(path, "members/", 8))
        return route_members(&a, path[7] ? path + 8 : "");
    if (!strcmp(path, "groups") || !strncmp(path, "groups/", 7))
        return route_groups(&a, path[6] ? path + 7 : "");
    if (!strcmp(path, "tokens"))
        return r->method_number == M_GET    ? api_list_tokens(&a)
               : r->method_number == M_POST ? api_create_token(&a)
                                            : method_not_allowed(r);
    if (!strncmp(path, "tokens/", 7) && path[7])
        return r->method_number == M_DELETE ? api_revoke_token(&a, path + 7)
                                            : method_not_allowed(r);
    if (!strcmp(path, "labels"))
        return r->method_number == M_GET    ? api_list_labels(&a)
               : r->method_number == M_POST ? api_create_label(&a)
                                            : method_not_allowed(r);
    if (!strncmp(path, "labels/", 7) && path[7])
        return r->method_number == M_DELETE ? api_delete_label(&a, path + 7)
                                            : method_not_allowed(r);
    if (!strncmp(path, "resources/", 10) && (labels = strip_suffix(r->pool, path + 10, "/labels")))
        return r->method_number == M_PUT ? api_put_resource_labels(&a, labels)
                                         : method_not_allowed(r);
    if (!strcmp(path, "requests/approve") || !strcmp(path, "requests/dismiss"))
        return r->method_number == M_POST ? api_answer_request(&a, path[9] == 'a')
                                          : method_not_allowed(r);
    if (r->method_number != M_GET)
        return method_not_allowed(r);
    if (!strcmp(path, "requests"))
        return api_list_requests(&a);
    if (!strcmp(path, "roles"))
        return api_list_roles(&a);
    if (!strcmp(path, "resources"))
        return api_list_resources(&a);
    if (!strncmp(path, "resources/", 10)) {
        const char *access = strip_suffix(r->pool, path + 10, "/access");
        return api_show_resource(&a, access ? access : path + 10);
    }
    if (!strcmp(path, "audit"))
        return api_list_audit(&a);
    return api_error(r, HTTP_NOT_FOUND, "not_found", "no such endpoint");
}
