/* netmon report plugin — HTML helpers: escaping, safe names, page frame.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Everything that comes from a device (host names, sysDescr, interface
 * aliases, syslog text) passes through rp_html_escape() before it reaches a
 * page; names used in file names and URLs pass through rp_slug().
 */
#ifndef NETMON_REPORT_HTML_H
#define NETMON_REPORT_HTML_H

#include <glib.h>

G_BEGIN_DECLS

/** Append @text to @out with &, <, >, " and ' escaped, and control
 *  characters (other than tab/newline) and invalid UTF-8 replaced by U+FFFD,
 *  so the result is safe in element content and quoted attribute values.
 *  A NULL @text appends nothing. */
void rp_html_escape_append(GString *out, const char *text);

/** rp_html_escape_append() into a new string (caller g_free()s). */
char *rp_html_escape(const char *text);

/** A name safe as one file-name and URL path segment: [A-Za-z0-9._-] kept,
 *  every other byte becomes '_'; a leading '.' becomes '_'; when anything
 *  was changed (or @name is empty) "-" and 8 hex digits of a hash of the
 *  original are appended, so distinct names stay distinct. g_free(). */
char *rp_slug(const char *name);

/** Start a page: doctype, <head> with charset, viewport (phone-readable),
 *  title (escaped), a meta refresh of @refresh seconds when > 0, and a link
 *  to the stylesheet at @css_href (a relative URL the caller controls). */
void rp_html_begin(GString *out, const char *title, int refresh,
		   const char *css_href);

/** End a page started by rp_html_begin(), with a footer saying when it was
 *  generated (@now: seconds since the epoch). */
void rp_html_end(GString *out, gint64 now);

/** The site's stylesheet (plain CSS, no external assets). */
const char *rp_html_css(void);

/** Format a rate in bits/s with an SI prefix ("12.3 Mbit/s") into @buf;
 *  NaN gives "–". Returns @buf. */
char *rp_format_bits(double bits, char *buf, gsize size);

/** Format a time (seconds since epoch, local time) as "YYYY-MM-DD HH:MM:SS"
 *  into @buf; 0 or less gives "never". Returns @buf. */
char *rp_format_time(gint64 t, char *buf, gsize size);

G_END_DECLS

#endif
