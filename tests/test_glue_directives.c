/* mod_iam tests, the "glue" suite (glue_test.h): every directive's bad
 * values, refused at start-up with a message that names the directive and
 * the value (config.c's setters, and httpd's own checks of the argument
 * count and On/Off), and its good values, visible through the getters of
 * mod_iam.h. A refused value leaves the workspace as it was. */
#include "glue_test.h"

#include "iam_httpdconf.h"

#include <apr_file_io.h>
#include <stdio.h>

typedef struct {
    const char *conf; /* the line, in the context the table says */
    const char *says; /* what the message holds, past the directive's name */
} refusal_t;

/* Global directives, at the top level of httpd.conf. */
static const refusal_t refused_top[] = {
    {"IAMStore relative/dir", "'relative/dir' must be an absolute directory path"},
    {"IAMStore", "takes one argument"},
    {"IAMStore /a /b", "takes one argument"},
    {"IAMMapSize 12Q", "'12Q' is not a size from 1M to 1T"},
    {"IAMMapSize 0", "'0' is not a size from 1M to 1T"},
    {"IAMMapSize 2T", "'2T' is not a size from 1M to 1T"},
    {"IAMMapSize 512K", "'512K' is not a size"},
    {"IAMMapSize 1.5G", "'1.5G' is not a size"},
    {"IAMMapSize -1G", "'-1G' is not a size"},
    {"IAMPlan gold", "'gold' is not a plan (free, team or business)"},
    {"IAMPlan \"\"", "takes one argument"},
    {"IAMRole", "needs \"NAME\" TYPE read|edit|admin [all-only]"},
    {"IAMRole \"Deployer\" pipeline", "needs \"NAME\" TYPE read|edit|admin"},
    {"IAMRole \"Deployer\" pipeline write", "\"Deployer\": 'write' is not a level"},
    {"IAMRole \"Deployer\" pipeline read sometimes", "'sometimes' is not a flag (all-only)"},
    {"IAMRole \"Deployer\" pipeline read all-only extra", "\"Deployer\": too many arguments"},
    {"IAMRole \"Source Admin\" source read", "that name is a built-in role"},
    {"IAMRole \"source admin\" pipeline read", "that name is a built-in role"},
    {"IAMRole \"Deployer\" owners admin", "the types 'owners' and 'console' are reserved"},
    {"IAMRole \"Deployer\" Console read", "the types 'owners' and 'console' are reserved"},
    {"IAMRole \"Deployer\" \"pipe line\" read", "may hold only letters, digits"},
    {"IAMRole \"!!!\" pipeline read", "the role name needs a letter or digit"},
    {"IAMBootstrapOwner \" olivia\"", "login ' olivia' must not start or end with a space"},
    {"IAMBootstrapOwner \"oli\tvia\"", "must not contain control characters"},
    {"IAMLoginCase upper", "'upper' is not exact or fold"},
    {"IAMDeniedStatus 404", "'404' is not 403 (the request-access page) or 401"},
    {"IAMDeniedStatus 0403", "'0403' is not 403"},
    {"IAMRequestAccess maybe", "must be On or Off"},
    {"IAMRequestAccess", "must be On or Off"},
    {"IAMRequestLimit -1", "'-1' is not a number from 1 to 1000"},
    {"IAMRequestLimit abc", "'abc' is not a number from 1 to 1000"},
    {"IAMRequestLimit 0", "'0' is not a number from 1 to 1000"},
    {"IAMRequestLimit 1001", "'1001' is not a number from 1 to 1000"},
    {"IAMRequestLimit 5x", "'5x' is not a number"},
    {"IAMRequestLimit 99999999999999999999", "'99999999999999999999' is not a number"},
    {"IAMRequestLimit 4294967297", "'4294967297' is not a number"},
    {"IAMMailCommand \"/usr/sbin/sendmail\n-t\"", "needs a command line"},
    {"IAMMailCommand \"\"", "takes one argument"},
    {"IAMMailFrom no-at-sign", "'no-at-sign' is not an email address"},
    {"IAMMailFrom a@b@example.com", "is not an email address"},
    {"IAMMailFrom @example.com", "is not an email address"},
    {"IAMMailFrom \"IAM <iam@example.com>\"", "is not an email address"},
    {"IAMMailFrom \"iam@example.com\nBcc: all@example.com\"",
     "must not contain control characters"},
    {"IAMConsoleURL iam", "'iam' must be the console's URL (https://HOST/PATH) or path (/PATH)"},
    {"IAMConsoleURL ftp://example.com/iam", "must be the console's URL"},
    {"IAMConsoleURL \"/i am\"", "must be the console's URL"},
    {"IAMConsoleURL \"/iam\\\"x\"", "must be the console's URL"},
    {"IAMConsoleURL /<iam>", "must be the console's URL"},
    {"IAMConsoleURL //evil.example/iam", "'//evil.example/iam' must be the console's URL"},
    {"IAMConsoleURL ///iam", "'///iam' must be the console's URL"},
    {"IAMConsoleURL \"https://example.com/\x01\"", "must be the console's URL"},
    {"IAMAutoProvision yes", "must be On or Off"},
    {"IAMUserAttribute phone OIDC_CLAIM_phone",
     "'phone' is not an attribute (email, name or email_verified)"},
    {"IAMUserAttribute email \"OIDC CLAIM\"", "email: 'OIDC CLAIM' is not a variable name"},
    {"IAMUserAttribute email", "takes two arguments"},
    {"IAMUserAttribute email a b", "takes two arguments"},
    {"IAMForwardHeaders yes", "must be On or Off"},
    {"IAMLoginURL /login", "'/login' must be an absolute http(s) URL"},
    {"IAMLoginURL javascript:alert(1)", "must be an absolute http(s) URL"},
    {"IAMLoginURL \"https://sso.example.com/a b\"", "must be an absolute http(s) URL"},
    {"IAMLoginURL https://sso.example.com/<a>", "must be an absolute http(s) URL"},
    {"IAMDatabase nonsense", "IAMDatabase: not a connection string"},
    {"IAMDatabase \"dbname=iam colour=blue\"", "IAMDatabase: not a connection string"},
    {"IAMDatabase \"dbname='iam\"", "IAMDatabase: not a connection string"},
};

