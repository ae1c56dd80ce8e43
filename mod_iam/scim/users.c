/* mod_iam SCIM: Users. A user is a member: userName their login, the
 * primary email their email, displayName (or name.formatted, or given and
 * family name) their name, active whether they are suspended; id is
 * mod_iam's own and stays through renames. What SCIM's User schema holds
 * and mod_iam keeps no copy of (phone numbers, titles, the enterprise
 * extension) is accepted and not kept; an attribute no schema has is
 * refused. */
#include "scim_int.h"

#include <strings.h>

/* Attributes of the User schemas that mod_iam takes and does not keep. */
static const char *const not_kept[] = {
    "nickname",  "profileurl",   "title",    "usertype",     "preferredlanguage",
    "locale",    "timezone",     "password", "ims",          "photos",
    "addresses", "entitlements", "roles",    "phonenumbers", "x509certificates",
    NULL};

static int not_kept_attr(const char *a)
{
    int i;

    if (!strncasecmp(a, SCIM_ENTERPRISE, strlen(SCIM_ENTERPRISE)))
        return 1;
    for (i = 0; not_kept[i]; i++) {
        if (!strcmp(a, not_kept[i]))
            return 1;
    }
    return 0;
}

json_t *scim_user_json(scim_t *s, const iam_scim_entry_t *e)
{
    const iam_member_t *m = e->member;
    json_t *j = json_pack("{s:[s],s:s}", "schemas", SCIM_USER_SCHEMA, "id", e->id->id);
    json_t *groups = json_array();
    int i;

    if (*e->id->external_id)
        json_object_set_new(j, "externalId", json_string(e->id->external_id));
    json_object_set_new(j, "userName", json_string(m->login));
    if (*m->name) {
        json_object_set_new(j, "name", json_pack("{s:s}", "formatted", m->name));
        json_object_set_new(j, "displayName", json_string(m->name));
    }
    if (*m->email)
        json_object_set_new(
            j, "emails",
            json_pack("[{s:s,s:s,s:b}]", "value", m->email, "type", "work", "primary", 1));
    json_object_set_new(j, "active", json_boolean(m->status != IAM_SUSPENDED));
    for (i = 0; i < e->links->nelts; i++) {
        const iam_scim_id_t *g = APR_ARRAY_IDX(e->links, i, const iam_scim_id_t *);
        json_array_append_new(groups, json_pack("{s:s,s:s,s:s}", "value", g->id, "display", g->name,
                                                "$ref", scim_location(s, "Groups", g->id)));
    }
    json_object_set_new(j, "groups", groups);
    json_object_set_new(j, "meta", scim_meta(s, "User", e->id->id, m->created));
    return j;
}

static const scim_type_t users = {IAM_ID_MEMBER, scim_user_json};

/* What a write says of a user, before it becomes a store spec: NULL
 * leaves a field, "" clears it. */
typedef struct {
    const char *login, *email, *external_id, *display, *formatted, *given, *family;
    int active;
} user_t;

static const char *string_of(apr_pool_t *p, json_t *v, const char *attr, const char **out)
{
    if (json_is_null(v)) {
        *out = "";
        return NULL;
    }
    if (!json_is_string(v))
        return apr_psprintf(p, "%s must be a string", attr);
    *out = json_string_value(v);
    return NULL;
}

/* The email of an emails value: the primary one, else a work one, else
 * the first ("": none). */
static const char *emails_of(apr_pool_t *p, json_t *v, const char **out)
{
    json_t *e, *pick = NULL, *val;
    size_t i;
    int primary;

    if (json_is_object(v)) /* one email, not in an array */
        pick = v;
    else if (!json_is_array(v))
        return "emails must be an array";
    json_array_foreach(v, i, e)
    {
        if (!json_is_object(e))
            return "each email must be an object";
        if (scim_bool(json_object_get(e, "primary"), &primary) == 0 && primary)
            pick = e;
        else if (!pick && json_is_string(json_object_get(e, "type")) &&
                 !strcasecmp(json_string_value(json_object_get(e, "type")), "work"))
            pick = e;
    }
    if (!pick && json_array_size(v))
        pick = json_array_get(v, 0);
    if (!pick) {
        *out = "";
        return NULL;
    }
    val = json_object_get(pick, "value");
    return string_of(p, val ? val : json_null(), "an email's value", out);
}

