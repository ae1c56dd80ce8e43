/* mod_iam: the audit trail in words: the sentences, one per action (audit_int.h). */
#include "audit_int.h"

/* ---- sentences ---- */

typedef struct {
    apr_pool_t *p;
    const iam_roles_t *roles;
    const iam_audit_t *a;
    iam_audit_name_fn *name;
    void *ctx;
    const char *who; /* the actor, as a sentence's subject */
    iam_audit_text_t *out;
} say_t;

/* A person named by login. */
static const char *person(const say_t *c, const char *login)
{
    const char *n = c->name && login ? c->name(c->ctx, login) : NULL;

    return at_shown(c->p, n && *n ? n : login ? login : "someone");
}

static const char *people(const say_t *c, const apr_array_header_t *logins)
{
    apr_array_header_t *w;
    int i;

    if (logins->nelts > SAY)
        return at_count(c->p, logins->nelts, "member", "members");
    w = apr_array_make(c->p, logins->nelts + 1, sizeof(const char *));
    for (i = 0; i < logins->nelts; i++)
        APR_ARRAY_PUSH(w, const char *) = person(c, APR_ARRAY_IDX(logins, i, const char *));
    return at_join_words(c->p, w, " and ");
}

static const char *grants_said(const say_t *c, const apr_array_header_t *g)
{
    apr_array_header_t *w;
    int i;

    if (g->nelts > SAY)
        return at_count(c->p, g->nelts, "grant", "grants");
    w = apr_array_make(c->p, g->nelts + 1, sizeof(const char *));
    for (i = 0; i < g->nelts; i++)
        APR_ARRAY_PUSH(w, const char *) =
            at_grant_words(c->p, c->roles, &APR_ARRAY_IDX(g, i, pgrant_t));
    return at_join_words(c->p, w, " and ");
}

static int is_owner(const say_t *c, const pgrant_t *g)
{
    const iam_role_t *r = g->slug && c->roles ? iam_roles_find(c->roles, g->slug) : NULL;

    return r && r->kind == IAM_ROLE_OWNER;
}

static int only_owner(const say_t *c, const apr_array_header_t *g)
{
    int i;

    for (i = 0; i < g->nelts; i++) {
        if (!is_owner(c, &APR_ARRAY_IDX(g, i, pgrant_t)))
            return 0;
    }
    return g->nelts > 0;
}

static int any_owner(const say_t *c, const apr_array_header_t *g)
{
    int i;

    for (i = 0; i < g->nelts; i++) {
        if (is_owner(c, &APR_ARRAY_IDX(g, i, pgrant_t)))
            return 1;
    }
    return 0;
}

