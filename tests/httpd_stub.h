/* mod_iam tests: a stand-in for httpd, so that the module's glue
 * (mod_iam/config.c, web.c and html.c) links into the test binary and runs
 * without a server. httpd's own functions live in its executable, not in
 * a library a test can link: httpd_stub.c gives the few these files call,
 * each doing what httpd 2.4's does, plus `iam_module` (mod_iam.c, which
 * the tests leave out, declares it) at module index 0.
 *
 * What is not httpd's: the fake records a test builds (a server, the
 * cmd_parms of a context, a request), a runner that parses one directive
 * line the way httpd's invoke_cmd does through the real iam_cmds table,
 * and what the request wrote. Every fake lives in the pool it is given:
 * config.c keeps the workspace as that pool's userdata, so each test
 * uses a fresh pool. */
#ifndef HTTPD_STUB_H
#define HTTPD_STUB_H

#include "mod_iam.h"

#include "http_config.h"

/* A server: module_config holds iam_create_server_conf's result and
 * lookup_defaults (the dir conf its top-level directives write) that of
 * iam_create_dir_conf. A virtual host refuses global-only directives. */
server_rec *stub_server(apr_pool_t *p, int is_virtual);

/* The context a directive is read in: the server's top level when
 * `sections` is NULL, else inside those sections, outermost first, each
 * as its opening line says it ("<Location /a>", "<Directory /srv>",
 * "<IfModule iam_module>", "<LocationMatch ^/x>"...). As httpd does, a
 * <Directory>, <Location> or <Files> section sets cmd->path (its path or
 * expression) and allows directives of ACCESS_CONF and OR_ALL only
 * (cmd->override); conditional sections (<If...>) change neither. The
 * section's own dir conf (iam_create_dir_conf) is stub_dir_conf(cmd). */
cmd_parms *stub_cmd(apr_pool_t *p, server_rec *s, const char *const *sections);
void *stub_dir_conf(const cmd_parms *cmd);

/* Runs one configuration line ("IAMPlan team") in cmd's context: the
 * directive is looked up in iam_cmds by name, case-insensitively, and
 * refused unless cmd->override allows it ("NAME not allowed here"); its
 * arguments are split as args_how says (TAKE1, TAKE2, FLAG On/Off,
 * RAW_ARGS) with the messages httpd gives for a wrong count. Returns the
 * setter's message, NULL when the line is accepted. */
const char *stub_run(cmd_parms *cmd, const char *line);

/* A configuration conf vector with `conf` as mod_iam's (index 0). */
ap_conf_vector_t *stub_vector(apr_pool_t *p, void *conf);

/* A request to server `s` (its module_config as the request sees it,
 * after any merge) with `dir_conf` as its merged per-directory config:
 * pool, the header and note tables, method and its number, uri, hostname
 * "www.example.com" and a Host header of the same. What it writes
 * (ap_rwrite, ap_rputs, ap_rprintf) is stub_output's. */
request_rec *stub_request(apr_pool_t *p, server_rec *s, void *dir_conf, const char *method,
                          const char *uri);

/* The request body ap_get_client_block hands out, `chunk` bytes at most a
 * call; with a Content-Length header of `len`, or Transfer-Encoding:
 * chunked when `chunked`. */
void stub_body(request_rec *r, const char *body, apr_size_t len, apr_size_t chunk, int chunked);

/* What the request wrote so far (NUL-terminated; "" when nothing). */
const char *stub_output(apr_size_t *len);

/* ServerRoot, for ap_server_root_relative ("/etc/apache2" until set). */
void stub_set_server_root(const char *dir);

/* The file the last IAMDeniedTemplate asked iam_template_load for:
 * denied.c, which holds the real loader, brings the whole request path
 * with it, so the stub stands in (it refuses a file it cannot read). */
const char *stub_template_file(void);

#endif
