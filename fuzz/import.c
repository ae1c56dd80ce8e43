/* Fuzz target: `iamctl import` (issue 7).
 *
 * An export file comes from anywhere: it is parsed the way cmd_import
 * parses it (jansson with JSON_REJECT_DUPLICATES, then read_export, then
 * the JSON freed before the store sees the result), and what read_export
 * accepts is imported into an empty store in a temporary store. An
 * import the store accepts must leave it consistent: iam_store_verify
 * must find nothing wrong, else the target aborts.
 *
 * read_export is static, so this file includes iamctl's files themselves
 * (fine for a fuzz target), with its main renamed out of the way. */
#pragma clang diagnostic ignored "-Wunused-function"
#define main iamctl_main
#include "../mod_iam/iamctl/iamctl.c"
#undef main
#include "../mod_iam/iamctl/iamctl_members.c"
#include "../mod_iam/iamctl/iamctl_groups.c"
#include "../mod_iam/iamctl/iamctl_export.c"
#include "../mod_iam/iamctl/iamctl_check.c"
#include "../mod_iam/iamctl/iamctl_log.c"
#include "../mod_iam/iamctl/iamctl_replica.c"
#include "../mod_iam/iamctl/iamctl_labels.c"
#include "../mod_iam/iamctl/iamctl_resources.c"

#include "tmp_store.h"

static apr_pool_t *root, *store_pool;
static iam_store_t *store;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A new, empty store (a successful import fills the old one). */
static void fresh_store(void)
{
    if (store_pool)
        apr_pool_destroy(store_pool); /* closes the old one */
    apr_pool_create(&store_pool, root);
    store = fuzz_store_open(store_pool);
}

/* Closes the store at exit: LeakSanitizer does not see what LMDB
 * allocated through pointers kept in APR pool memory. */
static void close_store(void)
{
    if (store_pool)
        apr_pool_destroy(store_pool);
    store_pool = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    fresh_store();
    atexit(close_store);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_array_header_t *members = NULL, *groups = NULL, *labels = NULL, *resources = NULL;
    json_error_t jerr;
    json_t *j;
    iam_plan_e plan = IAM_PLAN_FREE;
    iam_err_t err;
    apr_pool_t *p;
    const char *msg;

    j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!j)
        return 0;
    apr_pool_create(&p, root);
    msg = read_export(p, j, &plan, &members, &groups);
    if (!msg)
        msg = read_export_labels(p, j, &labels, &resources);
    json_decref(j); /* as cmd_import does: what was read must not point into it */
    if (!msg && iam_store_import_all(store, "iamctl:fuzz", plan, members, groups, labels, resources,
                                     &err) == IAM_OK) {
        iam_verify_t v;
        memset(&v, 0, sizeof(v));
        if (iam_store_verify(store, p, &v, &err) != IAM_OK || v.nproblems) {
            fprintf(stderr, "fuzz import: an accepted import left the store damaged: %s\n",
                    v.nproblems ? APR_ARRAY_IDX(v.problems, 0, const char *) : err.msg);
            abort();
        }
        if (members->nelts || groups->nelts || labels->nelts || resources->nelts)
            fresh_store();
    }
    apr_pool_destroy(p);
    return 0;
}
