/* nm-flowgen — NetFlow v5/v9 and IPFIX load generator for netmon's tests.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Sends packets with known, deterministic contents to a loopback address
 * only (127.0.0.0/8 or ::1) at a chosen rate, and prints the totals it
 * sent as "flows N bytes B packets P datagrams D" (B and P after the
 * sampling factor a collector should apply), so a test can compare a
 * collector's figures.
 *
 *   nm-flowgen [-H 127.0.0.1] [-p 2055] [-V 5|9|10] [-n PACKETS]
 *              [-r RECORDS] [--rate PPS] [-d DOMAIN] [-S SRCADDR]
 *              [--sampling N] [--data-first] [--layout 1|2] [--ipv6]
 *              [--tcp] [--no-template] [--write DIR] [--seed N]
 *              [--burst N] [--senders N] [--pool N] [--gso] [--timing]
 *   nm-flowgen --flood N [--sources K] [--rate PPS] [-H ..] [-p ..]
 *
 * --flood: instead, send N malformed v9/IPFIX datagrams, round robin from
 * K (default 1000) source addresses 127.1.<1 + i/250>.<1 + i%250> (set per
 * datagram with IP_PKTINFO, one socket), rotating four bug classes: an
 * IPFIX template (a new ID every round, so the collector's template cache
 * fills) followed by a data set running past the datagram; a v9 template
 * with 0 fields; an IPFIX template with a variable-length field and a
 * record whose length prefix is 255 + 0xFFFF; a v9 set of length 2.
 * Prints "malformed N sources K".
 *
 * Every datagram is encoded before the first is sent, so sending costs no
 * encoding: a pool of up to --pool datagrams (default 4096, with the
 * template datagrams at the start). A run longer than the pool replays its
 * data datagrams (the template refresh every 20th keeps its place), each
 * sent with its own header copy carrying the run's sequence number (v5:
 * flows, v9: datagrams, IPFIX: data records; RFC 3954 §5.1, RFC 7011
 * §3.1), the sender's domain and the export time, so the totals printed
 * stay exact. Tests' runs (fewer datagrams than the pool) send exactly the
 * record sequence below; a longer run repeats it every pool's worth.
 *
 * --burst N: hand the kernel N datagrams per sendmmsg(2) call (UDP; the
 * pace is kept per burst against the clock, so a high rate is met on
 * average however coarse the sleeps), 1 (the default) sends one at a
 * time. --senders N: N threads, each its own socket (so its own source
 * port), observation domain (source ID, v5 engine ID) -d + i and sequence
 * numbers, sending its share of the -n data datagrams (and its own
 * templates) at rate/N; the totals printed are the sum. --gso: each run
 * of equal-length datagrams in a batch goes to the kernel as one UDP GSO
 * message (UDP_SEGMENT, Linux >= 4.18), which splits it into the very
 * same datagrams for about two thirds of the sender's CPU per datagram
 * (collectors see no difference; nothing sets UDP_GRO). --timing appends
 * "seconds S": the wall time from the common start to the last datagram
 * handed to the kernel, so a benchmark can tell the rate it reached.
 *
 * Record i (over the whole run, from --seed): src 10.<i/256%256>.<i%256>.1
 * (or 2001:db8::<i%65536>), dst 192.0.2.<i%4+1>, ports 1024+i%1000 ->
 * {80,443,53,123}[i%4], protocol 6 or 17, bytes 100+i%1400, packets
 * 1+i%10, in_if 1+i%4, out_if 10+i%2.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <glib.h>

typedef struct {
	guint8 *p;
	gsize n, cap;
} buf;

static void put8(buf *b, guint v) { g_assert(b->n + 1 <= b->cap); b->p[b->n++] = (guint8)v; }
static void put16(buf *b, guint v) { put8(b, v >> 8); put8(b, v); }
static void put32(buf *b, guint32 v) { put16(b, v >> 16); put16(b, v & 0xFFFF); }
static void put64(buf *b, guint64 v) { put32(b, (guint32)(v >> 32)); put32(b, (guint32)v); }
static void putn(buf *b, const void *d, gsize n) { g_assert(b->n + n <= b->cap); memcpy(b->p + b->n, d, n); b->n += n; }
static void set16(buf *b, gsize at, guint v) { b->p[at] = (guint8)(v >> 8); b->p[at + 1] = (guint8)v; }

static const guint16 svc[4] = { 80, 443, 53, 123 };

typedef struct {
	int version, layout;
	gboolean ipv6, data_first;
	guint sampling;
	guint32 domain;
	guint64 rec;        /* next record index */
	guint32 seq;        /* v5: flows, v9: packets, IPFIX: records */
	guint64 flows, bytes, packets;
	guint32 start_s;
} gen;

