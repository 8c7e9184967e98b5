/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one per-crash-session state of the extension. Plain C: included by
 * core files (with defs.h) and bindings (with Python.h) alike.
 */
#ifndef MPK_SESSION_H
#define MPK_SESSION_H

#include <limits.h>
#include <stdbool.h>

/*
 * MPK_VERSION ("0.1.0") and MPK_VERSION_NUM (major * 10000 + minor * 100 +
 * patch) come from the file VERSION through the Makefile's -D flags;
 * pykdump/__init__.py names the minimum C version it needs.
 */
#ifndef MPK_VERSION
#error "MPK_VERSION is passed by the Makefile (from the file VERSION)"
#endif

/** Everything the extension keeps between two crash commands. */
struct mpk_session {
	char so_path[PATH_MAX];	/* the loaded mpykdump.so: also a zip */
	int debug;		/* -d / PYKDUMPDEBUG */
	bool python_ready;	/* CPython initialised */
	bool python_failed;	/* its initialisation failed: never retried */
	bool in_child;		/* forked by exec_crash_command_bg2 */
	int default_memtype;	/* KVADDR, or UVADDR after set_readmem_task */
	unsigned long readmem_task;	/* task whose context UVADDR uses */
};

/** The session: one crash process has one. */
extern struct mpk_session mpk_session;

/** Remember crash's SIGINT disposition (before Python installs its own). */
void mpk_sigint_save_crash(void);
/** Remember Python's SIGINT disposition (right after Python's init). */
void mpk_sigint_save_python(void);
/** Install Python's handler: ^C becomes KeyboardInterrupt. */
void mpk_sigint_use_python(void);
/** Install crash's handler: ^C aborts the crash command in progress. */
void mpk_sigint_use_crash(void);

#endif /* MPK_SESSION_H */
