/* netmon — the "threshold" plugin: METRIC rules to STATE.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Each rule matches METRIC identities with shell globs on host, plugin,
 * plugin_instance, type and type_instance, picks one value (ds, 0-based),
 * turns COUNTER/DERIVE/ABSOLUTE values into per-second rates (eval.c),
 * multiplies by `scale`, and compares with the warning/critical ranges in
 * the Monitoring Plugins syntax (range.h; Monitoring Plugins Development
 * Guidelines §"Threshold and ranges"), with optional recovery ranges for
 * hysteresis. Every evaluation publishes a STATE (host = the metric's
 * host, service = the rule's service template) with SOFT/attempt 1 — the
 * alert plugin counts attempts — and perfdata "label=value;warn;crit".
 * A series that stops arriving for missing_intervals of its interval gets
 * one UNKNOWN STATE ("no data for N s").
 * A divisor turns a value into a ratio before `scale`: another value of
 * the same METRIC (divisor_ds: hrStorageUsed / hrStorageSize), or the
 * last value of a sibling METRIC with the same host, plugin and
 * plugin_instance whose type and/or type_instance are given
 * (divisor_type = "bitrate": the if_octets rate over ifHighSpeed). No
 * divisor known yet, or a zero one, means no evaluation (counted).
 */
#include <math.h>
#include <string.h>

#include <netmon/plugin.h>

#include "eval.h"

typedef struct {
	char *name, *service;
	GPatternSpec *host, *plugin, *pinst, *type, *tinst;
	guint ds;
	gboolean rate;
	double scale;
	guint max_attempts;
	nm_thr_ranges r;
	char *warn_text, *crit_text;
	gint div_ds;           /* -1: no divisor */
	char *div_type, *div_tinst; /* sibling METRIC; NULL = the metric's own */
} rule;

typedef struct {
	guint rule;
	char *host, *service;
	nm_thr_series s;
	nm_state_code code;
	gint64 last_seen;      /* µs, real time */
	gint64 interval;       /* µs */
	double last_value;
	gboolean stale;
} series;

typedef struct {
	nm_plugin *p;
	GPtrArray *rules;      /* rule* */
	GMutex lock;
	GHashTable *series;    /* key -> series* */
	gboolean any_divisor;  /* some rule has a sibling divisor */
	GHashTable *divisors;  /* host\x1fplugin\x1fpinst\x1ftype\x1ftinst\x1fds -> double* */
	guint missing;
	nm_counter *c_evals, *c_states, *c_stale, *c_no_divisor;
} threshold;

static const nm_conf_key rule_keys[] = {
	{ .name = "name", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "rule name, default service name" },
	{ .name = "service", .kind = NM_CONF_STRING,
	  .help = "STATE service; {host} {plugin} {plugin_instance} {type} {type_instance} {name} expand" },
	{ .name = "host", .kind = NM_CONF_STRING, .help = "glob (default *)" },
	{ .name = "plugin", .kind = NM_CONF_STRING, .help = "glob (default *)" },
	{ .name = "plugin_instance", .kind = NM_CONF_STRING, .help = "glob (default *)" },
	{ .name = "type", .kind = NM_CONF_STRING, .required = TRUE, .help = "glob" },
	{ .name = "type_instance", .kind = NM_CONF_STRING, .help = "glob (default *)" },
	{ .name = "ds", .kind = NM_CONF_INT, .has_range = TRUE, .min = 0, .max = 63,
	  .help = "index of the value (default 0)" },
	{ .name = "rate", .kind = NM_CONF_BOOL,
	  .help = "rate of a GAUGE too (counters always are)" },
	{ .name = "scale", .kind = NM_CONF_FLOAT, .help = "multiply (default 1)" },
	{ .name = "warning", .kind = NM_CONF_STRING, .help = "range, e.g. ~:80" },
	{ .name = "critical", .kind = NM_CONF_STRING, .help = "range, e.g. ~:90" },
	{ .name = "warning_recovery", .kind = NM_CONF_STRING,
	  .help = "range a WARNING must leave to recover" },
	{ .name = "critical_recovery", .kind = NM_CONF_STRING,
	  .help = "range a CRITICAL must leave to recover" },
	{ .name = "max_attempts", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 100, .help = "passed on in STATE for the alert plugin" },
	{ .name = "divisor_ds", .kind = NM_CONF_INT, .has_range = TRUE, .min = 0, .max = 63,
	  .help = "divide by this value (of the metric itself, or of the divisor metric)" },
	{ .name = "divisor_type", .kind = NM_CONF_STRING,
	  .help = "divide by the last value of the sibling metric of this type" },
	{ .name = "divisor_type_instance", .kind = NM_CONF_STRING,
	  .help = "divide by the last value of the sibling metric with this type_instance" },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "missing_intervals", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1000, .help = "UNKNOWN after this many intervals without data (default 3)" },
	{ .name = "rules", .kind = NM_CONF_LIST, .required = TRUE,
	  .children = rule_keys },
	{ .name = NULL }
};

