// SPDX-License-Identifier: GPL-2.0
/* VIPs and backends of one node, with the maps as the only record. */
#include "vipmgr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "maglev.h"

static void vip_ref(struct nlb_vip_ref *r, const struct nlb_vip_spec *s,
		    __u8 kind)
{
	memset(r, 0, sizeof(*r));
	r->family = s->family;
	memcpy(r->addr, s->addr, sizeof(r->addr));
	r->kind = kind;
	if (kind == NLB_VIP_KIND_PORT) {
		r->proto = s->proto;
		r->port = s->port;
	} else if (kind == NLB_VIP_KIND_FRAG) {
		r->proto = s->proto;
	}
}

/* The PORT key of one port of s (host order). */
static void port_ref(struct nlb_vip_ref *r, const struct nlb_vip_spec *s,
		     __u16 port)
{
	vip_ref(r, s, NLB_VIP_KIND_PORT);
	r->port = htons(port);
}

static __u32 ring_size_of(const struct nlb_vip_spec *s)
{
	return s->ring_size ? s->ring_size : NLB_MAGLEV_DEFAULT_SIZE;
}

int nlb_vipmgr__check_spec(const struct nlb_vip_spec *s)
{
	__u16 lo = ntohs(s->port), hi = nlb_vip_spec_last_port(s);

	if ((s->family != NLB_FAMILY_V4 && s->family != NLB_FAMILY_V6) ||
	    (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP) ||
	    !nlb_maglev_is_prime(ring_size_of(s)) || hi < lo || (!lo && hi))
		return -EINVAL;
	return hi - lo + 1 > NLB_VIP_PORTS_MAX ? -E2BIG : 0;
}

#define PORT_BITS (65536 / 8)

static bool bit_test(const unsigned char *bits, __u16 port)
{
	return bits[port / 8] & (1u << (port % 8));
}

struct scan {
	const struct nlb_vip_spec *s;
	unsigned char *ids; /* VIP ids in use */
	__u32 max;
	__u32 self; /* the VIP being changed or removed; ~0u: none */
	unsigned char *ports; /* self's PORT keys, a bit per port */
	__u16 lo, hi; /* the ports s wants, host order */
	struct nlb_vip other_frag; /* best fragment taker for (addr, proto) */
	bool have_other_addr; /* another PORT VIP on the address */
	bool have_other_frag;
	bool conflict; /* a port s wants belongs to another VIP */
};

static int scan_vip(const struct nlb_vip_ref *k, const struct nlb_vip *v,
		    void *ctx)
{
	struct scan *sc = ctx;
	__u16 port = ntohs(k->port);

	if (v->vip_id < sc->max)
		sc->ids[v->vip_id] = 1;
	if (k->kind != NLB_VIP_KIND_PORT || k->family != sc->s->family ||
	    memcmp(k->addr, sc->s->addr, sizeof(k->addr)))
		return 0;
	if (v->vip_id == sc->self) {
		if (k->proto == sc->s->proto)
			sc->ports[port / 8] |= 1u << (port % 8);
		return 0;
	}
	sc->have_other_addr = true;
	if (k->proto != sc->s->proto)
		return 0;
	if (!sc->have_other_frag || !k->port) {
		sc->have_other_frag = true; /* an all-ports VIP wins */
		sc->other_frag = *v;
	}
	/* the all-ports key is only a fallback: it conflicts with itself */
	if (port >= sc->lo && port <= sc->hi && (port || !sc->lo))
		sc->conflict = true;
	return 0;
}

/* One walk over the VIP keys: ids in use, what else the address has, and
 * (for self) which ports it holds. */
static int scan_vips(struct nlb_maps *m, const struct nlb_vip_spec *s,
		     __u32 self, struct scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->s = s;
	sc->self = self;
	sc->lo = ntohs(s->port);
	sc->hi = nlb_vip_spec_last_port(s);
	sc->max = m->max_vips;
	sc->ids = calloc(m->max_vips, 1);
	sc->ports = calloc(PORT_BITS, 1);
	if (!sc->ids || !sc->ports)
		return -ENOMEM;
	return nlb_maps__for_each_vip(m, scan_vip, sc);
}

