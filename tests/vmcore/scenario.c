// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the vmcore fixture: builds the known scenario (process tree,
 * threads, zombies, sockets, open files) and reports every value a test may
 * compare against as JSON lines in TRUTH_FILE.  The host merges them into
 * truth.json (tests/vmcore/fixture_tool.py).
 *
 * Built with: gcc -static -O2 -pthread -o scenario scenario.c
 *
 * Subcommands (run by tests/vmcore/init.sh):
 *   run [NSOCK]            become pk_root, build everything, then sleep;
 *                          /run/scenario.ready appears when all is in place
 *   report-net             interfaces and IPv4 routes as configured by init
 *   report-lines KEY FILE  FILE's lines, raw
 *   report-stat PATH...    stat() of files (inode numbers, sizes)
 *   report-system          uname, cpus, cmdline
 *   report-task PID ROLE   a process made by someone else (PID 1)
 *   panic                  become pk_panic on CPU 1, print the truth to the
 *                          console between markers, then crash via sysrq
 *
 * A truth line is {"section": S, "item": {...}} (appended to the list S)
 * or {"section": S, "set": {...}} (merged into the object S).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRUTH_FILE "/run/truth.jsonl"
#define READY_FILE "/run/scenario.ready"

/* ------------------------------------------------------------ JSON lines */

struct sb {
	char *p;
	size_t n, cap;
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "scenario[%d]: ", getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", errno, strerror(errno));
	exit(1);
}

static void sb_grow(struct sb *b, size_t more)
{
	if (b->n + more + 1 <= b->cap)
		return;
	b->cap = (b->n + more + 1) * 2;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		die("out of memory");
}

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_grow(b, len);
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, len + 1, fmt, ap);
	va_end(ap);
	b->n += len;
}

static void sb_str(struct sb *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(b, "\\u%04x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"");
}

/* One write() per line: O_APPEND keeps lines from several processes whole. */
static void sb_emit(struct sb *b)
{
	int fd = open(TRUTH_FILE, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	sb_printf(b, "\n");
	if (fd < 0 || write(fd, b->p, b->n) != (ssize_t)b->n)
		die("write %s", TRUTH_FILE);
	close(fd);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static void set_comm(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0))
		die("prctl(PR_SET_NAME, %s)", name);
}

/* ------------------------------------------------------------- processes */

static int ready_pipe[2];

static void signal_ready(void)
{
	char c = 1;

	if (write(ready_pipe[1], &c, 1) != 1)
		die("ready pipe");
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

static void emit_task(const char *role, const char *state, int exit_code,
		      const char *threads_json)
{
	struct sb b = { 0 };
	char comm[17] = "";

	prctl(PR_GET_NAME, comm, 0, 0, 0);
	sb_printf(&b, "{\"section\":\"tasks\",\"item\":{\"pid\":%d,\"tgid\":%d,"
		  "\"ppid\":%d,\"comm\":", getpid(), getpid(), getppid());
	sb_str(&b, comm);
	sb_printf(&b, ",\"role\":");
	sb_str(&b, role);
	sb_printf(&b, ",\"state\":\"%s\"", state);
	if (exit_code >= 0)
		sb_printf(&b, ",\"exit_code\":%d", exit_code);
	sb_printf(&b, ",\"threads\":%s}}", threads_json ? threads_json : "[]");
	sb_emit(&b);
}

/* A leaf process: named, reported, then asleep until the crash. */
static pid_t spawn_sleeper(const char *comm, const char *role,
			   void (*body)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid)
		return pid;
	set_comm(comm);
	if (body)
		body();
	emit_task(role, "S", -1, NULL);
	signal_ready();
	sleep_forever();
	return 0;
}

static void ggchild_body(void)
{
}

static void grandchild_body(void)
{
	spawn_sleeper("pk_ggchild", "great-grandchild", ggchild_body);
}

static void child1_body(void)
{
	spawn_sleeper("pk_grandchild", "grandchild", grandchild_body);
}

static pid_t make_zombie(const char *comm, int code)
{
	pid_t pid = fork();
	siginfo_t si;

	if (pid < 0)
		die("fork");
	if (!pid) {
		set_comm(comm);
		emit_task("zombie", "Z", code, NULL);
		_exit(code);
	}
	/* WNOWAIT: wait until it is dead but leave it unreaped (a zombie) */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		die("waitid");
	return pid;
}

static void child2_body(void)
{
	make_zombie("pk_zombie1", 3);
	make_zombie("pk_zombie2", 4);
}

/* ---------------------------------------------------------------- threads */

#define NTHREADS 3	/* plus the main thread: 4 in the thread group */
static pthread_barrier_t thr_barrier;
static pid_t thr_tid[NTHREADS];

static void *thread_main(void *arg)
{
	long i = (long)arg;
	char name[16];

	snprintf(name, sizeof(name), "pk_thr%u", (unsigned int)(i + 1) % 10);
	set_comm(name);
	thr_tid[i] = gettid_();
	pthread_barrier_wait(&thr_barrier);
	sleep_forever();
	return NULL;
}

static void threads_process(void)
{
	pid_t pid = fork();
	pthread_t t;
	struct sb th = { 0 };
	long i;

	if (pid < 0)
		die("fork");
	if (pid)
		return;
	set_comm("pk_threads");
	pthread_barrier_init(&thr_barrier, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t, NULL, thread_main, (void *)i))
			die("pthread_create");
	pthread_barrier_wait(&thr_barrier);
	sb_printf(&th, "[{\"tid\":%d,\"comm\":\"pk_threads\"}", getpid());
	for (i = 0; i < NTHREADS; i++)
		sb_printf(&th, ",{\"tid\":%d,\"comm\":\"pk_thr%ld\"}",
			  thr_tid[i], i + 1);
	sb_printf(&th, "]");
	emit_task("multithreaded", "S", -1, th.p);
	signal_ready();
	sleep_forever();
}

