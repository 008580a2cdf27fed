// SPDX-License-Identifier: GPL-2.0
/* The daemons' key=value log (see log.h). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *const names[] = {"error", "warn", "info", "debug"};

void nlb_logf(struct nlb_log *l, enum nlb_log_level lvl, const char *fmt, ...)
{
	char line[2048], ts[40];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl > l->level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s daemon=%s ", ts,
		     now.tv_nsec / 1000000, names[lvl], l->daemon);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line keeps lines whole across threads */
	fprintf(l->f, "%s\n", line);
	fflush(l->f);
}

int nlb_log_level_parse(const char *s, enum nlb_log_level *out)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum nlb_log_level)i;
			return 0;
		}
	return -EINVAL;
}