static const char *const range_keys[] = { "warning", "critical",
					  "warning_recovery", "critical_recovery", NULL };

static gboolean threshold_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *list = config_setting_get_member(conf, "rules");

	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		const config_setting_t *r = config_setting_get_elem(list, (unsigned)i);
		gboolean any = FALSE;

		for (guint k = 0; range_keys[k] != NULL; k++) {
			const config_setting_t *s = config_setting_get_member(r, range_keys[k]);
			nm_range rg;
			GError *e = NULL;

			if (s == NULL)
				continue;
			if (!nm_range_parse(config_setting_get_string(s), &rg, &e)) {
				nm_conf_error(s, err, "%s", e->message);
				g_error_free(e);
				return FALSE;
			}
			any = any || k < 2;
		}
		if (!any)
			return nm_conf_error(r, err, "a rule needs warning or critical");
	}
	return TRUE;
}

static void rule_free(gpointer data)
{
	rule *r = data;
	g_free(r->name);
	g_free(r->service);
	g_pattern_spec_free(r->host);
	g_pattern_spec_free(r->plugin);
	g_pattern_spec_free(r->pinst);
	g_pattern_spec_free(r->type);
	g_pattern_spec_free(r->tinst);
	g_free(r->warn_text);
	g_free(r->crit_text);
	g_free(r->div_type);
	g_free(r->div_tinst);
	g_free(r);
}

static void series_free(gpointer data)
{
	series *s = data;
	g_free(s->host);
	g_free(s->service);
	g_free(s);
}

static gboolean match(GPatternSpec *p, const char *s)
{
	return g_pattern_spec_match_string(p, s);
}

static char *expand(const rule *r, const nm_metric *m)
{
	GString *g = g_string_new(r->service);
	/* {name} first: a rule name may itself hold {type_instance} etc.
	 * (the default service is "{name}") */
	static const char *const names[] = { "{name}", "{host}", "{plugin}",
					     "{plugin_instance}", "{type}", "{type_instance}" };
	const char *vals[] = { r->name, m->host, m->plugin, m->plugin_instance, m->type,
			       m->type_instance };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		g_string_replace(g, names[i], vals[i], 0);
	return g_string_free(g, FALSE);
}

static nm_msg *make_state(const rule *r, const series *s, nm_state_code code,
			  const char *output, const char *perf, gint64 now)
{
	nm_state st = { 0 };

	st.host = s->host;
	st.service = s->service;
	st.code = code;
	st.state_type = NM_STATE_SOFT;
	st.attempt = 1;
	st.max_attempts = r->max_attempts;
	st.output = output;
	st.perfdata = perf;
	return nm_state_new(&st, now);
}

/* A value as it is (no rate): divisors are GAUGEs such as ifHighSpeed. */
static double value_as_double(const nm_value *v)
{
	switch (v->kind) {
	case NM_DS_COUNTER: return (double)v->v.counter;
	case NM_DS_DERIVE: return (double)v->v.derive;
	case NM_DS_ABSOLUTE: return (double)v->v.absolute;
	default: return v->v.gauge;
	}
}

