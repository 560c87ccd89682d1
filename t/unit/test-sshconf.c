/* Unit tests of the sshconf plugin's pure parts: profile parsing and its
 * errors, the shipped profiles on sample configurations, normalising,
 * shell clean-up, drop/mask filtering, unified diff, and the git store.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "store.h"
#include "text.h"

static sshconf_profile *parse(const char *text, GError **err)
{
	return sshconf_profile_parse(text, strlen(text), "t", "t.profile", err);
}

static void test_profile_parse(void)
{
	GError *err = NULL;
	sshconf_profile *p = parse(
		"# comment\n[profile]\ndescription=Test box\nmode=shell\n"
		"prompt=^\\w+[>#]$\nmore=--More--\nenable=enable\ntimeout=2.5\n"
		"[setup]\na=terminal length 0\n"
		"[commands]\nz=show run\na=show version\n"
		"[drop]\nstamp=^! Time: \\d+\n"
		"[mask]\nsecret=secret (\\S+)\n", &err);

	g_assert_no_error(err);
	g_assert_nonnull(p);
	g_assert_cmpstr(p->name, ==, "t");
	g_assert_cmpstr(p->description, ==, "Test box");
	g_assert_true(p->shell);
	g_assert_cmpint(p->command_timeout, ==, 2500000);
	g_assert_cmpstr(p->enable, ==, "enable");
	g_assert_nonnull(p->enable_prompt);   /* default Password: */
	g_assert_cmpuint(p->setup->len, ==, 1);
	g_assert_cmpuint(p->commands->len, ==, 2);
	/* file order, not key order */
	g_assert_cmpstr(g_ptr_array_index(p->commands, 0), ==, "show run");
	g_assert_cmpstr(g_ptr_array_index(p->commands, 1), ==, "show version");
	g_assert_cmpuint(p->drop->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(p->drop_names, 0), ==, "stamp");
	/* "\d" reached the regex raw, not as a key-file escape */
	g_assert_true(g_regex_match(g_ptr_array_index(p->drop, 0),
				    "! Time: 12", 0, NULL));
	g_assert_true(g_regex_match(p->prompt, "router1#", 0, NULL));
	g_assert_false(g_regex_match(p->prompt, "banner motd #", 0, NULL));
	sshconf_profile_free(p);

	p = parse("[profile]\n[commands]\nc=cat /etc/hosts\n", &err);
	g_assert_no_error(err);
	g_assert_false(p->shell);    /* exec is the default mode */
	sshconf_profile_free(p);
}

static void test_profile_errors(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "[commands]\nc=x\n", "t.profile: missing group [profile]" },
		{ "[profile]\nmode=telnet\n[commands]\nc=x\n",
		  "t.profile: [profile] mode: 'telnet' is not exec or shell" },
		{ "[profile]\nmode=shell\n[commands]\nc=x\n",
		  "t.profile: [profile] prompt: required with mode=shell" },
		{ "[profile]\n", "t.profile: [commands] needs at least one command" },
		{ "[profile]\n[commands]\nc=x\n[drop]\nbad=a(b\n",
		  "t.profile: [drop] bad: bad regular expression: " },
		{ "[profile]\ncolour=red\n[commands]\nc=x\n",
		  "t.profile: [profile] unknown key 'colour'" },
		{ "[profile]\n[command]\nc=x\n", "t.profile: unknown group [command]" },
		{ "[profile]\ntimeout=0\n[commands]\nc=x\n",
		  "t.profile: [profile] timeout: '0' is not a number of seconds in 0..3600" },
		{ "not a key file", "t.profile: " },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *err = NULL;
		sshconf_profile *p = parse(cases[i].text, &err);
		g_assert_null(p);
		g_assert_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE);
		if (!g_str_has_prefix(err->message, cases[i].msg))
			g_error("case %u: got '%s', want '%s...'", i,
				err->message, cases[i].msg);
		g_error_free(err);
	}
}

