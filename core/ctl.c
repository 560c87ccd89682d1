/* netmon — the control socket (server and client side).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * One request per connection: the client sends one line (at most
 * CTL_MAX_LINE bytes before the '\n'), the server parses it with
 * g_shell_parse_argv(), calls the dispatch function on the main loop and
 * answers "OK\n<body>" or "ERR <message>\n", then closes. Everything on
 * the server side is asynchronous; a connection lives at most
 * CTL_CONN_TIMEOUT seconds, so a silent client never holds anything up.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "core.h"

#define CTL_LOG "ctl"
/** Longest request line, without its '\n'. */
#define CTL_MAX_LINE (64 * 1024)
/** Seconds a connection may take from accept to the end of the reply. */
#define CTL_CONN_TIMEOUT 10
/** Longest reply the client accepts. */
#define CTL_MAX_REPLY (64 * 1024 * 1024)

typedef enum {
	CONN_READING,     /* waiting for the request line */
	CONN_DISPATCHING, /* inside the dispatch function */
	CONN_WRITING      /* sending the reply */
} conn_state;

typedef struct ctl_conn ctl_conn;

struct nm_ctl_server {
	char *path;
	nm_ctl_dispatch_fn fn;
	gpointer user_data;
	GMainContext *context;
	GSocketService *service;
	gulong incoming_id;
	dev_t dev;          /* identity of the socket file we created */
	ino_t ino;
	GList *conns;       /* ctl_conn*, the live connections */
};

struct ctl_conn {
	nm_ctl_server *srv; /* NULL once the server is freed */
	GSocketConnection *conn;
	GCancellable *cancel;
	GSource *timeout;
	conn_state state;
	gboolean timed_out;
	char *buf;          /* CTL_MAX_LINE + 2 bytes */
	gsize len;
	char *reply;
	gsize reply_len;
};

/* ---- server: connections -------------------------------------------- */

static void conn_finish(ctl_conn *c)
{
	GError *e = NULL;

	if (c->srv != NULL)
		c->srv->conns = g_list_remove(c->srv->conns, c);
	if (c->timeout != NULL) {
		g_source_destroy(c->timeout);
		g_source_unref(c->timeout);
	}
	if (!g_io_stream_close(G_IO_STREAM(c->conn), NULL, &e)) {
		nm_log(NM_LOG_DEBUG, CTL_LOG, "closing a connection: %s",
		       e->message);
		g_error_free(e);
	}
	g_object_unref(c->conn);
	g_object_unref(c->cancel);
	g_free(c->buf);
	g_free(c->reply);
	g_free(c);
}

static gboolean conn_timed_out(gpointer data)
{
	ctl_conn *c = data;

	nm_log(NM_LOG_INFO, CTL_LOG,
	       "closing a control connection after %d s without a complete "
	       "exchange", CTL_CONN_TIMEOUT);
	c->timed_out = TRUE;
	/* The pending read or write fails with G_IO_ERROR_CANCELLED and its
	 * callback ends the connection. */
	g_cancellable_cancel(c->cancel);
	return G_SOURCE_REMOVE;
}

static void conn_written(GObject *src, GAsyncResult *res, gpointer data)
{
	ctl_conn *c = data;
	GError *e = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL,
					      &e)) {
		if (!c->timed_out)
			nm_log(NM_LOG_DEBUG, CTL_LOG,
			       "cannot send a control reply: %s", e->message);
		g_error_free(e);
	}
	conn_finish(c);
}

/* Take ownership of @reply (a string) and send it. */
static void conn_reply(ctl_conn *c, char *reply)
{
	c->state = CONN_WRITING;
	c->reply = reply;
	c->reply_len = strlen(reply);
	g_output_stream_write_all_async(
		g_io_stream_get_output_stream(G_IO_STREAM(c->conn)), c->reply,
		c->reply_len, G_PRIORITY_DEFAULT, c->cancel, conn_written, c);
}

static void conn_reply_error(ctl_conn *c, const char *message)
{
	gsize n = strlen(message);

	if (n > 0 && message[n - 1] == '\n')
		conn_reply(c, g_strconcat("ERR ", message, NULL));
	else
		conn_reply(c, g_strconcat("ERR ", message, "\n", NULL));
}

