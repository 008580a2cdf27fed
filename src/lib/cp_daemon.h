/* SPDX-License-Identifier: GPL-2.0 */
/* Wiring shared by nlb-gateway, nlb-scheduler and nlb-controlplane: their
 * one config struct and flag tables, and the serve/schedule loops. */
#ifndef NLB_CP_DAEMON_H
#define NLB_CP_DAEMON_H

#include <signal.h>

#include "cp_flags.h"
#include "log.h"
#include "store_kv.h"

struct cp_cfg {
	const char *store;
	const char *listen;
	long long port;
	const char *port_file;
	const char *admin_token_file;
	const char *tls_cert;
	const char *tls_key;
	long long max_body;
	long long max_listeners;
	long long max_backends;
	long long heartbeat_timeout_ms;
	long long interval_ms;
	long long lease_ms;
	long long drain_timeout_ms;
	const char *holder;
	const char *log_level;
};

void cp_cfg_defaults(struct cp_cfg *c);

extern const struct cp_flag cp_gateway_flags[];
extern const size_t cp_gateway_nflags;
extern const struct cp_flag cp_scheduler_flags[];
extern const size_t cp_scheduler_nflags;
extern const struct cp_flag cp_controlplane_flags[];
extern const size_t cp_controlplane_nflags;

/* Parses flags, sets up the log and opens the store; returns 0, 1 for
 * --help (usage printed), or -errno (message printed). */
int cp_daemon_setup(int argc, char **argv, const char *daemon, const char *what,
		    const struct cp_flag *t, size_t n, struct cp_cfg *cfg,
		    struct nlb_log *log, struct store **st);

/* Serves the API until *stop. */
int cp_gateway_run(const struct cp_cfg *cfg, struct nlb_log *log,
		   struct store *st, volatile sig_atomic_t *stop);
/* Schedules (when leader) until *stop. */
int cp_scheduler_run(const struct cp_cfg *cfg, struct nlb_log *log,
		     struct store *st, volatile sig_atomic_t *stop);

#endif /* NLB_CP_DAEMON_H */
