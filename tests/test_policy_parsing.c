/* mod_iam tests, suite "policy": parsing and syntax. The names of levels,
 * plans and scopes, store sizes, and the syntax checks of logins, group
 * names, resource types and names, labels, emails and free text.
 */
#include "policy_test.h"

#include <stdio.h>
#include <string.h>

/* ================================================================ names */

START_TEST(names_levels)
{
    static const struct {
        const char *s;
        int ok;
        iam_level_e level;
    } cases[] = {
        {"read", 1, READ},   {"edit", 1, EDIT}, {"admin", 1, ADMIN}, {"READ", 1, READ},
        {"Admin", 1, ADMIN}, {"none", 0, 0},    {"", 0, 0},          {"write", 0, 0},
        {"reader", 0, 0},    {"read ", 0, 0},   {"owner", 0, 0},
    };
    iam_level_e level;
    int i;

    for (i = 0; i < N(cases); i++) {
        level = (iam_level_e)99;
        ck_assert_msg((iam_level_parse(cases[i].s, &level) == 0) == cases[i].ok,
                      "level '%s': want %s", cases[i].s, cases[i].ok ? "ok" : "refused");
        if (cases[i].ok)
            ck_assert_int_eq(level, cases[i].level);
    }
    ck_assert_int_eq(iam_level_parse(NULL, &level), -1);
    ck_assert_str_eq(iam_level_name(READ), "read");
    ck_assert_str_eq(iam_level_name(EDIT), "edit");
    ck_assert_str_eq(iam_level_name(ADMIN), "admin");
    ck_assert_ptr_nonnull(iam_level_name((iam_level_e)42));
    /* Ordered read < edit < admin. */
    ck_assert_int_lt(IAM_LEVEL_NONE, READ);
    ck_assert_int_lt(READ, EDIT);
    ck_assert_int_lt(EDIT, ADMIN);
}
END_TEST

START_TEST(names_plans_and_scopes)
{
    static const struct {
        const char *s;
        int ok;
        iam_plan_e plan;
    } cases[] = {
        {"free", 1, FREE},
        {"team", 1, TEAM},
        {"business", 1, BUSINESS},
        {"TEAM", 1, TEAM},
        {"Business", 1, BUSINESS},
        {"enterprise", 0, 0},
        {"", 0, 0},
        {"tea", 0, 0},
    };
    iam_plan_e plan;
    int i;

    for (i = 0; i < N(cases); i++) {
        plan = (iam_plan_e)99;
        ck_assert_msg((iam_plan_parse(cases[i].s, &plan) == 0) == cases[i].ok, "plan '%s': want %s",
                      cases[i].s, cases[i].ok ? "ok" : "refused");
        if (cases[i].ok)
            ck_assert_int_eq(plan, cases[i].plan);
    }
    ck_assert_int_eq(iam_plan_parse(NULL, &plan), -1);
    ck_assert_str_eq(iam_plan_name(FREE), "free");
    ck_assert_str_eq(iam_plan_name(TEAM), "team");
    ck_assert_str_eq(iam_plan_name(BUSINESS), "business");
    ck_assert_str_eq(iam_scope_name(IAM_SCOPE_ALL), "all");
    ck_assert_str_eq(iam_scope_name(IAM_SCOPE_RESOURCES), "resources");
    ck_assert_str_eq(iam_scope_name(IAM_SCOPE_LABELS), "labels");
    ck_assert_ptr_nonnull(iam_plan_name((iam_plan_e)7));
    ck_assert_ptr_nonnull(iam_scope_name((iam_scope_e)7));
}
END_TEST

