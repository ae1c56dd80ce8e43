/* mod_iam: a table of URL path prefixes (IAMResourcePath), built once at
 * start-up. A lookup walks the request's path once, whatever the number
 * of entries: one hash probe per path segment, up to the longest entry.
 * An entry may be a template: one whole segment "{name}" stands for any
 * segment ("/sources/{name}" covers "/sources/ios/..."), and the lookup
 * says which; templates cost a probe per segment and template depth, and
 * a walk of the whole path (no allocation either way). */
#ifndef IAM_PATHMAP_H
#define IAM_PATHMAP_H

#include "apr_pools.h"

#define IAM_PATHMAP_MAX 1024 /* bytes in an entry's path */
#define IAM_PATHMAP_NAME 128 /* bytes of a segment a lookup copies out */
#define IAM_PATHMAP_PLACEHOLDER "{name}"

typedef struct iam_pathmap iam_pathmap_t;

/* NULL if `path` is a URL path an entry can have: absolute ("/..."),
 * without empty, "." or ".." segments, control characters or '%' (the
 * path is compared with the request's decoded path), with "{name}" at
 * most once and only as a whole segment, and no other '{' or '}'; else
 * why not. */
const char *iam_pathmap_check(const char *path);
/* Whether a (checked) path is a template: it holds the "{name}" segment. */
int iam_pathmap_is_template(const char *path);

iam_pathmap_t *iam_pathmap_make(apr_pool_t *p);

/* The length of `path` as an entry's key: without trailing '/' ("/" is
 * the empty key, every path's prefix). The longer of two keys that cover
 * a path is the more specific. */
size_t iam_pathmap_key_len(const char *path);

/* Adds `path` (checked with iam_pathmap_check; a trailing '/' is dropped,
 * so "/a/" and "/a" are one entry). An entry already there is replaced if
 * `replace`, else kept: returns 1 then (and for a path longer than
 * IAM_PATHMAP_MAX, or a template whose "{name}" is deeper than 63
 * segments: never added), 0 when added or replaced. */
int iam_pathmap_put(iam_pathmap_t *m, const char *path, const void *value, int replace);

/* A new map: base's entries, then add's (add wins on the same path).
 * Either may be NULL; if one is, the other is returned as it is. */
iam_pathmap_t *iam_pathmap_merge(apr_pool_t *p, iam_pathmap_t *base, iam_pathmap_t *add);

/* The value of the longest entry that is `uri` or a whole-segment prefix
 * of it ("/a/b" covers "/a/b" and "/a/b/c", not "/a/bc"; "/a//b/" is
 * "/a/b/"); NULL if none, or if `uri` does not begin with '/'. */
const void *iam_pathmap_find(const iam_pathmap_t *m, const char *uri);

/* What a lookup found: the entry's value, how long a prefix of the path
 * it covers (runs of '/' as one), and, for a template, the segment in
 * place of "{name}" (copied; name_len is its whole length, which may be
 * more than IAM_PATHMAP_NAME: then name holds only its start). Of a
 * template and an entry covering the same prefix, the entry wins. */
typedef struct {
    const void *value; /* NULL: none */
    size_t covered;
    int templated;
    size_t name_len;
    char name[IAM_PATHMAP_NAME + 1];
} iam_pathmap_hit_t;
void iam_pathmap_lookup(const iam_pathmap_t *m, const char *uri, iam_pathmap_hit_t *hit);

int iam_pathmap_count(const iam_pathmap_t *m);

#endif
