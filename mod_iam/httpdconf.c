/* mod_iam: the directives that shape the store, read from httpd.conf
 * without Apache (iamctl -f), and the IAMRole parser the module shares. */
#include "iam_httpdconf.h"

#include <apr_strings.h>
#include <apr_tables.h>
#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DEPTH 64 /* nested Includes: past this, a loop */

/* The word from start to end; a backslash escapes a backslash or the
 * word's quote (none when `quote` is 0), nothing else. */
static char *word_copy(apr_pool_t *p, const char *start, const char *end, char quote)
{
    char *out = apr_palloc(p, (size_t)(end - start) + 1), *o = out;

    for (; start < end; start++) {
        if (*start == '\\' && start + 1 < end && (start[1] == '\\' || (quote && start[1] == quote)))
            start++;
        *o++ = *start;
    }
    *o = '\0';
    return out;
}

char *iam_conf_word(apr_pool_t *p, const char **line)
{
    const char *s = *line, *start;
    char quote, *out;

    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s) {
        *line = s;
        return apr_pstrdup(p, "");
    }
    if (*s == '"' || *s == '\'') {
        quote = *s++;
        start = s;
        while (*s && *s != quote)
            s += (*s == '\\' && (s[1] == quote || s[1] == '\\')) ? 2 : 1;
        out = word_copy(p, start, s, quote);
        if (*s)
            s++;
    } else {
        /* unquoted, "\\" is one backslash too, as Apache reads it */
        start = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        out = word_copy(p, start, s, 0);
    }
    while (*s && isspace((unsigned char)*s))
        s++;
    *line = s;
    return out;
}

const char *iam_conf_role(apr_pool_t *p, iam_roles_t *roles, const char *args)
{
    const char *name = iam_conf_word(p, &args), *type = iam_conf_word(p, &args);
    const char *level_s = iam_conf_word(p, &args), *flag = iam_conf_word(p, &args), *err;
    char slug[128];
    iam_level_e level;

    if (!*name || !*type || !*level_s)
        return "IAMRole needs \"NAME\" TYPE read|edit|admin [all-only]";
    if (iam_level_parse(level_s, &level))
        return apr_psprintf(p, "IAMRole \"%s\": '%s' is not a level (read, edit or admin)", name,
                            level_s);
    if (*flag && strcasecmp(flag, "all-only"))
        return apr_psprintf(p, "IAMRole \"%s\": '%s' is not a flag (all-only)", name, flag);
    if (*iam_conf_word(p, &args))
        return apr_psprintf(p, "IAMRole \"%s\": too many arguments", name);
    iam_slugify(name, slug, sizeof(slug));
    if ((err = iam_roles_add(roles, name, apr_pstrdup(p, slug), type, level, *flag != '\0')))
        return apr_psprintf(p, "IAMRole \"%s\": %s", name, err);
    return NULL;
}

typedef struct {
    apr_pool_t *p;
    iam_httpdconf_t *out;
    const char *server_root;
    apr_table_t *defines;
} reader_t;

static const char *read_file(reader_t *rd, const char *file, int depth);

/* ${NAME}: a Define, else the environment; an unknown one stays as it is
 * (Apache warns and does the same). */
static const char *expand(reader_t *rd, const char *s)
{
    const char *out = "", *open, *close, *v;

    while ((open = strstr(s, "${")) && (close = strchr(open, '}'))) {
        char *name = apr_pstrmemdup(rd->p, open + 2, (size_t)(close - open - 2));
        v = apr_table_get(rd->defines, name);
        if (!v)
            v = getenv(name);
        out = apr_pstrcat(rd->p, out, apr_pstrmemdup(rd->p, s, (size_t)(open - s)),
                          v ? v : apr_pstrmemdup(rd->p, open, (size_t)(close - open + 1)), NULL);
        s = close + 1;
    }
    return apr_pstrcat(rd->p, out, s, NULL);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *read_path(reader_t *rd, const char *path, int depth);

/* Include of a directory: every file in it and in its directories, as
 * Apache reads them (dot-files too), in name order. */
static const char *read_dir(reader_t *rd, const char *dir, int depth)
{
    apr_array_header_t *names = apr_array_make(rd->p, 16, sizeof(const char *));
    struct dirent *e;
    const char *err;
    DIR *d;
    int i;

    if (depth > MAX_DEPTH)
        return apr_psprintf(rd->p, "%s: Includes nest more than %d deep (a loop?)", dir,
                            MAX_DEPTH);
    if (!(d = opendir(dir)))
        return apr_psprintf(rd->p, "cannot read the directory %s", dir);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            APR_ARRAY_PUSH(names, const char *) = apr_pstrcat(rd->p, dir, "/", e->d_name, NULL);
    }
    closedir(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), cmp_names);
    for (i = 0; i < names->nelts; i++) {
        if ((err = read_path(rd, APR_ARRAY_IDX(names, i, const char *), depth + 1)))
            return err;
    }
    return NULL;
}

