/* mod_iam: the console's JSON API, BASE/api/v1/. Each endpoint mirrors a
 * console page and writes through the same store calls, one transaction
 * each. Errors are {"error":{"code":..., "message":...}} with the status
 * that fits. Writes take JSON bodies only (a cross-site form cannot send
 * one) and must come from this origin when the browser says where from. */
#include "iam_access.h"
#include "iam_present.h"
#include "iam_web.h"

#include "apr_strings.h"
#include "http_protocol.h"

typedef struct {
    iam_web_t *w;
    json_t *body; /* the request's JSON object, or NULL */
} api_t;

static int send_json(request_rec *r, int status, json_t *j)
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

static int api_error(request_rec *r, int status, const char *code, const char *message)
{
    /* a message may echo a name from the URL: JSON wants valid UTF-8 */
    if (iam_check_message(message, 4096)) {
        char *m = apr_pstrndup(r->pool, message, 4096), *c;
        for (c = m; *c; c++) {
            if ((unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20)
                *c = '?';
        }
        message = m;
    }
    return send_json(r, status,
                     json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
}

static int store_error(request_rec *r, const iam_err_t *err)
{
    if (iam_web_http_status(err->status) >= 500)
        iam_log_r(r, APLOG_ERR, 0, "api: %s", err->msg);
    return api_error(r, iam_web_http_status(err->status), iam_web_error_code(err->status),
                     err->msg);
}

/* Refuses fields the endpoint does not know: a typo must not pass as "no
 * change". */
static const char *unknown_field(apr_pool_t *p, json_t *o, const char *const *known)
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
static int read_json(api_t *a)
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

static int bad(request_rec *r, const char *message)
{
    return api_error(r, HTTP_BAD_REQUEST, "invalid", message);
}

/* ---- members ---- */

static int list_members(api_t *a)
{
    iam_web_t *w = a->w;
    const char *q = apr_table_get(w->query, "q"), *after = apr_table_get(w->query, "after");
    const char *lim = apr_table_get(w->query, "limit"), *next;
    int limit = lim ? atoi(lim) : IAM_PAGE_SIZE, i;
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    long total;

    if (limit < 1 || limit > 500)
        return bad(w->r, "limit must be 1 to 500");
    const char *status = apr_table_get(w->query, "status");
    int want = !status                      ? -1
               : !strcmp(status, "invited") ? IAM_INVITED
               : !strcmp(status, "active")  ? IAM_ACTIVE
                                            : -2;

    if (want == -2)
        return bad(w->r, "status must be active or invited");
    if (iam_store_member_page_status(w->st, w->r->pool, q, want, after, limit, &list, &next,
                                     &err) != IAM_OK ||
        iam_store_member_count(w->st, w->r->pool, q, want, &total, &err) != IAM_OK)
        return store_error(w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_member(w->r->pool, APR_ARRAY_IDX(list, i, iam_member_t *)));
    return send_json(
        w->r, HTTP_OK,
        json_pack("{s:o, s:s?, s:I}", "members", arr, "next", next, "total", (json_int_t)total));
}

static int show_member(api_t *a, const char *login, int status)
{
    iam_member_t *m;
    iam_err_t err;

    if (iam_store_member_get(a->w->st, a->w->r->pool, login, &m, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return send_json(a->w->r, status, iam_json_member(a->w->r->pool, m));
}

/* Fills a member spec from the body; NULL or a message. */
static const char *member_spec(api_t *a, iam_member_spec_t *sp, int create)
{
    static const char *const known[] = {"login", "email",  "name",   "status",
                                        "pii",   "grants", "groups", NULL};
    apr_pool_t *p = a->w->r->pool;
    apr_array_header_t *grants, *groups;
    const char *e, *status = NULL;
    int pii = -1;

    memset(sp, 0, sizeof(*sp));
    if ((e = unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "email", 0, &sp->email, p)) ||
        (e = iam_json_get_str(a->body, "name", 0, &sp->name, p)) ||
        (e = iam_json_get_str(a->body, "status", 0, &status, p)) ||
        (e = iam_json_get_bool(a->body, "pii", &pii)) ||
        (e = iam_json_get_grants(a->body, p, &grants)) ||
        (e = iam_json_get_names(a->body, "groups", p, &groups)))
        return e;
    if (create) {
        if ((e = iam_json_get_str(a->body, "login", 0, &sp->login, p)))
            return e;
        if (status && strcmp(status, "active") && strcmp(status, "invited"))
            return "\"status\" is \"active\" or \"invited\"";
        sp->status = status && !strcmp(status, "active") ? IAM_ACTIVE : IAM_INVITED;
        if (!sp->login)
            sp->login = sp->email; /* an invitation by email */
        if (!sp->login)
            return "give \"email\" (an invitation) or \"login\"";
    } else if (json_object_get(a->body, "login") || status) {
        return "\"login\" and \"status\" cannot be changed";
    }
    sp->pii = pii;
    sp->grants = grants;
    sp->groups = groups;
    return NULL;
}

/* Mails an invitation if mail is set up: 0 sent, 1 failed, -1 no such
 * member, -2 not sent (not invited, no email, or no IAMMailCommand), -3
 * the store failed. */
static int mail_invitation(api_t *a, const char *login)
{
    iam_member_t *m;
    iam_err_t err;
    int rc;

    switch (iam_store_member_get(a->w->st, a->w->r->pool, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
    case IAM_INVALID: return -1;
    default: iam_log_r(a->w->r, APLOG_ERR, 0, "api: %s", err.msg); return -3;
    }
    if (m->status != IAM_INVITED)
        return -2;
    rc = iam_mail_invitation(a->w->r, m, a->w->actor);
    return rc < 0 ? -2 : rc;
}

static int resend_invitation(api_t *a, const char *login)
{
    int rc;

    if ((rc = read_json(a)) != OK) /* a write like the others: JSON, same origin */
        return rc;
    rc = mail_invitation(a, login);
    if (rc == -1)
        return api_error(a->w->r, HTTP_NOT_FOUND, "not_found",
                         apr_psprintf(a->w->r->pool, "no member '%s'", login));
    if (rc == 0)
        return send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "login", login, "mailed", 1));
    if (rc == 1)
        return api_error(a->w->r, HTTP_BAD_GATEWAY, "mail_failed",
                         "the invitation could not be mailed; the error log says why");
    if (rc == -3)
        return api_error(a->w->r, HTTP_INTERNAL_SERVER_ERROR, "store_error",
                         "the store could not be read; the error log says why");
    return api_error(a->w->r, HTTP_CONFLICT, "not_invited",
                     "only an invited member with an email can be mailed, with IAMMailCommand "
                     "set");
}

static int put_member(api_t *a, const char *login, int create)
{
    iam_member_spec_t sp;
    iam_err_t err;
    const char *e;
    int rc;

    if ((rc = read_json(a)) != OK)
        return rc;
    if ((e = member_spec(a, &sp, create)))
        return bad(a->w->r, e);
    if (!create)
        sp.login = login;
    if (iam_store_member_put(a->w->st, a->w->actor, &sp, create, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    if (create && sp.status == IAM_INVITED)
        mail_invitation(a, sp.login);
    return show_member(a, sp.login, create ? HTTP_CREATED : HTTP_OK);
}

static int remove_member(api_t *a, const char *login)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_member_remove(a->w->st, a->w->actor, login, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "login", login, "removed", 1));
}

/* POST .../grants adds one grant; POST .../grants/revoke takes one away
 * (without "scope": every grant of the role). */
static int change_grant(api_t *a, int group, const char *who, int revoke)
{
    static const char *const known[] = {"role", "scope", "resources", "labels", NULL};
    apr_pool_t *p = a->w->r->pool;
    json_t *wrap;
    apr_array_header_t *grants;
    iam_grant_t g;
    iam_err_t err;
    const char *e, *role;
    iam_status_e st;
    int rc, whole = 0;

    if ((rc = read_json(a)) != OK)
        return rc;
    if ((e = unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "role", 1, &role, p)))
        return bad(a->w->r, e);
    whole = revoke && !json_object_get(a->body, "scope");
    if (whole) {
        g = (iam_grant_t){role, IAM_SCOPE_ALL, 0, NULL};
    } else {
        wrap = json_pack("{s:[O]}", "grants", a->body);
        e = iam_json_get_grants(wrap, p, &grants);
        json_decref(wrap);
        if (e)
            return bad(a->w->r, e);
        g = APR_ARRAY_IDX(grants, 0, iam_grant_t);
    }
    st = revoke ? iam_store_revoke(a->w->st, a->w->actor, group, who, &g, whole, &err)
                : iam_store_grant(a->w->st, a->w->actor, group, who, &g, &err);
    if (st != IAM_OK)
        return store_error(a->w->r, &err);
    if (group) {
        iam_group_t *gr;
        if (iam_store_group_get(a->w->st, p, who, &gr, &err) != IAM_OK)
            return store_error(a->w->r, &err);
        return send_json(a->w->r, HTTP_OK, iam_json_group(p, gr, 1));
    }
    return show_member(a, who, HTTP_OK);
}

/* ---- groups ---- */

static int list_groups(api_t *a)
{
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    int i;

    if (iam_store_group_list(a->w->st, a->w->r->pool, &list, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(
            arr, iam_json_group(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_group_t *), 0));
    return send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "groups", arr));
}

