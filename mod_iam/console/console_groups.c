/* mod_iam console: user groups. Groups (the list), Create User Group with
 * its review, a group's page (members and permissions tabs), its
 * confirmation pages, and its posts. */

#include "console_int.h"

#define GROUPS_SHOWN 200 /* rows of the Groups tab before "search" */

/* Whom a change was done to, in short: "Max Power (max), sam and 3 more". */
static const char *who_text(page_t *pg, const apr_array_header_t *logins)
{
    const char *out = "";
    int i, n = logins->nelts < 3 ? logins->nelts : 3;

    for (i = 0; i < n; i++) {
        const char *login = APR_ARRAY_IDX(logins, i, const char *);
        iam_member_t *m;
        iam_err_t err;
        const char *label =
            iam_store_member_get(pg->w->st, P, login, &m, &err) == IAM_OK && *m->name ? m->name
                                                                                      : login;
        out = apr_pstrcat(P, out,
                          i == 0                   ? ""
                          : i == logins->nelts - 1 ? " and "
                                                   : ", ",
                          label, NULL);
    }
    if (logins->nelts > n)
        out = apr_psprintf(P, "%s and %d more", out, logins->nelts - n);
    return out;
}

static int no_group(page_t *pg, const char *name)
{
    return cs_not_found(
        pg, apr_psprintf(P, "There is no user group “%s”: it may have been deleted.", name),
        "/groups", "Back to Groups");
}

static int groups_unavailable(page_t *pg, const char *title)
{
    cs_begin(pg, title, "groups");
    ap_rprintf(R,
               "<div class=\"card empty unavailable\">User groups are not available on the %s "
               "plan. They come with the business plan.</div>",
               iam_h(P, iam_plan_name(iam_ws_plan(pg->w->ws))));
    iam_page_end(pg->w);
    return OK;
}

/* How many members a group has. */
static iam_status_e group_size(page_t *pg, const char *group, long *out, iam_err_t *err)
{
    iam_member_query_t all = {NULL, -1, NULL, NULL, 1};
    iam_member_page_t one;
    iam_status_e rc = iam_store_group_member_query(pg->w->st, P, group, &all, &one, err);

    *out = rc == IAM_OK ? one.total : 0;
    return rc;
}

/* Whether SCIM manages the group's members (an identity provider wrote
 * it): the console shows them and does not offer to change them. */
static int managed_by_scim(page_t *pg, const char *group)
{
    iam_scim_entry_t e;
    iam_err_t err;

    return iam_store_scim_get(pg->w->st, P, IAM_ID_GROUP, NULL, group, 0, &e, &err) == IAM_OK &&
           e.id->managed;
}

