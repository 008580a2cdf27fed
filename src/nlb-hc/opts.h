/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc command-line options: one table drives parsing, --help and the
 * docs. */
#ifndef HC_OPTS_H
#define HC_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

struct hc_opts {
	const char *config;
	const char *stream;
	const char *state;
	const char *metrics; /* host:port, "" to disable */
	unsigned state_min_ms; /* at most one state file write per this */
	const char *tunnel_iface; /* NULL: no check goes through the tunnel */
	uint32_t tunnel_mark, tunnel_mask; /* probe marks: mark | index */
	enum nlb_log_level log_level;
	bool check_only;
};

/* Returns 0, 1 for --help (printed to out), 2 for --version, or -EINVAL with
 * the message in err. */
int hc_opts_parse(int argc, char **argv, struct hc_opts *o, FILE *out,
		  char *err, size_t errlen);

#endif /* HC_OPTS_H */
