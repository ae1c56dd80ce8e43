/* mod_iam tests, suite "identity": the identity forwarded to the backend
 * (IAMForwardHeaders), seen by a CGI script that prints its environment.
 * The IAM_* variables and X-IAM-* headers of owners, admins, readers and
 * members, PII through a group; a client's own X-IAM-* headers replaced or
 * removed everywhere; nothing forwarded where it is off, or by default. */
#include "identity_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

/* ================= identity for the backend: IAMForwardHeaders ================= */

/* The backend: prints its environment. */
static const char *env_cgi = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n";

static void put_cgi(const iam_httpd_t *h)
{
    static const char *const dirs[] = {
        "", "/sources", "/sources/checkout", "/sources/web", "/open", "/warehouses/main"};
    size_t i;

    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char *dir = xprintf("%s/htdocs%s", h->root, dirs[i]);
        if (iam_test_run(NULL, NULL, "mkdir -p '%s'", dir) != 0)
            abort();
        write_file(xprintf("%s/env.cgi", dir), env_cgi, 0755);
    }
}

/* mod_cgid for event; the SetEnvIf lines show whether a client's header
 * was still there after post_read_request (X-Control: the control). */
static char *identity_conf(int forward)
{
    return xprintf("LoadModule cgid_module " MODULES "/mod_cgid.so\n"
                   "LoadModule setenvif_module " MODULES "/mod_setenvif.so\n"
                   "%s"
                   "<LocationMatch \"/env\\.cgi$\">\n"
                   "    SetHandler cgi-script\n"
                   "    Options +ExecCGI\n"
                   "    SetEnvIf X_IAM_User \"(.+)\" SAW_X_IAM_USER_UNDERSCORE=$1\n"
                   "    SetEnvIf X-IAM-User \"(.+)\" SAW_X_IAM_USER=$1\n"
                   "    SetEnvIf X-Control \"(.+)\" SAW_CONTROL=$1\n"
                   "</LocationMatch>\n"
                   "<Location \"/sources/web/\">\n"
                   "    IAMForwardHeaders Off\n"
                   "</Location>\n"
                   "<Location \"/open/\">\n"
                   "    Require all granted\n"
                   "</Location>\n",
                   forward ? "IAMForwardHeaders On\n" : "");
}

static void start_identity(void)
{
    iam_httpd_prepare(&srv, "identity");
    put_cgi(&srv);
    add_login(&srv, "gus");
    iam_ctl_or_die(&srv, "member add gus --email gus@corp.example --name 'Gus Group'");
    start_or_die(&srv, "event", identity_conf(1));
}

