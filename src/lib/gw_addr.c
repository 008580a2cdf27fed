// SPDX-License-Identifier: GPL-2.0
/* IP addresses and CIDR prefixes for VIP pools (see gw_addr.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gw_addr.h"

int gw_ip_parse(const char *s, struct gw_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, ip->b) != 1)
			return -EINVAL;
		ip->family = AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, s, ip->b) != 1)
		return -EINVAL;
	ip->family = AF_INET;
	return 0;
}

void gw_ip_str(const struct gw_ip *ip, char *buf, int n)
{
	if (!inet_ntop(ip->family, ip->b, buf, (socklen_t)n) && n)
		buf[0] = 0;
}

static int alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

int gw_cidr_parse(const char *s, struct gw_cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[64], *e;
	long plen;
	int i, bits;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1])
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	if (gw_ip_parse(addr, &c->net))
		return -EINVAL;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	plen = strtol(slash + 1, &e, 10);
	bits = alen(c->net.family) * 8;
	if (*e || plen < 0 || plen > bits)
		return -EINVAL;
	c->plen = (int)plen;
	for (i = (int)plen; i < bits; i++)
		if (c->net.b[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	return 0;
}

static bool prefix_eq(const struct gw_ip *a, const struct gw_ip *b, int plen)
{
	int full = plen / 8, rem = plen % 8;

	if (memcmp(a->b, b->b, (size_t)full))
		return false;
	if (rem) {
		uint8_t m = (uint8_t)(0xff << (8 - rem));

		return (a->b[full] & m) == (b->b[full] & m);
	}
	return true;
}

bool gw_cidr_contains(const struct gw_cidr *c, const struct gw_ip *ip)
{
	return ip->family == c->net.family && prefix_eq(&c->net, ip, c->plen);
}

bool gw_cidr_overlap(const struct gw_cidr *a, const struct gw_cidr *b)
{
	if (a->net.family != b->net.family)
		return false;
	return prefix_eq(&a->net, &b->net,
			 a->plen < b->plen ? a->plen : b->plen);
}

/* Addresses never handed out: IPv4's network and broadcast addresses, and
 * IPv6's subnet-router anycast address (host bits all zero). */
static unsigned skip_first(const struct gw_cidr *c)
{
	return c->net.family == AF_INET ? c->plen <= 30 : c->plen <= 126;
}

static unsigned skip_last(const struct gw_cidr *c)
{
	return c->net.family == AF_INET && c->plen <= 30;
}

uint64_t gw_cidr_size(const struct gw_cidr *c)
{
	int host = alen(c->net.family) * 8 - c->plen;
	uint64_t n;

	if (host >= 62)
		return 1ULL << 62;
	n = 1ULL << host;
	return n - skip_first(c) - skip_last(c);
}

void gw_cidr_nth(const struct gw_cidr *c, uint64_t idx, struct gw_ip *out)
{
	int i, len = alen(c->net.family);
	uint64_t v = idx + skip_first(c);

	*out = c->net;
	/* add v to the address, big endian, carrying */
	for (i = len - 1; i >= 0 && v; i--) {
		uint64_t sum = out->b[i] + (v & 0xff);

		out->b[i] = (uint8_t)sum;
		v = (v >> 8) + (sum >> 8);
	}
}

uint64_t gw_cidr_index(const struct gw_cidr *c, const struct gw_ip *ip)
{
	int i, len = alen(c->net.family);
	uint64_t v = 0;

	/* only the low 64 bits can differ within pools we index */
	for (i = len > 8 ? len - 8 : 0; i < len; i++)
		v = (v << 8) | (uint8_t)(ip->b[i] - 0);
	{
		uint64_t base = 0;

		for (i = len > 8 ? len - 8 : 0; i < len; i++)
			base = (base << 8) | c->net.b[i];
		v -= base;
	}
	return v - skip_first(c);
}
