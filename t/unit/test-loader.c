/* Unit tests of the plugin loader: every way a plugin can fail to load.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "daemon.h"

typedef struct {
	char *dir;        /* temp dir: config and state */
	char *conf;
	char *plugdir;    /* the test plugins in the build tree */
	nm_core *core;
} fixture;

static void write_conf(fixture *f, const char *body)
{
	GError *err = NULL;
	char *text = g_strdup_printf(
		"netmond = { state_dir = \"%s\"; plugin_dir = \"%s\"; };\n%s",
		f->dir, f->plugdir, body);

	g_assert_true(g_file_set_contents(f->conf, text, -1, &err));
	g_free(text);
}

static void setup(fixture *f, gconstpointer data)
{
	GError *err = NULL;
	nm_core_config *c;

	(void)data;
	f->dir = g_dir_make_tmp("nm-loader-XXXXXX", &err);
	g_assert_no_error(err);
	f->conf = g_build_filename(f->dir, "netmond.conf", NULL);
	f->plugdir = g_test_build_filename(G_TEST_BUILT, "plugins", NULL);
	write_conf(f, "");
	c = nm_core_config_load(f->conf, &err);
	g_assert_no_error(err);
	f->core = nm_core_new(c);
}

static void teardown(fixture *f, gconstpointer data)
{
	(void)data;
	nm_core_free(f->core);
	g_unlink(f->conf);
	g_rmdir(f->dir);
	g_free(f->conf);
	g_free(f->dir);
	g_free(f->plugdir);
}

static char *open_error(fixture *f, const char *name)
{
	GError *err = NULL;
	char *dirs[] = { f->plugdir, NULL };
	nm_plugin *p = nm_loader_open(f->core, name, dirs, &err);
	char *msg;

	g_assert_null(p);
	g_assert_nonnull(err);
	msg = g_strdup(err->message);
	g_error_free(err);
	return msg;
}

static void test_missing_file(fixture *f, gconstpointer data)
{
	char *msg = open_error(f, "nope");
	char *want = g_strdup_printf("unknown plugin 'nope': no nope.la or nope.so "
				     "in %s (see netmond.plugin_dir)", f->plugdir);

	(void)data;
	g_assert_cmpstr(msg, ==, want);
	g_free(msg);
	g_free(want);
}

static void test_bad_name(fixture *f, gconstpointer data)
{
	char *msg = open_error(f, "../etc/passwd");

	(void)data;
	g_assert_cmpstr(msg, ==, "'../etc/passwd' is not a plugin name "
				 "(lower-case letters, digits, _)");
	g_free(msg);
}

static void test_wrong_abi(fixture *f, gconstpointer data)
{
	char *msg = open_error(f, "badabi");
	char *want = g_strdup_printf("%s/badabi.la was built for plugin ABI "
				     "version 999, this netmond has version %d: "
				     "rebuild the plugin against this netmon's "
				     "headers", f->plugdir, NM_PLUGIN_ABI_VERSION);

	(void)data;
	g_assert_cmpstr(msg, ==, want);
	g_free(msg);
	g_free(want);
}

static void test_no_symbol(fixture *f, gconstpointer data)
{
	char *msg = open_error(f, "nosym");
	char *want = g_strdup_printf("%s/nosym.la is not a netmon plugin: it has "
				     "no symbol nm_plugin_descriptor (declare it "
				     "with NM_PLUGIN_DEFINE)", f->plugdir);

	(void)data;
	g_assert_cmpstr(msg, ==, want);
	g_free(msg);
	g_free(want);
}

static void test_unloadable_file(fixture *f, gconstpointer data)
{
	char *junk = g_build_filename(f->dir, "junk.so", NULL);
	char *dirs[] = { f->dir, NULL };
	GError *err = NULL;

	(void)data;
	g_assert_true(g_file_set_contents(junk, "not an ELF file", -1, NULL));
	g_assert_null(nm_loader_open(f->core, "junk", dirs, &err));
	g_assert_nonnull(err);
	g_assert_true(g_str_has_prefix(err->message, "cannot load plugin "));
	g_assert_nonnull(strstr(err->message, "junk.so"));
	g_error_free(err);
	g_unlink(junk);
	g_free(junk);
}

