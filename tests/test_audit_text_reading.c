/* audit_text tests: reading what an entry holds. What changed between
 * the before and after texts of members and groups, each field once;
 * long lists folded into counts; names quoted by this release or bare in
 * older records; texts the store cut; damaged, cut and hostile texts of
 * every action, which crash nothing; times as the console says them; and
 * names a real store quotes, read back exactly. */
#include "audit_text_test.h"

#include <apr_strings.h>
#include <limits.h>
#include <string.h>

static const char *changes_of(const char *action, const char *target, const char *before,
                              const char *after)
{
    iam_audit_t a = entry("console:olivia", action, target, before, after);
    iam_audit_text_t t = describe(&a);
    return changes(&t);
}

/* ---- what changed ---- */

START_TEST(test_diff_member)
{
    /* only what changed, each field once */
    ck_assert_str_eq(changes_of("member.update", "max", MAX0, MAX1),
                     "name: Max → Max Mustermann\n"
                     "grants: + Source Admin on checkout, web\n"
                     "groups: + analysts");
    /* a grant on more resources is its resources, not a new grant */
    ck_assert_str_eq(
        changes_of("member.update", "max",
                   "status=active email= name= pii=no grants=[source-read-only on all; "
                   "source-admin on checkout] groups=[eng,ops]",
                   "status=active email=max@example.com name= pii=yes grants=[source-admin on "
                   "checkout web] groups=[eng,analysts]"),
        "email: (none) → max@example.com\n"
        "access to personal data: no → yes\n"
        "grants: + Source Admin on web; − Source Read-only on all\n"
        "groups: + analysts; − ops");
    ck_assert_str_eq(
        sentence("console:olivia", "member.update", "max",
                 "status=active email= name= pii=no grants=[none] groups=[eng]",
                 "status=active email= name= pii=no grants=[none] groups=[eng,ops,qa]"),
        "olivia added max to ops and qa");
    ck_assert_str_eq(sentence("console:olivia", "member.update", "max",
                              "status=active email= name= pii=no grants=[none] groups=[eng,ops]",
                              "status=active email= name= pii=no grants=[none] groups=[]"),
                     "olivia removed max from eng and ops");
    ck_assert_str_eq(
        sentence("console:olivia", "member.update", "max",
                 "status=active email= name= pii=no grants=[source-admin on web] groups=[]",
                 "status=active email= name= pii=no grants=[source-admin on web; dashboard-viewer "
                 "on labels env:prod] groups=[]"),
        "olivia gave max Dashboard Viewer on labels env:prod");
    ck_assert_str_eq(sentence("console:olivia", "member.update", "max", MAX1, MAX1),
                     "olivia saved max without a change");
    ck_assert_str_eq(changes_of("member.update", "max", MAX1, MAX1), "");
    /* a creation lists what was set; a removal what was held */
    ck_assert_str_eq(changes_of("member.add", "max", "", MAX1),
                     "name: Max Mustermann\n"
                     "email: max@example.com\n"
                     "grants: + Source Admin on checkout, web\n"
                     "groups: + analysts");
    ck_assert_str_eq(changes_of("member.remove", "max", MAX1, ""),
                     "grants: − Source Admin on checkout, web\n"
                     "groups: − analysts");
    /* a role no longer declared shows its slug */
    ck_assert_str_eq(changes_of("grant", "max", MAX0,
                                "status=active email=max@example.com name=Max pii=no "
                                "grants=[gone-role on all] groups=[]"),
                     "grants: + gone-role on all");
    /* a request approved: the grant it gave */
    ck_assert_str_eq(changes_of("request.approve", "max",
                                MAX0 "; asked: edit source checkout (revision 3)",
                                "status=active email=max@example.com name=Max pii=no "
                                "grants=[source-admin on checkout] groups=[]"),
                     "grants: + Source Admin on checkout");
    ck_assert_str_eq(changes_of("request.level", "max", "edit source checkout (revision 1)",
                                "admin source checkout (revision 2): hi"),
                     "level: edit → admin");
    ck_assert_str_eq(changes_of("request.open", "max", "",
                                "edit source checkout (revision 1): line one\nline two"),
                     "message: line one line two");
    ck_assert_str_eq(changes_of("token.create", "tok_1", "", "nightly sync"),
                     "description: nightly sync");
    ck_assert_str_eq(changes_of("workspace.plan", "", "team", "business"), "plan: team → business");
}
END_TEST

