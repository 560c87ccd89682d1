/* Unit tests of the alert state machine (plugins/alert/engine.c): scripted
 * state sequences checked against the notifications they call for:
 * soft->hard, soft recovery (silent), hard recovery, severity change,
 * re-notification, acknowledgement, Nagios flap percentages, flapping
 * start/stop with recovery during flapping. Grouping and de-duplication
 * (group.c), recurring maintenance windows (maint.c), the email message
 * and syslog formatting of the notifiers (notifiers.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>

#include <netmon/wire.h>

#include "engine.h"
#include "group.h"
#include "maint.h"
#include "notifiers.h"

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

static al_notice *nt(al_kind k, const char *host, const char *svc, nm_state_code code)
{
	return al_notice_new(k, 1, host, svc, code, "out", NULL, NULL,
			     G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC);
}

static void test_grouping(void)
{
	al_grouper *g = al_grouper_new("{host}", 10);
	GPtrArray *out;
	al_group *grp;

	g_assert_cmpint(al_grouper_next_due(g), ==, G_MAXINT64);
	al_grouper_add(g, nt(AL_OPENED, "web1", "http", NM_STATE_CRITICAL), 100);
	al_grouper_add(g, nt(AL_OPENED, "db1", "mysql", NM_STATE_WARNING), 103);
	al_grouper_add(g, nt(AL_OPENED, "web1", "https", NM_STATE_CRITICAL), 105);
	/* a duplicate (same host, service, kind) replaces the earlier one */
	al_grouper_add(g, nt(AL_OPENED, "web1", "http", NM_STATE_WARNING), 108);
	al_grouper_add(g, nt(AL_RESOLVED, "web1", "http", NM_STATE_OK), 109);
	g_assert_cmpint(al_grouper_next_due(g), ==, 110);
	out = al_grouper_take(g, 109, FALSE);
	g_assert_cmpuint(out->len, ==, 0);
	g_ptr_array_unref(out);
	out = al_grouper_take(g, 110, FALSE);
	g_assert_cmpuint(out->len, ==, 1);
	grp = g_ptr_array_index(out, 0);
	g_assert_cmpstr(grp->key, ==, "web1");
	g_assert_cmpuint(grp->notices->len, ==, 3);
	g_assert_cmpuint(grp->dropped, ==, 1);
	g_assert_cmpint(((al_notice *)grp->notices->pdata[0])->code, ==, NM_STATE_WARNING);
	g_assert_cmpstr(((al_notice *)grp->notices->pdata[1])->service, ==, "https");
	g_assert_cmpint(((al_notice *)grp->notices->pdata[2])->kind, ==, AL_RESOLVED);
	g_ptr_array_unref(out);
	g_assert_cmpint(al_grouper_next_due(g), ==, 113);
	/* a new notice for web1 after its group left opens a new group */
	al_grouper_add(g, nt(AL_OPENED, "web1", "ssh", NM_STATE_CRITICAL), 111);
	out = al_grouper_take(g, 0, TRUE);
	g_assert_cmpuint(out->len, ==, 2);
	g_assert_cmpstr(((al_group *)out->pdata[0])->key, ==, "db1");
	g_assert_cmpstr(((al_group *)out->pdata[1])->key, ==, "web1");
	g_ptr_array_unref(out);
	g_assert_cmpint(al_grouper_next_due(g), ==, G_MAXINT64);
	al_grouper_free(g);
	{
		al_notice *n = nt(AL_FLAP_START, "h", "s", NM_STATE_WARNING);
		char *k = al_group_key("{kind}:{state}:{host}/{service}:{x}", n);
		g_assert_cmpstr(k, ==, "flapping_start:WARNING:h/s:{x}");
		g_free(k);
		al_notice_free(n);
	}
}

/* µs of a UTC time on 2026-03-02 (a Monday) + @day days. */
static gint64 at(int day, int h, int m)
{
	GDateTime *dt = g_date_time_new_utc(2026, 3, 2 + day, h, m, 0);
	gint64 t = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
	g_date_time_unref(dt);
	return t;
}

