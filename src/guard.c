// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The only setjmp on crash's pc->main_loop_env and pc->foreach_loop_env,
 * and the only place that decides what a ^C does while crash code runs
 * for Python.
 *
 * crash aborts a command in three ways, all of which end in a longjmp to
 * pc->main_loop_env: error(FATAL), restart() from its SIGINT handler, and
 * restart(0) when it finds the output closed or a ^C recorded. restart()
 * first calls restore_sanity(), which closes the output pipe, the -i
 * input file and the redirection of the command in progress: here that
 * is the epython command, whose program must go on. So while a guarded
 * call runs:
 *  - that per-command state is hidden from crash (and put back after);
 *  - our handler turns a ^C into a longjmp back here;
 *  - gdb_interface() re-installs crash's restart() after every request:
 *    pc->sigint_cnt is preset so that restart() only records the ^C (as
 *    for a second ^C at the prompt); commands that poll received_SIGINT()
 *    stop early, and the record becomes MPK_ERROR_INTERRUPT here;
 *  - gdb's own handler (installed by gdb_interface() during a request
 *    when crash has a terminal) is wrapped so that the ^C it turns into a
 *    failed request is known to be an interrupt, not a missing type.
 * On the way out the caller's SIGINT handler (Python's) is re-installed.
 */

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "defs.h"
#include "mpk/guard.h"
#include "mpk/session.h"

/* A ^C that arrived during the guarded call: set by the handlers below. */
static volatile sig_atomic_t interrupted;
static jmp_buf *volatile current_env;
static void (*volatile gdb_handler)(int);

static void guard_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	if (current_env)
		longjmp(*current_env, 1);
}

/* gdb's handler makes the request fail with "Quit": remember why. */
static volatile sig_atomic_t gdb_interrupted;

static void guard_gdb_sigint(int sig)
{
	void (*h)(int) = gdb_handler;

	interrupted = 1;
	gdb_interrupted = 1;
	if (h && h != SIG_DFL && h != SIG_IGN && h != guard_gdb_sigint)
		h(sig);
}

/*
 * gdb's handler sets its quit flag; a request that ends before gdb checks
 * it leaves it set, and the next request (another lookup, not
 * interrupted) would fail with "Quit" and look like a missing type.
 * check_quit_flag() clears it; gdb is C++ in crash >= 8, hence the
 * mangled name, looked up at run time (NULL: nothing to clear).
 */
static void clear_gdb_quit_flag(void)
{
	static int (*check_quit_flag)(void);
	static bool looked_up;

	if (!looked_up) {
		*(void **)&check_quit_flag = dlsym(RTLD_DEFAULT,
						   "_Z15check_quit_flagv");
		if (!check_quit_flag)
			*(void **)&check_quit_flag =
				dlsym(RTLD_DEFAULT, "check_quit_flag");
		looked_up = true;
	}
	if (check_quit_flag)
		check_quit_flag();
}

/* What restore_sanity() and restart() reset, saved and hidden. */
struct sanity {
	FILE *stdpipe, *pipe, *ifile_pipe, *ofile, *ifile_ofile, *ifile;
	FILE *args_ifile, *tmpfile, *tmpfile2;
	void (*cmd_cleanup)(void *);
	void *cmd_cleanup_arg;
	ulong redirect;
	pid_t stdpipe_pid, pipe_pid, pipe_shell_pid;
	char pipe_command0;	/* pipe_command is hidden by its first byte */
	ulonglong flags;
	int sigint_cnt;
	ulong curcmd_flags;
	ulonglong curcmd_private;
	FILE *fp, *error_fp;
	struct sigaction gdb_sigaction;
};

static const ulonglong SANITY_FLAGS = IN_FOREACH | IN_GDB | IN_RESTART |
	_SIGINT_ | INIT_IFILE | RUNTIME_IFILE | IFILE_ERROR | PLEASE_WAIT;

static void sanity_hide(struct sanity *s)
{
	s->stdpipe = pc->stdpipe;
	s->pipe = pc->pipe;
	s->ifile_pipe = pc->ifile_pipe;
	s->ofile = pc->ofile;
	s->ifile_ofile = pc->ifile_ofile;
	s->ifile = pc->ifile;
	s->args_ifile = pc->args_ifile;
	s->tmpfile = pc->tmpfile;
	s->tmpfile2 = pc->tmpfile2;
	s->cmd_cleanup = pc->cmd_cleanup;
	s->cmd_cleanup_arg = pc->cmd_cleanup_arg;
	s->redirect = pc->redirect;
	s->stdpipe_pid = pc->stdpipe_pid;
	s->pipe_pid = pc->pipe_pid;
	s->pipe_shell_pid = pc->pipe_shell_pid;
	s->pipe_command0 = pc->pipe_command[0];
	s->flags = pc->flags;
	s->sigint_cnt = pc->sigint_cnt;
	s->curcmd_flags = pc->curcmd_flags;
	s->curcmd_private = pc->curcmd_private;
	s->fp = fp;
	s->error_fp = pc->error_fp;
	s->gdb_sigaction = pc->gdb_sigaction;

	pc->stdpipe = pc->pipe = pc->ifile_pipe = NULL;
	pc->ofile = pc->ifile_ofile = pc->ifile = NULL;
	pc->args_ifile = pc->tmpfile = pc->tmpfile2 = NULL;
	pc->cmd_cleanup = NULL;
	pc->cmd_cleanup_arg = NULL;
	pc->redirect = 0;
	pc->stdpipe_pid = pc->pipe_pid = pc->pipe_shell_pid = 0;
	pc->pipe_command[0] = '\0';
	pc->flags &= ~(_SIGINT_ | IN_RESTART);
	/* restart() then only records a ^C: see the top of the file. */
	pc->sigint_cnt = 1;
	if (pc->gdb_sigaction.sa_handler != guard_gdb_sigint) {
		gdb_handler = pc->gdb_sigaction.sa_handler;
		pc->gdb_sigaction.sa_handler = guard_gdb_sigint;
	}
}

