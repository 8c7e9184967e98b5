// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mpkfloor.so: the C floor of `make bench`. A crash extension doing, with
 * plain readmem() calls, what bench/bench.py times through the Python
 * `crash` module, so each Python figure sits beside the best a C extension
 * gets from the same crash on the same dump. It also keeps time stamps
 * ("marks") so that extend and epython can be timed inside one session.
 *
 *   mpkfloor mark NAME     remember the wall-clock time under NAME
 *   mpkfloor marks         print "mark NAME SECONDS" for each
 *   mpkfloor noop          nothing: the cost of a crash command
 *   mpkfloor tasks N [cached]    N walks of init_task.tasks: pid, comm
 *   mpkfloor readmem N [cached]  N 64-byte reads cycling over init_task
 *   mpkfloor follow N [cached]   follow N ->next round init_task.tasks
 *   mpkfloor offsets       MEMBER_OFFSET/STRUCT_SIZE of task_struct
 *   mpkfloor tcp N [cached]      N walks of the TCP established hash
 *
 * Each measuring subcommand prints one line "floor NAME COUNT SECONDS".
 * "cached" reads through a page cache like the one mpykdump keeps (crash
 * keeps few kdump pages decompressed, so plain readmem() pays zlib again
 * and again on a walk): that is the floor for mpykdump's own reads, plain
 * readmem() the floor for an extension that has no such cache.
 */

#include <stdbool.h>
#include <time.h>

#include "defs.h"

enum { MAX_MARKS = 64, MARK_NAME = 32 };

static struct {
	char name[MARK_NAME];
	double when;
} marks[MAX_MARKS];
static int nmarks;

enum { CACHE_SLOTS = 16384, CACHE_PAGE = 4096 };	/* as src/memory.c */

static struct {
	ulong vaddr;		/* page address + 1; 0: empty */
	char data[CACHE_PAGE];
} *cache;

static bool cached_reads;

/* A kernel read, through the page cache when cached_reads is set. */
static bool kread(ulong addr, void *buf, long size)
{
	char *out = buf;

	if (!cached_reads)
		return readmem(addr, KVADDR, buf, size, "mpkfloor",
			       RETURN_ON_ERROR | QUIET);
	if (!cache && !(cache = calloc(CACHE_SLOTS, sizeof(*cache))))
		return false;
	while (size > 0) {
		ulong page = addr & ~(ulong)(CACHE_PAGE - 1);
		long off = addr - page, chunk = CACHE_PAGE - off;
		typeof(&cache[0]) slot = &cache[(page / CACHE_PAGE) %
						 CACHE_SLOTS];

		if (slot->vaddr != page + 1) {
			if (!readmem(page, KVADDR, slot->data, CACHE_PAGE,
				     "mpkfloor", RETURN_ON_ERROR | QUIET))
				return false;
			slot->vaddr = page + 1;
		}
		if (chunk > size)
			chunk = size;
		memcpy(out, slot->data + off, chunk);
		out += chunk;
		addr += chunk;
		size -= chunk;
	}
	return true;
}

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static ulong count_arg(int i)
{
	if (argcnt <= i)
		return 1;
	return stol(args[i], FAULT_ON_ERROR, NULL);
}

struct task_offsets {
	long tasks, pid, comm, size;
};

static void task_offsets(struct task_offsets *o)
{
	o->tasks = MEMBER_OFFSET("task_struct", "tasks");
	o->pid = MEMBER_OFFSET("task_struct", "pid");
	o->comm = MEMBER_OFFSET("task_struct", "comm");
	o->size = STRUCT_SIZE("task_struct");
	if (o->tasks < 0 || o->pid < 0 || o->comm < 0 || o->size <= 0)
		error(FATAL, "task_struct offsets not found\n");
}

static void report(const char *what, ulong n, double t0)
{
	fprintf(fp, "floor %s %lu %.6f\n", what, n, now(CLOCK_MONOTONIC) - t0);
}

/* The walk bench.py does per task: ->next, pid, comm. */
static void walk_tasks(ulong passes)
{
	struct task_offsets o;
	ulong head, next, pass, ntasks = 0;
	char comm[16];
	int pid;
	double t0;

	task_offsets(&o);
	head = symbol_value("init_task") + o.tasks;
	t0 = now(CLOCK_MONOTONIC);
	for (pass = 0; pass < passes; pass++) {
		next = head;
		do {
			ulong task = next - o.tasks;

			if (!kread(next, &next, sizeof(next)) ||
			    !kread(task + o.pid, &pid, sizeof(pid)) ||
			    !kread(task + o.comm, comm, sizeof(comm)))
				error(FATAL, "read failed in task walk\n");
			ntasks++;
		} while (next != head);
	}
	report("tasks", ntasks, t0);
}

