/* netmon syslog plugin — receiver for UDP, TCP and TLS.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Everything runs on the core's main loop:
 *  - UDP: one non-blocking socket per listener, a large SO_RCVBUF, reads in
 *    batches with recvmmsg(2); one nm_plugin_publish_batch() per batch.
 *  - TCP: non-blocking accept(2)/read(2) through fd watches; the framing of
 *    RFC 6587 (§3.4.1 octet counting or §3.4.2 LF-terminated) is detected
 *    per connection from its first byte. A connection's buffer grows up to
 *    max_message_size + 12 bytes and is allocated at its first byte, so an
 *    idle connection costs a small struct and one watch.
 *  - TLS (RFC 5425): accepted like TCP, then wrapped in a GTlsServerConnection
 *    (GIO; the backend is glib-networking) and read asynchronously.
 * Messages go through nm_syslog_parse() (parse.c) and are published as EVENT
 * messages. Unparseable input is published too, with the raw text.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netmon/plugin.h>

#include "framing.h"
#include "parse.h"

#define UDP_VLEN 64        /* datagrams per recvmmsg */
#define UDP_ROUNDS 16      /* recvmmsg calls per wake-up (fairness) */
#define TCP_READS 64       /* reads (of up to 64 KiB) per connection per wake-up */
#define ACCEPTS 64         /* accepts per wake-up */
#define SENDER_LEN 64

typedef enum { PROTO_UDP, PROTO_TCP, PROTO_TLS } proto;
static const char *const proto_names[] = { "udp", "tcp", "tls", NULL };
static const char *const client_cert_modes[] = { "none", "optional",
						 "require", NULL };

typedef struct rx rx;

typedef struct {
	guint64 messages, bytes, parse_failures, truncated, dropped;
} sender_stats;

typedef struct {
	rx *rx;
	proto proto;
	char *name;            /* "tcp 127.0.0.1:5514", for messages */
	char *address;
	int port;
	int fd;
	guint watch;           /* 0 while accepting is paused (EMFILE) */
	guint connections;
	GTlsCertificate *cert;
	GTlsDatabase *db;
	GTlsAuthenticationMode auth;
	gint64 hs_timeout;     /* TLS handshake, µs */
} listener;

typedef struct {
	rx *rx;
	listener *l;
	int fd;                /* plain TCP: the socket; TLS: -1 */
	guint watch;
	GIOStream *tls;        /* TLS only */
	GCancellable *cancel;  /* TLS only */
	gboolean reading;      /* TLS: an async handshake or read is pending */
	gboolean handshaking;  /* TLS: the handshake has not completed */
	gint64 accepted;       /* monotonic µs */
	gboolean closing;      /* TLS: close once the pending read returns */
	char *buf;
	gsize len, cap;
	gboolean grow;         /* the last read filled the buffer */
	nm_syslog_framer fr;   /* RFC 6587 framing state (framing.c) */
	gint64 last_active;    /* monotonic µs */
	gboolean got_data;
	char sender[SENDER_LEN];
	sender_stats *st;
} conn;

struct rx {
	nm_plugin *p;
	GPtrArray *listeners;   /* listener* */
	GHashTable *conns;      /* conn* set */
	guint n_conns;
	guint tls_pending;      /* async TLS handshakes and reads in flight */
	guint tls_handshaking;  /* connections whose handshake is not done */
	gsize max_msg;
	guint max_conns, max_senders;
	gint64 idle_timeout;
	gint64 hs_timeout;      /* TLS handshake, µs (listeners' default) */
	GHashTable *senders;    /* char* -> sender_stats* */
	sender_stats other;     /* senders past max_senders */
	nm_syslog_fields fields;
	gint64 now;             /* receive time of the current read, µs */
	GPtrArray *batch;       /* nm_msg* being collected */
	GPtrArray *batch_st;    /* sender_stats* of each batch entry */
	gboolean accept_paused;
	struct {
		nm_counter *messages, *bytes, *parse_failures, *truncated,
			*dropped, *accepted, *refused, *framing_errors,
			*tls_errors, *tls_handshake_timeouts, *read_errors;
	} c;
	/* UDP scratch */
	struct mmsghdr *mm;
	struct iovec *iov;
	struct sockaddr_storage *addrs;
	char *ubuf;
};

/* ---------------------------------------------------------- config */

