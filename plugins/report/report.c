/* netmon report plugin — intranet pages: RRD graphs per device, overview,
 * availability, interfaces, recent events and top talkers.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 *     report = {
 *       rrd_directory = "/var/lib/netmon/rrd";   # the rrd plugin's directory
 *       output_directory = "/var/www/netmon";    # the site (served as is)
 *       interval = 60;          # s between runs
 *       refresh = 60;           # meta refresh of the pages, s (0: none)
 *       title = "netmon";
 *       graph_definitions = "/usr/share/netmon/report/graphs.conf";
 *       image_format = "png";   # or "svg"
 *       width = 500; height = 160;
 *       flush = true;           # ask the rrd plugin to write its cache first
 *       inventory_directory = "/var/lib/netmon/inventory";
 *     };
 *
 * Threads: a main-loop timer runs every `interval`: it flushes the rrd
 * plugin's cache (`flush`), asks for recent events and top talkers
 * (`events --json --limit 20`, `flows top --json`; a command that is
 * unknown or fails leaves its section out) and hands a job to the worker
 * pool that draws the graphs and writes the pages (site.c). A run still
 * going when the next is due makes that turn be skipped and counted.
 * STATE messages (service "ping" or "snmp") are recorded on the
 * subscription's worker into the availability history in
 * <state_dir>/report/availability.log.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include <rrd.h>

#include <netmon/plugin.h>

#include "avail.h"
#include "graphdef.h"
#include "site.h"

typedef struct {
	nm_plugin *p;
	rp_site *site;
	rp_avail *avail;
	gboolean flush;
	GMutex lock;
	GCond idle;
	gboolean busy;          /* a generation job is queued or running */
	nm_counter *c_runs, *c_skipped_runs, *c_states, *c_errors;
} report_ctx;

typedef struct {
	report_ctx *c;
	char *events_json, *flows_json;
} gen_job;

static const char *const formats[] = { "png", "svg", NULL };

static const nm_conf_key keys[] = {
	{ .name = "rrd_directory", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "folder of the RRD files (the rrd plugin's directory)" },
	{ .name = "output_directory", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "folder the site is written to" },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 86400, .help = "seconds between runs" },
	{ .name = "refresh", .kind = NM_CONF_INT, .has_range = TRUE, .min = 0,
	  .max = 86400, .help = "meta refresh of the pages, s; 0 for none" },
	{ .name = "title", .kind = NM_CONF_STRING, .help = "site title" },
	{ .name = "graph_definitions", .kind = NM_CONF_STRING,
	  .help = "graph definitions file" },
	{ .name = "image_format", .kind = NM_CONF_STRING, .choices = formats },
	{ .name = "width", .kind = NM_CONF_INT, .has_range = TRUE, .min = 100,
	  .max = 4000 },
	{ .name = "height", .kind = NM_CONF_INT, .has_range = TRUE, .min = 50,
	  .max = 2000 },
	{ .name = "flush", .kind = NM_CONF_BOOL,
	  .help = "flush the rrd plugin's cache before drawing" },
	{ .name = "inventory_directory", .kind = NM_CONF_STRING,
	  .help = "folder of <host>.json inventory files" },
	{ .name = NULL }
};

/* Relative paths in the config are taken from the config file's folder. */
static char *conf_path(const config_setting_t *conf, const char *name,
		       const char *def)
{
	const char *v = nm_conf_string(conf, name, def);
	const char *file;
	char *dir, *p;

	if (v == NULL)
		return NULL;
	if (g_path_is_absolute(v) ||
	    (file = config_setting_source_file(conf)) == NULL)
		return g_strdup(v);
	dir = g_path_get_dirname(file);
	p = g_build_filename(dir, v, NULL);
	g_free(dir);
	return p;
}

static char *defs_path(const config_setting_t *conf)
{
	char *p = conf_path(conf, "graph_definitions", NULL);

	return p != NULL ? p : g_build_filename(NM_DATA_DIR, "report",
						"graphs.conf", NULL);
}

/* `netmond -t` loads the graph definitions too, so their errors show. */
static gboolean report_validate(const config_setting_t *conf, GError **err)
{
	char *path = defs_path(conf);
	rp_graphdefs *defs = rp_graphdefs_load(path, err);
	gboolean ok = defs != NULL;

	rp_graphdefs_free(defs);
	g_free(path);
	if (!ok) {
		GError *e = *err;
		*err = NULL;
		nm_conf_error(conf, err, "report.graph_definitions: %s",
			      e->message);
		g_error_free(e);
	}
	return ok;
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	report_ctx *c = data;

	for (guint i = 0; i < n; i++) {
		const nm_state *s = nm_msg_as_state(msgs[i]);
		GError *err = NULL;
		if (s == NULL || (strcmp(s->service, "ping") != 0 &&
				  strcmp(s->service, "snmp") != 0))
			continue;
		/* A SOFT problem is being re-checked: not down yet. */
		if (s->code != NM_STATE_OK && s->state_type == NM_STATE_SOFT)
			continue;
		nm_counter_add(c->c_states, 1);
		if (!rp_avail_record(c->avail, s->host, s->service, (int)s->code,
				     s->base.time, &err)) {
			nm_counter_add(c->c_errors, 1);
			NM_WARNING(c->p, "%s", err->message);
			g_error_free(err);
		}
	}
}

