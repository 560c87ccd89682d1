/* netmon events plugin — EVENT history in SQLite, and `netmonctl events`.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Writer: the plugin subscribes to EVENT messages with NM_OVERFLOW_BLOCK
 * (storage must not lose what the bus can hold). The subscription's queue
 * (`queue` messages) is the bounded queue in front of the writer, and the
 * subscription's own worker thread is the writer: each delivery batch (up to
 * `batch` events) is one transaction through one prepared INSERT, so
 * receiving/parsing (the syslog plugin's thread) and SQLite overlap. When the
 * queue stays full past block_timeout the bus refuses and the publisher
 * counts the drop (syslog's "dropped"); nothing is lost silently.
 *
 * Time key: the rowid (`id`) is the time the row was stored, in µs since the
 * epoch, made strictly increasing (max(now, previous id + 1)), so the table
 * itself is the index on time: --since and retention by age are rowid
 * ranges, and the host and severity indexes (host), (severity) end in the
 * rowid, i.e. in time order. (Databases created before this layout, without
 * user_version 2, keep their events_received index and are queried by it.)
 *
 * WAL checkpoints run on a checkpointer thread of the plugin with its own
 * connection (PASSIVE: never blocks the writer), woken by the writer's WAL
 * hook every CKPT_PAGES pages; only past CKPT_MAX_PAGES (the checkpointer
 * cannot keep up) does the writer checkpoint itself, which bounds the WAL.
 * The `events` command reads through its own read-only connection on the
 * main thread without waiting for the writer. Retention (by age of the
 * received time, and by database size) runs on the worker pool every
 * retention_interval, under the writer's lock.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include <netmon/plugin.h>

#define DEFAULT_LIMIT 100
#define MAX_LIMIT 100000
#define DELETE_CHUNK 10000
#define SCHEMA_VERSION 2          /* PRAGMA user_version of the time-key layout */
#define CKPT_PAGES 1000           /* WAL pages that wake the checkpointer */
#define CKPT_MAX_PAGES 16384      /* the writer checkpoints itself past this */

typedef struct {
	nm_plugin *p;
	char *path;
	GMutex lock;           /* guards db (writer) and closed */
	sqlite3 *db;           /* writer: delivery worker and retention */
	sqlite3_stmt *insert;
	sqlite3 *ro;           /* reader: main thread (command, stats) */
	gboolean closed;
	gboolean time_key;     /* id is the stored time (layout 2) */
	gint64 last_id;        /* writer: the last id given (µs) */
	/* checkpointer thread */
	GThread *ckpt_thread;
	sqlite3 *ckpt_db;      /* its own connection, only on that thread */
	GMutex ckpt_lock;      /* guards ckpt_pending, ckpt_stop */
	GCond ckpt_cond;
	gboolean ckpt_pending, ckpt_stop;
	gint64 max_age;        /* µs, 0: none */
	gint64 max_size;       /* bytes, 0: none */
	nm_counter *stored, *transactions, *write_errors, *deleted;
	nm_counter *checkpoints, *writer_checkpoints;
} store;

static const char *const sev_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};
static const char *const fac_names[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7"
};
static const char *const sync_modes[] = { "off", "normal", "full", NULL };

