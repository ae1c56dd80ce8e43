/* mod_iam SCIM: filters and PATCH paths (iam_scim.h). A recursive-descent
 * parser over RFC 7644's grammar (or binds looser than and, not and
 * brackets bind tightest), each level counted against
 * IAM_SCIM_FILTER_DEPTH; then a matcher over the resource's JSON. */
#include "iam_scim.h"

#include <apr_strings.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CORE_USER "urn:ietf:params:scim:schemas:core:2.0:user"
#define CORE_GROUP "urn:ietf:params:scim:schemas:core:2.0:group"

typedef struct {
    apr_pool_t *p;
    const char *s; /* the whole text */
    size_t at;
    int depth;
    const char *err;
} parse_t;

static const iam_scim_filter_t *parse_or(parse_t *c);

static int fail(parse_t *c, const char *what)
{
    if (!c->err)
        c->err = apr_psprintf(c->p, "%s at character %lu", what, (unsigned long)c->at + 1);
    return 0;
}

static void skip_space(parse_t *c)
{
    while (c->s[c->at] == ' ' || c->s[c->at] == '\t')
        c->at++;
}

static int name_char(int ch)
{
    return isalnum(ch) || ch == '-' || ch == '_' || ch == '$';
}

/* A keyword (and, or, not, an operator, true...) whatever its case,
 * ending where a name would. */
static int keyword(parse_t *c, const char *word)
{
    size_t n = strlen(word);

    if (strncasecmp(c->s + c->at, word, n) || name_char((unsigned char)c->s[c->at + n]))
        return 0;
    c->at += n;
    return 1;
}

/* ATTRNAME *("." ATTRNAME), at most one dot; lower-cased into p. */
static const char *attr_names(apr_pool_t *p, const char *b, size_t n)
{
    char *out = apr_pstrmemdup(p, b, n), *q;
    int dots = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (out[i] == '.') {
            if (++dots > 1 || i == 0 || i + 1 == n || out[i + 1] == '.')
                return NULL;
        } else if (!name_char((unsigned char)out[i])) {
            return NULL;
        }
    }
    if (!isalpha((unsigned char)out[0]) && out[0] != '$')
        return NULL;
    for (q = out; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return out;
}

/* An attribute path: [URN ":"] ATTRNAME ["." ATTRNAME]. The core schemas'
 * URN goes; an extension's stays, lower-cased. */
