/* mod_iam store: API tokens: 'T' id -> record, the secret only as SHA-256.
 * A token carries its owner's authority and dies for good with it. */
#include "store_int.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <ctype.h>
#include <openssl/sha.h>
#include <string.h>
#include <time.h>

#define TOKEN_ID_HEX 12
#define TOKEN_SECRET_HEX 40

typedef struct {
    const char *owner;
    const char *description;
    const char *scope;
    apr_pool_t *out_pool;
    const char **token;
    iam_token_t **out;
} token_ctx_t;

static void token_create_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *data)
{
    token_ctx_t *c = data;
    unsigned char idb[TOKEN_ID_HEX / 2], secret[TOKEN_SECRET_HEX / 2], hash[32];
    char idhex[TOKEN_ID_HEX + 1], sechex[TOKEN_SECRET_HEX + 1];
    iam_token_t *tk = apr_pcalloc(c->out_pool, sizeof(*tk));
    const char *e;
    key_t_ k;

    key_t_ ok;
    MDB_val ov;

    (void)roles;
    (void)plan;
    if ((e = iam_check_text(c->description, 200))) {
        tx_fail(t, IAM_INVALID, "the description %s", e);
        return;
    }
    if (!c->scope || (strcmp(c->scope, IAM_TOKEN_API) && strcmp(c->scope, IAM_TOKEN_SCIM))) {
        tx_fail(t, IAM_INVALID,
                "a token's scope is \"api\" (the JSON API) or \"scim\" (an identity provider's)");
        return;
    }
    if (!c->owner || key_make(&ok, 'O', c->owner, NULL) || tx_get(t, &ok, &ov) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_INVALID, "only a Workspace Owner's tokens can be made");
        return;
    }
    if (apr_generate_random_bytes(idb, sizeof(idb)) != APR_SUCCESS ||
        apr_generate_random_bytes(secret, sizeof(secret)) != APR_SUCCESS) {
        tx_fail(t, IAM_ERROR, "no random bytes for a token");
        return;
    }
    st_hex(idhex, idb, sizeof(idb));
    st_hex(sechex, secret, sizeof(secret));
    tk->id = apr_pstrcat(c->out_pool, "tok_", idhex, NULL);
    tk->description = apr_pstrdup(c->out_pool, c->description);
    tk->creator = apr_pstrdup(c->out_pool, t->actor);
    tk->owner = apr_pstrdup(c->out_pool, c->owner);
    tk->scope = !strcmp(c->scope, IAM_TOKEN_SCIM) ? IAM_TOKEN_SCIM : IAM_TOKEN_API;
    tk->created = (long long)time(NULL);
    SHA256((const unsigned char *)sechex, strlen(sechex), hash);
    key_make(&k, 'T', tk->id, NULL);
    tx_put(t, &k, rec_encode_token(t->p, tk, hash));
    st_audit(t, "token.create", tk->id, "",
             strcmp(tk->scope, IAM_TOKEN_SCIM)
                 ? tk->description
                 : apr_pstrcat(t->p, tk->description, " (for SCIM)", NULL));
    *c->token = apr_pstrcat(c->out_pool, tk->id, ".", sechex, NULL);
    *c->out = tk;
}

iam_status_e iam_store_token_create_scoped(iam_store_t *st, const char *actor, const char *owner,
                                           const char *description, const char *scope,
                                           apr_pool_t *p, const char **token, iam_token_t **out,
                                           iam_err_t *err)
{
    token_ctx_t c = {owner, description, scope, p, token, out};

    *token = NULL;
    *out = NULL;
    return st_write_op(st, actor, err, token_create_op, &c);
}

iam_status_e iam_store_token_create(iam_store_t *st, const char *actor, const char *owner,
                                    const char *description, apr_pool_t *p, const char **token,
                                    iam_token_t **out, iam_err_t *err)
{
    return iam_store_token_create_scoped(st, actor, owner, description, IAM_TOKEN_API, p, token,
                                         out, err);
}

static int list_token(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    unsigned char hash[32];
    iam_token_t *tk = rec_decode_token(t->p, v, hash);

    if (!tk) {
        tx_fail(t, IAM_CORRUPT, "store %s: a token record is damaged", t->st->dir);
        return 0;
    }
    APR_ARRAY_PUSH((apr_array_header_t *)data, iam_token_t *) = tk;
    return 1;
}

iam_status_e iam_store_token_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err)
{
    return st_list_records(st, p, 'T', list_token, out, err);
}

static void token_revoke_op(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *id)
{
    key_t_ k;
    MDB_val v;

    (void)roles;
    (void)plan;
    if (key_make(&k, 'T', id, NULL) || tx_get(t, &k, &v) != 1) {
        if (t->status == IAM_OK)
            tx_fail(t, IAM_NOTFOUND, "no token '%s'", (char *)id);
        return;
    }
    tx_del(t, &k);
    st_audit(t, "token.revoke", id, "", "");
}

iam_status_e iam_store_token_revoke(iam_store_t *st, const char *actor, const char *id,
                                    iam_err_t *err)
{
    return st_write_op(st, actor, err, token_revoke_op, (void *)id);
}

