/* mod_iam: the role table, names of levels, plans and scopes, and the
 * syntax of every name a user can type. Pure functions only. */
#include "iam_policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const iam_role_t builtin_roles[] = {
    {"workspace-owner", "Workspace Owner", NULL, IAM_LEVEL_ADMIN, IAM_ROLE_OWNER, 1, 0},
    {"workspace-member", "Workspace Member", NULL, IAM_LEVEL_NONE, IAM_ROLE_MEMBER, 1, 0},
    {"source-admin", "Source Admin", "source", IAM_LEVEL_ADMIN, IAM_ROLE_PLAIN, 0, 0},
    {"source-read-only", "Source Read-only", "source", IAM_LEVEL_READ, IAM_ROLE_PLAIN, 0, 0},
    {"warehouse-admin", "Warehouse Admin", "warehouse", IAM_LEVEL_ADMIN, IAM_ROLE_PLAIN, 1, 0},
    {"warehouse-read-only", "Warehouse Read-only", "warehouse", IAM_LEVEL_READ, IAM_ROLE_PLAIN, 1,
     0},
    {"tracking-plan-admin", "Tracking Plan Admin", "tracking-plan", IAM_LEVEL_ADMIN, IAM_ROLE_PLAIN,
     1, 0},
    {"tracking-plan-read-only", "Tracking Plan Read-only", "tracking-plan", IAM_LEVEL_READ,
     IAM_ROLE_PLAIN, 1, 0},
    {"personas-admin", "Personas Admin", "space", IAM_LEVEL_ADMIN, IAM_ROLE_PLAIN, 0, 0},
    {"personas-user", "Personas User", "space", IAM_LEVEL_EDIT, IAM_ROLE_PLAIN, 0, 0},
    {"personas-read-only", "Personas Read-only", "space", IAM_LEVEL_READ, IAM_ROLE_PLAIN, 0, 0},
    {"identity-admin", "Identity Admin", "identity", IAM_LEVEL_ADMIN, IAM_ROLE_PLAIN, 1, 0},
};

#define NBUILTIN ((int)(sizeof(builtin_roles) / sizeof(builtin_roles[0])))

/* Where a slug sits in the index: its length and three of its letters
 * tell the few roles of a workspace apart well enough; probing settles
 * the rest. */
static unsigned slug_hash(const char *s)
{
    size_t n = strlen(s);

    if (!n)
        return 0;
    return (unsigned)n * 31u + (unsigned char)s[0] * 7u + (unsigned char)s[n / 2] * 13u +
           (unsigned char)s[n - 1] * 3u;
}

static void index_role(iam_roles_t *roles, int i)
{
    unsigned h = slug_hash(roles->role[i].slug);

    while (roles->slot[h % IAM_ROLES_SLOTS])
        h++;
    roles->slot[h % IAM_ROLES_SLOTS] = (unsigned char)(i + 1);
}

void iam_roles_init(iam_roles_t *roles)
{
    int i;

    memcpy(roles->role, builtin_roles, sizeof(builtin_roles));
    roles->n = NBUILTIN;
    memset(roles->slot, 0, sizeof(roles->slot));
    for (i = 0; i < roles->n; i++)
        index_role(roles, i);
}

void iam_slugify(const char *name, char *buf, size_t len)
{
    size_t o = 0;
    int dash = 0;

    for (; *name && o + 1 < len; name++) {
        unsigned char c = (unsigned char)*name;
        if (isalnum(c)) {
            if (dash && o > 0 && o + 2 < len)
                buf[o++] = '-';
            buf[o++] = (char)tolower(c);
            dash = 0;
        } else {
            dash = 1;
        }
    }
    buf[o] = '\0';
}

