/* mod_iam store: iam_store_verify: every record decoded and every
 * cross-reference checked, both ways, in one read transaction. */
#include "store_int.h"

#include <apr_strings.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

static void problem(iam_verify_t *out, apr_pool_t *p, const char *fmt, ...)
{
    va_list ap;

    out->nproblems++;
    if (out->problems->nelts >= IAM_VERIFY_MAX)
        return;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(out->problems, const char *) = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
}

/* Whether `type` a 0x00 b exists. */
static int has_key(tx_t *t, char type, const char *a, const char *b)
{
    key_t_ k;
    MDB_val v;

    return !key_make(&k, type, a, b) && tx_get(t, &k, &v) == 1;
}

static int same_grant(const iam_grant_t *a, const iam_grant_t *b)
{
    int i;

    if (strcmp(a->role, b->role) || a->scope != b->scope || a->nitems != b->nitems)
        return 0;
    for (i = 0; i < a->nitems; i++) {
        if (strcmp(a->items[i], b->items[i]))
            return 0;
    }
    return 1;
}

/* A grant of a role httpd.conf no longer declares (an IAMRole removed) is
 * not damage: decisions ignore it. It is worth a warning. */
static void verify_grants(iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                          const char *who, const iam_grant_t *g, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (iam_roles_find(roles, g[i].role))
            continue;
        if (out->warnings->nelts < IAM_VERIFY_MAX)
            APR_ARRAY_PUSH(out->warnings, const char *) =
                apr_psprintf(p,
                             "%s holds a grant of role '%s', which is not declared (an IAMRole "
                             "removed?): decisions ignore it",
                             who, g[i].role);
        out->nwarnings++;
    }
}

/* A member's entries in the name indexes (theirs, and their groups') and
 * the role-holder index: each there, and saying what the record says. */
static void verify_member_ix(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_member_t *m,
                             const apr_array_header_t *links)
{
    unsigned char pos[MAXKEY];
    size_t npos = ix_member_pos(m, pos);
    apr_array_header_t *roles = ix_targets_of(t->p, m->grants);
    MDB_val want = ix_value(t->p, m), got;
    key_t_ k;
    int i, found;

    for (i = -1; npos && i < links->nelts; i++) {
        const char *g = i < 0 ? NULL : APR_ARRAY_IDX(links, i, const char *);
        const char *of = g ? apr_psprintf(t->p, " of group '%s'", g) : "";
        found = ix_pos_key(&k, g, pos, npos) ? 0 : tx_get(t, &k, &got);
        if (found != 1)
            problem(out, p, "member '%s' is missing from the name index%s", m->login, of);
        else if (got.mv_size != want.mv_size || memcmp(got.mv_data, want.mv_data, want.mv_size))
            problem(out, p, "the name index%s holds stale details of member '%s'", of, m->login);
    }
    if (!npos)
        problem(out, p, "member '%s' has a login too long for the name index", m->login);
    for (i = 0; i < roles->nelts; i++) {
        const char *r = APR_ARRAY_IDX(roles, i, const char *);
        if (ix_holder_key(&k, r, 'm', m->login) || tx_get(t, &k, &got) != 1)
            problem(out, p, "the role index misses member '%s' holding %s", m->login,
                    ix_target_text(t->p, r));
    }
}

/* An entry of a name index: the member it names is there (and in the group
 * it is filed under), at that place. */
