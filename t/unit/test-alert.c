/* Unit tests of the alert state machine (plugins/alert/engine.c): scripted
 * state sequences checked against the notifications they call for:
 * soft->hard, soft recovery (silent), hard recovery, severity change,
 * re-notification, acknowledgement, Nagios flap percentages, flapping
 * start/stop with recovery during flapping.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>

#include "engine.h"

static const al_conf conf = { .max_attempts = 3, .renotify = 60 * G_USEC_PER_SEC,
			      .flap_low = 5, .flap_high = 20 };

/* Feed codes ("0".."3" one per char) one per minute from *now; collect the
 * notifications (as letters O R A X, F/f flap start/stop) a sender that
 * sends everything would send, unless @suppress_flapping is FALSE. */
static char *run(al_check *c, const char *codes, gint64 *now, guint64 *id)
{
	GString *out = g_string_new(NULL);

	for (const char *p = codes; *p; p++) {
		al_kind flap, k;
		al_step(&conf, c, (nm_state_code)(*p - '0'), 0, "x", &flap);
		if (flap == AL_FLAP_START)
			g_string_append_c(out, 'F');
		if (flap == AL_FLAP_STOP)
			g_string_append_c(out, 'f');
		k = al_wanted(&conf, c, *now);
		if (k != AL_NONE && !c->flapping) {
			g_string_append_c(out, "ORAX"[k]);
			al_sent(c, k, *now, ++*id);
		}
		if (k == AL_NONE || c->flapping)
			g_string_append_c(out, '.');
		*now += 30 * G_USEC_PER_SEC;
	}
	return g_string_free(out, FALSE);
}

static void expect(const char *codes, const char *want)
{
	al_check *c = al_check_new("h", "s");
	gint64 now = 1000 * G_USEC_PER_SEC;
	guint64 id = 0;
	char *got = run(c, codes, &now, &id);

	if (strcmp(got, want) != 0)
		g_error("codes %s: got %s, want %s", codes, got, want);
	g_free(got);
	al_check_free(c);
}

static void test_soft_hard(void)
{
	/* two soft attempts, then hard: one OPENED; 30 s steps so renotify
	 * (60 s) comes every second step while the problem lasts */
	expect("0222", "...O");
	expect("022222", "...O.R");
	/* soft problem that recovers: nothing */
	expect("0220220", ".......");
	/* hard recovery */
	expect("02220", "...OX");
	/* severity change while hard: re-notified at once */
	expect("022212", "...ORR");
}

static void test_attempt_counting(void)
{
	al_check *c = al_check_new("h", "s");
	al_kind f;

	al_step(&conf, c, NM_STATE_WARNING, 0, "w", &f);
	g_assert_cmpuint(c->attempt, ==, 1);
	g_assert_cmpint(c->hard_code, ==, NM_STATE_OK);
	al_step(&conf, c, NM_STATE_CRITICAL, 0, "c", &f);
	g_assert_cmpuint(c->attempt, ==, 2);
	al_step(&conf, c, NM_STATE_CRITICAL, 0, "c", &f);
	g_assert_cmpuint(c->attempt, ==, 3);
	g_assert_cmpint(c->hard_code, ==, NM_STATE_CRITICAL);
	al_step(&conf, c, NM_STATE_OK, 0, "ok", &f);
	g_assert_cmpint(c->hard_code, ==, NM_STATE_OK);
	g_assert_cmpuint(c->attempt, ==, 1);
	/* max_attempts from the STATE: 1 = hard at once */
	al_step(&conf, c, NM_STATE_WARNING, 1, "w", &f);
	g_assert_cmpint(c->hard_code, ==, NM_STATE_WARNING);
	al_check_free(c);
}

static void test_ack(void)
{
	al_check *c = al_check_new("h", "s");
	gint64 now = 0;
	al_kind f;

	c->notified_code = NM_STATE_OK;
	for (int i = 0; i < 3; i++)
		al_step(&conf, c, NM_STATE_CRITICAL, 0, "c", &f);
	g_assert_cmpint(al_wanted(&conf, c, now), ==, AL_OPENED);
	al_sent(c, AL_OPENED, now, 7);
	g_assert_cmpuint(c->alert_id, ==, 7);
	c->acked = TRUE;
	now += (gint64)3600 * G_USEC_PER_SEC;
	g_assert_cmpint(al_wanted(&conf, c, now), ==, AL_NONE); /* no renotify */
	al_step(&conf, c, NM_STATE_OK, 0, "ok", &f);
	g_assert_false(c->acked);                          /* cleared */
	g_assert_cmpint(al_wanted(&conf, c, now), ==, AL_RESOLVED);
	al_check_free(c);
}

static void test_flap_percent(void)
{
	al_check *c = al_check_new("h", "s");

	/* alternate on every one of 21 results: all 20 transitions change:
	 * sum of weights 0.75..1.25 = 20, percent 100 */
	for (guint i = 0; i < AL_HISTORY; i++)
		c->hist[i] = i % 2 ? 2 : 0;
	c->hist_n = AL_HISTORY;
	g_assert_cmpfloat_with_epsilon(al_flap_percent(c), 100.0, 1e-9);
	/* one change, the newest: weight 1.25 -> 6.25 % */
	memset(c->hist, 0, sizeof c->hist);
	c->hist[AL_HISTORY - 1] = 2;
	g_assert_cmpfloat_with_epsilon(al_flap_percent(c), 6.25, 1e-9);
	/* one change, the oldest: weight 0.75 -> 3.75 % */
	memset(c->hist, 2, sizeof c->hist);
	c->hist[0] = 0;
	g_assert_cmpfloat_with_epsilon(al_flap_percent(c), 3.75, 1e-9);
	al_check_free(c);
}

static void test_flapping(void)
{
	/* A notified hard problem recovers (X) before the oscillation reaches
	 * 20 %; flapping starts (F) at the 5th change, no notification while
	 * flapping, and it stops (f) once the weighted changes in the last 21
	 * results fall below 5 %. */
	expect("0222" "0202" "000000000000000000000",
	       "...O" "X..F" "....................f..");
	/* Recovery during flapping: soft oscillation starts flapping, the
	 * problem goes hard while flapping (no OPENED), recovers while still
	 * flapping (no RESOLVED: nothing was opened); and a problem still
	 * hard when flapping stops is opened then. */
	expect("0202020" "222" "00000000000000000000",
	       ".....F." "..." "..................f...");
	expect("0202020" "2222222222222222222222",
	       ".....F." "...................." "fO.R");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/alert/engine/soft-hard", test_soft_hard);
	g_test_add_func("/alert/engine/attempts", test_attempt_counting);
	g_test_add_func("/alert/engine/ack", test_ack);
	g_test_add_func("/alert/engine/flap-percent", test_flap_percent);
	g_test_add_func("/alert/engine/flapping", test_flapping);
	return g_test_run();
}
