/* Unit tests of the report plugin: graph values reported by rrd_graph_v for
 * RRD files with known values, graph definitions, HTML escaping, the
 * availability history and the site generator.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <rrd.h>

#include "avail.h"
#include "graphdef.h"
#include "html.h"
#include "site.h"

static char *tmpdir;

/* Leaks inside librrd's graph code and the font libraries it uses (see
 * t/data/report/lsan.supp) are not this plugin's. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:_dl_init\nleak:librrd.so\nleak:libfontconfig.so\n"
	       "leak:libpango\nleak:libcairo\nleak:libharfbuzz\n";
}

static char *defs_file(void)
{
	return g_test_build_filename(G_TEST_DIST, "..", "etc", "report",
				     "graphs.conf", NULL);
}

/* Create @file (one DS per @ds, of @kind) with 60 s steps and feed it 2 h
 * of samples ending now: gauges get @value, counters grow @value per s. */
static void make_rrd(const char *file, const char *const *ds,
		     const char *kind, double value, gint64 now)
{
	GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
	gint64 start = (now / 60) * 60 - 7200;
	int rc;

	for (guint i = 0; ds[i] != NULL; i++)
		g_ptr_array_add(args, g_strdup_printf("DS:%s:%s:120:0:U", ds[i],
						      kind));
	g_ptr_array_add(args, g_strdup("RRA:AVERAGE:0.5:1:1440"));
	g_ptr_array_add(args, g_strdup("RRA:AVERAGE:0.5:30:1000"));
	g_ptr_array_add(args, g_strdup("RRA:MAX:0.5:1:1440"));
	rrd_clear_error();
	rc = rrd_create_r(file, 60, (time_t)start, (int)args->len,
			  (const char **)args->pdata);
	g_assert_cmpstr(rrd_test_error() ? rrd_get_error() : "", ==, "");
	g_assert_cmpint(rc, ==, 0);
	g_ptr_array_set_size(args, 0);
	for (gint64 t = start + 60; t <= start + 7200; t += 60) {
		GString *u = g_string_new(NULL);
		g_string_append_printf(u, "%" G_GINT64_FORMAT, t);
		for (guint i = 0; ds[i] != NULL; i++) {
			if (strcmp(kind, "GAUGE") == 0)
				g_string_append_printf(u, ":%g", value);
			else
				g_string_append_printf(u, ":%.0f",
						       value * (double)(t - start) *
							       (i + 1));
		}
		g_ptr_array_add(args, g_string_free(u, FALSE));
	}
	rc = rrd_update_r(file, NULL, (int)args->len, (const char **)args->pdata);
	g_assert_cmpstr(rrd_test_error() ? rrd_get_error() : "", ==, "");
	g_assert_cmpint(rc, ==, 0);
	g_ptr_array_unref(args);
}

static rp_graphdefs *load_defs(void)
{
	char *path = defs_file();
	GError *err = NULL;
	rp_graphdefs *defs = rp_graphdefs_load(path, &err);

	g_assert_no_error(err);
	g_assert_nonnull(defs);
	g_free(path);
	return defs;
}

/* Draw @file with its definition; returns the PRINT/legend lines. */
static GPtrArray *draw(rp_graphdefs *defs, const char *host,
		       const char *plugin, const char *type, const char *tinst,
		       const char *file, const char *out)
{
	char *dir = g_path_get_dirname(file);
	rp_graph_src src = { file, dir, host, plugin, "", type, tinst };
	const rp_graphdef *def = rp_graphdef_resolve(
		defs, rp_graphdefs_lookup(defs, type, tinst), &src);
	GError *err = NULL;
	char **argv;
	GPtrArray *prints = NULL;

	g_assert_nonnull(def);
	argv = rp_graph_args(def, &src, out, 86400, "day", 500, 160, "PNG",
			     &err);
	g_assert_no_error(err);
	g_assert_true(rp_graph_draw_atomic(argv, out, &prints, &err));
	g_assert_no_error(err);
	g_strfreev(argv);
	g_free(dir);
	return prints;
}

static gboolean has_line(GPtrArray *lines, const char *needle)
{
	for (guint i = 0; i < lines->len; i++)
		if (strstr(lines->pdata[i], needle) != NULL)
			return TRUE;
	return FALSE;
}

