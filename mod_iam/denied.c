/* mod_iam: what a refused user sees. When a mod_iam Require refuses an
 * authenticated user, the 403 carries the module's own page: what they
 * tried to reach, and a form to ask the owners for access (or, for a
 * non-member, who to ask for an invitation). An API client (Accept:
 * application/json) gets the same facts as JSON. The page is handed to
 * core as the request's custom 403 response, so the status stays 403 and
 * every other module keeps its say. */
#include "iam_html.h"
#include "iam_present.h"

#include "apr_strings.h"
#include "http_core.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include <jansson.h>
#include <time.h>

#define FILTER_JSON "IAM_DENIED_JSON"
#define TEMPLATE_MAX (64 * 1024)

/* ---- IAMDeniedTemplate ---- */

enum { PH_RESOURCE, PH_LEVEL, PH_USER, PH_STATUS, PH_FORM, PH_NONE };
static const char *const placeholders[] = {"resource", "level", "user", "status", "form"};

/* Literal text, then a placeholder (PH_NONE after the last piece). */
typedef struct {
    const char *text;
    int ph;
} piece_t;

struct iam_template {
    apr_array_header_t *pieces;
};

/* Reads and splits the file once, at start-up. Every {{name}} must be a
 * known placeholder, each at most once, and {{resource}} must be there:
 * a page that cannot say what was refused is refused. */
const char *iam_template_load(apr_pool_t *p, const char *file, const iam_template_t **out)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t n;
    char *buf, *cur, *open;
    iam_template_t *t = apr_pcalloc(p, sizeof(*t));
    int seen[PH_NONE] = {0}, i;

    if (apr_file_open(&f, file, APR_FOPEN_READ, 0, p) != APR_SUCCESS)
        return "cannot be read";
    if (apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS || fi.size > TEMPLATE_MAX) {
        apr_file_close(f);
        return "is larger than 64 KiB";
    }
    n = (apr_size_t)fi.size;
    buf = apr_palloc(p, n + 1);
    if (apr_file_read_full(f, buf, n, &n) != APR_SUCCESS && n != (apr_size_t)fi.size) {
        apr_file_close(f);
        return "cannot be read";
    }
    apr_file_close(f);
    buf[n] = '\0';
    if (strlen(buf) != n)
        return "holds a NUL byte";
    t->pieces = apr_array_make(p, 8, sizeof(piece_t));
    for (cur = buf; (open = strstr(cur, "{{")) != NULL;) {
        char *close = strstr(open, "}}");
        piece_t *pc = apr_array_push(t->pieces);
        if (!close)
            return "has a {{ without }}";
        *open = '\0';
        *close = '\0';
        pc->text = cur;
        pc->ph = PH_NONE;
        for (i = 0; i < PH_NONE; i++) {
            if (!strcmp(open + 2, placeholders[i]))
                pc->ph = i;
        }
        if (pc->ph == PH_NONE)
            return apr_psprintf(p,
                                "unknown placeholder {{%s}} (known: {{resource}}, {{level}}, "
                                "{{user}}, {{status}}, {{form}})",
                                open + 2);
        if (seen[pc->ph]++)
            return apr_psprintf(p, "{{%s}} appears more than once", open + 2);
        cur = close + 2;
    }
    if (!seen[PH_RESOURCE])
        return "lacks {{resource}}: the page must say what was refused";
    ((piece_t *)apr_array_push(t->pieces))->text = cur;
    APR_ARRAY_IDX(t->pieces, t->pieces->nelts - 1, piece_t).ph = PH_NONE;
    *out = t;
    return NULL;
}

/* ---- the page ---- */

typedef struct {
    const char *user, *what, *level, *status, *form;
} facts_t;

