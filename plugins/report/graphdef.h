/* netmon report plugin — graph definitions (data, not code) and drawing.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Graph definitions are read from a libconfig file (etc/report/graphs.conf,
 * installed as $(pkgdatadir)/report/graphs.conf), one group per collectd
 * type ("if_octets") or per type-instance ("ping-min"), plus "default" for
 * types without one. See that file for the keys. A definition turns one RRD
 * file into rrd_graph arguments: either from `series` (DS, label, colour,
 * scale, mirrored, drawn as line or area, with avg/max/last GPRINTs) or from
 * raw `args` with placeholders {file}, {file:SIBLING}, {host}, {plugin},
 * {instance}, {type_instance}. rrd_graph is not thread-safe: every call goes
 * through rp_graph_draw(), which serialises them with one mutex.
 */
#ifndef NETMON_REPORT_GRAPHDEF_H
#define NETMON_REPORT_GRAPHDEF_H

#include <glib.h>

G_BEGIN_DECLS

/** One drawn data source of a `series` definition. */
typedef struct {
	char *ds;       /**< DS name, "*" = every DS of the file */
	char *file;     /**< sibling "type[-instance]" or NULL: this file */
	char *label;    /**< legend; NULL: the DS name */
	char *colour;   /**< "#rrggbb[aa]"; NULL: from a palette */
	char *draw;     /**< "line1", "line2", "area" */
	char *cf;       /**< consolidation function, default AVERAGE */
	double scale;   /**< multiplier (8 for octets → bits) */
	gboolean mirror;/**< drawn below the axis (out traffic) */
} rp_series;

/** One graph definition. */
typedef struct {
	char *name;            /**< its group name: type or type-instance */
	char *title;           /**< template; placeholders as in args */
	char *vertical_label;
	char *format;          /**< GPRINT format, default "%7.2lf %s" */
	int base;              /**< 1000 or 1024 */
	gboolean has_lower, has_upper, rigid;
	double lower, upper;
	gboolean hidden;       /**< never drawn on its own */
	char **requires;       /**< sibling files that must exist, or NULL */
	char *fallback;        /**< definition used when one is missing */
	char **consumes;       /**< siblings drawn inside this graph */
	GPtrArray *series;     /**< rp_series*, or empty with args */
	char **args;           /**< raw arguments, or NULL */
	int order;             /**< sort key within a plugin (lower first) */
} rp_graphdef;

/** All definitions of one file. */
typedef struct {
	char *path;
	gint64 mtime;          /**< of the file, seconds */
	GHashTable *by_name;   /**< name → rp_graphdef* */
} rp_graphdefs;

/** Load @path. Errors (syntax, wrong types, unknown keys, a fallback that
 *  does not exist) are reported as "FILE:LINE: message" in @err. */
rp_graphdefs *rp_graphdefs_load(const char *path, GError **err);
/** Free what rp_graphdefs_load() returned (NULL is ignored). */
void rp_graphdefs_free(rp_graphdefs *defs);

/** The definition for a file of @type and @type_instance (may be ""):
 *  "type-instance", else "type", else "default"; NULL when none. */
const rp_graphdef *rp_graphdefs_lookup(const rp_graphdefs *defs,
				       const char *type,
				       const char *type_instance);

/** What one graph is drawn from. */
typedef struct {
	const char *file;          /**< the RRD file */
	const char *dir;           /**< its folder (siblings are there) */
	const char *host, *plugin, *plugin_instance, *type, *type_instance;
} rp_graph_src;

/** Resolve @def for @src: follow `fallback` while a `requires` sibling is
 *  missing. Returns the definition to use (NULL if the chain ends). */
const rp_graphdef *rp_graphdef_resolve(const rp_graphdefs *defs,
				       const rp_graphdef *def,
				       const rp_graph_src *src);

/** The RRD files a graph of @def for @src reads (the file itself and the
 *  siblings it names that exist), new array of g_strdup'ed paths. */
GPtrArray *rp_graphdef_files(const rp_graphdef *def, const rp_graph_src *src);

/** Build the rrd_graph argument vector ("graph", @out, options, DEFs,
 *  ...) for @def and @src over the last @seconds, images @width x @height,
 *  @title_suffix (may be NULL) appended to the title,
 *  @imgformat "PNG" or "SVG". NULL-terminated, g_strfreev(). Returns NULL
 *  with @err set when the file cannot be read (DS names for "*"). */
char **rp_graph_args(const rp_graphdef *def, const rp_graph_src *src,
		     const char *out, gint64 seconds, const char *title_suffix,
		     int width, int height, const char *imgformat,
		     GError **err);

/** Draw: rrd_graph_v(@argv) with the process-wide graph lock held. The
 *  image is written to @argv[1]. On success returns TRUE and, if @prints is
 *  not NULL, a new array of the PRINT results (print[0], print[1], ...)
 *  followed by the legend lines (GPRINT results) as "legend: text". */
gboolean rp_graph_draw(char **argv, GPtrArray **prints, GError **err);

/** Draw into a temporary file next to @out and rename it over @out, so a
 *  reader never sees half an image. @argv[1] must be @out; it is replaced
 *  by the temporary name during the call. */
gboolean rp_graph_draw_atomic(char **argv, const char *out,
			      GPtrArray **prints, GError **err);

/** Last update time (seconds) of an RRD file, or -1 (thread-safe). */
gint64 rp_rrd_last(const char *file);

/** The DS names of an RRD file, new array, or NULL with @err set. */
GPtrArray *rp_rrd_ds_names(const char *file, GError **err);

/** The error domain of this module. */
#define RP_ERROR (rp_error_quark())
GQuark rp_error_quark(void);

G_END_DECLS

#endif
