/* mod_iam: what the module's own files share (config, logging, hooks).
 * Not used by iamctl. */
#ifndef MOD_IAM_H
#define MOD_IAM_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "iam_pathmap.h"
#include "iam_policy.h"
#include "iam_store.h"

/* Directive names: one place, so a typo fails to compile. */
#define IAM_DIR_STORE "IAMStore"
#define IAM_DIR_MAPSIZE "IAMMapSize"
#define IAM_DIR_PLAN "IAMPlan"
#define IAM_DIR_RESOURCE "IAMResource"
#define IAM_DIR_RESOURCE_PATH "IAMResourcePath"
#define IAM_DIR_PERMISSION "IAMPermission"
#define IAM_DIR_ROLE "IAMRole"
#define IAM_DIR_BOOTSTRAP "IAMBootstrapOwner"
#define IAM_DIR_REQUEST_ACCESS "IAMRequestAccess"
#define IAM_DIR_REQUEST_LIMIT "IAMRequestLimit"
#define IAM_DIR_DENIED_TEMPLATE "IAMDeniedTemplate"
#define IAM_DIR_MAIL_COMMAND "IAMMailCommand"
#define IAM_DIR_MAIL_FROM "IAMMailFrom"
#define IAM_DIR_CONSOLE_URL "IAMConsoleURL"
#define IAM_DIR_AUTO_PROVISION "IAMAutoProvision"
#define IAM_DIR_USER_ATTRIBUTE "IAMUserAttribute"
#define IAM_DIR_FORWARD_HEADERS "IAMForwardHeaders"
#define IAM_DIR_LOGIN_URL "IAMLoginURL"
#define IAM_DIR_LOGIN_CASE "IAMLoginCase"
#define IAM_DIR_DENIED_STATUS "IAMDeniedStatus"
#define IAM_DIR_DATABASE "IAMDatabase"

extern module AP_MODULE_DECLARE_DATA iam_module;

/* Tags every line [iam:level], so `LogLevel iam:debug` selects them
 * (mod_iam.c gets the same from AP_DECLARE_MODULE). */
#ifndef IAM_DECLARES_MODULE
APLOG_USE_MODULE(iam);
#endif

#define iam_log_r(r, level, status, ...) ap_log_rerror(APLOG_MARK, level, status, r, __VA_ARGS__)
#define iam_log_s(s, level, status, ...) ap_log_error(APLOG_MARK, level, status, s, __VA_ARGS__)

/* What a <Location>/<Directory> declares. */
typedef struct {
    iam_resource_t res;
    const char *path; /* the section it was declared in, or its IAMResourcePath */
    /* How specific it is, for iam_resource_of: an IAMResourcePath's path
     * length (without a trailing '/'); an IAMResource's <Location> path
     * length, 0 in any other section (<Directory>, <LocationMatch>...) */
    size_t path_len;
    /* An IAMResourcePath template ("/sources/{name}"): res.name is
     * "{name}", and each request's resource is named by its path. */
    int templated;
} iam_resource_decl_t;

/* The resource of one request, where a template's is made (no
 * allocation: it lives in the request's own state). */
typedef struct {
    iam_resource_t res;
    char name[IAM_PATHMAP_NAME + 1];
    int bad; /* a template matched a segment that is no resource name */
} iam_resource_at_t;

/* An IAMDeniedTemplate, split at its placeholders once at start-up. */
typedef struct iam_template iam_template_t;

/* config.c: httpd.conf as the directives parsed it at start-up. The
 * structs are config.c's own and nothing changes them after start-up:
 * every other file reads them through these getters. */

/* The workspace: one per configuration, shared by every server_rec
 * (IAMStore and friends are global). */
typedef struct iam_workspace iam_workspace_t;
/* What a <Location>/<Directory> says (IAMResource, IAMPermission...),
 * merged from the outermost section in. */
typedef struct iam_dir_conf iam_dir_conf_t;

extern const command_rec iam_cmds[];
void *iam_create_server_conf(apr_pool_t *p, server_rec *s);
void *iam_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *iam_create_dir_conf(apr_pool_t *p, char *dir);
void *iam_merge_dir_conf(apr_pool_t *p, void *base, void *add);

