/* mod_iam tests: the IAMResourcePath table (iam_pathmap.h), a pure API.
 * The expectations are those of the directive: whole-segment prefixes of
 * the request's decoded path, the longest one winning, "/a/" and "/a" one
 * entry, "/" covering everything, a virtual host's entries over the main
 * server's. The lookup stops reading the path at the longest entry's
 * length, so entries found exactly there and paths running past it are
 * tested apart. Values are compared as pointers: the map stores them, it
 * never looks at them. */
#include "iam_pathmap.h"
#include "apr_strings.h"
#include "iam_test.h"

#include <apr_general.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *pool;

/* Distinct values to store: the map returns the very pointer it was given. */
static const char A[] = "A", B[] = "B", C[] = "C", D[] = "D", ROOT[] = "ROOT";

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

/* A map of path/value pairs, each added without replace (and so refused
 * if it were a duplicate). */
static iam_pathmap_t *map_of(const char *path, const void *value, ...)
{
    iam_pathmap_t *m = iam_pathmap_make(pool);
    va_list ap;

    va_start(ap, value);
    while (path) {
        ck_assert_msg(iam_pathmap_put(m, path, value, 0) == 0, "put %s refused", path);
        path = va_arg(ap, const char *);
        if (path)
            value = va_arg(ap, const void *);
    }
    va_end(ap);
    return m;
}

/* What find gives, by name: "(none)" for NULL. */
static const char *found(const iam_pathmap_t *m, const char *uri)
{
    const char *v = iam_pathmap_find(m, uri);
    return v ? v : "(none)";
}

#define ck_finds(m, uri, want) ck_assert_str_eq(found((m), (uri)), (want))

/* ---- iam_pathmap_check ---- */

START_TEST(test_check_accepts)
{
    static const char *const ok[] = {
        "/",
        "/a",
        "/a/", /* a trailing '/' is the same entry as without */
        "/sources/checkout",
        "/a/b/c/d/e",
        "/.well-known", /* a dot inside a segment is no '.' segment */
        "/a.",
        "/...",
        "/a/..b/c..",
        "/a-b_c~!$&'()*+,;=:@",
        "/caf\xc3\xa9", /* UTF-8 of a decoded path: bytes >= 0x80 are no control chars */
        "/with space",
    };
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        const char *why = iam_pathmap_check(ok[i]);
        ck_assert_msg(why == NULL, "'%s' refused: %s", ok[i], why);
    }
}
END_TEST

static const struct {
    const char *path, *why;
} bad[] = {
    {NULL, "must begin with '/'"},
    {"", "must begin with '/'"},
    {"a", "must begin with '/'"},
    {"sources/checkout", "must begin with '/'"},
    {" /a", "must begin with '/'"},
    {"*", "must begin with '/'"},
    {"//", "empty segment"},
    {"//a", "empty segment"},
    {"/a//b", "empty segment"},
    {"/a/b//", "empty segment"},
    {"/.", "'.' or '..' segment"},
    {"/..", "'.' or '..' segment"},
    {"/./a", "'.' or '..' segment"},
    {"/../a", "'.' or '..' segment"},
    {"/a/.", "'.' or '..' segment"},
    {"/a/..", "'.' or '..' segment"},
    {"/a/./", "'.' or '..' segment"},
    {"/a/../", "'.' or '..' segment"},
    {"/a/./b", "'.' or '..' segment"},
    {"/a/../b", "'.' or '..' segment"},
    {"/a\tb", "control character"},
    {"/a\nb", "control character"},
    {"/a\rb", "control character"},
    {"/\x01", "control character"},
    {"/a\x1f", "control character"},
    {"/a\x7f", "control character"},
    {"/a%20b", "holds '%'"},
    {"/%2e%2e", "holds '%'"},
    {"/a%", "holds '%'"},
    {"/a/{name}/b/{name}", "more than once"},
    {"/{name}/{name}", "more than once"},
    {"/a/{name}x", "other than a whole segment"},
    {"/a/x{name}", "other than a whole segment"},
    {"/a/{nam}", "other than a whole segment"},
    {"/a/{id}", "other than a whole segment"},
    {"/a/}", "other than a whole segment"},
    {"/a/{", "other than a whole segment"},
};