static const char *attr_path(parse_t *c)
{
    size_t b = c->at, n, colon;
    const char *name;

    while (name_char((unsigned char)c->s[c->at]) || c->s[c->at] == ':' || c->s[c->at] == '.')
        c->at++;
    if ((n = c->at - b) == 0) {
        fail(c, "an attribute name is expected");
        return NULL;
    }
    if (n > 4 && !strncasecmp(c->s + b, "urn:", 4)) {
        for (colon = c->at; colon > b && c->s[colon - 1] != ':'; colon--)
            ;
        if (colon == c->at || !(name = attr_names(c->p, c->s + colon, c->at - colon))) {
            fail(c, "an attribute name is expected after the schema");
            return NULL;
        }
        if ((colon - 1 - b == strlen(CORE_USER) &&
             !strncasecmp(c->s + b, CORE_USER, colon - 1 - b)) ||
            (colon - 1 - b == strlen(CORE_GROUP) &&
             !strncasecmp(c->s + b, CORE_GROUP, colon - 1 - b)))
            return name;
        {
            char *urn = apr_pstrmemdup(c->p, c->s + b, colon - b), *q;
            for (q = urn; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            return apr_pstrcat(c->p, urn, name, NULL);
        }
    }
    if (!(name = attr_names(c->p, c->s + b, n))) {
        c->at = b;
        fail(c, "not an attribute name");
    }
    return name;
}

/* A JSON string after its opening quote: decoded into p. */
static const char *string_value(parse_t *c)
{
    char *out = apr_palloc(c->p, strlen(c->s + c->at) * 3 + 1);
    size_t n = 0;

    for (;;) {
        unsigned char ch = (unsigned char)c->s[c->at];
        if (!ch) {
            fail(c, "a string is not closed");
            return NULL;
        }
        c->at++;
        if (ch == '"')
            break;
        if (ch < 0x20) {
            fail(c, "a control character in a string");
            return NULL;
        }
        if (ch != '\\') {
            out[n++] = (char)ch;
            continue;
        }
        if (!(ch = (unsigned char)c->s[c->at])) {
            fail(c, "a string is not closed");
            return NULL;
        }
        c->at++;
        switch (ch) {
        case '"':
        case '\\':
        case '/': out[n++] = (char)ch; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned long u = 0;
            int i;
            for (i = 0; i < 4; i++) {
                int h = (unsigned char)c->s[c->at];
                if (!isxdigit(h)) {
                    fail(c, "\\u needs four hex digits");
                    return NULL;
                }
                u = u * 16 + (unsigned long)(isdigit(h) ? h - '0' : tolower(h) - 'a' + 10);
                c->at++;
            }
            if (u == 0 || (u >= 0xd800 && u <= 0xdfff)) {
                fail(c, "\\u names no character this filter takes");
                return NULL;
            }
            if (u < 0x80) {
                out[n++] = (char)u;
            } else if (u < 0x800) {
                out[n++] = (char)(0xc0 | (u >> 6));
                out[n++] = (char)(0x80 | (u & 0x3f));
            } else {
                out[n++] = (char)(0xe0 | (u >> 12));
                out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
                out[n++] = (char)(0x80 | (u & 0x3f));
            }
            break;
        }
        default: fail(c, "an unknown escape in a string"); return NULL;
        }
    }
    out[n] = '\0';
    return out;
}

/* compValue: a string, a number, true, false or null. */
static int comp_value(parse_t *c, iam_scim_filter_t *f)
{
    const char *b = c->s + c->at;
    char *end;

    if (*b == '"') {
        c->at++;
        f->vtype = IAM_SCIM_V_STRING;
        return (f->str = string_value(c)) != NULL;
    }
    if (keyword(c, "true") || keyword(c, "false") || keyword(c, "null")) {
        f->vtype = tolower((unsigned char)*b) == 't'   ? IAM_SCIM_V_TRUE
                   : tolower((unsigned char)*b) == 'f' ? IAM_SCIM_V_FALSE
                                                       : IAM_SCIM_V_NULL;
        return 1;
    }
    if (*b == '-' || isdigit((unsigned char)*b)) {
        f->num = strtod(b, &end);
        if (end == b || !isfinite(f->num) || name_char((unsigned char)*end))
            return fail(c, "not a number");
        c->at += (size_t)(end - b);
        f->vtype = IAM_SCIM_V_NUMBER;
        return 1;
    }
    return fail(c, "a value is expected (a quoted string, a number, true, false or null)");
}

static const struct {
    const char *word;
    iam_scim_op_e op;
} ops[] = {
    {"eq", IAM_SCIM_EQ}, {"ne", IAM_SCIM_NE}, {"co", IAM_SCIM_CO}, {"sw", IAM_SCIM_SW},
    {"ew", IAM_SCIM_EW}, {"gt", IAM_SCIM_GT}, {"lt", IAM_SCIM_LT}, {"ge", IAM_SCIM_GE},
    {"le", IAM_SCIM_LE}, {"pr", IAM_SCIM_PR},
};

/* A nested filter between brackets or parentheses. */
static const iam_scim_filter_t *nested(parse_t *c, char close)
{
    const iam_scim_filter_t *f;

    if (++c->depth > IAM_SCIM_FILTER_DEPTH) {
        fail(c, "the filter is nested too deeply");
        return NULL;
    }
    if (!(f = parse_or(c)))
        return NULL;
    skip_space(c);
    if (c->s[c->at] != close) {
        fail(c, close == ')' ? "a ')' is expected" : "a ']' is expected");
        return NULL;
    }
    c->at++;
    c->depth--;
    return f;
}