const iam_workspace_t *iam_workspace_of(const server_rec *s);
const char *iam_ws_store_dir(const iam_workspace_t *ws);
size_t iam_ws_mapsize(const iam_workspace_t *ws);
iam_plan_e iam_ws_plan(const iam_workspace_t *ws);
const iam_roles_t *iam_ws_roles(const iam_workspace_t *ws);
const char *iam_ws_bootstrap_owner(const iam_workspace_t *ws); /* NULL: none */
/* Every IAMResource and IAMResourcePath: iam_resource_decl_t *, for the console */
const apr_array_header_t *iam_ws_resources(const iam_workspace_t *ws);
int iam_ws_request_limit(const iam_workspace_t *ws);        /* open requests per member */
const char *iam_ws_mail_command(const iam_workspace_t *ws); /* NULL: no mail */
const char *iam_ws_mail_from(const iam_workspace_t *ws);    /* NULL: the default */
/* IAMConsoleURL as given (for links in mails), and its path on this site */
const char *iam_ws_console_url(const iam_workspace_t *ws);
const char *iam_ws_console_path(const iam_workspace_t *ws);
const char *iam_ws_login_url(const iam_workspace_t *ws); /* NULL: none */
/* IAMUserAttribute: the request variables the IdP module sets (NULL:
 * unset); with email_verified, an email counts only when it is "true" */
const char *iam_ws_attr_email(const iam_workspace_t *ws);
const char *iam_ws_attr_name(const iam_workspace_t *ws);
const char *iam_ws_attr_email_verified(const iam_workspace_t *ws);
int iam_ws_login_fold(const iam_workspace_t *ws); /* IAMLoginCase fold */
/* IAMDatabase: the workspace's database (NULL: the store is the workspace) */
const char *iam_ws_database(const iam_workspace_t *ws);
/* IAMAutoProvision in force for this server. */
int iam_auto_provision(const server_rec *s);

const iam_dir_conf_t *iam_dir_of(const request_rec *r);
/* IAMPermission: the level it names (NONE: by method); *git: it said git */
iam_level_e iam_dir_permission(const iam_dir_conf_t *dc, int *git);
int iam_dir_request_access(const iam_dir_conf_t *dc);  /* IAMRequestAccess, on by default */
int iam_dir_forward_headers(const iam_dir_conf_t *dc); /* IAMForwardHeaders, off by default */
int iam_dir_denied_status(const iam_dir_conf_t *dc);   /* IAMDeniedStatus: 403 or 401 */
const iam_template_t *iam_dir_denied_template(const iam_dir_conf_t *dc); /* NULL: the default */
/* The resource of a request: the longest IAMResourcePath covering its
 * path (an entry over a template covering as much), unless its section's
 * IAMResource was declared on a longer <Location>; else that IAMResource;
 * NULL if neither. A template's resource is made in *at, named by the
 * path's segment; if that segment is not a resource name, NULL and
 * at->bad (at->name: its start): nothing is that resource. */
const iam_resource_t *iam_resource_of(const request_rec *r, const iam_dir_conf_t *dc,
                                      iam_resource_at_t *at);

/* lifecycle.c */
int iam_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void iam_child_init(apr_pool_t *pchild, server_rec *s);
/* The child's store, re-opened if it failed before; NULL (logged) if unusable. */
iam_store_t *iam_request_store(request_rec *r);
/* The child's store as it is (NULL: not open), for the child's own threads. */
iam_store_t *iam_child_store(void);

/* cluster.c: with IAMDatabase, the store is the database's replica.
 * open (start-up) opens the store, made if missing, made anew if damaged
 * or of another workspace, fills it from the database and sends its
 * writes through it; register starts the follower, one thread of one
 * child (mod_watchdog). */
iam_status_e iam_cluster_open(server_rec *s, const iam_workspace_t *ws, iam_store_t **st,
                              apr_pool_t *p, iam_err_t *err);
int iam_cluster_register(apr_pool_t *pconf, server_rec *s);
/* child_init: the follower stops before the child's store closes. */
void iam_cluster_child_init(apr_pool_t *pchild, server_rec *s);

/* touch.c: members seen, tokens used and first logins, noted by requests
 * and written by a thread of the child in one transaction
 * (iam_store_touch). */
