/* mod_iam tests: the httpd functions mod_iam/config.c, web.c and html.c
 * call, written after httpd 2.4's (server/config.c, server/util.c,
 * modules/http/http_protocol.c) and kept to what those files use; the
 * fake server, contexts and requests the "glue" suite builds; and a
 * directive runner that does what httpd's invoke_cmd does. httpd_stub.h
 * says what each gives. */
#include "httpd_stub.h"

#include "http_protocol.h"

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* What mod_iam.c declares, at index 0: ap_get_module_config reads slot
 * 0 of every vector here. */
module AP_MODULE_DECLARE_DATA iam_module = {
    .version = MODULE_MAGIC_NUMBER_MAJOR,
    .minor_version = MODULE_MAGIC_NUMBER_MINOR,
    .module_index = 0,
    .name = "mod_iam.c",
    .magic = MODULE_MAGIC_COOKIE,
    .create_dir_config = iam_create_dir_conf,
    .merge_dir_config = iam_merge_dir_conf,
    .create_server_config = iam_create_server_conf,
    .merge_server_config = iam_merge_server_conf,
    .cmds = iam_cmds,
};

/* The context of stub_cmd: the cmd_parms (first, so the one pointer is
 * both) and the innermost section, the parent of the directives run in it. */
typedef struct {
    cmd_parms cmd;
    ap_directive_t *section;
} stub_ctx_t;

static const char *server_root = "/etc/apache2";
static const char *template_file;

/* The request body, and what the request wrote (one request a test). */
static const char *body_data;
static apr_size_t body_len, body_off, body_chunk;
static char *out_buf;
static apr_size_t out_len, out_cap;

/* ---- configuration: httpd's server/config.c and server/util.c ---- */

/* The nearest enclosing section named `what` (exactly, any case). */
static const ap_directive_t *find_parent(const ap_directive_t *d, const char *what)
{
    for (; d; d = d->parent) {
        if (!strcasecmp(d->directive, what))
            return d;
    }
    return NULL;
}

const char *ap_check_cmd_context(cmd_parms *cmd, unsigned forbidden)
{
    const char *name = cmd->cmd->name;
    const char *gt = (name[0] == '<' && name[strlen(name) - 1] != '>') ? ">" : "";
    const ap_directive_t *found = NULL;
    static const struct {
        unsigned flag;
        const char *sections[5];
    } where[] = {
        {NOT_IN_DIRECTORY, {"<Directory", "<DirectoryMatch"}},
        {NOT_IN_LOCATION, {"<Location", "<LocationMatch"}},
        {NOT_IN_FILES, {"<Files", "<FilesMatch", "<If", "<ElseIf", "<Else"}},
        {NOT_IN_PROXY, {"<Proxy", "<ProxyMatch"}},
    };
    size_t i, j;

    if ((forbidden & NOT_IN_VIRTUALHOST) && cmd->server->is_virtual)
        return apr_pstrcat(cmd->pool, name, gt, " cannot occur within <VirtualHost> section", NULL);
    if ((forbidden & (NOT_IN_LIMIT | NOT_IN_DIR_LOC_FILE)) && cmd->limited != -1)
        return apr_pstrcat(cmd->pool, name, gt,
                           " cannot occur within <Limit> or <LimitExcept> section", NULL);
    if ((forbidden & NOT_IN_HTACCESS) && cmd->pool == cmd->temp_pool)
        return apr_pstrcat(cmd->pool, name, gt, " cannot occur within htaccess files", NULL);
    if ((forbidden & NOT_IN_DIR_LOC_FILE) == NOT_IN_DIR_LOC_FILE && cmd->path)
        return apr_pstrcat(cmd->pool, name, gt,
                           " cannot occur within <Directory/Location/Files> section", NULL);
    for (i = 0; !found && i < sizeof(where) / sizeof(where[0]); i++) {
        for (j = 0; (forbidden & where[i].flag) && !found && j < 5 && where[i].sections[j]; j++)
            found = find_parent(cmd->directive, where[i].sections[j]);
    }
    if (found)
        return apr_pstrcat(cmd->pool, name, gt, " cannot occur within ", found->directive, gt,
                           " section", NULL);
    return NULL;
}

