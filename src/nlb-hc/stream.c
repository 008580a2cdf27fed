// SPDX-License-Identifier: GPL-2.0
/* nlb-hc event stream: a unix socket that sends every state change as one
 * JSON line to every client, and a snapshot to a client that writes
 * "snapshot\n". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "hc.h"

/* a client that falls this far behind is cut off; it reconnects and asks
 * for a snapshot, which is cheaper than unbounded memory */
#define STREAM_MAX_PENDING (64u << 20)

struct hc_stream {
	struct hc_ev ev;
	int fd;
	char *path;
	struct hc_conn *clients;
};

int hc_stream_open(struct hc_ctx *ctx, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event e = {.events = EPOLLIN};
	struct hc_stream *s;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ev.kind = EV_STREAM_LISTEN;
	s->path = strdup(path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!s->path || s->fd < 0) {
		err = s->path ? -errno : -ENOMEM;
		goto fail;
	}
	unlink(path); /* a stale socket of an earlier run */
	e.data.ptr = &s->ev;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s->fd, 64) ||
	    epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, s->fd, &e)) {
		err = -errno;
		goto fail;
	}
	ctx->stream = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	return err;
}

void hc_stream_close(struct hc_ctx *ctx)
{
	struct hc_stream *s = ctx->stream;

	if (!s)
		return;
	while (s->clients)
		hc_conn_close(s->clients);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free(s);
	ctx->stream = NULL;
}

static void drop(struct hc_ctx *ctx, struct hc_conn *c, const char *why)
{
	nlb_logf(&ctx->log, NLB_LOG_WARN,
		 "event=stream_client_dropped reason=%s", why);
	ctx->m.stream_clients_dropped++;
	/* not freed here: an event for it may be further down this batch */
	c->dead = true;
}

void hc_stream_sweep(struct hc_ctx *ctx)
{
	struct hc_conn *c, *next;

	if (!ctx->stream)
		return;
	for (c = ctx->stream->clients; c; c = next) {
		next = c->next;
		if (c->dead)
			hc_conn_close(c);
	}
}

void hc_stream_broadcast(struct hc_ctx *ctx, const char *line, size_t len)
{
	struct hc_conn *c, *next;

	if (!ctx->stream)
		return;
	for (c = ctx->stream->clients; c; c = next) {
		next = c->next;
		if (!c->dead && hc_conn_send(ctx->epfd, c, line, len,
					     STREAM_MAX_PENDING) < 0)
			drop(ctx, c, "slow or gone");
	}
}

/* Returns -1 when the client was dropped. */
static int client_input(struct hc_ctx *ctx, struct hc_conn *c)
{
	char *nl;

	while ((nl = memchr(c->in, '\n', c->in_len))) {
		size_t n = nl - c->in + 1;

		*nl = '\0';
		if (n > 1 && nl[-1] == '\r')
			nl[-1] = '\0';
		if (!strcmp(c->in, "snapshot")) {
			struct hc_buf *b = &ctx->scratch;

			hc_buf_reset(b);
			hc_report_snapshot(b, ctx);
			if (b->err || hc_conn_send(ctx->epfd, c, b->p, b->len,
						   STREAM_MAX_PENDING) < 0) {
				drop(ctx, c, "snapshot failed");
				return -1;
			}
		} else if (c->in[0]) {
			static const char msg[] =
				"{\"event\":\"error\",\"reason\":\"unknown "
				"command; the only one is snapshot\"}\n";

			if (hc_conn_send(ctx->epfd, c, msg, sizeof(msg) - 1,
					 STREAM_MAX_PENDING) < 0) {
				drop(ctx, c, "write failed");
				return -1;
			}
		}
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
	}
	return 0;
}

void hc_stream_event(struct hc_ctx *ctx, struct hc_ev *ev, unsigned events)
{
	struct hc_stream *s = ctx->stream;
	struct hc_conn *c;
	ssize_t n;

	if (ev->kind == EV_STREAM_LISTEN) {
		while (!hc_conn_accept(ctx->epfd, s->fd, EV_STREAM_CLIENT,
				       &s->clients, &c))
			;
		return;
	}
	c = (struct hc_conn *)ev;
	if (c->dead)
		return;
	if (events & EPOLLOUT && hc_conn_flush(ctx->epfd, c) < 0) {
		c->dead = true;
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	while ((n = hc_conn_read(c)) > 0)
		if (client_input(ctx, c))
			return;
	if (n != -EAGAIN)
		c->dead = true; /* end of stream, error, or a line too long */
}
