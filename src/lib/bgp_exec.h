/* SPDX-License-Identifier: GPL-2.0 */
/* Running one program (fork/exec, no shell) with its output captured and a
 * time limit, for driving FRR's command line tools. */
#ifndef NLB_BGP_EXEC_H
#define NLB_BGP_EXEC_H

#include <stddef.h>

struct bgp_exec_result {
	int exit_code; /* the program's exit status; 128+N for signal N */
	char *out; /* stdout and stderr interleaved, NUL-terminated, malloc'd */
	size_t len;
	int truncated; /* more than max_out bytes came: the rest was dropped */
};

/* Run argv[0] (looked up in PATH when it has no '/') with argv, stdin from
 * /dev/null, in its own process group. Returns 0 once it has exited (look
 * at res->exit_code), -ETIMEDOUT when it ran past timeout_ms (the group is
 * killed), -ENOENT/-EACCES/... when it could not be started, -ENOMEM.
 * res->out is set (maybe empty) whenever 0 or -ETIMEDOUT is returned; free
 * it with bgp_exec_result_free(). The caller must not ignore SIGCHLD (the
 * exit status would be lost) and should open its own files O_CLOEXEC. */
int bgp_exec(const char *const argv[], int timeout_ms, size_t max_out,
	     struct bgp_exec_result *res);

void bgp_exec_result_free(struct bgp_exec_result *res);

#endif /* NLB_BGP_EXEC_H */
