/* netmon report plugin — the static site generator.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Reads <rrd_dir>/<host>/<plugin>[-<pi>]/<type>[-<ti>].rrd (collectd's
 * layout), optional inventory files <inventory_dir>/<host>.json and the
 * availability history, and writes into out_dir:
 *   index.html              hosts, state, availability, last update,
 *                           recent events and top talkers when given
 *   interfaces.html         interfaces of every host with rate and use
 *   hosts/<slug>/<period>.html  graphs grouped by plugin, period = day,
 *                           week, month, year
 *   hosts/<slug>/img/<plugin>/<file>-<period>.png (or .svg)
 *   style.css
 * A graph is redrawn only when the last update of one of its RRD files
 * changed since it was drawn (and, for week/month/year, the image is older
 * than 10 min/1 h/6 h), or the definitions file is newer than the image.
 * Pages and images are written to a temporary name and renamed.
 */
#ifndef NETMON_REPORT_SITE_H
#define NETMON_REPORT_SITE_H

#include <glib.h>

#include "avail.h"
#include "graphdef.h"

G_BEGIN_DECLS

/** Settings and state of one site (the plugin keeps one). */
typedef struct {
	char *rrd_dir;        /**< where the RRD files are */
	char *out_dir;        /**< where the site goes */
	char *inventory_dir;  /**< <host>.json files, may not exist */
	char *title;          /**< site title */
	char *imgformat;      /**< "PNG" or "SVG" */
	int refresh;          /**< meta refresh, s; 0: none */
	int width, height;    /**< graph canvas size */
	rp_graphdefs *defs;   /**< owned */
	rp_avail *avail;      /**< not owned, may be NULL */
	/* Counters (read by the stats function; updated by the generator). */
	guint64 drawn, skipped, errors, pages, runs;
	gint64 last_duration_us;
	char *last_error;     /**< last graph/page error, or NULL */
	GMutex lock;          /**< guards the counters and last_error */
	GHashTable *drawn_last; /**< image path → gint64* max last update */
	gint cancel;          /**< atomic; set by rp_site_cancel() */
} rp_site;

/** Extra sections for the index (JSON text from other plugins' control
 *  commands, or NULL to leave a section out). */
typedef struct {
	const char *events_json;   /**< `events --json --limit N` */
	const char *flows_json;    /**< `flows top --json` */
} rp_extras;

/** A new site; strings are copied, @defs is taken over. */
rp_site *rp_site_new(const char *rrd_dir, const char *out_dir,
		     const char *inventory_dir, const char *title,
		     const char *imgformat, int refresh, int width,
		     int height, rp_graphdefs *defs, rp_avail *avail);
/** Free a site (NULL is ignored). */
void rp_site_free(rp_site *s);

/** Generate the whole site once at time @now (seconds). Individual graph
 *  failures are counted and logged, not fatal; FALSE with @err only when
 *  the output folder or a page cannot be written. Blocking: run it on a
 *  worker thread. Not to be called concurrently for one site. */
gboolean rp_site_generate(rp_site *s, gint64 now, const rp_extras *extras,
			  GError **err);

/** Ask a generation running on another thread to stop at the next graph:
 *  rp_site_generate() then returns TRUE at once without writing the pages
 *  it has not reached (the previous run's pages stay). For shutdown: a
 *  full run draws every graph and can take many seconds. Thread-safe;
 *  there is no way back (the site is about to be freed). */
void rp_site_cancel(rp_site *s);

/** Render a JSON array of objects (or an object holding one) as an HTML
 *  table into @out; FALSE (nothing appended) when @json is not that. */
gboolean rp_json_table(GString *out, const char *json, guint max_rows);

G_END_DECLS

#endif