/* Copies n bytes of a word; a backslash keeps a following backslash or
 * the word's quote (`quote` 0: an unquoted word, backslashes only). */
static char *word_copy(apr_pool_t *p, const char *s, apr_size_t n, char quote)
{
    char *out = apr_palloc(p, n + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '\\' || (quote && s[i + 1] == quote)))
            i++;
        *o++ = s[i];
    }
    *o = '\0';
    return out;
}

char *ap_getword_conf(apr_pool_t *p, const char **line)
{
    const char *s = *line, *end;
    char *word;

    while (apr_isspace(*s))
        s++;
    if (*s == '"' || *s == '\'') {
        char quote = *s++;
        for (end = s; *end && *end != quote;)
            end += (*end == '\\' && end[1] && (end[1] == quote || end[1] == '\\')) ? 2 : 1;
        word = word_copy(p, s, (apr_size_t)(end - s), quote);
        if (*end == quote)
            end++;
    } else {
        for (end = s; *end && !apr_isspace(*end); end++)
            ;
        word = word_copy(p, s, (apr_size_t)(end - s), 0);
    }
    while (apr_isspace(*end))
        end++;
    *line = end;
    return word;
}

char *ap_server_root_relative(apr_pool_t *p, const char *file)
{
    char *path = NULL;
    apr_status_t rv = apr_filepath_merge(&path, server_root, file, APR_FILEPATH_TRUENAME, p);

    if (path && (rv == APR_SUCCESS || APR_STATUS_IS_EPATHWILD(rv) || APR_STATUS_IS_ENOENT(rv) ||
                 APR_STATUS_IS_ENOTDIR(rv)))
        return path;
    return NULL;
}

/* ---- escaping: httpd's server/util.c ---- */

static int hex_digit(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

/* '+' is a space, then every %XX its byte: HTTP_BAD_REQUEST when a '%'
 * lacks two hex digits (kept as it is), HTTP_NOT_FOUND when one decodes
 * to NUL. */
int ap_unescape_urlencoded(char *query)
{
    char *x, *y;
    int badesc = 0, badpath = 0;

    if (!query)
        return OK;
    for (x = query; *x; x++) {
        if (*x == '+')
            *x = ' ';
    }
    for (x = y = query; *x; x++, y++) {
        if (*x != '%') {
            *y = *x;
        } else if (!apr_isxdigit(x[1]) || !apr_isxdigit(x[2])) {
            badesc = 1;
            *y = '%';
        } else {
            *y = (char)(hex_digit(x[1]) << 4 | hex_digit(x[2]));
            badpath |= *y == '\0';
            x += 2;
        }
    }
    *y = '\0';
    return badesc ? HTTP_BAD_REQUEST : badpath ? HTTP_NOT_FOUND : OK;
}

/* Every byte but letters, digits and `keep` as %xx (lower-case hex, as
 * httpd's c2x), a space as '+' when `plus`. */
static char *escape(apr_pool_t *p, const char *s, const char *keep, int plus)
{
    static const char hex[] = "0123456789abcdef";
    char *out = apr_palloc(p, 3 * strlen(s) + 1), *o = out;
    const unsigned char *c;

    for (c = (const unsigned char *)s; *c; c++) {
        if (apr_isalnum(*c) || strchr(keep, *c)) {
            *o++ = (char)*c;
        } else if (plus && *c == ' ') {
            *o++ = '+';
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 0xf];
        }
    }
    *o = '\0';
    return out;
}

/* T_ESCAPE_PATH_SEGMENT of httpd's gen_test_char.c: '/' is escaped too. */
char *ap_escape_path_segment(apr_pool_t *p, const char *s)
{
    return escape(p, s, "$-_.+!*'(),:@&=~", 0);
}

/* T_ESCAPE_URLENCODED: application/x-www-form-urlencoded. */
char *ap_escape_urlencoded(apr_pool_t *p, const char *s)
{
    return escape(p, s, ".-*_", 1);
}

/* ---- requests: httpd's modules/http/http_core.c and http_protocol.c ---- */

/* core's answer, mod_ssl's aside: "https" for a server named https://. */
const char *ap_run_http_scheme(const request_rec *r)
{
    return r->server->server_scheme && !strcmp(r->server->server_scheme, "https") ? "https"
                                                                                  : "http";
}

