/* Fuzz target: the JSON API (issue 7), from the request line to the store.
 *
 * The input is a request: its first line "METHOD PATH[?QUERY] [CONTENT-TYPE]"
 * (PATH as the handler sees it, e.g. "api/v1/members/sam/grants"), the rest
 * its body. iam_api_handle routes it; writes read the body (api_read_json:
 * Content-Type, size limit, jansson, the field readers of present.c) and go
 * to a real store in a temporary directory, seeded with a few members and
 * groups. A write that changes the store (its audit trail grows) has the
 * store seeded anew, so every input starts from the same state. Every
 * answer must be valid JSON.
 *
 * The API's files and web.c need a few httpd functions: the tests'
 * stand-in for httpd (tests/httpd_stub.c, linked) gives them, and the
 * workspace is made by config.c from directives, as httpd.conf makes it. */
#include "httpd_stub.h"

#include "../mod_iam/web.c"
#include "../mod_iam/api/api.c"
#include "../mod_iam/api/api_members.c"
#include "../mod_iam/api/api_groups.c"
#include "../mod_iam/api/api_requests.c"
#include "../mod_iam/api/api_workspace.c"
#include "../mod_iam/api/api_resources.c"
#include "../mod_iam/api/api_labels.c"
#include "../mod_iam/api/api_tokens.c"

#include "tmp_store.h"

#include <stdint.h>

static apr_pool_t *root, *store_pool;
static iam_store_t *store;
static const iam_workspace_t *ws;
static server_rec *server;
static unsigned long long seeded_seq;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int iam_mail_invitation(request_rec *r, const iam_member_t *m, const char *inviter)
{
    (void)r;
    (void)m;
    (void)inviter;
    return -1; /* no IAMMailCommand */
}

void iam_mail_request_answered(request_rec *r, iam_store_t *st, const iam_request_t *q,
                               const char *by)
{
    (void)r;
    (void)st;
    (void)q;
    (void)by; /* no IAMMailCommand */
}

static void must(iam_status_e st, const iam_err_t *err)
{
    fuzz_must("json_body", st, err);
}

static unsigned long long audit_seq(void)
{
    apr_array_header_t *list;
    apr_pool_t *p;
    iam_err_t err;
    unsigned long long seq = 0;

    apr_pool_create(&p, root);
    if (iam_store_audit_list(store, p, 0, 1, &list, &err) == IAM_OK && list->nelts)
        seq = APR_ARRAY_IDX(list, 0, iam_audit_t *)->seq;
    apr_pool_destroy(p);
    return seq;
}

/* The store every input starts from: an owner, members, groups, grants,
 * an access request. */
