/* mod_iam console: what the console's files share, and nothing outside
 * mod_iam/console/ includes it. A request's page is a page_t; P and R are
 * its pool and request. The files, one concern each:
 *
 *   console.c            routing, error pages, links, notices, refusals,
 *                        the tabs and pager of a list
 *   console_forms.c      role rows, permissions tables, pickers
 *   console_home.c       the overview
 *   console_requests.c   access requests: answers, approval, a new owner
 *   console_members.c    Users, Invite Team Member, a member's page
 *   console_groups.c     Groups, Create User Group, a group's page
 *   console_resources.c  Resources, a resource's page and its labels, Roles
 *   console_labels.c     Labels: the workspace's, create, delete, Assign Labels
 *   console_audit.c      the audit trail in words
 *   console_tokens.c     API tokens
 *
 * Their shared functions carry the prefix cs_ and stay inside mod_iam.so
 * (hidden visibility): only iam_console_handle (iam_web.h) is the
 * console's way in. */
#ifndef IAM_CONSOLE_INT_H
#define IAM_CONSOLE_INT_H

#include "iam_html.h"
#include "iam_present.h"

#include "apr_strings.h"
#include "http_protocol.h"

#define ROLE_ROWS 3  /* role rows on the invite and create-group forms */
#define PICK_MAX 500 /* members chosen at once in a picker */

typedef struct {
    iam_web_t *w;
    apr_table_t *form;             /* POST fields */
    const char *error;             /* why the last change was refused */
    int status;                    /* its HTTP status */
    const char *note;              /* something to tell that is no error */
    int begun;                     /* the page's shell is out: an error now is the page's own */
    const char *missing;           /* what a 404 did not find, in words */
    const char *back, *back_label; /* where a console error page leads back to */
    int datalist;                  /* the known resources and labels are on the page */
} page_t;

#define P (pg->w->r->pool)
#define R (pg->w->r)

#pragma GCC visibility push(hidden)

/* console.c: routing, error pages, and what every page uses */
const char *cs_link_to(page_t *pg, const char *fmt, ...);
const char *cs_member_path(apr_pool_t *p, const char *login);
const char *cs_group_path(apr_pool_t *p, const char *name);
const char *cs_with_query(apr_pool_t *p, const char *path, const char *query);
const char *cs_member_link(page_t *pg, const char *login);
const char *cs_group_link(page_t *pg, const char *name);
void cs_form_begin(page_t *pg, const char *action, const char *cls);
void cs_hidden(page_t *pg, const char *name, const char *value);
const char *cs_field(page_t *pg, const char *name);
const char *cs_field_or_query(page_t *pg, const char *name);
void cs_begin(page_t *pg, const char *title, const char *tab);
int cs_see_other(page_t *pg, const char *path, const char *done);
int cs_see_other_who(page_t *pg, const char *path, const char *done, const char *who);
void cs_refused(page_t *pg, const iam_err_t *err);
void cs_refuse_input(page_t *pg, const char *msg);
int cs_store_failed(page_t *pg, const iam_err_t *err);
int cs_not_found(page_t *pg, const char *what, const char *back, const char *back_label);
const char *cs_plural(long n, const char *one, const char *many);
void cs_view_tabs(page_t *pg, const char *label, int n, const char *const *names,
                  const char *const *hrefs, int current);
const char *cs_thousands(apr_pool_t *p, long n);
void cs_pager(page_t *pg, const iam_member_page_t *mp, const char *base, const char *one,
              const char *many, const char *search);
iam_status_e cs_query_page(page_t *pg, const char *group, const char *field, iam_member_query_t *q,
                           iam_member_page_t *out, iam_err_t *err);

/* console_forms.c: role rows, permissions tables, pickers */
void cs_default_action(page_t *pg, const char *value);
void cs_role_row(page_t *pg, const char *suffix, int for_group);
apr_array_header_t *cs_read_role_rows(page_t *pg);
const char *cs_grant_words(page_t *pg, const iam_grant_t *g);
void cs_grants_rows(page_t *pg, const apr_array_header_t *grants, const char *via,
                    const char *via_link, int via_group, const char *action, const char *holder,
                    int last_owner);
int cs_grant_action(const char *action);
int cs_post_grant(page_t *pg, int group, const char *who, const char *action, iam_status_e *st,
                  iam_err_t *err);
int cs_contains_nocase(const char *hay, const char *needle);
int cs_in_list(const apr_array_header_t *a, const char *v);
apr_array_header_t *cs_picked(page_t *pg, const char *name);
const char *cs_choice_print(apr_pool_t *p, const apr_array_header_t *a);
const char *cs_member_label(page_t *pg, const char *login);
void cs_chosen_list(page_t *pg, const char *name, const apr_array_header_t *vals, int members,
                    const char *noun);
void cs_picker_search(page_t *pg, const char *name, const char *value, const char *action,
                      const char *label);
int cs_searched(page_t *pg);
int cs_member_results(page_t *pg, const char *q, const apr_array_header_t *chosen,
                      const char *group);
void cs_group_picker(page_t *pg, apr_array_header_t *groups, const char *find,
                     const apr_array_header_t *except);

/* console_home.c: the overview */
int cs_page_home(page_t *pg);
int cs_post_home(page_t *pg);

/* console_requests.c: access requests */
void cs_requests_table(page_t *pg, apr_array_header_t *list, const char *action, int show_who);
iam_status_e cs_answer_request(page_t *pg, iam_err_t *err);
int cs_page_confirm_owner(page_t *pg);

/* console_members.c: Users, Invite Team Member, a member's page */
int cs_page_members(page_t *pg);
int cs_page_invite(page_t *pg);
int cs_post_invite(page_t *pg);
int cs_page_member(page_t *pg, const char *login);
int cs_page_member_leave(page_t *pg, const char *login, const char *group);
int cs_page_member_remove(page_t *pg, const char *login);
int cs_post_member(page_t *pg, const char *login);

/* console_groups.c: Groups, Create User Group, a group's page */
int cs_page_groups(page_t *pg);
int cs_page_group_new(page_t *pg);
int cs_post_group_new(page_t *pg);
int cs_page_group(page_t *pg, const char *name);
int cs_page_group_delete(page_t *pg, const char *name);
int cs_post_group(page_t *pg, const char *name);

/* console_resources.c: Resources, a resource's page, Roles */
int cs_page_resources(page_t *pg);
int cs_page_resource(page_t *pg, const char *type, const char *name);
int cs_post_resource_labels(page_t *pg, const char *type, const char *name);
int cs_page_roles(page_t *pg);
void cs_known_datalist(page_t *pg);

/* console_labels.c: Labels */
int cs_page_labels(page_t *pg);
int cs_post_labels(page_t *pg);

/* console_audit.c: the audit trail in words */
void cs_audit_entries(page_t *pg, const apr_array_header_t *list);
int cs_page_audit(page_t *pg);

/* console_tokens.c: API tokens */
int cs_page_tokens(page_t *pg);
int cs_page_token_revoke(page_t *pg, const char *id);
int cs_post_tokens(page_t *pg);

#pragma GCC visibility pop

#endif
