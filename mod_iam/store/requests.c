/* mod_iam store: access requests: filed, answered, listed, and settled at
 * commit when a change gives the member what they asked for. */
#include "store_int.h"

#include <apr_strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REQUEST_REV_MAX 0xffffffffUL

static const char *request_suffix(apr_pool_t *p, const char *type, const char *name)
{
    return apr_pstrcat(p, type, ":", name && *name ? name : "*", NULL);
}

/* A member's permissions changed (or may have): their open requests are
 * checked against the new permissions when the transaction commits
 * (st_settle_requests), once per member however many changes touched them. */
void st_settle_later(tx_t *t, const char *login)
{
    char lc[MAXKEY + 1];
    size_t i;

    for (i = 0; login[i] && i < MAXKEY; i++)
        lc[i] = (char)tolower((unsigned char)login[i]);
    lc[i] = 0;
    if (!t->settle)
        t->settle = apr_hash_make(t->p);
    if (!apr_hash_get(t->settle, lc, (apr_ssize_t)i))
        apr_hash_set(t->settle, apr_pstrmemdup(t->p, lc, i), (apr_ssize_t)i, "");
}

void st_settle_group_later(tx_t *t, const char *group)
{
    apr_array_header_t *members = apr_array_make(t->p, 8, sizeof(const char *));
    int i;

    tx_each_link(t, 'g', group, st_add_name, members);
    for (i = 0; i < members->nelts; i++)
        st_settle_later(t, APR_ARRAY_IDX(members, i, const char *));
}

/* The request of `login` for `suffix` among the open ('R') or the answered
 * ('r') ones: 1 found (*k its key), 0 not, -1 failed. */
