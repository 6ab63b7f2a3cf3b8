/* sdnotify.h - tell systemd how a service is doing (Type=notify units,
 * sd_notify(3)'s protocol without libsystemd). */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

/* Send state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...", lines
 * joined by '\n') to $NOTIFY_SOCKET. 0 when sent, 1 when there is no such
 * socket (not started by systemd), -1 on an error (logged once). */
int sd_notify_state(const char *state);

/* "RELOADING=1" with MONOTONIC_USEC, as Type=notify-reload expects (and
 * Type=notify accepts). */
int sd_notify_reloading(void);

#endif
