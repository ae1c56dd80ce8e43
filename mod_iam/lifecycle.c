/* mod_iam: process lifecycle. post_config records httpd.conf's plan and
 * roles in the store (as root, before any child exists) and closes it;
 * each child opens its own environment after fork, as LMDB requires. */
#include "mod_iam.h"

#include "iam_replica.h"

#include "apr_strings.h"
#include "http_core.h"
#include "unixd.h"

#include <apr_atomic.h>
#include <apr_thread_mutex.h>
#include <errno.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a child holds of its workspace while it runs (one per
 * configuration, so one per child): the configuration stays as httpd.conf
 * made it. Zero in the parent, which never opens the store for requests. */
static struct {
    iam_store_t *store; /* NULL until it opens; swapped atomically */
    char error[512];    /* why it did not open (under reopen_lock) */
} live;

/* The lazy re-open of a child's store (threaded MPMs): the lock guards
 * reopen_pool, reopen_next and live.error. */
static apr_thread_mutex_t *reopen_lock;
static apr_pool_t *reopen_pool;
static apr_time_t reopen_next;

/* httpd.conf's resources as the store records them: iamctl and the
 * console of every server then know its labels. */
static const apr_array_header_t *declared(const iam_workspace_t *ws, apr_pool_t *p)
{
    const apr_array_header_t *decls = iam_ws_resources(ws);
    apr_array_header_t *out = apr_array_make(p, decls->nelts + 1, sizeof(iam_declared_t));
    int i;

    for (i = 0; i < decls->nelts; i++) {
        const iam_resource_decl_t *d = APR_ARRAY_IDX(decls, i, const iam_resource_decl_t *);
        iam_declared_t *r = apr_array_push(out);
        r->res = d->res;
        r->path = d->path ? d->path : "";
        r->templated = d->templated;
    }
    return out;
}

/* Records what httpd.conf says in the store: the plan, the custom roles,
 * the login case and the bootstrap owner. The server never creates a
 * store of its own (`iamctl init` does): one that existed and is gone must
 * not come back empty, with IAMBootstrapOwner's login its owner. A replica
 * (IAMDatabase) is made, or made anew, from the database (cluster.c). */
static void record_workspace(server_rec *s, const iam_workspace_t *ws, apr_pool_t *ptemp)
{
    iam_store_t *st;
    iam_err_t err;
    int made = 0;
    iam_status_e opened = iam_ws_database(ws) ? iam_cluster_open(s, ws, &st, ptemp, &err)
                                              : iam_store_open(&st, iam_ws_store_dir(ws),
                                                               iam_ws_mapsize(ws), 0, ptemp, &err);

    if (opened != IAM_OK) {
        /* Start anyway: paths without mod_iam keep working, and every
         * mod_iam decision fails closed until the store is fixed. */
        iam_log_s(s, APLOG_ERR, 0, "store not usable, every mod_iam request will be refused: %s",
                  err.msg);
        return;
    }
    if (iam_store_set_workspace(st, "server", iam_ws_plan(ws), iam_ws_roles(ws),
                                iam_ws_login_fold(ws), &err) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "cannot record the plan and roles in the store: %s", err.msg);
    if (iam_store_set_declared(st, "server", declared(ws, ptemp), &err) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "cannot record httpd.conf's resources in the store: %s",
                  err.msg);
    /* the workspace secret (CSRF tokens, sealed cookies) is made here, so
     * that no request ever has to write it */
    if (iam_store_secret_make(st, &err) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "cannot make the workspace secret: %s", err.msg);
    if (iam_ws_bootstrap_owner(ws)) {
        if (iam_store_bootstrap_owner(st, iam_ws_bootstrap_owner(ws), &made, &err) != IAM_OK)
            iam_log_s(s, APLOG_ERR, 0, "%s %s: %s", IAM_DIR_BOOTSTRAP, iam_ws_bootstrap_owner(ws),
                      err.msg);
        else if (made)
            iam_log_s(s, APLOG_NOTICE, 0, "%s: '%s' is now the Workspace Owner", IAM_DIR_BOOTSTRAP,
                      iam_ws_bootstrap_owner(ws));
    }
    iam_store_close(st);
}

/* Started as root: the directory goes to the Apache user, and a child
 * running as that user writes the store, so root never opens a file in a
 * directory that user controls (a planted symlink would make root write
 * elsewhere). */