static void rec_values(guint64 i, guint8 src[16], guint8 dst[4], guint *sport,
		       guint *dport, guint *proto, guint32 *bytes, guint32 *pkts,
		       guint *in_if, guint *out_if, gboolean v6)
{
	memset(src, 0, 16);
	if (v6) {
		src[0] = 0x20; src[1] = 0x01; src[2] = 0x0d; src[3] = 0xb8;
		src[14] = (guint8)(i >> 8); src[15] = (guint8)i;
	} else {
		src[0] = 10; src[1] = (guint8)(i / 256 % 256); src[2] = (guint8)(i % 256); src[3] = 1;
	}
	dst[0] = 192; dst[1] = 0; dst[2] = 2; dst[3] = (guint8)(i % 4 + 1);
	*sport = 1024 + (guint)(i % 1000);
	*dport = svc[i % 4];
	*proto = (i % 4 == 2 || i % 4 == 3) ? 17 : 6;
	*bytes = 100 + (guint32)(i % 1400);
	*pkts = 1 + (guint32)(i % 10);
	*in_if = 1 + (guint)(i % 4);
	*out_if = 10 + (guint)(i % 2);
}

static void account(gen *g, guint32 bytes, guint32 pkts)
{
	guint s = g->sampling > 1 ? g->sampling : 1;

	g->flows++;
	g->bytes += (guint64)bytes * s;
	g->packets += (guint64)pkts * s;
}

static void build_v5(gen *g, buf *b, guint n)
{
	guint32 now = (guint32)time(NULL);

	put16(b, 5); put16(b, n); put32(b, 100000); put32(b, now); put32(b, 0);
	put32(b, g->seq); put8(b, 0); put8(b, (guint)g->domain);
	put16(b, g->sampling > 1 ? (0x4000u | (g->sampling & 0x3FFF)) : 0);
	for (guint k = 0; k < n; k++, g->rec++) {
		guint8 src[16], dst[4];
		guint sp, dp, pr, ii, oi;
		guint32 by, pk;
		rec_values(g->rec, src, dst, &sp, &dp, &pr, &by, &pk, &ii, &oi, FALSE);
		putn(b, src, 4); putn(b, dst, 4); put32(b, 0);
		put16(b, ii); put16(b, oi); put32(b, pk); put32(b, by);
		put32(b, 90000); put32(b, 99000); put16(b, sp); put16(b, dp);
		put8(b, 0); put8(b, pr == 6 ? 0x1b : 0); put8(b, pr); put8(b, 0);
		put16(b, 0); put16(b, 0); put8(b, 24); put8(b, 24); put16(b, 0);
		account(g, by, pk);
	}
	g->seq += n;
}

/* Template of layout 1 (or 2: a changed layout with the same ID). */
static void put_template(gen *g, buf *b)
{
	gboolean ipfix = g->version == 10;
	gsize at = b->n;

	put16(b, ipfix ? 2 : 0); put16(b, 0);
	put16(b, 256);
	gsize cnt = b->n;
	put16(b, 0);
	guint nf = 0;
#define F(id, len) do { put16(b, id); put16(b, len); nf++; } while (0)
	if (g->layout == 2) {
		F(1, 8); F(2, 8);   /* 64-bit counters first */
		F(g->ipv6 ? 27 : 8, g->ipv6 ? 16 : 4);
		F(12, 4); F(4, 1); F(7, 2); F(11, 2); F(10, 4); F(14, 4);
	} else {
		F(g->ipv6 ? 27 : 8, g->ipv6 ? 16 : 4);
		F(12, 4); F(7, 2); F(11, 2); F(4, 1); F(5, 1); F(6, 1);
		F(10, 2); F(14, 2); F(1, 4); F(2, 4);
		if (ipfix) {
			F(152, 8); F(153, 8);
			/* enterprise fixed field and enterprise varlen field */
			put16(b, 0x8000 | 1); put16(b, 3); put32(b, 9999); nf++;
			put16(b, 0x8000 | 2); put16(b, 0xFFFF); put32(b, 9999); nf++;
		} else {
			F(22, 4); F(21, 4);
		}
	}
#undef F
	set16(b, cnt, nf);
	set16(b, at + 2, (guint)(b->n - at));
}

