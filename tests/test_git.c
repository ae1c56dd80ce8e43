/* mod_iam tests: Git over HTTP. Apache's git-http-backend (the git
 * package's smart-HTTP CGI) serves a bare repository behind `Require
 * iam`; the real `git` client clones, fetches and pushes as members with
 * a reader's and a writer's role, with `IAMPermission git` and with the
 * README's recipe written out by hand (<LocationMatch> and <If>). A fetch
 * is a POST to git-upload-pack (read by intent, edit by method); a push
 * begins with a GET of info/refs?service=git-receive-pack (edit by
 * intent, read by method). */
#include "iam_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULES "/usr/lib/apache2/modules"
#define BACKEND "/usr/lib/git-core/git-http-backend"

static iam_httpd_t srv;

/* The part of the site every variant shares: the CGI, the repository
 * root, the roles and the repository as a resource. */
static const char *site_common(void)
{
    return xprintf(
        "LoadModule cgid_module " MODULES "/mod_cgid.so\n"
        "LoadModule alias_module " MODULES "/mod_alias.so\n"
        "LoadModule env_module " MODULES "/mod_env.so\n"
        "ScriptSock \"%s/run/cgid.sock\"\n"
        "SetEnv GIT_PROJECT_ROOT \"%s/git\"\n"
        "SetEnv GIT_HTTP_EXPORT_ALL 1\n"
        "ScriptAlias /git/ " BACKEND "/\n"
        "IAMRole \"Repo Reader\" repo read\n"
        "IAMRole \"Repo Writer\" repo edit\n"
        "IAMResourcePath /git/project.git repo project\n",
        srv.root, srv.root);
}

/* The repository's location behind Basic auth and `Require iam`, with
 * `inside` added to it, and `after` after it. */
static const char *site_with(const char *inside, const char *after)
{
    return xprintf("%s<Location \"/git/\">\n"
                   "  AuthType Basic\n  AuthName \"git\"\n  AuthBasicProvider file\n"
                   "  AuthUserFile \"%s/htpasswd\"\n"
                   "%s"
                   "  Require iam\n"
                   "</Location>\n%s",
                   site_common(), srv.root, inside, after);
}

/* `IAMPermission git`: one line. */
static const char *site_directive(void)
{
    return site_with("  IAMPermission git\n", "");
}

/* The README's recipe without the directive. */
static const char *site_recipe(void)
{
    return site_with("", "<LocationMatch \"/git-upload-pack$\">\n"
                         "  IAMPermission read\n"
                         "</LocationMatch>\n"
                         "<LocationMatch \"/info/refs$\">\n"
                         "  <If \"%{QUERY_STRING} =~ /(^|&)service=git-receive-pack(&|$)/\">\n"
                         "    IAMPermission edit\n"
                         "  </If>\n"
                         "</LocationMatch>\n");
}

/* Only by method: what an administrator gets without either. */
static const char *site_by_method(void)
{
    return site_with("", "");
}

static void sh_ok(const char *cmd)
{
    char *out = NULL;
    int rc = iam_test_run(&out, NULL, "( %s ) 2>&1", cmd);

    ck_assert_msg(rc == 0, "%s: exit %d\n%s", cmd, rc, out);
    free(out);
}

/* Runs the real git client as `user` (password "<user>-pw"); returns its
 * exit status, *out what it printed. Everything stays on 127.0.0.1. */
