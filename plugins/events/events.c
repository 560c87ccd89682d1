/* netmon events plugin — EVENT history in SQLite, and `netmonctl events`.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Writer: the plugin subscribes to EVENT messages with NM_OVERFLOW_BLOCK
 * (storage must not lose what the bus can hold). The subscription's queue
 * (`queue` messages) is the bounded queue in front of the writers, and the
 * subscription's own worker thread runs deliver(): each delivery batch (up
 * to `batch` events, default 2048) gets its time keys, is cut into one
 * slice per shard, and each slice is one transaction through prepared
 * multi-row INSERT OR ROLLBACK statements (see write_rows()). When the
 * queue stays full past block_timeout the bus refuses and the publisher
 * counts the drop (syslog's "dropped"); nothing is lost silently.
 *
 * Shards: the store is `shards` SQLite files (the `database` file and
 * <database>.shard1, .shard2, ...), each with its own writer thread, so
 * storing scales past the one core a single SQLite connection can use.
 * Shard 0 is written by the bus worker itself; shard k >= 1 by the thread
 * "events-wK", fed through a queue of at most MAX_JOBS slices (a full queue
 * blocks deliver(), so the bus's own overflow policy still applies). A
 * batch smaller than SPLIT_MIN goes to shard 0 whole.
 *
 * Time key: the rowid (`id`) is the time the row was stored, in µs since the
 * epoch, made strictly increasing over all shards (max(now, previous id +
 * 1), given in deliver() before the batch is cut), so ids are unique across
 * the shards and their order is the arrival order. Each table is its own
 * index on time: --since and retention by age are rowid ranges, and the
 * host and severity indexes (host), (severity) end in the rowid, i.e. in
 * time order. Queries read every shard (ATTACHed to the read-only
 * connection), take the newest N of each and merge them by id; retention
 * cuts every shard at the same id. (A database created before the time
 * key, without user_version 2, keeps its events_received index, is queried
 * by it, and is not sharded.)
 *
 * WAL checkpoints run on a checkpointer thread of the plugin with its own
 * connection per shard (PASSIVE: never blocks a writer), woken by a
 * writer's WAL hook every CKPT_PAGES pages; only past CKPT_MAX_PAGES (the
 * checkpointer cannot keep up) does a writer checkpoint itself, which
 * bounds the WAL. The `events` command reads through its own read-only
 * connection on the main thread without waiting for the writers. Retention
 * (by age of the received time, and by database size) runs on the worker
 * pool every retention_interval, under every shard's lock.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include <netmon/plugin.h>

#define DEFAULT_LIMIT 100
#define MAX_LIMIT 100000
#define DELETE_CHUNK 10000
#define SCHEMA_VERSION 2          /* PRAGMA user_version of the time-key layout */
#define CKPT_PAGES 1000           /* WAL pages that wake the checkpointer */
#define CKPT_MAX_PAGES 16384      /* the writer checkpoints itself past this */
#define MAX_SHARDS 8              /* SQLite attaches at most 10 by default */
#define DEFAULT_SHARDS 2
#define MAX_JOBS 4                /* slices queued per shard writer */
#define DEFAULT_WRITER_NICE 5     /* see lower_priority() */
#define SPLIT_MIN 64              /* smaller batches are not cut */
#define ROWS_PER_INSERT 16        /* rows per multi-row INSERT statement */

typedef struct store store;

/* A slice of a delivery batch for the writer of shard k >= 1. */
typedef struct {
	guint n;
	gint64 now;      /* µs, the received time of every row */
	gint64 *ids;     /* n time keys */
	nm_msg **msgs;   /* n messages, one reference each */
} job;

/* One SQLite file and its writer. */
typedef struct {
	store *s;
	guint index;
	char *path;
	GMutex lock;           /* guards db, insert, closed */
	sqlite3 *db;           /* writer */
	sqlite3_stmt *insert;       /* one row */
	sqlite3_stmt *insert_multi; /* ROWS_PER_INSERT rows */
	gboolean closed;
	sqlite3 *ckpt_db;      /* the checkpointer's connection, its thread only */
	gboolean ckpt_pending; /* under s->ckpt_lock */
	int ckpt_mark;         /* wal_hook only: WAL pages at the last request */
	/* writer thread (shards >= 1) and its queue */
	GThread *thread;
	GMutex qlock;          /* guards jobs, stop */
	GCond qcond;
	GQueue jobs;           /* job *, at most MAX_JOBS */
	gboolean stop;
} shard;

