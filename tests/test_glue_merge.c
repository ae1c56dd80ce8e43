/* mod_iam tests, the "glue" suite (glue_test.h): the merges httpd makes of
 * mod_iam's configuration, and what a request ends up with. A section's
 * settings merge field by field, the innermost that sets one winning and
 * unset ones inherited, with the defaults the getters give (request
 * access on, headers not forwarded, 403, no template, the level by
 * method). A virtual host inherits IAMAutoProvision unless it says it,
 * and has the main server's IAMResourcePath entries under its own. The
 * resource of a request is the longest IAMResourcePath covering it,
 * unless its section's IAMResource was declared on a longer <Location>
 * (mod_iam.h, iam_resource_of). */
#include "glue_test.h"

#include <stdarg.h>

/* The dir conf of cmd's context after running the lines (NULL-ended). */
static void *conf_of(cmd_parms *cmd, ...)
{
    va_list ap;
    const char *line;

    va_start(ap, cmd);
    while ((line = va_arg(ap, const char *)) != NULL)
        ACCEPT(cmd, line);
    va_end(ap);
    return stub_dir_conf(cmd);
}

#define CONF(cmd, ...) conf_of((cmd), __VA_ARGS__, (const char *)NULL)

static void *merge(void *outer, void *inner)
{
    return iam_merge_dir_conf(glue_pool, outer, inner);
}

/* What ap_fixup_virtual_hosts does for mod_iam: the vhost's server conf
 * and its defaults merged over the main server's. */
static void fixup(server_rec *vhost)
{
    void *base = ap_get_module_config(glue_main->module_config, &iam_module);
    void *add = ap_get_module_config(vhost->module_config, &iam_module);

    ap_set_module_config(vhost->module_config, &iam_module,
                         iam_merge_server_conf(glue_pool, base, add));
    base = ap_get_module_config(glue_main->lookup_defaults, &iam_module);
    add = ap_get_module_config(vhost->lookup_defaults, &iam_module);
    ap_set_module_config(vhost->lookup_defaults, &iam_module, merge(base, add));
}

/* The resource a request for `uri` to `s` has under dir conf `dc`: its
 * name, "(none)" when NULL, "(bad NAME)" for a template's bad segment. */
static const char *resource_name(server_rec *s, void *dc, const char *uri)
{
    request_rec *r = stub_request(glue_pool, s, dc, "GET", uri);
    iam_resource_at_t *at = apr_pcalloc(glue_pool, sizeof(*at));
    const iam_resource_t *res = iam_resource_of(r, iam_dir_of(r), at);

    ck_assert_ptr_eq(iam_dir_of(r), dc);
    if (at->bad)
        return apr_psprintf(glue_pool, "(bad %s)", at->name);
    return !res ? "(none)" : res->name ? res->name : "*";
}

/* ---- a section's settings ---- */

START_TEST(test_dir_defaults)
{
    void *fresh = iam_create_dir_conf(glue_pool, "/a");
    void *both = merge(iam_create_dir_conf(glue_pool, NULL), fresh);
    void *confs[] = {fresh, both, stub_dir_conf(TOP)};
    size_t i;
    int git = -1;

    for (i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
        ck_assert_int_eq(iam_dir_request_access(confs[i]), 1);
        ck_assert_int_eq(iam_dir_forward_headers(confs[i]), 0);
        ck_assert_int_eq(iam_dir_denied_status(confs[i]), 403);
        ck_assert_ptr_null(iam_dir_denied_template(confs[i]));
        ck_assert_int_eq(iam_dir_permission(confs[i], &git), IAM_LEVEL_NONE);
        ck_assert_int_eq(git, 0);
        ck_assert_str_eq(resource_name(glue_main, confs[i], "/a"), "(none)");
    }
}
END_TEST

START_TEST(test_dir_inner_wins_field_by_field)
{
    void *outer = CONF(IN("<Location /a>"), "IAMResource source checkout", "IAMPermission read",
                       "IAMDeniedStatus 401", "IAMRequestAccess Off", "IAMForwardHeaders On");
    void *level_only = CONF(IN("<Location /a/b>"), "IAMPermission edit");
    void *all = CONF(IN("<Location /a/c>"), "IAMResource warehouse lake", "IAMPermission auto",
                     "IAMDeniedStatus 403", "IAMRequestAccess On", "IAMForwardHeaders Off");
    void *m;
    int git;

    m = merge(outer, level_only);
    ck_assert_str_eq(resource_name(glue_main, m, "/a/b"), "checkout");
    ck_assert_int_eq(iam_dir_permission(m, &git), IAM_LEVEL_EDIT);
    ck_assert_int_eq(iam_dir_denied_status(m), 401);
    ck_assert_int_eq(iam_dir_request_access(m), 0);
    ck_assert_int_eq(iam_dir_forward_headers(m), 1);

    m = merge(outer, all);
    ck_assert_str_eq(resource_name(glue_main, m, "/a/c"), "lake");
    ck_assert_int_eq(iam_dir_permission(m, &git), IAM_LEVEL_NONE); /* auto: by method */
    ck_assert_int_eq(iam_dir_denied_status(m), 403);
    ck_assert_int_eq(iam_dir_request_access(m), 1);
    ck_assert_int_eq(iam_dir_forward_headers(m), 0);

    /* the other way round: the outer's settings are all overridden */
    m = merge(all, outer);
    ck_assert_str_eq(resource_name(glue_main, m, "/a"), "checkout");
    ck_assert_int_eq(iam_dir_permission(m, &git), IAM_LEVEL_READ);
    ck_assert_int_eq(iam_dir_denied_status(m), 401);
}
END_TEST

