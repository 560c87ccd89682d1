/* Unit tests of the rrd plugin: types.db parser, name sanitiser, identity →
 * path, RRD create arguments, update strings; and the plugin in a fake core
 * fed known METRIC sequences (gauge, counter with 32- and 64-bit wrap,
 * derive, two data sources), checked with librrd's info and fetch.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <rrd.h>

#include "daemon.h"
#include "rrd-util.h"

/* ---------------------------------------------------------------- pure */

static void test_types_parse(void)
{
	GError *err = NULL;
	GHashTable *t = rrd_types_parse(
		"# comment\n\n"
		"if_octets   rx:DERIVE:0:U, tx:DERIVE:0:U\n"
		"\tgauge value:GAUGE:U:1e3  \n"
		"counter value:COUNTER:U:U\n", "x.db", &err);
	const rrd_type *ty;

	g_assert_no_error(err);
	g_assert_nonnull(t);
	g_assert_cmpuint(g_hash_table_size(t), ==, 3);
	ty = g_hash_table_lookup(t, "if_octets");
	g_assert_nonnull(ty);
	g_assert_cmpuint(ty->n_ds, ==, 2);
	g_assert_cmpstr(ty->ds[0].name, ==, "rx");
	g_assert_cmpstr(ty->ds[1].name, ==, "tx");
	g_assert_cmpint(ty->ds[1].kind, ==, NM_DS_DERIVE);
	g_assert_cmpfloat(ty->ds[1].min, ==, 0);
	g_assert_true(isnan(ty->ds[1].max));
	ty = g_hash_table_lookup(t, "gauge");
	g_assert_cmpint(ty->ds[0].kind, ==, NM_DS_GAUGE);
	g_assert_true(isnan(ty->ds[0].min));
	g_assert_cmpfloat(ty->ds[0].max, ==, 1000);
	g_hash_table_unref(t);
}

static void test_types_errors(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "ok value:GAUGE:U:U\nbad\n",
		  "t.db:2: expected a type name and its data sources" },
		{ "x value:GAUGE:U\n", "t.db:1: a data source is not NAME:KIND:MIN:MAX" },
		{ "x value:GAGE:U:U\n", "t.db:1: a data-source kind is not GAUGE, "
		  "COUNTER, DERIVE or ABSOLUTE" },
		{ "x val-ue:GAUGE:U:U\n", "t.db:1: a data-source name is not 1..19 "
		  "of [A-Za-z0-9_]" },
		{ "\n\nx value:GAUGE:zero:U\n", "t.db:3: a data-source bound is "
		  "neither a number nor U" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *err = NULL;
		g_assert_null(rrd_types_parse(cases[i].text, "t.db", &err));
		g_assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_cmpstr(err->message, ==, cases[i].msg);
		g_error_free(err);
	}
}

static void test_types_file(void)
{
	GError *err = NULL;
	char *path = g_test_build_filename(G_TEST_DIST, "..", "etc", "types.db", NULL);
	GHashTable *t = rrd_types_load(path, &err);

	g_assert_no_error(err);
	g_assert_nonnull(g_hash_table_lookup(t, "if_octets"));
	g_assert_nonnull(g_hash_table_lookup(t, "counter"));
	g_hash_table_unref(t);
	g_assert_null(rrd_types_load("/nonexistent/types.db", &err));
	g_assert_nonnull(strstr(err->message, "cannot read types_db /nonexistent/types.db"));
	g_error_free(err);
	g_free(path);
}

static void test_sanitize(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "router1", "router1" },
		{ "..", "_." },
		{ ".", "_" },
		{ "", "_" },
		{ ".hidden", "_hidden" },
		{ "../../etc", "_._.._etc" },
		{ "a/b", "a_b" },
		{ "/abs", "_abs" },
		{ "tab\there", "tab_here" },
		{ "nl\nx\x7f", "nl_x_" },
		{ "back\\slash", "back_slash" },
		{ "eth0 in", "eth0 in" },
	};
	char *longer = g_strnfill(300, 'a');
	char *cut;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = rrd_sanitize_segment(cases[i].in);
		g_assert_cmpstr(s, ==, cases[i].out);
		g_free(s);
	}
	cut = rrd_sanitize_segment(longer);
	g_assert_cmpuint(strlen(cut), ==, 200);
	g_free(cut);
	g_free(longer);
}