/* attrExp, valuePath, "not" "(" filter ")", or "(" filter ")". */
static const iam_scim_filter_t *parse_term(parse_t *c)
{
    iam_scim_filter_t *f = apr_pcalloc(c->p, sizeof(*f));
    size_t i, b;

    skip_space(c);
    if (c->s[c->at] == '(') {
        c->at++;
        return nested(c, ')');
    }
    b = c->at;
    if (keyword(c, "not")) {
        skip_space(c);
        if (c->s[c->at] == '(') {
            c->at++;
            f->kind = IAM_SCIM_F_NOT;
            return (f->a = nested(c, ')')) ? f : NULL;
        }
        c->at = b; /* an attribute called "not..." */
    }
    if (!(f->attr = attr_path(c)))
        return NULL;
    if (c->s[c->at] == '[') {
        c->at++;
        f->kind = IAM_SCIM_F_HAS;
        return (f->a = nested(c, ']')) ? f : NULL;
    }
    if (c->s[c->at] != ' ' && c->s[c->at] != '\t') {
        fail(c, "a space and an operator are expected after the attribute");
        return NULL;
    }
    skip_space(c);
    for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (keyword(c, ops[i].word))
            break;
    }
    if (i == sizeof(ops) / sizeof(ops[0])) {
        fail(c, "an operator is expected (eq, ne, co, sw, ew, gt, lt, ge, le or pr)");
        return NULL;
    }
    f->kind = IAM_SCIM_F_CMP;
    f->op = ops[i].op;
    if (f->op == IAM_SCIM_PR)
        return f;
    if (c->s[c->at] != ' ' && c->s[c->at] != '\t') {
        fail(c, "a space and a value are expected after the operator");
        return NULL;
    }
    skip_space(c);
    if (!comp_value(c, f))
        return NULL;
    if ((f->vtype != IAM_SCIM_V_STRING && f->vtype != IAM_SCIM_V_NUMBER && f->op != IAM_SCIM_EQ &&
         f->op != IAM_SCIM_NE) ||
        (f->vtype == IAM_SCIM_V_NUMBER &&
         (f->op == IAM_SCIM_CO || f->op == IAM_SCIM_SW || f->op == IAM_SCIM_EW))) {
        fail(c, "that operator does not take that value");
        return NULL;
    }
    return f;
}

/* next *(word next), left to right: or over and over terms, so and binds
 * tighter. */
static const iam_scim_filter_t *parse_chain(parse_t *c, const char *word, iam_scim_kind_e kind,
                                            const iam_scim_filter_t *(*next)(parse_t *))
{
    const iam_scim_filter_t *left = next(c);
    size_t b;

    while (left) {
        iam_scim_filter_t *f;
        b = c->at;
        skip_space(c);
        if (c->at == b || !keyword(c, word)) {
            c->at = b;
            return left;
        }
        f = apr_pcalloc(c->p, sizeof(*f));
        f->kind = kind;
        f->a = left;
        if (!(f->b = next(c)))
            return NULL;
        left = f;
    }
    return NULL;
}

static const iam_scim_filter_t *parse_and(parse_t *c)
{
    return parse_chain(c, "and", IAM_SCIM_F_AND, parse_term);
}

static const iam_scim_filter_t *parse_or(parse_t *c)
{
    return parse_chain(c, "or", IAM_SCIM_F_OR, parse_and);
}

static const char *too_long(apr_pool_t *p, const char *what, const char *text)
{
    if (!text || !*text)
        return apr_psprintf(p, "the %s is empty", what);
    if (strlen(text) > IAM_SCIM_FILTER_MAX)
        return apr_psprintf(p, "the %s is over %d bytes", what, IAM_SCIM_FILTER_MAX);
    return NULL;
}

const char *iam_scim_filter_parse(apr_pool_t *p, const char *text, const iam_scim_filter_t **out)
{
    parse_t c = {p, text, 0, 0, NULL};
    const char *e;

    *out = NULL;
    if ((e = too_long(p, "filter", text)))
        return e;
    if ((*out = parse_or(&c))) {
        skip_space(&c);
        if (c.s[c.at])
            fail(&c, "the filter goes on after its end");
    }
    if (c.err)
        *out = NULL;
    return c.err ? apr_pstrcat(p, "filter: ", c.err, NULL) : NULL;
}