static void scan_free(struct scan *sc)
{
	free(sc->ids);
	free(sc->ports);
}

int nlb_vipmgr__find_vip(struct nlb_maps *m, const struct nlb_vip_spec *s,
			 struct nlb_vip *v)
{
	struct nlb_vip_ref r;
	struct nlb_vip prev;
	__u16 port = ntohs(s->port);
	int err;

	vip_ref(&r, s, NLB_VIP_KIND_PORT);
	err = nlb_maps__get_vip(m, &r, v);
	if (err || port <= 1)
		return err;
	/* a range's later port is not a name of the VIP */
	port_ref(&r, s, port - 1);
	if (!nlb_maps__get_vip(m, &r, &prev) && prev.vip_id == v->vip_id)
		return -ENOENT;
	return 0;
}

/* Writes the PORT keys of ports lo..hi; on failure removes those it wrote.
 * Ascending, so that a crash leaves a contiguous range. */
static int put_ports(struct nlb_maps *m, const struct nlb_vip_spec *s, __u16 lo,
		     __u16 hi, const struct nlb_vip *v)
{
	struct nlb_vip_ref r;
	int err = 0;
	__u32 p;

	for (p = lo; p <= hi; p++) {
		port_ref(&r, s, (__u16)p);
		err = nlb_maps__put_vip(m, &r, v);
		if (err)
			break;
	}
	if (!err)
		return 0;
	while (p-- > lo) {
		port_ref(&r, s, (__u16)p);
		nlb_maps__del_vip(m, &r);
	}
	return err;
}

int nlb_vipmgr__add_vip(struct nlb_maps *m, const struct nlb_vip_spec *s,
			__u32 *vip_id)
{
	struct nlb_vip v = {}, cur;
	struct nlb_vip_ref r;
	struct scan sc;
	bool frag = false;
	__u32 id;
	int err;

	err = nlb_vipmgr__check_spec(s);
	if (err)
		return err;
	if (!nlb_vipmgr__find_vip(m, s, &cur))
		return -EEXIST;
	err = scan_vips(m, s, ~0u, &sc);
	if (err)
		goto out;
	if (sc.conflict) {
		err = -EADDRINUSE;
		goto out;
	}
	for (id = 0; id < m->max_vips && sc.ids[id]; id++)
		;
	if (id == m->max_vips) {
		err = -ENOSPC;
		goto out;
	}
	v.vip_id = id;
	v.ring_size = ring_size_of(s);
	/* the table first, so the VIP never points at a missing one */
	err = nlb_vipmgr__rebuild(m, id, v.ring_size);
	if (err)
		goto out;
	nlb_maps__clear_vip_stats(m, id);
	/* the first port, which names the VIP, last: a crash in between
	 * leaves a VIP that no one wants, and reconcile removes it */
	if (sc.hi > sc.lo) {
		err = put_ports(m, s, sc.lo + 1, sc.hi, &v);
		if (err)
			goto unwind_ring;
	}
	vip_ref(&r, s, NLB_VIP_KIND_PORT);
	err = nlb_maps__put_vip(m, &r, &v);
	if (err)
		goto unwind_ports;
	if (!sc.have_other_frag || !s->port) {
		vip_ref(&r, s, NLB_VIP_KIND_FRAG);
		err = nlb_maps__put_vip(m, &r, &v);
		if (err)
			goto unwind_first;
		frag = true;
	}
	if (!sc.have_other_addr) {
		vip_ref(&r, s, NLB_VIP_KIND_ADDR);
		err = nlb_maps__put_vip(m, &r, &v);
		if (err)
			goto unwind_frag;
	}
	if (vip_id)
		*vip_id = id;
	goto out;

unwind_frag:
	if (frag) {
		vip_ref(&r, s, NLB_VIP_KIND_FRAG);
		if (sc.have_other_frag)
			nlb_maps__put_vip(m, &r, &sc.other_frag);
		else
			nlb_maps__del_vip(m, &r);
	}
unwind_first:
	vip_ref(&r, s, NLB_VIP_KIND_PORT);
	nlb_maps__del_vip(m, &r);
unwind_ports:
	for (__u32 p = sc.lo + 1; p <= sc.hi; p++) {
		port_ref(&r, s, (__u16)p);
		nlb_maps__del_vip(m, &r);
	}
unwind_ring:
	nlb_maps__del_ring(m, id);
out:
	scan_free(&sc);
	return err;
}

