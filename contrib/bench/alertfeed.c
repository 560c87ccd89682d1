/* netmon test and benchmark plugin "alertfeed": SNMP- and ICMP-shaped
 * metrics for many hosts, to drive the threshold and alert plugins.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 *   alertfeed = { hosts = 10000; interfaces = 2; hot = 10; interval = 1;
 *                 speed = 1000; };
 * Every interval (s), for each host "h<N>" it publishes what the snmp and
 * icmp plugins publish for a device (same plugin, type and value kinds):
 * per interface "if<K>": snmp if_octets (rx, tx DERIVE, octets), bitrate
 * (GAUGE, bit/s = ifHighSpeed * 1e6), if_errors (rx, tx DERIVE); per
 * host: snmp storage "/" (used, size GAUGE, octets), snmp percent "cpu1"
 * (hrProcessorLoad), icmp ping (GAUGE, ms) and ping_droprate (GAUGE,
 * 0..1). That is interfaces * 3 + 4 series per host. The first `hot`
 * hosts are in trouble (95 % utilisation, 50 errors/s, storage 97 %,
 * CPU 97 %, RTT 250 ms, 60 % loss); the others are healthy (10 %, 0/s,
 * 50 %, 20 %, 1 ms, 0 %). The core's `published` counter counts them.
 */
#include <netmon/plugin.h>

typedef struct {
	nm_plugin *p;
	guint hosts, interfaces, hot;
	double speed;           /* bit/s */
	gint64 interval;        /* µs */
	gint64 last;            /* µs of the previous run, 0 at first */
	guint64 *octets;        /* per host*interface: rx counter */
	guint64 *errors;        /* per host*interface */
} feed;

static const nm_conf_key keys[] = {
	{ .name = "hosts", .kind = NM_CONF_INT, .required = TRUE, .has_range = TRUE,
	  .min = 1, .max = 1000000 },
	{ .name = "interfaces", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1, .max = 1000 },
	{ .name = "hot", .kind = NM_CONF_INT, .has_range = TRUE, .min = 0, .max = 1000000 },
	{ .name = "speed", .kind = NM_CONF_FLOAT, .help = "ifHighSpeed, Mbit/s (default 1000)" },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE, .min = 0.01, .max = 3600 },
	{ .name = NULL }
};

static void flush(feed *f, GPtrArray *out)
{
	if (out->len == 0)
		return;
	nm_plugin_publish_batch(f->p, (nm_msg *const *)out->pdata, out->len);
	g_ptr_array_set_size(out, 0);
}

static void add(feed *f, GPtrArray *out, nm_msg *m)
{
	if (m != NULL)
		g_ptr_array_add(out, m);
	if (out->len >= 1024)
		flush(f, out);
}

static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	feed *f = data;
	gint64 now = g_get_real_time();
	double dt = f->last ? (double)(now - f->last) / G_USEC_PER_SEC
			    : (double)f->interval / G_USEC_PER_SEC;
	GPtrArray *out = g_ptr_array_new();

	(void)p;
	(void)t;
	(void)due;
	f->last = now;
	for (guint h = 0; h < f->hosts; h++) {
		gboolean hot = h < f->hot;
		char host[32];
		nm_value v[2];

		g_snprintf(host, sizeof host, "h%u", h);
		for (guint k = 0; k < f->interfaces; k++) {
			guint i = h * f->interfaces + k;
			char ifn[16];

			g_snprintf(ifn, sizeof ifn, "if%u", k);
			f->octets[i] += (guint64)(f->speed / 8 * (hot ? 0.95 : 0.10) * dt);
			f->errors[i] += (guint64)((hot ? 50.0 : 0.0) * dt);
			v[0].kind = v[1].kind = NM_DS_DERIVE;
			v[0].v.derive = (gint64)f->octets[i];
			v[1].v.derive = (gint64)(f->octets[i] / 2);
			add(f, out, nm_metric_new(host, "snmp", "", "if_octets", ifn, now,
						  f->interval, 2, v));
			v[0].v.derive = (gint64)f->errors[i];
			v[1].v.derive = 0;
			add(f, out, nm_metric_new(host, "snmp", "", "if_errors", ifn, now,
						  f->interval, 2, v));
			v[0].kind = NM_DS_GAUGE;
			v[0].v.gauge = f->speed;
			add(f, out, nm_metric_new(host, "snmp", "", "bitrate", ifn, now,
						  f->interval, 1, v));
		}
		v[0].kind = v[1].kind = NM_DS_GAUGE;
		v[0].v.gauge = hot ? 97e9 : 50e9;
		v[1].v.gauge = 100e9;
		add(f, out, nm_metric_new(host, "snmp", "", "storage", "/", now, f->interval, 2, v));
		v[0].v.gauge = hot ? 97 : 20;
		add(f, out, nm_metric_new(host, "snmp", "", "percent", "cpu1", now, f->interval, 1, v));
		v[0].v.gauge = hot ? 250 : 1;
		add(f, out, nm_metric_new(host, "icmp", "", "ping", "", now, f->interval, 1, v));
		v[0].v.gauge = hot ? 0.6 : 0;
		add(f, out, nm_metric_new(host, "icmp", "", "ping_droprate", "", now, f->interval, 1, v));
	}
	flush(f, out);
	g_ptr_array_free(out, TRUE);
	return NM_RUN_DONE;
}

static gboolean feed_init(nm_plugin *p, const config_setting_t *conf, GError **err)
{
	feed *f = g_new0(feed, 1);

	(void)err;
	f->p = p;
	f->hosts = (guint)nm_conf_int(conf, "hosts", 1);
	f->interfaces = (guint)nm_conf_int(conf, "interfaces", 1);
	f->hot = (guint)nm_conf_int(conf, "hot", 0);
	f->speed = nm_conf_float(conf, "speed", 1000) * 1e6;
	f->interval = nm_conf_duration(conf, "interval", nm_plugin_default_interval(p));
	f->octets = g_new0(guint64, (gsize)f->hosts * f->interfaces);
	f->errors = g_new0(guint64, (gsize)f->hosts * f->interfaces);
	nm_plugin_set_data(p, f);
	nm_plugin_add_timer(p, "feed", f->interval, NM_TIMER_DEFAULT, tick, f, NULL);
	return TRUE;
}

static void feed_shutdown(nm_plugin *p)
{
	feed *f = nm_plugin_get_data(p);

	if (f == NULL)
		return;
	g_free(f->octets);
	g_free(f->errors);
	g_free(f);
}

NM_PLUGIN_DEFINE(.name = "alertfeed", .version = "1.0",
		 .description = "test/benchmark feed of SNMP/ICMP-shaped metrics",
		 .config_keys = keys, .init = feed_init, .shutdown = feed_shutdown);