static void test_maintenance(void)
{
	GError *err = NULL;
	al_window *w = al_window_new("sw*", "Mon-Fri", "22:00", "02:00", TRUE, "nightly", &err);

	g_assert_no_error(err);
	g_assert_cmpstr(w->matcher, ==, "sw*/*");
	g_assert_true(al_window_matches(w, "sw1", "ping"));
	g_assert_false(al_window_matches(w, "rtr1", "ping"));
	g_assert_false(al_window_active(w, at(0, 21, 59)));   /* Mon 21:59 */
	g_assert_true(al_window_active(w, at(0, 22, 0)));     /* Mon 22:00 in */
	g_assert_true(al_window_active(w, at(1, 1, 59)));     /* Tue 01:59 (Mon's) */
	g_assert_false(al_window_active(w, at(1, 2, 0)));     /* end is out */
	g_assert_true(al_window_active(w, at(4, 23, 0)));     /* Fri 23:00 */
	g_assert_true(al_window_active(w, at(5, 1, 0)));      /* Sat 01:00 (Fri's) */
	g_assert_false(al_window_active(w, at(5, 23, 0)));    /* Sat 23:00 */
	g_assert_false(al_window_active(w, at(0, 1, 0)));     /* Mon 01:00: Sun not listed */
	{
		char *d = al_window_describe(w);
		g_assert_cmpstr(d, ==, "sw*/* Mon-Fri 22:00-02:00 UTC");
		g_free(d);
	}
	al_window_free(w);
	w = al_window_new("db1/backup", "Sat,Sun", "01:30", "03:00", TRUE, NULL, &err);
	g_assert_no_error(err);
	g_assert_true(al_window_active(w, at(5, 1, 30)));
	g_assert_false(al_window_active(w, at(5, 3, 0)));
	g_assert_false(al_window_active(w, at(4, 2, 0)));
	g_assert_false(al_window_matches(w, "db1", "ping"));
	al_window_free(w);
	w = al_window_new("*", "Fri-Mon", "00:00", "00:00", TRUE, NULL, &err); /* all day */
	g_assert_no_error(err);
	g_assert_true(al_window_active(w, at(6, 12, 0)));
	g_assert_true(al_window_active(w, at(0, 23, 59)));
	g_assert_false(al_window_active(w, at(2, 12, 0)));    /* Wed */
	al_window_free(w);
	/* malformed */
	static const char *const bad[][3] = { { "Mon-Xyz", "10:00", "11:00" },
		{ "", "10:00", "11:00" }, { "Mon", "24:00", "11:00" },
		{ "Mon", "10:60", "11:00" }, { "Mon", "10", "11:00" },
		{ "Mon", "10:00", "11:00x" }, { "Mon", "10:00", NULL } };
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		w = al_window_new("x", bad[i][0], bad[i][1], bad[i][2], TRUE, NULL, &err);
		if (w != NULL)
			g_error("accepted %s %s %s", bad[i][0], bad[i][1], bad[i][2]);
		g_assert_nonnull(err);
		g_clear_error(&err);
	}
}

static void test_email(void)
{
	GPtrArray *b = g_ptr_array_new_with_free_func((GDestroyNotify)al_notice_free);
	char *to[] = { (char *)"ops@example.org", (char *)"noc@example.org", NULL };
	char *m;

	g_ptr_array_add(b, nt(AL_OPENED, "web1\r\nBcc: evil@example.org", "http",
			      NM_STATE_CRITICAL));
	m = al_email_message("netmon@example.org", to, b, "", G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC);
	g_assert_nonnull(strstr(m, "From: netmon@example.org\n"));
	g_assert_nonnull(strstr(m, "To: ops@example.org, noc@example.org\n"));
	g_assert_nonnull(strstr(m, "Subject: [netmon] opened web1  Bcc: evil@example.org/http CRITICAL\n"));
	g_assert_null(strstr(m, "\nBcc:"));                    /* no header injection */
	g_assert_nonnull(strstr(m, "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"));
	g_assert_nonnull(strstr(m, "\n\nopened: "));          /* body after a blank line */
	g_free(m);
	g_ptr_array_set_size(b, 0);
	g_ptr_array_add(b, nt(AL_OPENED, "héte", "a", NM_STATE_CRITICAL));
	g_ptr_array_add(b, nt(AL_OPENED, "héte", "b", NM_STATE_WARNING));
	m = al_email_message("n@x", to, b, "héte", 0);
	g_assert_nonnull(strstr(m, "Subject: =?UTF-8?B?"));   /* RFC 2047 */
	g_assert_nonnull(strstr(m, "opened: héte/a is CRITICAL"));
	g_assert_nonnull(strstr(m, "opened: héte/b is WARNING"));
	g_free(m);
	g_ptr_array_unref(b);
}

