/* Fuzz target: SCIM's endpoints (issue 17), from the request line to the
 * store, as an identity provider's token would reach them.
 *
 * The input is a request: its first line "METHOD PATH[?QUERY]
 * [CONTENT-TYPE]" (PATH under scim/v2/, e.g. "Users/$U" or
 * "Groups?filter=displayName eq \"eng\""), the rest its body. "$U" and
 * "$G" in the line and the body stand for the ids of the seeded member
 * sam and group eng (ids are random: an input could not know them).
 * Writes go to a real store in a temporary directory, seeded with an
 * owner, members, a group and a SCIM group; a write that changes the store
 * (its log grows) has it seeded anew. Every answer must be one JSON
 * document, and a refusal the RFC's error; a 204 has no body. */
#include "httpd_stub.h"

#include "../mod_iam/web.c"
#include "../mod_iam/scim/scim.c"
#include "../mod_iam/scim/users.c"
#include "../mod_iam/scim/groups.c"

#include "tmp_store.h"

#include <stdint.h>

static apr_pool_t *root, *store_pool;
static iam_store_t *store;
static const iam_workspace_t *ws;
static server_rec *server;
static unsigned long long seeded_head;
static char user_id[64], group_id[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The token's way in is not fuzzed here (its check is the API's): the
 * inputs start past it. */
iam_store_t *iam_request_store(request_rec *r)
{
    (void)r;
    return store;
}

void iam_touch(request_rec *r, char kind, const char *key)
{
    (void)r, (void)kind, (void)key;
}

static void must(iam_status_e st, const iam_err_t *err)
{
    fuzz_must("scim_body", st, err);
}

static unsigned long long log_head(void)
{
    unsigned long long oldest = 0, head = 0;
    iam_err_t err;

    iam_store_log_head(store, &oldest, &head, &err);
    return head;
}

static void seed_store(void)
{
    static const char *const eng[] = {"sam", "rita"};
    iam_scim_group_spec_t g = {NULL, "Data Analysts", "ext-g", NULL, NULL, NULL};
    iam_scim_entry_t e;
    iam_scim_id_t *made;
    apr_pool_t *p;
    iam_err_t err;

    if (store_pool)
        apr_pool_destroy(store_pool);
    apr_pool_create(&store_pool, root);
    store = fuzz_store_open(store_pool);
    fuzz_seed_people("scim_body", store, iam_ws_roles(ws));
    must(iam_store_group_create(store, "fuzz", "eng", &err), &err);
    must(iam_store_group_members(store, "fuzz", "eng", 1, eng, 2, &err), &err);
    apr_pool_create(&p, root);
    must(iam_store_scim_group_put(store, "scim:fuzz", &g, p, &made, &err), &err);
    must(iam_store_ids_fill(store, "system", &err), &err);
    must(iam_store_scim_get(store, p, IAM_ID_MEMBER, NULL, "sam", 0, &e, &err), &err);
    snprintf(user_id, sizeof(user_id), "%s", e.id->id);
    must(iam_store_scim_get(store, p, IAM_ID_GROUP, NULL, "eng", 0, &e, &err), &err);
    snprintf(group_id, sizeof(group_id), "%s", e.id->id);
    apr_pool_destroy(p);
    seeded_head = log_head();
}

static void close_store(void)
{
    if (store_pool)
        apr_pool_destroy(store_pool);
    store_pool = NULL;
}

