/* mod_iam: the IAMResourcePath table. Open addressing on a 64-bit FNV-1a
 * hash, computed as the lookup walks the path, so that every prefix that
 * ends at a segment boundary costs one probe and no rehashing.
 *
 * A template's key is its path with the "{name}" segment as the one byte
 * MARK (no path holds a control character). For each depth at which some
 * template has "{name}", the walk keeps a second running hash: that of
 * the path with the segment at that depth replaced by MARK, probed at
 * each boundary after it, as the plain hash is. */
#include "iam_pathmap.h"

#include <stdint.h>
#include <string.h>

#include "apr_strings.h"

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL
#define MARK '\x01'     /* "{name}" in a template's key */
#define MERGED_MAX 8192 /* a path with runs of '/', merged for a map with templates */

typedef struct {
    uint64_t hash;
    const char *key; /* NULL: free slot */
    size_t len;
    const void *value;
} slot_t;

struct iam_pathmap {
    apr_pool_t *pool;
    slot_t *slot;
    size_t size;      /* a power of two, at least twice n */
    int n;            /* entries */
    size_t maxlen;    /* the longest key: a lookup reads no further (but for templates) */
    uint64_t lens;    /* bit k: some key is k bytes long (k < 63); bit 63: longer */
    uint64_t tdepths; /* bit d: a template has "{name}" as its segment d (1-based) */
};

/* A running hash of the path with one segment, [start, end), as MARK. */
typedef struct {
    uint64_t hash;
    size_t start, end;
} subst_t;

static uint64_t len_bit(size_t len)
{
    return 1ULL << (len < 63 ? len : 63);
}

static uint64_t fnv_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * FNV_PRIME;
}

static uint64_t hash_of(const char *s, size_t len)
{
    uint64_t h = FNV_OFFSET;
    size_t i;

    for (i = 0; i < len; i++)
        h = fnv_step(h, (unsigned char)s[i]);
    return h;
}

size_t iam_pathmap_key_len(const char *path)
{
    size_t len = strlen(path);

    while (len > 0 && path[len - 1] == '/')
        len--;
    return len;
}

/* Where a path's "{name}" segment is: its offset (or -1) and depth. */
static long placeholder(const char *path, size_t len, int *depth)
{
    const size_t n = sizeof(IAM_PATHMAP_PLACEHOLDER) - 1;
    size_t i;

    *depth = 0;
    for (i = 0; i < len; i++) {
        if (path[i] != '/' || i + 1 >= len || path[i + 1] == '/')
            continue;
        ++*depth;
        if (i + 1 + n <= len && !memcmp(path + i + 1, IAM_PATHMAP_PLACEHOLDER, n) &&
            (i + 1 + n == len || path[i + 1 + n] == '/'))
            return (long)(i + 1);
    }
    return -1;
}

int iam_pathmap_is_template(const char *path)
{
    int depth;

    return path && placeholder(path, strlen(path), &depth) >= 0;
}

const char *iam_pathmap_check(const char *path)
{
    const char *seg, *p;
    int depth, holders = 0;

    if (!path || path[0] != '/')
        return "must begin with '/'";
    if (strlen(path) > IAM_PATHMAP_MAX)
        return "is longer than 1024 bytes";
    for (p = path; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "holds a control character";
        if (*p == '%')
            return "holds '%': give the decoded path, as the request's path is compared decoded";
    }
    for (seg = path + 1; *seg; seg = p + 1) {
        size_t n = strcspn(seg, "/");
        p = seg + n;
        if (n == 0 && *p)
            return "has an empty segment ('//')";
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            return "has a '.' or '..' segment";
        if (n == sizeof(IAM_PATHMAP_PLACEHOLDER) - 1 && !memcmp(seg, IAM_PATHMAP_PLACEHOLDER, n))
            holders++;
        else if (memchr(seg, '{', n) || memchr(seg, '}', n))
            return "holds '{' or '}' other than a whole segment {name}";
        if (!*p)
            break;
    }
    if (holders > 1)
        return "holds {name} more than once";
    if (holders && (placeholder(path, strlen(path), &depth), depth > 63))
        return "has {name} deeper than 63 segments";
    return NULL;
}

