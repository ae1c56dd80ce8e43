/* mod_iam: text and JSON forms of records, shared by iamctl, the console
 * and the JSON API. */
#include "iam_present.h"

#include <apr_strings.h>
#include <string.h>
#include <time.h>

/* ---- text ---- */

const char *iam_time_text(apr_pool_t *p, long long t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;

    if (!t || !gmtime_r(&tt, &tm))
        return "";
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return apr_pstrdup(p, buf);
}

long long iam_time_parse(const char *s)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (!s || !*s || !strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return 0;
    return (long long)timegm(&tm);
}

const char *iam_role_name(const iam_roles_t *roles, const char *slug)
{
    const iam_role_t *r = iam_roles_find(roles, slug);
    return r ? r->name : slug;
}

const char *iam_grant_scope_text(apr_pool_t *p, const iam_grant_t *g)
{
    const char *s = "";
    int i;

    if (g->scope == IAM_SCOPE_ALL)
        return "all";
    for (i = 0; i < g->nitems; i++)
        s = apr_pstrcat(p, s, i ? " " : "", g->items[i], NULL);
    return s;
}

const char *iam_grant_text(apr_pool_t *p, const iam_roles_t *roles, const iam_grant_t *g)
{
    if (g->scope == IAM_SCOPE_ALL)
        return apr_psprintf(p, "%s on all", iam_role_name(roles, g->role));
    return apr_psprintf(p, "%s on %s %s", iam_role_name(roles, g->role),
                        g->scope == IAM_SCOPE_LABELS ? "labels" : "resources",
                        iam_grant_scope_text(p, g));
}

const char *iam_names_text(apr_pool_t *p, const apr_array_header_t *a)
{
    return a && a->nelts ? apr_array_pstrcat(p, a, ',') : "-";
}

const char *iam_roles_summary(apr_pool_t *p, const iam_roles_t *roles, const iam_member_t *m)
{
    apr_array_header_t *names = apr_array_make(p, 4, sizeof(const char *));
    int i;

    for (i = 0; i < m->grants->nelts; i++)
        APR_ARRAY_PUSH(names, const char *) =
            iam_role_name(roles, APR_ARRAY_IDX(m->grants, i, iam_grant_t).role);
    return names->nelts ? apr_array_pstrcat(p, names, ',') : "Workspace Member";
}

const char *iam_scopes_text(const iam_role_t *r)
{
    if (r->kind != IAM_ROLE_PLAIN || r->all_only)
        return "all";
    return "all, resource, label";
}

int iam_grants_owner(const apr_array_header_t *grants)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(grants, i, iam_grant_t).role, "workspace-owner"))
            return 1;
    }
    return 0;
}

/* ---- JSON out ---- */

json_t *iam_json_grant(const iam_grant_t *g)
{
    json_t *o = json_object(), *items;
    int i;

    json_object_set_new(o, "role", json_string(g->role));
    json_object_set_new(o, "scope", json_string(iam_scope_name(g->scope)));
    if (g->scope != IAM_SCOPE_ALL) {
        items = json_array();
        for (i = 0; i < g->nitems; i++)
            json_array_append_new(items, json_string(g->items[i]));
        json_object_set_new(o, g->scope == IAM_SCOPE_LABELS ? "labels" : "resources", items);
    }
    return o;
}

json_t *iam_json_grants(const apr_array_header_t *grants)
{
    json_t *a = json_array();
    int i;

    for (i = 0; i < grants->nelts; i++)
        json_array_append_new(a, iam_json_grant(&APR_ARRAY_IDX(grants, i, iam_grant_t)));
    return a;
}

json_t *iam_json_names(const apr_array_header_t *names)
{
    json_t *a = json_array();
    int i;

    for (i = 0; names && i < names->nelts; i++)
        json_array_append_new(a, json_string(APR_ARRAY_IDX(names, i, const char *)));
    return a;
}

json_t *iam_json_member(apr_pool_t *p, const iam_member_t *m)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:o, s:o}", "login", m->login,
                     "email", m->email, "name", m->name, "status",
                     iam_member_status_name(m->status), "owner", iam_grants_owner(m->grants), "pii",
                     m->pii, "provisioned", m->provisioned, "created", iam_time_text(p, m->created),
                     "groups", iam_json_names(m->groups), "grants", iam_json_grants(m->grants));
}