START_TEST(test_check_rejects)
{
    const char *why = iam_pathmap_check(bad[_i].path);

    ck_assert_msg(why != NULL, "'%s' accepted", bad[_i].path ? bad[_i].path : "(null)");
    ck_assert_msg(strstr(why, bad[_i].why), "'%s': want '%s', got '%s'",
                  bad[_i].path ? bad[_i].path : "(null)", bad[_i].why, why);
}
END_TEST

/* 1024 bytes is the most; the length is the whole path's. */
START_TEST(test_check_length)
{
    char p[1100];
    size_t i;

    memset(p, 'a', sizeof(p));
    p[0] = '/';
    p[1024] = '\0';
    ck_assert_ptr_null(iam_pathmap_check(p));
    p[1024] = 'a';
    p[1025] = '\0';
    ck_assert_msg(iam_pathmap_check(p) && strstr(iam_pathmap_check(p), "longer than 1024"), "%s",
                  iam_pathmap_check(p) ? iam_pathmap_check(p) : "(accepted)");
    /* many short segments count the same as one long one */
    for (i = 1; i < 1025; i += 2) {
        p[i] = 'a';
        p[i + 1] = '/';
    }
    p[1025] = '\0';
    ck_assert_msg(iam_pathmap_check(p) && strstr(iam_pathmap_check(p), "longer than 1024"),
                  "1025 bytes of segments: %s",
                  iam_pathmap_check(p) ? iam_pathmap_check(p) : "(accepted)");
}
END_TEST

/* ---- put and find ---- */

START_TEST(test_find_whole_segments)
{
    iam_pathmap_t *m = map_of("/a/b", A, NULL);

    ck_finds(m, "/a/b", "A");
    ck_finds(m, "/a/b/", "A");
    ck_finds(m, "/a/b/c", "A");
    ck_finds(m, "/a/b/c/d.html", "A");
    /* not a whole segment */
    ck_finds(m, "/a/bc", "(none)");
    ck_finds(m, "/a/b.html", "(none)");
    ck_finds(m, "/a/b-c/d", "(none)");
    /* shorter than the entry, or elsewhere */
    ck_finds(m, "/a", "(none)");
    ck_finds(m, "/a/", "(none)");
    ck_finds(m, "/", "(none)");
    ck_finds(m, "/ab", "(none)");
    ck_finds(m, "/x/a/b", "(none)");
    /* a path is compared as given: case and encoding are the caller's */
    ck_finds(m, "/A/b", "(none)");
    ck_finds(m, "/a/%62", "(none)");
}
END_TEST

/* With MergeSlashes Off, r->uri keeps a run of slashes; <Location>
 * compares it as one. A run must not slip past a named entry to a
 * shorter one (a collection, or "/"). */
START_TEST(test_find_merges_slashes)
{
    iam_pathmap_t *m = map_of("/", ROOT, "/a", A, "/a/b", B, NULL);

    ck_finds(m, "/a//b", "B");
    ck_finds(m, "/a//b/", "B");
    ck_finds(m, "//a///b//c", "B");
    ck_finds(m, "//a", "A");
    ck_finds(m, "/a//bc", "A");
    ck_finds(m, "//", "ROOT");
}
END_TEST

START_TEST(test_find_longest_wins)
{
    /* added short to long, then long to short: the order does not matter */
    iam_pathmap_t *m1 = map_of("/", ROOT, "/a", A, "/a/b", B, "/a/b/c/d", D, NULL);
    iam_pathmap_t *m2 = map_of("/a/b/c/d", D, "/a/b", B, "/a", A, "/", ROOT, NULL);
    iam_pathmap_t *ms[] = {m1, m2};
    size_t i;

    for (i = 0; i < 2; i++) {
        iam_pathmap_t *m = ms[i];
        ck_finds(m, "/", "ROOT");
        ck_finds(m, "/b", "ROOT");
        ck_finds(m, "/ab", "ROOT");
        ck_finds(m, "/a", "A");
        ck_finds(m, "/a/", "A");
        ck_finds(m, "/a/x/y", "A");
        ck_finds(m, "/a/bc", "A");
        ck_finds(m, "/a/b", "B");
        ck_finds(m, "/a/b/c", "B"); /* no entry "/a/b/c": the one above it */
        ck_finds(m, "/a/b/c/", "B");
        ck_finds(m, "/a/b/c/dd", "B");
        ck_finds(m, "/a/b/c/d", "D");
        ck_finds(m, "/a/b/c/d/e/f/g", "D");
    }
}
END_TEST