int nlb_vipmgr__set_port_end(struct nlb_maps *m, const struct nlb_vip_spec *s)
{
	struct nlb_vip_ref r;
	struct nlb_vip v;
	struct scan sc;
	__u32 have_hi;
	int err;

	err = nlb_vipmgr__check_spec(s);
	if (err)
		return err;
	err = nlb_vipmgr__find_vip(m, s, &v);
	if (err)
		return err;
	if (!s->port)
		return 0; /* every port: no range to move */
	err = scan_vips(m, s, v.vip_id, &sc);
	if (err)
		goto out;
	if (sc.conflict) {
		err = -EADDRINUSE;
		goto out;
	}
	for (have_hi = sc.lo;
	     have_hi < 65535 && bit_test(sc.ports, have_hi + 1); have_hi++)
		;
	if (sc.hi > have_hi) {
		err = put_ports(m, s, (__u16)(have_hi + 1), sc.hi, &v);
		goto out;
	}
	/* from the top down, so that a crash leaves a contiguous range */
	for (__u32 p = have_hi; p > sc.hi; p--) {
		port_ref(&r, s, (__u16)p);
		err = nlb_maps__del_vip(m, &r);
		if (err)
			goto out;
	}
out:
	scan_free(&sc);
	return err;
}

int nlb_vipmgr__backends_of(const struct nlb_maps *m, __u32 vip_id, __u32 *ids,
			    int cap)
{
	int n = 0;

	for (__u32 i = 0; i < m->max_backends; i++) {
		const struct nlb_backend *b = &m->backend_mem[i];

		if (b->state == NLB_BACKEND_EMPTY || b->vip_id != vip_id)
			continue;
		if (n < cap)
			ids[n] = i;
		n++;
	}
	return n;
}

int nlb_vipmgr__del_vip(struct nlb_maps *m, const struct nlb_vip_spec *s)
{
	struct nlb_vip v, fv;
	struct nlb_vip_ref r;
	struct scan sc;
	int err;

	err = nlb_vipmgr__find_vip(m, s, &v);
	if (err)
		return err;
	err = scan_vips(m, s, v.vip_id, &sc);
	if (err)
		goto out;
	/* the name first, then the rest upwards: a crash in between leaves a
	 * contiguous range that no one wants, which reconcile removes */
	for (__u32 p = sc.lo; p <= 65535; p++) {
		if (!bit_test(sc.ports, (__u16)p))
			continue;
		port_ref(&r, s, (__u16)p);
		err = nlb_maps__del_vip(m, &r);
		if (err)
			goto out;
	}
	vip_ref(&r, s, NLB_VIP_KIND_FRAG);
	if (!nlb_maps__get_vip(m, &r, &fv) && fv.vip_id == v.vip_id) {
		if (sc.have_other_frag)
			err = nlb_maps__put_vip(m, &r, &sc.other_frag);
		else
			err = nlb_maps__del_vip(m, &r);
		if (err)
			goto out;
	}
	if (!sc.have_other_addr) {
		vip_ref(&r, s, NLB_VIP_KIND_ADDR);
		err = nlb_maps__del_vip(m, &r);
		if (err && err != -ENOENT)
			goto out;
	}
	for (__u32 i = 0; i < m->max_backends; i++) {
		const struct nlb_backend *b = &m->backend_mem[i];

		if (b->state != NLB_BACKEND_EMPTY && b->vip_id == v.vip_id)
			nlb_maps__del_backend(m, i);
	}
	err = nlb_maps__del_ring(m, v.vip_id);
out:
	scan_free(&sc);
	return err;
}

/* The PORT keys of every VIP id, folded into one range each. */
struct gather {
	struct nlb_vip_spec *spec; /* per vip_id; family 0: none seen */
	struct nlb_vip *val;
	__u32 max;
};

