/* netmon — Monitoring Plugins threshold ranges.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Source: Monitoring Plugins Development Guidelines, §"Threshold and
 * ranges" (https://www.monitoring-plugins.org/doc/guidelines.html). A range
 * is "[@]start:end" where
 *   - start <= end;
 *   - start and ":" may be left out when start is 0 ("10" = "0:10");
 *   - an empty end (after ":") is +infinity ("10:" = 10..inf);
 *   - "~" as start is -infinity ("~:10");
 *   - an alert is raised when the value is OUTSIDE start..end (endpoints
 *     inclusive, so they do not alert), or with a leading "@", when it is
 *     INSIDE start..end (endpoints inclusive, so they do alert).
 * The table of the guidelines:
 *   10      alert if < 0 or > 10
 *   10:     alert if < 10
 *   ~:10    alert if > 10
 *   10:20   alert if < 10 or > 20
 *   @10:20  alert if >= 10 and <= 20
 */
#ifndef NETMON_RANGE_H
#define NETMON_RANGE_H

#include <glib.h>

G_BEGIN_DECLS

/** A parsed range. Plain data: copy freely, nothing to free. */
typedef struct {
	double start;        /**< lower bound (ignored when start_inf) */
	double end;          /**< upper bound (ignored when end_inf) */
	gboolean start_inf;  /**< start is -infinity ("~") */
	gboolean end_inf;    /**< end is +infinity (nothing after ":") */
	gboolean inside;     /**< leading "@": alert inside the range */
} nm_range;

/** Error domain of nm_range_parse(): code 0, message names the text. */
#define NM_RANGE_ERROR (nm_range_error_quark())
GQuark nm_range_error_quark(void);

/** Parse @text (surrounding blanks allowed) into @out. Numbers are decimal
 *  with optional sign, fraction and exponent ("1e3"); "inf"/"nan" and hex
 *  are refused. Returns FALSE with @err set (and @out untouched) when
 *  @text is NULL, empty, malformed, or start > end. */
gboolean nm_range_parse(const char *text, nm_range *out, GError **err);

/** TRUE when @value raises an alert against @r (see the table above).
 *  NaN always alerts (a value that cannot be compared is a problem). */
gboolean nm_range_alert(const nm_range *r, double value);

/** The range in canonical guideline syntax ("10", "10:", "~:10", "@10:20")
 *  in a new string (g_free()). */
char *nm_range_to_string(const nm_range *r);

G_END_DECLS

#endif /* NETMON_RANGE_H */
