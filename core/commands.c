/* netmon — the control commands: status, plugins, stats, reload, flush.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "daemon.h"

void nm_commands_remove_plugin(nm_core *core, nm_plugin *p)
{
	for (guint i = core->commands->len; i-- > 0;) {
		nm_command *c = g_ptr_array_index(core->commands, i);
		if (c->plugin != p)
			continue;
		g_ptr_array_remove_index(core->commands, i);
		g_free(c->cmd);
		g_free(c->help);
		g_free(c);
	}
}

static gboolean has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return TRUE;
	return FALSE;
}

static gboolean cmd_status(nm_core *core, GString *out)
{
	GDateTime *dt = g_date_time_new_from_unix_local(core->started / G_USEC_PER_SEC);
	char *since = dt != NULL ? g_date_time_format(dt, "%F %T %z") : g_strdup("?");

	g_string_append_printf(out,
			       "netmond %s running, pid %d, since %s\n"
			       "config: %s\nplugins: %u\nreloads: %" G_GUINT64_FORMAT
			       " (%" G_GUINT64_FORMAT " refused)\n",
			       PACKAGE_VERSION, (int)getpid(), since,
			       core->config->file, core->plugins->len,
			       core->reloads, core->reload_failures);
	if (core->last_reload_error != NULL)
		g_string_append_printf(out, "last reload error:\n%s\n",
				       core->last_reload_error);
	g_free(since);
	if (dt != NULL)
		g_date_time_unref(dt);
	return TRUE;
}

static gboolean cmd_plugins(nm_core *core, GString *out)
{
	for (guint i = 0; i < core->plugins->len; i++) {
		nm_plugin *p = g_ptr_array_index(core->plugins, i);
		g_string_append_printf(out, "%-12s %-8s %-8s %s\n    %s\n", p->name,
				       p->info->version ? p->info->version : "-",
				       p->running ? "running" : "stopped",
				       p->info->description ? p->info->description : "",
				       p->path);
	}
	return TRUE;
}

/* ---- stats ---- */

static void add_counters(JsonBuilder *b, nm_plugin *p)
{
	GList *keys;

	json_builder_set_member_name(b, "counters");
	json_builder_begin_object(b);
	g_mutex_lock(&p->lock);
	keys = g_list_sort(g_hash_table_get_keys(p->counters), (GCompareFunc)strcmp);
	for (GList *l = keys; l != NULL; l = l->next) {
		json_builder_set_member_name(b, l->data);
		json_builder_add_int_value(b, (gint64)nm_counter_get(
			g_hash_table_lookup(p->counters, l->data)));
	}
	g_list_free(keys);
	g_mutex_unlock(&p->lock);
	json_builder_end_object(b);
}

static void add_timers(JsonBuilder *b, nm_plugin *p)
{
	json_builder_set_member_name(b, "timers");
	json_builder_begin_array(b);
	for (guint i = 0; i < p->timers->len; i++) {
		nm_timer *t = g_ptr_array_index(p->timers, i);
		nm_timer_stats s;
		nm_timer_get_stats(t, &s);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, nm_timer_name(t));
		json_builder_set_member_name(b, "interval_s");
		json_builder_add_double_value(b, s.interval / 1e6);
		json_builder_set_member_name(b, "offset_s");
		json_builder_add_double_value(b, s.offset / 1e6);
		json_builder_set_member_name(b, "runs");
		json_builder_add_int_value(b, (gint64)s.runs);
		json_builder_set_member_name(b, "missed");
		json_builder_add_int_value(b, (gint64)s.missed);
		json_builder_set_member_name(b, "last_duration_us");
		json_builder_add_int_value(b, s.last_duration);
		json_builder_set_member_name(b, "max_duration_us");
		json_builder_add_int_value(b, s.max_duration);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void add_plugin(JsonBuilder *b, nm_plugin *p, gboolean details_wanted)
{
	json_builder_set_member_name(b, p->name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "running");
	json_builder_add_boolean_value(b, p->running);
	add_counters(b, p);
	add_timers(b, p);
	if (details_wanted && p->stats_fn != NULL) {
		JsonNode *details = p->stats_fn(p, p->stats_data);
		if (details != NULL) {
			json_builder_set_member_name(b, "details");
			json_builder_add_value(b, details); /* takes it */
		}
	}
	json_builder_end_object(b);
}

static void add_subscription(nm_subscription *sub, gpointer data)
{
	JsonBuilder *b = data;
	nm_sub_stats s;

	nm_subscription_stats(sub, &s);
	json_builder_begin_object(b);
#define MEMBER_INT(k, v) do { json_builder_set_member_name(b, k); \
		json_builder_add_int_value(b, (gint64)(v)); } while (0)
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, nm_subscription_name(sub));
	json_builder_set_member_name(b, "types");
	json_builder_begin_array(b);
	for (int t = 0; t < NM_MSG_N_TYPES; t++)
		if (s.type_mask & NM_MSG_MASK(t))
			json_builder_add_string_value(b, nm_msg_type_name(t));
	json_builder_end_array(b);
	json_builder_set_member_name(b, "policy");
	json_builder_add_string_value(b, nm_overflow_policy_name(s.policy));
	json_builder_set_member_name(b, "attached");
	json_builder_add_boolean_value(b, s.attached);
	MEMBER_INT("depth", s.depth);
	MEMBER_INT("max_depth", s.max_depth);
	MEMBER_INT("high_water", s.high_water);
	MEMBER_INT("low_water", s.low_water);
	MEMBER_INT("enqueued", s.enqueued);
	MEMBER_INT("delivered", s.delivered);
	MEMBER_INT("dropped", s.dropped);
	MEMBER_INT("overflows", s.overflows);
	MEMBER_INT("latency_p50_us", s.latency_p50);
	MEMBER_INT("latency_p99_us", s.latency_p99);
	MEMBER_INT("latency_max_us", s.latency_max);
