/* mod_iam integration tests, console suite: what the console refuses,
 * and that a refusal changes nothing (`iamctl export` before and after):
 * posts without the right csrf token, from another origin, of another
 * content type, too large, malformed or invalid, by members who are not
 * owners, and GETs or other methods that carry a change; then escaping:
 * members and groups named like markup, reflected input and names made
 * through the console come back escaped, and their links still work. The
 * console_refusals and console_escaping TCases. */
#include "console_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- refusals: nothing changes ---- */

static const struct {
    const char *what, *path;
    int csrf; /* 1 olivia's token, 0 none, 2 a wrong one */
    const char *fields;
    const char *ctype;
    const char *header; /* "%d" is the server's port */
    long want;
    const char *text; /* in the page that explains, or NULL */
} refusals[] = {
    {"no token", "/iam/members", 0, "email=r1%40example.com", FORM, NULL, 403, NULL},
    {"empty token", "/iam/members", 0, "csrf=&email=r1%40example.com", FORM, NULL, 403, NULL},
    {"wrong token", "/iam/members", 2, "email=r1%40example.com", FORM, NULL, 403, NULL},
    {"foreign Origin", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Origin: http://evil.example", 403, NULL},
    {"null Origin", "/iam/members", 1, "email=r1%40example.com", FORM, "Origin: null", 403, NULL},
    {"Origin on another port", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Origin: http://127.0.0.1:1", 403, NULL},
    {"foreign Referer", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Referer: http://evil.example/iam/members/new", 403, NULL},
    {"look-alike Referer", "/iam/members", 1, "email=r1%40example.com", FORM,
     "Referer: http://127.0.0.1:%d.evil.example/iam/members/new", 403, NULL},
    {"JSON body", "/iam/members", 1, "email=r1%40example.com", "application/json", NULL, 415, NULL},
    {"text body", "/iam/members", 1, "email=r1%40example.com", "text/plain", NULL, 415, NULL},
    {"multipart body", "/iam/members", 1, "email=r1%40example.com", "multipart/form-data", NULL,
     415, NULL},
    {"no content type", "/iam/members", 1, "email=r1%40example.com", NULL, NULL, 415, NULL},
    {"bad escape", "/iam/members/refu", 1, "action=details&name=a%zzb&email=refu%40example.com",
     FORM, NULL, 400, NULL},
    {"NUL byte", "/iam/members/refu", 1, "action=details&name=a%00b&email=refu%40example.com", FORM,
     NULL, 400, NULL},
    {"invalid email", "/iam/members", 1, "email=not-an-email&name=Refused", FORM, NULL, 400,
     "is not an email address"},
    {"no email", "/iam/members", 1, "email=&name=Refused", FORM, NULL, 400,
     "Enter the email address"},
    {"unknown role", "/iam/members", 1, "email=r2%40example.com&role1=superuser&scope1=all", FORM,
     NULL, 400, "unknown role &#x27;superuser&#x27;"},
    {"unknown role among good ones", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=all&role2=nope&scope2=all", FORM, NULL, 400,
     "unknown role"},
    {"all resources naming some", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=all&items1=checkout", FORM, NULL, 400,
     "names none"},
    {"bad resource name", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=resources&items1=b%40d", FORM, NULL, 400,
     NULL},
    {"label without a colon", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=labels&items1=prod", FORM, NULL, 400, NULL},
    {"resources without names", "/iam/members", 1,
     "email=r2%40example.com&role1=source-admin&scope1=resources&items1=", FORM, NULL, 400, NULL},
    {"all-only role on a resource", "/iam/members", 1,
     "email=r2%40example.com&role1=warehouse-admin&scope1=resources&items1=main", FORM, NULL, 400,
     NULL},
    {"email taken", "/iam/members", 1, "email=max%40example.com", FORM, NULL, 409, "already used"},
    {"login taken", "/iam/members", 1, "email=r3%40example.com&login=max", FORM, NULL, 409,
     "already a member"},
    {"login taken in another case", "/iam/members", 1, "email=r3%40example.com&login=MAX", FORM,
     NULL, 409, "differs only in case"},
    {"unknown group on invite", "/iam/members", 1, "email=r3%40example.com&group=nosuch", FORM,
     NULL, 404, "No group"},
    {"remove the last owner", "/iam/members/olivia", 1, "action=remove", FORM, NULL, 409,
     "last Workspace Owner"},
    {"demote the last owner", "/iam/members/olivia", 1,
     "action=revoke&rrole=workspace-owner&rscope=all&ritems=all", FORM, NULL, 409,
     "last Workspace Owner"},
    {"duplicate group", "/iam/groups", 1, "action=create&name=analysts", FORM, NULL, 409,
     "already exists"},
    {"duplicate group, other case", "/iam/groups", 1, "action=create&name=ANALYSTS", FORM, NULL,
     409, "already exists"},
    {"group without a name", "/iam/groups", 1, "action=create&name=", FORM, NULL, 400, NULL},
    {"owner role for a group", "/iam/groups", 1,
     "action=create&name=owners2&role1=workspace-owner&scope1=all", FORM, NULL, 400,
     "not to groups"},
    {"group with an unknown member", "/iam/groups", 1,
     "action=create&name=ghosts&member=nobody-here", FORM, NULL, 404, NULL},
    {"grant without a role", "/iam/members/refu", 1, "action=grant&role=&scope=all", FORM, NULL,
     400, "Choose a role"},
    {"grant held already", "/iam/members/sam", 1,
     "action=grant&role=source-admin&scope=resources&items=checkout", FORM, NULL, 409, NULL},
    {"revoke what is not held", "/iam/members/refu", 1,
     "action=revoke&rrole=warehouse-admin&rscope=all&ritems=all", FORM, NULL, 404, "does not hold"},
    {"join nothing", "/iam/members/refu", 1, "action=join", FORM, NULL, 400, "Choose a user group"},
    {"join an unknown group", "/iam/members/refu", 1, "action=join&group=nosuch", FORM, NULL, 404,
     "No group"},
    {"unknown member action", "/iam/members/refu", 1, "action=explode", FORM, NULL, 400,
     "Unknown action"},
    {"details with a bad email", "/iam/members/refu", 1,
     "action=details&name=Refu&email=bad%20address", FORM, NULL, 400, "is not an email address"},
    {"details with a control character", "/iam/members/refu", 1,
     "action=details&name=a%01b&email=refu%40example.com", FORM, NULL, 400, "control characters"},
    {"details of an unknown member", "/iam/members/nobody-here", 1,
     "action=details&name=X&email=", FORM, NULL, 404, NULL},
    {"remove an unknown member", "/iam/members/nobody-here", 1, "action=remove", FORM, NULL, 404,
     NULL},
    {"add no members", "/iam/groups/analysts", 1, "action=add-members", FORM, NULL, 400,
     "Choose at least one member to add"},
    {"add an unknown member", "/iam/groups/analysts", 1, "action=add-members&member=nobody-here",
     FORM, NULL, 404, NULL},
    {"add a member twice", "/iam/groups/analysts", 1, "action=add-members&member=rita", FORM, NULL,
     409, "already"},
    {"remove a non-member", "/iam/groups/analysts", 1, "action=remove-members&member=max", FORM,
     NULL, 404, NULL},
    {"owner role for a group, on its page", "/iam/groups/analysts", 1,
     "action=grant&role=workspace-owner&scope=all", FORM, NULL, 400, "not to groups"},
    {"unknown group action", "/iam/groups/analysts", 1, "action=explode", FORM, NULL, 400,
     "Unknown action"},
    {"delete an unknown group", "/iam/groups/nosuch", 1, "action=delete", FORM, NULL, 404, NULL},
    {"unknown overview action", "/iam/", 1, "action=explode", FORM, NULL, 400, "Unknown action"},
    {"post to the invite page", "/iam/members/new", 1, "email=r4%40example.com", FORM, NULL, 405,
     NULL},
    {"post to the resources", "/iam/resources", 1, "x=1", FORM, NULL, 405, NULL},
    {"post to the audit", "/iam/audit", 1, "x=1", FORM, NULL, 405, NULL},
};

START_TEST(test_refusal_changes_nothing)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), *before, *after, *body;
    char header[256];
    resp_t r;

    if (refusals[_i].csrf == 2)
        tok[0] = tok[0] == '0' ? '1' : '0';
    body = malloc(strlen(tok) * 2 + strlen(refusals[_i].fields) + 32);
    if (refusals[_i].csrf)
        sprintf(body, "csrf=%s&%s", tok, refusals[_i].fields);
    else
        sprintf(body, "%s", refusals[_i].fields);
    if (refusals[_i].header)
        snprintf(header, sizeof(header), refusals[_i].header, srv.port);
    before = export_store();
    r = request_on(&srv, "POST", refusals[_i].path, "olivia", refusals[_i].ctype, body,
                   refusals[_i].header ? header : NULL, NULL);
    after = export_store();
    ck_assert_msg(r.status == refusals[_i].want, "%s: POST %s %s: got %ld, want %ld\n%s",
                  refusals[_i].what, refusals[_i].path, body, r.status, refusals[_i].want,
                  shown(r.body));
    ck_assert_msg(!strcmp(before, after), "%s changed the store (iamctl export differs)",
                  refusals[_i].what);
    ck_security_headers(refusals[_i].what, r.headers, 1);
    if (refusals[_i].text) {
        /* the form again, with the reason */
        ck_has(r.body, "<p class=\"notice error\" role=\"alert\">");
        ck_has(r.body, refusals[_i].text);
        if (strcmp(refusals[_i].path, "/iam/"))
            ck_has(r.body, "name=\"csrf\"");
    }
    ck_lacks(r.body, "<script");
    resp_free(&r);
    free(body);
    free(before);
    free(after);
    free(tok);
}
END_TEST

START_TEST(test_refused_form_keeps_input)
{
    resp_t r = post_form("/iam/members", kv("email", "not-an-email", "name", "Kept Name", "login",
                                            "kept-login", "role1", "source-admin", "scope1",
                                            "resources", "items1", "checkout", NULL));

    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "<h1>Invite Team Member</h1>");
    ck_has(r.body, "name=\"email\" value=\"not-an-email\"");
    ck_has(r.body, "name=\"name\" value=\"Kept Name\"");
    ck_has(r.body, "name=\"login\" value=\"kept-login\"");
    ck_has(r.body, "<option value=\"source-admin\" selected>");
    ck_has(r.body, "<option value=\"resources\" selected>");
    ck_has(r.body, "name=\"items1\" value=\"checkout\"");
    resp_free(&r);
    /* the last owner's page explains why */
    r = post_form("/iam/members/olivia", kv("action", "remove", NULL));
    ck_assert_int_eq(r.status, 409);
    ck_has(r.body, "<h1>Olivia Owner</h1>");
    ck_has(r.body, "&#x27;olivia&#x27; is the last Workspace Owner and cannot be removed");
    resp_free(&r);
    ck_access("olivia", "/owners/", 200);
}
END_TEST

START_TEST(test_body_too_large)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), *before, *after, *after2, *body;
    size_t n = 70 * 1024, p;
    resp_t r;

    body = malloc(n + 256);
    sprintf(body, "csrf=%s&action=details&email=refu%%40example.com&name=", tok);
    p = strlen(body);
    memset(body + p, 'a', n);
    body[p + n] = '\0';
    ck_assert_uint_gt(strlen(body), 64 * 1024);
    before = export_store();
    r = request_on(&srv, "POST", "/iam/members/refu", "olivia", FORM, body, NULL, NULL);
    after = export_store();
    ck_assert_msg(r.status == 413, "got %ld", r.status);
    ck_same_store(before, after);
    resp_free(&r);
    /* the same without a length: chunked */
    r = request_on(&srv, "POST", "/iam/members/refu", "olivia", FORM, body,
                   "Transfer-Encoding: chunked", NULL);
    after2 = export_store();
    ck_assert_msg(r.status == 413, "chunked: got %ld", r.status);
    ck_same_store(before, after2);
    resp_free(&r);
    /* just under the limit is read */
    body[64 * 1024 - 10] = '\0';
    r = request_on(&srv, "POST", "/iam/members/refu", "olivia", FORM, body, NULL, NULL);
    ck_assert_msg(r.status == 400, "got %ld", r.status); /* a name of 64 KiB is too long */
    ck_has(r.body, "too long");
    resp_free(&r);
    free(body);
    free(before);
    free(after);
    free(after2);
    free(tok);
}
END_TEST

