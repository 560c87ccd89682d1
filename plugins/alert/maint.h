/* netmon — recurring maintenance windows.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * A window silences the notifications of the checks its matcher (a glob
 * on "host/service"; "host" alone means "host/ *") names, every week on
 * the given days from `start` to `end` (HH:MM, 24 h, in local time or
 * UTC). An `end` at or before `start` runs past midnight into the next
 * day (Sat 22:00-02:00 is Saturday 22:00 to Sunday 02:00); `start` is
 * inside the window, `end` is not. Days: "*" (every day), names Mon..Sun
 * (first three letters, any case), ranges "Mon-Fri" (wrapping "Fri-Mon"
 * allowed) and lists "Mon,Wed,Sat-Sun".
 */
#ifndef NETMON_ALERT_MAINT_H
#define NETMON_ALERT_MAINT_H

#include <glib.h>

G_BEGIN_DECLS

/** One window. Free with al_window_free(). */
typedef struct {
	char *matcher;        /**< glob on host/service */
	GPatternSpec *spec;
	guint8 days;          /**< bit 0 Monday .. bit 6 Sunday */
	int start, end;       /**< minutes since midnight, 0..1439 */
	gboolean utc;         /**< times are UTC, else local time */
	char *days_text, *comment;
} al_window;

/** Error domain of al_window_new(); code 0. */
#define AL_WINDOW_ERROR (al_window_error_quark())
GQuark al_window_error_quark(void);

/** Parse a window. Returns NULL with @err saying which field is wrong. */
al_window *al_window_new(const char *matcher, const char *days,
			 const char *start, const char *end, gboolean utc,
			 const char *comment, GError **err);
void al_window_free(al_window *w);

/** TRUE when @now (µs since the epoch) is inside a recurrence of @w. */
gboolean al_window_active(const al_window *w, gint64 now);

/** TRUE when @w applies to @host/@service. */
gboolean al_window_matches(const al_window *w, const char *host,
			   const char *service);

/** "sw*\/\* Mon-Fri 22:00-02:00 UTC" (new string). */
char *al_window_describe(const al_window *w);

G_END_DECLS

#endif
