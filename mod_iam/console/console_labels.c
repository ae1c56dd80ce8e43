/* mod_iam console: Labels. Every label the workspace has (built in, made
 * here, declared in httpd.conf) with how many resources and grants use
 * it; create one, delete one no resource or grant uses, and Assign
 * Labels: one label onto many resources at once. */

#include "iam_access.h"

#include "console_int.h"

static void label_row(page_t *pg, const iam_label_t *l)
{
    const char *from = l->builtin ? "built in" : l->made ? "" : "from httpd.conf";
    int in_use = l->resources || l->grants;

    ap_rprintf(R,
               "<tr><td data-label=\"Label\"><a href=\"%s\"><span class=\"badge\">%s</span></a> "
               "<span class=\"muted\">%s</span></td><td data-label=\"Description\">%s</td>"
               "<td data-label=\"Resources\">%d</td><td data-label=\"Grants\">%d%s</td><td>",
               cs_with_query(P, cs_link_to(pg, "/resources"),
                             apr_pstrcat(P, "label=", iam_url_segment(P, l->label), NULL)),
               iam_h(P, l->label), from, iam_h(P, l->description), l->resources, l->grants,
               l->more ? "+" : "");
    if (!l->made) {
        ap_rputs("</td></tr>\n", R);
        return;
    }
    cs_form_begin(pg, cs_link_to(pg, "/labels"), "inline");
    cs_hidden(pg, "action", "delete");
    cs_hidden(pg, "label", l->label);
    ap_rprintf(R, "<button class=\"danger\"%s aria-label=\"Delete %s\">Delete</button></form>",
               in_use ? " disabled" : "", iam_h(P, l->label));
    if (in_use)
        ap_rprintf(R, " <span class=\"muted\">in use by %s%s%s</span>",
                   l->resources ? cs_plural(l->resources, "1 resource",
                                            apr_psprintf(P, "%d resources", l->resources))
                                : "",
                   l->resources && l->grants ? " and " : "",
                   l->grants
                       ? cs_plural(l->grants, "1 grant",
                                   apr_psprintf(P, "%d%s grants", l->grants, l->more ? "+" : ""))
                       : "");
    ap_rputs("</td></tr>\n", R);
}

/* Assign Labels: a label, and the resources it goes onto. */
static void assign_form(page_t *pg, const apr_array_header_t *labels)
{
    apr_array_header_t *known;
    iam_err_t err;
    int i, j;

    if (iam_resources_known(pg->w->st, P, NULL, NULL, &known, &err) != IAM_OK) {
        ap_rprintf(R, "<p class=\"notice error\">%s</p>", iam_h(P, iam_web_error_text(&err)));
        return;
    }
    ap_rputs("<h2 id=\"assign\">Assign Labels</h2>", R);
    if (!known->nelts) {
        ap_rputs("<div class=\"card empty\">No resource is known yet: declare one in httpd.conf, "
                 "or name it in a grant.</div>",
                 R);
        return;
    }
    cs_form_begin(pg, cs_link_to(pg, "/labels"), "card");
    cs_hidden(pg, "action", "assign");
    ap_rputs("<label for=\"assign-label\">Label</label><select id=\"assign-label\" "
             "name=\"label\">",
             R);
    for (i = 0; i < labels->nelts; i++) {
        const char *l = APR_ARRAY_IDX(labels, i, iam_label_t *)->label;
        ap_rprintf(R, "<option%s>%s</option>",
                   !strcasecmp(cs_field(pg, "label"), l) ? " selected" : "", iam_h(P, l));
    }
    ap_rputs("</select><fieldset><legend>Resources</legend>", R);
    for (i = 0; i < known->nelts; i++) {
        const iam_known_t *k = APR_ARRAY_IDX(known, i, iam_known_t *);
        const char *v = apr_pstrcat(P, k->res.type, "/", k->res.name, NULL);
        ap_rprintf(R,
                   "<label class=\"check\"><input type=\"checkbox\" name=\"resource\" "
                   "value=\"%s\"> %s <strong>%s</strong>",
                   iam_h(P, v), iam_h(P, k->res.type), iam_h(P, k->res.name));
        for (j = 0; j < k->res.nlabels; j++)
            ap_rprintf(R, " <span class=\"badge\">%s</span>", iam_h(P, k->res.labels[j]));
        ap_rputs("</label>", R);
    }
    ap_rputs("</fieldset><p class=\"muted\">A resource that has another value for the label's key "
             "takes this one instead.</p><p><button>Apply to the chosen resources</button></p>"
             "</form>",
             R);
}

