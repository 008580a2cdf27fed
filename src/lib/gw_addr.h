/* SPDX-License-Identifier: GPL-2.0 */
/* IP addresses and CIDR prefixes for VIP pools: parse, contain, index. */
#ifndef NLB_GW_ADDR_H
#define NLB_GW_ADDR_H

#include <stdbool.h>
#include <stdint.h>

struct gw_ip {
	int family; /* AF_INET or AF_INET6 */
	uint8_t b[16];
};

struct gw_cidr {
	struct gw_ip net;
	int plen;
};

/* 0 or -EINVAL; rejects non-canonical junk inet_pton would reject. */
int gw_ip_parse(const char *s, struct gw_ip *ip);
void gw_ip_str(const struct gw_ip *ip, char *buf, int n);
/* 0 or -EINVAL; host bits must be zero ("10.0.0.1/24" is rejected). */
int gw_cidr_parse(const char *s, struct gw_cidr *c);
bool gw_cidr_contains(const struct gw_cidr *c, const struct gw_ip *ip);
bool gw_cidr_overlap(const struct gw_cidr *a, const struct gw_cidr *b);
/* Number of usable addresses, capped at 2^62 (IPv4 pools of /30 or larger
 * skip the network and broadcast addresses, IPv6 pools of /126 or larger the
 * subnet-router anycast address). */
uint64_t gw_cidr_size(const struct gw_cidr *c);
/* The idx-th usable address (idx < gw_cidr_size). */
void gw_cidr_nth(const struct gw_cidr *c, uint64_t idx, struct gw_ip *out);
/* The index of ip in c (ip must be contained). */
uint64_t gw_cidr_index(const struct gw_cidr *c, const struct gw_ip *ip);

#endif /* NLB_GW_ADDR_H */
