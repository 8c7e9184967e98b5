// SPDX-License-Identifier: GPL-2.0-or-later
/* A crash command line: the checks before it reaches crash, and its run. */

#include <string.h>

#include "defs.h"
#include "mpk/cmdline.h"
#include "mpk/guard.h"

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

struct mpk_error *mpk_cmdline_check(const char *cmd, bool gdb)
{
	if (!gdb) {
		struct mpk_error *err = check_shell_syntax(cmd);

		if (err)
			return err;
	}
	if (strlen(cmd) >= BUFSIZE - 1)
		return mpk_error_create(MPK_ERROR_INVALID,
					"command longer than %d bytes",
					BUFSIZE - 2);
	if (!gdb && too_many_words(cmd))
		return mpk_error_create(MPK_ERROR_INVALID,
					"command has more than %d words",
					MAXARGS - 2);
	return NULL;
}

static void run_exec_command(void *unused)
{
	(void)unused;
	exec_command();
}

struct mpk_error *mpk_cmdline_exec(const char *cmd)
{
	strcpy(pc->command_line, cmd);
	strcpy(pc->orig_line, cmd);
	clean_line(pc->command_line);
	argcnt = parse_line(pc->command_line, args);
	return mpk_guard(run_exec_command, NULL);
}
