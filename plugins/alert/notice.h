/* netmon — one notification on its way to the notifiers.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_ALERT_NOTICE_H
#define NETMON_ALERT_NOTICE_H

#include "engine.h"

G_BEGIN_DECLS

/** A notification as the notifiers get it. Strings owned, never NULL. */
typedef struct {
	al_kind kind;
	guint64 id;            /**< alert id (0 for flapping notices of no problem) */
	char *host, *service, *output, *author, *comment;
	nm_state_code code;
	gint64 time;           /**< µs since the epoch */
} al_notice;

/** New notice; strings copied (NULL becomes ""). */
al_notice *al_notice_new(al_kind kind, guint64 id, const char *host,
			 const char *service, nm_state_code code,
			 const char *output, const char *author,
			 const char *comment, gint64 time);
/** Free (NULL ignored). */
void al_notice_free(al_notice *n);

/** One line: "KIND host/service STATE: output" (new string). */
char *al_notice_line(const al_notice *n);

G_END_DECLS

#endif