/* "/" is the root entry: it covers every path, and loses to any other. */
START_TEST(test_find_root)
{
    iam_pathmap_t *m = map_of("/", ROOT, NULL);

    ck_finds(m, "/", "ROOT");
    ck_finds(m, "/x", "ROOT");
    ck_finds(m, "/x/", "ROOT");
    ck_finds(m, "/x/y/z/index.html", "ROOT");
    ck_assert_int_eq(iam_pathmap_count(m), 1);
    ck_assert_int_eq(iam_pathmap_put(m, "/s", A, 0), 0);
    ck_finds(m, "/s/t", "A");
    ck_finds(m, "/st", "ROOT");
    ck_finds(m, "/", "ROOT");
}
END_TEST

/* "/a/" and "/a" are one entry: whichever is added, both are found, and
 * the other is a duplicate. */
START_TEST(test_trailing_slash_is_the_same_entry)
{
    iam_pathmap_t *m = map_of("/a/", A, "/b/c", B, NULL);

    ck_finds(m, "/a", "A");
    ck_finds(m, "/a/", "A");
    ck_finds(m, "/a/x", "A");
    ck_finds(m, "/ax", "(none)");
    ck_finds(m, "/b/c/", "B");
    ck_assert_int_eq(iam_pathmap_put(m, "/a", C, 0), 1);
    ck_assert_int_eq(iam_pathmap_put(m, "/b/c/", C, 0), 1);
    ck_assert_int_eq(iam_pathmap_count(m), 2);
    ck_finds(m, "/a", "A");
    ck_finds(m, "/b/c", "B");
}
END_TEST

/* The lookup reads the path no further than the longest entry: an entry
 * of exactly that length is found, and so are paths that go on past it,
 * whether the longest entry is on their branch or another. */
START_TEST(test_find_at_the_longest_entry)
{
    iam_pathmap_t *m = map_of("/a", A, "/a/bb", B, NULL); /* longest: 5 bytes */
    iam_pathmap_t *other = map_of("/a/b", B, "/zzzzzzzzzz", D, NULL);
    iam_pathmap_t *deep;
    char uri[4096];

    ck_finds(m, "/a/bb", "B");  /* ends exactly at the longest length */
    ck_finds(m, "/a/bb/", "B"); /* the '/' just past it */
    ck_finds(m, "/a/bb/c", "B");
    ck_finds(m, "/a/bbc", "A"); /* one byte past it, no boundary */
    ck_finds(m, "/a/b", "A");
    ck_finds(m, "/a/bbb/c", "A");
    /* a path much longer than any entry */
    memset(uri, 'x', sizeof(uri));
    memcpy(uri, "/a/bb/", 6);
    uri[sizeof(uri) - 1] = '\0';
    ck_finds(m, uri, "B");
    memcpy(uri, "/q/bb/", 6);
    ck_finds(m, uri, "(none)");
    /* the longest entry on another branch: "/a/b" is found at 4 bytes and
     * past them */
    ck_finds(other, "/a/b", "B");
    ck_finds(other, "/a/b/cccccccccccccccccc", "B");
    ck_finds(other, "/zzzzzzzzzz", "D");
    ck_finds(other, "/zzzzzzzzzz/y", "D");
    ck_finds(other, "/zzzzzzzzzzz", "(none)");
    ck_finds(other, "/zzzzzzzzz", "(none)");
    /* an entry of 1024 bytes (the most a path can have) */
    memset(uri, 'd', sizeof(uri));
    memcpy(uri, "/deep/", 6);
    uri[1024] = '\0';
    ck_assert_ptr_null(iam_pathmap_check(uri));
    deep = map_of("/deep", A, uri, C, NULL);
    ck_finds(deep, uri, "C");
    uri[1024] = '/';
    uri[1025] = 'e';
    uri[1026] = '\0';
    ck_finds(deep, uri, "C");
    uri[1024] = 'd';
    ck_finds(deep, uri, "A");
}
END_TEST

START_TEST(test_find_exact)
{
    iam_pathmap_t *m = map_of("/sources/checkout", A, "/sources/checkout/settings", B, NULL);

    ck_finds(m, "/sources/checkout", "A");
    ck_finds(m, "/sources/checkout/settings", "B");
    ck_finds(m, "/sources/checkout/settings/", "B");
    ck_finds(m, "/sources/checkout/settingsx", "A");
    ck_finds(m, "/sources/checkoutx", "(none)");
    ck_finds(m, "/sources", "(none)");
}
END_TEST

