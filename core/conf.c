/* netmon — checking configuration groups, and loading netmond's own file.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Every problem is reported as one line "FILE:LINE: PATH: message"; all the
 * problems of a check are joined by '\n' into a single GError whose code is
 * that of the first problem. FILE is the file the setting came from as
 * libconfig recorded it ("(config)" when unknown), LINE is omitted when 0
 * (the root group), PATH is the dotted path from the root with list and
 * array elements as [i] ("snmp.targets.[2].address") and is omitted when
 * empty (the root group itself).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#ifndef NM_PLUGIN_DIR
#define NM_PLUGIN_DIR "/usr/local/lib/netmon"
#endif
#ifndef NM_STATE_DIR
#define NM_STATE_DIR "/var/lib/netmon"
#endif

G_DEFINE_QUARK(nm-conf-error-quark, nm_conf_error)

/* Largest duration, in seconds, whose value in µs fits a gint64. */
#define DURATION_MAX_S ((double)(G_MAXINT64 / G_USEC_PER_SEC))

/* ---- where and what -------------------------------------------------- */

/* libconfig 1.5 records the file of an @include'd setting as written in the
 * @include directive, although it opened it relative to the include dir.
 * Put the include dir back so the name is one the user can open. */
static char *display_file(const config_t *cfg, const char *file)
{
	if (file == NULL)
		return g_strdup("(config)");
	if (cfg == NULL || cfg->include_dir == NULL
	    || strcmp(cfg->include_dir, ".") == 0 || g_path_is_absolute(file)
	    || (cfg->num_filenames > 0 && cfg->filenames != NULL
		&& cfg->filenames[0] != NULL
		&& strcmp(cfg->filenames[0], file) == 0))
		return g_strdup(file);
	return g_build_filename(cfg->include_dir, file, NULL);
}

char *nm_conf_where(const config_setting_t *setting)
{
	const config_setting_t *s;
	const char *file = NULL;
	unsigned int line;
	char *name, *where;

	g_return_val_if_fail(setting != NULL, NULL);
	/* A setting made by hand has no file; its parents may have one. */
	for (s = setting; s != NULL && file == NULL; s = config_setting_parent(s))
		file = config_setting_source_file(s);
	line = config_setting_source_line(setting);
	name = display_file(setting->config, file);
	if (line == 0)
		return name;
	where = g_strdup_printf("%s:%u", name, line);
	g_free(name);
	return where;
}

char *nm_conf_path(const config_setting_t *setting)
{
	GPtrArray *parts;
	GString *path;
	const config_setting_t *s;
	guint i;

	g_return_val_if_fail(setting != NULL, NULL);
	parts = g_ptr_array_new_with_free_func(g_free);
	/* Walk up to (not including) the root group, which has no name. */
	for (s = setting; config_setting_parent(s) != NULL;
	     s = config_setting_parent(s)) {
		const char *name = config_setting_name(s);

		if (name != NULL)
			g_ptr_array_add(parts, g_strdup(name));
		else
			g_ptr_array_add(parts, g_strdup_printf(
				"[%d]", config_setting_index(s)));
	}
	path = g_string_new(NULL);
	for (i = parts->len; i > 0; i--) {
		if (path->len > 0)
			g_string_append_c(path, '.');
		g_string_append(path, g_ptr_array_index(parts, i - 1));
	}
	g_ptr_array_unref(parts);
	return g_string_free(path, FALSE);
}

/* "FILE:LINE: PATH: message", or "FILE:LINE: message" for the root. */
static char *located(const config_setting_t *where_s,
		     const config_setting_t *path_s, const char *msg)
{
	char *where = nm_conf_where(where_s);
	char *path = nm_conf_path(path_s);
	char *line;

	if (path[0] != '\0')
		line = g_strdup_printf("%s: %s: %s", where, path, msg);
	else
		line = g_strdup_printf("%s: %s", where, msg);
	g_free(where);
	g_free(path);
	return line;
}

gboolean nm_conf_error(const config_setting_t *setting, GError **err,
		       const char *fmt, ...)
{
	va_list ap;
	char *msg, *line;

	g_return_val_if_fail(setting != NULL, FALSE);
	g_return_val_if_fail(fmt != NULL, FALSE);
	if (err == NULL)
		return FALSE;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	line = located(setting, setting, msg);
	g_set_error_literal(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID, line);
	g_free(line);
	g_free(msg);
	return FALSE;
}

