/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc logging: one key=value line per event on stderr, with levels. */
#ifndef HC_LOG_H
#define HC_LOG_H

enum hc_log_level { HC_LOG_DEBUG, HC_LOG_INFO, HC_LOG_WARN, HC_LOG_ERROR };

struct hc_log {
	enum hc_log_level level;
};

int hc_log_level_parse(const char *s, enum hc_log_level *out);

/* fmt holds the key=value fields after ts= and level=. */
void hc_log(const struct hc_log *l, enum hc_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* HC_LOG_H */
