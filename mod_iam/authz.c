/* mod_iam: the authz providers `Require iam`, `Require iam-member` and
 * `Require iam-owner`, and the membership test every door of mod_iam
 * shares (iam_admit). Per request: one read of the member's record (it
 * carries their groups' grants), kept for the request's other Require
 * lines and subrequests, then the pure policy. Any store failure is
 * AUTHZ_GENERAL_ERROR (a 500), never a grant. */
#include "iam_access.h"
#include "mod_iam.h"

#include "ap_provider.h"
#include "apr_strings.h"
#include "http_request.h"
#include "mod_auth.h"

typedef enum { NEED_RESOURCE, NEED_MEMBER, NEED_OWNER } iam_require_e;

/* What mod_iam learned about one request, in its request_config: the
 * verdict for the pages and hooks that follow, and (on the top request)
 * the admission its Require lines and subrequests share. */
typedef struct {
    iam_verdict_t v;
    const char *user; /* whom `admit` is about; NULL: not looked up */
    iam_admit_e admit;
    iam_subject_t subj;
    iam_err_t err;
    iam_resource_at_t at; /* a templated resource's, named by the path */
} rstate_t;

static rstate_t *state_of(request_rec *r)
{
    rstate_t *s = ap_get_module_config(r->request_config, &iam_module);

    if (!s) {
        s = apr_pcalloc(r->pool, sizeof(*s));
        ap_set_module_config(r->request_config, &iam_module, s);
    }
    return s;
}

const iam_verdict_t *iam_verdict_of(const request_rec *r)
{
    const rstate_t *s = ap_get_module_config(r->request_config, &iam_module);
    return s ? &s->v : NULL;
}

iam_verdict_t *iam_verdict_for(request_rec *r)
{
    return &state_of(r)->v;
}

/* What `Require iam-owner` guards, for the refused page and requests. */
static const iam_resource_t owners_only = {IAM_TYPE_OWNERS, "*", 0, NULL};

/* When several Require lines of a request refused (a <RequireAny>), the
 * least refusal (iam_refusal_e's order) is the one the page shows and a
 * request for access files: granting it is enough. */
static authz_status deny(request_rec *r, iam_refusal_e kind, const iam_subject_t *subj,
                         const iam_resource_t *res, iam_level_e need)
{
    rstate_t *s = state_of(r);

    if (!s->v.refused || kind < s->v.refused) {
        s->v.refused = kind;
        s->v.res = res;
        s->v.need = need;
        iam_denied_prepare(r, kind == IAM_REFUSED_CONFIG ? NULL : subj, res, need, kind);
    }
    return AUTHZ_DENIED;
}

/* Whether the IdP says the user's email is verified (IAMUserAttribute
 * email_verified). */