/* SCIM's answers name their resources by URL (a fuzz target links them). */
char *ap_construct_url(apr_pool_t *p, const char *uri, request_rec *r)
{
    return apr_pstrcat(p, ap_run_http_scheme(r), "://", r->hostname, uri, NULL);
}

/* The API's files log (a fuzz target links them): nothing is kept. */
void ap_log_rerror_(const char *file, int line, int module_index, int level, apr_status_t status,
                    const request_rec *r, const char *fmt, ...)
{
    (void)file, (void)line, (void)module_index, (void)level, (void)status, (void)r, (void)fmt;
}

void ap_set_content_type(request_rec *r, const char *ct)
{
    r->content_type = ct;
}

int ap_rwrite(const void *buf, int nbyte, request_rec *r)
{
    (void)r;
    if (nbyte < 0)
        return -1;
    if (out_len + (apr_size_t)nbyte + 1 > out_cap) {
        char *grown;
        out_cap = (out_len + (apr_size_t)nbyte + 1) * 2;
        grown = realloc(out_buf, out_cap);
        if (!grown)
            return -1;
        out_buf = grown;
    }
    memcpy(out_buf + out_len, buf, (size_t)nbyte);
    out_len += (apr_size_t)nbyte;
    out_buf[out_len] = '\0';
    return nbyte;
}

int ap_rprintf(request_rec *r, const char *fmt, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, fmt);
    s = apr_pvsprintf(r->pool, fmt, ap);
    va_end(ap);
    return ap_rwrite(s, (int)strlen(s), r);
}

int ap_setup_client_block(request_rec *r, int read_policy)
{
    const char *te = apr_table_get(r->headers_in, "Transfer-Encoding");
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    char *end;

    r->read_body = read_policy;
    r->read_chunked = 0;
    r->remaining = 0;
    if (te) {
        if (strcasecmp(te, "chunked"))
            return HTTP_NOT_IMPLEMENTED;
        if (read_policy == REQUEST_CHUNKED_ERROR)
            return cl ? HTTP_BAD_REQUEST : HTTP_LENGTH_REQUIRED;
        r->read_chunked = 1;
    } else if (cl) {
        if (apr_strtoff(&r->remaining, cl, &end, 10) || *end || r->remaining < 0) {
            r->remaining = 0;
            return HTTP_BAD_REQUEST;
        }
    }
    if (read_policy == REQUEST_NO_BODY && (r->read_chunked || r->remaining > 0))
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    return OK;
}

int ap_should_client_block(request_rec *r)
{
    return !(r->read_length || (!r->read_chunked && r->remaining <= 0));
}

/* What the client sent, a piece at a time; 0 at its end. A body with a
 * Content-Length ends there, whatever more the client sends. */
long ap_get_client_block(request_rec *r, char *buffer, apr_size_t bufsiz)
{
    apr_size_t n = body_data ? body_len - body_off : 0;

    if (!r->read_chunked && (apr_off_t)n > r->remaining)
        n = (apr_size_t)r->remaining;
    if (n > bufsiz)
        n = bufsiz;
    if (n > body_chunk)
        n = body_chunk;
    memcpy(buffer, body_data + body_off, n);
    body_off += n;
    if (!r->read_chunked)
        r->remaining -= (apr_off_t)n;
    r->read_length += (apr_off_t)n;
    return (long)n;
}

/* ---- not httpd's: denied.c's template loader ---- */

const char *iam_template_load(apr_pool_t *p, const char *file, const iam_template_t **out)
{
    apr_file_t *f;

    template_file = apr_pstrdup(p, file);
    if (apr_file_open(&f, file, APR_FOPEN_READ, 0, p) != APR_SUCCESS)
        return "cannot be read";
    apr_file_close(f);
    *out = (const iam_template_t *)template_file; /* opaque: only NULL or not matters */
    return NULL;
}

const char *stub_template_file(void)
{
    return template_file;
}

void stub_set_server_root(const char *dir)
{
    server_root = dir;
}

/* ---- the fakes ---- */

