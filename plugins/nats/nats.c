/* netmon plugin "nats": bridges bus messages between nodes over NATS.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Edge mode (`publish = [ "metric", ... ]`): the chosen local bus types are
 * encoded with <netmon/wire.h> and published to `<prefix>.<type>.<host>`
 * (host: this node's name, characters outside [A-Za-z0-9_-] as '_').
 * Central mode (`subscribe = [ ... ]`): messages of those types from NATS
 * are decoded and re-published into the local bus. A node running both
 * never sends back what it re-published (it remembers those messages) and
 * by default ignores its own subjects.
 *
 * With `jetstream = true` (the default) the edge publishes into a stream
 * (created if missing, limits from config) and waits for the stream's
 * acknowledgements; the central node reads with a durable pull consumer and
 * acknowledges a message only after the local bus queued it, so messages
 * wait in the stream while the central node is down (at-least-once).
 *
 * Threads: libnats runs its own; the plugin adds one "sender" thread (edge)
 * and one "fetcher" thread (central). The bus delivery callback only queues
 * references, so neither the main loop nor the bus worker ever waits on
 * the network.
 */
#define _GNU_SOURCE 1 /* dladdr() */
#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#include <nats/nats.h>

#include <netmon/plugin.h>
#include <netmon/wire.h>

typedef struct {
	nm_plugin *p;
	/* configuration */
	char *prefix, *host_token, *stream, *durable;
	char *server;            /* configured url(s) without user:password@, for logs */
	guint32 publish_mask, subscribe_mask;
	gboolean jetstream, accept_own;
	gint64 fetch_batch, queue_size;
	gint64 reconnect_wait_ms, reconnect_max_ms, publish_timeout_ms;
	gint64 stream_max_bytes, stream_max_msgs, stream_max_age_us;
	gint64 stream_replicas;
	gboolean stream_memory;
	/* connection (created in init, connects in the background) */
	natsOptions *opts;
	natsConnection *nc;
	jsCtx *js;
	/* shared state */
	GMutex lock;
	GCond cond;
	GMutex setup_lock;       /* stream creation (network calls) */
	GPtrArray *subs;         /* core NATS subscriptions (central) */
	gboolean stopping;
	gboolean closed;         /* libnats' last callback has run */
	gint core_stopping;      /* atomic: the daemon is shutting down */
	gint stream_ready;       /* atomic */
	GQueue backlog;          /* edge: nm_msg refs waiting to be sent */
	GHashTable *relayed;     /* messages we re-published (refs held) */
	GThread *sender, *fetcher;
	gint64 last_error_log;   /* rate limit of repeated errors */
	guint64 errors_suppressed;
	/* counters */
	nm_counter *c_published, *c_publish_errors, *c_backlog_dropped;
	nm_counter *c_received, *c_decode_errors, *c_bus_rejected;
	nm_counter *c_skipped_own, *c_skipped_type, *c_skipped_loop;
	nm_counter *c_disconnects, *c_reconnects, *c_retries, *c_acked;
} bridge;

#define RELAYED_MAX 100000

static const char *const storages[] = { "file", "memory", NULL };

