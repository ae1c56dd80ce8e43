/* mod_iam console: the overview, BASE/: the workspace in numbers, the open
 * access requests with their answers, and the latest changes. */

#include "console_int.h"

/* Whether just-in-time provisioning makes members here, in words. */
static const char *provisioning_text(page_t *pg)
{
    if (!iam_auto_provision(R->server))
        return "<strong>Just-in-time provisioning is off:</strong> only invited people and "
               "members get in.";
    if (iam_ws_plan(pg->w->ws) != IAM_PLAN_BUSINESS)
        return "<strong>Just-in-time provisioning is turned on, but the plan has none:</strong> "
               "only invited people and members get in.";
    return "<strong>Just-in-time provisioning is on:</strong> whoever signs in through the "
           "identity provider and is not a member becomes a Workspace Member with minimal "
           "access (marked <span class=\"badge\">provisioned</span> in Users).";
}

int cs_page_home(page_t *pg)
{
    iam_workspace_info_t info;
    apr_array_header_t *audit, *requests;
    iam_err_t err;

    if (iam_store_info(pg->w->st, &info, P, &err) != IAM_OK ||
        iam_store_audit_list(pg->w->st, P, 0, 5, &audit, &err) != IAM_OK ||
        iam_store_request_list(pg->w->st, P, NULL, &requests, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Overview", "home");
    ap_rprintf(R,
               "<div class=\"card\"><p><strong>%d</strong> %s · <strong>%d</strong> %s · "
               "<strong>%d</strong> %s · <span class=\"plan\">%s</span> plan</p><p>%s</p>"
               "<p><a class=\"button\" href=\"%s\">Invite Team Member</a> "
               "<a class=\"button\" href=\"%s\">Create User Group</a></p></div>\n",
               info.members, cs_plural(info.members, "team member", "team members"), info.groups,
               cs_plural(info.groups, "user group", "user groups"), info.owners,
               cs_plural(info.owners, "Workspace Owner", "Workspace Owners"),
               iam_h(P, iam_plan_name(iam_ws_plan(pg->w->ws))), provisioning_text(pg),
               cs_link_to(pg, "/members/new"), cs_link_to(pg, "/groups/new"));
    ap_rprintf(R, "<h2>Access requests (%d)</h2>", requests->nelts);
    if (requests->nelts)
        cs_requests_table(pg, requests, cs_link_to(pg, "/"), 1);
    else
        ap_rputs("<div class=\"card empty\">No access requests are waiting.</div>", R);
    ap_rputs("<h2>Recent changes</h2>", R);
    if (!audit->nelts) {
        ap_rputs("<div class=\"card empty\">No changes yet.</div>", R);
    } else {
        cs_audit_entries(pg, audit);
        ap_rprintf(R, "<p><a href=\"%s\">The whole audit trail</a></p>", cs_link_to(pg, "/audit"));
    }
    iam_page_end(pg->w);
    return OK;
}

int cs_post_home(page_t *pg)
{
    const char *action = cs_field(pg, "action");
    iam_err_t err;

    if (strcmp(action, "approve") && strcmp(action, "dismiss")) {
        cs_refuse_input(pg, "Unknown action.");
        return cs_page_home(pg);
    }
    if (cs_answer_request(pg, &err) != IAM_OK) {
        cs_refused(pg, &err);
        return cs_page_home(pg);
    }
    return cs_see_other_who(pg, "/", !strcmp(action, "approve") ? "approved" : "dismissed",
                            cs_field(pg, "rlogin"));
}