static const nm_conf_key keys[] = {
	{ .name = "database", .kind = NM_CONF_STRING,
	  .help = "SQLite file; default <state_dir>/events.db" },
	{ .name = "max_age", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0, .max = 3153600000.0, .help = "seconds; 0 keeps all" },
	{ .name = "max_size", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 1e15, .help = "bytes of data pages; 0: unlimited" },
	{ .name = "retention_interval", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 86400 },
	{ .name = "queue", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 16, .max = 10000000, .help = "bus queue, messages" },
	{ .name = "block_timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.001, .max = 60 },
	{ .name = "batch", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 100000, .help = "most events per transaction" },
	{ .name = "synchronous", .kind = NM_CONF_STRING, .choices = sync_modes },
	{ .name = NULL }
};

/* Layout 2. id: µs since the epoch when stored, strictly increasing (the
 * time key, see the top of the file). */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS events ("
	" id INTEGER PRIMARY KEY,"
	" received INTEGER NOT NULL,"   /* µs since epoch, when stored */
	" time INTEGER NOT NULL,"       /* µs, the message's own time */
	" source TEXT NOT NULL, host TEXT NOT NULL,"
	" facility INTEGER NOT NULL, severity INTEGER NOT NULL,"
	" app_name TEXT NOT NULL, procid TEXT NOT NULL, msgid TEXT NOT NULL,"
	" structured_data TEXT NOT NULL, text TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_host ON events(host);"
	"CREATE INDEX IF NOT EXISTS events_severity ON events(severity);"
	"PRAGMA user_version = 2;";

/* ---------------------------------------------------------- writer */

static gboolean exec(store *s, sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		NM_ERROR(s->p, "%s: %s: %s", s->path, sql,
			 msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return FALSE;
	}
	return TRUE;
}

static gboolean insert_one(store *s, const nm_event *ev, gint64 now)
{
	sqlite3_stmt *st = s->insert;
	int rc;

	gint64 id = MAX(now, s->last_id + 1);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, ev->base.time);
	sqlite3_bind_text(st, 4, ev->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ev->host, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, ev->facility);
	sqlite3_bind_int(st, 7, ev->severity);
	sqlite3_bind_text(st, 8, ev->app_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, ev->procid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, ev->msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, ev->structured_data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, ev->text, -1, SQLITE_STATIC);
	rc = sqlite3_step(st); /* every parameter is bound again next time */
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		NM_ERROR(s->p, "%s: insert: %s", s->path, sqlite3_errmsg(s->db));
		return FALSE;
	}
	s->last_id = id;
	return TRUE;
}

/* Delivery (worker thread): one batch, one transaction. */
static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	store *s = data;
	gint64 now = g_get_real_time();
	guint stored = 0;

	g_mutex_lock(&s->lock);
	if (s->closed) {
		g_mutex_unlock(&s->lock);
		return;
	}
	if (!exec(s, s->db, "BEGIN IMMEDIATE")) {
		nm_counter_add(s->write_errors, n);
		g_mutex_unlock(&s->lock);
		return;
	}
	for (guint i = 0; i < n; i++) {
		const nm_event *ev = nm_msg_as_event(msgs[i]);
		if (ev != NULL && insert_one(s, ev, now))
			stored++;
	}
	if (exec(s, s->db, "COMMIT")) {
		nm_counter_add(s->stored, stored);
		nm_counter_add(s->transactions, 1);
		if (stored < n)
			nm_counter_add(s->write_errors, n - stored);
	} else {
		if (!exec(s, s->db, "ROLLBACK"))
			NM_ERROR(s->p, "%s: rollback failed", s->path);
		nm_counter_add(s->write_errors, n);
	}
	g_mutex_unlock(&s->lock);
}

/* ---------------------------------------------------------- checkpoints */

/* Checkpointer thread: a PASSIVE checkpoint (copies committed WAL frames
 * into the database file without blocking the writer or readers) each time
 * the writer's WAL hook asks for one. */
static gpointer ckpt_main(gpointer data)
{
	store *s = data;

	for (;;) {
		int rc, log = 0, done = 0;

		g_mutex_lock(&s->ckpt_lock);
		while (!s->ckpt_pending && !s->ckpt_stop)
			g_cond_wait(&s->ckpt_cond, &s->ckpt_lock);
		if (s->ckpt_stop) {
			g_mutex_unlock(&s->ckpt_lock);
			return NULL;
		}
		s->ckpt_pending = FALSE;
		g_mutex_unlock(&s->ckpt_lock);
		rc = sqlite3_wal_checkpoint_v2(s->ckpt_db, NULL,
					       SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		if (rc == SQLITE_OK)
			nm_counter_add(s->checkpoints, 1);
		else if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			NM_WARNING(s->p, "%s: checkpoint: %s", s->path,
				   sqlite3_errmsg(s->ckpt_db));
	}
}

/* SQLite WAL hook (writer thread, after each commit, write lock released):
 * @pages frames are in the WAL. Replaces SQLite's autocheckpoint. */
static int wal_hook(void *data, sqlite3 *db, const char *name, int pages)
{
	store *s = data;

	(void)name;
	if (pages >= CKPT_MAX_PAGES || s->ckpt_thread == NULL) {
		/* The writer is the only appender, so this checkpoint can
		 * complete and the next transaction restarts the WAL. */
		if (pages >= CKPT_PAGES &&
		    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					      NULL, NULL) == SQLITE_OK)
			nm_counter_add(s->writer_checkpoints, 1);
		return SQLITE_OK;
	}
	if (pages >= CKPT_PAGES) {
		g_mutex_lock(&s->ckpt_lock);
		s->ckpt_pending = TRUE;
		g_cond_signal(&s->ckpt_cond);
		g_mutex_unlock(&s->ckpt_lock);
	}
	return SQLITE_OK;
}