static int tx_request_in(tx_t *t, char family, const char *login, const char *suffix, key_t_ *k,
                         iam_request_t **out)
{
    MDB_val v;
    int found;

    *out = NULL;
    if (key_make(k, family, login, suffix)) {
        tx_fail(t, IAM_INVALID, "the request is too long");
        return -1;
    }
    if ((found = tx_get(t, k, &v)) != 1)
        return found;
    if (!(*out = rec_decode_request(t->p, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: an access request is damaged", t->st->dir);
        return -1;
    }
    return 1;
}

/* Ends the open request q (at key k): it moves to the answered ones, with
 * how and by whom it ended. */
static void end_request(tx_t *t, key_t_ *k, iam_request_t *q, iam_request_status_e how)
{
    key_t_ to;

    q->status = how;
    q->answered = (long long)time(NULL);
    q->answered_by = t->actor ? t->actor : "";
    tx_del(t, k);
    if (key_make(&to, 'r', q->login, request_suffix(t->p, q->type, q->name))) {
        tx_fail(t, IAM_INVALID, "the request is too long");
        return;
    }
    tx_put(t, &to, rec_encode_request(t->p, q));
}

static const char *request_text(apr_pool_t *p, const iam_request_t *q)
{
    return apr_psprintf(p, "%s %s %s (revision %u)", iam_level_name(q->level), q->type, q->name,
                        q->rev);
}

/* Whether the subject now has the access q asks for, as the decision
 * would find on the resource as it was when refused. */
static int request_met(const tx_t *t, const iam_subject_t *s, const iam_request_t *q)
{
    iam_resource_t res = {q->type, strcmp(q->name, "*") ? q->name : NULL, q->nlabels, q->labels};

    if (iam_type_owners_only(q->type))
        return s->owner;
    return iam_policy_decide(t->roles, t->plan, s->sets, s->nsets, &res, q->level).allow;
}

/* Deletes every request of a login that is no member any more. */
static void drop_requests(tx_t *t, const char *login, const apr_array_header_t *open,
                          const apr_array_header_t *answered)
{
    int i;

    for (i = 0; i < open->nelts; i++)
        st_set_link(t, 'R', login, APR_ARRAY_IDX(open, i, const char *), 0);
    for (i = 0; i < answered->nelts; i++)
        st_set_link(t, 'r', login, APR_ARRAY_IDX(answered, i, const char *), 0);
}

/* At commit, for every member whose permissions changed: each open
 * request that the change satisfies ends (IAM_REQUEST_GRANTED, audited);
 * the others stay. The requests of a login that is no member go. */
void st_settle_requests(tx_t *t)
{
    apr_pool_t *outer = t->p, *scratch;
    apr_hash_index_t *hi;

    if (!t->settle || !t->roles || t->status != IAM_OK)
        return;
    apr_pool_create(&scratch, outer);
    for (hi = apr_hash_first(outer, t->settle); hi && t->status == IAM_OK; hi = apr_hash_next(hi)) {
        const char *login = apr_hash_this_key(hi);
        apr_array_header_t *open, *answered;
        iam_subject_t subj;
        iam_request_t *q;
        key_t_ k;
        int i, found;

        t->p = scratch; /* a group of 100,000 members must not keep them all */
        open = apr_array_make(scratch, 4, sizeof(const char *));
        answered = apr_array_make(scratch, 4, sizeof(const char *));
        tx_each_link(t, 'R', login, st_add_name, open);
        tx_each_link(t, 'r', login, st_add_name, answered);
        if (open->nelts || answered->nelts) {
            if ((found = tx_subject(t, login, t->roles, &subj)) == 0)
                drop_requests(t, login, open, answered);
            for (i = 0; found == 1 && i < open->nelts && t->status == IAM_OK; i++) {
                if (tx_request_in(t, 'R', login, APR_ARRAY_IDX(open, i, const char *), &k, &q) ==
                        1 &&
                    request_met(t, &subj, q)) {
                    end_request(t, &k, q, IAM_REQUEST_GRANTED);
                    st_audit(t, "request.granted", subj.member->login, request_text(t->p, q), "");
                }
            }
        }
        t->p = outer;
        apr_pool_clear(scratch);
    }
    t->p = outer;
    t->settle = NULL;
    apr_pool_destroy(scratch);
}

/* Forgets a member's answered requests older than IAM_REQUEST_KEEP_DAYS. */
static void prune_answered(tx_t *t, const char *login, long long now)
{
    apr_array_header_t *keys = apr_array_make(t->p, 4, sizeof(const char *));
    iam_request_t *q;
    key_t_ k;
    int i;

    tx_each_link(t, 'r', login, st_add_name, keys);
    for (i = 0; i < keys->nelts && t->status == IAM_OK; i++) {
        if (tx_request_in(t, 'r', login, APR_ARRAY_IDX(keys, i, const char *), &k, &q) == 1 &&
            q->answered + IAM_REQUEST_KEEP_DAYS * 86400LL < now)
            tx_del(t, &k);
    }
}

typedef struct {
    const iam_request_t *req;
    int max_open;
    iam_request_change_e *change;
} request_ctx_t;

/* A change of level is mailed to every owner: at most one a minute, so a
 * member cannot flood them. */
#define REQUEST_LEVEL_EVERY 60

/* Whether a request is one the store takes: its resource, message, path,
 * level and labels; else the transaction fails (IAM_INVALID). */
static int request_check(tx_t *t, const iam_request_t *in)
{
    const char *e;
    int i;

    if ((e = iam_check_resource_type(in->type)) ||
        (strcmp(in->name, "*") && *in->name && (e = iam_check_resource_name(in->name)))) {
        tx_fail(t, IAM_INVALID, "the resource %s", e);
        return 0;
    }
    if ((e = iam_check_message(in->message, IAM_REQUEST_MESSAGE_MAX))) {
        tx_fail(t, IAM_INVALID, "the message %s", e);
        return 0;
    }
    if ((e = iam_check_text(in->path, 1024))) {
        tx_fail(t, IAM_INVALID, "the path %s", e);
        return 0;
    }
    if (in->level < IAM_LEVEL_READ || in->level > IAM_LEVEL_ADMIN) {
        tx_fail(t, IAM_INVALID, "the level is not read, edit or admin");
        return 0;
    }
    if (in->nlabels < 0 || in->nlabels > REQUEST_LABELS_MAX) {
        tx_fail(t, IAM_INVALID, "the resource has more than %d labels", REQUEST_LABELS_MAX);
        return 0;
    }
    for (i = 0; i < in->nlabels; i++) {
        if ((e = iam_check_label(in->labels[i]))) {
            tx_fail(t, IAM_INVALID, "a label of the resource %s", e);
            return 0;
        }
    }
    return 1;
}

/* What asking q changes (*c->change), against the open request `old` or
 * the answered one `ended` (at key rk), if any: 1 to write q, 0 when
 * nothing is to be written (asked again as it was, or refused). */
static int request_change(tx_t *t, request_ctx_t *c, iam_member_t *m, const iam_request_t *old,
                          const iam_request_t *ended, key_t_ *rk, iam_request_t *q)
{
    const iam_request_t *in = c->req;

    if (!old) {
        apr_array_header_t *open = apr_array_make(t->p, 4, sizeof(const char *));
        tx_each_link(t, 'R', m->login, st_add_name, open);
        if (open->nelts >= c->max_open) {
            tx_fail(t, IAM_INVALID,
                    "%d access requests are already waiting for an owner; wait for an answer "
                    "before asking again",
                    open->nelts);
            return 0;
        }
        if (ended)
            tx_del(t, rk); /* asked again after an answer: open anew */
        *c->change = IAM_REQUEST_NEW;
    } else if (old->level != in->level) {
        if (old->level_time && old->level_time + REQUEST_LEVEL_EVERY > q->time) {
            tx_fail(t, IAM_INVALID,
                    "this request changed its level less than a minute ago: wait a minute before "
                    "asking for %s access instead of %s",
                    iam_level_name(in->level), iam_level_name(old->level));
            return 0;
        }
        q->level_time = q->time;
        *c->change = IAM_REQUEST_LEVEL;
    } else if (strcmp(old->message, in->message)) {
        *c->change = IAM_REQUEST_MESSAGE;
    } else {
        return 0; /* asked again, as it was: nothing to write */
    }
    return 1;
}

static void request_put_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    request_ctx_t *c = data;
    const iam_request_t *in = c->req;
    iam_request_t q = *in, *old = NULL, *ended = NULL;
    iam_member_t *m;
    const char *suffix;
    key_t_ k, rk;

    (void)roles;
    (void)plan;
    if (!(m = tx_member_must(t, in->login)) || !request_check(t, in))
        return;
    q.login = m->login;
    q.name = *in->name ? in->name : "*";
    q.time = (long long)time(NULL);
    prune_answered(t, m->login, q.time);
    suffix = request_suffix(t->p, in->type, in->name);
    if (tx_request_in(t, 'R', m->login, suffix, &k, &old) < 0 ||
        (!old && tx_request_in(t, 'r', m->login, suffix, &rk, &ended) < 0))
        return;
    q.status = IAM_REQUEST_OPEN;
    q.answered = 0;
    q.answered_by = q.granted_role = "";
    q.granted_all = 0;
    q.level_time = old ? old->level_time : 0;
    q.audit_time = old ? old->audit_time : 0;
    /* every change is a new revision (an approval names the one it saw),
     * asking again after an answer too; the last one stays, should a
     * request ever change 4 billion times */
    if (old || ended) {
        unsigned was = old ? old->rev : ended->rev;
        q.rev = was < REQUEST_REV_MAX ? was + 1 : was;
    } else {
        q.rev = 1;
    }
    if (!request_change(t, c, m, old, ended, &rk, &q))
        return;
    /* a new request and every change of level are audited; a new message
     * at most once a minute, so a loop cannot fill the store */
    if (*c->change != IAM_REQUEST_MESSAGE || q.audit_time + 60 <= q.time) {
        q.audit_time = q.time;
        st_audit(t,
                 *c->change == IAM_REQUEST_NEW     ? "request.open"
                 : *c->change == IAM_REQUEST_LEVEL ? "request.level"
                                                   : "request.update",
                 m->login, old ? request_text(t->p, old) : "",
                 apr_psprintf(t->p, "%s: %s", request_text(t->p, &q), q.message));
    }
    tx_put(t, &k, rec_encode_request(t->p, &q)); /* an update overwrites: no growth */
}

iam_status_e iam_store_request_put(iam_store_t *st, const char *actor, const iam_request_t *req,
                                   int max_open, iam_request_change_e *change, iam_err_t *err)
{
    request_ctx_t c = {req, max_open, change};
    iam_status_e rc;

    *change = IAM_REQUEST_SAME;
    if ((rc = st_write_op(st, actor, err, request_put_op, &c)) != IAM_OK)
        *change = IAM_REQUEST_SAME;
    return rc;
}

/* The open request of member m for type:name: 1 found (*k its key), 0 not
 * (failed as IAM_NOTFOUND), -1 failed. */
static int tx_request(tx_t *t, const iam_member_t *m, const char *type, const char *name, key_t_ *k,
                      iam_request_t **out)
{
    const char *suffix = request_suffix(t->p, type, name);
    int found = tx_request_in(t, 'R', m->login, suffix, k, out);

    if (found == 0)
        tx_fail(t, IAM_NOTFOUND, "no open request of '%s' for %s", m->login, suffix);
    return found;
}

iam_status_e iam_store_request_get(iam_store_t *st, apr_pool_t *p, const char *login,
                                   const char *type, const char *name, iam_request_t **out,
                                   iam_err_t *err)
{
    iam_member_t *m;
    key_t_ k;
    tx_t t;

    *out = NULL;
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_member_named(&t, login, &m) == 1)
        tx_request(&t, m, type, name, &k, out);
    else
        tx_no_member(&t, login);
    return tx_done(&t);
}

