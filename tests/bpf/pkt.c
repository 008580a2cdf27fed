// SPDX-License-Identifier: GPL-2.0
/* The packet builder of the BPF tests (see pkt.h). */
#include "pkt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

const uint8_t MAC_ROUTER[6] = {0x02, 0, 0, 0, 0, 0x01};
const uint8_t MAC_LB[6] = {0x02, 0, 0, 0, 0, 0x02};
const uint8_t MAC_NEXTHOP[6] = {0x02, 0, 0, 0, 0, 0x03};
const uint8_t MAC_SRC[6] = {0x02, 0, 0, 0, 0, 0x04};

int pkt_addr(const char *s, uint32_t a[4])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, a) == 1)
		return 6;
	return -1;
}

static uint32_t sum16(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/* Network-order result of the Internet checksum of buf on top of sum. */
uint16_t pkt_csum(const void *buf, size_t len, uint32_t sum)
{
	sum = sum16(buf, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static size_t put_l2(uint8_t *b, const uint8_t *dmac, const uint8_t *smac,
		     uint16_t tpid, uint16_t tci, uint16_t type)
{
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	if (!tpid) {
		put16(b + 12, type);
		return 14;
	}
	put16(b + 12, tpid);
	put16(b + 14, tci);
	put16(b + 16, type);
	return 18;
}

static uint32_t pseudo_sum(int fam, const uint32_t *src, const uint32_t *dst,
			   uint8_t proto, size_t len)
{
	uint32_t s = 0;

	s = sum16(src, fam == 4 ? 4 : 16, s);
	s = sum16(dst, fam == 4 ? 4 : 16, s);
	return s + proto + (uint32_t)len;
}

/* The L4 part (header + payload, or the quote) of s into b. */
static int build_l4(uint8_t *b, const struct pkt_spec *s, int fam,
		    const uint32_t *src, const uint32_t *dst, uint8_t proto,
		    bool no_l4hdr)
{
	uint8_t icmp = fam == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	size_t n = 0, i;
	uint32_t sum;
	uint16_t c;

	if (no_l4hdr) {
		for (i = 0; i < s->payload; i++)
			b[i] = (uint8_t)(0xa0 + i);
		return s->payload;
	}
	if (proto == IPPROTO_TCP) {
		memset(b, 0, 20);
		put16(b, s->sport);
		put16(b + 2, s->dport);
		b[7] = 1; /* seq 1 */
		b[12] = 5 << 4; /* data offset */
		b[13] = 0x10; /* ACK */
		put16(b + 14, 0xffff);
		n = 20;
	} else if (proto == IPPROTO_UDP) {
		put16(b, s->sport);
		put16(b + 2, s->dport);
		put16(b + 4, 8 + s->payload);
		put16(b + 6, 0);
		n = 8;
	} else if (proto == icmp) {
		memset(b, 0, 8);
		b[0] = s->icmp_type;
		b[1] = s->icmp_code;
		if (s->quote) {
			/* next-hop MTU: v4 in the low half, v6 all 32 bits */
			put16(b + 6, fam == 4 ? 1400 : 1280);
		} else {
			put16(b + 4, 0x1234); /* echo id, seq */
			put16(b + 6, 1);
		}
		n = 8;
	}
	if (s->quote) {
		struct pkt q;
		uint8_t *ip;
		size_t qlen;

		if (pkt_build(&q, s->quote))
			return -1;
		ip = q.b + q.l3;
		qlen = (fam == 4 ? (size_t)(ip[0] & 0xf) * 4 : 40) + 8;
		if (qlen > q.len - q.l3)
			qlen = q.len - q.l3;
		memcpy(b + n, ip, qlen);
		n += qlen;
	} else {
		for (i = 0; i < s->payload; i++)
			b[n + i] = (uint8_t)(0xa0 + i);
		n += s->payload;
	}
	/* ICMPv4 alone has no pseudo-header in its checksum */
	sum = proto == IPPROTO_ICMP ? 0 : pseudo_sum(fam, src, dst, proto, n);
	c = pkt_csum(b, n, sum);
	if (proto == IPPROTO_TCP)
		memcpy(b + 16, &c, 2);
	else if (proto == IPPROTO_UDP)
		memcpy(b + 6, &c, 2);
	else if (proto == icmp)
		memcpy(b + 2, &c, 2);
	return (int)n;
}

int pkt_build(struct pkt *p, const struct pkt_spec *s)
{
	uint32_t src[4], dst[4];
	uint8_t proto = s->proto ? s->proto : IPPROTO_TCP, *ip;
	bool frag = s->mf || s->frag_off || s->v6_frag;
	int fam = pkt_addr(s->src, src), l4len;
	size_t hl, i;

	memset(p, 0, sizeof(*p));
	if (fam < 0 || pkt_addr(s->dst, dst) != fam)
		return -1;
	p->l3 = put_l2(p->b, MAC_LB, MAC_ROUTER,
		       s->vlan ? (s->qinq ? 0x88a8 : 0x8100) : 0, s->vlan,
		       fam == 4 ? 0x0800 : 0x86dd);
	ip = p->b + p->l3;
	if (fam == 4) {
		hl = 20 + s->ip_opts;
		memset(ip, 0, hl);
		memset(ip + 20, 1, s->ip_opts); /* NOP options */
		ip[0] = 0x40 | (uint8_t)(hl / 4);
		ip[1] = s->tos;
		put16(ip + 4, 0x1234);
		put16(ip + 6, (s->df ? 0x4000 : 0) | (s->mf ? 0x2000 : 0) |
				      s->frag_off);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
	} else {
		uint8_t nh = proto, *eh;
		int n = s->n_ext > 4 ? 4 : s->n_ext;

		if (s->v6_frag)
			n++;
		hl = 40 + 8 * (size_t)n;
		memset(ip, 0, hl);
		ip[0] = 0x60 | s->tos >> 4;
		ip[1] = (uint8_t)(s->tos << 4);
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		/* chain built back to front: each header names the next */
		eh = ip + hl - 8;
		if (s->v6_frag) {
			eh[0] = nh;
			put16(eh + 2, (uint16_t)(s->frag_off << 3 | s->mf));
			put16(eh + 6, 0x4321); /* identification (low half) */
			nh = IPPROTO_FRAGMENT;
			eh -= 8;
		}
		for (i = (size_t)n - s->v6_frag; i-- > 0;) {
			eh[0] = nh;
			eh[1] = 0; /* 8 bytes, padded with PadN below */
			eh[2] = 1;
			eh[3] = 4;
			nh = s->ext[i];
			eh -= 8;
		}
		ip[6] = nh;
	}
	l4len = build_l4(ip + hl, s, fam, src, dst, proto, frag && s->frag_off);
	if (l4len < 0)
		return -1;
	if (fam == 4) {
		uint16_t c;

		put16(ip + 2, (uint16_t)(hl + l4len));
		c = pkt_csum(ip, hl, 0);
		memcpy(ip + 10, &c, 2);
	} else {
		put16(ip + 4, (uint16_t)(hl - 40 + l4len));
	}
	p->len = p->l3 + hl + l4len;
	return 0;
}

static size_t ip_len(const struct pkt *in)
{
	const uint8_t *ip = in->b + in->l3;

	if (ip[0] >> 4 == 4)
		return (size_t)(ip[2] << 8 | ip[3]);
	return 40 + (size_t)(ip[4] << 8 | ip[5]);
}

static uint16_t in_tpid(const struct pkt *in)
{
	return in->l3 == 18 ? (uint16_t)(in->b[12] << 8 | in->b[13]) : 0;
}

int pkt_encap(struct pkt *out, const struct pkt *in, const struct pkt_outer *o)
{
	const uint8_t *iip = in->b + in->l3;
	int ifam = iip[0] >> 4;
	uint8_t tos = ifam == 4 ? iip[1] : (uint8_t)(iip[0] << 4 | iip[1] >> 4);
	uint32_t src[4], dst[4];
	int fam = pkt_addr(o->dst, dst);
	size_t ilen = ip_len(in), ol;
	uint8_t *ip;

	if (fam < 0 || pkt_addr(o->src, src) != fam)
		return -1;
	memset(out, 0, sizeof(*out));
	out->l3 = put_l2(out->b, o->dmac, o->smac, in_tpid(in),
			 (uint16_t)(in->b[14] << 8 | in->b[15]),
			 fam == 4 ? 0x0800 : 0x86dd);
	ip = out->b + out->l3;
	if (fam == 4) {
		uint16_t c;

		ol = 20;
		ip[0] = 0x45;
		ip[1] = tos;
		put16(ip + 2, (uint16_t)(ilen + ol));
		/* id 0; DF as the inner IPv4 has it, always for IPv6 */
		put16(ip + 6, ifam == 6 || (iip[6] & 0x40) ? 0x4000 : 0);
		ip[8] = o->ttl;
		ip[9] = ifam == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		c = pkt_csum(ip, 20, 0);
		memcpy(ip + 10, &c, 2);
	} else {
		ol = 40;
		ip[0] = 0x60 | tos >> 4;
		ip[1] = (uint8_t)(tos << 4 | (o->flow_label >> 16 & 0xf));
		put16(ip + 2, o->flow_label & 0xffff);
		put16(ip + 4, (uint16_t)ilen);
		ip[6] = ifam == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
		ip[7] = o->ttl;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	memcpy(ip + ol, iip, in->len - in->l3);
	out->len = out->l3 + ol + (in->len - in->l3);
	return 0;
}

int pkt_echo_reply(struct pkt *out, const struct pkt *in)
{
	uint8_t *ip, *ic, tmp[16];
	size_t hl, len;
	uint16_t c;

	*out = *in;
	memcpy(out->b, in->b + 6, 6);
	memcpy(out->b + 6, in->b, 6);
	ip = out->b + out->l3;
	len = ip_len(in);
	if (ip[0] >> 4 == 4) {
		hl = (size_t)(ip[0] & 0xf) * 4;
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		ip[8] = 64;
		memset(ip + 10, 0, 2);
		c = pkt_csum(ip, hl, 0);
		memcpy(ip + 10, &c, 2);
		ic = ip + hl;
		ic[0] = 0;
		memset(ic + 2, 0, 2);
		c = pkt_csum(ic, len - hl, 0);
	} else {
		hl = 40;
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		ip[7] = 64;
		ic = ip + hl;
		ic[0] = 129;
		memset(ic + 2, 0, 2);
		c = pkt_csum(ic, len - hl,
			     pseudo_sum(6, (uint32_t *)(ip + 8),
					(uint32_t *)(ip + 24), IPPROTO_ICMPV6,
					len - hl));
	}
	memcpy(ic + 2, &c, 2);
	return 0;
}

static void hex2(char *out, const uint8_t *b, size_t i, size_t n)
{
	if (i < n)
		snprintf(out, 3, "%02x", b[i]);
	else
		snprintf(out, 3, "--");
}

void pkt_diff(char *buf, size_t len, const uint8_t *got, size_t got_len,
	      const uint8_t *want, size_t want_len)
{
	size_t max = got_len > want_len ? got_len : want_len, i, o = 0;
	char g[3], w[3];

	o += snprintf(buf + o, len - o, "len got %zu want %zu (got/want)\n",
		      got_len, want_len);
	for (i = 0; i < max && o + 64 < len; i++) {
		hex2(g, got, i, got_len);
		hex2(w, want, i, want_len);
		if (i % 16 == 0)
			o += snprintf(buf + o, len - o, "    %04zx:", i);
		if (strcmp(g, w))
			o += snprintf(buf + o, len - o, " %s/%s", g, w);
		else
			o += snprintf(buf + o, len - o, " %s", g);
		if (i % 16 == 15 || i + 1 == max)
			o += snprintf(buf + o, len - o, "\n");
	}
}
