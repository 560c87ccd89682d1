/* sshconf — back up device configurations over SSH, keep their history in
 * git, publish changes (CONFIG) and drift from a golden baseline (STATE).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Threads: timers and control commands run on the main loop; each fetch
 * runs on the plugin's own bounded pool (setting `pool`, the most SSH
 * sessions open at once), so slow devices never hold the core's workers.
 * A fetch is bounded by its device's `timeout` (hard deadline), and a
 * finished fetch reports back to the main loop with an idle callback that
 * ends the timer's run (NM_RUN_PENDING), so fetches of one device never
 * overlap. See plugins/sshconf/README.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <netmon/plugin.h>

#include "fetch.h"
#include "store.h"
#include "text.h"

#define SERVICE_BACKUP "config-backup"
#define SERVICE_DRIFT "config-drift"

typedef struct sshconf sshconf;

typedef struct {
	sshconf *sc;
	char *name, *address, *profile_name, *baseline;
	char *username, *password, *key_file, *passphrase, *enable_secret;
	guint port;
	gboolean tofu;
	gint64 interval, connect_timeout, auth_timeout, command_timeout, timeout;
	sshconf_profile *profile;
	nm_timer *timer;
	gboolean running;          /* main thread only */
	/* Status, under sc->lock. */
	gint64 last_time, last_duration;
	char *last_error, *hash;
	const char *last_result;   /* "ok", "changed", "error", "never" */
	guint64 fetches, failures, commits;
	int drift;                 /* -1 no baseline, 0 same, 1 differs */
} device;

struct sshconf {
	nm_plugin *p;
	GThreadPool *pool;
	/* Finished jobs whose idle callback has not run yet (job * → itself):
	 * shutdown removes those sources, so no callback into this module runs
	 * after shutdown (the module may be unloaded). */
	GHashTable *pending;
	GMutex pending_lock;
	sshconf_store *store;
	GPtrArray *devices;        /* device * */
	char *known_hosts;
	GMutex known_hosts_lock;
	GMutex lock;
	gint cancel;
	gint active, peak;
	nm_counter *c_fetches, *c_errors, *c_commits, *c_unchanged, *c_drift,
		*c_hostkey, *c_auth, *c_timeout;
};

typedef struct {
	sshconf *sc;
	device *dev;
	nm_timer *timer;   /* NULL for `config fetch` */
	guint idle;        /* source id of job_done, under pending_lock */
} job;

/* ---------------------------------------------------------------- config */

