/* mod_iam API: the workspace's labels: list (with what uses each), create,
 * delete (refused, 409 in_use, while a resource or a grant uses one). */

#include "api_int.h"

int api_list_labels(api_t *a)
{
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    int i;

    if (iam_store_label_list(a->w->st, a->w->r->pool, &list, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_label(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_label_t *)));
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "labels", arr));
}

/* The label as the list shows it. */
static json_t *label_json(api_t *a, const char *label)
{
    apr_array_header_t *list;
    iam_err_t err;
    int i;

    if (iam_store_label_list(a->w->st, a->w->r->pool, &list, &err) == IAM_OK) {
        for (i = 0; i < list->nelts; i++) {
            const iam_label_t *l = APR_ARRAY_IDX(list, i, iam_label_t *);
            if (!strcasecmp(l->label, label))
                return iam_json_label(a->w->r->pool, l);
        }
    }
    return json_pack("{s:s}", "label", label);
}

/* POST labels {"label": "team:growth", "description": "..."} */
int api_create_label(api_t *a)
{
    static const char *const known[] = {"label", "description", NULL};
    apr_pool_t *p = a->w->r->pool;
    const char *e, *label, *description;
    iam_err_t err;
    int rc;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "label", 1, &label, p)) ||
        (e = iam_json_get_str(a->body, "description", 0, &description, p)))
        return api_bad(a->w->r, e);
    if (iam_store_label_create(a->w->st, a->w->actor, label, description, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_send_json(a->w->r, HTTP_CREATED, label_json(a, label));
}

/* DELETE labels/KEY:VALUE */
int api_delete_label(api_t *a, const char *label)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_label_delete(a->w->st, a->w->actor, label, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "label", label, "deleted", 1));
}
