/* iamctl tests: export and import. A populated store exported and
 * imported into a new one compares equal, PII access included; import
 * from stdin; imports refused (not JSON, not an export, another version,
 * an unknown role, a missing file, a store that is not empty) leave the
 * store as it was. */
#include "iamctl_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* ---- export and import ---- */

static void assert_store_empty(const char *dir)
{
    json_t *j;

    EXPECT_EXIT(0, ctl_at(dir, "export"));
    j = out_json();
    ck_assert_int_eq(json_array_size(json_object_get(j, "members")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "groups")), 0);
    json_decref(j);
}

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

/* Adds this file's TCases to the suite. */
void ctlt_add_export(Suite *s)
{
    TCase *tc;

    tc = ctlt_tcase("export");
    tcase_add_test(tc, test_export_import_round_trip);
    tcase_add_test(tc, test_import_stdin);
    tcase_add_test(tc, test_import_refused);
    suite_add_tcase(s, tc);
}
