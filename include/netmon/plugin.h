/* netmon — the plugin SDK.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * A plugin is a shared object (a libtool module) that exports exactly one
 * symbol, `nm_plugin_descriptor`, declared with NM_PLUGIN_DEFINE():
 *
 *     #include <netmon/plugin.h>
 *     static gboolean hello_init(nm_plugin *p, const config_setting_t *conf,
 *                                GError **err) { ...; return TRUE; }
 *     static void hello_shutdown(nm_plugin *p) { ... }
 *     NM_PLUGIN_DEFINE(.name = "hello", .version = "1.0",
 *                      .description = "says hello",
 *                      .init = hello_init, .shutdown = hello_shutdown);
 *
 * The core loads a plugin when a top-level group of its name appears in the
 * config file, checks the group against .config_keys (if given) and then
 * .validate (if given), and calls .init on the main thread. Everything the
 * plugin asks of the core goes through its nm_plugin handle; timers, fd
 * watches and subscriptions made through the handle are removed by the core
 * after .shutdown returns, so a plugin only frees its own memory.
 *
 * Threads: .init, .shutdown, timer callbacks (unless NM_TIMER_IN_POOL),
 * fd-watch callbacks and control commands run on the core's main loop
 * thread; bus deliveries run on the subscription's worker thread; pool jobs
 * on a worker-pool thread. Never block the main loop: use fd watches for
 * network I/O and nm_plugin_run_in_pool() for blocking work.
 *
 * Build out of tree with `pkg-config --cflags netmon-plugin` and link as a
 * module (`-shared -fPIC`); undefined nm_* symbols resolve against netmond.
 */
#ifndef NETMON_PLUGIN_H
#define NETMON_PLUGIN_H

#include <glib.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libconfig.h>
#include <netmon/msg.h>
#include <netmon/bus.h>
#include <netmon/conf.h>
#include <netmon/log.h>

G_BEGIN_DECLS

/** ABI version of this header. A plugin built against another version is
 *  refused by the loader with a message naming the file and both numbers.
 *  Bumped on any change to the descriptor or to a public struct layout. */
#define NM_PLUGIN_ABI_VERSION 1

/** Name of the symbol the loader looks up. */
#define NM_PLUGIN_SYMBOL "nm_plugin_descriptor"

typedef struct nm_plugin nm_plugin;

/** What a plugin exports (via NM_PLUGIN_DEFINE). */
typedef struct nm_plugin_info {
	guint32 abi_version;       /**< NM_PLUGIN_ABI_VERSION, set by the macro */
	const char *name;          /**< config group name, [a-z0-9_]+ */
	const char *version;
	const char *description;   /**< one line, shown by `netmonctl plugins` */
	/** Keys of the plugin's config group, NULL-terminated; NULL to accept
	 *  any (then .validate should check). */
	const nm_conf_key *config_keys;
	/** Extra checks beyond config_keys (cross-field rules, files exist).
	 *  Runs for `netmond -t` too, so it must not start anything. Optional.
	 *  Return FALSE with @err set via nm_conf_error(). */
	gboolean (*validate)(const config_setting_t *conf, GError **err);
	/** Start: read @conf (valid until shutdown), add timers, watches,
	 *  subscriptions. Return FALSE with @err set to refuse; the daemon then
	 *  does not start (or, on reload, keeps the old configuration). */
	gboolean (*init)(nm_plugin *p, const config_setting_t *conf,
			 GError **err);
	/** Stop: release what init acquired. The core has already stopped the
	 *  plugin's timers and watches and detached its subscriptions (so no
	 *  callback of the plugin runs concurrently). Optional. */
	void (*shutdown)(nm_plugin *p);
} nm_plugin_info;

/** Define the plugin's descriptor. Arguments are designated initialisers
 *  of nm_plugin_info (.name, .init, ...). */
#define NM_PLUGIN_DEFINE(...)                                                \
	G_MODULE_EXPORT const nm_plugin_info nm_plugin_descriptor = {        \
		.abi_version = NM_PLUGIN_ABI_VERSION, __VA_ARGS__ }
#ifndef G_MODULE_EXPORT
#define G_MODULE_EXPORT __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------ */
/* Identity and settings                                               */

/** The plugin's name (its config group). */
const char *nm_plugin_name(const nm_plugin *p);
/** Private data pointer, for the plugin's own state (NULL initially). */
gpointer nm_plugin_get_data(const nm_plugin *p);
/** Set the private data pointer; the core never frees it. */
void nm_plugin_set_data(nm_plugin *p, gpointer data);
/** netmond.interval: the default collection interval, µs. */
gint64 nm_plugin_default_interval(const nm_plugin *p);
/** netmond.state_dir: where the plugin may keep files (exists, writable).
 *  Owned by the core. */
