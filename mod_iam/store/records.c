/* mod_iam store: every record's format but the member's (member_record.c)
 * and the index entries' (index.c): groups, the custom roles, access
 * requests, API tokens and audit entries. */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

/* A group: its flag, when it was made, its name and its grants. */
MDB_val rec_encode_group(apr_pool_t *p, const iam_group_t *g)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, REC_FORMAT);
    w_u8(&w, g->pii ? 1 : 0);
    w_u64(&w, (unsigned long long)g->created);
    w_str(&w, g->name);
    w_grants(&w, g->grants);
    return w_val(&w);
}

iam_group_t *rec_decode_group(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_group_t *g = apr_pcalloc(p, sizeof(*g));

    if (r_u8(&r) != REC_FORMAT)
        return NULL;
    g->pii = (int)r_u8(&r);
    g->created = (long long)r_u64(&r);
    g->name = r_str(&r);
    g->grants = r_grants(&r);
    g->members = apr_array_make(p, 4, sizeof(const char *));
    if (r.bad || r.off != r.n || !g->name[0])
        return NULL;
    return g;
}

/* The custom roles the server recorded (the built-ins are never stored). */
MDB_val rec_encode_roles(apr_pool_t *p, const iam_roles_t *roles)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i, n = 0;

    for (i = 0; i < roles->n; i++)
        n += roles->role[i].custom;
    w_u16(&w, (unsigned)n);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        if (!r->custom)
            continue;
        w_str(&w, r->name);
        w_str(&w, r->slug);
        w_str(&w, r->type);
        w_u8(&w, (unsigned)r->level);
        w_u8(&w, (unsigned)r->all_only);
    }
    return w_val(&w);
}

int rec_decode_roles(apr_pool_t *p, const MDB_val *v, iam_roles_t *roles)
{
    rbuf_t r = r_open(p, v);
    unsigned n = r_u16(&r), i;

    for (i = 0; i < n && !r.bad; i++) {
        const char *name = r_str(&r), *slug = r_str(&r), *type = r_str(&r);
        iam_level_e level = (iam_level_e)r_u8(&r);
        int all_only = (int)r_u8(&r);
        if (!r.bad && iam_roles_add(roles, name, slug, type, level, all_only))
            r.bad = 1;
    }
    return (r.bad || r.off != r.n) ? -1 : 0;
}

/* 2 added the revision, when the level changed and when a change was last
 * audited; 3 the resource's labels and how the request ended; 1 and 2 are
 * still read */
#define REQUEST_FORMAT 3

MDB_val rec_encode_request(apr_pool_t *p, const iam_request_t *q)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i, n = q->nlabels < REQUEST_LABELS_MAX ? q->nlabels : REQUEST_LABELS_MAX;

    w_u8(&w, REQUEST_FORMAT);
    w_u32(&w, q->rev);
    w_u64(&w, (unsigned long long)q->level_time);
    w_u64(&w, (unsigned long long)q->audit_time);
    w_u64(&w, (unsigned long long)q->time);
    w_str(&w, q->login);
    w_str(&w, q->type);
    w_str(&w, q->name);
    w_str(&w, q->path);
    w_u8(&w, (unsigned)q->level);
    w_str(&w, q->message);
    w_u8(&w, (unsigned)n);
    for (i = 0; i < n; i++)
        w_str(&w, q->labels[i]);
    w_u8(&w, (unsigned)q->status);
    w_u64(&w, (unsigned long long)q->answered);
    w_str(&w, q->answered_by);
    w_str(&w, q->granted_role);
    w_u8(&w, q->granted_all ? 1 : 0);
    return w_val(&w);
}