struct store {
	nm_plugin *p;
	char *path;            /* shard 0's file, the `database` setting */
	guint n_shards;
	shard sh[MAX_SHARDS];
	sqlite3 *ro;           /* reader: main thread (command, stats); the
				* shards >= 1 attached as s1, s2, ... */
	gboolean time_key;     /* id is the stored time (layout 2) */
	gint64 last_id;        /* deliver() only: the last id given (µs) */
	gint64 *ids;           /* deliver() only: the batch's ids */
	guint ids_cap;
	/* checkpointer thread */
	GThread *ckpt_thread;
	GMutex ckpt_lock;      /* guards the shards' ckpt_pending, ckpt_stop */
	GCond ckpt_cond;
	gboolean ckpt_stop;
	gint64 max_age;        /* µs, 0: none */
	gint64 max_size;       /* bytes, 0: none */
	int base_nice;         /* netmond's main thread niceness at init */
	int writer_nice;       /* `writer_nice`: added for the store's threads */
	gboolean delivery_niced; /* deliver() only: its thread was lowered */
	nm_counter *stored, *transactions, *write_errors, *deleted;
	nm_counter *checkpoints, *writer_checkpoints;
};

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
	{ .name = "shards", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = MAX_SHARDS,
	  .help = "SQLite files written in parallel (database, .shard1, ...)" },
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
	  .min = 1, .max = 100000,
	  .help = "most events per delivered batch (one transaction per shard)" },
	{ .name = "synchronous", .kind = NM_CONF_STRING, .choices = sync_modes },
	{ .name = "writer_nice", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 19,
	  .help = "niceness added to the store's threads; 0: netmond's own" },
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

static gboolean exec(shard *h, sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		NM_ERROR(h->s->p, "%s: %s: %s", h->path, sql,
			 msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return FALSE;
	}
	return TRUE;
}

/* Bind row @r (0-based) of a multi-row INSERT: the 12 columns of @ev. */
static void bind_row(sqlite3_stmt *st, int r, const nm_event *ev, gint64 id,
		     gint64 now)
{
	int b = r * 12;

	sqlite3_bind_int64(st, b + 1, id);
	sqlite3_bind_int64(st, b + 2, now);
	sqlite3_bind_int64(st, b + 3, ev->base.time);
	sqlite3_bind_text(st, b + 4, ev->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, b + 5, ev->host, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, b + 6, ev->facility);
	sqlite3_bind_int(st, b + 7, ev->severity);
	sqlite3_bind_text(st, b + 8, ev->app_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, b + 9, ev->procid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, b + 10, ev->msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, b + 11, ev->structured_data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, b + 12, ev->text, -1, SQLITE_STATIC);
}

/* Insert @n (1 or ROWS_PER_INSERT) rows through the matching prepared
 * statement. The strings are the messages' own (SQLITE_STATIC: the
 * messages outlive the step; every parameter is bound again next time). */
static gboolean insert_rows(shard *h, const nm_event *const *evs,
			    const gint64 *ids, guint n, gint64 now)
{
	sqlite3_stmt *st = n == 1 ? h->insert : h->insert_multi;
	int rc;

	for (guint r = 0; r < n; r++)
		bind_row(st, (int)r, evs[r], ids[r], now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		NM_ERROR(h->s->p, "%s: insert: %s", h->path, sqlite3_errmsg(h->db));
		return FALSE;
	}
	return TRUE;
}

/* Store @n messages with time keys @ids, received at @now (µs), in shard
 * @h: one transaction, ROWS_PER_INSERT rows per statement (the rest one by
 * one). The statements are INSERT OR ROLLBACK: SQLite needs no statement
 * journal for them (a multi-row INSERT OR ABORT writes one, a temporary
 * file, per statement), and a failing row rolls the whole transaction
 * back: the slice is counted in write_errors. Any thread; takes h->lock. */
static void write_rows(shard *h, nm_msg *const *msgs, const gint64 *ids,
		       guint n, gint64 now)
{
	store *s = h->s;
	const nm_event *evs[ROWS_PER_INSERT];
	gint64 evids[ROWS_PER_INSERT];
	guint k = 0, events = 0;
	gboolean ok = TRUE;

	if (n == 0)
		return;
	g_mutex_lock(&h->lock);
	if (h->closed) {
		g_mutex_unlock(&h->lock);
		nm_counter_add(s->write_errors, n);
		return;
	}
	if (!exec(h, h->db, "BEGIN IMMEDIATE")) {
		nm_counter_add(s->write_errors, n);
		g_mutex_unlock(&h->lock);
		return;
	}
	for (guint i = 0; i < n && ok; i++) {
		const nm_event *ev = nm_msg_as_event(msgs[i]);
		if (ev == NULL)
			continue;   /* not an EVENT: counted below */
		events++;
		evs[k] = ev;
		evids[k++] = ids[i];
		if (k == ROWS_PER_INSERT) {
			ok = insert_rows(h, evs, evids, k, now);
			k = 0;
		}
	}
	for (guint r = 0; r < k && ok; r++)
		ok = insert_rows(h, evs + r, evids + r, 1, now);
	if (ok && exec(h, h->db, "COMMIT")) {
		nm_counter_add(s->stored, events);
		nm_counter_add(s->transactions, 1);
		if (events < n)
			nm_counter_add(s->write_errors, n - events);
	} else {
		/* OR ROLLBACK has ended the transaction already */
		if (!sqlite3_get_autocommit(h->db) && !exec(h, h->db, "ROLLBACK"))
			NM_ERROR(s->p, "%s: rollback failed", h->path);
		nm_counter_add(s->write_errors, n);
	}
	g_mutex_unlock(&h->lock);
}

