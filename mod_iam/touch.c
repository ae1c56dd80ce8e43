/* mod_iam: what a child saw, written off the request path. A member's
 * first request (an invitation taken up, a login provisioned, an invited
 * member turned active), their hourly "last seen" and an API token's last
 * use are noted in the child's memory by the request that sees them; a
 * thread of the child writes what was noted in one store transaction
 * (iam_store_touch), right after, and once more when the child exits. No request waits for LMDB's
 * writer lock, and a burst of requests costs one commit. Whether the write happened changes no
 * decision: an invited member is let in as they take the invitation up. */
#include "mod_iam.h"

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_cond.h"
#include "apr_thread_mutex.h"
#include "apr_thread_proc.h"

#define TOUCH_MAX 10000 /* notes held at most; more are dropped (and logged) */

typedef struct {
    server_rec *s;
    apr_thread_mutex_t *lock; /* guards everything below */
    apr_thread_cond_t *wake;
    apr_pool_t *pool;  /* the notes, cleared after each write */
    apr_hash_t *notes; /* kind + key -> iam_touch_t * */
    int dropped;
    int stop;
    apr_thread_t *thread;
} toucher_t;

static toucher_t *toucher; /* the child's, made in iam_touch_child_init */

/* Notes `x` (its strings copied); 0 if there is no writer to note it for. */
static int note(request_rec *r, const iam_touch_t *x)
{
    toucher_t *t = toucher;
    const char *id;
    iam_touch_t *n;

    if (!t || !x->key || apr_thread_mutex_lock(t->lock) != APR_SUCCESS)
        return 0;
    id = apr_psprintf(r->pool, "%c%s", x->kind, x->key);
    if ((n = apr_hash_get(t->notes, id, APR_HASH_KEY_STRING))) {
        n->when = x->when; /* and an arrival as the latest request saw it */
        n->provision = x->provision;
        if (x->email && (!n->email || strcmp(n->email, x->email)))
            n->email = apr_pstrdup(t->pool, x->email);
        if (x->name && (!n->name || strcmp(n->name, x->name)))
            n->name = apr_pstrdup(t->pool, x->name);
    } else if (apr_hash_count(t->notes) >= TOUCH_MAX) {
        t->dropped++;
        n = NULL;
    } else {
        n = apr_palloc(t->pool, sizeof(*n));
        *n = *x;
        n->key = apr_pstrdup(t->pool, x->key);
        n->email = x->email ? apr_pstrdup(t->pool, x->email) : NULL;
        n->name = x->name ? apr_pstrdup(t->pool, x->name) : NULL;
        apr_hash_set(t->notes, apr_pstrdup(t->pool, id), APR_HASH_KEY_STRING, n);
        apr_thread_cond_signal(t->wake);
    }
    apr_thread_mutex_unlock(t->lock);
    return n != NULL; /* dropped: not noted (an arrival is then written by its request) */
}

void iam_touch(request_rec *r, char kind, const char *key)
{
    iam_touch_t x = {kind, key, (long long)apr_time_sec(apr_time_now()), NULL, NULL, 0, 0};

    note(r, &x);
}

int iam_touch_arrival(request_rec *r, const char *login, const char *email, const char *name,
                      int provision)
{
    iam_touch_t x = {IAM_TOUCH_ARRIVE, login, (long long)apr_time_sec(apr_time_now()), email, name,
                     provision,        0};

    return note(r, &x);
}

/* Says who became a member: once, when it was written. */
static void log_arrivals(server_rec *s, const apr_array_header_t *batch)
{
    int i;

    for (i = 0; i < batch->nelts; i++) {
        const iam_touch_t *x = &APR_ARRAY_IDX(batch, i, iam_touch_t);
        if (x->kind != IAM_TOUCH_ARRIVE)
            continue;
        if (x->arrived == IAM_ARRIVE_CLAIMED)
            iam_log_s(s, APLOG_NOTICE, 0, "'%s' took up the invitation for %s", x->key,
                      x->email ? x->email : "their email");
        else if (x->arrived == IAM_ARRIVE_PROVISIONED)
            iam_log_s(s, APLOG_NOTICE, 0, "'%s' joined as a Workspace Member (IAMAutoProvision)",
                      x->key);
    }
}

