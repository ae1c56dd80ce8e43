/* iamctl: the command-line tool for a mod_iam store.
 *
 *   iamctl [-f HTTPD.CONF] [-d STORE] [-m SIZE] [--plan PLAN] COMMAND ...
 *
 * Exit status: 0 success (and `check` allowed), 1 error (one line on
 * stderr), 2 bad usage, 3 `check` denied. Every write is one store
 * transaction, so a refused or interrupted command changes nothing.
 *
 * This file reads the global options and runs the command; it holds what
 * every command uses: usage and errors, opening the store, the output in
 * JSON, the command line's options. The commands live beside it, one
 * file per family (iamctl_int.h names them). */

#include "iamctl_int.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: iamctl [-f HTTPD.CONF] [-d STORE] [--database CONNINFO] [-m SIZE]\n"
    "              [--plan free|team|business] COMMAND ...\n"
    "\n"
    "  init\n"
    "  member add LOGIN [--email EMAIL] [--name NAME] [--owner]\n"
    "  member invite EMAIL [--name NAME]\n"
    "  member list [--search TEXT] [--json]\n"
    "  member show LOGIN [--json]\n"
    "  member remove LOGIN\n"
    "  member suspend LOGIN\n"
    "  member resume LOGIN\n"
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
    "  log [--after N] [--limit N] [--json]\n"
    "  log status\n"
    "  log apply FILE|-\n"
    "  copy DIR\n"
    "  label create KEY:VALUE [--description TEXT]\n"
    "  label delete KEY:VALUE\n"
    "  label list [--json]\n"
    "  resource label TYPE NAME KEY:VALUE ...\n"
    "  resource unlabel TYPE NAME KEY:VALUE ...\n"
    "  resource list [--type TYPE] [--label KEY:VALUE] [--json]\n"
    "  resource show TYPE NAME [--json]\n"
    "  replica status\n"
    "  replica sync\n"
    "  replica snapshot [--keep N]\n"
    "\n"
    "STORE defaults to " IAM_STORE_DEFAULT_DIR ".\n"
    "-f reads the server's configuration (and its Includes) for IAMStore, IAMMapSize, IAMPlan,\n"
    "IAMRole and IAMLoginCase, and records them in the store as the server does at start-up.\n"
    "--database (or $IAM_DATABASE; else the one a replica store records): the workspace lives\n"
    "in that PostgreSQL database, every write goes through it, and the store is its replica.\n";

int ctl_usage(const char *fmt, ...)
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

