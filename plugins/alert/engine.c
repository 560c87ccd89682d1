/* netmon — the alert state machine (engine.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <string.h>

#include "engine.h"

const char *al_kind_name(al_kind k)
{
	static const char *const n[] = { "opened", "renotified", "acknowledged",
		"resolved", "flapping_start", "flapping_stop", "none" };
	return k <= AL_NONE ? n[k] : "?";
}

al_check *al_check_new(const char *host, const char *service)
{
	al_check *c = g_new0(al_check, 1);
	c->host = g_strdup(host);
	c->service = g_strdup(service);
	c->output = g_strdup("");
	c->ack_author = g_strdup("");
	c->ack_comment = g_strdup("");
	return c;
}

void al_check_free(al_check *c)
{
	if (c == NULL)
		return;
	g_free(c->host);
	g_free(c->service);
	g_free(c->output);
	g_free(c->ack_author);
	g_free(c->ack_comment);
	g_free(c);
}

double al_flap_percent(const al_check *c)
{
	double changes = 0;

	/* transition i (1-based, oldest first) between hist[i-1] and hist[i]
	 * weighs 0.75 + (i-1) * 0.5 / 19, as Nagios' curve over 21 entries */
	for (guint i = 1; i < c->hist_n; i++)
		if (c->hist[i] != c->hist[i - 1])
			changes += 0.75 + (double)(i - 1) * 0.5 / (AL_HISTORY - 2);
	return changes * 100.0 / (AL_HISTORY - 1);
}

void al_step(const al_conf *conf, al_check *c, nm_state_code code,
	     guint max_attempts, const char *output, al_kind *flap)
{
	guint max = max_attempts > 0 ? max_attempts : MAX(conf->max_attempts, 1);

	*flap = AL_NONE;
	if (c->hist_n == AL_HISTORY) {
		memmove(c->hist, c->hist + 1, AL_HISTORY - 1);
		c->hist_n--;
	}
	c->hist[c->hist_n++] = (guint8)code;
	c->flap_pct = al_flap_percent(c);
	if (!c->flapping && c->flap_pct >= conf->flap_high) {
		c->flapping = TRUE;
		*flap = AL_FLAP_START;
	} else if (c->flapping && c->flap_pct < conf->flap_low) {
		c->flapping = FALSE;
		*flap = AL_FLAP_STOP;
	}
	g_free(c->output);
	c->output = g_strdup(output != NULL ? output : "");

	if (code == NM_STATE_OK) {
		c->attempt = 1;
		if (c->hard_code != NM_STATE_OK) {
			c->hard_code = NM_STATE_OK;   /* hard recovery */
			c->acked = FALSE;
		}
	} else if (c->hard_code != NM_STATE_OK) {
		c->attempt = max;                     /* hard problem goes on */
		c->hard_code = code;                  /* may change severity */
	} else {
		c->attempt = c->code == NM_STATE_OK ? 1 : c->attempt + 1;
		if (c->attempt >= max) {
			c->attempt = max;
			c->hard_code = code;          /* soft -> hard */
		}
	}
	c->code = code;
}

al_kind al_wanted(const al_conf *conf, const al_check *c, gint64 now)
{
	if (c->hard_code == NM_STATE_OK)
		return c->notified_code != NM_STATE_OK ? AL_RESOLVED : AL_NONE;
	if (c->notified_code == NM_STATE_OK)
		return AL_OPENED;
	if (c->notified_code != c->hard_code)
		return AL_RENOTIFIED;
	if (!c->acked && conf->renotify > 0 && now - c->last_notified >= conf->renotify)
		return AL_RENOTIFIED;
	return AL_NONE;
}

void al_sent(al_check *c, al_kind kind, gint64 now, guint64 next_id)
{
	switch (kind) {
	case AL_OPENED:
		c->alert_id = next_id;
		/* fall through */
	case AL_RENOTIFIED:
		c->notified_code = c->hard_code;
		c->last_notified = now;
		break;
	case AL_RESOLVED:
		c->notified_code = NM_STATE_OK;
		c->last_notified = now;
		c->acked = FALSE;
		break;
	default:
		break;
	}
}
