/* mod_iam: the audit trail in words (iam_audit_text.h).
 *
 * What the store writes as an entry's before and after (store.c,
 * describe_member, describe_group, describe_grants):
 *
 *   member   status=active email=max@example.com name=Max Mustermann pii=no
 *            grants=[source-admin on checkout web; warehouse-admin on all] groups=[eng,"a, b"]
 *   group    pii=no grants=[personas-read-only on labels env:prod team:x] members=12
 *   request  edit source checkout (revision 2): the member's message
 *
 * A name that could pass for that syntax is written in double quotes (\"
 * and \\ escaped); older records wrote every name bare, and are read as
 * well as bare text can be. A text longer than IAM_AUDIT_TEXT_MAX was cut
 * and ends in "...": a list it cut is "incomplete" below, and is never
 * taken for a list that lost items.
 *
 * Every text out goes through plain() last: valid UTF-8, no control
 * characters, whatever the record held. */
#include "iam_audit_text.h"

#include <apr_strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FOLD 5       /* a list longer than this shows FOLD_SHOW items and a count */
#define FOLD_SHOW 3  /* ... "a, b, c and 597 more" */
#define SAY 3        /* names a sentence spells out before it counts them */
#define SHOW_MAX 200 /* bytes of one free text (a name, a message) shown */

/* ---- texts out ---- */

static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[0] == 0xe0 && s[1] < 0xa0) ||
            (s[0] == 0xed && s[1] > 0x9f))
            return 0;
        return 3;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
            (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

/* s as valid UTF-8 without control characters: a line break or a tab
 * becomes a space, a byte that starts no character a '?'. */
static const char *plain(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;
    size_t k;

    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            *o++ = ' ';
            s++;
        } else if (!(k = utf8_len((const unsigned char *)s))) {
            *o++ = '?';
            s++;
        } else {
            memcpy(o, s, k);
            o += k;
            s += k;
        }
    }
    *o = '\0';
    return out;
}

/* A free text cut to SHOW_MAX bytes, on a character boundary. */
static const char *shown(apr_pool_t *p, const char *s)
{
    size_t n;

    if (!s)
        return "";
    if ((n = strlen(s)) <= SHOW_MAX)
        return s;
    for (n = SHOW_MAX; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
        ;
    return apr_pstrcat(p, apr_pstrndup(p, s, n), "…", NULL);
}

/* "a", "a and b", "a, b and c" (joined by `last` before the last). */
static const char *join_words(apr_pool_t *p, const apr_array_header_t *a, const char *last)
{
    const char *s = "";
    int i;

    for (i = 0; i < a->nelts; i++)
        s = apr_pstrcat(p, s,
                        i == 0              ? ""
                        : i == a->nelts - 1 ? last
                                            : ", ",
                        APR_ARRAY_IDX(a, i, const char *), NULL);
    return s;
}

/* Items joined by `sep`; a list longer than FOLD shows its first
 * FOLD_SHOW and how many more. */
static const char *fold(apr_pool_t *p, const apr_array_header_t *a, const char *sep)
{
    const char *s = "";
    int i, n = a->nelts > FOLD ? FOLD_SHOW : a->nelts;

    for (i = 0; i < n; i++)
        s = apr_pstrcat(p, s, i ? sep : "", shown(p, APR_ARRAY_IDX(a, i, const char *)), NULL);
    if (n < a->nelts)
        s = apr_psprintf(p, "%s and %d more", s, a->nelts - n);
    return s;
}

static const char *count(apr_pool_t *p, long n, const char *one, const char *many)
{
    return apr_psprintf(p, "%ld %s", n, n == 1 ? one : many);
}

static int has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (!strncasecmp(hay, needle, n))
            return 1;
    }
    return n == 0;
}

/* ---- reading the store's texts ---- */

typedef struct {
    int present;               /* the field was read */
    int complete;              /* up to its ']': no item missing */
    apr_array_header_t *items; /* const char * */
} list_t;

typedef struct {
    int empty;  /* no text: before a creation, after a removal */
    int fields; /* how many fields were read */
    const char *status, *email, *name, *pii, *members; /* NULL: not read */
    list_t grants, groups;
} rec_t;

static const char *const rec_keys[] = {"status", "email",  "name",    "pii",
                                       "grants", "groups", "members", NULL};

/* Whether s is " KEY=" of a record's key: where a bare value ends. */
static int at_key(const char *s)
{
    int i;

    if (*s != ' ')
        return 0;
    for (i = 0; rec_keys[i]; i++) {
        size_t n = strlen(rec_keys[i]);
        if (!strncmp(s + 1, rec_keys[i], n) && s[1 + n] == '=')
            return 1;
    }
    return 0;
}

/* Whether the store cut this text (store.c, clip). */
static int clipped(const char *s)
{
    size_t n = strlen(s);

    return n > IAM_AUDIT_TEXT_MAX && !strcmp(s + n - 3, "...");
}

/* A quoted text at s (at its '"'): *out unquoted, the end returned; NULL
 * if the quote never closes. */
static const char *read_quoted(apr_pool_t *p, const char *s, const char **out)
{
    const char *e;
    char *o;

    for (e = s + 1; *e && *e != '"'; e++) {
        if (*e == '\\' && e[1])
            e++;
    }
    if (*e != '"')
        return NULL;
    *out = o = apr_palloc(p, (size_t)(e - s));
    for (s++; s < e; s++) {
        if (*s == '\\')
            s++;
        *o++ = *s;
    }
    *o = '\0';
    return e + 1;
}

/* The items of a list at s (just after its '['), separated by sep. */
static const char *read_list(apr_pool_t *p, const char *s, const char *sep, list_t *l)
{
    size_t seplen = strlen(sep);
    const char *end, *v = NULL;

    l->present = 1;
    l->complete = 0;
    l->items = apr_array_make(p, 4, sizeof(const char *));
    while (*s && *s != ']') {
        if (*s == '"' && (end = read_quoted(p, s, &v)) &&
            (*end == ']' || !strncmp(end, sep, seplen))) {
            s = end;
        } else {
            for (end = s; *end && *end != ']' && strncmp(end, sep, seplen); end++)
                ;
            if (!*end)
                return end; /* cut: its last item may be cut too */
            v = apr_pstrndup(p, s, (apr_size_t)(end - s));
            s = end;
        }
        APR_ARRAY_PUSH(l->items, const char *) = v;
        if (!strncmp(s, sep, seplen))
            s += seplen;
    }
    if (*s != ']')
        return s;
    l->complete = 1;
    return s + 1;
}

