/* mod_iam console: access requests. A table of open requests, each with
 * the answers the plan allows (the least role that gives the access, or
 * another, or Dismiss); a post that answers exactly the request the page
 * showed; and the page that confirms making a Workspace Owner. */

#include "console_int.h"

static const char *request_what(apr_pool_t *p, const iam_request_t *q)
{
    if (!strcmp(q->type, IAM_TYPE_CONSOLE))
        return "the workspace console";
    if (!strcmp(q->type, IAM_TYPE_OWNERS))
        return apr_pstrcat(p, "owners-only page ", q->path, NULL);
    if (!strcmp(q->name, "*"))
        return apr_pstrcat(p, q->type, " collection", NULL);
    return apr_pstrcat(p, q->type, " ", q->name, NULL);
}

/* The fields that name a request and the revision the owner is shown. */
static void request_fields(page_t *pg, const iam_request_t *q)
{
    cs_hidden(pg, "rlogin", q->login);
    cs_hidden(pg, "rtype", q->type);
    cs_hidden(pg, "rname", q->name);
    cs_hidden(pg, "rrev", apr_psprintf(P, "%u", q->rev));
}

/* "Source Read-only on checkout", "Warehouse Admin on all warehouse resources". */
static const char *approval_text(apr_pool_t *p, const iam_role_t *role, const iam_grant_t *g,
                                 const char *type)
{
    if (role->kind == IAM_ROLE_OWNER)
        return apr_pstrcat(p, role->name, " (everything, this console included)", NULL);
    if (g->scope == IAM_SCOPE_RESOURCES)
        return apr_pstrcat(p, role->name, " on ", g->items[0], NULL);
    return apr_pstrcat(p, role->name, " on all ", type, " resources", NULL);
}

/* Whether `r` can answer the request on some scope (for the role list). */
static int answers(page_t *pg, const iam_request_t *q, const iam_role_t *r)
{
    const char *item[2], *why;
    iam_grant_t g;

    return r->kind == IAM_ROLE_PLAIN &&
           iam_policy_approval(iam_ws_roles(pg->w->ws), iam_ws_plan(pg->w->ws), q->type, q->name,
                               q->level, r->slug, IAM_APPROVE_AUTO, &g, item, &why) != NULL;
}

/* One request's answers: the button grants exactly the role and scope it
 * names (the least that gives the access asked for); another role can be
 * chosen (a <details> form); Dismiss. Approving Workspace Owner goes
 * through a confirmation page first. A request the plan cannot answer
 * offers Dismiss only, and says why. */
static void request_answers(page_t *pg, const iam_request_t *q, const char *action)
{
    const iam_roles_t *roles = iam_ws_roles(pg->w->ws);
    iam_plan_e plan = iam_ws_plan(pg->w->ws);
    const char *item[2], *why;
    const iam_role_t *least;
    iam_grant_t g;
    int i, named = strcmp(q->name, "*") != 0;

    least = iam_policy_approval(roles, plan, q->type, q->name, q->level, NULL, IAM_APPROVE_AUTO, &g,
                                item, &why);
    if (!least) {
        ap_rprintf(R, "<p class=\"unavailable\">Cannot be approved on the %s plan: %s.</p>",
                   iam_h(P, iam_plan_name(plan)), iam_h(P, why));
    } else if (least->kind == IAM_ROLE_OWNER) {
        ap_rprintf(R, "<a class=\"button\" href=\"%s\">Review: make %s a Workspace Owner</a> ",
                   cs_link_to(pg, "/?confirm=approve&login=%s&type=%s&name=%s&rev=%u",
                              iam_url_query(P, q->login), iam_url_query(P, q->type),
                              iam_url_query(P, q->name), q->rev),
                   iam_h(P, q->login));
    } else {
        cs_form_begin(pg, action, "inline");
        request_fields(pg, q);
        cs_hidden(pg, "rrole", least->slug);
        cs_hidden(pg, "rscope", g.scope == IAM_SCOPE_ALL ? "all" : "resource");
        ap_rprintf(R, "<button name=\"action\" value=\"approve\">Grant %s</button></form> ",
                   iam_h(P, approval_text(P, least, &g, q->type)));
    }
    cs_form_begin(pg, action, "inline");
    request_fields(pg, q);
    ap_rputs(
        "<button class=\"secondary\" name=\"action\" value=\"dismiss\">Dismiss</button></form>", R);
    if (!least || least->kind == IAM_ROLE_OWNER)
        return;
    /* every role of the type that gives the access; one granted on all
     * resources only says so, and is refused on one */
    ap_rputs("<details><summary>Grant another role</summary>", R);
    cs_form_begin(pg, action, NULL);
    request_fields(pg, q);
    ap_rputs("<select name=\"rrole\" aria-label=\"Role to grant\">", R);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        if (answers(pg, q, r))
            ap_rprintf(R, "<option value=\"%s\"%s>%s%s</option>", iam_h(P, r->slug),
                       r == least ? " selected" : "", iam_h(P, r->name),
                       named && r->all_only ? " (on all only)" : "");
    }
    ap_rputs("</select>", R);
    if (named)
        ap_rprintf(R,
                   "<select name=\"rscope\" aria-label=\"On which resources\"><option "
                   "value=\"resource\">on %s only</option><option value=\"all\">on all %s "
                   "resources</option></select>",
                   iam_h(P, q->name), iam_h(P, q->type));
    else
        cs_hidden(pg, "rscope", "all");
    ap_rputs("<button name=\"action\" value=\"approve\">Grant the chosen role</button></form>"
             "</details>",
             R);
}