/* Members who are not owners hold a token of their own (the request-access
 * form); with it they still change nothing. */
START_TEST(test_non_owner_post_refused)
{
    static const char *const users[] = {"max", "sam", "rita"};
    int i;

    for (i = 0; i < ARRAY_LEN(users); i++) {
        resp_t r = get_as(users[i], "/iam/members");
        char *tok = iam_test_csrf(r.body), *before, *after, body[512], path[64];
        resp_free(&r);
        snprintf(path, sizeof(path), "/iam/members/%s", users[i]);
        snprintf(body, sizeof(body), "csrf=%s&action=grant&role=workspace-owner&scope=all",
                 tok ? tok : "");
        before = export_store();
        r = request_on(&srv, "POST", path, users[i], FORM, body, NULL, NULL);
        after = export_store();
        ck_assert_msg(r.status == 403, "%s: %ld\n%s", users[i], r.status, shown(r.body));
        ck_same_store(before, after);
        resp_free(&r);
        r = request_on(&srv, "POST", "/iam/members/olivia", users[i], FORM, strcat(body, "&x=1"),
                       NULL, NULL);
        ck_assert_int_eq(r.status, 403);
        resp_free(&r);
        r = request_on(&srv, "POST", "/iam/members", NULL, FORM, "email=r9%40example.com", NULL,
                       NULL);
        ck_assert_int_eq(r.status, 401);
        resp_free(&r);
        after = export_store();
        ck_same_store(before, after);
        ck_assert_int_eq(access_of(users[i], "/owners/"), 403);
        free(tok);
        free(before);
        free(after);
    }
}
END_TEST

