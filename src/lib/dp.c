// SPDX-License-Identifier: GPL-2.0
/* The loader: skeleton, sizes, pinning, bpf_link attach and upgrade. */
#include "dp.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nlb_xdp.skel.h"
#include "decap.skel.h"
#include "pass.skel.h"

struct nlb_dp {
	struct nlb_xdp_bpf *skel;
	struct nlb_maps maps;
	char pin_dir[256];
};

static int mkdir_p(const char *dir)
{
	char buf[256];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A pinned map keeps its size: libbpf refuses to reuse a pin whose
 * parameters differ, so take the pinned size over the requested one. */
static int size_map(struct bpf_map *map, const char *pin, __u32 want)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(pin), err;

	if (fd >= 0) {
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
		close(fd);
		if (err)
			return err;
		return bpf_map__set_max_entries(map, info.max_entries);
	}
	if (errno != ENOENT)
		return -errno;
	return want ? bpf_map__set_max_entries(map, want) : 0;
}

int nlb_dp__load(const struct nlb_dp_opts *opts, struct nlb_dp **out)
{
	const char *dir =
		opts && opts->pin_dir ? opts->pin_dir : NLB_DEFAULT_PIN_DIR;
	struct nlb_dp *dp;
	struct bpf_map *map;
	char pin[512];
	int err;

	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	if (snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", dir) >=
	    (int)sizeof(dp->pin_dir)) {
		err = -ENAMETOOLONG;
		goto fail;
	}
	err = mkdir_p(dir);
	if (err)
		goto fail;
	dp->skel = nlb_xdp_bpf__open();
	if (!dp->skel) {
		err = -errno;
		goto fail;
	}
	bpf_object__for_each_map (map, dp->skel->obj) {
		const char *name = bpf_map__name(map);
		__u32 want = 0;

		if (name[0] == '.') /* .rodata, .bss: not state */
			continue;
		snprintf(pin, sizeof(pin), "%s/%s", dir, name);
		if (opts && !strcmp(name, "ct_v4"))
			want = opts->ct_size;
		else if (opts && !strcmp(name, "ct_v6"))
			want = opts->ct6_size;
		else if (opts &&
			 (!strcmp(name, "rings") || !strcmp(name, "vip_stats")))
			want = opts->max_vips;
		else if (opts &&
			 (!strcmp(name, "vips_v4") || !strcmp(name, "vips_v6")))
			want = opts->max_vips * 3;
		else if (opts && (!strcmp(name, "backends") ||
				  !strcmp(name, "backend_stats")))
			want = opts->max_backends;
		err = size_map(map, pin, want);
		if (err)
			goto fail;
		err = bpf_map__set_pin_path(map, pin);
		if (err)
			goto fail;
	}
	err = nlb_xdp_bpf__load(dp->skel);
	if (err)
		goto fail;
	err = nlb_maps__init(&dp->maps, dp->skel->obj);
	if (err)
		goto fail;
	*out = dp;
	return 0;
fail:
	nlb_dp__free(dp);
	return err;
}

void nlb_dp__free(struct nlb_dp *dp)
{
	if (!dp)
		return;
	nlb_maps__fini(&dp->maps);
	nlb_xdp_bpf__destroy(dp->skel);
	free(dp);
}

struct nlb_maps *nlb_dp__maps(struct nlb_dp *dp)
{
	return &dp->maps;
}

int nlb_dp__prog_fd(const struct nlb_dp *dp)
{
	return bpf_program__fd(dp->skel->progs.nlb_xdp);
}

static void link_pin(const char *dir, int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "%s/link_%d", dir, ifindex);
}

int nlb_dp__attach(struct nlb_dp *dp, int ifindex, __u32 xdp_flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = xdp_flags);
	int prog = nlb_dp__prog_fd(dp), fd, err = 0;
	char pin[512];

	link_pin(dp->pin_dir, ifindex, pin, sizeof(pin));
	fd = bpf_obj_get(pin);
	if (fd >= 0) {
		if (bpf_link_update(fd, prog, NULL))
			err = -errno;
		close(fd);
		return err;
	}
	if (errno != ENOENT)
		return -errno;
	fd = bpf_link_create(prog, ifindex, BPF_XDP, &lopts);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, pin))
		err = -errno;
	close(fd); /* on a pin failure this detaches again: nothing half done */
	return err;
}

int nlb_dp__detach(const char *pin_dir, int ifindex)
{
	char pin[512];
	int fd, err = 0;

	link_pin(pin_dir ? pin_dir : NLB_DEFAULT_PIN_DIR, ifindex, pin,
		 sizeof(pin));
	fd = bpf_obj_get(pin);
	if (fd < 0)
		return -errno;
	if (bpf_link_detach(fd))
		err = -errno;
	close(fd);
	if (unlink(pin) && !err)
		err = -errno;
	return err;
}

int nlb_dp__unpin_all(const char *pin_dir)
{
	const char *dir = pin_dir ? pin_dir : NLB_DEFAULT_PIN_DIR;
	struct dirent *e;
	char path[512];
	int err = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!strncmp(e->d_name, "link_", 5)) {
			int fd = bpf_obj_get(path);

			if (fd >= 0) {
				bpf_link_detach(fd);
				close(fd);
			}
		}
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && !err)
		err = -errno;
	return err;
}

int nlb_aux__attach(enum nlb_aux_prog which, int ifindex, __u32 xdp_flags)
{
	struct decap_bpf *decap = NULL;
	struct pass_bpf *pass = NULL;
	int fd, err;

	if (which == NLB_AUX_DECAP) {
		decap = decap_bpf__open_and_load();
		if (!decap)
			return -errno;
		fd = bpf_program__fd(decap->progs.nlb_decap);
	} else {
		pass = pass_bpf__open_and_load();
		if (!pass)
			return -errno;
		fd = bpf_program__fd(pass->progs.nlb_pass);
	}
	/* netlink attach: the program stays when this process exits */
	err = bpf_xdp_attach(ifindex, fd, xdp_flags, NULL);
	decap_bpf__destroy(decap);
	pass_bpf__destroy(pass);
	return err;
}

int nlb_aux__detach(int ifindex, __u32 xdp_flags)
{
	return bpf_xdp_detach(ifindex, xdp_flags, NULL);
}
