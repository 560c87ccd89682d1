/* netmon report plugin — graph definitions and drawing with librrd.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>
#include <rrd.h>

#include "graphdef.h"

G_DEFINE_QUARK(netmon-report-error-quark, rp_error)

/* One lock for every rrd_graph call in the process: librrd's graph code
 * keeps global state (getopt, fonts, error context). */
static GMutex graph_lock;

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
};

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void series_free(gpointer data)
{
	rp_series *s = data;

	g_free(s->ds);
	g_free(s->file);
	g_free(s->label);
	g_free(s->colour);
	g_free(s->draw);
	g_free(s->cf);
	g_free(s);
}

static void def_free(gpointer data)
{
	rp_graphdef *d = data;

	g_free(d->name);
	g_free(d->title);
	g_free(d->vertical_label);
	g_free(d->format);
	g_strfreev(d->requires);
	g_free(d->fallback);
	g_strfreev(d->consumes);
	g_ptr_array_unref(d->series);
	g_strfreev(d->args);
	g_free(d);
}

void rp_graphdefs_free(rp_graphdefs *defs)
{
	if (defs == NULL)
		return;
	g_free(defs->path);
	g_hash_table_unref(defs->by_name);
	g_free(defs);
}

static gboolean fail(const config_setting_t *s, GError **err, const char *fmt,
		     ...) G_GNUC_PRINTF(3, 4);
static gboolean fail(const config_setting_t *s, GError **err, const char *fmt,
		     ...)
{
	va_list ap;
	char *msg;
	const char *file = config_setting_source_file(s);

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, RP_ERROR, 1, "%s:%u: %s", file != NULL ? file : "?",
		    config_setting_source_line(s), msg);
	g_free(msg);
	return FALSE;
}

/* A string member, type-checked. */
static gboolean get_str(const config_setting_t *g, const char *name,
			char **out, GError **err)
{
	config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return TRUE;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(s, err, "%s.%s: expected a string",
			    config_setting_name(g), name);
	g_free(*out);
	*out = g_strdup(config_setting_get_string(s));
	return TRUE;
}

static gboolean get_num(const config_setting_t *g, const char *name,
			double *out, gboolean *present, GError **err)
{
	config_setting_t *s = config_setting_get_member(g, name);
	int t;

	if (s == NULL)
		return TRUE;
	t = config_setting_type(s);
	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
		*out = (double)config_setting_get_int64(s);
	else if (t == CONFIG_TYPE_FLOAT)
		*out = config_setting_get_float(s);
	else
		return fail(s, err, "%s.%s: expected a number",
			    config_setting_name(g), name);
	if (present != NULL)
		*present = TRUE;
	return TRUE;
}

static gboolean get_bool(const config_setting_t *g, const char *name,
			 gboolean *out, GError **err)
{
	config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL)
		return TRUE;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(s, err, "%s.%s: expected true or false",
			    config_setting_name(g), name);
	*out = config_setting_get_bool(s) != 0;
	return TRUE;
}

/* A list or array of strings, or one string. */
static gboolean get_strv(const config_setting_t *g, const char *name,
			 char ***out, GError **err)
{
	config_setting_t *s = config_setting_get_member(g, name);
	GPtrArray *v;
	int n;

	if (s == NULL)
		return TRUE;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		*out = g_new0(char *, 2);
		(*out)[0] = g_strdup(config_setting_get_string(s));
		return TRUE;
	}
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return fail(s, err, "%s.%s: expected a list of strings",
			    config_setting_name(g), name);
	n = config_setting_length(s);
	v = g_ptr_array_new();
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			g_ptr_array_add(v, NULL);
			g_strfreev((char **)g_ptr_array_free(v, FALSE));
			return fail(e, err, "%s.%s: expected a list of strings",
				    config_setting_name(g), name);
		}
		g_ptr_array_add(v, g_strdup(config_setting_get_string(e)));
	}
	g_ptr_array_add(v, NULL);
	*out = (char **)g_ptr_array_free(v, FALSE);
	return TRUE;
}

static const char *const def_keys[] = {
	"title", "vertical_label", "format", "base", "lower_limit",
	"upper_limit", "rigid", "hidden", "requires", "fallback", "consumes",
	"series", "args", "order", NULL
};
static const char *const series_keys[] = {
	"ds", "file", "label", "colour", "draw", "cf", "scale", "mirror", NULL
};