static const nm_conf_key device_keys[] = {
	{ .name = "name", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "device name: file name in the repository, STATE host" },
	{ .name = "address", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "address or DNS name" },
	{ .name = "port", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1,
	  .max = 65535, .help = "SSH port (22)" },
	{ .name = "profile", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "device profile name (PROFILE.profile in profile_dir)" },
	{ .name = "username", .kind = NM_CONF_STRING },
	{ .name = "password", .kind = NM_CONF_STRING },
	{ .name = "key_file", .kind = NM_CONF_STRING },
	{ .name = "passphrase", .kind = NM_CONF_STRING },
	{ .name = "enable_secret", .kind = NM_CONF_STRING },
	{ .name = "trust_on_first_use", .kind = NM_CONF_BOOL },
	{ .name = "commands", .kind = NM_CONF_ARRAY, .has_range = TRUE,
	  .min = 1, .max = 100,
	  .help = "commands run instead of the profile's" },
	{ .name = "baseline", .kind = NM_CONF_STRING,
	  .help = "golden configuration file; drift is a WARNING" },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 604800 },
	{ .name = "connect_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 600 },
	{ .name = "auth_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 600 },
	{ .name = "command_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 3600 },
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 7200, .help = "hard deadline of one fetch" },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "devices", .kind = NM_CONF_LIST, .required = TRUE,
	  .children = device_keys, .help = "the devices to back up" },
	{ .name = "pool", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1,
	  .max = 1024, .help = "most fetches (SSH sessions) at once (10)" },
	{ .name = "repository", .kind = NM_CONF_STRING,
	  .help = "git repository (default <state_dir>/sshconf/configs.git)" },
	{ .name = "known_hosts", .kind = NM_CONF_STRING,
	  .help = "known_hosts file (default <state_dir>/sshconf/known_hosts)" },
	{ .name = "profile_dir", .kind = NM_CONF_ARRAY,
	  .help = "folders searched for profiles before the shipped ones" },
	{ .name = "username", .kind = NM_CONF_STRING },
	{ .name = "password", .kind = NM_CONF_STRING },
	{ .name = "key_file", .kind = NM_CONF_STRING },
	{ .name = "passphrase", .kind = NM_CONF_STRING },
	{ .name = "enable_secret", .kind = NM_CONF_STRING },
	{ .name = "trust_on_first_use", .kind = NM_CONF_BOOL },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 604800 },
	{ .name = "connect_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 600 },
	{ .name = "auth_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 600 },
	{ .name = "command_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 3600 },
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 7200 },
	{ .name = NULL }
};

/* @path made absolute against the folder of the file that set it. */
static char *conf_path(const config_setting_t *s, const char *path)
{
	const char *file;
	char *dir, *out;

	if (path == NULL)
		return NULL;
	if (g_path_is_absolute(path))
		return g_strdup(path);
	file = config_setting_source_file(s);
	dir = g_path_get_dirname(file != NULL ? file : ".");
	out = g_build_filename(dir, path, NULL);
	g_free(dir);
	return out;
}

/* Profile folders: profile_dir entries, then the admin's and the shipped
 * ones. NULL-terminated (g_strfreev()). */
static char **profile_dirs(const config_setting_t *conf)
{
	GPtrArray *d = g_ptr_array_new();
	const config_setting_t *a = config_setting_get_member(conf, "profile_dir");

	for (int i = 0; a != NULL && i < config_setting_length(a); i++) {
		const char *v = config_setting_get_string_elem(a, i);
		if (v != NULL)
			g_ptr_array_add(d, conf_path(a, v));
	}
	g_ptr_array_add(d, g_strdup(NM_SYSCONF_DIR "/profiles"));
	g_ptr_array_add(d, g_strdup(NM_DATA_DIR "/profiles"));
	g_ptr_array_add(d, NULL);
	return (char **)g_ptr_array_free(d, FALSE);
}

/* Device setting @name, else the plugin-wide one, else @def; "" on the
 * device or plugin-wide means "none" (NULL), so a device can opt out of an
 * inherited key or password. */
static const char *inherit(const config_setting_t *dev,
			   const config_setting_t *conf, const char *name,
			   const char *def)
{
	const char *v = nm_conf_string(dev, name, NULL);

	if (v == NULL)
		v = nm_conf_string(conf, name, def);
	return v != NULL && *v == '\0' ? NULL : v;
}

static const config_setting_t *inherit_setting(const config_setting_t *dev,
					       const config_setting_t *conf,
					       const char *name)
{
	const config_setting_t *s = config_setting_get_member(dev, name);
	return s != NULL ? s : config_setting_get_member(conf, name);
}

static gboolean sshconf_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *l = config_setting_get_member(conf, "devices");
	const config_setting_t *a = config_setting_get_member(conf, "profile_dir");
	char **dirs;
	GHashTable *seen;
	gboolean ok = TRUE;

	for (int i = 0; a != NULL && i < config_setting_length(a); i++)
		if (config_setting_get_string_elem(a, i) == NULL)
			return nm_conf_error(config_setting_get_elem(a, (unsigned)i),
					     err, "expected a string");
	dirs = profile_dirs(conf);
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (int i = 0; ok && l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *d = config_setting_get_elem(l, (unsigned)i);
		const char *name = nm_conf_string(d, "name", "");
		const char *prof = nm_conf_string(d, "profile", "");
		GError *e = NULL;
		sshconf_profile *sp;

		if (!sshconf_name_ok(name)) {
			ok = nm_conf_error(config_setting_get_member(d, "name"), err,
					   "'%s' is not a valid device name "
					   "([A-Za-z0-9_.-], not starting with '.')",
					   name);
			break;
		}
		if (g_hash_table_contains(seen, name)) {
			ok = nm_conf_error(config_setting_get_member(d, "name"), err,
					   "device '%s' is listed twice", name);
			break;
		}
		g_hash_table_add(seen, (gpointer)name);
		{
			const config_setting_t *cs =
				config_setting_get_member(d, "commands");
			for (int c = 0; cs != NULL && c < config_setting_length(cs); c++)
				if (config_setting_get_string_elem(cs, c) == NULL) {
					ok = nm_conf_error(cs, err, "expected "
							   "strings (commands)");
					break;
				}
			if (!ok)
				break;
		}
		sp = sshconf_profile_find((const char *const *)dirs, prof, &e);
		if (sp == NULL) {
			ok = nm_conf_error(config_setting_get_member(d, "profile"),
					   err, "%s", e->message);
			g_error_free(e);
			break;
		}
		sshconf_profile_free(sp);
		if (inherit(d, conf, "password", NULL) == NULL &&
		    inherit(d, conf, "key_file", NULL) == NULL) {
			ok = nm_conf_error(d, err, "device '%s' has neither a "
					   "password nor a key_file (here or "
					   "in sshconf)", name);
			break;
		}
		if (inherit(d, conf, "username", NULL) == NULL) {
			ok = nm_conf_error(d, err, "device '%s' has no username "
					   "(here or in sshconf)", name);
			break;
		}
	}
	g_hash_table_unref(seen);
	g_strfreev(dirs);
	return ok;
}

