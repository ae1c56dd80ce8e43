/* mod_iam integration tests, "request access": answering a request.
 * Owners approve in the console (the button names the grant; a request
 * changed since the page was drawn is refused; making an owner needs a
 * review; another role may be picked if it gives what was asked) or by
 * the API (the revision required; edit on one resource), and dismiss in
 * either. Within a <RequireAny>, a request is only for what mod_iam's line
 * refused, and a page another line let the user into is never mod_iam's. */
#include "requests_test.h"

#include <stdlib.h>
#include <string.h>

/* ---- answers ---- */

/* add_member, unless an earlier test of the shared server made it */
static void ensure_member(const iam_httpd_t *h, const char *login)
{
    char *out = NULL;

    if (iam_ctl(h, &out, "member show %s", shq(login)) != 0)
        add_member(h, login, NULL);
    free(out);
}

/* An HTML attribute value as the browser reads it (iam_h's entities). */
static char *unescape_html(const char *s, size_t n)
{
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#x27;", "'"}};
    char *out = calloc(1, n + 1), *o = out;
    size_t i, k;

    for (i = 0; i < n;) {
        for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
            size_t l = strlen(ents[k].ent);
            if (i + l <= n && !strncmp(s + i, ents[k].ent, l)) {
                *o++ = ents[k].ch[0];
                i += l;
                break;
            }
        }
        if (k == sizeof(ents) / sizeof(ents[0]))
            *o++ = s[i++];
    }
    return out;
}

/* What a browser posts when the first button named action=approve of a
 * page's form for `login`'s request is pressed: every hidden field of that
 * form, and action=approve. NULL when the page has no such form; *button
 * (if wanted) is the button's text. */
static char *approve_post(const char *page, const char *login, char **button)
{
    const char *f = page, *end, *in, *mark = xprintf("name=\"rlogin\" value=\"%s\"", login);
    char *body, *b;

    while ((f = strstr(f, "<form")) && (end = strstr(f, "</form>"))) {
        char *form = strndup(f, (size_t)(end - f));
        f = end;
        if (!has(form, mark) || !(b = strstr(form, "value=\"approve\">")))
            continue;
        if (button)
            *button = strndup(b + 16, strcspn(b + 16, "<"));
        body = strdup("action=approve");
        for (in = form; (in = strstr(in, "<input type=\"hidden\" name=\"")); in++) {
            const char *name = in + 27, *val = strstr(name, "value=\"");
            size_t nl = strcspn(name, "\""), vl;
            if (!val)
                break;
            val += 7;
            vl = strcspn(val, "\"");
            body = xprintf("%s&%s=%s", body, strndup(name, nl), enc(unescape_html(val, vl)));
        }
        return body;
    }
    return NULL;
}

START_TEST(test_approve_in_console)
{
    char *body, *hdrs, *out, *post, *button;
    long st;

    add_member(&srv, "april", "--name 'April Approved'");
    ck_assert_int_eq(ask(&srv, "april", WAREHOUSE, "read", "for the dashboards"), 303);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    post = approve_post(body, "april", &button);
    ck_assert_msg(post != NULL, "no approve form for april:\n%s", body);
    /* the button names what it grants: warehouse roles come on all only */
    ck_assert_str_eq(button, "Grant Warehouse Read-only on all warehouse resources");
    ck_assert_msg(has(post, "rrev=1") && has(post, "rrole=warehouse-read-only"), "%s", post);
    st = call(&srv, "olivia", "POST", "/iam/", FORM, post, NULL, &out, &hdrs);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(iam_test_header(hdrs, "Location"), "done=approved"), "%s", hdrs);
    free(out);
    /* read only: Warehouse Read-only */
    ck_assert_int_eq(call(&srv, "april", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "april", "POST", WAREHOUSE, FORM, "x=1", NULL, NULL, NULL), 403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show april"), 0);
    ck_assert_msg(has(out, "Warehouse Read-only on all (direct)") && !has(out, "Admin"), "%s", out);
    free(out);
    ck_assert_int_eq(nrequests(&srv, "april"), 0);
    ck_assert_int_eq(nrequests_in_all(&srv, "april"), 0);
    ck_assert_msg(audited(&srv, "request.approve", "april", "console:olivia"),
                  "no request.approve audit");
    /* the request is gone: approving again finds nothing */
    st = call(&srv, "olivia", "POST", "/iam/", FORM, post, NULL, &out, NULL);
    ck_assert_int_eq(st, 404);
    ck_assert_msg(has(out, "No open request of"), "%s", brief(out));
    free(out);
}
END_TEST