/* ---------------------------------------------------------------- sockets */

static void sock_json(struct sb *b, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char host[INET6_ADDRSTRLEN];
	struct stat st;
	int i;

	if (fstat(fd, &st))
		die("fstat socket");
	sb_printf(b, "\"fd\":%d,\"inode\":%lu", fd, (unsigned long)st.st_ino);
	for (i = 0; i < 2; i++) {
		const char *pfx = i ? "remote" : "local";

		len = sizeof(ss);
		memset(&ss, 0, sizeof(ss));
		if ((i ? getpeername(fd, (void *)&ss, &len)
		       : getsockname(fd, (void *)&ss, &len)))
			continue;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (void *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			sb_printf(b, ",\"%s_addr\":\"%s\",\"%s_port\":%d", pfx,
				  host, pfx, ntohs(s4->sin_port));
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			sb_printf(b, ",\"%s_addr\":\"%s\",\"%s_port\":%d", pfx,
				  host, pfx, ntohs(s6->sin6_port));
		}
	}
}

static void emit_socket(int fd, const char *kind, const char *proto,
			const char *state, const char *extra)
{
	struct sb b = { 0 };

	sb_printf(&b, "{\"section\":\"sockets\",\"item\":{\"pid\":%d,"
		  "\"kind\":\"%s\",\"proto\":\"%s\",\"state\":\"%s\",",
		  getpid(), kind, proto, state);
	sock_json(&b, fd);
	if (extra)
		sb_printf(&b, ",%s", extra);
	sb_printf(&b, "}}");
	sb_emit(&b);
}

static int inet_socket(int family, int type, const char *addr, int port,
		       int v6only)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
					   .sin6_port = htons(port) };

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			   sizeof(v6only));
		inet_pton(AF_INET6, addr, &s6.sin6_addr);
		if (bind(fd, (void *)&s6, sizeof(s6)))
			die("bind [%s]:%d", addr, port);
	} else {
		struct sockaddr_in s4 = { .sin_family = AF_INET,
					  .sin_port = htons(port) };

		inet_pton(AF_INET, addr, &s4.sin_addr);
		if (bind(fd, (void *)&s4, sizeof(s4)))
			die("bind %s:%d", addr, port);
	}
	return fd;
}

static int tcp_listener(int family, const char *addr, int port, int v6only,
			int backlog)
{
	int fd = inet_socket(family, SOCK_STREAM, addr, port, v6only);

	if (listen(fd, backlog))
		die("listen %s:%d", addr, port);
	return fd;
}

