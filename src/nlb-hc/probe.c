// SPDX-License-Identifier: GPL-2.0
/* nlb-hc probe: one check run from its slot to a pass or a failure with a
 * reason; TCP, HTTP and HTTPS share one non-blocking state machine. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hc.h"
#include "tls.h"

#define NS_PER_MS 1000000ull

static uint64_t interval_ns(const struct hc_probe *p)
{
	return p->chk.interval_ms * NS_PER_MS;
}

static void errstr(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(err));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] += 'a' - 'A';
}

static socklen_t fill_sa(const struct hc_addr *a, uint16_t port,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a->bytes, 16);
	return sizeof(*s6);
}

int hc_probe_open(struct hc_probe *p, int type, int proto)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	fd = socket(hc_probe_dst(p)->family,
		    type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	/* the mark sends every packet of the socket, the reset at close
	 * included, through the tunnel program */
	if (p->mark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &p->mark, sizeof(p->mark))) {
		err = -errno;
		close(fd);
		return err;
	}
	if (p->chk.source.family) {
		len = fill_sa(&p->chk.source, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, len)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	return fd;
}

int hc_probe_connect(struct hc_probe *p)
{
	struct sockaddr_storage ss;
	socklen_t len = fill_sa(hc_probe_dst(p), p->chk.port, &ss);

	if (connect(p->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		return -errno;
	return 0;
}

static void set_events(struct hc_ctx *ctx, struct hc_probe *p, unsigned ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = &p->ev};

	if (p->events == ev)
		return;
	if (!epoll_ctl(ctx->epfd, p->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
		       p->fd, &e))
		p->events = ev;
}

static void close_fd(struct hc_ctx *ctx, struct hc_probe *p)
{
	static const struct linger rst = {.l_onoff = 1, .l_linger = 0};

	if (p->fd < 0)
		return;
	/* a reset leaves no TIME_WAIT behind: 10,000 checks a second would
	 * otherwise keep 600,000 of them */
	if (p->chk.type != HC_ICMP)
		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(p->fd);
	p->fd = -1;
	p->events = 0;
	ctx->m.open_sockets--;
}

static void finish(struct hc_ctx *ctx, struct hc_probe *p, bool ok,
		   const char *reason)
{
	uint64_t now = hc_now_ns();

	if (p->tls) {
		hc_tls_free(p->tls);
		p->tls = NULL;
	}
	if (!ok && p->sess) {
		/* a failed backend may have restarted with new keys */
		hc_tls_sess_free(p->sess);
		p->sess = NULL;
	}
	close_fd(ctx, p);
	p->latency_us = (now - p->sent) / 1000;
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	ctx->m.checks[p->chk.type][ok]++;
	hc_hist_observe(&ctx->m.latency[p->chk.type], now - p->sent);
	p->phase = P_IDLE;
	p->due += interval_ns(p);
	p->timer.when = p->due;
	hc_heap_fix(&ctx->heap, &p->timer);
	hc_health_result(ctx, p, ok);
}

static void fail_errno(struct hc_ctx *ctx, struct hc_probe *p, int err)
{
	char r[64];

	errstr(err, r, sizeof(r));
	finish(ctx, p, false, r);
}

/* The session of a passing check is offered on the next. Taken as soon as
 * the answer passes, not when the connection ends: most servers close
 * without close_notify, and TLS libraries mark a session that ended so as
 * not resumable. */
static void keep_session(struct hc_probe *p)
{
	struct hc_tls_sess *s;

	if (!p->tls || !p->chk.resume)
		return;
	s = hc_tls_session(p->tls);
	if (s) {
		hc_tls_sess_free(p->sess);
		p->sess = s;
	}
}

static void do_recv(struct hc_ctx *ctx, struct hc_probe *p)
{
	char buf[4096], reason[96] = "";
	enum hc_http_res res;
	unsigned want = EPOLLIN;

	for (;;) {
		ssize_t n;

		if (p->tls) {
			n = hc_tls_read(p->tls, buf, sizeof(buf), &want, reason,
					sizeof(reason));
		} else {
			n = recv(p->fd, buf, sizeof(buf), 0);
			if (n < 0)
				n = -errno;
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			set_events(ctx, p, want);
			return;
		}
		if (n < 0) {
			if (reason[0])
				finish(ctx, p, false, reason);
			else
				fail_errno(ctx, p, -n);
			return;
		}
		res = hc_http_rd_feed(&p->rd, buf, n, reason, sizeof(reason));
		if (res == HC_HTTP_MORE)
			continue;
		if (res == HC_HTTP_PASS) {
			snprintf(reason, sizeof(reason), "HTTP %d",
				 p->rd.status);
			keep_session(p);
		}
		finish(ctx, p, res == HC_HTTP_PASS, reason);
		return;
	}
}

static void do_send(struct hc_ctx *ctx, struct hc_probe *p)
{
	char reason[96] = "";
	unsigned want = EPOLLOUT;

	while (p->req_off < p->req_len) {
		ssize_t n;

		if (p->tls) {
			n = hc_tls_write(p->tls, p->req + p->req_off,
					 p->req_len - p->req_off, &want, reason,
					 sizeof(reason));
		} else {
			n = send(p->fd, p->req + p->req_off,
				 p->req_len - p->req_off, MSG_NOSIGNAL);
			if (n < 0)
				n = -errno;
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			set_events(ctx, p, want);
			return;
		}
		if (n < 0) {
			if (reason[0])
				finish(ctx, p, false, reason);
			else
				fail_errno(ctx, p, -n);
			return;
		}
		p->req_off += n;
	}
	p->phase = P_RECV;
	hc_http_rd_init(&p->rd, &p->chk);
	set_events(ctx, p, EPOLLIN);
}

static void do_tls(struct hc_ctx *ctx, struct hc_probe *p)
{
	char reason[96] = "";
	unsigned want = 0;
	int ret;

	ret = hc_tls_handshake(p->tls, &want, reason, sizeof(reason));
	if (ret == -EAGAIN) {
		set_events(ctx, p, want);
		return;
	}
	if (ret) {
		finish(ctx, p, false, reason);
		return;
	}
	ctx->m.tls_handshakes++;
	ctx->m.tls_resumed += hc_tls_resumed(p->tls);
	hc_metrics_tls(&ctx->m, hc_tls_version(p->tls),
		       hc_tls_key_exchange(p->tls));
	p->phase = P_SEND;
	p->req_off = 0;
	do_send(ctx, p);
}

static bool is_ip_literal(const char *s)
{
	struct hc_addr a;

	return !hc_addr_parse(s, &a);
}

static void connected(struct hc_ctx *ctx, struct hc_probe *p)
{
	const char *sni;
	int ret;

	switch (p->chk.type) {
	case HC_TCP:
		finish(ctx, p, true, "connected");
		return;
	case HC_HTTP:
		p->phase = P_SEND;
		p->req_off = 0;
		do_send(ctx, p);
		return;
	case HC_HTTPS:
		if (!p->tls_ctx) {
			finish(ctx, p, false,
			       p->reason[0] ? p->reason : "TLS: no context");
			return;
		}
		sni = p->chk.sni;
		if (!sni && p->chk.host && !is_ip_literal(p->chk.host))
			sni = p->chk.host;
		ret = hc_tls_new(p->tls_ctx, p->fd, sni,
				 p->chk.verify ? sni : NULL, p->sess, &p->tls);
		if (ret) {
			fail_errno(ctx, p, -ret);
			return;
		}
		p->phase = P_TLS;
		do_tls(ctx, p);
		return;
	case HC_ICMP:
		break;
	}
}

static void start(struct hc_ctx *ctx, struct hc_probe *p, uint64_t now)
{
	static const int zero = 0;
	uint64_t lag = now - p->due, iv = interval_ns(p);
	char reason[96] = "";
	int ret;

	hc_hist_observe(&ctx->m.lag, lag);
	if (lag >= iv) {
		ctx->m.missed += lag / iv;
		p->due += lag / iv * iv;
	}
	p->sent = now;
	p->events = 0;
	/* a pair that found no mark (no route yet, say) tries again */
	if (p->chk.tunnel.family && !p->mark &&
	    hc_tunnel_get(ctx->tunnel, &p->addr, &p->chk.tunnel, &p->mark,
			  p->tunnel_err, sizeof(p->tunnel_err))) {
		finish(ctx, p, false, p->tunnel_err);
		return;
	}
	if (p->chk.type == HC_ICMP) {
		ret = hc_icmp_start(p, reason, sizeof(reason));
		if (p->fd >= 0)
			ctx->m.open_sockets++;
		if (ret) {
			finish(ctx, p, false, reason);
			return;
		}
		p->phase = P_ICMP;
		set_events(ctx, p, EPOLLIN);
	} else {
		p->fd = hc_probe_open(p, SOCK_STREAM, 0);
		if (p->fd < 0) {
			fail_errno(ctx, p, -p->fd);
			p->fd = -1;
			return;
		}
		ctx->m.open_sockets++;
		/* no ACK of the SYN-ACK of its own: a TCP check closes with a
		 * reset before the delayed ACK is due, an HTTP check sends it
		 * with the request. A packet less per check, and a backend
		 * checked by TCP only sees SYN and reset, never a connection
		 * to accept (HAProxy does the same). */
		setsockopt(p->fd, IPPROTO_TCP, TCP_QUICKACK, &zero,
			   sizeof(zero));
		/* the timeout runs from the SYN, not from the slot */
		p->sent = hc_now_ns();
		ret = hc_probe_connect(p);
		if (ret) {
			fail_errno(ctx, p, -ret);
			return;
		}
		p->phase = P_CONNECT;
		set_events(ctx, p, EPOLLOUT);
	}
	p->timer.when = p->sent + p->chk.timeout_ms * NS_PER_MS;
	hc_heap_fix(&ctx->heap, &p->timer);
}

/* An answer may be waiting in the socket because the loop was busy, not
 * because the backend was slow: give it one look before calling a timeout,
 * so that the agent's own overload does not mark a backend down. */
static bool last_look(struct hc_ctx *ctx, struct hc_probe *p)
{
	struct pollfd pfd = {.fd = p->fd, .events = p->events};

	if (p->fd < 0 || poll(&pfd, 1, 0) != 1)
		return false;
	hc_probe_io(ctx, p, pfd.revents);
	return p->phase == P_IDLE;
}

void hc_probe_timer(struct hc_ctx *ctx, struct hc_probe *p, uint64_t now)
{
	if (p->phase == P_IDLE)
		start(ctx, p, now);
	else if (!last_look(ctx, p))
		finish(ctx, p, false, "timeout");
}

void hc_probe_io(struct hc_ctx *ctx, struct hc_probe *p, unsigned events)
{
	char reason[96] = "";
	socklen_t len;
	int err = 0, ret;

	switch (p->phase) {
	case P_CONNECT:
		/* writable without error or hangup is connected: a syscall
		 * less per check than asking SO_ERROR every time */
		if (events & (EPOLLERR | EPOLLHUP)) {
			len = sizeof(err);
			if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len))
				err = errno;
			fail_errno(ctx, p, err ?: ECONNRESET);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		connected(ctx, p);
		return;
	case P_TLS:
		do_tls(ctx, p);
		return;
	case P_SEND:
		do_send(ctx, p);
		return;
	case P_RECV:
		do_recv(ctx, p);
		return;
	case P_ICMP:
		ret = hc_icmp_read(p, reason, sizeof(reason));
		if (ret)
			finish(ctx, p, ret > 0,
			       ret > 0 ? "echo reply" : reason);
		return;
	case P_IDLE:
		return;
	}
}

