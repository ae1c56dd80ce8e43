/* mod_iam: the store. The only door to LMDB: nothing else includes
 * <lmdb.h>. Every function that touches the store runs in one transaction
 * that begins and ends inside it, so every write is all or nothing. */
#ifndef IAM_STORE_H
#define IAM_STORE_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "iam_policy.h"

#define IAM_STORE_DEFAULT_DIR "/var/lib/apache2/iam"
#define IAM_STORE_DEFAULT_MAPSIZE ((size_t)1 << 30)
/* 2: member records carry their groups' grants; 3: request and token records
 * of format 2 (revisions, dead tokens); 4: request records of format 3 (how
 * a request ended, its resource's labels) and answered requests ('r'); 5:
 * the name, group-member and role-holder indexes; 6: the operation log (its
 * first entry, in a store upgraded, puts every record the store held); 7:
 * ids of members and groups ('I', 'i', 'J', 'j': SCIM's; a store upgraded
 * gets them from iam_store_ids_fill, at SCIM's first request). A
 * release refuses a store of a newer format rather than take its records
 * for damage; the first write of this release upgrades an older one. */
#define IAM_STORE_FORMAT 7

typedef struct iam_store iam_store_t;

typedef enum {
    IAM_OK = 0,
    IAM_NOTFOUND,    /* no such member, group or grant */
    IAM_EXISTS,      /* already there */
    IAM_INVALID,     /* refused input; the message says why */
    IAM_LAST_OWNER,  /* would leave the workspace without an owner */
    IAM_PLAN,        /* the plan does not allow it */
    IAM_FULL,        /* the map is full: raise IAMMapSize */
    IAM_CORRUPT,     /* a damaged record or a foreign file */
    IAM_VERSION,     /* a store format this build does not know */
    IAM_NOSTORE,     /* no store there: run iamctl init */
    IAM_ACCESS,      /* permission denied */
    IAM_STALE,       /* changed since the caller read it: read again */
    IAM_ERROR,       /* anything else from LMDB or the OS */
    IAM_UNAVAILABLE, /* the workspace's database cannot be reached: nothing was written */
    IAM_IN_USE       /* something else uses it (a label a grant names) */
} iam_status_e;

/* A short, fixed description of a status. */
const char *iam_status_str(iam_status_e st);

/* The detail of a failed call: status plus a message for the user. */
typedef struct {
    iam_status_e status;
    char msg[512];
} iam_err_t;

/* A member's status: active; invited (active at their first login);
 * suspended (SCIM's active: false): refused by every Require, their grants
 * and groups kept for when they come back. */
typedef enum { IAM_ACTIVE = 0, IAM_INVITED = 1, IAM_SUSPENDED = 2 } iam_member_status_e;
#define IAM_STATUS_LAST IAM_SUSPENDED
/* "active", "invited", "suspended"; parse: 0 ok, -1 unknown. */
const char *iam_member_status_name(iam_member_status_e status);
int iam_member_status_parse(const char *s, iam_member_status_e *out);

typedef struct {
    const char *login; /* as first given: unique regardless of case, matched as the
                          workspace's login case says (iam_store_fold_case) */
    const char *email;
    const char *name;
    iam_member_status_e status;
    int pii;
    long long created;          /* unix seconds */
    long long last_seen;        /* unix seconds; 0: never (updated hourly at most) */
    int provisioned;            /* made by just-in-time provisioning at first login */
    apr_array_header_t *grants; /* iam_grant_t */
    apr_array_header_t *groups; /* const char *: group names */
} iam_member_t;

typedef struct {
    const char *name;
    int pii;
    long long created;
    apr_array_header_t *grants;  /* iam_grant_t */
    apr_array_header_t *members; /* const char *: logins (filled by _get) */
} iam_group_t;

/* One entry of the audit trail. */
typedef struct {
    unsigned long long seq; /* increasing; newest is largest */
    long long time;         /* unix seconds */
    const char *actor;      /* "iamctl:root", "console:olivia", "api:olivia", "server", "system" */
    const char *action;     /* "member.add", "grant", "group.update", ... */
    const char *target;     /* a login, or "group:NAME" */
    const char *before, *after;
} iam_audit_t;

/* An API token: the secret is never stored, only its SHA-256. */
typedef struct {
    const char *id; /* public part: "tok_" + 12 hex digits */
    const char *description;
    const char *creator;
    const char *owner; /* the owner whose authority it carries: it dies with it */
    long long created, last_used;
    long long dead;       /* 0: alive; else when its owner was removed or demoted */
    const char *dead_why; /* "" while alive */
    const char *scope;    /* IAM_TOKEN_API: the JSON API; IAM_TOKEN_SCIM: scim/v2/ only */
} iam_token_t;
#define IAM_TOKEN_API "api"
#define IAM_TOKEN_SCIM "scim"

