/* mod_iam tests: the iamctl command line, run as a real process on a fresh
 * store per test. Exit status: 0 ok, 1 error (one "iamctl: ..." line on
 * stderr), 2 bad usage, 3 `check` denied. */
#include "iam_test.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *tmp_dir;       /* the fixture's temp directory */
static char store[512];     /* the store inside it (not created until init) */
static char last_cmd[4096]; /* for failure messages */
static char *out, *errs;    /* what the last command printed */

/* ---- fixture ---- */

static void forget_output(void)
{
    free(out);
    free(errs);
    out = errs = NULL;
}

static void ctl_setup(void)
{
    tmp_dir = iam_test_tmpdir("ctl");
    snprintf(store, sizeof(store), "%s/store", tmp_dir);
}

static void ctl_teardown(void)
{
    forget_output();
    iam_test_rmtree(tmp_dir);
    free(tmp_dir);
}

/* ---- running iamctl ---- */

/* A path in the fixture's directory. */
static const char *path_of(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];

    snprintf(p, sizeof(buf[0]), "%s/%s", tmp_dir, name);
    return p;
}

static int vctl(const char *dir, const char *fmt, va_list ap)
{
    vsnprintf(last_cmd, sizeof(last_cmd), fmt, ap);
    forget_output();
    return iam_test_run(&out, &errs, "%s/iamctl -d '%s' %s", iam_test_build_dir(), dir, last_cmd);
}

/* Runs `iamctl -d STORE ARGS`; returns the exit status. */
static int __attribute__((format(printf, 1, 2))) ctl(const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vctl(store, fmt, ap);
    va_end(ap);
    return rc;
}

/* The same on another store directory. */
static int __attribute__((format(printf, 2, 3))) ctl_at(const char *dir, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vctl(dir, fmt, ap);
    va_end(ap);
    return rc;
}

/* `iamctl -f CONF ARGS` (the store from the configuration's IAMStore). */
static int __attribute__((format(printf, 2, 3))) ctl_conf(const char *conf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_cmd, sizeof(last_cmd), fmt, ap);
    va_end(ap);
    forget_output();
    return iam_test_run(&out, &errs, "%s/iamctl -f '%s' %s", iam_test_build_dir(), conf, last_cmd);
}

/* `iamctl` alone, without even -d. */
static int run_bare(void)
{
    snprintf(last_cmd, sizeof(last_cmd), "(no arguments)");
    forget_output();
    return iam_test_run(&out, &errs, "%s/iamctl", iam_test_build_dir());
}

#define EXPECT_EXIT(want, call)                                                                    \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        ck_assert_msg(rc_ == (want), "iamctl %s: exit %d, want %d\nstdout: %s\nstderr: %s",        \
                      last_cmd, rc_, (want), out, errs);                                           \
    } while (0)

/* Success, and stdout holds `text` (NULL: anything). */
#define CTL_OK(text, ...)                                                                          \
    do {                                                                                           \
        EXPECT_EXIT(0, ctl(__VA_ARGS__));                                                          \
        assert_holds(out, text);                                                                   \
    } while (0)

/* An error: exit 1 and one line "iamctl: ..." holding `text`. */
#define CTL_FAILS(text, ...)                                                                       \
    do {                                                                                           \
        EXPECT_EXIT(1, ctl(__VA_ARGS__));                                                          \
        assert_error_line(text);                                                                   \
    } while (0)

/* Bad usage: exit 2, the usage text on stderr, nothing on stdout. */
#define CTL_USAGE(text, ...)                                                                       \
    do {                                                                                           \
        EXPECT_EXIT(2, ctl(__VA_ARGS__));                                                          \
        assert_usage(text);                                                                        \
    } while (0)

static void assert_holds(const char *what, const char *text)
{
    if (text)
        ck_assert_msg(strstr(what, text) != NULL, "iamctl %s: no '%s' in:\n%s", last_cmd, text,
                      what);
}

static void assert_error_line(const char *text)
{
    const char *nl = strchr(errs, '\n');

    ck_assert_msg(!strncmp(errs, "iamctl: ", 8), "iamctl %s: stderr is not 'iamctl: ...': %s",
                  last_cmd, errs);
    ck_assert_msg(nl && nl[1] == '\0', "iamctl %s: stderr is not one line: %s", last_cmd, errs);
    assert_holds(errs, text);
    ck_assert_msg(out[0] == '\0', "iamctl %s: an error also printed: %s", last_cmd, out);
}

static void assert_usage(const char *text)
{
    assert_holds(errs, "usage: iamctl");
    if (text) {
        ck_assert_msg(!strncmp(errs, "iamctl: ", 8), "iamctl %s: no reason first: %s", last_cmd,
                      errs);
        assert_holds(errs, text);
    }
    ck_assert_msg(out[0] == '\0', "iamctl %s: bad usage printed: %s", last_cmd, out);
}

/* The line of `text` that starts with `prefix` (a static copy), or "". */
static const char *line_starting(const char *text, const char *prefix)
{
    static char line[1024];
    size_t n = strlen(prefix), len;

    for (; *text; text += len + (text[len] == '\n')) {
        len = strcspn(text, "\n");
        if (!strncmp(text, prefix, n)) {
            snprintf(line, sizeof(line), "%.*s", (int)len, text);
            return line;
        }
    }
    return "";
}

/* ---- JSON ---- */

/* What the last command printed, parsed (a new reference). */
static json_t *out_json(void)
{
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);

    ck_assert_msg(j != NULL, "iamctl %s: not JSON (%s):\n%s", last_cmd, jerr.text, out);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_string(v), "no string \"%s\"", key);
    return json_string_value(v);
}

static int jbool(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_boolean(v), "no boolean \"%s\"", key);
    return json_is_true(v);
}

/* The element of `array` whose `key` is `value`, or NULL. */
static json_t *jfind(json_t *array, const char *key, const char *value)
{
    size_t i;
    json_t *o;

    json_array_foreach(array, i, o)
    {
        json_t *v = json_object_get(o, key);
        if (json_is_string(v) && !strcmp(json_string_value(v), value))
            return o;
    }
    return NULL;
}