/* ---- collecting problems --------------------------------------------- */

typedef struct {
	GString *text;  /* lines so far, '\n'-separated */
	int code;       /* code of the first problem, -1 while none */
} problems;

static void problems_init(problems *p)
{
	p->text = g_string_new(NULL);
	p->code = -1;
}

static void problems_add_line(problems *p, nm_conf_error_code code,
			      const char *line)
{
	if (p->code < 0)
		p->code = (int)code;
	else
		g_string_append_c(p->text, '\n');
	g_string_append(p->text, line);
}

/* Add "WHERE(@where_s): PATH(@path_s): message". */
static void problem(problems *p, nm_conf_error_code code,
		    const config_setting_t *where_s,
		    const config_setting_t *path_s, const char *fmt, ...)
	G_GNUC_PRINTF(5, 6);
static void problem(problems *p, nm_conf_error_code code,
		    const config_setting_t *where_s,
		    const config_setting_t *path_s, const char *fmt, ...)
{
	va_list ap;
	char *msg, *line;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	line = located(where_s, path_s, msg);
	problems_add_line(p, code, line);
	g_free(line);
	g_free(msg);
}

/* TRUE when there was no problem; else sets @err (if given). Frees @p. */
static gboolean problems_finish(problems *p, GError **err)
{
	gboolean ok = p->code < 0;

	if (!ok)
		g_set_error_literal(err, NM_CONF_ERROR, p->code, p->text->str);
	g_string_free(p->text, TRUE);
	p->text = NULL;
	return ok;
}

/* ---- checking --------------------------------------------------------- */

static const char *kind_word(nm_conf_kind kind)
{
	switch (kind) {
	case NM_CONF_INT: return "an integer";
	case NM_CONF_FLOAT: return "a number";
	case NM_CONF_BOOL: return "a boolean";
	case NM_CONF_STRING: return "a string";
	case NM_CONF_DURATION: return "a duration in seconds";
	case NM_CONF_GROUP: return "a group { }";
	case NM_CONF_LIST: return "a list ( )";
	case NM_CONF_ARRAY: return "an array [ ]";
	}
	return "a valid value";
}

static const char *type_word(int type)
{
	switch (type) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a floating-point number";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_LIST: return "a list ( )";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	default: return "nothing";
	}
}

static gboolean type_fits(nm_conf_kind kind, int type)
{
	switch (kind) {
	case NM_CONF_INT:
		return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
	case NM_CONF_FLOAT:
	case NM_CONF_DURATION:
		return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64
		       || type == CONFIG_TYPE_FLOAT;
	case NM_CONF_BOOL: return type == CONFIG_TYPE_BOOL;
	case NM_CONF_STRING: return type == CONFIG_TYPE_STRING;
	case NM_CONF_GROUP: return type == CONFIG_TYPE_GROUP;
	case NM_CONF_LIST: return type == CONFIG_TYPE_LIST;
	case NM_CONF_ARRAY: return type == CONFIG_TYPE_ARRAY;
	}
	return FALSE;
}

/* Optimal-string-alignment distance (Levenshtein plus transpositions). */
static gsize edit_distance(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b), i, j, d;
	gsize *prev2, *prev, *cur, *tmp;

	prev2 = g_new0(gsize, lb + 1);
	prev = g_new0(gsize, lb + 1);
	cur = g_new0(gsize, lb + 1);
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			gsize cost = a[i - 1] == b[j - 1] ? 0 : 1;

			d = MIN(prev[j] + 1, cur[j - 1] + 1);
			d = MIN(d, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2]
			    && a[i - 2] == b[j - 1])
				d = MIN(d, prev2[j - 2] + 1);
			cur[j] = d;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	d = prev[lb];
	g_free(prev2);
	g_free(prev);
	g_free(cur);
	return d;
}

/* The known key closest to @name: within distance 2, and closer than the
 * length of @name (so "ab" does not suggest "id"); NULL if none. The first
 * of equally close keys wins. */