START_TEST(test_diff_group)
{
    ck_assert_str_eq(changes_of("group.update", "group:eng",
                                "pii=no grants=[warehouse-admin on all] members=3",
                                "pii=no grants=[warehouse-read-only on all] members=600"),
                     "grants: + Warehouse Read-only on all; − Warehouse Admin on all\n"
                     "members: 3 → 600");
    ck_assert_str_eq(sentence("console:olivia", "group.update", "group:eng",
                              "pii=no grants=[warehouse-admin on all] members=3",
                              "pii=no grants=[none] members=3"),
                     "olivia revoked Warehouse Admin on all from the group eng");
    ck_assert_str_eq(changes_of("group.create", "group:eng", "", "pii=no grants=[none] members=0"),
                     "");
    ck_assert_str_eq(changes_of("group.create", "group:eng", "",
                                "pii=yes grants=[source-admin on web] members=4"),
                     "access to personal data: yes\n"
                     "grants: + Source Admin on web\n"
                     "members: 4");
    ck_assert_str_eq(changes_of("group.delete", "group:eng",
                                "pii=no grants=[source-admin on web] members=4", ""),
                     "grants: − Source Admin on web\n"
                     "members: 4 → 0");
}
END_TEST

/* Long lists fold into counts. */
START_TEST(test_folding)
{
    const char *logins = "u0", *items = "r0", *groups = "g0", *before, *after;
    iam_audit_t a;
    iam_audit_text_t t;
    int i;

    for (i = 1; i < 600; i++)
        logins = apr_psprintf(pool, "%s,u%d", logins, i);
    a = entry("console:olivia", "group.add-members", "group:analysts", "", logins);
    t = described_sanely(&a);
    ck_assert_str_eq(t.sentence, "olivia added 600 members to analysts");
    ck_assert_str_eq(changes(&t), "members: + u0, u1, u2 and 597 more");
    ck_assert_ptr_null(t.member);
    /* five still spelled out in the changes, four or more counted in the sentence */
    a = entry("console:olivia", "group.add-members", "group:analysts", "", "a,b,c,d,e");
    t = described_sanely(&a);
    ck_assert_str_eq(t.sentence, "olivia added 5 members to analysts");
    ck_assert_str_eq(changes(&t), "members: + a, b, c, d, e");
    /* a grant on many resources */
    for (i = 1; i < 40; i++)
        items = apr_psprintf(pool, "%s r%d", items, i);
    after = apr_psprintf(
        pool, "status=active email= name= pii=no grants=[source-admin on %s] groups=[]", items);
    a = entry("console:olivia", "grant", "max",
              "status=active email= name= pii=no grants=[none] groups=[]", after);
    t = described_sanely(&a);
    ck_assert_str_eq(t.sentence, "olivia gave max Source Admin on r0, r1, r2 and 37 more");
    /* many groups, many grants */
    for (i = 1; i < 9; i++)
        groups = apr_psprintf(pool, "%s,g%d", groups, i);
    before = "status=active email= name= pii=no grants=[none] groups=[]";
    after = apr_psprintf(pool,
                         "status=active email= name= pii=no grants=[source-admin on a; "
                         "source-read-only on b; personas-admin on c; personas-user on d; "
                         "personas-read-only on e; warehouse-admin on all] groups=[%s]",
                         groups);
    ck_assert_str_eq(changes_of("member.update", "max", before, after),
                     "grants: + Source Admin on a; + Source Read-only on b; + Personas Admin on c; "
                     "+ 3 more\n"
                     "groups: + g0, g1, g2 and 6 more");
    ck_assert_str_eq(sentence("console:olivia", "member.update", "max", before,
                              "status=active email= name= pii=no grants=[none] groups=[a,b,c,d]"),
                     "olivia added max to 4 groups");
    ck_assert_str_eq(sentence("console:olivia", "grant", "max", before,
                              "status=active email= name= pii=no grants=[source-admin on a; "
                              "source-read-only on b; personas-admin on c; personas-user on d] "
                              "groups=[]"),
                     "olivia gave max 4 grants");
}
END_TEST