int cs_page_labels(page_t *pg)
{
    apr_array_header_t *labels;
    iam_err_t err;
    int i;

    if (iam_store_label_list(pg->w->st, P, &labels, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Labels", "labels");
    if (!iam_plan_allows_labels(iam_ws_plan(pg->w->ws)))
        ap_rprintf(R,
                   "<p class=\"notice\">The %s plan has no labels: grants on labels count "
                   "for nothing, and no label can be made.</p>",
                   iam_h(P, iam_plan_name(iam_ws_plan(pg->w->ws))));
    ap_rputs("<p class=\"muted\">Labels group resources: a grant on labels reaches every resource "
             "that carries them all, now and later. A label in use by a resource or a grant "
             "cannot be deleted.</p>",
             R);
    ap_rputs("<table><tr><th>Label</th><th>Description</th><th>Resources</th><th>Grants</th>"
             "<th></th></tr>\n",
             R);
    for (i = 0; i < labels->nelts; i++)
        label_row(pg, APR_ARRAY_IDX(labels, i, iam_label_t *));
    ap_rputs("</table><h2>Create a label</h2>", R);
    cs_form_begin(pg, cs_link_to(pg, "/labels"), "card");
    cs_hidden(pg, "action", "create");
    ap_rprintf(R,
               "<label for=\"new-label\">Label (key:value)</label><input type=\"text\" "
               "id=\"new-label\" name=\"label\" required placeholder=\"team:growth\" "
               "value=\"%s\"><label for=\"new-description\">Description</label><input "
               "type=\"text\" id=\"new-description\" name=\"description\" value=\"%s\">"
               "<p><button>Create label</button></p></form>",
               !strcmp(cs_field(pg, "action"), "create") ? iam_h(P, cs_field(pg, "label")) : "",
               !strcmp(cs_field(pg, "action"), "create") ? iam_h(P, cs_field(pg, "description"))
                                                         : "");
    assign_form(pg, labels);
    iam_page_end(pg->w);
    return OK;
}

/* "type/name" of each checked resource. */
static int picked_resources(page_t *pg, iam_resource_t **out)
{
    apr_array_header_t *v = iam_web_values(P, pg->form, "resource");
    iam_resource_t *res = apr_pcalloc(P, sizeof(*res) * (size_t)(v->nelts + 1));
    int i, n = 0;

    for (i = 0; i < v->nelts && i < PICK_MAX; i++) {
        const char *type, *name;
        if (iam_web_type_name(P, APR_ARRAY_IDX(v, i, const char *), &type, &name)) {
            res[n].type = type;
            res[n++].name = name;
        }
    }
    *out = res;
    return n;
}

int cs_post_labels(page_t *pg)
{
    const char *action = cs_field(pg, "action"), *label = cs_field(pg, "label");
    iam_resource_t *res;
    iam_err_t err;
    iam_status_e rc;
    int n;

    if (!strcmp(action, "create"))
        rc = iam_store_label_create(pg->w->st, pg->w->actor, label, cs_field(pg, "description"),
                                    &err);
    else if (!strcmp(action, "delete"))
        rc = iam_store_label_delete(pg->w->st, pg->w->actor, label, &err);
    else if (!strcmp(action, "assign")) {
        n = picked_resources(pg, &res);
        rc = iam_store_label_assign(pg->w->st, pg->w->actor, label, res, n, &err);
    } else {
        cs_refuse_input(pg, "Unknown action.");
        return cs_page_labels(pg);
    }
    if (rc != IAM_OK) {
        cs_refused(pg, &err);
        return cs_page_labels(pg);
    }
    return cs_see_other_who(pg, "/labels",
                            !strcmp(action, "create")   ? "label-created"
                            : !strcmp(action, "delete") ? "label-deleted"
                                                        : "label-assigned",
                            label);
}
