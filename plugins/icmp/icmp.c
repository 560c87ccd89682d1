/* netmon icmp plugin — latency, loss and jitter of many targets.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * One ICMP socket per address family serves every target: an unprivileged
 * datagram ("ping") socket where net.ipv4.ping_group_range allows, else a
 * raw socket (opened in init, i.e. before netmond drops privileges). Echo
 * Requests/Replies follow RFC 792 (IPv4) and RFC 4443 (ICMPv6).
 *
 * Scheduling: every target runs rounds of `pings` probes every `interval`.
 * A round starts at a phase inside the interval derived from the target's
 * name (so 10,000 targets spread evenly) and spaces its probes
 * (interval - timeout) / pings apart, SmokePing-style. All targets sit in
 * one binary heap keyed by their next event (start round, send probe, end
 * round), served by a single GSource whose ready time is the heap's top; a
 * token bucket (`max_rate` probes/s) caps the send rate on top of that.
 * Replies are read by a watch on each socket, 64 per recvmmsg(2) call,
 * and the batch is matched to the probes by match.c (tag in the payload,
 * see proto.h, plus identifier, sequence number and source address); late,
 * duplicate and foreign replies are counted and dropped. Probes are sent
 * one sendto(2) each, not batched with sendmmsg(2): the send time of a
 * probe is read just before its own send, and in a batch every probe
 * would carry the kernel time of the ones before it (about 5 µs each on
 * loopback) in its RTT. Measured: sendmmsg saves about 1% of the CPU,
 * and kernel TX stamps to keep the send times exact cost 33% more (see
 * README). A round ends when every probe is answered or the last
 * probe's timeout has passed; it then publishes METRIC and STATE
 * messages.
 *
 * Published per target and round (host = target name, plugin "icmp"):
 *   ping            average RTT, ms (collectd's ping plugin's series)
 *   ping-min, ping-median, ping-max   RTT figures, ms
 *   ping_stddev     population standard deviation of the RTTs, ms
 *   ping_jitter     mean |difference| of consecutive RTTs, ms (>= 2 replies)
 *   ping_droprate   lost / sent, 0..1 (always)
 * The RTT series are left out of a round without any reply.
 * STATE host = target name, service "ping": OK (HARD) while replies come;
 * CRITICAL SOFT after a round without any reply, HARD after `down_after`
 * consecutive such rounds; UNKNOWN HARD while the target has no address
 * (its DNS name did not resolve) or cannot be probed.
 *
 * DNS names are resolved with GResolver, asynchronously on the main context,
 * at start and every `resolve_interval`; a failure is that target's error
 * (stats and STATE) and never delays other targets. A new address takes
 * effect at the target's next round.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <linux/icmp.h>
#include <sys/socket.h>

#include <netmon/plugin.h>

#include "match.h"
#include "proto.h"

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static const char *const socket_kinds[] = { "auto", "datagram", "raw", NULL };
static const char *const families[] = { "any", "ipv4", "ipv6", NULL };

#define TARGET_KEYS                                                           \
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,    \
	  .min = 0.1, .max = 86400,                                           \
	  .help = "seconds between rounds (default netmond.interval)" },      \
	{ .name = "pings", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1,  \
	  .max = 100, .help = "probes per round (default 20)" },              \
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,     \
	  .min = 0.001, .max = 60,                                            \
	  .help = "seconds to wait for a reply (default 1, at most half "    \
		  "the interval)" },                                          \
	{ .name = "size", .kind = NM_CONF_INT, .has_range = TRUE,             \
	  .min = ICMP_MIN_PAYLOAD, .max = ICMP_MAX_PAYLOAD,                   \
	  .help = "ICMP payload bytes (default 56)" },                        \
	{ .name = "family", .kind = NM_CONF_STRING, .choices = families,      \
	  .help = "address family of a DNS name: any, ipv4, ipv6" }

static const nm_conf_key target_keys[] = {
	{ .name = "address", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "IPv4/IPv6 address or DNS name" },
	{ .name = "name", .kind = NM_CONF_STRING,
	  .help = "host name in metrics and states (default: address)" },
	TARGET_KEYS,
	{ .name = NULL }
};

static const nm_conf_key icmp_keys[] = {
	{ .name = "socket", .kind = NM_CONF_STRING, .choices = socket_kinds,
	  .help = "auto (datagram, else raw), datagram or raw" },
	TARGET_KEYS,
	{ .name = "down_after", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1000,
	  .help = "rounds without reply before the state is HARD down" },
	{ .name = "resolve_interval", .kind = NM_CONF_DURATION,
	  .has_range = TRUE, .min = 1, .max = 604800,
	  .help = "seconds between DNS re-resolutions (default 300)" },
	{ .name = "max_rate", .kind = NM_CONF_FLOAT, .has_range = TRUE,
	  .min = 1, .max = 1e7, .help = "most probes sent per second" },
	{ .name = "spread", .kind = NM_CONF_BOOL,
	  .help = "spread round starts over the interval (default true)" },
	{ .name = "targets", .kind = NM_CONF_LIST, .required = TRUE,
	  .has_range = TRUE, .min = 1, .max = 1000000,
	  .children = target_keys, .help = "the targets, ( { address = ...; } )" },
	{ .name = NULL }
};

#define DEFAULT_PINGS 20
#define DEFAULT_TIMEOUT G_USEC_PER_SEC
#define DEFAULT_SIZE 56
#define DEFAULT_DOWN_AFTER 3
#define DEFAULT_RESOLVE (300 * G_USEC_PER_SEC)
#define DEFAULT_MAX_RATE 10000.0
/* Most sends per dispatch, so replies are read in between. */
#define SEND_BATCH 256
/* Datagrams read by one recvmmsg() call, and most calls per wake-up of a
 * socket watch (so a flood cannot starve the sending). */
#define RECV_BATCH 64
#define RECV_CALLS 16
/* Room for the IPv4 header (raw sockets deliver it; at most 60 octets) in
 * front of the ICMP message. */
#define RECV_HDR_ROOM 64
/* IPv4 datagrams up to this size are sent with IP_PMTUDISC_DO (see
 * sock_setup): the kernel's default lowest path MTU. */
#define PMTU_FLOOR 552
/* How long shutdown waits for cancelled DNS lookups to come back. */
#define SHUTDOWN_DNS_WAIT (2 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* State                                                               */

typedef struct {
	icmp_ctx *ctx;
	int fd;
	int family;
	gboolean raw;
	guint watch;
	guint16 ident;            /* raw: ours; datagram: the socket's port */
	guint16 seq;
	char *error;              /* why it could not be opened */
} icmp_sock;

typedef struct {
	gint64 due;               /* = the target's due */
	guint idx;                /* the target's index */
} heap_entry;

