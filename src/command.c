// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash and gdb commands run from Python with their output captured in a
 * temporary file of our own, and crash's output stream for Python's prints.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defs.h"
#include "mpk/command.h"
#include "mpk/guard.h"
#include "mpk/session.h"

/* All that a nested exec_command() overwrites and epython still needs. */
struct crash_state {
	FILE *fp;
	FILE *error_fp;
	char *args[MAXARGS];
	int argcnt;
	int optind;
	char *curcmd;
	char *lastcmd;
	ulong curcmd_flags;
	char command_line[BUFSIZE];
	char orig_line[BUFSIZE];
};

static void crash_state_save(struct crash_state *s)
{
	s->fp = fp;
	s->error_fp = pc->error_fp;
	memcpy(s->args, args, sizeof(s->args));
	s->argcnt = argcnt;
	s->optind = optind;
	s->curcmd = pc->curcmd;
	s->lastcmd = pc->lastcmd;
	s->curcmd_flags = pc->curcmd_flags;
	memcpy(s->command_line, pc->command_line, BUFSIZE);
	memcpy(s->orig_line, pc->orig_line, BUFSIZE);
}

static void crash_state_restore(const struct crash_state *s)
{
	fp = s->fp;
	pc->error_fp = s->error_fp;
	memcpy(args, s->args, sizeof(s->args));
	argcnt = s->argcnt;
	optind = s->optind;
	pc->curcmd = s->curcmd;
	pc->lastcmd = s->lastcmd;
	pc->curcmd_flags = s->curcmd_flags;
	memcpy(pc->command_line, s->command_line, BUFSIZE);
	memcpy(pc->orig_line, s->orig_line, BUFSIZE);
}

/* Read all of @f into a malloc'ed string. */
static struct mpk_error *slurp(FILE *f, char **ret, size_t *ret_len)
{
	long size;
	char *buf;

	if (fflush(f) || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return mpk_error_os(errno, "reading command output");
	buf = malloc(size + 1);
	if (!buf)
		return &mpk_enomem;
	if (fread(buf, 1, size, f) != (size_t)size) {
		free(buf);
		return mpk_error_os(EIO, "reading command output");
	}
	buf[size] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = size;
	return NULL;
}

static void run_exec_command(void *unused)
{
	(void)unused;
	exec_command();
}

struct gdb_call {
	char *cmd;
	FILE *out;
	int ok;
};

static void run_gdb_pass_through(void *arg)
{
	struct gdb_call *call = arg;

	call->ok = gdb_pass_through(call->cmd, call->out,
				    GNU_RETURN_ON_ERROR);
}

/* Whether crash answered @cmd with "command not found: <its name>". */
static bool is_unknown_command(const char *cmd, const char *text)
{
	size_t n = strcspn(cmd + strspn(cmd, " \t"), " \t");
	const char *p = strstr(text, "command not found: ");

	if (!p)
		return false;
	p += strlen("command not found: ");
	return !strncmp(p, cmd + strspn(cmd, " \t"), n) &&
	       (p[n] == '\n' || p[n] == '\0');
}

/* parse_line() fills args[MAXARGS] without a bound: count words first. */
static bool too_many_words(const char *cmd)
{
	int n = 0;
	const char *p = cmd;

	while (*p) {
		p += strspn(p, " \t\n");
		if (!*p)
			break;
		n++;
		p += strcspn(p, " \t\n");
	}
	return n >= MAXARGS - 1;
}

/*
 * crash's own line editor gives '|' (pipe to a shell command) and '>'
 * (redirect) their meaning before a command runs; here they would reach
 * the command as arguments and change its answer (`p x > 5` is a
 * comparison for gdb), and crash has no ';'. Refused, outside quotes;
 * '->' is C, not a redirect.
 */
static struct mpk_error *check_shell_syntax(const char *cmd)
{
	char quote = 0;
	const char *p;

	for (p = cmd; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			quote = *p;
			continue;
		}
		if (*p == '|' || *p == ';' ||
		    (*p == '>' && (p == cmd || p[-1] != '-')))
			return mpk_error_create(MPK_ERROR_INVALID,
				"exec_crash_command: '%c' in \"%s\": pipes, "
				"redirects and ';' are not supported; run one "
				"command and filter its output in Python",
				*p, cmd);
	}
	return NULL;
}

