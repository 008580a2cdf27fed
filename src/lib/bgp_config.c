// SPDX-License-Identifier: GPL-2.0
/* Rendering of an LB node's bgpd configuration (FRR text) from a struct. */
#include "bgp_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* the route-maps and BFD profile the rendered text defines */
#define MAP_IN "NLB-IN"
#define MAP_OUT "NLB-OUT"
#define MAP_VIP_PFX "NLB-VIP-"
#define BFD_PROFILE "nlb"

struct addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char bytes[16];
	unsigned int len; /* prefix length */
	char text[INET6_ADDRSTRLEN]; /* canonical, without length */
};

struct community {
	uint32_t value;
	const char *name; /* well-known name, or NULL for ASN:VALUE */
};

struct sorted_neighbor {
	struct addr addr;
	const struct bgp_neighbor *n;
};

struct sorted_vip {
	struct addr addr;
	struct community comms[BGP_MAX_COMMUNITIES];
	size_t n_comms;
};

/* RFC 1997, 7611, 7999, 8326 values, spelled as FRR prints them */
static const struct community well_known[] = {
	{0xFFFF0000, "graceful-shutdown"}, {0xFFFF029A, "blackhole"},
	{0xFFFFFF01, "no-export"},	   {0xFFFFFF02, "no-advertise"},
	{0xFFFFFF03, "local-AS"},	   {0xFFFFFF04, "no-peer"},
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ADDR or ADDR/LEN; a bare address is a host prefix */
static int parse_addr(const char *s, struct addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned long len;
	int max;

	if (!s || snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->bytes) == 1) {
		a->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a->bytes) == 1) {
		a->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	a->len = max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || len > (unsigned long)max)
			return -EINVAL;
		a->len = len;
	}
	inet_ntop(a->family, a->bytes, a->text, sizeof(a->text));
	return 0;
}

static bool addr_unspecified(const struct addr *a)
{
	static const unsigned char zero[16];

	return !memcmp(a->bytes, zero, a->family == AF_INET ? 4 : 16);
}

/* IPv4 before IPv6, then by address bytes */
static int addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

static int neighbor_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct sorted_neighbor *)a)->addr,
			&((const struct sorted_neighbor *)b)->addr);
}

static int vip_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct sorted_vip *)a)->addr,
			&((const struct sorted_vip *)b)->addr);
}

static int community_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct community *)a)->value;
	uint32_t y = ((const struct community *)b)->value;

	return x < y ? -1 : x > y;
}

static int parse_u16(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_community(const char *s, struct community *c)
{
	const char *colon;
	uint32_t hi, lo;

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(well_known) / sizeof(well_known[0]);
	     i++) {
		if (!strcmp(s, well_known[i].name)) {
			*c = well_known[i];
			return 0;
		}
	}
	colon = strchr(s, ':');
	if (!colon || parse_u16(s, colon - s, &hi) ||
	    parse_u16(colon + 1, strlen(colon + 1), &lo))
		return -EINVAL;
	c->value = hi << 16 | lo;
	c->name = NULL;
	/* a number that is a well-known value prints as its name */
	for (size_t i = 0; i < sizeof(well_known) / sizeof(well_known[0]); i++)
		if (well_known[i].value == c->value)
			c->name = well_known[i].name;
	return 0;
}

static bool valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static int check_timers(const struct bgp_config *c, char *err, size_t errlen)
{
	const struct bgp_bfd_timers *b = &c->bfd;

	if (c->keepalive_s || c->hold_s) {
		if (c->keepalive_s < 1 || c->hold_s < 3 || c->hold_s > 65535 ||
		    c->keepalive_s > c->hold_s / 3)
			return fail(err, errlen,
				    "keepalive_s/hold_s: %u/%u: need 1 <= "
				    "keepalive <= hold/3, 3 <= hold <= 65535",
				    c->keepalive_s, c->hold_s);
	}
	if (c->connect_retry_s > 65535)
		return fail(err, errlen, "connect_retry_s: %u: above 65535",
			    c->connect_retry_s);
	if (b->detect_mult && (b->detect_mult < 2 || b->detect_mult > 255))
		return fail(err, errlen, "bfd.detect_mult: %u: not in 2..255",
			    b->detect_mult);
	if (b->rx_ms && (b->rx_ms < 10 || b->rx_ms > 60000))
		return fail(err, errlen, "bfd.rx_ms: %u: not in 10..60000",
			    b->rx_ms);
	if (b->tx_ms && (b->tx_ms < 10 || b->tx_ms > 60000))
		return fail(err, errlen, "bfd.tx_ms: %u: not in 10..60000",
			    b->tx_ms);
	if (c->drain.as_path_prepend > BGP_MAX_PREPEND)
		return fail(err, errlen, "drain.as_path_prepend: %u: above %d",
			    c->drain.as_path_prepend, BGP_MAX_PREPEND);
	return 0;
}

