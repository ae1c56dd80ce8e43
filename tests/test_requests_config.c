/* mod_iam integration tests, "request access": the directives, each test
 * on a server of its own (the "own_config" case): IAMRequestLimit, an
 * IAMMailCommand that fails or hangs (and is stopped, its command too),
 * IAMRequestAccess Off, IAMDeniedTemplate and what configtest says of a
 * bad one, IAMConsoleURL, and IAMResourcePath's resources asked for and
 * listed. A guard process stops a server its failed test left running. */
#include "requests_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static iam_httpd_t own; /* one per test of "own_config" */

/* ---- servers with their own configuration ---- */

/* A /proc file (its size reads as 0), up to 4 KiB, its NULs made spaces
 * (a command line reads "sleep 30"). */
static char *proc_file(int pid, const char *name)
{
    char *buf = calloc(1, 4097);
    FILE *f = fopen(xprintf("/proc/%d/%s", pid, name), "rb");
    size_t n = 0, i;

    if (f) {
        n = fread(buf, 1, 4096, f);
        fclose(f);
    }
    while (n > 0 && buf[n - 1] == '\0')
        n--;
    for (i = 0; i < n; i++) {
        if (buf[i] == '\0')
            buf[i] = ' ';
    }
    buf[n] = '\0';
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The processes whose command line is exactly `cmdline` (these tests give
 * their mail commands unique arguments). */
static int find_procs(const char *cmdline, int *pids, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) != NULL) {
        int pid = atoi(e->d_name);
        char *cmd = pid > 0 ? proc_file(pid, "cmdline") : NULL;
        if (cmd && !strcmp(cmd, cmdline) && n < max)
            pids[n++] = pid;
        free(cmd);
    }
    if (d)
        closedir(d);
    return n;
}

/* Stops the server of `root` if it still runs (after a failed test). */
static void stop_leftover(const char *root)
{
    char *pidtext = iam_test_slurp(xprintf("%s/run/httpd.pid", root)), *cmd;
    int pid = atoi(pidtext), i;

    free(pidtext);
    for (i = 0; pid > 0 && i < 100; i++) {
        cmd = proc_file(pid, "cmdline");
        if (!has(cmd, root)) /* gone (or a zombie, or another process) */
            break;
        if (i == 0)
            kill(pid, SIGTERM);
        if (i == 99)
            kill(-pid, SIGKILL);
        usleep(100 * 1000);
        free(cmd);
    }
}

/* A failed check ends the test's process at once, without the checked
 * teardown: a guard process, woken when the test's process ends however
 * it ends, stops a server left running and removes its root. */
static void guard(const iam_httpd_t *h)
{
    char *root = strdup(h->root), c;
    int fds[2];
    pid_t g;

    if (pipe(fds) != 0)
        return;
    g = fork();
    if (g == 0) {
        /* out of the test's process group, which Check kills at its end */
        setpgid(0, 0);
        close(fds[1]);
        while (read(fds[0], &c, 1) > 0)
            ;
        stop_leftover(root);
        iam_test_rmtree(root);
        _exit(0);
    }
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* held by this process only */
}

static void own_setup(void)
{
    iam_httpd_prepare(&own, "reqown");
    guard(&own);
}

static void own_teardown(void)
{
    iam_httpd_cleanup(&own);
}

static void own_start(const char *extra)
{
    if (iam_httpd_start(&own, "event", NULL, extra) != 0) {
        char *log = iam_httpd_log(&own);
        ck_abort_msg("apache2 did not start with:\n%s\n%s", extra, log);
    }
}

