/* mod_iam console: API tokens. The list, a new token shown once after its
 * redirect, Create, and Revoke (or Delete a dead one) after asking. */

#include "console_int.h"

#include "http_core.h"

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
    return !strncmp(iam_ws_console_url(pg->w->ws), "https://", 8);
}

/* The token the cookie carries, if it unseals for this owner and is a live
 * token of `list` (its secret right, *made its record) made by them a
 * moment ago; else NULL. */
static const char *new_token(page_t *pg, apr_array_header_t *list, const iam_token_t **made)
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
            t->created + NEW_TOKEN_SECONDS >= now) {
            *made = t;
            return iam_store_token_matches(pg->w->st, P, v) ? v : NULL;
        }
    }
    return NULL;
}

int cs_page_tokens(page_t *pg)
{
    apr_array_header_t *list;
    const iam_token_t *made = NULL;
    iam_err_t err;
    const char *token, *url = iam_ws_console_url(pg->w->ws);
    int i;

    if (iam_store_token_list(pg->w->st, P, &list, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    token = new_token(pg, list, &made);
    cs_begin(pg, "API tokens", "tokens");
    if (token && !strcmp(made->scope, IAM_TOKEN_SCIM)) /* what the identity provider asks */
        ap_rprintf(R,
                   "<div class=\"card\"><p><strong>Copy the token now: it is not shown again."
                   "</strong></p><p><code>%s</code></p><p>Give your identity provider the SCIM "
                   "base URL <code>%s/scim/v2</code> and this token (Okta: HTTP Header, "
                   "Bearer; Entra ID: Secret Token). It works on SCIM only, and dies when its "
                   "owner stops being a Workspace Owner.</p></div>",
                   iam_h(P, token),
                   iam_h(P, !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8)
                                ? url
                                : ap_construct_url(P, pg->w->base, R)));
    else if (token)
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
                   "data-label=\"Description\">%s%s</td><td data-label=\"Owner\">%s <div "
                   "class=\"muted\">made by %s</div></td><td data-label=\"Created\">%s</td><td "
                   "data-label=\"Last used\">%s</td><td data-label=\"Status\">%s</td><td>",
                   t->dead ? " class=\"unavailable\"" : "", iam_h(P, t->id),
                   iam_h(P, t->description),
                   strcmp(t->scope, IAM_TOKEN_SCIM)
                       ? ""
                       : " <span class=\"badge\">for an identity provider (SCIM)</span>",
                   iam_h(P, t->owner), iam_h(P, t->creator), iam_h(P, iam_time_text(P, t->created)),
                   t->last_used ? iam_h(P, iam_time_text(P, t->last_used)) : "never",
                   t->dead ? apr_pstrcat(P, "<span class=\"badge\">dead</span> since ",
                                         iam_h(P, iam_time_text(P, t->dead)), ": ",
                                         iam_h(P, t->dead_why), NULL)
                           : "<span class=\"badge active\">alive</span>");
        ap_rprintf(R,
                   "<a class=\"button secondary\" href=\"%s\" aria-label=\"%s the token %s (%s)\">"
                   "%s</a></td></tr>",
                   cs_link_to(pg, "/tokens?confirm=revoke&id=%s", iam_url_query(P, t->id)),
                   t->dead ? "Delete" : "Revoke", iam_h(P, t->id), iam_h(P, t->description),
                   t->dead ? "Delete" : "Revoke");
    }
    if (list->nelts)
        ap_rputs("</table>", R);
    ap_rputs("<h2>Create a token</h2>", R);
    cs_form_begin(pg, cs_link_to(pg, "/tokens"), "card");
    cs_hidden(pg, "action", "create");
    ap_rputs("<label for=\"description\">What is it for?</label><input type=\"text\" "
             "id=\"description\" name=\"description\" required placeholder=\"Nightly sync from "
             "HR\"><label for=\"scope\">Who uses it?</label><select id=\"scope\" "
             "name=\"scope\"><option value=\"api\">A script, on the JSON API</option><option "
             "value=\"scim\">An identity provider (Okta, Entra ID...), on SCIM only</option>"
             "</select><p><button>Create token</button></p></form>",
             R);
    iam_page_end(pg->w);
    return OK;
}

/* Revoking (or deleting a dead) token asks first, naming it. */
int cs_page_token_revoke(page_t *pg, const char *id)
{
    apr_array_header_t *list;
    iam_token_t *t = NULL;
    iam_err_t err;
    int i;

    if (iam_store_token_list(pg->w->st, P, &list, &err) != IAM_OK)
        return cs_store_failed(pg, &err);
    for (i = 0; id && i < list->nelts && !t; i++) {
        if (!strcmp(APR_ARRAY_IDX(list, i, iam_token_t *)->id, id))
            t = APR_ARRAY_IDX(list, i, iam_token_t *);
    }
    if (!t)
        return cs_not_found(pg, "There is no such token: it may have been deleted.", "/tokens",
                            "Back to Tokens");
    cs_begin(pg, t->dead ? "Delete token" : "Revoke token", "tokens");
    ap_rprintf(R, "<div class=\"card\"><p>%s the token <code>%s</code> (%s) of %s?%s</p>",
               t->dead ? "Delete" : "Revoke", iam_h(P, t->id), iam_h(P, t->description),
               iam_h(P, t->owner),
               t->dead ? " It is dead already; only its record goes."
                       : " Every script that presents it is refused from then on.");
    cs_form_begin(pg, cs_link_to(pg, "/tokens"), "inline");
    cs_hidden(pg, "action", "revoke");
    cs_hidden(pg, "id", t->id);
    ap_rprintf(R, "<button class=\"danger\">%s %s</button></form> <a href=\"%s\">Cancel</a></div>",
               t->dead ? "Delete" : "Revoke", iam_h(P, t->id), cs_link_to(pg, "/tokens"));
    iam_page_end(pg->w);
    return OK;
}

int cs_post_tokens(page_t *pg)
{
    const char *action = cs_field(pg, "action"), *token;
    iam_token_t *t;
    iam_err_t err;

    if (!strcmp(action, "create")) {
        if (iam_store_token_create_scoped(
                pg->w->st, pg->w->actor, pg->w->owner, cs_field(pg, "description"),
                *cs_field(pg, "scope") ? cs_field(pg, "scope") : IAM_TOKEN_API, P, &token, &t,
                &err) != IAM_OK) {
            cs_refused(pg, &err);
            return cs_page_tokens(pg);
        }
        iam_web_set_cookie(R, NEW_TOKEN_COOKIE,
                           iam_web_seal(R, pg->w->secret, NEW_TOKEN_COOKIE, token), tokens_path(pg),
                           NEW_TOKEN_SECONDS, console_https(pg));
        return cs_see_other(pg, "/tokens", "token-created");
    }
    if (!strcmp(action, "revoke")) {
        if (iam_store_token_revoke(pg->w->st, pg->w->actor, cs_field(pg, "id"), &err) != IAM_OK) {
            cs_refused(pg, &err);
            return cs_page_tokens(pg);
        }
        return cs_see_other_who(pg, "/tokens", "token-revoked", cs_field(pg, "id"));
    }
    cs_refuse_input(pg, "Unknown action.");
    return cs_page_tokens(pg);
}
