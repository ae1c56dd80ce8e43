/* iamctl: the operation log (log, log status, log apply) and copy.
 *
 *   iamctl log [--after N] [--limit N] [--json]
 *       the entries after N (default: the last --limit, 20), oldest first;
 *       --json prints one JSON object a line, with the entry itself
 *       ("entry", base64) for `log apply`
 *   iamctl log status
 *       the entries kept, the last one, and the store's digest
 *   iamctl log apply FILE|-
 *       applies entries in that form (the store is made if there is none
 *       yet): those the store has are skipped, a gap or damage is refused
 *   iamctl copy DIR
 *       the store, as one snapshot, into a new directory */
#include "iamctl_int.h"

#include <openssl/evp.h>

#define APPLY_BATCH 500

static const char *b64(apr_pool_t *p, const void *data, size_t len)
{
    unsigned char *out = apr_palloc(p, 4 * ((len + 2) / 3) + 1);

    EVP_EncodeBlock(out, data, (int)len);
    return (const char *)out;
}

/* The bytes of a base64 text (NULL: not base64). */
static void *unb64(apr_pool_t *p, const char *s, size_t *len)
{
    size_t n = strlen(s);
    unsigned char *out;
    int got;

    if (n == 0 || n % 4 || n > 0x7ffffff0)
        return NULL;
    out = apr_palloc(p, n / 4 * 3 + 1);
    if ((got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n)) < 0)
        return NULL;
    *len = (size_t)got - (s[n - 1] == '=') - (s[n - 2] == '=');
    return out;
}

static json_t *entry_json(apr_pool_t *p, const iam_log_entry_t *e)
{
    json_t *ops = json_array();
    int i;

    for (i = 0; i < e->nops; i++)
        json_array_append_new(ops, json_string(iam_op_describe(p, &e->ops[i])));
    return json_pack("{s:I, s:s, s:s, s:o, s:s}", "seq", (json_int_t)e->seq, "time",
                     iam_time_text(p, e->time), "actor", e->actor, "ops", ops, "entry",
                     b64(p, e->data, e->len));
}

static int log_list(ctl_t *c, int argc, char **argv)
{
    int bad = 0, json, limit = 20, i, rc;
    const char *lim = ctl_take_opt(&argc, argv, "--limit", &bad);
    const char *after = ctl_take_opt(&argc, argv, "--after", &bad);
    unsigned long long from = 0, oldest, head;
    apr_array_header_t *list;
    iam_err_t err;
    char *end;

    json = ctl_take_flag(&argc, argv, "--json");
    if (bad || (lim && ((limit = atoi(lim)) < 1 || limit > 100000)))
        return ctl_usage("--limit needs a number from 1 to 100000");
    if (after && (!*after || (from = strtoull(after, &end, 10), *end) || *after == '-'))
        return ctl_usage("--after needs an entry's number");
    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 0)
        return ctl_usage("log takes no arguments (log status, log apply FILE)");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_log_head(c->st, &oldest, &head, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (!after) /* the last ones */
        from = head > (unsigned long long)limit ? head - (unsigned long long)limit : 0;
    if (!after && from + 1 < oldest)
        from = oldest - 1;
    if (iam_store_log_read(c->st, c->p, from, limit, &list, &err) != IAM_OK)
        return ctl_store_error(&err);
    for (i = 0; i < list->nelts; i++) {
        const iam_log_entry_t *e = APR_ARRAY_IDX(list, i, iam_log_entry_t *);
        int j;
        if (json) {
            char *line = json_dumps(entry_json(c->p, e), JSON_COMPACT);
            puts(line ? line : "{}");
            free(line);
            continue;
        }
        printf("%llu %s %s\n", e->seq, iam_time_text(c->p, e->time), e->actor);
        for (j = 0; j < e->nops; j++)
            printf("    %s\n", iam_op_describe(c->p, &e->ops[j]));
    }
    return 0;
}