/* ---------------------------------------------------------------- devices */

static void wipe_free(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		g_free(s);
	}
}

static void device_free(gpointer data)
{
	device *d = data;

	g_free(d->name);
	g_free(d->address);
	g_free(d->profile_name);
	g_free(d->baseline);
	g_free(d->username);
	wipe_free(d->password);
	g_free(d->key_file);
	wipe_free(d->passphrase);
	wipe_free(d->enable_secret);
	sshconf_profile_free(d->profile);
	g_free(d->last_error);
	g_free(d->hash);
	g_free(d);
}

/* ---------------------------------------------------------------- fetch */

static void publish_state(sshconf *sc, const char *host, const char *service,
			  nm_state_code code, const char *output,
			  const char *long_output)
{
	nm_state st = {
		.host = host, .service = service, .code = code,
		.state_type = NM_STATE_HARD, .attempt = 1, .max_attempts = 1,
		.output = output, .long_output = long_output, .perfdata = "",
	};
	nm_plugin_publish(sc->p, nm_state_new(&st, g_get_real_time()));
}

static void set_status(device *d, const char *result, const char *error,
		       const char *hash, gint64 started, gboolean committed)
{
	sshconf *sc = d->sc;

	g_mutex_lock(&sc->lock);
	d->fetches++;
	d->last_time = g_get_real_time();
	d->last_duration = g_get_monotonic_time() - started;
	d->last_result = result;
	g_free(d->last_error);
	d->last_error = g_strdup(error);
	if (error != NULL)
		d->failures++;
	if (hash != NULL) {
		g_free(d->hash);
		d->hash = g_strdup(hash);
	}
	if (committed)
		d->commits++;
	g_mutex_unlock(&sc->lock);
}

static void fail(device *d, GError *e, gint64 started)
{
	sshconf *sc = d->sc;

	nm_counter_add(sc->c_errors, 1);
	if (g_error_matches(e, SSHCONF_ERROR, SSHCONF_ERROR_HOSTKEY_CHANGED) ||
	    g_error_matches(e, SSHCONF_ERROR, SSHCONF_ERROR_HOSTKEY_UNKNOWN))
		nm_counter_add(sc->c_hostkey, 1);
	else if (g_error_matches(e, SSHCONF_ERROR, SSHCONF_ERROR_AUTH))
		nm_counter_add(sc->c_auth, 1);
	else if (g_error_matches(e, SSHCONF_ERROR, SSHCONF_ERROR_TIMEOUT))
		nm_counter_add(sc->c_timeout, 1);
	NM_WARNING(sc->p, "%s", e->message);
	publish_state(sc, d->name, SERVICE_BACKUP, NM_STATE_CRITICAL,
		      e->message, "");
	set_status(d, "error", e->message, NULL, started, FALSE);
}

