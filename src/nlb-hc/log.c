// SPDX-License-Identifier: GPL-2.0
/* nlb-hc logging: key=value lines with a UTC timestamp and a level. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const names[] = {"debug", "info", "warn", "error"};

int hc_log_level_parse(const char *s, enum hc_log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

void hc_log(const struct hc_log *l, enum hc_log_level lvl, const char *fmt, ...)
{
	char line[1024], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl < l->level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s ", ts,
		     now.tv_nsec / 1000000, names[lvl]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* one write per line so that lines of concurrent writers never mix */
	fprintf(stderr, "%s\n", line);
}
