// SPDX-License-Identifier: GPL-2.0-or-later
/* A crash command in a forked child (exec_crash_command_bg2). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "defs.h"
#include "mpk/cmdline.h"
#include "mpk/fork.h"
#include "mpk/session.h"

/* The child: runs @cmd with its output to @out_fd, then exits. */
static __attribute__((noreturn)) void run_child(const char *cmd, int out_fd)
{
	FILE *out;
	int fd;
	struct mpk_error *err;

	mpk_session.in_child = true;
	/* A shared file offset would garble the parent's reads. */
	if (pc->dfd >= 0 && pc->dumpfile) {
		fd = open(pc->dumpfile, O_RDONLY);
		if (fd < 0 || dup2(fd, pc->dfd) < 0)
			_exit(2);
		close(fd);
	}
	out = fdopen(out_fd, "w");
	if (!out)
		_exit(2);
	fp = out;
	pc->error_fp = out;
	err = mpk_cmdline_exec(cmd);
	fflush(out);
	_exit(err ? 1 : 0);
}

struct mpk_error *mpk_crash_command_fork(const char *cmd, int *ret_fd,
					 int *ret_pid)
{
	struct mpk_error *err = mpk_cmdline_check(cmd, false);
	int pipefd[2];
	pid_t pid;

	if (err)
		return err;
	if (pipe(pipefd))
		return mpk_error_os(errno, "pipe");
	fflush(fp);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return mpk_error_os(e, "fork");
	}
	if (pid == 0) {
		close(pipefd[0]);
		run_child(cmd, pipefd[1]);
	}
	close(pipefd[1]);
	*ret_fd = pipefd[0];
	*ret_pid = pid;
	return NULL;
}