static void check_drift(device *d, const char *text)
{
	sshconf *sc = d->sc;
	char *data = NULL, *norm, *base, *diff, *out;
	gsize len = 0;
	guint n = 0;
	GError *e = NULL;

	if (d->baseline == NULL)
		return;
	if (!g_file_get_contents(d->baseline, &data, &len, &e)) {
		char *msg = g_strdup_printf("%s: cannot read baseline: %s",
					    d->name, e->message);
		publish_state(sc, d->name, SERVICE_DRIFT, NM_STATE_UNKNOWN, msg, "");
		NM_WARNING(sc->p, "%s", msg);
		g_free(msg);
		g_error_free(e);
		return;
	}
	norm = sshconf_normalize(data, len);
	base = sshconf_filter(d->profile, norm, NULL, NULL);
	diff = sshconf_diff(base, text, d->name, &n, &e);
	if (diff == NULL) {
		NM_WARNING(sc->p, "%s: drift diff: %s", d->name, e->message);
		g_error_free(e);
	} else if (*diff != '\0') {
		out = g_strdup_printf("%s: configuration differs from baseline %s "
				      "(%u lines)", d->name, d->baseline, n);
		publish_state(sc, d->name, SERVICE_DRIFT, NM_STATE_WARNING, out, diff);
		nm_counter_add(sc->c_drift, 1);
		g_free(out);
	} else {
		out = g_strdup_printf("%s: configuration matches baseline %s",
				      d->name, d->baseline);
		publish_state(sc, d->name, SERVICE_DRIFT, NM_STATE_OK, out, "");
		g_free(out);
	}
	g_mutex_lock(&sc->lock);
	d->drift = diff == NULL ? d->drift : (*diff != '\0');
	g_mutex_unlock(&sc->lock);
	g_free(diff);
	g_free(base);
	g_free(norm);
	g_free(data);
}

/* Filter, store, publish. Takes @raw. */
static void process(device *d, char *raw, gint64 started)
{
	sshconf *sc = d->sc;
	GError *e = NULL;
	guint dropped = 0, masked = 0, nchanged = 0;
	char *text = sshconf_filter(d->profile, raw, &dropped, &masked);
	char *old = NULL, *hash = NULL, *old_hash = NULL, *diff = NULL;
	char *msg = NULL, *when = NULL, *commit = NULL, *ok_out = NULL;
	gboolean committed = FALSE;
	GDateTime *now = g_date_time_new_now_utc();
	gint64 t = g_get_real_time();

	g_free(raw);
	if (*text == '\0') {
		e = g_error_new(SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
				"%s: empty configuration; stored version kept",
				d->name);
		fail(d, e, started);
		goto out;
	}
	old = sshconf_store_read(sc->store, d->name, 0, &e);
	if (e != NULL) {
		fail(d, e, started);
		goto out;
	}
	hash = sshconf_hash(text);
	when = g_date_time_format_iso8601(now);
	msg = g_strdup_printf("%s: configuration %s at %s\n", d->name,
			      old == NULL ? "first stored" : "changed", when);
	if (!sshconf_store_commit(sc->store, d->name, text, msg,
				  nm_plugin_hostname(sc->p), t, &committed,
				  &commit, &e)) {
		fail(d, e, started);
		goto out;
	}
	if (committed) {
		diff = sshconf_diff(old, text, d->name, &nchanged, &e);
		if (diff == NULL) {     /* stored anyway; publish without diff */
			NM_WARNING(sc->p, "%s: diff: %s", d->name, e->message);
			g_clear_error(&e);
		}
		old_hash = old != NULL ? sshconf_hash(old) : g_strdup("");
		nm_plugin_publish(sc->p, nm_config_change_new(
			d->name, t, hash, old_hash, text, diff != NULL ? diff : ""));
		nm_counter_add(sc->c_commits, 1);
		NM_NOTICE(sc->p, "%s: configuration %s (%u lines changed, "
			  "commit %.12s)", d->name,
			  old == NULL ? "stored" : "changed", nchanged, commit);
	} else {
		nm_counter_add(sc->c_unchanged, 1);
		NM_DEBUG(sc->p, "%s: unchanged (%u lines dropped, %u secrets "
			 "masked)", d->name, dropped, masked);
	}
	{
		guint lines = 0;
		for (const char *c = text; *c; c++)
			lines += *c == '\n';
		ok_out = g_strdup_printf("%s: configuration %s (%u lines, "
					 "sha256 %.12s)", d->name,
					 committed ? "changed" : "unchanged",
					 lines, hash);
	}
	publish_state(sc, d->name, SERVICE_BACKUP, NM_STATE_OK, ok_out, "");
	set_status(d, committed ? "changed" : "ok", NULL, hash, started,
		   committed);
	check_drift(d, text);
out:
	g_clear_error(&e);
	g_free(ok_out);
	g_free(commit);
	g_free(msg);
	g_free(when);
	g_free(diff);
	g_free(old_hash);
	g_free(hash);
	g_free(old);
	g_free(text);
	g_date_time_unref(now);
}

