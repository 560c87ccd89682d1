/* netmon — recurring maintenance windows (maint.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <stdio.h>
#include <string.h>

#include "maint.h"

G_DEFINE_QUARK(al-window-error-quark, al_window_error)

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri",
					 "sat", "sun" };

static int day_index(const char *s, size_t len)
{
	if (len != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (g_ascii_strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "*", "Mon", "Mon-Fri", lists: bit mask, 0 when malformed. */
static guint8 parse_days(const char *text)
{
	guint8 mask = 0;
	char **parts;

	if (text == NULL || strcmp(text, "*") == 0)
		return 0x7f;
	parts = g_strsplit(text, ",", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		char *p = g_strstrip(parts[i]);
		char *dash = strchr(p, '-');
		int a, b;

		if (dash == NULL) {
			a = b = day_index(p, strlen(p));
		} else {
			a = day_index(p, (size_t)(dash - p));
			b = day_index(dash + 1, strlen(dash + 1));
		}
		if (a < 0 || b < 0) {
			mask = 0;
			break;
		}
		for (int d = a;; d = (d + 1) % 7) {
			mask |= (guint8)(1u << d);
			if (d == b)
				break;
		}
	}
	g_strfreev(parts);
	return mask;
}

/* "HH:MM" to minutes, -1 when malformed. */
static int parse_hhmm(const char *s)
{
	int h, m;
	char extra;

	if (s == NULL || strlen(s) < 4 || strlen(s) > 5 ||
	    sscanf(s, "%d:%d%c", &h, &m, &extra) != 2 ||
	    !g_ascii_isdigit(s[0]) || h < 0 || h > 23 || m < 0 || m > 59 ||
	    s[strlen(s) - 3] != ':')
		return -1;
	return h * 60 + m;
}

al_window *al_window_new(const char *matcher, const char *days,
			 const char *start, const char *end, gboolean utc,
			 const char *comment, GError **err)
{
	al_window *w;
	guint8 mask = parse_days(days);
	int s = parse_hhmm(start), e = parse_hhmm(end);

	if (matcher == NULL || *matcher == '\0') {
		g_set_error(err, AL_WINDOW_ERROR, 0, "match: a host[/service] glob is needed");
		return NULL;
	}
	if (mask == 0) {
		g_set_error(err, AL_WINDOW_ERROR, 0,
			    "days: '%s' is not \"*\" or a list of Mon..Sun and ranges "
			    "(e.g. \"Mon-Fri\", \"Sat,Sun\")", days);
		return NULL;
	}
	if (s < 0 || e < 0) {
		g_set_error(err, AL_WINDOW_ERROR, 0,
			    "%s: '%s' is not a time of day HH:MM (00:00..23:59)",
			    s < 0 ? "start" : "end", s < 0 ? start ? start : "" : end ? end : "");
		return NULL;
	}
	w = g_new0(al_window, 1);
	w->matcher = strchr(matcher, '/') ? g_strdup(matcher)
					  : g_strdup_printf("%s/*", matcher);
	w->spec = g_pattern_spec_new(w->matcher);
	w->days = mask;
	w->start = s;
	w->end = e;
	w->utc = utc;
	w->days_text = g_strdup(days != NULL ? days : "*");
	w->comment = g_strdup(comment != NULL ? comment : "");
	return w;
}

void al_window_free(al_window *w)
{
	if (w == NULL)
		return;
	g_free(w->matcher);
	g_pattern_spec_free(w->spec);
	g_free(w->days_text);
	g_free(w->comment);
	g_free(w);
}

gboolean al_window_active(const al_window *w, gint64 now)
{
	GDateTime *dt = w->utc ? g_date_time_new_from_unix_utc(now / G_USEC_PER_SEC)
			       : g_date_time_new_from_unix_local(now / G_USEC_PER_SEC);
	int dow, tod, yesterday;
	gboolean r;

	if (dt == NULL)
		return FALSE;
	dow = g_date_time_get_day_of_week(dt) - 1;         /* 0 = Monday */
	tod = g_date_time_get_hour(dt) * 60 + g_date_time_get_minute(dt);
	g_date_time_unref(dt);
	yesterday = (dow + 6) % 7;
	if (w->start < w->end)
		r = (w->days & (1u << dow)) && tod >= w->start && tod < w->end;
	else   /* over midnight (or 24 h when start == end) */
		r = ((w->days & (1u << dow)) && tod >= w->start) ||
		    ((w->days & (1u << yesterday)) && tod < w->end);
	return r;
}

gboolean al_window_matches(const al_window *w, const char *host,
			   const char *service)
{
	char *key = g_strdup_printf("%s/%s", host, service);
	gboolean r = g_pattern_spec_match_string(w->spec, key);

	g_free(key);
	return r;
}

char *al_window_describe(const al_window *w)
{
	return g_strdup_printf("%s %s %02d:%02d-%02d:%02d%s", w->matcher, w->days_text,
			       w->start / 60, w->start % 60, w->end / 60, w->end % 60,
			       w->utc ? " UTC" : "");
}
