// SPDX-License-Identifier: GPL-2.0
/* bgpd configuration rendering: exact text for fixtures, the same bytes
 * whatever the input order, and -EINVAL naming the field for bad input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_config.h"
#include "nlbtest.h"

static const struct bgp_neighbor two_peers[] = {
	{.address = "fd99:1::1", .remote_asn = 65000, .bfd = true},
	{.address = "10.99.1.1", .remote_asn = 65000, .bfd = true},
};

static const char *const comms_b[] = {"no-export", "65000:20", "65000:3"};

static const struct bgp_vip three_vips[] = {
	{.prefix = "fd99:100::1/128"},
	{.prefix = "10.99.100.2", .communities = comms_b, .n_communities = 3},
	{.prefix = "10.99.100.1/32"},
};

static const struct bgp_config fixture = {
	.local_asn = 65001,
	.router_id = "10.99.1.2",
	.hostname = "lb1",
	.keepalive_s = 3,
	.hold_s = 9,
	.connect_retry_s = 1,
	.bfd = {.detect_mult = 3, .rx_ms = 100, .tx_ms = 100},
	.neighbors = two_peers,
	.n_neighbors = 2,
	.vips = three_vips,
	.n_vips = 3,
};

static const char fixture_text[] =
	"! nlb: bgpd configuration of this LB node, generated; do not edit\n"
	"hostname lb1\n"
	"router bgp 65001\n"
	" bgp router-id 10.99.1.2\n"
	" no bgp default ipv4-unicast\n"
	" no bgp network import-check\n"
	" neighbor 10.99.1.1 remote-as 65000\n"
	" neighbor 10.99.1.1 timers 3 9\n"
	" neighbor 10.99.1.1 timers connect 1\n"
	" neighbor 10.99.1.1 bfd\n"
	" neighbor 10.99.1.1 bfd profile nlb\n"
	" neighbor fd99:1::1 remote-as 65000\n"
	" neighbor fd99:1::1 timers 3 9\n"
	" neighbor fd99:1::1 timers connect 1\n"
	" neighbor fd99:1::1 bfd\n"
	" neighbor fd99:1::1 bfd profile nlb\n"
	" !\n"
	" address-family ipv4 unicast\n"
	"  network 10.99.100.1/32\n"
	"  network 10.99.100.2/32 route-map NLB-VIP-10-99-100-2-32\n"
	"  neighbor 10.99.1.1 activate\n"
	"  neighbor 10.99.1.1 route-map NLB-IN in\n"
	"  neighbor 10.99.1.1 route-map NLB-OUT out\n"
	" exit-address-family\n"
	" !\n"
	" address-family ipv6 unicast\n"
	"  network fd99:100::1/128\n"
	"  neighbor fd99:1::1 activate\n"
	"  neighbor fd99:1::1 route-map NLB-IN in\n"
	"  neighbor fd99:1::1 route-map NLB-OUT out\n"
	" exit-address-family\n"
	"exit\n"
	"!\n"
	"route-map NLB-IN deny 10\n"
	"exit\n"
	"!\n"
	"route-map NLB-OUT permit 10\n"
	"exit\n"
	"!\n"
	"route-map NLB-VIP-10-99-100-2-32 permit 10\n"
	" set community 65000:3 65000:20 no-export\n"
	"exit\n"
	"!\n"
	"bfd\n"
	" profile nlb\n"
	"  detect-multiplier 3\n"
	"  receive-interval 100\n"
	"  transmit-interval 100\n"
	" exit\n"
	"exit\n";

/* the first line where two texts differ, for a readable failure */
static void check_text(struct nlbt *t, const char *got, const char *want)
{
	size_t i = 0, line = 1, start = 0;

	while (got[i] && got[i] == want[i]) {
		if (got[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	CHECK(t, got[i] == want[i],
	      "line %zu differs:\n got: %.60s\nwant: %.60s", line, got + start,
	      want + start);
}

NLB_TEST(bgp_config_fixture)
{
	char buf[4096], err[256] = "";
	int n;

	n = bgp_config_render(&fixture, buf, sizeof(buf), err, sizeof(err));
	REQUIRE(t, n > 0, "render: %d %s", n, err);
	CHECK_EQ_INT(t, n, strlen(fixture_text));
	check_text(t, buf, fixture_text);
}

NLB_TEST(bgp_config_minimal)
{
	static const struct bgp_neighbor peer = {.address = "192.0.2.1",
						 .remote_asn = 4200000000u};
	static const struct bgp_config c = {.local_asn = 4200000001u,
					    .router_id = "192.0.2.2",
					    .neighbors = &peer,
					    .n_neighbors = 1};
	static const char want[] =
		"! nlb: bgpd configuration of this LB node, generated; do not "
		"edit\n"
		"router bgp 4200000001\n"
		" bgp router-id 192.0.2.2\n"
		" no bgp default ipv4-unicast\n"
		" no bgp network import-check\n"
		" neighbor 192.0.2.1 remote-as 4200000000\n"
		" !\n"
		" address-family ipv4 unicast\n"
		"  neighbor 192.0.2.1 activate\n"
		"  neighbor 192.0.2.1 route-map NLB-IN in\n"
		"  neighbor 192.0.2.1 route-map NLB-OUT out\n"
		" exit-address-family\n"
		"exit\n"
		"!\n"
		"route-map NLB-IN deny 10\n"
		"exit\n"
		"!\n"
		"route-map NLB-OUT permit 10\n"
		"exit\n";
	char buf[2048], err[256] = "";
	int n;

	n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
	REQUIRE(t, n > 0, "render: %d %s", n, err);
	check_text(t, buf, want);
}

NLB_TEST(bgp_config_drain)
{
	struct bgp_config c = fixture;
	char buf[4096], err[256] = "";
	int n;

	if (nlbt_sub_begin(t, "graceful_shutdown")) {
		c.drain = (struct bgp_drain){.graceful_shutdown = true};
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0, "%s", err);
		CHECK(t, strstr(buf, " no bgp network import-check\n"
				     " bgp graceful-shutdown\n"
				     " neighbor 10.99.1.1 remote-as"));
		CHECK(t, strstr(buf, "route-map NLB-OUT permit 10\nexit\n"));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "med_local_pref_prepend")) {
		c.drain = (struct bgp_drain){.set_med = true,
					     .med = 1000,
					     .set_local_pref = true,
					     .local_pref = 50,
					     .as_path_prepend = 3};
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0, "%s", err);
		CHECK(t, strstr(buf, "route-map NLB-OUT permit 10\n"
				     " set metric 1000\n"
				     " set local-preference 50\n"
				     " set as-path prepend 65001 65001 65001\n"
				     "exit\n"));
		CHECK(t, !strstr(buf, "graceful-shutdown"));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "med_zero_is_set")) {
		c.drain = (struct bgp_drain){.set_med = true, .med = 0};
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0 && strstr(buf, " set metric 0\n"), "%s", err);
		nlbt_sub_end(t);
	}
}