/* Reads a member's or a group's description; what it cannot read stays
 * NULL (not present). */
static void read_rec(apr_pool_t *p, const char *text, rec_t *r)
{
    const char *s = text ? text : "", *end, *v;
    int cut = clipped(s);

    memset(r, 0, sizeof(*r));
    if (!*s) {
        r->empty = 1;
        return;
    }
    while (*s) {
        size_t k = strspn(s, "abcdefghijklmnopqrstuvwxyz");
        const char **slot = NULL;
        list_t *list = NULL;
        if (!k || s[k] != '=')
            break; /* not this syntax, or past a cut */
        if (k == 6 && !strncmp(s, "grants", k))
            list = &r->grants;
        else if (k == 6 && !strncmp(s, "groups", k))
            list = &r->groups;
        else if (k == 6 && !strncmp(s, "status", k))
            slot = &r->status;
        else if (k == 5 && !strncmp(s, "email", k))
            slot = &r->email;
        else if (k == 4 && !strncmp(s, "name", k))
            slot = &r->name;
        else if (k == 3 && !strncmp(s, "pii", k))
            slot = &r->pii;
        else if (k == 7 && !strncmp(s, "members", k))
            slot = &r->members;
        s += k + 1;
        if (list && *s == '[') {
            s = read_list(p, s + 1, list == &r->grants ? "; " : ",", list);
            if (!list->complete)
                break;
            if (list == &r->grants && list->items->nelts == 1 &&
                !strcmp(APR_ARRAY_IDX(list->items, 0, const char *), "none"))
                list->items->nelts = 0;
        } else {
            if (*s == '"' && (end = read_quoted(p, s, &v)) && (!*end || at_key(end))) {
                s = end;
            } else {
                for (end = s; *end && !at_key(end); end++)
                    ;
                /* a value that runs into a cut may be cut itself */
                v = *end || !cut ? apr_pstrndup(p, s, (apr_size_t)(end - s)) : NULL;
                s = end;
            }
            if (slot)
                *slot = v;
        }
        r->fields++;
        if (*s == ' ')
            s++;
    }
}

/* A field of a record that did not exist reads as empty. */
static const char *rec_value(const rec_t *r, const char *v, const char *none)
{
    return r->empty ? none : v;
}

static const list_t *rec_list(apr_pool_t *p, const rec_t *r, const list_t *l)
{
    list_t *e;

    if (!r->empty)
        return l;
    e = apr_pcalloc(p, sizeof(*e));
    e->present = e->complete = 1;
    e->items = apr_array_make(p, 1, sizeof(const char *));
    return e;
}

/* One grant as describe_grants writes it: "SLUG on all", "SLUG on a b",
 * "SLUG on labels k:v k:v". */
typedef struct {
    const char *slug; /* NULL: not that form; text is shown as it is */
    iam_scope_e scope;
    apr_array_header_t *items; /* const char * */
    const char *text;
} pgrant_t;

static pgrant_t read_grant(apr_pool_t *p, const char *text)
{
    pgrant_t g = {NULL, IAM_SCOPE_ALL, apr_array_make(p, 2, sizeof(const char *)), text};
    const char *on = strstr(text, " on "), *s, *w;
    int labels = 1;

    if (!on || on == text)
        return g;
    g.slug = apr_pstrndup(p, text, (apr_size_t)(on - text));
    s = on + 4;
    if (!strcmp(s, "all"))
        return g;
    g.scope = IAM_SCOPE_RESOURCES;
    if (!strncmp(s, "labels ", 7)) {
        /* a resource may be called "labels"; a label always holds ':' */
        for (w = s + 7; *w; w += strcspn(w, " "), w += *w == ' ')
            labels = labels && memchr(w, ':', strcspn(w, " "));
        if (labels && s[7]) {
            g.scope = IAM_SCOPE_LABELS;
            s += 7;
        }
    }
    while (*s) {
        size_t n = strcspn(s, " ");
        if (n)
            APR_ARRAY_PUSH(g.items, const char *) = apr_pstrndup(p, s, n);
        s += n + (s[n] == ' ');
    }
    return g;
}

static int in_items(const apr_array_header_t *a, const char *s)
{
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(a, i, const char *), s))
            return 1;
    }
    return 0;
}

static int same_items(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        if (!in_items(b, APR_ARRAY_IDX(a, i, const char *)))
            return 0;
    }
    return 1;
}

static int same_grant(const pgrant_t *a, const pgrant_t *b)
{
    if (!a->slug || !b->slug)
        return !a->slug && !b->slug && !strcmp(a->text, b->text);
    return !strcmp(a->slug, b->slug) && a->scope == b->scope &&
           (a->scope == IAM_SCOPE_ALL || same_items(a->items, b->items));
}

static apr_array_header_t *read_grants(apr_pool_t *p, const list_t *l)
{
    apr_array_header_t *out = apr_array_make(p, l->items->nelts + 1, sizeof(pgrant_t));
    int i;

    for (i = 0; i < l->items->nelts; i++)
        APR_ARRAY_PUSH(out, pgrant_t) = read_grant(p, APR_ARRAY_IDX(l->items, i, const char *));
    return out;
}

/* The grants of a that b lacks, into out: whole grants, and of a grant on
 * resources that b holds too, the resources b lacks. */
static void grants_minus(apr_pool_t *p, const apr_array_header_t *a, const apr_array_header_t *b,
                         apr_array_header_t *out)
{
    int i, j, k;

    for (i = 0; i < a->nelts; i++) {
        const pgrant_t *ga = &APR_ARRAY_IDX(a, i, pgrant_t);
        const pgrant_t *gb = NULL;
        for (j = 0; j < b->nelts && !gb; j++) {
            const pgrant_t *x = &APR_ARRAY_IDX(b, j, pgrant_t);
            if (ga->slug && ga->scope == IAM_SCOPE_RESOURCES && x->slug &&
                x->scope == IAM_SCOPE_RESOURCES && !strcmp(ga->slug, x->slug))
                gb = x;
            else if (same_grant(ga, x))
                gb = x;
        }
        if (!gb) {
            APR_ARRAY_PUSH(out, pgrant_t) = *ga;
        } else if (ga->scope == IAM_SCOPE_RESOURCES && ga->slug) {
            pgrant_t part = *ga;
            part.items = apr_array_make(p, 2, sizeof(const char *));
            for (k = 0; k < ga->items->nelts; k++) {
                const char *it = APR_ARRAY_IDX(ga->items, k, const char *);
                if (!in_items(gb->items, it))
                    APR_ARRAY_PUSH(part.items, const char *) = it;
            }
            if (part.items->nelts)
                APR_ARRAY_PUSH(out, pgrant_t) = part;
        }
    }
}

