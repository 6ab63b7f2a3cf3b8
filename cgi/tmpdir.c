/* tmpdir.c - a private directory for a process's scratch files. */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int tmpdir_make(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, size, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) != NULL ? 0 : -1;
}
