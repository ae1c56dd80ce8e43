/* iamctl tests: crash safety. Writes (adds, memberships, group grants
 * that rewrite every member's copy) killed with SIGKILL at random
 * moments, most of them mid-write; afterwards verify finds no damage and
 * every write that reported success is there. */
#include "iamctl_test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Starts iamctl with these arguments, output discarded; returns its pid. */
static pid_t spawn_ctl(char *const args[])
{
    char bin[512];
    char *argv[16];
    pid_t pid;
    int i, n = 0;

    snprintf(bin, sizeof(bin), "%s/iamctl", iam_test_build_dir());
    argv[n++] = bin;
    argv[n++] = "-d";
    argv[n++] = store;
    for (i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execv(bin, argv);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    return pid;
}

#define KILL_ROUNDS 150

/* Writes (adds, memberships, group grants that rewrite every member's copy)
 * each killed with SIGKILL after a random delay, most of them mid-write.
 * Afterwards the store opens, verify finds no damage, and every write that
 * reported success is there. */
START_TEST(test_writes_killed)
{
    int done[KILL_ROUNDS] = {0}, killed = 0, finished = 0, i, window;
    unsigned seed = (unsigned)time(NULL);
    struct timespec t0, t1;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add olivia --owner");
    CTL_OK(NULL, "group create all");
    CTL_OK(NULL, "member add witness"); /* holds only what group all grants */
    CTL_OK(NULL, "group add all witness");
    /* kill within twice the time an unkilled write takes here: on a slow
     * disk as on a fast one, about half die mid-way */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CTL_OK(NULL, "grant --group all source-read-only --resource timing");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    window = (int)((t1.tv_sec - t0.tv_sec) * 2000000 + (t1.tv_nsec - t0.tv_nsec) / 500);
    window = window < 2000 ? 2000 : window;
    srand(seed);
    for (i = 0; i < KILL_ROUNDS; i++) {
        char login[32], *const add[] = {"member", "add", login, NULL},
                               *const join[] = {"group", "add", "all", login, NULL},
                               *const grant[] = {"grant",      "--group", "all", "source-read-only",
                                                 "--resource", login,     NULL};
        char *const *args = i % 3 == 0 ? add : i % 3 == 1 ? join : grant;
        int status;
        pid_t pid;

        snprintf(login, sizeof(login), "u%03d", i - i % 3);
        pid = spawn_ctl(args);
        usleep((useconds_t)(rand() % window));
        kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            done[i] = 1;
            finished++;
        } else if (WIFSIGNALED(status)) {
            killed++;
        }
    }
    ck_assert_msg(killed > 10 && finished > 10, "seed %u: %d killed, %d finished: tune the delay",
                  seed, killed, finished);
    CTL_OK("no damage", "verify");
    for (i = 0; i < KILL_ROUNDS; i++) {
        if (!done[i])
            continue;
        if (i % 3 == 0)
            CTL_OK(NULL, "member show u%03d", i);
        else if (i % 3 == 1)
            CTL_OK("all", "member show u%03d", i - 1);
        else
            CTL_OK("allow", "check witness source u%03d read", i - 2);
    }
    printf("crash safety: %d of %d writes killed with SIGKILL, %d finished and found, no damage "
           "(seed %u)\n",
           killed, KILL_ROUNDS, finished, seed);
}
END_TEST

/* Adds this file's TCases to the suite. */
void ctlt_add_crash(Suite *s)
{
    TCase *tc;

    tc = ctlt_tcase("crash");
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_writes_killed);
    suite_add_tcase(s, tc);
}
