/* netmon rrd plugin — the pure parts: types.db, file names, RRD arguments.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Nothing here touches librrd or the core, so the unit tests link these
 * functions directly (t/unit/test-rrd.c).
 */
#ifndef NETMON_RRD_UTIL_H
#define NETMON_RRD_UTIL_H

#include <glib.h>
#include <netmon/msg.h>

G_BEGIN_DECLS

/** One data source of a types.db type: name, kind, bounds (NAN = "U"). */
typedef struct {
	char *name;
	nm_ds_kind kind;
	double min, max;
} rrd_ds;

/** One types.db line: the type's name and its data sources in order. */
typedef struct {
	char *name;
	guint n_ds;
	rrd_ds *ds;
} rrd_type;

/** Parse types.db text in collectd's format
 *  ("TYPE DS:KIND:MIN:MAX[, DS:KIND:MIN:MAX ...]", '#' comments, blank
 *  lines). @file names the source in error messages ("FILE:LINE: ...").
 *  Returns a new table name → rrd_type* (owning keys and values; free with
 *  g_hash_table_unref()), or NULL with @err set (G_FILE_ERROR /
 *  G_IO_ERROR_INVALID_DATA) naming file and line of the first bad line. */
GHashTable *rrd_types_parse(const char *text, const char *file, GError **err);

/** Read and parse the types.db file @path (see rrd_types_parse()). */
GHashTable *rrd_types_load(const char *path, GError **err);

/** Make one path segment safe: '/', '\\' and control characters (< 0x20,
 *  0x7f) become '_', an empty segment becomes "_", a leading '.' becomes
 *  '_' (so "." and ".." and hidden names cannot occur), and it is cut to
 *  at most 200 bytes. Returns a new string (g_free()). */
char *rrd_sanitize_segment(const char *s);

/** The file of @m relative to the RRD directory, collectd's layout:
 *  "<host>/<plugin>[-<pinst>]/<type>[-<tinst>].rrd", every segment
 *  sanitised with rrd_sanitize_segment(), so the result never leaves the
 *  directory. Returns a new string. */
char *rrd_metric_relpath(const nm_metric *m);

/** rrd_metric_relpath() appended to @out (no allocation beyond @out's
 *  growth; used for every METRIC). */
void rrd_metric_relpath_append(GString *out, const nm_metric *m);

/** Arguments of rrd_create for @type: one "DS:name:KIND:heartbeat:min:max"
 *  per data source, then AVERAGE, MIN and MAX RRAs for each timespan:
 *  the first timespan at full resolution (1 step per row, enough rows to
 *  cover it), each later one with rows ≈ @rows and as many steps per row
 *  as needed to cover it (collectd's RRATimespan scheme). @step and the
 *  timespans are in seconds, @heartbeat too. Returns a NULL-terminated
 *  vector (g_strfreev()). */
char **rrd_create_args(const rrd_type *type, gint64 step, gint64 heartbeat,
		       const gint64 *timespans, guint n_timespans, guint rows,
		       double xff);

/** Append the rrd_update argument "TIME:V1:V2..." of @m to @out (TIME:
 *  whole seconds since the epoch, @time_s). Values are written as their
 *  nm_value kind says (GAUGE as the shortest round-trip decimal, NaN or
 *  infinities as "U"; COUNTER/ABSOLUTE unsigned, DERIVE signed integers).
 *  Returns FALSE (nothing appended) when a value's kind differs from the
 *  data source's kind in @type or the counts differ. */
gboolean rrd_format_update(GString *out, gint64 time_s, const nm_metric *m,
			   const rrd_type *type);

/** rrd_format_update(), but data sources whose bit is set in @unknown
 *  (bit i: the i-th value, i < 64) are written as "U" (unknown). */
gboolean rrd_format_update_mask(GString *out, gint64 time_s, const nm_metric *m,
				const rrd_type *type, guint64 unknown);

/** Whether a COUNTER value going down from @prev to @cur is a wrap of a
 *  32- or 64-bit counter (RFC 2578 §7.1.6, §7.1.10: Counter32/Counter64
 *  wrap to zero past their maximum) rather than a reset (the device or
 *  interface restarted and the counter began again at 0). A wrap needs
 *  @prev in the upper half of its range (32-bit when @prev < 2^32, else
 *  64-bit) and @cur in the lower half; anything else going down is a
 *  reset, which RRD would otherwise turn into a rate of about 2^32 or
 *  2^64 per step. FALSE when @cur >= @prev. */
gboolean rrd_counter_wrapped(guint64 prev, guint64 cur);

/** From a librrd/rrdcached error "illegal attempt to update using time X
 *  when last update time is Y ...", the time Y (whole seconds). Returns
 *  -1 when @msg is not such an error. */
gint64 rrd_error_last_time(const char *msg);

G_END_DECLS

#endif /* NETMON_RRD_UTIL_H */
