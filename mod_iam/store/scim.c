/* mod_iam store: what SCIM needs of members and groups. Every member and
 * group has an id of its own, made when it is made and never changed
 * (a rename keeps it), and what the identity provider calls it (its
 * externalId); a group that SCIM wrote is marked managed, and its members
 * change only through SCIM:
 *
 *   'I' id -> member's id record: login (as the record spells it), externalId
 *   'i' login -> id
 *   'J' id -> group's id record: name, externalId, managed
 *   'j' group -> id
 *   0x01 "ids" every member and group has one (a store of an older
 *              release is given them by iam_store_ids_fill)
 *
 * All are facts of the log. SCIM's writes are here too, each one
 * transaction: a user made, changed (renamed, suspended, resumed) or
 * removed; a group made, changed (renamed, its members) or deleted. */
#include "store_int.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ID_FORMAT 1
#define ID_LEN 36 /* a UUID's text */
#define FILL_BATCH 1000

/* ---- the records ---- */

static MDB_val encode_id(apr_pool_t *p, const iam_scim_id_t *id)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, ID_FORMAT);
    w_str(&w, id->name);
    w_str(&w, id->external_id);
    w_u8(&w, id->managed ? 1 : 0);
    return w_val(&w);
}

/* The id record under key k ('I' or 'J' id), or NULL when damaged. */
iam_scim_id_t *rec_decode_id(apr_pool_t *p, const MDB_val *k, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_scim_id_t *id = apr_pcalloc(p, sizeof(*id));
    const char *c;

    if (k->mv_size != 1 + ID_LEN || r_u8(&r) != ID_FORMAT)
        return NULL;
    id->kind = ((const char *)k->mv_data)[0] == 'I' ? IAM_ID_MEMBER : IAM_ID_GROUP;
    if (memchr((const char *)k->mv_data + 1, 0, ID_LEN))
        return NULL;
    id->id = apr_pstrmemdup(p, (const char *)k->mv_data + 1, ID_LEN);
    id->name = r_str(&r);
    id->external_id = r_str(&r);
    id->managed = (int)r_u8(&r);
    if (r.bad || r.off != r.n || !*id->name || id->managed > 1 ||
        (id->kind == IAM_ID_MEMBER && id->managed))
        return NULL;
    for (c = id->id; *c; c++) {
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || *c == '-'))
            return NULL;
    }
    return id;
}

static char rec_type(char kind)
{
    return kind == IAM_ID_MEMBER ? 'I' : 'J';
}

static char name_type(char kind)
{
    return kind == IAM_ID_MEMBER ? 'i' : 'j';
}

/* The id record of a member's or group's name: 1, 0 none, -1 failed. */
static int tx_id_of(tx_t *t, char kind, const char *name, iam_scim_id_t **out)
{
    key_t_ k;
    MDB_val v;
    char id[ID_LEN + 1];
    int found;

    *out = NULL;
    if (key_make(&k, name_type(kind), name, NULL))
        return 0;
    if ((found = tx_get(t, &k, &v)) != 1)
        return found;
    if (v.mv_size != ID_LEN) {
        tx_fail(t, IAM_CORRUPT, "store %s: the id of '%s' is damaged", t->st->dir, name);
        return -1;
    }
    memcpy(id, v.mv_data, ID_LEN);
    id[ID_LEN] = 0;
    key_make(&k, rec_type(kind), id, NULL);
    if (tx_get(t, &k, &v) != 1 || !(*out = rec_decode_id(t->p, &(MDB_val){k.n, k.b}, &v))) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_CORRUPT, "store %s: the id record of '%s' is missing or damaged",
                    t->st->dir, name);
        return -1;
    }
    return 1;
}

/* The id record of an id (1, 0 none, -1 failed). */
static int tx_id_get(tx_t *t, char kind, const char *id, iam_scim_id_t **out)
{
    key_t_ k;
    MDB_val v;
    int found;

    *out = NULL;
    if (strlen(id) != ID_LEN || key_make(&k, rec_type(kind), id, NULL))
        return 0;
    if ((found = tx_get(t, &k, &v)) != 1)
        return found;
    if (!(*out = rec_decode_id(t->p, &(MDB_val){k.n, k.b}, &v))) {
        tx_fail(t, IAM_CORRUPT, "store %s: the id record %s is damaged", t->st->dir, id);
        return -1;
    }
    return 1;
}

