/* mod_iam console: the pieces of forms that several pages share. Role rows
 * (role, scope, resources or labels) and how a post reads them; a holder's
 * permissions table, whose rows edit and remove grants in place; the
 * pickers that choose members or groups across searches; and the hidden
 * button that makes Enter press a form's main action. */

#include "console_int.h"

#include <ctype.h>

/* The first submit button of a form is the one Enter presses: this one,
 * out of sight, presses the form's main action (not a search or a
 * preview button that comes first on the page). */
void cs_default_action(page_t *pg, const char *value)
{
    ap_rprintf(R,
               "<button class=\"default-action\" name=\"action\" value=\"%s\" tabindex=\"-1\" "
               "aria-hidden=\"true\">%s</button>",
               value, value);
}

/* ---- roles and grants in forms ---- */

static int role_selectable(const iam_role_t *r)
{
    return r->kind != IAM_ROLE_MEMBER;
}

/* <select> of roles: those the plan lacks are shown, marked and disabled. */
static void role_select(page_t *pg, const char *name, const char *selected, int for_group)
{
    const iam_roles_t *roles = iam_ws_roles(pg->w->ws);
    int i;

    ap_rprintf(R,
               "<select name=\"%s\" aria-label=\"Role\"><option value=\"\">Choose a role"
               "</option>",
               name);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        int allowed = iam_plan_allows_role(iam_ws_plan(pg->w->ws), r) &&
                      !(for_group && r->kind == IAM_ROLE_OWNER);
        if (!role_selectable(r))
            continue;
        ap_rprintf(R, "<option value=\"%s\"%s%s>%s%s</option>", iam_h(P, r->slug),
                   selected && !strcmp(selected, r->slug) ? " selected" : "",
                   allowed ? "" : " disabled", iam_h(P, r->name),
                   allowed                                  ? ""
                   : for_group && r->kind == IAM_ROLE_OWNER ? " (members only)"
                                                            : " (not on this plan)");
    }
    ap_rputs("</select>", R);
}

static void scope_select(page_t *pg, const char *name, const char *selected)
{
    int labels = iam_plan_allows_labels(iam_ws_plan(pg->w->ws));

    ap_rprintf(R,
               "<select name=\"%s\" aria-label=\"Scope\">"
               "<option value=\"all\"%s>All current and future resources</option>"
               "<option value=\"resources\"%s>Specific resources</option>"
               "<option value=\"labels\"%s%s>Resources with labels%s</option></select>",
               name, selected && !strcmp(selected, "all") ? " selected" : "",
               selected && !strcmp(selected, "resources") ? " selected" : "",
               selected && !strcmp(selected, "labels") ? " selected" : "",
               labels ? "" : " disabled", labels ? "" : " (not on this plan)");
}

/* One row: role, scope, names (resources or key:value labels). */
void cs_role_row(page_t *pg, const char *suffix, int for_group)
{
    const char *rn = apr_pstrcat(P, "role", suffix, NULL),
               *sn = apr_pstrcat(P, "scope", suffix, NULL),
               *in = apr_pstrcat(P, "items", suffix, NULL);

    cs_known_datalist(pg);
    ap_rputs("<div class=\"row\">", R);
    role_select(pg, rn, cs_field(pg, rn), for_group);
    scope_select(pg, sn, cs_field(pg, sn));
    ap_rprintf(R,
               "<input type=\"text\" name=\"%s\" value=\"%s\" aria-label=\"Resources or labels\" "
               "list=\"known-items\" placeholder=\"checkout web, or env:prod\">",
               in, iam_h(P, cs_field(pg, in)));
    ap_rputs("</div>", R);
}

/* Reads the role row `suffix` from the form; 0 when empty, -1 refused. */
static int read_role_row(page_t *pg, const char *suffix, iam_grant_t *g)
{
    const char *role = cs_field(pg, apr_pstrcat(P, "role", suffix, NULL));
    const char *scope = cs_field(pg, apr_pstrcat(P, "scope", suffix, NULL));
    apr_array_header_t *items =
        iam_web_words(P, cs_field(pg, apr_pstrcat(P, "items", suffix, NULL)));
    const iam_role_t *r;

    if (!*role)
        return 0;
    if (!(r = iam_roles_find(iam_ws_roles(pg->w->ws), role))) {
        cs_refuse_input(pg, apr_psprintf(P, "unknown role '%s'", role));
        return -1;
    }
    g->role = r->slug;
    g->scope = !strcmp(scope, "labels")      ? IAM_SCOPE_LABELS
               : !strcmp(scope, "resources") ? IAM_SCOPE_RESOURCES
                                             : IAM_SCOPE_ALL;
    if (g->scope == IAM_SCOPE_ALL && items->nelts) {
        cs_refuse_input(pg, apr_psprintf(P,
                                         "%s on all resources names none: choose \"Specific "
                                         "resources\" or \"Resources with labels\"",
                                         r->name));
        return -1;
    }
    g->nitems = items->nelts;
    g->items = (const char **)items->elts;
    return 1;
}