static void verify_pos(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k,
                       const MDB_val *v)
{
    const unsigned char *pos = (const unsigned char *)k->mv_data + 1, *login, *z;
    size_t npos = k->mv_size - 1, len;
    const char *group = NULL, *of = "", *who;
    unsigned char want[MAXKEY];
    iam_member_t *m;
    ix_entry_t e;
    MDB_val rec;
    key_t_ mk;

    out->indexed++;
    if (*(const char *)k->mv_data == 'n') {
        if (!(z = memchr(pos, 0, npos)) || z == pos) {
            problem(out, p, "a key of a group's name index is damaged");
            return;
        }
        group = apr_pstrmemdup(t->p, (const char *)pos, (size_t)(z - pos));
        of = apr_psprintf(t->p, " of group '%s'", group);
        npos -= (size_t)(z + 1 - pos);
        pos = z + 1;
    }
    if (!(login = ix_pos_login(pos, npos, &len)) || len + 1 > MAXKEY) {
        problem(out, p, "a key of the name index%s is damaged", of);
        return;
    }
    who = apr_pstrmemdup(t->p, (const char *)login, len);
    mk.b[0] = 'M';
    memcpy(mk.b + 1, login, len);
    mk.n = len + 1;
    if (!ix_parse(v, &e))
        problem(out, p, "the name index%s entry of member '%s' is damaged", of, who);
    if (tx_get(t, &mk, &rec) != 1) {
        problem(out, p, "the name index%s names missing member '%s'", of, who);
        return;
    }
    if (!(m = rec_decode_member(t->p, &rec)))
        return; /* reported with its record */
    if (group && !has_key(t, 'G', group, NULL))
        problem(out, p, "the name index of missing group '%s' names member '%s'", group, who);
    else if (group && !has_key(t, 'm', who, group))
        problem(out, p, "the name index%s lists member '%s', who is not in it", of, who);
    if (ix_member_pos(m, want) != npos || memcmp(want, pos, npos))
        problem(out, p, "the name index%s holds member '%s' under another name", of, who);
}

/* An entry of the role-holder index: the member or group it names is there
 * and holds a grant of that role. */
static void verify_holder(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k)
{
    const char *d = (const char *)k->mv_data + 1, *z = memchr(d, 0, k->mv_size - 1), *target, *name;
    size_t rest = z ? k->mv_size - 1 - (size_t)(z + 1 - d) : 0;
    iam_member_t *m;
    iam_group_t *g;
    MDB_val rec;

    out->indexed++;
    if (!z || z == d || rest < 2 || (z[1] != 'm' && z[1] != 'g')) {
        problem(out, p, "a key of the role index is damaged");
        return;
    }
    target = apr_pstrmemdup(t->p, d, (size_t)(z - d));
    name = apr_pstrmemdup(t->p, z + 2, rest - 1);
    if (tx_record(t, z[1] == 'm' ? 'M' : 'G', name, &rec) != 1)
        problem(out, p, "the role index of %s names missing %s '%s'", ix_target_text(t->p, target),
                z[1] == 'm' ? "member" : "group", name);
    else if (z[1] == 'm' && (m = rec_decode_member(t->p, &rec)) &&
             !st_in_names(ix_targets_of(t->p, m->grants), target))
        problem(out, p, "the role index says member '%s' holds %s, which they do not", name,
                ix_target_text(t->p, target));
    else if (z[1] == 'g' && (g = rec_decode_group(t->p, &rec)) &&
             !st_in_names(ix_targets_of(t->p, g->grants), target))
        problem(out, p, "the role index says group '%s' holds %s, which it does not", name,
                ix_target_text(t->p, target));
}

/* A member: their record, its copy of their groups, the owner and email
 * indexes, and (indexed: format 5) their index entries. */