/* Stop and join the checkpointer, close its connection. Caller holds
 * s->lock (the writer's WAL hook reads ckpt_thread under it). */
static void ckpt_stop(store *s)
{
	if (s->ckpt_thread != NULL) {
		g_mutex_lock(&s->ckpt_lock);
		s->ckpt_stop = TRUE;
		g_cond_signal(&s->ckpt_cond);
		g_mutex_unlock(&s->ckpt_lock);
		g_thread_join(s->ckpt_thread);
		s->ckpt_thread = NULL;
	}
	if (s->ckpt_db != NULL && sqlite3_close(s->ckpt_db) != SQLITE_OK)
		NM_ERROR(s->p, "%s: close: %s", s->path, sqlite3_errmsg(s->ckpt_db));
	s->ckpt_db = NULL;
}

static gint64 query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	gint64 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Delete rows matching @where (one '?' bound to @arg) in chunks.
 * Caller holds the lock. */
static gint64 delete_chunks(store *s, const char *where, gint64 arg,
			    gint64 max_rows)
{
	char *sql = g_strdup_printf(
		"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE %s "
		"ORDER BY id LIMIT ?)", where);
	sqlite3_stmt *st = NULL;
	gint64 total = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		NM_ERROR(s->p, "%s: retention: %s", s->path, sqlite3_errmsg(s->db));
		g_free(sql);
		return 0;
	}
	while (max_rows < 0 || total < max_rows) {
		gint64 chunk = max_rows < 0 ? DELETE_CHUNK
					    : MIN(DELETE_CHUNK, max_rows - total);
		sqlite3_bind_int64(st, 1, arg);
		sqlite3_bind_int64(st, 2, chunk);
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			NM_ERROR(s->p, "%s: retention: %s", s->path,
				 sqlite3_errmsg(s->db));
			break;
		}
		gint64 n = sqlite3_changes(s->db);
		total += n;
		if (n < chunk)
			break;
	}
	sqlite3_finalize(st);
	g_free(sql);
	return total;
}

static gint64 used_bytes(sqlite3 *db)
{
	gint64 pages = query_int(db, "PRAGMA page_count");
	gint64 free_pages = query_int(db, "PRAGMA freelist_count");
	gint64 size = query_int(db, "PRAGMA page_size");

	return (pages - MAX(free_pages, 0)) * size;
}

/* Retention (pool thread): rows received before now - max_age go; then,
 * while the data pages exceed max_size, the oldest 5% go. Freed pages are
 * reused by SQLite, so the file stops growing (it is not shrunk). */
