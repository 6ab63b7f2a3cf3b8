/* log.h - one-line log records on stderr (collected by the supervisor).
 * Never pass passwords, tokens or cookies to these functions.
 *
 * A record is one line: "TIME NAME[PID] LEVEL: MESSAGE" as text; under
 * systemd, when stderr is the journal's stream (JOURNAL_STREAM), without
 * the time (journald stamps it) and with a "<N>" priority prefix; as JSON
 * (PORTAL_LOG_FORMAT=json, read at the first record), {"time", "level",
 * "proc", "pid", "msg", ...}, after the journal's priority prefix there. */
#ifndef LOG_H
#define LOG_H

#include <jansson.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_info, with fields (borrowed; may be NULL) as the JSON record's
 * members beside the standard ones; text records say the message only. */
void log_info_fields(json_t *fields, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the program name shown in every record ("portal", "mailer", ...). */
void log_set_name(const char *name);
/* Are records JSON (so that fields are worth building)? */
int log_json(void);
/* Seconds since an arbitrary point, monotonic, for durations. */
double log_now(void);

#endif
