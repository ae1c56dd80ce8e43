/* mod_iam: the SCIM 2.0 service provider (RFC 7643, RFC 7644) under the
 * console's location, BASE/scim/v2/. Identity providers (Okta, Entra ID,
 * ...) push users and groups with a token an owner made for them (scope
 * "scim"): no other token and no login works here, and that token works
 * nowhere else. This file is the way in: the token, routing, the RFC's
 * errors, bodies, lists (filter, paging, attributes) and the discovery
 * endpoints; users.c and groups.c hold the resources. */
#include "scim_int.h"

#include "apr_lib.h"
#include "http_core.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

/* ---- answers ---- */

int scim_send(request_rec *r, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    json_decref(j);
    if (!s) {
        status = HTTP_INTERNAL_SERVER_ERROR;
        s = strdup("{\"schemas\":[\"" SCIM_ERROR_SCHEMA "\"],\"status\":\"500\","
                   "\"detail\":\"cannot encode the answer\"}");
    }
    r->status = status;
    ap_set_content_type(r, "application/scim+json");
    if (!r->header_only && s) {
        ap_rputs(s, r);
        ap_rputs("\n", r);
    }
    free(s);
    return DONE;
}

/* The RFC's error (7644 3.12): status as a string, scimType when one fits. */
int scim_error(request_rec *r, int status, const char *type, const char *detail)
{
    json_t *d = json_string(detail); /* NULL: not UTF-8 (it may echo the request) */

    return scim_send(r, status,
                     json_pack("{s:[s],s:s,s:s*,s:o}", "schemas", SCIM_ERROR_SCHEMA, "status",
                               apr_itoa(r->pool, status), "scimType", type, "detail",
                               d ? d : json_string("the request was refused")));
}

int scim_store_error(request_rec *r, const iam_err_t *err)
{
    const char *detail = iam_web_error_text(err);

    switch (err->status) {
    case IAM_INVALID: return scim_error(r, HTTP_BAD_REQUEST, "invalidValue", detail);
    case IAM_LAST_OWNER: return scim_error(r, HTTP_BAD_REQUEST, "mutability", detail);
    case IAM_EXISTS: return scim_error(r, HTTP_CONFLICT, "uniqueness", detail);
    case IAM_NOTFOUND: return scim_error(r, HTTP_NOT_FOUND, NULL, detail);
    case IAM_PLAN: return scim_error(r, HTTP_FORBIDDEN, NULL, detail);
    default:
        iam_log_r(r, APLOG_ERR, 0, "scim: %s", err->msg);
        return scim_error(r, iam_web_http_status(err->status), NULL, detail);
    }
}

static apr_status_t free_json(void *j)
{
    json_decref(j);
    return APR_SUCCESS;
}

/* Reads the JSON object a write sends (application/scim+json, or
 * application/json). OK, or answered. */
int scim_read_body(scim_t *s)
{
    request_rec *r = s->w->r;
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    json_error_t jerr;
    apr_size_t len, n;
    char *body;
    int rc;

    n = !ct                                             ? 0
        : !strncasecmp(ct, "application/scim+json", 21) ? 21
        : !strncasecmp(ct, "application/json", 16)      ? 16
                                                        : 0;
    if (!n || (ct[n] && ct[n] != ';' && ct[n] != ' '))
        return scim_error(r, HTTP_UNSUPPORTED_MEDIA_TYPE, NULL,
                          "send the body as application/scim+json");
    if ((rc = iam_web_read_body(r, SCIM_BODY_MAX, &body, &len)) != OK)
        return rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                   ? scim_error(r, rc, NULL,
                                apr_psprintf(r->pool, "the body is over %d bytes", SCIM_BODY_MAX))
                   : scim_error(r, rc, NULL, "the body could not be read");
    s->body = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!s->body)
        return scim_error(r, HTTP_BAD_REQUEST, "invalidSyntax",
                          apr_psprintf(r->pool, "the body is not JSON: %s", jerr.text));
    apr_pool_cleanup_register(r->pool, s->body, free_json, apr_pool_cleanup_null);
    if (!json_is_object(s->body))
        return scim_error(r, HTTP_BAD_REQUEST, "invalidSyntax", "the body must be a JSON object");
    return OK;
}