static gboolean check_keys(const config_setting_t *g,
			   const char *const *keys, GError **err)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		if (name == NULL || !g_strv_contains(keys, name))
			return fail(m, err, "unknown setting '%s'",
				    name != NULL ? name : "?");
	}
	return TRUE;
}

static gboolean load_series(rp_graphdef *d, const config_setting_t *list,
			    GError **err)
{
	int n = config_setting_length(list);

	if (!config_setting_is_list(list) || n == 0)
		return fail(list, err, "%s.series: expected a list of groups",
			    d->name);
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		rp_series *s;
		double scale = 1.0;
		static const char *const draws[] = { "line1", "line2", "line3",
						     "area", NULL };

		if (!config_setting_is_group(g))
			return fail(g, err, "%s.series: expected a list of "
				    "groups", d->name);
		if (!check_keys(g, series_keys, err))
			return FALSE;
		s = g_new0(rp_series, 1);
		g_ptr_array_add(d->series, s);
		if (!get_str(g, "ds", &s->ds, err) ||
		    !get_str(g, "file", &s->file, err) ||
		    !get_str(g, "label", &s->label, err) ||
		    !get_str(g, "colour", &s->colour, err) ||
		    !get_str(g, "draw", &s->draw, err) ||
		    !get_str(g, "cf", &s->cf, err) ||
		    !get_num(g, "scale", &scale, NULL, err) ||
		    !get_bool(g, "mirror", &s->mirror, err))
			return FALSE;
		s->scale = scale;
		if (s->ds == NULL)
			return fail(g, err, "%s.series: missing 'ds'", d->name);
		if (s->draw == NULL)
			s->draw = g_strdup("line1");
		if (!g_strv_contains(draws, s->draw))
			return fail(g, err, "%s.series.draw: '%s' is not one of "
				    "line1, line2, line3, area", d->name,
				    s->draw);
		if (s->cf == NULL)
			s->cf = g_strdup("AVERAGE");
		if (s->colour != NULL &&
		    (s->colour[0] != '#' || (strlen(s->colour) != 7 &&
					     strlen(s->colour) != 9) ||
		     strspn(s->colour + 1, "0123456789abcdefABCDEF") !=
			     strlen(s->colour) - 1))
			return fail(g, err, "%s.series.colour: '%s' is not "
				    "#rrggbb or #rrggbbaa", d->name, s->colour);
	}
	return TRUE;
}

static gboolean load_def(rp_graphdefs *defs, const config_setting_t *g,
			 GError **err)
{
	rp_graphdef *d = g_new0(rp_graphdef, 1);
	config_setting_t *series;
	double base = 1000, order = 100;

	d->name = g_strdup(config_setting_name(g));
	d->series = g_ptr_array_new_with_free_func(series_free);
	g_hash_table_replace(defs->by_name, d->name, d);
	if (!config_setting_is_group(g))
		return fail(g, err, "%s: expected a group { ... }", d->name);
	if (!check_keys(g, def_keys, err) ||
	    !get_str(g, "title", &d->title, err) ||
	    !get_str(g, "vertical_label", &d->vertical_label, err) ||
	    !get_str(g, "format", &d->format, err) ||
	    !get_num(g, "base", &base, NULL, err) ||
	    !get_num(g, "lower_limit", &d->lower, &d->has_lower, err) ||
	    !get_num(g, "upper_limit", &d->upper, &d->has_upper, err) ||
	    !get_bool(g, "rigid", &d->rigid, err) ||
	    !get_bool(g, "hidden", &d->hidden, err) ||
	    !get_strv(g, "requires", &d->requires, err) ||
	    !get_str(g, "fallback", &d->fallback, err) ||
	    !get_strv(g, "consumes", &d->consumes, err) ||
	    !get_strv(g, "args", &d->args, err) ||
	    !get_num(g, "order", &order, NULL, err))
		return FALSE;
	if (base != 1000 && base != 1024)
		return fail(g, err, "%s.base: must be 1000 or 1024", d->name);
	d->base = (int)base;
	d->order = (int)order;
	if (d->format == NULL)
		d->format = g_strdup("%7.2lf %s");
	if (d->title == NULL)
		d->title = g_strdup("{plugin} {type} {type_instance}");
	series = config_setting_get_member(g, "series");
	if (series != NULL && !load_series(d, series, err))
		return FALSE;
	if (!d->hidden && d->series->len == 0 && d->args == NULL)
		return fail(g, err, "%s: needs 'series' or 'args' (or hidden = "
			    "true)", d->name);
	if (d->series->len > 0 && d->args != NULL)
		return fail(g, err, "%s: give 'series' or 'args', not both",
			    d->name);
	return TRUE;
}

