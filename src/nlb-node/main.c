// SPDX-License-Identifier: GPL-2.0
/* nlb-node: the node-local CLI. Wires the command table to libnlb. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "dp.h"
#include "maglev.h"
#include "maps.h"
#include "vipmgr.h"

/* Options, one table: parsing and --help come from it. */
enum opt_id {
	O_PIN_DIR,
	O_MODE,
	O_CT_SIZE,
	O_CT6_SIZE,
	O_MAX_VIPS,
	O_MAX_BACKENDS,
	O_RING_SIZE,
	O_WEIGHT,
	O_STATE,
	O_SRC_MAC,
	O_NEXTHOP_MAC,
	O_SRC_V4,
	O_SRC_V6,
	O_TTL,
	O_OUT_IFACE,
	O_LIMIT,
	O_MAX
};

static const struct {
	const char *name;
	const char *arg;
	const char *help;
} opt_table[O_MAX] = {
	[O_PIN_DIR] =
		{"pin-dir", "DIR",
		 "bpffs directory of the maps (default " NLB_DEFAULT_PIN_DIR
		 ")"},
	[O_MODE] = {"mode", "native|skb|auto",
		    "XDP attach mode (default auto)"},
	[O_CT_SIZE] = {"ct-size", "N",
		       "IPv4 connection table entries (first load only)"},
	[O_CT6_SIZE] = {"ct6-size", "N",
			"IPv6 connection table entries (first load only)"},
	[O_MAX_VIPS] = {"max-vips", "N", "VIP ids (first load only)"},
	[O_MAX_BACKENDS] = {"max-backends", "N",
			    "backend ids (first load only)"},
	[O_RING_SIZE] = {"ring-size", "M",
			 "Maglev table size, prime (default 65537)"},
	[O_WEIGHT] = {"weight", "W", "backend weight 0..65535 (default 100)"},
	[O_STATE] = {"state", "enabled|drained|down",
		     "backend state (default enabled)"},
	[O_SRC_MAC] =
		{"src-mac", "MAC",
		 "source MAC of forwarded frames (default: received dst)"},
	[O_NEXTHOP_MAC] = {"nexthop-mac", "MAC",
			   "next hop MAC (default: received src)"},
	[O_SRC_V4] = {"src-v4", "PREFIX",
		      "outer IPv4 source prefix; host bits vary per flow"},
	[O_SRC_V6] = {"src-v6", "PREFIX", "outer IPv6 source prefix"},
	[O_TTL] = {"ttl", "N", "outer TTL / hop limit (default 64)"},
	[O_OUT_IFACE] = {"out-iface", "IFACE",
			 "redirect out of this interface instead of XDP_TX"},
	[O_LIMIT] = {"limit", "N", "at most N lines"},
};

struct cli {
	const char *opt[O_MAX];
	const char *pin_dir;
	int argc; /* positional arguments after <object> <verb> */
	char **argv;
};

static int fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nlb-node: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(-err));
	fprintf(stderr, "\n");
	return err ? err : -EINVAL;
}

static int opt_u32(const struct cli *c, enum opt_id id, __u32 dflt, __u32 max,
		   __u32 *out)
{
	const char *s = c->opt[id];
	char *end;
	unsigned long v;

	if (!s) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || v > max)
		return fail(-EINVAL, "--%s %s: not a number in 0..%u",
			    opt_table[id].name, s, max);
	*out = (__u32)v;
	return 0;
}

static int ifindex_of(const char *name)
{
	int idx = (int)if_nametoindex(name);

	return idx ? idx : fail(-errno, "interface %s", name);
}

static int xdp_mode(const struct cli *c, __u32 *flags)
{
	const char *m = c->opt[O_MODE];

	if (!m || !strcmp(m, "auto"))
		*flags = 0;
	else if (!strcmp(m, "native"))
		*flags = XDP_FLAGS_DRV_MODE;
	else if (!strcmp(m, "skb"))
		*flags = XDP_FLAGS_SKB_MODE;
	else
		return fail(-EINVAL, "--mode %s: want native, skb or auto", m);
	return 0;
}

