/* netmon — the "nagios" plugin: Monitoring Plugins compatible checks.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Runs check programs (check_ping, check_tcp, vendor scripts: anything
 * following the Monitoring Plugins Development Guidelines) on a schedule,
 * each run on the core's worker pool with at most max_concurrent at once,
 * and publishes
 *   - a STATE per run: exit code 0/1/2/3 = OK/WARNING/CRITICAL/UNKNOWN,
 *     anything else (or a signal, or the timeout) UNKNOWN; first line of
 *     output as output, the other lines as long_output, all performance
 *     data as perfdata; state_type SOFT, attempt 1 and the check's
 *     max_attempts (the alert plugin counts attempts and decides HARD);
 *   - a METRIC per performance data item with a value: identity
 *     HOST/nagios-SERVICE/gauge-LABEL, or derive-LABEL for UOM "c"
 *     (collectd types "gauge"/"derive"), value as printed (no unit
 *     scaling).
 * Commands are argument vectors run without a shell; `shell = true` runs
 * the single string command with /bin/sh -c. A run past its timeout gets
 * SIGTERM to its whole process group, SIGKILL a second later, and is
 * UNKNOWN. Output beyond output_limit bytes is read and discarded.
 *
 * Sources: Monitoring Plugins Development Guidelines, §"Plugin Return
 * Codes", §"Plugin Output", §"Performance data".
 */
#include <math.h>
#include <signal.h>
#include <string.h>

#include <netmon/plugin.h>

#include "perfdata.h"
#include "runner.h"

#define DEFAULT_LIMIT 65536

typedef struct nagios nagios;

typedef struct {
	nagios *ng;
	char *host, *service;
	char **argv;                /* NULL-terminated */
	gint64 interval, timeout;
	guint max_attempts;
	/* last run, under ng->lock */
	guint64 runs, timeouts;
	int last_code;              /* -1: never ran */
	gint64 last_duration;
	char *last_output;
} check;

struct nagios {
	nm_plugin *p;
	GMutex lock;
	GCond slot_free;
	guint running, max_concurrent;
	gsize limit;
	gboolean perfdata;
	GPtrArray *checks;          /* check* */
	nm_counter *c_runs, *c_timeouts, *c_truncated, *c_errors,
		*c_metrics, *c_bad_perf;
};

static const nm_conf_key check_keys[] = {
	{ .name = "host", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "host the check is about (STATE and METRIC host)" },
	{ .name = "service", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "service name of the STATE" },
	{ .name = "command", .kind = NM_CONF_ARRAY, .required = TRUE,
	  .has_range = TRUE, .min = 1, .max = 256,
	  .help = "program and arguments, e.g. [\"/usr/lib/nagios/plugins/check_tcp\", \"-H\", \"127.0.0.1\", \"-p\", \"22\"]" },
	{ .name = "shell", .kind = NM_CONF_BOOL,
	  .help = "run the one-string command with /bin/sh -c (default false)" },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 86400, .help = "seconds between runs" },
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 3600, .help = "seconds before the run is killed" },
	{ .name = "max_attempts", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 100, .help = "attempts before a problem is HARD" },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "max_concurrent", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1024, .help = "checks running at once (default 4)" },
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 3600, .help = "default timeout (default 10 s)" },
	{ .name = "output_limit", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 256, .max = 16 * 1024 * 1024,
	  .help = "bytes of output kept per run (default 65536)" },
	{ .name = "perfdata", .kind = NM_CONF_BOOL,
	  .help = "publish performance data as METRIC (default true)" },
	{ .name = "checks", .kind = NM_CONF_LIST, .required = TRUE,
	  .children = check_keys, .help = "the checks" },
	{ .name = NULL }
};

