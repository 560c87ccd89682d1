/* netmon — loading plugins with libltdl and running their lifecycle.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "daemon.h"

static nm_plugin *plugin_alloc(nm_core *core, const char *name)
{
	nm_plugin *p = g_new0(nm_plugin, 1);

	p->core = core;
	p->name = g_strdup(name);
	p->timers = g_ptr_array_new_with_free_func((GDestroyNotify)g_source_unref);
	p->watches = g_hash_table_new(g_direct_hash, g_direct_equal);
	p->subs = g_ptr_array_new();
	p->counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_mutex_init(&p->lock);
	g_cond_init(&p->jobs_cond);
	p->published = nm_plugin_counter(p, "published");
	return p;
}

nm_plugin *nm_loader_new_internal(nm_core *core, const char *name)
{
	nm_plugin *p = plugin_alloc(core, name);

	p->path = g_strdup("(built in)");
	p->running = TRUE;
	return p;
}

/* Make sure libltdl is initialised exactly once per process. */
static gboolean ltdl_ready(GError **err)
{
	static gsize done = 0;
	static int rc = 0;

	if (g_once_init_enter(&done)) {
		rc = lt_dlinit();
		g_once_init_leave(&done, 1);
	}
	if (rc != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot initialise libltdl: %s", lt_dlerror());
		return FALSE;
	}
	return TRUE;
}

/* The first of <dir>/<name>.la, <dir>/<name>.so that exists, or NULL. */
static char *find_module(const char *name, char *const *dirs)
{
	static const char *const exts[] = { ".la", ".so", NULL };

	for (guint d = 0; dirs != NULL && dirs[d] != NULL; d++) {
		for (guint e = 0; exts[e] != NULL; e++) {
			char *file = g_strconcat(name, exts[e], NULL);
			char *path = g_build_filename(dirs[d], file, NULL);
			g_free(file);
			if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
				return path;
			g_free(path);
		}
	}
	return NULL;
}

static gboolean valid_plugin_name(const char *name)
{
	if (*name == '\0')
		return FALSE;
	for (const char *s = name; *s; s++)
		if (!g_ascii_islower(*s) && !g_ascii_isdigit(*s) && *s != '_')
			return FALSE;
	return TRUE;
}

nm_plugin *nm_loader_open(nm_core *core, const char *name, char *const *dirs,
			  GError **err)
{
	lt_dladvise advise;
	lt_dlhandle handle = NULL;
	const nm_plugin_info *info;
	nm_plugin *p;
	char *path;

	if (!valid_plugin_name(name)) {
		g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_UNKNOWN,
			    "'%s' is not a plugin name (lower-case letters, digits, _)",
			    name);
		return NULL;
	}
	path = find_module(name, dirs);
	if (path == NULL) {
		char *list = g_strjoinv(", ", (char **)dirs);
		g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_UNKNOWN,
			    "unknown plugin '%s': no %s.la or %s.so in %s "
			    "(see netmond.plugin_dir)",
			    name, name, name, *list ? list : "(no folder)");
		g_free(list);
		return NULL;
	}
	if (!ltdl_ready(err)) {
		g_free(path);
		return NULL;
	}
	/* Local scope: every plugin exports the same descriptor name. */
	if (lt_dladvise_init(&advise) == 0) {
		if (lt_dladvise_local(&advise) == 0)
			handle = lt_dlopenadvise(path, advise);
		lt_dladvise_destroy(&advise);
	}
	if (handle == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot load plugin %s: %s", path, lt_dlerror());
		g_free(path);
		return NULL;
	}
	info = lt_dlsym(handle, NM_PLUGIN_SYMBOL);
	if (info == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "%s is not a netmon plugin: it has no symbol %s "
			    "(declare it with NM_PLUGIN_DEFINE)",
			    path, NM_PLUGIN_SYMBOL);
		goto fail;
	}
	if (info->abi_version != NM_PLUGIN_ABI_VERSION) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "%s was built for plugin ABI version %u, this netmond "
			    "has version %u: rebuild the plugin against this "
			    "netmon's headers",
			    path, (unsigned)info->abi_version,
			    (unsigned)NM_PLUGIN_ABI_VERSION);
		goto fail;
	}
	if (info->name == NULL || strcmp(info->name, name) != 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "%s calls itself '%s', expected '%s'", path,
			    info->name != NULL ? info->name : "(null)", name);
		goto fail;
	}
	if (info->init == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "%s: plugin '%s' has no init function", path, name);
		goto fail;
	}
	p = plugin_alloc(core, name);
	p->path = path;
	p->handle = handle;
	p->info = info;
	return p;
