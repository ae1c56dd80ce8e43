/* mod_iam: process lifecycle. post_config records httpd.conf's plan and
 * roles in the store (as root, before any child exists) and closes it;
 * each child opens its own environment after fork, as LMDB requires. */
#include "mod_iam.h"

#include "apr_strings.h"
#include "http_core.h"
#include "unixd.h"

#include <apr_thread_mutex.h>
#include <unistd.h>

/* Guards the lazy re-open of a child's store (threaded MPMs). */
static apr_thread_mutex_t *reopen_lock;
static apr_time_t reopen_next;

int iam_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    iam_workspace_t *ws = iam_workspace_of(s);
    iam_store_t *st;
    iam_err_t err;
    int made = 0;

    (void)plog;
    /* httpd runs post_config twice at start-up; the first pass only
     * checks the configuration. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    if (iam_store_open(&st, ws->store_dir, ws->mapsize, IAM_OPEN_CREATE, ptemp, &err) != IAM_OK) {
        /* Start anyway: paths without mod_iam keep working, and every
         * mod_iam decision fails closed until the store is fixed. */
        iam_log_s(s, APLOG_ERR, 0, "store not usable, every mod_iam request will be refused: %s",
                  err.msg);
        return OK;
    }
    if (iam_store_set_workspace(st, ws->plan, &ws->roles, &err) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "cannot record the plan and roles in the store: %s", err.msg);
    if (ws->bootstrap_owner) {
        if (iam_store_bootstrap_owner(st, ws->bootstrap_owner, &made, &err) != IAM_OK)
            iam_log_s(s, APLOG_ERR, 0, "%s %s: %s", IAM_DIR_BOOTSTRAP, ws->bootstrap_owner,
                      err.msg);
        else if (made)
            iam_log_s(s, APLOG_NOTICE, 0, "%s: '%s' is now the Workspace Owner", IAM_DIR_BOOTSTRAP,
                      ws->bootstrap_owner);
    }
    iam_store_close(st);
    /* Files created here by root must stay usable by the children. */
    if (geteuid() == 0 && iam_store_chown(ws->store_dir, (long)ap_unixd_config.user_id,
                                          (long)ap_unixd_config.group_id, &err) != IAM_OK)
        iam_log_s(s, APLOG_ERR, 0, "%s", err.msg);
    iam_log_s(s, APLOG_INFO, 0, "store %s, plan %s, %d roles", ws->store_dir,
              iam_plan_name(ws->plan), ws->roles.n);
    (void)pconf;
    return OK;
}

static void open_child_store(iam_workspace_t *ws, server_rec *s, apr_pool_t *pool)
{
    iam_err_t err;
    iam_store_t *st;

    if (iam_store_open(&st, ws->store_dir, ws->mapsize, 0, pool, &err) != IAM_OK) {
        apr_cpystrn(ws->store_error, err.msg, sizeof(ws->store_error));
        iam_log_s(s, APLOG_ERR, 0, "child cannot open the store: %s", err.msg);
        return;
    }
    ws->store_error[0] = '\0';
    ws->store = st; /* closed with the child's pool by the store's cleanup */
}

static apr_pool_t *child_pool;

void iam_child_init(apr_pool_t *pchild, server_rec *s)
{
    iam_workspace_t *ws = iam_workspace_of(s);

    child_pool = pchild;
    ws->store = NULL;
    apr_thread_mutex_create(&reopen_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    open_child_store(ws, s, pchild);
    reopen_next = apr_time_now() + apr_time_from_sec(1);
}

iam_store_t *iam_request_store(request_rec *r)
{
    iam_workspace_t *ws = iam_workspace_of(r->server);
    iam_store_t *st = ws->store;

    /* A store that was missing or broken at start-up may have been fixed
     * since (iamctl init): try again, at most once a second. */
    if (!st && reopen_lock && apr_thread_mutex_lock(reopen_lock) == APR_SUCCESS) {
        if (!ws->store && apr_time_now() >= reopen_next) {
            reopen_next = apr_time_now() + apr_time_from_sec(1);
            open_child_store(ws, r->server, child_pool);
        }
        st = ws->store;
        apr_thread_mutex_unlock(reopen_lock);
    }
    if (!st)
        iam_log_r(r, APLOG_ERR, 0, "refusing %s: the store is not usable: %s", r->uri,
                  ws->store_error[0] ? ws->store_error : "not opened");
    return st;
}