/* 64-byte reads cycling over init_task, as bench.py does. */
static void read_64(ulong n)
{
	struct task_offsets o;
	ulong base, i, chunks;
	char buf[64];
	double t0;

	task_offsets(&o);
	base = symbol_value("init_task");
	chunks = o.size / sizeof(buf);
	t0 = now(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++)
		if (!kread(base + (i % chunks) * sizeof(buf), buf,
			   sizeof(buf)))
			error(FATAL, "read failed\n");
	report("readmem64", n, t0);
}

static void follow(ulong n)
{
	struct task_offsets o;
	ulong next, i;
	double t0;

	task_offsets(&o);
	next = symbol_value("init_task") + o.tasks;
	t0 = now(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++)
		if (!kread(next, &next, sizeof(next)))
			error(FATAL, "read failed at %lx\n", next);
	report("follow", n, t0);
}

/*
 * The TCP established hash of xportshow: every bucket of
 * tcp_hashinfo.ehash, each socket's sock_common head (addresses, ports,
 * family, state) and its chain pointer; chains end in an odd "nulls".
 */
static void walk_tcp(ulong passes)
{
	long ehash = MEMBER_OFFSET("inet_hashinfo", "ehash");
	long mask_off = MEMBER_OFFSET("inet_hashinfo", "ehash_mask");
	long node = ANON_MEMBER_OFFSET("sock_common", "skc_nulls_node");
	ulong info = symbol_value("tcp_hashinfo");
	ulong table, pass, b, nsocks = 0;
	unsigned int mask;
	char head[64];
	double t0;

	if (ehash < 0 || mask_off < 0 || node < 0)
		error(FATAL, "inet_hashinfo/sock_common offsets not found\n");
	if (!kread(info + ehash, &table, sizeof(table)) ||
	    !kread(info + mask_off, &mask, sizeof(mask)))
		error(FATAL, "cannot read tcp_hashinfo\n");
	t0 = now(CLOCK_MONOTONIC);
	for (pass = 0; pass < passes; pass++) {
		for (b = 0; b <= mask; b++) {
			ulong ptr;

			if (!kread(table + b * sizeof(ulong), &ptr,
				   sizeof(ptr)))
				error(FATAL, "cannot read bucket %lu\n", b);
			while (!(ptr & 1)) {
				if (!kread(ptr - node, head, sizeof(head)) ||
				    !kread(ptr, &ptr, sizeof(ptr)))
					error(FATAL, "cannot read socket\n");
				nsocks++;
			}
		}
	}
	report("tcp", nsocks, t0);
}

static void offsets(void)
{
	struct task_offsets o;
	double t0 = now(CLOCK_MONOTONIC);

	task_offsets(&o);
	report("offsets", 4, t0);
}

static void mark(const char *name)
{
	if (nmarks == MAX_MARKS)
		error(FATAL, "too many marks\n");
	snprintf(marks[nmarks].name, sizeof(marks[nmarks].name), "%s", name);
	marks[nmarks++].when = now(CLOCK_REALTIME);
}

static void cmd_mpkfloor(void)
{
	const char *sub = argcnt > 1 ? args[1] : "";
	int i;

	cached_reads = argcnt > 3 && !strcmp(args[3], "cached");
	if (!strcmp(sub, "mark") && argcnt > 2)
		mark(args[2]);
	else if (!strcmp(sub, "marks"))
		for (i = 0; i < nmarks; i++)
			fprintf(fp, "mark %s %.6f\n", marks[i].name,
				marks[i].when);
	else if (!strcmp(sub, "noop"))
		;
	else if (!strcmp(sub, "tasks"))
		walk_tasks(count_arg(2));
	else if (!strcmp(sub, "readmem"))
		read_64(count_arg(2));
	else if (!strcmp(sub, "follow"))
		follow(count_arg(2));
	else if (!strcmp(sub, "offsets"))
		offsets();
	else if (!strcmp(sub, "tcp"))
		walk_tcp(count_arg(2));
	else
		cmd_usage(pc->curcmd, SYNOPSIS);
}

static char *help_mpkfloor[] = {
	"mpkfloor",
	"C floor for mpykdump's benchmarks",
	"mark NAME | marks | noop | offsets | {tasks|readmem|follow|tcp} N [cached]",
	"  Times plain readmem() loops; see bench/floor.c.",
	NULL
};

static struct command_table_entry command_table[] = {
	{ "mpkfloor", cmd_mpkfloor, help_mpkfloor, 0 },
	{ NULL, NULL, NULL, 0 },
};

static void __attribute__((constructor)) mpkfloor_init(void)
{
	register_extension(command_table);
}

static void __attribute__((destructor)) mpkfloor_fini(void)
{
}
