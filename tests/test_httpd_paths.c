/* mod_iam integration tests, httpd suite: IAMResourcePath, resources
 * declared by path in one table: a matrix on a site of its own (the
 * longest entry, whole segments, runs of slashes, decoded paths, the
 * table against a <Location>'s IAMResource), the decisions logged,
 * subrequests and internal redirects decided again for their own path
 * (resource_path); virtual hosts with tables of their own, and what
 * apache2 -t refuses or accepts (resource_path_config). */
#include "httpd_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- IAMResourcePath: resources declared by path, in one table ---- */

/* The demo's htdocs with a site of its own: every path needs `Require
 * iam`, and the sources are declared by path alone (a collection and the
 * named sources below it). One <Location> names another resource on a
 * path the table covers too (the table wins); the warehouse is declared by
 * its <Location> only, and /unmapped/ by neither. MergeSlashes Off keeps
 * "//" in the request's path, as <Location> does not. SSI and a
 * per-directory RewriteRule make subrequests and internal redirects that
 * share the parent's sections. */
static const char paths_site[] = "MergeSlashes Off\n"
                                 "LoadModule include_module "
                                 "/usr/lib/apache2/modules/mod_include.so\n"
                                 "LoadModule rewrite_module "
                                 "/usr/lib/apache2/modules/mod_rewrite.so\n"
                                 "AddOutputFilter INCLUDES .shtml\n"
                                 "ErrorDocument 404 /errors/404.html\n"
                                 "DocumentRoot \"${IAM_ROOT}/htdocs\"\n"
                                 "<Directory \"${IAM_ROOT}/htdocs\">\n"
                                 "    Options +Includes +FollowSymLinks\n"
                                 "    RewriteEngine On\n"
                                 "    RewriteRule ^sources/web/jump$ /sources/checkout/index.html\n"
                                 "    RewriteRule ^sources/web/hop$ /sources/web/index.html\n"
                                 "    AllowOverride None\n"
                                 "    AuthType Basic\n"
                                 "    AuthName \"mod_iam paths\"\n"
                                 "    AuthBasicProvider file\n"
                                 "    AuthUserFile \"${IAM_ROOT}/htpasswd\"\n"
                                 "    Require iam\n"
                                 "</Directory>\n"
                                 "IAMResourcePath /sources source *\n"
                                 "IAMResourcePath /sources/checkout source checkout\n"
                                 "IAMResourcePath /sources/web/ source web env:prod team:growth\n"
                                 "IAMResourcePath /sources/ios source ios env:dev\n"
                                 "<Location \"/sources/ios/\">\n"
                                 "    IAMResource warehouse main\n"
                                 "</Location>\n"
                                 "<IfModule iam_module>\n"
                                 "<Location \"/sources/web/private/\">\n"
                                 "    IAMResource source private\n"
                                 "</Location>\n"
                                 "</IfModule>\n"
                                 "<Location \"/sources/checkout/settings/\">\n"
                                 "    IAMPermission admin\n"
                                 "</Location>\n"
                                 "<Location \"/warehouses/main/\">\n"
                                 "    IAMResource warehouse main\n"
                                 "</Location>\n";

/* The fixture's members, and pages where only the table says what they
 * are: /sources/checkoutx/ (not checkout's) and /reports/q3/. */
static void prepare_paths(iam_httpd_t *h, const char *tag)
{
    char *out;

    iam_httpd_prepare(h, tag);
    add_fixture_members(h);
    if (iam_test_run(
            &out, NULL,
            "for d in sources/checkoutx reports/q3 sources/web/private errors; do mkdir -p "
            "'%s/htdocs/'$d && "
            "echo \"<p>$d</p>\" >'%s/htdocs/'$d/index.html; done && "
            "echo '<p>our 404</p>' >'%s/htdocs/errors/404.html' && "
            "printf '<p>web</p><!--#include virtual=\"%%s\" -->\\n' "
            "/sources/checkout/index.html >'%s/htdocs/sources/web/other.shtml' && "
            "printf '<p>web</p><!--#include virtual=\"%%s\" -->\\n' "
            "/sources/web/index.html >'%s/htdocs/sources/web/own.shtml' && "
            "chmod -R a+rX '%s'",
            h->root, h->root, h->root, h->root, h->root, h->root) != 0) {
        fprintf(stderr, "preparing %s: %s\n", h->root, out);
        abort();
    }
    free(out);
}

