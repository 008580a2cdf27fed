/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc TLS client: the thin interface that keeps the TLS library (GnuTLS,
 * chosen by measurement, or OpenSSL 3, see docs/nlb-hc.md) out of the rest
 * of the code.
 * Every call is non-blocking: -EAGAIN comes with the epoll event to wait
 * for in *want. */
#ifndef HC_TLS_H
#define HC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hc_check;
struct hc_tls_ctx; /* shared settings: CA, client cert, versions */
struct hc_tls; /* one connection */
struct hc_tls_sess; /* a session to resume */

/* The library's name and version, for --version and the logs. */
const char *hc_tls_library(void);

int hc_tls_ctx_new(const struct hc_check *c, struct hc_tls_ctx **out, char *err,
		   size_t errlen);
void hc_tls_ctx_free(struct hc_tls_ctx *t);

/* sni and verify_host may be NULL. */
int hc_tls_new(struct hc_tls_ctx *t, int fd, const char *sni,
	       const char *verify_host, struct hc_tls_sess *resume,
	       struct hc_tls **out);
void hc_tls_free(struct hc_tls *c);

int hc_tls_handshake(struct hc_tls *c, unsigned *want, char *reason,
		     size_t rlen);
/* Return bytes moved, 0 for end of stream (read), or -errno. */
ssize_t hc_tls_write(struct hc_tls *c, const void *buf, size_t len,
		     unsigned *want, char *reason, size_t rlen);
ssize_t hc_tls_read(struct hc_tls *c, void *buf, size_t len, unsigned *want,
		    char *reason, size_t rlen);

bool hc_tls_resumed(const struct hc_tls *c);
/* What the finished handshake negotiated: the protocol version ("1.2",
 * "1.3") and the key exchange group in lower case ("x25519", "secp256r1"),
 * or "none" when it had no key exchange (a TLS 1.2 resumption, TLS 1.3
 * psk_ke). Static strings. */
const char *hc_tls_version(const struct hc_tls *c);
const char *hc_tls_key_exchange(const struct hc_tls *c);
/* The session to offer next time, or NULL; the caller owns it. */
struct hc_tls_sess *hc_tls_session(struct hc_tls *c);
void hc_tls_sess_free(struct hc_tls_sess *s);

#endif /* HC_TLS_H */