/* An array of strings as one line, "a b c". */
static const char *jwords(json_t *array)
{
    static char buf[1024];
    size_t i, o = 0;
    json_t *v;

    buf[0] = '\0';
    ck_assert_msg(json_is_array(array), "not an array");
    json_array_foreach(array, i, v)
    {
        ck_assert(json_is_string(v));
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "", json_string_value(v));
    }
    return buf;
}

/* `member show LOGIN --json` (a new reference). */
static json_t *member_json(const char *login)
{
    CTL_OK(NULL, "member show '%s' --json", login);
    return out_json();
}

static json_t *group_json(const char *name)
{
    CTL_OK(NULL, "group show '%s' --json", name);
    return out_json();
}

/* The items of the grant of `role` in an object's "grants", "-" if none. */
static const char *grant_items(json_t *holder, const char *role)
{
    json_t *g = jfind(json_object_get(holder, "grants"), "role", role), *items;

    if (!g)
        return "-";
    if (!strcmp(jstr(g, "scope"), "all"))
        return "all";
    items = json_object_get(g, !strcmp(jstr(g, "scope"), "labels") ? "labels" : "resources");
    return jwords(items);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* ---- a workspace with a bit of everything ---- */

static void populate(void)
{
    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --email alice@example.com --name 'Alice Liddell' --owner");
    CTL_OK(NULL, "member add bob --email bob@example.com");
    CTL_OK(NULL, "member invite carol@example.com --name Carol");
    CTL_OK(NULL, "group create eng");
    CTL_OK(NULL, "group add eng bob carol@example.com");
    CTL_OK(NULL, "grant --group eng source-admin --resource web api");
    CTL_OK(NULL, "grant --member bob personas-read-only --label env:prod team:x");
    CTL_OK(NULL, "grant --member bob warehouse-read-only --all");
}

static void assert_store_empty(const char *dir)
{
    json_t *j;

    EXPECT_EXIT(0, ctl_at(dir, "export"));
    j = out_json();
    ck_assert_int_eq(json_array_size(json_object_get(j, "members")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "groups")), 0);
    json_decref(j);
}

/* ---- init and global options ---- */

START_TEST(test_init)
{
    struct stat sb;
    char data[600];

    CTL_OK("ready: plan business, 0 members, 0 groups", "init");
    snprintf(data, sizeof(data), "%s/data.mdb", store);
    ck_assert_int_eq(stat(data, &sb), 0);
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK("1 members", "init"); /* again: keeps what is there */
    CTL_USAGE("init takes no arguments", "init now");
}
END_TEST

START_TEST(test_help_and_map_size)
{
    EXPECT_EXIT(0, ctl("-h"));
    assert_holds(out, "usage: iamctl");
    CTL_OK("ready", "-m 64M init");
    CTL_OK("added", "-m 64M member add alice");
}
END_TEST

/* ---- members ---- */

START_TEST(test_member_add)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK("added alice as Workspace Owner",
           "member add alice --email alice@example.com --name 'Alice Liddell' --owner");
    CTL_OK("added bob\n", "member add bob");
    /* logins match exactly (IAMLoginCase exact, the default) */
    CTL_FAILS("the member is 'alice'", "member show ALICE");
    m = member_json("alice");
    ck_assert_str_eq(jstr(m, "login"), "alice");
    ck_assert_str_eq(jstr(m, "email"), "alice@example.com");
    ck_assert_str_eq(jstr(m, "name"), "Alice Liddell");
    ck_assert_str_eq(jstr(m, "status"), "active");
    ck_assert(jbool(m, "owner"));
    ck_assert_str_eq(grant_items(m, "workspace-owner"), "all");
    ck_assert_int_eq(json_array_size(json_object_get(m, "groups")), 0);
    json_decref(m);

    CTL_FAILS("differs only in case from the member 'bob'", "member add Bob");
    CTL_FAILS("already used", "member add robert --email ALICE@example.com");
    CTL_FAILS("email", "member add dave --email not-an-email");
    CTL_USAGE("one LOGIN", "member add");
    CTL_USAGE("one LOGIN", "member add a b");
    CTL_USAGE("needs a value", "member add dave --email");
    CTL_USAGE("unknown option", "member add dave --admin");
}
END_TEST

START_TEST(test_member_invite)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK("invited carol@example.com", "member invite carol@example.com --name Carol");
    m = member_json("carol@example.com");
    ck_assert_str_eq(jstr(m, "login"), "carol@example.com");
    ck_assert_str_eq(jstr(m, "email"), "carol@example.com");
    ck_assert_str_eq(jstr(m, "name"), "Carol");
    ck_assert_str_eq(jstr(m, "status"), "invited");
    ck_assert(!jbool(m, "owner"));
    json_decref(m);
    CTL_FAILS("differs only in case", "member invite CAROL@example.com");
    CTL_FAILS("email", "member invite not-an-email");
    CTL_USAGE("email as its argument", "member invite dave@example.com --email d@example.com");
    CTL_USAGE("unknown option", "member invite dave@example.com --owner");
    CTL_USAGE(NULL, "member invite");
}
END_TEST