static void test_relpath(void)
{
	nm_msg *m = nm_metric_new_gauge("router1", "snmp", "eth0", "gauge", "in",
					1, 1, 1.0);
	nm_msg *bad = nm_metric_new_gauge("../..", "..", "/", "gauge", "../../x",
					  1, 1, 1.0);
	nm_msg *plain = nm_metric_new_gauge("h", "load", NULL, "gauge", NULL, 1, 1, 1);
	char *p;

	p = rrd_metric_relpath(nm_msg_as_metric(m));
	g_assert_cmpstr(p, ==, "router1/snmp-eth0/gauge-in.rrd");
	g_free(p);
	p = rrd_metric_relpath(nm_msg_as_metric(plain));
	g_assert_cmpstr(p, ==, "h/load/gauge.rrd");
	g_free(p);
	p = rrd_metric_relpath(nm_msg_as_metric(bad));
	g_assert_cmpstr(p, ==, "_._../_.-_/gauge-.._.._x.rrd");
	{
		/* No segment is "." or "..", and there are exactly three. */
		char **seg = g_strsplit(p, "/", -1);
		g_assert_cmpuint(g_strv_length(seg), ==, 3);
		for (guint i = 0; seg[i] != NULL; i++) {
			g_assert_cmpstr(seg[i], !=, "..");
			g_assert_cmpstr(seg[i], !=, ".");
			g_assert_cmpint(seg[i][0], !=, '.');
		}
		g_strfreev(seg);
	}
	g_free(p);
	nm_msg_unref(m);
	nm_msg_unref(bad);
	nm_msg_unref(plain);
}

static void test_create_args(void)
{
	rrd_ds ds[2] = { { "rx", NM_DS_DERIVE, 0, NAN }, { "tx", NM_DS_COUNTER, NAN, 1e9 } };
	rrd_type t = { "if_octets", 2, ds };
	const gint64 spans[] = { 172800, 1209600, 5356800, 63072000 };
	char **a = rrd_create_args(&t, 10, 20, spans, 4, 1200, 0.1);

	g_assert_cmpuint(g_strv_length(a), ==, 2 + 4 * 3);
	g_assert_cmpstr(a[0], ==, "DS:rx:DERIVE:20:0:U");
	g_assert_cmpstr(a[1], ==, "DS:tx:COUNTER:20:U:1000000000");
	/* 2 days at full resolution: 17280 rows of 1 step. */
	g_assert_cmpstr(a[2], ==, "RRA:AVERAGE:0.100:1:17280");
	g_assert_cmpstr(a[3], ==, "RRA:MIN:0.100:1:17280");
	g_assert_cmpstr(a[4], ==, "RRA:MAX:0.100:1:17280");
	/* 14 days in ~1200 rows: 100 steps (1000 s) a row, 1210 rows. */
	g_assert_cmpstr(a[5], ==, "RRA:AVERAGE:0.100:100:1210");
	/* 2 years: 5256 steps a row, 1200 rows. */
	g_assert_cmpstr(a[11], ==, "RRA:AVERAGE:0.100:5256:1200");
	g_assert_cmpstr(a[13], ==, "RRA:MAX:0.100:5256:1200");
	g_strfreev(a);
}