static int git_as(const char *user, char **out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int git_as(const char *user, char **out, const char *fmt, ...)
{
    char args[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return iam_test_run(out, NULL,
                        "cd '%s/work' && HOME='%s/work' GIT_TERMINAL_PROMPT=0 NO_PROXY='*' "
                        "no_proxy='*' GIT_CONFIG_NOSYSTEM=1 git -c protocol.version=2 "
                        "-c user.name=%s -c user.email=%s@example.com %s 2>&1",
                        srv.root, srv.root, user, user, args);
}

/* The end of the server's error log, for a failure message. */
static const char *log_tail(void)
{
    char *log = iam_httpd_log(&srv);
    size_t n = strlen(log);

    return n > 1500 ? log + n - 1500 : log;
}

static const char *url_of(const char *user)
{
    return xprintf("http://%s:%s-pw@127.0.0.1:%d/git/project.git", user, user, srv.port);
}

/* A server with `site`, a bare repository with one commit, and members
 * rory (Repo Reader), wren (Repo Writer) and the demo's max (no role). */
static void start(const char *(*site_of)(void))
{
    const char *site;

    char *out = NULL;

    iam_httpd_prepare(&srv, "git");
    sh_ok(xprintf("mkdir -p '%s/git' '%s/work' && cd '%s/work' && git init -q -b main seed && "
                  "cd seed && echo one > file.txt && git add file.txt && "
                  "git -c user.name=seed -c user.email=seed@example.com commit -qm one && "
                  "git clone -q --bare . '%s/git/project.git' && cd .. && rm -rf seed && "
                  "chmod -R a+rwX '%s/git' '%s/work'",
                  srv.root, srv.root, srv.root, srv.root, srv.root, srv.root));
    sh_ok(xprintf("for u in rory wren; do htpasswd -bm '%s/htpasswd' $u $u-pw || exit 1; "
                  "'%s/iamctl' -d '%s' member add $u || exit 1; done",
                  srv.root, iam_test_build_dir(), srv.store));
    /* run as root, the CGI runs as www-data: the repository is theirs
     * (git refuses a repository of another owner) */
    if (geteuid() == 0)
        sh_ok(xprintf("chown -R www-data:www-data '%s/git'", srv.root));
    site = site_of(); /* names paths under the root just made */
    if (iam_httpd_start(&srv, "event", NULL, site) != 0) {
        out = iam_httpd_log(&srv);
        ck_abort_msg("apache2 did not start:\n%s", out);
    }
    /* the roles exist once the server has recorded its IAMRole lines */
    sh_ok(xprintf("'%s/iamctl' -d '%s' grant --member rory 'Repo Reader' --resource project && "
                  "'%s/iamctl' -d '%s' grant --member wren 'Repo Writer' --resource project",
                  iam_test_build_dir(), srv.store, iam_test_build_dir(), srv.store));
}

static void teardown(void)
{
    iam_httpd_cleanup(&srv);
}

/* What every variant that gets it right must do. */
static void ck_clone_fetch_push(void)
{
    char *out;

    /* a reader clones and fetches, and cannot push */
    ck_assert_msg(git_as("rory", &out, "clone -q %s rory", url_of("rory")) == 0, "%s\nlog: %s", out,
                  log_tail());
    ck_assert_msg(has(iam_test_slurp(xprintf("%s/work/rory/file.txt", srv.root)), "one"),
                  "the clone lacks the file");
    ck_assert_msg(git_as("rory", &out, "-C rory fetch -q origin") == 0, "%s", out);
    ck_assert_msg(git_as("rory", &out, "-C rory commit -q --allow-empty -m by-rory") == 0, "%s",
                  out);
    ck_assert_msg(git_as("rory", &out, "-C rory push -q origin main") != 0, "a reader pushed");
    ck_assert_msg(has(out, "403"), "%s", out);
    /* a writer clones and pushes */
    ck_assert_msg(git_as("wren", &out, "clone -q %s wren", url_of("wren")) == 0, "%s", out);
    ck_assert_msg(git_as("wren", &out, "-C wren commit -q --allow-empty -m by-wren") == 0, "%s",
                  out);
    ck_assert_msg(git_as("wren", &out, "-C wren push -q origin main") == 0, "%s", out);
    /* the reader fetches what the writer pushed */
    ck_assert_msg(git_as("rory", &out, "-C rory fetch -q origin && git -C rory log --format=%%s "
                                       "origin/main") == 0,
                  "%s", out);
    ck_assert_msg(has(out, "by-wren"), "%s", out);
    /* a member without a role gets nothing */
    ck_assert_msg(git_as("max", &out, "clone -q %s max", url_of("max")) != 0, "max cloned");
    ck_assert_msg(has(out, "403"), "%s", out);
}

START_TEST(test_git_with_the_directive)
{
    start(site_directive);
    ck_clone_fetch_push();
    teardown();
}
END_TEST

START_TEST(test_git_with_the_recipe)
{
    start(site_recipe);
    ck_clone_fetch_push();
    teardown();
}
END_TEST

/* The control: by method alone a reader's fetch (a POST) is refused,
 * which is why the directive and the recipe exist. */
START_TEST(test_git_by_method_refuses_readers)
{
    char *out;

    start(site_by_method);
    ck_assert_msg(git_as("rory", &out, "clone -q %s rory", url_of("rory")) != 0,
                  "a reader cloned by method alone");
    ck_assert_msg(has(out, "403"), "%s", out);
    ck_assert_msg(git_as("wren", &out, "clone -q %s wren", url_of("wren")) == 0, "%s", out);
    teardown();
}
END_TEST

Suite *suite_git(void)
{
    Suite *s = suite_create("git");
    TCase *tc = tcase_create("git");

    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_git_with_the_directive);
    tcase_add_test(tc, test_git_with_the_recipe);
    tcase_add_test(tc, test_git_by_method_refuses_readers);
    suite_add_tcase(s, tc);
    return s;
}
