/* mod_iam integration tests: who the user is (issue 5). Just-in-time
 * members (IAMAutoProvision), invitations claimed by email, the invitation
 * mail, the identity forwarded to the backend (IAMForwardHeaders) and API
 * tokens, each against a real apache2 with the configuration it needs.
 *
 * The identity provider stand-in. mod_iam reads IAMUserAttribute variables
 * from r->subprocess_env in the authz phase, so whatever sets them must run
 * before authz. Tried on Debian's apache2 2.4 (each checked by hand first):
 *   - SetEnvIf on the Authorization header works, and per user: mod_setenvif
 *     runs in post_read_request (server config) or header_parser (per dir),
 *     both before authn/authz, and the Basic credentials of a user are a
 *     fixed string, so
 *       SetEnvIf Authorization "^Basic <base64 of login:password>$" \
 *           OIDC_CLAIM_email=jane@corp.example "OIDC_CLAIM_name=Jane Doe"
 *     gives that user's claims on every request, as mod_auth_openidc would.
 *     This is what most tests use (idp_claims()).
 *   - SetEnvIf Request_URI "^/pat/" ... works too, for requests under that
 *     prefix only (the invitation test uses it once).
 *   - SetEnvIfExpr "%{REMOTE_USER} == 'x'" does not: REMOTE_USER is not
 *     known yet when it runs; the variable is never set.
 *   - SetEnv (mod_env) and per-directory RewriteRule [E=...] do not: they
 *     run in fixups, after authz; the member was provisioned without email.
 *
 * The backend stand-in is a CGI script that prints its environment: mod_cgid
 * under the event MPM here (checked by hand: mod_cgi runs it too, under
 * event and prefork).
 *
 * Demo users (conf/demo/seed): olivia owner; sam Source Admin on
 * "checkout"; rita Source Read-only on all through group "analysts"; max a
 * plain member; nora in the password file but not a member. Each test uses
 * logins of its own, so the tests of a TCase do not depend on each other. */
#include "iam_test.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MODULES "/usr/lib/apache2/modules"
#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"

static iam_httpd_t srv; /* the server of the running TCase */

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

static int count_of(const char *hay, const char *needle)
{
    int n = 0;

    while (hay && (hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

/* At most the last 3000 characters of s, for a failure message. */
static const char *tail(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    return !s ? "(null)" : n > 3000 ? s + n - 3000 : s;
}

/* The line of s holding needle, for a failure message. */
static char *line_with(const char *s, const char *needle)
{
    const char *p = s ? strstr(s, needle) : NULL, *b;

    if (!p)
        return strdup("");
    for (b = p; b > s && b[-1] != '\n'; b--)
        ;
    return strndup(b, strcspn(b, "\n"));
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static char *enc(const char *s)
{
    CURL *c = curl_easy_init();
    char *e = curl_easy_escape(c, s, (int)strlen(s)), *out = strdup(e);

    curl_free(e);
    curl_easy_cleanup(c);
    return out;
}

/* s with every character that is not a letter or digit escaped, for a regex */
static char *regex_quote(const char *s)
{
    char *out = malloc(strlen(s) * 2 + 1), *o = out;

    for (; *s; s++) {
        if (!isalnum((unsigned char)*s))
            *o++ = '\\';
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

static json_t *parse_json(const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body ? body : "", 0, &e);

    ck_assert_msg(j != NULL, "not JSON (%s):\n%s", e.text, body);
    return j;
}

static const char *str_at(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(missing)";
}

/* ---- servers ---- */

/* A login of the password file, password "<login>-pw". */
static void add_login(const iam_httpd_t *h, const char *login)
{
    char *out = NULL;

    if (iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw'", h->root, login,
                     login) != 0) {
        fprintf(stderr, "htpasswd %s: %s\n", login, out);
        abort();
    }
    free(out);
}

/* The stand-in IdP: the claims of one user, given on every request that
 * carries that user's Basic credentials (see the comment at the top). */
static char *idp_env(const char *login, const char *assignments)
{
    char *cred = xprintf("%s:%s-pw", login, login);

    return xprintf("SetEnvIf Authorization \"^Basic %s$\" %s\n",
                   regex_quote(base64(cred, strlen(cred))), assignments);
}

static char *idp_claims(const char *login, const char *email, const char *name)
{
    return idp_env(login,
                   xprintf("%s%s%s%s%s", email ? "OIDC_CLAIM_email=" : "", email ? email : "",
                           name ? " \"OIDC_CLAIM_name=" : "", name ? name : "", name ? "\"" : ""));
}

static const char *idp_conf = "LoadModule setenvif_module " MODULES "/mod_setenvif.so\n"
                              "IAMUserAttribute email OIDC_CLAIM_email\n"
                              "IAMUserAttribute name OIDC_CLAIM_name\n";

static void start_or_die(iam_httpd_t *h, const char *mpm, const char *extra)
{
    if (iam_httpd_start(h, mpm, NULL, extra) != 0) {
        char *log = iam_httpd_log(h);
        fprintf(stderr, "apache2 (%s) did not start with:\n%s\n%s\n", mpm, extra ? extra : "", log);
        abort();
    }
}

static void stop_srv(void)
{
    iam_httpd_cleanup(&srv);
}

/* ---- requests ---- */

/* One request as `user` (password "<user>-pw") or with no user; up to two
 * extra header lines. */
static long call(const iam_httpd_t *h, const char *user, const char *method, const char *path,
                 const char *ctype, const char *body, const char *header, char **out,
                 char **headers)
{
    iam_req_t req = {method, path, user ? xprintf("%s:%s-pw", user, user) : NULL,
                     ctype,  body, {header, NULL}};
    char *b = NULL;
    long st = iam_http_do(h, &req, out ? out : &b, headers);

    free(b);
    return st;
}

static long status_of(const iam_httpd_t *h, const char *user, const char *path)
{
    return call(h, user, "GET", path, NULL, NULL, NULL, NULL, NULL);
}

/* An API call as olivia: BASE/api/v1/PATH. */
static long api(const iam_httpd_t *h, const char *method, const char *path, const char *json,
                char **out)
{
    return call(h, "olivia", method, xprintf("/iam/api/v1/%s", path), json ? JSON : NULL, json,
                NULL, out, NULL);
}

/* The number of tokens the API lists. */
static size_t ntokens(const iam_httpd_t *h)
{
    char *body = NULL;
    json_t *j;
    size_t n;

    ck_assert_int_eq(api(h, "GET", "tokens", NULL, &body), 200);
    j = parse_json(body);
    n = json_array_size(json_object_get(j, "tokens"));
    json_decref(j);
    return n;
}


/* An API call with "Authorization: Bearer TOKEN" and no login. */
static long bearer_call(const iam_httpd_t *h, const char *token, const char *method,
                        const char *path, const char *json, char **out, char **headers)
{
    return call(h, NULL, method, path, json ? JSON : NULL, json,
                xprintf("Authorization: Bearer %s", token), out, headers);
}

/* ---- the store, through iamctl ---- */

/* `iamctl member show LOGIN --json`, or NULL when there is no such member. */
static json_t *member_of(const iam_httpd_t *h, const char *login)
{
    char *out = NULL;
    json_t *j;

    if (iam_ctl(h, &out, "member show '%s' --json 2>/dev/null", login) != 0) {
        free(out);
        return NULL;
    }
    j = parse_json(out);
    free(out);
    return j;
}

static int nmembers(const iam_httpd_t *h)
{
    char *out = NULL;
    json_t *j;
    int n;

    ck_assert_int_eq(iam_ctl(h, &out, "member list --json"), 0);
    j = parse_json(out);
    n = (int)json_array_size(j);
    json_decref(j);
    free(out);
    return n;
}

/* Audit entries with this action, target and actor (NULL: any). */
static int naudit(const iam_httpd_t *h, const char *action, const char *target, const char *actor)
{
    char *out = NULL;
    json_t *a, *e;
    size_t i;
    int n = 0;

    ck_assert_int_eq(iam_ctl(h, &out, "audit --json --limit 100000"), 0);
    a = parse_json(out);
    json_array_foreach(a, i, e)
    {
        n += (!action || !strcmp(str_at(e, "action"), action)) &&
             (!target || !strcmp(str_at(e, "target"), target)) &&
             (!actor || !strcmp(str_at(e, "actor"), actor));
    }
    json_decref(a);
    free(out);
    return n;
}

/* The member exists, active, with this email and name. */
static int is_active(const iam_httpd_t *h, const char *login)
{
    json_t *m = member_of(h, login);
    int active = m && !strcmp(str_at(m, "status"), "active");

    json_decref(m);
    return active;
}

/* (An invited member turns active just after their first request is
 * answered: the child writes it, touch.c.) */
static void ck_active_member(const iam_httpd_t *h, const char *login, const char *email,
                             const char *name)
{
    json_t *m;

    IAM_EVENTUALLY(is_active(h, login));
    m = member_of(h, login);

    ck_assert_msg(m != NULL, "'%s' is not a member", login);
    ck_assert_str_eq(str_at(m, "login"), login);
    ck_assert_str_eq(str_at(m, "status"), "active");
    ck_assert_str_eq(str_at(m, "email"), email);
    ck_assert_str_eq(str_at(m, "name"), name);
    ck_assert_msg(json_is_false(json_object_get(m, "owner")), "'%s' is an owner", login);
    json_decref(m);
}

/* ================= just-in-time members: IAMAutoProvision On ================= */

static void start_provision(void)
{
    char *extra;

    iam_httpd_prepare(&srv, "provision");
    add_login(&srv, "jane");
    add_login(&srv, "ann@corp.example");
    add_login(&srv, "dup");
    add_login(&srv, "lou");
    extra = xprintf("%sIAMAutoProvision On\n%s%s", idp_conf,
                    idp_claims("jane", "jane@corp.example", "Jane Doe"),
                    /* an email another member has: left out, never taken over */
                    idp_claims("dup", "sam@example.com", "Dup Licate"));
    start_or_die(&srv, "event", extra);
}

START_TEST(test_provision_first_request)
{
    int before = nmembers(&srv);
    char *body, *log;

    ck_assert_msg(member_of(&srv, "jane") == NULL, "jane is a member already");
    ck_assert_int_eq(call(&srv, "jane", "GET", "/", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "<"), "no home page: %s", body);
    ck_active_member(&srv, "jane", "jane@corp.example", "Jane Doe");
    ck_assert_int_eq(nmembers(&srv), before + 1);
    /* a Workspace Member: no grants, no groups; marked as provisioned */
    {
        json_t *m = member_of(&srv, "jane");
        ck_assert_int_eq(json_array_size(json_object_get(m, "grants")), 0);
        ck_assert_int_eq(json_array_size(json_object_get(m, "groups")), 0);
        ck_assert_msg(json_is_true(json_object_get(m, "provisioned")), "jane is not marked");
        json_decref(m);
        m = member_of(&srv, "sam");
        ck_assert_msg(json_is_false(json_object_get(m, "provisioned")), "sam is marked");
        json_decref(m);
    }
    /* the console shows it: the overview says provisioning is on, Users marks her */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "Just-in-time provisioning is on:"), "%s", tail(body));
    free(body);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members?q=jane", NULL, NULL, NULL, &body,
                          NULL),
                     200);
    ck_assert_msg(has(body, "class=\"badge\" title=\"Made a member by just-in-time provisioning"),
                  "%s", tail(body));
    free(body);
    ck_assert_int_eq(naudit(&srv, "member.provision", "jane", "system"), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", "jane", NULL), 1);
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "'jane' joined as a Workspace Member (IAMAutoProvision)"), "%s",
                  tail(log));
    free(log);
    /* nothing more than a member: mod_iam's refused page, with the form */
    ck_assert_int_eq(call(&srv, "jane", "GET", "/sources/checkout/", NULL, NULL, NULL, &body, NULL),
                     403);
    ck_assert_msg(has(body, "You are signed in as <strong>jane</strong>"), "%s", body);
    ck_assert_msg(has(body, "you do not have read access to <strong>the source checkout</strong>"),
                  "%s", body);
    ck_assert_msg(has(body, "action=\"/iam/request-access\"") && iam_test_csrf(body), "%s", body);
    ck_assert_msg(!has(body, "not a member"), "%s", body);
    free(body);
    ck_assert_int_eq(status_of(&srv, "jane", "/owners/"), 403);
    ck_assert_int_eq(status_of(&srv, "jane", "/iam/"), 403);
    /* the second request provisions nothing more */
    ck_assert_int_eq(status_of(&srv, "jane", "/"), 200);
    ck_assert_int_eq(naudit(&srv, "member.provision", "jane", NULL), 1);
    ck_assert_int_eq(nmembers(&srv), before + 1);
}
END_TEST

