// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The console's input through crash's own readline. crash links GNU
 * readline (gdb's copy) and exports it; it initialises it only when its
 * input is a terminal (pc->flags & TTY), so that is when we use it too.
 * Everything the console changes in readline is saved first and put
 * back by mpk_console_end(), so crash's prompt finds its own history,
 * symbol completion and signal handling again.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "defs.h"
#include <readline/readline.h>
#include <readline/history.h>

#include "mpk/console.h"
#include "mpk/session.h"

/* A line as crash reads a pipe, with its newline; NULL at EOF. */
static char *read_plain_line(const char *prompt)
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

/* Lines kept in the history file. */
static const int history_lines = 1000;

/* Python's word breaks: '.' is not one, so "crash.rea<Tab>" completes. */
static const char python_word_breaks[] =
	" \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?";

/* What the console changed, as crash had it. */
struct saved_readline {
	HISTORY_STATE *history;
	int history_base;
	int history_max_entries;
	int history_stifled;
	rl_completion_func_t *attempted_completion;
	const char *word_breaks;
	const char *readline_name;
	rl_getc_func_t *getc_function;
	int catch_signals;
};

static struct {
	bool active;		/* between begin and end */
	bool readline;		/* lines come from readline() */
	bool interrupted;	/* the last line was ended by a signal */
	char *history_path;
	mpk_complete_fn complete;
	mpk_interrupted_fn is_interrupted;
	void *arg;
	struct saved_readline saved;
} cons;

static char *complete_one(const char *text, int state)
{
	return cons.complete(text, state, cons.arg);
}

static char **complete(const char *text, int start, int end)
{
	/* No file-name completion after our matches run out. */
	rl_attempted_completion_over = 1;
	/* readline resets these per completion; rlcompleter adds '(' or '.' */
	rl_completion_append_character = '\0';
	return rl_completion_matches(text, complete_one);
}

/* How often a wait for a key looks for a signal that came before it. */
static const int signal_poll_ms = 100;

/*
 * readline's own getc retries a read that a signal interrupted; ours
 * asks the console whether to give up, so ^C ends the line at once. A
 * signal caught just before read() would not interrupt it: the wait is
 * a poll() that looks again every signal_poll_ms.
 */
static int console_getc(FILE *stream)
{
	struct pollfd pfd = { .fd = fileno(stream), .events = POLLIN };
	unsigned char c;

	for (;;) {
		int ready = poll(&pfd, 1, signal_poll_ms);
		ssize_t n;

		if (ready < 0 && errno != EINTR)
			return EOF;
		if (ready <= 0) {
			if (cons.is_interrupted &&
			    cons.is_interrupted(cons.arg)) {
				cons.interrupted = true;
				return '\n';	/* accept; read() drops it */
			}
			continue;
		}
		n = read(pfd.fd, &c, 1);
		if (n == 1)
			return c;
		if (n == 0 || errno != EINTR)
			return EOF;
	}
}

static void save_readline(struct saved_readline *s)
{
	s->history = history_get_history_state();
	s->history_base = history_base;
	s->history_max_entries = history_max_entries;
	s->history_stifled = history_is_stifled();
	s->attempted_completion = rl_attempted_completion_function;
	s->word_breaks = rl_completer_word_break_characters;
	s->readline_name = rl_readline_name;
	s->getc_function = rl_getc_function;
	s->catch_signals = rl_catch_signals;
}

static void restore_readline(struct saved_readline *s)
{
	HISTORY_STATE *ours = history_get_history_state();

	/* The console's entries, then the array readline allocated. */
	clear_history();
	if (ours) {
		free(ours->entries);
		free(ours);
	}
	history_set_history_state(s->history);
	free(s->history);
	s->history = NULL;
	history_base = s->history_base;
	history_max_entries = s->history_max_entries;
	if (!s->history_stifled)
		unstifle_history();
	rl_attempted_completion_function = s->attempted_completion;
	rl_completer_word_break_characters = s->word_breaks;
	rl_readline_name = s->readline_name;
	rl_getc_function = s->getc_function;
	rl_catch_signals = s->catch_signals;
}

struct mpk_error *mpk_console_begin(const char *history_path,
				    mpk_complete_fn complete_fn,
				    mpk_interrupted_fn interrupted, void *arg,
				    bool *ret)
{
	HISTORY_STATE empty = { 0 };

	if (cons.active)
		return mpk_error_create(MPK_ERROR_INVALID,
					"a console is already open");
	memset(&cons, 0, sizeof(cons));
	cons.readline = (pc->flags & TTY) != 0;
	if (cons.readline && history_path) {
		cons.history_path = strdup(history_path);
		if (!cons.history_path)
			return &mpk_enomem;
	}
	cons.active = true;
	cons.complete = complete_fn;
	cons.is_interrupted = interrupted;
	cons.arg = arg;
	*ret = cons.readline;
	if (!cons.readline)
		return NULL;
	save_readline(&cons.saved);
	if (!cons.saved.history) {
		free(cons.history_path);
		memset(&cons, 0, sizeof(cons));
		return &mpk_enomem;
	}
	/* A fresh list: crash's entries stay in the saved state. */
	history_set_history_state(&empty);
	history_base = 1;
	stifle_history(history_lines);
	if (cons.history_path)
		read_history(cons.history_path);	/* ENOENT: empty */
	rl_attempted_completion_function = complete_fn ? complete : NULL;
	rl_completer_word_break_characters = python_word_breaks;
	rl_readline_name = "mpykdump";		/* for $if in ~/.inputrc */
	/* No readline SIGINT handler: the console's own must see ^C. */
	rl_catch_signals = 0;
	rl_getc_function = console_getc;
	return NULL;
}

struct mpk_error *mpk_console_read(const char *prompt, char **ret)
{
	char *line;
	size_t len;

	/*
	 * gdb_interface() leaves crash's longjmping SIGINT handler behind
	 * (datatype_info() is not guarded): ^C while we wait for a line must
	 * reach Python's.
	 */
	mpk_sigint_use_python();
	if (!cons.active || !cons.readline) {
		line = read_plain_line(prompt);
		if (line) {
			len = strlen(line);
			if (len && line[len - 1] == '\n')
				line[len - 1] = '\0';
		}
		*ret = line;
		return NULL;
	}
	cons.interrupted = false;
	line = readline(prompt);
	if (cons.interrupted) {
		free(line);
		return mpk_error_create(MPK_ERROR_INTERRUPT, "interrupted");
	}
	if (line && *line) {
		HIST_ENTRY *last = history_get(history_base +
					       history_length - 1);

		if (!last || strcmp(last->line, line))
			add_history(line);
	}
	*ret = line;
	return NULL;
}

struct mpk_error *mpk_console_end(void)
{
	struct mpk_error *err = NULL;
	int rc;

	if (!cons.active)
		return NULL;
	if (cons.readline) {
		if (cons.history_path) {
			rc = write_history(cons.history_path);
			if (!rc)
				rc = history_truncate_file(
					cons.history_path, history_lines);
			/* readline returns an errno */
			if (rc)
				err = mpk_error_os(rc, cons.history_path);
		}
		restore_readline(&cons.saved);
	}
	free(cons.history_path);
	memset(&cons, 0, sizeof(cons));
	return err;
}