static void record_workspace_as_user(server_rec *s, const iam_workspace_t *ws, apr_pool_t *ptemp)
{
    uid_t uid = ap_unixd_config.user_id;
    gid_t gid = ap_unixd_config.group_id;
    iam_err_t err;
    pid_t pid;
    int status;

    if (mkdir(iam_ws_store_dir(ws), 0750) != 0 && errno != EEXIST) {
        iam_log_s(s, APLOG_ERR, errno, "cannot create the store directory %s",
                  iam_ws_store_dir(ws));
        return;
    }
    if (iam_store_chown(iam_ws_store_dir(ws), (long)uid, (long)gid, &err) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "%s", err.msg);
    pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
            iam_log_s(s, APLOG_ERR, errno, "cannot become uid %ld to write the store", (long)uid);
            _exit(1);
        }
        record_workspace(s, ws, ptemp);
        _exit(0);
    }
    if (pid < 0)
        iam_log_s(s, APLOG_ERR, errno, "cannot fork to write the store");
    else
        waitpid(pid, &status, 0);
}

int iam_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const iam_workspace_t *ws = iam_workspace_of(s);

    (void)plog;
    /* httpd runs post_config twice at start-up; the first pass only
     * checks the configuration. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    if (geteuid() == 0)
        record_workspace_as_user(s, ws, ptemp);
    else
        record_workspace(s, ws, ptemp);
    iam_log_s(s, APLOG_INFO, 0, "store %s, plan %s, %d roles", iam_ws_store_dir(ws),
              iam_plan_name(iam_ws_plan(ws)), iam_ws_roles(ws)->n);
    return iam_cluster_register(pconf, s);
}

/* Opens the child's store in a pool of its own; a failed attempt frees
 * everything it took. Called only under reopen_lock (or before threads). */
static iam_store_t *open_child_store(const iam_workspace_t *ws, server_rec *s)
{
    apr_pool_t *sp;
    iam_store_t *st;
    iam_err_t err;

    apr_pool_create(&sp, reopen_pool);
    if (iam_store_open(&st, iam_ws_store_dir(ws), iam_ws_mapsize(ws), 0, sp, &err) != IAM_OK) {
        apr_cpystrn(live.error, err.msg, sizeof(live.error));
        iam_log_s(s, APLOG_ERR, 0, "child cannot open the store: %s", err.msg);
        apr_pool_destroy(sp);
        return NULL;
    }
    live.error[0] = '\0';
    /* this configuration's login case, whatever was recorded */
    iam_store_set_fold_case(st, iam_ws_login_fold(ws));
    if (iam_ws_database(ws) && iam_replica_attach(st, iam_ws_database(ws), sp) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "%s: cannot prepare the connections", IAM_DIR_DATABASE);
    return st; /* closed when the child's pool goes, by the store's cleanup */
}

void iam_child_init(apr_pool_t *pchild, server_rec *s)
{
    const iam_workspace_t *ws = iam_workspace_of(s);
    apr_allocator_t *allocator;

    /* Its own allocator: request threads may re-open while others run. */
    apr_allocator_create(&allocator);
    apr_pool_create_ex(&reopen_pool, pchild, NULL, allocator);
    apr_allocator_owner_set(allocator, reopen_pool);
    apr_thread_mutex_create(&reopen_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    apr_atomic_xchgptr((volatile void **)&live.store, open_child_store(ws, s));
    reopen_next = apr_time_now() + apr_time_from_sec(1);
    iam_touch_child_init(pchild, s);
    iam_cluster_child_init(pchild, s);
}

iam_store_t *iam_child_store(void)
{
    return apr_atomic_casptr((volatile void **)&live.store, NULL, NULL);
}

iam_store_t *iam_request_store(request_rec *r)
{
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    iam_store_t *st = apr_atomic_casptr((volatile void **)&live.store, NULL, NULL);
    char why[sizeof(live.error)] = "not opened";

    if (st)
        return st;
    /* A store that was missing or broken at start-up may have been fixed
     * since (iamctl init): try again, at most once a second. */
    if (reopen_lock && apr_thread_mutex_lock(reopen_lock) == APR_SUCCESS) {
        st = live.store;
        if (!st && apr_time_now() >= reopen_next) {
            reopen_next = apr_time_now() + apr_time_from_sec(1);
            st = open_child_store(ws, r->server);
            apr_atomic_xchgptr((volatile void **)&live.store, st);
        }
        if (!st && live.error[0])
            apr_cpystrn(why, live.error, sizeof(why));
        apr_thread_mutex_unlock(reopen_lock);
    }
    if (!st)
        iam_log_r(r, APLOG_ERR, 0, "refusing %s: the store is not usable: %s", r->uri, why);
    return st;
}
