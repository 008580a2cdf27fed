// SPDX-License-Identifier: GPL-2.0
/* Benchmark of a mass health flap against the real forwarder's maps.
 *
 * 1,000 VIPs of 100 backends; 10% of all backends go down at once, RUNS
 * times with a different 10% each time. Figures, each a median:
 *   maglev_flap_down_ms: the 10,000 state stores (nlb_maps__set_backend_state
 *     into the mmap-ed backends array): after them the data path falls back
 *     for every down slot, which is then checked with packets;
 *   maglev_flap_rebuild_ms: every affected VIP's exact table rebuilt
 *     (nlb_maglev_build_many) and swapped in whole (nlb_maps__put_rings),
 *     with its build part, and the same builds once more right after
 *     (maglev_flap_build_again_ms) as the reference for that part;
 *   maps_memory_1000vips_mib: the maps' kernel memory in that state.
 * A packet that reaches a down backend, or a flow that moves without need,
 * fails the run: the figures would mean nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "flap_traffic.h"
#include "flap_world.h"

#define NVIPS 1000
#define PER_VIP 100
#define NBACKENDS (NVIPS * PER_VIP)
#define NDOWN (NBACKENDS / 10)
#define RUNS 5
#define NESTABLISHED 10000 /* flows opened before each flap */
#define NNEW 20000 /* new flows sent after it */

/* The benchmark's state across runs. */
struct flap_bench {
	struct flap_world w;
	__u32 *order; /* backend ids, shuffled per run */
	long *est; /* backend of established flow i */
	__u32 *affected; /* VIPs with a backend down */
	__u32 next_client; /* fresh clients for new flows */
};

static __u32 rnd(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (__u32)(*s >> 11);
}

static int counter(struct flap_world *w, int which, __u64 *v)
{
	__u64 sum[NLB_CNT_MAX];
	int err = nlb_maps__counters(&w->m, sum);

	if (!err)
		*v = sum[which];
	return err;
}

/* Established flow i: client i of VIP i % NVIPS. */
static int establish(struct flap_bench *fb)
{
	for (__u32 i = 0; i < NESTABLISHED; i++) {
		fb->est[i] = flap_send(&fb->w, i % NVIPS, i);
		if (fb->est[i] < 0)
			return (int)fb->est[i];
	}
	return 0;
}

/* Sends NNEW new flows; fails on one reaching a down backend or another
 * VIP's backend. */
static int new_flows(struct flap_bench *fb)
{
	for (__u32 i = 0; i < NNEW; i++) {
		__u32 c = fb->next_client++, vip = c % NVIPS;
		long b = flap_send(&fb->w, vip, c);

		if (b < 0)
			return (int)b;
		if (fb->w.down[b] || b / PER_VIP != vip) {
			fprintf(stderr,
				"new flow %u of vip %u went to %s "
				"backend %ld\n",
				c, vip, fb->w.down[b] ? "down" : "foreign", b);
			return -EPROTO;
		}
	}
	return 0;
}

/* Established flows: those on down backends must move, the rest stay. */
static int recheck_established(struct flap_bench *fb, __u32 *moved)
{
	*moved = 0;
	for (__u32 i = 0; i < NESTABLISHED; i++) {
		long b = flap_send(&fb->w, i % NVIPS, i);

		if (b < 0)
			return (int)b;
		if (fb->w.down[b] ||
		    (!fb->w.down[fb->est[i]] && b != fb->est[i])) {
			fprintf(stderr, "flow %u: backend %ld -> %ld\n", i,
				fb->est[i], b);
			return -EPROTO;
		}
		*moved += b != fb->est[i];
	}
	return 0;
}

static size_t affected_vips(struct flap_bench *fb)
{
	size_t n = 0;

	for (__u32 v = 0; v < NVIPS; v++) {
		for (__u32 j = 0; j < PER_VIP; j++) {
			if (fb->w.down[v * PER_VIP + j]) {
				fb->affected[n++] = v;
				break;
			}
		}
	}
	return n;
}

/* The builds of the last rebuild once more, right after it and with
 * nothing else in between: if this takes as long as the rebuild's build
 * part, what slows the builds is the machine, not this process and its
 * 1.2 GiB of maps. */
static double build_again_ms(struct flap_world *w, size_t n)
{
	__u64 t0 = bench_now_ns();

	nlb_maglev_build_many(w->jobs, n, 0);
	return (bench_now_ns() - t0) / 1e6;
}

