/* iamctl: export (the whole store as JSON) and import (an export, read
 * strictly, into an empty store). */

#include "iamctl_int.h"

/* The version of the export's JSON (not of the store's format). */
#define EXPORT_VERSION 1

/* The labels the workspace made and those it gave resources, into the
 * export (only when there are some: an export without them is as before). */
static int export_labels(ctl_t *c, json_t *out)
{
    apr_array_header_t *labels, *res;
    json_t *la = json_array(), *ra = json_array();
    iam_err_t err;
    int i, j;

    if (iam_store_label_list(c->st, c->p, &labels, &err) != IAM_OK ||
        iam_store_resource_list(c->st, c->p, NULL, NULL, &res, &err) != IAM_OK) {
        json_decref(la);
        json_decref(ra);
        json_decref(out);
        return ctl_store_error(&err);
    }
    for (i = 0; i < labels->nelts; i++) {
        const iam_label_t *l = APR_ARRAY_IDX(labels, i, iam_label_t *);
        if (l->made)
            json_array_append_new(
                la, json_pack("{s:s, s:s}", "label", l->label, "description", l->description));
    }
    for (i = 0; i < res->nelts; i++) {
        const iam_resource_labels_t *r = APR_ARRAY_IDX(res, i, iam_resource_labels_t *);
        json_t *names = json_array();
        for (j = 0; j < r->nlabels; j++)
            json_array_append_new(names, json_string(r->labels[j]));
        json_array_append_new(
            ra, json_pack("{s:s, s:s, s:o}", "type", r->type, "name", r->name, "labels", names));
    }
    if (json_array_size(la))
        json_object_set(out, "labels", la);
    if (json_array_size(ra))
        json_object_set(out, "resources", ra);
    json_decref(la);
    json_decref(ra);
    return 0;
}

int cmd_export(ctl_t *c, int argc, char **argv)
{
    apr_array_header_t *members, *groups;
    json_t *out, *ma, *ga;
    iam_plan_e plan;
    iam_err_t err;
    int i;

    (void)argv;
    if (argc != 0)
        return ctl_usage("export takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_dump(c->st, c->p, &plan, &members, &groups, &err) != IAM_OK)
        return ctl_store_error(&err);
    ma = json_array();
    ga = json_array();
    for (i = 0; i < members->nelts; i++)
        ctl_append(&ma, iam_json_member(c->p, APR_ARRAY_IDX(members, i, iam_member_t *)));
    for (i = 0; i < groups->nelts; i++)
        ctl_append(&ga, iam_json_group(c->p, APR_ARRAY_IDX(groups, i, iam_group_t *), 0));
    if (!ma || !ga) {
        json_decref(ma);
        json_decref(ga);
        return ctl_print_json(NULL);
    }
    /* "o" steals ga and ma, also when json_pack fails */
    out = json_pack("{s:s, s:i, s:s, s:o, s:o}", "format", "mod_iam-export", "version",
                    EXPORT_VERSION, "plan", iam_plan_name(plan), "groups", ga, "members", ma);
    if (out && export_labels(c, out))
        return EXIT_FAILURE;
    return ctl_print_json(out);
}

/* ---- import: strict reading of an export ---- */

/* Group i (from 0) of an export; NULL or what is wrong with it. */
static const char *read_export_group(apr_pool_t *p, json_t *o, size_t i, iam_group_t **out)
{
    iam_group_t *g = apr_pcalloc(p, sizeof(*g));
    const char *s, *err;

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
    *out = g;
    return NULL;
}

/* Member i (from 0) of an export; NULL or what is wrong with it. */
static const char *read_export_member(apr_pool_t *p, json_t *o, size_t i, iam_member_t **out)
{
    iam_member_t *m = apr_pcalloc(p, sizeof(*m));
    json_t *ga = json_object_get(o, "groups"), *gn;
    const char *s, *err;
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
    m->status = IAM_ACTIVE;
    if (s && iam_member_status_parse(s, &m->status))
        return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": unknown status \"%s\"", i + 1, s);
    if ((err = iam_json_get_str(o, "created", 0, &s, p)))
        return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": %s", i + 1, err);
    m->created = iam_time_parse(s);
    m->groups = apr_array_make(p, 4, sizeof(const char *));
    if (ga && !json_is_array(ga))
        return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": \"groups\" must be an array", i + 1);
    json_array_foreach(ga, j, gn)
    {
        if (!json_is_string(gn))
            return apr_psprintf(p, "member %" APR_SIZE_T_FMT ": group names must be strings",
                                i + 1);
        APR_ARRAY_PUSH(m->groups, const char *) = apr_pstrdup(p, json_string_value(gn));
    }
    *out = m;
    return NULL;
}

