// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replays files through the fuzz target without libFuzzer, so that
 * `make check` runs the corpus (the captures and every kept find) under
 * gcc's sanitizers.  Arguments: files or directories (not recursive).
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	size_t cap = 1 << 16, n = 0, got;
	uint8_t *buf;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return -1;
	}
	buf = malloc(cap);
	if (!buf)
		abort();
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st)) {
			/* an absent directory of finds is no failure */
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed += replay_file(argv[i]) != 0;
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			failed++;
			continue;
		}
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 de->d_name);
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			failed += replay_file(path) != 0;
			files++;
		}
		closedir(d);
	}
	printf("fuzz-replay: %d inputs, %d unreadable\n", files, failed);
	return failed ? 1 : 0;
}
