// SPDX-License-Identifier: GPL-2.0
/* bench: client full TLS 1.3 handshakes (ECDSA P-256 certificate) per
 * library against a local server (httpd --tls), timed by the client
 * thread's own CPU so that the server's work is not counted; each library
 * twice: P-256 key share and its own cipher order, then (lines *_x25519_*)
 * an X25519 key share and TLS_AES_128_GCM_SHA256, as nlb-hc offers.
 *   tls_bench PORT SECONDS [LIB...] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tls_bench.h"

static double cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

static int run(const struct tls_lib *lib, int x25519, int port, double secs)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timespec t0, t;
	const char *cfg = x25519 ? "_x25519" : "";
	void *ctx = lib->ctx_new(x25519);
	long n = 0, fail = 0;
	double c0, c1;

	if (!ctx) {
		printf("%s%s: cannot create a context\n", lib->name, cfg);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c0 = cpu_us();
	do {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    lib->handshake(ctx, fd))
			fail++;
		else
			n++;
		if (fd >= 0)
			close(fd);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs &&
		 fail < 100);
	c1 = cpu_us();
	lib->ctx_free(ctx);
	if (!n) {
		printf("%s%s: no handshake succeeded\n", lib->name, cfg);
		return 1;
	}
	printf("tls_%s%s_handshake_cpu_us: %.0f us\n", lib->name, cfg,
	       (c1 - c0) / n);
	printf("tls_%s%s_handshakes_per_core: %.0f /s\n", lib->name, cfg,
	       n * 1e6 / (c1 - c0));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tls_lib *const libs[] = {
		&tls_lib_openssl, &tls_lib_wolfssl, &tls_lib_gnutls};
	int port, err = 0;
	double secs;

	if (argc < 3) {
		fprintf(stderr, "usage: tls_bench PORT SECONDS [LIB...]\n");
		return 2;
	}
	port = atoi(argv[1]);
	secs = atof(argv[2]);
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		int want = argc == 3;

		for (int a = 3; a < argc; a++)
			want |= !strcmp(argv[a], libs[i]->name);
		if (want)
			err |= run(libs[i], 0, port, secs) |
			       run(libs[i], 1, port, secs);
	}
	return err;
}
