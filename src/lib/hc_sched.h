/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc schedule: a binary min-heap of timers and the even spreading of
 * checks over their interval. */
#ifndef HC_SCHED_H
#define HC_SCHED_H

#include <stdint.h>

/* Embed in the object to schedule; idx is the heap's business. */
struct hc_timer {
	uint64_t when;
	uint32_t idx; /* position + 1; 0 when not in the heap */
};

struct hc_heap {
	struct hc_timer **v;
	uint32_t n, cap;
};

int hc_heap_add(struct hc_heap *h, struct hc_timer *t);
void hc_heap_del(struct hc_heap *h, struct hc_timer *t);
/* Call after changing t->when of a timer in the heap. */
void hc_heap_fix(struct hc_heap *h, struct hc_timer *t);
struct hc_timer *hc_heap_min(const struct hc_heap *h);
void hc_heap_free(struct hc_heap *h);

/* Phase of the k-th check within an interval: the golden-ratio sequence puts
 * every new check into the largest gap left by the ones before it, so any
 * number of checks stays evenly spread without renumbering old ones. */
uint64_t hc_slot_phase(uint64_t k, uint64_t interval);

/* First time >= now that is congruent to epoch + phase modulo interval. */
uint64_t hc_slot_next(uint64_t now, uint64_t epoch, uint64_t phase,
		      uint64_t interval);

#endif /* HC_SCHED_H */
