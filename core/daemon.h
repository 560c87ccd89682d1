/* netmon — the daemon's registries: plugins, timers, commands, the bus.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Internal to the core (not installed). One nm_core exists per daemon; all
 * of netmon's mutable state hangs off it.
 */
#ifndef NETMON_DAEMON_H
#define NETMON_DAEMON_H

#include <ltdl.h>

#include "core.h"

G_BEGIN_DECLS

typedef struct nm_core nm_core;

struct nm_counter {
	guint64 value; /* atomic */
};

/* A control command registered by a plugin. */
typedef struct {
	char *cmd;
	char *help;
	nm_plugin *plugin;
	nm_ctl_fn fn;
	gpointer user_data;
} nm_command;

struct nm_plugin {
	nm_core *core;
	char *name;
	char *path;               /* the file that was loaded */
	lt_dlhandle handle;
	const nm_plugin_info *info;
	const config_setting_t *conf;
	gpointer data;
	gboolean running;         /* init succeeded, shutdown not yet called */
	GPtrArray *timers;        /* nm_timer*, owned refs */
	GHashTable *watches;      /* set of live fd-watch GSource ids */
	GPtrArray *subs;          /* nm_subscription*, owned by the bus */
	GHashTable *counters;     /* name -> nm_counter*, owned */
	GMutex lock;              /* counters table, jobs_active */
	GCond jobs_cond;
	guint jobs_active;        /* pool jobs of this plugin in progress */
	nm_counter *published;
	nm_stats_fn stats_fn;     /* details for stats --json, or NULL */
	gpointer stats_data;
};

struct nm_core {
	nm_core_config *config;
	nm_bus *bus;
	GThreadPool *pool;
	GPtrArray *plugins;       /* nm_plugin*, in config order */
	GPtrArray *commands;      /* nm_command* */
	nm_timer *self_timer;     /* publishes netmon's own metrics */
	nm_plugin *self;          /* pseudo-plugin "netmon" owning core timers */
	nm_ctl_server *ctl;
	gint64 started;           /* real time, µs (shown as a date) */
	gint64 started_mono;      /* monotonic time, µs (uptime: a wall-clock
				     step must not make it jump) */
	gboolean stopping;
	GMainLoop *loop;
	struct nm_fdwatch *fdwatch; /* every plugin's fd watches (plugin.c),
				       made on first use */
	guint64 reloads, reload_failures;
	char *last_reload_error;
};

/* ---- loader.c ---- */

/** Find `<dir>/<name>.la` or `<dir>/<name>.so` in @dirs, open it with
 *  libltdl (local symbol scope), look up NM_PLUGIN_SYMBOL and check the ABI
 *  version and the name. Errors name the file (or, for a missing one, every
 *  folder searched). Returns a new, not running plugin bound to @core. */
nm_plugin *nm_loader_open(nm_core *core, const char *name,
			  char *const *dirs, GError **err);
/** Check @conf against the plugin's config_keys and validate callback. */
gboolean nm_loader_check_config(nm_plugin *p, const config_setting_t *conf,
				GError **err);
/** Call the plugin's init with @conf. */
gboolean nm_loader_start(nm_plugin *p, const config_setting_t *conf,
			 GError **err);
/** Stop the plugin's inputs: remove its timers and fd watches and wait for
 *  its pool jobs. Idempotent. */
void nm_loader_stop_inputs(nm_plugin *p);
/** Stop the plugin: stop inputs, detach its subscriptions (queues kept),
 *  remove its commands, call shutdown. Idempotent. */
void nm_loader_stop(nm_plugin *p);
/** Stop if running, close the module, free. */
void nm_loader_close(nm_plugin *p);
/** Make the pseudo-plugin for the core's own timers and counters. */
nm_plugin *nm_loader_new_internal(nm_core *core, const char *name);

/* ---- plugin.c ---- */

/** The worker pool's thread function (jobs made by nm_plugin_run_in_pool():
 *  runs the job, then lowers its plugin's count of active jobs). */
void nm_pool_run(gpointer job, gpointer unused);

/* ---- sched.c ---- */

/** Remove every timer of @p (main thread). */
void nm_sched_remove_all(nm_plugin *p);
/** Name of a timer. */
const char *nm_timer_name(const nm_timer *t);

/* ---- daemon.c ---- */

/** Make the core for @config (taken over). Does not start anything. */
nm_core *nm_core_new(nm_core_config *config);
/** Load and check every plugin named by the config. All problems are
 *  collected in @err, one per line. */
gboolean nm_core_load(nm_core *core, GError **err);
/** Start the bus, pool, plugins (init in config order), self-metrics and
 *  the control socket (unless @with_ctl is FALSE). */
gboolean nm_core_start(nm_core *core, gboolean with_ctl, GError **err);
/** Re-read the config file; on any error keep the running configuration
 *  and return FALSE with @err. Queued messages are kept across. */
gboolean nm_core_reload(nm_core *core, GError **err);
/** Stop inputs, drain subscribers until the deadline, shut down plugins. */
void nm_core_stop(nm_core *core);
void nm_core_free(nm_core *core);
/** Plugins counted by name, for the core's own use. */
nm_plugin *nm_core_find_plugin(nm_core *core, const char *name);

/* ---- commands.c ---- */

/** The control socket's dispatcher (user_data: nm_core*). */
gboolean nm_core_dispatch(int argc, char **argv, GString *out,
			  gpointer user_data, GError **err);
/** Remove every command registered by @p. */
void nm_commands_remove_plugin(nm_core *core, nm_plugin *p);

/* ---- selfstats.c ---- */

/** Publish the core's own METRIC messages (queue depths, drops, latency,
 *  timer durations, missed intervals); called every netmond.interval. */
void nm_selfstats_publish(nm_core *core);

G_END_DECLS

#endif /* NETMON_DAEMON_H */
