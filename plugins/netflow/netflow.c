/* netmon netflow plugin — NetFlow v5/v9 and IPFIX collector.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * UDP listeners (IPv4/IPv6, non-blocking, large SO_RCVBUF, recvmmsg
 * batches) and IPFIX-over-TCP listeners feed the pure decoder (decode.c).
 * Every recvmmsg batch is published as FLOW messages, one per (exporter,
 * observation domain) present in the batch. Records are aggregated
 * (agg.c) and published as METRICs every interval; `netmonctl flows top`
 * reports top talkers. Templates are persisted in state_dir.
 *
 * Threads: each UDP listener has a receive thread of its own ("nf-rx")
 * that waits in poll(), reads with recvmmsg, decodes, aggregates and
 * publishes (nm_plugin_publish_batch is thread-safe), so nothing the main
 * loop runs (other plugins' timers and watches, the interval's rotation,
 * stats, control commands) delays the reading of a UDP socket. The
 * template cache and the aggregator are not thread-safe: np->lock guards
 * them (receive threads hold it while they decode and aggregate one
 * recvmmsg batch; the main thread for TCP input, the interval's end,
 * stats and `flows top`). Messages are published outside the lock.
 * Shutdown stops the threads (an eventfd wakes them) and joins them
 * before anything is freed. See README for the settings.
 */
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/sock_diag.h>

#include <netmon/plugin.h>

#include "decode.h"
#include "agg.h"

#define VLEN 64              /* datagrams per recvmmsg */
#define DGRAM_MAX 65536
#define MAX_TCP_CONNS 64
#define READS_PER_WAKEUP 16  /* TCP: not used; UDP: stop checked this often */
#define RX_POLL_MS 1000      /* receive thread's poll timeout: socket drops
				read at least this often */
#define FLUSH_RECORDS 65536  /* records decoded before a batch is flushed early */

typedef struct nf_plugin nf_plugin;

/* What one reader (a UDP receive thread, or the main thread for TCP)
 * decodes into: the datagram buffers of a recvmmsg batch and the records
 * and (exporter, domain) groups of the current batch. */
typedef struct {
	guint8 *bufs;            /* VLEN x DGRAM_MAX (UDP only) */
	struct mmsghdr msgs[VLEN];
	struct iovec iov[VLEN];
	struct sockaddr_storage from[VLEN];
	nf_output out;           /* every record of the current batch */
	GArray *groups;          /* nf_group, reused per batch */
} nf_batch;

typedef struct {
	nf_plugin *np;
	int fd;
	guint watch;
	gboolean listener;   /* TCP listening socket */
	gboolean tcp;
	nm_ip peer;
	guint8 *buf;         /* TCP: bytes of an incomplete message */
	gsize have;
	guint32 drops;       /* UDP: kernel's drop count (SO_MEMINFO) seen last;
				receive thread only */
	GThread *thread;     /* UDP: the receive thread */
	int stop_fd;         /* UDP: eventfd written to stop the thread, or -1 */
	gint stop;           /* UDP: atomic, set before stop_fd is written */
	nf_batch *batch;     /* UDP: the receive thread's */
} nf_sock;

/* The records of one (exporter, observation domain) in the current
 * batch: b->out.recs[start .. start + n) while they are contiguous (the
 * usual case: one exporter per socket burst), else gathered in @extra. */
typedef struct {
	nm_ip exporter;
	guint32 domain;
	guint start, n;
	GArray *extra;       /* nm_flow_record, or NULL */
} nf_group;

typedef struct {
	nm_ip addr;
	char *name;
} nf_name;

struct nf_plugin {
	nm_plugin *p;
	nf_cache *cache;
	nf_agg *agg;
	GPtrArray *socks;        /* nf_sock* */
	GArray *names;           /* nf_name */
	gint64 interval;
	gint64 rcvbuf;
	guint top_n;
	gboolean publish_flows;
	gboolean persist;
	char *template_file;
	guint64 saved_templates; /* sum of template counters at the last save */
	GMutex lock;             /* guards cache and agg (see the top) */
	nf_batch *tcp_batch;     /* the main thread's, for IPFIX over TCP */
	nm_counter *c_datagrams, *c_records, *c_malformed, *c_misses,
		   *c_seq_gaps, *c_batches, *c_recv_errors, *c_unknown_exporter,
		   *c_tcp_conns, *c_socket_drops;
};

