/* netmond — the netmon daemon: options, daemonizing, signals, main loop.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "notify.h"
#include "privs.h"

#ifndef NM_SYSCONF_DIR
#define NM_SYSCONF_DIR "/etc/netmon"
#endif

typedef struct {
	char *config_file;
	gboolean foreground;
	gboolean test_only;
	gboolean version;
	char *pid_file;
} options;

static gboolean parse_options(int *argc, char ***argv, options *o)
{
	GOptionEntry entries[] = {
		{ "config", 'C', 0, G_OPTION_ARG_FILENAME, &o->config_file,
		  "configuration file (default " NM_SYSCONF_DIR "/netmond.conf)",
		  "FILE" },
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &o->foreground,
		  "stay in the foreground, logging to stderr (or to "
		  "netmond.log_file when set)", NULL },
		{ "test", 't', 0, G_OPTION_ARG_NONE, &o->test_only,
		  "check the configuration and load its plugins, then exit 0 "
		  "(valid) or 1", NULL },
		{ "pid-file", 'P', 0, G_OPTION_ARG_FILENAME, &o->pid_file,
		  "pid file (overrides netmond.pid_file)", "FILE" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version,
		  "print the version and exit", NULL },
		G_OPTION_ENTRY_NULL
	};
	GOptionContext *ctx = g_option_context_new("- network monitoring daemon");
	GError *err = NULL;
	gboolean ok;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Signals: SIGTERM stops (draining queues), SIGHUP reloads the\n"
		"configuration (kept unchanged if the new one is invalid).\n"
		"Control it with netmonctl(1); see netmond(8), netmond.conf(5).\n");
	ok = g_option_context_parse(ctx, argc, argv, &err);
	if (!ok) {
		fprintf(stderr, "netmond: %s (try --help)\n", err->message);
		g_error_free(err);
	} else if (*argc > 1) {
		fprintf(stderr, "netmond: unexpected argument '%s' (try --help)\n",
			(*argv)[1]);
		ok = FALSE;
	}
	g_option_context_free(ctx);
	return ok;
}

/* ---- pid file ---- */

static gboolean write_pid_file(const char *path, GError **err)
{
	char *old = NULL;
	char buf[32];
	int fd;

	if (g_file_get_contents(path, &old, NULL, NULL)) {
		long pid = strtol(old, NULL, 10);
		g_free(old);
		if (pid > 0 && pid != getpid() && kill((pid_t)pid, 0) == 0) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
				    "netmond is already running with pid %ld "
				    "(pid file %s)", pid, path);
			return FALSE;
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			    "cannot write pid file %s: %s", path, g_strerror(e));
		return FALSE;
	}
	snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf) || close(fd) != 0) {
		int e = errno;
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			    "cannot write pid file %s: %s", path, g_strerror(e));
		return FALSE;
	}
	return TRUE;
}

/* ---- daemonizing: the parent waits for the child's verdict ---- */

/* Fork; the parent exits with the child's status byte once the child has
 * started (0) or failed (1), so `netmond -C` reports start-up errors. */