typedef struct {
    const char *owner;
    apr_array_header_t *keys; /* const char *: ids of the owner's live tokens */
} owner_tokens_t;

static int find_owner_token(tx_t *t, const MDB_val *k, const MDB_val *v, void *data)
{
    owner_tokens_t *c = data;
    unsigned char hash[32];
    iam_token_t *tk = rec_decode_token(t->p, v, hash);

    if (!tk) {
        tx_fail(t, IAM_CORRUPT, "store %s: a token record is damaged", t->st->dir);
        return 0;
    }
    if (!tk->dead && !strcasecmp(tk->owner, c->owner))
        APR_ARRAY_PUSH(c->keys, const char *) = tk->id;
    return 1;
}

/* Every live token of `login` dies for good, `why` ("its owner 'x' WHY"). */
void st_kill_tokens(tx_t *t, const char *login, const char *why)
{
    owner_tokens_t c = {login, apr_array_make(t->p, 4, sizeof(const char *))};
    unsigned char hash[32];
    iam_token_t *tk;
    key_t_ k;
    MDB_val v;
    int i;

    tx_each_record(t, 'T', find_owner_token, &c);
    for (i = 0; i < c.keys->nelts && t->status == IAM_OK; i++) {
        const char *id = APR_ARRAY_IDX(c.keys, i, const char *);
        if (key_make(&k, 'T', id, NULL) || tx_get(t, &k, &v) != 1 ||
            !(tk = rec_decode_token(t->p, &v, hash)))
            continue;
        tk->dead = (long long)time(NULL);
        tk->dead_why = apr_psprintf(t->p, "its owner '%s' %s", tk->owner, why);
        tx_put(t, &k, rec_encode_token(t->p, tk, hash));
        st_audit(t, "token.die", tk->id, "", tk->dead_why);
    }
}

/* `login` is no longer a Workspace Owner: out of the owner index, and
 * every token that carried their authority dies for good. */
void st_owner_lost(tx_t *t, const char *login, const char *why)
{
    st_set_owner_index(t, login, 0);
    st_kill_tokens(t, login, why);
}

/* The live token whose whole text is `token`, or IAM_NOTFOUND (why in err). */
static iam_status_e token_find(iam_store_t *st, apr_pool_t *p, const char *token, iam_token_t **out,
                               iam_err_t *err)
{
    unsigned char want[32], got[32];
    const char *dot = token ? strchr(token, '.') : NULL;
    const char *id;
    iam_token_t *tk = NULL;
    key_t_ k;
    MDB_val v;
    tx_t t;
    size_t i;
    int diff = 0, owner_gone = 0;

    *out = NULL;
    if (!dot || dot - token != 4 + TOKEN_ID_HEX || strncmp(token, "tok_", 4) ||
        strlen(dot + 1) != TOKEN_SECRET_HEX)
        return st_fail(err, IAM_NOTFOUND, "malformed token");
    for (i = 4; token + i < dot; i++) {
        if (!isxdigit((unsigned char)token[i]))
            return st_fail(err, IAM_NOTFOUND, "malformed token");
    }
    id = apr_pstrmemdup(p, token, (apr_size_t)(dot - token));
    if (tx_begin(&t, st, 0, p, err) != IAM_OK)
        return t.status;
    key_make(&k, 'T', id, NULL);
    if (tx_get(&t, &k, &v) == 1 && (tk = rec_decode_token(p, &v, want)) != NULL) {
        /* a token carries its owner's authority: not a day longer, and
         * only the very member who made it (active, the login as spelt) */
        iam_member_t *m;
        key_t_ ok;
        MDB_val ov;
        if (key_make(&ok, 'O', tk->owner, NULL) || tx_get(&t, &ok, &ov) != 1 ||
            tx_member_named(&t, tk->owner, &m) != 1 || m->status != IAM_ACTIVE)
            owner_gone = 1;
    }
    tx_done(&t);
    if (t.status != IAM_OK)
        return t.status;
    if (!tk)
        return st_fail(err, IAM_NOTFOUND, "unknown or revoked token %s", id);
    if (tk->dead)
        return st_fail(err, IAM_NOTFOUND, "token %s is dead: %s", id, tk->dead_why);
    if (owner_gone)
        return st_fail(err, IAM_NOTFOUND, "token %s belongs to '%s', no longer a Workspace Owner",
                       id, tk->owner);
    SHA256((const unsigned char *)(dot + 1), strlen(dot + 1), got);
    for (i = 0; i < 32; i++)
        diff |= want[i] ^ got[i];
    if (diff)
        return st_fail(err, IAM_NOTFOUND, "wrong secret for token %s", id);
    *out = tk;
    return IAM_OK;
}

iam_status_e iam_store_token_check(iam_store_t *st, apr_pool_t *p, const char *token,
                                   iam_token_t **out, iam_err_t *err)
{
    return token_find(st, p, token, out, err);
}

int iam_store_token_matches(iam_store_t *st, apr_pool_t *p, const char *token)
{
    iam_token_t *tk;
    iam_err_t err;

    return token_find(st, p, token, &tk, &err) == IAM_OK;
}
