/* mod_iam store: the one codec of the operation log. An entry is what one
 * write transaction changed, fixed where it was made:
 *
 *   u8  format (1)
 *   16 bytes               the log's id: made with its first entry, kept by
 *                          every store that follows it (none follows two)
 *   u64 sequence           1, 2, 3, ... in commit order
 *   u64 time               unix seconds at commit (two's complement)
 *   str actor              who wrote (u16 length, then the bytes)
 *   u32 operations         how many follow, at least one
 *   then each operation:
 *     u8  'P' (put) or 'D' (delete)
 *     u16 key length, key  a record's key as the store holds it
 *     u32 value length, value   'P' only: the record as it is after the change
 *
 * Only the records that are facts travel (store_int.h lists them:
 * iam_log_key_kind); what derives from them (member copies of group
 * grants, the indexes, the counts) is rebuilt by whoever applies the
 * entry. Decoding is strict: every length inside the entry, no byte left
 * over, each key of a kind the log carries. */
#include "store_int.h"

#include <apr_strings.h>
#include <string.h>

#define LOG_FORMAT 1
#define LOG_OPS_MAX 10000000 /* far above any import; bounds a damaged count */

/* What the log calls a record, by its key: a short noun, or NULL for a
 * key the log does not carry (derived, or the log's own). */
const char *iam_log_key_kind(const unsigned char *key, size_t klen)
{
    static const char *const meta[] = {"plan",   "plan-by", "roles",    "login-case",
                                       "secret", "audit",   "declared", "ids"};
    size_t i;

    if (klen < 2)
        return NULL;
    switch (key[0]) {
    case 'M': return "member";
    case 'G': return "group";
    case 'm': return memchr(key + 1, 0, klen - 1) ? "membership" : NULL;
    case 'E': return "email";
    case 'O': return "owner";
    case 'R': return memchr(key + 1, 0, klen - 1) ? "request" : NULL;
    case 'r': return memchr(key + 1, 0, klen - 1) ? "answered request" : NULL;
    case 'T': return "token";
    case 'l': return "label";
    case 'b': return memchr(key + 1, 0, klen - 1) ? "resource" : NULL;
    case 'y': return memchr(key + 1, 0, klen - 1) ? "labelled resource" : NULL;
    case 'I': return "member id";
    case 'i': return "member's id";
    case 'J': return "group id";
    case 'j': return "group's id";
    case 'A': return klen == 9 ? "audit entry" : NULL;
    case K_META:
        for (i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
            if (klen - 1 == strlen(meta[i]) && !memcmp(key + 1, meta[i], klen - 1))
                return "workspace";
        }
        return NULL;
    default: return NULL;
    }
}

/* An entry's head onto w; its nops operations follow (st_log_put_op). */
void st_log_head(wbuf_t *w, const unsigned char *id, unsigned long long seq, long long time,
                 const char *actor, unsigned long nops)
{
    w_u8(w, LOG_FORMAT);
    w_need(w, IAM_LOG_ID);
    memcpy(w->d + w->n, id, IAM_LOG_ID);
    w->n += IAM_LOG_ID;
    w_u64(w, seq);
    w_u64(w, (unsigned long long)time);
    w_str(w, actor);
    w_u32(w, nops);
}

void *iam_log_encode(apr_pool_t *p, const iam_log_entry_t *e, size_t *len)
{
    wbuf_t w = {p, NULL, 0, 0};
    int i;

    st_log_head(&w, e->log_id, e->seq, e->time, e->actor, (unsigned long)e->nops);
    for (i = 0; i < e->nops; i++)
        st_log_put_op(&w, &e->ops[i]);
    *len = w.n;
    return w.d;
}

/* One operation onto w, as the entry holds it. */
void st_log_put_op(wbuf_t *w, const iam_op_t *op)
{
    w_u8(w, (unsigned)op->kind);
    w_u16(w, (unsigned)op->klen);
    w_need(w, op->klen);
    memcpy(w->d + w->n, op->key, op->klen);
    w->n += op->klen;
    if (op->kind == IAM_OP_PUT) {
        w_u32(w, (unsigned long)op->vlen);
        w_need(w, op->vlen);
        if (op->vlen)
            memcpy(w->d + w->n, op->val, op->vlen);
        w->n += op->vlen;
    }
}

