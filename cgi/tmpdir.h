/* tmpdir.h - a private directory for a process's scratch files. */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <stddef.h>

/* Make the directory "$TMPDIR/NAME-XXXXXX" (/tmp when TMPDIR is unset or
 * empty) with mkdtemp(): mode 0700 and a name no other user could have
 * taken first. Its path into dir[size]: 0, or -1 with errno set (ENAMETOOLONG
 * when it does not fit) and dir holding the path tried. The caller removes it. */
int tmpdir_make(char *dir, size_t size, const char *name);

#endif