static void start_paths(void)
{
    prepare_paths(&srv, "paths");
    if (iam_httpd_start(&srv, "event", paths_site, NULL) != 0) {
        char *log = iam_httpd_log(&srv);
        fprintf(stderr, "apache2 did not start with IAMResourcePath:\n%s\n", log);
        abort();
    }
}

/* Whether the error log has `needle` (failure messages name the needle,
 * not the whole log: Check refuses long messages). */
static int log_has(const iam_httpd_t *h, const char *needle)
{
    char *log = iam_httpd_log(h);
    int found = has(log, needle);

    free(log);
    return found;
}

static const matrix_row_t path_matrix[] = {
    {NULL, "GET", "/sources/checkout/", 401},
    /* a named resource of the table: allowed on it, refused on another */
    {"sam", "GET", "/sources/checkout/", 200},
    {"sam", "GET", "/sources/web/", 403},
    {"max", "GET", "/sources/checkout/", 403},
    {"wanda", "GET", "/sources/checkout/", 403},
    /* the entry covers the path without its '/' (mod_dir then redirects) */
    {"sam", "GET", "/sources/checkout", 301},
    {"max", "GET", "/sources/checkout", 403},
    /* and every path below it; a <Location>'s IAMPermission still applies */
    {"sam", "GET", "/sources/checkout/index.html", 200},
    {"sam", "GET", "/sources/checkout/settings/", 200},
    {"rita", "GET", "/sources/checkout/settings/", 403},
    {"cara", "GET", "/sources/checkout/settings/", 200},
    /* the longest entry wins: sam may POST to checkout (Source Admin on
     * it), not to the collection (that needs admin on all) */
    {"sam", "POST", "/sources/checkout/", 200},
    {"sam", "POST", "/sources/", 403},
    {"rita", "POST", "/sources/checkout/", 403},
    {"rita", "GET", "/sources/", 200},
    {"max", "GET", "/sources/", 403},
    {"cara", "POST", "/sources/", 200},
    /* whole segments: /sources/checkoutx is the collection's, not checkout's */
    {"sam", "POST", "/sources/checkoutx/", 403},
    {"cara", "POST", "/sources/checkoutx/", 200},
    {"rita", "GET", "/sources/checkoutx/", 200},
    {"max", "GET", "/sources/checkoutx/", 403},
    /* a run of slashes is one, as <Location> compares it: "//" must not
     * slip past checkout to the collection */
    {"max", "GET", "/sources//checkout/", 403},
    {"wanda", "GET", "//sources///checkout/", 403},
    {"sam", "GET", "/sources//checkout/", 200},
    {"rita", "GET", "/sources//checkoutx/", 200},
    /* the request's decoded path is looked up */
    {"sam", "POST", "/sources/check%6Fut/", 200},
    {"max", "GET", "/sources/%63heckout/", 403},
    /* a label grant covers a labelled resource of the table */
    {"lena", "GET", "/sources/web/", 200},
    {"lena", "PUT", "/sources/web/", 405}, /* allowed; the file handler refuses PUT */
    {"lena", "GET", "/sources/ios/", 403},
    {"lena", "GET", "/sources/checkout/", 403},
    /* the table wins over a <Location>'s IAMResource on the same path:
     * /sources/ios/ is source ios, not the warehouse its Location names */
    {"rita", "GET", "/sources/ios/", 200},
    {"wanda", "GET", "/sources/ios/", 403},
    /* a <Location> deeper than the entry covering it is the more specific:
     * /sources/web/private/ is source private, not web */
    {"lena", "GET", "/sources/web/private/", 403},
    {"lena", "GET", "/sources/web/", 200},
    {"rita", "GET", "/sources/web/private/", 200},
    /* no entry covers /warehouses/: the <Location>'s IAMResource applies */
    {"wanda", "GET", "/warehouses/main/", 200},
    {"wanda", "POST", "/warehouses/main/", 403},
    {"rita", "GET", "/warehouses/main/", 403},
    {"cara", "GET", "/warehouses/main/", 403},
    /* neither: refused (a configuration error), except for owners */
    {"max", "GET", "/unmapped/", 403},
    {"cara", "GET", "/unmapped/", 403},
    {"max", "GET", "/reports/q3/", 403},
    {"olivia", "GET", "/unmapped/", 200},
    {"olivia", "POST", "/sources/checkout/", 200},
};

