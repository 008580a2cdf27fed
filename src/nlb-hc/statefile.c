// SPDX-License-Identifier: GPL-2.0
/* nlb-hc state file: the snapshot written to a temporary file and renamed
 * over the old one, so a reader sees the old file or the new, never half. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "hc.h"

int hc_statefile_write(struct hc_ctx *ctx)
{
	struct hc_buf *b = &ctx->scratch;
	char tmp[4096];
	size_t off = 0;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", ctx->opts->state) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	hc_buf_reset(b);
	hc_report_snapshot(b, ctx);
	if (b->err)
		return b->err;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n < 0) {
			err = -errno;
			break;
		}
		off += n;
	}
	/* no fsync: the file describes this boot's probes, and a consumer
	 * that outlives a crash of the machine outlives the state as well */
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, ctx->opts->state))
		err = -errno;
	if (err)
		unlink(tmp);
	else
		ctx->state_dirty = false;
	return err;
}