static const char *suggest(const char *name, const nm_conf_key *keys)
{
	const char *best = NULL;
	gsize best_d = 3, len = strlen(name);
	const nm_conf_key *k;

	for (k = keys; k->name != NULL; k++) {
		gsize klen = strlen(k->name), d;

		/* The distance is at least the difference of the lengths:
		 * no need to compare a long name cell by cell (a 100 kB
		 * unknown name took seconds per key). */
		if ((len > klen ? len - klen : klen - len) >= best_d)
			continue;
		d = edit_distance(name, k->name);

		if (d < best_d && d < len) {
			best = k->name;
			best_d = d;
		}
	}
	return best;
}

/* Value of a number setting, and its text as written ("5", "0.25"). */
static double number_value(const config_setting_t *s, char **text)
{
	double v;

	if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
		v = config_setting_get_float(s);
		*text = g_strdup_printf("%g", v);
	} else {
		long long i = config_setting_get_int64(s);

		v = (double)i;
		*text = g_strdup_printf("%lld", i);
	}
	return v;
}

static void check_group(problems *p, const config_setting_t *group,
			const nm_conf_key *keys);

/* Type, range, choices and children of one member @s described by @k. */
static void check_value(problems *p, const config_setting_t *s,
			const nm_conf_key *k)
{
	int type = config_setting_type(s);

	if (!type_fits(k->kind, type)) {
		problem(p, NM_CONF_ERROR_TYPE, s, s, "expected %s, got %s",
			kind_word(k->kind), type_word(type));
		return;
	}
	switch (k->kind) {
	case NM_CONF_INT:
	case NM_CONF_FLOAT:
	case NM_CONF_DURATION: {
		double min = k->min, max = k->max;
		gboolean ranged = k->has_range;
		char *text;
		double v = number_value(s, &text);

		if (k->kind == NM_CONF_DURATION && !ranged) {
			/* Durations are never negative and must fit in µs. */
			min = 0;
			max = DURATION_MAX_S;
			ranged = TRUE;
		}
		if (ranged && (v < min || v > max))
			problem(p, NM_CONF_ERROR_RANGE, s, s,
				"%s is out of range %g..%g", text, min, max);
		g_free(text);
		break;
	}
	case NM_CONF_STRING:
		if (k->choices != NULL) {
			const char *v = config_setting_get_string(s);
			const char *const *c;
			GString *list;

			for (c = k->choices; *c != NULL; c++)
				if (v != NULL && strcmp(*c, v) == 0)
					break;
			if (*c != NULL)
				break;
			list = g_string_new(NULL);
			for (c = k->choices; *c != NULL; c++) {
				if (list->len > 0)
					g_string_append(list, ", ");
				g_string_append(list, *c);
			}
			problem(p, NM_CONF_ERROR_RANGE, s, s,
				"'%s' is not one of: %s", v ? v : "", list->str);
			g_string_free(list, TRUE);
		}
		break;
	case NM_CONF_LIST:
	case NM_CONF_ARRAY: {
		int n = config_setting_length(s);

		if (k->has_range && (n < k->min || n > k->max))
			problem(p, NM_CONF_ERROR_RANGE, s, s,
				"has %d element%s, expected %g..%g", n,
				n == 1 ? "" : "s", k->min, k->max);
		if (k->kind == NM_CONF_LIST && k->children != NULL) {
			int i;

			for (i = 0; i < n; i++) {
				const config_setting_t *e =
					config_setting_get_elem(s, (unsigned)i);

				if (e == NULL)
					continue;
				if (!config_setting_is_group(e))
					problem(p, NM_CONF_ERROR_TYPE, e, e,
						"expected %s, got %s",
						kind_word(NM_CONF_GROUP),
						type_word(config_setting_type(e)));
				else
					check_group(p, e, k->children);
			}
		}
		break;
	}
	case NM_CONF_GROUP:
		if (k->children != NULL)
			check_group(p, s, k->children);
		break;
	case NM_CONF_BOOL:
		break;
	}
}

/* Checks a member by hand instead of the table; returns TRUE if it did. */
typedef gboolean (*member_hook)(problems *p, const config_setting_t *s,
				const nm_conf_key *k);

/* Missing required keys (located at the group, which comes first in the
 * file), then each member in file order. */
