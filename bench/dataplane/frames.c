// SPDX-License-Identifier: GPL-2.0
/* The benchmark's frames: one template per kind, a flow number patched
 * into the source address. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "bench.h"
#include "../../tests/bpf/pkt.h"

int frame_make(struct frame *f, enum frame_kind kind)
{
	struct pkt_spec s = {.src = CLIENT1,
			     .dst = VIP4,
			     .sport = 40000,
			     .dport = 80,
			     .payload = 64};
	struct pkt p;

	switch (kind) {
	case FRAME_TCP4:
		break;
	case FRAME_TCP6:
		s.src = CLIENT6;
		s.dst = VIP6;
		s.dport = 443;
		break;
	case FRAME_PASS4:
		s.dst = NOT_VIP4;
		break;
	case FRAME_ECHO4:
		s.proto = IPPROTO_ICMP;
		s.icmp_type = 8;
		break;
	}
	if (pkt_build(&p, &s) || p.len > sizeof(f->b))
		return -EINVAL;
	memcpy(f->b, p.b, p.len);
	f->len = (uint32_t)p.len;
	/* the low 32 bits of the source address */
	f->src_off = (uint32_t)p.l3 + (kind == FRAME_TCP6 ? 8 + 12 : 12);
	return 0;
}

void frame_flow(struct frame *f, uint32_t flow)
{
	/* 100.64.0.0 + flow: every flow its own source */
	uint32_t a = htonl(0x64400000u + flow);

	memcpy(f->b + f->src_off, &a, 4);
}