static void verify_member(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                          const MDB_val *k, const MDB_val *v, int indexed)
{
    const char *key = apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1);
    iam_subject_t subj;
    iam_member_t *m;
    apr_array_header_t *links = apr_array_make(t->p, 4, sizeof(const char *));
    key_t_ lk;
    MDB_val ev, gv;
    int flat, s, i;

    memset(&subj, 0, sizeof(subj));
    if (!(m = rec_decode_member_at(t->p, v, &subj, &flat))) {
        problem(out, p, "member record '%s' is damaged", key);
        return;
    }
    key_make(&lk, 'M', m->login, NULL);
    if (lk.n != k->mv_size || memcmp(lk.b, k->mv_data, lk.n))
        problem(out, p, "member record '%s' holds login '%s'", key, m->login);
    verify_grants(out, p, roles, apr_psprintf(t->p, "member '%s'", m->login),
                  (iam_grant_t *)m->grants->elts, m->grants->nelts);
    if (has_key(t, 'O', m->login, NULL) != st_is_owner_grants(m->grants))
        problem(out, p, "the owner index is wrong for member '%s'", m->login);
    if (m->email[0]) {
        key_make(&lk, 'E', m->email, NULL);
        if (tx_get(t, &lk, &ev) != 1 || ev.mv_size != strlen(key) ||
            memcmp(ev.mv_data, key, ev.mv_size))
            problem(out, p, "the email index does not lead %s to member '%s'", m->email, m->login);
    }
    tx_each_link(t, 'm', m->login, st_add_name, links);
    if (indexed)
        verify_member_ix(t, out, p, m, links);
    if (!flat)
        return; /* a format 1 store: no copy to check */
    if (subj.nsets - 1 != links->nelts) {
        problem(out, p, "member '%s' carries %d groups, but is in %d", m->login, subj.nsets - 1,
                links->nelts);
        return;
    }
    for (s = 1; s < subj.nsets; s++) {
        const iam_grant_set_t *set = &subj.sets[s];
        iam_group_t *g;
        if (strcasecmp(set->via, APR_ARRAY_IDX(links, s - 1, const char *))) {
            problem(out, p, "member '%s' carries group '%s' where '%s' was expected", m->login,
                    set->via, APR_ARRAY_IDX(links, s - 1, const char *));
            continue;
        }
        /* read without tx_group: a damaged group is reported with its own
         * record, and must not stop the scan */
        if (tx_record(t, 'G', set->via, &gv) != 1 || !(g = rec_decode_group(t->p, &gv)))
            continue;
        if (!set->grants) {
            if (rec_copies_grants(g))
                problem(out, p, "member '%s' holds group '%s' by reference, not a copy", m->login,
                        g->name);
            continue;
        }
        if (set->ngrants != g->grants->nelts) {
            problem(out, p, "member '%s' carries a stale copy of group '%s'", m->login, g->name);
            continue;
        }
        for (i = 0; i < set->ngrants; i++) {
            if (!same_grant(&set->grants[i], &APR_ARRAY_IDX(g->grants, i, iam_grant_t))) {
                problem(out, p, "member '%s' carries a stale copy of group '%s'", m->login,
                        g->name);
                break;
            }
        }
    }
}

/* The two parts of a link key: type a 0x00 b. 0: malformed. */
static int split_link(tx_t *t, const MDB_val *k, const char **a, const char **b)
{
    const char *d = (const char *)k->mv_data + 1, *z = memchr(d, 0, k->mv_size - 1);

    if (!z || z == d || (size_t)(z - d) + 2 > k->mv_size - 1)
        return 0;
    *a = apr_pstrmemdup(t->p, d, (size_t)(z - d));
    *b = apr_pstrmemdup(t->p, z + 1, k->mv_size - 1 - (size_t)(z - d) - 1);
    return 1;
}

/* A group's role-holder entries: one for each role it holds. */
static void verify_group_holders(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_group_t *g)
{
    apr_array_header_t *roles = ix_targets_of(t->p, g->grants);
    key_t_ k;
    MDB_val v;
    int i;

    for (i = 0; i < roles->nelts; i++) {
        const char *r = APR_ARRAY_IDX(roles, i, const char *);
        if (ix_holder_key(&k, r, 'g', g->name) || tx_get(t, &k, &v) != 1)
            problem(out, p, "the role index misses group '%s' holding %s", g->name,
                    ix_target_text(t->p, r));
    }
}

/* A group's record, its grants and (indexed) its role-holder entries. */
static void verify_group(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                         const char *name, const MDB_val *v, int indexed)
{
    iam_group_t *g;

    out->groups++;
    if (!(g = rec_decode_group(t->p, v))) {
        problem(out, p, "group record '%s' is damaged", name);
        return;
    }
    verify_grants(out, p, roles, apr_psprintf(t->p, "group '%s'", g->name),
                  (iam_grant_t *)g->grants->elts, g->grants->nelts);
    if (indexed)
        verify_group_holders(t, out, p, g);
}

/* One side of a membership ('m' or 'g'): both ends there, and the other side. */
static void verify_link(tx_t *t, iam_verify_t *out, apr_pool_t *p, char type, const MDB_val *k)
{
    const char *a, *b;

    out->links += type == 'm';
    if (!split_link(t, k, &a, &b)) {
        problem(out, p, "a membership key is damaged");
        return;
    }
    if (type == 'g') {
        const char *tmp = a;
        a = b, b = tmp; /* a: the login, b: the group */
    }
    if (!has_key(t, 'M', a, NULL))
        problem(out, p, "a membership names missing member '%s'", a);
    if (!has_key(t, 'G', b, NULL))
        problem(out, p, "a membership names missing group '%s'", b);
    if (!has_key(t, type == 'm' ? 'g' : 'm', type == 'm' ? b : a, type == 'm' ? a : b))
        problem(out, p, "the membership of '%s' in '%s' has one side only", a, b);
}