/* The outside review's attack: the member files read, the owner's page
 * shows read, the member re-posts for edit; the owner's Approve must not
 * grant edit (or anything). Every change of level is audited and mailed. */
START_TEST(test_approve_refused_when_the_request_changed)
{
    mail_t m[MAILS_MAX];
    char *page, *post, *button, *out, *tok;
    json_t *list;
    long st;

    add_member(&srv, "bert", "--name 'Bert Bumped'");
    tok = member_csrf(&srv, "bert", "/sources/ios/");
    ck_assert_int_eq(ask_with(&srv, "bert", tok, "/sources/ios/", "read", "to look", NULL, NULL),
                     303);
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/members/bert", NULL, NULL, NULL, &page, NULL), 200);
    post = approve_post(page, "bert", &button);
    ck_assert_msg(post != NULL, "no approve form:\n%s", page);
    ck_assert_str_eq(button, "Grant Source Read-only on ios");
    /* now the member asks for edit, on the same page */
    ck_assert_int_eq(ask_with(&srv, "bert", tok, "/sources/ios/", "edit", "to look", NULL, NULL),
                     303);
    list = requests_of(&srv, "bert");
    ck_assert_int_eq(json_array_size(list), 1);
    ck_assert_str_eq(str_at(json_array_get(list, 0), "level"), "edit");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "rev")), 2);
    json_decref(list);
    ck_assert_msg(audited(&srv, "request.level", "bert", "member:bert"), "no request.level audit");
    ck_assert_int_eq(mails(&srv, "Subject: Access request changed from Bert Bumped", m), 2);
    ck_assert_msg(has(m[0].body, "now asks for edit access"), "%s", m[0].body);
    /* the owner presses the button drawn before: refused, nothing granted */
    st = call(&srv, "olivia", "POST", "/iam/members/bert", FORM, post, NULL, &out, NULL);
    ck_assert_msg(st == 409, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(out, "changed after you saw it") && has(out, "now asks for edit"), "%s", out);
    /* and the page drawn again names the new grant */
    post = approve_post(out, "bert", &button);
    ck_assert_msg(post && !strcmp(button, "Grant Source Admin on ios"), "%s", button);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show bert"), 0);
    ck_assert_msg(has(out, "Workspace Member (minimal workspace access)"), "%s", out);
    ck_assert_int_eq(call(&srv, "bert", "POST", "/sources/ios/", FORM, "x=1", NULL, NULL, NULL),
                     403);
    /* a second change of level within the minute is refused */
    st = ask_with(&srv, "bert", tok, "/sources/ios/", "read", "to look", &out, NULL);
    ck_assert_msg(st == 400 && has(out, "less than a minute ago"), "status %ld:\n%s", st,
                  brief(out));
    list = requests_of(&srv, "bert");
    ck_assert_str_eq(str_at(json_array_get(list, 0), "level"), "edit");
    json_decref(list);
    ck_assert_int_eq(mails(&srv, "Subject: Access request changed from Bert Bumped", NULL), 2);
    /* a new message changes the revision too */
    ck_assert_int_eq(ask_with(&srv, "bert", tok, "/sources/ios/", "edit", "to fix it", NULL, NULL),
                     303);
    st = call(&srv, "olivia", "POST", "/iam/members/bert", FORM, post, NULL, &out, NULL);
    ck_assert_msg(st == 409, "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(nrequests(&srv, "bert"), 1);
}
END_TEST

/* Approving a request for an owners-only page makes an owner: never in
 * one click. */