/* Lower the calling thread's CPU priority to netmond's niceness +
 * `writer_nice` (Linux: a thread has its own nice value, setpriority(2) on
 * its tid). The store's threads (delivery, writers, checkpointer) then
 * yield a busy CPU to the receivers on the main loop, whose socket buffers
 * lose datagrams when read late, while the bus queue absorbs the backlog.
 * Absolute, so calling it again is harmless; a failure (e.g. a reload that
 * asks for less than before, which needs CAP_SYS_NICE) is logged once per
 * thread at debug level and changes nothing else. */
static void lower_priority(store *s)
{
	int want = MIN(s->base_nice + s->writer_nice, 19);

	if (getpriority(PRIO_PROCESS, (id_t)gettid()) == want)
		return;
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), want) != 0)
		NM_DEBUG(s->p, "writer_nice: setpriority(%d): %s", want,
			 g_strerror(errno));
}

/* Writer thread of shard k >= 1: writes the queued slices in order; on
 * stop, writes what is queued and returns. */
static gpointer writer_main(gpointer data)
{
	shard *h = data;

	lower_priority(h->s);
	for (;;) {
		job *j;

		g_mutex_lock(&h->qlock);
		while (g_queue_is_empty(&h->jobs) && !h->stop)
			g_cond_wait(&h->qcond, &h->qlock);
		j = g_queue_pop_head(&h->jobs);
		g_cond_broadcast(&h->qcond);   /* room for deliver() */
		g_mutex_unlock(&h->qlock);
		if (j == NULL)
			return NULL;   /* stopped, queue empty */
		write_rows(h, j->msgs, j->ids, j->n, j->now);
		for (guint i = 0; i < j->n; i++)
			nm_msg_unref(j->msgs[i]);
		g_free(j);
	}
}

/* Queue a slice for shard @h's writer, waiting while MAX_JOBS are queued.
 * Takes a reference on each message. FALSE (nothing queued) once the writer
 * is stopping. */
static gboolean push_slice(shard *h, nm_msg *const *msgs, const gint64 *ids,
			   guint n, gint64 now)
{
	job *j;

	g_mutex_lock(&h->qlock);
	while (h->jobs.length >= MAX_JOBS && !h->stop)
		g_cond_wait(&h->qcond, &h->qlock);
	if (h->stop) {
		g_mutex_unlock(&h->qlock);
		return FALSE;
	}
	/* one block: the job, then the ids, then the message pointers */
	j = g_malloc(sizeof(job) + n * (sizeof(gint64) + sizeof(nm_msg *)));
	j->n = n;
	j->now = now;
	j->ids = (gint64 *)(j + 1);
	j->msgs = (nm_msg **)(j->ids + n);
	memcpy(j->ids, ids, n * sizeof(gint64));
	for (guint i = 0; i < n; i++)
		j->msgs[i] = nm_msg_ref(msgs[i]);
	g_queue_push_tail(&h->jobs, j);
	g_cond_broadcast(&h->qcond);
	g_mutex_unlock(&h->qlock);
	return TRUE;
}

/* Delivery (the subscription's worker thread): the batch's time keys, then
 * slice k of n_shards to shard k; shard 0's slice is written here. */
static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	store *s = data;
	gint64 now = g_get_real_time();
	guint shards = n >= SPLIT_MIN ? s->n_shards : 1;

	if (!s->delivery_niced) {
		lower_priority(s);
		s->delivery_niced = TRUE;
	}

	if (n > s->ids_cap) {
		g_free(s->ids);
		s->ids_cap = MAX(n, 1024);
		s->ids = g_new(gint64, s->ids_cap);
	}
	for (guint i = 0; i < n; i++)
		s->ids[i] = s->last_id = MAX(now, s->last_id + 1);
	for (guint k = 1; k < shards; k++) {
		guint a = (guint)((guint64)n * k / shards);
		guint b = (guint)((guint64)n * (k + 1) / shards);
		if (!push_slice(&s->sh[k], msgs + a, s->ids + a, b - a, now))
			nm_counter_add(s->write_errors, b - a);
	}
	write_rows(&s->sh[0], msgs, s->ids, (guint)((guint64)n / shards), now);
}