int hc_probe_init(struct hc_ctx *ctx, struct hc_probe *p)
{
	char hostport[64];

	char dst[48];
	size_t n;
	int ret;

	p->ev.kind = EV_PROBE;
	p->fd = -1;
	hc_addr_str(&p->addr, p->addr_str, sizeof(p->addr_str));
	hc_addr_str(hc_probe_dst(p), dst, sizeof(dst));
	if (p->chk.type == HC_ICMP)
		n = snprintf(p->name, sizeof(p->name), "icmp");
	else if (p->chk.type == HC_TCP)
		n = snprintf(p->name, sizeof(p->name), "tcp:%u", p->chk.port);
	else
		n = snprintf(p->name, sizeof(p->name), "%s:%u%.30s",
			     hc_type_name(p->chk.type), p->chk.port,
			     p->chk.path);
	if (p->chk.tunnel.family) {
		snprintf(p->name + n, sizeof(p->name) - n, "@tunnel=%s", dst);
		/* a failure shows as the probe's reason when it runs */
		hc_tunnel_get(ctx->tunnel, &p->addr, &p->chk.tunnel, &p->mark,
			      p->tunnel_err, sizeof(p->tunnel_err));
	}
	if (p->chk.type == HC_HTTP || p->chk.type == HC_HTTPS) {
		size_t cap = 128 + strlen(p->chk.path) +
			     (p->chk.host ? strlen(p->chk.host) : 0);

		/* the default Host is what the probe connects to: the VIP
		 * through the tunnel, as a client would name it */
		snprintf(hostport, sizeof(hostport),
			 hc_probe_dst(p)->family == AF_INET6 ? "[%s]:%u"
							     : "%s:%u",
			 dst, p->chk.port);
		p->req = malloc(cap);
		if (!p->req)
			return -ENOMEM;
		ret = hc_http_request(&p->chk, hostport, p->req, cap);
		if (ret < 0)
			return ret;
		p->req_len = ret;
	}
	p->phase_ns = hc_slot_phase(ctx->next_slot++, interval_ns(p));
	p->due = hc_slot_next(hc_now_ns(), ctx->epoch, p->phase_ns,
			      interval_ns(p));
	p->timer.when = p->due;
	return hc_heap_add(&ctx->heap, &p->timer);
}

void hc_probe_cancel(struct hc_ctx *ctx, struct hc_probe *p)
{
	if (p->tls) {
		hc_tls_free(p->tls);
		p->tls = NULL;
	}
	close_fd(ctx, p);
	hc_heap_del(&ctx->heap, &p->timer);
	if (p->mark) {
		hc_tunnel_put(ctx->tunnel, p->mark);
		p->mark = 0;
	}
}

void hc_probe_free(struct hc_probe *p)
{
	if (!p)
		return;
	hc_tls_sess_free(p->sess);
	hc_check_free(&p->chk);
	free(p->req);
	free(p->groups);
	free(p->key);
	free(p);
}