gboolean nm_ctl_parse_request(char *line, gsize n, int *argc, char ***argv,
			      GError **err)
{
	GError *e = NULL;

	g_return_val_if_fail(line != NULL && argc != NULL && argv != NULL,
			     FALSE);
	*argc = 0;
	*argv = NULL;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (memchr(line, '\0', n) != NULL) {
		g_set_error_literal(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "request contains a NUL byte");
		return FALSE;
	}
	line[n] = '\0';
	if (!g_utf8_validate(line, (gssize)n, NULL)) {
		g_set_error_literal(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "request is not valid UTF-8");
		return FALSE;
	}
	if (!g_shell_parse_argv(line, argc, argv, &e)) {
		if (g_error_matches(e, G_SHELL_ERROR,
				    G_SHELL_ERROR_EMPTY_STRING))
			g_set_error_literal(err, G_IO_ERROR,
					    G_IO_ERROR_INVALID_DATA,
					    "empty request (try: help)");
		else
			g_set_error_literal(err, G_IO_ERROR,
					    G_IO_ERROR_INVALID_DATA,
					    e->message);
		g_error_free(e);
		*argc = 0;
		*argv = NULL;
		return FALSE;
	}
	return TRUE;
}

/* The request line is c->buf[0..n), without its '\n'. */
static void conn_handle_line(ctl_conn *c, gsize n)
{
	nm_ctl_server *srv = c->srv;
	GError *e = NULL;
	GString *out;
	char **argv = NULL;
	int argc = 0;
	gboolean ok;

	if (!nm_ctl_parse_request(c->buf, n, &argc, &argv, &e)) {
		conn_reply_error(c, e->message);
		g_error_free(e);
		return;
	}
	nm_log(NM_LOG_DEBUG, CTL_LOG, "request: %s (%d words)", argv[0],
	       argc);

	out = g_string_new(NULL);
	c->state = CONN_DISPATCHING;
	ok = srv->fn(argc, argv, out, srv->user_data, &e);
	/* The dispatch function may have freed the server (c->srv is then
	 * NULL); the reply is still sent. */
	if (ok) {
		if (e != NULL) {
			g_warning("control command %s succeeded but set an "
				  "error: %s", argv[0], e->message);
			g_clear_error(&e);
		}
		g_string_prepend(out, "OK\n");
		conn_reply(c, g_string_free(out, FALSE));
	} else {
		conn_reply_error(c, e != NULL ? e->message : "command failed");
		g_clear_error(&e);
		g_string_free(out, TRUE);
	}
	g_strfreev(argv);
}

static void conn_read_more(ctl_conn *c);

static void conn_read(GObject *src, GAsyncResult *res, gpointer data)
{
	ctl_conn *c = data;
	GError *e = NULL;
	gssize n;
	char *nl;

	n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &e);
	if (n < 0) {
		if (!g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			nm_log(NM_LOG_DEBUG, CTL_LOG,
			       "cannot read a control request: %s",
			       e->message);
		g_error_free(e);
		conn_finish(c);
		return;
	}
	if (c->srv == NULL) { /* the server is gone */
		conn_finish(c);
		return;
	}
	if (n == 0) { /* EOF: take what came as the line, if anything */
		if (c->len == 0)
			conn_finish(c);
		else if (c->len > CTL_MAX_LINE)
			conn_reply_error(c, "request too long");
		else
			conn_handle_line(c, c->len);
		return;
	}
	nl = memchr(c->buf + c->len, '\n', (gsize)n);
	c->len += (gsize)n;
	if (nl != NULL)
		conn_handle_line(c, (gsize)(nl - c->buf));
	else if (c->len > CTL_MAX_LINE) /* the buffer is full */
		conn_reply_error(c, "request too long");
	else
		conn_read_more(c);
}

static void conn_read_more(ctl_conn *c)
{
	/* Room for CTL_MAX_LINE bytes and the '\n'; one more byte stays free
	 * for the terminating NUL. */
	g_input_stream_read_async(
		g_io_stream_get_input_stream(G_IO_STREAM(c->conn)),
		c->buf + c->len, CTL_MAX_LINE + 1 - c->len, G_PRIORITY_DEFAULT,
		c->cancel, conn_read, c);
}

static gboolean on_incoming(GSocketService *service,
			    GSocketConnection *connection,
			    GObject *source_object, gpointer data)
{
	nm_ctl_server *srv = data;
	ctl_conn *c;

	(void)service;
	(void)source_object;
	c = g_new0(ctl_conn, 1);
	c->srv = srv;
	c->conn = g_object_ref(connection);
	c->cancel = g_cancellable_new();
	c->state = CONN_READING;
	c->buf = g_malloc(CTL_MAX_LINE + 2);
	c->timeout = g_timeout_source_new_seconds(CTL_CONN_TIMEOUT);
	g_source_set_callback(c->timeout, conn_timed_out, c, NULL);
	g_source_attach(c->timeout, srv->context);
	srv->conns = g_list_prepend(srv->conns, c);
	conn_read_more(c);
	return TRUE;
}

