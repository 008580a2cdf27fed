/* SPDX-License-Identifier: GPL-2.0 */
/* The daemons' log: one key=value line per event, with levels. */
#ifndef NLB_LOG_H
#define NLB_LOG_H

#include <stdio.h>

enum nlb_log_level { NLB_LOG_ERROR, NLB_LOG_WARN, NLB_LOG_INFO, NLB_LOG_DEBUG };

struct nlb_log {
	FILE *f;
	enum nlb_log_level level;
	const char *daemon;
};

/* Writes "ts=... level=... daemon=... <fmt>" as one line. */
void nlb_logf(struct nlb_log *l, enum nlb_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int nlb_log_level_parse(const char *s, enum nlb_log_level *out);

#endif /* NLB_LOG_H */
