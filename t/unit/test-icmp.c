/* Unit tests of the icmp plugin: packet building and hostile parsing,
 * round statistics, and the plugin in an in-process core (METRIC and STATE
 * messages for loopback targets over datagram and raw sockets, an
 * unreachable target going HARD down, an unresolvable name, config errors).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The tests that send packets run in a private network namespace made with
 * unshare(CLONE_NEWNET) at start-up (root only): only its loopback exists,
 * so no packet leaves the test, and net.ipv4.ping_group_range can be set
 * there without touching the host. Without the permission they are skipped.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "match.h"
#include "proto.h"

static gboolean have_netns;

/* ------------------------------------------------------------------ */
/* proto.c                                                             */

static void test_checksum(void)
{
	/* RFC 1071 §3 example bytes: sum 0xddf2, checksum ~0xddf2. */
	const guint8 data[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	guint8 odd[] = { 0xab };

	g_assert_cmphex(icmp_checksum(data, sizeof(data)), ==, (guint16)~0xddf2);
	g_assert_cmphex(icmp_checksum(odd, 1), ==, (guint16)~0xab00);
	g_assert_cmphex(icmp_checksum(NULL, 0), ==, 0xffff);
}

static const icmp_tag tag0 = { .magic = 0xdeadbeef, .target = 4242,
			       .round = 7, .probe = 19, .seq = 513 };

/* Turn a request into the reply a host would send (type 0/129). */
static void make_reply(guint8 *pkt, gsize len, int family)
{
	pkt[0] = family == AF_INET6 ? 129 : 0;
	pkt[2] = pkt[3] = 0;
	if (family == AF_INET) {
		guint16 c = icmp_checksum(pkt, len);
		pkt[2] = (guint8)(c >> 8);
		pkt[3] = (guint8)c;
	}
}

static void test_build_parse(void)
{
	guint8 pkt[128], ip[148];
	icmp_tag tag;
	guint16 seq;
	gsize len;

	g_assert_cmpuint(icmp_echo_build(pkt, sizeof(pkt), AF_INET, 1, 513,
					 &tag0, 15), ==, 0);
	g_assert_cmpuint(icmp_echo_build(pkt, 20, AF_INET, 1, 513, &tag0, 56),
			 ==, 0);
	len = icmp_echo_build(pkt, sizeof(pkt), AF_INET, 0x1234, 513, &tag0, 56);
	g_assert_cmpuint(len, ==, 64);
	g_assert_cmpuint(pkt[0], ==, 8);
	g_assert_cmphex(icmp_checksum(pkt, len), ==, 0); /* valid checksum */
	/* A request is not a reply. */
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET, FALSE, FALSE, 0,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_NOT_REPLY);
	make_reply(pkt, len, AF_INET);
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET, FALSE, TRUE, 0x1234,
					tag0.magic, &seq, &tag), ==, ICMP_PARSE_OK);
	g_assert_cmpuint(seq, ==, 513);
	g_assert_cmpuint(tag.target, ==, 4242);
	g_assert_cmpuint(tag.round, ==, 7);
	g_assert_cmpuint(tag.probe, ==, 19);
	g_assert_cmpuint(tag.seq, ==, 513);
	/* Wrong identifier (raw socket), wrong magic, bad checksum. */
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET, FALSE, TRUE, 0x1235,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_FOREIGN);
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET, FALSE, FALSE, 0,
					1, &seq, &tag), ==, ICMP_PARSE_FOREIGN);
	pkt[30] ^= 0x40;
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET, FALSE, FALSE, 0,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_FOREIGN);
	pkt[30] ^= 0x40;

	/* With an IPv4 header of 24 bytes (IHL 6) in front. */
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x46;
	memcpy(ip + 24, pkt, len);
	g_assert_cmpint(icmp_echo_parse(ip, len + 24, AF_INET, TRUE, TRUE,
					0x1234, tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_OK);
	/* Every truncation is refused, never read past the end. */
	for (gsize l = 0; l < len + 24; l++) {
		guint8 *copy = g_memdup2(ip, l ? l : 1);
		g_assert_cmpint(icmp_echo_parse(copy, l, AF_INET, TRUE, TRUE,
						0x1234, tag0.magic, &seq, &tag),
				!=, ICMP_PARSE_OK);
		g_free(copy);
	}
	ip[0] = 0x4f; /* IHL 60 > packet */
	g_assert_cmpint(icmp_echo_parse(ip, 40, AF_INET, TRUE, TRUE, 0x1234,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_SHORT);
	ip[0] = 0x42; /* IHL 8 < 20 */
	g_assert_cmpint(icmp_echo_parse(ip, len + 24, AF_INET, TRUE, TRUE,
					0x1234, tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_SHORT);
	ip[0] = 0x66; /* not IPv4 */
	g_assert_cmpint(icmp_echo_parse(ip, len + 24, AF_INET, TRUE, TRUE,
					0x1234, tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_FOREIGN);

	/* ICMPv6: type 128 out, 129 back; checksum left to the kernel. */
	len = icmp_echo_build(pkt, sizeof(pkt), AF_INET6, 9, 65535, &tag0, 16);
	g_assert_cmpuint(len, ==, 24);
	g_assert_cmpuint(pkt[0], ==, 128);
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET6, FALSE, FALSE, 0,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_NOT_REPLY);
	make_reply(pkt, len, AF_INET6);
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET6, FALSE, TRUE, 9,
					tag0.magic, &seq, &tag), ==, ICMP_PARSE_OK);
	g_assert_cmpuint(seq, ==, 65535);
	/* Unreachable (type 1) is not a reply. */
	pkt[0] = 1;
	g_assert_cmpint(icmp_echo_parse(pkt, len, AF_INET6, FALSE, FALSE, 0,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_NOT_REPLY);
	/* An echo reply without room for our tag is someone else's. */
	pkt[0] = 129;
	g_assert_cmpint(icmp_echo_parse(pkt, 12, AF_INET6, FALSE, FALSE, 0,
					tag0.magic, &seq, &tag), ==,
			ICMP_PARSE_FOREIGN);
}

/* icmp_echo_retag() on a buffer built once gives what icmp_echo_build()
 * gives for each probe (IPv4 with checksum, ICMPv6), and leaves the
 * checksum 0 without one (datagram sockets: the kernel computes it). */
static void test_retag(void)
{
	guint8 tmpl[200], fresh[200];
	icmp_tag first = { .magic = 0xfeedf00d }, tag;

	g_assert_cmpuint(icmp_echo_build(tmpl, sizeof(tmpl), AF_INET, 0, 0,
					 &first, 150), ==, 158);
	for (guint i = 0; i < 50; i++) {
		int fam = i % 2 ? AF_INET6 : AF_INET;
		gsize pay = 16 + (i * 37) % 135, len;
		guint16 id = (guint16)(i * 1231), seq = (guint16)(65530 + i);

		tag = (icmp_tag){ .magic = 0xfeedf00d, .target = i * 7919,
				  .round = 0xffffff00u + i, .probe = (guint16)i,
				  .seq = seq };
		len = icmp_echo_retag(tmpl, fam, id, seq, &tag, pay, TRUE);
		g_assert_cmpuint(len, ==, 8 + pay);
		g_assert_cmpuint(icmp_echo_build(fresh, sizeof(fresh), fam, id,
						 seq, &tag, pay), ==, len);
		g_assert_cmpmem(tmpl, len, fresh, len);
		len = icmp_echo_retag(tmpl, fam, id, seq, &tag, pay, FALSE);
		g_assert_cmpuint(tmpl[2] | tmpl[3], ==, 0);
		g_assert_cmpmem(tmpl + 4, len - 4, fresh + 4, len - 4);
	}
	g_assert_cmpuint(icmp_echo_retag(tmpl, AF_INET, 1, 1, &tag, 15, TRUE),
			 ==, 0);
	g_assert_cmpuint(icmp_echo_retag(NULL, AF_INET, 1, 1, &tag, 56, TRUE),
			 ==, 0);
}

static void test_round_stats(void)
{
	const double all[] = { 1, 2, 3, 4 };
	const double some[] = { 1, NAN, 3, -1, 2 };
	icmp_round_stats s;

	icmp_round_compute(all, 4, &s);
	g_assert_cmpuint(s.sent, ==, 4);
	g_assert_cmpuint(s.received, ==, 4);
	g_assert_cmpfloat(s.loss, ==, 0);
	g_assert_cmpfloat(s.min, ==, 1);
	g_assert_cmpfloat(s.max, ==, 4);
	g_assert_cmpfloat(s.median, ==, 2.5);
	g_assert_cmpfloat(s.avg, ==, 2.5);
	g_assert_cmpfloat_with_epsilon(s.stddev, sqrt(1.25), 1e-12);
	g_assert_cmpfloat(s.jitter, ==, 1);

	icmp_round_compute(some, 5, &s);
	g_assert_cmpuint(s.received, ==, 3);
	g_assert_cmpfloat_with_epsilon(s.loss, 0.4, 1e-12);
	g_assert_cmpfloat(s.median, ==, 2);
	g_assert_cmpfloat(s.avg, ==, 2);
	/* Consecutive replies 1, 3, 2: |2| and |1|. */
	g_assert_cmpfloat(s.jitter, ==, 1.5);

	icmp_round_compute(some, 1, &s);
	g_assert_cmpfloat(s.stddev, ==, 0);
	g_assert_true(isnan(s.jitter));

	icmp_round_compute(some + 1, 1, &s);
	g_assert_cmpfloat(s.loss, ==, 1);
	g_assert_true(isnan(s.avg) && isnan(s.min) && isnan(s.median));

	icmp_round_compute(NULL, 0, &s);
	g_assert_cmpuint(s.sent, ==, 0);
	g_assert_true(isnan(s.loss));

	/* Every sorting path (a few replies, more than 16, more than the
	 * 128 of the stack buffer): median, min and max of a shuffled
	 * 1..n with every 5th lost. */
	for (guint n = 1; n <= 300; n += n < 40 ? 1 : 37) {
		double *r = g_new(double, n), want[300];
		guint got = 0;
		for (guint i = 0; i < n; i++)
			r[i] = (i % 5 == 4) ? NAN : (double)((i * 7 + 3) % n + 1);
		for (guint i = 0; i < n; i++)
			if (!isnan(r[i]))
				want[got++] = r[i];
		for (guint i = 1; i < got; i++) /* reference sort */
			for (guint j = i; j > 0 && want[j - 1] > want[j]; j--) {
				double x = want[j];
				want[j] = want[j - 1];
				want[j - 1] = x;
			}
		icmp_round_compute(r, n, &s);
		g_assert_cmpuint(s.received, ==, got);
		g_assert_cmpfloat(s.min, ==, want[0]);
		g_assert_cmpfloat(s.max, ==, want[got - 1]);
		g_assert_cmpfloat(s.median, ==, got % 2 ? want[got / 2]
				  : (want[got / 2 - 1] + want[got / 2]) / 2);
		g_free(r);
	}
}

/* icmp_append_fixed() prints as printf("%.*f") does. */
static void test_fixed(void)
{
	static const struct { double v; guint d; } exact[] = {
		{ 0, 0 }, { 0, 3 }, { -0.0, 3 }, { 0.0004, 3 }, { 1.5, 0 },
		{ 2.5, 0 }, { 0.5, 0 }, { 12.5, 0 }, { 30, 0 }, { 100, 0 },
		{ 99.99999, 3 }, { 123.456789, 6 }, { -1.25, 1 }, { -7, 2 },
		{ 0.032044, 6 }, { 1999.9995, 6 }, { 7.0e8, 6 }, { 5e9, 3 },
		{ 1e300, 2 }, { 0.1, 12 }
	};
	GString *a = g_string_new(NULL);
	char b[512];
	guint off = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(exact); i++) {
		g_string_assign(a, "x=");
		icmp_append_fixed(a, exact[i].v, exact[i].d);
		g_snprintf(b, sizeof(b), "x=%.*f", (int)exact[i].d, exact[i].v);
		g_assert_cmpstr(a->str, ==, b);
	}
	g_string_truncate(a, 0);
	icmp_append_fixed(a, NAN, 3);
	icmp_append_fixed(a, INFINITY, 3);
	g_snprintf(b, sizeof(b), "%.3f%.3f", NAN, INFINITY);
	g_assert_cmpstr(a->str, ==, b);
	/* RTT-like values: equal, or one unit apart in the last digit where
	 * v * 10^d is not exact in binary. */
	for (int i = 0; i < 20000; i++) {
		double v = g_test_rand_double_range(-2000, 2000) /
			   (i % 2 ? 1 : 1000);
		guint d = (guint)(i % 7);
		double x, y;
		g_string_truncate(a, 0);
		icmp_append_fixed(a, v, d);
		g_snprintf(b, sizeof(b), "%.*f", (int)d, v);
		if (strcmp(a->str, b) == 0)
			continue;
		off++;
		x = g_ascii_strtod(a->str, NULL);
		y = g_ascii_strtod(b, NULL);
		g_assert_cmpfloat(fabs(x - y), <=, 1.0001 * pow(10, -(double)d));
	}
	g_assert_cmpuint(off, <, 20); /* 1 in 1,000 at most */

	/* icmp_format_fixed(): the same text into a buffer, cut like
	 * snprintf() when the buffer is short, on both paths. */
	g_assert_cmpuint(icmp_format_fixed(b, sizeof(b), 123.456789, 3), ==, 7);
	g_assert_cmpstr(b, ==, "123.457");
	g_assert_cmpuint(icmp_format_fixed(b, 5, 123.456789, 3), ==, 4);
	g_assert_cmpstr(b, ==, "123.");
	g_assert_cmpuint(icmp_format_fixed(b, 1, 1.5, 1), ==, 0);
	g_assert_cmpstr(b, ==, "");
	g_assert_cmpuint(icmp_format_fixed(b, 4, 1e300, 2), ==, 3);
	g_assert_cmpstr(b, ==, "100");
	g_assert_cmpuint(icmp_format_fixed(b, 0, 1, 1), ==, 0);
	g_string_free(a, TRUE);
}