static void put_id(tx_t *t, const iam_scim_id_t *id)
{
    key_t_ k, nk;

    key_make(&k, rec_type(id->kind), id->id, NULL);
    if (key_make(&nk, name_type(id->kind), id->name, NULL)) {
        tx_fail(t, IAM_INVALID, "name is too long");
        return;
    }
    tx_put(t, &k, encode_id(t->p, id));
    tx_put(t, &nk, (MDB_val){ID_LEN, (void *)id->id});
}

/* Makes the id of a new member or group named `name`. */
void st_id_make(tx_t *t, char kind, const char *name)
{
    unsigned char b[16];
    iam_scim_id_t *id;

    if (t->status != IAM_OK)
        return;
    if (apr_generate_random_bytes(b, sizeof(b)) != APR_SUCCESS) {
        tx_fail(t, IAM_ERROR, "no random bytes for an id");
        return;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* a version 4 UUID */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    id = apr_pcalloc(t->p, sizeof(*id));
    id->kind = kind;
    id->id = apr_psprintf(
        t->p, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
        b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    id->name = name;
    id->external_id = "";
    put_id(t, id);
}

/* A member or group `from` is now `to` (a rename, a taken-up invitation):
 * its id goes with it. */
void st_id_move(tx_t *t, char kind, const char *from, const char *to)
{
    iam_scim_id_t *id;
    key_t_ k;

    if (tx_id_of(t, kind, from, &id) != 1)
        return;
    key_make(&k, name_type(kind), from, NULL);
    tx_del(t, &k);
    id->name = to;
    put_id(t, id);
}

/* A member or group is gone: so is its id (never used again). */
void st_id_drop(tx_t *t, char kind, const char *name)
{
    iam_scim_id_t *id;
    key_t_ k;

    if (tx_id_of(t, kind, name, &id) != 1)
        return;
    key_make(&k, name_type(kind), name, NULL);
    tx_del(t, &k);
    key_make(&k, rec_type(kind), id->id, NULL);
    tx_del(t, &k);
}

/* Whether SCIM manages group `name`'s members. */
int st_group_managed(tx_t *t, const char *name)
{
    iam_scim_id_t *id;

    return tx_id_of(t, IAM_ID_GROUP, name, &id) == 1 && id->managed;
}

/* ---- ids for a store of an older release ---- */

typedef struct {
    char kind;
    int made;
    int more;
} fill_ctx_t;

static int fill_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    fill_ctx_t *c = data;
    const char *name;
    iam_scim_id_t *id;

    if (c->made >= FILL_BATCH) {
        c->more = 1;
        return 0;
    }
    if (c->kind == IAM_ID_MEMBER) {
        iam_member_t *m = rec_decode_member(t->p, v);
        name = m ? m->login : NULL;
    } else {
        iam_group_t *g = rec_decode_group(t->p, v);
        name = g ? g->name : NULL;
    }
    (void)k;
    if (!name) {
        tx_fail(t, IAM_CORRUPT, "store %s: a %s record is damaged", t->st->dir,
                c->kind == IAM_ID_MEMBER ? "member" : "group");
        return 0;
    }
    if (tx_id_of(t, c->kind, name, &id) == 0) {
        st_id_make(t, c->kind, name);
        c->made++;
    }
    return t->status == IAM_OK;
}

static void fill_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    fill_ctx_t c = {IAM_ID_MEMBER, 0, 0};
    key_t_ k;
    MDB_val v;

    (void)roles;
    (void)plan;
    key_meta(&k, "ids");
    if (tx_get(t, &k, &v) == 1) {
        *(int *)data = 1;
        return;
    }
    tx_each_record(t, 'M', fill_one, &c);
    if (!c.more) {
        c.kind = IAM_ID_GROUP;
        tx_each_record(t, 'G', fill_one, &c);
    }
    if (!c.more && t->status == IAM_OK) {
        key_meta(&k, "ids");
        tx_put(t, &k, st_str_val("1"));
        *(int *)data = 1;
    }
}