NLB_TEST(bgp_config_bfd)
{
	struct bgp_config c = fixture;
	struct bgp_neighbor peers[2] = {two_peers[0], two_peers[1]};
	char buf[4096], err[256] = "";
	int n;

	c.neighbors = peers;
	if (nlbt_sub_begin(t, "default_timers_no_profile")) {
		c.bfd = (struct bgp_bfd_timers){0};
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0, "%s", err);
		CHECK(t, strstr(buf, " neighbor 10.99.1.1 bfd\n"));
		CHECK(t, !strstr(buf, "profile"));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "only_rx_set")) {
		c.bfd = (struct bgp_bfd_timers){.rx_ms = 50};
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0, "%s", err);
		CHECK(t, strstr(buf, "bfd\n profile nlb\n  receive-interval "
				     "50\n exit\nexit\n"));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "per_neighbor")) {
		c.bfd = fixture.bfd;
		peers[0].bfd = false; /* the IPv6 one */
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0, "%s", err);
		CHECK(t, strstr(buf, " neighbor 10.99.1.1 bfd profile nlb\n"));
		CHECK(t, !strstr(buf, " neighbor fd99:1::1 bfd"));
		peers[1].bfd = false;
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK(t, n > 0 && !strstr(buf, "bfd"), "no BFD at all: %s",
		      buf);
		nlbt_sub_end(t);
	}
}

/* Every permutation of the VIPs, neighbors and communities renders the same
 * bytes; so do differently spelled addresses. */
