/* SPDX-License-Identifier: GPL-2.0 */
/* The LoadBalancer resource as tenants write it: validation of a request
 * document into its canonical form (defaults filled in, nothing unknown). */
#ifndef NLB_GW_LB_H
#define NLB_GW_LB_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "cp_json.h"

struct gw_limits {
	int max_listeners;
	int max_backends; /* per load balancer, all listeners together */
	int max_replicas;
};

#define GW_LIMITS_DEFAULT                                                     \
	{                                                                     \
		.max_listeners = 64, .max_backends = 4096, .max_replicas = 16 \
	}

/* Validates a user document {kind?, name, labels?, spec} (metadata and
 * status are accepted and ignored, so that a GET result can be PUT back).
 * On success *canon is a new object {name, labels, spec} with every default
 * filled in; on failure e names the field and *canon is NULL.
 * name_from_path, when not NULL, is the name the URL gives: a body name
 * must match it, and it is used when the body has none. */
int gw_lb_validate(const cJSON *doc, const char *name_from_path,
		   const struct gw_limits *lim, cJSON **canon,
		   struct cp_err *e);

/* The same from raw bytes (400 on malformed JSON); for the fuzzers. */
int gw_lb_validate_text(const char *body, size_t len,
			const struct gw_limits *lim, cJSON **canon,
			struct cp_err *e);

/* Validates the backends array of one listener into out (an array);
 * *total counts backends across listeners against lim->max_backends. */
int gw_backends_validate(const cJSON *arr, const char *path,
			 const struct gw_limits *lim, int *total, cJSON *out,
			 struct cp_err *e);
/* Validates a DNS-label style name (1-63 of [a-z0-9-], no dash at ends). */
int gw_name_check(const char *s);
/* "2026-11-22T03:00:00Z" -> seconds since the epoch, or -EINVAL. */
int gw_time_parse(const char *s, int64_t *out);
/* Counts the backends of a canonical spec. */
int gw_lb_backend_count(const cJSON *spec);

#endif /* NLB_GW_LB_H */
