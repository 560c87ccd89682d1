/* netmon — the core's lifecycle: load, start, reload, stop.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "fdwatch.h"
#include "notify.h"

nm_core *nm_core_new(nm_core_config *config)
{
	nm_core *core = g_new0(nm_core, 1);

	core->config = config;
	core->plugins = g_ptr_array_new();
	core->commands = g_ptr_array_new();
	core->self = nm_loader_new_internal(core, "netmon");
	return core;
}

nm_plugin *nm_core_find_plugin(nm_core *core, const char *name)
{
	for (guint i = 0; i < core->plugins->len; i++) {
		nm_plugin *p = g_ptr_array_index(core->plugins, i);
		if (strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

/* Append one problem line to @lines. */
static void add_problem(GString *lines, const char *text)
{
	if (lines->len > 0)
		g_string_append_c(lines, '\n');
	g_string_append(lines, text);
}

/* Open and check the plugins of @config into @out (nm_plugin*). */
static gboolean load_plugins(nm_core *core, nm_core_config *config,
			     GPtrArray *out, GError **err)
{
	GString *problems = g_string_new(NULL);

	for (guint i = 0; i < config->plugin_groups->len; i++) {
		config_setting_t *group = g_ptr_array_index(config->plugin_groups, i);
		const char *name = config_setting_name(group);
		GError *e = NULL;
		nm_plugin *p = nm_loader_open(core, name, config->plugin_dirs, &e);

		if (p == NULL) {
			char *where = nm_conf_where(group);
			char *line = g_strdup_printf("%s: %s", where, e->message);
			add_problem(problems, line);
			g_free(line);
			g_free(where);
			g_error_free(e);
			continue;
		}
		if (!nm_loader_check_config(p, group, &e)) {
			add_problem(problems, e->message);
			g_error_free(e);
		}
		g_ptr_array_add(out, p);
	}
	if (problems->len > 0) {
		g_set_error_literal(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
				    problems->str);
		g_string_free(problems, TRUE);
		return FALSE;
	}
	g_string_free(problems, TRUE);
	return TRUE;
}

gboolean nm_core_load(nm_core *core, GError **err)
{
	return load_plugins(core, core->config, core->plugins, err);
}

static nm_run_status self_tick(nm_plugin *p, nm_timer *t, gint64 due,
			       gpointer data)
{
	(void)p;
	(void)t;
	(void)due;
	nm_selfstats_publish(data);
	nm_log_flush_repeats(FALSE);
	return NM_RUN_DONE;
}

/* Start @plugins in order; on a failure stop the ones started. */
static gboolean start_plugins(GPtrArray *plugins, GError **err)
{
	for (guint i = 0; i < plugins->len; i++) {
		nm_plugin *p = g_ptr_array_index(plugins, i);
		config_setting_t *group = NULL;

		/* conf was the group found at load time */
		group = config_lookup(&p->core->config->cfg, p->name);
		if (!nm_loader_start(p, group, err)) {
			for (guint j = i; j-- > 0;)
				nm_loader_stop(g_ptr_array_index(plugins, j));
			return FALSE;
		}
		nm_log(NM_LOG_INFO, "core", "plugin %s %s started (%s)", p->name,
		       p->info->version != NULL ? p->info->version : "",
		       p->path);
	}
	return TRUE;
}

gboolean nm_core_start(nm_core *core, gboolean with_ctl, GError **err)
{
	core->started = g_get_real_time();
	core->started_mono = g_get_monotonic_time();
	core->bus = nm_bus_new();
	core->pool = g_thread_pool_new(nm_pool_run, NULL,
				       (gint)core->config->workers, FALSE, err);
	if (core->pool == NULL)
		return FALSE;
	if (g_mkdir_with_parents(core->config->state_dir, 0750) != 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			    "cannot create state_dir %s: %s",
			    core->config->state_dir, g_strerror(e));
		return FALSE;
	}
	if (!start_plugins(core->plugins, err))
		return FALSE;
	core->self_timer = nm_plugin_add_timer(core->self, "selfstats",
					       core->config->interval,
					       NM_TIMER_DEFAULT, self_tick,
					       core, NULL);
	if (with_ctl) {
		core->ctl = nm_ctl_server_new(core->config->control_socket,
					      nm_core_dispatch, core, err);
		if (core->ctl == NULL) {
			nm_core_stop(core);
			return FALSE;
		}
	}
	return TRUE;
}

static void stop_plugins(GPtrArray *plugins)
{
	for (guint i = plugins->len; i-- > 0;)
		nm_loader_stop(g_ptr_array_index(plugins, i));
}

static void close_plugins(GPtrArray *plugins)
{
	for (guint i = plugins->len; i-- > 0;)
		nm_loader_close(g_ptr_array_index(plugins, i));
	g_ptr_array_set_size(plugins, 0);
}