ap_conf_vector_t *stub_vector(apr_pool_t *p, void *conf)
{
    void **v = apr_pcalloc(p, sizeof(void *));

    v[0] = conf;
    return (ap_conf_vector_t *)v;
}

server_rec *stub_server(apr_pool_t *p, int is_virtual)
{
    server_rec *s = apr_pcalloc(p, sizeof(*s));

    s->server_hostname = "www.example.com";
    s->is_virtual = is_virtual;
    s->module_config = stub_vector(p, NULL);
    ap_set_module_config(s->module_config, &iam_module, iam_create_server_conf(p, s));
    s->lookup_defaults = stub_vector(p, iam_create_dir_conf(p, NULL));
    return s;
}

/* The sections that set cmd->path (what httpd calls directory context). */
static int dir_section(const char *name)
{
    static const char *const names[] = {"<Directory",     "<DirectoryMatch", "<Location",
                                        "<LocationMatch", "<Files",          "<FilesMatch"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcasecmp(name, names[i]))
            return 1;
    }
    return 0;
}

/* Opens one section in ctx, from its line: the node httpd's config tree
 * would hold ("<Location" with args "/a>"), then what the section's
 * handler sets. Conditionals read at parse time (<IfModule>, <IfDefine>,
 * <IfVersion>...) leave no node: httpd splices their content in. */
static void open_section(stub_ctx_t *ctx, const char *line)
{
    cmd_parms *cmd = &ctx->cmd;
    apr_pool_t *p = cmd->pool;
    const char *args = line;
    char *name = ap_getword_conf(p, &args), *last = name + strlen(name) - 1, *inner;
    const char *word;
    ap_directive_t *d;

    if (*last == '>')
        *last = '\0';
    if (!strncasecmp(name, "<If", 3) && strcasecmp(name, "<If"))
        return;
    d = apr_pcalloc(p, sizeof(*d));
    d->directive = name;
    d->args = *args ? apr_pstrdup(p, args) : ">";
    d->parent = ctx->section;
    ctx->section = d;
    if (!strcasecmp(name, "<If") || !strcasecmp(name, "<ElseIf") || !strcasecmp(name, "<Else")) {
        cmd->path = "*If";
    } else if (dir_section(name)) {
        inner = apr_pstrdup(p, args);
        if (*inner && inner[strlen(inner) - 1] == '>')
            inner[strlen(inner) - 1] = '\0';
        word = inner;
        cmd->path = ap_getword_conf(p, &word);
        if (!strcmp(cmd->path, "~"))
            cmd->path = ap_getword_conf(p, &word);
    } else {
        return; /* another module's section: no context of its own here */
    }
    cmd->override = OR_ALL | ACCESS_CONF;
    cmd->context = stub_vector(p, iam_create_dir_conf(p, cmd->path));
}

cmd_parms *stub_cmd(apr_pool_t *p, server_rec *s, const char *const *sections)
{
    stub_ctx_t *ctx = apr_pcalloc(p, sizeof(*ctx));
    cmd_parms *cmd = &ctx->cmd;

    cmd->pool = p;
    apr_pool_create(&cmd->temp_pool, p);
    cmd->server = s;
    cmd->limited = -1;
    /* the top level of httpd.conf (and a <VirtualHost>) */
    cmd->override = (RSRC_CONF | OR_ALL) & ~(OR_AUTHCFG | OR_LIMIT);
    cmd->context = s->lookup_defaults;
    for (; sections && *sections; sections++)
        open_section(ctx, *sections);
    return cmd;
}

void *stub_dir_conf(const cmd_parms *cmd)
{
    return ap_get_module_config(cmd->context, &iam_module);
}

