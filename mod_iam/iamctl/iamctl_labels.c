/* iamctl: label create | delete | list, the workspace's own labels
 * (env:dev and env:prod are every workspace's). */
#include "iamctl_int.h"

static int label_list(ctl_t *c, int json, int argc)
{
    apr_array_header_t *list;
    iam_err_t err;
    json_t *a;
    int i;

    if (argc != 0)
        return ctl_usage("label list takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_label_list(c->st, c->p, &list, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json) {
        a = json_array();
        for (i = 0; i < list->nelts; i++) {
            const iam_label_t *l = APR_ARRAY_IDX(list, i, iam_label_t *);
            json_t *o = iam_json_label(c->p, l);
            json_array_append_new(a, o);
        }
        return ctl_print_json(a);
    }
    for (i = 0; i < list->nelts; i++) {
        const iam_label_t *l = APR_ARRAY_IDX(list, i, iam_label_t *);
        printf("%-30s %-10s %4d resources %4d%s grants  %s\n", l->label, iam_label_from(l),
               l->resources, l->grants, l->more ? "+" : "", l->description);
    }
    return 0;
}

int cmd_label(ctl_t *c, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : "", *description;
    iam_err_t err;
    int json, bad = 0, rc;

    argc--;
    argv++;
    json = ctl_take_flag(&argc, argv, "--json");
    description = ctl_take_opt(&argc, argv, "--description", &bad);
    if (bad)
        return ctl_usage("--description needs a TEXT");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (json && strcmp(sub, "list"))
        return ctl_usage("--json is for label list");
    if (description && strcmp(sub, "create"))
        return ctl_usage("--description is for label create");
    if (!strcmp(sub, "list"))
        return label_list(c, json, argc);
    if (strcmp(sub, "create") && strcmp(sub, "delete"))
        return ctl_usage("label takes create, delete or list");
    if (argc != 1)
        return ctl_usage("label %s needs one KEY:VALUE", sub);
    if (ctl_open_store(c, 0))
        return EXIT_FAILURE;
    if ((!strcmp(sub, "create")
             ? iam_store_label_create(c->st, c->actor, argv[0], description, &err)
             : iam_store_label_delete(c->st, c->actor, argv[0], &err)) != IAM_OK)
        return ctl_store_error(&err);
    printf("%s label %s\n", !strcmp(sub, "create") ? "created" : "deleted", argv[0]);
    return 0;
}