int ctl_error(const char *fmt, ...)
{
    va_list ap;

    fputs("iamctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    return EXIT_FAILURE;
}

int ctl_store_error(const iam_err_t *err)
{
    return ctl_error("%s", err->msg);
}

/* Run as root on a store the Apache user owns, iamctl becomes that user:
 * the files it creates stay the server's, and root never opens a file in
 * a directory another user controls. */
int ctl_become_store_owner(const char *dir)
{
    struct stat sb;

    if (geteuid() != 0 || stat(dir, &sb) != 0 || sb.st_uid == 0)
        return 0;
    if (setgroups(0, NULL) != 0 || setgid(sb.st_gid) != 0 || setuid(sb.st_uid) != 0)
        return ctl_error("cannot switch to uid %ld, the owner of %s: %s", (long)sb.st_uid, dir,
                         strerror(errno));
    return 0;
}

int ctl_open_store(ctl_t *c, int flags)
{
    iam_err_t err;

    if (c->st) /* one environment per process, as LMDB asks */
        return 0;
    if (ctl_become_store_owner(c->dir))
        return EXIT_FAILURE;
    if (c->temp)
        flags = (flags & ~IAM_OPEN_RDONLY) | IAM_OPEN_CREATE | IAM_OPEN_NOSYNC;
    if (iam_store_open(&c->st, c->dir, c->mapsize, flags, c->p, &err) != IAM_OK)
        return ctl_store_error(&err);
    /* init makes the store a replica itself (ctl_init_database) */
    if (!c->init && ctl_follow_database(c))
        return EXIT_FAILURE;
    if (!c->conf)
        return 0;
    /* -f: the server's configuration rules. A command that writes first
     * records its plan, roles and login case, as the server does at
     * start-up, so it works (and agrees with the server) before Apache ever
     * started; one that reads takes them from the file (ctl_load_info). */
    iam_store_set_fold_case(c->st, c->conf->login_fold);
    if (!(flags & IAM_OPEN_RDONLY) &&
        iam_store_set_workspace(c->st, c->actor, c->conf->plan, &c->conf->roles,
                                c->conf->login_fold, &err) != IAM_OK)
        return ctl_error("recording what %s says: %s", c->conf_file, err.msg);
    return 0;
}

/* Prints and frees j; 1 when it could not be encoded (never a silent
 * partial export). */
int ctl_print_json(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

    json_decref(j);
    if (!s)
        return ctl_error("cannot encode the output as JSON");
    puts(s);
    free(s);
    return 0;
}

/* Appends v to a; a NULL v (a value jansson refused) poisons the array so
 * ctl_print_json fails. */
void ctl_append(json_t **a, json_t *v)
{
    if (!v || !*a || json_array_append_new(*a, v) != 0) {
        json_decref(*a);
        *a = NULL;
    }
}

int ctl_load_info(ctl_t *c, iam_workspace_info_t *info)
{
    iam_err_t err;

    if (iam_store_info(c->st, info, c->p, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (c->conf) { /* -f: the configuration's, whatever the store recorded */
        info->plan = c->conf->plan;
        info->roles = c->conf->roles;
    }
    return 0;
}

/* Options of the form --name VALUE; returns the value or NULL, and sets
 * *bad for a missing value, a value that is an option, or a repeat. Flags
 * are matched by ctl_take_flag. Positional words stay in argv (compacted). */
const char *ctl_take_opt(int *argc, char **argv, const char *name, int *bad)
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

int ctl_take_flag(int *argc, char **argv, const char *name)
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

int ctl_unknown_option(int argc, char **argv)
{
    int i;

    for (i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return ctl_usage("unknown option '%s'", argv[i]);
    }
    return 0;
}

/* ---- commands ---- */

static int cmd_init(ctl_t *c, int argc, char **argv)
{
    iam_workspace_info_t info;
    iam_err_t err;
    (void)argv;

    if (argc != 0)
        return ctl_usage("init takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_CREATE))
        return EXIT_FAILURE;
    if (c->database)
        return ctl_init_database(c);
    if (ctl_load_info(c, &info))
        return EXIT_FAILURE;
    if (iam_store_secret_make(c->st, &err) != IAM_OK) { /* the console's, made once */
        fprintf(stderr, "iamctl: %s\n", err.msg);
        return EXIT_FAILURE;
    }
    printf("store %s ready: plan %s, %d members, %d groups\n", c->dir, iam_plan_name(info.plan),
           info.members, info.groups);
    return 0;
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

/* Whether -d or -f names the store among the options before the command. */
static int store_named(int argc, char **argv)
{
    int i;

    for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "-f"))
            return 1;
    }
    return 0;
}

/* Reads the options before the command into *c (-f: the server's
 * configuration); *next is where the command is. -1 to go on, else the
 * exit status (after -h, or bad usage). */
static int global_options(ctl_t *c, int argc, char **argv, int *next)
{
    const char *dir = NULL, *msg;
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return ctl_usage("%s needs a value", a);
        if (!strcmp(a, "-d")) {
            dir = argv[++i];
        } else if (!strcmp(a, "--database")) {
            c->database = argv[++i];
        } else if (!strcmp(a, "-f")) {
            c->conf_file = argv[++i];
        } else if (!strcmp(a, "-m")) {
            if (iam_parse_size(argv[++i], &c->mapsize))
                return ctl_usage("-m: '%s' is not a size from 1M to 1T", argv[i]);
        } else if (!strcmp(a, "--plan")) {
            if (iam_plan_parse(argv[++i], &c->plan))
                return ctl_usage("--plan: '%s' is not free, team or business", argv[i]);
            c->has_plan = 1;
        } else {
            return ctl_usage("unknown option '%s'", a);
        }
    }
    *next = i;
    if (i >= argc && !c->has_plan)
        return ctl_usage(NULL);
    if (c->conf_file) {
        c->conf = apr_pcalloc(c->p, sizeof(*c->conf));
        if ((msg = iam_httpdconf_read(c->p, c->conf_file, c->conf)))
            return ctl_error("%s", msg);
        if (c->has_plan)
            return ctl_usage("--plan: with -f the plan is IAMPlan's in %s", c->conf_file);
        c->dir = c->conf->store_dir ? c->conf->store_dir : IAM_STORE_DEFAULT_DIR;
        /* the file's settings belong to the file's store, no other */
        if (dir && strcmp(dir, c->dir))
            return ctl_usage("-d %s: with -f the store is the one %s names (%s)", dir, c->conf_file,
                             c->dir);
        if (!c->mapsize)
            c->mapsize = c->conf->mapsize;
    } else if (dir) {
        c->dir = dir;
    }
    return -1;
}

/* Runs the command `cmd` on the words after it. */
static int run_command(ctl_t *c, const char *cmd, int argc, char **argv)
{
    if (!strcmp(cmd, "init"))
        return cmd_init(c, argc, argv);
    if (!strcmp(cmd, "member"))
        return cmd_member(c, argc, argv);
    if (!strcmp(cmd, "grant"))
        return cmd_grant(c, argc, argv, 0);
    if (!strcmp(cmd, "revoke"))
        return cmd_grant(c, argc, argv, 1);
    if (!strcmp(cmd, "group"))
        return cmd_group(c, argc, argv);
    if (!strcmp(cmd, "roles"))
        return cmd_roles(c, argc, argv);
    if (!strcmp(cmd, "export"))
        return cmd_export(c, argc, argv);
    if (!strcmp(cmd, "import"))
        return cmd_import(c, argc, argv);
    if (!strcmp(cmd, "check"))
        return cmd_check(c, argc, argv);
    if (!strcmp(cmd, "audit"))
        return cmd_audit(c, argc, argv);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(c, argc, argv);
    if (!strcmp(cmd, "log"))
        return cmd_log(c, argc, argv);
    if (!strcmp(cmd, "copy"))
        return cmd_copy(c, argc, argv);
    if (!strcmp(cmd, "replica"))
        return cmd_replica(c, argc, argv);
    if (!strcmp(cmd, "label"))
        return cmd_label(c, argc, argv);
    if (!strcmp(cmd, "resource"))
        return cmd_resource(c, argc, argv);
    return ctl_usage("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    ctl_t c;
    const char *cmd;
    int i = 0, rc;
    iam_err_t err;

    apr_app_initialize(&argc, (const char *const **)&argv, NULL);
    atexit(apr_terminate);
    memset(&c, 0, sizeof(c));
    apr_pool_create(&c.p, NULL);
    c.dir = getenv("IAM_STORE") ? getenv("IAM_STORE") : IAM_STORE_DEFAULT_DIR;
    c.database = getenv("IAM_DATABASE") && *getenv("IAM_DATABASE") ? getenv("IAM_DATABASE") : NULL;
    c.actor = actor_name(c.p);
    if ((rc = global_options(&c, argc, argv, &i)) >= 0)
        return rc;
    /* a database and no store named: work on a temporary replica */
    c.temp = c.database && !store_named(argc, argv) && !getenv("IAM_STORE");
    if (c.temp && (rc = ctl_temp_replica(&c)) != 0)
        return rc;
    cmd = i < argc ? argv[i++] : "";
    c.init = !strcmp(cmd, "init");
    argc -= i;
    argv += i;
    if (c.has_plan && strcmp(cmd, "import")) {
        /* --plan records the plan of a store no server has opened. */
        if (ctl_open_store(&c, !strcmp(cmd, "init") ? IAM_OPEN_CREATE : 0))
            return EXIT_FAILURE;
        if (iam_store_set_plan(c.st, c.actor, c.plan, 0, &err) != IAM_OK)
            return ctl_store_error(&err);
        if (!*cmd) {
            printf("plan of %s set to %s\n", c.dir, iam_plan_name(c.plan));
            return 0;
        }
    }
    rc = run_command(&c, cmd, argc, argv);
    fflush(stdout);
    if (ferror(stdout))
        return ctl_error("cannot write the output");
    return rc;
}