int cs_page_groups(page_t *pg)
{
    const char *q = apr_table_get(pg->w->query, "q");
    apr_array_header_t *list;
    iam_err_t err;
    int i, shown = 0;

    if (!iam_plan_allows_groups(iam_ws_plan(pg->w->ws)))
        return groups_unavailable(pg, "Groups");
    /* the records alone; the members counted only of the groups shown */
    if (iam_store_group_records(pg->w->st, P, &list, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, "Groups", "groups");
    ap_rprintf(R,
               "<div class=\"toolbar\"><form method=\"get\" action=\"%s\" role=\"search\">"
               "<input type=\"search\" name=\"q\" value=\"%s\" placeholder=\"Search groups\" "
               "aria-label=\"Search groups by name\"> <button class=\"secondary\">Search</button>"
               "</form><a class=\"button\" href=\"%s\">Create User Group</a></div>",
               cs_link_to(pg, "/groups"), iam_h(P, q), cs_link_to(pg, "/groups/new"));
    if (!list->nelts) {
        ap_rputs("<div class=\"card empty\">No user groups yet. Groups give several team members "
                 "the same access.</div>",
                 R);
        iam_page_end(pg->w);
        return OK;
    }
    ap_rputs("<table><tr><th>Group</th><th>Members</th><th>Roles</th></tr>", R);
    for (i = 0; i < list->nelts; i++) {
        iam_group_t *g = APR_ARRAY_IDX(list, i, iam_group_t *);
        const char *roles = "";
        long members;
        int j;
        if (q && !cs_contains_nocase(g->name, q))
            continue;
        if (shown++ == GROUPS_SHOWN) {
            ap_rputs("<tr><td colspan=\"3\" class=\"muted\">More groups: search by name.</td>"
                     "</tr>",
                     R);
            break;
        }
        if (group_size(pg, g->name, &members, &err) != IAM_OK)
            return cs_store_failed(pg, &err);
        for (j = 0; j < g->grants->nelts; j++)
            roles =
                apr_pstrcat(P, roles, j ? ", " : "",
                            cs_grant_words(pg, &APR_ARRAY_IDX(g->grants, j, iam_grant_t)), NULL);
        ap_rprintf(R,
                   "<tr><td data-label=\"Group\"><a href=\"%s\">%s</a>%s</td><td "
                   "data-label=\"Members\">%s</td><td data-label=\"Direct roles\">%s</td></tr>",
                   cs_group_link(pg, g->name), iam_h(P, g->name),
                   managed_by_scim(pg, g->name)
                       ? " <span class=\"badge\" title=\"Its members come from your identity "
                         "provider (SCIM)\">SCIM</span>"
                       : "",
                   cs_thousands(P, members),
                   *roles ? iam_h(P, roles) : "<span class=\"muted\">none</span>");
    }
    ap_rputs("</table>", R);
    iam_page_end(pg->w);
    return OK;
}

static void grants_summary(page_t *pg, const apr_array_header_t *grants)
{
    int i;

    ap_rputs("<ul>", R);
    for (i = 0; grants && i < grants->nelts; i++)
        ap_rprintf(R, "<li>%s</li>",
                   iam_h(P, cs_grant_words(pg, &APR_ARRAY_IDX(grants, i, iam_grant_t))));
    if (!grants || !grants->nelts)
        ap_rputs("<li class=\"muted\">No roles yet: members keep minimal workspace access.</li>",
                 R);
    ap_rputs("</ul>", R);
}

/* The review beside a form that adds members: who will be added. */
static void members_review(page_t *pg, const apr_array_header_t *chosen, const char *title)
{
    int i, n = 0;

    ap_rprintf(R, "<h3>%s</h3><ul>", title);
    for (i = 0; i < chosen->nelts; i++) {
        const char *label = cs_member_label(pg, APR_ARRAY_IDX(chosen, i, const char *));
        if (label) {
            ap_rprintf(R, "<li>%s</li>", iam_h(P, label));
            n++;
        }
    }
    if (!n)
        ap_rputs("<li class=\"muted\">Nobody yet.</li>", R);
    ap_rputs("</ul>", R);
}

/* Whether the posted choice is the one the page showed for review. */
static int reviewed(page_t *pg, const apr_array_header_t *chosen)
{
    return !strcmp(cs_field(pg, "reviewed"), cs_choice_print(P, chosen));
}

int cs_page_group_new(page_t *pg)
{
    apr_array_header_t *chosen = cs_picked(pg, "member"), *grants = NULL;
    const char *q = cs_field_or_query(pg, "q");
    int i, rc;

    if (!iam_plan_allows_groups(iam_ws_plan(pg->w->ws)))
        return groups_unavailable(pg, "Create User Group");
    if (pg->form && !pg->error)
        grants = cs_read_role_rows(pg); /* for the review; refused rows say why */
    cs_begin(pg, "Create User Group", "groups");
    ap_rputs("<div class=\"cols\"><div>", R);
    cs_form_begin(pg, cs_link_to(pg, "/groups"), "card");
    cs_default_action(pg, "create");
    ap_rprintf(R,
               "<label for=\"name\">Group name</label><input type=\"text\" id=\"name\" "
               "name=\"name\" value=\"%s\" required><fieldset><legend>Roles</legend>",
               iam_h(P, cs_field(pg, "name")));
    for (i = 1; i <= ROLE_ROWS; i++)
        cs_role_row(pg, apr_itoa(P, i), 1);
    ap_rputs("</fieldset><fieldset><legend>Members</legend>", R);
    cs_chosen_list(pg, "member", chosen, 1, "members");
    cs_picker_search(pg, "q", q, "preview", "Search members by name or email");
    if ((rc = cs_member_results(pg, q, chosen, NULL)) != OK)
        return rc;
    cs_hidden(pg, "reviewed", cs_choice_print(P, chosen));
    ap_rputs("<p class=\"muted\">Tick members and search again, or review: the ticked join the "
             "chosen.</p></fieldset><button class=\"secondary\" name=\"action\" "
             "value=\"preview\" formnovalidate>Review</button> <button name=\"action\" "
             "value=\"create\">Create User Group</button></form></div>",
             R);
    ap_rputs("<aside class=\"card\" aria-label=\"Review\"><h2>Review</h2><h3>Group "
             "permissions</h3>",
             R);
    if (grants)
        grants_summary(pg, grants);
    else
        ap_rputs("<p class=\"muted\">Choose roles, then review them here.</p>", R);
    members_review(pg, chosen, apr_psprintf(P, "Members (%d)", chosen->nelts));
    ap_rputs("</aside></div>", R);
    iam_page_end(pg->w);
    return OK;
}

int cs_post_group_new(page_t *pg)
{
    apr_array_header_t *grants = cs_read_role_rows(pg), *chosen = cs_picked(pg, "member");
    iam_group_spec_t sp;
    iam_err_t err;

    if (!grants)
        return cs_page_group_new(pg);
    if (strcmp(cs_field(pg, "action"), "create") && *cs_field(pg, "action"))
        return cs_page_group_new(pg); /* a search or a review: nothing saved */
    if (*cs_field(pg, "unpick") || cs_searched(pg))
        return cs_page_group_new(pg);
    if (pg->form && apr_table_get(pg->form, "reviewed") && !reviewed(pg, chosen)) {
        pg->note = "Review the members you ticked, then press Create User Group again.";
        return cs_page_group_new(pg);
    }
    if (chosen->nelts > PICK_MAX) {
        cs_refuse_input(pg, apr_psprintf(P, "Choose at most %d members at once.", PICK_MAX));
        return cs_page_group_new(pg);
    }
    memset(&sp, 0, sizeof(sp));
    sp.name = cs_field(pg, "name");
    sp.pii = -1;
    sp.grants = grants;
    sp.members = chosen;
    if (iam_store_group_put(pg->w->st, pg->w->actor, &sp, 1, &err) != IAM_OK) {
        cs_refused(pg, &err);
        return cs_page_group_new(pg);
    }
    return cs_see_other(pg, cs_group_path(P, sp.name), "group-created");
}

/* A group's members (searchable: ?mq=), each to tick for removal, and
 * the picker that adds more. */
static int group_members_tab(page_t *pg, const iam_group_t *g, const char *self,
                             const iam_member_page_t *mp, const char *mq)
{
    const char *q = cs_field_or_query(pg, "q");
    apr_array_header_t *chosen = cs_picked(pg, "member");
    int i, rc, managed = managed_by_scim(pg, g->name);

    ap_rprintf(R,
               "<form method=\"get\" action=\"%s\" class=\"row\" role=\"search\">"
               "<input type=\"search\" name=\"mq\" value=\"%s\" placeholder=\"Search this "
               "group by name or email\" aria-label=\"Search the members of %s\"><button "
               "class=\"secondary\">Search</button></form>",
               self, iam_h(P, mq), iam_h(P, g->name));
    if (managed) /* the identity provider would undo a change made here */
        ap_rputs("<p class=\"notice\" role=\"note\">Your identity provider manages this group's "
                 "members (SCIM): add and remove them there. Its roles are yours to give "
                 "here.</p><div class=\"card\">",
                 R);
    else {
        cs_form_begin(pg, self, "card");
        cs_default_action(pg, "confirm-remove");
    }
    for (i = 0; i < mp->members->nelts; i++) {
        const iam_member_t *m = APR_ARRAY_IDX(mp->members, i, iam_member_t *);
        ap_rprintf(R,
                   "<label>%s%s%s <a href=\"%s\">%s</a> <span class=\"muted\">%s</span>"
                   "</label>",
                   managed ? "" : "<input type=\"checkbox\" name=\"member\" value=\"",
                   managed ? "" : iam_h(P, m->login), managed ? "" : "\">",
                   cs_member_link(pg, m->login), iam_h(P, *m->name ? m->name : m->login),
                   iam_h(P, *m->email ? m->email : m->login));
    }
    if (!mp->members->nelts)
        ap_rputs(mq && *mq ? "<p class=\"muted\">No member of this group matches.</p>"
                           : "<p class=\"muted\">No members yet.</p>",
                 R);
    else if (!managed)
        ap_rprintf(R,
                   "<button class=\"secondary\" name=\"action\" value=\"confirm-remove\">"
                   "Remove selected from %s…</button>",
                   iam_h(P, g->name));
    ap_rputs(managed ? "</div>" : "</form>", R);
    if (mp->members->nelts)
        cs_pager(pg, mp, apr_psprintf(P, "%s?mq=%s&amp;", self, iam_h(P, iam_url_query(P, mq))),
                 "member", "members", mq);
    if (managed)
        return OK;
    ap_rputs("<h2>Add members</h2>", R);
    cs_form_begin(pg, self, "card");
    cs_default_action(pg, "add-members");
    cs_chosen_list(pg, "member", chosen, 1, "members");
    cs_picker_search(pg, "q", q, "find-members", "Search members to add by name or email");
    if ((rc = cs_member_results(pg, q, chosen, g->name)) != OK)
        return rc;
    cs_hidden(pg, "reviewed", cs_choice_print(P, chosen));
    members_review(pg, chosen, apr_psprintf(P, "To be added (%d)", chosen->nelts));
    ap_rprintf(R,
               "<p class=\"muted\">Tick members and search again: the ticked join the chosen."
               "</p><button name=\"action\" value=\"add-members\">Add to %s</button></form>",
               iam_h(P, g->name));
    return OK;
}

/* Removing members from a group asks first, naming them. */
static int page_group_remove_members(page_t *pg, const iam_group_t *g,
                                     const apr_array_header_t *logins)
{
    const char *self = cs_group_link(pg, g->name);
    int i;

    cs_begin(pg, "Remove from group", "groups");
    ap_rprintf(R,
               "<div class=\"card\"><p>Remove %d member%s from <strong>%s</strong>? They lose "
               "the access the group gives them; they stay in the workspace.</p><ul>",
               logins->nelts, logins->nelts == 1 ? "" : "s", iam_h(P, g->name));
    for (i = 0; i < logins->nelts; i++) {
        const char *label = cs_member_label(pg, APR_ARRAY_IDX(logins, i, const char *));
        ap_rprintf(R, "<li>%s</li>",
                   iam_h(P, label ? label : APR_ARRAY_IDX(logins, i, const char *)));
    }
    ap_rputs("</ul>", R);
    cs_form_begin(pg, self, "inline");
    cs_hidden(pg, "action", "remove-members");
    for (i = 0; i < logins->nelts; i++)
        cs_hidden(pg, "member", APR_ARRAY_IDX(logins, i, const char *));
    ap_rprintf(R,
               "<button class=\"danger\">Remove %d member%s from %s</button></form> "
               "<a href=\"%s\">Cancel</a></div>",
               logins->nelts, logins->nelts == 1 ? "" : "s", iam_h(P, g->name), self);
    iam_page_end(pg->w);
    return OK;
}

int cs_page_group(page_t *pg, const char *name)
{
    const char *tab = apr_table_get(pg->w->query, "tab"), *mq = NULL;
    iam_member_query_t q = {NULL, -1, NULL, NULL, 0};
    iam_member_page_t mp;
    iam_group_t *g;
    iam_err_t err;
    const char *self;
    long members;
    int rc;

    if (!iam_plan_allows_groups(iam_ws_plan(pg->w->ws)))
        return groups_unavailable(pg, name);
    switch (iam_store_group_record(pg->w->st, P, name, &g, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_group(pg, name);
    default: return cs_store_failed(pg, &err);
    }
    self = cs_group_link(pg, g->name);
    tab = tab && !strcmp(tab, "permissions") ? "permissions" : "members";
    /* the members tab reads its page; the tab's count is of them all */
    if (!strcmp(tab, "members")) {
        if (cs_query_page(pg, g->name, "mq", &q, &mp, &err) != IAM_OK)
            return cs_store_failed(pg, &err);
        mq = q.search;
        members = mp.total;
    }
    if ((strcmp(tab, "members") || (mq && *mq)) &&
        group_size(pg, g->name, &members, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    cs_begin(pg, g->name, "groups");
    {
        const char *names[] = {apr_psprintf(P, "Members (%s)", cs_thousands(P, members)),
                               "Permissions"};
        const char *hrefs[] = {
            self,
            cs_link_to(pg, "%s", cs_with_query(P, cs_group_path(P, g->name), "tab=permissions"))};
        cs_view_tabs(pg, apr_psprintf(P, "The group %s", iam_h(P, g->name)), 2, names, hrefs,
                     !strcmp(tab, "permissions"));
    }
    ap_rputs("<div class=\"cols\"><div>", R);
    if (!strcmp(tab, "members")) {
        if ((rc = group_members_tab(pg, g, self, &mp, mq)) != OK)
            return rc;
    } else {
        ap_rputs("<table><tr><th>Role</th><th>Resources</th><th>From</th><th></th></tr>", R);
        cs_grants_rows(pg, g->grants, "This group", NULL, 1, self, g->name, 0);
        ap_rputs("</table><h2>Add a role</h2>", R);
        cs_form_begin(pg, self, "card");
        cs_hidden(pg, "action", "grant");
        cs_role_row(pg, "", 1);
        ap_rputs("<button>Add role</button></form>", R);
        cs_form_begin(pg, self, "card");
        cs_hidden(pg, "action", "pii");
        ap_rprintf(R,
                   "<label><input type=\"checkbox\" name=\"pii\" value=\"1\"%s> Members may see "
                   "personal data (PII)</label><button>Save</button></form>",
                   g->pii ? " checked" : "");
    }
    ap_rputs("</div><aside class=\"card\"><h2>Group permissions</h2>", R);
    grants_summary(pg, g->grants);
    ap_rprintf(R, "<p><a href=\"%s\">Delete this group</a></p></aside></div>",
               cs_link_to(pg, "%s", cs_with_query(P, cs_group_path(P, g->name), "confirm=delete")));
    iam_page_end(pg->w);
    return OK;
}

int cs_page_group_delete(page_t *pg, const char *name)
{
    iam_group_t *g;
    iam_err_t err;

    switch (iam_store_group_get(pg->w->st, P, name, &g, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_group(pg, name);
    default: return cs_store_failed(pg, &err);
    }
    cs_begin(pg, "Delete User Group", "groups");
    ap_rprintf(R,
               "<div class=\"card\"><p>Delete <strong>%s</strong>? Its %d members lose the "
               "access it gives them; they stay in the workspace.</p>",
               iam_h(P, g->name), g->members->nelts);
    cs_form_begin(pg, cs_group_link(pg, g->name), "inline");
    cs_hidden(pg, "action", "delete");
    ap_rprintf(R,
               "<button class=\"danger\">Delete group</button></form> <a href=\"%s\">Cancel</a>"
               "</div>",
               cs_group_link(pg, g->name));
    iam_page_end(pg->w);
    return OK;
}

/* Add members (the picker's choice, as reviewed), ask before removing
 * the ticked, or remove them. */
static int post_group_members(page_t *pg, const char *name, const char *action)
{
    int add = !strcmp(action, "add-members");
    apr_array_header_t *members =
        add ? cs_picked(pg, "member") : iam_web_values(P, pg->form, "member");
    iam_group_t *gr;
    iam_err_t err;

    if (!members->nelts) {
        cs_refuse_input(pg,
                        add ? "Choose at least one member to add." : "Select at least one member.");
        return cs_page_group(pg, name);
    }
    if (add && apr_table_get(pg->form, "reviewed") && !reviewed(pg, members)) {
        pg->note = "Review who will be added, then press Add again.";
        return cs_page_group(pg, name);
    }
    if (members->nelts > PICK_MAX) {
        cs_refuse_input(pg, apr_psprintf(P, "Choose at most %d members at once.", PICK_MAX));
        return cs_page_group(pg, name);
    }
    if (!strcmp(action, "confirm-remove")) {
        switch (iam_store_group_get(pg->w->st, P, name, &gr, &err)) {
        case IAM_OK: return page_group_remove_members(pg, gr, members);
        case IAM_NOTFOUND: return no_group(pg, name);
        default: return cs_store_failed(pg, &err);
        }
    }
    if (iam_store_group_members(pg->w->st, pg->w->actor, name, add,
                                (const char *const *)members->elts, members->nelts, &err) == IAM_OK)
        return cs_see_other_who(
            pg, cs_group_path(P, name), add ? "members-added" : "members-removed",
            apr_pstrcat(P, who_text(pg, members), add ? " to " : " from ", name, NULL));
    cs_refused(pg, &err);
    return cs_page_group(pg, name);
}

int cs_post_group(page_t *pg, const char *name)
{
    const char *action = cs_field(pg, "action");
    const char *back = cs_group_path(P, name);
    iam_group_spec_t sp;
    iam_err_t err;
    iam_status_e st;

    if (!strcmp(action, "find-members") || *cs_field(pg, "unpick") || cs_searched(pg)) {
        return cs_page_group(pg, name); /* the picker: nothing saved */
    } else if (!strcmp(action, "add-members") || !strcmp(action, "remove-members") ||
               !strcmp(action, "confirm-remove")) {
        return post_group_members(pg, name, action);
    } else if (cs_grant_action(action)) {
        if (!cs_post_grant(pg, 1, name, action, &st, &err))
            return cs_page_group(pg, name);
        back = cs_with_query(P, back, "tab=permissions");
    } else if (!strcmp(action, "pii")) {
        memset(&sp, 0, sizeof(sp));
        sp.name = name;
        sp.pii = *cs_field(pg, "pii") != '\0';
        st = iam_store_group_put(pg->w->st, pg->w->actor, &sp, 0, &err);
        back = cs_with_query(P, back, "tab=permissions");
    } else if (!strcmp(action, "delete")) {
        if ((st = iam_store_group_delete(pg->w->st, pg->w->actor, name, &err)) == IAM_OK)
            return cs_see_other_who(pg, "/groups", "group-deleted", name);
    } else {
        cs_refuse_input(pg, "Unknown action.");
        return cs_page_group(pg, name);
    }
    if (st != IAM_OK) {
        if (st == IAM_NOTFOUND && !strcmp(action, "delete"))
            return no_group(pg, name);
        cs_refused(pg, &err);
        return cs_page_group(pg, name);
    }
    return cs_see_other(pg, back, "updated");
}
