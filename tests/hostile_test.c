/* The hostile suite's shared part (hostile_test.h says what the suite
 * tests and which file holds what): the tally every request is counted
 * in, the requests themselves (raw over TCP, or through libcurl), the
 * store as iamctl shows it, the logins with odd characters, the fixture
 * that starts the demo server and prints the summary, the last test (the
 * server survived it all) and the suite. */
#include "hostile_test.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

iam_httpd_t srv;

/* ---- the tally, shared with the forked tests ---- */

tally_t *tally;
static int tests_registered; /* set by suite_hostile() */
int apache_only;

/* The last line of every test: it ran to the end, every check held. */
void passed(void)
{
    __atomic_add_fetch(&tally->passed, 1, __ATOMIC_SEQ_CST);
}

static void count_answer(long status, size_t answer_len)
{
    __atomic_add_fetch(apache_only ? &tally->apache : &tally->sent, 1, __ATOMIC_SEQ_CST);
    if (answer_len == 0 || status >= 500)
        __atomic_add_fetch(&tally->bad_answers, 1, __ATOMIC_SEQ_CST);
}

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

/* A "<script" in any case: the console and the refused page carry no
 * script at all, so any is injected markup. */
int has_script_tag(const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<' && !strncasecmp(s + 1, "script", 6))
            return 1;
    }
    return 0;
}

/* s cut to its first 2000 bytes, for a failure message */
const char *cut(const char *s)
{
    return s ? strndup(s, 2000) : "(none)";
}

/* n copies of c (malloc'd) */
char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- answers ---- */

/* Sends `n` bytes as they are over a new TCP connection to the test
 * httpd and reads the answer until the server closes. */
resp_t raw_send(const char *data, size_t n)
{
    struct sockaddr_in a;
    struct timeval tv = {10, 0};
    size_t cap = 65536, len = 0, off = 0;
    char *buf = malloc(cap + 1), *sep;
    resp_t r = {0, "", "", 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)srv.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
                  "cannot connect to the test httpd on port %d: %s", srv.port, strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    while (off < n) {
        ssize_t w = send(fd, data + off, n - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may answer (and close) before reading it all */
        off += (size_t)w;
    }
    for (;;) {
        ssize_t got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        got = recv(fd, buf + len, cap - len, 0);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    r.len = len;
    if (len >= 12 && !strncmp(buf, "HTTP/1.", 7) && buf[8] == ' ') {
        r.status = strtol(buf + 9, NULL, 10);
        sep = strstr(buf, "\r\n\r\n");
        r.head = sep ? strndup(buf, (size_t)(sep - buf) + 2) : buf;
        r.body = sep ? sep + 4 : "";
    } else {
        r.body = buf; /* HTTP/0.9: no status line, no headers */
    }
    count_answer(r.status, len);
    return r;
}

/* "Authorization: Basic ...\r\n" for login:password */
char *basic_line(const char *login, const char *pw)
{
    char *cred = xprintf("%s:%s", login, pw);

    return xprintf("Authorization: Basic %s\r\n", base64(cred, strlen(cred)));
}

/* The Authorization line of a demo user (password "<login>-pw"), or "". */
char *auth_of(const char *user)
{
    return user ? basic_line(user, xprintf("%s-pw", user)) : "";
}

/* One HTTP/1.1 request written by hand: `auth` and `headers` are whole
 * header lines ("Name: value\r\n"), `body` (when not NULL) `body_len`
 * bytes sent with a Content-Length. */
resp_t raw_request(const char *method, const char *target, const char *auth, const char *headers,
                   const char *body, size_t body_len)
{
    char *head = xprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s%s",
                         method, target, srv.port, auth ? auth : "", headers ? headers : "");
    char *cl = body ? xprintf("Content-Length: %zu\r\n", body_len) : "";
    size_t hn = strlen(head) + strlen(cl) + 2;
    char *all = malloc(hn + body_len + 1);

    sprintf(all, "%s%s\r\n", head, cl);
    if (body)
        memcpy(all + hn, body, body_len);
    return raw_send(all, hn + (body ? body_len : 0));
}

/* One request through libcurl; `userpass` "login:password" or NULL; up
 * to 7 extra header lines. */
resp_t call(const char *method, const char *path, const char *userpass, const char *ctype,
            const char *body, const char *const *hdrs)
{
    iam_req_t req = {method, path, userpass, ctype, body, {NULL}};
    resp_t r = {0, NULL, NULL, 0};
    int i;

    for (i = 0; hdrs && hdrs[i] && i < 7; i++)
        req.headers[i] = hdrs[i];
    r.status = iam_http_do(&srv, &req, &r.body, &r.head);
    r.len = strlen(r.head) + strlen(r.body);
    count_answer(r.status, r.status ? r.len : 0);
    return r;
}

char *userpass(const char *user)
{
    return user ? xprintf("%s:%s-pw", user, user) : NULL;
}

resp_t get_as(const char *user, const char *path)
{
    return call("GET", path, userpass(user), NULL, NULL, NULL);
}

/* A JSON answer {"error": {"code": CODE, ...}}, served as JSON. */
void ck_json_error(const char *what, const resp_t *r, const char *code)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    const char *got;
    char *ct = iam_test_header(r->head, "Content-Type");

    ck_assert_msg(j != NULL, "%s: the answer is not JSON (%s):\n%s", what, e.text, cut(r->body));
    got = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    ck_assert_msg(got && !strcmp(got, code), "%s: error code %s, want %s:\n%s", what,
                  got ? got : "(none)", code, cut(r->body));
    ck_assert_msg(ct && !strncmp(ct, "application/json", 16), "%s: Content-Type %s", what,
                  ct ? ct : "(none)");
    json_decref(j);
}