static int tcp_connect4(const char *addr, int port)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	inet_pton(AF_INET, addr, &s4.sin_addr);
	if (connect(fd, (void *)&s4, sizeof(s4)))
		die("connect %s:%d", addr, port);
	return fd;
}

static int unix_listener(const char *path, int abstract)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket unix");
	if (abstract) {
		/* abstract names start with a NUL and are not NUL-terminated */
		memcpy(su.sun_path + 1, path, strlen(path));
		len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	} else {
		unlink(path);
		strcpy(su.sun_path, path);
		len = sizeof(su);
	}
	if (bind(fd, (void *)&su, len) || listen(fd, 8))
		die("unix listener %s", path);
	return fd;
}

static void emit_unix(int fd, const char *type, const char *state,
		      const char *path, int abstract, int peer_fd)
{
	struct sb b = { 0 };
	struct stat st;

	if (fstat(fd, &st))
		die("fstat unix");
	sb_printf(&b, "{\"section\":\"sockets\",\"item\":{\"pid\":%d,"
		  "\"kind\":\"unix\",\"proto\":\"%s\",\"state\":\"%s\","
		  "\"fd\":%d,\"inode\":%lu", getpid(), type, state, fd,
		  (unsigned long)st.st_ino);
	if (path) {
		sb_printf(&b, ",\"path\":");
		sb_str(&b, path);
		sb_printf(&b, ",\"abstract\":%s", abstract ? "true" : "false");
	}
	if (peer_fd >= 0) {
		if (fstat(peer_fd, &st))
			die("fstat peer");
		sb_printf(&b, ",\"peer_fd\":%d,\"peer_inode\":%lu", peer_fd,
			  (unsigned long)st.st_ino);
	}
	sb_printf(&b, "}}");
	sb_emit(&b);
}

/* Ports are part of the truth: keep them distinct from ephemeral ones. */
#define PORT_TCP_LO	20001
#define PORT_TCP_ANY	20002
#define PORT_TCP6_ANY	20003
#define PORT_TCP_EST	20010
#define PORT_UDP4	20020
#define PORT_UDP6	20021
#define PORT_UDP_CONN	20022
#define PORT_TCP_BIG	20100
#define NESTABLISHED	3