/* An access request, open ('R') or answered ('r'), filed as what it is. */
static void verify_request(tx_t *t, iam_verify_t *out, apr_pool_t *p, char type, const MDB_val *v)
{
    iam_request_t *q = rec_decode_request(t->p, v);

    out->requests++;
    if (!q)
        problem(out, p, "an access request record is damaged");
    else if ((type == 'R') != (q->status == IAM_REQUEST_OPEN))
        problem(out, p, "the access request of '%s' for %s:%s is %s but filed as %s", q->login,
                q->type, q->name, q->status == IAM_REQUEST_OPEN ? "open" : "answered",
                type == 'R' ? "open" : "answered");
}

/* A resource's labels: whole, under its own key, each mirrored. */
static void verify_resource(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k,
                            const MDB_val *v)
{
    iam_resource_labels_t *r = rec_decode_resource(t->p, v, 1);
    key_t_ rk;
    int i;

    if (!r) {
        problem(out, p, "the labels of a resource are damaged");
        return;
    }
    if (key_make(&rk, 'b', r->type, r->name) || rk.n != k->mv_size ||
        memcmp(rk.b, k->mv_data, rk.n)) {
        problem(out, p, "the labels of %s '%s' are filed under another resource", r->type, r->name);
        return;
    }
    for (i = 0; i < r->nlabels; i++) {
        if (!has_key(t, 'y', r->labels[i], apr_pstrcat(t->p, r->type, ":", r->name, NULL)))
            problem(out, p, "label '%s' of %s '%s' is missing from the label index", r->labels[i],
                    r->type, r->name);
    }
}

/* A label's mirror entry: its resource's record carries it. */
static void verify_labelled(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k)
{
    const char *b = (const char *)k->mv_data + 1, *end = (const char *)k->mv_data + k->mv_size;
    const char *nul = memchr(b, 0, (size_t)(end - b)), *colon;
    const char *label, *type, *name;
    iam_resource_labels_t *r;
    key_t_ rk;
    MDB_val v;
    int i, found = 0;

    if (!nul || !(colon = memchr(nul + 1, ':', (size_t)(end - nul - 1)))) {
        problem(out, p, "a label index entry is damaged");
        return;
    }
    label = apr_pstrmemdup(t->p, b, (size_t)(nul - b));
    type = apr_pstrmemdup(t->p, nul + 1, (size_t)(colon - nul - 1));
    name = apr_pstrmemdup(t->p, colon + 1, (size_t)(end - colon - 1));
    if (!key_make(&rk, 'b', type, name) && tx_get(t, &rk, &v) == 1 &&
        (r = rec_decode_resource(t->p, &v, 1))) {
        for (i = 0; i < r->nlabels && !found; i++)
            found = !strcasecmp(r->labels[i], label);
    }
    if (!found)
        problem(out, p, "the label index puts '%s' on %s '%s', which does not carry it", label,
                type, name);
}

/* Once the store says every member and group has an id ("ids"), each
 * does: a member ('i') or group ('j') named `name`. */
static void has_id(tx_t *t, iam_verify_t *out, apr_pool_t *p, char type, const char *name)
{
    key_t_ k;
    MDB_val v;

    key_meta(&k, "ids");
    if (tx_get(t, &k, &v) == 1 && !has_key(t, type, name, NULL))
        problem(out, p, "the %s '%s' has no id", type == 'i' ? "member" : "group", name);
}

/* An id record ('I', 'J'): its member or group exists and its name
 * leads back to it; a name's id ('i', 'j'): its record exists. */
