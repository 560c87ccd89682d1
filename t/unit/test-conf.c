/* netmon — unit tests of core/conf.c: group checks, lookups, config loading.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Each test writes its configuration into a fresh temporary folder, checks
 * the EXACT error text (file:line included; "@" in an expected text stands
 * for the path of the test's config file) and removes what it wrote.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core.h"

#ifndef NM_PLUGIN_DIR
#define NM_PLUGIN_DIR "/usr/local/lib/netmon"
#endif
#ifndef NM_STATE_DIR
#define NM_STATE_DIR "/var/lib/netmon"
#endif

/* ---- the key table the nm_conf_check() tests use ---------------------- */

static const char *const modes[] = { "fast", "slow", "auto", NULL };

static const nm_conf_key target_keys[] = {
	{ .name = "address", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = "port", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 65535 },
	{ .name = "community", .kind = NM_CONF_STRING },
	{ .name = NULL }
};

static const nm_conf_key rrd_keys[] = {
	{ .name = "directory", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = "step", .kind = NM_CONF_DURATION },
	{ .name = NULL }
};

static const nm_conf_key snmp_keys[] = {
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 60 },
	{ .name = "retries", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 10 },
	{ .name = "ratio", .kind = NM_CONF_FLOAT, .has_range = TRUE,
	  .min = 0, .max = 1 },
	{ .name = "verbose", .kind = NM_CONF_BOOL },
	{ .name = "mode", .kind = NM_CONF_STRING, .choices = modes },
	{ .name = "name", .kind = NM_CONF_STRING },
	{ .name = "interval", .kind = NM_CONF_DURATION },
	{ .name = "options", .kind = NM_CONF_GROUP },
	{ .name = "rrd", .kind = NM_CONF_GROUP, .children = rrd_keys },
	{ .name = "targets", .kind = NM_CONF_LIST, .required = TRUE,
	  .has_range = TRUE, .min = 1, .max = 4, .children = target_keys },
	{ .name = "extra", .kind = NM_CONF_LIST },
	{ .name = "oids", .kind = NM_CONF_ARRAY, .has_range = TRUE,
	  .min = 1, .max = 4 },
	{ .name = "pair", .kind = NM_CONF_ARRAY, .has_range = TRUE,
	  .min = 2, .max = 2 },
	{ .name = "big", .kind = NM_CONF_INT },
	{ .name = NULL }
};

/* A valid targets line, so that "missing required" stays out of tests. */
#define TARGETS "  targets = ( { address = \"192.0.2.1\"; } );\n"

/* ---- fixture ------------------------------------------------------- */

typedef struct {
	char *dir;          /* the temporary folder */
	GPtrArray *made;    /* files and folders made in it, in order */
	char *path;         /* the config file of fx_parse() */
	config_t cfg;
	gboolean cfg_inited;
	nm_core_config *core;
	GError *err;
} Fixture;

static void fx_setup(Fixture *f, gconstpointer data)
{
	GError *err = NULL;

	(void)data;
	f->dir = g_dir_make_tmp("netmon-conf-XXXXXX", &err);
	g_assert_no_error(err);
	g_assert_nonnull(f->dir);
	f->made = g_ptr_array_new_with_free_func(g_free);
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
	guint i;

	(void)data;
	if (f->cfg_inited)
		config_destroy(&f->cfg);
	nm_core_config_free(f->core);
	g_clear_error(&f->err);
	for (i = f->made->len; i > 0; i--) {
		const char *p = g_ptr_array_index(f->made, i - 1);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			g_assert_cmpint(g_rmdir(p), ==, 0);
		else
			g_assert_cmpint(g_remove(p), ==, 0);
	}
	g_assert_cmpint(g_rmdir(f->dir), ==, 0);
	g_ptr_array_unref(f->made);
	g_free(f->path);
	g_free(f->dir);
}

/* Make folder @name (relative to the temporary folder); its full path. */
static const char *fx_mkdir(Fixture *f, const char *name)
{
	char *p = g_build_filename(f->dir, name, NULL);

	g_assert_cmpint(g_mkdir(p, 0700), ==, 0);
	g_ptr_array_add(f->made, p);
	return p;
}

/* Write @text to file @name (relative to the temporary folder). */
static const char *fx_write(Fixture *f, const char *name, const char *text)
{
	char *p = g_build_filename(f->dir, name, NULL);
	GError *err = NULL;

	guint i;

	g_assert_true(g_file_set_contents(p, text, -1, &err));
	g_assert_no_error(err);
	for (i = 0; i < f->made->len; i++)
		if (strcmp(g_ptr_array_index(f->made, i), p) == 0) {
			g_free(p);  /* written again */
			return g_ptr_array_index(f->made, i);
		}
	g_ptr_array_add(f->made, p);
	return p;
}

/* Write @text as test.conf and parse it into f->cfg; the root group. */
static const config_setting_t *fx_parse(Fixture *f, const char *text)
{
	f->path = g_strdup(fx_write(f, "test.conf", text));
	config_init(&f->cfg);
	f->cfg_inited = TRUE;
	if (config_read_file(&f->cfg, f->path) != CONFIG_TRUE)
		g_error("test config does not parse: %s:%d: %s",
			config_error_file(&f->cfg), config_error_line(&f->cfg),
			config_error_text(&f->cfg));
	return config_root_setting(&f->cfg);
}

/* @tmpl with every "@" replaced by @file. */
static char *subst(const char *tmpl, const char *file)
{
	char **parts = g_strsplit(tmpl, "@", -1);
	char *s = g_strjoinv(file, parts);

	g_strfreev(parts);
	return s;
}