/* Names that look like the syntax around them: quoted by this release,
 * bare (and read as well as can be) in older records. */
START_TEST(test_quoted_and_older_names)
{
    ck_assert_str_eq(
        changes_of("member.update", "max",
                   "status=active email= name=\"a=b \\\"c\\\"\" pii=no grants=[none] "
                   "groups=[\"x, y\",\"[z]\"]",
                   "status=active email= name=Plain Name pii=no grants=[none] groups=[\"x, y\"]"),
        "name: a=b \"c\" → Plain Name\n"
        "groups: − [z]");
    /* older records: a bare name with spaces, commas in no group */
    ck_assert_str_eq(
        changes_of("member.update", "max",
                   "status=active email=m@x name=Max M. Mustermann pii=no grants=[none] "
                   "groups=[data science]",
                   "status=active email=m@x name=Max pii=no grants=[none] "
                   "groups=[data science,ops]"),
        "name: Max M. Mustermann → Max\n"
        "groups: + ops");
    /* an old bare name that holds a key: read wrong perhaps, never a crash */
    (void)changes_of("member.update", "max",
                     "status=active email= name=x pii=yes grants=[ pii=no grants=[none] groups=[]",
                     MAX0);
}
END_TEST

/* A text the store cut (IAM_AUDIT_TEXT_MAX, then "..."): a list it cut is
 * never taken for a list that lost items. */
START_TEST(test_clipped_texts)
{
    const char *grants = "source-admin on r0", *before, *after, *cut_b, *cut_a;
    iam_audit_t a;
    iam_audit_text_t t;
    int i;

    for (i = 1; i < 400; i++)
        grants = apr_psprintf(pool, "%s; source-admin on labels k%d:v", grants, i);
    before =
        apr_psprintf(pool, "status=active email= name=Max pii=no grants=[%s] groups=[eng]", grants);
    after = apr_psprintf(
        pool, "status=active email= name=Mux pii=no grants=[%s; x on all] groups=[eng]", grants);
    ck_assert_int_gt(strlen(before), IAM_AUDIT_TEXT_MAX);
    cut_b = apr_pstrcat(pool, apr_pstrndup(pool, before, IAM_AUDIT_TEXT_MAX), "...", NULL);
    cut_a = apr_pstrcat(pool, apr_pstrndup(pool, after, IAM_AUDIT_TEXT_MAX), "...", NULL);
    a = entry("console:olivia", "member.update", "max", cut_b, cut_a);
    t = described_sanely(&a);
    /* the name is read; the grants, cut alike, show no change */
    ck_assert_str_eq(changes(&t), "name: Max → Mux");
    ck_assert_str_eq(t.sentence, "olivia changed the name of max");
    /* a grant given to a member whose list is cut: said without a guess */
    a = entry("console:olivia", "grant", "max", cut_b, cut_a);
    t = described_sanely(&a);
    ck_assert_str_eq(t.sentence, "olivia changed the grants of max");
    /* cut and different: said so, without listing a guess */
    a = entry("console:olivia", "member.update", "max", cut_b,
              "status=active email= name=Max pii=no grants=[none] groups=[]");
    t = described_sanely(&a);
    /* (its groups, cut away, are not guessed) */
    ck_assert_str_eq(changes(&t), "grants: changed (too long to compare here)");
    /* a cut list of logins */
    {
        const char *logins = "user0";
        for (i = 1; i < 1000; i++)
            logins = apr_psprintf(pool, "%s,user%d", logins, i);
        logins = apr_pstrcat(pool, apr_pstrndup(pool, logins, IAM_AUDIT_TEXT_MAX), "...", NULL);
        a = entry("console:olivia", "group.add-members", "group:g", "", logins);
        t = described_sanely(&a);
        ck_assert_msg(has(t.sentence, "or more members to g"), "%s", t.sentence);
        ck_assert_str_eq(changes(&t), "members: + user0, user1, user2 and more");
    }
}
END_TEST