static const nm_conf_key exporter_keys[] = {
	{ .name = "address", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "exporter IP address" },
	{ .name = "name", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "host name used in metrics and reports" },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "listen", .kind = NM_CONF_ARRAY, .has_range = TRUE, .min = 0,
	  .max = 64, .help = "UDP addresses \"host:port\" ([v6]:port)" },
	{ .name = "listen_tcp", .kind = NM_CONF_ARRAY, .has_range = TRUE,
	  .min = 0, .max = 64, .help = "IPFIX over TCP addresses" },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.1, .max = 86400, .help = "aggregation interval" },
	{ .name = "receive_buffer", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 65536, .max = 1073741824, .help = "SO_RCVBUF bytes" },
	{ .name = "top_n", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1,
	  .max = 1000, .help = "talkers kept per interval" },
	{ .name = "history", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1,
	  .max = 10080, .help = "intervals of top talkers kept" },
	{ .name = "max_talkers", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 16, .max = 10000000, .help = "distinct talkers per interval" },
	{ .name = "max_templates", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1000000 },
	{ .name = "max_templates_per_exporter", .kind = NM_CONF_INT,
	  .has_range = TRUE, .min = 1, .max = 65536,
	  .help = "templates kept per exporter (least recently used evicted)" },
	{ .name = "max_exporters", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 100000 },
	{ .name = "pending_sets", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 100000, .help = "data sets held per exporter" },
	{ .name = "pending_timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.01, .max = 86400 },
	{ .name = "template_timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 604800 },
	{ .name = "publish_flows", .kind = NM_CONF_BOOL },
	{ .name = "persist_templates", .kind = NM_CONF_BOOL },
	{ .name = "exporters", .kind = NM_CONF_LIST, .children = exporter_keys },
	{ .name = NULL }
};

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

static void ip_from_sockaddr(nm_ip *ip, const struct sockaddr_storage *ss)
{
	memset(ip, 0, sizeof *ip);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
		ip->family = AF_INET;
		memcpy(ip->addr, &s->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
			ip->family = AF_INET;
			memcpy(ip->addr, s->sin6_addr.s6_addr + 12, 4);
		} else {
			ip->family = AF_INET6;
			memcpy(ip->addr, &s->sin6_addr, 16);
		}
	}
}

static gboolean ip_parse(const char *text, nm_ip *ip)
{
	memset(ip, 0, sizeof *ip);
	if (inet_pton(AF_INET, text, ip->addr) == 1) {
		ip->family = AF_INET;
		return TRUE;
	}
	if (inet_pton(AF_INET6, text, ip->addr) == 1) {
		ip->family = AF_INET6;
		return TRUE;
	}
	return FALSE;
}

/* Split "host:port" / "[v6]:port" into a resolved address. */
static gboolean parse_endpoint(const char *spec, int socktype,
			       struct addrinfo **res, GError **err)
{
	char *host, *port;
	const char *colon;
	struct addrinfo hints = { .ai_socktype = socktype,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	int rc;

	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (end == NULL || end[1] != ':')
			goto bad;
		host = g_strndup(spec + 1, (gsize)(end - spec - 1));
		port = g_strdup(end + 2);
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || strchr(spec, ':') != colon)
			goto bad;
		host = g_strndup(spec, (gsize)(colon - spec));
		port = g_strdup(colon + 1);
	}
	rc = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, res);
	g_free(host);
	g_free(port);
	if (rc != 0) {
		g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
			    "netflow: cannot resolve '%s': %s", spec,
			    gai_strerror(rc));
		return FALSE;
	}
	return TRUE;
bad:
	g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
		    "netflow: '%s' is not host:port or [v6]:port", spec);
	return FALSE;
}

static const char *exporter_name(nf_plugin *np, const nm_ip *ip, char *buf,
				 gsize size)
{
	for (guint i = 0; i < np->names->len; i++) {
		nf_name *n = &g_array_index(np->names, nf_name, i);
		if (n->addr.family == ip->family &&
		    memcmp(n->addr.addr, ip->addr, ip->family == AF_INET ? 4 : 16) == 0)
			return n->name;
	}
	return nf_ip_to_string(ip, buf, size);
}

/* ------------------------------------------------------------------ */
/* Decoding and publishing                                             */

/* Note that b->out.recs[start .. start + n) came from (@ex, @domain). */
static void add_to_group(nf_batch *b, const nm_ip *ex, guint32 domain,
			 guint start, guint n)
{
	nf_group *g = NULL;
	const nm_flow_record *recs = b->out.recs;

	for (guint i = 0; i < b->groups->len; i++) {
		nf_group *x = &g_array_index(b->groups, nf_group, i);
		if (x->domain == domain && x->exporter.family == ex->family &&
		    memcmp(x->exporter.addr, ex->addr, 16) == 0) {
			g = x;
			break;
		}
	}
	if (g == NULL) {
		nf_group ng = { .exporter = *ex, .domain = domain, .start = start,
				.n = n };
		g_array_append_val(b->groups, ng);
		return;
	}
	if (g->extra == NULL && g->start + g->n == start) {
		g->n += n;
		return;
	}
	if (g->extra == NULL) {
		g->extra = g_array_sized_new(FALSE, FALSE, sizeof(nm_flow_record),
					     g->n + n);
		g_array_append_vals(g->extra, recs + g->start, g->n);
	}
	g_array_append_vals(g->extra, recs + start, n);
}