START_TEST(test_resource_path_matrix)
{
    ck_row(&path_matrix[_i]);
}
END_TEST

/* The decision names the table's resource; a Require iam path with
 * neither an entry nor an IAMResource is logged as the configuration
 * error it is, naming both directives. */
START_TEST(test_resource_path_logged)
{
    ck_assert_int_eq(status_of("GET", "/sources/ios/", "rita"), 200);
    ck_assert_int_eq(status_of("POST", "/sources/checkoutx/", "sam"), 403);
    ck_assert_int_eq(status_of("GET", "/unmapped/", "max"), 403);
    ck_assert_msg(log_has(&srv, "allow user 'rita' read on source ios (/sources/ios/)"),
                  "no allow line for rita on source ios");
    ck_assert_msg(log_has(&srv, "deny user 'sam' edit on source * (/sources/checkoutx/)"),
                  "no deny line for sam on the collection at /sources/checkoutx/");
    ck_assert_msg(log_has(&srv, "deny user 'max' on /unmapped/: 'Require iam' with no resource "
                                "for this path (configuration error: declare it with "
                                "IAMResourcePath, or IAMResource"),
                  "no configuration error for /unmapped/");
}
END_TEST

/* A subrequest or an internal redirect that shares every section with its
 * parent is not authorized again by Apache; with resources by path, mod_iam
 * decides it again for its own path. lena may read web, not checkout. */
START_TEST(test_resource_path_inherited)
{
    char userpass[] = "lena:lena-pw", *body;

    /* SSI: the include of checkout's page is refused, web's own is not */
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/other.shtml", userpass, &body), 200);
    ck_assert_msg(has(body, "<p>web</p>") && !has(body, "<h1>sources/checkout</h1>"),
                  "lena's page included checkout's: %.300s", body);
    free(body);
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/own.shtml", userpass, &body), 200);
    ck_assert_msg(has(body, "<h1>sources/web</h1>"), "web's own include missing: %.300s", body);
    free(body);
    /* a per-directory RewriteRule: an internal redirect to checkout */
    ck_assert_int_eq(status_of("GET", "/sources/web/jump", "lena"), 403);
    ck_assert_int_eq(status_of("GET", "/sources/web/hop", "lena"), 200);
    ck_assert_int_eq(status_of("GET", "/sources/web/jump", "sam"),
                     403); /* sam: checkout, not web */
    ck_assert_int_eq(status_of("GET", "/sources/web/jump", "olivia"), 200); /* an owner */
    /* an ErrorDocument is the administrator's page for the error, served
     * though no resource covers /errors/ */
    ck_assert_int_eq(iam_http(&srv, "GET", "/sources/web/missing", userpass, &body), 404);
    ck_assert_msg(has(body, "<p>our 404</p>"), "not the ErrorDocument: %.300s", body);
    free(body);
    ck_assert_msg(log_has(&srv, "refusing 'lena' the internal redirect of /sources/web/jump: not "
                                "allowed on /sources/checkout/index.html itself"),
                  "no log line for lena's internal redirect");
}
END_TEST

/* ---- IAMResourcePath: servers and configtests of their own ---- */

static iam_httpd_t vh;

/* A request to vh as `user`: the status, the body into *body. */
static long vh_get(const char *path, const char *user, char **body)
{
    iam_req_t req = {"GET", path, xprintf("%s:%s-pw", user, user), NULL, NULL, {NULL}};

    return iam_http_do(&vh, &req, body, NULL);
}

static void vh_setup(void)
{
    prepare_paths(&vh, "pathsvh");
}

static void vh_teardown(void)
{
    iam_httpd_cleanup(&vh);
}

