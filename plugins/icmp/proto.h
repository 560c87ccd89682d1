/* netmon icmp plugin — ICMP echo packets and per-round statistics.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Pure functions (no sockets, no globals) so that the unit tests can feed
 * them crafted and hostile bytes: building ICMP Echo Requests (RFC 792 for
 * IPv4, RFC 4443 §4.1 for IPv6), parsing Echo Replies (RFC 792, RFC 4443
 * §4.2) with every length checked, and reducing one round of RTTs to
 * min/median/avg/max/stddev/jitter/loss.
 *
 * Every probe carries a 16-byte tag at the start of its payload:
 *   magic (u32, random per process) | target index (u32) |
 *   round (u32) | probe index (u16) | sequence copy (u16)
 * in network byte order. A reply is only ours if the magic matches, and it is
 * only the reply to a live probe if target, round, probe and sequence do.
 */
#ifndef NETMON_ICMP_PROTO_H
#define NETMON_ICMP_PROTO_H

#include <glib.h>

G_BEGIN_DECLS

/** Bytes of the ICMP echo header (type, code, checksum, id, sequence). */
#define ICMP_ECHO_HDR_LEN 8
/** Bytes of the probe tag at the start of the payload. */
#define ICMP_TAG_LEN 16
/** Smallest payload a probe may have (the tag). */
#define ICMP_MIN_PAYLOAD ICMP_TAG_LEN
/** Largest payload a probe may have (fits any IPv4/IPv6 datagram). */
#define ICMP_MAX_PAYLOAD 65000

/** What a probe's payload identifies. */
typedef struct {
	guint32 magic;   /**< random per plugin instance: ours or foreign */
	guint32 target;  /**< index of the target */
	guint32 round;   /**< round number of the target */
	guint16 probe;   /**< probe index inside the round */
	guint16 seq;     /**< copy of the ICMP sequence number */
} icmp_tag;

/** Verdict of icmp_echo_parse(). */
typedef enum {
	ICMP_PARSE_OK = 0,     /**< an echo reply carrying our tag */
	ICMP_PARSE_SHORT,      /**< truncated: shorter than its headers/tag */
	ICMP_PARSE_NOT_REPLY,  /**< another ICMP type (or code != 0) */
	ICMP_PARSE_FOREIGN     /**< an echo reply, but not from us: wrong
				    identifier, magic, or bad checksum */
} icmp_parse_result;

/** The Internet checksum (RFC 1071) of @len bytes at @data: the one's
 *  complement of the one's complement sum of 16-bit words, in network byte
 *  order as it is stored in the packet. Never fails. */
guint16 icmp_checksum(const void *data, gsize len);

/** Write an Echo Request into @buf (@buflen bytes): for @family AF_INET
 *  type 8 (RFC 792) with its checksum computed, for AF_INET6 type 128
 *  (RFC 4443 §4.1) with checksum 0 (the kernel fills it in, as it needs the
 *  pseudo-header). @id and @seq in host order; @tag is written at the start
 *  of the @payload bytes of payload, the rest filled with a fixed pattern.
 *  For datagram ("ping") sockets the kernel replaces @id with the socket's.
 *  Returns the packet length (8 + @payload), or 0 if @payload is below
 *  ICMP_MIN_PAYLOAD or the packet does not fit @buflen. */
gsize icmp_echo_build(guint8 *buf, gsize buflen, int family, guint16 id,
		      guint16 seq, const icmp_tag *tag, gsize payload);

/** Turn a packet made by icmp_echo_build() (into the same @buf, at least
 *  8 + @payload octets long) into the Echo Request of @family, @id, @seq
 *  and @tag with @payload octets of payload, rewriting only the header and
 *  the tag: the fill pattern does not depend on these. @checksum: compute
 *  the IPv4 checksum (RFC 1071); without it the field is left 0, as the
 *  kernel computes it for datagram ("ping") sockets and for ICMPv6. With
 *  @checksum the result is byte-for-byte icmp_echo_build()'s. Returns the
 *  packet length (8 + @payload), or 0 if @payload is out of range. */
gsize icmp_echo_retag(guint8 *buf, int family, guint16 id, guint16 seq,
		      const icmp_tag *tag, gsize payload, gboolean checksum);

/** Parse a received datagram as an Echo Reply (type 0, RFC 792; type 129,
 *  RFC 4443 §4.2). @ip_header: the bytes begin with an IPv4 header (raw
 *  IPv4 sockets), whose IHL is honoured and bounds-checked. @check_id: the
 *  identifier must equal @id (raw sockets; datagram sockets are filtered by
 *  the kernel). For IPv4 the ICMP checksum is verified. On ICMP_PARSE_OK
 *  *@seq and *@tag are filled (tag.magic compared to @magic already).
 *  Treats @buf as hostile; never reads past @len. */
icmp_parse_result icmp_echo_parse(const guint8 *buf, gsize len, int family,
				  gboolean ip_header, gboolean check_id,
				  guint16 id, guint32 magic, guint16 *seq,
				  icmp_tag *tag);

/** One round's figures. RTTs in milliseconds; NAN where not defined
 *  (no reply: every RTT figure; fewer than two replies: jitter). */
typedef struct {
	guint sent;        /**< probes in the round */
	guint received;    /**< replies in time */
	double loss;       /**< (sent - received) / sent, 0..1; NAN if sent 0 */
	double min, median, avg, max;
	double stddev;     /**< population standard deviation; 0 for 1 reply */
	double jitter;     /**< mean |rtt[i] - rtt[i-1]| over consecutive
			        replies in send order (RFC 3550-style without
			        the smoothing), NAN for fewer than 2 replies */
} icmp_round_stats;

/** Reduce @n RTTs of one round (in send order, milliseconds; a negative or
 *  NAN entry is a lost probe) to @out. @n may be 0. Allocates nothing
 *  beyond a temporary sorted copy. */
void icmp_round_compute(const double *rtt_ms, guint n, icmp_round_stats *out);

/** Append @v with @decimals digits after the point to @out, as
 *  printf("%.*f", decimals, v) does (round to nearest, ties to even;
 *  "-" for negative values and -0) but without printf's exact decimal
 *  expansion: integer arithmetic for |v| < 1e9 and @decimals <= 9 (the
 *  last digit may differ from printf's where v * 10^decimals is not exact
 *  in binary), printf itself otherwise (NAN, infinities, huge values).
 *  Used for the STATE output and perfdata of every round, where printf's
 *  floating-point formatting was the plugin's largest user-space cost. */
void icmp_append_fixed(GString *out, double v, guint decimals);

/** Write @v with @decimals decimals into @buf (@size octets, NUL-
 *  terminated, truncated like snprintf(3)), as icmp_append_fixed() does.
 *  Returns the length written (without the NUL). No allocation. */
gsize icmp_format_fixed(char *buf, gsize size, double v, guint decimals);

G_END_DECLS

#endif /* NETMON_ICMP_PROTO_H */
