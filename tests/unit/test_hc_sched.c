// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the nlb-hc schedule: heap order under updates and removals,
 * and how evenly slots spread checks over an interval. */
#include <stdlib.h>

#include "hc_sched.h"
#include "nlbtest.h"

NLB_TEST(hc_sched_heap)
{
	enum { N = 1000 };
	static struct hc_timer tm[N];
	struct hc_heap h = {0};
	uint64_t last = 0;
	int popped = 0;

	srand(7);
	for (int i = 0; i < N; i++) {
		tm[i].when = rand() % 100000;
		REQUIRE(t, hc_heap_add(&h, &tm[i]) == 0);
	}
	CHECK(t, hc_heap_add(&h, &tm[0]) < 0, "double add refused");
	for (int i = 0; i < N; i += 3) {
		tm[i].when = rand() % 100000;
		hc_heap_fix(&h, &tm[i]);
	}
	for (int i = 1; i < N; i += 7)
		hc_heap_del(&h, &tm[i]);
	while (hc_heap_min(&h)) {
		struct hc_timer *m = hc_heap_min(&h);

		if (!CHECK(t, m->when >= last, "order: %llu after %llu",
			   (unsigned long long)m->when,
			   (unsigned long long)last))
			break;
		last = m->when;
		hc_heap_del(&h, m);
		CHECK(t, m->idx == 0);
		popped++;
	}
	CHECK_EQ_INT(t, popped, N - (N + 6) / 7);
	hc_heap_free(&h);
}

/* However many checks there are, no 10 ms window of a 1 s interval may hold
 * much more than its share: that is what "never in bursts" means. */
NLB_TEST(hc_sched_spread)
{
	const uint64_t iv = 1000000000ull, win = 10000000ull;
	static int bins[100];

	for (int n = 10; n <= 10000; n *= 10) {
		int max = 0;

		if (!nlbt_sub_begin(t, "n_%d", n))
			continue;
		for (int i = 0; i < 100; i++)
			bins[i] = 0;
		for (int k = 0; k < n; k++) {
			uint64_t ph = hc_slot_phase(k, iv);

			REQUIRE(t, ph < iv);
			bins[ph / win]++;
		}
		for (int i = 0; i < 100; i++)
			max = bins[i] > max ? bins[i] : max;
		CHECK(t, max <= n / 100 + 2, "max %d in 10 ms for %d checks",
		      max, n);
		nlbt_sub_end(t);
	}
}

NLB_TEST(hc_sched_next)
{
	CHECK_EQ_INT(t, hc_slot_next(5, 10, 3, 100), 13);
	CHECK_EQ_INT(t, hc_slot_next(13, 10, 3, 100), 13);
	CHECK_EQ_INT(t, hc_slot_next(14, 10, 3, 100), 113);
	CHECK_EQ_INT(t, hc_slot_next(250, 10, 3, 100), 313);
}