/* Writes what was noted (called with the lock held; releases it while
 * the store writes, so requests go on noting). */
static void flush(toucher_t *t, apr_pool_t *scratch)
{
    apr_array_header_t *batch;
    apr_hash_index_t *hi;
    iam_store_t *st;
    iam_err_t err;
    int dropped = t->dropped;

    if (!apr_hash_count(t->notes) && !dropped)
        return;
    batch = apr_array_make(scratch, (int)apr_hash_count(t->notes), sizeof(iam_touch_t));
    for (hi = apr_hash_first(scratch, t->notes); hi; hi = apr_hash_next(hi)) {
        const iam_touch_t *note = apr_hash_this_val(hi);
        iam_touch_t *copy = apr_array_push(batch);
        *copy = *note;
        copy->key = apr_pstrdup(scratch, note->key);
        copy->email = note->email ? apr_pstrdup(scratch, note->email) : NULL;
        copy->name = note->name ? apr_pstrdup(scratch, note->name) : NULL;
    }
    apr_pool_clear(t->pool); /* the notes, and the table that held them */
    t->notes = apr_hash_make(t->pool);
    t->dropped = 0;
    apr_thread_mutex_unlock(t->lock);
    if (dropped)
        iam_log_s(t->s, APLOG_WARNING, 0,
                  "%d notes of members seen or tokens used were dropped: more than %d at once",
                  dropped, TOUCH_MAX);
    st = iam_child_store();
    if (batch->nelts && st &&
        iam_store_touch(st, (iam_touch_t *)batch->elts, batch->nelts, &err) != IAM_OK)
        iam_log_s(t->s, APLOG_ERR, 0, "cannot record %d members seen or tokens used: %s",
                  batch->nelts, err.msg);
    else if (batch->nelts && st)
        log_arrivals(t->s, batch);
    apr_thread_mutex_lock(t->lock);
}

static void *APR_THREAD_FUNC run(apr_thread_t *thread, void *data)
{
    toucher_t *t = data;
    apr_pool_t *scratch;

    apr_pool_create(&scratch, NULL);
    apr_thread_mutex_lock(t->lock);
    while (!t->stop) {
        if (!apr_hash_count(t->notes))
            apr_thread_cond_wait(t->wake, t->lock);
        flush(t, scratch);
        apr_pool_clear(scratch);
    }
    flush(t, scratch); /* what came in last */
    apr_thread_mutex_unlock(t->lock);
    apr_pool_destroy(scratch);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

/* At the child's exit, before its store closes (a pre-cleanup runs before
 * the child's sub-pools go): the thread writes what is left and ends. */
static apr_status_t stop(void *data)
{
    toucher_t *t = data;
    apr_status_t rv;

    apr_thread_mutex_lock(t->lock);
    t->stop = 1;
    apr_thread_cond_signal(t->wake);
    apr_thread_mutex_unlock(t->lock);
    apr_thread_join(&rv, t->thread);
    toucher = NULL;
    return APR_SUCCESS;
}

void iam_touch_child_init(apr_pool_t *pchild, server_rec *s)
{
    toucher_t *t = apr_pcalloc(pchild, sizeof(*t));

    t->s = s;
    if (apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS ||
        apr_thread_cond_create(&t->wake, pchild) != APR_SUCCESS ||
        apr_pool_create(&t->pool, NULL) != APR_SUCCESS) {
        iam_log_s(s, APLOG_ERR, 0, "cannot set up the writer of members seen: not recorded");
        return;
    }
    t->notes = apr_hash_make(t->pool);
    if (apr_thread_create(&t->thread, NULL, run, t, pchild) != APR_SUCCESS) {
        iam_log_s(s, APLOG_ERR, 0, "cannot start the writer of members seen: not recorded");
        return;
    }
    apr_pool_pre_cleanup_register(pchild, t, stop);
    toucher = t;
}
