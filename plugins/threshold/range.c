/* netmon — Monitoring Plugins threshold ranges (see range.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

G_DEFINE_QUARK(nm-range-error-quark, nm_range_error)

/* Parse one decimal number filling exactly [s, s+len). */
static gboolean parse_number(const char *s, size_t len, double *out)
{
	char buf[64];
	char *end = NULL;
	size_t i = 0;

	if (len == 0 || len >= sizeof buf)
		return FALSE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* Only digits, one sign, '.', and an exponent: strtod alone would
	 * also take "inf", "nan" and "0x10". */
	if (buf[i] == '+' || buf[i] == '-')
		i++;
	if (!g_ascii_isdigit(buf[i]) && !(buf[i] == '.' && g_ascii_isdigit(buf[i + 1])))
		return FALSE;
	for (; buf[i] != '\0'; i++)
		if (!g_ascii_isdigit(buf[i]) && strchr(".eE+-", buf[i]) == NULL)
			return FALSE;
	errno = 0;
	*out = g_ascii_strtod(buf, &end);
	if (end == NULL || *end != '\0' || errno == ERANGE || !isfinite(*out))
		return FALSE;
	return TRUE;
}

gboolean nm_range_parse(const char *text, nm_range *out, GError **err)
{
	nm_range r = { 0 };
	const char *s, *e, *colon;

	if (text == NULL) {
		g_set_error(err, NM_RANGE_ERROR, 0, "missing range");
		return FALSE;
	}
	s = text;
	while (g_ascii_isspace(*s))
		s++;
	e = s + strlen(s);
	while (e > s && g_ascii_isspace(e[-1]))
		e--;
	if (s < e && *s == '@') {
		r.inside = TRUE;
		s++;
	}
	if (s == e)
		goto bad;
	colon = memchr(s, ':', (size_t)(e - s));
	if (colon == NULL) {
		/* "10": 0..10 */
		r.start = 0;
		if (!parse_number(s, (size_t)(e - s), &r.end))
			goto bad;
	} else {
		if (colon == s)
			goto bad;      /* ":10" is not in the syntax */
		if (colon - s == 1 && *s == '~')
			r.start_inf = TRUE;
		else if (!parse_number(s, (size_t)(colon - s), &r.start))
			goto bad;
		if (colon + 1 == e)
			r.end_inf = TRUE;
		else if (!parse_number(colon + 1, (size_t)(e - colon - 1), &r.end))
			goto bad;
	}
	if (!r.start_inf && !r.end_inf && r.start > r.end) {
		g_set_error(err, NM_RANGE_ERROR, 0,
			    "invalid range '%s': start is greater than end", text);
		return FALSE;
	}
	*out = r;
	return TRUE;
bad:
	g_set_error(err, NM_RANGE_ERROR, 0,
		    "invalid range '%s' (expected [@]start:end, e.g. 10, 10:, "
		    "~:10, 10:20, @10:20)", text);
	return FALSE;
}

gboolean nm_range_alert(const nm_range *r, double v)
{
	gboolean in;

	if (isnan(v))
		return TRUE;
	in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);
	return r->inside ? in : !in;
}

char *nm_range_to_string(const nm_range *r)
{
	char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
	const char *at = r->inside ? "@" : "";

	g_ascii_formatd(b, sizeof b, "%.15g", r->end);
	if (!r->start_inf && r->start == 0 && !r->end_inf)
		return g_strdup_printf("%s%s", at, b);
	if (r->start_inf)
		g_strlcpy(a, "~", sizeof a);
	else
		g_ascii_formatd(a, sizeof a, "%.15g", r->start);
	return g_strdup_printf("%s%s:%s", at, a, r->end_inf ? "" : b);
}
