/* SPDX-License-Identifier: GPL-2.0 */
/* The control-plane daemons' log: one key=value line per event, levels. */
#ifndef NLB_CP_LOG_H
#define NLB_CP_LOG_H

#include <stdio.h>

enum cp_log_level { CP_LOG_ERROR, CP_LOG_WARN, CP_LOG_INFO, CP_LOG_DEBUG };

struct cp_log {
	FILE *f;
	enum cp_log_level level;
	const char *daemon;
};

/* Writes "ts=... level=... daemon=... <fmt>" as one line. */
void cp_logf(struct cp_log *l, enum cp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cp_log_level_parse(const char *s, enum cp_log_level *out);

#endif /* NLB_CP_LOG_H */