START_TEST(test_member_list)
{
    json_t *a, *bob, *carol;

    populate();
    CTL_OK(NULL, "member list");
    assert_holds(line_starting(out, "alice "), "alice@example.com");
    assert_holds(line_starting(out, "alice "), "Alice Liddell");
    assert_holds(line_starting(out, "alice "), "roles=Workspace Owner groups=-");
    assert_holds(line_starting(out, "bob "),
                 "roles=Personas Read-only,Warehouse Read-only groups=eng");
    assert_holds(line_starting(out, "carol@example.com "), "invited");
    CTL_OK("bob ", "member list --search BOB@EXAMPLE");
    ck_assert_ptr_null(strstr(out, "alice"));
    CTL_OK(NULL, "member list --search nobody");
    ck_assert_str_eq(out, "");

    CTL_OK(NULL, "member list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 3);
    ck_assert_str_eq(jstr(json_array_get(a, 0), "login"), "alice");
    bob = jfind(a, "login", "bob");
    ck_assert_ptr_nonnull(bob);
    ck_assert_str_eq(jstr(bob, "email"), "bob@example.com");
    ck_assert_str_eq(jstr(bob, "name"), "");
    ck_assert_str_eq(jstr(bob, "status"), "active");
    ck_assert(!jbool(bob, "owner"));
    ck_assert(!jbool(bob, "pii"));
    ck_assert_int_eq(strlen(jstr(bob, "created")), 20); /* 2026-01-02T03:04:05Z */
    ck_assert_str_eq(jwords(json_object_get(bob, "groups")), "eng");
    ck_assert_int_eq(json_array_size(json_object_get(bob, "grants")), 2);
    ck_assert_str_eq(grant_items(bob, "personas-read-only"), "env:prod team:x");
    ck_assert_str_eq(grant_items(bob, "warehouse-read-only"), "all");
    carol = jfind(a, "login", "carol@example.com");
    ck_assert_str_eq(jstr(carol, "status"), "invited");
    json_decref(a);

    CTL_OK(NULL, "member list --search carol --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 1);
    json_decref(a);
    CTL_USAGE("unknown option", "member list --bogus");
    CTL_USAGE("no arguments", "member list bob");
}
END_TEST

START_TEST(test_member_show)
{
    json_t *m;

    populate();
    CTL_FAILS("no member 'BOB'", "member show BOB");
    CTL_OK("login:   bob\n", "member show bob");
    assert_holds(out, "owner:   no\n");
    assert_holds(out, "groups:  eng\n");
    assert_holds(out, "Personas Read-only on labels env:prod team:x (direct)");
    assert_holds(out, "Warehouse Read-only on all (direct)");
    assert_holds(out, "Source Admin on resources web api (through group eng)");
    CTL_OK("owner:   yes\n", "member show alice");
    assert_holds(out, "Workspace Owner on all (direct)");
    CTL_OK(NULL, "member add dave");
    CTL_OK("Workspace Member (minimal workspace access)", "member show dave");

    m = member_json("bob");
    ck_assert_str_eq(jstr(m, "login"), "bob");
    ck_assert_str_eq(jwords(json_object_get(m, "groups")), "eng");
    ck_assert_str_eq(grant_items(m, "personas-read-only"), "env:prod team:x");
    json_decref(m);
    CTL_FAILS("no member 'ghost'", "member show ghost");
    CTL_USAGE("one LOGIN", "member show");
}
END_TEST

START_TEST(test_member_remove)
{
    json_t *g, *a;

    populate();
    CTL_OK("removed bob", "member remove bob");
    CTL_FAILS("no member 'bob'", "member show bob");
    CTL_FAILS("no member 'bob'", "member remove bob");
    g = group_json("eng");
    ck_assert_str_eq(jwords(json_object_get(g, "members")), "carol@example.com");
    json_decref(g);
    CTL_OK(NULL, "member list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 2);
    json_decref(a);
    CTL_USAGE("one LOGIN", "member remove");
}
END_TEST

/* ---- grants ---- */

START_TEST(test_grant_member)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK(NULL, "member add bob");
    CTL_OK("granted source-read-only to bob", "grant --member bob source-read-only --all");
    CTL_OK(NULL, "grant --member bob source-admin --resource a b");
    CTL_OK(NULL, "grant --member bob 'Source Admin' --resource c");
    CTL_OK(NULL, "grant --member bob personas-admin --label env:prod team:x");
    CTL_OK(NULL, "grant --member bob warehouse-admin"); /* all-only: all by default */
    m = member_json("bob");
    ck_assert_int_eq(json_array_size(json_object_get(m, "grants")), 4);
    ck_assert_str_eq(grant_items(m, "source-read-only"), "all");
    ck_assert_str_eq(grant_items(m, "source-admin"), "a b c");
    ck_assert_str_eq(grant_items(m, "personas-admin"), "env:prod team:x");
    ck_assert_str_eq(grant_items(m, "warehouse-admin"), "all");
    json_decref(m);

    CTL_FAILS("already", "grant --member bob source-read-only --all");
    CTL_OK("revoked source-admin from bob", "revoke --member bob source-admin --resource a");
    CTL_OK(NULL, "revoke --member bob personas-admin --label env:prod team:x");
    CTL_OK(NULL, "revoke --member bob source-read-only --all");
    m = member_json("bob");
    ck_assert_str_eq(grant_items(m, "source-admin"), "b c");
    ck_assert_str_eq(grant_items(m, "personas-admin"), "-");
    ck_assert_str_eq(grant_items(m, "source-read-only"), "-");
    json_decref(m);
    CTL_OK(NULL, "revoke --member bob source-admin"); /* the whole role */
    m = member_json("bob");
    ck_assert_str_eq(grant_items(m, "source-admin"), "-");
    json_decref(m);
    CTL_FAILS("does not hold", "revoke --member bob source-admin");
    CTL_FAILS("does not hold", "revoke --member bob warehouse-admin --resource x");
}
END_TEST

START_TEST(test_grant_group)
{
    json_t *g;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "group create eng");
    CTL_OK("granted source-admin to eng", "grant --group eng source-admin --resource web api");
    CTL_OK(NULL, "grant --group eng personas-user --label env:prod");
    CTL_OK(NULL, "grant --group eng identity-admin --all");
    g = group_json("eng");
    ck_assert_int_eq(json_array_size(json_object_get(g, "grants")), 3);
    ck_assert_str_eq(grant_items(g, "source-admin"), "web api");
    ck_assert_str_eq(grant_items(g, "personas-user"), "env:prod");
    ck_assert_str_eq(grant_items(g, "identity-admin"), "all");
    json_decref(g);
    CTL_OK("Source Admin on resources web api", "group show eng");

    CTL_OK("revoked source-admin from eng", "revoke --group eng source-admin --resource web");
    CTL_OK(NULL, "revoke --group eng personas-user --label env:prod");
    CTL_OK(NULL, "revoke --group eng identity-admin --all");
    g = group_json("eng");
    ck_assert_str_eq(grant_items(g, "source-admin"), "api");
    ck_assert_int_eq(json_array_size(json_object_get(g, "grants")), 1);
    json_decref(g);
    CTL_OK(NULL, "revoke --group eng source-admin");
    CTL_FAILS("does not hold", "revoke --group eng source-admin");
    CTL_FAILS("no group 'ops'", "grant --group ops source-admin --all");
    CTL_FAILS("not to groups", "grant --group eng workspace-owner");
}
END_TEST

START_TEST(test_grant_refused)
{
    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add bob");
    CTL_FAILS("no member 'ghost'", "grant --member ghost source-admin --all");
    CTL_FAILS("unknown role", "grant --member bob galaxy-admin --all");
    CTL_FAILS("only be granted on all", "grant --member bob warehouse-admin --resource dw");
    CTL_FAILS("share a key", "grant --member bob source-admin --label env:a env:b");
    CTL_USAGE("--member LOGIN or --group NAME, and a ROLE", "grant --member bob");
    CTL_USAGE("--member LOGIN or --group NAME, and a ROLE", "grant source-admin --all");
    CTL_USAGE("granted per resource", "grant --member bob source-admin");
    CTL_USAGE("one scope", "grant --member bob source-admin --all --resource a");
    CTL_USAGE("one scope", "grant --member bob source-admin --resource a --label env:x");
    CTL_USAGE("exactly one of", "grant --member bob --group eng source-admin --all");
    CTL_USAGE("one ROLE", "grant --member bob source-admin warehouse-admin --all");
    CTL_USAGE("unknown option", "revoke --member bob source-admin --everything");
    CTL_USAGE("needs a value", "grant --member bob source-admin --resource");
}
END_TEST

/* ---- groups ---- */

START_TEST(test_group_commands)
{
    json_t *a, *g, *m;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK(NULL, "member add bob");
    CTL_OK("created group eng", "group create eng");
    CTL_OK(NULL, "group create ops");
    CTL_FAILS("already exists", "group create ENG");
    CTL_OK("added 2 members to group eng", "group add eng alice bob");
    CTL_FAILS("no member 'ghost'", "group add ops bob ghost");
    g = group_json("ops"); /* all or nothing: bob is not in ops */
    ck_assert_int_eq(json_array_size(json_object_get(g, "members")), 0);
    json_decref(g);
    CTL_FAILS("already", "group add eng bob");

    CTL_OK(NULL, "group list");
    assert_holds(out, "2 members, 0 grants");
    assert_holds(out, "ops");
    CTL_OK(NULL, "group list --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(jfind(a, "name", "eng"), "member_count")),
                     2);
    json_decref(a);
    CTL_OK("members: alice,bob\n", "group show eng");
    g = group_json("eng");
    ck_assert_str_eq(jstr(g, "name"), "eng");
    ck_assert_str_eq(jwords(json_object_get(g, "members")), "alice bob");
    ck_assert_int_eq(json_integer_value(json_object_get(g, "member_count")), 2);
    json_decref(g);

    CTL_OK("removed 1 member from group eng", "group remove eng alice");
    CTL_FAILS("not in group", "group remove eng alice");
    m = member_json("bob");
    ck_assert_str_eq(jwords(json_object_get(m, "groups")), "eng");
    json_decref(m);
    CTL_OK("deleted group eng", "group delete eng");
    CTL_FAILS("no group 'eng'", "group show eng");
    CTL_FAILS("no group 'eng'", "group delete eng");
    m = member_json("bob");
    ck_assert_int_eq(json_array_size(json_object_get(m, "groups")), 0);
    json_decref(m);
}
END_TEST

START_TEST(test_group_usage)
{
    CTL_OK(NULL, "init");
    CTL_USAGE("group needs a command", "group");
    CTL_USAGE("unknown group command", "group frob");
    CTL_USAGE("one NAME", "group create");
    CTL_USAGE("at least one LOGIN", "group add eng");
    CTL_USAGE("--json is for", "group create eng --json");
    CTL_USAGE("unknown option", "group list --all");
}
END_TEST

/* ---- roles ---- */

START_TEST(test_roles)
{
    static const char *const slugs[] = {
        "workspace-owner", "workspace-member",    "source-admin",        "source-read-only",
        "warehouse-admin", "warehouse-read-only", "tracking-plan-admin", "tracking-plan-read-only",
        "personas-admin",  "personas-user",       "personas-read-only",  "identity-admin"};
    json_t *a, *r;
    size_t i;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "roles --json");
    a = out_json();
    ck_assert_int_eq(json_array_size(a), 12);
    for (i = 0; i < sizeof(slugs) / sizeof(*slugs); i++) {
        r = jfind(a, "slug", slugs[i]);
        ck_assert_msg(r != NULL, "no role %s", slugs[i]);
        ck_assert(!jbool(r, "custom"));
        ck_assert(jbool(r, "plan_allows"));
        jstr(r, "name");
        jstr(r, "level");
        jstr(r, "scopes");
    }
    r = jfind(a, "slug", "source-admin");
    ck_assert_str_eq(jstr(r, "name"), "Source Admin");
    ck_assert_str_eq(jstr(r, "type"), "source");
    ck_assert_str_eq(jstr(r, "level"), "admin");
    ck_assert_str_eq(jstr(r, "scopes"), "all, resource, label");
    ck_assert_str_eq(jstr(jfind(a, "slug", "workspace-owner"), "level"), "owner");
    ck_assert_str_eq(jstr(jfind(a, "slug", "warehouse-admin"), "scopes"), "all");
    json_decref(a);
    CTL_OK("Source Admin", "roles");
    assert_holds(out, "tracking-plan-read-only");
    CTL_USAGE("no arguments", "roles all");
}
END_TEST