const char *iam_scim_path_parse(apr_pool_t *p, const char *text, iam_scim_path_t *out)
{
    parse_t c = {p, text, 0, 0, NULL};
    const char *e, *dot;

    memset(out, 0, sizeof(*out));
    if ((e = too_long(p, "path", text)))
        return e;
    if ((out->attr = attr_path(&c)) && c.s[c.at] == '[') {
        c.at++;
        out->filter = nested(&c, ']');
        if (out->filter && c.s[c.at] == '.') {
            size_t b = ++c.at;
            while (name_char((unsigned char)c.s[c.at]))
                c.at++;
            if (!(out->sub = attr_names(p, c.s + b, c.at - b)) || strchr(out->sub, '.'))
                fail(&c, "a sub-attribute is expected after ']'");
        }
    } else if (out->attr && !strchr(out->attr, ':') && (dot = strchr(out->attr, '.'))) {
        out->sub = dot + 1;
        out->attr = apr_pstrmemdup(p, out->attr, (size_t)(dot - out->attr));
    }
    if (!c.err && c.s[c.at])
        fail(&c, "the path goes on after its end");
    if (c.err)
        memset(out, 0, sizeof(*out));
    return c.err ? apr_pstrcat(p, "path: ", c.err, NULL) : NULL;
}

/* ---- matching ---- */

/* o[name], name's first n bytes, whatever the key's case. */
static json_t *member_of_n(json_t *o, const char *name, size_t n)
{
    const char *k;
    json_t *v;

    if (!json_is_object(o))
        return NULL;
    json_object_foreach(o, k, v)
    {
        if (strlen(k) == n && !strncasecmp(k, name, n))
            return v;
    }
    return NULL;
}

static json_t *member_of(json_t *o, const char *name)
{
    return member_of_n(o, name, strlen(name));
}

static int case_exact(const char *attr)
{
    return !strcmp(attr, "id") || !strcmp(attr, "externalid") || !strcmp(attr, "members.value") ||
           !strncmp(attr, "meta.", 5) || !strcmp(attr, "value");
}

static int str_cmp(const char *a, const char *b, int exact)
{
    return exact ? strcmp(a, b) : strcasecmp(a, b);
}

static int contains(const char *hay, const char *needle, int exact)
{
    size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (!(exact ? strncmp(hay, needle, n) : strncasecmp(hay, needle, n)))
            return 1;
    }
    return !n;
}

/* One value against a comparison. */
static int cmp_one(const iam_scim_filter_t *f, json_t *v, int exact)
{
    const char *s;
    size_t ls, lv;
    int c;

    if (json_is_object(v) && (v = member_of(v, "value")) == NULL)
        return 0;
    if (f->op == IAM_SCIM_PR)
        return v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v));
    switch (f->vtype) {
    case IAM_SCIM_V_NULL: return f->op == IAM_SCIM_EQ ? json_is_null(v) : !json_is_null(v);
    case IAM_SCIM_V_TRUE:
    case IAM_SCIM_V_FALSE: {
        int want = f->vtype == IAM_SCIM_V_TRUE, have;
        if (json_is_boolean(v))
            have = json_is_true(v);
        else if (json_is_string(v) && !strcasecmp(json_string_value(v), "true"))
            have = 1;
        else if (json_is_string(v) && !strcasecmp(json_string_value(v), "false"))
            have = 0;
        else
            return f->op == IAM_SCIM_NE;
        return (have == want) == (f->op == IAM_SCIM_EQ);
    }
    case IAM_SCIM_V_NUMBER: {
        double d;
        if (!json_is_number(v))
            return f->op == IAM_SCIM_NE;
        d = json_number_value(v);
        switch (f->op) {
        case IAM_SCIM_EQ: return d == f->num;
        case IAM_SCIM_NE: return d != f->num;
        case IAM_SCIM_GT: return d > f->num;
        case IAM_SCIM_LT: return d < f->num;
        case IAM_SCIM_GE: return d >= f->num;
        case IAM_SCIM_LE: return d <= f->num;
        default: return 0;
        }
    }
    case IAM_SCIM_V_STRING: break;
    }
    if (!json_is_string(v))
        return f->op == IAM_SCIM_NE;
    s = json_string_value(v);
    ls = strlen(s);
    lv = strlen(f->str);
    c = str_cmp(s, f->str, exact);
    switch (f->op) {
    case IAM_SCIM_EQ: return c == 0;
    case IAM_SCIM_NE: return c != 0;
    case IAM_SCIM_CO: return contains(s, f->str, exact);
    case IAM_SCIM_SW: return !(exact ? strncmp(s, f->str, lv) : strncasecmp(s, f->str, lv));
    case IAM_SCIM_EW: return ls >= lv && !str_cmp(s + ls - lv, f->str, exact);
    case IAM_SCIM_GT: return c > 0;
    case IAM_SCIM_LT: return c < 0;
    case IAM_SCIM_GE: return c >= 0;
    case IAM_SCIM_LE: return c <= 0;
    default: return 0;
    }
}