static int show_group(api_t *a, const char *name, int status)
{
    iam_group_t *g;
    iam_err_t err;

    if (iam_store_group_get(a->w->st, a->w->r->pool, name, &g, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return send_json(a->w->r, status, iam_json_group(a->w->r->pool, g, 1));
}

static int put_group(api_t *a, const char *name, int create)
{
    static const char *const known[] = {"name", "pii", "grants", "members", NULL};
    apr_pool_t *p = a->w->r->pool;
    apr_array_header_t *grants, *members;
    iam_group_spec_t sp;
    iam_err_t err;
    const char *e;
    int rc, pii = -1;

    if ((rc = read_json(a)) != OK)
        return rc;
    memset(&sp, 0, sizeof(sp));
    if ((e = unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "name", create, &sp.name, p)) ||
        (e = iam_json_get_bool(a->body, "pii", &pii)) ||
        (e = iam_json_get_grants(a->body, p, &grants)) ||
        (e = iam_json_get_names(a->body, "members", p, &members)))
        return bad(a->w->r, e);
    if (!create && sp.name && strcasecmp(sp.name, name))
        return bad(a->w->r, "a group's \"name\" cannot be changed");
    if (!create)
        sp.name = name;
    sp.pii = pii;
    sp.grants = grants;
    sp.members = members;
    if (iam_store_group_put(a->w->st, a->w->actor, &sp, create, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return show_group(a, sp.name, create ? HTTP_CREATED : HTTP_OK);
}

static int delete_group(api_t *a, const char *name)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_group_delete(a->w->st, a->w->actor, name, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "name", name, "deleted", 1));
}

/* POST groups/NAME/members {"logins": [...]} adds; .../members/remove
 * takes away; all or nothing. */
static int change_members(api_t *a, const char *name, int add)
{
    static const char *const known[] = {"logins", NULL};
    apr_pool_t *p = a->w->r->pool;
    apr_array_header_t *logins;
    iam_err_t err;
    const char *e;
    int rc;

    if ((rc = read_json(a)) != OK)
        return rc;
    if ((e = unknown_field(p, a->body, known)) ||
        (e = iam_json_get_names(a->body, "logins", p, &logins)))
        return bad(a->w->r, e);
    if (!logins || !logins->nelts)
        return bad(a->w->r, "give \"logins\": a list of members");
    if (iam_store_group_members(a->w->st, a->w->actor, name, add, (const char *const *)logins->elts,
                                logins->nelts, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return show_group(a, name, HTTP_OK);
}

/* ---- roles, resources, audit ---- */

static int list_roles(api_t *a)
{
    json_t *arr = json_array();
    int i;

    for (i = 0; i < a->w->ws->roles.n; i++)
        json_array_append_new(arr, iam_json_role(&a->w->ws->roles.role[i], a->w->ws->plan));
    return send_json(a->w->r, HTTP_OK,
                     json_pack("{s:s, s:o}", "plan", iam_plan_name(a->w->ws->plan), "roles", arr));
}

static int list_resources(api_t *a)
{
    apr_array_header_t *res = a->w->ws->resources;
    json_t *arr = json_array();
    int i, j;

    for (i = 0; i < res->nelts; i++) {
        const iam_resource_decl_t *d = APR_ARRAY_IDX(res, i, iam_resource_decl_t *);
        json_t *labels = json_array();
        for (j = 0; j < d->res.nlabels; j++)
            json_array_append_new(labels, json_string(d->res.labels[j]));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s}", "type", d->res.type, "name",
                                             d->res.name ? d->res.name : "*", "labels", labels,
                                             "path", d->path));
    }
    return send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "resources", arr));
}

