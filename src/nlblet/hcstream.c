// SPDX-License-Identifier: GPL-2.0
/* nlb-hc's event stream (docs/nlb-hc.md): a thread connects, asks for a
 * snapshot, and folds every batch of events into n->hc, then reconciles at
 * once, so a backend's health reaches the maps within milliseconds of
 * nlb-hc's verdict. Without the stream (nlb-hc not up yet, restarting),
 * the main loop reads the state file instead. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nlblet.h"

#define RECONNECT_MS 200

struct stream {
	struct nlblet *n;
	char *buf;
	size_t len, cap;
};

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int dial(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, "snapshot\n", 9) != 9) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* the complete lines in s->buf, under the lock; the rest kept */
static void fold(struct stream *s)
{
	struct nlblet *n = s->n;
	char *p = s->buf, *nl, err[256];
	int changed = 0;

	pthread_mutex_lock(&n->mu);
	while ((nl = memchr(p, '\n', s->len - (size_t)(p - s->buf)))) {
		int r;

		*nl = 0;
		if (strstr(p, "\"event\":\"snapshot\""))
			n->stream_up = true;
		r = nlblet_hcstate_apply_line(&n->hc, p, err, sizeof(err));
		if (r < 0)
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=hc_event_rejected reason=\"%s\"", err);
		changed |= r == 1;
		p = nl + 1;
	}
	if (changed && n->stream_up)
		nlblet_apply(n, NULL);
	pthread_mutex_unlock(&n->mu);
	s->len -= (size_t)(p - s->buf);
	memmove(s->buf, p, s->len);
}

static void follow(struct stream *s, int fd)
{
	while (!*s->n->stop) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		ssize_t k;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if (s->cap - s->len < 65536) {
			char *g = realloc(s->buf, s->cap * 2 + 65536);

			if (!g)
				return;
			s->buf = g;
			s->cap = s->cap * 2 + 65536;
		}
		k = read(fd, s->buf + s->len, s->cap - s->len);
		if (k <= 0)
			return;
		s->len += (size_t)k;
		fold(s);
	}
}

static void *run(void *arg)
{
	struct nlblet *n = arg;
	struct stream st = {.n = n}, *s = &st;
	bool logged = false;

	while (!*n->stop) {
		int fd = dial(n->o.hc_stream);

		if (fd < 0) {
			if (!logged)
				nlb_logf(&n->log, NLB_LOG_INFO,
					 "event=hc_stream_waiting path=%s "
					 "err=%d",
					 n->o.hc_stream, fd);
			logged = true;
			pause_ms(RECONNECT_MS);
			continue;
		}
		nlb_logf(&n->log, NLB_LOG_INFO,
			 "event=hc_stream_connected path=%s", n->o.hc_stream);
		logged = false;
		s->len = 0;
		follow(s, fd);
		close(fd);
		pthread_mutex_lock(&n->mu);
		n->stream_up = false;
		pthread_mutex_unlock(&n->mu);
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=hc_stream_lost path=%s action=read_state_file",
			 n->o.hc_stream);
		pause_ms(RECONNECT_MS);
	}
	return NULL;
}

int nlblet_hc_stream_start(struct nlblet *n)
{
	return nlblet_spawn(run, n);
}