static int need_args(const struct cli *c, int n, const char *usage)
{
	if (c->argc != n)
		return fail(-EINVAL, "usage: nlb-node %s", usage);
	return 0;
}

static int open_maps(const struct cli *c, struct nlb_maps *m)
{
	int err = nlb_maps__open_pinned(m, c->pin_dir);

	if (err)
		return fail(err, "maps in %s (attach first)", c->pin_dir);
	return 0;
}

/* ADDR:PORT/PROTO or ADDR:PORT-PORTEND/PROTO: the range end is cut out
 * and the rest parsed as a single-port VIP. */
static int parse_vip_arg(const char *s, struct nlb_vip_spec *v)
{
	char buf[128], *slash, *colon, *dash, *end;
	unsigned long pend = 0;

	memset(v, 0, sizeof(*v));
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		goto bad;
	slash = strrchr(buf, '/');
	colon = strrchr(buf, ':');
	dash = colon ? strchr(colon, '-') : NULL;
	if (slash && dash && dash < slash) {
		errno = 0;
		pend = strtoul(dash + 1, &end, 10);
		if (end == dash + 1 || end != slash || errno || !pend ||
		    pend > 65535)
			goto bad;
		memmove(dash, slash, strlen(slash) + 1);
	}
	if (nlb_parse_vip(buf, &v->family, v->addr, &v->port, &v->proto))
		goto bad;
	if (pend && (!v->port || pend < ntohs(v->port)))
		return fail(-EINVAL,
			    "VIP %s: the range must end at or after its "
			    "first port, which must not be *",
			    s);
	if (pend && pend - ntohs(v->port) + 1 > NLB_VIP_PORTS_MAX)
		return fail(-E2BIG, "VIP %s: a range has at most %d ports", s,
			    NLB_VIP_PORTS_MAX);
	if (pend > ntohs(v->port))
		v->port_end = htons((__u16)pend);
	return 0;
bad:
	return fail(-EINVAL,
		    "VIP %s: want ADDR:PORT/PROTO or ADDR:PORT-PORTEND/PROTO, "
		    "e.g. 10.0.0.1:80/tcp, 10.0.0.1:5000-5099/udp or "
		    "[fd00::1]:53/udp",
		    s);
}

/* ADDR:PORT/PROTO, or ADDR:PORT-PORTEND/PROTO for a range. */
static char *fmt_vip_spec(char *buf, size_t len, const struct nlb_vip_spec *s)
{
	char *slash;
	size_t n;

	nlb_fmt_vip(buf, len, s->family, s->addr, s->port, s->proto);
	slash = strrchr(buf, '/');
	if (!s->port_end || !slash)
		return buf;
	/* the end goes between the first port and the protocol */
	n = (size_t)(slash - buf);
	snprintf(slash, len - n, "-%u/%s", ntohs(s->port_end),
		 s->proto == IPPROTO_TCP ? "tcp" : "udp");
	return buf;
}

static int parse_state(const char *s, __u8 *state)
{
	if (!strcmp(s, "enabled"))
		*state = NLB_BACKEND_ENABLED;
	else if (!strcmp(s, "drained"))
		*state = NLB_BACKEND_DRAINED;
	else if (!strcmp(s, "down"))
		*state = NLB_BACKEND_DOWN;
	else
		return fail(-EINVAL,
			    "--state %s: want enabled, drained or down", s);
	return 0;
}

static const char *state_name(__u8 s)
{
	static const char *const names[] = {"empty", "enabled", "drained",
					    "down"};

	return s < 4 ? names[s] : "?";
}

static int do_attach(struct cli *c)
{
	struct nlb_dp_opts o = {.pin_dir = c->pin_dir};
	struct nlb_dp *dp = NULL;
	__u32 flags;
	int idx, err;

	if ((err = need_args(c, 1, "attach IFACE [--mode M] [--ct-size N]")) ||
	    (err = xdp_mode(c, &flags)) ||
	    (err = opt_u32(c, O_CT_SIZE, 0, 1u << 30, &o.ct_size)) ||
	    (err = opt_u32(c, O_CT6_SIZE, 0, 1u << 30, &o.ct6_size)) ||
	    (err = opt_u32(c, O_MAX_VIPS, 0, 1u << 20, &o.max_vips)) ||
	    (err = opt_u32(c, O_MAX_BACKENDS, 0, 1u << 24, &o.max_backends)))
		return err;
	idx = ifindex_of(c->argv[0]);
	if (idx < 0)
		return idx;
	err = nlb_dp__load(&o, &dp);
	if (err)
		return fail(err, "loading the forwarder");
	err = nlb_dp__attach(dp, idx, flags);
	nlb_dp__free(dp);
	if (err)
		return fail(err, "attaching to %s", c->argv[0]);
	printf("attached to %s (maps in %s)\n", c->argv[0], c->pin_dir);
	return 0;
}

