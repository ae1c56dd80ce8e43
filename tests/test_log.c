/* mod_iam tests: the operation log (issue 14). Every write transaction
 * appends one entry; applied in order to an empty store, a store's log
 * makes a store equal to it key for key, and `iamctl export` of both
 * reads the same, byte for byte. A replica's apply skips what it has,
 * refuses gaps and damage, and changes nothing when it refuses. */
#include "iam_store.h"
#include "iam_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEST_MAPSIZE ((size_t)64 << 20)

static char *tmp_dir;
static apr_pool_t *pool;
static iam_store_t *st;
static iam_err_t ierr;

#define EXPECT(want, call) IAM_EXPECT(ierr, want, call)
#define OK(call) EXPECT(IAM_OK, call)

static iam_store_t *open_store(const char *name)
{
    iam_store_t *s;
    const char *dir = apr_pstrcat(pool, tmp_dir, "/", name, NULL);

    OK(iam_store_open(&s, dir, TEST_MAPSIZE, IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
    return s;
}

static void log_setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    tmp_dir = iam_test_tmpdir("log");
    memset(&ierr, 0, sizeof(ierr));
    st = open_store("store");
}

static void log_teardown(void)
{
    apr_pool_destroy(pool);
    iam_test_rmtree(tmp_dir);
    free(tmp_dir);
    apr_terminate();
}

/* ---- the replay, shared with the store's suite ---- */

static char *hex(const unsigned char *b)
{
    static char out[65];
    int i;

    for (i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
    return out;
}

/* Copies every entry of `from` after its store's last into `to`, `batch`
 * at a time; how many it applied, or -1 (*why says why). */
static long copy_log(iam_store_t *from, iam_store_t *to, int batch, apr_pool_t *p, char **why)
{
    unsigned long long oldest, head;
    apr_array_header_t *es;
    iam_log_entry_t *in;
    iam_err_t err;
    long total = 0;
    int i, applied;

    if (iam_store_log_head(to, &oldest, &head, &err) != IAM_OK)
        return *why = apr_pstrdup(p, err.msg), -1;
    for (;;) {
        if (iam_store_log_read(from, p, head, batch, &es, &err) != IAM_OK)
            return *why = apr_psprintf(p, "read after %llu: %s", head, err.msg), -1;
        if (es->nelts == 0)
            return total;
        in = apr_palloc(p, sizeof(*in) * (size_t)es->nelts);
        for (i = 0; i < es->nelts; i++)
            in[i] = *APR_ARRAY_IDX(es, i, iam_log_entry_t *);
        if (iam_store_log_apply(to, in, es->nelts, &applied, &err) != IAM_OK)
            return *why = apr_psprintf(p, "apply after %llu: %s", head, err.msg), -1;
        if (applied != es->nelts)
            return *why = apr_psprintf(p, "applied %d of %d", applied, es->nelts), -1;
        total += applied;
        head = in[es->nelts - 1].seq;
    }
}

char *iam_test_replay_differs(iam_store_t *from, const char *dir, apr_pool_t *p)
{
    unsigned char a[32], b[32];
    iam_store_t *to;
    iam_verify_t v;
    iam_err_t err;
    char *why = NULL, *da;

    if (iam_store_open(&to, dir, TEST_MAPSIZE, IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, p, &err) !=
        IAM_OK)
        return apr_psprintf(p, "open %s: %s", dir, err.msg);
    if (copy_log(from, to, 50, p, &why) < 0)
        return why;
    if (iam_store_verify(to, p, &v, &err) != IAM_OK || v.nproblems)
        return apr_psprintf(p, "the replica does not verify: %s",
                            v.nproblems ? APR_ARRAY_IDX(v.problems, 0, const char *) : err.msg);
    if (iam_store_digest(from, a, &err) != IAM_OK || iam_store_digest(to, b, &err) != IAM_OK)
        return apr_psprintf(p, "digest: %s", err.msg);
    da = apr_pstrdup(p, hex(a));
    if (strcmp(da, hex(b)))
        return apr_psprintf(p, "the store's digest is %s, its replay's %s", da, hex(b));
    iam_store_close(to);
    return NULL;
}

/* ---- a long randomized workload ---- */

static const char *LOGINS[] = {"olivia", "alice", "Bob",   "carol", "dave", "erin",
                               "frank",  "grace", "heidi", "ivan",  "judy", "mallory"};
static const char *GROUPS[] = {"eng", "ops", "Data Analysts", "sales"};
static const char *ROLES[] = {"source-admin", "source-read-only", "warehouse-read-only",
                              "workspace-owner", "dashboard-viewer"};
static const char *NAMES[] = {"ios", "web", "android"};
#define PICK(a, r) (a[(r) % (sizeof(a) / sizeof(a[0]))])

static iam_grant_t random_grant(unsigned *seed)
{
    iam_grant_t g = {PICK(ROLES, rand_r(seed)), IAM_SCOPE_ALL, 0, NULL};
    const char **items = apr_pcalloc(pool, 3 * sizeof(char *));

    switch (rand_r(seed) % 3) {
    case 1:
        g.scope = IAM_SCOPE_RESOURCES;
        items[0] = PICK(NAMES, rand_r(seed));
        g.nitems = 1;
        break;
    case 2:
        g.scope = IAM_SCOPE_LABELS;
        items[0] = rand_r(seed) % 2 ? "env:prod" : "env:dev";
        g.nitems = 1;
        break;
    default: break;
    }
    g.items = items;
    return g;
}

/* One write, chosen by the seed; how it ended does not matter (refusals
 * are part of the workload: they must log nothing). */
static iam_status_e random_write(unsigned *seed, const char **tokens, int *ntokens, long long now)
{
    const char *login = PICK(LOGINS, rand_r(seed)), *group = PICK(GROUPS, rand_r(seed));
    const char *pair[2] = {login, PICK(LOGINS, rand_r(seed))};
    iam_grant_t g = random_grant(seed);
    iam_request_t q = {login,
                       "source",
                       PICK(NAMES, rand_r(seed)),
                       "/sources/x/",
                       rand_r(seed) % 2 ? IAM_LEVEL_READ : IAM_LEVEL_EDIT,
                       "please",
                       0,
                       0,
                       0};
    iam_approval_t a = {login, "source",         q.name, 1 + (unsigned)(rand_r(seed) % 3),
                        NULL,  IAM_APPROVE_AUTO, 0};
    iam_member_spec_t spec = {login, NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};
    iam_touch_t touch = {IAM_TOUCH_MEMBER, login, now + rand_r(seed) % 100000};
    iam_request_change_e change;
    iam_token_t *tk;
    const char *token;
    iam_status_e s;
    int made;

    switch (rand_r(seed) % 18) {
    case 0:
    case 1:
        return iam_store_member_add(
            st, "random", login,
            rand_r(seed) % 2 ? apr_pstrcat(pool, login, "@x.test", NULL) : NULL,
            rand_r(seed) % 2 ? "A Name" : NULL, rand_r(seed) % 3 ? IAM_ACTIVE : IAM_INVITED,
            rand_r(seed) % 8 == 0, &ierr);
    case 2: return iam_store_member_remove(st, "random", login, &ierr);
    case 3:
        spec.name = rand_r(seed) % 2 ? "Renamed" : "";
        spec.email = rand_r(seed) % 2 ? apr_pstrcat(pool, "new.", login, "@x.test", NULL) : "";
        spec.pii = rand_r(seed) % 2;
        return iam_store_member_put(st, "random", &spec, 0, &ierr);
    case 4: return iam_store_grant(st, "random", 0, login, &g, &ierr);
    case 5: return iam_store_revoke(st, "random", 0, login, &g, rand_r(seed) % 2, &ierr);
    case 6: return iam_store_grant(st, "random", 1, group, &g, &ierr);
    case 7: return iam_store_revoke(st, "random", 1, group, &g, 1, &ierr);
    case 8: return iam_store_group_create(st, "random", group, &ierr);
    case 9: return rand_r(seed) % 4 ? IAM_OK : iam_store_group_delete(st, "random", group, &ierr);
    case 10:
    case 11: return iam_store_group_members(st, "random", group, 1, pair, 2, &ierr);
    case 12: return iam_store_group_members(st, "random", group, 0, pair, 1, &ierr);
    case 13: return iam_store_request_put(st, login, &q, 10, &change, &ierr);
    case 14:
        return rand_r(seed) % 2 ? iam_store_request_approve(st, "random", &a, pool, NULL, &ierr)
                                : iam_store_request_dismiss(st, "random", login, "source", q.name,
                                                            pool, NULL, &ierr);
    case 15:
        if (*ntokens < 16 && rand_r(seed) % 2) {
            s = iam_store_token_create(st, "random", "olivia", "sync", pool, &token, &tk, &ierr);
            if (s == IAM_OK)
                tokens[(*ntokens)++] = tk->id;
            return s;
        }
        return *ntokens
                   ? iam_store_token_revoke(st, "random", tokens[rand_r(seed) % *ntokens], &ierr)
                   : IAM_OK;
    case 16:
        if (*ntokens && rand_r(seed) % 2) {
            touch.kind = IAM_TOUCH_TOKEN;
            touch.key = tokens[rand_r(seed) % *ntokens];
        }
        return iam_store_touch(st, &touch, 1, &ierr);
    default:
        if (rand_r(seed) % 2)
            return iam_store_bootstrap_owner(st, login, &made, &ierr);
        return iam_store_member_arrive(st, login, apr_pstrcat(pool, login, "@x.test", NULL), NULL,
                                       1, &(iam_arrive_e){0}, &ierr);
    }
}

static long run_workload(unsigned seed, int n)
{
    const char *tokens[16];
    int ntokens = 0, i;
    long ok = 0;
    iam_roles_t roles;
    long long now = (long long)time(NULL);

    iam_roles_init(&roles);
    iam_roles_add(&roles, "Dashboard Viewer", "dashboard-viewer", "dashboard", IAM_LEVEL_READ, 0);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    OK(iam_store_secret_make(st, &ierr));
    OK(iam_store_member_add(st, "iamctl", "olivia", "olivia@x.test", NULL, IAM_ACTIVE, 1, &ierr));
    for (i = 0; i < n; i++)
        ok += random_write(&seed, tokens, &ntokens, now) == IAM_OK;
    return ok;
}

static char *export_of(const char *dir)
{
    char *out = NULL;

    ck_assert_int_eq(
        iam_test_run(&out, NULL, "'%s/iamctl' -d '%s' export", iam_test_build_dir(), dir), 0);
    return out;
}

/* The property itself: the log of 3,000 random writes (two seeds: a fixed
 * one, and one from the clock, printed if it fails) replays into an
 * empty store equal to the first, key for key, and `iamctl export` of
 * the two is the same, byte for byte. */
START_TEST(test_replay_randomized_workload)
{
    unsigned seed = _i == 0 ? 14u : (unsigned)time(NULL);
    const char *copy = apr_pstrcat(pool, tmp_dir, "/copy", NULL);
    unsigned long long oldest, head;
    char *why, *a, *b;
    long ok = run_workload(seed, 3000);

    ck_assert_msg(ok > 600, "seed %u: only %ld of 3000 writes went through", seed, ok);
    OK(iam_store_log_head(st, &oldest, &head, &ierr));
    ck_assert_uint_eq(oldest, 1);
    ck_assert_uint_ge(head,
                      (unsigned long long)ok / 2); /* some OKs change nothing: nothing logged */
    why = iam_test_replay_differs(st, copy, pool);
    ck_assert_msg(!why, "seed %u: %s", seed, why);
    a = export_of(apr_pstrcat(pool, tmp_dir, "/store", NULL));
    b = export_of(copy);
    ck_assert_msg(has(a, "\"members\""), "seed %u: %s", seed, a);
    ck_assert_msg(!strcmp(a, b), "seed %u: the exports differ:\n%s\n---\n%s", seed, a, b);
    free(a);
    free(b);
}
END_TEST

/* ---- what an entry holds ---- */

static apr_array_header_t *entries_after(unsigned long long after)
{
    apr_array_header_t *es;

    OK(iam_store_log_read(st, pool, after, 0, &es, &ierr));
    return es;
}

static const char *ops_text(const iam_log_entry_t *e)
{
    const char *s = "";
    int i;

    for (i = 0; i < e->nops; i++)
        s = apr_pstrcat(pool, s, i ? ", " : "", iam_op_describe(pool, &e->ops[i]), NULL);
    return s;
}

/* An entry is fixed where it was made: its actor, its time, the facts as
 * they are after the change; nothing derived (no index entry, no count),
 * and a refused write appends nothing. */
START_TEST(test_entry_holds_the_facts)
{
    iam_grant_t g = {"source-admin", IAM_SCOPE_ALL, 0, NULL};
    const char *logins[] = {"bob"};
    apr_array_header_t *es;
    const iam_log_entry_t *e;
    unsigned long long oldest, head, before;
    long long now = (long long)time(NULL);
    iam_roles_t roles;
    void *again;
    size_t n;

    OK(iam_store_member_add(st, "console:olivia", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "bob", "bob@x.test", NULL, IAM_INVITED, 0,
                            &ierr));
    es = entries_after(0);
    ck_assert_int_eq(es->nelts, 2);
    e = APR_ARRAY_IDX(es, 1, iam_log_entry_t *);
    ck_assert_uint_eq(e->seq, 2);
    ck_assert_str_eq(e->actor, "console:olivia");
    ck_assert_msg(e->time >= now - 5 && e->time <= now + 60, "time %lld", e->time);
    {
        iam_scim_entry_t id; /* bob's id: made with him, a fact of the log */
        OK(iam_store_scim_get(st, pool, IAM_ID_MEMBER, NULL, "bob", 0, &id, &ierr));
        ck_assert_str_eq(ops_text(e),
                         apr_psprintf(pool,
                                      "put email bob@x.test, put member bob, put member id %s, "
                                      "put member's id bob, put workspace audit, put audit entry 2",
                                      id.id->id));
    }

    /* the group's grant reaches bob's record, but only the group is logged */
    iam_roles_init(&roles);
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    OK(iam_store_group_create(st, "iamctl", "eng", &ierr));
    OK(iam_store_group_members(st, "iamctl", "eng", 1, logins, 1, &ierr));
    OK(iam_store_log_head(st, &oldest, &before, &ierr));
    OK(iam_store_grant(st, "iamctl", 1, "eng", &g, &ierr));
    es = entries_after(before);
    ck_assert_int_eq(es->nelts, 1);
    ck_assert_str_eq(ops_text(APR_ARRAY_IDX(es, 0, iam_log_entry_t *)),
                     "put group eng, put workspace audit, put audit entry 5");

    /* refused: nothing appended */
    EXPECT(IAM_EXISTS, iam_store_member_add(st, "x", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    EXPECT(IAM_LAST_OWNER, iam_store_member_remove(st, "x", "olivia", &ierr));
    OK(iam_store_log_head(st, &oldest, &head, &ierr));
    ck_assert_uint_eq(head, before + 1);

    /* the codec gives back the bytes the log holds */
    e = APR_ARRAY_IDX(es, 0, iam_log_entry_t *);
    again = iam_log_encode(pool, e, &n);
    ck_assert_uint_eq(n, e->len);
    ck_assert_int_eq(memcmp(again, e->data, n), 0);
    ck_assert_ptr_null(iam_test_replay_differs(st, apr_pstrcat(pool, tmp_dir, "/c", NULL), pool));
}
END_TEST

/* ---- a replica's apply ---- */

static unsigned char *digest(iam_store_t *s)
{
    unsigned char *d = apr_palloc(pool, 32);

    OK(iam_store_digest(s, d, &ierr));
    return d;
}

static iam_log_entry_t entry_at(apr_array_header_t *es, int i)
{
    return *APR_ARRAY_IDX(es, i, iam_log_entry_t *);
}

/* What it has is skipped; a gap is refused and changes nothing; damage
 * (a cut entry, a flipped byte, a record that does not decode) is refused
 * and changes nothing; so is a store that holds members no entry made. */
START_TEST(test_apply_skips_refuses_gaps_and_damage)
{
    iam_store_t *r = open_store("replica"), *other = open_store("other");
    iam_store_t *r2 = open_store("replica2");
    iam_log_entry_t in[2], bad;
    apr_array_header_t *es;
    unsigned char *before;
    unsigned char *bytes;
    int applied, i, damage = 0;

    for (i = 0; i < 5; i++)
        OK(iam_store_member_add(st, "t", LOGINS[i], NULL, NULL, IAM_ACTIVE, i == 0, &ierr));
    es = entries_after(0);
    ck_assert_int_eq(es->nelts, 5);

    in[0] = entry_at(es, 0);
    in[1] = entry_at(es, 1);
    OK(iam_store_log_apply(r2, in, 2, &applied, &ierr));
    OK(iam_store_log_apply(r, in, 2, &applied, &ierr));
    ck_assert_int_eq(applied, 2);
    OK(iam_store_log_apply(r, in, 2, &applied, &ierr)); /* again: nothing new */
    ck_assert_int_eq(applied, 0);

    before = digest(r);
    in[0] = entry_at(es, 2);
    in[1] = entry_at(es, 4); /* 4 is missing */
    EXPECT(IAM_STALE, iam_store_log_apply(r, in, 2, &applied, &ierr));
    ck_assert_msg(has(ierr.msg, "entries 4 to 4 are missing"), "%s", ierr.msg);
    ck_assert_int_eq(memcmp(before, digest(r), 32), 0);

    /* cut short, then one byte flipped in each place of a whole entry,
     * sent with entry 5 behind it: the call fails whole (the flip, or the
     * gap after it) and the replica is as it was */
    bad = entry_at(es, 2);
    bad.len--;
    EXPECT(IAM_CORRUPT, iam_store_log_apply(r, &bad, 1, &applied, &ierr));
    in[1] = entry_at(es, 4);
    for (i = 0; i < (int)entry_at(es, 2).len; i++) {
        iam_status_e s;
        bytes = apr_pmemdup(pool, entry_at(es, 2).data, entry_at(es, 2).len);
        bytes[i] ^= 0x20;
        in[0] = entry_at(es, 2);
        in[0].data = bytes;
        s = iam_store_log_apply(r, in, 2, &applied, &ierr);
        ck_assert_msg(s == IAM_CORRUPT || s == IAM_STALE || s == IAM_INVALID, "byte %d: %s (%s)", i,
                      iam_status_str(s), ierr.msg);
        ck_assert_int_eq(applied, 0);
        ck_assert_int_eq(memcmp(before, digest(r), 32), 0);
        damage += s == IAM_CORRUPT;
    }
    ck_assert_int_gt(damage, 10);

    /* a follower that wrote on its own holds other entries under the
     * numbers it is sent: refused, never skipped as "already here" */
    OK(iam_store_member_add(r2, "t", "local", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    in[0] = entry_at(es, 2); /* entry 3: the follower's own 3 is another */
    EXPECT(IAM_INVALID, iam_store_log_apply(r2, in, 1, &applied, &ierr));
    ck_assert_msg(has(ierr.msg, "written to on its own"), "%s", ierr.msg);

    /* a store with a log of its own follows no other */
    OK(iam_store_member_add(other, "t", "zed", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    before = digest(other);
    in[0] = entry_at(es, 0);
    EXPECT(IAM_INVALID, iam_store_log_apply(other, in, 1, &applied, &ierr));
    ck_assert_msg(has(ierr.msg, "another workspace's log"), "%s", ierr.msg);
    ck_assert_int_eq(memcmp(before, digest(other), 32), 0);
}
END_TEST

/* An entry whose codec is sound but whose record is not: the apply
 * refuses it, whatever kind of record it is. */
START_TEST(test_apply_refuses_damaged_records)
{
    iam_store_t *r = open_store("replica");
    static const char *keys[] = {"Malice", "Geng",       "Ralice\0source:web",
                                 "Ttok_x", "\x01secret", "\x01roles"};
    static const size_t klens[] = {6, 4, 17, 6, 7, 6};
    unsigned char junk[5] = {9, 9, 9, 9, 9};
    iam_op_t op = {IAM_OP_PUT, NULL, 0, junk, sizeof(junk)};
    iam_log_entry_t e = {
        (const unsigned char *)"0123456789abcdef", 1, 1700000000, "evil", 1, &op, NULL, 0};
    unsigned char *before = digest(r);
    size_t i;
    int applied;

    for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        op.key = (const unsigned char *)keys[i];
        op.klen = klens[i];
        e.data = iam_log_encode(pool, &e, &e.len);
        EXPECT(IAM_CORRUPT, iam_store_log_apply(r, &e, 1, &applied, &ierr));
        ck_assert_int_eq(memcmp(before, digest(r), 32), 0);
    }
    /* workspace settings that do not parse */
    {
        static const char *const bad[][2] = {{"\x01plan", "gold"}, {"\x01login-case", "maybe"}};
        for (i = 0; i < 2; i++) {
            op.key = (const unsigned char *)bad[i][0];
            op.klen = strlen(bad[i][0]);
            op.val = (const unsigned char *)bad[i][1];
            op.vlen = strlen(bad[i][1]);
            e.data = iam_log_encode(pool, &e, &e.len);
            EXPECT(IAM_CORRUPT, iam_store_log_apply(r, &e, 1, &applied, &ierr));
        }
        op.val = junk;
        op.vlen = sizeof(junk);
    }
    /* a membership of a member and a group that do not exist */
    op.key = (const unsigned char *)"mghost\0nowhere";
    op.klen = 14;
    op.vlen = 0;
    e.data = iam_log_encode(pool, &e, &e.len);
    EXPECT(IAM_CORRUPT, iam_store_log_apply(r, &e, 1, &applied, &ierr));
    ck_assert_int_eq(memcmp(before, digest(r), 32), 0);

    /* a key of a kind the log does not carry (an index entry): the codec refuses it */
    op.key = (const unsigned char *)"Xsource-admin\tr:web";
    op.klen = 19;
    e.data = iam_log_encode(pool, &e, &e.len);
    EXPECT(IAM_CORRUPT, iam_store_log_apply(r, &e, 1, &applied, &ierr));
    ck_assert_msg(has(ierr.msg, "does not carry"), "%s", ierr.msg);
}
END_TEST

/* The store keeps its last `keep` entries; reading from before them says
 * to start from a copy; a copy of the store follows the log from there. */
START_TEST(test_log_retention)
{
    const char *copy = apr_pstrcat(pool, tmp_dir, "/copy", NULL);
    unsigned long long oldest, head;
    apr_array_header_t *es;
    iam_store_t *c;
    iam_verify_t v;
    char *why = NULL;

    int i;

    iam_store_set_log_keep(st, 10);
    OK(iam_store_member_add(st, "t", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    for (i = 0; i < 29; i++)
        OK(iam_store_member_put(
            st, "t",
            &(iam_member_spec_t){"olivia", NULL, apr_itoa(pool, i), IAM_ACTIVE, -1, NULL, NULL}, 0,
            &ierr));
    OK(iam_store_log_head(st, &oldest, &head, &ierr));
    ck_assert_uint_eq(head, 30);
    ck_assert_uint_eq(oldest, 21);
    EXPECT(IAM_STALE, iam_store_log_read(st, pool, 5, 0, &es, &ierr));
    ck_assert_msg(has(ierr.msg, "entries 6 to 20 are gone"), "%s", ierr.msg);
    EXPECT(IAM_INVALID, iam_store_log_read(st, pool, 31, 0, &es, &ierr));
    es = entries_after(20);
    ck_assert_int_eq(es->nelts, 10);
    OK(iam_store_verify(st, pool, &v, &ierr));
    ck_assert_int_eq(v.nproblems, 0);
    ck_assert_int_eq(v.log, 10);

    /* a copy of the store follows it from there */
    OK(iam_store_copy(st, copy, &ierr));
    EXPECT(IAM_EXISTS, iam_store_copy(st, copy, &ierr));
    OK(iam_store_open(&c, copy, TEST_MAPSIZE, IAM_OPEN_NOSYNC, pool, &ierr));
    iam_store_set_log_keep(c, 10); /* keeps what its source keeps: the same bytes */
    OK(iam_store_member_add(st, "t", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    OK(iam_store_member_remove(st, "t", "bob", &ierr));
    ck_assert_msg(copy_log(st, c, 1, pool, &why) == 2, "%s", why ? why : "not 2");
    ck_assert_int_eq(memcmp(digest(st), digest(c), 32), 0);
}
END_TEST

/* A snapshot (the store as one entry at its last sequence) starts an
 * empty store equal to it, which then follows the log from the next
 * entry; a store that holds anything (unless it is to be made anew from
 * the snapshot), damage, or a store with no entry yet are refused and
 * change nothing; starting again where it is already does nothing. */
START_TEST(test_snapshot_starts_a_replica)
{
    const char *tokens[16];
    int ntokens = 0, i;
    unsigned seed = 15;
    long long now = (long long)time(NULL);
    unsigned long long oldest, head;
    iam_log_entry_t snap, bad;
    iam_store_t *fresh = open_store("fresh"), *other = open_store("other");
    iam_verify_t v;
    char *why = NULL, *a, *b;

    EXPECT(IAM_NOTFOUND, iam_store_snapshot(fresh, pool, &snap, &ierr));
    ck_assert_int_gt(run_workload(seed, 1500), 300);
    OK(iam_store_snapshot(st, pool, &snap, &ierr));
    OK(iam_store_log_head(st, &oldest, &head, &ierr));
    ck_assert_uint_eq(snap.seq, head);
    ck_assert_str_eq(snap.actor, "snapshot");

    /* damage, and a store that holds anything: refused, nothing changed */
    bad = snap;
    bad.data = apr_pmemdup(pool, snap.data, snap.len);
    bad.len = snap.len - 3;
    EXPECT(IAM_CORRUPT, iam_store_log_start(fresh, &bad, 0, &ierr));
    OK(iam_store_member_add(other, "t", "zed", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    EXPECT(IAM_INVALID, iam_store_log_start(other, &snap, 0, &ierr));
    ck_assert_msg(has(ierr.msg, "not empty"), "%s", ierr.msg);
    OK(iam_store_log_head(fresh, &oldest, &head, &ierr));
    ck_assert_uint_eq(head, 0);

    OK(iam_store_log_start(fresh, &snap, 0, &ierr));
    OK(iam_store_log_start(fresh, &snap, 0, &ierr)); /* there already: nothing to do */
    OK(iam_store_log_head(fresh, &oldest, &head, &ierr));
    ck_assert_uint_eq(head, snap.seq);
    ck_assert_uint_eq(oldest, 0); /* nothing kept before the snapshot */
    ck_assert_int_eq(memcmp(digest(st), digest(fresh), 32), 0);
    OK(iam_store_verify(fresh, pool, &v, &ierr));
    ck_assert_msg(v.nproblems == 0, "%s", APR_ARRAY_IDX(v.problems, 0, const char *));
    /* a store that holds something else is made anew from it, if asked */
    OK(iam_store_log_start(other, &snap, 1, &ierr));
    ck_assert_int_eq(memcmp(digest(st), digest(other), 32), 0);

    /* and it follows the log from the entry after */
    for (i = 0; i < 500; i++)
        random_write(&seed, tokens, &ntokens, now);
    ck_assert_msg(copy_log(st, fresh, 40, pool, &why) > 0, "%s", why ? why : "nothing applied");
    ck_assert_int_eq(memcmp(digest(st), digest(fresh), 32), 0);
    a = export_of(apr_pstrcat(pool, tmp_dir, "/store", NULL));
    b = export_of(apr_pstrcat(pool, tmp_dir, "/fresh", NULL));
    ck_assert_msg(!strcmp(a, b), "the exports differ:\n%s\n---\n%s", a, b);
    free(a);
    free(b);
}
END_TEST

/* Makes the store in `dir` look as release 5 left it: version 5, no log. */
static void as_format_5(const char *dir)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val k = {8, "\x01version"}, v = {1, "5"};
    int rc;

    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
    ck_assert_int_eq(mdb_cursor_open(txn, dbi, &c), 0);
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const char *key = k.mv_data;
        if (key[0] == 'L' || (k.mv_size == 4 && !memcmp(key, "\x01log", 4)) ||
            (k.mv_size == 7 && !memcmp(key, "\x01log-id", 7)))
            ck_assert_int_eq(mdb_cursor_del(c, 0), 0);
    }
    mdb_cursor_close(c);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store of format 5 has no log; the first write of this release starts
 * one with every record the store held, so that its log, too, replays
 * from nothing into an equal store. */
START_TEST(test_upgrade_starts_the_log)
{
    const char *dir = apr_pstrcat(pool, tmp_dir, "/old", NULL);
    iam_grant_t g = {"source-admin", IAM_SCOPE_ALL, 0, NULL};
    const char *logins[] = {"bob"};
    unsigned long long oldest, head;
    iam_store_t *old = open_store("old");
    apr_array_header_t *es;
    char *why;

    OK(iam_store_member_add(old, "t", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(old, "t", "bob", "bob@x.test", NULL, IAM_ACTIVE, 0, &ierr));
    OK(iam_store_group_create(old, "t", "eng", &ierr));
    OK(iam_store_group_members(old, "t", "eng", 1, logins, 1, &ierr));
    OK(iam_store_grant(old, "t", 1, "eng", &g, &ierr));
    iam_store_close(old);
    as_format_5(dir);
    OK(iam_store_open(&old, dir, TEST_MAPSIZE, IAM_OPEN_NOSYNC, pool, &ierr));
    OK(iam_store_log_head(old, &oldest, &head, &ierr));
    ck_assert_uint_eq(head, 0);
    OK(iam_store_member_add(old, "t", "carol", NULL, NULL, IAM_INVITED, 0, &ierr)); /* any write */
    OK(iam_store_log_head(old, &oldest, &head, &ierr));
    ck_assert_uint_eq(head, 1);
    OK(iam_store_log_read(old, pool, 0, 0, &es, &ierr));
    ck_assert_msg(has(ops_text(APR_ARRAY_IDX(es, 0, iam_log_entry_t *)), "put group eng"), "%s",
                  ops_text(APR_ARRAY_IDX(es, 0, iam_log_entry_t *)));
    why = iam_test_replay_differs(old, apr_pstrcat(pool, tmp_dir, "/copy", NULL), pool);
    ck_assert_msg(!why, "%s", why);
}
END_TEST

Suite *suite_log(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");

    tcase_add_checked_fixture(tc, log_setup, log_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    tcase_add_loop_test(tc, test_replay_randomized_workload, 0, 2);
    tcase_add_test(tc, test_entry_holds_the_facts);
    tcase_add_test(tc, test_apply_skips_refuses_gaps_and_damage);
    tcase_add_test(tc, test_apply_refuses_damaged_records);
    tcase_add_test(tc, test_log_retention);
    tcase_add_test(tc, test_upgrade_starts_the_log);
    tcase_add_test(tc, test_snapshot_starts_a_replica);
    suite_add_tcase(s, tc);
    return s;
}

/* ---- end to end: a real httpd's writes ---- */

static long api_as_olivia(const iam_httpd_t *h, const char *method, const char *path,
                          const char *json)
{
    char *body = NULL;
    char url[512];
    iam_req_t req = {method, url,   "olivia:olivia-pw", json ? "application/json" : NULL,
                     json,   {NULL}};
    long status;

    snprintf(url, sizeof(url), "/iam/api/v1/%s", path);
    status = iam_http_do(h, &req, &body, NULL);
    free(body);
    return status;
}

/* Writes made through the server (the API as olivia, a member's first
 * visit, a request for access) are in its store's log, each with its
 * actor; `iamctl log --json` piped into `iamctl log apply` on a new store
 * makes a store whose `iamctl export` and digest are the server's. */
START_TEST(test_server_writes_replay)
{
    iam_httpd_t h;
    char *out = NULL, *a, *b;
    const char *copy;
    int rc;

    iam_httpd_prepare(&h, "log");
    ck_assert_msg(iam_httpd_start(&h, "event", NULL, NULL) == 0, "apache2 did not start");
    copy = apr_pstrcat(pool, h.root, "/copy", NULL);
    ck_assert_int_eq(
        api_as_olivia(&h, "POST", "members", "{\"login\":\"zoe\",\"status\":\"active\"}"), 201);
    ck_assert_int_eq(api_as_olivia(&h, "POST", "groups", "{\"name\":\"replayed\"}"), 201);
    ck_assert_int_eq(api_as_olivia(&h, "POST", "groups/replayed/grants",
                                   "{\"role\":\"source-admin\",\"scope\":\"all\"}"),
                     200);
    ck_assert_int_eq(api_as_olivia(&h, "DELETE", "members/zoe", NULL), 200);
    iam_httpd_stop(&h); /* its children's last touches written: the log is still */
    rc = iam_ctl(&h, &out, "log --limit 100000 2>&1");
    ck_assert_msg(rc == 0 && has(out, "api:olivia") && has(out, "put member zoe") &&
                      has(out, "delete member zoe") && has(out, "put group replayed"),
                  "%s", out);
    free(out);
    rc = iam_test_run(&out, NULL,
                      "'%s/iamctl' -d '%s' log --limit 100000 --json | '%s/iamctl' -d '%s' log "
                      "apply - 2>&1",
                      iam_test_build_dir(), h.store, iam_test_build_dir(), copy);
    ck_assert_msg(rc == 0 && has(out, "entries applied"), "%s", out);
    free(out);
    a = export_of(h.store);
    b = export_of(copy);
    ck_assert_msg(has(a, "replayed") && !strcmp(a, b), "%s\n---\n%s", a, b);
    free(a);
    free(b);
    rc = iam_test_run(&a, NULL, "'%s/iamctl' -d '%s' log status", iam_test_build_dir(), h.store);
    ck_assert_int_eq(rc, 0);
    rc = iam_test_run(&b, NULL, "'%s/iamctl' -d '%s' log status", iam_test_build_dir(), copy);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(has(a, "digest: ") && !strcmp(a, b), "%s\n---\n%s", a, b);
    free(a);
    free(b);
    iam_httpd_cleanup(&h);
}
END_TEST

Suite *suite_log_httpd(void)
{
    Suite *s = suite_create("log_httpd");
    TCase *tc = tcase_create("server");

    tcase_add_checked_fixture(tc, log_setup, log_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_server_writes_replay);
    suite_add_tcase(s, tc);
    return s;
}