/* The names of a that b lacks. */
static apr_array_header_t *names_minus(apr_pool_t *p, const apr_array_header_t *a,
                                       const apr_array_header_t *b)
{
    apr_array_header_t *out = apr_array_make(p, 2, sizeof(const char *));
    int i;

    for (i = 0; i < a->nelts; i++) {
        const char *s = APR_ARRAY_IDX(a, i, const char *);
        if (!in_items(b, s) && !in_items(out, s))
            APR_ARRAY_PUSH(out, const char *) = s;
    }
    return out;
}

/* "Source Admin on checkout, web", "Warehouse Admin on all", "Personas
 * Read-only on labels env:prod and team:x", "Workspace Owner". */
static const char *grant_words(apr_pool_t *p, const iam_roles_t *roles, const pgrant_t *g)
{
    const iam_role_t *r;
    const char *name;

    if (!g->slug)
        return shown(p, g->text);
    r = roles ? iam_roles_find(roles, g->slug) : NULL;
    name = r ? r->name : shown(p, g->slug);
    if (g->scope == IAM_SCOPE_ALL)
        return r && r->kind != IAM_ROLE_PLAIN ? name : apr_pstrcat(p, name, " on all", NULL);
    if (g->scope == IAM_SCOPE_LABELS)
        return apr_pstrcat(p, name, " on labels ",
                           g->items->nelts > FOLD ? fold(p, g->items, ", ")
                                                  : join_words(p, g->items, " and "),
                           NULL);
    return apr_pstrcat(p, name, " on ", fold(p, g->items, ", "), NULL);
}

/* A request as the store writes it: "LEVEL TYPE NAME (revision N)", then
 * ": MESSAGE" in the after of request.open, .level and .update. */
typedef struct {
    const char *level, *type, *name;
    const char *message; /* NULL: none written */
} preq_t;

static int read_request(apr_pool_t *p, const char *s, preq_t *q)
{
    const char *w[3];
    size_t n[3];
    int i;

    memset(q, 0, sizeof(*q));
    for (i = 0; i < 3; i++) {
        n[i] = strcspn(s, " ");
        if (!n[i] || s[n[i]] != ' ')
            return 0;
        w[i] = s;
        s += n[i] + 1;
    }
    if (strncmp(s, "(revision ", 10))
        return 0;
    s += 10;
    if (!strspn(s, "0123456789"))
        return 0;
    s += strspn(s, "0123456789");
    if (*s++ != ')')
        return 0;
    if (*s && strncmp(s, ": ", 2))
        return 0;
    q->level = shown(p, apr_pstrndup(p, w[0], n[0])); /* a damaged record's "level" may be long */
    q->type = apr_pstrndup(p, w[1], n[1]);
    q->name = apr_pstrndup(p, w[2], n[2]);
    q->message = *s ? s + 2 : NULL;
    return 1;
}

/* "the workspace console", "the source collection", "source checkout". */
static const char *request_what(apr_pool_t *p, const preq_t *q)
{
    if (!strcmp(q->type, IAM_TYPE_CONSOLE))
        return "the workspace console";
    if (!strcmp(q->type, IAM_TYPE_OWNERS))
        return "a page for Workspace Owners";
    if (!strcmp(q->name, "*"))
        return apr_pstrcat(p, "the ", shown(p, q->type), " collection", NULL);
    return apr_pstrcat(p, shown(p, q->type), " ", shown(p, q->name), NULL);
}

/* request.approve's before: the member, then "; asked: " and the request. */
static const char *approve_member(apr_pool_t *p, const char *before, const char **asked)
{
    const char *s, *last = NULL;

    for (s = before; (s = strstr(s, "; asked: ")); s++)
        last = s;
    *asked = last ? last + 9 : NULL;
    return last ? apr_pstrndup(p, before, (apr_size_t)(last - before)) : before;
}

/* The login in token.die's after: "its owner 'LOGIN' WHY". */
static const char *token_owner(apr_pool_t *p, const char *after)
{
    const char *s, *end = NULL;

    if (strncmp(after, "its owner '", 11))
        return NULL;
    for (s = after + 11; (s = strstr(s, "' ")); s++)
        end = s;
    return end ? apr_pstrndup(p, after + 11, (apr_size_t)(end - after - 11)) : NULL;
}

/* group.add-members' after: the logins, comma-separated. */
static apr_array_header_t *read_logins(apr_pool_t *p, const char *s)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    int cut = clipped(s);

    while (*s) {
        size_t n = strcspn(s, ",");
        if (!s[n] && cut)
            break; /* the last one may be cut */
        APR_ARRAY_PUSH(out, const char *) = apr_pstrndup(p, s, n);
        s += n + (s[n] == ',');
    }
    return out;
}

/* ---- what changed ---- */

typedef struct {
    apr_array_header_t *fields;         /* const char *: the names of the fields that changed */
    apr_array_header_t *gplus, *gminus; /* pgrant_t: grants given, taken */
    apr_array_header_t *nplus, *nminus; /* const char *: groups joined, left */
    int lists_known;                    /* gplus... say all that changed in the lists */
    int readable;                       /* both sides read as records */
} diff_t;

static void scalar(apr_pool_t *p, apr_array_header_t *changes, diff_t *d, const char *label,
                   const rec_t *b, const char *bv, const rec_t *a, const char *av, const char *none)
{
    bv = rec_value(b, bv, none);
    av = rec_value(a, av, none);
    if (!bv || !av || !strcmp(bv, av))
        return;
    APR_ARRAY_PUSH(d->fields, const char *) = label;
    if (a->empty) /* a removal: what it was is the entry's before */
        return;
    if (b->empty) {
        APR_ARRAY_PUSH(changes, const char *) = apr_pstrcat(p, label, ": ", shown(p, av), NULL);
        return;
    }
    APR_ARRAY_PUSH(changes, const char *) = apr_pstrcat(
        p, label, ": ", *bv ? shown(p, bv) : "(none)", " → ", *av ? shown(p, av) : "(none)", NULL);
}