static gboolean nagios_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *list = config_setting_get_member(conf, "checks");
	GHashTable *seen;
	gboolean ok = TRUE;

	if (list == NULL)
		return TRUE;
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; ok && i < config_setting_length(list); i++) {
		const config_setting_t *c = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *cmd = config_setting_get_member(c, "command");
		char *key;

		if (cmd == NULL)
			continue;
		for (int j = 0; ok && j < config_setting_length(cmd); j++)
			if (config_setting_type(config_setting_get_elem(cmd, (unsigned)j)) !=
			    CONFIG_TYPE_STRING)
				ok = nm_conf_error(cmd, err, "command: every element must be a string");
		if (ok && nm_conf_bool(c, "shell", FALSE) && config_setting_length(cmd) != 1)
			ok = nm_conf_error(cmd, err, "command: with shell = true, give one string");
		key = g_strdup_printf("%s/%s", nm_conf_string(c, "host", ""),
				      nm_conf_string(c, "service", ""));
		if (ok && !g_hash_table_add(seen, key))
			ok = nm_conf_error(c, err, "duplicate check %s", key);
	}
	g_hash_table_destroy(seen);
	return ok;
}

/* "a/b c" -> "a_b c": a collectd identity part may not hold '/'; and
 * '-' splits plugin from instance, so it is kept only in instances. */
static char *sanitize(const char *s)
{
	char *t = g_strdup(s);
	for (char *q = t; *q; q++)
		if (*q == '/' || g_ascii_iscntrl(*q))
			*q = '_';
	return t;
}

static void publish_perf(nagios *ng, check *c, const char *perfdata, gint64 now)
{
	guint bad = 0;
	GPtrArray *items = nm_perfdata_parse(perfdata, &bad);
	GPtrArray *out = g_ptr_array_new();
	char *svc = sanitize(c->service);

	if (bad > 0) {
		nm_counter_add(ng->c_bad_perf, bad);
		NM_DEBUG(ng->p, "%s/%s: %u malformed perfdata item(s)", c->host,
			 c->service, bad);
	}
	for (guint i = 0; i < items->len; i++) {
		nm_perf *pf = g_ptr_array_index(items, i);
		char *label;
		nm_value v;
		nm_msg *m;

		if (pf->unknown)
			continue;
		if (!nm_perf_value(pf, &v)) {   /* a counter out of range */
			nm_counter_add(ng->c_bad_perf, 1);
			continue;
		}
		label = sanitize(pf->label);
		m = nm_metric_new(c->host, "nagios", svc,
				  v.kind == NM_DS_DERIVE ? "derive" : "gauge",
				  label, now, c->interval, 1, &v);
		g_free(label);
		if (m != NULL)
			g_ptr_array_add(out, m);
	}
	if (out->len > 0) {
		nm_counter_add(ng->c_metrics, out->len);
		nm_plugin_publish_batch(ng->p, (nm_msg *const *)out->pdata, out->len);
	}
	g_ptr_array_free(out, TRUE);
	g_ptr_array_unref(items);
	g_free(svc);
}

