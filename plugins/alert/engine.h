/* netmon — the alert state machine (pure logic, no I/O).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Soft/hard states as Nagios defines them: a non-OK result starts a SOFT
 * problem at attempt 1; each further non-OK result counts an attempt; at
 * max_attempts the problem is HARD. An OK result ends a SOFT problem
 * silently and a HARD one with a recovery.
 *
 * Notifications are derived by comparing what was last notified
 * (notified_code) with the hard state, so that a restart (both persisted)
 * never sends one twice and a suppressed one (flapping, silence, host down)
 * goes out once the suppression ends, if still true then.
 *
 * Flap detection as Nagios Core does it ("Detection and Handling of State
 * Flapping", Nagios Core 4 documentation; checks.c/flapping.c): the last
 * 21 results, each of the 20 transitions weighted linearly from 0.75
 * (oldest) to 1.25 (newest), percent = weighted changes * 100 / 20;
 * flapping starts at >= high threshold and stops below the low threshold.
 */
#ifndef NETMON_ALERT_ENGINE_H
#define NETMON_ALERT_ENGINE_H

#include <netmon/msg.h>

G_BEGIN_DECLS

#define AL_HISTORY 21

/** What the alert plugin tells its notifiers. All but AL_NONE equal
 *  nm_notify_kind (NM_NOTIFY_OPENED .. NM_NOTIFY_FLAPPING_STOP). */
typedef enum {
	AL_OPENED = 0, AL_RENOTIFIED, AL_ACKNOWLEDGED, AL_RESOLVED,
	AL_FLAP_START, AL_FLAP_STOP, AL_NONE
} al_kind;

G_STATIC_ASSERT((int)AL_FLAP_STOP == (int)NM_NOTIFY_FLAPPING_STOP);

/** "opened", ... "flapping_start", "flapping_stop". */
const char *al_kind_name(al_kind k);

/** Settings of the state machine. */
typedef struct {
	guint max_attempts;      /**< default when a STATE carries 0 */
	gint64 renotify;         /**< µs; 0 = never re-notify */
	double flap_low, flap_high; /**< percent, low < high */
} al_conf;

/** One check's alert state (host/service). All plain data but strings. */
typedef struct {
	char *host, *service, *output;
	nm_state_code code;        /**< last result */
	nm_state_code hard_code;   /**< current hard state */
	guint attempt;
	guint64 alert_id;          /**< of the open problem, 0 when none */
	nm_state_code notified_code; /**< OK when no problem is notified */
	gint64 last_notified;      /**< µs */
	gboolean acked, flapping;
	char *ack_author, *ack_comment;
	guint8 hist[AL_HISTORY];   /**< result codes, oldest first */
	guint hist_n;
	double flap_pct;           /**< last computed percent */
} al_check;

/** New check in state OK (free with al_check_free()). */
al_check *al_check_new(const char *host, const char *service);
void al_check_free(al_check *c);

/** Feed one result. Updates soft/hard state and flap history; returns
 *  flapping start/stop in @flap (AL_NONE when neither). */
void al_step(const al_conf *conf, al_check *c, nm_state_code code,
	     guint max_attempts, const char *output, al_kind *flap);

/** The notification the check now calls for at @now (µs): AL_OPENED,
 *  AL_RENOTIFIED (severity change or re-notification due), AL_RESOLVED,
 *  or AL_NONE. Does not change @c. */
al_kind al_wanted(const al_conf *conf, const al_check *c, gint64 now);

/** Record that @kind was sent at @now (@next_id: the id for a new
 *  problem). */
void al_sent(al_check *c, al_kind kind, gint64 now, guint64 next_id);

/** Nagios' weighted percent state change of @c's history. */
double al_flap_percent(const al_check *c);

G_END_DECLS

#endif
