// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest helper of the kdump-made fixture (make-kdump-fixture.sh).
 *
 *   kdump-scenario load KERNEL INITRD CMDLINE
 *	loads the crash kernel with kexec_file_load(2), as `kexec -p -s`
 *	would: the kernel builds the ELF core header itself, so no kexec-tools
 *	(and none of its Xen libraries) are needed in the guest.
 *   kdump-scenario run
 *	starts a few named tasks asleep in known system calls, prints them
 *	as one KDUMP-TRUTH JSON line, then, as pk_panic pinned to CPU 1,
 *	writes 'c' to /proc/sysrq-trigger.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef KEXEC_FILE_ON_CRASH
#define KEXEC_FILE_ON_CRASH 0x00000002
#endif

static void die(const char *what)
{
	printf("KDUMP-FAIL: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static int load(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY), ifd = open(initrd, O_RDONLY);

	if (kfd < 0 || ifd < 0)
		die("open the crash kernel or its initrd");
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, KEXEC_FILE_ON_CRASH) != 0)
		die("kexec_file_load");
	return 0;
}

/* The task's state letter from /proc/PID/stat, '?' if unreadable. */
static char task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Waits until the task sleeps, so the dump shows it in its system call. */
static void wait_asleep(pid_t pid)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	for (i = 0; i < 1500; i++) {	/* 30 s: TCG on a busy host */
		if (task_state(pid) == 'S')
			return;
		nanosleep(&ts, NULL);
	}
	errno = ETIMEDOUT;
	die("a scenario task did not fall asleep");
}

static pid_t start(const char *comm, void (*body)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		body(arg);
		_exit(0);
	}
	return pid;
}

static void sleeper(void *arg)
{
	struct timespec ts = { 100000, 0 };

	(void)arg;
	nanosleep(&ts, NULL);
}

static void piper(void *arg)
{
	int *fds = arg;
	char c;

	close(fds[1]);
	if (read(fds[0], &c, 1) < 0)
		_exit(1);
}

static void waitee(void *arg)
{
	(void)arg;
	pause();
}

static void waiter(void *arg)
{
	(void)arg;
	waitpid(start("pk_waitee", waitee, NULL), NULL, 0);
}

static int run(void)
{
	int fds[2], sysrq;
	pid_t sleep_pid, pipe_pid, wait_pid, waitee;
	cpu_set_t cpus;
	char path[64], buf[64];
	FILE *f;

	if (pipe(fds) != 0)
		die("pipe");
	sleep_pid = start("pk_sleeper", sleeper, NULL);
	pipe_pid = start("pk_piper", piper, fds);
	wait_pid = start("pk_waiter", waiter, NULL);
	wait_asleep(sleep_pid);
	wait_asleep(pipe_pid);
	wait_asleep(wait_pid);
	/* pk_waiter's only child: the first pid in its children list */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		 (int)wait_pid, (int)wait_pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &waitee) != 1)
		die("read pk_waiter's child");
	fclose(f);
	wait_asleep(waitee);

	CPU_ZERO(&cpus);
	CPU_SET(1, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0)
		die("pin to CPU 1");
	prctl(PR_SET_NAME, "pk_panic");
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	printf("KDUMP-TRUTH {\"panic\": {\"pid\": %s, \"comm\": \"pk_panic\", "
	       "\"cpu\": %d, \"message\": \"sysrq triggered crash\"}, "
	       "\"tasks\": ["
	       "{\"pid\": %d, \"comm\": \"pk_sleeper\", \"syscall\": \"nanosleep\"}, "
	       "{\"pid\": %d, \"comm\": \"pk_piper\", \"syscall\": \"read\"}, "
	       "{\"pid\": %d, \"comm\": \"pk_waiter\", \"syscall\": \"wait4\"}, "
	       "{\"pid\": %d, \"comm\": \"pk_waitee\", \"syscall\": \"pause\"}"
	       "]}\n", buf, sched_getcpu(), (int)sleep_pid, (int)pipe_pid,
	       (int)wait_pid, (int)waitee);
	fflush(stdout);
	sync();
	sysrq = open("/proc/sysrq-trigger", O_WRONLY);
	if (sysrq < 0 || write(sysrq, "c", 1) != 1)
		die("write /proc/sysrq-trigger");
	errno = 0;
	die("still running after the sysrq crash");
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "load") == 0)
		return load(argv[2], argv[3], argv[4]);
	if (argc == 2 && strcmp(argv[1], "run") == 0)
		return run();
	fprintf(stderr, "usage: %s load KERNEL INITRD CMDLINE | run\n",
		argv[0]);
	return 2;
}
