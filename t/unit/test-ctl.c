/* netmon — unit tests of the control socket (core/ctl.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The server runs on its own thread with its own thread-default main
 * context; the test (client) side calls nm_ctl_request() or speaks the
 * protocol over raw connections from the test thread.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "core.h"

#define TIMEOUT (3 * G_USEC_PER_SEC)
#define MAX_LINE (64 * 1024)

typedef struct {
	char *dir;
	char *path;
	GThread *thread;
	GMainContext *ctx;
	GMainLoop *loop;
	nm_ctl_server *srv;
	GMutex lock;
	GCond cond;
	gboolean ready;
	GError *error;
	guint requests;
} server;

/* ---- the test dispatch function (server thread) ----------------------- */

static void append_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *s);
	}
	g_string_append(out, "\"\n");
}

static gboolean dispatch(int argc, char **argv, GString *out, gpointer data,
			 GError **err)
{
	server *t = data;

	t->requests++;
	if (strcmp(argv[0], "fail") == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "failed on purpose (%d words)", argc);
		g_string_append(out, "partial output, not sent\n");
		return FALSE;
	}
	if (strcmp(argv[0], "failsilently") == 0)
		return FALSE;
	if (strcmp(argv[0], "multi") == 0) {
		g_string_append(out, "line 1\nline 2\n\nlast, no newline");
		return TRUE;
	}
	if (strcmp(argv[0], "selfdestruct") == 0) {
		/* As a reload that moves the control socket would do. */
		nm_ctl_server_free(t->srv);
		t->srv = NULL;
		g_string_append(out, "bye\n");
		return TRUE;
	}
	g_string_append_printf(out, "argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		append_quoted(out, argv[i]);
	return TRUE;
}

/* ---- the server thread ------------------------------------------------- */

static gpointer server_main(gpointer data)
{
	server *t = data;
	nm_ctl_server *srv;
	GError *e = NULL;

	g_main_context_push_thread_default(t->ctx);
	srv = nm_ctl_server_new(t->path, dispatch, t, &e);
	g_mutex_lock(&t->lock);
	t->srv = srv;
	t->error = e;
	t->ready = TRUE;
	g_cond_signal(&t->cond);
	g_mutex_unlock(&t->lock);
	if (srv != NULL) {
		g_main_loop_run(t->loop);
		nm_ctl_server_free(t->srv); /* NULL after "selfdestruct" */
		t->srv = NULL;
	}
	/* Let cancelled operations finish so that nothing leaks. */
	for (int i = 0; i < 100 && g_main_context_pending(t->ctx); i++)
		g_main_context_iteration(t->ctx, FALSE);
	g_main_context_pop_thread_default(t->ctx);
	return NULL;
}

static char *make_dir(void)
{
	GError *e = NULL;
	char *dir = g_dir_make_tmp("test-ctl-XXXXXX", &e);

	g_assert_no_error(e);
	g_assert_nonnull(dir);
	return dir;
}

/* Start a server on @path (or on a fresh one in a new temporary folder).
 * Returns NULL with @err set when nm_ctl_server_new() fails. */
static server *server_start_at(const char *dir, const char *path,
			       GError **err)
{
	server *t = g_new0(server, 1);

	t->dir = dir != NULL ? g_strdup(dir) : make_dir();
	t->path = path != NULL ? g_strdup(path)
			       : g_build_filename(t->dir, "netmond.sock", NULL);
	t->ctx = g_main_context_new();
	t->loop = g_main_loop_new(t->ctx, FALSE);
	g_mutex_init(&t->lock);
	g_cond_init(&t->cond);
	t->thread = g_thread_new("ctl-server", server_main, t);
	g_mutex_lock(&t->lock);
	while (!t->ready)
		g_cond_wait(&t->cond, &t->lock);
	g_mutex_unlock(&t->lock);
	if (t->srv == NULL) {
		g_thread_join(t->thread);
		t->thread = NULL;
		g_propagate_error(err, t->error);
		t->error = NULL;
	}
	return t;
}

