/* mod_iam tests, the "store" suite (store_test.h): the console's lists
 * (format 5): members in name order, paged both ways by cursor, searched
 * and filtered, in a group too; who holds a role and who can reach a
 * resource (iam_access.h); the indexes the first write builds on a store
 * of format 4; and damaged index entries, as verify and the reads see
 * them. */
#include "iam_access.h"
#include "store_test.h"

#include <stdlib.h>

/* ---- the console's lists: name order, pages, role holders (format 5) ---- */

/* A query of the members (group NULL) or of one group's members. */
static iam_member_page_t query_of(const char *group, const char *search, int status,
                                  const char *after, const char *before, int limit)
{
    iam_member_query_t q = {search, status, after, before, limit};
    iam_member_page_t pg;

    if (group)
        OK(iam_store_group_member_query(st, pool, group, &q, &pg, &ierr));
    else
        OK(iam_store_member_query(st, pool, &q, &pg, &ierr));
    return pg;
}

static iam_member_page_t query(const char *search, int status, const char *after,
                               const char *before, int limit)
{
    return query_of(NULL, search, status, after, before, limit);
}

/* A page's logins, "a b c". */
static const char *page_text(const iam_member_page_t *pg)
{
    const char *s = "";
    int i;

    for (i = 0; i < pg->members->nelts; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", APR_ARRAY_IDX(pg->members, i, iam_member_t *)->login,
                        NULL);
    return s;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Who holds `role` on `on` (NULL: anywhere): "m:login ... g:group ...",
 * each kind sorted. */
static const char *holders_on(const char *role, const iam_resource_t *on)
{
    apr_array_header_t *members, *groups;
    const char *s = "";
    int i;

    OK(iam_store_role_holders(st, pool, role, on, &members, &groups, &ierr));
    for (i = 0; i < members->nelts; i++) /* each member by their login, then sorted */
        APR_ARRAY_IDX(members, i, const char *) = APR_ARRAY_IDX(members, i, iam_member_t *)->login;
    qsort(members->elts, (size_t)members->nelts, sizeof(char *), by_text);
    for (i = 0; i < members->nelts; i++)
        s = apr_pstrcat(pool, s, *s ? " " : "", "m:", APR_ARRAY_IDX(members, i, const char *),
                        NULL);
    for (i = 0; i < groups->nelts; i++)
        s = apr_pstrcat(pool, s, *s ? " " : "", "g:", APR_ARRAY_IDX(groups, i, iam_group_t *)->name,
                        NULL);
    return s;
}

static const char *holders(const char *role)
{
    return holders_on(role, NULL);
}

/* The logins of the first page of a query with no cursor. */
static const char *first_page(const char *group, const char *search)
{
    iam_member_page_t pg = query_of(group, search, -1, NULL, NULL, 0);

    return page_text(&pg);
}

static void add_named(const char *login, const char *name, iam_member_status_e status)
{
    OK(iam_store_member_add(st, "test", login, NULL, name, status, 0, &ierr));
}

static void rename_member(const char *login, const char *name)
{
    iam_member_spec_t sp = {login, NULL, name, IAM_ACTIVE, -1, NULL, NULL};

    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
}

/* By display name (the login when the name is empty), ASCII case folded,
 * then by login; other UTF-8 bytes compare as they are. */
START_TEST(test_query_name_order)
{
    iam_member_page_t pg;
    iam_member_t *m;

    add("olivia", NULL, 1);                         /* no name: "olivia" */
    add_named("zed", "Banana", IAM_ACTIVE);         /* "banana" */
    add_named("yan", "apple", IAM_ACTIVE);          /* "apple" */
    add_named("sam2", "Sam", IAM_ACTIVE);           /* a tie, broken by login */
    add_named("Sam1", "sam", IAM_INVITED);          /* (the login's case aside) */
    add_named("emile", "\xc3\x89mile", IAM_ACTIVE); /* É: after every ASCII letter */
    add_named("Carrot", NULL, IAM_ACTIVE);          /* no name: "carrot" */
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "yan zed Carrot olivia Sam1 sam2 emile");
    ck_assert_int_eq(pg.offset, 0);
    ck_assert_int_eq(pg.total, 7);
    ck_assert_ptr_null(pg.prev);
    ck_assert_ptr_null(pg.next);
    /* the members come whole, with their groups */
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("zed"), 1, &ierr));
    pg = query("banana", -1, NULL, NULL, 0);
    ck_assert_int_eq(pg.members->nelts, 1);
    m = APR_ARRAY_IDX(pg.members, 0, iam_member_t *);
    ck_assert_str_eq(m->name, "Banana");
    ck_assert_str_eq(joined(m->groups), "eng");
}
END_TEST

