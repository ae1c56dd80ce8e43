/* mod_iam tests, the "glue" suite (glue_test.h): where each directive may
 * stand. The workspace's directives are global: refused in a virtual
 * host, and in a <Directory>, <Location> or <Files> section (there httpd
 * refuses them first, by the table's RSRC_CONF; config.c's own check is
 * tried past it). A resource's directives belong in a section;
 * IAMResourcePath, IAMAutoProvision and the refusal's settings are also
 * a virtual host's. */
#include "glue_test.h"

/* One accepted line of each directive the workspace alone holds. */
static const char *const global_lines[] = {
    "IAMStore /srv/iam",
    "IAMMapSize 64M",
    "IAMPlan team",
    "IAMRole Runner pipeline read",
    "IAMBootstrapOwner olivia",
    "IAMLoginCase fold",
    "IAMRequestLimit 5",
    "IAMMailCommand /usr/sbin/sendmail",
    "IAMMailFrom iam@example.com",
    "IAMConsoleURL /console",
    "IAMUserAttribute email OIDC_CLAIM_email",
    "IAMLoginURL https://sso.example.com/",
    "IAMDatabase \"dbname=iam\"",
};

#define NGLOBAL (sizeof(global_lines) / sizeof(global_lines[0]))

/* The workspace as a fresh configuration has it. */
static void workspace_untouched(void)
{
    ck_assert_str_eq(iam_ws_store_dir(WS), IAM_STORE_DEFAULT_DIR);
    ck_assert_uint_eq(iam_ws_mapsize(WS), IAM_STORE_DEFAULT_MAPSIZE);
    ck_assert_int_eq(iam_ws_plan(WS), IAM_PLAN_BUSINESS);
    ck_assert_ptr_null(iam_roles_find(iam_ws_roles(WS), "Runner"));
    ck_assert_ptr_null(iam_ws_bootstrap_owner(WS));
    ck_assert_int_eq(iam_ws_login_fold(WS), 0);
    ck_assert_int_eq(iam_ws_request_limit(WS), 10);
    ck_assert_ptr_null(iam_ws_mail_command(WS));
    ck_assert_ptr_null(iam_ws_mail_from(WS));
    ck_assert_str_eq(iam_ws_console_url(WS), "/iam");
    ck_assert_ptr_null(iam_ws_attr_email(WS));
    ck_assert_ptr_null(iam_ws_login_url(WS));
    ck_assert_ptr_null(iam_ws_database(WS));
}

START_TEST(test_global_lines_accepted_at_top)
{
    size_t i;

    for (i = 0; i < NGLOBAL; i++)
        ACCEPT(TOP, global_lines[i]);
    ck_assert_int_eq(iam_ws_plan(WS), IAM_PLAN_TEAM);
    ck_assert_str_eq(iam_ws_console_path(WS), "/console");
}
END_TEST

START_TEST(test_global_refused_in_vhost)
{
    cmd_parms *cmd = stub_cmd(glue_pool, stub_server(glue_pool, 1), NULL);
    size_t i;

    for (i = 0; i < NGLOBAL; i++)
        REFUSE(cmd, global_lines[i], "cannot occur within <VirtualHost> section");
    workspace_untouched();
}
END_TEST

/* httpd refuses a directive of RSRC_CONF only in a section: the table says so. */
START_TEST(test_global_refused_in_sections)
{
    static const char *const sections[] = {"<Location /a>", "<Directory /srv>", "<Files x.html>",
                                           "<LocationMatch ^/a>"};
    size_t i, j;

    for (j = 0; j < sizeof(sections) / sizeof(sections[0]); j++) {
        for (i = 0; i < NGLOBAL; i++)
            REFUSE(IN(sections[j]), global_lines[i], "not allowed here");
    }
    workspace_untouched();
}
END_TEST

/* Past httpd's check (as if a section allowed RSRC_CONF), config.c's own
 * refuses them still: GLOBAL_ONLY. */
START_TEST(test_global_only_past_the_table)
{
    static const char *const sections[] = {"<Location /a>", "<Directory /srv>", "<If true>"};
    size_t i, j;

    for (j = 0; j < sizeof(sections) / sizeof(sections[0]); j++) {
        for (i = 0; i < NGLOBAL; i++) {
            cmd_parms *cmd = IN(sections[j]);
            cmd->override |= RSRC_CONF;
            REFUSE(cmd, global_lines[i], "cannot occur within <Directory/Location/Files> section");
        }
    }
    workspace_untouched();
}
END_TEST

