// SPDX-License-Identifier: GPL-2.0
/* libbpf's messages through a daemon's one log. */
#include "log_libbpf.h"

#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

static struct nlb_log *libbpf_log;

static int print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	if (lvl == LIBBPF_DEBUG || !libbpf_log)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	nlb_logf(libbpf_log, lvl == LIBBPF_WARN ? NLB_LOG_WARN : NLB_LOG_INFO,
		 "event=libbpf msg=\"%s\"", msg);
	return 0;
}

void nlb_log_libbpf(struct nlb_log *log)
{
	libbpf_log = log;
	libbpf_set_print(print);
}
