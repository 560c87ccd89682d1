/* netmon — logging to stderr, syslog(3) or a file.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "core.h"

/* The logger's registry: target, level, file. The level is read without the
 * lock (atomic int) so disabled levels cost one load. */
static struct {
	GMutex lock;
	nm_log_target target;
	FILE *file;
	gint level;
} logger = { .target = NM_LOG_TO_STDERR, .level = NM_LOG_INFO };

static const char *const level_names[] = {
	[NM_LOG_ERROR] = "error", [NM_LOG_WARNING] = "warning",
	[NM_LOG_NOTICE] = "notice", [NM_LOG_INFO] = "info",
	[NM_LOG_DEBUG] = "debug",
};

const char *nm_log_level_name(nm_log_level level)
{
	if (level < NM_LOG_ERROR || level > NM_LOG_DEBUG)
		return "?";
	return level_names[level];
}

int nm_log_level_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int l = NM_LOG_ERROR; l <= NM_LOG_DEBUG; l++)
		if (g_ascii_strcasecmp(name, level_names[l]) == 0)
			return l;
	return -1;
}

gboolean nm_log_enabled(nm_log_level level)
{
	return (gint)level <= g_atomic_int_get(&logger.level);
}

void nm_log_set_level(nm_log_level level)
{
	g_atomic_int_set(&logger.level, (gint)level);
}

gboolean nm_log_setup(nm_log_target target, const char *path,
		      nm_log_level level, GError **err)
{
	FILE *f = NULL;

	if (target == NM_LOG_TO_FILE) {
		f = fopen(path, "a");
		if (f == NULL) {
			int e = errno;
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
				    "cannot open log file %s: %s", path,
				    g_strerror(e));
			return FALSE;
		}
		setvbuf(f, NULL, _IOLBF, 0);
	}
	g_mutex_lock(&logger.lock);
	if (logger.file != NULL)
		fclose(logger.file);
	logger.file = f;
	if (target == NM_LOG_TO_SYSLOG && logger.target != NM_LOG_TO_SYSLOG)
		openlog("netmond", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (target != NM_LOG_TO_SYSLOG && logger.target == NM_LOG_TO_SYSLOG)
		closelog();
	logger.target = target;
	g_mutex_unlock(&logger.lock);
	nm_log_set_level(level);
	return TRUE;
}

void nm_logv(nm_log_level level, const char *source, const char *fmt,
	     va_list ap)
{
	char text[4096];
	char stamp[32];
	struct tm tm;
	time_t now;
	FILE *out;

	if (!nm_log_enabled(level))
		return;
	vsnprintf(text, sizeof text, fmt, ap);
	g_mutex_lock(&logger.lock);
	if (logger.target == NM_LOG_TO_SYSLOG) {
		if (source != NULL)
			syslog((int)level, "%s: %s", source, text);
		else
			syslog((int)level, "%s", text);
	} else {
		out = logger.target == NM_LOG_TO_FILE ? logger.file : stderr;
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
			g_strlcpy(stamp, "-", sizeof stamp);
		fprintf(out, "%s %s: %s%s%s\n", stamp, nm_log_level_name(level),
			source != NULL ? source : "", source != NULL ? ": " : "",
			text);
	}
	g_mutex_unlock(&logger.lock);
}

void nm_log(nm_log_level level, const char *source, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nm_logv(level, source, fmt, ap);
	va_end(ap);
}
