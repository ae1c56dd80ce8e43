/* mod_iam tests, suite "identity": invitations claimed (IAMAutoProvision
 * Off) and verified emails. An invited member is taken up by the login
 * whose IdP email (or whose login, when it is an email) matches, with its
 * grants and groups; an active member's email is no invitation; unknown
 * logins are refused; the Users tab shows who is invited and when each was
 * last seen. With IAMUserAttribute email_verified, an unverified email
 * claims nothing, and an unverified invited owner gets no console. */
#include "identity_test.h"

#include <stdlib.h>
#include <string.h>

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
    ck_assert_msg(count_of(inv, "<tr><td data-label=\"Name\">") ==
                      count_of(inv, "badge invited\">invited"),
                  "%s", inv);
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
    extra = xprintf("%sIAMUserAttribute email_verified OIDC_CLAIM_email_verified\n"
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
        ck_assert_int_eq(
            call(&srv, "chief@corp.example", "GET", reads[i], NULL, NULL, NULL, &body, NULL), 403);
        ck_assert_msg(!has(body, "csrf") && !has(body, "olivia"), "%s: %s", reads[i], body);
        if (!tok)
            tok = iam_test_csrf(body);
    }
    ck_assert_int_eq(call(&srv, "chief@corp.example", "POST", "/iam/api/v1/tokens", JSON,
                          "{\"description\":\"mine\"}", NULL, &body, NULL),
                     403);
    ck_assert_int_eq(call(&srv, "chief@corp.example", "POST", "/iam/api/v1/members", JSON,
                          "{\"login\":\"crony\",\"grants\":[{\"role\":\"workspace-owner\"}]}", NULL,
                          &body, NULL),
                     403);
    ck_assert_msg(member_of(&srv, "crony") == NULL, "an unverified invitee added an owner");
    ck_assert_int_eq(ntokens(&srv), 0);
    m = member_of(&srv, "chief@corp.example");
    ck_assert_msg(m && !strcmp(str_at(m, "status"), "invited"), "the invitation was taken up");
    json_decref(m);
}
END_TEST

void id_add_invitations(Suite *s)
{
    TCase *tc;

    tc = id_server_case("invitations", start_invitations);
    tcase_add_test(tc, test_invitation_claimed_by_email);
    tcase_add_test(tc, test_invitation_claimed_per_user);
    tcase_add_test(tc, test_invitation_login_equals_email);
    tcase_add_test(tc, test_invitation_claimed_by_email_login);
    tcase_add_test(tc, test_no_claim_of_active_member);
    tcase_add_test(tc, test_provision_off_refuses);
    tcase_add_test(tc, test_users_tab_status_and_last_seen);
    suite_add_tcase(s, tc);

    tc = id_server_case("email_verified", start_verified);
    tcase_add_test(tc, test_unverified_invited_owner_gets_no_console);
    tcase_add_test(tc, test_verified_email_claims);
    tcase_add_test(tc, test_unverified_email_claims_nothing);
    suite_add_tcase(s, tc);
}
