/* mod_iam store: members: add, remove, activate, bootstrap the first
 * owner, update a whole record (the console and the API), and arrivals
 * (an invitation claimed by email, a member provisioned at first login). */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int check_member_fields(tx_t *t, const char *login, const char *email, const char *name)
{
    const char *e;

    if (login && (e = iam_check_login(login)) != NULL)
        return tx_fail(t, IAM_INVALID, "login '%s' %s", login, e), 0;
    if (email && *email && (e = iam_check_email(email)) != NULL)
        return tx_fail(t, IAM_INVALID, "email '%s' %s", email, e), 0;
    if (name && *name && (e = iam_check_text(name, 128)) != NULL)
        return tx_fail(t, IAM_INVALID, "name %s", e), 0;
    return 1;
}

/* Points the email index at `login` (email NULL or "": none); the old
 * email, if any, is released. */
void st_member_email(tx_t *t, iam_member_t *m, const char *email)
{
    key_t_ k, lk;
    MDB_val v;

    if (email && *email) {
        if (key_make(&k, 'E', email, NULL)) {
            tx_fail(t, IAM_INVALID, "email is too long");
            return;
        }
        key_make(&lk, 'E', m->login, NULL);
        if (tx_get(t, &k, &v) == 1 &&
            (v.mv_size != lk.n - 1 || memcmp(v.mv_data, lk.b + 1, v.mv_size))) {
            tx_fail(t, IAM_EXISTS, "email %s is already used by member '%.*s'", email,
                    (int)v.mv_size, (char *)v.mv_data);
            return;
        }
    }
    if (m->email[0] && !key_make(&k, 'E', m->email, NULL))
        tx_del(t, &k);
    if (email && *email) {
        key_make(&k, 'E', email, NULL);
        key_make(&lk, 'E', m->login, NULL);
        tx_put(t, &k, (MDB_val){lk.n - 1, lk.b + 1});
    }
    m->email = email ? email : "";
}

iam_member_t *tx_member_add(tx_t *t, const char *login, const char *email, const char *name,
                            iam_member_status_e status, int owner)
{
    iam_member_t *m, *old;

    if (!check_member_fields(t, login, email, name))
        return NULL;
    if (tx_member(t, login, &old) != 0) {
        if (t->status == IAM_OK && strcmp(old->login, login))
            tx_fail(t, IAM_EXISTS,
                    "'%s' differs only in case from the member '%s': no two logins may (one "
                    "person would hold two memberships)",
                    login, old->login);
        else if (t->status == IAM_OK)
            tx_fail(t, IAM_EXISTS, "'%s' is already a member", login);
        return NULL;
    }
    m = apr_pcalloc(t->p, sizeof(*m));
    m->login = login;
    m->email = "";
    m->name = name ? name : "";
    m->status = status;
    m->created = (long long)time(NULL);
    m->grants = apr_array_make(t->p, 1, sizeof(iam_grant_t));
    m->groups = apr_array_make(t->p, 1, sizeof(const char *));
    st_member_email(t, m, email);
    if (owner) {
        *(iam_grant_t *)apr_array_push(m->grants) =
            (iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL};
        st_set_owner_index(t, login, 1);
    }
    st_put_member(t, m);
    st_id_make(t, IAM_ID_MEMBER, login);
    tx_meta_count_add(t, "members", 1);
    return t->status == IAM_OK ? m : NULL;
}

typedef struct {
    const char *login, *email, *name;
    iam_member_status_e status;
    int owner;
} add_ctx_t;

static void member_add_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    add_ctx_t *c = data;
    iam_member_t *m;

    (void)roles;
    (void)plan;
    if ((m = tx_member_add(t, c->login, c->email, c->name, c->status, c->owner)) != NULL)
        st_audit(t, c->status == IAM_INVITED ? "member.invite" : "member.add", m->login, "",
                 st_describe_member(t, m));
}