/* A file, or a directory's files. */
static const char *read_path(reader_t *rd, const char *path, int depth)
{
    struct stat sb;

    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return read_dir(rd, path, depth);
    return read_file(rd, path, depth);
}

/* Include[Optional] ARG, on line `at` ("FILE:LINE") */
static const char *include(reader_t *rd, const char *arg, int optional, int depth, const char *at)
{
    const char *path = arg[0] == '/' ? arg : apr_pstrcat(rd->p, rd->server_root, "/", arg, NULL);
    const char *err;
    struct stat sb;
    glob_t g;
    size_t i;

    if (strpbrk(path, "*?[")) {
        int rc = glob(path, 0, NULL, &g);
        if (rc == GLOB_NOMATCH) {
            globfree(&g);
            return optional ? NULL : apr_psprintf(rd->p, "%s: Include %s matches no file", at, path);
        }
        if (rc != 0) {
            globfree(&g);
            return apr_psprintf(rd->p, "%s: cannot read %s", at, path);
        }
        for (i = 0, err = NULL; i < g.gl_pathc && !err; i++)
            err = read_path(rd, apr_pstrdup(rd->p, g.gl_pathv[i]), depth + 1);
        globfree(&g);
        return err;
    }
    if (stat(path, &sb) != 0)
        return optional ? NULL : apr_psprintf(rd->p, "%s: Include %s: no such file", at, path);
    return read_path(rd, path, depth + 1);
}

/* One directive outside any section that hides it (Include aside). */
static const char *directive(reader_t *rd, const char *name, const char *args)
{
    iam_httpdconf_t *out = rd->out;
    const char *a = args, *w = iam_conf_word(rd->p, &a);

    if (!strcasecmp(name, "ServerRoot")) {
        rd->server_root = w;
    } else if (!strcasecmp(name, "Define")) {
        apr_table_set(rd->defines, w, *a ? iam_conf_word(rd->p, &a) : "");
    } else if (!strcasecmp(name, "UnDefine")) {
        apr_table_unset(rd->defines, w);
    } else if (!strcasecmp(name, "IAMStore")) {
        if (w[0] != '/')
            return apr_psprintf(rd->p, "IAMStore: '%s' must be an absolute directory path", w);
        out->store_dir = w;
    } else if (!strcasecmp(name, "IAMMapSize")) {
        if (iam_parse_size(w, &out->mapsize))
            return apr_psprintf(rd->p, "IAMMapSize: '%s' is not a size from 1M to 1T", w);
    } else if (!strcasecmp(name, "IAMPlan")) {
        if (iam_plan_parse(w, &out->plan))
            return apr_psprintf(rd->p, "IAMPlan: '%s' is not a plan (free, team or business)", w);
    } else if (!strcasecmp(name, "IAMLoginCase")) {
        if (strcasecmp(w, "exact") && strcasecmp(w, "fold"))
            return apr_psprintf(rd->p, "IAMLoginCase: '%s' is not exact or fold", w);
        out->login_fold = !strcasecmp(w, "fold");
    } else if (!strcasecmp(name, "IAMRole")) {
        return iam_conf_role(rd->p, &out->roles, args);
    }
    return NULL;
}

/* Whether a section holds the store's directives: the conditional ones
 * whose test holds (<IfDefine [!]NAME> by Define, <IfFile [!]PATH> by the
 * file; <IfModule>, <IfVersion>, <IfDirective> and <IfSection> are taken
 * as true, and as false negated); no other section. */
