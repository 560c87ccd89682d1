/* netmon — periodic callbacks with jitter and missed-interval accounting.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Each timer is a GSource on the main context with an exact ready time
 * (monotonic µs). Its phase inside the interval is derived from its name,
 * aligned to the wall clock, so thousands of timers with one interval are
 * spread evenly and a restart keeps every series' sampling phase. A run that
 * is still going when the next one is due makes that turn a counted "missed
 * interval"; runs are never queued behind each other.
 *
 * Clock steps: due times live on the monotonic clock only (GLib's ready
 * time, g_get_monotonic_time()); the wall clock is read once, when a timer
 * is added, to pick its phase. A step of the wall clock (NTP, a VM resumed,
 * `date -s`) therefore neither stalls nor bursts running timers: they keep
 * their monotonic cadence, and only the phase chosen for timers added after
 * the step (at start or at a reload) follows the new wall clock -- the first
 * run of such a timer is at most one interval away, whatever the step.
 * Timestamps in messages are wall-clock time and do step; plugins that
 * compute rates must not divide by a wall-clock difference.
 */
#include "config.h"

#include "daemon.h"

struct nm_timer {
	GSource source;           /* must be first: we are a GSource */
	nm_plugin *plugin;
	char *name;
	gint64 interval;          /* µs */
	gint64 offset;            /* µs in [0, interval) */
	gint64 next_due;          /* monotonic µs */
	nm_timer_flags flags;
	nm_timer_fn fn;
	gpointer user_data;
	GDestroyNotify destroy;
	gint busy;                /* atomic: a run is in progress */
	gint64 run_started;       /* monotonic µs, of the run in progress */
	gint64 run_due;           /* monotonic µs the run in progress was due */
	GMutex lock;              /* the counters below */
	guint64 runs, missed;
	gint64 last_duration, max_duration;
};

static void timer_record(nm_timer *t, gint64 duration)
{
	g_mutex_lock(&t->lock);
	t->last_duration = duration;
	if (duration > t->max_duration)
		t->max_duration = duration;
	g_mutex_unlock(&t->lock);
}

/* Worker-pool job of an NM_TIMER_IN_POOL run; holds a source reference. */
static void timer_pool_run(gpointer data, gpointer unused)
{
	nm_timer *t = data;

	(void)unused;
	(void)t->fn(t->plugin, t, t->run_due, t->user_data);
	timer_record(t, g_get_monotonic_time() - t->run_started);
	g_atomic_int_set(&t->busy, 0);
	g_source_unref(&t->source);
}

static gboolean timer_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	nm_timer *t = (nm_timer *)source;
	gint64 now = g_get_monotonic_time();
	gint64 due = t->next_due;
	guint64 late = 0;

	(void)cb;
	(void)data;
	/* Next turn keeps the phase; whole intervals the loop slept through
	 * are missed turns. */
	t->next_due += t->interval;
	if (t->next_due <= now) {
		late = (guint64)((now - t->next_due) / t->interval) + 1;
		t->next_due += (gint64)late * t->interval;
	}
	g_source_set_ready_time(source, t->next_due);

	g_mutex_lock(&t->lock);
	t->missed += late;
	if (g_atomic_int_get(&t->busy)) {
		t->missed++;
		g_mutex_unlock(&t->lock);
		return G_SOURCE_CONTINUE;
	}
	t->runs++;
	g_mutex_unlock(&t->lock);

	g_atomic_int_set(&t->busy, 1);
	t->run_started = now;
	t->run_due = due;
	if (t->flags & NM_TIMER_IN_POOL) {
		g_source_ref(source);
		if (!nm_plugin_run_in_pool(t->plugin, timer_pool_run, t)) {
			g_atomic_int_set(&t->busy, 0);
			g_source_unref(source);
		}
		return G_SOURCE_CONTINUE;
	}
	if (t->fn(t->plugin, t, due, t->user_data) == NM_RUN_DONE) {
		timer_record(t, g_get_monotonic_time() - now);
		g_atomic_int_set(&t->busy, 0);
	}
	return G_SOURCE_CONTINUE;
}