static int gather_vip(const struct nlb_vip_ref *k, const struct nlb_vip *v,
		      void *ctx)
{
	struct gather *g = ctx;
	struct nlb_vip_spec *s;
	__u16 port = ntohs(k->port);

	if (k->kind != NLB_VIP_KIND_PORT || v->vip_id >= g->max)
		return 0;
	s = &g->spec[v->vip_id];
	if (!s->family) {
		s->family = k->family;
		s->proto = k->proto;
		memcpy(s->addr, k->addr, sizeof(s->addr));
		s->port = s->port_end = k->port;
		s->ring_size = v->ring_size;
		g->val[v->vip_id] = *v;
		return 0;
	}
	if (port < ntohs(s->port))
		s->port = k->port;
	if (port > ntohs(s->port_end))
		s->port_end = k->port;
	return 0;
}

int nlb_vipmgr__for_each_vip(struct nlb_maps *m,
			     int (*fn)(const struct nlb_vip_spec *s,
				       const struct nlb_vip *v, void *ctx),
			     void *ctx)
{
	struct gather g = {.max = m->max_vips};
	int err;

	g.spec = calloc(m->max_vips, sizeof(*g.spec));
	g.val = calloc(m->max_vips, sizeof(*g.val));
	err = g.spec && g.val ? nlb_maps__for_each_vip(m, gather_vip, &g)
			      : -ENOMEM;
	for (__u32 id = 0; !err && id < g.max; id++) {
		struct nlb_vip_spec *s = &g.spec[id];

		if (!s->family)
			continue;
		if (s->port_end == s->port)
			s->port_end = 0;
		err = fn(s, &g.val[id], ctx);
	}
	free(g.spec);
	free(g.val);
	return err;
}

static int find_backend(const struct nlb_maps *m, __u32 vip_id, __u8 family,
			const __be32 addr[4])
{
	for (__u32 i = 0; i < m->max_backends; i++) {
		const struct nlb_backend *b = &m->backend_mem[i];

		if (b->state != NLB_BACKEND_EMPTY && b->vip_id == vip_id &&
		    b->family == family &&
		    !memcmp(b->addr, addr, sizeof(b->addr)))
			return (int)i;
	}
	return -ENOENT;
}

static int free_backend(const struct nlb_maps *m)
{
	for (__u32 i = 0; i < m->max_backends; i++)
		if (m->backend_mem[i].state == NLB_BACKEND_EMPTY)
			return (int)i;
	return -ENOSPC;
}

int nlb_vipmgr__set_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			    const struct nlb_backend_spec *b, __u32 *backend_id)
{
	struct nlb_vip v;
	int err = nlb_vipmgr__put_backend(m, s, b, backend_id);

	if (!err)
		err = nlb_vipmgr__find_vip(m, s, &v);
	return err ? err : nlb_vipmgr__rebuild(m, v.vip_id, v.ring_size);
}

int nlb_vipmgr__put_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			    const struct nlb_backend_spec *b, __u32 *backend_id)
{
	struct nlb_backend nb = {};
	struct nlb_vip v;
	int id, err;

	if (b->state == NLB_BACKEND_EMPTY || b->state > NLB_BACKEND_DOWN ||
	    (b->family != NLB_FAMILY_V4 && b->family != NLB_FAMILY_V6))
		return -EINVAL;
	/* IPv6 in IPv4 is not a tunnel nlb builds */
	if (s->family == NLB_FAMILY_V6 && b->family == NLB_FAMILY_V4)
		return -EAFNOSUPPORT;
	err = nlb_vipmgr__find_vip(m, s, &v);
	if (err)
		return err;
	id = find_backend(m, v.vip_id, b->family, b->addr);
	if (id < 0) {
		id = free_backend(m);
		if (id < 0)
			return id;
		nlb_maps__clear_backend_stats(m, (__u32)id);
	}
	memcpy(nb.addr, b->addr, sizeof(nb.addr));
	nb.family = b->family;
	nb.vip_id = v.vip_id;
	nb.weight = b->weight;
	nb.state = b->state;
	err = nlb_maps__put_backend(m, (__u32)id, &nb);
	if (err)
		return err;
	if (backend_id)
		*backend_id = (__u32)id;
	return 0;
}