/* The labels and labelled resources of an export (both optional). */
static const char *read_export_labels(apr_pool_t *p, json_t *root, apr_array_header_t **labels,
                                      apr_array_header_t **resources)
{
    json_t *a = json_object_get(root, "labels"), *o, *names, *n;
    const char *err;
    size_t i, j;

    *labels = apr_array_make(p, 8, sizeof(iam_label_t *));
    *resources = apr_array_make(p, 8, sizeof(iam_resource_labels_t *));
    if (a && !json_is_array(a))
        return "\"labels\" must be an array";
    json_array_foreach(a, i, o)
    {
        iam_label_t *l = apr_pcalloc(p, sizeof(*l));
        if (!json_is_object(o))
            return "a label must be an object";
        if ((err = iam_json_get_str(o, "label", 1, &l->label, p)) ||
            (err = iam_json_get_str(o, "description", 0, &l->description, p)))
            return apr_psprintf(p, "label %" APR_SIZE_T_FMT ": %s", i + 1, err);
        APR_ARRAY_PUSH(*labels, iam_label_t *) = l;
    }
    a = json_object_get(root, "resources");
    if (a && !json_is_array(a))
        return "\"resources\" must be an array";
    json_array_foreach(a, i, o)
    {
        iam_resource_labels_t *r = apr_pcalloc(p, sizeof(*r));
        if (!json_is_object(o))
            return "a resource must be an object";
        if ((err = iam_json_get_str(o, "type", 1, &r->type, p)) ||
            (err = iam_json_get_str(o, "name", 1, &r->name, p)))
            return apr_psprintf(p, "resource %" APR_SIZE_T_FMT ": %s", i + 1, err);
        names = json_object_get(o, "labels");
        if (!json_is_array(names) || json_array_size(names) > IAM_RESOURCE_LABELS_MAX)
            return apr_psprintf(p,
                                "resource %" APR_SIZE_T_FMT ": \"labels\" must be an array of "
                                "at most %d labels",
                                i + 1, IAM_RESOURCE_LABELS_MAX);
        r->labels = apr_pcalloc(p, sizeof(char *) * (json_array_size(names) + 1));
        json_array_foreach(names, j, n)
        {
            if (!json_is_string(n))
                return apr_psprintf(p, "resource %" APR_SIZE_T_FMT ": labels must be strings",
                                    i + 1);
            r->labels[r->nlabels++] = apr_pstrdup(p, json_string_value(n));
        }
        APR_ARRAY_PUSH(*resources, iam_resource_labels_t *) = r;
    }
    return NULL;
}

/* The plan, members and groups of an export; NULL or what is wrong with
 * it (the first thing). Nothing read points into root. */
static const char *read_export(apr_pool_t *p, json_t *root, iam_plan_e *plan,
                               apr_array_header_t **members, apr_array_header_t **groups)
{
    json_t *a, *o;
    iam_group_t *g = NULL;
    iam_member_t *m = NULL;
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
        if ((err = read_export_group(p, o, i, &g)))
            return err;
        APR_ARRAY_PUSH(*groups, iam_group_t *) = g;
    }
    a = json_object_get(root, "members");
    if (!json_is_array(a))
        return "\"members\" must be an array";
    json_array_foreach(a, i, o)
    {
        if ((err = read_export_member(p, o, i, &m)))
            return err;
        APR_ARRAY_PUSH(*members, iam_member_t *) = m;
    }
    return NULL;
}

int cmd_import(ctl_t *c, int argc, char **argv)
{
    json_error_t jerr;
    json_t *root;
    apr_array_header_t *members = NULL, *groups = NULL, *labels = NULL, *resources = NULL;
    iam_plan_e plan;
    iam_err_t err;
    const char *msg;

    if (argc != 1)
        return ctl_usage("import needs one FILE ('-' for standard input)");
    root = !strcmp(argv[0], "-") ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
                                 : json_load_file(argv[0], JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ctl_error("%s: line %d: %s", argv[0], jerr.line, jerr.text);
    msg = read_export(c->p, root, &plan, &members, &groups);
    if (!msg)
        msg = read_export_labels(c->p, root, &labels, &resources);
    json_decref(root);
    if (msg)
        return ctl_error("%s: %s", argv[0], msg);
    if (c->has_plan)
        plan = c->plan;
    if (ctl_open_store(c, IAM_OPEN_CREATE))
        return EXIT_FAILURE;
    if (iam_store_import_all(c->st, c->actor, plan, members, groups, labels, resources, &err) !=
        IAM_OK)
        return ctl_error("%s: %s; nothing was imported", argv[0], err.msg);
    printf("imported %d members and %d groups\n", members->nelts, groups->nelts);
    return 0;
}