static void timer_finalize(GSource *source)
{
	nm_timer *t = (nm_timer *)source;

	if (t->destroy != NULL)
		t->destroy(t->user_data);
	g_mutex_clear(&t->lock);
	g_free(t->name);
}

static GSourceFuncs timer_funcs = {
	.dispatch = timer_dispatch,
	.finalize = timer_finalize,
};

/* Phase of a timer in its interval: a hash of the plugin and timer name,
 * so it is stable across restarts and spread uniformly. */
static gint64 timer_offset(const char *plugin, const char *name, gint64 interval)
{
	guint64 h = 14695981039346656037ULL; /* FNV-1a, 64 bit */

	for (const char *s = plugin; *s; s++)
		h = (h ^ (guint8)*s) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *s = name; *s; s++)
		h = (h ^ (guint8)*s) * 1099511628211ULL;
	return (gint64)(h % (guint64)interval);
}

nm_timer *nm_plugin_add_timer(nm_plugin *p, const char *name, gint64 interval,
			      nm_timer_flags flags, nm_timer_fn fn,
			      gpointer user_data, GDestroyNotify destroy)
{
	nm_timer *t;
	gint64 mono = g_get_monotonic_time();
	gint64 real = g_get_real_time();

	g_return_val_if_fail(p != NULL && name != NULL && fn != NULL, NULL);
	g_return_val_if_fail(interval > 0, NULL);

	t = (nm_timer *)g_source_new(&timer_funcs, sizeof(nm_timer));
	t->plugin = p;
	t->name = g_strdup(name);
	t->interval = interval;
	t->flags = flags;
	t->fn = fn;
	t->user_data = user_data;
	t->destroy = destroy;
	g_mutex_init(&t->lock);
	if (flags & NM_TIMER_NOW) {
		t->offset = (real % interval);
		t->next_due = mono;
	} else {
		/* Wall-clock aligned: due when real time % interval == offset. */
		t->offset = timer_offset(nm_plugin_name(p), name, interval);
		gint64 wait = (t->offset - real % interval + interval) % interval;
		t->next_due = mono + wait;
	}
	g_source_set_name(&t->source, t->name);
	g_source_set_ready_time(&t->source, t->next_due);
	if (g_source_attach(&t->source, NULL) == 0) {
		g_source_unref(&t->source);
		return NULL;
	}
	g_ptr_array_add(p->timers, t); /* the array keeps our reference */
	return t;
}

void nm_timer_done(nm_timer *t)
{
	g_return_if_fail(t != NULL);
	if (!g_atomic_int_get(&t->busy))
		return;
	timer_record(t, g_get_monotonic_time() - t->run_started);
	g_atomic_int_set(&t->busy, 0);
}

void nm_timer_remove(nm_timer *t)
{
	g_return_if_fail(t != NULL);
	g_source_destroy(&t->source);
	/* Drops the plugin's reference (the array's free function); a pool
	 * run in progress still holds its own. */
	g_ptr_array_remove(t->plugin->timers, t);
}

void nm_sched_remove_all(nm_plugin *p)
{
	while (p->timers->len > 0)
		nm_timer_remove(g_ptr_array_index(p->timers, p->timers->len - 1));
}

const char *nm_timer_name(const nm_timer *t)
{
	return t->name;
}

void nm_timer_get_stats(const nm_timer *t, nm_timer_stats *out)
{
	nm_timer *mt = (nm_timer *)t;

	g_mutex_lock(&mt->lock);
	out->runs = t->runs;
	out->missed = t->missed;
	out->last_duration = t->last_duration;
	out->max_duration = t->max_duration;
	g_mutex_unlock(&mt->lock);
	out->interval = t->interval;
	out->offset = t->offset;
}
