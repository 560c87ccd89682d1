/* netmon report plugin — availability history.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "avail.h"
#include "graphdef.h"

#define KEEP_US (40 * 86400 * G_GINT64_CONSTANT(1000000))

typedef struct {
	gint64 t;
	int code;   /* -1 unknown (stop) */
} point;

typedef struct {
	char *host, *service;
	GArray *points;   /* point, in time order */
} series;

struct rp_avail {
	GMutex lock;
	char *path;
	FILE *f;
	GHashTable *series;   /* "service\x1fhost" → series* */
};

static void series_free(gpointer data)
{
	series *s = data;

	g_free(s->host);
	g_free(s->service);
	g_array_unref(s->points);
	g_free(s);
}

static series *get_series(rp_avail *a, const char *host, const char *service,
			  gboolean create)
{
	char *key = g_strconcat(service, "\x1f", host, NULL);
	series *s = g_hash_table_lookup(a->series, key);

	if (s == NULL && create) {
		s = g_new0(series, 1);
		s->host = g_strdup(host);
		s->service = g_strdup(service);
		s->points = g_array_new(FALSE, FALSE, sizeof(point));
		g_hash_table_insert(a->series, key, s);
		key = NULL;
	}
	g_free(key);
	return s;
}

static void add_point(series *s, gint64 t, int code)
{
	point p = { t, code };

	if (s->points->len > 0) {
		point *last = &g_array_index(s->points, point,
					     s->points->len - 1);
		if (last->code == code)
			return;
		if (t < last->t)
			p.t = last->t;   /* keep the timeline monotonic */
	}
	g_array_append_val(s->points, p);
}

/* Every series becomes unknown at @t (daemon stopped). */
static void stop_all(rp_avail *a, gint64 t)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, a->series);
	while (g_hash_table_iter_next(&it, NULL, &v))
		add_point(v, t, -1);
}

static void parse_line(rp_avail *a, char *line)
{
	char **f = g_strsplit(line, " ", 4);

	if (g_strv_length(f) == 4) {
		gint64 t = g_ascii_strtoll(f[0], NULL, 10);
		int code = (int)g_ascii_strtoll(f[1], NULL, 10);
		if (code == -1 && strcmp(f[2], "*") == 0) {
			stop_all(a, t);
		} else {
			char *svc = g_uri_unescape_string(f[2], NULL);
			char *host = g_uri_unescape_string(f[3], NULL);
			if (svc != NULL && host != NULL)
				add_point(get_series(a, host, svc, TRUE), t,
					  code);
			g_free(svc);
			g_free(host);
		}
	}
	g_strfreev(f);
}

static gboolean write_point(FILE *f, const series *s, const point *p)
{
	char *svc = g_uri_escape_string(s->service, NULL, FALSE);
	char *host = g_uri_escape_string(s->host, NULL, FALSE);
	int r = fprintf(f, "%" G_GINT64_FORMAT " %d %s %s\n", p->t, p->code,
			svc, host);

	g_free(svc);
	g_free(host);
	return r > 0;
}

/* Rewrite the file without what is older than KEEP_US (each series keeps
 * the state it had at the cut-off). */
static gboolean compact(rp_avail *a, gint64 now, GError **err)
{
	gint64 cut = now - KEEP_US;
	char *tmp = g_strconcat(a->path, ".tmp", NULL);
	FILE *f = fopen(tmp, "w");
	GHashTableIter it;
	gpointer v;
	gboolean ok = f != NULL;

	g_hash_table_iter_init(&it, a->series);
	while (ok && g_hash_table_iter_next(&it, NULL, &v)) {
		series *s = v;
		guint first = 0;
		while (first + 1 < s->points->len &&
		       g_array_index(s->points, point, first + 1).t <= cut)
			first++;
		if (first > 0)
			g_array_remove_range(s->points, 0, first);
		if (s->points->len > 0 &&
		    g_array_index(s->points, point, 0).t < cut)
			g_array_index(s->points, point, 0).t = cut;
		for (guint i = 0; ok && i < s->points->len; i++)
			ok = write_point(f, s, &g_array_index(s->points, point,
							      i));
	}
	if (f != NULL && fclose(f) != 0)
		ok = FALSE;
	if (ok && rename(tmp, a->path) != 0)
		ok = FALSE;
	if (!ok) {
		g_set_error(err, RP_ERROR, 5, "cannot rewrite %s: %s", a->path,
			    g_strerror(errno));
		(void)unlink(tmp);
	}
	g_free(tmp);
	return ok;
}