/* GET resources/TYPE/NAME/access: who can reach a declared resource, at
 * which level, through which grant (iam_access_list, as on the console). */
static int resource_access(api_t *a, const char *rest)
{
    request_rec *r = a->w->r;
    const char *slash = strchr(rest, '/'), *type, *name;
    apr_array_header_t *decls, *list;
    const iam_resource_decl_t *d;
    json_t *arr, *labels;
    iam_err_t err;
    int i;

    if (!slash || slash == rest || !slash[1] || strchr(slash + 1, '/'))
        return api_error(r, HTTP_NOT_FOUND, "not_found",
                         "use resources/TYPE/NAME/access (NAME * for the collection)");
    type = apr_pstrmemdup(r->pool, rest, (apr_size_t)(slash - rest));
    name = slash + 1;
    decls = iam_web_resource_decls(r->pool, a->w->ws, type, name);
    if (!decls->nelts)
        return api_error(r, HTTP_NOT_FOUND, "not_found",
                         apr_psprintf(r->pool, "no resource '%s %s' is declared in httpd.conf",
                                      type, name));
    d = APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *);
    if (iam_access_list(a->w->st, r->pool, &a->w->ws->roles, a->w->ws->plan, &d->res, &list,
                        &err) != IAM_OK)
        return store_error(r, &err);
    labels = json_array();
    for (i = 0; i < d->res.nlabels; i++)
        json_array_append_new(labels, json_string(d->res.labels[i]));
    arr = json_array();
    for (i = 0; i < list->nelts; i++) {
        const iam_access_t *x = &APR_ARRAY_IDX(list, i, iam_access_t);
        json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "level", iam_level_name(x->level), "role",
                              x->role->slug, "role_name", x->role->name, "grant",
                              iam_json_grant(x->grant));
        if (x->group)
            json_object_update_new(o, json_pack("{s:s, s:I}", "group", x->group->name, "members",
                                                (json_int_t)x->group_members));
        else
            json_object_update_new(o, json_pack("{s:s, s:s, s:s}", "member", x->member->login,
                                                "name", x->member->name, "status",
                                                x->member->status == IAM_INVITED ? "invited"
                                                                                 : "active"));
        json_array_append_new(arr, o);
    }
    return send_json(r, HTTP_OK,
                     json_pack("{s:{s:s, s:s, s:o}, s:o}", "resource", "type", type, "name",
                               name, "labels", labels, "access", arr));
}

