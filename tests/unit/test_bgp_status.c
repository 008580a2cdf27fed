// SPDX-License-Identifier: GPL-2.0
/* Reading FRR 8.4's JSON answers (recorded from real bgpd and bfdd, trimmed):
 * sessions merged over address families, BFD state, and the check that the
 * originated prefixes are exactly the wanted ones. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp_status.h"
#include "nlbtest.h"

static const char summary[] =
	"{\n"
	"\"ipv4Unicast\":{\n"
	"  \"routerId\":\"10.97.1.2\", \"as\":65001,\n"
	"  \"peers\":{\n"
	"    \"10.97.1.1\":{ \"remoteAs\":65000, \"localAs\":65001,\n"
	"      \"peerUptimeMsec\":9000, \"pfxRcd\":0, \"pfxSnt\":1,\n"
	"      \"state\":\"Established\", \"peerState\":\"OK\" },\n"
	"    \"10.97.9.1\":{ \"remoteAs\":65009, \"peerUptimeMsec\":0,\n"
	"      \"pfxRcd\":0, \"pfxSnt\":0, \"state\":\"Active\" }\n"
	"  },\n"
	"  \"failedPeers\":1, \"totalPeers\":2\n"
	"},\n"
	"\"ipv6Unicast\":{\n"
	"  \"peers\":{\n"
	"    \"fd97:1::1\":{ \"remoteAs\":65000, \"peerUptimeMsec\":8000,\n"
	"      \"pfxRcd\":2, \"pfxSnt\":3, \"state\":\"Established\" },\n"
	"    \"10.97.1.1\":{ \"remoteAs\":65000, \"peerUptimeMsec\":9000,\n"
	"      \"pfxRcd\":1, \"pfxSnt\":4, \"state\":\"Established\" }\n"
	"  }\n"
	"}\n"
	"}\n";

static const char bfd_peers[] =
	"[\n"
	"  { \"multihop\":false, \"peer\":\"10.97.1.1\", "
	"\"local\":\"10.97.1.2\",\n"
	"    \"vrf\":\"default\", \"interface\":\"eth0\", \"status\":\"up\",\n"
	"    \"receive-interval\":100, \"transmit-interval\":100 },\n"
	"  { \"peer\":\"fd97:1::1\", \"status\":\"down\" },\n"
	"  { \"peer\":\"10.0.0.99\", \"status\":\"up\" }\n"
	"]\n";

NLB_TEST(bgp_status_summary)
{
	struct bgp_session s[4];
	char err[128] = "";
	int n;

	n = bgp_status_parse_summary(summary, s, 4, err, sizeof(err));
	REQUIRE(t, n == 3, "n = %d %s", n, err);
	/* sorted by name; the IPv4 peer in both families counts once */
	CHECK(t, !strcmp(s[0].peer, "10.97.1.1"), "%s", s[0].peer);
	CHECK(t, !strcmp(s[1].peer, "10.97.9.1"), "%s", s[1].peer);
	CHECK(t, !strcmp(s[2].peer, "fd97:1::1"), "%s", s[2].peer);
	CHECK_EQ_INT(t, s[0].state, BGP_STATE_ESTABLISHED);
	CHECK_EQ_INT(t, s[0].remote_asn, 65000);
	CHECK_EQ_INT(t, s[0].uptime_ms, 9000);
	CHECK_EQ_INT(t, s[0].pfx_sent, 5);
	CHECK_EQ_INT(t, s[0].pfx_rcvd, 1);
	CHECK_EQ_INT(t, s[1].state, BGP_STATE_ACTIVE);
	CHECK(t, !strcmp(bgp_session_state_name(s[1].state), "Active"));
	CHECK_EQ_INT(t, s[2].pfx_sent, 3);
	CHECK(t, s[0].bfd[0] == 0, "no BFD before parse_bfd");

	CHECK_EQ_INT(t, bgp_status_parse_bfd(bfd_peers, s, 3, err, sizeof(err)),
		     0);
	CHECK(t, !strcmp(s[0].bfd, "up"), "%s", s[0].bfd);
	CHECK(t, !strcmp(s[1].bfd, ""), "%s", s[1].bfd);
	CHECK(t, !strcmp(s[2].bfd, "down"), "%s", s[2].bfd);

	/* fewer slots than peers: the count still says how many */
	n = bgp_status_parse_summary(summary, s, 1, err, sizeof(err));
	CHECK_EQ_INT(t, n, 3);
	CHECK(t, !strcmp(s[0].peer, "10.97.1.1"));
	/* no BGP instance: FRR answers {} */
	CHECK_EQ_INT(t, bgp_status_parse_summary("{}", s, 4, err, sizeof(err)),
		     0);
}

