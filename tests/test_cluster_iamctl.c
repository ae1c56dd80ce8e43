/* mod_iam tests, cluster suite: a workspace in PostgreSQL through iamctl.
 * init in a database and of replicas; writes through any replica that
 * see every earlier one (uniqueness, the last owner) however they race;
 * replicas and the database's own view export the same; another
 * workspace's store refused; snapshots that new replicas start from and
 * that let go of the log; a single-server workspace moved in with
 * export and import; the database stopped: reads go on, writes fail with
 * one line and change nothing, and work again once it is back. */
#include "cluster_test.h"

#include <stdlib.h>
#include <string.h>

/* Two replicas of a new workspace: a made it, b follows. */
static void two_replicas(const char *db, const char *a, const char *b)
{
    char *out = cl_ctl_ok("-d %s --database %s init", a, db);

    ck_assert_msg(has(out, "a new workspace"), "%s", out);
    out = cl_ctl_ok("-d %s --database %s init", b, db);
    ck_assert_msg(has(out, "is a replica"), "%s", out);
}

START_TEST(test_init_and_replicas)
{
    char *db = shq(cl_database("init")), *a = cl_store("a"), *b = cl_store("b"), *out = NULL;

    two_replicas(db, a, b);
    ck_assert_int_eq(cl_ctl(&out, "--database %s init", db), 1);
    ck_assert_msg(has(out, "holds a workspace already"), "%s", out);
    /* the stores record their database: no flag from now on */
    cl_ctl_ok("-d %s member add alice --owner", a);
    ck_assert_int_eq(cl_ctl(&out, "-d %s member add alice", b), 1);
    ck_assert_msg(has(out, "already a member"), "b caught up under the lock: %s", out);
    cl_ctl_ok("-d %s member add bob", b);
    out = cl_ctl_ok("-d %s replica status", a);
    ck_assert_msg(has(out, "behind:   1 entries"), "%s", out);
    out = cl_ctl_ok("-d %s member list", a); /* reads: the store as it is */
    ck_assert_msg(!has(out, "bob"), "%s", out);
    cl_converged(db, a, b);
    out = cl_ctl_ok("-d %s member list", a);
    ck_assert_msg(has(out, "bob"), "%s", out);
}
END_TEST

/* Writes racing through two replicas: every distinct one lands, the same
 * member is added once, and the replicas converge. */
START_TEST(test_concurrent_writes)
{
    char *db = shq(cl_database("race")), *a = cl_store("a"), *b = cl_store("b"), *out = NULL;
    const char *ctl = xprintf("%s/iamctl", iam_test_build_dir());
    int i, same_ok = 0, same_refused = 0, distinct_ok = 0;
    char *line;

    two_replicas(db, a, b);
    ck_assert_int_eq(
        iam_test_run(&out, NULL,
                     "for i in 1 2 3 4 5 6; do "
                     "(%s -d %s member add a$i >/dev/null 2>&1; echo \"distinct $?\") & "
                     "(%s -d %s member add b$i >/dev/null 2>&1; echo \"distinct $?\") & done; "
                     "for i in 1 2 3; do "
                     "(%s -d %s member add same >/dev/null 2>&1; echo \"same $?\") & "
                     "(%s -d %s member add same >/dev/null 2>&1; echo \"same $?\") & done; wait",
                     ctl, a, ctl, b, ctl, a, ctl, b),
        0);
    for (line = strtok(out, "\n"), i = 0; line; line = strtok(NULL, "\n"), i++) {
        distinct_ok += !strcmp(line, "distinct 0");
        same_ok += !strcmp(line, "same 0");
        same_refused += !strcmp(line, "same 1");
    }
    ck_assert_int_eq(i, 18);
    ck_assert_int_eq(distinct_ok, 12);
    ck_assert_int_eq(same_ok, 1);
    ck_assert_int_eq(same_refused, 5);
    cl_converged(db, a, b);
    out = cl_ctl_ok("-d %s member list --json", b);
    ck_assert_msg(has(out, "\"a6\"") && has(out, "\"b6\"") && has(out, "\"same\""), "%s", out);
}
END_TEST

/* Two owners demote each other through two replicas at once: exactly one
 * demotion lands, and one owner is left. Three rounds, a workspace each. */
START_TEST(test_last_owner_across_replicas)
{
    const char *ctl = xprintf("%s/iamctl", iam_test_build_dir());
    char *out = NULL, *line;
    int round, ok, refused;

    for (round = 0; round < 3; round++) {
        char *db = shq(cl_database("owners")), *a = cl_store("a"), *b = cl_store("b");
        two_replicas(db, a, b);
        cl_ctl_ok("-d %s member add alice --owner", a);
        cl_ctl_ok("-d %s member add bob --owner", a);
        cl_ctl_ok("-d %s replica sync", b);
        iam_test_run(&out, NULL,
                     "(%s -d %s revoke --member bob workspace-owner >/dev/null 2>&1; echo $?) & "
                     "(%s -d %s revoke --member alice workspace-owner >/dev/null 2>&1; echo $?) & "
                     "wait",
                     ctl, a, ctl, b);
        for (ok = refused = 0, line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
            ok += !strcmp(line, "0");
            refused += !strcmp(line, "1");
        }
        ck_assert_msg(ok == 1 && refused == 1, "round %d: %d done, %d refused", round, ok, refused);
        cl_converged(db, a, b);
        out = cl_ctl_ok("-d %s member list", a);
        ck_assert_msg(has(out, "roles=Workspace Owner"), "round %d: no owner left: %s", round, out);
    }
}
END_TEST