struct icmp_ctx {
	gint refs;
	gboolean stopped;
	nm_plugin *p;
	icmp_sock s4, s6;
	target **targets;
	guint n;
	heap_entry *heap;         /* binary min-heap by due time */
	guint heap_len;
	gint *heap_pos;           /* per target index: its heap slot, -1 */
	GSource *pacer;
	guint32 magic;
	double max_rate, tokens, burst;
	gint64 tokens_at;
	guint down_after;
	gint64 resolve_interval;
	GResolver *resolver;
	GCancellable *cancel;
	guint pending_lookups;
	guint8 *txbuf;
	gsize txbuf_len;
	GString *out, *perf;      /* STATE texts, reused round after round */
	/* recvmmsg() batch: RECV_BATCH slots of rx_slot octets each. */
	guint8 *rxbuf;
	gsize rx_slot;
	struct mmsghdr rx_msgs[RECV_BATCH];
	struct iovec rx_iov[RECV_BATCH];
	icmp_rx_pkt rx_pkts[RECV_BATCH];
	target *rx_done[RECV_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) * 2];
		struct cmsghdr align;
	} rx_cmsg[RECV_BATCH];
	nm_counter *c_sent, *c_received, *c_late, *c_dup, *c_foreign,
		*c_send_err, *c_rounds, *c_missed, *c_resolve_fail;
};

static void ctx_unref(icmp_ctx *ctx);

/* ------------------------------------------------------------------ */
/* The heap of targets by next event time                              */

/* The heap holds each target's due time and index, and the slots are
 * kept in a separate array by index, so sifting never touches (cache-
 * missing) target structs. */
static void heap_place(icmp_ctx *ctx, guint i, heap_entry e)
{
	ctx->heap[i] = e;
	ctx->heap_pos[e.idx] = (gint)i;
}

static void heap_up(icmp_ctx *ctx, guint i)
{
	heap_entry e = ctx->heap[i];

	while (i > 0) {
		guint parent = (i - 1) / 2;
		if (ctx->heap[parent].due <= e.due)
			break;
		heap_place(ctx, i, ctx->heap[parent]);
		i = parent;
	}
	heap_place(ctx, i, e);
}

static void heap_down(icmp_ctx *ctx, guint i)
{
	heap_entry e = ctx->heap[i];

	for (;;) {
		guint l = 2 * i + 1, r = l + 1, m = l;
		if (l >= ctx->heap_len)
			break;
		if (r < ctx->heap_len && ctx->heap[r].due < ctx->heap[l].due)
			m = r;
		if (ctx->heap[m].due >= e.due)
			break;
		heap_place(ctx, i, ctx->heap[m]);
		i = m;
	}
	heap_place(ctx, i, e);
}

/* Put @t in the heap or move it after its due time changed. */
static void heap_set(icmp_ctx *ctx, target *t, gint64 due)
{
	guint i;

	t->due = due;
	if (ctx->heap_pos[t->index] < 0) {
		i = ctx->heap_len++;
		ctx->heap[i] = (heap_entry){ .due = due, .idx = t->index };
		heap_up(ctx, i);
		return;
	}
	i = (guint)ctx->heap_pos[t->index];
	if (due < ctx->heap[i].due) {
		ctx->heap[i].due = due;
		heap_up(ctx, i);
	} else {
		ctx->heap[i].due = due;
		heap_down(ctx, i);
	}
}

/* Wake the pacer at the heap top's time (or when a token is due). */
static void pacer_arm(icmp_ctx *ctx, gint64 at_least)
{
	gint64 when;

	if (ctx->pacer == NULL)
		return;
	if (ctx->heap_len == 0) {
		g_source_set_ready_time(ctx->pacer, -1);
		return;
	}
	when = MAX(ctx->heap[0].due, at_least);
	g_source_set_ready_time(ctx->pacer, when);
}

/* ------------------------------------------------------------------ */
/* Publishing                                                          */

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* The STATE message of @t (a new reference, or NULL). */
static nm_msg *state_msg(icmp_ctx *ctx, target *t, nm_state_code code,
			 nm_state_type type, guint attempt, const char *output,
			 const char *perfdata)
{
	nm_state s = { 0 };

	s.host = t->name;
	s.service = "ping";
	s.code = code;
	s.state_type = type;
	s.attempt = attempt;
	s.max_attempts = ctx->down_after;
	s.output = output;
	s.perfdata = perfdata;
	return nm_state_new(&s, g_get_real_time());
}

static void publish_state(icmp_ctx *ctx, target *t, nm_state_code code,
			  nm_state_type type, guint attempt, const char *output,
			  const char *perfdata)
{
	nm_msg *m = state_msg(ctx, t, code, type, attempt, output, perfdata);

	if (m != NULL)
		nm_plugin_publish(ctx->p, m);
}

/* A round without an address or socket: UNKNOWN, naming the cause. */
static void publish_error(icmp_ctx *ctx, target *t)
{
	char *out = g_strdup_printf("PING UNKNOWN - %s: %s", t->name,
				    t->error != NULL ? t->error : "no address");

	publish_state(ctx, t, NM_STATE_UNKNOWN, NM_STATE_HARD, 1, out, "");
	g_free(out);
}

/* Most octets put_fixed() writes (RTTs and percentages are far below
 * 1e9, so the fast path of icmp_format_fixed() applies; larger values
 * are cut, never overflow). */
#define FIXED_MAX 32

static char *put_fixed(char *p, double v, guint decimals)
{
	return p + icmp_format_fixed(p, FIXED_MAX, v, decimals);
}