/* Parse and check everything into the sorted arrays (either may be NULL
 * when only validating). */
static int prepare(const struct bgp_config *c, struct sorted_neighbor *nbrs,
		   struct sorted_vip *vips, char *err, size_t errlen)
{
	struct addr rid;
	int e;

	if (!c)
		return fail(err, errlen, "config: NULL");
	if (c->local_asn == 0)
		return fail(err, errlen, "local_asn: 0 is not an AS number");
	if (parse_addr(c->router_id, &rid) || rid.family != AF_INET ||
	    strchr(c->router_id, '/') || addr_unspecified(&rid))
		return fail(err, errlen, "router_id: %s: not an IPv4 address",
			    c->router_id ? c->router_id : "(null)");
	if (c->hostname && !valid_hostname(c->hostname))
		return fail(err, errlen, "hostname: \"%s\": not a host name",
			    c->hostname);
	e = check_timers(c, err, errlen);
	if (e)
		return e;
	if (c->n_neighbors < 1 || c->n_neighbors > BGP_MAX_NEIGHBORS ||
	    !c->neighbors)
		return fail(err, errlen, "neighbors: %zu: need 1..%d",
			    c->n_neighbors, BGP_MAX_NEIGHBORS);
	if (c->n_vips > BGP_MAX_VIPS || (c->n_vips && !c->vips))
		return fail(err, errlen, "vips: %zu: need 0..%d", c->n_vips,
			    BGP_MAX_VIPS);

	for (size_t i = 0; i < c->n_neighbors; i++) {
		const struct bgp_neighbor *n = &c->neighbors[i];
		struct addr a;

		if (parse_addr(n->address, &a) || strchr(n->address, '/') ||
		    addr_unspecified(&a))
			return fail(err, errlen,
				    "neighbors[%zu].address: %s: not an IP "
				    "address",
				    i, n->address ? n->address : "(null)");
		if (n->remote_asn == 0)
			return fail(err, errlen,
				    "neighbors[%zu].remote_asn: 0 is not an "
				    "AS number",
				    i);
		if (nbrs) {
			nbrs[i].addr = a;
			nbrs[i].n = n;
		}
	}
	for (size_t i = 0; i < c->n_vips; i++) {
		const struct bgp_vip *v = &c->vips[i];
		struct sorted_vip sv = {0};

		if (parse_addr(v->prefix, &sv.addr))
			return fail(err, errlen,
				    "vips[%zu].prefix: %s: not an IP prefix", i,
				    v->prefix ? v->prefix : "(null)");
		if (sv.addr.len != (sv.addr.family == AF_INET ? 32u : 128u))
			return fail(err, errlen,
				    "vips[%zu].prefix: %s: only /32 and /128 "
				    "are advertised",
				    i, v->prefix);
		if (v->n_communities > BGP_MAX_COMMUNITIES ||
		    (v->n_communities && !v->communities))
			return fail(err, errlen,
				    "vips[%zu].communities: %zu: at most %d", i,
				    v->n_communities, BGP_MAX_COMMUNITIES);
		for (size_t j = 0; j < v->n_communities; j++) {
			if (parse_community(v->communities[j], &sv.comms[j]))
				return fail(err, errlen,
					    "vips[%zu].communities[%zu]: %s: "
					    "not ASN:VALUE or a well-known "
					    "community",
					    i, j,
					    v->communities[j]
						    ? v->communities[j]
						    : "(null)");
		}
		sv.n_comms = v->n_communities;
		qsort(sv.comms, sv.n_comms, sizeof(sv.comms[0]), community_cmp);
		for (size_t j = 1; j < sv.n_comms; j++)
			if (sv.comms[j].value == sv.comms[j - 1].value)
				return fail(err, errlen,
					    "vips[%zu].communities: duplicate "
					    "community in %s",
					    i, v->prefix);
		if (vips)
			vips[i] = sv;
	}
	return 0;
}