static void assert_message(const GError *err, GQuark domain, int code,
			   const char *tmpl, const char *file)
{
	char *want = subst(tmpl, file);

	g_assert_nonnull(err);
	g_assert_cmpstr(err->message, ==, want);
	g_assert_error((GError *)err, domain, code);
	g_free(want);
}

/* Parse @text, check group "snmp" against snmp_keys: valid when @tmpl is
 * NULL, else the error must be @code with message @tmpl. */
static void check_expect(Fixture *f, const char *text, int code,
			 const char *tmpl)
{
	const config_setting_t *g;
	gboolean ok;

	(void)fx_parse(f, text);
	g = config_lookup(&f->cfg, "snmp");
	g_assert_nonnull(g);
	ok = nm_conf_check(g, snmp_keys, &f->err);
	if (tmpl == NULL) {
		g_assert_no_error(f->err);
		g_assert_true(ok);
		return;
	}
	g_assert_false(ok);
	assert_message(f->err, NM_CONF_ERROR, code, tmpl, f->path);
}

/* Write @text as netmond.conf (in @sub, a made folder, or the temporary
 * folder when NULL) and load it; its path in f->path. */
static nm_core_config *fx_load(Fixture *f, const char *sub, const char *text)
{
	char *name = sub ? g_build_filename(sub, "netmond.conf", NULL)
			 : g_strdup("netmond.conf");

	g_free(f->path);
	f->path = g_strdup(fx_write(f, name, text));
	g_free(name);
	f->core = nm_core_config_load(f->path, &f->err);
	return f->core;
}

static void load_expect(Fixture *f, const char *text, GQuark domain, int code,
			const char *tmpl)
{
	g_assert_null(fx_load(f, NULL, text));
	assert_message(f->err, domain, code, tmpl, f->path);
}

/* ---- nm_conf_check(): unknown settings -------------------------------- */

static void test_unknown(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  colour = 5;\n"
		"};\n",
		NM_CONF_ERROR_UNKNOWN,
		"@:3: snmp: unknown setting 'colour'");
}

static void test_unknown_suggestion(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  timout = 5;\n"
		"  retires = 2;\n"
		"  targest = 1;\n"
		"  xy = 1;\n"
		"};\n",
		NM_CONF_ERROR_UNKNOWN,
		"@:3: snmp: unknown setting 'timout' (did you mean 'timeout'?)\n"
		"@:4: snmp: unknown setting 'retires' (did you mean 'retries'?)\n"
		"@:5: snmp: unknown setting 'targest' (did you mean 'targets'?)\n"
		"@:6: snmp: unknown setting 'xy'");
}

/* ---- wrong types, one test per kind ----------------------------------- */

static void test_type_int(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  retries = 2.5;\n"
		"  big = \"3\";\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.retries: expected an integer, got a floating-point number\n"
		"@:4: snmp.big: expected an integer, got a string");
}

static void test_type_float(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  ratio = \"0.5\";\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.ratio: expected a number, got a string");
}

static void test_type_bool(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  verbose = 1;\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.verbose: expected a boolean, got an integer");
}

static void test_type_string(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  name = 5;\n"
		"  mode = true;\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.name: expected a string, got an integer\n"
		"@:4: snmp.mode: expected a string, got a boolean");
}

static void test_type_duration(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  timeout = \"5s\";\n"
		"  interval = [ 1 ];\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.timeout: expected a duration in seconds, got a string\n"
		"@:4: snmp.interval: expected a duration in seconds, got an array [ ]");
}

static void test_type_group(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  options = 1;\n"
		"  rrd = ( );\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.options: expected a group { }, got an integer\n"
		"@:4: snmp.rrd: expected a group { }, got a list ( )");
}

static void test_type_list(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		"  targets = [ \"192.0.2.1\" ];\n"
		"  extra = { };\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:2: snmp.targets: expected a list ( ), got an array [ ]\n"
		"@:3: snmp.extra: expected a list ( ), got a group { }");
}

static void test_type_array(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  oids = ( \"1.3.6\" );\n"
		"  pair = \"1.3.6\";\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:3: snmp.oids: expected an array [ ], got a list ( )\n"
		"@:4: snmp.pair: expected an array [ ], got a string");
}

/* INT takes int64; FLOAT and DURATION take integers too. */
static void test_type_accepted(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  retries = 3L;\n"
		"  big = 10000000000;\n"
		"  ratio = 1;\n"
		"  timeout = 5;\n"
		"  interval = 0.25;\n"
		"  verbose = false;\n"
		"  mode = \"auto\";\n"
		"  options = { anything = \"goes\"; };\n"
		"  extra = ( 1, \"two\" );\n"
		"  oids = [ \"1.3.6\" ];\n"
		"  pair = [ 1, 2 ];\n"
		"  rrd = { directory = \"/var/lib/rrd\"; step = 60; };\n"
		"};\n",
		0, NULL);
}

/* ---- ranges and choices ----------------------------------------------- */

static void test_range_int(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		"  targets = ( { address = \"a\"; port = 0; },\n"
		"              { address = \"b\"; port = 65535; } );\n"
		"  retries = 11;\n"
		"};\n",
		NM_CONF_ERROR_RANGE,
		"@:2: snmp.targets.[0].port: 0 is out of range 1..65535\n"
		"@:4: snmp.retries: 11 is out of range 0..10");
}

