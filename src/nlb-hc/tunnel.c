// SPDX-License-Identifier: GPL-2.0
/* nlb-hc tunnel: loads bpf/nlb_hc_tunnel.bpf.c onto the egress of the
 * uplink (tc clsact, replacing a filter a crashed predecessor left) and
 * hands out the socket marks that name (backend, VIP) pairs in its map.
 * The program and map live as long as the process: nothing is pinned. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hc.h"
#include "nlb/abi.h"
#include "nlb/hc_tunnel.h"
#include "nlb_hc_tunnel.skel.h"

/* The filter's identity on the interface, so that a restart replaces it. */
#define TC_HANDLE 0x4e48
#define TC_PRIO 1

struct pair {
	struct hc_addr backend, vip;
	uint32_t refs; /* probes using the mark; 0: slot free */
};

struct hc_tunnel {
	struct nlb_hc_tunnel_bpf *skel;
	struct bpf_tc_hook hook;
	char iface[IF_NAMESIZE];
	uint32_t mark, low, cap; /* mark of slot i: mark | (i + 1) */
	struct pair *pairs;
	uint32_t n_pairs; /* slots ever used */
	bool attached;
};

int hc_tunnel_open(const struct hc_opts *o, struct hc_tunnel **out)
{
	struct hc_tunnel *t = calloc(1, sizeof(*t));
	int ifindex, err;

	if (!t)
		return -ENOMEM;
	ifindex = if_nametoindex(o->tunnel_iface);
	if (!ifindex) {
		err = -errno;
		goto fail;
	}
	snprintf(t->iface, sizeof(t->iface), "%s", o->tunnel_iface);
	t->mark = o->tunnel_mark;
	t->low = ~o->tunnel_mask;
	t->cap = t->low;
	if (t->cap > NLB_HC_TUNNEL_MAX)
		t->cap = NLB_HC_TUNNEL_MAX;
	t->skel = nlb_hc_tunnel_bpf__open();
	if (!t->skel) {
		err = -errno;
		goto fail;
	}
	t->skel->rodata->mark_value = o->tunnel_mark;
	t->skel->rodata->mark_mask = o->tunnel_mask;
	err = nlb_hc_tunnel_bpf__load(t->skel);
	if (err)
		goto fail;

	t->hook.sz = sizeof(t->hook);
	t->hook.ifindex = ifindex;
	t->hook.attach_point = BPF_TC_EGRESS;
	err = bpf_tc_hook_create(&t->hook);
	if (err && err != -EEXIST)
		goto fail;
	LIBBPF_OPTS(bpf_tc_opts, to, .handle = TC_HANDLE, .priority = TC_PRIO,
		    .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(t->skel->progs.nlb_hc_tunnel));
	err = bpf_tc_attach(&t->hook, &to);
	if (err)
		goto fail;
	t->attached = true;
	*out = t;
	return 0;
fail:
	hc_tunnel_close(t);
	return err;
}

void hc_tunnel_close(struct hc_tunnel *t)
{
	if (!t)
		return;
	if (t->attached) {
		/* the clsact qdisc stays: other filters may hang on it */
		LIBBPF_OPTS(bpf_tc_opts, to, .handle = TC_HANDLE,
			    .priority = TC_PRIO);
		bpf_tc_detach(&t->hook, &to);
	}
	nlb_hc_tunnel_bpf__destroy(t->skel);
	free(t->pairs);
	free(t);
}

static bool addr_eq(const struct hc_addr *a, const struct hc_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

/* The address the node sends from toward the backend out of the uplink:
 * the kernel's own choice, found by connecting a UDP socket. */
static int outer_source(const struct hc_tunnel *t, const struct hc_addr *dst,
			struct hc_addr *src)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd, err = 0;

	fd = socket(dst->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (dst->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		memcpy(&s4->sin_addr, dst->bytes, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9);
		memcpy(&s6->sin6_addr, dst->bytes, 16);
		len = sizeof(*s6);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t->iface,
		       strlen(t->iface)) ||
	    connect(fd, (struct sockaddr *)&ss, len) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len))
		err = -errno;
	close(fd);
	if (err)
		return err;
	memset(src, 0, sizeof(*src));
	src->family = dst->family;
	if (dst->family == AF_INET)
		memcpy(src->bytes, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(src->bytes, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		       16);
	return 0;
}

int hc_tunnel_get(struct hc_tunnel *t, const struct hc_addr *backend,
		  const struct hc_addr *vip, uint32_t *mark, char *reason,
		  size_t rlen)
{
	struct nlb_hc_tunnel v = {0};
	struct hc_addr src = {0};
	uint32_t i, slot = UINT32_MAX;
	int err;

	if (!t) {
		snprintf(reason, rlen,
			 "tunnel: nlb-hc runs without --tunnel-iface");
		return -ENODEV;
	}
	/* no IPv6 in IPv4, as in the forwarder (drop_family) */
	if (vip->family == AF_INET6 && backend->family == AF_INET) {
		snprintf(reason, rlen,
			 "tunnel: an IPv6 VIP cannot be tunneled to an IPv4 "
			 "backend");
		return -EAFNOSUPPORT;
	}
	for (i = 0; i < t->n_pairs; i++) {
		struct pair *p = &t->pairs[i];

		if (!p->refs) {
			if (slot == UINT32_MAX)
				slot = i;
		} else if (addr_eq(&p->backend, backend) &&
			   addr_eq(&p->vip, vip)) {
			p->refs++;
			*mark = t->mark | (i + 1);
			return 0;
		}
	}
	if (slot == UINT32_MAX) {
		struct pair *np;

		if (t->n_pairs == t->cap) {
			snprintf(reason, rlen,
				 "tunnel: all %u marks in use (--tunnel-mark)",
				 t->cap);
			return -ENOSPC;
		}
		np = realloc(t->pairs, (t->n_pairs + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		t->pairs = np;
		slot = t->n_pairs++;
		memset(&t->pairs[slot], 0, sizeof(t->pairs[slot]));
	}
	err = outer_source(t, backend, &src);
	if (err) {
		snprintf(reason, rlen,
			 "tunnel: no route to the backend via %s: %s", t->iface,
			 strerror(-err));
		return err;
	}
	memcpy(v.src, src.bytes, 16);
	memcpy(v.dst, backend->bytes, 16);
	v.family = backend->family == AF_INET ? NLB_FAMILY_V4 : NLB_FAMILY_V6;
	*mark = t->mark | (slot + 1);
	if (bpf_map__update_elem(t->skel->maps.hc_tunnels, mark, sizeof(*mark),
				 &v, sizeof(v), BPF_ANY)) {
		err = -errno;
		snprintf(reason, rlen, "tunnel: map update: %s",
			 strerror(-err));
		return err;
	}
	t->pairs[slot].backend = *backend;
	t->pairs[slot].vip = *vip;
	t->pairs[slot].refs = 1;
	return 0;
}

void hc_tunnel_put(struct hc_tunnel *t, uint32_t mark)
{
	uint32_t i;

	if (!t)
		return;
	i = (mark & t->low) - 1;
	if (i >= t->n_pairs || !t->pairs[i].refs)
		return;
	if (--t->pairs[i].refs)
		return;
	bpf_map__delete_elem(t->skel->maps.hc_tunnels, &mark, sizeof(mark), 0);
}