START_TEST(test_approve_owner_needs_confirmation)
{
    char *page, *out, *link, *post, *hdrs;
    json_t *list;
    long st;
    int rev;

    add_member(&srv, "otto", "--name 'Otto Owner-to-be'");
    ck_assert_int_eq(ask(&srv, "otto", "/owners/", "admin", "please"), 303);
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/members/otto", NULL, NULL, NULL, &page, NULL), 200);
    ck_assert_msg(approve_post(page, "otto", NULL) == NULL, "a one-click approve:\n%s", page);
    ck_assert_msg(has(page, "Review: make otto a Workspace Owner"), "%s", page);
    list = requests_of(&srv, "otto");
    rev = (int)json_integer_value(json_object_get(json_array_get(list, 0), "rev"));
    json_decref(list);
    /* the owner role posted without the confirmation: refused */
    st = call(&srv, "olivia", "POST", "/iam/members/otto", FORM,
              xprintf("csrf=%s&action=approve&rlogin=otto&rtype=owners&rname=*&rrev=%d&rrole="
                      "workspace-owner&rscope=all",
                      owner_csrf(&srv), rev),
              NULL, &out, NULL);
    ck_assert_msg(st == 400 && has(out, "confirm that first"), "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show otto"), 0);
    ck_assert_msg(has(out, "owner:   no"), "%s", out);
    /* the review page, then its button */
    link = strstr(page, "/iam/?confirm=approve");
    ck_assert_ptr_nonnull(link);
    link = unescape_html(link, strcspn(link, "\""));
    ck_assert_int_eq(call(&srv, "olivia", "GET", link, NULL, NULL, NULL, &out, NULL), 200);
    ck_assert_msg(has(out, "approving makes them a <strong>Workspace Owner</strong>"), "%s", out);
    post = approve_post(out, "otto", NULL);
    ck_assert_msg(post && has(post, "rconfirm=owner"), "%s", out);
    st = call(&srv, "olivia", "POST", "/iam/", FORM, post, NULL, &out, &hdrs);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(call(&srv, "otto", "GET", "/owners/", NULL, NULL, NULL, NULL, NULL), 200);
    ctl_ok(&srv, "revoke --member otto workspace-owner --all");
}
END_TEST

/* The owner may pick another role on the approval (as GitLab lets them),
 * but only one that gives what was asked. */
START_TEST(test_approve_another_role)
{
    char *out, *tok;
    long st;

    add_member(&srv, "carl", NULL);
    ck_assert_int_eq(ask(&srv, "carl", "/sources/ios/", "read", "logs"), 303);
    tok = owner_csrf(&srv);
    /* not of the type, or below the level asked: refused */
    st = call(&srv, "olivia", "POST", "/iam/members/carl", FORM,
              xprintf("csrf=%s&action=approve&rlogin=carl&rtype=source&rname=ios&rrev=1&rrole="
                      "warehouse-read-only&rscope=all",
                      tok),
              NULL, &out, NULL);
    ck_assert_msg(st == 400 && has(out, "does not give the access asked for"), "status %ld:\n%s",
                  st, out);
    ck_assert_int_eq(nrequests(&srv, "carl"), 1);
    /* Source Admin on all sources, chosen */
    st = call(&srv, "olivia", "POST", "/iam/members/carl", FORM,
              xprintf("csrf=%s&action=approve&rlogin=carl&rtype=source&rname=ios&rrev=1&rrole="
                      "source-admin&rscope=all",
                      tok),
              NULL, &out, NULL);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show carl"), 0);
    ck_assert_msg(has(out, "Source Admin on all (direct)"), "%s", out);
    ck_assert_int_eq(call(&srv, "carl", "POST", "/sources/web/", FORM, "x=1", NULL, NULL, NULL),
                     200);
}
END_TEST

/* The API: requests carry their revision and default grant; an approval
 * with a stale revision is refused; an owner's one needs the role named. */
START_TEST(test_approve_api_exactly)
{
    json_t *list, *q;
    char *out;
    long st;

    add_member(&srv, "dora", NULL);
    ck_assert_int_eq(ask(&srv, "dora", "/sources/ios/", "read", "x"), 303);
    ck_assert_int_eq(ask(&srv, "dora", "/owners/", "admin", "y"), 303);
    list = requests_of(&srv, "dora");
    ck_assert_int_eq(json_array_size(list), 2);
    q = json_array_get(list, 0);
    if (strcmp(str_at(q, "type"), "source"))
        q = json_array_get(list, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(q, "rev")), 1);
    ck_assert_str_eq(str_at(json_object_get(q, "approve"), "role"), "source-read-only");
    json_decref(list);
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"source\",\"name\":\"ios\",\"rev\":7}", &out);
    ck_assert_msg(st == 409 && has(out, "\"changed\""), "status %ld:\n%s", st, brief(out));
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"source\",\"name\":\"ios\"}", &out);
    ck_assert_msg(st == 400 && has(out, "\\\"rev\\\" is required"), "status %ld:\n%s", st,
                  brief(out));
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"owners\",\"name\":\"*\",\"rev\":1}", &out);
    ck_assert_msg(st == 400 && has(out, "Workspace Owner"), "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(call(&srv, "dora", "GET", "/owners/", NULL, NULL, NULL, NULL, NULL), 403);
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"dora\",\"type\":\"source\",\"name\":\"ios\",\"rev\":1,"
                  "\"scope\":\"all\"}",
                  &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    ck_assert_msg(has(out, "{\"role\":\"source-read-only\",\"scope\":\"all\"}"), "%s", out);
    /* the other asks for what the grant does not give: it stays open */
    ck_assert_int_eq(nrequests(&srv, "dora"), 1);
    ck_assert_str_eq(status_of(&srv, "dora", "source", "ios"), "approved");
}
END_TEST

