/* mod_iam: the store's calls for labels (store/labels.c) and the labels
 * the workspace gives resources (store/resources.c). Part of the store's
 * one header: include iam_store.h, which includes this. */
#ifndef IAM_STORE_LABELS_H
#define IAM_STORE_LABELS_H

#include "iam_store.h"

/* ---- labels: the workspace's own (store/labels.c) ---- */

/* A label the workspace knows: env:dev and env:prod are every
 * workspace's (builtin), owners make more. Labels match whatever their
 * case; a label keeps the case it was made with. */
typedef struct {
    const char *label; /* "key:value" */
    const char *description;
    const char *creator; /* the actor that made it ("" for a built-in one) */
    long long created;
    int builtin;
    int made;      /* the workspace made it (a record): it may be deleted */
    int declared;  /* httpd.conf's resources carry it */
    int resources; /* how many resources carry it: labelled here, declared there */
    int grants;    /* how many members and groups hold a grant on it (at most */
    int more;      /* IAM_LABEL_COUNT_MAX counted; more: there are more) */
} iam_label_t;
#define IAM_LABEL_COUNT_MAX 1000

/* Whether `label` is one every workspace has (env:dev, env:prod). */
int iam_label_builtin(const char *label);
/* Makes a label (iam_check_label's syntax; a description of at most 200
 * characters, may be NULL): IAM_EXISTS if the workspace has it,
 * IAM_PLAN if the plan has no labels. Audited. */
iam_status_e iam_store_label_create(iam_store_t *st, const char *actor, const char *label,
                                    const char *description, iam_err_t *err);
/* Deletes one: IAM_NOTFOUND if there is no such label, IAM_INVALID for a
 * built-in one, IAM_IN_USE (naming whose) while a grant names it.
 * Audited. */
iam_status_e iam_store_label_delete(iam_store_t *st, const char *actor, const char *label,
                                    iam_err_t *err);
/* Every label (iam_label_t *): the built-in ones, then the workspace's by
 * label. */
iam_status_e iam_store_label_list(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                  iam_err_t *err);
/* ---- resources: the labels the workspace gives them (store/resources.c) ----
 *
 * A resource exists without a record (httpd.conf declares it, a template
 * covers it, a grant names it); a record holds the labels owners (or the
 * resource's admins) gave it. Where these and httpd.conf's give one key
 * two values, these win. */
#define IAM_RESOURCE_LABELS_MAX 32

typedef struct {
    const char *type;
    const char *name;
    int nlabels;
    const char **labels; /* "key:value", one value per key */
    const char *by;      /* who set them last */
    long long at;
} iam_resource_labels_t;

/* A resource as httpd.conf declares it (IAMResource, IAMResourcePath):
 * res.name NULL for a collection, "{name}" for a template. */
typedef struct {
    iam_resource_t res;
    const char *path; /* its IAMResourcePath or section ("" if none) */
    int templated;
} iam_declared_t;

/* Sets the labels the workspace gives one resource (n == 0: none), in
 * one audited transaction: each must exist (built in, made, or declared
 * in httpd.conf), one value per key, at most IAM_RESOURCE_LABELS_MAX; the
 * type must be one a role grants on. */
iam_status_e iam_store_resource_labels_set(iam_store_t *st, const char *actor, const char *type,
                                           const char *name, const char *const *labels, int n,
                                           iam_err_t *err);
/* Gives `label` to each of n resources (in place of the value each had
 * for its key), in one audited transaction: all or none. */
iam_status_e iam_store_label_assign(iam_store_t *st, const char *actor, const char *label,
                                    const iam_resource_t *res, int n, iam_err_t *err);
/* The labels the workspace gives one resource: IAM_NOTFOUND if none. */
iam_status_e iam_store_resource_labels(iam_store_t *st, apr_pool_t *p, const char *type,
                                       const char *name, iam_resource_labels_t **out,
                                       iam_err_t *err);
/* Every resource the workspace labelled (iam_resource_labels_t *), of
 * `type` and carrying `label` (either NULL: any), by type and name. */
iam_status_e iam_store_resource_list(iam_store_t *st, apr_pool_t *p, const char *type,
                                     const char *label, apr_array_header_t **out, iam_err_t *err);
/* The resources grants name (iam_resource_t: type and name, lower-cased
 * as the role-holder index keeps them; once per role that names them),
 * of `type` (NULL: every type). */
iam_status_e iam_store_granted_resources(iam_store_t *st, apr_pool_t *p, const char *type,
                                         apr_array_header_t **out, iam_err_t *err);
/* Records httpd.conf's resources (iam_declared_t), so that iamctl and
 * every server know its labels; written only when they changed. */
iam_status_e iam_store_set_declared(iam_store_t *st, const char *actor,
                                    const apr_array_header_t *decls, iam_err_t *err);
/* What the server recorded (iam_declared_t; empty if none has). */
iam_status_e iam_store_declared(iam_store_t *st, apr_pool_t *p, apr_array_header_t **out,
                                iam_err_t *err);

#endif
