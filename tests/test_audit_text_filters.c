/* audit_text tests: filtering the trail. The filter on raw entries (by
 * member, group, actor and kind, and what counts as each); the store's
 * filtered trail on real trails, page by page; a group written whole
 * names who joined and left; the scan's bound, found page after page. */
#include "audit_text_test.h"

#include <apr_strings.h>
#include <string.h>

/* The filter on raw entries, without roles. */
START_TEST(test_match_raw)
{
    iam_audit_filter_t f;
    iam_audit_t a;

#define FILTER(m, g, who, k) (f = (iam_audit_filter_t){m, g, who, k, 0}, &f)
    a = entry("console:Olivia", "member.update", "max", MAX0, MAX1);
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, NULL)));
    ck_assert(iam_audit_match(pool, &a, FILTER("MAX", "", "", "")));
    ck_assert(!iam_audit_match(pool, &a, FILTER("ma", NULL, NULL, NULL)));
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, NULL, "olivia", NULL)));
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, NULL, "console:olivia", NULL)));
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, NULL, "console", NULL)));
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, "member")));
    /* its grants changed: a grant too; it joined analysts: about analysts */
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, "grant")));
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, "Analysts", NULL, NULL)));
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, "analyst", NULL, NULL)));
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, "group")));
    ck_assert(!iam_audit_match(pool, &a, FILTER("max", NULL, NULL, "token")));
    /* a name change alone is no grant */
    a = entry("console:olivia", "member.update", "max", MAX0,
              "status=active email=max@example.com name=M pii=no grants=[none] groups=[]");
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, "grant")));
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, "analysts", NULL, NULL)));
    /* a member added with the owner's grant */
    a = entry("console:olivia", "member.add", "oscar", "",
              "status=active email= name= pii=no grants=[workspace-owner on all] groups=[]");
    ck_assert(iam_audit_match(pool, &a, FILTER("oscar", NULL, NULL, "grant")));
    /* members of a group */
    a = entry("console:olivia", "group.add-members", "group:analysts", "", "anna,max,maxi");
    ck_assert(iam_audit_match(pool, &a, FILTER("max", "analysts", "olivia", "group")));
    ck_assert(!iam_audit_match(pool, &a, FILTER("ma", NULL, NULL, NULL)));
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, "grant")));
    /* a group named as a member is not the member */
    a = entry("console:olivia", "grant", "group:max", "pii=no grants=[none] members=0",
              "pii=no grants=[warehouse-admin on all] members=0");
    ck_assert(!iam_audit_match(pool, &a, FILTER("max", NULL, NULL, NULL)));
    ck_assert(iam_audit_match(pool, &a, FILTER(NULL, "max", NULL, "grant")));
    /* the approval of a request: a request and a grant */
    a = entry("console:olivia", "request.approve", "max",
              MAX0 "; asked: edit source checkout (revision 3)",
              "status=active email=max@example.com name=Max pii=no grants=[source-admin on "
              "checkout] groups=[]");
    ck_assert(iam_audit_match(pool, &a, FILTER("max", NULL, NULL, "request")));
    ck_assert(iam_audit_match(pool, &a, FILTER("max", NULL, NULL, "grant")));
    /* the owner of a token that died */
    a = entry("system", "token.die", "tok_1", "", "its owner 'max' was removed from the workspace");
    ck_assert(iam_audit_match(pool, &a, FILTER("max", NULL, "system", "token")));
    ck_assert(!iam_audit_match(pool, &a, FILTER("tok_1", NULL, NULL, NULL)));
    /* an unknown kind matches nothing */
    ck_assert(!iam_audit_match(pool, &a, FILTER(NULL, NULL, NULL, "tokens")));
#undef FILTER
}
END_TEST

/* ---- the filtered trail ---- */

static iam_audit_filter_t filter(const char *member, const char *group, const char *actor,
                                 const char *kind, long scan_max)
{
    iam_audit_filter_t f = {member, group, actor, kind, scan_max};
    return f;
}

/* The actions of a page, newest first. */
static const char *actions_of(const apr_array_header_t *list)
{
    const char *s = "";
    int i;

    for (i = 0; i < list->nelts; i++)
        s = apr_pstrcat(pool, s, i ? " " : "", APR_ARRAY_IDX(list, i, iam_audit_t *)->action, NULL);
    return s;
}