static void check_group_hooked(problems *p, const config_setting_t *group,
			       const nm_conf_key *keys, member_hook hook)
{
	const nm_conf_key *k;
	int i, n;

	for (k = keys; k->name != NULL; k++)
		if (k->required
		    && config_setting_get_member(group, k->name) == NULL)
			problem(p, NM_CONF_ERROR_MISSING, group, group,
				"missing required setting '%s'", k->name);
	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		const config_setting_t *s =
			config_setting_get_elem(group, (unsigned)i);
		const char *name;

		if (s == NULL)
			continue;
		name = config_setting_name(s);
		for (k = keys; k->name != NULL; k++)
			if (name != NULL && strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL) {
			const char *alt = name ? suggest(name, keys) : NULL;

			if (alt != NULL)
				problem(p, NM_CONF_ERROR_UNKNOWN, s, group,
					"unknown setting '%s' (did you mean '%s'?)",
					name, alt);
			else
				problem(p, NM_CONF_ERROR_UNKNOWN, s, group,
					"unknown setting '%s'",
					name ? name : "");
			continue;
		}
		if (hook != NULL && hook(p, s, k))
			continue;
		check_value(p, s, k);
	}
}

static void check_group(problems *p, const config_setting_t *group,
			const nm_conf_key *keys)
{
	check_group_hooked(p, group, keys, NULL);
}

gboolean nm_conf_check(const config_setting_t *group, const nm_conf_key *keys,
		       GError **err)
{
	problems p;

	g_return_val_if_fail(group != NULL, FALSE);
	problems_init(&p);
	if (!config_setting_is_group(group))
		problem(&p, NM_CONF_ERROR_TYPE, group, group,
			"expected %s, got %s", kind_word(NM_CONF_GROUP),
			type_word(config_setting_type(group)));
	else if (keys != NULL)
		check_group(&p, group, keys);
	return problems_finish(&p, err);
}

/* ---- lookups ---------------------------------------------------------- */

static const config_setting_t *member(const config_setting_t *group,
				      const char *name)
{
	if (group == NULL || name == NULL || !config_setting_is_group(group))
		return NULL;
	return config_setting_get_member(group, name);
}

gint64 nm_conf_int(const config_setting_t *group, const char *name, gint64 def)
{
	const config_setting_t *s = member(group, name);

	if (s == NULL || (config_setting_type(s) != CONFIG_TYPE_INT
			  && config_setting_type(s) != CONFIG_TYPE_INT64))
		return def;
	return config_setting_get_int64(s);
}

double nm_conf_float(const config_setting_t *group, const char *name, double def)
{
	const config_setting_t *s = member(group, name);

	if (s == NULL || !config_setting_is_number(s))
		return def;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		return config_setting_get_float(s);
	return (double)config_setting_get_int64(s);
}

gboolean nm_conf_bool(const config_setting_t *group, const char *name,
		      gboolean def)
{
	const config_setting_t *s = member(group, name);

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_BOOL)
		return def;
	return config_setting_get_bool(s) ? TRUE : FALSE;
}

const char *nm_conf_string(const config_setting_t *group, const char *name,
			   const char *def)
{
	const config_setting_t *s = member(group, name);
	const char *v;

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return def;
	v = config_setting_get_string(s);
	return v != NULL ? v : def;
}

gint64 nm_conf_duration(const config_setting_t *group, const char *name,
			gint64 def_us)
{
	const config_setting_t *s = member(group, name);
	double us;

	if (s == NULL || !config_setting_is_number(s))
		return def_us;
	if (config_setting_type(s) != CONFIG_TYPE_FLOAT) {
		long long v = config_setting_get_int64(s);

		if (v > G_MAXINT64 / G_USEC_PER_SEC)
			return G_MAXINT64;
		if (v < G_MININT64 / G_USEC_PER_SEC)
			return G_MININT64;
		return (gint64)v * G_USEC_PER_SEC;
	}
	us = config_setting_get_float(s) * (double)G_USEC_PER_SEC;
	if (isnan(us))
		return def_us;
	/* (double)G_MAXINT64 rounds up to 2^63, which no longer fits. */
	if (us >= (double)G_MAXINT64)
		return G_MAXINT64;
	if (us <= (double)G_MININT64)
		return G_MININT64;
	/* Round to nearest, halves away from zero (as round(), without libm). */
	return (gint64)(us < 0 ? us - 0.5 : us + 0.5);
}