apr_array_header_t *cs_read_role_rows(page_t *pg)
{
    apr_array_header_t *grants = apr_array_make(P, ROLE_ROWS, sizeof(iam_grant_t));
    iam_grant_t g;
    int i, rc;

    for (i = 1; i <= ROLE_ROWS; i++) {
        rc = read_role_row(pg, apr_itoa(P, i), &g);
        if (rc < 0)
            return NULL;
        if (rc > 0)
            *(iam_grant_t *)apr_array_push(grants) = g;
    }
    return grants;
}

/* A grant in words, as the audit says it: "Source Admin on checkout,
 * web", "Source Admin on labels env:prod", "Warehouse Read-only on all"
 * (plain text). */
const char *cs_grant_words(page_t *pg, const iam_grant_t *g)
{
    const char *on = g->scope == IAM_SCOPE_ALL      ? "all"
                     : g->scope == IAM_SCOPE_LABELS ? "labels "
                                                    : "";
    int j;

    for (j = 0; g->scope != IAM_SCOPE_ALL && j < g->nitems; j++)
        on = apr_pstrcat(P, on, j ? ", " : "", g->items[j], NULL);
    return apr_pstrcat(P, iam_role_name(iam_ws_roles(pg->w->ws), g->role), " on ", on, NULL);
}

/* Rows of a permissions table. A grant the plan does not honour (the
 * decision skips it) says so, and why. With `action` (the holder's page),
 * each row can be edited in place (its resources or labels) and removed;
 * `holder` names whom the buttons act on; the last owner's Workspace
 * Owner cannot be removed, and says so. */
void cs_grants_rows(page_t *pg, const apr_array_header_t *grants, const char *via,
                    const char *via_link, int via_group, const char *action, const char *holder,
                    int last_owner)
{
    const iam_roles_t *roles = iam_ws_roles(pg->w->ws);
    int i;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        const iam_role_t *role = iam_roles_find(roles, g->role);
        const char *why = iam_policy_ignored(roles, iam_ws_plan(pg->w->ws), g, via_group);
        const char *text = cs_grant_words(pg, g);
        ap_rprintf(R,
                   "<tr%s><td data-label=\"Role\">%s%s</td><td data-label=\"Resources\">%s%s</td>"
                   "<td data-label=\"From\">%s%s%s</td><td>",
                   why ? " class=\"unavailable\"" : "", iam_h(P, iam_role_name(roles, g->role)),
                   why ? apr_pstrcat(P, " <span class=\"badge\">not honoured on the ",
                                     iam_h(P, iam_plan_name(iam_ws_plan(pg->w->ws))),
                                     " plan</span><div class=\"muted\">", iam_h(P, why), "</div>",
                                     NULL)
                       : "",
                   g->scope == IAM_SCOPE_LABELS ? "labels " : "",
                   g->scope == IAM_SCOPE_ALL ? "All current and future"
                                             : iam_h(P, iam_grant_scope_text(P, g)),
                   via_link ? "<a href=\"" : "", via_link ? via_link : "",
                   via_link ? apr_pstrcat(P, "\">", iam_h(P, via), "</a>", NULL) : iam_h(P, via));
        if (action && role && role->kind == IAM_ROLE_OWNER && last_owner) {
            ap_rputs("<button class=\"secondary\" disabled>Remove</button> <span class=\"muted\">"
                     "The last Workspace Owner: make another member an owner first.</span>",
                     R);
        } else if (action) {
            if (role && role->kind == IAM_ROLE_PLAIN && !role->all_only) {
                /* edit in place: the same role, other resources or labels */
                ap_rprintf(R,
                           "<details class=\"edit\"><summary aria-label=\"Edit %s of %s\">Edit"
                           "</summary>",
                           iam_h(P, text), iam_h(P, holder));
                cs_form_begin(pg, action, NULL);
                cs_hidden(pg, "action", "edit-grant");
                cs_hidden(pg, "rrole", g->role);
                cs_hidden(pg, "rscope", iam_scope_name(g->scope));
                cs_hidden(pg, "ritems", iam_grant_scope_text(P, g));
                scope_select(pg, "escope", iam_scope_name(g->scope));
                cs_known_datalist(pg);
                ap_rprintf(
                    R,
                    "<input type=\"text\" name=\"eitems\" value=\"%s\" aria-label=\"Resources "
                    "or labels\" list=\"known-items\"><button>Save</button></form></details> ",
                    g->scope == IAM_SCOPE_ALL ? "" : iam_h(P, iam_grant_scope_text(P, g)));
            }
            cs_form_begin(pg, action, "inline");
            cs_hidden(pg, "action", "revoke");
            cs_hidden(pg, "rrole", g->role);
            cs_hidden(pg, "rscope", iam_scope_name(g->scope));
            cs_hidden(pg, "ritems", iam_grant_scope_text(P, g));
            ap_rprintf(
                R,
                "<button class=\"secondary\" aria-label=\"Remove %s from %s\">Remove</button>"
                "</form>",
                iam_h(P, text), iam_h(P, holder));
        }
        ap_rputs("</td></tr>\n", R);
    }
}