static int do_detach(struct cli *c)
{
	int idx, err;

	if ((err = need_args(c, 1, "detach IFACE")))
		return err;
	idx = ifindex_of(c->argv[0]);
	if (idx < 0)
		return idx;
	err = nlb_dp__detach(c->pin_dir, idx);
	return err ? fail(err, "detaching from %s", c->argv[0]) : 0;
}

static int do_reset(struct cli *c)
{
	int err;

	if ((err = need_args(c, 0, "reset")))
		return err;
	err = nlb_dp__unpin_all(c->pin_dir);
	return err ? fail(err, "removing %s", c->pin_dir) : 0;
}

static int do_config(struct cli *c)
{
	struct nlb_config cfg;
	struct nlb_maps m;
	char a[64], b[64], s4[64], s6[64];
	__u8 fam;
	__u32 v;
	int err;

	if ((err = need_args(c, 0, "config [--nexthop-mac M] ...")) ||
	    (err = open_maps(c, &m)))
		return err;
	err = nlb_maps__get_config(&m, &cfg);
	if (err) {
		fail(err, "reading config");
		goto out;
	}
	err = -EINVAL;
	if (c->opt[O_SRC_MAC] &&
	    nlb_parse_mac(c->opt[O_SRC_MAC], cfg.src_mac)) {
		fail(err, "--src-mac %s", c->opt[O_SRC_MAC]);
		goto out;
	}
	if (c->opt[O_NEXTHOP_MAC] &&
	    nlb_parse_mac(c->opt[O_NEXTHOP_MAC], cfg.nexthop_mac)) {
		fail(err, "--nexthop-mac %s", c->opt[O_NEXTHOP_MAC]);
		goto out;
	}
	if (c->opt[O_SRC_V4]) {
		__be32 addr[4];

		if (nlb_parse_prefix(c->opt[O_SRC_V4], &fam, addr,
				     &cfg.src_v4_plen) ||
		    fam != NLB_FAMILY_V4) {
			fail(err, "--src-v4 %s: want an IPv4 prefix",
			     c->opt[O_SRC_V4]);
			goto out;
		}
		cfg.src_v4 = addr[0];
	}
	if (c->opt[O_SRC_V6] &&
	    (nlb_parse_prefix(c->opt[O_SRC_V6], &fam, cfg.src_v6,
			      &cfg.src_v6_plen) ||
	     fam != NLB_FAMILY_V6)) {
		fail(err, "--src-v6 %s: want an IPv6 prefix", c->opt[O_SRC_V6]);
		goto out;
	}
	if ((err = opt_u32(c, O_TTL, cfg.ttl, 255, &v)))
		goto out;
	cfg.ttl = (__u8)v;
	if (c->opt[O_OUT_IFACE]) {
		int idx = ifindex_of(c->opt[O_OUT_IFACE]);

		if (idx < 0) {
			err = idx;
			goto out;
		}
		cfg.out_ifindex = (__u32)idx;
	}
	err = nlb_maps__set_config(&m, &cfg);
	if (err) {
		fail(err, "writing config");
		goto out;
	}
	{
		__be32 v4[4] = {cfg.src_v4};

		nlb_fmt_ip(s4, sizeof(s4), NLB_FAMILY_V4, v4);
	}
	nlb_fmt_ip(s6, sizeof(s6), NLB_FAMILY_V6, cfg.src_v6);
	printf("src_mac %s nexthop_mac %s src_v4 %s/%u src_v6 %s/%u ttl %u "
	       "out_ifindex %u\n",
	       nlb_fmt_mac(a, sizeof(a), cfg.src_mac),
	       nlb_fmt_mac(b, sizeof(b), cfg.nexthop_mac), s4, cfg.src_v4_plen,
	       s6, cfg.src_v6_plen, cfg.ttl ? cfg.ttl : 64, cfg.out_ifindex);
out:
	nlb_maps__fini(&m);
	return err;
}

