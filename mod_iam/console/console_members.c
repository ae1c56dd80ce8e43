/* mod_iam console: team members. Users (the paged, searchable list),
 * Invite Team Member, a member's page (permissions, groups, details,
 * invitation, removal), its confirmation pages, and its posts. */

#include "console_int.h"

static int no_member(page_t *pg, const char *login)
{
    return cs_not_found(pg,
                        apr_psprintf(P,
                                     "There is no team member “%s” in this workspace: they may "
                                     "have been removed.",
                                     login),
                        "/members", "Back to Users");
}

/* "3 hours ago": when a member was last seen, roughly. */
static const char *ago(apr_pool_t *p, long long t)
{
    long long d = (long long)apr_time_sec(apr_time_now()) - t;

    if (!t)
        return "never";
    if (d < 3600)
        return "within the hour";
    if (d < 86400)
        return apr_psprintf(p, "%" APR_INT64_T_FMT " hours ago", (apr_int64_t)(d / 3600));
    return apr_psprintf(p, "%" APR_INT64_T_FMT " days ago", (apr_int64_t)(d / 86400));
}

/* A member's own grants, short: "Source Admin on checkout, web; Warehouse
 * Read-only on all" (plain text). */
static const char *grants_brief(page_t *pg, const apr_array_header_t *grants)
{
    const char *out = "";
    int i;

    for (i = 0; i < grants->nelts; i++)
        out = apr_pstrcat(P, out, i ? "; " : "",
                          cs_grant_words(pg, &APR_ARRAY_IDX(grants, i, iam_grant_t)), NULL);
    return *out ? out : "Workspace Member";
}

