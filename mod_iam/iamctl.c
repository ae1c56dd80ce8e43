/* iamctl: the command-line tool for a mod_iam store.
 *
 *   iamctl [-f HTTPD.CONF] [-d STORE] [-m SIZE] [--plan PLAN] COMMAND ...
 *
 * Exit status: 0 success (and `check` allowed), 1 error (one line on
 * stderr), 2 bad usage, 3 `check` denied. Every write is one store
 * transaction, so a refused or interrupted command changes nothing. */
#include "iam_httpdconf.h"
#include "iam_policy.h"
#include "iam_present.h"
#include "iam_store.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define EXIT_DENY 3

static const char usage_text[] =
    "usage: iamctl [-f HTTPD.CONF] [-d STORE] [-m SIZE] [--plan free|team|business] COMMAND ...\n"
    "\n"
    "  init\n"
    "  member add LOGIN [--email EMAIL] [--name NAME] [--owner]\n"
    "  member invite EMAIL [--name NAME]\n"
    "  member list [--search TEXT] [--json]\n"
    "  member show LOGIN [--json]\n"
    "  member remove LOGIN\n"
    "  grant  (--member LOGIN | --group NAME) ROLE [--all | --resource NAME ... | --label "
    "LABEL ...]\n"
    "  revoke (--member LOGIN | --group NAME) ROLE [--all | --resource NAME ... | --label "
    "LABEL ...]\n"
    "  group create NAME\n"
    "  group delete NAME\n"
    "  group add NAME LOGIN ...\n"
    "  group remove NAME LOGIN ...\n"
    "  group list [--json]\n"
    "  group show NAME [--json]\n"
    "  roles [--json]\n"
    "  export\n"
    "  import FILE\n"
    "  check LOGIN TYPE NAME|* read|edit|admin [--label LABEL ...]\n"
    "  audit [--limit N] [--json]\n"
    "  verify\n"
    "\n"
    "STORE defaults to " IAM_STORE_DEFAULT_DIR ".\n"
    "-f reads the server's configuration (and its Includes) for IAMStore, IAMMapSize, IAMPlan,\n"
    "IAMRole and IAMLoginCase, and records them in the store as the server does at start-up.\n";

typedef struct {
    apr_pool_t *p;
    const char *dir;
    size_t mapsize;
    int has_plan;
    iam_plan_e plan;
    iam_store_t *st;
    const char *actor;        /* "iamctl:<user>", for the audit trail */
    iam_httpdconf_t *conf;    /* -f: what the server's configuration says */
    const char *conf_file;
} ctl_t;

