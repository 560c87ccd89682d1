/* netmon test plugin "rrdfeed": publishes known METRIC sequences for the
 * rrd plugin's tests and benchmark.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * rrdfeed = { series = 10; count = 100; start = 1700000000; step = 10;
 *             interval = 0.05; per_tick = 1; host = "feed"; };
 * Every run of its timer (each `interval` seconds of real time) publishes
 * `per_tick` rounds; round k (0-based, up to `count` rounds in all) gives
 * each of `series` series "HOST/feed/gauge-s<i>" the GAUGE value k and
 * "HOST/feed/if_octets-s<i>" (when if_octets = true) the DERIVE values
 * rx = 1000 k, tx = 2000 k, all stamped start + (k + 1) × step seconds
 * (synthetic time, so a test covers hours of samples in seconds) with
 * interval `step`. Counters "rounds" and "published".
 * go_file = "/path": publish nothing until that file exists (the benchmark
 * starts its clock by creating it).
 * warmup = W, resume_file = "/path": after the first W rounds, publish
 * nothing more until that file exists (the benchmark writes a warm-up round,
 * reads the CPU times, then lets the measured rounds go).
 * When every round is published the timer is removed, so an idle feeder
 * costs nothing (the benchmark counts netmond's CPU time).
 */
#include <netmon/plugin.h>

typedef struct {
	gint64 series, count, start, step, per_tick, sent, warmup;
	gboolean octets;
	char *host, *go_file, *resume_file;
	nm_counter *rounds, *published;
} feed;

static const nm_conf_key keys[] = {
	{ .name = "series", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 10000000 },
	{ .name = "count", .kind = NM_CONF_INT, .required = TRUE,
	  .has_range = TRUE, .min = 0, .max = 1e9 },
	{ .name = "start", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 4e9 },
	{ .name = "step", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 86400 },
	{ .name = "per_tick", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1e6 },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.001, .max = 3600 },
	{ .name = "if_octets", .kind = NM_CONF_BOOL },
	{ .name = "host", .kind = NM_CONF_STRING },
	{ .name = "go_file", .kind = NM_CONF_STRING },
	{ .name = "warmup", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 1e9 },
	{ .name = "resume_file", .kind = NM_CONF_STRING },
	{ .name = NULL }
};

static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	feed *f = data;
	GPtrArray *batch = g_ptr_array_new();

	(void)due;
	if (f->go_file != NULL) {
		if (!g_file_test(f->go_file, G_FILE_TEST_EXISTS)) {
			g_ptr_array_free(batch, TRUE);
			return NM_RUN_DONE;
		}
		g_clear_pointer(&f->go_file, g_free);
	}
	if (f->resume_file != NULL && f->sent >= f->warmup) {
		if (!g_file_test(f->resume_file, G_FILE_TEST_EXISTS)) {
			g_ptr_array_free(batch, TRUE);
			return NM_RUN_DONE;
		}
		g_clear_pointer(&f->resume_file, g_free);
	}
	for (gint64 r = 0; r < f->per_tick && f->sent < f->count &&
	     (f->resume_file == NULL || f->sent < f->warmup); r++, f->sent++) {
		gint64 k = f->sent;
		gint64 when = (f->start + (k + 1) * f->step) * G_USEC_PER_SEC;
		for (gint64 i = 0; i < f->series; i++) {
			char inst[32];
			g_snprintf(inst, sizeof inst, "s%" G_GINT64_FORMAT, i);
			g_ptr_array_add(batch, nm_metric_new_gauge(
				f->host, "feed", "", "gauge", inst, when,
				f->step * G_USEC_PER_SEC, (double)k));
			if (f->octets) {
				nm_value v[2] = {
					{ .kind = NM_DS_DERIVE, .v.derive = 1000 * k },
					{ .kind = NM_DS_DERIVE, .v.derive = 2000 * k },
				};
				g_ptr_array_add(batch, nm_metric_new(
					f->host, "feed", "", "if_octets", inst, when,
					f->step * G_USEC_PER_SEC, 2, v));
			}
		}
		nm_counter_add(f->rounds, 1);
	}
	if (batch->len > 0) {
		nm_counter_add(f->published, batch->len);
		nm_plugin_publish_batch(p, (nm_msg *const *)batch->pdata, batch->len);
	}
	g_ptr_array_free(batch, TRUE);
	/* All published: no more runs (GLib holds the timer while it runs). */
	if (f->sent >= f->count)
		nm_timer_remove(t);
	return NM_RUN_DONE;
}

static gboolean feed_init(nm_plugin *p, const config_setting_t *conf,
			  GError **err)
{
	feed *f = g_new0(feed, 1);

	(void)err;
	f->series = nm_conf_int(conf, "series", 1);
	f->count = nm_conf_int(conf, "count", 0);
	f->start = nm_conf_int(conf, "start", 1700000000);
	f->step = nm_conf_int(conf, "step", 10);
	f->per_tick = nm_conf_int(conf, "per_tick", 1);
	f->octets = nm_conf_bool(conf, "if_octets", FALSE);
	f->host = g_strdup(nm_conf_string(conf, "host", "feed"));
	f->go_file = g_strdup(nm_conf_string(conf, "go_file", NULL));
	f->warmup = nm_conf_int(conf, "warmup", 0);
	f->resume_file = g_strdup(nm_conf_string(conf, "resume_file", NULL));
	f->rounds = nm_plugin_counter(p, "rounds");
	f->published = nm_plugin_counter(p, "published");
	nm_plugin_set_data(p, f);
	nm_plugin_add_timer(p, "tick", nm_conf_duration(conf, "interval", 50000),
			    NM_TIMER_NOW, tick, f, NULL);
	return TRUE;
}

static void feed_shutdown(nm_plugin *p)
{
	feed *f = nm_plugin_get_data(p);

	g_free(f->host);
	g_free(f->go_file);
	g_free(f->resume_file);
	g_free(f);
}

NM_PLUGIN_DEFINE(.name = "rrdfeed", .version = "1",
		 .description = "test: publishes known metric sequences",
		 .config_keys = keys, .init = feed_init,
		 .shutdown = feed_shutdown);