static const nm_conf_key keys[] = {
	{ .name = "url", .kind = NM_CONF_STRING,
	  .help = "server URL(s), comma-separated; default nats://127.0.0.1:4222" },
	{ .name = "name", .kind = NM_CONF_STRING, .help = "connection name" },
	{ .name = "subject_prefix", .kind = NM_CONF_STRING,
	  .help = "first subject token, default \"netmon\"" },
	{ .name = "publish", .kind = NM_CONF_ARRAY,
	  .help = "edge: local bus types sent to NATS" },
	{ .name = "subscribe", .kind = NM_CONF_ARRAY,
	  .help = "central: types taken from NATS into the local bus" },
	{ .name = "accept_own", .kind = NM_CONF_BOOL,
	  .help = "central: also take messages this host published" },
	{ .name = "jetstream", .kind = NM_CONF_BOOL,
	  .help = "use a JetStream stream (default true)" },
	{ .name = "stream", .kind = NM_CONF_STRING, .help = "stream name" },
	{ .name = "stream_max_bytes", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = -1, .max = 9e18 },
	{ .name = "stream_max_msgs", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = -1, .max = 9e18 },
	{ .name = "stream_max_age", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0, .max = 3.2e8 },
	{ .name = "stream_storage", .kind = NM_CONF_STRING, .choices = storages },
	{ .name = "stream_replicas", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 5 },
	{ .name = "durable", .kind = NM_CONF_STRING,
	  .help = "central: durable consumer name" },
	{ .name = "fetch_batch", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 10000 },
	{ .name = "queue_size", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1e8, .help = "edge: messages held while NATS is away" },
	{ .name = "reconnect_wait", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.01, .max = 60 },
	{ .name = "reconnect_wait_max", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 0.01, .max = 3600 },
	{ .name = "publish_timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 600 },
	{ .name = "user", .kind = NM_CONF_STRING },
	{ .name = "password", .kind = NM_CONF_STRING },
	{ .name = "token", .kind = NM_CONF_STRING },
	{ .name = "credentials", .kind = NM_CONF_STRING,
	  .help = "user JWT + NKey credentials file (.creds)" },
	{ .name = "nkey_seed", .kind = NM_CONF_STRING,
	  .help = "file holding an NKey seed" },
	{ .name = "tls", .kind = NM_CONF_BOOL, .help = "require TLS" },
	{ .name = "tls_ca", .kind = NM_CONF_STRING },
	{ .name = "tls_cert", .kind = NM_CONF_STRING },
	{ .name = "tls_key", .kind = NM_CONF_STRING },
	{ .name = "tls_hostname", .kind = NM_CONF_STRING },
	{ .name = "tls_insecure", .kind = NM_CONF_BOOL,
	  .help = "skip server certificate verification (tests only)" },
	{ .name = NULL }
};

/* Mask of the type names in array @name of @conf; FALSE on a bad name. */
static gboolean type_mask(const config_setting_t *conf, const char *name,
			  guint32 *mask, GError **err)
{
	const config_setting_t *a = config_setting_get_member(conf, name);

	*mask = 0;
	if (a == NULL)
		return TRUE;
	for (int i = 0; i < config_setting_length(a); i++) {
		const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
		const char *s = config_setting_get_string(e);
		int t = s != NULL ? nm_msg_type_from_name(s) : -1;
		if (t < 0)
			return nm_conf_error(e, err, "'%s' is not a message type "
					     "(metric, event, flow, config, state, "
					     "notification)", s != NULL ? s : "?");
		*mask |= NM_MSG_MASK(t);
	}
	return TRUE;
}

static gboolean file_ok(const config_setting_t *conf, const char *name,
			GError **err)
{
	const char *f = nm_conf_string(conf, name, NULL);

	if (f != NULL && access(f, R_OK) != 0)
		return nm_conf_error(config_setting_get_member(conf, name), err,
				     "cannot read '%s'", f);
	return TRUE;
}

static gboolean nats_validate(const config_setting_t *conf, GError **err)
{
	guint32 pub, sub;

	if (!type_mask(conf, "publish", &pub, err) ||
	    !type_mask(conf, "subscribe", &sub, err))
		return FALSE;
	if (pub == 0 && sub == 0)
		return nm_conf_error(conf, err, "neither 'publish' nor "
				     "'subscribe' names a message type");
	if ((nm_conf_string(conf, "tls_cert", NULL) == NULL) !=
	    (nm_conf_string(conf, "tls_key", NULL) == NULL))
		return nm_conf_error(conf, err, "tls_cert and tls_key go together");
	return file_ok(conf, "credentials", err) && file_ok(conf, "nkey_seed", err) &&
	       file_ok(conf, "tls_ca", err) && file_ok(conf, "tls_cert", err) &&
	       file_ok(conf, "tls_key", err);
}

/* Log an error at most once per 10 s, with the count of the others. */
static void log_error(bridge *b, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void log_error(bridge *b, const char *fmt, ...)
{
	gint64 now = g_get_monotonic_time();
	va_list ap;
	char *text;
	guint64 suppressed;

	g_mutex_lock(&b->lock);
	if (b->last_error_log != 0 && now - b->last_error_log < 10 * G_USEC_PER_SEC) {
		b->errors_suppressed++;
		g_mutex_unlock(&b->lock);
		return;
	}
	b->last_error_log = now;
	suppressed = b->errors_suppressed;
	b->errors_suppressed = 0;
	g_mutex_unlock(&b->lock);
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (suppressed > 0)
		NM_LOG_ABOUT(b->p, NM_LOG_WARNING, b->server, "%s (and %"
			     G_GUINT64_FORMAT " more errors in the last 10 s)",
			     text, suppressed);
	else
		NM_LOG_ABOUT(b->p, NM_LOG_WARNING, b->server, "%s", text);
	g_free(text);
}

/* Wait up to @us on the condition; returns TRUE when stopping. Lock held. */
static gboolean wait_locked(bridge *b, gint64 us)
{
	gint64 until = g_get_monotonic_time() + us;

	while (!b->stopping)
		if (!g_cond_wait_until(&b->cond, &b->lock, until))
			break;
	return b->stopping;
}

static gboolean sleep_or_stop(bridge *b, gint64 us)
{
	gboolean stop;

	g_mutex_lock(&b->lock);
	stop = wait_locked(b, us);
	g_mutex_unlock(&b->lock);
	return stop;
}

static gint64 backoff_ms(const bridge *b, int attempt)
{
	gint64 d = b->reconnect_wait_ms;

	for (int i = 1; i < attempt && d < b->reconnect_max_ms; i++)
		d *= 2;
	d = MIN(d, b->reconnect_max_ms);
	return d + g_random_int_range(0, (gint32)MAX(d / 5, 1));
}

/* libnats: exponential back-off between reconnect attempts. */
static int64_t reconnect_delay(natsConnection *nc, int attempts, void *closure)
{
	(void)nc;
	return backoff_ms(closure, attempts);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
	bridge *b = closure;
	gboolean stopping;

	(void)nc;
	g_mutex_lock(&b->lock);
	stopping = b->stopping;
	g_mutex_unlock(&b->lock);
	if (stopping)
		return;
	nm_counter_add(b->c_disconnects, 1);
	NM_LOG_ABOUT(b->p, NM_LOG_WARNING, b->server,
		     "disconnected from NATS, reconnecting");
}

/* The connection is closed for good: no libnats callback follows. */
static void on_closed(natsConnection *nc, void *closure)
{
	bridge *b = closure;

	(void)nc;
	g_mutex_lock(&b->lock);
	b->closed = TRUE;
	g_cond_broadcast(&b->cond);
	g_mutex_unlock(&b->lock);
}

/* @url ("nats://user:pass@host:4222", or several, comma-separated) with
 * every user-info part removed, so logs name the server, never a secret. */
static char *redact_urls(const char *url)
{
	GString *out = g_string_new(NULL);
	const char *p = url;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		const char *stop = end != NULL ? end : p + strlen(p);
		const char *scheme = g_strstr_len(p, stop - p, "://");
		const char *host = scheme != NULL ? scheme + 3 : p;
		const char *at = NULL;

		for (const char *q = host; q < stop && *q != '/'; q++)
			if (*q == '@')
				at = q;
		g_string_append_len(out, p, host - p);
		host = at != NULL ? at + 1 : host;
		g_string_append_len(out, host, stop - host);
		if (end == NULL)
			break;
		g_string_append_c(out, ',');
		p = end + 1;
	}
	return g_string_free(out, FALSE);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
	bridge *b = closure;
	char url[256] = "";

	if (natsConnection_GetConnectedUrl(nc, url, sizeof url) != NATS_OK)
		g_strlcpy(url, "?", sizeof url);
	nm_counter_add(b->c_reconnects, 1);
	{
		char *shown = redact_urls(url);
		NM_NOTICE(b->p, "reconnected to NATS at %s", shown);
		g_free(shown);
	}
	g_mutex_lock(&b->lock);
	g_cond_broadcast(&b->cond);
	g_mutex_unlock(&b->lock);
}

static void on_connected(natsConnection *nc, void *closure)
{
	bridge *b = closure;
	char url[256] = "";

	if (natsConnection_GetConnectedUrl(nc, url, sizeof url) != NATS_OK)
		g_strlcpy(url, "?", sizeof url);
	{
		char *shown = redact_urls(url);
		NM_NOTICE(b->p, "connected to NATS at %s", shown);
		g_free(shown);
	}
	g_mutex_lock(&b->lock);
	g_cond_broadcast(&b->cond);
	g_mutex_unlock(&b->lock);
}

static void on_async_error(natsConnection *nc, natsSubscription *sub,
			   natsStatus err, void *closure)
{
	(void)nc;
	(void)sub;
	log_error(closure, "NATS: %s", natsStatus_GetText(err));
}

static void on_pub_ack_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
	bridge *b = closure;

	(void)js;
	nm_counter_add(b->c_publish_errors, 1);
	log_error(b, "JetStream refused a message: %s (%d %s)",
		  natsStatus_GetText(pae->Err), (int)pae->ErrCode,
		  pae->ErrText != NULL ? pae->ErrText : "");
}

