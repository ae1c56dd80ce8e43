/* Fuzz target: the operation log's codec and its apply (issue 14).
 *
 * A replica takes entries from elsewhere: whatever bytes arrive must decode
 * to an entry or to a reason, never to a crash or a wild read. An entry
 * that decodes must encode back to the very same bytes (one codec, one
 * form), and applying it to a store, renumbered to follow the store's last
 * entry, must end in IAM_OK or a clear refusal that changed nothing (the
 * store's digest is the same after a refusal). */
#include "iam_store.h"
#include "tmp_store.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static apr_pool_t *root, *store_pool;
static iam_store_t *store;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    apr_pool_create(&store_pool, root);
    store = fuzz_store_open(store_pool);
    atexit(close_store);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    iam_log_entry_t e, next;
    unsigned long long oldest, head;
    unsigned char before[32], after[32];
    const char *why;
    void *again;
    size_t n = 0, sum = 0;
    iam_err_t err;
    int i, applied;
    iam_status_e st;

    apr_pool_create(&p, root);
    why = iam_log_decode(p, data, size, &e);
    if (why) {
        sum += strlen(why);
    } else {
        sum += strlen(e.actor);
        for (i = 0; i < e.nops; i++)
            sum += strlen(iam_op_describe(p, &e.ops[i]));
        again = iam_log_encode(p, &e, &n);
        if (n != size || memcmp(again, data, size))
            abort(); /* decoded, but not the codec's own form */
        if (iam_store_log_head(store, &oldest, &head, &err) != IAM_OK)
            abort();
        next = e;
        next.seq = head + 1;
        next.data = iam_log_encode(p, &next, &next.len);
        if (iam_store_digest(store, before, &err) != IAM_OK)
            abort();
        st = iam_store_log_apply(store, &next, 1, &applied, &err);
        if (st != IAM_OK) {
            if (!err.msg[0] || iam_store_digest(store, after, &err) != IAM_OK ||
                memcmp(before, after, 32))
                abort(); /* refused without a reason, or changed something */
        } else if (applied != 1) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return sum == (size_t)-1;
}
