/* Unit tests of the nagios plugin's parsers (plugins/nagios/perfdata.c):
 * performance data (quoted labels, UOM, "U", ranges, min/max, malformed
 * items) and the split of plugin output into text, long text and perfdata.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <string.h>

#include <signal.h>
#include <errno.h>
#include <unistd.h>

#include "perfdata.h"
#include "runner.h"

/* A fixture program of t/data/checks (new string). */
static char *fixture(const char *name)
{
	const char *src = g_getenv("top_srcdir");
	return g_build_filename(src ? src : "..", "t", "data", "checks", name, NULL);
}

#define P(a, i) ((nm_perf *)g_ptr_array_index((a), (i)))

static void test_perf_basic(void)
{
	guint bad = 99;
	GPtrArray *a = nm_perfdata_parse(
		"rta=0.045ms;100.000;200.000;0; pl=0%;20;50;0;100", &bad);

	g_assert_cmpuint(bad, ==, 0);
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpstr(P(a, 0)->label, ==, "rta");
	g_assert_cmpfloat(P(a, 0)->value, ==, 0.045);
	g_assert_cmpstr(P(a, 0)->uom, ==, "ms");
	g_assert_cmpstr(P(a, 0)->warn, ==, "100.000");
	g_assert_cmpstr(P(a, 0)->crit, ==, "200.000");
	g_assert_cmpfloat(P(a, 0)->min, ==, 0);
	g_assert_true(isnan(P(a, 0)->max));
	g_assert_cmpstr(P(a, 1)->label, ==, "pl");
	g_assert_cmpstr(P(a, 1)->uom, ==, "%");
	g_assert_cmpfloat(P(a, 1)->max, ==, 100);
	g_ptr_array_unref(a);
}

static void test_perf_quoted(void)
{
	guint bad;
	GPtrArray *a = nm_perfdata_parse(
		"'/var lib'=10MB;;;0;100 'it''s'=3c 'a=b;c'=1", &bad);

	g_assert_cmpuint(bad, ==, 0);
	g_assert_cmpuint(a->len, ==, 3);
	g_assert_cmpstr(P(a, 0)->label, ==, "/var lib");
	g_assert_cmpstr(P(a, 0)->uom, ==, "MB");
	g_assert_cmpstr(P(a, 0)->warn, ==, "");
	g_assert_cmpstr(P(a, 1)->label, ==, "it's");
	g_assert_true(nm_perf_is_counter(P(a, 1)));
	g_assert_cmpstr(P(a, 2)->label, ==, "a=b;c");
	g_assert_cmpfloat(P(a, 2)->value, ==, 1);
	g_assert_cmpstr(P(a, 2)->uom, ==, "");
	g_ptr_array_unref(a);
}

static void test_perf_units_and_u(void)
{
	static const char *uoms[] = { "s", "ms", "us", "%", "B", "KB", "MB",
				      "GB", "TB", "c", NULL };
	guint bad;
	GPtrArray *a;

	for (guint i = 0; uoms[i] != NULL; i++) {
		char *t = g_strdup_printf("x=-1.5%s;1;2", uoms[i]);
		a = nm_perfdata_parse(t, &bad);
		g_assert_cmpuint(a->len, ==, 1);
		g_assert_cmpstr(P(a, 0)->uom, ==, uoms[i]);
		g_assert_cmpfloat(P(a, 0)->value, ==, -1.5);
		g_ptr_array_unref(a);
		g_free(t);
	}
	a = nm_perfdata_parse("load=U;5;10 time=Us", &bad);
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_true(P(a, 0)->unknown);
	g_assert_true(isnan(P(a, 0)->value));
	g_assert_cmpstr(P(a, 0)->crit, ==, "10");
	g_assert_cmpstr(P(a, 1)->uom, ==, "s");
	g_ptr_array_unref(a);
	/* ranges in warn/crit are kept as text */
	a = nm_perfdata_parse("t=5;@10:20;~:30", &bad);
	g_assert_cmpstr(P(a, 0)->warn, ==, "@10:20");
	g_assert_cmpstr(P(a, 0)->crit, ==, "~:30");
	g_ptr_array_unref(a);
}

