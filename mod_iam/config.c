/* mod_iam: directives and configuration structs. Every setter validates
 * completely and names the directive in its message, so `apachectl
 * configtest` catches what would otherwise fail per request. */
#include "mod_iam.h"

#include "iam_database.h"
#include "iam_httpdconf.h"

#include "apr_strings.h"
#include "http_core.h"

#include <stdlib.h>

#define WORKSPACE_KEY "mod_iam-workspace"

/* Kept as pconf userdata, so a restart starts from a fresh one. */
struct iam_workspace {
    const char *store_dir;
    size_t mapsize;
    iam_plan_e plan;
    int plan_set;
    const char *bootstrap_owner;
    iam_roles_t roles;
    apr_array_header_t *resources; /* iam_resource_decl_t * */
    int request_limit;
    const char *mail_command;
    const char *mail_from;
    const char *console_url;
    const char *console_path; /* parsed once from console_url */
    const char *login_url;
    const char *attr_email;
    const char *attr_name;
    const char *attr_email_verified;
    int auto_provision_any; /* some server has IAMAutoProvision On */
    int login_fold;
    const char *database; /* IAMDatabase; NULL: the store is the workspace */
};

typedef struct {
    iam_workspace_t *ws;
    int auto_provision;   /* -1 unset (inherit), 0 off, 1 on */
    iam_pathmap_t *paths; /* IAMResourcePath: iam_resource_decl_t; NULL: none */
} iam_server_conf_t;

struct iam_dir_conf {
    const iam_resource_decl_t *resource; /* NULL: unset (inherit) */
    iam_level_e permission;              /* NONE: auto */
    int permission_git;                  /* IAMPermission git: the level a Git client means */
    int permission_set;
    int request_access;  /* -1 unset, 0 off, 1 on (default) */
    int forward_headers; /* -1 unset, 0 off (default), 1 on */
    int denied_status;   /* 0 unset (403), 403 or 401 (IAMDeniedStatus) */
    const iam_template_t *denied_template;
};

static iam_workspace_t *workspace_get(apr_pool_t *pconf)
{
    void *data = NULL;
    iam_workspace_t *ws;

    apr_pool_userdata_get(&data, WORKSPACE_KEY, pconf);
    if (data)
        return data;
    ws = apr_pcalloc(pconf, sizeof(*ws));
    ws->store_dir = IAM_STORE_DEFAULT_DIR;
    ws->mapsize = IAM_STORE_DEFAULT_MAPSIZE;
    ws->plan = IAM_PLAN_BUSINESS;
    ws->request_limit = 10;
    ws->console_url = ws->console_path = "/iam";
    ws->resources = apr_array_make(pconf, 16, sizeof(iam_resource_decl_t *));
    iam_roles_init(&ws->roles);
    apr_pool_userdata_set(ws, WORKSPACE_KEY, apr_pool_cleanup_null, pconf);
    return ws;
}

void *iam_create_server_conf(apr_pool_t *p, server_rec *s)
{
    iam_server_conf_t *sc = apr_pcalloc(p, sizeof(*sc));

    (void)s;
    sc->ws = workspace_get(p);
    sc->auto_provision = -1;
    return sc;
}

void *iam_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    iam_server_conf_t *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));

    c->ws = add->ws;
    c->auto_provision = add->auto_provision >= 0 ? add->auto_provision : base->auto_provision;
    /* a virtual host has the main server's paths too, its own winning */
    c->paths = iam_pathmap_merge(p, base->paths, add->paths);
    return c;
}

int iam_auto_provision(const server_rec *s)
{
    const iam_server_conf_t *sc = ap_get_module_config(s->module_config, &iam_module);
    return sc->auto_provision > 0;
}

const iam_workspace_t *iam_workspace_of(const server_rec *s)
{
    const iam_server_conf_t *sc = ap_get_module_config(s->module_config, &iam_module);
    return sc->ws;
}

/* ---- the getters: what the rest of the module may read ---- */

#define WS_GET(type, field)                                                                        \
    type iam_ws_##field(const iam_workspace_t *ws)                                                 \
    {                                                                                              \
        return ws->field;                                                                          \
    }