void iam_touch_child_init(apr_pool_t *pchild, server_rec *s);
void iam_touch(request_rec *r, char kind, const char *key);
/* A login that is no member yet takes up an invitation or is provisioned
 * (iam_store_arrival said so): 0 if the child has no writer to note it for. */
int iam_touch_arrival(request_rec *r, const char *login, const char *email, const char *name,
                      int provision);

/* authz.c: the membership test every door shares (Require lines, the
 * console, its API, request access), and what mod_iam decided about a
 * request, kept typed in its request_config for the hooks and pages that
 * follow. */
typedef enum {
    IAM_ADMIT_MEMBER,     /* an active member (an invitation taken up now, if it was one) */
    IAM_ADMIT_NOT_MEMBER, /* no member, or invited with an email the IdP has not verified */
    IAM_ADMIT_ERROR       /* the store failed: err says why (and nobody is let in) */
} iam_admit_e;

/* In the order of what a request for access answers best: when several
 * Require lines of a request refused, the lowest is the one it carries
 * (granting a resource is enough where the owners' pages are too). */
typedef enum {
    IAM_REFUSED_NONE = 0,
    IAM_REFUSED_RESOURCE,   /* Require iam: no grant covers the resource */
    IAM_REFUSED_OWNERS,     /* Require iam-owner */
    IAM_REFUSED_NOT_MEMBER, /* any of the three */
    IAM_REFUSED_CONFIG      /* Require iam where no resource is declared */
} iam_refusal_e;

typedef struct {
    iam_refusal_e refused;     /* the least refusal of the request's Require lines */
    const iam_resource_t *res; /* what it refused (NULL for CONFIG) */
    iam_level_e need;          /* at which level */
    int granted;               /* Require iam let a member (not an owner) in */
    int passed;                /* authorization let the request through after all */
    const char *page[2];       /* the 403 and 401 custom responses mod_iam set */
    int json_page;             /* the refusal's body is JSON (its type is set on the way out) */
} iam_verdict_t;

/* r->user as a member of the workspace (subj filled for IAM_ADMIT_MEMBER),
 * decided once per request and shared by its subrequests. */
iam_admit_e iam_admit(request_rec *r, iam_store_t *store, iam_subject_t *subj, iam_err_t *err);
/* NULL when no mod_iam Require looked at this request. */
const iam_verdict_t *iam_verdict_of(const request_rec *r);
/* The same, made on first use, for the page's bookkeeping (denied.c). */
iam_verdict_t *iam_verdict_for(request_rec *r);

/* denied.c: what a refused user sees (the request-access page). Refused
 * authenticated users get 403 with it, whatever AuthzSendForbiddenOnFailure
 * says, unless IAMDeniedStatus 401. */
void iam_denied_prepare(request_rec *r, const iam_subject_t *subj, const iam_resource_t *res,
                        iam_level_e need, iam_refusal_e kind);
const char *iam_template_load(apr_pool_t *p, const char *file, const iam_template_t **out);
void iam_denied_register(apr_pool_t *p);

/* mail.c: the mails to owners; `changed`: the request asks for another
 * level than before */
void iam_mail_request(request_rec *r, const iam_request_t *req, const iam_member_t *requester,
                      int changed);
/* Mails a member the answer to their request (approved or dismissed), if
 * mail is set up and they have an email; `by` names the owner. */
void iam_mail_request_answered(request_rec *r, iam_store_t *st, const iam_request_t *q,
                               const char *by);
/* Mails an invitee the site's login link: 0 sent, 1 failed, -1 no mail
 * command or no email. */
int iam_mail_invitation(request_rec *r, const iam_member_t *m, const char *inviter);

/* identity.c: who the user is, for the backend; forged headers removed */
void iam_identity_forward(request_rec *r, const iam_subject_t *subj, const iam_resource_t *res);
void iam_identity_register(apr_pool_t *p);

/* admin.c: the `iam-admin` handler (console and JSON API) */
int iam_admin_handler(request_rec *r);

/* authz.c: the Require providers, and the recheck of subrequests and
 * internal redirects that inherit a parent's `Require iam` */
void iam_authz_register(apr_pool_t *p);

#endif
