// SPDX-License-Identifier: GPL-2.0
/* nlb-hc TLS client on GnuTLS: the only file that includes GnuTLS, built
 * when HC_TLS=gnutls (see build.mk; tls_openssl.c is the other backend). */
#ifdef HC_TLS_GNUTLS
#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "hc_config.h"
#include "tls.h"

struct hc_tls_ctx {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	bool verify, resume;
};

struct hc_tls_sess {
	gnutls_datum_t data;
};

/* One connection. What GnuTLS sends is held here and sent when the
 * handshake waits for the server, or with the request: the client's
 * Finished and the request go out in one segment, not two (a segment
 * less for both ends' kernels on every check). */
struct hc_tls {
	gnutls_session_t s;
	int fd;
	char *out;
	size_t out_len, out_off, out_cap;
	ssize_t taken; /* a record GnuTLS took whose bytes are still held */
};

static ssize_t hold(gnutls_transport_ptr_t ptr, const giovec_t *iov, int n)
{
	struct hc_tls *c = ptr;
	size_t total = 0;

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (c->out_len + total > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + total)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) {
			gnutls_transport_set_errno(c->s, ENOMEM);
			return -1;
		}
		c->out = p;
		c->out_cap = cap;
	}
	for (int i = 0; i < n; i++) {
		memcpy(c->out + c->out_len, iov[i].iov_base, iov[i].iov_len);
		c->out_len += iov[i].iov_len;
	}
	return (ssize_t)total;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct hc_tls *c = ptr;
	ssize_t n = recv(c->fd, buf, len, 0);

	if (n < 0)
		gnutls_transport_set_errno(c->s, errno);
	return n;
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms)
{
	struct hc_tls *c = ptr;
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	int n = poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);

	if (n < 0)
		gnutls_transport_set_errno(c->s, errno);
	return n;
}

