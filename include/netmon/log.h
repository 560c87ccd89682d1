/* netmon — logging.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The daemon logs to stderr in the foreground (-f; to the journal with
 * priority prefixes when systemd connected stderr to it) and to syslog(3)
 * (facility daemon) or a file (netmond.log_file) in the background;
 * netmond.log = "stderr" | "syslog" overrides. Lines carry the level and
 * the source, and the target when there is one
 * ("snmp: 192.0.2.1: timeout after 2 s"; see nm_log_about()). Messages
 * below the configured netmond.log_level are discarded cheaply. Identical
 * lines are written at most once per 10 s; the ones held back are counted
 * in a later "last message repeated N times in S s: ..." line.
 * Never pass secrets (communities, passwords, keys) to these functions.
 */
#ifndef NETMON_LOG_H
#define NETMON_LOG_H

#include <glib.h>

G_BEGIN_DECLS

/** Levels, most severe first; values match syslog(3) priorities. */
typedef enum {
	NM_LOG_ERROR = 3,
	NM_LOG_WARNING = 4,
	NM_LOG_NOTICE = 5,
	NM_LOG_INFO = 6,
	NM_LOG_DEBUG = 7
} nm_log_level;

/** "error", "warning", "notice", "info", "debug". */
const char *nm_log_level_name(nm_log_level level);
/** Parse a level name; returns -1 if @name is not one. */
int nm_log_level_from_name(const char *name);

/** TRUE when a message of @level would be written. Thread-safe. */
gboolean nm_log_enabled(nm_log_level level);

/** Log one message from @source ("core", a plugin name; may be NULL).
 *  printf-style; a trailing newline is not needed. Thread-safe. */
void nm_log(nm_log_level level, const char *source, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
/** Log one message about @target (a device, an exporter, a peer: its name
 *  or address; may be NULL) from @source: the line reads
 *  "source: target: text", so every line names both, and identical errors
 *  about different targets are rate-limited separately. Thread-safe.
 *  In a plugin: nm_log_about(NM_LOG_ERROR, nm_plugin_name(p), t->name,
 *  "timeout after %d s", n), or the NM_LOG_ABOUT() shorthand. */
void nm_log_about(nm_log_level level, const char *source, const char *target,
		  const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/** nm_log_about() with the plugin's name as the source: @p is the
 *  nm_plugin* given to the plugin's entry points. */
#define NM_LOG_ABOUT(p, level, target, ...) \
	nm_log_about((level), nm_plugin_name(p), (target), __VA_ARGS__)
/** va_list variant of nm_log(). */
void nm_logv(nm_log_level level, const char *source, const char *fmt,
	     va_list ap) G_GNUC_PRINTF(3, 0);

G_END_DECLS

#endif /* NETMON_LOG_H */