static void seed_store(void)
{
    static const char *items[] = {"checkout", "web"}, *labels[] = {"env:prod"};
    static const char *const eng[] = {"sam", "rita"};
    iam_grant_t g;
    iam_request_t q = {"max",           "source", "checkout", "/sources/checkout/",
                       IAM_LEVEL_ADMIN, "please", 0};
    iam_err_t err;
    iam_request_change_e change;

    if (store_pool)
        apr_pool_destroy(store_pool); /* closes the old one */
    apr_pool_create(&store_pool, root);
    store = fuzz_store_open(store_pool);
    fuzz_seed_people("json_body", store, iam_ws_roles(ws));
    g = (iam_grant_t){"source-admin", IAM_SCOPE_RESOURCES, 2, items};
    must(iam_store_grant(store, "fuzz", 0, "sam", &g, &err), &err);
    must(iam_store_group_create(store, "fuzz", "eng", &err), &err);
    g = (iam_grant_t){"source-read-only", IAM_SCOPE_LABELS, 1, labels};
    must(iam_store_grant(store, "fuzz", 1, "eng", &g, &err), &err);
    must(iam_store_group_members(store, "fuzz", "eng", 1, eng, 2, &err), &err);
    must(iam_store_request_put(store, "server", &q, 5, &change, &err), &err);
    seeded_seq = audit_seq();
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
    static const char *const lines[] = {
        "IAMRole \"Dashboard Viewer\" dashboard read",
        "IAMPlan business",
        "IAMResourcePath /sources/checkout/ source checkout",
        "IAMRequestLimit 5",
    };
    cmd_parms *cmd;
    size_t i;

    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    server = stub_server(root, 0);
    cmd = stub_cmd(root, server, NULL);
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        const char *why = stub_run(cmd, lines[i]);
        if (why) {
            fprintf(stderr, "fuzz json_body: %s: %s\n", lines[i], why);
            abort();
        }
    }
    ws = iam_workspace_of(server);
    seed_store();
    atexit(close_store);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size), *body;
    char *line, *method, *path, *ct, *q, *last;
    apr_size_t blen;
    apr_pool_t *p;
    request_rec *r;
    iam_web_t w;
    json_t *answer;
    json_error_t jerr;
    const char *out;
    apr_size_t out_len;
    int rc;

    if (!nl)
        return 0;
    apr_pool_create(&p, root);
    line = apr_pstrmemdup(p, (const char *)data, (apr_size_t)(nl - (const char *)data));
    body = nl + 1;
    blen = size - (apr_size_t)(body - (const char *)data);
    last = NULL;
    method = apr_strtok(line, " ", &last);
    path = method ? apr_strtok(NULL, " ", &last) : NULL;
    ct = path ? apr_strtok(NULL, "", &last) : NULL;
    if (!method || !path) {
        apr_pool_destroy(p);
        return 0;
    }

    r = stub_request(p, server, iam_create_dir_conf(p, NULL), method, "/iam/api/v1/");
    r->user = "olivia";
    apr_table_setn(r->headers_in, "Host", "127.0.0.1");
    apr_table_setn(r->headers_in, "Content-Type", ct ? ct : "application/json");
    memset(&w, 0, sizeof(w));
    w.r = r;
    w.ws = ws;
    w.st = store;
    w.base = "/iam";
    w.actor = "api:olivia";
    w.owner = "olivia";
    memset(w.secret, 7, sizeof(w.secret));
    if ((q = strchr(path, '?'))) {
        *q++ = '\0';
        r->args = q;
        /* as admin.c parses the query */
        if (!(w.query = iam_web_parse_form(p, q))) {
            apr_pool_destroy(p);
            return 0;
        }
    } else {
        w.query = apr_table_make(p, 1);
    }
    w.sub = path;

    stub_body(r, body, blen, blen % 5 ? blen : 7, (int)(blen & 1));
    rc = iam_api_handle(&w);
    /* every answer is one JSON document (api_send_json answers DONE), but
     * a HEAD's, which has no body */
    out = stub_output(&out_len);
    if (r->header_only && rc == DONE && !out_len) {
        if (r->method_number != M_GET && audit_seq() != seeded_seq)
            seed_store();
        apr_pool_destroy(p);
        return 0;
    }
    if (rc != DONE || !*out || !(answer = json_loads(out, 0, &jerr))) {
        fprintf(stderr, "fuzz json_body: %s %s answered %d: %s\n", method, path, rc,
                *out ? out : "(nothing)");
        abort();
    }
    /* api_send_json's last resort: the API could not encode its own answer */
    if (r->status == HTTP_INTERNAL_SERVER_ERROR &&
        !strcmp(json_string_value(json_object_get(json_object_get(answer, "error"), "code")) ?: "",
                "internal")) {
        fprintf(stderr, "fuzz json_body: %s %s: the answer could not be encoded\n", method, path);
        abort();
    }
    json_decref(answer);
    if (getenv("FUZZ_VERBOSE")) /* for writing seeds: what each one got */
        fprintf(stderr, "%s %s -> %d %s", method, path, r->status, out);

    if (r->method_number != M_GET && audit_seq() != seeded_seq)
        seed_store();
    apr_pool_destroy(p);
    return 0;
}