static gboolean sibling_rule(const rule *r)
{
	return r->div_type != NULL || r->div_tinst != NULL;
}

static char *div_key(const nm_metric *m, const char *type, const char *tinst, guint ds)
{
	return g_strdup_printf("%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%u", m->host, m->plugin,
			       m->plugin_instance, type, tinst, ds);
}

/* Keep the last value of metrics some rule divides by (lock held). */
static void note_divisors(threshold *th, const nm_metric *m)
{
	for (guint k = 0; k < th->rules->len; k++) {
		const rule *r = g_ptr_array_index(th->rules, k);
		guint ds = r->div_ds >= 0 ? (guint)r->div_ds : 0;
		double *v;

		if (!sibling_rule(r) || ds >= m->n_values ||
		    (r->div_type != NULL && strcmp(r->div_type, m->type) != 0) ||
		    (r->div_tinst != NULL && strcmp(r->div_tinst, m->type_instance) != 0) ||
		    !match(r->host, m->host) || !match(r->plugin, m->plugin))
			continue;
		v = g_new(double, 1);
		*v = value_as_double(&m->values[ds]);
		g_hash_table_replace(th->divisors, div_key(m, m->type, m->type_instance, ds), v);
	}
}

/* The divisor of @r for @m, FALSE when none is known or it is 0. */
static gboolean divisor(threshold *th, const rule *r, const nm_metric *m, double *out)
{
	if (r->div_ds < 0 && !sibling_rule(r)) {
		*out = 1.0;
		return TRUE;
	}
	if (!sibling_rule(r)) {
		if ((guint)r->div_ds >= m->n_values)
			return FALSE;
		*out = value_as_double(&m->values[r->div_ds]);
	} else {
		char *key = div_key(m, r->div_type ? r->div_type : m->type,
				    r->div_tinst ? r->div_tinst : m->type_instance,
				    r->div_ds >= 0 ? (guint)r->div_ds : 0);
		const double *v = g_hash_table_lookup(th->divisors, key);
		g_free(key);
		if (v == NULL)
			return FALSE;
		*out = *v;
	}
	return isfinite(*out) && *out != 0.0;
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	threshold *th = data;
	GPtrArray *out = g_ptr_array_new();

	g_mutex_lock(&th->lock);
	/* divisors first, so a batch holding both halves of a ratio is whole */
	if (g_hash_table_size(th->divisors) > 0 || th->any_divisor)
		for (guint i = 0; i < n; i++)
			if (nm_msg_as_metric(msgs[i]) != NULL)
				note_divisors(th, nm_msg_as_metric(msgs[i]));
	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);

		if (m == NULL)
			continue;
		for (guint k = 0; k < th->rules->len; k++) {
			rule *r = g_ptr_array_index(th->rules, k);
			char *id, *key, *output, *perf;
			series *s;
			double v, div;
			nm_state_code code;
			char vbuf[G_ASCII_DTOSTR_BUF_SIZE];

			if (r->ds >= m->n_values || !match(r->type, m->type) ||
			    !match(r->host, m->host) || !match(r->plugin, m->plugin) ||
			    !match(r->pinst, m->plugin_instance) ||
			    !match(r->tinst, m->type_instance))
				continue;
			id = nm_metric_identity(m);
			key = g_strdup_printf("%u\x1f%s", k, id);
			s = g_hash_table_lookup(th->series, key);
			if (s == NULL) {
				s = g_new0(series, 1);
				s->rule = k;
				s->host = g_strdup(m->host);
				s->service = expand(r, m);
				s->code = NM_STATE_OK;
				g_hash_table_insert(th->series, key, s);
			} else {
				g_free(key);
			}
			s->last_seen = m->base.time;
			s->interval = m->interval;
			s->stale = FALSE;
			nm_counter_add(th->c_evals, 1);
			if (!nm_thr_value(&s->s, &m->values[r->ds], m->base.time,
					  m->interval, r->rate, &v)) {
				g_free(id);
				continue;
			}
			if (!divisor(th, r, m, &div)) {
				nm_counter_add(th->c_no_divisor, 1);
				g_free(id);
				continue;
			}
			v = v / div * r->scale;
			s->last_value = v;
			code = nm_thr_evaluate(&r->r, s->code, v);
			s->code = code;
			g_ascii_formatd(vbuf, sizeof vbuf, "%.6g", v);
			output = g_strdup_printf("%s %s: %s = %s%s%s%s%s%s",
						 r->name, nm_state_code_name(code), id, vbuf,
						 *r->warn_text || *r->crit_text ? " (" : "",
						 *r->warn_text ? "warning " : "", r->warn_text,
						 *r->warn_text && *r->crit_text ? ", critical " :
						 *r->crit_text ? "critical " : "",
						 r->crit_text);
			if (*r->warn_text || *r->crit_text) {
				char *o2 = g_strconcat(output, ")", NULL);
				g_free(output);
				output = o2;
			}
			perf = g_strdup_printf("'%s'=%s;%s;%s", r->name, vbuf,
					       r->warn_text, r->crit_text);
			g_ptr_array_add(out, make_state(r, s, code, output, perf,
							m->base.time));
			g_free(output);
			g_free(perf);
			g_free(id);
		}
	}
	g_mutex_unlock(&th->lock);
	if (out->len > 0) {
		nm_counter_add(th->c_states, out->len);
		nm_plugin_publish_batch(th->p, (nm_msg *const *)out->pdata, out->len);
	}
	g_ptr_array_free(out, TRUE);
}