static void put_data(gen *g, buf *b, guint n)
{
	gsize at = b->n;

	put16(b, 256); put16(b, 0);
	for (guint k = 0; k < n; k++, g->rec++) {
		guint8 src[16], dst[4];
		guint sp, dp, pr, ii, oi;
		guint32 by, pk;
		rec_values(g->rec, src, dst, &sp, &dp, &pr, &by, &pk, &ii, &oi, g->ipv6);
		if (g->layout == 2) {
			put64(b, by); put64(b, pk);
			putn(b, src, g->ipv6 ? 16 : 4); putn(b, dst, 4);
			put8(b, pr); put16(b, sp); put16(b, dp); put32(b, ii); put32(b, oi);
		} else {
			putn(b, src, g->ipv6 ? 16 : 4); putn(b, dst, 4);
			put16(b, sp); put16(b, dp); put8(b, pr); put8(b, 0);
			put8(b, pr == 6 ? 0x1b : 0); put16(b, ii); put16(b, oi);
			put32(b, by); put32(b, pk);
			if (g->version == 10) {
				put64(b, (guint64)g->start_s * 1000); put64(b, (guint64)g->start_s * 1000 + 500);
				put8(b, 'a'); put8(b, 'b'); put8(b, 'c');
				/* varlen: 1-byte length, or 255 + 2-byte length */
				if (k % 2 == 0) {
					put8(b, 4); putn(b, "eth0", 4);
				} else {
					put8(b, 255); put16(b, 5); putn(b, "wlan0", 5);
				}
			} else {
				put32(b, 90000); put32(b, 99000);
			}
		}
		account(g, by, pk);
	}
	while ((b->n - at) % 4 != 0)
		put8(b, 0);  /* padding (RFC 3954 §5.3, RFC 7011 §3.3.1) */
	set16(b, at + 2, (guint)(b->n - at));
}

/* Options template 300 with samplingInterval (34) and its data record. */
static void put_sampling(gen *g, buf *b)
{
	gboolean ipfix = g->version == 10;
	gsize at = b->n;

	put16(b, ipfix ? 3 : 1); put16(b, 0); put16(b, 300);
	if (ipfix) {
		put16(b, 2); put16(b, 1);        /* 2 fields, 1 scope */
		put16(b, 149); put16(b, 4);      /* observationDomainId */
	} else {
		put16(b, 4); put16(b, 4);        /* scope len, option len */
		put16(b, 1); put16(b, 4);        /* scope: System */
	}
	put16(b, 34); put16(b, 4);
	while ((b->n - at) % 4 != 0)
		put8(b, 0);
	set16(b, at + 2, (guint)(b->n - at));
	at = b->n;
	put16(b, 300); put16(b, 0); put32(b, g->domain); put32(b, g->sampling);
	set16(b, at + 2, (guint)(b->n - at));
}

static gsize build_v9_ipfix(gen *g, buf *b, guint n, gboolean with_tmpl,
			    gboolean with_data)
{
	gboolean ipfix = g->version == 10;
	guint32 now = (guint32)time(NULL);
	guint64 rec0 = g->rec;

	if (ipfix) {
		put16(b, 10); put16(b, 0); put32(b, now); put32(b, g->seq);
		put32(b, g->domain);
	} else {
		put16(b, 9); put16(b, 0); put32(b, 100000); put32(b, now);
		put32(b, g->seq); put32(b, g->domain);
	}
	if (with_tmpl) {
		/* sampling first, so data held for the template is scaled */
		if (g->sampling > 1)
			put_sampling(g, b);
		put_template(g, b);
	}
	if (with_data)
		put_data(g, b, n);
	if (ipfix) {
		set16(b, 2, (guint)b->n);
		g->seq += (guint32)(g->rec - rec0) + (with_tmpl && g->sampling > 1 ? 1 : 0);
	} else {
		g->seq++;
	}
	return b->n;
}

/* Malformed datagram number @i of a flood from source @src (see above). */
static void build_malformed(buf *b, guint i, guint src, guint sources)
{
	guint round = i / sources;

	b->n = 0;
	switch (i % 4) {
	case 0:   /* IPFIX: template, then a data set past the end */
		put16(b, 10); put16(b, 0); put32(b, (guint32)time(NULL)); put32(b, round);
		put32(b, src);
		put16(b, 2); put16(b, 4 + 4 + 12);
		put16(b, 256 + round % 1024); put16(b, 3);
		put16(b, 8); put16(b, 4); put16(b, 12); put16(b, 4); put16(b, 1); put16(b, 4);
		put16(b, 256 + round % 1024); put16(b, 400);
		put32(b, 0x0a000001); put32(b, 0xc0000201); put32(b, 100);
		set16(b, 2, (guint)b->n);
		break;
	case 1:   /* v9: template with 0 fields */
		put16(b, 9); put16(b, 1); put32(b, 1000); put32(b, (guint32)time(NULL));
		put32(b, round); put32(b, src);
		put16(b, 0); put16(b, 8); put16(b, 256); put16(b, 0);
		break;
	case 2:   /* IPFIX: varlen 255 + 0xFFFF in a short record */
		put16(b, 10); put16(b, 0); put32(b, (guint32)time(NULL)); put32(b, round);
		put32(b, src);
		put16(b, 2); put16(b, 4 + 4 + 8);
		put16(b, 300); put16(b, 2); put16(b, 1); put16(b, 4); put16(b, 82); put16(b, 0xFFFF);
		put16(b, 300); put16(b, 4 + 4 + 3 + 3);
		put32(b, 7); put8(b, 255); put16(b, 0xFFFF); put8(b, 'a'); put8(b, 'b'); put8(b, 'c');
		set16(b, 2, (guint)b->n);
		break;
	default:  /* v9: set length 2 */
		put16(b, 9); put16(b, 1); put32(b, 1000); put32(b, (guint32)time(NULL));
		put32(b, round); put32(b, src);
		put16(b, 256); put16(b, 2); put16(b, 0);
		break;
	}
}