static int list_audit(api_t *a)
{
    const char *before = apr_table_get(a->w->query, "before");
    const char *lim = apr_table_get(a->w->query, "limit");
    int limit = lim ? atoi(lim) : IAM_PAGE_SIZE, i;
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;

    if (limit < 1 || limit > 500)
        return bad(a->w->r, "limit must be 1 to 500");
    if (iam_store_audit_list(a->w->st, a->w->r->pool, before ? strtoull(before, NULL, 10) : 0,
                             limit, &list, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_audit(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_audit_t *)));
    return send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "audit", arr));
}

/* ---- access requests ---- */

static const char *const request_status[] = {"open", "approved", "dismissed", "granted"};

/* A request, with its revision and status; an open one with the grant
 * Approve gives by default (null when the plan cannot answer it), an
 * answered one with when, by whom and (approved) what was granted. */
static json_t *request_json(api_t *a, const iam_request_t *q)
{
    apr_pool_t *p = a->w->r->pool;
    const char *item[2], *why;
    const iam_role_t *role;
    iam_grant_t g;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "login", q->login, "type",
                          q->type, "name", q->name, "path", q->path, "level",
                          iam_level_name(q->level), "message", q->message, "time",
                          iam_time_text(p, q->time), "rev", (json_int_t)q->rev);

    if (!j)
        return NULL;
    json_object_set_new(j, "status", json_string(request_status[q->status]));
    if (q->status == IAM_REQUEST_OPEN) {
        role = iam_policy_approval(&a->w->ws->roles, a->w->ws->plan, q->type, q->name, q->level,
                                   NULL, IAM_APPROVE_AUTO, &g, item, &why);
        json_object_set_new(j, "approve", role ? iam_json_grant(&g) : json_null());
        return j;
    }
    json_object_set_new(j, "answered", json_string(iam_time_text(p, q->answered)));
    json_object_set_new(j, "answered_by", json_string(q->answered_by));
    if (q->status == IAM_REQUEST_APPROVED) {
        item[0] = q->name;
        item[1] = NULL;
        g = (iam_grant_t){q->granted_role, q->granted_all ? IAM_SCOPE_ALL : IAM_SCOPE_RESOURCES,
                          q->granted_all ? 0 : 1, item};
        json_object_set_new(j, "granted", iam_json_grant(&g));
    }
    return j;
}