/* Damaged, cut and hostile texts: every prefix of every field of an entry
 * of every action, with and without the store's "...", and bytes no text
 * should hold. Nothing crashes; a known action keeps its own sentence. */
START_TEST(test_hostile_texts)
{
    static const char *const actions[] = {"member.add",
                                          "member.invite",
                                          "member.update",
                                          "member.remove",
                                          "member.activate",
                                          "member.provision",
                                          "owner.bootstrap",
                                          "grant",
                                          "revoke",
                                          "group.create",
                                          "group.update",
                                          "group.delete",
                                          "group.add-members",
                                          "group.remove-members",
                                          "import",
                                          "request.open",
                                          "request.level",
                                          "request.update",
                                          "request.approve",
                                          "request.dismiss",
                                          "token.create",
                                          "token.revoke",
                                          "token.die",
                                          "workspace.plan",
                                          "workspace.login-case"};
    static const char *const texts[] = {
        MAX1,
        "status=active email=a@b name=\"q\\\"uote\" pii=yes grants=[source-admin on labels "
        "env:prod team:x; workspace-owner on all] groups=[\"a,b\",c]",
        "pii=no grants=[none] members=12",
        MAX0 "; asked: edit source checkout (revision 3)",
        "edit source checkout (revision 2): a message",
        "its owner 'max' was removed from the workspace",
        "3 members, 1 groups",
        "a,b,c",
        "invited",
        "\"\\",
        "name=\"",
        "grants=[[[[",
        "groups=[\"\\\"",
        "=== ;;; ,,, ]]] \"\"\"",
        "\xff\xfe\x01\x1b[31m\x7f\xc3",
        "\xe2\x82",
        "; asked: ",
        "its owner '",
        "x on ",
        "status=active email= name= pii=no grants=[ on ;  on labels ; a on labels b] groups=[,,]",
    };
    size_t i, j, n;
    unsigned long ndone = 0;

    for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        for (j = 0; j < sizeof(texts) / sizeof(texts[0]); j++) {
            size_t len = strlen(texts[j]);
            for (n = 0; n <= len; n++) {
                const char *cut = apr_pstrndup(pool, texts[j], n);
                const char *dotted = apr_pstrcat(pool, cut, "...", NULL);
                const char *pairs[4][2] = {
                    {cut, texts[j]}, {texts[j], cut}, {dotted, dotted}, {cut, ""}};
                int k;
                for (k = 0; k < 4; k++) {
                    iam_audit_t a = entry(n % 2 ? "console:o" : cut, actions[i],
                                          n % 3 ? "max" : cut, pairs[k][0], pairs[k][1]);
                    iam_audit_text_t t = described_sanely(&a);
                    iam_audit_filter_t f = {cut, cut, cut, cut, 0};
                    ck_assert_msg(t.known, "%s fell back on \"%s\"", actions[i], cut);
                    (void)iam_audit_match(pool, &a, &f);
                    ndone++;
                }
            }
            apr_pool_clear(pool);
        }
    }
    /* a damaged request whose words are long: cut, not carried whole */
    {
        char big[3001];
        iam_audit_t a;

        memset(big, 'x', 3000);
        big[3000] = '\0';
        a = entry("member:max", "request.open", "max", "",
                  apr_pstrcat(pool, big, " ", big, " ", big, " (revision 1): ", big, NULL));
        iam_audit_text_t t = described_sanely(&a);
        ck_assert_int_lt(strlen(t.sentence), 1000);
        ck_assert_int_lt(strlen(changes(&t)), 300);
    }
    /* and an entry with no fields at all */
    {
        iam_audit_t a = {0, 0, NULL, NULL, NULL, NULL, NULL};
        iam_audit_filter_t f = {"x", "y", "z", "grant", 0};
        iam_audit_text_t t = described_sanely(&a);
        ck_assert_int_eq(t.known, 0);
        ck_assert_int_eq(iam_audit_match(pool, &a, &f), 0);
        ck_assert_int_eq(iam_audit_match(pool, &a, NULL), 1);
    }
    ck_assert_uint_gt(ndone, 10000);
}
END_TEST