const iam_role_t *iam_roles_find(const iam_roles_t *roles, const char *name)
{
    char slug[128];
    int i;
    unsigned h, k;

    if (!name)
        return NULL;
    /* stored grants name roles by slug: the common case is one probe */
    for (h = slug_hash(name), k = 0; k < IAM_ROLES_SLOTS; h++, k++) {
        unsigned char at = roles->slot[h % IAM_ROLES_SLOTS];
        if (!at)
            break;
        if (!strcmp(roles->role[at - 1].slug, name))
            return &roles->role[at - 1];
    }
    iam_slugify(name, slug, sizeof(slug));
    for (i = 0; i < roles->n; i++) {
        if (!strcmp(roles->role[i].slug, slug) || !strcasecmp(roles->role[i].name, name))
            return &roles->role[i];
    }
    return NULL;
}

const char *iam_roles_add(iam_roles_t *roles, const char *name, const char *slug, const char *type,
                          iam_level_e level, int all_only)
{
    const char *err;
    int i;

    if ((err = iam_check_text(name, 64)) != NULL)
        return err;
    if (!slug[0])
        return "the role name needs a letter or digit";
    for (i = 0; i < roles->n; i++) {
        if (!strcmp(roles->role[i].slug, slug) || !strcasecmp(roles->role[i].name, name))
            return roles->role[i].custom ? "a custom role of that name is already declared"
                                         : "that name is a built-in role";
    }
    if ((err = iam_check_resource_type(type)) != NULL)
        return err;
    /* the types access requests use for the owners' pages and the console:
     * approving those makes a Workspace Owner, so no role may name them */
    if (!strcasecmp(type, IAM_TYPE_OWNERS) || !strcasecmp(type, IAM_TYPE_CONSOLE))
        return "the types 'owners' and 'console' are reserved";
    if (level < IAM_LEVEL_READ || level > IAM_LEVEL_ADMIN)
        return "the level must be read, edit or admin";
    if (roles->n >= IAM_ROLES_MAX)
        return "too many custom roles";
    roles->role[roles->n] = (iam_role_t){slug, name, type, level, IAM_ROLE_PLAIN, all_only, 1};
    index_role(roles, roles->n);
    roles->n++;
    return NULL;
}

int iam_roles_has_type(const iam_roles_t *roles, const char *type)
{
    int i;

    for (i = 0; i < roles->n; i++) {
        if (roles->role[i].type && !strcasecmp(roles->role[i].type, type))
            return 1;
    }
    return 0;
}

/* ---- names ---- */

static const char *const level_names[] = {"none", "read", "edit", "admin"};
static const char *const plan_names[] = {"free", "team", "business"};
static const char *const scope_names[] = {"all", "resources", "labels"};

const char *iam_level_name(iam_level_e level)
{
    return (level >= IAM_LEVEL_NONE && level <= IAM_LEVEL_ADMIN) ? level_names[level] : "?";
}

/* The index in names[from..to] of s, case-insensitively; -1 if none. */
static int name_index(const char *const *names, int from, int to, const char *s)
{
    int i;

    for (i = from; s && i <= to; i++) {
        if (!strcasecmp(s, names[i]))
            return i;
    }
    return -1;
}

int iam_level_parse(const char *s, iam_level_e *out)
{
    int i = name_index(level_names, IAM_LEVEL_READ, IAM_LEVEL_ADMIN, s);

    if (i < 0)
        return -1;
    *out = (iam_level_e)i;
    return 0;
}

const char *iam_plan_name(iam_plan_e plan)
{
    return (plan >= IAM_PLAN_FREE && plan <= IAM_PLAN_BUSINESS) ? plan_names[plan] : "?";
}

int iam_plan_parse(const char *s, iam_plan_e *out)
{
    int i = name_index(plan_names, IAM_PLAN_FREE, IAM_PLAN_BUSINESS, s);

    if (i < 0)
        return -1;
    *out = (iam_plan_e)i;
    return 0;
}

const char *iam_scope_name(iam_scope_e scope)
{
    return (scope >= IAM_SCOPE_ALL && scope <= IAM_SCOPE_LABELS) ? scope_names[scope] : "?";
}

