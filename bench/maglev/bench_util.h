/* SPDX-License-Identifier: GPL-2.0 */
/* What the Maglev benchmarks share: a clock, medians, and the machine line. */
#ifndef NLB_BENCH_UTIL_H
#define NLB_BENCH_UTIL_H

#include <stddef.h>
#include <linux/types.h>

#include "maglev.h"

/* CLOCK_MONOTONIC in nanoseconds. */
__u64 bench_now_ns(void);

/* Median of v[0..n-1]; sorts v. */
double bench_median(double *v, size_t n);
/* Smallest of v[0..n-1]: on a shared machine, the run least disturbed. */
double bench_min(const double *v, size_t n);

/* "# machine: ..." lines: CPU model, online CPUs, kernel, load average. The
 * load average is there because these figures are taken on shared hosts. */
void bench_print_machine(void);

/* n backends with distinct IPv4 keys from 10.0.0.0 + base, ids from id0,
 * weight 1. */
void bench_backends(struct nlb_maglev_backend *b, size_t n, __u32 base,
		    __u32 id0);

#endif /* NLB_BENCH_UTIL_H */
