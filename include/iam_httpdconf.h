/* mod_iam: what httpd.conf says to the workspace, read without Apache.
 *
 * `iamctl -f FILE` reads the server's configuration (following its
 * Include and IncludeOptional lines, as `apache2 -f FILE` does) for the
 * directives that shape the store: IAMStore, IAMMapSize, IAMPlan, IAMRole
 * and IAMLoginCase. The module parses IAMRole with the same function, so
 * the two always agree. */
#ifndef IAM_HTTPDCONF_H
#define IAM_HTTPDCONF_H

#include <apr_pools.h>

#include "iam_policy.h"

typedef struct {
    const char *store_dir; /* IAMStore, or NULL */
    size_t mapsize;        /* IAMMapSize, or 0 */
    iam_plan_e plan;       /* IAMPlan (business if unset) */
    int login_fold;        /* IAMLoginCase fold */
    iam_roles_t roles;     /* the built-ins and every IAMRole */
    int files;             /* how many files were read */
} iam_httpdconf_t;

/* The next word of a directive's arguments, as Apache's ap_getword_conf
 * reads it: "quoted", 'quoted' (a backslash before the quote keeps it) or
 * up to white space; *line moves past it. "" at the end. */
char *iam_conf_word(apr_pool_t *p, const char **line);

/* IAMRole "NAME" TYPE read|edit|admin [all-only]: adds the role; NULL or
 * a message (in p) that names the directive. */
const char *iam_conf_role(apr_pool_t *p, iam_roles_t *roles, const char *args);

/* Reads `file` and what it includes (a directory: its files, dot-files and
 * subdirectories too, as Apache does); NULL, or "FILE:LINE: message". A
 * relative Include is taken from ServerRoot (the directive, else the
 * directory of `file`). <IfDefine> follows Define and <IfFile> the file;
 * <IfModule>, <IfVersion>, <IfDirective> and <IfSection> are taken as
 * true (negated: false); what other sections hold is not the store's (the
 * IAM directives it reads are server-wide). */
const char *iam_httpdconf_read(apr_pool_t *p, const char *file, iam_httpdconf_t *out);

#endif