int iam_store_ids_complete(iam_store_t *st)
{
    apr_pool_t *p;
    iam_err_t err;
    key_t_ k;
    MDB_val v;
    tx_t t;
    int found = 0;

    apr_pool_create(&p, NULL);
    if (tx_begin(&t, st, TX_READ, p, &err) == IAM_OK) {
        key_meta(&k, "ids");
        found = tx_get(&t, &k, &v) == 1;
        tx_done(&t);
    }
    apr_pool_destroy(p);
    return found;
}

iam_status_e iam_store_ids_fill(iam_store_t *st, const char *actor, iam_err_t *err)
{
    iam_status_e rc = IAM_OK;
    int done = 0;

    while (!done && rc == IAM_OK)
        rc = st_write_op(st, actor, err, fill_op, &done);
    return rc;
}

/* ---- reads ---- */

static iam_scim_id_t *copy_id(apr_pool_t *p, const iam_scim_id_t *id)
{
    iam_scim_id_t *c = apr_pmemdup(p, id, sizeof(*id));

    c->id = apr_pstrdup(p, id->id);
    c->name = apr_pstrdup(p, id->name);
    c->external_id = apr_pstrdup(p, id->external_id);
    return c;
}

/* One entry: its member (with groups) or group (members with
 * with_members), and each group's or member's id. */
static int tx_entry(tx_t *t, apr_pool_t *p, iam_scim_id_t *id, int with_members,
                    iam_scim_entry_t *out)
{
    iam_scim_id_t *other;
    int i;

    memset(out, 0, sizeof(*out));
    out->id = copy_id(p, id);
    out->links = apr_array_make(p, 4, sizeof(iam_scim_id_t *));
    if (id->kind == IAM_ID_MEMBER) {
        if (tx_member(t, id->name, &out->member) != 1)
            goto damaged;
        out->member->groups = apr_array_make(t->p, 4, sizeof(const char *));
        tx_each_link(t, 'm', id->name, st_add_name, out->member->groups);
        for (i = 0; i < out->member->groups->nelts; i++) {
            const char *g = APR_ARRAY_IDX(out->member->groups, i, const char *);
            if (tx_id_of(t, IAM_ID_GROUP, g, &other) == 1)
                APR_ARRAY_PUSH(out->links, iam_scim_id_t *) = copy_id(p, other);
        }
        out->member->login = apr_pstrdup(p, out->member->login);
        out->member->email = apr_pstrdup(p, out->member->email);
        out->member->name = apr_pstrdup(p, out->member->name);
    } else {
        if (tx_group(t, id->name, &out->group) != 1)
            goto damaged;
        out->group->name = apr_pstrdup(p, out->group->name);
        out->group->members = NULL;
        if (with_members) {
            apr_array_header_t *logins = apr_array_make(t->p, 16, sizeof(const char *));
            tx_each_link(t, 'g', id->name, st_add_name, logins);
            for (i = 0; i < logins->nelts; i++) {
                const char *l = APR_ARRAY_IDX(logins, i, const char *);
                if (tx_id_of(t, IAM_ID_MEMBER, l, &other) == 1)
                    APR_ARRAY_PUSH(out->links, iam_scim_id_t *) = copy_id(p, other);
            }
        }
    }
    return t->status == IAM_OK;
damaged:
    if (t->status == IAM_OK)
        tx_fail(t, IAM_CORRUPT, "store %s: id %s names '%s', which is missing or damaged",
                t->st->dir, id->id, id->name);
    return 0;
}