#undef MEMBER_INT
	json_builder_end_object(b);
}

/* The whole stats document (see netmonctl(1)). */
static JsonNode *stats_json(nm_core *core, gboolean details)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, PACKAGE_VERSION);
	json_builder_set_member_name(b, "pid");
	json_builder_add_int_value(b, getpid());
	json_builder_set_member_name(b, "uptime_s");
	json_builder_add_double_value(b, (g_get_monotonic_time() - core->started_mono) / 1e6);
	json_builder_set_member_name(b, "reloads");
	json_builder_add_int_value(b, (gint64)core->reloads);
	json_builder_set_member_name(b, "reload_failures");
	json_builder_add_int_value(b, (gint64)core->reload_failures);
	json_builder_set_member_name(b, "core");
	json_builder_begin_object(b);
	add_counters(b, core->self);
	add_timers(b, core->self);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "plugins");
	json_builder_begin_object(b);
	for (guint i = 0; i < core->plugins->len; i++)
		add_plugin(b, g_ptr_array_index(core->plugins, i), details);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "subscriptions");
	json_builder_begin_array(b);
	nm_bus_foreach(core->bus, add_subscription, b);
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	g_object_unref(b);
	return root;
}

/* Plain-text rendering of the stats document, for people. */
static void stats_text(JsonNode *root, GString *out)
{
	JsonObject *o = json_node_get_object(root);
	JsonArray *subs = json_object_get_array_member(o, "subscriptions");
	JsonObject *plugins = json_object_get_object_member(o, "plugins");
	GList *names = json_object_get_members(plugins);

	g_string_append_printf(out, "uptime %.0f s, %u reloads\n\n",
			       json_object_get_double_member(o, "uptime_s"),
			       (guint)json_object_get_int_member(o, "reloads"));
	g_string_append_printf(out, "%-28s %-11s %9s %12s %10s %9s %9s\n",
			       "subscription", "policy", "depth", "delivered",
			       "dropped", "p50(us)", "p99(us)");
	for (guint i = 0; i < json_array_get_length(subs); i++) {
		JsonObject *s = json_array_get_object_element(subs, i);
		g_string_append_printf(
			out, "%-28s %-11s %9" G_GINT64_FORMAT " %12" G_GINT64_FORMAT
			" %10" G_GINT64_FORMAT " %9" G_GINT64_FORMAT " %9" G_GINT64_FORMAT "\n",
			json_object_get_string_member(s, "name"),
			json_object_get_string_member(s, "policy"),
			json_object_get_int_member(s, "depth"),
			json_object_get_int_member(s, "delivered"),
			json_object_get_int_member(s, "dropped"),
			json_object_get_int_member(s, "latency_p50_us"),
			json_object_get_int_member(s, "latency_p99_us"));
	}
	names = g_list_sort(names, (GCompareFunc)strcmp);
	for (GList *l = names; l != NULL; l = l->next) {
		JsonObject *p = json_object_get_object_member(plugins, l->data);
		JsonObject *c = json_object_get_object_member(p, "counters");
		JsonArray *timers = json_object_get_array_member(p, "timers");
		GList *cn = g_list_sort(json_object_get_members(c), (GCompareFunc)strcmp);
		g_string_append_printf(out, "\nplugin %s\n", (char *)l->data);
		for (GList *m = cn; m != NULL; m = m->next)
			g_string_append_printf(out, "  %-26s %" G_GINT64_FORMAT "\n",
					       (char *)m->data,
					       json_object_get_int_member(c, m->data));
		for (guint i = 0; i < json_array_get_length(timers); i++) {
			JsonObject *t = json_array_get_object_element(timers, i);
			g_string_append_printf(
				out, "  timer %-20s runs %" G_GINT64_FORMAT
				", missed %" G_GINT64_FORMAT ", last %" G_GINT64_FORMAT " us\n",
				json_object_get_string_member(t, "name"),
				json_object_get_int_member(t, "runs"),
				json_object_get_int_member(t, "missed"),
				json_object_get_int_member(t, "last_duration_us"));
		}
		g_list_free(cn);
	}
	g_list_free(names);
}