/* GET never changes anything, whatever it carries; nor do other methods. */
START_TEST(test_get_changes_nothing)
{
    char *tok = token_on(&srv, "olivia", "/iam/members/new"), *before = export_store(), *after;
    char path[512];
    static const char *const fmts[] = {
        "/iam/members/max?action=remove&csrf=%s",
        "/iam/members/max?confirm=remove&action=remove&csrf=%s",
        "/iam/members/max?action=grant&role=workspace-owner&scope=all&csrf=%s",
        "/iam/groups/analysts?action=delete&csrf=%s",
        "/iam/groups/analysts?confirm=delete&action=delete&csrf=%s",
        "/iam/members?email=r5%%40example.com&csrf=%s",
        "/iam/groups?action=create&name=viaget&csrf=%s",
    };
    static const char *const methods[] = {"PUT", "DELETE", "PATCH"};
    int i;

    for (i = 0; i < ARRAY_LEN(fmts); i++) {
        resp_t r;
        snprintf(path, sizeof(path), fmts[i], tok);
        r = get_as("olivia", path);
        ck_assert_msg(r.status == 200, "GET %s: %ld", path, r.status);
        resp_free(&r);
    }
    for (i = 0; i < ARRAY_LEN(methods); i++) {
        resp_t r;
        snprintf(path, sizeof(path), "csrf=%s&action=remove", tok);
        r = request_on(&srv, methods[i], "/iam/members/max", "olivia", FORM, path, NULL, NULL);
        ck_assert_msg(r.status == 405, "%s: %ld", methods[i], r.status);
        resp_free(&r);
    }
    after = export_store();
    ck_same_store(before, after);
    ck_access("max", "/", 200);
    free(before);
    free(after);
    free(tok);
}
END_TEST