static void verify_id(tx_t *t, iam_verify_t *out, apr_pool_t *p, const MDB_val *k, const MDB_val *v)
{
    char type = *(const char *)k->mv_data;
    const char *name = apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1), *id;
    const char *what = type == 'I' || type == 'i' ? "member" : "group";
    iam_scim_id_t *rec;
    key_t_ nk;
    MDB_val nv;

    if (type == 'i' || type == 'j') {
        id = apr_pstrmemdup(t->p, v->mv_data, v->mv_size);
        if (key_make(&nk, type == 'i' ? 'I' : 'J', id, NULL) || tx_get(t, &nk, &nv) != 1)
            problem(out, p, "the %s '%s' has id %s, which has no record", what, name, id);
        else if ((rec = rec_decode_id(t->p, &(MDB_val){nk.n, nk.b}, &nv)) &&
                 strcasecmp(rec->name, name))
            problem(out, p, "the %s '%s' has id %s, which is '%s''s", what, name, id, rec->name);
        if (!has_key(t, type == 'i' ? 'M' : 'G', name, NULL))
            problem(out, p, "an id is kept for missing %s '%s'", what, name);
        return;
    }
    if (!(rec = rec_decode_id(t->p, k, v))) {
        problem(out, p, "the id record %s is damaged", name);
        return;
    }
    if (!has_key(t, type == 'I' ? 'M' : 'G', rec->name, NULL))
        problem(out, p, "id %s names missing %s '%s'", rec->id, what, rec->name);
    if (key_make(&nk, type == 'I' ? 'i' : 'j', rec->name, NULL) || tx_get(t, &nk, &nv) != 1 ||
        nv.mv_size != strlen(rec->id) || memcmp(nv.mv_data, rec->id, nv.mv_size))
        problem(out, p, "the %s '%s' of id %s does not lead back to it", what, rec->name, rec->id);
}

/* One record, by the type of its key. */
static void verify_record(tx_t *t, iam_verify_t *out, apr_pool_t *p, const iam_roles_t *roles,
                          const MDB_val *k, const MDB_val *v, int indexed)
{
    char type = *(const char *)k->mv_data;
    const char *a, *name = apr_pstrmemdup(t->p, (char *)k->mv_data + 1, k->mv_size - 1);
    unsigned char hash[32];

    switch (type) {
    case K_META: break;
    case 'M':
        out->members++;
        verify_member(t, out, p, roles, k, v, indexed);
        has_id(t, out, p, 'i', name);
        break;
    case 'G':
        verify_group(t, out, p, roles, name, v, indexed);
        has_id(t, out, p, 'j', name);
        break;
    case 'N':
    case 'n':
        if (indexed)
            verify_pos(t, out, p, k, v);
        break;
    case 'X':
        if (indexed)
            verify_holder(t, out, p, k);
        break;
    case 'm':
    case 'g': verify_link(t, out, p, type, k); break;
    case 'O':
        if (!has_key(t, 'M', name, NULL))
            problem(out, p, "the owner index names missing member '%s'", name);
        break;
    case 'E':
        a = apr_pstrmemdup(t->p, v->mv_data, v->mv_size);
        if (!has_key(t, 'M', a, NULL))
            problem(out, p, "the email index leads %s to missing member '%s'", name, a);
        break;
    case 'R':
    case 'r': verify_request(t, out, p, type, v); break;
    case 'A':
        out->audit++;
        if (k->mv_size != 9 || !rec_decode_audit(t->p, k, v))
            problem(out, p, "an audit record is damaged");
        break;
    case 'T':
        out->tokens++;
        if (!rec_decode_token(t->p, v, hash))
            problem(out, p, "token record '%s' is damaged", name);
        break;
    case 'l': {
        iam_label_t *l = rec_decode_label(t->p, v);
        key_t_ lk;
        if (!l)
            problem(out, p, "label record '%s' is damaged", name);
        else if (key_make(&lk, 'l', l->label, NULL) || lk.n != k->mv_size ||
                 memcmp(lk.b, k->mv_data, lk.n))
            problem(out, p, "label record '%s' holds label '%s'", name, l->label);
        break;
    }
    case 'b': verify_resource(t, out, p, k, v); break;
    case 'y': verify_labelled(t, out, p, k); break;
    case 'I':
    case 'i':
    case 'J':
    case 'j': verify_id(t, out, p, k, v); break;
    default: problem(out, p, "a record of unknown type 0x%02x", (unsigned char)type);
    }
}

