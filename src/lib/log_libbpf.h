/* SPDX-License-Identifier: GPL-2.0 */
/* libbpf's warnings and notices as event=libbpf lines of log (which must
 * outlive every libbpf call); its debug output is dropped. */
#ifndef NLB_LOG_LIBBPF_H
#define NLB_LOG_LIBBPF_H

#include "log.h"

void nlb_log_libbpf(struct nlb_log *log);

#endif /* NLB_LOG_LIBBPF_H */