/* Without attributes, a login that looks like an email is the email. */
START_TEST(test_provision_login_is_email)
{
    ck_assert_int_eq(status_of(&srv, "ann@corp.example", "/"), 200);
    ck_active_member(&srv, "ann@corp.example", "ann@corp.example", "");
    ck_assert_int_eq(naudit(&srv, "member.provision", "ann@corp.example", "system"), 1);
    /* and a login that does not, with no attributes: no email at all */
    ck_assert_int_eq(status_of(&srv, "lou", "/"), 200);
    ck_active_member(&srv, "lou", "", "");
}
END_TEST

/* An email another member already has is left out: the new member never
 * takes over sam's identity. */
START_TEST(test_provision_taken_email_left_out)
{
    ck_assert_int_eq(status_of(&srv, "dup", "/"), 200);
    ck_active_member(&srv, "dup", "", "Dup Licate");
    ck_active_member(&srv, "sam", "sam@example.com", "Sam Source-Admin");
    ck_assert_int_eq(status_of(&srv, "dup", "/sources/checkout/"), 403);
    ck_assert_int_eq(status_of(&srv, "sam", "/sources/checkout/"), 200);
}
END_TEST

/* Provisioning follows authentication, never replaces it. */
START_TEST(test_provision_needs_authentication)
{
    int before = nmembers(&srv);

    ck_assert_int_eq(status_of(&srv, "ghost", "/"), 401); /* not in the password file */
    ck_assert_int_eq(call(&srv, NULL, "GET", "/", NULL, NULL, NULL, NULL, NULL), 401);
    ck_assert_msg(member_of(&srv, "ghost") == NULL, "ghost became a member");
    ck_assert_int_eq(nmembers(&srv), before);
    ck_assert_int_eq(naudit(&srv, "member.provision", "ghost", NULL), 0);
}
END_TEST

/* ================= IAMAutoProvision Off; invitations claimed ================= */

static void start_invitations(void)
{
    char *extra;

    iam_httpd_prepare(&srv, "invitations");
    add_login(&srv, "pat");
    add_login(&srv, "quinn");
    add_login(&srv, "jane");
    add_login(&srv, "ann@corp.example");
    add_login(&srv, "lee@corp.example");
    add_login(&srv, "leo@corp.example");
    add_login(&srv, "lea@corp.example");
    add_login(&srv, "vic");
    add_login(&srv, "ike@corp.example");
    /* pat's IdP claims come with requests under /pat/ only */
    if (iam_test_run(NULL, NULL,
                     "mkdir -p '%s/htdocs/pat' && echo pat > '%s/htdocs/pat/index.html'", srv.root,
                     srv.root) != 0)
        abort();
    extra = xprintf("%s"
                    "SetEnvIf Request_URI \"^/pat/\" OIDC_CLAIM_email=pat@corp.example "
                    "\"OIDC_CLAIM_name=Pat From IdP\"\n%s%s%s%s",
                    idp_conf, idp_claims("quinn", "quinn@corp.example", NULL),
                    idp_claims("jane", "jane@corp.example", "Jane Doe"),
                    idp_claims("lea@corp.example", "lea@corp.example", NULL),
                    /* the email of an active member */
                    idp_claims("vic", "max@example.com", NULL));
    start_or_die(&srv, "event", extra);
}

START_TEST(test_invitation_claimed_by_email)
{
    const char *inv = "pat@corp.example";
    int before;
    json_t *m, *g;

    iam_ctl_or_die(&srv, "member invite %s", inv);
    iam_ctl_or_die(&srv, "grant --member %s warehouse-read-only", inv);
    iam_ctl_or_die(&srv, "group create pat-team");
    iam_ctl_or_die(&srv, "grant --group pat-team source-read-only --resource ios");
    iam_ctl_or_die(&srv, "group add pat-team %s", inv);
    before = nmembers(&srv);
    /* without the email claim, pat is nobody */
    ck_assert_int_eq(status_of(&srv, "pat", "/warehouses/main/"), 403);
    ck_assert_msg(member_of(&srv, "pat") == NULL, "pat is a member without the claim");
    /* with it (the IdP's variable, under /pat/), pat takes up the invitation */
    ck_assert_int_eq(status_of(&srv, "pat", "/pat/"), 200);
    ck_assert_msg(member_of(&srv, inv) == NULL, "the invitation's login is still there");
    m = member_of(&srv, "pat");
    ck_assert_msg(m != NULL, "pat is not a member");
    ck_assert_str_eq(str_at(m, "status"), "active");
    ck_assert_str_eq(str_at(m, "email"), inv);
    ck_assert_str_eq(str_at(m, "name"), "Pat From IdP"); /* the invitation had none */
    ck_assert_int_eq(json_array_size(json_object_get(m, "grants")), 1);
    g = json_array_get(json_object_get(m, "grants"), 0);
    ck_assert_str_eq(str_at(g, "role"), "warehouse-read-only");
    ck_assert_str_eq(str_at(g, "scope"), "all");
    ck_assert_int_eq(json_array_size(json_object_get(m, "groups")), 1);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "groups"), 0)),
                     "pat-team");
    json_decref(m);
    ck_assert_int_eq(nmembers(&srv), before);
    IAM_EVENTUALLY(naudit(&srv, "member.activate", "pat", "system") == 1);
    ck_assert_int_eq(naudit(&srv, "member.activate", "pat", "system"), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", NULL, NULL), 0);
    /* the grants and the group's grants are pat's now, on every path */
    ck_assert_int_eq(status_of(&srv, "pat", "/warehouses/main/"), 200);
    ck_assert_int_eq(status_of(&srv, "pat", "/sources/ios/"), 200);
    ck_assert_int_eq(status_of(&srv, "pat", "/sources/web/"), 403);
    /* the group lists pat, not the old login */
    {
        char *out = NULL;
        ck_assert_int_eq(iam_ctl(&srv, &out, "group show pat-team"), 0);
        ck_assert_msg(has(out, "pat") && !has(out, inv), "%s", out);
        free(out);
    }
    /* the invitation is gone: the email's claim finds pat, not a second one */
    ck_assert_int_eq(status_of(&srv, "pat", "/pat/"), 200);
    ck_assert_int_eq(nmembers(&srv), before);
}
END_TEST

/* The same through the per-user claims (every request of quinn's). */
START_TEST(test_invitation_claimed_per_user)
{
    iam_ctl_or_die(&srv, "member invite quinn@corp.example --name 'Quinn Invited'");
    iam_ctl_or_die(&srv, "grant --member quinn@corp.example source-admin --resource web");
    ck_assert_int_eq(status_of(&srv, "quinn", "/sources/web/"), 200);
    ck_active_member(&srv, "quinn", "quinn@corp.example", "Quinn Invited");
    ck_assert_msg(member_of(&srv, "quinn@corp.example") == NULL, "the invitation is still there");
    ck_assert_int_eq(status_of(&srv, "quinn", "/sources/checkout/"), 403);
}
END_TEST

/* A login equal to the invited email: active on the first request. */
START_TEST(test_invitation_login_equals_email)
{
    const char *inv = "lee@corp.example";
    json_t *m;

    iam_ctl_or_die(&srv, "member invite %s --name 'Lee Invited'", inv);
    m = member_of(&srv, inv);
    ck_assert_str_eq(str_at(m, "status"), "invited");
    json_decref(m);
    ck_assert_int_eq(status_of(&srv, inv, "/"), 200);
    ck_active_member(&srv, inv, inv, "Lee Invited");
    IAM_EVENTUALLY(naudit(&srv, "member.activate", inv, "system") == 1);
    ck_assert_int_eq(naudit(&srv, "member.activate", inv, "system"), 1);
}
END_TEST