/* Common frame: capture file, saved crash state, run, collect. */
static struct mpk_error *capture(const char *cmd, bool gdb, char **ret,
				 size_t *ret_len)
{
	struct crash_state *saved;
	struct gdb_call call = { .cmd = NULL };
	struct mpk_error *err, *out_err;
	int saved_stderr, devnull;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (strlen(cmd) >= BUFSIZE - 1)
		return mpk_error_create(MPK_ERROR_INVALID,
					"command longer than %d bytes",
					BUFSIZE - 2);
	if (!gdb && too_many_words(cmd))
		return mpk_error_create(MPK_ERROR_INVALID,
					"command has more than %d words",
					MAXARGS - 2);
	/*
	 * On the heap: crash_state is 3 KB and commands nest (a program
	 * run by exec_command runs commands of its own).
	 */
	saved = malloc(sizeof(*saved));
	if (!saved)
		return &mpk_enomem;
	out = tmpfile();
	if (!out) {
		free(saved);
		return mpk_error_os(errno, "tmpfile");
	}
	crash_state_save(saved);
	fflush(fp);
	fflush(stderr);
	/* crash echoes error() text to the terminal too: it is in out. */
	saved_stderr = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	if (saved_stderr >= 0 && devnull >= 0)
		dup2(devnull, STDERR_FILENO);
	fp = out;
	/* error() writes to fp (captured) and to error_fp: silence that. */
	if (pc->nullfp)
		pc->error_fp = pc->nullfp;
	if (gdb) {
		/* gdb may edit the line it executes: never the caller's str. */
		char *copy = strdup(cmd);

		call.cmd = copy;
		call.out = out;
		err = copy ? mpk_guard(run_gdb_pass_through, &call) :
			     &mpk_enomem;
		free(copy);
	} else {
		strcpy(pc->command_line, cmd);
		strcpy(pc->orig_line, cmd);
		clean_line(pc->command_line);
		argcnt = parse_line(pc->command_line, args);
		err = mpk_guard(run_exec_command, NULL);
	}
	crash_state_restore(saved);
	free(saved);
	fflush(stderr);
	if (saved_stderr >= 0 && devnull >= 0)
		dup2(saved_stderr, STDERR_FILENO);
	if (saved_stderr >= 0)
		close(saved_stderr);
	if (devnull >= 0)
		close(devnull);

	out_err = slurp(out, &text, &len);
	fclose(out);
	if (out_err) {
		mpk_error_destroy(err);
		return out_err;
	}
	if (!err && gdb && !call.ok)
		err = mpk_error_create(MPK_ERROR_CRASH, "gdb command failed");
	/* An unknown command is only an error(INFO) message in crash. */
	if (!err && !gdb && is_unknown_command(cmd, text))
		err = mpk_error_create(MPK_ERROR_CRASH, "command failed");
	if (err) {
		/* crash's own message is in the output: it says most. */
		if (err->code == MPK_ERROR_CRASH && len) {
			struct mpk_error *e2;

			while (len && (text[len - 1] == '\n'))
				text[--len] = '\0';
			e2 = mpk_error_create(MPK_ERROR_CRASH, "%s", text);
			mpk_error_destroy(err);
			err = e2;
		}
		free(text);
		return err;
	}
	*ret = text;
	if (ret_len)
		*ret_len = len;
	return NULL;
}

struct mpk_error *mpk_crash_command(const char *cmd, char **ret,
				    size_t *ret_len)
{
	struct mpk_error *err = check_shell_syntax(cmd);

	if (err)
		return err;
	return capture(cmd, false, ret, ret_len);
}

struct mpk_error *mpk_gdb_command(const char *cmd, char **ret,
				  size_t *ret_len)
{
	return capture(cmd, true, ret, ret_len);
}

struct mpk_error *mpk_crash_command_fork(const char *cmd, int *ret_fd,
					 int *ret_pid)
{
	struct mpk_error *syntax;
	int pipefd[2];
	pid_t pid;

	if (strlen(cmd) >= BUFSIZE - 1)
		return mpk_error_create(MPK_ERROR_INVALID,
					"command longer than %d bytes",
					BUFSIZE - 2);
	if (too_many_words(cmd))
		return mpk_error_create(MPK_ERROR_INVALID,
					"command has more than %d words",
					MAXARGS - 2);
	syntax = check_shell_syntax(cmd);
	if (syntax)
		return syntax;
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
		FILE *out;
		int fd;
		struct mpk_error *err;

		mpk_session.in_child = true;
		close(pipefd[0]);
		/* A shared file offset would garble the parent's reads. */
		if (pc->dfd >= 0 && pc->dumpfile) {
			fd = open(pc->dumpfile, O_RDONLY);
			if (fd < 0 || dup2(fd, pc->dfd) < 0)
				_exit(2);
			close(fd);
		}
		out = fdopen(pipefd[1], "w");
		if (!out)
			_exit(2);
		fp = out;
		pc->error_fp = out;
		strcpy(pc->command_line, cmd);
		strcpy(pc->orig_line, cmd);
		clean_line(pc->command_line);
		argcnt = parse_line(pc->command_line, args);
		err = mpk_guard(run_exec_command, NULL);
		fflush(out);
		_exit(err ? 1 : 0);
	}
	close(pipefd[1]);
	*ret_fd = pipefd[0];
	*ret_pid = pid;
	return NULL;
}

struct mpk_error *mpk_set_error_target(const char *target, char **ret)
{
	char *previous = pc->error_path ? strdup(pc->error_path) : NULL;

	if (pc->error_path && !previous)
		return &mpk_enomem;
	if (!set_error((char *)target)) {
		free(previous);
		return mpk_error_create(MPK_ERROR_INVALID,
					"cannot send errors to %s", target);
	}
	*ret = previous;
	return NULL;
}

struct mpk_error *mpk_output_write(const char *buf, size_t len)
{
	errno = 0;
	if (fwrite(buf, 1, len, fp) != len)
		return mpk_error_os(errno ? errno : EIO, "write");
	return NULL;
}

void mpk_output_flush(void)
{
	fflush(fp);
}

int mpk_output_fileno(void)
{
	return fileno(fp);
}

char *mpk_input_line(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;

	fputs(prompt, fp);
	fflush(fp);
	/* crash reads its commands through stdin's buffer: share it. */
	if (getline(&line, &cap, stdin) < 0) {
		free(line);
		return NULL;
	}
	return line;
}
