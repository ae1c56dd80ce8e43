/* mod_iam console: Resources (every resource the workspace knows), one
 * resource's page (its labels and where each comes from, who can reach
 * it and through which grant), and Roles (the role table and what the
 * plan allows). */

#include "iam_access.h"

#include "console_int.h"

/* A resource's page, below the base: /resources/TYPE/NAME ("*" for the
 * collection). */
static const char *resource_link(page_t *pg, const iam_resource_t *res)
{
    return cs_link_to(pg, "/resources/%s/%s", iam_url_segment(P, res->type),
                      res->name ? iam_url_segment(P, res->name) : "*");
}

static void label_badges(page_t *pg, const iam_resource_t *res)
{
    int j;

    for (j = 0; j < res->nlabels; j++)
        ap_rprintf(R, "<span class=\"badge\">%s</span> ", iam_h(P, res->labels[j]));
}

static void known_row(page_t *pg, const iam_known_t *k)
{
    ap_rprintf(R,
               "<tr><td data-label=\"Type\">%s</td><td data-label=\"Name\"><a href=\"%s\" "
               "aria-label=\"Who can reach %s %s\">%s</a></td><td data-label=\"Labels\">",
               iam_h(P, k->res.type), resource_link(pg, &k->res), iam_h(P, k->res.type),
               iam_h(P, k->res.name), iam_h(P, k->res.name));
    label_badges(pg, &k->res);
    ap_rprintf(R, "</td><td data-label=\"Path\">%s%s%s</td></tr>\n", *k->path ? "<code>" : "",
               *k->path ? iam_h(P, k->path) : "",
               *k->path     ? "</code>"
               : k->granted ? "<span class=\"muted\">named in a grant</span>"
                            : "");
}

/* Every resource the workspace knows: httpd.conf's entries in its order
 * (templates and collections as such), then those only the workspace
 * knows (labelled here, or named in a grant); ?type= and ?label= narrow
 * it. */
