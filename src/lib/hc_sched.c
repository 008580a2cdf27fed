// SPDX-License-Identifier: GPL-2.0
/* nlb-hc schedule: timer min-heap and slot spreading. */
#include "hc_sched.h"

#include <errno.h>
#include <stdlib.h>

static void put(struct hc_heap *h, uint32_t i, struct hc_timer *t)
{
	h->v[i] = t;
	t->idx = i + 1;
}

static void sift_up(struct hc_heap *h, uint32_t i)
{
	struct hc_timer *t = h->v[i];

	while (i) {
		uint32_t parent = (i - 1) / 2;

		if (h->v[parent]->when <= t->when)
			break;
		put(h, i, h->v[parent]);
		i = parent;
	}
	put(h, i, t);
}

static void sift_down(struct hc_heap *h, uint32_t i)
{
	struct hc_timer *t = h->v[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->when < h->v[c]->when)
			c++;
		if (t->when <= h->v[c]->when)
			break;
		put(h, i, h->v[c]);
		i = c;
	}
	put(h, i, t);
}

int hc_heap_add(struct hc_heap *h, struct hc_timer *t)
{
	if (t->idx)
		return -EEXIST;
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		struct hc_timer **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	put(h, h->n++, t);
	sift_up(h, h->n - 1);
	return 0;
}

void hc_heap_del(struct hc_heap *h, struct hc_timer *t)
{
	uint32_t i;

	if (!t->idx)
		return;
	i = t->idx - 1;
	t->idx = 0;
	if (i == --h->n)
		return;
	put(h, i, h->v[h->n]);
	hc_heap_fix(h, h->v[i]);
}

void hc_heap_fix(struct hc_heap *h, struct hc_timer *t)
{
	uint32_t i = t->idx - 1;

	if (i && h->v[(i - 1) / 2]->when > t->when)
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct hc_timer *hc_heap_min(const struct hc_heap *h)
{
	return h->n ? h->v[0] : NULL;
}

void hc_heap_free(struct hc_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

uint64_t hc_slot_phase(uint64_t k, uint64_t interval)
{
	/* 2^64 / golden ratio, so the product wraps to the fractional part */
	uint64_t frac = k * 0x9E3779B97F4A7C15ull;

	return (uint64_t)(((unsigned __int128)frac * interval) >> 64);
}

uint64_t hc_slot_next(uint64_t now, uint64_t epoch, uint64_t phase,
		      uint64_t interval)
{
	uint64_t base = epoch + phase;

	if (now <= base)
		return base;
	return base + (now - base + interval - 1) / interval * interval;
}