static server *server_start(void)
{
	GError *e = NULL;
	server *t = server_start_at(NULL, NULL, &e);

	g_assert_no_error(e);
	return t;
}

static gboolean quit_loop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

/* Stop the thread, free everything; the folder is removed if it is empty
 * (and it must be when @rm_dir). */
static void server_stop(server *t, gboolean rm_dir)
{
	if (t->thread != NULL) {
		/* Not g_main_loop_quit() from here: the loop may not run
		 * yet, and g_main_loop_run() would forget the quit. */
		GSource *idle = g_idle_source_new();

		g_source_set_callback(idle, quit_loop, t->loop, NULL);
		g_source_attach(idle, t->ctx);
		g_source_unref(idle);
		g_thread_join(t->thread);
	}
	g_main_loop_unref(t->loop);
	g_main_context_unref(t->ctx);
	g_mutex_clear(&t->lock);
	g_cond_clear(&t->cond);
	g_clear_error(&t->error);
	if (rm_dir)
		g_assert_cmpint(g_rmdir(t->dir), ==, 0);
	g_free(t->path);
	g_free(t->dir);
	g_free(t);
}

/* ---- client helpers ---------------------------------------------------- */

static GSocketConnection *raw_connect(const char *path)
{
	GSocketClient *client = g_socket_client_new();
	GSocketAddress *addr = g_unix_socket_address_new(path);
	GError *e = NULL;
	GSocketConnection *conn;

	g_socket_client_set_timeout(client, 3);
	conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr),
				       NULL, &e);
	g_assert_no_error(e);
	g_assert_nonnull(conn);
	g_object_unref(addr);
	g_object_unref(client);
	return conn;
}

/* Send @data over a raw connection, return the whole reply. */
static char *raw_exchange(const char *path, const char *data, gsize len)
{
	GSocketConnection *conn = raw_connect(path);
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	GString *reply = g_string_new(NULL);
	GError *e = NULL;
	char buf[4096];
	gssize n;

	/* The server may stop reading early (too long): ignore EPIPE. */
	if (!g_output_stream_write_all(out, data, len, NULL, NULL, &e))
		g_clear_error(&e);
	while ((n = g_input_stream_read(in, buf, sizeof buf, NULL, &e)) > 0)
		g_string_append_len(reply, buf, n);
	if (n < 0) {
		/* A reset after the reply is fine; anything else is not. */
		g_assert_error(e, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
		g_assert_cmpuint(reply->len, >, 0);
		g_clear_error(&e);
	}
	g_assert_true(g_io_stream_close(G_IO_STREAM(conn), NULL, NULL));
	g_object_unref(conn);
	return g_string_free(reply, FALSE);
}

static void request_ok(const char *path, int argc, char **argv,
		       const char *expected)
{
	GError *e = NULL;
	gboolean ok = FALSE;
	char *body = NULL;

	g_assert_true(nm_ctl_request(path, argc, argv, TIMEOUT, &ok, &body,
				     &e));
	g_assert_no_error(e);
	g_assert_true(ok);
	g_assert_cmpstr(body, ==, expected);
	g_free(body);
}

static void request_err(const char *path, int argc, char **argv,
			const char *expected)
{
	GError *e = NULL;
	gboolean ok = TRUE;
	char *body = NULL;

	g_assert_true(nm_ctl_request(path, argc, argv, TIMEOUT, &ok, &body,
				     &e));
	g_assert_no_error(e);
	g_assert_false(ok);
	g_assert_cmpstr(body, ==, expected);
	g_free(body);
}

/* A socket file nobody listens on. */
static void make_stale_socket(const char *path)
{
	GSocket *s = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
				  G_SOCKET_PROTOCOL_DEFAULT, NULL);
	GSocketAddress *addr = g_unix_socket_address_new(path);
	GError *e = NULL;
	struct stat st;

	g_assert_nonnull(s);
	g_assert_true(g_socket_bind(s, addr, FALSE, &e));
	g_assert_no_error(e);
	g_assert_true(g_socket_close(s, &e));
	g_object_unref(s);
	g_object_unref(addr);
	g_assert_cmpint(lstat(path, &st), ==, 0);
	g_assert_true(S_ISSOCK(st.st_mode));
}