/* Decode one datagram/message from @ex and account it; its records are
 * appended to b->out (the batch), no copy. Caller holds np->lock. */
static void handle_packet(nf_plugin *np, nf_batch *b, const nm_ip *ex,
			  const guint8 *buf, gsize len, gint64 now)
{
	nf_counters before = { 0 };
	const nf_counters *ctr = nf_cache_counters(np->cache, ex);
	guint start = b->out.n;
	gboolean ok;

	if (ctr != NULL)
		before = *ctr;
	ok = nf_decode(np->cache, ex, buf, len, now, &b->out);
	nm_counter_add(np->c_datagrams, 1);
	ctr = nf_cache_counters(np->cache, ex);
	if (ctr == NULL) {
		nm_counter_add(np->c_unknown_exporter, 1);
		return;
	}
	(void)ok;
	nm_counter_add(np->c_malformed, ctr->malformed - before.malformed);
	nm_counter_add(np->c_misses, ctr->template_misses - before.template_misses);
	nm_counter_add(np->c_seq_gaps, ctr->seq_gaps - before.seq_gaps);
	if (b->out.n == start)
		return;
	nm_counter_add(np->c_records, b->out.n - start);
	add_to_group(b, ex, b->out.domain, start, b->out.n - start);
}

/* Aggregate what the current batch @b decoded and make its FLOW messages
 * (appended to @msgs, which the caller publishes after unlocking), then
 * empty the batch. Caller holds np->lock. */
static void flush_groups(nf_plugin *np, nf_batch *b, gint64 now, GPtrArray *msgs)
{
	for (guint i = 0; i < b->groups->len; i++) {
		nf_group *g = &g_array_index(b->groups, nf_group, i);
		char buf[64];
		const char *name = exporter_name(np, &g->exporter, buf, sizeof buf);
		const nm_flow_record *recs = g->extra != NULL
			? (const nm_flow_record *)g->extra->data
			: b->out.recs + g->start;
		guint n = g->extra != NULL ? g->extra->len : g->n;

		nf_agg_add(np->agg, name, recs, n);
		if (np->publish_flows) {
			nm_msg *m = nm_flow_batch_new(name, g->domain, now, n, recs);
			if (m != NULL)
				g_ptr_array_add(msgs, m);
		}
		if (g->extra != NULL)
			g_array_unref(g->extra);
	}
	g_array_set_size(b->groups, 0);
	nf_output_reset(&b->out);
}

/* Publish the FLOW messages flush_groups() made (outside np->lock: a
 * BLOCK subscriber may make this wait) and empty @msgs. */
static void publish_msgs(nf_plugin *np, GPtrArray *msgs)
{
	if (msgs->len == 0)
		return;
	nm_plugin_publish_batch(np->p, (nm_msg *const *)msgs->pdata, msgs->len);
	nm_counter_add(np->c_batches, msgs->len);
	g_ptr_array_set_size(msgs, 0);
}

/* flush_groups() then publish_msgs(); takes np->lock itself (main thread). */
static void flush_now(nf_plugin *np, nf_batch *b, gint64 now)
{
	GPtrArray *msgs = g_ptr_array_new();

	g_mutex_lock(&np->lock);
	flush_groups(np, b, now, msgs);
	g_mutex_unlock(&np->lock);
	publish_msgs(np, msgs);
	g_ptr_array_free(msgs, TRUE);
}

static nf_batch *batch_new(gboolean udp)
{
	nf_batch *b = g_new0(nf_batch, 1);

	b->groups = g_array_new(FALSE, FALSE, sizeof(nf_group));
	if (udp)
		b->bufs = g_malloc((gsize)VLEN * DGRAM_MAX);
	return b;
}

static void batch_free(nf_batch *b)
{
	if (b == NULL)
		return;
	for (guint i = 0; i < b->groups->len; i++)
		if (g_array_index(b->groups, nf_group, i).extra != NULL)
			g_array_unref(g_array_index(b->groups, nf_group, i).extra);
	g_array_unref(b->groups);
	nf_output_clear(&b->out);
	g_free(b->bufs);
	g_free(b);
}

/* Count datagrams the kernel dropped on @s (receive buffer full) since
 * the last look: SO_MEMINFO's SK_MEMINFO_DROPS, the socket's cumulative
 * sk_drops (socket(7), sock_diag.h). */
static void note_drops(nf_sock *s)
{
	guint32 mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof mi;

	if (s->tcp || getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mi, &len) != 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(guint32))
		return;
	nm_counter_add(s->np->c_socket_drops, (guint32)(mi[SK_MEMINFO_DROPS] - s->drops));
	s->drops = mi[SK_MEMINFO_DROPS];
}

