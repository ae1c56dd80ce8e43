/* Fuzz target: the audit trail in words (mod_iam/audit/).
 *
 * An audit entry's texts come from the store, and through it from owners,
 * members and identity providers (display names, group names, messages);
 * an older release or a damaged store may have written anything. The
 * input is split at its first four '\n' into actor, action, target, before
 * and after (the rest, line breaks and all). The entry is described as it
 * is, then as every action the store writes, so each reader meets every
 * text; each description must be a sentence of valid UTF-8 without control
 * characters, as must every change. The filter reads the same entry with
 * the parts as its fields, and the times read the first bytes as numbers. */
#include "iam_audit_text.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;
static iam_roles_t roles;

static const char *const actions[] = {"member.add",
                                      "member.invite",
                                      "member.update",
                                      "member.remove",
                                      "member.activate",
                                      "member.provision",
                                      "owner.bootstrap",
                                      "grant",
                                      "revoke",
                                      "group.create",
                                      "group.update",
                                      "group.delete",
                                      "group.add-members",
                                      "group.remove-members",
                                      "import",
                                      "request.open",
                                      "request.level",
                                      "request.update",
                                      "request.approve",
                                      "request.dismiss",
                                      "token.create",
                                      "token.revoke",
                                      "token.die",
                                      "workspace.plan",
                                      "workspace.login-case"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    iam_roles_init(&roles);
    iam_roles_add(&roles, "Dashboard Viewer", "dashboard-viewer", "dashboard", IAM_LEVEL_READ, 0);
    return 0;
}

/* Valid UTF-8, no control character; else the target aborts. */
static void check_text(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    if (!s)
        abort();
    while (*u) {
        int n = *u < 0x80             ? 1
                : (*u & 0xe0) == 0xc0 ? 2
                : (*u & 0xf0) == 0xe0 ? 3
                : (*u & 0xf8) == 0xf0 ? 4
                                      : 0;
        int i;
        if (!n || (n == 1 && (*u < 0x20 || *u == 0x7f)))
            abort();
        for (i = 1; i < n; i++) {
            if ((u[i] & 0xc0) != 0x80)
                abort();
        }
        u += n;
    }
}

static const char *named(void *ctx, const char *login)
{
    (void)ctx;
    return login[0] == 'a' ? "\x01name\xff" : NULL; /* a careless lookup: cleaned too */
}

static void describe(apr_pool_t *p, const iam_audit_t *a)
{
    iam_audit_text_t t;
    int i;

    iam_audit_describe(p, &roles, a, a->seq % 2 ? named : NULL, NULL, &t);
    check_text(t.sentence);
    if (!t.sentence[0] || !t.kind)
        abort();
    for (i = 0; i < t.changes->nelts; i++)
        check_text(APR_ARRAY_IDX(t.changes, i, const char *));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *part[5], *at = text;
    long long t1 = 0, t2 = 0;
    apr_pool_t *p;
    iam_audit_t a;
    iam_audit_filter_t f;
    size_t i;
    int n;

    memcpy(text, data, size);
    text[size] = '\0';
    for (n = 0; n < 5; n++) {
        char *nl = n < 4 ? strchr(at, '\n') : NULL;
        part[n] = at;
        if (nl) {
            *nl = '\0';
            at = nl + 1;
        } else {
            at += strlen(at);
        }
    }
    apr_pool_create(&p, root);
    a = (iam_audit_t){size, 0, part[0], part[1], part[2], part[3], part[4]};
    describe(p, &a);
    for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        a.action = actions[i];
        describe(p, &a);
    }
    f = (iam_audit_filter_t){part[0], part[1], part[2], part[3], 0};
    (void)iam_audit_match(p, &a, &f);
    for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        a.action = actions[i];
        f.kind = iam_audit_kind(actions[i]);
        (void)iam_audit_match(p, &a, &f);
    }

    memcpy(&t1, data, size < sizeof(t1) ? size : sizeof(t1));
    if (size > sizeof(t1))
        memcpy(&t2, data + sizeof(t1),
               size - sizeof(t1) < sizeof(t2) ? size - sizeof(t1) : sizeof(t2));
    check_text(iam_time_ago(p, t1, t2));
    check_text(iam_time_exact(p, t1));

    apr_pool_destroy(p);
    free(text);
    return 0;
}
