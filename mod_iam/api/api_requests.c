/* mod_iam API: access requests: the open ones (or one member's history),
 * and approving or dismissing exactly the revision the client saw. */

#include "api_int.h"

static const char *const request_status[] = {"open", "approved", "dismissed", "granted"};

/* A request, with its revision and status; an open one with the grant
 * Approve gives by default (null when the plan cannot answer it), an
 * answered one with when, by whom and (approved) what was granted. */
static json_t *request_json(api_t *a, const iam_request_t *q)
{
    apr_pool_t *p = a->w->r->pool;
    const char *item[2], *why;
    const iam_role_t *role;
    iam_grant_t g;
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "login", q->login, "type", q->type,
                  "name", q->name, "path", q->path, "level", iam_level_name(q->level), "message",
                  q->message, "time", iam_time_text(p, q->time), "rev", (json_int_t)q->rev);

    if (!j)
        return NULL;
    json_object_set_new(j, "status", json_string(request_status[q->status]));
    if (q->status == IAM_REQUEST_OPEN) {
        role = iam_policy_approval(iam_ws_roles(a->w->ws), iam_ws_plan(a->w->ws), q->type, q->name,
                                   q->level, NULL, IAM_APPROVE_AUTO, &g, item, &why);
        json_object_set_new(j, "approve", role ? iam_json_grant(&g) : json_null());
        return j;
    }
    json_object_set_new(j, "answered", json_string(iam_time_text(p, q->answered)));
    json_object_set_new(j, "answered_by", json_string(q->answered_by));
    if (q->status == IAM_REQUEST_APPROVED) {
        item[0] = q->name;
        item[1] = NULL;
        g = (iam_grant_t){q->granted_role, q->granted_all ? IAM_SCOPE_ALL : IAM_SCOPE_RESOURCES,
                          q->granted_all ? 0 : 1, item};
        json_object_set_new(j, "granted", iam_json_grant(&g));
    }
    return j;
}

/* GET requests[?login=LOGIN][&status=open|all]: the open requests (of
 * one member, or all); status=all: one member's, answered ones too. */
int api_list_requests(api_t *a)
{
    const char *login = apr_table_get(a->w->query, "login"),
               *status = apr_table_get(a->w->query, "status");
    apr_array_header_t *list;
    iam_err_t err;
    iam_status_e st;
    json_t *arr;
    int i;

    if (status && strcmp(status, "open") && strcmp(status, "all"))
        return api_bad(a->w->r, "\"status\" must be \"open\" or \"all\"");
    if (status && !strcmp(status, "all") && !login)
        return api_bad(a->w->r, "status=all lists one member's requests: add login=LOGIN");
    st = status && !strcmp(status, "all")
             ? iam_store_request_history(a->w->st, a->w->r->pool, login, &list, &err)
             : iam_store_request_list(a->w->st, a->w->r->pool, login, &list, &err);
    if (st != IAM_OK)
        return api_store_error(a->w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr, request_json(a, APR_ARRAY_IDX(list, i, iam_request_t *)));
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:o}", "requests", arr));
}

/* POST requests/approve {"login", "type", "name", "rev", "role"?, "scope"?}
 * or requests/dismiss {"login", "type", "name"}. "rev" is the revision the
 * client decided on (GET requests): a request changed since is refused
 * (409). "role" defaults to the least that gives the access asked for;
 * "scope" "resource" (that one) or "all" (all of its type), by default
 * the one resource where the role allows. A request for the console or
 * an owners-only page makes an owner: only with "role": "workspace-owner". */
int api_answer_request(api_t *a, int approve)
{
    static const char *const known[] = {"login", "type", "name", "rev", "role", "scope", NULL};
    apr_pool_t *p = a->w->r->pool;
    const char *e, *scope = NULL;
    iam_approval_t ap;
    iam_request_t *done;
    iam_err_t err;
    iam_status_e st;
    json_t *rev;
    int rc;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    memset(&ap, 0, sizeof(ap));
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "login", 1, &ap.login, p)) ||
        (e = iam_json_get_str(a->body, "type", 1, &ap.type, p)) ||
        (e = iam_json_get_str(a->body, "name", 0, &ap.name, p)) ||
        (e = iam_json_get_str(a->body, "role", 0, &ap.role, p)) ||
        (e = iam_json_get_str(a->body, "scope", 0, &scope, p)))
        return api_bad(a->w->r, e);
    if ((rev = json_object_get(a->body, "rev")) &&
        (!json_is_integer(rev) || json_integer_value(rev) < 1 ||
         json_integer_value(rev) > 0xffffffffLL))
        return api_bad(a->w->r, "\"rev\" must be a request's revision (a positive integer)");
    if (approve && !rev)
        return api_bad(a->w->r,
                       "\"rev\" is required: the revision of the request you decided on (GET "
                       "requests), so that a request changed since is not approved");
    if (scope && strcmp(scope, "resource") && strcmp(scope, "all"))
        return api_bad(a->w->r, "\"scope\" must be \"resource\" or \"all\"");
    if (!approve) {
        if (rev || ap.role || scope)
            return api_bad(a->w->r, "dismiss takes \"login\", \"type\" and \"name\" only");
        st = iam_store_request_dismiss(a->w->st, a->w->actor, ap.login, ap.type, ap.name, p, &done,
                                       &err);
        if (st != IAM_OK)
            return api_store_error(a->w->r, &err);
        iam_mail_request_answered(a->w->r, a->w->st, done, a->w->owner);
        return api_send_json(
            a->w->r, HTTP_OK,
            json_pack("{s:b, s:o}", "dismissed", 1, "request", request_json(a, done)));
    }
    ap.name = ap.name ? ap.name : "*";
    ap.rev = (unsigned)json_integer_value(rev);
    ap.scope = !scope                  ? IAM_APPROVE_AUTO
               : !strcmp(scope, "all") ? IAM_APPROVE_ALL
                                       : IAM_APPROVE_RESOURCE;
    ap.owner_confirmed = ap.role && !strcasecmp(ap.role, "workspace-owner");
    if (iam_store_request_approve(a->w->st, a->w->actor, &ap, p, &done, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    iam_mail_request_answered(a->w->r, a->w->st, done, a->w->owner);
    return api_show_member(a, ap.login, HTTP_OK);
}