int nlb_vipmgr__del_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			    __u8 family, const __be32 addr[4])
{
	struct nlb_vip v;
	int err = nlb_vipmgr__remove_backend(m, s, family, addr);

	if (!err)
		err = nlb_vipmgr__find_vip(m, s, &v);
	return err ? err : nlb_vipmgr__rebuild(m, v.vip_id, v.ring_size);
}

int nlb_vipmgr__remove_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			       __u8 family, const __be32 addr[4])
{
	struct nlb_vip v;
	int id, err;

	err = nlb_vipmgr__find_vip(m, s, &v);
	if (err)
		return err;
	id = find_backend(m, v.vip_id, family, addr);
	if (id < 0)
		return id;
	return nlb_maps__del_backend(m, (__u32)id);
}

int nlb_vipmgr__rebuild(struct nlb_maps *m, __u32 vip_id, __u32 ring_size)
{
	struct nlb_maglev_backend *mb = NULL;
	__u32 *ids = NULL, *table = NULL;
	int n, k = 0, err;

	n = nlb_vipmgr__backends_of(m, vip_id, NULL, 0);
	ids = calloc((size_t)n + 1, sizeof(*ids));
	mb = calloc((size_t)n + 1, sizeof(*mb));
	table = calloc(ring_size, sizeof(*table));
	if (!ids || !mb || !table) {
		err = -ENOMEM;
		goto out;
	}
	n = nlb_vipmgr__backends_of(m, vip_id, ids, n);
	for (int i = 0; i < n; i++) {
		const struct nlb_backend *b = nlb_maps__backend(m, ids[i]);

		/* drained and down backends take no new flows: not in the
		 * exact table (the data path already skips them) */
		if (b->state != NLB_BACKEND_ENABLED || !b->weight)
			continue;
		nlb_maglev_key(mb[k].key, b->family, b->addr);
		mb[k].id = ids[i];
		mb[k].weight = b->weight;
		k++;
	}
	err = nlb_maglev_build(mb, (size_t)k, ring_size, table);
	if (err && err != -ENOENT)
		goto out;
	err = nlb_maps__put_ring(m, vip_id, table, ring_size);
out:
	free(ids);
	free(mb);
	free(table);
	return err;
}

static int ring_size_of_id(const struct nlb_vip_ref *k, const struct nlb_vip *v,
			   void *ctx)
{
	__u32 *ring_of = ctx;

	if (k->kind == NLB_VIP_KIND_PORT)
		ring_of[v->vip_id] = v->ring_size;
	return 0;
}

/* One pass over the backends array groups the enabled backends of the
 * VIPs; then every table is built in parallel and all are swapped in at
 * once. */
int nlb_vipmgr__set_states(struct nlb_maps *m,
			   const struct nlb_state_change *changes, size_t n,
			   int nthreads)
{
	__u32 *vips = calloc(n + 1, sizeof(*vips));
	unsigned char *seen = calloc(m->max_vips, 1);
	int err = 0, first_err = 0;
	size_t nvips = 0;

	if (!vips || !seen) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nlb_backend *b;

		err = nlb_maps__set_backend_state(m, changes[i].backend_id,
						  changes[i].state);
		if (err) {
			if (!first_err)
				first_err = err;
			continue;
		}
		b = nlb_maps__backend(m, changes[i].backend_id);
		if (b->vip_id < m->max_vips && !seen[b->vip_id]) {
			seen[b->vip_id] = 1;
			vips[nvips++] = b->vip_id;
		}
	}
	err = nlb_vipmgr__rebuild_many(m, vips, nvips, nthreads);
out:
	free(vips);
	free(seen);
	return first_err ? first_err : err;
}

