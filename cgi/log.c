/* log.c - one-line log records on stderr, as text, as journald reads it,
 * or as JSON (log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <jansson.h>

#include "jalloc.h"

static const char *log_name = "portal";
enum { LOG_UNSET = -1, LOG_TEXT, LOG_JSON };
static int format = LOG_UNSET;
static int journal; /* is stderr journald's stream? */

void log_set_name(const char *name) { log_name = name; }

double log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* systemd names the stream it connected stderr to in JOURNAL_STREAM
 * ("device:inode"); when stderr is still that one, journald stamps each
 * line with the time, and reads a "<N>" prefix as its priority. */
static int stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return v != NULL && sscanf(v, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* PORTAL_LOG_FORMAT, read at the first record: every program logs before
 * it reads the rest of its settings (config.c logs a bad one). */
static void format_load(void)
{
	const char *v = getenv("PORTAL_LOG_FORMAT");

	journal = stderr_is_journal();
	format = v != NULL && strcmp(v, "json") == 0 ? LOG_JSON : LOG_TEXT; /* set: the warning below is text */
	if (v != NULL && *v != '\0' && strcmp(v, "json") != 0 && strcmp(v, "text") != 0)
		log_warn("PORTAL_LOG_FORMAT=%.40s is neither text nor json: text is used", v);
}

int log_json(void)
{
	if (format == LOG_UNSET)
		format_load();
	return format == LOG_JSON;
}

/* Make s valid UTF-8 in place: each byte of a sequence that is not
 * (a raw byte in a request's path, a message cut in the middle of a
 * character) becomes '?'. A JSON record must be UTF-8 to be written at all. */
static void utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 2 : (*p & 0xf0) == 0xe0 ? 3
		                   : (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 4 : 0;
		int ok = n > 0;
		for (int i = 1; ok && i < n; i++)
			ok = (p[i] & 0xc0) == 0x80;
		/* no overlong three-byte form, no surrogate, nothing above U+10FFFF */
		if (ok && n == 3)
			ok = !(p[0] == 0xe0 && p[1] < 0xa0) && !(p[0] == 0xed && p[1] >= 0xa0);
		if (ok && n == 4)
			ok = !(p[0] == 0xf0 && p[1] < 0x90) && !(p[0] == 0xf4 && p[1] >= 0x90);
		if (!ok) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

/* msg as one line of text, into out (cap bytes, cut short at a whole
 * escape; line breaks at its end dropped): a line break, tab or other
 * control character becomes an escape (\n, \r, \t, \xHH), so no value
 * written into a record (a request's path, a database's multi-line error,
 * a server's answer) can end it or start a record of its own (a forged
 * line). JSON records escape them already. */
static void one_line(const char *msg, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, len = strlen(msg);

	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--; /* (PQerrorMessage()'s, for one) */
	for (const unsigned char *p = (const unsigned char *)msg, *end = p + len; p < end; p++) {
		char e[5];
		size_t n = 0;

		if (*p >= 0x20 && *p != 0x7f)
			e[n++] = (char)*p;
		else if (*p == '\n' || *p == '\r' || *p == '\t')
			e[n++] = '\\', e[n++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
		else
			e[n++] = '\\', e[n++] = 'x', e[n++] = hex[*p >> 4], e[n++] = hex[*p & 15];
		if (o + n >= cap)
			break;
		memcpy(out + o, e, n);
		o += n;
	}
	out[o] = '\0';
}

/* This process's id and the second a record was last stamped in, kept:
 * a worker writes a record for every request (its request line), and
 * getpid() is a system call, gmtime_r() and strftime() a few microseconds
 * more. A forked child (a worker) asks for its own id again. */
static long self_pid;
static time_t stamp_second = (time_t)-1;
static char stamp_prefix[24]; /* "YYYY-MM-DDTHH:MM:SS" of stamp_second */

static void pid_forget(void) { self_pid = 0; }

static long pid_self(void)
{
	static int watching;

	if (!watching)
		watching = pthread_atfork(NULL, NULL, pid_forget) == 0;
	if (self_pid == 0 || !watching)
		self_pid = (long)getpid();
	return self_pid;
}

static void log_v(int priority, const char *level, json_t *fields, const char *fmt, va_list ap)
{
	char msg[2048], text[2048], stamp[40];
	struct timespec ts;

	if (format == LOG_UNSET)
		format_load();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (format == LOG_TEXT)
		one_line(msg, text, sizeof(text));
	/* One write per record, so that lines from several workers do not interleave. */
	if (format == LOG_TEXT && journal) {
		fprintf(stderr, "<%d>%s[%ld] %s: %s\n", priority, log_name, pid_self(), level, text);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != stamp_second) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp_prefix, sizeof(stamp_prefix), "%Y-%m-%dT%H:%M:%S", &tm);
		stamp_second = ts.tv_sec;
	}
	snprintf(stamp, sizeof(stamp), "%s.%03ldZ", stamp_prefix, ts.tv_nsec / 1000000L);
	if (format == LOG_JSON) {
		json_t *rec;
		char *line;

		utf8_clean(msg);
		rec = json_pack("{s:s, s:s, s:s, s:I, s:s}", "time", stamp, "level", level, "proc", log_name, "pid",
		                (json_int_t)pid_self(), "msg", msg);
		if (rec != NULL && fields != NULL)
			json_object_update_missing(rec, fields);
		line = rec != NULL ? json_text(rec, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		if (line != NULL && journal)
			fprintf(stderr, "<%d>%s\n", priority, line); /* journald keeps the JSON as the message */
		else if (line != NULL)
			fprintf(stderr, "%s\n", line);
		free(line);
		json_decref(rec);
		return;
	}
	fprintf(stderr, "%s %s[%ld] %s: %s\n", stamp, log_name, pid_self(), level, text);
}

#define LOG_FN(fn, priority, level)                     \
	void fn(const char *fmt, ...)                   \
	{                                               \
		va_list ap;                             \
		va_start(ap, fmt);                      \
		log_v(priority, level, NULL, fmt, ap);  \
		va_end(ap);                             \
	}
LOG_FN(log_info, 6, "info")
LOG_FN(log_warn, 4, "warn")
LOG_FN(log_err, 3, "error")

void log_info_fields(json_t *fields, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(6, "info", fields, fmt, ap);
	va_end(ap);
}
