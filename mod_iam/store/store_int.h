/* mod_iam: the store's private header: its types, its keys and the
 * functions its files share. Only the files of mod_iam/store/ (and the
 * store's fuzz target) include it, and it is the only file of mod_iam/
 * that includes <lmdb.h> (`make build` fails if another one does).
 *
 * One environment, one unnamed database, typed keys (Knot DNS style):
 *
 *   0x01 "version"            format version, decimal text
 *   0x01 "plan"               plan recorded by the server (or iamctl --plan)
 *   0x01 "plan-by"            "server" once a server has recorded it
 *   0x01 "roles"              custom roles recorded by the server
 *   0x01 "members", "groups" member and group counts (u64, big-endian)
 *   'M' login                 member record      (login lower-cased)
 *   'G' group                 group record       (name lower-cased)
 *   'm' login 0x00 group      membership, the member's side
 *   'g' group 0x00 login      membership, the group's side
 *   'O' login                 owner index
 *   'E' email                 email index -> login
 *   'R' login 0x00 type:name  an open access request
 *   'r' login 0x00 type:name  an answered one, kept for the member to see
 *   'T' token id              an API token (its secret only as SHA-256)
 *   'l' label                 a label the workspace made (lower-cased; labels.c)
 *   'b' type 0x00 name        the labels the workspace gives a resource (resources.c)
 *   'y' label 0x00 type:name  the resource carries the label (the record's mirror)
 *   0x01 "declared"           httpd.conf's resources, recorded by the server
 *   'A' u64 sequence          the audit trail
 *   0x01 "login-case"         "exact" or "fold" (IAMLoginCase), recorded by the server
 *   'N' pos                   name index: members in the console's order -> status,
 *                             login, email, name (format 5; pos: see index.c)
 *   'n' group 0x00 pos        the same, of one group's members
 *   'X' target 0x00 'm' login role-holder index: a member holds a grant of a role
 *                             on a target (role TAB "*", "r:" resource, "l:" label)
 *   'X' target 0x00 'g' group a group does
 *   'L' u64 sequence          the operation log (format 6, log.c)
 *   0x01 "log"                its last sequence (u64, big-endian)
 *   0x01 "log-id"             which log: IAM_LOG_ID random bytes
 *   'I' id                    a member's id: login, externalId (scim.c)
 *   'i' login                 -> the member's id
 *   'J' id                    a group's id: name, externalId, managed by SCIM
 *   'j' group                 -> the group's id
 *   0x01 "ids"                every member and group has an id
 *
 * Both sides of a membership, the owner index, the name and role-holder
 * indexes and the counts are written in the same transaction as the
 * records they mirror. Records are a small
 * length-prefixed binary format, decoded with bounds checks: a damaged
 * record is IAM_CORRUPT, never a crash and never an allow.
 *
 * The files, by concern:
 *
 *   codec.c          typed keys, the byte buffers records are built with, string helpers
 *   member_record.c  the member record (the flat format a decision reads; 1 and 2)
 *   records.c        the other records: group, custom roles, request, token, audit entry
 *   tx.c             statuses, transactions, the reader pool, the memo, the cursor loop
 *   open.c           open and close, the format version and its upgrade
 *   read.c           one member, group or subject; the owners
 *   lists.c          every record of a type: member lists, pages, counts; group lists
 *   index.c          the name and role-holder indexes: keys, values, how writes move them
 *   query.c          the console's lists from those indexes; who holds a role
 *   audit.c          the audit trail: descriptions, entries, queries
 *   write.c          the write shell: st_write_op, and what every write does at commit
 *   workspace.c      plan, custom roles, login case, the workspace secret
 *   members.c        members: add, remove, activate, update, arrivals
 *   grants.c         grants and revocations, of members and groups
 *   groups.c         groups and their members
 *   requests.c       access requests
 *   tokens.c         API tokens
 *   labels.c         the workspace's labels
 *   resources.c      the labels of resources, and httpd.conf's resources
 *   import.c         import into an empty store
 *   scim.c           ids, external ids, managed groups; SCIM's writes
 *   verify.c         iam_store_verify: every record and cross-reference
 *   log_codec.c      the operation log's one codec: entries to bytes and back
 *   log.c            the operation log: written at commit, read, applied; the digest
 */
#ifndef IAM_STORE_INT_H
#define IAM_STORE_INT_H

#include "iam_store.h"

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <lmdb.h>
#include <pthread.h>
#include <stddef.h>