static const nm_conf_key listen_keys[] = {
	{ .name = "address", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "IPv4 or IPv6 address to bind, e.g. \"127.0.0.1\", \"::\"" },
	{ .name = "port", .kind = NM_CONF_INT, .required = TRUE,
	  .has_range = TRUE, .min = 1, .max = 65535 },
	{ .name = "protocol", .kind = NM_CONF_STRING, .required = TRUE,
	  .choices = proto_names },
	{ .name = "certificate", .kind = NM_CONF_STRING,
	  .help = "tls: PEM certificate (chain) file" },
	{ .name = "key", .kind = NM_CONF_STRING,
	  .help = "tls: PEM private key file" },
	{ .name = "ca", .kind = NM_CONF_STRING,
	  .help = "tls: PEM CA file to check client certificates" },
	{ .name = "client_certificate", .kind = NM_CONF_STRING,
	  .choices = client_cert_modes },
	{ .name = "tls_handshake_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 3600,
	  .help = "tls: this listener's handshake timeout (default: the group's)" },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "listen", .kind = NM_CONF_LIST, .required = TRUE,
	  .has_range = TRUE, .min = 1, .max = 64, .children = listen_keys },
	{ .name = "max_message_size", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 480, .max = 1048576,
	  .help = "bytes; longer messages are truncated and counted" },
	{ .name = "udp_buffer", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 0, .max = 1073741824, .help = "SO_RCVBUF bytes; 0: system" },
	{ .name = "max_connections", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1000000 },
	{ .name = "idle_timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0, .max = 604800, .help = "close silent TCP/TLS connections; 0: never" },
	{ .name = "tls_handshake_timeout", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.1, .max = 3600,
	  .help = "close TLS connections whose handshake is not done by then" },
	{ .name = "max_senders", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 10000000, .help = "senders counted one by one" },
	{ .name = NULL }
};

static gboolean file_readable(const config_setting_t *s, const char *name,
			      GError **err)
{
	const config_setting_t *m = config_setting_get_member(s, name);
	const char *path;

	if (m == NULL)
		return TRUE;
	path = config_setting_get_string(m);
	if (path == NULL || access(path, R_OK) != 0)
		return nm_conf_error(m, err, "cannot read '%s': %s",
				     path ? path : "", g_strerror(errno));
	return TRUE;
}

static gboolean syslog_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *list = config_setting_get_member(conf, "listen");
	int n = list ? config_setting_length(list) : 0;

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(list, (guint)i);
		const char *addr = nm_conf_string(s, "address", "");
		const char *pr = nm_conf_string(s, "protocol", "udp");
		const char *cc = nm_conf_string(s, "client_certificate", "none");
		GInetAddress *ia = g_inet_address_new_from_string(addr);
		gboolean tls = strcmp(pr, "tls") == 0;

		if (ia == NULL)
			return nm_conf_error(config_setting_get_member(s, "address"),
					     err, "'%s' is not an IPv4 or IPv6 address",
					     addr);
		g_object_unref(ia);
		if (tls && (config_setting_get_member(s, "certificate") == NULL ||
			    config_setting_get_member(s, "key") == NULL))
			return nm_conf_error(s, err,
					     "a tls listener needs certificate and key");
		if (!tls && (config_setting_get_member(s, "certificate") != NULL ||
			     config_setting_get_member(s, "key") != NULL ||
			     config_setting_get_member(s, "ca") != NULL ||
			     config_setting_get_member(s, "client_certificate") != NULL))
			return nm_conf_error(s, err,
					     "certificate, key, ca and client_certificate "
					     "are for protocol \"tls\" only");
		if (tls && strcmp(cc, "none") != 0 &&
		    config_setting_get_member(s, "ca") == NULL)
			return nm_conf_error(s, err,
					     "client_certificate = \"%s\" needs ca", cc);
		if (!file_readable(s, "certificate", err) ||
		    !file_readable(s, "key", err) || !file_readable(s, "ca", err))
			return FALSE;
		if (!tls && config_setting_get_member(s, "tls_handshake_timeout") != NULL)
			return nm_conf_error(s, err, "tls_handshake_timeout is for "
					     "protocol \"tls\" only");
	}
	return TRUE;
}

/* ---------------------------------------------------------- senders */

/* Text form of a peer address; IPv4-mapped IPv6 shown as IPv4. */
static void addr_text(const struct sockaddr_storage *ss, char *out, gsize n)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		if (inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)n) == NULL)
			g_strlcpy(out, "?", n);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			if (inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], out,
				      (socklen_t)n) == NULL)
				g_strlcpy(out, "?", n);
		} else if (inet_ntop(AF_INET6, &a->sin6_addr, out,
				     (socklen_t)n) == NULL) {
			g_strlcpy(out, "?", n);
		}
	} else {
		g_strlcpy(out, "?", n);
	}
}

static sender_stats *sender_of(rx *r, const char *sender)
{
	sender_stats *st = g_hash_table_lookup(r->senders, sender);

	if (st != NULL)
		return st;
	if (g_hash_table_size(r->senders) >= r->max_senders)
		return &r->other;
	st = g_new0(sender_stats, 1);
	g_hash_table_insert(r->senders, g_strdup(sender), st);
	return st;
}

/* ---------------------------------------------------------- publishing */

