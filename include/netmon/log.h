/* netmon — logging.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The daemon logs to stderr in the foreground (-f) and to syslog(3)
 * (facility daemon) or a file (netmond.log_file) in the background. Lines
 * carry the level and the source ("snmp: 192.0.2.1: timeout after 2 s").
 * Messages below the configured netmond.log_level are discarded cheaply.
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
/** va_list variant of nm_log(). */
void nm_logv(nm_log_level level, const char *source, const char *fmt,
	     va_list ap) G_GNUC_PRINTF(3, 0);

G_END_DECLS

#endif /* NETMON_LOG_H */