/* ------------------------------------------------------------------ */
/* match.c: a recvmmsg() batch against the probes                     */

#define M_MAGIC 0x5eed1e55u
#define M_ID 0x4242

static void m_target(target *t, guint index, const char *addr, guint pings)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&t->sa;

	memset(t, 0, sizeof(*t));
	t->index = index;
	sin->sin_family = AF_INET;
	g_assert_cmpint(inet_pton(AF_INET, addr, &sin->sin_addr), ==, 1);
	t->salen = sizeof(*sin);
	t->have_addr = TRUE;
	t->pings = pings;
	t->timeout = G_USEC_PER_SEC;
	t->round = 5;
	t->ph = PHASE_END;
	t->last_rtt = NAN;
	t->next_probe = pings; /* every probe sent */
	t->probes = g_new0(probe, pings);
	for (guint i = 0; i < pings; i++) {
		t->probes[i].state = PROBE_SENT;
		t->probes[i].seq = (guint16)(100 * index + i);
		t->probes[i].tx_mono = 1000000;                /* µs */
		t->probes[i].tx_real_ns = 5000000000000000000; /* ns */
	}
}

/* The reply @t would get to its probe @probe, with the tag of @round and
 * @magic, as a datagram socket delivers it (no IP header), at real time
 * tx + @rtt_us. */
