/* mod_iam: the authz providers `Require iam`, `Require iam-member` and
 * `Require iam-owner`. Per request: one read of the member's record (it
 * carries their groups' grants), kept for the request's other Require
 * lines and subrequests, then the pure policy. Any store failure is
 * AUTHZ_GENERAL_ERROR (a 500), never a grant. */
#include "mod_iam.h"

#include "ap_provider.h"
#include "apr_strings.h"
#include "http_request.h"
#include "mod_auth.h"

typedef enum { NEED_RESOURCE, NEED_MEMBER, NEED_OWNER } iam_require_e;

/* In r->notes: `Require iam` let a member (not an owner) in, on the
 * resource of this request's path. */
#define NOTE_GRANTED "iam-granted"

/* What `Require iam-owner` guards, for the refused page and requests. */
static const iam_resource_t owners_only = {"owners", "*", 0, NULL};

/* A refused, authenticated user gets 403 through mod_authz_core's
 * AuthzSendForbiddenOnFailure On (set by conf/iam.conf): a 401 would only
 * make the browser ask for the same password again. The note marks the
 * request as refused by mod_iam for the pages that render it. */
static authz_status deny(request_rec *r, const iam_subject_t *subj, const iam_resource_t *res,
                         iam_level_e need)
{
    /* the note says what was refused: request-access files "owners" as a
     * request for the owners' pages and nothing else without a resource */
    apr_table_setn(r->notes, "iam-denied", res == &owners_only ? "owners" : "1");
    iam_denied_prepare(r, subj, res, need);
    return AUTHZ_DENIED;
}

/* Whether the IdP says the user's email is verified (IAMUserAttribute
 * email_verified). */