/* The values at `attr` ("a" or "a.b", or an extension's "urn...:a.b") of
 * `o`, each given to cmp_one: 1 if one matches. */
static int cmp_at(const iam_scim_filter_t *f, json_t *o, const char *attr)
{
    const char *dot, *colon = strrchr(attr, ':');
    json_t *v, *e;
    size_t i;
    int exact = case_exact(attr);

    if (colon) { /* an extension: its object, then the attribute in it */
        v = member_of_n(o, attr, (size_t)(colon - attr));
        return cmp_at(f, json_is_object(v) ? v : json_null(), colon + 1);
    }
    dot = strchr(attr, '.');
    if (dot) {
        v = member_of_n(o, attr, (size_t)(dot - attr));
        if (json_is_array(v)) {
            json_array_foreach(v, i, e)
            {
                if (cmp_one(f, member_of(e, dot + 1), exact))
                    return 1;
            }
            return f->op == IAM_SCIM_NE && !json_array_size(v);
        }
        v = member_of(v, dot + 1);
    } else {
        v = member_of(o, attr);
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if (cmp_one(f, e, exact))
                return 1;
        }
        return 0;
    }
    if (!v || json_is_null(v))
        return (f->op == IAM_SCIM_EQ && f->vtype == IAM_SCIM_V_NULL) ||
               (f->op == IAM_SCIM_NE && f->vtype != IAM_SCIM_V_NULL);
    return cmp_one(f, v, exact);
}

int iam_scim_filter_match(const iam_scim_filter_t *f, json_t *resource)
{
    json_t *v, *e;
    size_t i;

    if (!f)
        return 0;
    switch (f->kind) {
    case IAM_SCIM_F_AND:
        return iam_scim_filter_match(f->a, resource) && iam_scim_filter_match(f->b, resource);
    case IAM_SCIM_F_OR:
        return iam_scim_filter_match(f->a, resource) || iam_scim_filter_match(f->b, resource);
    case IAM_SCIM_F_NOT: return !iam_scim_filter_match(f->a, resource);
    case IAM_SCIM_F_HAS:
        v = member_of(resource, f->attr);
        if (json_is_object(v))
            return iam_scim_filter_match(f->a, v);
        json_array_foreach(v, i, e)
        {
            if (iam_scim_filter_match(f->a, e))
                return 1;
        }
        return 0;
    case IAM_SCIM_F_CMP: return cmp_at(f, resource, f->attr);
    }
    return 0;
}

const char *iam_scim_filter_eq(const iam_scim_filter_t *f, const char *attr)
{
    if (f && f->kind == IAM_SCIM_F_CMP && f->op == IAM_SCIM_EQ && f->vtype == IAM_SCIM_V_STRING &&
        !strcmp(f->attr, attr))
        return f->str;
    return NULL;
}