int iam_parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long n, mult = 1;

    if (!s || !isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    n = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (toupper((unsigned char)*end)) {
    case 'K':
        mult = 1ULL << 10;
        end++;
        break;
    case 'M':
        mult = 1ULL << 20;
        end++;
        break;
    case 'G':
        mult = 1ULL << 30;
        end++;
        break;
    case 'T':
        mult = 1ULL << 40;
        end++;
        break;
    }
    if (*end || n == 0 || n > (1ULL << 40) / mult || n * mult < (1ULL << 20))
        return -1;
    *out = (size_t)(n * mult);
    return 0;
}

/* ---- syntax ---- */

/* Length of the UTF-8 sequence at s, or 0 if it is not well-formed
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s)
{
    size_t n, i;
    unsigned long cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* Printable UTF-8 text of at most `max` bytes, without control characters
 * (the console escapes it on output; JSON needs valid UTF-8). */
const char *iam_check_text(const char *text, size_t max)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, step;

    if (!text || !text[0])
        return "must not be empty";
    while (s[n]) {
        if (s[n] < 0x20 || s[n] == 0x7f)
            return "must not contain control characters";
        if (!(step = utf8_len(s + n)))
            return "is not valid UTF-8";
        n += step;
    }
    if (n > max)
        return "is too long";
    return NULL;
}

const char *iam_check_message(const char *text, size_t max)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = 0, step;

    while (s[n]) {
        if ((s[n] < 0x20 && s[n] != '\n' && s[n] != '\r' && s[n] != '\t') || s[n] == 0x7f)
            return "must not contain control characters";
        if (!(step = utf8_len(s + n)))
            return "is not valid UTF-8";
        n += step;
    }
    if (n > max)
        return "is too long";
    return NULL;
}

const char *iam_check_login(const char *login)
{
    const char *err = iam_check_text(login, 256);

    if (err)
        return err;
    if (login[0] == ' ' || login[strlen(login) - 1] == ' ')
        return "must not start or end with a space";
    return NULL;
}

const char *iam_check_group_name(const char *name)
{
    const char *err = iam_check_text(name, 128);

    if (err)
        return err;
    if (name[0] == ' ' || name[strlen(name) - 1] == ' ')
        return "must not start or end with a space";
    return NULL;
}

/* Types, resource names and label parts: [A-Za-z0-9._-], so they read the
 * same in a URL, a config file and a shell. */
static const char *check_token(const char *s, size_t max)
{
    size_t n;

    if (!s || !s[0])
        return "must not be empty";
    for (n = 0; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.')
            return "may hold only letters, digits, '-', '_' and '.'";
    }
    if (n > max)
        return "is too long";
    return NULL;
}

const char *iam_check_resource_type(const char *type)
{
    return check_token(type, 64);
}

const char *iam_check_resource_name(const char *name)
{
    if (name && !strcmp(name, "*"))
        return "'*' names the collection, not a resource";
    return check_token(name, 128);
}

const char *iam_check_label(const char *label)
{
    const char *colon = label ? strchr(label, ':') : NULL;
    char key[65];
    size_t klen;

    if (!colon)
        return "a label is KEY:VALUE";
    klen = (size_t)(colon - label);
    if (klen == 0 || klen >= sizeof(key))
        return "a label's key must be 1 to 64 characters";
    if (isdigit((unsigned char)label[0]))
        return "a label's key must not start with a digit";
    memcpy(key, label, klen);
    key[klen] = '\0';
    if (check_token(key, 64) || check_token(colon + 1, 128))
        return "a label's key and value may hold only letters, digits, '-', '_' and '.'";
    return NULL;
}

const char *iam_check_email(const char *email)
{
    const char *at;
    const char *err = iam_check_text(email, 254);

    if (err)
        return err;
    at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(at + 1, '@') || strpbrk(email, " <>,;\"\\"))
        return "is not an email address";
    return NULL;
}