/* The URL of BASE/scim/v2/WHAT[/ID]. */
const char *scim_location(scim_t *s, const char *what, const char *id)
{
    return ap_construct_url(
        s->w->r->pool,
        apr_pstrcat(s->w->r->pool, s->w->base, "/scim/v2/", what, id ? "/" : "", id, NULL),
        s->w->r);
}

static const char *iso_time(apr_pool_t *p, long long t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return apr_pstrdup(p, buf);
}

json_t *scim_meta(scim_t *s, const char *type, const char *id, long long created)
{
    const char *what = !strcmp(type, "User") ? "Users" : "Groups";

    return json_pack("{s:s,s:s,s:s}", "resourceType", type, "created",
                     iso_time(s->w->r->pool, created), "location", scim_location(s, what, id));
}

/* ---- attribute names, values, PATCH operations ---- */

/* An attribute name as the tree of iam_scim.h spells it: lower-cased,
 * without the core schemas' URN. */
const char *scim_attr_name(apr_pool_t *p, const char *key)
{
    static const char *const core[] = {SCIM_USER_SCHEMA ":", SCIM_GROUP_SCHEMA ":"};
    char *a;
    size_t i;

    for (i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
        if (!strncasecmp(key, core[i], strlen(core[i]))) {
            key += strlen(core[i]);
            break;
        }
    }
    a = apr_pstrdup(p, key);
    for (i = 0; a[i]; i++)
        a[i] = (char)apr_tolower(a[i]);
    return a;
}

/* A boolean, or the strings "true" and "false" in any case (Entra ID
 * sends "True"): 0 and *out, or -1. */
int scim_bool(json_t *v, int *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v) &&
        (!strcasecmp(json_string_value(v), "true") || !strcasecmp(json_string_value(v), "false"))) {
        *out = !strcasecmp(json_string_value(v), "true");
        return 0;
    }
    return -1;
}

/* One PATCH operation: *kind 'a' (add), 'r' (replace) or 'x' (remove),
 * whatever the case of its op ("Replace": Entra ID); its path (NULL:
 * none) and value (NULL: none). NULL, or why it is not one. */
static const char *patch_op(json_t *op, char *kind, const char **path, json_t **value)
{
    const char *key, *name = NULL;
    json_t *v;

    *path = NULL;
    *value = NULL;
    if (!json_is_object(op))
        return "each operation must be an object";
    json_object_foreach(op, key, v)
    {
        if (!strcasecmp(key, "op") && json_is_string(v))
            name = json_string_value(v);
        else if (!strcasecmp(key, "path") && json_is_string(v))
            *path = json_string_value(v);
        else if (!strcasecmp(key, "value"))
            *value = v;
        else
            return "an operation holds op, path and value only";
    }
    if (!name)
        return "an operation needs its op";
    if (!strcasecmp(name, "add"))
        *kind = 'a';
    else if (!strcasecmp(name, "replace"))
        *kind = 'r';
    else if (!strcasecmp(name, "remove"))
        *kind = 'x';
    else
        return "op is add, replace or remove";
    if (*kind != 'x' && !*value)
        return "add and replace need a value";
    if (*kind == 'x' && !*path)
        return "remove needs a path";
    return NULL;
}

/* A whole resource's attributes (POST, PUT) through `set`; read-only ones
 * (schemas, id, meta, a user's groups) are ignored (7644 3.5.1). OK, or
 * answered. */
int scim_whole(scim_t *s, scim_set_fn set, void *ctx)
{
    request_rec *r = s->w->r;
    const char *key, *why, *type;
    json_t *v;

    json_object_foreach(s->body, key, v)
    {
        iam_scim_path_t path = {scim_attr_name(r->pool, key), NULL, NULL};
        if (!strcmp(path.attr, "schemas") || !strcmp(path.attr, "id") ||
            !strcmp(path.attr, "meta") || !strcmp(path.attr, "groups"))
            continue;
        if ((why = set(r->pool, ctx, 'b', &path, v, &type)))
            return scim_error(r, HTTP_BAD_REQUEST, type, why);
    }
    return OK;
}