/* What happened when an unknown login arrived (iam_store_member_arrive). */
typedef enum {
    IAM_ARRIVE_NONE = 0, /* still not a member */
    IAM_ARRIVE_CLAIMED,  /* an invitation for their email became theirs */
    IAM_ARRIVE_PROVISIONED
} iam_arrive_e;

/* What became of an access request. It ends when an owner approves or
 * dismisses it, or when any change gives the member the access it asked
 * for; the member's other requests stay open. */
typedef enum {
    IAM_REQUEST_OPEN = 0,
    IAM_REQUEST_APPROVED,  /* an owner approved it (granted_role says what) */
    IAM_REQUEST_DISMISSED, /* an owner dismissed it */
    IAM_REQUEST_GRANTED    /* another change gave the access it asked for */
} iam_request_status_e;

/* An access request: a denied member asks for a resource. One per member
 * and resource; an answered one is kept IAM_REQUEST_KEEP_DAYS for the
 * member to see what became of it, then forgotten. */
typedef struct {
    const char *login;    /* the requester, as the member spells it */
    const char *type;     /* resource type, or "console" */
    const char *name;     /* resource name; "*" for a collection */
    const char *path;     /* the URL path that was denied */
    iam_level_e level;    /* the level it needed */
    const char *message;  /* the member's words */
    long long time;       /* unix seconds, of the latest ask */
    unsigned rev;         /* 1 when filed, one more at each change: an approval names the
                             revision its owner saw */
    long long level_time; /* when its level last changed (0: never): once a minute at most */
    long long audit_time; /* when a change of its message was last audited */
    int nlabels;          /* the resource's labels when it was refused: what a */
    const char **labels;  /* change must give access to for the request to end */
    iam_request_status_e status;
    long long answered;       /* when it ended (0: open) */
    const char *answered_by;  /* who ended it ("console:olivia"); "" while open */
    const char *granted_role; /* approved: the role granted (a slug); else "" */
    int granted_all;          /* approved: on all of its type, not the resource only */
} iam_request_t;

#define IAM_REQUEST_KEEP_DAYS 30

#define IAM_REQUEST_MESSAGE_MAX 1000

/* A member as the console and the API write it, in one transaction.
 * NULL (or -1) leaves a field as it is; grants and groups replace the
 * whole set. */
typedef struct {
    const char *login;
    const char *email; /* "" clears */
    const char *name;
    iam_member_status_e status; /* on create */
    int pii;
    const apr_array_header_t *grants; /* iam_grant_t */
    const apr_array_header_t *groups; /* const char *: group names */
} iam_member_spec_t;

typedef struct {
    const char *name;
    int pii;
    const apr_array_header_t *grants;  /* iam_grant_t */
    const apr_array_header_t *members; /* const char *: logins */
} iam_group_spec_t;

/* What the decision needs of one member: their record and the grants of
 * every group they are in, ready for iam_policy_decide(). */
typedef struct {
    iam_member_t *member;
    iam_grant_set_t *sets; /* [0] direct, then one per group */
    int nsets;
    int owner;
    int pii; /* may see personal data: owner, or the member's or a group's flag */
} iam_subject_t;

/* The workspace settings kept in the store (recorded by the module). */
typedef struct {
    iam_plan_e plan;
    iam_roles_t roles; /* built-ins plus the recorded custom roles */
    int owners;        /* how many owners */
    int members;
    int groups;
} iam_workspace_info_t;

#define IAM_OPEN_CREATE                                                                            \
    1 /* create the store if there is none: `iamctl init`, never a                                 \
         server (a store that existed is never made anew) */
#define IAM_OPEN_RDONLY 2
#define IAM_OPEN_NOSYNC                                                                            \
    4 /* commits skip fsync: for test stores only (a crash may                                     \
         lose the last commits) */

/* Opens the store in `dir`. `pool` owns the handle (closed with it). A
 * data file shorter than its committed data needs (truncated, or empty)
 * is refused as IAM_CORRUPT: reading past its end would kill the process. */
iam_status_e iam_store_open(iam_store_t **out, const char *dir, size_t mapsize, int flags,
                            apr_pool_t *pool, iam_err_t *err);
void iam_store_close(iam_store_t *st);

/* How logins match (IAMLoginCase): 0 exactly, as Apache's `Require user`
 * compares them (the default); 1 folded to one case. Either way no two
 * members' logins differ only in case. Read from the store at open (what
 * the server recorded); a caller that knows better sets it before use. */