const char *nm_plugin_state_dir(const nm_plugin *p);
/** This machine's host name, as used for netmon's own metrics. */
const char *nm_plugin_hostname(const nm_plugin *p);

/** Whether this poller handles @target (a target's configured name) under
 *  netmond.shard = "I/N": rendezvous (highest-random-weight) hashing of the
 *  name over the N shards, so N pollers sharing one config file each take
 *  about 1/N of the targets, every target exactly one poller, and going
 *  from N to N+1 pollers moves only about 1/(N+1) of them. TRUE for every
 *  target when no shard is set. Pollers (snmp, icmp, sshconf) skip the
 *  targets this returns FALSE for. */
gboolean nm_plugin_owns_target(const nm_plugin *p, const char *target);

/* ------------------------------------------------------------------ */
/* Logging                                                             */

/** Log with the plugin's name as source. */
void nm_plugin_log(const nm_plugin *p, nm_log_level level, const char *fmt,
		   ...) G_GNUC_PRINTF(3, 4);
#define NM_ERROR(p, ...) nm_plugin_log((p), NM_LOG_ERROR, __VA_ARGS__)
#define NM_WARNING(p, ...) nm_plugin_log((p), NM_LOG_WARNING, __VA_ARGS__)
#define NM_NOTICE(p, ...) nm_plugin_log((p), NM_LOG_NOTICE, __VA_ARGS__)
#define NM_INFO(p, ...) nm_plugin_log((p), NM_LOG_INFO, __VA_ARGS__)
#define NM_DEBUG(p, ...) nm_plugin_log((p), NM_LOG_DEBUG, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Bus                                                                 */

/** Publish @msg (takes the caller's reference). See nm_bus_publish().
 *  Counted in the plugin's "published" counter. Thread-safe. */
guint nm_plugin_publish(nm_plugin *p, nm_msg *msg);
/** Publish a batch (takes each reference). See nm_bus_publish_batch(). */
guint nm_plugin_publish_batch(nm_plugin *p, nm_msg *const *msgs, guint n);

/** Subscribe as "<plugin>:<name>" (see nm_bus_subscribe()). A plugin
 *  restarted by a reload that subscribes with the same name gets the
 *  messages queued while it was down. Returns FALSE with @err set. */
gboolean nm_plugin_subscribe(nm_plugin *p, const char *name,
			     guint32 type_mask, const nm_sub_options *opts,
			     nm_bus_deliver_fn fn, gpointer user_data,
			     GError **err);

/* ------------------------------------------------------------------ */
/* Scheduling                                                          */

typedef struct nm_timer nm_timer;

/** What a timer callback returns. */
typedef enum {
	NM_RUN_DONE = 0,   /**< this run is finished */
	NM_RUN_PENDING     /**< work goes on asynchronously; the plugin calls
			        nm_timer_done() when it has finished */
} nm_run_status;

/** A periodic callback. @scheduled is the monotonic time (µs,
 *  g_get_monotonic_time()) the run was due: successive runs differ by whole
 *  intervals, without drift. Stamp messages with g_get_real_time() (µs
 *  since the epoch), not with @scheduled. */
typedef nm_run_status (*nm_timer_fn)(nm_plugin *p, nm_timer *t,
				     gint64 scheduled, gpointer user_data);

/** Flags of nm_plugin_add_timer(). */
typedef enum {
	NM_TIMER_DEFAULT = 0,
	NM_TIMER_IN_POOL = 1 << 0,  /**< run the callback on the worker pool
				         (blocking work); NM_RUN_PENDING is
				         not allowed there */
	NM_TIMER_NOW = 1 << 1       /**< first run at once, not at a jittered
				         offset */
} nm_timer_flags;

/** Run @fn every @interval µs (> 0). The first run comes at an offset in
 *  [0, @interval) derived from @name, so many timers with one interval are
 *  spread evenly instead of firing together; later runs keep that phase
 *  without drift. If a run is still going (callback running in the pool,
 *  or NM_RUN_PENDING not yet done) when the next is due, that turn is
 *  skipped and counted as a missed interval, never queued.
 *  @name labels the timer in stats ("poll:router1"). @destroy (may be NULL)
 *  frees @user_data when the timer is removed.
 *  Returns the timer (owned by the core; remove with nm_timer_remove()). */
nm_timer *nm_plugin_add_timer(nm_plugin *p, const char *name,
			      gint64 interval, nm_timer_flags flags,
			      nm_timer_fn fn, gpointer user_data,
			      GDestroyNotify destroy);