static int email_verified(request_rec *r, const iam_workspace_t *ws)
{
    const char *v = apr_table_get(r->subprocess_env, iam_ws_attr_email_verified(ws));
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* The member behind r->user. An unknown login may claim the invitation for
 * its email, or (IAMAutoProvision On) become a Workspace Member, first:
 * decided by a read, as the member it becomes; the child writes it right
 * after the answer (touch.c), so the authz phase never writes. */
static iam_status_e lookup(request_rec *r, apr_pool_t *p, iam_store_t *store,
                           const iam_workspace_t *ws, iam_subject_t *subj, iam_err_t *err)
{
    iam_status_e st = iam_store_subject(store, p, r->user, iam_ws_roles(ws), subj, err);
    const char *email = NULL, *name = NULL;
    int provision = iam_auto_provision(r->server);
    iam_arrive_e what;
    iam_err_t aerr;

    if (st != IAM_NOTFOUND)
        return st;
    if (iam_ws_attr_email(ws))
        email = apr_table_get(r->subprocess_env, iam_ws_attr_email(ws));
    if (email && iam_ws_attr_email_verified(ws) && !email_verified(r, ws)) {
        /* an address the IdP has not verified must not take over an invitation */
        iam_log_r(r, APLOG_INFO, 0, "ignoring the unverified email of '%s'", r->user);
        email = NULL;
    }
    /* a login that looks like an email is the email, unless emails must be
     * verified: a login says nothing about that */
    if (!email && !iam_ws_attr_email_verified(ws) && !iam_check_email(r->user))
        email = r->user;
    if (iam_ws_attr_name(ws))
        name = apr_table_get(r->subprocess_env, iam_ws_attr_name(ws));
    /* a read first: most unknown users hold no invitation */
    if (!provision && (!email || !iam_store_invited_email(store, p, email)))
        return st;
    /* decided by a read; the write follows off the request path (touch.c) */
    if (iam_store_arrival(store, p, r->user, email, name, provision, iam_ws_roles(ws), subj, &what,
                          &aerr) != IAM_OK) {
        /* a login no member may have (one differing from a member's only
         * in case, say) is refused, not a failure */
        if (aerr.status != IAM_NOTFOUND)
            iam_log_r(
                r, aerr.status == IAM_EXISTS || aerr.status == IAM_INVALID ? APLOG_INFO : APLOG_ERR,
                0, "cannot admit '%s': %s", r->user, aerr.msg);
        return st;
    }
    /* the writer says who joined when it has written it */
    if (what != IAM_ARRIVE_NONE && !iam_touch_arrival(r, r->user, email, name, provision) &&
        iam_store_member_arrive(store, r->user, email, name, provision, &what, &aerr) != IAM_OK) {
        /* no writer in this child (logged at its start): written here */
        iam_log_r(r, APLOG_ERR, 0, "cannot admit '%s': %s", r->user, aerr.msg);
        return st;
    }
    return IAM_OK;
}

/* The membership test itself: a member, active, or invited and taking the
 * invitation up now (only with an email the IdP verified, where it says). */
static iam_admit_e admit(request_rec *r, apr_pool_t *p, iam_store_t *store, iam_subject_t *subj,
                         iam_err_t *err)
{
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    long long now = (long long)apr_time_sec(apr_time_now());

    switch (lookup(r, p, store, ws, subj, err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
    case IAM_INVALID: /* a login no member can have (too long) */ return IAM_ADMIT_NOT_MEMBER;
    default: return IAM_ADMIT_ERROR;
    }
    if (subj->member->status == IAM_SUSPENDED) {
        /* suspended (SCIM's active: false): no door opens, nothing to ask */
        iam_log_r(r, APLOG_INFO, 0, "'%s' is a suspended member", r->user);
        return IAM_ADMIT_NOT_MEMBER;
    }
    if (subj->member->status == IAM_INVITED && iam_ws_attr_email_verified(ws) &&
        !email_verified(r, ws)) {
        /* an invitation is taken up only with an address the IdP verified */
        iam_log_r(r, APLOG_INFO, 0, "'%s' is invited, but the IdP has not verified the email",
                  r->user);
        return IAM_ADMIT_NOT_MEMBER;
    }
    if (subj->member->status == IAM_INVITED || subj->member->last_seen + 3600 < now) {
        /* An invitation turns active at the user's first authenticated
         * request, and a member's last visit is kept to the hour: noted
         * here, written by the child's writer (touch.c), never by a
         * request. */
        if (subj->member->status == IAM_INVITED)
            iam_log_r(r, APLOG_NOTICE, 0, "invited member '%s' is now active", r->user);
        iam_touch(r, IAM_TOUCH_MEMBER, subj->member->login);
        subj->member->status = IAM_ACTIVE;
        subj->member->last_seen = now;
    }
    return IAM_ADMIT_MEMBER;
}

iam_admit_e iam_admit(request_rec *r, iam_store_t *store, iam_subject_t *subj, iam_err_t *err)
{
    request_rec *top = r;
    rstate_t *s;

    while (top->main)
        top = top->main;
    s = state_of(top);
    if (!s->user || strcmp(s->user, r->user)) {
        s->user = apr_pstrdup(top->pool, r->user);
        memset(&s->err, 0, sizeof(s->err));
        s->admit = admit(r, top->pool, store, &s->subj, &s->err);
    }
    *subj = s->subj;
    *err = s->err;
    return s->admit;
}

/* The last segment of a path, and whether a query carries name=value
 * (decoded, as git-http-backend decodes it). */
static const char *last_segment(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int query_has(apr_pool_t *p, const char *args, const char *name, const char *value)
{
    size_t n = strlen(name);
    const char *a = args;

    while (a && *a) {
        size_t len = strcspn(a, "&");
        if (len > n && !strncmp(a, name, n) && a[n] == '=') {
            char *v = apr_pstrmemdup(p, a + n + 1, len - n - 1);
            if (ap_unescape_url(v) == OK && !strcmp(v, value))
                return 1;
        }
        a += len + (a[len] == '&');
    }
    return 0;
}

/* The level a request needs: IAMPermission's, else by method; with
 * IAMPermission git, by what a Git client means (a fetch is a POST to
 * git-upload-pack, a push begins with a GET of info/refs for
 * git-receive-pack). */
static iam_level_e level_needed(request_rec *r, const iam_dir_conf_t *dc)
{
    int git;
    iam_level_e named = iam_dir_permission(dc, &git);

    if (git) {
        const char *seg = last_segment(r->uri);
        if (!strcmp(seg, "git-receive-pack"))
            return IAM_LEVEL_EDIT;
        if (!strcmp(seg, "git-upload-pack"))
            return IAM_LEVEL_READ;
        if (!strcmp(seg, "refs") && r->args) {
            if (query_has(r->pool, r->args, "service", "git-receive-pack"))
                return IAM_LEVEL_EDIT;
            if (query_has(r->pool, r->args, "service", "git-upload-pack"))
                return IAM_LEVEL_READ;
        }
        return iam_level_for_method(r->method, IAM_LEVEL_NONE);
    }
    return iam_level_for_method(r->method, named);
}

/* `res` with the labels the workspace gave it; NULL (logged) if the store
 * cannot say: then nothing is decided on httpd.conf's labels alone. */
static const iam_resource_t *with_labels(request_rec *r, iam_store_t *store,
                                         const iam_resource_t *res)
{
    const iam_resource_t *out;
    iam_err_t err;

    if (iam_resource_labelled(store, r->pool, res, &out, NULL, &err) == IAM_OK)
        return out;
    iam_log_r(r, APLOG_ERR, 0, "refusing user '%s' on %s: the labels of %s '%s': %s", r->user,
              r->uri, res->type, res->name, err.msg);
    return NULL;
}

static authz_status check(request_rec *r, iam_require_e kind)
{
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    const iam_dir_conf_t *dc = iam_dir_of(r);
    iam_resource_at_t *at = &state_of(r)->at;
    const iam_resource_t *res = iam_resource_of(r, dc, at);
    iam_store_t *store;
    iam_subject_t subj;
    iam_decision_t d;
    iam_level_e need;
    iam_err_t err;
    int labelled;
    char why[768];

    /* An empty user is no user: authn modules set "" to let their own
     * endpoints through (mod_auth_mellon) or to pass an unauthenticated
     * request on (OIDCUnAuthAction pass). */
    if (!r->user || !*r->user)
        return AUTHZ_DENIED_NO_USER;
    if (at->bad && kind == NEED_RESOURCE) {
        /* no resource has that name, so no grant can reach it: not even
         * an owner's (nothing to ask for either) */
        iam_log_r(r, APLOG_INFO, 0,
                  "deny user '%s' on %s: '%s%s' is not a resource name (%s with {name})", r->user,
                  r->uri, at->name, strlen(at->name) == IAM_PATHMAP_NAME ? "..." : "",
                  IAM_DIR_RESOURCE_PATH);
        return deny(r, IAM_REFUSED_CONFIG, NULL, NULL, IAM_LEVEL_READ);
    }
    if (!(store = iam_request_store(r)))
        return AUTHZ_GENERAL_ERROR;
    switch (iam_admit(r, store, &subj, &err)) {
    case IAM_ADMIT_MEMBER: break;
    case IAM_ADMIT_NOT_MEMBER:
        iam_log_r(r, APLOG_INFO, 0, "deny user '%s' on %s: not a member of the workspace", r->user,
                  r->uri);
        return deny(r, IAM_REFUSED_NOT_MEMBER, NULL, res, IAM_LEVEL_READ);
    default:
        iam_log_r(r, APLOG_ERR, 0, "refusing user '%s' on %s: %s", r->user, r->uri, err.msg);
        return AUTHZ_GENERAL_ERROR;
    }
    if (subj.owner) {
        iam_log_r(r, APLOG_DEBUG, 0, "allow user '%s' on %s: Workspace Owner", r->user, r->uri);
        iam_identity_forward(r, &subj, res);
        return AUTHZ_GRANTED;
    }
    if (kind == NEED_MEMBER) {
        iam_log_r(r, APLOG_DEBUG, 0, "allow user '%s' on %s: active member", r->user, r->uri);
        iam_identity_forward(r, &subj, res);
        return AUTHZ_GRANTED;
    }
    if (kind == NEED_OWNER) {
        iam_log_r(r, APLOG_INFO, 0, "deny user '%s' on %s: Workspace Owners only", r->user, r->uri);
        return deny(r, IAM_REFUSED_OWNERS, &subj, &owners_only, IAM_LEVEL_ADMIN);
    }
    if (!res) {
        iam_log_r(r, APLOG_ERR, 0,
                  "deny user '%s' on %s: 'Require iam' with no resource for this path "
                  "(configuration error: declare it with %s, or %s in the <Location> or "
                  "<Directory>)",
                  r->user, r->uri, IAM_DIR_RESOURCE_PATH, IAM_DIR_RESOURCE);
        /* nothing to request: the configuration is wrong */
        return deny(r, IAM_REFUSED_CONFIG, &subj, NULL, IAM_LEVEL_READ);
    }
    need = level_needed(r, dc);
    /* the labels the workspace gave the resource: read only when a grant
     * of the subject could be on them */
    labelled =
        res->name && iam_policy_uses_labels(iam_ws_roles(ws), subj.sets, subj.nsets, res->type);
    if (labelled && !(res = with_labels(r, store, res)))
        return AUTHZ_GENERAL_ERROR;
    d = iam_policy_decide(iam_ws_roles(ws), iam_ws_plan(ws), subj.sets, subj.nsets, res, need);
    if (APLOGrdebug(r)) /* the explanation is built only when it is logged */
        iam_log_r(r, APLOG_DEBUG, 0, "%s user '%s' %s on %s %s (%s): %s",
                  d.allow ? "allow" : "deny", r->user, iam_level_name(need), res->type,
                  res->name ? res->name : "*", r->uri, iam_policy_explain(&d, why, sizeof(why)));
    if (!d.allow) {
        /* a request for access files the labels a change must cover */
        if (!labelled && !(res = with_labels(r, store, res)))
            return AUTHZ_GENERAL_ERROR;
        return deny(r, IAM_REFUSED_RESOURCE, &subj, res, need);
    }
    state_of(r)->v.granted = 1;
    iam_identity_forward(r, &subj, res);
    return AUTHZ_GRANTED;
}

/* Apache skips authn and authz for a subrequest or an internal redirect
 * whose merged configuration is the very one of the request it comes
 * from, and hands it that request's user (ap_process_request_internal:
 * "configuration didn't change"). With IAMResourcePath the resource comes
 * from the path, not from the sections: /sources/web/ and
 * /sources/secret/ may share every one. So when `Require iam` let the
 * parent in, the child is decided here, for its own path and method, on
 * the subject the request has already read: an SSI include, a handler's
 * internal redirect or a RewriteRule never carries a grant on one
 * resource to another. (post_perdir_config runs just before that skip.) */
static int recheck_inherited(request_rec *r)
{
    const iam_verdict_t *v;
    request_rec *from = NULL;

    if (r->prev && r->prev->per_dir_config == r->per_dir_config)
        from = r->prev;
    else if (r->main && r->main->per_dir_config == r->per_dir_config)
        from = r->main;
    if (!from || !from->user || !(v = iam_verdict_of(from)) || !v->granted)
        return OK;
    /* an ErrorDocument for the parent's error: the administrator's page,
     * served as Apache serves it */
    if (from == r->prev && ap_is_HTTP_ERROR(from->status))
        return OK;
    r->user = from->user; /* what Apache is about to do */
    switch (check(r, NEED_RESOURCE)) {
    case AUTHZ_GRANTED: return OK;
    case AUTHZ_GENERAL_ERROR: return HTTP_INTERNAL_SERVER_ERROR;
    default:
        iam_log_r(r, APLOG_INFO, 0, "refusing '%s' the %s of %s: not allowed on %s itself", r->user,
                  r->main ? "subrequest" : "internal redirect", from->uri ? from->uri : "(none)",
                  r->uri);
        return HTTP_FORBIDDEN;
    }
}

static authz_status check_resource(request_rec *r, const char *line, const void *parsed)
{
    (void)line;
    (void)parsed;
    return check(r, NEED_RESOURCE);
}

static authz_status check_member(request_rec *r, const char *line, const void *parsed)
{
    (void)line;
    (void)parsed;
    return check(r, NEED_MEMBER);
}

static authz_status check_owner(request_rec *r, const char *line, const void *parsed)
{
    (void)line;
    (void)parsed;
    return check(r, NEED_OWNER);
}

/* The three providers take no arguments: what `Require iam` needs comes
 * from IAMResource and IAMPermission, parsed once at start-up. */
static const char *parse_no_args(cmd_parms *cmd, const char *line, const void **parsed)
{
    *parsed = NULL;
    if (line && *line)
        return apr_psprintf(cmd->pool,
                            "Require %s takes no arguments (got '%s'); the resource comes from "
                            "%s or %s and the level from %s",
                            cmd->directive->args, line, IAM_DIR_RESOURCE_PATH, IAM_DIR_RESOURCE,
                            IAM_DIR_PERMISSION);
    return NULL;
}

static const authz_provider provider_resource = {check_resource, parse_no_args};
static const authz_provider provider_member = {check_member, parse_no_args};
static const authz_provider provider_owner = {check_owner, parse_no_args};

void iam_authz_register(apr_pool_t *p)
{
    ap_hook_post_perdir_config(recheck_inherited, NULL, NULL, APR_HOOK_MIDDLE);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "iam", AUTHZ_PROVIDER_VERSION,
                              &provider_resource, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "iam-member", AUTHZ_PROVIDER_VERSION,
                              &provider_member, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "iam-owner", AUTHZ_PROVIDER_VERSION,
                              &provider_owner, AP_AUTH_INTERNAL_PER_CONF);
}