/* Main loop: UNKNOWN for series that stopped. */
static nm_run_status sweep(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	threshold *th = data;
	gint64 now = g_get_real_time();
	GHashTableIter it;
	gpointer k, v;
	GPtrArray *out = g_ptr_array_new();

	(void)t;
	(void)due;
	g_mutex_lock(&th->lock);
	g_hash_table_iter_init(&it, th->series);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		series *s = v;
		gint64 iv = s->interval > 0 ? s->interval : nm_plugin_default_interval(p);
		char *out_text;

		if (s->stale || now - s->last_seen <= (gint64)th->missing * iv)
			continue;
		s->stale = TRUE;
		s->code = NM_STATE_UNKNOWN;
		/* counters start afresh after a gap (no false spike) */
		s->s.have_prev = FALSE;
		out_text = g_strdup_printf("UNKNOWN - no data for %.0f s (%u intervals)",
					   (double)(now - s->last_seen) / G_USEC_PER_SEC,
					   th->missing);
		g_ptr_array_add(out, make_state(g_ptr_array_index(th->rules, s->rule),
						s, NM_STATE_UNKNOWN, out_text, "", now));
		g_free(out_text);
	}
	g_mutex_unlock(&th->lock);
	if (out->len > 0) {
		nm_counter_add(th->c_stale, out->len);
		nm_plugin_publish_batch(p, (nm_msg *const *)out->pdata, out->len);
	}
	g_ptr_array_free(out, TRUE);
	return NM_RUN_DONE;
}

static JsonNode *details(nm_plugin *p, gpointer data)
{
	threshold *th = data;
	JsonBuilder *b = json_builder_new();
	GHashTableIter it;
	gpointer k, v;
	JsonNode *n;

	(void)p;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "series");
	json_builder_begin_object(b);
	g_mutex_lock(&th->lock);
	g_hash_table_iter_init(&it, th->series);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		series *s = v;
		char *name = g_strdup_printf("%s/%s", s->host, s->service);
		json_builder_set_member_name(b, name);
		g_free(name);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, nm_state_code_name(s->code));
		json_builder_set_member_name(b, "value");
		json_builder_add_double_value(b, isfinite(s->last_value) ? s->last_value : 0);
		json_builder_end_object(b);
	}
	g_mutex_unlock(&th->lock);
	json_builder_end_object(b);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

static GPatternSpec *glob(const config_setting_t *c, const char *name)
{
	return g_pattern_spec_new(nm_conf_string(c, name, "*"));
}