/* ---- export and import ---- */

/* Sets every "created" of an export to one time, so that a copy made in
 * another second can still compare equal. */
static void set_created(json_t *export, const char *when)
{
    static const char *const lists[] = {"members", "groups"};
    size_t i, j;
    json_t *o;

    for (i = 0; i < 2; i++) {
        json_array_foreach(json_object_get(export, lists[i]), j, o)
            json_object_set_new(o, "created", json_string(when));
    }
}

/* Where two JSON values first differ: writes the path ("groups[0].created")
 * and the two values there, and returns 1; 0 when they are equal. */
static int json_where(json_t *a, json_t *b, char *path, size_t len, json_t **da, json_t **db)
{
    size_t n = strlen(path), i;
    const char *key;
    json_t *v;

    *da = a;
    *db = b;
    if (json_is_object(a) && json_is_object(b)) {
        json_object_foreach(a, key, v)
        {
            snprintf(path + n, len - n, ".%s", key);
            if (json_where(v, json_object_get(b, key), path, len, da, db))
                return 1;
        }
        path[n] = '\0';
        *da = a;
        *db = b;
        return json_object_size(a) != json_object_size(b);
    }
    if (json_is_array(a) && json_is_array(b)) {
        json_array_foreach(a, i, v)
        {
            snprintf(path + n, len - n, "[%zu]", i);
            if (json_where(v, json_array_get(b, i), path, len, da, db))
                return 1;
        }
        path[n] = '\0';
        *da = a;
        *db = b;
        return json_array_size(a) != json_array_size(b);
    }
    return !json_equal(a, b);
}