static const char *query(const iam_audit_filter_t *f, unsigned long long before, int limit,
                         unsigned long long *next)
{
    apr_array_header_t *list;

    OK(iam_store_audit_query(st, pool, before, limit, f, &list, next, &ierr));
    return actions_of(list);
}

START_TEST(test_query_filters)
{
    iam_grant_t wh = grant_of("warehouse-admin", IAM_SCOPE_ALL, NULL);
    iam_member_spec_t ms = {"max", NULL, NULL, IAM_ACTIVE, -1, NULL, NULL};
    apr_array_header_t *groups = apr_array_make(pool, 1, sizeof(const char *));
    iam_audit_filter_t f;
    unsigned long long next;

    OK(iam_store_member_add(st, "iamctl:root", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "max", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "anna", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    OK(iam_store_group_create(st, "api:olivia", "eng", &ierr));
    OK(iam_store_group_members(st, "console:olivia", "eng", 1, ITEMS("anna"), 1, &ierr));
    APR_ARRAY_PUSH(groups, const char *) = "eng";
    ms.groups = groups;
    OK(iam_store_member_put(st, "console:olivia", &ms, 0, &ierr)); /* max joins eng */
    OK(iam_store_grant(st, "api:olivia", 1, "eng", &wh, &ierr));
    OK(iam_store_grant(st, "console:olivia", 0, "max", &wh, &ierr));
    OK(iam_store_member_remove(st, "console:olivia", "anna", &ierr)); /* anna leaves eng */

    f = filter(NULL, NULL, NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next),
                     "member.remove grant grant member.update group.add-members group.create "
                     "member.add member.add member.add");
    ck_assert_uint_eq(next, 0);
    f = filter("max", NULL, NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "grant member.update member.add");
    f = filter("anna", NULL, NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "member.remove group.add-members member.add");
    f = filter(NULL, "eng", NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next),
                     "member.remove grant member.update group.add-members group.create");
    f = filter(NULL, NULL, "olivia", NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next),
                     "member.remove grant grant member.update group.add-members group.create "
                     "member.add member.add");
    f = filter(NULL, NULL, "root", NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "member.add");
    f = filter(NULL, NULL, "api:olivia", NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "grant group.create");
    /* grants: the grants, and whatever else changed some (olivia added as owner) */
    f = filter(NULL, NULL, NULL, "grant", 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "grant grant member.add");
    f = filter(NULL, NULL, NULL, "group", 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "group.add-members group.create");
    f = filter("max", "eng", "olivia", "member", 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "member.update");
    f = filter("nobody", NULL, NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "");
    ck_assert_uint_eq(next, 0);
    /* pages: a full page says where to go on */
    f = filter(NULL, "eng", NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 2, &next), "member.remove grant");
    ck_assert_uint_eq(next, 7); /* the grant to eng, 7th entry, filled the page */
    ck_assert_str_eq(query(&f, next, 2, &next), "member.update group.add-members");
    ck_assert_str_eq(query(&f, next, 2, &next), "group.create");
    ck_assert_uint_eq(next, 0);
    /* NULL filter: all, as iam_store_audit_list */
    ck_assert_str_eq(query(NULL, 3, 0, &next), "member.add member.add");
}
END_TEST

/* The scan stops after scan_max entries examined, and says where to go on:
 * a rare match far back is found page after page, never by one long scan. */
/* A group written whole (Create User Group, the API's PUT) with its
 * members: its record only counts them, so who joined and who left are
 * written too, and the filter by member finds them. */
