// SPDX-License-Identifier: GPL-2.0-or-later
/* The session state and the SIGINT dispositions of crash and Python. */

#include <signal.h>
#include <string.h>

#include "mpk/session.h"

struct mpk_session mpk_session;

static struct sigaction crash_sigint;
static struct sigaction python_sigint;
static bool have_crash_sigint, have_python_sigint;

void mpk_sigint_save_crash(void)
{
	if (sigaction(SIGINT, NULL, &crash_sigint) == 0)
		have_crash_sigint = true;
}

void mpk_sigint_save_python(void)
{
	if (sigaction(SIGINT, NULL, &python_sigint) == 0)
		have_python_sigint = true;
}

void mpk_sigint_use_python(void)
{
	if (have_python_sigint)
		sigaction(SIGINT, &python_sigint, NULL);
}

void mpk_sigint_use_crash(void)
{
	if (have_crash_sigint)
		sigaction(SIGINT, &crash_sigint, NULL);
}
