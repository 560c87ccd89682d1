/* netmon rrd plugin — the pure parts: types.db, file names, RRD arguments.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gio/gio.h>

#include "rrd-util.h"

static void type_free(gpointer data)
{
	rrd_type *t = data;

	for (guint i = 0; i < t->n_ds; i++)
		g_free(t->ds[i].name);
	g_free(t->ds);
	g_free(t->name);
	g_free(t);
}

static gboolean parse_bound(const char *s, double *out)
{
	char *end = NULL;

	if (strcmp(s, "U") == 0) {
		*out = NAN;
		return TRUE;
	}
	*out = g_ascii_strtod(s, &end);
	return end != s && *end == '\0' && isfinite(*out);
}

static gboolean parse_kind(const char *s, nm_ds_kind *out)
{
	static const struct { const char *name; nm_ds_kind kind; } kinds[] = {
		{ "GAUGE", NM_DS_GAUGE }, { "COUNTER", NM_DS_COUNTER },
		{ "DERIVE", NM_DS_DERIVE }, { "ABSOLUTE", NM_DS_ABSOLUTE },
	};

	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (g_ascii_strcasecmp(s, kinds[i].name) == 0) {
			*out = kinds[i].kind;
			return TRUE;
		}
	return FALSE;
}

/* A DS name as RRD accepts it: [a-zA-Z0-9_]{1,19}. */
static gboolean valid_ds_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 19)
		return FALSE;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '_')
			return FALSE;
	return TRUE;
}

/* Parse one non-comment line into a new type, or FALSE with *why set. */
static rrd_type *parse_line(const char *line, const char **why)
{
	char **words = g_strsplit_set(line, " \t", 2);
	char **specs = NULL;
	rrd_type *t = NULL;
	GArray *ds = NULL;

	if (words[0] == NULL || words[1] == NULL ||
	    *g_strstrip(words[1]) == '\0') {
		*why = "expected a type name and its data sources";
		goto out;
	}
	specs = g_strsplit(words[1], ",", -1);
	ds = g_array_new(FALSE, TRUE, sizeof(rrd_ds));
	for (guint i = 0; specs[i] != NULL; i++) {
		char **f = g_strsplit(g_strstrip(specs[i]), ":", -1);
		rrd_ds d = { 0 };
		gboolean good = g_strv_length(f) == 4;

		if (!good)
			*why = "a data source is not NAME:KIND:MIN:MAX";
		else if (!valid_ds_name(f[0]))
			*why = "a data-source name is not 1..19 of [A-Za-z0-9_]", good = FALSE;
		else if (!parse_kind(f[1], &d.kind))
			*why = "a data-source kind is not GAUGE, COUNTER, DERIVE or ABSOLUTE",
			good = FALSE;
		else if (!parse_bound(f[2], &d.min) || !parse_bound(f[3], &d.max))
			*why = "a data-source bound is neither a number nor U", good = FALSE;
		if (good) {
			d.name = g_strdup(f[0]);
			g_array_append_val(ds, d);
		}
		g_strfreev(f);
		if (!good)
			goto out;
	}
	t = g_new0(rrd_type, 1);
	t->name = g_strdup(words[0]);
	t->n_ds = ds->len;
	t->ds = (rrd_ds *)(void *)g_array_free(ds, FALSE);
	ds = NULL;
out:
	if (ds != NULL) {
		for (guint i = 0; i < ds->len; i++)
			g_free(g_array_index(ds, rrd_ds, i).name);
		g_array_free(ds, TRUE);
	}
	g_strfreev(specs);
	g_strfreev(words);
	return t;
}

GHashTable *rrd_types_parse(const char *text, const char *file, GError **err)
{
	GHashTable *types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						  type_free);
	char **lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		const char *why = NULL;
		rrd_type *t;

		if (*line == '\0' || *line == '#')
			continue;
		t = parse_line(line, &why);
		if (t == NULL) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "%s:%u: %s", file, i + 1, why);
			g_strfreev(lines);
			g_hash_table_unref(types);
			return NULL;
		}
		/* Like collectd, a later definition replaces an earlier one. */
		g_hash_table_replace(types, t->name, t);
	}
	g_strfreev(lines);
	return types;
}

