// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash's current output stream for Python's prints (src/py/output.c):
 * fp follows crash's `| cmd`, `> file` and `>> file`.
 */

#include <errno.h>
#include <stdio.h>

#include "defs.h"
#include "mpk/output.h"

struct mpk_error *mpk_output_write(const char *buf, size_t len)
{
	errno = 0;
	if (fwrite(buf, 1, len, fp) != len)
		return mpk_error_os(errno ? errno : EIO, "write");
	return NULL;
}

void mpk_output_flush(void)
{
	fflush(fp);
}

int mpk_output_fileno(void)
{
	return fileno(fp);
}