WS_GET(const char *, store_dir)
WS_GET(size_t, mapsize)
WS_GET(iam_plan_e, plan)
WS_GET(const char *, bootstrap_owner)
WS_GET(int, request_limit)
WS_GET(const char *, mail_command)
WS_GET(const char *, mail_from)
WS_GET(const char *, console_url)
WS_GET(const char *, console_path)
WS_GET(const char *, login_url)
WS_GET(const char *, attr_email)
WS_GET(const char *, attr_name)
WS_GET(const char *, attr_email_verified)
WS_GET(int, login_fold)
WS_GET(const char *, database)
#undef WS_GET

const iam_roles_t *iam_ws_roles(const iam_workspace_t *ws)
{
    return &ws->roles;
}

const apr_array_header_t *iam_ws_resources(const iam_workspace_t *ws)
{
    return ws->resources;
}

const iam_dir_conf_t *iam_dir_of(const request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &iam_module);
}

iam_level_e iam_dir_permission(const iam_dir_conf_t *dc, int *git)
{
    *git = dc->permission_git;
    return dc->permission;
}

int iam_dir_request_access(const iam_dir_conf_t *dc)
{
    return dc->request_access != 0;
}

int iam_dir_forward_headers(const iam_dir_conf_t *dc)
{
    return dc->forward_headers > 0;
}

int iam_dir_denied_status(const iam_dir_conf_t *dc)
{
    return dc->denied_status == HTTP_UNAUTHORIZED ? HTTP_UNAUTHORIZED : HTTP_FORBIDDEN;
}

const iam_template_t *iam_dir_denied_template(const iam_dir_conf_t *dc)
{
    return dc->denied_template;
}

void *iam_create_dir_conf(apr_pool_t *p, char *dir)
{
    iam_dir_conf_t *dc = apr_pcalloc(p, sizeof(*dc));

    (void)dir;
    dc->request_access = -1;
    dc->forward_headers = -1;
    return dc;
}

/* Field by field: the innermost section that sets a value wins. */
void *iam_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    iam_dir_conf_t *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));

    c->resource = add->resource ? add->resource : base->resource;
    c->permission_set = add->permission_set || base->permission_set;
    c->permission = add->permission_set ? add->permission : base->permission;
    c->permission_git = add->permission_set ? add->permission_git : base->permission_git;
    c->request_access = add->request_access >= 0 ? add->request_access : base->request_access;
    c->forward_headers = add->forward_headers >= 0 ? add->forward_headers : base->forward_headers;
    c->denied_status = add->denied_status ? add->denied_status : base->denied_status;
    c->denied_template = add->denied_template ? add->denied_template : base->denied_template;
    return c;
}

static const char *global_only(cmd_parms *cmd)
{
    return ap_check_cmd_context(cmd, GLOBAL_ONLY);
}

static const char *set_store(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if (arg[0] != '/')
        return apr_psprintf(cmd->pool, "%s: '%s' must be an absolute directory path", IAM_DIR_STORE,
                            arg);
    workspace_get(cmd->pool)->store_dir = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_mapsize(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if (iam_parse_size(arg, &workspace_get(cmd->pool)->mapsize))
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a size from 1M to 1T (a number with K, M, G or T)",
                            IAM_DIR_MAPSIZE, arg);
    return NULL;
}

static const char *set_plan(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);
    iam_workspace_t *ws = workspace_get(cmd->pool);

    (void)dc;
    if (err)
        return err;
    if (iam_plan_parse(arg, &ws->plan))
        return apr_psprintf(cmd->pool, "%s: '%s' is not a plan (free, team or business)",
                            IAM_DIR_PLAN, arg);
    ws->plan_set = 1;
    if (ws->plan != IAM_PLAN_BUSINESS && ws->auto_provision_any)
        return apr_psprintf(cmd->pool,
                            "%s %s: the %s plan has no just-in-time provisioning, "
                            "but %s is On",
                            IAM_DIR_PLAN, arg, arg, IAM_DIR_AUTO_PROVISION);
    return NULL;
}

