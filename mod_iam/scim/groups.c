/* mod_iam SCIM: Groups. A group is a user group: displayName its name as
 * people see it ("Data Analysts"), members its members by their users'
 * ids. A group SCIM writes is managed by the identity provider from then
 * on: the console and the API refuse to change its members. It starts
 * with no grants; owners give it roles in the console. */
#include "scim_int.h"

#include <strings.h>

json_t *scim_group_json(scim_t *s, const iam_scim_entry_t *e)
{
    json_t *j = json_pack("{s:[s],s:s}", "schemas", SCIM_GROUP_SCHEMA, "id", e->id->id);
    json_t *members = json_array();
    int i;

    if (*e->id->external_id)
        json_object_set_new(j, "externalId", json_string(e->id->external_id));
    json_object_set_new(j, "displayName", json_string(e->group->name));
    for (i = 0; i < e->links->nelts; i++) {
        const iam_scim_id_t *m = APR_ARRAY_IDX(e->links, i, const iam_scim_id_t *);
        json_array_append_new(members,
                              json_pack("{s:s,s:s,s:s}", "value", m->id, "display", m->name, "$ref",
                                        scim_location(s, "Users", m->id)));
    }
    json_object_set_new(j, "members", members);
    json_object_set_new(j, "meta", scim_meta(s, "Group", e->id->id, e->group->created));
    return j;
}

static const scim_type_t groups = {IAM_ID_GROUP, scim_group_json};

/* What a write says of a group: members as the whole set (whole), or
 * as ids to add and to remove. */
typedef struct {
    const char *name, *external_id;
    apr_array_header_t *whole, *add, *remove; /* const char *: users' ids */
} group_t;

static void drop_id(apr_array_header_t *a, const char *id)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(a, i, const char *), id)) {
            APR_ARRAY_IDX(a, i, const char *) = APR_ARRAY_IDX(a, a->nelts - 1, const char *);
            a->nelts--;
            i--;
        }
    }
}

/* The ids of a members value ([{"value": ID}, ...], or one such object). */
static const char *member_ids(apr_pool_t *p, json_t *v, apr_array_header_t **out)
{
    json_t *m, *one = NULL;
    size_t i;

    *out = apr_array_make(p, 8, sizeof(const char *));
    if (json_is_object(v)) {
        one = json_array();
        json_array_append(one, v);
        v = one;
    }
    if (!json_is_array(v))
        return "members must be an array of {\"value\": ID}";
    json_array_foreach(v, i, m)
    {
        json_t *id = json_is_object(m) ? json_object_get(m, "value") : NULL;
        if (!json_is_string(id)) {
            json_decref(one);
            return "each member must be {\"value\": ID}";
        }
        APR_ARRAY_PUSH(*out, const char *) = apr_pstrdup(p, json_string_value(id));
    }
    json_decref(one);
    return NULL;
}

/* Adds ('a') or removes ('x') ids, or makes them the whole set ('r'). */
static void change_members(apr_pool_t *p, group_t *g, char kind, apr_array_header_t *ids)
{
    int i;

    if (kind == 'r') {
        g->whole = ids;
        g->add = g->remove = NULL;
        return;
    }
    for (i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        if (g->whole) {
            drop_id(g->whole, id);
            if (kind == 'a')
                APR_ARRAY_PUSH(g->whole, const char *) = id;
            continue;
        }
        if (!g->add)
            g->add = apr_array_make(p, 8, sizeof(const char *));
        if (!g->remove)
            g->remove = apr_array_make(p, 8, sizeof(const char *));
        drop_id(kind == 'a' ? g->remove : g->add, id);
        APR_ARRAY_PUSH(kind == 'a' ? g->add : g->remove, const char *) = id;
    }
}

/* One attribute of g, as op `kind` says ('a', 'r', 'x' as in users.c;
 * 'b' a whole body's): NULL, or why not (*type). */
static const char *set_group_attr(apr_pool_t *p, void *ctx, char kind, const iam_scim_path_t *path,
                                  json_t *v, const char **type)
{
    group_t *g = ctx;
    apr_array_header_t *ids;
    const char *why, *id;

    *type = "invalidValue";
    if (!strcmp(path->attr, "displayname")) {
        if (kind == 'x' || !json_is_string(v)) {
            *type = kind == 'x' ? "mutability" : "invalidValue";
            return "displayName is required: a string";
        }
        g->name = json_string_value(v);
        return NULL;
    }
    if (!strcmp(path->attr, "externalid")) {
        if (kind == 'x' || json_is_null(v))
            g->external_id = "";
        else if (!json_is_string(v))
            return "externalId must be a string";
        else
            g->external_id = json_string_value(v);
        return NULL;
    }
    if (!strcmp(path->attr, "members")) {
        if (path->filter) { /* members[value eq "ID"]: Okta's and Entra ID's remove */
            if (kind != 'x' || path->sub || !(id = iam_scim_filter_eq(path->filter, "value"))) {
                *type = "invalidPath";
                return "a members path with a filter is members[value eq \"ID\"], to remove";
            }
            ids = apr_array_make(p, 1, sizeof(const char *));
            APR_ARRAY_PUSH(ids, const char *) = id;
            change_members(p, g, 'x', ids);
            return NULL;
        }
        if (path->sub) {
            *type = "invalidPath";
            return "members' sub-attributes are not written one by one";
        }
        if (kind == 'x' && !v) { /* remove every member */
            change_members(p, g, 'r', apr_array_make(p, 1, sizeof(const char *)));
            return NULL;
        }
        if ((why = member_ids(p, v, &ids)))
            return why;
        change_members(p, g, kind == 'b' ? 'r' : kind, ids);
        return NULL;
    }
    if (!strcmp(path->attr, "id") || !strcmp(path->attr, "meta")) {
        *type = "mutability";
        return apr_psprintf(p, "%s is read-only", path->attr);
    }
    *type = kind == 'b' ? "invalidSyntax" : "invalidPath";
    return apr_psprintf(p, "a Group has no attribute \"%s\"", path->attr);
}