static void m_reply(icmp_rx_pkt *pkt, guint8 *buf, const target *t,
		    guint probe_i, guint32 round, guint32 magic, const char *from,
		    gint64 rtt_us)
{
	icmp_tag tag = { .magic = magic, .target = t->index, .round = round,
			 .probe = (guint16)probe_i,
			 .seq = t->probes[probe_i].seq };
	struct sockaddr_in *sin = (struct sockaddr_in *)&pkt->from;
	gsize len = icmp_echo_build(buf, 64, AF_INET, M_ID,
				    t->probes[probe_i].seq, &tag, 56);

	g_assert_cmpuint(len, ==, 64);
	make_reply(buf, len, AF_INET);
	memset(pkt, 0, sizeof(*pkt));
	pkt->buf = buf;
	pkt->len = len;
	sin->sin_family = AF_INET;
	g_assert_cmpint(inet_pton(AF_INET, from, &sin->sin_addr), ==, 1);
	pkt->rx_ns = t->probes[probe_i].tx_real_ns + rtt_us * 1000;
}

static void test_match_batch(void)
{
	target t0, t1, t2, t3;
	target *targets[] = { &t0, &t1, &t2, &t3 };
	icmp_rx_params prm = { .family = AF_INET, .raw = FALSE,
			       .ident = M_ID, .magic = M_MAGIC };
	guint8 bufs[20][64];
	icmp_rx_pkt pkts[20];
	target *done[20];
	icmp_rx_counts c;
	guint k = 0, nd;
	gint64 now = 1000000 + 2000; /* 2 ms after the sends */

	m_target(&t0, 0, "127.0.0.10", 2);
	m_target(&t1, 1, "127.0.0.11", 1);
	m_target(&t2, 2, "127.0.0.12", 2);
	t2.probes[1].tx_mono = now - 2 * G_USEC_PER_SEC; /* timed out */
	m_target(&t3, 3, "127.0.0.13", 1);
	t3.probes[0].tx_mono = now - 2 * G_USEC_PER_SEC; /* read late */

	/* 0: t0 probe 0, 1.5 ms: in time. */
	m_reply(&pkts[k], bufs[k], &t0, 0, 5, M_MAGIC, "127.0.0.10", 1500); k++;
	/* 1: the same reply again: a duplicate. */
	m_reply(&pkts[k], bufs[k], &t0, 0, 5, M_MAGIC, "127.0.0.10", 1600); k++;
	/* 2: another process's reply (other magic): foreign. */
	m_reply(&pkts[k], bufs[k], &t1, 0, 5, 0x12345678, "127.0.0.11", 10); k++;
	/* 3: our tag but from the wrong address: foreign. */
	m_reply(&pkts[k], bufs[k], &t1, 0, 5, M_MAGIC, "127.0.0.99", 10); k++;
	/* 4: t1's only probe: completes t1's round. */
	m_reply(&pkts[k], bufs[k], &t1, 0, 5, M_MAGIC, "127.0.0.11", 700); k++;
	/* 5: duplicate of it: counted, t1 not completed twice. */
	m_reply(&pkts[k], bufs[k], &t1, 0, 5, M_MAGIC, "127.0.0.11", 800); k++;
	/* 6: a reply to round 4 of t2: late (its round is over). */
	m_reply(&pkts[k], bufs[k], &t2, 0, 4, M_MAGIC, "127.0.0.12", 10); k++;
	/* 7: a reply to round 6 (not yet sent): foreign. */
	m_reply(&pkts[k], bufs[k], &t2, 0, 6, M_MAGIC, "127.0.0.12", 10); k++;
	/* 8: truncated (MSG_TRUNC): foreign. */
	m_reply(&pkts[k], bufs[k], &t2, 0, 5, M_MAGIC, "127.0.0.12", 10);
	pkts[k].truncated = TRUE; k++;
	/* 9: an echo request (not a reply): ignored. */
	m_reply(&pkts[k], bufs[k], &t2, 0, 5, M_MAGIC, "127.0.0.12", 10);
	bufs[k][0] = 8;
	bufs[k][2] = bufs[k][3] = 0;
	{
		guint16 cs = icmp_checksum(bufs[k], pkts[k].len);
		bufs[k][2] = (guint8)(cs >> 8);
		bufs[k][3] = (guint8)cs;
	}
	k++;
	/* 10: t2 probe 1 after its timeout (kernel stamp 2 s after the
	 *     send): late, the probe is lost. */
	m_reply(&pkts[k], bufs[k], &t2, 1, 5, M_MAGIC, "127.0.0.12",
		2 * G_USEC_PER_SEC); k++;
	/* 11: t2 probe 0 without a kernel stamp: RTT from the monotonic
	 *     clock (2 ms); completes t2's round. */
	m_reply(&pkts[k], bufs[k], &t2, 0, 5, M_MAGIC, "127.0.0.12", 0);
	pkts[k].rx_ns = 0; k++;
	/* 12: a target index beyond the table: foreign. */
	{
		target ghost;
		m_target(&ghost, 7, "127.0.0.10", 1);
		m_reply(&pkts[k], bufs[k], &ghost, 0, 5, M_MAGIC, "127.0.0.10", 1);
		g_free(ghost.probes);
		k++;
	}
	/* 13: a corrupted checksum: foreign. */
	m_reply(&pkts[k], bufs[k], &t0, 1, 5, M_MAGIC, "127.0.0.10", 10);
	bufs[k][40] ^= 1; k++;
	/* 14: t0 probe 1, 3 ms: completes t0. */
	m_reply(&pkts[k], bufs[k], &t0, 1, 5, M_MAGIC, "127.0.0.10", 3000); k++;
	/* 15: t3's probe, sent 2 s before we read, but the kernel stamped its
	 *     reply 0.8 ms after the send: in time (a busy daemon read it
	 *     late); completes t3. */
	m_reply(&pkts[k], bufs[k], &t3, 0, 5, M_MAGIC, "127.0.0.13", 800); k++;

	nd = icmp_rx_match(targets, 4, &prm, pkts, k, now, &c, done);
	g_assert_cmpuint(c.replies, ==, 5);   /* 0, 4, 11, 14, 15 */
	g_assert_cmpuint(c.duplicate, ==, 2); /* 1, 5 */
	g_assert_cmpuint(c.foreign, ==, 6);   /* 2, 3, 7, 8, 12, 13 */
	g_assert_cmpuint(c.late, ==, 2);      /* 6, 10 */
	g_assert_cmpuint(c.ignored, ==, 1);   /* 9 */
	g_assert_cmpuint(c.replies + c.duplicate + c.foreign + c.late +
			 c.ignored, ==, k);
	g_assert_cmpuint(nd, ==, 4);
	g_assert_true(done[0] == &t1 && done[1] == &t2 && done[2] == &t0 &&
		      done[3] == &t3);
	g_assert_cmpint(t3.probes[0].state, ==, PROBE_REPLIED);
	g_assert_cmpfloat_with_epsilon(t3.probes[0].rtt_ms, 0.8, 1e-9);

	g_assert_cmpint(t0.probes[0].state, ==, PROBE_REPLIED);
	g_assert_cmpfloat_with_epsilon(t0.probes[0].rtt_ms, 1.5, 1e-9);
	g_assert_cmpfloat_with_epsilon(t0.probes[1].rtt_ms, 3.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(t0.last_rtt, 3.0, 1e-9);
	g_assert_cmpuint(t0.answered, ==, 2);
	g_assert_cmpuint(t0.received_total, ==, 2);
	g_assert_cmpfloat_with_epsilon(t1.probes[0].rtt_ms, 0.7, 1e-9);
	g_assert_cmpuint(t1.received_total, ==, 1);
	g_assert_cmpint(t2.probes[1].state, ==, PROBE_LATE);
	g_assert_cmpint(t2.probes[0].state, ==, PROBE_REPLIED);
	g_assert_cmpfloat_with_epsilon(t2.probes[0].rtt_ms, 2.0, 1e-9);
	g_assert_cmpuint(t2.received_total, ==, 1);

	/* The same batch again: every reply is now a duplicate or late, and
	 * no round completes a second time. */
	nd = icmp_rx_match(targets, 4, &prm, pkts, k, now, &c, done);
	g_assert_cmpuint(nd, ==, 0);
	g_assert_cmpuint(c.replies, ==, 0);
	g_assert_cmpuint(c.duplicate, ==, 7); /* 0, 1, 4, 5, 11, 14, 15 */
	g_assert_cmpuint(c.late, ==, 2);      /* 6, 10 */
	g_assert_cmpuint(c.foreign, ==, 6);
	g_assert_cmpfloat_with_epsilon(t0.probes[0].rtt_ms, 1.5, 1e-9);

	/* An empty batch. */
	g_assert_cmpuint(icmp_rx_match(targets, 4, &prm, pkts, 0, now, &c,
				       done), ==, 0);
	g_assert_cmpuint(c.foreign + c.replies, ==, 0);

	g_free(t0.probes);
	g_free(t1.probes);
	g_free(t2.probes);
	g_free(t3.probes);
}

/* ------------------------------------------------------------------ */
/* The plugin in a core                                                */

typedef struct {
	GMutex lock;
	GHashTable *metrics; /* "host/type-inst" -> last value (double*) */
	GHashTable *states;  /* host -> GPtrArray of nm_state* (refs) */
} collector;

static void collector_init(collector *c)
{
	g_mutex_init(&c->lock);
	c->metrics = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)g_ptr_array_unref);
}