/* ---- tests ------------------------------------------------------------- */

static void test_roundtrip(void)
{
	server *t = server_start();
	char *argv[] = { "echo", "hello world", "it's", "say \"hi\"", "$HOME",
			 "back\\slash", "", "tab\there", "\xc3\xbcn\xc3\xafk",
			 "router1/*", "--json", "#not-a-comment", NULL };
	char *multi[] = { "multi", NULL };

	request_ok(t->path, (int)g_strv_length(argv), argv,
		   "argc=12\n"
		   "\"echo\"\n"
		   "\"hello world\"\n"
		   "\"it's\"\n"
		   "\"say \\\"hi\\\"\"\n"
		   "\"$HOME\"\n"
		   "\"back\\\\slash\"\n"
		   "\"\"\n"
		   "\"tab\there\"\n"
		   "\"\xc3\xbcn\xc3\xafk\"\n"
		   "\"router1/*\"\n"
		   "\"--json\"\n"
		   "\"#not-a-comment\"\n");
	request_ok(t->path, 1, multi, "line 1\nline 2\n\nlast, no newline");
	g_assert_cmpuint(t->requests, ==, 2);
	server_stop(t, TRUE); /* the socket file is gone */
}

static void test_raw_protocol(void)
{
	server *t = server_start();
	char *r;

	/* "\r\n" and double quotes are accepted; data after '\n' ignored. */
	r = raw_exchange(t->path, "echo \"a b\" c\\ d\r\nignored", 24);
	g_assert_cmpstr(r, ==, "OK\nargc=3\n\"echo\"\n\"a b\"\n\"c d\"\n");
	g_free(r);
	/* A last line without '\n' before EOF is still served. */
	{
		GSocketConnection *conn = raw_connect(t->path);
		GInputStream *in =
			g_io_stream_get_input_stream(G_IO_STREAM(conn));
		char buf[256];
		gsize n = 0;
		GError *e = NULL;

		g_assert_true(g_output_stream_write_all(
			g_io_stream_get_output_stream(G_IO_STREAM(conn)),
			"multi", 5, NULL, NULL, &e));
		g_assert_true(g_socket_shutdown(
			g_socket_connection_get_socket(conn), FALSE, TRUE,
			&e));
		g_assert_true(g_input_stream_read_all(in, buf, sizeof buf - 1,
						      &n, NULL, &e));
		g_assert_no_error(e);
		buf[n] = '\0';
		g_assert_cmpstr(buf, ==,
				"OK\nline 1\nline 2\n\nlast, no newline");
		g_assert_true(g_io_stream_close(G_IO_STREAM(conn), NULL, NULL));
		g_object_unref(conn);
	}
	/* Empty requests. */
	r = raw_exchange(t->path, "\n", 1);
	g_assert_cmpstr(r, ==, "ERR empty request (try: help)\n");
	g_free(r);
	r = raw_exchange(t->path, "   \t \n", 6);
	g_assert_cmpstr(r, ==, "ERR empty request (try: help)\n");
	g_free(r);
	/* NUL bytes and invalid UTF-8. */
	r = raw_exchange(t->path, "echo a\0b\n", 9);
	g_assert_cmpstr(r, ==, "ERR request contains a NUL byte\n");
	g_free(r);
	r = raw_exchange(t->path, "echo \xff\n", 7);
	g_assert_cmpstr(r, ==, "ERR request is not valid UTF-8\n");
	g_free(r);
	g_assert_cmpuint(t->requests, ==, 2);
	server_stop(t, TRUE);
}