static int usage(const char *fmt, ...)
{
    va_list ap;

    if (fmt) {
        fputs("iamctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\n", stderr);
    }
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static int error(const char *fmt, ...)
{
    va_list ap;

    fputs("iamctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    return EXIT_FAILURE;
}

static int store_error(const iam_err_t *err)
{
    return error("%s", err->msg);
}

/* Run as root on a store the Apache user owns, iamctl becomes that user:
 * the files it creates stay the server's, and root never opens a file in
 * a directory another user controls. */
static int become_store_owner(const char *dir)
{
    struct stat sb;

    if (geteuid() != 0 || stat(dir, &sb) != 0 || sb.st_uid == 0)
        return 0;
    if (setgroups(0, NULL) != 0 || setgid(sb.st_gid) != 0 || setuid(sb.st_uid) != 0)
        return error("cannot switch to uid %ld, the owner of %s: %s", (long)sb.st_uid, dir,
                     strerror(errno));
    return 0;
}

static int open_store(ctl_t *c, int flags)
{
    iam_err_t err;

    if (c->st) /* one environment per process, as LMDB asks */
        return 0;
    if (become_store_owner(c->dir))
        return EXIT_FAILURE;
    if (iam_store_open(&c->st, c->dir, c->mapsize, flags, c->p, &err) != IAM_OK)
        return store_error(&err);
    if (!c->conf)
        return 0;
    /* -f: the server's configuration rules. A command that writes first
     * records its plan, roles and login case, as the server does at
     * start-up, so it works (and agrees with the server) before Apache ever
     * started; one that reads takes them from the file (load_info). */
    iam_store_set_fold_case(c->st, c->conf->login_fold);
    if (!(flags & IAM_OPEN_RDONLY) &&
        iam_store_set_workspace(c->st, c->actor, c->conf->plan, &c->conf->roles,
                                c->conf->login_fold, &err) != IAM_OK)
        return error("recording what %s says: %s", c->conf_file, err.msg);
    return 0;
}

/* Prints and frees j; 1 when it could not be encoded (never a silent
 * partial export). */
static int print_json(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

    json_decref(j);
    if (!s)
        return error("cannot encode the output as JSON");
    puts(s);
    free(s);
    return 0;
}

/* Appends v to a; a NULL v (a value jansson refused) poisons the array so
 * print_json fails. */
static void append(json_t **a, json_t *v)
{
    if (!v || !*a || json_array_append_new(*a, v) != 0) {
        json_decref(*a);
        *a = NULL;
    }
}

static int load_info(ctl_t *c, iam_workspace_info_t *info)
{
    iam_err_t err;

    if (iam_store_info(c->st, info, c->p, &err) != IAM_OK)
        return store_error(&err);
    if (c->conf) { /* -f: the configuration's, whatever the store recorded */
        info->plan = c->conf->plan;
        info->roles = c->conf->roles;
    }
    return 0;
}

/* The version of the export's JSON (not of the store's format). */
#define EXPORT_VERSION 1

/* ---- commands ---- */

static int cmd_init(ctl_t *c, int argc, char **argv)
{
    iam_workspace_info_t info;
    iam_err_t err;
    (void)argv;

    if (argc != 0)
        return usage("init takes no arguments");
    if (open_store(c, IAM_OPEN_CREATE) || load_info(c, &info))
        return EXIT_FAILURE;
    if (iam_store_secret_make(c->st, &err) != IAM_OK) { /* the console's, made once */
        fprintf(stderr, "iamctl: %s\n", err.msg);
        return EXIT_FAILURE;
    }
    printf("store %s ready: plan %s, %d members, %d groups\n", c->dir, iam_plan_name(info.plan),
           info.members, info.groups);
    return 0;
}

/* Options of the form --name VALUE; returns the value or NULL, and sets
 * *bad for a missing value, a value that is an option, or a repeat. Flags
 * are matched by take_flag. Positional words stay in argv (compacted). */
static const char *take_opt(int *argc, char **argv, const char *name, int *bad)
{
    int i;
    const char *v = NULL;

    for (i = 0; i < *argc; i++) {
        if (!strcmp(argv[i], name)) {
            if (i + 1 >= *argc || !strncmp(argv[i + 1], "--", 2) || v) {
                *bad = 1;
                return NULL;
            }
            v = argv[i + 1];
            memmove(&argv[i], &argv[i + 2], sizeof(char *) * (size_t)(*argc - i - 2));
            *argc -= 2;
            i--;
        }
    }
    return v;
}

static int take_flag(int *argc, char **argv, const char *name)
{
    int i, found = 0;

    for (i = 0; i < *argc; i++) {
        if (!strcmp(argv[i], name)) {
            memmove(&argv[i], &argv[i + 1], sizeof(char *) * (size_t)(*argc - i - 1));
            (*argc)--;
            i--;
            found = 1;
        }
    }
    return found;
}

static int unknown_option(int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return usage("unknown option '%s'", argv[i]);
    }
    return 0;
}

static int cmd_member(ctl_t *c, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    iam_err_t err;
    int bad = 0, json, rc;

    argc--;
    argv++;
    if (!strcmp(sub, "add") || !strcmp(sub, "invite")) {
        const char *email = take_opt(&argc, argv, "--email", &bad);
        const char *name = take_opt(&argc, argv, "--name", &bad);
        int owner = !strcmp(sub, "add") && take_flag(&argc, argv, "--owner");
        if (bad)
            return usage("--email and --name each needs a value, given once");
        if ((rc = unknown_option(argc, argv)))
            return rc;
        if (argc != 1)
            return usage("member %s needs one %s", sub, strcmp(sub, "add") ? "EMAIL" : "LOGIN");
        if (!strcmp(sub, "invite")) {
            if (email)
                return usage("member invite takes the email as its argument");
            email = argv[0];
        }
        if (open_store(c, 0))
            return EXIT_FAILURE;
        if (iam_store_member_add(c->st, c->actor, argv[0], email, name,
                                 strcmp(sub, "add") ? IAM_INVITED : IAM_ACTIVE, owner,
                                 &err) != IAM_OK)
            return store_error(&err);
        printf("%s %s%s\n", strcmp(sub, "add") ? "invited" : "added", argv[0],
               owner ? " as Workspace Owner" : "");
        return 0;
    }
    if (!strcmp(sub, "list")) {
        const char *search = take_opt(&argc, argv, "--search", &bad);
        apr_array_header_t *list;
        iam_workspace_info_t info;
        int i;
        json = take_flag(&argc, argv, "--json");
        if (bad)
            return usage("--search needs a value");
        if ((rc = unknown_option(argc, argv)))
            return rc;
        if (argc != 0)
            return usage("member list takes no arguments");
        if (open_store(c, IAM_OPEN_RDONLY) || load_info(c, &info))
            return EXIT_FAILURE;
        if (iam_store_member_list(c->st, c->p, search, 0, 0, &list, &err) != IAM_OK)
            return store_error(&err);
        if (json) {
            json_t *a = json_array();
            for (i = 0; i < list->nelts; i++)
                append(&a, iam_json_member(c->p, APR_ARRAY_IDX(list, i, iam_member_t *)));
            return print_json(a);
        }
        for (i = 0; i < list->nelts; i++) {
            iam_member_t *m = APR_ARRAY_IDX(list, i, iam_member_t *);
            printf("%-24s %-8s %-30s %-20s roles=%s groups=%s\n", m->login,
                   m->status == IAM_INVITED ? "invited" : "active", m->email[0] ? m->email : "-",
                   m->name[0] ? m->name : "-", iam_roles_summary(c->p, &info.roles, m),
                   iam_names_text(c->p, m->groups));
        }
        return 0;
    }
    if (!strcmp(sub, "show")) {
        iam_member_t *m;
        iam_workspace_info_t info;
        int i;
        json = take_flag(&argc, argv, "--json");
        if ((rc = unknown_option(argc, argv)))
            return rc;
        if (argc != 1)
            return usage("member show needs one LOGIN");
        if (open_store(c, IAM_OPEN_RDONLY) || load_info(c, &info))
            return EXIT_FAILURE;
        if (iam_store_member_get(c->st, c->p, argv[0], &m, &err) != IAM_OK)
            return store_error(&err);
        if (json) {
            return print_json(iam_json_member(c->p, m));
        }
        printf("login:   %s\nemail:   %s\nname:    %s\nstatus:  %s\nowner:   %s\npii:     "
               "%s\ncreated: %s\ngroups:  %s\ngrants:\n",
               m->login, m->email, m->name, m->status == IAM_INVITED ? "invited" : "active",
               iam_grants_owner(m->grants) ? "yes" : "no", m->pii ? "yes" : "no",
               iam_time_text(c->p, m->created), iam_names_text(c->p, m->groups));
        for (i = 0; i < m->grants->nelts; i++)
            printf("  %s (direct)\n",
                   iam_grant_text(c->p, &info.roles, &APR_ARRAY_IDX(m->grants, i, iam_grant_t)));
        for (i = 0; i < m->groups->nelts; i++) {
            iam_group_t *g;
            int j;
            const char *gname = APR_ARRAY_IDX(m->groups, i, const char *);
            if (iam_store_group_get(c->st, c->p, gname, &g, &err) != IAM_OK)
                return store_error(&err);
            for (j = 0; j < g->grants->nelts; j++)
                printf("  %s (through group %s)\n",
                       iam_grant_text(c->p, &info.roles, &APR_ARRAY_IDX(g->grants, j, iam_grant_t)),
                       g->name);
        }
        if (!m->grants->nelts && !m->groups->nelts)
            printf("  Workspace Member (minimal workspace access)\n");
        return 0;
    }
    if (!strcmp(sub, "remove")) {
        if ((rc = unknown_option(argc, argv)))
            return rc;
        if (argc != 1)
            return usage("member remove needs one LOGIN");
        if (open_store(c, 0))
            return EXIT_FAILURE;
        if (iam_store_member_remove(c->st, c->actor, argv[0], &err) != IAM_OK)
            return store_error(&err);
        printf("removed %s\n", argv[0]);
        return 0;
    }
    return usage(*sub ? "unknown member command '%s'" : "member needs a command", sub);
}

/* grant|revoke (--member LOGIN | --group NAME) ROLE [--all | --resource N ... | --label L ...] */
static int cmd_grant(ctl_t *c, int argc, char **argv, int revoke)
{
    const char *verb = revoke ? "revoke" : "grant";
    const char *who = NULL, *role = NULL;
    apr_array_header_t *items = apr_array_make(c->p, 4, sizeof(const char *));
    iam_grant_t g = {NULL, IAM_SCOPE_ALL, 0, NULL};
    int group = 0, all = 0, kinds = 0, i, whole = 0;
    iam_err_t err;
    iam_status_e st;

    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--member") || !strcmp(a, "--group")) {
            if (who || i + 1 >= argc)
                return usage("%s needs exactly one of --member LOGIN or --group NAME", verb);
            group = !strcmp(a, "--group");
            who = argv[++i];
        } else if (!strcmp(a, "--all")) {
            all = 1;
        } else if (!strcmp(a, "--resource") || !strcmp(a, "--label")) {
            iam_scope_e scope = !strcmp(a, "--label") ? IAM_SCOPE_LABELS : IAM_SCOPE_RESOURCES;
            if (i + 1 >= argc)
                return usage("%s needs a value", a);
            if (items->nelts && g.scope != scope)
                return usage("a grant has one scope: --all, --resource or --label");
            g.scope = scope;
            /* --resource a b c: every following word up to the next option */
            if (!strncmp(argv[i + 1], "--", 2))
                return usage("%s needs a value", a);
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
                APR_ARRAY_PUSH(items, const char *) = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            return usage("unknown option '%s'", a);
        } else if (!role) {
            role = a;
        } else {
            return usage("%s takes one ROLE (got '%s' and '%s')", verb, role, a);
        }
    }
    kinds = all + (items->nelts > 0);
    if (!who || !role)
        return usage("%s needs --member LOGIN or --group NAME, and a ROLE", verb);
    if (kinds > 1)
        return usage("a grant has one scope: --all, --resource or --label");
    if (open_store(c, 0))
        return EXIT_FAILURE;
    if (kinds == 0) {
        /* No scope: revoke removes every grant of the role; grant gives
         * all-only roles on all, and asks for a scope otherwise. */
        iam_workspace_info_t info;
        const iam_role_t *r;
        if (load_info(c, &info))
            return EXIT_FAILURE;
        r = iam_roles_find(&info.roles, role);
        if (revoke)
            whole = 1;
        else if (r && !r->all_only)
            return usage("%s is granted per resource: add --all, --resource NAME ... or --label "
                         "KEY:VALUE ...",
                         r->name);
    }
    g.role = role;
    g.nitems = items->nelts;
    g.items = (const char **)items->elts;
    st = revoke ? iam_store_revoke(c->st, c->actor, group, who, &g, whole, &err)
                : iam_store_grant(c->st, c->actor, group, who, &g, &err);
    if (st != IAM_OK)
        return store_error(&err);
    printf("%s %s %s %s\n", revoke ? "revoked" : "granted", role, revoke ? "from" : "to", who);
    return 0;
}

