/* mod_iam tests: the LMDB store (iam_store.h), driven through its API on a
 * fresh store per test; damage is done with <lmdb.h> directly, the way a
 * crash, a stray tool or an old release would leave the files.
 *
 * The "store" suite, one file per concern:
 *   test_store_members.c   opening a store; members
 *   test_store_grants.c    grants, plans and custom roles, owners, groups
 *   test_store_records.c   dump and import; whole records, the audit trail
 *   test_store_requests.c  arrivals, requests, login case, tokens
 *   test_store_damage.c    versions and damage; the copy of group grants
 *                          member records carry; verify
 *   test_store_lists.c     the console's lists, indexes, role holders
 *   test_store_map.c       a full map, grown by another process
 *   test_store_scim.c      ids, SCIM's writes, managed groups
 * This header and store_test.c hold what they share: the fixture (a fresh
 * store per test, which teardown verifies unless the test damaged it), the
 * macros, and the helpers more than one file calls. */
#ifndef STORE_TEST_H
#define STORE_TEST_H

/* This suite's shared names, prefixed where the linker sees them (every
 * suite's files link into one binary), short where the tests use them. */
#define st sto_st
#define pool sto_pool
#define ierr sto_ierr
#define grant_of sto_grant_of
#define write_file sto_write_file

#include "iam_store.h"
#include "iam_test.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <lmdb.h>
#include <string.h>

/* ---- the fixture's state (store_test.c) ---- */

extern char *tmp_dir;    /* the fixture's temp directory */
extern const char *sdir; /* the store inside it */
extern apr_pool_t *pool; /* owns every store handle of the test */
extern iam_store_t *st;  /* the store under test */
extern iam_err_t ierr;   /* detail of the last call */
extern int damaged;      /* the test wrote the files behind the store's back */

/* ---- macros ---- */

/* Runs a store call and checks its status; ierr is cleared first so the
 * failure message shows this call's detail. */
#define EXPECT(want, call) IAM_EXPECT(ierr, want, call)

#define OK(call) EXPECT(IAM_OK, call)

/* A NULL-terminated list of resource names or labels. */
#define ITEMS(...) ((const char *[]){__VA_ARGS__, NULL})

/* ---- helpers (store_test.c) ---- */

iam_grant_t grant_of(const char *role, iam_scope_e scope, const char **items);
iam_grant_t all_of(const char *role);
void add(const char *login, const char *email, int owner);
void fold(void); /* IAMLoginCase fold */
void add_members(const char *const *logins);
iam_member_t *member(const char *login);
iam_group_t *group(const char *name);
iam_workspace_info_t info(void);
/* The grant of `role` in `grants` (the first one), or NULL. */
const iam_grant_t *grant_in(const apr_array_header_t *grants, const char *role);
/* The items of a grant as one string, "a b c". */
const char *items_text(const iam_grant_t *g);
/* Names (group members, a member's groups) as one string, "a b c". */
const char *joined(const apr_array_header_t *names);
void set_plan(iam_plan_e plan);
/* A second store in the fixture's directory. */
iam_store_t *open_other(const char *name, size_t mapsize);
/* st, opened again on sdir. */
void reopen(void);

/* LMDB directly: what damage looks like. raw_put and raw_del set
 * `damaged`; raw_get's copy of the value is in the pool (NULL if none). */
void raw_put(const char *dir, const void *key, size_t klen, const void *val, size_t vlen);
void raw_del(const char *dir, const void *key, size_t klen);
MDB_val raw_get(const char *dir, const void *key, size_t klen);
/* Key of a record: a type byte and the lower-cased name. */
const char *rec_key(char type, const char *name, size_t *len);
void write_file(const char *path, const void *data, size_t n);

/* Whole records, the audit trail, a dump. */
apr_array_header_t *names_of(const char *const *names);
apr_array_header_t *grants_of(const iam_grant_t *g, int n);
/* The actions of the newest `n` audit entries, newest first: "a b c". */
const char *audit_actions(int n);

typedef struct {
    iam_plan_e plan;
    apr_array_header_t *members, *groups;
} dump_t;

dump_t dump_of(iam_store_t *s);

/* iam_store_verify of st; the problems it found, one per line. */
iam_verify_t verify(void);
const char *problems(const iam_verify_t *v);

/* ---- the suite ---- */

/* A TCase with the fixture and the timeout of a test of disk stores. */
TCase *store_tcase(const char *name);

/* Each file adds its TCases to the suite (suite_store, store_test.c). */
void store_cases_members(Suite *s); /* open, members */
void store_cases_grants(Suite *s);  /* grants, plans, owners, groups */
void store_cases_records(Suite *s); /* dump, records */
void store_cases_damage(Suite *s);  /* damage, decision-copy */
void store_cases_lists(Suite *s);   /* indexes */
void store_cases_map(Suite *s);     /* map-full */
void store_cases_labels(Suite *s);  /* labels (test_store_labels.c) */
void store_cases_scim(Suite *s);    /* ids, SCIM's writes (test_store_scim.c) */
/* The end of the "records" TCase (test_store_requests.c). */
void store_tests_requests(TCase *tc);

#endif