/* ---- the store, through iamctl ---- */

char *export_store(void)
{
    char *out = NULL;

    ck_assert_int_eq(iam_ctl(&srv, &out, "export"), 0);
    return out;
}

/* `iamctl member show LOGIN --json`, NULL when there is no such member. */
json_t *ho_member_json(const char *login)
{
    char *out = NULL;
    json_t *j;

    if (iam_ctl(&srv, &out, "member show %s --json 2>/dev/null", shq(login)) != 0)
        return NULL;
    j = json_loads(out, 0, NULL);
    ck_assert_msg(j != NULL, "member show %s: not JSON:\n%s", login, out);
    return j;
}

/* max's token, from the request form of a page that refuses him (a page
 * with a pending request of his offers none; the token is the same on
 * every page). */
char *max_token(void)
{
    static const char *const pages[] = {"/sources/checkout/settings/", "/sources/checkout/",
                                        "/sources/web/", "/owners/", "/iam/"};
    int i;

    for (i = 0; i < ARRAY_LEN(pages); i++) {
        resp_t r = get_as("max", pages[i]);
        char *t = iam_test_csrf(r.body);
        ck_assert_msg(r.status == 403, "max on %s: %ld", pages[i], r.status);
        if (t)
            return t;
    }
    ck_abort_msg("no page offers max the request form");
    return NULL;
}

/* A normal request still works. */
void ck_still_serving(const char *after)
{
    resp_t r = get_as("sam", "/sources/checkout/");

    ck_assert_msg(r.status == 200 && has(r.body, "<h1>sources/checkout</h1>"),
                  "after %s, sam on /sources/checkout/: %ld", after, r.status);
}

/* ---- logins with odd characters ---- */

odd_t odd[ODD_LOGINS] = {
    {"sp ace user", 1, 0, 0},
    {"o'q\"uote", 1, 0, 0},
    {"<script>alert('m')</script>", 1, 0, 0},
    {"<script>alert('n')</script>", 0, 0, 0},
    {"zo\xc3\xab \xe7\x94\xa8\xe6\x88\xb7", 1, 0, 0}, /* "zoë 用户" */
    {"bad-utf8-\xff\xfe", 0, 0, 0},                   /* no member can have it: not valid UTF-8 */
    {NULL, 1, 256, 'M'},                              /* the longest login a member can have */
    {NULL, 0, 300, 'L'},                              /* longer than any member's */
    {NULL, 0, 2000, 'L'},
};

const char *odd_login(int i)
{
    if (!odd[i].login)
        odd[i].login = repeat(odd[i].fill, odd[i].length);
    return odd[i].login;
}

char *odd_pw(int i)
{
    return xprintf("odd-pw-%d", i);
}

/* Appends login:hash to the password file (htpasswd itself refuses
 * logins over 255 bytes; mod_authn_file reads lines up to 8 KiB). */
static void add_password(const char *login, const char *pw)
{
    char *out = NULL, *nl;
    FILE *f;

    if (iam_test_run(&out, NULL, "htpasswd -nbm x %s", shq(pw)) != 0 || strncmp(out, "x:", 2)) {
        fprintf(stderr, "htpasswd -nbm: %s\n", out);
        abort();
    }
    if ((nl = strchr(out, '\n')))
        *nl = '\0';
    f = fopen(xprintf("%s/htpasswd", srv.root), "a");
    if (!f)
        abort();
    fprintf(f, "%s:%s\n", login, out + 2);
    fclose(f);
}

/* ---- the server ---- */

/* The backend: prints its environment. */
static const char *env_cgi = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n";