const char *stub_run(cmd_parms *cmd, const char *line)
{
    stub_ctx_t *ctx = (stub_ctx_t *)cmd;
    apr_pool_t *p = cmd->pool;
    const char *args = line;
    const char *name = ap_getword_conf(p, &args);
    const command_rec *c;
    void *dc = stub_dir_conf(cmd);
    char *w, *w2;

    for (c = iam_cmds; c->name && strcasecmp(c->name, name); c++)
        ;
    if (!c->name)
        return apr_pstrcat(p, "Invalid command '", name, "'", NULL);
    cmd->directive = apr_pcalloc(p, sizeof(*cmd->directive));
    cmd->directive->directive = name;
    cmd->directive->args = args;
    cmd->directive->parent = ctx->section;
    if (!(cmd->override & c->req_override))
        return apr_pstrcat(p, c->name, " not allowed here", NULL);
    cmd->info = c->cmd_data;
    cmd->cmd = c;
    switch (c->args_how) {
    case RAW_ARGS: return c->AP_RAW_ARGS(cmd, dc, args);
    case TAKE1:
        w = ap_getword_conf(p, &args);
        if (!*w || *args)
            return apr_pstrcat(p, c->name, " takes one argument", c->errmsg ? ", " : NULL,
                               c->errmsg, NULL);
        return c->AP_TAKE1(cmd, dc, w);
    case TAKE2:
        w = ap_getword_conf(p, &args);
        w2 = ap_getword_conf(p, &args);
        if (!*w || !*w2 || *args)
            return apr_pstrcat(p, c->name, " takes two arguments", c->errmsg ? ", " : NULL,
                               c->errmsg, NULL);
        return c->AP_TAKE2(cmd, dc, w, w2);
    case FLAG:
        w = ap_getword_conf(p, &args);
        if (strcasecmp(w, "on") && strcasecmp(w, "off"))
            return apr_pstrcat(p, c->name, " must be On or Off", NULL);
        return c->AP_FLAG(cmd, dc, strcasecmp(w, "off") != 0);
    default:
        return apr_pstrcat(p, c->name, " is improperly configured internally (server bug)", NULL);
    }
}

/* The methods web.c and the handlers tell apart (ap_method_number_of). */
static int method_number(const char *method)
{
    static const struct {
        const char *name;
        int number;
    } methods[] = {{"GET", M_GET},       {"HEAD", M_GET},    {"POST", M_POST},      {"PUT", M_PUT},
                   {"DELETE", M_DELETE}, {"PATCH", M_PATCH}, {"OPTIONS", M_OPTIONS}};
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (!strcmp(method, methods[i].name))
            return methods[i].number;
    }
    return M_INVALID;
}

request_rec *stub_request(apr_pool_t *p, server_rec *s, void *dir_conf, const char *method,
                          const char *uri)
{
    request_rec *r = apr_pcalloc(p, sizeof(*r));

    r->pool = p;
    r->server = s;
    r->connection = apr_pcalloc(p, sizeof(*r->connection)); /* its log: the server's */
    r->connection->base_server = s;
    r->per_dir_config = stub_vector(p, dir_conf);
    r->method = method;
    r->header_only = !strcmp(method, "HEAD");
    r->method_number = method_number(method);
    r->uri = apr_pstrdup(p, uri);
    r->unparsed_uri = r->uri;
    r->hostname = "www.example.com";
    r->protocol = "HTTP/1.1";
    r->proto_num = HTTP_VERSION(1, 1);
    r->status = HTTP_OK;
    r->headers_in = apr_table_make(p, 8);
    r->headers_out = apr_table_make(p, 8);
    r->err_headers_out = apr_table_make(p, 8);
    r->notes = apr_table_make(p, 4);
    r->subprocess_env = apr_table_make(p, 8);
    apr_table_setn(r->headers_in, "Host", r->hostname);
    body_data = NULL;
    body_len = body_off = 0;
    out_len = 0;
    if (out_buf)
        out_buf[0] = '\0';
    return r;
}

void stub_body(request_rec *r, const char *body, apr_size_t len, apr_size_t chunk, int chunked)
{
    body_data = body;
    body_len = len;
    body_off = 0;
    body_chunk = chunk ? chunk : 1;
    /* one or the other: a body set again replaces the first one's framing */
    apr_table_unset(r->headers_in, chunked ? "Content-Length" : "Transfer-Encoding");
    if (chunked)
        apr_table_setn(r->headers_in, "Transfer-Encoding", "chunked");
    else
        apr_table_setn(r->headers_in, "Content-Length",
                       apr_psprintf(r->pool, "%" APR_SIZE_T_FMT, len));
}

const char *stub_output(apr_size_t *len)
{
    if (len)
        *len = out_len;
    return out_buf ? out_buf : "";
}