static void test_graph_values(void)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	char *dir = g_build_filename(tmpdir, "values", NULL);
	char *gauge = g_build_filename(dir, "ping.rrd", NULL);
	char *octets = g_build_filename(dir, "if_octets-eth0.rrd", NULL);
	char *png = g_build_filename(dir, "g.png", NULL);
	static const char *const value[] = { "value", NULL };
	static const char *const rxtx[] = { "rx", "tx", NULL };
	rp_graphdefs *defs = load_defs();
	GPtrArray *p;
	struct stat st;

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	/* A gauge of 42 ms: the ping graph (no loss file: ping_plain). */
	make_rrd(gauge, value, "GAUGE", 42.0, now);
	p = draw(defs, "h", "icmp", "ping", "", gauge, png);
	g_assert_cmpuint(p->len, >=, 1);
	g_assert_cmpfloat_with_epsilon(g_ascii_strtod(p->pdata[0], NULL), 42.0,
				       1e-9);
	g_assert_true(has_line(p, "avg   42.00"));
	g_assert_cmpint(stat(png, &st), ==, 0);
	g_assert_cmpint(st.st_size, >, 100);
	g_ptr_array_unref(p);

	/* DERIVE octets of 1000 B/s in, 2000 B/s out: 8000 and 16000 bit/s. */
	make_rrd(octets, rxtx, "DERIVE", 1000.0, now);
	p = draw(defs, "h", "snmp", "if_octets", "eth0", octets, png);
	g_assert_cmpuint(p->len, >=, 2);
	g_assert_cmpfloat_with_epsilon(g_ascii_strtod(p->pdata[0], NULL),
				       8000.0, 1e-6);
	g_assert_cmpfloat_with_epsilon(g_ascii_strtod(p->pdata[1], NULL),
				       16000.0, 1e-6);
	g_assert_true(has_line(p, "avg    8.00 k"));
	g_assert_true(has_line(p, "avg   16.00 k"));
	g_ptr_array_unref(p);

	/* With loss and min/max files the SmokePing-style definition is used. */
	{
		char *loss = g_build_filename(dir, "ping_droprate.rrd", NULL);
		char *mn = g_build_filename(dir, "ping-min.rrd", NULL);
		char *mx = g_build_filename(dir, "ping-max.rrd", NULL);
		rp_graph_src src = { gauge, dir, "h", "icmp", "", "ping", "" };
		const rp_graphdef *def;
		GPtrArray *files;
		make_rrd(loss, value, "GAUGE", 0.25, now);
		make_rrd(mn, value, "GAUGE", 40.0, now);
		make_rrd(mx, value, "GAUGE", 50.0, now);
		def = rp_graphdef_resolve(defs, rp_graphdefs_lookup(defs, "ping",
								    ""), &src);
		g_assert_cmpstr(def->name, ==, "ping");
		files = rp_graphdef_files(def, &src);
		g_assert_cmpuint(files->len, ==, 4);
		g_ptr_array_unref(files);
		p = draw(defs, "h", "icmp", "ping", "", gauge, png);
		g_assert_cmpfloat_with_epsilon(g_ascii_strtod(p->pdata[0], NULL),
					       42.0, 1e-9);
		g_assert_true(has_line(p, "loss avg  25.0 %"));
		g_ptr_array_unref(p);
		g_free(loss);
		g_free(mn);
		g_free(mx);
	}
	rp_graphdefs_free(defs);
	g_free(dir);
	g_free(gauge);
	g_free(octets);
	g_free(png);
}

static void test_defs(void)
{
	rp_graphdefs *defs = load_defs();
	char *bad = g_build_filename(tmpdir, "bad.conf", NULL);
	GError *err = NULL;

	g_assert_cmpstr(rp_graphdefs_lookup(defs, "if_octets", "eth0")->name, ==,
			"if_octets");
	g_assert_cmpstr(rp_graphdefs_lookup(defs, "ping", "min")->name, ==,
			"ping-min");
	g_assert_cmpstr(rp_graphdefs_lookup(defs, "nosuchtype", "")->name, ==,
			"default");
	rp_graphdefs_free(defs);

	g_assert_true(g_file_set_contents(bad, "a = { series = ( { ds = \"x\"; "
					  "},\n { ds = \"y\"; colour = \"red\"; "
					  "} ); };\n", -1, NULL));
	g_assert_null(rp_graphdefs_load(bad, &err));
	g_assert_nonnull(err);
	g_assert_true(g_str_has_suffix(err->message, ":2: a.series.colour: "
				       "'red' is not #rrggbb or #rrggbbaa"));
	g_clear_error(&err);
	g_assert_true(g_file_set_contents(bad, "a = {\n titel = \"x\"; };\n", -1,
					  NULL));
	g_assert_null(rp_graphdefs_load(bad, &err));
	g_assert_true(g_str_has_suffix(err->message, ":2: unknown setting "
				       "'titel'"));
	g_clear_error(&err);
	g_assert_true(g_file_set_contents(bad, "a = { hidden = true; fallback ="
					  " \"b\"; };\n", -1, NULL));
	g_assert_null(rp_graphdefs_load(bad, &err));
	g_assert_nonnull(strstr(err->message, "no definition 'b'"));
	g_clear_error(&err);
	g_free(bad);
}

