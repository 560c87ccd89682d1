/* netmon test plugin "consumer": counts METRIC messages and checks order.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * consumer = { output = "/tmp/x/consumer.out"; delay = 0.001;
 *              policy = "block"; high_water = 100000; };
 * Counters "received" and "out_of_order" (a gauge value that is not the
 * previous one + 1); `delay` seconds of sleep per delivered batch make a
 * slow consumer. At shutdown it appends "received N out_of_order M" to
 * `output`; the count survives reloads in the file's last line.
 */
#include <stdio.h>
#include <unistd.h>

#include <netmon/plugin.h>

typedef struct {
	nm_plugin *p;
	char *output;
	gint64 delay;
	gint64 last;            /* last sequence seen (-1: none) */
	nm_counter *received, *out_of_order;
} consumer;

static const char *const policies[] = { "block", "drop-oldest", NULL };

static const nm_conf_key keys[] = {
	{ .name = "output", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = "delay", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0, .max = 10 },
	{ .name = "policy", .kind = NM_CONF_STRING, .choices = policies },
	{ .name = "high_water", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 2, .max = 10000000 },
	{ .name = NULL }
};

/* Where the previous instance (before a reload) left the sequence. */
static gint64 read_last(const char *path)
{
	char *text = NULL;
	gint64 last = -1;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		char *line = g_strrstr(text, "last ");
		if (line != NULL)
			last = g_ascii_strtoll(line + 5, NULL, 10);
		g_free(text);
	}
	return last;
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	consumer *c = data;

	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);
		if (m == NULL || g_strcmp0(m->host, "producer") != 0)
			continue;
		gint64 seq = (gint64)m->values[0].v.gauge;
		if (seq != c->last + 1)
			nm_counter_add(c->out_of_order, 1);
		c->last = seq;
		nm_counter_add(c->received, 1);
	}
	if (c->delay > 0)
		g_usleep((gulong)c->delay);
}

static gboolean consumer_init(nm_plugin *p, const config_setting_t *conf,
			      GError **err)
{
	consumer *c = g_new0(consumer, 1);
	nm_sub_options opts = { 0 };
	const char *policy = nm_conf_string(conf, "policy", "block");

	c->p = p;
	c->output = g_strdup(nm_conf_string(conf, "output", NULL));
	c->delay = nm_conf_duration(conf, "delay", 0);
	c->last = read_last(c->output);
	c->received = nm_plugin_counter(p, "received");
	c->out_of_order = nm_plugin_counter(p, "out_of_order");
	opts.policy = g_strcmp0(policy, "block") == 0 ? NM_OVERFLOW_BLOCK
						      : NM_OVERFLOW_DROP_OLDEST;
	opts.high_water = (guint)nm_conf_int(conf, "high_water", 1000000);
	opts.block_timeout = 10 * G_USEC_PER_SEC;
	opts.max_batch = 100;
	nm_plugin_set_data(p, c);
	if (!nm_plugin_subscribe(p, "metrics", NM_MSG_MASK(NM_MSG_METRIC), &opts,
				 deliver, c, err)) {
		g_free(c->output);
		g_free(c);
		return FALSE;
	}
	return TRUE;
}

static void consumer_shutdown(nm_plugin *p)
{
	consumer *c = nm_plugin_get_data(p);
	FILE *f = fopen(c->output, "a");

	if (f == NULL) {
		NM_ERROR(p, "cannot write %s", c->output);
	} else {
		fprintf(f, "received %" G_GUINT64_FORMAT " out_of_order %"
			G_GUINT64_FORMAT " last %" G_GINT64_FORMAT "\n",
			nm_counter_get(c->received),
			nm_counter_get(c->out_of_order), c->last);
		if (fclose(f) != 0)
			NM_ERROR(p, "cannot write %s", c->output);
	}
	g_free(c->output);
	g_free(c);
}

NM_PLUGIN_DEFINE(.name = "consumer", .version = "1",
		 .description = "test: counts metrics and checks their order",
		 .config_keys = keys, .init = consumer_init,
		 .shutdown = consumer_shutdown);
