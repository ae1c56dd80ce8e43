/* audit_text tests: a sentence for every action. Each action as the
 * store writes it, read as the sentence the console shows; what an entry
 * is about (its kind, member, group, actor, door); who did it, with the
 * names a caller knows; every action literal in the store's sources has
 * words; and every action the store writes, by real operations on a real
 * store, reads as a sentence of its own. */
#include "audit_text_test.h"

#include <apr_strings.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* ---- sentences, from entries as the store writes them ---- */

START_TEST(test_sentence_of_each_action)
{
    static const struct {
        const char *actor, *action, *target, *before, *after, *want;
    } cases[] = {
        {"console:olivia", "member.add", "max", "", MAX0, "olivia added max"},
        {"iamctl:root", "member.add", "olivia", "",
         "status=active email= name= pii=no grants=[workspace-owner on all] groups=[]",
         "root (iamctl) added olivia as a Workspace Owner"},
        {"api:olivia", "member.invite", "max@example.com", "",
         "status=invited email=max@example.com name= pii=no grants=[none] groups=[]",
         "olivia (API) invited max@example.com"},
        {"console:olivia", "member.update", "max", MAX0, MAX1,
         "olivia changed the name, grants and groups of max"},
        {"console:olivia", "member.remove", "max", MAX1, "", "olivia removed max"},
        {"system", "member.activate", "max", "invited", "active",
         "max signed in and accepted the invitation"},
        {"system", "member.activate", "max",
         "status=invited email=max@example.com name= pii=no grants=[none] groups=[]",
         "status=active email=max@example.com name=Max pii=no grants=[none] groups=[]",
         "max signed in and accepted the invitation for max@example.com"},
        {"system", "member.provision", "nina", "",
         "status=active email=nina@corp.example name=Nina New pii=no grants=[none] groups=[]",
         "nina signed in for the first time and joined the workspace"},
        {"server", "owner.bootstrap", "olivia", "",
         "status=active email= name= pii=no grants=[workspace-owner on all] groups=[]",
         "olivia became the first Workspace Owner (IAMBootstrapOwner)"},
        {"console:olivia", "grant", "max", MAX0,
         "status=active email=max@example.com name=Max pii=no grants=[source-admin on checkout "
         "web] groups=[]",
         "olivia gave max Source Admin on checkout, web"},
        {"console:olivia", "grant", "max", MAX0,
         "status=active email=max@example.com name=Max pii=no grants=[workspace-owner on all] "
         "groups=[]",
         "olivia made max a Workspace Owner"},
        {"iamctl:root", "revoke", "max", MAX1,
         "status=active email=max@example.com name=Max Mustermann pii=no grants=[source-admin on "
         "checkout] groups=[analysts]",
         "root (iamctl) revoked Source Admin on web from max"},
        {"console:olivia", "grant", "group:analysts", "pii=no grants=[none] members=3",
         "pii=no grants=[personas-read-only on labels env:prod team:x] members=3",
         "olivia gave the group analysts Personas Read-only on labels env:prod and team:x"},
        {"console:olivia", "revoke", "group:analysts",
         "pii=no grants=[warehouse-read-only on all] members=3", "pii=no grants=[none] members=3",
         "olivia revoked Warehouse Read-only on all from the group analysts"},
        {"console:olivia", "group.create", "group:analysts", "", "pii=no grants=[none] members=0",
         "olivia created the group analysts"},
        {"console:olivia", "group.update", "group:analysts", "pii=no grants=[none] members=3",
         "pii=yes grants=[none] members=5",
         "olivia changed the access to personal data and members of the group analysts"},
        {"console:olivia", "group.delete", "group:analysts", "pii=no grants=[none] members=3", "",
         "olivia deleted the group analysts"},
        {"console:olivia", "group.add-members", "group:analysts", "", "max",
         "olivia added max to analysts"},
        {"console:olivia", "group.add-members", "group:analysts", "", "max,anna,tom",
         "olivia added max, anna and tom to analysts"},
        {"console:olivia", "group.remove-members", "group:analysts", "", "max,anna,tom,zoe",
         "olivia removed 4 members from analysts"},
        {"iamctl:root", "import", "", "", "600 members, 12 groups",
         "root (iamctl) imported 600 members and 12 groups"},
        {"iamctl:root", "import", "", "", "1 members, 1 groups",
         "root (iamctl) imported 1 member and 1 group"},
        {"member:max", "request.open", "max", "",
         "edit source checkout (revision 1): I fix its build",
         "max asked for edit access to source checkout"},
        {"member:max", "request.open", "max", "", "read warehouse * (revision 1): ",
         "max asked for read access to the warehouse collection"},
        {"member:max", "request.open", "max", "",
         "admin console * (revision 1): ", "max asked for admin access to the workspace console"},
        {"member:max", "request.level", "max", "edit source checkout (revision 1)",
         "admin source checkout (revision 2): ",
         "max now asks for admin access to source checkout"},
        {"member:max", "request.update", "max", "edit source checkout (revision 2)",
         "edit source checkout (revision 3): please",
         "max changed the message of their request for edit access to source checkout"},
        {"console:olivia", "request.dismiss", "max", "edit source checkout (revision 1)", "",
         "olivia dismissed the request of max for edit access to source checkout"},
        {"console:olivia", "request.approve", "max",
         MAX0 "; asked: edit source checkout (revision 3)",
         "status=active email=max@example.com name=Max pii=no grants=[source-admin on checkout] "
         "groups=[]",
         "olivia approved the request of max for edit access to source checkout"},
        {"console:olivia", "token.create", "tok_0123456789ab", "", "nightly sync",
         "olivia created the API token tok_0123456789ab"},
        {"token:tok_0123456789ab", "token.revoke", "tok_0123456789ab", "", "",
         "API token tok_0123456789ab revoked the API token tok_0123456789ab"},
        {"console:olivia", "token.die", "tok_0123456789ab", "",
         "its owner 'max' was removed from the workspace",
         "The API token tok_0123456789ab stopped working: its owner 'max' was removed from the "
         "workspace"},
        {"console:olivia", "label.create", "team:growth", "", "the growth team",
         "olivia created the label team:growth"},
        {"iamctl:root", "label.delete", "team:growth", "the growth team", "",
         "root (iamctl) deleted the label team:growth"},
        {"server", "workspace.plan", "", "team", "business",
         "The server changed the plan to business"},
        {"server", "workspace.login-case", "", "exact", "fold",
         "The server made logins match in any case"},
        {"server", "workspace.login-case", "", "fold", "exact",
         "The server made logins match exactly, case and all"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        iam_audit_t a = entry(cases[i].actor, cases[i].action, cases[i].target, cases[i].before,
                              cases[i].after);
        iam_audit_text_t t = described_sanely(&a);
        ck_assert_msg(t.known, "%s: not known", cases[i].action);
        ck_assert_msg(!strcmp(t.sentence, cases[i].want), "%s: \"%s\", want \"%s\"",
                      cases[i].action, t.sentence, cases[i].want);
    }
}
END_TEST

/* What an entry is about, for the console's links and filters. */
START_TEST(test_kind_member_group)
{
    iam_audit_t a = entry("console:olivia", "group.add-members", "group:analysts", "", "max");
    iam_audit_text_t t = describe(&a);

    ck_assert_str_eq(t.kind, "group");
    ck_assert_str_eq(t.group, "analysts");
    ck_assert_str_eq(t.member, "max");
    ck_assert_str_eq(t.actor, "olivia");
    ck_assert_str_eq(t.via, "console");
    a = entry("console:olivia", "group.add-members", "group:analysts", "", "max,anna");
    ck_assert_ptr_null(describe(&a).member);
    a = entry("api:olivia", "grant", "max", MAX0, MAX1);
    t = describe(&a);
    ck_assert_str_eq(t.kind, "grant");
    ck_assert_str_eq(t.member, "max");
    ck_assert_ptr_null(t.group);
    ck_assert_str_eq(t.via, "API");
    a = entry("console:olivia", "grant", "group:eng", "pii=no grants=[none] members=1",
              "pii=no grants=[warehouse-admin on all] members=1");
    t = describe(&a);
    ck_assert_str_eq(t.group, "eng");
    ck_assert_ptr_null(t.member);
    a = entry("member:max", "request.open", "max", "", "read source web (revision 1): ");
    t = describe(&a);
    ck_assert_str_eq(t.kind, "request");
    ck_assert_str_eq(t.member, "max");
    ck_assert_str_eq(t.via, "access request");
    a = entry("system", "token.die", "tok_1", "",
              "its owner 'o'neil' is no longer a Workspace Owner");
    t = describe(&a);
    ck_assert_str_eq(t.kind, "token");
    ck_assert_str_eq(t.member, "o'neil");
    ck_assert_ptr_null(t.actor);
    ck_assert_ptr_null(t.via);
    a = entry("server", "workspace.plan", "", "free", "team");
    ck_assert_str_eq(describe(&a).kind, "workspace");
    ck_assert_str_eq(iam_audit_kind("member.update"), "member");
    ck_assert_str_eq(iam_audit_kind("owner.bootstrap"), "grant");
    ck_assert_str_eq(iam_audit_kind("import"), "workspace");
    ck_assert_str_eq(iam_audit_kind("member.frobnicate"), "other");
    ck_assert_str_eq(iam_audit_kind(NULL), "other");
}
END_TEST

/* Who did it: the login stays visible, the door is said when not the
 * console; a caller that knows names passes them. */
static const char *test_names(void *ctx, const char *login)
{
    (void)ctx;
    return !strcmp(login, "olivia") ? "Olivia" : !strcmp(login, "max") ? "Max" : NULL;
}

START_TEST(test_actors)
{
    iam_audit_t a = entry("console:olivia", "group.add-members", "group:analysts", "", "max,nina");
    iam_audit_text_t t;

    iam_audit_describe(pool, &roles, &a, test_names, NULL, &t);
    ck_assert_str_eq(t.sentence, "Olivia added Max and nina to analysts");
    ck_assert_str_eq(t.actor, "olivia"); /* the login, for links */
    ck_assert_str_eq(
        sentence("iamctl:root", "group.create", "group:x", "", "pii=no grants=[none] members=0"),
        "root (iamctl) created the group x");
    ck_assert_str_eq(sentence("scim:tok_0123456789ab", "group.create", "group:x", "", ""),
                     "The identity provider (SCIM token tok_0123456789ab) created the group x");
    ck_assert_str_eq(sentence("sso:okta", "group.create", "group:x", "", ""),
                     "okta (sso) created the group x");
    ck_assert_str_eq(sentence("", "group.create", "group:x", "", ""),
                     "Someone created the group x");
    ck_assert_str_eq(sentence("weird", "group.create", "group:x", "", ""),
                     "weird created the group x");
    ck_assert_str_eq(sentence(":", "group.create", "group:x", "", ""), ": created the group x");
    ck_assert_str_eq(sentence("system", "frob", "x", "", ""), "mod_iam: frob on x");
    /* an action this release does not know: the generic form */
    a = entry("console:olivia", "member.teleport", "max", "a", "b");
    t = describe(&a);
    ck_assert_int_eq(t.known, 0);
    ck_assert_str_eq(t.sentence, "olivia: member.teleport on max");
    ck_assert_str_eq(t.kind, "other");
    ck_assert_str_eq(sentence("server", "workspace.moon", "", "", ""),
                     "The server: workspace.moon");
}
END_TEST

/* ---- every action the store writes ---- */

/* The store's sources (the .c files of mod_iam/store/), one after the other. */
static char *store_sources(void)
{
    DIR *dir = opendir("mod_iam/store");
    struct dirent *e;
    char *all = strdup(""), *path, *one, *both;

    while (dir && (e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c"))
            continue;
        path = xprintf("mod_iam/store/%s", e->d_name);
        one = iam_test_slurp(path);
        both = xprintf("%s%s", all, one);
        free(path);
        free(all);
        free(one);
        all = both;
    }
    if (dir)
        closedir(dir);
    return all;
}

/* Every action literal in the store's audit calls (and save_holder's) has
 * words: a new action without a sentence fails here. */
START_TEST(test_store_actions_all_known)
{
    char *src = store_sources(), *s;
    int found = 0;

    ck_assert_msg(strlen(src) > 1000, "run from the source tree: mod_iam/store/ not found");
    for (s = src; (s = strstr(s, "audit(t,")) != NULL;) {
        int depth = 0;
        char *q;
        s += 8;
        /* the first argument: up to its comma at depth 0 */
        for (q = s; *q && !(depth == 0 && *q == ','); q++) {
            depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
            if (*q == '"') {
                char *end = strchr(q + 1, '"');
                char *lit = strndup(q + 1, (size_t)(end - q - 1));
                ck_assert_msg(strcmp(iam_audit_kind(lit), "other"),
                              "the store audits \"%s\": no words", lit);
                free(lit);
                found++;
                q = end;
            }
        }
    }
    for (s = src; (s = strstr(s, "save_holder(t, &h, \"")); s++) {
        char *lit = strndup(s + 20, strcspn(s + 20, "\""));
        ck_assert_msg(strcmp(iam_audit_kind(lit), "other"), "the store audits \"%s\": no words",
                      lit);
        free(lit);
        found++;
    }
    ck_assert_int_ge(found, 25);
    free(src);
}
END_TEST

/* Every action the store writes, by real operations; each entry reads as a
 * sentence of its own, none as the generic form. */
START_TEST(test_every_action_has_words)
{
    iam_member_t *imp = apr_pcalloc(pool, sizeof(*imp));
    apr_array_header_t *members = apr_array_make(pool, 1, sizeof(iam_member_t *));
    apr_array_header_t *groups = apr_array_make(pool, 1, sizeof(iam_group_t *));
    apr_array_header_t *grants = apr_array_make(pool, 2, sizeof(iam_grant_t)), *list;
    iam_grant_t src = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("checkout", "web"));
    iam_grant_t web = grant_of("source-admin", IAM_SCOPE_RESOURCES, ITEMS("web"));
    iam_grant_t wh = grant_of("warehouse-read-only", IAM_SCOPE_ALL, NULL);
    iam_grant_t owner = grant_of("workspace-owner", IAM_SCOPE_ALL, NULL);
    iam_request_t q = {"max", "source", "billing", "/src/billing", IAM_LEVEL_READ, "hi", 0, 0, 0};
    iam_approval_t ap = {"max", "source", "billing", 2, NULL, IAM_APPROVE_AUTO, 0};
    iam_member_spec_t ms = {"max", NULL, "Max Mustermann", IAM_ACTIVE, -1, NULL, NULL};
    iam_group_spec_t gs = {"analysts", 1, NULL, NULL};
    iam_request_change_e change;
    iam_arrive_e what;
    iam_token_t *tk;
    const char *token, *seen;
    int made, i;
    static const char *const want[] = {"import",
                                       "workspace.plan",
                                       "workspace.login-case",
                                       "owner.bootstrap",
                                       "member.add",
                                       "member.invite",
                                       "member.update",
                                       "member.remove",
                                       "member.activate",
                                       "member.provision",
                                       "grant",
                                       "revoke",
                                       "group.create",
                                       "group.update",
                                       "group.delete",
                                       "group.add-members",
                                       "group.remove-members",
                                       "request.open",
                                       "request.level",
                                       "request.approve",
                                       "request.dismiss",
                                       "token.create",
                                       "token.revoke",
                                       "token.die"};

    /* import first: it wants an empty store */
    imp->login = "olivia";
    imp->email = "olivia@example.com";
    imp->name = "Olivia";
    imp->grants = apr_array_make(pool, 1, sizeof(iam_grant_t));
    imp->groups = apr_array_make(pool, 1, sizeof(const char *));
    *(iam_grant_t *)apr_array_push(imp->grants) = owner;
    APR_ARRAY_PUSH(members, iam_member_t *) = imp;
    OK(iam_store_import(st, "iamctl:root", IAM_PLAN_BUSINESS, members, groups, &ierr));
    OK(iam_store_set_plan(st, "iamctl:root", IAM_PLAN_TEAM, 0, &ierr));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 1, &ierr));
    OK(iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, &roles, 0, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "max", "max@example.com", "Max", IAM_ACTIVE, 0,
                            &ierr));
    OK(iam_store_member_add(st, "console:olivia", "pat@corp.example", "pat@corp.example", NULL,
                            IAM_INVITED, 0, &ierr));
    OK(iam_store_member_add(st, "console:olivia", "inv", "inv@corp.example", NULL, IAM_INVITED, 0,
                            &ierr));
    OK(iam_store_member_activate(st, "inv", &ierr));
    OK(iam_store_member_arrive(st, "pat", "pat@corp.example", "Pat", 0, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_CLAIMED);
    OK(iam_store_member_arrive(st, "nina", "nina@corp.example", "Nina New", 1, &what, &ierr));
    ck_assert_int_eq(what, IAM_ARRIVE_PROVISIONED);
    OK(iam_store_member_put(st, "api:olivia", &ms, 0, &ierr));
    OK(iam_store_grant(st, "console:olivia", 0, "max", &src, &ierr));
    OK(iam_store_revoke(st, "iamctl:root", 0, "max", &web, 0, &ierr));
    OK(iam_store_group_create(st, "console:olivia", "analysts", &ierr));
    OK(iam_store_group_members(st, "console:olivia", "analysts", 1, ITEMS("max", "nina", "pat"), 3,
                               &ierr));
    OK(iam_store_group_members(st, "console:olivia", "analysts", 0, ITEMS("pat"), 1, &ierr));
    OK(iam_store_grant(st, "console:olivia", 1, "analysts", &wh, &ierr));
    *(iam_grant_t *)apr_array_push(grants) = wh;
    gs.grants = grants;
    OK(iam_store_group_put(st, "console:olivia", &gs, 0, &ierr));
    OK(iam_store_group_create(st, "console:olivia", "old", &ierr));
    OK(iam_store_group_delete(st, "console:olivia", "old", &ierr));
    /* requests */
    OK(iam_store_request_put(st, "member:max", &q, 10, &change, &ierr));
    q.level = IAM_LEVEL_EDIT;
    OK(iam_store_request_put(st, "member:max", &q, 10, &change, &ierr));
    ck_assert_int_eq(change, IAM_REQUEST_LEVEL);
    OK(iam_store_request_approve(st, "console:olivia", &ap, NULL, NULL, &ierr));
    q.login = "nina";
    q.type = "warehouse";
    q.name = "*";
    OK(iam_store_request_put(st, "member:nina", &q, 10, &change, &ierr));
    OK(iam_store_request_dismiss(st, "console:olivia", "nina", "warehouse", "*", NULL, NULL,
                                 &ierr));
    /* a request a grant answers; that grant edited in place */
    {
        iam_grant_t to_web = {"source-read-only", IAM_SCOPE_RESOURCES, 1,
                              (const char *[]){"web", NULL}};
        iam_grant_t to_ios = {"source-read-only", IAM_SCOPE_RESOURCES, 1,
                              (const char *[]){"ios", NULL}};
        q.type = "source";
        q.name = "web";
        q.level = IAM_LEVEL_READ;
        OK(iam_store_request_put(st, "member:nina", &q, 10, &change, &ierr));
        OK(iam_store_grant(st, "console:olivia", 0, "nina", &to_web, &ierr));
        OK(iam_store_grant_edit(st, "console:olivia", 0, "nina", &to_web, &to_ios, &ierr));
    }
    {
        /* narrowed: one resource dropped, the other kept */
        iam_grant_t both = {"source-admin", IAM_SCOPE_RESOURCES, 2,
                            (const char *[]){"checkout", "web", NULL}};
        iam_grant_t kept = {"source-admin", IAM_SCOPE_RESOURCES, 1, (const char *[]){"web", NULL}};
        OK(iam_store_grant(st, "console:olivia", 0, "nina", &both, &ierr));
        OK(iam_store_grant_edit(st, "console:olivia", 0, "nina", &both, &kept, &ierr));
    }
    /* tokens: one revoked, one dead with its owner's authority */
    OK(iam_store_member_add(st, "console:olivia", "oscar", NULL, NULL, IAM_ACTIVE, 1, &ierr));
    OK(iam_store_token_create(st, "console:olivia", "olivia", "nightly sync", pool, &token, &tk,
                              &ierr));
    OK(iam_store_token_revoke(st, "console:olivia", tk->id, &ierr));
    OK(iam_store_token_create(st, "console:oscar", "oscar", "deploys", pool, &token, &tk, &ierr));
    OK(iam_store_member_remove(st, "console:olivia", "oscar", &ierr));
    /* the first owner: from a store that has none */
    {
        iam_store_t *st2;
        apr_array_header_t *l2;
        OK(iam_store_open(&st2, apr_pstrcat(pool, att_tmp_dir, "/boot", NULL), TEST_MAPSIZE,
                          IAM_OPEN_CREATE | IAM_OPEN_NOSYNC, pool, &ierr));
        OK(iam_store_bootstrap_owner(st2, "olivia", &made, &ierr));
        ck_assert_int_eq(made, 1);
        OK(iam_store_audit_list(st2, pool, 0, 0, &l2, &ierr));
        ck_assert_int_eq(l2->nelts, 1);
        list = trail();
        APR_ARRAY_PUSH(list, iam_audit_t *) = APR_ARRAY_IDX(l2, 0, iam_audit_t *);
    }

    for (i = 0; i < list->nelts; i++) {
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        iam_audit_text_t t = described_sanely(a);
        ck_assert_msg(t.known, "%s: \"%s\" is the generic form", a->action, t.sentence);
        ck_assert_msg(!has(t.sentence, apr_pstrcat(pool, ": ", a->action, NULL)),
                      "%s: \"%s\" is the generic form", a->action, t.sentence);
    }
    for (i = 0; i < (int)(sizeof(want) / sizeof(want[0])); i++)
        ck_assert_msg(strcmp(said(list, want[i], 0), "(none)"), "no %s written", want[i]);

    ck_assert_str_eq(said(list, "import", 0), "root (iamctl) imported 1 member and 0 groups");
    ck_assert_str_eq(said(list, "workspace.plan", 0), "root (iamctl) changed the plan to team");
    ck_assert_str_eq(said(list, "workspace.plan", 1), "The server changed the plan to business");
    ck_assert_str_eq(said(list, "workspace.login-case", 0),
                     "The server made logins match in any case");
    ck_assert_str_eq(said(list, "owner.bootstrap", 0),
                     "olivia became the first Workspace Owner (IAMBootstrapOwner)");
    ck_assert_str_eq(said(list, "member.add", 0), "olivia added max");
    ck_assert_str_eq(said(list, "member.invite", 0), "olivia invited pat@corp.example");
    ck_assert_str_eq(said(list, "member.activate", 0), "inv signed in and accepted the invitation");
    ck_assert_str_eq(said(list, "member.activate", 1),
                     "pat signed in and accepted the invitation for pat@corp.example");
    ck_assert_str_eq(said(list, "member.provision", 0),
                     "nina signed in for the first time and joined the workspace");
    ck_assert_str_eq(said(list, "member.update", 0), "olivia (API) changed the name of max");
    ck_assert_str_eq(said(list, "grant", 0), "olivia gave max Source Admin on checkout, web");
    ck_assert_str_eq(said(list, "revoke", 0), "root (iamctl) revoked Source Admin on web from max");
    ck_assert_str_eq(said(list, "group.create", 0), "olivia created the group analysts");
    ck_assert_str_eq(said(list, "group.add-members", 0),
                     "olivia added max, nina and pat to analysts");
    ck_assert_str_eq(said(list, "group.remove-members", 0), "olivia removed pat from analysts");
    ck_assert_str_eq(said(list, "grant", 1),
                     "olivia gave the group analysts Warehouse Read-only on all");
    ck_assert_str_eq(said(list, "group.update", 0),
                     "olivia changed the access to personal data of the group analysts");
    ck_assert_str_eq(said(list, "group.delete", 0), "olivia deleted the group old");
    ck_assert_str_eq(said(list, "request.open", 0), "max asked for read access to source billing");
    ck_assert_str_eq(said(list, "request.level", 0),
                     "max now asks for edit access to source billing");
    ck_assert_str_eq(said(list, "request.approve", 0),
                     "olivia approved the request of max for edit access to source billing");
    ck_assert_str_eq(said(list, "request.granted", 0),
                     "A change by olivia gave nina the read access to source web they had asked "
                     "for");
    ck_assert_str_eq(said(list, "grant.edit", 0),
                     "olivia changed Source Read-only on web of nina to Source Read-only on ios");
    ck_assert_str_eq(said(list, "grant.edit", 1),
                     "olivia edited a grant of nina: no longer Source Admin on checkout");
    ck_assert_str_eq(said(list, "request.open", 1),
                     "nina asked for edit access to the warehouse collection");
    ck_assert_str_eq(said(list, "request.dismiss", 0),
                     "olivia dismissed the request of nina for edit access to the warehouse "
                     "collection");
    seen = said(list, "token.create", 0);
    ck_assert_msg(!strncmp(seen, "olivia created the API token tok_", 33), "%s", seen);
    ck_assert_msg(has(said(list, "token.revoke", 0), "olivia revoked the API token tok_"), "%s",
                  said(list, "token.revoke", 0));
    seen = said(list, "token.die", 0);
    ck_assert_msg(has(seen, "stopped working: its owner 'oscar' was removed from the workspace"),
                  "%s", seen);
    ck_assert_str_eq(said(list, "member.remove", 0), "olivia removed oscar");
    /* and the approval's changes: the grant it gave */
    for (i = 0; i < list->nelts; i++) {
        iam_audit_t *a = APR_ARRAY_IDX(list, i, iam_audit_t *);
        if (!strcmp(a->action, "request.approve")) {
            iam_audit_text_t t = describe(a);
            ck_assert_str_eq(changes(&t), "grants: + Source Admin on billing");
        }
    }
}
END_TEST

/* Adds this file's tests to the suite's TCases. */
void att_add_sentences(TCase *tc_words, TCase *tc_trail)
{
    tcase_add_test(tc_words, test_sentence_of_each_action);
    tcase_add_test(tc_words, test_kind_member_group);
    tcase_add_test(tc_words, test_actors);
    tcase_add_test(tc_words, test_store_actions_all_known);
    tcase_add_test(tc_trail, test_every_action_has_words);
}