#define K_META 0x01
#define MAXKEY 511 /* LMDB's default key size limit */
#define REC_FORMAT 1
#define MEMBER_FORMAT 3    /* 2 added last_seen, 3 the groups' grants; 1 and 2 are still read */
#define READER_POOL 16     /* reset read transactions kept for reuse: each keeps a reader slot */
#define MEMO_SLOTS 4096    /* member records whose place in the map is remembered */
#define MEMO_KEY 64        /* longer keys are not remembered */
#define IX_STORE_FORMAT 5  /* the first store format that has the name and role indexes */
#define LOG_STORE_FORMAT 6 /* the first with the operation log */
#define REQUEST_LABELS_MAX 64

/* Where a member record was found, and in which snapshot. While the
 * store's last committed transaction is still that one (a renewed read
 * transaction has its id), no page of that snapshot has been written or
 * freed for reuse, and the renewed transaction keeps it so: the record is
 * where it was, byte for byte, and its B-tree need not be searched again
 * (the search is most of a decision's cost on a big store). Any commit
 * gives the next snapshot a new id, and every entry of older ones
 * misses. Filled and read in read transactions only (a write
 * transaction's pages are its own until it commits). */
typedef struct {
    volatile unsigned int busy; /* a try-lock: a thread that finds it held reads the tree */
    size_t txnid;               /* the snapshot the place was found in */
    size_t klen;                /* 0: empty */
    unsigned char key[MEMO_KEY];
    MDB_val val;
} memo_t;

struct iam_store {
    MDB_env *env;
    MDB_dbi dbi;
    const char *dir;
    /* Every transaction holds it shared; adopting a map grown by another
     * process (MDB_MAP_RESIZED) holds it exclusive, as LMDB requires no
     * transaction of this process to be active then. */
    pthread_rwlock_t lock;
    int locked_init;
    /* Read transactions reset rather than freed: the next read renews one
     * (no allocation, the reader slot kept) instead of beginning afresh.
     * Each slot is taken and given back by one atomic exchange: no lock,
     * so a thread preempted in between holds no other thread up. */
    volatile void *readers[READER_POOL]; /* MDB_txn *, or NULL (APR's atomics want this type) */
    memo_t *memo;                        /* MEMO_SLOTS, or NULL */
    int fold;                            /* logins match folded to lower case (IAMLoginCase fold) */
    unsigned long long log_keep;         /* log entries kept (IAM_LOG_KEEP) */
    int replica;                         /* it records a database: writes go through it */
    iam_upstream_t upstream;             /* that database (begin NULL: not attached) */
#ifdef IAM_TEST_HOOKS
    unsigned long memo_hits;
#endif
};

/* A key: a type byte, then its parts (key_make). */
typedef struct {
    unsigned char b[MAXKEY];
    size_t n;
} key_t_;

/* A record being written. */
typedef struct {
    apr_pool_t *p;
    unsigned char *d;
    size_t n, cap;
} wbuf_t;

/* A record being read. Strings are copied, NUL-terminated, into `arena`:
 * one allocation the size of the record holds them all (each takes its
 * length plus one, where the record spent its length plus two). */
typedef struct {
    apr_pool_t *p;
    const unsigned char *d;
    size_t n, off;
    int bad;
    char *arena;
} rbuf_t;

/* A transaction. It carries a sticky status: after the first failure
 * every later call is a no-op, so a write reads begin, put, put, commit. */
typedef struct {
    iam_store_t *st;
    MDB_txn *txn;
    apr_pool_t *p;
    iam_err_t *err;
    iam_status_e status;
    const char *actor;        /* who writes: recorded in the audit trail */
    apr_hash_t *dirty;        /* logins whose record must carry their groups anew */
    apr_hash_t *settle;       /* logins whose permissions changed: their open requests are
                                 checked at commit (st_settle_requests) */
    const iam_roles_t *roles; /* a write's roles and plan, read in its transaction */
    iam_plan_e plan;
    int write;
    wbuf_t *log;       /* a write's operations so far (st_log_op); NULL: not logged */
    int nops;          /* how many */
    int deriving;      /* writing what derives from the facts: not logged */
    int restoring;     /* an import: grants may name labels the file's server declared */
    int scim;          /* a SCIM write: it may change a managed group's members */
    void *session;     /* the upstream's, for a write that goes through it */
    const void *entry; /* the log entry the write made (st_log_commit), or NULL */
    size_t entry_len;
    unsigned long long entry_seq;
} tx_t;

/* tx_begin's kinds: a write of the workspace goes through the upstream of
 * a replica; a local one (applying the log, a replica's own records) does
 * not. */
