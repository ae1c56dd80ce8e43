/* iamctl: what the store says: check (a decision and its reason), audit
 * (the trail, newest first), verify (every record and cross-reference). */

#include "iamctl_int.h"

int cmd_check(ctl_t *c, int argc, char **argv)
{
    apr_array_header_t *labels = apr_array_make(c->p, 4, sizeof(const char *));
    iam_workspace_info_t info;
    iam_resource_t res;
    const iam_resource_t *labelled;
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
                return ctl_usage("--label needs KEY:VALUE");
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
                if ((msg = iam_check_label(argv[i + 1])))
                    return ctl_usage("label '%s': %s", argv[i + 1], msg);
                APR_ARRAY_PUSH(labels, const char *) = argv[++i];
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return ctl_usage("unknown option '%s'", argv[i]);
        } else if (n < 4) {
            pos[n++] = argv[i];
        } else {
            return ctl_usage("check takes LOGIN TYPE NAME LEVEL");
        }
    }
    if (n != 4)
        return ctl_usage("check needs LOGIN TYPE NAME|* read|edit|admin");
    if (iam_level_parse(pos[3], &need))
        return ctl_usage("'%s' is not a level (read, edit or admin)", pos[3]);
    if ((msg = iam_check_resource_type(pos[1])))
        return ctl_usage("type '%s' %s", pos[1], msg);
    if (strcmp(pos[2], "*") && (msg = iam_check_resource_name(pos[2])))
        return ctl_usage("resource '%s' %s", pos[2], msg);
    if (ctl_open_store(c, IAM_OPEN_RDONLY) || ctl_load_info(c, &info))
        return EXIT_FAILURE;
    res.type = pos[1];
    res.name = strcmp(pos[2], "*") ? pos[2] : NULL;
    res.nlabels = labels->nelts;
    res.labels = (const char **)labels->elts;
    /* --label stands for httpd.conf's labels; without it, the ones the
     * server recorded (iam_resource_known), with the workspace's on top */
    if (res.name && !labels->nelts) {
        iam_known_t *k;
        if (iam_resource_known(c->st, c->p, res.type, res.name, &k, &err) != IAM_OK)
            return ctl_store_error(&err);
        labelled = &k->res;
    } else if (iam_resource_labelled(c->st, c->p, &res, &labelled, NULL, &err) != IAM_OK) {
        return ctl_store_error(&err);
    }
    switch (iam_store_subject(c->st, c->p, pos[0], &info.roles, &subj, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
        printf("deny: '%s' is not a member of the workspace\n", pos[0]);
        return EXIT_DENY;
    default: return ctl_store_error(&err);
    }
    d = iam_policy_decide(&info.roles, info.plan, subj.sets, subj.nsets, labelled, need);
    printf("%s\n", iam_policy_explain(&d, why, sizeof(why)));
    return d.allow ? 0 : EXIT_DENY;
}

/* The audit trail, newest first. */
int cmd_audit(ctl_t *c, int argc, char **argv)
{
    int bad = 0, json, limit = 50, i, rc;
    const char *lim = ctl_take_opt(&argc, argv, "--limit", &bad);
    apr_array_header_t *list;
    iam_err_t err;

    json = ctl_take_flag(&argc, argv, "--json");
    if (bad || (lim && ((limit = atoi(lim)) < 1 || limit > 100000)))
        return ctl_usage("--limit needs a number from 1 to 100000");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return ctl_usage("audit takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_audit_list(c->st, c->p, 0, limit, &list, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (json) {
        json_t *a = json_array();
        for (i = 0; i < list->nelts; i++)
            ctl_append(&a, iam_json_audit(c->p, APR_ARRAY_IDX(list, i, iam_audit_t *)));
        return ctl_print_json(a);
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
int cmd_verify(ctl_t *c, int argc, char **argv)
{
    iam_verify_t v;
    iam_err_t err;
    int i, rc;

    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return ctl_usage("verify takes no arguments");
    if (ctl_become_store_owner(c->dir))
        return EXIT_FAILURE;
    if (!c->st &&
        iam_store_open(&c->st, c->dir, c->mapsize, IAM_OPEN_RDONLY, c->p, &err) != IAM_OK) {
        /* a store too damaged to open (a data file cut short) is damage */
        if (err.status != IAM_CORRUPT && err.status != IAM_VERSION)
            return ctl_store_error(&err);
        printf("damage: %s\n%s: cannot be read: 1 problem\n", err.msg, c->dir);
        return EXIT_FAILURE;
    }
    if (iam_store_verify(c->st, c->p, &v, &err) != IAM_OK)
        return ctl_store_error(&err);
    for (i = 0; i < v.problems->nelts; i++)
        printf("damage: %s\n", APR_ARRAY_IDX(v.problems, i, const char *));
    if (v.nproblems > v.problems->nelts)
        printf("damage: ... and %ld more\n", v.nproblems - v.problems->nelts);
    for (i = 0; i < v.warnings->nelts; i++)
        printf("warning: %s\n", APR_ARRAY_IDX(v.warnings, i, const char *));
    if (v.nwarnings > v.warnings->nelts)
        printf("warning: ... and %ld more\n", v.nwarnings - v.warnings->nelts);
    printf("%s: %ld members, %ld groups, %ld memberships, %ld requests, %ld audit entries, %ld "
           "tokens, %ld log entries: %s%s\n",
           c->dir, v.members, v.groups, v.links, v.requests, v.audit, v.tokens, v.log,
           v.nproblems ? apr_psprintf(c->p, "%ld problems", v.nproblems) : "no damage",
           v.nwarnings ? apr_psprintf(c->p, ", %ld warnings", v.nwarnings) : "");
    return v.nproblems ? EXIT_FAILURE : 0;
}