/* A rename, a name cleared, an email changed, an activation, a removal: the
 * order and what a search or a filter finds follow in the same write. */
START_TEST(test_query_follows_changes)
{
    iam_member_spec_t sp = {"bob", "bob@new.example", NULL, IAM_ACTIVE, -1, NULL, NULL};
    iam_member_page_t pg;

    add("olivia", NULL, 1);
    add_named("bob", "Bob", IAM_INVITED);
    add_named("carl", "Carl", IAM_ACTIVE);
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "bob carl olivia");
    rename_member("bob", "Zoe");
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "carl olivia bob");
    ck_assert_int_eq(query("bob", -1, NULL, NULL, 0).total, 1); /* the login still matches */
    ck_assert_int_eq(query("zoe", -1, NULL, NULL, 0).total, 1);
    rename_member("carl", ""); /* the login then: "carl" still, but by login */
    rename_member("olivia", "Al");
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "olivia carl bob");
    ck_assert_int_eq(query("Carl", -1, NULL, NULL, 0).total, 1);
    ck_assert_int_eq(query("new.example", -1, NULL, NULL, 0).total, 0);
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    ck_assert_int_eq(query("NEW.example", -1, NULL, NULL, 0).total, 1);
    ck_assert_int_eq(query(NULL, IAM_INVITED, NULL, NULL, 0).total, 1);
    OK(iam_store_member_activate(st, "bob", &ierr));
    ck_assert_int_eq(query(NULL, IAM_INVITED, NULL, NULL, 0).total, 0);
    ck_assert_int_eq(query(NULL, IAM_ACTIVE, NULL, NULL, 0).total, 3);
    OK(iam_store_member_remove(st, "test", "carl", &ierr));
    pg = query(NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "olivia bob");
    ck_assert_int_eq(pg.total, 2);
    ck_assert_int_eq(query("carl", -1, NULL, NULL, 0).total, 0);
}
END_TEST

/* Forward with `next`, back with `prev`; offset and total on each page. */
START_TEST(test_query_paging)
{
    iam_member_page_t pg[3], back;
    const char *all = "", *seen = "";
    int i;

    add("owner", NULL, 1); /* no name: "owner", before every "user ..." */
    for (i = 0; i < 119; i++)
        add_named(apr_psprintf(pool, "m%03d", 118 - i), apr_psprintf(pool, "User %03d", i),
                  IAM_ACTIVE);
    for (i = 0; i < 119; i++)
        all = apr_pstrcat(pool, all, " ", apr_psprintf(pool, "m%03d", 118 - i), NULL);
    all = apr_pstrcat(pool, "owner", all, NULL);
    pg[0] = query(NULL, -1, NULL, NULL, 50);
    pg[1] = query(NULL, -1, pg[0].next, NULL, 50);
    pg[2] = query(NULL, -1, pg[1].next, NULL, 50);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(pg[i].offset, 50 * i);
        ck_assert_int_eq(pg[i].total, 120);
        ck_assert_int_eq(pg[i].members->nelts, i < 2 ? 50 : 20);
        ck_assert_int_eq(pg[i].prev != NULL, i > 0);
        ck_assert_int_eq(pg[i].next != NULL, i < 2);
        seen = apr_pstrcat(pool, seen, i ? " " : "", page_text(&pg[i]), NULL);
    }
    ck_assert_str_eq(seen, all);
    /* back: the page before the last is the middle one, then the first */
    back = query(NULL, -1, NULL, pg[2].prev, 50);
    ck_assert_str_eq(page_text(&back), page_text(&pg[1]));
    ck_assert_int_eq(back.offset, 50);
    ck_assert_str_eq(back.next, pg[1].next);
    back = query(NULL, -1, NULL, back.prev, 50);
    ck_assert_str_eq(page_text(&back), page_text(&pg[0]));
    ck_assert_int_eq(back.offset, 0);
    ck_assert_ptr_null(back.prev);
    /* pages of another size from a cursor */
    back = query(NULL, -1, NULL, pg[1].prev, 7);
    ck_assert_int_eq(back.offset, 43);
    ck_assert_int_eq(back.members->nelts, 7);
    ck_assert_str_eq(APR_ARRAY_IDX(back.members, 6, iam_member_t *)->login, "m070");
    /* cursors are hex; anything else is refused, as are both at once */
    for (i = 0; pg[0].next[i]; i++)
        ck_assert(strchr("0123456789abcdef", pg[0].next[i]));
    EXPECT(IAM_INVALID,
           iam_store_member_query(st, pool, &(iam_member_query_t){NULL, -1, "xyz", NULL, 0}, &back,
                                  &ierr));
    EXPECT(IAM_INVALID,
           iam_store_member_query(st, pool, &(iam_member_query_t){NULL, -1, "abc", NULL, 0}, &back,
                                  &ierr));
    EXPECT(IAM_INVALID,
           iam_store_member_query(
               st, pool, &(iam_member_query_t){NULL, -1, pg[0].next, pg[1].prev, 0}, &back, &ierr));
    EXPECT(IAM_INVALID, iam_store_member_query(
                            st, pool, &(iam_member_query_t){NULL, 7, NULL, NULL, 0}, &back, &ierr));
    ck_assert_int_eq(back.members->nelts, 0);
    ck_assert_int_eq(back.total, 0);
}
END_TEST