static void gen_run(gpointer data, gpointer unused)
{
	gen_job *j = data;
	report_ctx *c = j->c;
	rp_extras extras = { j->events_json, j->flows_json };
	GError *err = NULL;

	(void)unused;
	if (!rp_site_generate(c->site, g_get_real_time() / G_USEC_PER_SEC,
			      &extras, &err)) {
		nm_counter_add(c->c_errors, 1);
		NM_ERROR(c->p, "%s", err->message);
		g_error_free(err);
	}
	nm_counter_add(c->c_runs, 1);
	g_free(j->events_json);
	g_free(j->flows_json);
	g_free(j);
	g_mutex_lock(&c->lock);
	c->busy = FALSE;
	g_cond_broadcast(&c->idle);
	g_mutex_unlock(&c->lock);
}

/* Run another plugin's control command; its reply, or NULL if it is not
 * there or failed. */
static char *call(report_ctx *c, int argc, const char *const *argv)
{
	GString *out = g_string_new(NULL);
	GError *err = NULL;

	if (!nm_plugin_call_command(c->p, argc, (char **)argv, out, &err)) {
		NM_DEBUG(c->p, "%s: %s", argv[0], err->message);
		g_error_free(err);
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 scheduled,
			  gpointer data)
{
	report_ctx *c = data;
	static const char *const flush[] = { "flush" };
	static const char *const events[] = { "events", "--json", "--limit",
					      "20" };
	static const char *const flows[] = { "flows", "top", "--json" };
	gen_job *j;

	(void)t;
	(void)scheduled;
	g_mutex_lock(&c->lock);
	if (c->busy) {
		g_mutex_unlock(&c->lock);
		nm_counter_add(c->c_skipped_runs, 1);
		return NM_RUN_DONE;
	}
	c->busy = TRUE;
	g_mutex_unlock(&c->lock);
	if (c->flush)
		g_free(call(c, 1, flush));
	j = g_new0(gen_job, 1);
	j->c = c;
	j->events_json = call(c, 4, events);
	j->flows_json = call(c, 3, flows);
	if (!nm_plugin_run_in_pool(p, gen_run, j)) {
		g_free(j->events_json);
		g_free(j->flows_json);
		g_free(j);
		g_mutex_lock(&c->lock);
		c->busy = FALSE;
		g_cond_broadcast(&c->idle);
		g_mutex_unlock(&c->lock);
	}
	return NM_RUN_DONE;
}

static JsonNode *stats_fn(nm_plugin *p, gpointer data)
{
	report_ctx *c = data;
	rp_site *s = c->site;
	JsonBuilder *b = json_builder_new();
	JsonNode *node;

	(void)p;
	g_mutex_lock(&s->lock);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "runs");
	json_builder_add_int_value(b, (gint64)s->runs);
	json_builder_set_member_name(b, "graphs_drawn");
	json_builder_add_int_value(b, (gint64)s->drawn);
	json_builder_set_member_name(b, "graphs_unchanged");
	json_builder_add_int_value(b, (gint64)s->skipped);
	json_builder_set_member_name(b, "errors");
	json_builder_add_int_value(b, (gint64)s->errors);
	json_builder_set_member_name(b, "pages_written");
	json_builder_add_int_value(b, (gint64)s->pages);
	json_builder_set_member_name(b, "last_run_ms");
	json_builder_add_double_value(b, (double)s->last_duration_us / 1000.0);
	json_builder_set_member_name(b, "last_error");
	if (s->last_error != NULL)
		json_builder_add_string_value(b, s->last_error);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "output_directory");
	json_builder_add_string_value(b, s->out_dir);
	json_builder_end_object(b);
	g_mutex_unlock(&s->lock);
	node = json_builder_get_root(b);
	g_object_unref(b);
	return node;
}

static void ctx_free(report_ctx *c)
{
	rp_site_free(c->site);
	rp_avail_close(c->avail, g_get_real_time());
	g_mutex_clear(&c->lock);
	g_cond_clear(&c->idle);
	g_free(c);
}