#define put_lit(p, lit) \
	(memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static void publish_round(icmp_ctx *ctx, target *t, const icmp_round_stats *st)
{
	const char *types[7], *insts[7];
	double vals[7];
	nm_msg *msgs[8];
	guint n = 0, k = 0;
	nm_state_code code;
	nm_state_type type;
	guint attempt;

#define GAUGE(type_, inst, v)                                                 \
	do {                                                                  \
		types[n] = (type_);                                           \
		insts[n] = (inst);                                            \
		vals[n++] = (v);                                              \
	} while (0)
	GAUGE("ping_droprate", "", st->loss);
	if (st->received > 0) {
		GAUGE("ping", "", st->avg);
		GAUGE("ping", "min", st->min);
		GAUGE("ping", "median", st->median);
		GAUGE("ping", "max", st->max);
		GAUGE("ping_stddev", "", st->stddev);
	}
	if (!isnan(st->jitter))
		GAUGE("ping_jitter", "", st->jitter);
#undef GAUGE
	/* One allocation per METRIC, the shared strings measured once. */
	nm_metric_new_gauges(t->name, "icmp", "", t->round_real, t->interval,
			     n, types, insts, vals, msgs);
	for (guint i = 0; i < n; i++)
		if (msgs[i] != NULL)
			msgs[k++] = msgs[i];
	n = k;

	/* The check_ping-style texts, built without printf's float
	 * formatting (the largest user-space cost of a round otherwise). */
	g_string_truncate(ctx->out, 0);
	g_string_truncate(ctx->perf, 0);
	if (st->received > 0) {
		t->lost_rounds = 0;
		code = NM_STATE_OK;
		type = NM_STATE_HARD;
		attempt = 1;
		gsize nlen = strlen(t->name);
		char *o, *q;

		/* Written in place: room for the name, 4 literals and 6
		 * numbers of at most FIXED_MAX octets each. */
		g_string_set_size(ctx->out, nlen + 64 + 2 * FIXED_MAX);
		o = ctx->out->str;
		o = put_lit(o, "PING OK - ");
		memcpy(o, t->name, nlen);
		o += nlen;
		o = put_lit(o, ": packet loss = ");
		o = put_fixed(o, st->loss * 100, 0);
		o = put_lit(o, "%, RTA = ");
		o = put_fixed(o, st->avg, 3);
		o = put_lit(o, " ms");
		g_string_truncate(ctx->out, (gsize)(o - ctx->out->str));
		g_string_set_size(ctx->perf, 96 + 4 * FIXED_MAX);
		q = ctx->perf->str;
		q = put_lit(q, "rta=");
		q = put_fixed(q, st->avg, 6);
		q = put_lit(q, "ms;;;0 pl=");
		q = put_fixed(q, st->loss * 100, 0);
		q = put_lit(q, "%;;;0;100 rtmin=");
		q = put_fixed(q, st->min, 6);
		q = put_lit(q, "ms;;;0 rtmax=");
		q = put_fixed(q, st->max, 6);
		q = put_lit(q, "ms;;;0");
		g_string_truncate(ctx->perf, (gsize)(q - ctx->perf->str));
	} else {
		if (t->lost_rounds < G_MAXUINT)
			t->lost_rounds++;
		code = NM_STATE_CRITICAL;
		attempt = MIN(t->lost_rounds, ctx->down_after);
		type = t->lost_rounds >= ctx->down_after ? NM_STATE_HARD
							 : NM_STATE_SOFT;
		g_string_append_printf(ctx->out, "PING CRITICAL - %s: packet "
				       "loss = 100%% (%u round%s without reply)",
				       t->name, t->lost_rounds,
				       t->lost_rounds == 1 ? "" : "s");
		g_string_append(ctx->perf, "pl=100%;;;0;100");
	}
	/* The METRICs and the STATE in one bus call. */
	msgs[n] = state_msg(ctx, t, code, type, attempt, ctx->out->str,
			    ctx->perf->str);
	if (msgs[n] != NULL)
		n++;
	nm_plugin_publish_batch(ctx->p, msgs, n);
}

/* ------------------------------------------------------------------ */
/* Rounds                                                              */

static icmp_sock *sock_for(icmp_ctx *ctx, int family)
{
	return family == AF_INET6 ? &ctx->s6 : &ctx->s4;
}

static void set_error(target *t, char *msg /* taken */)
{
	g_free(t->error);
	t->error = msg;
}

/* Next round start after @from (monotonic), counting skipped turns. */
static gint64 next_start(icmp_ctx *ctx, target *t, gint64 now)
{
	gint64 next = t->round_start + t->interval;

	if (next <= now) {
		gint64 late = (now - next) / t->interval + 1;
		nm_counter_add(ctx->c_missed, (guint64)late);
		next += late * t->interval;
	}
	return next;
}

static void finish_round(icmp_ctx *ctx, target *t, gint64 now)
{
	double rtts[100];
	icmp_round_stats st;

	for (guint i = 0; i < t->pings; i++)
		rtts[i] = t->probes[i].state == PROBE_REPLIED
				  ? t->probes[i].rtt_ms : NAN;
	icmp_round_compute(rtts, t->pings, &st);
	t->last = st;
	t->have_result = TRUE;
	t->rounds++;
	nm_counter_add(ctx->c_rounds, 1);
	publish_round(ctx, t, &st);
	t->ph = PHASE_WAIT;
	heap_set(ctx, t, next_start(ctx, t, now));
}

/* Begin a round: TRUE if probes are to be sent. */
static gboolean start_round(icmp_ctx *ctx, target *t, gint64 now)
{
	t->round_start = now;
	t->round_real = g_get_real_time();
	if (t->have_next) {
		t->sa = t->next_sa;
		t->salen = t->next_salen;
		t->have_addr = TRUE;
		t->have_next = FALSE;
	}
	if (t->have_addr && sock_for(ctx, t->sa.sa.sa_family)->fd < 0) {
		icmp_sock *s = sock_for(ctx, t->sa.sa.sa_family);
		set_error(t, g_strdup_printf("no %s ICMP socket: %s",
					     family_name(t->sa.sa.sa_family),
					     s->error != NULL ? s->error : "?"));
	}
	if (!t->have_addr || sock_for(ctx, t->sa.sa.sa_family)->fd < 0) {
		publish_error(ctx, t);
		t->ph = PHASE_WAIT;
		heap_set(ctx, t, next_start(ctx, t, now));
		return FALSE;
	}
	t->round++;
	t->next_probe = 0;
	t->answered = 0;
	memset(t->probes, 0, sizeof(probe) * t->pings);
	t->ph = PHASE_SEND;
	heap_set(ctx, t, now);
	return TRUE;
}

/* The clocks of one pacer dispatch: the monotonic and the real time read
 * at its start (µs, ns). */
typedef struct {
	gint64 mono, real_ns;
} dispatch_clock;

/* Send probe t->next_probe. Returns 0, or EAGAIN/ENOBUFS to retry later.
 * Reads the real-time clock just before the send (paired with the kernel's
 * SO_TIMESTAMPNS receive stamp for the RTT); the probe's monotonic send
 * time (for its timeout) is derived from it and @clk, one clock read less
 * per probe. */
static int send_probe(icmp_ctx *ctx, target *t, const dispatch_clock *clk)
{
	icmp_sock *s = sock_for(ctx, t->sa.sa.sa_family);
	probe *pr = &t->probes[t->next_probe];
	icmp_tag tag = { .magic = ctx->magic, .target = t->index,
			 .round = t->round, .probe = (guint16)t->next_probe };
	struct timespec ts;
	gsize len;
	ssize_t r;
	gint64 since;

	tag.seq = s->seq;
	/* ctx->txbuf holds the fill pattern (built once in init); only the
	 * header and tag change. Datagram sockets get their checksum from
	 * the kernel. */
	len = icmp_echo_retag(ctx->txbuf, s->family, s->ident, s->seq, &tag,
			      t->size, s->raw);
	if (len == 0)
		return EINVAL; /* sizes are validated: cannot happen */
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		ts.tv_sec = ts.tv_nsec = 0;
	r = sendto(s->fd, ctx->txbuf, len, 0, (struct sockaddr *)&t->sa,
		   t->salen);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == ENOBUFS || errno == EINTR))
		return errno == EINTR ? EAGAIN : errno;
	pr->seq = s->seq;
	s->seq++;
	pr->tx_real_ns = (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
	/* A dispatch lasts milliseconds; a real-time clock step inside it
	 * (negative or implausibly long) falls back to a monotonic read. */
	since = (pr->tx_real_ns - clk->real_ns) / 1000;
	pr->tx_mono = since >= 0 && since < G_USEC_PER_SEC
			      ? clk->mono + since
			      : g_get_monotonic_time();
	t->last_tx = pr->tx_mono;
	t->next_probe++;
	t->sent_total++;
	if (r < 0) {
		int e = errno;
		pr->state = PROBE_FAILED;
		t->answered++;
		nm_counter_add(ctx->c_send_err, 1);
		set_error(t, g_strdup_printf("cannot send to %s: %s",
					     t->addr_str, g_strerror(e)));
	} else {
		pr->state = PROBE_SENT;
		if (t->error != NULL && t->have_addr && !t->resolving)
			set_error(t, NULL);
	}
	return 0;
}

