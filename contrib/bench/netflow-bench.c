/* netflow-bench — pure decode speed of the NetFlow v9 / IPFIX decoder.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 *   netflow-bench [SECONDS]
 * Builds one v9 packet (template 256, 11 fields, 45 bytes a record, 30
 * records) and one IPFIX packet (same fields plus two millisecond
 * timestamps, 30 records), then decodes each for SECONDS (default 2) in a
 * loop with one cache, and prints records/s per core for both, e.g.
 *   v9 records/s 23456789
 * Then the aggregation alone (agg.c: totals, ifIndex counters, talker
 * tables) on the records nm-flowgen sends (65,536 sources, 4 destinations,
 * 4 applications a minute-long interval; batches of 1,920 records, one
 * recvmmsg batch of 64 datagrams):
 *   agg records/s 12345678
 * No I/O, one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "agg.h"

typedef struct {
	guint8 p[2000];
	gsize n;
} pkt;

static void p8(pkt *b, guint v) { b->p[b->n++] = (guint8)v; }
static void p16(pkt *b, guint v) { p8(b, v >> 8); p8(b, v & 0xFF); }
static void p32(pkt *b, guint32 v) { p16(b, v >> 16); p16(b, v & 0xFFFF); }
static void p64(pkt *b, guint64 v) { p32(b, (guint32)(v >> 32)); p32(b, (guint32)v); }

static void build(pkt *b, int version, gboolean tmpl, guint n)
{
	gsize s;
	b->n = 0;
	if (version == 9) {
		p16(b, 9); p16(b, 0); p32(b, 100000); p32(b, 1700000000); p32(b, 0); p32(b, 1);
	} else {
		p16(b, 10); p16(b, 0); p32(b, 1700000000); p32(b, 0); p32(b, 1);
	}
	if (tmpl) {
		s = b->n;
		p16(b, version == 9 ? 0 : 2); p16(b, 0); p16(b, 256);
		p16(b, version == 9 ? 13 : 13);
		p16(b, 8); p16(b, 4); p16(b, 12); p16(b, 4); p16(b, 7); p16(b, 2);
		p16(b, 11); p16(b, 2); p16(b, 4); p16(b, 1); p16(b, 6); p16(b, 1);
		p16(b, 10); p16(b, 4); p16(b, 14); p16(b, 4); p16(b, 1); p16(b, 8);
		p16(b, 2); p16(b, 8); p16(b, 15); p16(b, 4);
		if (version == 9) {
			p16(b, 22); p16(b, 4); p16(b, 21); p16(b, 4);
		} else {
			p16(b, 152); p16(b, 8); p16(b, 153); p16(b, 8);
		}
		b->p[s + 2] = (guint8)((b->n - s) >> 8);
		b->p[s + 3] = (guint8)(b->n - s);
	}
	s = b->n;
	p16(b, 256); p16(b, 0);
	for (guint i = 0; i < n; i++) {
		p32(b, 0x0a000000u | i); p32(b, 0xc0000201u); p16(b, 1024 + i); p16(b, 443);
		p8(b, 6); p8(b, 0x18); p32(b, 1); p32(b, 2); p64(b, 1500 * i);
		p64(b, 10 + i); p32(b, 0x0a0000fe);
		if (version == 9) {
			p32(b, 90000); p32(b, 99000);
		} else {
			p64(b, G_GUINT64_CONSTANT(1700000000000)); p64(b, G_GUINT64_CONSTANT(1700000000500));
		}
	}
	b->p[s + 2] = (guint8)((b->n - s) >> 8);
	b->p[s + 3] = (guint8)(b->n - s);
	if (version == 10) {
		b->p[2] = (guint8)(b->n >> 8);
		b->p[3] = (guint8)b->n;
	}
}

static void run(int version, double seconds)
{
	nf_cache *c = nf_cache_new(NULL);
	nf_output out = { 0 };
	nm_ip ex = { .family = AF_INET, .addr = { 127, 0, 0, 1 } };
	pkt t, d;
	guint64 recs = 0;
	gint64 t0, el;

	build(&t, version, TRUE, 0);
	build(&d, version, FALSE, 30);
	if (!nf_decode(c, &ex, t.p, t.n, 0, &out)) {
		fprintf(stderr, "template packet refused\n");
		exit(1);
	}
	t0 = g_get_monotonic_time();
	do {
		for (int k = 0; k < 1000; k++) {
			nf_output_reset(&out);
			(void)nf_decode(c, &ex, d.p, d.n, 0, &out);
			recs += out.n;
		}
		el = g_get_monotonic_time() - t0;
	} while (el < (gint64)(seconds * G_USEC_PER_SEC));
	if (recs == 0) {
		fprintf(stderr, "nothing decoded\n");
		exit(1);
	}
	printf("%s records/s %.0f (%" G_GUINT64_FORMAT " records, %zu-byte packets of 30)\n",
	       version == 9 ? "v9" : "ipfix", (double)recs * G_USEC_PER_SEC / (double)el,
	       recs, d.n);
	nf_output_clear(&out);
	nf_cache_free(c);
}

/* Record @i of nm-flowgen's sequence (see its header). */
static void flowgen_record(guint64 i, nm_flow_record *r)
{
	static const guint16 svc[4] = { 80, 443, 53, 123 };

	memset(r, 0, sizeof *r);
	r->src.family = r->dst.family = AF_INET;
	r->src.addr[0] = 10;
	r->src.addr[1] = (guint8)(i / 256 % 256);
	r->src.addr[2] = (guint8)(i % 256);
	r->src.addr[3] = 1;
	r->dst.addr[0] = 192;
	r->dst.addr[2] = 2;
	r->dst.addr[3] = (guint8)(i % 4 + 1);
	r->src_port = (guint16)(1024 + i % 1000);
	r->dst_port = svc[i % 4];
	r->protocol = i % 4 >= 2 ? 17 : 6;
	r->bytes = 100 + i % 1400;
	r->packets = 1 + i % 10;
	r->in_if = 1 + (guint32)(i % 4);
	r->out_if = 10 + (guint32)(i % 2);
	r->sampling_rate = 1;
}

