/* SPDX-License-Identifier: GPL-2.0 */
/* bench: one TLS client library behind the same three calls, so that full
 * handshakes are timed the same way for each. */
#ifndef TLS_BENCH_H
#define TLS_BENCH_H

struct tls_lib {
	const char *name;
	/* one context, TLS 1.3 only, no verification; key share P-256 and
	 * the library's cipher order, or (x25519) an X25519 key share and
	 * TLS_AES_128_GCM_SHA256, which is what nlb-hc offers first */
	void *(*ctx_new)(int x25519);
	/* a full handshake on connected fd; 0 on success */
	int (*handshake)(void *ctx, int fd);
	void (*ctx_free)(void *ctx);
};

extern const struct tls_lib tls_lib_openssl, tls_lib_gnutls, tls_lib_wolfssl;

#endif
