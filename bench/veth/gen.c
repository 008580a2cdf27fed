// SPDX-License-Identifier: GPL-2.0
/* bench-veth's generator: loads gen.bpf.c, sends UDP frames out of a veth
 * with BPF_PROG_TEST_RUN in live-frames mode from one thread, and every
 * second samples what it sent (the program's per-CPU counter) and what came
 * back (the veth's rx_packets). Prints "name: value unit" lines, each the
 * median of the one-second intervals after a warm-up. Run it inside the
 * generator's network namespace; bench/veth/run.sh builds the rest. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gen.skel.h"

#define GEN_FRAME_MIN 64 /* what gen.bpf.c needs to rewrite any header */
#define GEN_FRAME_MAX 1500
#define GEN_CHUNK 65536 /* frames per BPF_PROG_TEST_RUN call */
#define GEN_MAX_INTERVALS 60

struct opts {
	const char *iface;
	const char *label; /* appended to every figure's name */
	const char *dst_mac;
	const char *src, *dst;
	unsigned int dport, sport, flows, size, batch;
	unsigned int warmup, intervals;
};

struct gen {
	struct opts o;
	struct gen_bpf *skel;
	unsigned char frame[GEN_FRAME_MAX];
	unsigned int ifindex;
	int ncpus;
	clockid_t cpu_clock; /* the sender thread's CPU time */
	bool stop; /* set by main, read by the sender thread */
	int err; /* the sender thread's result */
};

struct sample {
	double t, cpu; /* wall clock, the sender thread's CPU time */
	uint64_t sent, rx, tx_dropped;
};

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint32_t csum_add(uint32_t s, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	unsigned int m[6];

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)m[i];
	return 0;
}

static int read_sysfs(const char *iface, const char *name, char *buf,
		      size_t len)
{
	char path[128];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", iface, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -EIO;
	fclose(f);
	return err;
}

static int read_stat(const char *iface, const char *name, uint64_t *v)
{
	char path[64], buf[32];
	int err;

	snprintf(path, sizeof(path), "statistics/%s", name);
	err = read_sysfs(iface, path, buf, sizeof(buf));
	if (!err)
		*v = strtoull(buf, NULL, 10);
	return err;
}

/* Ethernet + IPv4 or IPv6 + UDP with source port o->sport and correct
 * checksums, then zero payload up to o->size bytes. Returns the UDP
 * header's offset, or -errno. */
static int build_frame(struct gen *g)
{
	const struct opts *o = &g->o;
	unsigned char *f = g->frame, *ip = f + 14, *udp;
	uint16_t ulen, sport = htons((uint16_t)o->sport);
	uint16_t dport = htons((uint16_t)o->dport);
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	char mac[32];
	uint32_t s;
	int err;

	memset(f, 0, sizeof(g->frame));
	if ((err = parse_mac(o->dst_mac, f)) ||
	    (err = read_sysfs(o->iface, "address", mac, sizeof(mac))) ||
	    (err = parse_mac(mac, f + 6)))
		return err;
	if (inet_pton(AF_INET, o->src, &s4) == 1 &&
	    inet_pton(AF_INET, o->dst, &d4) == 1) {
		f[12] = 0x08, f[13] = 0x00;
		udp = ip + 20;
		ulen = (uint16_t)(o->size - 14 - 20);
		ip[0] = 0x45;
		ip[2] = (uint8_t)((o->size - 14) >> 8);
		ip[3] = (uint8_t)(o->size - 14);
		ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, &s4, 4);
		memcpy(ip + 16, &d4, 4);
		s = csum_fold(csum_add(0, ip, 20));
		ip[10] = (uint8_t)(~s >> 8), ip[11] = (uint8_t)~s;
		s = csum_add(0, ip + 12, 8);
	} else if (inet_pton(AF_INET6, o->src, &s6) == 1 &&
		   inet_pton(AF_INET6, o->dst, &d6) == 1) {
		f[12] = 0x86, f[13] = 0xdd;
		udp = ip + 40;
		ulen = (uint16_t)(o->size - 14 - 40);
		ip[0] = 0x60;
		ip[4] = (uint8_t)(ulen >> 8), ip[5] = (uint8_t)ulen;
		ip[6] = IPPROTO_UDP;
		ip[7] = 64;
		memcpy(ip + 8, &s6, 16);
		memcpy(ip + 24, &d6, 16);
		s = csum_add(0, ip + 8, 32);
	} else {
		return -EINVAL;
	}
	memcpy(udp, &sport, 2);
	memcpy(udp + 2, &dport, 2);
	udp[4] = (uint8_t)(ulen >> 8), udp[5] = (uint8_t)ulen;
	/* pseudo header (addresses added above), then the datagram */
	s += IPPROTO_UDP + ulen;
	s = (uint16_t)~csum_fold(csum_add(s, udp, ulen));
	if (!s)
		s = 0xffff;
	udp[6] = (uint8_t)(s >> 8), udp[7] = (uint8_t)s;
	return (int)(udp - f);
}

