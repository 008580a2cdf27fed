// SPDX-License-Identifier: GPL-2.0
/* Unit tests of nlb-hc rise/fall and check combination. */
#include "hc_state.h"
#include "nlbtest.h"

NLB_TEST(hc_state_rise_fall)
{
	struct hc_fsm f = {0};

	CHECK(t, hc_fsm_feed(&f, true, 2, 3), "first result decides");
	CHECK_EQ_INT(t, f.state, HC_UP);
	CHECK(t, !hc_fsm_feed(&f, false, 2, 3));
	CHECK(t, !hc_fsm_feed(&f, false, 2, 3));
	CHECK(t, !hc_fsm_feed(&f, true, 2, 3), "a pass resets the count");
	CHECK(t, !hc_fsm_feed(&f, false, 2, 3));
	CHECK(t, !hc_fsm_feed(&f, false, 2, 3));
	CHECK_EQ_INT(t, f.state, HC_UP);
	CHECK(t, hc_fsm_feed(&f, false, 2, 3), "third failure: down");
	CHECK_EQ_INT(t, f.state, HC_DOWN);
	CHECK(t, !hc_fsm_feed(&f, true, 2, 3));
	CHECK(t, !hc_fsm_feed(&f, false, 2, 3));
	CHECK(t, !hc_fsm_feed(&f, true, 2, 3));
	CHECK(t, hc_fsm_feed(&f, true, 2, 3), "two passes: up");
	CHECK_EQ_INT(t, f.state, HC_UP);

	f = (struct hc_fsm){0};
	CHECK(t, hc_fsm_feed(&f, false, 1, 1));
	CHECK(t, hc_fsm_feed(&f, true, 1, 1), "rise 1 flips at once");
	CHECK(t, hc_fsm_feed(&f, false, 1, 1), "fall 1 flips at once");
}

NLB_TEST(hc_state_combine)
{
	enum hc_state up_down[] = {HC_UP, HC_DOWN};
	enum hc_state up_unk[] = {HC_UP, HC_UNKNOWN};
	enum hc_state down_unk[] = {HC_DOWN, HC_UNKNOWN};
	enum hc_state up_up[] = {HC_UP, HC_UP};
	enum hc_state down_down[] = {HC_DOWN, HC_DOWN};

	CHECK_EQ_INT(t, hc_combine_states(up_down, 2, HC_COMBINE_ALL), HC_DOWN);
	CHECK_EQ_INT(t, hc_combine_states(up_down, 2, HC_COMBINE_ANY), HC_UP);
	CHECK_EQ_INT(t, hc_combine_states(up_unk, 2, HC_COMBINE_ALL),
		     HC_UNKNOWN);
	CHECK_EQ_INT(t, hc_combine_states(up_unk, 2, HC_COMBINE_ANY), HC_UP);
	CHECK_EQ_INT(t, hc_combine_states(down_unk, 2, HC_COMBINE_ALL),
		     HC_DOWN);
	CHECK_EQ_INT(t, hc_combine_states(down_unk, 2, HC_COMBINE_ANY),
		     HC_UNKNOWN);
	CHECK_EQ_INT(t, hc_combine_states(up_up, 2, HC_COMBINE_ALL), HC_UP);
	CHECK_EQ_INT(t, hc_combine_states(down_down, 2, HC_COMBINE_ANY),
		     HC_DOWN);
	CHECK_EQ_INT(t, hc_combine_states(up_up, 0, HC_COMBINE_ALL),
		     HC_UNKNOWN);
}