/* ------------------------------------------------------------------ */
/* Connection and stream                                               */

static gboolean connected(bridge *b)
{
	return natsConnection_Status(b->nc) == NATS_CONN_STATUS_CONNECTED;
}

/* Wait until connected and (with JetStream) the stream exists.
 * Returns FALSE when stopping. Any thread. */
static gboolean wait_ready(bridge *b)
{
	int attempt = 0;

	for (;;) {
		gboolean ready;

		g_mutex_lock(&b->lock);
		while (!b->stopping && !connected(b))
			wait_locked(b, 200000);
		if (b->stopping) {
			g_mutex_unlock(&b->lock);
			return FALSE;
		}
		g_mutex_unlock(&b->lock);
		if (!b->jetstream)
			return TRUE;
		/* Create the stream if missing, once: network calls under
		 * setup_lock only, never under the lock stats() takes. */
		g_mutex_lock(&b->setup_lock);
		ready = g_atomic_int_get(&b->stream_ready);
		if (!ready) {
			jsStreamInfo *si = NULL;
			jsErrCode jerr = 0;
			natsStatus s = js_GetStreamInfo(&si, b->js, b->stream, NULL, &jerr);
			if (s == NATS_NOT_FOUND) {
				jsStreamConfig cfg;
				char *subj = g_strdup_printf("%s.>", b->prefix);
				const char *subjects[1] = { subj };
				s = jsStreamConfig_Init(&cfg);
				if (s == NATS_OK) {
					cfg.Name = b->stream;
					cfg.Subjects = subjects;
					cfg.SubjectsLen = 1;
					cfg.MaxBytes = b->stream_max_bytes;
					cfg.MaxMsgs = b->stream_max_msgs;
					cfg.MaxAge = b->stream_max_age_us * 1000;
					cfg.Storage = b->stream_memory ? js_MemoryStorage
								       : js_FileStorage;
					cfg.Replicas = b->stream_replicas;
					s = js_AddStream(&si, b->js, &cfg, NULL, &jerr);
					if (s == NATS_OK)
						NM_NOTICE(b->p, "created JetStream stream %s "
							  "for %s", b->stream, subj);
					else if (jerr == JSStreamNameExistErr)
						s = NATS_OK;
				}
				g_free(subj);
			}
			jsStreamInfo_Destroy(si);
			if (s == NATS_OK) {
				g_atomic_int_set(&b->stream_ready, TRUE);
				ready = TRUE;
			} else {
				log_error(b, "JetStream stream %s: %s (%d)", b->stream,
					  natsStatus_GetText(s), (int)jerr);
			}
		}
		g_mutex_unlock(&b->setup_lock);
		if (ready)
			return TRUE;
		if (sleep_or_stop(b, backoff_ms(b, ++attempt) * 1000))
			return FALSE;
	}
}

/* ------------------------------------------------------------------ */
/* Edge                                                                */

/* Bus delivery: queue references for the sender thread. */
static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	bridge *b = data;
	guint dropped = 0, loops = 0;

	g_mutex_lock(&b->lock);
	for (guint i = 0; i < n; i++) {
		nm_msg *m = msgs[i];
		if (g_hash_table_size(b->relayed) > 0 &&
		    g_hash_table_remove(b->relayed, m)) {
			loops++;
			continue;
		}
		if ((gint64)b->backlog.length >= b->queue_size) {
			nm_msg_unref(g_queue_pop_head(&b->backlog));
			dropped++;
		}
		g_queue_push_tail(&b->backlog, nm_msg_ref(m));
	}
	g_cond_broadcast(&b->cond);
	g_mutex_unlock(&b->lock);
	if (dropped > 0) {
		nm_counter_add(b->c_backlog_dropped, dropped);
		log_error(b, "send queue full (%" G_GINT64_FORMAT "): dropped the "
			  "oldest messages", b->queue_size);
	}
	if (loops > 0)
		nm_counter_add(b->c_skipped_loop, loops);
}

