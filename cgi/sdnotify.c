/* sdnotify.c - sd_notify(3)'s datagram to $NOTIFY_SOCKET: a unix socket
 * path, or an abstract one when it starts with '@'. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"

int sd_notify_state(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n, len = strlen(state);
	socklen_t salen;
	ssize_t sent;
	int fd;
	static int warned;

	if (path == NULL || *path == '\0')
		return 1;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
		if (!warned++)
			log_warn("NOTIFY_SOCKET %s: not a unix socket path; systemd is not told", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* the abstract namespace */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (!warned++)
			log_warn("NOTIFY_SOCKET: %s", strerror(errno));
		return -1;
	}
	sent = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	close(fd);
	if (sent != (ssize_t)len) {
		if (!warned++)
			log_warn("NOTIFY_SOCKET %s: %s", path, sent < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

int sd_notify_reloading(void)
{
	struct timespec ts;
	char state[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
	return sd_notify_state(state);
}
