// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for the nlb-hc config parser: any bytes must give a
 * config or -EINVAL with a message, never a crash or a leak; and every
 * accepted check must have a key. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_config *cfg;
	char err[256], key[8192];
	int ret;

	ret = hc_config_parse((const char *)data, size, &cfg, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL && ret != -ENOMEM)
			abort();
		if (ret == -EINVAL && !err[0])
			abort(); /* a rejection must say why */
		return 0;
	}
	for (int i = 0; i < cfg->n_backends; i++)
		for (int j = 0; j < cfg->backends[i].n_checks; j++) {
			const struct hc_check *c = &cfg->backends[i].checks[j];

			if (hc_check_key(c, &cfg->backends[i].addr, key,
					 sizeof(key)) <= 0)
				abort();
			if (c->timeout_ms > c->interval_ms || !c->rise ||
			    !c->fall)
				abort();
		}
	hc_config_free(cfg);
	return 0;
}
