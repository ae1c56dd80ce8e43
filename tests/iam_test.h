/* mod_iam tests: one Suite per area, gathered by run_tests.c. */
#ifndef IAM_TEST_H
#define IAM_TEST_H

#include <check.h>
#include <stddef.h>
#include <unistd.h>

Suite *suite_policy(void);
Suite *suite_store(void);
Suite *suite_pathmap(void);
Suite *suite_scim(void);
Suite *suite_scim_http(void); /* SCIM in a real httpd, as Okta and Entra ID speak it */
Suite *suite_iamctl(void);
Suite *suite_httpd(void);
Suite *suite_requests(void);
Suite *suite_api(void);
Suite *suite_console(void);
Suite *suite_identity(void);
Suite *suite_hostile(void);
Suite *suite_faults(void);
Suite *suite_git(void);
Suite *suite_audit_text(void);
Suite *suite_log(void);
Suite *suite_log_httpd(void);
Suite *suite_arrival(void);
Suite *suite_cluster(void);
Suite *suite_cluster_bench(void); /* only with IAM_SUITES=cluster-bench */
Suite *suite_glue(void);

/* NULL if the log of `from`, applied to a new store in `dir`, makes a
 * store that verifies and whose digest is that of `from`; else what
 * differs (test_log.c). */
struct iam_store;
struct apr_pool_t;
char *iam_test_replay_differs(struct iam_store *from, const char *dir, struct apr_pool_t *p);

/* Every TCase sets its timeout (s), about nine times its slowest test as
 * measured under AddressSanitizer (`IAM_TEST_XML=FILE` writes each test's
 * duration): three times for a machine three times slower, three times
 * more for margin. No assertion ever depends on timing. */
#define IAM_TIMEOUT_PURE 30    /* no disk, no process */
#define IAM_TIMEOUT_DISK 60    /* stores, iamctl processes */
#define IAM_TIMEOUT_SERVER 120 /* real httpds, git, load */

/* A fresh temporary directory (removed by iam_test_rmtree). */
char *iam_test_tmpdir(const char *tag);
void iam_test_rmtree(const char *dir);
/* The build directory holding iamctl and mod_iam.so ($IAM_BUILD). */
const char *iam_test_build_dir(void);
/* Runs a command line through /bin/sh; returns its exit status and, if
 * out/err are given, what it printed (malloc'd, NUL-terminated). */