static const char *set_bootstrap(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if ((err = iam_check_login(arg)) != NULL)
        return apr_psprintf(cmd->pool, "%s: login '%s' %s", IAM_DIR_BOOTSTRAP, arg, err);
    workspace_get(cmd->pool)->bootstrap_owner = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

/* IAMRole "NAME" TYPE read|edit|admin [all-only], parsed as `iamctl -f`
 * parses it */
static const char *set_role(cmd_parms *cmd, void *dc, const char *args)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    return iam_conf_role(cmd->pool, &workspace_get(cmd->pool)->roles, args);
}

/* TYPE NAME|* [KEY:VALUE ...], the arguments of IAMResource and the
 * rest of IAMResourcePath's, into a new declaration; NULL and *out set,
 * or a message naming `directive`. */
static const char *parse_resource(cmd_parms *cmd, const char *directive, const char *args,
                                  const char *path, iam_resource_decl_t **out)
{
    iam_roles_t *roles = &workspace_get(cmd->pool)->roles;
    iam_resource_decl_t *decl = apr_pcalloc(cmd->pool, sizeof(*decl));
    apr_array_header_t *labels = apr_array_make(cmd->pool, 4, sizeof(const char *));
    const char *type, *name, *w, *err, *rest;
    int i, templated = path && iam_pathmap_is_template(path);

    type = ap_getword_conf(cmd->pool, &args);
    /* a template's resources are named by the path: NAME is "{name}", or
     * left out */
    rest = args;
    name = ap_getword_conf(cmd->pool, &args);
    if (templated && strcmp(name, IAM_PATHMAP_PLACEHOLDER)) {
        if (*name && !strchr(name, ':'))
            return apr_psprintf(cmd->pool,
                                "%s: '%s' names its resources by the path's {name} segment, not "
                                "'%s': '%s %s %s [KEY:VALUE ...]'",
                                directive, path, name, directive, path, *type ? type : "TYPE");
        name = IAM_PATHMAP_PLACEHOLDER;
        args = rest;
    }
    if (!*type || !*name)
        return apr_psprintf(cmd->pool,
                            "%s needs %sTYPE NAME|* [KEY:VALUE ...], e.g. "
                            "'%s %ssource checkout env:prod'",
                            directive, path ? "PATH " : "", directive,
                            path ? "/sources/checkout " : "");
    if ((err = iam_check_resource_type(type)) != NULL)
        return apr_psprintf(cmd->pool, "%s: type '%s' %s", directive, type, err);
    if (!iam_roles_has_type(roles, type))
        return apr_psprintf(cmd->pool,
                            "%s: no role grants on type '%s' (built-in types: "
                            "source, warehouse, tracking-plan, space, identity; declare "
                            "IAMRole before using a custom type)",
                            directive, type);
    if (!templated && strcmp(name, "*") && (err = iam_check_resource_name(name)) != NULL)
        return apr_psprintf(cmd->pool, "%s: name '%s' %s", directive, name, err);
    while (*(w = ap_getword_conf(cmd->pool, &args))) {
        if ((err = iam_check_label(w)) != NULL)
            return apr_psprintf(cmd->pool, "%s: '%s': %s", directive, w, err);
        for (i = 0; i < labels->nelts; i++) {
            const char *o = APR_ARRAY_IDX(labels, i, const char *);
            size_t k = strcspn(w, ":");
            if (!strncasecmp(o, w, k + 1))
                return apr_psprintf(cmd->pool,
                                    "%s: label key of '%s' is given twice; a "
                                    "resource has one value per key",
                                    directive, w);
        }
        APR_ARRAY_PUSH(labels, const char *) = w;
    }
    if (!strcmp(name, "*") && labels->nelts)
        return apr_psprintf(cmd->pool, "%s: a collection (*) carries no labels", directive);
    decl->res.type = type;
    decl->res.name = strcmp(name, "*") ? name : NULL;
    decl->templated = templated;
    decl->res.nlabels = labels->nelts;
    decl->res.labels = (const char **)labels->elts;
    decl->path = path ? path : cmd->path ? cmd->path : "(server)";
    *out = decl;
    return NULL;
}

