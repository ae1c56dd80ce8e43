/* mod_iam: the owners' console, in HTML. Every procedure of the source
 * document ("Manage Workspace Access") is a page and a form here; every
 * form posts back with a CSRF token, every value printed goes through
 * iam_h(), and every change is one store call (one transaction, audited).
 * Pages work without JavaScript. After a change the browser is sent to the
 * page that shows it (303) with a fixed message; a refused change shows
 * the form again with the reason and the right status.
 *
 * This file routes a request to its page and checks a post; it holds what
 * every page uses: links, hidden fields, the notice a page shows, the
 * redirect after a change, refusals, the console's error pages, and the
 * tabs and pager of a list. The pages live beside it, one file per
 * concern (console_int.h names them). */

#include "console_int.h"

const char *cs_link_to(page_t *pg, const char *fmt, ...)
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

const char *cs_member_path(apr_pool_t *p, const char *login)
{
    return record_path(p, "members", "member", "login", login);
}

const char *cs_group_path(apr_pool_t *p, const char *name)
{
    return record_path(p, "groups", "group", "name", name);
}

/* path + "?" or "&" + query */
const char *cs_with_query(apr_pool_t *p, const char *path, const char *query)
{
    return apr_pstrcat(p, path, strchr(path, '?') ? "&" : "?", query, NULL);
}

const char *cs_member_link(page_t *pg, const char *login)
{
    return cs_link_to(pg, "%s", cs_member_path(P, login));
}

const char *cs_group_link(page_t *pg, const char *name)
{
    return cs_link_to(pg, "%s", cs_group_path(P, name));
}

void cs_form_begin(page_t *pg, const char *action, const char *cls)
{
    ap_rprintf(R,
               "<form method=\"post\" action=\"%s\"%s%s%s>"
               "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
               action, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "",
               iam_h(P, iam_web_csrf_token(R, pg->w->secret)));
}

void cs_hidden(page_t *pg, const char *name, const char *value)
{
    ap_rprintf(R, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", name, iam_h(P, value));
}

const char *cs_field(page_t *pg, const char *name)
{
    const char *v = pg->form ? apr_table_get(pg->form, name) : NULL;
    return v ? v : "";
}

/* A posted field, else the query's (a search box a link may fill). */
const char *cs_field_or_query(page_t *pg, const char *name)
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
        {"label-created", "Label created.", "Created the label %s."},
        {"label-deleted", "Label deleted.", "Deleted the label %s."},
        {"label-assigned", "Label applied to the resources.", "Applied %s to the resources."},
        {"labels-saved", "Labels saved: decisions use them from the next request.", NULL},
    };
    size_t i;

    for (i = 0; code && i < sizeof(done) / sizeof(done[0]); i++) {
        if (!strcmp(code, done[i].code))
            return who && *who && done[i].with_who ? apr_psprintf(p, done[i].with_who, who)
                                                   : done[i].text;
    }
    return NULL;
}

void cs_begin(page_t *pg, const char *title, const char *tab)
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

int cs_see_other(page_t *pg, const char *path, const char *done)
{
    apr_table_setn(
        R->headers_out, "Location",
        apr_pstrcat(P, pg->w->base, path, strchr(path, '?') ? "&" : "?", "done=", done, NULL));
    return HTTP_SEE_OTHER;
}