/* What the scan of every record carries. */
typedef struct {
    iam_verify_t *out;
    apr_pool_t *p;       /* where the problems go */
    apr_pool_t *scratch; /* every record is read into it, then let go */
    const iam_roles_t *roles;
    int indexed;
    unsigned long long last_seq; /* of the log's last entry so far */
} verify_scan_t;

/* A log entry: whole, where its sequence says, right after the one before. */
static void verify_log(tx_t *t, verify_scan_t *c, const MDB_val *k, const MDB_val *v)
{
    iam_log_entry_t e;
    const char *why;
    unsigned long long seq = key_seq_of(k->mv_data, k->mv_size);
    c->out->log++;
    if (k->mv_size != 9)
        problem(c->out, c->p, "a log entry has a key of %lu bytes", (unsigned long)k->mv_size);
    else if ((why = iam_log_decode(t->p, v->mv_data, v->mv_size, &e)))
        problem(c->out, c->p, "log entry %" APR_UINT64_T_FMT " is damaged: %s", (apr_uint64_t)seq,
                why);
    else if (e.seq != seq)
        problem(c->out, c->p, "log entry %" APR_UINT64_T_FMT " says it is entry %" APR_UINT64_T_FMT,
                (apr_uint64_t)seq, (apr_uint64_t)e.seq);
    else if (c->last_seq && seq != c->last_seq + 1)
        problem(c->out, c->p,
                "the log has a gap: entry %" APR_UINT64_T_FMT " follows %" APR_UINT64_T_FMT,
                (apr_uint64_t)seq, (apr_uint64_t)c->last_seq);
    c->last_seq = seq;
}

static int verify_entry(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    verify_scan_t *c = data;

    if (k->mv_size < 1)
        problem(c->out, c->p, "an empty key");
    else if (*(const char *)k->mv_data == 'L')
        verify_log(t, c, k, v);
    else
        verify_record(t, c->out, c->p, c->roles, k, v, c->indexed);
    apr_pool_clear(c->scratch);
    return 1;
}

iam_status_e iam_store_verify(iam_store_t *st, apr_pool_t *p, iam_verify_t *out, iam_err_t *err)
{
    iam_roles_t roles;
    verify_scan_t c = {out, p, NULL, &roles, 0, 0};
    MDB_val v;
    key_t_ vk, all = {{0}, 0};
    tx_t t;

    memset(out, 0, sizeof(*out));
    out->problems = apr_array_make(p, 8, sizeof(const char *));
    out->warnings = apr_array_make(p, 8, sizeof(const char *));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    tx_roles(&t, &roles);
    if (t.status != IAM_OK)
        problem(out, p, "%s", err ? err->msg : "the custom role list is damaged");
    t.status = IAM_OK;
    /* an older format has no indexes yet: its first write builds them */
    key_meta(&vk, "version");
    c.indexed = tx_get(&t, &vk, &v) == 1 && st_version_of(&v) >= IX_STORE_FORMAT;
    if (!c.indexed && t.status == IAM_OK) {
        APR_ARRAY_PUSH(out->warnings, const char *) =
            "the store is of an older format, without the name and role indexes: the first "
            "write of this release builds them (not checked)";
        out->nwarnings++;
    }
    apr_pool_create(&c.scratch, p);
    t.p = c.scratch;
    tx_scan(&t, &all, NULL, verify_entry, &c); /* every key, in order */
    t.p = p;
    if (t.status == IAM_OK) {
        if (tx_meta_count(&t, "members") != out->members)
            problem(out, p, "the member count says %ld, the store holds %ld",
                    (long)tx_meta_count(&t, "members"), out->members);
        if (tx_meta_count(&t, "groups") != out->groups)
            problem(out, p, "the group count says %ld, the store holds %ld",
                    (long)tx_meta_count(&t, "groups"), out->groups);
        /* none kept: a replica started from its database's snapshot */
        if (c.last_seq && (unsigned long long)tx_meta_count(&t, "log") != c.last_seq)
            problem(out, p,
                    "the log says its last entry is %" APR_UINT64_T_FMT
                    ", the store's last is %" APR_UINT64_T_FMT,
                    (apr_uint64_t)tx_meta_count(&t, "log"), (apr_uint64_t)c.last_seq);
    }
    apr_pool_destroy(c.scratch);
    return tx_done(&t);
}