static int check_duplicates(const struct bgp_config *c,
			    const struct sorted_neighbor *nbrs,
			    const struct sorted_vip *vips, char *err,
			    size_t errlen)
{
	for (size_t i = 1; i < c->n_neighbors; i++)
		if (!addr_cmp(&nbrs[i].addr, &nbrs[i - 1].addr))
			return fail(err, errlen, "neighbors: %s appears twice",
				    nbrs[i].addr.text);
	for (size_t i = 1; i < c->n_vips; i++)
		if (!addr_cmp(&vips[i].addr, &vips[i - 1].addr))
			return fail(err, errlen, "vips: %s/%u appears twice",
				    vips[i].addr.text, vips[i].addr.len);
	return 0;
}

/* the parsed, sorted view of a config; one allocation, freed by the
 * caller with free(s->nbrs) */
struct sorted {
	struct sorted_neighbor *nbrs;
	struct sorted_vip *vips;
};

static int sort_config(const struct bgp_config *c, struct sorted *s, char *err,
		       size_t errlen)
{
	size_t nn = c ? c->n_neighbors : 0, nv = c ? c->n_vips : 0;
	int e;

	s->nbrs = NULL;
	s->vips = NULL;
	e = prepare(c, NULL, NULL, err, errlen);
	if (e)
		return e;
	s->nbrs = calloc(1, nn * sizeof(*s->nbrs) + nv * sizeof(*s->vips));
	if (!s->nbrs)
		return -ENOMEM;
	s->vips = (struct sorted_vip *)(s->nbrs + nn);
	e = prepare(c, s->nbrs, s->vips, err, errlen);
	if (e)
		goto out_free;
	qsort(s->nbrs, nn, sizeof(*s->nbrs), neighbor_cmp);
	if (nv)
		qsort(s->vips, nv, sizeof(*s->vips), vip_cmp);
	e = check_duplicates(c, s->nbrs, s->vips, err, errlen);
	if (e)
		goto out_free;
	return 0;
out_free:
	free(s->nbrs);
	s->nbrs = NULL;
	return e;
}

int bgp_config_validate(const struct bgp_config *c, char *err, size_t errlen)
{
	struct sorted s;
	int e;

	e = sort_config(c, &s, err, errlen);
	free(s.nbrs);
	return e;
}

/* --- text output ----------------------------------------------------- */

