/* mod_iam tests, the "store" suite (store_test.h): what a store refuses or
 * reads as damage: another format's version, someone else's LMDB, planted
 * links, a garbage, cut or empty data.mdb, member and group records
 * damaged, cut or flipped byte by byte; then the copy of their groups'
 * grants that member records carry (following every change and every
 * commit, upgraded from format 1, held by reference when too big), and
 * what verify finds. */
#include "store_test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

static int same_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "rb");
    char *buf = apr_palloc(pool, n + 1);
    size_t got;

    ck_assert_ptr_nonnull(f);
    got = fread(buf, 1, n + 1, f);
    fclose(f);
    return got == n && !memcmp(buf, data, n);
}

/* ---- versions and damage ---- */

START_TEST(test_version_mismatch)
{
    iam_store_t *s2 = NULL;

    add("alice", NULL, 1);
    iam_store_close(st);
    raw_put(sdir, "\x01version", 8, "99", 2);
    EXPECT(IAM_VERSION, iam_store_open(&s2, sdir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "99"));
    ck_assert_ptr_null(s2);
    EXPECT(IAM_VERSION, iam_store_open(&s2, sdir, 0, IAM_OPEN_CREATE, pool, &ierr));
    EXPECT(IAM_VERSION, iam_store_open(&s2, sdir, 0, IAM_OPEN_RDONLY, pool, &ierr));
}
END_TEST

START_TEST(test_foreign_lmdb)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/foreign", NULL);
    iam_store_t *s2 = NULL;
    MDB_val v;

    ck_assert_int_eq(mkdir(dir, 0750), 0);
    raw_put(dir, "hello", 5, "world", 5);
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, dir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "not a mod_iam store"));
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, dir, 0, IAM_OPEN_RDONLY, pool, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, dir, 0, IAM_OPEN_CREATE, pool, &ierr));
    ck_assert_ptr_null(s2);
    /* Left as it was: no version key written into someone else's data. */
    ck_assert_ptr_null(raw_get(dir, "\x01version", 8).mv_data);
    v = raw_get(dir, "hello", 5);
    ck_assert_uint_eq(v.mv_size, 5);
}
END_TEST

/* A planted link must not make the store (perhaps run by root) write or
 * chown a file elsewhere. */
START_TEST(test_linked_files_refused)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/linked", NULL);
    const char *victim = apr_pstrcat(pool, tmp_dir, "/victim", NULL);
    const char *lock = apr_pstrcat(pool, dir, "/lock.mdb", NULL);
    const char *data = apr_pstrcat(pool, dir, "/data.mdb", NULL);
    iam_store_t *s2 = open_other("linked", 0);

    iam_store_close(s2);
    write_file(victim, "x", 1);
    ck_assert_int_eq(unlink(lock), 0);
    ck_assert_int_eq(symlink(victim, lock), 0);
    s2 = NULL;
    EXPECT(IAM_ACCESS, iam_store_open(&s2, dir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "not a plain file"));
    ck_assert(same_file(victim, "x", 1));

    /* a hard link to data.mdb: refused too, and never given away */
    ck_assert_int_eq(unlink(lock), 0);
    ck_assert_int_eq(link(data, apr_pstrcat(pool, tmp_dir, "/hard", NULL)), 0);
    EXPECT(IAM_ACCESS, iam_store_open(&s2, dir, 0, 0, pool, &ierr));
    if (geteuid() == 0)
        EXPECT(IAM_ACCESS, iam_store_chown(dir, 65534, 65534, &ierr));
}
END_TEST

START_TEST(test_garbage_data_file)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/garbage", NULL);
    static const int flags[] = {0, IAM_OPEN_RDONLY, IAM_OPEN_CREATE};
    unsigned char junk[65536];
    unsigned x = 12345;
    iam_store_t *s2 = NULL;
    size_t i;

    for (i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    ck_assert_int_eq(mkdir(dir, 0750), 0);
    write_file(apr_pstrcat(pool, dir, "/data.mdb", NULL), junk, sizeof(junk));
    for (i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
        memset(&ierr, 0, sizeof(ierr));
        ck_assert_int_ne(iam_store_open(&s2, dir, 0, flags[i], pool, &ierr), IAM_OK);
        ck_assert_ptr_null(s2);
        ck_assert_msg(ierr.msg[0] != '\0', "no message for a garbage data.mdb");
    }
    /* Not even IAM_OPEN_CREATE writes over a file it cannot read. */
    ck_assert_msg(same_file(apr_pstrcat(pool, dir, "/data.mdb", NULL), junk, sizeof(junk)),
                  "data.mdb was changed");
}
END_TEST

