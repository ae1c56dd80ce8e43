/* mod_iam: the audit trail in words (iam_audit_text.h), its private parts.
 *
 *   audit_read.c    texts out (plain, shown, folded lists) and reading the
 *                   store's texts: records, grants, requests, logins
 *   audit_diff.c    what changed between an entry's before and after
 *   audit_say.c     the sentences, one per action: iam_audit_describe
 *   audit_filter.c  the filters on raw entries (iam_audit_match), and times
 *
 * What the store writes as an entry's before and after (mod_iam/store/audit.c,
 * describe_member, describe_group, describe_grants):
 *
 *   member   status=active email=max@example.com name=Max Mustermann pii=no
 *            grants=[source-admin on checkout web; warehouse-admin on all] groups=[eng,"a, b"]
 *   group    pii=no grants=[personas-read-only on labels env:prod team:x] members=12
 *   request  edit source checkout (revision 2): the member's message
 *
 * A name that could pass for that syntax is written in double quotes (\"
 * and \\ escaped); older records wrote every name bare, and are read as
 * well as bare text can be. A text longer than IAM_AUDIT_TEXT_MAX was cut
 * and ends in "...": a list it cut is "incomplete" below, and is never
 * taken for a list that lost items.
 *
 * Every text out goes through at_plain() last: valid UTF-8, no control
 * characters, whatever the record held. */
#ifndef IAM_AUDIT_INT_H
#define IAM_AUDIT_INT_H

#include "iam_audit_text.h"

#include <apr_strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FOLD 5       /* a list longer than this shows FOLD_SHOW items and a count */
#define FOLD_SHOW 3  /* ... "a, b, c and 597 more" */
#define SAY 3        /* names a sentence spells out before it counts them */
#define SHOW_MAX 200 /* bytes of one free text (a name, a message) shown */

/* Not for the module's other files, nor httpd's other modules. */
#pragma GCC visibility push(hidden)

typedef struct {
    int present;               /* the field was read */
    int complete;              /* up to its ']': no item missing */
    apr_array_header_t *items; /* const char * */
} list_t;

typedef struct {
    int empty;  /* no text: before a creation, after a removal */
    int fields; /* how many fields were read */
    const char *status, *email, *name, *pii, *members; /* NULL: not read */
    list_t grants, groups;
} rec_t;

/* One grant as describe_grants writes it: "SLUG on all", "SLUG on a b",
 * "SLUG on labels k:v k:v". */
typedef struct {
    const char *slug; /* NULL: not that form; text is shown as it is */
    iam_scope_e scope;
    apr_array_header_t *items; /* const char * */
    const char *text;
} pgrant_t;

/* A request as the store writes it: "LEVEL TYPE NAME (revision N)", then
 * ": MESSAGE" in the after of request.open, .level and .update. */
typedef struct {
    const char *level, *type, *name;
    const char *message; /* NULL: none written */
} preq_t;

typedef struct {
    apr_array_header_t *fields;         /* const char *: the names of the fields that changed */
    apr_array_header_t *gplus, *gminus; /* pgrant_t: grants given, taken */
    apr_array_header_t *nplus, *nminus; /* const char *: groups joined, left */
    int lists_known;                    /* gplus... say all that changed in the lists */
    int readable;                       /* both sides read as records */
} diff_t;

/* audit_read.c */
const char *at_plain(apr_pool_t *p, const char *s);
const char *at_shown(apr_pool_t *p, const char *s);
const char *at_join_words(apr_pool_t *p, const apr_array_header_t *a, const char *last);
const char *at_fold(apr_pool_t *p, const apr_array_header_t *a, const char *sep);
const char *at_count(apr_pool_t *p, long n, const char *one, const char *many);
int at_has_ci(const char *hay, const char *needle);
int at_clipped(const char *s);
void at_read_rec(apr_pool_t *p, const char *text, rec_t *r);
const char *at_rec_value(const rec_t *r, const char *v, const char *none);
const list_t *at_rec_list(apr_pool_t *p, const rec_t *r, const list_t *l);
int at_in_items(const apr_array_header_t *a, const char *s);
int at_same_items(const apr_array_header_t *a, const apr_array_header_t *b);
apr_array_header_t *at_read_grants(apr_pool_t *p, const list_t *l);
void at_grants_minus(apr_pool_t *p, const apr_array_header_t *a, const apr_array_header_t *b,
                     apr_array_header_t *out);
apr_array_header_t *at_names_minus(apr_pool_t *p, const apr_array_header_t *a,
                                   const apr_array_header_t *b);
const char *at_grant_words(apr_pool_t *p, const iam_roles_t *roles, const pgrant_t *g);
int at_read_request(apr_pool_t *p, const char *s, preq_t *q);
const char *at_request_what(apr_pool_t *p, const preq_t *q);
const char *at_approve_member(apr_pool_t *p, const char *before, const char **asked);
const char *at_token_owner(apr_pool_t *p, const char *after);
apr_array_header_t *at_read_logins(apr_pool_t *p, const char *s);

/* audit_diff.c */
void at_read_rec(apr_pool_t *p, const char *text, rec_t *r);
const list_t *at_rec_list(apr_pool_t *p, const rec_t *r, const list_t *l);
void at_grants_minus(apr_pool_t *p, const apr_array_header_t *a, const apr_array_header_t *b,
                     apr_array_header_t *out);
const char *at_grant_words(apr_pool_t *p, const iam_roles_t *roles, const pgrant_t *g);
int at_same_list(const apr_array_header_t *a, const apr_array_header_t *b);
void at_diff_records(apr_pool_t *p, const iam_roles_t *roles, const char *before, const char *after,
                     apr_array_header_t *changes, diff_t *d);

#pragma GCC visibility pop

#endif