static char *subject_for(const bridge *b, const nm_msg *m)
{
	return g_strdup_printf("%s.%s.%s", b->prefix, nm_msg_type_name(m->type),
			       b->host_token);
}

/* Publish @batch; returns how many were handed to NATS (a prefix). */
static guint send_batch(bridge *b, nm_msg **batch, guint n)
{
	guint sent = 0;

	for (; sent < n; sent++) {
		GBytes *bytes = nm_wire_encode(batch[sent]);
		char *subj;
		gsize len;
		const void *data;
		natsStatus s;

		if (bytes == NULL) {
			nm_counter_add(b->c_publish_errors, 1);
			continue;
		}
		subj = subject_for(b, batch[sent]);
		data = g_bytes_get_data(bytes, &len);
		if (b->jetstream)
			s = js_PublishAsync(b->js, subj, data, (int)len, NULL);
		else
			s = natsConnection_Publish(b->nc, subj, data, (int)len);
		g_free(subj);
		g_bytes_unref(bytes);
		if (s != NATS_OK) {
			log_error(b, "publish: %s", natsStatus_GetText(s));
			break;
		}
	}
	return sent;
}

/* JetStream: wait for the acks of everything in flight; re-send what is
 * still unacknowledged after publish_timeout until acked or stopping. */
static void complete_js(bridge *b)
{
	int attempt = 0;

	for (;;) {
		jsPubOptions po;
		natsMsgList pending = { 0 };
		natsStatus s;

		if (jsPubOptions_Init(&po) != NATS_OK)
			return;
		po.MaxWait = b->publish_timeout_ms;
		s = js_PublishAsyncComplete(b->js, &po);
		if (s == NATS_OK)
			return;
		if (js_PublishAsyncGetPendingList(&pending, b->js) != NATS_OK)
			return; /* nothing pending any more */
		log_error(b, "%d messages not acknowledged by JetStream after "
			  "%" G_GINT64_FORMAT " ms (%s): re-sending", pending.Count,
			  b->publish_timeout_ms, natsStatus_GetText(s));
		nm_counter_add(b->c_retries, (guint64)pending.Count);
		if (sleep_or_stop(b, backoff_ms(b, ++attempt) * 1000)) {
			natsMsgList_Destroy(&pending);
			return;
		}
		for (int i = 0; i < pending.Count; i++) {
			natsStatus r = NATS_OK;
			while (pending.Msgs[i] != NULL &&
			       (r = js_PublishMsgAsync(b->js, &pending.Msgs[i], NULL)) != NATS_OK) {
				if (sleep_or_stop(b, backoff_ms(b, ++attempt) * 1000))
					break;
			}
			if (r != NATS_OK)
				break;
		}
		natsMsgList_Destroy(&pending);
	}
}

static gpointer sender_main(gpointer data)
{
	bridge *b = data;
	const guint max = 1024;
	nm_msg **batch = g_new(nm_msg *, max);

	while (wait_ready(b)) {
		guint n = 0, sent;

		g_mutex_lock(&b->lock);
		while (!b->stopping && b->backlog.length == 0)
			g_cond_wait(&b->cond, &b->lock);
		while (n < max && b->backlog.length > 0)
			batch[n++] = g_queue_pop_head(&b->backlog);
		g_mutex_unlock(&b->lock);
		if (n == 0)
			continue; /* stopping */
		sent = send_batch(b, batch, n);
		if (b->jetstream && sent > 0)
			complete_js(b);
		nm_counter_add(b->c_published, sent);
		for (guint i = 0; i < sent; i++)
			nm_msg_unref(batch[i]);
		if (sent < n) {
			/* Put the rest back in front, in order, and back off. */
			g_mutex_lock(&b->lock);
			for (guint i = n; i > sent; i--)
				g_queue_push_head(&b->backlog, batch[i - 1]);
			g_mutex_unlock(&b->lock);
			if (sleep_or_stop(b, b->reconnect_wait_ms * 1000))
				break;
		}
	}
	g_free(batch);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Central                                                             */

/* Take one message from NATS into the bus. Returns TRUE when it should be
 * acknowledged (accepted, or not for us), FALSE to have it redelivered. */
static gboolean take(bridge *b, natsMsg *nm)
{
	const char *subj = natsMsg_GetSubject(nm);
	gsize plen = strlen(b->prefix);
	nm_msg *m;
	GError *err = NULL;
	gboolean watch;
	guint queued;

	nm_counter_add(b->c_received, 1);
	if (!b->accept_own && subj != NULL && strncmp(subj, b->prefix, plen) == 0) {
		const char *host = strrchr(subj, '.');
		if (host != NULL && strcmp(host + 1, b->host_token) == 0) {
			nm_counter_add(b->c_skipped_own, 1);
			return TRUE;
		}
	}
	m = nm_wire_decode((const guint8 *)natsMsg_GetData(nm),
			   (gsize)MAX(natsMsg_GetDataLength(nm), 0), &err);
	if (m == NULL) {
		nm_counter_add(b->c_decode_errors, 1);
		log_error(b, "%s: %s", subj != NULL ? subj : "?", err->message);
		g_error_free(err);
		return TRUE;
	}
	if ((b->subscribe_mask & NM_MSG_MASK(m->type)) == 0) {
		nm_counter_add(b->c_skipped_type, 1);
		nm_msg_unref(m);
		return TRUE;
	}
	/* Remember it (before publishing) so our edge side does not echo it. */
	watch = (b->publish_mask & NM_MSG_MASK(m->type)) != 0;
	if (watch) {
		g_mutex_lock(&b->lock);
		if (g_hash_table_size(b->relayed) >= RELAYED_MAX)
			g_hash_table_remove_all(b->relayed);
		g_hash_table_add(b->relayed, nm_msg_ref(m));
		g_mutex_unlock(&b->lock);
	}
	if (watch)
		nm_msg_ref(m); /* to look it up again below */
	queued = nm_plugin_publish(b->p, m);
	if (watch) {
		if (queued == 0) {
			g_mutex_lock(&b->lock);
			g_hash_table_remove(b->relayed, m);
			g_mutex_unlock(&b->lock);
		}
		nm_msg_unref(m);
	}
	if (queued == 0) {
		nm_counter_add(b->c_bus_rejected, 1);
		return FALSE;
	}
	return TRUE;
}

/* Core NATS subscription callback (libnats thread). */
static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
		   void *closure)
{
	(void)nc;
	(void)sub;
	take(closure, msg);
	natsMsg_Destroy(msg);
}

