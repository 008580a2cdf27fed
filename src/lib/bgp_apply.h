/* SPDX-License-Identifier: GPL-2.0 */
/* Applying a bgpd configuration the way FRR's own tools do, as one
 * transaction: write it to a file, test it (vtysh --dryrun), reload it
 * (frr-reload.py --reload: only the differences are configured; when only
 * VIPs came or went since the last good one, just those network lines
 * through one vtysh -f, which is several times faster), then
 * verify that bgpd originates exactly the wanted prefixes. When the reload
 * or the verification fails, the last good configuration is reloaded; when
 * the test fails, nothing is touched. The last good configuration and its
 * prefixes are kept in a state directory, so they survive a restart. */
#ifndef NLB_BGP_APPLY_H
#define NLB_BGP_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp_vtysh.h"

enum bgp_apply_step {
	BGP_STEP_NONE, /* nothing failed */
	BGP_STEP_WRITE,
	BGP_STEP_TEST,
	BGP_STEP_RELOAD,
	BGP_STEP_VERIFY,
};

struct bgp_apply_report {
	enum bgp_apply_step failed; /* the step that failed, or NONE */
	bool changed; /* a reload ran (false: already in effect) */
	bool fast; /* it was the network-lines-only fast path */
	bool rolled_back; /* after a failure, the last good one is back */
	int test_ms, reload_ms, verify_ms; /* how long each step took */
	char err[512]; /* "STEP: what went wrong" */
};

struct bgp_applier;

/* state_dir (must exist) holds bgpd.conf (the last good configuration),
 * bgpd.prefixes, the candidate file and frr-reload's temp files.
 * verify_timeout_ms: how long bgpd may take to show the prefixes (0: 5 s).
 * Returns NULL with errno set. The bgp_frr strings must outlive it. */
struct bgp_applier *bgp_applier__new(const struct bgp_frr *frr,
				     const char *state_dir,
				     int verify_timeout_ms);
void bgp_applier__free(struct bgp_applier *a);

/* Apply text, wanting exactly prefixes (/32, /128; the VIPs in it) in the
 * BGP table afterwards. 0 on success; negative errno with rep->failed and
 * rep->err saying which step failed and why (-EINVAL: the test rejected the
 * text). rep may not be NULL. */
int bgp_applier__apply(struct bgp_applier *a, const char *text,
		       const char *const *prefixes, size_t n_prefixes,
		       struct bgp_apply_report *rep);

/* The configuration in effect after the last success (NULL before). */
const char *bgp_applier__last_good(const struct bgp_applier *a);

const char *bgp_apply_step_name(enum bgp_apply_step s);

#endif /* NLB_BGP_APPLY_H */