int cs_page_resources(page_t *pg)
{
    const char *type = apr_table_get(pg->w->query, "type");
    const char *label = apr_table_get(pg->w->query, "label");
    apr_array_header_t *known, *list;
    iam_err_t err;
    int i;

    if ((type && iam_check_resource_type(type)) || (label && iam_check_label(label)))
        type = label = NULL;
    if (iam_resources_known(pg->w->st, P, type, label, &known, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Resources", "resources");
    ap_rputs("<p class=\"muted\">What roles are granted on: the resources httpd.conf declares "
             "(IAMResourcePath, IAMResource), those a template covers once a grant or a label "
             "names them, and their labels. Open one to see who can reach it and to change the "
             "labels the workspace gives it.</p>",
             R);
    if (label)
        ap_rprintf(R,
                   "<p>Resources with <span class=\"badge\">%s</span> · <a href=\"%s\">every "
                   "resource</a></p>",
                   iam_h(P, label), cs_link_to(pg, "/resources"));
    ap_rputs("<table><tr><th>Type</th><th>Name</th><th>Labels</th><th>Path</th></tr>\n", R);
    list = iam_web_resource_rows(P, pg->w->ws, known, type, label);
    for (i = 0; i < list->nelts; i++) {
        const iam_web_resource_row_t *row = &APR_ARRAY_IDX(list, i, iam_web_resource_row_t);
        const iam_resource_decl_t *d = row->decl;
        if (row->known) {
            known_row(pg, row->known);
            continue;
        }
        if (d->templated) /* every name: no one page */
            ap_rprintf(R,
                       "<tr><td data-label=\"Type\">%s</td><td data-label=\"Name\">{name} "
                       "<span class=\"muted\">(every name under the path)</span></td>"
                       "<td data-label=\"Labels\">",
                       iam_h(P, d->res.type));
        else
            ap_rprintf(R,
                       "<tr><td data-label=\"Type\">%s</td><td data-label=\"Name\"><a "
                       "href=\"%s\" aria-label=\"Who can reach %s (all)\">* <span "
                       "class=\"muted\">(collection)</span></a></td><td "
                       "data-label=\"Labels\">",
                       iam_h(P, d->res.type), resource_link(pg, &d->res), iam_h(P, d->res.type));
        label_badges(pg, &d->res);
        ap_rprintf(R, "</td><td data-label=\"Path\"><code>%s</code></td></tr>\n",
                   iam_h(P, d->path));
    }
    ap_rputs("</table>", R);
    if (!list->nelts)
        ap_rputs("<div class=\"card empty\">No resource here: declare them in httpd.conf with "
                 "IAMResourcePath or IAMResource.</div>",
                 R);
    iam_page_end(pg->w);
    return OK;
}

/* "Admin", "Edit", "Read". */
static const char *level_text(iam_level_e level)
{
    return level == IAM_LEVEL_ADMIN ? "Admin" : level == IAM_LEVEL_EDIT ? "Edit" : "Read";
}

/* Every known resource name and label, once per page, for the inputs
 * that name them (list="known-items"); typing another stays possible. */
void cs_known_datalist(page_t *pg)
{
    apr_array_header_t *known, *labels;
    iam_err_t err;
    int i;

    if (pg->datalist)
        return;
    pg->datalist = 1;
    ap_rputs("<datalist id=\"known-items\">", R);
    if (iam_resources_known(pg->w->st, P, NULL, NULL, &known, &err) == IAM_OK) {
        for (i = 0; i < known->nelts; i++) {
            const iam_known_t *k = APR_ARRAY_IDX(known, i, iam_known_t *);
            ap_rprintf(R, "<option value=\"%s\">%s</option>", iam_h(P, k->res.name),
                       iam_h(P, k->res.type));
        }
    }
    if (iam_store_label_list(pg->w->st, P, &labels, &err) == IAM_OK) {
        for (i = 0; i < labels->nelts; i++)
            ap_rprintf(R, "<option value=\"%s\">label</option>",
                       iam_h(P, APR_ARRAY_IDX(labels, i, iam_label_t *)->label));
    }
    ap_rputs("</datalist>", R);
}

/* The labels of a resource and where each comes from; what the workspace
 * replaced of httpd.conf's; and the form that sets the workspace's. */
static void labels_card(page_t *pg, const iam_known_t *k, const iam_resource_t *conf)
{
    const char *given = "";
    int i;

    ap_rputs("<div class=\"card\"><h2>Labels</h2><p>", R);
    for (i = 0; i < k->res.nlabels; i++) {
        ap_rprintf(R, "<span class=\"badge\">%s</span> <span class=\"muted\">%s</span> ",
                   iam_h(P, k->res.labels[i]),
                   k->from && k->from[i] ? "the workspace's" : "from httpd.conf");
        if (k->from && k->from[i])
            given = apr_pstrcat(P, given, *given ? " " : "", k->res.labels[i], NULL);
    }
    if (!k->res.nlabels)
        ap_rputs("No labels.", R);
    ap_rputs("</p>", R);
    for (i = 0; conf && i < conf->nlabels; i++) {
        if (!iam_resource_carries(&k->res, conf->labels[i]))
            ap_rprintf(R,
                       "<p class=\"muted\">httpd.conf gives it <span class=\"badge\">%s</span>; "
                       "the workspace's label on that key replaces it.</p>",
                       iam_h(P, conf->labels[i]));
    }
    cs_form_begin(pg,
                  cs_link_to(pg, "/resources/%s/%s/labels", iam_url_segment(P, k->res.type),
                             iam_url_segment(P, k->res.name)),
                  NULL);
    cs_known_datalist(pg);
    ap_rprintf(R,
               "<label for=\"labels\">The workspace's labels (key:value, separated by spaces; "
               "one value per key)</label><input type=\"text\" id=\"labels\" name=\"labels\" "
               "list=\"known-items\" value=\"%s\" placeholder=\"env:prod team:growth\">"
               "<p><button>Save labels</button></p></form></div>",
               iam_h(P, given));
}

/* Who can reach one resource: every grant that gives access to it, at
 * which level, held directly or by a group (iam_access_list); and its
 * labels, which owners and the resource's admins may change. */
int cs_page_resource(page_t *pg, const char *type, const char *name)
{
    apr_array_header_t *decls = iam_web_resource_decls(P, pg->w->ws, type, name), *list;
    const iam_resource_decl_t *d =
        decls->nelts ? APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *) : NULL;
    const iam_resource_t *res = d ? &d->res : NULL;
    iam_known_t *k = NULL;
    int admin = pg->w->resource_admin;
    iam_err_t err;
    int i;

    if (strcmp(name, "*") && !iam_check_resource_name(name) &&
        iam_roles_has_type(iam_ws_roles(pg->w->ws), type)) {
        if (iam_resource_known(pg->w->st, P, type, name, &k, &err) != IAM_OK)
            return cs_store_failed(pg, &err);
        if (d || k->labelled || k->granted || admin)
            res = &k->res;
    }
    if (!res)
        return cs_not_found(pg,
                            apr_psprintf(P,
                                         "No resource “%s %s” is declared in httpd.conf, "
                                         "covered by a template, or named by a label or "
                                         "a grant.",
                                         type, name),
                            "/resources", "Back to Resources");
    if (iam_access_list(pg->w->st, P, iam_ws_roles(pg->w->ws), iam_ws_plan(pg->w->ws), res, &list,
                        &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, apr_psprintf(P, "%s %s", type, res->name ? res->name : "(all)"), "resources");
    if (!k || res != &k->res) {
        ap_rputs("<div class=\"card\"><p>", R);
        label_badges(pg, res);
        ap_rputs(res->nlabels ? "</p><p class=\"muted\">" : "<p class=\"muted\">No labels. ", R);
    } else {
        labels_card(pg, k, d ? &d->res : NULL);
        ap_rputs("<div class=\"card\"><p class=\"muted\">", R);
    }
    if (decls->nelts) {
        ap_rputs("Declared at ", R);
        for (i = 0; i < decls->nelts; i++)
            ap_rprintf(R, "%s<code>%s</code>", i ? ", " : "",
                       iam_h(P, APR_ARRAY_IDX(decls, i, iam_resource_decl_t *)->path));
        ap_rputs(".", R);
    } else {
        ap_rputs("No path of httpd.conf covers it yet.", R);
    }
    ap_rputs("</p></div><h2>Who can reach it</h2>", R);
    ap_rputs("<table><tr><th>Who</th><th>Access</th><th>Through</th></tr>\n", R);
    for (i = 0; i < list->nelts; i++) {
        const iam_access_t *a = &APR_ARRAY_IDX(list, i, iam_access_t);
        const char *who;
        if (a->group)
            who = apr_psprintf(
                P, "%s%s%s <span class=\"muted\">group, %s</span>",
                admin ? "" : apr_psprintf(P, "<a href=\"%s\">", cs_group_link(pg, a->group->name)),
                iam_h(P, a->group->name), admin ? "" : "</a>",
                cs_plural(a->group_members, "1 member",
                          apr_psprintf(P, "%s members", cs_thousands(P, a->group_members))));
        else
            who = apr_psprintf(
                P, "%s%s%s <span class=\"muted\">%s</span>%s",
                admin ? ""
                      : apr_psprintf(P, "<a href=\"%s\">", cs_member_link(pg, a->member->login)),
                iam_h(P, *a->member->name ? a->member->name : a->member->login),
                admin ? "" : "</a>", iam_h(P, a->member->login),
                a->member->status == IAM_INVITED ? " <span class=\"badge invited\">invited</span>"
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

/* The labels form of a resource's page: the workspace's labels, all at
 * once. */
int cs_post_resource_labels(page_t *pg, const char *type, const char *name)
{
    apr_array_header_t *labels = iam_web_words(P, cs_field(pg, "labels"));
    iam_err_t err;

    if (iam_store_resource_labels_set(pg->w->st, pg->w->actor, type, name,
                                      (const char *const *)labels->elts, labels->nelts,
                                      &err) != IAM_OK) {
        cs_refused(pg, &err);
        return cs_page_resource(pg, type, name);
    }
    return cs_see_other(
        pg, apr_psprintf(P, "/resources/%s/%s", iam_url_segment(P, type), iam_url_segment(P, name)),
        "labels-saved");
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