/* ---- escaping ---- */

#define XSS_NAME "<script>alert(1)</script>"
#define XSS_NAME_H "&lt;script&gt;alert(1)&lt;/script&gt;"
#define XSS_GROUP "<img src=x onerror=alert(1)>"
#define XSS_GROUP_H "&lt;img src=x onerror=alert(1)&gt;"
#define XSS_GROUP_URL "/iam/groups/%3Cimg%20src=x%20onerror=alert(1)%3E"
#define Q_GROUP "a\"b&c'd"
#define Q_GROUP_H "a&quot;b&amp;c&#x27;d"
#define Q_GROUP_URL "/iam/groups/a%22b&c'd"

static const struct {
    const char *path;
    const char *want[3];
} xss_pages[] = {
    {"/iam/members", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/members?q=xss2", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/members/xss2", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/members/xss2?confirm=remove", {XSS_NAME_H}},
    {"/iam/members/sam", {XSS_GROUP_H, Q_GROUP_H}}, /* groups to join */
    {"/iam/members/new", {XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/groups", {XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/groups?q=onerror", {XSS_GROUP_H}},
    {"/iam/groups/new", {XSS_NAME_H}}, /* the member picker */
    {XSS_GROUP_URL, {XSS_GROUP_H, "href=\"/iam/members/xss2\""}},
    {XSS_GROUP_URL "?tab=permissions", {XSS_GROUP_H}},
    {XSS_GROUP_URL "?confirm=delete", {XSS_GROUP_H}},
    {Q_GROUP_URL, {Q_GROUP_H, "href=\"/iam/members/xss2\""}},
    {"/iam/groups/analysts", {XSS_NAME_H}}, /* members to add */
    {"/iam/audit", {XSS_NAME_H, XSS_GROUP_H, Q_GROUP_H}},
    {"/iam/", {XSS_GROUP_H}},
};

START_TEST(test_markup_escaped)
{
    resp_t r = get_as("olivia", xss_pages[_i].path);
    int i;

    ck_assert_msg(r.status == 200, "GET %s: %ld\n%s", xss_pages[_i].path, r.status, shown(r.body));
    for (i = 0; i < 3 && xss_pages[_i].want[i]; i++)
        ck_has(r.body, xss_pages[_i].want[i]);
    ck_lacks(r.body, "<script");
    ck_lacks(r.body, "<img");
    ck_lacks(r.body, Q_GROUP);
    ck_lacks(r.body, "b&c'd");
    resp_free(&r);
}
END_TEST

/* Links to a group named like markup lead to it. */
START_TEST(test_markup_group_links_work)
{
    const char *names[] = {XSS_GROUP_H, Q_GROUP_H};
    int i;

    for (i = 0; i < 2; i++) {
        resp_t g = follow_link("/iam/groups", names[i]);
        ck_assert_msg(g.status == 200, "%s: %ld", names[i], g.status);
        ck_has(g.body, names[i]);
        ck_has(g.body, "href=\"/iam/members/xss2\"");
        resp_free(&g);
    }
}
END_TEST

/* What a request carries is escaped when it is shown back. */
START_TEST(test_reflected_input_escaped)
{
    static const char *const paths[] = {
        "/iam/members?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/members?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups/analysts?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/members/sam?gq=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups/analysts?mq=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/iam/groups/new?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    };
    resp_t r;
    int i;

    for (i = 0; i < ARRAY_LEN(paths); i++) {
        r = get_as("olivia", paths[i]);
        ck_assert_msg(r.status == 200, "GET %s: %ld", paths[i], r.status);
        ck_lacks(r.body, "<script");
        ck_has(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;");
        resp_free(&r);
    }
    /* a refused form shows the fields and the reason back, escaped */
    r = post_form("/iam/members", kv("email", "\"><script>alert(1)</script>", "name", XSS_NAME,
                                     "login", "'><script>alert(2)</script>", "items1",
                                     "\"><script>alert(3)</script>", NULL));
    ck_assert_int_eq(r.status, 400);
    ck_lacks(r.body, "<script");
    ck_has(r.body, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"");
    ck_has(r.body, "value=\"" XSS_NAME_H "\"");
    ck_has(r.body, "value=\"&#x27;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\"");
    ck_has(r.body, "value=\"&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;\"");
    resp_free(&r);
    /* the invite form's group finder */
    r = post_form("/iam/members", kv("action", "find", "gq", "\"><script>alert(6)</script>", NULL));
    ck_lacks(r.body, "<script");
    resp_free(&r);
    r = post_form("/iam/members", kv("email", "r6@example.com", "role1", XSS_NAME, NULL));
    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "unknown role &#x27;" XSS_NAME_H "&#x27;");
    ck_lacks(r.body, "<script");
    resp_free(&r);
    r = post_form("/iam/groups", kv("action", "preview", "name", "\"><script>alert(4)</script>",
                                    "q", "\"><script>alert(5)</script>", NULL));
    ck_assert_int_eq(r.status, 200);
    ck_lacks(r.body, "<script");
    ck_has(r.body, "&lt;script&gt;alert(4)");
    resp_free(&r);
}
END_TEST

/* Made through the console: the redirect and every page escape it. */
START_TEST(test_console_made_markup)
{
    resp_t r = post_form("/iam/groups", kv("action", "create", "name", "\"><svg onload=alert(7)>",
                                           "member", "xss2", NULL));
    char *loc;

    ck_see_other(&r, "/iam/groups/", "group-created");
    loc = iam_test_header(r.headers, "Location");
    ck_lacks(loc, "<");
    ck_lacks(loc, "\"");
    ck_lacks(loc, " ");
    resp_free(&r);
    r = get_as("olivia", loc);
    ck_assert_msg(r.status == 200, "GET %s: %ld", loc, r.status);
    ck_has(r.body, "<h1>&quot;&gt;&lt;svg onload=alert(7)&gt;</h1>");
    ck_lacks(r.body, "<svg");
    resp_free(&r);
    r = post_form("/iam/members/xss", kv("action", "details", "name", "<b onmouseover=alert(8)>x",
                                         "email", "xss@example.com", NULL));
    ck_see_other(&r, "/iam/members/xss", "updated");
    resp_free(&r);
    r = get_as("olivia", "/iam/members");
    ck_has(r.body, "&lt;b onmouseover=alert(8)&gt;x");
    ck_lacks(r.body, "<b onmouseover");
    ck_lacks(r.body, "<svg");
    resp_free(&r);
    r = get_as("olivia", "/iam/audit");
    ck_has(r.body, "&lt;b onmouseover=alert(8)&gt;x");
    ck_has(r.body, "&quot;&gt;&lt;svg onload=alert(7)&gt;");
    ck_lacks(r.body, "<b onmouseover");
    ck_lacks(r.body, "<svg");
    resp_free(&r);
    free(loc);
}
END_TEST

void cs_t_add_security(Suite *s)
{
    TCase *tc;

    tc = cs_t_server_case("console_refusals", start_console, stop_console);
    tcase_add_loop_test(tc, test_refusal_changes_nothing, 0, ARRAY_LEN(refusals));
    tcase_add_test(tc, test_refused_form_keeps_input);
    tcase_add_test(tc, test_body_too_large);
    tcase_add_test(tc, test_non_owner_post_refused);
    tcase_add_test(tc, test_get_changes_nothing);
    suite_add_tcase(s, tc);

    tc = cs_t_server_case("console_escaping", start_console, stop_console);
    tcase_add_loop_test(tc, test_markup_escaped, 0, ARRAY_LEN(xss_pages));
    tcase_add_test(tc, test_markup_group_links_work);
    tcase_add_test(tc, test_reflected_input_escaped);
    tcase_add_test(tc, test_console_made_markup);
    suite_add_tcase(s, tc);
}