static int do_vip_add(struct cli *c)
{
	struct nlb_vip_spec v;
	struct nlb_maps m;
	__u32 id;
	int err;

	if ((err = need_args(c, 1, "vip add VIP [--ring-size M]")) ||
	    (err = parse_vip_arg(c->argv[0], &v)) ||
	    (err = opt_u32(c, O_RING_SIZE, NLB_MAGLEV_DEFAULT_SIZE, 1u << 24,
			   &v.ring_size)))
		return err;
	if (!nlb_maglev_is_prime(v.ring_size))
		return fail(-EINVAL, "--ring-size %u: must be prime",
			    v.ring_size);
	if ((err = open_maps(c, &m)))
		return err;
	err = nlb_vipmgr__add_vip(&m, &v, &id);
	if (err == -EADDRINUSE)
		fail(err, "adding VIP %s: a port of it belongs to another VIP",
		     c->argv[0]);
	else if (err)
		fail(err, "adding VIP %s", c->argv[0]);
	else
		printf("vip %s id %u\n", c->argv[0], id);
	nlb_maps__fini(&m);
	return err;
}

static int do_vip_del(struct cli *c)
{
	struct nlb_vip_spec v;
	struct nlb_maps m;
	int err;

	if ((err = need_args(c, 1, "vip del VIP")) ||
	    (err = parse_vip_arg(c->argv[0], &v)) || (err = open_maps(c, &m)))
		return err;
	err = nlb_vipmgr__del_vip(&m, &v);
	if (err)
		fail(err, "deleting VIP %s", c->argv[0]);
	nlb_maps__fini(&m);
	return err;
}

static int print_vip(const struct nlb_vip_spec *s, const struct nlb_vip *v,
		     void *ctx)
{
	struct nlb_maps *m = ctx;
	struct nlb_vip_stats vs = {};
	char name[96], ip[64];
	__u32 ids[1024];
	int n;

	nlb_maps__vip_stats(m, v->vip_id, &vs);
	printf("vip %s id %u ring %u packets %llu bytes %llu new_flows %llu "
	       "ct_hits %llu ct_misses %llu\n",
	       fmt_vip_spec(name, sizeof(name), s), v->vip_id, v->ring_size,
	       (unsigned long long)vs.packets, (unsigned long long)vs.bytes,
	       (unsigned long long)vs.new_flows, (unsigned long long)vs.ct_hits,
	       (unsigned long long)vs.ct_misses);
	n = nlb_vipmgr__backends_of(m, v->vip_id, ids, 1024);
	for (int i = 0; i < n && i < 1024; i++) {
		const struct nlb_backend *b = nlb_maps__backend(m, ids[i]);
		struct nlb_backend_stats bs = {};

		nlb_maps__backend_stats(m, ids[i], &bs);
		printf("  backend %s id %u state %s weight %u packets %llu "
		       "bytes %llu new_flows %llu\n",
		       nlb_fmt_ip(ip, sizeof(ip), b->family, b->addr), ids[i],
		       state_name(b->state), b->weight,
		       (unsigned long long)bs.packets,
		       (unsigned long long)bs.bytes,
		       (unsigned long long)bs.new_flows);
	}
	return 0;
}

static int do_vip_list(struct cli *c)
{
	struct nlb_maps m;
	int err;

	if ((err = need_args(c, 0, "vip list")) || (err = open_maps(c, &m)))
		return err;
	err = nlb_vipmgr__for_each_vip(&m, print_vip, &m);
	nlb_maps__fini(&m);
	return err;
}

