/* Unit tests of the Monitoring Plugins range syntax (plugins/threshold/
 * range.c): every row of the guidelines' table, edge values, malformed
 * input; and the threshold rule evaluator (rates, wraps, hysteresis,
 * stale series).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "range.h"
#include "eval.h"

typedef struct {
	const char *range;
	double value;
	gboolean alert;
} row;

/* The guidelines' table, each row probed at, just inside, and just outside
 * its limits (endpoints do not alert for a plain range, do for "@"). */
static const row rows[] = {
	/* 10: alert if < 0 or > 10 */
	{ "10", -1, TRUE }, { "10", -0.0001, TRUE }, { "10", 0, FALSE },
	{ "10", 5, FALSE }, { "10", 10, FALSE }, { "10", 10.0001, TRUE },
	{ "10", 11, TRUE }, { "10", 1e300, TRUE },
	/* 10: alert if < 10 */
	{ "10:", -1e300, TRUE }, { "10:", 9.9999, TRUE }, { "10:", 10, FALSE },
	{ "10:", 11, FALSE }, { "10:", 1e300, FALSE },
	/* ~:10 alert if > 10 */
	{ "~:10", -1e300, FALSE }, { "~:10", -5, FALSE }, { "~:10", 10, FALSE },
	{ "~:10", 10.0001, TRUE }, { "~:10", 1e300, TRUE },
	/* 10:20 alert if < 10 or > 20 */
	{ "10:20", 9, TRUE }, { "10:20", 9.9999, TRUE }, { "10:20", 10, FALSE },
	{ "10:20", 15, FALSE }, { "10:20", 20, FALSE }, { "10:20", 20.0001, TRUE },
	{ "10:20", 21, TRUE },
	/* @10:20 alert if >= 10 and <= 20 */
	{ "@10:20", 9.9999, FALSE }, { "@10:20", 10, TRUE }, { "@10:20", 15, TRUE },
	{ "@10:20", 20, TRUE }, { "@10:20", 20.0001, FALSE },
	/* edges and variants */
	{ "0", 0, FALSE }, { "0", 0.0001, TRUE }, { "0", -0.0001, TRUE },
	{ "0:0", 0, FALSE }, { "@0:0", 0, TRUE }, { "@0", 0, TRUE },
	{ "@0", 1, FALSE }, { "@10", 5, TRUE }, { "@10", -1, FALSE },
	{ "@~:10", -1e300, TRUE }, { "@~:10", 10.5, FALSE },
	{ "@10:", 10, TRUE }, { "@10:", 9, FALSE },
	{ "-10:-5", -7, FALSE }, { "-10:-5", -4, TRUE }, { "-10:-5", -11, TRUE },
	{ "~:0", 0, FALSE }, { "~:0", 0.1, TRUE },
	{ "~:", 1e300, FALSE }, { "~:", -1e300, FALSE }, { "@~:", 0, TRUE },
	{ "1.5:2.5", 2.5, FALSE }, { "1.5:2.5", 2.51, TRUE },
	{ "1e3", 1000, FALSE }, { "1e3", 1001, TRUE },
	{ " 10 ", 11, TRUE }, { "+5:", 5, FALSE }, { ".5", 0.6, TRUE },
	{ "10", NAN, TRUE },
};

static void test_table(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		nm_range r;
		GError *e = NULL;
		gboolean ok = nm_range_parse(rows[i].range, &r, &e);

		g_assert_no_error(e);
		g_assert_true(ok);
		if (nm_range_alert(&r, rows[i].value) != rows[i].alert)
			g_error("range '%s' value %g: expected %s", rows[i].range,
				rows[i].value, rows[i].alert ? "alert" : "no alert");
	}
}

static void test_parse_fields(void)
{
	nm_range r;

	g_assert_true(nm_range_parse("10", &r, NULL));
	g_assert_true(!r.start_inf && !r.end_inf && !r.inside);
	g_assert_cmpfloat(r.start, ==, 0);
	g_assert_cmpfloat(r.end, ==, 10);
	g_assert_true(nm_range_parse("10:", &r, NULL));
	g_assert_true(r.end_inf && !r.start_inf);
	g_assert_cmpfloat(r.start, ==, 10);
	g_assert_true(nm_range_parse("~:10", &r, NULL));
	g_assert_true(r.start_inf && !r.end_inf);
	g_assert_true(nm_range_parse("@10:20", &r, NULL));
	g_assert_true(r.inside);
	g_assert_cmpfloat(r.start, ==, 10);
	g_assert_cmpfloat(r.end, ==, 20);
}

static void test_malformed(void)
{
	static const char *bad[] = {
		"", " ", "@", ":", ":10", "10:5", "@20:10", "abc", "10:x",
		"1 0", "10::20", "~", "~10", "10:~", "inf", "nan", "0x10", "-5",
		"--1", "1e999", "10:20:30", "@@10", NULL
	};
	nm_range r = { .start = 42 };
	GError *e = NULL;

	g_assert_false(nm_range_parse(NULL, &r, &e));
	g_assert_nonnull(e);
	g_clear_error(&e);
	for (guint i = 0; bad[i] != NULL; i++) {
		if (nm_range_parse(bad[i], &r, &e))
			g_error("'%s' was accepted", bad[i]);
		g_assert_error(e, NM_RANGE_ERROR, 0);
		g_assert_nonnull(strstr(e->message, "invalid range"));
		g_clear_error(&e);
	}
	g_assert_cmpfloat(r.start, ==, 42); /* untouched on failure */
}