/* A PATCH (7644 3.5.2) of resource `id`: every operation through `set`,
 * in order, before anything is written. An operation without a path sets
 * each attribute of its value (Okta's {"op": "replace", "value":
 * {"active": false}}; the resource's own id in it is skipped). OK, or
 * answered. */
int scim_patch(scim_t *s, const char *id, scim_set_fn set, void *ctx)
{
    request_rec *r = s->w->r;
    const char *key, *why = NULL, *type = "invalidValue", *path;
    json_t *ops = NULL, *op, *v, *value;
    iam_scim_path_t pp;
    size_t i;
    char kind;

    json_object_foreach(s->body, key, v)
    {
        if (!strcasecmp(key, "Operations"))
            ops = v;
        else if (strcasecmp(key, "schemas"))
            return scim_error(r, HTTP_BAD_REQUEST, "invalidSyntax",
                              "a PATCH holds schemas and Operations only");
    }
    if (!json_is_array(ops) || !json_array_size(ops) || json_array_size(ops) > SCIM_OPS_MAX)
        return scim_error(r, HTTP_BAD_REQUEST, "invalidSyntax",
                          "a PATCH needs Operations: an array of 1 to 1000 operations");
    json_array_foreach(ops, i, op)
    {
        if ((why = patch_op(op, &kind, &path, &value))) {
            type = "invalidSyntax";
        } else if (path) {
            if ((why = iam_scim_path_parse(r->pool, path, &pp)))
                type = "invalidPath";
            else
                why = set(r->pool, ctx, kind, &pp, value, &type);
        } else if (!json_is_object(value)) {
            why = "an operation without a path needs an object as its value";
        } else {
            json_object_foreach(value, key, v)
            {
                if ((why = iam_scim_path_parse(r->pool, key, &pp))) {
                    type = "invalidPath";
                    break;
                }
                if (!strcmp(pp.attr, "schemas") || (!strcmp(pp.attr, "id") && json_is_string(v) &&
                                                    !strcmp(json_string_value(v), id)))
                    continue;
                if ((why = set(r->pool, ctx, kind, &pp, v, &type)))
                    break;
            }
        }
        if (why)
            return scim_error(r, HTTP_BAD_REQUEST, type,
                              apr_psprintf(r->pool, "operation %d: %s", (int)i + 1, why));
    }
    return OK;
}

/* ---- lists: filter, paging, attributes ---- */

static apr_array_header_t *attr_list(apr_pool_t *p, const char *s)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    char *copy = apr_pstrdup(p, s), *last, *w;

    for (w = apr_strtok(copy, ",", &last); w; w = apr_strtok(NULL, ",", &last)) {
        while (*w == ' ')
            w++;
        if (*w)
            APR_ARRAY_PUSH(out, const char *) = scim_attr_name(p, w);
    }
    return out;
}

/* Whether `attr` (lower-cased, top level) is in the answer. */
int scim_wanted(const scim_query_t *q, const char *attr)
{
    size_t n = strlen(attr);
    int i;

    if (!strcmp(attr, "id") || !strcmp(attr, "schemas"))
        return 1; /* always returned */
    if (q->attributes) {
        for (i = 0; i < q->attributes->nelts; i++) {
            const char *a = APR_ARRAY_IDX(q->attributes, i, const char *);
            if (!strncmp(a, attr, n) && (!a[n] || a[n] == '.'))
                return 1;
        }
        return 0;
    }
    for (i = 0; q->excluded && i < q->excluded->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(q->excluded, i, const char *), attr))
            return 0;
    }
    return 1;
}