NLB_TEST(bgp_config_deterministic)
{
	static const char *const ca[] = {"65000:3", "no-export", "65000:20"};
	static const char *const cb[] = {"65535:65281", "65000:20", "65000:3"};
	struct bgp_vip vips[3];
	struct bgp_neighbor nbrs[2] = {two_peers[1], two_peers[0]};
	struct bgp_config c = fixture;
	char buf[4096], err[256];
	static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					{1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

	c.vips = vips;
	c.neighbors = nbrs;
	for (int p = 0; p < 6; p++) {
		if (!nlbt_sub_begin(t, "perm%d", p))
			continue;
		for (int i = 0; i < 3; i++)
			vips[i] = three_vips[perms[p][i]];
		for (int i = 0; i < 3; i++)
			if (vips[i].n_communities)
				vips[i].communities = p & 1 ? ca : cb;
		nbrs[0] = two_peers[p & 1];
		nbrs[1] = two_peers[!(p & 1)];
		/* another spelling of the same IPv6 VIP */
		for (int i = 0; i < 3; i++)
			if (!strcmp(vips[i].prefix, "fd99:100::1/128") && p > 2)
				vips[i].prefix = "FD99:100:0:0::1";
		err[0] = 0;
		int n = bgp_config_render(&c, buf, sizeof(buf), err,
					  sizeof(err));
		if (CHECK(t, n > 0, "%s", err))
			check_text(t, buf, fixture_text);
		nlbt_sub_end(t);
	}
}

NLB_TEST(bgp_config_buffer)
{
	char small[64], big[4096], err[256] = "";
	int n;

	n = bgp_config_render(&fixture, small, sizeof(small), err, sizeof(err));
	CHECK_EQ_INT(t, n, -ENOSPC);
	CHECK(t, strstr(err, "needed"), "%s", err);
	/* exactly the length + NUL fits; one byte less does not */
	n = bgp_config_render(&fixture, big, strlen(fixture_text) + 1, err,
			      sizeof(err));
	CHECK_EQ_INT(t, n, strlen(fixture_text));
	n = bgp_config_render(&fixture, big, strlen(fixture_text), err,
			      sizeof(err));
	CHECK_EQ_INT(t, n, -ENOSPC);
	n = bgp_config_render(&fixture, NULL, 0, err, sizeof(err));
	CHECK_EQ_INT(t, n, -ENOSPC);
}

/* Many VIPs sort in address order whatever order they come in. */
NLB_TEST(bgp_config_many)
{
	enum { N = 1000 };
	struct bgp_vip *v = calloc(N, sizeof(*v));
	char(*pfx)[32] = calloc(N, 32);
	size_t size = 1 << 20;
	char *buf = malloc(size), err[256] = "", *p, prev[64] = "";
	struct bgp_config c = fixture;
	int n, lines = 0;

	REQUIRE(t, v && pfx && buf);
	for (int i = 0; i < N; i++) {
		int k = (i * 7919) % N; /* a permutation */

		snprintf(pfx[i], 32, "10.%d.%d.%d/32", k / 256, k % 256,
			 (k * 3) % 256);
		v[i].prefix = pfx[i];
	}
	c.vips = v;
	c.n_vips = N;
	n = bgp_config_render(&c, buf, size, err, sizeof(err));
	CHECK(t, n > 0, "%s", err);
	for (p = buf; n > 0 && (p = strstr(p, "  network 10.")); p++) {
		unsigned a, b, d, e;
		char cur[64];

		sscanf(p, "  network %u.%u.%u.%u", &a, &b, &d, &e);
		snprintf(cur, sizeof(cur), "%03u%03u%03u%03u", a, b, d, e);
		CHECK(t, strcmp(prev, cur) < 0, "%s after %s", cur, prev);
		strcpy(prev, cur);
		lines++;
	}
	CHECK_EQ_INT(t, lines, N);
	free(buf);
	free(pfx);
	free(v);
}

NLB_TEST(bgp_config_bad_input)
{
	static const char *const c_bad[] = {"65536:1"};
	static const char *const c_dup[] = {"65000:1", "65000:1"};
	static const char *const c_dup_wk[] = {"no-export", "65535:65281"};
	static const char *const c_word[] = {"internet"};
	static const char *const c_null[] = {NULL};
	static const struct bgp_neighbor dup_peers[] = {
		{.address = "10.0.0.1", .remote_asn = 1},
		{.address = "10.0.0.1", .remote_asn = 2},
	};
	static const struct bgp_neighbor dup6[] = {
		{.address = "fd00::1", .remote_asn = 1},
		{.address = "fd00:0::0:1", .remote_asn = 2},
	};
	static const struct bgp_vip dup_vips[] = {
		{.prefix = "10.0.0.1"},
		{.prefix = "10.0.0.1/32"},
	};
	struct {
		const char *name;
		struct bgp_config c;
		struct bgp_neighbor n;
		struct bgp_vip v;
		const char *field; /* expected in the message */
	} rows[] = {
		{"asn0", .c = {.local_asn = 0}, .field = "local_asn"},
		{"rid_null", .c = {.router_id = NULL}, .field = "router_id"},
		{"rid_v6", .c = {.router_id = "fd00::1"}, .field = "router_id"},
		{"rid_prefix", .c = {.router_id = "10.0.0.1/32"},
		 .field = "router_id"},
		{"rid_zero", .c = {.router_id = "0.0.0.0"},
		 .field = "router_id"},
		{"rid_junk", .c = {.router_id = "10.0.0"},
		 .field = "router_id"},
		{"hostname_space", .c = {.hostname = "lb 1"},
		 .field = "hostname"},
		{"hostname_empty", .c = {.hostname = ""}, .field = "hostname"},
		{"keepalive_only", .c = {.keepalive_s = 3},
		 .field = "keepalive"},
		{"hold_small", .c = {.keepalive_s = 1, .hold_s = 2},
		 .field = "hold"},
		{"keepalive_big", .c = {.keepalive_s = 5, .hold_s = 9},
		 .field = "keepalive"},
		{"connect_big", .c = {.connect_retry_s = 70000},
		 .field = "connect_retry_s"},
		{"bfd_mult1", .c = {.bfd = {.detect_mult = 1}},
		 .field = "bfd.detect_mult"},
		{"bfd_rx_small", .c = {.bfd = {.rx_ms = 9}},
		 .field = "bfd.rx_ms"},
		{"bfd_tx_big", .c = {.bfd = {.tx_ms = 60001}},
		 .field = "bfd.tx_ms"},
		{"prepend_big", .c = {.drain = {.as_path_prepend = 11}},
		 .field = "as_path_prepend"},
		{"no_neighbors", .c = {.n_neighbors = 0}, .field = "neighbors"},
		{"too_many_neighbors",
		 .c = {.n_neighbors = BGP_MAX_NEIGHBORS + 1},
		 .field = "neighbors"},
		{"nbr_null", .n = {.address = NULL, .remote_asn = 1},
		 .field = "neighbors[0].address"},
		{"nbr_prefix", .n = {.address = "10.0.0.1/24", .remote_asn = 1},
		 .field = "neighbors[0].address"},
		{"nbr_zero", .n = {.address = "::", .remote_asn = 1},
		 .field = "neighbors[0].address"},
		{"nbr_name", .n = {.address = "router1", .remote_asn = 1},
		 .field = "neighbors[0].address"},
		{"nbr_asn0", .n = {.address = "10.0.0.1", .remote_asn = 0},
		 .field = "neighbors[0].remote_asn"},
		{"nbr_dup", .c = {.neighbors = dup_peers}, .field = "twice"},
		{"nbr_dup6", .c = {.neighbors = dup6}, .field = "twice"},
		{"vip_null", .v = {.prefix = NULL}, .field = "vips[0].prefix"},
		{"vip_24", .v = {.prefix = "10.0.0.0/24"},
		 .field = "/32 and /128"},
		{"vip_64", .v = {.prefix = "fd00::/64"},
		 .field = "/32 and /128"},
		{"vip_len_junk", .v = {.prefix = "10.0.0.1/3x"},
		 .field = "vips[0].prefix"},
		{"vip_len_empty", .v = {.prefix = "10.0.0.1/"},
		 .field = "vips[0].prefix"},
		{"vip_len_big", .v = {.prefix = "10.0.0.1/33"},
		 .field = "vips[0].prefix"},
		{"vip_len_neg", .v = {.prefix = "10.0.0.1/-32"},
		 .field = "vips[0].prefix"},
		{"vip_long",
		 .v = {.prefix = "1111:2222:3333:4444:5555:6666:7777:"
				 "8888:9999/128"},
		 .field = "vips[0].prefix"},
		{"vip_dup", .c = {.vips = dup_vips, .n_vips = 2},
		 .field = "twice"},
		{"comm_range",
		 .v = {.prefix = "10.0.0.1",
		       .communities = c_bad,
		       .n_communities = 1},
		 .field = "communities[0]"},
		{"comm_dup",
		 .v = {.prefix = "10.0.0.1",
		       .communities = c_dup,
		       .n_communities = 2},
		 .field = "duplicate"},
		{"comm_dup_wellknown",
		 .v = {.prefix = "10.0.0.1",
		       .communities = c_dup_wk,
		       .n_communities = 2},
		 .field = "duplicate"},
		{"comm_word",
		 .v = {.prefix = "10.0.0.1",
		       .communities = c_word,
		       .n_communities = 1},
		 .field = "communities[0]"},
		{"comm_null",
		 .v = {.prefix = "10.0.0.1",
		       .communities = c_null,
		       .n_communities = 1},
		 .field = "communities[0]"},
		{"comm_too_many",
		 .v = {.prefix = "10.0.0.1",
		       .communities = c_bad,
		       .n_communities = BGP_MAX_COMMUNITIES + 1},
		 .field = "at most"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct bgp_config c = fixture;
		char buf[4096], err[256] = "";
		int n;

		if (!nlbt_sub_begin(t, "%s", rows[i].name))
			continue;
		/* each row changes one thing of the good fixture */
		if (rows[i].c.local_asn == 0 && !strcmp(rows[i].name, "asn0"))
			c.local_asn = 0;
		if (!strncmp(rows[i].name, "rid_", 4))
			c.router_id = rows[i].c.router_id;
		if (rows[i].c.hostname)
			c.hostname = rows[i].c.hostname;
		if (rows[i].c.keepalive_s || rows[i].c.hold_s) {
			c.keepalive_s = rows[i].c.keepalive_s;
			c.hold_s = rows[i].c.hold_s;
		}
		if (rows[i].c.connect_retry_s)
			c.connect_retry_s = rows[i].c.connect_retry_s;
		if (rows[i].c.bfd.detect_mult || rows[i].c.bfd.rx_ms ||
		    rows[i].c.bfd.tx_ms)
			c.bfd = rows[i].c.bfd;
		if (rows[i].c.drain.as_path_prepend)
			c.drain = rows[i].c.drain;
		if (!strcmp(rows[i].name, "no_neighbors") ||
		    !strcmp(rows[i].name, "too_many_neighbors"))
			c.n_neighbors = rows[i].c.n_neighbors;
		if (rows[i].c.neighbors) {
			c.neighbors = rows[i].c.neighbors;
			c.n_neighbors = 2;
		}
		if (!strncmp(rows[i].name, "nbr_", 4) && !rows[i].c.neighbors) {
			c.neighbors = &rows[i].n;
			c.n_neighbors = 1;
		}
		if (rows[i].c.vips) {
			c.vips = rows[i].c.vips;
			c.n_vips = rows[i].c.n_vips;
		}
		if (!strncmp(rows[i].name, "vip_", 4) && !rows[i].c.vips) {
			c.vips = &rows[i].v;
			c.n_vips = 1;
		}
		if (!strncmp(rows[i].name, "comm_", 5)) {
			c.vips = &rows[i].v;
			c.n_vips = 1;
		}
		n = bgp_config_render(&c, buf, sizeof(buf), err, sizeof(err));
		CHECK_EQ_INT(t, n, -EINVAL);
		CHECK_EQ_INT(t, bgp_config_validate(&c, NULL, 0), -EINVAL);
		CHECK(t, strstr(err, rows[i].field), "message \"%s\" lacks %s",
		      err, rows[i].field);
		nlbt_sub_end(t);
	}
	CHECK_EQ_INT(t, bgp_config_render(NULL, NULL, 0, NULL, 0), -EINVAL);
	CHECK_EQ_INT(t, bgp_config_validate(&fixture, NULL, 0), 0);
}