static void test_escape(void)
{
	char *e = rp_html_escape("<script>alert(\"x&y\")</script>'\x01\xff ok");
	char *s;

	g_assert_cmpstr(e, ==, "&lt;script&gt;alert(&quot;x&amp;y&quot;)"
			"&lt;/script&gt;&#39;\xef\xbf\xbd\xef\xbf\xbd ok");
	g_free(e);
	e = rp_html_escape("r\xc3\xa9seau\tA");
	g_assert_cmpstr(e, ==, "r\xc3\xa9seau\tA");
	g_free(e);
	s = rp_slug("router-1.example.net");
	g_assert_cmpstr(s, ==, "router-1.example.net");
	g_free(s);
	s = rp_slug("../etc/<x>");
	g_assert_true(g_str_has_prefix(s, "_._etc__x_-"));
	g_assert_null(strchr(s, '/'));
	g_free(s);
	s = rp_slug("fe80::1");
	g_assert_true(g_str_has_prefix(s, "fe80__1-"));
	g_free(s);
}

static void test_avail(void)
{
	char *path = g_build_filename(tmpdir, "avail.log", NULL);
	gint64 h = G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC;
	gint64 t0 = G_GINT64_CONSTANT(1000000) * G_USEC_PER_SEC;
	GError *err = NULL;
	rp_avail *a = rp_avail_open(path, t0, &err);
	GPtrArray *hosts;
	char *text;

	g_assert_no_error(err);
	/* up 3 h, down 1 h, then up again. */
	g_assert_true(rp_avail_record(a, "r1", "ping", 0, t0, &err));
	g_assert_true(rp_avail_record(a, "r1", "ping", 0, t0 + h, &err));
	g_assert_true(rp_avail_record(a, "r1", "ping", 2, t0 + 3 * h, &err));
	g_assert_true(rp_avail_record(a, "r1", "ping", 0, t0 + 4 * h, &err));
	g_assert_true(rp_avail_record(a, "odd host <x>", "snmp", 2, t0, &err));
	g_assert_cmpfloat_with_epsilon(rp_avail_ratio(a, "r1", "ping", t0,
						      t0 + 4 * h), 0.75, 1e-9);
	g_assert_cmpfloat_with_epsilon(rp_avail_ratio(a, "r1", "ping", t0,
						      t0 + 8 * h), 7.0 / 8, 1e-9);
	g_assert_cmpfloat(rp_avail_ratio(a, "r1", "snmp", t0, t0 + h), <, 0);
	g_assert_cmpint(rp_avail_current(a, "r1", "ping", NULL), ==, 0);
	rp_avail_close(a, t0 + 5 * h);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	/* Only transitions are written (4 lines + the stop marker). */
	{
		guint lines = 0;
		for (const char *c = text; *c != '\0'; c++)
			lines += *c == '\n';
		g_assert_cmpuint(lines, ==, 5);
	}
	g_free(text);

	/* Reopened: the history is back; the stop made 5 h..6 h unknown. */
	a = rp_avail_open(path, t0 + 6 * h, &err);
	g_assert_no_error(err);
	g_assert_true(rp_avail_record(a, "r1", "ping", 0, t0 + 6 * h, &err));
	g_assert_cmpfloat_with_epsilon(rp_avail_ratio(a, "r1", "ping", t0,
						      t0 + 7 * h), 5.0 / 6, 1e-9);
	g_assert_cmpint(rp_avail_current(a, "odd host <x>", "snmp", NULL), ==,
			-1);
	hosts = rp_avail_hosts(a);
	g_assert_cmpuint(hosts->len, ==, 2);
	g_assert_cmpstr(hosts->pdata[0], ==, "odd host <x>");
	g_ptr_array_unref(hosts);
	rp_avail_close(a, t0 + 7 * h);
	g_free(path);
}