/* After a send: schedule the next probe or the end of the round. */
static void after_send(icmp_ctx *ctx, target *t, gint64 now)
{
	if (t->next_probe < t->pings) {
		gint64 at = t->round_start + (gint64)t->next_probe * t->spacing;
		heap_set(ctx, t, MAX(at, now));
	} else if (t->answered == t->pings) {
		finish_round(ctx, t, now);
	} else {
		t->ph = PHASE_END;
		heap_set(ctx, t, t->last_tx + t->timeout);
	}
}

static void refill(icmp_ctx *ctx, gint64 now)
{
	if (now > ctx->tokens_at) {
		ctx->tokens += (double)(now - ctx->tokens_at) * ctx->max_rate / 1e6;
		if (ctx->tokens > ctx->burst)
			ctx->tokens = ctx->burst;
		ctx->tokens_at = now;
	}
}

static gboolean read_replies(icmp_ctx *ctx, icmp_sock *s);

static gboolean pacer_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	icmp_ctx *ctx = data;
	gint64 now = g_get_monotonic_time();
	guint sends = 0;
	gint64 hold = 0; /* earliest time to try again when held back */
	gboolean drained = FALSE;
	dispatch_clock clk = { .mono = now };
	struct timespec ts;

	(void)source;
	(void)cb;
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		clk.real_ns = (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
	refill(ctx, now);
	while (ctx->heap_len > 0 && ctx->heap[0].due <= now) {
		target *t = ctx->targets[ctx->heap[0].idx];

		if (t->ph == PHASE_WAIT) {
			(void)start_round(ctx, t, now);
			continue;
		}
		if (t->ph == PHASE_END) {
			/* Timed out: first read replies already queued (a busy
			 * daemon may not have run its socket watches yet), so
			 * that one that arrived in time is not called lost. */
			if (!drained) {
				drained = TRUE;
				(void)read_replies(ctx, &ctx->s4);
				(void)read_replies(ctx, &ctx->s6);
				continue;
			}
			finish_round(ctx, t, now);
			continue;
		}
		/* PHASE_SEND */
		if (ctx->tokens < 1.0) {
			hold = now + (gint64)((1.0 - ctx->tokens) * 1e6 /
					      ctx->max_rate) + 1;
			break;
		}
		if (sends >= SEND_BATCH) {
			hold = now; /* let the receive watches run first */
			break;
		}
		int r = send_probe(ctx, t, &clk);
		if (r != 0) {
			hold = now + 1000; /* socket buffer full: 1 ms */
			break;
		}
		ctx->tokens -= 1.0;
		sends++;
		after_send(ctx, t, now);
	}
	if (sends > 0)
		nm_counter_add(ctx->c_sent, sends);
	pacer_arm(ctx, hold);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs pacer_funcs = { .dispatch = pacer_dispatch };

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

/* Read up to RECV_BATCH datagrams with one recvmmsg(2) into ctx->rx_pkts.
 * Returns how many (0 when none is waiting or on an error). */
static guint recv_batch(icmp_ctx *ctx, icmp_sock *s, int fd)
{
	int r;

	for (guint i = 0; i < RECV_BATCH; i++) {
		struct msghdr *mh = &ctx->rx_msgs[i].msg_hdr;
		ctx->rx_iov[i].iov_base = ctx->rxbuf + i * ctx->rx_slot;
		ctx->rx_iov[i].iov_len = ctx->rx_slot;
		mh->msg_name = &ctx->rx_pkts[i].from;
		mh->msg_namelen = sizeof(ctx->rx_pkts[i].from);
		mh->msg_iov = &ctx->rx_iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = ctx->rx_cmsg[i].buf;
		mh->msg_controllen = sizeof(ctx->rx_cmsg[i].buf);
		mh->msg_flags = 0;
	}
	do
		r = recvmmsg(fd, ctx->rx_msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			NM_DEBUG(ctx->p, "%s ICMP socket: recvmmsg: %s",
				 family_name(s->family), g_strerror(errno));
		return 0;
	}
	for (int i = 0; i < r; i++) {
		struct msghdr *mh = &ctx->rx_msgs[i].msg_hdr;
		icmp_rx_pkt *pkt = &ctx->rx_pkts[i];

		pkt->buf = ctx->rx_iov[i].iov_base;
		pkt->len = ctx->rx_msgs[i].msg_len;
		pkt->truncated = (mh->msg_flags & MSG_TRUNC) != 0;
		pkt->rx_ns = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
		     c = CMSG_NXTHDR(mh, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				pkt->rx_ns = (gint64)ts.tv_sec * 1000000000 +
					     ts.tv_nsec;
			}
		}
	}
	return (guint)r;
}

/* Read and match what is waiting on @s (up to RECV_CALLS batches); ends
 * the rounds that became complete. TRUE if anything was read. */
static gboolean read_replies(icmp_ctx *ctx, icmp_sock *s)
{
	icmp_rx_params prm = { .family = s->family, .raw = s->raw,
			       .ident = s->ident, .magic = ctx->magic };
	gboolean moved = FALSE;

	if (s->fd < 0)
		return FALSE;
	for (int call = 0; call < RECV_CALLS; call++) {
		guint got = recv_batch(ctx, s, s->fd), ndone;
		icmp_rx_counts c;
		gint64 now;

		if (got == 0)
			break;
		now = g_get_monotonic_time();
		ndone = icmp_rx_match(ctx->targets, ctx->n, &prm, ctx->rx_pkts,
				      got, now, &c, ctx->rx_done);
		if (c.replies)
			nm_counter_add(ctx->c_received, c.replies);
		if (c.late)
			nm_counter_add(ctx->c_late, c.late);
		if (c.duplicate)
			nm_counter_add(ctx->c_dup, c.duplicate);
		if (c.foreign)
			nm_counter_add(ctx->c_foreign, c.foreign);
		for (guint i = 0; i < ndone; i++)
			finish_round(ctx, ctx->rx_done[i], now);
		moved = TRUE;
		if (got < RECV_BATCH)
			break;
	}
	return moved;
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	icmp_sock *s = data;
	icmp_ctx *ctx = s->ctx;

	if (cond & (G_IO_ERR | G_IO_HUP | G_IO_NVAL)) {
		int e = 0;
		socklen_t el = sizeof(e);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e != 0)
			NM_DEBUG(ctx->p, "%s ICMP socket error: %s",
				 family_name(s->family), g_strerror(e));
	}
	if (read_replies(ctx, s))
		pacer_arm(ctx, 0);
	return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Sockets                                                             */

/* Open one socket: @raw or datagram. Returns fd or -1 with errno. */
static int open_one(int family, gboolean raw)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

	return socket(family, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK |
			      SOCK_CLOEXEC, proto);
}

