/* mod_iam: the store's calls for SCIM (store/scim.c). Part of the
 * store's one header: include iam_store.h, which includes this. */
#ifndef IAM_STORE_SCIM_H
#define IAM_STORE_SCIM_H

#include "iam_store.h"

/* ---- SCIM: ids, external ids, managed groups (store/scim.c) ----
 *
 * Every member and group has an id of its own (a UUID's text), made with
 * it and kept through renames, never given to another; what the identity
 * provider calls it (its externalId); and a group SCIM wrote is managed:
 * its members change through SCIM only (IAM_INVALID elsewhere). */
#define IAM_ID_MEMBER 'm'
#define IAM_ID_GROUP 'g'

typedef struct {
    const char *id;
    char kind;               /* IAM_ID_MEMBER or IAM_ID_GROUP */
    const char *name;        /* the login or group name, as its record spells it */
    const char *external_id; /* "" when none */
    int managed;             /* a group whose members SCIM manages */
} iam_scim_id_t;

/* A user or group as SCIM shows it. */
typedef struct {
    iam_scim_id_t *id;
    iam_member_t *member;      /* a user: the member, with their groups */
    iam_group_t *group;        /* a group (members left NULL) */
    apr_array_header_t *links; /* iam_scim_id_t *: a user's groups, a group's members */
} iam_scim_entry_t;

/* Whether every member and group has an id (a store of an older release
 * has none until iam_store_ids_fill gives them, a thousand a write). */
int iam_store_ids_complete(iam_store_t *st);
iam_status_e iam_store_ids_fill(iam_store_t *st, const char *actor, iam_err_t *err);
/* One user or group, by id or else by name (IAM_NOTFOUND: none); a
 * group's members with `with_members`. */
iam_status_e iam_store_scim_get(iam_store_t *st, apr_pool_t *p, char kind, const char *id,
                                const char *name, int with_members, iam_scim_entry_t *out,
                                iam_err_t *err);
/* Users or groups in id order (iam_scim_entry_t *): after id `after`
 * (NULL: from the first), skipping `skip`, at most `limit`; *next the id
 * to go on after (NULL: the end); *total (if not NULL) how many in all. */
iam_status_e iam_store_scim_list(iam_store_t *st, apr_pool_t *p, char kind, const char *after,
                                 long skip, int limit, int with_members, apr_array_header_t **out,
                                 const char **next, long *total, iam_err_t *err);

/* A user as SCIM writes it: NULL (or -1) leaves a field as it is. */
typedef struct {
    const char *id;          /* NULL: a new member (active, no grants) */
    const char *login;       /* userName: a new one renames (the id stays) */
    const char *email;       /* "" clears */
    const char *name;        /* "" clears */
    const char *external_id; /* "" clears */
    int active;              /* 0 suspends, 1 resumes */
} iam_scim_user_spec_t;

/* Makes or changes a user in one audited transaction; *out its id. Logins
 * are unique whatever their case (IAM_EXISTS); the last owner is never
 * suspended (IAM_LAST_OWNER); an invitation is not suspended, and neither
 * an owner nor an invitation renamed, nor an invitation's email changed
 * (IAM_INVALID). A rename withdraws the member's access requests. */
iam_status_e iam_store_scim_user_put(iam_store_t *st, const char *actor,
                                     const iam_scim_user_spec_t *spec, apr_pool_t *p,
                                     iam_scim_id_t **out, iam_err_t *err);

/* A group as SCIM writes it. */
typedef struct {
    const char *id;                    /* NULL: a new group (no grants) */
    const char *name;                  /* displayName: a new one renames */
    const char *external_id;           /* NULL leaves, "" clears */
    const apr_array_header_t *members; /* users' ids: the whole set (NULL leaves) */
    const apr_array_header_t *add;     /* users' ids to add, then to remove */
    const apr_array_header_t *remove;
} iam_scim_group_spec_t;

/* Makes or changes a group in one audited transaction, and marks it
 * managed; *out its id. An unknown user id to add is IAM_INVALID; one to
 * remove, or in the whole set, is no one (a member removed since). */
iam_status_e iam_store_scim_group_put(iam_store_t *st, const char *actor,
                                      const iam_scim_group_spec_t *spec, apr_pool_t *p,
                                      iam_scim_id_t **out, iam_err_t *err);
/* Removes a user (as iam_store_member_remove) or deletes a group, by id. */
iam_status_e iam_store_scim_delete(iam_store_t *st, const char *actor, char kind, const char *id,
                                   iam_err_t *err);

#endif