static void test_range_float(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  ratio = 1.5;\n"
		"};\n",
		NM_CONF_ERROR_RANGE,
		"@:3: snmp.ratio: 1.5 is out of range 0..1");
}

static void test_range_duration(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  timeout = 0.05;\n"
		"  interval = -1;\n"
		"  rrd = { directory = \"x\"; step = 61; };\n"
		"};\n",
		NM_CONF_ERROR_RANGE,
		"@:3: snmp.timeout: 0.05 is out of range 0.1..60\n"
		"@:4: snmp.interval: -1 is out of range 0..9.22337e+12");
}

static void test_range_bounds(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  timeout = 0.1;\n"
		"  retries = 10;\n"
		"  ratio = 0;\n"
		"};\n",
		0, NULL);
}

static void test_choices(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  mode = \"fats\";\n"
		"};\n",
		NM_CONF_ERROR_RANGE,
		"@:3: snmp.mode: 'fats' is not one of: fast, slow, auto");
}

static void test_element_count(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		"  targets = ( { address = \"a\"; }, { address = \"b\"; },\n"
		"              { address = \"c\"; }, { address = \"d\"; },\n"
		"              { address = \"e\"; } );\n"
		"  oids = [ ];\n"
		"  pair = [ 1 ];\n"
		"};\n",
		NM_CONF_ERROR_RANGE,
		"@:2: snmp.targets: has 5 elements, expected 1..4\n"
		"@:5: snmp.oids: has 0 elements, expected 1..4\n"
		"@:6: snmp.pair: has 1 element, expected 2..2");
}

/* ---- nesting ---------------------------------------------------------- */

static void test_nested_group(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  rrd = {\n"
		"    directory = 5;\n"
		"    stpe = 1;\n"
		"  };\n"
		"  options = {\n"
		"    rrd = { };\n"
		"  };\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:4: snmp.rrd.directory: expected a string, got an integer\n"
		"@:5: snmp.rrd: unknown setting 'stpe' (did you mean 'step'?)");
}

static void test_nested_missing(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  rrd =\n"
		"  {\n"
		"    step = 300;\n"
		"  };\n"
		"};\n",
		NM_CONF_ERROR_MISSING,
		"@:3: snmp.rrd: missing required setting 'directory'");
}

static void test_list_of_groups(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		"  targets = (\n"
		"    { address = \"192.0.2.1\"; },\n"
		"    \"192.0.2.2\",\n"
		"    { address = \"192.0.2.3\";\n"
		"      port = 70000; },\n"
		"    { port = 161; comunity = \"public\"; }\n"
		"  );\n"
		"};\n",
		NM_CONF_ERROR_TYPE,
		"@:4: snmp.targets.[1]: expected a group { }, got a string\n"
		"@:6: snmp.targets.[2].port: 70000 is out of range 1..65535\n"
		"@:7: snmp.targets.[3]: missing required setting 'address'\n"
		"@:7: snmp.targets.[3]: unknown setting 'comunity' "
		"(did you mean 'community'?)");
}

/* ---- required, several, valid ------------------------------------------ */

static void test_missing(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"# a comment\n"
		"snmp = {\n"
		"  timeout = 1;\n"
		"};\n",
		NM_CONF_ERROR_MISSING,
		"@:2: snmp: missing required setting 'targets'");
}

static void test_many(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		"  timout = 1;\n"
		"  retries = \"x\";\n"
		"  ratio = 2.0;\n"
		"  mode = \"turbo\";\n"
		"  rrd = { step = true; };\n"
		"};\n",
		NM_CONF_ERROR_MISSING,
		"@:1: snmp: missing required setting 'targets'\n"
		"@:2: snmp: unknown setting 'timout' (did you mean 'timeout'?)\n"
		"@:3: snmp.retries: expected an integer, got a string\n"
		"@:4: snmp.ratio: 2 is out of range 0..1\n"
		"@:5: snmp.mode: 'turbo' is not one of: fast, slow, auto\n"
		"@:6: snmp.rrd: missing required setting 'directory'\n"
		"@:6: snmp.rrd.step: expected a duration in seconds, got a boolean");
}

static void test_many_first_code(Fixture *f, gconstpointer d)
{
	(void)d;
	check_expect(f,
		"snmp = {\n"
		TARGETS
		"  ratio = -0.5;\n"
		"  verbose = \"yes\";\n"
		"};\n",
		NM_CONF_ERROR_RANGE,
		"@:3: snmp.ratio: -0.5 is out of range 0..1\n"
		"@:4: snmp.verbose: expected a boolean, got a string");
}

static void test_valid(Fixture *f, gconstpointer d)
{
	const config_setting_t *root;
	GError *err = NULL;

	(void)d;
	root = fx_parse(f,
		"snmp = {\n"
		TARGETS
		"};\n"
		"other = 5;\n");
	g_assert_true(nm_conf_check(config_lookup(&f->cfg, "snmp"),
				    snmp_keys, &err));
	g_assert_no_error(err);
	/* No table: anything goes. */
	g_assert_true(nm_conf_check(root, NULL, &err));
	g_assert_no_error(err);
	/* NULL err is allowed. */
	g_assert_false(nm_conf_check(root, snmp_keys, NULL));
	/* Not a group at all. */
	g_assert_false(nm_conf_check(config_lookup(&f->cfg, "other"),
				     snmp_keys, &err));
	assert_message(err, NM_CONF_ERROR, NM_CONF_ERROR_TYPE,
		       "@:4: other: expected a group { }, got an integer",
		       f->path);
	g_clear_error(&err);
	/* The root: no line, no path. */
	g_assert_false(nm_conf_check(root, target_keys, &err));
	assert_message(err, NM_CONF_ERROR, NM_CONF_ERROR_MISSING,
		       "@: missing required setting 'address'\n"
		       "@:1: unknown setting 'snmp'\n"
		       "@:4: unknown setting 'other'",
		       f->path);
	g_clear_error(&err);
}