/* librrd draws with cairo and pango, which start threads (font map
 * loading) that outlive a graph call. Unloading librrd with the plugin would
 * pull their code away under them (a crash at exit or reload): keep it. */
static void keep_librrd_loaded(nm_plugin *p)
{
	Dl_info info;

	if (dladdr((void *)rrd_graph_v, &info) == 0 || info.dli_fname == NULL ||
	    dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) ==
		    NULL)
		NM_WARNING(p, "cannot keep librrd loaded: %s", dlerror());
}

static gboolean report_init(nm_plugin *p, const config_setting_t *conf,
			    GError **err)
{
	report_ctx *c = g_new0(report_ctx, 1);
	char *defs_file = defs_path(conf);
	char *rrd_dir = conf_path(conf, "rrd_directory", NULL);
	char *out_dir = conf_path(conf, "output_directory", NULL);
	char *inv = conf_path(conf, "inventory_directory", NULL);
	char *state = g_build_filename(nm_plugin_state_dir(p), "report", NULL);
	char *hist = g_build_filename(state, "availability.log", NULL);
	gint64 interval = nm_conf_duration(conf, "interval", 60 * G_USEC_PER_SEC);
	rp_graphdefs *defs;
	gboolean ok = FALSE;

	keep_librrd_loaded(p);
	g_mutex_init(&c->lock);
	g_cond_init(&c->idle);
	c->p = p;
	c->flush = nm_conf_bool(conf, "flush", TRUE);
	if (inv == NULL)
		inv = g_build_filename(nm_plugin_state_dir(p), "inventory", NULL);
	if ((defs = rp_graphdefs_load(defs_file, err)) == NULL)
		goto out;
	if (g_mkdir_with_parents(state, 0750) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "cannot create %s: %s", state, g_strerror(errno));
		rp_graphdefs_free(defs);
		goto out;
	}
	if ((c->avail = rp_avail_open(hist, g_get_real_time(), err)) == NULL) {
		rp_graphdefs_free(defs);
		goto out;
	}
	c->site = rp_site_new(rrd_dir, out_dir, inv,
			      nm_conf_string(conf, "title", "netmon"),
			      nm_conf_string(conf, "image_format", "png"),
			      (int)nm_conf_int(conf, "refresh",
					       interval / G_USEC_PER_SEC),
			      (int)nm_conf_int(conf, "width", 500),
			      (int)nm_conf_int(conf, "height", 160), defs,
			      c->avail);
	c->c_runs = nm_plugin_counter(p, "runs");
	c->c_skipped_runs = nm_plugin_counter(p, "runs_skipped");
	c->c_states = nm_plugin_counter(p, "states");
	c->c_errors = nm_plugin_counter(p, "errors");
	nm_plugin_set_data(p, c);
	{
		nm_sub_options opts = { 0 };
		opts.policy = NM_OVERFLOW_DROP_OLDEST;
		opts.high_water = 10000;
		opts.max_batch = 256;
		if (!nm_plugin_subscribe(p, "states", NM_MSG_MASK(NM_MSG_STATE),
					 &opts, deliver, c, err))
			goto out;
	}
	nm_plugin_set_stats(p, stats_fn, c);
	if (nm_plugin_add_timer(p, "generate", interval, NM_TIMER_NOW, tick, c,
				NULL) == NULL) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "cannot add the timer");
		goto out;
	}
	NM_INFO(p, "writing %s from %s every %.0f s", out_dir, rrd_dir,
		(double)interval / G_USEC_PER_SEC);
	ok = TRUE;
out:
	if (!ok) {
		nm_plugin_set_data(p, NULL);
		ctx_free(c);
	}
	g_free(defs_file);
	g_free(rrd_dir);
	g_free(out_dir);
	g_free(inv);
	g_free(state);
	g_free(hist);
	return ok;
}

static void report_shutdown(nm_plugin *p)
{
	report_ctx *c = nm_plugin_get_data(p);

	if (c == NULL)
		return;
	/* A generation job may still run on the pool: it stops at its next
	 * graph (a full run under load can take tens of seconds, and SIGTERM
	 * must not wait for it), and we wait for that. */
	rp_site_cancel(c->site);
	g_mutex_lock(&c->lock);
	while (c->busy)
		g_cond_wait(&c->idle, &c->lock);
	g_mutex_unlock(&c->lock);
	nm_plugin_set_stats(p, NULL, NULL);
	ctx_free(c);
}

NM_PLUGIN_DEFINE(.name = "report", .version = PACKAGE_VERSION,
		 .description = "HTML pages with RRD graphs, availability and "
				"interfaces",
		 .config_keys = keys, .validate = report_validate,
		 .init = report_init, .shutdown = report_shutdown);
