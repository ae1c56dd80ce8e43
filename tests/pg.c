/* mod_iam tests: a real PostgreSQL from Debian's packages, started by the
 * test that needs it: initdb in a directory of the run, the postmaster on
 * a Unix socket there and on a free port of 127.0.0.1, as the postgres
 * user when the tests run as root (PostgreSQL refuses root). It stops
 * with pg_ctl; if the runner dies, the postmaster gets SIGQUIT (its
 * parent-death signal) and run_tests.c's clean-up stops one left behind. */
#include "iam_test.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static const char *pg_bin(void)
{
    static char bin[256];
    char *out = NULL;

    if (!bin[0] && iam_test_run(&out, NULL, "pg_config --bindir") == 0 && out) {
        out[strcspn(out, "\n")] = '\0';
        snprintf(bin, sizeof(bin), "%s", out);
    }
    free(out);
    return bin[0] ? bin : "/usr/lib/postgresql/15/bin";
}

/* As root, PostgreSQL's programs run as the postgres user. */
static const char *as_pg(void)
{
    return geteuid() == 0 ? "runuser -u postgres -- " : "";
}

static void become_postgres(void)
{
    struct passwd *pw;

    if (geteuid() != 0)
        return;
    if (!(pw = getpwnam("postgres")) || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        _exit(126);
}

int iam_pg_start(iam_pg_t *pg, const char *tag)
{
    char *out = NULL, port[16];
    pid_t pid;
    int i;

    if (!pg->dir) {
        memset(pg, 0, sizeof(*pg));
        pg->dir = iam_test_tmpdir(tag);
        pg->port = iam_test_free_port();
        if (geteuid() == 0)
            iam_test_run(NULL, NULL, "chown postgres '%s'", pg->dir);
        if (iam_test_run(&out, NULL,
                         "%s%s/initdb -D '%s/data' -A trust -U iam --no-sync -E UTF8 2>&1", as_pg(),
                         pg_bin(), pg->dir) != 0) {
            fprintf(stderr, "pg: initdb failed: %s\n", out);
            free(out);
            return -1;
        }
        free(out);
        pg->conninfo = xprintf("host=%s port=%d user=iam dbname=postgres", pg->dir, pg->port);
        pg->tcp = xprintf("postgresql://iam@127.0.0.1:%d/postgres", pg->port);
    }
    snprintf(port, sizeof(port), "%d", pg->port);
    pid = fork();
    if (pid == 0) {
        char *data = xprintf("%s/data", pg->dir), *log;
        int fd;

        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGQUIT); /* the runner died: stop at once */
        if (getppid() == 1)
            _exit(127);
        log = xprintf("%s/postgres.log", pg->dir);
        if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        become_postgres();
        execl(xprintf("%s/postgres", pg_bin()), "postgres", "-D", data, "-k", pg->dir, "-p", port,
              "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
              (char *)NULL);
        _exit(127);
    }
    pg->pid = (int)pid;
    for (i = 0; i < 200; i++) { /* up to 20 s */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "pg: the postmaster exited (%d)\n", st);
            pg->pid = 0;
            return -1;
        }
        if (iam_test_run(NULL, NULL, "%s/pg_isready -q -U iam -h '%s' -p %d", pg_bin(), pg->dir,
                         pg->port) == 0)
            return 0;
        usleep(100 * 1000);
    }
    fprintf(stderr, "pg: not ready after 20 s\n");
    return -1;
}

/* pg_ctl stops it (fast: open sessions end, committed work is kept). */
void iam_pg_stop(iam_pg_t *pg)
{
    int st;

    if (!pg->pid)
        return;
    if (iam_test_run(NULL, NULL, "%s%s/pg_ctl stop -D '%s/data' -m fast -w -t 60 >/dev/null",
                     as_pg(), pg_bin(), pg->dir) != 0)
        kill(pg->pid, SIGQUIT);
    waitpid(pg->pid, &st, 0);
    pg->pid = 0;
}

void iam_pg_kill(iam_pg_t *pg)
{
    int st;

    if (!pg->pid)
        return;
    kill(pg->pid, SIGKILL);
    waitpid(pg->pid, &st, 0);
    pg->pid = 0;
}

char *iam_pg_createdb(iam_pg_t *pg, const char *name)
{
    if (iam_test_run(NULL, NULL, "%s/createdb -h '%s' -p %d -U iam '%s'", pg_bin(), pg->dir,
                     pg->port, name) != 0)
        return NULL;
    return xprintf("host=%s port=%d user=iam dbname=%s", pg->dir, pg->port, name);
}

int iam_pg_sql(iam_pg_t *pg, const char *dbname, const char *sql, char **out)
{
    return iam_test_run(out, NULL,
                        "%s/psql -h '%s' -p %d -U iam -d '%s' -XAtq -v ON_ERROR_STOP=1 -c %s",
                        pg_bin(), pg->dir, pg->port, dbname, shq(sql));
}