/* One run, on a worker-pool thread. */
static nm_run_status run_check(nm_plugin *p, nm_timer *t, gint64 due,
			       gpointer data)
{
	check *c = data;
	nagios *ng = c->ng;
	nm_exec_result r;
	GError *e = NULL;
	nm_state s = { 0 };
	char *output = NULL, *lng = NULL, *perf = NULL;
	nm_msg *msg;
	gint64 now;

	(void)t;
	(void)due;
	g_mutex_lock(&ng->lock);
	while (ng->running >= ng->max_concurrent)
		g_cond_wait(&ng->slot_free, &ng->lock);
	ng->running++;
	g_mutex_unlock(&ng->lock);

	nm_counter_add(ng->c_runs, 1);
	s.host = c->host;
	s.service = c->service;
	s.state_type = NM_STATE_SOFT;
	s.attempt = 1;
	s.max_attempts = c->max_attempts;
	if (!nm_exec_run(c->argv, NULL, c->timeout, G_USEC_PER_SEC, ng->limit,
			 &r, &e)) {
		nm_counter_add(ng->c_errors, 1);
		s.code = NM_STATE_UNKNOWN;
		output = g_strdup_printf("UNKNOWN - %s", e->message);
		lng = g_strdup("");
		perf = g_strdup("");
		g_clear_error(&e);
	} else {
		nm_check_output_split(r.output, r.output_len, &output, &lng, &perf);
		if (r.truncated) {
			char *l2 = g_strdup_printf(
				"%s%s[output truncated: %" G_GSIZE_FORMAT " of %"
				G_GSIZE_FORMAT " bytes kept]", lng,
				*lng ? "\n" : "", r.output_len, r.output_total);
			g_free(lng);
			lng = l2;
			nm_counter_add(ng->c_truncated, 1);
		}
		if (r.timed_out) {
			char *o2 = g_strdup_printf(
				"UNKNOWN - check timed out after %.1f s (process group killed)%s%s",
				(double)c->timeout / G_USEC_PER_SEC,
				*output ? ": " : "", output);
			g_free(output);
			output = o2;
			s.code = NM_STATE_UNKNOWN;
			nm_counter_add(ng->c_timeouts, 1);
		} else if (r.term_signal != 0) {
			char *o2 = g_strdup_printf("UNKNOWN - killed by signal %d (%s)%s%s",
						   r.term_signal, g_strsignal(r.term_signal),
						   *output ? ": " : "", output);
			g_free(output);
			output = o2;
			s.code = NM_STATE_UNKNOWN;
		} else if (r.exit_status >= 0 && r.exit_status <= 3) {
			s.code = (nm_state_code)r.exit_status;
		} else {
			char *o2 = g_strdup_printf(
				"UNKNOWN - return code %d is out of bounds%s%s%s",
				r.exit_status,
				r.exit_status == 126 ? " (not executable)" :
				r.exit_status == 127 ? " (command not found)" :
				r.exit_status > 128 ? " (killed by a signal?)" : "",
				*output ? ": " : "", output);
			g_free(output);
			output = o2;
			s.code = NM_STATE_UNKNOWN;
		}
	}
	now = g_get_real_time();
	s.output = output;
	s.long_output = lng;
	s.perfdata = perf;
	msg = nm_state_new(&s, now);
	nm_plugin_publish(p, msg);
	if (ng->perfdata && *perf)
		publish_perf(ng, c, perf, now);

	g_mutex_lock(&ng->lock);
	c->runs++;
	if (r.timed_out)
		c->timeouts++;
	c->last_code = (int)s.code;
	c->last_duration = r.duration;
	g_free(c->last_output);
	c->last_output = g_strdup(output);
	ng->running--;
	g_cond_signal(&ng->slot_free);
	g_mutex_unlock(&ng->lock);
	nm_exec_result_clear(&r);
	g_free(output);
	g_free(lng);
	g_free(perf);
	return NM_RUN_DONE;
}

static JsonNode *details(nm_plugin *p, gpointer data)
{
	nagios *ng = data;
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	(void)p;
	g_mutex_lock(&ng->lock);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "running");
	json_builder_add_int_value(b, ng->running);
	json_builder_set_member_name(b, "checks");
	json_builder_begin_object(b);
	for (guint i = 0; i < ng->checks->len; i++) {
		check *c = g_ptr_array_index(ng->checks, i);
		char *k = g_strdup_printf("%s/%s", c->host, c->service);
		json_builder_set_member_name(b, k);
		g_free(k);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "runs");
		json_builder_add_int_value(b, (gint64)c->runs);
		json_builder_set_member_name(b, "timeouts");
		json_builder_add_int_value(b, (gint64)c->timeouts);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, c->last_code < 0 ? "PENDING" :
					      nm_state_code_name(c->last_code));
		json_builder_set_member_name(b, "output");
		json_builder_add_string_value(b, c->last_output ? c->last_output : "");
		json_builder_set_member_name(b, "duration_ms");
		json_builder_add_double_value(b, (double)c->last_duration / 1000.0);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	g_mutex_unlock(&ng->lock);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

