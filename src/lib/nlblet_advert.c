// SPDX-License-Identifier: GPL-2.0
/* The advertise decision per VIP. */
#include "nlblet_advert.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

static bool serves(const struct nlb_want_backend *b, bool monitored)
{
	if (nlb_backend_effective_state(b) != NLB_BACKEND_ENABLED)
		return false;
	return b->health == NLB_HEALTH_UP ||
	       (!monitored && b->health == NLB_HEALTH_UNKNOWN);
}

bool nlblet_advert_vip(const struct nlblet_assign *a, size_t i,
		       long long synced_gen)
{
	const struct nlblet_vip *v;

	if (i >= a->n_vips)
		return false;
	v = &a->vips[i];
	if (v->err || !v->n || synced_gen != v->generation)
		return false;
	for (size_t w = v->first; w < v->first + v->n; w++)
		for (size_t b = 0; b < a->want[w].n; b++)
			if (serves(&a->want[w].backends[b], a->monitored[w]))
				return true;
	return false;
}

int nlblet_advert_prefix(const struct nlblet_assign *a, size_t i, char *buf,
			 size_t len)
{
	const struct nlb_vip_spec *s;
	char ip[64];

	if (i >= a->n_vips || !a->vips[i].n)
		return -ENOENT;
	s = &a->want[a->vips[i].first].spec;
	nlb_fmt_ip(ip, sizeof(ip), s->family, s->addr);
	if (snprintf(buf, len, "%s/%d", ip,
		     s->family == NLB_FAMILY_V4 ? 32 : 128) >= (int)len)
		return -ENOSPC;
	return 0;
}