iam_status_e iam_store_member_add(iam_store_t *st, const char *actor, const char *login,
                                  const char *email, const char *name, iam_member_status_e status,
                                  int owner, iam_err_t *err)
{
    add_ctx_t c = {login, email && *email ? email : NULL, name && *name ? name : NULL, status,
                   owner};
    return st_write_op(st, actor, err, member_add_op, &c);
}

int st_is_owner_grants(const apr_array_header_t *grants)
{
    int i;

    for (i = 0; i < grants->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(grants, i, iam_grant_t).role, "workspace-owner"))
            return 1;
    }
    return 0;
}

const char *iam_member_status_name(iam_member_status_e status)
{
    return status == IAM_INVITED ? "invited" : status == IAM_SUSPENDED ? "suspended" : "active";
}

int iam_member_status_parse(const char *s, iam_member_status_e *out)
{
    iam_member_status_e st;

    for (st = IAM_ACTIVE; s && st <= IAM_STATUS_LAST; st++) {
        if (!strcmp(s, iam_member_status_name(st))) {
            *out = st;
            return 0;
        }
    }
    return -1;
}

/* An owner who is not suspended, but `except`: 1 if there is one. The
 * owner index holds few keys; each is read. */
static int other_active_owner(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    const char *except = ((const char **)data)[0];
    const char *login = apr_pstrmemdup(t->p, (const char *)k->mv_data + 1, k->mv_size - 1);
    iam_member_t *m;

    (void)v;
    if (!strcasecmp(login, except) || tx_member(t, login, &m) != 1 || m->status == IAM_SUSPENDED)
        return t->status == IAM_OK;
    ((const char **)data)[1] = login;
    return 0;
}

void st_last_owner_check(tx_t *t, const iam_member_t *m, const char *what)
{
    const char *ctx[2] = {m->login, NULL};
    key_t_ k;
    MDB_val v;

    key_make(&k, 'O', m->login, NULL);
    if (tx_get(t, &k, &v) != 1 || m->status == IAM_SUSPENDED)
        return;
    key_make(&k, 'O', "", NULL);
    tx_scan(t, &k, NULL, other_active_owner, ctx);
    if (!ctx[1] && t->status == IAM_OK)
        tx_fail(t, IAM_LAST_OWNER,
                "'%s' is the last Workspace Owner and cannot be %s: make another member an "
                "owner first",
                m->login, what);
}

/* Removes member `login` (named as the workspace matches logins): their
 * links, tokens, email, id and record; audited. */
void st_member_remove(tx_t *t, const char *login)
{
    apr_array_header_t *groups;
    iam_member_t *m;
    const char *before;
    key_t_ k;
    int i;

    if (!(m = tx_member_must(t, login)))
        return;
    st_last_owner_check(t, m, "removed");
    st_mark_dirty(t, m->login); /* before the change: its index entries go with it */
    before = st_describe_member(t, m);
    groups = apr_array_make(t->p, 4, sizeof(const char *));
    tx_each_link(t, 'm', login, st_add_name, groups);
    for (i = 0; i < groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(groups, i, const char *);
        st_set_link(t, 'm', login, g, 0);
        st_set_link(t, 'g', g, login, 0);
    }
    st_owner_lost(t, m->login, "was removed from the workspace");
    st_member_email(t, m, NULL);
    st_settle_later(t, login);
    st_id_drop(t, IAM_ID_MEMBER, login);
    key_make(&k, 'M', login, NULL);
    tx_del(t, &k);
    tx_meta_count_add(t, "members", -1);
    st_audit(t, "member.remove", m->login, before, "");
}

static void member_remove_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *login)
{
    (void)roles;
    (void)plan;
    st_member_remove(t, login);
}

iam_status_e iam_store_member_remove(iam_store_t *st, const char *actor, const char *login,
                                     iam_err_t *err)
{
    return st_write_op(st, actor, err, member_remove_op, (void *)login);
}

