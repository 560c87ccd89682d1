/* netmon report plugin — availability history from reachability states.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Transitions of (host, service) reachability are appended to a text file
 * (one line each: "TIME_US CODE SERVICE HOST", SERVICE and HOST
 * percent-encoded; CODE -1 with "* *" marks a daemon stop), so day, week
 * and month availability survive restarts. Time the daemon was not running
 * counts as unknown, not as up or down: at shutdown a stop line is written,
 * and after a crash the file's modification time (touched by
 * rp_avail_touch() on every report run) stands in for it. At open, lines
 * older than 40 days are compacted away. Thread-safe.
 */
#ifndef NETMON_REPORT_AVAIL_H
#define NETMON_REPORT_AVAIL_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct rp_avail rp_avail;

/** Open (creating if needed) the history at @path and load it. @now_us is
 *  the current time (µs since the epoch). NULL with @err on failure. */
rp_avail *rp_avail_open(const char *path, gint64 now_us, GError **err);

/** Record a state of @host/@service at @t_us: @code is the Monitoring
 *  Plugins code (0 OK, 1 WARNING = up; 2 CRITICAL = down; 3 UNKNOWN).
 *  Appended only when it differs from the last one. FALSE with @err if the
 *  file cannot be written. */
gboolean rp_avail_record(rp_avail *a, const char *host, const char *service,
			 int code, gint64 t_us, GError **err);

/** Share of time up (0..1) of @host/@service between @from_us and @to_us,
 *  over the time its state was known; -1 when it was never known then. */
double rp_avail_ratio(rp_avail *a, const char *host, const char *service,
		      gint64 from_us, gint64 to_us);

/** Current code of @host/@service (-1: none/unknown), and since when
 *  (@since_us, may be NULL). */
int rp_avail_current(rp_avail *a, const char *host, const char *service,
		     gint64 *since_us);

/** Hosts with any recorded state, new sorted array of strings. */
GPtrArray *rp_avail_hosts(rp_avail *a);

/** Mark the daemon alive now (touch the file). */
void rp_avail_touch(rp_avail *a);

/** Write a stop marker at @t_us and close; NULL is ignored. */
void rp_avail_close(rp_avail *a, gint64 t_us);

G_END_DECLS

#endif
