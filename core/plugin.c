/* netmon — what a plugin asks of the core through its handle.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "fdwatch.h"

const char *nm_plugin_name(const nm_plugin *p)
{
	return p->name;
}

gpointer nm_plugin_get_data(const nm_plugin *p)
{
	return p->data;
}

void nm_plugin_set_data(nm_plugin *p, gpointer data)
{
	p->data = data;
}

gint64 nm_plugin_default_interval(const nm_plugin *p)
{
	return p->core->config->interval;
}

const char *nm_plugin_state_dir(const nm_plugin *p)
{
	return p->core->config->state_dir;
}

const char *nm_plugin_hostname(const nm_plugin *p)
{
	return p->core->config->hostname;
}

void nm_plugin_log(const nm_plugin *p, nm_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!nm_log_enabled(level))
		return;
	va_start(ap, fmt);
	nm_logv(level, p->name, fmt, ap);
	va_end(ap);
}

/* ---- bus ---- */

guint nm_plugin_publish(nm_plugin *p, nm_msg *msg)
{
	if (msg == NULL)
		return 0;
	nm_counter_add(p->published, 1);
	return nm_bus_publish(p->core->bus, msg);
}

guint nm_plugin_publish_batch(nm_plugin *p, nm_msg *const *msgs, guint n)
{
	nm_counter_add(p->published, n);
	return nm_bus_publish_batch(p->core->bus, msgs, n);
}

gboolean nm_plugin_subscribe(nm_plugin *p, const char *name, guint32 type_mask,
			     const nm_sub_options *opts, nm_bus_deliver_fn fn,
			     gpointer user_data, GError **err)
{
	char *full = g_strdup_printf("%s:%s", p->name, name);
	nm_subscription *sub;

	sub = nm_bus_subscribe(p->core->bus, full, type_mask, opts, fn,
			       user_data, err);
	g_free(full);
	if (sub == NULL)
		return FALSE;
	g_ptr_array_add(p->subs, sub);
	return TRUE;
}

/* ---- fd watches ---- */

/* All watches of the core share one epoll set and one GSource (fdwatch.c):
 * a main loop wake-up costs the ready fds, not every watched one. The set
 * is made on first use and freed by nm_core_free(). */
static nm_fdwatch *core_watches(nm_core *core)
{
	GError *err = NULL;

	if (core->fdwatch == NULL) {
		core->fdwatch = nm_fdwatch_new(NULL, &err);
		if (core->fdwatch == NULL) {
			nm_log(NM_LOG_ERROR, "core", "%s", err->message);
			g_error_free(err);
		}
	}
	return core->fdwatch;
}

/* A plugin's fd watch: the plugin keeps its id until the watch ends, whether
 * the plugin removes it or its callback returns G_SOURCE_REMOVE. */
typedef struct {
	nm_plugin *plugin;
	GUnixFDSourceFunc fn;
	gpointer user_data;
	guint id;
} fd_watch;

static gboolean watch_dispatch(gint fd, GIOCondition cond, gpointer data)
{
	fd_watch *w = data;

	return w->fn(fd, cond, w->user_data);
}

/* Destroy notify of the watch: forget the id, however the watch ended. */
static void watch_ended(gpointer data)
{
	fd_watch *w = data;

	g_hash_table_remove(w->plugin->watches, GUINT_TO_POINTER(w->id));
	g_free(w);
}

guint nm_plugin_add_watch(nm_plugin *p, int fd, GIOCondition condition,
			  GUnixFDSourceFunc fn, gpointer user_data)
{
	nm_fdwatch *set = core_watches(p->core);
	fd_watch *w;

	if (set == NULL)
		return 0;
	w = g_new0(fd_watch, 1);
	w->plugin = p;
	w->fn = fn;
	w->user_data = user_data;
	w->id = nm_fdwatch_add(set, fd, condition, watch_dispatch, w, watch_ended);
	if (w->id == 0) {
		nm_log(NM_LOG_ERROR, p->name, "cannot watch fd %d", fd);
		g_free(w);
		return 0;
	}
	g_hash_table_add(p->watches, GUINT_TO_POINTER(w->id));
	return w->id;
}

void nm_plugin_remove_watch(nm_plugin *p, guint id)
{
	if (g_hash_table_contains(p->watches, GUINT_TO_POINTER(id)))
		nm_fdwatch_remove(p->core->fdwatch, id); /* watch_ended forgets it */
}

/* ---- worker pool ---- */

typedef struct {
	nm_plugin *plugin;
	GFunc fn;
	gpointer user_data;
} pool_job;

void nm_pool_run(gpointer data, gpointer unused)
{
	pool_job *job = data;
	nm_plugin *p = job->plugin;

	(void)unused;
	job->fn(job->user_data, NULL);
	g_free(job);
	g_mutex_lock(&p->lock);
	p->jobs_active--;
	g_cond_broadcast(&p->jobs_cond);
	g_mutex_unlock(&p->lock);
}

