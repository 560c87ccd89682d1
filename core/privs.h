/* netmon — dropping root (internal to the core).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_PRIVS_H
#define NETMON_PRIVS_H

#include "core.h"

G_BEGIN_DECLS

/** The capabilities (a mask of 1 << CAP_xxx, capabilities(7)) the
 *  configured plugins still need after the drop: CAP_NET_RAW when an icmp
 *  group is configured (it re-opens raw sockets at a reload), else 0. */
guint64 nm_privs_needed(const nm_core_config *c);

/** Whether netmond may go on with the effective uid it has: TRUE unless
 *  it runs as root (euid 0) with no netmond.user to drop to, no
 *  netmond.allow_root = true in the config and no NETMOND_ALLOW_ROOT=1 in
 *  the environment (for test suites and one-off runs from a build tree).
 *  On FALSE, @err (G_IO_ERROR_PERMISSION_DENIED) names the file and both
 *  ways out. Call after
 *  loading the config and before starting any plugin. */
gboolean nm_privs_root_allowed(const nm_core_config *c, GError **err);

/** When running as root with netmond.user set: cut the bounding set of
 *  the calling thread to @keep. Call before any thread exists, so every
 *  thread inherits it (the bounding set is per thread); the capabilities
 *  the process has now stay until nm_privs_drop() (the bounding set only
 *  limits what an execve() can gain), so plugins still start as root.
 *  Returns FALSE with @err on failure (e.g. no CAP_SETPCAP). */
gboolean nm_privs_limit_bounding(const nm_core_config *c, guint64 keep,
				 GError **err);

/** Drop to netmond.user / netmond.group when running as root: chown the
 *  state_dir and control socket to them, limit the bounding set to @keep,
 *  clear the ambient set, setgroups/setgid/setuid, and leave exactly @keep
 *  in the permitted and effective sets (inheritable empty). No-op without
 *  user; when already running as that user, nothing to do. Returns FALSE
 *  with @err naming the user and the failed step's errno text. Call once,
 *  on the main thread. Threads that exist already lose every capability
 *  (glibc applies setuid() to all threads; only this thread set
 *  PR_SET_KEEPCAPS); their bounding set is the one nm_privs_limit_bounding()
 *  set before they started. */
gboolean nm_privs_drop(const nm_core_config *c, guint64 keep, GError **err);

G_END_DECLS

#endif /* NETMON_PRIVS_H */
