/* Fuzz target: the store's record decoders (issue 7).
 *
 * A damaged or hostile data.mdb must decode to IAM_CORRUPT, never to a
 * crash or a wild read. Each input is handed, as one LMDB value, to every
 * decoder: member records (format 3 with and without the subject's grant
 * sets, formats 1 and 2), groups, access requests, API tokens, the custom
 * roles, an audit entry, a name index entry, a label, a resource's labels
 * (both strictnesses) and httpd.conf's recorded resources. What a decoder returns is then used the
 * way the module uses it: every string and grant item is read, the decision runs over the grant
 * sets, the JSON forms are built, and an audit entry is described in words (mod_iam/audit/).
 *
 * The decoders are the store's own (mod_iam/store/store_int.h): this file
 * includes its private header and links the store like every target. */
#include "../mod_iam/store/store_int.h"

#include "iam_audit_text.h"
#include "iam_present.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *root;
static iam_roles_t roles;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    iam_roles_init(&roles);
    iam_roles_add(&roles, "Dashboard Viewer", "dashboard-viewer", "dashboard", IAM_LEVEL_READ, 0);
    return 0;
}

/* Reads a string whole, so ASan sees a pointer outside the record. */
static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static size_t touch_grants(const iam_grant_t *g, int n)
{
    size_t sum = 0;
    int i, j;

    for (i = 0; i < n; i++) {
        sum += touch(g[i].role) + (size_t)g[i].scope;
        for (j = 0; j < g[i].nitems; j++)
            sum += touch(g[i].items[j]);
    }
    return sum;
}

static size_t touch_array(const apr_array_header_t *grants)
{
    return grants ? touch_grants((const iam_grant_t *)grants->elts, grants->nelts) : 0;
}

static void drop(json_t *j)
{
    json_decref(j);
}

/* What authz does with a member: owner or not, then a few decisions. */
static void decide(const iam_grant_set_t *sets, int nsets)
{
    static const char *labels[] = {"env:prod", "team:core"};
    const iam_resource_t res[] = {
        {"source", "checkout", 2, labels},
        {"source", NULL, 0, NULL},
        {"space", "space1", 1, labels},
        {"dashboard", "sales", 0, NULL},
    };
    size_t i;

    (void)iam_policy_is_owner(&roles, sets, nsets);
    for (i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
        iam_decision_t d =
            iam_policy_decide(&roles, IAM_PLAN_BUSINESS, sets, nsets, &res[i], IAM_LEVEL_READ);
        char buf[256];
        iam_policy_explain(&d, buf, sizeof(buf));
        (void)iam_policy_level(&roles, IAM_PLAN_TEAM, sets, nsets, &res[i]);
    }
}