/* Read what @s holds: recvmmsg batches until the socket is empty (or a
 * stop is asked for); each batch decoded and aggregated under np->lock
 * and published after. Receive thread only. */
static void read_udp(nf_sock *s, GPtrArray *msgs)
{
	nf_plugin *np = s->np;
	nf_batch *b = s->batch;

	for (guint round = 0; ; round++) {
		if (round % READS_PER_WAKEUP == READS_PER_WAKEUP - 1 &&
		    g_atomic_int_get(&s->stop))
			break;
		for (int i = 0; i < VLEN; i++) {
			b->iov[i].iov_base = b->bufs + (gsize)i * DGRAM_MAX;
			b->iov[i].iov_len = DGRAM_MAX;
			memset(&b->msgs[i].msg_hdr, 0, sizeof b->msgs[i].msg_hdr);
			b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
			b->msgs[i].msg_hdr.msg_iovlen = 1;
			b->msgs[i].msg_hdr.msg_name = &b->from[i];
			b->msgs[i].msg_hdr.msg_namelen = sizeof b->from[i];
			b->msgs[i].msg_len = 0;
		}
		int n = recvmmsg(s->fd, b->msgs, VLEN, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				nm_counter_add(np->c_recv_errors, 1);
			break;
		}
		gint64 now = g_get_real_time();
		g_mutex_lock(&np->lock);
		for (int i = 0; i < n; i++) {
			nm_ip ex;
			ip_from_sockaddr(&ex, &b->from[i]);
			if (ex.family == 0 || (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
				continue;
			handle_packet(np, b, &ex, b->iov[i].iov_base, b->msgs[i].msg_len, now);
			if (b->out.n >= FLUSH_RECORDS)
				flush_groups(np, b, now, msgs);  /* bounds the batch's memory */
		}
		flush_groups(np, b, now, msgs);
		g_mutex_unlock(&np->lock);
		publish_msgs(np, msgs);
		if (n < VLEN)
			break;
	}
}

/* A UDP listener's receive thread: waits for datagrams or the stop
 * eventfd, reads, and notes the kernel's drop count after each read and
 * at least every RX_POLL_MS. Returns when s->stop is set. */
static gpointer rx_thread(gpointer data)
{
	nf_sock *s = data;
	nf_plugin *np = s->np;
	GPtrArray *msgs = g_ptr_array_new();
	struct pollfd pf[2] = { { .fd = s->fd, .events = POLLIN },
				{ .fd = s->stop_fd, .events = POLLIN } };

	while (!g_atomic_int_get(&s->stop)) {
		int r = poll(pf, 2, RX_POLL_MS);
		if (r < 0) {
			if (errno != EINTR) {
				nm_counter_add(np->c_recv_errors, 1);
				g_usleep(10000);  /* no busy loop on a lasting error */
			}
			continue;
		}
		if (r > 0 && (pf[0].revents & (POLLIN | POLLERR)) != 0)
			read_udp(s, msgs);
		note_drops(s);
	}
	g_ptr_array_free(msgs, TRUE);
	return NULL;
}

/* Start @s's receive thread (UDP). FALSE with @err set if it cannot. */
static gboolean rx_start(nf_sock *s, GError **err)
{
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
			    "netflow: eventfd: %s", g_strerror(errno));
		return FALSE;
	}
	s->batch = batch_new(TRUE);
	s->thread = g_thread_try_new("nf-rx", rx_thread, s, err);
	return s->thread != NULL;
}

/* Stop and join @s's receive thread, if it runs. Main thread. What is
 * still queued in the socket is not read (the socket closes next). */
static void rx_stop(nf_sock *s)
{
	guint64 one = 1;

	if (s->thread != NULL) {
		g_atomic_int_set(&s->stop, 1);
		if (write(s->stop_fd, &one, sizeof one) != (ssize_t)sizeof one)
			NM_WARNING(s->np->p, "eventfd write: %s", g_strerror(errno));
		g_thread_join(s->thread);
		s->thread = NULL;
	}
	if (s->stop_fd >= 0 && close(s->stop_fd) != 0)
		NM_DEBUG(s->np->p, "close: %s", g_strerror(errno));
	s->stop_fd = -1;
	batch_free(s->batch);
	s->batch = NULL;
}

static void sock_close(nf_sock *s)
{
	nf_plugin *np = s->np;

	if (s->watch != 0)
		nm_plugin_remove_watch(np->p, s->watch);
	rx_stop(s);
	if (s->fd >= 0 && close(s->fd) != 0)
		NM_DEBUG(np->p, "close: %s", g_strerror(errno));
	g_ptr_array_remove(np->socks, s);
}

static void sock_free(gpointer p)
{
	nf_sock *s = p;

	g_free(s->buf);
	g_free(s);
}