static const char *name_of(apr_pool_t *p, json_t *v, user_t *u)
{
    const char *key, *why = NULL;
    json_t *x;

    if (json_is_null(v)) {
        u->formatted = u->given = u->family = "";
        return NULL;
    }
    if (!json_is_object(v))
        return "name must be an object";
    json_object_foreach(v, key, x)
    {
        if (!strcasecmp(key, "formatted"))
            why = string_of(p, x, "name.formatted", &u->formatted);
        else if (!strcasecmp(key, "givenName"))
            why = string_of(p, x, "name.givenName", &u->given);
        else if (!strcasecmp(key, "familyName"))
            why = string_of(p, x, "name.familyName", &u->family);
        else if (strcasecmp(key, "middleName") && strcasecmp(key, "honorificPrefix") &&
                 strcasecmp(key, "honorificSuffix"))
            why = apr_psprintf(p, "name has no attribute \"%s\"", key);
        if (why)
            return why;
    }
    return NULL;
}

/* Sets one attribute (a, lower-cased; sub, NULL or lower-cased) of u, as
 * op `kind` says ('a' add, 'r' replace, 'x' remove; 'b' a whole body's,
 * replaced). NULL, or why not, with *type the scimType. */
static const char *set_user_attr(apr_pool_t *p, void *ctx, char kind, const iam_scim_path_t *path,
                                 json_t *v, const char **type)
{
    user_t *u = ctx;
    const char *a = path->attr, *sub = path->sub;
    json_t *none = json_null();

    *type = "invalidValue";
    if (kind == 'x')
        v = none;
    if (!strcmp(a, "username")) {
        if (kind == 'x' || json_is_null(v)) {
            *type = "mutability";
            return "userName is required: it cannot be removed";
        }
        return string_of(p, v, "userName", &u->login);
    }
    if (!strcmp(a, "externalid"))
        return string_of(p, v, "externalId", &u->external_id);
    if (!strcmp(a, "displayname"))
        return string_of(p, v, "displayName", &u->display);
    if (!strcmp(a, "name") && !sub)
        return name_of(p, v, u);
    if (!strcmp(a, "name") && !strcmp(sub, "formatted"))
        return string_of(p, v, "name.formatted", &u->formatted);
    if (!strcmp(a, "name") && !strcmp(sub, "givenname"))
        return string_of(p, v, "name.givenName", &u->given);
    if (!strcmp(a, "name") && !strcmp(sub, "familyname"))
        return string_of(p, v, "name.familyName", &u->family);
    if (!strcmp(a, "name"))
        return NULL; /* middleName and the honorifics: not kept */
    if (!strcmp(a, "emails")) {
        if (json_is_null(v))
            u->email = "";
        else if (sub && !strcmp(sub, "value"))
            return string_of(p, v, "emails.value", &u->email);
        else if (!sub)
            return emails_of(p, v, &u->email);
        return NULL; /* an email's type or primary flag: there is one email */
    }
    if (!strcmp(a, "active")) {
        if (scim_bool(v, &u->active)) {
            return "active must be true or false";
        }
        return NULL;
    }
    if (not_kept_attr(a))
        return NULL;
    if (!strcmp(a, "id") || !strcmp(a, "meta") || !strcmp(a, "groups")) {
        *type = "mutability";
        return apr_psprintf(p, "%s is read-only", a);
    }
    *type = kind == 'b' ? "invalidSyntax" : "invalidPath";
    return apr_psprintf(p, "a User has no attribute \"%s%s%s\"", a, sub ? "." : "", sub ? sub : "");
}

/* The member's name from what the request said: displayName, else
 * name.formatted, else (`parts`) the given and family names; NULL: not
 * said. mod_iam keeps one name: a PATCH of a given or family name alone
 * (without the rest of it) leaves it as it is. */
static const char *name_said(apr_pool_t *p, const user_t *u, int parts)
{
    if (u->display && *u->display)
        return u->display;
    if (u->formatted && *u->formatted)
        return u->formatted;
    if (!parts)
        return u->display || u->formatted ? "" : NULL;
    if ((u->given && *u->given) || (u->family && *u->family))
        return apr_pstrcat(p, u->given ? u->given : "",
                           u->given && *u->given && u->family && *u->family ? " " : "",
                           u->family ? u->family : "", NULL);
    if (u->display || u->formatted || u->given || u->family)
        return "";
    return NULL;
}