static void test_error(void)
{
	server *t = server_start();
	char *fail[] = { "fail", "x y", NULL };
	char *silent[] = { "failsilently", NULL };
	char *r;

	request_err(t->path, 2, fail, "failed on purpose (2 words)");
	request_err(t->path, 1, silent, "command failed");
	r = raw_exchange(t->path, "fail\n", 5);
	g_assert_cmpstr(r, ==, "ERR failed on purpose (1 words)\n");
	g_free(r);
	server_stop(t, TRUE);
}

static void test_too_long(void)
{
	server *t = server_start();
	char *line = g_malloc(MAX_LINE + 3);
	char *argv[] = { "echo", NULL, NULL };
	char *r, *expected;

	/* Through the client: a word of 70000 bytes. */
	argv[1] = g_strnfill(70000, 'a');
	request_err(t->path, 2, argv, "request too long");
	g_free(argv[1]);

	/* The limit exactly: MAX_LINE bytes before '\n' pass... */
	memcpy(line, "echo ", 5);
	memset(line + 5, 'b', MAX_LINE - 5);
	line[MAX_LINE] = '\n';
	r = raw_exchange(t->path, line, MAX_LINE + 1);
	line[MAX_LINE] = '\0';
	expected = g_strdup_printf("OK\nargc=2\n\"echo\"\n\"%s\"\n", line + 5);
	g_assert_cmpstr(r, ==, expected);
	g_free(expected);
	g_free(r);
	/* ...one more does not, with or without the '\n'. */
	line[MAX_LINE] = 'b';
	line[MAX_LINE + 1] = '\n';
	r = raw_exchange(t->path, line, MAX_LINE + 2);
	g_assert_cmpstr(r, ==, "ERR request too long\n");
	g_free(r);
	r = raw_exchange(t->path, line, MAX_LINE + 1);
	g_assert_cmpstr(r, ==, "ERR request too long\n");
	g_free(r);
	g_free(line);
	g_assert_cmpuint(t->requests, ==, 1);
	server_stop(t, TRUE);
}

static void test_bad_quoting(void)
{
	server *t = server_start();
	char *r;

	r = raw_exchange(t->path, "echo 'unterminated\n", 19);
	g_assert_true(g_str_has_prefix(r, "ERR "));
	g_assert_nonnull(strstr(r, "quote"));
	g_assert_true(g_str_has_suffix(r, "\n"));
	g_assert_true(strchr(r, '\n') == r + strlen(r) - 1); /* one line */
	g_free(r);
	r = raw_exchange(t->path, "echo \"a\n", 8);
	g_assert_true(g_str_has_prefix(r, "ERR "));
	g_free(r);
	g_assert_cmpuint(t->requests, ==, 0);
	server_stop(t, TRUE);
}

static void test_stale_socket(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "netmond.sock", NULL);
	char *argv[] = { "echo", NULL };
	GError *e = NULL;
	gboolean ok;
	char *body = NULL;
	server *t;

	make_stale_socket(path);
	/* The client calls a dead socket refused, with the hint. */
	g_assert_false(nm_ctl_request(path, 1, argv, TIMEOUT, &ok, &body, &e));
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	{
		char *msg = g_strdup_printf(
			"cannot connect to netmond at %s: %s (is netmond "
			"running? see netmond.control_socket)",
			path, g_strerror(ECONNREFUSED));
		g_assert_cmpstr(e->message, ==, msg);
		g_free(msg);
	}
	g_clear_error(&e);
	g_assert_null(body);

	t = server_start_at(dir, path, &e);
	g_assert_no_error(e);
	request_ok(path, 1, argv, "argc=1\n\"echo\"\n");
	server_stop(t, TRUE);
	g_free(path);
	g_free(dir);
}