static const char *json_text(json_t *j, char *buf, size_t len)
{
    size_t n = j ? json_dumpb(j, buf, len - 1, JSON_ENCODE_ANY | JSON_COMPACT) : 0;

    if (!j || n >= len)
        snprintf(buf, len, "%s", j ? "(long)" : "(none)");
    else
        buf[n] = '\0';
    return buf;
}

/* Asserts two exports are equal, naming the first difference. */
static void assert_same_export(json_t *a, json_t *b)
{
    char path[512] = "", x[256], y[256];
    json_t *da, *db;

    if (json_where(a, b, path, sizeof(path), &da, &db))
        ck_abort_msg("the exports differ at %s: %s before, %s after", path[0] ? path : "(top)",
                     json_text(da, x, sizeof(x)), json_text(db, y, sizeof(y)));
}

static json_t *export_of(const char *dir)
{
    EXPECT_EXIT(0, ctl_at(dir, "export"));
    return out_json();
}

START_TEST(test_export_import_round_trip)
{
    const char *file = path_of("export.json");
    const char *copy = path_of("copy");
    json_t *before, *after;

    populate();
    before = export_of(store);
    ck_assert_str_eq(jstr(before, "format"), "mod_iam-export");
    ck_assert_str_eq(jstr(before, "plan"), "business");
    ck_assert_int_eq(json_array_size(json_object_get(before, "members")), 3);
    ck_assert_int_eq(json_array_size(json_object_get(before, "groups")), 1);
    set_created(before, "2001-02-03T04:05:06Z");
    /* PII access is set by import only; it must survive the trip. */
    json_object_set_new(json_array_get(json_object_get(before, "groups"), 0), "pii", json_true());
    json_object_set_new(jfind(json_object_get(before, "members"), "login", "bob"), "pii",
                        json_true());
    ck_assert_int_eq(json_dump_file(before, file, JSON_INDENT(2)), 0);

    EXPECT_EXIT(0, ctl_at(copy, "import '%s'", file));
    assert_holds(out, "imported 3 members and 1 groups");
    after = export_of(copy);
    assert_same_export(before, after);
    json_decref(before);
    json_decref(after);
}
END_TEST

START_TEST(test_import_stdin)
{
    const char *file = path_of("export.json");
    const char *copy = path_of("copy");
    json_t *j;

    populate();
    EXPECT_EXIT(0, ctl("export > '%s'", file));
    EXPECT_EXIT(0, ctl_at(copy, "import - < '%s'", file));
    j = export_of(copy);
    ck_assert_int_eq(json_array_size(json_object_get(j, "members")), 3);
    json_decref(j);
}
END_TEST

START_TEST(test_import_refused)
{
    const char *file = path_of("bad.json");
    const char *good = path_of("good.json");
    json_t *j;

    CTL_OK(NULL, "init");
    write_file(file, "{ \"format\": \"mod_iam-export\", \"members\": [ \n");
    CTL_FAILS(file, "import '%s'", file);
    assert_store_empty(store);
    write_file(file, "[1, 2, 3]\n");
    CTL_FAILS("not a mod_iam export", "import '%s'", file);
    write_file(file, "{\"format\": \"mod_iam-export\", \"version\": 99, \"plan\": \"team\", "
                     "\"members\": []}\n");
    CTL_FAILS("version", "import '%s'", file);
    write_file(file, "{\"format\": \"mod_iam-export\", \"version\": 1, \"plan\": \"business\", "
                     "\"groups\": [], \"members\": ["
                     "{\"login\": \"alice\", \"grants\": [{\"role\": \"workspace-owner\", "
                     "\"scope\": \"all\"}]},"
                     "{\"login\": \"bob\", \"grants\": [{\"role\": \"galaxy-admin\", "
                     "\"scope\": \"all\"}]}]}\n");
    CTL_FAILS("nothing was imported", "import '%s'", file);
    assert_store_empty(store);
    CTL_FAILS("missing.json", "import '%s'", path_of("missing.json"));
    CTL_USAGE("one FILE", "import");

    /* Into a store that holds members: refused, and nothing changes. */
    populate();
    EXPECT_EXIT(0, ctl("export > '%s'", good));
    CTL_FAILS("not empty", "import '%s'", good);
    CTL_OK(NULL, "member list --json");
    j = out_json();
    ck_assert_int_eq(json_array_size(j), 3);
    json_decref(j);
}
END_TEST

/* ---- check ---- */

START_TEST(test_check)
{
    populate();
    CTL_OK("allow: Source Admin on resources (web api), through group eng\n",
           "check bob source web read");
    CTL_OK("through group eng", "check bob source API edit");
    EXPECT_EXIT(3, ctl("check bob source billing read"));
    ck_assert_str_eq(out, "deny: no grant's scope covers this resource\n");
    CTL_OK("allow: Personas Read-only on labels (env:prod team:x), direct\n",
           "check bob space s1 read --label env:prod team:x");
    EXPECT_EXIT(3, ctl("check bob space s1 read --label env:prod"));
    assert_holds(out, "deny: ");
    EXPECT_EXIT(3, ctl("check bob space s1 edit --label env:prod team:x"));
    assert_holds(out, "deny: grants on this resource type are below the level needed");
    CTL_OK("allow: Warehouse Read-only on all resources, direct", "check bob warehouse dw read");
    CTL_OK("allow: Source Admin", "check bob source '*' read");
    EXPECT_EXIT(3, ctl("check bob source '*' edit"));
    assert_holds(out, "deny: creating a resource");
    CTL_OK("allow: Workspace Owner", "check alice identity anything admin");
    EXPECT_EXIT(3, ctl("check ALICE identity anything admin")); /* logins match exactly */
    assert_holds(out, "deny: 'ALICE' is not a member");
    EXPECT_EXIT(3, ctl("check ghost source web read"));
    ck_assert_str_eq(out, "deny: 'ghost' is not a member of the workspace\n");
    EXPECT_EXIT(3, ctl("check carol@example.com identity x read"));
    assert_holds(out, "deny: no grant on this resource type");
}
END_TEST