/* Send @n malformed datagrams to @dst from @sources loopback addresses at
 * @rate per second (0: as fast as possible). Returns 0 or 1. */
static int flood(const struct sockaddr_in *dst, int n, int sources, gdouble rate)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	buf b = { .p = g_malloc(2048), .cap = 2048 };
	gint64 t0 = g_get_monotonic_time();

	if (fd < 0) {
		perror("nm-flowgen: socket");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		guint src = (guint)(i % sources);
		union {
			struct cmsghdr align;
			char c[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} ctl;
		struct iovec iov;
		struct msghdr mh;
		struct in_pktinfo *pi;

		build_malformed(&b, (guint)i, src, (guint)sources);
		memset(&ctl, 0, sizeof ctl);
		memset(&mh, 0, sizeof mh);
		iov.iov_base = b.p;
		iov.iov_len = b.n;
		mh.msg_name = (void *)dst;
		mh.msg_namelen = sizeof *dst;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.c;
		mh.msg_controllen = sizeof ctl.c;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		pi = (struct in_pktinfo *)CMSG_DATA(cm);
		pi->ipi_spec_dst.s_addr = htonl(0x7f010000u | (1u + src / 250u) << 8 | (1u + src % 250u));
		if (rate > 0) {
			gint64 due = t0 + (gint64)(i / rate * G_USEC_PER_SEC);
			gint64 now = g_get_monotonic_time();
			if (due > now)
				g_usleep((gulong)(due - now));
		}
		if (sendmsg(fd, &mh, 0) != (ssize_t)b.n) {
			perror("nm-flowgen: sendmsg");
			return 1;
		}
	}
	if (close(fd) != 0) {
		perror("nm-flowgen: close");
		return 1;
	}
	g_free(b.p);
	printf("malformed %d sources %d\n", n, sources);
	return 0;
}

static gboolean is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return FALSE;
}

static gboolean mkaddr(const char *host, int port, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((guint16)port);
		*len = sizeof *a4;
		return TRUE;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((guint16)port);
		*len = sizeof *a6;
		return TRUE;
	}
	return FALSE;
}

/* One pre-encoded datagram of the pool: header (hdr_len octets) and sets,
 * contiguous in the pool's storage at @off. */
typedef struct {
	gsize off, len;
	guint32 seq_incr;   /* what the header's sequence number advances by */
	guint32 flows;
	guint64 bytes, packets;
} dgram;

/* Every datagram one sender sends, encoded once. Datagram k of a sender is
 * d[k] while k < n, then d[c0 + (k - c0) % cycle]: the data datagrams after
 * the templates-first prologue repeat; cycle is a multiple of 20 so the
 * template refresh every 20 datagrams keeps its rhythm. */
typedef struct {
	int version;
	guint hdr_len;      /* 24 (v5), 20 (v9), 16 (IPFIX) */
	guint8 *store;
	dgram *d;
	guint64 n, c0, cycle;
} pool;

static inline const dgram *pool_at(const pool *pl, guint64 k)
{
	return &pl->d[k < pl->n ? k : pl->c0 + (k - pl->c0) % pl->cycle];
}

static void wr32(guint8 *p, guint32 v)
{
	p[0] = (guint8)(v >> 24); p[1] = (guint8)(v >> 16); p[2] = (guint8)(v >> 8); p[3] = (guint8)v;
}

/* Write a sender's sequence number, observation domain (source ID, v5
 * engine ID) and export time into a copy @h of a datagram header. */
static void patch_hdr(guint8 *h, int version, guint32 seq, guint32 domain, guint32 now)
{
	switch (version) {
	case 5:   /* Cisco NetFlow v5 header: unix_secs 8, flow_sequence 16, engine_id 21 */
		wr32(h + 8, now); wr32(h + 16, seq); h[21] = (guint8)domain;
		break;
	case 9:   /* RFC 3954 §5.1: unix secs 8, sequence 12, source ID 16 */
		wr32(h + 8, now); wr32(h + 12, seq); wr32(h + 16, domain);
		break;
	default:  /* RFC 7011 §3.1: export time 4, sequence 8, domain 12 */
		wr32(h + 4, now); wr32(h + 8, seq); wr32(h + 12, domain);
		break;
	}
}