GHashTable *rrd_types_load(const char *path, GError **err)
{
	char *text = NULL;
	GError *e = NULL;
	GHashTable *types;

	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, e->domain, e->code, "cannot read types_db %s: %s",
			    path, e->message);
		g_error_free(e);
		return NULL;
	}
	types = rrd_types_parse(text, path, err);
	g_free(text);
	return types;
}

/* Append @a, or "@a-@b" when @b is non-empty, as one sanitised segment
 * (the rules of rrd_sanitize_segment()). */
static void append_segment(GString *out, const char *a, const char *b)
{
	gsize start = out->len;
	const char *parts[3] = { a, (b != NULL && *b != '\0') ? "-" : NULL, b };

	for (guint i = 0; i < 3 && parts[i] != NULL; i++) {
		for (const char *c = parts[i]; *c != '\0' && out->len - start < 200; c++) {
			unsigned char u = (unsigned char)*c;
			if (u < 0x20 || u == 0x7f || u == '/' || u == '\\')
				g_string_append_c(out, '_');
			else
				g_string_append_c(out, (char)u);
		}
	}
	if (out->len == start)
		g_string_append_c(out, '_');
	if (out->str[start] == '.')
		out->str[start] = '_';
}

char *rrd_sanitize_segment(const char *s)
{
	GString *out = g_string_new(NULL);

	append_segment(out, s, NULL);
	return g_string_free(out, FALSE);
}

void rrd_metric_relpath_append(GString *out, const nm_metric *m)
{
	append_segment(out, m->host, NULL);
	g_string_append_c(out, '/');
	append_segment(out, m->plugin, m->plugin_instance);
	g_string_append_c(out, '/');
	append_segment(out, m->type, m->type_instance);
	g_string_append(out, ".rrd");
}

char *rrd_metric_relpath(const nm_metric *m)
{
	GString *out = g_string_new(NULL);

	rrd_metric_relpath_append(out, m);
	return g_string_free(out, FALSE);
}

/* Decimal digits of @v (no printf: this runs for every value). */
static void append_int(GString *s, gint64 v)
{
	char buf[24];
	int i = (int)sizeof buf;
	guint64 u = v < 0 ? 0 - (guint64)v : (guint64)v;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[--i] = '-';
	g_string_append_len(s, buf + i, (gssize)sizeof buf - i);
}

static void append_uint(GString *s, guint64 u)
{
	char buf[24];
	int i = (int)sizeof buf;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	g_string_append_len(s, buf + i, (gssize)sizeof buf - i);
}