static void make_sockets(long nbig)
{
	int fd, lfd, cfd, afd, sp[2], i;
	char extra[128];

	fd = tcp_listener(AF_INET, "127.0.0.1", PORT_TCP_LO, 0, 16);
	emit_socket(fd, "tcp", "tcp", "LISTEN", "\"family\":\"inet\"");
	fd = tcp_listener(AF_INET, "0.0.0.0", PORT_TCP_ANY, 0, 16);
	emit_socket(fd, "tcp", "tcp", "LISTEN", "\"family\":\"inet\"");
	/* dual-stack on purpose: the common default for [::] listeners */
	fd = tcp_listener(AF_INET6, "::", PORT_TCP6_ANY, 0, 16);
	emit_socket(fd, "tcp", "tcp6", "LISTEN",
		    "\"family\":\"inet6\",\"v6only\":false");

	lfd = tcp_listener(AF_INET, "127.0.0.1", PORT_TCP_EST, 0, 16);
	emit_socket(lfd, "tcp", "tcp", "LISTEN", "\"family\":\"inet\"");
	for (i = 0; i < NESTABLISHED; i++) {
		cfd = tcp_connect4("127.0.0.1", PORT_TCP_EST);
		afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (afd < 0)
			die("accept");
		snprintf(extra, sizeof(extra),
			 "\"family\":\"inet\",\"conn\":%d,\"end\":\"client\","
			 "\"peer_fd\":%d", i, afd);
		emit_socket(cfd, "tcp", "tcp", "ESTABLISHED", extra);
		snprintf(extra, sizeof(extra),
			 "\"family\":\"inet\",\"conn\":%d,\"end\":\"server\","
			 "\"peer_fd\":%d", i, cfd);
		emit_socket(afd, "tcp", "tcp", "ESTABLISHED", extra);
		/* a little unread data, so queues are not all empty */
		if (write(cfd, "ping", 4) != 4)
			die("write tcp");
	}

	fd = inet_socket(AF_INET, SOCK_DGRAM, "0.0.0.0", PORT_UDP4, 0);
	emit_socket(fd, "udp", "udp", "UNCONN", "\"family\":\"inet\"");
	fd = inet_socket(AF_INET6, SOCK_DGRAM, "::", PORT_UDP6, 1);
	emit_socket(fd, "udp", "udp6", "UNCONN",
		    "\"family\":\"inet6\",\"v6only\":true");
	fd = inet_socket(AF_INET, SOCK_DGRAM, "127.0.0.1", PORT_UDP_CONN, 0);
	{
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(PORT_UDP4) };

		inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
		if (connect(fd, (void *)&to, sizeof(to)))
			die("connect udp");
	}
	emit_socket(fd, "udp", "udp", "ESTABLISHED", "\"family\":\"inet\"");

	fd = unix_listener("/run/pk_unix_a.sock", 0);
	emit_unix(fd, "stream", "LISTEN", "/run/pk_unix_a.sock", 0, -1);
	fd = unix_listener("/mnt/tmpfs/pk_unix_b.sock", 0);
	emit_unix(fd, "stream", "LISTEN", "/mnt/tmpfs/pk_unix_b.sock", 0, -1);
	fd = unix_listener("pk_abstract", 1);
	emit_unix(fd, "stream", "LISTEN", "pk_abstract", 1, -1);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		die("socketpair");
	emit_unix(sp[0], "stream", "ESTABLISHED", NULL, 0, sp[1]);
	emit_unix(sp[1], "stream", "ESTABLISHED", NULL, 0, sp[0]);

	if (nbig > 0) {
		/* the benchmark variant: many established loopback pairs */
		int minport = 65536, maxport = 0;
		struct sb b = { 0 };

		lfd = tcp_listener(AF_INET, "127.0.0.1", PORT_TCP_BIG, 0, 4096);
		for (i = 0; i < nbig; i++) {
			struct sockaddr_in s4;
			socklen_t len = sizeof(s4);

			cfd = tcp_connect4("127.0.0.1", PORT_TCP_BIG);
			afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (afd < 0)
				die("accept big %d", i);
			getsockname(cfd, (void *)&s4, &len);
			if (ntohs(s4.sin_port) < minport)
				minport = ntohs(s4.sin_port);
			if (ntohs(s4.sin_port) > maxport)
				maxport = ntohs(s4.sin_port);
		}
		sb_printf(&b, "{\"section\":\"big_sockets\",\"set\":{\"pid\":%d,"
			  "\"listen_addr\":\"127.0.0.1\",\"listen_port\":%d,"
			  "\"listen_fd\":%d,\"connections\":%ld,"
			  "\"client_port_min\":%d,\"client_port_max\":%d}}",
			  getpid(), PORT_TCP_BIG, lfd, nbig, minport, maxport);
		sb_emit(&b);
	}
}

/* ------------------------------------------------------------ open files */

static void emit_open_file(int fd, const char *path, int deleted)
{
	struct sb b = { 0 };
	struct stat st;

	if (fstat(fd, &st))
		die("fstat %s", path);
	sb_printf(&b, "{\"section\":\"open_files\",\"item\":{\"pid\":%d,\"fd\":%d,"
		  "\"path\":", getpid(), fd);
	sb_str(&b, path);
	sb_printf(&b, ",\"inode\":%lu,\"size\":%lld,\"pos\":%lld,"
		  "\"dev_major\":%u,\"dev_minor\":%u,\"deleted\":%s,"
		  "\"nlink\":%lu}}", (unsigned long)st.st_ino,
		  (long long)st.st_size, (long long)lseek(fd, 0, SEEK_CUR),
		  major(st.st_dev), minor(st.st_dev), deleted ? "true" : "false",
		  (unsigned long)st.st_nlink);
	sb_emit(&b);
}

static int open_filled(const char *path, size_t size, off_t pos)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	char buf[4096];
	size_t done = 0;

	if (fd < 0)
		die("open %s", path);
	memset(buf, 'x', sizeof(buf));
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

		if (write(fd, buf, n) != (ssize_t)n)
			die("write %s", path);
		done += n;
	}
	if (lseek(fd, pos, SEEK_SET) != pos)
		die("lseek %s", path);
	return fd;
}

