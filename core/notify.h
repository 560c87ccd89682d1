/* netmon — readiness and state notifications to the service manager
 * (internal to the core).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_NOTIFY_H
#define NETMON_NOTIFY_H

#include <glib.h>

G_BEGIN_DECLS

/** Send @state (newline-separated "VAR=value" assignments, e.g.
 *  "READY=1\nSTATUS=running") to the service manager as one datagram on
 *  the AF_UNIX socket named by $NOTIFY_SOCKET: the sd_notify(3) protocol of
 *  systemd, implemented here without libsystemd. A name starting with '@'
 *  is an abstract socket. MAINPID=<getpid()> is appended, so the message
 *  is accepted from a forked daemon too. Returns 1 when sent, 0 when
 *  $NOTIFY_SOCKET is unset (not running under a notify-aware manager), -1
 *  on an error (logged once per call; the caller goes on). Thread-safe,
 *  async-signal-unsafe. */
int nm_notify(const char *state);

/** nm_notify("RELOADING=1\nMONOTONIC_USEC=<now>"): a reload begins. */
int nm_notify_reloading(void);

G_END_DECLS

#endif /* NETMON_NOTIFY_H */