static void collector_clear(collector *c)
{
	g_hash_table_destroy(c->metrics);
	g_hash_table_destroy(c->states);
	g_mutex_clear(&c->lock);
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	collector *c = data;

	g_mutex_lock(&c->lock);
	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);
		const nm_state *s = nm_msg_as_state(msgs[i]);

		if (m != NULL && g_strcmp0(m->plugin, "icmp") == 0) {
			double *v = g_new(double, 1);
			*v = m->values[0].v.gauge;
			g_assert_cmpint(m->values[0].kind, ==, NM_DS_GAUGE);
			g_hash_table_replace(c->metrics,
					     g_strdup_printf("%s/%s%s%s", m->host,
							     m->type,
							     *m->type_instance ? "-" : "",
							     m->type_instance),
					     v);
		} else if (s != NULL && g_strcmp0(s->service, "ping") == 0) {
			GPtrArray *a = g_hash_table_lookup(c->states, s->host);
			if (a == NULL) {
				a = g_ptr_array_new_with_free_func(
					(GDestroyNotify)nm_msg_unref);
				g_hash_table_insert(c->states, g_strdup(s->host), a);
			}
			g_ptr_array_add(a, nm_msg_ref(msgs[i]));
		}
	}
	g_mutex_unlock(&c->lock);
}