START_TEST(test_check_usage)
{
    CTL_OK(NULL, "init");
    CTL_USAGE("not a level", "check bob source web write");
    CTL_USAGE("check needs", "check bob source web");
    CTL_USAGE("check takes", "check bob source web read extra");
    CTL_USAGE("type", "check bob 'so/urce' web read");
    CTL_USAGE("label", "check bob source web read --label nocolon");
    CTL_USAGE("unknown option", "check bob source web read --verbose");
}
END_TEST

/* ---- usage and errors ---- */

/* Options that swallow the next option, or come without values, are usage
 * errors that change nothing. */
START_TEST(test_options_without_values)
{
    json_t *m;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK(NULL, "member add sam");
    CTL_OK(NULL, "grant --member sam source-admin --resource checkout");
    CTL_USAGE("--resource needs a value", "revoke --member sam source-admin --resource --all");
    CTL_USAGE("--resource needs a value", "grant --member sam source-admin --resource --all");
    CTL_USAGE("--label needs a value",
              "grant --member sam source-admin --label --resource checkout");
    CTL_USAGE("needs a value", "member add bob --name --owner");
    CTL_USAGE("given once", "member add bob --email a@example.com --email b@example.com");
    m = member_json("sam");
    ck_assert_str_eq(grant_items(m, "source-admin"), "checkout");
    json_decref(m);
    CTL_FAILS("no member 'bob'", "member show bob");
}
END_TEST

/* Names must be UTF-8, so every export is complete JSON. */
START_TEST(test_invalid_utf8_refused)
{
    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --owner --name 'Jos\xc3\xa9'");
    CTL_FAILS("not valid UTF-8", "member add lat --name \"$(printf 'Jos\\351')\"");
    CTL_FAILS("not valid UTF-8", "group create \"$(printf 'caf\\351')\"");
    CTL_OK("\"alice\"", "export");
}
END_TEST

START_TEST(test_usage_errors)
{
    EXPECT_EXIT(2, run_bare());
    assert_usage(NULL);
    CTL_USAGE(NULL, "%s", ""); /* -d STORE and no command */
    CTL_USAGE("unknown command 'frobnicate'", "frobnicate");
    CTL_USAGE("unknown option '--bogus'", "--bogus x init");
    CTL_USAGE("needs a value", "-m");
    CTL_USAGE("-m: '12Q' is not a size", "-m 12Q init");
    CTL_USAGE("-m: '512K' is not a size", "-m 512K init");
    CTL_USAGE("--plan: 'gold'", "--plan gold init");
    CTL_USAGE("member needs a command", "member");
    CTL_USAGE("unknown member command", "member frob");
    CTL_USAGE("export takes no arguments", "export now");
    /* None of that touched the disk. */
    ck_assert_int_ne(access(store, F_OK), 0);
}
END_TEST

START_TEST(test_errors)
{
    static const char *const needs_store[] = {"member list",
                                              "member show bob",
                                              "member add bob",
                                              "member remove bob",
                                              "export",
                                              "group list",
                                              "roles",
                                              "check bob source web read",
                                              "grant --member bob source-admin --all"};
    size_t i;

    for (i = 0; i < sizeof(needs_store) / sizeof(*needs_store); i++) {
        CTL_FAILS("init", "%s", needs_store[i]);
        assert_holds(errs, store);
    }
    ck_assert_int_ne(access(store, F_OK), 0); /* no store made by accident */

    populate();
    CTL_FAILS("no member 'ghost'", "member show ghost");
    CTL_FAILS("no member 'ghost'", "member remove ghost");
    CTL_FAILS("last Workspace Owner", "member remove alice");
    CTL_FAILS("last Workspace Owner", "revoke --member alice workspace-owner");
    CTL_OK("alice", "member show alice"); /* still there, still owner */
    assert_holds(out, "owner:   yes");
    CTL_OK(NULL, "grant --member bob workspace-owner");
    CTL_OK("removed alice", "member remove alice");
}
END_TEST

START_TEST(test_output_errors)
{
    populate();
    CTL_FAILS("cannot write the output", "export > /dev/full");
    CTL_FAILS("cannot write the output", "member list > /dev/full");
}
END_TEST

/* A store that is not one: a clear error, never a crash. */
START_TEST(test_damaged_store)
{
    char data[600];
    FILE *f;
    int i;

    ck_assert_int_eq(mkdir(store, 0750), 0);
    snprintf(data, sizeof(data), "%s/data.mdb", store);
    f = fopen(data, "w");
    ck_assert_ptr_nonnull(f);
    for (i = 0; i < 1000; i++) /* well past LMDB's two meta pages */
        fputs("not an LMDB file, just text. ", f);
    fclose(f);
    CTL_FAILS("damaged", "member list");
    CTL_FAILS("damaged", "init");
    CTL_FAILS("damaged", "export");
}
END_TEST

/* A data file cut short: verify reports it as damage (exit 1), every
 * command refuses it clearly; none is killed by SIGBUS. */
START_TEST(test_short_data_file)
{
    char data[600];
    struct stat sb;
    int i;

    /* a store of many pages, in one import */
    FILE *f = fopen(path_of("many.json"), "w");

    ck_assert_ptr_nonnull(f);
    fputs("{\"format\":\"mod_iam-export\",\"version\":1,\"plan\":\"business\",\"groups\":[],"
          "\"members\":[{\"login\":\"alice\",\"grants\":[{\"role\":\"workspace-owner\","
          "\"scope\":\"all\"}]}",
          f);
    for (i = 0; i < 400; i++)
        fprintf(f, ",{\"login\":\"member-%03d-with-a-long-login-to-fill-the-pages\"}", i);
    fputs("]}\n", f);
    fclose(f);
    CTL_OK("imported", "import %s", path_of("many.json"));
    snprintf(data, sizeof(data), "%s/data.mdb", store);
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(truncate(data, sb.st_size / 2), 0);
    EXPECT_EXIT(1, ctl("verify"));
    assert_holds(out, "damage: store");
    assert_holds(out, "cut short");
    CTL_FAILS("cut short", "member list");
    CTL_FAILS("cut short", "member add bob");
    CTL_FAILS("cut short", "init");
    ck_assert_int_eq(truncate(data, 0), 0);
    CTL_FAILS("empty (0 bytes)", "init"); /* init makes a store, never one anew */
    CTL_FAILS("empty (0 bytes)", "member list");
    ck_assert_int_eq(stat(data, &sb), 0);
    ck_assert_int_eq(sb.st_size, 0);
}
END_TEST

