// SPDX-License-Identifier: GPL-2.0
/* nlb-hc run by nlblet (--hc-bin): started once its configuration exists,
 * restarted when it exits. It is left running when nlblet stops (health
 * checking goes on, fail static), and a restarted nlblet adopts it through
 * the pid file beside the state file instead of starting a second one. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nlblet.h"

#define RESTART_MS 1000

static void pid_path(const struct nlblet *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s.pid", n->o.hc_state);
}

/* pid runs an nlb-hc binary (a rebuilt one reads "nlb-hc (deleted)") */
static bool is_nlb_hc(pid_t pid)
{
	char p[64], exe[4096];
	const char *base;
	ssize_t k;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	k = readlink(p, exe, sizeof(exe) - 1);
	if (k < 0)
		return false;
	exe[k] = 0;
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return !strncmp(base, "nlb-hc", 6) &&
	       (!base[6] || !strcmp(base + 6, " (deleted)"));
}

static void adopt(struct nlblet *n)
{
	char path[4200];
	FILE *f;
	int pid = 0;

	pid_path(n, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) == 1 && pid > 0 && is_nlb_hc(pid)) {
		n->hc_pid = pid;
		n->hc_adopted = true;
		nlb_logf(&n->log, NLB_LOG_INFO, "event=hc_adopted pid=%d", pid);
	}
	fclose(f);
}

static void start(struct nlblet *n)
{
	/* checks through the tunnel leave by the forwarder's interface */
	const char *argv[] = {
		n->o.hc_bin,	 "--config",
		n->o.hc_config,	 "--state",
		n->o.hc_state,	 "--stream",
		n->o.hc_stream,	 "--metrics",
		n->o.hc_metrics, n->o.iface ? "--tunnel-iface" : NULL,
		n->o.iface,	 NULL};
	struct sched_param sp = {.sched_priority = 10};
	char path[4200], pid_text[32];
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		nlb_logf(&n->log, NLB_LOG_ERROR, "event=hc_start_failed err=%d",
			 -errno);
		n->hc_restart_ms = nlblet_now_ms() + RESTART_MS;
		return;
	}
	if (!pid) {
		/* as deploy/systemd/nlb-hc.service runs it: the checker's
		 * schedule must not slip behind batch work (docs/nlb-hc.md);
		 * without the privilege it runs as it is */
		sched_setscheduler(0, SCHED_FIFO, &sp);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	n->hc_pid = pid;
	n->hc_adopted = false;
	pid_path(n, path, sizeof(path));
	snprintf(pid_text, sizeof(pid_text), "%d\n", (int)pid);
	if (nlblet_write_atomic(path, pid_text))
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=hc_pidfile_failed file=%s", path);
	nlb_logf(&n->log, NLB_LOG_INFO, "event=hc_started pid=%d bin=%s",
		 (int)pid, n->o.hc_bin);
}

void nlblet_hc_supervise(struct nlblet *n)
{
	static bool looked;
	int st;

	if (!n->o.hc_bin)
		return;
	if (!looked) {
		looked = true;
		adopt(n);
	}
	if (n->hc_pid > 0) {
		if (n->hc_adopted) {
			if (!kill(n->hc_pid, 0) && is_nlb_hc(n->hc_pid))
				return;
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=hc_exited pid=%d action=restart",
				 (int)n->hc_pid);
		} else {
			if (waitpid(n->hc_pid, &st, WNOHANG) == 0)
				return;
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=hc_exited pid=%d status=%d signal=%d "
				 "action=restart",
				 (int)n->hc_pid,
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1,
				 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		}
		n->hc_pid = 0;
		n->hc_restart_ms = nlblet_now_ms() + RESTART_MS;
		return;
	}
	if (nlblet_now_ms() < n->hc_restart_ms)
		return;
	if (access(n->o.hc_config, R_OK))
		return; /* written with the first assignments */
	start(n);
}