/* A store of another workspace never follows this one. */
START_TEST(test_other_workspace_refused)
{
    char *db = shq(cl_database("other")), *db2 = shq(cl_database("other2")), *a = cl_store("a"),
         *s = cl_store("s"), *out = NULL, *before;

    cl_ctl_ok("-d %s --database %s init", a, db);
    cl_ctl_ok("-d %s init", s);
    cl_ctl_ok("-d %s member add zoe", s);
    ck_assert_int_eq(cl_ctl(&out, "-d %s --database %s init", s, db), 1);
    ck_assert_msg(has(out, "another workspace"), "%s", out);
    /* a replica of db, pointed at a database of another workspace */
    cl_ctl_ok("--database %s init", db2);
    before = cl_ctl_ok("-d %s export", a);
    ck_assert_int_eq(cl_ctl(&out, "-d %s --database %s member add yan", a, db2), 1);
    ck_assert_msg(has(out, "another workspace"), "%s", out);
    ck_assert_str_eq(cl_ctl_ok("-d %s export", a), before);
    /* a store of its own refuses to sync: it replicates nothing */
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica sync", s), 1);
    ck_assert_msg(has(out, "replicates no database"), "%s", out);
}
END_TEST

/* A replica ahead of its database (the database restored, or a standby
 * that lagged taking over): status says so, writes are refused and change
 * nothing, and a new replica of what the database holds works. */
START_TEST(test_replica_ahead_refused)
{
    char *conninfo = cl_database("ahead"), *db = shq(conninfo), *a = cl_store("a"),
         *b = cl_store("b"), *out = NULL, *before;

    cl_ctl_ok("-d %s --database %s init", a, db);
    cl_ctl_ok("-d %s member add alice --owner", a);
    cl_ctl_ok("-d %s member add bob", a);
    /* the database loses its last entry, as a restore would */
    ck_assert_int_eq(iam_pg_sql(&cl_pg, strstr(conninfo, "dbname=") + 7,
                                "DELETE FROM iam_log WHERE seq = (SELECT head FROM "
                                "iam_workspace); UPDATE iam_workspace SET head = head - 1",
                                &out),
                     0);
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica status", a), 1);
    ck_assert_msg(has(out, "ahead of the database"), "%s", out);
    before = cl_ctl_ok("-d %s export", a);
    ck_assert_int_eq(cl_ctl(&out, "-d %s member add carol", a), 1);
    ck_assert_msg(has(out, "ahead of the database"), "%s", out);
    ck_assert_str_eq(cl_ctl_ok("-d %s export", a), before);
    cl_ctl_ok("-d %s --database %s init", b, db);
    cl_ctl_ok("-d %s member add carol", b);
    out = cl_ctl_ok("--database %s member list", db);
    ck_assert_msg(has(out, "alice") && !has(out, "bob") && has(out, "carol"), "%s", out);
}
END_TEST

/* Snapshots: a replica made after one starts from it (the log before it
 * is not replayed), and follows from there; a second snapshot lets go
 * of the log up to the first; a replica left behind what the log keeps
 * is told to start anew by status, sync and writes (exit 1, nothing
 * changed), and a temporary replica starts from the snapshot. */