static gboolean job_done(gpointer data)
{
	job *j = data;
	sshconf *sc = j->sc;

	g_mutex_lock(&sc->pending_lock);
	g_hash_table_remove(sc->pending, j);
	g_mutex_unlock(&sc->pending_lock);
	j->dev->running = FALSE;
	if (j->timer != NULL)
		nm_timer_done(j->timer);
	g_free(j);
	return G_SOURCE_REMOVE;
}

static void job_run(gpointer data, gpointer user_data)
{
	job *j = data;
	sshconf *sc = user_data;
	device *d = j->dev;
	gint64 started = g_get_monotonic_time();
	sshconf_target t = {
		.device = d->name, .host = d->address, .port = d->port,
		.username = d->username, .password = d->password,
		.key_file = d->key_file, .passphrase = d->passphrase,
		.enable_secret = d->enable_secret,
		.known_hosts = sc->known_hosts, .tofu = d->tofu,
		.connect_timeout = d->connect_timeout,
		.auth_timeout = d->auth_timeout,
		.command_timeout = d->command_timeout,
		.deadline = started + d->timeout,
		.profile = d->profile, .cancel = &sc->cancel,
		.known_hosts_lock = &sc->known_hosts_lock,
	};
	sshconf_fetch_info info = { 0 };
	GError *e = NULL;
	char *raw;
	gint active, peak;

	if (g_atomic_int_get(&sc->cancel))
		goto out;
	nm_counter_add(sc->c_fetches, 1);
	active = g_atomic_int_add(&sc->active, 1) + 1;
	do {
		peak = g_atomic_int_get(&sc->peak);
	} while (active > peak &&
		 !g_atomic_int_compare_and_exchange(&sc->peak, peak, active));
	raw = sshconf_fetch(&t, &info, &e);
	g_atomic_int_add(&sc->active, -1);
	if (info.trusted_new_key)
		NM_NOTICE(sc->p, "%s: host key %s trusted on first use, added to %s",
			  d->name, info.fingerprint, sc->known_hosts);
	sshconf_fetch_info_clear(&info);
	if (raw == NULL) {
		fail(d, e, started);
		g_error_free(e);
	} else {
		process(d, raw, started);
	}
out:
	/* Hand back to the main loop (nm_timer_done is main-thread only). */
	g_mutex_lock(&sc->pending_lock);
	j->idle = g_idle_add(job_done, j);
	g_hash_table_add(sc->pending, j);
	g_mutex_unlock(&sc->pending_lock);
}

/* Queue a fetch of @d (main thread). FALSE when one is running. */
static gboolean start_fetch(sshconf *sc, device *d, nm_timer *timer)
{
	job *j;
	GError *e = NULL;

	if (d->running)
		return FALSE;
	j = g_new0(job, 1);
	j->sc = sc;
	j->dev = d;
	j->timer = timer;
	d->running = TRUE;
	if (!g_thread_pool_push(sc->pool, j, &e)) {
		NM_ERROR(sc->p, "%s: cannot queue fetch: %s", d->name, e->message);
		g_error_free(e);
		d->running = FALSE;
		g_free(j);
		return FALSE;
	}
	return TRUE;
}

static nm_run_status on_timer(nm_plugin *p, nm_timer *t, gint64 due,
			      gpointer data)
{
	device *d = data;

	(void)p;
	(void)due;
	return start_fetch(d->sc, d, t) ? NM_RUN_PENDING : NM_RUN_DONE;
}

/* ---------------------------------------------------------------- control */

static device *find_device(sshconf *sc, const char *name)
{
	for (guint i = 0; i < sc->devices->len; i++) {
		device *d = g_ptr_array_index(sc->devices, i);
		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static gboolean parse_rev(const char *s, guint *out, GError **err)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(s, 10, 0, 100000, &v, NULL)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "'%s' is not a revision number (0 = latest)", s);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

static char *read_rev(sshconf *sc, device *d, guint rev, GError **err)
{
	char *t = sshconf_store_read(sc->store, d->name, rev, err);

	if (t == NULL && (err == NULL || *err == NULL))
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "%s: no stored revision %u", d->name, rev);
	return t;
}