/* ---------------------------------------------------------- checkpoints */

/* Checkpointer thread: a PASSIVE checkpoint (copies committed WAL frames
 * into the database file without blocking the writer or readers) of each
 * shard whose writer's WAL hook asked for one. */
static gpointer ckpt_main(gpointer data)
{
	store *s = data;

	lower_priority(s);
	for (;;) {
		gboolean due[MAX_SHARDS] = { FALSE };
		gboolean any = FALSE;

		g_mutex_lock(&s->ckpt_lock);
		while (!s->ckpt_stop) {
			for (guint k = 0; k < s->n_shards; k++) {
				due[k] = s->sh[k].ckpt_pending;
				s->sh[k].ckpt_pending = FALSE;
				any = any || due[k];
			}
			if (any)
				break;
			g_cond_wait(&s->ckpt_cond, &s->ckpt_lock);
		}
		if (s->ckpt_stop) {
			g_mutex_unlock(&s->ckpt_lock);
			return NULL;
		}
		g_mutex_unlock(&s->ckpt_lock);
		for (guint k = 0; k < s->n_shards; k++) {
			shard *h = &s->sh[k];
			int rc, log = 0, done = 0;

			if (!due[k] || h->ckpt_db == NULL)
				continue;
			rc = sqlite3_wal_checkpoint_v2(h->ckpt_db, NULL,
						       SQLITE_CHECKPOINT_PASSIVE,
						       &log, &done);
			if (rc == SQLITE_OK)
				nm_counter_add(s->checkpoints, 1);
			else if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
				NM_WARNING(s->p, "%s: checkpoint: %s", h->path,
					   sqlite3_errmsg(h->ckpt_db));
		}
	}
}

/* SQLite WAL hook (a writer's thread, after each commit, write lock
 * released): @pages frames are in shard @data's WAL. Replaces SQLite's
 * autocheckpoint. */
static int wal_hook(void *data, sqlite3 *db, const char *name, int pages)
{
	shard *h = data;
	store *s = h->s;

	(void)name;
	/* ckpt_thread is set before the first write and cleared only after
	 * every writer connection is closed */
	if (pages >= CKPT_MAX_PAGES || s->ckpt_thread == NULL) {
		/* The writer is the only appender, so this checkpoint can
		 * complete and the next transaction restarts the WAL. */
		if (pages >= CKPT_PAGES &&
		    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					      NULL, NULL) == SQLITE_OK)
			nm_counter_add(s->writer_checkpoints, 1);
		return SQLITE_OK;
	}
	/* Ask again only once CKPT_PAGES more frames are in: while the
	 * checkpointer copies, each commit still reports the whole WAL, and
	 * asking at every commit ran ~30 checkpoints (each with an fsync) per
	 * 1000 pages. A WAL restarted by the writer starts the count anew. */
	if (pages < h->ckpt_mark)
		h->ckpt_mark = 0;
	if (pages >= CKPT_PAGES && pages >= h->ckpt_mark + CKPT_PAGES) {
		h->ckpt_mark = pages;
		g_mutex_lock(&s->ckpt_lock);
		h->ckpt_pending = TRUE;
		g_cond_signal(&s->ckpt_cond);
		g_mutex_unlock(&s->ckpt_lock);
	}
	return SQLITE_OK;
}

/* Stop and join the checkpointer, close its connections. Every writer
 * connection is closed already. */
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
	for (guint k = 0; k < MAX_SHARDS; k++) {
		shard *h = &s->sh[k];
		if (h->ckpt_db != NULL && sqlite3_close(h->ckpt_db) != SQLITE_OK)
			NM_ERROR(s->p, "%s: close: %s", h->path,
				 sqlite3_errmsg(h->ckpt_db));
		h->ckpt_db = NULL;
	}
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

/* Delete rows of shard @h matching @where (one '?' bound to @arg) in
 * chunks, at most @max_rows (< 0: all). Caller holds h->lock. */
static gint64 delete_chunks(shard *h, const char *where, gint64 arg,
			    gint64 max_rows)
{
	char *sql = g_strdup_printf(
		"DELETE FROM events WHERE id IN (SELECT id FROM events WHERE %s "
		"ORDER BY id LIMIT ?)", where);
	sqlite3_stmt *st = NULL;
	gint64 total = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		NM_ERROR(h->s->p, "%s: retention: %s", h->path, sqlite3_errmsg(h->db));
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
			NM_ERROR(h->s->p, "%s: retention: %s", h->path,
				 sqlite3_errmsg(h->db));
			break;
		}
		gint64 n = sqlite3_changes(h->db);
		total += n;
		if (n < chunk)
			break;
	}
	sqlite3_finalize(st);
	g_free(sql);
	return total;
}