/* backend add|set VIP ADDR [--weight W] [--state S] */
static int backend_write(struct cli *c, int adding)
{
	struct nlb_backend_spec b = {};
	struct nlb_vip_spec v;
	struct nlb_maps m;
	struct nlb_vip vip;
	__u32 w, id;
	int err, n;

	if ((err = need_args(
		     c, 2,
		     "backend add|set VIP ADDR [--weight W] [--state S]")) ||
	    (err = parse_vip_arg(c->argv[0], &v)))
		return err;
	if (nlb_parse_ip(c->argv[1], &b.family, b.addr))
		return fail(-EINVAL, "backend address %s", c->argv[1]);
	if ((err = open_maps(c, &m)))
		return err;
	err = nlb_vipmgr__find_vip(&m, &v, &vip);
	if (err) {
		fail(err, "VIP %s", c->argv[0]);
		goto out;
	}
	/* set keeps what it is not told */
	b.weight = 100;
	b.state = NLB_BACKEND_ENABLED;
	n = nlb_vipmgr__backends_of(&m, vip.vip_id, NULL, 0);
	{
		__u32 *ids = calloc((size_t)n + 1, sizeof(*ids));
		int found = 0;

		if (!ids) {
			err = -ENOMEM;
			goto out;
		}
		n = nlb_vipmgr__backends_of(&m, vip.vip_id, ids, n);
		for (int i = 0; i < n; i++) {
			const struct nlb_backend *cur =
				nlb_maps__backend(&m, ids[i]);

			if (cur->family == b.family &&
			    !memcmp(cur->addr, b.addr, sizeof(b.addr))) {
				b.weight = cur->weight;
				b.state = cur->state;
				found = 1;
			}
		}
		free(ids);
		if (adding && found) {
			err = fail(-EEXIST, "backend %s of %s", c->argv[1],
				   c->argv[0]);
			goto out;
		}
		if (!adding && !found) {
			err = fail(-ENOENT, "backend %s of %s", c->argv[1],
				   c->argv[0]);
			goto out;
		}
	}
	if ((err = opt_u32(&*c, O_WEIGHT, b.weight, 65535, &w)))
		goto out;
	b.weight = (__u16)w;
	if (c->opt[O_STATE] && (err = parse_state(c->opt[O_STATE], &b.state)))
		goto out;
	err = nlb_vipmgr__set_backend(&m, &v, &b, &id);
	if (err)
		fail(err, "writing backend %s of %s", c->argv[1], c->argv[0]);
	else
		printf("backend %s of %s id %u state %s weight %u\n",
		       c->argv[1], c->argv[0], id, state_name(b.state),
		       b.weight);
out:
	nlb_maps__fini(&m);
	return err;
}

static int do_backend_add(struct cli *c)
{
	return backend_write(c, 1);
}

static int do_backend_set(struct cli *c)
{
	return backend_write(c, 0);
}

static int do_backend_del(struct cli *c)
{
	struct nlb_vip_spec v;
	struct nlb_maps m;
	__be32 addr[4];
	__u8 fam;
	int err;

	if ((err = need_args(c, 2, "backend del VIP ADDR")) ||
	    (err = parse_vip_arg(c->argv[0], &v)))
		return err;
	if (nlb_parse_ip(c->argv[1], &fam, addr))
		return fail(-EINVAL, "backend address %s", c->argv[1]);
	if ((err = open_maps(c, &m)))
		return err;
	err = nlb_vipmgr__del_backend(&m, &v, fam, addr);
	if (err)
		fail(err, "deleting backend %s of %s", c->argv[1], c->argv[0]);
	nlb_maps__fini(&m);
	return err;
}