int iam_store_fold_case(const iam_store_t *st);
void iam_store_set_fold_case(iam_store_t *st, int fold);

#ifdef IAM_TEST_HOOKS
/* How many member reads the memo answered (tests only). */
unsigned long iam_store_memo_hits(const iam_store_t *st);
/* The store's calls of two more concerns, in headers of their own:
 * labels and resources' labels; SCIM's ids and writes. */
#include "iam_store_labels.h"
#include "iam_store_scim.h"

#endif

/* What iam_store_verify read and found wrong. */
#define IAM_VERIFY_MAX 100 /* problems described; nproblems counts them all */
typedef struct {
    long members, groups, links, requests, audit, tokens;
    long log;                     /* operation log entries */
    long indexed;                 /* entries of the name and role-holder indexes */
    apr_array_header_t *problems; /* const char *: one line each */
    long nproblems;
    /* not damage: what decisions ignore (grants of a role no longer declared) */
    apr_array_header_t *warnings;
    long nwarnings;
} iam_verify_t;

/* Reads every record in one read transaction: each must decode, and every
 * cross-reference hold (both sides of each membership, the owner and email
 * indexes, the name and role-holder indexes both ways, the counts, each
 * member's copy of their groups' grants, grants naming known roles). IAM_OK
 * with out->nproblems == 0: no damage. */
iam_status_e iam_store_verify(iam_store_t *st, apr_pool_t *p, iam_verify_t *out, iam_err_t *err);

/* Clears reader slots left by dead processes; returns how many. */
int iam_store_reader_check(iam_store_t *st);
/* Gives the directory and files that root owns to uid/gid (never through a
 * link): what root created becomes the Apache user's. */
iam_status_e iam_store_chown(const char *dir, long uid, long gid, iam_err_t *err);

/* ---- reads ---- */

iam_status_e iam_store_subject(iam_store_t *st, apr_pool_t *p, const char *login,
                               const iam_roles_t *roles, iam_subject_t *out, iam_err_t *err);
iam_status_e iam_store_info(iam_store_t *st, iam_workspace_info_t *out, apr_pool_t *p,
                            iam_err_t *err);
iam_status_e iam_store_member_get(iam_store_t *st, apr_pool_t *p, const char *login,
                                  iam_member_t **out, iam_err_t *err);
/* Members whose login, email or name holds `search` (case-insensitive;
 * NULL for all), in login order, skipping `offset`, at most `limit`.
 *
 * Note (issue 13): this and the page and count calls below walk the member
 * records in login order. The console's lists are better served by
 * iam_store_member_query (name order, both ways, offset and total in one
 * pass over a small index); these stay for iamctl and the JSON API, which
 * page in login order. */
iam_status_e iam_store_member_list(iam_store_t *st, apr_pool_t *p, const char *search, int offset,
                                   int limit, apr_array_header_t **out, iam_err_t *err);
/* A page of members after `after` (a login; NULL from the start) whose
 * login, email or name holds `search`; *next is the login to continue
 * from, or NULL at the end. Cost grows with the page, not the store
 * (a search reads until the page is full). */
iam_status_e iam_store_member_page(iam_store_t *st, apr_pool_t *p, const char *search,
                                   const char *after, int limit, apr_array_header_t **out,
                                   const char **next, iam_err_t *err);
/* The same, of one status only (-1: any). */
iam_status_e iam_store_member_page_status(iam_store_t *st, apr_pool_t *p, const char *search,
                                          int status, const char *after, int limit,
                                          apr_array_header_t **out, const char **next,
                                          iam_err_t *err);
iam_status_e iam_store_group_get(iam_store_t *st, apr_pool_t *p, const char *name,
                                 iam_group_t **out, iam_err_t *err);
iam_status_e iam_store_group_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err);
/* One group's record without its members (members stays empty): what a
 * page that lists them with iam_store_group_member_query, or a member's
 * page showing their groups' grants, needs; iam_store_group_get reads
 * every member of the group (100,000 of them, in a big workspace). */
iam_status_e iam_store_group_record(iam_store_t *st, apr_pool_t *p, const char *name,
                                    iam_group_t **out, iam_err_t *err);
/* Every group's record without its members (members stays empty): for
 * pickers, cheaper than iam_store_group_list. */
iam_status_e iam_store_group_records(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                     iam_err_t *err);
/* Everything, from one snapshot: members (with groups) and groups. */
iam_status_e iam_store_dump(iam_store_t *st, apr_pool_t *p, iam_plan_e *plan,
                            apr_array_header_t **members, apr_array_header_t **groups,
                            iam_err_t *err);

/* How many members match `search` (NULL: any) and `status` (-1: any). */
iam_status_e iam_store_member_count(iam_store_t *st, apr_pool_t *p, const char *search, int status,
                                    long *out, iam_err_t *err);