static void status_line(sshconf *sc, device *d, GString *out)
{
	g_mutex_lock(&sc->lock);
	g_string_append_printf(out, "%s %s %s fetches %" G_GUINT64_FORMAT
			       " failures %" G_GUINT64_FORMAT " commits %"
			       G_GUINT64_FORMAT "%s%s%s\n", d->name,
			       d->running ? "running" : d->last_result,
			       d->hash != NULL ? d->hash : "-", d->fetches,
			       d->failures, d->commits,
			       d->drift == 1 ? " drift" : "",
			       d->last_error ? " error: " : "",
			       d->last_error ? d->last_error : "");
	g_mutex_unlock(&sc->lock);
}

static gboolean on_command(nm_plugin *p, int argc, char **argv, GString *out,
			   gpointer user_data, GError **err)
{
	sshconf *sc = user_data;
	device *d = NULL;
	const char *usage = "usage: config show DEVICE [--rev N] | config diff "
		"DEVICE [REV1 [REV2]] | config fetch DEVICE | config status";

	(void)p;
	if (argc < 1) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", usage);
		return FALSE;
	}
	if (strcmp(argv[0], "status") == 0) {
		for (guint i = 0; i < sc->devices->len; i++)
			status_line(sc, g_ptr_array_index(sc->devices, i), out);
		return TRUE;
	}
	if (argc < 2) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", usage);
		return FALSE;
	}
	d = find_device(sc, argv[1]);
	if (d == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no device '%s'", argv[1]);
		return FALSE;
	}
	if (strcmp(argv[0], "fetch") == 0) {
		if (!start_fetch(sc, d, NULL)) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_BUSY,
				    "%s: a fetch is already running", d->name);
			return FALSE;
		}
		g_string_append_printf(out, "%s: fetch started\n", d->name);
		return TRUE;
	}
	if (strcmp(argv[0], "show") == 0) {
		guint rev = 0;
		char *t;
		if (argc == 4 && strcmp(argv[2], "--rev") == 0) {
			if (!parse_rev(argv[3], &rev, err))
				return FALSE;
		} else if (argc != 2) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "%s", usage);
			return FALSE;
		}
		t = read_rev(sc, d, rev, err);
		if (t == NULL)
			return FALSE;
		g_string_append(out, t);
		g_free(t);
		return TRUE;
	}
	if (strcmp(argv[0], "diff") == 0 && argc <= 4) {
		guint r1 = 1, r2 = 0;
		char *a, *b, *diff;
		if ((argc >= 3 && !parse_rev(argv[2], &r1, err)) ||
		    (argc == 4 && !parse_rev(argv[3], &r2, err)))
			return FALSE;
		a = read_rev(sc, d, r1, err);
		if (a == NULL)
			return FALSE;
		b = read_rev(sc, d, r2, err);
		if (b == NULL) {
			g_free(a);
			return FALSE;
		}
		diff = sshconf_diff(a, b, d->name, NULL, err);
		g_free(a);
		g_free(b);
		if (diff == NULL)
			return FALSE;
		g_string_append(out, diff);
		g_free(diff);
		return TRUE;
	}
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", usage);
	return FALSE;
}

static JsonNode *on_stats(nm_plugin *p, gpointer user_data)
{
	sshconf *sc = user_data;
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	(void)p;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sessions_open");
	json_builder_add_int_value(b, g_atomic_int_get(&sc->active));
	json_builder_set_member_name(b, "sessions_peak");
	json_builder_add_int_value(b, g_atomic_int_get(&sc->peak));
	json_builder_set_member_name(b, "pool");
	json_builder_add_int_value(b, g_thread_pool_get_max_threads(sc->pool));
	json_builder_set_member_name(b, "queued");
	json_builder_add_int_value(b, g_thread_pool_unprocessed(sc->pool));
	json_builder_set_member_name(b, "devices");
	json_builder_begin_object(b);
	g_mutex_lock(&sc->lock);
	for (guint i = 0; i < sc->devices->len; i++) {
		device *d = g_ptr_array_index(sc->devices, i);
		json_builder_set_member_name(b, d->name);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "status");
		json_builder_add_string_value(b, d->running ? "running" : d->last_result);
		json_builder_set_member_name(b, "profile");
		json_builder_add_string_value(b, d->profile_name);
		json_builder_set_member_name(b, "fetches");
		json_builder_add_int_value(b, (gint64)d->fetches);
		json_builder_set_member_name(b, "failures");
		json_builder_add_int_value(b, (gint64)d->failures);
		json_builder_set_member_name(b, "commits");
		json_builder_add_int_value(b, (gint64)d->commits);
		json_builder_set_member_name(b, "last_fetch");
		json_builder_add_int_value(b, d->last_time / G_USEC_PER_SEC);
		json_builder_set_member_name(b, "last_duration_ms");
		json_builder_add_int_value(b, d->last_duration / 1000);
		json_builder_set_member_name(b, "hash");
		json_builder_add_string_value(b, d->hash != NULL ? d->hash : "");
		json_builder_set_member_name(b, "drift");
		if (d->drift < 0)
			json_builder_add_null_value(b);
		else
			json_builder_add_boolean_value(b, d->drift == 1);
		json_builder_set_member_name(b, "error");
		json_builder_add_string_value(b, d->last_error ? d->last_error : "");
		json_builder_end_object(b);
	}
	g_mutex_unlock(&sc->lock);
	json_builder_end_object(b);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

