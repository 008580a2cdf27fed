// SPDX-License-Identifier: GPL-2.0
/* Parsing of the node tools' addresses: good input parses, bad is refused. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"
#include "nlb/abi.h"
#include "nlbtest.h"

NLB_TEST(addr_vip)
{
	static const struct {
		const char *in;
		int ok;
		__u8 family, proto;
		__u16 port;
	} rows[] = {
		{"10.0.0.1:80/tcp", 1, NLB_FAMILY_V4, IPPROTO_TCP, 80},
		{"10.0.0.1:53/UDP", 1, NLB_FAMILY_V4, IPPROTO_UDP, 53},
		{"10.0.0.1:*/tcp", 1, NLB_FAMILY_V4, IPPROTO_TCP, 0},
		{"[fd00::1]:443/tcp", 1, NLB_FAMILY_V6, IPPROTO_TCP, 443},
		{"[fd00::1]:65535/udp", 1, NLB_FAMILY_V6, IPPROTO_UDP, 65535},
		{"10.0.0.1:65536/tcp", 0},
		{"10.0.0.1:-1/tcp", 0},
		{"10.0.0.1:80/sctp", 0},
		{"10.0.0.1:80", 0},
		{"10.0.0.1/tcp", 0},
		{"fd00::1:80/tcp", 0},
		{"[fd00::1]80/tcp", 0},
		{"[10.0.0.1:80/tcp", 0},
		{"300.0.0.1:80/tcp", 0},
		{":80/tcp", 0},
		{"", 0},
		{"10.0.0.1:8x/tcp", 0},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		__be32 addr[4];
		__be16 port;
		__u8 fam, proto;
		int err;

		if (!nlbt_sub_begin(t, "%s",
				    rows[i].in[0] ? rows[i].in : "empty"))
			continue;
		err = nlb_parse_vip(rows[i].in, &fam, addr, &port, &proto);
		if (rows[i].ok) {
			CHECK(t, err == 0, "parse failed: %d", err);
			CHECK_EQ_INT(t, fam, rows[i].family);
			CHECK_EQ_INT(t, proto, rows[i].proto);
			CHECK_EQ_INT(t, ntohs(port), rows[i].port);
		} else {
			CHECK(t, err == -EINVAL, "accepted, want -EINVAL");
		}
		nlbt_sub_end(t);
	}
}

NLB_TEST(addr_prefix_and_mac)
{
	__be32 addr[4];
	__u8 fam, len, mac[6];
	char buf[64];

	CHECK(t, !nlb_parse_prefix("10.1.2.0/24", &fam, addr, &len) &&
			 fam == NLB_FAMILY_V4 && len == 24 &&
			 addr[0] == inet_addr("10.1.2.0"));
	CHECK(t, !nlb_parse_prefix("fd00::/64", &fam, addr, &len) &&
			 fam == NLB_FAMILY_V6 && len == 64);
	CHECK(t, !nlb_parse_prefix("10.1.2.3", &fam, addr, &len) && len == 32);
	CHECK(t, nlb_parse_prefix("10.1.2.0/33", &fam, addr, &len) == -EINVAL);
	CHECK(t, nlb_parse_prefix("fd00::/129", &fam, addr, &len) == -EINVAL);
	CHECK(t, nlb_parse_prefix("10.1.2.0/", &fam, addr, &len) == -EINVAL);
	CHECK(t, !nlb_parse_mac("02:00:00:aa:bb:cc", mac) && mac[0] == 2 &&
			 mac[5] == 0xcc);
	CHECK(t, nlb_parse_mac("02:00:00:aa:bb", mac) == -EINVAL);
	CHECK(t, nlb_parse_mac("02:00:00:aa:bb:cc:dd", mac) == -EINVAL);
	CHECK(t, nlb_parse_mac("zz:00:00:aa:bb:cc", mac) == -EINVAL);
	CHECK(t,
	      !strcmp(nlb_fmt_mac(buf, sizeof(buf), mac), "02:00:00:aa:bb:cc"));
	CHECK(t,
	      !nlb_parse_ip("fd00::1", &fam, addr) &&
		      !strcmp(nlb_fmt_vip(buf, sizeof(buf), fam, addr,
					  htons(53), IPPROTO_UDP),
			      "[fd00::1]:53/udp"),
	      "got %s", buf);
}
