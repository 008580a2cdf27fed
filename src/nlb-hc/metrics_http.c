// SPDX-License-Identifier: GPL-2.0
/* nlb-hc metrics endpoint: a minimal HTTP/1.0 server for GET /metrics. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "hc.h"

int hc_metrics_http_open(struct hc_ctx *ctx, const char *addr)
{
	struct epoll_event e = {.events = EPOLLIN,
				.data.ptr = &ctx->metrics_ev};
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(ss);
	char host[64], *colon;
	struct hc_addr a;
	int fd, err, one = 1;
	unsigned long port;

	ctx->metrics_ev.kind = EV_METRICS_LISTEN;
	snprintf(host, sizeof(host), "%s", addr);
	colon = strrchr(host, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	port = strtoul(colon + 1, NULL, 10);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (hc_addr_parse(host, &a) || port > 65535)
		return -EINVAL;
	if (a.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a.bytes, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a.bytes, 16);
		len = sizeof(*s6);
	}
	fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16) ||
	    epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, fd, &e)) {
		err = -errno;
		close(fd);
		return err;
	}
	ctx->metrics_fd = fd;
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	nlb_logf(&ctx->log, NLB_LOG_INFO,
		 "event=listening what=metrics port=%u",
		 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return 0;
}

void hc_metrics_http_close(struct hc_ctx *ctx)
{
	while (ctx->metrics_conns)
		hc_conn_close(ctx->metrics_conns);
	if (ctx->metrics_fd >= 0)
		close(ctx->metrics_fd);
	ctx->metrics_fd = -1;
}

static int respond(struct hc_ctx *ctx, struct hc_conn *c)
{
	struct hc_buf body = {0};
	int up = 0, ret;

	if (strncmp(c->in, "GET /metrics ", 13)) {
		static const char nf[] = "HTTP/1.0 404 Not Found\r\n"
					 "Content-Length: 0\r\n\r\n";

		c->close_when_flushed = true;
		return hc_conn_send(ctx->epfd, c, nf, sizeof(nf) - 1, 1 << 20);
	}
	for (int i = 0; i < ctx->n_groups; i++)
		up += ctx->groups[i]->state == HC_UP;
	hc_metrics_render(&body, &ctx->m, ctx->n_probes, ctx->n_groups, up);
	if (body.err) {
		hc_buf_free(&body);
		return -ENOMEM;
	}
	hc_buf_reset(&c->out);
	hc_buf_printf(&c->out,
		      "HTTP/1.0 200 OK\r\nContent-Type: text/plain; "
		      "version=0.0.4\r\nContent-Length: %zu\r\n\r\n",
		      body.len);
	hc_buf_add(&c->out, body.p, body.len);
	hc_buf_free(&body);
	c->close_when_flushed = true;
	ret = c->out.err ?: hc_conn_flush(ctx->epfd, c);
	return ret;
}

void hc_metrics_http_event(struct hc_ctx *ctx, struct hc_ev *ev,
			   unsigned events)
{
	struct hc_conn *c;
	ssize_t n;
	int ret;

	if (ev->kind == EV_METRICS_LISTEN) {
		while (!hc_conn_accept(ctx->epfd, ctx->metrics_fd,
				       EV_METRICS_CLIENT, &ctx->metrics_conns,
				       &c))
			;
		return;
	}
	c = (struct hc_conn *)ev;
	if (c->close_when_flushed) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP) &&
		    hc_conn_flush(ctx->epfd, c))
			hc_conn_close(c);
		return;
	}
	while ((n = hc_conn_read(c)) > 0)
		;
	if (n == -EAGAIN && !memmem(c->in, c->in_len, "\r\n\r\n", 4) &&
	    !memmem(c->in, c->in_len, "\n\n", 2))
		return;
	if (n == 0 && !c->in_len) {
		hc_conn_close(c);
		return;
	}
	ret = respond(ctx, c);
	if (ret)
		hc_conn_close(c);
}