iam_status_e iam_store_scim_get(iam_store_t *st, apr_pool_t *p, char kind, const char *id,
                                const char *name, int with_members, iam_scim_entry_t *out,
                                iam_err_t *err)
{
    iam_scim_id_t *rec = NULL;
    tx_t t;
    int found;

    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    found = id ? tx_id_get(&t, kind, id, &rec) : tx_id_of(&t, kind, name, &rec);
    if (found == 1)
        tx_entry(&t, p, rec, with_members, out);
    else if (found == 0)
        tx_fail(&t, IAM_NOTFOUND, "no such %s", kind == IAM_ID_MEMBER ? "user" : "group");
    return tx_done(&t);
}

typedef struct {
    apr_pool_t *p;
    char kind;
    const char *after;
    long skip;
    int limit, with_members;
    apr_array_header_t *out;
    const char *next;
} list_ctx_t;

static int list_one(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    list_ctx_t *c = data;
    iam_scim_id_t *id = rec_decode_id(t->p, k, v);
    iam_scim_entry_t *e;

    if (!id) {
        tx_fail(t, IAM_CORRUPT, "store %s: an id record is damaged", t->st->dir);
        return 0;
    }
    if (c->after && !strcmp(id->id, c->after))
        return 1; /* exclusive: the last id the caller saw */
    if (c->skip > 0) {
        c->skip--;
        return 1;
    }
    if (c->out->nelts >= c->limit) { /* more: go on after the last one given */
        if (c->out->nelts)
            c->next = APR_ARRAY_IDX(c->out, c->out->nelts - 1, iam_scim_entry_t *)->id->id;
        return 0;
    }
    e = apr_palloc(c->p, sizeof(*e));
    if (!tx_entry(t, c->p, id, c->with_members, e))
        return 0;
    APR_ARRAY_PUSH(c->out, iam_scim_entry_t *) = e;
    return 1;
}

iam_status_e iam_store_scim_list(iam_store_t *st, apr_pool_t *p, char kind, const char *after,
                                 long skip, int limit, int with_members, apr_array_header_t **out,
                                 const char **next, long *total, iam_err_t *err)
{
    list_ctx_t c = {p, kind, after, skip, limit, with_members, NULL, NULL};
    key_t_ prefix, from;
    tx_t t;

    c.out = *out = apr_array_make(p, limit > 0 ? limit : 1, sizeof(iam_scim_entry_t *));
    if (tx_begin(&t, st, TX_READ, p, err) != IAM_OK)
        return t.status;
    if (total)
        *total = tx_meta_count(&t, kind == IAM_ID_MEMBER ? "members" : "groups");
    key_make(&prefix, rec_type(kind), "", NULL);
    if (after && key_make(&from, rec_type(kind), after, NULL) == 0)
        tx_scan(&t, &prefix, &from, list_one, &c);
    else
        tx_scan(&t, &prefix, NULL, list_one, &c);
    *next = c.next;
    return tx_done(&t);
}

/* ---- writes ---- */

/* SCIM's writes may change the members of the groups it manages. */
static void scim_tx(tx_t *t)
{
    t->scim = 1;
}

typedef struct {
    const iam_scim_user_spec_t *spec;
    apr_pool_t *p;
    iam_scim_id_t **out;
} user_ctx_t;

/* Renames member m to `login`: a new spelling of the same key, or a move
 * of everything that is theirs to a new key (st_member_rekey; their
 * access requests go, as a removed member's). Never a Workspace Owner
 * (their authority would follow a login the identity provider chose, and
 * their API tokens, the identity provider's own among them, would die)
 * nor an invitation (whoever logs in as the new login would take it). */
static void rename_member(tx_t *t, iam_member_t *m, const char *login)
{
    const char *was = m->login, *e;
    iam_member_t *other;

    if ((e = iam_check_login(login)) != NULL) {
        tx_fail(t, IAM_INVALID, "userName '%s' %s", login, e);
        return;
    }
    if (st_is_owner_grants(m->grants) || m->status == IAM_INVITED) {
        tx_fail(t, IAM_INVALID,
                "'%s' is %s: their userName is not changed through SCIM (make the change in "
                "the workspace: remove them and add the new login)",
                was, m->status == IAM_INVITED ? "an invitation" : "a Workspace Owner");
        return;
    }
    if (strcasecmp(was, login)) {
        if (tx_member(t, login, &other) != 0) {
            if (t->status == IAM_OK)
                tx_fail(t, IAM_EXISTS, "userName '%s' is already the member '%s'", login,
                        other->login);
            return;
        }
        st_member_rekey(t, m, login, "was renamed"); /* their requests go at commit */
    } else {
        st_mark_dirty(t, was);
        m->login = login;
        st_id_move(t, IAM_ID_MEMBER, was, login);
    }
    st_audit(t, "member.rename", login, was, login);
}