rp_graphdefs *rp_graphdefs_load(const char *path, GError **err)
{
	config_t cfg;
	rp_graphdefs *defs;
	config_setting_t *root;
	struct stat st;
	GHashTableIter it;
	gpointer value;
	int n;

	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			g_set_error(err, RP_ERROR, 1, "%s: cannot read: %s",
				    path, g_strerror(errno));
		else
			g_set_error(err, RP_ERROR, 1, "%s:%d: %s",
				    config_error_file(&cfg) != NULL ?
					    config_error_file(&cfg) : path,
				    config_error_line(&cfg),
				    config_error_text(&cfg));
		config_destroy(&cfg);
		return NULL;
	}
	defs = g_new0(rp_graphdefs, 1);
	defs->path = g_strdup(path);
	defs->mtime = stat(path, &st) == 0 ? (gint64)st.st_mtime : 0;
	defs->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					      def_free);
	root = config_root_setting(&cfg);
	n = config_setting_length(root);
	for (int i = 0; i < n; i++) {
		if (!load_def(defs, config_setting_get_elem(root, (unsigned)i),
			      err)) {
			config_destroy(&cfg);
			rp_graphdefs_free(defs);
			return NULL;
		}
	}
	g_hash_table_iter_init(&it, defs->by_name);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		rp_graphdef *d = value;
		if (d->fallback != NULL &&
		    g_hash_table_lookup(defs->by_name, d->fallback) == NULL) {
			g_set_error(err, RP_ERROR, 1, "%s: %s.fallback: no "
				    "definition '%s'", path, d->name,
				    d->fallback);
			config_destroy(&cfg);
			rp_graphdefs_free(defs);
			return NULL;
		}
	}
	config_destroy(&cfg);
	return defs;
}

const rp_graphdef *rp_graphdefs_lookup(const rp_graphdefs *defs,
				       const char *type,
				       const char *type_instance)
{
	const rp_graphdef *d = NULL;

	if (type_instance != NULL && type_instance[0] != '\0') {
		char *full = g_strconcat(type, "-", type_instance, NULL);
		d = g_hash_table_lookup(defs->by_name, full);
		g_free(full);
	}
	if (d == NULL)
		d = g_hash_table_lookup(defs->by_name, type);
	if (d == NULL)
		d = g_hash_table_lookup(defs->by_name, "default");
	return d;
}

/* ------------------------------------------------------------------ */
/* Arguments                                                           */

static char *sibling_path(const rp_graph_src *src, const char *sib)
{
	char *base = g_strconcat(sib, ".rrd", NULL);
	char *p = g_build_filename(src->dir, base, NULL);

	g_free(base);
	return p;
}

const rp_graphdef *rp_graphdef_resolve(const rp_graphdefs *defs,
				       const rp_graphdef *def,
				       const rp_graph_src *src)
{
	for (guint depth = 0; def != NULL && depth < 10; depth++) {
		gboolean ok = TRUE;
		for (guint i = 0; ok && def->requires != NULL &&
				  def->requires[i] != NULL; i++) {
			char *p = sibling_path(src, def->requires[i]);
			ok = g_file_test(p, G_FILE_TEST_IS_REGULAR);
			g_free(p);
		}
		if (ok)
			return def;
		if (def->fallback == NULL)
			return NULL;
		def = g_hash_table_lookup(defs->by_name, def->fallback);
	}
	return NULL;
}

/* Append @text with ':' escaped as "\:" (rrd_graph's argument syntax). */
static void append_escaped(GString *out, const char *text, gboolean colons)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (colons && *p == ':')
			g_string_append(out, "\\:");
		else
			g_string_append_c(out, *p);
	}
}

/* Expand {file}, {file:SIB}, {host}, {plugin}, {plugin_instance},
 * {instance} (plugin or type instance, whichever is set), {type},
 * {type_instance}. @colons: escape ':' in what is substituted. */
