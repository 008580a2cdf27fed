// SPDX-License-Identifier: GPL-2.0
/* Parsing and printing of IPs, prefixes, MACs and ADDR:PORT/PROTO VIPs. */
#include "addr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "nlb/abi.h"

int nlb_parse_ip(const char *s, __u8 *family, __be32 addr[4])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = NLB_FAMILY_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = NLB_FAMILY_V6;
		return 0;
	}
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

int nlb_parse_prefix(const char *s, __u8 *family, __be32 addr[4], __u8 *len)
{
	char buf[64];
	char *slash;
	unsigned long l;
	int err;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	err = nlb_parse_ip(buf, family, addr);
	if (err)
		return err;
	if (!slash) {
		*len = *family == NLB_FAMILY_V4 ? 32 : 128;
		return 0;
	}
	err = parse_uint(slash + 1, *family == NLB_FAMILY_V4 ? 32 : 128, &l);
	if (err)
		return err;
	*len = (__u8)l;
	return 0;
}

int nlb_parse_mac(const char *s, __u8 mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 ||
	    strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (__u8)b[i];
	return 0;
}

int nlb_parse_vip(const char *s, __u8 *family, __be32 addr[4], __be16 *port,
		  __u8 *proto)
{
	char buf[96];
	char *host, *p, *slash;
	unsigned long n;
	int err;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	if (!strcasecmp(slash + 1, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcasecmp(slash + 1, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -EINVAL;
	if (buf[0] == '[') {
		host = buf + 1;
		p = strchr(host, ']');
		if (!p || p[1] != ':')
			return -EINVAL;
		*p = 0;
		p += 2;
	} else {
		host = buf;
		p = strrchr(buf, ':');
		if (!p)
			return -EINVAL;
		*p++ = 0;
	}
	err = nlb_parse_ip(host, family, addr);
	if (err)
		return err;
	if (buf[0] != '[' && *family == NLB_FAMILY_V6)
		return -EINVAL; /* IPv6 must be bracketed */
	if (!strcmp(p, "*")) {
		n = 0;
	} else {
		err = parse_uint(p, 65535, &n);
		if (err)
			return err;
	}
	*port = htons((__u16)n);
	return 0;
}

char *nlb_fmt_ip(char *buf, size_t len, __u8 family, const __be32 addr[4])
{
	if (!inet_ntop(family == NLB_FAMILY_V4 ? AF_INET : AF_INET6, addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

char *nlb_fmt_vip(char *buf, size_t len, __u8 family, const __be32 addr[4],
		  __be16 port, __u8 proto)
{
	char ip[INET6_ADDRSTRLEN];
	const char *pr = proto == IPPROTO_TCP	? "tcp"
			 : proto == IPPROTO_UDP ? "udp"
						: "?";

	nlb_fmt_ip(ip, sizeof(ip), family, addr);
	if (family == NLB_FAMILY_V6)
		snprintf(buf, len, "[%s]:%u/%s", ip, ntohs(port), pr);
	else
		snprintf(buf, len, "%s:%u/%s", ip, ntohs(port), pr);
	return buf;
}

char *nlb_fmt_mac(char *buf, size_t len, const __u8 mac[6])
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}
