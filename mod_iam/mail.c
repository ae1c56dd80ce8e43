/* mod_iam: mails to the owners about a new access request, through a
 * sendmail-compatible command (IAMMailCommand), one message per owner.
 * The member's request is stored before any mail is tried; sending never
 * holds it longer than MAIL_WAIT, a failure is logged, and no value from a
 * user can add a header: every header value goes through header_value(). */
#include "iam_html.h"

#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "http_core.h"
#include "http_protocol.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

#define MAIL_WAIT apr_time_from_msec(2000)

/* A header value: control characters (CR, LF above all) become spaces,
 * at most 200 bytes. */
static const char *header_value(apr_pool_t *p, const char *s)
{
    char *v = apr_pstrndup(p, s ? s : "", 200), *c;

    for (c = v; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    }
    return v;
}

/* A header value that may hold UTF-8 (a name): an RFC 2047 encoded-word
 * when it is not plain ASCII, cut on a character boundary. */
static const char *header_text(apr_pool_t *p, const char *s)
{
    char *v = apr_pstrdup(p, header_value(p, s));
    apr_size_t n = strlen(v), i, lead;
    int ascii = 1;

    for (i = 0; i < n; i++)
        ascii &= (unsigned char)v[i] < 0x80;
    if (ascii)
        return v;
    /* header_value cut at 200 bytes: drop a sequence the cut split */
    for (lead = n; lead > 0 && ((unsigned char)v[lead - 1] & 0xc0) == 0x80; lead--)
        ;
    if (lead > 0 && (unsigned char)v[lead - 1] >= 0xc0) {
        unsigned char c = (unsigned char)v[lead - 1];
        apr_size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (n - (lead - 1) < want)
            v[lead - 1] = '\0';
    }
    return apr_pstrcat(p, "=?UTF-8?B?", ap_pbase64encode(p, v), "?=", NULL);
}

/* Body text: CRLF and lone CR become LF; other control characters go. */
static const char *body_text(apr_pool_t *p, const char *s)
{
    char *v = apr_pstrdup(p, s ? s : ""), *o = v;
    const char *c;

    for (c = v; *c; c++) {
        if (*c == '\r') {
            *o++ = '\n';
            if (c[1] == '\n')
                c++;
        } else if ((unsigned char)*c >= 0x20 || *c == '\n' || *c == '\t') {
            *o++ = *c;
        }
    }
    *o = '\0';
    return v;
}

/* An absolute URL on this server, named by its configuration (ServerName
 * and port), never by the request's Host header: a requester must not be
 * able to point the owners' mail at another site. */
static const char *server_url(request_rec *r, const char *path)
{
    server_rec *s = r->server;
    /* ServerName's port, else the port this connection came in on */
    apr_port_t port = s->port ? s->port : r->connection->local_addr->port;

    return apr_psprintf(r->pool, "%s://%s%s%s", ap_http_scheme(r), s->server_hostname,
                        port == ap_default_port(r) ? "" : apr_psprintf(r->pool, ":%u", port), path);
}

/* The link to the requester's page in the console. */
static const char *member_url(request_rec *r, const char *console, const char *login)
{
    const char *path =
        apr_pstrcat(r->pool, "/members/", ap_escape_path_segment(r->pool, login), NULL);

    if (!strncmp(console, "http://", 7) || !strncmp(console, "https://", 8))
        return apr_pstrcat(r->pool, console, path, NULL);
    return server_url(r, apr_pstrcat(r->pool, console, path, NULL));
}

/* What a request asks for, in words. */
static const char *request_what(apr_pool_t *p, const iam_request_t *q)
{
    return !strcmp(q->type, IAM_TYPE_CONSOLE) ? "the workspace console"
           : !strcmp(q->type, IAM_TYPE_OWNERS)
               ? apr_pstrcat(p, "the owners-only page ", q->path, NULL)
           : !strcmp(q->name, "*") ? apr_pstrcat(p, "the ", q->type, " collection", NULL)
                                   : apr_pstrcat(p, q->type, " ", q->name, NULL);
}

static const char *mail_from(request_rec *r, const iam_workspace_t *ws)
{
    return iam_ws_mail_from(ws)
               ? iam_ws_mail_from(ws)
               : apr_pstrcat(r->pool, "mod_iam@", r->server->server_hostname, NULL);
}