static void noop_job(gpointer data, gpointer unused)
{
	(void)data;
	(void)unused;
}

static gpointer fetcher_main(gpointer data)
{
	bridge *b = data;
	natsSubscription *sub = NULL;
	int attempt = 0;

	while (wait_ready(b)) {
		natsMsgList list = { 0 };
		jsErrCode jerr = 0;
		natsStatus s;

		if (sub == NULL) {
			jsSubOptions so;
			char *subj = g_strdup_printf("%s.>", b->prefix);
			s = jsSubOptions_Init(&so);
			if (s == NATS_OK) {
				so.Stream = b->stream;
				so.Config.AckWait = 30LL * 1000000000LL;
				so.Config.MaxAckPending = 20000;
				s = js_PullSubscribe(&sub, b->js, subj, b->durable,
						     NULL, &so, &jerr);
			}
			g_free(subj);
			if (s != NATS_OK) {
				log_error(b, "pull consumer %s on %s: %s (%d)",
					  b->durable, b->stream,
					  natsStatus_GetText(s), (int)jerr);
				sub = NULL;
				if (sleep_or_stop(b, backoff_ms(b, ++attempt) * 1000))
					break;
				continue;
			}
			NM_INFO(b->p, "consuming stream %s as durable %s", b->stream,
				b->durable);
			attempt = 0;
		}
		s = natsSubscription_Fetch(&list, sub, (int)b->fetch_batch, 1000, &jerr);
		if (s == NATS_TIMEOUT)
			continue;
		if (s != NATS_OK && list.Count == 0) {
			log_error(b, "fetch: %s (%d)", natsStatus_GetText(s), (int)jerr);
			if (sleep_or_stop(b, backoff_ms(b, ++attempt) * 1000))
				break;
			continue;
		}
		attempt = 0;
		/* netmond stops its inputs, drains the bus, then closes it: once
		 * it is stopping, leave new messages in the stream (nak) rather
		 * than have them acknowledged and then dropped with the queues. */
		if (!g_atomic_int_get(&b->core_stopping) &&
		    !nm_plugin_run_in_pool(b->p, noop_job, NULL))
			g_atomic_int_set(&b->core_stopping, TRUE);
		for (int i = 0; i < list.Count; i++) {
			natsMsg *nm = list.Msgs[i];
			natsStatus a;
			if (g_atomic_int_get(&b->core_stopping)) {
				a = natsMsg_Nak(nm, NULL);
			} else if (take(b, nm)) {
				a = natsMsg_Ack(nm, NULL);
				if (a == NATS_OK)
					nm_counter_add(b->c_acked, 1);
			} else {
				a = natsMsg_NakWithDelay(nm, 1000, NULL);
			}
			if (a != NATS_OK)
				log_error(b, "ack: %s", natsStatus_GetText(a));
		}
		natsMsgList_Destroy(&list);
		/* Acks are fire-and-forget: push them out now, so a stop right
		 * after does not lose them (and redeliver the batch). */
		s = natsConnection_FlushTimeout(b->nc, 2000);
		if (s != NATS_OK)
			log_error(b, "flush of acks: %s", natsStatus_GetText(s));
	}
	if (sub != NULL) {
		/* Keep the durable: just drop our interest. */
		natsSubscription_Destroy(sub);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Stats                                                               */

static JsonNode *stats(nm_plugin *p, gpointer data)
{
	bridge *b = data;
	JsonBuilder *jb = json_builder_new();
	natsStatistics *ns = NULL;
	JsonNode *node;
	guint backlog, relayed;
	char url[256] = "";

	g_mutex_lock(&b->lock);
	backlog = b->backlog.length;
	relayed = g_hash_table_size(b->relayed);
	g_mutex_unlock(&b->lock);
	(void)p;
	json_builder_begin_object(jb);
	json_builder_set_member_name(jb, "connected");
	json_builder_add_boolean_value(jb, connected(b));
	if (natsConnection_GetConnectedUrl(b->nc, url, sizeof url) == NATS_OK) {
		char *shown = redact_urls(url);
		json_builder_set_member_name(jb, "url");
		json_builder_add_string_value(jb, shown);
		g_free(shown);
	}
	json_builder_set_member_name(jb, "edge");
	json_builder_add_boolean_value(jb, b->publish_mask != 0);
	json_builder_set_member_name(jb, "central");
	json_builder_add_boolean_value(jb, b->subscribe_mask != 0);
	json_builder_set_member_name(jb, "jetstream");
	json_builder_add_boolean_value(jb, b->jetstream);
	if (b->jetstream) {
		json_builder_set_member_name(jb, "stream");
		json_builder_add_string_value(jb, b->stream);
		json_builder_set_member_name(jb, "stream_ready");
		json_builder_add_boolean_value(jb, g_atomic_int_get(&b->stream_ready));
		if (b->subscribe_mask != 0) {
			json_builder_set_member_name(jb, "durable");
			json_builder_add_string_value(jb, b->durable);
		}
	}
	json_builder_set_member_name(jb, "backlog");
	json_builder_add_int_value(jb, backlog);
	json_builder_set_member_name(jb, "relayed_pending");
	json_builder_add_int_value(jb, relayed);
	if (natsStatistics_Create(&ns) == NATS_OK) {
		uint64_t im = 0, ib = 0, om = 0, ob = 0, rc = 0;
		if (natsConnection_GetStats(b->nc, ns) == NATS_OK &&
		    natsStatistics_GetCounts(ns, &im, &ib, &om, &ob, &rc) == NATS_OK) {
			json_builder_set_member_name(jb, "nats");
			json_builder_begin_object(jb);
			json_builder_set_member_name(jb, "in_msgs");
			json_builder_add_int_value(jb, (gint64)im);
			json_builder_set_member_name(jb, "in_bytes");
			json_builder_add_int_value(jb, (gint64)ib);
			json_builder_set_member_name(jb, "out_msgs");
			json_builder_add_int_value(jb, (gint64)om);
			json_builder_set_member_name(jb, "out_bytes");
			json_builder_add_int_value(jb, (gint64)ob);
			json_builder_set_member_name(jb, "reconnects");
			json_builder_add_int_value(jb, (gint64)rc);
			json_builder_end_object(jb);
		}
		natsStatistics_Destroy(ns);
	}
	json_builder_end_object(jb);
	node = json_builder_get_root(jb);
	g_object_unref(jb);
	return node;
}

/* ------------------------------------------------------------------ */
/* Init and shutdown                                                   */

static gboolean nats_fail(GError **err, const char *what, natsStatus s)
{
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "nats: %s: %s", what,
		    natsStatus_GetText(s));
	return FALSE;
}

static gboolean setup_options(bridge *b, const config_setting_t *conf,
			      GError **err)
{
	const char *url = nm_conf_string(conf, "url", "nats://127.0.0.1:4222");
	const char *s;
	char **urls = g_strsplit(url, ",", -1);
	natsStatus st;
	guint n = g_strv_length(urls);
	jsOptions jo;

	for (guint i = 0; i < n; i++)
		g_strstrip(urls[i]);
	g_free(b->server);
	b->server = redact_urls(url);
	st = natsOptions_Create(&b->opts);
	if (st != NATS_OK) {
		g_strfreev(urls);
		return nats_fail(err, "options", st);
	}
#define TRY(what, call)                                                      \
	do {                                                                 \
		natsStatus st_ = (call);                                     \
		if (st_ != NATS_OK) {                                        \
			g_strfreev(urls);                                    \
			return nats_fail(err, what, st_);                    \
		}                                                            \
	} while (0)
	TRY("url", natsOptions_SetServers(b->opts, (const char **)urls, (int)n));
	TRY("name", natsOptions_SetName(b->opts, nm_conf_string(conf, "name",
			nm_plugin_hostname(b->p))));
	TRY("reconnect", natsOptions_SetAllowReconnect(b->opts, true));
	TRY("reconnect", natsOptions_SetMaxReconnect(b->opts, -1));
	TRY("reconnect", natsOptions_SetCustomReconnectDelay(b->opts, reconnect_delay, b));
	TRY("reconnect", natsOptions_SetReconnectBufSize(b->opts, 64 * 1024 * 1024));
	TRY("callbacks", natsOptions_SetDisconnectedCB(b->opts, on_disconnected, b));
	TRY("callbacks", natsOptions_SetReconnectedCB(b->opts, on_reconnected, b));
	TRY("callbacks", natsOptions_SetClosedCB(b->opts, on_closed, b));
	TRY("callbacks", natsOptions_SetErrorHandler(b->opts, on_async_error, b));
	TRY("connect", natsOptions_SetRetryOnFailedConnect(b->opts, true, on_connected, b));
	TRY("timeout", natsOptions_SetTimeout(b->opts, 2000));
	if ((s = nm_conf_string(conf, "user", NULL)) != NULL)
		TRY("user", natsOptions_SetUserInfo(b->opts, s,
				nm_conf_string(conf, "password", "")));
	if ((s = nm_conf_string(conf, "token", NULL)) != NULL)
		TRY("token", natsOptions_SetToken(b->opts, s));
	if ((s = nm_conf_string(conf, "credentials", NULL)) != NULL)
		TRY("credentials", natsOptions_SetUserCredentialsFromFiles(b->opts, s, NULL));
	if ((s = nm_conf_string(conf, "nkey_seed", NULL)) != NULL)
		TRY("nkey_seed", natsOptions_SetNKeyFromSeed(b->opts, NULL, s));
	if (nm_conf_bool(conf, "tls", FALSE) || nm_conf_string(conf, "tls_ca", NULL) != NULL ||
	    nm_conf_string(conf, "tls_cert", NULL) != NULL)
		TRY("tls", natsOptions_SetSecure(b->opts, true));
	if ((s = nm_conf_string(conf, "tls_ca", NULL)) != NULL)
		TRY("tls_ca", natsOptions_LoadCATrustedCertificates(b->opts, s));
	if ((s = nm_conf_string(conf, "tls_cert", NULL)) != NULL)
		TRY("tls_cert", natsOptions_LoadCertificatesChain(b->opts, s,
				nm_conf_string(conf, "tls_key", NULL)));
	if ((s = nm_conf_string(conf, "tls_hostname", NULL)) != NULL)
		TRY("tls_hostname", natsOptions_SetExpectedHostname(b->opts, s));
	if (nm_conf_bool(conf, "tls_insecure", FALSE))
		TRY("tls_insecure", natsOptions_SkipServerVerification(b->opts, true));
	st = natsConnection_Connect(&b->nc, b->opts);
	if (st != NATS_OK && st != NATS_NOT_YET_CONNECTED)
		TRY("connect", st);
	if (b->jetstream) {
		TRY("jetstream", jsOptions_Init(&jo));
		jo.PublishAsync.MaxPending = 8192;
		jo.PublishAsync.ErrHandler = on_pub_ack_error;
		jo.PublishAsync.ErrHandlerClosure = b;
		TRY("jetstream", natsConnection_JetStream(&b->js, b->nc, &jo));
	}
#undef TRY
	g_strfreev(urls);
	return TRUE;
}

static void bridge_free(bridge *b)
{
	nm_msg *m;

	if (b->subs != NULL)
		g_ptr_array_unref(b->subs);
	if (b->js != NULL)
		jsCtx_Destroy(b->js);
	if (b->nc != NULL) {
		gint64 until = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
		gboolean closed;
		natsConnection_Close(b->nc);
		/* libnats calls back asynchronously: wait for the last one
		 * before freeing what the callbacks use. */
		g_mutex_lock(&b->lock);
		b->stopping = TRUE;
		while (!b->closed)
			if (!g_cond_wait_until(&b->cond, &b->lock, until))
				break;
		closed = b->closed;
		g_mutex_unlock(&b->lock);
		if (!closed) {
			/* A callback may still come: keep what it uses (a
			 * bounded leak at stop) rather than free it under it. */
			NM_WARNING(b->p, "libnats did not report the connection "
				   "closed within 20 s; its state is not freed");
			return;
		}
		natsConnection_Destroy(b->nc);
	}
	natsOptions_Destroy(b->opts);
	while ((m = g_queue_pop_head(&b->backlog)) != NULL)
		nm_msg_unref(m);
	if (b->relayed != NULL)
		g_hash_table_unref(b->relayed);
	g_mutex_clear(&b->lock);
	g_mutex_clear(&b->setup_lock);
	g_cond_clear(&b->cond);
	g_free(b->prefix);
	g_free(b->host_token);
	g_free(b->stream);
	g_free(b->durable);
	g_free(b->server);
	g_free(b);
}

/* Drain a core NATS subscription (waits for running callbacks), free it. */
static void sub_destroy(gpointer sub)
{
	if (natsSubscription_DrainTimeout(sub, 2000) == NATS_OK)
		(void)natsSubscription_WaitForDrainCompletion(sub, 3000);
	natsSubscription_Destroy(sub);
}

static void relayed_unref(gpointer m)
{
	nm_msg_unref(m);
}

/* libnats keeps library-wide threads running after the last connection
 * closed; netmond unloads the plugin (and with it libnats) at shutdown or
 * reload, which would pull the code from under them. Pin libnats in
 * memory once. */
static void pin_libnats(nm_plugin *p)
{
	static gsize done = 0;

	if (g_once_init_enter(&done)) {
		Dl_info info;
		void *h = NULL;
		if (dladdr((void *)natsConnection_Connect, &info) != 0 &&
		    info.dli_fname != NULL)
			h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE);
		if (h == NULL)
			NM_WARNING(p, "cannot pin libnats in memory: %s", dlerror());
		g_once_init_leave(&done, 1);
	}
}