#define TX_READ 0
#define TX_WRITE 1
#define TX_LOCAL 2

/* What a scan (tx_scan) calls with each entry, its key and value as they
 * lie in the snapshot: 1 to go on, 0 to stop. */
typedef int (*scan_fn)(tx_t *t, const MDB_val *k, const MDB_val *v, void *ctx);

/* A write: what st_write_op runs in its transaction. */
typedef void (*write_fn)(tx_t *t, const iam_roles_t *roles, iam_plan_e plan, void *ctx);

/* What st_add_group_set collects of a member's groups: their grant sets
 * (sets, NULL: none), their personal-data flags (into subj, if any) and
 * their names. */
typedef struct {
    iam_subject_t *subj;
    apr_array_header_t *sets;
    apr_array_header_t *names;
} subject_ctx_t;

/* An entry of a name index, read where it lies (ix_parse). */
typedef struct {
    int status;
    const char *login, *email, *name; /* in the value itself */
} ix_entry_t;

/* A member's entries in the indexes, as a write found them (ix_state). */
typedef struct {
    unsigned char *pos; /* see ix_member_pos */
    size_t npos;
    MDB_val value;               /* see ix_value */
    apr_array_header_t *groups;  /* const char *: the groups they are in */
    apr_array_header_t *targets; /* const char *: what their own grants are on (ix_targets_of) */
} ix_state_t;

/* The store's own functions: out of mod_iam.so's exported symbols, as
 * they were while they were static (httpd loads modules RTLD_GLOBAL). */
#pragma GCC visibility push(hidden)

/* What the dirty table holds for a member besides their state: no entries
 * (no record when first marked, or a store being upgraded), or a mark for
 * their record's copy of their groups only (index.c). */
extern ix_state_t IX_NONE, IX_COPY_ONLY;

/* ---- codec.c ---- */
int key_make(key_t_ *k, char type, const char *a, const char *b);
MDB_val key_val(key_t_ *k);
int key_meta(key_t_ *k, const char *name);
void key_seq(key_t_ *k, char type, unsigned long long seq);
unsigned long long key_seq_of(const void *key, size_t n);
MDB_val st_str_val(const char *s);
void w_need(wbuf_t *w, size_t more);
void w_u8(wbuf_t *w, unsigned v);
void w_u16(wbuf_t *w, unsigned v);
void w_u32(wbuf_t *w, unsigned long v);
void w_u64(wbuf_t *w, unsigned long long v);
void w_str(wbuf_t *w, const char *s);
MDB_val w_val(const wbuf_t *w);
void w_grants(wbuf_t *w, const apr_array_header_t *grants);
unsigned long st_pool_str(wbuf_t *pool, const char *s);
rbuf_t r_open(apr_pool_t *p, const MDB_val *v);
unsigned r_u8(rbuf_t *r);
unsigned r_u16(rbuf_t *r);
unsigned long r_u32(rbuf_t *r);
unsigned long long r_u64(rbuf_t *r);
const char *r_str(rbuf_t *r);
apr_array_header_t *r_grants(rbuf_t *r);
void st_hex(char *out, const unsigned char *b, size_t n);
int st_in_names(const apr_array_header_t *names, const char *name);
int st_contains_ci(const char *hay, const char *needle);

/* ---- member_record.c ---- */
int rec_copies_grants(const iam_group_t *g);
MDB_val rec_encode_member(apr_pool_t *p, const iam_member_t *m, const apr_array_header_t *groups);
iam_member_t *rec_decode_member_at(apr_pool_t *p, const MDB_val *v, iam_subject_t *subj, int *flat);
iam_member_t *rec_decode_member(apr_pool_t *p, const MDB_val *v);
int rec_flat_misses(const MDB_val *v, const char *search);

/* ---- records.c ---- */
MDB_val rec_encode_group(apr_pool_t *p, const iam_group_t *g);
iam_group_t *rec_decode_group(apr_pool_t *p, const MDB_val *v);
MDB_val rec_encode_roles(apr_pool_t *p, const iam_roles_t *roles);
int rec_decode_roles(apr_pool_t *p, const MDB_val *v, iam_roles_t *roles);
MDB_val rec_encode_request(apr_pool_t *p, const iam_request_t *q);
iam_request_t *rec_decode_request(apr_pool_t *p, const MDB_val *v);
MDB_val rec_encode_token(apr_pool_t *p, const iam_token_t *tk, const unsigned char hash[32]);
iam_token_t *rec_decode_token(apr_pool_t *p, const MDB_val *v, unsigned char hash[32]);
iam_label_t *rec_decode_label(apr_pool_t *p, const MDB_val *v); /* labels.c */
/* resources.c */
iam_resource_labels_t *rec_decode_resource(apr_pool_t *p, const MDB_val *v, int strict);
apr_array_header_t *rec_decode_declared(apr_pool_t *p, const MDB_val *v);
MDB_val rec_encode_audit(apr_pool_t *p, const iam_audit_t *a);
iam_audit_t *rec_decode_audit(apr_pool_t *p, const MDB_val *k, const MDB_val *v);

