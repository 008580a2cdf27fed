// SPDX-License-Identifier: GPL-2.0
/* Benchmark of the Maglev builder alone: one table, and a batch of VIPs.
 *
 * Prints "name: value unit" lines, each the median of RUNS runs, and the
 * fastest run as *_min_*: on a busy, shared machine the median measures the
 * neighbours as much as the code. The batch is also timed on one thread, so
 * that the parallel figure comes with a ratio.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "maglev.h"

#define M NLB_MAGLEV_DEFAULT_SIZE
#define RUNS_ONE 31
#define RUNS_MANY 7
#define MANY_VIPS 1000
#define MANY_BACKENDS 100

static int bench_one(size_t n, int weighted)
{
	struct nlb_maglev_backend *b = calloc(n, sizeof(*b));
	__u32 *table = malloc(M * sizeof(*table));
	double us[RUNS_ONE];
	int err = -ENOMEM;

	if (!b || !table)
		goto out;
	bench_backends(b, n, 1, 0);
	for (size_t i = 0; weighted && i < n; i++)
		b[i].weight = 1 + (__u32)(i % 10) * 11;
	err = nlb_maglev_build(b, n, M, table); /* warm caches and pages */
	for (int r = 0; !err && r < RUNS_ONE; r++) {
		__u64 t0 = bench_now_ns();

		err = nlb_maglev_build(b, n, M, table);
		us[r] = (bench_now_ns() - t0) / 1e3;
	}
	if (!err) {
		printf("maglev_build_n%zu%s_min_us: %.1f us\n", n,
		       weighted ? "_weighted" : "", bench_min(us, RUNS_ONE));
		printf("maglev_build_n%zu%s_us: %.1f us\n", n,
		       weighted ? "_weighted" : "", bench_median(us, RUNS_ONE));
	}
out:
	free(table);
	free(b);
	return err;
}

static int run_many(struct nlb_maglev_job *jobs, int nthreads, double *ms)
{
	__u64 t0 = bench_now_ns();
	int err = nlb_maglev_build_many(jobs, MANY_VIPS, nthreads);

	*ms = (bench_now_ns() - t0) / 1e6;
	for (int j = 0; !err && j < MANY_VIPS; j++)
		err = jobs[j].err;
	return err;
}

static int bench_many(void)
{
	size_t nb = (size_t)MANY_VIPS * MANY_BACKENDS;
	struct nlb_maglev_backend *b = calloc(nb, sizeof(*b));
	struct nlb_maglev_job *jobs = calloc(MANY_VIPS, sizeof(*jobs));
	__u32 *tables = malloc((size_t)MANY_VIPS * M * sizeof(*tables));
	double all[RUNS_MANY], one[RUNS_MANY], all_ms, one_ms;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int err = -ENOMEM;

	if (!b || !jobs || !tables)
		goto out;
	for (int j = 0; j < MANY_VIPS; j++) {
		struct nlb_maglev_backend *vb = b + (size_t)j * MANY_BACKENDS;

		bench_backends(vb, MANY_BACKENDS, (__u32)j * MANY_BACKENDS,
			       (__u32)j * MANY_BACKENDS);
		jobs[j] = (struct nlb_maglev_job){
			.backends = vb,
			.n = MANY_BACKENDS,
			.m = M,
			.table = tables + (size_t)j * M,
		};
	}
	err = run_many(jobs, 0, &all_ms); /* fault the tables in */
	for (int r = 0; !err && r < RUNS_MANY; r++) {
		err = run_many(jobs, 0, &all[r]);
		if (!err)
			err = run_many(jobs, 1, &one[r]);
	}
	if (err)
		goto out;
	printf("maglev_build_many_1000x100_min_ms: %.1f ms\n",
	       bench_min(all, RUNS_MANY));
	all_ms = bench_median(all, RUNS_MANY);
	one_ms = bench_median(one, RUNS_MANY);
	printf("maglev_build_many_1000x100_ms: %.1f ms\n", all_ms);
	printf("maglev_build_many_1000x100_1thread_ms: %.1f ms\n", one_ms);
	printf("maglev_build_many_speedup: %.2f x (%ld cpus)\n",
	       one_ms / all_ms, cpus);
	printf("maglev_build_many_per_table_per_core_us: %.1f us\n",
	       all_ms * 1e3 * (double)cpus / MANY_VIPS);
out:
	free(tables);
	free(jobs);
	free(b);
	return err;
}

int main(void)
{
	static const size_t ns[] = {10, 100, 1000};
	int err = 0;

	bench_print_machine();
	printf("# M=%u, IPv4 keys, weight 1 unless noted; median of %d runs "
	       "(single builds) and %d runs (batches)\n",
	       M, RUNS_ONE, RUNS_MANY);
	for (size_t i = 0; !err && i < sizeof(ns) / sizeof(ns[0]); i++)
		err = bench_one(ns[i], 0);
	if (!err)
		err = bench_one(100, 1);
	if (!err)
		err = bench_many();
	if (err)
		fprintf(stderr, "bench_build: error %d\n", err);
	return err ? 1 : 0;
}