static gboolean nats_init(nm_plugin *p, const config_setting_t *conf,
			  GError **err)
{
	bridge *b = g_new0(bridge, 1);
	const char *host = nm_plugin_hostname(p);

	pin_libnats(p);
	b->p = p;
	g_mutex_init(&b->lock);
	g_mutex_init(&b->setup_lock);
	g_cond_init(&b->cond);
	b->subs = g_ptr_array_new_with_free_func(sub_destroy);
	g_queue_init(&b->backlog);
	b->relayed = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					   relayed_unref, NULL);
	if (!type_mask(conf, "publish", &b->publish_mask, err) ||
	    !type_mask(conf, "subscribe", &b->subscribe_mask, err)) {
		bridge_free(b);
		return FALSE;
	}
	b->prefix = g_strdup(nm_conf_string(conf, "subject_prefix", "netmon"));
	b->host_token = g_strcanon(g_strdup(host != NULL && *host ? host : "unknown"),
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789_-", '_');
	b->jetstream = nm_conf_bool(conf, "jetstream", TRUE);
	b->accept_own = nm_conf_bool(conf, "accept_own", FALSE);
	b->stream = g_strdup(nm_conf_string(conf, "stream", "NETMON"));
	b->durable = g_strdup(nm_conf_string(conf, "durable", "netmon-central"));
	b->fetch_batch = nm_conf_int(conf, "fetch_batch", 256);
	b->queue_size = nm_conf_int(conf, "queue_size", 1000000);
	b->reconnect_wait_ms = nm_conf_duration(conf, "reconnect_wait", 500000) / 1000;
	b->reconnect_max_ms = nm_conf_duration(conf, "reconnect_wait_max",
					       30 * G_USEC_PER_SEC) / 1000;
	b->reconnect_max_ms = MAX(b->reconnect_max_ms, b->reconnect_wait_ms);
	b->publish_timeout_ms = nm_conf_duration(conf, "publish_timeout",
						 5 * G_USEC_PER_SEC) / 1000;
	b->stream_max_bytes = nm_conf_int(conf, "stream_max_bytes", 1LL << 30);
	b->stream_max_msgs = nm_conf_int(conf, "stream_max_msgs", -1);
	b->stream_max_age_us = nm_conf_duration(conf, "stream_max_age",
						7LL * 86400 * G_USEC_PER_SEC);
	b->stream_replicas = nm_conf_int(conf, "stream_replicas", 1);
	b->stream_memory = g_strcmp0(nm_conf_string(conf, "stream_storage", "file"),
				     "memory") == 0;
	b->c_published = nm_plugin_counter(p, "sent");
	b->c_publish_errors = nm_plugin_counter(p, "publish_errors");
	b->c_backlog_dropped = nm_plugin_counter(p, "queue_dropped");
	b->c_retries = nm_plugin_counter(p, "resent");
	b->c_received = nm_plugin_counter(p, "received");
	b->c_acked = nm_plugin_counter(p, "acked");
	b->c_decode_errors = nm_plugin_counter(p, "decode_errors");
	b->c_bus_rejected = nm_plugin_counter(p, "bus_rejected");
	b->c_skipped_own = nm_plugin_counter(p, "skipped_own");
	b->c_skipped_type = nm_plugin_counter(p, "skipped_type");
	b->c_skipped_loop = nm_plugin_counter(p, "skipped_loop");
	b->c_disconnects = nm_plugin_counter(p, "disconnects");
	b->c_reconnects = nm_plugin_counter(p, "reconnects");
	if (!setup_options(b, conf, err)) {
		bridge_free(b);
		return FALSE;
	}
	nm_plugin_set_data(p, b);
	nm_plugin_set_stats(p, stats, b);
	if (b->subscribe_mask != 0 && !b->jetstream) {
		/* Core NATS: libnats delivers on its own threads. */
		for (int t = 0; t < NM_MSG_N_TYPES; t++) {
			natsSubscription *sub = NULL;
			char *subj;
			natsStatus s;
			if ((b->subscribe_mask & NM_MSG_MASK(t)) == 0)
				continue;
			subj = g_strdup_printf("%s.%s.*", b->prefix,
					       nm_msg_type_name((nm_msg_type)t));
			s = natsConnection_Subscribe(&sub, b->nc, subj, on_msg, b);
			g_free(subj);
			if (s != NATS_OK) {
				nm_plugin_set_stats(p, NULL, NULL);
				bridge_free(b);
				return nats_fail(err, "subscribe", s);
			}
			g_ptr_array_add(b->subs, sub);
			/* A burst must not overflow libnats' default 65536
			 * pending messages (slow consumer drops). */
			s = natsSubscription_SetPendingLimits(sub, 4000000,
							      1024 * 1024 * 1024);
			if (s != NATS_OK)
				NM_WARNING(p, "pending limits: %s",
					   natsStatus_GetText(s));
		}
	}
	if (b->publish_mask != 0) {
		nm_sub_options o = { .high_water = 65536, .policy = NM_OVERFLOW_BLOCK,
				     .block_timeout = G_USEC_PER_SEC,
				     .max_batch = 1024 };
		if (!nm_plugin_subscribe(p, "edge", b->publish_mask, &o, deliver,
					 b, err)) {
			nm_plugin_set_stats(p, NULL, NULL);
			bridge_free(b);
			return FALSE;
		}
		b->sender = g_thread_new("nats-send", sender_main, b);
	}
	if (b->subscribe_mask != 0 && b->jetstream)
		b->fetcher = g_thread_new("nats-fetch", fetcher_main, b);
	NM_INFO(p, "%s%s%s, subjects %s.<type>.%s%s",
		b->publish_mask != 0 ? "edge" : "",
		b->publish_mask != 0 && b->subscribe_mask != 0 ? " and " : "",
		b->subscribe_mask != 0 ? "central" : "", b->prefix, b->host_token,
		b->jetstream ? ", JetStream" : "");
	return TRUE;
}