/* ---- the console's lists: members in name order, paged both ways ----
 *
 * Members are ordered by display name (their name, or their login when it
 * has none), ASCII case folded and compared byte by byte after that (other
 * UTF-8 bytes as they are; only the first 120 bytes of a name count), ties
 * broken by login. A cursor is a position in that order, in hex: it stays
 * valid when the member it came from is renamed or removed. "ff" lies past
 * every name: `before` "ff" is the last page. */
#define IAM_QUERY_MAX 1000 /* the most members one page holds */

typedef struct {
    /* NULL or "": all; else the login, email or name holds it, case-insensitively */
    const char *search;
    int status;         /* -1 any, else an iam_member_status_e */
    const char *after;  /* a previous page's `next`: the page after it */
    const char *before; /* or a page's `prev`: the page that ends just before it */
    int limit;          /* <= 0: 50; at most IAM_QUERY_MAX */
} iam_member_query_t;

typedef struct {
    apr_array_header_t *members; /* iam_member_t *, with their groups, in name order */
    const char *prev, *next;     /* cursors for the pages before and after; NULL: none */
    long offset;                 /* how many matching members come before this page */
    long total;                  /* how many match in all */
} iam_member_page_t;

/* One page of the members matching q. A page is never empty while some
 * member matches: `before` with fewer than a page before it gives the
 * first page, `after` with nothing after it the last. An unreadable cursor
 * is IAM_INVALID; a store not yet upgraded to format 5 (no write of this
 * release yet) IAM_VERSION. Cost: the first page reads the page; any other,
 * and any search or filter, reads every index entry once (never a member
 * record it does not show). */
iam_status_e iam_store_member_query(iam_store_t *st, apr_pool_t *p, const iam_member_query_t *q,
                                    iam_member_page_t *out, iam_err_t *err);
/* The same over the members of one group (IAM_NOTFOUND: no such group);
 * reads only that group's entries. */
iam_status_e iam_store_group_member_query(iam_store_t *st, apr_pool_t *p, const char *group,
                                          const iam_member_query_t *q, iam_member_page_t *out,
                                          iam_err_t *err);

/* Every member and group holding a grant of `role` (a slug) on `on`: on
 * all of its type, on the resource by name, or on one of its labels (a
 * superset of those the grant gives access: the caller decides with
 * iam_policy_decide; the store holds no policy). `on` NULL or a
 * collection (name NULL): every holder of the role. Members (iam_member_t *,
 * with their groups) and groups (iam_group_t *, members left empty), each
 * once. Owners hold "workspace-owner" on all. Reads only the index entries
 * of those targets and the records they name. */
iam_status_e iam_store_role_holders(iam_store_t *st, apr_pool_t *p, const char *role,
                                    const iam_resource_t *on, apr_array_header_t **members,
                                    apr_array_header_t **groups, iam_err_t *err);

/* Open access requests: of one member (login) or all (NULL), oldest first. */
iam_status_e iam_store_request_list(iam_store_t *st, apr_pool_t *p, const char *login,
                                    apr_array_header_t **out, iam_err_t *err);
/* One member's requests, open and answered (in the last
 * IAM_REQUEST_KEEP_DAYS), the most recent first: what they see of them. */
iam_status_e iam_store_request_history(iam_store_t *st, apr_pool_t *p, const char *login,
                                       apr_array_header_t **out, iam_err_t *err);
/* The owners (their records), for the request mails. */
iam_status_e iam_store_owners(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                              iam_err_t *err);

/* The audit trail, newest first: entries older than `before` (0: from the
 * newest), at most `limit`. */
iam_status_e iam_store_audit_list(iam_store_t *st, apr_pool_t *p, unsigned long long before,
                                  int limit, apr_array_header_t **out, iam_err_t *err);

/* An entry's before and after texts are cut at this many bytes, and "..."
 * appended: a member with a thousand grants still writes a small record. */
#define IAM_AUDIT_TEXT_MAX 4000
/* The entries one filtered query examines at most (see below). */
#define IAM_AUDIT_SCAN_MAX 20000

/* Which entries iam_store_audit_query returns. Each field that is set (not
 * NULL, not "") must match, as iam_audit_match (iam_audit_text.h) says. */
typedef struct {
    const char *member; /* about this login */
    const char *group;  /* about this group */
    const char *actor;  /* by this login ("olivia") or actor ("server") */
    const char *kind;   /* "member", "group", "grant", "request", "token", "workspace" */
    long scan_max;      /* entries examined at most; 0: IAM_AUDIT_SCAN_MAX */
} iam_audit_filter_t;

