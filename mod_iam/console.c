/* mod_iam: the owners' console, in HTML. Every procedure of the source
 * document ("Manage Workspace Access") is a page and a form here; every
 * form posts back with a CSRF token, every value printed goes through
 * iam_h(), and every change is one store call (one transaction, audited).
 * Pages work without JavaScript. After a change the browser is sent to the
 * page that shows it (303) with a fixed message; a refused change shows
 * the form again with the reason and the right status. */
#include "iam_access.h"
#include "iam_audit_text.h"
#include "iam_html.h"
#include "iam_present.h"

#include "apr_hash.h"
#include "apr_strings.h"
#include "http_protocol.h"

#include <ctype.h>

#define ROLE_ROWS 3      /* role rows on the invite and create-group forms */
#define GROUPS_SHOWN 200 /* rows of the Groups tab before "search" */

typedef struct {
    iam_web_t *w;
    apr_table_t *form; /* POST fields */
    const char *error; /* why the last change was refused */
    int status;        /* its HTTP status */
    const char *note;  /* something to tell that is no error */
    int begun;         /* the page's shell is out: an error now is the page's own */
    const char *missing;           /* what a 404 did not find, in words */
    const char *back, *back_label; /* where a console error page leads back to */
} page_t;

#define P (pg->w->r->pool)
#define R (pg->w->r)

/* ---- small pieces ---- */

static const char *link_to(page_t *pg, const char *fmt, ...)
{
    va_list ap;
    const char *path;

    va_start(ap, fmt);
    path = apr_pvsprintf(P, fmt, ap);
    va_end(ap);
    return iam_h(P, apr_pstrcat(P, pg->w->base, path, NULL));
}

/* A member's or group's page, below the base. A name with a slash (an
 * IdP's URL-like login) or one that is also a page ("new") goes in the
 * query: Apache refuses %2F in paths. */
static const char *record_path(apr_pool_t *p, const char *many, const char *one, const char *key,
                               const char *name)
{
    if (strchr(name, '/') || !strcasecmp(name, "new") || !strcmp(name, ".") || !strcmp(name, ".."))
        return apr_pstrcat(p, "/", one, "?", key, "=", iam_url_query(p, name), NULL);
    return apr_pstrcat(p, "/", many, "/", iam_url_segment(p, name), NULL);
}

static const char *member_path(apr_pool_t *p, const char *login)
{
    return record_path(p, "members", "member", "login", login);
}

static const char *group_path(apr_pool_t *p, const char *name)
{
    return record_path(p, "groups", "group", "name", name);
}

/* path + "?" or "&" + query */
static const char *with_query(apr_pool_t *p, const char *path, const char *query)
{
    return apr_pstrcat(p, path, strchr(path, '?') ? "&" : "?", query, NULL);
}

static const char *member_link(page_t *pg, const char *login)
{
    return link_to(pg, "%s", member_path(P, login));
}

static const char *group_link(page_t *pg, const char *name)
{
    return link_to(pg, "%s", group_path(P, name));
}

static void form_begin(page_t *pg, const char *action, const char *cls)
{
    ap_rprintf(R,
               "<form method=\"post\" action=\"%s\"%s%s%s>"
               "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
               action, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "",
               iam_h(P, iam_web_csrf_token(R, pg->w->secret)));
}

static void hidden(page_t *pg, const char *name, const char *value)
{
    ap_rprintf(R, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", name, iam_h(P, value));
}

static const char *field(page_t *pg, const char *name)
{
    const char *v = pg->form ? apr_table_get(pg->form, name) : NULL;
    return v ? v : "";
}

/* A posted field, else the query's (a search box a link may fill). */
static const char *field_or_query(page_t *pg, const char *name)
{
    const char *v = pg->form ? apr_table_get(pg->form, name) : apr_table_get(pg->w->query, name);
    return v ? v : "";
}

/* What a change did, shown on the page its redirect leads to; `who` (from
 * the redirect, escaped when shown) names whom it was done to. */
static const char *done_text(apr_pool_t *p, const char *code, const char *who)
{
    static const struct {
        const char *code, *text, *with_who;
    } done[] = {
        {"invited", "Invitation saved. The member becomes active at their first login.", NULL},
        {"invited-mailed",
         "Invitation saved and mailed. The member becomes active at their first login.", NULL},
        {"invited-mail-failed",
         "Invitation saved, but the mail could not be sent (the error log says why). The member "
         "becomes active at their first login.",
         NULL},
        {"resent", "Invitation mailed again.", NULL},
        {"token-created", "Token created.", NULL},
        {"token-revoked", "Token revoked: requests that present it are refused from now on.",
         "Revoked the token %s: requests that present it are refused from now on."},
        {"token-deleted", "Token deleted.", "Deleted the dead token %s."},
        {"added", "Team member added.", NULL},
        {"updated", "Changes saved.", NULL},
        {"removed", "Team member removed from the workspace.", "Removed %s from the workspace."},
        {"group-created", "User group created.", NULL},
        {"group-deleted", "User group deleted.", "Deleted the user group %s."},
        {"members-added", "Members added to the group.", "Added %s."},
        {"members-removed", "Members removed from the group.", "Removed %s."},
        {"joined", "Added to the user groups.", "Added to %s."},
        {"left", "Removed from the user group.", "Removed from the user group %s."},
        {"approved", "Request approved: the member has the access they asked for.",
         "Approved the request of %s: they have the access they asked for."},
        {"dismissed", "Request dismissed.", "Dismissed the request of %s."},
    };
    size_t i;

    for (i = 0; code && i < sizeof(done) / sizeof(done[0]); i++) {
        if (!strcmp(code, done[i].code))
            return who && *who && done[i].with_who ? apr_psprintf(p, done[i].with_who, who)
                                                   : done[i].text;
    }
    return NULL;
}

static void begin(page_t *pg, const char *title, const char *tab)
{
    pg->begun = 1;
    if (pg->error)
        R->status = pg->status;
    iam_page_begin(pg->w, title, tab,
                   pg->error  ? pg->error
                   : pg->note ? pg->note
                              : done_text(P, apr_table_get(pg->w->query, "done"),
                                          apr_table_get(pg->w->query, "who")),
                   pg->error != NULL);
}

static int see_other(page_t *pg, const char *path, const char *done)
{
    apr_table_setn(
        R->headers_out, "Location",
        apr_pstrcat(P, pg->w->base, path, strchr(path, '?') ? "&" : "?", "done=", done, NULL));
    return HTTP_SEE_OTHER;
}

/* The same, saying to whom it was done. */
static int see_other_who(page_t *pg, const char *path, const char *done, const char *who)
{
    return see_other(pg, path, apr_pstrcat(P, done, "&who=", iam_url_query(P, who), NULL));
}

/* Whom a change was done to, in short: "Max Power (max), sam and 3 more". */
static const char *who_text(page_t *pg, const apr_array_header_t *logins)
{
    const char *out = "";
    int i, n = logins->nelts < 3 ? logins->nelts : 3;

    for (i = 0; i < n; i++) {
        const char *login = APR_ARRAY_IDX(logins, i, const char *);
        iam_member_t *m;
        iam_err_t err;
        const char *label = iam_store_member_get(pg->w->st, P, login, &m, &err) == IAM_OK &&
                                    *m->name
                                ? m->name
                                : login;
        out = apr_pstrcat(P, out, i == 0 ? "" : i == logins->nelts - 1 ? " and " : ", ", label,
                          NULL);
    }
    if (logins->nelts > n)
        out = apr_psprintf(P, "%s and %d more", out, logins->nelts - n);
    return out;
}

/* A message of the store or the policy ("no group 'x'") as a sentence:
 * a capital first letter and a full stop. */
static const char *sentence(apr_pool_t *p, const char *msg)
{
    char *s = apr_pstrdup(p, msg);
    size_t n = strlen(s);

    if (!n)
        return s;
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
    return strchr(".!?", s[n - 1]) ? s : apr_pstrcat(p, s, ".", NULL);
}

/* Remembers why a change was refused; the page is shown again. */
static void refused(page_t *pg, const iam_err_t *err)
{
    pg->error = sentence(P, err->msg);
    pg->status = iam_web_http_status(err->status);
    if (pg->status >= 500)
        iam_log_r(R, APLOG_ERR, 0, "console: %s", err->msg);
}

static void refuse_input(page_t *pg, const char *msg)
{
    pg->error = msg;
    pg->status = HTTP_BAD_REQUEST;
}

static int store_failed(page_t *pg, const iam_err_t *err)
{
    iam_log_r(R, APLOG_ERR, 0, "console: %s", err->msg);
    return iam_web_http_status(err->status);
}

/* A 404 that says what is missing and leads back to its list. */
static int not_found(page_t *pg, const char *what, const char *back, const char *back_label)
{
    pg->missing = what;
    pg->back = back;
    pg->back_label = back_label;
    return HTTP_NOT_FOUND;
}

static int no_member(page_t *pg, const char *login)
{
    return not_found(pg,
                     apr_psprintf(P, "There is no team member “%s” in this workspace: they may "
                                     "have been removed.",
                                  login),
                     "/members", "Back to Users");
}

static int no_group(page_t *pg, const char *name)
{
    return not_found(pg,
                     apr_psprintf(P, "There is no user group “%s”: it may have been deleted.",
                                  name),
                     "/groups", "Back to Groups");
}

/* A console error is a console page: the tab bar, what went wrong in
 * words, and the way back. */
static int error_page(page_t *pg, int status)
{
    static const struct {
        int status;
        const char *title, *text;
    } known[] = {
        {HTTP_BAD_REQUEST, "Incomplete link",
         "This link or form lacks something the page needs. Go back and follow it again."},
        {HTTP_FORBIDDEN, "Form expired",
         "This form has expired or did not come from this console. Reload the page and try "
         "again."},
        {HTTP_NOT_FOUND, "Not found", "There is no such page in the console."},
        {HTTP_METHOD_NOT_ALLOWED, "Not a form",
         "This page does not take that kind of request: go back and use its buttons."},
        {HTTP_CONFLICT, "Changed meanwhile",
         "What you were answering changed after the page was drawn. Look at it again before "
         "you answer."},
        {HTTP_REQUEST_ENTITY_TOO_LARGE, "Too much at once",
         "The form holds more than the console takes at once. Send it in smaller parts."},
        {HTTP_UNSUPPORTED_MEDIA_TYPE, "Not a form",
         "The console takes forms as a browser sends them."},
    };
    const char *title = "Something went wrong",
               *text = "The access store could not be read or written; the server's error log "
                       "says why. Nothing was changed.";
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (known[i].status == status) {
            title = known[i].title;
            text = known[i].text;
        }
    }
    if (status == HTTP_NOT_FOUND && pg->missing)
        text = pg->missing;
    if (status == HTTP_METHOD_NOT_ALLOWED)
        apr_table_setn(R->headers_out, "Allow",
                       R->method_number == M_POST ? "GET, HEAD" : "GET, HEAD, POST");
    pg->error = text;
    pg->status = status;
    begin(pg, title, "");
    ap_rprintf(R, "<p><a class=\"button\" href=\"%s\">%s</a></p>",
               link_to(pg, "%s", pg->back ? pg->back : "/"),
               iam_h(P, pg->back_label ? pg->back_label : "Back to the overview"));
    iam_page_end(pg->w);
    return OK;
}