static void nats_shutdown(nm_plugin *p)
{
	bridge *b = nm_plugin_get_data(p);
	gint64 deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

	/* Give the sender a moment to hand over what is queued. */
	g_mutex_lock(&b->lock);
	while (b->sender != NULL && b->backlog.length > 0 && connected(b) &&
	       g_get_monotonic_time() < deadline) {
		g_mutex_unlock(&b->lock);
		g_usleep(10000);
		g_mutex_lock(&b->lock);
	}
	if (b->backlog.length > 0)
		NM_WARNING(p, "%u messages not sent at shutdown", b->backlog.length);
	b->stopping = TRUE;
	g_cond_broadcast(&b->cond);
	g_mutex_unlock(&b->lock);
	if (b->sender != NULL)
		g_thread_join(b->sender);
	if (b->fetcher != NULL)
		g_thread_join(b->fetcher);
	if (b->js != NULL && b->publish_mask != 0 && connected(b)) {
		jsPubOptions po;
		if (jsPubOptions_Init(&po) == NATS_OK) {
			po.MaxWait = 2000;
			if (js_PublishAsyncComplete(b->js, &po) != NATS_OK)
				NM_WARNING(p, "some messages unacknowledged at shutdown");
		}
	}
	if (b->nc != NULL && b->js == NULL && connected(b) &&
	    natsConnection_FlushTimeout(b->nc, 2000) != NATS_OK)
		NM_WARNING(p, "flush at shutdown failed");
	nm_plugin_set_stats(p, NULL, NULL);
	bridge_free(b);
}

NM_PLUGIN_DEFINE(.name = "nats", .version = "1",
		 .description = "bridges bus messages between nodes over NATS "
				"(JetStream)",
		 .config_keys = keys, .validate = nats_validate,
		 .init = nats_init, .shutdown = nats_shutdown);