/* The entries that pass `f` (NULL: all), newest first, older than `before`
 * (0: from the newest), at most `limit` (0: no limit but the bound). The
 * scan is bounded: it stops after f->scan_max entries examined
 * (IAM_AUDIT_SCAN_MAX when 0 or f is NULL), so a filter that matches
 * rarely costs the same on a trail of a million entries as on one of
 * 20,000, and a short page is not the end. *next is the `before` to go on
 * with (more may match further back), or 0 when no older entry is left. */
iam_status_e iam_store_audit_query(iam_store_t *st, apr_pool_t *p, unsigned long long before,
                                   int limit, const iam_audit_filter_t *f, apr_array_header_t **out,
                                   unsigned long long *next, iam_err_t *err);

/* The workspace's 32-byte secret (CSRF tokens, sealed cookies): a read. */
iam_status_e iam_store_secret(iam_store_t *st, unsigned char out[32], iam_err_t *err);
/* Makes the workspace secret if the store has none: the server's start-up
 * and `iamctl init` do, so that iam_store_secret (a read, IAM_NOTFOUND
 * without one) never writes on a request. */
iam_status_e iam_store_secret_make(iam_store_t *st, iam_err_t *err);

/* What a server's child saw, written after it answered (mod_iam's touch.c):
 * a member's request (an invited member turns active, audited; the last
 * visit, kept to the hour), an API token's use (its last use), or a login
 * that is no member yet taking up an invitation or being provisioned. */
#define IAM_TOUCH_MEMBER 'm'
#define IAM_TOUCH_TOKEN 't'
#define IAM_TOUCH_ARRIVE 'a'
typedef struct {
    char kind;                /* IAM_TOUCH_MEMBER, IAM_TOUCH_TOKEN or IAM_TOUCH_ARRIVE */
    const char *key;          /* a login; a token's id; a login that is no member yet */
    long long when;           /* unix seconds */
    const char *email, *name; /* IAM_TOUCH_ARRIVE: what the IdP said (NULL: nothing) */
    int provision;            /* IAM_TOUCH_ARRIVE: IAMAutoProvision */
    iam_arrive_e arrived;     /* IAM_TOUCH_ARRIVE: what it did (set by iam_store_touch) */
} iam_touch_t;
/* Records n of them in one write transaction; a member or token gone
 * since is skipped, an arrival that finds a member changes nothing (as
 * iam_store_member_arrive), and one the store now refuses is skipped. */
iam_status_e iam_store_touch(iam_store_t *st, iam_touch_t *touch, int n, iam_err_t *err);

/* ---- writes: each one LMDB write transaction, with its audit record ----
 *
 * `actor` names who writes, for the audit trail. */

/* Records what httpd.conf says: the plan, the custom roles and the login
 * case (fold_case as iam_store_set_fold_case). */
iam_status_e iam_store_set_workspace(iam_store_t *st, const char *actor, iam_plan_e plan,
                                     const iam_roles_t *roles, int fold_case, iam_err_t *err);
/* Sets the plan only if no server has recorded one (iamctl --plan). */
iam_status_e iam_store_set_plan(iam_store_t *st, const char *actor, iam_plan_e plan, int force,
                                iam_err_t *err);
iam_status_e iam_store_member_add(iam_store_t *st, const char *actor, const char *login,
                                  const char *email, const char *name, iam_member_status_e status,
                                  int owner, iam_err_t *err);
iam_status_e iam_store_member_remove(iam_store_t *st, const char *actor, const char *login,
                                     iam_err_t *err);
/* Creates (create != 0) or updates a member with everything in spec. */
iam_status_e iam_store_member_put(iam_store_t *st, const char *actor, const iam_member_spec_t *spec,
                                  int create, iam_err_t *err);
/* Marks an invited member active (first authenticated request) and
 * records when a member was last seen. */
iam_status_e iam_store_member_activate(iam_store_t *st, const char *login, iam_err_t *err);
/* Suspends a member (`suspend`) or makes a suspended one active again, in
 * one audited transaction; their grants and groups stay. The last active
 * Workspace Owner is never suspended (IAM_LAST_OWNER); a suspended owner's
 * API tokens die as a removed owner's do. Already so: nothing changes. */
iam_status_e iam_store_member_suspend(iam_store_t *st, const char *actor, const char *login,
                                      int suspend, iam_err_t *err);
/* An authenticated login that is not a member arrives: an invitation for
 * `email` (if any) becomes theirs, active, with its roles and groups; else
 * with `provision` they become an active Workspace Member with minimal
 * access. Race-safe: a second arrival of the same login finds the member
 * and changes nothing. */
