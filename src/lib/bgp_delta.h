/* SPDX-License-Identifier: GPL-2.0 */
/* The difference between two rendered bgpd configurations when it is only
 * VIPs coming and going (`network` lines), as the few vtysh commands that
 * make it: the fast path of bgp_apply, instead of frr-reload.py's full diff
 * of the running configuration. */
#ifndef NLB_BGP_DELTA_H
#define NLB_BGP_DELTA_H

/* When new_text differs from old_text only in `network` lines of address
 * families of the `router bgp` block, set *out (malloc'd) to the commands
 * for `vtysh -f`: the router and address-family context, `no network ...`
 * for each line removed, then `network ...` for each added. Returns the
 * number of network lines changed (0: the texts are equivalent, *out is
 * NULL), -ENOENT when anything else differs (a full reload is needed), or
 * -ENOMEM. */
int bgp_delta_networks(const char *old_text, const char *new_text, char **out);

#endif /* NLB_BGP_DELTA_H */