typedef struct {
    const iam_approval_t *a; /* NULL: dismiss */
    const char *login, *type, *name;
    apr_pool_t *p; /* where *out goes */
    iam_request_t **out;
} answer_ctx_t;

/* A copy of q in pool p (the transaction's pool goes with it). */
static iam_request_t *request_copy(apr_pool_t *p, apr_pool_t *scratch, const iam_request_t *q)
{
    MDB_val v = rec_encode_request(scratch, q);
    return rec_decode_request(p, &v);
}

static void request_answer_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    answer_ctx_t *c = data;
    const iam_approval_t *a = c->a;
    iam_request_t *q;
    iam_member_t *m;
    iam_grant_t g;
    const char *item[2], *why, *before;
    const iam_role_t *role;
    key_t_ k;

    if (!(m = tx_member_must(t, c->login)))
        return;
    if (tx_request(t, m, c->type, c->name, &k, &q) != 1)
        return;
    if (!a) {
        end_request(t, &k, q, IAM_REQUEST_DISMISSED);
        st_audit(t, "request.dismiss", m->login, request_text(t->p, q), "");
    } else {
        if (a->rev != q->rev) {
            tx_fail(t, IAM_STALE,
                    "the request of '%s' changed after you saw it: it now asks for %s access "
                    "(revision %u, you saw %u); look at it again before answering",
                    m->login, iam_level_name(q->level), q->rev, a->rev);
            return;
        }
        if (!(role = iam_policy_approval(roles, plan, q->type, q->name, q->level, a->role, a->scope,
                                         &g, item, &why))) {
            tx_fail(t, a->role ? IAM_INVALID : IAM_PLAN, "cannot approve %s access to %s %s: %s",
                    iam_level_name(q->level), q->type, q->name, why);
            return;
        }
        if (role->kind == IAM_ROLE_OWNER && !a->owner_confirmed) {
            tx_fail(t, IAM_INVALID,
                    "approving this request makes '%s' a Workspace Owner, with every right in "
                    "the workspace: confirm that first",
                    m->login);
            return;
        }
        before = st_describe_member(t, m);
        if (!st_merge_grant(t, m->grants, &g, roles, plan, 0, m->login, 0))
            return;
        if (role->kind == IAM_ROLE_OWNER)
            st_set_owner_index(t, m->login, 1);
        st_put_member(t, m);
        q->granted_role = role->slug;
        q->granted_all = g.scope == IAM_SCOPE_ALL;
        end_request(t, &k, q, IAM_REQUEST_APPROVED);
        st_settle_later(t, m->login); /* the grant may answer others of theirs too */
        st_audit(t, "request.approve", m->login,
                 apr_psprintf(t->p, "%s; asked: %s", before, request_text(t->p, q)),
                 st_describe_member(t, m));
    }
    if (c->out && t->status == IAM_OK)
        *c->out = request_copy(c->p, t->p, q);
}

