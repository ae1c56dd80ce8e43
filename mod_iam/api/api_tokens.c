/* mod_iam API: API tokens: list, create (the secret is in that answer
 * only), revoke. */

#include "api_int.h"

int api_list_tokens(api_t *a)
{
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    int i;

    if (iam_store_token_list(a->w->st, a->w->r->pool, &list, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_token(a->w->r->pool, APR_ARRAY_IDX(list, i, iam_token_t *)));
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "tokens", arr));
}

/* The secret is in this answer and nowhere else, ever. */
int api_create_token(api_t *a)
{
    static const char *const known[] = {"description", "scope", NULL};
    apr_pool_t *p = a->w->r->pool;
    const char *e, *description, *token, *scope = NULL;
    iam_token_t *tk;
    iam_err_t err;
    json_t *j;
    int rc;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "description", 1, &description, p)) ||
        (e = iam_json_get_str(a->body, "scope", 0, &scope, p)))
        return api_bad(a->w->r, e);
    if (iam_store_token_create_scoped(a->w->st, a->w->actor, a->w->owner, description,
                                      scope ? scope : IAM_TOKEN_API, p, &token, &tk,
                                      &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    j = iam_json_token(p, tk);
    json_object_set_new(j, "token", json_string(token));
    return api_send_json(a->w->r, HTTP_CREATED, j);
}

int api_revoke_token(api_t *a, const char *id)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_token_revoke(a->w->st, a->w->actor, id, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "id", id, "revoked", 1));
}
