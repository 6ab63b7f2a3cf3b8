/* log.c - timestamped log records. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *log_name = "portal";

void log_set_name(const char *name) { log_name = name; }

double log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void log_v(const char *level, const char *fmt, va_list ap)
{
	char line[2048], stamp[32];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s[%ld] %s: ", stamp, ts.tv_nsec / 1000000L,
	             log_name, (long)getpid(), level);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One write per record so lines from several workers do not interleave. */
	fprintf(stderr, "%s\n", line);
}

#define LOG_FN(fn, level)                    \
	void fn(const char *fmt, ...)            \
	{                                        \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		log_v(level, fmt, ap);               \
		va_end(ap);                          \
	}
LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_err, "error")
