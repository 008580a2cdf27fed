// SPDX-License-Identifier: GPL-2.0
/* nlb-hc config file: reading it, applying it, and noticing when it changes
 * (inotify on its directory, so that a replace by rename is seen too). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hc.h"

#define CONFIG_MAX (256u << 20)

static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	size_t off = 0;
	char *buf;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if ((size_t)st.st_size > CONFIG_MAX) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, st.st_size - off);

		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n)
			break;
		off += n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[off] = '\0';
	*out = buf;
	*len = off;
	return 0;
}

int hc_config_check(const char *path, char *msg, size_t len)
{
	struct hc_config *cfg = NULL;
	char *text;
	size_t n;
	int err;

	err = read_file(path, &text, &n);
	if (err) {
		snprintf(msg, len, "%s", strerror(-err));
		return err;
	}
	err = hc_config_parse(text, n, &cfg, msg, len);
	free(text);
	if (!err) {
		int checks = 0;

		for (int i = 0; i < cfg->n_backends; i++)
			checks += cfg->backends[i].n_checks;
		snprintf(msg, len, "%d backends, %d checks", cfg->n_backends,
			 checks);
	}
	hc_config_free(cfg);
	return err;
}

int hc_config_load(struct hc_ctx *ctx)
{
	struct hc_config *cfg = NULL;
	char err_msg[512];
	char *text = NULL;
	size_t len = 0;
	int err;

	err = read_file(ctx->opts->config, &text, &len);
	if (err) {
		snprintf(err_msg, sizeof(err_msg), "%s", strerror(-err));
	} else {
		err = hc_config_parse(text, len, &cfg, err_msg,
				      sizeof(err_msg));
		free(text);
	}
	if (!err) {
		err = hc_registry_apply(ctx, cfg);
		if (err)
			snprintf(err_msg, sizeof(err_msg), "applying: %s",
				 strerror(-err));
	}
	hc_config_free(cfg);
	if (err) {
		ctx->m.reloads_failed++;
		nlb_logf(&ctx->log, NLB_LOG_ERROR,
			 "event=config_rejected file=%s reason=\"%s\" "
			 "action=keep_previous",
			 ctx->opts->config, err_msg);
		return err;
	}
	ctx->m.reloads_ok++;
	ctx->state_dirty = true;
	nlb_logf(&ctx->log, NLB_LOG_INFO,
		 "event=config_loaded file=%s probes=%d backends=%d",
		 ctx->opts->config, ctx->n_probes, ctx->n_groups);
	return 0;
}

int hc_config_watch(struct hc_ctx *ctx)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &ctx->ino_ev};
	char *dup = strdup(ctx->opts->config);
	int err = 0;

	if (!dup)
		return -ENOMEM;
	ctx->ino_ev.kind = EV_INOTIFY;
	ctx->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ctx->ino_fd < 0 ||
	    inotify_add_watch(ctx->ino_fd, dirname(dup),
			      IN_CLOSE_WRITE | IN_MOVED_TO) < 0 ||
	    epoll_ctl(ctx->epfd, EPOLL_CTL_ADD, ctx->ino_fd, &e))
		err = -errno;
	free(dup);
	return err;
}

void hc_config_watch_event(struct hc_ctx *ctx)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char *dup = strdup(ctx->opts->config);
	const char *base = dup ? basename(dup) : "";
	ssize_t n;

	while ((n = read(ctx->ino_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, base) &&
			    ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
				ctx->reload_pending = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	free(dup);
}
