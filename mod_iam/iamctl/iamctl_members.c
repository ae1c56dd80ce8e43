/* iamctl: members (add, invite, list, show, remove), and grant and revoke
 * for members and groups. */

#include "iamctl_int.h"

/* member add LOGIN [--email EMAIL] [--name NAME] [--owner], or
 * member invite EMAIL [--name NAME]. */
static int member_add(ctl_t *c, const char *sub, int argc, char **argv)
{
    const char *email, *name;
    iam_err_t err;
    int bad = 0, owner, rc;

    email = ctl_take_opt(&argc, argv, "--email", &bad);
    name = ctl_take_opt(&argc, argv, "--name", &bad);
    owner = !strcmp(sub, "add") && ctl_take_flag(&argc, argv, "--owner");
    if (bad)
        return ctl_usage("--email and --name each needs a value, given once");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 1)
        return ctl_usage("member %s needs one %s", sub, strcmp(sub, "add") ? "EMAIL" : "LOGIN");
    if (!strcmp(sub, "invite")) {
        if (email)
            return ctl_usage("member invite takes the email as its argument");
        email = argv[0];
    }
    if (ctl_open_store(c, 0))
        return EXIT_FAILURE;
    if (iam_store_member_add(c->st, c->actor, argv[0], email, name,
                             strcmp(sub, "add") ? IAM_INVITED : IAM_ACTIVE, owner, &err) != IAM_OK)
        return ctl_store_error(&err);
    printf("%s %s%s\n", strcmp(sub, "add") ? "invited" : "added", argv[0],
           owner ? " as Workspace Owner" : "");
    return 0;
}