gboolean nm_core_reload(nm_core *core, GError **err)
{
	nm_core_config *fresh;
	GPtrArray *plugins;
	nm_core_config *old = core->config;
	GError *e = NULL;

	core->reloads++;
	(void)nm_notify_reloading();
	fresh = nm_core_config_load(old->file, &e);
	if (fresh == NULL)
		goto refused;
	/* Settings that need a restart keep their running values. */
	if (g_strcmp0(fresh->control_socket, old->control_socket) != 0 ||
	    g_strcmp0(fresh->state_dir, old->state_dir) != 0 ||
	    g_strcmp0(fresh->pid_file, old->pid_file) != 0 ||
	    g_strcmp0(fresh->user, old->user) != 0 ||
	    g_strcmp0(fresh->group, old->group) != 0 ||
	    fresh->workers != old->workers)
		nm_log(NM_LOG_WARNING, "core",
		       "reload: changes to netmond.control_socket, state_dir, "
		       "pid_file, user, group and workers take effect at the "
		       "next restart");
	plugins = g_ptr_array_new();
	if (!load_plugins(core, fresh, plugins, &e)) {
		close_plugins(plugins);
		g_ptr_array_free(plugins, TRUE);
		nm_core_config_free(fresh);
		goto refused;
	}
	/* The new config is valid: swap. Subscriptions are detached, not
	 * removed, so messages keep queueing for consumers that return. */
	stop_plugins(core->plugins);
	nm_timer_remove(core->self_timer);
	/* Settings bound at start-up keep their running values. */
	g_free(fresh->control_socket);
	fresh->control_socket = g_strdup(old->control_socket);
	g_free(fresh->state_dir);
	fresh->state_dir = g_strdup(old->state_dir);
	g_free(fresh->pid_file);
	fresh->pid_file = g_strdup(old->pid_file);
	fresh->workers = old->workers;
	core->config = fresh;
	nm_log_set_level(fresh->log_level);
	/* Re-open the log file (after logrotate moved it away). */
	if (fresh->log_file != NULL &&
	    !nm_log_setup(NM_LOG_TO_FILE, fresh->log_file, fresh->log_level, &e)) {
		nm_log(NM_LOG_ERROR, "core", "reload: %s; logging stays as it was",
		       e->message);
		g_clear_error(&e);
	}
	if (!start_plugins(plugins, &e)) {
		/* Roll back to the old configuration. */
		close_plugins(plugins);
		g_ptr_array_free(plugins, TRUE);
		core->config = old;
		nm_core_config_free(fresh);
		nm_log_set_level(old->log_level);
		if (!start_plugins(core->plugins, NULL))
			nm_log(NM_LOG_ERROR, "core",
			       "reload: the old configuration failed to restart too");
		core->self_timer = nm_plugin_add_timer(core->self, "selfstats",
						       core->config->interval,
						       NM_TIMER_DEFAULT, self_tick,
						       core, NULL);
		goto refused;
	}
	close_plugins(core->plugins);
	g_ptr_array_free(core->plugins, TRUE);
	core->plugins = plugins;
	nm_core_config_free(old);
	core->self_timer = nm_plugin_add_timer(core->self, "selfstats",
					       core->config->interval,
					       NM_TIMER_DEFAULT, self_tick, core,
					       NULL);
	{
		guint gone = nm_bus_remove_detached(core->bus);
		if (gone > 0)
			nm_log(NM_LOG_NOTICE, "core",
			       "reload: removed %u subscriptions of plugins no "
			       "longer configured", gone);
	}
	g_clear_pointer(&core->last_reload_error, g_free);
	nm_log(NM_LOG_NOTICE, "core", "reloaded %s: %u plugins",
	       core->config->file, core->plugins->len);
	(void)nm_notify("READY=1\nSTATUS=running (reloaded)");
	return TRUE;

refused:
	core->reload_failures++;
	g_free(core->last_reload_error);
	core->last_reload_error = g_strdup(e->message);
	nm_log(NM_LOG_ERROR, "core",
	       "reload refused, still running the previous configuration:\n%s",
	       e->message);
	(void)nm_notify("READY=1\nSTATUS=running (reload refused)");
	g_propagate_error(err, e);
	return FALSE;
}

void nm_core_stop(nm_core *core)
{
	gint64 deadline;

	if (core->stopping)
		return;
	/* 1. inputs: no more timers, watches or pool jobs. */
	for (guint i = 0; i < core->plugins->len; i++)
		nm_loader_stop_inputs(g_ptr_array_index(core->plugins, i));
	nm_loader_stop_inputs(core->self);
	core->stopping = TRUE;
	/* 2. drain what is queued, bounded by the deadline. */
	if (core->bus != NULL) {
		deadline = g_get_monotonic_time() + core->config->shutdown_timeout;
		if (!nm_bus_drain(core->bus, deadline))
			nm_log(NM_LOG_WARNING, "core",
			       "shutdown: subscribers not drained after %.1f s; "
			       "the rest of their queues is dropped",
			       core->config->shutdown_timeout / 1e6);
		nm_bus_close(core->bus);
	}
	/* 3. plugins' shutdown, consumers last to first. */
	stop_plugins(core->plugins);
	g_clear_pointer(&core->ctl, nm_ctl_server_free);
}

void nm_core_free(nm_core *core)
{
	if (core == NULL)
		return;
	nm_core_stop(core);
	close_plugins(core->plugins);
	g_ptr_array_free(core->plugins, TRUE);
	nm_loader_close(core->self);
	nm_fdwatch_free(core->fdwatch);
	if (core->pool != NULL)
		g_thread_pool_free(core->pool, FALSE, TRUE);
	if (core->bus != NULL)
		nm_bus_free(core->bus);
	for (guint i = 0; i < core->commands->len; i++) {
		nm_command *c = g_ptr_array_index(core->commands, i);
		g_free(c->cmd);
		g_free(c->help);
		g_free(c);
	}
	g_ptr_array_free(core->commands, TRUE);
	nm_core_config_free(core->config);
	g_free(core->last_reload_error);
	g_free(core);
}
