/* Unit tests of netmond.shard: parsing and rendezvous ownership of targets.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "daemon.h"

static void test_parse(void)
{
	guint i = 99, n = 99;

	g_assert_true(nm_shard_parse("0/1", &i, &n));
	g_assert_cmpuint(i, ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_true(nm_shard_parse("3/4", &i, &n));
	g_assert_cmpuint(i, ==, 3);
	g_assert_cmpuint(n, ==, 4);
	g_assert_true(nm_shard_parse("1023/1024", &i, &n));
	g_assert_false(nm_shard_parse("4/4", &i, &n));
	g_assert_false(nm_shard_parse("0/0", &i, &n));
	g_assert_false(nm_shard_parse("0/1025", &i, &n));
	g_assert_false(nm_shard_parse("-1/2", &i, &n));
	g_assert_false(nm_shard_parse("1/2x", &i, &n));
	g_assert_false(nm_shard_parse("1", &i, &n));
	g_assert_false(nm_shard_parse("", &i, &n));
	g_assert_false(nm_shard_parse("/2", &i, &n));
}

/* A core whose config says shard I/N (N = 0: no shard setting). */
static nm_core *core_with_shard(const char *dir, guint index, guint count)
{
	char *conf = g_build_filename(dir, "netmond.conf", NULL);
	char *text = count == 0
		? g_strdup_printf("netmond = { state_dir = \"%s\"; };\n", dir)
		: g_strdup_printf("netmond = { state_dir = \"%s\"; shard = \"%u/%u\"; };\n",
				  dir, index, count);
	GError *err = NULL;
	nm_core_config *c;

	g_assert_true(g_file_set_contents(conf, text, -1, &err));
	c = nm_core_config_load(conf, &err);
	g_assert_no_error(err);
	g_unlink(conf);
	g_free(conf);
	g_free(text);
	return nm_core_new(c);
}

static void test_config_error(void)
{
	char *dir = g_dir_make_tmp("nm-shard-XXXXXX", NULL);
	char *conf = g_build_filename(dir, "netmond.conf", NULL);
	GError *err = NULL;
	char *want;

	g_assert_true(g_file_set_contents(conf, "netmond = {\n  shard = \"2/2\";\n};\n", -1, NULL));
	g_assert_null(nm_core_config_load(conf, &err));
	want = g_strdup_printf("%s:2: netmond.shard: '2/2' is not a shard: write "
			       "\"I/N\", 0 <= I < N <= 1024", conf);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	g_unlink(conf);
	g_rmdir(dir);
	g_free(want);
	g_free(conf);
	g_free(dir);
}

#define TARGETS 2000

/* owner[t] = the shard of N that owns target t; checks exactly one does. */
static void owners(const char *dir, guint count, guint *owner)
{
	for (guint t = 0; t < TARGETS; t++)
		owner[t] = G_MAXUINT;
	for (guint i = 0; i < count; i++) {
		nm_core *core = core_with_shard(dir, i, count);
		for (guint t = 0; t < TARGETS; t++) {
			char name[32];
			g_snprintf(name, sizeof name, "router%u", t);
			if (nm_plugin_owns_target(core->self, name)) {
				g_assert_cmpuint(owner[t], ==, G_MAXUINT);
				owner[t] = i;
			}
		}
		nm_core_free(core);
	}
	for (guint t = 0; t < TARGETS; t++)
		g_assert_cmpuint(owner[t], <, count);
}

static void test_ownership(void)
{
	char *dir = g_dir_make_tmp("nm-shard-XXXXXX", NULL);
	static guint o3[TARGETS], o4[TARGETS];
	guint per[4] = { 0 };
	guint moved = 0;
	nm_core *all = core_with_shard(dir, 0, 0);

	/* No shard setting: every target is ours. */
	g_assert_true(nm_plugin_owns_target(all->self, "router1"));
	g_assert_true(nm_plugin_owns_target(all->self, "anything"));
	nm_core_free(all);

	owners(dir, 3, o3);
	owners(dir, 4, o4);
	for (guint t = 0; t < TARGETS; t++)
		per[o4[t]]++;
	/* About a quarter each. */
	for (guint i = 0; i < 4; i++) {
		g_assert_cmpuint(per[i], >, TARGETS / 4 - TARGETS / 16);
		g_assert_cmpuint(per[i], <, TARGETS / 4 + TARGETS / 16);
	}
	/* From 3 to 4 pollers only the new one's share moves (~1/4), and
	 * every moved target goes to the new poller. */
	for (guint t = 0; t < TARGETS; t++) {
		if (o3[t] != o4[t]) {
			moved++;
			g_assert_cmpuint(o4[t], ==, 3);
		}
	}
	g_assert_cmpuint(moved, ==, per[3]);
	g_assert_cmpuint(moved, <, TARGETS / 4 + TARGETS / 16);
	g_rmdir(dir);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/shard/parse", test_parse);
	g_test_add_func("/shard/config-error", test_config_error);
	g_test_add_func("/shard/ownership", test_ownership);
	return g_test_run();
}