static iam_scope_e scope_of(const char *name)
{
    return !strcmp(name, "labels")      ? IAM_SCOPE_LABELS
           : !strcmp(name, "resources") ? IAM_SCOPE_RESOURCES
                                        : IAM_SCOPE_ALL;
}

/* The revoke buttons' grant. */
static void read_revoke(page_t *pg, iam_grant_t *g)
{
    apr_array_header_t *items = iam_web_words(P, cs_field(pg, "ritems"));

    g->role = cs_field(pg, "rrole");
    g->scope = scope_of(cs_field(pg, "rscope"));
    g->nitems = g->scope == IAM_SCOPE_ALL ? 0 : items->nelts;
    g->items = (const char **)items->elts;
}

/* An edit: the grant as shown (*old) and as it becomes (*now); -1 refused. */
static int read_edit(page_t *pg, iam_grant_t *old, iam_grant_t *now)
{
    apr_array_header_t *items = iam_web_words(P, cs_field(pg, "eitems"));

    read_revoke(pg, old);
    now->role = old->role;
    now->scope = scope_of(cs_field(pg, "escope"));
    if (now->scope == IAM_SCOPE_ALL && items->nelts) {
        cs_refuse_input(pg, "A grant on all resources names none: choose \"Specific resources\" or "
                            "\"Resources with labels\".");
        return -1;
    }
    now->nitems = items->nelts;
    now->items = (const char **)items->elts;
    return 0;
}

/* Whether `action` is a grant button of a holder's page. */
int cs_grant_action(const char *action)
{
    return !strcmp(action, "grant") || !strcmp(action, "revoke") || !strcmp(action, "edit-grant");
}

/* A grant button of a holder's page: "grant" (a role row), "revoke" or
 * "edit-grant" (a permissions row) for `who`, a group when `group`. 0
 * when the form is refused (pg->error says why: show the page again),
 * else 1 with the store's answer in *st and *err. */
int cs_post_grant(page_t *pg, int group, const char *who, const char *action, iam_status_e *st,
                  iam_err_t *err)
{
    iam_grant_t g, now;
    int rc;

    if (!strcmp(action, "grant")) {
        rc = read_role_row(pg, "", &g);
        if (rc == 0)
            cs_refuse_input(pg, "Choose a role to add.");
        if (rc <= 0)
            return 0;
        *st = iam_store_grant(pg->w->st, pg->w->actor, group, who, &g, err);
    } else if (!strcmp(action, "revoke")) {
        read_revoke(pg, &g);
        *st = iam_store_revoke(pg->w->st, pg->w->actor, group, who, &g, 0, err);
    } else {
        if (read_edit(pg, &g, &now) < 0)
            return 0;
        *st = iam_store_grant_edit(pg->w->st, pg->w->actor, group, who, &g, &now, err);
    }
    return 1;
}

