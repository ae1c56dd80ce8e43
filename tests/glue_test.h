/* mod_iam tests, the "glue" suite: the module's glue run without a server,
 * through the httpd stand-in of httpd_stub.h. Directive setters are
 * driven one configuration line at a time through the real iam_cmds
 * table, and read back through the getters of mod_iam.h; the directory
 * and server merges and the resource of a request; the web helpers of
 * iam_web.h; the JSON and HTML error renderers. Expectations come from
 * the headers' and README's word, and from what config.c says it
 * refuses, not from what the code happens to do. */
#ifndef GLUE_TEST_H
#define GLUE_TEST_H

#include "httpd_stub.h"
#include "iam_html.h"
#include "iam_test.h"
#include "iam_web.h"

#include <apr_strings.h>
#include <string.h>

/* Fresh for every test (checked fixture): the pool, whose userdata holds
 * the workspace, and the main server of that configuration. */
extern apr_pool_t *glue_pool;
extern server_rec *glue_main;

/* The workspace every server of the test shares. */
#define WS iam_workspace_of(glue_main)

/* A context of the main server: its top level, or inside sections. */
#define TOP stub_cmd(glue_pool, glue_main, NULL)
#define IN(...) stub_cmd(glue_pool, glue_main, (const char *const[]){__VA_ARGS__, NULL})

/* Runs `line` in `cmd` and checks it is accepted; the failure says why not. */
void accept_at(int line, cmd_parms *cmd, const char *conf);
/* Runs `line` in `cmd` and checks it is refused with a message that
 * begins with the directive's name (the line's first word, as iam_cmds
 * spells it) and holds `says`. Returns the message. */
const char *refuse_at(int line, cmd_parms *cmd, const char *conf, const char *says);

#define ACCEPT(cmd, conf) accept_at(__LINE__, (cmd), (conf))
#define REFUSE(cmd, conf, says) refuse_at(__LINE__, (cmd), (conf), (says))

/* A TCase of the suite with the fixture and the timeout. */
TCase *glue_tcase(const char *name, int timeout);

/* Each adds its file's TCases to the suite, in the order they run. */
void glue_add_directives(Suite *s); /* test_glue_directives.c */
void glue_add_contexts(Suite *s);   /* test_glue_contexts.c */
void glue_add_merge(Suite *s);      /* test_glue_merge.c */
void glue_add_errors(Suite *s);     /* test_glue_errors.c */
void glue_add_web(Suite *s);        /* test_glue_web.c */

#endif
