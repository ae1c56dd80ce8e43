/* mod_iam API: user groups (list, show, create, change, delete) and their
 * members. */

#include "api_int.h"

int api_list_groups(api_t *a)
{
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    int i;

    if (iam_store_group_list(a->w->st, a->w->r->pool, &list, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(
            arr, iam_json_group(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_group_t *), 0));
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "groups", arr));
}

int api_show_group(api_t *a, const char *name, int status)
{
    iam_scim_entry_t e;
    iam_group_t *g;
    iam_err_t err;
    json_t *j;

    if (iam_store_group_get(a->w->st, a->w->r->pool, name, &g, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    j = iam_json_group(a->w->r->pool, g, 1);
    /* an identity provider's group: its members change over SCIM only */
    json_object_set_new(j, "managed_by",
                        json_string(iam_store_scim_get(a->w->st, a->w->r->pool, IAM_ID_GROUP, NULL,
                                                       g->name, 0, &e, &err) == IAM_OK &&
                                            e.id->managed
                                        ? "scim"
                                        : "workspace"));
    return api_send_json(a->w->r, status, j);
}

int api_put_group(api_t *a, const char *name, int create)
{
    static const char *const known[] = {"name", "pii", "grants", "members", NULL};
    apr_pool_t *p = a->w->r->pool;
    apr_array_header_t *grants, *members;
    iam_group_spec_t sp;
    iam_err_t err;
    const char *e;
    int rc, pii = -1;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    memset(&sp, 0, sizeof(sp));
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "name", create, &sp.name, p)) ||
        (e = iam_json_get_bool(a->body, "pii", &pii)) ||
        (e = iam_json_get_grants(a->body, p, &grants)) ||
        (e = iam_json_get_names(a->body, "members", p, &members)))
        return api_bad(a->w->r, e);
    if (!create && sp.name && strcasecmp(sp.name, name))
        return api_bad(a->w->r, "a group's \"name\" cannot be changed");
    if (!create)
        sp.name = name;
    sp.pii = pii;
    sp.grants = grants;
    sp.members = members;
    if (iam_store_group_put(a->w->st, a->w->actor, &sp, create, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_show_group(a, sp.name, create ? HTTP_CREATED : HTTP_OK);
}

int api_delete_group(api_t *a, const char *name)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_group_delete(a->w->st, a->w->actor, name, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "name", name, "deleted", 1));
}

/* POST groups/NAME/members {"logins": [...]} adds; .../members/remove
 * takes away; all or nothing. */
int api_change_members(api_t *a, const char *name, int add)
{
    static const char *const known[] = {"logins", NULL};
    apr_pool_t *p = a->w->r->pool;
    apr_array_header_t *logins;
    iam_err_t err;
    const char *e;
    int rc;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_names(a->body, "logins", p, &logins)))
        return api_bad(a->w->r, e);
    if (!logins || !logins->nelts)
        return api_bad(a->w->r, "give \"logins\": a list of members");
    if (iam_store_group_members(a->w->st, a->w->actor, name, add, (const char *const *)logins->elts,
                                logins->nelts, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_show_group(a, name, HTTP_OK);
}
