/* mod_iam store: typed keys (a type byte, then lower-cased parts), the
 * byte buffers every record is written and read with (bounds-checked:
 * a short or damaged record sets `bad`, never reads past its end), and
 * the string helpers the other files share. */
#include "store_int.h"

#include <apr_strings.h>
#include <ctype.h>
#include <string.h>

int key_make(key_t_ *k, char type, const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0, i;

    if (1 + la + (b ? 1 + lb : 0) > MAXKEY)
        return -1;
    k->b[0] = (unsigned char)type;
    for (i = 0; i < la; i++)
        k->b[1 + i] = (unsigned char)tolower((unsigned char)a[i]);
    k->n = 1 + la;
    if (b) {
        k->b[k->n++] = 0;
        for (i = 0; i < lb; i++)
            k->b[k->n++] = (unsigned char)tolower((unsigned char)b[i]);
    }
    return 0;
}

MDB_val key_val(key_t_ *k)
{
    MDB_val v = {k->n, k->b};
    return v;
}

/* A key of a sequence: type, then the sequence as 8 bytes, big-endian
 * (audit entries, log entries: key order is their order). */
void key_seq(key_t_ *k, char type, unsigned long long seq)
{
    int i;

    k->b[0] = (unsigned char)type;
    for (i = 8; i >= 1; i--, seq >>= 8)
        k->b[i] = (unsigned char)(seq & 0xff);
    k->n = 9;
}

/* The sequence such a key holds (what there is of it in a short one). */
unsigned long long key_seq_of(const void *key, size_t n)
{
    const unsigned char *b = key;
    unsigned long long seq = 0;
    size_t i;

    for (i = 1; i < 9 && i < n; i++)
        seq = (seq << 8) | b[i];
    return seq;
}

int key_meta(key_t_ *k, const char *name)
{
    return key_make(k, K_META, name, NULL);
}

MDB_val st_str_val(const char *s)
{
    MDB_val v = {strlen(s), (void *)s};
    return v;
}

void w_need(wbuf_t *w, size_t more)
{
    if (w->n + more > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        unsigned char *d;
        while (cap < w->n + more)
            cap *= 2;
        d = apr_palloc(w->p, cap);
        if (w->n)
            memcpy(d, w->d, w->n);
        w->d = d;
        w->cap = cap;
    }
}

void w_u8(wbuf_t *w, unsigned v)
{
    w_need(w, 1);
    w->d[w->n++] = (unsigned char)v;
}

void w_u16(wbuf_t *w, unsigned v)
{
    w_u8(w, (v >> 8) & 0xff);
    w_u8(w, v & 0xff);
}

static void w_u32_at(wbuf_t *w, size_t at, unsigned long v)
{
    int i;

    for (i = 0; i < 4; i++)
        w->d[at + (size_t)i] = (unsigned char)(v >> ((3 - i) * 8));
}

void w_u32(wbuf_t *w, unsigned long v)
{
    w_need(w, 4);
    w_u32_at(w, w->n, v);
    w->n += 4;
}

void w_u64(wbuf_t *w, unsigned long long v)
{
    int i;

    for (i = 7; i >= 0; i--)
        w_u8(w, (unsigned)(v >> (i * 8)) & 0xff);
}

void w_str(wbuf_t *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n > 0xffff)
        n = 0xffff; /* inputs are validated far below this */
    w_u16(w, (unsigned)n);
    w_need(w, n);
    if (n)
        memcpy(w->d + w->n, s, n);
    w->n += n;
}

/* The written record, as LMDB takes it. */
MDB_val w_val(const wbuf_t *w)
{
    MDB_val v = {w->n, w->d};
    return v;
}

void w_grants(wbuf_t *w, const apr_array_header_t *grants)
{
    int i, j;

    w_u16(w, (unsigned)grants->nelts);
    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        w_str(w, g->role);
        w_u8(w, (unsigned)g->scope);
        w_u16(w, (unsigned)g->nitems);
        for (j = 0; j < g->nitems; j++)
            w_str(w, g->items[j]);
    }
}

rbuf_t r_open(apr_pool_t *p, const MDB_val *v)
{
    rbuf_t r = {p, v->mv_data, v->mv_size, 0, 0, apr_palloc(p, v->mv_size + 1)};
    return r;
}

unsigned r_u8(rbuf_t *r)
{
    if (r->bad || r->off + 1 > r->n) {
        r->bad = 1;
        return 0;
    }
    return r->d[r->off++];
}

unsigned r_u16(rbuf_t *r)
{
    unsigned v;

    if (r->bad || r->off + 2 > r->n) {
        r->bad = 1;
        return 0;
    }
    v = ((unsigned)r->d[r->off] << 8) | r->d[r->off + 1];
    r->off += 2;
    return v;
}

unsigned long r_u32(rbuf_t *r)
{
    unsigned long v = 0;
    int i;

    for (i = 0; i < 4; i++)
        v = (v << 8) | r_u8(r);
    return v;
}

unsigned long long r_u64(rbuf_t *r)
{
    unsigned long long v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = (v << 8) | r_u8(r);
    return v;
}

const char *r_str(rbuf_t *r)
{
    size_t n = r_u16(r);
    const unsigned char *from = r->d + r->off;
    char *s = r->arena;

    if (r->bad || r->off + n > r->n || memchr(from, 0, n)) { /* an embedded NUL: not ours */
        r->bad = 1;
        return "";
    }
    memcpy(s, from, n);
    s[n] = 0;
    r->arena += n + 1;
    r->off += n;
    return s;
}

apr_array_header_t *r_grants(rbuf_t *r)
{
    unsigned n = r_u16(r), i, j;
    apr_array_header_t *a;

    /* Each grant takes at least 5 bytes: a damaged count allocates nothing. */
    if (r->bad || (size_t)n * 5 > r->n - r->off) {
        r->bad = 1;
        n = 0;
    }
    a = apr_array_make(r->p, n ? (int)n : 1, sizeof(iam_grant_t));
    for (i = 0; i < n && !r->bad; i++) {
        iam_grant_t *g = apr_array_push(a);
        g->role = r_str(r);
        g->scope = (iam_scope_e)r_u8(r);
        g->nitems = (int)r_u16(r);
        g->items = NULL;
        if (r->bad || g->scope > IAM_SCOPE_LABELS || (size_t)g->nitems * 2 > r->n - r->off) {
            g->nitems = 0;
            r->bad = 1;
            break;
        }
        g->items = apr_palloc(r->p, sizeof(char *) * (size_t)(g->nitems + 1));
        for (j = 0; j < (unsigned)g->nitems; j++)
            g->items[j] = r_str(r);
        g->items[j] = NULL;
    }
    return a;
}

/* Adds a string to the pool; returns its offset. */
unsigned long st_pool_str(wbuf_t *pool, const char *s)
{
    size_t n = s ? strlen(s) : 0, at = pool->n;

    w_need(pool, n + 1);
    if (n)
        memcpy(pool->d + pool->n, s, n);
    pool->n += n;
    pool->d[pool->n++] = 0;
    return (unsigned long)at;
}

void st_hex(char *out, const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int st_in_names(const apr_array_header_t *names, const char *name)
{
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(names, i, const char *), name))
            return 1;
    }
    return 0;
}

int st_contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    if (!hay)
        return 0;
    for (; *hay; hay++) {
        for (i = 0;
             i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]);
             i++)
            ;
        if (i == n)
            return 1;
    }
    return n == 0;
}
