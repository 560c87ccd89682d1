/* netmon — the sd_notify(3) datagram protocol, without libsystemd.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The protocol (systemd's sd_notify(3), "NOTIFY_SOCKET"): one datagram of
 * newline-separated VAR=value lines to the AF_UNIX socket whose path is in
 * $NOTIFY_SOCKET ('@' first: abstract namespace).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core.h"
#include "notify.h"

int nm_notify(const char *state)
{
	const char *path = g_getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	size_t n;
	char *text;
	ssize_t sent;
	int fd, e;

	if (path == NULL || path[0] == '\0')
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof sa.sun_path) {
		nm_log(NM_LOG_WARNING, "core", "NOTIFY_SOCKET '%s' is not a "
		       "socket path; no notification sent", path);
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
			    (path[0] == '@' ? 0 : 1));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		nm_log(NM_LOG_WARNING, "core", "sd_notify: socket: %s",
		       g_strerror(errno));
		return -1;
	}
	text = g_strdup_printf("%s\nMAINPID=%ld", state, (long)getpid());
	sent = sendto(fd, text, strlen(text), MSG_NOSIGNAL,
		      (struct sockaddr *)&sa, salen);
	e = errno;
	g_free(text);
	if (close(fd) != 0 && sent >= 0)
		e = errno;
	if (sent < 0) {
		nm_log(NM_LOG_WARNING, "core", "sd_notify to %s: %s", path,
		       g_strerror(e));
		return -1;
	}
	return 1;
}

int nm_notify_reloading(void)
{
	char text[64];

	/* MONOTONIC_USEC: required by Type=notify-reload (systemd 253+),
	 * harmless for Type=notify. */
	snprintf(text, sizeof text, "RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT,
		 g_get_monotonic_time());
	return nm_notify(text);
}