/* True if crash recorded a ^C (restart() or received_SIGINT() ran). */
static bool sanity_saw_sigint(void)
{
	return (pc->flags & _SIGINT_) || pc->sigint_cnt != 1;
}

static void sanity_restore(const struct sanity *s)
{
	pc->stdpipe = s->stdpipe;
	pc->pipe = s->pipe;
	pc->ifile_pipe = s->ifile_pipe;
	pc->ofile = s->ofile;
	pc->ifile_ofile = s->ifile_ofile;
	pc->ifile = s->ifile;
	pc->args_ifile = s->args_ifile;
	pc->tmpfile = s->tmpfile;
	pc->tmpfile2 = s->tmpfile2;
	pc->cmd_cleanup = s->cmd_cleanup;
	pc->cmd_cleanup_arg = s->cmd_cleanup_arg;
	pc->redirect = s->redirect;
	pc->stdpipe_pid = s->stdpipe_pid;
	pc->pipe_pid = s->pipe_pid;
	pc->pipe_shell_pid = s->pipe_shell_pid;
	pc->pipe_command[0] = s->pipe_command0;
	pc->flags = (pc->flags & ~SANITY_FLAGS) | (s->flags & SANITY_FLAGS);
	pc->sigint_cnt = s->sigint_cnt;
	pc->curcmd_flags = s->curcmd_flags;
	pc->curcmd_private = s->curcmd_private;
	fp = s->fp;
	pc->error_fp = s->error_fp;
	pc->gdb_sigaction = s->gdb_sigaction;
}

/*
 * Where crash's messages go during a quiet call: a fixed buffer, so that a
 * failure's message becomes the exception's and nothing reaches the
 * program's output. Made once; NULL if fmemopen() failed (then nullfp).
 */
static char msg_buf[512];
static FILE *msg_file;

static FILE *message_file(void)
{
	if (!msg_file)
		msg_file = fmemopen(msg_buf, sizeof(msg_buf), "w");
	if (msg_file) {
		rewind(msg_file);
		msg_buf[0] = '\0';
	}
	return msg_file;
}

/* crash's message, without the "epython: " prefix and the newlines. */
static const char *message_text(void)
{
	size_t n, len;
	char *p = msg_buf;

	if (!msg_file)
		return "";
	fflush(msg_file);
	len = strnlen(msg_buf, sizeof(msg_buf) - 1);
	msg_buf[len] = '\0';
	while (*p == '\n')
		p++;
	n = pc->curcmd ? strlen(pc->curcmd) : 0;
	if (n && !strncmp(p, pc->curcmd, n) && p[n] == ':')
		p += n + 1;
	while (*p == ' ')
		p++;
	len = strlen(p);
	while (len && (p[len - 1] == '\n' || p[len - 1] == ' '))
		p[--len] = '\0';
	return p;
}

/*
 * While SIGINT is held (blocked) in the main thread, a ^C waits in the
 * process's pending set, where gdb_interface()'s next sigaction(SIG_IGN)
 * would discard it (POSIX: setting SIG_IGN discards a pending signal, even
 * a blocked one). A thread of ours takes it at once with sigwait() and
 * leaves a flag. It starts on first need and stops before the .so goes.
 * (If it cannot run in time, the ^C is lost as it would be in crash.)
 */
static volatile sig_atomic_t held_interrupt;
static pthread_t watcher;
static bool watcher_running;

static void *watch_sigint(void *unused)
{
	sigset_t set;
	int sig;

	(void)unused;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	for (;;)
		if (sigwait(&set, &sig) == 0)
			held_interrupt = 1;
	return NULL;
}

static void start_watcher(void)
{
	sigset_t all, old;

	if (watcher_running || mpk_session.in_child)
		return;
	/* The thread starts with every signal blocked, SIGINT for sigwait. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	watcher_running = pthread_create(&watcher, NULL, watch_sigint,
					 NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/*
	 * It must run before the main thread's next gdb request: on a busy
	 * machine a normal thread may wait milliseconds for a CPU. It only
	 * ever wakes for a ^C, so a real-time priority costs nothing; without
	 * the privilege it stays a normal thread.
	 */
	if (watcher_running) {
		struct sched_param param = { .sched_priority = 1 };

		pthread_setschedparam(watcher, SCHED_FIFO, &param);
	}
}