static const char *message(request_rec *r, const iam_workspace_t *ws, const iam_member_t *owner,
                           const iam_request_t *q, const iam_member_t *requester, int changed)
{
    apr_pool_t *p = r->pool;
    const char *who = *requester->name ? requester->name : requester->login;
    const char *what = request_what(p, q);
    const char *from = mail_from(r, ws);

    return apr_pstrcat(
        p, "From: ", header_value(p, from), "\n", "To: ", header_value(p, owner->email), "\n",
        "Subject: ",
        header_text(p,
                    apr_psprintf(p, "%s from %s: %s",
                                 changed ? "Access request changed" : "Access request", who, what)),
        "\n", "MIME-Version: 1.0\n", "Content-Type: text/plain; charset=utf-8\n",
        "Content-Transfer-Encoding: 8bit\n", "Auto-Submitted: auto-generated\n", "\n",
        body_text(p, who), " (", body_text(p, requester->login), *requester->email ? ", " : "",
        body_text(p, requester->email), changed ? ") now asks for " : ") asks for ",
        iam_level_name(q->level), " access to ", body_text(p, what), " (", body_text(p, q->path),
        ").\n\nTheir message:\n\n", *q->message ? body_text(p, q->message) : "(none)",
        "\n\nReview the request and update their permissions in the console:\n",
        member_url(r, iam_ws_console_url(ws), requester->login),
        "\n\nThe request ends when you approve or dismiss it, or when a change to their "
        "permissions gives them this access.\n",
        NULL);
}

/* Runs `/bin/sh -c command` in a process group of its own with the
 * message on stdin: stopping a slow command stops all it started. */
static apr_proc_t *start_mail(request_rec *r, const char *command, const char *msg)
{
    apr_proc_t *proc = apr_pcalloc(r->pool, sizeof(*proc));
    char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t sa;
    size_t n = strlen(msg), off = 0;
    ssize_t w;
    sigset_t none;
    pid_t pid;
    int fds[2], rc;

    /* close-on-exec: another thread's command must not hold this pipe */
    if (pipe2(fds, O_CLOEXEC) != 0)
        return NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawnattr_init(&sa);
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&sa, &none); /* not the worker thread's mask */
    posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&sa, 0);
    rc = posix_spawn(&pid, "/bin/sh", &fa, &sa, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&sa);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        return NULL;
    }
    /* a command that stops reading early is its own business */
    while (off < n && (w = write(fds[1], msg + off, n - off)) > 0)
        off += (size_t)w;
    close(fds[1]);
    proc->pid = pid;
    return proc;
}

/* Starts one command per message, then waits for them all, never past
 * MAIL_WAIT; stragglers are stopped. Returns how many did not succeed;
 * `about` names the mail in the log. */
static int send_all(request_rec *r, const char *command, apr_array_header_t *msgs,
                    const char *about, const char *kept)
{
    apr_array_header_t *procs = apr_array_make(r->pool, msgs->nelts, sizeof(apr_proc_t *));
    apr_time_t deadline;
    int i, left, failed = 0;

    for (i = 0; i < msgs->nelts; i++) {
        apr_proc_t *proc = start_mail(r, command, APR_ARRAY_IDX(msgs, i, const char *));
        if (!proc) {
            iam_log_r(r, APLOG_ERR, 0, "cannot run %s %s", IAM_DIR_MAIL_COMMAND, about);
            failed++;
            continue;
        }
        APR_ARRAY_PUSH(procs, apr_proc_t *) = proc;
    }
    deadline = apr_time_now() + MAIL_WAIT;
    do {
        left = 0;
        for (i = 0; i < procs->nelts; i++) {
            apr_proc_t *proc = APR_ARRAY_IDX(procs, i, apr_proc_t *);
            int code;
            apr_exit_why_e why;
            if (!proc)
                continue;
            if (apr_proc_wait(proc, &code, &why, APR_NOWAIT) == APR_CHILD_DONE) {
                if (why != APR_PROC_EXIT || code != 0) {
                    iam_log_r(r, APLOG_ERR, 0, "%s failed (status %d) %s", IAM_DIR_MAIL_COMMAND,
                              code, about);
                    failed++;
                }
                APR_ARRAY_IDX(procs, i, apr_proc_t *) = NULL;
            } else {
                left++;
            }
        }
        if (left)
            apr_sleep(apr_time_from_msec(10));
    } while (left && apr_time_now() < deadline);
    for (i = 0; i < procs->nelts; i++) {
        apr_proc_t *proc = APR_ARRAY_IDX(procs, i, apr_proc_t *);
        int code;
        apr_exit_why_e why;
        if (!proc)
            continue;
        iam_log_r(r, APLOG_ERR, 0, "%s took longer than 2 s; stopped it (%s)", IAM_DIR_MAIL_COMMAND,
                  kept);
        kill(-proc->pid, SIGKILL); /* the whole group: the shell and what it ran */
        apr_proc_wait(proc, &code, &why, APR_WAIT);
        failed++;
    }
    return failed;
}