static nm_run_status retention(nm_plugin *p, nm_timer *t, gint64 due,
			       gpointer data)
{
	store *s = data;
	gint64 deleted = 0;

	(void)t;
	(void)due;
	(void)p;
	g_mutex_lock(&s->lock);
	if (s->closed) {
		g_mutex_unlock(&s->lock);
		return NM_RUN_DONE;
	}
	if (s->max_age > 0)
		/* time key: id >= received, so "id < cutoff" is a rowid range
		 * that leaves a row whose id ran ahead of the clock for the next
		 * run at most */
		deleted += delete_chunks(s, s->time_key ? "id < ?" : "received < ?",
					 g_get_real_time() - s->max_age, -1);
	if (s->max_size > 0) {
		for (int i = 0; i < 100 && used_bytes(s->db) > s->max_size; i++) {
			gint64 rows = query_int(s->db, "SELECT count(*) FROM events");
			if (rows <= 0)
				break;
			gint64 n = delete_chunks(s, "id > ?", -1, MAX(rows / 20, 1));
			if (n == 0)
				break;
			deleted += n;
		}
	}
	if (deleted > 0) {
		nm_counter_add(s->deleted, (guint64)deleted);
		NM_INFO(s->p, "%s: retention removed %" G_GINT64_FORMAT " events",
			s->path, deleted);
	}
	g_mutex_unlock(&s->lock);
	return NM_RUN_DONE;
}

/* ---------------------------------------------------------- query */

/* --since: "30s", "15m", "2h", "7d" (that long ago), "@EPOCH" (seconds),
 * or ISO 8601 "2026-01-31", "2026-01-31T10:00:00", with an optional zone
 * (local time without). Returns µs since the epoch, or -1. */
static gint64 parse_since(const char *v, gint64 now)
{
	char *end = NULL;

	if (v[0] == '@') {
		gint64 sec = g_ascii_strtoll(v + 1, &end, 10);
		return end != v + 1 && *end == '\0' ? sec * G_USEC_PER_SEC : -1;
	}
	if (g_ascii_isdigit(v[0]) || v[0] == '-') {
		const char *q = v[0] == '-' ? v + 1 : v;
		double n = g_ascii_strtod(q, &end);
		gint64 unit = 0;
		if (end != q && end != NULL) {
			if (*end == '\0' || strcmp(end, "s") == 0)
				unit = 1;
			else if (strcmp(end, "m") == 0)
				unit = 60;
			else if (strcmp(end, "h") == 0)
				unit = 3600;
			else if (strcmp(end, "d") == 0)
				unit = 86400;
			if (unit > 0 && n >= 0)
				return now - (gint64)(n * (double)unit * 1e6);
		}
	}
	{
		char *iso = strlen(v) == 10 ? g_strconcat(v, "T00:00:00", NULL)
					    : g_strdup(v);
		GTimeZone *tz = g_time_zone_new_local();
		GDateTime *dt;

		g_strdelimit(iso, " ", 'T');
		dt = g_date_time_new_from_iso8601(iso, tz);
		g_time_zone_unref(tz);
		g_free(iso);
		if (dt != NULL) {
			gint64 us = g_date_time_to_unix(dt) * G_USEC_PER_SEC +
				    g_date_time_get_microsecond(dt);
			g_date_time_unref(dt);
			return us;
		}
	}
	return -1;
}

static int severity_of(const char *v)
{
	static const struct { const char *n; int v; } alias[] = {
		{ "emergency", 0 }, { "critical", 2 }, { "error", 3 },
		{ "warn", 4 }, { "informational", 6 },
	};
	if (v[0] >= '0' && v[0] <= '7' && v[1] == '\0')
		return v[0] - '0';
	for (int i = 0; i < 8; i++)
		if (g_ascii_strcasecmp(v, sev_names[i]) == 0)
			return i;
	for (gsize i = 0; i < G_N_ELEMENTS(alias); i++)
		if (g_ascii_strcasecmp(v, alias[i].n) == 0)
			return alias[i].v;
	return -1;
}

static char *time_text(gint64 us)
{
	GDateTime *dt = g_date_time_new_from_unix_local(us / G_USEC_PER_SEC);
	GDateTime *d2;
	char *s;

	if (dt == NULL)
		return g_strdup("?");
	d2 = g_date_time_add(dt, us % G_USEC_PER_SEC);
	g_date_time_unref(dt);
	if (d2 == NULL)
		return g_strdup("?");
	s = g_date_time_format(d2, "%Y-%m-%dT%H:%M:%S.%f%:z");
	g_date_time_unref(d2);
	return s ? s : g_strdup("?");
}