static void test_profile_find(void)
{
	char *dir = g_dir_make_tmp("sshconf-XXXXXX", NULL);
	char *admin = g_build_filename(dir, "admin", NULL);
	char *path = g_build_filename(admin, "cisco-ios.profile", NULL);
	char *shipped = g_build_filename(g_getenv("top_srcdir") ? g_getenv("top_srcdir")
					 : SRCDIR, "etc", "profiles", NULL);
	const char *dirs[] = { admin, shipped, NULL };
	GError *err = NULL;
	sshconf_profile *p;

	g_assert_cmpint(g_mkdir(admin, 0700), ==, 0);
	/* The shipped profile, then the admin's copy overriding it. */
	p = sshconf_profile_find(dirs, "cisco-ios", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(p->description, ==, "Cisco IOS and IOS-XE");
	sshconf_profile_free(p);
	g_assert_true(g_file_set_contents(path, "[profile]\ndescription=mine\n"
					  "[commands]\nc=show run\n", -1, NULL));
	p = sshconf_profile_find(dirs, "cisco-ios", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(p->description, ==, "mine");
	g_assert_cmpstr(p->path, ==, path);
	sshconf_profile_free(p);

	p = sshconf_profile_find(dirs, "nosuch", &err);
	g_assert_null(p);
	g_assert_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE);
	g_assert_true(strstr(err->message, "no profile nosuch.profile in ") != NULL);
	g_assert_true(strstr(err->message, admin) != NULL);
	g_clear_error(&err);
	p = sshconf_profile_find(dirs, "../etc/passwd", &err);
	g_assert_null(p);
	g_assert_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE);
	g_clear_error(&err);

	g_assert_cmpint(g_remove(path), ==, 0);
	g_assert_cmpint(g_rmdir(admin), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	g_free(shipped);
	g_free(path);
	g_free(admin);
	g_free(dir);
}

static char *srcpath(const char *a, const char *b, const char *c)
{
	const char *top = g_getenv("top_srcdir");
	return g_build_filename(top != NULL ? top : SRCDIR, a, b, c, NULL);
}

/* Every shipped profile loads; the ones with samples turn the sample into
 * the expected text (timestamps dropped, every secret masked). */
static void test_shipped_profiles(void)
{
	static const char *const names[] = { "cisco-ios", "cisco-nxos", "junos",
		"arista-eos", "routeros", "linux", "openwrt", NULL };
	static const char *const samples[] = { "cisco-ios", "junos", "routeros",
		NULL };
	char *dir = srcpath("etc", "profiles", NULL);
	const char *dirs[] = { dir, NULL };

	for (guint i = 0; names[i] != NULL; i++) {
		GError *err = NULL;
		sshconf_profile *p = sshconf_profile_find(dirs, names[i], &err);
		g_assert_no_error(err);
		g_assert_nonnull(p->description);
		g_assert_cmpuint(p->commands->len, >, 0);
		g_assert_cmpuint(p->mask->len, >, 0);
		sshconf_profile_free(p);
	}
	for (guint i = 0; samples[i] != NULL; i++) {
		GError *err = NULL;
		sshconf_profile *p = sshconf_profile_find(dirs, samples[i], &err);
		char *in_name = g_strconcat(samples[i], ".in", NULL);
		char *out_name = g_strconcat(samples[i], ".out", NULL);
		char *in_path = srcpath("t", "data", "sshconf");
		char *fin = g_build_filename(in_path, in_name, NULL);
		char *fout = g_build_filename(in_path, out_name, NULL);
		char *in = NULL, *want = NULL, *norm, *got;
		gsize len = 0;

		g_assert_no_error(err);
		g_assert_true(g_file_get_contents(fin, &in, &len, NULL));
		g_assert_true(g_file_get_contents(fout, &want, NULL, NULL));
		norm = sshconf_normalize(in, len);
		got = sshconf_filter(p, norm, NULL, NULL);
		if (strcmp(got, want) != 0) {
			char *d = sshconf_diff(want, got, samples[i], NULL, NULL);
			g_error("%s: filtered sample differs from %s:\n%s",
				samples[i], fout, d);
		}
		g_free(got);
		g_free(norm);
		g_free(in);
		g_free(want);
		g_free(fin);
		g_free(fout);
		g_free(in_path);
		g_free(in_name);
		g_free(out_name);
		sshconf_profile_free(p);
	}
	g_free(dir);
}

static void test_normalize(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "", "" },
		{ "a", "a\n" },
		{ "a\r\nb\r\n", "a\nb\n" },
		{ "a\r\r\nb", "a\nb\n" },
		{ "a  \t\nb \n", "a\nb\n" },
		{ "x\b\by", "y\n" },
		{ "--More--\r        \r c", " c\n" },
		{ "abc\b\b\b   \b\b\bdef\n", "def\n" },
		{ "\x1b[1;32mgreen\x1b[0m\n", "green\n" },
		{ "bell\a and nul\n", "bell and nul\n" },
		{ "tab\there\n", "tab\there\n" },
		{ "end\r", "end\n" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = sshconf_normalize(cases[i].in, strlen(cases[i].in));
		if (strcmp(got, cases[i].out) != 0)
			g_error("case %u: got '%s', want '%s'", i, got, cases[i].out);
		g_free(got);
	}
	/* Embedded NUL bytes are dropped, not a truncation. */
	{
		char *got = sshconf_normalize("a\0b\n", 4);
		g_assert_cmpstr(got, ==, "ab\n");
		g_free(got);
	}
}