static char *expand(const char *tmpl, const rp_graph_src *src,
		    gboolean colons, GPtrArray *files)
{
	GString *out = g_string_new(NULL);
	const char *p = tmpl;

	while (*p != '\0') {
		const char *close;
		char *name;
		const char *val = NULL;
		char *owned = NULL;

		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			g_string_append_c(out, *p++);
			continue;
		}
		name = g_strndup(p + 1, (gsize)(close - p - 1));
		if (strcmp(name, "file") == 0)
			val = src->file;
		else if (g_str_has_prefix(name, "file:"))
			val = owned = sibling_path(src, name + 5);
		else if (strcmp(name, "host") == 0)
			val = src->host;
		else if (strcmp(name, "plugin") == 0)
			val = src->plugin;
		else if (strcmp(name, "plugin_instance") == 0)
			val = src->plugin_instance;
		else if (strcmp(name, "type") == 0)
			val = src->type;
		else if (strcmp(name, "type_instance") == 0)
			val = src->type_instance;
		else if (strcmp(name, "instance") == 0)
			val = src->type_instance[0] != '\0' ?
				      src->type_instance : src->plugin_instance;
		if (val == NULL) {
			g_string_append_len(out, p, close - p + 1);
		} else {
			append_escaped(out, val, colons);
			if (files != NULL && g_str_has_prefix(name, "file") &&
			    !g_ptr_array_find_with_equal_func(files, val,
							       g_str_equal,
							       NULL))
				g_ptr_array_add(files, g_strdup(val));
		}
		g_free(owned);
		g_free(name);
		p = close + 1;
	}
	return g_string_free(out, FALSE);
}

GPtrArray *rp_graphdef_files(const rp_graphdef *def, const rp_graph_src *src)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(files, g_strdup(src->file));
	for (guint i = 0; def->args != NULL && def->args[i] != NULL; i++)
		g_free(expand(def->args[i], src, FALSE, files));
	for (guint i = 0; i < def->series->len; i++) {
		const rp_series *s = def->series->pdata[i];
		char *p;
		if (s->file == NULL)
			continue;
		p = sibling_path(src, s->file);
		if (!g_ptr_array_find_with_equal_func(files, p, g_str_equal,
						      NULL))
			g_ptr_array_add(files, p);
		else
			g_free(p);
	}
	/* Only those that exist count (args may name optional siblings). */
	for (guint i = files->len; i-- > 1;)
		if (!g_file_test(files->pdata[i], G_FILE_TEST_IS_REGULAR))
			g_ptr_array_remove_index(files, i);
	return files;
}

GPtrArray *rp_rrd_ds_names(const char *file, GError **err)
{
	rrd_info_t *info, *i;
	GPtrArray *names;

	rrd_clear_error();
	info = rrd_info_r(file);
	if (info == NULL) {
		g_set_error(err, RP_ERROR, 2, "%s: %s", file, rrd_get_error());
		rrd_clear_error();
		return NULL;
	}
	names = g_ptr_array_new_with_free_func(g_free);
	for (i = info; i != NULL; i = i->next) {
		if (g_str_has_prefix(i->key, "ds[") &&
		    g_str_has_suffix(i->key, "].index"))
			g_ptr_array_add(names, g_strndup(i->key + 3,
							 strlen(i->key) - 10));
	}
	rrd_info_free(info);
	return names;
}

gint64 rp_rrd_last(const char *file)
{
	time_t t;

	rrd_clear_error();
	t = rrd_last_r(file);
	if (t == (time_t)-1) {
		rrd_clear_error();
		return -1;
	}
	return (gint64)t;
}