static int daemonize(void)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds) != 0) {
		fprintf(stderr, "netmond: pipe: %s\n", g_strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "netmond: fork: %s\n", g_strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		unsigned char status = 1;
		close(fds[1]);
		if (read(fds[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(fds[0]);
	if (setsid() < 0 || chdir("/") != 0) {
		fprintf(stderr, "netmond: setsid/chdir: %s\n", g_strerror(errno));
		exit(1);
	}
	umask(027);
	return fds[1];
}

static void tell_parent(int fd, unsigned char status)
{
	if (fd < 0)
		return;
	if (write(fd, &status, 1) != 1)
		nm_log(NM_LOG_WARNING, "core", "cannot report start-up status");
	close(fd);
}

static gboolean detach_stdio(GError **err)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot redirect stdio to /dev/null: %s",
			    g_strerror(errno));
		return FALSE;
	}
	if (fd > 2)
		close(fd);
	return TRUE;
}

/* ---- logging ---- */

/* Where lines go: netmond.log_file if set; else netmond.log = "syslog";
 * else stderr in the foreground (the journal when systemd connected it,
 * so lines keep their priority) and syslog in the background. */
static nm_log_target log_target(const nm_core_config *c, gboolean foreground)
{
	if (c->log_file != NULL)
		return NM_LOG_TO_FILE;
	if (g_strcmp0(c->log_to, "syslog") == 0 || !foreground)
		return NM_LOG_TO_SYSLOG;
	return nm_log_journal_stream() ? NM_LOG_TO_JOURNAL : NM_LOG_TO_STDERR;
}

/* ---- signals ---- */

static gboolean on_sigterm(gpointer data)
{
	nm_core *core = data;

	nm_log(NM_LOG_NOTICE, "core", "stopping on signal");
	g_main_loop_quit(core->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean on_sighup(gpointer data)
{
	nm_core *core = data;

	nm_log(NM_LOG_NOTICE, "core", "SIGHUP: reloading %s", core->config->file);
	(void)nm_core_reload(core, NULL); /* logs its own verdict */
	return G_SOURCE_CONTINUE;
}

static int run(options *o);

int main(int argc, char **argv)
{
	options o = { 0 };
	int rc;

	if (!parse_options(&argc, &argv, &o))
		rc = 64;
	else
		rc = run(&o);
	g_free(o.config_file);
	g_free(o.pid_file);
	return rc;
}

/* Everything after option parsing; returns the exit status. */
static int run(options *op)
{
	options o = *op;
	nm_core_config *config;
	nm_core *core;
	GError *err = NULL;
	int ready_fd = -1;
	int rc = 0;

	if (o.version) {
		printf("netmond %s (plugin ABI %d)\n", PACKAGE_VERSION,
		       NM_PLUGIN_ABI_VERSION);
		return 0;
	}
	if (o.config_file == NULL)
		o.config_file = g_strdup(NM_SYSCONF_DIR "/netmond.conf");
	/* Absolute, so SIGHUP finds it again after the daemon's chdir("/"). */
	if (!g_path_is_absolute(o.config_file)) {
		char *abs = g_canonicalize_filename(o.config_file, NULL);
		g_free(o.config_file);
		o.config_file = abs;
	}
	op->config_file = o.config_file;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fprintf(stderr, "netmond: cannot ignore SIGPIPE\n");

	config = nm_core_config_load(o.config_file, &err);
	if (config == NULL) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		return 1;
	}
	if (o.pid_file != NULL) {
		g_free(config->pid_file);
		config->pid_file = g_strdup(o.pid_file);
	}
	nm_log_set_level(config->log_level);
	/* Before any thread (plugins' libraries may start some when loaded). */
	if (!o.test_only &&
	    (!nm_privs_root_allowed(config, &err) ||
	     !nm_privs_limit_bounding(config, nm_privs_needed(config), &err))) {
		fprintf(stderr, "netmond: %s\n", err->message);
		g_error_free(err);
		nm_core_config_free(config);
		return 1;
	}
	core = nm_core_new(config);
	if (!nm_core_load(core, &err)) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		nm_core_free(core);
		return 1;
	}
	if (o.test_only) {
		printf("%s: configuration valid, %u plugins\n", config->file,
		       core->plugins->len);
		nm_core_free(core);
		return 0;
	}

	if (!o.foreground && config->log_file == NULL &&
	    g_strcmp0(config->log_to, "stderr") == 0) {
		fprintf(stderr, "%s: netmond.log = \"stderr\" needs -f "
			"(in the background stderr is /dev/null)\n",
			config->file);
		nm_core_free(core);
		return 1;
	}
	if (!o.foreground)
		ready_fd = daemonize();
	if (!nm_log_setup(log_target(config, o.foreground), config->log_file,
			  config->log_level, &err)) {
		fprintf(stderr, "netmond: %s\n", err->message);
		g_error_free(err);
		tell_parent(ready_fd, 1);
		nm_core_free(core);
		return 1;
	}

	core->loop = g_main_loop_new(NULL, FALSE);
	if (!nm_core_start(core, TRUE, &err) ||
	    !write_pid_file(config->pid_file, &err) ||
	    !nm_privs_drop(config, nm_privs_needed(config), &err) ||
	    (!o.foreground && !detach_stdio(&err))) {
		nm_log(NM_LOG_ERROR, "core", "%s", err->message);
		if (!o.foreground)
			fprintf(stderr, "netmond: %s\n", err->message);
		g_clear_error(&err);
		tell_parent(ready_fd, 1);
		rc = 1;
		goto out;
	}
	g_unix_signal_add(SIGTERM, on_sigterm, core);
	g_unix_signal_add(SIGINT, on_sigterm, core);
	g_unix_signal_add(SIGHUP, on_sighup, core);
	nm_log(NM_LOG_NOTICE, "core", "netmond %s started: %s, %u plugins, "
	       "control socket %s", PACKAGE_VERSION, config->file,
	       core->plugins->len, config->control_socket);
	tell_parent(ready_fd, 0);
	/* Every plugin started, sockets bound, privileges dropped. */
	(void)nm_notify("READY=1\nSTATUS=running");
	g_main_loop_run(core->loop);
	(void)nm_notify("STOPPING=1");
	nm_core_stop(core);
	if (g_unlink(core->config->pid_file) != 0 && errno != ENOENT)
		nm_log(NM_LOG_WARNING, "core", "cannot remove pid file %s: %s",
		       core->config->pid_file, g_strerror(errno));
	nm_log(NM_LOG_NOTICE, "core", "stopped");
	nm_log_flush_repeats(TRUE);
out:
	g_main_loop_unref(core->loop);
	nm_core_free(core);
	return rc;
}