static void member_activate_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *login)
{
    iam_member_t *m;

    (void)roles;
    (void)plan;
    if (!(m = tx_member_must(t, login)))
        return;
    if (m->status == IAM_INVITED) {
        m->status = IAM_ACTIVE;
        m->last_seen = (long long)time(NULL);
        st_put_member(t, m);
        st_audit(t, "member.activate", m->login, "invited", "active");
    } else if (m->last_seen + 3600 < (long long)time(NULL)) {
        m->last_seen = (long long)time(NULL);
        st_put_member(t, m);
    }
}

iam_status_e iam_store_member_activate(iam_store_t *st, const char *login, iam_err_t *err)
{
    return st_write_op(st, "system", err, member_activate_op, (void *)login);
}

typedef struct {
    const char *login;
    int suspend;
} suspend_ctx_t;

/* Suspends an active member (their grants and groups kept), or makes a
 * suspended one active again; the last owner is never suspended, an
 * invited member neither. Already so: nothing. */
void st_member_suspend(tx_t *t, iam_member_t *m, int suspend)
{
    const char *before;

    if ((m->status == IAM_SUSPENDED) == suspend)
        return; /* already so: nothing to write */
    if (m->status == IAM_INVITED) {
        /* made active when resumed, they would skip the invitation's checks
         * (a verified email) and lose the invitation: remove it instead */
        tx_fail(t, IAM_INVALID,
                "'%s' is invited and has not joined yet: remove the invitation instead", m->login);
        return;
    }
    if (suspend)
        st_last_owner_check(t, m, "suspended");
    before = st_describe_member(t, m);
    m->status = suspend ? IAM_SUSPENDED : IAM_ACTIVE;
    st_put_member(t, m);
    if (suspend) /* they stay an owner (for when they come back); their tokens die */
        st_kill_tokens(t, m->login, "was suspended");
    st_audit(t, suspend ? "member.suspend" : "member.resume", m->login, before,
             st_describe_member(t, m));
}

static void member_suspend_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    suspend_ctx_t *c = data;
    iam_member_t *m;

    (void)roles;
    (void)plan;
    if ((m = tx_member_must(t, c->login)) != NULL)
        st_member_suspend(t, m, c->suspend);
}

iam_status_e iam_store_member_suspend(iam_store_t *st, const char *actor, const char *login,
                                      int suspend, iam_err_t *err)
{
    suspend_ctx_t c = {login, suspend ? 1 : 0};

    return st_write_op(st, actor, err, member_suspend_op, &c);
}

typedef struct {
    const char *login;
    int *made;
} boot_ctx_t;

static void bootstrap_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const char *login = ((boot_ctx_t *)data)->login;
    int *made = ((boot_ctx_t *)data)->made;
    iam_member_t *m;
    const char *before = "";
    int found;

    (void)roles;
    (void)plan;
    if (tx_count_prefix(t, 'O') != 0)
        return;
    found = tx_member(t, login, &m);
    if (found == 1 && !t->st->fold && strcmp(m->login, login)) {
        tx_fail(t, IAM_EXISTS,
                "'%s' differs only in case from the member '%s' (IAMLoginCase exact): name the "
                "member as they log in",
                login, m->login);
        return;
    }
    if (found == 0) {
        m = tx_member_add(t, login, NULL, NULL, IAM_ACTIVE, 1);
    } else if (found == 1) {
        before = st_describe_member(t, m);
        *(iam_grant_t *)apr_array_push(m->grants) =
            (iam_grant_t){"workspace-owner", IAM_SCOPE_ALL, 0, NULL};
        m->status = IAM_ACTIVE;
        st_put_member(t, m);
        st_set_owner_index(t, login, 1);
    }
    if (m && t->status == IAM_OK) {
        st_audit(t, "owner.bootstrap", m->login, before, st_describe_member(t, m));
        *made = 1;
    }
}

iam_status_e iam_store_bootstrap_owner(iam_store_t *st, const char *login, int *made,
                                       iam_err_t *err)
{
    boot_ctx_t ctx = {login, made};
    iam_status_e rc;

    *made = 0;
    rc = st_write_op(st, "server", err, bootstrap_op, &ctx);
    if (rc != IAM_OK)
        *made = 0;
    return rc;
}