static int holds(reader_t *rd, const char *section, const char *arg)
{
    int neg = arg[0] == '!';
    const char *what = arg + neg;
    struct stat sb;

    if (!strcasecmp(section, "IfDefine"))
        return (apr_table_get(rd->defines, what) != NULL) != neg;
    if (!strcasecmp(section, "IfFile"))
        return (stat(what[0] == '/' ? what : apr_pstrcat(rd->p, rd->server_root, "/", what, NULL),
                     &sb) == 0) != neg;
    if (!strcasecmp(section, "IfModule") || !strcasecmp(section, "IfDirective") ||
        !strcasecmp(section, "IfSection"))
        return !neg;
    return !strcasecmp(section, "IfVersion"); /* its operators are not negations */
}

static const char *read_file(reader_t *rd, const char *file, int depth)
{
    FILE *f;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got;
    const char *line, *err = NULL, *logical = NULL;
    /* sections: 1 where the store's directives count, 0 where not */
    apr_array_header_t *open = apr_array_make(rd->p, 8, sizeof(int));
    int lineno = 0, first = 0, active = 1, i;

    if (depth > MAX_DEPTH)
        return apr_psprintf(rd->p, "%s: Includes nest more than %d deep (a loop?)", file,
                            MAX_DEPTH);
    if (!(f = fopen(file, "r")))
        return apr_psprintf(rd->p, "cannot read %s", file);
    rd->out->files++;
    while (!err && (got = getline(&buf, &cap, f)) >= 0) {
        size_t n = (size_t)got;
        lineno++;
        if (memchr(buf, '\0', n)) {
            err = apr_psprintf(rd->p, "%s:%d: a NUL byte", file, lineno);
            break;
        }
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (!logical)
            first = lineno;
        if (n && buf[n - 1] == '\\') { /* continued on the next line */
            buf[n - 1] = '\0';
            logical = apr_pstrcat(rd->p, logical ? logical : "", buf, NULL);
            continue;
        }
        line = apr_pstrcat(rd->p, logical ? logical : "", buf, NULL);
        logical = NULL;
        while (isspace((unsigned char)*line))
            line++;
        if (!*line || *line == '#')
            continue;
        line = expand(rd, line);
        if (line[0] == '<' && line[1] == '/') {
            if (open->nelts)
                apr_array_pop(open);
        } else if (line[0] == '<') {
            const char *rest = line + 1;
            size_t len = strcspn(rest, " \t>");
            char *section = apr_pstrmemdup(rd->p, rest, len), *arg, *gt;
            int on;
            rest += len;
            arg = apr_pstrdup(rd->p, rest);
            if ((gt = strrchr(arg, '>')))
                *gt = '\0';
            rest = arg;
            arg = iam_conf_word(rd->p, &rest);
            on = holds(rd, section, arg);
            APR_ARRAY_PUSH(open, int) = on;
        } else {
            const char *args = line, *name = iam_conf_word(rd->p, &args);
            const char *at = apr_psprintf(rd->p, "%s:%d", file, first);
            for (active = 1, i = 0; i < open->nelts && active; i++)
                active = APR_ARRAY_IDX(open, i, int);
            if (!active)
                continue;
            if (!strcasecmp(name, "Include") || !strcasecmp(name, "IncludeOptional"))
                err = include(rd, iam_conf_word(rd->p, &args),
                              !strcasecmp(name, "IncludeOptional"), depth, at);
            else if ((err = directive(rd, name, args)))
                err = apr_psprintf(rd->p, "%s: %s", at, err);
        }
    }
    if (!err && ferror(f))
        err = apr_psprintf(rd->p, "cannot read %s", file);
    free(buf);
    fclose(f);
    return err;
}

const char *iam_httpdconf_read(apr_pool_t *p, const char *file, iam_httpdconf_t *out)
{
    reader_t rd = {p, out, NULL, apr_table_make(p, 8)};
    const char *slash = strrchr(file, '/');

    memset(out, 0, sizeof(*out));
    out->plan = IAM_PLAN_BUSINESS;
    iam_roles_init(&out->roles);
    rd.server_root = slash ? apr_pstrmemdup(p, file, (size_t)(slash - file)) : ".";
    if (!*rd.server_root)
        rd.server_root = "/";
    return read_file(&rd, file, 0);
}