void mpk_guard_fini(void)
{
	if (!watcher_running)
		return;
	pthread_cancel(watcher);
	pthread_join(watcher, NULL);
	watcher_running = false;
}

/* Take a ^C that came while SIGINT was held: true if there was one. */
static bool held_sigint(bool hold, const sigset_t *sigint_set)
{
	static const struct timespec now = { 0, 0 };
	sigset_t pending;
	bool got = false;

	if (!hold)
		return false;
	/* Without the thread (or before it ran), it may still be pending. */
	if (!sigpending(&pending) && sigismember(&pending, SIGINT)) {
		sigtimedwait(sigint_set, NULL, &now);
		got = true;
	}
	if (held_interrupt) {
		held_interrupt = 0;
		got = true;
	}
	return got;
}

static struct mpk_error *run_guarded(void (*fn)(void *), void *arg,
				     const char *volatile what)
{
	jmp_buf saved_main, saved_foreach;
	jmp_buf *volatile saved_env = current_env;
	struct sigaction sa, old_sa;
	struct sanity s;
	struct mpk_error *volatile err = NULL;
	FILE *volatile quiet = NULL;
	sigset_t sigint_set, old_mask;
	bool hold;

	memcpy(saved_main, pc->main_loop_env, sizeof(saved_main));
	memcpy(saved_foreach, pc->foreach_loop_env, sizeof(saved_foreach));
	interrupted = 0;
	gdb_interrupted = 0;
	/* Until setjmp below, a ^C is only recorded. */
	current_env = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	/*
	 * Without a terminal gdb_interface() ignores SIGINT during each
	 * request: a ^C then would be lost. So SIGINT is held (blocked) for
	 * the whole call and taken by our thread: the call finishes, then
	 * the ^C is KeyboardInterrupt. With a terminal, ^C aborts the call.
	 */
	sigemptyset(&sigint_set);
	sigaddset(&sigint_set, SIGINT);
	hold = !(pc->flags & TTY);
	if (hold) {
		start_watcher();
		pthread_sigmask(SIG_BLOCK, &sigint_set, &old_mask);
	}
	sanity_hide(&s);
	if (what) {
		quiet = message_file();
		fp = pc->nullfp;
		pc->error_fp = quiet ? quiet : pc->nullfp;
	}

	if (setjmp(pc->main_loop_env)) {
		/* A longjmp out of our handler leaves SIGINT blocked. */
		if (!hold)
			sigprocmask(SIG_UNBLOCK, &sigint_set, NULL);
		if (held_sigint(hold, &sigint_set) || interrupted || sanity_saw_sigint())
			err = mpk_error_create(MPK_ERROR_INTERRUPT,
					       "interrupted");
		else if (what && *message_text())
			err = mpk_error_create(MPK_ERROR_CRASH, "%s: %s", what,
					       message_text());
		else
			err = mpk_error_create(MPK_ERROR_CRASH, "%s failed",
					       what ? what : "crash command");
		goto out;
	}
	/* Under foreach, FATAL errors jump to foreach_loop_env instead. */
	memcpy(pc->foreach_loop_env, pc->main_loop_env,
	       sizeof(pc->foreach_loop_env));
	current_env = &pc->main_loop_env;
	fn(arg);
	if (held_sigint(hold, &sigint_set) || interrupted ||
	    sanity_saw_sigint())
		err = mpk_error_create(MPK_ERROR_INTERRUPT, "interrupted");
out:
	current_env = saved_env;
	if (gdb_interrupted)
		clear_gdb_quit_flag();
	if (quiet && !err && *message_text()) {
		/* A warning crash printed on success is the user's to see. */
		fprintf(s.error_fp, "%s\n", message_text());
		fflush(s.error_fp);
	}
	sanity_restore(&s);
	/* gdb_interface() leaves restart() behind: never hand that back. */
	if (old_sa.sa_handler == restart || old_sa.sa_handler == guard_sigint)
		mpk_sigint_use_python();
	else
		sigaction(SIGINT, &old_sa, NULL);
	if (hold)
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	memcpy(pc->main_loop_env, saved_main, sizeof(saved_main));
	memcpy(pc->foreach_loop_env, saved_foreach, sizeof(saved_foreach));
	return err;
}

struct mpk_error *mpk_guard(void (*fn)(void *), void *arg)
{
	return run_guarded(fn, arg, NULL);
}

struct mpk_error *mpk_guard_quiet(void (*fn)(void *), void *arg,
				  const char *what)
{
	return run_guarded(fn, arg, what ? what : "crash");
}

bool mpk_crash_name(const char *name, char *buf)
{
	size_t len = strlen(name);

	if (!len || len >= MPK_NAME_MAX)
		return false;
	memcpy(buf, name, len + 1);
	return true;
}
