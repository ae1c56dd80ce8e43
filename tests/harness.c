/* mod_iam tests: starts Debian's real apache2 on a free port of 127.0.0.1
 * with its own ServerRoot, and talks to it with libcurl. */
#include "iam_test.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define APACHE2 "/usr/sbin/apache2"

/* The repository's conf/demo, found from the build directory. */
static const char *demo_dir(void)
{
    static char dir[1024];

    if (!dir[0])
        snprintf(dir, sizeof(dir), "%s/../conf/demo", iam_test_build_dir());
    return dir;
}

int iam_test_free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

void iam_httpd_prepare(iam_httpd_t *h, const char *tag)
{
    char *out = NULL;
    int rc;

    memset(h, 0, sizeof(*h));
    h->root = iam_test_tmpdir(tag);
    h->store = malloc(strlen(h->root) + 16);
    sprintf(h->store, "%s/store", h->root);
    rc = iam_test_run(&out, NULL,
                      "mkdir -p '%s/run' '%s/logs' && cp -R '%s/htdocs' '%s/htdocs' && "
                      "'%s/seed' '%s/iamctl' '%s' '%s/htpasswd' && chmod -R a+rX '%s'",
                      h->root, h->root, demo_dir(), h->root, demo_dir(), iam_test_build_dir(),
                      h->store, h->root, h->root);
    if (rc != 0) {
        fprintf(stderr, "harness: preparing %s failed (%d): %s\n", h->root, rc, out);
        abort();
    }
    free(out);
}

static void write_conf(iam_httpd_t *h, const char *path, const char *mpm, const char *site,
                       const char *extra)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        abort();
    }
    fprintf(f,
            "Define IAM_ROOT \"%s\"\nDefine IAM_PORT %d\nDefine IAM_MPM %s\n"
            "Define IAM_MODULE \"%s/mod_iam.so\"\nDefine IAM_LOG \"%s/logs/error.log\"\n%s"
            "Include \"%s/base.conf\"\n",
            h->root, h->port, mpm, iam_test_build_dir(), h->root,
            geteuid() == 0 ? "Define IAM_AS_ROOT\n" : "", demo_dir());
    if (site)
        fprintf(f, "%s\n", site);
    else
        fprintf(f, "Include \"%s/site.conf\"\n", demo_dir());
    if (extra)
        fprintf(f, "%s\n", extra);
    fclose(f);
}

int iam_httpd_start(iam_httpd_t *h, const char *mpm, const char *site, const char *extra)
{
    char conf[512], *body;
    pid_t pid;
    int i;

    h->port = iam_test_free_port();
    snprintf(conf, sizeof(conf), "%s/httpd.conf", h->root);
    write_conf(h, conf, mpm, site, extra);
    pid = fork();
    if (pid == 0) {
        /* Its own process group: prefork signals its whole group on
         * shutdown, which would otherwise include this test runner. */
        setpgid(0, 0);
        /* and it stops when the test that started it ends, even by a
         * failed assertion (Check runs no teardown then) */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == 1)
            _exit(127);
        execl(APACHE2, APACHE2, "-f", conf, "-DFOREGROUND", (char *)NULL);
        _exit(127);
    }
    h->pid = (int)pid;
    for (i = 0; i < 100; i++) { /* up to 10 s */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            h->pid = 0;
            return -1;
        }
        if (iam_http(h, "GET", "/", NULL, &body) > 0) {
            free(body);
            return 0;
        }
        usleep(100 * 1000);
    }
    iam_httpd_stop(h);
    return -1;
}

void iam_httpd_stop(iam_httpd_t *h)
{
    int i, st;

    if (h->pid <= 0)
        return;
    kill((pid_t)h->pid, SIGTERM);
    for (i = 0; i < 100; i++) {
        if (waitpid((pid_t)h->pid, &st, WNOHANG) == h->pid)
            break;
        usleep(100 * 1000);
    }
    if (i == 100) {
        kill((pid_t)h->pid, SIGKILL);
        waitpid((pid_t)h->pid, &st, 0);
    }
    h->pid = 0;
}