/* ---- the netmond group ------------------------------------------------ */

static const char *const log_level_names[] = {
	"error", "warning", "notice", "info", "debug", NULL
};
static const char *const log_names[] = { "auto", "stderr", "syslog", NULL };
static const nm_log_level log_level_values[] = {
	NM_LOG_ERROR, NM_LOG_WARNING, NM_LOG_NOTICE, NM_LOG_INFO, NM_LOG_DEBUG
};

/* plugin_dir is a string of ':'-separated folders or a list/array of
 * strings. A table entry has one kind, so it is described as a STRING here
 * (for docs) and checked by hand in nm_core_config_load(): nm_conf_check()
 * with this table alone would refuse the list form. */
const nm_conf_key nm_core_config_keys[] = {
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 86400,
	  .help = "default collection interval, seconds (default 60)" },
	{ .name = "plugin_dir", .kind = NM_CONF_STRING,
	  .help = "folders of plugins: \"a:b\" or a list (\"a\", \"b\")" },
	{ .name = "state_dir", .kind = NM_CONF_STRING,
	  .help = "folder for state files (default " NM_STATE_DIR ")" },
	{ .name = "control_socket", .kind = NM_CONF_STRING,
	  .help = "control socket (default <state_dir>/netmond.sock)" },
	{ .name = "pid_file", .kind = NM_CONF_STRING,
	  .help = "PID file (default <state_dir>/netmond.pid)" },
	{ .name = "log_file", .kind = NM_CONF_STRING,
	  .help = "log to this file in the background instead of syslog" },
	{ .name = "log", .kind = NM_CONF_STRING, .choices = log_names,
	  .help = "auto (foreground: stderr, or the journal under systemd; "
		  "background: syslog), stderr or syslog; log_file wins" },
	{ .name = "log_level", .kind = NM_CONF_STRING,
	  .choices = log_level_names,
	  .help = "least severe level logged (default info)" },
	{ .name = "workers", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 256, .help = "worker threads (default 4)" },
	{ .name = "shutdown_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0, .max = 3600,
	  .help = "seconds to drain at SIGTERM (default 10)" },
	{ .name = "user", .kind = NM_CONF_STRING,
	  .help = "drop privileges to this user" },
	{ .name = "group", .kind = NM_CONF_STRING,
	  .help = "drop privileges to this group" },
	{ .name = "allow_root", .kind = NM_CONF_BOOL,
	  .help = "run plugins as root when no user is set (default false: "
		  "refuse)" },
	{ .name = "hostname", .kind = NM_CONF_STRING,
	  .help = "host name for netmon's own metrics (default: this host's)" },
	{ .name = "shard", .kind = NM_CONF_STRING,
	  .help = "\"I/N\": this poller takes shard I of N of the targets" },
	{ .name = NULL }
};

static gboolean is_path_key(const char *name)
{
	static const char *const keys[] = {
		"plugin_dir", "state_dir", "control_socket", "pid_file",
		"log_file", NULL
	};
	const char *const *k;

	for (k = keys; *k != NULL; k++)
		if (strcmp(*k, name) == 0)
			return TRUE;
	return FALSE;
}

/* Number of non-empty folders in a ':'-separated string. */
static guint count_folders(const char *v)
{
	char **parts = g_strsplit(v, ":", -1);
	guint i, n = 0;

	for (i = 0; parts[i] != NULL; i++)
		if (parts[i][0] != '\0')
			n++;
	g_strfreev(parts);
	return n;
}