static void test_loads_and_checks_config(fixture *f, gconstpointer data)
{
	GError *err = NULL;
	nm_core_config *c;
	char *want;

	(void)data;
	write_conf(f, "producer = { count = \"many\"; };\n");
	c = nm_core_config_load(f->conf, &err);
	g_assert_no_error(err);
	nm_core_free(f->core);
	f->core = nm_core_new(c);
	g_assert_false(nm_core_load(f->core, &err));
	want = g_strdup_printf("%s:2: producer.count: expected an integer, got a string",
			       f->conf);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	g_free(want);
}

static void test_unknown_plugin_in_config(fixture *f, gconstpointer data)
{
	GError *err = NULL;
	nm_core_config *c;
	char *want;

	(void)data;
	write_conf(f, "producer = { count = 1; };\nsnmpx = { };\nnosym = { };\n");
	c = nm_core_config_load(f->conf, &err);
	g_assert_no_error(err);
	nm_core_free(f->core);
	f->core = nm_core_new(c);
	g_assert_false(nm_core_load(f->core, &err));
	/* Both problems, each with file:line. */
	want = g_strdup_printf(
		"%s:3: unknown plugin 'snmpx': no snmpx.la or snmpx.so in %s "
		"(see netmond.plugin_dir)\n"
		"%s:4: %s/nosym.la is not a netmon plugin: it has no symbol "
		"nm_plugin_descriptor (declare it with NM_PLUGIN_DEFINE)",
		f->conf, f->plugdir, f->conf, f->plugdir);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	g_free(want);
}

static void test_init_failure_cleans_up(fixture *f, gconstpointer data)
{
	GError *err = NULL;
	nm_core_config *c;

	(void)data;
	write_conf(f, "failinit = { };\n");
	c = nm_core_config_load(f->conf, &err);
	g_assert_no_error(err);
	nm_core_free(f->core);
	f->core = nm_core_new(c);
	g_assert_true(nm_core_load(f->core, &err));
	g_assert_false(nm_core_start(f->core, FALSE, &err));
	g_assert_cmpstr(err->message, ==,
			"plugin failinit failed to start: refusing to start, as configured");
	g_clear_error(&err);
	/* The timer its init registered is gone with it. */
	nm_plugin *p = nm_core_find_plugin(f->core, "failinit");
	g_assert_nonnull(p);
	g_assert_cmpuint(p->timers->len, ==, 0);
	g_assert_false(p->running);
}

static void test_name_mismatch(fixture *f, gconstpointer data)
{
	char *src = g_build_filename(f->plugdir, ".libs", "producer.so", NULL);
	char *dst = g_build_filename(f->dir, "other.so", NULL);
	char *dirs[] = { f->dir, NULL };
	char *bytes = NULL;
	gsize len = 0;
	GError *err = NULL;
	char *want;

	(void)data;
	g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
	g_assert_true(g_file_set_contents(dst, bytes, (gssize)len, NULL));
	g_assert_null(nm_loader_open(f->core, "other", dirs, &err));
	want = g_strdup_printf("%s calls itself 'producer', expected 'other'", dst);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	g_unlink(dst);
	g_free(want);
	g_free(bytes);
	g_free(src);
	g_free(dst);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, fixture, NULL, setup, fn, teardown)
	ADD("/loader/missing-file", test_missing_file);
	ADD("/loader/bad-name", test_bad_name);
	ADD("/loader/wrong-abi", test_wrong_abi);
	ADD("/loader/no-symbol", test_no_symbol);
	ADD("/loader/unloadable-file", test_unloadable_file);
	ADD("/loader/name-mismatch", test_name_mismatch);
	ADD("/loader/config-checked-by-plugin-table", test_loads_and_checks_config);
	ADD("/loader/unknown-plugin-in-config", test_unknown_plugin_in_config);
	ADD("/loader/init-failure-cleans-up", test_init_failure_cleans_up);
	return g_test_run();
}