static const char *render_default(apr_pool_t *p, const facts_t *f)
{
    return apr_pstrcat(
        p,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Access needed</title><style>*{box-sizing:border-box}body{font:16px/1.5 "
        "system-ui,sans-serif;"
        "color:#1f2430;background:#f6f7fb;margin:0}main{max-width:640px;margin:48px auto;"
        "background:#fff;border:1px solid #e3e6ee;border-radius:8px;padding:24px 32px}"
        "h1{font-size:22px}textarea{width:100%;min-height:90px;font:inherit;padding:8px;"
        "border:1px solid #cfd4e0;border-radius:6px}button{padding:8px 16px;border-radius:6px;"
        "border:1px solid #3b5bdb;background:#3b5bdb;color:#fff;font:inherit}"
        ".status{padding:10px 14px;border-radius:6px;background:#e7f5ff;border:1px solid #a5d8ff}"
        ".muted{color:#687084}</style></head><body><main>\n<h1>You need access</h1>\n"
        "<p>You are signed in as <strong>",
        f->user, "</strong>, and you do not have ", f->level, " access to <strong>", f->what,
        "</strong>.</p>\n", f->status, f->form, "</main></body></html>\n", NULL);
}

static const char *render_template(apr_pool_t *p, const iam_template_t *t, const facts_t *f)
{
    const char *values[PH_NONE] = {f->what, f->level, f->user, f->status, f->form};
    const char *out = "";
    int i;

    for (i = 0; i < t->pieces->nelts; i++) {
        const piece_t *pc = &APR_ARRAY_IDX(t->pieces, i, piece_t);
        out = apr_pstrcat(p, out, pc->text, pc->ph == PH_NONE ? "" : values[pc->ph], NULL);
    }
    return out;
}

static const char *describe(apr_pool_t *p, const char *type, const char *name)
{
    if (!type)
        return "this workspace";
    if (!strcmp(type, IAM_TYPE_CONSOLE))
        return "the workspace console";
    if (!strcmp(type, IAM_TYPE_OWNERS))
        return "this page, for Workspace Owners only";
    if (!name || !strcmp(name, "*"))
        return apr_psprintf(p, "the %s collection", type);
    return apr_psprintf(p, "the %s %s", type, name);
}

/* Is this a request to the console's JSON API (IAMConsoleURL's path +
 * /api/)? Its errors are JSON whoever refuses it. */
static int api_request(request_rec *r)
{
    const char *base = iam_ws_console_path(iam_workspace_of(r->server));
    apr_size_t n;

    if (!r->uri) /* an error answered before the request line was read */
        return 0;
    n = strlen(base);
    return !strncmp(r->uri, base, n) && !strncmp(r->uri + n, "/api/", 5);
}

static int wants_json(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    return api_request(r) || (accept && ap_strcasestr(accept, "application/json") &&
                              !ap_strcasestr(accept, "text/html"));
}

/* Switches the error response's content type to JSON (core sets
 * text/html for every error body). */
static apr_status_t json_type_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    ap_set_content_type(f->r, "application/json");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* A user mod_iam refused gets 403 and its page: with
 * AuthzSendForbiddenOnFailure Off (Apache's default), mod_authz_core
 * answers 401, and the browser would only ask for the same password
 * again, never showing the page. This hook runs in
 * ap_send_error_response after it has taken the status whose custom
 * response it will send (401's, which iam_denied_prepare made the page)
 * and before the status line is written: the 403 set here is what the
 * client gets. Only for a request authorization refused (not one that
 * another Require line let through and that failed later, see
 * forget_page). IAMDeniedStatus 401 keeps Apache's answer. */
static void refuse_with_403(request_rec *r)
{
    const iam_verdict_t *v = iam_verdict_of(r);

    if (r->status != HTTP_UNAUTHORIZED || !v || !v->refused || v->passed || !r->user || !*r->user)
        return;
    if (iam_dir_denied_status(iam_dir_of(r)) == HTTP_UNAUTHORIZED)
        return;
    r->status = HTTP_FORBIDDEN;
    apr_table_unset(r->err_headers_out, "WWW-Authenticate");
}

/* Fixups run only for a request authorization let through: a mod_iam
 * line may have refused on the way (a <RequireAny> another line
 * granted), and its page must not answer a 401 or 403 that comes later
 * (a backend's, a file's). */
static int forget_page(request_rec *r)
{
    core_request_config *rc = ap_get_core_module_config(r->request_config);
    static const int statuses[2] = {HTTP_FORBIDDEN, HTTP_UNAUTHORIZED};
    iam_verdict_t *v;
    int i, idx;

    if (!iam_verdict_of(r))
        return DECLINED;
    v = iam_verdict_for(r);
    v->passed = 1;
    for (i = 0; i < 2 && rc->response_code_strings; i++) {
        idx = ap_index_of_response(statuses[i]);
        if (v->page[i] && rc->response_code_strings[idx] == v->page[i])
            rc->response_code_strings[idx] = NULL;
    }
    return DECLINED;
}

/* Errors of the JSON API that come from elsewhere (401 from authn, 403
 * from another Require, 500) are JSON too. Core reads the custom response
 * after this hook runs. */
static void insert_json_filter(request_rec *r)
{
    const iam_verdict_t *v = iam_verdict_of(r);
    int json = v && v->json_page;
    const char *code = NULL, *body;

    if (!json && api_request(r)) {
        switch (r->status) {
        case HTTP_UNAUTHORIZED: code = "unauthorized"; break;
        case HTTP_FORBIDDEN: code = "forbidden"; break;
        case HTTP_NOT_FOUND: code = "not_found"; break;
        case HTTP_METHOD_NOT_ALLOWED: code = "method_not_allowed"; break;
        case HTTP_REQUEST_ENTITY_TOO_LARGE: code = "too_large"; break;
        default: code = r->status >= 500 ? "server_error" : "invalid";
        }
        body = iam_web_error_json(r->pool, code, ap_get_status_line(r->status) + 4);
        if (body) {
            ap_custom_response(r, r->status, body);
            apr_table_setn(r->subprocess_env, "suppress-error-charset", "1");
            iam_web_security_headers(r);
            json = 1;
        }
    }
    if (json)
        ap_add_output_filter(FILTER_JSON, NULL, r, r->connection);
}

void iam_denied_register(apr_pool_t *p)
{
    (void)p;
    ap_register_output_filter(FILTER_JSON, json_type_filter, NULL, AP_FTYPE_CONTENT_SET);
    /* the status first: the JSON error's code follows it */
    ap_hook_insert_error_filter(refuse_with_403, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_insert_error_filter(insert_json_filter, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(forget_page, NULL, NULL, APR_HOOK_REALLY_FIRST);
}

/* The member's requests (open and recently answered), and among them the
 * one for this resource, if any. */
static apr_array_header_t *requests_of(request_rec *r, iam_store_t *st, const char *login,
                                       const char *type, const char *name, iam_request_t **here)
{
    apr_array_header_t *list;
    iam_err_t err;
    int i;

    *here = NULL;
    if (iam_store_request_history(st, r->pool, login, &list, &err) != IAM_OK) {
        iam_log_r(r, APLOG_ERR, 0, "the requests of '%s': %s", login, err.msg);
        return apr_array_make(r->pool, 1, sizeof(iam_request_t *));
    }
    for (i = 0; i < list->nelts; i++) {
        iam_request_t *q = APR_ARRAY_IDX(list, i, iam_request_t *);
        if (!strcasecmp(q->type, type) && !strcasecmp(q->name, name && *name ? name : "*"))
            *here = q;
    }
    return list;
}

static const char *const status_words[] = {"pending", "approved", "dismissed", "granted"};

/* "2 Dec 2026, 06:40 UTC" */
static const char *when(apr_pool_t *p, long long t)
{
    char buf[64];
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%-d %b %Y, %H:%M UTC", &tm))
        return "";
    return apr_pstrdup(p, buf);
}

/* Who answered, as the member may read it: the owner's login. */
static const char *answerer(const iam_request_t *q)
{
    const char *colon = strchr(q->answered_by, ':');
    return colon && strncmp(q->answered_by, "token:", 6) ? colon + 1 : "a Workspace Owner";
}

/* What became of the request for this resource, as the page's status. */
static const char *here_status(apr_pool_t *p, const iam_request_t *q)
{
    if (!q)
        return "";
    switch (q->status) {
    case IAM_REQUEST_OPEN:
        return "<p class=\"status\" role=\"status\">Your request for access is pending: the "
               "workspace owners have it and will update your permissions.</p>\n";
    case IAM_REQUEST_DISMISSED:
        return apr_pstrcat(p, "<p class=\"status\" role=\"status\">", iam_h(p, answerer(q)),
                           " dismissed your request on ", iam_h(p, when(p, q->answered)),
                           ". If you still need access, you can ask again.</p>\n", NULL);
    default:
        return apr_pstrcat(p, "<p class=\"status\" role=\"status\">Your request was ",
                           q->status == IAM_REQUEST_APPROVED ? "approved" : "answered", " on ",
                           iam_h(p, when(p, q->answered)),
                           ", but it does not let you in now: your permissions have changed "
                           "since. You can ask again.</p>\n",
                           NULL);
    }
}

/* The member's other requests and what became of each. */
static const char *others_list(apr_pool_t *p, const apr_array_header_t *list,
                               const iam_request_t *here)
{
    const char *out = "";
    int i, n = 0;

    for (i = 0; i < list->nelts; i++) {
        const iam_request_t *q = APR_ARRAY_IDX(list, i, iam_request_t *);
        if (q == here)
            continue;
        out = apr_pstrcat(p, out, "<li>", iam_h(p, iam_level_name(q->level)), " access to ",
                          iam_h(p, describe(p, q->type, q->name)), ": <strong>",
                          status_words[q->status], "</strong>",
                          q->status == IAM_REQUEST_OPEN
                              ? apr_pstrcat(p, " since ", iam_h(p, when(p, q->time)), NULL)
                          : q->status == IAM_REQUEST_GRANTED
                              ? apr_pstrcat(p, " by a change to your permissions, ",
                                            iam_h(p, when(p, q->answered)), NULL)
                              : apr_pstrcat(p, " by ", iam_h(p, answerer(q)), ", ",
                                            iam_h(p, when(p, q->answered)), NULL),
                          "</li>", NULL);
        n++;
    }
    return n ? apr_pstrcat(p, "<h2>Your other access requests</h2><ul class=\"requests\">", out,
                           "</ul>\n", NULL)
             : "";
}

static const char *request_form(request_rec *r, iam_store_t *st, const char *type, const char *name,
                                iam_level_e need)
{
    /* the form posts to this site: the path of IAMConsoleURL */
    const char *action = iam_ws_console_path(iam_workspace_of(r->server));
    unsigned char secret[32];
    iam_err_t err;

    if (iam_store_secret(st, secret, &err) != IAM_OK)
        return "";
    return apr_psprintf(
        r->pool,
        "<form method=\"post\" action=\"%s/request-access\"><input type=\"hidden\" "
        "name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"type\" value=\"%s\">"
        "<input type=\"hidden\" name=\"name\" value=\"%s\"><input type=\"hidden\" "
        "name=\"level\" value=\"%s\"><input type=\"hidden\" name=\"path\" value=\"%s\">"
        "<p><label for=\"message\">Ask the workspace owners for access. Tell them what you "
        "need it for:</label></p><textarea id=\"message\" name=\"message\" maxlength=\"%d\">"
        "</textarea><p><button>Request access</button></p></form>\n",
        iam_h(r->pool, action), iam_h(r->pool, iam_web_csrf_token(r, secret)), iam_h(r->pool, type),
        iam_h(r->pool, name ? name : "*"), iam_h(r->pool, iam_level_name(need)),
        iam_h(r->pool, r->uri), IAM_REQUEST_MESSAGE_MAX);
}

/* The page for a refusal that is the administrator's to fix (a Require
 * iam with no resource): Apache's own words. */
static const char forbidden_page[] =
    "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>403 "
    "Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n<p>You don't have permission to "
    "access this resource.</p>\n</body></html>\n";

/* Sets the custom response of `status`, remembered so that forget_page
 * removes exactly it. */
static void set_response(request_rec *r, int status, const char *body)
{
    core_request_config *rc = ap_get_core_module_config(r->request_config);
    iam_verdict_t *v = iam_verdict_for(r);

    ap_custom_response(r, status, body);
    v->page[status == HTTP_FORBIDDEN ? 0 : 1] =
        rc->response_code_strings[ap_index_of_response(status)];
}

/* The page is the custom response of 403 and, unless IAMDeniedStatus 401,
 * of the 401 that refuse_with_403 turns into a 403. */
static void set_page(request_rec *r, const iam_dir_conf_t *dc, const char *body)
{
    if (body)
        set_response(r, HTTP_FORBIDDEN, body);
    if (iam_dir_denied_status(dc) != HTTP_UNAUTHORIZED)
        set_response(r, HTTP_UNAUTHORIZED, body ? body : forbidden_page);
}

/* What a refusal page is about, gathered once. */
typedef struct {
    request_rec *r;
    iam_store_t *st;
    const iam_dir_conf_t *dc;
    const iam_resource_t *res;
    const char *type, *name; /* of res; type NULL: none */
    iam_level_e need;
    int member;               /* the user is a member (not just refused as a stranger) */
    int can_ask;              /* the page may offer an access request */
    apr_array_header_t *mine; /* their requests (can_ask), NULL: none read */
    iam_request_t *here;      /* their last one for this resource, or NULL */
} denied_t;

/* The JSON refusal of a client that asks for JSON (NULL: none could be
 * made): the resource, the level and what became of a request. */
static const char *json_body(const denied_t *d)
{
    apr_pool_t *p = d->r->pool;
    json_t *j = iam_web_error_object(
        p, d->member ? "forbidden" : "not_a_member",
        d->member ? "you do not have access to this resource"
                  : "you are not a member of this workspace; ask a Workspace Owner for an "
                    "invitation");
    /* what was refused, and what became of the last request for it */
    json_t *about = json_pack("{s:{s:s, s:s?}, s:s, s:b, s:b}", "resource", "type",
                              d->type ? d->type : "workspace", "name",
                              d->name && *d->name ? d->name : (d->res ? "*" : NULL), "level",
                              iam_level_name(d->need), "request_access", d->can_ask,
                              "request_pending", d->here && d->here->status == IAM_REQUEST_OPEN);
    const char *body = NULL;
    char *s = NULL;

    if (about && d->here)
        json_object_set_new(
            about, "request",
            json_pack("{s:s, s:s, s:s}", "status", status_words[d->here->status], "asked",
                      iam_time_text(p, d->here->time), "answered",
                      d->here->answered ? iam_time_text(p, d->here->answered) : ""));
    if (j && json_object_update(j, about) == 0)
        s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(about);
    json_decref(j);
    if (s)
        body = apr_pstrcat(p, s, "\n", NULL);
    free(s);
    return body;
}

/* The page, from IAMDeniedTemplate or the default one. */
static const char *html_body(const denied_t *d)
{
    request_rec *r = d->r;
    apr_pool_t *p = r->pool;
    const iam_template_t *t;
    facts_t f;

    f.user = iam_h(p, r->user);
    f.what = iam_h(p, describe(p, d->type, d->name));
    f.level = iam_h(p, iam_level_name(d->need));
    if (!d->member) {
        f.status = "<p class=\"status\">You are not a member of this workspace. Ask a "
                   "Workspace Owner to invite you.</p>\n";
        f.form = "";
    } else {
        /* what became of their request for this (and their others) */
        f.status = d->mine ? apr_pstrcat(p, here_status(p, d->here),
                                         others_list(p, d->mine, d->here), NULL)
                           : "";
        f.form = d->here && d->here->status == IAM_REQUEST_OPEN ? ""
                 : d->can_ask ? request_form(r, d->st, d->type, d->name, d->need)
                              : "<p class=\"muted\">Ask a Workspace Owner for access.</p>\n";
    }
    t = iam_dir_denied_template(d->dc);
    return t ? render_template(p, t, &f) : render_default(p, &f);
}

/* As the console's headers, but the page carries its own small style. */
static void page_headers(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "Content-Security-Policy",
                   "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                   "frame-ancestors 'none'; base-uri 'none'");
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
}

void iam_denied_prepare(request_rec *r, const iam_subject_t *subj, const iam_resource_t *res,
                        iam_level_e need, iam_refusal_e kind)
{
    const iam_dir_conf_t *dc = iam_dir_of(r);
    denied_t d = {
        r, NULL, dc,  res, res ? res->type : NULL, res ? res->name : "", need, subj && subj->member,
        0, NULL, NULL};
    const char *body;

    if (!r->user || r->main)
        return;
    if (kind == IAM_REFUSED_CONFIG) { /* nothing to ask for */
        set_page(r, dc, NULL);
        return;
    }
    page_headers(r);
    d.st = iam_request_store(r);
    d.can_ask = d.member && d.type && d.st && iam_dir_request_access(dc);
    if (d.can_ask)
        d.mine = requests_of(r, d.st, subj->member->login, d.type, d.name, &d.here);
    if (api_request(r) || wants_json(r)) {
        /* the API's own error shape, or the JSON a client asked for */
        body = api_request(r)
                   ? iam_web_error_json(r->pool, "forbidden",
                                        d.member ? "only Workspace Owners may use the console's API"
                                                 : "you are not a member of this workspace")
                   : json_body(&d);
        if (!body)
            return;
        iam_verdict_for(r)->json_page = 1;
    } else {
        body = html_body(&d);
    }
    /* core reads a leading "/" or URL as a redirect target */
    if (*body == '/' || ap_is_url(body))
        body = apr_pstrcat(r->pool, "\n", body, NULL);
    /* No charset: the page declares UTF-8 itself (core would add Latin-1). */
    apr_table_setn(r->subprocess_env, "suppress-error-charset", "1");
    set_page(r, dc, body);
}