/* Encode @n datagrams (the first @n a sender sends) into @pl with the
 * generator state @g, in the order the original one-at-a-time loop built
 * them. Writes each to @write_dir too if given. FALSE on a write error. */
static gboolean pool_build(pool *pl, gen *g, guint64 n, guint64 c0, int nrec,
			   gboolean no_template, const char *write_dir)
{
	buf b = { .p = g_malloc(65536), .cap = 65536 };
	GByteArray *st = g_byte_array_new();
	GError *err = NULL;
	int version = g->version;

	pl->version = version;
	pl->hdr_len = version == 5 ? 24 : version == 9 ? 20 : 16;
	pl->d = g_new0(dgram, n);
	pl->n = n;
	pl->c0 = c0;
	pl->cycle = n > c0 ? (n - c0) / 20 * 20 : 0;
	for (guint64 k = 0; k < n; k++) {
		guint64 f0 = g->flows, b0 = g->bytes, p0 = g->packets;
		guint32 s0 = g->seq;

		b.n = 0;
		if (version == 5)
			build_v5(g, &b, (guint)nrec);
		else if (no_template)
			build_v9_ipfix(g, &b, (guint)nrec, FALSE, TRUE);
		else if (k == 0 && g->data_first)
			build_v9_ipfix(g, &b, (guint)nrec, FALSE, TRUE);
		else if ((k == 1 && g->data_first) || (k == 0 && !g->data_first))
			build_v9_ipfix(g, &b, 0, TRUE, FALSE);   /* templates alone */
		else   /* refresh the template every 20 packets, as exporters do */
			build_v9_ipfix(g, &b, (guint)nrec, k % 20 == 0, TRUE);
		pl->d[k].off = st->len;
		pl->d[k].len = b.n;
		pl->d[k].seq_incr = g->seq - s0;
		pl->d[k].flows = (guint32)(g->flows - f0);
		pl->d[k].bytes = g->bytes - b0;
		pl->d[k].packets = g->packets - p0;
		g_byte_array_append(st, b.p, (guint)b.n);
		if (write_dir != NULL) {
			char *path = g_strdup_printf("%s/v%d-%s%" G_GUINT64_FORMAT ".bin", write_dir,
						     version, g->ipv6 ? "v6-" : "", k);
			gboolean ok = g_file_set_contents(path, (const char *)b.p, (gssize)b.n, &err);
			g_free(path);
			if (!ok) {
				fprintf(stderr, "nm-flowgen: %s\n", err->message);
				g_error_free(err);
				g_free(b.p);
				g_byte_array_free(st, TRUE);
				return FALSE;
			}
		}
	}
	g_free(b.p);
	pl->store = g_byte_array_free(st, FALSE);
	return TRUE;
}

/* One sender: its own socket (so its own source port), its own observation
 * domain and sequence numbers, a share of the data datagrams. */
typedef struct {
	const pool *pl;
	int fd;
	gboolean tcp, gso;
	guint32 domain;
	guint64 count;        /* datagrams to send, templates included */
	gdouble pps;          /* its pace, datagrams/s; 0: as fast as it can */
	int burst;
	struct timespec t0;   /* common start (CLOCK_MONOTONIC) */
	/* results */
	guint64 sent, flows, bytes, packets;
	struct timespec t_end;
	int failed;
} sender;

static void ts_add_ns(struct timespec *ts, gint64 ns)
{
	ns += ts->tv_nsec;
	ts->tv_sec += (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}

static gdouble ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (gdouble)(a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

/* Sleep until @due (CLOCK_MONOTONIC), restarting after signals. */
static void sleep_until(const struct timespec *due)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, due, NULL) == EINTR)
		;
}

/* IPFIX over TCP (RFC 7011 §10.4): header then sets, all of it. */
static gboolean send_stream(int fd, struct iovec iov[2])
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	while (iov[0].iov_len + iov[1].iov_len > 0) {
		ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			perror("nm-flowgen: send");
			return FALSE;
		}
		for (int i = 0; i < 2; i++) {
			gsize t = MIN((gsize)r, iov[i].iov_len);
			iov[i].iov_base = (guint8 *)iov[i].iov_base + t;
			iov[i].iov_len -= t;
			r -= (ssize_t)t;
		}
	}
	return TRUE;
}

/* Room for one UDP_SEGMENT control message (a 16-bit segment size). */
typedef union {
	struct cmsghdr align;
	char c[CMSG_SPACE(sizeof(guint16))];
} gso_ctl;