/* An invitation with a login of its own ("leo", the console's optional
 * login field or the API's "login"), claimed by a login that is its email
 * (an IdP whose REMOTE_USER is the email), with no attribute variable set.
 * The login itself counts as the email when it looks like one. */
START_TEST(test_invitation_claimed_by_email_login)
{
    char *body;

    /* the contrast: with the IdP's email variable set to the same address,
     * the invitation is claimed */
    ck_assert_int_eq(
        api(&srv, "POST", "members", "{\"email\":\"lea@corp.example\",\"login\":\"lea\"}", &body),
        201);
    ck_assert_int_eq(status_of(&srv, "lea@corp.example", "/"), 200);
    ck_active_member(&srv, "lea@corp.example", "lea@corp.example", "");
    ck_assert_msg(member_of(&srv, "lea") == NULL, "the invitation 'lea' is still there");
    /* without it: the login alone */

    ck_assert_int_eq(
        api(&srv, "POST", "members", "{\"email\":\"leo@corp.example\",\"login\":\"leo\"}", &body),
        201);
    free(body);
    ck_assert_int_eq(call(&srv, "leo@corp.example", "GET", "/", NULL, NULL, NULL, &body, NULL),
                     200);
    free(body);
    ck_active_member(&srv, "leo@corp.example", "leo@corp.example", "");
    ck_assert_msg(member_of(&srv, "leo") == NULL, "the invitation 'leo' is still there");
}
END_TEST

/* The email of an active member is no invitation: nobody takes it over. */
START_TEST(test_no_claim_of_active_member)
{
    char *body;

    ck_assert_int_eq(call(&srv, "vic", "GET", "/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "not a member"), "%s", body);
    free(body);
    ck_assert_msg(member_of(&srv, "vic") == NULL, "vic became a member");
    ck_active_member(&srv, "max", "max@example.com", "Max Member");
    ck_assert_int_eq(status_of(&srv, "max", "/"), 200);
}
END_TEST

/* IAMAutoProvision Off: an unknown login with attributes and no invitation
 * is refused, and nothing is created. */
START_TEST(test_provision_off_refuses)
{
    int before = nmembers(&srv), audits = naudit(&srv, NULL, NULL, NULL);
    char *body, *log;

    ck_assert_int_eq(call(&srv, "jane", "GET", "/", NULL, NULL, NULL, &body, NULL), 403);
    ck_assert_msg(has(body, "You are not a member of this workspace"), "%s", body);
    ck_assert_msg(!has(body, "<form"), "%s", body);
    free(body);
    ck_assert_int_eq(
        call(&srv, "jane", "GET", "/", NULL, NULL, "Accept: application/json", &body, NULL), 403);
    {
        json_t *j = parse_json(body);
        ck_assert_str_eq(str_at(json_object_get(j, "error"), "code"), "not_a_member");
        ck_assert_msg(json_is_false(json_object_get(j, "request_access")), "%s", body);
        json_decref(j);
    }
    free(body);
    ck_assert_int_eq(status_of(&srv, "ann@corp.example", "/"), 403);
    ck_assert_msg(member_of(&srv, "jane") == NULL, "jane became a member");
    ck_assert_msg(member_of(&srv, "ann@corp.example") == NULL, "ann became a member");
    ck_assert_int_eq(nmembers(&srv), before);
    ck_assert_int_eq(naudit(&srv, NULL, NULL, NULL), audits);
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "deny user 'jane' on /: not a member of the workspace"), "%s",
                  tail(log));
    ck_assert_msg(!has(log, "'jane' joined"), "%s", tail(log));
    free(log);
}
END_TEST

/* The row of the Users table for `login` (empty when absent). */
static char *row_of(const char *html, const char *login)
{
    char *mark = xprintf("<div class=\"muted\">%s</div>", login);
    const char *p = html ? strstr(html, mark) : NULL, *start, *end;

    if (!p)
        return strdup("");
    for (start = p; start > html && strncmp(start, "<tr>", 4); start--)
        ;
    end = strstr(p, "</tr>");
    return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* The "Last seen" cell of a row. */
static char *last_cell(const char *row)
{
    static const char mark[] = "<td data-label=\"Last seen\">";
    const char *q = strstr(row, mark);

    if (!q)
        return strdup("");
    q += strlen(mark);
    return strndup(q, strcspn(q, "<"));
}

/* Whether the Users tab says `login` was seen within the hour. */
static int seen_now(const iam_httpd_t *h, const char *login)
{
    char *all = NULL;
    int yes = call(h, "olivia", "GET", "/iam/members", NULL, NULL, NULL, &all, NULL) == 200 &&
              !strcmp(last_cell(row_of(all, login)), "within the hour");

    free(all);
    return yes;
}

START_TEST(test_users_tab_status_and_last_seen)
{
    char *all, *inv, *act, *body;
    json_t *j, *m;
    size_t i;

    iam_ctl_or_die(&srv, "member invite ivy@corp.example --name 'Ivy Invited'");
    iam_ctl_or_die(&srv, "member invite ike@corp.example --name 'Ike Arrives'");
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/members?status=invited", NULL, NULL, NULL, &inv, NULL),
        200);
    ck_assert_msg(*row_of(inv, "ivy@corp.example") && *row_of(inv, "ike@corp.example"), "%s", inv);
    ck_assert_str_eq(last_cell(row_of(inv, "ivy@corp.example")), "never");
    ck_assert_str_eq(last_cell(row_of(inv, "ike@corp.example")), "never");
    /* ike logs in; what his request and olivia's saw is written just after */
    ck_assert_int_eq(status_of(&srv, "ike@corp.example", "/"), 200);
    IAM_EVENTUALLY(seen_now(&srv, "ike@corp.example") && seen_now(&srv, "olivia"));
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/members?status=invited", NULL, NULL, NULL, &inv, NULL),
        200);
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/members?status=active", NULL, NULL, NULL, &act, NULL),
        200);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members", NULL, NULL, NULL, &all, NULL),
                     200);
    /* invited: ivy only of these; every row says invited */
    ck_assert_msg(*row_of(inv, "ivy@corp.example"), "%s", inv);
    ck_assert_msg(!*row_of(inv, "ike@corp.example"), "ike is still invited:\n%s", inv);
    ck_assert_msg(!*row_of(inv, "sam") && !*row_of(inv, "olivia"), "%s", inv);
    ck_assert_msg(count_of(inv, "<tr><td data-label=\"Name\">") == count_of(inv, "badge invited\">invited"), "%s", inv);
    /* active: ike, sam, olivia; not ivy */
    ck_assert_msg(*row_of(act, "ike@corp.example") && *row_of(act, "sam") && *row_of(act, "olivia"),
                  "%s", act);
    ck_assert_msg(!*row_of(act, "ivy@corp.example"), "%s", act);
    ck_assert_msg(!has(act, "badge invited"), "%s", act);
    /* all: both; last seen */
    ck_assert_msg(has(all, "<th>Last seen</th>"), "%s", all);
    ck_assert_str_eq(last_cell(row_of(all, "ivy@corp.example")), "never");
    ck_assert_str_eq(last_cell(row_of(all, "ike@corp.example")), "within the hour");
    ck_assert_str_eq(last_cell(row_of(all, "olivia")), "within the hour"); /* she just looked */
    /* the API's filter agrees */
    ck_assert_int_eq(api(&srv, "GET", "members?status=invited&limit=500", NULL, &body), 200);
    j = parse_json(body);
    json_array_foreach(json_object_get(j, "members"), i, m)
    {
        ck_assert_msg(!strcmp(str_at(m, "status"), "invited"), "%s", body);
        ck_assert_msg(strcmp(str_at(m, "login"), "ike@corp.example"), "%s", body);
    }
    ck_assert_msg(has(body, "\"ivy@corp.example\""), "%s", body);
    json_decref(j);
    ck_assert_int_eq(api(&srv, "GET", "members?status=active&limit=500", NULL, &body), 200);
    ck_assert_msg(has(body, "\"ike@corp.example\"") && !has(body, "\"ivy@corp.example\"") &&
                      !has(body, "\"invited\""),
                  "%s", body);
    ck_assert_int_eq(api(&srv, "GET", "members?status=gone", NULL, &body), 400);
    ck_assert_msg(has(body, "\"invalid\""), "%s", body);
}
END_TEST

/* ================= IAMUserAttribute email_verified ================= */

/* An email the IdP has not verified claims no invitation: anyone can put
 * any address on an IdP account. */
static void start_verified(void)
{
    char *extra;

    iam_httpd_prepare(&srv, "verified");
    add_login(&srv, "vera");
    add_login(&srv, "eve");
    add_login(&srv, "nell");
    add_login(&srv, "one");
    add_login(&srv, "chief@corp.example");
    iam_ctl_or_die(&srv, "member invite vera@corp.example");
    /* invited as an owner, under the very login the IdP gives them */
    iam_ctl_or_die(&srv, "member invite chief@corp.example");
    iam_ctl_or_die(&srv, "grant --member chief@corp.example workspace-owner");
    iam_ctl_or_die(&srv, "member invite boss@corp.example --name 'The Boss'");
    iam_ctl_or_die(&srv, "grant --member boss@corp.example warehouse-admin");
    /* the console behind a login only, as conf/iam.conf shows it: the
     * handler's own membership test is all that stands before it */
    extra =
        xprintf("%sIAMUserAttribute email_verified OIDC_CLAIM_email_verified\n"
                "<Location \"/iam\">\n  Require valid-user\n</Location>\n%s%s%s%s%s",
                idp_conf,
                idp_env("vera", "OIDC_CLAIM_email=vera@corp.example "
                                "OIDC_CLAIM_email_verified=true"),
                idp_env("eve", "OIDC_CLAIM_email=boss@corp.example "
                               "OIDC_CLAIM_email_verified=false"),
                /* no verified claim at all */
                idp_env("nell", "OIDC_CLAIM_email=boss@corp.example"),
                idp_env("one", "OIDC_CLAIM_email=boss@corp.example "
                               "OIDC_CLAIM_email_verified=1"),
                idp_env("chief@corp.example", "OIDC_CLAIM_email=chief@corp.example "
                                              "OIDC_CLAIM_email_verified=false"));
    start_or_die(&srv, "event", extra);
}

