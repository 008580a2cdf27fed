// SPDX-License-Identifier: GPL-2.0
/* Timed BPF_PROG_TEST_RUN loops: one call per frame (repeat = 1), since an
 * encapsulating program run repeatedly on one buffer would read its own
 * output from the second run on. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "bench.h"

#define RUN_OUTLIER_NS 20000

double run_calls(int prog, struct frame *f, uint32_t first, uint32_t nflows,
		 uint64_t n)
{
	uint8_t out[512];
	uint64_t total = 0, kept = 0, all = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .data_out = out, .repeat = 1);

	for (uint64_t i = 0; i < n; i++) {
		frame_flow(f, first + (uint32_t)(i % nflows));
		o.data_size_out = sizeof(out);
		if (bpf_prog_test_run_opts(prog, &o))
			return -errno;
		all += o.duration;
		/* a call this long was preempted or interrupted: the other
		 * engineers' load, not the program */
		if (o.duration > RUN_OUTLIER_NS)
			continue;
		total += o.duration;
		kept++;
	}
	if (!kept) /* every call slow: nothing better to report */
		return (double)all / (double)n;
	return (double)total / (double)kept;
}

struct worker {
	pthread_t th;
	int cpu, prog, err;
	enum frame_kind kind;
	uint32_t first, nflows;
	uint64_t n;
	double ns; /* mean in-kernel ns per call */
	pthread_barrier_t *start;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct frame f;
	cpu_set_t set;
	double r;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	w->err = sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
	if (!w->err)
		w->err = frame_make(&f, w->kind);
	/* establish this thread's flows on its own CPU's LRU list first */
	if (!w->err) {
		r = run_calls(w->prog, &f, w->first, w->nflows, w->nflows);
		w->err = r < 0 ? (int)r : 0;
	}
	pthread_barrier_wait(w->start);
	if (!w->err) {
		r = run_calls(w->prog, &f, w->first, w->nflows, w->n);
		w->err = r < 0 ? (int)r : 0;
		w->ns = r;
	}
	pthread_barrier_wait(w->start);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double run_pps(int prog, enum frame_kind kind, uint32_t nflows, uint64_t n,
	       int nthreads, double *kernel_ns)
{
	struct worker w[2];
	pthread_barrier_t start;
	double t0, t1;
	int err = 0;

	if (nthreads < 1 || nthreads > 2)
		return -EINVAL;
	pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){.cpu = i,
				       .prog = prog,
				       .kind = kind,
				       .first = 8000000u + i * nflows,
				       .nflows = nflows,
				       .n = n,
				       .start = &start};
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	pthread_barrier_wait(&start); /* flows in place */
	t0 = now();
	pthread_barrier_wait(&start); /* all done */
	t1 = now();
	*kernel_ns = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].err)
			err = w[i].err;
		*kernel_ns += w[i].ns / nthreads;
	}
	pthread_barrier_destroy(&start);
	return err ? err : (double)n * nthreads / (t1 - t0);
}
