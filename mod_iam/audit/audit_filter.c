/* mod_iam: the audit trail in words: the filters on raw entries, and times in words (audit_int.h).
 */
#include "audit_int.h"

/* ---- filters: on the raw entry, without roles ---- */

/* Whether the entry's before and after hold different grants. */
static int grants_differ(apr_pool_t *p, const iam_audit_t *a)
{
    const char *asked, *before = a->before;
    rec_t b, af;
    const list_t *bl, *al;

    if (!strcmp(a->action, "request.approve"))
        before = at_approve_member(p, before, &asked);
    at_read_rec(p, before, &b);
    at_read_rec(p, a->after, &af);
    bl = at_rec_list(p, &b, &b.grants);
    al = at_rec_list(p, &af, &af.grants);
    if (!bl->present || !al->present)
        return 0;
    if (!bl->complete || !al->complete)
        return !at_same_list(bl->items, al->items);
    return !at_same_items(bl->items, al->items);
}

/* Whether the entry holds a member's record (before or after). */
static int holds_member(const char *action)
{
    return !strncmp(action, "member.", 7) || !strcmp(action, "owner.bootstrap") ||
           !strcmp(action, "grant") || !strcmp(action, "revoke") || !strcmp(action, "grant.edit") ||
           !strcmp(action, "request.approve");
}

static int match_kind(apr_pool_t *p, const iam_audit_t *a, const char *kind)
{
    if (!strcmp(iam_audit_kind(a->action), kind))
        return 1;
    if (strcmp(kind, IAM_AUDIT_KIND_GRANT))
        return 0;
    return (holds_member(a->action) || !strncmp(a->action, "group.", 6)) && grants_differ(p, a);
}

static int match_member(apr_pool_t *p, const iam_audit_t *a, const char *login)
{
    const char *kind = iam_audit_kind(a->action), *owner;
    apr_array_header_t *logins;
    int i;

    if (!strcmp(a->action, "group.add-members") || !strcmp(a->action, "group.remove-members")) {
        if (!at_has_ci(a->after, login))
            return 0;
        logins = at_read_logins(p, a->after);
        for (i = 0; i < logins->nelts; i++) {
            if (!strcasecmp(APR_ARRAY_IDX(logins, i, const char *), login))
                return 1;
        }
        return 0;
    }
    if (!strcmp(a->action, "token.die"))
        return (owner = at_token_owner(p, a->after)) && !strcasecmp(owner, login);
    if (!strcmp(kind, IAM_AUDIT_KIND_MEMBER) || !strcmp(kind, IAM_AUDIT_KIND_REQUEST) ||
        holds_member(a->action))
        return strncmp(a->target, "group:", 6) && !strcasecmp(a->target, login);
    return 0;
}

static int match_group(apr_pool_t *p, const iam_audit_t *a, const char *group)
{
    const char *asked, *before = a->before;
    rec_t b, af;
    const list_t *bl, *al;

    if (!strncmp(a->target, "group:", 6))
        return !strcasecmp(a->target + 6, group);
    if (!holds_member(a->action) || (!at_has_ci(a->before, group) && !at_has_ci(a->after, group)))
        return 0;
    if (!strcmp(a->action, "request.approve"))
        before = at_approve_member(p, before, &asked);
    at_read_rec(p, before, &b);
    at_read_rec(p, a->after, &af);
    bl = at_rec_list(p, &b, &b.groups);
    al = at_rec_list(p, &af, &af.groups);
    if (!bl->present || !al->present)
        return 0;
    return at_in_items(bl->items, group) != at_in_items(al->items, group);
}

static int match_actor(const char *actor, const char *who)
{
    const char *colon = strchr(actor, ':');

    return !strcasecmp(actor, who) || (colon && !strcasecmp(colon + 1, who));
}

int iam_audit_match(apr_pool_t *p, const iam_audit_t *a, const iam_audit_filter_t *f)
{
    iam_audit_t e = *a;

    if (!f)
        return 1;
    e.actor = e.actor ? e.actor : "";
    e.action = e.action ? e.action : "";
    e.target = e.target ? e.target : "";
    e.before = e.before ? e.before : "";
    e.after = e.after ? e.after : "";
    /* the cheap tests first: a query examines thousands of entries */
    if (f->actor && *f->actor && !match_actor(e.actor, f->actor))
        return 0;
    if (f->kind && *f->kind && !match_kind(p, &e, f->kind))
        return 0;
    if (f->member && *f->member && !match_member(p, &e, f->member))
        return 0;
    if (f->group && *f->group && !match_group(p, &e, f->group))
        return 0;
    return 1;
}

/* ---- times ---- */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

static int utc(long long t, struct tm *tm)
{
    time_t tt = (time_t)t;

    return (long long)tt == t && gmtime_r(&tt, tm) && tm->tm_mon >= 0 && tm->tm_mon < 12 &&
           tm->tm_wday >= 0 && tm->tm_wday < 7;
}

const char *iam_time_ago(apr_pool_t *p, long long t, long long now)
{
    long long d;
    struct tm tm;

    if (!__builtin_sub_overflow(now, t, &d) && d >= -60) {
        if (d < 60)
            return "just now";
        if (d < 3600)
            return d < 120
                       ? "1 minute ago"
                       : apr_psprintf(p, "%" APR_INT64_T_FMT " minutes ago", (apr_int64_t)(d / 60));
        if (d < 86400)
            return d < 7200
                       ? "1 hour ago"
                       : apr_psprintf(p, "%" APR_INT64_T_FMT " hours ago", (apr_int64_t)(d / 3600));
        if (d < 2 * 86400)
            return "yesterday";
        if (d < 7 * 86400)
            return apr_psprintf(p, "%" APR_INT64_T_FMT " days ago", (apr_int64_t)(d / 86400));
    }
    if (!utc(t, &tm))
        return "at an unknown time";
    return apr_psprintf(p, "%d %s %" APR_INT64_T_FMT, tm.tm_mday, months[tm.tm_mon],
                        (apr_int64_t)tm.tm_year + 1900);
}

const char *iam_time_exact(apr_pool_t *p, long long t)
{
    struct tm tm;

    if (!t || !utc(t, &tm))
        return "";
    return apr_psprintf(p, "%s %d %s %" APR_INT64_T_FMT " %02d:%02d:%02d UTC", days[tm.tm_wday],
                        tm.tm_mday, months[tm.tm_mon], (apr_int64_t)tm.tm_year + 1900, tm.tm_hour,
                        tm.tm_min, tm.tm_sec);
}
