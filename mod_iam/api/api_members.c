/* mod_iam API: members (list, show, invite or add, change, remove,
 * re-send an invitation) and the grants of members and groups. */

#include "api_int.h"

int api_list_members(api_t *a)
{
    iam_web_t *w = a->w;
    const char *q = apr_table_get(w->query, "q"), *after = apr_table_get(w->query, "after");
    const char *lim = apr_table_get(w->query, "limit"), *next;
    int limit = lim ? atoi(lim) : IAM_PAGE_SIZE, i;
    apr_array_header_t *list;
    iam_err_t err;
    json_t *arr;
    long total;

    if (limit < 1 || limit > 500)
        return api_bad(w->r, "limit must be 1 to 500");
    const char *status = apr_table_get(w->query, "status");
    int want = !status                      ? -1
               : !strcmp(status, "invited") ? IAM_INVITED
               : !strcmp(status, "active")  ? IAM_ACTIVE
                                            : -2;

    if (want == -2)
        return api_bad(w->r, "status must be active or invited");
    if (iam_store_member_page_status(w->st, w->r->pool, q, want, after, limit, &list, &next,
                                     &err) != IAM_OK ||
        iam_store_member_count(w->st, w->r->pool, q, want, &total, &err) != IAM_OK)
        return api_store_error(w->r, &err);
    arr = json_array();
    for (i = 0; i < list->nelts; i++)
        json_array_append_new(arr,
                              iam_json_member(w->r->pool, APR_ARRAY_IDX(list, i, iam_member_t *)));
    return api_send_json(
        w->r, HTTP_OK,
        json_pack("{s:o, s:s?, s:I}", "members", arr, "next", next, "total", (json_int_t)total));
}

int api_show_member(api_t *a, const char *login, int status)
{
    iam_member_t *m;
    iam_err_t err;

    if (iam_store_member_get(a->w->st, a->w->r->pool, login, &m, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_send_json(a->w->r, status, iam_json_member(a->w->r->pool, m));
}

/* Fills a member spec from the body; NULL or a message. */
static const char *member_spec(api_t *a, iam_member_spec_t *sp, int create)
{
    static const char *const known[] = {"login", "email",  "name",   "status",
                                        "pii",   "grants", "groups", NULL};
    apr_pool_t *p = a->w->r->pool;
    apr_array_header_t *grants, *groups;
    const char *e, *status = NULL;
    int pii = -1;

    memset(sp, 0, sizeof(*sp));
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "email", 0, &sp->email, p)) ||
        (e = iam_json_get_str(a->body, "name", 0, &sp->name, p)) ||
        (e = iam_json_get_str(a->body, "status", 0, &status, p)) ||
        (e = iam_json_get_bool(a->body, "pii", &pii)) ||
        (e = iam_json_get_grants(a->body, p, &grants)) ||
        (e = iam_json_get_names(a->body, "groups", p, &groups)))
        return e;
    if (create) {
        if ((e = iam_json_get_str(a->body, "login", 0, &sp->login, p)))
            return e;
        if (status && strcmp(status, "active") && strcmp(status, "invited"))
            return "\"status\" is \"active\" or \"invited\"";
        sp->status = status && !strcmp(status, "active") ? IAM_ACTIVE : IAM_INVITED;
        if (!sp->login)
            sp->login = sp->email; /* an invitation by email */
        if (!sp->login)
            return "give \"email\" (an invitation) or \"login\"";
    } else if (json_object_get(a->body, "login") || status) {
        return "\"login\" and \"status\" cannot be changed";
    }
    sp->pii = pii;
    sp->grants = grants;
    sp->groups = groups;
    return NULL;
}

/* Mails an invitation if mail is set up: 0 sent, 1 failed, -1 no such
 * member, -2 not sent (not invited, no email, or no IAMMailCommand), -3
 * the store failed. */