typedef struct {
	char *dir, *conf;
	nm_core *core;
	collector col;
} run;

static nm_core *core_for(run *r, const char *icmp_group, GError **err)
{
	char *plugdir = g_test_build_filename(G_TEST_BUILT, "..", "plugins",
					      "icmp", NULL);
	char *text = g_strdup_printf(
		"netmond = { state_dir = \"%s\"; plugin_dir = \"%s\"; "
		"log_level = \"warning\"; };\nicmp = %s;\n",
		r->dir, plugdir, icmp_group);
	nm_core_config *c;
	nm_core *core;

	g_assert_true(g_file_set_contents(r->conf, text, -1, NULL));
	g_free(text);
	g_free(plugdir);
	c = nm_core_config_load(r->conf, err);
	g_assert_no_error(*err);
	core = nm_core_new(c);
	if (!nm_core_load(core, err) || !nm_core_start(core, FALSE, err)) {
		nm_core_free(core);
		return NULL;
	}
	return core;
}

static void run_setup(run *r)
{
	GError *err = NULL;

	r->dir = g_dir_make_tmp("nm-icmp-XXXXXX", &err);
	g_assert_no_error(err);
	r->conf = g_build_filename(r->dir, "netmond.conf", NULL);
	collector_init(&r->col);
}

