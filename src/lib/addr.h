/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing and printing of the addresses the node tools take: IPs, prefixes,
 * MACs and VIPs written as ADDR:PORT/PROTO. Errors are -EINVAL. */
#ifndef NLB_ADDR_H
#define NLB_ADDR_H

#include <stddef.h>
#include <linux/types.h>

/* An IPv4 or IPv6 address into family (NLB_FAMILY_*) and addr (IPv4 in
 * addr[0], the rest zero). */
int nlb_parse_ip(const char *s, __u8 *family, __be32 addr[4]);
/* ADDR/LEN; a bare address is a full-length prefix. */
int nlb_parse_prefix(const char *s, __u8 *family, __be32 addr[4], __u8 *len);
int nlb_parse_mac(const char *s, __u8 mac[6]);
/* "10.0.0.1:80/tcp", "[fd00::1]:53/udp"; port 0 or "*" = every port.
 * port in network order, proto IPPROTO_TCP / IPPROTO_UDP. */
int nlb_parse_vip(const char *s, __u8 *family, __be32 addr[4], __be16 *port,
		  __u8 *proto);

/* Printing into a caller's buffer; returns buf. */
char *nlb_fmt_ip(char *buf, size_t len, __u8 family, const __be32 addr[4]);
char *nlb_fmt_vip(char *buf, size_t len, __u8 family, const __be32 addr[4],
		  __be16 port, __u8 proto);
char *nlb_fmt_mac(char *buf, size_t len, const __u8 mac[6]);

#endif /* NLB_ADDR_H */