iam_status_e iam_store_member_arrive(iam_store_t *st, const char *login, const char *email,
                                     const char *name, int provision, iam_arrive_e *what,
                                     iam_err_t *err);
/* The same decided without writing (a read, for the authz phase): *what
 * the arrival would do and *subj the member it would make, as the
 * decision needs them; IAM_NOTFOUND if it would make none, and what the
 * write would refuse (IAM_EXISTS, IAM_INVALID, IAM_PLAN) likewise. A
 * login that has become a member since (another request's arrival was
 * written) is IAM_OK with *what IAM_ARRIVE_NONE and *subj the member. The
 * write itself follows off the request path (IAM_TOUCH_ARRIVE). */
iam_status_e iam_store_arrival(iam_store_t *st, apr_pool_t *p, const char *login, const char *email,
                               const char *name, int provision, const iam_roles_t *roles,
                               iam_subject_t *subj, iam_arrive_e *what, iam_err_t *err);

/* Whether an invited member holds `email` (a read: cheap, no lock). */
int iam_store_invited_email(iam_store_t *st, apr_pool_t *p, const char *email);

/* API tokens. Creating returns the whole token ("tok_ID.SECRET") once. */
iam_status_e iam_store_token_create(iam_store_t *st, const char *actor, const char *owner,
                                    const char *description, apr_pool_t *p, const char **token,
                                    iam_token_t **out, iam_err_t *err);
/* The same for a scope: IAM_TOKEN_API (what the above makes) or
 * IAM_TOKEN_SCIM (an identity provider's: SCIM only). */
iam_status_e iam_store_token_create_scoped(iam_store_t *st, const char *actor, const char *owner,
                                           const char *description, const char *scope,
                                           apr_pool_t *p, const char **token, iam_token_t **out,
                                           iam_err_t *err);
iam_status_e iam_store_token_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err);
iam_status_e iam_store_token_revoke(iam_store_t *st, const char *actor, const char *id,
                                    iam_err_t *err);
/* Checks a presented token; IAM_NOTFOUND for unknown, revoked, dead or
 * wrong. A token dies for good when its owner is removed or demoted (a
 * later owner of the same login does not revive it). A read: its use is
 * recorded by iam_store_touch. */
iam_status_e iam_store_token_check(iam_store_t *st, apr_pool_t *p, const char *token,
                                   iam_token_t **out, iam_err_t *err);
/* Whether `token` is a live token, its secret right (records nothing). */
int iam_store_token_matches(iam_store_t *st, apr_pool_t *p, const char *token);

/* If the store has no owner, makes `login` an active owner. *made says
 * whether it did. */
iam_status_e iam_store_bootstrap_owner(iam_store_t *st, const char *login, int *made,
                                       iam_err_t *err);

/* Grants to a member (group == 0) or a group (group == 1). */
iam_status_e iam_store_grant(iam_store_t *st, const char *actor, int group, const char *who,
                             const iam_grant_t *g, iam_err_t *err);
/* Changes one grant in place: `old` exactly as the caller saw it (role,
 * scope and every resource or label; else IAM_STALE) becomes `now`, of
 * the same role, in one transaction. */
iam_status_e iam_store_grant_edit(iam_store_t *st, const char *actor, int group, const char *who,
                                  const iam_grant_t *old, const iam_grant_t *now, iam_err_t *err);
/* Revokes: with scope ALL and no items, every grant of the role when
 * `whole_role`; else the given scope and items. */
iam_status_e iam_store_revoke(iam_store_t *st, const char *actor, int group, const char *who,
                              const iam_grant_t *g, int whole_role, iam_err_t *err);

iam_status_e iam_store_group_create(iam_store_t *st, const char *actor, const char *name,
                                    iam_err_t *err);
iam_status_e iam_store_group_delete(iam_store_t *st, const char *actor, const char *name,
                                    iam_err_t *err);
/* Adds or removes several members at once; all or nothing. */
iam_status_e iam_store_group_members(iam_store_t *st, const char *actor, const char *name, int add,
                                     const char *const *logins, int n, iam_err_t *err);
/* Creates (create != 0) or updates a group with everything in spec. */
iam_status_e iam_store_group_put(iam_store_t *st, const char *actor, const iam_group_spec_t *spec,
                                 int create, iam_err_t *err);

/* What iam_store_request_put did: the owners are mailed for NEW and LEVEL. */
typedef enum {
    IAM_REQUEST_SAME = 0, /* asked again, nothing changed: nothing written */
    IAM_REQUEST_NEW,
    IAM_REQUEST_LEVEL,  /* the level changed (audited; once a minute at most, else
                           IAM_INVALID) */
    IAM_REQUEST_MESSAGE /* only the message changed */
} iam_request_change_e;