START_TEST(test_resource_path_not_in_sections)
{
    cmd_parms *cmd = IN("<Location /a>");

    REFUSE(cmd, "IAMResourcePath /a source a", "IAMResourcePath not allowed here");
    cmd->override |= RSRC_CONF;
    REFUSE(cmd, "IAMResourcePath /a source a",
           "cannot occur within <Directory/Location/Files> section");
    ck_assert_int_eq(iam_ws_resources(WS)->nelts, 0);
}
END_TEST

/* What a virtual host may say for itself. */
START_TEST(test_per_server_in_vhost)
{
    server_rec *vhost = stub_server(glue_pool, 1);
    cmd_parms *cmd = stub_cmd(glue_pool, vhost, NULL);
    void *dc = stub_dir_conf(cmd);

    ACCEPT(cmd, "IAMAutoProvision On");
    ACCEPT(cmd, "IAMResourcePath /v source v");
    ACCEPT(cmd, "IAMDeniedStatus 401");
    ACCEPT(cmd, "IAMRequestAccess Off");
    ACCEPT(cmd, "IAMForwardHeaders On");
    ck_assert_int_eq(iam_auto_provision(vhost), 1);
    ck_assert_int_eq(iam_auto_provision(glue_main), 0);
    ck_assert_int_eq(iam_dir_denied_status(dc), 401);
    ck_assert_int_eq(iam_dir_request_access(dc), 0);
    ck_assert_int_eq(iam_dir_forward_headers(dc), 1);
    /* the main server's defaults are its own */
    ck_assert_int_eq(iam_dir_denied_status(stub_dir_conf(TOP)), 403);
    ck_assert_int_eq(iam_dir_request_access(stub_dir_conf(TOP)), 1);
}
END_TEST

/* IAMResource and IAMPermission name a section's resource and level:
 * httpd refuses them outside one (ACCESS_CONF only). */
START_TEST(test_section_only_at_top)
{
    cmd_parms *vhost = stub_cmd(glue_pool, stub_server(glue_pool, 1), NULL);

    REFUSE(TOP, "IAMResource source checkout", "IAMResource not allowed here");
    REFUSE(TOP, "IAMPermission read", "IAMPermission not allowed here");
    REFUSE(vhost, "IAMResource source checkout", "IAMResource not allowed here");
    REFUSE(vhost, "IAMPermission read", "IAMPermission not allowed here");
    ck_assert_int_eq(iam_ws_resources(WS)->nelts, 0);
}
END_TEST

/* Every kind of section takes a section's directives, each into its own
 * dir conf. */
START_TEST(test_section_directives_everywhere)
{
    static const char *const sections[] = {"<Location /a>",          "<LocationMatch ^/a>",
                                           "<Location ~ \"^/a\">",   "<Directory /srv/a>",
                                           "<DirectoryMatch ^/srv>", "<Files a.html>",
                                           "<FilesMatch \\.html$>",  "<If \"true\">"};
    size_t i;
    int git;

    for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        cmd_parms *cmd = IN(sections[i]);
        ACCEPT(cmd, "IAMResource source checkout");
        ACCEPT(cmd, "IAMPermission edit");
        ACCEPT(cmd, "IAMDeniedStatus 401");
        ACCEPT(cmd, "IAMRequestAccess off");
        ACCEPT(cmd, "IAMForwardHeaders ON");
        ck_assert_int_eq(iam_dir_permission(stub_dir_conf(cmd), &git), IAM_LEVEL_EDIT);
        ck_assert_int_eq(iam_dir_denied_status(stub_dir_conf(cmd)), 401);
        ck_assert_int_eq(iam_dir_request_access(stub_dir_conf(cmd)), 0);
        ck_assert_int_eq(iam_dir_forward_headers(stub_dir_conf(cmd)), 1);
    }
    ck_assert_int_eq(iam_ws_resources(WS)->nelts, (int)i);
    /* the top level's dir conf never saw them */
    ck_assert_int_eq(iam_dir_denied_status(stub_dir_conf(TOP)), 403);
    ck_assert_int_eq(iam_dir_request_access(stub_dir_conf(TOP)), 1);
}
END_TEST

void glue_add_contexts(Suite *s)
{
    TCase *tc = glue_tcase("contexts", IAM_TIMEOUT_PURE);

    tcase_add_test(tc, test_global_lines_accepted_at_top);
    tcase_add_test(tc, test_global_refused_in_vhost);
    tcase_add_test(tc, test_global_refused_in_sections);
    tcase_add_test(tc, test_global_only_past_the_table);
    tcase_add_test(tc, test_resource_path_not_in_sections);
    tcase_add_test(tc, test_per_server_in_vhost);
    tcase_add_test(tc, test_section_only_at_top);
    tcase_add_test(tc, test_section_directives_everywhere);
    suite_add_tcase(s, tc);
}