json_t *scim_project(const scim_query_t *q, json_t *res)
{
    const char *key;
    json_t *v;
    void *tmp;
    char lc[128];
    size_t i;

    json_object_foreach_safe(res, tmp, key, v)
    {
        for (i = 0; key[i] && i < sizeof(lc) - 1; i++)
            lc[i] = (char)apr_tolower(key[i]);
        lc[i] = 0;
        if (!scim_wanted(q, lc))
            json_object_del(res, key);
    }
    return res;
}

static int number_param(scim_t *s, const char *name, long dflt, long *out)
{
    const char *v = apr_table_get(s->w->query, name);
    char *end;

    *out = dflt;
    if (!v)
        return OK;
    errno = 0;
    *out = strtol(v, &end, 10);
    if (!*v || *end || errno || *out > 1000000000L || *out < -1000000000L)
        return scim_error(s->w->r, HTTP_BAD_REQUEST, "invalidValue",
                          apr_psprintf(s->w->r->pool, "%s must be a number", name));
    return OK;
}

/* A list's parameters (RFC 7644 3.4.2): OK, or answered. */
int scim_query(scim_t *s, scim_query_t *q)
{
    request_rec *r = s->w->r;
    const char *f = apr_table_get(s->w->query, "filter"), *a, *why;
    int rc;

    memset(q, 0, sizeof(*q));
    if (f && (why = iam_scim_filter_parse(r->pool, f, &q->filter)))
        return scim_error(r, HTTP_BAD_REQUEST, "invalidFilter", why);
    if ((rc = number_param(s, "startIndex", 1, &q->start)) != OK ||
        (rc = number_param(s, "count", SCIM_COUNT_DEFAULT, &q->count)) != OK)
        return rc;
    if (q->start < 1) /* less than 1 is 1; a negative count is 0 (3.4.2.4) */
        q->start = 1;
    if (q->count < 0)
        q->count = 0;
    if (q->count > SCIM_COUNT_MAX) /* the provider may return fewer */
        q->count = SCIM_COUNT_MAX;
    if ((a = apr_table_get(s->w->query, "attributes")) && *a)
        q->attributes = attr_list(r->pool, a);
    if ((a = apr_table_get(s->w->query, "excludedAttributes")) && *a)
        q->excluded = attr_list(r->pool, a);
    return OK;
}

/* Whether filter f names an attribute of `attr` (a group's members). */
static int filter_names(const iam_scim_filter_t *f, const char *attr)
{
    size_t n = strlen(attr);

    if (!f)
        return 0;
    if ((f->kind == IAM_SCIM_F_CMP || f->kind == IAM_SCIM_F_HAS) && !strncmp(f->attr, attr, n) &&
        (!f->attr[n] || f->attr[n] == '.'))
        return 1;
    return filter_names(f->a, attr) || filter_names(f->b, attr);
}

/* The list answer (7644 3.4.2): one page of what matches. Without a
 * filter, a page is read as it stands; `id eq`, and userName or a
 * group's displayName `eq` (the lookup identity providers make before
 * every create), are one read; any other filter reads each resource in
 * turn and matches it. */
