/* netmon — Monitoring Plugins output and performance data.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Source: Monitoring Plugins Development Guidelines, §"Plugin Output" and
 * §"Performance data" (https://www.monitoring-plugins.org/doc/
 * guidelines.html). Output is
 *     TEXT [| PERFDATA]
 *     [LONG TEXT LINES ...] [| PERFDATA
 *     PERFDATA ...]
 * and PERFDATA is space-separated 'label'=value[UOM];[warn];[crit];[min];[max]
 * where the label may be quoted with single quotes ('' for a quote inside),
 * value is a number or "U" (could not be determined), UOM one of s ms us %
 * B KB MB GB TB c (others are kept as they are), warn/crit are ranges.
 */
#ifndef NETMON_PERFDATA_H
#define NETMON_PERFDATA_H

#include <glib.h>
#include <netmon/msg.h>

G_BEGIN_DECLS

/** One performance data item. Free with nm_perf_free(). */
typedef struct {
	char *label;        /**< unquoted label, never NULL or empty */
	double value;       /**< NAN when unknown */
	gboolean unknown;   /**< value was "U" */
	char *uom;          /**< unit as written, "" when none */
	char *warn;         /**< warning range text, "" when none */
	char *crit;         /**< critical range text, "" when none */
	double min, max;    /**< NAN when absent */
} nm_perf;

/** Free one item (NULL is ignored). */
void nm_perf_free(nm_perf *p);

/** Parse perfdata @text. Returns an array of nm_perf* (free with
 *  g_ptr_array_unref(); elements freed with it), possibly empty. Malformed
 *  items are skipped and counted in @n_bad (may be NULL); parsing goes on
 *  at the next blank outside quotes. @text NULL is taken as "". */
GPtrArray *nm_perfdata_parse(const char *text, guint *n_bad);

/** TRUE when @uom marks a counter ("c"): published as DERIVE. */
gboolean nm_perf_is_counter(const nm_perf *p);

/** The METRIC value of @p: GAUGE, or DERIVE (rounded) for a counter.
 *  Returns FALSE, leaving @out untouched, when the value is unknown ("U")
 *  or a counter's value does not fit a 64-bit signed integer (llround()
 *  would give an unspecified result: a 1e30c would become a huge negative
 *  DERIVE). */
gboolean nm_perf_value(const nm_perf *p, nm_value *out);

/** Split plugin output @buf (@len bytes, need not be NUL-terminated, may
 *  hold NULs, which are taken as spaces) into the first line's text
 *  (@output), the other lines (@long_output, "" when none) and all
 *  performance data joined by single spaces (@perfdata, "" when none).
 *  Trailing blanks and a trailing newline are removed. Each result is a new
 *  string (g_free()). Never fails. */
void nm_check_output_split(const char *buf, gsize len, char **output,
			   char **long_output, char **perfdata);

G_END_DECLS

#endif /* NETMON_PERFDATA_H */