static void user_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    user_ctx_t *c = data;
    const iam_scim_user_spec_t *sp = c->spec;
    iam_scim_id_t *id = NULL;
    iam_member_t *m;
    const char *before = "", *e;
    int changed = 0, renamed = 0;

    (void)roles;
    (void)plan;
    scim_tx(t);
    if (sp->external_id && (e = iam_check_text(sp->external_id, 256)) && *sp->external_id) {
        tx_fail(t, IAM_INVALID, "externalId %s", e);
        return;
    }
    if (!sp->id) {
        if (!sp->login) {
            tx_fail(t, IAM_INVALID, "userName is required");
            return;
        }
        if (!(m = tx_member_add(t, sp->login, sp->email && *sp->email ? sp->email : NULL,
                                sp->name && *sp->name ? sp->name : NULL,
                                sp->active == 0 ? IAM_SUSPENDED : IAM_ACTIVE, 0)))
            return;
        m->provisioned = 1;
        st_put_member(t, m);
        st_audit(t, "member.add", m->login, "", st_describe_member(t, m));
        if (tx_id_of(t, IAM_ID_MEMBER, m->login, &id) != 1)
            return;
        if (sp->external_id && *sp->external_id) {
            st_audit(t, "member.external-id", m->login, "", sp->external_id);
            id->external_id = sp->external_id;
            put_id(t, id);
        }
        *c->out = copy_id(c->p, id);
        return;
    }
    if (tx_id_get(t, IAM_ID_MEMBER, sp->id, &id) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no user %s", sp->id);
        return;
    }
    if (!(m = tx_member_must(t, id->name))) /* the id's own spelling */
        return;
    before = st_describe_member(t, m);
    if (sp->login && strcmp(sp->login, m->login)) {
        renamed = 1;
        rename_member(t, m, sp->login);
        if (t->status != IAM_OK || tx_id_of(t, IAM_ID_MEMBER, m->login, &id) != 1)
            return;
        before = st_describe_member(t, m);
    }
    if (sp->email && strcmp(sp->email, m->email)) {
        if (m->status == IAM_INVITED &&
            strcasecmp(sp->email, m->email)) { /* another login with that email would take it */
            tx_fail(t, IAM_INVALID, "'%s' is an invitation: its email is not changed through SCIM",
                    m->login);
            return;
        }
        if (*sp->email && (e = iam_check_email(sp->email))) {
            tx_fail(t, IAM_INVALID, "email '%s' %s", sp->email, e);
            return;
        }
        st_member_email(t, m, sp->email);
        changed = 1;
    }
    if (sp->name && strcmp(sp->name, m->name)) {
        if (*sp->name && (e = iam_check_text(sp->name, 128))) {
            tx_fail(t, IAM_INVALID, "name %s", e);
            return;
        }
        m->name = sp->name;
        changed = 1;
    }
    if (t->status != IAM_OK)
        return;
    if (changed || renamed) { /* a PUT that says what is: nothing written */
        st_put_member(t, m);
        if (changed)
            st_audit(t, "member.update", m->login, before, st_describe_member(t, m));
    }
    if (sp->active >= 0 && (m->status == IAM_SUSPENDED) == sp->active)
        st_member_suspend(t, m, !sp->active);
    if (sp->external_id && strcmp(sp->external_id, id->external_id)) {
        st_audit(t, "member.external-id", m->login, id->external_id, sp->external_id);
        id->external_id = sp->external_id;
        put_id(t, id);
    }
    if (t->status == IAM_OK)
        *c->out = copy_id(c->p, id);
}

