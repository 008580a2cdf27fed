// SPDX-License-Identifier: GPL-2.0
/* What the Maglev benchmarks share: a clock, medians, and the machine line. */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

__u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_min(const double *v, size_t n)
{
	double min = n ? v[0] : 0;

	for (size_t i = 1; i < n; i++)
		if (v[i] < min)
			min = v[i];
	return min;
}

void bench_print_machine(void)
{
	char line[256], model[256] = "unknown", load[256] = "unknown";
	struct utsname u;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/proc/loadavg", "r");
	if (f && fgets(line, sizeof(line), f)) {
		snprintf(load, sizeof(load), "%s", line);
		load[strcspn(load, "\n")] = 0;
	}
	if (f)
		fclose(f);
	if (uname(&u))
		strcpy(u.release, "unknown");
	printf("# machine: cpu \"%s\", %ld online cpus, kernel %s, "
	       "loadavg %s\n",
	       model, sysconf(_SC_NPROCESSORS_ONLN), u.release, load);
}

void bench_backends(struct nlb_maglev_backend *b, size_t n, __u32 base,
		    __u32 id0)
{
	for (size_t i = 0; i < n; i++) {
		__u32 host = base + (__u32)i;
		__u8 a[16] = {10, host >> 16, host >> 8, host};
		__be32 addr[4];

		memcpy(addr, a, sizeof(addr));
		nlb_maglev_key(b[i].key, 4, addr);
		b[i].id = id0 + (__u32)i;
		b[i].weight = 1;
	}
}
