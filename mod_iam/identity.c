/* mod_iam: who the user is, for the backend. With IAMForwardHeaders On,
 * every request mod_iam allows carries X-IAM-* request headers (for a
 * proxied app) and IAM_* variables (for CGI, SSI and mod_rewrite). Headers
 * of those names sent by a client are removed from every request, whether
 * forwarding is on or not, so a client can never forge them. */
#include "mod_iam.h"

#include "apr_lib.h"
#include "apr_strings.h"
#include "http_protocol.h"
#include "http_request.h"

static const struct {
    const char *header, *var;
} names[] = {
    {"X-IAM-User", "IAM_USER"},   {"X-IAM-Email", "IAM_EMAIL"}, {"X-IAM-Name", "IAM_NAME"},
    {"X-IAM-Owner", "IAM_OWNER"}, {"X-IAM-PII", "IAM_PII"},     {"X-IAM-Resource", "IAM_RESOURCE"},
    {"X-IAM-Level", "IAM_LEVEL"},
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Is `h` one of ours, in any case and with '-' or '_' (CGI maps both to
 * the same variable)? */
static int ours(const char *h)
{
    const char *p = "x-iam-";
    size_t i;

    for (i = 0; p[i]; i++) {
        char c = (char)apr_tolower(h[i]);
        if (c != p[i] && !(p[i] == '-' && c == '_'))
            return 0;
    }
    return 1;
}

static int strip_forged(request_rec *r)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_array_header_t *drop = NULL;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key && ours(e[i].key)) {
            if (!drop)
                drop = apr_array_make(r->pool, 2, sizeof(const char *));
            APR_ARRAY_PUSH(drop, const char *) = e[i].key;
        }
    }
    for (i = 0; drop && i < drop->nelts; i++) {
        iam_log_r(r, APLOG_INFO, 0, "removed the client's %s header",
                  APR_ARRAY_IDX(drop, i, const char *));
        apr_table_unset(r->headers_in, APR_ARRAY_IDX(drop, i, const char *));
    }
    return DECLINED;
}

void iam_identity_register(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_read_request(strip_forged, NULL, NULL, APR_HOOK_REALLY_FIRST);
}

/* No control characters in a header or variable, at most 512 bytes. */
static const char *clean(apr_pool_t *p, const char *s)
{
    char *v = apr_pstrndup(p, s ? s : "", 512), *c;

    for (c = v; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    }
    return v;
}

void iam_identity_forward(request_rec *r, const iam_subject_t *subj, const iam_resource_t *res)
{
    const iam_dir_conf_t *dc = iam_dir_of(r);
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    const char *values[NNAMES];
    iam_level_e level = IAM_LEVEL_NONE;
    size_t i;

    if (!iam_dir_forward_headers(dc) || !subj || !subj->member)
        return;
    if (res)
        level = subj->owner ? IAM_LEVEL_ADMIN
                            : iam_policy_level(iam_ws_roles(ws), iam_ws_plan(ws), subj->sets,
                                               subj->nsets, res);
    values[0] = subj->member->login;
    values[1] = subj->member->email;
    values[2] = subj->member->name;
    values[3] = subj->owner ? "true" : "false";
    values[4] = subj->pii ? "true" : "false";
    values[5] = res ? apr_pstrcat(r->pool, res->type, ":", res->name ? res->name : "*", NULL) : "";
    values[6] = res ? iam_level_name(level) : "";
    for (i = 0; i < NNAMES; i++) {
        const char *v = clean(r->pool, values[i]);
        apr_table_setn(r->headers_in, names[i].header, v);
        apr_table_setn(r->subprocess_env, names[i].var, v);
    }
}
