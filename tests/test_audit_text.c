/* mod_iam tests: the audit trail in words (iam_audit_text.h), driven by
 * entries written as the store writes them, by real operations on a real
 * store, and by damaged and cut texts; and the store's filtered trail
 * (iam_store_audit_query), on real trails. */
#include "iam_audit_text.h"
#include "iam_store.h"
#include "iam_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_MAPSIZE ((size_t)64 << 20)

static apr_pool_t *pool;
static iam_roles_t roles;

/* ---- fixtures ---- */

static void pure_setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    iam_roles_init(&roles);
    ck_assert_ptr_null(iam_roles_add(&roles, "Dashboard Viewer", "dashboard-viewer", "dashboard",
                                     IAM_LEVEL_READ, 0));
}

static void pure_teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

static char *tmp_dir;
static iam_store_t *st;
static iam_err_t ierr;

static void store_setup(void)
{
    pure_setup();
    tmp_dir = iam_test_tmpdir("audit");
    memset(&ierr, 0, sizeof(ierr));
    ck_assert_msg(iam_store_open(&st, apr_pstrcat(pool, tmp_dir, "/store", NULL), TEST_MAPSIZE,
                                 IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr) == IAM_OK,
                  "open: %s", ierr.msg);
}

static void store_teardown(void)
{
    pure_teardown(); /* closes the store with its pool */
    iam_test_rmtree(tmp_dir);
    free(tmp_dir);
}

/* ---- helpers ---- */

#define OK(call)                                                                                   \
    do {                                                                                           \
        iam_status_e got_;                                                                         \
        memset(&ierr, 0, sizeof(ierr));                                                            \
        got_ = (call);                                                                             \
        ck_assert_msg(got_ == IAM_OK, "%s -> %s (%s)", #call, iam_status_str(got_), ierr.msg);     \
    } while (0)

#define ITEMS(...) ((const char *[]){__VA_ARGS__, NULL})

static iam_grant_t grant_of(const char *role, iam_scope_e scope, const char **items)
{
    iam_grant_t g = {role, scope, 0, items};

    while (items && items[g.nitems])
        g.nitems++;
    return g;
}

static iam_audit_t entry(const char *actor, const char *action, const char *target,
                         const char *before, const char *after)
{
    iam_audit_t a = {1, 1700000000, actor, action, target, before, after};
    return a;
}

static iam_audit_text_t describe(const iam_audit_t *a)
{
    iam_audit_text_t t;

    iam_audit_describe(pool, &roles, a, NULL, NULL, &t);
    return t;
}

static const char *sentence(const char *actor, const char *action, const char *target,
                            const char *before, const char *after)
{
    iam_audit_t a = entry(actor, action, target, before, after);
    return describe(&a).sentence;
}

/* The changes, one per line. */
static const char *changes(const iam_audit_text_t *t)
{
    return apr_array_pstrcat(pool, t->changes, '\n');
}

static const char *changes_of(const char *action, const char *target, const char *before,
                              const char *after)
{
    iam_audit_t a = entry("console:olivia", action, target, before, after);
    iam_audit_text_t t = describe(&a);
    return changes(&t);
}

/* Valid UTF-8 with no control character. */
static int clean_text(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        int n = *u < 0x80             ? 1
                : (*u & 0xe0) == 0xc0 ? 2
                : (*u & 0xf0) == 0xe0 ? 3
                : (*u & 0xf8) == 0xf0 ? 4
                                      : 0;
        int i;
        if (!n || (n == 1 && (*u < 0x20 || *u == 0x7f)))
            return 0;
        for (i = 1; i < n; i++) {
            if ((u[i] & 0xc0) != 0x80)
                return 0;
        }
        u += n;
    }
    return 1;
}