/* nf_agg_add() alone. The records of a batch are made just before, as
 * the decoder would (so they are in cache, as in the collector); making
 * them is timed separately and subtracted. */
static void run_agg(double seconds)
{
	const guint batch = 1920;
	nm_flow_record *r = g_new0(nm_flow_record, batch);
	nf_agg *a = nf_agg_new(40, 60, 100000, 4096);
	guint64 recs = 0, i = 0;
	gint64 t0, el, in_agg = 0;

	t0 = g_get_monotonic_time();
	do {
		for (guint k = 0; k < 100; k++) {
			for (guint j = 0; j < batch; j++)
				flowgen_record(i++, &r[j]);
			gint64 ta = g_get_monotonic_time();
			nf_agg_add(a, "127.0.0.2", r, batch);
			in_agg += g_get_monotonic_time() - ta;
			recs += batch;
		}
		el = g_get_monotonic_time() - t0;
	} while (el < (gint64)(seconds * G_USEC_PER_SEC));
	printf("agg records/s %.0f (%" G_GUINT64_FORMAT " records)\n",
	       (double)recs * G_USEC_PER_SEC / (double)MAX(in_agg, 1), recs);
	nf_agg_free(a);
	g_free(r);
}

int main(int argc, char **argv)
{
	double s = argc > 1 ? g_ascii_strtod(argv[1], NULL) : 2.0;

	if (s <= 0 || s > 600) {
		fprintf(stderr, "usage: netflow-bench [SECONDS]\n");
		return 2;
	}
	run(9, s);
	run(10, s);
	run_agg(s);
	return 0;
}
