/* mod_iam tests: what the files of the "identity" suite share
 * (identity_test.h says what each is), and the suite itself, gathered from
 * those files. */
#include "identity_test.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

iam_httpd_t srv; /* the server of the running TCase */

/* ---- small helpers (tests run in forked children: leaks are fine) ---- */

/* At most the last 3000 characters of s, for a failure message. */
const char *tail(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    return !s ? "(null)" : n > 3000 ? s + n - 3000 : s;
}

char *enc(const char *s)
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

json_t *parse_json(const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body ? body : "", 0, &e);

    ck_assert_msg(j != NULL, "not JSON (%s):\n%s", e.text, body);
    return j;
}

const char *str_at(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "(missing)";
}

/* ---- servers ---- */

/* A login of the password file, password "<login>-pw". */
void add_login(const iam_httpd_t *h, const char *login)
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
char *idp_env(const char *login, const char *assignments)
{
    char *cred = xprintf("%s:%s-pw", login, login);

    return xprintf("SetEnvIf Authorization \"^Basic %s$\" %s\n",
                   regex_quote(base64(cred, strlen(cred))), assignments);
}

char *idp_claims(const char *login, const char *email, const char *name)
{
    return idp_env(login,
                   xprintf("%s%s%s%s%s", email ? "OIDC_CLAIM_email=" : "", email ? email : "",
                           name ? " \"OIDC_CLAIM_name=" : "", name ? name : "", name ? "\"" : ""));
}

const char *const idp_conf = "LoadModule setenvif_module " MODULES "/mod_setenvif.so\n"
                             "IAMUserAttribute email OIDC_CLAIM_email\n"
                             "IAMUserAttribute name OIDC_CLAIM_name\n";

void start_or_die(iam_httpd_t *h, const char *mpm, const char *extra)
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
long call(const iam_httpd_t *h, const char *user, const char *method, const char *path,
          const char *ctype, const char *body, const char *header, char **out, char **headers)
{
    iam_req_t req = {method, path, user ? xprintf("%s:%s-pw", user, user) : NULL,
                     ctype,  body, {header, NULL}};
    char *b = NULL;
    long st = iam_http_do(h, &req, out ? out : &b, headers);

    free(b);
    return st;
}

long status_of(const iam_httpd_t *h, const char *user, const char *path)
{
    return call(h, user, "GET", path, NULL, NULL, NULL, NULL, NULL);
}

/* An API call as olivia: BASE/api/v1/PATH. */
long api(const iam_httpd_t *h, const char *method, const char *path, const char *json, char **out)
{
    return call(h, "olivia", method, xprintf("/iam/api/v1/%s", path), json ? JSON : NULL, json,
                NULL, out, NULL);
}

/* The number of tokens the API lists. */
size_t ntokens(const iam_httpd_t *h)
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

/* ---- the store, through iamctl ---- */

/* `iamctl member show LOGIN --json`, or NULL when there is no such member. */
json_t *member_of(const iam_httpd_t *h, const char *login)
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

int nmembers(const iam_httpd_t *h)
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
int naudit(const iam_httpd_t *h, const char *action, const char *target, const char *actor)
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
int is_active(const iam_httpd_t *h, const char *login)
{
    json_t *m = member_of(h, login);
    int active = m && !strcmp(str_at(m, "status"), "active");

    json_decref(m);
    return active;
}

/* (An invited member turns active just after their first request is
 * answered: the child writes it, touch.c.) */
void ck_active_member(const iam_httpd_t *h, const char *login, const char *email, const char *name)
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

TCase *id_server_case(const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, setup, stop_srv);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    return tc;
}

Suite *suite_identity(void)
{
    Suite *s = suite_create("identity");

    id_add_provision(s);
    id_add_invitations(s);
    id_add_provision_plan(s);
    id_add_races(s);
    id_add_mail(s);
    id_add_forward(s);
    id_add_tokens(s);
    return s;
}
