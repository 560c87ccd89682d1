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
 * No I/O, one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

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

int main(int argc, char **argv)
{
	double s = argc > 1 ? g_ascii_strtod(argv[1], NULL) : 2.0;

	if (s <= 0 || s > 600) {
		fprintf(stderr, "usage: netflow-bench [SECONDS]\n");
		return 2;
	}
	run(9, s);
	run(10, s);
	return 0;
}
