// SPDX-License-Identifier: GPL-2.0
/* nlb-hc server-side connections with buffered, non-blocking output. */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int want(int epfd, struct hc_conn *c, unsigned ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = &c->ev};

	if (c->events == ev)
		return 0;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e))
		return -errno;
	c->events = ev;
	return 0;
}

int hc_conn_accept(int epfd, int lfd, enum hc_ev_kind kind,
		   struct hc_conn **list, struct hc_conn **out)
{
	struct epoll_event e = {.events = EPOLLIN};
	struct hc_conn *c;
	int fd, err;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->ev.kind = kind;
	c->fd = fd;
	c->events = EPOLLIN;
	e.data.ptr = &c->ev;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e)) {
		err = -errno;
		close(fd);
		free(c);
		return err;
	}
	c->next = *list;
	if (*list)
		(*list)->pprev = &c->next;
	c->pprev = list;
	*list = c;
	*out = c;
	return 0;
}

int hc_conn_flush(int epfd, struct hc_conn *c)
{
	while (c->out.len) {
		ssize_t n = send(c->fd, c->out.p, c->out.len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN)
				return want(epfd, c, EPOLLIN | EPOLLOUT);
			return -errno;
		}
		hc_buf_consume(&c->out, n);
	}
	if (c->close_when_flushed)
		return 1;
	return want(epfd, c, EPOLLIN);
}

int hc_conn_send(int epfd, struct hc_conn *c, const void *p, size_t len,
		 size_t max)
{
	if (c->out.len + len > max)
		return -ENOBUFS;
	hc_buf_add(&c->out, p, len);
	if (c->out.err)
		return c->out.err;
	return hc_conn_flush(epfd, c);
}

ssize_t hc_conn_read(struct hc_conn *c)
{
	ssize_t n;

	if (c->in_len == sizeof(c->in))
		return -EMSGSIZE;
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
		 MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	c->in_len += n;
	return n;
}

void hc_conn_close(struct hc_conn *c)
{
	if (!c)
		return;
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	close(c->fd);
	hc_buf_free(&c->out);
	free(c);
}