/* One request to the name-based virtual host `host` (NULL: the default). */
static long vh_status(const char *host, const char *method, const char *path, const char *user)
{
    iam_req_t req = {method, path, xprintf("%s:%s-pw", user, user), NULL, NULL, {NULL}};

    if (!strcmp(method, "POST")) {
        req.body = "x=1";
        req.content_type = "application/x-www-form-urlencoded";
    }
    req.headers[0] = host ? xprintf("Host: %s", host) : NULL;
    return iam_http_do(&vh, &req, NULL, NULL);
}

/* A template: every space under /spaces/ is the space its segment names,
 * one that did not exist when httpd started included (no configuration
 * change), with the line's labels; an entry on the same path wins; a
 * segment that is no name is refused, to an owner too, and logged; the
 * refused page names the space. */
START_TEST(test_resource_path_template)
{
    char *site = xprintf("%s"
                         "IAMResourcePath /spaces/{name} space env:dev\n"
                         "IAMResourcePath /spaces/growth space growth env:prod\n",
                         paths_site),
         *body = NULL;
    const char *who[] = {"tina", "una", "vic"};
    size_t i;

    for (i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        add_user(&vh, who[i]);
        iam_ctl_or_die(&vh, xprintf("member add %s", who[i]));
    }
    iam_ctl_or_die(&vh, "grant --member tina personas-read-only --all");
    iam_ctl_or_die(&vh, "grant --member una personas-read-only --resource beta");
    iam_ctl_or_die(&vh, "grant --member vic personas-read-only --label env:dev");
    ck_assert_int_eq(iam_test_run(NULL, NULL,
                                  "mkdir -p '%s/htdocs/spaces/alpha' '%s/htdocs/spaces/growth' && "
                                  "echo alpha >'%s/htdocs/spaces/alpha/index.html' && "
                                  "echo growth >'%s/htdocs/spaces/growth/index.html' && "
                                  "chmod -R a+rX '%s/htdocs/spaces'",
                                  vh.root, vh.root, vh.root, vh.root, vh.root),
                     0);
    ck_assert_int_eq(iam_httpd_start(&vh, "event", site, NULL), 0);
    ck_assert_int_eq(vh_get("/spaces/alpha/", "tina", NULL), 200);
    ck_assert_int_eq(vh_get("/spaces/alpha/", "una", &body), 403);
    ck_assert_msg(has(body, "alpha"), "the refused page names the space: %s", body);
    ck_assert_int_eq(vh_get("/spaces/alpha/", "vic", NULL), 200);  /* env:dev, from the line */
    ck_assert_int_eq(vh_get("/spaces/growth/", "vic", NULL), 403); /* the entry's env:prod */
    ck_assert_int_eq(vh_get("/spaces/growth/", "tina", NULL), 200);
    /* a space made now: the grants that cover it apply at once */
    ck_assert_int_eq(vh_get("/spaces/beta/", "una", NULL), 404);
    ck_assert_int_eq(iam_test_run(NULL, NULL,
                                  "mkdir -p '%s/htdocs/spaces/beta' && echo beta "
                                  ">'%s/htdocs/spaces/beta/index.html' && chmod -R a+rX "
                                  "'%s/htdocs/spaces/beta'",
                                  vh.root, vh.root, vh.root),
                     0);
    ck_assert_int_eq(vh_get("/spaces/beta/", "una", NULL), 200);
    ck_assert_int_eq(vh_get("/spaces/beta/", "tina", NULL), 200);
    ck_assert_int_eq(vh_get("/spaces/alpha/", "una", NULL), 403);
    /* no resource is named "a b": refused for everyone, and logged */
    ck_assert_int_eq(vh_get("/spaces/a%20b/", "olivia", NULL), 403);
    ck_assert_int_eq(vh_get("/spaces/a%20b/", "tina", NULL), 403);
    ck_assert_msg(log_has(&vh, "'a b' is not a resource name"), "no log line for the bad name");
    /* the collection itself is not under the template */
    ck_assert_int_eq(vh_get("/spaces/", "tina", NULL), 403);
}
END_TEST

/* The console, for the resource-admin cases' servers. */
static const char console_site[] = "<Location \"/iam\">\n"
                                   "    SetHandler iam-admin\n"
                                   "    AuthType Basic\n"
                                   "    AuthName \"mod_iam paths\"\n"
                                   "    AuthBasicProvider file\n"
                                   "    AuthUserFile \"${IAM_ROOT}/htpasswd\"\n"
                                   "    Require valid-user\n"
                                   "</Location>\n";