static int cmd_group(ctl_t *c, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    iam_err_t err;
    int json, rc, i;

    argc--;
    argv++;
    json = take_flag(&argc, argv, "--json");
    if ((rc = unknown_option(argc, argv)))
        return rc;
    if (json && strcmp(sub, "list") && strcmp(sub, "show"))
        return usage("--json is for group list and group show");
    if (!strcmp(sub, "create") || !strcmp(sub, "delete")) {
        if (argc != 1)
            return usage("group %s needs one NAME", sub);
        if (open_store(c, 0))
            return EXIT_FAILURE;
        if ((!strcmp(sub, "create")
                 ? iam_store_group_create(c->st, c->actor, argv[0], &err)
                 : iam_store_group_delete(c->st, c->actor, argv[0], &err)) != IAM_OK)
            return store_error(&err);
        printf("%s group %s\n", !strcmp(sub, "create") ? "created" : "deleted", argv[0]);
        return 0;
    }
    if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
        if (argc < 2)
            return usage("group %s needs NAME and at least one LOGIN", sub);
        if (open_store(c, 0))
            return EXIT_FAILURE;
        if (iam_store_group_members(c->st, c->actor, argv[0], !strcmp(sub, "add"),
                                    (const char *const *)argv + 1, argc - 1, &err) != IAM_OK)
            return store_error(&err);
        printf("%s %d member%s %s group %s\n", !strcmp(sub, "add") ? "added" : "removed", argc - 1,
               argc == 2 ? "" : "s", !strcmp(sub, "add") ? "to" : "from", argv[0]);
        return 0;
    }
    if (!strcmp(sub, "list")) {
        apr_array_header_t *list;
        if (argc != 0)
            return usage("group list takes no arguments");
        if (open_store(c, IAM_OPEN_RDONLY))
            return EXIT_FAILURE;
        if (iam_store_group_list(c->st, c->p, &list, &err) != IAM_OK)
            return store_error(&err);
        if (json) {
            json_t *a = json_array();
            for (i = 0; i < list->nelts; i++)
                json_array_append_new(
                    a, iam_json_group(c->p, APR_ARRAY_IDX(list, i, iam_group_t *), 0));
            return print_json(a);
        }
        for (i = 0; i < list->nelts; i++) {
            iam_group_t *g = APR_ARRAY_IDX(list, i, iam_group_t *);
            printf("%-30s %d member%s, %d grant%s\n", g->name, g->members->nelts,
                   g->members->nelts == 1 ? "" : "s", g->grants->nelts,
                   g->grants->nelts == 1 ? "" : "s");
        }
        return 0;
    }
    if (!strcmp(sub, "show")) {
        iam_group_t *g;
        iam_workspace_info_t info;
        if (argc != 1)
            return usage("group show needs one NAME");
        if (open_store(c, IAM_OPEN_RDONLY) || load_info(c, &info))
            return EXIT_FAILURE;
        if (iam_store_group_get(c->st, c->p, argv[0], &g, &err) != IAM_OK)
            return store_error(&err);
        if (json) {
            return print_json(iam_json_group(c->p, g, 1));
        }
        printf("name:    %s\npii:     %s\ncreated: %s\nmembers: %s\ngrants:\n", g->name,
               g->pii ? "yes" : "no", iam_time_text(c->p, g->created),
               iam_names_text(c->p, g->members));
        for (i = 0; i < g->grants->nelts; i++)
            printf("  %s\n",
                   iam_grant_text(c->p, &info.roles, &APR_ARRAY_IDX(g->grants, i, iam_grant_t)));
        return 0;
    }
    return usage(*sub ? "unknown group command '%s'" : "group needs a command", sub);
}