/* The first submit button of a form is the one Enter presses: this one,
 * out of sight, presses the form's main action (not a search or a
 * preview button that comes first on the page). */
static void default_action(page_t *pg, const char *value)
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
    const iam_roles_t *roles = &pg->w->ws->roles;
    int i;

    ap_rprintf(R,
               "<select name=\"%s\" aria-label=\"Role\"><option value=\"\">Choose a role"
               "</option>",
               name);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        int allowed =
            iam_plan_allows_role(pg->w->ws->plan, r) && !(for_group && r->kind == IAM_ROLE_OWNER);
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
    int labels = iam_plan_allows_labels(pg->w->ws->plan);

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
static void role_row(page_t *pg, const char *suffix, int for_group)
{
    const char *rn = apr_pstrcat(P, "role", suffix, NULL),
               *sn = apr_pstrcat(P, "scope", suffix, NULL),
               *in = apr_pstrcat(P, "items", suffix, NULL);

    ap_rputs("<div class=\"row\">", R);
    role_select(pg, rn, field(pg, rn), for_group);
    scope_select(pg, sn, field(pg, sn));
    ap_rprintf(R,
               "<input type=\"text\" name=\"%s\" value=\"%s\" aria-label=\"Resources or labels\" "
               "placeholder=\"checkout web, or env:prod\">",
               in, iam_h(P, field(pg, in)));
    ap_rputs("</div>", R);
}

/* Reads the role row `suffix` from the form; 0 when empty, -1 refused. */
static int read_role_row(page_t *pg, const char *suffix, iam_grant_t *g)
{
    const char *role = field(pg, apr_pstrcat(P, "role", suffix, NULL));
    const char *scope = field(pg, apr_pstrcat(P, "scope", suffix, NULL));
    apr_array_header_t *items = iam_web_words(P, field(pg, apr_pstrcat(P, "items", suffix, NULL)));
    const iam_role_t *r;

    if (!*role)
        return 0;
    if (!(r = iam_roles_find(&pg->w->ws->roles, role))) {
        refuse_input(pg, apr_psprintf(P, "unknown role '%s'", role));
        return -1;
    }
    g->role = r->slug;
    g->scope = !strcmp(scope, "labels")      ? IAM_SCOPE_LABELS
               : !strcmp(scope, "resources") ? IAM_SCOPE_RESOURCES
                                             : IAM_SCOPE_ALL;
    if (g->scope == IAM_SCOPE_ALL && items->nelts) {
        refuse_input(pg, apr_psprintf(P,
                                      "%s on all resources names none: choose \"Specific "
                                      "resources\" or \"Resources with labels\"",
                                      r->name));
        return -1;
    }
    g->nitems = items->nelts;
    g->items = (const char **)items->elts;
    return 1;
}

static apr_array_header_t *read_role_rows(page_t *pg)
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

/* Rows of a permissions table. A grant the plan does not honour (the
 * decision skips it) says so, and why. */
/* A grant in words, as the audit says it: "Source Admin on checkout,
 * web", "Source Admin on labels env:prod", "Warehouse Read-only on all"
 * (plain text). */
static const char *grant_words(page_t *pg, const iam_grant_t *g)
{
    const char *on = g->scope == IAM_SCOPE_ALL ? "all" : g->scope == IAM_SCOPE_LABELS ? "labels " : "";
    int j;

    for (j = 0; g->scope != IAM_SCOPE_ALL && j < g->nitems; j++)
        on = apr_pstrcat(P, on, j ? ", " : "", g->items[j], NULL);
    return apr_pstrcat(P, iam_role_name(&pg->w->ws->roles, g->role), " on ", on, NULL);
}

/* Rows of a permissions table. A grant the plan does not honour (the
 * decision skips it) says so, and why. With `action` (the holder's page),
 * each row can be edited in place (its resources or labels) and removed;
 * `holder` names whom the buttons act on; the last owner's Workspace
 * Owner cannot be removed, and says so. */
static void grants_rows(page_t *pg, const apr_array_header_t *grants, const char *via,
                        const char *via_link, int via_group, const char *action,
                        const char *holder, int last_owner)
{
    const iam_roles_t *roles = &pg->w->ws->roles;
    int i;

    for (i = 0; i < grants->nelts; i++) {
        const iam_grant_t *g = &APR_ARRAY_IDX(grants, i, iam_grant_t);
        const iam_role_t *role = iam_roles_find(roles, g->role);
        const char *why = iam_policy_ignored(roles, pg->w->ws->plan, g, via_group);
        const char *text = grant_words(pg, g);
        ap_rprintf(R,
                   "<tr%s><td data-label=\"Role\">%s%s</td><td data-label=\"Resources\">%s%s</td>"
                   "<td data-label=\"From\">%s%s%s</td><td>",
                   why ? " class=\"unavailable\"" : "", iam_h(P, iam_role_name(roles, g->role)),
                   why ? apr_pstrcat(P, " <span class=\"badge\">not honoured on the ",
                                     iam_h(P, iam_plan_name(pg->w->ws->plan)),
                                     " plan</span><div class=\"muted\">", iam_h(P, why),
                                     "</div>", NULL)
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
                form_begin(pg, action, NULL);
                hidden(pg, "action", "edit-grant");
                hidden(pg, "rrole", g->role);
                hidden(pg, "rscope", iam_scope_name(g->scope));
                hidden(pg, "ritems", iam_grant_scope_text(P, g));
                scope_select(pg, "escope", iam_scope_name(g->scope));
                ap_rprintf(R,
                           "<input type=\"text\" name=\"eitems\" value=\"%s\" aria-label=\"Resources "
                           "or labels\"><button>Save</button></form></details> ",
                           g->scope == IAM_SCOPE_ALL ? "" : iam_h(P, iam_grant_scope_text(P, g)));
            }
            form_begin(pg, action, "inline");
            hidden(pg, "action", "revoke");
            hidden(pg, "rrole", g->role);
            hidden(pg, "rscope", iam_scope_name(g->scope));
            hidden(pg, "ritems", iam_grant_scope_text(P, g));
            ap_rprintf(R,
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
    apr_array_header_t *items = iam_web_words(P, field(pg, "ritems"));

    g->role = field(pg, "rrole");
    g->scope = scope_of(field(pg, "rscope"));
    g->nitems = g->scope == IAM_SCOPE_ALL ? 0 : items->nelts;
    g->items = (const char **)items->elts;
}

/* An edit: the grant as shown (*old) and as it becomes (*now); -1 refused. */
static int read_edit(page_t *pg, iam_grant_t *old, iam_grant_t *now)
{
    apr_array_header_t *items = iam_web_words(P, field(pg, "eitems"));

    read_revoke(pg, old);
    now->role = old->role;
    now->scope = scope_of(field(pg, "escope"));
    if (now->scope == IAM_SCOPE_ALL && items->nelts) {
        refuse_input(pg, "A grant on all resources names none: choose \"Specific resources\" or "
                         "\"Resources with labels\".");
        return -1;
    }
    now->nitems = items->nelts;
    now->items = (const char **)items->elts;
    return 0;
}

/* ---- access requests ---- */

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
    hidden(pg, "rlogin", q->login);
    hidden(pg, "rtype", q->type);
    hidden(pg, "rname", q->name);
    hidden(pg, "rrev", apr_psprintf(P, "%u", q->rev));
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
           iam_policy_approval(&pg->w->ws->roles, pg->w->ws->plan, q->type, q->name, q->level,
                               r->slug, IAM_APPROVE_AUTO, &g, item, &why) != NULL;
}

/* One request's answers: the button grants exactly the role and scope it
 * names (the least that gives the access asked for); another role can be
 * chosen (a <details> form); Dismiss. Approving Workspace Owner goes
 * through a confirmation page first. A request the plan cannot answer
 * offers Dismiss only, and says why. */
static void request_answers(page_t *pg, const iam_request_t *q, const char *action)
{
    const iam_roles_t *roles = &pg->w->ws->roles;
    iam_plan_e plan = pg->w->ws->plan;
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
                   link_to(pg, "/?confirm=approve&login=%s&type=%s&name=%s&rev=%u",
                           iam_url_query(P, q->login), iam_url_query(P, q->type),
                           iam_url_query(P, q->name), q->rev),
                   iam_h(P, q->login));
    } else {
        form_begin(pg, action, "inline");
        request_fields(pg, q);
        hidden(pg, "rrole", least->slug);
        hidden(pg, "rscope", g.scope == IAM_SCOPE_ALL ? "all" : "resource");
        ap_rprintf(R, "<button name=\"action\" value=\"approve\">Grant %s</button></form> ",
                   iam_h(P, approval_text(P, least, &g, q->type)));
    }
    form_begin(pg, action, "inline");
    request_fields(pg, q);
    ap_rputs("<button class=\"secondary\" name=\"action\" value=\"dismiss\">Dismiss</button></form>",
             R);
    if (!least || least->kind == IAM_ROLE_OWNER)
        return;
    /* every role of the type that gives the access; one granted on all
     * resources only says so, and is refused on one */
    ap_rputs("<details><summary>Grant another role</summary>", R);
    form_begin(pg, action, NULL);
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
        hidden(pg, "rscope", "all");
    ap_rputs("<button name=\"action\" value=\"approve\">Grant the chosen role</button></form>"
             "</details>",
             R);
}