/* Stores an access request (a second one for the same member and resource
 * replaces the first, with the next revision). At most `max_open` open
 * per member. */
iam_status_e iam_store_request_put(iam_store_t *st, const char *actor, const iam_request_t *req,
                                   int max_open, iam_request_change_e *change, iam_err_t *err);
/* One open request, or IAM_NOTFOUND. */
iam_status_e iam_store_request_get(iam_store_t *st, apr_pool_t *p, const char *login,
                                   const char *type, const char *name, iam_request_t **out,
                                   iam_err_t *err);

/* An owner's answer to one request: exactly what they were shown. */
typedef struct {
    const char *login, *type, *name; /* the request */
    unsigned rev;                    /* the revision shown: any other is IAM_STALE */
    const char *role;                /* the role to grant; NULL: the least (iam_policy_approval) */
    iam_approve_scope_e scope;       /* on the resource asked for, or all of its type */
    int owner_confirmed;             /* approving Workspace Owner needs it: else IAM_INVALID */
} iam_approval_t;

/* Approves: grants exactly iam_policy_approval's grant, if the request is
 * still at revision a->rev. The member's other requests that the grant
 * satisfies end with it (IAM_REQUEST_GRANTED); the rest stay open. *out
 * (if not NULL) is the request as it ended. */
iam_status_e iam_store_request_approve(iam_store_t *st, const char *actor, const iam_approval_t *a,
                                       apr_pool_t *p, iam_request_t **out, iam_err_t *err);
iam_status_e iam_store_request_dismiss(iam_store_t *st, const char *actor, const char *login,
                                       const char *type, const char *name, apr_pool_t *p,
                                       iam_request_t **out, iam_err_t *err);

/* Loads members and groups into an empty store, in one transaction. */
iam_status_e iam_store_import(iam_store_t *st, const char *actor, iam_plan_e plan,
                              apr_array_header_t *members, apr_array_header_t *groups,
                              iam_err_t *err);
/* The same with the workspace's labels (iam_label_t *: label and
 * description) and the labels it gives resources (iam_resource_labels_t
 * *), made first. Grants and resources may name labels the file's server
 * declared in httpd.conf: they stay usable while in use. */
iam_status_e iam_store_import_all(iam_store_t *st, const char *actor, iam_plan_e plan,
                                  apr_array_header_t *members, apr_array_header_t *groups,
                                  const apr_array_header_t *labels,
                                  const apr_array_header_t *resources, iam_err_t *err);

/* ---- the operation log ----
 *
 * Every write transaction appends one entry: its sequence (1, 2, 3, ... in
 * commit order), the time and the actor, fixed where it was made, and
 * the records it changed as they are after the change (puts and deletes
 * of the records that are facts: members, groups, memberships, the email
 * and owner indexes, requests, tokens, audit entries, the workspace's
 * settings). What derives from them (member copies of group grants, the
 * indexes, the counts) is rebuilt by whoever applies the entry. Applying
 * a store's log in order to an empty store makes a store equal to it key
 * for key (iam_store_digest). A store keeps its last `keep` entries
 * (IAM_LOG_KEEP unless iam_store_set_log_keep says otherwise); a follower
 * that falls further behind starts again from a copy of the store. */
#define IAM_LOG_KEEP 100000
#define IAM_OP_PUT 'P'
#define IAM_OP_DEL 'D'

typedef struct {
    char kind;                /* IAM_OP_PUT or IAM_OP_DEL */
    const unsigned char *key; /* the record's key, as the store holds it */
    size_t klen;
    const unsigned char *val; /* IAM_OP_PUT: the record after the change */
    size_t vlen;
} iam_op_t;

#define IAM_LOG_ID 16 /* bytes of a log's id */

typedef struct {
    const unsigned char *log_id; /* IAM_LOG_ID bytes: which log (one per workspace) */
    unsigned long long seq;
    long long time; /* unix seconds, at commit */
    const char *actor;
    int nops;
    const iam_op_t *ops;
    const void *data; /* the entry as the log holds it (iam_log_encode) */
    size_t len;
} iam_log_entry_t;

/* The one codec: an entry to bytes, and bytes to an entry (NULL, or what
 * is wrong with them; *out points into data). */
void *iam_log_encode(apr_pool_t *p, const iam_log_entry_t *e, size_t *len);
const char *iam_log_decode(apr_pool_t *p, const void *data, size_t len, iam_log_entry_t *out);
/* What an operation does, in words ("put member alice"); "?" if the log
 * carries no such record. */
const char *iam_op_describe(apr_pool_t *p, const iam_op_t *op);
/* What kind of record a key is ("member", "membership", ...), or NULL for
 * one the log does not carry. */