int cs_page_members(page_t *pg)
{
    const char *status = apr_table_get(pg->w->query, "status");
    iam_member_query_t q = {0};
    iam_member_page_t mp;
    const char *sq, *base;
    iam_err_t err;
    int i;

    q.status = status && !strcmp(status, "invited")  ? IAM_INVITED
               : status && !strcmp(status, "active") ? IAM_ACTIVE
                                                     : -1;
    sq = q.status < 0 ? "" : q.status == IAM_INVITED ? "invited" : "active";
    if (cs_query_page(pg, NULL, "q", &q, &mp, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Users", "users");
    {
        static const char *const names[] = {"All", "Active", "Invited"};
        const char *hrefs[] = {cs_link_to(pg, "/members"), cs_link_to(pg, "/members?status=active"),
                               cs_link_to(pg, "/members?status=invited")};
        cs_view_tabs(pg, "Members by status", 3, names, hrefs,
                     q.status < 0             ? 0
                     : q.status == IAM_ACTIVE ? 1
                                              : 2);
    }
    ap_rprintf(R,
               "<div class=\"toolbar\"><form method=\"get\" action=\"%s\" role=\"search\">"
               "<input type=\"hidden\" name=\"status\" value=\"%s\">"
               "<input type=\"search\" name=\"q\" value=\"%s\" placeholder=\"Search by name or "
               "email\" aria-label=\"Search by name or email\"> <button class=\"secondary\">Search"
               "</button></form><a class=\"button\" href=\"%s\">Invite Team Member</a></div>\n",
               cs_link_to(pg, "/members"), sq, iam_h(P, q.search), cs_link_to(pg, "/members/new"));
    if (!mp.members->nelts) {
        ap_rprintf(R, "<div class=\"card empty\">%s</div>",
                   q.search && *q.search ? "No team member matches that search."
                   : q.status >= 0       ? "No team member is in this view."
                                         : "No team members yet.");
        iam_page_end(pg->w);
        return OK;
    }
    ap_rputs(
        "<table><tr><th>Name</th><th>Email</th><th>Status</th><th>Direct roles</th><th>Groups</th>"
        "<th>Last seen</th></tr>\n",
        R);
    for (i = 0; i < mp.members->nelts; i++) {
        iam_member_t *m = APR_ARRAY_IDX(mp.members, i, iam_member_t *);
        ap_rprintf(R,
                   "<tr><td data-label=\"Name\"><a href=\"%s\">%s</a><div class=\"muted\">%s"
                   "</div></td><td data-label=\"Email\">%s</td><td data-label=\"Status\"><span "
                   "class=\"badge %s\">%s</span>%s</td><td data-label=\"Direct roles\">%s</td>"
                   "<td data-label=\"Groups\">%s</td><td data-label=\"Last seen\">%s</td></tr>\n",
                   cs_member_link(pg, m->login), iam_h(P, *m->name ? m->name : m->login),
                   iam_h(P, m->login), iam_h(P, m->email), iam_member_status_name(m->status),
                   iam_member_status_name(m->status),
                   m->provisioned ? " <span class=\"badge\" title=\"Made a member by just-in-time "
                                    "provisioning at their first login\">provisioned</span>"
                                  : "",
                   iam_h(P, grants_brief(pg, m->grants)),
                   iam_h(P, m->groups->nelts ? apr_array_pstrcat(P, m->groups, ',') : "none"),
                   iam_h(P, ago(P, m->last_seen)));
    }
    ap_rputs("</table>", R);
    /* the count of what the filter shows, not of the whole workspace */
    base = apr_psprintf(P, "%s?status=%s&amp;q=%s&amp;", cs_link_to(pg, "/members"), sq,
                        iam_h(P, iam_url_query(P, q.search)));
    cs_pager(pg, &mp, base,
             q.status == IAM_INVITED  ? "invited team member"
             : q.status == IAM_ACTIVE ? "active team member"
                                      : "team member",
             q.status == IAM_INVITED  ? "invited team members"
             : q.status == IAM_ACTIVE ? "active team members"
                                      : "team members",
             q.search);
    iam_page_end(pg->w);
    return OK;
}

int cs_page_invite(page_t *pg)
{
    apr_array_header_t *groups;
    iam_err_t err;
    int i;

    if (iam_store_group_records(pg->w->st, P, &groups, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Invite Team Member", "users");
    cs_form_begin(pg, cs_link_to(pg, "/members"), "card");
    cs_default_action(pg, "invite");
    ap_rprintf(R,
               "<label for=\"email\">Email address</label><input type=\"email\" id=\"email\" "
               "name=\"email\" value=\"%s\" required>"
               "<label for=\"name\">Name (optional)</label><input type=\"text\" id=\"name\" "
               "name=\"name\" value=\"%s\">"
               "<label for=\"login\">Login (optional: what your login page calls them; the "
               "email if empty)</label><input type=\"text\" id=\"login\" name=\"login\" "
               "value=\"%s\">"
               "<fieldset><legend>Roles</legend><p class=\"muted\">Choose roles and the "
               "resources they cover, or assign user groups below.</p>",
               iam_h(P, cs_field(pg, "email")), iam_h(P, cs_field(pg, "name")),
               iam_h(P, cs_field(pg, "login")));
    for (i = 1; i <= ROLE_ROWS; i++)
        cs_role_row(pg, apr_itoa(P, i), 0);
    ap_rputs("</fieldset><fieldset><legend>User groups</legend>", R);
    cs_group_picker(pg, groups, "find", NULL);
    ap_rputs("</fieldset><button name=\"action\" value=\"invite\">Invite Team Member</button>"
             "</form>",
             R);
    iam_page_end(pg->w);
    return OK;
}

/* Mails the invitation; the done code says what happened. */
static const char *invite_mail(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_err_t err;

    if (iam_store_member_get(pg->w->st, P, login, &m, &err) != IAM_OK)
        return "invited";
    switch (iam_mail_invitation(R, m, R->user)) {
    case 0: return "invited-mailed";
    case 1: return "invited-mail-failed";
    default: return "invited";
    }
}

int cs_post_invite(page_t *pg)
{
    iam_member_spec_t sp;
    iam_err_t err;
    apr_array_header_t *grants;

    /* the group finder, or a chosen group dropped: nothing saved */
    if (!strcmp(cs_field(pg, "action"), "find") || *cs_field(pg, "unpick") || cs_searched(pg))
        return cs_page_invite(pg);
    if (!(grants = cs_read_role_rows(pg)))
        return cs_page_invite(pg);
    memset(&sp, 0, sizeof(sp));
    sp.email = cs_field(pg, "email");
    sp.name = cs_field(pg, "name");
    sp.login = *cs_field(pg, "login") ? cs_field(pg, "login") : sp.email;
    sp.status = IAM_INVITED;
    sp.pii = -1;
    sp.grants = grants;
    sp.groups = cs_picked(pg, "group");
    if (!*sp.email) {
        cs_refuse_input(pg, "Enter the email address to invite.");
        return cs_page_invite(pg);
    }
    if (iam_store_member_put(pg->w->st, pg->w->actor, &sp, 1, &err) != IAM_OK) {
        cs_refused(pg, &err);
        return cs_page_invite(pg);
    }
    return cs_see_other(pg, cs_member_path(P, sp.login), invite_mail(pg, sp.login));
}

/* A member's page, first: who they are, and what they ask for. */
static int member_summary(page_t *pg, const iam_member_t *m, int owner, int last_owner,
                          const char *self)
{
    apr_array_header_t *requests;
    iam_err_t err;

    ap_rprintf(R, "<div class=\"card\"><p>%s · %s · <span class=\"badge %s\">%s</span>%s%s</p>",
               iam_h(P, m->login), *m->email ? iam_h(P, m->email) : "no email",
               iam_member_status_name(m->status), iam_member_status_name(m->status),
               owner ? " <span class=\"badge owner\">Workspace Owner</span>" : "",
               m->provisioned ? " <span class=\"badge\">provisioned</span> <span class=\"muted\">"
                                "made a member by just-in-time provisioning at their first login"
                                "</span>"
                              : "");
    if (last_owner)
        ap_rputs("<p class=\"muted\">This is the workspace's last Workspace Owner: they cannot be "
                 "removed or demoted until another member is an owner.</p>",
                 R);
    if (iam_store_request_list(pg->w->st, P, m->login, &requests, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    if (requests->nelts) {
        ap_rputs("</div>\n<h2>Access requests</h2>", R);
        cs_requests_table(pg, requests, self, 0);
        ap_rputs("<div>", R);
    }
    ap_rputs("</div>\n", R);
    return OK;
}

/* Their permissions, direct and through each group, and Add a role. */
static int member_permissions(page_t *pg, const iam_member_t *m, int last_owner, const char *self)
{
    iam_err_t err;
    int i;

    ap_rputs("<h2>Permissions</h2><table><tr><th>Role</th><th>Resources</th>"
             "<th>From</th><th></th></tr>\n",
             R);
    cs_grants_rows(pg, m->grants, "Direct", NULL, 0, self, *m->name ? m->name : m->login,
                   last_owner);
    for (i = 0; i < m->groups->nelts; i++) {
        const char *gname = APR_ARRAY_IDX(m->groups, i, const char *);
        iam_group_t *g;
        if (iam_store_group_get(pg->w->st, P, gname, &g, &err) != IAM_OK)
            return cs_store_failed(pg, &err);
        cs_grants_rows(pg, g->grants, apr_pstrcat(P, "Group ", g->name, NULL),
                       cs_group_link(pg, g->name), 1, NULL, NULL, 0);
    }
    if (!m->grants->nelts)
        ap_rputs("<tr><td data-label=\"Role\">Workspace Member</td><td data-label=\"Resources\">"
                 "Minimal workspace access</td><td data-label=\"From\">Direct</td><td></td></tr>",
                 R);
    ap_rputs("</table>\n<h2>Add a role</h2>", R);
    cs_form_begin(pg, self, "card");
    cs_hidden(pg, "action", "grant");
    cs_role_row(pg, "", 0);
    ap_rputs("<button>Add role</button></form>\n", R);
    return OK;
}

/* Their groups, each with a way out, and Add User Group (a picker). */
static void member_groups(page_t *pg, const iam_member_t *m, apr_array_header_t *groups,
                          const char *self)
{
    int i;

    ap_rputs("<h2>User groups</h2><div class=\"card\">", R);
    for (i = 0; i < m->groups->nelts; i++) {
        const char *gname = APR_ARRAY_IDX(m->groups, i, const char *);
        ap_rprintf(R,
                   "<div class=\"row\"><a href=\"%s\">%s</a> <a class=\"button secondary\" "
                   "href=\"%s\" aria-label=\"Remove %s from %s\">Remove from group</a></div>",
                   cs_group_link(pg, gname), iam_h(P, gname),
                   cs_link_to(pg, "%s",
                              cs_with_query(P, cs_member_path(P, m->login),
                                            apr_pstrcat(P, "confirm=leave&group=",
                                                        iam_url_query(P, gname), NULL))),
                   iam_h(P, *m->name ? m->name : m->login), iam_h(P, gname));
    }
    if (!m->groups->nelts)
        ap_rputs("<p class=\"muted\">In no user group.</p>", R);
    ap_rputs("</div><h3>Add User Group</h3>", R);
    cs_form_begin(pg, self, "card");
    cs_default_action(pg, "join");
    cs_group_picker(pg, groups, "find-groups", m->groups);
    ap_rprintf(R, "<button name=\"action\" value=\"join\"%s>Add User Group</button></form>\n",
               iam_plan_allows_groups(iam_ws_plan(pg->w->ws)) ? "" : " disabled");
}

/* Name, email and PII; an invitee's invitation, to mail again. */
static void member_details(page_t *pg, const iam_member_t *m, const char *self)
{
    ap_rputs("<h2>Details</h2>", R);
    cs_form_begin(pg, self, "card");
    cs_hidden(pg, "action", "details");
    ap_rprintf(R,
               "<label for=\"name\">Name</label><input type=\"text\" id=\"name\" name=\"name\" "
               "value=\"%s\"><label for=\"email\">Email</label><input type=\"email\" id=\"email\" "
               "name=\"email\" value=\"%s\"><label><input type=\"checkbox\" name=\"pii\" "
               "value=\"1\"%s> Access to personal data (PII)</label><button>Save</button></form>",
               iam_h(P, m->name), iam_h(P, m->email), m->pii ? " checked" : "");
    if (m->status == IAM_INVITED) {
        ap_rputs("<h2>Invitation</h2><div class=\"card\"><p class=\"muted\">Invited, not logged "
                 "in yet. Removing the member below revokes the invitation.</p>",
                 R);
        if (iam_ws_mail_command(pg->w->ws) && *m->email) {
            cs_form_begin(pg, self, "inline");
            cs_hidden(pg, "action", "resend");
            ap_rputs("<button class=\"secondary\">Re-send invitation</button></form>", R);
        } else {
            ap_rputs("<p class=\"muted\">No mail is sent: set IAMMailCommand (and give the "
                     "member an email) to mail invitations.</p>",
                     R);
        }
        ap_rputs("</div>", R);
    }
}

/* Remove Team Member: a link to the page that asks, unless they are the
 * last owner. */
static void member_removal(page_t *pg, const iam_member_t *m, int last_owner)
{
    ap_rprintf(R, "<h2>Remove Team Member</h2><div class=\"card\">");
    if (iam_auto_provision(R->server))
        ap_rputs("<p class=\"muted\">With just-in-time provisioning on, a removed member who can "
                 "still log in at the identity provider comes back as a Workspace Member with "
                 "minimal access: remove them there too.</p>",
                 R);
    if (last_owner)
        ap_rputs("<p>The last Workspace Owner cannot be removed.</p>"
                 "<button class=\"danger\" disabled>Remove Team Member</button>",
                 R);
    else
        ap_rprintf(
            R, "<a class=\"button danger\" href=\"%s\">Remove Team Member</a>",
            cs_link_to(pg, "%s", cs_with_query(P, cs_member_path(P, m->login), "confirm=remove")));
    ap_rputs("</div>", R);
}

/* A member's page: each section posts back to it. A store failure after
 * the page began ends it there (the error log says why). */
int cs_page_member(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_workspace_info_t info;
    apr_array_header_t *groups;
    iam_err_t err;
    const char *self;
    int rc, owner, last_owner;

    switch (iam_store_member_get(pg->w->st, P, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_member(pg, login);
    default: return cs_store_failed(pg, &err);
    }
    if (iam_store_info(pg->w->st, &info, P, &err) != IAM_OK ||
        iam_store_group_records(pg->w->st, P, &groups, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    owner = iam_grants_owner(m->grants);
    last_owner = owner && info.owners <= 1;
    self = cs_member_link(pg, m->login);
    cs_begin(pg, *m->name ? m->name : m->login, "users");
    if ((rc = member_summary(pg, m, owner, last_owner, self)) != OK ||
        (rc = member_permissions(pg, m, last_owner, self)) != OK)
        return rc;
    member_groups(pg, m, groups, self);
    member_details(pg, m, self);
    member_removal(pg, m, last_owner);
    iam_page_end(pg->w);
    return OK;
}

/* Removing a member from a group asks first. */
int cs_page_member_leave(page_t *pg, const char *login, const char *group)
{
    iam_member_t *m;
    iam_err_t err;
    const char *who;

    switch (iam_store_member_get(pg->w->st, P, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_member(pg, login);
    default: return cs_store_failed(pg, &err);
    }
    if (!group || !cs_in_list(m->groups, group))
        return cs_not_found(
            pg, apr_psprintf(P, "%s is not in the user group “%s”.", m->login, group ? group : ""),
            cs_member_path(P, m->login), "Back to the member");
    who = *m->name ? m->name : m->login;
    cs_begin(pg, "Remove from group", "users");
    ap_rprintf(R,
               "<div class=\"card\"><p>Remove <strong>%s</strong> from <strong>%s</strong>? They "
               "lose the access the group gives them; they stay in the workspace.</p>",
               iam_h(P, who), iam_h(P, group));
    cs_form_begin(pg, cs_member_link(pg, m->login), "inline");
    cs_hidden(pg, "action", "leave");
    cs_hidden(pg, "group", group);
    ap_rprintf(R,
               "<button class=\"danger\">Remove %s from %s</button></form> <a href=\"%s\">Cancel"
               "</a></div>",
               iam_h(P, who), iam_h(P, group), cs_member_link(pg, m->login));
    iam_page_end(pg->w);
    return OK;
}

int cs_page_member_remove(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_err_t err;

    switch (iam_store_member_get(pg->w->st, P, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_member(pg, login);
    default: return cs_store_failed(pg, &err);
    }
    cs_begin(pg, "Remove Team Member", "users");
    ap_rprintf(R,
               "<div class=\"card\"><p>Remove <strong>%s</strong> (%s) from the workspace? "
               "They lose every role and leave every user group. This cannot be undone.</p>",
               iam_h(P, *m->name ? m->name : m->login), iam_h(P, m->login));
    cs_form_begin(pg, cs_member_link(pg, m->login), "inline");
    cs_hidden(pg, "action", "remove");
    ap_rprintf(R,
               "<button class=\"danger\">Remove Team Member</button></form> "
               "<a href=\"%s\">Cancel</a></div>",
               cs_member_link(pg, m->login));
    iam_page_end(pg->w);
    return OK;
}

/* Join or leave groups: the member's whole new set of groups, written in
 * one transaction. */
static int post_member_groups(page_t *pg, const char *login, const char *action)
{
    apr_array_header_t *groups =
        !strcmp(action, "join") ? cs_picked(pg, "group") : iam_web_values(P, pg->form, "group");
    apr_array_header_t *set;
    iam_member_spec_t sp;
    iam_member_t *m;
    iam_err_t err;
    int i, j;

    if (!groups->nelts) {
        cs_refuse_input(pg, "Choose a user group.");
        return cs_page_member(pg, login);
    }
    if (iam_store_member_get(pg->w->st, P, login, &m, &err) == IAM_OK) {
        set = apr_array_make(P, 4, sizeof(const char *));
        for (i = 0; i < m->groups->nelts; i++) {
            const char *cur = APR_ARRAY_IDX(m->groups, i, const char *);
            int drop = 0;
            for (j = 0; !strcmp(action, "leave") && j < groups->nelts; j++)
                drop |= !strcasecmp(cur, APR_ARRAY_IDX(groups, j, const char *));
            if (!drop)
                APR_ARRAY_PUSH(set, const char *) = cur;
        }
        if (!strcmp(action, "join"))
            apr_array_cat(set, groups);
        memset(&sp, 0, sizeof(sp));
        sp.login = login;
        sp.pii = -1;
        sp.groups = set;
        if (iam_store_member_put(pg->w->st, pg->w->actor, &sp, 0, &err) == IAM_OK)
            return cs_see_other_who(pg, cs_member_path(P, login),
                                    !strcmp(action, "join") ? "joined" : "left",
                                    apr_array_pstrcat(P, groups, ','));
    }
    cs_refused(pg, &err);
    return cs_page_member(pg, login);
}

/* Mails an invitee their invitation again. */
static int post_member_resend(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_err_t err;
    int rc;

    if (iam_store_member_get(pg->w->st, P, login, &m, &err) != IAM_OK) {
        cs_refused(pg, &err);
        return cs_page_member(pg, login);
    }
    rc = m->status == IAM_INVITED ? iam_mail_invitation(R, m, R->user) : -1;
    if (rc == 0)
        return cs_see_other(pg, cs_member_path(P, login), "resent");
    cs_refuse_input(pg, rc > 0 ? "The invitation could not be mailed; the error log says why."
                               : "Only an invited member with an email can be mailed an "
                                 "invitation, and only with IAMMailCommand set.");
    pg->status = rc > 0 ? HTTP_BAD_GATEWAY : HTTP_CONFLICT;
    return cs_page_member(pg, login);
}

int cs_post_member(page_t *pg, const char *login)
{
    const char *action = cs_field(pg, "action");
    const char *back = cs_member_path(P, login);
    iam_member_spec_t sp;
    iam_err_t err;
    iam_status_e st;

    if (cs_grant_action(action)) {
        if (!cs_post_grant(pg, 0, login, action, &st, &err))
            return cs_page_member(pg, login);
    } else if (!strcmp(action, "find-groups") || *cs_field(pg, "unpick") || cs_searched(pg)) {
        return cs_page_member(pg, login); /* the group picker: nothing saved */
    } else if (!strcmp(action, "join") || !strcmp(action, "leave")) {
        return post_member_groups(pg, login, action);
    } else if (!strcmp(action, "details")) {
        memset(&sp, 0, sizeof(sp));
        sp.login = login;
        sp.name = cs_field(pg, "name");
        sp.email = cs_field(pg, "email");
        sp.pii = *cs_field(pg, "pii") != '\0';
        st = iam_store_member_put(pg->w->st, pg->w->actor, &sp, 0, &err);
    } else if (!strcmp(action, "resend")) {
        return post_member_resend(pg, login);
    } else if (!strcmp(action, "approve") || !strcmp(action, "dismiss")) {
        if ((st = cs_answer_request(pg, &err)) == IAM_OK)
            return cs_see_other_who(pg, back, !strcmp(action, "approve") ? "approved" : "dismissed",
                                    login);
    } else if (!strcmp(action, "remove")) {
        if ((st = iam_store_member_remove(pg->w->st, pg->w->actor, login, &err)) == IAM_OK)
            return cs_see_other_who(pg, "/members", "removed", login);
    } else {
        cs_refuse_input(pg, "Unknown action.");
        return cs_page_member(pg, login);
    }
    if (st != IAM_OK) {
        if (st == IAM_NOTFOUND && !strcmp(action, "remove"))
            return no_member(pg, login);
        cs_refused(pg, &err);
        return cs_page_member(pg, login);
    }
    return cs_see_other(pg, back, "updated");
}