/* The length of the <Location> path an IAMResource is declared in
 * (without trailing '/'), seen through configuration-time conditionals;
 * 0 for any other section, a regular expression among them. */
static size_t location_len(cmd_parms *cmd)
{
    const ap_directive_t *d = cmd->directive ? cmd->directive->parent : NULL;

    while (d && !strncasecmp(d->directive, "<If", 3) && strcasecmp(d->directive, "<If"))
        d = d->parent; /* <IfModule>, <IfDefine>, <IfVersion>..., not <If> */
    if (!d || strcasecmp(d->directive, "<Location") || !cmd->path || cmd->path[0] != '/' ||
        (d->args && d->args[0] == '~'))
        return 0;
    return iam_pathmap_key_len(cmd->path);
}

/* IAMResource TYPE NAME|* [KEY:VALUE ...] */
static const char *set_resource(cmd_parms *cmd, void *dcv, const char *args)
{
    iam_dir_conf_t *dc = dcv;
    iam_resource_decl_t *decl;
    const char *err = parse_resource(cmd, IAM_DIR_RESOURCE, args, NULL, &decl);

    if (err)
        return err;
    decl->path_len = location_len(cmd);
    dc->resource = decl;
    APR_ARRAY_PUSH(workspace_get(cmd->pool)->resources, iam_resource_decl_t *) = decl;
    return NULL;
}

/* IAMResourcePath PATH TYPE NAME|* [KEY:VALUE ...]: into this server's
 * table, which a request looks up in one walk of its path (a thousand
 * <Location> sections cost every request of the server a walk over all
 * of them). */
static const char *set_resource_path(cmd_parms *cmd, void *dc, const char *args)
{
    iam_server_conf_t *sc = ap_get_module_config(cmd->server->module_config, &iam_module);
    const char *path = ap_getword_conf(cmd->pool, &args), *err;
    iam_resource_decl_t *decl;

    (void)dc;
    if ((err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT)) != NULL)
        return err;
    if (!*path)
        return apr_psprintf(cmd->pool,
                            "%s needs PATH TYPE NAME|* [KEY:VALUE ...], e.g. "
                            "'%s /sources/checkout source checkout env:prod'",
                            IAM_DIR_RESOURCE_PATH, IAM_DIR_RESOURCE_PATH);
    if ((err = iam_pathmap_check(path)) != NULL)
        return apr_psprintf(cmd->pool, "%s: path '%s' %s", IAM_DIR_RESOURCE_PATH, path, err);
    if ((err = parse_resource(cmd, IAM_DIR_RESOURCE_PATH, args, path, &decl)) != NULL)
        return err;
    decl->path_len = iam_pathmap_key_len(path);
    if (!sc->paths)
        sc->paths = iam_pathmap_make(cmd->pool);
    if (iam_pathmap_put(sc->paths, path, decl, 0))
        return apr_psprintf(cmd->pool, "%s: path '%s' is declared twice", IAM_DIR_RESOURCE_PATH,
                            path);
    APR_ARRAY_PUSH(workspace_get(cmd->pool)->resources, iam_resource_decl_t *) = decl;
    return NULL;
}

const iam_resource_t *iam_resource_of(const request_rec *r, const iam_dir_conf_t *dc,
                                      iam_resource_at_t *at)
{
    const iam_server_conf_t *sc = ap_get_module_config(r->server->module_config, &iam_module);
    const iam_resource_decl_t *d = NULL;
    iam_pathmap_hit_t hit;

    at->bad = 0;
    if (sc->paths && r->uri) {
        iam_pathmap_lookup(sc->paths, r->uri, &hit);
        d = hit.value;
    }
    /* a <Location> deeper than the entry is the more specific of the two */
    if (!d || (dc->resource && dc->resource->path_len > (d->templated ? hit.covered : d->path_len)))
        return dc->resource ? &dc->resource->res : NULL;
    if (!d->templated)
        return &d->res;
    memcpy(at->name, hit.name, sizeof(at->name));
    if (hit.name_len > IAM_PATHMAP_NAME || iam_check_resource_name(hit.name)) {
        at->bad = 1;
        return NULL;
    }
    at->res = d->res;
    at->res.name = at->name;
    return &at->res;
}