/* Counters become DERIVE only when they fit a gint64: before
 * nm_perf_value(), "1e30c" went through llround() to an unspecified
 * (on x86-64: INT64_MIN) DERIVE. */
static void test_perf_value(void)
{
	guint bad;
	nm_value v = { 0 };
	GPtrArray *a = nm_perfdata_parse("big=1e30c small=-1e30c ok=12.6c g=1e30 u=U "
					 "max=9223372036854775807c min=-9223372036854775808c",
					 &bad);

	g_assert_cmpuint(a->len, ==, 7);
	g_assert_false(nm_perf_value(P(a, 0), &v));
	g_assert_false(nm_perf_value(P(a, 1), &v));
	g_assert_true(nm_perf_value(P(a, 2), &v));
	g_assert_cmpint(v.kind, ==, NM_DS_DERIVE);
	g_assert_cmpint(v.v.derive, ==, 13);
	g_assert_true(nm_perf_value(P(a, 3), &v));
	g_assert_cmpint(v.kind, ==, NM_DS_GAUGE);
	g_assert_cmpfloat(v.v.gauge, ==, 1e30);
	g_assert_false(nm_perf_value(P(a, 4), &v));
	/* 2^63 - 1 is 2^63 as a double: out of range; -2^63 fits */
	g_assert_false(nm_perf_value(P(a, 5), &v));
	g_assert_true(nm_perf_value(P(a, 6), &v));
	g_assert_cmpint(v.v.derive, ==, G_MININT64);
	g_ptr_array_unref(a);
}

static void test_perf_malformed(void)
{
	guint bad;
	GPtrArray *a = nm_perfdata_parse(
		"  good=1  =2 noeq 'open=3 x=abc y=1;2;3;4;5;6 z=0x10 "
		"w=1;;;a ok2=2  ", &bad);

	/* "'open=3 x=abc ..." swallows to the end as one unterminated label */
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpstr(P(a, 0)->label, ==, "good");
	g_assert_cmpuint(bad, ==, 3);
	g_ptr_array_unref(a);

	a = nm_perfdata_parse("x=abc y=1;2;3;4;5;6 z=0x10 w=1;;;a v=1e999 ok2=2",
			      &bad);
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpstr(P(a, 0)->label, ==, "ok2");
	g_assert_cmpuint(bad, ==, 5);
	g_ptr_array_unref(a);

	a = nm_perfdata_parse(NULL, NULL);
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_unref(a);
	a = nm_perfdata_parse("''=1", &bad);
	g_assert_cmpuint(a->len, ==, 0);
	g_assert_cmpuint(bad, ==, 1);
	g_ptr_array_unref(a);
}

static void split(const char *in, const char *o, const char *l, const char *p)
{
	char *out, *lng, *perf;

	nm_check_output_split(in, strlen(in), &out, &lng, &perf);
	g_assert_cmpstr(out, ==, o);
	g_assert_cmpstr(lng, ==, l);
	g_assert_cmpstr(perf, ==, p);
	g_free(out);
	g_free(lng);
	g_free(perf);
}

static void test_output_split(void)
{
	/* the guidelines' examples */
	split("DISK OK - free space: / 3326 MB (56%);"
	      " | /=2643MB;5948;5958;0;5968\n",
	      "DISK OK - free space: / 3326 MB (56%);", "",
	      "/=2643MB;5948;5958;0;5968");
	split("DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
	      "/ 15272 MB (77%);\n"
	      "/boot 68 MB (69%);\n"
	      "/home 69357 MB (27%);\n"
	      "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
	      "/home=69357MB;253404;253409;0;253414 \n"
	      "/var/log=818MB;970;975;0;980\n",
	      "DISK OK - free space: / 3326 MB (56%);",
	      "/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);\n"
	      "/var/log 819 MB (84%);",
	      "/=2643MB;5948;5958;0;5968 /boot=68MB;88;93;0;98 "
	      "/home=69357MB;253404;253409;0;253414 /var/log=818MB;970;975;0;980");
	split("OK", "OK", "", "");
	split("", "", "", "");
	split("CRIT\r\nline2\r\n\n", "CRIT", "line2", "");
	split("A | ", "A", "", "");
	{
		const char nul[] = "x\0y\nz";
		char *o, *l, *p;
		nm_check_output_split(nul, sizeof nul - 1, &o, &l, &p);
		g_assert_cmpstr(o, ==, "x y");
		g_assert_cmpstr(l, ==, "z");
		g_free(o);
		g_free(l);
		g_free(p);
	}
}