static void test_syslog_format(void)
{
	GPtrArray *b = g_ptr_array_new_with_free_func((GDestroyNotify)al_notice_free);
	char *t, *m;

	g_assert_cmpint(al_syslog_facility("daemon"), ==, 3);
	g_assert_cmpint(al_syslog_facility("LOCAL7"), ==, 23);
	g_assert_cmpint(al_syslog_facility("local8"), ==, -1);
	g_ptr_array_add(b, nt(AL_OPENED, "h", "a", NM_STATE_WARNING));
	g_assert_cmpint(al_syslog_severity(b), ==, 4);
	t = al_syslog_text(b, NULL);
	g_assert_cmpstr(t, ==, "opened h/a WARNING: out");
	g_free(t);
	g_ptr_array_add(b, nt(AL_OPENED, "h", "b", NM_STATE_CRITICAL));
	g_ptr_array_add(b, nt(AL_RESOLVED, "h", "c", NM_STATE_OK));
	g_assert_cmpint(al_syslog_severity(b), ==, 2);
	t = al_syslog_text(b, "h");
	g_assert_cmpstr(t, ==, "3 notifications [h]: opened h/a WARNING: out; "
			"opened h/b CRITICAL: out; resolved h/c OK: out");
	m = al_syslog_rfc5424(16, 2, "my host", t, G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC);
	g_assert_true(g_str_has_prefix(m, "<130>1 2023-11-14T22:13:20Z my_host netmon - alert - 3 notif"));
	g_free(m);
	g_free(t);
	g_ptr_array_unref(b);
}

/* Every kind the alert plugin sends is a bus NOTIFICATION kind with the
 * same name, and flapping start/stop survive the wire codec (NATS). */
static void test_notify_kinds(void)
{
	for (int k = AL_OPENED; k < AL_NONE; k++) {
		nm_notification f = { .kind = (nm_notify_kind)k, .alert_id = 7, .host = "h",
				      .service = "s", .code = NM_STATE_WARNING };
		nm_msg *m = nm_notification_new(&f, 1000), *back;
		GBytes *b = nm_wire_encode(m);
		GError *err = NULL;

		g_assert_cmpstr(al_kind_name((al_kind)k), ==, nm_notify_kind_name((nm_notify_kind)k));
		g_assert_nonnull(b);
		back = nm_wire_decode(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &err);
		g_assert_no_error(err);
		g_assert_cmpint(nm_msg_as_notification(back)->kind, ==, k);
		nm_msg_unref(back);
		nm_msg_unref(m);
		g_bytes_unref(b);
	}
	g_assert_cmpstr(nm_notify_kind_name(NM_NOTIFY_FLAPPING_START), ==, "flapping_start");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/alert/engine/soft-hard", test_soft_hard);
	g_test_add_func("/alert/engine/attempts", test_attempt_counting);
	g_test_add_func("/alert/engine/ack", test_ack);
	g_test_add_func("/alert/engine/flap-percent", test_flap_percent);
	g_test_add_func("/alert/engine/flapping", test_flapping);
	g_test_add_func("/alert/group", test_grouping);
	g_test_add_func("/alert/notify-kinds", test_notify_kinds);
	g_test_add_func("/alert/maintenance", test_maintenance);
	g_test_add_func("/alert/notifier/email", test_email);
	g_test_add_func("/alert/notifier/syslog-format", test_syslog_format);
	return g_test_run();
}