static int gen_load(struct gen *g)
{
	int off, err;

	g->ifindex = if_nametoindex(g->o.iface);
	if (!g->ifindex)
		return -errno;
	g->ncpus = libbpf_num_possible_cpus();
	if (g->ncpus < 0)
		return g->ncpus;
	off = build_frame(g);
	if (off < 0)
		return off;
	g->skel = gen_bpf__open();
	if (!g->skel)
		return -errno;
	memcpy((void *)g->skel->rodata->tmpl, g->frame, GEN_FRAME_MIN);
	g->skel->rodata->hdr_len = (unsigned int)off + 8;
	g->skel->rodata->udp_off = (unsigned int)off;
	g->skel->rodata->sport_base = (uint16_t)g->o.sport;
	g->skel->rodata->nflows = g->o.flows;
	err = gen_bpf__load(g->skel);
	return err;
}

static void *gen_send(void *arg)
{
	struct gen *g = arg;
	struct xdp_md md = {.data_end = g->o.size,
			    .ingress_ifindex = g->ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = g->frame,
		    .data_size_in = g->o.size, .ctx_in = &md,
		    .ctx_size_in = sizeof(md), .repeat = GEN_CHUNK,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .batch_size = g->o.batch);
	int fd = bpf_program__fd(g->skel->progs.veth_gen);

	while (!__atomic_load_n(&g->stop, __ATOMIC_RELAXED)) {
		/* live frames report no retval: gen_measure sees the rest */
		if (bpf_prog_test_run_opts(fd, &t)) {
			__atomic_store_n(&g->err, -errno, __ATOMIC_RELAXED);
			break;
		}
	}
	return NULL;
}