/* ---- server: setup -------------------------------------------------- */

static gboolean check_path(const char *path, const char *what, GError **err)
{
	struct sockaddr_un sa;

	if (path == NULL || *path == '\0') {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "%s: no control socket path given", what);
		return FALSE;
	}
	if (strlen(path) >= sizeof sa.sun_path) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
			    "%s %s: path too long for a UNIX socket (at most "
			    "%zu bytes)", what, path, sizeof sa.sun_path - 1);
		return FALSE;
	}
	return TRUE;
}

/* If @path exists: a socket nobody answers on is removed; a live one or
 * anything that is not a socket is an error. */
static gboolean remove_stale(const char *path, GSocketAddress *addr,
			     GError **err)
{
	struct stat st;
	GSocket *probe;
	GError *e = NULL;
	gboolean ret = FALSE;
	int saved;

	if (lstat(path, &st) != 0) {
		saved = errno;
		if (saved == ENOENT)
			return TRUE;
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(saved),
			    "cannot create control socket %s: %s", path,
			    g_strerror(saved));
		return FALSE;
	}
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "cannot create control socket %s: the path exists "
			    "and is not a socket", path);
		return FALSE;
	}
	probe = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
			     G_SOCKET_PROTOCOL_DEFAULT, &e);
	if (probe == NULL) {
		g_set_error(err, G_IO_ERROR, e->code,
			    "cannot create control socket %s: %s", path,
			    e->message);
		g_error_free(e);
		return FALSE;
	}
	/* Never wait on a busy peer: a full backlog means it is alive. */
	g_socket_set_blocking(probe, FALSE);
	if (g_socket_connect(probe, addr, NULL, &e) ||
	    g_error_matches(e, G_IO_ERROR, G_IO_ERROR_PENDING) ||
	    g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
			    "control socket %s is in use by another netmond",
			    path);
	} else if (g_error_matches(e, G_IO_ERROR,
				   G_IO_ERROR_CONNECTION_REFUSED)) {
		if (unlink(path) == 0 || errno == ENOENT) {
			nm_log(NM_LOG_NOTICE, CTL_LOG,
			       "removed stale control socket %s", path);
			ret = TRUE;
		} else {
			saved = errno;
			g_set_error(err, G_IO_ERROR,
				    g_io_error_from_errno(saved),
				    "cannot remove stale control socket %s: %s",
				    path, g_strerror(saved));
		}
	} else {
		g_set_error(err, G_IO_ERROR, e->code,
			    "cannot create control socket %s: cannot check "
			    "the existing socket: %s", path, e->message);
	}
	g_clear_error(&e);
	if (!g_socket_close(probe, &e)) /* nothing was sent; harmless */
		g_clear_error(&e);
	g_object_unref(probe);
	return ret;
}

/* A listening socket bound to @path, mode 0660. Records the file's
 * identity in @srv. */
static GSocket *bind_socket(nm_ctl_server *srv, GSocketAddress *addr,
			    GError **err)
{
	const char *path = srv->path;
	struct sockaddr_storage native;
	gssize native_len;
	struct stat st;
	GSocket *sock;
	GError *e = NULL;
	int saved;

	native_len = g_socket_address_get_native_size(addr);
	if (native_len <= 0 || (gsize)native_len > sizeof native ||
	    !g_socket_address_to_native(addr, &native, sizeof native, &e)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "cannot create control socket %s: %s", path,
			    e != NULL ? e->message : "bad address");
		g_clear_error(&e);
		return NULL;
	}
	sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
			    G_SOCKET_PROTOCOL_DEFAULT, &e);
	if (sock == NULL) {
		g_set_error(err, G_IO_ERROR, e->code,
			    "cannot create control socket %s: %s", path,
			    e->message);
		g_error_free(e);
		return NULL;
	}
	/* bind(2) directly, for a plain errno in the message. */
	if (bind(g_socket_get_fd(sock), (struct sockaddr *)&native,
		 (socklen_t)native_len) != 0) {
		char *dir;

		saved = errno;
		dir = g_path_get_dirname(path);
		if (saved == ENOENT)
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "cannot create control socket %s: %s "
				    "(does the folder %s exist?)", path,
				    g_strerror(saved), dir);
		else
			g_set_error(err, G_IO_ERROR,
				    g_io_error_from_errno(saved),
				    "cannot create control socket %s: %s",
				    path, g_strerror(saved));
		g_free(dir);
		goto fail_closed;
	}
	if (chmod(path, 0660) != 0) {
		saved = errno;
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(saved),
			    "cannot create control socket %s: chmod: %s",
			    path, g_strerror(saved));
		goto fail_bound;
	}
	if (lstat(path, &st) != 0) {
		saved = errno;
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(saved),
			    "cannot create control socket %s: %s", path,
			    g_strerror(saved));
		goto fail_bound;
	}
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	if (!g_socket_listen(sock, &e)) {
		g_set_error(err, G_IO_ERROR, e->code,
			    "cannot create control socket %s: %s", path,
			    e->message);
		g_error_free(e);
		goto fail_bound;
	}
	return sock;