const char *iam_log_key_kind(const unsigned char *key, size_t klen);

/* The oldest entry the store keeps and the last one (0 and 0: none yet). */
iam_status_e iam_store_log_head(iam_store_t *st, unsigned long long *oldest,
                                unsigned long long *head, iam_err_t *err);
/* The store's log id (IAM_LOG_ID bytes into out); IAM_NOTFOUND before its
 * first entry. */
iam_status_e iam_store_log_id(iam_store_t *st, unsigned char *out, iam_err_t *err);
/* The entries after `after`, at most `limit` (<= 0: 1000), oldest first,
 * into p. IAM_STALE if entries after `after` are no longer kept;
 * IAM_INVALID if `after` is past the last. */
iam_status_e iam_store_log_read(iam_store_t *st, apr_pool_t *p, unsigned long long after, int limit,
                                apr_array_header_t **out, iam_err_t *err);
/* Applies entries (their data and len; the rest is decoded again) in one
 * transaction: those the store already has are skipped, the rest must
 * follow its last one without a gap (else IAM_STALE), each one strictly
 * decoded and every record it puts well-formed (else IAM_CORRUPT); all or
 * nothing. The entries are kept as they came. A store follows one log:
 * entries of another (its id differs) are refused, as is a store that
 * holds members no entry made (IAM_INVALID). *applied: how many were new. */
iam_status_e iam_store_log_apply(iam_store_t *st, const iam_log_entry_t *in, int n, int *applied,
                                 iam_err_t *err);
/* The store as one entry at its last sequence that puts every fact it
 * holds (actor "snapshot"), into p: what a database keeps so that a new
 * replica need not replay the whole log. IAM_NOTFOUND before the store's
 * first entry. */
iam_status_e iam_store_snapshot(iam_store_t *st, apr_pool_t *p, iam_log_entry_t *out,
                                iam_err_t *err);
/* Starts a store from a snapshot (iam_store_snapshot's): its facts, its
 * log's id and position, in one transaction; the log goes on from the
 * entry after it, and the store keeps none before. An empty store only
 * (IAM_INVALID if it holds anything; nothing to do if it already follows
 * that log to that entry or further), unless `replace`: then whatever the
 * store held goes, in that same transaction, but the database it records. */
iam_status_e iam_store_log_start(iam_store_t *st, const iam_log_entry_t *snapshot, int replace,
                                 iam_err_t *err);
/* Copies the store, as one snapshot, into the directory `dir` (made if
 * missing; one that holds a store is refused): a store to start from with
 * its log position, for a follower that fell behind what the log keeps. */
iam_status_e iam_store_copy(iam_store_t *st, const char *dir, iam_err_t *err);
/* How many entries this handle's writes keep (at least 1). */
void iam_store_set_log_keep(iam_store_t *st, unsigned long long keep);
/* A replica: a store that follows a workspace's database takes every
 * write through it (iam_replica.h attaches one). begin runs before the
 * write's LMDB transaction, outside any: it locks the workspace and
 * brings the store up to it (iam_store_log_apply, which does not come
 * back here). commit gets the write's log entry before LMDB commits it,
 * and returns IAM_OK once the database has committed it; else the write
 * is undone and its status is the write's. end follows either, and ends
 * what begin started. */
typedef struct {
    iam_status_e (*begin)(void *ctx, iam_store_t *st, void **session, iam_err_t *err);
    iam_status_e (*commit)(void *session, const iam_log_entry_t *entry, iam_err_t *err);
    void (*end)(void *session);
    void *ctx;
} iam_upstream_t;
/* Writes of this handle go through `up` from now on (NULL: no longer). */
void iam_store_set_upstream(iam_store_t *st, const iam_upstream_t *up);
/* The database a replica records (NULL: none, a store of its own). A
 * replica without an upstream refuses writes: they would be its own. */
const char *iam_store_database(iam_store_t *st, apr_pool_t *p);
/* Records (or, NULL, forgets) the database the store replicates: this
 * store's own record, not the workspace's (the log does not carry it). */
iam_status_e iam_store_set_database(iam_store_t *st, const char *conninfo, iam_err_t *err);

/* SHA-256 over every key and value of the store, in key order, but the
 * log's kept entries (how many a store keeps is its own, and a replica
 * started from a snapshot keeps none before it) and the database it
 * records: two stores with the same digest hold the same bytes, at the
 * same entry of the same log. */
iam_status_e iam_store_digest(iam_store_t *st, unsigned char out[32], iam_err_t *err);

/* The store's calls of two more concerns, in headers of their own:
 * labels and resources' labels; SCIM's ids and writes. */
#include "iam_store_labels.h"
#include "iam_store_scim.h"

#endif
