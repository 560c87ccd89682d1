/* netmon icmp plugin — ICMP echo packets and per-round statistics.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * See proto.h. Implements the Echo Request/Reply formats of RFC 792 (IPv4)
 * and RFC 4443 §4.1/§4.2 (IPv6) and the Internet checksum of RFC 1071.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "proto.h"

#define ICMP4_ECHO_REPLY 0
#define ICMP4_ECHO_REQUEST 8
#define ICMP6_ECHO_REQ 128
#define ICMP6_ECHO_REP 129

static void put16(guint8 *p, guint16 v)
{
	p[0] = (guint8)(v >> 8);
	p[1] = (guint8)v;
}

static void put32(guint8 *p, guint32 v)
{
	p[0] = (guint8)(v >> 24);
	p[1] = (guint8)(v >> 16);
	p[2] = (guint8)(v >> 8);
	p[3] = (guint8)v;
}

static guint16 get16(const guint8 *p)
{
	return (guint16)((p[0] << 8) | p[1]);
}

static guint32 get32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
	       ((guint32)p[2] << 8) | (guint32)p[3];
}

guint16 icmp_checksum(const void *data, gsize len)
{
	const guint8 *p = data;
	guint32 sum = 0;

	while (len > 1) {
		sum += (guint32)((p[0] << 8) | p[1]);
		p += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (guint32)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (guint16)~sum; /* host-order value of the big-endian field */
}

gsize icmp_echo_build(guint8 *buf, gsize buflen, int family, guint16 id,
		      guint16 seq, const icmp_tag *tag, gsize payload)
{
	gsize len = ICMP_ECHO_HDR_LEN + payload;

	if (buf == NULL || tag == NULL || payload < ICMP_MIN_PAYLOAD ||
	    payload > ICMP_MAX_PAYLOAD || len > buflen)
		return 0;
	for (gsize i = ICMP_ECHO_HDR_LEN + ICMP_TAG_LEN; i < len; i++)
		buf[i] = (guint8)(0x20 + i % 64); /* printable, like ping(8) */
	/* header and tag, then the checksum over the whole message */
	return icmp_echo_retag(buf, family, id, seq, tag, payload, TRUE);
}

gsize icmp_echo_retag(guint8 *buf, int family, guint16 id, guint16 seq,
		      const icmp_tag *tag, gsize payload, gboolean checksum)
{
	gsize len = ICMP_ECHO_HDR_LEN + payload;

	if (buf == NULL || tag == NULL || payload < ICMP_MIN_PAYLOAD ||
	    payload > ICMP_MAX_PAYLOAD)
		return 0;
	buf[0] = family == AF_INET6 ? ICMP6_ECHO_REQ : ICMP4_ECHO_REQUEST;
	buf[1] = 0;
	put16(buf + 2, 0);
	put16(buf + 4, id);
	put16(buf + 6, seq);
	put32(buf + 8, tag->magic);
	put32(buf + 12, tag->target);
	put32(buf + 16, tag->round);
	put16(buf + 20, tag->probe);
	put16(buf + 22, tag->seq);
	if (checksum && family != AF_INET6)
		put16(buf + 2, icmp_checksum(buf, len));
	return len;
}

