/* mod_iam: SCIM 2.0 filters and PATCH paths (RFC 7644 sections 3.4.2.2
 * and 3.5.2), parsed once into a tree and matched against a resource as
 * its SCIM JSON. Pure: no I/O, no globals; what a client sends is bounded
 * (IAM_SCIM_FILTER_MAX bytes, IAM_SCIM_FILTER_DEPTH levels of nesting)
 * and every refusal is a message, never a crash.
 *
 * Attribute names match whatever their case (RFC 7643 2.1): the tree
 * holds them lower-cased, without the core schemas' URN prefix
 * ("urn:ietf:params:scim:schemas:core:2.0:User:userName" is "username");
 * an extension's attribute keeps its URN ("urn:...:enterprise:2.0:user:
 * manager"). Keywords and operators match whatever their case too. */
#ifndef IAM_SCIM_H
#define IAM_SCIM_H

#include <apr_pools.h>
#include <jansson.h>

#define IAM_SCIM_FILTER_MAX 4096
#define IAM_SCIM_FILTER_DEPTH 16

typedef enum {
    IAM_SCIM_EQ,
    IAM_SCIM_NE,
    IAM_SCIM_CO,
    IAM_SCIM_SW,
    IAM_SCIM_EW,
    IAM_SCIM_GT,
    IAM_SCIM_LT,
    IAM_SCIM_GE,
    IAM_SCIM_LE,
    IAM_SCIM_PR
} iam_scim_op_e;

typedef enum {
    IAM_SCIM_F_CMP, /* attr op value, attr pr */
    IAM_SCIM_F_AND,
    IAM_SCIM_F_OR,
    IAM_SCIM_F_NOT,
    IAM_SCIM_F_HAS /* attr[filter]: an element of attr matches filter */
} iam_scim_kind_e;

typedef enum {
    IAM_SCIM_V_STRING,
    IAM_SCIM_V_NUMBER,
    IAM_SCIM_V_TRUE,
    IAM_SCIM_V_FALSE,
    IAM_SCIM_V_NULL
} iam_scim_vtype_e;

typedef struct iam_scim_filter {
    iam_scim_kind_e kind;
    const char *attr; /* CMP, HAS: "emails.value", "username" */
    iam_scim_op_e op; /* CMP */
    iam_scim_vtype_e vtype;
    const char *str;                     /* IAM_SCIM_V_STRING, decoded */
    double num;                          /* IAM_SCIM_V_NUMBER */
    const struct iam_scim_filter *a, *b; /* AND, OR: both; NOT: a; HAS: a (on sub-attributes) */
} iam_scim_filter_t;

/* A PATCH operation's path: `attr`, or `attr[filter]`, each maybe with
 * ".sub": "members[value eq \"2819c223\"]", "emails[type eq
 * \"work\"].value", "name.givenName". */
typedef struct {
    const char *attr;                /* lower-cased, as in a filter */
    const iam_scim_filter_t *filter; /* NULL: none */
    const char *sub;                 /* lower-cased; NULL: none */
} iam_scim_path_t;

/* NULL and *out, or why `text` is not a filter (a message in p, naming
 * where). */
const char *iam_scim_filter_parse(apr_pool_t *p, const char *text, const iam_scim_filter_t **out);
/* NULL and *out, or why `text` is not a path. */
const char *iam_scim_path_parse(apr_pool_t *p, const char *text, iam_scim_path_t *out);

/* Whether `resource` (a SCIM resource's JSON object) matches `f`. A
 * multi-valued attribute matches when one of its values does; strings
 * compare whatever their case but for the case-exact attributes (id,
 * externalId, members.value, meta's). */
int iam_scim_filter_match(const iam_scim_filter_t *f, json_t *resource);

/* The value `f` asks for when it is exactly `attr eq "value"` (attr as
 * the tree spells it), so that a caller may look it up instead of
 * matching every resource; else NULL. */
const char *iam_scim_filter_eq(const iam_scim_filter_t *f, const char *attr);

#endif
