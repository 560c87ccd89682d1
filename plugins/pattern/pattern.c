/* netmon — the "pattern" plugin: EVENT rules to STATE.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Each rule (match.h) matches EVENT messages (syslog, RFC 5424 §6 / RFC
 * 3164; SNMP traps) by regular expressions on text, APP-NAME and HOSTNAME
 * and by "severity at least X" (RFC 5424 §6.2.1 numerical severity <= X).
 * A match publishes a STATE for the rule's service on the event's host
 * (WARNING or CRITICAL, max_attempts 1 by default so the alert plugin
 * makes it HARD at once), with the event text as output. With no further
 * match for `expire` seconds, or at once on a `clear` match, one OK STATE
 * follows. Open states are kept in memory only: after a restart a service
 * that was raised stays as the alert plugin last saw it until the next
 * match or clear (documented limitation).
 */
#include <string.h>

#include <netmon/plugin.h>

#include "match.h"

typedef struct {
	nm_plugin *p;
	GPtrArray *rules;         /* nm_pattern_rule* */
	GMutex lock;
	nm_pattern_table *open;
	nm_counter *c_events, *c_matches, *c_clears, *c_expired;
} pattern;

static const char *const states[] = { "WARNING", "CRITICAL", NULL };

static const nm_conf_key rule_keys[] = {
	{ .name = "name", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "rule name, default service name" },
	{ .name = "service", .kind = NM_CONF_STRING,
	  .help = "STATE service; {host} {app} {name} {1}..{9} (text groups) expand" },
	{ .name = "text", .kind = NM_CONF_STRING, .help = "regex on the message text (default any)" },
	{ .name = "app", .kind = NM_CONF_STRING, .help = "regex on APP-NAME / TAG (default any)" },
	{ .name = "host", .kind = NM_CONF_STRING, .help = "regex on HOSTNAME (default any)" },
	{ .name = "clear", .kind = NM_CONF_STRING,
	  .help = "regex on the text that returns the service to OK at once" },
	{ .name = "severity", .kind = NM_CONF_STRING,
	  .help = "at least this severity: 0..7 or emerg..debug (default debug = all)" },
	{ .name = "state", .kind = NM_CONF_STRING, .choices = states,
	  .help = "state on a match (default CRITICAL)" },
	{ .name = "expire", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 1e7, .help = "seconds without a match until OK (default 300)" },
	{ .name = "max_attempts", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 100, .help = "passed on in STATE (default 1: hard at once)" },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "rules", .kind = NM_CONF_LIST, .required = TRUE,
	  .children = rule_keys },
	{ .name = NULL }
};

static nm_pattern_rule *rule_from_conf(const config_setting_t *c, GError **err)
{
	return nm_pattern_rule_new(nm_conf_string(c, "name", "pattern"),
				   nm_conf_string(c, "service", NULL),
				   nm_conf_string(c, "text", NULL),
				   nm_conf_string(c, "app", NULL),
				   nm_conf_string(c, "host", NULL),
				   nm_conf_string(c, "clear", NULL),
				   nm_conf_string(c, "severity", NULL),
				   nm_conf_string(c, "state", "CRITICAL"),
				   nm_conf_duration(c, "expire", 300 * G_USEC_PER_SEC),
				   (guint)nm_conf_int(c, "max_attempts", 1), err);
}

static gboolean pattern_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *list = config_setting_get_member(conf, "rules");

	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		const config_setting_t *c = config_setting_get_elem(list, (unsigned)i);
		GError *e = NULL;
		nm_pattern_rule *r = rule_from_conf(c, &e);

		if (r == NULL) {
			nm_conf_error(c, err, "%s", e->message);
			g_error_free(e);
			return FALSE;
		}
		nm_pattern_rule_free(r);
	}
	return TRUE;
}

static nm_msg *make_state(const char *host, const char *service,
			  nm_state_code code, guint max_attempts,
			  const char *output, gint64 now)
{
	nm_state st = { 0 };

	st.host = host;
	st.service = service;
	st.code = code;
	st.state_type = NM_STATE_SOFT;
	st.attempt = 1;
	st.max_attempts = max_attempts;
	st.output = output;
	return nm_state_new(&st, now);
}

/* Event text as STATE output: one line, at most 512 bytes (UTF-8 safe). */
static char *one_line(const char *name, nm_state_code code, const char *text)
{
	char *t = g_strdup(text);
	char *nl = strpbrk(t, "\r\n");
	char *o;

	if (nl != NULL)
		*nl = '\0';
	if (strlen(t) > 512) {
		size_t cut = 512;
		/* back to a UTF-8 character boundary */
		while (cut > 0 && ((unsigned char)t[cut] & 0xC0) == 0x80)
			cut--;
		t[cut] = '\0';
	}
	o = g_strdup_printf("%s %s: %s", name, nm_state_code_name(code), t);
	g_free(t);
	return o;
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	pattern *pt = data;
	GPtrArray *out = g_ptr_array_new();

	g_mutex_lock(&pt->lock);
	for (guint i = 0; i < n; i++) {
		const nm_event *ev = nm_msg_as_event(msgs[i]);

		if (ev == NULL)
			continue;
		nm_counter_add(pt->c_events, 1);
		for (guint k = 0; k < pt->rules->len; k++) {
			const nm_pattern_rule *r = g_ptr_array_index(pt->rules, k);
			char *svc = NULL, *output;
			nm_pattern_result res = nm_pattern_match(r, ev, &svc);

			if (res == NM_PATTERN_RAISE) {
				nm_counter_add(pt->c_matches, 1);
				(void)nm_pattern_table_raise(pt->open, r, ev->host, svc,
							     ev->text, ev->base.time);
				output = one_line(r->name, r->code, ev->text);
				g_ptr_array_add(out, make_state(ev->host, svc, r->code,
								r->max_attempts, output,
								ev->base.time));
				g_free(output);
			} else if (res == NM_PATTERN_CLEAR &&
				   nm_pattern_table_clear(pt->open, ev->host, svc)) {
				nm_counter_add(pt->c_clears, 1);
				output = one_line(r->name, NM_STATE_OK, ev->text);
				g_ptr_array_add(out, make_state(ev->host, svc, NM_STATE_OK,
								r->max_attempts, output,
								ev->base.time));
				g_free(output);
			}
			g_free(svc);
		}
	}
	g_mutex_unlock(&pt->lock);
	if (out->len > 0)
		nm_plugin_publish_batch(pt->p, (nm_msg *const *)out->pdata, out->len);
	g_ptr_array_free(out, TRUE);
}