iam_status_e iam_store_scim_user_put(iam_store_t *st, const char *actor,
                                     const iam_scim_user_spec_t *spec, apr_pool_t *p,
                                     iam_scim_id_t **out, iam_err_t *err)
{
    user_ctx_t c = {spec, p, out};

    *out = NULL;
    return st_write_op(st, actor, err, user_op, &c);
}

typedef struct {
    char kind;
    const char *id;
} delete_ctx_t;

static void delete_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    delete_ctx_t *c = data;
    iam_scim_id_t *id;

    (void)roles;
    (void)plan;
    scim_tx(t);
    if (tx_id_get(t, c->kind, c->id, &id) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no %s %s", c->kind == IAM_ID_MEMBER ? "user" : "group",
                    c->id);
        return;
    }
    if (c->kind == IAM_ID_MEMBER)
        st_member_remove(t, id->name);
    else
        st_group_delete(t, id->name);
}

iam_status_e iam_store_scim_delete(iam_store_t *st, const char *actor, char kind, const char *id,
                                   iam_err_t *err)
{
    delete_ctx_t c = {kind, id};

    return st_write_op(st, actor, err, delete_op, &c);
}

typedef struct {
    const iam_scim_group_spec_t *spec;
    apr_pool_t *p;
    iam_scim_id_t **out;
} group_ctx_t;

/* The login of a user id; NULL for an id no user has (a member removed
 * since: the identity provider may still name them), which fails t when
 * `strict` (an id to add must be a user). */
static const char *login_of(tx_t *t, const char *mid, int strict)
{
    iam_scim_id_t *id;

    if (tx_id_get(t, IAM_ID_MEMBER, mid, &id) == 1)
        return id->name;
    if (strict && t->status == IAM_OK)
        tx_fail(t, IAM_INVALID, "no user %s: a group's members are users' ids", mid);
    return NULL;
}

/* A set of logins, whatever their case. */
static apr_hash_t *login_set(tx_t *t, const apr_array_header_t *logins)
{
    apr_hash_t *h = apr_hash_make(t->p);
    int i, j;

    for (i = 0; i < logins->nelts; i++) {
        char *l = apr_pstrdup(t->p, APR_ARRAY_IDX(logins, i, const char *));
        for (j = 0; l[j]; j++)
            l[j] = (char)((l[j] >= 'A' && l[j] <= 'Z') ? l[j] - 'A' + 'a' : l[j]);
        apr_hash_set(h, l, APR_HASH_KEY_STRING, l);
    }
    return h;
}

/* Links or unlinks login and group (both sides), recording who joined or
 * left for the audit trail; nothing when already so. */
static void set_member(tx_t *t, iam_group_t *g, const char *login, int add, apr_array_header_t *who)
{
    key_t_ k;
    MDB_val v;
    iam_member_t *m;

    if (key_make(&k, 'm', login, g->name) || tx_get(t, &k, &v) == add)
        return;
    if ((m = tx_group_link(t, g->name, login, add, 0, 1)) != NULL) {
        APR_ARRAY_PUSH(who, const char *) = m->login;
        st_settle_later(t, m->login);
    }
}