/* The open requests, each with its answers; posted to `action`. */
void cs_requests_table(page_t *pg, apr_array_header_t *list, const char *action, int show_who)
{
    int i;

    ap_rprintf(R, "<table><tr>%s<th>Asks for</th><th>Message</th><th>When</th><th></th></tr>",
               show_who ? "<th>Member</th>" : "");
    for (i = 0; i < list->nelts; i++) {
        iam_request_t *q = APR_ARRAY_IDX(list, i, iam_request_t *);
        if (show_who)
            ap_rprintf(R, "<tr><td data-label=\"Member\"><a href=\"%s\">%s</a></td>",
                       cs_member_link(pg, q->login), iam_h(P, q->login));
        else
            ap_rputs("<tr>", R);
        ap_rprintf(R,
                   "<td data-label=\"Asks for\">%s access to %s <div class=\"muted\">%s</div>"
                   "</td><td data-label=\"Message\">%s</td><td data-label=\"When\">%s</td><td>",
                   iam_h(P, iam_level_name(q->level)), iam_h(P, request_what(P, q)),
                   iam_h(P, q->path),
                   *q->message ? iam_h(P, q->message)
                               : "<span "
                                 "class=\"muted\">none"
                                 "</span>",
                   iam_h(P, iam_time_text(P, q->time)));
        request_answers(pg, q, action);
        ap_rputs("</td></tr>\n", R);
    }
    ap_rputs("</table><p class=\"muted\">Grant gives exactly the role and resources its button "
             "names; if the member changes the request after this page was drawn, the grant is "
             "refused and the page shows the request as it is now. A request also ends when a "
             "change to the member's permissions gives the access it asks for; the member "
             "sees every answer on the page that refused them.</p>",
             R);
}

/* Approve or dismiss, from the overview or a member page: exactly what the
 * page showed (the request's revision, the role, the scope). The member
 * is mailed the answer. */
iam_status_e cs_answer_request(page_t *pg, iam_err_t *err)
{
    const char *login = cs_field(pg, "rlogin"), *type = cs_field(pg, "rtype"),
               *name = cs_field(pg, "rname");
    iam_request_t *done;
    iam_approval_t a;
    iam_status_e st;
    char *end;

    if (strcmp(cs_field(pg, "action"), "approve")) {
        st = iam_store_request_dismiss(pg->w->st, pg->w->actor, login, type, name, P, &done, err);
    } else {
        memset(&a, 0, sizeof(a));
        a.login = login;
        a.type = type;
        a.name = name;
        a.rev = (unsigned)strtoul(cs_field(pg, "rrev"), &end, 10);
        a.role = cs_field(pg, "rrole");
        a.scope = !strcmp(cs_field(pg, "rscope"), "all")        ? IAM_APPROVE_ALL
                  : !strcmp(cs_field(pg, "rscope"), "resource") ? IAM_APPROVE_RESOURCE
                                                                : IAM_APPROVE_AUTO;
        a.owner_confirmed = !strcmp(cs_field(pg, "rconfirm"), "owner");
        if (!a.rev || *end || !*a.role) {
            err->status = IAM_INVALID;
            apr_cpystrn(err->msg, "The approval does not say which request and role it is for.",
                        sizeof(err->msg));
            return IAM_INVALID;
        }
        st = iam_store_request_approve(pg->w->st, pg->w->actor, &a, P, &done, err);
    }
    if (st == IAM_OK && done)
        iam_mail_request_answered(R, pg->w->st, done, R->user);
    return st;
}

/* Approving a request for the console or an owners-only page makes the
 * member a Workspace Owner: this page says so, and its form confirms. */
int cs_page_confirm_owner(page_t *pg)
{
    apr_table_t *qy = pg->w->query;
    const char *login = apr_table_get(qy, "login"), *type = apr_table_get(qy, "type"),
               *name = apr_table_get(qy, "name"), *rev = apr_table_get(qy, "rev");
    iam_request_t *q;
    iam_err_t err;

    if (!login || !type || !name || !rev)
        return HTTP_BAD_REQUEST;
    switch (iam_store_request_get(pg->w->st, P, login, type, name, &q, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND:
        return cs_not_found(pg,
                            "That access request is no longer open: it was answered or withdrawn.",
                            "/", "Back to the overview");
    default: return cs_store_failed(pg, &err);
    }
    if (!iam_type_owners_only(q->type) || strcmp(rev, apr_psprintf(P, "%u", q->rev)))
        return HTTP_CONFLICT;
    cs_begin(pg, "Make a Workspace Owner?", "home");
    ap_rprintf(R,
               "<div class=\"card\"><p><strong>%s</strong> asks for %s. Only Workspace Owners "
               "open it: approving makes them a <strong>Workspace Owner</strong>, with every right "
               "in the workspace: every resource at admin level, this console, inviting and "
               "removing members, making other owners.</p>",
               iam_h(P, q->login), iam_h(P, request_what(P, q)));
    if (*q->message)
        ap_rprintf(R, "<p>Their message: %s</p>", iam_h(P, q->message));
    cs_form_begin(pg, cs_link_to(pg, "/"), "inline");
    request_fields(pg, q);
    cs_hidden(pg, "rrole", "workspace-owner");
    cs_hidden(pg, "rscope", "all");
    cs_hidden(pg, "rconfirm", "owner");
    ap_rprintf(R,
               "<button class=\"danger\" name=\"action\" value=\"approve\">Make %s a Workspace "
               "Owner</button></form> <a href=\"%s\">Cancel</a></div>",
               iam_h(P, q->login), cs_link_to(pg, "/"));
    iam_page_end(pg->w);
    return OK;
}