/* A resource's directives, in a <Location>; IAMResourcePath at the top. */
static const refusal_t refused_resource[] = {
    {"IAMResource", "needs TYPE NAME|* [KEY:VALUE ...]"},
    {"IAMResource source", "needs TYPE NAME|* [KEY:VALUE ...]"},
    {"IAMResource \"bad type\" checkout", "type 'bad type' may hold only letters, digits"},
    {"IAMResource pipeline checkout", "no role grants on type 'pipeline'"},
    {"IAMResource source \"bad name\"", "name 'bad name' may hold only letters, digits"},
    {"IAMResource source checkout env", "'env': a label is KEY:VALUE"},
    {"IAMResource source checkout :prod", "':prod': a label's key must be 1 to 64 characters"},
    {"IAMResource source checkout env:", "'env:': a label's key and value may hold only"},
    {"IAMResource source checkout 9env:prod", "a label's key must not start with a digit"},
    {"IAMResource source checkout env:prod env:dev", "label key of 'env:dev' is given twice"},
    {"IAMResource source checkout env:prod ENV:dev", "label key of 'ENV:dev' is given twice"},
    {"IAMResource source * env:prod", "a collection (*) carries no labels"},
    {"IAMPermission write", "'write' is not auto, git, read, edit or admin"},
    {"IAMPermission none", "'none' is not auto, git, read, edit or admin"},
    {"IAMPermission", "takes one argument"},
};

