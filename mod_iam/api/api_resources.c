/* mod_iam API: resources. The list of every resource the workspace knows
 * (httpd.conf's entries and templates, the resources it labelled, those
 * grants name), one resource with who can reach it, and the labels the
 * workspace gives it (PUT: owners, and the resource's own admins). */

#include "iam_access.h"

#include "api_int.h"

static json_t *declared_json(const iam_resource_decl_t *d)
{
    json_t *labels = json_array();
    int j;

    for (j = 0; j < d->res.nlabels; j++)
        json_array_append_new(labels, json_string(d->res.labels[j]));
    return json_pack("{s:s, s:s, s:o, s:[], s:s, s:b, s:b, s:b, s:b}", "type", d->res.type, "name",
                     d->res.name ? d->res.name : "*", "labels", labels, "workspace_labels", "path",
                     d->path, "template", d->templated, "declared", 1, "labelled", 0, "granted", 0);
}

/* GET resources[?type=TYPE][&label=KEY:VALUE]: httpd.conf's entries in
 * its order (a named one as the workspace knows it), then the resources
 * only the workspace knows, by type and name. */
int api_list_resources(api_t *a)
{
    request_rec *r = a->w->r;
    const char *type = apr_table_get(a->w->query, "type");
    const char *label = apr_table_get(a->w->query, "label"), *e;
    apr_array_header_t *known, *rows;
    json_t *arr = json_array();
    iam_err_t err;
    int i;

    if (type && (e = iam_check_resource_type(type)))
        return api_bad(r, apr_psprintf(r->pool, "type '%s': %s", type, e));
    if (label && (e = iam_check_label(label)))
        return api_bad(r, apr_psprintf(r->pool, "label '%s': %s", label, e));
    if (iam_resources_known(a->w->st, r->pool, type, label, &known, &err) != IAM_OK)
        return api_store_error(r, &err);
    rows = iam_web_resource_rows(r->pool, a->w->ws, known, type, label);
    for (i = 0; i < rows->nelts; i++) {
        const iam_web_resource_row_t *row = &APR_ARRAY_IDX(rows, i, iam_web_resource_row_t);
        json_array_append_new(arr, row->decl ? declared_json(row->decl)
                                             : iam_json_resource(r->pool, row->known));
    }
    return api_send_json(r, HTTP_OK, json_pack("{s:o}", "resources", arr));
}

/* The resource of a path's "TYPE/NAME": OK and *out (NULL for the
 * collection: then *decl), or the answer already given. A resource is
 * one the workspace knows, or one a template of httpd.conf covers. */
static int find_resource(api_t *a, const char *rest, const char **type, const char **name,
                         iam_known_t **out, const iam_resource_decl_t **decl)
{
    request_rec *r = a->w->r;
    apr_array_header_t *decls;
    iam_err_t err;

    *out = NULL;
    *decl = NULL;
    if (!iam_web_type_name(r->pool, rest, type, name))
        return api_error(r, HTTP_NOT_FOUND, "not_found",
                         "use resources/TYPE/NAME (NAME * for the collection)");
    decls = iam_web_resource_decls(r->pool, a->w->ws, *type, *name);
    if (!strcmp(*name, "*")) {
        if (!decls->nelts)
            return api_error(
                r, HTTP_NOT_FOUND, "not_found",
                apr_psprintf(r->pool, "no collection of '%s' is declared in httpd.conf", *type));
        *decl = APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *);
        return OK;
    }
    if (iam_check_resource_type(*type) || iam_check_resource_name(*name) ||
        !iam_roles_has_type(iam_ws_roles(a->w->ws), *type))
        return api_error(r, HTTP_NOT_FOUND, "not_found",
                         apr_psprintf(r->pool, "no resource '%s %s'", *type, *name));
    if (iam_resource_known(a->w->st, r->pool, *type, *name, out, &err) != IAM_OK)
        return api_store_error(r, &err);
    if (!decls->nelts && !(*out)->labelled && !(*out)->granted)
        return api_error(r, HTTP_NOT_FOUND, "not_found",
                         apr_psprintf(r->pool,
                                      "no resource '%s %s': httpd.conf does not declare it, no "
                                      "template covers it, no label or grant names it",
                                      *type, *name));
    return OK;
}

/* GET resources/TYPE/NAME and resources/TYPE/NAME/access: the resource,
 * and who can reach it, at which level, through which grant
 * (iam_access_list, as on the console). */
int api_show_resource(api_t *a, const char *rest)
{
    request_rec *r = a->w->r;
    const char *type, *name;
    const iam_resource_decl_t *decl;
    const iam_resource_t *res;
    apr_array_header_t *list;
    iam_known_t *k;
    json_t *arr;
    iam_err_t err;
    int i, rc;

    if ((rc = find_resource(a, rest, &type, &name, &k, &decl)) != OK)
        return rc;
    res = k ? &k->res : &decl->res;
    if (iam_access_list(a->w->st, r->pool, iam_ws_roles(a->w->ws), iam_ws_plan(a->w->ws), res,
                        &list, &err) != IAM_OK)
        return api_store_error(r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++) {
        const iam_access_t *x = &APR_ARRAY_IDX(list, i, iam_access_t);
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:o}", "level", iam_level_name(x->level), "role",
                      x->role->slug, "role_name", x->role->name, "grant", iam_json_grant(x->grant));
        if (x->group)
            json_object_update_new(o, json_pack("{s:s, s:I}", "group", x->group->name, "members",
                                                (json_int_t)x->group_members));
        else
            json_object_update_new(o, json_pack("{s:s, s:s, s:s}", "member", x->member->login,
                                                "name", x->member->name, "status",
                                                iam_member_status_name(x->member->status)));
        json_array_append_new(arr, o);
    }
    return api_send_json(r, HTTP_OK,
                         json_pack("{s:o, s:o}", "resource",
                                   k ? iam_json_resource(r->pool, k) : declared_json(decl),
                                   "access", arr));
}

/* PUT resources/TYPE/NAME/labels {"labels": [...]}: the labels the
 * workspace gives the resource, all at once ([] takes them off). */
int api_put_resource_labels(api_t *a, const char *rest)
{
    static const char *const known[] = {"labels", NULL};
    request_rec *r = a->w->r;
    const char *type, *name, *e;
    apr_array_header_t *labels;
    iam_known_t *k;
    iam_err_t err;
    int rc;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    if (!iam_web_type_name(r->pool, rest, &type, &name) || !strcmp(name, "*"))
        return api_error(r, HTTP_NOT_FOUND, "not_found", "use resources/TYPE/NAME/labels");
    if ((e = api_unknown_field(r->pool, a->body, known)) ||
        (e = iam_json_get_names(a->body, "labels", r->pool, &labels)))
        return api_bad(r, e);
    if (!labels)
        return api_bad(r, "\"labels\" is required: the labels the workspace gives the resource");
    if (iam_store_resource_labels_set(a->w->st, a->w->actor, type, name,
                                      (const char *const *)labels->elts, labels->nelts,
                                      &err) != IAM_OK)
        return api_store_error(r, &err);
    if (iam_resource_known(a->w->st, r->pool, type, name, &k, &err) != IAM_OK)
        return api_store_error(r, &err);
    return api_send_json(r, HTTP_OK, json_pack("{s:o}", "resource", iam_json_resource(r->pool, k)));
}