static void make_open_files(void)
{
	int fd;

	fd = open("/mnt/ext4/keep-open.bin", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open keep-open.bin");
	if (lseek(fd, 1000, SEEK_SET) != 1000)
		die("lseek");
	emit_open_file(fd, "/mnt/ext4/keep-open.bin", 0);

	fd = open_filled("/mnt/tmpfs/open-tmp.dat", 3000, 123);
	emit_open_file(fd, "/mnt/tmpfs/open-tmp.dat", 0);

	fd = open_filled("/mnt/tmpfs/deleted.dat", 777, 7);
	if (unlink("/mnt/tmpfs/deleted.dat"))
		die("unlink");
	emit_open_file(fd, "/mnt/tmpfs/deleted.dat", 1);
}

static long g_nbig;

static void net_body(void)
{
	if (g_nbig > 0) {
		struct rlimit rl;

		rl.rlim_cur = rl.rlim_max = 2 * g_nbig + 1024;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit NOFILE %ld", (long)rl.rlim_cur);
	}
	if (chdir("/mnt/ext4"))
		die("chdir");
	make_sockets(g_nbig);
	make_open_files();
}

/* -------------------------------------------------------------------- run */

static int cmd_run(long nbig)
{
	int expected = 0, got = 0, fd;
	char c;

	set_comm("pk_root");
	g_nbig = nbig;
	if (pipe2(ready_pipe, O_CLOEXEC))
		die("pipe");

	/* pk_root -> pk_child1 -> pk_grandchild -> pk_ggchild */
	spawn_sleeper("pk_child1", "child", child1_body);
	expected += 3;
	/* pk_root -> pk_child2 -> two zombies it never reaps */
	spawn_sleeper("pk_child2", "child", child2_body);
	expected += 1;
	threads_process();
	expected += 1;
	spawn_sleeper("pk_net", "sockets-and-files", net_body);
	expected += 1;

	while (got < expected) {
		if (read(ready_pipe[0], &c, 1) != 1)
			die("ready pipe read (%d of %d)", got, expected);
		got++;
	}
	emit_task("root", "S", -1, NULL);
	fd = open(READY_FILE, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die("create %s", READY_FILE);
	close(fd);
	sleep_forever();
	return 0;
}

/* ------------------------------------------------------------- reporting */

static int cmd_report_lines(const char *key, const char *path)
{
	FILE *f = fopen(path, "r");
	struct sb b = { 0 };
	char line[4096];
	int first = 1;

	if (!f)
		die("open %s", path);
	sb_printf(&b, "{\"section\":\"raw\",\"set\":{");
	sb_str(&b, key);
	sb_printf(&b, ":[");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		sb_printf(&b, first ? "" : ",");
		sb_str(&b, line);
		first = 0;
	}
	sb_printf(&b, "]}}");
	fclose(f);
	sb_emit(&b);
	return 0;
}

static int cmd_report_stat(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		struct sb b = { 0 };
		struct stat st;

		if (lstat(argv[i], &st))
			die("stat %s", argv[i]);
		sb_printf(&b, "{\"section\":\"files\",\"item\":{\"path\":");
		sb_str(&b, argv[i]);
		sb_printf(&b, ",\"inode\":%lu,\"size\":%lld,\"mode\":%u,"
			  "\"type\":\"%s\",\"nlink\":%lu,\"dev_major\":%u,"
			  "\"dev_minor\":%u}}", (unsigned long)st.st_ino,
			  (long long)st.st_size, st.st_mode & 07777,
			  S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ?
			  "file" : S_ISSOCK(st.st_mode) ? "socket" : "other",
			  (unsigned long)st.st_nlink, major(st.st_dev),
			  minor(st.st_dev));
		sb_emit(&b);
	}
	return 0;
}

