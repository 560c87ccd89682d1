/* netmon — netmon's own metrics, published on the bus every interval.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Identities (types in etc/types.db):
 *   <host>/netmon-<subscription>/queue_length       GAUGE, messages
 *   <host>/netmon-<subscription>/derive-dropped     DERIVE, messages
 *   <host>/netmon-<subscription>/derive-delivered   DERIVE, messages
 *   <host>/netmon-<subscription>/latency-p50|p99    GAUGE, seconds
 *   <host>/netmon-<plugin>_<timer>/duration         GAUGE, seconds
 *   <host>/netmon-<plugin>_<timer>/derive-missed    DERIVE, intervals
 * Subscription and timer names are made file-name safe ([A-Za-z0-9_.]).
 */
#include "config.h"

#include "daemon.h"

typedef struct {
	nm_core *core;
	GPtrArray *out;
	gint64 now;
} selfstats_ctx;

static char *safe_instance(const char *a, const char *b)
{
	char *s = b != NULL ? g_strconcat(a, "_", b, NULL) : g_strdup(a);

	for (char *c = s; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '_' && *c != '.')
			*c = '_';
	return s;
}

static void add(selfstats_ctx *x, const char *inst, const char *type,
		const char *type_inst, nm_value v)
{
	nm_msg *m = nm_metric_new(x->core->config->hostname, "netmon", inst,
				  type, type_inst, x->now,
				  x->core->config->interval, 1, &v);
	if (m != NULL)
		g_ptr_array_add(x->out, m);
}

static nm_value gauge(double d)
{
	nm_value v = { .kind = NM_DS_GAUGE, .v.gauge = d };
	return v;
}

static nm_value derive(guint64 n)
{
	nm_value v = { .kind = NM_DS_DERIVE, .v.derive = (gint64)n };
	return v;
}

static void sub_metrics(nm_subscription *sub, gpointer data)
{
	selfstats_ctx *x = data;
	nm_sub_stats s;
	char *inst = safe_instance(nm_subscription_name(sub), NULL);

	nm_subscription_stats(sub, &s);
	add(x, inst, "queue_length", "", gauge(s.depth));
	add(x, inst, "derive", "dropped", derive(s.dropped));
	add(x, inst, "derive", "delivered", derive(s.delivered));
	add(x, inst, "latency", "p50", gauge(s.latency_p50 / 1e6));
	add(x, inst, "latency", "p99", gauge(s.latency_p99 / 1e6));
	g_free(inst);
}

static void timer_metrics(selfstats_ctx *x, nm_plugin *p)
{
	for (guint i = 0; i < p->timers->len; i++) {
		nm_timer *t = g_ptr_array_index(p->timers, i);
		nm_timer_stats s;
		char *inst = safe_instance(p->name, nm_timer_name(t));

		nm_timer_get_stats(t, &s);
		add(x, inst, "duration", "", gauge(s.last_duration / 1e6));
		add(x, inst, "derive", "missed", derive(s.missed));
		g_free(inst);
	}
}

void nm_selfstats_publish(nm_core *core)
{
	selfstats_ctx x = { .core = core, .out = g_ptr_array_new(),
			    .now = g_get_real_time() };

	nm_bus_foreach(core->bus, sub_metrics, &x);
	timer_metrics(&x, core->self);
	for (guint i = 0; i < core->plugins->len; i++)
		timer_metrics(&x, g_ptr_array_index(core->plugins, i));
	nm_plugin_publish_batch(core->self, (nm_msg *const *)x.out->pdata,
				x.out->len);
	g_ptr_array_free(x.out, TRUE);
}