/* A search and a status filter: total and offset count what matches. */
START_TEST(test_query_filters)
{
    iam_member_page_t pg, next;
    int i;

    add("olivia", "olivia@example.com", 1);
    for (i = 0; i < 60; i++)
        OK(iam_store_member_add(st, "test", apr_psprintf(pool, "u%02d", i),
                                apr_psprintf(pool, "u%02d@%s.example", i, i % 2 ? "odd" : "even"),
                                apr_psprintf(pool, "Name %02d", 59 - i),
                                i % 3 ? IAM_ACTIVE : IAM_INVITED, 0, &ierr));
    pg = query("ODD", -1, NULL, NULL, 20);
    ck_assert_int_eq(pg.total, 30);
    ck_assert_int_eq(pg.members->nelts, 20);
    ck_assert_str_eq(APR_ARRAY_IDX(pg.members, 0, iam_member_t *)->login, "u59"); /* "Name 00" */
    next = query("ODD", -1, pg.next, NULL, 20);
    ck_assert_int_eq(next.offset, 20);
    ck_assert_int_eq(next.members->nelts, 10);
    ck_assert_ptr_null(next.next);
    ck_assert_str_eq(APR_ARRAY_IDX(next.members, 9, iam_member_t *)->login, "u01");
    /* by name, by login, by email; case-insensitive */
    ck_assert_int_eq(query("name 1", -1, NULL, NULL, 0).total, 10);
    ck_assert_int_eq(query("U4", -1, NULL, NULL, 0).total, 10);
    ck_assert_int_eq(query("OLIVIA@", -1, NULL, NULL, 0).total, 1);
    ck_assert_int_eq(query("", -1, NULL, NULL, 0).total, 61);
    ck_assert_int_eq(query("nobody", -1, NULL, NULL, 0).total, 0);
    ck_assert_int_eq(query("nobody", -1, NULL, NULL, 0).members->nelts, 0);
    /* status, alone and with a search */
    pg = query(NULL, IAM_INVITED, NULL, NULL, 0);
    ck_assert_int_eq(pg.total, 20);
    for (i = 0; i < pg.members->nelts; i++)
        ck_assert_int_eq(APR_ARRAY_IDX(pg.members, i, iam_member_t *)->status, IAM_INVITED);
    ck_assert_int_eq(query(NULL, IAM_ACTIVE, NULL, NULL, 0).total, 41);
    pg = query("odd", IAM_INVITED, NULL, NULL, 4);
    ck_assert_int_eq(pg.total, 10); /* u03 u09 ... u57 */
    ck_assert_str_eq(page_text(&pg), "u57 u51 u45 u39");
    pg = query("odd", IAM_INVITED, NULL, pg.next, 4);
    ck_assert_str_eq(page_text(&pg), "u57 u51 u45 u39"); /* fewer than a page before: the first */
    pg = query("odd", IAM_INVITED, pg.next, NULL, 4);
    pg = query("odd", IAM_INVITED, pg.next, NULL, 4);
    ck_assert_str_eq(page_text(&pg), "u09 u03");
    ck_assert_int_eq(pg.offset, 8);
    pg = query("odd", IAM_INVITED, NULL, pg.prev, 4);
    ck_assert_str_eq(page_text(&pg), "u33 u27 u21 u15");
    ck_assert_int_eq(pg.offset, 4);
}
END_TEST