START_TEST(test_verified_email_claims)
{
    ck_assert_int_eq(status_of(&srv, "vera", "/"), 200);
    ck_active_member(&srv, "vera", "vera@corp.example", "");
    ck_assert_msg(member_of(&srv, "vera@corp.example") == NULL, "the invitation is still there");
}
END_TEST

START_TEST(test_unverified_email_claims_nothing)
{
    json_t *m;
    char *log;

    ck_assert_int_eq(status_of(&srv, "eve", "/warehouses/main/"), 403);
    ck_assert_int_eq(status_of(&srv, "nell", "/warehouses/main/"), 403);
    ck_assert_msg(member_of(&srv, "eve") == NULL && member_of(&srv, "nell") == NULL,
                  "an unverified email took up an invitation");
    m = member_of(&srv, "boss@corp.example");
    ck_assert_msg(m != NULL, "the invitation is gone");
    ck_assert_str_eq(str_at(m, "status"), "invited");
    json_decref(m);
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "ignoring the unverified email of 'eve'"), "%s", tail(log));
    free(log);
    /* "1" counts as verified: the control */
    ck_assert_int_eq(status_of(&srv, "one", "/warehouses/main/"), 200);
    ck_active_member(&srv, "one", "boss@corp.example", "The Boss");
}
END_TEST

/* The console and its API let in exactly whom `Require iam-owner` lets
 * in: an invited owner whose email the IdP has not verified is refused
 * everywhere, never given the console. */
START_TEST(test_unverified_invited_owner_gets_no_console)
{
    static const char *const reads[] = {"/iam/", "/iam/members", "/iam/tokens",
                                        "/iam/api/v1/members", "/iam/api/v1/tokens"};
    char *body, *tok = NULL;
    json_t *m;
    size_t i;

    ck_assert_int_eq(status_of(&srv, "chief@corp.example", "/owners/"), 403);
    for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        ck_assert_int_eq(call(&srv, "chief@corp.example", "GET", reads[i], NULL, NULL, NULL, &body,
                              NULL),
                         403);
        ck_assert_msg(!has(body, "csrf") && !has(body, "olivia"), "%s: %s", reads[i], body);
        if (!tok)
            tok = iam_test_csrf(body);
    }
    ck_assert_int_eq(call(&srv, "chief@corp.example", "POST", "/iam/api/v1/tokens", JSON,
                          "{\"description\":\"mine\"}", NULL, &body, NULL),
                     403);
    ck_assert_int_eq(call(&srv, "chief@corp.example", "POST", "/iam/api/v1/members", JSON,
                          "{\"login\":\"crony\",\"grants\":[{\"role\":\"workspace-owner\"}]}",
                          NULL, &body, NULL),
                     403);
    ck_assert_msg(member_of(&srv, "crony") == NULL, "an unverified invitee added an owner");
    ck_assert_int_eq(ntokens(&srv), 0);
    m = member_of(&srv, "chief@corp.example");
    ck_assert_msg(m && !strcmp(str_at(m, "status"), "invited"), "the invitation was taken up");
    json_decref(m);
}
END_TEST

/* ================= plan: IAMAutoProvision is business only ================= */

static iam_httpd_t cfg;

static void cfg_setup(void)
{
    iam_httpd_prepare(&cfg, "idconf");
}

static void cfg_teardown(void)
{
    iam_httpd_cleanup(&cfg);
}

static const struct {
    const char *conf, *plan; /* plan: the one named in the refusal; NULL: accepted */
} plan_conf[] = {
    {"IAMPlan team\nIAMAutoProvision On", "team"},
    {"IAMAutoProvision On\nIAMPlan team", "team"},
    {"IAMPlan free\nIAMAutoProvision On", "free"},
    {"IAMAutoProvision On\nIAMPlan free", "free"},
    {"IAMPlan business\nIAMAutoProvision On", NULL},
    {"IAMAutoProvision On\nIAMPlan business", NULL},
    {"IAMAutoProvision On", NULL},
    {"IAMPlan team\nIAMAutoProvision Off", NULL},
    {"IAMAutoProvision Off\nIAMPlan team", NULL},
};

START_TEST(test_plan_configtest)
{
    char *out, *want;
    int rc = iam_httpd_configtest(&cfg, plan_conf[_i].conf, &out);

    if (!plan_conf[_i].plan) {
        ck_assert_msg(rc == 0, "configtest refused:\n%s\n%s", plan_conf[_i].conf, out);
        return;
    }
    want = xprintf("the %s plan has no just-in-time provisioning", plan_conf[_i].plan);
    ck_assert_msg(rc != 0, "configtest passed:\n%s", plan_conf[_i].conf);
    ck_assert_msg(has(out, want) && has(out, "IAMAutoProvision"), "for:\n%s\nwant '%s' in:\n%s",
                  plan_conf[_i].conf, want, out);
    free(out);
}
END_TEST

/* ================= race: concurrent first requests ================= */

#define RACERS 20
#define RACE_ROUNDS 3

static void start_race(const char *mpm)
{
    char *extra = xprintf("%sIAMAutoProvision On\n", idp_conf), *login;
    int i;

    iam_httpd_prepare(&srv, mpm);
    for (i = 0; i < RACE_ROUNDS; i++) {
        login = xprintf("racer%d", i);
        add_login(&srv, login);
        extra = xprintf("%s%s", extra,
                        idp_claims(login, xprintf("racer%d@corp.example", i), "Race Runner"));
    }
    add_login(&srv, "claimer");
    extra = xprintf("%s%s", extra, idp_claims("claimer", "claimer@corp.example", NULL));
    start_or_die(&srv, mpm, extra);
}

static void start_race_event(void)
{
    start_race("event");
}

static void start_race_prefork(void)
{
    start_race("prefork");
}

/* RACERS processes each send one request as `user`, all let go at once. */
static void race(const iam_httpd_t *h, const char *user, const char *path, long st[RACERS])
{
    int go[2], res[2], i, w;
    pid_t pids[RACERS];

    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(res), 0);
    for (i = 0; i < RACERS; i++) {
        pids[i] = fork();
        ck_assert_msg(pids[i] >= 0, "fork failed");
        if (pids[i] == 0) {
            long r[2];
            char c;
            close(go[1]);
            close(res[0]);
            if (read(go[0], &c, 1) < 0) /* returns 0 when the parent closes go[1] */
                _exit(1);
            r[0] = i;
            r[1] = status_of(h, user, path);
            if (write(res[1], r, sizeof(r)) != (ssize_t)sizeof(r))
                _exit(1);
            _exit(0);
        }
        st[i] = -1;
    }
    close(go[0]);
    close(res[1]);
    usleep(200 * 1000); /* every child waits on the pipe */
    close(go[1]);
    for (w = 0; w < RACERS; w++) {
        long r[2];
        if (read(res[0], r, sizeof(r)) != (ssize_t)sizeof(r))
            break;
        if (r[0] >= 0 && r[0] < RACERS)
            st[r[0]] = r[1];
    }
    close(res[0]);
    for (i = 0; i < RACERS; i++)
        waitpid(pids[i], NULL, 0);
}

