/* iamctl: resource label | unlabel | list | show: the resources the
 * workspace knows (declared in httpd.conf, labelled here, named in a
 * grant) and the labels the workspace gives them. */
#include "iamctl_int.h"

static const char *from_text(const iam_known_t *k, int i)
{
    return k->from && k->from[i] ? "workspace" : "httpd.conf";
}

static const char *labels_line(apr_pool_t *p, const iam_known_t *k)
{
    const char *s = "";
    int i;

    for (i = 0; i < k->res.nlabels; i++)
        s = apr_pstrcat(p, s, i ? " " : "", k->res.labels[i], NULL);
    return *s ? s : "(no labels)";
}

static int resource_list(ctl_t *c, int argc, char **argv)
{
    int bad = 0, json = ctl_take_flag(&argc, argv, "--json"), i, rc;
    const char *type = ctl_take_opt(&argc, argv, "--type", &bad);
    const char *label = bad ? NULL : ctl_take_opt(&argc, argv, "--label", &bad);
    apr_array_header_t *list;
    const char *msg;
    iam_err_t err;
    json_t *a;

    if (bad)
        return ctl_usage("--type needs a TYPE and --label a KEY:VALUE");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return ctl_usage("resource list takes no arguments");
    if (type && (msg = iam_check_resource_type(type)))
        return ctl_usage("type '%s': %s", type, msg);
    if (label && (msg = iam_check_label(label)))
        return ctl_usage("label '%s': %s", label, msg);
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_resources_known(c->st, c->p, type, label, &list, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json) {
        a = json_array();
        for (i = 0; i < list->nelts; i++)
            json_array_append_new(a,
                                  iam_json_resource(c->p, APR_ARRAY_IDX(list, i, iam_known_t *)));
        return ctl_print_json(a);
    }
    for (i = 0; i < list->nelts; i++) {
        const iam_known_t *k = APR_ARRAY_IDX(list, i, iam_known_t *);
        printf("%-12s %-24s %s\n", k->res.type, k->res.name, labels_line(c->p, k));
    }
    return 0;
}

static int resource_show(ctl_t *c, int json, const char *type, const char *name)
{
    iam_workspace_info_t info;
    apr_array_header_t *access;
    iam_known_t *k;
    iam_err_t err;
    json_t *o, *who;
    int i;

    if (ctl_open_store(c, IAM_OPEN_RDONLY) || ctl_load_info(c, &info))
        return EXIT_FAILURE;
    if (!iam_roles_has_type(&info.roles, type))
        return ctl_error("no role grants on resources of type '%s'", type);
    if (iam_resource_known(c->st, c->p, type, name, &k, &err) != IAM_OK ||
        iam_access_list(c->st, c->p, &info.roles, info.plan, &k->res, &access, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json) {
        o = iam_json_resource(c->p, k);
        who = json_array();
        for (i = 0; i < access->nelts; i++) {
            const iam_access_t *x = &APR_ARRAY_IDX(access, i, iam_access_t);
            json_array_append_new(
                who, json_pack("{s:s, s:s, s:s, s:s}", "kind", x->group ? "group" : "member",
                               "name", x->group ? x->group->name : x->member->login, "role",
                               x->role->name, "level", iam_level_name(x->level)));
        }
        json_object_set_new(o, "access", who);
        return ctl_print_json(o);
    }
    printf("%s %s\n", k->res.type, k->res.name);
    if (*k->path)
        printf("  httpd.conf: %s%s\n", k->path, k->templated ? " (template)" : "");
    for (i = 0; i < k->res.nlabels; i++)
        printf("  label %-28s from %s\n", k->res.labels[i], from_text(k, i));
    if (!k->res.nlabels)
        printf("  no labels\n");
    for (i = 0; i < access->nelts; i++) {
        const iam_access_t *x = &APR_ARRAY_IDX(access, i, iam_access_t);
        printf("  %-6s %-24s %-24s %s\n", x->group ? "group" : "member",
               x->group ? x->group->name : x->member->login, x->role->name,
               iam_level_name(x->level));
    }
    return 0;
}

/* label: the workspace's labels of the resource, with these on top (one
 * per key); unlabel: without these. */
static int resource_relabel(ctl_t *c, int unlabel, const char *type, const char *name, int argc,
                            char **argv)
{
    apr_array_header_t *now = apr_array_make(c->p, 8, sizeof(const char *));
    iam_resource_labels_t *given = NULL;
    const char *msg;
    iam_status_e rc;
    iam_err_t err;
    int i, j, found;

    if (argc < 1)
        return ctl_usage("resource %s needs TYPE NAME KEY:VALUE ...",
                         unlabel ? "unlabel" : "label");
    for (i = 0; i < argc; i++) {
        if ((msg = iam_check_label(argv[i])))
            return ctl_usage("label '%s': %s", argv[i], msg);
    }
    if (ctl_open_store(c, 0))
        return EXIT_FAILURE;
    rc = iam_store_resource_labels(c->st, c->p, type, name, &given, &err);
    if (rc != IAM_OK && rc != IAM_NOTFOUND)
        return ctl_store_error(&err);
    for (i = 0; given && i < given->nlabels; i++) {
        size_t k = strcspn(given->labels[i], ":") + 1;
        for (found = 0, j = 0; j < argc && !found; j++)
            found = unlabel ? !strcasecmp(argv[j], given->labels[i])
                            : !strncasecmp(argv[j], given->labels[i], k);
        if (!found)
            APR_ARRAY_PUSH(now, const char *) = given->labels[i];
    }
    for (j = 0; unlabel && j < argc; j++) {
        for (found = 0, i = 0; given && i < given->nlabels && !found; i++)
            found = !strcasecmp(argv[j], given->labels[i]);
        if (!found)
            return ctl_error("the workspace does not give %s '%s' the label %s (a label from "
                             "httpd.conf changes there)",
                             type, name, argv[j]);
    }
    for (j = 0; !unlabel && j < argc; j++)
        APR_ARRAY_PUSH(now, const char *) = argv[j];
    if (iam_store_resource_labels_set(c->st, c->actor, type, name, (const char *const *)now->elts,
                                      now->nelts, &err) != IAM_OK)
        return ctl_store_error(&err);
    printf("%s %s: %s\n", type, name,
           now->nelts ? apr_array_pstrcat(c->p, now, ' ') : "(no labels)");
    return 0;
}

int cmd_resource(ctl_t *c, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *msg;
    int json, rc;

    argc--;
    argv++;
    if (!strcmp(sub, "list"))
        return resource_list(c, argc, argv);
    if (strcmp(sub, "show") && strcmp(sub, "label") && strcmp(sub, "unlabel"))
        return ctl_usage("resource takes label, unlabel, list or show");
    json = ctl_take_flag(&argc, argv, "--json");
    if (json && strcmp(sub, "show"))
        return ctl_usage("--json is for resource list and show");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc < 2)
        return ctl_usage("resource %s needs TYPE NAME", sub);
    if ((msg = iam_check_resource_type(argv[0])))
        return ctl_usage("type '%s': %s", argv[0], msg);
    if ((msg = iam_check_resource_name(argv[1])))
        return ctl_usage("resource '%s': %s", argv[1], msg);
    if (!strcmp(sub, "show")) {
        if (argc != 2)
            return ctl_usage("resource show takes TYPE NAME");
        return resource_show(c, json, argv[0], argv[1]);
    }
    return resource_relabel(c, !strcmp(sub, "unlabel"), argv[0], argv[1], argc - 2, argv + 2);
}
