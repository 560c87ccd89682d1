/* Unit tests of the scheduler: phase spreading, drift, missed intervals.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <unistd.h>
#include <glib/gstdio.h>

#include "daemon.h"

typedef struct {
	char *dir;
	nm_core *core;
	GMainLoop *loop;
} fixture;

static void setup(fixture *f, gconstpointer data)
{
	GError *err = NULL;
	char *conf, *text;
	nm_core_config *c;

	(void)data;
	f->dir = g_dir_make_tmp("nm-sched-XXXXXX", &err);
	g_assert_no_error(err);
	conf = g_build_filename(f->dir, "netmond.conf", NULL);
	text = g_strdup_printf("netmond = { state_dir = \"%s\"; workers = 4; };\n",
			       f->dir);
	g_assert_true(g_file_set_contents(conf, text, -1, &err));
	c = nm_core_config_load(conf, &err);
	g_assert_no_error(err);
	f->core = nm_core_new(c);
	g_assert_true(nm_core_load(f->core, &err));
	g_assert_true(nm_core_start(f->core, FALSE, &err));
	g_assert_no_error(err);
	f->loop = g_main_loop_new(NULL, FALSE);
	g_free(conf);
	g_free(text);
}

static void teardown(fixture *f, gconstpointer data)
{
	char *conf = g_build_filename(f->dir, "netmond.conf", NULL);

	(void)data;
	nm_core_free(f->core);
	g_main_loop_unref(f->loop);
	g_unlink(conf);
	g_rmdir(f->dir);
	g_free(conf);
	g_free(f->dir);
}

static gboolean quit_loop(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void run_for(fixture *f, guint ms)
{
	g_timeout_add(ms, quit_loop, f->loop);
	g_main_loop_run(f->loop);
}

/* ---- phase spreading ---- */

typedef struct {
	gint64 first_real;   /* real time the first run was due */
	guint runs;
} fire_log;

static nm_run_status log_fire(nm_plugin *p, nm_timer *t, gint64 due, gpointer d)
{
	fire_log *l = d;

	(void)p;
	(void)t;
	/* The wall-clock time the run was due (not when a busy machine got
	 * round to it): that is what the phase is about. */
	if (l->runs++ == 0)
		l->first_real = g_get_real_time() - (g_get_monotonic_time() - due);
	return NM_RUN_DONE;
}

static void test_spread(fixture *f, gconstpointer data)
{
	enum { N = 60 };
	const gint64 interval = 200 * 1000;
	fire_log logs[N] = { { 0, 0 } };
	nm_timer *timers[N];
	guint bins[10] = { 0 };
	guint used = 0;

	(void)data;
	for (int i = 0; i < N; i++) {
		char name[16];
		g_snprintf(name, sizeof name, "target%d", i);
		timers[i] = nm_plugin_add_timer(f->core->self, name, interval,
						NM_TIMER_DEFAULT, log_fire,
						&logs[i], NULL);
		g_assert_nonnull(timers[i]);
	}
	run_for(f, 260);
	for (int i = 0; i < N; i++) {
		nm_timer_stats s;
		nm_timer_get_stats(timers[i], &s);
		g_assert_cmpint(s.offset, >=, 0);
		g_assert_cmpint(s.offset, <, interval);
		bins[s.offset * 10 / interval]++;
		/* Every timer ran, in its own phase of the wall clock. */
		g_assert_cmpuint(logs[i].runs, >=, 1);
		gint64 phase = logs[i].first_real % interval;
		gint64 diff = (phase - s.offset + interval) % interval;
		g_assert_true(diff < 5 * 1000 || diff > interval - 5 * 1000);
	}
	for (int b = 0; b < 10; b++)
		used += bins[b] > 0;
	/* 60 timers over 10 bins: hashing spreads them (not all at once). */
	g_assert_cmpuint(used, >=, 8);
	for (int b = 0; b < 10; b++)
		g_assert_cmpuint(bins[b], <, N / 3);
	for (int i = 0; i < N; i++)
		nm_timer_remove(timers[i]);
}