/* A Require iam line that refused on the way to a page another line let
 * the user into leaves no trace: a 403 that comes later (a file Apache
 * cannot read) is Apache's, not mod_iam's request-access page. */
START_TEST(test_no_page_when_let_in)
{
    char *body;

    ensure_member(&srv, "una");
    ensure_member(&srv, "ugo");
    ck_assert_int_eq(call(&srv, "una", "GET", "/either/locked.html", NULL, NULL, NULL, &body, NULL),
                     403);
    ck_assert_msg(!has(body, "You need access") && !has(body, "csrf"), "%s", body);
    free(body);
    /* the same refusal without the user line: mod_iam's page */
    ck_assert_int_eq(call(&srv, "ugo", "GET", "/either/locked.html", NULL, NULL, NULL, &body, NULL),
                     403);
    ck_assert_msg(has(body, "You need access"), "%s", body);
}
END_TEST

/* A request is for a page that refuses the member: not for one another
 * line of a <RequireAny> lets them into (approving that one could make
 * an owner). What mod_iam refused, least first, is what is filed. */
START_TEST(test_request_only_where_the_page_refuses)
{
    char *out, *tok, *body;
    json_t *list;
    long st;

    add_member(&srv, "una", NULL);
    add_member(&srv, "ugo", NULL);
    ck_assert_int_eq(call(&srv, "una", "GET", "/either/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "una", "GET", "/either-owners/", NULL, NULL, NULL, NULL, NULL),
                     200);
    tok = member_csrf(&srv, "una", WAREHOUSE);
    st = ask_with(&srv, "una", tok, "/either/", "read", "x", &out, NULL);
    ck_assert_msg(st == 400 && has(out, "does not refuse you"), "status %ld:\n%s", st, brief(out));
    st = ask_with(&srv, "una", tok, "/either-owners/", "admin", "x", &out, NULL);
    ck_assert_msg(st == 400 && has(out, "does not refuse you"), "status %ld:\n%s", st, brief(out));
    ck_assert_int_eq(nrequests(&srv, "una"), 0);
    /* ugo is refused by both lines of /both/: the page and the request are
     * about the warehouse, which is enough, not the owners' pages */
    ck_assert_int_eq(call(&srv, "ugo", "GET", "/both/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "the warehouse main"), "%s", body);
    ck_assert_int_eq(ask(&srv, "ugo", "/both/", "read", "x"), 303);
    ck_assert_int_eq(ask(&srv, "ugo", "/either-owners/", "admin", "x"), 303);
    list = requests_of(&srv, "ugo");
    ck_assert_int_eq(json_array_size(list), 2);
    ck_assert_msg(!strcmp(str_at(json_array_get(list, 0), "type"), "warehouse") !=
                      !strcmp(str_at(json_array_get(list, 1), "type"), "warehouse"),
                  "one warehouse request");
    json_decref(list);
}
END_TEST

START_TEST(test_approve_edit_by_api)
{
    char *out;
    json_t *j, *grants, *g, *res;
    size_t i, k;
    int admin_grants = 0, on_web = 0, on_checkout = 0;
    long st;

    ck_assert_int_eq(call(&srv, "sam", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(ask(&srv, "sam", "/sources/web/", "edit", "deploys"), 303);
    j = requests_of(&srv, "sam");
    ck_assert_int_eq(json_array_size(j), 1);
    ck_assert_str_eq(str_at(json_array_get(j, 0), "level"), "edit");
    ck_assert_str_eq(str_at(json_array_get(j, 0), "name"), "web");
    json_decref(j);
    st = api_post(&srv, "requests/approve",
                  "{\"login\":\"sam\",\"type\":\"source\",\"name\":\"web\",\"rev\":1}", &out);
    ck_assert_msg(st == 200, "status %ld:\n%s", st, brief(out));
    j = parse_json(out);
    grants = json_object_get(j, "grants");
    json_array_foreach(grants, i, g)
    {
        ck_assert_msg(strcmp(str_at(g, "scope"), "all"), "a grant on all: %s", out);
        if (strcmp(str_at(g, "role"), "source-admin"))
            continue;
        admin_grants++;
        res = json_object_get(g, "resources");
        for (k = 0; k < json_array_size(res); k++) {
            const char *r = json_string_value(json_array_get(res, k));
            on_web += !strcmp(r, "web");
            on_checkout += !strcmp(r, "checkout");
            ck_assert_msg(!strcmp(r, "web") || !strcmp(r, "checkout"), "Source Admin on %s: %s", r,
                          out);
        }
    }
    ck_assert_msg(admin_grants >= 1 && on_web == 1 && on_checkout == 1, "%s", out);
    json_decref(j);
    free(out);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show sam"), 0);
    ck_assert_msg(has(out, "Source Admin on resources") && has(out, "web") && !has(out, "ios") &&
                      !has(out, "on all"),
                  "%s", out);
    free(out);
    ck_assert_int_eq(call(&srv, "sam", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_assert_int_eq(call(&srv, "sam", "POST", "/sources/web/", FORM, "x=1", NULL, NULL, NULL),
                     200);
    ck_assert_int_eq(call(&srv, "sam", "GET", "/sources/ios/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&srv, "sam", "POST", "/sources/", FORM, "x=1", NULL, NULL, NULL), 403);
    ck_assert_int_eq(nrequests(&srv, "sam"), 0);
    ck_assert_msg(audited(&srv, "request.approve", "sam", "api:olivia"),
                  "no request.approve audit");
}
END_TEST

START_TEST(test_dismiss)
{
    char *out, *body, *tok;
    long st;

    add_member(&srv, "dale", NULL);
    add_member(&srv, "donna", NULL);
    ck_assert_int_eq(ask(&srv, "dale", WAREHOUSE, "read", "please"), 303);
    ck_assert_int_eq(ask(&srv, "donna", "/sources/ios/", "read", "please"), 303);
    /* by the API */
    st = api_post(&srv, "requests/dismiss",
                  "{\"login\":\"dale\",\"type\":\"warehouse\",\"name\":\"main\"}", &out);
    ck_assert_msg(st == 200 && has(out, "\"dismissed\":true"), "status %ld:\n%s", st, brief(out));
    free(out);
    /* in the console */
    tok = owner_csrf(&srv);
    body = xprintf("csrf=%s&action=dismiss&rlogin=donna&rtype=source&rname=ios", tok);
    st = call(&srv, "olivia", "POST", "/iam/members/donna", FORM, body, NULL, &out, NULL);
    ck_assert_msg(st == 303, "status %ld:\n%s", st, brief(out));
    free(out);
    ck_assert_int_eq(nrequests(&srv, "dale"), 0);
    ck_assert_int_eq(nrequests(&srv, "donna"), 0);
    ck_assert_int_eq(call(&srv, "dale", "GET", WAREHOUSE, NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&srv, "donna", "GET", "/sources/ios/", NULL, NULL, NULL, NULL, NULL),
                     403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show dale"), 0);
    ck_assert_msg(has(out, "Workspace Member (minimal workspace access)"), "%s", out);
    free(out);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show donna"), 0);
    ck_assert_msg(has(out, "Workspace Member (minimal workspace access)"), "%s", out);
    free(out);
    ck_assert_msg(audited(&srv, "request.dismiss", "dale", "api:olivia"), "no dismiss audit");
    ck_assert_msg(audited(&srv, "request.dismiss", "donna", "console:olivia"), "no dismiss audit");
    /* the form is offered again */
    ck_assert_msg(member_csrf(&srv, "dale", WAREHOUSE) != NULL, "no form");
    /* nothing left to dismiss */
    st = api_post(&srv, "requests/dismiss",
                  "{\"login\":\"dale\",\"type\":\"warehouse\",\"name\":\"main\"}", &out);
    ck_assert_msg(st == 404, "status %ld:\n%s", st, brief(out));
    free(out);
}
END_TEST

void rq_add_approval_tests(TCase *tc)
{
    tcase_add_test(tc, test_approve_in_console);
    tcase_add_test(tc, test_approve_refused_when_the_request_changed);
    tcase_add_test(tc, test_approve_owner_needs_confirmation);
    tcase_add_test(tc, test_approve_another_role);
    tcase_add_test(tc, test_approve_api_exactly);
    tcase_add_test(tc, test_request_only_where_the_page_refuses);
    tcase_add_test(tc, test_no_page_when_let_in);
    tcase_add_test(tc, test_approve_edit_by_api);
    tcase_add_test(tc, test_dismiss);
}
