/* A store for the fuzz targets that write (import.c, json_body.c): made in
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

#endif