/* The same name keeps the same phase (restarts keep sampling phase). */
static void test_phase_stable(fixture *f, gconstpointer data)
{
	fire_log l = { 0, 0 };
	nm_timer *a, *b;
	nm_timer_stats sa, sb;

	(void)data;
	a = nm_plugin_add_timer(f->core->self, "router1", 60 * G_USEC_PER_SEC,
				NM_TIMER_DEFAULT, log_fire, &l, NULL);
	nm_timer_get_stats(a, &sa);
	nm_timer_remove(a);
	b = nm_plugin_add_timer(f->core->self, "router1", 60 * G_USEC_PER_SEC,
				NM_TIMER_DEFAULT, log_fire, &l, NULL);
	nm_timer_get_stats(b, &sb);
	nm_timer_remove(b);
	g_assert_cmpint(sa.offset, ==, sb.offset);
}

/* ---- drift ---- */

typedef struct {
	gint64 dues[64];
	guint n;
} due_log;

static nm_run_status log_due(nm_plugin *p, nm_timer *t, gint64 due, gpointer d)
{
	due_log *l = d;

	(void)p;
	(void)t;
	if (l->n < G_N_ELEMENTS(l->dues))
		l->dues[l->n++] = due;
	return NM_RUN_DONE;
}

static void test_no_drift(fixture *f, gconstpointer data)
{
	due_log l = { { 0 }, 0 };
	nm_timer *t;
	gint64 end;

	(void)data;
	t = nm_plugin_add_timer(f->core->self, "drift", 20 * 1000, NM_TIMER_NOW,
				log_due, &l, NULL);
	/* 230 ms hold 12 turns on an idle machine; a busy one (ASan, CI's
	 * parallel tests, CPU stolen by the host) skips turns, so it gets up
	 * to 5 s to reach them. The count is not the subject: the phase is. */
	end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	run_for(f, 230);
	while (l.n < 8 && g_get_monotonic_time() < end)
		run_for(f, 50);
	nm_timer_remove(t);
	g_assert_cmpuint(l.n, >=, 8);
	/* Each turn is due a whole number of intervals after the previous
	 * (exactly one unless the machine was too busy to run it). */
	for (guint i = 1; i < l.n; i++) {
		g_assert_cmpint(l.dues[i] - l.dues[i - 1], >, 0);
		g_assert_cmpint((l.dues[i] - l.dues[i - 1]) % (20 * 1000), ==, 0);
	}
}

/* ---- missed intervals ---- */

typedef struct {
	gint running, max_running, runs;
} overlap;

static nm_run_status slow_run(nm_plugin *p, nm_timer *t, gint64 due, gpointer d)
{
	overlap *o = d;
	gint now;

	(void)p;
	(void)t;
	(void)due;
	now = g_atomic_int_add(&o->running, 1) + 1;
	if (now > g_atomic_int_get(&o->max_running))
		g_atomic_int_set(&o->max_running, now);
	g_usleep(170 * 1000);
	g_atomic_int_add(&o->runs, 1);
	g_atomic_int_add(&o->running, -1);
	return NM_RUN_DONE;
}

static void test_missed_in_pool(fixture *f, gconstpointer data)
{
	overlap o = { 0, 0, 0 };
	nm_timer *t;
	nm_timer_stats s;

	(void)data;
	t = nm_plugin_add_timer(f->core->self, "slow", 50 * 1000,
				NM_TIMER_IN_POOL | NM_TIMER_NOW, slow_run, &o, NULL);
	run_for(f, 520);
	nm_timer_get_stats(t, &s);
	nm_timer_remove(t);
	nm_loader_stop_inputs(f->core->self); /* waits for the pool run */
	/* Never two runs at once: the turns in between were skipped. */
	g_assert_cmpint(o.max_running, ==, 1);
	g_assert_cmpuint(s.runs, >=, 2);
	g_assert_cmpuint(s.runs, <=, 4);
	g_assert_cmpuint(s.missed, >=, 5);
	/* About 10 turns in 520 ms, each either run or missed. */
	g_assert_cmpuint(s.runs + s.missed, >=, 9);
	g_assert_cmpuint(s.runs + s.missed, <=, 12);
	g_assert_cmpint(s.last_duration, >=, 170 * 1000);
}

typedef struct {
	nm_timer *pending;
	guint runs;
} pend;

static nm_run_status pending_run(nm_plugin *p, nm_timer *t, gint64 due, gpointer d)
{
	pend *x = d;

	(void)p;
	(void)due;
	x->runs++;
	x->pending = t;
	return NM_RUN_PENDING;
}