static void emit(rx *r, const char *buf, gsize len, const char *sender,
		 sender_stats *st, gboolean truncated)
{
	nm_syslog_fields *f = &r->fields;
	gboolean ok = nm_syslog_parse(buf, len, sender, r->now, f);
	nm_event ev = {
		.source = sender, .host = f->host, .facility = f->facility,
		.severity = f->severity, .app_name = f->app_name,
		.procid = f->procid, .msgid = f->msgid,
		.structured_data = f->structured_data, .text = f->text,
	};

	g_ptr_array_add(r->batch, nm_event_new(&ev, f->time));
	g_ptr_array_add(r->batch_st, st);
	st->messages++;
	st->bytes += len;
	nm_counter_add(r->c.bytes, len);
	if (!ok) {
		st->parse_failures++;
		nm_counter_add(r->c.parse_failures, 1);
	}
	if (truncated) {
		st->truncated++;
		nm_counter_add(r->c.truncated, 1);
	}
}

/* Publish the collected batch. When the bus queues fewer deliveries than
 * messages (a BLOCK subscriber timed out, or none subscribed) the missing
 * ones are counted as drops, charged to the last senders of the batch. */
static void flush(rx *r)
{
	guint n = r->batch->len, queued;

	if (n == 0)
		return;
	nm_counter_add(r->c.messages, n);
	queued = nm_plugin_publish_batch(r->p, (nm_msg *const *)r->batch->pdata, n);
	if (queued < n) {
		nm_counter_add(r->c.dropped, n - queued);
		for (guint i = queued; i < n; i++)
			((sender_stats *)r->batch_st->pdata[i])->dropped++;
	}
	g_ptr_array_set_size(r->batch, 0);
	g_ptr_array_set_size(r->batch_st, 0);
}

/* ---------------------------------------------------------- UDP */

static gboolean udp_ready(gint fd, GIOCondition cond, gpointer data)
{
	listener *l = data;
	rx *r = l->rx;
	char sender[SENDER_LEN];

	(void)cond;
	for (int round = 0; round < UDP_ROUNDS; round++) {
		for (int i = 0; i < UDP_VLEN; i++) {
			r->iov[i].iov_base = r->ubuf + (gsize)i * r->max_msg;
			r->iov[i].iov_len = r->max_msg;
			memset(&r->mm[i].msg_hdr, 0, sizeof(r->mm[i].msg_hdr));
			r->mm[i].msg_hdr.msg_iov = &r->iov[i];
			r->mm[i].msg_hdr.msg_iovlen = 1;
			r->mm[i].msg_hdr.msg_name = &r->addrs[i];
			r->mm[i].msg_hdr.msg_namelen = sizeof(r->addrs[i]);
			r->mm[i].msg_len = 0;
		}
		int n = recvmmsg(fd, r->mm, UDP_VLEN, MSG_DONTWAIT, NULL);
		r->now = g_get_real_time();
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				nm_counter_add(r->c.read_errors, 1);
				NM_WARNING(r->p, "listen %s: recvmmsg: %s", l->name,
					   g_strerror(errno));
			}
			break;
		}
		for (int i = 0; i < n; i++) {
			gsize len = MIN(r->mm[i].msg_len, r->max_msg);
			gboolean trunc = (r->mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
			addr_text(&r->addrs[i], sender, sizeof(sender));
			emit(r, r->iov[i].iov_base, len, sender, sender_of(r, sender),
			     trunc);
		}
		flush(r);
		if (n < UDP_VLEN)
			break;
	}
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------- TCP framing */

static void frame_found(const char *msg, gsize len, gboolean truncated,
			gpointer data)
{
	conn *c = data;

	emit(c->rx, msg, len, c->sender, c->st, truncated);
}

/* Split the connection's buffer into frames (RFC 6587 §3.4, framing.c)
 * and emit them. @eof: the peer has closed; a last unterminated line is a
 * message. Returns FALSE on a framing error (the connection must be
 * closed; the rest of the buffer was emitted as one raw event). */
static gboolean process(conn *c, gboolean eof)
{
	rx *r = c->rx;
	gboolean bad = FALSE;
	gsize used;

	r->now = g_get_real_time(); /* one receive time per read */
	used = nm_syslog_framer_feed(&c->fr, c->buf, c->len, eof,
					   frame_found, c, &bad);

	if (bad) {
		NM_WARNING(r->p, "listen %s: %s: bad octet count "
			   "(RFC 6587 §3.4.1), closing", c->l->name, c->sender);
		nm_counter_add(r->c.framing_errors, 1);
		used = c->len;
	}
	c->len -= used;
	if (c->len > 0 && used > 0)
		memmove(c->buf, c->buf + used, c->len);
	flush(r);
	return !bad;
}

/* Room to read into: allocated at the first byte (4 KiB), doubled when
 * full or when the last read filled it (a busy connection reads in large
 * blocks), up to nm_syslog_framer_room() = max_message_size + 12 bytes:
 * the per-connection cap, however long a line without LF is. */