typedef struct {
    const iam_member_spec_t *spec;
    int create;
} member_put_t;

static void member_put_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    const iam_member_spec_t *sp = ((member_put_t *)data)->spec;
    int create = ((member_put_t *)data)->create;
    iam_member_t *m;
    const char *before = "", *label;
    int i, was_owner;

    if (create) {
        if (!(m = tx_member_add(t, sp->login, sp->email && *sp->email ? sp->email : NULL,
                                sp->name && *sp->name ? sp->name : NULL, sp->status, 0)))
            return;
    } else {
        if (!(m = tx_member_must(t, sp->login)))
            return;
        before = st_describe_member(t, m);
        if (!check_member_fields(t, NULL, sp->email, sp->name))
            return;
        if (sp->email && strcmp(sp->email, m->email))
            st_member_email(t, m, sp->email);
        if (sp->name)
            m->name = sp->name;
    }
    if (sp->pii >= 0)
        m->pii = sp->pii ? 1 : 0;
    label = apr_psprintf(t->p, "member '%s'", m->login);
    was_owner = st_is_owner_grants(m->grants);
    if (sp->grants) {
        m->grants = st_build_grants(t, sp->grants, roles, plan, 0, label);
        if (t->status != IAM_OK)
            return;
        if (was_owner && !st_is_owner_grants(m->grants)) {
            st_last_owner_check(t, m, "demoted");
            st_owner_lost(t, m->login, "is no longer a Workspace Owner");
        } else {
            st_set_owner_index(t, m->login, st_is_owner_grants(m->grants));
        }
    }
    st_put_member(t, m);
    if (sp->grants || sp->groups)
        st_settle_later(t, m->login);
    if (sp->groups) {
        apr_array_header_t *cur = apr_array_make(t->p, 4, sizeof(const char *));
        iam_group_t *g;
        if (sp->groups->nelts && !iam_plan_allows_groups(plan)) {
            tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
            return;
        }
        tx_each_link(t, 'm', m->login, st_add_name, cur);
        for (i = 0; i < cur->nelts && t->status == IAM_OK; i++) {
            const char *gk = APR_ARRAY_IDX(cur, i, const char *);
            if (!st_in_names(sp->groups, gk))
                tx_group_link(t, gk, m->login, 0, 0, 0);
        }
        for (i = 0; i < sp->groups->nelts && t->status == IAM_OK; i++) {
            const char *gname = APR_ARRAY_IDX(sp->groups, i, const char *);
            if (tx_group(t, gname, &g) != 1) {
                if (t->status == IAM_OK)
                    tx_fail(t, IAM_NOTFOUND, "no group '%s'", gname);
                return;
            }
            tx_group_link(t, g->name, m->login, 1, 0, 0);
        }
    }
    st_audit(
        t, create ? (sp->status == IAM_INVITED ? "member.invite" : "member.add") : "member.update",
        m->login, before, st_describe_member(t, m));
}

iam_status_e iam_store_member_put(iam_store_t *st, const char *actor, const iam_member_spec_t *spec,
                                  int create, iam_err_t *err)
{
    member_put_t ctx = {spec, create};
    return st_write_op(st, actor, err, member_put_op, &ctx);
}

/* ---- arrivals: invitations claimed by email, just-in-time members ---- */

typedef struct {
    const char *login, *email, *name;
    int provision;
    iam_arrive_e *what;
} arrive_ctx_t;

/* Moves member `m` to login `login` (another key: an invitation taken up,
 * a rename): record, group links, owner index (an owner's tokens die,
 * `why`), email index, id; their requests are settled under the old. */
