// SPDX-License-Identifier: GPL-2.0
/* nlb-hc health state machine: rise/fall and the combination of checks. */
#include "hc_state.h"

bool hc_fsm_feed(struct hc_fsm *f, bool ok, unsigned rise, unsigned fall)
{
	enum hc_state want = ok ? HC_UP : HC_DOWN;

	if (f->state == HC_UNKNOWN) {
		f->state = want;
		f->run = 0;
		return true;
	}
	if (f->state == want) {
		f->run = 0;
		return false;
	}
	if (++f->run < (ok ? rise : fall))
		return false;
	f->state = want;
	f->run = 0;
	return true;
}

enum hc_state hc_combine_states(const enum hc_state *s, int n,
				enum hc_combine mode)
{
	int up = 0, down = 0;

	for (int i = 0; i < n; i++) {
		up += s[i] == HC_UP;
		down += s[i] == HC_DOWN;
	}
	if (mode == HC_COMBINE_ALL) {
		if (down)
			return HC_DOWN;
		return up == n && n ? HC_UP : HC_UNKNOWN;
	}
	if (up)
		return HC_UP;
	return down == n && n ? HC_DOWN : HC_UNKNOWN;
}

const char *hc_state_name(enum hc_state s)
{
	switch (s) {
	case HC_UP:
		return "up";
	case HC_DOWN:
		return "down";
	default:
		return "unknown";
	}
}
