// SPDX-License-Identifier: GPL-2.0
/* nlb-hc ICMP echo over ping sockets (SOCK_DGRAM): the kernel assigns the
 * identifier and hands each socket only its own replies, so no raw socket
 * and no demultiplexing of other probes' replies is needed. */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hc.h"

int hc_icmp_start(struct hc_probe *p, char *reason, size_t rlen)
{
	bool v6 = hc_probe_dst(p)->family == AF_INET6;
	unsigned char pkt[16] = {0};
	struct icmphdr *h = (struct icmphdr *)pkt;
	int ret;

	p->fd = hc_probe_open(p, SOCK_DGRAM,
			      v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (p->fd < 0) {
		ret = p->fd;
		p->fd = -1;
		if (ret == -EACCES || ret == -EPERM)
			snprintf(reason, rlen,
				 "ICMP: ping sockets not "
				 "allowed (net.ipv4.ping_group_range)");
		else
			snprintf(reason, rlen, "ICMP: %s", strerror(-ret));
		return ret;
	}
	ret = hc_probe_connect(p);
	if (ret) {
		snprintf(reason, rlen, "ICMP: %s", strerror(-ret));
		return ret;
	}
	/* icmphdr and icmp6_hdr agree on where type and sequence go */
	h->type = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	h->un.echo.sequence = htons(++p->echo_seq);
	memcpy(pkt + 8, "nlb-hc\0\0", 8);
	p->sent = hc_now_ns();
	if (send(p->fd, pkt, sizeof(pkt), 0) < 0) {
		ret = -errno;
		snprintf(reason, rlen, "ICMP: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

int hc_icmp_read(struct hc_probe *p, char *reason, size_t rlen)
{
	bool v6 = hc_probe_dst(p)->family == AF_INET6;
	unsigned char pkt[256];
	struct icmphdr *h = (struct icmphdr *)pkt;

	for (;;) {
		ssize_t n = recv(p->fd, pkt, sizeof(pkt), 0);

		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			snprintf(reason, rlen, "ICMP: %s", strerror(errno));
			return -errno;
		}
		if (n < 8)
			continue;
		if (h->type == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) &&
		    ntohs(h->un.echo.sequence) == p->echo_seq)
			return 1;
	}
}
