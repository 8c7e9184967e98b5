// SPDX-License-Identifier: GPL-2.0-or-later
/* crash's error stream sent elsewhere (its `set error` setting). */

#include <stdlib.h>
#include <string.h>

#include "defs.h"
#include "mpk/errstream.h"

struct mpk_error *mpk_set_error_target(const char *target, char **ret)
{
	char *previous = pc->error_path ? strdup(pc->error_path) : NULL;

	if (pc->error_path && !previous)
		return &mpk_enomem;
	if (!set_error((char *)target)) {
		free(previous);
		return mpk_error_create(MPK_ERROR_INVALID,
					"cannot send errors to %s", target);
	}
	*ret = previous;
	return NULL;
}