void iam_mail_request(request_rec *r, const iam_request_t *req, const iam_member_t *requester,
                      int changed)
{
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    apr_array_header_t *owners, *msgs;
    iam_store_t *st;
    iam_err_t err;
    int i;

    if (!iam_ws_mail_command(ws)) {
        iam_log_r(r, APLOG_DEBUG, 0, "no %s: the owners are not mailed", IAM_DIR_MAIL_COMMAND);
        return;
    }
    if (!(st = iam_request_store(r)) || iam_store_owners(st, r->pool, &owners, &err) != IAM_OK) {
        iam_log_r(r, APLOG_ERR, 0, "cannot list the owners to mail: %s", st ? err.msg : "no store");
        return;
    }
    msgs = apr_array_make(r->pool, owners->nelts, sizeof(const char *));
    for (i = 0; i < owners->nelts; i++) {
        iam_member_t *o = APR_ARRAY_IDX(owners, i, iam_member_t *);
        if (!*o->email) {
            iam_log_r(r, APLOG_WARNING, 0, "owner '%s' has no email: not told of %s's request",
                      o->login, requester->login);
            continue;
        }
        APR_ARRAY_PUSH(msgs, const char *) = message(r, ws, o, req, requester, changed);
    }
    send_all(r, iam_ws_mail_command(ws), msgs,
             apr_psprintf(r->pool, "mailing an owner about %s's request", requester->login),
             "the request is stored");
}

void iam_mail_request_answered(request_rec *r, iam_store_t *st, const iam_request_t *q,
                               const char *by)
{
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    apr_pool_t *p = r->pool;
    apr_array_header_t *msgs;
    const iam_role_t *role;
    iam_member_t *m;
    iam_err_t err;
    const char *answer;

    if (!iam_ws_mail_command(ws) ||
        (q->status != IAM_REQUEST_APPROVED && q->status != IAM_REQUEST_DISMISSED))
        return;
    if (iam_store_member_get(st, p, q->login, &m, &err) != IAM_OK || !*m->email)
        return;
    if (q->status == IAM_REQUEST_APPROVED) {
        role = iam_roles_find(iam_ws_roles(ws), q->granted_role);
        answer =
            apr_pstrcat(p, "approved it: you now have ", role ? role->name : q->granted_role,
                        role && role->kind == IAM_ROLE_OWNER ? ""
                        : q->granted_all ? apr_pstrcat(p, " on all ", q->type, " resources", NULL)
                                         : apr_pstrcat(p, " on ", q->name, NULL),
                        ".\n\nOpen it again:\n", server_url(r, q->path), "\n", NULL);
    } else {
        answer = "dismissed it. If you still need this access, ask again from the page, with a "
                 "word on what you need it for.\n";
    }
    msgs = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(msgs, const char *) = apr_pstrcat(
        p, "From: ", header_value(p, mail_from(r, ws)), "\n", "To: ", header_value(p, m->email),
        "\n", "Subject: ",
        header_text(p, apr_psprintf(p, "Your access request for %s: %s", request_what(p, q),
                                    q->status == IAM_REQUEST_APPROVED ? "approved" : "dismissed")),
        "\n", "MIME-Version: 1.0\n", "Content-Type: text/plain; charset=utf-8\n",
        "Content-Transfer-Encoding: 8bit\n", "Auto-Submitted: auto-generated\n", "\n",
        "You asked for ", iam_level_name(q->level), " access to ", body_text(p, request_what(p, q)),
        ". ", body_text(p, by), ", a Workspace Owner, ", answer, NULL);
    send_all(r, iam_ws_mail_command(ws), msgs,
             apr_psprintf(p, "mailing %s the answer to their request", q->login),
             "the answer is saved");
}

int iam_mail_invitation(request_rec *r, const iam_member_t *m, const char *inviter)
{
    const iam_workspace_t *ws = iam_workspace_of(r->server);
    apr_array_header_t *msgs;
    apr_pool_t *p = r->pool;
    const char *from, *link;

    if (!iam_ws_mail_command(ws) || !*m->email)
        return -1;
    from = mail_from(r, ws);
    link = iam_ws_login_url(ws) ? iam_ws_login_url(ws) : server_url(r, "/");
    msgs = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(msgs, const char *) = apr_pstrcat(
        p, "From: ", header_value(p, from), "\n", "To: ", header_value(p, m->email), "\n",
        "Subject: ",
        header_text(p, apr_psprintf(p, "You are invited to the workspace at %s",
                                    r->server->server_hostname)),
        "\n", "MIME-Version: 1.0\n", "Content-Type: text/plain; charset=utf-8\n",
        "Content-Transfer-Encoding: 8bit\n", "Auto-Submitted: auto-generated\n", "\n",
        *m->name ? body_text(p, m->name) : "Hello", ",\n\n", body_text(p, inviter),
        " invited you to the workspace. Log in here and your access is ready:\n\n", link,
        "\n\nLog in as ", body_text(p, m->login), ", or with the identity provider account of ",
        body_text(p, m->email), ".\n", NULL);
    return send_all(r, iam_ws_mail_command(ws), msgs,
                    apr_psprintf(p, "mailing the invitation of %s", m->login),
                    "the invitation is saved")
               ? 1
               : 0;
}