static int same_list(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), APR_ARRAY_IDX(b, i, const char *)))
            return 0;
    }
    return 1;
}

/* "+ a; + b; − c", each side folded. */
static const char *signed_list(apr_pool_t *p, const apr_array_header_t *plus,
                               const apr_array_header_t *minus)
{
    const char *s = "";
    int side, i;

    for (side = 0; side < 2; side++) {
        const apr_array_header_t *a = side ? minus : plus;
        const char *sign = side ? "− " : "+ ";
        int n = a->nelts > FOLD ? FOLD_SHOW : a->nelts;
        for (i = 0; i < n; i++)
            s = apr_pstrcat(p, s, *s ? "; " : "", sign, APR_ARRAY_IDX(a, i, const char *), NULL);
        if (n < a->nelts)
            s = apr_psprintf(p, "%s%s%s%d more", s, *s ? "; " : "", sign, a->nelts - n);
    }
    return s;
}

/* The change of one list field; grants when `grants`, else names. */
static void list_change(apr_pool_t *p, const iam_roles_t *roles, apr_array_header_t *changes,
                        diff_t *d, const char *label, const list_t *bl, const list_t *al,
                        int grants)
{
    apr_array_header_t *plus, *minus, *pw, *mw;
    int i;

    if (!bl->present || !al->present) {
        d->lists_known = 0;
        return;
    }
    if (!bl->complete || !al->complete) {
        /* a list the store cut: what shows may not be all that changed */
        d->lists_known = 0;
        if (!same_list(bl->items, al->items)) {
            APR_ARRAY_PUSH(d->fields, const char *) = label;
            APR_ARRAY_PUSH(changes, const char *) =
                apr_pstrcat(p, label, ": changed (too long to compare here)", NULL);
        }
        return;
    }
    if (grants) {
        apr_array_header_t *bg = read_grants(p, bl), *ag = read_grants(p, al);
        plus = d->gplus;
        minus = d->gminus;
        grants_minus(p, ag, bg, plus);
        grants_minus(p, bg, ag, minus);
        pw = apr_array_make(p, plus->nelts + 1, sizeof(const char *));
        mw = apr_array_make(p, minus->nelts + 1, sizeof(const char *));
        for (i = 0; i < plus->nelts; i++)
            APR_ARRAY_PUSH(pw, const char *) =
                grant_words(p, roles, &APR_ARRAY_IDX(plus, i, pgrant_t));
        for (i = 0; i < minus->nelts; i++)
            APR_ARRAY_PUSH(mw, const char *) =
                grant_words(p, roles, &APR_ARRAY_IDX(minus, i, pgrant_t));
    } else {
        d->nplus = plus = names_minus(p, al->items, bl->items);
        d->nminus = minus = names_minus(p, bl->items, al->items);
        pw = apr_array_make(p, 1, sizeof(const char *));
        mw = apr_array_make(p, 1, sizeof(const char *));
        if (plus->nelts)
            APR_ARRAY_PUSH(pw, const char *) = fold(p, plus, ", ");
        if (minus->nelts)
            APR_ARRAY_PUSH(mw, const char *) = fold(p, minus, ", ");
    }
    if (plus->nelts || minus->nelts) {
        APR_ARRAY_PUSH(d->fields, const char *) = label;
        APR_ARRAY_PUSH(changes, const char *) =
            apr_pstrcat(p, label, ": ", signed_list(p, pw, mw), NULL);
    }
}

/* What changed from record text `before` to `after` (either "" for a
 * creation or a removal): lines into changes, the facts into d. */
static void diff_records(apr_pool_t *p, const iam_roles_t *roles, const char *before,
                         const char *after, apr_array_header_t *changes, diff_t *d)
{
    rec_t b, a;

    memset(d, 0, sizeof(*d));
    d->fields = apr_array_make(p, 4, sizeof(const char *));
    d->gplus = apr_array_make(p, 2, sizeof(pgrant_t));
    d->gminus = apr_array_make(p, 2, sizeof(pgrant_t));
    d->nplus = d->nminus = apr_array_make(p, 1, sizeof(const char *));
    d->lists_known = 1;
    read_rec(p, before, &b);
    read_rec(p, after, &a);
    d->readable = (b.empty || b.fields) && (a.empty || a.fields) && !(a.empty && b.empty);
    if (!d->readable)
        return;
    scalar(p, changes, d, "name", &b, b.name, &a, a.name, "");
    scalar(p, changes, d, "email", &b, b.email, &a, a.email, "");
    if (!b.empty && !a.empty)
        scalar(p, changes, d, "status", &b, b.status, &a, a.status, "");
    scalar(p, changes, d, "access to personal data", &b, b.pii, &a, a.pii, "no");
    list_change(p, roles, changes, d, "grants", rec_list(p, &b, &b.grants),
                rec_list(p, &a, &a.grants), 1);
    if (b.groups.present || a.groups.present)
        list_change(p, roles, changes, d, "groups", rec_list(p, &b, &b.groups),
                    rec_list(p, &a, &a.groups), 0);
    if (b.members || a.members) {
        const char *bm = rec_value(&b, b.members, "0"), *am = rec_value(&a, a.members, "0");
        if (bm && am && strcmp(bm, am)) {
            APR_ARRAY_PUSH(d->fields, const char *) = "members";
            APR_ARRAY_PUSH(changes, const char *) =
                b.empty ? apr_pstrcat(p, "members: ", shown(p, am), NULL)
                        : apr_pstrcat(p, "members: ", shown(p, bm), " → ", shown(p, am), NULL);
        }
    }
}

/* ---- sentences ---- */

typedef struct {
    apr_pool_t *p;
    const iam_roles_t *roles;
    const iam_audit_t *a;
    iam_audit_name_fn *name;
    void *ctx;
    const char *who; /* the actor, as a sentence's subject */
    iam_audit_text_t *out;
} say_t;

/* A person named by login. */
static const char *person(const say_t *c, const char *login)
{
    const char *n = c->name && login ? c->name(c->ctx, login) : NULL;

    return shown(c->p, n && *n ? n : login ? login : "someone");
}