/* A group from an @include'd file names that file. */
static void test_include_location(Fixture *f, gconstpointer d)
{
	const config_setting_t *g;
	char *inc;

	(void)d;
	fx_mkdir(f, "etc");
	fx_mkdir(f, "etc/conf.d");
	inc = g_build_filename(f->dir, "etc", "conf.d", "snmp.conf", NULL);
	fx_write(f, "etc/conf.d/snmp.conf",
		 "snmp = {\n"
		 TARGETS
		 "  retries = -1;\n"
		 "};\n");
	g_assert_nonnull(fx_load(f, "etc",
				 "netmond = { workers = 2; };\n"
				 "@include \"conf.d/snmp.conf\"\n"));
	g_assert_no_error(f->err);
	g_assert_cmpuint(f->core->plugin_groups->len, ==, 1);
	g = g_ptr_array_index(f->core->plugin_groups, 0);
	g_assert_false(nm_conf_check(g, snmp_keys, &f->err));
	assert_message(f->err, NM_CONF_ERROR, NM_CONF_ERROR_RANGE,
		       "@:3: snmp.retries: -1 is out of range 0..10", inc);
	g_free(inc);
}

/* ---- nm_conf_error(), nm_conf_where(), nm_conf_path() ----------------- */

static void test_error_format(Fixture *f, gconstpointer d)
{
	const config_setting_t *root, *s;
	GError *err = NULL;
	char *str, *want;

	(void)d;
	root = fx_parse(f,
		"snmp = {\n"
		"  targets = (\n"
		"    { address = \"192.0.2.300\"; }\n"
		"  );\n"
		"  oids = [ \"a\", \"b\" ];\n"
		"};\n");
	s = config_lookup(&f->cfg, "snmp.targets.[0].address");
	g_assert_nonnull(s);
	g_assert_false(nm_conf_error(s, &err, "bad address '%s'",
				     config_setting_get_string(s)));
	assert_message(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
		       "@:3: snmp.targets.[0].address: bad address '192.0.2.300'",
		       f->path);
	g_clear_error(&err);
	g_assert_false(nm_conf_error(s, NULL, "ignored %d", 1));

	str = nm_conf_path(s);
	g_assert_cmpstr(str, ==, "snmp.targets.[0].address");
	g_free(str);
	str = nm_conf_path(config_lookup(&f->cfg, "snmp.oids.[1]"));
	g_assert_cmpstr(str, ==, "snmp.oids.[1]");
	g_free(str);
	str = nm_conf_path(root);
	g_assert_cmpstr(str, ==, "");
	g_free(str);

	str = nm_conf_where(config_lookup(&f->cfg, "snmp.oids"));
	want = g_strdup_printf("%s:5", f->path);
	g_assert_cmpstr(str, ==, want);
	g_free(want);
	g_free(str);
	/* Line 0 (the root) is left out. */
	str = nm_conf_where(root);
	g_assert_cmpstr(str, ==, f->path);
	g_free(str);

	/* The root group itself. */
	g_assert_false(nm_conf_error(root, &err, "nothing here"));
	assert_message(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
		       "@: nothing here", f->path);
	g_clear_error(&err);
}

/* Settings made in memory have no file and no line. */
static void test_error_no_file(Fixture *f, gconstpointer d)
{
	config_t cfg;
	config_setting_t *g, *s;
	GError *err = NULL;
	char *str;

	(void)f;
	(void)d;
	config_init(&cfg);
	g = config_setting_add(config_root_setting(&cfg), "a",
			       CONFIG_TYPE_GROUP);
	g_assert_nonnull(g);
	s = config_setting_add(g, "b", CONFIG_TYPE_INT);
	g_assert_nonnull(s);
	g_assert_true(config_setting_set_int(s, 7));
	str = nm_conf_where(s);
	g_assert_cmpstr(str, ==, "(config)");
	g_free(str);
	g_assert_false(nm_conf_error(s, &err, "odd"));
	g_assert_error(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID);
	g_assert_cmpstr(err->message, ==, "(config): a.b: odd");
	g_clear_error(&err);
	g_assert_false(nm_conf_check(g, rrd_keys, &err));
	g_assert_error(err, NM_CONF_ERROR, NM_CONF_ERROR_MISSING);
	g_assert_cmpstr(err->message, ==,
			"(config): a: missing required setting 'directory'\n"
			"(config): a: unknown setting 'b'");
	g_clear_error(&err);
	config_destroy(&cfg);
}

/* ---- typed lookups ------------------------------------------------------ */