/* IPFIX over TCP (RFC 7011 §10.4): messages framed by their Length. */
static gboolean on_tcp(gint fd, GIOCondition cond, gpointer data)
{
	nf_sock *s = data;
	nf_plugin *np = s->np;
	nf_batch *b = np->tcp_batch;
	gint64 now = g_get_real_time();

	(void)cond;
	for (;;) {
		ssize_t r = read(fd, s->buf + s->have, DGRAM_MAX - s->have);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (r <= 0) {
			if (r < 0)
				nm_counter_add(np->c_recv_errors, 1);
			flush_now(np, b, now);
			sock_close(s);
			return G_SOURCE_REMOVE;
		}
		s->have += (gsize)r;
		while (s->have >= 4) {
			guint16 ver = (guint16)(s->buf[0] << 8 | s->buf[1]);
			gsize mlen = (gsize)(s->buf[2] << 8 | s->buf[3]);
			if (ver != 10 || mlen < 16) {
				/* Not IPFIX: count and drop the connection, the
				 * stream cannot be re-synchronised. */
				g_mutex_lock(&np->lock);
				handle_packet(np, b, &s->peer, s->buf, s->have, now);
				g_mutex_unlock(&np->lock);
				flush_now(np, b, now);
				sock_close(s);
				return G_SOURCE_REMOVE;
			}
			if (s->have < mlen)
				break;
			g_mutex_lock(&np->lock);
			handle_packet(np, b, &s->peer, s->buf, mlen, now);
			g_mutex_unlock(&np->lock);
			if (b->out.n >= FLUSH_RECORDS)
				flush_now(np, b, now);
			memmove(s->buf, s->buf + mlen, s->have - mlen);
			s->have -= mlen;
		}
	}
	flush_now(np, b, now);
	return G_SOURCE_CONTINUE;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	nf_sock *l = data;
	nf_plugin *np = l->np;

	(void)cond;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int c = accept4(fd, (struct sockaddr *)&ss, &sl,
				SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				nm_counter_add(np->c_recv_errors, 1);
			break;
		}
		guint conns = 0;
		for (guint i = 0; i < np->socks->len; i++)
			if (((nf_sock *)np->socks->pdata[i])->tcp &&
			    !((nf_sock *)np->socks->pdata[i])->listener)
				conns++;
		if (conns >= MAX_TCP_CONNS) {
			NM_WARNING(np->p, "too many IPFIX TCP connections, refusing one");
			if (close(c) != 0)
				NM_DEBUG(np->p, "close: %s", g_strerror(errno));
			continue;
		}
		nf_sock *s = g_new0(nf_sock, 1);
		s->np = np;
		s->fd = c;
		s->tcp = TRUE;
		s->stop_fd = -1;
		s->buf = g_malloc(DGRAM_MAX);
		ip_from_sockaddr(&s->peer, &ss);
		s->watch = nm_plugin_add_watch(np->p, c, G_IO_IN | G_IO_HUP | G_IO_ERR,
					       on_tcp, s);
		g_ptr_array_add(np->socks, s);
		nm_counter_add(np->c_tcp_conns, 1);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean open_listener(nf_plugin *np, const char *spec, gboolean tcp,
			      GError **err)
{
	struct addrinfo *res = NULL;
	int fd = -1, one = 1;

	if (!parse_endpoint(spec, tcp ? SOCK_STREAM : SOCK_DGRAM, &res, err))
		return FALSE;
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
		goto fail;
	if (res->ai_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
		goto fail;
	if (!tcp) {
		int sz = (int)np->rcvbuf, got = 0;
		socklen_t gl = sizeof got;
		/* FORCE needs CAP_NET_ADMIN; fall back to the one capped by
		 * net.core.rmem_max. The kernel doubles the value for its
		 * bookkeeping (socket(7)) and reports the doubled size. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) != 0 &&
		    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz) != 0)
			NM_WARNING(np->p, "%s: SO_RCVBUF %d: %s", spec, sz,
				   g_strerror(errno));
		else if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 &&
			 got / 2 < sz)
			NM_WARNING(np->p, "%s: receive_buffer %d asked, the kernel "
				   "gave %d (net.core.rmem_max caps it without "
				   "CAP_NET_ADMIN)", spec, sz, got / 2);
	}
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0)
		goto fail;
	if (tcp && listen(fd, 16) != 0)
		goto fail;
	freeaddrinfo(res);

	nf_sock *s = g_new0(nf_sock, 1);
	s->np = np;
	s->fd = fd;
	s->tcp = tcp;
	s->listener = tcp;
	s->stop_fd = -1;
	g_ptr_array_add(np->socks, s);
	if (tcp) {
		s->watch = nm_plugin_add_watch(np->p, fd, G_IO_IN, on_accept, s);
	} else if (!rx_start(s, err)) {
		g_prefix_error(err, "%s/udp: ", spec);
		return FALSE;  /* sock_close() in shutdown closes fd */
	}
	NM_INFO(np->p, "listening on %s/%s", spec, tcp ? "tcp" : "udp");
	return TRUE;
fail:
	g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
		    "netflow: cannot listen on %s/%s: %s", spec,
		    tcp ? "tcp" : "udp", g_strerror(errno));
	if (fd >= 0)
		(void)close(fd);
	freeaddrinfo(res);
	return FALSE;
}

/* ------------------------------------------------------------------ */
/* Templates in state_dir                                              */

static guint64 templates_seen_locked(nf_plugin *np);

static void save_templates(nf_plugin *np)
{
	GError *e = NULL;
	GByteArray *b;

	if (!np->persist)
		return;
	g_mutex_lock(&np->lock);
	b = nf_cache_save(np->cache);
	np->saved_templates = templates_seen_locked(np);
	g_mutex_unlock(&np->lock);
	if (!g_file_set_contents(np->template_file, (const char *)b->data,
				 (gssize)b->len, &e)) {
		NM_WARNING(np->p, "cannot save templates: %s", e->message);
		g_error_free(e);
	}
	g_byte_array_unref(b);
}

static void load_templates(nf_plugin *np)
{
	char *data = NULL;
	gsize len = 0;
	GError *e = NULL;
	int n;

	if (!np->persist)
		return;
	if (!g_file_get_contents(np->template_file, &data, &len, &e)) {
		if (!g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			NM_WARNING(np->p, "cannot read templates: %s", e->message);
		g_error_free(e);
		return;
	}
	n = nf_cache_load(np->cache, (const guint8 *)data, len, g_get_real_time());  /* before the threads start */
	if (n < 0)
		NM_WARNING(np->p, "%s: not a valid template file, ignored (%u read)",
			   np->template_file, nf_cache_n_templates(np->cache));
	else
		NM_INFO(np->p, "%d templates restored from %s", n, np->template_file);
	g_free(data);
}

static void sum_templates(const nm_ip *ex, const nf_counters *c, guint n,
			  gpointer data)
{
	(void)ex;
	(void)n;
	*(guint64 *)data += c->templates + c->withdrawals + c->expired + c->evicted;
}

/* Sum of the template counters; caller holds np->lock (or no receive
 * thread runs yet). */
static guint64 templates_seen_locked(nf_plugin *np)
{
	guint64 n = 0;

	nf_cache_foreach_exporter(np->cache, sum_templates, &n);
	return n;
}

/* ------------------------------------------------------------------ */
/* Interval, stats, commands                                           */

static nm_run_status on_interval(nm_plugin *p, nm_timer *t, gint64 due,
				 gpointer data)
{
	nf_plugin *np = data;
	gint64 now = g_get_real_time();
	GPtrArray *metrics = g_ptr_array_new();

	gboolean save;

	(void)t;
	(void)due;
	g_mutex_lock(&np->lock);
	nf_cache_expire(np->cache, now);
	nf_agg_rotate(np->agg, now, np->interval, metrics);
	save = templates_seen_locked(np) != np->saved_templates;
	g_mutex_unlock(&np->lock);
	if (metrics->len > 0)
		nm_plugin_publish_batch(p, (nm_msg *const *)metrics->pdata, metrics->len);
	g_ptr_array_free(metrics, TRUE);
	if (save)
		save_templates(np);
	return NM_RUN_DONE;
}

typedef struct {
	nf_plugin *np;
	JsonObject *exporters;
} stats_ctx;

static void exporter_stats(const nm_ip *ex, const nf_counters *c, guint n,
			   gpointer data)
{
	stats_ctx *sc = data;
	char buf[64];
	const char *name = exporter_name(sc->np, ex, buf, sizeof buf);
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "packets", (gint64)c->packets);
	json_object_set_int_member(o, "records", (gint64)c->records);
	json_object_set_int_member(o, "options_records", (gint64)c->options_records);
	json_object_set_int_member(o, "templates", (gint64)c->templates);
	json_object_set_int_member(o, "templates_active", n);
	json_object_set_int_member(o, "withdrawals", (gint64)c->withdrawals);
	json_object_set_int_member(o, "template_misses", (gint64)c->template_misses);
	json_object_set_int_member(o, "malformed", (gint64)c->malformed);
	json_object_set_int_member(o, "sequence_gaps", (gint64)c->seq_gaps);
	json_object_set_int_member(o, "templates_expired", (gint64)c->expired);
	json_object_set_int_member(o, "templates_evicted", (gint64)c->evicted);
	json_object_set_int_member(o, "pending_sets", (gint64)c->pending_sets);
	(void)nf_agg_exporter_stats(sc->np->agg, name, o);
	json_object_set_object_member(sc->exporters, name, o);
}

static JsonNode *on_stats(nm_plugin *p, gpointer data)
{
	nf_plugin *np = data;
	JsonObject *root = json_object_new();
	stats_ctx sc = { .np = np, .exporters = json_object_new() };
	JsonNode *n = json_node_new(JSON_NODE_OBJECT);

	(void)p;
	g_mutex_lock(&np->lock);
	nf_cache_foreach_exporter(np->cache, exporter_stats, &sc);
	json_object_set_object_member(root, "exporters", sc.exporters);
	json_object_set_int_member(root, "templates", nf_cache_n_templates(np->cache));
	const nf_cache_stats *cs = nf_cache_get_stats(np->cache);
	json_object_set_int_member(root, "templates_evicted",
				   (gint64)cs->templates_evicted);
	json_object_set_int_member(root, "exporters_evicted",
				   (gint64)cs->exporters_evicted);
	g_mutex_unlock(&np->lock);
	json_node_take_object(n, root);
	return n;
}

/* "10m", "90s", "2h", "1d", "300" (seconds ago) or "@EPOCH". */
static gboolean parse_since(const char *s, gint64 *out)
{
	char *end = NULL;
	gint64 now = g_get_real_time();

	if (s[0] == '@') {
		gint64 v = g_ascii_strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end != '\0' || v < 0)
			return FALSE;
		*out = v * G_USEC_PER_SEC;
		return TRUE;
	}
	double v = g_ascii_strtod(s, &end);
	if (end == s || v < 0)
		return FALSE;
	double mult = 1;
	if (*end == 'm')
		mult = 60;
	else if (*end == 'h')
		mult = 3600;
	else if (*end == 'd')
		mult = 86400;
	else if (*end != 's' && *end != '\0')
		return FALSE;
	if (*end != '\0' && end[1] != '\0')
		return FALSE;
	*out = now - (gint64)(v * mult * G_USEC_PER_SEC);
	return TRUE;
}