static void test_run_exit_codes(void)
{
	char *perf = fixture("perf");
	for (int code = 0; code <= 3; code++) {
		char arg[4];
		char *argv[] = { perf, arg, NULL };
		nm_exec_result r;
		GError *e = NULL;

		g_snprintf(arg, sizeof arg, "%d", code);
		g_assert_true(nm_exec_run(argv, NULL, 5 * G_USEC_PER_SEC,
					  G_USEC_PER_SEC, 65536, &r, &e));
		g_assert_no_error(e);
		g_assert_cmpint(r.exit_status, ==, code);
		g_assert_false(r.timed_out);
		g_assert_false(r.truncated);
		g_assert_nonnull(strstr(r.output, "PERF OK - fine |"));
		nm_exec_result_clear(&r);
	}
	g_free(perf);
}

/* nm_exec_run_input: the program reads exactly the input (NULs and a
 * 1 MB body included) on stdin; without input stdin is empty. */
static void test_run_input(void)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"wc -c; head -c 5 | od -An -c", NULL };
	char *cat[] = { (char *)"/bin/sh", (char *)"-c", (char *)"wc -c", NULL };
	gsize big = 1024 * 1024;
	char *in = g_malloc(big);
	nm_exec_result r;
	GError *e = NULL;

	memset(in, 'x', big);
	g_assert_true(nm_exec_run_input(cat, NULL, in, big, 10 * G_USEC_PER_SEC,
					G_USEC_PER_SEC, 4096, &r, &e));
	g_assert_no_error(e);
	g_assert_cmpint(r.exit_status, ==, 0);
	g_assert_cmpint(g_ascii_strtoll(r.output, NULL, 10), ==, (gint64)big);
	nm_exec_result_clear(&r);
	g_assert_true(nm_exec_run_input(cat, NULL, "a\0b", 3, 10 * G_USEC_PER_SEC,
					G_USEC_PER_SEC, 4096, &r, &e));
	g_assert_cmpint(g_ascii_strtoll(r.output, NULL, 10), ==, 3);
	nm_exec_result_clear(&r);
	/* NULL input: /dev/null, as nm_exec_run() */
	g_assert_true(nm_exec_run_input(argv, NULL, NULL, 0, 10 * G_USEC_PER_SEC,
					G_USEC_PER_SEC, 4096, &r, &e));
	g_assert_cmpint(g_ascii_strtoll(r.output, NULL, 10), ==, 0);
	nm_exec_result_clear(&r);
	g_free(in);
}

/* TRUE when @pid runs (a zombie waiting for a reaper counts as dead). */
static gboolean alive(pid_t pid)
{
	char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	char *text = NULL;
	gboolean r = FALSE;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		const char *paren = strrchr(text, ')');
		r = paren != NULL && paren[1] == ' ' && paren[2] != 'Z';
	}
	g_free(text);
	g_free(path);
	return r;
}

static void test_run_timeout_kills_group(void)
{
	char *hang = fixture("hang");
	char *pidfile = g_strdup_printf("%s/nm-hang-%d.pid", g_get_tmp_dir(), (int)getpid());
	char *argv[] = { hang, pidfile, NULL };
	nm_exec_result r;
	char *text = NULL;
	gint64 t0 = g_get_monotonic_time();
	long child;

	g_assert_true(nm_exec_run(argv, NULL, G_USEC_PER_SEC / 2,
				  G_USEC_PER_SEC / 2, 65536, &r, NULL));
	g_assert_true(r.timed_out);
	g_assert_cmpint(r.exit_status, ==, -1);
	g_assert_cmpint(r.term_signal, ==, SIGTERM);
	g_assert_nonnull(strstr(r.output, "HANG"));
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 3 * G_USEC_PER_SEC);
	g_assert_true(g_file_get_contents(pidfile, &text, NULL, NULL));
	child = strtol(text, NULL, 10);
	g_assert_cmpint(child, >, 1);
	/* the grandchild (sleep 300) died with its group */
	for (int i = 0; i < 100 && alive((pid_t)child); i++)
		g_usleep(10000);
	g_assert_false(alive((pid_t)child));
	g_unlink(pidfile);
	g_free(text);
	g_free(pidfile);
	nm_exec_result_clear(&r);
	g_free(hang);
}