static void test_to_string(void)
{
	static const char *canon[] = { "10", "10:", "~:10", "10:20", "@10:20",
				       "@~:5", "-3:-1", "0.5", NULL };
	for (guint i = 0; canon[i] != NULL; i++) {
		nm_range r;
		char *s;

		g_assert_true(nm_range_parse(canon[i], &r, NULL));
		s = nm_range_to_string(&r);
		g_assert_cmpstr(s, ==, canon[i]);
		g_free(s);
	}
}

static void test_rates(void)
{
	nm_thr_series s = { 0 };
	nm_value v = { .kind = NM_DS_COUNTER };
	double out = -1;
	gint64 t = 1000 * G_USEC_PER_SEC;

	v.v.counter = 100;
	g_assert_false(nm_thr_value(&s, &v, t, 10 * G_USEC_PER_SEC, FALSE, &out));
	v.v.counter = 1100;
	g_assert_true(nm_thr_value(&s, &v, t + 10 * G_USEC_PER_SEC, 0, FALSE, &out));
	g_assert_cmpfloat(out, ==, 100);
	/* 32-bit wrap: from 2^32-100 to 900 is 1000 */
	s.prev.v.counter = G_MAXUINT32 - 99;
	v.v.counter = 900;
	g_assert_true(nm_thr_value(&s, &v, t + 20 * G_USEC_PER_SEC, 0, FALSE, &out));
	g_assert_cmpfloat(out, ==, 100);
	/* 64-bit wrap */
	s.prev.v.counter = G_MAXUINT64 - 499;
	v.v.counter = 500;
	g_assert_true(nm_thr_value(&s, &v, t + 30 * G_USEC_PER_SEC, 0, FALSE, &out));
	g_assert_cmpfloat(out, ==, 100);
	/* same timestamp again: no rate */
	g_assert_false(nm_thr_value(&s, &v, t + 30 * G_USEC_PER_SEC, 0, FALSE, &out));
	/* DERIVE may go down */
	nm_thr_series d = { 0 };
	nm_value dv = { .kind = NM_DS_DERIVE, .v.derive = 50 };
	g_assert_false(nm_thr_value(&d, &dv, t, 0, FALSE, &out));
	dv.v.derive = 30;
	g_assert_true(nm_thr_value(&d, &dv, t + 2 * G_USEC_PER_SEC, 0, FALSE, &out));
	g_assert_cmpfloat(out, ==, -10);
	/* ABSOLUTE over the interval; GAUGE as is */
	nm_thr_series a = { 0 };
	nm_value av = { .kind = NM_DS_ABSOLUTE, .v.absolute = 600 };
	g_assert_true(nm_thr_value(&a, &av, t, 60 * G_USEC_PER_SEC, FALSE, &out));
	g_assert_cmpfloat(out, ==, 10);
	nm_value gv = { .kind = NM_DS_GAUGE, .v.gauge = 0.25 };
	nm_thr_series g = { 0 };
	g_assert_true(nm_thr_value(&g, &gv, t, 0, FALSE, &out));
	g_assert_cmpfloat(out, ==, 0.25);
}

static void test_hysteresis(void)
{
	nm_thr_ranges r = { 0 };
	static const struct { double v; nm_state_code want; } seq[] = {
		{ 50, NM_STATE_OK }, { 85, NM_STATE_WARNING },
		{ 95, NM_STATE_CRITICAL }, { 89, NM_STATE_CRITICAL },
		{ 85, NM_STATE_CRITICAL }, { 79, NM_STATE_WARNING },
		{ 75, NM_STATE_WARNING }, { 69, NM_STATE_OK }, { 75, NM_STATE_OK },
		{ 81, NM_STATE_WARNING }, { 90.5, NM_STATE_CRITICAL },
		{ 10, NM_STATE_OK },
	};
	nm_state_code st = NM_STATE_OK;

	g_assert_true(nm_range_parse("~:80", &r.warn, NULL));
	g_assert_true(nm_range_parse("~:90", &r.crit, NULL));
	g_assert_true(nm_range_parse("~:70", &r.warn_rec, NULL));
	g_assert_true(nm_range_parse("~:80", &r.crit_rec, NULL));
	r.has_warn = r.has_crit = r.has_warn_rec = r.has_crit_rec = TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(seq); i++) {
		st = nm_thr_evaluate(&r, st, seq[i].v);
		if (st != seq[i].want)
			g_error("step %u value %g: got %s, want %s", i, seq[i].v,
				nm_state_code_name(st), nm_state_code_name(seq[i].want));
	}
	/* without recovery ranges there is no memory */
	r.has_warn_rec = r.has_crit_rec = FALSE;
	g_assert_cmpint(nm_thr_evaluate(&r, NM_STATE_CRITICAL, 89), ==, NM_STATE_WARNING);
	/* only a critical range */
	r.has_warn = FALSE;
	g_assert_cmpint(nm_thr_evaluate(&r, NM_STATE_OK, 89), ==, NM_STATE_OK);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/threshold/range/table", test_table);
	g_test_add_func("/threshold/range/fields", test_parse_fields);
	g_test_add_func("/threshold/range/malformed", test_malformed);
	g_test_add_func("/threshold/range/to-string", test_to_string);
	g_test_add_func("/threshold/eval/rates", test_rates);
	g_test_add_func("/threshold/eval/hysteresis", test_hysteresis);
	return g_test_run();
}