static void run_teardown(run *r)
{
	nm_core_free(r->core);
	r->core = NULL;
	collector_clear(&r->col);
	g_unlink(r->conf);
	g_rmdir(r->dir);
	g_free(r->conf);
	g_free(r->dir);
}

/* Start the core with @icmp_group and subscribe the collector. */
static void run_start(run *r, const char *icmp_group)
{
	GError *err = NULL;

	r->core = core_for(r, icmp_group, &err);
	g_assert_no_error(err);
	g_assert_nonnull(nm_bus_subscribe(r->core->bus, "test:icmp",
					  NM_MSG_MASK(NM_MSG_METRIC) |
					  NM_MSG_MASK(NM_MSG_STATE), NULL,
					  deliver, &r->col, &err));
	g_assert_no_error(err);
}

typedef gboolean (*done_fn)(collector *c, gpointer data);

/* Run the main loop until @done says so (checked every 20 ms) or @secs. */
static gboolean run_until(run *r, done_fn done, gpointer data, double secs)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)(secs * 1e6);
	gboolean ok = FALSE;

	while (g_get_monotonic_time() < deadline) {
		g_mutex_lock(&r->col.lock);
		ok = done(&r->col, data);
		g_mutex_unlock(&r->col.lock);
		if (ok)
			break;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(1000);
	}
	return ok;
}

static double metric(collector *c, const char *host, const char *type)
{
	char *key = g_strdup_printf("%s/%s", host, type);
	double *v;

	g_mutex_lock(&c->lock);
	v = g_hash_table_lookup(c->metrics, key);
	g_mutex_unlock(&c->lock);
	g_free(key);
	return v != NULL ? *v : NAN;
}

static const nm_state *last_state(collector *c, const char *host)
{
	GPtrArray *a;
	const nm_state *s = NULL;

	g_mutex_lock(&c->lock);
	a = g_hash_table_lookup(c->states, host);
	if (a != NULL && a->len > 0)
		s = nm_msg_as_state(g_ptr_array_index(a, a->len - 1));
	g_mutex_unlock(&c->lock);
	return s;
}

/* Every host in the NULL-terminated @data has a drop rate and a state. */
static gboolean all_reported(collector *c, gpointer data)
{
	for (char **h = data; *h != NULL; h++) {
		char *key = g_strdup_printf("%s/ping_droprate", *h);
		gboolean have = g_hash_table_contains(c->metrics, key) &&
				g_hash_table_contains(c->states, *h);
		g_free(key);
		if (!have)
			return FALSE;
	}
	return TRUE;
}

static char *details_json(nm_core *core)
{
	nm_plugin *p = nm_core_find_plugin(core, "icmp");
	JsonNode *n;
	char *s;

	g_assert_nonnull(p);
	g_assert_nonnull(p->stats_fn);
	n = p->stats_fn(p, p->stats_data);
	s = json_to_string(n, FALSE);
	json_node_unref(n);
	return s;
}