static int cmd_report_net(void)
{
	struct ifaddrs *ifa, *p;
	struct if_nameindex *names, *n;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FILE *f;
	char line[512];

	if (s < 0 || getifaddrs(&ifa))
		die("getifaddrs");
	names = if_nameindex();
	if (!names)
		die("if_nameindex");
	for (n = names; n->if_index; n++) {
		struct sb b = { 0 };
		struct ifreq ifr;
		unsigned char *mac;
		char host[INET6_ADDRSTRLEN];
		int first = 1, fam;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", n->if_name);
		sb_printf(&b, "{\"section\":\"interfaces\",\"item\":{\"name\":");
		sb_str(&b, n->if_name);
		sb_printf(&b, ",\"ifindex\":%u", n->if_index);
		if (!ioctl(s, SIOCGIFMTU, &ifr))
			sb_printf(&b, ",\"mtu\":%d", ifr.ifr_mtu);
		if (!ioctl(s, SIOCGIFFLAGS, &ifr))
			sb_printf(&b, ",\"flags\":%d,\"up\":%s", ifr.ifr_flags,
				  (ifr.ifr_flags & IFF_UP) ? "true" : "false");
		if (!ioctl(s, SIOCGIFHWADDR, &ifr)) {
			mac = (unsigned char *)ifr.ifr_hwaddr.sa_data;
			sb_printf(&b, ",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\"",
				  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		}
		for (fam = 0; fam < 2; fam++) {
			sb_printf(&b, ",\"%s\":[", fam ? "ipv6" : "ipv4");
			first = 1;
			for (p = ifa; p; p = p->ifa_next) {
				int plen = 0, i;
				unsigned char *m;
				size_t mlen;

				if (!p->ifa_addr || strcmp(p->ifa_name, n->if_name))
					continue;
				if (p->ifa_addr->sa_family != (fam ? AF_INET6 : AF_INET))
					continue;
				if (fam) {
					inet_ntop(AF_INET6, &((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr, host, sizeof(host));
					m = (void *)&((struct sockaddr_in6 *)p->ifa_netmask)->sin6_addr;
					mlen = 16;
				} else {
					inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_addr)->sin_addr, host, sizeof(host));
					m = (void *)&((struct sockaddr_in *)p->ifa_netmask)->sin_addr;
					mlen = 4;
				}
				for (i = 0; i < (int)mlen; i++)
					plen += __builtin_popcount(m[i]);
				sb_printf(&b, "%s{\"addr\":\"%s\",\"prefixlen\":%d}",
					  first ? "" : ",", host, plen);
				first = 0;
			}
			sb_printf(&b, "]");
		}
		sb_printf(&b, "}}");
		sb_emit(&b);
	}
	if_freenameindex(names);
	freeifaddrs(ifa);

	/* /proc/net/route: hex, host byte order of the kernel's __be32 */
	f = fopen("/proc/net/route", "r");
	if (!f)
		die("open /proc/net/route");
	if (!fgets(line, sizeof(line), f))
		die("read /proc/net/route");
	while (fgets(line, sizeof(line), f)) {
		char ifname[IFNAMSIZ + 1], d[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
		unsigned int dst, gw, flags, mask, metric;
		struct in_addr a;
		struct sb b = { 0 };

		if (sscanf(line, "%16s %x %x %x %*d %*d %u %x", ifname, &dst, &gw,
			   &flags, &metric, &mask) != 6)
			continue;
		a.s_addr = dst;
		inet_ntop(AF_INET, &a, d, sizeof(d));
		a.s_addr = gw;
		inet_ntop(AF_INET, &a, g, sizeof(g));
		sb_printf(&b, "{\"section\":\"routes\",\"item\":{\"dev\":\"%s\","
			  "\"dst\":\"%s\",\"prefixlen\":%d,\"gateway\":\"%s\","
			  "\"flags\":%u,\"metric\":%u}}", ifname, d,
			  __builtin_popcount(mask), g, flags, metric);
		sb_emit(&b);
	}
	fclose(f);
	return 0;
}

static int cmd_report_system(void)
{
	struct utsname u;
	struct sb b = { 0 };
	char cmdline[1024] = "", possible[64] = "";
	FILE *f;

	if (uname(&u))
		die("uname");
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		cmdline[strcspn(cmdline, "\n")] = 0;
		fclose(f);
	}
	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (f) {
		if (!fgets(possible, sizeof(possible), f))
			possible[0] = 0;
		possible[strcspn(possible, "\n")] = 0;
		fclose(f);
	}
	sb_printf(&b, "{\"section\":\"system\",\"set\":{\"sysname\":");
	sb_str(&b, u.sysname);
	sb_printf(&b, ",\"nodename\":");
	sb_str(&b, u.nodename);
	sb_printf(&b, ",\"release\":");
	sb_str(&b, u.release);
	sb_printf(&b, ",\"version\":");
	sb_str(&b, u.version);
	sb_printf(&b, ",\"machine\":");
	sb_str(&b, u.machine);
	sb_printf(&b, ",\"cmdline\":");
	sb_str(&b, cmdline);
	sb_printf(&b, ",\"cpus_possible\":");
	sb_str(&b, possible);
	sb_printf(&b, ",\"cpus_online\":%ld,\"page_size\":%ld}}",
		  sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_PAGESIZE));
	sb_emit(&b);
	return 0;
}