static int do_table(struct cli *c)
{
	struct nlb_vip_spec v;
	struct nlb_maps m;
	struct nlb_vip vip;
	__u32 *slots = NULL, *count = NULL;
	char ip[64];
	int err, size;

	if ((err = need_args(c, 1, "table VIP")) ||
	    (err = parse_vip_arg(c->argv[0], &v)) || (err = open_maps(c, &m)))
		return err;
	err = nlb_vipmgr__find_vip(&m, &v, &vip);
	if (err) {
		fail(err, "VIP %s", c->argv[0]);
		goto out;
	}
	slots = calloc(vip.ring_size, sizeof(*slots));
	count = calloc(m.max_backends, sizeof(*count));
	if (!slots || !count) {
		err = -ENOMEM;
		goto out;
	}
	size = nlb_maps__read_ring(&m, vip.vip_id, slots, vip.ring_size);
	if (size < 0) {
		err = fail(size, "table of %s", c->argv[0]);
		goto out;
	}
	for (int i = 0; i < size && i < (int)vip.ring_size; i++)
		if (slots[i] < m.max_backends)
			count[slots[i]]++;
	printf("table %s size %d\n", c->argv[0], size);
	for (__u32 i = 0; i < m.max_backends; i++) {
		const struct nlb_backend *b;

		if (!count[i])
			continue;
		b = nlb_maps__backend(&m, i);
		printf("  backend %s id %u slots %u share %.2f%%\n",
		       nlb_fmt_ip(ip, sizeof(ip), b->family, b->addr), i,
		       count[i], 100.0 * count[i] / size);
	}
out:
	free(slots);
	free(count);
	nlb_maps__fini(&m);
	return err;
}

struct flow_print {
	struct nlb_maps *m;
	__u32 left;
};

static int print_flow(__u8 family, const void *flow, const struct nlb_ct *ct,
		      void *ctx)
{
	struct flow_print *fp = ctx;
	const struct nlb_backend *b = nlb_maps__backend(fp->m, ct->backend_id);
	char s[64], d[64], be[64];
	__be32 sa[4] = {}, da[4] = {};
	__be16 sp, dp;
	__u8 proto;

	if (!fp->left--)
		return 1;
	if (family == NLB_FAMILY_V4) {
		const struct nlb_flow_v4 *f = flow;

		sa[0] = f->saddr;
		da[0] = f->daddr;
		sp = f->sport;
		dp = f->dport;
		proto = f->proto;
	} else {
		const struct nlb_flow_v6 *f = flow;

		memcpy(sa, f->saddr, 16);
		memcpy(da, f->daddr, 16);
		sp = f->sport;
		dp = f->dport;
		proto = f->proto;
	}
	printf("flow %s %s -> %s backend %s id %u\n",
	       proto == 6    ? "tcp"
	       : proto == 17 ? "udp"
			     : "?",
	       nlb_fmt_vip(s, sizeof(s), family, sa, sp, proto),
	       nlb_fmt_vip(d, sizeof(d), family, da, dp, proto),
	       b ? nlb_fmt_ip(be, sizeof(be), b->family, b->addr) : "?",
	       ct->backend_id);
	return 0;
}

static int do_flows(struct cli *c)
{
	struct flow_print fp;
	struct nlb_maps m;
	int err;

	if ((err = need_args(c, 0, "flows [--limit N]")) ||
	    (err = opt_u32(c, O_LIMIT, 1000, 0xffffffffu, &fp.left)) ||
	    (err = open_maps(c, &m)))
		return err;
	fp.m = &m;
	err = nlb_maps__for_each_flow(&m, print_flow, &fp);
	nlb_maps__fini(&m);
	return err < 0 ? err : 0;
}

static int do_stats(struct cli *c)
{
	__u64 cnt[NLB_CNT_MAX];
	struct nlb_maps m;
	int err;

	if ((err = need_args(c, 0, "stats")) || (err = open_maps(c, &m)))
		return err;
	err = nlb_maps__counters(&m, cnt);
	if (!err)
		for (int i = 0; i < NLB_CNT_MAX; i++)
			printf("%s %llu\n", nlb_counter_name(i),
			       (unsigned long long)cnt[i]);
	nlb_maps__fini(&m);
	return err;
}

static int aux(struct cli *c, enum nlb_aux_prog which, int attach)
{
	__u32 flags;
	int idx, err;

	if ((err = need_args(c, 1,
			     "decap|pass attach|detach IFACE [--mode M]")) ||
	    (err = xdp_mode(c, &flags)))
		return err;
	idx = ifindex_of(c->argv[0]);
	if (idx < 0)
		return idx;
	err = attach ? nlb_aux__attach(which, idx, flags)
		     : nlb_aux__detach(idx, flags);
	return err ? fail(err, "%s %s",
			  attach ? "attaching to" : "detaching from",
			  c->argv[0])
		   : 0;
}