/* ---- pickers: members or groups chosen across searches ----
 *
 * A picker is part of a form that posts back to its own page to search:
 * what was chosen so far rides along as hidden fields named like the
 * checkboxes, so no search loses it, and each chosen one has a button
 * ("unpick") that drops it. A form that adds members acts only on the
 * choice its review showed: if the posted choice differs (a box ticked
 * since), the page shows the new choice for review first. No JavaScript. */

int cs_contains_nocase(const char *hay, const char *needle)
{
    apr_size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (!strncasecmp(hay, needle, n))
            return 1;
    }
    return n == 0;
}

int cs_in_list(const apr_array_header_t *a, const char *v)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(a, i, const char *), v))
            return 1;
    }
    return 0;
}

/* The values of `name` the form carries and ticks, each once (in any
 * case), less the one an "unpick" button dropped. */
apr_array_header_t *cs_picked(page_t *pg, const char *name)
{
    apr_array_header_t *in = pg->form ? iam_web_values(P, pg->form, name) : NULL,
                       *out = apr_array_make(P, 8, sizeof(const char *));
    const char *drop = cs_field(pg, "unpick");
    int i;

    for (i = 0; in && i < in->nelts; i++) {
        const char *v = APR_ARRAY_IDX(in, i, const char *);
        if (*v && strcasecmp(v, drop) && !cs_in_list(out, v))
            APR_ARRAY_PUSH(out, const char *) = v;
    }
    return out;
}

/* A fingerprint of a choice, whatever its order (FNV-1a of each value,
 * lower-cased, summed): which choice the owner reviewed. */
const char *cs_choice_print(apr_pool_t *p, const apr_array_header_t *a)
{
    apr_uint64_t sum = 0;
    int i;

    for (i = 0; i < a->nelts; i++) {
        const unsigned char *c = (const unsigned char *)APR_ARRAY_IDX(a, i, const char *);
        apr_uint64_t h = 14695981039346656037ULL;
        for (; *c; c++)
            h = (h ^ (apr_uint64_t)tolower(*c)) * 1099511628211ULL;
        sum += h;
    }
    return apr_psprintf(p, "%d-%" APR_UINT64_T_HEX_FMT, a->nelts, sum);
}

/* "Max Power (max)", or NULL for a login that is no member (any more). */
const char *cs_member_label(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_err_t err;

    if (iam_store_member_get(pg->w->st, P, login, &m, &err) != IAM_OK)
        return NULL;
    return *m->name ? apr_psprintf(P, "%s (%s)", m->name, m->login) : m->login;
}

/* The chosen so far: each carried in a hidden field `name`, with a
 * button that drops it. `members`: values are logins (shown by name). */
void cs_chosen_list(page_t *pg, const char *name, const apr_array_header_t *vals, int members,
                    const char *noun)
{
    int i, shown = 0;

    ap_rprintf(R, "<ul class=\"chosen\" aria-label=\"Chosen %s\">", noun);
    for (i = 0; i < vals->nelts; i++) {
        const char *v = APR_ARRAY_IDX(vals, i, const char *);
        const char *label = members ? cs_member_label(pg, v) : v;
        if (!label)
            continue; /* removed since it was chosen */
        ap_rprintf(R,
                   "<li><input type=\"hidden\" name=\"%s\" value=\"%s\">%s <button "
                   "class=\"link\" name=\"unpick\" value=\"%s\" formnovalidate aria-label=\"Remove "
                   "%s from the "
                   "chosen %s\">Remove</button></li>",
                   name, iam_h(P, v), iam_h(P, label), iam_h(P, v), iam_h(P, label), noun);
        shown++;
    }
    ap_rputs("</ul>", R);
    if (!shown)
        ap_rprintf(R, "<p class=\"muted\">No %s chosen yet.</p>", noun);
}

/* A search box of a picker and its button (the form posts back). */
void cs_picker_search(page_t *pg, const char *name, const char *value, const char *action,
                      const char *label)
{
    ap_rprintf(R,
               "<div class=\"row\"><input type=\"search\" name=\"%s\" value=\"%s\" "
               "placeholder=\"%s\" aria-label=\"%s\"><button class=\"secondary\" "
               "name=\"action\" value=\"%s\" formnovalidate>Search</button>"
               "<input type=\"hidden\" name=\"%s-drawn\" value=\"%s\"></div>",
               name, iam_h(P, value), label, label, action, name, iam_h(P, value));
}