/* A data.mdb cut short (a full disk, a copy stopped half-way): LMDB would
 * map it and the first read past its end would kill the process with
 * SIGBUS (a Check error here, not a failure). Opened every way, it is a
 * clear IAM_CORRUPT, and nothing writes to it. */
START_TEST(test_truncated_data_file)
{
    static const int flags[] = {0, IAM_OPEN_RDONLY, IAM_OPEN_CREATE};
    const char *data = apr_pstrcat(pool, sdir, "/data.mdb", NULL);
    iam_store_t *s2 = NULL;
    struct stat sb;
    off_t cut;
    size_t i;
    int n;

    add("alice", NULL, 1);
    for (n = 0; n < 400; n++)
        add(apr_psprintf(pool, "member%03d-with-a-longer-login-to-fill-pages", n), NULL, 0);
    iam_store_close(st);
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_msg(sb.st_size > 16 * 4096, "a store of %ld bytes is too small", (long)sb.st_size);
    cut = sb.st_size / 2;
    ck_assert_int_eq(truncate(data, cut), 0);
    for (i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
        EXPECT(IAM_CORRUPT, iam_store_open(&s2, sdir, 0, flags[i], pool, &ierr));
        ck_assert_ptr_null(s2);
        ck_assert_msg(strstr(ierr.msg, "cut short") && strstr(ierr.msg, "bytes"), "%s", ierr.msg);
    }
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(sb.st_size, cut);
}
END_TEST

/* An empty or missing data.mdb: a store that existed is never made anew
 * (LMDB would make an empty file a fresh store), and only IAM_OPEN_CREATE
 * (iamctl init) makes a missing one. */
START_TEST(test_empty_data_file_not_recreated)
{
    const char *data = apr_pstrcat(pool, sdir, "/data.mdb", NULL);
    iam_store_t *s2 = NULL;
    struct stat sb;

    add("alice", NULL, 1);
    iam_store_close(st);
    ck_assert_int_eq(truncate(data, 0), 0);
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, sdir, 0, 0, pool, &ierr));
    ck_assert_msg(strstr(ierr.msg, "empty (0 bytes)"), "%s", ierr.msg);
    EXPECT(IAM_CORRUPT, iam_store_open(&s2, sdir, 0, IAM_OPEN_CREATE, pool, &ierr));
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(sb.st_size, 0);
    /* missing: not there, and not made, unless asked to create */
    ck_assert_int_eq(unlink(data), 0);
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, sdir, 0, 0, pool, &ierr));
    EXPECT(IAM_NOSTORE, iam_store_open(&s2, sdir, 0, IAM_OPEN_RDONLY, pool, &ierr));
    ck_assert_int_ne(stat(data, &sb), 0);
    OK(iam_store_open(&s2, sdir, 0, IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
    ck_assert_int_eq(stat(data, &sb), 0);
}
END_TEST

/* Overwrites a record ('M' member or 'G' group) with `bytes` and reopens
 * the store. */
static void damage(char type, const char *name, const void *bytes, size_t n)
{
    size_t klen;
    const char *key = rec_key(type, name, &klen);

    iam_store_close(st);
    raw_put(sdir, key, klen, bytes, n);
    reopen();
}

START_TEST(test_damaged_member_record)
{
    static const unsigned char junk[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37};
    iam_member_t *m;
    iam_group_t *g;
    iam_subject_t subj;
    iam_roles_t roles;
    apr_array_header_t *list;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("alice", "bob"), 2, &ierr));
    damage('M', "bob", junk, sizeof(junk));

    EXPECT(IAM_CORRUPT, iam_store_member_get(st, pool, "bob", &m, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "bob"));
    EXPECT(IAM_CORRUPT, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_member_list(st, pool, NULL, 0, 0, &list, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_group_get(st, pool, "eng", &g, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_member_remove(st, "test", "bob", &ierr));
    /* The rest of the store still reads. */
    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.owner, 1);
}
END_TEST

/* A damaged group record fails every read and write of the group closed.
 * Its members' decisions read the copy of its grants their own records
 * carry, written whole by the last change, so they go on as before. */