rp_avail *rp_avail_open(const char *path, gint64 now_us, GError **err)
{
	rp_avail *a = g_new0(rp_avail, 1);
	char *text = NULL;
	gsize len = 0;
	struct stat st;
	gint64 oldest = G_MAXINT64, newest = 0, stopped = -1;

	g_mutex_init(&a->lock);
	a->path = g_strdup(path);
	a->series = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  series_free);
	if (g_file_get_contents(path, &text, &len, NULL)) {
		char **lines = g_strsplit(text, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			if (lines[i][0] == '\0')
				continue;
			gint64 t = g_ascii_strtoll(lines[i], NULL, 10);
			oldest = MIN(oldest, t);
			newest = MAX(newest, t);
			parse_line(a, lines[i]);
		}
		g_strfreev(lines);
		g_free(text);
		/* Not stopped cleanly: unknown since the last sign of life. */
		if (stat(path, &st) == 0 && g_hash_table_size(a->series) > 0) {
			gint64 alive = (gint64)st.st_mtime * G_USEC_PER_SEC;
			stopped = MIN(MAX(alive, newest), now_us);
			stop_all(a, stopped);
		}
		if (oldest < now_us - KEEP_US && !compact(a, now_us, err)) {
			rp_avail_close(a, -1);
			return NULL;
		}
	}
	a->f = fopen(path, "a");
	if (a->f == NULL) {
		g_set_error(err, RP_ERROR, 5, "cannot open %s: %s", path,
			    g_strerror(errno));
		rp_avail_close(a, -1);
		return NULL;
	}
	/* Put that stop on record, so later lines do not bridge the gap. */
	if (stopped >= 0 &&
	    (fprintf(a->f, "%" G_GINT64_FORMAT " -1 * *\n", stopped) < 0 ||
	     fflush(a->f) != 0)) {
		g_set_error(err, RP_ERROR, 5, "cannot write %s: %s", path,
			    g_strerror(errno));
		rp_avail_close(a, -1);
		return NULL;
	}
	return a;
}

gboolean rp_avail_record(rp_avail *a, const char *host, const char *service,
			 int code, gint64 t_us, GError **err)
{
	series *s;
	guint before;
	gboolean ok = TRUE;

	if (code == 1)
		code = 0;   /* WARNING is reachable */
	g_mutex_lock(&a->lock);
	s = get_series(a, host, service, TRUE);
	before = s->points->len;
	add_point(s, t_us, code);
	if (s->points->len != before) {
		ok = write_point(a->f, s, &g_array_index(s->points, point,
							 s->points->len - 1)) &&
		     fflush(a->f) == 0;
		if (!ok)
			g_set_error(err, RP_ERROR, 5, "cannot write %s: %s",
				    a->path, g_strerror(errno));
	}
	g_mutex_unlock(&a->lock);
	return ok;
}

double rp_avail_ratio(rp_avail *a, const char *host, const char *service,
		      gint64 from_us, gint64 to_us)
{
	series *s;
	gint64 up = 0, known = 0;

	g_mutex_lock(&a->lock);
	s = get_series(a, host, service, FALSE);
	for (guint i = 0; s != NULL && i < s->points->len; i++) {
		const point *p = &g_array_index(s->points, point, i);
		gint64 start = p->t, end = to_us;
		if (i + 1 < s->points->len)
			end = g_array_index(s->points, point, i + 1).t;
		start = MAX(start, from_us);
		end = MIN(end, to_us);
		if (end <= start || p->code < 0 || p->code == 3)
			continue;
		known += end - start;
		if (p->code == 0)
			up += end - start;
	}
	g_mutex_unlock(&a->lock);
	return known > 0 ? (double)up / (double)known : -1.0;
}

int rp_avail_current(rp_avail *a, const char *host, const char *service,
		     gint64 *since_us)
{
	series *s;
	int code = -1;

	g_mutex_lock(&a->lock);
	s = get_series(a, host, service, FALSE);
	if (s != NULL && s->points->len > 0) {
		const point *p = &g_array_index(s->points, point,
						s->points->len - 1);
		code = p->code;
		if (since_us != NULL)
			*since_us = p->t;
	}
	g_mutex_unlock(&a->lock);
	return code;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *rp_avail_hosts(rp_avail *a)
{
	GPtrArray *hosts = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer v;

	g_mutex_lock(&a->lock);
	g_hash_table_iter_init(&it, a->series);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		series *s = v;
		if (!g_ptr_array_find_with_equal_func(hosts, s->host,
						      g_str_equal, NULL))
			g_ptr_array_add(hosts, g_strdup(s->host));
	}
	g_mutex_unlock(&a->lock);
	g_ptr_array_sort(hosts, cmp_str);
	return hosts;
}

void rp_avail_touch(rp_avail *a)
{
	g_mutex_lock(&a->lock);
	/* Failure only weakens crash accounting; nothing else to do. */
	if (utime(a->path, NULL) != 0 && errno != ENOENT)
		g_debug("cannot touch %s: %s", a->path, g_strerror(errno));
	g_mutex_unlock(&a->lock);
}

void rp_avail_close(rp_avail *a, gint64 t_us)
{
	if (a == NULL)
		return;
	if (a->f != NULL) {
		gboolean ok = TRUE;
		if (t_us >= 0 && g_hash_table_size(a->series) > 0)
			ok = fprintf(a->f, "%" G_GINT64_FORMAT " -1 * *\n",
				     t_us) > 0;
		if (fclose(a->f) != 0 || !ok)
			g_warning("cannot write %s: %s", a->path,
				  g_strerror(errno));
	}
	g_hash_table_unref(a->series);
	g_free(a->path);
	g_mutex_clear(&a->lock);
	g_free(a);
}