int nlb_vipmgr__rebuild_many(struct nlb_maps *m, const __u32 *vip_ids, size_t n,
			     int nthreads)
{
	struct nlb_maglev_backend *mb = NULL;
	struct nlb_maglev_job *jobs = NULL;
	__u32 *slot_of = NULL, *count = NULL, *ring_of = NULL, *vips = NULL;
	__u32 *tables = NULL, nvips = 0, total = 0, m_max = 0, nok = 0;
	__u32 *ok_ids = NULL, *ok_sizes = NULL;
	const __u32 **ok_slots = NULL;
	int err = 0, first_err = 0;

	/* a dense index for each VIP */
	slot_of = malloc(m->max_vips * sizeof(*slot_of));
	vips = calloc(n + 1, sizeof(*vips));
	if (!slot_of || !vips) {
		err = -ENOMEM;
		goto out;
	}
	memset(slot_of, 0xff, m->max_vips * sizeof(*slot_of));
	for (size_t i = 0; i < n; i++) {
		if (vip_ids[i] >= m->max_vips || slot_of[vip_ids[i]] != ~0u)
			continue;
		slot_of[vip_ids[i]] = nvips;
		vips[nvips++] = vip_ids[i];
	}
	count = calloc(nvips + 1, sizeof(*count));
	ring_of = calloc(m->max_vips, sizeof(*ring_of));
	jobs = calloc(nvips + 1, sizeof(*jobs));
	if (!count || !ring_of || !jobs) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < m->max_backends; i++) {
		const struct nlb_backend *b = &m->backend_mem[i];

		if (b->state == NLB_BACKEND_ENABLED && b->weight &&
		    b->vip_id < m->max_vips && slot_of[b->vip_id] != ~0u) {
			count[slot_of[b->vip_id]]++;
			total++;
		}
	}
	mb = calloc(total + 1, sizeof(*mb));
	if (!mb) {
		err = -ENOMEM;
		goto out;
	}
	err = nlb_maps__for_each_vip(m, ring_size_of_id, ring_of);
	if (err)
		goto out;
	for (__u32 v = 0, off = 0; v < nvips; v++) {
		jobs[v].backends = mb + off;
		jobs[v].n = 0;
		off += count[v];
		count[v] =
			off - count[v]; /* now: where VIP v's backends start */
		jobs[v].m = ring_of[vips[v]]; /* 0: the VIP went away */
		if (jobs[v].m > m_max)
			m_max = jobs[v].m;
	}
	for (__u32 i = 0; i < m->max_backends; i++) {
		const struct nlb_backend *b = &m->backend_mem[i];
		struct nlb_maglev_backend *e;
		__u32 v;

		if (b->state != NLB_BACKEND_ENABLED || !b->weight ||
		    b->vip_id >= m->max_vips || slot_of[b->vip_id] == ~0u)
			continue;
		v = slot_of[b->vip_id];
		e = &mb[count[v] + jobs[v].n++];
		nlb_maglev_key(e->key, b->family, b->addr);
		e->id = i;
		e->weight = b->weight;
	}
	tables = malloc(((size_t)nvips * m_max + 1) * sizeof(*tables));
	if (!tables) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 v = 0; v < nvips; v++)
		jobs[v].table = tables + (size_t)v * m_max;
	nlb_maglev_build_many(jobs, nvips, nthreads);
	/* one swap for all tables: the kernel's wait for readers is paid once */
	ok_ids = calloc(nvips + 1, sizeof(*ok_ids));
	ok_sizes = calloc(nvips + 1, sizeof(*ok_sizes));
	ok_slots = calloc(nvips + 1, sizeof(*ok_slots));
	if (!ok_ids || !ok_sizes || !ok_slots) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 v = 0; v < nvips; v++) {
		if (!jobs[v].m)
			continue;
		if (jobs[v].err && jobs[v].err != -ENOENT) {
			if (!first_err)
				first_err = jobs[v].err;
			continue;
		}
		ok_ids[nok] = vips[v];
		ok_sizes[nok] = jobs[v].m;
		ok_slots[nok++] = jobs[v].table;
	}
	err = nlb_maps__put_rings(m, nok, ok_ids, ok_slots, ok_sizes);
	if (err && !first_err)
		first_err = err;
	err = 0;
out:
	free(slot_of);
	free(vips);
	free(count);
	free(ring_of);
	free(ok_ids);
	free(ok_sizes);
	free(ok_slots);
	free(jobs);
	free(mb);
	free(tables);
	return first_err ? first_err : err;
}
