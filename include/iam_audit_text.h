/* mod_iam: the audit trail in words.
 *
 * Turns one audit entry (iam_audit_t, as the store writes it) into a
 * sentence ("olivia added max to analysts"), the short list of what
 * changed ("grants: + Source Admin on web; − Source Read-only on all"),
 * and the facts the console filters by. Pure: no I/O, no store reads, no
 * HTML; every text out is plain UTF-8 without control characters, for the
 * caller to escape. Any input is read without a crash: an entry this
 * release does not know, a damaged one, or one the store clipped (at
 * IAM_AUDIT_TEXT_MAX) reads in fewer words, never wrongly in more. */
#ifndef IAM_AUDIT_TEXT_H
#define IAM_AUDIT_TEXT_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "iam_policy.h"
#include "iam_store.h"

/* The families an entry belongs to (iam_audit_text_t.kind and the store's
 * kind filter). */
#define IAM_AUDIT_KIND_MEMBER "member"
#define IAM_AUDIT_KIND_GROUP "group"
#define IAM_AUDIT_KIND_GRANT "grant"
#define IAM_AUDIT_KIND_REQUEST "request"
#define IAM_AUDIT_KIND_TOKEN "token"
#define IAM_AUDIT_KIND_WORKSPACE "workspace"
#define IAM_AUDIT_KIND_OTHER "other" /* an action this release does not know */

typedef struct {
    const char *sentence;        /* "olivia added max to analysts" */
    apr_array_header_t *changes; /* const char *: one line per field that changed, as
                                    "name: Max → Max Mustermann" or "groups: + analysts" */
    const char *kind;            /* IAM_AUDIT_KIND_*: the action's family */
    const char *member;          /* the login it is about, or NULL */
    const char *group;           /* the group it is about, or NULL */
    const char *actor;           /* the actor's login ("olivia" of "console:olivia"), or NULL
                                    for "server", "system" and API tokens */
    const char *via;             /* how they acted: "console", "API", "iamctl", "API token",
                                    "access request"; NULL for "server" and "system" */
    int known;                   /* 0: the action is unknown here; the sentence is the
                                    generic "ACTOR: ACTION on TARGET" */
} iam_audit_text_t;

/* How a login reads to people, e.g. the member's display name; NULL or ""
 * for the login itself. The audit records logins only: a caller that
 * knows names passes this (describing never reads the store). */
typedef const char *iam_audit_name_fn(void *ctx, const char *login);

/* Describes entry `a`, in p. `roles` turns role slugs into names (NULL:
 * slugs as they are); `name` (may be NULL) and `ctx` name logins. */
void iam_audit_describe(apr_pool_t *p, const iam_roles_t *roles, const iam_audit_t *a,
                        iam_audit_name_fn *name, void *ctx, iam_audit_text_t *out);

/* The family of an action (IAM_AUDIT_KIND_*; IAM_AUDIT_KIND_OTHER when
 * unknown). */
const char *iam_audit_kind(const char *action);

/* Whether entry `a` passes filter `f` (every field set must match). Reads
 * the raw entry only, never the roles, so the store can filter with it.
 *   kind:   the action's family; "grant" also takes every entry whose
 *           before and after hold different grants (an edit, an approval)
 *   member: about that login: its target, a login a group gained or lost,
 *           the owner of a token that died
 *   group:  about that group: its target ("group:NAME"), or a member who
 *           joined or left it
 *   actor:  by that login through any door ("olivia": "console:olivia",
 *           "api:olivia", ...), or that actor exactly ("server")
 * Names compare without regard to case. p holds scratch allocations. */
int iam_audit_match(apr_pool_t *p, const iam_audit_t *a, const iam_audit_filter_t *f);

/* When, for people: "just now", "1 minute ago", "5 minutes ago", "1 hour
 * ago", "3 hours ago", "yesterday" (24 to 48 hours), "5 days ago" (up to
 * 7), then the date "12 Mar 2026" (UTC), as for any time in the future
 * beyond a minute of clock skew. */
const char *iam_time_ago(apr_pool_t *p, long long t, long long now);
/* The exact time, for a title: "Thu 12 Mar 2026 14:40:19 UTC" ("" for 0
 * or a time no calendar holds). */
const char *iam_time_exact(apr_pool_t *p, long long t);

#endif
