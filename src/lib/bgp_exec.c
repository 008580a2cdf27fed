// SPDX-License-Identifier: GPL-2.0
/* Running one program with its output captured and a time limit. */
#include "bgp_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* In the child: never returns. Reports exec's errno through errfd. */
static void child(const char *const argv[], int outfd, int errfd)
{
	sigset_t none;
	int nullfd, e;

	setpgid(0, 0);
	/* the parent may ignore SIGPIPE or block signals (for a signalfd);
	 * the tools expect the defaults */
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	nullfd = open("/dev/null", O_RDONLY);
	if (nullfd < 0 || dup2(nullfd, 0) < 0 || dup2(outfd, 1) < 0 ||
	    dup2(outfd, 2) < 0)
		goto fail;
	execvp(argv[0], (char *const *)argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static int append(struct bgp_exec_result *res, size_t *cap, size_t max_out,
		  const char *data, size_t n)
{
	if (res->len + n > max_out) {
		res->truncated = 1;
		n = max_out - res->len;
	}
	if (res->len + n + 1 > *cap) {
		size_t ncap = *cap ? *cap : 4096;
		char *p;

		while (ncap < res->len + n + 1)
			ncap *= 2;
		p = realloc(res->out, ncap);
		if (!p)
			return -ENOMEM;
		res->out = p;
		*cap = ncap;
	}
	memcpy(res->out + res->len, data, n);
	res->len += n;
	res->out[res->len] = 0;
	return 0;
}

/* Read the child's output until EOF or the deadline. */
static int drain(int fd, long long deadline, size_t max_out,
		 struct bgp_exec_result *res)
{
	size_t cap = 0;
	char chunk[8192];
	int err;

	err = append(res, &cap, max_out, "", 0);
	while (!err) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		err = append(res, &cap, max_out, chunk, n);
	}
	return err;
}

static int wait_exit(pid_t pid, long long deadline)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(2000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int bgp_exec(const char *const argv[], int timeout_ms, size_t max_out,
	     struct bgp_exec_result *res)
{
	long long deadline = now_ms() + timeout_ms;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	int err = 0, child_errno = 0, code;
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (!argv || !argv[0] || timeout_ms <= 0)
		return -EINVAL;
	if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		err = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0)
		child(argv, outp[1], errp[1]);
	/* also here: a timeout must find the group even if the child has not
	 * run yet (fails harmlessly once it has exec'd) */
	setpgid(pid, pid);

	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;
	/* EOF without data: exec succeeded (the pipe closed on exec) */
	do
		n = read(errp[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(child_errno)) {
		waitpid(pid, NULL, 0);
		err = -child_errno;
		goto out;
	}

	err = drain(outp[0], deadline, max_out, res);
	if (!err) {
		/* output closed: the exit follows at once, but never wait
		 * past the deadline for a program that closed its stdout */
		code = wait_exit(pid, deadline);
		if (code >= 0) {
			res->exit_code = code;
			goto out;
		}
		err = code;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (err != -ETIMEDOUT) {
		bgp_exec_result_free(res);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return err;
}

void bgp_exec_result_free(struct bgp_exec_result *res)
{
	if (!res)
		return;
	free(res->out);
	res->out = NULL;
	res->len = 0;
}