static gboolean netmond_hook(problems *p, const config_setting_t *s,
			     const nm_conf_key *k)
{
	int type = config_setting_type(s);

	if (strcmp(k->name, "plugin_dir") == 0) {
		guint folders = 0;

		if (type == CONFIG_TYPE_STRING) {
			const char *v = config_setting_get_string(s);

			folders = count_folders(v ? v : "");
		} else if (type == CONFIG_TYPE_LIST
			   || type == CONFIG_TYPE_ARRAY) {
			int i, n = config_setting_length(s);

			for (i = 0; i < n; i++) {
				const config_setting_t *e =
					config_setting_get_elem(s, (unsigned)i);
				const char *v;

				if (e == NULL)
					continue;
				if (config_setting_type(e)
				    != CONFIG_TYPE_STRING) {
					problem(p, NM_CONF_ERROR_TYPE, e, e,
						"expected a string, got %s",
						type_word(config_setting_type(e)));
					folders++; /* one problem is enough */
					continue;
				}
				v = config_setting_get_string(e);
				if (v != NULL && v[0] != '\0')
					folders++;
			}
		} else {
			problem(p, NM_CONF_ERROR_TYPE, s, s,
				"expected a string or a list of strings, got %s",
				type_word(type));
			return TRUE;
		}
		if (folders == 0)
			problem(p, NM_CONF_ERROR_INVALID, s, s,
				"must name at least one folder");
		return TRUE;
	}
	if (strcmp(k->name, "shard") == 0 && type == CONFIG_TYPE_STRING) {
		guint index, count;

		if (!nm_shard_parse(config_setting_get_string(s), &index, &count))
			problem(p, NM_CONF_ERROR_INVALID, s, s,
				"'%s' is not a shard: write \"I/N\", 0 <= I < N <= 1024",
				config_setting_get_string(s));
		return TRUE;
	}
	if (is_path_key(k->name) && type == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(s);

		if (v == NULL || v[0] == '\0') {
			problem(p, NM_CONF_ERROR_INVALID, s, s,
				"must not be empty");
			return TRUE;
		}
	}
	return FALSE;
}

/* Relative paths in the netmond group are taken relative to the folder of
 * the config file (@base, absolute), not to the daemon's working folder, so
 * that a config in the build tree can say plugin_dir = "../plugins" and the
 * daemon can chdir("/") when it detaches. Results are absolute and tidied
 * (".", ".." and repeated '/' removed). */
static char *resolve(const char *path, const char *base)
{
	return g_canonicalize_filename(path, base);
}

static char **plugin_dirs_of(const config_setting_t *s, const char *base)
{
	GPtrArray *dirs = g_ptr_array_new();

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		char **parts = g_strsplit(config_setting_get_string(s), ":", -1);
		guint i;

		for (i = 0; parts[i] != NULL; i++)
			if (parts[i][0] != '\0')
				g_ptr_array_add(dirs, resolve(parts[i], base));
		g_strfreev(parts);
	} else {
		int i, n = config_setting_length(s);

		for (i = 0; i < n; i++) {
			const char *v = config_setting_get_string_elem(
				s, i);

			if (v != NULL && v[0] != '\0')
				g_ptr_array_add(dirs, resolve(v, base));
		}
	}
	g_ptr_array_add(dirs, NULL);
	return (char **)g_ptr_array_free(dirs, FALSE);
}

static char *path_setting(const config_setting_t *netmond, const char *name,
			  const char *base)
{
	const char *v = nm_conf_string(netmond, name, NULL);

	return v != NULL ? resolve(v, base) : NULL;
}

/* Fill @c from its (valid) netmond group, NULL if absent. */
static void apply_netmond(nm_core_config *c, const config_setting_t *netmond,
			  const char *base)
{
	const config_setting_t *s;
	const char *v;
	guint i;

	c->interval = nm_conf_duration(netmond, "interval", 60 * G_USEC_PER_SEC);
	s = member(netmond, "plugin_dir");
	if (s != NULL)
		c->plugin_dirs = plugin_dirs_of(s, base);
	else
		c->plugin_dirs = g_strdupv((char *[]){ NM_PLUGIN_DIR, NULL });
	c->state_dir = path_setting(netmond, "state_dir", base);
	if (c->state_dir == NULL)
		c->state_dir = g_strdup(NM_STATE_DIR);
	c->control_socket = path_setting(netmond, "control_socket", base);
	if (c->control_socket == NULL)
		c->control_socket = g_build_filename(c->state_dir,
						     "netmond.sock", NULL);
	c->pid_file = path_setting(netmond, "pid_file", base);
	if (c->pid_file == NULL)
		c->pid_file = g_build_filename(c->state_dir, "netmond.pid",
					       NULL);
	c->log_file = path_setting(netmond, "log_file", base);
	c->log_to = g_strdup(nm_conf_string(netmond, "log", "auto"));
	c->log_level = NM_LOG_INFO;
	v = nm_conf_string(netmond, "log_level", NULL);
	for (i = 0; v != NULL && log_level_names[i] != NULL; i++)
		if (strcmp(log_level_names[i], v) == 0)
			c->log_level = log_level_values[i];
	c->workers = (guint)nm_conf_int(netmond, "workers", 4);
	c->shutdown_timeout = nm_conf_duration(netmond, "shutdown_timeout",
					       10 * G_USEC_PER_SEC);
	c->user = g_strdup(nm_conf_string(netmond, "user", NULL));
	c->group = g_strdup(nm_conf_string(netmond, "group", NULL));
	c->allow_root = nm_conf_bool(netmond, "allow_root", FALSE);
	c->hostname = g_strdup(nm_conf_string(netmond, "hostname",
					      g_get_host_name()));
	c->shard_index = 0;
	c->shard_count = 1;
	v = nm_conf_string(netmond, "shard", NULL);
	if (v != NULL && !nm_shard_parse(v, &c->shard_index, &c->shard_count)) {
		c->shard_index = 0;
		c->shard_count = 1;
	}
}