/** Mark an NM_RUN_PENDING run of @t finished; records its duration.
 *  Call on the main loop thread. */
void nm_timer_done(nm_timer *t);

/** Remove a timer (from the main loop thread). A pool run in progress
 *  finishes first; @destroy runs when it has. */
void nm_timer_remove(nm_timer *t);

/** Counters of a timer. */
typedef struct {
	guint64 runs;          /**< runs started */
	guint64 missed;        /**< turns skipped: previous run still going,
				    or the loop was late by whole intervals */
	gint64 last_duration;  /**< µs, of the last finished run */
	gint64 max_duration;   /**< µs */
	gint64 interval;       /**< µs */
	gint64 offset;         /**< phase in the interval, µs */
} nm_timer_stats;
void nm_timer_get_stats(const nm_timer *t, nm_timer_stats *out);

/** Watch @fd for @condition (G_IO_IN, G_IO_OUT, ...) on the main loop,
 *  level-triggered (epoll(7) underneath). Call on the main loop thread.
 *  @fn runs on the main loop and returns G_SOURCE_CONTINUE or
 *  G_SOURCE_REMOVE. The fd is not closed by the core; several watches may
 *  share one fd. Returns a watch id for nm_plugin_remove_watch(), or 0 when
 *  the fd cannot be watched: a file epoll refuses (a regular file or a
 *  directory: EPERM), a closed or invalid fd, or no epoll set could be
 *  made (out of fds). The refusal is logged as "cannot watch fd N" and
 *  nothing is registered. */
guint nm_plugin_add_watch(nm_plugin *p, int fd, GIOCondition condition,
			  GUnixFDSourceFunc fn, gpointer user_data);
/** Remove a watch made by nm_plugin_add_watch(). */
void nm_plugin_remove_watch(nm_plugin *p, guint id);

/** Run @fn(@user_data) on the core's bounded worker pool (netmond.workers
 *  threads). Jobs queue when all workers are busy. Returns FALSE (and does
 *  not run it) when the daemon is shutting down. */
gboolean nm_plugin_run_in_pool(nm_plugin *p, GFunc fn, gpointer user_data);

/* ------------------------------------------------------------------ */
/* Counters and control commands                                       */

/** A monotonically growing counter shown in `netmonctl stats` under the
 *  plugin's name. Created on first use; the same name gives the same
 *  counter. Owned by the core. */
typedef struct nm_counter nm_counter;
nm_counter *nm_plugin_counter(nm_plugin *p, const char *name);
/** Add @n atomically. Thread-safe. */
void nm_counter_add(nm_counter *c, guint64 n);
/** Current value. */
guint64 nm_counter_get(const nm_counter *c);

/** Produces a plugin's detailed statistics for `netmonctl stats --json`:
 *  a new JSON node (normally an object, e.g. per-target figures), which the
 *  core places at plugins.<name>.details and frees. Main thread. */
typedef JsonNode *(*nm_stats_fn)(nm_plugin *p, gpointer user_data);

/** Register (or with @fn NULL, remove) the plugin's details function. */
void nm_plugin_set_stats(nm_plugin *p, nm_stats_fn fn, gpointer user_data);

/** Handler of a control command. @argv: the words after the command name
 *  (@argc of them). Append the reply text to @out (JSON when the client
 *  asked with --json, by convention). Return TRUE for success; FALSE with
 *  @err set makes `netmonctl` print the message and exit 1. Main thread. */
typedef gboolean (*nm_ctl_fn)(nm_plugin *p, int argc, char **argv,
			      GString *out, gpointer user_data, GError **err);

/** Add `netmonctl CMD` served by the plugin (e.g. "events"). @help: one
 *  line for `netmonctl help`. For "flush" several plugins may register: each
 *  is called in turn with the same arguments. Returns FALSE with @err set
 *  if another plugin owns @cmd. */
gboolean nm_plugin_add_command(nm_plugin *p, const char *cmd,
			       const char *help, nm_ctl_fn fn,
			       gpointer user_data, GError **err);

/** Run a control command as `netmonctl` would (built-in or any plugin's),
 *  e.g. { "flush", "router1/snmp" } so the rrd plugin writes its cache
 *  before a graph is drawn. Main thread only; @argv[0] is the command.
 *  The reply text is appended to @out (may be NULL to discard).
 *  Returns FALSE with @err set when the command fails or is unknown. */
gboolean nm_plugin_call_command(nm_plugin *p, int argc, char **argv,
				GString *out, GError **err);

G_END_DECLS

#endif /* NETMON_PLUGIN_H */