/* ---- tx.c ---- */
iam_status_e st_fail(iam_err_t *err, iam_status_e st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
iam_status_e st_map_rc(iam_store_t *st, int rc, iam_err_t *err);
iam_status_e tx_fail(tx_t *t, iam_status_e st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
iam_status_e tx_rc(tx_t *t, int rc);
void st_readers_drain(iam_store_t *st);
iam_status_e tx_begin(tx_t *t, iam_store_t *st, int write, apr_pool_t *p, iam_err_t *err);
iam_status_e tx_end(tx_t *t);
iam_status_e tx_done(tx_t *t);
int tx_get(tx_t *t, key_t_ *k, MDB_val *out);
int tx_get_memo(tx_t *t, key_t_ *k, MDB_val *out);
void tx_put(tx_t *t, key_t_ *k, MDB_val v);
void tx_del(tx_t *t, key_t_ *k);
void tx_scan(tx_t *t, const key_t_ *prefix, const key_t_ *from, scan_fn fn, void *ctx);
void tx_scan_back(tx_t *t, const key_t_ *prefix, const key_t_ *from, scan_fn fn, void *ctx);
long long tx_meta_count(tx_t *t, const char *what);
void tx_meta_count_add(tx_t *t, const char *what, long long delta);
iam_plan_e tx_plan(tx_t *t);
void tx_roles(tx_t *t, iam_roles_t *roles);

/* ---- open.c ---- */
int st_version_of(const MDB_val *v);
void tx_upgrade(tx_t *t);
int tx_indexed(tx_t *t);

/* ---- read.c ---- */
int tx_record(tx_t *t, char type, const char *name, MDB_val *v);
int tx_member(tx_t *t, const char *login, iam_member_t **out);
int tx_member_named(tx_t *t, const char *login, iam_member_t **out);
void tx_no_member(tx_t *t, const char *login);
iam_member_t *tx_member_must(tx_t *t, const char *login);
int tx_group(tx_t *t, const char *name, iam_group_t **out);
void tx_each_link(tx_t *t, char type, const char *a, void (*fn)(tx_t *, const char *, void *),
                  void *ctx);
void st_add_name(tx_t *t, const char *name, void *data);
void st_add_group_set(tx_t *t, const char *group, void *data);
int tx_subject(tx_t *t, const char *login, const iam_roles_t *roles, iam_subject_t *out);
int tx_count_prefix(tx_t *t, char type);

/* ---- lists.c ---- */
void tx_each_record(tx_t *t, char type, scan_fn fn, void *ctx);
iam_status_e st_list_records(iam_store_t *st, apr_pool_t *p, char type, scan_fn fn,
                             apr_array_header_t **out, iam_err_t *err);
int st_name_group(tx_t *t, const MDB_val *k, const MDB_val *v, void *data);

/* ---- index.c ---- */
unsigned char ix_ascii_lower(unsigned char c);
size_t ix_member_pos(const iam_member_t *m, unsigned char *pos);
MDB_val ix_value(apr_pool_t *p, const iam_member_t *m);
int ix_parse(const MDB_val *v, ix_entry_t *e);
const unsigned char *ix_pos_login(const unsigned char *pos, size_t n, size_t *len);
int ix_pos_key(key_t_ *k, const char *group, const unsigned char *pos, size_t n);
int ix_holder_key(key_t_ *k, const char *target, char kind, const char *name);
apr_array_header_t *ix_targets_of(apr_pool_t *p, const apr_array_header_t *grants);
const char *ix_target_text(apr_pool_t *p, const char *target);
ix_state_t *ix_state(tx_t *t, apr_pool_t *p, const iam_member_t *m,
                     const apr_array_header_t *groups);
ix_state_t *ix_snapshot(tx_t *t, const char *key);
void ix_move_holder(tx_t *t, char kind, const char *name, const apr_array_header_t *was,
                    const apr_array_header_t *now);
void ix_move(tx_t *t, const char *key, const ix_state_t *was, const ix_state_t *now);
void ix_build(tx_t *t);

/* ---- audit.c ---- */
const char *st_describe_member(tx_t *t, const iam_member_t *m);
const char *st_describe_group(tx_t *t, const iam_group_t *g);
void st_audit(tx_t *t, const char *action, const char *target, const char *before,
              const char *after);

/* ---- log_codec.c, log.c ---- */
void st_log_head(wbuf_t *w, const unsigned char *id, unsigned long long seq, long long time,
                 const char *actor, unsigned long nops);
void st_log_put_op(wbuf_t *w, const iam_op_t *op);
void st_log_begin(tx_t *t);
void st_log_op(tx_t *t, char kind, const key_t_ *k, const MDB_val *v);
void st_log_commit(tx_t *t);
void st_log_snapshot(tx_t *t);

/* ---- write.c ---- */
iam_status_e st_write_op(iam_store_t *st, const char *actor, iam_err_t *err, write_fn op,
                         void *ctx);
void st_mark_dirty(tx_t *t, const char *login);
void st_put_member(tx_t *t, const iam_member_t *m);
void st_put_group(tx_t *t, const iam_group_t *g);
void st_flush_dirty(tx_t *t);
void st_set_link(tx_t *t, char type, const char *a, const char *b, int on);
void st_set_owner_index(tx_t *t, const char *login, int on);

/* ---- members.c ---- */
iam_member_t *tx_member_add(tx_t *t, const char *login, const char *email, const char *name,
                            iam_member_status_e status, int owner);
void st_member_email(tx_t *t, iam_member_t *m, const char *email);
void st_member_remove(tx_t *t, const char *login);
void st_member_suspend(tx_t *t, iam_member_t *m, int suspend);
iam_member_t *st_member_rekey(tx_t *t, iam_member_t *m, const char *login, const char *why);
/* An arrival (iam_store_member_arrive) in t with t->plan: what it would
 * do, deciding only (what it refuses fails t before any write); and
 * done. */
iam_arrive_e st_arrival(tx_t *t, const char *login, const char *email, const char *name,
                        int provision);
void st_arrive(tx_t *t, const char *login, const char *email, const char *name, int provision,
               iam_arrive_e *what);
int st_is_owner_grants(const apr_array_header_t *grants);
void st_last_owner_check(tx_t *t, const iam_member_t *m, const char *what);

/* ---- grants.c ---- */
const iam_role_t *st_merge_grant(tx_t *t, apr_array_header_t *grants, const iam_grant_t *in,
                                 const iam_roles_t *roles, iam_plan_e plan, int to_group,
                                 const char *label, int strict);
apr_array_header_t *st_build_grants(tx_t *t, const apr_array_header_t *in, const iam_roles_t *roles,
                                    iam_plan_e plan, int to_group, const char *label);

/* ---- groups.c ---- */
iam_group_t *tx_group_create(tx_t *t, const char *name, iam_plan_e plan);
void st_group_delete(tx_t *t, const char *name);
void st_group_rename(tx_t *t, iam_group_t *g, const char *name);
iam_member_t *tx_group_link(tx_t *t, const char *group, const char *login, int add, int strict,
                            int by_key);

/* ---- requests.c ---- */
void st_settle_later(tx_t *t, const char *login);
void st_settle_group_later(tx_t *t, const char *group);
void st_settle_requests(tx_t *t);

/* ---- labels.c, resources.c ---- */
int st_label_grantable(tx_t *t, const iam_roles_t *roles, const char *label);
void st_label_make(tx_t *t, iam_plan_e plan, const char *label, const char *description);
void st_resource_labels_put(tx_t *t, const iam_roles_t *roles, iam_plan_e plan,
                            iam_resource_labels_t *want);
apr_array_header_t *tx_declared(tx_t *t);
int st_declared_has(const apr_array_header_t *decls, const char *label,
                    const iam_declared_t **first);
int tx_label_exists(tx_t *t, const char *label);
int tx_label_resources(tx_t *t, const char *label);

/* ---- scim.c ---- */
iam_scim_id_t *rec_decode_id(apr_pool_t *p, const MDB_val *k, const MDB_val *v);
void st_id_make(tx_t *t, char kind, const char *name);
void st_id_move(tx_t *t, char kind, const char *from, const char *to);
void st_id_drop(tx_t *t, char kind, const char *name);
int st_group_managed(tx_t *t, const char *name);

/* ---- tokens.c ---- */
void st_kill_tokens(tx_t *t, const char *login, const char *why);
void st_owner_lost(tx_t *t, const char *login, const char *why);

#pragma GCC visibility pop

#endif