START_TEST(test_race_first_requests)
{
    char *login = xprintf("racer%d", _i), *email = xprintf("racer%d@corp.example", _i), *log;
    int before = nmembers(&srv), i;
    long st[RACERS];

    race(&srv, login, "/", st);
    for (i = 0; i < RACERS; i++)
        ck_assert_msg(st[i] == 200, "request %d of %s: status %ld", i, login, st[i]);
    ck_assert_int_eq(nmembers(&srv), before + 1);
    ck_active_member(&srv, login, email, "Race Runner");
    ck_assert_int_eq(naudit(&srv, "member.provision", login, NULL), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", login, "system"), 1);
    ck_assert_int_eq(count_of(iam_httpd_log(&srv), xprintf("'%s' joined", login)), 1);
    log = iam_httpd_log(&srv);
    ck_assert_msg(!has(log, "cannot admit") && !has(log, "[iam:error]"), "%s", tail(log));
    free(log);
}
END_TEST

/* The same for an invitation claimed by email: one claim, no new member. */
START_TEST(test_race_claim)
{
    int before, i;
    long st[RACERS];
    json_t *m;

    iam_ctl_or_die(&srv, "member invite claimer@corp.example --name 'Claimer Invited'");
    iam_ctl_or_die(&srv, "grant --member claimer@corp.example warehouse-read-only");
    before = nmembers(&srv);
    race(&srv, "claimer", "/warehouses/main/", st);
    for (i = 0; i < RACERS; i++)
        ck_assert_msg(st[i] == 200, "request %d of claimer: status %ld", i, st[i]);
    ck_assert_int_eq(nmembers(&srv), before);
    ck_active_member(&srv, "claimer", "claimer@corp.example", "Claimer Invited");
    m = member_of(&srv, "claimer");
    ck_assert_int_eq(json_array_size(json_object_get(m, "grants")), 1);
    json_decref(m);
    ck_assert_msg(member_of(&srv, "claimer@corp.example") == NULL, "the invitation is still there");
    IAM_EVENTUALLY(naudit(&srv, "member.activate", "claimer", "system") == 1);
    ck_assert_int_eq(naudit(&srv, "member.activate", "claimer", "system"), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", "claimer", NULL), 0);
}
END_TEST

/* ================= the invitation mail ================= */

static void start_mail(void)
{
    char *extra;

    iam_httpd_prepare(&srv, "invmail");
    if (iam_test_run(NULL, NULL, "touch '%s/mailbox.txt' && chmod 666 '%s/mailbox.txt'", srv.root,
                     srv.root) != 0)
        abort();
    extra = xprintf("IAMMailCommand \"%s/../conf/demo/mailbox %s/mailbox.txt\"\n"
                    "IAMMailFrom iam@example.com\n"
                    "IAMLoginURL https://login.example/",
                    iam_test_build_dir(), srv.root);
    start_or_die(&srv, "event", extra);
}

/* The messages of the mailbox (each ends with a line ".") sent to `to`;
 * the last one's text in *last. */
static int mails_to(const iam_httpd_t *h, const char *to, char **last)
{
    char *text = iam_test_slurp(xprintf("%s/mailbox.txt", h->root)), *p = text, *end;
    char *want = xprintf("\nTo: %s\n", to);
    int n = 0;

    if (last)
        *last = NULL;
    while (*p) {
        char *msg;
        end = strstr(p, "\n.\n");
        msg = end ? strndup(p, (size_t)(end - p) + 1) : strdup(p);
        if (has(xprintf("\n%s", msg), want)) {
            n++;
            if (last)
                *last = msg;
        }
        if (!end)
            break;
        p = end + 3;
    }
    return n;
}

START_TEST(test_api_invite_mails_invitee)
{
    const char *to = "mia@corp.example";
    char *body, *msg, *hdr;
    json_t *j;

    ck_assert_int_eq(
        api(&srv, "POST", "members", "{\"email\":\"mia@corp.example\",\"name\":\"Mia\"}", &body),
        201);
    ck_assert_msg(has(body, "\"invited\""), "%s", body);
    ck_assert_int_eq(mails_to(&srv, to, &msg), 1);
    ck_assert_msg(has(msg, "\n\n"), "%s", msg);
    hdr = strndup(msg, (size_t)(strstr(msg, "\n\n") - msg));
    ck_assert_msg(has(hdr, "From: iam@example.com\n"), "%s", msg);
    ck_assert_msg(has(hdr, "Subject: You are invited to the workspace"), "%s", msg);
    ck_assert_msg(has(msg, "\nhttps://login.example/\n"), "no login link in:\n%s", msg);
    ck_assert_msg(has(msg, "Mia,"), "%s", msg);
    ck_assert_msg(has(msg, "Log in as mia@corp.example"), "%s", msg);
    /* re-sent: one more */
    ck_assert_int_eq(api(&srv, "POST", "members/mia@corp.example/resend", "{}", &body), 200);
    j = parse_json(body);
    ck_assert_msg(json_is_true(json_object_get(j, "mailed")), "%s", body);
    ck_assert_str_eq(str_at(j, "login"), to);
    json_decref(j);
    ck_assert_int_eq(mails_to(&srv, to, &msg), 2);
    ck_assert_msg(has(msg, "\nhttps://login.example/\n"), "%s", msg);
    /* once mia is active, nothing to re-send */
    add_login(&srv, to);
    ck_assert_int_eq(status_of(&srv, to, "/"), 200);
    IAM_EVENTUALLY(is_active(&srv, to)); /* written just after the answer */
    ck_assert_int_eq(api(&srv, "POST", "members/mia@corp.example/resend", "{}", &body), 409);
    ck_assert_msg(has(body, "\"error\""), "%s", body);
    ck_assert_int_eq(mails_to(&srv, to, NULL), 2);
}
END_TEST

START_TEST(test_api_resend_refused)
{
    char *body;

    /* an active member */
    ck_assert_int_eq(api(&srv, "POST", "members/sam/resend", "{}", &body), 409);
    ck_assert_msg(has(body, "\"error\""), "%s", body);
    ck_assert_int_eq(mails_to(&srv, "sam@example.com", NULL), 0);
    /* an active member added through the API gets no invitation */
    ck_assert_int_eq(api(&srv, "POST", "members",
                         "{\"login\":\"moe\",\"email\":\"moe@corp.example\",\"status\":\"active\"}",
                         &body),
                     201);
    ck_assert_int_eq(mails_to(&srv, "moe@corp.example", NULL), 0);
    /* only owners */
    ck_assert_int_eq(
        call(&srv, "sam", "POST", "/iam/api/v1/members/moe/resend", JSON, "{}", NULL, NULL, NULL),
        403);
}
END_TEST

/* The README's API errors: 404 not_found for "no such member". */
START_TEST(test_api_resend_unknown_member)
{
    char *body;

    ck_assert_int_eq(api(&srv, "POST", "members/nobody@corp.example/resend", "{}", &body), 404);
    ck_assert_msg(has(body, "\"not_found\""), "%s", body);
}
END_TEST

/* The console's invitation mails the invitee; its member page re-sends. */
START_TEST(test_console_invite_mails_invitee)
{
    const char *to = "nia@corp.example";
    char *body, *hdrs, *tok, *loc, *page, *msg;

    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/new", NULL, NULL, NULL, &body, NULL),
                     200);
    tok = iam_test_csrf(body);
    ck_assert_msg(tok != NULL, "%s", body);
    ck_assert_int_eq(call(&srv, "olivia", "POST", "/iam/members", FORM,
                          xprintf("csrf=%s&email=%s&name=Nia", tok, enc(to)), NULL, &body, &hdrs),
                     303);
    loc = iam_test_header(hdrs, "Location");
    ck_assert_msg(has(loc, "done=invited-mailed"), "%s", hdrs);
    ck_assert_int_eq(mails_to(&srv, to, &msg), 1);
    ck_assert_msg(has(msg, "\nhttps://login.example/\n"), "%s", msg);
    /* the invited member's page offers to re-send */
    page = strndup(loc, strcspn(loc, "?"));
    ck_assert_int_eq(call(&srv, "olivia", "GET", page, NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "Re-send invitation"), "%s", body);
    ck_assert_int_eq(call(&srv, "olivia", "POST", page, FORM,
                          xprintf("csrf=%s&action=resend", iam_test_csrf(body)), NULL, &body,
                          &hdrs),
                     303);
    ck_assert_msg(has(iam_test_header(hdrs, "Location"), "done=resent"), "%s", hdrs);
    ck_assert_int_eq(mails_to(&srv, to, NULL), 2);
    /* an active member's page does not */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/members/sam", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(!has(body, "Re-send invitation"), "%s", body);
}
END_TEST

/* ================= identity for the backend: IAMForwardHeaders ================= */

/* The backend: prints its environment. */
static const char *env_cgi = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n";

static void put_cgi(const iam_httpd_t *h)
{
    static const char *const dirs[] = {
        "", "/sources", "/sources/checkout", "/sources/web", "/open", "/warehouses/main"};
    size_t i;

    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char *dir = xprintf("%s/htdocs%s", h->root, dirs[i]);
        if (iam_test_run(NULL, NULL, "mkdir -p '%s'", dir) != 0)
            abort();
        write_file(xprintf("%s/env.cgi", dir), env_cgi, 0755);
    }
}

/* mod_cgid for event; the SetEnvIf lines show whether a client's header
 * was still there after post_read_request (X-Control: the control). */
static char *identity_conf(int forward)
{
    return xprintf("LoadModule cgid_module " MODULES "/mod_cgid.so\n"
                   "LoadModule setenvif_module " MODULES "/mod_setenvif.so\n"
                   "%s"
                   "<LocationMatch \"/env\\.cgi$\">\n"
                   "    SetHandler cgi-script\n"
                   "    Options +ExecCGI\n"
                   "    SetEnvIf X_IAM_User \"(.+)\" SAW_X_IAM_USER_UNDERSCORE=$1\n"
                   "    SetEnvIf X-IAM-User \"(.+)\" SAW_X_IAM_USER=$1\n"
                   "    SetEnvIf X-Control \"(.+)\" SAW_CONTROL=$1\n"
                   "</LocationMatch>\n"
                   "<Location \"/sources/web/\">\n"
                   "    IAMForwardHeaders Off\n"
                   "</Location>\n"
                   "<Location \"/open/\">\n"
                   "    Require all granted\n"
                   "</Location>\n",
                   forward ? "IAMForwardHeaders On\n" : "");
}

static void start_identity(void)
{
    iam_httpd_prepare(&srv, "identity");
    put_cgi(&srv);
    add_login(&srv, "gus");
    iam_ctl_or_die(&srv, "member add gus --email gus@corp.example --name 'Gus Group'");
    start_or_die(&srv, "event", identity_conf(1));
}