/* ---- iamctl -f: the server's configuration, read as Apache reads it ---- */

START_TEST(test_conf_file)
{
    const char *conf = strdup(path_of("apache2.conf")), *mods = strdup(path_of("mods-enabled"));
    json_t *a;

    ck_assert_int_eq(mkdir(mods, 0755), 0);
    write_file(conf, xprintf(
                         "# Debian's layout, ServerRoot the file's directory\n"
                         "Define SITE_ROLES\n"
                         "IncludeOptional mods-enabled/*.load\n"
                         "IncludeOptional conf-enabled/*.conf\n"
                         "Include mods-enabled/*.conf\n"
                         "<IfDefine !SITE_ROLES>\n  IAMRole \"Never\" repo read\n</IfDefine>\n"
                         "<VirtualHost *:80>\n  IAMPlan free\n</VirtualHost>\n"));
    write_file(path_of("mods-enabled/iam.load"), "LoadModule iam_module /x/mod_iam.so\n");
    write_file(path_of("mods-enabled/iam.conf"),
               xprintf("<IfModule iam_module>\n"
                                 "  IAMStore \"%s\"\n"
                                 "  IAMLoginCase fold\n"
                                 "  IAMRole \"Repo Reader\" repo read\n"
                                 "  IAMRole \"Repo \\\"Writer\\\"\" repo edit \\\n"
                                 "     all-only\n"
                                 "</IfModule>\n",
                                 store));
    /* before any server ever started: init, then a grant of a custom role */
    EXPECT_EXIT(0, ctl_conf(conf, "init"));
    EXPECT_EXIT(0, ctl_conf(conf, "member add Bob"));
    EXPECT_EXIT(0, ctl_conf(conf, "grant --member bob 'Repo Reader' --all"));
    assert_holds(out, "Repo Reader");
    EXPECT_EXIT(0, ctl_conf(conf, "roles --json"));
    a = out_json();
    ck_assert_ptr_nonnull(jfind(a, "name", "Repo Reader"));
    ck_assert_ptr_nonnull(jfind(a, "name", "Repo \"Writer\""));
    ck_assert_ptr_null(jfind(a, "name", "Never"));
    json_decref(a);
    EXPECT_EXIT(0, ctl_conf(conf, "check BOB repo r1 read")); /* IAMLoginCase fold */
    /* the store remembers: plain iamctl agrees afterwards */
    CTL_OK("allow: Repo Reader", "check bob repo r1 read");
    CTL_OK("allow: Repo Reader", "check BOB repo r1 read");
    /* as Apache reads: a directory's subdirectories and dot-files, long
     * lines, the other conditional sections */
    ck_assert_int_eq(mkdir(path_of("extra"), 0755), 0);
    ck_assert_int_eq(mkdir(path_of("extra/sub"), 0755), 0);
    write_file(path_of("extra/sub/deep.conf"), "IAMRole \"Deep\" repo read\n");
    write_file(path_of("extra/.hidden.conf"), "IAMRole \"Hidden\" repo read\n");
    write_file(path_of("extra/long.conf"),
               xprintf("IAMRole \"Long\" repo read%*s\n<IfVersion >= 2.4>\n"
                       "  IAMRole \"Versioned\" repo read\n</IfVersion>\n"
                       "<IfFile %s>\n  IAMRole \"Filed\" repo read\n</IfFile>\n"
                       "<IfFile !%s>\n  IAMRole \"Unfiled\" repo read\n</IfFile>\n",
                       20000, "", conf, conf));
    write_file(conf, xprintf("%sInclude extra/\n", iam_test_slurp(conf)));
    EXPECT_EXIT(0, ctl_conf(conf, "roles --json"));
    a = out_json();
    ck_assert_ptr_nonnull(jfind(a, "name", "Deep"));
    ck_assert_ptr_nonnull(jfind(a, "name", "Hidden"));
    ck_assert_ptr_nonnull(jfind(a, "name", "Long"));
    ck_assert_ptr_nonnull(jfind(a, "name", "Versioned"));
    ck_assert_ptr_nonnull(jfind(a, "name", "Filed"));
    ck_assert_ptr_null(jfind(a, "name", "Unfiled"));
    json_decref(a);
    /* a read records nothing: the store still has the roles of the last write */
    CTL_OK(NULL, "roles --json");
    a = out_json();
    ck_assert_ptr_null(jfind(a, "name", "Deep"));
    json_decref(a);
    /* the file's settings are its store's: -d may not name another */
    EXPECT_EXIT(2, ctl_conf(conf, "-d /tmp roles"));
    /* a mistake is named with its file and line */
    write_file(path_of("mods-enabled/bad.conf"), "\nIAMRole \"Broken\" repo sometimes\n");
    EXPECT_EXIT(1, ctl_conf(conf, "roles"));
    assert_error_line("mods-enabled/bad.conf:2: IAMRole \"Broken\": 'sometimes' is not a level");
    unlink(path_of("mods-enabled/bad.conf"));
    write_file(path_of("other.conf"), "Include nowhere/*.conf\n");
    EXPECT_EXIT(1, ctl_conf(path_of("other.conf"), "roles"));
    assert_error_line("other.conf:1: Include");
    EXPECT_EXIT(1, ctl_conf(path_of("missing.conf"), "roles"));
    assert_error_line("cannot read");
    write_file(path_of("loop.conf"), xprintf("Include \"%s\"\n", path_of("loop.conf")));
    EXPECT_EXIT(1, ctl_conf(path_of("loop.conf"), "roles"));
    assert_error_line("nest more than");
    EXPECT_EXIT(2, ctl_conf(conf, "--plan team roles"));
}
END_TEST

/* ---- plans ---- */