static gboolean sock_setup(icmp_ctx *ctx, icmp_sock *s, GError **err)
{
	int one = 1, buf = 4 * 1024 * 1024;

	if (setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) != 0)
		NM_WARNING(ctx->p, "%s ICMP socket: SO_TIMESTAMPNS: %s (RTTs "
			   "measured in user space)", family_name(s->family),
			   g_strerror(errno));
	/* Large buffers: thousands of replies can arrive between reads. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) != 0 &&
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) != 0)
		NM_DEBUG(ctx->p, "SO_RCVBUF: %s", g_strerror(errno));
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) != 0 &&
	    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf)) != 0)
		NM_DEBUG(ctx->p, "SO_SNDBUF: %s", g_strerror(errno));
	/* IPv4 requests that fit in PMTU_FLOOR octets go out with DF set and
	 * IP ID 0 (an atomic datagram, RFC 6864 §4): Linux's default
	 * (IP_PMTUDISC_WANT) sets DF on them too, but draws a hashed random
	 * ID for each (__ip_select_ident, about 5% of a probe's CPU on
	 * loopback). They never exceed a path MTU the kernel accepts (its
	 * floor, net.ipv4.route.min_pmtu, is 552), so nothing that would
	 * have been fragmented is refused. Larger probes keep the default. */
	if (s->family == AF_INET && ctx->txbuf_len + 20 <= PMTU_FLOOR) {
		int pmtu = IP_PMTUDISC_DO;
		if (setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
			       sizeof(pmtu)) != 0)
			NM_DEBUG(ctx->p, "IP_MTU_DISCOVER: %s", g_strerror(errno));
	}
	if (s->raw && s->family == AF_INET) {
		struct icmp_filter f;
		f.data = ~(1u << ICMP_ECHOREPLY);
		if (setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f)) != 0) {
			g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
				    "icmp: IPv4 raw socket: ICMP_FILTER: %s",
				    g_strerror(errno));
			return FALSE;
		}
		s->ident = (guint16)g_random_int_range(1, 65536);
	} else if (s->raw) {
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		if (setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
			       sizeof(f)) != 0) {
			g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
				    "icmp: IPv6 raw socket: ICMP6_FILTER: %s",
				    g_strerror(errno));
			return FALSE;
		}
		s->ident = (guint16)g_random_int_range(1, 65536);
	} else {
		/* Datagram: bind to "port" 0 so the kernel picks our echo
		 * identifier now; it filters replies by it. */
		struct sockaddr_storage ss;
		socklen_t sl;
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)s->family;
		sl = s->family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in);
		if (bind(s->fd, (struct sockaddr *)&ss, sl) != 0 ||
		    getsockname(s->fd, (struct sockaddr *)&ss, &sl) != 0) {
			g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno),
				    "icmp: %s datagram socket: bind: %s",
				    family_name(s->family), g_strerror(errno));
			return FALSE;
		}
		s->ident = ntohs(s->family == AF_INET6
				 ? ((struct sockaddr_in6 *)&ss)->sin6_port
				 : ((struct sockaddr_in *)&ss)->sin_port);
	}
	s->seq = (guint16)g_random_int_range(0, 65536);
	return TRUE;
}

static char *read_ping_group_range(void)
{
	char *text = NULL;

	if (!g_file_get_contents("/proc/sys/net/ipv4/ping_group_range", &text,
				 NULL, NULL))
		return g_strdup("?");
	g_strdelimit(g_strstrip(text), "\t", ' ');
	return text;
}

/* Open the socket of @family as @kind ("auto", "datagram", "raw"). On
 * failure s->fd is -1 and s->error says why. */
static void sock_open(icmp_ctx *ctx, icmp_sock *s, int family, const char *kind)
{
	int derr = 0, rerr = 0;

	s->ctx = ctx;
	s->family = family;
	s->fd = -1;
	if (g_strcmp0(kind, "raw") != 0) {
		s->fd = open_one(family, FALSE);
		if (s->fd < 0)
			derr = errno;
		s->raw = FALSE;
	}
	if (s->fd < 0 && g_strcmp0(kind, "datagram") != 0) {
		s->fd = open_one(family, TRUE);
		if (s->fd < 0)
			rerr = errno;
		s->raw = TRUE;
	}
	if (s->fd < 0) {
		char *range = read_ping_group_range();
		GString *why = g_string_new(NULL);
		if (derr != 0)
			g_string_append_printf(why, "datagram socket: %s (the "
					       "group must be in "
					       "net.ipv4.ping_group_range, now "
					       "'%s')", g_strerror(derr), range);
		if (derr != 0 && rerr != 0)
			g_string_append(why, "; ");
		if (rerr != 0)
			g_string_append_printf(why, "raw socket: %s (needs root "
					       "or CAP_NET_RAW)", g_strerror(rerr));
		s->error = g_string_free(why, FALSE);
		g_free(range);
		return;
	}
	GError *e = NULL;
	if (!sock_setup(ctx, s, &e)) {
		s->error = g_strdup(e->message);
		g_error_free(e);
		close(s->fd);
		s->fd = -1;
		return;
	}
	s->watch = nm_plugin_add_watch(ctx->p, s->fd, G_IO_IN, on_readable, s);
	NM_INFO(ctx->p, "%s: %s socket, identifier %u", family_name(family),
		s->raw ? "raw" : "datagram", s->ident);
}

/* ------------------------------------------------------------------ */
/* DNS                                                                 */

typedef struct {
	icmp_ctx *ctx;   /* a reference */
	guint index;
} lookup;

static void on_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
	lookup *l = data;
	icmp_ctx *ctx = l->ctx;
	GError *e = NULL;
	GList *addrs = g_resolver_lookup_by_name_with_flags_finish(
		G_RESOLVER(src), res, &e);

	ctx->pending_lookups--;
	if (!ctx->stopped) {
		target *t = ctx->targets[l->index];
		t->resolving = FALSE;
		if (addrs == NULL) {
			char *msg = g_strdup_printf("cannot resolve '%s': %s",
						    t->address,
						    e != NULL ? e->message : "no address");
			if (g_strcmp0(t->error, msg) != 0)
				NM_WARNING(ctx->p, "target %s: %s", t->name, msg);
			set_error(t, msg);
			nm_counter_add(ctx->c_resolve_fail, 1);
		} else {
			GInetAddress *a = addrs->data;
			GSocketAddress *sa = g_inet_socket_address_new(a, 0);
			GError *e2 = NULL;
			char *str = g_inet_address_to_string(a);
			if (g_socket_address_to_native(sa, &t->next_sa,
						       sizeof(t->next_sa), &e2)) {
				t->next_salen = (socklen_t)
					g_socket_address_get_native_size(sa);
				t->have_next = TRUE;
				if (g_strcmp0(str, t->addr_str) != 0)
					NM_INFO(ctx->p, "target %s: %s is %s",
						t->name, t->address, str);
				g_strlcpy(t->addr_str, str, sizeof(t->addr_str));
				set_error(t, NULL);
			} else {
				set_error(t, g_strdup_printf(
					"cannot use the address of '%s': %s",
					t->address, e2->message));
				g_error_free(e2);
			}
			g_free(str);
			g_object_unref(sa);
			g_resolver_free_addresses(addrs);
		}
	}
	g_clear_error(&e);
	ctx_unref(ctx);
	g_free(l);
}

