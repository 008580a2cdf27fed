/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc server-side connection: a non-blocking socket with an output
 * buffer, shared by the event stream and the metrics endpoint. */
#ifndef HC_CONN_H
#define HC_CONN_H

#include <stdbool.h>

#include "hc.h"

struct hc_conn {
	struct hc_ev ev;
	int fd;
	unsigned events;
	struct hc_buf out;
	char in[1024];
	size_t in_len;
	bool close_when_flushed;
	bool dead; /* dropped: freed at the end of the loop iteration */
	struct hc_conn *next, **pprev;
};

/* Accepts one client of listener lfd, registers it with epoll and links it
 * into *list. */
int hc_conn_accept(int epfd, int lfd, enum hc_ev_kind kind,
		   struct hc_conn **list, struct hc_conn **out);
/* Queues and tries to write. -ENOBUFS when more than max is pending. */
int hc_conn_send(int epfd, struct hc_conn *c, const void *p, size_t len,
		 size_t max);
/* Writes what is pending; <0 when the connection is dead. 1 when done and
 * close_when_flushed is set. */
int hc_conn_flush(int epfd, struct hc_conn *c);
/* Reads into in[]; 0 on end of stream, <0 on error, -EAGAIN when nothing. */
ssize_t hc_conn_read(struct hc_conn *c);
void hc_conn_close(struct hc_conn *c);

#endif /* HC_CONN_H */
