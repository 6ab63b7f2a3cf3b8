/* tap.h - the tiny test protocol every C unit test binary speaks.
 *
 * Each check prints "ok N - name" or "not ok N - name" (with the file:line
 * and a reason on a following "# " line); tap_done() prints "# passed P
 * failed F" and returns the exit code. tests/run aggregates these lines. */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...)                                                       \
	do {                                                                        \
		int tap_c_ = (cond) ? 1 : 0;                                            \
		tap_n++;                                                                \
		printf("%sok %d - ", tap_c_ ? "" : "not ", tap_n);                      \
		printf(__VA_ARGS__);                                                    \
		printf("\n");                                                           \
		if (!tap_c_) {                                                          \
			tap_failed++;                                                       \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
		}                                                                       \
	} while (0)

#define TAP_STR(got, want, ...)                                                 \
	do {                                                                        \
		const char *tap_g_ = (got), *tap_w_ = (want);                           \
		int tap_eq_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0;          \
		TAP_OK(tap_eq_, __VA_ARGS__);                                           \
		if (!tap_eq_)                                                           \
			printf("#   got  [%s]\n#   want [%s]\n", tap_g_ ? tap_g_ : "(null)", \
			       tap_w_ ? tap_w_ : "(null)");                                 \
	} while (0)

static inline int tap_done(void)
{
	printf("# passed %d failed %d\n", tap_n - tap_failed, tap_failed);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
