// SPDX-License-Identifier: GPL-2.0
/* The network-only delta between two rendered configurations: exact vtysh
 * commands when only VIPs changed, refusal (-ENOENT) for anything else. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_config.h"
#include "bgp_delta.h"
#include "nlbtest.h"

static const struct bgp_neighbor peers[] = {
	{.address = "10.97.1.1", .remote_asn = 65000, .bfd = true},
	{.address = "fd97:1::1", .remote_asn = 65000, .bfd = true},
};

/* render peers with the given VIPs (and communities on the first) */
static char *render(const char *const *vips, size_t n, bool comm, uint32_t med)
{
	static const char *const c[] = {"65000:1"};
	struct bgp_vip v[8] = {0};
	struct bgp_config cfg = {.local_asn = 65001,
				 .router_id = "10.97.1.2",
				 .neighbors = peers,
				 .n_neighbors = 2,
				 .vips = v,
				 .n_vips = n,
				 .drain = {.set_med = med != 0, .med = med}};
	char *buf = malloc(8192);

	for (size_t i = 0; i < n; i++)
		v[i].prefix = vips[i];
	if (comm && n) {
		v[0].communities = c;
		v[0].n_communities = 1;
	}
	if (buf && bgp_config_render(&cfg, buf, 8192, NULL, 0) < 0) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

NLB_TEST(bgp_delta_vips_only)
{
	static const char *const a[] = {"10.0.0.1", "10.0.0.2", "fd00::1"};
	static const char *const b[] = {"10.0.0.1", "10.0.0.3", "fd00::2",
					"fd00::3"};
	char *x = render(a, 3, false, 0), *y = render(b, 4, false, 0), *d;
	int n;

	REQUIRE(t, x && y);
	n = bgp_delta_networks(x, y, &d);
	CHECK_EQ_INT(t, n, 5);
	CHECK(t,
	      d && !strcmp(d, "router bgp 65001\n"
			      " address-family ipv4 unicast\n"
			      "  no network 10.0.0.2/32\n"
			      "  network 10.0.0.3/32\n"
			      " exit-address-family\n"
			      " address-family ipv6 unicast\n"
			      "  no network fd00::1/128\n"
			      "  network fd00::2/128\n"
			      "  network fd00::3/128\n"
			      " exit-address-family\n"
			      "exit\n"),
	      "%s", d ? d : "(null)");
	free(d);
	/* the same text: nothing to do */
	CHECK_EQ_INT(t, bgp_delta_networks(x, x, &d), 0);
	CHECK(t, d == NULL);
	free(x);
	free(y);
}

NLB_TEST(bgp_delta_from_and_to_none)
{
	static const char *const a[] = {"10.0.0.1"};
	char *x = render(a, 1, false, 0), *y = render(NULL, 0, false, 0), *d;

	REQUIRE(t, x && y);
	CHECK_EQ_INT(t, bgp_delta_networks(x, y, &d), 1);
	CHECK(t, d && strstr(d, "  no network 10.0.0.1/32\n"), "%s", d);
	free(d);
	CHECK_EQ_INT(t, bgp_delta_networks(y, x, &d), 1);
	CHECK(t, d && strstr(d, "  network 10.0.0.1/32\n"), "%s", d);
	free(d);
	free(x);
	free(y);
}

NLB_TEST(bgp_delta_refuses_other_changes)
{
	static const char *const a[] = {"10.0.0.1"};
	static const char *const b[] = {"10.0.0.1", "10.0.0.2"};
	char *x = render(a, 1, false, 0), *d = (char *)"unset";
	char *comm = render(b, 2, true, 0), *med = render(b, 2, false, 100);

	REQUIRE(t, x && comm && med);
	/* a VIP with communities brings its route-map */
	CHECK_EQ_INT(t, bgp_delta_networks(x, comm, &d), -ENOENT);
	CHECK(t, d == NULL);
	/* a drain changes NLB-OUT */
	CHECK_EQ_INT(t, bgp_delta_networks(x, med, &d), -ENOENT);
	/* no router bgp at all, or no last text */
	CHECK_EQ_INT(t, bgp_delta_networks("", "", &d), -ENOENT);
	CHECK_EQ_INT(t, bgp_delta_networks(NULL, x, &d), -ENOENT);
	/* a network line outside an address family is not a VIP line */
	CHECK_EQ_INT(t,
		     bgp_delta_networks("router bgp 1\n  network 1.1.1.1/32\n",
					"router bgp 1\n", &d),
		     -ENOENT);
	free(x);
	free(comm);
	free(med);
}