/* A whole group (POST, PUT): OK, or answered. */
static int group_body(scim_t *s, group_t *g)
{
    int rc;

    memset(g, 0, sizeof(*g));
    g->whole = apr_array_make(s->w->r->pool, 8, sizeof(const char *)); /* none unless said */
    if ((rc = scim_whole(s, set_group_attr, g)) != OK)
        return rc;
    if (!g->name)
        return scim_error(s->w->r, HTTP_BAD_REQUEST, "invalidValue", "displayName is required");
    return OK;
}

static int write_group(scim_t *s, const char *id, const group_t *g, int patch)
{
    request_rec *r = s->w->r;
    /* a new group's members must be users; a whole set sent again may
     * name users removed since (no one) */
    iam_scim_group_spec_t sp = {
        id, g->name, g->external_id, id ? g->whole : NULL, id ? g->add : g->whole, g->remove};
    iam_scim_entry_t e;
    iam_scim_id_t *out;
    iam_err_t err;
    scim_query_t q;
    int rc;

    if (!patch && !sp.external_id)
        sp.external_id = ""; /* a whole group: what it does not say, it does not have */
    if (!patch && (rc = scim_query(s, &q)) != OK) /* its answer's attributes: before writing */
        return rc;
    if (iam_store_scim_group_put(s->w->st, s->w->actor, &sp, r->pool, &out, &err) != IAM_OK)
        return scim_store_error(r, &err);
    iam_log_r(r, APLOG_INFO, 0, "scim: %s group %s ('%s')", id ? "changed" : "made", out->id,
              out->name);
    if (patch) { /* Okta and Entra ID want nothing back: a big group's members are big */
        r->status = HTTP_NO_CONTENT;
        return DONE;
    }
    if (iam_store_scim_get(s->w->st, r->pool, IAM_ID_GROUP, out->id, NULL,
                           scim_wanted(&q, "members"), &e, &err) != IAM_OK)
        return scim_store_error(r, &err);
    if (!id)
        apr_table_setn(r->headers_out, "Location", scim_location(s, "Groups", out->id));
    return scim_send(r, id ? HTTP_OK : HTTP_CREATED, scim_project(&q, scim_group_json(s, &e)));
}

int scim_groups(scim_t *s, const char *id)
{
    request_rec *r = s->w->r;
    scim_query_t q;
    iam_scim_entry_t e;
    iam_err_t err;
    group_t g;
    int rc;

    if (id && (!*id || strchr(id, '/')))
        return scim_error(r, HTTP_NOT_FOUND, NULL, "no such group");
    switch (r->method_number) {
    case M_GET:
        if ((rc = scim_query(s, &q)) != OK)
            return rc;
        if (!id)
            return scim_list(s, &groups, &q);
        if (iam_store_scim_get(s->w->st, r->pool, IAM_ID_GROUP, id, NULL,
                               scim_wanted(&q, "members"), &e, &err) != IAM_OK)
            return scim_store_error(r, &err);
        return scim_send(r, HTTP_OK, scim_project(&q, scim_group_json(s, &e)));
    case M_POST:
        if (id)
            break;
        if ((rc = scim_read_body(s)) != OK || (rc = group_body(s, &g)) != OK)
            return rc;
        return write_group(s, NULL, &g, 0);
    case M_PUT:
        if (!id)
            break;
        if ((rc = scim_read_body(s)) != OK || (rc = group_body(s, &g)) != OK)
            return rc;
        return write_group(s, id, &g, 0);
    case M_PATCH:
        if (!id)
            break;
        memset(&g, 0, sizeof(g));
        if ((rc = scim_read_body(s)) != OK || (rc = scim_patch(s, id, set_group_attr, &g)) != OK)
            return rc;
        return write_group(s, id, &g, 1);
    case M_DELETE:
        if (!id)
            break;
        if (iam_store_scim_delete(s->w->st, s->w->actor, IAM_ID_GROUP, id, &err) != IAM_OK)
            return scim_store_error(r, &err);
        iam_log_r(r, APLOG_INFO, 0, "scim: deleted group %s", id);
        r->status = HTTP_NO_CONTENT;
        return DONE;
    default: break;
    }
    return scim_error(r, HTTP_METHOD_NOT_ALLOWED, NULL,
                      apr_psprintf(r->pool, "%s is not allowed here", r->method));
}