fail_bound:
	if (unlink(path) != 0 && errno != ENOENT)
		nm_log(NM_LOG_WARNING, CTL_LOG, "cannot remove %s: %s", path,
		       g_strerror(errno));
fail_closed:
	if (!g_socket_close(sock, &e))
		g_clear_error(&e);
	g_object_unref(sock);
	return NULL;
}

nm_ctl_server *nm_ctl_server_new(const char *path, nm_ctl_dispatch_fn fn,
				 gpointer user_data, GError **err)
{
	nm_ctl_server *srv;
	GSocketAddress *addr;
	GSocket *sock;
	GError *e = NULL;

	g_return_val_if_fail(fn != NULL, NULL);
	g_return_val_if_fail(err == NULL || *err == NULL, NULL);

	if (!check_path(path, "cannot create control socket", err))
		return NULL;
	addr = g_unix_socket_address_new(path);
	if (!remove_stale(path, addr, err)) {
		g_object_unref(addr);
		return NULL;
	}
	srv = g_new0(nm_ctl_server, 1);
	srv->path = g_strdup(path);
	srv->fn = fn;
	srv->user_data = user_data;
	srv->context = g_main_context_ref_thread_default();
	sock = bind_socket(srv, addr, err);
	g_object_unref(addr);
	if (sock == NULL) {
		g_main_context_unref(srv->context);
		g_free(srv->path);
		g_free(srv);
		return NULL;
	}

	/* Created and started here, so its accept sources go to the
	 * thread-default main context. */
	srv->service = g_socket_service_new();
	srv->incoming_id = g_signal_connect(srv->service, "incoming",
					    G_CALLBACK(on_incoming), srv);
	if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(srv->service),
					  sock, NULL, &e)) {
		g_set_error(err, G_IO_ERROR, e->code,
			    "cannot create control socket %s: %s", path,
			    e->message);
		g_error_free(e);
		if (!g_socket_close(sock, NULL))
			nm_log(NM_LOG_DEBUG, CTL_LOG, "close failed");
		g_object_unref(sock);
		nm_ctl_server_free(srv);
		return NULL;
	}
	g_object_unref(sock); /* the listener holds it */
	g_socket_service_start(srv->service);
	nm_log(NM_LOG_INFO, CTL_LOG, "listening on %s", path);
	return srv;
}

void nm_ctl_server_free(nm_ctl_server *srv)
{
	struct stat st;

	if (srv == NULL)
		return;
	g_socket_service_stop(srv->service);
	g_socket_listener_close(G_SOCKET_LISTENER(srv->service));
	g_signal_handler_disconnect(srv->service, srv->incoming_id);
	g_object_unref(srv->service);

	/* Connections still reading a request are dropped; one whose command
	 * is running (the dispatch function freed the server) or whose reply
	 * is being sent finishes on its own. */
	for (GList *l = srv->conns; l != NULL; l = l->next) {
		ctl_conn *c = l->data;

		c->srv = NULL;
		if (c->state == CONN_READING)
			g_cancellable_cancel(c->cancel);
	}
	g_list_free(srv->conns);

	/* Remove the file only if it is still the one we made. */
	if (lstat(srv->path, &st) == 0 && st.st_dev == srv->dev &&
	    st.st_ino == srv->ino && unlink(srv->path) != 0 &&
	    errno != ENOENT)
		nm_log(NM_LOG_WARNING, CTL_LOG, "cannot remove %s: %s",
		       srv->path, g_strerror(errno));
	g_main_context_unref(srv->context);
	g_free(srv->path);
	g_free(srv);
}