static void test_strip_shell(void)
{
	GRegex *prompt = g_regex_new("^[\\w.-]+[>#]$", 0, 0, NULL);
	char *s;

	s = sshconf_strip_shell("r1#show run\nline 1\nline 2\nr1#\n", "show run",
				prompt);
	g_assert_cmpstr(s, ==, "line 1\nline 2\n");
	g_free(s);
	s = sshconf_strip_shell("show run\nline 1\nr1#", "show run", prompt);
	g_assert_cmpstr(s, ==, "line 1\n");
	g_free(s);
	/* No echo, no prompt: untouched. */
	s = sshconf_strip_shell("line 1\nline 2\n", "show run", prompt);
	g_assert_cmpstr(s, ==, "line 1\nline 2\n");
	g_free(s);
	g_regex_unref(prompt);
}

static void test_filter(void)
{
	GError *err = NULL;
	sshconf_profile *p = parse(
		"[profile]\n[commands]\nc=x\n"
		"[drop]\nstamp=^! Last change at\nuptime=uptime is \\d+\n"
		"[mask]\ngroups=^snmp community (\\S+) (?:ro|rw) (\\S+)$\n"
		"whole=\\$9\\$\\S+\n"
		"opt=^user \\S+ password (\\S+)(?: key (\\S+))?\n", &err);
	guint dropped = 0, masked = 0;
	char *got;

	g_assert_no_error(err);
	got = sshconf_filter(p,
		"hostname r1\n"
		"! Last change at 10:00\n"
		"snmp community public ro acl1\n"
		"secret $9$abc and $9$def\n"
		"user a password x\n"
		"user b password y key z\n"
		"system uptime is 1234 seconds\n"
		"end\n", &dropped, &masked);
	g_assert_cmpstr(got, ==,
		"hostname r1\n"
		"snmp community " SSHCONF_MASK " ro " SSHCONF_MASK "\n"
		"secret " SSHCONF_MASK " and " SSHCONF_MASK "\n"
		"user a password " SSHCONF_MASK "\n"
		"user b password " SSHCONF_MASK " key " SSHCONF_MASK "\n"
		"end\n");
	g_assert_cmpuint(dropped, ==, 2);
	g_assert_cmpuint(masked, ==, 7);
	g_free(got);

	/* A timestamp-only or secret-only change filters to the same text. */
	{
		char *a = sshconf_filter(p, "x\n! Last change at 1\nuser a password old\n",
					 NULL, NULL);
		char *b = sshconf_filter(p, "x\n! Last change at 2\nuser a password new\n",
					 NULL, NULL);
		g_assert_cmpstr(a, ==, b);
		g_free(a);
		g_free(b);
	}
	got = sshconf_filter(p, "", NULL, NULL);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
	sshconf_profile_free(p);
}