/* Only paths that begin with '/' are looked up (not "*", not relative). */
START_TEST(test_find_needs_a_slash)
{
    iam_pathmap_t *m = map_of("/", ROOT, "/a", A, NULL);

    ck_finds(m, "", "(none)");
    ck_finds(m, "a", "(none)");
    ck_finds(m, "a/b", "(none)");
    ck_finds(m, "*", "(none)");
    ck_finds(m, "http://host/a", "(none)");
}
END_TEST

START_TEST(test_empty_and_null_map)
{
    iam_pathmap_t *m = iam_pathmap_make(pool);

    ck_assert_int_eq(iam_pathmap_count(m), 0);
    ck_finds(m, "/", "(none)");
    ck_finds(m, "/a/b", "(none)");
    ck_assert_int_eq(iam_pathmap_count(NULL), 0);
    ck_assert_ptr_null(iam_pathmap_find(NULL, "/"));
    ck_assert_ptr_null(iam_pathmap_find(NULL, "/a/b"));
}
END_TEST

/* A duplicate is kept out unless replace; with replace it takes over and
 * the count stays. */
START_TEST(test_duplicates)
{
    iam_pathmap_t *m = iam_pathmap_make(pool);

    ck_assert_int_eq(iam_pathmap_put(m, "/a", A, 0), 0);
    ck_assert_int_eq(iam_pathmap_put(m, "/a", B, 0), 1);
    ck_finds(m, "/a", "A");
    ck_assert_int_eq(iam_pathmap_count(m), 1);
    ck_assert_int_eq(iam_pathmap_put(m, "/a/", C, 1), 0);
    ck_finds(m, "/a", "C");
    ck_finds(m, "/a/x", "C");
    ck_assert_int_eq(iam_pathmap_count(m), 1);
    /* replace adds a new path as any put does */
    ck_assert_int_eq(iam_pathmap_put(m, "/b", B, 1), 0);
    ck_assert_int_eq(iam_pathmap_count(m), 2);
    ck_finds(m, "/b", "B");
    /* the root entry too */
    ck_assert_int_eq(iam_pathmap_put(m, "/", ROOT, 0), 0);
    ck_assert_int_eq(iam_pathmap_put(m, "/", D, 0), 1);
    ck_finds(m, "/z", "ROOT");
    ck_assert_int_eq(iam_pathmap_put(m, "/", D, 1), 0);
    ck_finds(m, "/z", "D");
    ck_assert_int_eq(iam_pathmap_count(m), 3);
}
END_TEST

/* A path longer than IAM_PATHMAP_MAX is never added, even unchecked: the
 * lookup's copy of a path with "//" holds no more. One of exactly that
 * length is, and is found through a run of slashes. */
START_TEST(test_put_refuses_over_long)
{
    iam_pathmap_t *m = iam_pathmap_make(pool);
    char path[IAM_PATHMAP_MAX + 2], uri[IAM_PATHMAP_MAX + 8];

    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0'; /* IAM_PATHMAP_MAX + 1 bytes */
    ck_assert_int_eq(iam_pathmap_put(m, path, A, 0), 1);
    ck_assert_int_eq(iam_pathmap_put(m, path, A, 1), 1);
    ck_assert_int_eq(iam_pathmap_count(m), 0);
    path[IAM_PATHMAP_MAX] = '\0';
    ck_assert_int_eq(iam_pathmap_put(m, path, B, 0), 0);
    snprintf(uri, sizeof(uri), "//%s//x", path + 1);
    ck_finds(m, uri, "B");
}
END_TEST

/* The map keeps its own copy of each path. */
START_TEST(test_put_copies_the_path)
{
    iam_pathmap_t *m = iam_pathmap_make(pool);
    char path[32];

    strcpy(path, "/copied");
    ck_assert_int_eq(iam_pathmap_put(m, path, A, 0), 0);
    strcpy(path, "/changed");
    ck_finds(m, "/copied", "A");
    ck_finds(m, "/changed", "(none)");
}
END_TEST

/* ---- merge: a virtual host's table over the main server's ---- */