iam_status_e iam_store_request_approve(iam_store_t *st, const char *actor, const iam_approval_t *a,
                                       apr_pool_t *p, iam_request_t **out, iam_err_t *err)
{
    answer_ctx_t c = {a, a->login, a->type, a->name, p, out};

    if (out)
        *out = NULL;
    return st_write_op(st, actor, err, request_answer_op, &c);
}

iam_status_e iam_store_request_dismiss(iam_store_t *st, const char *actor, const char *login,
                                       const char *type, const char *name, apr_pool_t *p,
                                       iam_request_t **out, iam_err_t *err)
{
    answer_ctx_t c = {NULL, login, type, name, p, out};

    if (out)
        *out = NULL;
    return st_write_op(st, actor, err, request_answer_op, &c);
}

static int list_request(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    iam_request_t *q = rec_decode_request(t->p, v);

    if (!q) {
        tx_fail(t, IAM_CORRUPT, "store %s: an access request is damaged", t->st->dir);
        return 0;
    }
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_request_t *) = q;
    return 1;
}

/* Appends the member's requests of one family to out; answered ones
 * since `since` only. */
static void list_member_requests(tx_t *t, char family, const char *login, long long since,
                                 apr_array_header_t *out)
{
    apr_array_header_t *keys = apr_array_make(t->p, 4, sizeof(const char *));
    iam_request_t *q;
    key_t_ k;
    int i;

    tx_each_link(t, family, login, st_add_name, keys);
    for (i = 0; i < keys->nelts && t->status == IAM_OK; i++) {
        if (tx_request_in(t, family, login, APR_ARRAY_IDX(keys, i, const char *), &k, &q) == 1 &&
            (!q->answered || q->answered >= since))
            APR_ARRAY_PUSH(out, iam_request_t *) = q;
    }
}