/* Thread body: send s->count datagrams of the pool in batches of s->burst
 * (sendmmsg(2), each datagram two iovecs: the sender's patched header copy
 * and the shared sets), each batch due at t0 + sent / pps. With s->gso,
 * runs of equal-length datagrams of a batch go as one message each (UDP
 * GSO, the UDP_SEGMENT control message: the kernel splits it into the same
 * datagrams, at a fraction of the sender's cost per datagram). */
static gpointer sender_run(gpointer data)
{
	sender *s = data;
	const pool *pl = s->pl;
	guint hl = pl->hdr_len;
	guint8 *hdrs = g_malloc((gsize)s->burst * 24);
	struct iovec *iov = g_new0(struct iovec, (gsize)s->burst * 2);
	struct mmsghdr *mm = g_new0(struct mmsghdr, s->burst);
	gso_ctl *ctl = g_new0(gso_ctl, s->burst);
	guint32 seq = 0;

	sleep_until(&s->t0);
	for (guint64 k = 0; k < s->count && !s->failed;) {
		int nb = (int)MIN((guint64)s->burst, s->count - k);
		guint32 now = (guint32)time(NULL);

		if (s->pps > 0) {
			struct timespec due = s->t0;
			ts_add_ns(&due, (gint64)((gdouble)k / s->pps * 1e9));
			sleep_until(&due);
		}
		for (int i = 0; i < nb; i++) {
			const dgram *d = pool_at(pl, k + (guint64)i);
			guint8 *h = hdrs + (gsize)i * 24;
			memcpy(h, pl->store + d->off, hl);
			patch_hdr(h, pl->version, seq, s->domain, now);
			seq += d->seq_incr;
			iov[2 * i].iov_base = h;
			iov[2 * i].iov_len = hl;
			iov[2 * i + 1].iov_base = pl->store + d->off + hl;
			iov[2 * i + 1].iov_len = d->len - hl;
		}
		int nmsg = 0;
		for (int i = 0; i < nb; nmsg++) {
			gsize len = iov[2 * i].iov_len + iov[2 * i + 1].iov_len;
			int j = i + 1;
			/* at most 64 segments and 65,000 octets in one GSO message */
			while (s->gso && j < nb && j - i < 64 && (gsize)(j - i + 1) * len <= 65000 &&
			       iov[2 * j].iov_len + iov[2 * j + 1].iov_len == len)
				j++;
			memset(&mm[nmsg], 0, sizeof mm[nmsg]);
			mm[nmsg].msg_hdr.msg_iov = &iov[2 * i];
			mm[nmsg].msg_hdr.msg_iovlen = (size_t)(2 * (j - i));
			if (j - i > 1) {
				struct cmsghdr *cm;
				guint16 gs = (guint16)len;
				mm[nmsg].msg_hdr.msg_control = ctl[nmsg].c;
				mm[nmsg].msg_hdr.msg_controllen = sizeof ctl[nmsg].c;
				cm = CMSG_FIRSTHDR(&mm[nmsg].msg_hdr);
				cm->cmsg_level = SOL_UDP;
				cm->cmsg_type = UDP_SEGMENT;
				cm->cmsg_len = CMSG_LEN(sizeof gs);
				memcpy(CMSG_DATA(cm), &gs, sizeof gs);
			}
			i = j;
		}
		if (s->tcp) {
			for (int i = 0; i < nb && !s->failed; i++)
				s->failed = !send_stream(s->fd, &iov[2 * i]);
		} else {
			for (int done = 0, refused = 0; done < nmsg;) {
				int r = sendmmsg(s->fd, mm + done, (unsigned)(nmsg - done), 0);
				if (r < 0 && (errno == EINTR || (errno == ECONNREFUSED && !refused++)))
					continue;  /* an earlier ICMP error, reported once */
				if (r <= 0) {
					perror("nm-flowgen: sendmmsg");
					s->failed = 1;
					break;
				}
				done += r;
			}
		}
		if (s->failed)
			break;
		for (int i = 0; i < nb; i++) {
			const dgram *d = pool_at(pl, k + (guint64)i);
			s->flows += d->flows;
			s->bytes += d->bytes;
			s->packets += d->packets;
		}
		k += (guint64)nb;
		s->sent = k;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->t_end);
	g_free(hdrs);
	g_free(iov);
	g_free(mm);
	g_free(ctl);
	return NULL;
}

/* A socket to @dst, bound to @src if given (port 0: each sender gets its
 * own source port). -1 on error (printed). */
