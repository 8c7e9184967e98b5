// SPDX-License-Identifier: GPL-2.0-or-later
/* The only setjmp on crash's pc->main_loop_env and pc->foreach_loop_env. */

#include <signal.h>
#include <string.h>

#include "defs.h"
#include "mpk/guard.h"

/* A ^C that arrived during the guarded call: set by the handler below. */
static volatile sig_atomic_t interrupted;
static jmp_buf *volatile current_env;

static void guard_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	if (current_env)
		longjmp(*current_env, 1);
}

struct mpk_error *mpk_guard(void (*fn)(void *), void *arg)
{
	jmp_buf saved_main, saved_foreach;
	jmp_buf *volatile saved_env = current_env;
	struct sigaction sa, old_sa;
	struct mpk_error *volatile err = NULL;

	memcpy(saved_main, pc->main_loop_env, sizeof(saved_main));
	memcpy(saved_foreach, pc->foreach_loop_env, sizeof(saved_foreach));
	sigaction(SIGINT, NULL, &old_sa);
	interrupted = 0;

	if (setjmp(pc->main_loop_env)) {
		sigset_t set;

		/* A longjmp out of a signal handler leaves SIGINT blocked. */
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		err = interrupted ?
			mpk_error_create(MPK_ERROR_INTERRUPT, "interrupted") :
			mpk_error_create(MPK_ERROR_CRASH, "crash command failed");
		goto out;
	}
	/* Under foreach, FATAL errors jump to foreach_loop_env instead. */
	memcpy(pc->foreach_loop_env, pc->main_loop_env,
	       sizeof(pc->foreach_loop_env));
	current_env = &pc->main_loop_env;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	fn(arg);
	if (interrupted)
		err = mpk_error_create(MPK_ERROR_INTERRUPT, "interrupted");
out:
	current_env = saved_env;
	sigaction(SIGINT, &old_sa, NULL);
	memcpy(pc->main_loop_env, saved_main, sizeof(saved_main));
	memcpy(pc->foreach_loop_env, saved_foreach, sizeof(saved_foreach));
	return err;
}