START_TEST(test_group_put_names_members)
{
    iam_group_spec_t gs = {"eng", -1, NULL, NULL};
    apr_array_header_t *members = apr_array_make(pool, 2, sizeof(const char *)), *list;
    iam_audit_filter_t f;
    unsigned long long next;

    OK(iam_store_member_add(st, "iamctl:root", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "max", NULL, "Max", IAM_ACTIVE, 0, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "anna", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    APR_ARRAY_PUSH(members, const char *) = "max";
    APR_ARRAY_PUSH(members, const char *) = "anna";
    gs.members = members;
    OK(iam_store_group_put(st, "console:olivia", &gs, 1, &ierr));
    list = trail();
    ck_assert_str_eq(said(list, "group.create", 0), "olivia created the group eng");
    ck_assert_str_eq(said(list, "group.add-members", 0), "olivia added max and anna to eng");
    f = filter("max", NULL, NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next), "group.add-members member.add");

    /* the same members again: nobody joined or left, nothing more said */
    OK(iam_store_group_put(st, "console:olivia", &gs, 0, &ierr));
    ck_assert_str_eq(query(&f, 0, 0, &next), "group.add-members member.add");
    /* max leaves */
    members->nelts = 1;
    APR_ARRAY_IDX(members, 0, const char *) = "anna";
    OK(iam_store_group_put(st, "console:olivia", &gs, 0, &ierr));
    ck_assert_str_eq(query(&f, 0, 0, &next), "group.remove-members group.add-members member.add");
    ck_assert_str_eq(said(trail(), "group.remove-members", 0), "olivia removed max from eng");
    /* a write without members says nothing of them */
    gs.members = NULL;
    gs.pii = 1;
    OK(iam_store_group_put(st, "console:olivia", &gs, 0, &ierr));
    f = filter(NULL, "eng", NULL, NULL, 0);
    ck_assert_str_eq(query(&f, 0, 0, &next),
                     "group.update group.remove-members group.update group.update "
                     "group.add-members group.create");
}
END_TEST

START_TEST(test_query_scan_bound)
{
    iam_audit_filter_t f = filter("rare", NULL, NULL, NULL, 10);
    unsigned long long next = 0, before = 0;
    const char *got = "";
    int calls = 0, i;

    OK(iam_store_member_add(st, "test", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(st, "test", "rare", NULL, NULL, IAM_ACTIVE, 0, &ierr)); /* entry 2 */
    for (i = 0; i < 48; i++) /* entries 3 to 50 */
        OK(iam_store_set_plan(st, "test", i % 2 ? IAM_PLAN_BUSINESS : IAM_PLAN_TEAM, 0, &ierr));
    do {
        got = apr_pstrcat(pool, got, query(&f, before, 5, &next), NULL);
        if (calls == 0) {
            ck_assert_str_eq(got, ""); /* ten examined, none matched: not the end */
            ck_assert_uint_eq(next, 41);
        }
        before = next;
        calls++;
    } while (next && calls < 100);
    ck_assert_str_eq(got, "member.add");
    ck_assert_int_eq(calls, 5); /* 50 entries, 10 a call */
    /* the default bound: IAM_AUDIT_SCAN_MAX */
    f.scan_max = 0;
    ck_assert_str_eq(query(&f, 0, 5, &next), "member.add");
    ck_assert_uint_eq(next, 0);
}
END_TEST

/* The default bound on a trail longer than it: one call examines
 * IAM_AUDIT_SCAN_MAX entries, the next goes on. */
START_TEST(test_query_default_bound)
{
    iam_audit_filter_t f = filter("rare", NULL, NULL, NULL, 0);
    unsigned long long next;
    int i;

    OK(iam_store_member_add(st, "test", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(st, "test", "rare", NULL, NULL, IAM_ACTIVE, 0, &ierr));
    for (i = 0; i < IAM_AUDIT_SCAN_MAX + 8; i++)
        OK(iam_store_set_plan(st, "test", i % 2 ? IAM_PLAN_BUSINESS : IAM_PLAN_TEAM, 0, &ierr));
    /* 20,010 entries: the newest 20,000 hold no match */
    ck_assert_str_eq(query(&f, 0, 5, &next), "");
    ck_assert_uint_eq(next, 11);
    ck_assert_str_eq(query(&f, next, 5, &next), "member.add");
    ck_assert_uint_eq(next, 0);
}
END_TEST

/* Adds this file's tests to the suite's TCases. */
void att_add_filters(TCase *tc_words, TCase *tc_trail)
{
    tcase_add_test(tc_words, test_match_raw);
    tcase_add_test(tc_trail, test_query_filters);
    tcase_add_test(tc_trail, test_group_put_names_members);
    tcase_add_test(tc_trail, test_query_scan_bound);
    tcase_add_test(tc_trail, test_query_default_bound);
}