json_t *iam_json_group(apr_pool_t *p, const iam_group_t *g, int with_members)
{
    json_t *o = json_pack("{s:s, s:b, s:s, s:i, s:o}", "name", g->name, "pii", g->pii, "created",
                          iam_time_text(p, g->created), "member_count",
                          g->members ? g->members->nelts : 0, "grants", iam_json_grants(g->grants));
    if (o && with_members)
        json_object_set_new(o, "members", iam_json_names(g->members));
    return o;
}

json_t *iam_json_role(const iam_role_t *r, iam_plan_e plan)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:b, s:b}", "slug", r->slug, "name", r->name,
                     "type", r->type, "level",
                     r->kind == IAM_ROLE_OWNER    ? "owner"
                     : r->kind == IAM_ROLE_MEMBER ? "member"
                                                  : iam_level_name(r->level),
                     "scopes", iam_scopes_text(r), "custom", r->custom, "plan_allows",
                     iam_plan_allows_role(plan, r));
}

json_t *iam_json_audit(apr_pool_t *p, const iam_audit_t *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)a->seq, "time",
                     iam_time_text(p, a->time), "actor", a->actor, "action", a->action, "target",
                     a->target, "before", a->before, "after", a->after);
}

json_t *iam_json_token(apr_pool_t *p, const iam_token_t *t)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", t->id, "description",
                          t->description, "creator", t->creator, "owner", t->owner, "created",
                          iam_time_text(p, t->created), "last_used", iam_time_text(p, t->last_used),
                          "alive", !t->dead, "scope", t->scope ? t->scope : IAM_TOKEN_API);

    if (j && t->dead) {
        json_object_set_new(j, "dead", json_string(iam_time_text(p, t->dead)));
        json_object_set_new(j, "dead_why", json_string(t->dead_why));
    }
    return j;
}

/* ---- JSON in ---- */

const char *iam_json_get_str(json_t *o, const char *key, int required, const char **out,
                             apr_pool_t *p)
{
    json_t *v = json_object_get(o, key);

    *out = NULL;
    if (!v)
        return required ? apr_psprintf(p, "missing \"%s\"", key) : NULL;
    if (!json_is_string(v))
        return apr_psprintf(p, "\"%s\" must be a string", key);
    *out = apr_pstrdup(p, json_string_value(v));
    if (strlen(*out) != json_string_length(v))
        return apr_psprintf(p, "\"%s\" holds a NUL byte", key);
    return NULL;
}

const char *iam_json_get_bool(json_t *o, const char *key, int *out)
{
    json_t *v = json_object_get(o, key);

    if (!v)
        return NULL;
    if (!json_is_boolean(v))
        return !strcmp(key, "pii")           ? "\"pii\" must be true or false"
               : !strcmp(key, "provisioned") ? "\"provisioned\" must be true or false"
                                             : "a flag must be true or false";
    *out = json_is_true(v);
    return NULL;
}

const char *iam_json_get_names(json_t *o, const char *key, apr_pool_t *p, apr_array_header_t **out)
{
    json_t *a = json_object_get(o, key), *v;
    size_t i;

    *out = NULL;
    if (!a)
        return NULL;
    if (!json_is_array(a))
        return apr_psprintf(p, "\"%s\" must be an array of strings", key);
    *out = apr_array_make(p, (int)json_array_size(a) + 1, sizeof(const char *));
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return apr_psprintf(p, "\"%s\" must be an array of strings", key);
        APR_ARRAY_PUSH(*out, const char *) = apr_pstrdup(p, json_string_value(v));
    }
    return NULL;
}