static const char *set_permission(cmd_parms *cmd, void *dcv, const char *arg)
{
    iam_dir_conf_t *dc = dcv;

    dc->permission_set = 1;
    dc->permission = IAM_LEVEL_NONE;
    dc->permission_git = !strcasecmp(arg, "git");
    if (!strcasecmp(arg, "auto") || dc->permission_git)
        return NULL;
    if (iam_level_parse(arg, &dc->permission))
        return apr_psprintf(cmd->pool, "%s: '%s' is not auto, git, read, edit or admin",
                            IAM_DIR_PERMISSION, arg);
    return NULL;
}

/* IAMLoginCase exact|fold */
static const char *set_login_case(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if (strcasecmp(arg, "exact") && strcasecmp(arg, "fold"))
        return apr_psprintf(cmd->pool, "%s: '%s' is not exact or fold", IAM_DIR_LOGIN_CASE, arg);
    workspace_get(cmd->pool)->login_fold = !strcasecmp(arg, "fold");
    return NULL;
}

/* IAMDeniedStatus 403|401 */
static const char *set_denied_status(cmd_parms *cmd, void *dcv, const char *arg)
{
    if (strcmp(arg, "403") && strcmp(arg, "401"))
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not 403 (the request-access page) or 401 (Apache "
                            "asks for a login again)",
                            IAM_DIR_DENIED_STATUS, arg);
    ((iam_dir_conf_t *)dcv)->denied_status = atoi(arg);
    return NULL;
}

static const char *set_request_access(cmd_parms *cmd, void *dcv, int on)
{
    (void)cmd;
    ((iam_dir_conf_t *)dcv)->request_access = on;
    return NULL;
}

static const char *set_request_limit(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);
    char *end;
    long n;

    (void)dc;
    if (err)
        return err;
    n = strtol(arg, &end, 10);
    if (*end || n < 1 || n > 1000)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number from 1 to 1000",
                            IAM_DIR_REQUEST_LIMIT, arg);
    workspace_get(cmd->pool)->request_limit = (int)n;
    return NULL;
}

static const char *set_denied_template(cmd_parms *cmd, void *dcv, const char *arg)
{
    const char *err = iam_template_load(cmd->pool, ap_server_root_relative(cmd->pool, arg),
                                        &((iam_dir_conf_t *)dcv)->denied_template);

    return err ? apr_psprintf(cmd->pool, "%s %s: %s", IAM_DIR_DENIED_TEMPLATE, arg, err) : NULL;
}