/* The shortest "%.Ng" (N = 15..17) that reads back as @v, locale-free. */
static void append_double(GString *s, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	static const char *const fmts[] = { "%.15g", "%.16g", "%.17g" };

	/* Whole numbers below 10^15 print the same as "%.15g" does. */
	if (v == floor(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
		append_int(s, (gint64)v);
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(fmts); i++) {
		g_ascii_formatd(buf, sizeof buf, fmts[i], v);
		if (g_ascii_strtod(buf, NULL) == v)
			break;
	}
	g_string_append(s, buf);
}

static void append_bound(GString *s, double v)
{
	if (isnan(v))
		g_string_append_c(s, 'U');
	else
		append_double(s, v);
}

char **rrd_create_args(const rrd_type *type, gint64 step, gint64 heartbeat,
		       const gint64 *timespans, guint n_timespans, guint rows,
		       double xff)
{
	static const char *const cfs[] = { "AVERAGE", "MIN", "MAX" };
	GPtrArray *args = g_ptr_array_new();
	char xbuf[G_ASCII_DTOSTR_BUF_SIZE];

	if (step < 1)
		step = 1;
	if (rows < 1)
		rows = 1;
	for (guint i = 0; i < type->n_ds; i++) {
		GString *s = g_string_new(NULL);
		g_string_printf(s, "DS:%s:%s:%" G_GINT64_FORMAT ":",
				type->ds[i].name, nm_ds_kind_name(type->ds[i].kind),
				heartbeat);
		append_bound(s, type->ds[i].min);
		g_string_append_c(s, ':');
		append_bound(s, type->ds[i].max);
		g_ptr_array_add(args, g_string_free(s, FALSE));
	}
	g_ascii_formatd(xbuf, sizeof xbuf, "%.3f", xff);
	for (guint i = 0; i < n_timespans; i++) {
		gint64 span = MAX(timespans[i], step);
		gint64 per_row, n_rows;

		if (i == 0) {
			per_row = 1;      /* full resolution over the first span */
		} else {
			per_row = span / ((gint64)rows * step);
			if (per_row < 1)
				per_row = 1;
		}
		n_rows = (span + per_row * step - 1) / (per_row * step);
		for (guint c = 0; c < G_N_ELEMENTS(cfs); c++)
			g_ptr_array_add(args, g_strdup_printf(
				"RRA:%s:%s:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
				cfs[c], xbuf, per_row, n_rows));
	}
	g_ptr_array_add(args, NULL);
	return (char **)g_ptr_array_free(args, FALSE);
}

gboolean rrd_counter_wrapped(guint64 prev, guint64 cur)
{
	const guint64 half32 = G_GUINT64_CONSTANT(1) << 31;
	const guint64 top32 = G_GUINT64_CONSTANT(1) << 32;
	const guint64 half64 = G_GUINT64_CONSTANT(1) << 63;

	if (cur >= prev)
		return FALSE;
	if (prev < top32)
		return prev >= half32 && cur < half32;
	return prev >= half64 && cur < half64;
}

gboolean rrd_format_update(GString *out, gint64 time_s, const nm_metric *m,
			   const rrd_type *type)
{
	return rrd_format_update_mask(out, time_s, m, type, 0);
}

gboolean rrd_format_update_mask(GString *out, gint64 time_s, const nm_metric *m,
				const rrd_type *type, guint64 unknown)
{
	gsize start = out->len;

	if (m->n_values != type->n_ds)
		return FALSE;
	append_int(out, time_s);
	for (guint i = 0; i < m->n_values; i++) {
		const nm_value *v = &m->values[i];

		if (v->kind != type->ds[i].kind) {
			g_string_truncate(out, start);
			return FALSE;
		}
		g_string_append_c(out, ':');
		if (i < 64 && (unknown & (G_GUINT64_CONSTANT(1) << i)) != 0) {
			g_string_append_c(out, 'U');
			continue;
		}
		switch (v->kind) {
		case NM_DS_GAUGE:
			if (!isfinite(v->v.gauge))
				g_string_append_c(out, 'U');
			else
				append_double(out, v->v.gauge);
			break;
		case NM_DS_COUNTER:
			append_uint(out, v->v.counter);
			break;
		case NM_DS_DERIVE:
			append_int(out, v->v.derive);
			break;
		case NM_DS_ABSOLUTE:
			append_uint(out, v->v.absolute);
			break;
		default:
			g_string_truncate(out, start);
			return FALSE;
		}
	}
	return TRUE;
}

gint64 rrd_error_last_time(const char *msg)
{
	static const char key[] = "last update time is ";
	const char *p;
	char *end = NULL;
	double t;

	if (msg == NULL || strstr(msg, "illegal attempt to update") == NULL)
		return -1;
	p = strstr(msg, key);
	if (p == NULL)
		return -1;
	p += sizeof key - 1;
	t = g_ascii_strtod(p, &end);
	if (end == p || !isfinite(t) || t < 0)
		return -1;
	return (gint64)floor(t);
}
