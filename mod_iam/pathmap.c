/* mod_iam: the IAMResourcePath table. Open addressing on a 64-bit FNV-1a
 * hash, computed as the lookup walks the path, so that every prefix that
 * ends at a segment boundary costs one probe and no rehashing. */
#include "iam_pathmap.h"

#include <stdint.h>
#include <string.h>

#include "apr_strings.h"

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

typedef struct {
    uint64_t hash;
    const char *key; /* NULL: free slot */
    size_t len;
    const void *value;
} slot_t;

struct iam_pathmap {
    apr_pool_t *pool;
    slot_t *slot;
    size_t size;   /* a power of two, at least twice n */
    int n;         /* entries */
    size_t maxlen; /* the longest key: a lookup reads no further */
    uint64_t lens; /* bit k: some key is k bytes long (k < 63); bit 63: longer */
};

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

const char *iam_pathmap_check(const char *path)
{
    const char *seg, *p;

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
        if (!*p)
            break;
    }
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

static slot_t *probe(const iam_pathmap_t *m, uint64_t hash, const char *key, size_t len)
{
    size_t i = (size_t)hash & (m->size - 1);

    for (;; i = (i + 1) & (m->size - 1)) {
        slot_t *s = &m->slot[i];
        if (!s->key || (s->hash == hash && s->len == len && !memcmp(s->key, key, len)))
            return s;
    }
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
    uint64_t hash;
    slot_t *s;

    if (len > IAM_PATHMAP_MAX) /* unchecked: the lookup reads no further */
        return 1;
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

/* The lookup of a path holding a run of slashes: on a copy with each
 * run made one. */
static const void *find_merged(const iam_pathmap_t *m, const char *uri)
{
    char path[IAM_PATHMAP_MAX + 2];
    size_t n = 0;

    for (; *uri && n <= m->maxlen; uri++)
        if (!(*uri == '/' && n > 0 && path[n - 1] == '/'))
            path[n++] = *uri;
    path[n] = '\0';
    return iam_pathmap_find(m, path);
}

const void *iam_pathmap_find(const iam_pathmap_t *m, const char *uri)
{
    const void *found = NULL;
    uint64_t h = FNV_OFFSET;
    size_t i;

    if (!m || !m->n || uri[0] != '/')
        return NULL;
    /* the prefix uri[0, i) is a candidate where uri[i] ends a segment;
     * only lengths some key has are probed */
    for (i = 0;; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c <= '/' && (c == '/' || c == '\0')) {
            /* "/a//b" is "/a/b", as <Location> compares it: with
             * MergeSlashes Off, r->uri keeps the run, which must not slip
             * past "/a/b" to a shorter entry */
            if (c == '/' && i > 0 && uri[i - 1] == '/')
                return find_merged(m, uri);
            if (m->lens & len_bit(i)) {
                const slot_t *s = probe(m, h, uri, i);
                if (s->key)
                    found = s->value; /* each later one is longer */
            }
        }
        if (c == '\0' || i >= m->maxlen)
            return found;
        h = fnv_step(h, c);
    }
}

int iam_pathmap_count(const iam_pathmap_t *m)
{
    return m ? m->n : 0;
}