START_TEST(names_sizes)
{
    static const struct {
        const char *s;
        int ok;
        size_t bytes;
    } cases[] = {
        {"1G", 1, (size_t)1 << 30},
        {"64M", 1, (size_t)64 << 20},
        {"64m", 1, (size_t)64 << 20},
        {"1048576", 1, (size_t)1 << 20}, /* 1 MiB: the least */
        {"1024K", 1, (size_t)1 << 20},
        {"1T", 1, (size_t)1 << 40}, /* 1 TiB: the most */
        {"1024G", 1, (size_t)1 << 40},
        {"1099511627776", 1, (size_t)1 << 40},
        {"512K", 0, 0},    /* below 1 MiB */
        {"1048575", 0, 0}, /* below 1 MiB */
        {"2T", 0, 0},      /* above 1 TiB */
        {"1025G", 0, 0},
        {"1099511627777", 0, 0},
        {"0", 0, 0},
        {"0M", 0, 0},
        {"abc", 0, 0},
        {"1X", 0, 0},
        {"1GB", 0, 0},
        {"1.5G", 0, 0},
        {"-1G", 0, 0},
        {" 1G", 0, 0},
        {"1 G", 0, 0},
        {"", 0, 0},
        {"M", 0, 0},
        {"99999999999999999999999", 0, 0},
        {"18446744073709551615", 0, 0},
        {"17179869184T", 0, 0}, /* overflows n * mult */
    };
    size_t out;
    int i;

    for (i = 0; i < N(cases); i++) {
        out = 12345;
        ck_assert_msg((iam_parse_size(cases[i].s, &out) == 0) == cases[i].ok, "size '%s': want %s",
                      cases[i].s, cases[i].ok ? "ok" : "refused");
        if (cases[i].ok)
            ck_assert_msg(out == cases[i].bytes, "size '%s': want %zu, got %zu", cases[i].s,
                          cases[i].bytes, out);
        else
            ck_assert_msg(out == 12345, "size '%s': refused but wrote %zu", cases[i].s, out);
    }
    ck_assert_int_eq(iam_parse_size(NULL, &out), -1);
}
END_TEST

/* ================================================================ checks */

typedef const char *(*check_fn)(const char *);

typedef struct {
    const char *value;
    int ok;
} syntax_t;

static void check_syntax(const char *what, check_fn fn, const syntax_t *c, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        const char *err = fn(c[i].value);
        ck_assert_msg((err == NULL) == c[i].ok, "%s '%s': want %s, got %s", what, c[i].value,
                      c[i].ok ? "ok" : "refused", err ? err : "ok");
    }
    ck_assert_msg(fn(NULL) != NULL, "%s NULL accepted", what);
}

/* A string of n copies of c followed by tail (static, reused). */
static const char *repeat(char c, size_t n, const char *tail)
{
    static char buf[4][1100];
    static int next;
    char *b = buf[next++ % 4];

    memset(b, c, n);
    snprintf(b + n, sizeof(buf[0]) - n, "%s", tail);
    return b;
}

START_TEST(checks_login)
{
    const syntax_t cases[] = {
        {"alice", 1},
        {"Alice.Smith@example.com", 1},
        {"CORP\\alice", 1},
        {"zoë", 1}, /* UTF-8 passes */
        {"a b", 1},
        {"", 0},
        {" alice", 0},
        {"alice ", 0},
        {"ali\nce", 0},
        {"ali\tce", 0},
        {"alice\x7f", 0},
        {"\x1b[31m", 0},
        {repeat('a', 256, ""), 1},
        {repeat('a', 257, ""), 0},
    };

    check_syntax("login", iam_check_login, cases, N(cases));
}
END_TEST

START_TEST(checks_group_name)
{
    const syntax_t cases[] = {
        {"eng", 1},
        {"Data Team", 1},
        {"growth/eu", 1},
        {"", 0},
        {" eng", 0},
        {"eng ", 0},
        {"e\rng", 0},
        {"eng\x01", 0},
        {repeat('g', 128, ""), 1},
        {repeat('g', 129, ""), 0},
    };

    check_syntax("group", iam_check_group_name, cases, N(cases));
}
END_TEST

START_TEST(checks_resource_type)
{
    const syntax_t cases[] = {
        {"source", 1},
        {"tracking-plan", 1},
        {"my_type.v2", 1},
        {"", 0},
        {"a b", 0},
        {"a/b", 0},
        {"*", 0},
        {"type:x", 0},
        {"t\n", 0},
        {"zoë", 0},
        {repeat('t', 64, ""), 1},
        {repeat('t', 65, ""), 0},
    };

    check_syntax("type", iam_check_resource_type, cases, N(cases));
}
END_TEST