NLB_TEST(bgp_status_bad_json)
{
	struct bgp_session s[2];
	char err[128] = "";

	CHECK_EQ_INT(t, bgp_status_parse_summary("", s, 2, err, sizeof(err)),
		     -EINVAL);
	CHECK_EQ_INT(t, bgp_status_parse_summary("[1]", s, 2, err, sizeof(err)),
		     -EINVAL);
	CHECK_EQ_INT(t, bgp_status_parse_summary(NULL, s, 2, err, sizeof(err)),
		     -EINVAL);
	/* FRR 8.4 prints a trailing comma in some objects: refused, not
	 * guessed at */
	CHECK_EQ_INT(t,
		     bgp_status_parse_bfd("[{\"peer\":\"a\",}]", s, 0, err,
					  sizeof(err)),
		     -EINVAL);
	CHECK_EQ_INT(t, bgp_status_parse_bfd("{}", s, 0, err, sizeof(err)),
		     -EINVAL);
	CHECK(t, strlen(err) > 0);
	CHECK(t, !strcmp(bgp_session_state_name(99), "Unknown"));
}

/* `show bgp ipv4 unicast json` of an LB node: two originated routes, and a
 * learned one (were the node to accept any) that must not count. */
static const char table4[] =
	"{\n \"vrfId\": 0,\n \"routerId\": \"10.97.1.2\",\n"
	" \"routes\": { \"10.99.100.1/32\": [{\"valid\":true,\"bestpath\":true,"
	"\"pathFrom\":\"external\",\"prefix\":\"10.99.100.1\",\"prefixLen\":32,"
	"\"weight\":32768,\"peerId\":\"(unspec)\",\"path\":\"\","
	"\"nexthops\":[{\"ip\":\"0.0.0.0\"}]}]\n"
	",\"10.99.100.7/32\": [{\"valid\":true,\"peerId\":\"(unspec)\"}]\n"
	",\"10.50.0.0/16\": [{\"valid\":true,\"peerId\":\"10.97.1.1\","
	"\"path\":\"65000\"}]\n"
	",\"10.99.100.9/32\": [{\"valid\":false,\"peerId\":\"(unspec)\"}]\n"
	" }  } \n";

static const char table6[] =
	"{\n \"routes\": { \"fd99:100::1/128\": [{\"valid\":true,"
	"\"peerId\":\"(unspec)\"}] }  }\n";

NLB_TEST(bgp_status_originated)
{
	static const char *const exact[] = {"10.99.100.7/32", "10.99.100.1",
					    "fd99:100::1/128"};
	static const char *const missing[] = {
		"10.99.100.1/32", "10.99.100.7/32", "10.99.100.8/32"};
	static const char *const extra[] = {"10.99.100.1/32"};
	static const char *const v6[] = {"FD99:100:0::1"};
	static const char *const bad[] = {"10.99.100.300/32"};
	char err[128];

	if (nlbt_sub_begin(t, "exact")) {
		err[0] = 0;
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table4, AF_INET, exact,
							 3, err, sizeof(err)),
			     0);
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table6, AF_INET6,
							 exact, 3, err,
							 sizeof(err)),
			     0);
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table6, AF_INET6, v6,
							 1, err, sizeof(err)),
			     0);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "missing")) {
		err[0] = 0;
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table4, AF_INET,
							 missing, 3, err,
							 sizeof(err)),
			     -ENOENT);
		CHECK(t, strstr(err, "10.99.100.8/32"), "%s", err);
		/* the invalid path does not count as originated */
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(
				     table4, AF_INET,
				     (const char *const[]){"10.99.100.1/32",
							   "10.99.100.7/32",
							   "10.99.100.9/32"},
				     3, err, sizeof(err)),
			     -ENOENT);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "withdrawn_still_there")) {
		err[0] = 0;
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table4, AF_INET, extra,
							 1, err, sizeof(err)),
			     -EEXIST);
		CHECK(t, strstr(err, "10.99.100.7/32"), "%s", err);
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table6, AF_INET6, NULL,
							 0, err, sizeof(err)),
			     -EEXIST);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "bad")) {
		CHECK_EQ_INT(t,
			     bgp_status_check_originated(table4, AF_INET, bad,
							 1, err, sizeof(err)),
			     -EINVAL);
		CHECK_EQ_INT(t,
			     bgp_status_check_originated("{}", AF_INET, NULL, 0,
							 err, sizeof(err)),
			     -EINVAL);
		CHECK_EQ_INT(t,
			     bgp_status_check_originated("{\"routes\":{}}",
							 AF_INET, NULL, 0, err,
							 sizeof(err)),
			     0);
		nlbt_sub_end(t);
	}
}