static int take_sample(struct gen *g, struct sample *s)
{
	uint64_t v[g->ncpus];
	struct timespec ts;
	__u32 zero = 0;
	int err;

	err = bpf_map__lookup_elem(g->skel->maps.gen_count, &zero, sizeof(zero),
				   v, sizeof(v), 0);
	if (err)
		return err;
	s->sent = 0;
	for (int i = 0; i < g->ncpus; i++)
		s->sent += v[i];
	if ((err = read_stat(g->o.iface, "rx_packets", &s->rx)) ||
	    (err = read_stat(g->o.iface, "tx_dropped", &s->tx_dropped)))
		return err;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (clock_gettime(g->cpu_clock, &ts))
		return -errno;
	s->cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Warm-up, then one sample a second; per-interval rates to stderr. The
 * whole path runs in the sender thread's softirqs when nothing else is
 * set up (veth's NAPI runs where it was kicked), and without
 * CONFIG_IRQ_TIME_ACCOUNTING their time is the thread's: forwarded
 * packets per second of that CPU time do not depend on how much of a
 * CPU the thread got on a shared machine. */
static int gen_measure(struct gen *g)
{
	double sent[GEN_MAX_INTERVALS], fwd[GEN_MAX_INTERVALS];
	double drop[GEN_MAX_INTERVALS], fwd_cpu[GEN_MAX_INTERVALS];
	struct sample a, b;
	unsigned int n = g->o.intervals;
	const char *l = g->o.label;
	int err;

	sleep(g->o.warmup);
	if ((err = take_sample(g, &a)))
		return err;
	for (unsigned int i = 0; i < n; i++) {
		double dt;

		sleep(1);
		if ((err = take_sample(g, &b)))
			return err;
		if ((err = __atomic_load_n(&g->err, __ATOMIC_RELAXED)))
			return err;
		dt = b.t - a.t;
		sent[i] = (double)(b.sent - a.sent) / dt;
		fwd[i] = (double)(b.rx - a.rx) / dt;
		drop[i] = (double)(b.tx_dropped - a.tx_dropped) / dt;
		fwd_cpu[i] = b.cpu > a.cpu
				     ? (double)(b.rx - a.rx) / (b.cpu - a.cpu)
				     : 0;
		fprintf(stderr,
			"# interval %u: %.3f s, sender CPU %.0f%%: generated "
			"%.0f forwarded %.0f dropped-on-send %.0f pps, "
			"forwarded %.0f per CPU second\n",
			i + 1, dt, 100 * (b.cpu - a.cpu) / dt, sent[i], fwd[i],
			drop[i], fwd_cpu[i]);
		a = b;
	}
	printf("veth_generated_pps%s: %.0f pps\n", l, median(sent, n));
	printf("veth_forward_pps%s: %.0f pps\n", l, median(fwd, n));
	printf("veth_send_dropped_pps%s: %.0f pps\n", l, median(drop, n));
	printf("veth_forward_pps_per_cpu%s: %.0f pps\n", l, median(fwd_cpu, n));
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: gen --iface IF --dst-mac MAC --src ADDR --dst VIP\n"
		   "  [--dport P] [--sport P] [--flows N] [--size BYTES]\n"
		   "  [--batch N] [--warmup S] [--intervals N]\n"
		   "  [--label SUFFIX]\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"iface", 1, NULL, 'i'},     {"dst-mac", 1, NULL, 'm'},
		{"src", 1, NULL, 's'},	     {"dst", 1, NULL, 'd'},
		{"dport", 1, NULL, 'P'},     {"sport", 1, NULL, 'S'},
		{"flows", 1, NULL, 'f'},     {"size", 1, NULL, 'z'},
		{"batch", 1, NULL, 'b'},     {"warmup", 1, NULL, 'w'},
		{"intervals", 1, NULL, 'n'}, {"label", 1, NULL, 'l'},
		{"help", 0, NULL, 'h'},	     {}};
	int c;

	*o = (struct opts){.label = "",
			   .dport = 9,
			   .sport = 1024,
			   .flows = 4096,
			   .size = 64,
			   .batch = 64,
			   .warmup = 1,
			   .intervals = 7};
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		unsigned int *u = NULL;

		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 'm':
			o->dst_mac = optarg;
			break;
		case 's':
			o->src = optarg;
			break;
		case 'd':
			o->dst = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'P':
			u = &o->dport;
			break;
		case 'S':
			u = &o->sport;
			break;
		case 'f':
			u = &o->flows;
			break;
		case 'z':
			u = &o->size;
			break;
		case 'b':
			u = &o->batch;
			break;
		case 'w':
			u = &o->warmup;
			break;
		case 'n':
			u = &o->intervals;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
		if (u)
			*u = (unsigned int)strtoul(optarg, NULL, 0);
	}
	if (!o->iface || !o->dst_mac || !o->src || !o->dst || !o->flows ||
	    o->sport + o->flows > 65536 || o->dport > 65535 ||
	    o->size < GEN_FRAME_MIN || o->size > GEN_FRAME_MAX ||
	    !o->intervals || o->intervals > GEN_MAX_INTERVALS)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct gen g = {};
	pthread_t th;
	int err;

	if (parse_opts(argc, argv, &g.o)) {
		usage(stderr);
		return 2;
	}
	err = gen_load(&g);
	if (err) {
		fprintf(stderr, "gen: load: %s\n", strerror(-err));
		goto out;
	}
	err = -pthread_create(&th, NULL, gen_send, &g);
	if (err) {
		fprintf(stderr, "gen: thread: %s\n", strerror(-err));
		goto out;
	}
	err = -pthread_getcpuclockid(th, &g.cpu_clock);
	if (!err)
		err = gen_measure(&g);
	__atomic_store_n(&g.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	if (!err)
		err = g.err;
	if (err)
		fprintf(stderr, "gen: %s\n", strerror(-err));
out:
	gen_bpf__destroy(g.skel);
	return err ? 1 : 0;
}