iam_member_t *st_member_rekey(tx_t *t, iam_member_t *m, const char *login, const char *why)
{
    apr_array_header_t *groups = apr_array_make(t->p, 4, sizeof(const char *));
    const char *old = m->login;
    key_t_ k, lk;
    MDB_val v;
    int i, owner;

    st_mark_dirty(t, old); /* before the change: its index entries move to the new login */
    tx_each_link(t, 'm', old, st_add_name, groups);
    key_make(&k, 'O', old, NULL);
    owner = tx_get(t, &k, &v) == 1;
    st_settle_later(t, old);
    for (i = 0; i < groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(groups, i, const char *);
        st_set_link(t, 'm', old, g, 0);
        st_set_link(t, 'g', g, old, 0);
        st_set_link(t, 'm', login, g, 1);
        st_set_link(t, 'g', g, login, 1);
    }
    if (owner) {
        st_owner_lost(t, old, why);
        st_set_owner_index(t, login, 1);
    }
    key_make(&k, 'M', old, NULL);
    tx_del(t, &k);
    st_id_move(t, IAM_ID_MEMBER, old, login);
    m->login = login;
    if (m->email[0] && !key_make(&k, 'E', m->email, NULL)) {
        key_make(&lk, 'E', login, NULL);
        tx_put(t, &k, (MDB_val){lk.n - 1, lk.b + 1});
    }
    return m;
}

/* What an arrival does, decided in t without writing anything: NONE
 * (a member already, no invitation, no provisioning), CLAIMED (*inv: the
 * invited member whose record becomes theirs) or PROVISIONED. What the
 * write would refuse fails t here. c->email and c->name are left out
 * where a new member could not have them. */
static iam_arrive_e arrival_of(tx_t *t, arrive_ctx_t *c, iam_plan_e plan, iam_member_t **inv)
{
    iam_member_t *m;
    key_t_ k;
    MDB_val v;
    int found;

    *inv = NULL;
    if ((found = tx_member(t, c->login, &m)) != 0) {
        /* already a member (another request got here first), or an error;
         * or a login that only differs in case from a member's, which
         * logins matched exactly can never admit */
        if (found == 1 && !t->st->fold && strcmp(m->login, c->login))
            tx_fail(t, IAM_EXISTS, "login '%s' differs only in case from the member '%s'", c->login,
                    m->login);
        return IAM_ARRIVE_NONE;
    }
    if (iam_check_login(c->login)) {
        tx_fail(t, IAM_INVALID, "login '%s' %s", c->login, iam_check_login(c->login));
        return IAM_ARRIVE_NONE;
    }
    if (c->email && *c->email && !iam_check_email(c->email) && !key_make(&k, 'E', c->email, NULL) &&
        tx_get(t, &k, &v) == 1) {
        char *owner_login = apr_pstrmemdup(t->p, v.mv_data, v.mv_size);
        if (tx_member(t, owner_login, &m) == 1 && m->status == IAM_INVITED) {
            *inv = m;
            return IAM_ARRIVE_CLAIMED;
        }
    }
    if (!c->provision)
        return IAM_ARRIVE_NONE;
    if (!iam_plan_allows_groups(plan)) { /* business only, as the directive */
        tx_fail(t, IAM_PLAN, "the %s plan has no just-in-time provisioning", iam_plan_name(plan));
        return IAM_ARRIVE_NONE;
    }
    /* an email already taken (or not an email) is left out, never an error */
    if (c->email && (iam_check_email(c->email) ||
                     (!key_make(&k, 'E', c->email, NULL) && tx_get(t, &k, &v) == 1)))
        c->email = NULL;
    if (c->name && iam_check_text(c->name, 128))
        c->name = NULL;
    return IAM_ARRIVE_PROVISIONED;
}

/* The invitation's member as it becomes theirs: their login, active,
 * seen now, the IdP's name where it had none. */
static void take_up(iam_member_t *m, const arrive_ctx_t *c, long long now)
{
    m->login = c->login;
    m->status = IAM_ACTIVE;
    m->last_seen = now;
    if (!*m->name && c->name && !iam_check_text(c->name, 128))
        m->name = c->name;
}