static const char usage[] =
	"usage: events [--host H] [--severity LEVEL] [--since TIME] "
	"[--grep TEXT] [--limit N] [--json]";

/* Append @v as a JSON string (NULL as ""). */
static void json_string(GString *out, const char *v)
{
	char *fixed = NULL;

	if (v == NULL)
		v = "";
	if (!g_utf8_validate(v, -1, NULL))
		v = fixed = g_utf8_make_valid(v, -1);
	g_string_append_c(out, '"');
	for (const char *c = v; *c; c++) {
		switch (*c) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			if ((guchar)*c < 0x20)
				g_string_append_printf(out, "\\u%04x", (guchar)*c);
			else
				g_string_append_c(out, *c);
		}
	}
	g_string_append_c(out, '"');
	g_free(fixed);
}

/* Escape LIKE wildcards of @t with '\'. */
static char *like_pattern(const char *t)
{
	GString *g = g_string_new("%");

	for (; *t; t++) {
		if (*t == '%' || *t == '_' || *t == '\\')
			g_string_append_c(g, '\\');
		g_string_append_c(g, *t);
	}
	g_string_append_c(g, '%');
	return g_string_free(g, FALSE);
}

/* `netmonctl events ...` (main thread): see usage[] and README. */
static gboolean events_cmd(nm_plugin *p, int argc, char **argv, GString *out,
			   gpointer data, GError **err)
{
	store *s = data;
	const char *host = NULL, *grep = NULL;
	int sev = -1;
	gint64 since = -1, limit = DEFAULT_LIMIT;
	gboolean json = FALSE;
	GString *sql;
	sqlite3_stmt *st = NULL;
	char *pattern = NULL;
	int bind = 0, rc;

	(void)p;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		gboolean takes = strcmp(a, "--host") == 0 ||
				 strcmp(a, "--severity") == 0 ||
				 strcmp(a, "--since") == 0 ||
				 strcmp(a, "--grep") == 0 || strcmp(a, "--limit") == 0;
		if (strcmp(a, "--json") == 0) {
			json = TRUE;
			continue;
		}
		if (!takes) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "events: unknown argument '%s'; %s", a, usage);
			return FALSE;
		}
		if (v == NULL) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "events: %s needs a value; %s", a, usage);
			return FALSE;
		}
		i++;
		if (strcmp(a, "--host") == 0) {
			host = v;
		} else if (strcmp(a, "--grep") == 0) {
			grep = v;
		} else if (strcmp(a, "--severity") == 0) {
			sev = severity_of(v);
			if (sev < 0) {
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "events: --severity '%s': use 0..7 or emerg, "
					    "alert, crit, err, warning, notice, info, "
					    "debug", v);
				return FALSE;
			}
		} else if (strcmp(a, "--since") == 0) {
			since = parse_since(v, g_get_real_time());
			if (since < 0) {
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "events: --since '%s': use 30s, 15m, 2h, 7d, "
					    "@EPOCH or 2026-01-31[T10:00:00[Z]]", v);
				return FALSE;
			}
		} else {
			char *end = NULL;
			limit = g_ascii_strtoll(v, &end, 10);
			if (end == v || *end != '\0' || limit < 1 || limit > MAX_LIMIT) {
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "events: --limit '%s': use 1..%d", v,
					    MAX_LIMIT);
				return FALSE;
			}
		}
	}
	if (s->ro == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events: %s is not open for reading", s->path);
		return FALSE;
	}
	sql = g_string_new("SELECT * FROM (SELECT id, received, time, source, host, facility, "
			   "severity, app_name, procid, msgid, structured_data, "
			   "text FROM events WHERE 1");
	if (host != NULL)
		g_string_append(sql, " AND host = ?");
	if (sev >= 0)
		g_string_append(sql, " AND severity <= ?");
	if (since >= 0)
		/* time key: id >= received, so the rowid range (the time index)
		 * only narrows the scan; received decides */
		g_string_append(sql, s->time_key ? " AND id >= ? AND received >= ?"
					     : " AND received >= ?");
	if (grep != NULL)
		g_string_append(sql, " AND text LIKE ? ESCAPE '\\'");
	/* the newest N, shown oldest first */
	g_string_append(sql, " ORDER BY id DESC LIMIT ?) ORDER BY id");
	rc = sqlite3_prepare_v2(s->ro, sql->str, -1, &st, NULL);
	g_string_free(sql, TRUE);
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "events: %s: %s",
			    s->path, sqlite3_errmsg(s->ro));
		return FALSE;
	}
	if (host != NULL)
		sqlite3_bind_text(st, ++bind, host, -1, SQLITE_TRANSIENT);
	if (sev >= 0)
		sqlite3_bind_int(st, ++bind, sev);
	if (since >= 0 && s->time_key)
		sqlite3_bind_int64(st, ++bind, since);
	if (since >= 0)
		sqlite3_bind_int64(st, ++bind, since);
	if (grep != NULL) {
		pattern = like_pattern(grep);
		sqlite3_bind_text(st, ++bind, pattern, -1, SQLITE_TRANSIENT);
		g_free(pattern);
	}
	sqlite3_bind_int64(st, ++bind, limit);

	/* Written straight into @out, row by row: the command runs on the
	 * main loop, so it must stay cheap (MAX_LIMIT bounds it). */
	gsize start_len = out->len;
	gboolean first = TRUE;
	if (json)
		g_string_append_c(out, '[');
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int fac = sqlite3_column_int(st, 5), sv = sqlite3_column_int(st, 6);
		const char *fn = fac >= 0 && fac < 24 ? fac_names[fac] : "";
		const char *sn = sv >= 0 && sv < 8 ? sev_names[sv] : "";
		char *tt = time_text(sqlite3_column_int64(st, 2));