iam_pathmap_t *iam_pathmap_make(apr_pool_t *p)
{
    iam_pathmap_t *m = apr_pcalloc(p, sizeof(*m));

    m->pool = p;
    m->size = 16;
    m->slot = apr_pcalloc(p, m->size * sizeof(slot_t));
    return m;
}

/* Whether a slot's key is path[0, len), or (sub) that path with the
 * segment sub names as MARK, len being the key's length. */
static int same_key(const slot_t *s, const char *path, size_t len, const subst_t *sub)
{
    if (!sub)
        return !memcmp(s->key, path, len);
    return !memcmp(s->key, path, sub->start) && s->key[sub->start] == MARK &&
           !memcmp(s->key + sub->start + 1, path + sub->end, len - sub->start - 1);
}

static slot_t *probe_as(const iam_pathmap_t *m, uint64_t hash, const char *path, size_t len,
                        const subst_t *sub)
{
    size_t i = (size_t)hash & (m->size - 1);

    for (;; i = (i + 1) & (m->size - 1)) {
        slot_t *s = &m->slot[i];
        if (!s->key || (s->hash == hash && s->len == len && same_key(s, path, len, sub)))
            return s;
    }
}

static slot_t *probe(const iam_pathmap_t *m, uint64_t hash, const char *key, size_t len)
{
    return probe_as(m, hash, key, len, NULL);
}

static void grow(iam_pathmap_t *m)
{
    slot_t *old = m->slot;
    size_t i, oldsize = m->size;

    m->size *= 2;
    m->slot = apr_pcalloc(m->pool, m->size * sizeof(slot_t));
    for (i = 0; i < oldsize; i++)
        if (old[i].key)
            *probe(m, old[i].hash, old[i].key, old[i].len) = old[i];
}

int iam_pathmap_put(iam_pathmap_t *m, const char *path, const void *value, int replace)
{
    size_t len = iam_pathmap_key_len(path);
    long at;
    int depth = 0;
    uint64_t hash;
    slot_t *s;

    if (len > IAM_PATHMAP_MAX) /* unchecked: the lookup reads no further */
        return 1;
    if ((at = placeholder(path, len, &depth)) >= 0) { /* the key: "{name}" as MARK */
        const size_t n = sizeof(IAM_PATHMAP_PLACEHOLDER) - 1;
        char *key = apr_palloc(m->pool, len - n + 2);
        uint64_t bit = depth < 64 ? 1ULL << depth : 0;
        if (!bit) /* unchecked: the lookup follows 63 depths */
            return 1;
        memcpy(key, path, (size_t)at);
        key[at] = MARK;
        memcpy(key + at + 1, path + at + n, len - (size_t)at - n);
        len = len - n + 1;
        key[len] = '\0';
        path = key;
        m->tdepths |= bit;
    }
    hash = hash_of(path, len);
    s = probe(m, hash, path, len);
    if (s->key) {
        if (!replace)
            return 1;
        s->value = value;
        return 0;
    }
    s->hash = hash;
    s->key = apr_pstrmemdup(m->pool, path, len);
    s->len = len;
    s->value = value;
    m->n++;
    m->lens |= len_bit(len);
    if (len > m->maxlen)
        m->maxlen = len;
    if ((size_t)m->n * 2 > m->size)
        grow(m);
    return 0;
}

static void put_all(iam_pathmap_t *to, const iam_pathmap_t *from)
{
    size_t i;

    to->tdepths |= from->tdepths; /* its templates' keys hold MARK already */
    for (i = 0; i < from->size; i++)
        if (from->slot[i].key)
            iam_pathmap_put(to, from->slot[i].key, from->slot[i].value, 1);
}

iam_pathmap_t *iam_pathmap_merge(apr_pool_t *p, iam_pathmap_t *base, iam_pathmap_t *add)
{
    iam_pathmap_t *m;

    if (!base || !add)
        return add ? add : base;
    m = iam_pathmap_make(p);
    put_all(m, base);
    put_all(m, add);
    return m;
}