/* ---- client --------------------------------------------------------- */

/* Append @word to @line, quoted if g_shell_parse_argv() needs it. */
static void append_word(GString *line, const char *word)
{
	static const char safe[] = "-_./:=@%+,";
	gboolean bare = *word != '\0';

	for (const char *p = word; *p != '\0' && bare; p++)
		if (!g_ascii_isalnum(*p) && strchr(safe, *p) == NULL)
			bare = FALSE;
	if (line->len > 0)
		g_string_append_c(line, ' ');
	if (bare) {
		g_string_append(line, word);
	} else {
		char *q = g_shell_quote(word);

		g_string_append(line, q);
		g_free(q);
	}
}

/* Seconds for a socket timeout: @us rounded up, at least 1. */
static guint timeout_seconds(gint64 us)
{
	gint64 s = (us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

	if (s < 1)
		return 1;
	if (s > G_MAXUINT)
		return G_MAXUINT;
	return (guint)s;
}

static void set_unreachable(GError **err, const char *path, GError *e)
{
	const char *reason = e->message;
	gboolean hint = FALSE;

	/* Plain reasons for the common cases instead of GIO's wording. */
	if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
		reason = g_strerror(ENOENT);
		hint = TRUE;
	} else if (g_error_matches(e, G_IO_ERROR,
				   G_IO_ERROR_CONNECTION_REFUSED)) {
		reason = g_strerror(ECONNREFUSED);
		hint = TRUE;
	} else if (g_error_matches(e, G_IO_ERROR,
				   G_IO_ERROR_PERMISSION_DENIED)) {
		reason = g_strerror(EACCES);
	}
	g_set_error(err, G_IO_ERROR, e->code,
		    "cannot connect to netmond at %s: %s%s", path, reason,
		    hint ? " (is netmond running? see netmond.control_socket)"
			 : "");
}

static void set_timed_out(GError **err, const char *path, gint64 timeout)
{
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
		    "netmond at %s did not answer within %u s", path,
		    timeout_seconds(timeout));
}

/* Read until EOF into @reply. A reset after some data counts as EOF (the
 * server closes without reading the rest of a too long request). */
static gboolean read_reply(GSocket *sock, GInputStream *in, GString *reply,
			   gint64 deadline, gint64 timeout, const char *path,
			   GError **err)
{
	char chunk[16384];
	GError *e = NULL;
	gssize n;

	for (;;) {
		if (deadline > 0) {
			gint64 left = deadline - g_get_monotonic_time();

			if (left <= 0) {
				set_timed_out(err, path, timeout);
				return FALSE;
			}
			g_socket_set_timeout(sock, timeout_seconds(left));
		}
		n = g_input_stream_read(in, chunk, sizeof chunk, NULL, &e);
		if (n == 0)
			return TRUE;
		if (n < 0) {
			if (reply->len > 0 &&
			    g_error_matches(e, G_IO_ERROR,
					    G_IO_ERROR_CONNECTION_CLOSED)) {
				g_error_free(e);
				return TRUE;
			}
			if (g_error_matches(e, G_IO_ERROR,
					    G_IO_ERROR_TIMED_OUT))
				set_timed_out(err, path, timeout);
			else
				g_set_error(err, G_IO_ERROR, e->code,
					    "cannot read the reply of netmond "
					    "at %s: %s", path, e->message);
			g_error_free(e);
			return FALSE;
		}
		if (reply->len + (gsize)n > CTL_MAX_REPLY) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
				    "the reply of netmond at %s is longer than "
				    "%d bytes", path, CTL_MAX_REPLY);
			return FALSE;
		}
		g_string_append_len(reply, chunk, n);
	}
}

GString *nm_ctl_format_request(int argc, char **argv, GError **err)
{
	GString *line;

	g_return_val_if_fail(argc >= 0 && (argc == 0 || argv != NULL), NULL);
	if (argc == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "empty request");
		return NULL;
	}
	line = g_string_new(NULL);
	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n') != NULL) {
			g_set_error(err, G_IO_ERROR,
				    G_IO_ERROR_INVALID_ARGUMENT,
				    "argument %d contains a line break, which "
				    "a control request cannot carry", i + 1);
			g_string_free(line, TRUE);
			return NULL;
		}
		append_word(line, argv[i]);
	}
	g_string_append_c(line, '\n');
	return line;
}