/* The open requests, each with its answers; posted to `action`. */
static void requests_table(page_t *pg, apr_array_header_t *list, const char *action, int show_who)
{
    int i;

    ap_rprintf(R, "<table><tr>%s<th>Asks for</th><th>Message</th><th>When</th><th></th></tr>",
               show_who ? "<th>Member</th>" : "");
    for (i = 0; i < list->nelts; i++) {
        iam_request_t *q = APR_ARRAY_IDX(list, i, iam_request_t *);
        if (show_who)
            ap_rprintf(R, "<tr><td data-label=\"Member\"><a href=\"%s\">%s</a></td>",
                       member_link(pg, q->login), iam_h(P, q->login));
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
static iam_status_e answer_request(page_t *pg, iam_err_t *err)
{
    const char *login = field(pg, "rlogin"), *type = field(pg, "rtype"), *name = field(pg, "rname");
    iam_request_t *done;
    iam_approval_t a;
    iam_status_e st;
    char *end;

    if (strcmp(field(pg, "action"), "approve")) {
        st = iam_store_request_dismiss(pg->w->st, pg->w->actor, login, type, name, P, &done, err);
    } else {
        memset(&a, 0, sizeof(a));
        a.login = login;
        a.type = type;
        a.name = name;
        a.rev = (unsigned)strtoul(field(pg, "rrev"), &end, 10);
        a.role = field(pg, "rrole");
        a.scope = !strcmp(field(pg, "rscope"), "all")        ? IAM_APPROVE_ALL
                  : !strcmp(field(pg, "rscope"), "resource") ? IAM_APPROVE_RESOURCE
                                                             : IAM_APPROVE_AUTO;
        a.owner_confirmed = !strcmp(field(pg, "rconfirm"), "owner");
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
static int page_confirm_owner(page_t *pg)
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
    case IAM_NOTFOUND: return not_found(pg, "That access request is no longer open: it was answered or withdrawn.", "/", "Back to the overview");
    default: return store_failed(pg, &err);
    }
    if (!iam_type_owners_only(q->type) || strcmp(rev, apr_psprintf(P, "%u", q->rev)))
        return HTTP_CONFLICT;
    begin(pg, "Make a Workspace Owner?", "home");
    ap_rprintf(R,
               "<div class=\"card\"><p><strong>%s</strong> asks for %s. Only Workspace Owners "
               "open it: approving makes them a <strong>Workspace Owner</strong>, with every right "
               "in the workspace: every resource at admin level, this console, inviting and "
               "removing members, making other owners.</p>",
               iam_h(P, q->login), iam_h(P, request_what(P, q)));
    if (*q->message)
        ap_rprintf(R, "<p>Their message: %s</p>", iam_h(P, q->message));
    form_begin(pg, link_to(pg, "/"), "inline");
    request_fields(pg, q);
    hidden(pg, "rrole", "workspace-owner");
    hidden(pg, "rscope", "all");
    hidden(pg, "rconfirm", "owner");
    ap_rprintf(R,
               "<button class=\"danger\" name=\"action\" value=\"approve\">Make %s a Workspace "
               "Owner</button></form> <a href=\"%s\">Cancel</a></div>",
               iam_h(P, q->login), link_to(pg, "/"));
    iam_page_end(pg->w);
    return OK;
}

/* ---- the audit trail, in words ---- */

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

    iam_audit_describe(P, &pg->w->ws->roles, a, name_of, n, &t);
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

static void audit_entries(page_t *pg, const apr_array_header_t *list)
{
    namer_t n = {pg, apr_hash_make(P)};
    long long now = (long long)apr_time_sec(apr_time_now());
    int i;

    ap_rputs("<ol class=\"audit\">", R);
    for (i = 0; i < list->nelts; i++)
        audit_entry(pg, &n, APR_ARRAY_IDX(list, i, iam_audit_t *), now);
    ap_rputs("</ol>", R);
}

/* ---- overview ---- */

static const char *plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* Whether just-in-time provisioning makes members here, in words. */
static const char *provisioning_text(page_t *pg)
{
    if (!iam_auto_provision(R->server))
        return "<strong>Just-in-time provisioning is off:</strong> only invited people and "
               "members get in.";
    if (pg->w->ws->plan != IAM_PLAN_BUSINESS)
        return "<strong>Just-in-time provisioning is turned on, but the plan has none:</strong> "
               "only invited people and members get in.";
    return "<strong>Just-in-time provisioning is on:</strong> whoever signs in through the "
           "identity provider and is not a member becomes a Workspace Member with minimal "
           "access (marked <span class=\"badge\">provisioned</span> in Users).";
}

static int page_home(page_t *pg)
{
    iam_workspace_info_t info;
    apr_array_header_t *audit, *requests;
    iam_err_t err;

    if (iam_store_info(pg->w->st, &info, P, &err) != IAM_OK ||
        iam_store_audit_list(pg->w->st, P, 0, 5, &audit, &err) != IAM_OK ||
        iam_store_request_list(pg->w->st, P, NULL, &requests, &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, "Overview", "home");
    ap_rprintf(R,
               "<div class=\"card\"><p><strong>%d</strong> %s · <strong>%d</strong> %s · "
               "<strong>%d</strong> %s · <span class=\"plan\">%s</span> plan</p><p>%s</p>"
               "<p><a class=\"button\" href=\"%s\">Invite Team Member</a> "
               "<a class=\"button\" href=\"%s\">Create User Group</a></p></div>\n",
               info.members, plural(info.members, "team member", "team members"), info.groups,
               plural(info.groups, "user group", "user groups"), info.owners,
               plural(info.owners, "Workspace Owner", "Workspace Owners"),
               iam_h(P, iam_plan_name(pg->w->ws->plan)), provisioning_text(pg),
               link_to(pg, "/members/new"), link_to(pg, "/groups/new"));
    ap_rprintf(R, "<h2>Access requests (%d)</h2>", requests->nelts);
    if (requests->nelts)
        requests_table(pg, requests, link_to(pg, "/"), 1);
    else
        ap_rputs("<div class=\"card empty\">No access requests are waiting.</div>", R);
    ap_rputs("<h2>Recent changes</h2>", R);
    if (!audit->nelts) {
        ap_rputs("<div class=\"card empty\">No changes yet.</div>", R);
    } else {
        audit_entries(pg, audit);
        ap_rprintf(R, "<p><a href=\"%s\">The whole audit trail</a></p>", link_to(pg, "/audit"));
    }
    iam_page_end(pg->w);
    return OK;
}

static int post_home(page_t *pg)
{
    const char *action = field(pg, "action");
    iam_err_t err;

    if (strcmp(action, "approve") && strcmp(action, "dismiss")) {
        refuse_input(pg, "Unknown action.");
        return page_home(pg);
    }
    if (answer_request(pg, &err) != IAM_OK) {
        refused(pg, &err);
        return page_home(pg);
    }
    return see_other_who(pg, "/", !strcmp(action, "approve") ? "approved" : "dismissed",
                         field(pg, "rlogin"));
}

/* ---- users ---- */

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

/* Links that switch between views of one page, marked up as tabs:
 * names[i] leads to hrefs[i] (escaped already); `current` is selected. */
static void view_tabs(page_t *pg, const char *label, int n, const char *const *names,
                      const char *const *hrefs, int current)
{
    int i;

    ap_rprintf(R, "<div class=\"tabs\" role=\"tablist\" aria-label=\"%s\">", label);
    for (i = 0; i < n; i++)
        ap_rprintf(R, "<a role=\"tab\" href=\"%s\" aria-selected=\"%s\"%s>%s</a>", hrefs[i],
                   i == current ? "true" : "false", i == current ? " class=\"current\"" : "",
                   names[i]);
    ap_rputs("</div>", R);
}

/* A member's own grants, short: "Source Admin on checkout, web; Warehouse
 * Read-only on all" (plain text). */
static const char *grants_brief(page_t *pg, const apr_array_header_t *grants)
{
    const char *out = "";
    int i;

    for (i = 0; i < grants->nelts; i++)
        out = apr_pstrcat(P, out, i ? "; " : "",
                          grant_words(pg, &APR_ARRAY_IDX(grants, i, iam_grant_t)), NULL);
    return *out ? out : "Workspace Member";
}

/* 2005 -> "2,005". */
static const char *thousands(apr_pool_t *p, long n)
{
    char digits[32], out[48];
    int len = snprintf(digits, sizeof(digits), "%ld", n < 0 ? 0 : n), i, j = 0;

    for (i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
    return apr_pstrdup(p, out);
}

/* The line under a paged list: "51–100 of 2,005 team members match
 * “sam”", or "3 team members in all." when one page holds them, and
 * Previous and Next (links to `base` with the page's cursor; base is a
 * path with its query, escaped, ending in '?' or "&amp;"). */
static void pager(page_t *pg, const iam_member_page_t *mp, const char *base, const char *one,
                  const char *many, const char *search)
{
    const char *noun = mp->total == 1 ? one : many;
    const char *what = search && *search
                           ? apr_pstrcat(P, mp->total == 1 ? " matches “" : " match “",
                                         iam_h(P, search), "”", NULL)
                           : "";

    ap_rputs("<nav class=\"pager\" aria-label=\"Pages\"><p class=\"muted\">", R);
    if (!mp->prev && !mp->next)
        ap_rprintf(R, "%s %s%s.", thousands(P, mp->total), noun, *what ? what : " in all");
    else
        ap_rprintf(R, "%s–%s of %s %s%s.", thousands(P, mp->offset + 1),
                   thousands(P, mp->offset + mp->members->nelts), thousands(P, mp->total), noun,
                   what);
    ap_rputs("</p>", R);
    if (mp->prev)
        ap_rprintf(R, "<a class=\"button secondary\" rel=\"prev\" href=\"%sbefore=%s\">Previous</a>",
                   base, iam_h(P, iam_url_query(P, mp->prev)));
    if (mp->next)
        ap_rprintf(R, "<a class=\"button secondary\" rel=\"next\" href=\"%safter=%s\">Next</a>",
                   base, iam_h(P, iam_url_query(P, mp->next)));
    ap_rputs("</nav>\n", R);
}

/* Reads the page a list's query asks for (?FIELD=search&after=|before=);
 * an unreadable cursor starts over from the first page. */
static iam_status_e query_page(page_t *pg, const char *group, const char *field,
                               iam_member_query_t *q, iam_member_page_t *out, iam_err_t *err)
{
    iam_status_e rc;

    q->search = apr_table_get(pg->w->query, field);
    q->after = apr_table_get(pg->w->query, "after");
    q->before = q->after ? NULL : apr_table_get(pg->w->query, "before");
    q->limit = IAM_PAGE_SIZE;
    for (;;) {
        rc = group ? iam_store_group_member_query(pg->w->st, P, group, q, out, err)
                   : iam_store_member_query(pg->w->st, P, q, out, err);
        if (rc != IAM_INVALID || (!q->after && !q->before))
            return rc;
        q->after = q->before = NULL; /* a cursor edited by hand, or from an old link */
    }
}

static int page_members(page_t *pg)
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
    if (query_page(pg, NULL, "q", &q, &mp, &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, "Users", "users");
    {
        static const char *const names[] = {"All", "Active", "Invited"};
        const char *hrefs[] = {link_to(pg, "/members"), link_to(pg, "/members?status=active"),
                               link_to(pg, "/members?status=invited")};
        view_tabs(pg, "Members by status", 3, names, hrefs,
                  q.status < 0 ? 0 : q.status == IAM_ACTIVE ? 1 : 2);
    }
    ap_rprintf(R,
               "<div class=\"toolbar\"><form method=\"get\" action=\"%s\" role=\"search\">"
               "<input type=\"hidden\" name=\"status\" value=\"%s\">"
               "<input type=\"search\" name=\"q\" value=\"%s\" placeholder=\"Search by name or "
               "email\" aria-label=\"Search by name or email\"> <button class=\"secondary\">Search"
               "</button></form><a class=\"button\" href=\"%s\">Invite Team Member</a></div>\n",
               link_to(pg, "/members"), sq, iam_h(P, q.search), link_to(pg, "/members/new"));
    if (!mp.members->nelts) {
        ap_rprintf(R, "<div class=\"card empty\">%s</div>",
                   q.search && *q.search ? "No team member matches that search."
                   : q.status >= 0       ? "No team member is in this view."
                                         : "No team members yet.");
        iam_page_end(pg->w);
        return OK;
    }
    ap_rputs("<table><tr><th>Name</th><th>Email</th><th>Status</th><th>Direct roles</th><th>Groups</th>"
             "<th>Last seen</th></tr>\n",
             R);
    for (i = 0; i < mp.members->nelts; i++) {
        iam_member_t *m = APR_ARRAY_IDX(mp.members, i, iam_member_t *);
        ap_rprintf(R,
                   "<tr><td data-label=\"Name\"><a href=\"%s\">%s</a><div class=\"muted\">%s"
                   "</div></td><td data-label=\"Email\">%s</td><td data-label=\"Status\"><span "
                   "class=\"badge %s\">%s</span>%s</td><td data-label=\"Direct roles\">%s</td>"
                   "<td data-label=\"Groups\">%s</td><td data-label=\"Last seen\">%s</td></tr>\n",
                   member_link(pg, m->login), iam_h(P, *m->name ? m->name : m->login),
                   iam_h(P, m->login), iam_h(P, m->email),
                   m->status == IAM_INVITED ? "invited" : "active",
                   m->status == IAM_INVITED ? "invited" : "active",
                   m->provisioned ? " <span class=\"badge\" title=\"Made a member by just-in-time "
                                    "provisioning at their first login\">provisioned</span>"
                                  : "",
                   iam_h(P, grants_brief(pg, m->grants)),
                   iam_h(P, m->groups->nelts ? apr_array_pstrcat(P, m->groups, ',') : "none"),
                   iam_h(P, ago(P, m->last_seen)));
    }
    ap_rputs("</table>", R);
    /* the count of what the filter shows, not of the whole workspace */
    base = apr_psprintf(P, "%s?status=%s&amp;q=%s&amp;", link_to(pg, "/members"), sq,
                        iam_h(P, iam_url_query(P, q.search)));
    pager(pg, &mp, base,
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

static int contains_nocase(const char *hay, const char *needle)
{
    apr_size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (!strncasecmp(hay, needle, n))
            return 1;
    }
    return n == 0;
}

/* ---- pickers: members or groups chosen across searches ----
 *
 * A picker is part of a form that posts back to its own page to search:
 * what was chosen so far rides along as hidden fields named like the
 * checkboxes, so no search loses it, and each chosen one has a button
 * ("unpick") that drops it. A form that adds members acts only on the
 * choice its review showed: if the posted choice differs (a box ticked
 * since), the page shows the new choice for review first. No JavaScript. */

#define PICK_MAX 500 /* chosen at once */

static int in_list(const apr_array_header_t *a, const char *v)
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
static apr_array_header_t *picked(page_t *pg, const char *name)
{
    apr_array_header_t *in = pg->form ? iam_web_values(P, pg->form, name) : NULL,
                       *out = apr_array_make(P, 8, sizeof(const char *));
    const char *drop = field(pg, "unpick");
    int i;

    for (i = 0; in && i < in->nelts; i++) {
        const char *v = APR_ARRAY_IDX(in, i, const char *);
        if (*v && strcasecmp(v, drop) && !in_list(out, v))
            APR_ARRAY_PUSH(out, const char *) = v;
    }
    return out;
}

/* A fingerprint of a choice, whatever its order (FNV-1a of each value,
 * lower-cased, summed): which choice the owner reviewed. */
static const char *choice_print(apr_pool_t *p, const apr_array_header_t *a)
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
static const char *member_label(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_err_t err;

    if (iam_store_member_get(pg->w->st, P, login, &m, &err) != IAM_OK)
        return NULL;
    return *m->name ? apr_psprintf(P, "%s (%s)", m->name, m->login) : m->login;
}

/* The chosen so far: each carried in a hidden field `name`, with a
 * button that drops it. `members`: values are logins (shown by name). */
static void chosen_list(page_t *pg, const char *name, const apr_array_header_t *vals,
                        int members, const char *noun)
{
    int i, shown = 0;

    ap_rprintf(R, "<ul class=\"chosen\" aria-label=\"Chosen %s\">", noun);
    for (i = 0; i < vals->nelts; i++) {
        const char *v = APR_ARRAY_IDX(vals, i, const char *);
        const char *label = members ? member_label(pg, v) : v;
        if (!label)
            continue; /* removed since it was chosen */
        ap_rprintf(R,
                   "<li><input type=\"hidden\" name=\"%s\" value=\"%s\">%s <button "
                   "class=\"link\" name=\"unpick\" value=\"%s\" formnovalidate aria-label=\"Remove %s from the "
                   "chosen %s\">Remove</button></li>",
                   name, iam_h(P, v), iam_h(P, label), iam_h(P, v), iam_h(P, label), noun);
        shown++;
    }
    ap_rputs("</ul>", R);
    if (!shown)
        ap_rprintf(R, "<p class=\"muted\">No %s chosen yet.</p>", noun);
}

/* A search box of a picker and its button (the form posts back). */
static void picker_search(page_t *pg, const char *name, const char *value, const char *action,
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
 * default_action), but what the owner meant is the search. Such a post
 * saves nothing and shows the search, saying so. */
static int searched(page_t *pg)
{
    const apr_array_header_t *fields = pg->form ? apr_table_elts(pg->form) : NULL;
    int i;

    for (i = 0; fields && i < fields->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(fields, i, apr_table_entry_t);
        size_t n = strlen(e->key);
        if (n > 6 && !strcmp(e->key + n - 6, "-drawn")) {
            const char *box = field(pg, apr_pstrmemdup(P, e->key, n - 6));
            if (strcmp(box, e->val)) {
                pg->note = apr_psprintf(P, "Showing what matches “%s”. Nothing was saved yet.",
                                        box);
                return 1;
            }
        }
    }
    return 0;
}

/* Members matching q, in name order, as checkboxes named "member",
 * leaving out the chosen and the members of `group` (NULL: none). */
static int member_results(page_t *pg, const char *q, const apr_array_header_t *chosen,
                          const char *group)
{
    iam_member_query_t mq = {q, -1, NULL, NULL, IAM_PAGE_SIZE};
    iam_member_page_t mp;
    iam_err_t err;
    int i, shown = 0;

    if (iam_store_member_query(pg->w->st, P, &mq, &mp, &err) != IAM_OK)
        return store_failed(pg, &err);
    for (i = 0; i < mp.members->nelts; i++) {
        iam_member_t *m = APR_ARRAY_IDX(mp.members, i, iam_member_t *);
        if (in_list(chosen, m->login) || (group && in_list(m->groups, group)))
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
        if (in_list(chosen, g->name) || in_list(except, g->name) ||
            (q && *q && !contains_nocase(g->name, q)))
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
static void group_picker(page_t *pg, apr_array_header_t *groups, const char *find,
                         const apr_array_header_t *except)
{
    apr_array_header_t *chosen = picked(pg, "group");

    if (!iam_plan_allows_groups(pg->w->ws->plan)) {
        ap_rprintf(R,
                   "<p class=\"unavailable\">User groups are not available on the %s plan."
                   "</p>",
                   iam_h(P, iam_plan_name(pg->w->ws->plan)));
        return;
    }
    chosen_list(pg, "group", chosen, 0, "user groups");
    picker_search(pg, "gq", field_or_query(pg, "gq"), find, "Find a group by name");
    group_results(pg, groups, field_or_query(pg, "gq"), chosen, except);
}

static int page_invite(page_t *pg)
{
    apr_array_header_t *groups;
    iam_err_t err;
    int i;

    if (iam_store_group_records(pg->w->st, P, &groups, &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, "Invite Team Member", "users");
    form_begin(pg, link_to(pg, "/members"), "card");
    default_action(pg, "invite");
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
               iam_h(P, field(pg, "email")), iam_h(P, field(pg, "name")),
               iam_h(P, field(pg, "login")));
    for (i = 1; i <= ROLE_ROWS; i++)
        role_row(pg, apr_itoa(P, i), 0);
    ap_rputs("</fieldset><fieldset><legend>User groups</legend>", R);
    group_picker(pg, groups, "find", NULL);
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

static int post_invite(page_t *pg)
{
    iam_member_spec_t sp;
    iam_err_t err;
    apr_array_header_t *grants;

    /* the group finder, or a chosen group dropped: nothing saved */
    if (!strcmp(field(pg, "action"), "find") || *field(pg, "unpick") || searched(pg))
        return page_invite(pg);
    if (!(grants = read_role_rows(pg)))
        return page_invite(pg);
    memset(&sp, 0, sizeof(sp));
    sp.email = field(pg, "email");
    sp.name = field(pg, "name");
    sp.login = *field(pg, "login") ? field(pg, "login") : sp.email;
    sp.status = IAM_INVITED;
    sp.pii = -1;
    sp.grants = grants;
    sp.groups = picked(pg, "group");
    if (!*sp.email) {
        refuse_input(pg, "Enter the email address to invite.");
        return page_invite(pg);
    }
    if (iam_store_member_put(pg->w->st, pg->w->actor, &sp, 1, &err) != IAM_OK) {
        refused(pg, &err);
        return page_invite(pg);
    }
    return see_other(pg, member_path(P, sp.login), invite_mail(pg, sp.login));
}

static int page_member(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_workspace_info_t info;
    apr_array_header_t *groups, *requests;
    iam_err_t err;
    const char *self;
    int i, owner, last_owner;

    switch (iam_store_member_get(pg->w->st, P, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_member(pg, login);
    default: return store_failed(pg, &err);
    }
    if (iam_store_info(pg->w->st, &info, P, &err) != IAM_OK ||
        iam_store_group_records(pg->w->st, P, &groups, &err) != IAM_OK)
        return store_failed(pg, &err);
    owner = iam_grants_owner(m->grants);
    last_owner = owner && info.owners <= 1;
    self = member_link(pg, m->login);
    begin(pg, *m->name ? m->name : m->login, "users");
    ap_rprintf(R, "<div class=\"card\"><p>%s · %s · <span class=\"badge %s\">%s</span>%s%s</p>",
               iam_h(P, m->login), *m->email ? iam_h(P, m->email) : "no email",
               m->status == IAM_INVITED ? "invited" : "active",
               m->status == IAM_INVITED ? "invited" : "active",
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
        return store_failed(pg, &err);
    if (requests->nelts) {
        ap_rputs("</div>\n<h2>Access requests</h2>", R);
        requests_table(pg, requests, self, 0);
        ap_rputs("<div>", R);
    }
    ap_rputs("</div>\n<h2>Permissions</h2><table><tr><th>Role</th><th>Resources</th>"
             "<th>From</th><th></th></tr>\n",
             R);
    grants_rows(pg, m->grants, "Direct", NULL, 0, self, *m->name ? m->name : m->login,
                last_owner);
    for (i = 0; i < m->groups->nelts; i++) {
        const char *gname = APR_ARRAY_IDX(m->groups, i, const char *);
        iam_group_t *g;
        if (iam_store_group_get(pg->w->st, P, gname, &g, &err) != IAM_OK)
            return store_failed(pg, &err);
        grants_rows(pg, g->grants, apr_pstrcat(P, "Group ", g->name, NULL), group_link(pg, g->name),
                    1, NULL, NULL, 0);
    }
    if (!m->grants->nelts)
        ap_rputs("<tr><td data-label=\"Role\">Workspace Member</td><td data-label=\"Resources\">"
                 "Minimal workspace access</td><td data-label=\"From\">Direct</td><td></td></tr>",
                 R);
    ap_rputs("</table>\n<h2>Add a role</h2>", R);
    form_begin(pg, self, "card");
    hidden(pg, "action", "grant");
    role_row(pg, "", 0);
    ap_rputs("<button>Add role</button></form>\n<h2>User groups</h2><div class=\"card\">", R);
    for (i = 0; i < m->groups->nelts; i++) {
        const char *gname = APR_ARRAY_IDX(m->groups, i, const char *);
        ap_rprintf(R,
                   "<div class=\"row\"><a href=\"%s\">%s</a> <a class=\"button secondary\" "
                   "href=\"%s\" aria-label=\"Remove %s from %s\">Remove from group</a></div>",
                   group_link(pg, gname), iam_h(P, gname),
                   link_to(pg, "%s",
                           with_query(P, member_path(P, m->login),
                                      apr_pstrcat(P, "confirm=leave&group=",
                                                  iam_url_query(P, gname), NULL))),
                   iam_h(P, *m->name ? m->name : m->login), iam_h(P, gname));
    }
    if (!m->groups->nelts)
        ap_rputs("<p class=\"muted\">In no user group.</p>", R);
    ap_rputs("</div><h3>Add User Group</h3>", R);
    form_begin(pg, self, "card");
    default_action(pg, "join");
    group_picker(pg, groups, "find-groups", m->groups);
    ap_rprintf(R, "<button name=\"action\" value=\"join\"%s>Add User Group</button></form>\n",
               iam_plan_allows_groups(pg->w->ws->plan) ? "" : " disabled");
    ap_rputs("<h2>Details</h2>", R);
    form_begin(pg, self, "card");
    hidden(pg, "action", "details");
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
        if (pg->w->ws->mail_command && *m->email) {
            form_begin(pg, self, "inline");
            hidden(pg, "action", "resend");
            ap_rputs("<button class=\"secondary\">Re-send invitation</button></form>", R);
        } else {
            ap_rputs("<p class=\"muted\">No mail is sent: set IAMMailCommand (and give the "
                     "member an email) to mail invitations.</p>",
                     R);
        }
        ap_rputs("</div>", R);
    }
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
        ap_rprintf(R, "<a class=\"button danger\" href=\"%s\">Remove Team Member</a>",
                   link_to(pg, "%s", with_query(P, member_path(P, m->login), "confirm=remove")));
    ap_rputs("</div>", R);
    iam_page_end(pg->w);
    return OK;
}

/* Removing a member from a group asks first. */
static int page_member_leave(page_t *pg, const char *login, const char *group)
{
    iam_member_t *m;
    iam_err_t err;
    const char *who;

    switch (iam_store_member_get(pg->w->st, P, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_member(pg, login);
    default: return store_failed(pg, &err);
    }
    if (!group || !in_list(m->groups, group))
        return not_found(pg,
                         apr_psprintf(P, "%s is not in the user group “%s”.", m->login,
                                      group ? group : ""),
                         member_path(P, m->login), "Back to the member");
    who = *m->name ? m->name : m->login;
    begin(pg, "Remove from group", "users");
    ap_rprintf(R,
               "<div class=\"card\"><p>Remove <strong>%s</strong> from <strong>%s</strong>? They "
               "lose the access the group gives them; they stay in the workspace.</p>",
               iam_h(P, who), iam_h(P, group));
    form_begin(pg, member_link(pg, m->login), "inline");
    hidden(pg, "action", "leave");
    hidden(pg, "group", group);
    ap_rprintf(R,
               "<button class=\"danger\">Remove %s from %s</button></form> <a href=\"%s\">Cancel"
               "</a></div>",
               iam_h(P, who), iam_h(P, group), member_link(pg, m->login));
    iam_page_end(pg->w);
    return OK;
}

static int page_member_remove(page_t *pg, const char *login)
{
    iam_member_t *m;
    iam_err_t err;

    switch (iam_store_member_get(pg->w->st, P, login, &m, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_member(pg, login);
    default: return store_failed(pg, &err);
    }
    begin(pg, "Remove Team Member", "users");
    ap_rprintf(R,
               "<div class=\"card\"><p>Remove <strong>%s</strong> (%s) from the workspace? "
               "They lose every role and leave every user group. This cannot be undone.</p>",
               iam_h(P, *m->name ? m->name : m->login), iam_h(P, m->login));
    form_begin(pg, member_link(pg, m->login), "inline");
    hidden(pg, "action", "remove");
    ap_rprintf(R,
               "<button class=\"danger\">Remove Team Member</button></form> "
               "<a href=\"%s\">Cancel</a></div>",
               member_link(pg, m->login));
    iam_page_end(pg->w);
    return OK;
}

static int post_member(page_t *pg, const char *login)
{
    const char *action = field(pg, "action");
    const char *back = member_path(P, login);
    iam_member_spec_t sp;
    iam_grant_t g;
    iam_err_t err;
    iam_status_e st;

    memset(&sp, 0, sizeof(sp));
    sp.login = login;
    sp.pii = -1;
    if (!strcmp(action, "grant")) {
        int rc = read_role_row(pg, "", &g);
        if (rc == 0)
            refuse_input(pg, "Choose a role to add.");
        if (rc <= 0)
            return page_member(pg, login);
        st = iam_store_grant(pg->w->st, pg->w->actor, 0, login, &g, &err);
    } else if (!strcmp(action, "revoke")) {
        read_revoke(pg, &g);
        st = iam_store_revoke(pg->w->st, pg->w->actor, 0, login, &g, 0, &err);
    } else if (!strcmp(action, "edit-grant")) {
        iam_grant_t now;
        if (read_edit(pg, &g, &now) < 0)
            return page_member(pg, login);
        st = iam_store_grant_edit(pg->w->st, pg->w->actor, 0, login, &g, &now, &err);
    } else if (!strcmp(action, "find-groups") || *field(pg, "unpick") || searched(pg)) {
        return page_member(pg, login); /* the group picker: nothing saved */
    } else if (!strcmp(action, "join") || !strcmp(action, "leave")) {
        apr_array_header_t *groups = !strcmp(action, "join") ? picked(pg, "group")
                                                             : iam_web_values(P, pg->form, "group");
        iam_member_t *m;
        int i, j;
        if (!groups->nelts) {
            refuse_input(pg, "Choose a user group.");
            return page_member(pg, login);
        }
        if ((st = iam_store_member_get(pg->w->st, P, login, &m, &err)) == IAM_OK) {
            /* the whole new set, written in one transaction */
            apr_array_header_t *set = apr_array_make(P, 4, sizeof(const char *));
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
            sp.groups = set;
            st = iam_store_member_put(pg->w->st, pg->w->actor, &sp, 0, &err);
            if (st == IAM_OK)
                return see_other_who(pg, back, !strcmp(action, "join") ? "joined" : "left",
                                     apr_array_pstrcat(P, groups, ','));
        }
    } else if (!strcmp(action, "details")) {
        sp.name = field(pg, "name");
        sp.email = field(pg, "email");
        sp.pii = *field(pg, "pii") != '\0';
        st = iam_store_member_put(pg->w->st, pg->w->actor, &sp, 0, &err);
    } else if (!strcmp(action, "resend")) {
        iam_member_t *m;
        if ((st = iam_store_member_get(pg->w->st, P, login, &m, &err)) == IAM_OK) {
            int rc = m->status == IAM_INVITED ? iam_mail_invitation(R, m, R->user) : -1;
            if (rc == 0)
                return see_other(pg, back, "resent");
            refuse_input(pg, rc > 0 ? "The invitation could not be mailed; the error log says why."
                                    : "Only an invited member with an email can be mailed an "
                                      "invitation, and only with IAMMailCommand set.");
            pg->status = rc > 0 ? HTTP_BAD_GATEWAY : HTTP_CONFLICT;
            return page_member(pg, login);
        }
    } else if (!strcmp(action, "approve") || !strcmp(action, "dismiss")) {
        if ((st = answer_request(pg, &err)) == IAM_OK)
            return see_other_who(pg, back, !strcmp(action, "approve") ? "approved" : "dismissed",
                                 login);
    } else if (!strcmp(action, "remove")) {
        if ((st = iam_store_member_remove(pg->w->st, pg->w->actor, login, &err)) == IAM_OK)
            return see_other_who(pg, "/members", "removed", login);
    } else {
        refuse_input(pg, "Unknown action.");
        return page_member(pg, login);
    }
    if (st != IAM_OK) {
        if (st == IAM_NOTFOUND && !strcmp(action, "remove"))
            return no_member(pg, login);
        refused(pg, &err);
        return page_member(pg, login);
    }
    return see_other(pg, back, "updated");
}

/* ---- groups ---- */

static int groups_unavailable(page_t *pg, const char *title)
{
    begin(pg, title, "groups");
    ap_rprintf(R,
               "<div class=\"card empty unavailable\">User groups are not available on the %s "
               "plan. They come with the business plan.</div>",
               iam_h(P, iam_plan_name(pg->w->ws->plan)));
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

static int page_groups(page_t *pg)
{
    const char *q = apr_table_get(pg->w->query, "q");
    apr_array_header_t *list;
    iam_err_t err;
    int i, shown = 0;

    if (!iam_plan_allows_groups(pg->w->ws->plan))
        return groups_unavailable(pg, "Groups");
    /* the records alone; the members counted only of the groups shown */
    if (iam_store_group_records(pg->w->st, P, &list, &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, "Groups", "groups");
    ap_rprintf(R,
               "<div class=\"toolbar\"><form method=\"get\" action=\"%s\" role=\"search\">"
               "<input type=\"search\" name=\"q\" value=\"%s\" placeholder=\"Search groups\" "
               "aria-label=\"Search groups by name\"> <button class=\"secondary\">Search</button>"
               "</form><a class=\"button\" href=\"%s\">Create User Group</a></div>",
               link_to(pg, "/groups"), iam_h(P, q), link_to(pg, "/groups/new"));
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
        if (q && !contains_nocase(g->name, q))
            continue;
        if (shown++ == GROUPS_SHOWN) {
            ap_rputs("<tr><td colspan=\"3\" class=\"muted\">More groups: search by name.</td>"
                     "</tr>",
                     R);
            break;
        }
        if (group_size(pg, g->name, &members, &err) != IAM_OK)
            return store_failed(pg, &err);
        for (j = 0; j < g->grants->nelts; j++)
            roles = apr_pstrcat(
                P, roles, j ? ", " : "",
                grant_words(pg, &APR_ARRAY_IDX(g->grants, j, iam_grant_t)),
                NULL);
        ap_rprintf(R,
                   "<tr><td data-label=\"Group\"><a href=\"%s\">%s</a></td><td "
                   "data-label=\"Members\">%s</td><td data-label=\"Direct roles\">%s</td></tr>",
                   group_link(pg, g->name), iam_h(P, g->name), thousands(P, members),
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
        ap_rprintf(
            R, "<li>%s</li>",
            iam_h(P, grant_words(pg, &APR_ARRAY_IDX(grants, i, iam_grant_t))));
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
        const char *label = member_label(pg, APR_ARRAY_IDX(chosen, i, const char *));
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
    return !strcmp(field(pg, "reviewed"), choice_print(P, chosen));
}

static int page_group_new(page_t *pg)
{
    apr_array_header_t *chosen = picked(pg, "member"), *grants = NULL;
    const char *q = field_or_query(pg, "q");
    int i, rc;

    if (!iam_plan_allows_groups(pg->w->ws->plan))
        return groups_unavailable(pg, "Create User Group");
    if (pg->form && !pg->error)
        grants = read_role_rows(pg); /* for the review; refused rows say why */
    begin(pg, "Create User Group", "groups");
    ap_rputs("<div class=\"cols\"><div>", R);
    form_begin(pg, link_to(pg, "/groups"), "card");
    default_action(pg, "create");
    ap_rprintf(R,
               "<label for=\"name\">Group name</label><input type=\"text\" id=\"name\" "
               "name=\"name\" value=\"%s\" required><fieldset><legend>Roles</legend>",
               iam_h(P, field(pg, "name")));
    for (i = 1; i <= ROLE_ROWS; i++)
        role_row(pg, apr_itoa(P, i), 1);
    ap_rputs("</fieldset><fieldset><legend>Members</legend>", R);
    chosen_list(pg, "member", chosen, 1, "members");
    picker_search(pg, "q", q, "preview", "Search members by name or email");
    if ((rc = member_results(pg, q, chosen, NULL)) != OK)
        return rc;
    hidden(pg, "reviewed", choice_print(P, chosen));
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

static int post_group_new(page_t *pg)
{
    apr_array_header_t *grants = read_role_rows(pg), *chosen = picked(pg, "member");
    iam_group_spec_t sp;
    iam_err_t err;

    if (!grants)
        return page_group_new(pg);
    if (strcmp(field(pg, "action"), "create") && *field(pg, "action"))
        return page_group_new(pg); /* a search or a review: nothing saved */
    if (*field(pg, "unpick") || searched(pg))
        return page_group_new(pg);
    if (pg->form && apr_table_get(pg->form, "reviewed") && !reviewed(pg, chosen)) {
        pg->note = "Review the members you ticked, then press Create User Group again.";
        return page_group_new(pg);
    }
    if (chosen->nelts > PICK_MAX) {
        refuse_input(pg, apr_psprintf(P, "Choose at most %d members at once.", PICK_MAX));
        return page_group_new(pg);
    }
    memset(&sp, 0, sizeof(sp));
    sp.name = field(pg, "name");
    sp.pii = -1;
    sp.grants = grants;
    sp.members = chosen;
    if (iam_store_group_put(pg->w->st, pg->w->actor, &sp, 1, &err) != IAM_OK) {
        refused(pg, &err);
        return page_group_new(pg);
    }
    return see_other(pg, group_path(P, sp.name), "group-created");
}

/* A group's members (searchable: ?mq=), each to tick for removal, and
 * the picker that adds more. */
static int group_members_tab(page_t *pg, const iam_group_t *g, const char *self,
                             const iam_member_page_t *mp, const char *mq)
{
    const char *q = field_or_query(pg, "q");
    apr_array_header_t *chosen = picked(pg, "member");
    int i, rc;

    ap_rprintf(R,
               "<form method=\"get\" action=\"%s\" class=\"row\" role=\"search\">"
               "<input type=\"search\" name=\"mq\" value=\"%s\" placeholder=\"Search this "
               "group by name or email\" aria-label=\"Search the members of %s\"><button "
               "class=\"secondary\">Search</button></form>",
               self, iam_h(P, mq), iam_h(P, g->name));
    form_begin(pg, self, "card");
    default_action(pg, "confirm-remove");
    for (i = 0; i < mp->members->nelts; i++) {
        const iam_member_t *m = APR_ARRAY_IDX(mp->members, i, iam_member_t *);
        ap_rprintf(R,
                   "<label><input type=\"checkbox\" name=\"member\" value=\"%s\"> "
                   "<a href=\"%s\">%s</a> <span class=\"muted\">%s</span></label>",
                   iam_h(P, m->login), member_link(pg, m->login),
                   iam_h(P, *m->name ? m->name : m->login),
                   iam_h(P, *m->email ? m->email : m->login));
    }
    if (!mp->members->nelts)
        ap_rputs(mq && *mq ? "<p class=\"muted\">No member of this group matches.</p>"
                           : "<p class=\"muted\">No members yet.</p>",
                 R);
    else
        ap_rprintf(R,
                   "<button class=\"secondary\" name=\"action\" value=\"confirm-remove\">"
                   "Remove selected from %s…</button>",
                   iam_h(P, g->name));
    ap_rputs("</form>", R);
    if (mp->members->nelts)
        pager(pg, mp,
              apr_psprintf(P, "%s?mq=%s&amp;", self, iam_h(P, iam_url_query(P, mq))),
              "member", "members", mq);
    ap_rputs("<h2>Add members</h2>", R);
    form_begin(pg, self, "card");
    default_action(pg, "add-members");
    chosen_list(pg, "member", chosen, 1, "members");
    picker_search(pg, "q", q, "find-members", "Search members to add by name or email");
    if ((rc = member_results(pg, q, chosen, g->name)) != OK)
        return rc;
    hidden(pg, "reviewed", choice_print(P, chosen));
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
    const char *self = group_link(pg, g->name);
    int i;

    begin(pg, "Remove from group", "groups");
    ap_rprintf(R,
               "<div class=\"card\"><p>Remove %d member%s from <strong>%s</strong>? They lose "
               "the access the group gives them; they stay in the workspace.</p><ul>",
               logins->nelts, logins->nelts == 1 ? "" : "s", iam_h(P, g->name));
    for (i = 0; i < logins->nelts; i++) {
        const char *label = member_label(pg, APR_ARRAY_IDX(logins, i, const char *));
        ap_rprintf(R, "<li>%s</li>", iam_h(P, label ? label : APR_ARRAY_IDX(logins, i, const char *)));
    }
    ap_rputs("</ul>", R);
    form_begin(pg, self, "inline");
    hidden(pg, "action", "remove-members");
    for (i = 0; i < logins->nelts; i++)
        hidden(pg, "member", APR_ARRAY_IDX(logins, i, const char *));
    ap_rprintf(R,
               "<button class=\"danger\">Remove %d member%s from %s</button></form> "
               "<a href=\"%s\">Cancel</a></div>",
               logins->nelts, logins->nelts == 1 ? "" : "s", iam_h(P, g->name), self);
    iam_page_end(pg->w);
    return OK;
}

static int page_group(page_t *pg, const char *name)
{
    const char *tab = apr_table_get(pg->w->query, "tab"), *mq = NULL;
    iam_member_query_t q = {NULL, -1, NULL, NULL, 0};
    iam_member_page_t mp;
    iam_group_t *g;
    iam_err_t err;
    const char *self;
    long members;
    int rc;

    if (!iam_plan_allows_groups(pg->w->ws->plan))
        return groups_unavailable(pg, name);
    switch (iam_store_group_record(pg->w->st, P, name, &g, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_group(pg, name);
    default: return store_failed(pg, &err);
    }
    self = group_link(pg, g->name);
    tab = tab && !strcmp(tab, "permissions") ? "permissions" : "members";
    /* the members tab reads its page; the tab's count is of them all */
    if (!strcmp(tab, "members")) {
        if (query_page(pg, g->name, "mq", &q, &mp, &err) != IAM_OK)
            return store_failed(pg, &err);
        mq = q.search;
        members = mp.total;
    }
    if ((strcmp(tab, "members") || (mq && *mq)) &&
        group_size(pg, g->name, &members, &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, g->name, "groups");
    {
        const char *names[] = {apr_psprintf(P, "Members (%s)", thousands(P, members)),
                               "Permissions"};
        const char *hrefs[] = {self, link_to(pg, "%s", with_query(P, group_path(P, g->name),
                                                                  "tab=permissions"))};
        view_tabs(pg, apr_psprintf(P, "The group %s", iam_h(P, g->name)), 2, names, hrefs,
                  !strcmp(tab, "permissions"));
    }
    ap_rputs("<div class=\"cols\"><div>", R);
    if (!strcmp(tab, "members")) {
        if ((rc = group_members_tab(pg, g, self, &mp, mq)) != OK)
            return rc;
    } else {
        ap_rputs("<table><tr><th>Role</th><th>Resources</th><th>From</th><th></th></tr>", R);
        grants_rows(pg, g->grants, "This group", NULL, 1, self, g->name, 0);
        ap_rputs("</table><h2>Add a role</h2>", R);
        form_begin(pg, self, "card");
        hidden(pg, "action", "grant");
        role_row(pg, "", 1);
        ap_rputs("<button>Add role</button></form>", R);
        form_begin(pg, self, "card");
        hidden(pg, "action", "pii");
        ap_rprintf(R,
                   "<label><input type=\"checkbox\" name=\"pii\" value=\"1\"%s> Members may see "
                   "personal data (PII)</label><button>Save</button></form>",
                   g->pii ? " checked" : "");
    }
    ap_rputs("</div><aside class=\"card\"><h2>Group permissions</h2>", R);
    grants_summary(pg, g->grants);
    ap_rprintf(R, "<p><a href=\"%s\">Delete this group</a></p></aside></div>",
               link_to(pg, "%s", with_query(P, group_path(P, g->name), "confirm=delete")));
    iam_page_end(pg->w);
    return OK;
}

static int page_group_delete(page_t *pg, const char *name)
{
    iam_group_t *g;
    iam_err_t err;

    switch (iam_store_group_get(pg->w->st, P, name, &g, &err)) {
    case IAM_OK: break;
    case IAM_NOTFOUND: return no_group(pg, name);
    default: return store_failed(pg, &err);
    }
    begin(pg, "Delete User Group", "groups");
    ap_rprintf(R,
               "<div class=\"card\"><p>Delete <strong>%s</strong>? Its %d members lose the "
               "access it gives them; they stay in the workspace.</p>",
               iam_h(P, g->name), g->members->nelts);
    form_begin(pg, group_link(pg, g->name), "inline");
    hidden(pg, "action", "delete");
    ap_rprintf(R,
               "<button class=\"danger\">Delete group</button></form> <a href=\"%s\">Cancel</a>"
               "</div>",
               group_link(pg, g->name));
    iam_page_end(pg->w);
    return OK;
}

static int post_group(page_t *pg, const char *name)
{
    const char *action = field(pg, "action");
    const char *back = group_path(P, name);
    apr_array_header_t *members = iam_web_values(P, pg->form, "member");
    iam_group_spec_t sp;
    iam_grant_t g;
    iam_err_t err;
    iam_status_e st;
    const char *done = "updated";

    memset(&sp, 0, sizeof(sp));
    sp.name = name;
    sp.pii = -1;
    if (!strcmp(action, "find-members") || *field(pg, "unpick") || searched(pg)) {
        return page_group(pg, name); /* the picker: nothing saved */
    } else if (!strcmp(action, "add-members") || !strcmp(action, "remove-members") ||
               !strcmp(action, "confirm-remove")) {
        int add = !strcmp(action, "add-members");
        iam_group_t *gr;
        if (add)
            members = picked(pg, "member");
        if (!members->nelts) {
            refuse_input(pg, add ? "Choose at least one member to add."
                                 : "Select at least one member.");
            return page_group(pg, name);
        }
        if (add && apr_table_get(pg->form, "reviewed") && !reviewed(pg, members)) {
            pg->note = "Review who will be added, then press Add again.";
            return page_group(pg, name);
        }
        if (members->nelts > PICK_MAX) {
            refuse_input(pg, apr_psprintf(P, "Choose at most %d members at once.", PICK_MAX));
            return page_group(pg, name);
        }
        if (!strcmp(action, "confirm-remove")) {
            switch (iam_store_group_get(pg->w->st, P, name, &gr, &err)) {
            case IAM_OK: return page_group_remove_members(pg, gr, members);
            case IAM_NOTFOUND: return no_group(pg, name);
            default: return store_failed(pg, &err);
            }
        }
        st = iam_store_group_members(pg->w->st, pg->w->actor, name, add,
                                     (const char *const *)members->elts, members->nelts, &err);
        if (st == IAM_OK)
            return see_other_who(pg, back, add ? "members-added" : "members-removed",
                                 apr_pstrcat(P, who_text(pg, members), add ? " to " : " from ",
                                             name, NULL));
    } else if (!strcmp(action, "grant")) {
        int rc = read_role_row(pg, "", &g);
        if (rc == 0)
            refuse_input(pg, "Choose a role to add.");
        if (rc <= 0)
            return page_group(pg, name);
        st = iam_store_grant(pg->w->st, pg->w->actor, 1, name, &g, &err);
        back = with_query(P, back, "tab=permissions");
    } else if (!strcmp(action, "revoke")) {
        read_revoke(pg, &g);
        st = iam_store_revoke(pg->w->st, pg->w->actor, 1, name, &g, 0, &err);
        back = with_query(P, back, "tab=permissions");
    } else if (!strcmp(action, "edit-grant")) {
        iam_grant_t now;
        if (read_edit(pg, &g, &now) < 0)
            return page_group(pg, name);
        st = iam_store_grant_edit(pg->w->st, pg->w->actor, 1, name, &g, &now, &err);
        back = with_query(P, back, "tab=permissions");
    } else if (!strcmp(action, "pii")) {
        sp.pii = *field(pg, "pii") != '\0';
        st = iam_store_group_put(pg->w->st, pg->w->actor, &sp, 0, &err);
        back = with_query(P, back, "tab=permissions");
    } else if (!strcmp(action, "delete")) {
        if ((st = iam_store_group_delete(pg->w->st, pg->w->actor, name, &err)) == IAM_OK)
            return see_other_who(pg, "/groups", "group-deleted", name);
    } else {
        refuse_input(pg, "Unknown action.");
        return page_group(pg, name);
    }
    if (st != IAM_OK) {
        if (st == IAM_NOTFOUND && !strcmp(action, "delete"))
            return no_group(pg, name);
        refused(pg, &err);
        return page_group(pg, name);
    }
    return see_other(pg, back, done);
}

/* ---- resources, roles, audit ---- */

/* A resource's page, below the base: /resources/TYPE/NAME ("*" for the
 * collection). */
static const char *resource_link(page_t *pg, const iam_resource_t *res)
{
    return link_to(pg, "/resources/%s/%s", iam_url_segment(P, res->type),
                   res->name ? iam_url_segment(P, res->name) : "*");
}

static int page_resources(page_t *pg)
{
    apr_array_header_t *res = pg->w->ws->resources;
    int i, j;

    begin(pg, "Resources", "resources");
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
        ap_rprintf(R,
                   "<tr><td data-label=\"Type\">%s</td><td data-label=\"Name\"><a href=\"%s\" "
                   "aria-label=\"Who can reach %s %s\">%s</a></td><td data-label=\"Labels\">",
                   iam_h(P, d->res.type), resource_link(pg, &d->res), iam_h(P, d->res.type),
                   d->res.name ? iam_h(P, d->res.name) : "(all)",
                   d->res.name ? iam_h(P, d->res.name) : "* <span class=\"muted\">(collection)</span>");
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
static int page_resource(page_t *pg, const char *type, const char *name)
{
    apr_array_header_t *decls = iam_web_resource_decls(P, pg->w->ws, type, name), *list;
    const iam_resource_decl_t *d;
    iam_err_t err;
    int i;

    if (!decls->nelts)
        return not_found(pg,
                         apr_psprintf(P, "No resource “%s %s” is declared in httpd.conf.", type,
                                      name),
                         "/resources", "Back to Resources");
    d = APR_ARRAY_IDX(decls, 0, iam_resource_decl_t *);
    if (iam_access_list(pg->w->st, P, &pg->w->ws->roles, pg->w->ws->plan, &d->res, &list,
                        &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, apr_psprintf(P, "%s %s", type, d->res.name ? d->res.name : "(all)"), "resources");
    ap_rputs("<div class=\"card\"><p>", R);
    for (i = 0; i < d->res.nlabels; i++)
        ap_rprintf(R, "<span class=\"badge\">%s</span> ", iam_h(P, d->res.labels[i]));
    ap_rputs(d->res.nlabels ? "</p><p class=\"muted\">Declared at " : "<p class=\"muted\">No labels. "
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
            who = apr_psprintf(P, "<a href=\"%s\">%s</a> <span class=\"muted\">group, %s</span>",
                               group_link(pg, a->group->name), iam_h(P, a->group->name),
                               plural(a->group_members, "1 member",
                                      apr_psprintf(P, "%s members", thousands(P, a->group_members))));
        else
            who = apr_psprintf(P, "<a href=\"%s\">%s</a> <span class=\"muted\">%s</span>%s",
                               member_link(pg, a->member->login),
                               iam_h(P, *a->member->name ? a->member->name : a->member->login),
                               iam_h(P, a->member->login),
                               a->member->status == IAM_INVITED
                                   ? " <span class=\"badge invited\">invited</span>"
                                   : "");
        ap_rprintf(R,
                   "<tr><td data-label=\"Who\">%s</td><td data-label=\"Access\">%s</td><td "
                   "data-label=\"Through\">%s</td></tr>\n",
                   who, level_text(a->level),
                   iam_h(P, grant_words(pg, a->grant)));
    }
    ap_rputs("</table>", R);
    if (!list->nelts)
        ap_rputs("<div class=\"card empty\">Nobody holds a grant on it.</div>", R);
    iam_page_end(pg->w);
    return OK;
}

static int page_roles(page_t *pg)
{
    const iam_roles_t *roles = &pg->w->ws->roles;
    int i;

    begin(pg, "Roles", "roles");
    ap_rputs("<table><tr><th>Role</th><th>Type</th><th>Level</th><th>Scopes</th><th></th></tr>", R);
    for (i = 0; i < roles->n; i++) {
        const iam_role_t *r = &roles->role[i];
        int allowed = iam_plan_allows_role(pg->w->ws->plan, r);
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

/* The audit trail, newest first, in words; filtered by member, group,
 * who acted and kind of change (the store bounds how far one page looks
 * back: a rare filter offers to search further). */
static int page_audit(page_t *pg)
{
    static const char *const kinds[][2] = {
        {"", "Every kind"},         {IAM_AUDIT_KIND_MEMBER, "Members"},
        {IAM_AUDIT_KIND_GROUP, "Groups"}, {IAM_AUDIT_KIND_GRANT, "Grants"},
        {IAM_AUDIT_KIND_REQUEST, "Access requests"}, {IAM_AUDIT_KIND_TOKEN, "API tokens"},
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

    if (iam_store_audit_query(pg->w->st, P, before ? strtoull(before, NULL, 10) : 0,
                              IAM_PAGE_SIZE, &f, &list, &next, &err) != IAM_OK)
        return store_failed(pg, &err);
    begin(pg, "Audit", "audit");
    ap_rprintf(R,
               "<form method=\"get\" action=\"%s\" class=\"card filters\" role=\"search\" "
               "aria-label=\"Filter the changes\"><div class=\"row\"><label>Member <input "
               "type=\"search\" name=\"member\" value=\"%s\" placeholder=\"login\"></label>"
               "<label>Group <input type=\"search\" name=\"group\" value=\"%s\"></label>"
               "<label>Changed by <input type=\"search\" name=\"actor\" value=\"%s\" "
               "placeholder=\"login\"></label><label>Kind <select name=\"kind\">",
               link_to(pg, "/audit"), iam_h(P, f.member), iam_h(P, f.group), iam_h(P, f.actor));
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        ap_rprintf(R, "<option value=\"%s\"%s>%s</option>", kinds[i][0],
                   !strcmp(kind, kinds[i][0]) ? " selected" : "", kinds[i][1]);
    ap_rprintf(R,
               "</select></label><button class=\"secondary\">Filter</button> <a href=\"%s\">"
               "Clear</a></div></form>",
               link_to(pg, "/audit"));
    /* the filters, for the link to older changes */
    keep = apr_pstrcat(P, "&member=", iam_url_query(P, f.member), "&group=",
                       iam_url_query(P, f.group), "&actor=", iam_url_query(P, f.actor),
                       "&kind=", iam_url_query(P, kind), NULL);
    if (list->nelts)
        audit_entries(pg, list);
    else
        ap_rputs(next ? "<div class=\"card empty\">No matching change among the most recent "
                        "ones.</div>"
                      : "<div class=\"card empty\">No changes recorded.</div>",
                 R);
    if (next)
        ap_rprintf(R, "<p><a href=\"%s\">%s</a></p>",
                   iam_h(P, apr_psprintf(P, "%s/audit?before=%" APR_UINT64_T_FMT "%s",
                                         pg->w->base, (apr_uint64_t)next, keep)),
                   list->nelts ? "Older changes" : "Search older changes");
    iam_page_end(pg->w);
    return OK;
}

/* ---- API tokens ---- */

/* A token made by a post is shown once, on the page its redirect leads to
 * (post/redirect/get: a reload makes no second token). It travels there in
 * a cookie for that page only, sealed for this owner (a logged Cookie
 * header holds no usable token), cleared as soon as it is shown. */
#define NEW_TOKEN_COOKIE "iam_new_token"
#define NEW_TOKEN_SECONDS 300

static const char *tokens_path(page_t *pg)
{
    return apr_pstrcat(P, pg->w->base, "/tokens", NULL);
}

static int console_https(page_t *pg)
{
    return !strncmp(pg->w->ws->console_url, "https://", 8);
}

/* The token the cookie carries, if it unseals for this owner and is a live
 * token of `list` (its secret right) made by them a moment ago; else NULL. */
static const char *new_token(page_t *pg, apr_array_header_t *list)
{
    const char *v = iam_web_cookie(R, NEW_TOKEN_COOKIE), *dot;
    long long now = (long long)apr_time_sec(apr_time_now());
    int i;

    if (!v)
        return NULL;
    iam_web_set_cookie(R, NEW_TOKEN_COOKIE, NULL, tokens_path(pg), 0, console_https(pg));
    if (!(v = iam_web_unseal(R, pg->w->secret, NEW_TOKEN_COOKIE, v)) || !(dot = strchr(v, '.')))
        return NULL;
    for (i = 0; i < list->nelts; i++) {
        iam_token_t *t = APR_ARRAY_IDX(list, i, iam_token_t *);
        if (strlen(t->id) == (size_t)(dot - v) && !strncmp(t->id, v, (size_t)(dot - v)) &&
            !t->dead && !strcmp(t->creator, pg->w->actor) &&
            t->created + NEW_TOKEN_SECONDS >= now)
            return iam_store_token_matches(pg->w->st, P, v) ? v : NULL;
    }
    return NULL;
}

static int page_tokens(page_t *pg)
{
    apr_array_header_t *list;
    iam_err_t err;
    const char *token;
    int i;

    if (iam_store_token_list(pg->w->st, P, &list, &err) != IAM_OK)
        return store_failed(pg, &err);
    token = new_token(pg, list);
    begin(pg, "API tokens", "tokens");
    if (token)
        ap_rprintf(R,
                   "<div class=\"card\"><p><strong>Copy the token now: it is not shown again."
                   "</strong></p><p><code>%s</code></p><p class=\"muted\">Send it as "
                   "<code>Authorization: Bearer TOKEN</code> to the JSON API; it acts with "
                   "Workspace Owner access, and dies when its owner stops being one.</p></div>",
                   iam_h(P, token));
    ap_rputs("<p class=\"muted\">Tokens let scripts use the JSON API without a browser login. "
             "Only a hash of each secret is kept. A token carries its owner's authority: when "
             "that owner is removed or is no longer a Workspace Owner, it dies for good.</p>",
             R);
    if (!list->nelts)
        ap_rputs("<div class=\"card empty\">No tokens.</div>", R);
    else
        ap_rputs("<table><tr><th>Token</th><th>Description</th><th>Owner</th><th>Created</th>"
                 "<th>Last used</th><th>Status</th><th></th></tr>",
                 R);
    for (i = 0; i < list->nelts; i++) {
        iam_token_t *t = APR_ARRAY_IDX(list, i, iam_token_t *);
        ap_rprintf(R,
                   "<tr%s><td data-label=\"Token\"><code>%s</code></td><td "
                   "data-label=\"Description\">%s</td><td data-label=\"Owner\">%s <div "
                   "class=\"muted\">made by %s</div></td><td data-label=\"Created\">%s</td><td "
                   "data-label=\"Last used\">%s</td><td data-label=\"Status\">%s</td><td>",
                   t->dead ? " class=\"unavailable\"" : "", iam_h(P, t->id),
                   iam_h(P, t->description), iam_h(P, t->owner), iam_h(P, t->creator),
                   iam_h(P, iam_time_text(P, t->created)),
                   t->last_used ? iam_h(P, iam_time_text(P, t->last_used)) : "never",
                   t->dead ? apr_pstrcat(P, "<span class=\"badge\">dead</span> since ",
                                         iam_h(P, iam_time_text(P, t->dead)), ": ",
                                         iam_h(P, t->dead_why), NULL)
                           : "<span class=\"badge active\">alive</span>");
        ap_rprintf(R,
                   "<a class=\"button secondary\" href=\"%s\" aria-label=\"%s the token %s (%s)\">"
                   "%s</a></td></tr>",
                   link_to(pg, "/tokens?confirm=revoke&id=%s", iam_url_query(P, t->id)),
                   t->dead ? "Delete" : "Revoke", iam_h(P, t->id), iam_h(P, t->description),
                   t->dead ? "Delete" : "Revoke");
    }
    if (list->nelts)
        ap_rputs("</table>", R);
    ap_rputs("<h2>Create a token</h2>", R);
    form_begin(pg, link_to(pg, "/tokens"), "card");
    hidden(pg, "action", "create");
    ap_rputs("<label for=\"description\">What is it for?</label><input type=\"text\" "
             "id=\"description\" name=\"description\" required placeholder=\"Nightly sync from "
             "HR\"><p><button>Create token</button></p></form>",
             R);
    iam_page_end(pg->w);
    return OK;
}

/* Revoking (or deleting a dead) token asks first, naming it. */
static int page_token_revoke(page_t *pg, const char *id)
{
    apr_array_header_t *list;
    iam_token_t *t = NULL;
    iam_err_t err;
    int i;

    if (iam_store_token_list(pg->w->st, P, &list, &err) != IAM_OK)
        return store_failed(pg, &err);
    for (i = 0; id && i < list->nelts && !t; i++) {
        if (!strcmp(APR_ARRAY_IDX(list, i, iam_token_t *)->id, id))
            t = APR_ARRAY_IDX(list, i, iam_token_t *);
    }
    if (!t)
        return not_found(pg, "There is no such token: it may have been deleted.", "/tokens",
                         "Back to Tokens");
    begin(pg, t->dead ? "Delete token" : "Revoke token", "tokens");
    ap_rprintf(R,
               "<div class=\"card\"><p>%s the token <code>%s</code> (%s) of %s?%s</p>",
               t->dead ? "Delete" : "Revoke", iam_h(P, t->id), iam_h(P, t->description),
               iam_h(P, t->owner),
               t->dead ? " It is dead already; only its record goes."
                       : " Every script that presents it is refused from then on.");
    form_begin(pg, link_to(pg, "/tokens"), "inline");
    hidden(pg, "action", "revoke");
    hidden(pg, "id", t->id);
    ap_rprintf(R,
               "<button class=\"danger\">%s %s</button></form> <a href=\"%s\">Cancel</a></div>",
               t->dead ? "Delete" : "Revoke", iam_h(P, t->id), link_to(pg, "/tokens"));
    iam_page_end(pg->w);
    return OK;
}

static int post_tokens(page_t *pg)
{
    const char *action = field(pg, "action"), *token;
    iam_token_t *t;
    iam_err_t err;

    if (!strcmp(action, "create")) {
        if (iam_store_token_create(pg->w->st, pg->w->actor, pg->w->owner, field(pg, "description"),
                                   P, &token, &t, &err) != IAM_OK) {
            refused(pg, &err);
            return page_tokens(pg);
        }
        iam_web_set_cookie(R, NEW_TOKEN_COOKIE,
                           iam_web_seal(R, pg->w->secret, NEW_TOKEN_COOKIE, token),
                           tokens_path(pg), NEW_TOKEN_SECONDS, console_https(pg));
        return see_other(pg, "/tokens", "token-created");
    }
    if (!strcmp(action, "revoke")) {
        if (iam_store_token_revoke(pg->w->st, pg->w->actor, field(pg, "id"), &err) != IAM_OK) {
            refused(pg, &err);
            return page_tokens(pg);
        }
        return see_other_who(pg, "/tokens", "token-revoked", field(pg, "id"));
    }
    refuse_input(pg, "Unknown action.");
    return page_tokens(pg);
}

/* ---- routing ---- */

/* Reads and checks a POST: same origin, a form body, this user's token. */
static int read_post(page_t *pg)
{
    const char *ct = apr_table_get(R->headers_in, "Content-Type");
    apr_size_t len;
    char *body;
    int rc;

    if (!iam_web_same_origin(R)) {
        iam_log_r(R, APLOG_WARNING, 0, "console: cross-origin post to %s refused", R->uri);
        return HTTP_FORBIDDEN;
    }
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33))
        return HTTP_UNSUPPORTED_MEDIA_TYPE;
    if ((rc = iam_web_read_body(R, IAM_BODY_MAX, &body, &len)) != OK)
        return rc;
    if (strlen(body) != len || !(pg->form = iam_web_parse_form(P, body)))
        return HTTP_BAD_REQUEST;
    if (!iam_web_csrf_ok(R, pg->w->secret, apr_table_get(pg->form, "csrf"))) {
        iam_log_r(R, APLOG_WARNING, 0, "console: post to %s without a valid CSRF token refused",
                  R->uri);
        return HTTP_FORBIDDEN;
    }
    return OK;
}

static int route(page_t *pg)
{
    const char *sub = pg->w->sub, *confirm = apr_table_get(pg->w->query, "confirm");
    iam_web_t *w = pg->w;
    int post = R->method_number == M_POST, rc;

    if (R->method_number != M_GET && !post)
        return HTTP_METHOD_NOT_ALLOWED;
    if (post && (rc = read_post(pg)) != OK)
        return rc;
    if (!*sub) {
        if (!post && confirm && !strcmp(confirm, "approve"))
            return page_confirm_owner(pg);
        return post ? post_home(pg) : page_home(pg);
    }
    if (!strcmp(sub, "members"))
        return post ? post_invite(pg) : page_members(pg);
    if (!strcmp(sub, "members/new"))
        return post ? HTTP_METHOD_NOT_ALLOWED : page_invite(pg);
    if ((!strncmp(sub, "members/", 8) && sub[8]) || !strcmp(sub, "member")) {
        const char *login = sub[6] == 's' ? sub + 8 : apr_table_get(w->query, "login");
        if (!login || !*login)
            return HTTP_NOT_FOUND;
        if (post)
            return post_member(pg, login);
        if (confirm && !strcmp(confirm, "leave"))
            return page_member_leave(pg, login, apr_table_get(w->query, "group"));
        return confirm && !strcmp(confirm, "remove") ? page_member_remove(pg, login)
                                                     : page_member(pg, login);
    }
    if (!strcmp(sub, "groups"))
        return post ? post_group_new(pg) : page_groups(pg);
    if (!strcmp(sub, "groups/new"))
        return post ? HTTP_METHOD_NOT_ALLOWED : page_group_new(pg);
    if ((!strncmp(sub, "groups/", 7) && sub[7]) || !strcmp(sub, "group")) {
        const char *name = sub[5] == 's' ? sub + 7 : apr_table_get(w->query, "name");
        if (!name || !*name)
            return HTTP_NOT_FOUND;
        if (post)
            return post_group(pg, name);
        return confirm && !strcmp(confirm, "delete") ? page_group_delete(pg, name)
                                                     : page_group(pg, name);
    }
    if (!strcmp(sub, "tokens")) {
        if (!post && confirm && !strcmp(confirm, "revoke"))
            return page_token_revoke(pg, apr_table_get(w->query, "id"));
        return post ? post_tokens(pg) : page_tokens(pg);
    }
    if (post)
        return HTTP_METHOD_NOT_ALLOWED;
    if (!strcmp(sub, "resources"))
        return page_resources(pg);
    if (!strncmp(sub, "resources/", 10)) {
        const char *slash = strchr(sub + 10, '/');
        if (!slash || slash == sub + 10 || !slash[1] || strchr(slash + 1, '/'))
            return HTTP_NOT_FOUND;
        return page_resource(pg, apr_pstrmemdup(P, sub + 10, (apr_size_t)(slash - sub - 10)),
                             slash + 1);
    }
    if (!strcmp(sub, "roles"))
        return page_roles(pg);
    if (!strcmp(sub, "audit"))
        return page_audit(pg);
    return HTTP_NOT_FOUND;
}

int iam_console_handle(iam_web_t *w)
{
    page_t page, *pg = &page;
    int rc;

    memset(pg, 0, sizeof(*pg));
    pg->w = w;
    rc = route(pg);
    /* an error before any output is a console page (after, the page that
     * began is the answer: the error log says what failed) */
    if (rc >= 400 && !pg->begun)
        return error_page(pg, rc);
    return rc;
}