#define COL(i) ((const char *)sqlite3_column_text(st, (i)))
		if (json) {
			static const char *const names[] = { "source", "host",
				NULL, NULL, "app_name", "procid", "msgid",
				"structured_data", "text" };
			if (!first)
				g_string_append_c(out, ',');
			g_string_append_printf(out, "{\"id\":%" G_GINT64_FORMAT
				",\"time\":\"%s\",\"time_us\":%" G_GINT64_FORMAT
				",\"received_us\":%" G_GINT64_FORMAT,
				(gint64)sqlite3_column_int64(st, 0), tt,
				(gint64)sqlite3_column_int64(st, 2),
				(gint64)sqlite3_column_int64(st, 1));
			for (int c = 3; c <= 11; c++) {
				if (c == 5 || c == 6)
					continue;
				g_string_append_printf(out, ",\"%s\":", names[c - 3]);
				json_string(out, COL(c));
			}
			g_string_append_printf(out, ",\"facility\":\"%s\",\"severity\":"
				"\"%s\",\"facility_code\":%d,\"severity_code\":%d}",
				fn, sn, fac, sv);
		} else {
			const char *app = COL(7) ? COL(7) : "";
			const char *pid = COL(8) ? COL(8) : "";
			g_string_append_printf(out, "%s %s %s.%s %s%s%s%s%s%s\n", tt,
				COL(4) ? COL(4) : "", fn, sn, app,
				*pid ? "[" : "", pid, *pid ? "]" : "",
				*app || *pid ? ": " : "", COL(11) ? COL(11) : "");
		}
#undef COL
		first = FALSE;
		g_free(tt);
	}
	if (rc != SQLITE_DONE) {
		g_string_truncate(out, start_len);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "events: %s: %s",
			    s->path, sqlite3_errmsg(s->ro));
		sqlite3_finalize(st);
		return FALSE;
	}
	sqlite3_finalize(st);
	if (json)
		g_string_append(out, "]\n");
	return TRUE;
}

/* ---------------------------------------------------------- stats */

static JsonNode *events_stats(nm_plugin *p, gpointer data)
{
	store *s = data;
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	(void)p;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "database");
	json_builder_add_string_value(b, s->path);
	json_builder_set_member_name(b, "rows");
	json_builder_add_int_value(b, s->ro ? query_int(s->ro,
				   "SELECT count(*) FROM events") : -1);
	json_builder_set_member_name(b, "data_bytes");
	json_builder_add_int_value(b, s->ro ? used_bytes(s->ro) : -1);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

