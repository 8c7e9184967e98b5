// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash-facing side: the constructor that registers `epython` and one
 * command per bundled program, the destructor, and the commands' argument
 * handling. Python is not touched here.
 */

#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/extension.h"
#include "mpk/guard.h"
#include "mpk/interp.h"
#include "mpk/memory.h"
#include "mpk/progs.h"
#include "mpk/session.h"
#include "mpk/types.h"

static char *help_epython[] = {
	"epython",
	"run a Python program inside crash, with the pykdump API",
	"[-h] [-v] [-p] [-d level] [--reload] [--ehelp] [program [args ...]]",
	"  Runs PROGRAM with ARGS in the embedded Python. PROGRAM is looked up",
	"  as a path, then (as NAME or NAME.py) in each directory of",
	"  $PYKDUMPPATH, then among the programs bundled in mpykdump.so.",
	"  Without PROGRAM, opens an interactive Python console with",
	"  'from pykdump.API import *' done, reading crash's input.",
	"",
	"    -h, --help      this text",
	"    -v, --version   versions of mpykdump, the API, Python and crash",
	"    -p, --path      print sys.path",
	"    -d, --debug N   set the debug level (a program is then optional)",
	"    --reload        re-import pykdump and the programs (for editing)",
	"    --ehelp         list the framework options every program takes",
	"                    (--maxel, --timeout, --ofile, --usens, ...)",
	"",
	"  Options every program takes (--maxel=N, --timeout=N, --ofile=FILE,",
	"  --usens=PID, ...) may also come before PROGRAM.",
	"",
	"  Output goes to crash's output: '| grep', '> file' work as usual.",
	"  Each bundled program is also a command of its own: 'xportshow -l'.",
	"",
	"EXAMPLE",
	"    crash> epython xportshow -l",
	"    crash> epython -v",
	NULL
};

/* epython, one entry per program, the terminator. */
static struct command_table_entry *command_table;
static const char **command_names;
static size_t ncommands;

size_t mpk_command_names(const char *const **ret)
{
	*ret = command_names;
	return ncommands;
}

static void print_help(char **help)
{
	int i;

	fprintf(fp, "NAME\n  %s - %s\n\nSYNOPSIS\n  %s %s\n\nDESCRIPTION\n",
		help[0], help[1], help[0], help[2]);
	for (i = 3; help[i]; i++)
		fprintf(fp, "%s\n", help[i]);
}

static void cmd_epython(void)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ "path", no_argument, NULL, 'p' },
		{ "debug", required_argument, NULL, 'd' },
		{ "reload", no_argument, NULL, 'r' },
		{ "ehelp", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct mpk_run_options opts = { .debug = -1 };
	char *end;
	long level;
	int c;

	optind = 0;	/* getopt_long needs a full reset between commands */
	opterr = 0;	/* our messages below, on crash's output */
	while ((c = getopt_long(argcnt, args, "+hvpd:", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'h':
			print_help(help_epython);
			return;
		case 'v':
			opts.version = true;
			break;
		case 'p':
			opts.path = true;
			break;
		case 'd':
			errno = 0;
			level = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || level < 0 ||
			    level > INT_MAX) {
				fprintf(fp, "epython: -d needs a level (0 or "
					"more), not '%s'\n", optarg);
				return;
			}
			opts.debug = (int)level;
			break;
		case 'r':
			opts.reload = true;
			break;
		case 'e':
			opts.ehelp = true;
			break;
		default:
			/*
			 * A long option of the program framework (--maxel=N,
			 * ...) may come before the program name, as the user
			 * guide says: the runner sorts those out.
			 */
			if (optind > 0 && optind <= argcnt &&
			    !strncmp(args[optind - 1], "--", 2) &&
			    optopt == 0) {
				optind--;
				goto run;
			}
			if (optopt == 'd')
				fprintf(fp, "epython: -d needs a level\n");
			else if (optopt)
				fprintf(fp, "epython: unknown option -%c\n",
					optopt);
			else
				fprintf(fp, "epython: unknown option %s\n",
					args[optind - 1]);
			fprintf(fp, "Usage: epython %s\n", help_epython[2]);
			return;
		}
	}
run:
	mpk_interp_run(argcnt - optind, args + optind, &opts);
}

/* A bundled program typed as a command: always the bundled one. */
static void cmd_program(void)
{
	struct mpk_run_options opts = { .debug = -1, .bundled = true };

	mpk_interp_run(argcnt, args, &opts);
}

static int build_command_table(void)
{
	size_t i, n = 1 + mpk_nprogs;

	command_table = calloc(n + 1, sizeof(*command_table));
	command_names = calloc(n, sizeof(*command_names));
	if (!command_table || !command_names)
		return -1;
	command_table[0] = (struct command_table_entry){
		"epython", cmd_epython, help_epython, 0
	};
	command_names[0] = "epython";
	for (i = 0; i < mpk_nprogs; i++) {
		/* crash's table is not const-qualified; it only reads it */
		command_table[i + 1] = (struct command_table_entry){
			(char *)mpk_progs[i].name, cmd_program,
			(char **)mpk_progs[i].help, 0
		};
		command_names[i + 1] = mpk_progs[i].name;
	}
	ncommands = n;
	return 0;
}

static void free_command_table(void)
{
	free(command_table);
	free(command_names);
	command_table = NULL;
	command_names = NULL;
	ncommands = 0;
}

static void __attribute__((constructor)) mpk_init(void)
{
	Dl_info info;
	const char *debug = getenv("PYKDUMPDEBUG");

	if (pc->flags & MINIMAL_MODE)
		return;
	if (dladdr((void *)mpk_init, &info) && info.dli_fname &&
	    !realpath(info.dli_fname, mpk_session.so_path))
		snprintf(mpk_session.so_path, sizeof(mpk_session.so_path),
			 "%s", info.dli_fname);
	if (debug)
		mpk_session.debug = atoi(debug);
	if (build_command_table() < 0) {
		free_command_table();
		error(INFO, "mpykdump: out of memory, nothing registered\n");
		return;
	}
	register_extension(command_table);
	fprintf(fp, "mpykdump %s (Python %s, crash %s): epython and %zu "
		"programs registered\n", MPK_VERSION, mpk_python_version(),
		pc->program_version, mpk_nprogs);
}

static void __attribute__((destructor)) mpk_fini(void)
{
	mpk_interp_finalize();
	mpk_guard_fini();
	mpk_memory_cache_clear();
	mpk_types_release();
	free_command_table();
}