START_TEST(test_merge)
{
    iam_pathmap_t *base = map_of("/", ROOT, "/a", A, "/b", B, "/long/path/to/x", D, NULL);
    iam_pathmap_t *add = map_of("/b/", C, "/c", C, NULL);
    iam_pathmap_t *m = iam_pathmap_merge(pool, base, add);

    ck_assert_int_eq(iam_pathmap_count(m), 5);
    ck_finds(m, "/a/1", "A");
    ck_finds(m, "/b", "C"); /* add wins on the same path */
    ck_finds(m, "/b/1", "C");
    ck_finds(m, "/c/1", "C");
    ck_finds(m, "/zzz", "ROOT");
    /* base's longest entry is longer than add's: still read to its end */
    ck_finds(m, "/long/path/to/x", "D");
    ck_finds(m, "/long/path/to/x/y", "D");
    ck_finds(m, "/long/path/to", "ROOT");
    /* neither side changed */
    ck_assert_int_eq(iam_pathmap_count(base), 4);
    ck_assert_int_eq(iam_pathmap_count(add), 2);
    ck_finds(base, "/b", "B");
    ck_finds(base, "/c", "ROOT");
    ck_finds(add, "/a", "(none)");
    ck_finds(add, "/long/path/to/x", "(none)");
    /* add's root entry wins over base's, and add's long entry is read */
    m = iam_pathmap_merge(pool, map_of("/", ROOT, NULL), map_of("/", A, "/x/y/z/w", B, NULL));
    ck_finds(m, "/q", "A");
    ck_finds(m, "/x/y/z/w/v", "B");
    ck_assert_int_eq(iam_pathmap_count(m), 2);
}
END_TEST

START_TEST(test_merge_null_sides)
{
    iam_pathmap_t *a = map_of("/a", A, NULL);

    ck_assert_ptr_eq(iam_pathmap_merge(pool, NULL, a), a);
    ck_assert_ptr_eq(iam_pathmap_merge(pool, a, NULL), a);
    ck_assert_ptr_null(iam_pathmap_merge(pool, NULL, NULL));
    /* empty maps merge to an empty one */
    ck_assert_int_eq(
        iam_pathmap_count(iam_pathmap_merge(pool, iam_pathmap_make(pool), iam_pathmap_make(pool))),
        0);
}
END_TEST

/* ---- growth ---- */

#define MANY 10000

/* Entry i of test_many_entries: "/r/9", "/r/10/s/10", "/r/11/s/11/t/11"
 * (never a prefix of another: the numbers differ), the deepest with a
 * trailing '/' when added. */
static char *entry(int i, int slash)
{
    switch (i % 3) {
    case 0: return apr_psprintf(pool, "/r/%d", i);
    case 1: return apr_psprintf(pool, "/r/%d/s/%d", i, i);
    default: return apr_psprintf(pool, "/r/%d/s/%d/t/%d%s", i, i, i, slash ? "/" : "");
    }
}

/* 10,000 entries at several depths (the table grows many times): each
 * found with its own value, at itself and below, and no near miss found. */