static void resolve_target(icmp_ctx *ctx, target *t)
{
	lookup *l;
	GResolverNameLookupFlags flags = G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT;

	if (t->literal || t->resolving)
		return;
	if (t->family_pref == AF_INET)
		flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY;
	else if (t->family_pref == AF_INET6)
		flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY;
	l = g_new0(lookup, 1);
	l->ctx = ctx;
	g_atomic_int_inc(&ctx->refs);
	l->index = t->index;
	t->resolving = TRUE;
	ctx->pending_lookups++;
	g_resolver_lookup_by_name_with_flags_async(ctx->resolver, t->address,
						   flags, ctx->cancel,
						   on_resolved, l);
}

static nm_run_status resolve_tick(nm_plugin *p, nm_timer *tm, gint64 due,
				  gpointer data)
{
	icmp_ctx *ctx = data;

	(void)p;
	(void)tm;
	(void)due;
	for (guint i = 0; i < ctx->n; i++)
		resolve_target(ctx, ctx->targets[i]);
	return NM_RUN_DONE;
}

/* ------------------------------------------------------------------ */
/* Stats                                                               */

static void add_double(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	if (isnan(v))
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, v);
}

static JsonNode *icmp_stats(nm_plugin *p, gpointer data)
{
	icmp_ctx *ctx = data;
	JsonBuilder *b = json_builder_new();
	JsonNode *node;

	(void)p;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sockets");
	json_builder_begin_object(b);
	for (int f = 0; f < 2; f++) {
		icmp_sock *s = f == 0 ? &ctx->s4 : &ctx->s6;
		json_builder_set_member_name(b, f == 0 ? "ipv4" : "ipv6");
		json_builder_add_string_value(
			b, s->fd < 0 ? "none" : s->raw ? "raw" : "datagram");
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "targets");
	json_builder_begin_object(b);
	for (guint i = 0; i < ctx->n; i++) {
		target *t = ctx->targets[i];
		json_builder_set_member_name(b, t->name);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "address");
		json_builder_add_string_value(b, t->addr_str);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(
			b, !t->have_result ? "unknown"
			   : t->lost_rounds == 0 ? "up"
			   : t->lost_rounds >= ctx->down_after ? "down"
							       : "failing");
		add_double(b, "last_rtt_ms", t->last_rtt);
		add_double(b, "loss", t->have_result ? t->last.loss : NAN);
		add_double(b, "rtt_avg_ms", t->have_result ? t->last.avg : NAN);
		add_double(b, "rtt_median_ms",
			   t->have_result ? t->last.median : NAN);
		add_double(b, "jitter_ms", t->have_result ? t->last.jitter : NAN);
		json_builder_set_member_name(b, "rounds");
		json_builder_add_int_value(b, (gint64)t->rounds);
		json_builder_set_member_name(b, "sent");
		json_builder_add_int_value(b, (gint64)t->sent_total);
		json_builder_set_member_name(b, "received");
		json_builder_add_int_value(b, (gint64)t->received_total);
		json_builder_set_member_name(b, "error");
		if (t->error != NULL)
			json_builder_add_string_value(b, t->error);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	g_object_unref(b);
	return node;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int parse_family(const char *s)
{
	if (g_strcmp0(s, "ipv4") == 0)
		return AF_INET;
	if (g_strcmp0(s, "ipv6") == 0)
		return AF_INET6;
	return AF_UNSPEC;
}

/* Cross-field rules (also for `netmond -t`): unique names, timeout below
 * the interval where both are known. */
static gboolean icmp_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *list = config_setting_get_member(conf, "targets");
	GHashTable *seen;
	gboolean ok = TRUE;
	gint64 iv_def, to_def;

	if (list == NULL)
		return TRUE;
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	iv_def = nm_conf_duration(conf, "interval", 0);
	to_def = nm_conf_duration(conf, "timeout", 0);
	for (int i = 0; ok && i < config_setting_length(list); i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		/* Most targets are just { address = ...; }: no other lookups. */
		gboolean only_addr = config_setting_length(e) == 1;
		const char *addr = nm_conf_string(e, "address", "");
		const char *name = only_addr ? addr : nm_conf_string(e, "name", addr);
		gint64 iv = only_addr ? iv_def : nm_conf_duration(e, "interval", iv_def);
		gint64 to = only_addr ? to_def : nm_conf_duration(e, "timeout", to_def);

		if (*addr == '\0')
			ok = nm_conf_error(e, err, "target address is empty");
		else if (*name == '\0' || strchr(name, '/') != NULL)
			ok = nm_conf_error(e, err, "target name '%s' is not "
					   "usable as a host name (empty or "
					   "with '/')", name);
		else if (g_hash_table_contains(seen, name))
			ok = nm_conf_error(e, err, "target name '%s' appears "
					   "twice (give one a name = \"...\")",
					   name);
		else if (iv > 0 && to > 0 && to >= iv)
			ok = nm_conf_error(e, err, "timeout (%g s) must be "
					   "shorter than the interval (%g s) of "
					   "target %s", to / 1e6, iv / 1e6, name);
		g_hash_table_add(seen, (gpointer)name);
	}
	g_hash_table_destroy(seen);
	return ok;
}

static void target_free(target *t)
{
	if (t == NULL)
		return;
	g_free(t->name);
	g_free(t->address);
	g_free(t->error);
	g_free(t->probes);
	free(t); /* posix_memalign() */
}

static void ctx_unref(icmp_ctx *ctx)
{
	if (!g_atomic_int_dec_and_test(&ctx->refs))
		return;
	for (guint i = 0; i < ctx->n; i++)
		target_free(ctx->targets[i]);
	g_free(ctx->targets);
	g_free(ctx->heap);
	g_free(ctx->heap_pos);
	g_free(ctx->txbuf);
	g_free(ctx->rxbuf);
	if (ctx->out != NULL)
		g_string_free(ctx->out, TRUE);
	if (ctx->perf != NULL)
		g_string_free(ctx->perf, TRUE);
	g_free(ctx->s4.error);
	g_free(ctx->s6.error);
	g_clear_object(&ctx->cancel);
	g_clear_object(&ctx->resolver);
	g_free(ctx);
}

/* Phase of a target's round in its interval, wall-clock aligned (as the
 * core does for its timers): FNV-1a of the name. */
static gint64 first_due(icmp_ctx *ctx, const target *t, gboolean spread)
{
	guint64 h = 14695981039346656037ULL;
	gint64 mono = g_get_monotonic_time(), real = g_get_real_time();
	gint64 offset;

	(void)ctx;
	if (!spread)
		return mono;
	for (const char *s = t->name; *s; s++)
		h = (h ^ (guint8)*s) * 1099511628211ULL;
	offset = (gint64)(h % (guint64)t->interval);
	return mono + (offset - real % t->interval + t->interval) % t->interval;
}