static void check_loopback(const char *socket_kind)
{
	run r = { 0 };
	char *group = g_strdup_printf(
		"{ socket = \"%s\"; pings = 4; interval = 0.5; timeout = 0.3; "
		"spread = false; targets = ( { address = \"127.0.0.1\"; }, "
		"{ address = \"127.0.0.77\"; name = \"lo77\"; size = 1400; }, "
		"{ address = \"::1\"; name = \"lo6\"; } ); }", socket_kind);
	char *hosts[] = { "127.0.0.1", "lo77", "lo6", NULL };
	char *json, *want;

	if (!have_netns) {
		g_test_skip("needs a private network namespace (root)");
		g_free(group);
		return;
	}
	run_setup(&r);
	run_start(&r, group);
	g_assert_true(run_until(&r, all_reported, hosts, 5));
	for (char **h = hosts; *h != NULL; h++) {
		const nm_state *s = last_state(&r.col, *h);
		g_assert_cmpfloat(metric(&r.col, *h, "ping_droprate"), ==, 0);
		g_assert_cmpfloat(metric(&r.col, *h, "ping"), >, 0);
		g_assert_cmpfloat(metric(&r.col, *h, "ping"), <, 300);
		g_assert_cmpfloat(metric(&r.col, *h, "ping-min"), <=,
				  metric(&r.col, *h, "ping-median"));
		g_assert_cmpfloat(metric(&r.col, *h, "ping-median"), <=,
				  metric(&r.col, *h, "ping-max"));
		g_assert_cmpfloat(metric(&r.col, *h, "ping_stddev"), >=, 0);
		g_assert_cmpfloat(metric(&r.col, *h, "ping_jitter"), >=, 0);
		g_assert_nonnull(s);
		g_assert_cmpint(s->code, ==, NM_STATE_OK);
		g_assert_cmpint(s->state_type, ==, NM_STATE_HARD);
		g_assert_nonnull(strstr(s->perfdata, "pl=0%"));
	}
	json = details_json(r.core);
	want = g_strdup_printf("\"sockets\":{\"ipv4\":\"%s\",\"ipv6\":\"%s\"}",
			       socket_kind, socket_kind);
	g_assert_nonnull(strstr(json, want));
	g_assert_nonnull(strstr(json, "\"lo6\":{\"address\":\"::1\",\"state\":\"up\""));
	g_free(want);
	g_free(json);
	{
		nm_plugin *p = nm_core_find_plugin(r.core, "icmp");
		g_assert_cmpuint(nm_counter_get(nm_plugin_counter(p, "replies_foreign")),
				 ==, 0);
		g_assert_cmpuint(nm_counter_get(nm_plugin_counter(p, "replies")),
				 >=, 12);
	}
	run_teardown(&r);
	g_free(group);
}

static void test_loopback_datagram(void)
{
	check_loopback("datagram");
}

static void test_loopback_raw(void)
{
	check_loopback("raw");
}

/* The unreachable target has gone HARD down after a SOFT attempt. */
static gboolean down_hard(collector *c, gpointer data)
{
	GPtrArray *a = g_hash_table_lookup(c->states, "nowhere");
	const nm_state *s;

	(void)data;
	if (a == NULL || a->len < 2 || !g_hash_table_contains(c->states, "bad"))
		return FALSE;
	s = nm_msg_as_state(g_ptr_array_index(a, a->len - 1));
	return s->state_type == NM_STATE_HARD;
}

static void test_unreachable_and_unresolvable(void)
{
	run r = { 0 };
	const nm_state *s;
	GPtrArray *a;
	char *json;

	if (!have_netns) {
		g_test_skip("needs a private network namespace (root)");
		return;
	}
	run_setup(&r);
	/* 192.0.2.1 (TEST-NET-1) has no route in the namespace: every send
	 * fails; the .invalid name never resolves. */
	run_start(&r, "{ pings = 2; interval = 0.3; timeout = 0.1; "
		      "down_after = 2; spread = false; targets = ( "
		      "{ address = \"127.0.0.1\"; name = \"good\"; }, "
		      "{ address = \"192.0.2.1\"; name = \"nowhere\"; }, "
		      "{ address = \"no-such-host.invalid\"; name = \"bad\"; } ); }");
	g_assert_true(run_until(&r, down_hard, NULL, 10));
	g_mutex_lock(&r.col.lock);
	a = g_hash_table_lookup(r.col.states, "nowhere");
	s = nm_msg_as_state(g_ptr_array_index(a, 0));
	g_assert_cmpint(s->code, ==, NM_STATE_CRITICAL);
	g_assert_cmpint(s->state_type, ==, NM_STATE_SOFT);
	g_assert_cmpuint(s->attempt, ==, 1);
	g_assert_cmpuint(s->max_attempts, ==, 2);
	s = nm_msg_as_state(g_ptr_array_index(a, 1));
	g_assert_cmpint(s->code, ==, NM_STATE_CRITICAL);
	g_assert_cmpint(s->state_type, ==, NM_STATE_HARD);
	g_assert_cmpuint(s->attempt, ==, 2);
	g_mutex_unlock(&r.col.lock);
	g_assert_cmpfloat(metric(&r.col, "nowhere", "ping_droprate"), ==, 1);
	g_assert_true(isnan(metric(&r.col, "nowhere", "ping")));

	s = last_state(&r.col, "bad");
	g_assert_cmpint(s->code, ==, NM_STATE_UNKNOWN);
	g_assert_nonnull(strstr(s->output, "no-such-host.invalid"));
	g_assert_true(isnan(metric(&r.col, "bad", "ping_droprate")));

	s = last_state(&r.col, "good");
	g_assert_cmpint(s->code, ==, NM_STATE_OK);
	g_assert_cmpfloat(metric(&r.col, "good", "ping_droprate"), ==, 0);

	json = details_json(r.core);
	g_assert_nonnull(strstr(json, "\"nowhere\":{\"address\":\"192.0.2.1\","
				      "\"state\":\"down\""));
	g_assert_nonnull(strstr(json, "cannot resolve 'no-such-host.invalid'"));
	g_assert_nonnull(strstr(json, "cannot send to 192.0.2.1: "));
	g_free(json);
	run_teardown(&r);
}

