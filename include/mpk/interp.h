/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The embedded CPython: initialised once, runs programs for epython. */
#ifndef MPK_INTERP_H
#define MPK_INTERP_H

#include <stdbool.h>

/** Options of one epython invocation. */
struct mpk_run_options {
	bool version;		/* -v: print versions */
	bool path;		/* -p: print sys.path */
	bool reload;		/* --reload: re-import pykdump and programs */
	int debug;		/* -d LEVEL, -1 if not given */
	bool bundled;		/* a program command: skip the path lookup */
	bool ehelp;		/* --ehelp: list the framework options */
};

/** Version string of the Python this was built against (no init needed). */
const char *mpk_python_version(void);

/**
 * Run epython with @argc/@argv (argv[0] is the program, or argc == 0 for
 * the interactive console). Python is initialised on first use. Returns
 * 0, or -1 if Python could not be started (a message was printed).
 */
int mpk_interp_run(int argc, char **argv, const struct mpk_run_options *opts);

/** Finalise Python if it was started (extension unload). */
void mpk_interp_finalize(void);

#endif /* MPK_INTERP_H */