START_TEST(test_plan_team)
{
    json_t *a;

    CTL_OK("plan team", "--plan team init");
    CTL_OK(NULL, "member add alice --owner");
    CTL_OK(NULL, "member add bob");
    CTL_FAILS("team", "grant --member bob source-read-only --all");
    CTL_FAILS("team", "grant --member bob source-admin --label env:prod");
    CTL_FAILS("team", "group create eng");
    CTL_OK(NULL, "grant --member bob source-admin --resource web");
    CTL_OK("(not on the team plan)", "roles");
    CTL_OK(NULL, "roles --json");
    a = out_json();
    ck_assert(!jbool(jfind(a, "slug", "source-read-only"), "plan_allows"));
    ck_assert(jbool(jfind(a, "slug", "source-admin"), "plan_allows"));
    json_decref(a);
    /* No server has recorded a plan: iamctl may change it. */
    CTL_OK("plan of", "--plan business");
    assert_holds(out, "set to business");
    CTL_OK(NULL, "grant --member bob source-read-only --all");
    /* No store to set it on. */
    EXPECT_EXIT(1, ctl_at(path_of("none"), "--plan team"));
    assert_error_line("init");
}
END_TEST

/* ---- the suite ---- */

static TCase *tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, ctl_setup, ctl_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    return tc;
}

/* ---- crash safety: writes killed at random moments ---- */

/* Starts iamctl with these arguments, output discarded; returns its pid. */
static pid_t spawn_ctl(char *const args[])
{
    char bin[512];
    char *argv[16];
    pid_t pid;
    int i, n = 0;

    snprintf(bin, sizeof(bin), "%s/iamctl", iam_test_build_dir());
    argv[n++] = bin;
    argv[n++] = "-d";
    argv[n++] = store;
    for (i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execv(bin, argv);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    return pid;
}

#define KILL_ROUNDS 150

/* Writes (adds, memberships, group grants that rewrite every member's copy)
 * each killed with SIGKILL after a random delay, most of them mid-write.
 * Afterwards the store opens, verify finds no damage, and every write that
 * reported success is there. */
START_TEST(test_writes_killed)
{
    int done[KILL_ROUNDS] = {0}, killed = 0, finished = 0, i, window;
    unsigned seed = (unsigned)time(NULL);
    struct timespec t0, t1;

    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add olivia --owner");
    CTL_OK(NULL, "group create all");
    CTL_OK(NULL, "member add witness"); /* holds only what group all grants */
    CTL_OK(NULL, "group add all witness");
    /* kill within twice the time an unkilled write takes here: on a slow
     * disk as on a fast one, about half die mid-way */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CTL_OK(NULL, "grant --group all source-read-only --resource timing");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    window = (int)((t1.tv_sec - t0.tv_sec) * 2000000 + (t1.tv_nsec - t0.tv_nsec) / 500);
    window = window < 2000 ? 2000 : window;
    srand(seed);
    for (i = 0; i < KILL_ROUNDS; i++) {
        char login[32], *const add[] = {"member", "add", login, NULL},
                               *const join[] = {"group", "add", "all", login, NULL},
                               *const grant[] = {"grant",      "--group", "all", "source-read-only",
                                                 "--resource", login,     NULL};
        char *const *args = i % 3 == 0 ? add : i % 3 == 1 ? join : grant;
        int status;
        pid_t pid;

        snprintf(login, sizeof(login), "u%03d", i - i % 3);
        pid = spawn_ctl(args);
        usleep((useconds_t)(rand() % window));
        kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            done[i] = 1;
            finished++;
        } else if (WIFSIGNALED(status)) {
            killed++;
        }
    }
    ck_assert_msg(killed > 10 && finished > 10, "seed %u: %d killed, %d finished: tune the delay",
                  seed, killed, finished);
    CTL_OK("no damage", "verify");
    for (i = 0; i < KILL_ROUNDS; i++) {
        if (!done[i])
            continue;
        if (i % 3 == 0)
            CTL_OK(NULL, "member show u%03d", i);
        else if (i % 3 == 1)
            CTL_OK("all", "member show u%03d", i - 1);
        else
            CTL_OK("allow", "check witness source u%03d read", i - 2);
    }
    printf("crash safety: %d of %d writes killed with SIGKILL, %d finished and found, no damage "
           "(seed %u)\n",
           killed, KILL_ROUNDS, finished, seed);
}
END_TEST

Suite *suite_iamctl(void)
{
    Suite *s = suite_create("iamctl");
    TCase *tc;

    tc = tcase("init");
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_help_and_map_size);
    suite_add_tcase(s, tc);

    tc = tcase("member");
    tcase_add_test(tc, test_member_add);
    tcase_add_test(tc, test_member_invite);
    tcase_add_test(tc, test_member_list);
    tcase_add_test(tc, test_member_show);
    tcase_add_test(tc, test_member_remove);
    suite_add_tcase(s, tc);

    tc = tcase("grant");
    tcase_add_test(tc, test_grant_member);
    tcase_add_test(tc, test_grant_group);
    tcase_add_test(tc, test_grant_refused);
    suite_add_tcase(s, tc);

    tc = tcase("group");
    tcase_add_test(tc, test_group_commands);
    tcase_add_test(tc, test_group_usage);
    suite_add_tcase(s, tc);

    tc = tcase("roles");
    tcase_add_test(tc, test_roles);
    suite_add_tcase(s, tc);

    tc = tcase("export");
    tcase_add_test(tc, test_export_import_round_trip);
    tcase_add_test(tc, test_import_stdin);
    tcase_add_test(tc, test_import_refused);
    suite_add_tcase(s, tc);

    tc = tcase("check");
    tcase_add_test(tc, test_check);
    tcase_add_test(tc, test_check_usage);
    suite_add_tcase(s, tc);

    tc = tcase("usage");
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_options_without_values);
    tcase_add_test(tc, test_invalid_utf8_refused);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_output_errors);
    tcase_add_test(tc, test_damaged_store);
    tcase_add_test(tc, test_short_data_file);
    tcase_add_test(tc, test_conf_file);
    suite_add_tcase(s, tc);

    tc = tcase("plan");
    tcase_add_test(tc, test_plan_team);
    suite_add_tcase(s, tc);

    tc = tcase("crash");
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_test(tc, test_writes_killed);
    suite_add_tcase(s, tc);

    return s;
}