static int email_verified(request_rec *r, const iam_workspace_t *ws)
{
    const char *v = apr_table_get(r->subprocess_env, ws->attr_email_verified);
    return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* The member behind r->user. An unknown login may claim the invitation for
 * its email, or (IAMAutoProvision On) become a Workspace Member, first. */
static iam_status_e lookup(request_rec *r, apr_pool_t *p, iam_store_t *store, iam_workspace_t *ws,
                           iam_subject_t *subj, iam_err_t *err)
{
    iam_status_e st = iam_store_subject(store, p, r->user, &ws->roles, subj, err);
    const char *email = NULL, *name = NULL;
    int provision = iam_auto_provision(r->server);
    iam_arrive_e what;

    if (st != IAM_NOTFOUND)
        return st;
    if (ws->attr_email)
        email = apr_table_get(r->subprocess_env, ws->attr_email);
    if (email && ws->attr_email_verified && !email_verified(r, ws)) {
        /* an address the IdP has not verified must not take over an invitation */
        iam_log_r(r, APLOG_INFO, 0, "ignoring the unverified email of '%s'", r->user);
        email = NULL;
    }
    /* a login that looks like an email is the email, unless emails must be
     * verified: a login says nothing about that */
    if (!email && !ws->attr_email_verified && !iam_check_email(r->user))
        email = r->user;
    if (ws->attr_name)
        name = apr_table_get(r->subprocess_env, ws->attr_name);
    /* a read first: most unknown users hold no invitation, and then
     * nothing needs the write lock */
    if (!provision && (!email || !iam_store_invited_email(store, p, email)))
        return st;
    if (iam_store_member_arrive(store, r->user, email, name, provision, &what, err) != IAM_OK) {
        iam_log_r(r, APLOG_ERR, 0, "cannot admit '%s': %s", r->user, err->msg);
        return st;
    }
    if (what == IAM_ARRIVE_CLAIMED)
        iam_log_r(r, APLOG_NOTICE, 0, "'%s' took up the invitation for %s", r->user, email);
    else if (what == IAM_ARRIVE_PROVISIONED)
        iam_log_r(r, APLOG_NOTICE, 0, "'%s' joined as a Workspace Member (IAMAutoProvision)",
                  r->user);
    return iam_store_subject(store, p, r->user, &ws->roles, subj, err);
}

/* What lookup() found for a request, kept in the request's config of the
 * main request (in its pool): the request's other Require lines and its
 * subrequests (mod_dir's index, SSI includes) decide on it too. */
typedef struct {
    const char *user;
    iam_status_e status;
    iam_subject_t subj;
    iam_err_t err;
} subject_cache_t;

static iam_status_e cached_lookup(request_rec *r, iam_store_t *store, iam_workspace_t *ws,
                                  iam_subject_t *subj, iam_err_t *err)
{
    request_rec *top = r;
    subject_cache_t *c;

    while (top->main)
        top = top->main;
    c = ap_get_module_config(top->request_config, &iam_module);
    if (!c || strcmp(c->user, r->user)) {
        c = apr_pcalloc(top->pool, sizeof(*c));
        c->user = apr_pstrdup(top->pool, r->user);
        c->status = lookup(r, top->pool, store, ws, &c->subj, &c->err);
        ap_set_module_config(top->request_config, &iam_module, c);
    }
    *subj = c->subj;
    *err = c->err;
    return c->status;
}

static authz_status check(request_rec *r, iam_require_e kind)
{
    iam_workspace_t *ws = iam_workspace_of(r->server);
    iam_dir_conf_t *dc = ap_get_module_config(r->per_dir_config, &iam_module);
    const iam_resource_decl_t *decl = iam_resource_of(r, dc);
    const iam_resource_t *res = decl ? &decl->res : NULL;
    iam_store_t *store;
    iam_subject_t subj;
    iam_decision_t d;
    iam_level_e need = IAM_LEVEL_READ;
    iam_err_t err;
    char why[768];

    if (!r->user)
        return AUTHZ_DENIED_NO_USER;
    if (!(store = iam_request_store(r)))
        return AUTHZ_GENERAL_ERROR;
    switch (cached_lookup(r, store, ws, &subj, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
    case IAM_INVALID: /* a login no member can have (too long) */
        iam_log_r(r, APLOG_INFO, 0, "deny user '%s' on %s: not a member of the workspace", r->user,
                  r->uri);
        return deny(r, NULL, res, IAM_LEVEL_READ);
    default:
        iam_log_r(r, APLOG_ERR, 0, "refusing user '%s' on %s: %s", r->user, r->uri, err.msg);
        return AUTHZ_GENERAL_ERROR;
    }
    if (subj.member->status == IAM_INVITED && ws->attr_email_verified && !email_verified(r, ws)) {
        /* an invitation is taken up only with an address the IdP verified */
        iam_log_r(r, APLOG_INFO, 0, "'%s' is invited, but the IdP has not verified the email",
                  r->user);
        return deny(r, NULL, res, IAM_LEVEL_READ);
    }
    if (subj.member->status == IAM_INVITED ||
        subj.member->last_seen + 3600 < (long long)apr_time_sec(apr_time_now())) {
        /* An invitation turns active at the user's first authenticated
         * request; if that write fails the user still gets in this time. */
        if (iam_store_member_activate(store, r->user, &err) != IAM_OK) {
            iam_log_r(r, APLOG_ERR, 0, "cannot activate invited member '%s': %s", r->user, err.msg);
        } else {
            if (subj.member->status == IAM_INVITED)
                iam_log_r(r, APLOG_NOTICE, 0, "invited member '%s' is now active", r->user);
            /* the kept record too: the request's next check writes nothing */
            subj.member->status = IAM_ACTIVE;
            subj.member->last_seen = (long long)apr_time_sec(apr_time_now());
        }
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
        return deny(r, &subj, &owners_only, IAM_LEVEL_ADMIN);
    }
    if (!res) {
        iam_log_r(r, APLOG_ERR, 0,
                  "deny user '%s' on %s: 'Require iam' with no resource for this path "
                  "(configuration error: declare it with %s, or %s in the <Location> or "
                  "<Directory>)",
                  r->user, r->uri, IAM_DIR_RESOURCE_PATH, IAM_DIR_RESOURCE);
        /* nothing to request: the configuration is wrong (request-access
         * refuses to file this one) */
        apr_table_setn(r->notes, "iam-denied", "config");
        return AUTHZ_DENIED;
    }
    need = iam_level_for_method(r->method, dc->permission);
    d = iam_policy_decide(&ws->roles, ws->plan, subj.sets, subj.nsets, res, need);
    if (APLOGrdebug(r)) /* the explanation is built only when it is logged */
        iam_log_r(r, APLOG_DEBUG, 0, "%s user '%s' %s on %s %s (%s): %s",
                  d.allow ? "allow" : "deny", r->user, iam_level_name(need), res->type,
                  res->name ? res->name : "*", r->uri, iam_policy_explain(&d, why, sizeof(why)));
    if (!d.allow)
        return deny(r, &subj, res, need);
    apr_table_setn(r->notes, NOTE_GRANTED, "1");
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
    request_rec *from = NULL;

    if (r->prev && r->prev->per_dir_config == r->per_dir_config)
        from = r->prev;
    else if (r->main && r->main->per_dir_config == r->per_dir_config)
        from = r->main;
    if (!from || !from->user || !apr_table_get(from->notes, NOTE_GRANTED))
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
