/* mod_iam tests: what the files of the "glue" suite share (glue_test.h
 * says what each is), and the suite itself, gathered from those files. */
#include "glue_test.h"

#include <apr_general.h>
#include <strings.h>

apr_pool_t *glue_pool;
server_rec *glue_main;

/* A fresh pool, so a fresh workspace (config.c keeps it as the pool's
 * userdata), and the main server of that configuration. */
static void setup(void)
{
    apr_initialize();
    apr_pool_create(&glue_pool, NULL);
    glue_main = stub_server(glue_pool, 0);
}

static void teardown(void)
{
    apr_pool_destroy(glue_pool);
    apr_terminate();
}

void accept_at(int line, cmd_parms *cmd, const char *conf)
{
    const char *err = stub_run(cmd, conf);

    ck_assert_msg(err == NULL, "line %d: '%s' refused: %s", line, conf, err);
}

const char *refuse_at(int line, cmd_parms *cmd, const char *conf, const char *says)
{
    const char *err = stub_run(cmd, conf), *args = conf;
    const char *name = ap_getword_conf(glue_pool, &args);
    size_t n = strlen(name);

    ck_assert_msg(err != NULL, "line %d: '%s' accepted", line, conf);
    ck_assert_msg(!strncasecmp(err, name, n) && (err[n] == ' ' || err[n] == ':'),
                  "line %d: '%s': the message does not begin with the directive: %s", line, conf,
                  err);
    ck_assert_msg(strstr(err, says) != NULL, "line %d: '%s': the message lacks \"%s\": %s", line,
                  conf, says, err);
    return err;
}

TCase *glue_tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

Suite *suite_glue(void)
{
    Suite *s = suite_create("glue");

    glue_add_directives(s);
    glue_add_contexts(s);
    glue_add_merge(s);
    glue_add_errors(s);
    glue_add_web(s);
    return s;
}
