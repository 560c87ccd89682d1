/* netmon — threshold evaluation of one series (eval.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "eval.h"

static double as_double(const nm_value *v)
{
	switch (v->kind) {
	case NM_DS_GAUGE: return v->v.gauge;
	case NM_DS_COUNTER: return (double)v->v.counter;
	case NM_DS_DERIVE: return (double)v->v.derive;
	case NM_DS_ABSOLUTE: return (double)v->v.absolute;
	}
	return 0;
}

gboolean nm_thr_value(nm_thr_series *s, const nm_value *v, gint64 time,
		      gint64 interval, gboolean rate, double *out)
{
	gboolean ok = FALSE;
	double dt = s->have_prev ? (double)(time - s->prev_time) / G_USEC_PER_SEC : 0;

	switch (v->kind) {
	case NM_DS_ABSOLUTE:
		if (interval > 0) {
			*out = (double)v->v.absolute / ((double)interval / G_USEC_PER_SEC);
			ok = TRUE;
		}
		break;
	case NM_DS_COUNTER:
		if (s->have_prev && dt > 0 && s->prev.kind == NM_DS_COUNTER) {
			guint64 a = s->prev.v.counter, b = v->v.counter, d;
			if (b >= a)
				d = b - a;
			else if (a <= G_MAXUINT32)
				d = (G_MAXUINT32 - a) + b + 1;   /* 32-bit wrap */
			else
				d = (G_MAXUINT64 - a) + b + 1;   /* 64-bit wrap */
			*out = (double)d / dt;
			ok = TRUE;
		}
		break;
	case NM_DS_DERIVE:
		if (s->have_prev && dt > 0 && s->prev.kind == NM_DS_DERIVE) {
			*out = (double)(v->v.derive - s->prev.v.derive) / dt;
			ok = TRUE;
		}
		break;
	case NM_DS_GAUGE:
		if (!rate) {
			*out = v->v.gauge;
			ok = TRUE;
		} else if (s->have_prev && dt > 0) {
			*out = (v->v.gauge - as_double(&s->prev)) / dt;
			ok = TRUE;
		}
		break;
	}
	if (!s->have_prev || time > s->prev_time) {
		s->prev = *v;
		s->prev_time = time;
		s->have_prev = TRUE;
	}
	return ok;
}

nm_state_code nm_thr_evaluate(const nm_thr_ranges *r, nm_state_code previous,
			      double value)
{
	if (r->has_crit && nm_range_alert(&r->crit, value))
		return NM_STATE_CRITICAL;
	if (previous == NM_STATE_CRITICAL && r->has_crit_rec &&
	    nm_range_alert(&r->crit_rec, value))
		return NM_STATE_CRITICAL;
	if (r->has_warn && nm_range_alert(&r->warn, value))
		return NM_STATE_WARNING;
	if ((previous == NM_STATE_WARNING || previous == NM_STATE_CRITICAL) &&
	    r->has_warn_rec && nm_range_alert(&r->warn_rec, value))
		return NM_STATE_WARNING;
	return NM_STATE_OK;
}