static void say(say_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(say_t *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    c->out->sentence = apr_pvsprintf(c->p, fmt, ap);
    va_end(ap);
}

static const char *group_of(const char *target)
{
    return !strncmp(target, "group:", 6) ? target + 6 : target;
}

/* Who holds the grants of the entry: "max", "the group analysts". */
static const char *holder(say_t *c)
{
    const char *t = c->a->target;

    if (!strncmp(t, "group:", 6)) {
        c->out->group = t + 6;
        return apr_pstrcat(c->p, "the group ", at_shown(c->p, t + 6), NULL);
    }
    c->out->member = t;
    return person(c, t);
}

/* A sentence for a change of a member or a group, from what changed. */
static void say_changed(say_t *c, const char *who, const diff_t *d)
{
    int n = d->fields->nelts;
    const char *only = n == 1 ? APR_ARRAY_IDX(d->fields, 0, const char *) : "";

    if (!d->readable) {
        say(c, "%s changed %s", c->who, who);
    } else if (n == 0) {
        say(c, "%s saved %s without a change", c->who, who);
    } else if (!strcmp(only, "grants") && d->lists_known && d->gplus->nelts && !d->gminus->nelts) {
        if (only_owner(c, d->gplus))
            say(c, "%s made %s a Workspace Owner", c->who, who);
        else
            say(c, "%s gave %s %s", c->who, who, grants_said(c, d->gplus));
    } else if (!strcmp(only, "grants") && d->lists_known && d->gminus->nelts && !d->gplus->nelts) {
        say(c, "%s revoked %s from %s", c->who, grants_said(c, d->gminus), who);
    } else if (!strcmp(only, "groups") && d->lists_known &&
               (!d->nplus->nelts || !d->nminus->nelts)) {
        const apr_array_header_t *g = d->nplus->nelts ? d->nplus : d->nminus;
        const char *groups = g->nelts > SAY ? at_count(c->p, g->nelts, "group", "groups")
                                            : at_join_words(c->p, g, " and ");
        if (g->nelts == 1)
            c->out->group = APR_ARRAY_IDX(g, 0, const char *);
        say(c, d->nplus->nelts ? "%s added %s to %s" : "%s removed %s from %s", c->who, who,
            at_shown(c->p, groups));
    } else {
        say(c, "%s changed the %s of %s", c->who, at_join_words(c->p, d->fields, " and "), who);
    }
}

static void say_member_add(say_t *c)
{
    diff_t d;

    at_diff_records(c->p, c->roles, "", c->a->after, c->out->changes, &d);
    say(c, "%s %s %s%s", c->who, !strcmp(c->a->action, "member.invite") ? "invited" : "added",
        holder(c), any_owner(c, d.gplus) ? " as a Workspace Owner" : "");
}

static void say_member_update(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    at_diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    say_changed(c, who, &d);
}

static void say_member_remove(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    at_diff_records(c->p, c->roles, c->a->before, "", c->out->changes, &d);
    say(c, "%s removed %s", c->who, who);
}

/* Suspended (SCIM's active: false, iamctl member suspend) or back. */
static void say_member_suspend(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    at_diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    say(c, "%s %s %s", c->who,
        !strcmp(c->a->action, "member.suspend") ? "suspended" : "made active again", who);
}

/* Activated by their first sign-in: "invited" to "active"; or an
 * invitation to their email taken up by a new login (both described). */
static void say_member_activate(say_t *c)
{
    const char *who = holder(c);
    diff_t d;
    rec_t b;

    if (!strcmp(c->a->before, "invited") || !*c->a->before) {
        say(c, "%s signed in and accepted the invitation", who);
        return;
    }
    at_diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    at_read_rec(c->p, c->a->before, &b);
    if (b.email && *b.email)
        say(c, "%s signed in and accepted the invitation for %s", who, at_shown(c->p, b.email));
    else
        say(c, "%s signed in and accepted an invitation", who);
}

static void say_member_provision(say_t *c)
{
    diff_t d;

    at_diff_records(c->p, c->roles, "", c->a->after, c->out->changes, &d);
    say(c, "%s signed in for the first time and joined the workspace", holder(c));
}

static void say_owner_bootstrap(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    at_diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    say(c, "%s became the first Workspace Owner (IAMBootstrapOwner)", who);
}

static void say_grant(say_t *c)
{
    const char *who = holder(c);
    int give = !strcmp(c->a->action, "grant"), edit = !strcmp(c->a->action, "grant.edit");
    diff_t d;

    at_diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    if (edit && d.readable && d.lists_known && d.gplus->nelts && d.gminus->nelts) {
        say(c, "%s changed %s of %s to %s", c->who, grants_said(c, d.gminus), who,
            grants_said(c, d.gplus));
    } else if (edit && d.readable && d.lists_known && (d.gplus->nelts || d.gminus->nelts)) {
        /* items dropped or added, the rest kept: say which */
        say(c, "%s edited a grant of %s: %s %s", c->who, who,
            d.gminus->nelts ? "no longer" : "now also",
            grants_said(c, d.gminus->nelts ? d.gminus : d.gplus));
    } else if (edit) {
        say(c, "%s edited a grant of %s", c->who, who);
    } else if (give && d.readable && d.lists_known && d.gplus->nelts) {
        if (only_owner(c, d.gplus))
            say(c, "%s made %s a Workspace Owner", c->who, who);
        else
            say(c, "%s gave %s %s", c->who, who, grants_said(c, d.gplus));
    } else if (!give && d.readable && d.lists_known && d.gminus->nelts) {
        say(c, "%s revoked %s from %s", c->who, grants_said(c, d.gminus), who);
    } else {
        say(c, "%s changed the grants of %s", c->who, who);
    }
}

static void say_group_create(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    at_diff_records(c->p, c->roles, "", c->a->after, c->out->changes, &d);
    say(c, "%s created %s", c->who, who);
}

static void say_group_delete(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    at_diff_records(c->p, c->roles, c->a->before, "", c->out->changes, &d);
    say(c, "%s deleted %s", c->who, who);
}

/* A member's login or a group's name changed (SCIM's userName or
 * displayName): before and after are the two names. */
static void say_rename(say_t *c)
{
    const char *who = holder(c);

    say(c, "%s renamed %s (was %s)", c->who, who, at_shown(c->p, c->a->before));
}

/* What the identity provider calls a member or a group (its externalId)
 * changed, or a group became the identity provider's to fill. */
static void say_scim(say_t *c)
{
    const char *who = holder(c);

    if (!strcmp(c->a->action, "group.managed"))
        say(c, "%s took over the members of %s: they change through SCIM from now on", c->who, who);
    else if (*c->a->after)
        say(c, "%s set the external id of %s to %s", c->who, who, at_shown(c->p, c->a->after));
    else
        say(c, "%s cleared the external id of %s", c->who, who);
}

static void say_group_members(say_t *c)
{
    apr_array_header_t *logins = at_read_logins(c->p, c->a->after);
    int add = !strcmp(c->a->action, "group.add-members");
    const char *group = at_shown(c->p, group_of(c->a->target));

    c->out->group = group_of(c->a->target);
    if (!logins->nelts) {
        say(c, add ? "%s added members to %s" : "%s removed members from %s", c->who, group);
        return;
    }
    if (at_clipped(c->a->after)) { /* the store cut the list: more than it shows */
        say(c, add ? "%s added %d or more members to %s" : "%s removed %d or more members from %s",
            c->who, logins->nelts, group);
        logins->nelts = logins->nelts < FOLD_SHOW ? logins->nelts : FOLD_SHOW;
        APR_ARRAY_PUSH(c->out->changes, const char *) = apr_pstrcat(
            c->p, "members: ", add ? "+ " : "− ", at_fold(c->p, logins, ", "), " and more", NULL);
        return;
    }
    if (logins->nelts == 1)
        c->out->member = APR_ARRAY_IDX(logins, 0, const char *);
    say(c, add ? "%s added %s to %s" : "%s removed %s from %s", c->who, people(c, logins), group);
    APR_ARRAY_PUSH(c->out->changes, const char *) =
        apr_pstrcat(c->p, "members: ", add ? "+ " : "− ", at_fold(c->p, logins, ", "), NULL);
}

static void say_import(say_t *c)
{
    long m, g;
    char tail;

    if (sscanf(c->a->after, "%ld members, %ld groups%c", &m, &g, &tail) == 2)
        say(c, "%s imported %s and %s", c->who, at_count(c->p, m, "member", "members"),
            at_count(c->p, g, "group", "groups"));
    else
        say(c, "%s imported members and groups", c->who);
}

static void say_request(say_t *c)
{
    const char *act = c->a->action + 8, *who = holder(c), *asked = c->a->before;
    preq_t q, old;
    int have;

    if (!strcmp(act, "approve")) {
        diff_t d;
        const char *member = at_approve_member(c->p, c->a->before, &asked);
        at_diff_records(c->p, c->roles, member, c->a->after, c->out->changes, &d);
    }
    have = at_read_request(c->p,
                           !strcmp(act, "open") || !strcmp(act, "level") || !strcmp(act, "update")
                               ? c->a->after
                           : asked ? asked
                                   : "",
                           &q);
    if (!strcmp(act, "open")) {
        if (have)
            say(c, "%s asked for %s access to %s", who, q.level, at_request_what(c->p, &q));
        else
            say(c, "%s asked for access", who);
    } else if (!strcmp(act, "level")) {
        if (have)
            say(c, "%s now asks for %s access to %s", who, q.level, at_request_what(c->p, &q));
        else
            say(c, "%s changed the level of a request", who);
        if (have && at_read_request(c->p, c->a->before, &old))
            APR_ARRAY_PUSH(c->out->changes, const char *) =
                apr_pstrcat(c->p, "level: ", old.level, " → ", q.level, NULL);
    } else if (!strcmp(act, "update")) {
        if (have)
            say(c, "%s changed the message of their request for %s access to %s", who, q.level,
                at_request_what(c->p, &q));
        else
            say(c, "%s changed the message of a request", who);
    } else if (!strcmp(act, "granted")) {
        if (have)
            say(c, "A change by %s gave %s the %s access to %s they had asked for", c->who, who,
                q.level, at_request_what(c->p, &q));
        else
            say(c, "A change by %s gave %s the access they had asked for", c->who, who);
    } else {
        const char *verb = !strcmp(act, "approve") ? "approved" : "dismissed";
        if (have)
            say(c, "%s %s the request of %s for %s access to %s", c->who, verb, who, q.level,
                at_request_what(c->p, &q));
        else
            say(c, "%s %s a request of %s", c->who, verb, who);
    }
    if (have && q.message && *q.message && strcmp(act, "level"))
        APR_ARRAY_PUSH(c->out->changes, const char *) =
            apr_pstrcat(c->p, "message: ", at_shown(c->p, q.message), NULL);
}

static void say_token(say_t *c)
{
    const char *act = c->a->action + 6, *id = at_shown(c->p, c->a->target);

    if (!strcmp(act, "create")) {
        say(c, "%s created the API token %s", c->who, id);
        if (*c->a->after)
            APR_ARRAY_PUSH(c->out->changes, const char *) =
                apr_pstrcat(c->p, "description: ", at_shown(c->p, c->a->after), NULL);
    } else if (!strcmp(act, "revoke")) {
        say(c, "%s revoked the API token %s", c->who, id);
    } else {
        c->out->member = at_token_owner(c->p, c->a->after);
        say(c, "The API token %s stopped working%s%s", id, *c->a->after ? ": " : "",
            at_shown(c->p, c->a->after));
    }
}

static void say_label(say_t *c)
{
    const char *label = at_shown(c->p, c->a->target);

    if (!strcmp(c->a->action, "label.create")) {
        say(c, "%s created the label %s", c->who, label);
        if (*c->a->after)
            APR_ARRAY_PUSH(c->out->changes, const char *) =
                apr_pstrcat(c->p, "description: ", at_shown(c->p, c->a->after), NULL);
    } else {
        say(c, "%s deleted the label %s", c->who, label);
    }
}

static void say_resource_labels(say_t *c)
{
    const char *target = at_shown(c->p, c->a->target), *colon = strchr(target, ':');
    const char *what =
        colon ? apr_psprintf(c->p, "%.*s %s", (int)(colon - target), target, colon + 1) : target;

    if (!*c->a->after)
        say(c, "%s took the labels off %s", c->who, what);
    else
        say(c, "%s labelled %s", c->who, what);
    APR_ARRAY_PUSH(c->out->changes, const char *) =
        apr_pstrcat(c->p, "labels: ", *c->a->before ? at_shown(c->p, c->a->before) : "(none)",
                    " → ", *c->a->after ? at_shown(c->p, c->a->after) : "(none)", NULL);
}

static void say_plan(say_t *c)
{
    if (*c->a->after)
        say(c, "%s changed the plan to %s", c->who, at_shown(c->p, c->a->after));
    else
        say(c, "%s changed the plan", c->who);
    if (*c->a->before && *c->a->after)
        APR_ARRAY_PUSH(c->out->changes, const char *) = apr_pstrcat(
            c->p, "plan: ", at_shown(c->p, c->a->before), " → ", at_shown(c->p, c->a->after), NULL);
}

static void say_login_case(say_t *c)
{
    say(c, "%s made logins match %s", c->who,
        !strcmp(c->a->after, "fold")    ? "in any case"
        : !strcmp(c->a->after, "exact") ? "exactly, case and all"
                                        : "differently");
    if (*c->a->before && *c->a->after)
        APR_ARRAY_PUSH(c->out->changes, const char *) =
            apr_pstrcat(c->p, "login case: ", at_shown(c->p, c->a->before), " → ",
                        at_shown(c->p, c->a->after), NULL);
}

/* Every action the store writes (store.c, audit()). */
static const struct {
    const char *action;
    const char *kind;
    void (*say)(say_t *);
} actions[] = {
    {"member.add", IAM_AUDIT_KIND_MEMBER, say_member_add},
    {"member.invite", IAM_AUDIT_KIND_MEMBER, say_member_add},
    {"member.update", IAM_AUDIT_KIND_MEMBER, say_member_update},
    {"member.remove", IAM_AUDIT_KIND_MEMBER, say_member_remove},
    {"member.activate", IAM_AUDIT_KIND_MEMBER, say_member_activate},
    {"member.provision", IAM_AUDIT_KIND_MEMBER, say_member_provision},
    {"member.suspend", IAM_AUDIT_KIND_MEMBER, say_member_suspend},
    {"member.resume", IAM_AUDIT_KIND_MEMBER, say_member_suspend},
    {"member.rename", IAM_AUDIT_KIND_MEMBER, say_rename},
    {"member.external-id", IAM_AUDIT_KIND_MEMBER, say_scim},
    {"owner.bootstrap", IAM_AUDIT_KIND_GRANT, say_owner_bootstrap},
    {"grant", IAM_AUDIT_KIND_GRANT, say_grant},
    {"revoke", IAM_AUDIT_KIND_GRANT, say_grant},
    {"grant.edit", IAM_AUDIT_KIND_GRANT, say_grant},
    {"group.create", IAM_AUDIT_KIND_GROUP, say_group_create},
    {"group.update", IAM_AUDIT_KIND_GROUP, say_member_update},
    {"group.delete", IAM_AUDIT_KIND_GROUP, say_group_delete},
    {"group.rename", IAM_AUDIT_KIND_GROUP, say_rename},
    {"group.managed", IAM_AUDIT_KIND_GROUP, say_scim},
    {"group.external-id", IAM_AUDIT_KIND_GROUP, say_scim},
    {"group.add-members", IAM_AUDIT_KIND_GROUP, say_group_members},
    {"group.remove-members", IAM_AUDIT_KIND_GROUP, say_group_members},
    {"request.open", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.level", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.update", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.approve", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.dismiss", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.granted", IAM_AUDIT_KIND_REQUEST, say_request},
    {"token.create", IAM_AUDIT_KIND_TOKEN, say_token},
    {"token.revoke", IAM_AUDIT_KIND_TOKEN, say_token},
    {"token.die", IAM_AUDIT_KIND_TOKEN, say_token},
    {"label.create", IAM_AUDIT_KIND_WORKSPACE, say_label},
    {"label.delete", IAM_AUDIT_KIND_WORKSPACE, say_label},
    {"resource.labels", IAM_AUDIT_KIND_WORKSPACE, say_resource_labels},
    {"workspace.plan", IAM_AUDIT_KIND_WORKSPACE, say_plan},
    {"workspace.login-case", IAM_AUDIT_KIND_WORKSPACE, say_login_case},
    {"import", IAM_AUDIT_KIND_WORKSPACE, say_import},
};

#define NACTIONS ((int)(sizeof(actions) / sizeof(actions[0])))

static int action_index(const char *action)
{
    int i;

    for (i = 0; action && i < NACTIONS; i++) {
        if (!strcmp(actions[i].action, action))
            return i;
    }
    return -1;
}

const char *iam_audit_kind(const char *action)
{
    int i = action_index(action);

    return i < 0 ? IAM_AUDIT_KIND_OTHER : actions[i].kind;
}

/* The actor: "console:olivia" is olivia in the console; "server" and
 * "system" are mod_iam itself. */
static void read_actor(say_t *c, const char *actor)
{
    static const struct {
        const char *prefix, *via, *suffix;
    } doors[] = {
        {"console:", "console", ""},
        {"api:", "API", " (API)"},
        {"member:", "access request", ""},
        {"iamctl:", "iamctl", " (iamctl)"},
    };
    const char *colon = strchr(actor, ':');
    size_t i;

    if (!*actor) {
        c->who = "Someone";
        return;
    }
    if (!strcmp(actor, "server")) {
        c->who = "The server";
        return;
    }
    if (!strcmp(actor, "system")) {
        c->who = "mod_iam";
        return;
    }
    if (!strncmp(actor, "token:", 6)) {
        c->out->via = "API token";
        c->who = apr_pstrcat(c->p, "API token ", at_shown(c->p, actor + 6), NULL);
        return;
    }
    if (!strncmp(actor, "scim:", 5)) {
        c->out->via = "SCIM";
        c->who = apr_pstrcat(c->p, "The identity provider (SCIM token ", at_shown(c->p, actor + 5),
                             ")", NULL);
        return;
    }
    for (i = 0; i < sizeof(doors) / sizeof(doors[0]); i++) {
        size_t n = strlen(doors[i].prefix);
        if (!strncmp(actor, doors[i].prefix, n)) {
            c->out->actor = actor + n;
            c->out->via = doors[i].via;
            c->who = apr_pstrcat(c->p, person(c, actor + n), doors[i].suffix, NULL);
            return;
        }
    }
    if (colon && colon > actor && colon[1]) { /* a door this release does not know */
        c->out->actor = colon + 1;
        c->out->via = apr_pstrndup(c->p, actor, (apr_size_t)(colon - actor));
        c->who =
            apr_pstrcat(c->p, person(c, colon + 1), " (", at_shown(c->p, c->out->via), ")", NULL);
        return;
    }
    c->who = at_shown(c->p, actor);
}

void iam_audit_describe(apr_pool_t *p, const iam_roles_t *roles, const iam_audit_t *a,
                        iam_audit_name_fn *name, void *ctx, iam_audit_text_t *out)
{
    iam_audit_t e = *a;
    say_t c = {p, roles, &e, name, ctx, NULL, out};
    int i, k;

    /* a record read by hand may lack any field */
    e.actor = e.actor ? e.actor : "";
    e.action = e.action ? e.action : "";
    e.target = e.target ? e.target : "";
    e.before = e.before ? e.before : "";
    e.after = e.after ? e.after : "";
    memset(out, 0, sizeof(*out));
    out->changes = apr_array_make(p, 4, sizeof(const char *));
    read_actor(&c, e.actor);
    i = action_index(e.action);
    out->kind = i < 0 ? IAM_AUDIT_KIND_OTHER : actions[i].kind;
    out->known = i >= 0;
    if (i >= 0)
        actions[i].say(&c);
    else if (*e.target)
        say(&c, "%s: %s on %s", c.who, at_shown(p, e.action), at_shown(p, e.target));
    else
        say(&c, "%s: %s", c.who, at_shown(p, e.action));
    out->sentence = at_plain(p, out->sentence);
    for (k = 0; k < out->changes->nelts; k++)
        APR_ARRAY_IDX(out->changes, k, const char *) =
            at_plain(p, APR_ARRAY_IDX(out->changes, k, const char *));
}
