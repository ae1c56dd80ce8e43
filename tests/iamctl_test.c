/* The iamctl suite's shared part (iamctl_test.h says what the suite
 * tests and which file holds what): the fixture's directory and store,
 * running iamctl and keeping what it printed, the assertions on its exit
 * status and output, reading its JSON, a populated workspace, and the
 * suite. */
#include "iamctl_test.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ctlt_tmp_dir;
char store[512];
char last_cmd[4096];
char *out, *errs;

/* ---- fixture ---- */

void forget_output(void)
{
    free(out);
    free(errs);
    out = errs = NULL;
}

static void ctl_setup(void)
{
    ctlt_tmp_dir = iam_test_tmpdir("ctl");
    snprintf(store, sizeof(store), "%s/store", ctlt_tmp_dir);
}

static void ctl_teardown(void)
{
    forget_output();
    iam_test_rmtree(ctlt_tmp_dir);
    free(ctlt_tmp_dir);
}

/* ---- running iamctl ---- */

/* A path in the fixture's directory. */
const char *path_of(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];

    snprintf(p, sizeof(buf[0]), "%s/%s", ctlt_tmp_dir, name);
    return p;
}

static int vctl(const char *dir, const char *fmt, va_list ap)
{
    vsnprintf(last_cmd, sizeof(last_cmd), fmt, ap);
    forget_output();
    return iam_test_run(&out, &errs, "%s/iamctl -d '%s' %s", iam_test_build_dir(), dir, last_cmd);
}

/* Runs `iamctl -d STORE ARGS`; returns the exit status. */
int __attribute__((format(printf, 1, 2))) ctl(const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vctl(store, fmt, ap);
    va_end(ap);
    return rc;
}

/* The same on another store directory. */
int __attribute__((format(printf, 2, 3))) ctl_at(const char *dir, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vctl(dir, fmt, ap);
    va_end(ap);
    return rc;
}

void assert_holds(const char *what, const char *text)
{
    if (text)
        ck_assert_msg(strstr(what, text) != NULL, "iamctl %s: no '%s' in:\n%s", last_cmd, text,
                      what);
}

void assert_error_line(const char *text)
{
    const char *nl = strchr(errs, '\n');

    ck_assert_msg(!strncmp(errs, "iamctl: ", 8), "iamctl %s: stderr is not 'iamctl: ...': %s",
                  last_cmd, errs);
    ck_assert_msg(nl && nl[1] == '\0', "iamctl %s: stderr is not one line: %s", last_cmd, errs);
    assert_holds(errs, text);
    ck_assert_msg(out[0] == '\0', "iamctl %s: an error also printed: %s", last_cmd, out);
}

void assert_usage(const char *text)
{
    assert_holds(errs, "usage: iamctl");
    if (text) {
        ck_assert_msg(!strncmp(errs, "iamctl: ", 8), "iamctl %s: no reason first: %s", last_cmd,
                      errs);
        assert_holds(errs, text);
    }
    ck_assert_msg(out[0] == '\0', "iamctl %s: bad usage printed: %s", last_cmd, out);
}

/* ---- JSON ---- */

/* What the last command printed, parsed (a new reference). */
json_t *out_json(void)
{
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);

    ck_assert_msg(j != NULL, "iamctl %s: not JSON (%s):\n%s", last_cmd, jerr.text, out);
    return j;
}

const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_string(v), "no string \"%s\"", key);
    return json_string_value(v);
}

int jbool(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_boolean(v), "no boolean \"%s\"", key);
    return json_is_true(v);
}

/* The element of `array` whose `key` is `value`, or NULL. */
json_t *jfind(json_t *array, const char *key, const char *value)
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
const char *jwords(json_t *array)
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
json_t *ctlt_member_json(const char *login)
{
    CTL_OK(NULL, "member show '%s' --json", login);
    return out_json();
}

json_t *group_json(const char *name)
{
    CTL_OK(NULL, "group show '%s' --json", name);
    return out_json();
}

/* The items of the grant of `role` in an object's "grants", "-" if none. */
const char *grant_items(json_t *holder, const char *role)
{
    json_t *g = jfind(json_object_get(holder, "grants"), "role", role), *items;

    if (!g)
        return "-";
    if (!strcmp(jstr(g, "scope"), "all"))
        return "all";
    items = json_object_get(g, !strcmp(jstr(g, "scope"), "labels") ? "labels" : "resources");
    return jwords(items);
}

void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* ---- a workspace with a bit of everything ---- */

void populate(void)
{
    CTL_OK(NULL, "init");
    CTL_OK(NULL, "member add alice --email alice@example.com --name 'Alice Liddell' --owner");
    CTL_OK(NULL, "member add bob --email bob@example.com");
    CTL_OK(NULL, "member invite carol@example.com --name Carol");
    CTL_OK(NULL, "group create eng");
    CTL_OK(NULL, "group add eng bob carol@example.com");
    CTL_OK(NULL, "grant --group eng source-admin --resource web api");
    CTL_OK(NULL, "label create team:x --description 'Team X'");
    CTL_OK(NULL, "grant --member bob personas-read-only --label env:prod team:x");
    CTL_OK(NULL, "grant --member bob warehouse-read-only --all");
}

/* ---- the suite ---- */

TCase *ctlt_tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, ctl_setup, ctl_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_DISK);
    return tc;
}

Suite *suite_iamctl(void)
{
    Suite *s = suite_create("iamctl");

    ctlt_add_members(s);
    ctlt_add_groups(s);
    ctlt_add_export(s);
    ctlt_add_check(s);
    ctlt_add_usage(s);
    ctlt_add_crash(s);
    return s;
}