static int cmd_roles(ctl_t *c, int argc, char **argv)
{
    iam_workspace_info_t info;
    int json = take_flag(&argc, argv, "--json"), i, rc;

    if ((rc = unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return usage("roles takes no arguments");
    if (open_store(c, IAM_OPEN_RDONLY) || load_info(c, &info))
        return EXIT_FAILURE;
    if (json) {
        json_t *a = json_array();
        for (i = 0; i < info.roles.n; i++)
            append(&a, iam_json_role(&info.roles.role[i], info.plan));
        return print_json(a);
    }
    printf("%-26s %-24s %-14s %-7s %-22s %s\n", "ROLE", "SLUG", "TYPE", "LEVEL", "SCOPES", "NOTE");
    for (i = 0; i < info.roles.n; i++) {
        const iam_role_t *r = &info.roles.role[i];
        printf("%-26s %-24s %-14s %-7s %-22s %s%s\n", r->name, r->slug, r->type ? r->type : "-",
               r->kind == IAM_ROLE_OWNER    ? "owner"
               : r->kind == IAM_ROLE_MEMBER ? "minimal"
                                            : iam_level_name(r->level),
               iam_scopes_text(r), r->custom ? "custom " : "",
               iam_plan_allows_role(info.plan, r)
                   ? ""
                   : apr_psprintf(c->p, "(not on the %s plan)", iam_plan_name(info.plan)));
    }
    return 0;
}

static int cmd_export(ctl_t *c, int argc, char **argv)
{
    apr_array_header_t *members, *groups;
    json_t *out, *ma, *ga;
    iam_plan_e plan;
    iam_err_t err;
    int i;

    (void)argv;
    if (argc != 0)
        return usage("export takes no arguments");
    if (open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_dump(c->st, c->p, &plan, &members, &groups, &err) != IAM_OK)
        return store_error(&err);
    ma = json_array();
    ga = json_array();
    for (i = 0; i < members->nelts; i++)
        append(&ma, iam_json_member(c->p, APR_ARRAY_IDX(members, i, iam_member_t *)));
    for (i = 0; i < groups->nelts; i++)
        append(&ga, iam_json_group(c->p, APR_ARRAY_IDX(groups, i, iam_group_t *), 0));
    if (!ma || !ga) {
        json_decref(ma);
        json_decref(ga);
        return print_json(NULL);
    }
    /* "o" steals ga and ma, also when json_pack fails */
    out = json_pack("{s:s, s:i, s:s, s:o, s:o}", "format", "mod_iam-export", "version",
                    EXPORT_VERSION, "plan", iam_plan_name(plan), "groups", ga, "members", ma);
    return print_json(out);
}

/* ---- import: strict reading of an export ---- */

static const char *read_export(apr_pool_t *p, json_t *root, iam_plan_e *plan,
                               apr_array_header_t **members, apr_array_header_t **groups)
{
    json_t *a, *o;
    const char *s, *err;
    size_t i;

    if (!json_is_object(root))
        return "the file is not a mod_iam export (not a JSON object)";
    if ((err = iam_json_get_str(root, "format", 1, &s, p)))
        return err;
    if (strcmp(s, "mod_iam-export"))
        return "the file is not a mod_iam export (\"format\")";
    if (!json_is_integer(json_object_get(root, "version")) ||
        json_integer_value(json_object_get(root, "version")) != EXPORT_VERSION)
        return apr_psprintf(p, "the export's \"version\" is not %d", EXPORT_VERSION);
    if ((err = iam_json_get_str(root, "plan", 1, &s, p)))
        return err;
    if (iam_plan_parse(s, plan))
        return apr_psprintf(p, "unknown plan \"%s\"", s);
    *members = apr_array_make(p, 16, sizeof(iam_member_t *));
    *groups = apr_array_make(p, 16, sizeof(iam_group_t *));
    a = json_object_get(root, "groups");
    if (a && !json_is_array(a))
        return "\"groups\" must be an array";
    json_array_foreach(a, i, o)
    {
        iam_group_t *g = apr_pcalloc(p, sizeof(*g));
        if (!json_is_object(o))
            return "a group must be an object";
        if ((err = iam_json_get_str(o, "name", 1, &g->name, p)) ||
            (err = iam_json_get_grants(o, p, &g->grants)) ||
            (err = iam_json_get_bool(o, "pii", &g->pii)) ||
            (err = iam_json_get_str(o, "created", 0, &s, p)))
            return apr_psprintf(p, "group %" APR_SIZE_T_FMT ": %s", i + 1, err);
        if (!g->grants)
            g->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
        g->created = iam_time_parse(s);
        APR_ARRAY_PUSH(*groups, iam_group_t *) = g;
    }
    a = json_object_get(root, "members");
    if (!json_is_array(a))
        return "\"members\" must be an array";
    json_array_foreach(a, i, o)
    {
        iam_member_t *m = apr_pcalloc(p, sizeof(*m));
        json_t *ga = json_object_get(o, "groups"), *gn;
        size_t j;
        if (!json_is_object(o))
            return "a member must be an object";
        if ((err = iam_json_get_str(o, "login", 1, &m->login, p)) ||
            (err = iam_json_get_str(o, "email", 0, &m->email, p)) ||
            (err = iam_json_get_str(o, "name", 0, &m->name, p)) ||
            (err = iam_json_get_str(o, "status", 0, &s, p)) ||
            (err = iam_json_get_grants(o, p, &m->grants)) ||
            (err = iam_json_get_bool(o, "pii", &m->pii)) ||
            (err = iam_json_get_bool(o, "provisioned", &m->provisioned)))
            return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": %s", i + 1, err);
        if (!m->grants)
            m->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
        if (s && strcmp(s, "active") && strcmp(s, "invited"))
            return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": unknown status \"%s\"", i + 1, s);
        m->status = s && !strcmp(s, "invited") ? IAM_INVITED : IAM_ACTIVE;
        if ((err = iam_json_get_str(o, "created", 0, &s, p)))
            return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": %s", i + 1, err);
        m->created = iam_time_parse(s);
        m->groups = apr_array_make(p, 4, sizeof(const char *));
        if (ga && !json_is_array(ga))
            return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": \"groups\" must be an array",
                                i + 1);
        json_array_foreach(ga, j, gn)
        {
            if (!json_is_string(gn))
                return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": group names must be strings",
                                    i + 1);
            APR_ARRAY_PUSH(m->groups, const char *) = apr_pstrdup(p, json_string_value(gn));
        }
        APR_ARRAY_PUSH(*members, iam_member_t *) = m;
    }
    return NULL;
}