static void conn_room(conn *c)
{
	gsize max = nm_syslog_framer_room(&c->fr);

	if (c->buf == NULL) {
		c->cap = MIN((gsize)4096, max);
		c->buf = g_malloc(c->cap);
	} else if ((c->len == c->cap || c->grow) && c->cap < max) {
		c->cap = MIN(c->cap * 2, max);
		c->buf = g_realloc(c->buf, c->cap);
	}
	c->grow = FALSE;
}

static void conn_free(conn *c)
{
	rx *r = c->rx;

	g_hash_table_remove(r->conns, c);
	r->n_conns--;
	if (c->handshaking)
		r->tls_handshaking--;
	c->l->connections--;
	if (c->watch != 0)
		nm_plugin_remove_watch(r->p, c->watch);
	if (c->fd >= 0 && close(c->fd) != 0)
		NM_DEBUG(r->p, "listen %s: %s: close: %s", c->l->name, c->sender,
			 g_strerror(errno));
	if (c->tls != NULL)
		g_object_unref(c->tls);
	if (c->cancel != NULL)
		g_object_unref(c->cancel);
	g_free(c->buf);
	g_free(c);
}

static gboolean tcp_ready(gint fd, GIOCondition cond, gpointer data)
{
	conn *c = data;
	rx *r = c->rx;

	(void)cond;
	for (int i = 0; i < TCP_READS; i++) {
		conn_room(c);
		gsize room = c->cap - c->len;
		ssize_t n = read(fd, c->buf + c->len, room);
		if (n > 0) {
			c->len += (gsize)n;
			c->grow = (gsize)n == room;
			c->last_active = g_get_monotonic_time();
			if (!process(c, FALSE)) {
				conn_free(c); /* removes this watch */
				return G_SOURCE_REMOVE;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return G_SOURCE_CONTINUE;
		if (n < 0) {
			nm_counter_add(r->c.read_errors, 1);
			NM_INFO(r->p, "listen %s: %s: read: %s", c->l->name, c->sender,
				g_strerror(errno));
		}
		process(c, TRUE);
		conn_free(c); /* removes this watch */
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------- TLS */

static void tls_read(conn *c);

static void tls_read_done(GObject *src, GAsyncResult *res, gpointer data)
{
	conn *c = data;
	rx *r = c->rx;
	GError *e = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &e);

	c->reading = FALSE;
	r->tls_pending--;
	if (c->closing) {
		g_clear_error(&e);
		conn_free(c);
		return;
	}
	if (n > 0) {
		c->got_data = TRUE;
		c->len += (gsize)n;
		c->last_active = g_get_monotonic_time();
		if (!process(c, FALSE)) {
			conn_free(c);
			return;
		}
		tls_read(c);
		return;
	}
	if (n < 0) {
		if (!c->got_data || g_error_matches(e, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
		    e->domain == G_TLS_ERROR) {
			nm_counter_add(r->c.tls_errors, 1);
			NM_WARNING(r->p, "listen %s: %s: TLS: %s", c->l->name,
				   c->sender, e->message);
		} else {
			nm_counter_add(r->c.read_errors, 1);
			NM_INFO(r->p, "listen %s: %s: read: %s", c->l->name,
				c->sender, e->message);
		}
		g_error_free(e);
	}
	process(c, TRUE);
	conn_free(c);
}

static void tls_read(conn *c)
{
	conn_room(c);
	c->reading = TRUE;
	c->rx->tls_pending++;
	g_input_stream_read_async(g_io_stream_get_input_stream(c->tls),
				  c->buf + c->len, c->cap - c->len,
				  G_PRIORITY_DEFAULT, c->cancel, tls_read_done, c);
}

static void tls_handshake_done(GObject *src, GAsyncResult *res, gpointer data)
{
	conn *c = data;
	rx *r = c->rx;
	GError *e = NULL;
	gboolean ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(src),
							res, &e);

	c->reading = FALSE;
	r->tls_pending--;
	if (c->closing) {
		g_clear_error(&e);
		conn_free(c);
		return;
	}
	if (!ok) {
		nm_counter_add(r->c.tls_errors, 1);
		NM_WARNING(r->p, "listen %s: %s: TLS: %s", c->l->name, c->sender,
			   e->message);
		g_error_free(e);
		conn_free(c);
		return;
	}
	c->handshaking = FALSE;
	r->tls_handshaking--;
	c->last_active = g_get_monotonic_time();
	tls_read(c);
}

/* GIO's TLS backends never accept a client certificate on their own on the
 * server side: they verify it against the connection's database (our ca)
 * and emit accept-certificate. Accept exactly the ones that verified. */
static gboolean tls_accept_cert(GTlsConnection *t, GTlsCertificate *peer,
				GTlsCertificateFlags errors, gpointer data)
{
	conn *c = data;
	GString *why;

	(void)t;
	(void)peer;
	if (errors == 0)
		return TRUE;
	why = g_string_new("");
	if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
		g_string_append(why, " not signed by the ca");
	if (errors & G_TLS_CERTIFICATE_EXPIRED)
		g_string_append(why, " expired");
	if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
		g_string_append(why, " not yet valid");
	if (errors & G_TLS_CERTIFICATE_REVOKED)
		g_string_append(why, " revoked");
	if (errors & G_TLS_CERTIFICATE_INSECURE)
		g_string_append(why, " insecure");
	if (why->len == 0)
		g_string_append_printf(why, " flags 0x%x", (unsigned)errors);
	NM_WARNING(c->rx->p, "listen %s: %s: client certificate refused:%s",
		   c->l->name, c->sender, why->str);
	g_string_free(why, TRUE);
	return FALSE;
}

static gboolean tls_start(conn *c, int fd)
{
	rx *r = c->rx;
	GError *e = NULL;
	GSocket *gs = g_socket_new_from_fd(fd, &e);
	GSocketConnection *sc;

	if (gs == NULL) {
		NM_WARNING(r->p, "listen %s: %s: %s", c->l->name, c->sender,
			   e->message);
		g_error_free(e);
		return FALSE; /* the caller closes fd */
	}
	c->fd = -1; /* the GSocket owns it now */
	sc = g_socket_connection_factory_create_connection(gs);
	g_object_unref(gs);
	c->tls = g_tls_server_connection_new(G_IO_STREAM(sc), c->l->cert, &e);
	g_object_unref(sc);
	if (c->tls == NULL) {
		nm_counter_add(r->c.tls_errors, 1);
		NM_WARNING(r->p, "listen %s: %s: TLS: %s", c->l->name, c->sender,
			   e->message);
		g_error_free(e);
		return FALSE;
	}
	g_object_set(c->tls, "authentication-mode", c->l->auth, NULL);
	if (c->l->db != NULL)
		g_tls_connection_set_database(G_TLS_CONNECTION(c->tls), c->l->db);
	g_signal_connect(c->tls, "accept-certificate", G_CALLBACK(tls_accept_cert), c);
	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(c->tls), FALSE);
	G_GNUC_END_IGNORE_DEPRECATIONS
	c->cancel = g_cancellable_new();
	/* The handshake on its own, so that one that never completes (a
	 * client that connects and sends nothing, or trickles) is seen and
	 * dropped after tls_handshake_timeout by the housekeeping timer. */
	c->handshaking = TRUE;
	r->tls_handshaking++;
	c->reading = TRUE;
	r->tls_pending++;
	g_tls_connection_handshake_async(G_TLS_CONNECTION(c->tls),
					 G_PRIORITY_DEFAULT, c->cancel,
					 tls_handshake_done, c);
	return TRUE;
}

/* ---------------------------------------------------------- accept */

static gboolean accept_ready(gint fd, GIOCondition cond, gpointer data)
{
	listener *l = data;
	rx *r = l->rx;

	(void)cond;
	for (int i = 0; i < ACCEPTS; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
			    errno == ECONNABORTED)
				return G_SOURCE_CONTINUE;
			nm_counter_add(r->c.refused, 1);
			NM_WARNING(r->p, "listen %s: accept: %s; pausing accepts "
				   "for a second", l->name, g_strerror(errno));
			/* EMFILE/ENFILE/ENOMEM: the fd stays readable; pause
			 * instead of spinning (re-armed by the housekeeping timer) */
			r->accept_paused = TRUE;
			/* through the core, which keeps a list of our watches */
			nm_plugin_remove_watch(r->p, l->watch);
			l->watch = 0;
			return G_SOURCE_REMOVE;
		}
		if (r->n_conns >= r->max_conns) {
			nm_counter_add(r->c.refused, 1);
			if (close(cfd) != 0)
				NM_DEBUG(r->p, "close: %s", g_strerror(errno));
			continue;
		}
		conn *c = g_new0(conn, 1);
		c->rx = r;
		c->l = l;
		c->fd = cfd;
		nm_syslog_framer_init(&c->fr, r->max_msg);
		c->last_active = c->accepted = g_get_monotonic_time();
		addr_text(&ss, c->sender, sizeof(c->sender));
		c->st = sender_of(r, c->sender);
		g_hash_table_add(r->conns, c);
		r->n_conns++;
		l->connections++;
		nm_counter_add(r->c.accepted, 1);
		if (l->proto == PROTO_TLS) {
			if (!tls_start(c, cfd))
				conn_free(c);
		} else {
			c->watch = nm_plugin_add_watch(r->p, cfd, G_IO_IN, tcp_ready, c);
		}
	}
	return G_SOURCE_CONTINUE;
}