/* Bytes in use (pages minus free pages) of the database @schema ("main",
 * "s1", ...) of @db. */
static gint64 used_bytes(sqlite3 *db, const char *schema_name)
{
	char *q[3] = {
		g_strdup_printf("PRAGMA %s.page_count", schema_name),
		g_strdup_printf("PRAGMA %s.freelist_count", schema_name),
		g_strdup_printf("PRAGMA %s.page_size", schema_name),
	};
	gint64 pages = query_int(db, q[0]);
	gint64 free_pages = query_int(db, q[1]);
	gint64 size = query_int(db, q[2]);

	for (int i = 0; i < 3; i++)
		g_free(q[i]);
	return (pages - MAX(free_pages, 0)) * size;
}

/* Retention by size, one step (every shard's lock held): the time key at
 * which the oldest ~5% of the rows end, the same for every shard: the
 * smallest over the shards of the id at offset rows/20 (at least 1), so
 * each shard loses at most ~5% and one of them at least one row. Deletes
 * below it in every shard; if no shard has 2 rows, deletes all. Returns
 * the rows deleted. */
static gint64 trim_oldest(store *s)
{
	gint64 cutoff = -1, deleted = 0;
	sqlite3_stmt *st = NULL;

	for (guint k = 0; k < s->n_shards; k++) {
		shard *h = &s->sh[k];
		gint64 rows = query_int(h->db, "SELECT count(*) FROM events");

		if (rows <= 1)
			continue;
		if (sqlite3_prepare_v2(h->db, "SELECT id FROM events ORDER BY id "
				       "LIMIT 1 OFFSET ?", -1, &st, NULL) != SQLITE_OK) {
			NM_ERROR(s->p, "%s: retention: %s", h->path,
				 sqlite3_errmsg(h->db));
			return 0;
		}
		sqlite3_bind_int64(st, 1, MAX(rows / 20, 1));
		if (sqlite3_step(st) == SQLITE_ROW) {
			gint64 id = sqlite3_column_int64(st, 0);
			if (cutoff < 0 || id < cutoff)
				cutoff = id;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	for (guint k = 0; k < s->n_shards; k++)
		deleted += cutoff < 0 ? delete_chunks(&s->sh[k], "id > ?", G_MININT64, -1)
				      : delete_chunks(&s->sh[k], "id < ?", cutoff, -1);
	return deleted;
}

/* Retention (pool thread): rows received before now - max_age go; then,
 * while the data pages of all shards exceed max_size, the oldest ~5% go.
 * Freed pages are reused by SQLite, so the files stop growing (they are
 * not shrunk). */
static nm_run_status retention(nm_plugin *p, nm_timer *t, gint64 due,
			       gpointer data)
{
	store *s = data;
	gint64 deleted = 0;
	gboolean closed = FALSE;

	(void)t;
	(void)due;
	(void)p;
	for (guint k = 0; k < s->n_shards; k++) {   /* in order: no deadlock */
		g_mutex_lock(&s->sh[k].lock);
		closed = closed || s->sh[k].closed;
	}
	if (closed)
		goto out;
	if (s->max_age > 0)
		/* time key: id >= received, so "id < cutoff" is a rowid range
		 * that leaves a row whose id ran ahead of the clock for the next
		 * run at most */
		for (guint k = 0; k < s->n_shards; k++)
			deleted += delete_chunks(&s->sh[k],
						 s->time_key ? "id < ?" : "received < ?",
						 g_get_real_time() - s->max_age, -1);
	if (s->max_size > 0) {
		for (int i = 0; i < 100; i++) {
			gint64 used = 0;
			for (guint k = 0; k < s->n_shards; k++)
				used += used_bytes(s->sh[k].db, "main");
			if (used <= s->max_size)
				break;
			gint64 n = trim_oldest(s);
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
out:
	for (guint k = s->n_shards; k-- > 0;)
		g_mutex_unlock(&s->sh[k].lock);
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
	int rc;

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
	/* Each shard's newest N matching rows (the same statement on each,
	 * numbered parameters shared), merged by id (the time key, unique
	 * over the shards): the newest N, shown oldest first. */
	GString *where = g_string_new(" WHERE 1");
	if (host != NULL)
		g_string_append(where, " AND host = ?1");
	if (sev >= 0)
		g_string_append(where, " AND severity <= ?2");
	if (since >= 0)
		/* time key: id >= received, so the rowid range (the time index)
		 * only narrows the scan; received decides */
		g_string_append(where, s->time_key ? " AND id >= ?3 AND received >= ?3"
					       : " AND received >= ?3");
	if (grep != NULL)
		g_string_append(where, " AND text LIKE ?4 ESCAPE '\\'");
	sql = g_string_new("SELECT * FROM (");
	for (guint k = 0; k < s->n_shards; k++) {
		char name[8];
		if (k == 0)
			g_strlcpy(name, "main", sizeof name);
		else
			g_snprintf(name, sizeof name, "s%u", k);
		g_string_append_printf(sql, "%sSELECT * FROM (SELECT id, received, "
			"time, source, host, facility, severity, app_name, procid, "
			"msgid, structured_data, text FROM %s.events%s ORDER BY id "
			"DESC LIMIT ?5)", k > 0 ? " UNION ALL " : "", name, where->str);
	}
	g_string_append(sql, " ORDER BY id DESC LIMIT ?5) ORDER BY id");
	g_string_free(where, TRUE);
	rc = sqlite3_prepare_v2(s->ro, sql->str, -1, &st, NULL);
	g_string_free(sql, TRUE);
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "events: %s: %s",
			    s->path, sqlite3_errmsg(s->ro));
		return FALSE;
	}
	if (host != NULL)
		sqlite3_bind_text(st, 1, host, -1, SQLITE_TRANSIENT);
	if (sev >= 0)
		sqlite3_bind_int(st, 2, sev);
	if (since >= 0)
		sqlite3_bind_int64(st, 3, since);
	if (grep != NULL) {
		pattern = like_pattern(grep);
		sqlite3_bind_text(st, 4, pattern, -1, SQLITE_TRANSIENT);
		g_free(pattern);
	}
	sqlite3_bind_int64(st, 5, limit);

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
	gint64 rows = 0, bytes = 0;

	(void)p;
	for (guint k = 0; k < s->n_shards && s->ro != NULL; k++) {
		char *name = k == 0 ? g_strdup("main") : g_strdup_printf("s%u", k);
		char *q = g_strdup_printf("SELECT count(*) FROM %s.events", name);
		gint64 r = query_int(s->ro, q), u = used_bytes(s->ro, name);

		rows = r < 0 || rows < 0 ? -1 : rows + r;
		bytes = u < 0 || bytes < 0 ? -1 : bytes + u;
		g_free(q);
		g_free(name);
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "database");
	json_builder_add_string_value(b, s->path);
	json_builder_set_member_name(b, "shards");
	json_builder_add_int_value(b, s->n_shards);
	json_builder_set_member_name(b, "rows");
	json_builder_add_int_value(b, s->ro ? rows : -1);
	json_builder_set_member_name(b, "data_bytes");
	json_builder_add_int_value(b, s->ro ? bytes : -1);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

/* ---------------------------------------------------------- lifecycle */

/* The file of shard @k of the store whose shard 0 is @path (caller frees):
 * @path itself, then "<path>.shard1", ... */
static char *shard_path(const char *path, guint k)
{
	return k == 0 ? g_strdup(path) : g_strdup_printf("%s.shard%u", path, k);
}

static void store_close(store *s)
{
	/* 1. the shard writers write what is queued and stop */
	for (guint k = 1; k < MAX_SHARDS; k++) {
		shard *h = &s->sh[k];
		job *j;

		g_mutex_lock(&h->qlock);
		h->stop = TRUE;
		g_cond_broadcast(&h->qcond);
		g_mutex_unlock(&h->qlock);
		if (h->thread != NULL)
			g_thread_join(h->thread);
		h->thread = NULL;
		while ((j = g_queue_pop_head(&h->jobs)) != NULL) {
			nm_counter_add(s->write_errors, j->n);
			for (guint i = 0; i < j->n; i++)
				nm_msg_unref(j->msgs[i]);
			g_free(j);
		}
	}
	/* 2. the writer connections */
	for (guint k = 0; k < MAX_SHARDS; k++) {
		shard *h = &s->sh[k];

		g_mutex_lock(&h->lock);
		h->closed = TRUE;
		sqlite3_finalize(h->insert);   /* NULL is a no-op */
		sqlite3_finalize(h->insert_multi);
		h->insert = h->insert_multi = NULL;
		if (h->db != NULL && sqlite3_close(h->db) != SQLITE_OK)
			NM_ERROR(s->p, "%s: close: %s", h->path, sqlite3_errmsg(h->db));
		h->db = NULL;
		g_mutex_unlock(&h->lock);
	}
	/* 3. the checkpointer (no WAL hook can run any more), the reader */
	ckpt_stop(s);
	if (s->ro != NULL && sqlite3_close(s->ro) != SQLITE_OK)
		NM_ERROR(s->p, "%s: close: %s", s->path, sqlite3_errmsg(s->ro));
	s->ro = NULL;
}

static void store_clear(gpointer data)
{
	store *s = data;

	store_close(s);
	for (guint k = 0; k < MAX_SHARDS; k++) {
		g_mutex_clear(&s->sh[k].lock);
		g_mutex_clear(&s->sh[k].qlock);
		g_cond_clear(&s->sh[k].qcond);
		g_free(s->sh[k].path);
	}
	g_mutex_clear(&s->ckpt_lock);
	g_cond_clear(&s->ckpt_cond);
	g_free(s->ids);
	g_free(s->path);
}

/* The store is shared with the retention timer, which may still be
 * running in the pool when shutdown returns: reference-counted. */
static void store_unref(gpointer data)
{
	store *s = data;

	g_atomic_rc_box_release_full(s, store_clear);
}

/* Open shard @k's writer and checkpointer connections: the schema (layout
 * 2, unless shard 0 holds a first-layout database, which decides
 * s->time_key), WAL mode, the prepared INSERT, the WAL hook. */
static gboolean shard_open(store *s, guint k, const char *sync, GError **err)
{
	shard *h = &s->sh[k];
	char *pragma;
	int rc;

	rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	/* NOMUTEX: h->db is only used under h->lock, s->ro only on the main
	 * loop, so SQLite's own per-call mutexes would be pure cost. */
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot open %s: %s", h->path,
			    h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
		return FALSE;
	}
	sqlite3_busy_timeout(h->db, 5000);
	/* A database without user_version 2 but with an events table has the
	 * first layout (sequential ids, events_received index): kept as is. */
	if (k == 0)
		s->time_key = query_int(h->db, "PRAGMA user_version") >= SCHEMA_VERSION ||
			      query_int(h->db, "SELECT count(*) FROM sqlite_master WHERE "
					"type = 'table' AND name = 'events'") == 0;
	pragma = g_strdup_printf("PRAGMA synchronous=%s", sync);
	if (!exec(h, h->db, pragma) ||
	    !exec(h, h->db, s->time_key ? schema : "SELECT 1")) {
		g_free(pragma);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot set up %s: %s", h->path,
			    sqlite3_errmsg(h->db));
		return FALSE;
	}
	g_free(pragma);
	{
		sqlite3_stmt *st = NULL;
		const unsigned char *mode = NULL;
		if (sqlite3_prepare_v2(h->db, "PRAGMA journal_mode=WAL", -1, &st,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			mode = sqlite3_column_text(st, 0);
		if (mode == NULL || g_ascii_strcasecmp((const char *)mode, "wal") != 0)
			NM_WARNING(s->p, "%s: could not switch to WAL mode (%s)",
				   h->path, mode ? (const char *)mode : "error");
		sqlite3_finalize(st);
	}
	s->last_id = MAX(s->last_id, query_int(h->db, "SELECT max(id) FROM events"));
	{
		GString *sql = g_string_new("INSERT OR ROLLBACK INTO events (id, "
			"received, time, source, host, facility, severity, app_name, "
			"procid, msgid, structured_data, text) VALUES "
			"(?,?,?,?,?,?,?,?,?,?,?,?)");
		rc = sqlite3_prepare_v2(h->db, sql->str, -1, &h->insert, NULL);
		for (int r = 1; r < ROWS_PER_INSERT; r++)
			g_string_append(sql, ",(?,?,?,?,?,?,?,?,?,?,?,?)");
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(h->db, sql->str, -1,
						&h->insert_multi, NULL);
		g_string_free(sql, TRUE);
		if (rc != SQLITE_OK) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "events: %s: %s", h->path, sqlite3_errmsg(h->db));
			return FALSE;
		}
	}
	/* checkpoints: the WAL hook replaces SQLite's autocheckpoint */
	sqlite3_wal_hook(h->db, wal_hook, h);
	rc = sqlite3_open_v2(h->path, &h->ckpt_db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot open %s for checkpoints: %s",
			    h->path, h->ckpt_db ? sqlite3_errmsg(h->ckpt_db)
						: sqlite3_errstr(rc));
		return FALSE;
	}
	/* a connection learns that the file is in WAL mode when it first
	 * reads it; until then a checkpoint is a no-op (log = -1) */
	if (query_int(h->ckpt_db, "SELECT count(*) FROM sqlite_master") < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "events.database: cannot read %s for checkpoints: %s",
			    h->path, sqlite3_errmsg(h->ckpt_db));
		return FALSE;
	}
	return TRUE;
}

