// SPDX-License-Identifier: GPL-2.0
/* nlb-hc TLS client on OpenSSL 3: the only file that includes OpenSSL,
 * built when HC_TLS=openssl (see build.mk; tls_gnutls.c is the other). */
#ifdef HC_TLS_OPENSSL
#include "tls.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "hc_config.h"

struct hc_tls_ctx {
	SSL_CTX *ssl;
};

const char *hc_tls_library(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

int hc_tls_ctx_new(const struct hc_check *c, struct hc_tls_ctx **out, char *err,
		   size_t errlen)
{
	struct hc_tls_ctx *t;
	const char *what = "";
	SSL_CTX *s;

	*out = NULL;
	s = SSL_CTX_new(TLS_client_method());
	if (!s) {
		snprintf(err, errlen, "TLS: cannot create context");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(s, c->tls_min == 13 ? TLS1_3_VERSION
							  : TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(s, c->tls_max == 13 ? TLS1_3_VERSION
							  : TLS1_2_VERSION);
	/* the cheapest full handshake first, as the GnuTLS backend does:
	 * OpenSSL already sends its one key share for X25519; AES-128-GCM
	 * first makes TLS 1.3 derive its keys with SHA-256 */
	SSL_CTX_set_ciphersuites(s, "TLS_AES_128_GCM_SHA256:"
				    "TLS_CHACHA20_POLY1305_SHA256:"
				    "TLS_AES_256_GCM_SHA384");
	/* OpenSSL's client offers psk_ke only next to psk_dhe_ke, and
	 * OpenSSL 3.0 servers then pick the latter: psk_ke takes effect
	 * with servers that prefer it */
	if (c->resume == HC_RESUME_PSK_KE)
		SSL_CTX_set_options(s, SSL_OP_ALLOW_NO_DHE_KEX);
	/* resumption is per probe, so no internal store; but the client
	 * cache mode must be on for TLS 1.3 tickets to make sessions */
	SSL_CTX_set_session_cache_mode(
		s, c->resume ? SSL_SESS_CACHE_CLIENT |
				       SSL_SESS_CACHE_NO_INTERNAL_STORE
			     : SSL_SESS_CACHE_OFF);
	if (!c->resume)
		SSL_CTX_set_options(s, SSL_OP_NO_TICKET);
	if (c->verify) {
		SSL_CTX_set_verify(s, SSL_VERIFY_PEER, NULL);
		if (c->ca_file ? SSL_CTX_load_verify_locations(s, c->ca_file,
							       NULL) != 1
			       : SSL_CTX_set_default_verify_paths(s) != 1) {
			what = "CA file";
			goto fail;
		}
	} else {
		SSL_CTX_set_verify(s, SSL_VERIFY_NONE, NULL);
	}
	if (c->cert_file) {
		if (SSL_CTX_use_certificate_chain_file(s, c->cert_file) != 1) {
			what = "client certificate";
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(s, c->key_file,
						SSL_FILETYPE_PEM) != 1) {
			what = "client key";
			goto fail;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		SSL_CTX_free(s);
		return -ENOMEM;
	}
	t->ssl = s;
	*out = t;
	return 0;
fail:
	snprintf(err, errlen, "TLS: cannot load %s: %s", what,
		 ERR_reason_error_string(ERR_peek_last_error()) ?: "error");
	ERR_clear_error();
	SSL_CTX_free(s);
	return -EINVAL;
}

void hc_tls_ctx_free(struct hc_tls_ctx *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ssl);
	free(t);
}

int hc_tls_new(struct hc_tls_ctx *t, int fd, const char *sni,
	       const char *verify_host, struct hc_tls_sess *resume,
	       struct hc_tls **out)
{
	SSL *s = SSL_new(t->ssl);

	if (!s)
		return -ENOMEM;
	if (SSL_set_fd(s, fd) != 1 ||
	    (sni && SSL_set_tlsext_host_name(s, sni) != 1) ||
	    (verify_host && SSL_set1_host(s, verify_host) != 1) ||
	    (resume && SSL_set_session(s, (SSL_SESSION *)resume) != 1)) {
		ERR_clear_error();
		SSL_free(s);
		return -EINVAL;
	}
	SSL_set_connect_state(s);
	*out = (struct hc_tls *)s;
	return 0;
}

void hc_tls_free(struct hc_tls *c)
{
	SSL_free((SSL *)c);
}

static int tls_err(SSL *s, int ret, unsigned *want, char *reason, size_t rlen)
{
	int e = SSL_get_error(s, ret);
	unsigned long code;
	long vr;

	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want = EPOLLIN;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = EPOLLOUT;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (errno && errno != EAGAIN) {
			int err = errno;

			snprintf(reason, rlen, "TLS: %s", strerror(err));
			reason[5] = reason[5] >= 'A' && reason[5] <= 'Z'
					    ? reason[5] + 32
					    : reason[5];
			ERR_clear_error();
			return -err;
		}
		snprintf(reason, rlen, "TLS: connection closed by peer");
		ERR_clear_error();
		return -ECONNRESET;
	default:
		vr = SSL_get_verify_result(s);
		if (vr != X509_V_OK)
			snprintf(reason, rlen,
				 "TLS: certificate verify failed (%s)",
				 X509_verify_cert_error_string(vr));
		else if ((code = ERR_peek_last_error()))
			snprintf(reason, rlen, "TLS: %s",
				 ERR_reason_error_string(code) ?: "error");
		else
			snprintf(reason, rlen, "TLS: protocol error");
		ERR_clear_error();
		return -EPROTO;
	}
}

int hc_tls_handshake(struct hc_tls *c, unsigned *want, char *reason,
		     size_t rlen)
{
	SSL *s = (SSL *)c;
	int ret;

	errno = 0;
	ret = SSL_do_handshake(s);
	if (ret == 1)
		return 0;
	ret = tls_err(s, ret, want, reason, rlen);
	if (!ret) {
		snprintf(reason, rlen, "TLS: connection closed by peer");
		return -ECONNRESET;
	}
	return ret;
}

ssize_t hc_tls_write(struct hc_tls *c, const void *buf, size_t len,
		     unsigned *want, char *reason, size_t rlen)
{
	SSL *s = (SSL *)c;
	int ret;

	errno = 0;
	ret = SSL_write(s, buf, len);
	if (ret > 0)
		return ret;
	ret = tls_err(s, ret, want, reason, rlen);
	return ret ? ret : -ECONNRESET;
}

ssize_t hc_tls_read(struct hc_tls *c, void *buf, size_t len, unsigned *want,
		    char *reason, size_t rlen)
{
	SSL *s = (SSL *)c;
	int ret;

	errno = 0;
	ret = SSL_read(s, buf, len);
	if (ret > 0)
		return ret;
	return tls_err(s, ret, want, reason, rlen);
}

bool hc_tls_resumed(const struct hc_tls *c)
{
	return SSL_session_reused((SSL *)c);
}

const char *hc_tls_version(const struct hc_tls *c)
{
	switch (SSL_version((const SSL *)c)) {
	case TLS1_3_VERSION:
		return "1.3";
	case TLS1_2_VERSION:
		return "1.2";
	default:
		return "other";
	}
}

const char *hc_tls_key_exchange(const struct hc_tls *c)
{
	SSL *s = (SSL *)c;
	int nid = SSL_get_negotiated_group(s);

	if (!nid || (SSL_session_reused(s) && SSL_version(s) != TLS1_3_VERSION))
		return "none";
	switch (nid) {
	case NID_X25519:
		return "x25519";
	case NID_X9_62_prime256v1:
		return "secp256r1";
	case NID_secp384r1:
		return "secp384r1";
	case NID_secp521r1:
		return "secp521r1";
	case NID_X448:
		return "x448";
	default:
		return "other";
	}
}

struct hc_tls_sess *hc_tls_session(struct hc_tls *c)
{
	SSL_SESSION *s = SSL_get1_session((SSL *)c);

	if (s && !SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(s);
		return NULL;
	}
	return (struct hc_tls_sess *)s;
}

void hc_tls_sess_free(struct hc_tls_sess *s)
{
	SSL_SESSION_free((SSL_SESSION *)s);
}
#endif /* HC_TLS_OPENSSL */