int scim_list(scim_t *s, const scim_type_t *type, const scim_query_t *q)
{
    request_rec *r = s->w->r;
    apr_array_header_t *page = apr_array_make(r->pool, 16, sizeof(json_t *));
    const char *name_attr = type->kind == IAM_ID_MEMBER ? "username" : "displayname";
    const char *by_id = iam_scim_filter_eq(q->filter, "id");
    const char *by_name = iam_scim_filter_eq(q->filter, name_attr);
    int members = type->kind == IAM_ID_GROUP &&
                  (scim_wanted(q, "members") || filter_names(q->filter, "members"));
    long total = 0, matched = 0;
    json_t *res, *list;
    iam_err_t err;
    int i;

    if (!q->filter) {
        apr_array_header_t *got;
        const char *next;
        if (iam_store_scim_list(s->w->st, r->pool, type->kind, NULL, q->start - 1, (int)q->count,
                                members, &got, &next, &total, &err) != IAM_OK)
            return scim_store_error(r, &err);
        for (i = 0; i < got->nelts; i++)
            APR_ARRAY_PUSH(page, json_t *) =
                scim_project(q, type->to_json(s, APR_ARRAY_IDX(got, i, iam_scim_entry_t *)));
    } else if (by_id || by_name) {
        iam_scim_entry_t e;
        switch (
            iam_store_scim_get(s->w->st, r->pool, type->kind, by_id, by_name, members, &e, &err)) {
        case IAM_OK:
            res = type->to_json(s, &e);
            if (iam_scim_filter_match(q->filter, res)) {
                total = 1;
                if (q->start == 1 && q->count > 0)
                    APR_ARRAY_PUSH(page, json_t *) = scim_project(q, res);
                else
                    json_decref(res);
            } else {
                json_decref(res);
            }
            break;
        case IAM_NOTFOUND: break;
        default: return scim_store_error(r, &err);
        }
    } else {
        const char *after = NULL;
        do {
            apr_array_header_t *got;
            apr_pool_t *chunk;
            apr_pool_create(&chunk, r->pool);
            if (iam_store_scim_list(s->w->st, chunk, type->kind, after, 0, 200, members, &got,
                                    &after, NULL, &err) != IAM_OK)
                return scim_store_error(r, &err);
            after = after ? apr_pstrdup(r->pool, after) : NULL;
            for (i = 0; i < got->nelts; i++) {
                res = type->to_json(s, APR_ARRAY_IDX(got, i, iam_scim_entry_t *));
                if (res && iam_scim_filter_match(q->filter, res)) {
                    matched++;
                    if (matched >= q->start && page->nelts < q->count) {
                        APR_ARRAY_PUSH(page, json_t *) = scim_project(q, res);
                        continue;
                    }
                }
                json_decref(res);
            }
            apr_pool_destroy(chunk);
        } while (after);
        total = matched;
    }
    list = json_array();
    for (i = 0; i < page->nelts; i++)
        json_array_append_new(list, APR_ARRAY_IDX(page, i, json_t *));
    return scim_send(r, HTTP_OK,
                     json_pack("{s:[s],s:I,s:I,s:I,s:o}", "schemas", SCIM_LIST_SCHEMA,
                               "totalResults", (json_int_t)total, "startIndex",
                               (json_int_t)q->start, "itemsPerPage", (json_int_t)page->nelts,
                               "Resources", list));
}

/* ---- discovery: what this provider does (7644 4) ---- */

static int service_provider_config(scim_t *s)
{
    return scim_send(
        s->w->r, HTTP_OK,
        json_pack("{s:[s],s:{s:b},s:{s:b,s:i,s:i},s:{s:b,s:i},s:{s:b},s:{s:b},s:{s:b},s:[{s:s,s:"
                  "s,s:s,s:b}],s:{s:s,s:s}}",
                  "schemas", "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig", "patch",
                  "supported", 1, "bulk", "supported", 0, "maxOperations", 0, "maxPayloadSize",
                  SCIM_BODY_MAX, "filter", "supported", 1, "maxResults", SCIM_COUNT_MAX,
                  "changePassword", "supported", 0, "sort", "supported", 0, "etag", "supported", 0,
                  "authenticationSchemes", "type", "oauthbearertoken", "name", "OAuth Bearer Token",
                  "description",
                  "A token a Workspace Owner made for an identity provider on the console's "
                  "Tokens tab, sent as Authorization: Bearer",
                  "primary", 1, "meta", "resourceType", "ServiceProviderConfig", "location",
                  scim_location(s, "ServiceProviderConfig", NULL)));
}

static json_t *resource_type(scim_t *s, const char *name)
{
    int user = !strcmp(name, "User");

    return json_pack("{s:[s],s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "schemas",
                     "urn:ietf:params:scim:schemas:core:2.0:ResourceType", "id", name, "name", name,
                     "endpoint", user ? "/Users" : "/Groups", "description",
                     user ? "A member of the workspace" : "A user group of the workspace", "schema",
                     user ? SCIM_USER_SCHEMA : SCIM_GROUP_SCHEMA, "meta", "resourceType",
                     "ResourceType", "location", scim_location(s, "ResourceTypes", name));
}