static void test_lookups(Fixture *f, gconstpointer d)
{
	const config_setting_t *g;

	(void)d;
	(void)fx_parse(f,
		"p = {\n"
		"  i = 42;\n"
		"  l = 10000000000L;\n"
		"  x = 2.5;\n"
		"  b = true;\n"
		"  s = \"text\";\n"
		"  d1 = 5;\n"
		"  d2 = 0.25;\n"
		"  d3 = 2.0000004;\n"
		"  d4 = 2.0000006;\n"
		"  d5 = 0.1;\n"
		"  sub = { i = 1; };\n"
		"};\n");
	g = config_lookup(&f->cfg, "p");
	g_assert_nonnull(g);

	g_assert_cmpint(nm_conf_int(g, "i", -1), ==, 42);
	g_assert_cmpint(nm_conf_int(g, "l", -1), ==, G_GINT64_CONSTANT(10000000000));
	g_assert_cmpint(nm_conf_int(g, "absent", -1), ==, -1);
	g_assert_cmpint(nm_conf_int(g, "s", -1), ==, -1);
	g_assert_cmpint(nm_conf_int(NULL, "i", 7), ==, 7);

	g_assert_cmpfloat(nm_conf_float(g, "x", 0), ==, 2.5);
	g_assert_cmpfloat(nm_conf_float(g, "i", 0), ==, 42.0);
	g_assert_cmpfloat(nm_conf_float(g, "l", 0), ==, 1e10);
	g_assert_cmpfloat(nm_conf_float(g, "absent", 1.25), ==, 1.25);
	g_assert_cmpfloat(nm_conf_float(g, "b", 1.25), ==, 1.25);

	g_assert_true(nm_conf_bool(g, "b", FALSE));
	g_assert_false(nm_conf_bool(g, "absent", FALSE));
	g_assert_true(nm_conf_bool(g, "absent", TRUE));
	g_assert_true(nm_conf_bool(g, "i", TRUE));

	g_assert_cmpstr(nm_conf_string(g, "s", "def"), ==, "text");
	g_assert_cmpstr(nm_conf_string(g, "absent", "def"), ==, "def");
	g_assert_null(nm_conf_string(g, "absent", NULL));
	g_assert_cmpstr(nm_conf_string(g, "i", "def"), ==, "def");

	g_assert_cmpint(nm_conf_duration(g, "d1", -1), ==, 5 * G_USEC_PER_SEC);
	g_assert_cmpint(nm_conf_duration(g, "d2", -1), ==, 250000);
	g_assert_cmpint(nm_conf_duration(g, "d3", -1), ==, 2000000);
	g_assert_cmpint(nm_conf_duration(g, "d4", -1), ==, 2000001);
	g_assert_cmpint(nm_conf_duration(g, "d5", -1), ==, 100000);
	g_assert_cmpint(nm_conf_duration(g, "l", -1), ==,
			G_GINT64_CONSTANT(10000000000) * G_USEC_PER_SEC);
	g_assert_cmpint(nm_conf_duration(g, "absent", 123), ==, 123);
	g_assert_cmpint(nm_conf_duration(g, "s", 123), ==, 123);

	/* Members only, not paths; not of a non-group. */
	g_assert_cmpint(nm_conf_int(g, "sub.i", -1), ==, -1);
	g_assert_cmpint(nm_conf_int(config_lookup(&f->cfg, "p.i"), "i", -1),
			==, -1);
}

/* ---- nm_core_config_load() --------------------------------------------- */

static void test_load_syntax(Fixture *f, gconstpointer d)
{
	(void)d;
	load_expect(f,
		"netmond = {\n"
		"  workers = ;\n"
		"};\n",
		NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX,
		"@:2: syntax error");
}

static void test_load_syntax_text(Fixture *f, gconstpointer d)
{
	(void)d;
	load_expect(f,
		"netmond = {\n"
		"  workers = 2;\n"
		"  workers = 3;\n"
		"};\n",
		NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX,
		"@:3: syntax error: duplicate setting name");
}

static void test_load_syntax_include(Fixture *f, gconstpointer d)
{
	char *want;

	(void)d;
	fx_write(f, "bad.conf", "\n\nsnmp = { x = ; };\n");
	g_assert_null(fx_load(f, NULL, "@include \"bad.conf\"\n"));
	want = g_strdup_printf("%s/bad.conf:3: syntax error", f->dir);
	g_assert_error(f->err, NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX);
	g_assert_cmpstr(f->err->message, ==, want);
	g_free(want);
	g_clear_error(&f->err);
}

static void test_load_missing_include(Fixture *f, gconstpointer d)
{
	(void)d;
	load_expect(f,
		"netmond = { };\n"
		"@include \"nowhere.conf\"\n",
		NM_CONF_ERROR, NM_CONF_ERROR_SYNTAX,
		"@:2: syntax error: cannot open include file");
}