int iam_test_run(char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Small helpers of the integration tests (they run in forked children:
 * what these allocate is never freed). */
char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int has(const char *hay, const char *needle); /* NULL hay: no */
/* How often `needle` occurs in `hay`, apart (NULL hay: 0). */
int count_of(const char *hay, const char *needle);
char *shq(const char *s);              /* s quoted for /bin/sh */
char *base64(const char *s, size_t n); /* for Basic credentials */

/* A file's whole content (malloc'd; "" if unreadable). */
char *iam_test_slurp(const char *path);

/* ---- a real httpd (harness.c) ---- */

/* A port of 127.0.0.1 nothing listens on now. */
int iam_test_free_port(void);

typedef struct {
    char *root;  /* ServerRoot: htdocs, store, logs, httpd.conf */
    char *store; /* root/store */
    int port;
    int pid;
} iam_httpd_t;

/* Prepares a server root: the demo htdocs and password file, and the demo
 * store (conf/demo/seed). */
void iam_httpd_prepare(iam_httpd_t *h, const char *tag);
/* Writes httpd.conf (conf/demo/base.conf, then `site` if not NULL, else
 * conf/demo/site.conf, then `extra`), starts Debian's apache2 under `mpm`
 * on a free port of 127.0.0.1 and waits until it answers. 0 on success. */
int iam_httpd_start(iam_httpd_t *h, const char *mpm, const char *site, const char *extra);
void iam_httpd_stop(iam_httpd_t *h);
void iam_httpd_cleanup(iam_httpd_t *h);
/* `apache2 -t` on a config of base.conf plus `site`; returns its exit
 * status and what it printed. */
int iam_httpd_configtest(iam_httpd_t *h, const char *site, char **output);
/* One request; returns the HTTP status (0 when none). userpass "u:p" or
 * NULL; body NULL: the status only. */
long iam_http(const iam_httpd_t *h, const char *method, const char *path, const char *userpass,
              char **body);
/* A request with everything settable; NULL fields are left out. */
typedef struct {
    const char *method; /* "GET" when NULL */
    const char *path;
    const char *userpass;     /* "user:password" for Basic auth */
    const char *content_type; /* sent with body */
    const char *body;
    const char *headers[8]; /* extra "Name: value" lines, NULL-terminated */
} iam_req_t;

/* Sends req; returns the status (0 when none). *body (unless body is
 * NULL) and, if wanted, *headers (the raw response header block) are
 * malloc'd. */
long iam_http_do(const iam_httpd_t *h, const iam_req_t *req, char **body, char **headers);

/* Runs `iamctl -d STORE ARGS`; returns its exit status. */
int iam_ctl(const iam_httpd_t *h, char **out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Waits, up to 20 s, until `expr` holds: for what a server's child writes
 * just after it answered (a member seen, a token used: touch.c). The
 * assertion that follows says whether it came; no time is asserted. */
/* Runs a store call and checks its status; `err` (an iam_err_t) is
 * cleared first so that a failure shows this call's detail. Each store
 * test file wraps it: #define EXPECT(want, call) IAM_EXPECT(ierr, want, call). */
#define IAM_EXPECT(err, want, call)                                                                \
    do {                                                                                           \
        iam_status_e got_;                                                                         \
        memset(&(err), 0, sizeof(err));                                                            \
        got_ = (call);                                                                             \
        ck_assert_msg(got_ == (want), "%s -> %s (%s), want %s", #call, iam_status_str(got_),       \
                      (err).msg, iam_status_str(want));                                            \
    } while (0)

#define IAM_EVENTUALLY(expr)                                                                       \
    do {                                                                                           \
        int tries_;                                                                                \
        for (tries_ = 0; tries_ < 400 && !(expr); tries_++)                                        \
            usleep(50 * 1000);                                                                     \
    } while (0)

/* Runs `iamctl -d STORE ARGS` (stderr with stdout) and aborts the test,
 * printing what it said, unless it exits 0: for a fixture's set-up. */
void iam_ctl_or_die(const iam_httpd_t *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ---- a real PostgreSQL (pg.c) ---- */

typedef struct {
    char *dir;      /* the run's directory: data/, and the server's socket */
    int port;       /* its port on 127.0.0.1 */
    int pid;        /* the postmaster (0: stopped) */
    char *conninfo; /* the database "postgres" over the socket, as user iam */
    char *tcp;      /* the same over 127.0.0.1, as a URI */
} iam_pg_t;

/* Starts PostgreSQL (initdb the first time, into a directory of the run;
 * pg zeroed before): 0 once it accepts connections. Again after a stop or
 * a kill: the same data, on the same port. */
int iam_pg_start(iam_pg_t *pg, const char *tag);
void iam_pg_stop(iam_pg_t *pg); /* pg_ctl stop -m fast */
void iam_pg_kill(iam_pg_t *pg); /* SIGKILL to the postmaster */
/* A new database: its connection string, or NULL. */
char *iam_pg_createdb(iam_pg_t *pg, const char *name);
/* psql -c SQL on `dbname`: its exit status, and what it printed. */
int iam_pg_sql(iam_pg_t *pg, const char *dbname, const char *sql, char **out);

/* The value of a response header in a raw header block, or NULL. */
char *iam_test_header(const char *headers, const char *name);
/* The value of the first hidden "csrf" input of a page, or NULL. */
char *iam_test_csrf(const char *html);
/* The server's error log so far (malloc'd). */
char *iam_httpd_log(const iam_httpd_t *h);

#endif
