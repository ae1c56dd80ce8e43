/* mod_iam store tests: what SCIM needs of the store (store/scim.c): ids
 * made with every member and group and kept through renames, SCIM's
 * writes in one transaction each, groups SCIM manages, and the ids an
 * older store is given. The fixture verifies the store after each test
 * and replays its log into an empty one. */
#include "store_test.h"

#include <apr_hash.h>
#include <stdio.h>

static iam_scim_entry_t entry(char kind, const char *id, const char *name)
{
    iam_scim_entry_t e;

    OK(iam_store_scim_get(st, pool, kind, id, name, 1, &e, &ierr));
    return e;
}

static iam_scim_id_t *scim_user(const char *id, const char *login, const char *email,
                                const char *name, int active)
{
    iam_scim_user_spec_t sp = {id, login, email, name, NULL, active};
    iam_scim_id_t *out;

    OK(iam_store_scim_user_put(st, "scim:tok_test", &sp, pool, &out, &ierr));
    return out;
}

/* Every new member and group has an id: a UUID's text, by name and back. */
START_TEST(test_ids_made)
{
    iam_scim_entry_t a, b;

    add("ann", "ann@example.com", 1);
    OK(iam_store_group_create(st, "t", "Data Analysts", &ierr));
    a = entry(IAM_ID_MEMBER, NULL, "ANN");
    ck_assert_int_eq(strlen(a.id->id), 36);
    ck_assert_int_eq(a.id->id[14], '4');
    ck_assert_str_eq(a.member->login, "ann");
    b = entry(IAM_ID_MEMBER, a.id->id, NULL);
    ck_assert_str_eq(b.member->email, "ann@example.com");
    b = entry(IAM_ID_GROUP, NULL, "data analysts");
    ck_assert_str_eq(b.group->name, "Data Analysts");
    ck_assert_str_ne(b.id->id, a.id->id);
    ck_assert_int_eq(b.id->managed, 0);
    ck_assert_int_eq(iam_store_ids_complete(st), 0); /* no SCIM yet: not asked */
    OK(iam_store_ids_fill(st, "system", &ierr));
    ck_assert_int_eq(iam_store_ids_complete(st), 1);
    /* gone with the member, never given again */
    OK(iam_store_member_add(st, "t", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    b = entry(IAM_ID_MEMBER, NULL, "bob");
    OK(iam_store_member_remove(st, "t", "bob", &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_scim_get(st, pool, IAM_ID_MEMBER, b.id->id, NULL, 0, &a, &ierr));
    OK(iam_store_member_add(st, "t", "bob", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    a = entry(IAM_ID_MEMBER, NULL, "bob");
    ck_assert_str_ne(a.id->id, b.id->id);
}
END_TEST

/* SCIM's user writes: made active with no grants, changed, suspended and
 * resumed, renamed (the id stays, everything theirs moves), removed. */
START_TEST(test_scim_user_writes)
{
    iam_scim_id_t *id;
    iam_scim_entry_t e;
    iam_member_t *m;

    add("olivia", NULL, 1);
    OK(iam_store_group_create(st, "t", "g", &ierr));
    {
        iam_scim_user_spec_t sp = {NULL, "Dana@Example.com", "dana@example.com", "Dana", "ext-7",
                                   1};
        OK(iam_store_scim_user_put(st, "scim:tok_test", &sp, pool, &id, &ierr));
        ck_assert_str_eq(audit_actions(2), "member.external-id member.add");
    }
    m = member("Dana@Example.com");
    ck_assert_int_eq(m->status, IAM_ACTIVE);
    ck_assert_int_eq(m->grants->nelts, 0);
    ck_assert_int_eq(m->provisioned, 1);
    /* unique whatever the case, whatever IAMLoginCase says */
    {
        iam_scim_user_spec_t sp = {NULL, "dana@EXAMPLE.com", NULL, NULL, NULL, -1};
        iam_scim_id_t *out;
        EXPECT(IAM_EXISTS, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    }
    OK(iam_store_grant(st, "t", 0, "Dana@Example.com",
                       &(iam_grant_t){"source-admin", IAM_SCOPE_ALL, 0, NULL}, &ierr));
    OK(iam_store_group_members(st, "t", "g", 1, ITEMS("Dana@Example.com"), 1, &ierr));
    scim_user(id->id, NULL, NULL, NULL, 0);
    ck_assert_int_eq(member("Dana@Example.com")->status, IAM_SUSPENDED);
    scim_user(id->id, NULL, NULL, NULL, 1);
    ck_assert_int_eq(member("Dana@Example.com")->status, IAM_ACTIVE);
    /* a rename to another key: one transaction moves it all */
    scim_user(id->id, "dana.scully@example.com", "ds@example.com", "Dana S", -1);
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "Dana@Example.com", &m, &ierr));
    m = member("dana.scully@example.com");
    ck_assert_str_eq(m->email, "ds@example.com");
    ck_assert_str_eq(m->name, "Dana S");
    ck_assert_int_eq(m->grants->nelts, 1);
    ck_assert_str_eq(joined(m->groups), "g");
    e = entry(IAM_ID_MEMBER, id->id, NULL);
    ck_assert_str_eq(e.member->login, "dana.scully@example.com");
    ck_assert_int_eq(e.links->nelts, 1);
    /* a rename to a login another member holds (in any case) */
    add("fox", NULL, 0);
    {
        iam_scim_user_spec_t sp = {id->id, "FOX", NULL, NULL, NULL, -1};
        iam_scim_id_t *out;
        EXPECT(IAM_EXISTS, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    }
    /* a new spelling of the same key */
    scim_user(id->id, "Dana.Scully@example.com", NULL, NULL, -1);
    ck_assert_str_eq(member("Dana.Scully@example.com")->login, "Dana.Scully@example.com");
    ck_assert_str_eq(audit_actions(1), "member.rename");
    /* a PUT that says what is (Okta's profile push, unchanged): no write */
    {
        unsigned long long oldest, before, after;
        OK(iam_store_log_head(st, &oldest, &before, &ierr));
        scim_user(id->id, "Dana.Scully@example.com", "ds@example.com", "Dana S", 1);
        OK(iam_store_log_head(st, &oldest, &after, &ierr));
        ck_assert_uint_eq(after, before);
    }
    OK(iam_store_scim_delete(st, "scim:t", IAM_ID_MEMBER, id->id, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_member_get(st, pool, "Dana.Scully@example.com", &m, &ierr));
    ck_assert_int_eq(group("g")->members->nelts, 0);
}
END_TEST

/* The last owner: never suspended nor removed through SCIM; an invited
 * member is not suspended. */
START_TEST(test_scim_user_refused)
{
    iam_scim_entry_t e;
    iam_scim_user_spec_t sp = {NULL, NULL, NULL, NULL, NULL, 0};
    iam_scim_id_t *out;

    add("olivia", NULL, 1);
    e = entry(IAM_ID_MEMBER, NULL, "olivia");
    sp.id = e.id->id;
    EXPECT(IAM_LAST_OWNER, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    EXPECT(IAM_LAST_OWNER, iam_store_scim_delete(st, "scim:t", IAM_ID_MEMBER, e.id->id, &ierr));
    OK(iam_store_member_add(st, "t", "inv@example.com", "inv@example.com", NULL, IAM_INVITED, 0,
                            &ierr));
    e = entry(IAM_ID_MEMBER, NULL, "inv@example.com");
    sp.id = e.id->id;
    EXPECT(IAM_INVALID, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    ck_assert_int_eq(member("inv@example.com")->status, IAM_INVITED);
    /* an email the store refuses: nothing of the write happens */
    sp.active = -1;
    sp.name = "New Name";
    sp.email = "not an email";
    EXPECT(IAM_INVALID, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    ck_assert_str_eq(member("inv@example.com")->name, "");
}
END_TEST

/* An invitation taken up by another login keeps its id. */
START_TEST(test_scim_id_follows_invitation)
{
    iam_scim_entry_t before, after;
    iam_arrive_e what;

    add("olivia", NULL, 1);
    OK(iam_store_member_add(st, "t", "pat@example.com", "pat@example.com", NULL, IAM_INVITED, 0,
                            &ierr));
    before = entry(IAM_ID_MEMBER, NULL, "pat@example.com");
    OK(iam_store_member_arrive(st, "pat", "pat@example.com", NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    after = entry(IAM_ID_MEMBER, NULL, "pat");
    ck_assert_str_eq(after.id->id, before.id->id);
}
END_TEST

/* Groups: made, renamed (grants, members and id stay), members by id;
 * once SCIM wrote it, its members change only through SCIM. */
START_TEST(test_scim_groups)
{
    iam_scim_group_spec_t sp = {NULL, "Data Analysts", "ext-1", NULL, NULL, NULL};
    iam_scim_id_t *g, *u1, *u2, *none;
    iam_scim_entry_t e;
    apr_array_header_t *ids = apr_array_make(pool, 2, sizeof(const char *));
    iam_subject_t subj;
    iam_roles_t roles;

    add("olivia", NULL, 1);
    u1 = scim_user(NULL, "u1", NULL, NULL, 1);
    u2 = scim_user(NULL, "u2", NULL, NULL, 1);
    APR_ARRAY_PUSH(ids, const char *) = u1->id;
    sp.add = ids;
    OK(iam_store_scim_group_put(st, "scim:t", &sp, pool, &g, &ierr));
    ck_assert_int_eq(g->managed, 1);
    OK(iam_store_grant(st, "t", 1, "Data Analysts",
                       &(iam_grant_t){"source-admin", IAM_SCOPE_ALL, 0, NULL}, &ierr));
    EXPECT(IAM_INVALID, iam_store_group_members(st, "console:olivia", "data analysts", 1,
                                                ITEMS("u2"), 1, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "identity provider"));
    EXPECT(IAM_INVALID, iam_store_group_members(st, "console:olivia", "data analysts", 0,
                                                ITEMS("u1"), 1, &ierr));
    /* a rename, members changed in the same write */
    memset(&sp, 0, sizeof(sp));
    sp.id = g->id;
    sp.name = "Analysts EU";
    sp.add = apr_array_make(pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH((apr_array_header_t *)sp.add, const char *) = u2->id;
    sp.remove = ids;
    OK(iam_store_scim_group_put(st, "scim:t", &sp, pool, &g, &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_get(st, pool, "Data Analysts", &(iam_group_t *){NULL}, &ierr));
    ck_assert_str_eq(joined(group("Analysts EU")->members), "u2");
    ck_assert_int_eq(group("Analysts EU")->grants->nelts, 1);
    e = entry(IAM_ID_GROUP, g->id, NULL);
    ck_assert_str_eq(e.group->name, "Analysts EU");
    ck_assert_str_eq(e.id->external_id, "ext-1");
    /* the decision sees the group's grant under its new name */
    iam_roles_init(&roles);
    OK(iam_store_subject(st, pool, "u2", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.nsets, 2);
    OK(iam_store_subject(st, pool, "u1", &roles, &subj, &ierr));
    ck_assert_int_eq(subj.nsets, 1);
    /* an unknown id to add: nothing changes */
    memset(&sp, 0, sizeof(sp));
    sp.id = g->id;
    sp.add = names_of(ITEMS(u1->id, "00000000-0000-4000-8000-000000000000"));
    EXPECT(IAM_INVALID, iam_store_scim_group_put(st, "scim:t", &sp, pool, &none, &ierr));
    ck_assert_ptr_null(none);
    ck_assert_str_eq(joined(group("Analysts EU")->members), "u2");
    /* a rename onto another group's name, in any case */
    OK(iam_store_group_create(st, "t", "other", &ierr));
    memset(&sp, 0, sizeof(sp));
    sp.id = g->id;
    sp.name = "OTHER";
    EXPECT(IAM_EXISTS, iam_store_scim_group_put(st, "scim:t", &sp, pool, &none, &ierr));
    OK(iam_store_scim_delete(st, "scim:t", IAM_ID_GROUP, g->id, &ierr));
    ck_assert_int_eq(member("u2")->groups->nelts, 0);
}
END_TEST

/* Deletes every id record, as a store of release 6 has none. */
static void drop_ids(void)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_dbi dbi;
    MDB_val k, v;
    int rc;

    damaged = 1; /* the log no longer replays to this store */
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, sdir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    ck_assert_int_eq(mdb_cursor_open(txn, dbi, &cur), 0);
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char type = *(const char *)k.mv_data;
        if (type == 'I' || type == 'i' || type == 'J' || type == 'j')
            ck_assert_int_eq(mdb_cursor_del(cur, 0), 0);
    }
    mdb_cursor_close(cur);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store of an older release (no ids): iam_store_ids_fill gives every
 * member and group one, a thousand a write. */
START_TEST(test_ids_filled)
{
    iam_scim_entry_t e;
    apr_array_header_t *got;
    const char *next;
    char login[32];
    long total;
    unsigned long long oldest, before, after;
    int i;

    add("olivia", NULL, 1);
    for (i = 0; i < 1200; i++) {
        snprintf(login, sizeof(login), "m%04d", i);
        OK(iam_store_member_add(st, "t", login, NULL, NULL, IAM_ACTIVE, 0, &ierr));
    }
    OK(iam_store_group_create(st, "t", "g", &ierr));
    /* as an older release left it: no ids at all (more than one write's) */
    drop_ids();
    EXPECT(IAM_NOTFOUND, iam_store_scim_get(st, pool, IAM_ID_MEMBER, NULL, "m0007", 0, &e, &ierr));
    OK(iam_store_log_head(st, &oldest, &before, &ierr));
    OK(iam_store_ids_fill(st, "system", &ierr));
    OK(iam_store_log_head(st, &oldest, &after, &ierr));
    ck_assert_uint_eq(after - before, 2); /* 1,000 ids, then 202 and the mark */
    ck_assert_int_eq(iam_store_ids_complete(st), 1);
    e = entry(IAM_ID_MEMBER, NULL, "m0007");
    e = entry(IAM_ID_GROUP, NULL, "g");
    OK(iam_store_scim_list(st, pool, IAM_ID_MEMBER, NULL, 0, 2000, 0, &got, &next, &total, &ierr));
    ck_assert_int_eq(got->nelts, 1201);
    ck_assert_int_eq(total, 1201);
    ck_assert_ptr_null(next);
    ck_assert_int_eq(verify().nproblems, 0);
}
END_TEST

/* An import fills an empty store: everyone in it gets an id, and the
 * store says so (no SCIM request has to look for missing ones). */
START_TEST(test_import_makes_ids)
{
    iam_store_t *copy = open_other("copy", 0);
    iam_scim_entry_t e;
    dump_t d;

    add("olivia", NULL, 1);
    add_members(ITEMS("ann", "bob"));
    OK(iam_store_group_create(st, "t", "g", &ierr));
    d = dump_of(st);
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    ck_assert_int_eq(iam_store_ids_complete(copy), 1);
    OK(iam_store_scim_get(copy, pool, IAM_ID_MEMBER, NULL, "bob", 0, &e, &ierr));
    OK(iam_store_scim_get(copy, pool, IAM_ID_GROUP, NULL, "g", 0, &e, &ierr));
}
END_TEST

/* Lists in id order, paged by `after` and `skip`, every one once. */
START_TEST(test_scim_list_pages)
{
    apr_array_header_t *got;
    const char *next = NULL, *after = NULL;
    apr_hash_t *seen = apr_hash_make(pool);
    long total;
    int pages = 0;

    add("olivia", NULL, 1);
    add_members(ITEMS("a", "b", "c", "d", "e", "f", "g"));
    do {
        int i;
        OK(iam_store_scim_list(st, pool, IAM_ID_MEMBER, after, 0, 3, 0, &got, &next, &total,
                               &ierr));
        for (i = 0; i < got->nelts; i++) {
            const char *id = APR_ARRAY_IDX(got, i, iam_scim_entry_t *)->id->id;
            ck_assert_ptr_null(apr_hash_get(seen, id, APR_HASH_KEY_STRING));
            apr_hash_set(seen, id, APR_HASH_KEY_STRING, "");
        }
        after = next;
        pages++;
    } while (next);
    ck_assert_int_eq(apr_hash_count(seen), 8);
    ck_assert_int_eq(pages, 3);
    OK(iam_store_scim_list(st, pool, IAM_ID_MEMBER, NULL, 6, 5, 0, &got, &next, &total, &ierr));
    ck_assert_int_eq(got->nelts, 2);
    ck_assert_int_eq(total, 8);
}
END_TEST

/* A rename takes the member's requests with it (they go, as a removed
 * member's) and no one else's: not those of a login it is a prefix of. */
START_TEST(test_rename_leaves_others_requests)
{
    iam_request_t q = {"bobby", "source", "web", "/sources/web/", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_request_change_e change;
    iam_request_t *got;
    iam_scim_entry_t e;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    add("bobby", NULL, 0);
    OK(iam_store_request_put(st, "member:bobby", &q, 10, &change, &ierr));
    q.login = "bob";
    OK(iam_store_request_put(st, "member:bob", &q, 10, &change, &ierr));
    e = entry(IAM_ID_MEMBER, NULL, "bob");
    scim_user(e.id->id, "robert", NULL, NULL, -1);
    OK(iam_store_request_get(st, pool, "bobby", "source", "web", &got, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_request_get(st, pool, "bob", "source", "web", &got, &ierr));
    EXPECT(IAM_NOTFOUND, iam_store_request_get(st, pool, "robert", "source", "web", &got, &ierr));
}
END_TEST

/* SCIM does not rename a Workspace Owner nor an invitation, nor change an
 * invitation's email: each would hand what they hold to a login the
 * identity provider chose. Suspending an owner who is not the last is
 * SCIM's to do. */
START_TEST(test_scim_rename_refused)
{
    iam_scim_user_spec_t sp = {NULL, NULL, NULL, NULL, NULL, -1};
    iam_scim_id_t *out;
    iam_scim_entry_t e;

    add("olivia", NULL, 1);
    add("oscar", NULL, 1);
    e = entry(IAM_ID_MEMBER, NULL, "oscar");
    sp.id = e.id->id;
    sp.login = "mallory";
    EXPECT(IAM_INVALID, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    sp.login = "OSCAR";
    EXPECT(IAM_INVALID, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    ck_assert_str_eq(member("oscar")->login, "oscar");
    sp.login = NULL;
    sp.active = 0;
    OK(iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    ck_assert_int_eq(member("oscar")->status, IAM_SUSPENDED);
    OK(iam_store_member_add(st, "t", "inv@example.com", "inv@example.com", NULL, IAM_INVITED, 1,
                            &ierr));
    e = entry(IAM_ID_MEMBER, NULL, "inv@example.com");
    memset(&sp, 0, sizeof(sp));
    sp.id = e.id->id;
    sp.active = -1;
    sp.login = "mallory";
    EXPECT(IAM_INVALID, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    sp.login = NULL;
    sp.email = "mallory@example.com";
    EXPECT(IAM_INVALID, iam_store_scim_user_put(st, "scim:t", &sp, pool, &out, &ierr));
    ck_assert_str_eq(member("inv@example.com")->email, "inv@example.com");
}
END_TEST

/* A managed group refuses changes of its members outside SCIM, and only
 * changes: a member's or group's whole write that leaves them as they
 * are passes (the console's Join and Leave of other groups, an API PATCH
 * that sends the members back). */
START_TEST(test_managed_group_unchanged_passes)
{
    iam_scim_group_spec_t gs = {NULL, "Managed", NULL, NULL, NULL, NULL};
    iam_member_spec_t ms = {"u1", NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};
    iam_group_spec_t g2 = {"Managed", 1, NULL, NULL};
    apr_array_header_t *ids = apr_array_make(pool, 1, sizeof(const char *));
    iam_scim_id_t *u1, *g;

    add("olivia", NULL, 1);
    OK(iam_store_group_create(st, "t", "other", &ierr));
    u1 = scim_user(NULL, "u1", NULL, NULL, 1);
    APR_ARRAY_PUSH(ids, const char *) = u1->id;
    gs.add = ids;
    OK(iam_store_scim_group_put(st, "scim:t", &gs, pool, &g, &ierr));
    ms.groups = names_of(ITEMS("Managed", "other")); /* joins "other", stays in "Managed" */
    OK(iam_store_member_put(st, "console:olivia", &ms, 0, &ierr));
    ck_assert_str_eq(joined(member("u1")->groups), "Managed other");
    ms.groups = names_of(ITEMS("other")); /* leaves "Managed": refused */
    EXPECT(IAM_INVALID, iam_store_member_put(st, "console:olivia", &ms, 0, &ierr));
    g2.members = names_of(ITEMS("u1"));
    OK(iam_store_group_put(st, "api:olivia", &g2, 0, &ierr));
    ck_assert_int_eq(group("Managed")->pii, 1);
    g2.members = names_of(ITEMS("u1", "olivia"));
    EXPECT(IAM_INVALID, iam_store_group_put(st, "api:olivia", &g2, 0, &ierr));
    ck_assert_str_eq(joined(group("Managed")->members), "u1");
    /* ids of users gone since: no one, when removed or in the whole set */
    memset(&gs, 0, sizeof(gs));
    gs.id = g->id;
    gs.remove = names_of(ITEMS("00000000-0000-4000-8000-000000000000"));
    OK(iam_store_scim_group_put(st, "scim:t", &gs, pool, &g, &ierr));
    gs.remove = NULL;
    gs.members = names_of(ITEMS(u1->id, "00000000-0000-4000-8000-000000000000"));
    OK(iam_store_scim_group_put(st, "scim:t", &gs, pool, &g, &ierr));
    ck_assert_str_eq(joined(group("Managed")->members), "u1");
    ck_assert_ptr_nonnull(strstr(audit_actions(8), "group.managed"));
}
END_TEST

void store_cases_scim(Suite *s)
{
    TCase *tc = store_tcase("scim");

    tcase_add_test(tc, test_ids_made);
    tcase_add_test(tc, test_scim_user_writes);
    tcase_add_test(tc, test_scim_user_refused);
    tcase_add_test(tc, test_scim_id_follows_invitation);
    tcase_add_test(tc, test_scim_groups);
    tcase_add_test(tc, test_ids_filled);
    tcase_add_test(tc, test_scim_list_pages);
    tcase_add_test(tc, test_import_makes_ids);
    tcase_add_test(tc, test_rename_leaves_others_requests);
    tcase_add_test(tc, test_scim_rename_refused);
    tcase_add_test(tc, test_managed_group_unchanged_passes);
    suite_add_tcase(s, tc);
}