/* GET requests[?login=LOGIN][&status=open|all]: the open requests (of
 * one member, or all); status=all: one member's, answered ones too. */
static int list_requests(api_t *a)
{
    const char *login = apr_table_get(a->w->query, "login"),
               *status = apr_table_get(a->w->query, "status");
    apr_array_header_t *list;
    iam_err_t err;
    iam_status_e st;
    json_t *arr;
    int i;

    if (status && strcmp(status, "open") && strcmp(status, "all"))
        return bad(a->w->r, "\"status\" must be \"open\" or \"all\"");
    if (status && !strcmp(status, "all") && !login)
        return bad(a->w->r, "status=all lists one member's requests: add login=LOGIN");
    st = status && !strcmp(status, "all")
             ? iam_store_request_history(a->w->st, a->w->r->pool, login, &list, &err)
             : iam_store_request_list(a->w->st, a->w->r->pool, login, &list, &err);
    if (st != IAM_OK)
        return store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr, request_json(a, APR_ARRAY_IDX(list, i, iam_request_t *)));
    return send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "requests", arr));
}

/* POST requests/approve {"login", "type", "name", "rev", "role"?, "scope"?}
 * or requests/dismiss {"login", "type", "name"}. "rev" is the revision the
 * client decided on (GET requests): a request changed since is refused
 * (409). "role" defaults to the least that gives the access asked for;
 * "scope" "resource" (that one) or "all" (all of its type), by default
 * the one resource where the role allows. A request for the console or
 * an owners-only page makes an owner: only with "role": "workspace-owner". */