static void test_format_update(void)
{
	rrd_ds gds[1] = { { "value", NM_DS_GAUGE, NAN, NAN } };
	rrd_type gt = { "gauge", 1, gds };
	rrd_ds ods[2] = { { "rx", NM_DS_DERIVE, 0, NAN }, { "tx", NM_DS_DERIVE, 0, NAN } };
	rrd_type ot = { "if_octets", 2, ods };
	rrd_ds cds[1] = { { "value", NM_DS_COUNTER, NAN, NAN } };
	rrd_type ct = { "counter", 1, cds };
	nm_value ov[2] = { { .kind = NM_DS_DERIVE, .v.derive = -5 },
			   { .kind = NM_DS_DERIVE, .v.derive = 7 } };
	nm_value cv[1] = { { .kind = NM_DS_COUNTER, .v.counter = G_MAXUINT64 } };
	nm_msg *g = nm_metric_new_gauge("h", "p", "", "gauge", "", 1, 1, 0.1);
	nm_msg *n = nm_metric_new_gauge("h", "p", "", "gauge", "", 1, 1, NAN);
	nm_msg *o = nm_metric_new("h", "p", "", "if_octets", "", 1, 1, 2, ov);
	nm_msg *c = nm_metric_new("h", "p", "", "counter", "", 1, 1, 1, cv);
	GString *s = g_string_new(NULL);

	g_assert_true(rrd_format_update(s, 1700000000, nm_msg_as_metric(g), &gt));
	g_assert_cmpstr(s->str, ==, "1700000000:0.1");
	g_string_truncate(s, 0);
	g_assert_true(rrd_format_update(s, 5, nm_msg_as_metric(n), &gt));
	g_assert_cmpstr(s->str, ==, "5:U");
	g_string_truncate(s, 0);
	g_assert_true(rrd_format_update(s, 5, nm_msg_as_metric(o), &ot));
	g_assert_cmpstr(s->str, ==, "5:-5:7");
	g_string_truncate(s, 0);
	g_assert_true(rrd_format_update(s, 5, nm_msg_as_metric(c), &ct));
	g_assert_cmpstr(s->str, ==, "5:18446744073709551615");
	g_string_truncate(s, 0);
	/* whole gauges take the integer path: the same text as "%.15g" */
	{
		static const struct { double v; const char *want; } cases[] = {
			{ 5, "5:5" }, { -3, "5:-3" }, { 0, "5:0" }, { -0.0, "5:-0" },
			{ 999999999999999, "5:999999999999999" },
			{ 1e15, "5:1e+15" }, { 2.5, "5:2.5" }, { -1e20, "5:-1e+20" },
		};
		for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
			nm_msg *w = nm_metric_new_gauge("h", "p", "", "gauge", "", 1, 1,
							cases[i].v);
			g_string_truncate(s, 0);
			g_assert_true(rrd_format_update(s, 5, nm_msg_as_metric(w), &gt));
			g_assert_cmpstr(s->str, ==, cases[i].want);
			nm_msg_unref(w);
		}
		g_string_truncate(s, 0);
		g_assert_true(rrd_format_update(s, -12, nm_msg_as_metric(o), &ot));
		g_assert_cmpstr(s->str, ==, "-12:-5:7");
		g_string_truncate(s, 0);
	}
	/* kind or count mismatch: nothing appended */
	g_assert_false(rrd_format_update(s, 5, nm_msg_as_metric(g), &ct));
	g_assert_false(rrd_format_update(s, 5, nm_msg_as_metric(g), &ot));
	g_assert_cmpuint(s->len, ==, 0);
	g_string_free(s, TRUE);
	nm_msg_unref(g);
	nm_msg_unref(n);
	nm_msg_unref(o);
	nm_msg_unref(c);
}

static void test_error_last_time(void)
{
	g_assert_cmpint(rrd_error_last_time(
		"rrdcached@unix:/x: illegal attempt to update using time "
		"1700000010.000000 when last update time is 1700000020.000000 "
		"(minimum one second step)"), ==, 1700000020);
	g_assert_cmpint(rrd_error_last_time(
		"/a/b.rrd: illegal attempt to update using time 5 when last "
		"update time is 9 (minimum one second step)"), ==, 9);
	g_assert_cmpint(rrd_error_last_time("opening '/x': No such file"), ==, -1);
	g_assert_cmpint(rrd_error_last_time(NULL), ==, -1);
}

/* ------------------------------------------------- plugin in a fake core */

#define T0 G_GINT64_CONSTANT(1700000000)   /* a multiple of the step */
#define STEP 10

typedef struct {
	char *dir, *rrddir, *conf;
	nm_core *core;
} fixture;