static gboolean threshold_init(nm_plugin *p, const config_setting_t *conf,
			       GError **err)
{
	threshold *th = g_new0(threshold, 1);
	const config_setting_t *list = config_setting_get_member(conf, "rules");
	nm_sub_options opts = { .high_water = 200000, .max_batch = 1024,
				.policy = NM_OVERFLOW_DROP_OLDEST };

	th->p = p;
	th->rules = g_ptr_array_new_with_free_func(rule_free);
	th->series = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, series_free);
	th->missing = (guint)nm_conf_int(conf, "missing_intervals", 3);
	g_mutex_init(&th->lock);
	th->c_evals = nm_plugin_counter(p, "evaluations");
	th->c_states = nm_plugin_counter(p, "states");
	th->c_stale = nm_plugin_counter(p, "stale");
	th->c_no_divisor = nm_plugin_counter(p, "no_divisor");
	th->divisors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		const config_setting_t *c = config_setting_get_elem(list, (unsigned)i);
		rule *r = g_new0(rule, 1);

		r->name = g_strdup(nm_conf_string(c, "name", "rule"));
		r->service = g_strdup(nm_conf_string(c, "service", "{name}"));
		r->host = glob(c, "host");
		r->plugin = glob(c, "plugin");
		r->pinst = glob(c, "plugin_instance");
		r->type = glob(c, "type");
		r->tinst = glob(c, "type_instance");
		r->ds = (guint)nm_conf_int(c, "ds", 0);
		r->rate = nm_conf_bool(c, "rate", FALSE);
		r->scale = nm_conf_float(c, "scale", 1.0);
		r->max_attempts = (guint)nm_conf_int(c, "max_attempts", 0);
		r->div_ds = config_setting_get_member(c, "divisor_ds") != NULL
			? (gint)nm_conf_int(c, "divisor_ds", 0) : -1;
		r->div_type = g_strdup(nm_conf_string(c, "divisor_type", NULL));
		r->div_tinst = g_strdup(nm_conf_string(c, "divisor_type_instance", NULL));
		th->any_divisor = th->any_divisor || sibling_rule(r);
		r->warn_text = g_strdup(nm_conf_string(c, "warning", ""));
		r->crit_text = g_strdup(nm_conf_string(c, "critical", ""));
		/* validated by threshold_validate() */
		r->r.has_warn = *r->warn_text && nm_range_parse(r->warn_text, &r->r.warn, NULL);
		r->r.has_crit = *r->crit_text && nm_range_parse(r->crit_text, &r->r.crit, NULL);
		r->r.has_warn_rec = nm_range_parse(nm_conf_string(c, "warning_recovery", NULL),
						   &r->r.warn_rec, NULL);
		r->r.has_crit_rec = nm_range_parse(nm_conf_string(c, "critical_recovery", NULL),
						   &r->r.crit_rec, NULL);
		g_ptr_array_add(th->rules, r);
	}
	nm_plugin_set_data(p, th);
	if (!nm_plugin_subscribe(p, "metrics", NM_MSG_MASK(NM_MSG_METRIC), &opts,
				 deliver, th, err))
		return FALSE;   /* shutdown frees (data is set) */
	nm_plugin_add_timer(p, "stale", nm_plugin_default_interval(p),
			    NM_TIMER_DEFAULT, sweep, th, NULL);
	nm_plugin_set_stats(p, details, th);
	return TRUE;
}

static void threshold_shutdown(nm_plugin *p)
{
	threshold *th = nm_plugin_get_data(p);

	if (th == NULL)
		return;
	nm_plugin_set_stats(p, NULL, NULL);
	g_ptr_array_unref(th->rules);
	g_hash_table_destroy(th->series);
	g_hash_table_destroy(th->divisors);
	g_mutex_clear(&th->lock);
	g_free(th);
}

NM_PLUGIN_DEFINE(.name = "threshold", .version = "1.0",
		 .description = "METRIC threshold rules (Monitoring Plugins ranges) to STATE",
		 .config_keys = keys, .validate = threshold_validate,
		 .init = threshold_init, .shutdown = threshold_shutdown);