/* IAMPermission git is a level of its own: inherited as one, replaced
 * whole by an inner IAMPermission. */
START_TEST(test_dir_permission_git)
{
    void *git_conf = CONF(IN("<Location /repos>"), "IAMPermission git");
    void *admin = CONF(IN("<Location /repos/admin>"), "IAMPermission admin");
    void *plain = CONF(IN("<Location /repos/x>"), "IAMDeniedStatus 401");
    int git = -1;

    ck_assert_int_eq(iam_dir_permission(git_conf, &git), IAM_LEVEL_NONE);
    ck_assert_int_eq(git, 1);
    ck_assert_int_eq(iam_dir_permission(merge(git_conf, plain), &git), IAM_LEVEL_NONE);
    ck_assert_int_eq(git, 1);
    ck_assert_int_eq(iam_dir_permission(merge(git_conf, admin), &git), IAM_LEVEL_ADMIN);
    ck_assert_int_eq(git, 0);
    ck_assert_int_eq(iam_dir_permission(merge(admin, git_conf), &git), IAM_LEVEL_NONE);
    ck_assert_int_eq(git, 1);
}
END_TEST

/* The server's own settings, then a <Location>, then one inside it:
 * what no section sets comes from the top. */
START_TEST(test_dir_three_levels)
{
    void *top = CONF(TOP, "IAMRequestAccess Off", "IAMDeniedStatus 401");
    void *loc = CONF(IN("<Location /a>"), "IAMResource source a");
    void *inner = CONF(IN("<Location /a>", "<Location /a/b>"), "IAMForwardHeaders On");
    void *m = merge(merge(top, loc), inner);

    ck_assert_int_eq(iam_dir_request_access(m), 0);
    ck_assert_int_eq(iam_dir_denied_status(m), 401);
    ck_assert_int_eq(iam_dir_forward_headers(m), 1);
    ck_assert_str_eq(resource_name(glue_main, m, "/a/b"), "a");
}
END_TEST

/* ---- a virtual host ---- */

START_TEST(test_server_auto_provision_inherited)
{
    static const struct {
        const char *main_line, *vhost_line;
        int vhost;
    } cases[] = {
        {"IAMAutoProvision On", NULL, 1},
        {"IAMAutoProvision On", "IAMAutoProvision Off", 0},
        {NULL, "IAMAutoProvision On", 1},
        {"IAMAutoProvision Off", NULL, 0},
        {NULL, NULL, 0},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        server_rec *vhost;
        apr_pool_destroy(glue_pool); /* each case a configuration of its own */
        apr_pool_create(&glue_pool, NULL);
        glue_main = stub_server(glue_pool, 0);
        vhost = stub_server(glue_pool, 1);
        if (cases[i].main_line)
            ACCEPT(TOP, cases[i].main_line);
        if (cases[i].vhost_line)
            ACCEPT(stub_cmd(glue_pool, vhost, NULL), cases[i].vhost_line);
        fixup(vhost);
        ck_assert_msg(iam_auto_provision(vhost) == cases[i].vhost, "case %zu: vhost %d", i,
                      iam_auto_provision(vhost));
        ck_assert_ptr_eq(iam_workspace_of(vhost), iam_workspace_of(glue_main));
    }
}
END_TEST

/* The vhost's defaults merge over the main server's. */
START_TEST(test_server_dir_defaults_inherited)
{
    server_rec *vhost = stub_server(glue_pool, 1);

    CONF(TOP, "IAMDeniedStatus 401", "IAMForwardHeaders On");
    CONF(stub_cmd(glue_pool, vhost, NULL), "IAMForwardHeaders Off");
    fixup(vhost);
    ck_assert_int_eq(
        iam_dir_denied_status(ap_get_module_config(vhost->lookup_defaults, &iam_module)), 401);
    ck_assert_int_eq(
        iam_dir_forward_headers(ap_get_module_config(vhost->lookup_defaults, &iam_module)), 0);
}
END_TEST