/* A variable of the CGI's environment, NULL when not set. */
static char *env_of(const char *out, const char *name)
{
    char *mark = xprintf("%s=", name);
    const char *p = out;
    size_t n = strlen(mark);

    while (p && *p) {
        if (!strncmp(p, mark, n))
            return strndup(p + n, strcspn(p + n, "\n"));
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return NULL;
}

/* Any variable whose name starts with `prefix`? */
static int env_has_prefix(const char *out, const char *prefix)
{
    const char *p = out;

    while (p && *p) {
        if (!strncmp(p, prefix, strlen(prefix)))
            return 1;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

/* Runs the CGI at `path` as `user` with up to 7 extra headers; 200 wanted. */
static char *backend(const iam_httpd_t *h, const char *user, const char *path,
                     const char *const *headers)
{
    iam_req_t req = {"GET", path, user ? xprintf("%s:%s-pw", user, user) : NULL,
                     NULL,  NULL, {NULL}};
    char *body;
    long st;
    int i;

    for (i = 0; headers && headers[i] && i < 7; i++)
        req.headers[i] = headers[i];
    st = iam_http_do(h, &req, &body, NULL);
    ck_assert_msg(st == 200, "%s on %s: status %ld\n%s", user ? user : "(no user)", path, st, body);
    ck_assert_msg(has(body, "SCRIPT_FILENAME="), "the CGI did not run:\n%s", body);
    return body;
}

/* Both forms, the variable and the request header, hold `value`. */
static void ck_forwarded(const char *out, const char *var, const char *header_var,
                         const char *value)
{
    char *v = env_of(out, var), *hv = env_of(out, header_var);

    ck_assert_msg(v && !strcmp(v, value), "%s is '%s', want '%s' in:\n%s", var, v ? v : "(unset)",
                  value, out);
    ck_assert_msg(hv && !strcmp(hv, value), "%s is '%s', want '%s' in:\n%s", header_var,
                  hv ? hv : "(unset)", value, out);
}

static void ck_identity(const char *out, const char *user, const char *email, const char *name,
                        const char *owner, const char *pii, const char *resource, const char *level)
{
    ck_forwarded(out, "IAM_USER", "HTTP_X_IAM_USER", user);
    ck_forwarded(out, "IAM_EMAIL", "HTTP_X_IAM_EMAIL", email);
    ck_forwarded(out, "IAM_NAME", "HTTP_X_IAM_NAME", name);
    ck_forwarded(out, "IAM_OWNER", "HTTP_X_IAM_OWNER", owner);
    ck_forwarded(out, "IAM_PII", "HTTP_X_IAM_PII", pii);
    ck_forwarded(out, "IAM_RESOURCE", "HTTP_X_IAM_RESOURCE", resource);
    ck_forwarded(out, "IAM_LEVEL", "HTTP_X_IAM_LEVEL", level);
}

/* No IAM_* variable and no X-IAM-* header reached the backend. */
static void ck_nothing_forwarded(const char *out)
{
    ck_assert_msg(!env_has_prefix(out, "IAM_"), "an IAM_ variable in:\n%s", out);
    ck_assert_msg(!env_has_prefix(out, "HTTP_X_IAM_"), "an X-IAM- header in:\n%s", out);
    ck_assert_msg(!env_has_prefix(out, "REDIRECT_IAM_"), "%s", out);
}

START_TEST(test_forward_source_admin)
{
    char *out = backend(&srv, "sam", "/sources/checkout/env.cgi", NULL);

    ck_identity(out, "sam", "sam@example.com", "Sam Source-Admin", "false", "false",
                "source:checkout", "admin");
    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "sam");
}
END_TEST

START_TEST(test_forward_owner)
{
    char *out = backend(&srv, "olivia", "/sources/checkout/env.cgi", NULL);

    ck_identity(out, "olivia", "olivia@example.com", "Olivia Owner", "true", "true",
                "source:checkout", "admin");
    out = backend(&srv, "olivia", "/warehouses/main/env.cgi", NULL);
    ck_identity(out, "olivia", "olivia@example.com", "Olivia Owner", "true", "true",
                "warehouse:main", "admin");
}
END_TEST

/* The level is the member's, not the one the request needed. */
START_TEST(test_forward_reader_and_member)
{
    char *out = backend(&srv, "rita", "/sources/checkout/env.cgi", NULL);

    ck_identity(out, "rita", "rita@example.com", "Rita Reader", "false", "false", "source:checkout",
                "read");
    /* the workspace home (Require iam-member): no resource, no level */
    out = backend(&srv, "max", "/env.cgi", NULL);
    ck_identity(out, "max", "max@example.com", "Max Member", "false", "false", "", "");
    /* the collection: sam may list sources, not create them */
    out = backend(&srv, "sam", "/sources/env.cgi", NULL);
    ck_identity(out, "sam", "sam@example.com", "Sam Source-Admin", "false", "false", "source:*",
                "read");
    /* refused: the backend never runs */
    ck_assert_int_eq(status_of(&srv, "max", "/sources/checkout/env.cgi"), 403);
}
END_TEST

/* PII through a user group, set with the API. */
START_TEST(test_forward_pii_through_group)
{
    char *body, *out;

    ck_assert_int_eq(api(&srv, "POST", "groups",
                         "{\"name\":\"pii-crew\",\"grants\":[{\"role\":\"source-read-only\","
                         "\"scope\":\"all\"}],\"members\":[\"gus\"]}",
                         &body),
                     201);
    out = backend(&srv, "gus", "/sources/checkout/env.cgi", NULL);
    ck_identity(out, "gus", "gus@corp.example", "Gus Group", "false", "false", "source:checkout",
                "read");
    ck_assert_int_eq(api(&srv, "PATCH", "groups/pii-crew", "{\"pii\":true}", &body), 200);
    out = backend(&srv, "gus", "/sources/checkout/env.cgi", NULL);
    ck_identity(out, "gus", "gus@corp.example", "Gus Group", "false", "true", "source:checkout",
                "read");
    out = backend(&srv, "gus", "/env.cgi", NULL);
    ck_forwarded(out, "IAM_PII", "HTTP_X_IAM_PII", "true");
}
END_TEST

static const char *const forged[] = {
    "X-IAM-User: olivia",
    "X-IAM-Owner: true",
    "X_IAM_User: olivia",
    "X-IAM-PII: true",
    "x-iam-email: olivia@example.com",
    "X-Iam-Resource: warehouse:main",
    "X-Control: yes",
    NULL,
};

/* A client's X-IAM-* headers are replaced by the user's own values. */
START_TEST(test_forged_headers_replaced)
{
    char *out = backend(&srv, "sam", "/sources/checkout/env.cgi", forged), *log;

    ck_identity(out, "sam", "sam@example.com", "Sam Source-Admin", "false", "false",
                "source:checkout", "admin");
    ck_assert_msg(!has(out, "olivia"), "olivia in:\n%s", out);
    /* gone before any other module looked (SetEnvIf runs before authz) */
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER"), "%s", out);
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER_UNDERSCORE"), "%s", out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "removed the client's X_IAM_User header"), "%s", tail(log));
    ck_assert_msg(has(log, "removed the client's X-IAM-Owner header"), "%s", tail(log));
    free(log);
}
END_TEST

/* IAMForwardHeaders Off on a location: nothing, even when the client sends
 * the headers. */
START_TEST(test_forward_off_location)
{
    char *out = backend(&srv, "rita", "/sources/web/env.cgi", forged);

    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "rita");
    ck_nothing_forwarded(out);
    ck_assert_msg(!has(out, "olivia"), "%s", out);
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER") && !env_of(out, "SAW_X_IAM_USER_UNDERSCORE"), "%s",
                  out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
}
END_TEST

/* A path mod_iam does not guard: the client's headers are removed too. */
START_TEST(test_forged_headers_removed_everywhere)
{
    char *out = backend(&srv, NULL, "/open/env.cgi", forged);

    ck_nothing_forwarded(out);
    ck_assert_msg(!has(out, "olivia"), "%s", out);
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER") && !env_of(out, "SAW_X_IAM_USER_UNDERSCORE"), "%s",
                  out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
}
END_TEST

/* Without IAMForwardHeaders at all: off. */
static void start_identity_unset(void)
{
    iam_httpd_prepare(&srv, "idunset");
    put_cgi(&srv);
    start_or_die(&srv, "event", identity_conf(0));
}

START_TEST(test_forward_default_off)
{
    char *out = backend(&srv, "sam", "/sources/checkout/env.cgi", forged);

    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "sam");
    ck_nothing_forwarded(out);
    ck_assert_msg(!has(out, "olivia"), "%s", out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
    out = backend(&srv, "olivia", "/env.cgi", NULL);
    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "olivia");
    ck_nothing_forwarded(out);
}
END_TEST

void id_add_forward(Suite *s)
{
    TCase *tc;

    tc = id_server_case("forward", start_identity);
    tcase_add_test(tc, test_forward_source_admin);
    tcase_add_test(tc, test_forward_owner);
    tcase_add_test(tc, test_forward_reader_and_member);
    tcase_add_test(tc, test_forward_pii_through_group);
    tcase_add_test(tc, test_forged_headers_replaced);
    tcase_add_test(tc, test_forward_off_location);
    tcase_add_test(tc, test_forged_headers_removed_everywhere);
    suite_add_tcase(s, tc);

    tc = id_server_case("forward_unset", start_identity_unset);
    tcase_add_test(tc, test_forward_default_off);
    suite_add_tcase(s, tc);
}
