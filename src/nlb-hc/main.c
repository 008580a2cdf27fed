// SPDX-License-Identifier: GPL-2.0
/* nlb-hc: the health-check agent. main wires the pieces together: options,
 * the context, signals, the config, the outputs, and the loop. */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "hc.h"
#include "log_libbpf.h"
#include "tls.h"

static int setup_signals(struct hc_ctx *ctx)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &ctx->sig_ev};
	sigset_t set;

	/* a stream client that goes away must not kill us */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	ctx->sig_ev.kind = EV_SIGNAL;
	ctx->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ctx->sig_fd < 0 ||
	    epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, ctx->sig_fd, &e))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct hc_opts opts;
	struct hc_ctx ctx = {
		.epfd = -1,
		.ino_fd = -1,
		.sig_fd = -1,
		.metrics_fd = -1,
	};
	char msg[256];
	const char *step;
	int err;

	err = hc_opts_parse(argc, argv, &opts, stdout, msg, sizeof(msg));
	if (err == 2)
		printf("nlb-hc tls=%s\n", hc_tls_library());
	if (err > 0)
		return 0;
	if (err) {
		fprintf(stderr, "nlb-hc: %s\n", msg);
		return 2;
	}
	if (opts.check_only) {
		char verdict[512];

		err = hc_config_check(opts.config, verdict, sizeof(verdict));
		printf("%s: %s: %s\n", opts.config, err ? "invalid" : "ok",
		       verdict);
		return err ? 1 : 0;
	}
	ctx.opts = &opts;
	ctx.log.level = opts.log_level;
	ctx.log.f = stderr;
	ctx.log.daemon = "nlb-hc";
	ctx.epoch = hc_now_ns();
	nlb_log_libbpf(&ctx.log);

	step = "epoll";
	ctx.epfd = epoll_create1(EPOLL_CLOEXEC);
	err = ctx.epfd < 0 ? -errno : 0;
	if (!err) {
		step = "signals";
		err = setup_signals(&ctx);
	}
	if (!err) {
		step = "config watch";
		err = hc_config_watch(&ctx);
	}
	if (!err && opts.tunnel_iface) {
		step = "tunnel";
		err = hc_tunnel_open(&opts, &ctx.tunnel);
		if (!err)
			nlb_logf(&ctx.log, NLB_LOG_INFO,
				 "event=tunnel_attached iface=%s "
				 "mark=0x%08x/0x%08x",
				 opts.tunnel_iface, opts.tunnel_mark,
				 opts.tunnel_mask);
	}
	if (!err) {
		step = "config";
		err = hc_config_load(&ctx);
	}
	if (!err) {
		step = "event stream";
		err = hc_stream_open(&ctx, opts.stream);
	}
	if (!err && opts.metrics[0]) {
		step = "metrics";
		err = hc_metrics_http_open(&ctx, opts.metrics);
	}
	if (!err) {
		step = "state file";
		err = hc_statefile_write(&ctx);
	}
	if (!err) {
		nlb_logf(&ctx.log, NLB_LOG_INFO,
			 "event=started stream=%s state=%s probes=%d "
			 "backends=%d",
			 opts.stream, opts.state, ctx.n_probes, ctx.n_groups);
		step = "loop";
		err = hc_loop_run(&ctx);
	}
	if (err)
		nlb_logf(&ctx.log, NLB_LOG_ERROR,
			 "event=fatal step=\"%s\" error=\"%s\"", step,
			 strerror(-err));
	else
		nlb_logf(&ctx.log, NLB_LOG_INFO, "event=stopped");

	hc_metrics_http_close(&ctx);
	hc_stream_close(&ctx);
	hc_registry_free(&ctx);
	hc_tunnel_close(ctx.tunnel);
	hc_heap_free(&ctx.heap);
	hc_buf_free(&ctx.scratch);
	if (ctx.ino_fd >= 0)
		close(ctx.ino_fd);
	if (ctx.sig_fd >= 0)
		close(ctx.sig_fd);
	if (ctx.epfd >= 0)
		close(ctx.epfd);
	return err ? 1 : 0;
}