static void check_free(gpointer data)
{
	check *c = data;
	g_free(c->host);
	g_free(c->service);
	g_strfreev(c->argv);
	g_free(c->last_output);
	g_free(c);
}

static gboolean nagios_init(nm_plugin *p, const config_setting_t *conf,
			    GError **err)
{
	nagios *ng = g_new0(nagios, 1);
	const config_setting_t *list = config_setting_get_member(conf, "checks");
	gint64 def_timeout = nm_conf_duration(conf, "timeout", 10 * G_USEC_PER_SEC);

	(void)err;
	ng->p = p;
	g_mutex_init(&ng->lock);
	g_cond_init(&ng->slot_free);
	ng->max_concurrent = (guint)nm_conf_int(conf, "max_concurrent", 4);
	ng->limit = (gsize)nm_conf_int(conf, "output_limit", DEFAULT_LIMIT);
	ng->perfdata = nm_conf_bool(conf, "perfdata", TRUE);
	ng->checks = g_ptr_array_new_with_free_func(check_free);
	ng->c_runs = nm_plugin_counter(p, "runs");
	ng->c_timeouts = nm_plugin_counter(p, "timeouts");
	ng->c_truncated = nm_plugin_counter(p, "truncated");
	ng->c_errors = nm_plugin_counter(p, "exec_errors");
	ng->c_metrics = nm_plugin_counter(p, "metrics");
	ng->c_bad_perf = nm_plugin_counter(p, "bad_perfdata");
	nm_plugin_set_data(p, ng);

	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		const config_setting_t *cs = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *cmd = config_setting_get_member(cs, "command");
		check *c = g_new0(check, 1);
		int n = config_setting_length(cmd);
		char *tname;

		c->ng = ng;
		c->host = g_strdup(nm_conf_string(cs, "host", ""));
		c->service = g_strdup(nm_conf_string(cs, "service", ""));
		c->interval = nm_conf_duration(cs, "interval",
					       nm_plugin_default_interval(p));
		c->timeout = nm_conf_duration(cs, "timeout", def_timeout);
		c->max_attempts = (guint)nm_conf_int(cs, "max_attempts", 0);
		c->last_code = -1;
		if (nm_conf_bool(cs, "shell", FALSE)) {
			c->argv = g_new0(char *, 4);
			c->argv[0] = g_strdup("/bin/sh");
			c->argv[1] = g_strdup("-c");
			c->argv[2] = g_strdup(config_setting_get_string_elem(cmd, 0));
		} else {
			c->argv = g_new0(char *, (gsize)n + 1);
			for (int j = 0; j < n; j++)
				c->argv[j] = g_strdup(config_setting_get_string_elem(cmd, (unsigned)j));
		}
		g_ptr_array_add(ng->checks, c);
		tname = g_strdup_printf("check:%s/%s", c->host, c->service);
		nm_plugin_add_timer(p, tname, c->interval, NM_TIMER_IN_POOL,
				    run_check, c, NULL);
		g_free(tname);
	}
	nm_plugin_set_stats(p, details, ng);
	NM_INFO(p, "%u check(s), at most %u at once", ng->checks->len,
		ng->max_concurrent);
	return TRUE;
}

static void nagios_shutdown(nm_plugin *p)
{
	nagios *ng = nm_plugin_get_data(p);

	if (ng == NULL)
		return;
	nm_plugin_set_stats(p, NULL, NULL);
	g_ptr_array_unref(ng->checks);
	g_cond_clear(&ng->slot_free);
	g_mutex_clear(&ng->lock);
	g_free(ng);
}

NM_PLUGIN_DEFINE(.name = "nagios", .version = "1.0",
		 .description = "runs Monitoring Plugins checks, publishes STATE and perfdata METRIC",
		 .config_keys = keys, .validate = nagios_validate,
		 .init = nagios_init, .shutdown = nagios_shutdown);