/* Sends what is held: 0, -EAGAIN (wait for EPOLLOUT) or -errno. */
static int flush(struct hc_tls *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		c->out_off += n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/* flush's error as a result of the calls below. */
static int flush_err(int err, unsigned *want, char *reason, size_t rlen)
{
	if (err == -EAGAIN || err == -EWOULDBLOCK) {
		*want = EPOLLOUT;
		return -EAGAIN;
	}
	snprintf(reason, rlen, "TLS: %s", strerror(-err));
	if (reason[5] >= 'A' && reason[5] <= 'Z')
		reason[5] += 'a' - 'A';
	return err;
}

const char *hc_tls_library(void)
{
	static char name[32];

	snprintf(name, sizeof(name), "GnuTLS %s", gnutls_check_version(NULL));
	return name;
}

int hc_tls_ctx_new(const struct hc_check *c, struct hc_tls_ctx **out, char *err,
		   size_t errlen)
{
	const char *what = "credentials";
	struct hc_tls_ctx *t;
	char prio[384];
	int ret;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->verify = c->verify;
	t->resume = c->resume;
	ret = gnutls_certificate_allocate_credentials(&t->cred);
	if (ret < 0)
		goto fail;
	if (c->verify) {
		what = "CA file";
		ret = c->ca_file ? gnutls_certificate_set_x509_trust_file(
					   t->cred, c->ca_file,
					   GNUTLS_X509_FMT_PEM)
				 : gnutls_certificate_set_x509_system_trust(
					   t->cred);
		if (ret == 0)
			ret = GNUTLS_E_NO_CERTIFICATE_FOUND;
		if (ret < 0)
			goto fail;
	}
	if (c->cert_file) {
		what = "client certificate";
		ret = gnutls_certificate_set_x509_key_file(
			t->cred, c->cert_file, c->key_file,
			GNUTLS_X509_FMT_PEM);
		if (ret < 0)
			goto fail;
	}
	what = "priorities";
	/* NORMAL, reordered for the cheapest handshake a server will take
	 * (docs/nlb-hc.md, "Key share and cipher"): X25519 first, so that the
	 * one key share sent is X25519's; AES-128-GCM first, so that TLS 1.3
	 * derives its keys with SHA-256 rather than SHA-384. Every group and
	 * cipher of NORMAL is still offered. +PSK makes the client offer
	 * psk_ke alone, since NORMAL has no (EC)DHE-PSK to add psk_dhe_ke: a
	 * resumption without key exchange. */
	snprintf(prio, sizeof(prio),
		 "NORMAL:-VERS-ALL%s%s:-GROUP-ALL:+GROUP-X25519"
		 ":+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1"
		 ":+GROUP-X448:+GROUP-FFDHE2048:+GROUP-FFDHE3072"
		 ":+GROUP-FFDHE4096:+GROUP-FFDHE6144:+GROUP-FFDHE8192"
		 ":-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305:+AES-256-GCM"
		 ":+AES-128-CCM:+AES-256-CCM:+AES-128-CBC:+AES-256-CBC%s",
		 c->tls_max == 13 ? ":+VERS-TLS1.3" : "",
		 c->tls_min == 12 ? ":+VERS-TLS1.2" : "",
		 c->resume == HC_RESUME_PSK_KE ? ":+PSK" : "");
	ret = gnutls_priority_init(&t->prio, prio, NULL);
	if (ret < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	snprintf(err, errlen, "TLS: cannot load %s: %s", what,
		 gnutls_strerror(ret));
	hc_tls_ctx_free(t);
	return -EINVAL;
}

void hc_tls_ctx_free(struct hc_tls_ctx *t)
{
	if (!t)
		return;
	if (t->prio)
		gnutls_priority_deinit(t->prio);
	if (t->cred)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
}

int hc_tls_new(struct hc_tls_ctx *t, int fd, const char *sni,
	       const char *verify_host, struct hc_tls_sess *resume,
	       struct hc_tls **out)
{
	/* one key share, for the first group of the priorities (X25519), not
	 * GnuTLS's default two: a key generation less per handshake; a server
	 * without X25519 asks for another group (HelloRetryRequest) */
	unsigned flags = GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_KEY_SHARE_TOP;
	struct hc_tls *c;
	gnutls_session_t s;

	/* without resumption, a ticket is work for both sides and no use */
	if (!t->resume)
		flags |= GNUTLS_NO_TICKETS;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (gnutls_init(&s, flags) < 0) {
		free(c);
		return -ENOMEM;
	}
	if (gnutls_priority_set(s, t->prio) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, t->cred) < 0 ||
	    (sni && gnutls_server_name_set(s, GNUTLS_NAME_DNS, sni,
					   strlen(sni)) < 0) ||
	    (resume && gnutls_session_set_data(s, resume->data.data,
					       resume->data.size) < 0)) {
		gnutls_deinit(s);
		free(c);
		return -EINVAL;
	}
	if (t->verify)
		gnutls_session_set_verify_cert(s, verify_host, 0);
	c->s = s;
	c->fd = fd;
	gnutls_transport_set_ptr(s, c);
	gnutls_transport_set_vec_push_function(s, hold);
	gnutls_transport_set_pull_function(s, pull);
	gnutls_transport_set_pull_timeout_function(s, pull_timeout);
	*out = c;
	return 0;
}

void hc_tls_free(struct hc_tls *c)
{
	if (!c)
		return;
	gnutls_deinit(c->s);
	free(c->out);
	free(c);
}

/* The words OpenSSL users know, for the status bits that matter. */
static const char *verify_why(unsigned st)
{
	if (st & GNUTLS_CERT_EXPIRED)
		return "certificate has expired";
	if (st & GNUTLS_CERT_NOT_ACTIVATED)
		return "certificate is not yet valid";
	if (st & GNUTLS_CERT_REVOKED)
		return "certificate revoked";
	if (st & GNUTLS_CERT_UNEXPECTED_OWNER)
		return "hostname mismatch";
	if (st & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return "self-signed certificate or unknown issuer";
	if (st & GNUTLS_CERT_SIGNATURE_FAILURE)
		return "bad signature";
	if (st & GNUTLS_CERT_INSECURE_ALGORITHM)
		return "insecure algorithm";
	return "untrusted";
}

static int tls_err(gnutls_session_t s, int ret, unsigned *want, char *reason,
		   size_t rlen)
{
	int err = errno;

	switch (ret) {
	case GNUTLS_E_AGAIN:
	case GNUTLS_E_INTERRUPTED:
		*want = gnutls_record_get_direction(s) ? EPOLLOUT : EPOLLIN;
		return -EAGAIN;
	case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
		snprintf(reason, rlen, "TLS: certificate verify failed (%s)",
			 verify_why(gnutls_session_get_verify_cert_status(s)));
		return -EPROTO;
	case GNUTLS_E_PREMATURE_TERMINATION:
		snprintf(reason, rlen, "TLS: connection closed by peer");
		return -ECONNRESET;
	case GNUTLS_E_PUSH_ERROR:
	case GNUTLS_E_PULL_ERROR:
		if (err && err != EAGAIN) {
			snprintf(reason, rlen, "TLS: %s", strerror(err));
			if (reason[5] >= 'A' && reason[5] <= 'Z')
				reason[5] += 'a' - 'A';
			return -err;
		}
		snprintf(reason, rlen, "TLS: connection closed by peer");
		return -ECONNRESET;
	default:
		snprintf(reason, rlen, "TLS: %s", gnutls_strerror(ret));
		return -EPROTO;
	}
}

/* The flight ending the handshake stays held for the request. */
int hc_tls_handshake(struct hc_tls *c, unsigned *want, char *reason,
		     size_t rlen)
{
	int ret = flush(c);

	if (ret)
		return flush_err(ret, want, reason, rlen);
	errno = 0;
	ret = gnutls_handshake(c->s);
	if (!ret)
		return 0;
	ret = tls_err(c->s, ret, want, reason, rlen);
	if (ret == -EAGAIN && *want == EPOLLIN) {
		int err = flush(c);

		if (err)
			return flush_err(err, want, reason, rlen);
	}
	return ret;
}

/* The record counts as written once its bytes have left: until then
 * -EAGAIN, and the caller calls again with the same buffer. */
ssize_t hc_tls_write(struct hc_tls *c, const void *buf, size_t len,
		     unsigned *want, char *reason, size_t rlen)
{
	ssize_t ret = c->taken;
	int err;

	if (!ret) {
		errno = 0;
		ret = gnutls_record_send(c->s, buf, len);
		if (ret < 0)
			return tls_err(c->s, ret, want, reason, rlen);
	}
	err = flush(c);
	if (err) {
		c->taken = ret;
		return flush_err(err, want, reason, rlen);
	}
	c->taken = 0;
	return ret;
}

ssize_t hc_tls_read(struct hc_tls *c, void *buf, size_t len, unsigned *want,
		    char *reason, size_t rlen)
{
	gnutls_session_t s = c->s;
	ssize_t ret = flush(c);

	if (ret)
		return flush_err(ret, want, reason, rlen);
	errno = 0;
	ret = gnutls_record_recv(s, buf, len);
	if (ret >= 0)
		return ret;
	/* most HTTP servers close without close_notify: that is the end */
	if (ret == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	return tls_err(s, ret, want, reason, rlen);
}

bool hc_tls_resumed(const struct hc_tls *c)
{
	return gnutls_session_is_resumed(c->s);
}

const char *hc_tls_version(const struct hc_tls *c)
{
	switch (gnutls_protocol_get_version(c->s)) {
	case GNUTLS_TLS1_3:
		return "1.3";
	case GNUTLS_TLS1_2:
		return "1.2";
	default:
		return "other";
	}
}

const char *hc_tls_key_exchange(const struct hc_tls *c)
{
	gnutls_group_t g = gnutls_group_get(c->s);

	/* a TLS 1.2 resumption keeps the group of the session it resumed */
	if (!g || (gnutls_session_is_resumed(c->s) &&
		   gnutls_protocol_get_version(c->s) != GNUTLS_TLS1_3))
		return "none";
	switch (g) {
	case GNUTLS_GROUP_X25519:
		return "x25519";
	case GNUTLS_GROUP_SECP256R1:
		return "secp256r1";
	case GNUTLS_GROUP_SECP384R1:
		return "secp384r1";
	case GNUTLS_GROUP_SECP521R1:
		return "secp521r1";
	case GNUTLS_GROUP_X448:
		return "x448";
	default:
		return "other";
	}
}

struct hc_tls_sess *hc_tls_session(struct hc_tls *c)
{
	struct hc_tls_sess *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (gnutls_session_get_data2(c->s, &s->data) < 0 || !s->data.size) {
		hc_tls_sess_free(s);
		return NULL;
	}
	return s;
}

void hc_tls_sess_free(struct hc_tls_sess *s)
{
	if (!s)
		return;
	gnutls_free(s->data.data);
	free(s);
}
#endif /* HC_TLS_GNUTLS */
