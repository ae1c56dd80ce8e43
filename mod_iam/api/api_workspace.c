/* mod_iam API: what the workspace is made of, read only: its roles and
 * the audit trail. */

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