static nm_run_status housekeeping(nm_plugin *p, nm_timer *t, gint64 due,
				  gpointer data)
{
	rx *r = data;

	(void)t;
	(void)due;
	if (r->accept_paused) {
		r->accept_paused = FALSE;
		for (guint i = 0; i < r->listeners->len; i++) {
			listener *l = r->listeners->pdata[i];
			if (l->proto != PROTO_UDP && l->watch == 0)
				l->watch = nm_plugin_add_watch(p, l->fd, G_IO_IN,
							       accept_ready, l);
		}
	}
	if (r->idle_timeout > 0 || r->tls_handshaking > 0) {
		gint64 now = g_get_monotonic_time();
		gint64 limit = now - r->idle_timeout;
		GList *all = g_hash_table_get_keys(r->conns);
		for (GList *k = all; k != NULL; k = k->next) {
			conn *c = k->data;
			if (c->closing)
				continue;
			if (c->handshaking && c->accepted < now - c->l->hs_timeout) {
				nm_counter_add(r->c.tls_handshake_timeouts, 1);
				NM_WARNING(p, "listen %s: %s: TLS handshake not done "
					   "in %.1f s, closing", c->l->name, c->sender,
					   (double)c->l->hs_timeout / G_USEC_PER_SEC);
			} else if (r->idle_timeout == 0 || c->last_active >= limit) {
				continue;
			} else {
				NM_INFO(p, "listen %s: %s: idle, closing", c->l->name,
					c->sender);
			}
			if (c->tls != NULL && c->reading) {
				c->closing = TRUE;
				g_cancellable_cancel(c->cancel);
			} else {
				process(c, TRUE);
				conn_free(c);
			}
		}
		g_list_free(all);
	}
	return NM_RUN_DONE;
}