static void setup(fixture *f, gconstpointer data)
{
	GError *err = NULL;
	char *plugdir = g_test_build_filename(G_TEST_BUILT, "..", "plugins", "rrd", NULL);
	char *types = g_test_build_filename(G_TEST_DIST, "..", "etc", "types.db", NULL);
	char *text;
	nm_core_config *c;

	(void)data;
	f->dir = g_dir_make_tmp("nm-rrd-XXXXXX", &err);
	g_assert_no_error(err);
	f->rrddir = g_build_filename(f->dir, "rrd", NULL);
	f->conf = g_build_filename(f->dir, "netmond.conf", NULL);
	text = g_strdup_printf(
		"netmond = { state_dir = \"%s/state\"; plugin_dir = \"%s\"; };\n"
		"rrd = { directory = \"%s\"; types_db = \"%s\";\n"
		"        cache_timeout = 3600; };\n",
		f->dir, plugdir, f->rrddir, types);
	g_assert_true(g_file_set_contents(f->conf, text, -1, &err));
	c = nm_core_config_load(f->conf, &err);
	g_assert_no_error(err);
	f->core = nm_core_new(c);
	g_assert_true(nm_core_load(f->core, &err));
	g_assert_no_error(err);
	g_assert_true(nm_core_start(f->core, FALSE, &err));
	g_assert_no_error(err);
	g_free(text);
	g_free(plugdir);
	g_free(types);
}

static void rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char *sub = g_build_filename(path, name, NULL);
			rm_rf(sub);
			g_free(sub);
		}
		g_dir_close(d);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

static void teardown(fixture *f, gconstpointer data)
{
	(void)data;
	nm_core_free(f->core);
	rm_rf(f->dir);
	g_free(f->dir);
	g_free(f->rrddir);
	g_free(f->conf);
}

static void publish(fixture *f, const char *host, const char *plugin,
		    const char *type, const char *ti, gint64 t, guint n,
		    const nm_value *v)
{
	nm_msg *m = nm_metric_new(host, plugin, "", type, ti, t * G_USEC_PER_SEC,
				  STEP * G_USEC_PER_SEC, n, v);
	g_assert_nonnull(m);
	g_assert_cmpuint(nm_bus_publish(f->core->bus, m), ==, 1);
}

static void pub_gauge(fixture *f, const char *ti, gint64 t, double x)
{
	nm_value v = { .kind = NM_DS_GAUGE, .v.gauge = x };
	publish(f, "h", "p", "gauge", ti, t, 1, &v);
}

static void pub_counter(fixture *f, const char *ti, gint64 t, guint64 x)
{
	nm_value v = { .kind = NM_DS_COUNTER, .v.counter = x };
	publish(f, "h", "p", "counter", ti, t, 1, &v);
}

static void pub_derive(fixture *f, const char *ti, gint64 t, gint64 x)
{
	nm_value v = { .kind = NM_DS_DERIVE, .v.derive = x };
	publish(f, "h", "p", "derive", ti, t, 1, &v);
}