static int open_sender(const struct sockaddr_storage *dst, socklen_t dlen,
		       const struct sockaddr_storage *src, socklen_t slen, gboolean tcp)
{
	int fd = socket(dst->ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("nm-flowgen: socket");
		return -1;
	}
	if (src != NULL && bind(fd, (const struct sockaddr *)src, slen) != 0) {
		perror("nm-flowgen: bind");
		close(fd);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)dst, dlen) != 0) {
		perror("nm-flowgen: connect");
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	char *host = NULL, *srcaddr = NULL, *write_dir = NULL;
	gint port = 2055, version = 9, npk = 10, nrec = 10, domain = 1, layout = 1;
	gint sampling = 0, seed = 0, flood_n = 0, sources = 1000, burst = 1;
	gint nsenders = 1, pool_max = 4096;
	gdouble rate = 0;
	gboolean data_first = FALSE, ipv6 = FALSE, tcp = FALSE, no_template = FALSE;
	gboolean timing = FALSE, gso = FALSE;
	GOptionEntry opts[] = {
		{ "host", 'H', 0, G_OPTION_ARG_STRING, &host, "collector (loopback only)", "ADDR" },
		{ "port", 'p', 0, G_OPTION_ARG_INT, &port, "collector port", "N" },
		{ "version", 'V', 0, G_OPTION_ARG_INT, &version, "5, 9 or 10 (IPFIX)", "V" },
		{ "packets", 'n', 0, G_OPTION_ARG_INT, &npk, "data packets to send (all senders together)", "N" },
		{ "records", 'r', 0, G_OPTION_ARG_INT, &nrec, "records per packet (v5: <= 30)", "N" },
		{ "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "packets per second, all senders together (0: as fast as possible)", "PPS" },
		{ "domain", 'd', 0, G_OPTION_ARG_INT, &domain, "source ID / observation domain / v5 engine id (of sender 1)", "N" },
		{ "source", 'S', 0, G_OPTION_ARG_STRING, &srcaddr, "bind to this loopback source address", "ADDR" },
		{ "sampling", 0, 0, G_OPTION_ARG_INT, &sampling, "sampling interval to announce", "N" },
		{ "data-first", 0, 0, G_OPTION_ARG_NONE, &data_first, "send the first data packet before the template", NULL },
		{ "no-template", 0, 0, G_OPTION_ARG_NONE, &no_template, "never send templates (the collector must know them)", NULL },
		{ "layout", 0, 0, G_OPTION_ARG_INT, &layout, "template layout 1 or 2 (same ID 256)", "L" },
		{ "ipv6", 0, 0, G_OPTION_ARG_NONE, &ipv6, "IPv6 source addresses", NULL },
		{ "tcp", 0, 0, G_OPTION_ARG_NONE, &tcp, "IPFIX over TCP", NULL },
		{ "seed", 0, 0, G_OPTION_ARG_INT, &seed, "index of the first record", "N" },
		{ "write", 'w', 0, G_OPTION_ARG_FILENAME, &write_dir, "also write each packet to DIR/<v>-<n>.bin", "DIR" },
		{ "flood", 0, 0, G_OPTION_ARG_INT, &flood_n, "send N malformed datagrams instead", "N" },
		{ "sources", 0, 0, G_OPTION_ARG_INT, &sources, "flood source addresses (1..62500)", "K" },
		{ "burst", 0, 0, G_OPTION_ARG_INT, &burst, "datagrams per sendmmsg call (UDP, 1..1024)", "N" },
		{ "senders", 0, 0, G_OPTION_ARG_INT, &nsenders, "sending threads, each its own source port and domain (1..64)", "N" },
		{ "pool", 0, 0, G_OPTION_ARG_INT, &pool_max, "datagrams encoded ahead; longer runs repeat them (default 4096)", "N" },
		{ "gso", 0, 0, G_OPTION_ARG_NONE, &gso, "send runs of equal datagrams as UDP GSO messages (UDP_SEGMENT)", NULL },
		{ "timing", 0, 0, G_OPTION_ARG_NONE, &timing, "append \"seconds S\": the send phase's wall time", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("- send NetFlow/IPFIX test traffic to loopback");
	GError *err = NULL;
	struct sockaddr_storage dst, src;
	socklen_t dlen, slen = 0;
	gen g = { 0 };
	pool pl = { 0 };
	int rc = 0;

	g_option_context_add_main_entries(ctx, opts, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "nm-flowgen: %s\n", err->message);
		return 2;
	}
	g_option_context_free(ctx);
	if (host == NULL)
		host = g_strdup("127.0.0.1");
	if ((version != 5 && version != 9 && version != 10) || npk < 0 || nrec < 1 ||
	    (version == 5 && nrec > 30) || nrec > 200 || (tcp && version != 10) ||
	    (version == 5 && ipv6)) {
		fprintf(stderr, "nm-flowgen: bad option combination\n");
		return 2;
	}
	if (!mkaddr(host, port, &dst, &dlen) || !is_loopback(&dst)) {
		fprintf(stderr, "nm-flowgen: %s is not a loopback address; refusing\n", host);
		return 2;
	}
	if (flood_n > 0) {
		if (dst.ss_family != AF_INET || sources < 1 || sources > 62500) {
			fprintf(stderr, "nm-flowgen: --flood needs an IPv4 collector and 1..62500 sources\n");
			return 2;
		}
		rc = flood((const struct sockaddr_in *)&dst, flood_n, sources, rate);
		g_free(host);
		return rc;
	}
	if (burst < 1 || burst > 1024 || (tcp && (burst != 1 || gso))) {
		fprintf(stderr, "nm-flowgen: --burst must be 1..1024 (1 with --tcp; no --gso with --tcp)\n");
		return 2;
	}
	if (nsenders < 1 || nsenders > 64 || (nsenders > 1 && (tcp || sampling > 1 || write_dir != NULL)) ||
	    (version == 5 && domain + nsenders - 1 > 255)) {
		fprintf(stderr, "nm-flowgen: --senders must be 1..64, 1 with --tcp, --sampling or --write "
			"(v5: domain + senders - 1 <= 255)\n");
		return 2;
	}
	if (pool_max < 64 || pool_max < 2 + 20 + burst) {
		fprintf(stderr, "nm-flowgen: --pool must be >= 64 and >= burst + 22\n");
		return 2;
	}
	if (srcaddr != NULL && (!mkaddr(srcaddr, 0, &src, &slen) || !is_loopback(&src) ||
				src.ss_family != dst.ss_family)) {
		fprintf(stderr, "nm-flowgen: bad source %s\n", srcaddr);
		return 2;
	}
	g.version = version;
	g.layout = layout;
	g.ipv6 = ipv6;
	g.sampling = (guint)MAX(sampling, 0);
	g.domain = (guint32)domain;
	g.rec = (guint64)seed;
	g.start_s = (guint32)time(NULL);
	g.data_first = data_first;

	/* datagrams each sender sends: its share of the data, its templates */
	guint64 prologue = version != 5 && !no_template ? (data_first ? 2 : 1) : 0;
	guint64 per_max = (guint64)npk / (guint64)nsenders + (npk % nsenders ? 1 : 0) +
		(version != 5 && !no_template ? 1 : 0);
	guint64 npool = per_max;
	if (npool > (guint64)pool_max && write_dir == NULL)
		npool = prologue + ((guint64)pool_max - prologue) / 20 * 20;
	if (!pool_build(&pl, &g, npool, prologue, nrec, no_template, write_dir))
		return 1;

	sender *ss = g_new0(sender, nsenders);
	GThread **th = g_new0(GThread *, nsenders);
	struct timespec t0;
	for (int i = 0; i < nsenders; i++) {
		sender *s = &ss[i];
		s->pl = &pl;
		s->fd = open_sender(&dst, dlen, srcaddr != NULL ? &src : NULL, slen, tcp);
		if (s->fd < 0)
			return 1;
		int zero = 0;   /* no GSO by default; fails on kernels without it */
		if (gso && setsockopt(s->fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) != 0) {
			perror("nm-flowgen: --gso: UDP_SEGMENT");
			return 1;
		}
		s->tcp = tcp;
		s->gso = gso;
		s->domain = (guint32)domain + (guint32)i;
		s->count = (guint64)npk / (guint64)nsenders + ((guint64)i < (guint64)npk % (guint64)nsenders ? 1 : 0) +
			(version != 5 && !no_template ? 1 : 0);
		s->pps = rate > 0 ? rate / nsenders : 0;
		s->burst = burst;
	}
	/* a common start, 20 ms ahead: every thread is waiting by then */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ts_add_ns(&t0, 20 * 1000 * 1000);
	for (int i = 0; i < nsenders; i++) {
		ss[i].t0 = t0;
		th[i] = g_thread_new("sender", sender_run, &ss[i]);
	}
	guint64 sent = 0, flows = 0, bytes = 0, packets = 0;
	gdouble secs = 0;
	for (int i = 0; i < nsenders; i++) {
		g_thread_join(th[i]);
		sent += ss[i].sent;
		flows += ss[i].flows;
		bytes += ss[i].bytes;
		packets += ss[i].packets;
		secs = MAX(secs, ts_diff(&ss[i].t_end, &t0));
		if (ss[i].failed)
			rc = 1;
		if (close(ss[i].fd) != 0) {
			perror("nm-flowgen: close");
			rc = 1;
		}
	}
	printf("flows %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT
	       " packets %" G_GUINT64_FORMAT " datagrams %" G_GUINT64_FORMAT,
	       flows, bytes, packets, sent);
	if (timing)
		printf(" seconds %.6f", secs);
	printf("\n");
	g_free(ss);
	g_free(th);
	g_free(pl.store);
	g_free(pl.d);
	g_free(host);
	g_free(srcaddr);
	g_free(write_dir);
	return rc;
}