START_TEST(test_damaged_group_record)
{
    static const unsigned char junk[] = {0x01, 0x00, 0xff, 0xff, 0xff, 0xff};
    iam_grant_t g = all_of("source-admin");
    iam_subject_t subj;
    iam_roles_t roles;
    iam_group_t *grp;
    apr_array_header_t *list;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &g, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    damage('G', "eng", junk, sizeof(junk));

    EXPECT(IAM_CORRUPT, iam_store_group_get(st, pool, "eng", &grp, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_group_list(st, pool, &list, &ierr));
    EXPECT(IAM_CORRUPT, iam_store_grant(st, "test", 1, "eng", &g, &ierr));
    /* writing bob's record again needs the group: refused, nothing changes */
    EXPECT(IAM_CORRUPT, iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.nsets, 2);
    ck_assert_str_eq(subj.sets[1].via, "eng");
    ck_assert_int_eq(subj.sets[0].ngrants, 0);
    OK(iam_store_subject(st, pool, "alice", &roles, &subj, &ierr));
}
END_TEST

/* Every cut of a good record is a damaged record, never a wrong one. */
START_TEST(test_truncated_member_record)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web", "api"));
    size_t klen, n;
    const char *key = rec_key('M', "bob", &klen);
    iam_member_t *m;
    iam_subject_t subj;
    iam_roles_t roles;
    MDB_val good;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    OK(iam_store_member_add(st, "test", "bob", "bob@example.com", "Bob", IAM_ACTIVE, 0, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    iam_store_close(st);
    good = raw_get(sdir, key, klen);
    ck_assert_ptr_nonnull(good.mv_data);
    reopen();
    for (n = 0; n < good.mv_size; n++) {
        damage('M', "bob", good.mv_data, n);
        EXPECT(IAM_CORRUPT, iam_store_member_get(st, pool, "bob", &m, &ierr));
        EXPECT(IAM_CORRUPT, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    }
    damage('M', "bob", good.mv_data, good.mv_size);
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-admin")), "web api");
}
END_TEST

/* Any byte of a member record changed to anything: the store reads it as
 * damaged or as some record, and never reads outside it (ASan watches). */
START_TEST(test_flipped_member_record)
{
    iam_grant_t g = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web", "api"));
    iam_grant_t l = grant_of("personas-user", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    size_t klen, n, v;
    const char *key = rec_key('M', "bob", &klen);
    iam_subject_t subj;
    iam_roles_t roles;
    MDB_val good;
    int s, i, j;

    iam_roles_init(&roles);
    add("alice", NULL, 1);
    OK(iam_store_member_add(st, "test", "bob", "bob@example.com", "Bob", IAM_ACTIVE, 0, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &g, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &l, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    iam_store_close(st);
    good = raw_get(sdir, key, klen);
    reopen();
    for (n = 0; n < good.mv_size; n++) {
        for (v = 0; v < sizeof(values); v++) {
            unsigned char *bad = apr_pmemdup(pool, good.mv_data, good.mv_size);
            iam_status_e rc;
            if (bad[n] == values[v])
                continue;
            bad[n] = values[v];
            damage('M', "bob", bad, good.mv_size);
            rc = iam_store_subject(st, pool, "bob", &roles, &subj, &ierr);
            ck_assert_msg(rc == IAM_OK || rc == IAM_CORRUPT, "byte %zu = %02x: %s", n, values[v],
                          iam_status_str(rc));
            for (s = 0; rc == IAM_OK && s < subj.nsets; s++) {
                ck_assert(s == 0 || strlen(subj.sets[s].via) < good.mv_size);
                for (i = 0; i < subj.sets[s].ngrants; i++) {
                    const iam_grant_t *gr = &subj.sets[s].grants[i];
                    ck_assert(strlen(gr->role) < good.mv_size);
                    for (j = 0; j < gr->nitems; j++)
                        ck_assert(strlen(gr->items[j]) < good.mv_size);
                }
            }
        }
    }
}
END_TEST

/* ---- the copy of their groups' grants that member records carry ---- */

/* The grant sets a decision sees for `login`, as "via:role,role via:role". */
static const char *sets_text(const char *login)
{
    iam_subject_t subj;
    iam_roles_t roles;
    const char *out = "";
    int s, i;

    iam_roles_init(&roles);
    OK(iam_store_subject(st, pool, login, &roles, &subj, &ierr));
    for (s = 0; s < subj.nsets; s++) {
        out = apr_pstrcat(pool, out, s ? " " : "", subj.sets[s].via ? subj.sets[s].via : "-", ":",
                          NULL);
        for (i = 0; i < subj.sets[s].ngrants; i++)
            out = apr_pstrcat(pool, out, i ? "," : "", subj.sets[s].grants[i].role, NULL);
    }
    return out;
}

/* Every change to a group, its grants or its members reaches the records of
 * the members it concerns, in the same transaction. */
START_TEST(test_member_record_follows_groups)
{
    iam_grant_t ro = all_of("source-read-only"), wh = all_of("warehouse-read-only");
    iam_group_spec_t sp = {"data", 1, NULL, NULL};
    iam_subject_t subj;
    iam_roles_t roles;

    iam_roles_init(&roles);
    add("olivia", NULL, 1);
    add_members(ITEMS("bob", "carol"));
    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob", "carol"), 2, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: Eng:");
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: Eng:source-read-only");
    ck_assert_str_eq(sets_text("carol"), "-: Eng:source-read-only");
    OK(iam_store_grant(st, "test", 0, "bob", &wh, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:warehouse-read-only Eng:source-read-only");
    OK(iam_store_revoke(st, "test", 1, "eng", &ro, 0, &ierr));
    ck_assert_str_eq(sets_text("carol"), "-: Eng:");
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 0, ITEMS("carol"), 1, &ierr));
    ck_assert_str_eq(sets_text("carol"), "-:");
    /* a second group, its personal-data flag, then the first one deleted */
    sp.grants = grants_of(&wh, 1);
    sp.members = names_of(ITEMS("bob"));
    OK(iam_store_group_put(st, "test", &sp, 1, &ierr));
    ck_assert_str_eq(sets_text("bob"), /* groups in name order */
                     "-:warehouse-read-only data:warehouse-read-only Eng:source-read-only");
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.pii, 1);
    OK(iam_store_group_delete(st, "test", "eng", &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:warehouse-read-only data:warehouse-read-only");
    ck_assert_str_eq(joined(member("bob")->groups), "data");
    /* a member removed and added again starts with nothing */
    OK(iam_store_member_remove(st, "test", "bob", &ierr));
    add("bob", NULL, 0);
    ck_assert_str_eq(sets_text("bob"), "-:");
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.pii, 0);
}
END_TEST

/* A handle remembers where it found member records, for as long as the
 * store's last commit is the one it read them in (store.c, memo_t). Any
 * commit, by another handle (another httpd child, iamctl) or by this one,
 * must reach its next read: a grant, a revoke, a removal, the same login
 * added again, a group's change, each read back at once, many times over
 * the same memo slot. */
START_TEST(test_memo_follows_every_commit)
{
    iam_grant_t ro = all_of("source-read-only");
    iam_store_t *other;
    iam_subject_t subj;
    iam_roles_t roles;
    unsigned long hits;
    int i;

    iam_roles_init(&roles);
    OK(iam_store_open(&other, sdir, 0, 0, pool, &ierr));
    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(other, "test", "Eng", &ierr));
    for (i = 0; i < 40; i++) {
        /* twice each: the second read is the remembered one (a hit), and
         * right after the commit that changed it, never */
        hits = iam_store_memo_hits(st);
        ck_assert_str_eq(sets_text("bob"), i % 2 ? "-:source-read-only" : "-:");
        ck_assert_msg(iam_store_memo_hits(st) == hits, "a hit across a commit (round %d)", i);
        ck_assert_str_eq(sets_text("bob"), i % 2 ? "-:source-read-only" : "-:");
        ck_assert_msg(iam_store_memo_hits(st) == hits + 1, "no hit on a second read (round %d)", i);
        if (i % 2)
            OK(iam_store_revoke(i % 4 == 1 ? other : st, "test", 0, "bob", &ro, 0, &ierr));
        else
            OK(iam_store_grant(i % 4 == 0 ? other : st, "test", 0, "bob", &ro, &ierr));
    }
    ck_assert_str_eq(sets_text("bob"), "-:");
    OK(iam_store_group_members(other, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_grant(other, "test", 1, "eng", &ro, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: Eng:source-read-only");
    ck_assert_str_eq(sets_text("bob"), "-: Eng:source-read-only");
    OK(iam_store_member_remove(other, "test", "bob", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    OK(iam_store_member_add(other, "test", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:");
    /* a write that changes nothing the decision reads still commits */
    OK(iam_store_member_activate(other, "bob", &ierr));
    ck_assert_str_eq(sets_text("bob"), "-:");
}
END_TEST

/* A store of format 1 (member records without their groups) is read as it
 * is, and upgraded whole by the first write of this release, whoever opens
 * it; a store of a newer format is refused. */
START_TEST(test_upgrade_format_1)
{
    /* bob's record as format 2 wrote it: Source Read-only on "web" */
    static const unsigned char v2[] = {
        2,   0,   0, 0, 0,  0,   0,   0,   0,   0,   0,   0,   3,   'b', 'o', 'b', 0,   0,   0,
        0,   0,   1, 0, 16, 's', 'o', 'u', 'r', 'c', 'e', '-', 'r', 'e', 'a', 'd', '-', 'o', 'n',
        'l', 'y', 1, 0, 1,  0,   3,   'w', 'e', 'b', 0,   0,   0,   0,   0,   0,   0,   0};
    iam_grant_t wh = all_of("warehouse-read-only");
    size_t klen, vlen;
    const char *vkey = rec_key(0x01, "version", &vlen);
    const char *mkey = rec_key('M', "bob", &klen);
    iam_store_t *other;
    MDB_val rec;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &wh, &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    iam_store_close(st);
    raw_put(sdir, vkey, vlen, "1", 1);
    raw_put(sdir, mkey, klen, v2, sizeof(v2));

    reopen(); /* as the module and iamctl open it */
    ck_assert_str_eq(sets_text("bob"), "-:source-read-only eng:warehouse-read-only");
    ck_assert_int_eq(((unsigned char *)raw_get(sdir, mkey, klen).mv_data)[0], 2);
    add("carol", NULL, 0); /* any write */
    iam_store_close(st);
    rec = raw_get(sdir, mkey, klen);
    ck_assert_int_eq(((unsigned char *)rec.mv_data)[0], 3);
    rec = raw_get(sdir, vkey, vlen);
    ck_assert_int_eq(rec.mv_size, 1);
    ck_assert_int_eq(*(char *)rec.mv_data, '0' + IAM_STORE_FORMAT);
    reopen();
    ck_assert_str_eq(sets_text("bob"), "-:source-read-only eng:warehouse-read-only");
    ck_assert_str_eq(items_text(grant_in(member("bob")->grants, "source-read-only")), "web");

    /* a newer format: opening says so, and nothing is written */
    iam_store_close(st);
    raw_put(sdir, vkey, vlen, "8", 1);
    EXPECT(IAM_VERSION, iam_store_open(&other, sdir, 0, 0, pool, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "version 8"));
    raw_put(sdir, vkey, vlen, "05", 2);
    EXPECT(IAM_VERSION, iam_store_open(&other, sdir, 0, 0, pool, &ierr));
    /* formats 2 to 4 (earlier releases): read as they are, renumbered by a write */
    {
        static const char *older[] = {"2", "3", "4", "5", "6"};
        size_t i;
        for (i = 0; i < sizeof(older) / sizeof(*older); i++) {
            raw_put(sdir, vkey, vlen, older[i], 1);
            reopen();
            add(apr_psprintf(pool, "dave%d", (int)i), NULL, 0);
            iam_store_close(st);
            ck_assert_int_eq(*(char *)raw_get(sdir, vkey, vlen).mv_data, '0' + IAM_STORE_FORMAT);
        }
    }
    reopen();
}
END_TEST

/* A group whose grants are too big to copy into every member is held by
 * reference: member records stay small, and decisions read the group. */
START_TEST(test_big_group_grants_by_reference)
{
    const char *many[301];
    iam_grant_t big, small = all_of("warehouse-read-only");
    size_t klen;
    const char *key = rec_key('M', "bob", &klen);
    iam_roles_t roles;
    iam_subject_t subj;
    iam_decision_t d;
    iam_resource_t res = {"source", "s299", 0, NULL};
    int i;

    for (i = 0; i < 300; i++)
        many[i] = apr_psprintf(pool, "s%d", i);
    many[300] = NULL;
    big = grant_of("source-admin", IAM_SCOPE_RESOURCES, many);
    iam_roles_init(&roles);
    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    OK(iam_store_group_create(st, "test", "big", &ierr));
    OK(iam_store_group_members(st, "test", "big", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_grant(st, "test", 1, "big", &big, &ierr));
    iam_store_close(st);
    ck_assert_uint_lt(raw_get(sdir, key, klen).mv_size, 200);
    reopen();
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    d = iam_policy_decide(&roles, IAM_PLAN_BUSINESS, subj.sets, subj.nsets, &res, IAM_LEVEL_ADMIN);
    ck_assert_msg(d.allow, "%s", d.reason);
    ck_assert_str_eq(d.via, "big");
    /* changed while held by reference: the next decision sees it */
    OK(iam_store_revoke(st, "test", 1, "big", &big, 1, &ierr));
    OK(iam_store_subject(st, pool, "bob", &roles, &subj, &ierr));
    d = iam_policy_decide(&roles, IAM_PLAN_BUSINESS, subj.sets, subj.nsets, &res, IAM_LEVEL_READ);
    ck_assert(!d.allow);
    /* small again: copied */
    OK(iam_store_grant(st, "test", 1, "big", &small, &ierr));
    ck_assert_str_eq(sets_text("bob"), "-: big:warehouse-read-only");
    iam_store_close(st);
    ck_assert_ptr_nonnull(memmem(raw_get(sdir, key, klen).mv_data, raw_get(sdir, key, klen).mv_size,
                                 "warehouse-read-only", 19));
    reopen();
}
END_TEST

/* ---- verify ---- */

START_TEST(test_verify_clean_and_damaged)
{
    iam_grant_t ro = all_of("source-read-only");
    size_t klen;
    const char *gkey = rec_key('G', "eng", &klen);
    MDB_val before;
    iam_verify_t v;

    add("olivia", "olivia@example.com", 1);
    add("bob", "bob@example.com", 0);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    v = verify();
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    ck_assert_int_eq(v.members, 2);
    ck_assert_int_eq(v.groups, 1);
    ck_assert_int_eq(v.links, 1);

    /* a group record put back as it was before a grant: bob's copy is stale */
    iam_store_close(st);
    before = raw_get(sdir, gkey, klen);
    reopen();
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    iam_store_close(st);
    raw_put(sdir, gkey, klen, before.mv_data, before.mv_size);
    /* (and the role index says eng holds Source Read-only) one side of a
     * membership, an owner index entry and an email index entry that lie,
     * a record of no known type */
    raw_put(sdir, "g\0ghost", 7, "", 0);
    raw_put(sdir, "gghost\0bob", 10, "", 0);
    raw_put(sdir, "Obob", 4, "", 0);
    raw_put(sdir, "Enobody@example.com", 19, "nobody", 6);
    raw_put(sdir, "Zzz", 3, "", 0);
    reopen();
    v = verify();
    ck_assert_ptr_nonnull(strstr(problems(&v), "member 'bob' carries a stale copy of group 'eng'"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "the owner index is wrong for member 'bob'"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "leads nobody@example.com to missing member"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "unknown type 0x5a"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "a membership key is damaged"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "a membership names missing group 'ghost'"));
    ck_assert_ptr_nonnull(
        strstr(problems(&v), "the membership of 'bob' in 'ghost' has one side only"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "the role index says group 'eng' holds "
                                               "source-read-only on all, which it does not"));
    ck_assert_msg(v.nproblems == 8, "%s", problems(&v));

    /* a damaged group record: reported, and the scan goes on */
    iam_store_close(st);
    raw_put(sdir, gkey, klen, "\xff", 1);
    reopen();
    v = verify();
    ck_assert_ptr_nonnull(strstr(problems(&v), "group record 'eng' is damaged"));
    ck_assert_ptr_nonnull(strstr(problems(&v), "unknown type 0x5a"));
}
END_TEST

/* ---- the cases ---- */

void store_cases_damage(Suite *s)
{
    TCase *tc;

    tc = store_tcase("damage");
    tcase_add_test(tc, test_version_mismatch);
    tcase_add_test(tc, test_foreign_lmdb);
    tcase_add_test(tc, test_garbage_data_file);
    tcase_add_test(tc, test_truncated_data_file);
    tcase_add_test(tc, test_empty_data_file_not_recreated);
    tcase_add_test(tc, test_linked_files_refused);
    tcase_add_test(tc, test_damaged_member_record);
    tcase_add_test(tc, test_damaged_group_record);
    tcase_add_test(tc, test_truncated_member_record);
    tcase_add_test(tc, test_flipped_member_record);
    suite_add_tcase(s, tc);

    tc = store_tcase("decision-copy");
    tcase_add_test(tc, test_member_record_follows_groups);
    tcase_add_test(tc, test_memo_follows_every_commit);
    tcase_add_test(tc, test_upgrade_format_1);
    tcase_add_test(tc, test_big_group_grants_by_reference);
    tcase_add_test(tc, test_verify_clean_and_damaged);
    suite_add_tcase(s, tc);
}
