/* libFuzzer target for the config loader: libconfig text -> netmond's own
 * validation (core/conf.c: nm_core_config_load(), nm_conf_check() and the
 * nm_conf_*() lookups).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-conf
 * Run:   t/fuzz/fuzz-conf -max_total_time=60 $srcdir/t/fuzz/corpus/conf
 *
 * The loader reads a file (it needs one for the messages' FILE:LINE and the
 * @include folder), so the input is written to netmond.conf in a private
 * temporary folder. An input may carry a second file after a line
 * "#--inc--": that part is written to inc.conf, which the first part can
 * @include (and "." may be included, a folder, which the loader must
 * refuse). Inputs that @include anything else are skipped: libconfig
 * would open any path (a FIFO or /dev/zero would hang the fuzzer), and
 * reading files outside the folder is not the loader's job to refuse.
 *
 * Every top-level group other than netmond is then checked against a key
 * table with every kind (required keys, ranges, choices, nested groups and
 * lists of groups), and every key is looked up with each nm_conf_*()
 * accessor, as a plugin would after a successful check. Nothing is kept
 * between inputs: the loaded config and every error are freed each time,
 * so LeakSanitizer sees a leak in any path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__lsan_default_suppressions(void);

/* LeakSanitizer: libconfig 1.5 (Debian's) loses the text of a string
 * token that its parser discards while recovering from a syntax error
 * (allocated by its scanner, libconfig_yylex, or in strbuf_append for a
 * non-empty string). Fixed upstream in 1.7.3 (hyperrealm/
 * libconfig#142, pull request #155: a %destructor for TOK_STRING). Not
 * netmon's memory: the whole config_t is destroyed by
 * nm_core_config_free(). */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

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

/* Every kind of key, as the plugins use them. */
static const nm_conf_key plugin_keys[] = {
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
	{ .name = "big", .kind = NM_CONF_INT },
	{ .name = NULL }
};

static char *dir;      /* private temporary folder */
static char *conf;     /* dir/netmond.conf */
static char *inc;      /* dir/inc.conf */

/* The temporary folder goes at exit (replay runs in every `make check`). */
static void remove_dir(void)
{
	(void)g_unlink(conf);
	(void)g_unlink(inc);
	(void)g_rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	GError *e = NULL;

	(void)argc;
	(void)argv;
	/* In memory when there is a /dev/shm: every input is written. */
	if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR)) {
		dir = g_strdup("/dev/shm/fuzz-conf-XXXXXX");
		if (g_mkdtemp(dir) == NULL)
			g_clear_pointer(&dir, g_free);
	}
	if (dir == NULL)
		dir = g_dir_make_tmp("fuzz-conf-XXXXXX", &e);
	if (dir == NULL) {
		fprintf(stderr, "fuzz-conf: %s\n", e->message);
		exit(1);
	}
	conf = g_build_filename(dir, "netmond.conf", NULL);
	inc = g_build_filename(dir, "inc.conf", NULL);
	if (atexit(remove_dir) != 0)
		fprintf(stderr, "fuzz-conf: %s stays behind\n", dir);
	/* Quiet: the loader logs nothing, but g_return_if_fail would. */
	nm_log_set_level(NM_LOG_ERROR);
	return 0;
}

/* TRUE when every @include in @text names "inc.conf" or "." (a folder:
 * libconfig 1.5 would exit() the process reading it, which the loader
 * must refuse beforehand). */
static gboolean includes_ok(const char *text)
{
	const char *p = text;

	while ((p = strstr(p, "@include")) != NULL) {
		p += strlen("@include");
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "\"inc.conf\"", 10) != 0 &&
		    strncmp(p, "\".\"", 3) != 0)
			return FALSE;
	}
	return TRUE;
}

/* Overwritten in place: no temporary file, rename or fsync (as
 * g_file_set_contents() does), which cost 20 ms per input on a disk. */
static void write_or_die(const char *path, const char *text, gsize len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz-conf: cannot write %s\n", path);
		exit(1);
	}
}

/* What a plugin does with its group: check it, then read every key. */
static void use_group(const config_setting_t *g)
{
	GError *e = NULL;
	const nm_conf_key *k;

	if (!nm_conf_check(g, plugin_keys, &e)) {
		g_assert(e != NULL && e->message[0] != '\0');
		g_clear_error(&e);
	}
	g_assert(e == NULL);
	for (k = plugin_keys; k->name != NULL; k++) {
		(void)nm_conf_int(g, k->name, 1);
		(void)nm_conf_float(g, k->name, 1.0);
		(void)nm_conf_bool(g, k->name, FALSE);
		(void)nm_conf_string(g, k->name, "x");
		(void)nm_conf_duration(g, k->name, 1);
	}
	/* Where-and-path of each member, as error messages print them. */
	for (int i = 0; i < config_setting_length(g) && i < 64; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);

		if (s == NULL)
			continue;
		g_free(nm_conf_where(s));
		g_free(nm_conf_path(s));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "#--inc--";
	nm_core_config *c;
	GError *e = NULL;
	char *text, *cut;
	gsize main_len;

	if (size > 256 * 1024)
		return 0;
	/* libconfig reads text; a NUL ends it early, which is fine. */
	text = g_strndup((const char *)data, size);
	if (!includes_ok(text)) {
		g_free(text);
		return 0;
	}
	cut = strstr(text, sep);
	main_len = cut != NULL ? (gsize)(cut - text) : strlen(text);
	if (cut != NULL) {
		const char *rest = cut + strlen(sep);

		write_or_die(inc, rest, strlen(rest));
	} else {
		(void)g_unlink(inc);
	}
	write_or_die(conf, text, main_len);
	g_free(text);

	c = nm_core_config_load(conf, &e);
	if (c == NULL) {
		/* Every refusal says why, naming the file. */
		g_assert(e != NULL && e->message != NULL);
		g_assert(strstr(e->message, "netmond.conf") != NULL ||
			 strstr(e->message, "inc.conf") != NULL ||
			 strstr(e->message, "(config)") != NULL);
		g_error_free(e);
		return 0;
	}
	g_assert(e == NULL);
	g_assert(c->plugin_dirs != NULL && c->plugin_dirs[0] != NULL);
	g_assert(c->state_dir != NULL && c->control_socket != NULL &&
		 c->pid_file != NULL && c->hostname != NULL);
	g_assert(c->workers >= 1 && c->workers <= 256);
	g_assert(c->interval >= G_USEC_PER_SEC);
	g_assert(c->shard_index < c->shard_count);
	for (guint i = 0; i < c->plugin_groups->len; i++)
		use_group(g_ptr_array_index(c->plugin_groups, i));
	nm_core_config_free(c);
	return 0;
}