/* A cursor is a place, not a member: one from a member removed (or
 * renamed) since still leads to the page after it or before it. */
START_TEST(test_query_cursor_of_removed_member)
{
    iam_member_page_t pg, next;
    const char *last, *first2;

    add("a-owner", NULL, 1);
    add_members(ITEMS("b", "c", "d", "e", "f", "g", "h"));
    pg = query(NULL, -1, NULL, NULL, 3); /* a-owner b c */
    next = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&next), "d e f");
    last = APR_ARRAY_IDX(pg.members, 2, iam_member_t *)->login;
    first2 = APR_ARRAY_IDX(next.members, 0, iam_member_t *)->login;
    ck_assert_str_eq(last, "c");
    OK(iam_store_member_remove(st, "test", "c", &ierr));
    OK(iam_store_member_remove(st, "test", first2, &ierr));
    next = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&next), "e f g");
    ck_assert_int_eq(next.offset, 2);
    ck_assert_int_eq(next.total, 6);
    /* before e: only a-owner and b, fewer than a page: the first page */
    pg = query(NULL, -1, NULL, next.prev, 3);
    ck_assert_str_eq(page_text(&pg), "a-owner b e");
    ck_assert_int_eq(pg.offset, 0);
    /* renamed away: the place stays */
    rename_member("e", "Zed");
    pg = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&pg), "f g h");
    /* after the end: the last page; never an empty page while any match */
    OK(iam_store_member_remove(st, "test", "h", &ierr));
    OK(iam_store_member_remove(st, "test", "e", &ierr));
    pg = query(NULL, -1, pg.next, NULL, 3);
    ck_assert_str_eq(page_text(&pg), "b f g");
    ck_assert_int_eq(pg.offset, 1);
    ck_assert_int_eq(pg.total, 4);
    ck_assert_ptr_null(pg.next);
    ck_assert_ptr_nonnull(pg.prev);
}
END_TEST

/* A group's members in the same order, paged and searched; a small group
 * among many members reads its own entries only. */
