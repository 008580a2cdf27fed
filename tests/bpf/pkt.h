/* SPDX-License-Identifier: GPL-2.0 */
/* The packet builder of the BPF tests: named addresses, frames built from a
 * readable spec with every length and checksum right, and the frames the
 * forwarder is expected to send (encapsulated, echo reply), built here on
 * their own so that a test never trusts the program's arithmetic. */
#ifndef NLB_TEST_PKT_H
#define NLB_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Documentation and private ranges; these frames only ever live inside
 * BPF_PROG_TEST_RUN. */
#define CLIENT1 "198.51.100.1"
#define CLIENT2 "198.51.100.2"
#define VIP4 "192.0.2.10"
#define VIP4_ALLPORTS "192.0.2.20"
#define VIP4_EMPTY "192.0.2.30" /* a VIP without backends */
#define NOT_VIP4 "192.0.2.99"
#define BACKEND1 "10.1.0.11"
#define BACKEND2 "10.1.0.12"
#define BACKEND3 "10.1.0.13"
#define CLIENT6 "2001:db8:c::1"
#define VIP6 "2001:db8:f::10"
#define VIP6_V4BE "2001:db8:f::20" /* IPv6 VIP wrongly given an IPv4 backend */
#define NOT_VIP6 "2001:db8:f::99"
#define BACKEND6_1 "2001:db8:b::11"
#define BACKEND6_2 "2001:db8:b::12"
#define ROUTER "10.9.0.1" /* sends ICMP errors */
#define ROUTER6 "2001:db8:9::1"

extern const uint8_t MAC_ROUTER[6]; /* the frames' source */
extern const uint8_t MAC_LB[6]; /* the LB node's NIC */
extern const uint8_t MAC_NEXTHOP[6];
extern const uint8_t MAC_SRC[6];

#define PKT_MAX 1600

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t l3; /* offset of the IP header */
};

struct pkt_spec {
	const char *src, *dst; /* the family follows the addresses */
	uint8_t proto; /* 0: TCP */
	uint16_t sport, dport;
	uint16_t vlan; /* 802.1Q TCI; 0: untagged */
	bool qinq; /* the tag is 802.1ad */
	uint8_t tos; /* IPv4 TOS / IPv6 traffic class */
	bool df; /* IPv4 DF */
	bool mf; /* more fragments */
	uint16_t frag_off; /* fragment offset, 8-byte units */
	bool v6_frag; /* IPv6: a fragment header (frag_off, mf) */
	uint8_t ip_opts; /* IPv4 option bytes (NOPs), a multiple of 4 */
	uint8_t n_ext; /* IPv6 extension headers before L4: how many */
	uint8_t ext[4]; /* and their types */
	uint8_t icmp_type, icmp_code;
	const struct pkt_spec *quote; /* ICMP error: the packet quoted */
	uint16_t payload; /* payload bytes */
};

/* Builds the frame MAC_ROUTER -> MAC_LB. Returns 0 or -1 (bad spec). */
int pkt_build(struct pkt *p, const struct pkt_spec *s);

/* The outer header the forwarder pushes, as the ABI defines it. */
struct pkt_outer {
	const char *src, *dst; /* outer addresses */
	uint8_t ttl;
	uint32_t flow_label; /* IPv6 outer */
	const uint8_t *dmac, *smac;
};

/* in, encapsulated: L2 (tag kept) + outer + in's IP packet unchanged. */
int pkt_encap(struct pkt *out, const struct pkt *in, const struct pkt_outer *o);
/* in, answered as an echo reply by the node. */
int pkt_echo_reply(struct pkt *out, const struct pkt *in);

uint16_t pkt_csum(const void *buf, size_t len, uint32_t sum);
int pkt_addr(const char *s, uint32_t a[4]); /* returns the family, 4 or 6 */
/* Writes both frames as hex into buf, the first difference marked. */
void pkt_diff(char *buf, size_t len, const uint8_t *got, size_t got_len,
	      const uint8_t *want, size_t want_len);
#endif /* NLB_TEST_PKT_H */
