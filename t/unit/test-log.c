/* Unit tests of the logger's rate limiter (core/log.c): identical lines
 * at most once per window, the held-back count reported once the window
 * has passed, different sources/targets/levels/texts independent, a full
 * table never losing lines; and the logger itself writing one
 * "last message repeated" line for a burst.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "core.h"

#define S G_USEC_PER_SEC

typedef struct {
	guint calls;
	guint count;
	gint64 span;
	char *text;
	char *source;
} seen;

static void on_repeats(nm_log_level level, const char *source,
		       const char *text, guint count, gint64 span_us,
		       gpointer data)
{
	seen *s = data;

	g_assert_cmpint(level, ==, NM_LOG_ERROR);
	s->calls++;
	s->count = count;
	s->span = span_us;
	g_free(s->text);
	s->text = g_strdup(text);
	g_free(s->source);
	s->source = g_strdup(source);
}

static void test_window(void)
{
	nm_lograte *r = nm_lograte_new(10 * S, 16);
	seen s = { 0 };
	gint64 t = 1000 * S;
	guint written = 0;

	/* 100 identical errors over 9.9 s: one written, 99 held back. */
	for (int i = 0; i < 100; i++) {
		gint64 now = t + i * S / 10;
		g_assert_cmpuint(nm_lograte_expire(r, now, FALSE, on_repeats, &s), ==, 0);
		if (nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw1", "timeout", now))
			written++;
	}
	g_assert_cmpuint(written, ==, 1);
	g_assert_cmpuint(s.calls, ==, 0);
	/* The window passes: one report with the count, then a new window. */
	g_assert_cmpuint(nm_lograte_expire(r, t + 10 * S, FALSE, on_repeats, &s), ==, 1);
	g_assert_cmpuint(s.count, ==, 99);
	g_assert_cmpint(s.span, ==, 10 * S);
	g_assert_cmpstr(s.text, ==, "timeout");
	g_assert_cmpstr(s.source, ==, "snmp: sw1");
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw1", "timeout", t + 10 * S));
	g_assert_false(nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw1", "timeout", t + 11 * S));
	/* A line without repeats expires silently. */
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "x", "once", t + 11 * S));
	s.calls = 0;
	g_assert_cmpuint(nm_lograte_expire(r, t + 30 * S, FALSE, on_repeats, &s), ==, 1);
	g_assert_cmpuint(s.calls, ==, 1);
	g_assert_cmpuint(s.count, ==, 1);
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "x", "once", t + 30 * S));
	g_free(s.text);
	g_free(s.source);
	nm_lograte_free(r);
}

static void test_distinct(void)
{
	nm_lograte *r = nm_lograte_new(10 * S, 16);
	gint64 t = 5 * S;

	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw1", "timeout", t));
	/* other target, other source, other level, other text, NULL source */
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw2", "timeout", t));
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "icmp: sw1", "timeout", t));
	g_assert_true(nm_lograte_check(r, NM_LOG_WARNING, "snmp: sw1", "timeout", t));
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw1", "timeout!", t));
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, NULL, "timeout", t));
	g_assert_false(nm_lograte_check(r, NM_LOG_ERROR, NULL, "timeout", t + 1));
	g_assert_false(nm_lograte_check(r, NM_LOG_ERROR, "snmp: sw2", "timeout", t + 1));
	nm_lograte_free(r);
}

static void test_full(void)
{
	nm_lograte *r = nm_lograte_new(10 * S, 4);
	seen s = { 0 };

	for (int i = 0; i < 4; i++) {
		char *text = g_strdup_printf("error %d", i);
		g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "a", text, 0));
		g_free(text);
	}
	/* Table full: new lines are written, every time, untracked. */
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "a", "error 4", 1));
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "a", "error 4", 2));
	/* Tracked ones are still held back. */
	g_assert_false(nm_lograte_check(r, NM_LOG_ERROR, "a", "error 0", 3));
	/* Shutdown: everything goes, repeats reported. */
	g_assert_cmpuint(nm_lograte_expire(r, 4, TRUE, on_repeats, &s), ==, 1);
	g_assert_cmpuint(s.count, ==, 1);
	g_assert_cmpstr(s.text, ==, "error 0");
	g_assert_true(nm_lograte_check(r, NM_LOG_ERROR, "a", "error 4", 5));
	g_free(s.text);
	g_free(s.source);
	nm_lograte_free(r);
}

/* The logger end to end, into a file: a burst of 50 identical errors about
 * one target is one line, plus one "repeated 49 times" line at the flush;
 * another target's error is written on its own. Debug lines never held. */
static void test_logger(void)
{
	char *dir = g_dir_make_tmp("netmon-log-XXXXXX", NULL);
	char *path = g_build_filename(dir, "log", NULL);
	char *text = NULL;
	GError *err = NULL;
	char **lines;
	guint n, timeouts = 0, repeats = 0, other = 0, debug = 0;

	g_assert_nonnull(dir);
	g_assert_true(nm_log_setup(NM_LOG_TO_FILE, path, NM_LOG_DEBUG, &err));
	g_assert_no_error(err);
	for (int i = 0; i < 50; i++)
		nm_log_about(NM_LOG_ERROR, "snmp", "sw1", "timeout after %d s", 2);
	nm_log_about(NM_LOG_ERROR, "snmp", "sw2", "timeout after %d s", 2);
	for (int i = 0; i < 3; i++)
		nm_log(NM_LOG_DEBUG, "core", "tick");
	nm_log_flush_repeats(TRUE);
	g_assert_true(nm_log_setup(NM_LOG_TO_STDERR, NULL, NM_LOG_INFO, &err));
	g_assert_true(g_file_get_contents(path, &text, NULL, &err));
	g_assert_no_error(err);
	lines = g_strsplit(text, "\n", -1);
	n = g_strv_length(lines);
	for (guint i = 0; i < n; i++) {
		if (strstr(lines[i], "error: snmp: sw1: timeout after 2 s") != NULL)
			timeouts++;
		if (strstr(lines[i], "error: snmp: sw1: last message repeated 49 times") != NULL &&
		    strstr(lines[i], ": timeout after 2 s") != NULL)
			repeats++;
		if (strstr(lines[i], "error: snmp: sw2: timeout after 2 s") != NULL)
			other++;
		if (strstr(lines[i], "debug: core: tick") != NULL)
			debug++;
	}
	g_assert_cmpuint(timeouts, ==, 1);
	g_assert_cmpuint(repeats, ==, 1);
	g_assert_cmpuint(other, ==, 1);
	g_assert_cmpuint(debug, ==, 3);
	g_strfreev(lines);
	g_free(text);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	g_free(path);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/log/rate/window", test_window);
	g_test_add_func("/log/rate/distinct", test_distinct);
	g_test_add_func("/log/rate/full", test_full);
	g_test_add_func("/log/logger", test_logger);
	return g_test_run();
}