static void test_site(void)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	char *rrd = g_build_filename(tmpdir, "rrd", NULL);
	char *out = g_build_filename(tmpdir, "site", NULL);
	char *inv = g_build_filename(tmpdir, "inventory", NULL);
	char *d1 = g_build_filename(rrd, "r1", "snmp", NULL);
	char *d2 = g_build_filename(rrd, "r1", "icmp", NULL);
	char *f, *text, *path;
	static const char *const value[] = { "value", NULL };
	static const char *const rxtx[] = { "rx", "tx", NULL };
	GError *err = NULL;
	rp_site *s;
	rp_extras extras = {
		"[{\"time\": 1700000000000000, \"host\": \"r1\", "
		"\"text\": \"<b>link down</b>\"}]", NULL
	};
	guint64 drawn;

	g_assert_cmpint(g_mkdir_with_parents(d1, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(d2, 0755), ==, 0);
	g_assert_cmpint(g_mkdir_with_parents(inv, 0755), ==, 0);
	f = g_build_filename(d1, "if_octets-eth0.rrd", NULL);
	make_rrd(f, rxtx, "DERIVE", 125000.0, now);
	g_free(f);
	f = g_build_filename(d2, "ping.rrd", NULL);
	make_rrd(f, value, "GAUGE", 1.5, now);
	g_free(f);
	f = g_build_filename(inv, "r1.json", NULL);
	g_assert_true(g_file_set_contents(f,
		"{\"host\":\"r1\",\"sysName\":\"core<1>\",\"sysDescr\":"
		"\"<script>alert(1)</script>\",\"interfaces\":[{\"name\":\"eth0\","
		"\"alias\":\"uplink & co\",\"speed_mbps\":100,\"oper_status\":"
		"\"up\"}]}", -1, NULL));
	g_free(f);

	s = rp_site_new(rrd, out, inv, "Test site", "png", 60, 400, 120,
			load_defs(), NULL);
	g_assert_true(rp_site_generate(s, now, &extras, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(s->errors, ==, 0);
	g_assert_cmpuint(s->drawn, ==, 8);   /* 2 graphs x 4 periods */

	path = g_build_filename(out, "index.html", NULL);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	g_assert_null(strstr(text, "<script>"));
	g_assert_nonnull(strstr(text, "core&lt;1&gt;"));
	g_assert_nonnull(strstr(text, "hosts/r1/day.html"));
	g_assert_nonnull(strstr(text, "&lt;b&gt;link down&lt;/b&gt;"));
	g_assert_nonnull(strstr(text, "<meta http-equiv=\"refresh\" "
				      "content=\"60\">"));
	g_assert_null(strstr(text, "Top talkers"));
	g_free(text);
	g_free(path);

	path = g_build_filename(out, "interfaces.html", NULL);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "uplink &amp; co"));
	/* 125000 B/s = 1 Mbit/s in, 2 Mbit/s out of 100 Mbit/s: 2 %. */
	g_assert_nonnull(strstr(text, "1.0 Mbit/s"));
	g_assert_nonnull(strstr(text, "2.0 Mbit/s"));
	g_assert_nonnull(strstr(text, "2.0%"));
	g_free(text);
	g_free(path);

	path = g_build_filename(out, "hosts", "r1", "week.html", NULL);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "img/snmp/if_octets-eth0-week.png"));
	g_assert_nonnull(strstr(text, "img/icmp/ping-week.png"));
	g_free(text);
	g_free(path);
	path = g_build_filename(out, "hosts", "r1", "img", "icmp",
				"ping-year.png", NULL);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	g_free(path);

	/* Nothing changed: nothing is redrawn. */
	drawn = s->drawn;
	g_assert_true(rp_site_generate(s, now, NULL, &err));
	g_assert_cmpuint(s->drawn, ==, drawn);
	g_assert_cmpuint(s->skipped, ==, 8);
	rp_site_free(s);

	/* Cancelled (as at shutdown): no graph is drawn and no page written;
	 * generate still succeeds (it is not an error). */
	g_free(out);
	out = g_build_filename(tmpdir, "site-cancelled", NULL);
	s = rp_site_new(rrd, out, inv, "Test site", "png", 60, 400, 120,
			load_defs(), NULL);
	rp_site_cancel(s);
	g_assert_true(rp_site_generate(s, now, NULL, &err));
	g_assert_no_error(err);
	g_assert_cmpuint(s->drawn, ==, 0);
	g_assert_cmpuint(s->errors, ==, 0);
	path = g_build_filename(out, "index.html", NULL);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
	path = g_build_filename(out, "hosts", "r1", "day.html", NULL);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
	rp_site_free(s);
	g_free(rrd);
	g_free(out);
	g_free(inv);
	g_free(d1);
	g_free(d2);
}

int main(int argc, char **argv)
{
	int rc;
	char *cmd;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test-report-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/report/graph-values", test_graph_values);
	g_test_add_func("/report/definitions", test_defs);
	g_test_add_func("/report/escape", test_escape);
	g_test_add_func("/report/availability", test_avail);
	g_test_add_func("/report/site", test_site);
	rc = g_test_run();
	cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		g_printerr("cannot remove %s\n", tmpdir);
	g_free(cmd);
	g_free(tmpdir);
	return rc;
}