START_TEST(test_group_member_query)
{
    const char *const five[] = {"m10", "m3", "m77", "m42", "m5"};
    iam_grant_t wh = all_of("warehouse-read-only");
    iam_member_page_t pg;
    iam_group_t *g;
    int i;

    add("olivia", NULL, 1);
    for (i = 0; i < 100; i++)
        add_named(apr_psprintf(pool, "m%d", i), apr_psprintf(pool, "Person %03d", 100 - i),
                  IAM_ACTIVE);
    OK(iam_store_group_create(st, "test", "Five", &ierr));
    OK(iam_store_group_create(st, "test", "all", &ierr));
    OK(iam_store_group_members(st, "test", "five", 1, five, 5, &ierr));
    pg = query_of("FIVE", NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m77 m42 m10 m5 m3");
    ck_assert_int_eq(pg.total, 5);
    for (i = 0; i < 100; i++)
        OK(iam_store_group_members(st, "test", "all", 1,
                                   (const char *[]){apr_psprintf(pool, "m%d", i)}, 1, &ierr));
    pg = query_of("all", NULL, -1, NULL, NULL, 30);
    ck_assert_int_eq(pg.total, 100);
    ck_assert_str_eq(APR_ARRAY_IDX(pg.members, 0, iam_member_t *)->login, "m99");
    pg = query_of("all", NULL, -1, pg.next, NULL, 30);
    pg = query_of("all", NULL, -1, pg.next, NULL, 30);
    pg = query_of("all", NULL, -1, pg.next, NULL, 30);
    ck_assert_int_eq(pg.offset, 90);
    ck_assert_int_eq(pg.members->nelts, 10);
    ck_assert_str_eq(APR_ARRAY_IDX(pg.members, 9, iam_member_t *)->login, "m0");
    pg = query_of("all", NULL, -1, NULL, pg.prev, 30);
    ck_assert_int_eq(pg.offset, 60);
    /* a search inside the group */
    pg = query_of("five", "person 0", -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m77 m42 m10 m5 m3");
    pg = query_of("five", "person 09", -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m10 m5 m3");
    /* a rename moves the member in every group; leaving a group, out of it */
    rename_member("m3", "Aaron");
    ck_assert_str_eq(first_page("five", NULL), "m3 m77 m42 m10 m5");
    ck_assert_str_eq(
        APR_ARRAY_IDX(query_of("all", NULL, -1, NULL, NULL, 1).members, 0, iam_member_t *)->login,
        "m3");
    OK(iam_store_group_members(st, "test", "five", 0, ITEMS("m77"), 1, &ierr));
    OK(iam_store_member_remove(st, "test", "m42", &ierr));
    pg = query_of("five", NULL, -1, NULL, NULL, 0);
    ck_assert_str_eq(page_text(&pg), "m3 m10 m5");
    ck_assert_int_eq(query_of("all", NULL, -1, NULL, NULL, 0).total, 99);
    /* the group's own record, without reading its members */
    OK(iam_store_grant(st, "test", 1, "five", &wh, &ierr));
    OK(iam_store_group_record(st, pool, "FIVE", &g, &ierr));
    ck_assert_str_eq(g->name, "Five");
    ck_assert_int_eq(g->members->nelts, 0);
    ck_assert_ptr_nonnull(grant_in(g->grants, "warehouse-read-only"));
    EXPECT(IAM_NOTFOUND, iam_store_group_record(st, pool, "nope", &g, &ierr));
    ck_assert_ptr_null(g);
    /* no such group; a deleted one */
    EXPECT(IAM_NOTFOUND,
           iam_store_group_member_query(
               st, pool, "nope", &(iam_member_query_t){NULL, -1, NULL, NULL, 0}, &pg, &ierr));
    OK(iam_store_group_delete(st, "test", "five", &ierr));
    EXPECT(IAM_NOTFOUND,
           iam_store_group_member_query(
               st, pool, "five", &(iam_member_query_t){NULL, -1, NULL, NULL, 0}, &pg, &ierr));
    OK(iam_store_group_create(st, "test", "five", &ierr));
    ck_assert_int_eq(query_of("five", NULL, -1, NULL, NULL, 0).total, 0);
}
END_TEST

/* Who holds a role follows grants, revokes, whole records, group deletion,
 * member removal, an invitation claimed by another login, and import. */
START_TEST(test_role_holders)
{
    iam_grant_t ro = all_of("source-read-only");
    iam_grant_t web = grant_of("source-read-only", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t lab = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_member_spec_t sp = {"carol", NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};
    iam_group_spec_t gs = {"ops", -1, NULL, NULL};
    iam_store_t *copy = open_other("copy", 0);
    iam_store_t *mine = st;
    iam_arrive_e what;
    iam_verify_t v;
    dump_t d;

    add("olivia", NULL, 1);
    add("bob", NULL, 0);
    add("carol", NULL, 0);
    OK(iam_store_member_add(st, "test", "pat@corp.example", "pat@corp.example", NULL, IAM_INVITED,
                            0, &ierr));
    OK(iam_store_group_create(st, "test", "Eng", &ierr));
    OK(iam_store_group_create(st, "test", "ops", &ierr));
    ck_assert_str_eq(holders("source-read-only"), "");
    ck_assert_str_eq(holders("workspace-owner"), "m:olivia");
    OK(iam_store_grant(st, "test", 0, "bob", &web, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &lab, &ierr)); /* a second grant: one entry */
    OK(iam_store_grant(st, "test", 0, "pat@corp.example", &ro, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:bob m:pat@corp.example g:Eng");
    {
        /* by what the grants are on: bob's two grants find him once on web;
         * on ios (no env:prod) only the grants on all remain */
        const char *prod[] = {"team:x", "env:prod"};
        iam_resource_t on_web = {"source", "web", 2, prod}, on_ios = {"source", "ios", 0, NULL};
        ck_assert_str_eq(holders_on("source-read-only", &on_web), "m:bob m:pat@corp.example g:Eng");
        ck_assert_str_eq(holders_on("source-read-only", &on_ios), "m:pat@corp.example g:Eng");
        on_ios.nlabels = 2, on_ios.labels = prod;
        ck_assert_str_eq(holders_on("source-read-only", &on_ios), "m:bob m:pat@corp.example g:Eng");
    }
    OK(iam_store_revoke(st, "test", 0, "bob", &web, 0, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:bob m:pat@corp.example g:Eng");
    OK(iam_store_revoke(st, "test", 0, "bob", &lab, 0, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:pat@corp.example g:Eng");
    /* whole records: the console's and the API's writes */
    sp.grants = grants_of(&web, 1);
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    gs.grants = grants_of(&lab, 1);
    OK(iam_store_group_put(st, "test", &gs, 0, &ierr));
    ck_assert_str_eq(holders("source-read-only"), "m:carol m:pat@corp.example g:Eng g:ops");
    sp.grants = grants_of(&web, 0);
    OK(iam_store_member_put(st, "test", &sp, 0, &ierr));
    /* the invitation taken up by another login: the holder moves with it */
    OK(iam_store_member_arrive(st, "pat", "pat@corp.example", NULL, 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    ck_assert_str_eq(holders("source-read-only"), "m:pat g:Eng g:ops");
    ck_assert_str_eq(first_page(NULL, "pat"), "pat");
    /* a group deleted, a member removed */
    OK(iam_store_group_delete(st, "test", "ops", &ierr));
    OK(iam_store_member_remove(st, "test", "pat", &ierr));
    ck_assert_str_eq(holders("source-read-only"), "g:Eng");
    ck_assert_str_eq(holders("SOURCE-READ-ONLY"), "g:Eng");
    ck_assert_str_eq(holders("no-such-role"), "");
    /* the grants of an import */
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    d = dump_of(st);
    OK(iam_store_import(copy, "test", d.plan, d.members, d.groups, &ierr));
    st = copy;
    ck_assert_str_eq(holders("source-read-only"), "m:bob g:Eng");
    ck_assert_str_eq(holders("workspace-owner"), "m:olivia");
    v = verify();
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    st = mine;
}
END_TEST

/* Who can reach a resource (iam_access.h): owners first, then by level,
 * groups before members; a grant that does not cover the resource, or
 * that the plan ignores, is not listed. */
START_TEST(test_access_list)
{
    iam_grant_t web = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t prod = grant_of("source-read-only", IAM_SCOPE_LABELS, ITEMS("env:prod"));
    iam_grant_t ios = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("ios"));
    iam_grant_t all = all_of("source-read-only"), wh = all_of("warehouse-admin");
    const char *labels[] = {"env:prod"};
    iam_resource_t res = {"source", "web", 1, labels};
    apr_array_header_t *list;
    iam_roles_t roles;
    const char *got = "";
    int i;

    iam_roles_init(&roles);
    add("olivia", NULL, 1);
    add_named("bob", "Bob", IAM_ACTIVE);
    add_named("amy", "Amy", IAM_INVITED);
    add_named("cat", "Cat", IAM_ACTIVE);
    add_named("dan", "Dan", IAM_ACTIVE);
    OK(iam_store_grant(st, "test", 0, "bob", &web, &ierr));
    OK(iam_store_grant(st, "test", 0, "amy", &prod, &ierr));
    OK(iam_store_grant(st, "test", 0, "cat", &ios, &ierr));
    OK(iam_store_grant(st, "test", 0, "dan", &wh, &ierr));
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("cat", "dan"), 2, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &all, &ierr));
    OK(iam_access_list(st, pool, &roles, IAM_PLAN_BUSINESS, &res, &list, &ierr));
    for (i = 0; i < list->nelts; i++) {
        const iam_access_t *a = &APR_ARRAY_IDX(list, i, iam_access_t);
        got = apr_psprintf(pool, "%s%s%s:%s(%ld)", got, i ? " " : "",
                           a->group ? a->group->name : a->member->login, iam_level_name(a->level),
                           a->group_members);
    }
    ck_assert_str_eq(got, "olivia:admin(0) bob:admin(0) eng:read(2) amy:read(0)");
    /* the team plan has no groups or labels: what they give is not access */
    set_plan(IAM_PLAN_TEAM);
    OK(iam_access_list(st, pool, &roles, IAM_PLAN_TEAM, &res, &list, &ierr));
    ck_assert_int_eq(list->nelts, 2);
}
END_TEST

/* Every key of one type goes, as from a store no release of format 5
 * ever wrote. */
static void raw_del_type(const char *dir, char type)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *c;
    MDB_val k = {1, &type}, v;
    int rc;

    damaged = 1;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_open(env, dir, MDB_NOSYNC, 0640), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    ck_assert_int_eq(mdb_cursor_open(txn, dbi, &c), 0);
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
         rc == 0 && k.mv_size > 0 && *(char *)k.mv_data == type;
         rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT))
        ck_assert_int_eq(mdb_cursor_del(c, 0), 0);
    mdb_cursor_close(c);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store of format 4 (no indexes) is read, but its lists wait for the
 * first write of this release, which builds every index in its own
 * transaction (dropping whatever stray entries lay there). */
START_TEST(test_upgrade_builds_indexes)
{
    iam_grant_t ro = all_of("source-read-only");
    iam_member_query_t q = {NULL, -1, NULL, NULL, 0};
    apr_array_header_t *members, *groups;
    size_t vlen;
    const char *vkey = rec_key(0x01, "version", &vlen);
    iam_member_page_t pg;
    iam_verify_t v;

    add("olivia", NULL, 1);
    add_named("bob", "Zed", IAM_ACTIVE);
    add_named("carol", "Amy", IAM_INVITED);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob", "carol"), 2, &ierr));
    OK(iam_store_grant(st, "test", 1, "eng", &ro, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    iam_store_close(st);
    raw_del_type(sdir, 'N');
    raw_del_type(sdir, 'n');
    raw_del_type(sdir, 'X');
    raw_put(sdir, vkey, vlen, "4", 1);
    reopen();
    EXPECT(IAM_VERSION, iam_store_member_query(st, pool, &q, &pg, &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "first write"));
    EXPECT(IAM_VERSION, iam_store_group_member_query(st, pool, "eng", &q, &pg, &ierr));
    EXPECT(IAM_VERSION,
           iam_store_role_holders(st, pool, "source-read-only", NULL, &members, &groups, &ierr));
    v = verify(); /* nothing to find wrong: the indexes are not there yet */
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    ck_assert_int_eq(v.indexed, 0);
    ck_assert_ptr_nonnull(strstr(APR_ARRAY_IDX(v.warnings, 0, const char *), "older format"));
    iam_store_close(st);
    raw_put(sdir, "Xsource-admin\0mbob", sizeof("Xsource-admin\0mbob") - 1, "", 0);
    reopen();

    add("dave", NULL, 0); /* any write */
    iam_store_close(st);
    ck_assert_int_eq(*(char *)raw_get(sdir, vkey, vlen).mv_data, '0' + IAM_STORE_FORMAT);
    reopen();
    ck_assert_str_eq(first_page(NULL, NULL), "carol dave olivia bob");
    ck_assert_str_eq(first_page("eng", NULL), "carol bob");
    ck_assert_str_eq(first_page(NULL, "zed"), "bob");
    ck_assert_int_eq(query(NULL, IAM_INVITED, NULL, NULL, 0).total, 1);
    ck_assert_str_eq(holders("source-read-only"), "m:bob g:eng");
    ck_assert_str_eq(holders("source-admin"), "");
    v = verify();
    ck_assert_msg(v.nproblems == 0 && v.nwarnings == 0, "%s", problems(&v));
    ck_assert_int_eq(v.indexed, 4 + 2 + 3); /* members, eng's two, bob eng olivia */
}
END_TEST

/* Verify finds index entries missing, stray, stale or damaged, both ways;
 * the reads take them for damage, never for an answer. */
START_TEST(test_verify_index_damage)
{
    static const char ghost[] = "\x01\x00ghost\0\0";
    static const char olivia[] = "\x01\x00olivia\0\0";
    iam_grant_t ro = all_of("source-read-only");
    apr_array_header_t *members, *groups;
    iam_member_page_t pg;
    iam_verify_t v;
    const char *text;

#define RAW_DEL(key) raw_del(sdir, key, sizeof(key) - 1)
#define RAW_PUT(key, val, n) raw_put(sdir, key, sizeof(key) - 1, val, n)
    add("olivia", NULL, 1);
    add_named("bob", "Bob", IAM_ACTIVE);
    OK(iam_store_group_create(st, "test", "eng", &ierr));
    OK(iam_store_group_members(st, "test", "eng", 1, ITEMS("bob"), 1, &ierr));
    OK(iam_store_grant(st, "test", 0, "bob", &ro, &ierr));
    v = verify();
    ck_assert_msg(v.nproblems == 0, "%s", problems(&v));
    ck_assert_int_eq(v.indexed, 2 + 1 + 2);
    ck_assert_str_eq(first_page(NULL, "o"), "bob olivia");

    iam_store_close(st);
    RAW_DEL("Nbob\0bob");
    RAW_DEL("neng\0bob\0bob");
    RAW_DEL("Xsource-read-only\t*\0mbob");
    RAW_PUT("Nghost\0ghost", ghost, sizeof(ghost));
    RAW_PUT("neng\0olivia\0olivia", olivia, sizeof(olivia));
    RAW_PUT("Nzzz\0olivia", olivia, sizeof(olivia));
    RAW_PUT("Nolivia\0olivia", "\x09", 1);
    RAW_PUT("Xsource-admin\t*\0molivia", "", 0);
    RAW_PUT("Xsource-admin\tr:web\0gnope", "", 0);
    reopen();
    v = verify();
    text = problems(&v);
    ck_assert_ptr_nonnull(strstr(text, "member 'bob' is missing from the name index\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "member 'bob' is missing from the name index of group 'eng'"));
    ck_assert_ptr_nonnull(
        strstr(text, "the role index misses member 'bob' holding source-read-only on all"));
    ck_assert_ptr_nonnull(strstr(text, "the name index names missing member 'ghost'"));
    ck_assert_ptr_nonnull(
        strstr(text, "the name index of group 'eng' lists member 'olivia', who is not in it"));
    ck_assert_ptr_nonnull(strstr(text, "the name index holds member 'olivia' under another name"));
    ck_assert_ptr_nonnull(strstr(text, "the name index entry of member 'olivia' is damaged"));
    ck_assert_ptr_nonnull(strstr(text, "the name index holds stale details of member 'olivia'"));
    ck_assert_ptr_nonnull(strstr(
        text, "the role index says member 'olivia' holds source-admin on all, which they do not"));
    ck_assert_ptr_nonnull(
        strstr(text, "the role index of source-admin on web names missing group 'nope'"));
    ck_assert_msg(v.nproblems == 10, "%s", text);

    /* the reads: damage, never a wrong list */
    EXPECT(IAM_CORRUPT,
           iam_store_role_holders(st, pool, "source-admin", NULL, &members, &groups, &ierr));
    ck_assert_int_eq(members->nelts + groups->nelts, 0);
    EXPECT(IAM_CORRUPT,
           iam_store_member_query(st, pool, &(iam_member_query_t){"ghost", -1, NULL, NULL, 0}, &pg,
                                  &ierr)); /* a search reads every value */
    ck_assert_int_eq(pg.members->nelts, 0);
    iam_store_close(st);
    RAW_DEL("Nolivia\0olivia");
    reopen();
    EXPECT(IAM_CORRUPT,
           iam_store_member_query(st, pool, &(iam_member_query_t){"ghost", -1, NULL, NULL, 0}, &pg,
                                  &ierr));
    ck_assert_ptr_nonnull(strstr(ierr.msg, "missing member 'ghost'"));
#undef RAW_DEL
#undef RAW_PUT
}
END_TEST

/* ---- the cases ---- */

void store_cases_lists(Suite *s)
{
    TCase *tc;

    tc = store_tcase("indexes");
    tcase_add_test(tc, test_query_name_order);
    tcase_add_test(tc, test_query_follows_changes);
    tcase_add_test(tc, test_query_paging);
    tcase_add_test(tc, test_query_filters);
    tcase_add_test(tc, test_query_cursor_of_removed_member);
    tcase_add_test(tc, test_group_member_query);
    tcase_add_test(tc, test_role_holders);
    tcase_add_test(tc, test_access_list);
    tcase_add_test(tc, test_upgrade_builds_indexes);
    tcase_add_test(tc, test_verify_index_damage);
    suite_add_tcase(s, tc);
}
