/* SPDX-License-Identifier: GPL-2.0 */
/* One FRR instance as FRR's own tools reach it: vtysh and frr-reload.py
 * with the instance's socket directory or pathspace, run with bgp_exec. */
#ifndef NLB_BGP_VTYSH_H
#define NLB_BGP_VTYSH_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp_exec.h"

/* Where the instance is; every field may be NULL (0) for FRR's default.
 * vtysh talks over Unix sockets, so no network namespace is needed. */
struct bgp_frr {
	const char *vty_socket; /* --vty_socket DIR: the daemons' sockets */
	const char *pathspace; /* -N NAME: /var/run/frr/NAME, /etc/frr/NAME */
	const char *config_dir; /* --config_dir: where vtysh.conf is */
	const char *bindir; /* where vtysh is; default /usr/bin */
	const char *reload_script; /* default /usr/lib/frr/frr-reload.py */
	const char *python; /* runs the script; default python3 */
	int timeout_ms; /* per command; default 20000 */
};

/* Output above this is an error rather than a truncated answer. */
#define BGP_VTYSH_MAX_OUT (64u << 20)

/* vtysh -c CMD. 0 with res filled when vtysh exited 0; -EIO when it
 * exited otherwise (res still filled, err has its first line); -ETIMEDOUT,
 * -ENOENT, ... from bgp_exec. Free res with bgp_exec_result_free(). */
int bgp_vtysh_cmd(const struct bgp_frr *f, const char *cmd,
		  struct bgp_exec_result *res, char *err, size_t errlen);

/* vtysh -c CMDS[0] -c CMDS[1] ...: one process for several commands (each
 * vtysh start costs tens of ms, more under load); their outputs follow
 * each other in res. */
int bgp_vtysh_cmds(const struct bgp_frr *f, const char *const *cmds, size_t n,
		   struct bgp_exec_result *res, char *err, size_t errlen);

/* Syntax check of a configuration file: vtysh --dryrun -f FILE. */
int bgp_vtysh_check(const struct bgp_frr *f, const char *file,
		    struct bgp_exec_result *res, char *err, size_t errlen);

/* vtysh -f FILE: the commands in FILE, in configuration mode. */
int bgp_vtysh_exec_file(const struct bgp_frr *f, const char *file,
			struct bgp_exec_result *res, char *err, size_t errlen);

/* frr-reload.py --test or --reload of FILE for bgpd (--daemon bgpd: the
 * other daemons' configuration is left alone), temp files in rundir. */
int bgp_vtysh_reload(const struct bgp_frr *f, const char *file,
		     const char *rundir, bool test_only,
		     struct bgp_exec_result *res, char *err, size_t errlen);

#endif /* NLB_BGP_VTYSH_H */