/* A variable of the CGI's environment, NULL when not set. */
static char *env_of(const char *out, const char *name)
{
    char *mark = xprintf("%s=", name);
    const char *p = out;
    size_t n = strlen(mark);

    while (p && *p) {
        if (!strncmp(p, mark, n))
            return strndup(p + n, strcspn(p + n, "\n"));
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return NULL;
}

/* Any variable whose name starts with `prefix`? */
static int env_has_prefix(const char *out, const char *prefix)
{
    const char *p = out;

    while (p && *p) {
        if (!strncmp(p, prefix, strlen(prefix)))
            return 1;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return 0;
}

/* Runs the CGI at `path` as `user` with up to 7 extra headers; 200 wanted. */
static char *backend(const iam_httpd_t *h, const char *user, const char *path,
                     const char *const *headers)
{
    iam_req_t req = {"GET", path, user ? xprintf("%s:%s-pw", user, user) : NULL,
                     NULL,  NULL, {NULL}};
    char *body;
    long st;
    int i;

    for (i = 0; headers && headers[i] && i < 7; i++)
        req.headers[i] = headers[i];
    st = iam_http_do(h, &req, &body, NULL);
    ck_assert_msg(st == 200, "%s on %s: status %ld\n%s", user ? user : "(no user)", path, st, body);
    ck_assert_msg(has(body, "SCRIPT_FILENAME="), "the CGI did not run:\n%s", body);
    return body;
}

/* Both forms, the variable and the request header, hold `value`. */
static void ck_forwarded(const char *out, const char *var, const char *header_var,
                         const char *value)
{
    char *v = env_of(out, var), *hv = env_of(out, header_var);

    ck_assert_msg(v && !strcmp(v, value), "%s is '%s', want '%s' in:\n%s", var, v ? v : "(unset)",
                  value, out);
    ck_assert_msg(hv && !strcmp(hv, value), "%s is '%s', want '%s' in:\n%s", header_var,
                  hv ? hv : "(unset)", value, out);
}

static void ck_identity(const char *out, const char *user, const char *email, const char *name,
                        const char *owner, const char *pii, const char *resource, const char *level)
{
    ck_forwarded(out, "IAM_USER", "HTTP_X_IAM_USER", user);
    ck_forwarded(out, "IAM_EMAIL", "HTTP_X_IAM_EMAIL", email);
    ck_forwarded(out, "IAM_NAME", "HTTP_X_IAM_NAME", name);
    ck_forwarded(out, "IAM_OWNER", "HTTP_X_IAM_OWNER", owner);
    ck_forwarded(out, "IAM_PII", "HTTP_X_IAM_PII", pii);
    ck_forwarded(out, "IAM_RESOURCE", "HTTP_X_IAM_RESOURCE", resource);
    ck_forwarded(out, "IAM_LEVEL", "HTTP_X_IAM_LEVEL", level);
}

/* No IAM_* variable and no X-IAM-* header reached the backend. */
static void ck_nothing_forwarded(const char *out)
{
    ck_assert_msg(!env_has_prefix(out, "IAM_"), "an IAM_ variable in:\n%s", out);
    ck_assert_msg(!env_has_prefix(out, "HTTP_X_IAM_"), "an X-IAM- header in:\n%s", out);
    ck_assert_msg(!env_has_prefix(out, "REDIRECT_IAM_"), "%s", out);
}

START_TEST(test_forward_source_admin)
{
    char *out = backend(&srv, "sam", "/sources/checkout/env.cgi", NULL);

    ck_identity(out, "sam", "sam@example.com", "Sam Source-Admin", "false", "false",
                "source:checkout", "admin");
    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "sam");
}
END_TEST

START_TEST(test_forward_owner)
{
    char *out = backend(&srv, "olivia", "/sources/checkout/env.cgi", NULL);

    ck_identity(out, "olivia", "olivia@example.com", "Olivia Owner", "true", "true",
                "source:checkout", "admin");
    out = backend(&srv, "olivia", "/warehouses/main/env.cgi", NULL);
    ck_identity(out, "olivia", "olivia@example.com", "Olivia Owner", "true", "true",
                "warehouse:main", "admin");
}
END_TEST

/* The level is the member's, not the one the request needed. */
START_TEST(test_forward_reader_and_member)
{
    char *out = backend(&srv, "rita", "/sources/checkout/env.cgi", NULL);

    ck_identity(out, "rita", "rita@example.com", "Rita Reader", "false", "false", "source:checkout",
                "read");
    /* the workspace home (Require iam-member): no resource, no level */
    out = backend(&srv, "max", "/env.cgi", NULL);
    ck_identity(out, "max", "max@example.com", "Max Member", "false", "false", "", "");
    /* the collection: sam may list sources, not create them */
    out = backend(&srv, "sam", "/sources/env.cgi", NULL);
    ck_identity(out, "sam", "sam@example.com", "Sam Source-Admin", "false", "false", "source:*",
                "read");
    /* refused: the backend never runs */
    ck_assert_int_eq(status_of(&srv, "max", "/sources/checkout/env.cgi"), 403);
}
END_TEST

/* PII through a user group, set with the API. */
START_TEST(test_forward_pii_through_group)
{
    char *body, *out;

    ck_assert_int_eq(api(&srv, "POST", "groups",
                         "{\"name\":\"pii-crew\",\"grants\":[{\"role\":\"source-read-only\","
                         "\"scope\":\"all\"}],\"members\":[\"gus\"]}",
                         &body),
                     201);
    out = backend(&srv, "gus", "/sources/checkout/env.cgi", NULL);
    ck_identity(out, "gus", "gus@corp.example", "Gus Group", "false", "false", "source:checkout",
                "read");
    ck_assert_int_eq(api(&srv, "PATCH", "groups/pii-crew", "{\"pii\":true}", &body), 200);
    out = backend(&srv, "gus", "/sources/checkout/env.cgi", NULL);
    ck_identity(out, "gus", "gus@corp.example", "Gus Group", "false", "true", "source:checkout",
                "read");
    out = backend(&srv, "gus", "/env.cgi", NULL);
    ck_forwarded(out, "IAM_PII", "HTTP_X_IAM_PII", "true");
}
END_TEST

static const char *const forged[] = {
    "X-IAM-User: olivia",
    "X-IAM-Owner: true",
    "X_IAM_User: olivia",
    "X-IAM-PII: true",
    "x-iam-email: olivia@example.com",
    "X-Iam-Resource: warehouse:main",
    "X-Control: yes",
    NULL,
};

/* A client's X-IAM-* headers are replaced by the user's own values. */
START_TEST(test_forged_headers_replaced)
{
    char *out = backend(&srv, "sam", "/sources/checkout/env.cgi", forged), *log;

    ck_identity(out, "sam", "sam@example.com", "Sam Source-Admin", "false", "false",
                "source:checkout", "admin");
    ck_assert_msg(!has(out, "olivia"), "olivia in:\n%s", out);
    /* gone before any other module looked (SetEnvIf runs before authz) */
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER"), "%s", out);
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER_UNDERSCORE"), "%s", out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, "removed the client's X_IAM_User header"), "%s", tail(log));
    ck_assert_msg(has(log, "removed the client's X-IAM-Owner header"), "%s", tail(log));
    free(log);
}
END_TEST

/* IAMForwardHeaders Off on a location: nothing, even when the client sends
 * the headers. */
START_TEST(test_forward_off_location)
{
    char *out = backend(&srv, "rita", "/sources/web/env.cgi", forged);

    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "rita");
    ck_nothing_forwarded(out);
    ck_assert_msg(!has(out, "olivia"), "%s", out);
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER") && !env_of(out, "SAW_X_IAM_USER_UNDERSCORE"), "%s",
                  out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
}
END_TEST

/* A path mod_iam does not guard: the client's headers are removed too. */
START_TEST(test_forged_headers_removed_everywhere)
{
    char *out = backend(&srv, NULL, "/open/env.cgi", forged);

    ck_nothing_forwarded(out);
    ck_assert_msg(!has(out, "olivia"), "%s", out);
    ck_assert_msg(!env_of(out, "SAW_X_IAM_USER") && !env_of(out, "SAW_X_IAM_USER_UNDERSCORE"), "%s",
                  out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
}
END_TEST

/* Without IAMForwardHeaders at all: off. */
static void start_identity_unset(void)
{
    iam_httpd_prepare(&srv, "idunset");
    put_cgi(&srv);
    start_or_die(&srv, "event", identity_conf(0));
}

START_TEST(test_forward_default_off)
{
    char *out = backend(&srv, "sam", "/sources/checkout/env.cgi", forged);

    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "sam");
    ck_nothing_forwarded(out);
    ck_assert_msg(!has(out, "olivia"), "%s", out);
    ck_assert_str_eq(env_of(out, "SAW_CONTROL"), "yes");
    out = backend(&srv, "olivia", "/env.cgi", NULL);
    ck_assert_str_eq(env_of(out, "REMOTE_USER"), "olivia");
    ck_nothing_forwarded(out);
}
END_TEST

/* ================= API tokens ================= */

static void start_tokens(void)
{
    iam_httpd_prepare(&srv, "tokens");
    start_or_die(&srv, "event", NULL);
}

typedef struct {
    char *token, *id, *secret;
} tok_t;

static int all_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    }
    return s[n] == '\0' || s[n] == '.';
}

/* tok_<12 hex>.<40 hex> */
static tok_t split_token(const char *token)
{
    tok_t t = {strdup(token), NULL, NULL};
    const char *dot = strchr(token, '.');

    ck_assert_msg(strlen(token) == 4 + 12 + 1 + 40 && !strncmp(token, "tok_", 4) && dot &&
                      dot - token == 16 && all_hex(token + 4, 12) && all_hex(dot + 1, 40),
                  "not a token: '%s'", token);
    t.id = strndup(token, 16);
    t.secret = strdup(dot + 1);
    return t;
}

static tok_t create_token(const iam_httpd_t *h, const char *description)
{
    char *body = NULL, *json = xprintf("{\"description\":\"%s\"}", description);
    json_t *j;
    tok_t t;
    long st = api(h, "POST", "tokens", json, &body);

    ck_assert_msg(st == 201, "POST tokens: %ld\n%s", st, body);
    j = parse_json(body);
    t = split_token(str_at(j, "token"));
    ck_assert_str_eq(str_at(j, "id"), t.id);
    ck_assert_str_eq(str_at(j, "description"), description);
    ck_assert_str_eq(str_at(j, "creator"), "api:olivia");
    ck_assert_int_eq(count_of(body, t.secret), 1);
    json_decref(j);
    return t;
}

/* The token's entry in GET tokens (NULL when not listed); the whole
 * answer never holds a secret. */
static json_t *listed(const iam_httpd_t *h, const tok_t *t)
{
    char *body;
    json_t *j, *e, *found = NULL;
    size_t i;

    ck_assert_int_eq(api(h, "GET", "tokens", NULL, &body), 200);
    ck_assert_msg(!has(body, t->secret), "the secret is listed:\n%s", body);
    ck_assert_msg(!has(body, "\"token\""), "a token field is listed:\n%s", body);
    j = parse_json(body);
    json_array_foreach(json_object_get(j, "tokens"), i, e)
    {
        ck_assert_msg(!json_object_get(e, "token"), "%s", body);
        if (!strcmp(str_at(e, "id"), t->id))
            found = json_incref(e);
    }
    json_decref(j);
    return found;
}