START_TEST(test_snapshots)
{
    char *db = shq(cl_database("snap")), *a = cl_store("a"), *late = cl_store("late"),
         *c = cl_store("c"), *out = NULL, *before;
    int i;

    two_replicas(db, a, late);
    for (i = 0; i < 5; i++)
        cl_ctl_ok("-d %s member add m%d", a, i);
    out = cl_ctl_ok("-d %s replica snapshot", a);
    ck_assert_msg(has(out, "snapshot at entry") && has(out, "; 0 older log entries"), "%s", out);
    for (i = 5; i < 10; i++)
        cl_ctl_ok("-d %s member add m%d", a, i);
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica snapshot --keep x", a), 2);
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica status --keep 1", a), 2);
    /* by default the log is kept 10,000 entries back: nothing goes */
    out = cl_ctl_ok("-d %s replica snapshot", a);
    ck_assert_msg(has(out, "; 0 older"), "%s", out);
    out = cl_ctl_ok("-d %s replica snapshot --keep 0", a);
    ck_assert_msg(has(out, "snapshot at entry") && !has(out, "; 0 older"), "%s", out);
    out = cl_ctl_ok("-d %s replica status", a);
    ck_assert_msg(has(out, "its log kept from entry") && has(out, "its snapshot at entry"), "%s",
                  out);

    /* the log keeps nothing yet: late is behind it all the same */
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica sync", late), 1);
    ck_assert_msg(has(out, "keeps its log from entry"), "%s", out);

    /* a replica made now starts from the snapshot, writes, and converges */
    cl_ctl_ok("-d %s --database %s init", c, db);
    out = cl_ctl_ok("-d %s log status", c);
    ck_assert_msg(has(out, "none kept before it"), "%s", out);
    cl_ctl_ok("-d %s member add after", c);
    cl_ctl_ok("-d %s verify", c);
    cl_converged(db, a, c);
    out = cl_ctl_ok("--database %s member list", db); /* a temporary replica */
    ck_assert_msg(has(out, "m0") && has(out, "m9") && has(out, "after"), "%s", out);

    /* late lacks entries the database no longer keeps */
    before = cl_ctl_ok("-d %s export", late);
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica status", late), 1);
    ck_assert_msg(has(out, "behind what the database keeps"), "%s", out);
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica sync", late), 1);
    ck_assert_msg(has(out, "keeps its log from entry") && has(out, "anew"), "%s", out);
    ck_assert_int_eq(cl_ctl(&out, "-d %s member add never", late), 1);
    ck_assert_msg(has(out, "anew"), "%s", out);
    ck_assert_str_eq(cl_ctl_ok("-d %s export", late), before);
}
END_TEST

/* A single-server workspace moves into a database with export and import. */
START_TEST(test_move_into_database)
{
    char *db = shq(cl_database("move")), *s = cl_store("s"), *file, *mine, *moved;

    cl_ctl_ok("-d %s init", s);
    cl_ctl_ok("-d %s member add alice --owner --email alice@example.com", s);
    cl_ctl_ok("-d %s member add bob --name Bob", s);
    cl_ctl_ok("-d %s group create eng", s);
    cl_ctl_ok("-d %s group add eng bob", s);
    cl_ctl_ok("-d %s grant --group eng source-admin --all", s);
    mine = cl_ctl_ok("-d %s export", s);
    file = xprintf("%s.json", s);
    cl_ctl_ok("-d %s export > %s", s, file);
    cl_ctl_ok("--database %s init", db);
    cl_ctl_ok("--database %s import %s", db, file);
    moved = cl_ctl_ok("--database %s export", db);
    ck_assert_str_eq(moved, mine);
}
END_TEST

/* The database stopped: the replica answers reads as before; a write
 * fails with one line naming the database and changes nothing; status
 * says so. Started again: writes work, without anything restarted. */
START_TEST(test_database_down)
{
    char *db = shq(cl_database("down")), *a = cl_store("a"), *out = NULL, *before;

    cl_ctl_ok("-d %s --database %s init", a, db);
    cl_ctl_ok("-d %s member add alice --owner", a);
    before = cl_ctl_ok("-d %s export", a);
    iam_pg_stop(&cl_pg);
    out = cl_ctl_ok("-d %s member list", a);
    ck_assert_msg(has(out, "alice"), "%s", out);
    ck_assert_int_eq(cl_ctl(&out, "-d %s member add zed", a), 1);
    ck_assert_msg(has(out, "database") && strchr(out, '\n') == out + strlen(out) - 1,
                  "one line naming the database: %s", out);
    ck_assert_str_eq(cl_ctl_ok("-d %s export", a), before);
    ck_assert_int_eq(cl_ctl(&out, "-d %s replica status", a), 1);
    ck_assert_msg(has(out, "unreachable"), "%s", out);
    ck_assert_int_eq(iam_pg_start(&cl_pg, "pg"), 0);
    cl_ctl_ok("-d %s member add zed", a);
    out = cl_ctl_ok("--database %s member list", db);
    ck_assert_msg(has(out, "zed"), "%s", out);
    iam_pg_stop(&cl_pg); /* this test's own; the fixture's stop finds it stopped */
}
END_TEST

void cluster_add_iamctl(Suite *s)
{
    TCase *tc = cl_tcase("iamctl", IAM_TIMEOUT_SERVER);
    TCase *down = cl_tcase("down", IAM_TIMEOUT_SERVER); /* its test stops its PostgreSQL */

    tcase_add_test(tc, test_init_and_replicas);
    tcase_add_test(tc, test_concurrent_writes);
    tcase_add_test(tc, test_last_owner_across_replicas);
    tcase_add_test(tc, test_other_workspace_refused);
    tcase_add_test(tc, test_move_into_database);
    tcase_add_test(tc, test_replica_ahead_refused);
    tcase_add_test(tc, test_snapshots);
    suite_add_tcase(s, tc);
    tcase_add_test(down, test_database_down);
    suite_add_tcase(s, down);
}