fail:
	if (lt_dlclose(handle) != 0)
		nm_log(NM_LOG_WARNING, "core", "cannot unload %s: %s", path,
		       lt_dlerror());
	g_free(path);
	return NULL;
}

gboolean nm_loader_check_config(nm_plugin *p, const config_setting_t *conf,
				GError **err)
{
	if (p->info->config_keys != NULL &&
	    !nm_conf_check(conf, p->info->config_keys, err))
		return FALSE;
	if (p->info->validate != NULL && !p->info->validate(conf, err)) {
		if (err != NULL && *err == NULL)
			nm_conf_error(conf, err, "plugin %s refused its configuration",
				      p->name);
		return FALSE;
	}
	return TRUE;
}

/* Remove what the plugin registered with the core: timers, watches, pool
 * jobs (waited for), subscriptions (detached, queues kept), commands. */
static void release_registrations(nm_plugin *p)
{
	nm_loader_stop_inputs(p);
	for (guint i = 0; i < p->subs->len; i++)
		nm_bus_detach(p->core->bus, g_ptr_array_index(p->subs, i));
	g_ptr_array_set_size(p->subs, 0);
	nm_commands_remove_plugin(p->core, p);
	nm_plugin_set_stats(p, NULL, NULL);
}

gboolean nm_loader_start(nm_plugin *p, const config_setting_t *conf,
			 GError **err)
{
	GError *local = NULL;

	p->conf = conf;
	if (!p->info->init(p, conf, &local)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "plugin %s failed to start: %s", p->name,
			    local != NULL ? local->message : "(no reason given)");
		g_clear_error(&local);
		/* Undo what init registered before it failed; the plugin
		 * frees its own memory before returning FALSE. */
		release_registrations(p);
		return FALSE;
	}
	p->running = TRUE;
	return TRUE;
}

void nm_loader_stop_inputs(nm_plugin *p)
{
	nm_sched_remove_all(p);
	while (g_hash_table_size(p->watches) > 0) {
		GHashTableIter it;
		gpointer id;

		g_hash_table_iter_init(&it, p->watches);
		if (!g_hash_table_iter_next(&it, &id, NULL))
			break;
		nm_plugin_remove_watch(p, GPOINTER_TO_UINT(id)); /* forgets it */
	}
	g_mutex_lock(&p->lock);
	while (p->jobs_active > 0)
		g_cond_wait(&p->jobs_cond, &p->lock);
	g_mutex_unlock(&p->lock);
}

void nm_loader_stop(nm_plugin *p)
{
	if (!p->running)
		return;
	release_registrations(p);
	if (p->info != NULL && p->info->shutdown != NULL)
		p->info->shutdown(p);
	/* Timers or jobs the shutdown callback itself started. */
	nm_loader_stop_inputs(p);
	p->running = FALSE;
}

void nm_loader_close(nm_plugin *p)
{
	if (p == NULL)
		return;
	nm_loader_stop(p);
	if (p->handle != NULL && lt_dlclose(p->handle) != 0)
		nm_log(NM_LOG_WARNING, "core", "cannot unload %s: %s", p->path,
		       lt_dlerror());
	g_ptr_array_free(p->timers, TRUE);
	g_hash_table_destroy(p->watches);
	g_ptr_array_free(p->subs, TRUE);
	g_hash_table_destroy(p->counters);
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->jobs_cond);
	g_free(p->name);
	g_free(p->path);
	g_free(p);
#ifdef __GLIBC__
	/* A reload frees every old instance's memory (and queues may have
	 * grown while consumers were detached): give the free pages back,
	 * so the daemon's RSS after a reload is what it uses. */
	(void)malloc_trim(0);
#endif
}