/* A refused token: 401, invalid_token, WWW-Authenticate: Bearer. */
static void ck_invalid_token(const iam_httpd_t *h, const char *token, const char *method,
                             const char *json)
{
    char *body, *hdrs, *www;
    json_t *j;
    long st = bearer_call(h, token, method, "/iam/api/v1/members", json, &body, &hdrs);

    ck_assert_msg(st == 401, "Bearer %s: status %ld\n%s", token, st, body);
    j = parse_json(body);
    ck_assert_str_eq(str_at(json_object_get(j, "error"), "code"), "invalid_token");
    ck_assert_msg(json_is_string(json_object_get(json_object_get(j, "error"), "message")), "%s",
                  body);
    json_decref(j);
    www = iam_test_header(hdrs, "WWW-Authenticate");
    ck_assert_msg(www && !strncmp(www, "Bearer", 6) && has(www, "invalid_token"), "%s", hdrs);
}

START_TEST(test_token_create_and_list)
{
    tok_t t = create_token(&srv, "nightly sync");
    json_t *e = listed(&srv, &t);
    char *out = NULL;

    ck_assert_msg(e != NULL, "%s is not listed", t.id);
    ck_assert_str_eq(str_at(e, "description"), "nightly sync");
    ck_assert_str_eq(str_at(e, "creator"), "api:olivia");
    ck_assert_str_eq(str_at(e, "last_used"), ""); /* never used */
    ck_assert_int_eq(naudit(&srv, "token.create", t.id, "api:olivia"), 1);
    /* only the secret's hash is kept: not in the store file, not in an export */
    ck_assert_int_eq(
        iam_test_run(NULL, NULL, "grep -q -a -F '%s' '%s/data.mdb'", t.secret, srv.store), 1);
    ck_assert_int_eq(iam_test_run(NULL, NULL, "grep -q -a -F '%s' '%s/data.mdb'", t.id, srv.store),
                     0); /* the control: the id is there */
    ck_assert_int_eq(iam_ctl(&srv, &out, "export"), 0);
    ck_assert_msg(!has(out, t.secret), "the secret is exported");
    free(out);
    /* owners only */
    ck_assert_int_eq(call(&srv, "sam", "GET", "/iam/api/v1/tokens", NULL, NULL, NULL, NULL, NULL),
                     403);
    ck_assert_int_eq(call(&srv, "sam", "POST", "/iam/api/v1/tokens", JSON,
                          "{\"description\":\"mine\"}", NULL, NULL, NULL),
                     403);
    ck_assert_int_eq(api(&srv, "POST", "tokens", "{}", &out), 400);
}
END_TEST

START_TEST(test_token_use)
{
    tok_t t = create_token(&srv, "hr sync");
    char *body, *actor = xprintf("token:%s", t.id), *log;
    json_t *j, *e;

    /* a read, without Basic auth */
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/api/v1/members", NULL, &body, NULL),
                     200);
    j = parse_json(body);
    ck_assert_msg(json_is_array(json_object_get(j, "members")) && has(body, "\"olivia\""), "%s",
                  body);
    json_decref(j);
    /* last used, now (written by the child just after it answered) */
    IAM_EVENTUALLY((e = listed(&srv, &t)) && *str_at(e, "last_used"));
    e = listed(&srv, &t);
    ck_assert_msg(e && strlen(str_at(e, "last_used")) == 20 && str_at(e, "last_used")[19] == 'Z',
                  "last_used '%s'", e ? str_at(e, "last_used") : "(not listed)");
    /* a write: the audit names the token */
    ck_assert_int_eq(bearer_call(&srv, t.token, "POST", "/iam/api/v1/members",
                                 "{\"email\":\"bot-made@corp.example\"}", &body, NULL),
                     201);
    ck_assert_int_eq(naudit(&srv, "member.invite", "bot-made@corp.example", actor), 1);
    ck_assert_int_eq(bearer_call(&srv, t.token, "POST", "/iam/api/v1/members/max/grants",
                                 "{\"role\":\"warehouse-read-only\",\"scope\":\"all\"}", &body,
                                 NULL),
                     200);
    ck_assert_int_eq(naudit(&srv, NULL, "max", actor), 1);
    ck_assert_int_eq(status_of(&srv, "max", "/warehouses/main/"), 200);
    log = iam_httpd_log(&srv);
    ck_assert_msg(!has(log, t.secret), "the secret is logged: %s", line_with(log, t.secret));
    free(log);
}
END_TEST

START_TEST(test_token_refused)
{
    tok_t t = create_token(&srv, "to refuse"), v = create_token(&srv, "to revoke");
    char *wrong = strdup(t.token), *unknown, *body, *log;

    wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == '0' ? '1' : '0';
    unknown = xprintf("tok_%s.%s",
                      strcmp(t.id + 4, "0123456789ab") ? "0123456789ab" : "ba9876543210", t.secret);
    ck_invalid_token(&srv, wrong, "GET", NULL);
    ck_invalid_token(&srv, wrong, "POST", "{\"email\":\"wrong@corp.example\"}");
    ck_invalid_token(&srv, unknown, "GET", NULL);
    ck_invalid_token(&srv, "abc", "GET", NULL);
    ck_invalid_token(&srv, t.id, "GET", NULL);     /* the id alone */
    ck_invalid_token(&srv, t.secret, "GET", NULL); /* the secret alone */
    ck_assert_msg(member_of(&srv, "wrong@corp.example") == NULL, "a refused token wrote");
    /* revoked */
    ck_assert_int_eq(bearer_call(&srv, v.token, "GET", "/iam/api/v1/members", NULL, NULL, NULL),
                     200);
    ck_assert_int_eq(api(&srv, "DELETE", xprintf("tokens/%s", v.id), NULL, &body), 200);
    ck_assert_msg(has(body, "\"revoked\":true"), "%s", body);
    ck_assert_int_eq(naudit(&srv, "token.revoke", v.id, "api:olivia"), 1);
    ck_invalid_token(&srv, v.token, "GET", NULL);
    ck_assert_msg(listed(&srv, &v) == NULL, "a revoked token is listed");
    ck_assert_int_eq(api(&srv, "DELETE", xprintf("tokens/%s", v.id), NULL, &body), 404);
    /* the good one still works */
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/api/v1/members", NULL, NULL, NULL),
                     200);
    /* logged by id, never with the secret */
    log = iam_httpd_log(&srv);
    ck_assert_msg(has(log, xprintf("API token refused: wrong secret for token %s", t.id)), "%s",
                  tail(log));
    ck_assert_msg(has(log, "API token refused: unknown or revoked token tok_"), "%s", tail(log));
    ck_assert_msg(has(log, xprintf("unknown or revoked token %s", v.id)), "%s", tail(log));
    ck_assert_msg(has(log, "API token refused: malformed token"), "%s", tail(log));
    ck_assert_msg(!has(log, t.secret), "a secret is logged: %s", line_with(log, t.secret));
    ck_assert_msg(!has(log, v.secret), "a secret is logged: %s", line_with(log, v.secret));
    ck_assert_msg(!has(log, wrong + 17), "a secret is logged: %s", line_with(log, wrong + 17));
    free(log);
}
END_TEST

/* How the audit trail names what iamctl does here. */
static const char *ctl_actor(void)
{
    const char *sudo = getenv("SUDO_USER");
    struct passwd *pw = getpwuid(getuid());

    return xprintf("iamctl:%s", sudo && *sudo ? sudo : pw ? pw->pw_name : "?");
}

/* A token made by `user` (an owner with a password) through the API. */
static tok_t create_token_as(const iam_httpd_t *h, const char *user, const char *description)
{
    char *body = NULL;
    json_t *j;
    tok_t t;
    long st = call(h, user, "POST", "/iam/api/v1/tokens", JSON,
                   xprintf("{\"description\":\"%s\"}", description), NULL, &body, NULL);

    ck_assert_msg(st == 201, "POST tokens as %s: %ld\n%s", user, st, body);
    j = parse_json(body);
    t = split_token(str_at(j, "token"));
    json_decref(j);
    return t;
}

/* A token dies with its owner's authority, for good: a later owner of the
 * same login (in any case) does not bring it back. */
START_TEST(test_token_dies_with_its_owner)
{
    tok_t a, b;
    json_t *e;
    char *body;

    add_login(&srv, "tara");
    add_login(&srv, "TARA");
    add_login(&srv, "tess");
    iam_ctl_or_die(&srv, "member add tara --owner");
    iam_ctl_or_die(&srv, "member add tess --owner");
    a = create_token_as(&srv, "tara", "tara's script");
    b = create_token_as(&srv, "tess", "tess's script");
    ck_assert_int_eq(bearer_call(&srv, a.token, "GET", "/iam/api/v1/roles", NULL, NULL, NULL), 200);
    ck_assert_int_eq(bearer_call(&srv, b.token, "GET", "/iam/api/v1/roles", NULL, NULL, NULL), 200);
    /* removed, then a member of the same login in another case made owner */
    iam_ctl_or_die(&srv, "member remove tara");
    ck_invalid_token(&srv, a.token, "GET", NULL);
    iam_ctl_or_die(&srv, "member add TARA --owner");
    ck_assert_int_eq(call(&srv, "TARA", "GET", "/iam/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_invalid_token(&srv, a.token, "GET", NULL);
    /* demoted, then made owner again */
    iam_ctl_or_die(&srv, "revoke --member tess workspace-owner --all");
    ck_invalid_token(&srv, b.token, "GET", NULL);
    iam_ctl_or_die(&srv, "grant --member tess workspace-owner --all");
    ck_invalid_token(&srv, b.token, "GET", NULL);
    /* the list says which are dead, and why */
    e = listed(&srv, &a);
    ck_assert_msg(e && json_is_false(json_object_get(e, "alive")) &&
                      has(str_at(e, "dead_why"), "'tara' was removed"),
                  "%s", e ? json_dumps(e, 0) : "(not listed)");
    e = listed(&srv, &b);
    ck_assert_msg(e && has(str_at(e, "dead_why"), "no longer a Workspace Owner"), "%s",
                  e ? json_dumps(e, 0) : "(not listed)");
    ck_assert_int_eq(naudit(&srv, "token.die", a.id, ctl_actor()), 1);
    ck_assert_int_eq(naudit(&srv, "token.die", b.id, ctl_actor()), 1);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, "<span class=\"badge\">dead</span>") &&
                      has(body, "&#x27;tara&#x27; was removed"),
                  "%s", tail(body));
    iam_ctl_or_die(&srv, "member remove TARA");
    iam_ctl_or_die(&srv, "member remove tess");
}
END_TEST