START_TEST(test_request_limit)
{
    char *tok, *out;
    json_t *list, *q;
    size_t i;
    long st;

    own_start("IAMRequestLimit 2");
    tok = member_csrf(&own, "max", WAREHOUSE);
    ck_assert_int_eq(ask_with(&own, "max", tok, WAREHOUSE, "read", "one", NULL, NULL), 303);
    ck_assert_int_eq(ask_with(&own, "max", tok, "/sources/web/", "read", "two", NULL, NULL), 303);
    st = ask_with(&own, "max", tok, "/sources/ios/", "read", "three", &out, NULL);
    ck_assert_msg(st == 400, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(out, "2 access requests are already waiting for an owner"), "%s", out);
    free(out);
    list = requests_of(&own, "max");
    ck_assert_int_eq(json_array_size(list), 2);
    json_array_foreach(list, i, q)
    {
        ck_assert_str_ne(str_at(q, "name"), "ios");
    }
    json_decref(list);
    /* changing an open one is no new request */
    ck_assert_int_eq(ask_with(&own, "max", tok, WAREHOUSE, "read", "one, again", NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 2);
    /* once one is answered there is room again */
    st = api_post(&own, "requests/dismiss",
                  "{\"login\":\"max\",\"type\":\"source\",\"name\":\"web\"}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(ask_with(&own, "max", tok, "/sources/ios/", "read", "three", NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 2);
}
END_TEST

START_TEST(test_mail_command_fails)
{
    char *log;

    own_start("IAMMailCommand \"/bin/false\"");
    ck_assert_int_eq(ask(&own, "max", WAREHOUSE, "read", "mail fails"), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 1);
    log = iam_httpd_log(&own);
    ck_assert_msg(has(log, "IAMMailCommand failed (status 1) mailing an owner about max's request"),
                  "%s", log);
    free(log);
}
END_TEST

/* A mail command that hangs: "sleep 30.PID", unique to this test. Returns
 * how many of its processes ran still after the POST; stops them. */
static int hanging_mail(double *took)
{
    char *arg = xprintf("30.%d", (int)getpid()), *tok;
    int pids[16], n, i;
    double t0;
    long st;

    add_member(&own, "owen", "--email owen@example.com --owner");
    own_start(xprintf("IAMMailCommand \"sleep %s\"", arg));
    tok = member_csrf(&own, "max", WAREHOUSE);
    t0 = now_s();
    st = ask_with(&own, "max", tok, WAREHOUSE, "read", "mail hangs", NULL, NULL);
    *took = now_s() - t0;
    usleep(300 * 1000);
    n = find_procs(xprintf("sleep %s", arg), pids, 16);
    for (i = 0; i < n; i++)
        kill(pids[i], SIGKILL);
    ck_assert_int_eq(st, 303);
    return n;
}

START_TEST(test_mail_command_hangs)
{
    char *log;
    double took;

    hanging_mail(&took);
    /* the mails were tried (and waited for), but never past 2 s in all */
    ck_assert_msg(took < 3.0 && took > 1.5, "the post took %.2f s", took);
    ck_assert_int_eq(nrequests(&own, "max"), 1);
    log = iam_httpd_log(&own);
    ck_assert_msg(
        has(log, "IAMMailCommand took longer than 2 s; stopped it (the request is stored)"), "%s",
        log);
    free(log);
}
END_TEST

/* "stopped it": the command, not only the shell that runs it. */
START_TEST(test_hung_mail_command_is_stopped)
{
    double took;
    int left = hanging_mail(&took);

    ck_assert_msg(left == 0,
                  "%d 'sleep' processes of IAMMailCommand still ran after the log said they "
                  "were stopped (only /bin/sh -c was killed)",
                  left);
}
END_TEST

START_TEST(test_request_access_off)
{
    char *body, *tok, *form;
    json_t *j;
    long st;

    /* Off everywhere but one place, where the member finds a form and so
     * their token for a crafted post */
    own_start("IAMRequestAccess Off\n<Location \"/sources/ios/\">\nIAMRequestAccess On\n"
              "</Location>");
    ck_assert_int_eq(call(&own, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<strong>the warehouse main</strong>"), "%s", body);
    ck_assert_msg(has(body, "Ask a Workspace Owner for access."), "%s", body);
    ck_assert_msg(!has(body, "<form") && !iam_test_csrf(body), "%s", body);
    free(body);
    ck_assert_int_eq(
        call(&own, "max", "GET", WAREHOUSE, NULL, NULL, "Accept: application/json", &body, NULL),
        403);
    j = parse_json(body);
    ck_assert_msg(json_is_false(json_object_get(j, "request_access")), "%s", body);
    json_decref(j);
    free(body);
    tok = member_csrf(&own, "max", "/sources/ios/");
    form = xprintf("csrf=%s&path=%s&level=read&message=crafted", tok, enc(WAREHOUSE));
    st = call(&own, "max", "POST", "/iam/request-access", FORM, form, NULL, &body, NULL);
    ck_assert_msg(st == 403, "status %ld:\n%s", st, body);
    ck_assert_msg(has(body, "Access requests are turned off here."), "%s", body);
    free(body);
    ck_assert_int_eq(nrequests(&own, "max"), 0);
    /* the token was good: where it is on, the same post is stored */
    ck_assert_int_eq(ask_with(&own, "max", tok, "/sources/ios/", "read", "here", NULL, NULL), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 1);
}
END_TEST

START_TEST(test_custom_template)
{
    const char *login = "o'brien<x>";
    char *file = xprintf("%s/denied.html", own.root), *body;

    write_file(file, "<html><body><h1>Custom</h1><p>{{user}} needs {{level}} on {{resource}}</p>"
                     "{{status}}{{form}}</body></html>");
    add_member(&own, login, NULL);
    own_start(xprintf("IAMDeniedTemplate \"%s\"", file));
    ck_assert_int_eq(call(&own, login, "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<html><body><h1>Custom</h1><p>o&#x27;brien&lt;x&gt; needs read on "
                            "the warehouse main</p><form method=\"post\" "
                            "action=\"/iam/request-access\">"),
                  "%s", body);
    ck_assert_msg(has(body, "</form>\n</body></html>"), "%s", body);
    ck_assert_msg(!has(body, "You need access") && !has(body, "{{"), "%s", body);
    free(body);
    /* {{status}} once asked */
    ck_assert_int_eq(ask(&own, "max", WAREHOUSE, "read", "custom"), 303);
    ck_assert_int_eq(call(&own, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<p>max needs read on the warehouse main</p><p class=\"status\" "
                            "role=\"status\">Your request for access is pending"),
                  "%s", body);
    ck_assert_msg(!has(body, "<form"), "%s", body);
    free(body);
}
END_TEST

/* An absolute IAMConsoleURL: the mails link there, the form still posts to
 * its path on this site. No IAMMailFrom: the From names this server. */
START_TEST(test_console_url)
{
    mail_t m[MAILS_MAX];
    char *body, *out = NULL;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "touch '%s/mailbox.txt' && chmod 666 '%s/mailbox.txt'", own.root,
                                  own.root),
                     0);
    free(out);
    own_start(xprintf("IAMMailCommand \"%s/../conf/demo/mailbox %s/mailbox.txt\"\n"
                      "IAMConsoleURL https://iam.example.com/iam/",
                      iam_test_build_dir(), own.root));
    ck_assert_int_eq(call(&own, "max", "GET", WAREHOUSE, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "<form method=\"post\" action=\"/iam/request-access\">"), "%s", body);
    free(body);
    ck_assert_int_eq(ask(&own, "max", WAREHOUSE, "read", "console url"), 303);
    /* the demo has one owner, olivia */
    ck_assert_int_eq(mails(&own, "Subject: Access request from Max Member: warehouse main", m), 1);
    check_header_block(&m[0]);
    ck_assert_msg(has(m[0].head, "From: mod_iam@127.0.0.1\n"), "%s", m[0].head);
    ck_assert_msg(has(m[0].head, "To: olivia@example.com\n"), "%s", m[0].head);
    ck_assert_msg(has(m[0].body, "\nhttps://iam.example.com/iam/members/max\n"), "%s", m[0].body);
}
END_TEST

/* A page that IAMResourcePath declares is asked for as that resource, not
 * as the resource of the <Location> around it (source ios); approving the
 * request lets the member read there and nowhere else. */
START_TEST(test_request_for_a_resource_path)
{
    const char *beta = "/sources/ios/beta/";
    char *body = NULL, *out = NULL;
    json_t *list, *q;
    long st;

    ck_assert_int_eq(iam_test_run(&out, NULL,
                                  "mkdir '%s/htdocs/sources/ios/beta' && echo beta >"
                                  "'%s/htdocs/sources/ios/beta/index.html' && chmod -R a+rX '%s'",
                                  own.root, own.root, own.root),
                     0);
    free(out);
    own_start("IAMResourcePath /sources/ios/beta source beta env:dev");
    ck_assert_int_eq(call(&own, "max", "GET", beta, NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "you do not have read access to <strong>the source beta</strong>") &&
                      has(body, "name=\"name\" value=\"beta\""),
                  "%s", body);
    free(body);
    ck_assert_int_eq(ask(&own, "max", beta, "read", "the beta, please"), 303);
    list = requests_of(&own, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    q = json_array_get(list, 0);
    ck_assert_str_eq(str_at(q, "type"), "source");
    ck_assert_str_eq(str_at(q, "name"), "beta");
    ck_assert_str_eq(str_at(q, "level"), "read");
    ck_assert_str_eq(str_at(q, "path"), beta);
    json_decref(list);
    /* the page beside it is still the Location's resource */
    ck_assert_int_eq(ask(&own, "max", "/sources/ios/", "read", "ios too"), 303);
    ck_assert_int_eq(nrequests(&own, "max"), 2);
    st = api_post(&own, "requests/approve",
                  "{\"login\":\"max\",\"type\":\"source\",\"name\":\"beta\",\"rev\":1}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(call(&own, "max", "GET", beta, NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&own, "max", "POST", beta, FORM, "x=1", NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&own, "max", "GET", "/sources/ios/", NULL, NULL, NULL, NULL, NULL), 403);
    /* the approval gives beta only: the ios request stays open */
    ck_assert_int_eq(nrequests(&own, "max"), 1);
}
END_TEST

/* An entry covering an owners' page (here "/", every path) does not make a
 * request for that page one for the entry's resource: it is a request for
 * the owners' pages, as without the entry. */
START_TEST(test_owners_page_under_a_resource_path)
{
    json_t *list, *q;

    own_start("IAMResourcePath / source everything");
    ck_assert_int_eq(call(&own, "max", "GET", "/owners/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(ask(&own, "max", "/owners/", "read", "the owners page"), 303);
    list = requests_of(&own, "max");
    ck_assert_int_eq(json_array_size(list), 1);
    q = json_array_get(list, 0);
    ck_assert_str_eq(str_at(q, "type"), "owners");
    ck_assert_str_eq(str_at(q, "name"), "*");
    ck_assert_str_eq(str_at(q, "level"), "admin");
    json_decref(list);
}
END_TEST

/* Resources declared by IAMResourcePath are listed with their path: the
 * console's Resources page and the API's resource list. */
START_TEST(test_resource_path_listed)
{
    char *body;
    json_t *j, *r, *found = NULL;
    size_t i;

    own_start("IAMResourcePath /sources/ios/beta/ source beta env:dev");
    j = api_get(&own, "resources");
    json_array_foreach(json_object_get(j, "resources"), i, r)
    {
        if (!strcmp(str_at(r, "path"), "/sources/ios/beta/"))
            found = r;
    }
    ck_assert_msg(found != NULL, "no resource with path /sources/ios/beta/");
    ck_assert_str_eq(str_at(found, "type"), "source");
    ck_assert_str_eq(str_at(found, "name"), "beta");
    ck_assert_int_eq(json_array_size(json_object_get(found, "labels")), 1);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(found, "labels"), 0)),
                     "env:dev");
    json_decref(j);
    ck_assert_int_eq(call(&own, "olivia", "GET", "/iam/resources", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, "href=\"/iam/resources/source/beta\"") &&
                      has(body, "<code>/sources/ios/beta/</code>"),
                  "%s", body);
    free(body);
}
END_TEST

static const struct {
    const char *text; /* NULL: no file */
    const char *problem;
} templates[] = {
    {"<p>{{bogus}}</p>{{resource}}", "unknown placeholder {{bogus}}"},
    {"<p>{{user}} needs {{level}}</p>{{form}}", "lacks {{resource}}"},
    {"{{resource}}{{form}}{{form}}", "{{form}} appears more than once"},
    {"{{resource}} {{level", "has a {{ without }}"},
    {NULL, "cannot be read"},
    {"<p>{{resource}}</p>", NULL}, /* accepted */
};

START_TEST(test_template_configtest)
{
    char *file = xprintf("%s/t%d.html", own.root, _i), *out;
    int rc;

    if (templates[_i].text)
        write_file(file, templates[_i].text);
    rc = iam_httpd_configtest(&own, xprintf("IAMDeniedTemplate \"%s\"", file), &out);
    if (!templates[_i].problem) {
        ck_assert_msg(rc == 0, "configtest refused %s:\n%s", templates[_i].text, out);
    } else {
        ck_assert_msg(rc != 0, "configtest passed for %s", templates[_i].text);
        ck_assert_msg(has(out, xprintf("IAMDeniedTemplate \"%s\"", file)) ||
                          has(out, xprintf("IAMDeniedTemplate %s", file)),
                      "the directive is not named in:\n%s", out);
        ck_assert_msg(has(out, templates[_i].problem), "want '%s' in:\n%s", templates[_i].problem,
                      out);
    }
    free(out);
}
END_TEST

void rq_add_own_config(Suite *s)
{
    TCase *tc = tcase_create("own_config");

    tcase_add_checked_fixture(tc, own_setup, own_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_request_limit);
    tcase_add_test(tc, test_mail_command_fails);
    tcase_add_test(tc, test_mail_command_hangs);
    tcase_add_test(tc, test_hung_mail_command_is_stopped);
    tcase_add_test(tc, test_request_access_off);
    tcase_add_test(tc, test_custom_template);
    tcase_add_test(tc, test_console_url);
    tcase_add_test(tc, test_request_for_a_resource_path);
    tcase_add_test(tc, test_resource_path_listed);
    tcase_add_test(tc, test_owners_page_under_a_resource_path);
    tcase_add_loop_test(tc, test_template_configtest, 0,
                        (int)(sizeof(templates) / sizeof(templates[0])));
    suite_add_tcase(s, tc);
}
