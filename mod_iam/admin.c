/* mod_iam: the `iam-admin` handler. It lets Workspace Owners in (401 with
 * no user, 403 for anyone else), sets the security headers, and hands the
 * request to the JSON API (BASE/api/v1/...) or to the HTML console. */
#include "iam_access.h"
#include "iam_html.h"

#include "apr_strings.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"

static int wants_json(const iam_web_t *w)
{
    return !strncmp(w->sub, "api/", 4) || !strcmp(w->sub, "api");
}

/* Refusals before the owner is known: JSON for the API, a short page for
 * the console. */
static int refuse(iam_web_t *w, int status, const char *code, const char *message)
{
    request_rec *r = w->r;

    const char *body;

    r->status = status;
    if (wants_json(w)) {
        ap_set_content_type(r, "application/json");
        body = iam_web_error_json(r->pool, code, message);
    } else {
        ap_set_content_type(r, "text/html; charset=utf-8");
        body = iam_html_error_page(r->pool, "Access management", message, NULL);
    }
    if (body && !r->header_only)
        ap_rputs(body, r);
    return DONE;
}

static int serve_css(request_rec *r)
{
    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;
    ap_set_content_type(r, "text/css; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "max-age=300");
    apr_table_unset(r->err_headers_out, "Cache-Control");
    if (!r->header_only)
        ap_rputs(iam_console_css, r);
    return OK;
}

static const iam_resource_t console_res = {IAM_TYPE_CONSOLE, "", 0, NULL};

/* A short page for a refused request-access post, with the way back. */
static int request_refused(iam_web_t *w, int status, const char *why, const char *back)
{
    request_rec *r = w->r;

    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (!r->header_only)
        ap_rputs(iam_html_error_page(r->pool, "Your request was not sent", why, back), r);
    return DONE;
}

/* The request-access form, checked: a POST of this site (same origin,
 * the CSRF token) with a local path. OK, or the status to answer. */
static int read_request_form(iam_web_t *w, apr_table_t **form, const char **path)
{
    request_rec *r = w->r;
    apr_size_t len;
    char *body;
    int rc;

    if (r->method_number != M_POST)
        return HTTP_METHOD_NOT_ALLOWED;
    if (!iam_web_same_origin(r))
        return HTTP_FORBIDDEN;
    if ((rc = iam_web_read_body(r, IAM_BODY_MAX, &body, &len)) != OK)
        return rc;
    if (strlen(body) != len || !(*form = iam_web_parse_form(r->pool, body)))
        return HTTP_BAD_REQUEST;
    if (!iam_web_csrf_ok(r, w->secret, apr_table_get(*form, "csrf")))
        return HTTP_FORBIDDEN;
    *path = apr_table_get(*form, "path");
    /* a local path only: no scheme, no host, no header tricks */
    if (!*path || (*path)[0] != '/' || (*path)[1] == '/' || (*path)[1] == '\\' ||
        iam_check_text(*path, 1024))
        return HTTP_BAD_REQUEST;
    return OK;
}

/* Whether mod_iam refuses this member q->path (asked at level `asked`),
 * and if so what it refuses, into q; *offered: whether that page offers
 * requests (IAMRequestAccess). */
static int refused_here(iam_web_t *w, const iam_subject_t *subj, iam_level_e asked,
                        iam_request_t *q, int *offered)
{
    request_rec *r = w->r, *sub;
    const iam_verdict_t *v;
    size_t n = strlen(w->base);
    int refused;

    if (!strncmp(q->path, w->base, n) && (q->path[n] == '/' || !q->path[n])) {
        /* the console: the handler refuses non-owners itself */
        q->type = console_res.type;
        q->name = "*";
        q->level = IAM_LEVEL_ADMIN;
        *offered = iam_dir_request_access(iam_dir_of(r)); /* the console's own */
        return !subj->owner;
    }
    /* The path must be one mod_iam refuses this member: a request is for
     * a real refusal, never for a path of one's choosing. Refused means
     * the subrequest was refused (the page does not let them in by any of
     * its Require lines), by mod_iam, for a resource or the owners' pages;
     * what it refused is what is filed: approval grants what the page
     * needs, never more. */
    sub = ap_sub_req_method_uri(asked == IAM_LEVEL_READ ? "GET" : "POST", q->path, r, NULL);
    v = iam_verdict_of(sub);
    *offered = iam_dir_request_access(iam_dir_of(sub));
    refused = (sub->status == HTTP_FORBIDDEN || sub->status == HTTP_UNAUTHORIZED) && v &&
              (v->refused == IAM_REFUSED_RESOURCE || v->refused == IAM_REFUSED_OWNERS);
    if (refused) {
        q->type = v->res->type;
        /* a template's name lives in the subrequest's state, which goes
         * below: copied (type and labels are httpd.conf's) */
        q->name = v->res->name ? apr_pstrdup(r->pool, v->res->name) : "*";
        q->level = v->need;
        q->nlabels = v->res->nlabels; /* what an answer must give access to */
        q->labels = v->res->labels;
    }
    ap_destroy_sub_req(sub);
    return refused;
}

/* POST BASE/request-access from a refused member: stores the request for
 * what mod_iam refused that member on the posted path (decided here, in a
 * subrequest, never taken from the form), mails the owners if it is new
 * or asks for another level, and sends the member back to that path,
 * which now says the request is pending. */
static int request_access(iam_web_t *w, const iam_subject_t *subj)
{
    request_rec *r = w->r;
    iam_request_t q;
    iam_request_change_e change;
    apr_table_t *form = NULL;
    iam_err_t err;
    const char *path = NULL;
    int rc, offered;
    iam_level_e asked;

    if ((rc = read_request_form(w, &form, &path)) != OK)
        return rc;
    memset(&q, 0, sizeof(q));
    q.login = subj->member->login;
    q.path = path;
    q.message = apr_table_get(form, "message") ? apr_table_get(form, "message") : "";
    if (iam_level_parse(apr_table_get(form, "level"), &asked))
        asked = IAM_LEVEL_READ;
    if (!refused_here(w, subj, asked, &q, &offered))
        return request_refused(w, HTTP_BAD_REQUEST,
                               "That page does not refuse you, so there is nothing to ask for.",
                               path);
    if (!offered)
        return request_refused(w, HTTP_FORBIDDEN, "Access requests are turned off here.", path);
    switch (
        iam_store_request_put(w->st, w->actor, &q, iam_ws_request_limit(w->ws), &change, &err)) {
    case IAM_OK: break;
    case IAM_INVALID: return request_refused(w, HTTP_BAD_REQUEST, err.msg, path);
    default:
        iam_log_r(r, APLOG_ERR, 0, "access request of '%s': %s", r->user, err.msg);
        return request_refused(w, iam_web_http_status(err.status), err.msg, path);
    }
    iam_log_r(r, APLOG_INFO, 0, "'%s' requests %s access to %s %s", r->user,
              iam_level_name(q.level), q.type, q.name);
    if (change == IAM_REQUEST_NEW || change == IAM_REQUEST_LEVEL)
        iam_mail_request(r, &q, subj->member, change == IAM_REQUEST_LEVEL);
    apr_table_setn(r->headers_out, "Location", ap_construct_url(r->pool, path, r));
    return HTTP_SEE_OTHER;
}

static int store_unusable(iam_web_t *w)
{
    return refuse(w, HTTP_INTERNAL_SERVER_ERROR, "store_error",
                  "The access store is not usable; the error log says why.");
}

/* A script with an API token acts with Workspace Owner access; no login
 * needed. The attempt is logged by the token's id, never its secret. */
static int api_with_token(iam_web_t *w)
{
    request_rec *r = w->r;
    iam_token_t *tok;
    iam_err_t err;

    if (!(w->st = iam_request_store(r)))
        return store_unusable(w);
    switch (iam_store_token_check(w->st, r->pool, iam_web_bearer(r), &tok, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
        iam_log_r(r, APLOG_WARNING, 0, "API token refused: %s", err.msg);
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       "Bearer realm=\"mod_iam\", error=\"invalid_token\"");
        return refuse(w, HTTP_UNAUTHORIZED, "invalid_token",
                      "the token is unknown, revoked or malformed");
    default: iam_log_r(r, APLOG_ERR, 0, "API token: %s", err.msg); return store_unusable(w);
    }
    if (!strcmp(tok->scope, IAM_TOKEN_SCIM)) {
        /* an identity provider's token: SCIM's endpoints only */
        iam_log_r(r, APLOG_WARNING, 0, "API token %s refused: it is for SCIM only", tok->id);
        return refuse(w, HTTP_FORBIDDEN, "forbidden",
                      "this token is an identity provider's: it works on scim/v2/ only");
    }
    if (tok->last_used + 60 < (long long)apr_time_sec(apr_time_now()))
        iam_touch(r, IAM_TOUCH_TOKEN, tok->id); /* its last use, to the minute */
    w->actor = apr_pstrcat(r->pool, "token:", tok->id, NULL);
    w->owner = tok->owner;
    iam_log_r(r, APLOG_DEBUG, 0, "API request with token %s (%s)", tok->id, tok->description);
    return iam_api_handle(w);
}

/* The console's base: the path of IAMConsoleURL when the request is under
 * it, else the innermost section (core keeps its path); w->sub, what
 * follows it. OK, or the status to answer. */
static int console_base(iam_web_t *w)
{
    request_rec *r = w->r;
    const char *section = iam_ws_console_path(w->ws);
    core_dir_config *cd;
    apr_size_t n = strlen(section);

    if (strncmp(r->uri, section, n) || (r->uri[n] != '/' && r->uri[n] != '\0')) {
        static const char *const inner[] = {"/scim/v2", "/scim", "/api/v1", "/api"};
        size_t i, k;
        cd = ap_get_core_module_config(r->per_dir_config);
        section = cd ? cd->d : NULL;
        n = section ? strlen(section) : 0;
        while (n > 0 && section[n - 1] == '/')
            n--;
        /* a section of SCIM's or the API's own inside the console's (to
         * let their tokens past the site's login) is not the console */
        for (i = 0; i < sizeof(inner) / sizeof(inner[0]); i++) {
            k = strlen(inner[i]);
            if (n > k && !strncmp(section + n - k, inner[i], k)) {
                n -= k;
                break;
            }
        }
    }
    if (!section || section[0] != '/' || strncmp(r->uri, section, n) ||
        (r->uri[n] != '/' && r->uri[n] != '\0')) {
        iam_log_r(r, APLOG_ERR, 0,
                  "SetHandler iam-admin belongs in a <Location \"/PATH\"> section (and "
                  "IAMConsoleURL names that path); %s is not under one (innermost section: %s)",
                  r->uri, section ? section : "none");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    w->base = apr_pstrmemdup(r->pool, section, n);
    w->sub = r->uri + n + (r->uri[n] == '/');
    return OK;
}

/* The logged-in user as a member of the workspace, with the workspace's
 * secret in w: OK, or the answer already given. */
static int member_of_workspace(iam_web_t *w, iam_subject_t *subj)
{
    request_rec *r = w->r;
    iam_err_t err;

    if (!r->user || !*r->user) { /* an empty user is no user */
        ap_note_auth_failure(r);
        return refuse(w, HTTP_UNAUTHORIZED, "unauthorized", "Log in first.");
    }
    if (!(w->st = iam_request_store(r)))
        return store_unusable(w);
    /* the membership test of every Require iam-*: an invitee whose email
     * the IdP has not verified is no member here either */
    switch (iam_admit(r, w->st, subj, &err)) {
    case IAM_ADMIT_MEMBER: break;
    case IAM_ADMIT_NOT_MEMBER:
        iam_log_r(r, APLOG_INFO, 0, "console: '%s' is not a member", r->user);
        return refuse(w, HTTP_FORBIDDEN, "forbidden",
                      "You are not a member of this workspace. Ask a Workspace Owner for an "
                      "invitation.");
    default:
        iam_log_r(r, APLOG_ERR, 0, "console: refusing '%s': %s", r->user, err.msg);
        return store_unusable(w);
    }
    if (iam_store_secret(w->st, w->secret, &err) != IAM_OK) {
        iam_log_r(r, APLOG_ERR, 0, "console: %s", err.msg);
        return store_unusable(w);
    }
    return OK;
}

/* Whether the request is one a resource's own admin may make, and the
 * subject is that resource's admin: the API's PUT
 * resources/TYPE/NAME/labels, the console's resources/TYPE/NAME page and
 * its labels form. Their grants must give admin on the resource as
 * decisions see it (its labels from httpd.conf and the workspace), under
 * every path of this server that names it. */
static int resource_admin(iam_web_t *w, const iam_subject_t *subj)
{
    request_rec *r = w->r;
    const char *rest = NULL, *type, *name;
    iam_resource_t bare = {NULL, NULL, 0, NULL};
    apr_array_header_t *decls;
    iam_err_t err;
    size_t n;
    int i;

    if (wants_json(w)) {
        if (r->method_number == M_PUT && !strncmp(w->sub, "api/v1/resources/", 17))
            rest = w->sub + 17;
    } else if (!strncmp(w->sub, "resources/", 10) &&
               (r->method_number == M_GET || r->method_number == M_POST)) {
        rest = w->sub + 10;
    }
    if (!rest)
        return 0;
    n = strlen(rest);
    if (n > 7 && !strcmp(rest + n - 7, "/labels"))
        rest = apr_pstrmemdup(r->pool, rest, n - 7);
    else if (wants_json(w) || r->method_number == M_POST)
        return 0;
    if (!iam_web_type_name(r->pool, rest, &type, &name) || iam_check_resource_name(name) ||
        iam_check_resource_type(type))
        return 0;
    /* One name may be several paths here (its own entries, and every
     * template of its type), each with httpd.conf's labels of its own: the
     * labels changed reach them all, so the member must be its admin under
     * every one (else a relabel opens a door they do not hold). */
    decls = iam_web_resource_decls(r->pool, w->ws, type, name);
    for (i = 0; i < (decls->nelts ? decls->nelts : 1); i++) {
        const iam_resource_t *res =
            decls->nelts ? &APR_ARRAY_IDX(decls, i, iam_resource_decl_t *)->res : &bare;
        bare.type = type;
        bare.name = name;
        if (iam_resource_labelled(w->st, r->pool, res, &res, NULL, &err) != IAM_OK) {
            iam_log_r(r, APLOG_ERR, 0, "console: %s", err.msg);
            return 0;
        }
        if (iam_policy_level(iam_ws_roles(w->ws), iam_ws_plan(w->ws), subj->sets, subj->nsets,
                             res) < IAM_LEVEL_ADMIN)
            return 0;
    }
    iam_log_r(r, APLOG_INFO, 0, "console: '%s' as admin of %s '%s'", r->user, type, name);
    return 1;
}

int iam_admin_handler(request_rec *r)
{
    iam_subject_t subj;
    iam_web_t w;
    int rc;

    if (!r->handler || strcmp(r->handler, "iam-admin"))
        return DECLINED;
    iam_web_security_headers(r);
    memset(&w, 0, sizeof(w));
    w.r = r;
    w.ws = iam_workspace_of(r->server);
    if ((rc = console_base(&w)) != OK)
        return rc;
    if (!r->args)
        w.query = apr_table_make(r->pool, 1);
    else if (!(w.query = iam_web_parse_form(r->pool, r->args)))
        return HTTP_BAD_REQUEST; /* a bad %-escape in the query */

    if (!strcmp(w.sub, "static/console.css"))
        return serve_css(r);
    if (!strncmp(w.sub, "scim/", 5) || !strcmp(w.sub, "scim"))
        return iam_scim_handle(&w); /* an identity provider's token, never a login */
    if (wants_json(&w) && iam_web_bearer(r))
        return api_with_token(&w);
    if ((rc = member_of_workspace(&w, &subj)) != OK)
        return rc;
    if (!strcmp(w.sub, "request-access")) {
        w.actor = apr_pstrcat(r->pool, "member:", r->user, NULL);
        return request_access(&w, &subj);
    }
    if (!subj.owner && resource_admin(&w, &subj)) {
        w.resource_admin = 1;
        w.actor = apr_pstrcat(r->pool, wants_json(&w) ? "api:" : "console:", r->user, NULL);
        return wants_json(&w) ? iam_api_handle(&w) : iam_console_handle(&w);
    }
    if (!subj.owner) {
        iam_log_r(r, APLOG_INFO, 0, "console: '%s' is not a Workspace Owner", r->user);
        if (wants_json(&w))
            return refuse(&w, HTTP_FORBIDDEN, "forbidden",
                          "Only Workspace Owners can change a workspace's Access Management "
                          "settings.");
        iam_denied_prepare(r, &subj, &console_res, IAM_LEVEL_ADMIN, IAM_REFUSED_OWNERS);
        return HTTP_FORBIDDEN;
    }
    w.owner = subj.member->login;
    if (wants_json(&w)) {
        w.actor = apr_pstrcat(r->pool, "api:", r->user, NULL);
        return iam_api_handle(&w);
    }
    w.actor = apr_pstrcat(r->pool, "console:", r->user, NULL);
    return iam_console_handle(&w);
}
