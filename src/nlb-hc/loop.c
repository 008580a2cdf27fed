// SPDX-License-Identifier: GPL-2.0
/* nlb-hc event loop: epoll for sockets, the timer heap for probe slots and
 * deadlines, and the rate-limited state file write. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "hc.h"

#define NS_PER_MS 1000000ull

/* Wake-ups fall on a grid of this step, so that one wake-up starts every
 * probe whose slot came since the last: at 1,000 checks a second that is
 * four per wake-up instead of one, and the context switches were most of
 * the agent's own CPU per check. It costs at most this much schedule lag,
 * which is reported as lag. HC_WAKE_NS may be overridden at build time. */
#ifndef HC_WAKE_NS
#define HC_WAKE_NS (4 * NS_PER_MS)
#endif

uint64_t hc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t hc_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void on_signal(struct hc_ctx *ctx)
{
	struct signalfd_siginfo si;

	while (read(ctx->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			nlb_logf(&ctx->log, NLB_LOG_INFO,
				 "event=signal signal=HUP action=reload");
			ctx->reload_pending = true;
		} else {
			nlb_logf(&ctx->log, NLB_LOG_INFO,
				 "event=signal signal=%u action=stop",
				 si.ssi_signo);
			ctx->stop = true;
		}
	}
}

static void dispatch(struct hc_ctx *ctx, struct hc_ev *ev, unsigned events)
{
	switch (ev->kind) {
	case EV_PROBE:
		hc_probe_io(ctx,
			    (struct hc_probe *)((char *)ev -
						offsetof(struct hc_probe, ev)),
			    events);
		break;
	case EV_STREAM_LISTEN:
	case EV_STREAM_CLIENT:
		hc_stream_event(ctx, ev, events);
		break;
	case EV_METRICS_LISTEN:
	case EV_METRICS_CLIENT:
		hc_metrics_http_event(ctx, ev, events);
		break;
	case EV_INOTIFY:
		hc_config_watch_event(ctx);
		break;
	case EV_SIGNAL:
		on_signal(ctx);
		break;
	}
}

static uint64_t next_wakeup(struct hc_ctx *ctx)
{
	struct hc_timer *t = hc_heap_min(&ctx->heap);
	uint64_t when = t ? t->when : UINT64_MAX;

	if (ctx->state_dirty) {
		uint64_t w = ctx->state_written +
			     ctx->opts->state_min_ms * NS_PER_MS;

		if (w < when)
			when = w;
	}
	return when;
}

int hc_loop_run(struct hc_ctx *ctx)
{
	struct epoll_event evs[256];

	while (!ctx->stop) {
		uint64_t when = next_wakeup(ctx), now = hc_now_ns();
		struct timespec ts, *tsp = NULL;
		struct hc_timer *t;
		int n, err;

		if (when != UINT64_MAX) {
			uint64_t d;

			when = (when + HC_WAKE_NS - 1) / HC_WAKE_NS *
			       HC_WAKE_NS;
			d = when > now ? when - now : 0;

			ts.tv_sec = d / 1000000000ull;
			ts.tv_nsec = d % 1000000000ull;
			tsp = &ts;
		}
		n = epoll_pwait2(ctx->epfd, evs, 256, tsp, NULL);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++)
			dispatch(ctx, evs[i].data.ptr, evs[i].events);
		/* a fresh clock per timer: lag must not hide behind the time
		 * spent on the timers before it */
		while ((t = hc_heap_min(&ctx->heap)) &&
		       t->when <= (now = hc_now_ns()))
			hc_probe_timer(
				ctx,
				(struct hc_probe *)((char *)t -
						    offsetof(struct hc_probe,
							     timer)),
				now);
		hc_stream_sweep(ctx);
		if (ctx->reload_pending) {
			ctx->reload_pending = false;
			hc_config_load(ctx);
		}
		now = hc_now_ns();
		if (ctx->state_dirty &&
		    now >= ctx->state_written +
				    ctx->opts->state_min_ms * NS_PER_MS) {
			err = hc_statefile_write(ctx);
			ctx->state_written = now;
			if (err)
				nlb_logf(&ctx->log, NLB_LOG_ERROR,
					 "event=state_file_failed path=%s "
					 "errno=%d",
					 ctx->opts->state, -err);
		}
	}
	return 0;
}