/* A resource's admin may relabel it only where they are its admin under
 * every path that names it: with two templates of one type, an admin by
 * the label one template gives is not the admin of the same name under
 * the other, and a relabel would open that door (the workspace's label
 * wins on its key); an admin by name is, under both. */
START_TEST(test_resource_admin_every_path)
{
    char *site = xprintf("%s"
                         "IAMResourcePath /pa/{name} source team:a\n"
                         "IAMResourcePath /pb/{name} source team:b\n"
                         "%s",
                         paths_site, console_site);
    iam_req_t put = {"PUT",
                     "/iam/api/v1/resources/source/payroll/labels",
                     NULL,
                     "application/json",
                     "{\"labels\":[\"team:a\"]}",
                     {NULL}};

    add_user(&vh, "ada");
    add_user(&vh, "abe");
    iam_ctl_or_die(&vh, "member add ada");
    iam_ctl_or_die(&vh, "member add abe");
    iam_ctl_or_die(&vh, "grant --member abe source-admin --resource payroll");
    ck_assert_int_eq(iam_httpd_start(&vh, "event", site, NULL), 0);
    /* team:a exists once the server recorded httpd.conf's labels */
    iam_ctl_or_die(&vh, "grant --member ada source-admin --label team:a");
    put.userpass = "ada:ada-pw";
    ck_assert_int_eq(iam_http_do(&vh, &put, NULL, NULL), 403);
    ck_assert_int_eq(vh_get("/pb/payroll/", "ada", NULL), 403);
    put.userpass = "abe:abe-pw";
    ck_assert_int_eq(iam_http_do(&vh, &put, NULL, NULL), 200);
    /* the workspace's team:a now reaches payroll under /pb/ too: by an owner's
     * say-so (abe administers payroll everywhere), not ada's */
    ck_assert_int_eq(vh_get("/pb/payroll/", "ada", NULL), 404);
}
END_TEST

/* The same whatever the case of the name in the URL: "Secret" is the
 * entry's "secret" (names match in any case), so an admin by the
 * template's label is not its admin. */
START_TEST(test_resource_admin_name_case)
{
    char *site = xprintf("%s"
                         "IAMResourcePath /pa/{name} source team:a\n"
                         "IAMResourcePath /pc/secret source secret team:b\n"
                         "%s",
                         paths_site, console_site);
    iam_req_t put = {"PUT",
                     "/iam/api/v1/resources/source/Secret/labels",
                     "ada:ada-pw",
                     "application/json",
                     "{\"labels\":[\"team:a\"]}",
                     {NULL}};

    add_user(&vh, "ada");
    iam_ctl_or_die(&vh, "member add ada");
    ck_assert_int_eq(iam_httpd_start(&vh, "event", site, NULL), 0);
    iam_ctl_or_die(&vh, "grant --member ada source-admin --label team:a");
    ck_assert_int_eq(iam_http_do(&vh, &put, NULL, NULL), 403);
    put.path = "/iam/api/v1/resources/source/secret/labels";
    ck_assert_int_eq(iam_http_do(&vh, &put, NULL, NULL), 403);
    put.path = "/iam/api/v1/resources/source/other/labels"; /* the template's alone */
    ck_assert_int_eq(iam_http_do(&vh, &put, NULL, NULL), 200);
    ck_assert_int_eq(vh_get("/pc/secret/", "ada", NULL), 403);
}
END_TEST

/* A virtual host has the main server's entries and its own; its own win
 * on the same path. The first (default) virtual host adds none, so it
 * sees the main server's only. */