static void test_live_socket(void)
{
	server *t = server_start();
	server *t2;
	char *argv[] = { "echo", NULL };
	GError *e = NULL;
	nm_ctl_server *srv;
	char *msg;

	/* From this thread (the global default context)... */
	srv = nm_ctl_server_new(t->path, dispatch, NULL, &e);
	g_assert_null(srv);
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
	msg = g_strdup_printf("control socket %s is in use by another netmond",
			      t->path);
	g_assert_cmpstr(e->message, ==, msg);
	g_clear_error(&e);
	/* ...and from another server thread. */
	t2 = server_start_at(t->dir, t->path, &e);
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
	g_assert_cmpstr(e->message, ==, msg);
	g_clear_error(&e);
	server_stop(t2, FALSE);
	g_free(msg);
	/* The first server is untouched. */
	request_ok(t->path, 1, argv, "argc=1\n\"echo\"\n");
	server_stop(t, TRUE);
}

static void test_not_a_socket(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "netmond.sock", NULL);
	char *contents = NULL;
	GError *e = NULL;
	server *t;
	char *msg;

	g_assert_true(g_file_set_contents(path, "precious", -1, &e));
	t = server_start_at(dir, path, &e);
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_EXISTS);
	msg = g_strdup_printf("cannot create control socket %s: the path "
			      "exists and is not a socket", path);
	g_assert_cmpstr(e->message, ==, msg);
	g_free(msg);
	g_clear_error(&e);
	server_stop(t, FALSE);
	g_assert_true(g_file_get_contents(path, &contents, NULL, &e));
	g_assert_cmpstr(contents, ==, "precious");
	g_free(contents);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	g_free(path);
	g_free(dir);
}

static void test_no_folder(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "missing", "netmond.sock", NULL);
	char *sub = g_build_filename(dir, "missing", NULL);
	char *msg, *longpath;
	GError *e = NULL;
	server *t;

	t = server_start_at(dir, path, &e);
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	msg = g_strdup_printf("cannot create control socket %s: %s (does the "
			      "folder %s exist?)", path, g_strerror(ENOENT),
			      sub);
	g_assert_cmpstr(e->message, ==, msg);
	g_free(msg);
	g_clear_error(&e);
	server_stop(t, FALSE);

	/* Too long for sun_path. */
	longpath = g_strnfill(200, 'x');
	t = server_start_at(dir, longpath, &e);
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
	g_assert_true(g_str_has_prefix(e->message,
				       "cannot create control socket xxx"));
	g_clear_error(&e);
	server_stop(t, TRUE);
	g_free(longpath);
	g_free(sub);
	g_free(path);
	g_free(dir);
}

static void test_mode(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "netmond.sock", NULL);
	mode_t old = umask(0077); /* bind() alone would give 0700 */
	GError *e = NULL;
	struct stat st;
	server *t;

	t = server_start_at(dir, path, &e);
	umask(old);
	g_assert_no_error(e);
	g_assert_cmpint(lstat(path, &st), ==, 0);
	g_assert_true(S_ISSOCK(st.st_mode));
	g_assert_cmpint(st.st_mode & 07777, ==, 0660);
	server_stop(t, TRUE);
	g_free(path);
	g_free(dir);
}

static void test_silent_client(void)
{
	server *t = server_start();
	char *argv[] = { "echo", "x", NULL };
	GSocketConnection *silent = raw_connect(t->path);
	GSocketConnection *partial = raw_connect(t->path);
	GError *e = NULL;
	gint64 start;

	/* One says nothing, one sends half a line. */
	g_assert_true(g_output_stream_write_all(
		g_io_stream_get_output_stream(G_IO_STREAM(partial)), "echo y",
		6, NULL, NULL, &e));
	g_assert_no_error(e);
	start = g_get_monotonic_time();
	request_ok(t->path, 2, argv, "argc=2\n\"echo\"\n\"x\"\n");
	request_ok(t->path, 2, argv, "argc=2\n\"echo\"\n\"x\"\n");
	g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
	/* The partial line completes late and is served. */
	{
		char buf[64];
		gsize n = 0;

		g_assert_true(g_output_stream_write_all(
			g_io_stream_get_output_stream(G_IO_STREAM(partial)),
			"\n", 1, NULL, NULL, &e));
		g_assert_true(g_input_stream_read_all(
			g_io_stream_get_input_stream(G_IO_STREAM(partial)),
			buf, sizeof buf - 1, &n, NULL, &e));
		g_assert_no_error(e);
		buf[n] = '\0';
		g_assert_cmpstr(buf, ==, "OK\nargc=2\n\"echo\"\n\"y\"\n");
	}
	g_assert_cmpuint(t->requests, ==, 3);

	/* Stopping the server drops the silent client: it reads EOF. */
	server_stop(t, TRUE);
	{
		char c;
		gssize n = g_input_stream_read(
			g_io_stream_get_input_stream(G_IO_STREAM(silent)), &c,
			1, NULL, &e);

		g_assert_no_error(e);
		g_assert_cmpint(n, ==, 0);
	}
	g_assert_true(g_io_stream_close(G_IO_STREAM(silent), NULL, NULL));
	g_assert_true(g_io_stream_close(G_IO_STREAM(partial), NULL, NULL));
	g_object_unref(silent);
	g_object_unref(partial);
}

