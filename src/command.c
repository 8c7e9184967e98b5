// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash and gdb commands run from Python with their output captured in a
 * temporary file of our own.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defs.h"
#include "mpk/cleanup.h"
#include "mpk/cmdline.h"
#include "mpk/command.h"
#include "mpk/guard.h"

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
	_cleanup_free_ char *buf = NULL;

	if (fflush(f) || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return mpk_error_os(errno, "reading command output");
	buf = malloc(size + 1);
	if (!buf)
		return &mpk_enomem;
	if (fread(buf, 1, size, f) != (size_t)size)
		return mpk_error_os(EIO, "reading command output");
	buf[size] = '\0';
	*ret = buf;
	buf = NULL;
	if (ret_len)
		*ret_len = size;
	return NULL;
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

/* Common frame: capture file, saved crash state, run, collect. */
static struct mpk_error *capture(const char *cmd, bool gdb, char **ret,
				 size_t *ret_len)
{
	_cleanup_free_ struct crash_state *saved = NULL;
	struct gdb_call call = { .cmd = NULL };
	struct mpk_error *err, *out_err;
	int saved_stderr, devnull;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *out;

	err = mpk_cmdline_check(cmd, gdb);
	if (err)
		return err;
	/*
	 * On the heap: crash_state is 3 KB and commands nest (a program
	 * run by exec_command runs commands of its own).
	 */
	saved = malloc(sizeof(*saved));
	if (!saved)
		return &mpk_enomem;
	out = tmpfile();
	if (!out)
		return mpk_error_os(errno, "tmpfile");
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
		_cleanup_free_ char *copy = strdup(cmd);

		call.cmd = copy;
		call.out = out;
		err = copy ? mpk_guard(run_gdb_pass_through, &call) :
			     &mpk_enomem;
	} else {
		err = mpk_cmdline_exec(cmd);
	}
	crash_state_restore(saved);
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
		return err;
	}
	*ret = text;
	text = NULL;	/* now the caller's */
	if (ret_len)
		*ret_len = len;
	return NULL;
}

struct mpk_error *mpk_crash_command(const char *cmd, char **ret,
				    size_t *ret_len)
{
	return capture(cmd, false, ret, ret_len);
}

struct mpk_error *mpk_gdb_command(const char *cmd, char **ret,
				  size_t *ret_len)
{
	return capture(cmd, true, ret, ret_len);
}
