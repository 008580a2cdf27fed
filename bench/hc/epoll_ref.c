// SPDX-License-Identifier: GPL-2.0
/* bench reference: the least a checker can do. A bare epoll loop that, for
 * N targets every second, spread evenly, connects (and for http sends one
 * GET and reads the first bytes) and closes with a reset. Its CPU per check
 * is the floor that nlb-hc is compared with.
 *   epoll_ref tcp|http PORT N SECONDS */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void rst_close(int fd)
{
	struct linger l = {1, 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

int main(int argc, char **argv)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n";
	struct epoll_event evs[256];
	struct rusage ru0, ru1;
	uint64_t start, end, done = 0, failed = 0;
	int http, port, n, secs, ep;
	long next = 0;

	if (argc != 5)
		return 2;
	http = !strcmp(argv[1], "http");
	port = atoi(argv[2]);
	n = atoi(argv[3]);
	secs = atoi(argv[4]);
	ep = epoll_create1(0);
	getrusage(RUSAGE_SELF, &ru0);
	start = now_ns();
	end = start + secs * 1000000000ull;
	for (;;) {
		uint64_t t = now_ns();
		long due = (long)((t - start) * (uint64_t)n / 1000000000ull);
		int k, timeout;

		if (t >= end)
			break;
		/* start every probe whose slot has come */
		for (; next <= due; next++) {
			struct sockaddr_in sa = {.sin_family = AF_INET,
						 .sin_port = htons(port)};
			struct epoll_event e = {.events = EPOLLOUT};
			int i = next % n, fd;

			sa.sin_addr.s_addr =
				htonl(0x7f000000 | (1 + i / 250) << 8 |
				      (1 + i % 250));
			fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (fd < 0) {
				failed++;
				continue;
			}
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
			    errno != EINPROGRESS) {
				close(fd);
				failed++;
				continue;
			}
			e.data.fd = fd;
			epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
		}
		timeout = (int)((start + (next * 1000000000ull) / n - t) /
				1000000) +
			  1;
		k = epoll_wait(ep, evs, 256, timeout);
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd, err = 0;
			socklen_t len = sizeof(err);
			char buf[512];

			if (evs[i].events & EPOLLOUT) {
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
					   &len);
				if (err || !http) {
					err ? failed++ : done++;
					rst_close(fd);
					continue;
				}
				send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
				evs[i].events = EPOLLIN;
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &evs[i]);
				continue;
			}
			if (recv(fd, buf, sizeof(buf), 0) > 0)
				done++;
			else
				failed++;
			rst_close(fd);
		}
	}
	getrusage(RUSAGE_SELF, &ru1);
	{
		double cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e6 +
			     (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) +
			     (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e6 +
			     (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec);

		printf("checks %llu failed %llu cpu_us %.0f\n",
		       (unsigned long long)done, (unsigned long long)failed,
		       cpu);
	}
	return 0;
}
