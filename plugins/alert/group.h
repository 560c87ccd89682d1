/* netmon — grouping and de-duplication of notifications.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * As Prometheus Alertmanager's group_by/group_wait: a notice's group key
 * is a template over its fields ({host}, {service}, {kind}, {state});
 * the first notice of a key opens a group that is sent `wait` µs later as
 * ONE notification holding every notice of that key that arrived in
 * between. A notice for the same host, service and kind as one already in
 * the group replaces it (de-duplication: the newest word wins, its place
 * in the list is kept). Pure logic, no clock of its own: the caller passes
 * `now` (any monotonic µs) and is not thread-safe (one notifier thread).
 */
#ifndef NETMON_ALERT_GROUP_H
#define NETMON_ALERT_GROUP_H

#include "notice.h"

G_BEGIN_DECLS

/** A group ready to go out. */
typedef struct {
	char *key;             /**< expanded group key */
	GPtrArray *notices;    /**< al_notice*, owned, in arrival order */
	gint64 due;            /**< when it is sent (µs, caller's clock) */
	guint dropped;         /**< duplicates replaced */
} al_group;

void al_group_free(al_group *g);

/** Expand @templ for @n (new string). Unknown {names} stay as written. */
char *al_group_key(const char *templ, const al_notice *n);

typedef struct al_grouper al_grouper;

/** @templ: key template (non-empty); @wait: µs (>= 0; 0 = every notice is
 *  due at once but still goes through the grouper). */
al_grouper *al_grouper_new(const char *templ, gint64 wait);
void al_grouper_free(al_grouper *g);

/** Add @n (ownership taken) at @now. */
void al_grouper_add(al_grouper *g, al_notice *n, gint64 now);

/** The earliest due time, G_MAXINT64 when nothing is pending. */
gint64 al_grouper_next_due(const al_grouper *g);

/** Remove and return the groups due at @now (all of them when @all),
 *  oldest first: a GPtrArray of al_group* that frees them. */
GPtrArray *al_grouper_take(al_grouper *g, gint64 now, gboolean all);

G_END_DECLS

#endif