START_TEST(test_time_ago)
{
    const long long now = 1773326400; /* Thu 12 Mar 2026 14:40:00 UTC */
    static const struct {
        long long ago;
        const char *want;
    } cases[] = {
        {0, "just now"},
        {59, "just now"},
        {-60, "just now"}, /* a minute of clock skew */
        {-61, "12 Mar 2026"},
        {60, "1 minute ago"},
        {119, "1 minute ago"},
        {120, "2 minutes ago"},
        {3599, "59 minutes ago"},
        {3600, "1 hour ago"},
        {7199, "1 hour ago"},
        {7200, "2 hours ago"},
        {86399, "23 hours ago"},
        {86400, "yesterday"},
        {2 * 86400 - 1, "yesterday"},
        {2 * 86400, "2 days ago"},
        {7 * 86400 - 1, "6 days ago"},
        {7 * 86400, "5 Mar 2026"},
        {365 * 86400, "12 Mar 2025"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(!strcmp(iam_time_ago(pool, now - cases[i].ago, now), cases[i].want),
                      "%lld s ago: \"%s\", want \"%s\"", cases[i].ago,
                      iam_time_ago(pool, now - cases[i].ago, now), cases[i].want);
    ck_assert_str_eq(iam_time_ago(pool, 0, now), "1 Jan 1970");
    /* times no calendar holds, and differences that overflow */
    ck_assert_str_eq(iam_time_ago(pool, LLONG_MIN, now), "at an unknown time");
    ck_assert_str_eq(iam_time_ago(pool, LLONG_MAX, now), "at an unknown time");
    ck_assert_str_eq(iam_time_ago(pool, now, LLONG_MIN), "12 Mar 2026");
    ck_assert_str_eq(iam_time_ago(pool, -86400, LLONG_MAX), "31 Dec 1969");
    ck_assert_str_eq(iam_time_exact(pool, now + 19), "Thu 12 Mar 2026 14:40:19 UTC");
    ck_assert_str_eq(iam_time_exact(pool, 0), "");
    ck_assert_str_eq(iam_time_exact(pool, LLONG_MAX), "");
}
END_TEST

/* Names the store quotes read back exactly, from a real store. */
START_TEST(test_store_quotes_names)
{
    iam_member_spec_t ms = {"max", NULL, "Max \"the = sign\" [M]", IAM_ACTIVE, -1, NULL, NULL};
    apr_array_header_t *list, *groups = apr_array_make(pool, 2, sizeof(const char *));
    iam_audit_text_t t;

    OK(iam_store_member_add(st, "console:olivia", "olivia", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "max", NULL, "Max", IAM_ACTIVE, 0, &ierr));
    OK(iam_store_group_create(st, "console:olivia", "a, b", &ierr));
    OK(iam_store_group_create(st, "console:olivia", "c]\"", &ierr));
    APR_ARRAY_PUSH(groups, const char *) = "a, b";
    APR_ARRAY_PUSH(groups, const char *) = "c]\"";
    ms.groups = groups;
    OK(iam_store_member_put(st, "console:olivia", &ms, 0, &ierr));
    OK(iam_store_audit_list(st, pool, 0, 1, &list, &ierr));
    t = describe(APR_ARRAY_IDX(list, 0, iam_audit_t *));
    ck_assert_str_eq(changes(&t), "name: Max → Max \"the = sign\" [M]\n"
                                  "groups: + a, b, c]\"");
    ck_assert_str_eq(t.sentence, "olivia changed the name and groups of max");
}
END_TEST

/* Adds this file's tests to the suite's TCases. */
void att_add_reading(TCase *tc_words, TCase *tc_trail)
{
    tcase_add_test(tc_words, test_diff_member);
    tcase_add_test(tc_words, test_diff_group);
    tcase_add_test(tc_words, test_folding);
    tcase_add_test(tc_words, test_quoted_and_older_names);
    tcase_add_test(tc_words, test_clipped_texts);
    tcase_add_test(tc_words, test_hostile_texts);
    tcase_add_test(tc_words, test_time_ago);
    tcase_add_test(tc_trail, test_store_quotes_names);
}
