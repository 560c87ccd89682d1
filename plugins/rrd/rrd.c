/* netmon plugin "rrd": stores METRIC messages in RRD files, directly with
 * librrd or through rrdcached, without losing samples (issue 4).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Configuration (group `rrd`):
 *
 *   rrd = {
 *     directory = "/var/lib/netmon/rrd"; # where the files live; required
 *                           # without daemon and with a unix: daemon (then
 *                           # absolute); with a host:port daemon optional
 *                           # and relative to rrdcached's -b base folder
 *     daemon = "unix:/run/rrdcached.sock"; # or "host:port"; unset: direct
 *     types_db = "/usr/share/netmon/types.db"; # default NM_DATA_DIR's
 *     cache_timeout = 120;  # s a value may wait in the cache before its
 *                           # file is written (default 120 direct, 0 with
 *                           # a daemon, which caches by itself)
 *     flush_interval = 1;   # s between passes of the writer
 *     writes_per_second = 0;# most files written per second, 0: no cap
 *     heartbeat_factor = 2; # heartbeat = factor × step
 *     rra_timespans = [ 172800, 1209600, 5356800, 63072000 ]; # s
 *     rra_rows = 1200;      # rows of each coarser RRA
 *     xff = 0.1;
 *     cache_max_bytes = 67108864;  # memory for cached updates
 *     journal_max_bytes = 1073741824; # spill file while rrdcached is down
 *     reconnect_max = 10;   # s, longest back-off between reconnects
 *     resend_window = 10;   # s: after rrdcached comes back, resend what it
 *                           # acknowledged this long before it went away
 *                           # (0: never)
 *     queue_size = 65536;   # bus queue of the subscription
 *   };
 *
 * Data flow. The bus delivers METRIC batches on the subscription's thread
 * (deliver()); each is checked against types.db, turned into an update
 * string "TIME:V1:V2" and appended to its file's entry in the cache, unless
 * its time is not after the last one cached for that file (counted as
 * time_rejected: RRD would refuse it anyway). A periodic writer pass on the
 * worker pool (tick()) writes every file whose oldest cached value is older
 * than cache_timeout, all of a file's values in one rrd_update_r() (or one
 * rrdc_update() per ~4 KB, the client's request limit), at most
 * writes_per_second files a second. Files are created on first write with
 * rrd_create_r() (or rrdcached's CREATE), starting a step before the first
 * value.
 *
 * No sample lost: when the cache passes cache_max_bytes the delivering
 * thread writes itself (back-pressure on the bus, whose subscription
 * blocks). When rrdcached is unreachable, values stay cached; past the
 * memory cap they are appended to <state_dir>/rrd.journal, and when the
 * daemon is back, first the updates rrdcached acknowledged in the last
 * resend_window seconds before it went away are sent again (rrdcached
 * answers an UPDATE before the value is on disk and drops what it holds
 * when it is stopped or killed; the file's last update is asked for first,
 * so what did reach the file is skipped and counted as a duplicate, not an
 * error), then the journal is replayed in order, then the cache. At
 * shutdown (SIGTERM, reload) everything cached is written, or journaled if
 * rrdcached is down, and the journal is replayed at the next start.
 *
 * Locks: `wlock` serialises writer passes (tick, back-pressure, flush
 * command, shutdown) and owns the journal; `lock` guards the cache and the
 * figures. Order: wlock before lock. librrd's rrdc_* client keeps global
 * state: every rrdc_* call holds `rrdc_mutex`.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>

#include <glib/gstdio.h>
#include <rrd.h>
#include <rrd_client.h>
#include <dlfcn.h>

#include <netmon/plugin.h>

#include "rrd-util.h"

#ifndef NM_DATA_DIR
#define NM_DATA_DIR "/usr/share/netmon"
#endif

/* Longest rrdc_update request librrd's client builds (a 4096-byte buffer),
 * with room for the command and file name counted separately. */
#define RRDC_REQUEST_MAX 4000
/* Values per rrd_update_r() call. */
#define DIRECT_CHUNK 512
/* An error kind is logged at most once per this many µs. */
#define LOG_EVERY (60 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Error kinds, counted and logged with a rate limit                   */

typedef enum {
	ERR_UNKNOWN_TYPE = 0, /* METRIC type not in types.db */
	ERR_VALUE_COUNT,      /* value count differs from types.db */
	ERR_KIND,             /* value kind differs from types.db */
	ERR_TIME,             /* duplicate / out-of-order time (ours or RRD's) */
	ERR_CREATE,           /* rrd_create failed */
	ERR_UPDATE,           /* rrd_update failed otherwise */
	ERR_DAEMON,           /* rrdcached unreachable (connect/transport) */
	ERR_JOURNAL,          /* journal I/O */
	ERR_JOURNAL_FULL,     /* journal_max_bytes reached: values dropped */
	ERR_NO_SPACE,         /* file cannot be created on a full disk: kept */
	ERR_N
} err_kind;

static const char *const err_names[ERR_N] = {
	"unknown_type", "value_count", "kind_mismatch", "time_rejected",
	"create", "update", "daemon", "journal", "journal_full", "no_space"
};

/* ------------------------------------------------------------------ */
/* State                                                               */

/* One cached update: its time and the rrd_update argument. */
typedef struct {
	gint64 t;      /* seconds since the epoch */
	gint64 acked;  /* monotonic µs rrdcached acknowledged it; 0: not yet */
	gboolean resent; /* sent again after a reconnect */
	char s[];      /* "T:V1:V2" */
} upd;

/* One RRD file. Entries live until shutdown. */
typedef struct {
	char *path;          /* as given to librrd / rrdcached */
	char *ident;         /* "host/plugin-pi/type-ti", for flush globs */
	const rrd_type *type;
	gint64 step;         /* s */
	GPtrArray *vals;     /* upd*, owned, times strictly increasing */
	gsize bytes;         /* accounted size of vals */
	gint64 last_cached;  /* time of the newest value accepted; G_MININT64 */
	gint64 dirty_since;  /* monotonic µs of the oldest cached value */
	GList link;          /* in the dirty queue while vals is not empty */
	gboolean queued;     /* link is in the dirty queue */
	gboolean checked;    /* exists/created, rrd_last known */
	gint64 last_file;    /* last update time in the file, s */
	gint64 retry_at;     /* monotonic µs: not before (disk was full) */
	guint64 *ctr;        /* last COUNTER values (n_ds), NULL: none yet */
	guint64 ctr_known;   /* bit i: ctr[i] is set */
	GPtrArray *acked;    /* upd*, owned, acknowledged by rrdcached in the
			      * resend window, oldest first (under wlock) */
} rfile;

typedef struct {
	nm_plugin *p;
	/* settings */
	char *directory;     /* NULL or "" allowed with a host:port daemon */
	char *daemon;        /* NULL: direct */
	gboolean daemon_unix;
	GHashTable *types;   /* name → rrd_type* */
	gint64 cache_timeout, flush_interval, reconnect_max; /* µs */
	gint64 resend_window; /* µs, 0: no resend */
	guint writes_per_second;
	double heartbeat_factor, xff;
	gint64 *timespans;
	guint n_timespans, rra_rows;
	gsize cache_max_bytes;
	guint64 journal_max_bytes;
	char *journal, *replay;  /* <state_dir>/rrd.journal[.replay] */

	GMutex lock;         /* cache and figures */
	GHashTable *files;   /* path → rfile* */
	GQueue dirty;        /* rfile* with cached values, oldest first */
	gsize cache_bytes;
	guint64 cache_values;
	gboolean daemon_up;
	guint64 journal_values, journal_bytes; /* both files */

	GMutex wlock;        /* writer passes, journal, reconnect state */
	gint64 next_retry;   /* monotonic µs */
	gint64 backoff;      /* µs */
	gint64 lost_at;      /* monotonic µs rrdcached was lost */
	gboolean resend_pending; /* acknowledged updates to send again */
	gboolean ever_connected; /* "connected" logged once, then "is back" */
	gboolean stopping;   /* in shutdown: spills are logged */
	guint64 back_resent, back_dup; /* figures for the "is back" line */
	guint64 acked_held;  /* values in the files' acked arrays (also read
			      * under lock) */

	nm_counter *received, *files_created, *values_written, *writes,
		*journaled, *replayed, *errors_total, *resent, *duplicates,
		*resets;
	nm_counter *errors[ERR_N];
	GMutex log_lock;
	gint64 last_log[ERR_N];
	guint64 suppressed[ERR_N];
	gint64 last_spill_log;   /* monotonic µs, under log_lock */
	guint64 spilled_quiet;   /* journaled since that message */
} rrd_ctx;