static void test_missing_socket(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "netmond.sock", NULL);
	char *argv[] = { "status", NULL };
	char *msg, *body = NULL;
	gboolean ok = FALSE;
	GError *e = NULL;

	g_assert_false(nm_ctl_request(path, 1, argv, TIMEOUT, &ok, &body, &e));
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	msg = g_strdup_printf("cannot connect to netmond at %s: %s (is "
			      "netmond running? see netmond.control_socket)",
			      path, g_strerror(ENOENT));
	g_assert_cmpstr(e->message, ==, msg);
	g_free(msg);
	g_clear_error(&e);
	g_assert_null(body);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	g_free(path);
	g_free(dir);
}

static void test_client_errors(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "netmond.sock", NULL);
	char *nl[] = { "flush", "a\nb", NULL };
	GSocket *s;
	GSocketAddress *addr;
	gboolean ok;
	char *body = NULL;
	GError *e = NULL;
	gint64 start;

	/* Arguments with a line break cannot be sent. */
	g_assert_false(nm_ctl_request(path, 2, nl, TIMEOUT, &ok, &body, &e));
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&e);
	g_assert_false(nm_ctl_request(path, 0, nl, TIMEOUT, &ok, &body, &e));
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&e);

	/* A listener that never accepts: the client gives up in time. */
	s = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
			 G_SOCKET_PROTOCOL_DEFAULT, &e);
	g_assert_no_error(e);
	addr = g_unix_socket_address_new(path);
	g_assert_true(g_socket_bind(s, addr, FALSE, &e));
	g_assert_true(g_socket_listen(s, &e));
	start = g_get_monotonic_time();
	g_assert_false(nm_ctl_request(path, 1, nl, G_USEC_PER_SEC / 2, &ok,
				      &body, &e));
	g_assert_error(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
	g_assert_true(g_str_has_suffix(e->message,
				       "did not answer within 1 s"));
	g_clear_error(&e);
	g_assert_cmpint(g_get_monotonic_time() - start, <,
			3 * G_USEC_PER_SEC);
	g_assert_null(body);
	g_assert_true(g_socket_close(s, &e));
	g_object_unref(s);
	g_object_unref(addr);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	g_free(path);
	g_free(dir);
}

/* A fake daemon for one connection: reads the request line, sends
 * @reply as it is, closes. */
typedef struct {
	GSocket *listener;
	const char *reply;
} fake;

static gpointer fake_main(gpointer data)
{
	fake *f = data;
	GError *e = NULL;
	GSocket *c = g_socket_accept(f->listener, NULL, &e);
	char buf[256];
	gsize len = 0;

	g_assert_no_error(e);
	g_socket_set_timeout(c, 3);
	while (memchr(buf, '\n', len) == NULL) {
		gssize n = g_socket_receive(c, buf + len, sizeof buf - len,
					    NULL, &e);

		g_assert_no_error(e);
		g_assert_cmpint(n, >, 0);
		len += (gsize)n;
	}
	g_assert_true(g_socket_send(c, f->reply, strlen(f->reply), NULL,
				    &e) == (gssize)strlen(f->reply));
	g_assert_true(g_socket_close(c, &e));
	g_object_unref(c);
	return NULL;
}