static const char *set_mail_command(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if (!*arg || strchr(arg, '\n'))
        return apr_psprintf(cmd->pool,
                            "%s needs a command line, e.g. \"/usr/sbin/sendmail -t "
                            "-i\"",
                            IAM_DIR_MAIL_COMMAND);
    workspace_get(cmd->pool)->mail_command = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_mail_from(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if ((err = iam_check_email(arg)))
        return apr_psprintf(cmd->pool, "%s: '%s' %s", IAM_DIR_MAIL_FROM, arg, err);
    workspace_get(cmd->pool)->mail_from = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_console_url(cmd_parms *cmd, void *dc, const char *arg)
{
    iam_workspace_t *ws = workspace_get(cmd->pool);
    const char *err = global_only(cmd);
    apr_size_t n = strlen(arg);
    /* where a URL's host begins; 0: a path */
    apr_size_t host = !strncmp(arg, "http://", 7) ? 7 : !strncmp(arg, "https://", 8) ? 8 : 0;

    (void)dc;
    if (err)
        return err;
    /* a path is this site's ("//HOST/..." is another's); a URL has a host */
    if ((!host && (arg[0] != '/' || arg[1] == '/')) || (host && (!arg[host] || arg[host] == '/')) ||
        iam_check_text(arg, 1024) || strpbrk(arg, " \"'<>"))
        return apr_psprintf(cmd->pool,
                            "%s: '%s' must be the console's URL (https://HOST/PATH) "
                            "or path (/PATH)",
                            IAM_DIR_CONSOLE_URL, arg);
    /* every trailing '/', a lone "/" too: the root is "" (as for
     * "https://HOST/"), so BASE + "/request-access" is no "//HOST" URL */
    while (n > 0 && arg[n - 1] == '/')
        n--;
    ws->console_url = apr_pstrmemdup(cmd->pool, arg, n);
    ws->console_path = ws->console_url;
    if (host) {
        const char *slash = strchr(ws->console_url + host, '/');
        ws->console_path = slash ? slash : "";
    }
    return NULL;
}

static const char *set_auto_provision(cmd_parms *cmd, void *dc, int on)
{
    iam_server_conf_t *sc = ap_get_module_config(cmd->server->module_config, &iam_module);
    iam_workspace_t *ws = workspace_get(cmd->pool);

    (void)dc;
    if (on && ws->plan_set && ws->plan != IAM_PLAN_BUSINESS)
        return apr_psprintf(cmd->pool,
                            "%s On: the %s plan has no just-in-time provisioning "
                            "(business only)",
                            IAM_DIR_AUTO_PROVISION, iam_plan_name(ws->plan));
    sc->auto_provision = on;
    ws->auto_provision_any |= on;
    return NULL;
}

/* IAMUserAttribute email|name VARIABLE */
static const char *set_user_attribute(cmd_parms *cmd, void *dc, const char *what, const char *var)
{
    const char *err = global_only(cmd);
    iam_workspace_t *ws = workspace_get(cmd->pool);

    (void)dc;
    if (err)
        return err;
    if (!*var || strpbrk(var, " \t\r\n\"'"))
        return apr_psprintf(cmd->pool, "%s %s: '%s' is not a variable name", IAM_DIR_USER_ATTRIBUTE,
                            what, var);
    if (!strcasecmp(what, "email"))
        ws->attr_email = apr_pstrdup(cmd->pool, var);
    else if (!strcasecmp(what, "name"))
        ws->attr_name = apr_pstrdup(cmd->pool, var);
    else if (!strcasecmp(what, "email_verified"))
        ws->attr_email_verified = apr_pstrdup(cmd->pool, var);
    else
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not an attribute (email, name or email_verified)",
                            IAM_DIR_USER_ATTRIBUTE, what);
    return NULL;
}

static const char *set_forward_headers(cmd_parms *cmd, void *dcv, int on)
{
    (void)cmd;
    ((iam_dir_conf_t *)dcv)->forward_headers = on;
    return NULL;
}

static const char *set_login_url(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd);

    (void)dc;
    if (err)
        return err;
    if ((strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8)) || iam_check_text(arg, 1024) ||
        strpbrk(arg, " \"'<>"))
        return apr_psprintf(cmd->pool, "%s: '%s' must be an absolute http(s) URL",
                            IAM_DIR_LOGIN_URL, arg);
    workspace_get(cmd->pool)->login_url = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_database(cmd_parms *cmd, void *dc, const char *arg)
{
    const char *err = global_only(cmd), *why;

    (void)dc;
    if (err)
        return err;
    if ((why = iam_db_check_conninfo(cmd->pool, arg)))
        return apr_psprintf(cmd->pool, "%s: %s", IAM_DIR_DATABASE, why);
    workspace_get(cmd->pool)->database = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

const command_rec iam_cmds[] = {
    AP_INIT_TAKE1(IAM_DIR_STORE, set_store, NULL, RSRC_CONF,
                  "the LMDB store directory (default " IAM_STORE_DEFAULT_DIR ")"),
    AP_INIT_TAKE1(IAM_DIR_MAPSIZE, set_mapsize, NULL, RSRC_CONF,
                  "LMDB map size, e.g. 1G (default 1G)"),
    AP_INIT_TAKE1(IAM_DIR_PLAN, set_plan, NULL, RSRC_CONF,
                  "free, team or business (default business)"),
    AP_INIT_RAW_ARGS(IAM_DIR_ROLE, set_role, NULL, RSRC_CONF,
                     "\"NAME\" TYPE read|edit|admin [all-only]: a custom role"),
    AP_INIT_TAKE1(IAM_DIR_BOOTSTRAP, set_bootstrap, NULL, RSRC_CONF,
                  "a login made owner at start-up if the store has no owner"),
    AP_INIT_RAW_ARGS(IAM_DIR_RESOURCE, set_resource, NULL, ACCESS_CONF,
                     "TYPE NAME|* [KEY:VALUE ...]: the resource this path belongs to"),
    AP_INIT_RAW_ARGS(IAM_DIR_RESOURCE_PATH, set_resource_path, NULL, RSRC_CONF,
                     "PATH TYPE NAME|* [KEY:VALUE ...]: the resource of PATH and the paths "
                     "below it"),
    AP_INIT_TAKE1(IAM_DIR_PERMISSION, set_permission, NULL, ACCESS_CONF,
                  "auto|git|read|edit|admin: the level this path needs (git: as a Git client "
                  "means it: fetch read, push edit)"),
    AP_INIT_TAKE1(IAM_DIR_LOGIN_CASE, set_login_case, NULL, RSRC_CONF,
                  "exact|fold: how logins match members (default exact, as Require user)"),
    AP_INIT_TAKE1(IAM_DIR_DENIED_STATUS, set_denied_status, NULL, RSRC_CONF | ACCESS_CONF,
                  "403|401: what a user mod_iam refuses gets (default 403, with the "
                  "request-access page)"),
    AP_INIT_FLAG(IAM_DIR_REQUEST_ACCESS, set_request_access, NULL, RSRC_CONF | ACCESS_CONF,
                 "On|Off: offer refused members a form to request access (default On)"),
    AP_INIT_TAKE1(IAM_DIR_REQUEST_LIMIT, set_request_limit, NULL, RSRC_CONF,
                  "open access requests a member may have (default 10)"),
    AP_INIT_TAKE1(IAM_DIR_DENIED_TEMPLATE, set_denied_template, NULL, RSRC_CONF | ACCESS_CONF,
                  "an HTML file for the refused page, with {{placeholders}}"),
    AP_INIT_TAKE1(IAM_DIR_MAIL_COMMAND, set_mail_command, NULL, RSRC_CONF,
                  "a sendmail-compatible command that mails owners, e.g. "
                  "\"/usr/sbin/sendmail -t -i\""),
    AP_INIT_TAKE1(IAM_DIR_MAIL_FROM, set_mail_from, NULL, RSRC_CONF,
                  "the From address of mod_iam's mails"),
    AP_INIT_TAKE1(IAM_DIR_CONSOLE_URL, set_console_url, NULL, RSRC_CONF,
                  "the console's URL, for links in mails (default /iam)"),
    AP_INIT_FLAG(IAM_DIR_AUTO_PROVISION, set_auto_provision, NULL, RSRC_CONF,
                 "On|Off: make an unknown authenticated user a Workspace Member (default Off)"),
    AP_INIT_TAKE2(IAM_DIR_USER_ATTRIBUTE, set_user_attribute, NULL, RSRC_CONF,
                  "email|name|email_verified VARIABLE: a request variable the IdP module sets"),
    AP_INIT_FLAG(IAM_DIR_FORWARD_HEADERS, set_forward_headers, NULL, RSRC_CONF | ACCESS_CONF,
                 "On|Off: tell the backend who the user is (X-IAM-* headers, IAM_* variables)"),
    AP_INIT_TAKE1(IAM_DIR_LOGIN_URL, set_login_url, NULL, RSRC_CONF,
                  "the site's login link, sent with invitations"),
    AP_INIT_TAKE1(IAM_DIR_DATABASE, set_database, NULL, RSRC_CONF,
                  "a PostgreSQL connection string: the workspace lives there, IAMStore is this "
                  "server's replica"),
    {NULL},
};
