/* netmon — logging to stderr, the journal, syslog(3) or a file, with
 * identical messages rate-limited.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>

#include "core.h"

/* ---- the rate limiter (pure: the caller passes the time) ---- */

typedef struct {
	nm_log_level level;
	char *source;        /* may be NULL */
	char *text;
	gint64 since;        /* µs: when the line was last written */
	guint suppressed;    /* identical lines not written since */
} lograte_entry;

struct nm_lograte {
	GHashTable *entries; /* key -> lograte_entry*, owned */
	gint64 window;       /* µs */
	guint max_entries;
};

static void entry_free(gpointer data)
{
	lograte_entry *e = data;

	g_free(e->source);
	g_free(e->text);
	g_free(e);
}

nm_lograte *nm_lograte_new(gint64 window_us, guint max_entries)
{
	nm_lograte *r = g_new0(nm_lograte, 1);

	r->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   entry_free);
	r->window = window_us;
	r->max_entries = max_entries;
	return r;
}

void nm_lograte_free(nm_lograte *r)
{
	if (r == NULL)
		return;
	g_hash_table_destroy(r->entries);
	g_free(r);
}

/* "level\x1fsource\x1ftext": identical means all three are. */
static char *lograte_key(nm_log_level level, const char *source,
			 const char *text)
{
	return g_strdup_printf("%d\x1f%s\x1f%s", (int)level,
			       source != NULL ? source : "", text);
}

gboolean nm_lograte_check(nm_lograte *r, nm_log_level level,
			  const char *source, const char *text, gint64 now_us)
{
	char *key = lograte_key(level, source, text);
	lograte_entry *e = g_hash_table_lookup(r->entries, key);

	if (e != NULL && now_us - e->since < r->window) {
		e->suppressed++;
		g_free(key);
		return FALSE;
	}
	if (e == NULL && g_hash_table_size(r->entries) >= r->max_entries) {
		/* Full: write the line untracked rather than lose it. */
		g_free(key);
		return TRUE;
	}
	e = g_new0(lograte_entry, 1);
	e->level = level;
	e->source = g_strdup(source);
	e->text = g_strdup(text);
	e->since = now_us;
	g_hash_table_replace(r->entries, key, e);
	return TRUE;
}

guint nm_lograte_expire(nm_lograte *r, gint64 now_us, gboolean all,
			nm_lograte_fn fn, gpointer data)
{
	GHashTableIter it;
	gpointer k, v;
	guint n = 0;

	g_hash_table_iter_init(&it, r->entries);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		lograte_entry *e = v;

		if (!all && now_us - e->since < r->window)
			continue;
		if (e->suppressed > 0 && fn != NULL) {
			fn(e->level, e->source, e->text, e->suppressed,
			   now_us - e->since, data);
			n++;
		}
		g_hash_table_iter_remove(&it);
	}
	return n;
}

/* ---- the logger ---- */

/* The logger's registry: target, level, file, rate limiter. The level is
 * read without the lock (atomic int) so disabled levels cost one load. */
static struct {
	GMutex lock;
	nm_log_target target;
	FILE *file;
	gint level;
	nm_lograte *rate;
	gint64 last_expire;
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

/* Write one line (lock held). */
static void emit(nm_log_level level, const char *source, const char *text)
{
	char stamp[32];
	struct tm tm;
	time_t now;
	FILE *out;

	switch (logger.target) {
	case NM_LOG_TO_SYSLOG:
		if (source != NULL)
			syslog((int)level, "%s: %s", source, text);
		else
			syslog((int)level, "%s", text);
		return;
	case NM_LOG_TO_JOURNAL:
		/* sd-daemon(3) prefix: journald takes the priority from it and
		 * adds its own time stamp. */
		fprintf(stderr, "<%d>%s%s%s\n", (int)level,
			source != NULL ? source : "", source != NULL ? ": " : "",
			text);
		return;
	case NM_LOG_TO_FILE:
	case NM_LOG_TO_STDERR:
	default:
		break;
	}
	out = logger.target == NM_LOG_TO_FILE ? logger.file : stderr;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		g_strlcpy(stamp, "-", sizeof stamp);
	fprintf(out, "%s %s: %s%s%s\n", stamp, nm_log_level_name(level),
		source != NULL ? source : "", source != NULL ? ": " : "", text);
}

/* The count of lines held back, written once their window has passed. */
static void emit_repeats(nm_log_level level, const char *source,
			 const char *text, guint count, gint64 span_us,
			 gpointer data)
{
	char *line;

	(void)data;
	line = g_strdup_printf("last message repeated %u times in %.0f s: %s",
			       count, (double)span_us / G_USEC_PER_SEC, text);
	emit(level, source, line);
	g_free(line);
}

/* Expire the limiter at most once a second (lock held). */
static void expire_locked(gint64 now, gboolean all)
{
	if (logger.rate == NULL)
		return;
	if (!all && now - logger.last_expire < G_USEC_PER_SEC)
		return;
	logger.last_expire = now;
	(void)nm_lograte_expire(logger.rate, now, all, emit_repeats, NULL);
}

void nm_log_flush_repeats(gboolean all)
{
	g_mutex_lock(&logger.lock);
	expire_locked(g_get_monotonic_time(), all);
	g_mutex_unlock(&logger.lock);
}

void nm_logv(nm_log_level level, const char *source, const char *fmt,
	     va_list ap)
{
	char text[4096];
	gint64 now;

	if (!nm_log_enabled(level))
		return;
	vsnprintf(text, sizeof text, fmt, ap);
	g_mutex_lock(&logger.lock);
	/* Debug output is for people watching: never held back. */
	if (level != NM_LOG_DEBUG) {
		now = g_get_monotonic_time();
		if (logger.rate == NULL)
			logger.rate = nm_lograte_new(NM_LOG_REPEAT_WINDOW,
						     NM_LOG_REPEAT_KEYS);
		expire_locked(now, FALSE);
		if (!nm_lograte_check(logger.rate, level, source, text, now)) {
			g_mutex_unlock(&logger.lock);
			return;
		}
	}
	emit(level, source, text);
	g_mutex_unlock(&logger.lock);
}

void nm_log_about(nm_log_level level, const char *source, const char *target,
		  const char *fmt, ...)
{
	va_list ap;
	char *who;

	if (!nm_log_enabled(level))
		return;
	who = target != NULL ? g_strdup_printf("%s: %s", source != NULL ? source : "-",
					       target)
			     : g_strdup(source);
	va_start(ap, fmt);
	nm_logv(level, who, fmt, ap);
	va_end(ap);
	g_free(who);
}

gboolean nm_log_journal_stream(void)
{
	const char *js = g_getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return FALSE;
	if (fstat(2, &st) != 0)
		return FALSE;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void nm_log(nm_log_level level, const char *source, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	nm_logv(level, source, fmt, ap);
	va_end(ap);
}