typedef struct {
	GPtrArray *out;
	gint64 now;
} expire_ctx;

static void on_expired(const char *host, const char *service, gint64 opened,
		       gpointer data)
{
	expire_ctx *x = data;
	char *o = g_strdup_printf("OK - expired: no further matching event "
				  "(first match %.0f s ago)",
				  (double)(x->now - opened) / G_USEC_PER_SEC);

	g_ptr_array_add(x->out, make_state(host, service, NM_STATE_OK, 1, o, x->now));
	g_free(o);
}

/* Once a second on the main loop: states whose expiry passed go OK. The
 * time base is the events' own time (ev->base.time) for raises and the
 * real time here, as both are µs since the epoch. */
static nm_run_status sweep(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	pattern *pt = data;
	expire_ctx x = { .out = g_ptr_array_new(), .now = g_get_real_time() };
	guint n;

	(void)t;
	(void)due;
	g_mutex_lock(&pt->lock);
	n = nm_pattern_table_expire(pt->open, x.now, on_expired, &x);
	g_mutex_unlock(&pt->lock);
	if (n > 0) {
		nm_counter_add(pt->c_expired, n);
		nm_plugin_publish_batch(p, (nm_msg *const *)x.out->pdata, x.out->len);
	}
	g_ptr_array_free(x.out, TRUE);
	return NM_RUN_DONE;
}

static void add_open(const char *host, const char *service, nm_state_code code,
		     const char *text, gint64 expires, gpointer data)
{
	JsonBuilder *b = data;
	char *name = g_strdup_printf("%s/%s", host, service);

	json_builder_set_member_name(b, name);
	g_free(name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, nm_state_code_name(code));
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, text);
	json_builder_set_member_name(b, "expires");
	json_builder_add_int_value(b, expires / G_USEC_PER_SEC);
	json_builder_end_object(b);
}

static JsonNode *details(nm_plugin *p, gpointer data)
{
	pattern *pt = data;
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	(void)p;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "open");
	json_builder_begin_object(b);
	g_mutex_lock(&pt->lock);
	nm_pattern_table_foreach(pt->open, add_open, b);
	g_mutex_unlock(&pt->lock);
	json_builder_end_object(b);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

static gboolean pattern_init(nm_plugin *p, const config_setting_t *conf,
			     GError **err)
{
	pattern *pt = g_new0(pattern, 1);
	const config_setting_t *list = config_setting_get_member(conf, "rules");
	nm_sub_options opts = { .high_water = 100000, .max_batch = 1024,
				.policy = NM_OVERFLOW_DROP_OLDEST };

	pt->p = p;
	pt->rules = g_ptr_array_new_with_free_func((GDestroyNotify)nm_pattern_rule_free);
	pt->open = nm_pattern_table_new();
	g_mutex_init(&pt->lock);
	pt->c_events = nm_plugin_counter(p, "events");
	pt->c_matches = nm_plugin_counter(p, "matches");
	pt->c_clears = nm_plugin_counter(p, "clears");
	pt->c_expired = nm_plugin_counter(p, "expired");
	nm_plugin_set_data(p, pt);
	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		nm_pattern_rule *r = rule_from_conf(config_setting_get_elem(list, (unsigned)i), err);
		if (r == NULL)
			return FALSE;   /* validate() said this already; shutdown frees */
		g_ptr_array_add(pt->rules, r);
	}
	if (!nm_plugin_subscribe(p, "events", NM_MSG_MASK(NM_MSG_EVENT), &opts,
				 deliver, pt, err))
		return FALSE;
	nm_plugin_add_timer(p, "expire", G_USEC_PER_SEC, NM_TIMER_DEFAULT, sweep, pt, NULL);
	nm_plugin_set_stats(p, details, pt);
	return TRUE;
}

static void pattern_shutdown(nm_plugin *p)
{
	pattern *pt = nm_plugin_get_data(p);

	if (pt == NULL)
		return;
	nm_plugin_set_stats(p, NULL, NULL);
	g_ptr_array_unref(pt->rules);
	nm_pattern_table_free(pt->open);
	g_mutex_clear(&pt->lock);
	g_free(pt);
}

NM_PLUGIN_DEFINE(.name = "pattern", .version = "1.0",
		 .description = "EVENT pattern rules (regex, severity) to STATE with expiry",
		 .config_keys = keys, .validate = pattern_validate,
		 .init = pattern_init, .shutdown = pattern_shutdown);