struct out {
	char *buf;
	size_t size;
	size_t len; /* what the whole text needs, even past size */
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

/* "NLB-VIP-10-0-0-1-32": route-map names stay plain words */
static void put_vip_map(struct out *o, const struct sorted_vip *v)
{
	char name[sizeof(MAP_VIP_PFX) + INET6_ADDRSTRLEN + 8];
	char *p;

	snprintf(name, sizeof(name), MAP_VIP_PFX "%s-%u", v->addr.text,
		 v->addr.len);
	for (p = name + strlen(MAP_VIP_PFX); *p; p++)
		if (*p == '.' || *p == ':')
			*p = '-';
	put(o, "%s", name);
}

static bool bfd_profile_used(const struct bgp_config *c)
{
	const struct bgp_bfd_timers *b = &c->bfd;

	if (!b->detect_mult && !b->rx_ms && !b->tx_ms)
		return false;
	for (size_t i = 0; i < c->n_neighbors; i++)
		if (c->neighbors[i].bfd)
			return true;
	return false;
}

static void put_neighbors(struct out *o, const struct bgp_config *c,
			  const struct sorted *s)
{
	bool profile = bfd_profile_used(c);

	for (size_t i = 0; i < c->n_neighbors; i++) {
		const char *a = s->nbrs[i].addr.text;
		const struct bgp_neighbor *n = s->nbrs[i].n;

		put(o, " neighbor %s remote-as %u\n", a, n->remote_asn);
		if (c->keepalive_s)
			put(o, " neighbor %s timers %u %u\n", a, c->keepalive_s,
			    c->hold_s);
		if (c->connect_retry_s)
			put(o, " neighbor %s timers connect %u\n", a,
			    c->connect_retry_s);
		if (n->bfd)
			put(o, " neighbor %s bfd\n", a);
		if (n->bfd && profile)
			put(o, " neighbor %s bfd profile " BFD_PROFILE "\n", a);
	}
}

static void put_family(struct out *o, const struct bgp_config *c,
		       const struct sorted *s, int family)
{
	bool any = false;

	for (size_t i = 0; i < c->n_neighbors; i++)
		any |= s->nbrs[i].addr.family == family;
	for (size_t i = 0; i < c->n_vips; i++)
		any |= s->vips[i].addr.family == family;
	if (!any)
		return;
	put(o, " !\n address-family %s unicast\n",
	    family == AF_INET ? "ipv4" : "ipv6");
	for (size_t i = 0; i < c->n_vips; i++) {
		const struct sorted_vip *v = &s->vips[i];

		if (v->addr.family != family)
			continue;
		put(o, "  network %s/%u", v->addr.text, v->addr.len);
		if (v->n_comms) {
			put(o, " route-map ");
			put_vip_map(o, v);
		}
		put(o, "\n");
	}
	for (size_t i = 0; i < c->n_neighbors; i++) {
		const char *a = s->nbrs[i].addr.text;

		if (s->nbrs[i].addr.family != family)
			continue;
		put(o, "  neighbor %s activate\n", a);
		put(o, "  neighbor %s route-map " MAP_IN " in\n", a);
		put(o, "  neighbor %s route-map " MAP_OUT " out\n", a);
	}
	put(o, " exit-address-family\n");
}

static void put_route_maps(struct out *o, const struct bgp_config *c,
			   const struct sorted *s)
{
	const struct bgp_drain *d = &c->drain;

	/* the node routes nothing it learns: its VIPs are all it speaks */
	put(o, "!\nroute-map " MAP_IN " deny 10\nexit\n");
	put(o, "!\nroute-map " MAP_OUT " permit 10\n");
	if (d->set_med)
		put(o, " set metric %u\n", d->med);
	if (d->set_local_pref)
		put(o, " set local-preference %u\n", d->local_pref);
	if (d->as_path_prepend) {
		put(o, " set as-path prepend");
		for (uint32_t i = 0; i < d->as_path_prepend; i++)
			put(o, " %u", c->local_asn);
		put(o, "\n");
	}
	put(o, "exit\n");
	for (size_t i = 0; i < c->n_vips; i++) {
		const struct sorted_vip *v = &s->vips[i];

		if (!v->n_comms)
			continue;
		put(o, "!\nroute-map ");
		put_vip_map(o, v);
		put(o, " permit 10\n set community");
		for (size_t j = 0; j < v->n_comms; j++) {
			if (v->comms[j].name)
				put(o, " %s", v->comms[j].name);
			else
				put(o, " %u:%u", v->comms[j].value >> 16,
				    v->comms[j].value & 0xffff);
		}
		put(o, "\nexit\n");
	}
}

static void put_bfd(struct out *o, const struct bgp_config *c)
{
	const struct bgp_bfd_timers *b = &c->bfd;

	if (!bfd_profile_used(c))
		return;
	put(o, "!\nbfd\n profile " BFD_PROFILE "\n");
	if (b->detect_mult)
		put(o, "  detect-multiplier %u\n", b->detect_mult);
	if (b->rx_ms)
		put(o, "  receive-interval %u\n", b->rx_ms);
	if (b->tx_ms)
		put(o, "  transmit-interval %u\n", b->tx_ms);
	put(o, " exit\nexit\n");
}

int bgp_config_render(const struct bgp_config *c, char *buf, size_t size,
		      char *err, size_t errlen)
{
	struct out o = {.buf = buf, .size = buf ? size : 0};
	struct addr rid;
	struct sorted s;
	int e;

	e = sort_config(c, &s, err, errlen);
	if (e)
		return e;
	parse_addr(c->router_id, &rid); /* valid: canonical spelling */

	put(&o, "! nlb: bgpd configuration of this LB node, generated; "
		"do not edit\n");
	if (c->hostname)
		put(&o, "hostname %s\n", c->hostname);
	put(&o, "router bgp %u\n", c->local_asn);
	put(&o, " bgp router-id %s\n", rid.text);
	/* each session carries the family of its address, nothing else */
	put(&o, " no bgp default ipv4-unicast\n");
	/* VIPs are answered by XDP: no kernel route backs them */
	put(&o, " no bgp network import-check\n");
	if (c->drain.graceful_shutdown)
		put(&o, " bgp graceful-shutdown\n");
	put_neighbors(&o, c, &s);
	put_family(&o, c, &s, AF_INET);
	put_family(&o, c, &s, AF_INET6);
	put(&o, "exit\n");
	put_route_maps(&o, c, &s);
	put_bfd(&o, c);
	free(s.nbrs);

	if (o.len >= o.size) {
		if (err && errlen)
			snprintf(err, errlen,
				 "buffer of %zu bytes too small: %zu needed",
				 size, o.len + 1);
		return -ENOSPC;
	}
	return (int)o.len;
}