/* n bytes where they lie in the entry, or NULL (r->bad) past its end. */
static const unsigned char *r_bytes(rbuf_t *r, size_t n)
{
    const unsigned char *at = r->d + r->off;

    if (r->bad || n > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    r->off += n;
    return at;
}

const char *iam_log_decode(apr_pool_t *p, const void *data, size_t len, iam_log_entry_t *out)
{
    MDB_val v = {len, (void *)data};
    rbuf_t r = r_open(p, &v);
    unsigned long n, i;
    iam_op_t *ops;

    memset(out, 0, sizeof(*out));
    if (r_u8(&r) != LOG_FORMAT)
        return r.bad ? "the entry is empty" : "the entry is of an unknown format";
    out->log_id = r_bytes(&r, IAM_LOG_ID);
    out->seq = r_u64(&r);
    out->time = (long long)r_u64(&r);
    out->actor = r_str(&r);
    n = r_u32(&r);
    if (r.bad)
        return "the entry is cut short";
    if (out->seq == 0)
        return "the entry has sequence 0";
    if (n == 0 || n > LOG_OPS_MAX || n > (len - r.off) / 4) /* each takes 4 bytes at least */
        return apr_psprintf(p, "entry %" APR_UINT64_T_FMT " says it holds %lu operations",
                            (apr_uint64_t)out->seq, n);
    ops = apr_pcalloc(p, sizeof(*ops) * n);
    for (i = 0; i < n; i++) {
        iam_op_t *op = &ops[i];
        op->kind = (char)r_u8(&r);
        op->klen = r_u16(&r);
        op->key = r_bytes(&r, op->klen);
        if (op->kind == IAM_OP_PUT) {
            op->vlen = r_u32(&r);
            op->val = r_bytes(&r, op->vlen);
        }
        if (r.bad)
            return apr_psprintf(p, "entry %" APR_UINT64_T_FMT " is cut short in operation %lu",
                                (apr_uint64_t)out->seq, i + 1);
        if (op->kind != IAM_OP_PUT && op->kind != IAM_OP_DEL)
            return apr_psprintf(
                p, "entry %" APR_UINT64_T_FMT ": operation %lu is neither put nor delete",
                (apr_uint64_t)out->seq, i + 1);
        if (op->klen > MAXKEY || !iam_log_key_kind(op->key, op->klen))
            return apr_psprintf(p,
                                "entry %" APR_UINT64_T_FMT
                                ": operation %lu is on a record the log does not carry",
                                (apr_uint64_t)out->seq, i + 1);
    }
    if (r.off != r.n)
        return apr_psprintf(p, "entry %" APR_UINT64_T_FMT " has %lu bytes past its end",
                            (apr_uint64_t)out->seq, (unsigned long)(r.n - r.off));
    out->nops = (int)n;
    out->ops = ops;
    out->data = data;
    out->len = len;
    return NULL;
}

const char *iam_op_describe(apr_pool_t *p, const iam_op_t *op)
{
    const char *kind = iam_log_key_kind(op->key, op->klen);
    const char *name = apr_pstrmemdup(p, (const char *)op->key + 1, op->klen - 1);
    const unsigned char *sep = memchr(op->key + 1, 0, op->klen - 1);

    if (!kind)
        return "?";
    if (op->key[0] == 'A') {
        name = apr_psprintf(p, "%" APR_UINT64_T_FMT, (apr_uint64_t)key_seq_of(op->key, op->klen));
    } else if (sep) /* two parts: "login in group", "login for type:name" */
        name = apr_pstrcat(
            p, name, op->key[0] == 'm' ? " in " : " for ",
            apr_pstrmemdup(p, (const char *)sep + 1, op->klen - (size_t)(sep + 1 - op->key)), NULL);
    return apr_pstrcat(p, op->kind == IAM_OP_PUT ? "put " : "delete ", kind, " ", name, NULL);
}
