/* netmon snmp plugin — the poll schedule of many targets in one timer.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NM_SNMP_SCHED_H
#define NM_SNMP_SCHED_H

#include <glib.h>

/* A min-heap of targets by due time (monotonic µs). One core timer (the
 * plugin's 50 ms tick) pops what is due instead of one GSource per target:
 * GLib's main loop walks every source on each wake-up, which with
 * thousands of targets cost more CPU than the SNMP work itself. */
typedef struct nm_snmp_sched nm_snmp_sched;

/** New empty schedule; free with nm_snmp_sched_free(). */
nm_snmp_sched *nm_snmp_sched_new(void);

/** Free the schedule (not the items). */
void nm_snmp_sched_free(nm_snmp_sched *s);

/** Add @item (borrowed) due at @due (monotonic µs). */
void nm_snmp_sched_push(nm_snmp_sched *s, gint64 due, gpointer item);

/** The earliest item if it is due at or before @now (monotonic µs):
 *  removed from the schedule, its due time in @due. NULL if none is due. */
gpointer nm_snmp_sched_pop_due(nm_snmp_sched *s, gint64 now, gint64 *due);

/** Number of items scheduled. */
guint nm_snmp_sched_len(const nm_snmp_sched *s);

/** First due time (monotonic µs) of a poll named @name (e.g.
 *  "poll:core1") of plugin @plugin every @interval µs, given the clocks
 *  @mono and @real (µs): due when real time % interval equals a phase
 *  hashed (FNV-1a) from plugin and name, exactly as the core's timers
 *  place theirs, so thousands of targets spread evenly over the interval
 *  and a restart keeps every series' sampling phase. */
gint64 nm_snmp_sched_first_due(const char *plugin, const char *name,
			       gint64 interval, gint64 mono, gint64 real);

/** Next due time after a turn due at @due with @interval µs, at @now;
 *  whole intervals already past are skipped and their number added to
 *  *@missed. */
gint64 nm_snmp_sched_next_due(gint64 due, gint64 interval, gint64 now,
			      guint64 *missed);

#endif