static int log_status(ctl_t *c, int argc, char **argv)
{
    unsigned long long oldest, head;
    unsigned char d[32];
    iam_err_t err;
    int i;

    if (argc != 0)
        return ctl_usage("log status takes no arguments");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_log_head(c->st, &oldest, &head, &err) != IAM_OK ||
        iam_store_digest(c->st, d, &err) != IAM_OK)
        return ctl_store_error(&err);
    if (head && !oldest) /* started from a database's snapshot, nothing written since */
        printf("log: at entry %llu, none kept before it (a replica started from a snapshot)\n",
               head);
    else if (head)
        printf("log: entries %llu to %llu (the last %d are kept)\n", oldest, head, IAM_LOG_KEEP);
    else
        printf("log: no entries yet\n");
    printf("digest: ");
    for (i = 0; i < 32; i++)
        printf("%02x", d[i]);
    printf("\n");
    return 0;
}

/* Applies what `batch` holds; 0, or the exit status. */
static int apply_batch(ctl_t *c, iam_log_entry_t *batch, int n, long *applied)
{
    iam_err_t err;
    int done = 0;

    if (n && iam_store_log_apply(c->st, batch, n, &done, &err) != IAM_OK)
        return ctl_error("entries %llu to %llu: %s", batch[0].seq, batch[n - 1].seq, err.msg);
    *applied += done;
    return 0;
}

static int log_apply(ctl_t *c, int argc, char **argv)
{
    iam_log_entry_t batch[APPLY_BATCH];
    apr_pool_t *scratch;
    long line = 0, applied = 0;
    int n = 0, rc = 0;
    char *buf = NULL;
    size_t cap = 0;
    FILE *f;

    if (argc != 1)
        return ctl_usage("log apply takes one file (- for standard input)");
    if (!(f = strcmp(argv[0], "-") ? fopen(argv[0], "r") : stdin))
        return ctl_error("cannot read %s", argv[0]);
    if (ctl_open_store(c, IAM_OPEN_CREATE)) {
        rc = EXIT_FAILURE;
        goto done;
    }
    apr_pool_create(&scratch, c->p);
    while (rc == 0 && getline(&buf, &cap, f) > 0) {
        json_t *o = json_loads(buf, 0, NULL);
        const char *text = NULL;
        size_t len = 0;
        void *data;
        line++;
        if (!o || json_unpack(o, "{s:s}", "entry", &text) || !(data = unb64(scratch, text, &len)) ||
            iam_log_decode(scratch, data, len, &batch[n])) {
            rc = ctl_error("%s, line %ld: not an entry of `iamctl log --json`", argv[0], line);
        } else if (++n == APPLY_BATCH) {
            rc = apply_batch(c, batch, n, &applied);
            n = 0;
            apr_pool_clear(scratch);
        }
        json_decref(o);
    }
    if (rc == 0 && ferror(f))
        rc = ctl_error("reading %s failed", argv[0]);
    if (rc == 0)
        rc = apply_batch(c, batch, n, &applied);
    if (rc == 0)
        printf("%ld entries applied, %ld already there\n", applied, line - applied);
done:
    free(buf);
    if (f != stdin)
        fclose(f);
    return rc;
}

int cmd_log(ctl_t *c, int argc, char **argv)
{
    if (argc > 0 && !strcmp(argv[0], "status"))
        return log_status(c, argc - 1, argv + 1);
    if (argc > 0 && !strcmp(argv[0], "apply"))
        return log_apply(c, argc - 1, argv + 1);
    return log_list(c, argc, argv);
}

int cmd_copy(ctl_t *c, int argc, char **argv)
{
    iam_err_t err;
    int rc;

    if ((rc = ctl_unknown_option(argc, argv)))
        return rc;
    if (argc != 1)
        return ctl_usage("copy takes one directory");
    if (ctl_open_store(c, IAM_OPEN_RDONLY))
        return EXIT_FAILURE;
    if (iam_store_copy(c->st, argv[0], &err) != IAM_OK)
        return ctl_store_error(&err);
    printf("copied %s to %s\n", c->dir, argv[0]);
    return 0;
}