/* An attribute's definition (RFC 7643 7). */
static json_t *attr_def(const char *name, const char *type, int multi, int required,
                        const char *mutability, const char *uniqueness, json_t *subs)
{
    json_t *a =
        json_pack("{s:s,s:s,s:b,s:b,s:b,s:s,s:s,s:s}", "name", name, "type", type, "multiValued",
                  multi, "required", required, "caseExact",
                  !strcmp(name, "id") || !strcmp(name, "externalId") || !strcmp(name, "value"),
                  "mutability", mutability, "returned", "default", "uniqueness", uniqueness);

    if (subs)
        json_object_set_new(a, "subAttributes", subs);
    return a;
}

static json_t *schema(scim_t *s, const char *id)
{
    int user = !strcmp(id, SCIM_USER_SCHEMA);
    json_t *attrs = json_array();

    if (user) {
        json_array_append_new(attrs,
                              attr_def("userName", "string", 0, 1, "readWrite", "server", NULL));
        json_array_append_new(
            attrs,
            attr_def("name", "complex", 0, 0, "readWrite", "none",
                     json_pack("[o,o,o]",
                               attr_def("formatted", "string", 0, 0, "readWrite", "none", NULL),
                               attr_def("givenName", "string", 0, 0, "readWrite", "none", NULL),
                               attr_def("familyName", "string", 0, 0, "readWrite", "none", NULL))));
        json_array_append_new(attrs,
                              attr_def("displayName", "string", 0, 0, "readWrite", "none", NULL));
        json_array_append_new(
            attrs,
            attr_def("emails", "complex", 1, 0, "readWrite", "none",
                     json_pack("[o,o,o]",
                               attr_def("value", "string", 0, 0, "readWrite", "none", NULL),
                               attr_def("type", "string", 0, 0, "readWrite", "none", NULL),
                               attr_def("primary", "boolean", 0, 0, "readWrite", "none", NULL))));
        json_array_append_new(attrs,
                              attr_def("active", "boolean", 0, 0, "readWrite", "none", NULL));
        json_array_append_new(
            attrs,
            attr_def("groups", "complex", 1, 0, "readOnly", "none",
                     json_pack("[o,o]", attr_def("value", "string", 0, 0, "readOnly", "none", NULL),
                               attr_def("display", "string", 0, 0, "readOnly", "none", NULL))));
    } else {
        json_array_append_new(attrs,
                              attr_def("displayName", "string", 0, 1, "readWrite", "server", NULL));
        json_array_append_new(
            attrs,
            attr_def("members", "complex", 1, 0, "readWrite", "none",
                     json_pack("[o,o]",
                               attr_def("value", "string", 0, 0, "immutable", "none", NULL),
                               attr_def("display", "string", 0, 0, "readOnly", "none", NULL))));
    }
    return json_pack("{s:[s],s:s,s:s,s:s,s:o,s:{s:s,s:s}}", "schemas",
                     "urn:ietf:params:scim:schemas:core:2.0:Schema", "id", id, "name",
                     user ? "User" : "Group", "description",
                     user ? "A member of the workspace" : "A user group", "attributes", attrs,
                     "meta", "resourceType", "Schema", "location", scim_location(s, "Schemas", id));
}

/* A list of the given resources, all of them on one page. */
static int whole_list(scim_t *s, json_t *a, json_t *b)
{
    return scim_send(s->w->r, HTTP_OK,
                     json_pack("{s:[s],s:i,s:i,s:i,s:[o,o]}", "schemas", SCIM_LIST_SCHEMA,
                               "totalResults", 2, "startIndex", 1, "itemsPerPage", 2, "Resources",
                               a, b));
}