START_TEST(test_resource_path_vhost)
{
    char *site = xprintf("%s"
                         "<VirtualHost 127.0.0.1:${IAM_PORT}>\n"
                         "    ServerName 127.0.0.1\n"
                         "</VirtualHost>\n"
                         "<VirtualHost 127.0.0.1:${IAM_PORT}>\n"
                         "    ServerName paths.example\n"
                         "    IAMResourcePath /sources/web source checkout\n"
                         "    IAMResourcePath /reports/q3 warehouse main\n"
                         "</VirtualHost>\n",
                         paths_site);

    if (iam_httpd_start(&vh, "event", site, NULL) != 0) {
        ck_abort_msg("apache2 did not start with a virtual host: %s",
                     log_has(&vh, "IAMResourcePath") ? "IAMResourcePath refused" : "see its log");
    }
    /* the default host: the main server's table */
    ck_assert_int_eq(vh_status(NULL, "GET", "/sources/checkout/", "sam"), 200);
    ck_assert_int_eq(vh_status(NULL, "GET", "/sources/web/", "sam"), 403);
    ck_assert_int_eq(vh_status(NULL, "GET", "/sources/web/", "lena"), 200);
    ck_assert_int_eq(vh_status(NULL, "GET", "/reports/q3/", "wanda"), 403);
    ck_assert_int_eq(vh_status(NULL, "POST", "/sources/checkoutx/", "sam"), 403);
    /* paths.example: the main server's entries ... */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/checkout/", "sam"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/checkout/", "max"), 403);
    ck_assert_int_eq(vh_status("paths.example", "POST", "/sources/checkoutx/", "sam"), 403);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/ios/", "lena"), 403);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/ios/", "rita"), 200);
    /* ... its own on the same path ("/sources/web" is "/sources/web/") ... */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/web/", "sam"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/sources/web/", "lena"), 403);
    /* ... and its own new one */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/reports/q3/", "wanda"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/reports/q3/", "cara"), 403);
    /* the Location's IAMResource where neither table has an entry */
    ck_assert_int_eq(vh_status("paths.example", "GET", "/warehouses/main/", "wanda"), 200);
    ck_assert_int_eq(vh_status("paths.example", "GET", "/unmapped/", "max"), 403);
}
END_TEST

static const bad_config_t bad_path_config[] = {
    /* arguments */
    {"IAMResourcePath", "IAMResourcePath needs PATH TYPE NAME"},
    {"IAMResourcePath \"\" source a", "IAMResourcePath needs PATH TYPE NAME"},
    {"IAMResourcePath /a", "IAMResourcePath needs PATH TYPE NAME"},
    {"IAMResourcePath /a source", "IAMResourcePath needs PATH TYPE NAME"},
    /* the path */
    {"IAMResourcePath sources/a source a", "IAMResourcePath: path 'sources/a' must begin with '/'"},
    {"IAMResourcePath * source a", "IAMResourcePath: path '*' must begin with '/'"},
    {"IAMResourcePath //a source a", "IAMResourcePath: path '//a' has an empty segment"},
    {"IAMResourcePath /a//b source a", "IAMResourcePath: path '/a//b' has an empty segment"},
    {"IAMResourcePath /a/./b source a", "IAMResourcePath: path '/a/./b' has a '.' or '..'"},
    {"IAMResourcePath /a/.. source a", "IAMResourcePath: path '/a/..' has a '.' or '..'"},
    {"IAMResourcePath /.. source a", "IAMResourcePath: path '/..' has a '.' or '..'"},
    {"IAMResourcePath \"/a\001b\" source a", "IAMResourcePath: path '/a\\x01b' holds a control"},
    {"IAMResourcePath /a\x7f source a", "IAMResourcePath: path '/a\\x7f' holds a control"},
    {"IAMResourcePath /a%2Fb source a", "IAMResourcePath: path '/a%2Fb' holds '%'"},
    /* the resource, as IAMResource's */
    {"IAMResourcePath /a nosuchtype a", "IAMResourcePath: no role grants on type 'nosuchtype'"},
    {"IAMResourcePath /a source b@d", "IAMResourcePath: name 'b@d'"},
    {"IAMResourcePath /a source a env", "IAMResourcePath: 'env'"},
    {"IAMResourcePath /a source a env:x env:y", "IAMResourcePath: label key of 'env:y'"},
    {"IAMResourcePath /a source * env:x", "IAMResourcePath: a collection (*) carries no labels"},
    {"IAMResourcePath /d dashboard kpis\nIAMRole \"Dashboard Viewer\" dashboard read",
     "IAMResourcePath: no role grants on type 'dashboard'"},
    /* the same path twice in one server, however spelled */
    {"IAMResourcePath /a source a\nIAMResourcePath /a source b",
     "IAMResourcePath: path '/a' is declared twice"},
    {"IAMResourcePath /a source a\nIAMResourcePath /a/ source a",
     "IAMResourcePath: path '/a/' is declared twice"},
    {"IAMResourcePath / source *\nIAMResourcePath / source a",
     "IAMResourcePath: path '/' is declared twice"},
    {"<VirtualHost 127.0.0.1:${IAM_PORT}>\nIAMResourcePath /v source a\n"
     "IAMResourcePath /v/ source b\n</VirtualHost>",
     "IAMResourcePath: path '/v/' is declared twice"},
    /* server config and virtual hosts only */
    {"<Location /x>\nIAMResourcePath /x source a\n</Location>", "IAMResourcePath not allowed"},
    {"<Directory /tmp>\nIAMResourcePath /x source a\n</Directory>", "IAMResourcePath not allowed"},
    {"<Files x>\nIAMResourcePath /x source a\n</Files>", "IAMResourcePath not allowed"},
};