/* A request of any format; NULL if it is damaged. */
iam_request_t *rec_decode_request(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_request_t *q = apr_pcalloc(p, sizeof(*q));
    unsigned fmt = r_u8(&r), i;

    if (fmt < 1 || fmt > REQUEST_FORMAT)
        return NULL;
    q->rev = 1;
    if (fmt >= 2) {
        q->rev = (unsigned)r_u32(&r);
        q->level_time = (long long)r_u64(&r);
        q->audit_time = (long long)r_u64(&r);
    }
    q->time = (long long)r_u64(&r);
    q->login = r_str(&r);
    q->type = r_str(&r);
    q->name = r_str(&r);
    q->path = r_str(&r);
    q->level = (iam_level_e)r_u8(&r);
    q->message = r_str(&r);
    q->answered_by = q->granted_role = "";
    if (fmt >= 3) {
        q->nlabels = (int)r_u8(&r);
        q->labels = apr_pcalloc(p, sizeof(char *) * ((size_t)q->nlabels + 1));
        for (i = 0; i < (unsigned)q->nlabels && !r.bad; i++)
            q->labels[i] = r_str(&r);
        q->status = (iam_request_status_e)r_u8(&r);
        q->answered = (long long)r_u64(&r);
        q->answered_by = r_str(&r);
        q->granted_role = r_str(&r);
        q->granted_all = (int)r_u8(&r);
    }
    return r.bad || r.off != r.n || q->level > IAM_LEVEL_ADMIN || q->nlabels > REQUEST_LABELS_MAX ||
                   q->status > IAM_REQUEST_GRANTED
               ? NULL
               : q;
}

#define TOKEN_FORMAT 3 /* 2 added when it died, and why; 3 its scope; 1 and 2 are still read */

MDB_val rec_encode_token(apr_pool_t *p, const iam_token_t *tk, const unsigned char hash[32])
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, TOKEN_FORMAT);
    w_str(&w, tk->id);
    w_str(&w, tk->description);
    w_str(&w, tk->creator);
    w_str(&w, tk->owner);
    w_u64(&w, (unsigned long long)tk->created);
    w_u64(&w, (unsigned long long)tk->last_used);
    w_u64(&w, (unsigned long long)tk->dead);
    w_str(&w, tk->dead_why ? tk->dead_why : "");
    w_str(&w, tk->scope ? tk->scope : IAM_TOKEN_API);
    w_need(&w, 32);
    memcpy(w.d + w.n, hash, 32);
    w.n += 32;
    return w_val(&w);
}

/* A token of either format, and its secret's hash; NULL if it is damaged. */
iam_token_t *rec_decode_token(apr_pool_t *p, const MDB_val *v, unsigned char hash[32])
{
    rbuf_t r = r_open(p, v);
    iam_token_t *tk = apr_pcalloc(p, sizeof(*tk));
    unsigned fmt = r_u8(&r);

    if (fmt < 1 || fmt > TOKEN_FORMAT)
        return NULL;
    tk->id = r_str(&r);
    tk->description = r_str(&r);
    tk->creator = r_str(&r);
    tk->owner = r_str(&r);
    tk->created = (long long)r_u64(&r);
    tk->last_used = (long long)r_u64(&r);
    tk->dead_why = "";
    tk->scope = IAM_TOKEN_API;
    if (fmt >= 2) {
        tk->dead = (long long)r_u64(&r);
        tk->dead_why = r_str(&r);
    }
    if (fmt >= 3)
        tk->scope = r_str(&r);
    if (r.bad || r.n - r.off != 32 ||
        (strcmp(tk->scope, IAM_TOKEN_API) && strcmp(tk->scope, IAM_TOKEN_SCIM)))
        return NULL;
    memcpy(hash, r.d + r.off, 32);
    return tk;
}

/* An audit entry; its sequence is its key's (audit.c), not the record's. */
MDB_val rec_encode_audit(apr_pool_t *p, const iam_audit_t *a)
{
    wbuf_t w = {p, NULL, 0, 0};

    w_u8(&w, REC_FORMAT);
    w_u64(&w, (unsigned long long)a->time);
    w_str(&w, a->actor);
    w_str(&w, a->action);
    w_str(&w, a->target);
    w_str(&w, a->before);
    w_str(&w, a->after);
    return w_val(&w);
}

/* An entry, its sequence from its key (9 bytes); NULL if it is damaged. */
iam_audit_t *rec_decode_audit(apr_pool_t *p, const MDB_val *k, const MDB_val *v)
{
    rbuf_t r = r_open(p, v);
    iam_audit_t *a = apr_pcalloc(p, sizeof(*a));
    const unsigned char *kb = k->mv_data;
    int i;

    for (i = 1; i <= 8; i++)
        a->seq = (a->seq << 8) | kb[i];
    if (r_u8(&r) != REC_FORMAT)
        return NULL;
    a->time = (long long)r_u64(&r);
    a->actor = r_str(&r);
    a->action = r_str(&r);
    a->target = r_str(&r);
    a->before = r_str(&r);
    a->after = r_str(&r);
    return r.bad || r.off != r.n ? NULL : a;
}