/* libconfig 1.5 reads an @include'd file with fopen() and flex: a folder
 * makes flex's read fail and yy_fatal_error() exit() the whole process
 * (hyperrealm/libconfig#292, still in 1.8), a FIFO or a device blocks it
 * or reads without end. So before libconfig sees the file, every line
 * "@include "NAME"" (its scanner's rule: at the start of a line after
 * blanks, at least one blank, the name up to the next '"', no escapes) is
 * looked at, in @file and, recursively, in the files it includes, as
 * libconfig 1.5 opens them: <include dir>/NAME. A NAME that exists and is
 * not a regular file is refused as "FILE:LINE: ..."; one that does not
 * exist is left to libconfig ("cannot open include file"). @depth stops
 * at libconfig's own limit of 10 nested includes; @seen (paths) makes
 * each file read once. */
#define INCLUDE_DEPTH_MAX 10
static gboolean check_includes(const config_t *cfg, const char *file,
			       int depth, GHashTable *seen, GError **err)
{
	char *text = NULL;
	char **lines;
	gboolean ok = TRUE;

	/* Each file once: a file that includes itself several times would
	 * otherwise cost (includes per file)^depth reads. */
	if (depth > INCLUDE_DEPTH_MAX || g_hash_table_contains(seen, file))
		return TRUE;
	g_hash_table_add(seen, g_strdup(file));
	if (!g_file_get_contents(file, &text, NULL, NULL))
		return TRUE; /* libconfig says what is wrong */
	lines = g_strsplit(text, "\n", -1);
	g_free(text);
	for (guint i = 0; ok && lines[i] != NULL; i++) {
		const char *p = lines[i], *end;
		char *name, *path;
		struct stat st;

		p += strspn(p, " \t");
		if (!g_str_has_prefix(p, "@include"))
			continue;
		p += strlen("@include");
		if (*p != ' ' && *p != '\t')
			continue;
		p += strspn(p, " \t");
		if (*p != '"' || (end = strchr(p + 1, '"')) == NULL)
			continue;
		name = g_strndup(p + 1, (gsize)(end - p - 1));
		path = cfg->include_dir != NULL
			? g_build_filename(cfg->include_dir, name, NULL)
			: g_strdup(name);
		if (stat(path, &st) != 0) {
			/* missing: libconfig says "cannot open include file" */
		} else if (!S_ISREG(st.st_mode)) {
			g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX,
				    "%s:%u: cannot include %s: not a regular "
				    "file%s", file, i + 1, path,
				    S_ISDIR(st.st_mode) ? " but a folder" : "");
			ok = FALSE;
		} else {
			ok = check_includes(cfg, path, depth + 1, seen, err);
		}
		g_free(path);
		g_free(name);
	}
	g_strfreev(lines);
	return ok;
}