/* A vhost has the main server's IAMResourcePath entries, its own winning
 * on the same path; the main server never gets the vhost's. */
START_TEST(test_server_paths_merged)
{
    server_rec *vhost = stub_server(glue_pool, 1);
    cmd_parms *vcmd = stub_cmd(glue_pool, vhost, NULL);
    void *none = iam_create_dir_conf(glue_pool, NULL);

    ACCEPT(TOP, "IAMResourcePath /shared source main-shared");
    ACCEPT(TOP, "IAMResourcePath /main source main-only");
    ACCEPT(vcmd, "IAMResourcePath /shared source vhost-shared");
    ACCEPT(vcmd, "IAMResourcePath /vhost source vhost-only");
    fixup(vhost);
    ck_assert_str_eq(resource_name(vhost, none, "/shared/x"), "vhost-shared");
    ck_assert_str_eq(resource_name(vhost, none, "/main/x"), "main-only");
    ck_assert_str_eq(resource_name(vhost, none, "/vhost"), "vhost-only");
    ck_assert_str_eq(resource_name(glue_main, none, "/shared/x"), "main-shared");
    ck_assert_str_eq(resource_name(glue_main, none, "/vhost/x"), "(none)");
}
END_TEST

/* ---- the resource of a request ---- */

START_TEST(test_resource_longest_wins)
{
    void *loc = CONF(IN("<Location /sources/checkout>"), "IAMResource source loc");

    ACCEPT(TOP, "IAMResourcePath /sources source *");
    ACCEPT(TOP, "IAMResourcePath /sources/checkout/deep source deep");
    /* the <Location> (17) is longer than /sources (8) */
    ck_assert_str_eq(resource_name(glue_main, loc, "/sources/checkout/x"), "loc");
    ck_assert_str_eq(resource_name(glue_main, loc, "/sources/checkout"), "loc");
    /* /sources/checkout/deep (22) is longer than the <Location> */
    ck_assert_str_eq(resource_name(glue_main, loc, "/sources/checkout/deep/x"), "deep");
    /* a whole segment only: /sources/checkout/deeper is not under .../deep */
    ck_assert_str_eq(resource_name(glue_main, loc, "/sources/checkout/deeper"), "loc");
    /* no <Location> declaration: the path's entry */
    ck_assert_str_eq(resource_name(glue_main, iam_create_dir_conf(glue_pool, NULL), "/sources/x"),
                     "*");
    ck_assert_str_eq(resource_name(glue_main, iam_create_dir_conf(glue_pool, NULL), "/other"),
                     "(none)");
}
END_TEST

/* A template names the resource by the path's segment, with the line's
 * labels; a segment that is no name makes no resource; an entry covering
 * as much wins over it, and a <Location> longer than what it covers. */
START_TEST(test_resource_template)
{
    void *none = iam_create_dir_conf(glue_pool, NULL);
    void *loc = CONF(IN("<Location /spaces/growth/admin>"), "IAMResource space growth-admin");
    void *outer = CONF(IN("<Location /spaces>"), "IAMResource space outer");
    request_rec *r;
    iam_resource_at_t at;
    const iam_resource_t *res;
    const apr_array_header_t *decls;
    const iam_resource_decl_t *d;

    ACCEPT(TOP, "IAMResourcePath /sources/{name} source env:prod team:data");
    ACCEPT(TOP, "IAMResourcePath /sources/web source web");
    ACCEPT(TOP, "IAMResourcePath /spaces/{name}/ space {name}");
    REFUSE(TOP, "IAMResourcePath /sources/{name}/ source", "declared twice");
    ck_assert_str_eq(resource_name(glue_main, none, "/sources/ios/x"), "ios");
    ck_assert_str_eq(resource_name(glue_main, none, "/sources/web/x"), "web");
    ck_assert_str_eq(resource_name(glue_main, none, "/sources/a b/x"), "(bad a b)");
    ck_assert_str_eq(resource_name(glue_main, none, "/sources"), "(none)");
    ck_assert_str_eq(resource_name(glue_main, loc, "/spaces/growth/admin/x"), "growth-admin");
    ck_assert_str_eq(resource_name(glue_main, outer, "/spaces/growth/x"), "growth");
    ck_assert_str_eq(resource_name(glue_main, outer, "/spaces"), "outer");
    r = stub_request(glue_pool, glue_main, none, "GET", "/sources/ios");
    res = iam_resource_of(r, none, &at);
    ck_assert_ptr_nonnull(res);
    ck_assert_str_eq(res->type, "source");
    ck_assert_int_eq(res->nlabels, 2);
    ck_assert_str_eq(res->labels[1], "team:data");
    ck_assert_ptr_eq(res->name, at.name); /* in the request's own state */
    /* the console's and the API's resource pages: a name the template
     * covers is declared, after the entries that name it */
    decls = iam_web_resource_decls(glue_pool, iam_workspace_of(glue_main), "source", "ios");
    ck_assert_int_eq(decls->nelts, 1);
    d = APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *);
    ck_assert_str_eq(d->res.name, "ios");
    ck_assert_int_eq(d->res.nlabels, 2);
    decls = iam_web_resource_decls(glue_pool, iam_workspace_of(glue_main), "source", "web");
    ck_assert_int_eq(decls->nelts, 2);
    ck_assert_int_eq(APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *)->res.nlabels, 0);
    ck_assert_int_eq(
        iam_web_resource_decls(glue_pool, iam_workspace_of(glue_main), "source", "a b")->nelts, 0);
    ck_assert_int_eq(
        iam_web_resource_decls(glue_pool, iam_workspace_of(glue_main), "source", "{name}")->nelts,
        0);
}
END_TEST