static const refusal_t refused_resource_path[] = {
    {"IAMResourcePath", "needs PATH TYPE NAME|* [KEY:VALUE ...]"},
    {"IAMResourcePath /sources", "needs PATH TYPE NAME|* [KEY:VALUE ...]"},
    {"IAMResourcePath /sources source", "needs PATH TYPE NAME|*"},
    {"IAMResourcePath sources source checkout", "path 'sources' must begin with '/'"},
    {"IAMResourcePath /a/../b source checkout", "path '/a/../b' has a '.' or '..' segment"},
    {"IAMResourcePath /a//b source checkout", "path '/a//b' has an empty segment"},
    {"IAMResourcePath /a%2fb source checkout", "path '/a%2fb' holds '%'"},
    {"IAMResourcePath /a \"bad type\" checkout", "type 'bad type' may hold only"},
    {"IAMResourcePath /a pipeline checkout", "no role grants on type 'pipeline'"},
    {"IAMResourcePath /a source \"a/b\"", "name 'a/b' may hold only"},
    {"IAMResourcePath /a source checkout env", "'env': a label is KEY:VALUE"},
    {"IAMResourcePath /a source checkout env:a env:b", "label key of 'env:b' is given twice"},
    {"IAMResourcePath /a source * env:prod", "a collection (*) carries no labels"},
    {"IAMResourcePath /s/{name}/t/{name} source", "holds {name} more than once"},
    {"IAMResourcePath /s/{name}x source", "other than a whole segment {name}"},
    {"IAMResourcePath /s/{id} source", "other than a whole segment {name}"},
    {"IAMResourcePath /s/{name} source ios", "names its resources by the path's {name} segment"},
    {"IAMResourcePath /s/{name} source env", "names its resources by the path's {name} segment"},
    {"IAMResourcePath /s/{name} source {name} env", "'env': a label is KEY:VALUE"},
    {"IAMResourcePath /s/{name}", "needs PATH TYPE NAME|*"},
};

static void check_refusals(cmd_parms *cmd, const refusal_t *t, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        refuse_at((int)i, cmd, t[i].conf, t[i].says);
}

#define CHECK_REFUSALS(cmd, table)                                                                 \
    check_refusals((cmd), (table), sizeof(table) / sizeof((table)[0]))

START_TEST(test_bad_global_values)
{
    CHECK_REFUSALS(TOP, refused_top);
}
END_TEST

START_TEST(test_bad_resources)
{
    CHECK_REFUSALS(IN("<Location /sources>"), refused_resource);
    CHECK_REFUSALS(TOP, refused_resource_path);
}
END_TEST

/* Refused values leave every default as it was. */
START_TEST(test_refused_values_change_nothing)
{
    cmd_parms *cmd = TOP;

    check_refusals(cmd, refused_top, sizeof(refused_top) / sizeof(refused_top[0]));
    ck_assert_str_eq(iam_ws_store_dir(WS), IAM_STORE_DEFAULT_DIR);
    ck_assert_uint_eq(iam_ws_mapsize(WS), IAM_STORE_DEFAULT_MAPSIZE);
    ck_assert_int_eq(iam_ws_plan(WS), IAM_PLAN_BUSINESS);
    ck_assert_int_eq(iam_ws_request_limit(WS), 10);
    ck_assert_str_eq(iam_ws_console_url(WS), "/iam");
    ck_assert_str_eq(iam_ws_console_path(WS), "/iam");
    ck_assert_ptr_null(iam_ws_bootstrap_owner(WS));
    ck_assert_ptr_null(iam_ws_mail_command(WS));
    ck_assert_ptr_null(iam_ws_mail_from(WS));
    ck_assert_ptr_null(iam_ws_login_url(WS));
    ck_assert_ptr_null(iam_ws_database(WS));
    ck_assert_ptr_null(iam_ws_attr_email(WS));
    ck_assert_ptr_null(iam_ws_attr_name(WS));
    ck_assert_ptr_null(iam_ws_attr_email_verified(WS));
    ck_assert_int_eq(iam_ws_login_fold(WS), 0);
    ck_assert_int_eq(iam_ws_resources(WS)->nelts, 0);
    ck_assert_ptr_null(iam_roles_find(iam_ws_roles(WS), "Deployer"));
    ck_assert_int_eq(iam_auto_provision(glue_main), 0);
}
END_TEST

/* ---- good values, through the getters ---- */