static void put_cgi(const char *dir)
{
    char *path = xprintf("%s/htdocs%s/env.cgi", srv.root, dir);
    FILE *f = fopen(path, "w");

    if (!f)
        abort();
    fputs(env_cgi, f);
    fclose(f);
    chmod(path, 0755);
}

static void setup(void)
{
    char *out = NULL, *extra;
    int i;

    tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (tally == MAP_FAILED)
        abort();
    memset(tally, 0, sizeof(*tally));
    iam_httpd_prepare(&srv, "hostile");
    for (i = 0; i < ARRAY_LEN(odd); i++) {
        add_password(odd_login(i), odd_pw(i));
        if (odd[i].member)
            iam_ctl_or_die(&srv, "member add %s --name %s", shq(odd_login(i)),
                           i == 2 ? "'<script>alert(\"name\")</script>'" : "'Odd Login'");
    }
    add_password("twice", "twice-pw");
    iam_ctl_or_die(&srv, "member add twice --email twice@example.com --name 'Twice Member'");
    put_cgi("");
    put_cgi("/sources/checkout");
    if (iam_test_run(&out, NULL, "touch '%s/mailbox.txt' && chmod 666 '%s/mailbox.txt'", srv.root,
                     srv.root) != 0)
        abort();
    /* mod_cgid runs env.cgi; the SetEnvIf lines show whether a client's
     * X-IAM-* header was still there when other modules looked (they run
     * before authz). Forwarding is on under /sources/checkout/ only. */
    extra = xprintf("LoadModule cgid_module " MODULES "/mod_cgid.so\n"
                    "LoadModule setenvif_module " MODULES "/mod_setenvif.so\n"
                    "<LocationMatch \"/env\\.cgi$\">\n"
                    "    SetHandler cgi-script\n"
                    "    Options +ExecCGI\n"
                    "    SetEnvIf X-IAM-User \"(.+)\" SAW_X_IAM_USER=$1\n"
                    "    SetEnvIf X-IAM-Owner \"(.+)\" SAW_X_IAM_OWNER=$1\n"
                    "</LocationMatch>\n"
                    "<Location \"/sources/checkout/\">\n"
                    "    IAMForwardHeaders On\n"
                    "</Location>\n"
                    "IAMMailCommand \"%s/../conf/demo/mailbox %s/mailbox.txt\"\n"
                    "IAMMailFrom iam@example.com\n",
                    iam_test_build_dir(), srv.root);
    if (iam_httpd_start(&srv, "event", NULL, extra) != 0) {
        fprintf(stderr, "apache2 did not start:\n%s\n", iam_httpd_log(&srv));
        abort();
    }
}

/* The line the README quotes; the plain claim only when every test held. */
static void teardown(void)
{
    if (tally->passed == tests_registered && tally->wrong_allows == 0 && tally->bad_answers == 0)
        printf("hostile: %d requests sent, none allowed wrongly, no 5xx (and %d more that only "
               "Apache answers)\n",
               tally->sent, tally->apache);
    else
        printf("hostile: %d requests sent (and %d that only Apache answers), %d of %d tests failed "
               "(see below), %d allowed wrongly, %d answered 5xx or not at all\n",
               tally->sent, tally->apache, tests_registered - tally->passed, tests_registered,
               tally->wrong_allows, tally->bad_answers);
    fflush(stdout);
    iam_httpd_cleanup(&srv);
    munmap(tally, sizeof(*tally));
}

/* ================= afterwards ================= */

/* Last: no child died on any of it, and the server still answers. */
START_TEST(test_server_survived)
{
    char *log, *line;
    resp_t r;

    usleep(1500 * 1000);
    log = iam_httpd_log(&srv);
    line = strstr(log, "exit signal");
    if (!line)
        line = strstr(log, "AH00052");
    if (!line)
        line = strstr(log, "segfault");
    ck_assert_msg(!line, "the error log reports a dead child: %.300s", line);
    ck_still_serving("every hostile request");
    r = get_as("olivia", "/iam/");
    ck_status("olivia on the console", r.status, 200);
    r = get_as("max", "/owners/");
    ck_status("max on /owners/", r.status, 403);
    passed();
}
END_TEST

Suite *suite_hostile(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("demo");

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    /* every test below counts once, each loop once per row */
    tests_registered = ho_add_paths(tc);
    tests_registered += ho_add_api(tc);
    tests_registered += ho_add_console(tc);
    tests_registered += ho_add_identity(tc);
    tests_registered += ho_add_limits(tc);
    tests_registered += ho_add_request_access(tc);
    tcase_add_test(tc, test_server_survived);
    tests_registered += 1;
    suite_add_tcase(s, tc);
    return s;
}