/* Describes a and checks what any entry must give. */
static iam_audit_text_t described_sanely(const iam_audit_t *a)
{
    iam_audit_text_t t = describe(a);
    int i;

    ck_assert_ptr_nonnull(t.sentence);
    ck_assert_msg(*t.sentence, "an empty sentence for %s", a->action ? a->action : "(null)");
    ck_assert_msg(clean_text(t.sentence), "not clean: %s", t.sentence);
    ck_assert_ptr_nonnull(t.kind);
    for (i = 0; i < t.changes->nelts; i++)
        ck_assert_msg(clean_text(APR_ARRAY_IDX(t.changes, i, const char *)), "not clean: %s",
                      APR_ARRAY_IDX(t.changes, i, const char *));
    return t;
}

#define MAX0 "status=active email=max@example.com name=Max pii=no grants=[none] groups=[]"
#define MAX1                                                                                       \
    "status=active email=max@example.com name=Max Mustermann pii=no grants=[source-admin on "      \
    "checkout web] groups=[analysts]"

/* ---- sentences, from entries as the store writes them ---- */

START_TEST(test_sentence_of_each_action)
{
    static const struct {
        const char *actor, *action, *target, *before, *after, *want;
    } cases[] = {
        {"console:olivia", "member.add", "max", "", MAX0, "olivia added max"},
        {"iamctl:root", "member.add", "olivia", "",
         "status=active email= name= pii=no grants=[workspace-owner on all] groups=[]",
         "root (iamctl) added olivia as a Workspace Owner"},
        {"api:olivia", "member.invite", "max@example.com", "",
         "status=invited email=max@example.com name= pii=no grants=[none] groups=[]",
         "olivia (API) invited max@example.com"},
        {"console:olivia", "member.update", "max", MAX0, MAX1,
         "olivia changed the name, grants and groups of max"},
        {"console:olivia", "member.remove", "max", MAX1, "", "olivia removed max"},
        {"system", "member.activate", "max", "invited", "active",
         "max signed in and accepted the invitation"},
        {"system", "member.activate", "max",
         "status=invited email=max@example.com name= pii=no grants=[none] groups=[]",
         "status=active email=max@example.com name=Max pii=no grants=[none] groups=[]",
         "max signed in and accepted the invitation for max@example.com"},
        {"system", "member.provision", "nina", "",
         "status=active email=nina@corp.example name=Nina New pii=no grants=[none] groups=[]",
         "nina signed in for the first time and joined the workspace"},
        {"server", "owner.bootstrap", "olivia", "",
         "status=active email= name= pii=no grants=[workspace-owner on all] groups=[]",
         "olivia became the first Workspace Owner (IAMBootstrapOwner)"},
        {"console:olivia", "grant", "max", MAX0,
         "status=active email=max@example.com name=Max pii=no grants=[source-admin on checkout "
         "web] groups=[]",
         "olivia gave max Source Admin on checkout, web"},
        {"console:olivia", "grant", "max", MAX0,
         "status=active email=max@example.com name=Max pii=no grants=[workspace-owner on all] "
         "groups=[]",
         "olivia made max a Workspace Owner"},
        {"iamctl:root", "revoke", "max", MAX1,
         "status=active email=max@example.com name=Max Mustermann pii=no grants=[source-admin on "
         "checkout] groups=[analysts]",
         "root (iamctl) revoked Source Admin on web from max"},
        {"console:olivia", "grant", "group:analysts", "pii=no grants=[none] members=3",
         "pii=no grants=[personas-read-only on labels env:prod team:x] members=3",
         "olivia gave the group analysts Personas Read-only on labels env:prod and team:x"},
        {"console:olivia", "revoke", "group:analysts",
         "pii=no grants=[warehouse-read-only on all] members=3", "pii=no grants=[none] members=3",
         "olivia revoked Warehouse Read-only on all from the group analysts"},
        {"console:olivia", "group.create", "group:analysts", "", "pii=no grants=[none] members=0",
         "olivia created the group analysts"},
        {"console:olivia", "group.update", "group:analysts", "pii=no grants=[none] members=3",
         "pii=yes grants=[none] members=5",
         "olivia changed the access to personal data and members of the group analysts"},
        {"console:olivia", "group.delete", "group:analysts", "pii=no grants=[none] members=3", "",
         "olivia deleted the group analysts"},
        {"console:olivia", "group.add-members", "group:analysts", "", "max",
         "olivia added max to analysts"},
        {"console:olivia", "group.add-members", "group:analysts", "", "max,anna,tom",
         "olivia added max, anna and tom to analysts"},
        {"console:olivia", "group.remove-members", "group:analysts", "", "max,anna,tom,zoe",
         "olivia removed 4 members from analysts"},
        {"iamctl:root", "import", "", "", "600 members, 12 groups",
         "root (iamctl) imported 600 members and 12 groups"},
        {"iamctl:root", "import", "", "", "1 members, 1 groups",
         "root (iamctl) imported 1 member and 1 group"},
        {"member:max", "request.open", "max", "",
         "edit source checkout (revision 1): I fix its build",
         "max asked for edit access to source checkout"},
        {"member:max", "request.open", "max", "", "read warehouse * (revision 1): ",
         "max asked for read access to the warehouse collection"},
        {"member:max", "request.open", "max", "",
         "admin console * (revision 1): ", "max asked for admin access to the workspace console"},
        {"member:max", "request.level", "max", "edit source checkout (revision 1)",
         "admin source checkout (revision 2): ",
         "max now asks for admin access to source checkout"},
        {"member:max", "request.update", "max", "edit source checkout (revision 2)",
         "edit source checkout (revision 3): please",
         "max changed the message of their request for edit access to source checkout"},
        {"console:olivia", "request.dismiss", "max", "edit source checkout (revision 1)", "",
         "olivia dismissed the request of max for edit access to source checkout"},
        {"console:olivia", "request.approve", "max",
         MAX0 "; asked: edit source checkout (revision 3)",
         "status=active email=max@example.com name=Max pii=no grants=[source-admin on checkout] "
         "groups=[]",
         "olivia approved the request of max for edit access to source checkout"},
        {"console:olivia", "token.create", "tok_0123456789ab", "", "nightly sync",
         "olivia created the API token tok_0123456789ab"},
        {"token:tok_0123456789ab", "token.revoke", "tok_0123456789ab", "", "",
         "API token tok_0123456789ab revoked the API token tok_0123456789ab"},
        {"console:olivia", "token.die", "tok_0123456789ab", "",
         "its owner 'max' was removed from the workspace",
         "The API token tok_0123456789ab stopped working: its owner 'max' was removed from the "
         "workspace"},
        {"server", "workspace.plan", "", "team", "business",
         "The server changed the plan to business"},
        {"server", "workspace.login-case", "", "exact", "fold",
         "The server made logins match in any case"},
        {"server", "workspace.login-case", "", "fold", "exact",
         "The server made logins match exactly, case and all"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        iam_audit_t a = entry(cases[i].actor, cases[i].action, cases[i].target, cases[i].before,
                              cases[i].after);
        iam_audit_text_t t = described_sanely(&a);
        ck_assert_msg(t.known, "%s: not known", cases[i].action);
        ck_assert_msg(!strcmp(t.sentence, cases[i].want), "%s: \"%s\", want \"%s\"",
                      cases[i].action, t.sentence, cases[i].want);
    }
}
END_TEST

/* What an entry is about, for the console's links and filters. */
START_TEST(test_kind_member_group)
{
    iam_audit_t a = entry("console:olivia", "group.add-members", "group:analysts", "", "max");
    iam_audit_text_t t = describe(&a);

    ck_assert_str_eq(t.kind, "group");
    ck_assert_str_eq(t.group, "analysts");
    ck_assert_str_eq(t.member, "max");
    ck_assert_str_eq(t.actor, "olivia");
    ck_assert_str_eq(t.via, "console");
    a = entry("console:olivia", "group.add-members", "group:analysts", "", "max,anna");
    ck_assert_ptr_null(describe(&a).member);
    a = entry("api:olivia", "grant", "max", MAX0, MAX1);
    t = describe(&a);
    ck_assert_str_eq(t.kind, "grant");
    ck_assert_str_eq(t.member, "max");
    ck_assert_ptr_null(t.group);
    ck_assert_str_eq(t.via, "API");
    a = entry("console:olivia", "grant", "group:eng", "pii=no grants=[none] members=1",
              "pii=no grants=[warehouse-admin on all] members=1");
    t = describe(&a);
    ck_assert_str_eq(t.group, "eng");
    ck_assert_ptr_null(t.member);
    a = entry("member:max", "request.open", "max", "", "read source web (revision 1): ");
    t = describe(&a);
    ck_assert_str_eq(t.kind, "request");
    ck_assert_str_eq(t.member, "max");
    ck_assert_str_eq(t.via, "access request");
    a = entry("system", "token.die", "tok_1", "",
              "its owner 'o'neil' is no longer a Workspace Owner");
    t = describe(&a);
    ck_assert_str_eq(t.kind, "token");
    ck_assert_str_eq(t.member, "o'neil");
    ck_assert_ptr_null(t.actor);
    ck_assert_ptr_null(t.via);
    a = entry("server", "workspace.plan", "", "free", "team");
    ck_assert_str_eq(describe(&a).kind, "workspace");
    ck_assert_str_eq(iam_audit_kind("member.update"), "member");
    ck_assert_str_eq(iam_audit_kind("owner.bootstrap"), "grant");
    ck_assert_str_eq(iam_audit_kind("import"), "workspace");
    ck_assert_str_eq(iam_audit_kind("member.frobnicate"), "other");
    ck_assert_str_eq(iam_audit_kind(NULL), "other");
}
END_TEST

/* Who did it: the login stays visible, the door is said when not the
 * console; a caller that knows names passes them. */
static const char *test_names(void *ctx, const char *login)
{
    (void)ctx;
    return !strcmp(login, "olivia") ? "Olivia" : !strcmp(login, "max") ? "Max" : NULL;
}

START_TEST(test_actors)
{
    iam_audit_t a = entry("console:olivia", "group.add-members", "group:analysts", "", "max,nina");
    iam_audit_text_t t;

    iam_audit_describe(pool, &roles, &a, test_names, NULL, &t);
    ck_assert_str_eq(t.sentence, "Olivia added Max and nina to analysts");
    ck_assert_str_eq(t.actor, "olivia"); /* the login, for links */
    ck_assert_str_eq(
        sentence("iamctl:root", "group.create", "group:x", "", "pii=no grants=[none] members=0"),
        "root (iamctl) created the group x");
    ck_assert_str_eq(sentence("scim:okta", "group.create", "group:x", "", ""),
                     "okta (scim) created the group x");
    ck_assert_str_eq(sentence("", "group.create", "group:x", "", ""),
                     "Someone created the group x");
    ck_assert_str_eq(sentence("weird", "group.create", "group:x", "", ""),
                     "weird created the group x");
    ck_assert_str_eq(sentence(":", "group.create", "group:x", "", ""), ": created the group x");
    ck_assert_str_eq(sentence("system", "frob", "x", "", ""), "mod_iam: frob on x");
    /* an action this release does not know: the generic form */
    a = entry("console:olivia", "member.teleport", "max", "a", "b");
    t = describe(&a);
    ck_assert_int_eq(t.known, 0);
    ck_assert_str_eq(t.sentence, "olivia: member.teleport on max");
    ck_assert_str_eq(t.kind, "other");
    ck_assert_str_eq(sentence("server", "workspace.moon", "", "", ""),
                     "The server: workspace.moon");
}
END_TEST

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

/* The store's sources (the .c files of mod_iam/store/), one after the other. */
static char *store_sources(void)
{
    DIR *dir = opendir("mod_iam/store");
    struct dirent *e;
    char *all = strdup(""), *path, *one, *both;

    while (dir && (e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c"))
            continue;
        path = xprintf("mod_iam/store/%s", e->d_name);
        one = iam_test_slurp(path);
        both = xprintf("%s%s", all, one);
        free(path);
        free(all);
        free(one);
        all = both;
    }
    if (dir)
        closedir(dir);
    return all;
}

/* Every action literal in the store's audit calls (and save_holder's) has
 * words: a new action without a sentence fails here. */
START_TEST(test_store_actions_all_known)
{
    char *src = store_sources(), *s;
    int found = 0;

    ck_assert_msg(strlen(src) > 1000, "run from the source tree: mod_iam/store/ not found");
    for (s = src; (s = strstr(s, "audit(t,")) != NULL;) {
        int depth = 0;
        char *q;
        s += 8;
        /* the first argument: up to its comma at depth 0 */
        for (q = s; *q && !(depth == 0 && *q == ','); q++) {
            depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
            if (*q == '"') {
                char *end = strchr(q + 1, '"');
                char *lit = strndup(q + 1, (size_t)(end - q - 1));
                ck_assert_msg(strcmp(iam_audit_kind(lit), "other"),
                              "the store audits \"%s\": no words", lit);
                free(lit);
                found++;
                q = end;
            }
        }
    }
    for (s = src; (s = strstr(s, "save_holder(t, &h, \"")); s++) {
        char *lit = strndup(s + 20, strcspn(s + 20, "\""));
        ck_assert_msg(strcmp(iam_audit_kind(lit), "other"), "the store audits \"%s\": no words",
                      lit);
        free(lit);
        found++;
    }
    ck_assert_int_ge(found, 25);
    free(src);
}
END_TEST

/* ---- a real store ---- */

static apr_array_header_t *trail(void)
{
    apr_array_header_t *list;

    OK(iam_store_audit_list(st, pool, 0, 0, &list, &ierr));
    return list;
}

static const char *said(const apr_array_header_t *list, const char *action, int nth)
{
    int i;

    for (i = list->nelts - 1; i >= 0; i--) { /* oldest first */
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        if (!strcmp(a->action, action) && nth-- == 0)
            return describe(a).sentence;
    }
    return "(none)";
}

/* Every action the store writes, by real operations; each entry reads as a
 * sentence of its own, none as the generic form. */
START_TEST(test_every_action_has_words)
{
    iam_member_t *imp = apr_pcalloc(pool, sizeof(*imp));
    apr_array_header_t *members = apr_array_make(pool, 1, sizeof(iam_member_t *));
    apr_array_header_t *groups = apr_array_make(pool, 1, sizeof(iam_group_t *));
    apr_array_header_t *grants = apr_array_make(pool, 2, sizeof(iam_grant_t)), *list;
    iam_grant_t src = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout", "web"));
    iam_grant_t web = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t wh = grant_of("warehouse-read-only", IAM_SCOPE_ALL, NULL);
    iam_grant_t owner = grant_of("workspace-owner", IAM_SCOPE_ALL, NULL);
    iam_request_t q = {"max", "source", "billing", "/src/billing", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_approval_t ap = {"max", "source", "billing", 2, NULL, IAM_APPROVE_AUTO, 0};
    iam_member_spec_t ms = {"max", NULL, "Max Mustermann", IAM_ACTIVE, -1, NULL, NULL};
    iam_group_spec_t gs = {"analysts", 1, NULL, NULL};
    iam_request_change_e change;
    iam_arrive_e what;
    iam_token_t *tk;
    const char *token, *seen;
    int made, i;
    static const char *const want[] = {"import",
                                       "workspace.plan",
                                       "workspace.login-case",
                                       "owner.bootstrap",
                                       "member.add",
                                       "member.invite",
                                       "member.update",
                                       "member.remove",
                                       "member.activate",
                                       "member.provision",
                                       "grant",
                                       "revoke",
                                       "group.create",
                                       "group.update",
                                       "group.delete",
                                       "group.add-members",
                                       "group.remove-members",
                                       "request.open",
                                       "request.level",
                                       "request.approve",
                                       "request.dismiss",
                                       "token.create",
                                       "token.revoke",
                                       "token.die"};

    /* import first: it wants an empty store */
    imp->login = "olivia";
    imp->email = "olivia@example.com";
    imp->name = "Olivia";
    imp->grants = apr_array_make(pool, 1, sizeof(iam_grant_t));
    imp->groups = apr_array_make(pool, 1, sizeof(const char *));
    *(iam_grant_t *)apr_array_push(imp->grants) = owner;
    APR_ARRAY_PUSH(members, iam_member_t *) = imp;
    OK(iam_store_import(st, "iamctl:root", IAM_PLAN_BUSINESS, members, groups, &ierr));
    OK(iam_store_set_plan(st, "iamctl:root", IAM_PLAN_TEAM, 0, &ierr));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 1, &ierr));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "max", "max@example.com", "Max", IAM_ACTIVE, 0,
                            &ierr));
    OK(iam_store_member_add(st, "console:olivia", "pat@corp.example", "pat@corp.example", NULL,
                            IAM_INVITED, 0, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "inv", "inv@corp.example", NULL, IAM_INVITED, 0,
                            &ierr));
    OK(iam_store_member_activate(st, "inv", &ierr));
    OK(iam_store_member_arrive(st, "pat", "pat@corp.example", "Pat", 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    OK(iam_store_member_arrive(st, "nina", "nina@corp.example", "Nina New", 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_PROVISIONED);
    OK(iam_store_member_put(st, "api:olivia", &ms, 0, &ierr));
    OK(iam_store_grant(st, "console:olivia", 0, "max", &src, &ierr));
    OK(iam_store_revoke(st, "iamctl:root", 0, "max", &web, 0, &ierr));
    OK(iam_store_group_create(st, "console:olivia", "analysts", &ierr));
    OK(iam_store_group_members(st, "console:olivia", "analysts", 1, ITEMS("max", "nina", "pat"), 3,
                               &ierr));
    OK(iam_store_group_members(st, "console:olivia", "analysts", 0, ITEMS("pat"), 1, &ierr));
    OK(iam_store_grant(st, "console:olivia", 1, "analysts", &wh, &ierr));
    *(iam_grant_t *)apr_array_push(grants) = wh;
    gs.grants = grants;
    OK(iam_store_group_put(st, "console:olivia", &gs, 0, &ierr));
    OK(iam_store_group_create(st, "console:olivia", "old", &ierr));
    OK(iam_store_group_delete(st, "console:olivia", "old", &ierr));
    /* requests */
    OK(iam_store_request_put(st, "member:max", &q, 10, &change, &ierr));
    q.level = IAM_LEVEL_EDIT;
    OK(iam_store_request_put(st, "member:max", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_LEVEL);
    OK(iam_store_request_approve(st, "console:olivia", &ap, NULL, NULL, &ierr));
    q.login = "nina";
    q.type = "warehouse";
    q.name = "*";
    OK(iam_store_request_put(st, "member:nina", &q, 10, &change, &ierr));
    OK(iam_store_request_dismiss(st, "console:olivia", "nina", "warehouse", "*", NULL, NULL,
                                 &ierr));
    /* a request a grant answers; that grant edited in place */
    {
        iam_grant_t to_web = {"source-read-only", IAM_SCOPE_RESOURCES, 1,
                              (const char *[]){"web", NULL}};
        iam_grant_t to_ios = {"source-read-only", IAM_SCOPE_RESOURCES, 1,
                              (const char *[]){"ios", NULL}};
        q.type = "source";
        q.name = "web";
        q.level = IAM_LEVEL_READ;
        OK(iam_store_request_put(st, "member:nina", &q, 10, &change, &ierr));
        OK(iam_store_grant(st, "console:olivia", 0, "nina", &to_web, &ierr));
        OK(iam_store_grant_edit(st, "console:olivia", 0, "nina", &to_web, &to_ios, &ierr));
    }
    {
        /* narrowed: one resource dropped, the other kept */
        iam_grant_t both = {"source-admin", IAM_SCOPE_RESOURCES, 2,
                            (const char *[]){"checkout", "web", NULL}};
        iam_grant_t kept = {"source-admin", IAM_SCOPE_RESOURCES, 1, (const char *[]){"web", NULL}};
        OK(iam_store_grant(st, "console:olivia", 0, "nina", &both, &ierr));
        OK(iam_store_grant_edit(st, "console:olivia", 0, "nina", &both, &kept, &ierr));
    }
    /* tokens: one revoked, one dead with its owner's authority */
    OK(iam_store_member_add(st, "console:olivia", "oscar", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_token_create(st, "console:olivia", "olivia", "nightly sync", pool, &token, &tk,
                              &ierr));
    OK(iam_store_token_revoke(st, "console:olivia", tk->id, &ierr));
    OK(iam_store_token_create(st, "console:oscar", "oscar", "deploys", pool, &token, &tk, &ierr));
    OK(iam_store_member_remove(st, "console:olivia", "oscar", &ierr));
    /* the first owner: from a store that has none */
    {
        iam_store_t *st2;
        apr_array_header_t *l2;
        OK(iam_store_open(&st2, apr_pstrcat(pool, tmp_dir, "/boot", NULL), TEST_MAPSIZE,
                          IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
        OK(iam_store_bootstrap_owner(st2, "olivia", &made, &ierr));
        ck_assert_int_eq(made, 1);
        OK(iam_store_audit_list(st2, pool, 0, 0, &l2, &ierr));
        ck_assert_int_eq(l2->nelts, 1);
        list = trail();
        APR_ARRAY_PUSH(list, iam_audit_t *) = APR_ARRAY_IDX(l2, 0, iam_audit_t *);
    }

    for (i = 0; i < list->nelts; i++) {
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        iam_audit_text_t t = described_sanely(a);
        ck_assert_msg(t.known, "%s: \"%s\" is the generic form", a->action, t.sentence);
        ck_assert_msg(!has(t.sentence, apr_pstrcat(pool, ": ", a->action, NULL)),
                      "%s: \"%s\" is the generic form", a->action, t.sentence);
    }
    for (i = 0; i < (int)(sizeof(want) / sizeof(want[0])); i++)
        ck_assert_msg(strcmp(said(list, want[i], 0), "(none)"), "no %s written", want[i]);

    ck_assert_str_eq(said(list, "import", 0), "root (iamctl) imported 1 member and 0 groups");
    ck_assert_str_eq(said(list, "workspace.plan", 0), "root (iamctl) changed the plan to team");
    ck_assert_str_eq(said(list, "workspace.plan", 1), "The server changed the plan to business");
    ck_assert_str_eq(said(list, "workspace.login-case", 0),
                     "The server made logins match in any case");
    ck_assert_str_eq(said(list, "owner.bootstrap", 0),
                     "olivia became the first Workspace Owner (IAMBootstrapOwner)");
    ck_assert_str_eq(said(list, "member.add", 0), "olivia added max");
    ck_assert_str_eq(said(list, "member.invite", 0), "olivia invited pat@corp.example");
    ck_assert_str_eq(said(list, "member.activate", 0), "inv signed in and accepted the invitation");
    ck_assert_str_eq(said(list, "member.activate", 1),
                     "pat signed in and accepted the invitation for pat@corp.example");
    ck_assert_str_eq(said(list, "member.provision", 0),
                     "nina signed in for the first time and joined the workspace");
    ck_assert_str_eq(said(list, "member.update", 0), "olivia (API) changed the name of max");
    ck_assert_str_eq(said(list, "grant", 0), "olivia gave max Source Admin on checkout, web");
    ck_assert_str_eq(said(list, "revoke", 0), "root (iamctl) revoked Source Admin on web from max");
    ck_assert_str_eq(said(list, "group.create", 0), "olivia created the group analysts");
    ck_assert_str_eq(said(list, "group.add-members", 0),
                     "olivia added max, nina and pat to analysts");
    ck_assert_str_eq(said(list, "group.remove-members", 0), "olivia removed pat from analysts");
    ck_assert_str_eq(said(list, "grant", 1),
                     "olivia gave the group analysts Warehouse Read-only on all");
    ck_assert_str_eq(said(list, "group.update", 0),
                     "olivia changed the access to personal data of the group analysts");
    ck_assert_str_eq(said(list, "group.delete", 0), "olivia deleted the group old");
    ck_assert_str_eq(said(list, "request.open", 0), "max asked for read access to source billing");
    ck_assert_str_eq(said(list, "request.level", 0),
                     "max now asks for edit access to source billing");
    ck_assert_str_eq(said(list, "request.approve", 0),
                     "olivia approved the request of max for edit access to source billing");
    ck_assert_str_eq(said(list, "request.granted", 0),
                     "A change by olivia gave nina the read access to source web they had asked "
                     "for");
    ck_assert_str_eq(said(list, "grant.edit", 0),
                     "olivia changed Source Read-only on web of nina to Source Read-only on ios");
    ck_assert_str_eq(said(list, "grant.edit", 1),
                     "olivia edited a grant of nina: no longer Source Admin on checkout");
    ck_assert_str_eq(said(list, "request.open", 1),
                     "nina asked for edit access to the warehouse collection");
    ck_assert_str_eq(said(list, "request.dismiss", 0),
                     "olivia dismissed the request of nina for edit access to the warehouse "
                     "collection");
    seen = said(list, "token.create", 0);
    ck_assert_msg(!strncmp(seen, "olivia created the API token tok_", 33), "%s", seen);
    ck_assert_msg(has(said(list, "token.revoke", 0), "olivia revoked the API token tok_"), "%s",
                  said(list, "token.revoke", 0));
    seen = said(list, "token.die", 0);
    ck_assert_msg(has(seen, "stopped working: its owner 'oscar' was removed from the workspace"),
                  "%s", seen);
    ck_assert_str_eq(said(list, "member.remove", 0), "olivia removed oscar");
    /* and the approval's changes: the grant it gave */
    for (i = 0; i < list->nelts; i++) {
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        if (!strcmp(a->action, "request.approve")) {
            iam_audit_text_t t = describe(a);
            ck_assert_str_eq(changes(&t), "grants: + Source Admin on billing");
        }
    }
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

/* ---- the suite ---- */

Suite *suite_audit_text(void)
{
    Suite *s = suite_create("audit_text");
    TCase *tc;

    tc = tcase_create("words");
    tcase_add_checked_fixture(tc, pure_setup, pure_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_PURE);
    tcase_add_test(tc, test_sentence_of_each_action);
    tcase_add_test(tc, test_kind_member_group);
    tcase_add_test(tc, test_actors);
    tcase_add_test(tc, test_diff_member);
    tcase_add_test(tc, test_diff_group);
    tcase_add_test(tc, test_folding);
    tcase_add_test(tc, test_quoted_and_older_names);
    tcase_add_test(tc, test_clipped_texts);
    tcase_add_test(tc, test_hostile_texts);
    tcase_add_test(tc, test_time_ago);
    tcase_add_test(tc, test_match_raw);
    tcase_add_test(tc, test_store_actions_all_known);
    suite_add_tcase(s, tc);

    tc = tcase_create("trail");
    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    tcase_add_test(tc, test_every_action_has_words);
    tcase_add_test(tc, test_store_quotes_names);
    tcase_add_test(tc, test_query_filters);
    tcase_add_test(tc, test_group_put_names_members);
    tcase_add_test(tc, test_query_scan_bound);
    tcase_add_test(tc, test_query_default_bound);
    suite_add_tcase(s, tc);

    return s;
}