/* Dotted-quad text of @a into @out (at least 16 octets), as inet_ntop(3)
 * writes it. */
static void format_ipv4(char *out, const struct in_addr *a)
{
	const guint8 *b = (const guint8 *)&a->s_addr;

	for (int i = 0; i < 4; i++) {
		if (b[i] >= 100)
			*out++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*out++ = (char)('0' + b[i] / 10 % 10);
		*out++ = (char)('0' + b[i] % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

/* A numeric IPv4 or IPv6 address without scope (inet_pton(3)), allowed by
 * the target's family: fills sa, addr_str. FALSE for anything else (names,
 * scoped IPv6 addresses go to getaddrinfo()). */
static gboolean parse_literal(target *t)
{
	if (t->family_pref != AF_INET6) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->sa;
		if (inet_pton(AF_INET, t->address, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			t->salen = sizeof(*sin);
			goto ok;
		}
	}
	if (t->family_pref != AF_INET) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->sa;
		if (inet_pton(AF_INET6, t->address, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			t->salen = sizeof(*sin6);
			goto ok;
		}
	}
	memset(&t->sa, 0, sizeof(t->sa));
	return FALSE;
ok:
	t->literal = TRUE;
	t->have_addr = TRUE;
	if (t->sa.sa.sa_family == AF_INET) {
		/* inet_ntop() formats IPv4 with sprintf(): 10,000 targets
		 * spent milliseconds of start-up in it. */
		format_ipv4(t->addr_str, &t->sa.in.sin_addr);
		return TRUE;
	}
	if (inet_ntop(t->sa.sa.sa_family, t->sa.sa.sa_family == AF_INET6
		      ? (const void *)&((struct sockaddr_in6 *)&t->sa)->sin6_addr
		      : (const void *)&((struct sockaddr_in *)&t->sa)->sin_addr,
		      t->addr_str, sizeof(t->addr_str)) == NULL)
		g_strlcpy(t->addr_str, t->address, sizeof(t->addr_str));
	return TRUE;
}

/* The group's settings that targets inherit, looked up once rather than
 * for each of (possibly) 100,000 targets. */
typedef struct {
	const char *family;
	gint64 pings, interval, timeout, size; /* timeout -1: not set */
} target_defaults;

static void defaults_read(icmp_ctx *ctx, const config_setting_t *conf,
			  target_defaults *d)
{
	d->family = nm_conf_string(conf, "family", "any");
	d->pings = nm_conf_int(conf, "pings", DEFAULT_PINGS);
	d->interval = nm_conf_duration(conf, "interval",
				       nm_plugin_default_interval(ctx->p));
	d->timeout = nm_conf_duration(conf, "timeout", -1);
	d->size = nm_conf_int(conf, "size", DEFAULT_SIZE);
}

static target *target_new(icmp_ctx *ctx, const target_defaults *d,
			  const config_setting_t *e, guint index, GError **err)
{
	target *t = NULL;
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai = NULL;

	/* Cache-line aligned, so the hot fields are the first two lines. */
	if (posix_memalign((void **)&t, 64, sizeof(*t)) != 0 || t == NULL)
		g_error("icmp: out of memory for a target");
	memset(t, 0, sizeof(*t));
	t->ctx = ctx;
	t->index = index;
	t->last_rtt = NAN;
	/* A target of only { address = ...; } (the common case) takes every
	 * other setting from the group: five lookups fewer per target. */
	const config_setting_t *only = config_setting_length(e) == 1 ? NULL : e;

	t->address = g_strdup(nm_conf_string(e, "address", ""));
	t->name = g_strdup(nm_conf_string(only, "name", t->address));
	t->family_pref = parse_family(nm_conf_string(only, "family", d->family));
	t->pings = (guint)nm_conf_int(only, "pings", d->pings);
	t->interval = nm_conf_duration(only, "interval", d->interval);
	/* Without a timeout setting: 1 s, or half the interval if shorter. */
	t->timeout = nm_conf_duration(
		only, "timeout", d->timeout >= 0 ? d->timeout
					      : MIN(DEFAULT_TIMEOUT,
						    t->interval / 2));
	t->size = (guint)nm_conf_int(only, "size", d->size);
	if (t->timeout >= t->interval) {
		nm_conf_error(e, err, "timeout (%g s) must be shorter than the "
			      "interval (%g s) of target %s", t->timeout / 1e6,
			      t->interval / 1e6, t->name);
		target_free(t);
		return NULL;
	}
	t->spacing = (t->interval - t->timeout) / t->pings;
	t->probes = g_new0(probe, t->pings);
	hints.ai_family = t->family_pref;
	if (parse_literal(t)) {
		/* Plain numeric address: no resolver, no getaddrinfo(). */
	} else if (getaddrinfo(t->address, NULL, &hints, &ai) == 0 &&
		   ai != NULL) {
		t->literal = TRUE;
		if (ai->ai_addrlen <= sizeof(t->sa)) {
			memcpy(&t->sa, ai->ai_addr, ai->ai_addrlen);
			t->salen = ai->ai_addrlen;
			t->have_addr = TRUE;
		}
		freeaddrinfo(ai);
		if (getnameinfo((struct sockaddr *)&t->sa, t->salen, t->addr_str,
				sizeof(t->addr_str), NULL, 0, NI_NUMERICHOST) != 0)
			g_strlcpy(t->addr_str, t->address, sizeof(t->addr_str));
	} else {
		t->error = g_strdup_printf("'%s' not resolved yet", t->address);
	}
	return t;
}

/** Start the plugin: read the targets, open the ICMP sockets (datagram or
 *  raw, RFC 792 / RFC 4443), start DNS lookups and the pacer. Errors name
 *  the setting (file:line) or the socket and the reason. */
static gboolean icmp_init(nm_plugin *p, const config_setting_t *conf,
			  GError **err)
{
	icmp_ctx *ctx = g_new0(icmp_ctx, 1);
	const config_setting_t *list = config_setting_get_member(conf, "targets");
	const char *kind = nm_conf_string(conf, "socket", "auto");
	gboolean need4 = FALSE, need6 = FALSE, names = FALSE;
	gsize max_size = 0;

	ctx->refs = 1;
	ctx->p = p;
	ctx->out = g_string_sized_new(256);
	ctx->perf = g_string_sized_new(128);
	ctx->s4.fd = ctx->s6.fd = -1;
	ctx->magic = g_random_int();
	ctx->down_after = (guint)nm_conf_int(conf, "down_after", DEFAULT_DOWN_AFTER);
	ctx->resolve_interval = nm_conf_duration(conf, "resolve_interval",
						 DEFAULT_RESOLVE);
	ctx->max_rate = nm_conf_float(conf, "max_rate", DEFAULT_MAX_RATE);
	ctx->burst = MAX(1.0, ctx->max_rate / 100); /* 10 ms worth */
	ctx->tokens = ctx->burst;
	ctx->tokens_at = g_get_monotonic_time();
	ctx->n = list != NULL ? (guint)config_setting_length(list) : 0;
	ctx->targets = g_new0(target *, MAX(ctx->n, 1));
	ctx->heap = g_new0(heap_entry, MAX(ctx->n, 1));
	ctx->heap_pos = g_new(gint, MAX(ctx->n, 1));
	for (guint i = 0; i < MAX(ctx->n, 1); i++)
		ctx->heap_pos[i] = -1;
	guint kept = 0;
	target_defaults defs;
	defaults_read(ctx, conf, &defs);
	for (guint i = 0; i < ctx->n; i++) {
		target *t = target_new(ctx, &defs,
				       config_setting_get_elem(list, i), kept, err);
		if (t == NULL) {
			ctx->n = kept;
			ctx_unref(ctx);
			return FALSE;
		}
		/* netmond.shard: another poller pings this one. */
		if (!nm_plugin_owns_target(p, t->name)) {
			target_free(t);
			continue;
		}
		ctx->targets[kept++] = t;
		max_size = MAX(max_size, t->size);
		if (!t->literal)
			names = TRUE;
		else if (t->sa.sa.sa_family == AF_INET6)
			need6 = TRUE;
		else
			need4 = TRUE;
	}
	ctx->n = kept;
	ctx->txbuf_len = ICMP_ECHO_HDR_LEN + max_size;
	ctx->txbuf = g_malloc(ctx->txbuf_len);
	{
		/* The fill pattern, once: send_probe() rewrites the header
		 * and tag only. */
		icmp_tag tag0 = { .magic = ctx->magic };
		if (icmp_echo_build(ctx->txbuf, ctx->txbuf_len, AF_INET, 0, 0,
				    &tag0, max_size) == 0)
			memset(ctx->txbuf, 0, ctx->txbuf_len);
	}
	/* Replies are as long as their requests; longer ones are truncated
	 * (MSG_TRUNC) and counted foreign. Slots 8-octet aligned. */
	ctx->rx_slot = (RECV_HDR_ROOM + ctx->txbuf_len + 7) & ~(gsize)7;
	ctx->rxbuf = g_malloc((gsize)RECV_BATCH * ctx->rx_slot);
	ctx->c_sent = nm_plugin_counter(p, "probes_sent");
	ctx->c_received = nm_plugin_counter(p, "replies");
	ctx->c_late = nm_plugin_counter(p, "replies_late");
	ctx->c_dup = nm_plugin_counter(p, "replies_duplicate");
	ctx->c_foreign = nm_plugin_counter(p, "replies_foreign");
	ctx->c_send_err = nm_plugin_counter(p, "send_errors");
	ctx->c_rounds = nm_plugin_counter(p, "rounds");
	ctx->c_missed = nm_plugin_counter(p, "rounds_missed");
	ctx->c_resolve_fail = nm_plugin_counter(p, "resolve_failures");

	/* Both families when DNS names may resolve to either. */
	if (need4 || names)
		sock_open(ctx, &ctx->s4, AF_INET, kind);
	if (need6 || names)
		sock_open(ctx, &ctx->s6, AF_INET6, kind);
	if ((need4 && ctx->s4.fd < 0) || (need6 && ctx->s6.fd < 0)) {
		icmp_sock *s = need4 && ctx->s4.fd < 0 ? &ctx->s4 : &ctx->s6;
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "icmp: cannot open an %s ICMP socket (icmp.socket = "
			    "\"%s\"): %s", family_name(s->family), kind,
			    s->error);
		if (ctx->s4.watch)
			nm_plugin_remove_watch(p, ctx->s4.watch);
		if (ctx->s6.watch)
			nm_plugin_remove_watch(p, ctx->s6.watch);
		if (ctx->s4.fd >= 0)
			close(ctx->s4.fd);
		if (ctx->s6.fd >= 0)
			close(ctx->s6.fd);
		ctx_unref(ctx);
		return FALSE;
	}
	for (int f = 0; f < 2; f++) {
		icmp_sock *s = f == 0 ? &ctx->s4 : &ctx->s6;
		if (s->fd < 0 && s->error != NULL)
			NM_WARNING(p, "no %s ICMP socket, targets resolving to "
				   "%s addresses will fail: %s",
				   family_name(s->family), family_name(s->family),
				   s->error);
	}

	ctx->pacer = g_source_new(&pacer_funcs, sizeof(GSource));
	g_source_set_callback(ctx->pacer, NULL, ctx, NULL);
	g_source_set_name(ctx->pacer, "icmp pacer");
	{
		gboolean spread = nm_conf_bool(conf, "spread", TRUE);
		for (guint i = 0; i < ctx->n; i++)
			heap_set(ctx, ctx->targets[i],
				 first_due(ctx, ctx->targets[i], spread));
	}
	pacer_arm(ctx, 0);
	if (g_source_attach(ctx->pacer, NULL) == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "icmp: cannot attach the pacing source");
		g_source_unref(ctx->pacer);
		ctx->pacer = NULL;
		ctx_unref(ctx);
		return FALSE;
	}
	nm_plugin_set_data(p, ctx);
	nm_plugin_set_stats(p, icmp_stats, ctx);
	if (names) {
		ctx->resolver = g_resolver_get_default();
		ctx->cancel = g_cancellable_new();
		resolve_tick(p, NULL, 0, ctx);
		nm_plugin_add_timer(p, "resolve", ctx->resolve_interval,
				    NM_TIMER_DEFAULT, resolve_tick, ctx, NULL);
	}
	NM_INFO(p, "%u target%s", ctx->n, ctx->n == 1 ? "" : "s");
	return TRUE;
}

/** Stop: cancel DNS lookups (waiting up to 2 s for them to return, so no
 *  callback outlives the module), remove the pacer, close the sockets,
 *  free every target. */
static void icmp_shutdown(nm_plugin *p)
{
	icmp_ctx *ctx = nm_plugin_get_data(p);
	gint64 deadline = g_get_monotonic_time() + SHUTDOWN_DNS_WAIT;

	if (ctx == NULL)
		return;
	nm_plugin_set_stats(p, NULL, NULL);
	ctx->stopped = TRUE;
	if (ctx->pacer != NULL) {
		g_source_destroy(ctx->pacer);
		g_source_unref(ctx->pacer);
		ctx->pacer = NULL;
	}
	if (ctx->cancel != NULL)
		g_cancellable_cancel(ctx->cancel);
	while (ctx->pending_lookups > 0 && g_get_monotonic_time() < deadline)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	if (ctx->pending_lookups > 0)
		NM_WARNING(p, "%u DNS lookups still pending at shutdown",
			   ctx->pending_lookups);
	/* The core has removed our watches already. */
	if (ctx->s4.fd >= 0)
		close(ctx->s4.fd);
	if (ctx->s6.fd >= 0)
		close(ctx->s6.fd);
	ctx->s4.fd = ctx->s6.fd = -1;
	nm_plugin_set_data(p, NULL);
	ctx_unref(ctx);
}

NM_PLUGIN_DEFINE(.name = "icmp", .version = "1.0",
		 .description = "ICMP echo: RTT, loss and jitter of many "
				"IPv4/IPv6 targets",
		 .config_keys = icmp_keys, .validate = icmp_validate,
		 .init = icmp_init, .shutdown = icmp_shutdown);
