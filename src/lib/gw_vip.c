// SPDX-License-Identifier: GPL-2.0
/* VIP allocation from the pools: which pool fits, which address is free. */
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gw.h"
#include "gw_addr.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lowest free index of a pool: read the used set once, sort, walk. */
static int pick_scan(struct gw *gw, const char *pool, const struct gw_cidr *c,
		     uint64_t *idx)
{
	char prefix[96];
	struct store_kv *kvs;
	uint64_t *used, size = gw_cidr_size(c), want = 0;
	size_t n, i, m = 0;
	int err;

	snprintf(prefix, sizeof(prefix), "vip/%s/", pool);
	err = store_range(gw->st, prefix, NULL, 0, &kvs, &n);
	if (err)
		return err;
	used = malloc((n + 1) * sizeof(*used));
	if (!used) {
		store_kvs_free(kvs, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct gw_ip ip;

		if (!gw_ip_parse(kvs[i].key + strlen(prefix), &ip) &&
		    gw_cidr_contains(c, &ip))
			used[m++] = gw_cidr_index(c, &ip);
	}
	store_kvs_free(kvs, n);
	qsort(used, m, sizeof(*used), cmp_u64);
	for (i = 0; i < m; i++) {
		if (used[i] > want)
			break;
		if (used[i] == want)
			want++;
	}
	free(used);
	if (want >= size)
		return -ENOSPC;
	*idx = want;
	return 0;
}

/* Huge pools: random probes, since scanning would cost more than it saves. */
static int pick_random(struct gw *gw, const char *pool, const struct gw_cidr *c,
		       uint64_t *idx)
{
	uint64_t size = gw_cidr_size(c), r;
	int i;

	for (i = 0; i < 32; i++) {
		struct store_kv kv;
		struct gw_ip ip;
		char key[128], a[64];

		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			return -EIO;
		r %= size;
		gw_cidr_nth(c, r, &ip);
		gw_ip_str(&ip, a, sizeof(a));
		snprintf(key, sizeof(key), "vip/%s/%s", pool, a);
		if (store_get(gw->st, key, &kv) == -ENOENT) {
			*idx = r;
			return 0;
		}
		store_kv_clear(&kv);
	}
	return pick_scan(gw, pool, c, idx);
}

int gw_vip_pick(struct gw *gw, const char *tenant, const char *family,
		const char *want, char *key, size_t keylen, char *addr,
		size_t addrlen, struct cp_err *e)
{
	int fam = strcmp(family, "IPv6") ? AF_INET : AF_INET6;
	struct store_kv *kvs;
	struct gw_ip wip;
	size_t n, i, pass;
	int err, matched = 0;

	if (want && gw_ip_parse(want, &wip))
		return cp_err_set(e, 422, "spec.vip", "not an IP address");
	err = store_range(gw->st, "pool/", NULL, 0, &kvs, &n);
	if (err)
		return cp_err_set(e, 500, "", "store: %s", strerror(-err));
	/* the tenant's own pools first, then the shared ones */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			cJSON *p = cJSON_Parse(kvs[i].value);
			const char *pt, *name, *cidr;
			struct gw_cidr c;
			uint64_t idx;
			struct gw_ip ip;

			if (!p)
				continue;
			pt = cJSON_GetStringValue(
				cJSON_GetObjectItem(p, "tenant"));
			name = cJSON_GetStringValue(
				cJSON_GetObjectItem(p, "name"));
			cidr = cJSON_GetStringValue(
				cJSON_GetObjectItem(p, "cidr"));
			if (!name || !cidr || gw_cidr_parse(cidr, &c) ||
			    c.net.family != fam ||
			    (pass == 0 ? !pt || strcmp(pt, tenant)
				       : pt && *pt)) {
				cJSON_Delete(p);
				continue;
			}
			if (want) {
				if (!gw_cidr_contains(&c, &wip) ||
				    gw_cidr_index(&c, &wip) >=
					    gw_cidr_size(&c)) {
					cJSON_Delete(p);
					continue;
				}
				matched = 1;
				gw_ip_str(&wip, addr, (int)addrlen);
				snprintf(key, keylen, "vip/%s/%s", name, addr);
				cJSON_Delete(p);
				store_kvs_free(kvs, n);
				return 0;
			}
			matched = 1;
			err = gw_cidr_size(&c) > 65536
				      ? pick_random(gw, name, &c, &idx)
				      : pick_scan(gw, name, &c, &idx);
			if (!err) {
				gw_cidr_nth(&c, idx, &ip);
				gw_ip_str(&ip, addr, (int)addrlen);
				snprintf(key, keylen, "vip/%s/%s", name, addr);
				cJSON_Delete(p);
				store_kvs_free(kvs, n);
				return 0;
			}
			cJSON_Delete(p);
			if (err != -ENOSPC) {
				store_kvs_free(kvs, n);
				return cp_err_set(e, 500, "", "store: %s",
						  strerror(-err));
			}
		}
	}
	store_kvs_free(kvs, n);
	if (want)
		return cp_err_set(e, 422, "spec.vip",
				  "%s is in no VIP pool of this tenant", want);
	if (!matched)
		return cp_err_set(e, 409, "spec.ipFamily",
				  "no %s VIP pool for this tenant", family);
	return cp_err_set(e, 409, "spec.vip",
			  "every %s VIP pool of this tenant is exhausted",
			  family);
}