START_TEST(test_resource_path_configtest_refuses)
{
    ck_refused(&vh, &bad_path_config[_i]);
}
END_TEST

/* 1024 bytes is the longest path; one more is refused. */
START_TEST(test_resource_path_configtest_length)
{
    char path[1100], *out;
    int rc;

    memset(path, 'p', sizeof(path));
    path[0] = '/';
    path[1024] = '\0';
    rc = iam_httpd_configtest(&vh, xprintf("IAMResourcePath %s source long", path), &out);
    ck_assert_msg(rc == 0, "a path of 1024 bytes refused");
    free(out);
    path[1024] = 'p';
    path[1025] = '\0';
    rc = iam_httpd_configtest(&vh, xprintf("IAMResourcePath %s source long", path), &out);
    ck_assert_msg(rc != 0, "a path of 1025 bytes accepted");
    ck_assert_msg(has(out, "IAMResourcePath: path '/ppp") && has(out, "is longer than 1024 bytes"),
                  "no length error naming IAMResourcePath");
    free(out);
}
END_TEST

START_TEST(test_resource_path_configtest_accepts)
{
    char *out;
    int rc = iam_httpd_configtest(&vh,
                                  "IAMRole \"Dashboard Viewer\" dashboard read\n"
                                  "IAMResourcePath / source *\n"
                                  "IAMResourcePath /d dashboard kpis team:growth\n"
                                  "IAMResourcePath \"/with space/caf\xc3\xa9\" source s\n"
                                  "IAMResourcePath /.well-known/x... source dots\n"
                                  "IAMResourcePath /a/ source a\n"
                                  "IAMResourcePath /a/b source b env:prod\n"
                                  "IAMResourcePath /a/bc source * \n"
                                  "<VirtualHost 127.0.0.1:${IAM_PORT}>\n"
                                  "ServerName v.example\n"
                                  "IAMResourcePath /a source other\n" /* the main server's path */
                                  "IAMResourcePath /v source v\n"
                                  "</VirtualHost>\n"
                                  "<Location /d>\nRequire iam\n</Location>",
                                  &out);

    ck_assert_msg(rc == 0, "%s", out);
    free(out);
}
END_TEST

void ht_add_paths(Suite *s)
{
    TCase *tc;

    tc = tcase_create("resource_path");
    tcase_add_unchecked_fixture(tc, start_paths, stop_demo);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_resource_path_matrix, 0,
                        (int)(sizeof(path_matrix) / sizeof(path_matrix[0])));
    tcase_add_test(tc, test_resource_path_logged);
    tcase_add_test(tc, test_resource_path_inherited);
    suite_add_tcase(s, tc);

    tc = tcase_create("resource_path_config");
    tcase_add_checked_fixture(tc, vh_setup, vh_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_resource_path_vhost);
    tcase_add_test(tc, test_resource_path_template);
    tcase_add_test(tc, test_resource_admin_every_path);
    tcase_add_test(tc, test_resource_admin_name_case);
    tcase_add_loop_test(tc, test_resource_path_configtest_refuses, 0,
                        (int)(sizeof(bad_path_config) / sizeof(bad_path_config[0])));
    tcase_add_test(tc, test_resource_path_configtest_length);
    tcase_add_test(tc, test_resource_path_configtest_accepts);
    suite_add_tcase(s, tc);
}