static void test_client_replies(void)
{
	static const struct {
		const char *reply;
		gint code; /* -1: success */
		gboolean ok;
		const char *body;
	} cases[] = {
		{ "", G_IO_ERROR_CONNECTION_CLOSED, FALSE, NULL },
		{ "HELLO\n", G_IO_ERROR_INVALID_DATA, FALSE, NULL },
		{ "OKAY\n", G_IO_ERROR_INVALID_DATA, FALSE, NULL },
		{ "OK", -1, TRUE, "" },
		{ "OK\n", -1, TRUE, "" },
		{ "OK\nOK\nERR x\n", -1, TRUE, "OK\nERR x\n" },
		{ "ERR", -1, FALSE, "" },
		{ "ERR \n", -1, FALSE, "" },
		{ "ERR two\nlines\n", -1, FALSE, "two\nlines" },
		{ "ERR no newline", -1, FALSE, "no newline" },
	};
	char *dir = make_dir();
	char *path = g_build_filename(dir, "netmond.sock", NULL);
	char *argv[] = { "status", NULL };
	GSocketAddress *addr = g_unix_socket_address_new(path);
	GError *e = NULL;
	fake f;

	f.listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
				  G_SOCKET_PROTOCOL_DEFAULT, &e);
	g_assert_no_error(e);
	g_assert_true(g_socket_bind(f.listener, addr, FALSE, &e));
	g_assert_true(g_socket_listen(f.listener, &e));
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		GThread *th;
		gboolean ok = !cases[i].ok;
		char *body = NULL;
		gboolean ret;

		f.reply = cases[i].reply;
		th = g_thread_new("fake", fake_main, &f);
		ret = nm_ctl_request(path, 1, argv, TIMEOUT, &ok, &body, &e);
		g_thread_join(th);
		if (cases[i].code >= 0) {
			g_assert_false(ret);
			g_assert_error(e, G_IO_ERROR, cases[i].code);
			g_clear_error(&e);
			g_assert_null(body);
		} else {
			g_assert_no_error(e);
			g_assert_true(ret);
			g_assert_cmpint(ok, ==, cases[i].ok);
			g_assert_cmpstr(body, ==, cases[i].body);
			g_free(body);
		}
	}
	g_assert_true(g_socket_close(f.listener, &e));
	g_object_unref(f.listener);
	g_object_unref(addr);
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
	g_free(path);
	g_free(dir);
}

static void test_selfdestruct(void)
{
	server *t = server_start();
	char *argv[] = { "selfdestruct", NULL };
	struct stat st;

	/* The dispatch function frees the server: the reply still comes. */
	request_ok(t->path, 1, argv, "bye\n");
	g_assert_cmpint(lstat(t->path, &st), ==, -1);
	g_assert_cmpint(errno, ==, ENOENT);
	server_stop(t, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ctl/roundtrip", test_roundtrip);
	g_test_add_func("/ctl/raw-protocol", test_raw_protocol);
	g_test_add_func("/ctl/error", test_error);
	g_test_add_func("/ctl/too-long", test_too_long);
	g_test_add_func("/ctl/bad-quoting", test_bad_quoting);
	g_test_add_func("/ctl/stale-socket", test_stale_socket);
	g_test_add_func("/ctl/live-socket", test_live_socket);
	g_test_add_func("/ctl/not-a-socket", test_not_a_socket);
	g_test_add_func("/ctl/no-folder", test_no_folder);
	g_test_add_func("/ctl/mode", test_mode);
	g_test_add_func("/ctl/silent-client", test_silent_client);
	g_test_add_func("/ctl/missing-socket", test_missing_socket);
	g_test_add_func("/ctl/client-errors", test_client_errors);
	g_test_add_func("/ctl/client-replies", test_client_replies);
	g_test_add_func("/ctl/selfdestruct", test_selfdestruct);
	return g_test_run();
}