/* The AVERAGE of data source @ds of @file at @t (NAN when unknown). */
static double fetch(const char *file, guint ds, gint64 t)
{
	time_t start = (time_t)(t - STEP), end = (time_t)t;
	unsigned long step = STEP, n_ds = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;
	double v;

	rrd_clear_error();
	if (rrd_fetch_r(file, "AVERAGE", &start, &end, &step, &n_ds, &names,
			&data) != 0)
		g_error("rrd_fetch_r %s: %s", file, rrd_get_error());
	g_assert_cmpuint(step, ==, STEP);
	g_assert_cmpuint(ds, <, n_ds);
	/* rows are for start+step .. end */
	g_assert_cmpint(end - start, >=, STEP);
	v = data[(gsize)((t - start) / STEP - 1) * n_ds + ds];
	for (unsigned long i = 0; i < n_ds; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return v;
}

/* rrd info value of @key as a string (new), or NULL. */
static char *info(const char *file, const char *key)
{
	rrd_info_t *head = rrd_info_r(file), *i;
	char *out = NULL;

	g_assert_nonnull(head);
	for (i = head; i != NULL; i = i->next) {
		if (strcmp(i->key, key) != 0)
			continue;
		switch (i->type) {
		case RD_I_VAL: out = g_strdup_printf("%g", i->value.u_val); break;
		case RD_I_CNT: out = g_strdup_printf("%lu", i->value.u_cnt); break;
		case RD_I_STR: out = g_strdup(i->value.u_str); break;
		case RD_I_INT: out = g_strdup_printf("%d", i->value.u_int); break;
		default: out = g_strdup("?"); break;
		}
		break;
	}
	rrd_info_free(head);
	return out;
}

static void assert_info(const char *file, const char *key, const char *want)
{
	char *got = info(file, key);
	if (g_strcmp0(got, want) != 0)
		g_error("%s: %s is %s, want %s", file, key, got ? got : "(none)", want);
	g_free(got);
}

static guint64 counter(fixture *f, const char *name)
{
	nm_plugin *p = nm_core_find_plugin(f->core, "rrd");
	nm_counter *c = nm_plugin_counter(p, name);
	return nm_counter_get(c);
}

static char *file_of(fixture *f, const char *rel)
{
	return g_build_filename(f->rrddir, rel, NULL);
}

static void drain(fixture *f)
{
	g_assert_true(nm_bus_drain(f->core->bus, g_get_monotonic_time() +
					       10 * G_USEC_PER_SEC));
}

/* Everything stays cached (cache_timeout 1 h) until shutdown writes it:
 * the "SIGTERM with a full cache" case, then the values are checked. */
static void test_values_on_stop(fixture *f, gconstpointer data)
{
	char *g = file_of(f, "h/p/gauge-g.rrd");
	char *c32 = file_of(f, "h/p/counter-c32.rrd");
	char *c64 = file_of(f, "h/p/counter-c64.rrd");
	char *d = file_of(f, "h/p/derive-d.rrd");
	char *o = file_of(f, "h/if/if_octets-eth0.rrd");
	nm_plugin *p;
	JsonNode *stats;
	JsonObject *obj;

	(void)data;
	for (gint64 k = 1; k <= 50; k++)
		pub_gauge(f, "g", T0 + k * STEP, (double)k * 1.5);
	/* 32-bit wrap: +200 each step → 20/s */
	pub_counter(f, "c32", T0 + 1 * STEP, G_GUINT64_CONSTANT(4294967000));
	pub_counter(f, "c32", T0 + 2 * STEP, G_GUINT64_CONSTANT(4294967200));
	pub_counter(f, "c32", T0 + 3 * STEP, 104);
	pub_counter(f, "c32", T0 + 4 * STEP, 304);
	/* 64-bit wrap: +10^7 each step → 10^6/s (RRD computes in doubles,
	 * so near 2^64 it is exact to about 4096 only) */
	pub_counter(f, "c64", T0 + 1 * STEP, G_GUINT64_CONSTANT(18446744073694551616));
	pub_counter(f, "c64", T0 + 2 * STEP, G_GUINT64_CONSTANT(18446744073704551616));
	pub_counter(f, "c64", T0 + 3 * STEP, 5000000);
	/* derive: 0, 1000, 3000 → 100/s, 200/s */
	pub_derive(f, "d", T0 + 1 * STEP, 0);
	pub_derive(f, "d", T0 + 2 * STEP, 1000);
	pub_derive(f, "d", T0 + 3 * STEP, 3000);
	for (gint64 k = 0; k < 3; k++) {
		nm_value v[2] = { { .kind = NM_DS_DERIVE, .v.derive = 10000 * k },
				  { .kind = NM_DS_DERIVE, .v.derive = 500 * k } };
		nm_msg *m = nm_metric_new("h", "if", "", "if_octets", "eth0",
					  (T0 + (k + 1) * STEP) * G_USEC_PER_SEC,
					  STEP * G_USEC_PER_SEC, 2, v);
		nm_bus_publish(f->core->bus, m);
	}
	/* errors: duplicate time, unknown type, wrong value count, kind */
	pub_gauge(f, "g", T0 + 50 * STEP, 99);
	pub_gauge(f, "g", T0 + 10 * STEP, 99);
	{
		nm_value v = { .kind = NM_DS_GAUGE, .v.gauge = 1 };
		nm_value v2[2] = { v, v };
		publish(f, "h", "p", "no_such_type", "", T0 + STEP, 1, &v);
		publish(f, "h", "p", "if_octets", "x", T0 + STEP, 1, &v);
		publish(f, "h", "p", "if_octets", "y", T0 + STEP, 2, v2);
	}
	drain(f);
	g_assert_cmpuint(counter(f, "error_time_rejected"), ==, 2);
	g_assert_cmpuint(counter(f, "error_unknown_type"), ==, 1);
	g_assert_cmpuint(counter(f, "error_value_count"), ==, 1);
	g_assert_cmpuint(counter(f, "error_kind_mismatch"), ==, 1);
	g_assert_cmpuint(counter(f, "files_created"), ==, 0);

	/* stats --json details: all cached, nothing written yet */
	p = nm_core_find_plugin(f->core, "rrd");
	g_assert_nonnull(p->stats_fn);
	stats = p->stats_fn(p, p->stats_data);
	obj = json_node_get_object(stats);
	g_assert_cmpstr(json_object_get_string_member(obj, "mode"), ==, "direct");
	g_assert_cmpint(json_object_get_int_member(
		json_object_get_object_member(obj, "cache"), "values"), ==,
		50 + 4 + 3 + 3 + 3);
	g_assert_cmpint(json_object_get_int_member(obj, "updates_written"), ==, 0);
	g_assert_cmpint(json_object_get_int_member(
		json_object_get_object_member(obj, "errors"), "unknown_type"), ==, 1);
	json_node_unref(stats);
	g_assert_false(g_file_test(g, G_FILE_TEST_EXISTS));

	nm_core_stop(f->core);   /* what SIGTERM does */
	g_assert_cmpuint(counter(f, "files_created"), ==, 5);
	g_assert_cmpuint(counter(f, "updates_written"), ==, 63);

	/* layout, DS names and kinds, heartbeat, RRAs */
	assert_info(g, "step", "10");
	assert_info(g, "ds[value].type", "GAUGE");
	assert_info(g, "ds[value].minimal_heartbeat", "20");
	assert_info(o, "ds[rx].type", "DERIVE");
	assert_info(o, "ds[tx].type", "DERIVE");
	assert_info(o, "ds[rx].min", "0");
	assert_info(c32, "ds[value].type", "COUNTER");
	assert_info(o, "rra[0].cf", "AVERAGE");
	assert_info(o, "rra[0].pdp_per_row", "1");
	assert_info(o, "rra[0].rows", "17280");
	assert_info(o, "rra[1].cf", "MIN");
	assert_info(o, "rra[2].cf", "MAX");
	assert_info(o, "rra[11].cf", "MAX");
	assert_info(o, "rra[11].pdp_per_row", "5256");
	{
		char *none = info(o, "rra[12].cf");
		g_assert_null(none);
	}
	assert_info(g, "last_update", "1700000500");

	/* values */
	for (gint64 k = 1; k <= 50; k++)
		g_assert_cmpfloat(fetch(g, 0, T0 + k * STEP), ==, (double)k * 1.5);
	g_assert_true(isnan(fetch(c32, 0, T0 + 1 * STEP)));
	g_assert_cmpfloat(fetch(c32, 0, T0 + 2 * STEP), ==, 20);
	/* RRD itself turns counters into rates; across a wrap it adds
	 * 2^32 - 1 (librrd's own off-by-one), so 199 / 10 s here. */
	g_assert_cmpfloat_with_epsilon(fetch(c32, 0, T0 + 3 * STEP), 20, 0.11);
	g_assert_cmpfloat(fetch(c32, 0, T0 + 4 * STEP), ==, 20);
	g_assert_cmpfloat_with_epsilon(fetch(c64, 0, T0 + 2 * STEP), 1e6, 500);
	g_assert_cmpfloat_with_epsilon(fetch(c64, 0, T0 + 3 * STEP), 1e6, 500);
	g_assert_cmpfloat(fetch(d, 0, T0 + 2 * STEP), ==, 100);
	g_assert_cmpfloat(fetch(d, 0, T0 + 3 * STEP), ==, 200);
	g_assert_cmpfloat(fetch(o, 0, T0 + 2 * STEP), ==, 1000);
	g_assert_cmpfloat(fetch(o, 1, T0 + 3 * STEP), ==, 50);

	g_free(g);
	g_free(c32);
	g_free(c64);
	g_free(d);
	g_free(o);
}

/* Issue 12: clock stepped back, duplicate timestamps, counter wrap and
 * interface reset (counter back to 0) never show up as spikes in the
 * stored rates: every stored rate is within the true rates. */
static void test_no_spikes(fixture *f, gconstpointer data)
{
	char *c = file_of(f, "h/p/counter-c.rrd");
	char *d = file_of(f, "h/p/derive-d.rrd");
	char *o = file_of(f, "h/if/if_octets-eth1.rrd");
	guint64 cv = G_GUINT64_CONSTANT(4294946296); /* Counter32 wraps at k 12 */
	gint64 dv = 0, ov = 5000000;
	guint known_c = 0, known_d = 0, known_o = 0;

	(void)data;
	for (gint64 k = 1; k <= 60; k++) {
		gint64 t = T0 + k * STEP;
		nm_value v[2];
		nm_msg *m;
		if (k == 20) {   /* interface reset: every counter back to 0 */
			cv = 0;
			dv = 0;
			ov = 0;
		}
		pub_counter(f, "c", t, cv);
		pub_derive(f, "d", t, dv);
		v[0] = (nm_value){ .kind = NM_DS_DERIVE, .v.derive = ov };
		v[1] = (nm_value){ .kind = NM_DS_DERIVE, .v.derive = ov };
		m = nm_metric_new("h", "if", "", "if_octets", "eth1", t * G_USEC_PER_SEC,
				  STEP * G_USEC_PER_SEC, 2, v);
		g_assert_cmpuint(nm_bus_publish(f->core->bus, m), ==, 1);
		if (k == 40) {
			/* duplicate timestamps with other values, then the clock
			 * stepped back 5 steps: all refused */
			pub_counter(f, "c", t, cv + 999999);
			pub_derive(f, "d", t, dv + 999999);
			pub_counter(f, "c", t - 5 * STEP, 1);
			pub_derive(f, "d", t - 5 * STEP, 1);
		}
		cv = (cv + 2000) & G_GUINT64_CONSTANT(0xffffffff);  /* 200/s, 32-bit */
		dv += 1000;                                         /* 100/s */
		ov += 3000;                                         /* 300/s */
	}
	drain(f);
	g_assert_cmpuint(counter(f, "error_time_rejected"), ==, 4);
	nm_core_stop(f->core);
	g_assert_cmpuint(counter(f, "counter_resets"), ==, 1);
	for (gint64 k = 2; k <= 60; k++) {
		double rc = fetch(c, 0, T0 + k * STEP), rd = fetch(d, 0, T0 + k * STEP);
		double ro = fetch(o, 0, T0 + k * STEP);
		if (!isnan(rc)) {
			/* the 32-bit wrap is RRD's, off by one: 199.9 */
			g_assert_cmpfloat_with_epsilon(rc, 200, 0.11);
			known_c++;
		}
		if (!isnan(rd)) {
			g_assert_cmpfloat(rd, ==, 100);
			known_d++;
		}
		if (!isnan(ro)) {
			g_assert_cmpfloat(ro, ==, 300);
			known_o++;
		}
	}
	/* 59 intervals; the reset blanks at most two of each */
	g_assert_cmpuint(known_c, >=, 57);
	g_assert_cmpuint(known_d, >=, 57);
	g_assert_cmpuint(known_o, >=, 57);
	g_free(c);
	g_free(d);
	g_free(o);
}

static void test_counter_wrapped(void)
{
	const guint64 top32 = G_GUINT64_CONSTANT(4294967295);

	g_assert_true(rrd_counter_wrapped(top32 - 100, 50));        /* Counter32 wrap */
	g_assert_true(rrd_counter_wrapped(G_MAXUINT64 - 5, 7));     /* Counter64 wrap */
	g_assert_false(rrd_counter_wrapped(1000000, 0));            /* reset */
	g_assert_false(rrd_counter_wrapped(G_GUINT64_CONSTANT(1) << 40, 10)); /* reset */
	g_assert_false(rrd_counter_wrapped(10, 10));
	g_assert_false(rrd_counter_wrapped(10, 20));
}

/* Identities with ../ and / stay inside the directory. */
static void test_no_escape(fixture *f, gconstpointer data)
{
	static const char *const hosts[] = { "..", "../..", "/", "/tmp", ".", "" };
	char *outside = g_build_filename(f->dir, "evil.rrd", NULL);
	guint n = 0;

	(void)data;
	for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
		nm_value v = { .kind = NM_DS_GAUGE, .v.gauge = 1 };
		nm_msg *m = nm_metric_new(hosts[i][0] ? hosts[i] : "x", "..", "../..",
					  "gauge", "../../../evil", T0 * G_USEC_PER_SEC,
					  STEP * G_USEC_PER_SEC, 1, &v);
		n += nm_bus_publish(f->core->bus, m);
	}
	nm_core_stop(f->core);
	/* "/" and "." both become "_": one file, the second sample a
	 * duplicate time. */
	g_assert_cmpuint(n, ==, G_N_ELEMENTS(hosts));
	g_assert_cmpuint(counter(f, "files_created"), ==, n - 1);
	g_assert_cmpuint(counter(f, "error_time_rejected"), ==, 1);
	/* The temp folder holds only netmond.conf, state/ and rrd/. */
	{
		GDir *d = g_dir_open(f->dir, 0, NULL);
		const char *name;
		guint entries = 0;
		while ((name = g_dir_read_name(d)) != NULL) {
			g_assert_true(strcmp(name, "netmond.conf") == 0 ||
				      strcmp(name, "state") == 0 ||
				      strcmp(name, "rrd") == 0);
			entries++;
		}
		g_dir_close(d);
		g_assert_cmpuint(entries, ==, 3);
	}
	g_assert_false(g_file_test(outside, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test("/evil.rrd", G_FILE_TEST_EXISTS));
	g_free(outside);
}

/* `netmonctl flush GLOB` writes only the matching files, at once. */
static void test_flush_glob(fixture *f, gconstpointer data)
{
	char *a = file_of(f, "h/p/gauge-a.rrd");
	char *b = file_of(f, "h/p/gauge-b.rrd");
	char *argv[] = { "flush", "h/p/gauge-a", NULL };
	GString *out = g_string_new(NULL);
	GError *err = NULL;

	(void)data;
	for (gint64 k = 1; k <= 5; k++) {
		pub_gauge(f, "a", T0 + k * STEP, (double)k);
		pub_gauge(f, "b", T0 + k * STEP, (double)k);
	}
	drain(f);
	g_assert_true(nm_core_dispatch(2, argv, out, f->core, &err));
	g_assert_no_error(err);
	g_assert_nonnull(strstr(out->str, "rrd: wrote 5 updates to 1 files"));
	g_assert_true(g_file_test(a, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(b, G_FILE_TEST_EXISTS));
	g_assert_cmpfloat(fetch(a, 0, T0 + 5 * STEP), ==, 5);
	/* more values for a file that exists: appended on the next flush */
	pub_gauge(f, "a", T0 + 6 * STEP, 6);
	drain(f);
	g_string_truncate(out, 0);
	argv[1] = NULL;
	g_assert_true(nm_core_dispatch(1, argv, out, f->core, &err));
	g_assert_nonnull(strstr(out->str, "rrd: wrote 6 updates to 2 files"));
	g_assert_cmpfloat(fetch(a, 0, T0 + 6 * STEP), ==, 6);
	g_assert_cmpfloat(fetch(b, 0, T0 + 5 * STEP), ==, 5);
	g_string_free(out, TRUE);
	g_free(a);
	g_free(b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rrd/types/parse", test_types_parse);
	g_test_add_func("/rrd/types/errors", test_types_errors);
	g_test_add_func("/rrd/types/file", test_types_file);
	g_test_add_func("/rrd/names/sanitize", test_sanitize);
	g_test_add_func("/rrd/names/relpath", test_relpath);
	g_test_add_func("/rrd/create-args", test_create_args);
	g_test_add_func("/rrd/format-update", test_format_update);
	g_test_add_func("/rrd/error-last-time", test_error_last_time);
	g_test_add_func("/rrd/counter-wrapped", test_counter_wrapped);
	g_test_add("/rrd/plugin/no-spikes", fixture, NULL, setup,
		   test_no_spikes, teardown);
	g_test_add("/rrd/plugin/values-on-stop", fixture, NULL, setup,
		   test_values_on_stop, teardown);
	g_test_add("/rrd/plugin/no-escape", fixture, NULL, setup,
		   test_no_escape, teardown);
	g_test_add("/rrd/plugin/flush-glob", fixture, NULL, setup,
		   test_flush_glob, teardown);
	return g_test_run();
}