/* ---------------------------------------------------------- listeners */

static void listener_free(listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	g_clear_object(&l->cert);
	g_clear_object(&l->db);
	g_free(l->name);
	g_free(l->address);
	g_free(l);
}

static gboolean listener_open(rx *r, listener *l, gsize udp_buffer,
			      GError **err)
{
	GInetAddress *ia = g_inet_address_new_from_string(l->address);
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;
	int family, type = l->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;

	if (ia == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "listen %s: bad address", l->name);
		return FALSE;
	}
	family = g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV6 ? AF_INET6
								     : AF_INET;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((guint16)l->port);
		memcpy(&a->sin_addr, g_inet_address_to_bytes(ia), 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (void *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((guint16)l->port);
		memcpy(&a->sin6_addr, g_inet_address_to_bytes(ia), 16);
		sl = sizeof(*a);
	}
	g_object_unref(ia);
	l->fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		goto fail;
	if (family == AF_INET6 &&
	    setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)
		goto fail;
	if (l->proto == PROTO_UDP && udp_buffer > 0) {
		int want = (int)MIN(udp_buffer, (gsize)G_MAXINT / 2), got = 0;
		socklen_t gl = sizeof(got);
		/* SO_RCVBUFFORCE passes net.core.rmem_max when privileged */
		if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) != 0 &&
		    setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)) != 0)
			goto fail;
		if (getsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 &&
		    got / 2 < want)
			NM_NOTICE(r->p, "listen %s: receive buffer is %d bytes, not "
				  "the %d of syslog.udp_buffer: raise the sysctl "
				  "net.core.rmem_max", l->name, got / 2, want);
	}
	if (bind(l->fd, (struct sockaddr *)&ss, sl) != 0)
		goto fail;
	if (l->proto != PROTO_UDP && listen(l->fd, 1024) != 0)
		goto fail;
	l->watch = nm_plugin_add_watch(r->p, l->fd, G_IO_IN,
				       l->proto == PROTO_UDP ? udp_ready : accept_ready,
				       l);
	return TRUE;
fail:
	g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
		    "listen %s: %s", l->name, g_strerror(errno));
	return FALSE;
}

static gboolean listener_tls(rx *r, listener *l, const config_setting_t *s,
			     GError **err)
{
	const char *cert = nm_conf_string(s, "certificate", NULL);
	const char *key = nm_conf_string(s, "key", NULL);
	const char *ca = nm_conf_string(s, "ca", NULL);
	const char *cc = nm_conf_string(s, "client_certificate", "none");
	GError *e = NULL;

	(void)r;
	if (!g_tls_backend_supports_tls(g_tls_backend_get_default())) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "listen %s: GIO has no TLS backend: install "
			    "glib-networking", l->name);
		return FALSE;
	}
	l->cert = g_tls_certificate_new_from_files(cert, key, &e);
	if (l->cert == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "listen %s: certificate %s / key %s: %s", l->name,
			    cert, key, e->message);
		g_error_free(e);
		return FALSE;
	}
	if (ca != NULL) {
		l->db = g_tls_file_database_new(ca, &e);
		if (l->db == NULL) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "listen %s: ca %s: %s", l->name, ca, e->message);
			g_error_free(e);
			return FALSE;
		}
	}
	l->auth = strcmp(cc, "require") == 0  ? G_TLS_AUTHENTICATION_REQUIRED
		  : strcmp(cc, "optional") == 0 ? G_TLS_AUTHENTICATION_REQUESTED
						: G_TLS_AUTHENTICATION_NONE;
	return TRUE;
}