/* member list [--search TEXT] [--json] */
static int member_list(ctl_t *c, int argc, char **argv)
{
    const char *search;
    apr_array_header_t *list;
    iam_workspace_info_t info;
    iam_err_t err;
    int bad = 0, json, rc, i;

    search = ctl_take_opt(&argc, argv, "--search", &bad);
    json = ctl_take_flag(&argc, argv, "--json");
    if (bad)
        return ctl_usage("--search needs a value");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return ctl_usage("member list takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY) || ctl_load_info(c, &info))
        return EXIT_FAILURE;
    if (iam_store_member_list(c->st, c->p, search, 0, 0, &list, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json) {
        json_t *a = json_array();
        for (i = 0; i < list->nelts; i++)
            ctl_append(&a, iam_json_member(c->p, APR_ARRAY_IDX(list, i, iam_member_t *)));
        return ctl_print_json(a);
    }
    for (i = 0; i < list->nelts; i++) {
        iam_member_t *m = APR_ARRAY_IDX(list, i, iam_member_t *);
        printf("%-24s %-9s %-30s %-20s roles=%s groups=%s\n", m->login,
               iam_member_status_name(m->status), m->email[0] ? m->email : "-",
               m->name[0] ? m->name : "-", iam_roles_summary(c->p, &info.roles, m),
               iam_names_text(c->p, m->groups));
    }
    return 0;
}

/* member show LOGIN [--json]: the record, then every grant, direct or
 * through a group. */
static int member_show(ctl_t *c, int argc, char **argv)
{
    iam_member_t *m;
    iam_workspace_info_t info;
    iam_err_t err;
    int json, rc, i, j;

    json = ctl_take_flag(&argc, argv, "--json");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 1)
        return ctl_usage("member show needs one LOGIN");
    if (ctl_open_store(c, IAM_OPEN_RDONLY) || ctl_load_info(c, &info))
        return EXIT_FAILURE;
    if (iam_store_member_get(c->st, c->p, argv[0], &m, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json)
        return ctl_print_json(iam_json_member(c->p, m));
    printf("login:   %s\nemail:   %s\nname:    %s\nstatus:  %s\nowner:   %s\npii:     "
           "%s\ncreated: %s\ngroups:  %s\ngrants:\n",
           m->login, m->email, m->name, iam_member_status_name(m->status),
           iam_grants_owner(m->grants) ? "yes" : "no", m->pii ? "yes" : "no",
           iam_time_text(c->p, m->created), iam_names_text(c->p, m->groups));
    for (i = 0; i < m->grants->nelts; i++)
        printf("  %s (direct)\n",
               iam_grant_text(c->p, &info.roles, &APR_ARRAY_IDX(m->grants, i, iam_grant_t)));
    for (i = 0; i < m->groups->nelts; i++) {
        const char *gname = APR_ARRAY_IDX(m->groups, i, const char *);
        iam_group_t *g;
        if (iam_store_group_get(c->st, c->p, gname, &g, &err) != IAM_OK)
            return ctl_store_error(&err);
        for (j = 0; j < g->grants->nelts; j++)
            printf("  %s (through group %s)\n",
                   iam_grant_text(c->p, &info.roles, &APR_ARRAY_IDX(g->grants, j, iam_grant_t)),
                   g->name);
    }
    if (!m->grants->nelts && !m->groups->nelts)
        printf("  Workspace Member (minimal workspace access)\n");
    return 0;
}

/* member remove|suspend|resume LOGIN */
static int member_change(ctl_t *c, const char *sub, int argc, char **argv)
{
    iam_err_t err;
    iam_status_e rc;
    int urc;

    if ((urc = ctl_unknown_option(argc, argv)))
        return urc;
    if (argc != 1)
        return ctl_usage("member %s needs one LOGIN", sub);
    if (ctl_open_store(c, 0))
        return EXIT_FAILURE;
    rc = !strcmp(sub, "remove")
             ? iam_store_member_remove(c->st, c->actor, argv[0], &err)
             : iam_store_member_suspend(c->st, c->actor, argv[0], !strcmp(sub, "suspend"), &err);
    if (rc != IAM_OK)
        return ctl_store_error(&err);
    printf("%s %s\n",
           !strcmp(sub, "remove")    ? "removed"
           : !strcmp(sub, "suspend") ? "suspended"
                                     : "resumed",
           argv[0]);
    return 0;
}

int cmd_member(ctl_t *c, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";

    argc--;
    argv++;
    if (!strcmp(sub, "add") || !strcmp(sub, "invite"))
        return member_add(c, sub, argc, argv);
    if (!strcmp(sub, "list"))
        return member_list(c, argc, argv);
    if (!strcmp(sub, "show"))
        return member_show(c, argc, argv);
    if (!strcmp(sub, "remove") || !strcmp(sub, "suspend") || !strcmp(sub, "resume"))
        return member_change(c, sub, argc, argv);
    return ctl_usage(*sub ? "unknown member command '%s'" : "member needs a command", sub);
}

/* grant|revoke (--member LOGIN | --group NAME) ROLE [--all | --resource N ... | --label L ...] */
int cmd_grant(ctl_t *c, int argc, char **argv, int revoke)
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
                return ctl_usage("%s needs exactly one of --member LOGIN or --group NAME", verb);
            group = !strcmp(a, "--group");
            who = argv[++i];
        } else if (!strcmp(a, "--all")) {
            all = 1;
        } else if (!strcmp(a, "--resource") || !strcmp(a, "--label")) {
            iam_scope_e scope = !strcmp(a, "--label") ? IAM_SCOPE_LABELS : IAM_SCOPE_RESOURCES;
            if (i + 1 >= argc)
                return ctl_usage("%s needs a value", a);
            if (items->nelts && g.scope != scope)
                return ctl_usage("a grant has one scope: --all, --resource or --label");
            g.scope = scope;
            /* --resource a b c: every following word up to the next option */
            if (!strncmp(argv[i + 1], "--", 2))
                return ctl_usage("%s needs a value", a);
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2))
                APR_ARRAY_PUSH(items, const char *) = argv[++i];
        } else if (a[0] == '-' && a[1] == '-') {
            return ctl_usage("unknown option '%s'", a);
        } else if (!role) {
            role = a;
        } else {
            return ctl_usage("%s takes one ROLE (got '%s' and '%s')", verb, role, a);
        }
    }
    kinds = all + (items->nelts > 0);
    if (!who || !role)
        return ctl_usage("%s needs --member LOGIN or --group NAME, and a ROLE", verb);
    if (kinds > 1)
        return ctl_usage("a grant has one scope: --all, --resource or --label");
    if (ctl_open_store(c, 0))
        return EXIT_FAILURE;
    if (kinds == 0) {
        /* No scope: revoke removes every grant of the role; grant gives
         * all-only roles on all, and asks for a scope otherwise. */
        iam_workspace_info_t info;
        const iam_role_t *r;
        if (ctl_load_info(c, &info))
            return EXIT_FAILURE;
        r = iam_roles_find(&info.roles, role);
        if (revoke)
            whole = 1;
        else if (r && !r->all_only)
            return ctl_usage(
                "%s is granted per resource: add --all, --resource NAME ... or --label "
                "KEY:VALUE ...",
                r->name);
    }
    g.role = role;
    g.nitems = items->nelts;
    g.items = (const char **)items->elts;
    st = revoke ? iam_store_revoke(c->st, c->actor, group, who, &g, whole, &err)
                : iam_store_grant(c->st, c->actor, group, who, &g, &err);
    if (st != IAM_OK)
        return ctl_store_error(&err);
    printf("%s %s %s %s\n", revoke ? "revoked" : "granted", role, revoke ? "from" : "to", who);
    return 0;
}
