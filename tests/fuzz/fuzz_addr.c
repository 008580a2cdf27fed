// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness: the node tools' address parsers never crash, and what
 * they accept prints back to something they accept again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[128], out[128];
	__be32 addr[4];
	__be16 port;
	__u8 fam, proto, len, mac[6];

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = 0;
	nlb_parse_prefix(in, &fam, addr, &len);
	nlb_parse_mac(in, mac);
	if (!nlb_parse_vip(in, &fam, addr, &port, &proto)) {
		__be32 a2[4];
		__be16 p2;
		__u8 f2, pr2;

		nlb_fmt_vip(out, sizeof(out), fam, addr, port, proto);
		if (nlb_parse_vip(out, &f2, a2, &p2, &pr2) || f2 != fam ||
		    p2 != port || pr2 != proto || memcmp(a2, addr, 16))
			abort();
	}
	return 0;
}