static gboolean events_init(nm_plugin *p, const config_setting_t *conf,
			    GError **err)
{
	store *s = g_atomic_rc_box_new0(store);
	nm_sub_options opts = { 0 };
	const char *sync = nm_conf_string(conf, "synchronous", "normal");
	guint n_shards;
	int rc;

	/* SQLite's memory statistics take a global mutex on every
	 * allocation (about 4 % of the writer's time). The setting is
	 * process-wide and only possible before SQLite initialises: if another
	 * plugin (alert) has used SQLite already, this returns SQLITE_MISUSE
	 * and the statistics stay on, which costs only speed. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	for (guint k = 0; k < MAX_SHARDS; k++) {
		s->sh[k].s = s;
		s->sh[k].index = k;
		g_mutex_init(&s->sh[k].lock);
		g_mutex_init(&s->sh[k].qlock);
		g_cond_init(&s->sh[k].qcond);
		g_queue_init(&s->sh[k].jobs);
	}
	g_mutex_init(&s->ckpt_lock);
	g_cond_init(&s->ckpt_cond);
	s->p = p;
	s->path = g_strdup(nm_conf_string(conf, "database", NULL));
	if (s->path == NULL)
		s->path = g_build_filename(nm_plugin_state_dir(p), "events.db", NULL);
	s->max_age = nm_conf_duration(conf, "max_age", (gint64)30 * 86400 * G_USEC_PER_SEC);
	s->max_size = nm_conf_int(conf, "max_size", 0);
	s->writer_nice = (int)nm_conf_int(conf, "writer_nice", DEFAULT_WRITER_NICE);
	errno = 0;
	s->base_nice = getpriority(PRIO_PROCESS, 0);  /* this (main) thread */
	if (s->base_nice == -1 && errno != 0)
		s->base_nice = 0;
	s->stored = nm_plugin_counter(p, "stored");
	s->transactions = nm_plugin_counter(p, "transactions");
	s->write_errors = nm_plugin_counter(p, "write_errors");
	s->deleted = nm_plugin_counter(p, "retention_deleted");
	s->checkpoints = nm_plugin_counter(p, "checkpoints");
	s->writer_checkpoints = nm_plugin_counter(p, "writer_checkpoints");
	nm_plugin_set_data(p, s);

	s->n_shards = 1;
	s->sh[0].path = shard_path(s->path, 0);
	if (!shard_open(s, 0, sync, err))
		goto fail;
	if (s->time_key) {
		n_shards = (guint)nm_conf_int(conf, "shards", DEFAULT_SHARDS);
		/* never hide history: shard files beyond `shards` (written
		 * with a larger setting) stay part of the store */
		for (guint k = MAX_SHARDS; k-- > n_shards;) {
			char *path = shard_path(s->path, k);
			gboolean there = g_file_test(path, G_FILE_TEST_EXISTS);
			g_free(path);
			if (there) {
				NM_WARNING(p, "%s: %u shard files exist, shards = %u: "
					   "writing all %u", s->path, k + 1,
					   n_shards, k + 1);
				n_shards = k + 1;
				break;
			}
		}
	} else {
		n_shards = 1;
		NM_WARNING(p, "%s: first database layout (no time key): queries by "
			   "time use the events_received index; not sharded",
			   s->path);
	}
	for (guint k = 1; k < n_shards; k++) {
		s->n_shards = k + 1;
		s->sh[k].path = shard_path(s->path, k);
		if (!shard_open(s, k, sync, err))
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
	for (guint k = 1; k < s->n_shards; k++) {
		/* attached with the main connection's flags: read-only */
		sqlite3_stmt *st = NULL;
		char *sql = g_strdup_printf("ATTACH DATABASE ? AS s%u", k);

		rc = sqlite3_prepare_v2(s->ro, sql, -1, &st, NULL);
		g_free(sql);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(st, 1, s->sh[k].path, -1, SQLITE_STATIC);
			rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		}
		if (rc != SQLITE_OK) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "events.database: cannot attach %s for reading: %s",
				    s->sh[k].path, sqlite3_errmsg(s->ro));
			sqlite3_finalize(st);
			goto fail;
		}
		sqlite3_finalize(st);
	}
	s->ckpt_thread = g_thread_try_new("events-ckpt", ckpt_main, s, err);
	if (s->ckpt_thread == NULL)
		goto fail;
	for (guint k = 1; k < s->n_shards; k++) {
		char name[16];

		g_snprintf(name, sizeof name, "events-w%u", k);
		s->sh[k].thread = g_thread_try_new(name, writer_main, &s->sh[k], err);
		if (s->sh[k].thread == NULL)
			goto fail;
	}

	opts.policy = NM_OVERFLOW_BLOCK;
	opts.high_water = (guint)nm_conf_int(conf, "queue", 65536);
	opts.block_timeout = nm_conf_duration(conf, "block_timeout", G_USEC_PER_SEC);
	opts.max_batch = (guint)nm_conf_int(conf, "batch", 2048);
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
	NM_INFO(p, "storing events in %s (%u shard%s)", s->path, s->n_shards,
		s->n_shards == 1 ? "" : "s");
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
		 .description = "stores EVENT messages in SQLite, sharded; netmonctl events",
		 .config_keys = keys, .init = events_init,
		 .shutdown = events_shutdown);
