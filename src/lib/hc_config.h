/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc configuration: the parsed, validated form of the JSON check file. */
#ifndef HC_CONFIG_H
#define HC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum hc_type { HC_ICMP, HC_TCP, HC_HTTP, HC_HTTPS };
enum hc_combine { HC_COMBINE_ALL, HC_COMBINE_ANY };

#define HC_MAX_RANGES 8
#define HC_MAX_BODY 128 /* longest body substring we look for */
#define HC_MAX_RISE_FALL 100
#define HC_MAX_CHECKS 16 /* per backend */

/* An address without a port; family 0 means "none given". */
struct hc_addr {
	sa_family_t family;
	uint8_t bytes[16];
};

struct hc_status_range {
	uint16_t lo, hi;
};

/* TLS session resumption of an https check (docs/nlb-hc.md says what each
 * proves): off; on, with whatever key exchange the server picks (TLS 1.3:
 * psk_dhe_ke, an ECDHE exchange each time); or offering only psk_ke, a
 * TLS 1.3 resumption without any public-key math, which the server must
 * allow (else every handshake stays full). */
enum hc_resume { HC_RESUME_OFF, HC_RESUME_ON, HC_RESUME_PSK_KE };

struct hc_check {
	enum hc_type type;
	uint16_t port; /* 0 for icmp */
	uint32_t interval_ms, timeout_ms;
	uint8_t rise, fall;
	struct hc_addr source; /* of the packets the probe sends */
	/* through the tunnel: sent to this VIP, encapsulated to the backend;
	 * family 0 when the check goes to the backend's address */
	struct hc_addr tunnel;
	/* http(s) */
	char *host, *path, *body;
	struct hc_status_range ranges[HC_MAX_RANGES];
	int n_ranges;
	/* https */
	char *sni, *ca_file, *cert_file, *key_file;
	bool verify;
	enum hc_resume resume;
	uint8_t tls_min, tls_max; /* 12 or 13 */
};

struct hc_backend {
	struct hc_addr addr;
	char **vips;
	int n_vips;
	enum hc_combine combine;
	struct hc_check *checks;
	int n_checks;
};

struct hc_config {
	struct hc_backend *backends;
	int n_backends;
};

/* Parse and validate a config file's text. On failure returns -EINVAL (or
 * -ENOMEM) and writes "line L: ..." or "<key path>: ..." into err. */
int hc_config_parse(const char *text, size_t len, struct hc_config **out,
		    char *err, size_t errlen);
void hc_config_free(struct hc_config *cfg);

/* The identity of a probe: two checks with equal keys are one probe. Returns
 * the length written (truncation is reported as -ENOSPC). */
int hc_check_key(const struct hc_check *c, const struct hc_addr *addr,
		 char *buf, size_t len);

/* Deep copy, for checks that outlive the config they came from. */
int hc_check_copy(struct hc_check *dst, const struct hc_check *src);
void hc_check_free(struct hc_check *c);

const char *hc_type_name(enum hc_type t);
int hc_addr_parse(const char *s, struct hc_addr *a);
/* Formats without port; buf needs 46 bytes. */
const char *hc_addr_str(const struct hc_addr *a, char *buf, size_t len);
/* "200-299,301" into ranges; returns the count or -EINVAL. */
int hc_ranges_parse(const char *s, struct hc_status_range *r, int max);
bool hc_ranges_match(const struct hc_status_range *r, int n, int status);

#endif /* HC_CONFIG_H */