/* ---------------------------------------------------------------- init */

static char *dup_secret(const char *s)
{
	return s != NULL ? g_strdup(s) : NULL;
}

static device *device_new(sshconf *sc, const config_setting_t *conf,
			  const config_setting_t *ds, const char *const *dirs,
			  gint64 def_interval, GError **err)
{
	device *d = g_new0(device, 1);
	const config_setting_t *ks;

	d->sc = sc;
	d->name = g_strdup(nm_conf_string(ds, "name", ""));
	d->address = g_strdup(nm_conf_string(ds, "address", ""));
	d->port = (guint)nm_conf_int(ds, "port", 22);
	d->profile_name = g_strdup(nm_conf_string(ds, "profile", ""));
	d->username = g_strdup(inherit(ds, conf, "username", NULL));
	d->password = dup_secret(inherit(ds, conf, "password", NULL));
	d->passphrase = dup_secret(inherit(ds, conf, "passphrase", NULL));
	d->enable_secret = dup_secret(inherit(ds, conf, "enable_secret", NULL));
	ks = inherit_setting(ds, conf, "key_file");
	d->key_file = ks != NULL && inherit(ds, conf, "key_file", NULL) != NULL
		? conf_path(ks, config_setting_get_string(ks)) : NULL;
	ks = config_setting_get_member(ds, "baseline");
	d->baseline = ks != NULL ? conf_path(ks, config_setting_get_string(ks)) : NULL;
	d->drift = -1;
	d->last_result = "never";
	d->tofu = nm_conf_bool(ds, "trust_on_first_use",
			       nm_conf_bool(conf, "trust_on_first_use", FALSE));
#define DUR(k, def) nm_conf_duration(ds, k, nm_conf_duration(conf, k, def))
	d->interval = DUR("interval", def_interval);
	d->connect_timeout = DUR("connect_timeout", 10 * G_USEC_PER_SEC);
	d->auth_timeout = DUR("auth_timeout", 10 * G_USEC_PER_SEC);
	d->command_timeout = DUR("command_timeout", 60 * G_USEC_PER_SEC);
	d->timeout = DUR("timeout", 180 * G_USEC_PER_SEC);
#undef DUR
	d->profile = sshconf_profile_find(dirs, d->profile_name, err);
	if (d->profile == NULL) {
		device_free(d);
		return NULL;
	}
	ks = config_setting_get_member(ds, "commands");
	if (ks != NULL) {
		g_ptr_array_set_size(d->profile->commands, 0);
		for (int i = 0; i < config_setting_length(ks); i++) {
			const char *c = config_setting_get_string_elem(ks, i);
			if (c != NULL)
				g_ptr_array_add(d->profile->commands, g_strdup(c));
		}
	}
	return d;
}

static void sshconf_shutdown(nm_plugin *p);

