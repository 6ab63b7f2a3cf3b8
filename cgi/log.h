/* log.h - one-line log records on stderr (collected by the supervisor).
 * Never pass passwords, tokens or cookies to these functions. */
#ifndef LOG_H
#define LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set the program name shown in every record ("portal", "mailer", ...). */
void log_set_name(const char *name);
/* Seconds since an arbitrary point, monotonic, for durations. */
double log_now(void);

#endif
