/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc health state: rise/fall counting per check, and how several checks
 * of one backend combine into one state. */
#ifndef HC_STATE_H
#define HC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "hc_config.h"

enum hc_state { HC_UNKNOWN, HC_UP, HC_DOWN };

struct hc_fsm {
	enum hc_state state;
	uint8_t run; /* consecutive results that disagree with state */
};

/* Feed one result. The first result decides at once (a new backend should
 * not wait rise intervals to be known); after that it takes rise passes to
 * go up and fall failures to go down. Returns true when the state changed. */
bool hc_fsm_feed(struct hc_fsm *f, bool ok, unsigned rise, unsigned fall);

/* all: down if any is down, up if all are up, else unknown.
 * any: up if any is up, down if all are down, else unknown. */
enum hc_state hc_combine_states(const enum hc_state *s, int n,
				enum hc_combine mode);

const char *hc_state_name(enum hc_state s);

#endif /* HC_STATE_H */