static int do_decap_attach(struct cli *c)
{
	return aux(c, NLB_AUX_DECAP, 1);
}
static int do_decap_detach(struct cli *c)
{
	return aux(c, NLB_AUX_DECAP, 0);
}
static int do_pass_attach(struct cli *c)
{
	return aux(c, NLB_AUX_PASS, 1);
}
static int do_pass_detach(struct cli *c)
{
	return aux(c, NLB_AUX_PASS, 0);
}

static const struct command {
	const char *object, *verb;
	int (*fn)(struct cli *c);
	const char *help;
} commands[] = {
	{"attach", NULL, do_attach,
	 "IFACE: load (or upgrade) the forwarder and attach it"},
	{"detach", NULL, do_detach, "IFACE: detach the forwarder (maps stay)"},
	{"reset", NULL, do_reset, "detach everywhere and remove all maps"},
	{"config", NULL, do_config, "show or set the forwarding config"},
	{"vip", "add", do_vip_add, "VIP [--ring-size M]"},
	{"vip", "del", do_vip_del, "VIP"},
	{"vip", "list", do_vip_list, "VIPs, backends and their counters"},
	{"backend", "add", do_backend_add, "VIP ADDR [--weight W] [--state S]"},
	{"backend", "set", do_backend_set, "VIP ADDR [--weight W] [--state S]"},
	{"backend", "del", do_backend_del, "VIP ADDR"},
	{"table", NULL, do_table, "VIP: slots per backend in its Maglev table"},
	{"flows", NULL, do_flows, "[--limit N]: the connection tables"},
	{"stats", NULL, do_stats, "actions and drops by reason"},
	{"decap", "attach", do_decap_attach,
	 "IFACE: backend-side IPIP decapsulation"},
	{"decap", "detach", do_decap_detach, "IFACE"},
	{"pass", "attach", do_pass_attach,
	 "IFACE: XDP_PASS program (veth peers)"},
	{"pass", "detach", do_pass_detach, "IFACE"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nlb-node [--pin-dir DIR] <command> [args] "
		   "[options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s %s  %s\n", commands[i].object,
			commands[i].verb ? commands[i].verb : "",
			commands[i].help);
	fprintf(f, "\noptions:\n");
	for (int i = 0; i < O_MAX; i++)
		fprintf(f, "  --%s %s  %s\n", opt_table[i].name,
			opt_table[i].arg, opt_table[i].help);
	fprintf(f,
		"\nVIP: ADDR:PORT/PROTO, e.g. 10.0.0.1:80/tcp, "
		"[fd00::1]:53/udp; port * = every port; a range "
		"ADDR:PORT-PORTEND/PROTO (at most %d ports) is one VIP, named "
		"by its first port\n",
		NLB_VIP_PORTS_MAX);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct cli c = {.pin_dir = NLB_DEFAULT_PIN_DIR};
	char *pos[8];
	int npos = 0;

	libbpf_set_print(libbpf_quiet);
	for (int i = 1; i < argc; i++) {
		int id;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (strncmp(argv[i], "--", 2)) {
			if (npos == 8)
				return fail(-E2BIG, "too many arguments"), 2;
			pos[npos++] = argv[i];
			continue;
		}
		for (id = 0; id < O_MAX; id++)
			if (!strcmp(argv[i] + 2, opt_table[id].name))
				break;
		if (id == O_MAX) {
			fail(-EINVAL, "unknown option %s (see --help)",
			     argv[i]);
			return 2;
		}
		if (i + 1 == argc) {
			fail(-EINVAL, "option %s needs %s", argv[i],
			     opt_table[id].arg);
			return 2;
		}
		c.opt[id] = argv[++i];
	}
	if (c.opt[O_PIN_DIR])
		c.pin_dir = c.opt[O_PIN_DIR];
	if (!npos) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];
		int skip = cmd->verb ? 2 : 1;

		if (strcmp(pos[0], cmd->object))
			continue;
		if (cmd->verb && (npos < 2 || strcmp(pos[1], cmd->verb)))
			continue;
		c.argc = npos - skip;
		c.argv = pos + skip;
		return cmd->fn(&c) ? 1 : 0;
	}
	fail(-EINVAL, "unknown command %s (see --help)", pos[0]);
	return 2;
}