static int answer_request(api_t *a, int approve)
{
    static const char *const known[] = {"login", "type", "name", "rev", "role", "scope", NULL};
    apr_pool_t *p = a->w->r->pool;
    const char *e, *scope = NULL;
    iam_approval_t ap;
    iam_request_t *done;
    iam_err_t err;
    iam_status_e st;
    json_t *rev;
    int rc;

    if ((rc = read_json(a)) != OK)
        return rc;
    memset(&ap, 0, sizeof(ap));
    if ((e = unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "login", 1, &ap.login, p)) ||
        (e = iam_json_get_str(a->body, "type", 1, &ap.type, p)) ||
        (e = iam_json_get_str(a->body, "name", 0, &ap.name, p)) ||
        (e = iam_json_get_str(a->body, "role", 0, &ap.role, p)) ||
        (e = iam_json_get_str(a->body, "scope", 0, &scope, p)))
        return bad(a->w->r, e);
    if ((rev = json_object_get(a->body, "rev")) &&
        (!json_is_integer(rev) || json_integer_value(rev) < 1 ||
         json_integer_value(rev) > 0xffffffffLL))
        return bad(a->w->r, "\"rev\" must be a request's revision (a positive integer)");
    if (approve && !rev)
        return bad(a->w->r, "\"rev\" is required: the revision of the request you decided on (GET "
                            "requests), so that a request changed since is not approved");
    if (scope && strcmp(scope, "resource") && strcmp(scope, "all"))
        return bad(a->w->r, "\"scope\" must be \"resource\" or \"all\"");
    if (!approve) {
        if (rev || ap.role || scope)
            return bad(a->w->r, "dismiss takes \"login\", \"type\" and \"name\" only");
        st = iam_store_request_dismiss(a->w->st, a->w->actor, ap.login, ap.type, ap.name, p,
                                       &done, &err);
        if (st != IAM_OK)
            return store_error(a->w->r, &err);
        iam_mail_request_answered(a->w->r, a->w->st, done, a->w->owner);
        return send_json(a->w->r, HTTP_OK,
                         json_pack("{s:b, s:o}", "dismissed", 1, "request", request_json(a, done)));
    }
    ap.name = ap.name ? ap.name : "*";
    ap.rev = (unsigned)json_integer_value(rev);
    ap.scope = !scope                     ? IAM_APPROVE_AUTO
               : !strcmp(scope, "all") ? IAM_APPROVE_ALL
                                       : IAM_APPROVE_RESOURCE;
    ap.owner_confirmed = ap.role && !strcasecmp(ap.role, "workspace-owner");
    if (iam_store_request_approve(a->w->st, a->w->actor, &ap, p, &done, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    iam_mail_request_answered(a->w->r, a->w->st, done, a->w->owner);
    return show_member(a, ap.login, HTTP_OK);
}

/* ---- tokens ---- */

static int list_tokens(api_t *a)
{
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    int i;

    if (iam_store_token_list(a->w->st, a->w->r->pool, &list, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_token(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_token_t *)));
    return send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "tokens", arr));
}

/* The secret is in this answer and nowhere else, ever. */
static int create_token(api_t *a)
{
    static const char *const known[] = {"description", NULL};
    apr_pool_t *p = a->w->r->pool;
    const char *e, *description, *token;
    iam_token_t *tk;
    iam_err_t err;
    json_t *j;
    int rc;

    if ((rc = read_json(a)) != OK)
        return rc;
    if ((e = unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "description", 1, &description, p)))
        return bad(a->w->r, e);
    if (iam_store_token_create(a->w->st, a->w->actor, a->w->owner, description, p, &token, &tk,
                               &err) != IAM_OK)
        return store_error(a->w->r, &err);
    j = iam_json_token(p, tk);
    json_object_set_new(j, "token", json_string(token));
    return send_json(a->w->r, HTTP_CREATED, j);
}