/* As long as each other: the IAMResourcePath ("a <Location> deeper than
 * the entry" only wins). A trailing '/' counts for neither. */
START_TEST(test_resource_equal_length)
{
    void *loc = CONF(IN("<Location /sources/checkout/>"), "IAMResource source loc");

    ACCEPT(TOP, "IAMResourcePath /sources/checkout source path");
    ck_assert_str_eq(resource_name(glue_main, loc, "/sources/checkout/x"), "path");
}
END_TEST

/* An IAMResource outside a plain <Location> counts as length 0: any
 * IAMResourcePath covering the request wins over it, "/" included. */
START_TEST(test_resource_other_sections)
{
    static const char *const sections[][3] = {
        {"<Directory /srv/sources>"},
        {"<LocationMatch ^/sources/checkout>"},
        {"<Location ~ \"^/sources/checkout\">"},
        {"<Files checkout.html>"},
        {"<Location /sources/checkout>", "<If \"true\">"},
    };
    size_t i;

    ACCEPT(TOP, "IAMResourcePath / source root");
    for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        void *dc = CONF(stub_cmd(glue_pool, glue_main, sections[i]), "IAMResource source sec");
        const char *got = resource_name(glue_main, dc, "/sources/checkout/x");
        ck_assert_msg(!strcmp(got, "root"), "%s %s: %s", sections[i][0],
                      sections[i][1] ? sections[i][1] : "", got);
    }
}
END_TEST

/* A conditional read at start-up (<IfModule>) is no section: the
 * <Location> around it still counts. */
START_TEST(test_resource_through_ifmodule)
{
    void *dc =
        CONF(IN("<Location /sources/checkout>", "<IfModule iam_module>"), "IAMResource source loc");

    ACCEPT(TOP, "IAMResourcePath /sources source path");
    ck_assert_str_eq(resource_name(glue_main, dc, "/sources/checkout/x"), "loc");
}
END_TEST

/* The <Location> whose IAMResource a request inherits is the one that
 * counts, not the innermost section. */
START_TEST(test_resource_inherited_length)
{
    void *outer = CONF(IN("<Location /sources>"), "IAMResource source outer");
    void *inner = CONF(IN("<Location /sources/checkout/deep>"), "IAMDeniedStatus 401");

    ACCEPT(TOP, "IAMResourcePath /sources/checkout source path");
    ck_assert_str_eq(resource_name(glue_main, merge(outer, inner), "/sources/checkout/deep/x"),
                     "path");
    ck_assert_str_eq(resource_name(glue_main, merge(outer, inner), "/sources/x"), "outer");
}
END_TEST

void glue_add_merge(Suite *s)
{
    TCase *tc;

    tc = glue_tcase("dir merge", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_dir_defaults);
    tcase_add_test(tc, test_dir_inner_wins_field_by_field);
    tcase_add_test(tc, test_dir_permission_git);
    tcase_add_test(tc, test_dir_three_levels);
    suite_add_tcase(s, tc);

    tc = glue_tcase("server merge", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_server_auto_provision_inherited);
    tcase_add_test(tc, test_server_dir_defaults_inherited);
    tcase_add_test(tc, test_server_paths_merged);
    suite_add_tcase(s, tc);

    tc = glue_tcase("resource of a request", IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_resource_longest_wins);
    tcase_add_test(tc, test_resource_template);
    tcase_add_test(tc, test_resource_equal_length);
    tcase_add_test(tc, test_resource_other_sections);
    tcase_add_test(tc, test_resource_through_ifmodule);
    tcase_add_test(tc, test_resource_inherited_length);
    suite_add_tcase(s, tc);
}
