/* iamctl: user groups (create, delete, add, remove, list, show), and the
 * role table. */

#include "iamctl_int.h"

/* group list [--json] */
static int group_list(ctl_t *c, int json, int argc)
{
    apr_array_header_t *list;
    iam_err_t err;
    int i;

    if (argc != 0)
        return ctl_usage("group list takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_group_list(c->st, c->p, &list, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json) {
        json_t *a = json_array();
        for (i = 0; i < list->nelts; i++)
            json_array_append_new(a,
                                  iam_json_group(c->p, APR_ARRAY_IDX(list, i, iam_group_t *), 0));
        return ctl_print_json(a);
    }
    for (i = 0; i < list->nelts; i++) {
        iam_group_t *g = APR_ARRAY_IDX(list, i, iam_group_t *);
        printf("%-30s %d member%s, %d grant%s\n", g->name, g->members->nelts,
               g->members->nelts == 1 ? "" : "s", g->grants->nelts,
               g->grants->nelts == 1 ? "" : "s");
    }
    return 0;
}

/* group show NAME [--json] */
static int group_show(ctl_t *c, int json, int argc, char **argv)
{
    iam_group_t *g;
    iam_workspace_info_t info;
    iam_err_t err;
    int i;

    if (argc != 1)
        return ctl_usage("group show needs one NAME");
    if (ctl_open_store(c, IAM_OPEN_RDONLY) || ctl_load_info(c, &info))
        return EXIT_FAILURE;
    if (iam_store_group_get(c->st, c->p, argv[0], &g, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json)
        return ctl_print_json(iam_json_group(c->p, g, 1));
    printf("name:    %s\npii:     %s\ncreated: %s\nmembers: %s\ngrants:\n", g->name,
           g->pii ? "yes" : "no", iam_time_text(c->p, g->created),
           iam_names_text(c->p, g->members));
    for (i = 0; i < g->grants->nelts; i++)
        printf("  %s\n",
               iam_grant_text(c->p, &info.roles, &APR_ARRAY_IDX(g->grants, i, iam_grant_t)));
    return 0;
}

int cmd_group(ctl_t *c, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "";
    iam_err_t err;
    int json, rc;

    argc--;
    argv++;
    json = ctl_take_flag(&argc, argv, "--json");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (json && strcmp(sub, "list") && strcmp(sub, "show"))
        return ctl_usage("--json is for group list and group show");
    if (!strcmp(sub, "create") || !strcmp(sub, "delete")) {
        if (argc != 1)
            return ctl_usage("group %s needs one NAME", sub);
        if (ctl_open_store(c, 0))
            return EXIT_FAILURE;
        if ((!strcmp(sub, "create")
                 ? iam_store_group_create(c->st, c->actor, argv[0], &err)
                 : iam_store_group_delete(c->st, c->actor, argv[0], &err)) != IAM_OK)
            return ctl_store_error(&err);
        printf("%s group %s\n", !strcmp(sub, "create") ? "created" : "deleted", argv[0]);
        return 0;
    }
    if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
        if (argc < 2)
            return ctl_usage("group %s needs NAME and at least one LOGIN", sub);
        if (ctl_open_store(c, 0))
            return EXIT_FAILURE;
        if (iam_store_group_members(c->st, c->actor, argv[0], !strcmp(sub, "add"),
                                    (const char *const *)argv + 1, argc - 1, &err) != IAM_OK)
            return ctl_store_error(&err);
        printf("%s %d member%s %s group %s\n", !strcmp(sub, "add") ? "added" : "removed", argc - 1,
               argc == 2 ? "" : "s", !strcmp(sub, "add") ? "to" : "from", argv[0]);
        return 0;
    }
    if (!strcmp(sub, "list"))
        return group_list(c, json, argc);
    if (!strcmp(sub, "show"))
        return group_show(c, json, argc, argv);
    return ctl_usage(*sub ? "unknown group command '%s'" : "group needs a command", sub);
}

int cmd_roles(ctl_t *c, int argc, char **argv)
{
    iam_workspace_info_t info;
    int json = ctl_take_flag(&argc, argv, "--json"), i, rc;

    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return ctl_usage("roles takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY) || ctl_load_info(c, &info))
        return EXIT_FAILURE;
    if (json) {
        json_t *a = json_array();
        for (i = 0; i < info.roles.n; i++)
            ctl_append(&a, iam_json_role(&info.roles.role[i], info.plan));
        return ctl_print_json(a);
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