static const char *people(const say_t *c, const apr_array_header_t *logins)
{
    apr_array_header_t *w;
    int i;

    if (logins->nelts > SAY)
        return count(c->p, logins->nelts, "member", "members");
    w = apr_array_make(c->p, logins->nelts + 1, sizeof(const char *));
    for (i = 0; i < logins->nelts; i++)
        APR_ARRAY_PUSH(w, const char *) = person(c, APR_ARRAY_IDX(logins, i, const char *));
    return join_words(c->p, w, " and ");
}

static const char *grants_said(const say_t *c, const apr_array_header_t *g)
{
    apr_array_header_t *w;
    int i;

    if (g->nelts > SAY)
        return count(c->p, g->nelts, "grant", "grants");
    w = apr_array_make(c->p, g->nelts + 1, sizeof(const char *));
    for (i = 0; i < g->nelts; i++)
        APR_ARRAY_PUSH(w, const char *) =
            grant_words(c->p, c->roles, &APR_ARRAY_IDX(g, i, pgrant_t));
    return join_words(c->p, w, " and ");
}

static int is_owner(const say_t *c, const pgrant_t *g)
{
    const iam_role_t *r = g->slug && c->roles ? iam_roles_find(c->roles, g->slug) : NULL;

    return r && r->kind == IAM_ROLE_OWNER;
}

static int only_owner(const say_t *c, const apr_array_header_t *g)
{
    int i;

    for (i = 0; i < g->nelts; i++) {
        if (!is_owner(c, &APR_ARRAY_IDX(g, i, pgrant_t)))
            return 0;
    }
    return g->nelts > 0;
}

static int any_owner(const say_t *c, const apr_array_header_t *g)
{
    int i;

    for (i = 0; i < g->nelts; i++) {
        if (is_owner(c, &APR_ARRAY_IDX(g, i, pgrant_t)))
            return 1;
    }
    return 0;
}

