/* SPDX-License-Identifier: GPL-2.0 */
/* VIP lookup: (address, port, protocol, kind) keys in vips_v4 / vips_v6. */
#ifndef NLB_BPF_LOOKUP_H
#define NLB_BPF_LOOKUP_H

#include "nlb_maps.h"

static __always_inline struct nlb_vip *nlb_vip_get(const __be32 *addr,
						   __be16 port, __u8 proto,
						   __u8 kind, const int family)
{
	if (family == NLB_FAMILY_V4) {
		struct nlb_vip_key_v4 k = {
			.addr = addr[0],
			.port = port,
			.proto = proto,
			.kind = kind,
		};

		return bpf_map_lookup_elem(&vips_v4, &k);
	} else {
		struct nlb_vip_key_v6 k = {
			.port = port,
			.proto = proto,
			.kind = kind,
		};

		__builtin_memcpy(k.addr, addr, sizeof(k.addr));
		return bpf_map_lookup_elem(&vips_v6, &k);
	}
}

/* The VIP of (address, port, proto), else the address's all-ports VIP. */
static __always_inline struct nlb_vip *
nlb_vip_find(const __be32 *addr, __be16 port, __u8 proto, const int family)
{
	struct nlb_vip *v;

	v = nlb_vip_get(addr, port, proto, NLB_VIP_KIND_PORT, family);
	if (!v && port)
		v = nlb_vip_get(addr, 0, proto, NLB_VIP_KIND_PORT, family);
	return v;
}

static __always_inline int nlb_is_vip_addr(const __be32 *addr, const int family)
{
	return nlb_vip_get(addr, 0, 0, NLB_VIP_KIND_ADDR, family) != NULL;
}

#endif /* NLB_BPF_LOOKUP_H */