/* ---------------------------------------------------------- stats */

static void add_sender(JsonBuilder *b, const char *name, const sender_stats *st)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "messages");
	json_builder_add_int_value(b, (gint64)st->messages);
	json_builder_set_member_name(b, "bytes");
	json_builder_add_int_value(b, (gint64)st->bytes);
	json_builder_set_member_name(b, "parse_failures");
	json_builder_add_int_value(b, (gint64)st->parse_failures);
	json_builder_set_member_name(b, "truncated");
	json_builder_add_int_value(b, (gint64)st->truncated);
	json_builder_set_member_name(b, "dropped");
	json_builder_add_int_value(b, (gint64)st->dropped);
	json_builder_end_object(b);
}

static JsonNode *syslog_stats(nm_plugin *p, gpointer data)
{
	rx *r = data;
	JsonBuilder *b = json_builder_new();
	GHashTableIter it;
	gpointer k, v;
	JsonNode *n;

	(void)p;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "connections");
	json_builder_add_int_value(b, r->n_conns);
	json_builder_set_member_name(b, "listeners");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->listeners->len; i++) {
		listener *l = r->listeners->pdata[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "protocol");
		json_builder_add_string_value(b, proto_names[l->proto]);
		json_builder_set_member_name(b, "address");
		json_builder_add_string_value(b, l->address);
		json_builder_set_member_name(b, "port");
		json_builder_add_int_value(b, l->port);
		json_builder_set_member_name(b, "connections");
		json_builder_add_int_value(b, l->connections);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "senders");
	json_builder_begin_object(b);
	g_hash_table_iter_init(&it, r->senders);
	while (g_hash_table_iter_next(&it, &k, &v))
		add_sender(b, k, v);
	if (r->other.messages > 0)
		add_sender(b, "(other)", &r->other);
	json_builder_end_object(b);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

/* ---------------------------------------------------------- lifecycle */

/* Make room for max_connections descriptors: raise the soft RLIMIT_NOFILE
 * towards the hard limit (an unprivileged process may), with 1024 to spare
 * for listeners, plugins and the database. Short of that, say so once:
 * accept(2) would fail with EMFILE (counted in connections_refused, and
 * accepting pauses for a second). */
static void fd_limit(rx *r)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)r->max_conns + 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		NM_WARNING(r->p, "getrlimit(RLIMIT_NOFILE): %s", g_strerror(errno));
		return;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : MIN(want, rl.rlim_max);
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			NM_WARNING(r->p, "setrlimit(RLIMIT_NOFILE, %llu): %s",
				   (unsigned long long)rl.rlim_cur, g_strerror(errno));
		else if (rl.rlim_cur > old)
			NM_INFO(r->p, "open files limit raised from %llu to %llu",
				(unsigned long long)old,
				(unsigned long long)rl.rlim_cur);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < want)
		NM_WARNING(r->p, "open files limit %llu is below max_connections "
			   "(%u) + 1024: raise the hard limit (ulimit -Hn, "
			   "LimitNOFILE=) to serve that many connections",
			   (unsigned long long)rl.rlim_cur, r->max_conns);
}

static void rx_free(rx *r)
{
	if (r == NULL)
		return;
	if (r->conns != NULL) {
		GList *all = g_hash_table_get_keys(r->conns);
		gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
		for (GList *k = all; k != NULL; k = k->next) {
			conn *c = k->data;
			if (c->tls != NULL && c->reading) {
				c->closing = TRUE;
				g_cancellable_cancel(c->cancel);
			} else {
				conn_free(c);
			}
		}
		g_list_free(all);
		/* cancelled TLS reads complete through the main context:
		 * let them, so no callback of ours runs after shutdown */
		while (r->tls_pending > 0 && g_get_monotonic_time() < deadline)
			g_main_context_iteration(NULL, FALSE);
		if (r->tls_pending > 0)
			NM_WARNING(r->p, "%u TLS reads did not finish at shutdown",
				   r->tls_pending);
		g_hash_table_destroy(r->conns);
	}
	if (r->listeners != NULL) {
		for (guint i = 0; i < r->listeners->len; i++) {
			listener *l = r->listeners->pdata[i];
			if (l->watch != 0)
				nm_plugin_remove_watch(r->p, l->watch);
		}
		g_ptr_array_free(r->listeners, TRUE);
	}
	if (r->batch != NULL) {
		for (guint i = 0; i < r->batch->len; i++)
			nm_msg_unref(r->batch->pdata[i]);
		g_ptr_array_free(r->batch, TRUE);
	}
	if (r->batch_st != NULL)
		g_ptr_array_free(r->batch_st, TRUE);
	if (r->senders != NULL)
		g_hash_table_destroy(r->senders);
	nm_syslog_fields_clear(&r->fields);
	g_free(r->mm);
	g_free(r->iov);
	g_free(r->addrs);
	g_free(r->ubuf);
	g_free(r);
}