START_TEST(test_many_entries)
{
    static int value[MANY];
    iam_pathmap_t *m = iam_pathmap_make(pool), *half;
    int i;

    for (i = 0; i < MANY; i++) {
        char *path = entry(i, 1);
        ck_assert_msg(iam_pathmap_put(m, path, &value[i], 0) == 0, "put %s refused", path);
        ck_assert_int_eq(iam_pathmap_count(m), i + 1);
    }
    /* each again (without its trailing '/') is a duplicate */
    for (i = 0; i < MANY; i += 97)
        ck_assert_int_eq(iam_pathmap_put(m, entry(i, 0), NULL, 0), 1);
    ck_assert_int_eq(iam_pathmap_count(m), MANY);
    for (i = 0; i < MANY; i++) {
        char *exact = entry(i, 0);
        ck_assert_msg(iam_pathmap_find(m, exact) == &value[i], "%s", exact);
        ck_assert_msg(iam_pathmap_find(m, entry(i, 1)) == &value[i], "%s/", exact);
        ck_assert_msg(iam_pathmap_find(m, apr_psprintf(pool, "%s/index.html", exact)) == &value[i],
                      "%s", exact);
        /* whatever its entry's depth, the deepest path of its number */
        ck_assert_msg(iam_pathmap_find(m, apr_psprintf(pool, "/r/%d/s/%d/t/%d/u", i, i, i)) ==
                          &value[i],
                      "below %s", exact);
        /* near misses: the segment made longer, the levels above */
        ck_assert_msg(iam_pathmap_find(m, apr_psprintf(pool, "%sx", exact)) == NULL, "%sx", exact);
        if (i % 3 >= 1)
            ck_assert_msg(iam_pathmap_find(m, apr_psprintf(pool, "/r/%d", i)) == NULL, "/r/%d", i);
        if (i % 3 == 2)
            ck_assert_msg(iam_pathmap_find(m, apr_psprintf(pool, "/r/%d/s/%d", i, i)) == NULL,
                          "/r/%d/s/%d", i, i);
    }
    ck_assert_ptr_null(iam_pathmap_find(m, "/r"));
    ck_assert_ptr_null(iam_pathmap_find(m, "/r/"));
    ck_assert_ptr_null(iam_pathmap_find(m, apr_psprintf(pool, "/r/%d", MANY)));
    ck_assert_ptr_null(iam_pathmap_find(m, apr_psprintf(pool, "/r/%d/s/%d", MANY + 1, MANY + 1)));
    /* merged under another map of 5,000, all of both still found */
    half = iam_pathmap_make(pool);
    for (i = 0; i < MANY; i += 2)
        ck_assert_int_eq(iam_pathmap_put(half, apr_psprintf(pool, "/h/%d", i), &value[i], 0), 0);
    m = iam_pathmap_merge(pool, half, m);
    ck_assert_int_eq(iam_pathmap_count(m), MANY + MANY / 2);
    for (i = 0; i < MANY; i++) {
        ck_assert_ptr_eq(iam_pathmap_find(m, apr_psprintf(pool, "/h/%d/x", i)),
                         i % 2 ? NULL : &value[i]);
        ck_assert_ptr_eq(iam_pathmap_find(m, apr_psprintf(pool, "/r/%d/s/%d/t/%d/u", i, i, i)),
                         &value[i]);
    }
}
END_TEST

/* ---- templates: "{name}" for one whole segment ---- */

/* What a lookup finds, as "VALUE" or "VALUE name" (a template's), or
 * "(none)". */
static const char *hit_of(const iam_pathmap_t *m, const char *uri)
{
    iam_pathmap_hit_t hit;

    iam_pathmap_lookup(m, uri, &hit);
    if (!hit.value)
        return "(none)";
    if (!hit.templated)
        return hit.value;
    return apr_psprintf(pool, "%s %s", (const char *)hit.value, hit.name);
}

START_TEST(test_template_names_the_segment)
{
    iam_pathmap_t *m = map_of("/sources", A, "/sources/{name}", B, "/sources/web", C,
                              "/spaces/{name}/settings", D, NULL);

    ck_assert(iam_pathmap_is_template("/sources/{name}"));
    ck_assert(iam_pathmap_is_template("/{name}/x"));
    ck_assert(!iam_pathmap_is_template("/sources/name"));
    ck_assert_ptr_null(iam_pathmap_check("/sources/{name}"));
    ck_assert_ptr_null(iam_pathmap_check("/{name}/settings/"));
    ck_assert_str_eq(hit_of(m, "/sources"), "A");
    ck_assert_str_eq(hit_of(m, "/sources/"), "A");
    ck_assert_str_eq(hit_of(m, "/sources/ios"), "B ios");
    ck_assert_str_eq(hit_of(m, "/sources/ios/"), "B ios");
    ck_assert_str_eq(hit_of(m, "/sources/ios/deep/er.html"), "B ios");
    ck_assert_str_eq(hit_of(m, "/sources//ios//x"), "B ios"); /* runs of '/' as one */
    /* an entry over a template of the same prefix, and below it */
    ck_assert_str_eq(hit_of(m, "/sources/web"), "C");
    ck_assert_str_eq(hit_of(m, "/sources/web/x"), "C");
    ck_assert_str_eq(hit_of(m, "/sources/webx"), "B webx");
    /* a template with a segment after {name}: only with it */
    ck_assert_str_eq(hit_of(m, "/spaces/growth/settings/a"), "D growth");
    ck_assert_str_eq(hit_of(m, "/spaces/growth/other"), "(none)");
    ck_assert_str_eq(hit_of(m, "/spaces/growth"), "(none)");
    ck_assert_str_eq(hit_of(m, "/spaces"), "(none)");
    /* the segment as it is: the caller says whether it is a name */
    ck_assert_str_eq(hit_of(m, "/sources/a b.c/x"), "B a b.c");
    ck_assert_str_eq(iam_pathmap_find(m, "/sources/ios"), "B"); /* the value, as ever */
}
END_TEST

