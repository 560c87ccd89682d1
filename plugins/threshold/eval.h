/* netmon — threshold evaluation of one series.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_THRESHOLD_EVAL_H
#define NETMON_THRESHOLD_EVAL_H

#include <netmon/msg.h>
#include "range.h"

G_BEGIN_DECLS

/** Warning and critical ranges of a rule, each optional, with optional
 *  recovery ranges (hysteresis): once WARNING/CRITICAL, the state only
 *  drops below it when the value no longer alerts against the recovery
 *  range (e.g. critical "~:90", critical_recovery "~:80": CRITICAL above
 *  90, back only below 80). */
typedef struct {
	nm_range warn, crit, warn_rec, crit_rec;
	gboolean has_warn, has_crit, has_warn_rec, has_crit_rec;
} nm_thr_ranges;

/** Per-series memory for rates. Zero-initialise. */
typedef struct {
	gboolean have_prev;
	nm_value prev;
	gint64 prev_time;    /**< µs */
} nm_thr_series;

/** The number to compare for value @v at @time (µs), remembering it in @s.
 *  GAUGE: the value itself (unless @rate). COUNTER: per-second rate since
 *  the previous sample, a decrease taken as a 32-bit wrap when the
 *  previous value fits 32 bits, else a 64-bit wrap; DERIVE: signed rate;
 *  ABSOLUTE: value / @interval seconds (no previous sample needed).
 *  @rate forces the rate of a GAUGE too. Returns FALSE when no number is
 *  available yet (first counter sample, or time not advancing). */
gboolean nm_thr_value(nm_thr_series *s, const nm_value *v, gint64 time,
		      gint64 interval, gboolean rate, double *out);

/** The state for @value given the @previous state (for hysteresis):
 *  CRITICAL, WARNING or OK as the guidelines' ranges say. */
nm_state_code nm_thr_evaluate(const nm_thr_ranges *r, nm_state_code previous,
			      double value);

G_END_DECLS

#endif