START_TEST(test_store_and_map_size)
{
    cmd_parms *cmd = TOP;

    ACCEPT(cmd, "IAMStore \"/srv/iam store\"");
    ck_assert_str_eq(iam_ws_store_dir(WS), "/srv/iam store");
    ACCEPT(cmd, "IAMMapSize 64M");
    ck_assert_uint_eq(iam_ws_mapsize(WS), (size_t)64 << 20);
    ACCEPT(cmd, "IAMMapSize 1t");
    ck_assert_uint_eq(iam_ws_mapsize(WS), (size_t)1 << 40);
    ACCEPT(cmd, "IAMMapSize 1048576");
    ck_assert_uint_eq(iam_ws_mapsize(WS), (size_t)1 << 20);
    ACCEPT(cmd, "IAMMapSize 1024K");
    ck_assert_uint_eq(iam_ws_mapsize(WS), (size_t)1 << 20);
}
END_TEST

START_TEST(test_plan_and_limits)
{
    cmd_parms *cmd = TOP;

    ACCEPT(cmd, "IAMPlan team");
    ck_assert_int_eq(iam_ws_plan(WS), IAM_PLAN_TEAM);
    ACCEPT(cmd, "iamplan FREE"); /* directives and plans ignore case */
    ck_assert_int_eq(iam_ws_plan(WS), IAM_PLAN_FREE);
    ACCEPT(cmd, "IAMRequestLimit 1");
    ck_assert_int_eq(iam_ws_request_limit(WS), 1);
    ACCEPT(cmd, "IAMRequestLimit 1000");
    ck_assert_int_eq(iam_ws_request_limit(WS), 1000);
    ACCEPT(cmd, "IAMLoginCase fold");
    ck_assert_int_eq(iam_ws_login_fold(WS), 1);
    ACCEPT(cmd, "IAMLoginCase EXACT");
    ck_assert_int_eq(iam_ws_login_fold(WS), 0);
    ACCEPT(cmd, "IAMBootstrapOwner \"Olivia Owner\"");
    ck_assert_str_eq(iam_ws_bootstrap_owner(WS), "Olivia Owner");
}
END_TEST

START_TEST(test_roles)
{
    cmd_parms *cmd = TOP;
    const iam_role_t *role;

    ACCEPT(cmd, "IAMRole \"Pipeline Deployer\" pipeline edit");
    ACCEPT(cmd, "IAMRole 'Pipeline Auditor' pipeline READ all-only");
    role = iam_roles_find(iam_ws_roles(WS), "pipeline-deployer");
    ck_assert_ptr_nonnull(role);
    ck_assert_str_eq(role->name, "Pipeline Deployer");
    ck_assert_str_eq(role->type, "pipeline");
    ck_assert_int_eq(role->level, IAM_LEVEL_EDIT);
    ck_assert_int_eq(role->all_only, 0);
    ck_assert_int_eq(role->custom, 1);
    role = iam_roles_find(iam_ws_roles(WS), "Pipeline Auditor");
    ck_assert_ptr_nonnull(role);
    ck_assert_int_eq(role->level, IAM_LEVEL_READ);
    ck_assert_int_eq(role->all_only, 1);
    /* the second of a name is refused; the type is now one resources may have */
    REFUSE(cmd, "IAMRole \"pipeline deployer\" pipeline admin",
           "a custom role of that name is already declared");
    ACCEPT(IN("<Location /pipelines>"), "IAMResource pipeline nightly");
}
END_TEST

START_TEST(test_mail_and_links)
{
    cmd_parms *cmd = TOP;

    ACCEPT(cmd, "IAMMailCommand \"/usr/sbin/sendmail -t -i\"");
    ck_assert_str_eq(iam_ws_mail_command(WS), "/usr/sbin/sendmail -t -i");
    ACCEPT(cmd, "IAMMailFrom iam@example.com");
    ck_assert_str_eq(iam_ws_mail_from(WS), "iam@example.com");
    ACCEPT(cmd, "IAMLoginURL https://sso.example.com/login?next=/");
    ck_assert_str_eq(iam_ws_login_url(WS), "https://sso.example.com/login?next=/");
    ACCEPT(cmd, "IAMUserAttribute email OIDC_CLAIM_email");
    ACCEPT(cmd, "IAMUserAttribute NAME OIDC_CLAIM_name");
    ACCEPT(cmd, "IAMUserAttribute email_verified OIDC_CLAIM_email_verified");
    ck_assert_str_eq(iam_ws_attr_email(WS), "OIDC_CLAIM_email");
    ck_assert_str_eq(iam_ws_attr_name(WS), "OIDC_CLAIM_name");
    ck_assert_str_eq(iam_ws_attr_email_verified(WS), "OIDC_CLAIM_email_verified");
}
END_TEST