/* The label column is padded so the GPRINT columns line up. */
static void add_series(GPtrArray *argv, const rp_graphdef *def,
		       const rp_graph_src *src, const rp_series *s,
		       const char *ds, const char *label, guint idx,
		       guint pad)
{
	GString *f = g_string_new(NULL);
	const char *colour = s->colour != NULL ? s->colour :
			     palette[idx % G_N_ELEMENTS(palette)];
	char *file, *lbl;
	const char *draw;
	char num[G_ASCII_DTOSTR_BUF_SIZE];

	if (s->file != NULL) {
		char *sib = sibling_path(src, s->file);
		file = expand("{file}", &(rp_graph_src){ .file = sib }, TRUE,
			      NULL);
		g_free(sib);
	} else {
		file = expand("{file}", src, TRUE, NULL);
	}
	g_ptr_array_add(argv, g_strdup_printf("DEF:r%u=%s:%s:%s", idx, file,
					      ds, s->cf));
	g_free(file);
	g_ascii_dtostr(num, sizeof num, s->scale);
	g_ptr_array_add(argv, g_strdup_printf("CDEF:s%u=r%u,%s,*", idx, idx,
					      num));
	if (s->mirror)
		g_ptr_array_add(argv, g_strdup_printf("CDEF:m%u=s%u,-1,*", idx,
						      idx));
	g_ptr_array_add(argv, g_strdup_printf("VDEF:a%u=s%u,AVERAGE", idx, idx));
	g_ptr_array_add(argv, g_strdup_printf("VDEF:x%u=s%u,MAXIMUM", idx, idx));
	g_ptr_array_add(argv, g_strdup_printf("VDEF:l%u=s%u,LAST", idx, idx));
	lbl = expand(label, src, TRUE, NULL);
	append_escaped(f, "", TRUE);
	g_string_append(f, lbl);
	for (guint n = (guint)g_utf8_strlen(label, -1); n < pad; n++)
		g_string_append_c(f, ' ');
	g_free(lbl);
	draw = strcmp(s->draw, "area") == 0 ? "AREA" :
	       strcmp(s->draw, "line2") == 0 ? "LINE2" :
	       strcmp(s->draw, "line3") == 0 ? "LINE3" : "LINE1";
	g_ptr_array_add(argv, g_strdup_printf("%s:%c%u%s:%s", draw,
					      s->mirror ? 'm' : 's', idx,
					      colour, f->str));
	g_string_free(f, TRUE);
	/* PRINT returns the average to the caller (rrd_graph_v's print[]);
	 * GPRINTs show average, maximum and last value in the legend. */
	g_ptr_array_add(argv, g_strdup_printf("PRINT:a%u:%%lf", idx));
	g_ptr_array_add(argv, g_strdup_printf("GPRINT:a%u:avg %s", idx,
					      def->format));
	g_ptr_array_add(argv, g_strdup_printf("GPRINT:x%u:max %s", idx,
					      def->format));
	g_ptr_array_add(argv, g_strdup_printf("GPRINT:l%u:last %s\\l", idx,
					      def->format));
}