static gboolean cmd_flows(nm_plugin *p, int argc, char **argv, GString *out,
			  gpointer data, GError **err)
{
	nf_plugin *np = data;
	const char *exporter = NULL;
	int by = NF_BY_SRC;
	gint64 since = g_get_real_time() - np->interval;
	gboolean json = FALSE;
	guint n = np->top_n;

	(void)p;
	if (argc < 1 || strcmp(argv[0], "top") != 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "usage: flows top [--exporter E] [--by src|dst|conv|app] "
			    "[--since TIME] [-n N] [--json]");
		return FALSE;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = TRUE;
			continue;
		}
		if (v == NULL) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "flows top: %s needs a value", a);
			return FALSE;
		}
		i++;
		if (strcmp(a, "--exporter") == 0) {
			exporter = v;
		} else if (strcmp(a, "--by") == 0) {
			by = nf_by_from_name(v);
			if (by < 0) {
				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "flows top: --by takes src, dst, conv or app, not '%s'", v);
				return FALSE;
			}
		} else if (strcmp(a, "--since") == 0) {
			if (!parse_since(v, &since)) {
				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "flows top: --since takes 90s, 10m, 2h, 1d or @EPOCH, not '%s'", v);
				return FALSE;
			}
		} else if (strcmp(a, "-n") == 0) {
			gint64 x = g_ascii_strtoll(v, NULL, 10);
			if (x < 1 || x > 1000) {
				g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "flows top: -n takes 1..1000");
				return FALSE;
			}
			n = (guint)x;
		} else {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
				    "flows top: unknown option '%s'", a);
			return FALSE;
		}
	}
	g_mutex_lock(&np->lock);
	nf_agg_top(np->agg, exporter, (nf_by)by, since, n, json, out);
	g_mutex_unlock(&np->lock);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