static GMutex rrdc_mutex; /* librrd's rrdc_* client state is global */

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static const nm_conf_key keys[] = {
	{ .name = "directory", .kind = NM_CONF_STRING,
	  .help = "folder of the RRD files" },
	{ .name = "daemon", .kind = NM_CONF_STRING,
	  .help = "rrdcached address: unix:/path, /path or host:port" },
	{ .name = "types_db", .kind = NM_CONF_STRING,
	  .help = "types.db file (collectd's format)" },
	{ .name = "cache_timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0, .max = 86400, .help = "longest wait of a cached value, s" },
	{ .name = "flush_interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.01, .max = 3600, .help = "period of the writer, s" },
	{ .name = "writes_per_second", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 10000000, .help = "files written per second, 0: any" },
	{ .name = "heartbeat_factor", .kind = NM_CONF_FLOAT, .has_range = TRUE,
	  .min = 1, .max = 1000, .help = "heartbeat = factor x step" },
	{ .name = "rra_timespans", .kind = NM_CONF_ARRAY, .has_range = TRUE,
	  .min = 1, .max = 32, .help = "timespans of the RRAs, s" },
	{ .name = "rra_rows", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 10, .max = 100000000, .help = "rows of each coarser RRA" },
	{ .name = "xff", .kind = NM_CONF_FLOAT, .has_range = TRUE,
	  .min = 0, .max = 0.99, .help = "RRA x-files factor" },
	{ .name = "cache_max_bytes", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1024, .max = 1e12, .help = "memory for cached updates" },
	{ .name = "journal_max_bytes", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 1e15, .help = "journal size while rrdcached is down" },
	{ .name = "reconnect_max", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 3600, .help = "longest reconnect back-off, s" },
	{ .name = "resend_window", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0, .max = 3600, .help = "resend what rrdcached acknowledged "
	  "this long before it went away, s" },
	{ .name = "queue_size", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 16, .max = 100000000, .help = "bus queue, messages" },
	{ .name = NULL }
};

static const gint64 default_timespans[] = {
	2 * 86400,         /* 2 days at full resolution */
	14 * 86400,        /* 2 weeks */
	62 * 86400,        /* 2 months */
	2 * 365 * 86400    /* 2 years */
};

static gboolean daemon_is_unix(const char *daemon)
{
	return g_str_has_prefix(daemon, "unix:") || daemon[0] == '/';
}

static const char *types_db_path(const config_setting_t *conf)
{
	return nm_conf_string(conf, "types_db", NM_DATA_DIR "/types.db");
}

/* Cross-field rules (also for `netmond -t`). */
static gboolean rrd_validate(const config_setting_t *conf, GError **err)
{
	config_setting_t *dir = config_setting_get_member(conf, "directory");
	config_setting_t *daemon = config_setting_get_member(conf, "daemon");
	config_setting_t *spans = config_setting_get_member(conf, "rra_timespans");
	config_setting_t *tdb = config_setting_get_member(conf, "types_db");
	const char *d = dir != NULL ? config_setting_get_string(dir) : NULL;
	GHashTable *types;
	GError *e = NULL;

	if (daemon != NULL) {
		const char *a = config_setting_get_string(daemon);
		if (a == NULL || *a == '\0' || strcmp(a, "unix:") == 0)
			return nm_conf_error(daemon, err, "an empty address; use "
					     "unix:/path or host:port");
		if (daemon_is_unix(a)) {
			if (d == NULL)
				return nm_conf_error(conf, err, "missing required "
						     "setting 'directory' (needed "
						     "with a unix: daemon)");
			if (!g_path_is_absolute(d))
				return nm_conf_error(dir, err, "'%s' must be an "
						     "absolute path with a unix: "
						     "daemon", d);
		} else if (d != NULL && g_path_is_absolute(d)) {
			return nm_conf_error(dir, err, "'%s' must be relative to "
					     "rrdcached's base folder (-b) with a "
					     "host:port daemon", d);
		}
	} else if (d == NULL) {
		return nm_conf_error(conf, err, "missing required setting "
				     "'directory' (or set 'daemon')");
	}
	if (d != NULL && *d == '\0' && daemon == NULL)
		return nm_conf_error(dir, err, "an empty folder name");
	if (spans != NULL) {
		for (int i = 0; i < config_setting_length(spans); i++) {
			config_setting_t *el = config_setting_get_elem(spans, (guint)i);
			int t = config_setting_type(el);
			if ((t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) ||
			    config_setting_get_int64(el) < 1)
				return nm_conf_error(spans, err, "element %d is not a "
						     "positive number of seconds",
						     i + 1);
		}
	}
	types = rrd_types_load(types_db_path(conf), &e);
	if (types == NULL) {
		if (tdb != NULL)
			nm_conf_error(tdb, err, "%s", e->message);
		else
			nm_conf_error(conf, err, "%s (set types_db)", e->message);
		g_error_free(e);
		return FALSE;
	}
	g_hash_table_unref(types);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/* Count @n errors of @kind; log one line per kind per LOG_EVERY. */
static void report(rrd_ctx *c, err_kind kind, guint64 n, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
static void report(rrd_ctx *c, err_kind kind, guint64 n, const char *fmt, ...)
{
	gint64 now = g_get_monotonic_time();
	gboolean log = FALSE;
	guint64 quiet = 0;

	if (n == 0)
		return;
	nm_counter_add(c->errors[kind], n);
	nm_counter_add(c->errors_total, n);
	g_mutex_lock(&c->log_lock);
	if (c->last_log[kind] == 0 || now - c->last_log[kind] >= LOG_EVERY) {
		log = TRUE;
		quiet = c->suppressed[kind];
		c->suppressed[kind] = 0;
		c->last_log[kind] = now;
	} else {
		c->suppressed[kind] += n;
	}
	g_mutex_unlock(&c->log_lock);
	if (log) {
		va_list ap;
		char *msg;
		va_start(ap, fmt);
		msg = g_strdup_vprintf(fmt, ap);
		va_end(ap);
		if (quiet > 0)
			NM_WARNING(c->p, "%s (%s; %" G_GUINT64_FORMAT " more since "
				   "the last message)", msg, err_names[kind], quiet);
		else
			NM_WARNING(c->p, "%s (%s)", msg, err_names[kind]);
		g_free(msg);
	}
}

/* ------------------------------------------------------------------ */
/* The cache                                                           */

/* A new update for time @t (s) with the rrd_update argument @str. */
static upd *upd_new(gint64 t, const char *str, gsize len)
{
	upd *u = g_malloc(sizeof(upd) + len + 1);

	u->t = t;
	u->acked = 0;
	u->resent = FALSE;
	memcpy(u->s, str, len);
	u->s[len] = '\0';
	return u;
}

static gsize upd_size(const upd *u)
{
	return sizeof(upd) + strlen(u->s) + 1 + 2 * sizeof(gpointer);
}

static void rfile_free(gpointer data)
{
	rfile *f = data;

	g_ptr_array_unref(f->vals);
	g_ptr_array_unref(f->acked);
	g_free(f->ctr);
	g_free(f->path);
	g_free(f->ident);
	g_free(f);
}

/* Under lock: the entry of @path, made if new. */
static rfile *rfile_get(rrd_ctx *c, const char *path, const char *ident,
			const rrd_type *type, gint64 step)
{
	rfile *f = g_hash_table_lookup(c->files, path);

	if (f == NULL) {
		f = g_new0(rfile, 1);
		f->path = g_strdup(path);
		f->ident = g_strdup(ident);
		f->type = type;
		f->step = step;
		f->vals = g_ptr_array_new_with_free_func(g_free);
		f->acked = g_ptr_array_new_with_free_func(g_free);
		f->last_cached = G_MININT64;
		f->link.data = f;
		g_hash_table_insert(c->files, f->path, f);
	}
	return f;
}

/* Under lock: append @u to @f's cache. */
static void cache_add(rrd_ctx *c, rfile *f, upd *u)
{
	gsize sz = upd_size(u);

	g_ptr_array_add(f->vals, u);
	f->bytes += sz;
	c->cache_bytes += sz;
	c->cache_values++;
	if (!f->queued) {
		f->dirty_since = g_get_monotonic_time();
		g_queue_push_tail_link(&c->dirty, &f->link);
		f->queued = TRUE;
	}
}

/* Under lock: take @f's cached values out (the caller owns the array). */
static GPtrArray *cache_steal(rrd_ctx *c, rfile *f)
{
	GPtrArray *v = f->vals;

	f->vals = g_ptr_array_new_with_free_func(g_free);
	c->cache_bytes -= f->bytes;
	c->cache_values -= v->len;
	f->bytes = 0;
	if (f->queued) {
		g_queue_unlink(&c->dirty, &f->link);
		f->queued = FALSE;
	}
	return v;
}

/* Under lock: put values back in front of what arrived meanwhile (they are
 * older), the file at the head of the dirty queue. Takes @v. */
static void cache_unsteal(rrd_ctx *c, rfile *f, GPtrArray *v, guint from)
{
	GPtrArray *merged;
	gsize sz = 0;

	if (from >= v->len) {
		g_ptr_array_unref(v);
		return;
	}
	merged = g_ptr_array_new_full(v->len - from + f->vals->len, g_free);
	for (guint i = from; i < v->len; i++) {
		sz += upd_size(v->pdata[i]);
		g_ptr_array_add(merged, v->pdata[i]);
		v->pdata[i] = NULL;
	}
	for (guint i = 0; i < f->vals->len; i++) {
		g_ptr_array_add(merged, f->vals->pdata[i]);
		f->vals->pdata[i] = NULL;
	}
	c->cache_values += v->len - from;
	g_ptr_array_unref(v);
	g_ptr_array_unref(f->vals);
	f->vals = merged;
	f->bytes += sz;
	c->cache_bytes += sz;
	if (f->queued)
		g_queue_unlink(&c->dirty, &f->link);
	g_queue_push_head_link(&c->dirty, &f->link);
	f->queued = TRUE;
	f->dirty_since = 0; /* oldest: written first */
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/* WR_RETRY: the file cannot be created now because its disk is full; its
 * values stay cached and are tried again after RETRY_FULL. */
typedef enum { WR_OK = 0, WR_DOWN, WR_RETRY } wresult;

#define RETRY_FULL (5 * G_USEC_PER_SEC)
/* Less free space than this (or no free inode) counts as a full disk. */
#define FULL_BYTES (4 << 20)

/* Whether the file system of @path's folder (or its nearest existing
 * parent) is full. */
static gboolean disk_full(const char *path)
{
	char *dir = g_path_get_dirname(path);
	struct statvfs sv;
	gboolean full = FALSE;

	while (statvfs(dir, &sv) != 0 && strcmp(dir, "/") != 0 && strcmp(dir, ".") != 0) {
		char *up = g_path_get_dirname(dir);
		g_free(dir);
		dir = up;
	}
	if (statvfs(dir, &sv) == 0)
		full = (guint64)sv.f_bavail * sv.f_frsize < FULL_BYTES ||
		       (sv.f_files > 0 && sv.f_favail == 0);
	g_free(dir);
	return full;
}

/* Whether librrd's client holds a connection to our daemon. Call with
 * rrdc_mutex held. */
static gboolean daemon_connected(rrd_ctx *c)
{
	return rrdc_is_connected(c->daemon) != 0;
}

/* With wlock: connect to rrdcached if needed. */
static gboolean daemon_connect(rrd_ctx *c)
{
	int st;
	char *why;

	g_mutex_lock(&rrdc_mutex);
	rrd_clear_error();
	st = rrdc_connect(c->daemon);
	if (st == 0 && !daemon_connected(c))
		st = -1;
	why = g_strdup(rrd_test_error() ? rrd_get_error() : g_strerror(st > 0 ? st : EIO));
	g_mutex_unlock(&rrdc_mutex);
	if (st == 0) {
		gboolean was;
		g_mutex_lock(&c->lock);
		was = c->daemon_up;
		c->daemon_up = TRUE;
		g_mutex_unlock(&c->lock);
		if (!was && !c->ever_connected)
			NM_NOTICE(c->p, "connected to rrdcached at %s", c->daemon);
		c->ever_connected = TRUE;
		c->backoff = 0;
		g_free(why);
		return TRUE;
	}
	report(c, ERR_DAEMON, 1, "cannot connect to rrdcached at %s: %s; "
	       "keeping updates until it is back", c->daemon, why);
	g_free(why);
	return FALSE;
}

/* With wlock: the daemon went away; back off before the next try. */
static void daemon_lost(rrd_ctx *c, const char *why)
{
	gboolean was;

	g_mutex_lock(&c->lock);
	was = c->daemon_up;
	c->daemon_up = FALSE;
	g_mutex_unlock(&c->lock);
	g_mutex_lock(&rrdc_mutex);
	rrdc_disconnect();
	g_mutex_unlock(&rrdc_mutex);
	c->backoff = c->backoff == 0 ? 250 * 1000 : MIN(c->backoff * 2, c->reconnect_max);
	c->next_retry = g_get_monotonic_time() + c->backoff;
	if (was && !c->resend_pending) {
		c->lost_at = g_get_monotonic_time();
		c->resend_pending = TRUE;
	}
	if (was)
		report(c, ERR_DAEMON, 1, "lost rrdcached at %s: %s; keeping "
		       "updates until it is back", c->daemon, why);
}

/* Make the folders of @path (errors show up when the file is created). */
static void mkdir_parent(const char *path)
{
	char *dir = g_path_get_dirname(path);

	(void)g_mkdir_with_parents(dir, 0755);
	g_free(dir);
}

/* With wlock: make sure @f exists and learn its last update. @first: time of
 * the first value to write. On failure (WR_OK with *@why set, new string)
 * the caller drops the values. */
static wresult ensure_file(rrd_ctx *c, rfile *f, gint64 first, char **why)
{
	char **args;
	int argc, st;
	gint64 hb = (gint64)ceil(c->heartbeat_factor * (double)f->step);

	*why = NULL;
	if (f->checked)
		return WR_OK;
	args = rrd_create_args(f->type, f->step, hb, c->timespans,
			       c->n_timespans, c->rra_rows, c->xff);
	argc = (int)g_strv_length(args);
	if (c->daemon == NULL) {
		if (g_file_test(f->path, G_FILE_TEST_EXISTS)) {
			rrd_clear_error();
			f->last_file = rrd_last_r(f->path);
			if (f->last_file < 0) {
				*why = g_strdup_printf("cannot read %s: %s",
						       f->path, rrd_get_error());
				g_strfreev(args);
				return WR_OK;
			}
		} else {
			mkdir_parent(f->path);
			rrd_clear_error();
			st = rrd_create_r(f->path, (unsigned long)f->step,
					  (time_t)(first - f->step), argc,
					  (const char **)args);
			/* librrd 1.7 may report success on a full disk without
			 * leaving a file: look. */
			if ((st != 0 || !g_file_test(f->path, G_FILE_TEST_EXISTS)) &&
			    disk_full(f->path)) {
				g_strfreev(args);
				return WR_RETRY;
			}
			if (st == 0 && !g_file_test(f->path, G_FILE_TEST_EXISTS)) {
				*why = g_strdup_printf("cannot create %s: librrd made "
						       "no file", f->path);
				g_strfreev(args);
				return WR_OK;
			}
			if (st != 0) {
				*why = g_strdup_printf("cannot create %s: %s",
						       f->path, rrd_get_error());
				g_strfreev(args);
				return WR_OK;
			}
			nm_counter_add(c->files_created, 1);
			f->last_file = first - f->step;
		}
	} else {
		gboolean down = FALSE;
		char *err = NULL;
		if (c->daemon_unix)
			mkdir_parent(f->path);
		g_mutex_lock(&rrdc_mutex);
		rrd_clear_error();
		st = rrdc_create(f->path, (unsigned long)f->step,
				 (time_t)(first - f->step), 1, argc,
				 (const char **)args);
		if (st != 0 && !daemon_connected(c)) {
			down = TRUE;
		} else if (st != 0 && strstr(rrd_get_error(), "File exists") == NULL) {
			err = g_strdup(rrd_get_error());
		} else if (st != 0) {
			rrd_clear_error();
			time_t last = rrdc_last(f->path);
			if (last < 0 && !daemon_connected(c))
				down = TRUE;
			else
				f->last_file = last < 0 ? 0 : (gint64)last;
		} else {
			f->last_file = first - f->step;
		}
		if (down)
			err = g_strdup(rrd_get_error());
		g_mutex_unlock(&rrdc_mutex);
		if (down) {
			daemon_lost(c, err);
			g_free(err);
			g_strfreev(args);
			return WR_DOWN;
		}
		if (err != NULL) {
			*why = g_strdup_printf("rrdcached cannot create %s: %s",
					       f->path, err);
			g_free(err);
			g_strfreev(args);
			return WR_OK;
		}
		if (st == 0)
			nm_counter_add(c->files_created, 1);
	}
	g_strfreev(args);
	f->checked = TRUE;
	return WR_OK;
}

/* With wlock: one update call for @n values. Returns 0, or -1 with *@why
 * (new) and *@down. */
static int update_call(rrd_ctx *c, rfile *f, const char **argv, int n,
		       char **why, gboolean *down)
{
	int st;

	*why = NULL;
	*down = FALSE;
	if (c->daemon == NULL) {
		rrd_clear_error();
		st = rrd_update_r(f->path, NULL, n, argv);
		if (st != 0)
			*why = g_strdup(rrd_get_error());
		return st == 0 ? 0 : -1;
	}
	g_mutex_lock(&rrdc_mutex);
	rrd_clear_error();
	st = rrdc_update(f->path, n, (const char *const *)argv);
	if (st != 0) {
		*down = !daemon_connected(c);
		*why = g_strdup(rrd_test_error() ? rrd_get_error()
						 : g_strerror(st > 0 ? st : EIO));
	}
	g_mutex_unlock(&rrdc_mutex);
	return st == 0 ? 0 : -1;
}

/* Most acknowledged updates kept per file for a resend. */
#define ACKED_MAX 256

/* With wlock: @n values of @v from @i were acknowledged by rrdcached: move
 * them to @f's resend window (v's slots become NULL) and forget those older
 * than the window. */
static void keep_acked(rrd_ctx *c, rfile *f, GPtrArray *v, guint i, guint n)
{
	gint64 now = g_get_monotonic_time();
	guint old = 0;
	for (guint k = i; k < i + n; k++) {
		upd *u = v->pdata[k];
		u->acked = now;
		g_ptr_array_add(f->acked, u);
		v->pdata[k] = NULL;
	}
	while (old < f->acked->len &&
	       (f->acked->len - old > ACKED_MAX ||
		((upd *)f->acked->pdata[old])->acked < now - c->resend_window))
		old++;
	if (old > 0)
		g_ptr_array_remove_range(f->acked, 0, old);
	g_mutex_lock(&c->lock);
	c->acked_held += n;
	c->acked_held -= MIN(old, c->acked_held);
	g_mutex_unlock(&c->lock);
}

/* With wlock: write @v[*pos..] (times increasing) to @f. On WR_DOWN, *@pos
 * is the first value not written. Values marked resent that the file
 * already has are counted as duplicates, not errors. */
static wresult write_values(rrd_ctx *c, rfile *f, GPtrArray *v, guint *pos)
{
	const char **argv = g_new(const char *, MIN(v->len, DIRECT_CHUNK) + 1);
	char *fail = NULL;
	wresult r = WR_OK;
	guint i = *pos;

	if (i >= v->len)
		goto out;
	r = ensure_file(c, f, ((upd *)v->pdata[i])->t, &fail);
	if (r == WR_RETRY)
		report(c, ERR_NO_SPACE, v->len - i, "cannot create %s: the disk is "
		       "full; %u updates kept, tried again in %d s", f->path,
		       v->len - i, (int)(RETRY_FULL / G_USEC_PER_SEC));
	if (r != WR_OK)
		goto out;
	if (fail != NULL) {
		report(c, ERR_CREATE, v->len - i, "%s; %u updates dropped", fail,
		       v->len - i);
		g_free(fail);
		i = v->len;
		goto out;
	}
	while (i < v->len) {
		int n = 0;
		gsize len = strlen(f->path) + 16;
		char *why;
		gboolean down;

		/* Values the file already has are refused by RRD: skip them. */
		if (((upd *)v->pdata[i])->t <= f->last_file) {
			if (((upd *)v->pdata[i])->resent)
				nm_counter_add(c->duplicates, 1);
			else
				report(c, ERR_TIME, 1, "%s: value at %" G_GINT64_FORMAT
				       " is not after the last update (%" G_GINT64_FORMAT ")",
				       f->path, ((upd *)v->pdata[i])->t, f->last_file);
			i++;
			continue;
		}
		while (i + (guint)n < v->len && n < DIRECT_CHUNK) {
			upd *u = v->pdata[i + (guint)n];
			gsize l = strlen(u->s) + 1;
			if (c->daemon != NULL && n > 0 && len + l > RRDC_REQUEST_MAX)
				break;
			len += l;
			argv[n++] = u->s;
		}
		argv[n] = NULL;
		if (update_call(c, f, argv, n, &why, &down) == 0) {
			guint64 again = 0;
			for (guint k = i; k < i + (guint)n; k++)
				again += ((upd *)v->pdata[k])->resent ? 1 : 0;
			nm_counter_add(c->values_written, (guint64)n);
			nm_counter_add(c->resent, again);
			nm_counter_add(c->writes, 1);
			f->last_file = ((upd *)v->pdata[i + (guint)n - 1])->t;
			if (c->daemon != NULL && c->resend_window > 0)
				keep_acked(c, f, v, i, (guint)n);
			i += (guint)n;
			continue;
		}
		if (down) {
			daemon_lost(c, why);
			g_free(why);
			r = WR_DOWN;
			break;
		}
		{
			gint64 last = rrd_error_last_time(why);
			if (last >= 0) {
				/* Times rise within the chunk, so RRD stopped
				 * at the first: values up to @last are refused,
				 * the rest is retried. */
				guint64 dropped = 0, dup = 0;
				f->last_file = last;
				while (i < v->len && ((upd *)v->pdata[i])->t <= last) {
					if (((upd *)v->pdata[i])->resent)
						dup++;
					else
						dropped++;
					i++;
				}
				nm_counter_add(c->duplicates, dup);
				report(c, ERR_TIME, dropped, "%s: %s", f->path, why);
			} else {
				report(c, ERR_UPDATE, (guint64)n, "cannot update %s: %s",
				       f->path, why);
				i += (guint)n;
				if (strstr(why, "No such file") != NULL ||
				    strstr(why, "opening") != NULL)
					f->checked = FALSE; /* recreate next time */
			}
		}
		g_free(why);
	}
out:
	*pos = i;
	g_free(argv);
	return r;
}

/* ------------------------------------------------------------------ */
/* Journal                                                             */

static guint64 count_lines(const char *path, guint64 *bytes)
{
	FILE *f = fopen(path, "r");
	guint64 n = 0;
	int ch;

	*bytes = 0;
	if (f == NULL)
		return 0;
	while ((ch = getc(f)) != EOF) {
		(*bytes)++;
		if (ch == '\n')
			n++;
	}
	fclose(f);
	return n;
}

/* With wlock: append every cached value to the journal and empty the
 * cache (rrdcached is down and memory is full, or we are stopping). */
static void spill(rrd_ctx *c)
{
	FILE *j = fopen(c->journal, "a");
	guint64 values = 0, bytes = 0, lost = 0;
	GPtrArray *taken = g_ptr_array_new();   /* rfile*, values */
	GPtrArray *vals = g_ptr_array_new();

	g_mutex_lock(&c->lock);
	while (c->dirty.head != NULL) {
		rfile *f = c->dirty.head->data;
		g_ptr_array_add(taken, f);
		g_ptr_array_add(vals, cache_steal(c, f));
	}
	g_mutex_unlock(&c->lock);
	for (guint i = 0; i < taken->len; i++) {
		rfile *f = taken->pdata[i];
		GPtrArray *v = vals->pdata[i];
		for (guint k = 0; k < v->len; k++) {
			upd *u = v->pdata[k];
			int n;
			if (j == NULL ||
			    c->journal_bytes + bytes >= c->journal_max_bytes) {
				lost++;
				continue;
			}
			n = fprintf(j, "%s\t%s\t%" G_GINT64_FORMAT "\t%s\n", f->path,
				    f->type->name, f->step, u->s);
			if (n < 0) {
				lost++;
				continue;
			}
			values++;
			bytes += (guint64)n;
		}
		g_ptr_array_unref(v);
	}
	if (j != NULL && (fflush(j) != 0 || fsync(fileno(j)) != 0 || fclose(j) != 0)) {
		report(c, ERR_JOURNAL, values, "cannot write the journal %s: %s",
		       c->journal, g_strerror(errno));
		j = NULL;
	} else if (j == NULL && lost > 0) {
		report(c, ERR_JOURNAL, lost, "cannot open the journal %s: %s; "
		       "updates lost", c->journal, g_strerror(errno));
		lost = 0;
	}
	if (lost > 0)
		report(c, ERR_JOURNAL_FULL, lost, "journal %s reached "
		       "journal_max_bytes (%" G_GUINT64_FORMAT "): updates lost",
		       c->journal, c->journal_max_bytes);
	g_mutex_lock(&c->lock);
	c->journal_values += values;
	c->journal_bytes += bytes;
	g_mutex_unlock(&c->lock);
	nm_counter_add(c->journaled, values);
	if (values > 0) {
		/* One line per LOG_EVERY: spills come with every full cache. */
		gint64 now = g_get_monotonic_time();
		gboolean log = FALSE;
		g_mutex_lock(&c->log_lock);
		c->spilled_quiet += values;
		if (c->last_spill_log == 0 || now - c->last_spill_log >= LOG_EVERY) {
			log = TRUE;
			values = c->spilled_quiet;
			c->spilled_quiet = 0;
			c->last_spill_log = now;
		}
		g_mutex_unlock(&c->log_lock);
		/* While rrdcached is down the "is back" line has the figure. */
		if (log && (c->stopping || c->daemon == NULL))
			NM_INFO(c->p, "rrdcached at %s is down: %" G_GUINT64_FORMAT
				" updates kept in %s (next such message in %d s at "
				"the earliest)", c->daemon != NULL ? c->daemon : "-",
				values, c->journal, (int)(LOG_EVERY / G_USEC_PER_SEC));
	}
	g_ptr_array_free(taken, TRUE);
	g_ptr_array_free(vals, TRUE);
}

/* One journal line: path, type, step, update. Parses in place. */
static gboolean journal_parse(char *line, char **path, char **type,
			      gint64 *step, char **u)
{
	char *f[4];
	char *s = line;
	char *end = NULL;

	for (int i = 0; i < 3; i++) {
		char *tab = strchr(s, '\t');
		if (tab == NULL)
			return FALSE;
		*tab = '\0';
		f[i] = s;
		s = tab + 1;
	}
	f[3] = s;
	g_strchomp(f[3]);
	*step = g_ascii_strtoll(f[2], &end, 10);
	if (end == f[2] || *step < 1 || *f[0] == '\0' || *f[3] == '\0')
		return FALSE;
	*path = f[0];
	*type = f[1];
	*u = f[3];
	return TRUE;
}

/* With wlock: write the values of one file gathered from the journal. */
static wresult replay_flush(rrd_ctx *c, rfile *f, GPtrArray *v)
{
	guint pos = 0;
	wresult r = WR_OK;

	if (f != NULL && v->len > 0) {
		r = write_values(c, f, v, &pos);
		if (r == WR_OK)
			nm_counter_add(c->replayed, v->len);
	}
	if (r == WR_RETRY) {
		/* Disk full: the rest goes to the cache, before newer values. */
		GPtrArray *rest = g_ptr_array_new_with_free_func(g_free);
		for (guint k = pos; k < v->len; k++) {
			g_ptr_array_add(rest, v->pdata[k]);
			v->pdata[k] = NULL;
		}
		g_mutex_lock(&c->lock);
		cache_unsteal(c, f, rest, 0);
		g_mutex_unlock(&c->lock);
		f->retry_at = g_get_monotonic_time() + RETRY_FULL;
		r = WR_OK;
	}
	g_ptr_array_set_size(v, 0);
	return r;
}

/* With wlock: replay @file. Returns WR_DOWN (the unreplayed rest kept in
 * @file) when rrdcached goes away again. */
static wresult replay_file(rrd_ctx *c, const char *file)
{
	FILE *in = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long group_start = 0;  /* offset of the first line of the group */
	rfile *f = NULL;
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	wresult r = WR_OK;
	guint64 done = 0, bytes_done = 0, group_n = 0, group_bytes = 0;

	if (in == NULL) {
		g_ptr_array_unref(v);
		if (errno != ENOENT)
			report(c, ERR_JOURNAL, 1, "cannot read the journal %s: %s",
			       file, g_strerror(errno));
		return WR_OK;
	}
	NM_DEBUG(c->p, "replaying the journal %s", file);
	while (r == WR_OK) {
		long here = ftell(in);
		char *path, *type, *us;
		gint64 step, t;
		upd *u;

		len = getline(&line, &cap, in);
		if (len > 0 && !journal_parse(line, &path, &type, &step, &us)) {
			report(c, ERR_JOURNAL, 1, "%s: a malformed line skipped", file);
			done++;
			bytes_done += (guint64)len;
			continue;
		}
		if (len <= 0 || f == NULL || strcmp(path, f->path) != 0 ||
		    v->len >= DIRECT_CHUNK) {
			r = replay_flush(c, f, v);
			if (r != WR_OK)
				break;
			done += group_n;
			bytes_done += group_bytes;
			group_n = group_bytes = 0;
			group_start = here;
			f = NULL;
			if (len <= 0)
				break;
			{
				const rrd_type *ty = g_hash_table_lookup(c->types, type);
				if (ty == NULL) {
					report(c, ERR_UNKNOWN_TYPE, 1, "%s: type %s of "
					       "%s is not in types.db; line skipped",
					       file, type, path);
					done++;
					bytes_done += (guint64)len;
					group_start = ftell(in);
					continue;
				}
				g_mutex_lock(&c->lock);
				f = rfile_get(c, path, path, ty, step);
				g_mutex_unlock(&c->lock);
			}
		}
		t = g_ascii_strtoll(us, NULL, 10);
		u = upd_new(t, us, strlen(us));
		g_ptr_array_add(v, u);
		group_n++;
		group_bytes += (guint64)len;
	}
	g_free(line);
	g_ptr_array_unref(v);
	if (r == WR_DOWN) {
		/* Keep the rest (from the group that failed) for next time. */
		char *rest = g_strconcat(file, ".tmp", NULL);
		FILE *out = fopen(rest, "w");
		gboolean good = out != NULL && fseek(in, group_start, SEEK_SET) == 0;
		char buf[65536];
		size_t n;
		while (good && (n = fread(buf, 1, sizeof buf, in)) > 0)
			good = fwrite(buf, 1, n, out) == n;
		if (out != NULL && (fflush(out) != 0 || fsync(fileno(out)) != 0 ||
				    fclose(out) != 0))
			good = FALSE;
		if (!good || g_rename(rest, file) != 0)
			report(c, ERR_JOURNAL, 1, "cannot rewrite the journal %s: %s",
			       file, g_strerror(errno));
		g_free(rest);
	} else if (g_unlink(file) != 0) {
		report(c, ERR_JOURNAL, 1, "cannot remove the replayed journal %s: %s",
		       file, g_strerror(errno));
	}
	fclose(in);
	g_mutex_lock(&c->lock);
	c->journal_values -= MIN(done, c->journal_values);
	c->journal_bytes -= MIN(bytes_done, c->journal_bytes);
	if (r == WR_OK && !g_file_test(c->journal, G_FILE_TEST_EXISTS) &&
	    !g_file_test(c->replay, G_FILE_TEST_EXISTS))
		c->journal_values = c->journal_bytes = 0;
	g_mutex_unlock(&c->lock);
	if (r == WR_OK)
		NM_DEBUG(c->p, "journal %s replayed", file);
	return r;
}

/* With wlock: replay what was journaled, oldest first. */
static wresult replay_all(rrd_ctx *c)
{
	if (g_file_test(c->replay, G_FILE_TEST_EXISTS) &&
	    replay_file(c, c->replay) != WR_OK)
		return WR_DOWN;
	if (g_file_test(c->journal, G_FILE_TEST_EXISTS)) {
		if (g_rename(c->journal, c->replay) != 0) {
			report(c, ERR_JOURNAL, 1, "cannot rename %s: %s", c->journal,
			       g_strerror(errno));
			return WR_OK;
		}
		return replay_file(c, c->replay);
	}
	return WR_OK;
}

/* ------------------------------------------------------------------ */
/* Resend after a reconnect                                            */

/* With wlock, rrdcached connected again: send what it acknowledged in the
 * resend window before it was lost (it may have dropped it). Each file's
 * last update is asked for first, so what reached the file is skipped and
 * counted as a duplicate. Returns WR_DOWN (the rest kept for the next
 * reconnect) if rrdcached goes away again. */
static wresult resend(rrd_ctx *c)
{
	GPtrArray *files = g_ptr_array_new();
	gint64 from = c->lost_at - c->resend_window;
	guint64 candidates = 0, dup0 = nm_counter_get(c->duplicates);
	guint64 sent0 = nm_counter_get(c->resent);
	guint64 taken = 0;
	GHashTableIter it;
	gpointer k, val;
	wresult r = WR_OK;

	g_mutex_lock(&c->lock);
	g_hash_table_iter_init(&it, c->files);
	while (g_hash_table_iter_next(&it, &k, &val))
		if (((rfile *)val)->acked->len > 0)
			g_ptr_array_add(files, val);
	g_mutex_unlock(&c->lock);
	for (guint i = 0; i < files->len; i++) {
		rfile *f = files->pdata[i];
		GPtrArray *v = f->acked;
		guint first = 0, pos;

		f->acked = g_ptr_array_new_with_free_func(g_free);
		taken += v->len;
		if (r != WR_OK) {
			/* Gone again: keep the rest for the next reconnect. */
			for (guint j = 0; j < v->len; j++) {
				g_ptr_array_add(f->acked, v->pdata[j]);
				v->pdata[j] = NULL;
			}
			taken -= v->len;
			g_ptr_array_unref(v);
			continue;
		}
		while (first < v->len && ((upd *)v->pdata[first])->acked < from)
			first++;
		for (guint j = first; j < v->len; j++)
			((upd *)v->pdata[j])->resent = TRUE;
		candidates += v->len - first;
		pos = first;
		f->checked = FALSE;  /* learn the file's last update again */
		if (first < v->len)
			r = write_values(c, f, v, &pos);
		for (guint j = pos; r != WR_OK && j < v->len; j++) {
			g_ptr_array_add(f->acked, v->pdata[j]);
			v->pdata[j] = NULL;
			taken--;
		}
		g_ptr_array_unref(v);
	}
	g_mutex_lock(&c->lock);
	c->acked_held -= MIN(taken, c->acked_held);
	g_mutex_unlock(&c->lock);
	g_ptr_array_free(files, TRUE);
	c->back_resent += nm_counter_get(c->resent) - sent0;
	c->back_dup += nm_counter_get(c->duplicates) - dup0;
	(void)candidates;
	return r;
}

/* ------------------------------------------------------------------ */
/* Writer passes                                                       */

typedef enum {
	PASS_TICK,      /* files older than cache_timeout, rate-capped */
	PASS_PRESSURE,  /* oldest files until the cache is under half the cap */
	PASS_FLUSH,     /* files matching a glob (NULL: all) */
	PASS_FINAL      /* everything; journal what cannot be written */
} pass_kind;

/* With wlock. Returns the number of values written or journaled. */
static guint64 writer_pass(rrd_ctx *c, pass_kind kind, GPatternSpec *glob,
			   guint *n_files)
{
	gint64 now = g_get_monotonic_time();
	GPtrArray *files = g_ptr_array_new(), *vals = g_ptr_array_new();
	guint64 before = nm_counter_get(c->values_written);
	guint budget = G_MAXUINT;
	gboolean up = TRUE;
	gboolean must = kind == PASS_PRESSURE || kind == PASS_FINAL;
	gboolean retry = FALSE;

	*n_files = 0;
	if (c->daemon != NULL) {
		g_mutex_lock(&rrdc_mutex);
		up = daemon_connected(c);
		g_mutex_unlock(&rrdc_mutex);
		if (!up && (now >= c->next_retry || kind != PASS_TICK))
			up = daemon_connect(c);
		if (!up) {
			if (c->backoff == 0 || now >= c->next_retry) {
				c->backoff = c->backoff == 0 ? 250 * 1000 :
					MIN(c->backoff * 2, c->reconnect_max);
				c->next_retry = now + c->backoff;
			}
			if (must)
				spill(c);
			goto out;
		}
	}
	if (c->resend_pending) {
		guint64 replayed0 = nm_counter_get(c->replayed);
		if (resend(c) != WR_OK || replay_all(c) != WR_OK) {
			if (must)
				spill(c);
			goto out;
		}
		/* One line for the whole outage (the loss was the other). */
		NM_NOTICE(c->p, "rrdcached at %s is back after %.0f s: %"
			  G_GUINT64_FORMAT " journaled updates replayed; of those "
			  "it acknowledged in the last %.0f s before it went away, %"
			  G_GUINT64_FORMAT " were missing from the files and sent "
			  "again, %" G_GUINT64_FORMAT " were there", c->daemon,
			  (double)(now - c->lost_at) / G_USEC_PER_SEC,
			  nm_counter_get(c->replayed) - replayed0,
			  (double)c->resend_window / G_USEC_PER_SEC,
			  c->back_resent, c->back_dup);
		c->back_resent = c->back_dup = 0;
		c->resend_pending = FALSE;
	}
	if (replay_all(c) != WR_OK) {
		if (must)
			spill(c);
		goto out;
	}
	if (kind == PASS_TICK && c->writes_per_second > 0)
		budget = MAX(1u, (guint)((double)c->writes_per_second *
					 (double)c->flush_interval / 1e6));
	g_mutex_lock(&c->lock);
	for (GList *l = c->dirty.head, *next; l != NULL && budget > 0; l = next) {
		rfile *f = l->data;
		next = l->next;
		if ((kind == PASS_TICK || kind == PASS_PRESSURE) && f->retry_at > now)
			continue;   /* its disk was full a moment ago */
		if (kind == PASS_TICK && f->dirty_since + c->cache_timeout > now)
			break;   /* the queue is oldest first */
		if (kind == PASS_PRESSURE && c->cache_bytes <= c->cache_max_bytes / 2)
			break;
		if (kind == PASS_FLUSH && glob != NULL &&
		    !g_pattern_spec_match_string(glob, f->ident))
			continue;
		g_ptr_array_add(files, f);
		g_ptr_array_add(vals, cache_steal(c, f));
		budget--;
	}
	g_mutex_unlock(&c->lock);
	for (guint i = 0; i < files->len; i++) {
		guint pos = 0;
		rfile *f = files->pdata[i];
		wresult wr = write_values(c, f, vals->pdata[i], &pos);
		if (wr == WR_OK) {
			g_ptr_array_unref(vals->pdata[i]);
			(*n_files)++;
			continue;
		}
		if (wr == WR_RETRY) {
			/* Disk full: keep the values, try this file later. */
			g_mutex_lock(&c->lock);
			cache_unsteal(c, f, vals->pdata[i], pos);
			g_mutex_unlock(&c->lock);
			f->retry_at = g_get_monotonic_time() + RETRY_FULL;
			retry = TRUE;
			continue;
		}
		/* rrdcached went away: everything not written goes back to
		 * the cache, in order, at the head of the queue. */
		g_mutex_lock(&c->lock);
		for (guint k = files->len; k-- > i + 1;)
			cache_unsteal(c, files->pdata[k], vals->pdata[k], 0);
		cache_unsteal(c, f, vals->pdata[i], pos);
		g_mutex_unlock(&c->lock);
		if (must)
			spill(c);
		break;
	}
	/* Over the memory cap (or stopping) with files on a full disk: their
	 * values go to the journal (replayed by later passes). */
	if (retry && (kind == PASS_FINAL ||
		      (kind == PASS_PRESSURE && c->cache_bytes > c->cache_max_bytes)))
		spill(c);
	/* rrdcached: write what it caches too (librrd 1.7 exports no
	 * rrdc_flushall, so file by file). */
	if (kind == PASS_FLUSH && c->daemon != NULL && up) {
		GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
		GHashTableIter it;
		gpointer k, val;
		guint failed = 0;

		g_mutex_lock(&c->lock);
		g_hash_table_iter_init(&it, c->files);
		while (g_hash_table_iter_next(&it, &k, &val)) {
			rfile *f = val;
			if (f->checked && (glob == NULL ||
					   g_pattern_spec_match_string(glob, f->ident)))
				g_ptr_array_add(paths, g_strdup(f->path));
		}
		g_mutex_unlock(&c->lock);
		g_mutex_lock(&rrdc_mutex);
		for (guint i = 0; i < paths->len; i++)
			if (rrdc_flush(paths->pdata[i]) != 0)
				failed++;
		g_mutex_unlock(&rrdc_mutex);
		if (failed > 0)
			NM_WARNING(c->p, "rrdcached at %s could not flush %u of %u "
				   "files", c->daemon, failed, paths->len);
		g_ptr_array_unref(paths);
	}
out:
	g_ptr_array_free(files, TRUE);
	g_ptr_array_free(vals, TRUE);
	return nm_counter_get(c->values_written) - before;
}

/* Periodic writer, on the worker pool. */
static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	rrd_ctx *c = data;
	guint n;

	(void)p;
	(void)t;
	(void)due;
	g_mutex_lock(&c->wlock);
	writer_pass(c, PASS_TICK, NULL, &n);
	g_mutex_unlock(&c->wlock);
	return NM_RUN_DONE;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

/* Under lock: the COUNTER values of @m that went down without wrapping
 * (a reset: device or interface restart), as a bit mask; remembers the
 * values for the next sample. RRD would read a reset as a wrap and store
 * a spike of about 2^32 or 2^64 per step; written as unknown instead. */
static guint64 counter_resets(rfile *f, const nm_metric *m)
{
	guint64 mask = 0;

	for (guint i = 0; i < m->n_values && i < 64; i++) {
		guint64 bit = G_GUINT64_CONSTANT(1) << i, cur;
		if (m->values[i].kind != NM_DS_COUNTER)
			continue;
		cur = m->values[i].v.counter;
		if (f->ctr == NULL)
			f->ctr = g_new0(guint64, m->n_values);
		if ((f->ctr_known & bit) != 0 && cur < f->ctr[i] &&
		    !rrd_counter_wrapped(f->ctr[i], cur))
			mask |= bit;
		f->ctr[i] = cur;
		f->ctr_known |= bit;
	}
	return mask;
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	rrd_ctx *c = data;
	GString *s = g_string_new(NULL);
	/* the file's path, built without allocating per message: the
	 * directory prefix stays, the relative path is rewritten */
	GString *path = g_string_new(c->directory != NULL ? c->directory : "");
	gsize prefix;
	gboolean over;

	if (path->len > 0 && path->str[path->len - 1] != G_DIR_SEPARATOR)
		g_string_append_c(path, G_DIR_SEPARATOR);
	prefix = path->len;
	nm_counter_add(c->received, n);
	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);
		const rrd_type *type;
		gint64 t, step;
		rfile *f;
		upd *u;

		if (m == NULL)
			continue;
		type = g_hash_table_lookup(c->types, m->type);
		if (type == NULL) {
			char *id = nm_metric_identity(m);
			report(c, ERR_UNKNOWN_TYPE, 1, "%s: type '%s' is not in "
			       "types.db; dropped", id, m->type);
			g_free(id);
			continue;
		}
		if (m->n_values != type->n_ds) {
			char *id = nm_metric_identity(m);
			report(c, ERR_VALUE_COUNT, 1, "%s: %u values, types.db has "
			       "%u for '%s'; dropped", id, m->n_values, type->n_ds,
			       m->type);
			g_free(id);
			continue;
		}
		t = m->base.time / G_USEC_PER_SEC;
		g_string_truncate(s, 0);
		if (!rrd_format_update(s, t, m, type)) {
			char *id = nm_metric_identity(m);
			report(c, ERR_KIND, 1, "%s: value kinds differ from "
			       "types.db's '%s'; dropped", id, m->type);
			g_free(id);
			continue;
		}
		step = m->interval > 0 ? (m->interval + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC
				       : nm_plugin_default_interval(c->p) / G_USEC_PER_SEC;
		if (step < 1)
			step = 1;
		g_string_truncate(path, prefix);
		rrd_metric_relpath_append(path, m);
		u = upd_new(t, s->str, s->len);
		g_mutex_lock(&c->lock);
		f = g_hash_table_lookup(c->files, path->str);
		if (f == NULL) {
			/* identity: the relative path without ".rrd" */
			char *ident = g_strndup(path->str + prefix, path->len - prefix - 4);
			f = rfile_get(c, path->str, ident, type, step);
			g_free(ident);
		}
		if (f->last_cached != G_MININT64 && t <= f->last_cached) {
			gint64 prev = f->last_cached;
			g_mutex_unlock(&c->lock);
			report(c, ERR_TIME, 1, "%s: time %" G_GINT64_FORMAT " is not "
			       "after the previous sample's (%" G_GINT64_FORMAT
			       "); dropped", f->ident, t, prev);
			g_free(u);
		} else {
			guint64 resets = counter_resets(f, m);
			if (resets != 0) {
				g_string_truncate(s, 0);
				(void)rrd_format_update_mask(s, t, m, type, resets);
				g_free(u);
				u = upd_new(t, s->str, s->len);
				nm_counter_add(c->resets, 1);
			}
			f->last_cached = t;
			cache_add(c, f, u);
			g_mutex_unlock(&c->lock);
		}
	}
	g_string_free(s, TRUE);
	g_string_free(path, TRUE);
	/* Over the memory cap: write (or journal) now, on this thread. */
	g_mutex_lock(&c->lock);
	over = c->cache_bytes > c->cache_max_bytes;
	g_mutex_unlock(&c->lock);
	if (over) {
		guint nf;
		g_mutex_lock(&c->wlock);
		writer_pass(c, PASS_PRESSURE, NULL, &nf);
		g_mutex_unlock(&c->wlock);
	}
}

/* ------------------------------------------------------------------ */
/* Control command and statistics                                      */

/* `netmonctl flush [GLOB]`: write the cached values of the files whose
 * identity (host/plugin[-pi]/type[-ti]) matches GLOB (all without one),
 * and ask rrdcached to write them too. Runs on the main loop and blocks
 * it while writing (an admin action; the writer passes are serialised). */
static gboolean flush_cmd(nm_plugin *p, int argc, char **argv, GString *out,
			  gpointer data, GError **err)
{
	rrd_ctx *c = data;
	GPatternSpec *glob = argc > 0 ? g_pattern_spec_new(argv[0]) : NULL;
	guint64 n;
	guint files;

	(void)p;
	(void)err;
	g_mutex_lock(&c->wlock);
	n = writer_pass(c, PASS_FLUSH, glob, &files);
	g_mutex_unlock(&c->wlock);
	g_string_append_printf(out, "rrd: wrote %" G_GUINT64_FORMAT " updates to "
			       "%u files%s\n", n, files,
			       c->daemon != NULL ? " (and asked rrdcached to flush)" : "");
	if (glob != NULL)
		g_pattern_spec_free(glob);
	return TRUE;
}

static JsonNode *stats_fn(nm_plugin *p, gpointer data)
{
	rrd_ctx *c = data;
	JsonBuilder *b = json_builder_new();
	JsonNode *node;
	guint64 cache_values, journal_values, journal_bytes, acked_held;
	gsize cache_bytes;
	guint files, dirty;
	gboolean up;

	(void)p;
	g_mutex_lock(&c->lock);
	cache_values = c->cache_values;
	cache_bytes = c->cache_bytes;
	journal_values = c->journal_values;
	journal_bytes = c->journal_bytes;
	acked_held = c->acked_held;
	files = g_hash_table_size(c->files);
	dirty = c->dirty.length;
	up = c->daemon_up;
	g_mutex_unlock(&c->lock);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mode");
	json_builder_add_string_value(b, c->daemon != NULL ? "rrdcached" : "direct");
	if (c->daemon != NULL) {
		json_builder_set_member_name(b, "daemon");
		json_builder_add_string_value(b, c->daemon);
		json_builder_set_member_name(b, "daemon_connected");
		json_builder_add_boolean_value(b, up);
	}
	json_builder_set_member_name(b, "files");
	json_builder_add_int_value(b, files);
	json_builder_set_member_name(b, "files_created");
	json_builder_add_int_value(b, (gint64)nm_counter_get(c->files_created));
	json_builder_set_member_name(b, "updates_written");
	json_builder_add_int_value(b, (gint64)nm_counter_get(c->values_written));
	json_builder_set_member_name(b, "write_calls");
	json_builder_add_int_value(b, (gint64)nm_counter_get(c->writes));
	json_builder_set_member_name(b, "cache");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "values");
	json_builder_add_int_value(b, (gint64)cache_values);
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, (gint64)cache_bytes);
	json_builder_set_member_name(b, "files");
	json_builder_add_int_value(b, dirty);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "queued_while_down");
	json_builder_add_int_value(b, (gint64)((c->daemon != NULL && !up ? cache_values : 0) +
					       journal_values));
	json_builder_set_member_name(b, "journal");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "path");
	json_builder_add_string_value(b, c->journal);
	json_builder_set_member_name(b, "values");
	json_builder_add_int_value(b, (gint64)journal_values);
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, (gint64)journal_bytes);
	json_builder_set_member_name(b, "journaled_total");
	json_builder_add_int_value(b, (gint64)nm_counter_get(c->journaled));
	json_builder_set_member_name(b, "replayed_total");
	json_builder_add_int_value(b, (gint64)nm_counter_get(c->replayed));
	json_builder_end_object(b);
	if (c->daemon != NULL) {
		json_builder_set_member_name(b, "resend");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "window_s");
		json_builder_add_double_value(b, (double)c->resend_window / G_USEC_PER_SEC);
		json_builder_set_member_name(b, "held");
		json_builder_add_int_value(b, (gint64)acked_held);
		json_builder_set_member_name(b, "resent_total");
		json_builder_add_int_value(b, (gint64)nm_counter_get(c->resent));
		json_builder_set_member_name(b, "duplicates_total");
		json_builder_add_int_value(b, (gint64)nm_counter_get(c->duplicates));
		json_builder_end_object(b);
	}
	json_builder_set_member_name(b, "errors");
	json_builder_begin_object(b);
	for (int k = 0; k < ERR_N; k++) {
		json_builder_set_member_name(b, err_names[k]);
		json_builder_add_int_value(b, (gint64)nm_counter_get(c->errors[k]));
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	g_object_unref(b);
	return node;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static void ctx_free(rrd_ctx *c)
{
	if (c->files != NULL)
		g_hash_table_unref(c->files);
	if (c->types != NULL)
		g_hash_table_unref(c->types);
	g_free(c->directory);
	g_free(c->daemon);
	g_free(c->timespans);
	g_free(c->journal);
	g_free(c->replay);
	g_mutex_clear(&c->lock);
	g_mutex_clear(&c->wlock);
	g_mutex_clear(&c->log_lock);
	g_free(c);
}

static gboolean rrd_init(nm_plugin *p, const config_setting_t *conf,
			 GError **err)
{
	rrd_ctx *c = g_new0(rrd_ctx, 1);
	config_setting_t *spans = config_setting_get_member(conf, "rra_timespans");
	const char *daemon = nm_conf_string(conf, "daemon", NULL);
	nm_sub_options opts = { 0 };
	guint64 b1 = 0, b2 = 0;

	/* librrd keeps per-thread error contexts whose destructor runs when a
	 * thread ends; threads that called librrd (worker pool, the bus
	 * delivery thread under back-pressure) can end after the plugin and
	 * librrd are unloaded, and netmond then crashed at exit (seen after
	 * rrdcached outages). Pin librrd in memory. */
	{
		Dl_info di;
		if (dladdr((void *)rrd_update_r, &di) != 0 && di.dli_fname != NULL &&
		    dlopen(di.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == NULL)
			NM_DEBUG(p, "cannot pin %s: %s", di.dli_fname, dlerror());
	}
	c->p = p;
	g_mutex_init(&c->lock);
	g_mutex_init(&c->wlock);
	g_mutex_init(&c->log_lock);
	g_queue_init(&c->dirty);
	c->types = rrd_types_load(types_db_path(conf), err);
	if (c->types == NULL) {
		ctx_free(c);
		return FALSE;
	}
	c->directory = g_strdup(nm_conf_string(conf, "directory", NULL));
	if (daemon != NULL) {
		c->daemon = g_strdup(daemon);
		c->daemon_unix = daemon_is_unix(daemon);
	}
	c->cache_timeout = nm_conf_duration(conf, "cache_timeout",
					    daemon != NULL ? 0 : 120 * G_USEC_PER_SEC);
	c->flush_interval = nm_conf_duration(conf, "flush_interval", G_USEC_PER_SEC);
	c->reconnect_max = nm_conf_duration(conf, "reconnect_max",
					    10 * G_USEC_PER_SEC);
	c->resend_window = nm_conf_duration(conf, "resend_window",
					    10 * G_USEC_PER_SEC);
	c->writes_per_second = (guint)nm_conf_int(conf, "writes_per_second", 0);
	c->heartbeat_factor = nm_conf_float(conf, "heartbeat_factor", 2.0);
	c->xff = nm_conf_float(conf, "xff", 0.1);
	c->rra_rows = (guint)nm_conf_int(conf, "rra_rows", 1200);
	c->cache_max_bytes = (gsize)nm_conf_int(conf, "cache_max_bytes", 64 << 20);
	c->journal_max_bytes = (guint64)nm_conf_int(conf, "journal_max_bytes",
						    (gint64)1 << 30);
	if (spans != NULL) {
		c->n_timespans = (guint)config_setting_length(spans);
		c->timespans = g_new(gint64, c->n_timespans);
		for (guint i = 0; i < c->n_timespans; i++)
			c->timespans[i] = config_setting_get_int64(
				config_setting_get_elem(spans, i));
	} else {
		c->n_timespans = G_N_ELEMENTS(default_timespans);
		c->timespans = g_memdup2(default_timespans, sizeof default_timespans);
	}
	c->journal = g_build_filename(nm_plugin_state_dir(p), "rrd.journal", NULL);
	c->replay = g_build_filename(nm_plugin_state_dir(p), "rrd.journal.replay",
				     NULL);
	c->journal_values = count_lines(c->journal, &b1) + count_lines(c->replay, &b2);
	c->journal_bytes = b1 + b2;
	if (c->journal_values > 0)
		NM_NOTICE(p, "%" G_GUINT64_FORMAT " journaled updates in %s will be "
			  "replayed", c->journal_values, c->journal);
	c->files = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, rfile_free);
	if (c->directory != NULL && c->daemon == NULL &&
	    g_mkdir_with_parents(c->directory, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			    "rrd.directory: cannot create %s: %s", c->directory,
			    g_strerror(errno));
		ctx_free(c);
		return FALSE;
	}

	c->received = nm_plugin_counter(p, "received");
	c->files_created = nm_plugin_counter(p, "files_created");
	c->values_written = nm_plugin_counter(p, "updates_written");
	c->writes = nm_plugin_counter(p, "write_calls");
	c->journaled = nm_plugin_counter(p, "journaled");
	c->replayed = nm_plugin_counter(p, "replayed");
	c->errors_total = nm_plugin_counter(p, "errors");
	c->resent = nm_plugin_counter(p, "resent");
	c->duplicates = nm_plugin_counter(p, "resent_duplicates");
	c->resets = nm_plugin_counter(p, "counter_resets");
	for (int k = 0; k < ERR_N; k++) {
		char *name = g_strconcat("error_", err_names[k], NULL);
		c->errors[k] = nm_plugin_counter(p, name);
		g_free(name);
	}
	if (c->daemon != NULL) {
		g_mutex_lock(&c->wlock);
		(void)daemon_connect(c);   /* failing now is not fatal */
		g_mutex_unlock(&c->wlock);
	}

	nm_plugin_set_data(p, c);
	opts.policy = NM_OVERFLOW_BLOCK;
	opts.high_water = (guint)nm_conf_int(conf, "queue_size", 65536);
	opts.block_timeout = 60 * G_USEC_PER_SEC;
	opts.max_batch = 1024;
	if (!nm_plugin_subscribe(p, "metrics", NM_MSG_MASK(NM_MSG_METRIC), &opts,
				 deliver, c, err) ||
	    !nm_plugin_add_command(p, "flush", "flush [IDENTIFIER-GLOB] write "
				   "cached RRD updates now", flush_cmd, c, err)) {
		nm_plugin_set_data(p, NULL);
		ctx_free(c);
		return FALSE;
	}
	nm_plugin_set_stats(p, stats_fn, c);
	nm_plugin_add_timer(p, "writer", c->flush_interval, NM_TIMER_IN_POOL, tick,
			    c, NULL);
	NM_INFO(p, "storing metrics %s%s%s%s", c->daemon != NULL ? "through rrdcached at " : "in ",
		c->daemon != NULL ? c->daemon : c->directory,
		c->daemon != NULL && c->directory != NULL ? ", files in " : "",
		c->daemon != NULL && c->directory != NULL ? c->directory : "");
	return TRUE;
}

/* Write everything (journal what rrdcached cannot take), then free. */
static void rrd_shutdown(nm_plugin *p)
{
	rrd_ctx *c = nm_plugin_get_data(p);
	guint64 n;
	guint files;

	if (c == NULL)
		return;
	g_mutex_lock(&c->wlock);
	c->stopping = TRUE;
	n = writer_pass(c, PASS_FINAL, NULL, &files);
	if (c->daemon != NULL) {
		g_mutex_lock(&rrdc_mutex);
		rrdc_disconnect();
		g_mutex_unlock(&rrdc_mutex);
	}
	g_mutex_unlock(&c->wlock);
	NM_INFO(p, "stopped: wrote %" G_GUINT64_FORMAT " cached updates to %u files "
		"at shutdown", n, files);
	nm_plugin_set_stats(p, NULL, NULL);
	nm_plugin_set_data(p, NULL);
	ctx_free(c);
}

NM_PLUGIN_DEFINE(.name = "rrd", .version = "1.0",
		 .description = "stores metrics in RRD files, direct or via rrdcached",
		 .config_keys = keys, .validate = rrd_validate,
		 .init = rrd_init, .shutdown = rrd_shutdown);