icmp_parse_result icmp_echo_parse(const guint8 *buf, gsize len, int family,
				  gboolean ip_header, gboolean check_id,
				  guint16 id, guint32 magic, guint16 *seq,
				  icmp_tag *tag)
{
	const guint8 *icmp = buf;
	gsize ilen = len;
	guint8 want_type = family == AF_INET6 ? ICMP6_ECHO_REP : ICMP4_ECHO_REPLY;

	if (buf == NULL)
		return ICMP_PARSE_SHORT;
	if (ip_header && family == AF_INET) {
		gsize ihl;

		if (len < 20)
			return ICMP_PARSE_SHORT;
		if ((buf[0] >> 4) != 4)
			return ICMP_PARSE_FOREIGN;
		ihl = (gsize)(buf[0] & 0x0f) * 4;
		if (ihl < 20 || ihl > len)
			return ICMP_PARSE_SHORT;
		icmp = buf + ihl;
		ilen = len - ihl;
	}
	if (ilen < ICMP_ECHO_HDR_LEN)
		return ICMP_PARSE_SHORT;
	if (icmp[0] != want_type || icmp[1] != 0)
		return ICMP_PARSE_NOT_REPLY;
	if (check_id && get16(icmp + 4) != id)
		return ICMP_PARSE_FOREIGN;
	if (ilen < ICMP_ECHO_HDR_LEN + ICMP_TAG_LEN)
		return ICMP_PARSE_FOREIGN; /* too short to be one of ours */
	if (family != AF_INET6 && icmp_checksum(icmp, ilen) != 0)
		return ICMP_PARSE_FOREIGN;
	if (get32(icmp + 8) != magic)
		return ICMP_PARSE_FOREIGN;
	if (seq != NULL)
		*seq = get16(icmp + 6);
	if (tag != NULL) {
		tag->magic = magic;
		tag->target = get32(icmp + 12);
		tag->round = get32(icmp + 16);
		tag->probe = get16(icmp + 20);
		tag->seq = get16(icmp + 22);
	}
	return ICMP_PARSE_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void icmp_round_compute(const double *rtt_ms, guint n, icmp_round_stats *out)
{
	double stack[128], *sorted;
	double sum = 0, sq = 0, jsum = 0, prev = NAN;
	guint got = 0, jn = 0;

	memset(out, 0, sizeof(*out));
	out->sent = n;
	out->loss = n > 0 ? 0 : NAN;
	out->min = out->median = out->avg = out->max = NAN;
	out->stddev = out->jitter = NAN;
	if (n == 0 || rtt_ms == NULL)
		return;
	/* Rounds have at most 100 probes: no allocation for them. */
	sorted = n <= G_N_ELEMENTS(stack) ? stack : g_new(double, n);
	for (guint i = 0; i < n; i++) {
		double r = rtt_ms[i];

		if (isnan(r) || r < 0)
			continue;
		sorted[got++] = r;
		sum += r;
		if (!isnan(prev)) {
			jsum += fabs(r - prev);
			jn++;
		}
		prev = r;
	}
	out->received = got;
	out->loss = (double)(n - got) / (double)n;
	if (got > 0) {
		if (got <= 16) { /* insertion sort: a round of a few probes */
			for (guint i = 1; i < got; i++) {
				double x = sorted[i];
				guint j = i;
				for (; j > 0 && sorted[j - 1] > x; j--)
					sorted[j] = sorted[j - 1];
				sorted[j] = x;
			}
		} else {
			qsort(sorted, got, sizeof(double), cmp_double);
		}
		out->min = sorted[0];
		out->max = sorted[got - 1];
		out->median = got % 2 ? sorted[got / 2]
				      : (sorted[got / 2 - 1] + sorted[got / 2]) / 2;
		out->avg = sum / got;
		for (guint i = 0; i < got; i++)
			sq += (sorted[i] - out->avg) * (sorted[i] - out->avg);
		out->stddev = sqrt(sq / got);
		if (jn > 0)
			out->jitter = jsum / jn;
	}
	if (sorted != stack)
		g_free(sorted);
}

gsize icmp_format_fixed(char *buf, gsize size, double v, guint decimals)
{
	static const guint64 p10[] = { 1, 10, 100, 1000, 10000, 100000,
				       1000000, 10000000, 100000000,
				       1000000000 };
	char tmp[32];
	char *e = tmp + sizeof(tmp), *q = e;
	guint64 u, ip, fp;
	gsize len;
	double s;

	if (buf == NULL || size == 0)
		return 0;
	if (decimals >= G_N_ELEMENTS(p10) || !isfinite(v) || fabs(v) >= 1e9) {
		int r = snprintf(buf, size, "%.*f", (int)decimals, v);
		return r < 0 ? 0 : MIN((gsize)r, size - 1);
	}
	s = nearbyint(fabs(v) * (double)p10[decimals]);
	u = (guint64)s;
	ip = u / p10[decimals];
	fp = u % p10[decimals];
	for (guint i = 0; i < decimals; i++) {
		*--q = (char)('0' + fp % 10);
		fp /= 10;
	}
	if (decimals > 0)
		*--q = '.';
	do {
		*--q = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip > 0);
	if (signbit(v))
		*--q = '-';
	len = MIN((gsize)(e - q), size - 1);
	memcpy(buf, q, len);
	buf[len] = '\0';
	return len;
}

void icmp_append_fixed(GString *out, double v, guint decimals)
{
	char buf[400]; /* "%.9f" of DBL_MAX: 309 digits, point, 9 decimals */

	g_string_append_len(out, buf,
			    (gssize)icmp_format_fixed(buf, sizeof(buf), v,
						      decimals));
}