const char *iam_json_get_grants(json_t *o, apr_pool_t *p, apr_array_header_t **out)
{
    json_t *a = json_object_get(o, "grants"), *g;
    size_t i, j;

    *out = NULL;
    if (!a)
        return NULL;
    if (!json_is_array(a))
        return "\"grants\" must be an array";
    *out = apr_array_make(p, 4, sizeof(iam_grant_t));
    json_array_foreach(a, i, g)
    {
        iam_grant_t *gr = apr_array_push(*out);
        const char *scope, *err;
        json_t *items, *it;
        const char *key;
        json_t *val;
        if (!json_is_object(g))
            return "a grant must be an object";
        json_object_foreach(g, key, val)
        {
            (void)val;
            if (strcmp(key, "role") && strcmp(key, "scope") && strcmp(key, "resources") &&
                strcmp(key, "labels"))
                return apr_psprintf(p, "unknown field \"%s\" in a grant", key);
        }
        if ((err = iam_json_get_str(g, "role", 1, &gr->role, p)) ||
            (err = iam_json_get_str(g, "scope", 1, &scope, p)))
            return err;
        if (!strcmp(scope, "all"))
            gr->scope = IAM_SCOPE_ALL;
        else if (!strcmp(scope, "resources"))
            gr->scope = IAM_SCOPE_RESOURCES;
        else if (!strcmp(scope, "labels"))
            gr->scope = IAM_SCOPE_LABELS;
        else
            return apr_psprintf(p, "unknown scope \"%s\" (all, resources or labels)", scope);
        gr->nitems = 0;
        gr->items = NULL;
        if (gr->scope == IAM_SCOPE_ALL) {
            if (json_object_get(g, "resources") || json_object_get(g, "labels"))
                return apr_psprintf(p,
                                    "the grant of %s on all resources names none: drop "
                                    "\"resources\" and \"labels\", or change the scope",
                                    gr->role);
            continue;
        }
        if (json_object_get(g, gr->scope == IAM_SCOPE_LABELS ? "resources" : "labels"))
            return apr_psprintf(p, "a grant on %s takes \"%s\" only", iam_scope_name(gr->scope),
                                gr->scope == IAM_SCOPE_LABELS ? "labels" : "resources");
        items = json_object_get(g, gr->scope == IAM_SCOPE_LABELS ? "labels" : "resources");
        if (!json_is_array(items))
            return apr_psprintf(p, "the grant of %s needs a \"%s\" array", gr->role,
                                gr->scope == IAM_SCOPE_LABELS ? "labels" : "resources");
        if (json_array_size(items) > IAM_MAX_ITEMS)
            return apr_psprintf(p, "a grant names at most %d resources or labels", IAM_MAX_ITEMS);
        gr->items = apr_pcalloc(p, sizeof(char *) * (json_array_size(items) + 1));
        json_array_foreach(items, j, it)
        {
            if (!json_is_string(it) || strlen(json_string_value(it)) != json_string_length(it))
                return "grant items must be strings";
            gr->items[gr->nitems++] = apr_pstrdup(p, json_string_value(it));
        }
    }
    return NULL;
}

const char *iam_label_from(const iam_label_t *l)
{
    return l->builtin ? "built in" : l->made ? "workspace" : "httpd.conf";
}

json_t *iam_json_label(apr_pool_t *p, const iam_label_t *l)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:i, s:i}", "label", l->label, "description",
                          l->description, "from", iam_label_from(l), "declared", l->declared,
                          "resources", l->resources, "grants", l->grants);

    if (o && l->more)
        json_object_set_new(o, "grants_more", json_true());
    if (o && l->made) {
        json_object_set_new(o, "created_by", json_string(l->creator));
        json_object_set_new(o, "created", json_string(iam_time_text(p, l->created)));
    }
    return o;
}

json_t *iam_json_resource(apr_pool_t *p, const iam_known_t *k)
{
    json_t *all = json_array(), *given = json_array(), *o;
    int i;

    for (i = 0; i < k->res.nlabels; i++) {
        json_array_append_new(all, json_string(k->res.labels[i]));
        if (k->from && k->from[i])
            json_array_append_new(given, json_string(k->res.labels[i]));
    }
    o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:b, s:b, s:b, s:b}", "type", k->res.type, "name",
                  k->res.name ? k->res.name : "*", "labels", all, "workspace_labels", given, "path",
                  k->path ? k->path : "", "template", 0, "declared", k->declared, "labelled",
                  k->labelled, "granted", k->granted);
    if (o && k->labelled) {
        json_object_set_new(o, "labelled_by", json_string(k->by));
        json_object_set_new(o, "labelled_at", json_string(iam_time_text(p, k->at)));
    }
    return o;
}