/* s with "$U" and "$G" replaced by the seeded ids. */
static char *with_ids(apr_pool_t *p, const char *s, apr_size_t n, apr_size_t *out_len)
{
    char *out = apr_palloc(p, n * 40 + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '$' && i + 1 < n && (s[i + 1] == 'U' || s[i + 1] == 'G')) {
            const char *id = s[i + 1] == 'U' ? user_id : group_id;
            memcpy(o, id, strlen(id));
            o += strlen(id);
            i++;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    *out_len = (apr_size_t)(o - out);
    return out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    cmd_parms *cmd;
    const char *why;

    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    server = stub_server(root, 0);
    cmd = stub_cmd(root, server, NULL);
    if ((why = stub_run(cmd, "IAMPlan business"))) {
        fprintf(stderr, "fuzz scim_body: %s\n", why);
        abort();
    }
    ws = iam_workspace_of(server);
    seed_store();
    atexit(close_store);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size), *out, *rest;
    char *line, *method, *path, *ct, *q, *last, *body;
    apr_size_t blen, llen, out_len;
    apr_pool_t *p;
    request_rec *r;
    iam_web_t w;
    scim_t s;
    json_t *answer;
    json_error_t jerr;
    int rc;

    if (!nl || size > 256 * 1024)
        return 0;
    apr_pool_create(&p, root);
    line = with_ids(p, (const char *)data, (apr_size_t)(nl - (const char *)data), &llen);
    body = with_ids(p, nl + 1, size - (apr_size_t)(nl + 1 - (const char *)data), &blen);
    last = NULL;
    method = apr_strtok(line, " ", &last);
    path = method ? apr_strtok(NULL, " ", &last) : NULL;
    ct = path ? apr_strtok(NULL, "", &last) : NULL;
    if (!method || !path) {
        apr_pool_destroy(p);
        return 0;
    }
    r = stub_request(p, server, iam_create_dir_conf(p, NULL), method, "/iam/scim/v2/");
    apr_table_setn(r->headers_in, "Content-Type", ct ? ct : "application/scim+json");
    memset(&w, 0, sizeof(w));
    w.r = r;
    w.ws = ws;
    w.st = store;
    w.base = "/iam";
    w.actor = "scim:tok_fuzz";
    if ((q = strchr(path, '?'))) {
        *q++ = '\0';
        r->args = q;
        if (!(w.query = iam_web_parse_form(p, q))) { /* as admin.c: 400 before SCIM */
            apr_pool_destroy(p);
            return 0;
        }
    } else {
        w.query = apr_table_make(p, 1);
    }
    w.sub = apr_pstrcat(p, "scim/v2/", path, NULL);
    s.w = &w;
    s.body = NULL;
    stub_body(r, body, blen, blen % 5 ? blen : 7, (int)(blen & 1));
    /* as iam_scim_handle routes, past the token */
    rest = path;
    if (!strcmp(rest, "Users") || !strncmp(rest, "Users/", 6))
        rc = scim_users(&s, rest[5] ? rest + 6 : NULL);
    else if (!strcmp(rest, "Groups") || !strncmp(rest, "Groups/", 7))
        rc = scim_groups(&s, rest[6] ? rest + 7 : NULL);
    else
        rc = discovery(&s, rest);
    out = stub_output(&out_len);
    if (rc != DONE) {
        fprintf(stderr, "fuzz scim_body: %s %s answered %d, not DONE\n", method, path, rc);
        abort();
    }
    if (r->status == HTTP_NO_CONTENT || (r->header_only && !out_len)) {
        if (out_len) {
            fprintf(stderr, "fuzz scim_body: %s %s: a 204 with a body\n", method, path);
            abort();
        }
    } else if (!*out || !(answer = json_loads(out, 0, &jerr))) {
        fprintf(stderr, "fuzz scim_body: %s %s answered %d: %s\n", method, path, r->status,
                *out ? out : "(nothing)");
        abort();
    } else {
        /* a refusal is the RFC's error, with its status as a string */
        if (r->status >= 400 &&
            (!json_is_string(json_object_get(answer, "status")) ||
             atoi(json_string_value(json_object_get(answer, "status"))) != r->status)) {
            fprintf(stderr, "fuzz scim_body: %s %s: %d is not the RFC's error: %s\n", method, path,
                    r->status, out);
            abort();
        }
        json_decref(answer);
    }
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s %s -> %d %s\n", method, path, r->status, out);
    if (log_head() != seeded_head)
        seed_store();
    apr_pool_destroy(p);
    return 0;
}