void iam_httpd_cleanup(iam_httpd_t *h)
{
    iam_httpd_stop(h);
    iam_test_rmtree(h->root);
    free(h->root);
    free(h->store);
    h->root = h->store = NULL;
}

int iam_httpd_configtest(iam_httpd_t *h, const char *site, char **output)
{
    char conf[512];

    h->port = iam_test_free_port();
    snprintf(conf, sizeof(conf), "%s/configtest.conf", h->root);
    write_conf(h, conf, "event", site, NULL);
    return iam_test_run(NULL, output, APACHE2 " -t -f '%s'", conf);
}

static size_t collect(char *data, size_t size, size_t n, void *userp)
{
    char **buf = userp;
    size_t old = *buf ? strlen(*buf) : 0, add = size * n;
    char *nb = realloc(*buf, old + add + 1);

    if (!nb)
        return 0;
    memcpy(nb + old, data, add);
    nb[old + add] = '\0';
    *buf = nb;
    return add;
}

long iam_http_do(const iam_httpd_t *h, const iam_req_t *req, char **body, char **headers)
{
    CURL *c = curl_easy_init();
    struct curl_slist *list = NULL;
    const char *method = req->method ? req->method : "GET";
    char url[2048], ct[256], *discard = NULL;
    long status = 0;
    int i;

    if (!body) /* the caller wants the status only */
        body = &discard;
    *body = calloc(1, 1);
    if (headers)
        *headers = calloc(1, 1);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", h->port, req->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (req->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
    }
    snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type ? req->content_type : "");
    if (req->content_type)
        list = curl_slist_append(list, ct);
    else if (req->body)
        list = curl_slist_append(list, "Content-Type:"); /* none at all */
    for (i = 0; i < 8 && req->headers[i]; i++)
        list = curl_slist_append(list, req->headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (req->userpass) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, req->userpass);
    }
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    if (headers) {
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, headers);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    free(discard);
    return status;
}

long iam_http(const iam_httpd_t *h, const char *method, const char *path, const char *userpass,
              char **body)
{
    iam_req_t req = {method, path, userpass, NULL, NULL, {NULL}};

    if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
        req.body = "x=1";
        req.content_type = "application/x-www-form-urlencoded";
    }
    return iam_http_do(h, &req, body, NULL);
}

int iam_ctl(const iam_httpd_t *h, char **out, const char *fmt, ...)
{
    char args[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return iam_test_run(out, NULL, "'%s/iamctl' -d '%s' %s", iam_test_build_dir(), h->store, args);
}

void iam_ctl_or_die(const iam_httpd_t *h, const char *fmt, ...)
{
    char args[4096], *out = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    if (iam_ctl(h, &out, "%s 2>&1", args) != 0) {
        fprintf(stderr, "iamctl %s: %s\n", args, out ? out : "");
        abort();
    }
    free(out);
}

char *iam_httpd_log(const iam_httpd_t *h)
{
    char *out = NULL;

    iam_test_run(&out, NULL, "cat '%s/logs/error.log'", h->root);
    return out;
}

/* The value of a response header (NULL if absent). */
char *iam_test_header(const char *headers, const char *name)
{
    size_t n = strlen(name);
    const char *l = headers;

    while (l && *l) {
        if (!strncasecmp(l, name, n) && l[n] == ':') {
            const char *v = l + n + 1;
            while (*v == ' ')
                v++;
            return strndup(v, strcspn(v, "\r\n"));
        }
        l = strchr(l, '\n');
        if (l)
            l++;
    }
    return NULL;
}

char *iam_test_csrf(const char *html)
{
    const char *mark = "name=\"csrf\" value=\"", *p = html ? strstr(html, mark) : NULL;

    if (!p)
        return NULL;
    p += strlen(mark);
    return strndup(p, strcspn(p, "\""));
}
