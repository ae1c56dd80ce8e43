/* `make bench-cluster`: how fast a write through one server reaches the
 * other. Two httpds (event MPM) on one PostgreSQL, as the cluster suite
 * starts them; at each rate (IAM_BENCH_RATES, default "10 50" writes a
 * second) for IAM_BENCH_SECONDS (default 20), members are added through
 * the two servers' APIs in turn, and each one is looked up on the other
 * server's API (which reads the store decisions read) until it is there:
 * the time from the write's answer to the first answer that has it is
 * its propagation latency, reported as p50, p99 and max. Every write must
 * arrive, and in the end both stores and the database export the same.
 * Not part of `make test`'s run: run_tests adds this suite only when
 * IAM_SUITES=cluster-bench. */
#include "cluster_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

typedef struct {
    char login[48];
    const iam_httpd_t *other;
    double written; /* when the write was answered */
    double latency; /* < 0: not seen yet */
} write_t;

static double now(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Looks each pending write up on the other server once; how many are
 * still pending. */
static int probe(write_t *w, int n)
{
    int i, pending = 0;

    for (i = 0; i < n; i++) {
        if (w[i].latency >= 0)
            continue;
        if (cl_api(w[i].other, "GET", xprintf("members/%s", w[i].login), NULL, NULL) == 200)
            w[i].latency = now() - w[i].written;
        else
            pending++;
    }
    return pending;
}

static void run_rate(const iam_httpd_t *a, const iam_httpd_t *b, int rate, int seconds)
{
    int n = rate * seconds, i, pending = 0;
    write_t *w = calloc((size_t)n, sizeof(*w));
    double start = now(), *lat = calloc((size_t)n, sizeof(double)), deadline;

    for (i = 0; i < n; i++) {
        const iam_httpd_t *to = i % 2 ? b : a;
        double due = start + (double)i / rate;
        while (now() < due)
            if (!probe(w, i))
                usleep(1000);
        snprintf(w[i].login, sizeof(w[i].login), "w%d-%d", rate, i);
        w[i].other = i % 2 ? a : b;
        w[i].latency = -1;
        ck_assert_int_eq(
            cl_api(to, "POST", "members", xprintf("{\"login\":\"%s\"}", w[i].login), NULL), 201);
        w[i].written = now();
    }
    for (deadline = now() + 30; (pending = probe(w, n)) && now() < deadline;)
        usleep(1000);
    ck_assert_msg(pending == 0, "%d of %d writes never reached the other server", pending, n);
    for (i = 0; i < n; i++)
        lat[i] = w[i].latency * 1000;
    qsort(lat, (size_t)n, sizeof(double), by_value);
    printf("bench-cluster: %2d writes/s for %d s through two servers: %d writes, propagation "
           "p50 %.0f ms, p99 %.0f ms, max %.0f ms (achieved %.1f writes/s)\n",
           rate, seconds, n, lat[n / 2], lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1],
           lat[n - 1], n / (w[n - 1].written - start));
    fflush(stdout);
    free(lat);
    free(w);
}

START_TEST(test_propagation)
{
    const char *rates = getenv("IAM_BENCH_RATES"), *secs = getenv("IAM_BENCH_SECONDS");
    char *db = cl_database("bench"), *list = strdup(rates && *rates ? rates : "10 50"), *r;
    int seconds = secs && atoi(secs) > 0 ? atoi(secs) : 20;
    iam_httpd_t a, b;
    char *ea;

    cl_start_pair(&a, &b, db);
    for (r = strtok(list, " "); r; r = strtok(NULL, " "))
        run_rate(&a, &b, atoi(r) > 0 ? atoi(r) : 10, seconds);
    ea = cl_converged(shq(db), a.store, b.store);
    printf("bench-cluster: both stores and the database export the same (%zu bytes)\n", strlen(ea));
    iam_httpd_stop(&a);
    iam_httpd_stop(&b);
}
END_TEST

Suite *suite_cluster_bench(void)
{
    Suite *s = suite_create("cluster_bench");
    TCase *tc = cl_tcase("propagation", 1800);
    tcase_add_test(tc, test_propagation);
    suite_add_tcase(s, tc);
    return s;
}