static void test_run_sigterm_ignored(void)
{
	char *argv[] = { "/bin/sh", "-c", "trap '' TERM; echo stubborn; "
			 "while :; do sleep 0.1; done", NULL };
	nm_exec_result r;

	g_assert_true(nm_exec_run(argv, NULL, G_USEC_PER_SEC / 4,
				  G_USEC_PER_SEC / 4, 65536, &r, NULL));
	g_assert_true(r.timed_out);
	g_assert_cmpint(r.term_signal, ==, SIGKILL);
	g_assert_cmpstr(r.output, ==, "stubborn\n");
	nm_exec_result_clear(&r);
}

static void test_run_truncates(void)
{
	char *big = fixture("bigout");
	char *argv[] = { big, NULL };
	nm_exec_result r;
	char *o, *l, *p;

	g_assert_true(nm_exec_run(argv, NULL, 10 * G_USEC_PER_SEC,
				  G_USEC_PER_SEC, 4096, &r, NULL));
	g_assert_cmpint(r.exit_status, ==, 0);
	g_assert_true(r.truncated);
	g_assert_cmpuint(r.output_len, ==, 4096);
	g_assert_cmpuint(r.output_total, ==, 1048576 + 36 + 1);
	g_assert_cmpuint(strlen(r.output), ==, 4096);
	nm_check_output_split(r.output, r.output_len, &o, &l, &p);
	g_assert_cmpstr(o, ==, "OK - big output");
	g_assert_cmpstr(p, ==, "size=1048576B;;;0");
	g_free(o);
	g_free(l);
	g_free(p);
	nm_exec_result_clear(&r);
	g_free(big);
}

static void test_run_137_and_errors(void)
{
	char *e137 = fixture("exit137");
	char *argv[] = { e137, NULL };
	char *missing[] = { "/nonexistent/check_nothing", NULL };
	char *sig[] = { "/bin/sh", "-c", "kill -9 $$", NULL };
	nm_exec_result r;
	GError *e = NULL;

	g_assert_true(nm_exec_run(argv, NULL, 5 * G_USEC_PER_SEC,
				  G_USEC_PER_SEC, 65536, &r, NULL));
	g_assert_cmpint(r.exit_status, ==, 137);
	g_assert_false(r.timed_out);
	nm_exec_result_clear(&r);
	g_assert_true(nm_exec_run(sig, NULL, 5 * G_USEC_PER_SEC,
				  G_USEC_PER_SEC, 65536, &r, NULL));
	g_assert_cmpint(r.term_signal, ==, SIGKILL);
	g_assert_cmpint(r.exit_status, ==, -1);
	nm_exec_result_clear(&r);
	g_assert_false(nm_exec_run(missing, NULL, G_USEC_PER_SEC,
				   G_USEC_PER_SEC, 65536, &r, &e));
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_assert_nonnull(strstr(e->message, "/nonexistent/check_nothing"));
	g_clear_error(&e);
	g_free(e137);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nagios/perfdata/basic", test_perf_basic);
	g_test_add_func("/nagios/perfdata/quoted", test_perf_quoted);
	g_test_add_func("/nagios/perfdata/units-and-U", test_perf_units_and_u);
	g_test_add_func("/nagios/perfdata/malformed", test_perf_malformed);
	g_test_add_func("/nagios/perfdata/value", test_perf_value);
	g_test_add_func("/nagios/output/split", test_output_split);
	g_test_add_func("/nagios/run/exit-codes", test_run_exit_codes);
	g_test_add_func("/nagios/run/input", test_run_input);
	g_test_add_func("/nagios/run/timeout-kills-group", test_run_timeout_kills_group);
	g_test_add_func("/nagios/run/sigterm-ignored", test_run_sigterm_ignored);
	g_test_add_func("/nagios/run/truncates-1MB", test_run_truncates);
	g_test_add_func("/nagios/run/137-signal-missing", test_run_137_and_errors);
	return g_test_run();
}
