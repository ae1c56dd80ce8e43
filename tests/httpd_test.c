/* mod_iam integration tests, the httpd suite (httpd_test.h): what its
 * files share, defined once. The demo server of the running TCase and the
 * members its fixtures add, one request's status as a user, the check of
 * a row of an access matrix and of a configuration apache2 -t must
 * refuse; and suite_httpd(), which gathers the files' TCases. */
#include "httpd_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

iam_httpd_t ht_srv;

void add_user(const iam_httpd_t *h, const char *login)
{
    char *out;
    int rc =
        iam_test_run(&out, NULL, "htpasswd -bm '%s/htpasswd' '%s' '%s-pw'", h->root, login, login);
    if (rc != 0) {
        fprintf(stderr, "htpasswd %s: %s\n", login, out);
        abort();
    }
    free(out);
}

/* The fixture's members beside the demo's: lena, cara, wanda. */
void add_fixture_members(const iam_httpd_t *h)
{
    add_user(h, "lena");
    add_user(h, "cara");
    add_user(h, "wanda");
    iam_ctl_or_die(h, "member add lena");
    iam_ctl_or_die(h, "grant --member lena source-admin --label env:prod");
    iam_ctl_or_die(h, "member add cara");
    iam_ctl_or_die(h, "grant --member cara source-admin --all");
    iam_ctl_or_die(h, "member add wanda");
    iam_ctl_or_die(h, "grant --member wanda warehouse-read-only");
}

void stop_demo(void)
{
    iam_httpd_cleanup(&srv);
}

/* One request as `user` (password "<user>-pw"), or with no user. */
long status_on(const iam_httpd_t *h, const char *method, const char *path, const char *user)
{
    char userpass[128], *body;
    long st;

    if (user)
        snprintf(userpass, sizeof(userpass), "%s:%s-pw", user, user);
    st = iam_http(h, method, path, user ? userpass : NULL, &body);
    free(body);
    return st;
}

long status_of(const char *method, const char *path, const char *user)
{
    return status_on(&srv, method, path, user);
}

/* One row: the request, as the row's user, answers the row's status. */
void ck_row(const matrix_row_t *row)
{
    long got = status_of(row->method, row->path, row->user);

    ck_assert_msg(got == row->want, "%s %s %s: got %ld, want %ld",
                  row->user ? row->user : "(no user)", row->method, row->path, got, row->want);
}

void ck_refused(iam_httpd_t *h, const bad_config_t *row)
{
    char *out;
    int rc = iam_httpd_configtest(h, row->conf, &out);

    ck_assert_msg(rc != 0, "configtest passed for:\n%s", row->conf);
    ck_assert_msg(strstr(out, row->want), "for:\n%s\nwant '%s' in:\n%s", row->conf, row->want, out);
    free(out);
}

Suite *suite_httpd(void)
{
    Suite *s = suite_create("httpd");

    ht_add_mpm(s);
    ht_add_config(s);
    ht_add_paths(s);
    return s;
}