/* The same, saying to whom it was done. */
int cs_see_other_who(page_t *pg, const char *path, const char *done, const char *who)
{
    return cs_see_other(pg, path, apr_pstrcat(P, done, "&who=", iam_url_query(P, who), NULL));
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
void cs_refused(page_t *pg, const iam_err_t *err)
{
    pg->error = sentence(P, iam_web_error_text(err));
    pg->status = iam_web_http_status(err->status);
    if (pg->status >= 500)
        iam_log_r(R, APLOG_ERR, 0, "console: %s", err->msg);
}

void cs_refuse_input(page_t *pg, const char *msg)
{
    pg->error = msg;
    pg->status = HTTP_BAD_REQUEST;
}

int cs_store_failed(page_t *pg, const iam_err_t *err)
{
    iam_log_r(R, APLOG_ERR, 0, "console: %s", err->msg);
    return iam_web_http_status(err->status);
}

/* A 404 that says what is missing and leads back to its list. */
int cs_not_found(page_t *pg, const char *what, const char *back, const char *back_label)
{
    pg->missing = what;
    pg->back = back;
    pg->back_label = back_label;
    return HTTP_NOT_FOUND;
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
    cs_begin(pg, title, "");
    ap_rprintf(R, "<p><a class=\"button\" href=\"%s\">%s</a></p>",
               cs_link_to(pg, "%s", pg->back ? pg->back : "/"),
               iam_h(P, pg->back_label ? pg->back_label : "Back to the overview"));
    iam_page_end(pg->w);
    return OK;
}

/* ---- lists: tabs, counts, pages ---- */

const char *cs_plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* Links that switch between views of one page, marked up as tabs:
 * names[i] leads to hrefs[i] (escaped already); `current` is selected. */
void cs_view_tabs(page_t *pg, const char *label, int n, const char *const *names,
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

/* 2005 -> "2,005". */
const char *cs_thousands(apr_pool_t *p, long n)
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
void cs_pager(page_t *pg, const iam_member_page_t *mp, const char *base, const char *one,
              const char *many, const char *search)
{
    const char *noun = mp->total == 1 ? one : many;
    const char *what = search && *search
                           ? apr_pstrcat(P, mp->total == 1 ? " matches “" : " match “",
                                         iam_h(P, search), "”", NULL)
                           : "";

    ap_rputs("<nav class=\"pager\" aria-label=\"Pages\"><p class=\"muted\">", R);
    if (!mp->prev && !mp->next)
        ap_rprintf(R, "%s %s%s.", cs_thousands(P, mp->total), noun, *what ? what : " in all");
    else
        ap_rprintf(R, "%s–%s of %s %s%s.", cs_thousands(P, mp->offset + 1),
                   cs_thousands(P, mp->offset + mp->members->nelts), cs_thousands(P, mp->total),
                   noun, what);
    ap_rputs("</p>", R);
    if (mp->prev)
        ap_rprintf(R,
                   "<a class=\"button secondary\" rel=\"prev\" href=\"%sbefore=%s\">Previous</a>",
                   base, iam_h(P, iam_url_query(P, mp->prev)));
    if (mp->next)
        ap_rprintf(R, "<a class=\"button secondary\" rel=\"next\" href=\"%safter=%s\">Next</a>",
                   base, iam_h(P, iam_url_query(P, mp->next)));
    ap_rputs("</nav>\n", R);
}

/* Reads the page a list's query asks for (?FIELD=search&after=|before=);
 * an unreadable cursor starts over from the first page. */
iam_status_e cs_query_page(page_t *pg, const char *group, const char *field, iam_member_query_t *q,
                           iam_member_page_t *out, iam_err_t *err)
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
            return cs_page_confirm_owner(pg);
        return post ? cs_post_home(pg) : cs_page_home(pg);
    }
    if (!strcmp(sub, "members"))
        return post ? cs_post_invite(pg) : cs_page_members(pg);
    if (!strcmp(sub, "members/new"))
        return post ? HTTP_METHOD_NOT_ALLOWED : cs_page_invite(pg);
    if ((!strncmp(sub, "members/", 8) && sub[8]) || !strcmp(sub, "member")) {
        const char *login = sub[6] == 's' ? sub + 8 : apr_table_get(w->query, "login");
        if (!login || !*login)
            return HTTP_NOT_FOUND;
        if (post)
            return cs_post_member(pg, login);
        if (confirm && !strcmp(confirm, "leave"))
            return cs_page_member_leave(pg, login, apr_table_get(w->query, "group"));
        return confirm && !strcmp(confirm, "remove") ? cs_page_member_remove(pg, login)
                                                     : cs_page_member(pg, login);
    }
    if (!strcmp(sub, "groups"))
        return post ? cs_post_group_new(pg) : cs_page_groups(pg);
    if (!strcmp(sub, "groups/new"))
        return post ? HTTP_METHOD_NOT_ALLOWED : cs_page_group_new(pg);
    if ((!strncmp(sub, "groups/", 7) && sub[7]) || !strcmp(sub, "group")) {
        const char *name = sub[5] == 's' ? sub + 7 : apr_table_get(w->query, "name");
        if (!name || !*name)
            return HTTP_NOT_FOUND;
        if (post)
            return cs_post_group(pg, name);
        return confirm && !strcmp(confirm, "delete") ? cs_page_group_delete(pg, name)
                                                     : cs_page_group(pg, name);
    }
    if (!strcmp(sub, "labels"))
        return post ? cs_post_labels(pg) : cs_page_labels(pg);
    if (!strncmp(sub, "resources/", 10) && post) {
        const char *type, *name, *rest = sub + 10;
        size_t n = strlen(rest);
        if (n > 7 && !strcmp(rest + n - 7, "/labels") &&
            iam_web_type_name(P, apr_pstrmemdup(P, rest, n - 7), &type, &name))
            return cs_post_resource_labels(pg, type, name);
        return HTTP_NOT_FOUND;
    }
    if (!strcmp(sub, "tokens")) {
        if (!post && confirm && !strcmp(confirm, "revoke"))
            return cs_page_token_revoke(pg, apr_table_get(w->query, "id"));
        return post ? cs_post_tokens(pg) : cs_page_tokens(pg);
    }
    if (post)
        return HTTP_METHOD_NOT_ALLOWED;
    if (!strcmp(sub, "resources"))
        return cs_page_resources(pg);
    if (!strncmp(sub, "resources/", 10)) {
        const char *type, *name;
        return iam_web_type_name(P, sub + 10, &type, &name) ? cs_page_resource(pg, type, name)
                                                            : HTTP_NOT_FOUND;
    }
    if (!strcmp(sub, "roles"))
        return cs_page_roles(pg);
    if (!strcmp(sub, "audit"))
        return cs_page_audit(pg);
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