/* A process the scenario did not create (PID 1), as /proc shows it. */
static int cmd_report_task(const char *pid, const char *role)
{
	char path[64], buf[512], comm[32], state;
	int ppid, n;
	FILE *f;
	struct sb b = { 0 };
	char *l, *r;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		die("read %s", path);
	fclose(f);
	/* comm may hold spaces or parentheses: it spans first '(' to last ')' */
	l = strchr(buf, '(');
	r = strrchr(buf, ')');
	if (!l || !r || r < l || sscanf(r + 1, " %c %d", &state, &ppid) != 2)
		die("parse %s", path);
	n = r - l - 1 < (int)sizeof(comm) - 1 ? r - l - 1 : (int)sizeof(comm) - 1;
	memcpy(comm, l + 1, n);
	comm[n] = 0;
	sb_printf(&b, "{\"section\":\"tasks\",\"item\":{\"pid\":%d,\"tgid\":%d,"
		  "\"ppid\":%d,\"comm\":", atoi(pid), atoi(pid), ppid);
	sb_str(&b, comm);
	sb_printf(&b, ",\"role\":");
	sb_str(&b, role);
	sb_printf(&b, ",\"state\":\"%c\",\"threads\":[]}}", state);
	sb_emit(&b);
	return 0;
}

/* ------------------------------------------------------------------ panic */

#define PANIC_CPU 1

static int cmd_panic(void)
{
	struct sb b = { 0 };
	cpu_set_t set;
	FILE *f;
	char line[8192];
	int fd, n = 0;

	set_comm("pk_panic");
	CPU_ZERO(&set);
	CPU_SET(PANIC_CPU, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
	sb_printf(&b, "{\"section\":\"panic\",\"set\":{\"pid\":%d,\"ppid\":%d,"
		  "\"comm\":\"pk_panic\",\"cpu\":%d,"
		  "\"message\":\"sysrq triggered crash\"}}",
		  getpid(), getppid(), PANIC_CPU);
	sb_emit(&b);

	/* The console is the only way out of the guest: print, then crash. */
	f = fopen(TRUTH_FILE, "r");
	if (!f)
		die("open %s", TRUTH_FILE);
	printf("TRUTH-BEGIN\n");
	while (fgets(line, sizeof(line), f)) {
		printf("TRUTH %s", line);
		n++;
	}
	printf("TRUTH-END %d\n", n);
	fclose(f);
	fflush(stdout);
	sync();
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	if (fd < 0)
		die("open sysrq-trigger");
	if (write(fd, "c", 1) != 1)
		die("sysrq");
	die("still alive after sysrq c");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc > 2 ? atol(argv[2]) : 0);
	if (argc == 4 && !strcmp(argv[1], "report-lines"))
		return cmd_report_lines(argv[2], argv[3]);
	if (argc >= 2 && !strcmp(argv[1], "report-stat"))
		return cmd_report_stat(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "report-net"))
		return cmd_report_net();
	if (argc == 4 && !strcmp(argv[1], "report-task"))
		return cmd_report_task(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "report-system"))
		return cmd_report_system();
	if (argc == 2 && !strcmp(argv[1], "panic"))
		return cmd_panic();
	fprintf(stderr, "usage: scenario run [NSOCK] | report-lines KEY FILE | "
		"report-stat PATH... | report-net | report-system | "
		"report-task PID ROLE | panic\n");
	return 2;
}