static void group_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    group_ctx_t *c = data;
    const iam_scim_group_spec_t *sp = c->spec;
    apr_array_header_t *joined = apr_array_make(t->p, 4, sizeof(const char *));
    apr_array_header_t *left = apr_array_make(t->p, 4, sizeof(const char *));
    iam_scim_id_t *id = NULL;
    iam_group_t *g;
    const char *target, *e;
    int i;

    (void)roles;
    scim_tx(t);
    if (!iam_plan_allows_groups(plan)) {
        tx_fail(t, IAM_PLAN, "the %s plan has no user groups", iam_plan_name(plan));
        return;
    }
    if (sp->external_id && *sp->external_id && (e = iam_check_text(sp->external_id, 256))) {
        tx_fail(t, IAM_INVALID, "externalId %s", e);
        return;
    }
    if (!sp->id) {
        if (!sp->name) {
            tx_fail(t, IAM_INVALID, "displayName is required");
            return;
        }
        if (!(g = tx_group_create(t, sp->name, plan)))
            return;
        st_audit(t, "group.create", apr_pstrcat(t->p, "group:", g->name, NULL), "",
                 st_describe_group(t, g));
    } else {
        if (tx_id_get(t, IAM_ID_GROUP, sp->id, &id) != 1) {
            if (t->status == IAM_OK)
                tx_fail(t, IAM_NOTFOUND, "no group %s", sp->id);
            return;
        }
        if (tx_group(t, id->name, &g) != 1) {
            if (t->status == IAM_OK)
                tx_fail(t, IAM_CORRUPT, "store %s: group id %s names no group", t->st->dir, sp->id);
            return;
        }
        if (sp->name && strcmp(sp->name, g->name))
            st_group_rename(t, g, sp->name);
    }
    if (t->status != IAM_OK || tx_id_of(t, IAM_ID_GROUP, g->name, &id) != 1)
        return;
    target = apr_pstrcat(t->p, "group:", g->name, NULL);
    st_settle_group_later(t, g->name); /* before: who leaves is checked too */
    if (sp->members) {                 /* the whole set: ids no user has are no one */
        apr_array_header_t *cur = apr_array_make(t->p, 16, sizeof(const char *));
        apr_array_header_t *want = apr_array_make(t->p, sp->members->nelts, sizeof(char *));
        apr_hash_t *wanted;
        for (i = 0; i < sp->members->nelts && t->status == IAM_OK; i++) {
            const char *l = login_of(t, APR_ARRAY_IDX(sp->members, i, const char *), 0);
            if (l)
                APR_ARRAY_PUSH(want, const char *) = l;
        }
        wanted = login_set(t, want); /* link keys are lower-cased */
        tx_each_link(t, 'g', g->name, st_add_name, cur);
        for (i = 0; i < cur->nelts && t->status == IAM_OK; i++) {
            const char *l = APR_ARRAY_IDX(cur, i, const char *);
            if (!apr_hash_get(wanted, l, APR_HASH_KEY_STRING))
                set_member(t, g, l, 0, left);
        }
        for (i = 0; i < want->nelts && t->status == IAM_OK; i++)
            set_member(t, g, APR_ARRAY_IDX(want, i, const char *), 1, joined);
    }
    for (i = 0; sp->remove && i < sp->remove->nelts && t->status == IAM_OK; i++) {
        const char *l = login_of(t, APR_ARRAY_IDX(sp->remove, i, const char *), 0);
        if (l)
            set_member(t, g, l, 0, left);
    }
    for (i = 0; sp->add && i < sp->add->nelts && t->status == IAM_OK; i++) {
        const char *l = login_of(t, APR_ARRAY_IDX(sp->add, i, const char *), 1);
        if (l)
            set_member(t, g, l, 1, joined);
    }
    st_settle_group_later(t, g->name); /* after: who joins is checked too */
    if (joined->nelts)
        st_audit(t, "group.add-members", target, "", apr_array_pstrcat(t->p, joined, ','));
    if (left->nelts)
        st_audit(t, "group.remove-members", target, "", apr_array_pstrcat(t->p, left, ','));
    if (!id->managed) /* from now on its members change through SCIM only */
        st_audit(t, "group.managed", target, "", "scim");
    if (sp->external_id && strcmp(sp->external_id, id->external_id))
        st_audit(t, "group.external-id", target, id->external_id, sp->external_id);
    if ((sp->external_id && strcmp(sp->external_id, id->external_id)) || !id->managed) {
        if (sp->external_id)
            id->external_id = sp->external_id;
        id->managed = 1;
        put_id(t, id);
    }
    if (t->status == IAM_OK)
        *c->out = copy_id(c->p, id);
}

iam_status_e iam_store_scim_group_put(iam_store_t *st, const char *actor,
                                      const iam_scim_group_spec_t *spec, apr_pool_t *p,
                                      iam_scim_id_t **out, iam_err_t *err)
{
    group_ctx_t c = {spec, p, out};

    *out = NULL;
    return st_write_op(st, actor, err, group_op, &c);
}
