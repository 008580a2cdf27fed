/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc's state file (docs/nlb-hc.md) read back into backend health, keyed
 * like the configuration nlblet_hcconf renders: listener key and checked
 * address. */
#ifndef NLB_NLBLET_HCSTATE_H
#define NLB_NLBLET_HCSTATE_H

#include <stddef.h>
#include <linux/types.h>
#include "nlblet_assign.h"

struct nlblet_hc_entry {
	char key[129]; /* a listener key from the entry's vips */
	__u8 family;
	__be32 addr[4];
	__u8 health; /* enum nlb_health */
	char reason[128];
	long long since_ms;
};

struct nlblet_hcstate {
	long long seq;
	struct nlblet_hc_entry *e; /* one per (vip, backend) */
	size_t n;
};

/* Parses nlb-hc's state file (a snapshot line). Returns 0 or -EINVAL with
 * the field in err, or -ENOMEM. */
int nlblet_hcstate_parse(const char *json, struct nlblet_hcstate *out,
			 char *err, size_t errlen);
void nlblet_hcstate_free(struct nlblet_hcstate *s);
/* Where s says unknown and old knew better, s takes old's entry: a
 * restarted nlb-hc starts from unknown, and the last states stand until it
 * knows again. */
void nlblet_hcstate_keep_known(struct nlblet_hcstate *s,
			       const struct nlblet_hcstate *old);
/* Folds one line of nlb-hc's event stream into s: a snapshot replaces it
 * (keeping known health, as above), a state event updates the entries of
 * its VIPs and backend (unknown never replaces a known health), a removed
 * event deletes them; other events are ignored. Returns 1 when some health
 * changed, 0, -EINVAL (err names the field) or -ENOMEM. */
int nlblet_hcstate_apply_line(struct nlblet_hcstate *s, const char *line,
			      char *err, size_t errlen);
/* The entry of key and addr (any spelling of the address), or NULL. */
const struct nlblet_hc_entry *
nlblet_hcstate_find(const struct nlblet_hcstate *s, const char *key,
		    const char *addr);
/* An nlblet_health_fn over a struct nlblet_hcstate (arg; NULL: unknown). */
enum nlb_health nlblet_hcstate_health(void *arg, const char *key,
				      const char *addr);

#endif /* NLB_NLBLET_HCSTATE_H */
