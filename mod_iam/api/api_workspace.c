/* mod_iam API: what the workspace is made of, read only: its roles, the
 * resources httpd.conf declares (and who can reach one), the audit trail. */

#include "iam_access.h"

#include "api_int.h"

int api_list_roles(api_t *a)
{
    json_t *arr = json_array();
    int i;

    for (i = 0; i < iam_ws_roles(a->w->ws)->n; i++)
        json_array_append_new(
            arr, iam_json_role(&iam_ws_roles(a->w->ws)->role[i], iam_ws_plan(a->w->ws)));
    return api_send_json(
        a->w->r, HTTP_OK,
        json_pack("{s:s, s:o}", "plan", iam_plan_name(iam_ws_plan(a->w->ws)), "roles", arr));
}

int api_list_resources(api_t *a)
{
    const apr_array_header_t *res = iam_ws_resources(a->w->ws);
    json_t *arr = json_array();
    int i, j;

    for (i = 0; i < res->nelts; i++) {
        const iam_resource_decl_t *d = APR_ARRAY_IDX(res, i, iam_resource_decl_t *);
        json_t *labels = json_array();
        for (j = 0; j < d->res.nlabels; j++)
            json_array_append_new(labels, json_string(d->res.labels[j]));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:s, s:b}", "type", d->res.type,
                                             "name", d->res.name ? d->res.name : "*", "labels",
                                             labels, "path", d->path, "template", d->templated));
    }
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "resources", arr));
}

/* GET resources/TYPE/NAME/access: who can reach a declared resource, at
 * which level, through which grant (iam_access_list, as on the console). */
int api_resource_access(api_t *a, const char *rest)
{
    request_rec *r = a->w->r;
    const char *type, *name;
    apr_array_header_t *decls, *list;
    const iam_resource_decl_t *d;
    json_t *arr, *labels;
    iam_err_t err;
    int i;

    if (!iam_web_type_name(r->pool, rest, &type, &name))
        return api_error(r, HTTP_NOT_FOUND, "not_found",
                         "use resources/TYPE/NAME/access (NAME * for the collection)");
    decls = iam_web_resource_decls(r->pool, a->w->ws, type, name);
    if (!decls->nelts)
        return api_error(
            r, HTTP_NOT_FOUND, "not_found",
            apr_psprintf(r->pool, "no resource '%s %s' is declared in httpd.conf", type, name));
    d = APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *);
    if (iam_access_list(a->w->st, r->pool, iam_ws_roles(a->w->ws), iam_ws_plan(a->w->ws), &d->res,
                        &list, &err) != IAM_OK)
        return api_store_error(r, &err);
    labels = json_array();
    for (i = 0; i < d->res.nlabels; i++)
        json_array_append_new(labels, json_string(d->res.labels[i]));
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
            json_object_update_new(
                o, json_pack("{s:s, s:s, s:s}", "member", x->member->login, "name", x->member->name,
                             "status", x->member->status == IAM_INVITED ? "invited" : "active"));
        json_array_append_new(arr, o);
    }
    return api_send_json(r, HTTP_OK,
                         json_pack("{s:{s:s, s:s, s:o}, s:o}", "resource", "type", type, "name",
                                   name, "labels", labels, "access", arr));
}

int api_list_audit(api_t *a)
{
    const char *before = apr_table_get(a->w->query, "before");
    const char *lim = apr_table_get(a->w->query, "limit");
    int limit = lim ? atoi(lim) : IAM_PAGE_SIZE, i;
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;

    if (limit < 1 || limit > 500)
        return api_bad(a->w->r, "limit must be 1 to 500");
    if (iam_store_audit_list(a->w->st, a->w->r->pool, before ? strtoull(before, NULL, 10) : 0,
                             limit, &list, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_audit(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_audit_t *)));
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "audit", arr));
}