static void test_load_unreadable(Fixture *f, gconstpointer d)
{
	char *path, *want;

	(void)d;
	path = g_build_filename(f->dir, "nothere.conf", NULL);
	g_assert_null(nm_core_config_load(path, &f->err));
	want = g_strdup_printf("%s: cannot read: %s", path,
			       g_strerror(ENOENT));
	g_assert_error(f->err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_cmpstr(f->err->message, ==, want);
	g_free(want);
	want = g_strdup_printf("%s: cannot read: No such file or directory",
			       path);
	g_assert_cmpstr(f->err->message, ==, want);
	g_free(want);
	g_free(path);
	g_clear_error(&f->err);

	/* A folder. */
	g_assert_null(nm_core_config_load(f->dir, &f->err));
	want = g_strdup_printf("%s: cannot read: %s", f->dir,
			       g_strerror(EISDIR));
	g_assert_error(f->err, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
	g_assert_cmpstr(f->err->message, ==, want);
	g_free(want);
	g_clear_error(&f->err);

	/* No permission (root may read anything). */
	if (geteuid() != 0) {
		path = g_strdup(fx_write(f, "secret.conf", "netmond = { };\n"));
		g_assert_cmpint(g_chmod(path, 0), ==, 0);
		g_assert_null(nm_core_config_load(path, &f->err));
		want = g_strdup_printf("%s: cannot read: %s", path,
				       g_strerror(EACCES));
		g_assert_error(f->err, G_FILE_ERROR, G_FILE_ERROR_ACCES);
		g_assert_cmpstr(f->err->message, ==, want);
		g_free(want);
		g_free(path);
		g_clear_error(&f->err);
	}
}

static void test_load_not_group(Fixture *f, gconstpointer d)
{
	(void)d;
	load_expect(f,
		"netmond = { workers = 2; };\n"
		"interval = 5;\n"
		"snmp = { };\n"
		"hosts = ( \"a\" );\n",
		NM_CONF_ERROR, NM_CONF_ERROR_TYPE,
		"@:2: 'interval' must be a group: interval = { ... };\n"
		"@:4: 'hosts' must be a group: hosts = { ... };");
}

static void test_load_defaults(Fixture *f, gconstpointer d)
{
	nm_core_config *c;

	(void)d;
	c = fx_load(f, NULL, "# nothing but plugins\nping = { };\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpstr(c->file, ==, f->path);
	g_assert_cmpint(c->interval, ==, 60 * G_USEC_PER_SEC);
	g_assert_nonnull(c->plugin_dirs);
	g_assert_cmpstr(c->plugin_dirs[0], ==, NM_PLUGIN_DIR);
	g_assert_null(c->plugin_dirs[1]);
	g_assert_cmpstr(c->state_dir, ==, NM_STATE_DIR);
	g_assert_cmpstr(c->control_socket, ==, NM_STATE_DIR "/netmond.sock");
	g_assert_cmpstr(c->pid_file, ==, NM_STATE_DIR "/netmond.pid");
	g_assert_null(c->log_file);
	g_assert_cmpint(c->log_level, ==, NM_LOG_INFO);
	g_assert_cmpuint(c->workers, ==, 4);
	g_assert_cmpint(c->shutdown_timeout, ==, 10 * G_USEC_PER_SEC);
	g_assert_null(c->user);
	g_assert_null(c->group);
	g_assert_cmpstr(c->hostname, ==, g_get_host_name());
	g_assert_cmpuint(c->plugin_groups->len, ==, 1);
}

static void test_load_defaults_state_dir(Fixture *f, gconstpointer d)
{
	nm_core_config *c;

	(void)d;
	c = fx_load(f, NULL,
		    "netmond = {\n"
		    "  state_dir = \"/srv/netmon\";\n"
		    "  workers = 1;\n"
		    "};\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpstr(c->state_dir, ==, "/srv/netmon");
	g_assert_cmpstr(c->control_socket, ==, "/srv/netmon/netmond.sock");
	g_assert_cmpstr(c->pid_file, ==, "/srv/netmon/netmond.pid");
	g_assert_cmpuint(c->workers, ==, 1);
	g_assert_cmpint(c->interval, ==, 60 * G_USEC_PER_SEC);
	g_assert_cmpuint(c->plugin_groups->len, ==, 0);
}

static void test_load_values(Fixture *f, gconstpointer d)
{
	nm_core_config *c;

	(void)d;
	c = fx_load(f, NULL,
		    "netmond = {\n"
		    "  interval = 2.5;\n"
		    "  plugin_dir = \"/opt/netmon/plugins:/usr/lib/netmon/\";\n"
		    "  state_dir = \"/var/lib/nm\";\n"
		    "  control_socket = \"/run/netmond.sock\";\n"
		    "  pid_file = \"/run/netmond.pid\";\n"
		    "  log_file = \"/var/log/netmond.log\";\n"
		    "  log_level = \"debug\";\n"
		    "  workers = 256;\n"
		    "  shutdown_timeout = 0;\n"
		    "  user = \"netmon\";\n"
		    "  group = \"adm\";\n"
		    "  hostname = \"probe1\";\n"
		    "};\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpint(c->interval, ==, 2500000);
	g_assert_cmpstr(c->plugin_dirs[0], ==, "/opt/netmon/plugins");
	g_assert_cmpstr(c->plugin_dirs[1], ==, "/usr/lib/netmon");
	g_assert_null(c->plugin_dirs[2]);
	g_assert_cmpstr(c->state_dir, ==, "/var/lib/nm");
	g_assert_cmpstr(c->control_socket, ==, "/run/netmond.sock");
	g_assert_cmpstr(c->pid_file, ==, "/run/netmond.pid");
	g_assert_cmpstr(c->log_file, ==, "/var/log/netmond.log");
	g_assert_cmpint(c->log_level, ==, NM_LOG_DEBUG);
	g_assert_cmpuint(c->workers, ==, 256);
	g_assert_cmpint(c->shutdown_timeout, ==, 0);
	g_assert_cmpstr(c->user, ==, "netmon");
	g_assert_cmpstr(c->group, ==, "adm");
	g_assert_cmpstr(c->hostname, ==, "probe1");
}

static void test_load_netmond_errors(Fixture *f, gconstpointer d)
{
	(void)d;
	load_expect(f,
		"snmp = { whatever = 1; };\n"
		"netmond = {\n"
		"  interval = 0;\n"
		"  workers = 300;\n"
		"  log_level = \"verbose\";\n"
		"  worker = 3;\n"
		"  shutdown_timeout = \"10\";\n"
		"  state_dir = \"\";\n"
		"  user = 0;\n"
		"};\n"
		"rrd = 1;\n",
		NM_CONF_ERROR, NM_CONF_ERROR_RANGE,
		"@:3: netmond.interval: 0 is out of range 1..86400\n"
		"@:4: netmond.workers: 300 is out of range 1..256\n"
		"@:5: netmond.log_level: 'verbose' is not one of: "
		"error, warning, notice, info, debug\n"
		"@:6: netmond: unknown setting 'worker' (did you mean 'workers'?)\n"
		"@:7: netmond.shutdown_timeout: expected a duration in seconds, "
		"got a string\n"
		"@:8: netmond.state_dir: must not be empty\n"
		"@:9: netmond.user: expected a string, got an integer\n"
		"@:11: 'rrd' must be a group: rrd = { ... };");
}

/* Relative paths are taken relative to the config file's folder, also when
 * the config file itself is named by a relative path. */
static void test_load_relative(Fixture *f, gconstpointer d)
{
	nm_core_config *c;
	char *cwd, *want;
	const char *etc;

	(void)d;
	etc = fx_mkdir(f, "etc");
	c = fx_load(f, "etc",
		    "netmond = {\n"
		    "  plugin_dir = \"../plugins:extra/./more/\";\n"
		    "  state_dir = \"state\";\n"
		    "  log_file = \"../log/netmond.log\";\n"
		    "};\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	want = g_build_filename(f->dir, "plugins", NULL);
	g_assert_cmpstr(c->plugin_dirs[0], ==, want);
	g_free(want);
	want = g_build_filename(etc, "extra", "more", NULL);
	g_assert_cmpstr(c->plugin_dirs[1], ==, want);
	g_free(want);
	g_assert_null(c->plugin_dirs[2]);
	want = g_build_filename(etc, "state", NULL);
	g_assert_cmpstr(c->state_dir, ==, want);
	g_free(want);
	want = g_build_filename(etc, "state", "netmond.sock", NULL);
	g_assert_cmpstr(c->control_socket, ==, want);
	g_free(want);
	want = g_build_filename(f->dir, "log", "netmond.log", NULL);
	g_assert_cmpstr(c->log_file, ==, want);
	g_free(want);
	nm_core_config_free(c);
	f->core = NULL;

	/* The same file, named relative to the working folder. */
	cwd = g_get_current_dir();
	g_assert_cmpint(g_chdir(f->dir), ==, 0);
	c = nm_core_config_load("etc/netmond.conf", &f->err);
	g_assert_cmpint(g_chdir(cwd), ==, 0);
	g_free(cwd);
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpstr(c->file, ==, "etc/netmond.conf");
	want = g_build_filename(f->dir, "plugins", NULL);
	g_assert_cmpstr(c->plugin_dirs[0], ==, want);
	g_free(want);
	want = g_build_filename(etc, "state", NULL);
	g_assert_cmpstr(c->state_dir, ==, want);
	g_free(want);
	nm_core_config_free(c);
}

/* A relative config path is kept as given in messages. */
static void test_load_relative_message(Fixture *f, gconstpointer d)
{
	char *cwd;

	(void)d;
	fx_write(f, "netmond.conf", "netmond = {\n  workers = 0;\n};\n");
	cwd = g_get_current_dir();
	g_assert_cmpint(g_chdir(f->dir), ==, 0);
	g_assert_null(nm_core_config_load("netmond.conf", &f->err));
	g_assert_cmpint(g_chdir(cwd), ==, 0);
	g_free(cwd);
	g_assert_error(f->err, NM_CONF_ERROR, NM_CONF_ERROR_RANGE);
	g_assert_cmpstr(f->err->message, ==,
			"netmond.conf:2: netmond.workers: 0 is out of range 1..256");
}

static void test_load_plugin_dir_list(Fixture *f, gconstpointer d)
{
	nm_core_config *c;
	char *want;

	(void)d;
	c = fx_load(f, NULL,
		    "netmond = {\n"
		    "  plugin_dir = ( \"/a\", \"b\", \"\" );\n"
		    "};\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpstr(c->plugin_dirs[0], ==, "/a");
	want = g_build_filename(f->dir, "b", NULL);
	g_assert_cmpstr(c->plugin_dirs[1], ==, want);
	g_free(want);
	g_assert_null(c->plugin_dirs[2]);
	nm_core_config_free(c);
	f->core = NULL;

	c = fx_load(f, NULL,
		    "netmond = {\n"
		    "  plugin_dir = [ \"/c\" ];\n"
		    "};\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpstr(c->plugin_dirs[0], ==, "/c");
	g_assert_null(c->plugin_dirs[1]);
}

static void test_load_plugin_dir_errors(Fixture *f, gconstpointer d)
{
	(void)d;
	fx_mkdir(f, "a");
	fx_mkdir(f, "b");
	fx_mkdir(f, "c");
	g_assert_null(fx_load(f, "a",
			      "netmond = {\n"
			      "  plugin_dir = ( \"/a\", 5, { } );\n"
			      "};\n"));
	assert_message(f->err, NM_CONF_ERROR, NM_CONF_ERROR_TYPE,
		       "@:2: netmond.plugin_dir.[1]: expected a string, got an integer\n"
		       "@:2: netmond.plugin_dir.[2]: expected a string, got a group { }",
		       f->path);
	g_clear_error(&f->err);

	g_assert_null(fx_load(f, "b",
			      "netmond = {\n"
			      "  plugin_dir = 5;\n"
			      "};\n"));
	assert_message(f->err, NM_CONF_ERROR, NM_CONF_ERROR_TYPE,
		       "@:2: netmond.plugin_dir: expected a string or a list "
		       "of strings, got an integer",
		       f->path);
	g_clear_error(&f->err);

	g_assert_null(fx_load(f, "c",
			      "netmond = {\n"
			      "  plugin_dir = \"::\";\n"
			      "};\n"));
	assert_message(f->err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
		       "@:2: netmond.plugin_dir: must name at least one folder",
		       f->path);
	g_clear_error(&f->err);

	g_assert_null(fx_load(f, NULL,
			      "netmond = {\n"
			      "  plugin_dir = ( );\n"
			      "};\n"));
	assert_message(f->err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
		       "@:2: netmond.plugin_dir: must name at least one folder",
		       f->path);
}

static void test_load_plugin_groups(Fixture *f, gconstpointer d)
{
	nm_core_config *c;
	static const char *const want[] = { "snmp", "rrd", "ping", "http" };
	guint i;

	(void)d;
	c = fx_load(f, NULL,
		    "snmp = { targets = ( ); };\n"
		    "rrd = { };\n"
		    "netmond = { workers = 2; };\n"
		    "ping = { hosts = [ \"a\" ]; };\n"
		    "http = { };\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpuint(c->plugin_groups->len, ==, G_N_ELEMENTS(want));
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		const config_setting_t *g =
			g_ptr_array_index(c->plugin_groups, i);

		g_assert_true(config_setting_is_group(g));
		g_assert_cmpstr(config_setting_name(g), ==, want[i]);
	}
	g_assert_cmpuint(c->workers, ==, 2);
}

/* @include is relative to the config file's folder, not the working one. */
static void test_load_include(Fixture *f, gconstpointer d)
{
	nm_core_config *c;

	(void)d;
	fx_mkdir(f, "etc");
	fx_mkdir(f, "etc/conf.d");
	fx_write(f, "etc/conf.d/ping.conf", "ping = { };\n");
	c = fx_load(f, "etc",
		    "netmond = { workers = 3; };\n"
		    "@include \"conf.d/ping.conf\"\n");
	g_assert_no_error(f->err);
	g_assert_nonnull(c);
	g_assert_cmpuint(c->plugin_groups->len, ==, 1);
	g_assert_cmpstr(config_setting_name((const config_setting_t *)
		g_ptr_array_index(c->plugin_groups, 0)), ==, "ping");
}

static void test_keys_table(Fixture *f, gconstpointer d)
{
	const nm_conf_key *k, *j;
	guint n = 0;

	(void)f;
	(void)d;
	for (k = nm_core_config_keys; k->name != NULL; k++, n++) {
		g_assert_nonnull(k->help);
		g_assert_false(k->required);
		for (j = k + 1; j->name != NULL; j++)
			g_assert_cmpstr(j->name, !=, k->name);
	}
	g_assert_cmpuint(n, ==, 15); /* ... shard, log, allow_root */
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
#define T(path, fn) \
	g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
	T("/conf/check/unknown", test_unknown);
	T("/conf/check/unknown-suggestion", test_unknown_suggestion);
	T("/conf/check/type/int", test_type_int);
	T("/conf/check/type/float", test_type_float);
	T("/conf/check/type/bool", test_type_bool);
	T("/conf/check/type/string", test_type_string);
	T("/conf/check/type/duration", test_type_duration);
	T("/conf/check/type/group", test_type_group);
	T("/conf/check/type/list", test_type_list);
	T("/conf/check/type/array", test_type_array);
	T("/conf/check/type/accepted", test_type_accepted);
	T("/conf/check/range/int", test_range_int);
	T("/conf/check/range/float", test_range_float);
	T("/conf/check/range/duration", test_range_duration);
	T("/conf/check/range/bounds", test_range_bounds);
	T("/conf/check/choices", test_choices);
	T("/conf/check/element-count", test_element_count);
	T("/conf/check/nested-group", test_nested_group);
	T("/conf/check/nested-missing", test_nested_missing);
	T("/conf/check/list-of-groups", test_list_of_groups);
	T("/conf/check/missing", test_missing);
	T("/conf/check/many", test_many);
	T("/conf/check/many-first-code", test_many_first_code);
	T("/conf/check/valid", test_valid);
	T("/conf/check/include-location", test_include_location);
	T("/conf/error/format", test_error_format);
	T("/conf/error/no-file", test_error_no_file);
	T("/conf/lookup/typed", test_lookups);
	T("/conf/load/syntax", test_load_syntax);
	T("/conf/load/syntax-text", test_load_syntax_text);
	T("/conf/load/syntax-include", test_load_syntax_include);
	T("/conf/load/missing-include", test_load_missing_include);
	T("/conf/load/unreadable", test_load_unreadable);
	T("/conf/load/not-group", test_load_not_group);
	T("/conf/load/defaults", test_load_defaults);
	T("/conf/load/defaults-state-dir", test_load_defaults_state_dir);
	T("/conf/load/values", test_load_values);
	T("/conf/load/netmond-errors", test_load_netmond_errors);
	T("/conf/load/relative", test_load_relative);
	T("/conf/load/relative-message", test_load_relative_message);
	T("/conf/load/plugin-dir-list", test_load_plugin_dir_list);
	T("/conf/load/plugin-dir-errors", test_load_plugin_dir_errors);
	T("/conf/load/plugin-groups", test_load_plugin_groups);
	T("/conf/load/include", test_load_include);
	T("/conf/keys", test_keys_table);
#undef T
	return g_test_run();
}
