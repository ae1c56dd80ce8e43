/* A store for the fuzz targets that write (import.c, json_body.c,
 * scim_body.c): made in
 * a new temporary directory (on tmpfs where there is one), whose files and
 * directory are removed as soon as LMDB holds them open, so that neither
 * a crash nor an abort leaves anything behind. */
#ifndef FUZZ_TMP_STORE_H
#define FUZZ_TMP_STORE_H

#include "iam_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static iam_store_t *fuzz_store_open(apr_pool_t *pool)
{
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[600];
    iam_store_t *st;
    iam_err_t err;

    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof(dir), "%s/mod_iam-fuzz.XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror(dir);
        abort();
    }
    if (iam_store_open(&st, dir, (size_t)16 << 20, IAM_OPEN_CREATE, pool, &err) != IAM_OK) {
        fprintf(stderr, "fuzz: cannot open a store in %s: %s\n", dir, err.msg);
        abort();
    }
    snprintf(path, sizeof(path), "%s/data.mdb", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/lock.mdb", dir);
    unlink(path);
    rmdir(dir);
    return st;
}

/* A seeding step that must work (else the target cannot run at all). */
static void fuzz_must(const char *target, iam_status_e st, const iam_err_t *err)
{
    if (st != IAM_OK) {
        fprintf(stderr, "fuzz %s: cannot seed the store: %s\n", target, err->msg);
        abort();
    }
}

/* The people every seeded store starts with: the workspace's settings,
 * olivia (the owner), sam, rita and max, and nora invited. */
static void fuzz_seed_people(const char *target, iam_store_t *st, const iam_roles_t *roles)
{
    iam_err_t err;

    fuzz_must(target, iam_store_set_workspace(st, "server", IAM_PLAN_BUSINESS, roles, 0, &err),
              &err);
    fuzz_must(target,
              iam_store_member_add(st, "fuzz", "olivia", "olivia@example.com", "Olivia Owner",
                                   IAM_ACTIVE, 1, &err),
              &err);
    fuzz_must(
        target,
        iam_store_member_add(st, "fuzz", "sam", "sam@example.com", "Sam", IAM_ACTIVE, 0, &err),
        &err);
    fuzz_must(target, iam_store_member_add(st, "fuzz", "rita", NULL, NULL, IAM_ACTIVE, 0, &err),
              &err);
    fuzz_must(target, iam_store_member_add(st, "fuzz", "max", NULL, NULL, IAM_ACTIVE, 0, &err),
              &err);
    fuzz_must(target,
              iam_store_member_add(st, "fuzz", "nora@example.com", "nora@example.com", NULL,
                                   IAM_INVITED, 0, &err),
              &err);
}

#endif