static int one_run(struct flap_bench *fb, int run, double *down_ms,
		   double *rebuild_ms, double *build_ms, double *again_ms)
{
	__u64 seed = 0x9e3779b97f4a7c15ull * (run + 1), t0, fb0, fb1, fb2;
	__u32 moved = 0;
	size_t naff;
	int err;

	err = establish(fb);
	if (err)
		return err;
	for (__u32 i = NBACKENDS - 1; i > 0; i--) {
		__u32 j = rnd(&seed) % (i + 1), x = fb->order[i];

		fb->order[i] = fb->order[j];
		fb->order[j] = x;
	}
	for (__u32 i = 0; i < NDOWN; i++)
		fb->w.down[fb->order[i]] = 1;

	/* The flap as the data path sees it: one store per backend. */
	t0 = bench_now_ns();
	for (__u32 i = 0; !err && i < NDOWN; i++)
		err = nlb_maps__set_backend_state(&fb->w.m, fb->order[i],
						  NLB_BACKEND_DOWN);
	*down_ms = (bench_now_ns() - t0) / 1e6;
	if (!err)
		err = counter(&fb->w, NLB_CNT_FALLBACK, &fb0);
	if (!err)
		err = recheck_established(fb, &moved);
	if (!err)
		err = new_flows(fb);
	if (!err)
		err = counter(&fb->w, NLB_CNT_FALLBACK, &fb1);
	if (err)
		return err;

	/* The exact tables, in the background as far as traffic goes. */
	naff = affected_vips(fb);
	t0 = bench_now_ns();
	err = flap_world_rebuild(&fb->w, fb->affected, naff);
	*rebuild_ms = (bench_now_ns() - t0) / 1e6;
	*build_ms = fb->w.build_ms;
	if (!err)
		*again_ms = build_again_ms(&fb->w, naff);
	if (!err)
		err = new_flows(fb);
	if (!err)
		err = counter(&fb->w, NLB_CNT_FALLBACK, &fb2);
	if (err)
		return err;
	printf("# run %d: %zu VIPs affected; %u of %d established flows "
	       "moved; fallbacks %llu before the rebuild, %llu after\n",
	       run, naff, moved, NESTABLISHED, (unsigned long long)(fb1 - fb0),
	       (unsigned long long)(fb2 - fb1));
	/* Exact tables hold no down backend: nothing may fall back. */
	if (fb2 != fb1 || fb1 == fb0) {
		fprintf(stderr, "fallback counter: %s\n",
			fb2 != fb1 ? "new flows fell back after the rebuild"
				   : "no fallback while backends were down");
		return -EPROTO;
	}

	/* Back to all enabled, untimed, for the next run. */
	for (__u32 i = 0; !err && i < NDOWN; i++) {
		fb->w.down[fb->order[i]] = 0;
		err = nlb_maps__set_backend_state(&fb->w.m, fb->order[i],
						  NLB_BACKEND_ENABLED);
	}
	if (!err)
		err = flap_world_rebuild(&fb->w, fb->affected, naff);
	return err;
}

/* What the forwarder counted, for a run that went wrong. */
static void print_counters(struct flap_world *w)
{
	__u64 sum[NLB_CNT_MAX];

	if (!w->skel || nlb_maps__counters(&w->m, sum))
		return;
	for (int i = 0; i < NLB_CNT_MAX; i++)
		if (sum[i])
			fprintf(stderr, "  counter %s: %llu\n",
				nlb_counter_name(i),
				(unsigned long long)sum[i]);
}

int main(void)
{
	struct flap_bench fb = {0};
	double down[RUNS], rebuild[RUNS], build[RUNS], again[RUNS];
	double put[RUNS * 2];
	__u64 mem, t0;
	int err = -ENOMEM;

	bench_print_machine();
	fb.order = malloc(NBACKENDS * sizeof(*fb.order));
	fb.est = malloc(NESTABLISHED * sizeof(*fb.est));
	fb.affected = malloc(NVIPS * sizeof(*fb.affected));
	if (!fb.order || !fb.est || !fb.affected)
		goto out;
	for (__u32 i = 0; i < NBACKENDS; i++)
		fb.order[i] = i;
	fb.next_client = NESTABLISHED;

	t0 = bench_now_ns();
	err = flap_world_open(&fb.w, NVIPS, PER_VIP);
	if (err) {
		fprintf(stderr,
			"loading the forwarder and its world: %d (%s)\n", err,
			strerror(-err));
		goto out;
	}
	printf("# %d VIPs x %d backends, M=%u, default map sizes; load, fill "
	       "and first build took %.0f ms\n",
	       NVIPS, PER_VIP, fb.w.ring_size, (bench_now_ns() - t0) / 1e6);
	err = flap_world_map_memory(&fb.w, &mem, stdout);
	if (err)
		goto out;
	printf("maps_memory_1000vips_mib: %.1f MiB\n", mem / 1048576.0);

	/* One swap alone, for scale: its cost is mostly the kernel waiting
	 * for an RCU grace period. */
	for (int r = 0; !err && r < RUNS * 2; r++) {
		t0 = bench_now_ns();
		err = nlb_maps__put_ring(&fb.w.m, 1, fb.w.tables,
					 fb.w.ring_size);
		put[r] = (bench_now_ns() - t0) / 1e6;
	}
	for (int r = 0; !err && r < RUNS; r++)
		err = one_run(&fb, r, &down[r], &rebuild[r], &build[r],
			      &again[r]);
	if (err)
		goto out;
	printf("# median of %d runs; %d of %d backends down in each, %d "
	       "established and %d new flows checked per run\n",
	       RUNS, NDOWN, NBACKENDS, NESTABLISHED, 2 * NNEW);
	printf("maglev_flap_down_ms: %.3f ms\n", bench_median(down, RUNS));
	printf("maglev_flap_rebuild_ms: %.1f ms\n",
	       bench_median(rebuild, RUNS));
	printf("maglev_flap_rebuild_build_part_ms: %.1f ms\n",
	       bench_median(build, RUNS));
	printf("maglev_flap_build_again_ms: %.1f ms\n",
	       bench_median(again, RUNS));
	printf("maps_put_ring_one_ms: %.2f ms\n", bench_median(put, RUNS * 2));
out:
	if (err)
		print_counters(&fb.w);
	flap_world_close(&fb.w);
	free(fb.affected);
	free(fb.est);
	free(fb.order);
	if (err)
		fprintf(stderr, "bench_flap: error %d (%s)\n", err,
			strerror(-err));
	return err ? 1 : 0;
}
