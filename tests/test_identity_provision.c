/* mod_iam tests, suite "identity": just-in-time members (IAMAutoProvision
 * On). The first request of an authenticated login makes it a Workspace
 * Member with the IdP's email and name, once; a login that looks like an
 * email is the email; another member's email is left out; provisioning
 * never replaces authentication. And IAMAutoProvision is for the business
 * plan only: apache2 -t refuses it on free and team. */
#include "identity_test.h"

#include <stdlib.h>

/* Whether the server's error log says `what` (the child's writer says who
 * joined just after it wrote it). */
static int log_says(const iam_httpd_t *h, const char *what)
{
    char *log = iam_httpd_log(h);
    int yes = has(log, what);

    free(log);
    return yes;
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
    ck_assert_int_eq(
        call(&srv, "olivia", "GET", "/iam/members?q=jane", NULL, NULL, NULL, &body, NULL), 200);
    ck_assert_msg(has(body, "class=\"badge\" title=\"Made a member by just-in-time provisioning"),
                  "%s", tail(body));
    free(body);
    ck_assert_int_eq(naudit(&srv, "member.provision", "jane", "system"), 1);
    ck_assert_int_eq(naudit(&srv, "member.provision", "jane", NULL), 1);
    IAM_EVENTUALLY(log_says(&srv, "'jane' joined as a Workspace Member (IAMAutoProvision)"));
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

void id_add_provision(Suite *s)
{
    TCase *tc;

    tc = id_server_case("provision", start_provision);
    tcase_add_test(tc, test_provision_first_request);
    tcase_add_test(tc, test_provision_login_is_email);
    tcase_add_test(tc, test_provision_taken_email_left_out);
    tcase_add_test(tc, test_provision_needs_authentication);
    suite_add_tcase(s, tc);
}

/* The plan's TCase runs after the invitations' (test_identity_invitations.c),
 * where it always has: suite_identity() calls this apart. */
void id_add_provision_plan(Suite *s)
{
    TCase *tc;

    tc = tcase_create("plan");
    tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
    tcase_set_timeout(tc, IAM_TIMEOUT_SERVER);
    tcase_add_loop_test(tc, test_plan_configtest, 0,
                        (int)(sizeof(plan_conf) / sizeof(plan_conf[0])));
    suite_add_tcase(s, tc);
}