gboolean nm_plugin_run_in_pool(nm_plugin *p, GFunc fn, gpointer user_data)
{
	pool_job *job;
	GError *err = NULL;

	if (p->core->stopping || p->core->pool == NULL)
		return FALSE;
	job = g_new(pool_job, 1);
	job->plugin = p;
	job->fn = fn;
	job->user_data = user_data;
	g_mutex_lock(&p->lock);
	p->jobs_active++;
	g_mutex_unlock(&p->lock);
	if (!g_thread_pool_push(p->core->pool, job, &err)) {
		nm_log(NM_LOG_ERROR, p->name, "cannot start a worker: %s",
		       err->message);
		g_error_free(err);
		g_free(job);
		g_mutex_lock(&p->lock);
		p->jobs_active--;
		g_cond_broadcast(&p->jobs_cond);
		g_mutex_unlock(&p->lock);
		return FALSE;
	}
	return TRUE;
}

/* ---- counters ---- */

nm_counter *nm_plugin_counter(nm_plugin *p, const char *name)
{
	nm_counter *c;

	g_mutex_lock(&p->lock);
	c = g_hash_table_lookup(p->counters, name);
	if (c == NULL) {
		c = g_new0(nm_counter, 1);
		g_hash_table_insert(p->counters, g_strdup(name), c);
	}
	g_mutex_unlock(&p->lock);
	return c;
}

void nm_counter_add(nm_counter *c, guint64 n)
{
	__atomic_add_fetch(&c->value, n, __ATOMIC_RELAXED);
}

guint64 nm_counter_get(const nm_counter *c)
{
	return __atomic_load_n(&c->value, __ATOMIC_RELAXED);
}

void nm_plugin_set_stats(nm_plugin *p, nm_stats_fn fn, gpointer user_data)
{
	p->stats_fn = fn;
	p->stats_data = user_data;
}

/* ---- control commands ---- */

gboolean nm_plugin_call_command(nm_plugin *p, int argc, char **argv,
				GString *out, GError **err)
{
	GString *sink = out != NULL ? out : g_string_new(NULL);
	gboolean ok;

	if (argc < 1 || strcmp(argv[0], "reload") == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "plugin %s: command not allowed from a plugin", p->name);
		ok = FALSE;
	} else {
		ok = nm_core_dispatch(argc, argv, sink, p->core, err);
	}
	if (out == NULL)
		g_string_free(sink, TRUE);
	return ok;
}

static const char *const builtin_commands[] = {
	"status", "plugins", "stats", "reload", "help", NULL
};

gboolean nm_plugin_add_command(nm_plugin *p, const char *cmd, const char *help,
			       nm_ctl_fn fn, gpointer user_data, GError **err)
{
	nm_core *core = p->core;
	nm_command *c;

	if (g_strv_contains(builtin_commands, cmd)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "command '%s' is built into netmond", cmd);
		return FALSE;
	}
	for (guint i = 0; i < core->commands->len; i++) {
		nm_command *o = g_ptr_array_index(core->commands, i);
		if (strcmp(o->cmd, cmd) == 0 && strcmp(cmd, "flush") != 0) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
				    "command '%s' is already served by plugin %s",
				    cmd, o->plugin->name);
			return FALSE;
		}
	}
	c = g_new0(nm_command, 1);
	c->cmd = g_strdup(cmd);
	c->help = g_strdup(help != NULL ? help : "");
	c->plugin = p;
	c->fn = fn;
	c->user_data = user_data;
	g_ptr_array_add(core->commands, c);
	return TRUE;
}

/* ---- sharding ---- */

gboolean nm_shard_parse(const char *text, guint *index, guint *count)
{
	guint64 i, n;
	char *end;

	if (text == NULL || !g_ascii_isdigit(*text))
		return FALSE;
	i = g_ascii_strtoull(text, &end, 10);
	if (*end != '/' || !g_ascii_isdigit(end[1]))
		return FALSE;
	n = g_ascii_strtoull(end + 1, &end, 10);
	if (*end != '\0' || n < 1 || n > 1024 || i >= n)
		return FALSE;
	*index = (guint)i;
	*count = (guint)n;
	return TRUE;
}

/* 64-bit FNV-1a of @s followed by the shard number, then a final mix. */
static guint64 shard_weight(const char *s, guint shard)
{
	guint64 h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (guint8)*s) * 1099511628211ULL;
	for (int b = 0; b < 4; b++)
		h = (h ^ ((shard >> (8 * b)) & 0xff)) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

gboolean nm_plugin_owns_target(const nm_plugin *p, const char *target)
{
	const nm_core_config *c = p->core->config;
	guint best = 0;
	guint64 best_w = 0;

	if (c->shard_count <= 1)
		return TRUE;
	for (guint i = 0; i < c->shard_count; i++) {
		guint64 w = shard_weight(target, i);
		if (i == 0 || w > best_w) {
			best_w = w;
			best = i;
		}
	}
	return best == c->shard_index;
}
