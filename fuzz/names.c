/* Fuzz target: the syntax checks and small parsers of roles.c and
 * policy.c that take user text (issue 7): logins, group names, resource
 * types and names, labels, emails, display names, messages, sizes
 * (IAMMapSize, iamctl -m), levels, plans, role names and slugs, and the
 * check of a whole grant.
 *
 * The input is split at each '\n' into up to MAXPARTS strings; each is
 * given to every check, and they are put together the way the directives
 * put their arguments together: IAMRole NAME TYPE LEVEL adds custom roles
 * (iam_slugify, iam_level_parse, iam_roles_add), then a grant of one of
 * them on the other strings is checked (iam_grant_check) and, if valid,
 * decided on a resource made of them (IAMResource TYPE NAME LABEL...). The
 * whole input, line breaks included, is also checked as a message. */
#include "iam_policy.h"
#include "iam_present.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXPARTS 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const iam_roles_t *roles, const char *s)
{
    char slug[128], tiny[4];
    size_t sz;
    iam_level_e level;
    iam_plan_e plan;
    const iam_role_t *r;

    (void)iam_check_login(s);
    (void)iam_check_group_name(s);
    (void)iam_check_resource_type(s);
    (void)iam_check_resource_name(s);
    (void)iam_check_label(s);
    (void)iam_check_email(s);
    (void)iam_check_text(s, 64);
    (void)iam_check_message(s, 1000);
    if (iam_parse_size(s, &sz) == 0 && (sz < ((size_t)1 << 20) || sz > ((size_t)1 << 40)))
        abort(); /* the documented range: 1 MiB to 1 TiB */
    if (iam_level_parse(s, &level) == 0 && (level < IAM_LEVEL_READ || level > IAM_LEVEL_ADMIN))
        abort();
    if (iam_plan_parse(s, &plan) == 0 && (plan < IAM_PLAN_FREE || plan > IAM_PLAN_BUSINESS))
        abort();
    iam_slugify(s, slug, sizeof(slug));
    if (strlen(slug) >= sizeof(slug))
        abort();
    iam_slugify(s, tiny, sizeof(tiny));
    if (strlen(tiny) >= sizeof(tiny))
        abort();
    iam_slugify(s, tiny, 1);
    if (tiny[0])
        abort();
    if ((r = iam_roles_find(roles, s)))
        (void)strlen(r->slug);
    (void)iam_roles_has_type(roles, s);
    (void)iam_level_for_method(s, IAM_LEVEL_NONE);
    (void)iam_time_parse(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *parts[MAXPARTS], *at;
    char slugs[MAXPARTS][128];
    iam_roles_t roles;
    int n = 0, i;

    memcpy(text, data, size);
    text[size] = '\0';
    iam_roles_init(&roles);
    /* the whole text, as a request-access message or a display name */
    (void)iam_check_message(text, IAM_REQUEST_MESSAGE_MAX);
    (void)iam_check_text(text, 256);

    for (at = text; n < MAXPARTS;) {
        char *nl = strchr(at, '\n');
        parts[n++] = at;
        if (!nl)
            break;
        *nl = '\0';
        at = nl + 1;
    }
    for (i = n; i < MAXPARTS; i++)
        parts[i] = "";

    for (i = 0; i < n; i++)
        check_one(&roles, parts[i]);

    /* IAMRole "NAME" TYPE LEVEL [all-only], from each three strings */
    for (i = 0; i + 2 < n; i += 3) {
        iam_level_e level;
        const char *err;
        if (iam_level_parse(parts[i + 2], &level))
            continue;
        iam_slugify(parts[i], slugs[i], sizeof(slugs[i]));
        err = iam_roles_add(&roles, parts[i], slugs[i], parts[i + 1], level, i % 2);
        if (!err && !iam_roles_find(&roles, slugs[i]))
            abort(); /* a role just added must be found by its slug */
    }
    for (i = 0; i < n; i++)
        check_one(&roles, parts[i]);

    /* A grant of role parts[0] with the scope parts[1] names, on the
     * strings after it; if valid, decided on the resource
     * parts[2] (type) parts[3] (name) with the labels after it. */
    {
        static const iam_plan_e plans[] = {IAM_PLAN_FREE, IAM_PLAN_TEAM, IAM_PLAN_BUSINESS};
        const iam_role_t *role = iam_roles_find(&roles, parts[0]);
        iam_grant_t g = {parts[0], IAM_SCOPE_ALL, 0, (const char **)parts + 2};
        iam_resource_t res = {parts[2], parts[3][0] && strcmp(parts[3], "*") ? parts[3] : NULL,
                              n > 4 ? n - 4 : 0, (const char **)parts + 4};
        iam_grant_set_t set = {NULL, &g, 1};
        char buf[512];
        size_t p;

        if (!strcmp(parts[1], "resources"))
            g.scope = IAM_SCOPE_RESOURCES;
        else if (!strcmp(parts[1], "labels"))
            g.scope = IAM_SCOPE_LABELS;
        if (g.scope != IAM_SCOPE_ALL)
            g.nitems = n > 2 ? n - 2 : 0;
        for (p = 0; p < sizeof(plans) / sizeof(plans[0]); p++) {
            int to_group;
            for (to_group = 0; to_group <= 1; to_group++) {
                const char *err = iam_grant_check(&roles, plans[p], &g, to_group, buf, sizeof(buf));
                iam_decision_t d;
                if (err) {
                    if (strlen(err) >= sizeof(buf))
                        abort();
                    continue;
                }
                if (!role) /* a valid grant names a known role */
                    abort();
                if (!iam_plan_allows_grant(plans[p], role, &g, to_group))
                    abort(); /* iam_grant_check checks the plan first */
                set.via = to_group ? "group" : NULL;
                d = iam_policy_decide(&roles, plans[p], &set, 1, &res, IAM_LEVEL_READ);
                iam_policy_explain(&d, buf, sizeof(buf));
                (void)iam_policy_level(&roles, plans[p], &set, 1, &res);
                (void)iam_policy_is_owner(&roles, &set, 1);
                if (res.type[0]) {
                    iam_grant_t answer;
                    const char *item[2], *why = NULL;
                    const iam_role_t *got =
                        iam_policy_approval(&roles, plans[p], res.type, res.name, role->level, NULL,
                                            IAM_APPROVE_AUTO, &answer, item, &why);
                    iam_grant_set_t given = {NULL, &answer, 1};
                    if (!got && !why)
                        abort(); /* a refusal always says why */
                    if (got &&
                        !iam_policy_decide(&roles, plans[p], &given, 1, &res, role->level).allow)
                        abort(); /* an approval gives what was asked */
                }
            }
        }
    }
    free(text);
    return 0;
}