static gboolean syslog_init(nm_plugin *p, const config_setting_t *conf,
			    GError **err)
{
	rx *r = g_new0(rx, 1);
	const config_setting_t *list = config_setting_get_member(conf, "listen");
	gsize udp_buffer = (gsize)nm_conf_int(conf, "udp_buffer", 8 << 20);
	gboolean any_udp = FALSE;

	r->p = p;
	r->max_msg = (gsize)nm_conf_int(conf, "max_message_size", 65536);
	r->max_conns = (guint)nm_conf_int(conf, "max_connections", 4096);
	r->max_senders = (guint)nm_conf_int(conf, "max_senders", 10000);
	r->idle_timeout = nm_conf_duration(conf, "idle_timeout", 0);
	r->hs_timeout = nm_conf_duration(conf, "tls_handshake_timeout",
					 10 * G_USEC_PER_SEC);
	fd_limit(r);
	r->listeners = g_ptr_array_new_with_free_func((GDestroyNotify)listener_free);
	r->conns = g_hash_table_new(NULL, NULL);
	r->senders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->batch = g_ptr_array_sized_new(UDP_VLEN);
	r->batch_st = g_ptr_array_sized_new(UDP_VLEN);
	nm_syslog_fields_init(&r->fields);
	r->c.messages = nm_plugin_counter(p, "messages");
	r->c.bytes = nm_plugin_counter(p, "bytes");
	r->c.parse_failures = nm_plugin_counter(p, "parse_failures");
	r->c.truncated = nm_plugin_counter(p, "truncated");
	r->c.dropped = nm_plugin_counter(p, "dropped");
	r->c.accepted = nm_plugin_counter(p, "connections_accepted");
	r->c.refused = nm_plugin_counter(p, "connections_refused");
	r->c.framing_errors = nm_plugin_counter(p, "framing_errors");
	r->c.tls_errors = nm_plugin_counter(p, "tls_errors");
	r->c.tls_handshake_timeouts = nm_plugin_counter(p, "tls_handshake_timeouts");
	r->c.read_errors = nm_plugin_counter(p, "read_errors");
	nm_plugin_set_data(p, r);

	for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
		const config_setting_t *s = config_setting_get_elem(list, (guint)i);
		const char *pr = nm_conf_string(s, "protocol", "udp");
		listener *l = g_new0(listener, 1);

		l->rx = r;
		l->fd = -1;
		l->proto = strcmp(pr, "tls") == 0   ? PROTO_TLS
			   : strcmp(pr, "tcp") == 0 ? PROTO_TCP
						    : PROTO_UDP;
		l->address = g_strdup(nm_conf_string(s, "address", ""));
		l->port = (int)nm_conf_int(s, "port", 514);
		l->hs_timeout = nm_conf_duration(s, "tls_handshake_timeout",
						 r->hs_timeout);
		l->name = strchr(l->address, ':') != NULL
			? g_strdup_printf("%s [%s]:%d", pr, l->address, l->port)
			: g_strdup_printf("%s %s:%d", pr, l->address, l->port);
		g_ptr_array_add(r->listeners, l);
		if (l->proto == PROTO_TLS && !listener_tls(r, l, s, err))
			goto fail;
		if (!listener_open(r, l, udp_buffer, err))
			goto fail;
		any_udp |= l->proto == PROTO_UDP;
		NM_INFO(p, "listening on %s", l->name);
	}
	if (any_udp) {
		r->mm = g_new0(struct mmsghdr, UDP_VLEN);
		r->iov = g_new0(struct iovec, UDP_VLEN);
		r->addrs = g_new0(struct sockaddr_storage, UDP_VLEN);
		r->ubuf = g_malloc(r->max_msg * UDP_VLEN);
	}
	nm_plugin_add_timer(p, "housekeeping", G_USEC_PER_SEC, NM_TIMER_DEFAULT,
			    housekeeping, r, NULL);
	nm_plugin_set_stats(p, syslog_stats, r);
	return TRUE;
fail:
	rx_free(r);
	nm_plugin_set_data(p, NULL);
	return FALSE;
}

static void syslog_shutdown(nm_plugin *p)
{
	rx *r = nm_plugin_get_data(p);

	nm_plugin_set_stats(p, NULL, NULL);
	rx_free(r);
	nm_plugin_set_data(p, NULL);
}

NM_PLUGIN_DEFINE(.name = "syslog", .version = "1.0",
		 .description = "syslog receiver: UDP, TCP, TLS; RFC 5424 and 3164",
		 .config_keys = keys, .validate = syslog_validate,
		 .init = syslog_init, .shutdown = syslog_shutdown);