static void use_member(apr_pool_t *p, const iam_member_t *m)
{
    int i;

    touch(m->login);
    touch(m->email);
    touch(m->name);
    touch_array(m->grants);
    for (i = 0; m->groups && i < m->groups->nelts; i++)
        touch(APR_ARRAY_IDX(m->groups, i, const char *));
    for (i = 0; i < m->grants->nelts; i++)
        iam_grant_text(p, &roles, &APR_ARRAY_IDX(m->grants, i, iam_grant_t));
    iam_roles_summary(p, &roles, m);
    drop(iam_json_member(p, m));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    /* a copy of exactly `size` bytes: LMDB hands out values in the map,
     * with nothing readable promised past their end */
    unsigned char *copy = malloc(size ? size : 1);
    MDB_val v = {size, copy};
    static unsigned char kb[9] = {'A', 0, 0, 0, 0, 0, 0, 0, 42};
    MDB_val k = {sizeof(kb), kb};
    iam_subject_t subj;
    iam_member_t *m;
    iam_group_t *g;
    iam_request_t *q;
    iam_token_t *tk;
    iam_audit_t *a;
    iam_roles_t r;
    ix_entry_t e;
    unsigned char hash[32];
    int flat, s;

    memcpy(copy, data, size);
    apr_pool_create(&p, root);

    if ((m = rec_decode_member_at(p, &v, NULL, &flat)))
        use_member(p, m);

    memset(&subj, 0, sizeof(subj));
    if ((m = rec_decode_member_at(p, &v, &subj, &flat))) {
        use_member(p, m);
        if (flat) {
            for (s = 0; s < subj.nsets; s++) {
                touch(subj.sets[s].via);
                if (subj.sets[s].grants)
                    touch_grants(subj.sets[s].grants, subj.sets[s].ngrants);
            }
            decide(subj.sets, subj.nsets);
        } else {
            iam_grant_set_t direct = {NULL, (const iam_grant_t *)m->grants->elts, m->grants->nelts};
            decide(&direct, 1);
        }
    }

    if ((g = rec_decode_group(p, &v))) {
        iam_grant_set_t set = {g->name, (const iam_grant_t *)g->grants->elts, g->grants->nelts};
        touch(g->name);
        touch_array(g->grants);
        decide(&set, 1);
        drop(iam_json_group(p, g, 1));
    }

    if ((q = rec_decode_request(p, &v))) {
        touch(q->login);
        touch(q->type);
        touch(q->name);
        touch(q->path);
        touch(q->message);
        (void)iam_level_name(q->level);
    }

    if ((tk = rec_decode_token(p, &v, hash))) {
        touch(tk->id);
        touch(tk->description);
        touch(tk->creator);
        touch(tk->owner);
        drop(iam_json_token(p, tk));
    }

    {
        iam_label_t *l = rec_decode_label(p, &v);
        iam_resource_labels_t *res;
        apr_array_header_t *decls;
        int strict, j;
        if (l) {
            touch(l->label);
            touch(l->description);
            touch(l->creator);
        }
        for (strict = 0; strict < 2; strict++) {
            if (!(res = rec_decode_resource(p, &v, strict)))
                continue;
            touch(res->type);
            touch(res->name);
            touch(res->by);
            for (j = 0; j < res->nlabels; j++)
                touch(res->labels[j]);
        }
        if ((decls = rec_decode_declared(p, &v))) {
            for (j = 0; j < decls->nelts; j++) {
                const iam_declared_t *d = &APR_ARRAY_IDX(decls, j, iam_declared_t);
                int n;
                touch(d->res.type);
                touch(d->res.name);
                touch(d->path);
                for (n = 0; n < d->res.nlabels; n++)
                    touch(d->res.labels[n]);
            }
        }
    }

    { /* an id record, under a member's and a group's key */
        static unsigned char ik[37] = "I0123abcd-0000-4000-8000-0123456789ab";
        MDB_val idk = {sizeof(ik), ik};
        int kind;
        for (kind = 0; kind < 2; kind++) {
            iam_scim_id_t *id;
            ik[0] = kind ? 'J' : 'I';
            if ((id = rec_decode_id(p, &idk, &v))) {
                touch(id->id);
                touch(id->name);
                touch(id->external_id);
            }
        }
    }

    iam_roles_init(&r);
    if (rec_decode_roles(p, &v, &r) == 0) {
        for (s = 0; s < r.n; s++) {
            touch(r.role[s].slug);
            touch(r.role[s].name);
            touch(r.role[s].type);
            (void)iam_roles_find(&r, r.role[s].slug);
            drop(iam_json_role(&r.role[s], IAM_PLAN_BUSINESS));
        }
    }

    if ((a = rec_decode_audit(p, &k, &v))) {
        touch(a->actor);
        touch(a->action);
        touch(a->target);
        touch(a->before);
        touch(a->after);
        drop(iam_json_audit(p, a));
        {
            iam_audit_text_t words;
            iam_audit_describe(p, &roles, a, NULL, NULL, &words);
            touch(words.sentence);
        }
    }

    /* read in place: every field must end inside the value */
    if (ix_parse(&v, &e)) {
        touch(e.login);
        touch(e.email);
        touch(e.name);
    }

    apr_pool_destroy(p);
    free(copy);
    return 0;
}
