// SPDX-License-Identifier: GPL-2.0
/* bench target server: an epoll HTTP(S) server that answers every request
 * with "200 OK" and closes, fast enough that the checker under test, not
 * the target, is what a benchmark measures. Not part of nlb proper.
 * On SIGUSR1 it prints "answered N": the requests answered so far, the same
 * count of successful HTTP(S) checks for every checker under test.
 *   httpd --port-file F [--tls CERT KEY] [--no-tickets] [--no-dhe] */
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
	int fd;
	SSL *ssl;
	int hs_done;
	size_t in;
	char buf[2048];
};

/* set by the SIGUSR1 handler; the loop prints the count */
static volatile sig_atomic_t report;

static void on_usr1(int sig)
{
	(void)sig;
	report = 1;
}

static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
			   "Connection: close\r\n\r\nok\n";

static void conn_close(struct conn *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	close(c->fd);
	free(c);
}

/* Returns 1 when the connection is finished; counts answers in *answered. */
static int step(struct conn *c, unsigned long long *answered)
{
	for (;;) {
		ssize_t n;

		if (c->ssl && !c->hs_done) {
			int r = SSL_accept(c->ssl);

			if (r != 1) {
				int e = SSL_get_error(c->ssl, r);

				ERR_clear_error();
				return !(e == SSL_ERROR_WANT_READ ||
					 e == SSL_ERROR_WANT_WRITE);
			}
			c->hs_done = 1;
		}
		if (c->ssl) {
			n = SSL_read(c->ssl, c->buf + c->in,
				     sizeof(c->buf) - c->in - 1);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, n);

				ERR_clear_error();
				return e != SSL_ERROR_WANT_READ;
			}
		} else {
			n = recv(c->fd, c->buf + c->in,
				 sizeof(c->buf) - c->in - 1, 0);
			if (n < 0)
				return errno != EAGAIN;
			if (!n)
				return 1;
		}
		c->in += n;
		c->buf[c->in] = '\0';
		if (strstr(c->buf, "\r\n\r\n") || c->in >= sizeof(c->buf) - 1) {
			if (c->ssl)
				SSL_write(c->ssl, resp, sizeof(resp) - 1);
			else
				send(c->fd, resp, sizeof(resp) - 1,
				     MSG_NOSIGNAL);
			(*answered)++;
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *port_file = NULL, *cert = NULL, *key = NULL;
	struct epoll_event ev, evs[256];
	socklen_t len = sizeof(sa);
	SSL_CTX *ctx = NULL;
	unsigned long long answered = 0;
	int lfd, ep, one = 1, tickets = 1, no_dhe = 0;
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
			port_file = argv[++i];
		else if (!strcmp(argv[i], "--tls") && i + 2 < argc) {
			cert = argv[++i];
			key = argv[++i];
		} else if (!strcmp(argv[i], "--no-tickets"))
			tickets = 0;
		else if (!strcmp(argv[i], "--no-dhe"))
			no_dhe = 1;
		else {
			fprintf(stderr,
				"usage: httpd --port-file F [--tls CERT KEY] "
				"[--no-tickets] [--no-dhe]\n");
			return 2;
		}
	}
	if (!port_file)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cert) {
		ctx = SSL_CTX_new(TLS_server_method());
		if (!ctx ||
		    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) !=
			    1) {
			fprintf(stderr, "httpd: cannot load %s / %s\n", cert,
				key);
			return 1;
		}
		if (!tickets) {
			/* no resumption of any kind: every handshake full */
			SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
			SSL_CTX_set_num_tickets(ctx, 0);
			SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		}
		/* TLS 1.3 resumption without a key exchange (psk_ke), for
		 * clients that offer it: no public-key math on either end */
		if (no_dhe)
			SSL_CTX_set_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 65535) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len)) {
		perror("httpd: listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	f = fopen(port_file, "w");
	if (!f)
		return 1;
	fprintf(f, "%u\n", ntohs(sa.sin_port));
	fclose(f);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);

		if (report) {
			report = 0;
			printf("answered %llu\n", answered);
		}

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL,
						     SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof(*c));
					if (!c) {
						close(fd);
						continue;
					}
					c->fd = fd;
					if (ctx) {
						c->ssl = SSL_new(ctx);
						SSL_set_fd(c->ssl, fd);
					}
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
					if (step(c, &answered))
						conn_close(c);
				}
				continue;
			}
			if (step(c, &answered))
				conn_close(c);
		}
	}
}
