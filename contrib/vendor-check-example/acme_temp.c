/* acme_temp — an example vendor check written against netmon's installed
 * SDK, outside netmon's tree. It reads a temperature (degrees Celsius, one
 * number in a text file, as a vendor tool or sensor driver would leave it),
 * publishes it as a METRIC and checks it against warning/critical limits,
 * publishing a STATE (OK/WARNING/CRITICAL/UNKNOWN).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build:  cc -shared -fPIC $(pkg-config --cflags netmon-plugin) \
 *            acme_temp.c -o acme_temp.so
 * Config: acme_temp = { host = "rack1"; file = "/run/acme/temp";
 *                       warning = 40.0; critical = 50.0; interval = 10; };
 */
#include <stdlib.h>
#include <netmon/plugin.h>

typedef struct {
	char *host, *file;
	double warning, critical;
	gint64 interval;
	nm_counter *readings, *read_errors;
} acme;

static const nm_conf_key acme_keys[] = {
	{ .name = "host", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "host name the reading belongs to" },
	{ .name = "file", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "text file holding the temperature in degrees Celsius" },
	{ .name = "warning", .kind = NM_CONF_FLOAT, .has_range = TRUE,
	  .min = -50, .max = 200, .help = "WARNING above this (°C)" },
	{ .name = "critical", .kind = NM_CONF_FLOAT, .has_range = TRUE,
	  .min = -50, .max = 200, .help = "CRITICAL above this (°C)" },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 86400, .help = "seconds between readings" },
	{ .name = NULL }
};

/* Cross-field rule the key table cannot express. */
static gboolean acme_validate(const config_setting_t *conf, GError **err)
{
	if (nm_conf_float(conf, "warning", 40) > nm_conf_float(conf, "critical", 50))
		return nm_conf_error(conf, err, "warning must not exceed critical");
	return TRUE;
}

/* Reads the file on the worker pool (file I/O may block). */
static nm_run_status acme_read(nm_plugin *p, nm_timer *t, gint64 due,
			       gpointer data)
{
	acme *a = data;
	char *text = NULL;
	GError *err = NULL;
	nm_state st = { 0 };
	char *end = NULL;
	double celsius = 0;

	(void)t;
	(void)due;
	st.host = a->host;
	st.service = "acme temperature";
	st.state_type = NM_STATE_HARD;
	st.attempt = st.max_attempts = 1;
	if (!g_file_get_contents(a->file, &text, NULL, &err)) {
		nm_counter_add(a->read_errors, 1);
		st.code = NM_STATE_UNKNOWN;
		st.output = err->message;
		nm_plugin_publish(p, nm_state_new(&st, g_get_real_time()));
		g_error_free(err);
		return NM_RUN_DONE;
	}
	celsius = g_ascii_strtod(text, &end);
	if (end == text) {
		nm_counter_add(a->read_errors, 1);
		st.code = NM_STATE_UNKNOWN;
		st.output = "no number in the sensor file";
	} else {
		char *out = g_strdup_printf("temperature %.1f C", celsius);
		char *perf = g_strdup_printf("temp=%.1f;%g;%g", celsius,
					     a->warning, a->critical);
		nm_counter_add(a->readings, 1);
		nm_plugin_publish(p, nm_metric_new_gauge(
			a->host, "acme", "", "temperature", "", g_get_real_time(),
			a->interval, celsius));
		st.code = celsius > a->critical   ? NM_STATE_CRITICAL
			  : celsius > a->warning ? NM_STATE_WARNING
						 : NM_STATE_OK;
		st.output = out;
		st.perfdata = perf;
		nm_plugin_publish(p, nm_state_new(&st, g_get_real_time()));
		g_free(out);
		g_free(perf);
	}
	g_free(text);
	return NM_RUN_DONE;
}

static gboolean acme_init(nm_plugin *p, const config_setting_t *conf,
			  GError **err)
{
	acme *a = g_new0(acme, 1);

	(void)err;
	a->host = g_strdup(nm_conf_string(conf, "host", NULL));
	a->file = g_strdup(nm_conf_string(conf, "file", NULL));
	a->warning = nm_conf_float(conf, "warning", 40);
	a->critical = nm_conf_float(conf, "critical", 50);
	a->interval = nm_conf_duration(conf, "interval",
				       nm_plugin_default_interval(p));
	a->readings = nm_plugin_counter(p, "readings");
	a->read_errors = nm_plugin_counter(p, "read_errors");
	nm_plugin_set_data(p, a);
	nm_plugin_add_timer(p, a->host, a->interval,
			    NM_TIMER_IN_POOL | NM_TIMER_NOW, acme_read, a, NULL);
	return TRUE;
}

static void acme_shutdown(nm_plugin *p)
{
	acme *a = nm_plugin_get_data(p);

	g_free(a->host);
	g_free(a->file);
	g_free(a);
}

NM_PLUGIN_DEFINE(.name = "acme_temp", .version = "1.0",
		 .description = "example vendor check: ACME sensor temperature",
		 .config_keys = acme_keys, .validate = acme_validate,
		 .init = acme_init, .shutdown = acme_shutdown);
