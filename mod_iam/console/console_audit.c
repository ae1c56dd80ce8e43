/* mod_iam console: the audit trail in words. Entries as the overview and
 * the Audit page show them (logins named as people read them), and the
 * Audit page with its filters. */

#include "iam_audit_text.h"

#include "console_int.h"

#include "apr_hash.h"

/* Logins named as people read them: "Olivia Owner (olivia)", looked up
 * once per page; a login without a name (or no member now) as it is. */
typedef struct {
    page_t *pg;
    apr_hash_t *names;
} namer_t;

static const char *name_of(void *ctx, const char *login)
{
    namer_t *n = ctx;
    page_t *pg = n->pg;
    const char *name = apr_hash_get(n->names, login, APR_HASH_KEY_STRING);
    iam_member_t *m;
    iam_err_t err;

    if (!name) {
        name = iam_store_member_get(pg->w->st, P, login, &m, &err) == IAM_OK && *m->name
                   ? apr_psprintf(P, "%s (%s)", m->name, m->login)
                   : "";
        apr_hash_set(n->names, apr_pstrdup(P, login), APR_HASH_KEY_STRING, name);
    }
    return name;
}

/* One entry: when (the exact time on hover), what happened in words, and
 * what changed, folded. */
static void audit_entry(page_t *pg, namer_t *n, const iam_audit_t *a, long long now)
{
    iam_audit_text_t t;
    int i;

    iam_audit_describe(P, iam_ws_roles(pg->w->ws), a, name_of, n, &t);
    ap_rprintf(R,
               "<li><time datetime=\"%s\" title=\"%s\">%s</time> <span class=\"what\">%s."
               "</span>",
               iam_h(P, iam_time_text(P, a->time)), iam_h(P, iam_time_exact(P, a->time)),
               iam_h(P, iam_time_ago(P, a->time, now)), iam_h(P, t.sentence));
    if (t.changes && t.changes->nelts) {
        ap_rputs("<ul class=\"changes\">", R);
        for (i = 0; i < t.changes->nelts; i++)
            ap_rprintf(R, "<li>%s</li>", iam_h(P, APR_ARRAY_IDX(t.changes, i, const char *)));
        ap_rputs("</ul>", R);
    }
    ap_rputs("</li>\n", R);
}

void cs_audit_entries(page_t *pg, const apr_array_header_t *list)
{
    namer_t n = {pg, apr_hash_make(P)};
    long long now = (long long)apr_time_sec(apr_time_now());
    int i;

    ap_rputs("<ol class=\"audit\">", R);
    for (i = 0; i < list->nelts; i++)
        audit_entry(pg, &n, APR_ARRAY_IDX(list, i, iam_audit_t *), now);
    ap_rputs("</ol>", R);
}

/* The audit trail, newest first, in words; filtered by member, group,
 * who acted and kind of change (the store bounds how far one page looks
 * back: a rare filter offers to search further). */
int cs_page_audit(page_t *pg)
{
    static const char *const kinds[][2] = {
        {"", "Every kind"},
        {IAM_AUDIT_KIND_MEMBER, "Members"},
        {IAM_AUDIT_KIND_GROUP, "Groups"},
        {IAM_AUDIT_KIND_GRANT, "Grants"},
        {IAM_AUDIT_KIND_REQUEST, "Access requests"},
        {IAM_AUDIT_KIND_TOKEN, "API tokens"},
        {IAM_AUDIT_KIND_WORKSPACE, "The workspace"},
    };
    apr_table_t *qy = pg->w->query;
    const char *before = apr_table_get(qy, "before");
    iam_audit_filter_t f = {apr_table_get(qy, "member"), apr_table_get(qy, "group"),
                            apr_table_get(qy, "actor"), apr_table_get(qy, "kind"), 0};
    const char *kind = f.kind ? f.kind : "", *keep;
    unsigned long long next = 0;
    apr_array_header_t *list;
    iam_err_t err;
    size_t i;

    if (iam_store_audit_query(pg->w->st, P, before ? strtoull(before, NULL, 10) : 0, IAM_PAGE_SIZE,
                              &f, &list, &next, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Audit", "audit");
    ap_rprintf(R,
               "<form method=\"get\" action=\"%s\" class=\"card filters\" role=\"search\" "
               "aria-label=\"Filter the changes\"><div class=\"row\"><label>Member <input "
               "type=\"search\" name=\"member\" value=\"%s\" placeholder=\"login\"></label>"
               "<label>Group <input type=\"search\" name=\"group\" value=\"%s\"></label>"
               "<label>Changed by <input type=\"search\" name=\"actor\" value=\"%s\" "
               "placeholder=\"login\"></label><label>Kind <select name=\"kind\">",
               cs_link_to(pg, "/audit"), iam_h(P, f.member), iam_h(P, f.group), iam_h(P, f.actor));
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        ap_rprintf(R, "<option value=\"%s\"%s>%s</option>", kinds[i][0],
                   !strcmp(kind, kinds[i][0]) ? " selected" : "", kinds[i][1]);
    ap_rprintf(R,
               "</select></label><button class=\"secondary\">Filter</button> <a href=\"%s\">"
               "Clear</a></div></form>",
               cs_link_to(pg, "/audit"));
    /* the filters, for the link to older changes */
    keep =
        apr_pstrcat(P, "&member=", iam_url_query(P, f.member), "&group=", iam_url_query(P, f.group),
                    "&actor=", iam_url_query(P, f.actor), "&kind=", iam_url_query(P, kind), NULL);
    if (list->nelts)
        cs_audit_entries(pg, list);
    else
        ap_rputs(next ? "<div class=\"card empty\">No matching change among the most recent "
                        "ones.</div>"
                      : "<div class=\"card empty\">No changes recorded.</div>",
                 R);
    if (next)
        ap_rprintf(R, "<p><a href=\"%s\">%s</a></p>",
                   iam_h(P, apr_psprintf(P, "%s/audit?before=%" APR_UINT64_T_FMT "%s", pg->w->base,
                                         (apr_uint64_t)next, keep)),
                   list->nelts ? "Older changes" : "Search older changes");
    iam_page_end(pg->w);
    return OK;
}