static gboolean read_file(nm_core_config *c, const char *file, GError **err)
{
	int e;

	/* libconfig says only "file I/O error": find the reason first. */
	if (access(file, R_OK) != 0) {
		e = errno;
		goto cannot_read;
	}
	if (g_file_test(file, G_FILE_TEST_IS_DIR)) {
		e = EISDIR;
		goto cannot_read;
	}
	{
		GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
							 g_free, NULL);
		gboolean ok = check_includes(&c->cfg, file, 1, seen, err);

		g_hash_table_destroy(seen);
		if (!ok)
			return FALSE;
	}
	errno = 0;
	if (config_read_file(&c->cfg, file) == CONFIG_TRUE)
		return TRUE;
	e = errno;
	if (config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO) {
		if (e == 0) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO,
				    "%s: cannot read: %s", file,
				    config_error_text(&c->cfg)
				    ? config_error_text(&c->cfg) : "I/O error");
			return FALSE;
		}
		goto cannot_read;
	} else {
		const char *text = config_error_text(&c->cfg);
		char *efile = display_file(&c->cfg,
			config_error_file(&c->cfg) ? config_error_file(&c->cfg)
						   : file);
		int line = config_error_line(&c->cfg);
		char *where = line > 0 ? g_strdup_printf("%s:%d", efile, line)
				       : g_strdup(efile);

		/* libconfig's usual text is "syntax error": don't say it twice. */
		if (text == NULL || strcmp(text, "syntax error") == 0)
			g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX,
				    "%s: syntax error", where);
		else
			g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX,
				    "%s: syntax error: %s", where, text);
		g_free(where);
		g_free(efile);
		return FALSE;
	}

cannot_read:
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
		    "%s: cannot read: %s", file, g_strerror(e));
	return FALSE;
}

/* @include paths: libconfig 1.5 opens "@include "x"" as <include dir>/x,
 * and the include dir is set to the config file's folder, so an @include is
 * relative to the file that holds the top-level configuration (also in
 * nested includes). An absolute @include path does not work with 1.5. */
nm_core_config *nm_core_config_load(const char *file, GError **err)
{
	nm_core_config *c;
	const config_setting_t *root, *netmond = NULL;
	char *dir, *base;
	problems p;
	int i, n;

	g_return_val_if_fail(file != NULL, NULL);
	g_return_val_if_fail(err == NULL || *err == NULL, NULL);
	c = g_new0(nm_core_config, 1);
	config_init(&c->cfg);
	c->file = g_strdup(file);
	c->plugin_groups = g_ptr_array_new();
	dir = g_path_get_dirname(file);
	config_set_include_dir(&c->cfg, dir);
	base = g_canonicalize_filename(dir, NULL);
	g_free(dir);
	if (!read_file(c, file, err)) {
		g_free(base);
		nm_core_config_free(c);
		return NULL;
	}

	problems_init(&p);
	root = config_root_setting(&c->cfg);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		const config_setting_t *s =
			config_setting_get_elem(root, (unsigned)i);
		const char *name;

		if (s == NULL)
			continue;
		name = config_setting_name(s);
		if (!config_setting_is_group(s)) {
			char *where = nm_conf_where(s);
			char *line = g_strdup_printf(
				"%s: '%s' must be a group: %s = { ... };",
				where, name, name);

			problems_add_line(&p, NM_CONF_ERROR_TYPE, line);
			g_free(line);
			g_free(where);
		} else if (strcmp(name, "netmond") == 0) {
			netmond = s;
			check_group_hooked(&p, s, nm_core_config_keys,
					   netmond_hook);
		} else {
			g_ptr_array_add(c->plugin_groups, (gpointer)s);
		}
	}
	if (!problems_finish(&p, err)) {
		g_free(base);
		nm_core_config_free(c);
		return NULL;
	}
	apply_netmond(c, netmond, base);
	g_free(base);
	return c;
}

void nm_core_config_free(nm_core_config *c)
{
	if (c == NULL)
		return;
	config_destroy(&c->cfg);
	g_free(c->file);
	g_strfreev(c->plugin_dirs);
	g_free(c->state_dir);
	g_free(c->control_socket);
	g_free(c->pid_file);
	g_free(c->log_file);
	g_free(c->log_to);
	g_free(c->user);
	g_free(c->group);
	g_free(c->hostname);
	if (c->plugin_groups != NULL)
		g_ptr_array_unref(c->plugin_groups);
	g_free(c);
}
