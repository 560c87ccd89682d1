/* libFuzzer target for the control-socket protocol (core/ctl.c) and the
 * daemon's command dispatcher (core/commands.c), without a socket.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-ctl
 * Run:   t/fuzz/fuzz-ctl -max_total_time=60 $srcdir/t/fuzz/corpus/ctl
 *
 * The input is what a client sends: bytes up to the first '\n' (at most
 * 64 KiB, as the server reads) are the request line. It goes through
 * nm_ctl_parse_request() as the server does; a parsed request must survive
 * nm_ctl_format_request() and a second parse unchanged (what netmonctl
 * sends is what the daemon runs), and is then dispatched by
 * nm_core_dispatch() to a real core (no plugins, no socket, no main loop)
 * holding one plugin command, "echo", so plugin commands get arbitrary
 * words too. The whole input is also read as a reply by
 * nm_ctl_parse_reply() (the client's side of the protocol).
 *
 * State across inputs: the core, made once. "reload" re-reads the same
 * small config file, so nothing grows; the reload counters are the only
 * thing that changes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_LINE (64 * 1024)

static nm_core *core;

static void die(const char *what, GError *e)
{
	fprintf(stderr, "fuzz-ctl: %s: %s\n", what, e ? e->message : "failed");
	exit(1);
}

/* A plugin command: echoes its words; fails on "fail". */
static gboolean cmd_echo(nm_plugin *p, int argc, char **argv, GString *out,
			 gpointer user_data, GError **err)
{
	(void)p;
	(void)user_data;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "fail") == 0) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "echo: asked to fail");
			return FALSE;
		}
		g_string_append_printf(out, "%s%s", i ? " " : "", argv[i]);
	}
	g_string_append_c(out, '\n');
	return TRUE;
}

static char *tmp_dir, *tmp_conf;

/* The temporary folder goes at exit (replay runs in every `make check`). */
static void remove_dir(void)
{
	(void)g_unlink(tmp_conf);
	(void)g_rmdir(tmp_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	GError *e = NULL;
	char *dir, *file, *text;
	nm_core_config *conf;

	(void)argc;
	(void)argv;
	nm_log_set_level(NM_LOG_ERROR);
	dir = g_dir_make_tmp("fuzz-ctl-XXXXXX", &e);
	if (dir == NULL)
		die("temporary folder", e);
	file = g_build_filename(dir, "netmond.conf", NULL);
	text = g_strdup_printf("netmond = {\n  state_dir = \"%s\";\n"
			       "  plugin_dir = \"%s\";\n  workers = 1;\n"
			       "  log_level = \"error\";\n};\n", dir, dir);
	if (!g_file_set_contents(file, text, -1, &e))
		die(file, e);
	conf = nm_core_config_load(file, &e);
	if (conf == NULL)
		die(file, e);
	core = nm_core_new(conf);
	if (!nm_core_load(core, &e) || !nm_core_start(core, FALSE, &e))
		die("starting the core", e);
	if (!nm_plugin_add_command(core->self, "echo", "echo the words",
				   cmd_echo, NULL, &e))
		die("adding a command", e);
	g_free(text);
	tmp_dir = dir;
	tmp_conf = file;
	if (atexit(remove_dir) != 0)
		fprintf(stderr, "fuzz-ctl: %s stays behind\n", dir);
	return 0;
}

/* The parsed words survive quoting by the client and a second parse. */
static void check_roundtrip(int argc, char **argv)
{
	GError *e = NULL;
	GString *line = nm_ctl_format_request(argc, argv, &e);
	char **again = NULL;
	int n = 0;

	/* The line had no '\n', so no word has one: formatting cannot fail. */
	if (line == NULL)
		die("formatting a parsed request", e);
	g_assert(line->len > 0 && line->str[line->len - 1] == '\n');
	if (!nm_ctl_parse_request(line->str, line->len - 1, &n, &again, &e))
		die("parsing a formatted request", e);
	g_assert_cmpint(n, ==, argc);
	for (int i = 0; i < argc; i++)
		g_assert_cmpstr(again[i], ==, argv[i]);
	g_strfreev(again);
	g_string_free(line, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	gsize n = nl != NULL ? (gsize)(nl - data) : size;
	GError *e = NULL;
	char **argv = NULL;
	int argc = 0;
	char *buf, *body = NULL;
	gboolean ok;

	/* Client side: the input as a whole reply. */
	buf = g_strndup((const char *)data, size);
	if (nm_ctl_parse_reply(buf, &ok, &body)) {
		g_assert(body != NULL);
		g_free(body);
	}
	g_free(buf);

	/* Server side: the request line, in a buffer with room for its NUL
	 * and not one byte more. */
	if (n > MAX_LINE)
		return 0;
	buf = g_malloc(n + 1);
	memcpy(buf, data, n);
	if (!nm_ctl_parse_request(buf, n, &argc, &argv, &e)) {
		g_assert(e != NULL && e->message[0] != '\0');
		g_assert(argv == NULL);
		g_error_free(e);
		g_free(buf);
		return 0;
	}
	g_free(buf);
	g_assert(argc >= 1 && argv != NULL && argv[argc] == NULL);
	check_roundtrip(argc, argv);

	GString *out = g_string_new(NULL);
	ok = nm_core_dispatch(argc, argv, out, core, &e);
	/* Success and an error never come together, nor failure without. */
	g_assert(ok ? e == NULL : (e != NULL && e->message != NULL));
	g_clear_error(&e);
	g_string_free(out, TRUE);
	g_strfreev(argv);
	return 0;
}