/* ---------------------------------------------------------- lifecycle */

static void store_close(store *s)
{
	g_mutex_lock(&s->lock);
	s->closed = TRUE;
	ckpt_stop(s);   /* the thread never takes s->lock */
	if (s->insert != NULL)
		sqlite3_finalize(s->insert);
	s->insert = NULL;
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		NM_ERROR(s->p, "%s: close: %s", s->path, sqlite3_errmsg(s->db));
	s->db = NULL;
	g_mutex_unlock(&s->lock);
	if (s->ro != NULL && sqlite3_close(s->ro) != SQLITE_OK)
		NM_ERROR(s->p, "%s: close: %s", s->path, sqlite3_errmsg(s->ro));
	s->ro = NULL;
}

static void store_clear(gpointer data)
{
	store *s = data;

	store_close(s);
	g_mutex_clear(&s->lock);
	g_mutex_clear(&s->ckpt_lock);
	g_cond_clear(&s->ckpt_cond);
	g_free(s->path);
}

/* The store is shared with the retention timer, which may still be
 * running in the pool when shutdown returns: reference-counted. */
static void store_unref(gpointer data)
{
	store *s = data;

	g_atomic_rc_box_release_full(s, store_clear);
}

static gboolean events_init(nm_plugin *p, const config_setting_t *conf,
			    GError **err)
{
	store *s = g_atomic_rc_box_new0(store);
	nm_sub_options opts = { 0 };
	const char *sync = nm_conf_string(conf, "synchronous", "normal");
	char *pragma;
	int rc;

	/* SQLite's memory statistics take a global mutex on every
	 * allocation (about 4 % of the writer's time). The setting is
	 * process-wide and only possible before SQLite initialises: if another
	 * plugin (alert) has used SQLite already, this returns SQLITE_MISUSE
	 * and the statistics stay on, which costs only speed. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	g_mutex_init(&s->lock);
	g_mutex_init(&s->ckpt_lock);
	g_cond_init(&s->ckpt_cond);
	s->p = p;
	s->path = g_strdup(nm_conf_string(conf, "database", NULL));
	if (s->path == NULL)
		s->path = g_build_filename(nm_plugin_state_dir(p), "events.db", NULL);
	s->max_age = nm_conf_duration(conf, "max_age", (gint64)30 * 86400 * G_USEC_PER_SEC);
	s->max_size = nm_conf_int(conf, "max_size", 0);
	s->stored = nm_plugin_counter(p, "stored");
	s->transactions = nm_plugin_counter(p, "transactions");
	s->write_errors = nm_plugin_counter(p, "write_errors");
	s->deleted = nm_plugin_counter(p, "retention_deleted");
	s->checkpoints = nm_plugin_counter(p, "checkpoints");
	s->writer_checkpoints = nm_plugin_counter(p, "writer_checkpoints");
	nm_plugin_set_data(p, s);

	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	/* NOMUTEX: s->db is only used under s->lock, s->ro only on the main
	 * loop, so SQLite's own per-call mutexes would be pure cost. */
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot open %s: %s", s->path,
			    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	pragma = g_strdup_printf("PRAGMA synchronous=%s", sync);
	/* A database without user_version 2 but with an events table has the
	 * first layout (sequential ids, events_received index): kept as is. */
	s->time_key = query_int(s->db, "PRAGMA user_version") >= SCHEMA_VERSION ||
		      query_int(s->db, "SELECT count(*) FROM sqlite_master WHERE "
				"type = 'table' AND name = 'events'") == 0;
	if (!exec(s, s->db, pragma) ||
	    !exec(s, s->db, s->time_key ? schema : "SELECT 1")) {
		g_free(pragma);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot set up %s: %s", s->path,
			    sqlite3_errmsg(s->db));
		goto fail;
	}
	g_free(pragma);
	{
		sqlite3_stmt *st = NULL;
		const unsigned char *mode = NULL;
		if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			mode = sqlite3_column_text(st, 0);
		if (mode == NULL || g_ascii_strcasecmp((const char *)mode, "wal") != 0)
			NM_WARNING(p, "%s: could not switch to WAL mode (%s)",
				   s->path, mode ? (const char *)mode : "error");
		sqlite3_finalize(st);
	}
	if (!s->time_key)
		NM_WARNING(p, "%s: first database layout (no time key): queries by "
			   "time use the events_received index", s->path);
	s->last_id = MAX(query_int(s->db, "SELECT max(id) FROM events"), 0);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO events (id, received, time, source, host, "
			       "facility, severity, app_name, procid, msgid, "
			       "structured_data, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s->insert, NULL) != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "events: %s: %s",
			    s->path, sqlite3_errmsg(s->db));
		goto fail;
	}
	rc = sqlite3_open_v2(s->path, &s->ro, SQLITE_OPEN_READONLY |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot open %s read-only: %s",
			    s->path, s->ro ? sqlite3_errmsg(s->ro) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->ro, 2000);
	/* checkpoints: the WAL hook replaces SQLite's autocheckpoint */
	sqlite3_wal_hook(s->db, wal_hook, s);
	rc = sqlite3_open_v2(s->path, &s->ckpt_db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot open %s for checkpoints: %s",
			    s->path, s->ckpt_db ? sqlite3_errmsg(s->ckpt_db)
						: sqlite3_errstr(rc));
		goto fail;
	}
	/* a connection learns that the file is in WAL mode when it first
	 * reads it; until then a checkpoint is a no-op (log = -1) */
	if (query_int(s->ckpt_db, "SELECT count(*) FROM sqlite_master") < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot read %s for checkpoints: %s",
			    s->path, sqlite3_errmsg(s->ckpt_db));
		goto fail;
	}
	s->ckpt_thread = g_thread_try_new("events-ckpt", ckpt_main, s, err);
	if (s->ckpt_thread == NULL)
		goto fail;

	opts.policy = NM_OVERFLOW_BLOCK;
	opts.high_water = (guint)nm_conf_int(conf, "queue", 65536);
	opts.block_timeout = nm_conf_duration(conf, "block_timeout", G_USEC_PER_SEC);
	opts.max_batch = (guint)nm_conf_int(conf, "batch", 1024);
	if (!nm_plugin_subscribe(p, "events", NM_MSG_MASK(NM_MSG_EVENT), &opts,
				 deliver, s, err))
		goto fail;
	if (!nm_plugin_add_command(p, "events",
				   "events [--host H] [--severity LEVEL] [--since TIME] "
				   "[--grep TEXT] [--limit N] [--json]: stored events",
				   events_cmd, s, err))
		goto fail;
	if (s->max_age > 0 || s->max_size > 0)
		nm_plugin_add_timer(p, "retention",
				    nm_conf_duration(conf, "retention_interval",
						     60 * G_USEC_PER_SEC),
				    NM_TIMER_IN_POOL | NM_TIMER_NOW, retention,
				    g_atomic_rc_box_acquire(s), store_unref);
	nm_plugin_set_stats(p, events_stats, s);
	NM_INFO(p, "storing events in %s", s->path);
	return TRUE;
fail:
	store_close(s);
	nm_plugin_set_data(p, NULL);
	g_atomic_rc_box_release_full(s, store_clear);
	return FALSE;
}

static void events_shutdown(nm_plugin *p)
{
	store *s = nm_plugin_get_data(p);

	if (s == NULL)
		return;
	nm_plugin_set_stats(p, NULL, NULL);
	store_close(s);   /* a retention run still in the pool sees closed */
	nm_plugin_set_data(p, NULL);
	g_atomic_rc_box_release_full(s, store_clear);
}

NM_PLUGIN_DEFINE(.name = "events", .version = "1.0",
		 .description = "stores EVENT messages in SQLite; netmonctl events",
		 .config_keys = keys, .init = events_init,
		 .shutdown = events_shutdown);