static gboolean finish_pending(gpointer d)
{
	pend *x = d;

	nm_timer_done(x->pending);
	return G_SOURCE_REMOVE;
}

static void test_pending_until_done(fixture *f, gconstpointer data)
{
	pend x = { NULL, 0 };
	nm_timer *t;
	nm_timer_stats s;

	(void)data;
	t = nm_plugin_add_timer(f->core->self, "async", 20 * 1000, NM_TIMER_NOW,
				pending_run, &x, NULL);
	run_for(f, 110);
	/* Still pending: only the first turn ran. */
	g_assert_cmpuint(x.runs, ==, 1);
	nm_timer_get_stats(t, &s);
	g_assert_cmpuint(s.missed, >=, 3);
	g_idle_add(finish_pending, &x);
	run_for(f, 70);
	nm_timer_remove(t);
	g_assert_cmpuint(x.runs, >=, 2);
}

static gboolean block_loop(gpointer d)
{
	(void)d;
	g_usleep(130 * 1000);
	return G_SOURCE_REMOVE;
}

/* A main loop blocked for several intervals counts them as missed and
 * does not fire a burst of catch-up runs. */
static void test_late_loop(fixture *f, gconstpointer data)
{
	fire_log l = { 0, 0 };
	nm_timer *t;
	nm_timer_stats s;

	(void)data;
	t = nm_plugin_add_timer(f->core->self, "late", 20 * 1000, NM_TIMER_NOW,
				log_fire, &l, NULL);
	g_timeout_add(5, block_loop, NULL);
	run_for(f, 150);
	nm_timer_get_stats(t, &s);
	nm_timer_remove(t);
	g_assert_cmpuint(s.missed, >=, 4);
	g_assert_cmpuint(l.runs, <=, 5);
}

static void count_destroy(gpointer d)
{
	(*(int *)d)++;
}

static nm_run_status noop(nm_plugin *p, nm_timer *t, gint64 due, gpointer d)
{
	(void)p;
	(void)t;
	(void)due;
	(void)d;
	return NM_RUN_DONE;
}

static void test_remove_destroys(fixture *f, gconstpointer data)
{
	int destroyed = 0;
	nm_timer *t;

	(void)data;
	t = nm_plugin_add_timer(f->core->self, "x", G_USEC_PER_SEC, 0, noop,
				&destroyed, count_destroy);
	g_assert_cmpint(destroyed, ==, 0);
	nm_timer_remove(t);
	g_assert_cmpint(destroyed, ==, 1);
}

/* ---- fd watches ---- */

static gboolean read_once(gint fd, GIOCondition cond, gpointer data)
{
	char c;

	(void)cond;
	if (read(fd, &c, 1) == 1)
		(*(int *)data)++;
	return G_SOURCE_REMOVE;
}

/* A watch whose callback returns G_SOURCE_REMOVE is forgotten by the core,
 * so stopping the plugin does not g_source_remove() a stale id (which is a
 * GLib critical, fatal in tests, or removes someone else's source). */
static void test_watch_removed_by_callback(fixture *f, gconstpointer data)
{
	int fds[2];
	int calls = 0;

	(void)data;
	g_assert_cmpint(pipe(fds), ==, 0);
	nm_plugin_add_watch(f->core->self, fds[0], G_IO_IN, read_once, &calls);
	g_assert_cmpuint(g_hash_table_size(f->core->self->watches), ==, 1);
	g_assert_cmpint(write(fds[1], "xy", 2), ==, 2);
	run_for(f, 50);
	g_assert_cmpint(calls, ==, 1);
	g_assert_cmpuint(g_hash_table_size(f->core->self->watches), ==, 0);
	nm_loader_stop_inputs(f->core->self);
	close(fds[0]);
	close(fds[1]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, fixture, NULL, setup, fn, teardown)
	ADD("/sched/spread-over-interval", test_spread);
	ADD("/sched/phase-stable-by-name", test_phase_stable);
	ADD("/sched/no-drift", test_no_drift);
	ADD("/sched/missed-interval-in-pool", test_missed_in_pool);
	ADD("/sched/pending-until-done", test_pending_until_done);
	ADD("/sched/late-loop-counts-missed", test_late_loop);
	ADD("/sched/remove-runs-destroy", test_remove_destroys);
	ADD("/sched/watch-removed-by-callback", test_watch_removed_by_callback);
	return g_test_run();
}