START_TEST(checks_resource_name)
{
    const syntax_t cases[] = {
        {"checkout", 1},
        {"Checkout-2.eu_west", 1},
        {"*", 0}, /* the collection, not a name */
        {"", 0},
        {"a b", 0},
        {"../etc", 0},
        {"a*", 0},
        {"a:b", 0},
        {"a\x01", 0},
        {repeat('r', 128, ""), 1},
        {repeat('r', 129, ""), 0},
    };

    check_syntax("resource name", iam_check_resource_name, cases, N(cases));
    ck_assert_contains(iam_check_resource_name("*"), "collection");
}
END_TEST

START_TEST(checks_label)
{
    const syntax_t cases[] = {
        {"env:prod", 1},
        {"team:growth", 1},
        {"Tier:1", 1},
        {"a.b:c_d-e", 1},
        {"envprod", 0}, /* no colon */
        {"", 0},
        {":prod", 0},
        {"env:", 0},
        {":", 0},
        {"env:pr od", 0},
        {"e v:prod", 0},
        {"env:prod:eu", 0},
        {"env:prod\n", 0},
        {"env:*", 0},
        {"e/nv:prod", 0},
        {repeat('k', 64, ":v"), 1},
        {repeat('k', 65, ":v"), 0},
        {repeat('k', 600, ":v"), 0}, /* far past any key buffer */
        {repeat('k', 1, ":"), 0},
    };

    check_syntax("label", iam_check_label, cases, N(cases));
}
END_TEST

START_TEST(checks_label_value_length)
{
    char label[200];

    snprintf(label, sizeof(label), "k:%s", repeat('v', 128, ""));
    ck_assert_ptr_null(iam_check_label(label));
    snprintf(label, sizeof(label), "k:%s", repeat('v', 129, ""));
    ck_assert_ptr_nonnull(iam_check_label(label));
}
END_TEST

START_TEST(checks_email)
{
    const syntax_t cases[] = {
        {"alice@example.com", 1},
        {"a.b+tag@sub.example.org", 1},
        {"a@b", 1},
        {"alice.example.com", 0}, /* no @ */
        {"", 0},
        {"@example.com", 0},
        {"alice@", 0},
        {"a@b@c", 0},
        {"alice @example.com", 0},
        {"<alice@example.com>", 0},
        {"alice@example.com,bob@example.com", 0},
        {"alice@example.com\r\nBcc: eve@example.com", 0},
        {"alice@example.com;", 0},
        {repeat('a', 240, "@example.com"), 1}, /* 252 */
        {repeat('a', 242, "@example.com"), 1}, /* 254: the longest */
        {repeat('a', 243, "@example.com"), 0},
    };

    check_syntax("email", iam_check_email, cases, N(cases));
}
END_TEST

START_TEST(checks_text)
{
    ck_assert_ptr_null(iam_check_text("Alice Smith", 64));
    ck_assert_ptr_null(iam_check_text("Zoë O'Brien <ops> & \"co\"", 64)); /* escaped on output */
    ck_assert_ptr_null(iam_check_text("abcd", 4));
    ck_assert_ptr_nonnull(iam_check_text("abcde", 4));
    ck_assert_ptr_nonnull(iam_check_text("", 64));
    ck_assert_ptr_nonnull(iam_check_text(NULL, 64));
    ck_assert_ptr_nonnull(iam_check_text("a\nb", 64));
    ck_assert_ptr_nonnull(iam_check_text("a\tb", 64));
    ck_assert_ptr_nonnull(iam_check_text("a\x7f", 64));
    ck_assert_ptr_nonnull(iam_check_text("\x01", 64));
    ck_assert_contains(iam_check_text("a\nb", 64), "control");
    ck_assert_contains(iam_check_text("", 64), "empty");
}
END_TEST

void pol_add_parsing(Suite *s)
{
    TCase *tc;

    tc = pol_tcase("names");
    tcase_add_test(tc, names_levels);
    tcase_add_test(tc, names_plans_and_scopes);
    tcase_add_test(tc, names_sizes);
    suite_add_tcase(s, tc);

    tc = pol_tcase("checks");
    tcase_add_test(tc, checks_login);
    tcase_add_test(tc, checks_group_name);
    tcase_add_test(tc, checks_resource_type);
    tcase_add_test(tc, checks_resource_name);
    tcase_add_test(tc, checks_label);
    tcase_add_test(tc, checks_label_value_length);
    tcase_add_test(tc, checks_email);
    tcase_add_test(tc, checks_text);
    suite_add_tcase(s, tc);
}