static int revoke_token(api_t *a, const char *id)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_token_revoke(a->w->st, a->w->actor, id, &err) != IAM_OK)
        return store_error(a->w->r, &err);
    return send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "id", id, "revoked", 1));
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
            return list_members(a);
        return r->method_number == M_POST ? put_member(a, NULL, 1) : method_not_allowed(r);
    }
    if ((who = strip_suffix(r->pool, rest, "/resend")))
        return r->method_number == M_POST ? resend_invitation(a, who) : method_not_allowed(r);
    if ((who = strip_suffix(r->pool, rest, "/grants/revoke")))
        return r->method_number == M_POST ? change_grant(a, 0, who, 1) : method_not_allowed(r);
    if ((who = strip_suffix(r->pool, rest, "/grants")))
        return r->method_number == M_POST ? change_grant(a, 0, who, 0) : method_not_allowed(r);
    if (r->method_number == M_GET)
        return show_member(a, rest, HTTP_OK);
    if (r->method_number == M_PATCH)
        return put_member(a, rest, 0);
    if (r->method_number == M_DELETE)
        return remove_member(a, rest);
    return method_not_allowed(r);
}

static int route_groups(api_t *a, const char *rest)
{
    request_rec *r = a->w->r;
    const char *name;

    if (!*rest) {
        if (r->method_number == M_GET)
            return list_groups(a);
        return r->method_number == M_POST ? put_group(a, NULL, 1) : method_not_allowed(r);
    }
    if ((name = strip_suffix(r->pool, rest, "/members/remove")))
        return r->method_number == M_POST ? change_members(a, name, 0) : method_not_allowed(r);
    if ((name = strip_suffix(r->pool, rest, "/members")))
        return r->method_number == M_POST ? change_members(a, name, 1) : method_not_allowed(r);
    if ((name = strip_suffix(r->pool, rest, "/grants/revoke")))
        return r->method_number == M_POST ? change_grant(a, 1, name, 1) : method_not_allowed(r);
    if ((name = strip_suffix(r->pool, rest, "/grants")))
        return r->method_number == M_POST ? change_grant(a, 1, name, 0) : method_not_allowed(r);
    if (r->method_number == M_GET)
        return show_group(a, rest, HTTP_OK);
    if (r->method_number == M_PATCH)
        return put_group(a, rest, 0);
    if (r->method_number == M_DELETE)
        return delete_group(a, rest);
    return method_not_allowed(r);
}

int iam_api_handle(iam_web_t *w)
{
    request_rec *r = w->r;
    api_t a = {w, NULL};
    const char *path = w->sub;

    if (strncmp(path, "api/v1/", 7))
        return api_error(r, HTTP_NOT_FOUND, "not_found", "the API lives under api/v1/");
    path += 7;
    if (!strcmp(path, "members") || !strncmp(path, "members/", 8))
        return route_members(&a, path[7] ? path + 8 : "");
    if (!strcmp(path, "groups") || !strncmp(path, "groups/", 7))
        return route_groups(&a, path[6] ? path + 7 : "");
    if (!strcmp(path, "tokens"))
        return r->method_number == M_GET    ? list_tokens(&a)
               : r->method_number == M_POST ? create_token(&a)
                                            : method_not_allowed(r);
    if (!strncmp(path, "tokens/", 7) && path[7])
        return r->method_number == M_DELETE ? revoke_token(&a, path + 7) : method_not_allowed(r);
    if (!strcmp(path, "requests/approve") || !strcmp(path, "requests/dismiss"))
        return r->method_number == M_POST ? answer_request(&a, path[9] == 'a')
                                          : method_not_allowed(r);
    if (r->method_number != M_GET)
        return method_not_allowed(r);
    if (!strcmp(path, "requests"))
        return list_requests(&a);
    if (!strcmp(path, "roles"))
        return list_roles(&a);
    if (!strcmp(path, "resources"))
        return list_resources(&a);
    if (!strncmp(path, "resources/", 10)) {
        const char *access = strip_suffix(r->pool, path + 10, "/access");
        return access ? resource_access(&a, access)
                      : api_error(r, HTTP_NOT_FOUND, "not_found", "no such endpoint");
    }
    if (!strcmp(path, "audit"))
        return list_audit(&a);
    return api_error(r, HTTP_NOT_FOUND, "not_found", "no such endpoint");
}
