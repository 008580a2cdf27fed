// SPDX-License-Identifier: GPL-2.0
/* nlb-gateway: the nlb REST API server (load balancers, tenants, pools,
 * nodes). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cp_daemon.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct store *st = NULL;
	struct nlb_log log;
	struct cp_cfg cfg;
	int err;

	err = cp_daemon_setup(argc, argv, "nlb-gateway",
			      "The nlb REST API server.", cp_gateway_flags,
			      cp_gateway_nflags, &cfg, &log, &st);
	if (err)
		return err == 1 ? 0 : 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	err = cp_gateway_run(&cfg, &log, st, &stop);
	if (err == -EBUSY)
		return 0; /* threads still use the store; exit reclaims it */
	store_close(st);
	return err ? 1 : 0;
}