static void say(say_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(say_t *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    c->out->sentence = apr_pvsprintf(c->p, fmt, ap);
    va_end(ap);
}

static const char *group_of(const char *target)
{
    return !strncmp(target, "group:", 6) ? target + 6 : target;
}

/* Who holds the grants of the entry: "max", "the group analysts". */
static const char *holder(say_t *c)
{
    const char *t = c->a->target;

    if (!strncmp(t, "group:", 6)) {
        c->out->group = t + 6;
        return apr_pstrcat(c->p, "the group ", shown(c->p, t + 6), NULL);
    }
    c->out->member = t;
    return person(c, t);
}

/* A sentence for a change of a member or a group, from what changed. */
static void say_changed(say_t *c, const char *who, const diff_t *d)
{
    int n = d->fields->nelts;
    const char *only = n == 1 ? APR_ARRAY_IDX(d->fields, 0, const char *) : "";

    if (!d->readable) {
        say(c, "%s changed %s", c->who, who);
    } else if (n == 0) {
        say(c, "%s saved %s without a change", c->who, who);
    } else if (!strcmp(only, "grants") && d->lists_known && d->gplus->nelts && !d->gminus->nelts) {
        if (only_owner(c, d->gplus))
            say(c, "%s made %s a Workspace Owner", c->who, who);
        else
            say(c, "%s gave %s %s", c->who, who, grants_said(c, d->gplus));
    } else if (!strcmp(only, "grants") && d->lists_known && d->gminus->nelts && !d->gplus->nelts) {
        say(c, "%s revoked %s from %s", c->who, grants_said(c, d->gminus), who);
    } else if (!strcmp(only, "groups") && d->lists_known &&
               (!d->nplus->nelts || !d->nminus->nelts)) {
        const apr_array_header_t *g = d->nplus->nelts ? d->nplus : d->nminus;
        const char *groups = g->nelts > SAY ? count(c->p, g->nelts, "group", "groups")
                                            : join_words(c->p, g, " and ");
        if (g->nelts == 1)
            c->out->group = APR_ARRAY_IDX(g, 0, const char *);
        say(c, d->nplus->nelts ? "%s added %s to %s" : "%s removed %s from %s", c->who, who,
            shown(c->p, groups));
    } else {
        say(c, "%s changed the %s of %s", c->who, join_words(c->p, d->fields, " and "), who);
    }
}

static void say_member_add(say_t *c)
{
    diff_t d;

    diff_records(c->p, c->roles, "", c->a->after, c->out->changes, &d);
    say(c, "%s %s %s%s", c->who, !strcmp(c->a->action, "member.invite") ? "invited" : "added",
        holder(c), any_owner(c, d.gplus) ? " as a Workspace Owner" : "");
}

static void say_member_update(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    say_changed(c, who, &d);
}

static void say_member_remove(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    diff_records(c->p, c->roles, c->a->before, "", c->out->changes, &d);
    say(c, "%s removed %s", c->who, who);
}

/* Activated by their first sign-in: "invited" to "active"; or an
 * invitation to their email taken up by a new login (both described). */
static void say_member_activate(say_t *c)
{
    const char *who = holder(c);
    diff_t d;
    rec_t b;

    if (!strcmp(c->a->before, "invited") || !*c->a->before) {
        say(c, "%s signed in and accepted the invitation", who);
        return;
    }
    diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    read_rec(c->p, c->a->before, &b);
    if (b.email && *b.email)
        say(c, "%s signed in and accepted the invitation for %s", who, shown(c->p, b.email));
    else
        say(c, "%s signed in and accepted an invitation", who);
}

static void say_member_provision(say_t *c)
{
    diff_t d;

    diff_records(c->p, c->roles, "", c->a->after, c->out->changes, &d);
    say(c, "%s signed in for the first time and joined the workspace", holder(c));
}

static void say_owner_bootstrap(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    say(c, "%s became the first Workspace Owner (IAMBootstrapOwner)", who);
}

static void say_grant(say_t *c)
{
    const char *who = holder(c);
    int give = !strcmp(c->a->action, "grant"), edit = !strcmp(c->a->action, "grant.edit");
    diff_t d;

    diff_records(c->p, c->roles, c->a->before, c->a->after, c->out->changes, &d);
    if (edit && d.readable && d.lists_known && d.gplus->nelts && d.gminus->nelts) {
        say(c, "%s changed %s of %s to %s", c->who, grants_said(c, d.gminus), who,
            grants_said(c, d.gplus));
    } else if (edit && d.readable && d.lists_known && (d.gplus->nelts || d.gminus->nelts)) {
        /* items dropped or added, the rest kept: say which */
        say(c, "%s edited a grant of %s: %s %s", c->who, who,
            d.gminus->nelts ? "no longer" : "now also",
            grants_said(c, d.gminus->nelts ? d.gminus : d.gplus));
    } else if (edit) {
        say(c, "%s edited a grant of %s", c->who, who);
    } else if (give && d.readable && d.lists_known && d.gplus->nelts) {
        if (only_owner(c, d.gplus))
            say(c, "%s made %s a Workspace Owner", c->who, who);
        else
            say(c, "%s gave %s %s", c->who, who, grants_said(c, d.gplus));
    } else if (!give && d.readable && d.lists_known && d.gminus->nelts) {
        say(c, "%s revoked %s from %s", c->who, grants_said(c, d.gminus), who);
    } else {
        say(c, "%s changed the grants of %s", c->who, who);
    }
}

static void say_group_create(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    diff_records(c->p, c->roles, "", c->a->after, c->out->changes, &d);
    say(c, "%s created %s", c->who, who);
}

static void say_group_delete(say_t *c)
{
    diff_t d;
    const char *who = holder(c);

    diff_records(c->p, c->roles, c->a->before, "", c->out->changes, &d);
    say(c, "%s deleted %s", c->who, who);
}

static void say_group_members(say_t *c)
{
    apr_array_header_t *logins = read_logins(c->p, c->a->after);
    int add = !strcmp(c->a->action, "group.add-members");
    const char *group = shown(c->p, group_of(c->a->target));

    c->out->group = group_of(c->a->target);
    if (!logins->nelts) {
        say(c, add ? "%s added members to %s" : "%s removed members from %s", c->who, group);
        return;
    }
    if (clipped(c->a->after)) { /* the store cut the list: more than it shows */
        say(c, add ? "%s added %d or more members to %s" : "%s removed %d or more members from %s",
            c->who, logins->nelts, group);
        logins->nelts = logins->nelts < FOLD_SHOW ? logins->nelts : FOLD_SHOW;
        APR_ARRAY_PUSH(c->out->changes, const char *) = apr_pstrcat(
            c->p, "members: ", add ? "+ " : "− ", fold(c->p, logins, ", "), " and more", NULL);
        return;
    }
    if (logins->nelts == 1)
        c->out->member = APR_ARRAY_IDX(logins, 0, const char *);
    say(c, add ? "%s added %s to %s" : "%s removed %s from %s", c->who, people(c, logins), group);
    APR_ARRAY_PUSH(c->out->changes, const char *) =
        apr_pstrcat(c->p, "members: ", add ? "+ " : "− ", fold(c->p, logins, ", "), NULL);
}

static void say_import(say_t *c)
{
    long m, g;
    char tail;

    if (sscanf(c->a->after, "%ld members, %ld groups%c", &m, &g, &tail) == 2)
        say(c, "%s imported %s and %s", c->who, count(c->p, m, "member", "members"),
            count(c->p, g, "group", "groups"));
    else
        say(c, "%s imported members and groups", c->who);
}

static void say_request(say_t *c)
{
    const char *act = c->a->action + 8, *who = holder(c), *asked = c->a->before;
    preq_t q, old;
    int have;

    if (!strcmp(act, "approve")) {
        diff_t d;
        const char *member = approve_member(c->p, c->a->before, &asked);
        diff_records(c->p, c->roles, member, c->a->after, c->out->changes, &d);
    }
    have = read_request(c->p,
                        !strcmp(act, "open") || !strcmp(act, "level") || !strcmp(act, "update")
                            ? c->a->after
                        : asked ? asked
                                : "",
                        &q);
    if (!strcmp(act, "open")) {
        if (have)
            say(c, "%s asked for %s access to %s", who, q.level, request_what(c->p, &q));
        else
            say(c, "%s asked for access", who);
    } else if (!strcmp(act, "level")) {
        if (have)
            say(c, "%s now asks for %s access to %s", who, q.level, request_what(c->p, &q));
        else
            say(c, "%s changed the level of a request", who);
        if (have && read_request(c->p, c->a->before, &old))
            APR_ARRAY_PUSH(c->out->changes, const char *) =
                apr_pstrcat(c->p, "level: ", old.level, " → ", q.level, NULL);
    } else if (!strcmp(act, "update")) {
        if (have)
            say(c, "%s changed the message of their request for %s access to %s", who, q.level,
                request_what(c->p, &q));
        else
            say(c, "%s changed the message of a request", who);
    } else if (!strcmp(act, "granted")) {
        if (have)
            say(c, "A change by %s gave %s the %s access to %s they had asked for", c->who, who,
                q.level, request_what(c->p, &q));
        else
            say(c, "A change by %s gave %s the access they had asked for", c->who, who);
    } else {
        const char *verb = !strcmp(act, "approve") ? "approved" : "dismissed";
        if (have)
            say(c, "%s %s the request of %s for %s access to %s", c->who, verb, who, q.level,
                request_what(c->p, &q));
        else
            say(c, "%s %s a request of %s", c->who, verb, who);
    }
    if (have && q.message && *q.message && strcmp(act, "level"))
        APR_ARRAY_PUSH(c->out->changes, const char *) =
            apr_pstrcat(c->p, "message: ", shown(c->p, q.message), NULL);
}

static void say_token(say_t *c)
{
    const char *act = c->a->action + 6, *id = shown(c->p, c->a->target);

    if (!strcmp(act, "create")) {
        say(c, "%s created the API token %s", c->who, id);
        if (*c->a->after)
            APR_ARRAY_PUSH(c->out->changes, const char *) =
                apr_pstrcat(c->p, "description: ", shown(c->p, c->a->after), NULL);
    } else if (!strcmp(act, "revoke")) {
        say(c, "%s revoked the API token %s", c->who, id);
    } else {
        c->out->member = token_owner(c->p, c->a->after);
        say(c, "The API token %s stopped working%s%s", id, *c->a->after ? ": " : "",
            shown(c->p, c->a->after));
    }
}

static void say_plan(say_t *c)
{
    if (*c->a->after)
        say(c, "%s changed the plan to %s", c->who, shown(c->p, c->a->after));
    else
        say(c, "%s changed the plan", c->who);
    if (*c->a->before && *c->a->after)
        APR_ARRAY_PUSH(c->out->changes, const char *) = apr_pstrcat(
            c->p, "plan: ", shown(c->p, c->a->before), " → ", shown(c->p, c->a->after), NULL);
}

static void say_login_case(say_t *c)
{
    say(c, "%s made logins match %s", c->who,
        !strcmp(c->a->after, "fold")    ? "in any case"
        : !strcmp(c->a->after, "exact") ? "exactly, case and all"
                                        : "differently");
    if (*c->a->before && *c->a->after)
        APR_ARRAY_PUSH(c->out->changes, const char *) = apr_pstrcat(
            c->p, "login case: ", shown(c->p, c->a->before), " → ", shown(c->p, c->a->after), NULL);
}

/* Every action the store writes (store.c, audit()). */
static const struct {
    const char *action;
    const char *kind;
    void (*say)(say_t *);
} actions[] = {
    {"member.add", IAM_AUDIT_KIND_MEMBER, say_member_add},
    {"member.invite", IAM_AUDIT_KIND_MEMBER, say_member_add},
    {"member.update", IAM_AUDIT_KIND_MEMBER, say_member_update},
    {"member.remove", IAM_AUDIT_KIND_MEMBER, say_member_remove},
    {"member.activate", IAM_AUDIT_KIND_MEMBER, say_member_activate},
    {"member.provision", IAM_AUDIT_KIND_MEMBER, say_member_provision},
    {"owner.bootstrap", IAM_AUDIT_KIND_GRANT, say_owner_bootstrap},
    {"grant", IAM_AUDIT_KIND_GRANT, say_grant},
    {"revoke", IAM_AUDIT_KIND_GRANT, say_grant},
    {"grant.edit", IAM_AUDIT_KIND_GRANT, say_grant},
    {"group.create", IAM_AUDIT_KIND_GROUP, say_group_create},
    {"group.update", IAM_AUDIT_KIND_GROUP, say_member_update},
    {"group.delete", IAM_AUDIT_KIND_GROUP, say_group_delete},
    {"group.add-members", IAM_AUDIT_KIND_GROUP, say_group_members},
    {"group.remove-members", IAM_AUDIT_KIND_GROUP, say_group_members},
    {"request.open", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.level", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.update", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.approve", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.dismiss", IAM_AUDIT_KIND_REQUEST, say_request},
    {"request.granted", IAM_AUDIT_KIND_REQUEST, say_request},
    {"token.create", IAM_AUDIT_KIND_TOKEN, say_token},
    {"token.revoke", IAM_AUDIT_KIND_TOKEN, say_token},
    {"token.die", IAM_AUDIT_KIND_TOKEN, say_token},
    {"workspace.plan", IAM_AUDIT_KIND_WORKSPACE, say_plan},
    {"workspace.login-case", IAM_AUDIT_KIND_WORKSPACE, say_login_case},
    {"import", IAM_AUDIT_KIND_WORKSPACE, say_import},
};

#define NACTIONS ((int)(sizeof(actions) / sizeof(actions[0])))

static int action_index(const char *action)
{
    int i;

    for (i = 0; action && i < NACTIONS; i++) {
        if (!strcmp(actions[i].action, action))
            return i;
    }
    return -1;
}

const char *iam_audit_kind(const char *action)
{
    int i = action_index(action);

    return i < 0 ? IAM_AUDIT_KIND_OTHER : actions[i].kind;
}

/* The actor: "console:olivia" is olivia in the console; "server" and
 * "system" are mod_iam itself. */
static void read_actor(say_t *c, const char *actor)
{
    static const struct {
        const char *prefix, *via, *suffix;
    } doors[] = {
        {"console:", "console", ""},
        {"api:", "API", " (API)"},
        {"member:", "access request", ""},
        {"iamctl:", "iamctl", " (iamctl)"},
    };
    const char *colon = strchr(actor, ':');
    size_t i;

    if (!*actor) {
        c->who = "Someone";
        return;
    }
    if (!strcmp(actor, "server")) {
        c->who = "The server";
        return;
    }
    if (!strcmp(actor, "system")) {
        c->who = "mod_iam";
        return;
    }
    if (!strncmp(actor, "token:", 6)) {
        c->out->via = "API token";
        c->who = apr_pstrcat(c->p, "API token ", shown(c->p, actor + 6), NULL);
        return;
    }
    for (i = 0; i < sizeof(doors) / sizeof(doors[0]); i++) {
        size_t n = strlen(doors[i].prefix);
        if (!strncmp(actor, doors[i].prefix, n)) {
            c->out->actor = actor + n;
            c->out->via = doors[i].via;
            c->who = apr_pstrcat(c->p, person(c, actor + n), doors[i].suffix, NULL);
            return;
        }
    }
    if (colon && colon > actor && colon[1]) { /* a door this release does not know */
        c->out->actor = colon + 1;
        c->out->via = apr_pstrndup(c->p, actor, (apr_size_t)(colon - actor));
        c->who = apr_pstrcat(c->p, person(c, colon + 1), " (", shown(c->p, c->out->via), ")", NULL);
        return;
    }
    c->who = shown(c->p, actor);
}

void iam_audit_describe(apr_pool_t *p, const iam_roles_t *roles, const iam_audit_t *a,
                        iam_audit_name_fn *name, void *ctx, iam_audit_text_t *out)
{
    iam_audit_t e = *a;
    say_t c = {p, roles, &e, name, ctx, NULL, out};
    int i, k;

    /* a record read by hand may lack any field */
    e.actor = e.actor ? e.actor : "";
    e.action = e.action ? e.action : "";
    e.target = e.target ? e.target : "";
    e.before = e.before ? e.before : "";
    e.after = e.after ? e.after : "";
    memset(out, 0, sizeof(*out));
    out->changes = apr_array_make(p, 4, sizeof(const char *));
    read_actor(&c, e.actor);
    i = action_index(e.action);
    out->kind = i < 0 ? IAM_AUDIT_KIND_OTHER : actions[i].kind;
    out->known = i >= 0;
    if (i >= 0)
        actions[i].say(&c);
    else if (*e.target)
        say(&c, "%s: %s on %s", c.who, shown(p, e.action), shown(p, e.target));
    else
        say(&c, "%s: %s", c.who, shown(p, e.action));
    out->sentence = plain(p, out->sentence);
    for (k = 0; k < out->changes->nelts; k++)
        APR_ARRAY_IDX(out->changes, k, const char *) =
            plain(p, APR_ARRAY_IDX(out->changes, k, const char *));
}

/* ---- filters: on the raw entry, without roles ---- */

/* Whether the entry's before and after hold different grants. */
static int grants_differ(apr_pool_t *p, const iam_audit_t *a)
{
    const char *asked, *before = a->before;
    rec_t b, af;
    const list_t *bl, *al;

    if (!strcmp(a->action, "request.approve"))
        before = approve_member(p, before, &asked);
    read_rec(p, before, &b);
    read_rec(p, a->after, &af);
    bl = rec_list(p, &b, &b.grants);
    al = rec_list(p, &af, &af.grants);
    if (!bl->present || !al->present)
        return 0;
    if (!bl->complete || !al->complete)
        return !same_list(bl->items, al->items);
    return !same_items(bl->items, al->items);
}

/* Whether the entry holds a member's record (before or after). */
static int holds_member(const char *action)
{
    return !strncmp(action, "member.", 7) || !strcmp(action, "owner.bootstrap") ||
           !strcmp(action, "grant") || !strcmp(action, "revoke") ||
           !strcmp(action, "grant.edit") || !strcmp(action, "request.approve");
}

static int match_kind(apr_pool_t *p, const iam_audit_t *a, const char *kind)
{
    if (!strcmp(iam_audit_kind(a->action), kind))
        return 1;
    if (strcmp(kind, IAM_AUDIT_KIND_GRANT))
        return 0;
    return (holds_member(a->action) || !strncmp(a->action, "group.", 6)) && grants_differ(p, a);
}

static int match_member(apr_pool_t *p, const iam_audit_t *a, const char *login)
{
    const char *kind = iam_audit_kind(a->action), *owner;
    apr_array_header_t *logins;
    int i;

    if (!strcmp(a->action, "group.add-members") || !strcmp(a->action, "group.remove-members")) {
        if (!has_ci(a->after, login))
            return 0;
        logins = read_logins(p, a->after);
        for (i = 0; i < logins->nelts; i++) {
            if (!strcasecmp(APR_ARRAY_IDX(logins, i, const char *), login))
                return 1;
        }
        return 0;
    }
    if (!strcmp(a->action, "token.die"))
        return (owner = token_owner(p, a->after)) && !strcasecmp(owner, login);
    if (!strcmp(kind, IAM_AUDIT_KIND_MEMBER) || !strcmp(kind, IAM_AUDIT_KIND_REQUEST) ||
        holds_member(a->action))
        return strncmp(a->target, "group:", 6) && !strcasecmp(a->target, login);
    return 0;
}

static int match_group(apr_pool_t *p, const iam_audit_t *a, const char *group)
{
    const char *asked, *before = a->before;
    rec_t b, af;
    const list_t *bl, *al;

    if (!strncmp(a->target, "group:", 6))
        return !strcasecmp(a->target + 6, group);
    if (!holds_member(a->action) || (!has_ci(a->before, group) && !has_ci(a->after, group)))
        return 0;
    if (!strcmp(a->action, "request.approve"))
        before = approve_member(p, before, &asked);
    read_rec(p, before, &b);
    read_rec(p, a->after, &af);
    bl = rec_list(p, &b, &b.groups);
    al = rec_list(p, &af, &af.groups);
    if (!bl->present || !al->present)
        return 0;
    return in_items(bl->items, group) != in_items(al->items, group);
}

static int match_actor(const char *actor, const char *who)
{
    const char *colon = strchr(actor, ':');

    return !strcasecmp(actor, who) || (colon && !strcasecmp(colon + 1, who));
}

int iam_audit_match(apr_pool_t *p, const iam_audit_t *a, const iam_audit_filter_t *f)
{
    iam_audit_t e = *a;

    if (!f)
        return 1;
    e.actor = e.actor ? e.actor : "";
    e.action = e.action ? e.action : "";
    e.target = e.target ? e.target : "";
    e.before = e.before ? e.before : "";
    e.after = e.after ? e.after : "";
    /* the cheap tests first: a query examines thousands of entries */
    if (f->actor && *f->actor && !match_actor(e.actor, f->actor))
        return 0;
    if (f->kind && *f->kind && !match_kind(p, &e, f->kind))
        return 0;
    if (f->member && *f->member && !match_member(p, &e, f->member))
        return 0;
    if (f->group && *f->group && !match_group(p, &e, f->group))
        return 0;
    return 1;
}

/* ---- times ---- */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

static int utc(long long t, struct tm *tm)
{
    time_t tt = (time_t)t;

    return (long long)tt == t && gmtime_r(&tt, tm) && tm->tm_mon >= 0 && tm->tm_mon < 12 &&
           tm->tm_wday >= 0 && tm->tm_wday < 7;
}

const char *iam_time_ago(apr_pool_t *p, long long t, long long now)
{
    long long d;
    struct tm tm;

    if (!__builtin_sub_overflow(now, t, &d) && d >= -60) {
        if (d < 60)
            return "just now";
        if (d < 3600)
            return d < 120
                       ? "1 minute ago"
                       : apr_psprintf(p, "%" APR_INT64_T_FMT " minutes ago", (apr_int64_t)(d / 60));
        if (d < 86400)
            return d < 7200
                       ? "1 hour ago"
                       : apr_psprintf(p, "%" APR_INT64_T_FMT " hours ago", (apr_int64_t)(d / 3600));
        if (d < 2 * 86400)
            return "yesterday";
        if (d < 7 * 86400)
            return apr_psprintf(p, "%" APR_INT64_T_FMT " days ago", (apr_int64_t)(d / 86400));
    }
    if (!utc(t, &tm))
        return "at an unknown time";
    return apr_psprintf(p, "%d %s %" APR_INT64_T_FMT, tm.tm_mday, months[tm.tm_mon],
                        (apr_int64_t)tm.tm_year + 1900);
}

const char *iam_time_exact(apr_pool_t *p, long long t)
{
    struct tm tm;

    if (!t || !utc(t, &tm))
        return "";
    return apr_psprintf(p, "%s %d %s %" APR_INT64_T_FMT " %02d:%02d:%02d UTC", days[tm.tm_wday],
                        tm.tm_mday, months[tm.tm_mon], (apr_int64_t)tm.tm_year + 1900, tm.tm_hour,
                        tm.tm_min, tm.tm_sec);
}
