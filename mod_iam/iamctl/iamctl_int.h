/* iamctl: what the tool's files share, and nothing outside mod_iam/iamctl/
 * includes it. The files, one family of commands each:
 *
 *   iamctl.c          main, usage, global options; opening the store, JSON
 *                     output, the command line's options
 *   iamctl_members.c  member ..., grant, revoke
 *   iamctl_groups.c   group ..., roles
 *   iamctl_export.c   export, import
 *   iamctl_check.c    check, audit, verify
 *   iamctl_log.c      log, log status, log apply; copy
 *   iamctl_replica.c  the workspace's database: following it, init in it,
 *                     replica status, sync and snapshot
 *   iamctl_labels.c   label ...
 */
#ifndef IAMCTL_INT_H
#define IAMCTL_INT_H

#include "iam_access.h"
#include "iam_database.h"
#include "iam_httpdconf.h"
#include "iam_policy.h"
#include "iam_present.h"
#include "iam_store.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXIT_USAGE 2
#define EXIT_DENY 3

typedef struct {
    apr_pool_t *p;
    const char *dir;
    size_t mapsize;
    int has_plan;
    iam_plan_e plan;
    iam_store_t *st;
    const char *actor;     /* "iamctl:<user>", for the audit trail */
    iam_httpdconf_t *conf; /* -f: what the server's configuration says */
    const char *conf_file;
    const char *database; /* --database or $IAM_DATABASE: the workspace's database */
    iam_db_t *db;         /* connected to it (NULL: none, or it was unreachable) */
    int temp;             /* the store is a temporary replica (no -d, -f or $IAM_STORE) */
    int init;             /* the command is init */
} ctl_t;

/* iamctl.c: what every command uses */
int ctl_usage(const char *fmt, ...);
int ctl_error(const char *fmt, ...);
int ctl_store_error(const iam_err_t *err);
int ctl_become_store_owner(const char *dir);
int ctl_open_store(ctl_t *c, int flags);
int ctl_print_json(json_t *j);
void ctl_append(json_t **a, json_t *v);
int ctl_load_info(ctl_t *c, iam_workspace_info_t *info);
const char *ctl_take_opt(int *argc, char **argv, const char *name, int *bad);
int ctl_take_flag(int *argc, char **argv, const char *name);
int ctl_unknown_option(int argc, char **argv);

/* The commands: each takes the words after its name (argv[0] is the
 * first of them) and returns the exit status. */

/* iamctl_members.c: members, grant and revoke */
int cmd_member(ctl_t *c, int argc, char **argv);
int cmd_grant(ctl_t *c, int argc, char **argv, int revoke);

/* iamctl_groups.c: user groups, roles */
int cmd_group(ctl_t *c, int argc, char **argv);
int cmd_roles(ctl_t *c, int argc, char **argv);

/* iamctl_export.c: export and import */
int cmd_export(ctl_t *c, int argc, char **argv);
int cmd_import(ctl_t *c, int argc, char **argv);

/* iamctl_check.c: check, audit, verify */
int cmd_check(ctl_t *c, int argc, char **argv);
int cmd_audit(ctl_t *c, int argc, char **argv);
int cmd_verify(ctl_t *c, int argc, char **argv);

/* iamctl_log.c: the operation log, a copy of the store */
int cmd_log(ctl_t *c, int argc, char **argv);
int cmd_copy(ctl_t *c, int argc, char **argv);

/* iamctl_replica.c: the workspace's database */
int ctl_follow_database(ctl_t *c);
int ctl_temp_replica(ctl_t *c);
int ctl_init_database(ctl_t *c);
int cmd_replica(ctl_t *c, int argc, char **argv);

/* iamctl_labels.c: the workspace's labels */
int cmd_resource(ctl_t *c, int argc, char **argv); /* iamctl_resources.c */
int cmd_label(ctl_t *c, int argc, char **argv);

#endif
