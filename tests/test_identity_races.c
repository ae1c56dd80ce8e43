/* mod_iam tests, suite "identity": races. Many first requests of one new
 * login at once, under the event and the prefork MPM: one member made, one
 * audit entry, one line in the log; the same for an invitation claimed by
 * email: one claim, no new member. */
#include "identity_test.h"

#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ================= race: concurrent first requests ================= */

#define RACERS 20
#define RACE_ROUNDS 3

static void start_race(const char *mpm)
{
    char *extra = xprintf("%sIAMAutoProvision On\n", idp_conf), *login;
    int i;

    iam_httpd_prepare(&srv, mpm);
    for (i = 0; i < RACE_ROUNDS; i++) {
        login = xprintf("racer%d", i);
        add_login(&srv, login);
        extra = xprintf("%s%s", extra,
                        idp_claims(login, xprintf("racer%d@corp.example", i), "Race Runner"));
    }
    add_login(&srv, "claimer");
    extra = xprintf("%s%s", extra, idp_claims("claimer", "claimer@corp.example", NULL));
    start_or_die(&srv, mpm, extra);
}

static void start_race_event(void)
{
    start_race("event");
}

static void start_race_prefork(void)
{
    start_race("prefork");
}

/* RACERS processes each send one request as `user`, all let go at once. */
static void race(const iam_httpd_t *h, const char *user, const char *path, long st[RACERS])
{
    int go[2], res[2], i, w;
    pid_t pids[RACERS];

    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(res), 0);
    for (i = 0; i < RACERS; i++) {
        pids[i] = fork();
        ck_assert_msg(pids[i] >= 0, "fork failed");
        if (pids[i] == 0) {
            long r[2];
            char c;
            close(go[1]);
            close(res[0]);
            if (read(go[0], &c, 1) < 0) /* returns 0 when the parent closes go[1] */
                _exit(1);
            r[0] = i;
            r[1] = status_of(h, user, path);
            if (write(res[1], r, sizeof(r)) != (ssize_t)sizeof(r))
                _exit(1);
            _exit(0);
        }
        st[i] = -1;
    }
    close(go[0]);
    close(res[1]);
    usleep(200 * 1000); /* every child waits on the pipe */
    close(go[1]);
    for (w = 0; w < RACERS; w++) {
        long r[2];
        if (read(res[0], r, sizeof(r)) != (ssize_t)sizeof(r))
            break;
        if (r[0] >= 0 && r[0] < RACERS)
            st[r[0]] = r[1];
    }
    close(res[0]);
    for (i = 0; i < RACERS; i++)
        waitpid(pids[i], NULL, 0);
}

START_TEST(test_race_first_requests)
{
    char *login = xprintf("racer%d", _i), *email = xprintf("racer%d@corp.example", _i), *log;
    int before = nmembers(&srv), i;
    long st[RACERS];

    race(&srv, login, "/", st);
    for (i = 0; i < RACERS; i++)
        ck_assert_msg(st[i] == 200, "request %d of %s: status %ld", i, login, st[i]);
    ck_active_member(&srv, login, email, "Race Runner"); /* written by a child, after */
    ck_assert_int_eq(nmembers(&srv), before + 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", login, NULL), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", login, "system"), 1);
    /* said once, by the child that wrote it, just after the write */
    IAM_EVENTUALLY(count_of(iam_httpd_log(&srv), xprintf("'%s' joined", login)) == 1);
    ck_assert_int_eq(count_of(iam_httpd_log(&srv), xprintf("'%s' joined", login)), 1);
    log = iam_httpd_log(&srv);
    ck_assert_msg(!has(log, "cannot admit") && !has(log, "[iam:error]"), "%s", tail(log));
    free(log);
}
END_TEST

/* The same for an invitation claimed by email: one claim, no new member. */
START_TEST(test_race_claim)
{
    int before, i;
    long st[RACERS];
    json_t *m;

    iam_ctl_or_die(&srv, "member invite claimer@corp.example --name 'Claimer Invited'");
    iam_ctl_or_die(&srv, "grant --member claimer@corp.example warehouse-read-only");
    before = nmembers(&srv);
    race(&srv, "claimer", "/warehouses/main/", st);
    for (i = 0; i < RACERS; i++)
        ck_assert_msg(st[i] == 200, "request %d of claimer: status %ld", i, st[i]);
    ck_active_member(&srv, "claimer", "claimer@corp.example", "Claimer Invited");
    ck_assert_int_eq(nmembers(&srv), before);
    m = member_of(&srv, "claimer");
    ck_assert_int_eq(json_array_size(json_object_get(m, "grants")), 1);
    json_decref(m);
    ck_assert_msg(member_of(&srv, "claimer@corp.example") == NULL, "the invitation is still there");
    IAM_EVENTUALLY(naudit(&srv, "member.activate", "claimer", "system") == 1);
    ck_assert_int_eq(naudit(&srv, "member.activate", "claimer", "system"), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", "claimer", NULL), 0);
}
END_TEST

void id_add_races(Suite *s)
{
    TCase *tc;

    tc = id_server_case("race_event", start_race_event);
    tcase_add_loop_test(tc, test_race_first_requests, 0, RACE_ROUNDS);
    tcase_add_test(tc, test_race_claim);
    suite_add_tcase(s, tc);

    tc = id_server_case("race_prefork", start_race_prefork);
    tcase_add_loop_test(tc, test_race_first_requests, 0, RACE_ROUNDS);
    tcase_add_test(tc, test_race_claim);
    suite_add_tcase(s, tc);
}
