// SPDX-License-Identifier: GPL-2.0
/* nlb-scheduler: places each load balancer's VIP on LB nodes; one leader
 * at a time. */
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

	err = cp_daemon_setup(argc, argv, "nlb-scheduler",
			      "Places VIPs on LB nodes; one leader at a time.",
			      cp_scheduler_flags, cp_scheduler_nflags, &cfg,
			      &log, &st);
	if (err)
		return err == 1 ? 0 : 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = cp_scheduler_run(&cfg, &log, st, &stop);
	store_close(st);
	return err ? 1 : 0;
}
