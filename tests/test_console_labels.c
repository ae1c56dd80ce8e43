/* mod_iam integration tests, console suite: the Labels tab and the labels
 * of a resource's page (issue 16). A label made with the form, applied to
 * two resources at once by Assign Labels (a label-scoped grant opens on
 * both at the next request), kept while in use (its Delete disabled, a
 * forged delete refused), taken off one resource on its page (the grant
 * closes there only); bad input refused and nothing changed. */
#include "console_test.h"

#include <stdlib.h>

START_TEST(test_labels_tab)
{
    char *before, *after;
    resp_t r;

    add_login(&srv, "lbl-lou");
    iam_ctl_or_die(&srv, "member add lbl-lou");
    r = post_form("/iam/labels", kv("action", "create", "label", "team:console", "description",
                                    "Console team", NULL));
    ck_see_other(&r, "/iam/labels", "label-created");
    resp_free(&r);
    iam_ctl_or_die(&srv, "grant --member lbl-lou source-read-only --label team:console");
    ck_access("lbl-lou", "/sources/ios/", 403);
    ck_access("lbl-lou", "/sources/checkout/", 403);

    r = get_as("olivia", "/iam/labels");
    ck_assert_int_eq(r.status, 200);
    ck_has(r.body, "Console team");
    ck_has(r.body, "team:growth</span></a> <span class=\"muted\">from httpd.conf");
    ck_has(r.body, "Assign Labels");
    resp_free(&r);

    /* Assign Labels: both resources in one change */
    r = post_form("/iam/labels", kv("action", "assign", "label", "team:console", "resource",
                                    "source/ios", "resource", "source/checkout", NULL));
    ck_see_other(&r, "/iam/labels", "label-assigned");
    resp_free(&r);
    ck_access("lbl-lou", "/sources/ios/", 200);
    ck_access("lbl-lou", "/sources/checkout/", 200);
    r = get_as("olivia", "/iam/resources?label=team:console");
    ck_has(r.body, "aria-label=\"Who can reach source checkout\"");
    ck_has(r.body, "aria-label=\"Who can reach source ios\"");
    ck_lacks(r.body, "aria-label=\"Who can reach source web\"");
    resp_free(&r);

    /* in use: Delete is disabled, and a forged one changes nothing */
    r = get_as("olivia", "/iam/labels");
    ck_has(r.body, "disabled aria-label=\"Delete team:console\"");
    ck_has(r.body, "in use by 2 resources and 1 grant");
    resp_free(&r);
    before = export_store();
    r = post_form("/iam/labels", kv("action", "delete", "label", "team:console", NULL));
    ck_assert_int_eq(r.status, 409);
    ck_has(r.body, "in use");
    resp_free(&r);
    r = post_form("/iam/labels", kv("action", "assign", "label", "team:console", NULL));
    ck_assert_int_eq(r.status, 400);
    resp_free(&r);
    r = post_form("/iam/resources/source/ios/labels", kv("labels", "nocolon", NULL));
    ck_assert_int_eq(r.status, 400);
    ck_has(r.body, "a label is KEY:VALUE");
    resp_free(&r);
    r = post_form("/iam/resources/source/ios/labels", kv("labels", "env:dev env:prod", NULL));
    ck_assert_int_eq(r.status, 400);
    resp_free(&r);
    after = export_store();
    ck_same_store(before, after);
    free(before);
    free(after);

    /* a resource's page: its labels and where each comes from; taken off */
    r = get_as("olivia", "/iam/resources/source/ios");
    ck_has(r.body, "team:console</span> <span class=\"muted\">the workspace's");
    ck_has(r.body, "env:dev</span> <span class=\"muted\">from httpd.conf");
    ck_has(r.body, "Save labels");
    resp_free(&r);
    r = post_form("/iam/resources/source/ios/labels", kv("labels", "", NULL));
    ck_see_other(&r, "/iam/resources/source/ios", "labels-saved");
    resp_free(&r);
    ck_access("lbl-lou", "/sources/ios/", 403);
    ck_access("lbl-lou", "/sources/checkout/", 200);

    /* no longer in use: deleted */
    r = post_form("/iam/resources/source/checkout/labels", kv("labels", "", NULL));
    ck_see_other(&r, "/iam/resources/source/checkout", "labels-saved");
    resp_free(&r);
    iam_ctl_or_die(&srv, "revoke --member lbl-lou source-read-only --label team:console");
    r = post_form("/iam/labels", kv("action", "delete", "label", "team:console", NULL));
    ck_see_other(&r, "/iam/labels", "label-deleted");
    resp_free(&r);
}
END_TEST

void cs_t_add_labels(Suite *s)
{
    TCase *tc = cs_t_server_case("console_labels", start_console, stop_console);

    tcase_add_test(tc, test_labels_tab);
    suite_add_tcase(s, tc);
}