static gboolean netflow_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *l = config_setting_get_member(conf, "exporters");

	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		const config_setting_t *a = config_setting_get_member(e, "address");
		nm_ip ip;
		if (a != NULL && !ip_parse(config_setting_get_string(a), &ip))
			return nm_conf_error(a, err, "'%s' is not an IP address",
					     config_setting_get_string(a));
	}
	return TRUE;
}

static void netflow_shutdown(nm_plugin *p);

static gboolean add_listeners(nf_plugin *np, const config_setting_t *conf,
			      const char *key, gboolean tcp, GError **err)
{
	const config_setting_t *l = config_setting_get_member(conf, key);

	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const char *spec = config_setting_get_string_elem(l, i);
		if (spec == NULL)
			return nm_conf_error(l, err, "expected strings");
		if (!open_listener(np, spec, tcp, err))
			return FALSE;
	}
	return TRUE;
}

static gboolean netflow_init(nm_plugin *p, const config_setting_t *conf,
			     GError **err)
{
	nf_plugin *np = g_new0(nf_plugin, 1);
	nf_cache_limits lim = { 0 };
	const config_setting_t *ex;

	np->p = p;
	nm_plugin_set_data(p, np);
	np->interval = nm_conf_duration(conf, "interval", nm_plugin_default_interval(p));
	np->rcvbuf = nm_conf_int(conf, "receive_buffer", 8 << 20);
	np->top_n = (guint)nm_conf_int(conf, "top_n", 10);
	np->publish_flows = nm_conf_bool(conf, "publish_flows", TRUE);
	np->persist = nm_conf_bool(conf, "persist_templates", TRUE);
	lim.max_templates = (guint)nm_conf_int(conf, "max_templates", 4096);
	lim.max_templates_per_exporter =
		(guint)nm_conf_int(conf, "max_templates_per_exporter", 256);
	lim.max_exporters = (guint)nm_conf_int(conf, "max_exporters", 1024);
	lim.max_pending_sets = (guint)nm_conf_int(conf, "pending_sets", 64);
	lim.pending_timeout = nm_conf_duration(conf, "pending_timeout", 30 * G_USEC_PER_SEC);
	lim.template_timeout = nm_conf_duration(conf, "template_timeout", 1800 * G_USEC_PER_SEC);
	np->cache = nf_cache_new(&lim);
	np->agg = nf_agg_new(np->top_n * 4, (guint)nm_conf_int(conf, "history", 60),
			     (guint)nm_conf_int(conf, "max_talkers", 100000), 4096);
	np->socks = g_ptr_array_new_with_free_func(sock_free);
	np->names = g_array_new(FALSE, TRUE, sizeof(nf_name));
	g_mutex_init(&np->lock);
	np->tcp_batch = batch_new(FALSE);
	np->template_file = g_build_filename(nm_plugin_state_dir(p),
					     "netflow-templates.bin", NULL);
	np->c_datagrams = nm_plugin_counter(p, "datagrams");
	np->c_records = nm_plugin_counter(p, "records");
	np->c_malformed = nm_plugin_counter(p, "malformed");
	np->c_misses = nm_plugin_counter(p, "template_misses");
	np->c_seq_gaps = nm_plugin_counter(p, "sequence_gaps");
	np->c_batches = nm_plugin_counter(p, "flow_batches");
	np->c_recv_errors = nm_plugin_counter(p, "receive_errors");
	np->c_unknown_exporter = nm_plugin_counter(p, "exporters_over_limit");
	np->c_tcp_conns = nm_plugin_counter(p, "tcp_connections");
	np->c_socket_drops = nm_plugin_counter(p, "socket_drops");

	ex = config_setting_get_member(conf, "exporters");
	for (int i = 0; ex != NULL && i < config_setting_length(ex); i++) {
		const config_setting_t *e = config_setting_get_elem(ex, (unsigned)i);
		nf_name n;
		if (!ip_parse(nm_conf_string(e, "address", ""), &n.addr)) {
			netflow_shutdown(p);
			return nm_conf_error(e, err, "bad exporter address");
		}
		n.name = g_strdup(nm_conf_string(e, "name", ""));
		g_array_append_val(np->names, n);
	}
	load_templates(np);
	np->saved_templates = templates_seen_locked(np);
	if (!add_listeners(np, conf, "listen", FALSE, err) ||
	    !add_listeners(np, conf, "listen_tcp", TRUE, err) ||
	    !nm_plugin_add_command(p, "flows",
				   "flows top [--exporter E] [--by src|dst|conv|app] "
				   "[--since TIME] [-n N] [--json]: top talkers",
				   cmd_flows, np, err)) {
		netflow_shutdown(p);
		return FALSE;
	}
	nm_plugin_set_stats(p, on_stats, np);
	nm_plugin_add_timer(p, "aggregate", np->interval, NM_TIMER_DEFAULT,
			    on_interval, np, NULL);
	return TRUE;
}

static void netflow_shutdown(nm_plugin *p)
{
	nf_plugin *np = nm_plugin_get_data(p);

	if (np == NULL)
		return;
	nm_plugin_set_data(p, NULL);
	/* Receive threads first: after this only this thread touches np. */
	for (guint i = 0; i < np->socks->len; i++)
		rx_stop(np->socks->pdata[i]);
	if (np->socks->len > 0 || nf_cache_n_templates(np->cache) > 0)
		save_templates(np);
	while (np->socks->len > 0)
		sock_close(np->socks->pdata[np->socks->len - 1]);
	g_ptr_array_unref(np->socks);
	for (guint i = 0; i < np->names->len; i++)
		g_free(g_array_index(np->names, nf_name, i).name);
	g_array_unref(np->names);
	batch_free(np->tcp_batch);
	nf_cache_free(np->cache);
	nf_agg_free(np->agg);
	g_mutex_clear(&np->lock);
	g_free(np->template_file);
	g_free(np);
}

NM_PLUGIN_DEFINE(.name = "netflow", .version = "1.0",
		 .description = "NetFlow v5/v9 and IPFIX collector with aggregation",
		 .config_keys = keys, .validate = netflow_validate,
		 .init = netflow_init, .shutdown = netflow_shutdown);
