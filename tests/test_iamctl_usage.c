/* iamctl tests: the command line itself and what it reads. Usage errors
 * (no command, unknown ones, options without values), names that are not
 * UTF-8, commands on a store not made yet, the last owner kept, output
 * that cannot be written, stores that are damaged or cut short (verify
 * finds it, no command dies of SIGBUS); -f, the server's configuration
 * read as Apache reads it; --plan. */
#include "iamctl_test.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    m = ctlt_member_json("sam");
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
    write_file(conf, xprintf("# Debian's layout, ServerRoot the file's directory\n"
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

/* Adds this file's TCases to the suite. */
void ctlt_add_usage(Suite *s)
{
    TCase *tc;

    tc = ctlt_tcase("usage");
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_options_without_values);
    tcase_add_test(tc, test_invalid_utf8_refused);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_output_errors);
    tcase_add_test(tc, test_damaged_store);
    tcase_add_test(tc, test_short_data_file);
    tcase_add_test(tc, test_conf_file);
    suite_add_tcase(s, tc);

    tc = ctlt_tcase("plan");
    tcase_add_test(tc, test_plan_team);
    suite_add_tcase(s, tc);
}