/* A token is for the JSON API only: not the console, not the site. */
START_TEST(test_token_not_for_console)
{
    tok_t t = create_token(&srv, "api only");
    char *body;

    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/", NULL, &body, NULL), 401);
    ck_assert_msg(!has(body, "Overview") && !has(body, "csrf"), "%s", body);
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/members", NULL, &body, NULL), 401);
    ck_assert_msg(!has(body, "olivia"), "%s", body);
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/tokens", NULL, &body, NULL), 401);
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/sources/checkout/", NULL, &body, NULL),
                     401);
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/owners/", NULL, &body, NULL), 401);
}
END_TEST

/* The console's Tokens tab: create (shown once, after a redirect: a
 * reload makes no second token), use, revoke. */
START_TEST(test_token_console)
{
    char *body, *hdrs, *tok, *p, *list, *cookie, *set;
    size_t before = ntokens(&srv);
    tok_t t;

    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL, NULL, &body, NULL),
                     200);
    tok = iam_test_csrf(body);
    ck_assert_msg(tok != NULL, "%s", body);
    ck_assert_int_eq(call(&srv, "olivia", "POST", "/iam/tokens", FORM,
                          xprintf("csrf=%s&action=create&description=%s", tok, enc("from console")),
                          NULL, &body, &hdrs),
                     303);
    ck_assert_msg(has(iam_test_header(hdrs, "Location"), "/iam/tokens?done=token-created"), "%s",
                  hdrs);
    ck_assert_int_eq(ntokens(&srv), before + 1);
    /* the new token rides to the next page in a cookie for that page only,
     * sealed: a logged Cookie header holds no usable token */
    set = iam_test_header(hdrs, "Set-Cookie");
    ck_assert_msg(set && !strncmp(set, "iam_new_token=", 14) && !has(set, "tok_") &&
                      has(set, "Path=/iam/tokens;") && has(set, "HttpOnly") &&
                      has(set, "SameSite=Strict"),
                  "%s", hdrs);
    cookie = xprintf("Cookie: %s", strndup(set, strcspn(set, ";")));
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/tokens?done=token-created", NULL, NULL, cookie, &body,
             &hdrs),
        200);
    ck_assert_msg(has(body, "Copy the token now") && has(body, "Token created."), "%s", body);
    ck_assert_msg(has(iam_test_header(hdrs, "Set-Cookie"), "iam_new_token=; Path=/iam/tokens; "
                                                            "Max-Age=0"),
                  "the cookie is not cleared: %s", hdrs);
    p = strstr(body, "<code>tok_");
    ck_assert_msg(p != NULL, "no token shown:\n%s", body);
    p += 6;
    t = split_token(strndup(p, strcspn(p, "<")));
    ck_assert_int_eq(count_of(body, t.secret), 1);
    ck_assert_msg(!has(set, t.secret), "the secret is in the cookie: %s", set);
    ck_assert_int_eq(naudit(&srv, "token.create", t.id, "console:olivia"), 1);
    /* the cookie is this owner's: another owner's browser shows nothing */
    add_login(&srv, "other-owner");
    iam_ctl_or_die(&srv, "member add other-owner --owner");
    ck_assert_int_eq(call(&srv, "other-owner", "GET", "/iam/tokens", NULL, NULL, cookie, &body,
                          NULL),
                     200);
    ck_assert_msg(!has(body, t.secret), "%s", body);
    iam_ctl_or_die(&srv, "member remove other-owner");
    /* the page reloaded: no new token, the secret not shown again */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens?done=token-created", NULL, NULL,
                          NULL, &body, NULL),
                     200);
    ck_assert_msg(!has(body, t.secret) && !has(body, "Copy the token now"), "%s", body);
    ck_assert_int_eq(ntokens(&srv), before + 1);
    /* another user's cookie, or a made-up one, shows nothing */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL,
                          xprintf("Cookie: iam_new_token=%s.%s", t.id,
                                  "0000000000000000000000000000000000000000"),
                          &body, NULL),
                     200);
    ck_assert_msg(!has(body, "Copy the token now") || !has(body, "<code>tok_"), "%s", body);
    /* it works */
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/api/v1/roles", NULL, NULL, NULL), 200);
    /* the list: the id, the description, never the secret */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL, NULL, &list, NULL),
                     200);
    ck_assert_msg(has(list, t.id) && has(list, "from console"), "%s", list);
    ck_assert_msg(!has(list, t.secret) && !has(list, "Copy the token now"), "%s", list);
    /* revoked from the list: its button asks first, naming the token */
    ck_assert_msg(has(list, xprintf("href=\"/iam/tokens?confirm=revoke&amp;id=%s\" "
                                    "aria-label=\"Revoke the token %s (from console)\"",
                                    t.id, t.id)),
                  "%s", tail(list));
    ck_assert_int_eq(call(&srv, "olivia", "GET", xprintf("/iam/tokens?confirm=revoke&id=%s", t.id),
                          NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, xprintf("Revoke the token <code>%s</code> (from console) of olivia?",
                                    t.id)),
                  "%s", tail(body));
    ck_assert_int_eq(call(&srv, "olivia", "POST", "/iam/tokens", FORM,
                          xprintf("csrf=%s&action=revoke&id=%s", iam_test_csrf(body), t.id), NULL,
                          &body, &hdrs),
                     303);
    ck_assert_msg(has(iam_test_header(hdrs, "Location"),
                      xprintf("/iam/tokens?done=token-revoked&who=%s", t.id)),
                  "%s", hdrs);
    ck_assert_int_eq(call(&srv, "olivia", "GET",
                          xprintf("/iam/tokens?done=token-revoked&who=%s", t.id), NULL, NULL, NULL,
                          &body, NULL),
                     200);
    ck_assert_msg(has(body, xprintf("Revoked the token %s:", t.id)), "%s", tail(body));
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens?confirm=revoke&id=tok_000000000000",
                          NULL, NULL, NULL, &body, NULL),
                     404);
    ck_assert_int_eq(naudit(&srv, "token.revoke", t.id, "console:olivia"), 1);
    ck_invalid_token(&srv, t.token, "GET", NULL);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL, NULL, &list, NULL),
                     200);
    ck_assert_msg(!has(list, t.id), "%s", list);
    /* without the CSRF token: refused, nothing made */
    ck_assert_int_eq(call(&srv, "olivia", "POST", "/iam/tokens", FORM,
                          "csrf=0&action=create&description=forged", NULL, &body, NULL),
                     403);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL, NULL, &list, NULL),
                     200);
    ck_assert_msg(!has(list, "forged"), "%s", list);
}
END_TEST

/* ================= the suite ================= */

static TCase *server_case(const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, setup, stop_srv);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    return tc;
}

Suite *suite_identity(void)
{
    Suite *s = suite_create("identity");
    TCase *tc;

    tc = server_case("provision", start_provision);
    tcase_add_test(tc, test_provision_first_request);
    tcase_add_test(tc, test_provision_login_is_email);
    tcase_add_test(tc, test_provision_taken_email_left_out);
    tcase_add_test(tc, test_provision_needs_authentication);
    suite_add_tcase(s, tc);

    tc = server_case("invitations", start_invitations);
    tcase_add_test(tc, test_invitation_claimed_by_email);
    tcase_add_test(tc, test_invitation_claimed_per_user);
    tcase_add_test(tc, test_invitation_login_equals_email);
    tcase_add_test(tc, test_invitation_claimed_by_email_login);
    tcase_add_test(tc, test_no_claim_of_active_member);
    tcase_add_test(tc, test_provision_off_refuses);
    tcase_add_test(tc, test_users_tab_status_and_last_seen);
    suite_add_tcase(s, tc);

    tc = server_case("email_verified", start_verified);
    tcase_add_test(tc, test_unverified_invited_owner_gets_no_console);
    tcase_add_test(tc, test_verified_email_claims);
    tcase_add_test(tc, test_unverified_email_claims_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("plan");
    tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_plan_configtest, 0,
                        (int)(sizeof(plan_conf) / sizeof(plan_conf[0])));
    suite_add_tcase(s, tc);

    tc = server_case("race_event", start_race_event);
    tcase_add_loop_test(tc, test_race_first_requests, 0, RACE_ROUNDS);
    tcase_add_test(tc, test_race_claim);
    suite_add_tcase(s, tc);
    tc = server_case("race_prefork", start_race_prefork);
    tcase_add_loop_test(tc, test_race_first_requests, 0, RACE_ROUNDS);
    tcase_add_test(tc, test_race_claim);
    suite_add_tcase(s, tc);

    tc = server_case("invitation_mail", start_mail);
    tcase_add_test(tc, test_api_invite_mails_invitee);
    tcase_add_test(tc, test_api_resend_refused);
    tcase_add_test(tc, test_api_resend_unknown_member);
    tcase_add_test(tc, test_console_invite_mails_invitee);
    suite_add_tcase(s, tc);

    tc = server_case("forward", start_identity);
    tcase_add_test(tc, test_forward_source_admin);
    tcase_add_test(tc, test_forward_owner);
    tcase_add_test(tc, test_forward_reader_and_member);
    tcase_add_test(tc, test_forward_pii_through_group);
    tcase_add_test(tc, test_forged_headers_replaced);
    tcase_add_test(tc, test_forward_off_location);
    tcase_add_test(tc, test_forged_headers_removed_everywhere);
    suite_add_tcase(s, tc);
    tc = server_case("forward_unset", start_identity_unset);
    tcase_add_test(tc, test_forward_default_off);
    suite_add_tcase(s, tc);

    tc = server_case("tokens", start_tokens);
    tcase_add_test(tc, test_token_create_and_list);
    tcase_add_test(tc, test_token_use);
    tcase_add_test(tc, test_token_refused);
    tcase_add_test(tc, test_token_not_for_console);
    tcase_add_test(tc, test_token_console);
    tcase_add_test(tc, test_token_dies_with_its_owner);
    suite_add_tcase(s, tc);
    return s;
}