iam_arrive_e st_arrival(tx_t *t, const char *login, const char *email, const char *name,
                        int provision)
{
    arrive_ctx_t c = {login, email, name, provision, NULL};
    iam_member_t *m;

    return arrival_of(t, &c, t->plan, &m);
}

void st_arrive(tx_t *t, const char *login, const char *email, const char *name, int provision,
               iam_arrive_e *what)
{
    arrive_ctx_t c = {apr_pstrdup(t->p, login), email, name, provision, what};
    iam_member_t *m;
    const char *before;

    *what = arrival_of(t, &c, t->plan, &m);
    if (*what == IAM_ARRIVE_CLAIMED) {
        before = st_describe_member(t, m);
        m = st_member_rekey(t, m, c.login, "was an invitation another login took up");
        take_up(m, &c, (long long)time(NULL));
        st_put_member(t, m);
        st_audit(t, "member.activate", m->login, before, st_describe_member(t, m));
    } else if (*what == IAM_ARRIVE_PROVISIONED &&
               (m = tx_member_add(t, c.login, c.email, c.name, IAM_ACTIVE, 0)) != NULL) {
        m->last_seen = (long long)time(NULL);
        m->provisioned = 1;
        st_put_member(t, m);
        st_audit(t, "member.provision", m->login, "", st_describe_member(t, m));
    }
    if (t->status != IAM_OK)
        *what = IAM_ARRIVE_NONE;
}

static void arrive_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    arrive_ctx_t *c = data;

    st_arrive(t, c->login, c->email, c->name, c->provision, c->what);
}

iam_status_e iam_store_arrival(iam_store_t *st, apr_pool_t *p, const char *login, const char *email,
                               const char *name, int provision, const iam_roles_t *roles,
                               iam_subject_t *subj, iam_arrive_e *what, iam_err_t *err)
{
    /* the subject outlives the caller's strings (a request's user and
     * variables): its own copies */
    arrive_ctx_t c = {apr_pstrdup(p, login), email ? apr_pstrdup(p, email) : NULL,
                      name ? apr_pstrdup(p, name) : NULL, provision, what};
    long long now = (long long)time(NULL);
    iam_member_t *m;
    tx_t t;

    memset(subj, 0, sizeof(*subj));
    *what = IAM_ARRIVE_NONE;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    *what = arrival_of(&t, &c, tx_plan(&t), &m);
    if (*what == IAM_ARRIVE_CLAIMED && tx_subject(&t, m->login, roles, subj) == 1) {
        take_up(subj->member, &c, now);
    } else if (*what == IAM_ARRIVE_PROVISIONED) {
        m = apr_pcalloc(p, sizeof(*m));
        m->login = c.login;
        m->email = c.email ? c.email : "";
        m->name = c.name ? c.name : "";
        m->status = IAM_ACTIVE;
        m->created = m->last_seen = now;
        m->provisioned = 1;
        m->grants = apr_array_make(p, 1, sizeof(iam_grant_t));
        m->groups = apr_array_make(p, 1, sizeof(const char *));
        subj->member = m;
        subj->sets = apr_pcalloc(p, sizeof(iam_grant_set_t)); /* direct, and none */
        subj->nsets = 1;
    } else if (t.status == IAM_OK && tx_subject(&t, login, roles, subj) != 1 &&
               t.status == IAM_OK) {
        /* (found: the write of another request's arrival landed since the
         * caller looked; *what stays NONE) */
        tx_fail(&t, IAM_NOTFOUND, "'%s' is not a member", login);
    }
    if (t.status != IAM_OK) {
        memset(subj, 0, sizeof(*subj));
        *what = IAM_ARRIVE_NONE;
    }
    return tx_done(&t);
}

iam_status_e iam_store_member_arrive(iam_store_t *st, const char *login, const char *email,
                                     const char *name, int provision, iam_arrive_e *what,
                                     iam_err_t *err)
{
    arrive_ctx_t c = {login, email, name, provision, what};

    *what = IAM_ARRIVE_NONE;
    return st_write_op(st, "system", err, arrive_op, &c);
}
