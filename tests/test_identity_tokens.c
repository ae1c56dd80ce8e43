/* mod_iam tests, suite "identity": API tokens. Made through the API or the
 * console's Tokens tab and shown once, kept as a hash only; used with
 * "Authorization: Bearer" on the JSON API only, named in the audit trail;
 * refused when wrong, unknown, revoked or malformed, never logged with the
 * secret; dead for good with their owner's authority. */
#include "identity_test.h"

#include <ctype.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* An API call with "Authorization: Bearer TOKEN" and no login. */
static long bearer_call(const iam_httpd_t *h, const char *token, const char *method,
                        const char *path, const char *json, char **out, char **headers)
{
    return call(h, NULL, method, path, json ? JSON : NULL, json,
                xprintf("Authorization: Bearer %s", token), out, headers);
}

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

/* A token for an identity provider (issue 17) is listed as such and does
 * not open the JSON API; a scope other than "api" or "scim" is refused. */
START_TEST(test_token_scim_scope)
{
    char *body = NULL;
    json_t *j, *e;
    tok_t t, api_tok = create_token(&srv, "a script");

    ck_assert_str_eq(str_at(listed(&srv, &api_tok), "scope"), "api");
    ck_assert_int_eq(
        api(&srv, "POST", "tokens", "{\"description\":\"okta\",\"scope\":\"scim\"}", &body), 201);
    j = parse_json(body);
    ck_assert_str_eq(str_at(j, "scope"), "scim");
    t = split_token(str_at(j, "token"));
    json_decref(j);
    e = listed(&srv, &t);
    ck_assert_msg(e && !strcmp(str_at(e, "scope"), "scim"), "not listed as SCIM");
    ck_assert_int_eq(bearer_call(&srv, t.token, "GET", "/iam/api/v1/roles", NULL, &body, NULL),
                     403);
    ck_assert_msg(has(body, "scim/v2/ only"), "%s", body);
    ck_assert_int_eq(bearer_call(&srv, api_tok.token, "GET", "/iam/api/v1/roles", NULL, NULL, NULL),
                     200);
    ck_assert_int_eq(
        api(&srv, "POST", "tokens", "{\"description\":\"x\",\"scope\":\"root\"}", &body), 400);
    ck_assert_int_eq(naudit(&srv, "token.create", t.id, "api:olivia"), 1);
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens", NULL, NULL, NULL, &body, NULL),
                     200);
    ck_assert_msg(has(body, "for an identity provider (SCIM)"), "%s", tail(body));
    /* made on the Tokens tab: shown once with the base URL to give the provider */
    {
        char *hdrs = NULL, *set, *csrf = iam_test_csrf(body);
        ck_assert_int_eq(call(&srv, "olivia", "POST", "/iam/tokens", FORM,
                              xprintf("csrf=%s&action=create&description=okta&scope=scim", csrf),
                              NULL, &body, &hdrs),
                         303);
        set = iam_test_header(hdrs, "Set-Cookie");
        ck_assert_ptr_nonnull(set);
        ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens?done=token-created", NULL, NULL,
                              xprintf("Cookie: %s", strndup(set, strcspn(set, ";"))), &body, NULL),
                         200);
        ck_assert_msg(has(body, "Copy the token now") &&
                          has(body, xprintf("http://127.0.0.1:%d/iam/scim/v2</code>", srv.port)) &&
                          has(body, "works on SCIM only"),
                      "%s", body);
    }
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

/* A suspended member (issue 17: SCIM's active: false) is refused by every
 * door at their next request, an owner too (the console, their tokens,
 * which die), and let in again when made active, with the grants they
 * had; the last active owner cannot be suspended. */
START_TEST(test_member_suspended)
{
    tok_t t;
    char *out = NULL;

    add_login(&srv, "suzy");
    add_login(&srv, "sid");
    iam_ctl_or_die(&srv, "member add suzy --owner");
    iam_ctl_or_die(&srv, "member add sid");
    iam_ctl_or_die(&srv, "grant --member sid source-read-only --all");
    t = create_token_as(&srv, "suzy", "suzy's script");
    ck_assert_int_eq(call(&srv, "sid", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 200);
    iam_ctl_or_die(&srv, "member suspend sid");
    ck_assert_int_eq(call(&srv, "sid", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&srv, "sid", "GET", "/iam/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(iam_ctl(&srv, &out, "member show sid"), 0);
    ck_assert_msg(has(out, "status:  suspended") && has(out, "Source Read-only"), "%s", out);
    free(out);
    iam_ctl_or_die(&srv, "member resume sid");
    ck_assert_int_eq(call(&srv, "sid", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 200);

    ck_assert_int_eq(call(&srv, "suzy", "GET", "/iam/", NULL, NULL, NULL, NULL, NULL), 200);
    iam_ctl_or_die(&srv, "member suspend suzy");
    ck_assert_int_eq(call(&srv, "suzy", "GET", "/iam/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_assert_int_eq(call(&srv, "suzy", "GET", "/sources/web/", NULL, NULL, NULL, NULL, NULL), 403);
    ck_invalid_token(&srv, t.token, "GET", NULL);
    iam_ctl_or_die(&srv, "member resume suzy");
    ck_assert_int_eq(call(&srv, "suzy", "GET", "/iam/", NULL, NULL, NULL, NULL, NULL), 200);
    ck_invalid_token(&srv, t.token, "GET", NULL); /* dead for good */
    ck_assert_int_eq(naudit(&srv, "member.suspend", "suzy", ctl_actor()), 1);
    ck_assert_int_eq(naudit(&srv, "member.resume", "sid", ctl_actor()), 1);
    iam_ctl_or_die(&srv, "member remove suzy");
    iam_ctl_or_die(&srv, "member remove sid");
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
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens?done=token-created", NULL, NULL,
                          cookie, &body, &hdrs),
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
    ck_assert_int_eq(
        call(&srv, "other-owner", "GET", "/iam/tokens", NULL, NULL, cookie, &body, NULL), 200);
    ck_assert_msg(!has(body, t.secret), "%s", body);
    iam_ctl_or_die(&srv, "member remove other-owner");
    /* the page reloaded: no new token, the secret not shown again */
    ck_assert_int_eq(call(&srv, "olivia", "GET", "/iam/tokens?done=token-created", NULL, NULL, NULL,
                          &body, NULL),
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
    ck_assert_msg(
        has(body, xprintf("Revoke the token <code>%s</code> (from console) of olivia?", t.id)),
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

void id_add_tokens(Suite *s)
{
    TCase *tc;

    tc = id_server_case("tokens", start_tokens);
    tcase_add_test(tc, test_token_create_and_list);
    tcase_add_test(tc, test_token_scim_scope);
    tcase_add_test(tc, test_token_use);
    tcase_add_test(tc, test_token_refused);
    tcase_add_test(tc, test_token_not_for_console);
    tcase_add_test(tc, test_token_console);
    tcase_add_test(tc, test_token_dies_with_its_owner);
    tcase_add_test(tc, test_member_suspended);
    suite_add_tcase(s, tc);
}