/* A segment longer than a lookup copies: its length says so; the walk
 * goes past the longest key for templates, and a longer entry still wins. */
START_TEST(test_template_long_segments)
{
    iam_pathmap_t *m = map_of("/s/{name}", A, "/s/x/y/z", B, NULL);
    char *longname = apr_pcalloc(pool, 301);
    iam_pathmap_hit_t hit;

    memset(longname, 'n', 300);
    iam_pathmap_lookup(m, apr_pstrcat(pool, "/s/", longname, "/more", NULL), &hit);
    ck_assert_ptr_eq(hit.value, A);
    ck_assert(hit.templated);
    ck_assert_uint_eq(hit.name_len, 300);
    ck_assert_uint_eq(strlen(hit.name), IAM_PATHMAP_NAME);
    ck_assert_uint_eq(hit.covered, 303);
    ck_assert_str_eq(hit_of(m, "/s/x/y/z/w"), "B");
    ck_assert_str_eq(hit_of(m, "/s/x/y"), "A x");
    /* a path with a run of '/' too long to merge finds nothing, not the
     * shorter entry the walk had found before the run (review finding) */
    m = map_of("/a", A, "/a/b", B, "/t/{name}", C, NULL);
    longname = apr_pcalloc(pool, 9001);
    memset(longname, 'x', 9000);
    ck_assert_str_eq(hit_of(m, apr_pstrcat(pool, "/a//b/", longname, NULL)), "(none)");
    ck_assert_str_eq(hit_of(m, "/a//b/x"), "B");
}
END_TEST

/* Two templates, two depths, and the root: the longest covering prefix
 * wins, as for entries; a duplicate template (trailing '/') is refused;
 * a merged map keeps its templates. */
START_TEST(test_template_depths_and_merge)
{
    iam_pathmap_t *m = map_of("/", ROOT, "/{name}", A, "/t/a/{name}", B, NULL), *v;

    ck_assert_str_eq(hit_of(m, "/"), "ROOT");
    ck_assert_str_eq(hit_of(m, "/x"), "A x");
    ck_assert_str_eq(hit_of(m, "/t/a"), "A t");
    ck_assert_str_eq(hit_of(m, "/t/a/b"), "B b");
    ck_assert_str_eq(hit_of(m, "/t/a/b/c"), "B b");
    ck_assert_int_eq(iam_pathmap_put(m, "/t/a/{name}/", C, 0), 1);
    v = map_of("/v/{name}", C, NULL);
    m = iam_pathmap_merge(pool, m, v);
    ck_assert_str_eq(hit_of(m, "/v/q/r"), "C q");
    ck_assert_str_eq(hit_of(m, "/t/a/b"), "B b");
    ck_assert_str_eq(hit_of(m, "/w"), "A w");
}
END_TEST

/* ---- the suite ---- */

Suite *suite_pathmap(void)
{
    Suite *s = suite_create("pathmap");
    TCase *tc;

    tc = tcase_create("check");
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_check_accepts);
    tcase_add_loop_test(tc, test_check_rejects, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(tc, test_check_length);
    suite_add_tcase(s, tc);

    tc = tcase_create("find");
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_find_whole_segments);
    tcase_add_test(tc, test_find_merges_slashes);
    tcase_add_test(tc, test_find_longest_wins);
    tcase_add_test(tc, test_find_root);
    tcase_add_test(tc, test_trailing_slash_is_the_same_entry);
    tcase_add_test(tc, test_find_at_the_longest_entry);
    tcase_add_test(tc, test_find_exact);
    tcase_add_test(tc, test_find_needs_a_slash);
    tcase_add_test(tc, test_empty_and_null_map);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_put_refuses_over_long);
    tcase_add_test(tc, test_put_copies_the_path);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge");
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_merge);
    tcase_add_test(tc, test_merge_null_sides);
    tcase_add_test(tc, test_many_entries);
    suite_add_tcase(s, tc);

    tc = tcase_create("templates");
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_template_names_the_segment);
    tcase_add_test(tc, test_template_long_segments);
    tcase_add_test(tc, test_template_depths_and_merge);
    suite_add_tcase(s, tc);
    return s;
}