static void walk(const iam_pathmap_t *m, const char *uri, iam_pathmap_hit_t *hit);

/* The lookup of a path holding a run of slashes: on a copy with each
 * run made one (the whole path, for templates; a path too long for the
 * copy then finds nothing). */
static void walk_merged(const iam_pathmap_t *m, const char *uri, iam_pathmap_hit_t *hit)
{
    char path[MERGED_MAX + 1];
    size_t n = 0, max = m->tdepths ? MERGED_MAX : m->maxlen + 1;

    for (; *uri && n < max; uri++)
        if (!(*uri == '/' && n > 0 && path[n - 1] == '/'))
            path[n++] = *uri;
    path[n] = '\0';
    if (*uri && m->tdepths) { /* not even a shorter entry: it could be wrong */
        hit->value = NULL;
        hit->templated = 0;
        return;
    }
    walk(m, path, hit);
}

/* A template's segment, into the hit. */
static void take_name(iam_pathmap_hit_t *hit, const char *uri, const subst_t *t)
{
    size_t n = t->end - t->start;

    hit->templated = 1;
    hit->name_len = n;
    if (n > IAM_PATHMAP_NAME)
        n = IAM_PATHMAP_NAME;
    memcpy(hit->name, uri + t->start, n);
    hit->name[n] = '\0';
}

static void walk(const iam_pathmap_t *m, const char *uri, iam_pathmap_hit_t *hit)
{
    subst_t t[64];
    uint64_t h = FNV_OFFSET, at_segment = FNV_OFFSET; /* the path's, to the segment's start */
    size_t i, seg = 1, len;
    int nt = 0, k, depth = 0;
    const slot_t *s;

    /* the prefix uri[0, i) is a candidate where uri[i] ends a segment;
     * only lengths some key has are probed */
    for (i = 0;; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= '/' && (c == '/' || c == '\0')) {
            /* "/a//b" is "/a/b", as <Location> compares it: with
             * MergeSlashes Off, r->uri keeps the run, which must not slip
             * past "/a/b" to a shorter entry */
            if (c == '/' && i > 0 && uri[i - 1] == '/') {
                walk_merged(m, uri, hit);
                return;
            }
            if (i > seg && ++depth < 64 && (m->tdepths & (1ULL << depth)))
                t[nt++] = (subst_t){fnv_step(at_segment, (unsigned char)MARK), seg, i};
            for (k = 0; k < nt; k++) {
                len = i - (t[k].end - t[k].start) + 1;
                if ((m->lens & len_bit(len)) &&
                    (s = probe_as(m, t[k].hash, uri, len, &t[k]))->key) {
                    hit->value = s->value; /* each later one is longer */
                    hit->covered = i;
                    take_name(hit, uri, &t[k]);
                }
            }
            if ((m->lens & len_bit(i)) && (s = probe(m, h, uri, i))->key) {
                hit->value = s->value; /* over a template of the same length */
                hit->covered = i;
                hit->templated = 0;
            }
        }
        if (c == '\0' || (i >= m->maxlen && !m->tdepths))
            return;
        h = fnv_step(h, c);
        for (k = 0; k < nt; k++)
            t[k].hash = fnv_step(t[k].hash, c);
        if (c == '/') {
            at_segment = h;
            seg = i + 1;
        }
    }
}

void iam_pathmap_lookup(const iam_pathmap_t *m, const char *uri, iam_pathmap_hit_t *hit)
{
    hit->value = NULL;
    hit->covered = 0;
    hit->templated = 0;
    hit->name_len = 0;
    hit->name[0] = '\0';
    if (m && m->n && uri[0] == '/')
        walk(m, uri, hit);
}

const void *iam_pathmap_find(const iam_pathmap_t *m, const char *uri)
{
    iam_pathmap_hit_t hit;

    iam_pathmap_lookup(m, uri, &hit);
    return hit.value;
}

int iam_pathmap_count(const iam_pathmap_t *m)
{
    return m ? m->n : 0;
}