static gboolean cmd_stats(nm_core *core, int argc, char **argv, GString *out)
{
	/* --brief leaves out plugins' per-target details (cheap polling). */
	JsonNode *root = stats_json(core, !has_flag(argc, argv, "--brief"));

	if (has_flag(argc, argv, "--json")) {
		char *text = json_to_string(root, TRUE);
		g_string_append(out, text);
		g_string_append_c(out, '\n');
		g_free(text);
	} else {
		stats_text(root, out);
	}
	json_node_unref(root);
	return TRUE;
}

static gboolean cmd_reload(nm_core *core, GString *out, GError **err)
{
	if (!nm_core_reload(core, err))
		return FALSE;
	g_string_append_printf(out, "reloaded %s: %u plugins\n",
			       core->config->file, core->plugins->len);
	return TRUE;
}

/* Plugin commands; "flush" goes to every plugin that registered it. */
static gboolean cmd_plugin(nm_core *core, int argc, char **argv, GString *out,
			   GError **err)
{
	gboolean found = FALSE;

	for (guint i = 0; i < core->commands->len; i++) {
		nm_command *c = g_ptr_array_index(core->commands, i);
		if (strcmp(c->cmd, argv[0]) != 0)
			continue;
		found = TRUE;
		if (!c->fn(c->plugin, argc - 1, argv + 1, out, c->user_data, err))
			return FALSE;
	}
	if (found)
		return TRUE;
	if (strcmp(argv[0], "flush") == 0) {
		g_string_append(out, "nothing to flush: no running plugin caches data\n");
		return TRUE;
	}
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
		    "unknown command '%s' (try: help)", argv[0]);
	return FALSE;
}

static gboolean cmd_help(nm_core *core, GString *out)
{
	g_string_append(out,
			"status                 daemon version, pid, config, reloads\n"
			"plugins                loaded plugins and their files\n"
			"stats [--json] [--brief] bus queues, drops, latency, plugin counters,\n"
			"                       timers (--brief: without per-target details)\n"
			"reload                 re-read the config (kept if invalid)\n"
			"flush [IDENTIFIER-GLOB] write cached data now\n");
	for (guint i = 0; i < core->commands->len; i++) {
		nm_command *c = g_ptr_array_index(core->commands, i);
		if (strcmp(c->cmd, "flush") != 0)
			g_string_append_printf(out, "%-22s %s (%s)\n", c->cmd,
					       c->help, c->plugin->name);
	}
	return TRUE;
}

gboolean nm_core_dispatch(int argc, char **argv, GString *out,
			  gpointer user_data, GError **err)
{
	nm_core *core = user_data;

	if (argc < 1) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "empty request (try: help)");
		return FALSE;
	}
	if (strcmp(argv[0], "status") == 0)
		return cmd_status(core, out);
	if (strcmp(argv[0], "plugins") == 0)
		return cmd_plugins(core, out);
	if (strcmp(argv[0], "stats") == 0)
		return cmd_stats(core, argc, argv, out);
	if (strcmp(argv[0], "reload") == 0)
		return cmd_reload(core, out, err);
	if (strcmp(argv[0], "help") == 0)
		return cmd_help(core, out);
	return cmd_plugin(core, argc, argv, out, err);
}