static int mail_invitation(api_t *a, const char *login)
{
    iam_member_t *m;
    iam_err_t err;
    int rc;

    switch (iam_store_member_get(a->w->st, a->w->r->pool, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
    case IAM_INVALID: return -1;
    default: iam_log_r(a->w->r, APLOG_ERR, 0, "api: %s", err.msg); return -3;
    }
    if (m->status != IAM_INVITED)
        return -2;
    rc = iam_mail_invitation(a->w->r, m, a->w->actor);
    return rc < 0 ? -2 : rc;
}

int api_resend_invitation(api_t *a, const char *login)
{
    int rc;

    if ((rc = api_read_json(a)) != OK) /* a write like the others: JSON, same origin */
        return rc;
    rc = mail_invitation(a, login);
    if (rc == -1)
        return api_error(a->w->r, HTTP_NOT_FOUND, "not_found",
                         apr_psprintf(a->w->r->pool, "no member '%s'", login));
    if (rc == 0)
        return api_send_json(a->w->r, HTTP_OK,
                             json_pack("{s:s, s:b}", "login", login, "mailed", 1));
    if (rc == 1)
        return api_error(a->w->r, HTTP_BAD_GATEWAY, "mail_failed",
                         "the invitation could not be mailed; the error log says why");
    if (rc == -3)
        return api_error(a->w->r, HTTP_INTERNAL_SERVER_ERROR, "store_error",
                         "the store could not be read; the error log says why");
    return api_error(a->w->r, HTTP_CONFLICT, "not_invited",
                     "only an invited member with an email can be mailed, with IAMMailCommand "
                     "set");
}

int api_put_member(api_t *a, const char *login, int create)
{
    iam_member_spec_t sp;
    iam_err_t err;
    const char *e;
    int rc;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    if ((e = member_spec(a, &sp, create)))
        return api_bad(a->w->r, e);
    if (!create)
        sp.login = login;
    if (iam_store_member_put(a->w->st, a->w->actor, &sp, create, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    if (create && sp.status == IAM_INVITED)
        mail_invitation(a, sp.login);
    return api_show_member(a, sp.login, create ? HTTP_CREATED : HTTP_OK);
}

int api_remove_member(api_t *a, const char *login)
{
    iam_err_t err;

    if (!iam_web_same_origin(a->w->r))
        return api_error(a->w->r, HTTP_FORBIDDEN, "cross_origin",
                         "cross-origin writes are refused");
    if (iam_store_member_remove(a->w->st, a->w->actor, login, &err) != IAM_OK)
        return api_store_error(a->w->r, &err);
    return api_send_json(a->w->r, HTTP_OK, json_pack("{s:s, s:b}", "login", login, "removed", 1));
}

/* POST .../grants adds one grant; POST .../grants/revoke takes one away
 * (without "scope": every grant of the role). */
int api_change_grant(api_t *a, int group, const char *who, int revoke)
{
    static const char *const known[] = {"role", "scope", "resources", "labels", NULL};
    apr_pool_t *p = a->w->r->pool;
    json_t *wrap;
    apr_array_header_t *grants;
    iam_grant_t g;
    iam_err_t err;
    const char *e, *role;
    iam_status_e st;
    int rc, whole = 0;

    if ((rc = api_read_json(a)) != OK)
        return rc;
    if ((e = api_unknown_field(p, a->body, known)) ||
        (e = iam_json_get_str(a->body, "role", 1, &role, p)))
        return api_bad(a->w->r, e);
    whole = revoke && !json_object_get(a->body, "scope");
    if (whole) {
        g = (iam_grant_t){role, IAM_SCOPE_ALL, 0, NULL};
    } else {
        wrap = json_pack("{s:[O]}", "grants", a->body);
        e = iam_json_get_grants(wrap, p, &grants);
        json_decref(wrap);
        if (e)
            return api_bad(a->w->r, e);
        g = APR_ARRAY_IDX(grants, 0, iam_grant_t);
    }
    st = revoke ? iam_store_revoke(a->w->st, a->w->actor, group, who, &g, whole, &err)
                : iam_store_grant(a->w->st, a->w->actor, group, who, &g, &err);
    if (st != IAM_OK)
        return api_store_error(a->w->r, &err);
    if (group) {
        iam_group_t *gr;
        if (iam_store_group_get(a->w->st, p, who, &gr, &err) != IAM_OK)
            return api_store_error(a->w->r, &err);
        return api_send_json(a->w->r, HTTP_OK, iam_json_group(p, gr, 1));
    }
    return api_show_member(a, who, HTTP_OK);
}
