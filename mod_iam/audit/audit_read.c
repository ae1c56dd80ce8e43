/* mod_iam: the audit trail in words: texts out, and reading the store's texts (audit_int.h). */
#include "audit_int.h"

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
const char *at_plain(apr_pool_t *p, const char *s)
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
const char *at_shown(apr_pool_t *p, const char *s)
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
const char *at_join_words(apr_pool_t *p, const apr_array_header_t *a, const char *last)
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
const char *at_fold(apr_pool_t *p, const apr_array_header_t *a, const char *sep)
{
    const char *s = "";
    int i, n = a->nelts > FOLD ? FOLD_SHOW : a->nelts;

    for (i = 0; i < n; i++)
        s = apr_pstrcat(p, s, i ? sep : "", at_shown(p, APR_ARRAY_IDX(a, i, const char *)), NULL);
    if (n < a->nelts)
        s = apr_psprintf(p, "%s and %d more", s, a->nelts - n);
    return s;
}

const char *at_count(apr_pool_t *p, long n, const char *one, const char *many)
{
    return apr_psprintf(p, "%ld %s", n, n == 1 ? one : many);
}

int at_has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (!strncasecmp(hay, needle, n))
            return 1;
    }
    return n == 0;
}

/* ---- reading the store's texts ---- */

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
int at_clipped(const char *s)
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
void at_read_rec(apr_pool_t *p, const char *text, rec_t *r)
{
    const char *s = text ? text : "", *end, *v;
    int cut = at_clipped(s);

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
const char *at_rec_value(const rec_t *r, const char *v, const char *none)
{
    return r->empty ? none : v;
}

const list_t *at_rec_list(apr_pool_t *p, const rec_t *r, const list_t *l)
{
    list_t *e;

    if (!r->empty)
        return l;
    e = apr_pcalloc(p, sizeof(*e));
    e->present = e->complete = 1;
    e->items = apr_array_make(p, 1, sizeof(const char *));
    return e;
}

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

int at_in_items(const apr_array_header_t *a, const char *s)
{
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(a, i, const char *), s))
            return 1;
    }
    return 0;
}

int at_same_items(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        if (!at_in_items(b, APR_ARRAY_IDX(a, i, const char *)))
            return 0;
    }
    return 1;
}

static int same_grant(const pgrant_t *a, const pgrant_t *b)
{
    if (!a->slug || !b->slug)
        return !a->slug && !b->slug && !strcmp(a->text, b->text);
    return !strcmp(a->slug, b->slug) && a->scope == b->scope &&
           (a->scope == IAM_SCOPE_ALL || at_same_items(a->items, b->items));
}

apr_array_header_t *at_read_grants(apr_pool_t *p, const list_t *l)
{
    apr_array_header_t *out = apr_array_make(p, l->items->nelts + 1, sizeof(pgrant_t));
    int i;

    for (i = 0; i < l->items->nelts; i++)
        APR_ARRAY_PUSH(out, pgrant_t) = read_grant(p, APR_ARRAY_IDX(l->items, i, const char *));
    return out;
}

/* The grants of a that b lacks, into out: whole grants, and of a grant on
 * resources that b holds too, the resources b lacks. */
void at_grants_minus(apr_pool_t *p, const apr_array_header_t *a, const apr_array_header_t *b,
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
                if (!at_in_items(gb->items, it))
                    APR_ARRAY_PUSH(part.items, const char *) = it;
            }
            if (part.items->nelts)
                APR_ARRAY_PUSH(out, pgrant_t) = part;
        }
    }
}

/* The names of a that b lacks. */
apr_array_header_t *at_names_minus(apr_pool_t *p, const apr_array_header_t *a,
                                   const apr_array_header_t *b)
{
    apr_array_header_t *out = apr_array_make(p, 2, sizeof(const char *));
    int i;

    for (i = 0; i < a->nelts; i++) {
        const char *s = APR_ARRAY_IDX(a, i, const char *);
        if (!at_in_items(b, s) && !at_in_items(out, s))
            APR_ARRAY_PUSH(out, const char *) = s;
    }
    return out;
}

/* "Source Admin on checkout, web", "Warehouse Admin on all", "Personas
 * Read-only on labels env:prod and team:x", "Workspace Owner". */
const char *at_grant_words(apr_pool_t *p, const iam_roles_t *roles, const pgrant_t *g)
{
    const iam_role_t *r;
    const char *name;

    if (!g->slug)
        return at_shown(p, g->text);
    r = roles ? iam_roles_find(roles, g->slug) : NULL;
    name = r ? r->name : at_shown(p, g->slug);
    if (g->scope == IAM_SCOPE_ALL)
        return r && r->kind != IAM_ROLE_PLAIN ? name : apr_pstrcat(p, name, " on all", NULL);
    if (g->scope == IAM_SCOPE_LABELS)
        return apr_pstrcat(p, name, " on labels ",
                           g->items->nelts > FOLD ? at_fold(p, g->items, ", ")
                                                  : at_join_words(p, g->items, " and "),
                           NULL);
    return apr_pstrcat(p, name, " on ", at_fold(p, g->items, ", "), NULL);
}

int at_read_request(apr_pool_t *p, const char *s, preq_t *q)
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
    q->level =
        at_shown(p, apr_pstrndup(p, w[0], n[0])); /* a damaged record's "level" may be long */
    q->type = apr_pstrndup(p, w[1], n[1]);
    q->name = apr_pstrndup(p, w[2], n[2]);
    q->message = *s ? s + 2 : NULL;
    return 1;
}

/* "the workspace console", "the source collection", "source checkout". */
const char *at_request_what(apr_pool_t *p, const preq_t *q)
{
    if (!strcmp(q->type, IAM_TYPE_CONSOLE))
        return "the workspace console";
    if (!strcmp(q->type, IAM_TYPE_OWNERS))
        return "a page for Workspace Owners";
    if (!strcmp(q->name, "*"))
        return apr_pstrcat(p, "the ", at_shown(p, q->type), " collection", NULL);
    return apr_pstrcat(p, at_shown(p, q->type), " ", at_shown(p, q->name), NULL);
}

/* request.approve's before: the member, then "; asked: " and the request. */
const char *at_approve_member(apr_pool_t *p, const char *before, const char **asked)
{
    const char *s, *last = NULL;

    for (s = before; (s = strstr(s, "; asked: ")); s++)
        last = s;
    *asked = last ? last + 9 : NULL;
    return last ? apr_pstrndup(p, before, (apr_size_t)(last - before)) : before;
}

/* The login in token.die's after: "its owner 'LOGIN' WHY". */
const char *at_token_owner(apr_pool_t *p, const char *after)
{
    const char *s, *end = NULL;

    if (strncmp(after, "its owner '", 11))
        return NULL;
    for (s = after + 11; (s = strstr(s, "' ")); s++)
        end = s;
    return end ? apr_pstrndup(p, after + 11, (apr_size_t)(end - after - 11)) : NULL;
}

/* group.add-members' after: the logins, comma-separated. */
apr_array_header_t *at_read_logins(apr_pool_t *p, const char *s)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    int cut = at_clipped(s);

    while (*s) {
        size_t n = strcspn(s, ",");
        if (!s[n] && cut)
            break; /* the last one may be cut */
        APR_ARRAY_PUSH(out, const char *) = apr_pstrndup(p, s, n);
        s += n + (s[n] == ',');
    }
    return out;
}