/* IAMDatabase: a PostgreSQL connection string, keywords or a URI. */
START_TEST(test_database)
{
    ACCEPT(TOP, "IAMDatabase \"host=/var/run/postgresql dbname=iam\"");
    ck_assert_str_eq(iam_ws_database(WS), "host=/var/run/postgresql dbname=iam");
    ACCEPT(TOP, "IAMDatabase postgresql://iam@db.example.com:5432/iam");
    ck_assert_str_eq(iam_ws_database(WS), "postgresql://iam@db.example.com:5432/iam");
}
END_TEST

/* IAMConsoleURL: the URL as given without trailing slashes (mails link
 * there), and the path of it on this site (the request form's target):
 * a path of this site, never "//HOST/..." (another site's). */
START_TEST(test_console_url)
{
    static const struct {
        const char *arg, *url, *path;
    } cases[] = {
        {"/iam", "/iam", "/iam"},
        {"/console/", "/console", "/console"},
        {"/a/b//", "/a/b", "/a/b"},
        {"/", "", ""}, /* the site's root: "/request-access", not "//request-access" */
        {"https://iam.example.com/iam/", "https://iam.example.com/iam", "/iam"},
        {"http://iam.example.com:8080/x/y", "http://iam.example.com:8080/x/y", "/x/y"},
        {"https://iam.example.com", "https://iam.example.com", ""},
        {"https://iam.example.com/", "https://iam.example.com", ""},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ACCEPT(TOP, apr_pstrcat(glue_pool, "IAMConsoleURL ", cases[i].arg, NULL));
        ck_assert_str_eq(iam_ws_console_url(WS), cases[i].url);
        ck_assert_str_eq(iam_ws_console_path(WS), cases[i].path);
    }
}
END_TEST

/* A URL names a host: without one there is no console to link to (the
 * setter once read past the end looking for the host's path). */
START_TEST(test_console_url_without_host)
{
    static const char *const bad[] = {"https://", "http://", "https:///", "https:///iam",
                                      "http:////iam"};
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        REFUSE(TOP, apr_pstrcat(glue_pool, "IAMConsoleURL ", bad[i], NULL),
               apr_pstrcat(glue_pool, "'", bad[i], "' must be the console's URL", NULL));
    ck_assert_str_eq(iam_ws_console_url(WS), "/iam");
}
END_TEST

/* IAMDeniedTemplate: a relative file is ServerRoot's, as every file
 * Apache's directives name; one that cannot be read is refused. */
START_TEST(test_denied_template)
{
    char *root = iam_test_tmpdir("glue-root");
    cmd_parms *cmd = IN("<Location /sources>");
    const char *err;
    FILE *f;

    stub_set_server_root(root);
    f = fopen(apr_pstrcat(glue_pool, root, "/denied.html", NULL), "w");
    ck_assert_ptr_nonnull(f);
    fputs("<p>{{resource}}</p>\n", f);
    fclose(f);
    ck_assert_ptr_null(iam_dir_denied_template(stub_dir_conf(cmd)));
    ACCEPT(cmd, "IAMDeniedTemplate denied.html");
    ck_assert_str_eq(stub_template_file(), apr_pstrcat(glue_pool, root, "/denied.html", NULL));
    ck_assert_ptr_nonnull(iam_dir_denied_template(stub_dir_conf(cmd)));
    err = REFUSE(cmd, "IAMDeniedTemplate missing.html", "missing.html: cannot be read");
    ck_assert_str_eq(stub_template_file(), apr_pstrcat(glue_pool, root, "/missing.html", NULL));
    ck_assert_str_eq(err, "IAMDeniedTemplate missing.html: cannot be read");
    /* an absolute path is its own */
    ACCEPT(TOP, apr_pstrcat(glue_pool, "IAMDeniedTemplate ", root, "/denied.html", NULL));
    iam_test_rmtree(root);
}
END_TEST

