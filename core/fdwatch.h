/* netmon — fd watches of the core: one epoll set per core, one GSource.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Internal to the core (not installed); nm_plugin_add_watch() and
 * nm_plugin_remove_watch() are built on it.
 *
 * Why: one GSource per watched fd (g_unix_fd_add_full) makes every main
 * loop iteration prepare, check and poll(2) every watched fd, O(watches)
 * per wake-up: with 10,000 syslog TCP connections or 1,000 SNMP sessions
 * the loop spends its time walking sources. Here all watches share one
 * level-triggered epoll(7) set whose fd is the only one the main context
 * polls (g_source_add_unix_fd); a wake-up costs one epoll_wait(2) with
 * timeout 0 and the ready fds only.
 *
 * Semantics kept from g_unix_fd_add_full(): a callback gets the fd and the
 * conditions that are true, restricted to the watch's condition plus
 * G_IO_ERR and G_IO_HUP (always reported, as poll(2) does); returning
 * G_SOURCE_REMOVE ends the watch; several watches may share one fd; a
 * watch may be removed from any callback, its own included, and a watch
 * removed during a dispatch is never called afterwards, even when its fd
 * was already in the same ready batch. Main thread only (the thread that
 * runs the main context); not thread-safe.
 */
#ifndef NETMON_FDWATCH_H
#define NETMON_FDWATCH_H

#include <glib.h>
#include <glib-unix.h>

G_BEGIN_DECLS

typedef struct nm_fdwatch nm_fdwatch;

/** Counters of a set, for stats and tests. */
typedef struct {
	guint watches;         /**< live watches */
	guint64 dispatches;    /**< callbacks called */
	guint64 wakeups;       /**< epoll_wait() batches read */
	guint64 ctl_errors;    /**< epoll_ctl() failures (each logged) */
	guint64 stale_events;  /**< events of a registration no watch owns
				    any more (fd closed while watched and its
				    file kept open elsewhere); a set that
				    sees them is rebuilt */
	guint64 rebuilds;      /**< epoll sets recreated (see stale_events) */
} nm_fdwatch_stats;

/** Make an empty set: an epoll fd (close-on-exec) watched by one GSource
 *  attached to @context (NULL: the global default context, as
 *  g_unix_fd_add_full() uses) at G_PRIORITY_DEFAULT. Returns NULL with
 *  @err set (G_IO_ERROR, from errno) when epoll_create1() fails. */
nm_fdwatch *nm_fdwatch_new(GMainContext *context, GError **err);

/** End every watch (calling its @destroy), detach the source, close the
 *  epoll fd, free. Not from within a watch callback of this set. */
void nm_fdwatch_free(nm_fdwatch *set);

/** Watch @fd (>= 0, not closed by the set) for @condition (G_IO_IN,
 *  G_IO_OUT, G_IO_PRI; G_IO_ERR and G_IO_HUP are always reported). @fn is
 *  called on the main loop with the fd, the true conditions and
 *  @user_data; it returns G_SOURCE_CONTINUE or G_SOURCE_REMOVE. @destroy
 *  (may be NULL) is called with @user_data once the watch has ended, after
 *  its callback has returned if it ended during it. Returns the watch id,
 *  unique in the set (never 0, not reused before 2^32 watches), or 0 when
 *  the kernel refused the fd (epoll_ctl error logged, e.g. EPERM for a
 *  regular file; @destroy is not called then). */
guint nm_fdwatch_add(nm_fdwatch *set, int fd, GIOCondition condition,
		     GUnixFDSourceFunc fn, gpointer user_data,
		     GDestroyNotify destroy);

/** End watch @id (its @destroy runs now, or after its callback returns if
 *  called from it). Returns FALSE if @id is not a live watch of @set. Call
 *  it before closing the fd where possible: a registration of a closed fd
 *  whose file is still open elsewhere (dup, fork) keeps firing until the
 *  set is rebuilt. */
gboolean nm_fdwatch_remove(nm_fdwatch *set, guint id);

/** Counters of @set. */
void nm_fdwatch_get_stats(const nm_fdwatch *set, nm_fdwatch_stats *out);

G_END_DECLS

#endif /* NETMON_FDWATCH_H */