static gboolean sshconf_init(nm_plugin *p, const config_setting_t *conf,
			     GError **err)
{
	sshconf *sc = g_new0(sshconf, 1);
	const config_setting_t *l = config_setting_get_member(conf, "devices");
	const char *state = nm_plugin_state_dir(p);
	char **dirs = profile_dirs(conf);
	char *repo, *dir;
	const config_setting_t *s;
	gint64 def_interval = nm_conf_duration(conf, "interval",
					       nm_plugin_default_interval(p));

	sc->p = p;
	sc->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_mutex_init(&sc->pending_lock);
	g_mutex_init(&sc->lock);
	g_mutex_init(&sc->known_hosts_lock);
	sc->devices = g_ptr_array_new_with_free_func(device_free);
	nm_plugin_set_data(p, sc);
	sc->c_fetches = nm_plugin_counter(p, "fetches");
	sc->c_errors = nm_plugin_counter(p, "fetch_errors");
	sc->c_commits = nm_plugin_counter(p, "commits");
	sc->c_unchanged = nm_plugin_counter(p, "unchanged");
	sc->c_drift = nm_plugin_counter(p, "drift");
	sc->c_hostkey = nm_plugin_counter(p, "hostkey_errors");
	sc->c_auth = nm_plugin_counter(p, "auth_errors");
	sc->c_timeout = nm_plugin_counter(p, "timeouts");

	dir = g_build_filename(state, "sshconf", NULL);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "sshconf: cannot create %s: %s", dir, g_strerror(errno));
		g_free(dir);
		goto fail;
	}
	s = config_setting_get_member(conf, "known_hosts");
	sc->known_hosts = s != NULL ? conf_path(s, config_setting_get_string(s))
				    : g_build_filename(dir, "known_hosts", NULL);
	s = config_setting_get_member(conf, "repository");
	repo = s != NULL ? conf_path(s, config_setting_get_string(s))
			 : g_build_filename(dir, "configs.git", NULL);
	g_free(dir);
	sc->store = sshconf_store_open(repo, err);
	g_free(repo);
	if (sc->store == NULL)
		goto fail;
	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		device *d = device_new(sc, conf, config_setting_get_elem(l, (unsigned)i),
				       (const char *const *)dirs, def_interval, err);
		if (d == NULL)
			goto fail;
		/* netmond.shard: another poller fetches this one. */
		if (!nm_plugin_owns_target(p, d->name)) {
			device_free(d);
			continue;
		}
		g_ptr_array_add(sc->devices, d);
	}
	sc->pool = g_thread_pool_new(job_run, sc, (gint)nm_conf_int(conf, "pool", 10),
				     FALSE, err);
	if (sc->pool == NULL)
		goto fail;
	if (!nm_plugin_add_command(p, "config", "config show DEVICE [--rev N] | "
				   "diff DEVICE [REV1 [REV2]] | fetch DEVICE | "
				   "status: stored device configurations",
				   on_command, sc, err))
		goto fail;
	nm_plugin_set_stats(p, on_stats, sc);
	for (guint i = 0; i < sc->devices->len; i++) {
		device *d = g_ptr_array_index(sc->devices, i);
		char *name = g_strdup_printf("fetch:%s", d->name);
		d->timer = nm_plugin_add_timer(p, name, d->interval, NM_TIMER_NOW,
					       on_timer, d, NULL);
		g_free(name);
	}
	g_strfreev(dirs);
	NM_INFO(p, "%u devices, pool %d, repository ready", sc->devices->len,
		g_thread_pool_get_max_threads(sc->pool));
	return TRUE;
fail:
	g_strfreev(dirs);
	sshconf_shutdown(p);
	return FALSE;
}

static void sshconf_shutdown(nm_plugin *p)
{
	sshconf *sc = nm_plugin_get_data(p);

	if (sc == NULL)
		return;
	/* Running fetches stop at their next read; queued ones return at
	 * once. Then no worker is left, and the idle callbacks not yet run
	 * are removed (main thread, like them). */
	g_atomic_int_set(&sc->cancel, 1);
	if (sc->pool != NULL)
		g_thread_pool_free(sc->pool, FALSE, TRUE);
	{
		GHashTableIter it;
		gpointer key;
		g_mutex_lock(&sc->pending_lock);
		g_hash_table_iter_init(&it, sc->pending);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			job *j = key;
			g_source_remove(j->idle);
			g_free(j);
		}
		g_hash_table_remove_all(sc->pending);
		g_mutex_unlock(&sc->pending_lock);
	}
	g_hash_table_unref(sc->pending);
	g_mutex_clear(&sc->pending_lock);
	sshconf_store_free(sc->store);
	g_ptr_array_unref(sc->devices);
	g_free(sc->known_hosts);
	g_mutex_clear(&sc->lock);
	g_mutex_clear(&sc->known_hosts_lock);
	g_free(sc);
	nm_plugin_set_data(p, NULL);
}

NM_PLUGIN_DEFINE(.name = "sshconf", .version = PACKAGE_VERSION,
		 .description = "backs up device configurations over SSH into "
				"git; CONFIG on change, STATE on drift",
		 .config_keys = keys, .validate = sshconf_validate,
		 .init = sshconf_init, .shutdown = sshconf_shutdown);