/* ---- the checks between directives ---- */

/* Just-in-time provisioning is a business feature: IAMAutoProvision On
 * and a smaller IAMPlan are refused together, whichever comes first. */
START_TEST(test_auto_provision_needs_business)
{
    server_rec *vhost = stub_server(glue_pool, 1);

    ACCEPT(TOP, "IAMPlan team");
    REFUSE(TOP, "IAMAutoProvision On", "On: the team plan has no just-in-time provisioning");
    REFUSE(stub_cmd(glue_pool, vhost, NULL), "IAMAutoProvision on", "the team plan has no");
    ACCEPT(TOP, "IAMAutoProvision Off");
    ACCEPT(TOP, "IAMPlan business");
    ACCEPT(TOP, "IAMAutoProvision On");
    ck_assert_int_eq(iam_auto_provision(glue_main), 1);
}
END_TEST

START_TEST(test_plan_after_auto_provision)
{
    ACCEPT(TOP, "IAMAutoProvision On");
    REFUSE(TOP, "IAMPlan free", "IAMPlan free: the free plan has no just-in-time provisioning");
    REFUSE(TOP, "IAMPlan team", "but IAMAutoProvision is On");
    ACCEPT(TOP, "IAMPlan business");
}
END_TEST

/* On in any virtual host counts, even if the main server says Off. */
START_TEST(test_plan_after_auto_provision_in_vhost)
{
    server_rec *vhost = stub_server(glue_pool, 1);

    ACCEPT(TOP, "IAMAutoProvision Off");
    ACCEPT(stub_cmd(glue_pool, vhost, NULL), "IAMAutoProvision On");
    ck_assert_int_eq(iam_auto_provision(glue_main), 0);
    ck_assert_int_eq(iam_auto_provision(vhost), 1);
    REFUSE(TOP, "IAMPlan team", "IAMAutoProvision is On");
}
END_TEST

/* A resource's type must be one some role grants on, built in or
 * declared by an IAMRole before it. */
START_TEST(test_resource_type_needs_a_role)
{
    cmd_parms *loc = IN("<Location /pipelines>");

    REFUSE(loc, "IAMResource pipeline nightly", "declare IAMRole before using a custom type");
    REFUSE(TOP, "IAMResourcePath /p pipeline nightly", "no role grants on type 'pipeline'");
    ACCEPT(TOP, "IAMRole Runner pipeline read");
    ACCEPT(loc, "IAMResource Pipeline nightly");
    ACCEPT(TOP, "IAMResourcePath /p pipeline nightly");
    ck_assert_int_eq(iam_ws_resources(WS)->nelts, 2);
}
END_TEST

/* "/a" and "/a/" are one entry: the second is refused. */
START_TEST(test_resource_path_twice)
{
    ACCEPT(TOP, "IAMResourcePath /sources/a source a");
    REFUSE(TOP, "IAMResourcePath /sources/a/ source b", "path '/sources/a/' is declared twice");
    ACCEPT(TOP, "IAMResourcePath /sources/ab source ab");
    ck_assert_int_eq(iam_ws_resources(WS)->nelts, 2);
}
END_TEST

/* Every declared resource is listed for the console: type, name (NULL for
 * a collection), labels in order, and where it was declared. */