static void expect_start_error(const char *group, const char *want)
{
	run r = { 0 };
	GError *err = NULL;

	run_setup(&r);
	r.core = core_for(&r, group, &err);
	g_assert_null(r.core);
	g_assert_nonnull(err);
	if (strstr(err->message, want) == NULL)
		g_error("error '%s' lacks '%s'", err->message, want);
	g_error_free(err);
	run_teardown(&r);
}

static void test_config_errors(void)
{
	expect_start_error("{ interval = 1; timeout = 1; targets = ( "
			   "{ address = \"127.0.0.1\"; } ); }",
			   ":2: icmp.targets.[0]: timeout (1 s) must be shorter "
			   "than the interval (1 s) of target 127.0.0.1");
	expect_start_error("{ targets = ( { address = \"127.0.0.1\"; }, "
			   "{ address = \"::1\"; name = \"127.0.0.1\"; } ); }",
			   "icmp.targets.[1]: target name '127.0.0.1' appears "
			   "twice");
	expect_start_error("{ socket = \"fast\"; targets = ( "
			   "{ address = \"127.0.0.1\"; } ); }", "icmp.socket");
	expect_start_error("{ targets = ( { address = \"127.0.0.1\"; "
			   "pings = 0; } ); }", "icmp.targets.[0].pings");
	expect_start_error("{ targets = ( { name = \"x\"; } ); }",
			   "missing required setting 'address'");
}

/* Write a /proc file in place (g_file_set_contents() would rename). */
static gboolean write_proc(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	gboolean ok;

	if (f == NULL)
		return FALSE;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

static void test_datagram_refused(void)
{
	if (!have_netns) {
		g_test_skip("needs a private network namespace (root)");
		return;
	}
	g_assert_true(write_proc("/proc/sys/net/ipv4/ping_group_range", "1 0"));
	expect_start_error("{ socket = \"datagram\"; targets = ( "
			   "{ address = \"127.0.0.1\"; } ); }",
			   "icmp: cannot open an IPv4 ICMP socket (icmp.socket "
			   "= \"datagram\"): datagram socket: ");
	expect_start_error("{ socket = \"datagram\"; targets = ( "
			   "{ address = \"127.0.0.1\"; } ); }",
			   "net.ipv4.ping_group_range, now '1 0'");
	g_assert_true(write_proc("/proc/sys/net/ipv4/ping_group_range",
				 "0 2147483647"));
}

/* Make a network namespace of our own with loopback up. */
static gboolean enter_netns(void)
{
	struct ifreq ifr;
	int fd;
	gboolean ok;

	if (unshare(CLONE_NEWNET) != 0)
		return FALSE;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return FALSE;
	memset(&ifr, 0, sizeof(ifr));
	g_strlcpy(ifr.ifr_name, "lo", IFNAMSIZ);
	ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	close(fd);
	return ok && write_proc("/proc/sys/net/ipv4/ping_group_range",
				"0 2147483647");
}

int main(int argc, char **argv)
{
	/* Before GLib starts any thread: the namespace is per thread. */
	have_netns = enter_netns();
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/icmp/proto/checksum", test_checksum);
	g_test_add_func("/icmp/proto/build-parse", test_build_parse);
	g_test_add_func("/icmp/proto/retag", test_retag);
	g_test_add_func("/icmp/stats/round", test_round_stats);
	g_test_add_func("/icmp/proto/fixed", test_fixed);
	g_test_add_func("/icmp/match/batch", test_match_batch);
	g_test_add_func("/icmp/config/errors", test_config_errors);
	g_test_add_func("/icmp/loopback/datagram", test_loopback_datagram);
	g_test_add_func("/icmp/loopback/raw", test_loopback_raw);
	g_test_add_func("/icmp/unreachable-unresolvable",
			test_unreachable_and_unresolvable);
	g_test_add_func("/icmp/socket/datagram-refused", test_datagram_refused);
	return g_test_run();
}