static int cmd_import(ctl_t *c, int argc, char **argv)
{
    json_error_t jerr;
    json_t *root;
    apr_array_header_t *members = NULL, *groups = NULL;
    iam_plan_e plan;
    iam_err_t err;
    const char *msg;

    if (argc != 1)
        return usage("import needs one FILE ('-' for standard input)");
    root = !strcmp(argv[0], "-") ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
                                 : json_load_file(argv[0], JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return error("%s: line %d: %s", argv[0], jerr.line, jerr.text);
    msg = read_export(c->p, root, &plan, &members, &groups);
    json_decref(root);
    if (msg)
        return error("%s: %s", argv[0], msg);
    if (c->has_plan)
        plan = c->plan;
    if (open_store(c, IAM_OPEN_CREATE))
        return EXIT_FAILURE;
    if (iam_store_import(c->st, c->actor, plan, members, groups, &err) != IAM_OK)
        return error("%s: %s; nothing was imported", argv[0], err.msg);
    printf("imported %d members and %d groups\n", members->nelts, groups->nelts);
    return 0;
}

static int cmd_check(ctl_t *c, int argc, char **argv)
{
    apr_array_header_t *labels = apr_array_make(c->p, 4, sizeof(const char *));
    iam_workspace_info_t info;
    iam_resource_t res;
    iam_subject_t subj;
    iam_decision_t d;
    iam_level_e need;
    iam_err_t err;
    const char *msg;
    char why[768];
    int i, n = 0;
    char *pos[4];

    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--label")) {
            if (i + 1 >= argc)
                return usage("--label needs KEY:VALUE");
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
                if ((msg = iam_check_label(argv[i + 1])))
                    return usage("label '%s': %s", argv[i + 1], msg);
                APR_ARRAY_PUSH(labels, const char *) = argv[++i];
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return usage("unknown option '%s'", argv[i]);
        } else if (n < 4) {
            pos[n++] = argv[i];
        } else {
            return usage("check takes LOGIN TYPE NAME LEVEL");
        }
    }
    if (n != 4)
        return usage("check needs LOGIN TYPE NAME|* read|edit|admin");
    if (iam_level_parse(pos[3], &need))
        return usage("'%s' is not a level (read, edit or admin)", pos[3]);
    if ((msg = iam_check_resource_type(pos[1])))
        return usage("type '%s' %s", pos[1], msg);
    if (strcmp(pos[2], "*") && (msg = iam_check_resource_name(pos[2])))
        return usage("resource '%s' %s", pos[2], msg);
    if (open_store(c, IAM_OPEN_RDONLY) || load_info(c, &info))
        return EXIT_FAILURE;
    res.type = pos[1];
    res.name = strcmp(pos[2], "*") ? pos[2] : NULL;
    res.nlabels = labels->nelts;
    res.labels = (const char **)labels->elts;
    switch (iam_store_subject(c->st, c->p, pos[0], &info.roles, &subj, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
        printf("deny: '%s' is not a member of the workspace\n", pos[0]);
        return EXIT_DENY;
    default: return store_error(&err);
    }
    d = iam_policy_decide(&info.roles, info.plan, subj.sets, subj.nsets, &res, need);
    printf("%s\n", iam_policy_explain(&d, why, sizeof(why)));
    return d.allow ? 0 : EXIT_DENY;
}