static void test_diff(void)
{
	GError *err = NULL;
	guint n = 0;
	char *d;

	d = sshconf_diff("a\nb\n", "a\nb\n", "r1", &n, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(d, ==, "");
	g_assert_cmpuint(n, ==, 0);
	g_free(d);

	d = sshconf_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n",
			 "r1", &n, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(d, ==,
		"--- a/r1\n+++ b/r1\n"
		"@@ -2,8 +2,9 @@\n"
		" 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n+10\n");
	g_assert_cmpuint(n, ==, 3);
	g_free(d);

	d = sshconf_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			 "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n",
			 "r1", &n, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(d, ==,
		"--- a/r1\n+++ b/r1\n"
		"@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n"
		"@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+twelve\n");
	g_free(d);

	d = sshconf_diff(NULL, "x\ny\n", "r1", &n, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(d, ==, "--- /dev/null\n+++ b/r1\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	g_assert_cmpuint(n, ==, 2);
	g_free(d);

	/* No function-context text after "@@"; ",1" left out as GNU diff does. */
	d = sshconf_diff("int f()\n{\n1\n2\n3\n4\n}\n", "int f()\n{\n1\n2\n3\nfour\n}\n",
			 "r1", NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(d, ==, "--- a/r1\n+++ b/r1\n@@ -3,5 +3,5 @@\n"
			" 1\n 2\n 3\n-4\n+four\n }\n");
	g_free(d);
	d = sshconf_diff("a\n", "b\n", "r1", NULL, &err);
	g_assert_cmpstr(d, ==, "--- a/r1\n+++ b/r1\n@@ -1 +1 @@\n-a\n+b\n");
	g_free(d);

	d = sshconf_diff("x\n", "x", "r1", NULL, &err);
	g_assert_no_error(err);
	g_assert_true(strstr(d, "\\ No newline at end of file\n") != NULL);
	g_free(d);
}

static void test_names_hash(void)
{
	char *h = sshconf_hash("abc");

	g_assert_cmpstr(h, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	g_free(h);
	g_assert_true(sshconf_name_ok("core-1.example_net"));
	g_assert_false(sshconf_name_ok(""));
	g_assert_false(sshconf_name_ok(".git"));
	g_assert_false(sshconf_name_ok("a/b"));
	g_assert_false(sshconf_name_ok("a b"));
	g_assert_false(sshconf_name_ok(NULL));
}

static void rm_rf(const char *path)
{
	char *argv[] = { (char *)"rm", (char *)"-rf", (char *)path, NULL };
	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH,
				   NULL, NULL, NULL, NULL, NULL, NULL));
}

static void test_store(void)
{
	char *dir = g_dir_make_tmp("sshconf-XXXXXX", NULL);
	char *repo = g_build_filename(dir, "sub", "configs.git", NULL);
	GError *err = NULL;
	gboolean committed = FALSE;
	char *hex = NULL, *t;
	sshconf_store *s = sshconf_store_open(repo, &err);

	g_assert_no_error(err);
	g_assert_nonnull(s);
	t = sshconf_store_read(s, "r1", 0, &err);
	g_assert_no_error(err);
	g_assert_null(t);
	g_assert_cmpint(sshconf_store_count(s, "r1", &err), ==, 0);

	g_assert_true(sshconf_store_commit(s, "r1", "v1\n", "r1: first\n", "h",
					   1767600000LL * G_USEC_PER_SEC,
					   &committed, &hex, &err));
	g_assert_no_error(err);
	g_assert_true(committed);
	g_assert_cmpuint(strlen(hex), ==, 40);
	g_free(hex);
	/* the same text again: no commit */
	g_assert_true(sshconf_store_commit(s, "r1", "v1\n", "r1: again\n", "h",
					   1767600060LL * G_USEC_PER_SEC,
					   &committed, NULL, &err));
	g_assert_false(committed);
	/* another device, then a change of r1 */
	g_assert_true(sshconf_store_commit(s, "r2", "other\n", "r2: first\n", "h",
					   1767600100LL * G_USEC_PER_SEC,
					   &committed, NULL, &err));
	g_assert_true(committed);
	g_assert_true(sshconf_store_commit(s, "r1", "v2\n", "r1: changed\n", "h",
					   1767600200LL * G_USEC_PER_SEC,
					   &committed, NULL, &err));
	g_assert_true(committed);
	g_assert_cmpint(sshconf_store_count(s, "r1", &err), ==, 2);
	g_assert_cmpint(sshconf_store_count(s, "r2", &err), ==, 1);
	t = sshconf_store_read(s, "r1", 0, &err);
	g_assert_cmpstr(t, ==, "v2\n");
	g_free(t);
	t = sshconf_store_read(s, "r1", 1, &err);
	g_assert_cmpstr(t, ==, "v1\n");
	g_free(t);
	t = sshconf_store_read(s, "r1", 2, &err);
	g_assert_no_error(err);
	g_assert_null(t);
	t = sshconf_store_read(s, "r2", 0, &err);
	g_assert_cmpstr(t, ==, "other\n");
	g_free(t);
	sshconf_store_free(s);

	/* Reopening finds the history. */
	s = sshconf_store_open(repo, &err);
	g_assert_no_error(err);
	g_assert_cmpint(sshconf_store_count(s, "r1", &err), ==, 2);
	sshconf_store_free(s);
	rm_rf(dir);
	g_free(repo);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sshconf/profile/parse", test_profile_parse);
	g_test_add_func("/sshconf/profile/errors", test_profile_errors);
	g_test_add_func("/sshconf/profile/find", test_profile_find);
	g_test_add_func("/sshconf/profile/shipped", test_shipped_profiles);
	g_test_add_func("/sshconf/text/normalize", test_normalize);
	g_test_add_func("/sshconf/text/strip-shell", test_strip_shell);
	g_test_add_func("/sshconf/text/filter", test_filter);
	g_test_add_func("/sshconf/text/diff", test_diff);
	g_test_add_func("/sshconf/text/names-hash", test_names_hash);
	g_test_add_func("/sshconf/store", test_store);
	return g_test_run();
}