/* Whether a picker's search box holds other text than when the page was
 * drawn: Enter in it presses the form's first button (its main action,
 * cs_default_action), but what the owner meant is the search. Such a post
 * saves nothing and shows the search, saying so. */
int cs_searched(page_t *pg)
{
    const apr_array_header_t *fields = pg->form ? apr_table_elts(pg->form) : NULL;
    int i;

    for (i = 0; fields && i < fields->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(fields, i, apr_table_entry_t);
        size_t n = strlen(e->key);
        if (n > 6 && !strcmp(e->key + n - 6, "-drawn")) {
            const char *box = cs_field(pg, apr_pstrmemdup(P, e->key, n - 6));
            if (strcmp(box, e->val)) {
                pg->note =
                    apr_psprintf(P, "Showing what matches “%s”. Nothing was saved yet.", box);
                return 1;
            }
        }
    }
    return 0;
}

/* Members matching q, in name order, as checkboxes named "member",
 * leaving out the chosen and the members of `group` (NULL: none). */
int cs_member_results(page_t *pg, const char *q, const apr_array_header_t *chosen,
                      const char *group)
{
    iam_member_query_t mq = {q, -1, NULL, NULL, IAM_PAGE_SIZE};
    iam_member_page_t mp;
    iam_err_t err;
    int i, shown = 0;

    if (iam_store_member_query(pg->w->st, P, &mq, &mp, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    for (i = 0; i < mp.members->nelts; i++) {
        iam_member_t *m = APR_ARRAY_IDX(mp.members, i, iam_member_t *);
        if (cs_in_list(chosen, m->login) || (group && cs_in_list(m->groups, group)))
            continue;
        ap_rprintf(R,
                   "<label><input type=\"checkbox\" name=\"member\" value=\"%s\"> %s <span "
                   "class=\"muted\">%s</span></label>",
                   iam_h(P, m->login), iam_h(P, *m->name ? m->name : m->login),
                   iam_h(P, *m->email ? m->email : m->login));
        shown++;
    }
    if (!shown)
        ap_rputs(q && *q ? "<p class=\"muted\">No other team member matches.</p>"
                         : "<p class=\"muted\">No other team members.</p>",
                 R);
    if (mp.next)
        ap_rputs("<p class=\"muted\">More match: narrow the search.</p>", R);
    return OK;
}

/* Groups matching q, as checkboxes named "group", leaving out the chosen
 * and `except` (the member's own). */
static void group_results(page_t *pg, apr_array_header_t *groups, const char *q,
                          const apr_array_header_t *chosen, const apr_array_header_t *except)
{
    int i, shown = 0, more = 0;

    for (i = 0; i < groups->nelts; i++) {
        iam_group_t *g = APR_ARRAY_IDX(groups, i, iam_group_t *);
        if (cs_in_list(chosen, g->name) || cs_in_list(except, g->name) ||
            (q && *q && !cs_contains_nocase(g->name, q)))
            continue;
        if (shown == IAM_PAGE_SIZE) {
            more++;
            continue;
        }
        ap_rprintf(R, "<label><input type=\"checkbox\" name=\"group\" value=\"%s\"> %s</label>",
                   iam_h(P, g->name), iam_h(P, g->name));
        shown++;
    }
    if (!shown)
        ap_rputs(q && *q ? "<p class=\"muted\">No other user group matches.</p>"
                         : "<p class=\"muted\">No other user groups.</p>",
                 R);
    if (more)
        ap_rprintf(R, "<p class=\"muted\">%d more: search for a group by name.</p>", more);
}

/* A group picker (invite, a member's Add User Group): chosen, search,
 * results; the search posts with action `find`. */
void cs_group_picker(page_t *pg, apr_array_header_t *groups, const char *find,
                     const apr_array_header_t *except)
{
    apr_array_header_t *chosen = cs_picked(pg, "group");

    if (!iam_plan_allows_groups(iam_ws_plan(pg->w->ws))) {
        ap_rprintf(R,
                   "<p class=\"unavailable\">User groups are not available on the %s plan."
                   "</p>",
                   iam_h(P, iam_plan_name(iam_ws_plan(pg->w->ws))));
        return;
    }
    cs_chosen_list(pg, "group", chosen, 0, "user groups");
    cs_picker_search(pg, "gq", cs_field_or_query(pg, "gq"), find, "Find a group by name");
    group_results(pg, groups, cs_field_or_query(pg, "gq"), chosen, except);
}
