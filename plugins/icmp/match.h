/* netmon icmp plugin — targets, probes, and matching replies to probes.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The per-target probing state shared by the scheduler (icmp.c) and the
 * reply matcher (match.c). The matcher works on a batch of datagrams as
 * read by one recvmmsg(2) call and touches no socket and no global, so the
 * unit tests feed it crafted batches (foreign, duplicate, late replies).
 *
 * Matching (RFC 792 Echo Reply for IPv4, RFC 4443 §4.2 for ICMPv6): a reply
 * belongs to a probe only if the echo identifier (raw sockets; the kernel
 * filters datagram sockets), the 16-byte payload tag (per-process magic,
 * target index, round, probe index, sequence copy, see proto.h), the ICMP
 * sequence number and the source address all agree with a probe that is
 * awaiting its reply.
 */
#ifndef NETMON_ICMP_MATCH_H
#define NETMON_ICMP_MATCH_H

#include <glib.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "proto.h"

G_BEGIN_DECLS

/** State of one probe of the current round. */
typedef enum {
	PROBE_UNSENT = 0,
	PROBE_SENT,      /**< awaiting its reply */
	PROBE_REPLIED,
	PROBE_FAILED,    /**< sendto() failed: lost */
	PROBE_LATE       /**< reply came after the timeout: lost */
} probe_state;

/** One probe of a round. */
typedef struct {
	gint64 tx_mono;     /**< µs, g_get_monotonic_time() at the send */
	gint64 tx_real_ns;  /**< CLOCK_REALTIME ns, pairs with SO_TIMESTAMPNS */
	double rtt_ms;      /**< RTT in milliseconds once PROBE_REPLIED */
	guint16 seq;        /**< ICMP sequence number it was sent with */
	guint8 state;       /**< a probe_state */
} probe;

/** Where a target is in its round. */
typedef enum { PHASE_WAIT = 0, PHASE_SEND, PHASE_END } phase;

typedef struct icmp_ctx icmp_ctx;

/** An IPv4 or IPv6 address: 28 octets, not sockaddr_storage's 128 (a
 *  target holds two, and 10,000 targets are walked every round). */
typedef union {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
} icmp_addr;

/** One target. Owned by the plugin's context; strings are owned. The
 *  fields every probe and reply touch come first, in the first two cache
 *  lines (rounds walk 10,000 targets: each extra line is a cache miss). */
typedef struct {
	/* Hot: send, match, schedule. */
	phase ph;
	guint index;              /**< in the context's table and the tag */
	guint32 round;
	guint next_probe, answered;
	guint pings;
	socklen_t salen;
	gboolean have_addr;
	icmp_addr sa;
	guint size;               /**< ICMP payload octets */
	probe *probes;            /**< pings entries: bounded state */
	gint64 round_start;       /**< monotonic µs */
	gint64 last_tx;
	gint64 spacing, timeout;  /**< µs */
	guint64 sent_total, received_total;
	double last_rtt;          /**< ms of the latest reply, NAN if none */

	/* Once per round or rarer. */
	gint64 due;               /**< monotonic µs of the next event */
	gint64 interval;          /**< µs */
	gint64 round_real;        /**< real µs, the METRIC time */
	icmp_ctx *ctx;
	char *name;
	char *address;            /**< as configured */
	char *error;              /**< why it cannot be probed, or NULL */
	int family_pref;          /**< AF_UNSPEC, AF_INET, AF_INET6 */
	gboolean literal;         /**< address is numeric: never resolved */
	gboolean resolving;
	gboolean have_next;
	icmp_addr next_sa;        /**< resolved, used from next round */
	socklen_t next_salen;
	guint lost_rounds;
	gboolean have_result;
	icmp_round_stats last;
	guint64 rounds;
	char addr_str[46];        /**< INET6_ADDRSTRLEN */
} target;

/* The hot part is two 64-octet lines on 64-bit systems. */
G_STATIC_ASSERT(sizeof(void *) != 8 || G_STRUCT_OFFSET(target, probes) == 64);

/** One received datagram of a batch. @buf points into the caller's
 *  buffers (not owned). */
typedef struct {
	const guint8 *buf;
	gsize len;                     /**< octets received */
	gboolean truncated;            /**< MSG_TRUNC: longer than the buffer */
	struct sockaddr_storage from;  /**< source address */
	gint64 rx_ns;                  /**< kernel CLOCK_REALTIME stamp in ns
					    (SO_TIMESTAMPNS), 0 if none */
} icmp_rx_pkt;

/** How the datagrams of a socket are to be read. */
typedef struct {
	int family;          /**< AF_INET or AF_INET6 */
	gboolean raw;        /**< raw socket: identifier checked; IPv4 raw
				  sockets also deliver the IP header */
	guint16 ident;       /**< our echo identifier (raw sockets) */
	guint32 magic;       /**< per-process tag magic */
} icmp_rx_params;

/** Verdict counts of a batch, to add to the plugin's counters. */
typedef struct {
	guint replies;       /**< matched and in time */
	guint late;          /**< after the timeout or after the round */
	guint duplicate;     /**< a second reply to the same probe */
	guint foreign;       /**< not a reply to any probe of ours */
	guint ignored;       /**< other ICMP types seen on a raw socket */
} icmp_rx_counts;

/** Match a batch of @npkts datagrams against @targets (@n entries, indexed
 *  by the tag's target field) at monotonic time @now (µs). A reply in time
 *  marks its probe PROBE_REPLIED with its RTT (kernel receive stamp minus
 *  send time; monotonic clock if the stamp is missing or implausible);
 *  after the target's timeout it marks it PROBE_LATE. "In time" is judged
 *  by the kernel's receive stamp where there is a plausible one, so a
 *  reply read late by a busy daemon still counts. Every datagram is
 *  counted in *@counts (zeroed first). Targets whose round became complete
 *  (all probes sent and answered or failed) are written to @done, each at
 *  most once; the caller ends their rounds. @done must hold @npkts entries.
 *  Returns the number of entries written to @done. Treats the datagrams
 *  as hostile; never fails. */
guint icmp_rx_match(target *const *targets, guint n,
		    const icmp_rx_params *prm, const icmp_rx_pkt *pkts,
		    guint npkts, gint64 now, icmp_rx_counts *counts,
		    target **done);

G_END_DECLS

#endif /* NETMON_ICMP_MATCH_H */