char **rp_graph_args(const rp_graphdef *def, const rp_graph_src *src,
		     const char *out, gint64 seconds, const char *title_suffix,
		     int width, int height, const char *imgformat,
		     GError **err)
{
	GPtrArray *argv = g_ptr_array_new();
	char *title = expand(def->title, src, FALSE, NULL);
	char *t;
	gboolean mirrored = FALSE;
	char num[G_ASCII_DTOSTR_BUF_SIZE];

	g_strstrip(title);
	g_ptr_array_add(argv, g_strdup("graph"));
	g_ptr_array_add(argv, g_strdup(out));
	g_ptr_array_add(argv, g_strdup("--imgformat"));
	g_ptr_array_add(argv, g_strdup(imgformat));
	g_ptr_array_add(argv, g_strdup_printf("--start=-%" G_GINT64_FORMAT,
					      seconds));
	g_ptr_array_add(argv, g_strdup("--end=now"));
	g_ptr_array_add(argv, g_strdup_printf("--width=%d", width));
	g_ptr_array_add(argv, g_strdup_printf("--height=%d", height));
	t = title_suffix != NULL ? g_strconcat(title, " ", title_suffix, NULL)
				 : g_strdup(title);
	g_ptr_array_add(argv, g_strdup("--title"));
	g_ptr_array_add(argv, t);
	g_free(title);
	if (def->vertical_label != NULL) {
		g_ptr_array_add(argv, g_strdup("--vertical-label"));
		g_ptr_array_add(argv, expand(def->vertical_label, src, FALSE,
					     NULL));
	}
	g_ptr_array_add(argv, g_strdup_printf("--base=%d", def->base));
	if (def->has_lower) {
		g_ascii_dtostr(num, sizeof num, def->lower);
		g_ptr_array_add(argv, g_strdup_printf("--lower-limit=%s", num));
	}
	if (def->has_upper) {
		g_ascii_dtostr(num, sizeof num, def->upper);
		g_ptr_array_add(argv, g_strdup_printf("--upper-limit=%s", num));
	}
	if (def->rigid)
		g_ptr_array_add(argv, g_strdup("--rigid"));
	g_ptr_array_add(argv, g_strdup("--slope-mode"));
	g_ptr_array_add(argv, g_strdup("--color=BACK#ffffff"));
	g_ptr_array_add(argv, g_strdup("--color=SHADEA#ffffff"));
	g_ptr_array_add(argv, g_strdup("--color=SHADEB#ffffff"));

	if (def->args != NULL) {
		for (guint i = 0; def->args[i] != NULL; i++)
			g_ptr_array_add(argv, expand(def->args[i], src, TRUE,
						     NULL));
	} else {
		guint idx = 0, pad = 0;
		/* First pass: the longest label, for the padding. */
		GPtrArray *dsn = NULL;
		for (guint i = 0; i < def->series->len; i++) {
			const rp_series *s = def->series->pdata[i];
			if (strcmp(s->ds, "*") == 0 && dsn == NULL) {
				dsn = rp_rrd_ds_names(src->file, err);
				if (dsn == NULL) {
					g_ptr_array_add(argv, NULL);
					g_strfreev((char **)g_ptr_array_free(
						argv, FALSE));
					return NULL;
				}
				for (guint j = 0; j < dsn->len; j++)
					pad = MAX(pad, (guint)g_utf8_strlen(
							dsn->pdata[j], -1));
			} else {
				const char *l = s->label != NULL ? s->label
								 : s->ds;
				pad = MAX(pad, (guint)g_utf8_strlen(l, -1));
			}
			mirrored |= s->mirror;
		}
		for (guint i = 0; i < def->series->len; i++) {
			const rp_series *s = def->series->pdata[i];
			if (strcmp(s->ds, "*") == 0) {
				for (guint j = 0; j < dsn->len; j++)
					add_series(argv, def, src, s,
						   dsn->pdata[j], dsn->pdata[j],
						   idx++, pad);
			} else {
				add_series(argv, def, src, s, s->ds,
					   s->label != NULL ? s->label : s->ds,
					   idx++, pad);
			}
		}
		if (mirrored)
			g_ptr_array_add(argv, g_strdup("HRULE:0#555555"));
		if (dsn != NULL)
			g_ptr_array_unref(dsn);
	}
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */

gboolean rp_graph_draw(char **argv, GPtrArray **prints, GError **err)
{
	rrd_info_t *info;
	int argc = (int)g_strv_length(argv);
	/* getopt inside rrd_graph_v permutes the vector: give it a copy. */
	char **copy = g_new0(char *, (gsize)argc + 1);

	memcpy(copy, argv, sizeof(char *) * (gsize)argc);
	g_mutex_lock(&graph_lock);
	rrd_clear_error();
	info = rrd_graph_v(argc, copy);
	g_free(copy);
	if (info == NULL || rrd_test_error()) {
		g_set_error(err, RP_ERROR, 3, "rrd_graph %s: %s", argv[1],
			    rrd_test_error() ? rrd_get_error() : "failed");
		rrd_clear_error();
		if (info != NULL)
			rrd_info_free(info);
		g_mutex_unlock(&graph_lock);
		return FALSE;
	}
	g_mutex_unlock(&graph_lock);
	if (prints != NULL) {
		GPtrArray *legends = g_ptr_array_new_with_free_func(g_free);
		*prints = g_ptr_array_new_with_free_func(g_free);
		for (rrd_info_t *i = info; i != NULL; i = i->next) {
			if (i->type != RD_I_STR)
				continue;
			if (g_str_has_prefix(i->key, "print["))
				g_ptr_array_add(*prints,
						g_strdup(i->value.u_str));
			else if (g_str_has_prefix(i->key, "legend["))
				g_ptr_array_add(legends, g_strconcat(
					"legend: ", i->value.u_str, NULL));
		}
		for (guint i = 0; i < legends->len; i++)
			g_ptr_array_add(*prints, g_strdup(legends->pdata[i]));
		g_ptr_array_unref(legends);
	}
	rrd_info_free(info);
	return TRUE;
}

gboolean rp_graph_draw_atomic(char **argv, const char *out,
			      GPtrArray **prints, GError **err)
{
	char *dir = g_path_get_dirname(out);
	char *base = g_path_get_basename(out);
	char *tmp = g_strdup_printf("%s/.%s.%d.tmp", dir, base, (int)getpid());
	char *saved = argv[1];
	gboolean ok;

	argv[1] = tmp;
	ok = rp_graph_draw(argv, prints, err);
	argv[1] = saved;
	if (ok && rename(tmp, out) != 0) {
		g_set_error(err, RP_ERROR, 4, "cannot rename %s to %s: %s", tmp,
			    out, g_strerror(errno));
		ok = FALSE;
	}
	if (!ok && unlink(tmp) != 0 && errno != ENOENT)
		g_warning("cannot remove %s: %s", tmp, g_strerror(errno));
	g_free(tmp);
	g_free(dir);
	g_free(base);
	return ok;
}