iam_status_e iam_store_request_list(iam_store_t *st, apr_pool_t *p, const char *login,
                                    apr_array_header_t **out, iam_err_t *err)
{
    iam_member_t *m;
    tx_t t;

    *out = apr_array_make(p, 8, sizeof(iam_request_t *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (!login)
        tx_each_record(&t, 'R', list_request, *out);
    else if (tx_member_named(&t, login, &m) == 1) /* else: no member (as logins match) */
        list_member_requests(&t, 'R', login, 0, *out);
    return tx_done(&t);
}

static long long request_when(const iam_request_t *q)
{
    return q->answered > q->time ? q->answered : q->time;
}

static int cmp_recent(const void *a, const void *b)
{
    long long x = request_when(*(iam_request_t *const *)a),
              y = request_when(*(iam_request_t *const *)b);
    return x < y ? 1 : x > y ? -1 : 0;
}

iam_status_e iam_store_request_history(iam_store_t *st, apr_pool_t *p, const char *login,
                                       apr_array_header_t **out, iam_err_t *err)
{
    long long since = (long long)time(NULL) - IAM_REQUEST_KEEP_DAYS * 86400LL;
    iam_member_t *m;
    tx_t t;

    *out = apr_array_make(p, 8, sizeof(iam_request_t *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    if (tx_member_named(&t, login, &m) == 1) {
        list_member_requests(&t, 'R', login, 0, *out);
        list_member_requests(&t, 'r', login, since, *out);
    }
    if (t.status == IAM_OK)
        qsort((*out)->elts, (size_t)(*out)->nelts, sizeof(iam_request_t *), cmp_recent);
    return tx_done(&t);
}