START_TEST(test_resources_listed)
{
    const apr_array_header_t *all;
    const iam_resource_decl_t *d;

    ACCEPT(IN("<Location /sources/checkout>"), "IAMResource source checkout env:prod tier:1");
    ACCEPT(IN("<Directory /srv/warehouses>"), "IAMResource warehouse *");
    ACCEPT(TOP, "IAMResourcePath /spaces/s1/ space s1 team:growth");
    all = iam_ws_resources(WS);
    ck_assert_int_eq(all->nelts, 3);
    d = APR_ARRAY_IDX(all, 0, const iam_resource_decl_t *);
    ck_assert_str_eq(d->res.type, "source");
    ck_assert_str_eq(d->res.name, "checkout");
    ck_assert_int_eq(d->res.nlabels, 2);
    ck_assert_str_eq(d->res.labels[0], "env:prod");
    ck_assert_str_eq(d->res.labels[1], "tier:1");
    ck_assert_str_eq(d->path, "/sources/checkout");
    d = APR_ARRAY_IDX(all, 1, const iam_resource_decl_t *);
    ck_assert_str_eq(d->res.type, "warehouse");
    ck_assert_ptr_null(d->res.name);
    ck_assert_int_eq(d->res.nlabels, 0);
    ck_assert_str_eq(d->path, "/srv/warehouses");
    d = APR_ARRAY_IDX(all, 2, const iam_resource_decl_t *);
    ck_assert_str_eq(d->res.name, "s1");
    ck_assert_str_eq(d->path, "/spaces/s1/");
    ck_assert_uint_eq(d->path_len, strlen("/spaces/s1"));
    /* what the console finds by type and name */
    ck_assert_int_eq(iam_web_resource_decls(glue_pool, WS, "source", "checkout")->nelts, 1);
    ck_assert_int_eq(iam_web_resource_decls(glue_pool, WS, "warehouse", "*")->nelts, 1);
    ck_assert_int_eq(iam_web_resource_decls(glue_pool, WS, "source", "*")->nelts, 0);
    ck_assert_int_eq(iam_web_resource_decls(glue_pool, WS, "space", "s2")->nelts, 0);
}
END_TEST

/* ---- words ---- */

/* iamctl -f reads httpd.conf with iam_conf_word, which the module's
 * IAMRole shares and which says it reads as httpd's ap_getword_conf (the
 * stand-in's, written after httpd's): both split every line alike. */
START_TEST(test_words_as_httpd_reads_them)
{
    static const char *const lines[] = {
        "a b  c",
        "  lead and trail  ",
        "\"a b\" c",
        "'a b' \"c d\"",
        "\"say \\\"hi\\\"\" 'it\\'s'",
        "\"back\\\\slash\" 'one\\\\two'",
        "back\\\\slash one\\two trail\\",
        "\"a\"b 'c'd",
        "\"\" '' x",
        "\"unterminated word",
        "\"tab\there\"\tnext",
        "",
    };
    size_t i;
    int k;

    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *a = lines[i], *b = lines[i];
        for (k = 0; k < 8; k++) {
            const char *wa = iam_conf_word(glue_pool, &a), *wb = ap_getword_conf(glue_pool, &b);
            ck_assert_msg(!strcmp(wa, wb) && a == b,
                          "line %zu word %d: '%s' (rest '%s'), httpd '%s' (rest '%s')", i, k, wa, a,
                          wb, b);
        }
    }
}
END_TEST

void glue_add_directives(Suite *s)
{
    TCase *tc;

    tc = glue_tcase("refused", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_bad_global_values);
    tcase_add_test(tc, test_bad_resources);
    tcase_add_test(tc, test_refused_values_change_nothing);
    suite_add_tcase(s, tc);

    tc = glue_tcase("accepted", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_store_and_map_size);
    tcase_add_test(tc, test_plan_and_limits);
    tcase_add_test(tc, test_roles);
    tcase_add_test(tc, test_mail_and_links);
    tcase_add_test(tc, test_database);
    tcase_add_test(tc, test_console_url);
    tcase_add_test(tc, test_console_url_without_host);
    tcase_add_test(tc, test_resources_listed);
    suite_add_tcase(s, tc);

    tc = glue_tcase("words", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_words_as_httpd_reads_them);
    suite_add_tcase(s, tc);

    tc = glue_tcase("template", IAM_TIMEOUT_DISK);
    tcase_add_test(tc, test_denied_template);
    suite_add_tcase(s, tc);

    tc = glue_tcase("between directives", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_auto_provision_needs_business);
    tcase_add_test(tc, test_plan_after_auto_provision);
    tcase_add_test(tc, test_plan_after_auto_provision_in_vhost);
    tcase_add_test(tc, test_resource_type_needs_a_role);
    tcase_add_test(tc, test_resource_path_twice);
    suite_add_tcase(s, tc);
}
