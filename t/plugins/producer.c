/* netmon test plugin "producer": publishes numbered METRIC messages.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * producer = { count = 10000; per_tick = 1000; interval = 0.01;
 *              state = "/tmp/x/producer.state"; };
 * Publishes `count` messages in all, `per_tick` per run of its timer; the
 * gauge value of message i is i (0-based), host "producer". With `state`,
 * the sequence survives reloads: shutdown appends "sent N" to the file and
 * init continues from its last line (count is then the total over all
 * instances).
 */
#include <stdio.h>

#include <netmon/plugin.h>

typedef struct {
	gint64 count, per_tick, sent;
	char *state;
	nm_counter *published_seq;
} producer;

static const nm_conf_key keys[] = {
	{ .name = "count", .kind = NM_CONF_INT, .required = TRUE,
	  .has_range = TRUE, .min = 0, .max = 1e12 },
	{ .name = "per_tick", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1e7 },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.001, .max = 3600 },
	{ .name = "state", .kind = NM_CONF_STRING },
	{ .name = NULL }
};

/* Where the previous instance (before a reload) left the sequence. */
static gint64 read_sent(const char *path)
{
	char *text = NULL;
	gint64 sent = 0;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		char *line = g_strrstr(text, "sent ");
		if (line != NULL)
			sent = g_ascii_strtoll(line + 5, NULL, 10);
		g_free(text);
	}
	return sent;
}

static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	producer *pr = data;
	gint64 n = MIN(pr->per_tick, pr->count - pr->sent);
	GPtrArray *batch;

	(void)t;
	(void)due;
	if (n <= 0)
		return NM_RUN_DONE;
	batch = g_ptr_array_sized_new((guint)n);
	for (gint64 i = 0; i < n; i++)
		g_ptr_array_add(batch, nm_metric_new_gauge(
			"producer", "test", "", "gauge", "seq", g_get_real_time(),
			G_USEC_PER_SEC, (double)(pr->sent + i)));
	nm_plugin_publish_batch(p, (nm_msg *const *)batch->pdata, batch->len);
	g_ptr_array_free(batch, TRUE);
	pr->sent += n;
	nm_counter_add(pr->published_seq, (guint64)n);
	if (pr->sent == pr->count)
		NM_INFO(p, "all %" G_GINT64_FORMAT " messages published", pr->sent);
	return NM_RUN_DONE;
}

static gboolean producer_init(nm_plugin *p, const config_setting_t *conf,
			      GError **err)
{
	producer *pr = g_new0(producer, 1);

	(void)err;
	pr->count = nm_conf_int(conf, "count", 0);
	pr->per_tick = nm_conf_int(conf, "per_tick", 1000);
	pr->state = g_strdup(nm_conf_string(conf, "state", NULL));
	if (pr->state != NULL)
		pr->sent = read_sent(pr->state);
	pr->published_seq = nm_plugin_counter(p, "sequence_published");
	nm_plugin_set_data(p, pr);
	nm_plugin_add_timer(p, "tick", nm_conf_duration(conf, "interval", 10000),
			    NM_TIMER_NOW, tick, pr, NULL);
	return TRUE;
}

static void producer_shutdown(nm_plugin *p)
{
	producer *pr = nm_plugin_get_data(p);

	if (pr->state != NULL) {
		FILE *f = fopen(pr->state, "a");

		if (f == NULL) {
			NM_ERROR(p, "cannot write %s", pr->state);
		} else {
			fprintf(f, "sent %" G_GINT64_FORMAT "\n", pr->sent);
			if (fclose(f) != 0)
				NM_ERROR(p, "cannot write %s", pr->state);
		}
	}
	g_free(pr->state);
	g_free(pr);
}

NM_PLUGIN_DEFINE(.name = "producer", .version = "1",
		 .description = "test: publishes numbered metrics",
		 .config_keys = keys, .init = producer_init,
		 .shutdown = producer_shutdown);