/* A whole user (POST, PUT) into u: OK, or answered. */
static int user_body(scim_t *s, user_t *u)
{
    int rc;

    memset(u, 0, sizeof(*u));
    u->active = -1;
    if ((rc = scim_whole(s, set_user_attr, u)) != OK)
        return rc;
    if (!u->login)
        return scim_error(s->w->r, HTTP_BAD_REQUEST, "invalidValue", "userName is required");
    return OK;
}

static int answer_user(scim_t *s, const iam_scim_id_t *id, int status)
{
    request_rec *r = s->w->r;
    iam_scim_entry_t e;
    iam_err_t err;

    if (iam_store_scim_get(s->w->st, r->pool, IAM_ID_MEMBER, id->id, NULL, 0, &e, &err) != IAM_OK)
        return scim_store_error(r, &err);
    if (status == HTTP_CREATED)
        apr_table_setn(r->headers_out, "Location", scim_location(s, "Users", id->id));
    return scim_send(r, status, scim_user_json(s, &e));
}

static int write_user(scim_t *s, const char *id, const user_t *u, int put)
{
    request_rec *r = s->w->r;
    iam_scim_user_spec_t sp;
    iam_scim_id_t *out;
    iam_err_t err;

    sp.id = id;
    sp.login = u->login;
    sp.email = u->email ? u->email : put ? "" : NULL;
    sp.name = name_said(r->pool, u, !id || put);
    if (!sp.name && put)
        sp.name = "";
    sp.external_id = u->external_id ? u->external_id : put ? "" : NULL;
    sp.active = u->active;
    if (iam_store_scim_user_put(s->w->st, s->w->actor, &sp, r->pool, &out, &err) != IAM_OK)
        return scim_store_error(r, &err);
    iam_log_r(r, APLOG_INFO, 0, "scim: %s user %s ('%s')", !id ? "made" : "changed", out->id,
              out->name);
    return answer_user(s, out, id ? HTTP_OK : HTTP_CREATED);
}

int scim_users(scim_t *s, const char *id)
{
    request_rec *r = s->w->r;
    scim_query_t q;
    iam_scim_entry_t e;
    iam_err_t err;
    user_t u;
    int rc;

    if (id && (!*id || strchr(id, '/')))
        return scim_error(r, HTTP_NOT_FOUND, NULL, "no such user");
    switch (r->method_number) {
    case M_GET:
        if ((rc = scim_query(s, &q)) != OK)
            return rc;
        if (!id)
            return scim_list(s, &users, &q);
        if (iam_store_scim_get(s->w->st, r->pool, IAM_ID_MEMBER, id, NULL, 0, &e, &err) != IAM_OK)
            return scim_store_error(r, &err);
        return scim_send(r, HTTP_OK, scim_project(&q, scim_user_json(s, &e)));
    case M_POST:
        if (id)
            break;
        if ((rc = scim_read_body(s)) != OK || (rc = user_body(s, &u)) != OK)
            return rc;
        return write_user(s, NULL, &u, 0);
    case M_PUT:
        if (!id)
            break;
        if ((rc = scim_read_body(s)) != OK || (rc = user_body(s, &u)) != OK)
            return rc;
        return write_user(s, id, &u, 1);
    case M_PATCH:
        if (!id)
            break;
        memset(&u, 0, sizeof(u));
        u.active = -1;
        if ((rc = scim_read_body(s)) != OK || (rc = scim_patch(s, id, set_user_attr, &u)) != OK)
            return rc;
        return write_user(s, id, &u, 0);
    case M_DELETE:
        if (!id)
            break;
        if (iam_store_scim_delete(s->w->st, s->w->actor, IAM_ID_MEMBER, id, &err) != IAM_OK)
            return scim_store_error(r, &err);
        iam_log_r(r, APLOG_INFO, 0, "scim: removed user %s", id);
        r->status = HTTP_NO_CONTENT;
        return DONE;
    default: break;
    }
    return scim_error(r, HTTP_METHOD_NOT_ALLOWED, NULL,
                      apr_psprintf(r->pool, "%s is not allowed here", r->method));
}
