/* mod_iam console: what httpd.conf declares. Resources (the list), one
 * resource's page (who can reach it, and through which grant), and
 * Roles (the role table and what the plan allows). */

#include "iam_access.h"

#include "console_int.h"

/* A resource's page, below the base: /resources/TYPE/NAME ("*" for the
 * collection). */
static const char *resource_link(page_t *pg, const iam_resource_t *res)
{
    return cs_link_to(pg, "/resources/%s/%s", iam_url_segment(P, res->type),
                      res->name ? iam_url_segment(P, res->name) : "*");
}

int cs_page_resources(page_t *pg)
{
    const apr_array_header_t *res = iam_ws_resources(pg->w->ws);
    int i, j;

    cs_begin(pg, "Resources", "resources");
    ap_rputs("<p class=\"muted\">The resources declared in httpd.conf with IAMResourcePath or "
             "IAMResource: what roles can be granted on. Open one to see who can reach it.</p>",
             R);
    if (!res->nelts) {
        ap_rputs("<div class=\"card empty\">No IAMResourcePath or IAMResource is declared.</div>",
                 R);
        iam_page_end(pg->w);
        return OK;
    }
    ap_rputs("<table><tr><th>Type</th><th>Name</th><th>Labels</th><th>Path</th></tr>", R);
    for (i = 0; i < res->nelts; i++) {
        const iam_resource_decl_t *d = APR_ARRAY_IDX(res, i, iam_resource_decl_t *);
        if (d->templated) /* every name: no one page */
            ap_rprintf(R,
                       "<tr><td data-label=\"Type\">%s</td><td data-label=\"Name\">{name} "
                       "<span class=\"muted\">(every name under the path)</span></td>"
                       "<td data-label=\"Labels\">",
                       iam_h(P, d->res.type));
        else
            ap_rprintf(R,
                       "<tr><td data-label=\"Type\">%s</td><td data-label=\"Name\"><a href=\"%s\" "
                       "aria-label=\"Who can reach %s %s\">%s</a></td><td data-label=\"Labels\">",
                       iam_h(P, d->res.type), resource_link(pg, &d->res), iam_h(P, d->res.type),
                       d->res.name ? iam_h(P, d->res.name) : "(all)",
                       d->res.name ? iam_h(P, d->res.name)
                                   : "* <span class=\"muted\">(collection)</span>");
        for (j = 0; j < d->res.nlabels; j++)
            ap_rprintf(R, "<span class=\"badge\">%s</span> ", iam_h(P, d->res.labels[j]));
        ap_rprintf(R, "</td><td data-label=\"Path\"><code>%s</code></td></tr>", iam_h(P, d->path));
    }
    ap_rputs("</table>", R);
    iam_page_end(pg->w);
    return OK;
}

/* "Admin", "Edit", "Read". */
static const char *level_text(iam_level_e level)
{
    return level == IAM_LEVEL_ADMIN ? "Admin" : level == IAM_LEVEL_EDIT ? "Edit" : "Read";
}

/* Who can reach one resource: every grant that gives access to it, at
 * which level, held directly or by a group (iam_access_list). */
int cs_page_resource(page_t *pg, const char *type, const char *name)
{
    apr_array_header_t *decls = iam_web_resource_decls(P, pg->w->ws, type, name), *list;
    const iam_resource_decl_t *d;
    iam_err_t err;
    int i;

    if (!decls->nelts)
        return cs_not_found(
            pg, apr_psprintf(P, "No resource “%s %s” is declared in httpd.conf.", type, name),
            "/resources", "Back to Resources");
    d = APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *);
    if (iam_access_list(pg->w->st, P, iam_ws_roles(pg->w->ws), iam_ws_plan(pg->w->ws), &d->res,
                        &list, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, apr_psprintf(P, "%s %s", type, d->res.name ? d->res.name : "(all)"), "resources");
    ap_rputs("<div class=\"card\"><p>", R);
    for (i = 0; i < d->res.nlabels; i++)
        ap_rprintf(R, "<span class=\"badge\">%s</span> ", iam_h(P, d->res.labels[i]));
    ap_rputs(d->res.nlabels ? "</p><p class=\"muted\">Declared at "
                            : "<p class=\"muted\">No labels. "
                              "Declared at ",
             R);
    for (i = 0; i < decls->nelts; i++)
        ap_rprintf(R, "%s<code>%s</code>", i ? ", " : "",
                   iam_h(P, APR_ARRAY_IDX(decls, i, iam_resource_decl_t *)->path));
    ap_rputs(".</p></div><h2>Who can reach it</h2>", R);
    ap_rputs("<table><tr><th>Who</th><th>Access</th><th>Through</th></tr>\n", R);
    for (i = 0; i < list->nelts; i++) {
        const iam_access_t *a = &APR_ARRAY_IDX(list, i, iam_access_t);
        const char *who;
        if (a->group)
            who = apr_psprintf(
                P, "<a href=\"%s\">%s</a> <span class=\"muted\">group, %s</span>",
                cs_group_link(pg, a->group->name), iam_h(P, a->group->name),
                cs_plural(a->group_members, "1 member",
                          apr_psprintf(P, "%s members", cs_thousands(P, a->group_members))));
        else
            who = apr_psprintf(P, "<a href=\"%s\">%s</a> <span class=\"muted\">%s</span>%s",
                               cs_member_link(pg, a->member->login),
                               iam_h(P, *a->member->name ? a->member->name : a->member->login),
                               iam_h(P, a->member->login),
                               a->member->status == IAM_INVITED
                                   ? " <span class=\"badge invited\">invited</span>"
                                   : "");
        ap_rprintf(R,
                   "<tr><td data-label=\"Who\">%s</td><td data-label=\"Access\">%s</td><td "
                   "data-label=\"Through\">%s</td></tr>\n",
                   who, level_text(a->level), iam_h(P, cs_grant_words(pg, a->grant)));
    }
    ap_rputs("</table>", R);
    if (!list->nelts)
        ap_rputs("<div class=\"card empty\">Nobody holds a grant on it.</div>", R);
    iam_page_end(pg->w);
    return OK;
}

int cs_page_roles(page_t *pg)
{
    const iam_roles_t *roles = iam_ws_roles(pg->w->ws);
    int i;

    cs_begin(pg, "Roles", "roles");
    ap_rputs("<table><tr><th>Role</th><th>Type</th><th>Level</th><th>Scopes</th><th></th></tr>", R);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        int allowed = iam_plan_allows_role(iam_ws_plan(pg->w->ws), r);
        ap_rprintf(R,
                   "<tr%s><td data-label=\"Role\">%s <span class=\"muted\">%s</span></td><td "
                   "data-label=\"Type\">%s</td><td data-label=\"Level\">%s</td><td "
                   "data-label=\"Scopes\">%s</td><td>%s%s</td></tr>",
                   allowed ? "" : " class=\"unavailable\"", iam_h(P, r->name), iam_h(P, r->slug),
                   r->type ? iam_h(P, r->type) : "every type",
                   r->kind == IAM_ROLE_OWNER    ? "admin, and this console"
                   : r->kind == IAM_ROLE_MEMBER ? "minimal workspace access"
                                                : iam_level_name(r->level),
                   iam_h(P, iam_scopes_text(r)), r->custom ? "custom " : "",
                   allowed ? "" : "not on this plan");
    }
    ap_rputs("</table>", R);
    iam_page_end(pg->w);
    return OK;
}