static int discovery(scim_t *s, const char *rest)
{
    request_rec *r = s->w->r;

    if (r->method_number != M_GET)
        return scim_error(r, HTTP_METHOD_NOT_ALLOWED, NULL,
                          apr_psprintf(r->pool, "%s is not allowed here", r->method));
    if (!strcmp(rest, "ServiceProviderConfig"))
        return service_provider_config(s);
    if (!strcmp(rest, "ResourceTypes"))
        return whole_list(s, resource_type(s, "User"), resource_type(s, "Group"));
    if (!strcmp(rest, "ResourceTypes/User") || !strcmp(rest, "ResourceTypes/Group"))
        return scim_send(r, HTTP_OK, resource_type(s, rest + 14));
    if (!strcmp(rest, "Schemas"))
        return whole_list(s, schema(s, SCIM_USER_SCHEMA), schema(s, SCIM_GROUP_SCHEMA));
    if (!strcmp(rest, "Schemas/" SCIM_USER_SCHEMA) || !strcmp(rest, "Schemas/" SCIM_GROUP_SCHEMA))
        return scim_send(r, HTTP_OK, schema(s, rest + 8));
    return scim_error(r, HTTP_NOT_FOUND, NULL, "no such resource type or schema");
}

/* ---- the way in ---- */

/* The identity provider's token: OK with w->actor set, or answered. */
static int scim_token(scim_t *s)
{
    request_rec *r = s->w->r;
    const char *bearer = iam_web_bearer(r);
    iam_token_t *tok;
    iam_err_t err;

    if (!bearer) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate", "Bearer realm=\"mod_iam SCIM\"");
        return scim_error(r, HTTP_UNAUTHORIZED, NULL,
                          "SCIM takes a token made for an identity provider, as "
                          "Authorization: Bearer");
    }
    switch (iam_store_token_check(s->w->st, r->pool, bearer, &tok, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
        iam_log_r(r, APLOG_WARNING, 0, "SCIM token refused: %s", err.msg);
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       "Bearer realm=\"mod_iam SCIM\", error=\"invalid_token\"");
        return scim_error(r, HTTP_UNAUTHORIZED, NULL, "the token is unknown, revoked or malformed");
    default:
        iam_log_r(r, APLOG_ERR, 0, "SCIM token: %s", err.msg);
        return scim_error(r, HTTP_INTERNAL_SERVER_ERROR, NULL,
                          "The access store is not usable; the error log says why.");
    }
    if (strcmp(tok->scope, IAM_TOKEN_SCIM)) {
        iam_log_r(r, APLOG_WARNING, 0, "API token %s refused on SCIM: it is for the JSON API",
                  tok->id);
        return scim_error(r, HTTP_FORBIDDEN, NULL,
                          "this token is for the JSON API: SCIM takes a token made for an "
                          "identity provider");
    }
    if (tok->last_used + 60 < (long long)apr_time_sec(apr_time_now()))
        iam_touch(r, IAM_TOUCH_TOKEN, tok->id);
    s->w->actor = apr_pstrcat(r->pool, "scim:", tok->id, NULL);
    return OK;
}

int iam_scim_handle(iam_web_t *w)
{
    request_rec *r = w->r;
    const char *rest;
    scim_t s = {w, NULL};
    iam_err_t err;
    int rc;

    if (strncmp(w->sub, "scim/v2", 7) || (w->sub[7] && w->sub[7] != '/'))
        return scim_error(r, HTTP_NOT_FOUND, NULL, "SCIM lives under scim/v2/");
    rest = w->sub + 7 + (w->sub[7] == '/');
    if (!(w->st = iam_request_store(r)))
        return scim_error(r, HTTP_INTERNAL_SERVER_ERROR, NULL,
                          "The access store is not usable; the error log says why.");
    if ((rc = scim_token(&s)) != OK)
        return rc;
    /* a store of an older release: its members and groups get their ids */
    if (!iam_store_ids_complete(w->st) && iam_store_ids_fill(w->st, "system", &err) != IAM_OK)
        return scim_store_error(r, &err);
    if (!strcmp(rest, "Users") || !strncmp(rest, "Users/", 6))
        return scim_users(&s, rest[5] ? rest + 6 : NULL);
    if (!strcmp(rest, "Groups") || !strncmp(rest, "Groups/", 7))
        return scim_groups(&s, rest[6] ? rest + 7 : NULL);
    return discovery(&s, rest);
}
