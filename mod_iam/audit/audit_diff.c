/* mod_iam: the audit trail in words: what changed between before and after (audit_int.h). */
#include "audit_int.h"

/* ---- what changed ---- */

static void scalar(apr_pool_t *p, apr_array_header_t *changes, diff_t *d, const char *label,
                   const rec_t *b, const char *bv, const rec_t *a, const char *av, const char *none)
{
    bv = at_rec_value(b, bv, none);
    av = at_rec_value(a, av, none);
    if (!bv || !av || !strcmp(bv, av))
        return;
    APR_ARRAY_PUSH(d->fields, const char *) = label;
    if (a->empty) /* a removal: what it was is the entry's before */
        return;
    if (b->empty) {
        APR_ARRAY_PUSH(changes, const char *) = apr_pstrcat(p, label, ": ", at_shown(p, av), NULL);
        return;
    }
    APR_ARRAY_PUSH(changes, const char *) =
        apr_pstrcat(p, label, ": ", *bv ? at_shown(p, bv) : "(none)", " → ",
                    *av ? at_shown(p, av) : "(none)", NULL);
}

int at_same_list(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;

    if (a->nelts != b->nelts)
        return 0;
    for (i = 0; i < a->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), APR_ARRAY_IDX(b, i, const char *)))
            return 0;
    }
    return 1;
}

/* "+ a; + b; − c", each side folded. */
static const char *signed_list(apr_pool_t *p, const apr_array_header_t *plus,
                               const apr_array_header_t *minus)
{
    const char *s = "";
    int side, i;

    for (side = 0; side < 2; side++) {
        const apr_array_header_t *a = side ? minus : plus;
        const char *sign = side ? "− " : "+ ";
        int n = a->nelts > FOLD ? FOLD_SHOW : a->nelts;
        for (i = 0; i < n; i++)
            s = apr_pstrcat(p, s, *s ? "; " : "", sign, APR_ARRAY_IDX(a, i, const char *), NULL);
        if (n < a->nelts)
            s = apr_psprintf(p, "%s%s%s%d more", s, *s ? "; " : "", sign, a->nelts - n);
    }
    return s;
}

/* The change of one list field; grants when `grants`, else names. */
static void list_change(apr_pool_t *p, const iam_roles_t *roles, apr_array_header_t *changes,
                        diff_t *d, const char *label, const list_t *bl, const list_t *al,
                        int grants)
{
    apr_array_header_t *plus, *minus, *pw, *mw;
    int i;

    if (!bl->present || !al->present) {
        d->lists_known = 0;
        return;
    }
    if (!bl->complete || !al->complete) {
        /* a list the store cut: what shows may not be all that changed */
        d->lists_known = 0;
        if (!at_same_list(bl->items, al->items)) {
            APR_ARRAY_PUSH(d->fields, const char *) = label;
            APR_ARRAY_PUSH(changes, const char *) =
                apr_pstrcat(p, label, ": changed (too long to compare here)", NULL);
        }
        return;
    }
    if (grants) {
        apr_array_header_t *bg = at_read_grants(p, bl), *ag = at_read_grants(p, al);
        plus = d->gplus;
        minus = d->gminus;
        at_grants_minus(p, ag, bg, plus);
        at_grants_minus(p, bg, ag, minus);
        pw = apr_array_make(p, plus->nelts + 1, sizeof(const char *));
        mw = apr_array_make(p, minus->nelts + 1, sizeof(const char *));
        for (i = 0; i < plus->nelts; i++)
            APR_ARRAY_PUSH(pw, const char *) =
                at_grant_words(p, roles, &APR_ARRAY_IDX(plus, i, pgrant_t));
        for (i = 0; i < minus->nelts; i++)
            APR_ARRAY_PUSH(mw, const char *) =
                at_grant_words(p, roles, &APR_ARRAY_IDX(minus, i, pgrant_t));
    } else {
        d->nplus = plus = at_names_minus(p, al->items, bl->items);
        d->nminus = minus = at_names_minus(p, bl->items, al->items);
        pw = apr_array_make(p, 1, sizeof(const char *));
        mw = apr_array_make(p, 1, sizeof(const char *));
        if (plus->nelts)
            APR_ARRAY_PUSH(pw, const char *) = at_fold(p, plus, ", ");
        if (minus->nelts)
            APR_ARRAY_PUSH(mw, const char *) = at_fold(p, minus, ", ");
    }
    if (plus->nelts || minus->nelts) {
        APR_ARRAY_PUSH(d->fields, const char *) = label;
        APR_ARRAY_PUSH(changes, const char *) =
            apr_pstrcat(p, label, ": ", signed_list(p, pw, mw), NULL);
    }
}

/* What changed from record text `before` to `after` (either "" for a
 * creation or a removal): lines into changes, the facts into d. */
void at_diff_records(apr_pool_t *p, const iam_roles_t *roles, const char *before, const char *after,
                     apr_array_header_t *changes, diff_t *d)
{
    rec_t b, a;

    memset(d, 0, sizeof(*d));
    d->fields = apr_array_make(p, 4, sizeof(const char *));
    d->gplus = apr_array_make(p, 2, sizeof(pgrant_t));
    d->gminus = apr_array_make(p, 2, sizeof(pgrant_t));
    d->nplus = d->nminus = apr_array_make(p, 1, sizeof(const char *));
    d->lists_known = 1;
    at_read_rec(p, before, &b);
    at_read_rec(p, after, &a);
    d->readable = (b.empty || b.fields) && (a.empty || a.fields) && !(a.empty && b.empty);
    if (!d->readable)
        return;
    scalar(p, changes, d, "name", &b, b.name, &a, a.name, "");
    scalar(p, changes, d, "email", &b, b.email, &a, a.email, "");
    if (!b.empty && !a.empty)
        scalar(p, changes, d, "status", &b, b.status, &a, a.status, "");
    scalar(p, changes, d, "access to personal data", &b, b.pii, &a, a.pii, "no");
    list_change(p, roles, changes, d, "grants", at_rec_list(p, &b, &b.grants),
                at_rec_list(p, &a, &a.grants), 1);
    if (b.groups.present || a.groups.present)
        list_change(p, roles, changes, d, "groups", at_rec_list(p, &b, &b.groups),
                    at_rec_list(p, &a, &a.groups), 0);
    if (b.members || a.members) {
        const char *bm = at_rec_value(&b, b.members, "0"), *am = at_rec_value(&a, a.members, "0");
        if (bm && am && strcmp(bm, am)) {
            APR_ARRAY_PUSH(d->fields, const char *) = "members";
            APR_ARRAY_PUSH(changes, const char *) =
                b.empty
                    ? apr_pstrcat(p, "members: ", at_shown(p, am), NULL)
                    : apr_pstrcat(p, "members: ", at_shown(p, bm), " → ", at_shown(p, am), NULL);
        }
    }
}