/* The audit trail, newest first. */
static int cmd_audit(ctl_t *c, int argc, char **argv)
{
    int bad = 0, json, limit = 50, i, rc;
    const char *lim = take_opt(&argc, argv, "--limit", &bad);
    apr_array_header_t *list;
    iam_err_t err;

    json = take_flag(&argc, argv, "--json");
    if (bad || (lim && ((limit = atoi(lim)) < 1 || limit > 100000)))
        return usage("--limit needs a number from 1 to 100000");
    if ((rc = unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return usage("audit takes no arguments");
    if (open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_audit_list(c->st, c->p, 0, limit, &list, &err) != IAM_OK)
        return store_error(&err);
    if (json) {
        json_t *a = json_array();
        for (i = 0; i < list->nelts; i++)
            append(&a, iam_json_audit(c->p, APR_ARRAY_IDX(list, i, iam_audit_t *)));
        return print_json(a);
    }
    for (i = 0; i < list->nelts; i++) {
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        printf("%s %-20s %-22s %s\n    before: %s\n    after:  %s\n", iam_time_text(c->p, a->time),
               a->actor, a->action, a->target, *a->before ? a->before : "-",
               *a->after ? a->after : "-");
    }
    return 0;
}

/* Reads every record and cross-reference; exit 1 if anything is wrong.
 * Warnings (what decisions ignore) leave the exit status 0. */
static int cmd_verify(ctl_t *c, int argc, char **argv)
{
    iam_verify_t v;
    iam_err_t err;
    int i, rc;

    if ((rc = unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return usage("verify takes no arguments");
    if (become_store_owner(c->dir))
        return EXIT_FAILURE;
    if (!c->st && iam_store_open(&c->st, c->dir, c->mapsize, IAM_OPEN_RDONLY, c->p, &err) != IAM_OK) {
        /* a store too damaged to open (a data file cut short) is damage */
        if (err.status != IAM_CORRUPT && err.status != IAM_VERSION)
            return store_error(&err);
        printf("damage: %s\n%s: cannot be read: 1 problem\n", err.msg, c->dir);
        return EXIT_FAILURE;
    }
    if (iam_store_verify(c->st, c->p, &v, &err) != IAM_OK)
        return store_error(&err);
    for (i = 0; i < v.problems->nelts; i++)
        printf("damage: %s\n", APR_ARRAY_IDX(v.problems, i, const char *));
    if (v.nproblems > v.problems->nelts)
        printf("damage: ... and %ld more\n", v.nproblems - v.problems->nelts);
    for (i = 0; i < v.warnings->nelts; i++)
        printf("warning: %s\n", APR_ARRAY_IDX(v.warnings, i, const char *));
    if (v.nwarnings > v.warnings->nelts)
        printf("warning: ... and %ld more\n", v.nwarnings - v.warnings->nelts);
    printf("%s: %ld members, %ld groups, %ld memberships, %ld requests, %ld audit entries, %ld "
           "tokens: %s%s\n",
           c->dir, v.members, v.groups, v.links, v.requests, v.audit, v.tokens,
           v.nproblems ? apr_psprintf(c->p, "%ld problems", v.nproblems) : "no damage",
           v.nwarnings ? apr_psprintf(c->p, ", %ld warnings", v.nwarnings) : "");
    return v.nproblems ? EXIT_FAILURE : 0;
}

/* ---- main ---- */

/* Who runs iamctl, as the audit trail names them: the sudo user if any. */
static const char *actor_name(apr_pool_t *p)
{
    const char *sudo = getenv("SUDO_USER");
    struct passwd *pw = getpwuid(getuid());

    if (sudo && *sudo && !iam_check_login(sudo))
        return apr_pstrcat(p, "iamctl:", sudo, NULL);
    return apr_pstrcat(p, "iamctl:", pw ? pw->pw_name : apr_ltoa(p, (long)getuid()), NULL);
}

int main(int argc, char **argv)
{
    ctl_t c;
    const char *cmd, *dir = NULL, *msg;
    int i, rc;
    iam_err_t err;

    apr_app_initialize(&argc, (const char *const **)&argv, NULL);
    atexit(apr_terminate);
    memset(&c, 0, sizeof(c));
    apr_pool_create(&c.p, NULL);
    c.dir = getenv("IAM_STORE") ? getenv("IAM_STORE") : IAM_STORE_DEFAULT_DIR;
    c.actor = actor_name(c.p);
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return usage("%s needs a value", a);
        if (!strcmp(a, "-d")) {
            dir = argv[++i];
        } else if (!strcmp(a, "-f")) {
            c.conf_file = argv[++i];
        } else if (!strcmp(a, "-m")) {
            if (iam_parse_size(argv[++i], &c.mapsize))
                return usage("-m: '%s' is not a size from 1M to 1T", argv[i]);
        } else if (!strcmp(a, "--plan")) {
            if (iam_plan_parse(argv[++i], &c.plan))
                return usage("--plan: '%s' is not free, team or business", argv[i]);
            c.has_plan = 1;
        } else {
            return usage("unknown option '%s'", a);
        }
    }
    if (i >= argc && !c.has_plan)
        return usage(NULL);
    if (c.conf_file) {
        c.conf = apr_pcalloc(c.p, sizeof(*c.conf));
        if ((msg = iam_httpdconf_read(c.p, c.conf_file, c.conf)))
            return error("%s", msg);
        if (c.has_plan)
            return usage("--plan: with -f the plan is IAMPlan's in %s", c.conf_file);
        c.dir = c.conf->store_dir ? c.conf->store_dir : IAM_STORE_DEFAULT_DIR;
        /* the file's settings belong to the file's store, no other */
        if (dir && strcmp(dir, c.dir))
            return usage("-d %s: with -f the store is the one %s names (%s)", dir, c.conf_file,
                         c.dir);
        if (!c.mapsize)
            c.mapsize = c.conf->mapsize;
    } else if (dir) {
        c.dir = dir;
    }
    cmd = i < argc ? argv[i++] : "";
    argc -= i;
    argv += i;
    if (c.has_plan && strcmp(cmd, "import")) {
        /* --plan records the plan of a store no server has opened. */
        if (open_store(&c, !strcmp(cmd, "init") ? IAM_OPEN_CREATE : 0))
            return EXIT_FAILURE;
        if (iam_store_set_plan(c.st, c.actor, c.plan, 0, &err) != IAM_OK)
            return store_error(&err);
        if (!*cmd) {
            printf("plan of %s set to %s\n", c.dir, iam_plan_name(c.plan));
            return 0;
        }
    }
    if (!strcmp(cmd, "init"))
        rc = cmd_init(&c, argc, argv);
    else if (!strcmp(cmd, "member"))
        rc = cmd_member(&c, argc, argv);
    else if (!strcmp(cmd, "grant"))
        rc = cmd_grant(&c, argc, argv, 0);
    else if (!strcmp(cmd, "revoke"))
        rc = cmd_grant(&c, argc, argv, 1);
    else if (!strcmp(cmd, "group"))
        rc = cmd_group(&c, argc, argv);
    else if (!strcmp(cmd, "roles"))
        rc = cmd_roles(&c, argc, argv);
    else if (!strcmp(cmd, "export"))
        rc = cmd_export(&c, argc, argv);
    else if (!strcmp(cmd, "import"))
        rc = cmd_import(&c, argc, argv);
    else if (!strcmp(cmd, "check"))
        rc = cmd_check(&c, argc, argv);
    else if (!strcmp(cmd, "audit"))
        rc = cmd_audit(&c, argc, argv);
    else if (!strcmp(cmd, "verify"))
        rc = cmd_verify(&c, argc, argv);
    else
        rc = usage("unknown command '%s'", cmd);
    fflush(stdout);
    if (ferror(stdout))
        return error("cannot write the output");
    return rc;
}