gboolean nm_ctl_parse_reply(const char *reply, gboolean *ok, char **body)
{
	const char *nl;

	g_return_val_if_fail(reply != NULL && ok != NULL && body != NULL,
			     FALSE);
	nl = strchr(reply, '\n');
	if (strcmp(reply, "OK") == 0 || g_str_has_prefix(reply, "OK\n")) {
		*ok = TRUE;
		*body = g_strdup(nl != NULL ? nl + 1 : "");
		return TRUE;
	}
	if (strcmp(reply, "ERR") == 0 || g_str_has_prefix(reply, "ERR ") ||
	    g_str_has_prefix(reply, "ERR\n")) {
		const char *msg = reply + 3;
		gsize n;

		if (*msg == ' ')
			msg++;
		n = strlen(msg);
		if (n > 0 && msg[n - 1] == '\n')
			n--;
		*ok = FALSE;
		*body = g_strndup(msg, n);
		return TRUE;
	}
	return FALSE;
}

gboolean nm_ctl_request(const char *path, int argc, char **argv,
			gint64 timeout, gboolean *ok, char **body,
			GError **err)
{
	GSocketClient *client = NULL;
	GSocketAddress *addr = NULL;
	GSocketConnection *conn = NULL;
	GSocket *sock;
	GString *line = NULL, *reply = NULL;
	GError *e = NULL, *write_err = NULL;
	gint64 deadline = 0;
	gboolean ret = FALSE;

	g_return_val_if_fail(argc >= 0 && (argc == 0 || argv != NULL), FALSE);
	g_return_val_if_fail(ok != NULL && body != NULL, FALSE);
	g_return_val_if_fail(err == NULL || *err == NULL, FALSE);

	if (!check_path(path, "cannot connect to netmond at", err))
		return FALSE;
	if (argc == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "empty request");
		return FALSE;
	}
	line = nm_ctl_format_request(argc, argv, err);
	if (line == NULL)
		goto out;

	if (timeout > 0)
		deadline = g_get_monotonic_time() + timeout;
	client = g_socket_client_new();
	if (timeout > 0)
		g_socket_client_set_timeout(client, timeout_seconds(timeout));
	addr = g_unix_socket_address_new(path);
	conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr),
				       NULL, &e);
	if (conn == NULL) {
		if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
			set_timed_out(err, path, timeout);
		else
			set_unreachable(err, path, e);
		g_error_free(e);
		goto out;
	}
	sock = g_socket_connection_get_socket(conn);

	if (!g_output_stream_write_all(
		    g_io_stream_get_output_stream(G_IO_STREAM(conn)),
		    line->str, line->len, NULL, NULL, &write_err)) {
		if (g_error_matches(write_err, G_IO_ERROR,
				    G_IO_ERROR_TIMED_OUT)) {
			set_timed_out(err, path, timeout);
			goto out;
		}
		/* The server may have answered already (request too long):
		 * read what it sent. */
	}

	reply = g_string_new(NULL);
	if (!read_reply(sock, g_io_stream_get_input_stream(G_IO_STREAM(conn)),
			reply, deadline, timeout, path, &e)) {
		if (write_err != NULL) {
			g_set_error(err, G_IO_ERROR, write_err->code,
				    "cannot send the request to netmond at "
				    "%s: %s", path, write_err->message);
			g_error_free(e);
		} else {
			g_propagate_error(err, e);
		}
		goto out;
	}
	if (reply->len == 0) {
		if (write_err != NULL)
			g_set_error(err, G_IO_ERROR, write_err->code,
				    "cannot send the request to netmond at "
				    "%s: %s", path, write_err->message);
		else
			g_set_error(err, G_IO_ERROR,
				    G_IO_ERROR_CONNECTION_CLOSED,
				    "netmond at %s closed the connection "
				    "without answering", path);
		goto out;
	}

	if (nm_ctl_parse_reply(reply->str, ok, body))
		ret = TRUE;
	else
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "netmond at %s sent a malformed reply (no OK or "
			    "ERR status line)", path);

out:
	if (conn != NULL) {
		if (!g_io_stream_close(G_IO_STREAM(conn), NULL, &e))
			g_clear_error(&e); /* the reply is complete */
		g_object_unref(conn);
	}
	if (reply != NULL)
		g_string_free(reply, TRUE);
	g_clear_error(&write_err);
	g_clear_object(&addr);
	g_clear_object(&client);
	if (line != NULL)
		g_string_free(line, TRUE);
	return ret;
}
