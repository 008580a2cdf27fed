// SPDX-License-Identifier: GPL-2.0
/* nlb-controlplane: the whole control plane in one process, API gateway
 * and scheduler on one store. */
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

struct sched_thread {
	const struct cp_cfg *cfg;
	struct nlb_log *log;
	struct store *st;
};

static void *sched_main(void *arg)
{
	struct sched_thread *t = arg;

	cp_scheduler_run(t->cfg, t->log, t->st, &stop);
	return NULL;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct store *st = NULL;
	struct sched_thread t;
	struct nlb_log log;
	struct cp_cfg cfg;
	pthread_t th;
	int err;

	err = cp_daemon_setup(argc, argv, "nlb-controlplane",
			      "Gateway and scheduler in one process on one "
			      "store.",
			      cp_controlplane_flags, cp_controlplane_nflags,
			      &cfg, &log, &st);
	if (err)
		return err == 1 ? 0 : 2;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	t = (struct sched_thread){&cfg, &log, st};
	if (pthread_create(&th, NULL, sched_main, &t)) {
		store_close(st);
		return 1;
	}
	err = cp_gateway_run(&cfg, &log, st, &stop);
	stop = 1;
	pthread_join(th, NULL);
	if (err == -EBUSY)
		return 0; /* threads still use the store; exit reclaims it */
	store_close(st);
	return err ? 1 : 0;
}
