/* Unit tests of the netflow decoder (decode.c) and aggregator (agg.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

#include "decode.h"
#include "fuzz-netflow.h"
#include "agg.h"

/* ---- packet builder ---- */

typedef struct {
	guint8 p[70000];
	gsize n;
} pkt;

static void p8(pkt *b, guint v) { g_assert_cmpuint(b->n, <, sizeof b->p); b->p[b->n++] = (guint8)v; }
static void p16(pkt *b, guint v) { p8(b, v >> 8); p8(b, v & 0xFF); }
static void p32(pkt *b, guint32 v) { p16(b, v >> 16); p16(b, v & 0xFFFF); }
static void p64(pkt *b, guint64 v) { p32(b, (guint32)(v >> 32)); p32(b, (guint32)v); }
static void pn(pkt *b, const void *d, gsize n) { g_assert_cmpuint(b->n + n, <=, sizeof b->p); memcpy(b->p + b->n, d, n); b->n += n; }
static void fix16(pkt *b, gsize at, gsize v) { b->p[at] = (guint8)(v >> 8); b->p[at + 1] = (guint8)v; }

static gsize set_begin(pkt *b, guint id) { gsize at = b->n; p16(b, id); p16(b, 0); return at; }
static void set_end(pkt *b, gsize at) { fix16(b, at + 2, b->n - at); }

static void v9_header(pkt *b, guint32 seq, guint32 domain)
{
	b->n = 0;
	p16(b, 9); p16(b, 0); p32(b, 100000); p32(b, 1700000000); p32(b, seq); p32(b, domain);
}

static void ipfix_header(pkt *b, guint32 seq, guint32 domain)
{
	b->n = 0;
	p16(b, 10); p16(b, 0); p32(b, 1700000000); p32(b, seq); p32(b, domain);
}

static void ipfix_end(pkt *b) { fix16(b, 2, b->n); }

static const nm_ip EX1 = { .family = AF_INET, .addr = { 127, 0, 0, 1 } };
static const nm_ip EX2 = { .family = AF_INET, .addr = { 127, 0, 0, 2 } };
#define NOW (G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC)

/* v9 template 256: src4, dst4, sport, dport, proto, bytes(4), pkts(4),
 * in_if(2), out_if(2), first(4), last(4) = 31 bytes a record. */
static void v9_template(pkt *b, guint tid)
{
	gsize s = set_begin(b, 0);
	p16(b, tid); p16(b, 11);
	p16(b, 8); p16(b, 4); p16(b, 12); p16(b, 4); p16(b, 7); p16(b, 2);
	p16(b, 11); p16(b, 2); p16(b, 4); p16(b, 1); p16(b, 1); p16(b, 4);
	p16(b, 2); p16(b, 4); p16(b, 10); p16(b, 2); p16(b, 14); p16(b, 2);
	p16(b, 22); p16(b, 4); p16(b, 21); p16(b, 4);
	set_end(b, s);
}

static void v9_record(pkt *b, guint i)
{
	p8(b, 10); p8(b, 0); p8(b, 0); p8(b, (guint8)i);
	p8(b, 192); p8(b, 0); p8(b, 2); p8(b, 1);
	p16(b, 1000 + i); p16(b, 80); p8(b, 6);
	p32(b, 1000 * (i + 1)); p32(b, 10 * (i + 1));
	p16(b, 3); p16(b, 4); p32(b, 90000); p32(b, 99000);
}

static void v9_data(pkt *b, guint tid, guint n)
{
	gsize s = set_begin(b, tid);
	for (guint i = 0; i < n; i++)
		v9_record(b, i);
	while ((b->n - s) % 4)
		p8(b, 0);
	set_end(b, s);
}

typedef struct {
	nf_cache *c;
	nf_output out;
} fx;

static void fx_setup(fx *f, gconstpointer d)
{
	(void)d;
	f->c = nf_cache_new(NULL);
	memset(&f->out, 0, sizeof f->out);
}

static void fx_teardown(fx *f, gconstpointer d)
{
	(void)d;
	nf_cache_free(f->c);
	nf_output_clear(&f->out);
}

static gboolean dec(fx *f, const nm_ip *ex, const pkt *b)
{
	nf_output_reset(&f->out);
	return nf_decode(f->c, ex, b->p, b->n, NOW, &f->out);
}

static const nf_counters *ctr(fx *f, const nm_ip *ex)
{
	const nf_counters *c = nf_cache_counters(f->c, ex);
	g_assert_nonnull(c);
	return c;
}

/* ---- v5 ---- */

static void v5_packet(pkt *b, guint n, guint32 seq, guint sampling)
{
	b->n = 0;
	p16(b, 5); p16(b, n); p32(b, 100000); p32(b, 1700000000); p32(b, 0);
	p32(b, seq); p8(b, 1); p8(b, 2); p16(b, sampling);
	for (guint i = 0; i < n; i++) {
		p8(b, 10); p8(b, 1); p8(b, 1); p8(b, (guint8)i);
		p8(b, 10); p8(b, 2); p8(b, 2); p8(b, 2);
		p32(b, 0x0a000001);
		p16(b, 5); p16(b, 6); p32(b, 7); p32(b, 1500);
		p32(b, 90000); p32(b, 99000); p16(b, 1234); p16(b, 443);
		p8(b, 0); p8(b, 0x12); p8(b, 6); p8(b, 0x10);
		p16(b, 64512); p16(b, 64513); p8(b, 24); p8(b, 16); p16(b, 0);
	}
}

static void test_v5(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	v5_packet(&b, 3, 100, 0);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 3);
	g_assert_cmpuint(f->out.version, ==, 5);
	g_assert_cmpuint(f->out.domain, ==, 0x0102);
	const nm_flow_record *r = &f->out.recs[2];
	g_assert_cmpuint(r->src.family, ==, AF_INET);
	g_assert_cmpuint(r->src.addr[3], ==, 2);
	g_assert_cmpuint(r->dst.addr[1], ==, 2);
	g_assert_cmpuint(r->next_hop.family, ==, AF_INET);
	g_assert_cmpuint(r->in_if, ==, 5);
	g_assert_cmpuint(r->out_if, ==, 6);
	g_assert_cmpuint(r->packets, ==, 7);
	g_assert_cmpuint(r->bytes, ==, 1500);
	g_assert_cmpuint(r->src_port, ==, 1234);
	g_assert_cmpuint(r->dst_port, ==, 443);
	g_assert_cmpuint(r->tcp_flags, ==, 0x12);
	g_assert_cmpuint(r->protocol, ==, 6);
	g_assert_cmpuint(r->tos, ==, 0x10);
	g_assert_cmpuint(r->src_as, ==, 64512);
	g_assert_cmpuint(r->dst_as, ==, 64513);
	g_assert_cmpuint(r->sampling_rate, ==, 1);
	g_assert_cmpint(r->end, ==, NOW - 1000 * 1000);
	g_assert_cmpint(r->start, ==, NOW - 10000 * 1000);

	/* Sequence continues: no gap; then a gap. */
	v5_packet(&b, 1, 103, 0x4000 | 100);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->seq_gaps, ==, 0);
	g_assert_cmpuint(f->out.recs[0].sampling_rate, ==, 100);
	g_assert_cmpuint(f->out.recs[0].bytes, ==, 150000);
	g_assert_cmpuint(f->out.recs[0].packets, ==, 700);
	v5_packet(&b, 1, 200, 0);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->seq_gaps, ==, 1);
	g_assert_cmpuint(ctr(f, &EX1)->records, ==, 5);
}

static void test_v5_hostile(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	v5_packet(&b, 2, 0, 0);
	/* Every truncation of a 2-record packet is malformed, none decoded. */
	for (gsize len = 0; len < b.n; len++) {
		nf_output_reset(&f->out);
		g_assert_false(nf_decode(f->c, &EX1, b.p, len, NOW, &f->out));
		g_assert_cmpuint(f->out.n, ==, 0);
	}
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, b.n);
	/* count 0 and count > 30 */
	v5_packet(&b, 0, 0, 0);
	g_assert_false(dec(f, &EX1, &b));
	v5_packet(&b, 30, 0, 0);
	fix16(&b, 2, 31);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 0);
}

/* ---- v9 ---- */

static void test_v9_basic(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	v9_header(&b, 0, 7);
	v9_template(&b, 256);
	v9_data(&b, 256, 3);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 3);
	g_assert_cmpuint(f->out.domain, ==, 7);
	g_assert_cmpuint(f->out.version, ==, 9);
	const nm_flow_record *r = &f->out.recs[1];
	g_assert_cmpuint(r->src.addr[0], ==, 10);
	g_assert_cmpuint(r->src.addr[3], ==, 1);
	g_assert_cmpuint(r->dst.addr[0], ==, 192);
	g_assert_cmpuint(r->src_port, ==, 1001);
	g_assert_cmpuint(r->dst_port, ==, 80);
	g_assert_cmpuint(r->protocol, ==, 6);
	g_assert_cmpuint(r->bytes, ==, 2000);
	g_assert_cmpuint(r->packets, ==, 20);
	g_assert_cmpuint(r->in_if, ==, 3);
	g_assert_cmpuint(r->out_if, ==, 4);
	g_assert_cmpint(r->start, ==, NOW - 10000 * 1000);
	g_assert_cmpint(r->end, ==, NOW - 1000 * 1000);
	g_assert_cmpuint(ctr(f, &EX1)->templates, ==, 1);
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 1);

	/* Data only, next sequence: decoded with the cached template. */
	v9_header(&b, 1, 7);
	v9_data(&b, 256, 5);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 5);
	g_assert_cmpuint(ctr(f, &EX1)->seq_gaps, ==, 0);
	/* Sequence jumps: one gap. */
	v9_header(&b, 5, 7);
	v9_data(&b, 256, 1);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->seq_gaps, ==, 1);
	/* Another domain of the same exporter has no template. */
	v9_header(&b, 0, 8);
	v9_data(&b, 256, 1);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->pending_sets, ==, 1);
}

/* One field of a hand-made v9 template and its value in the record. */
typedef struct {
	guint16 id, len;     /* len 0xFFFF: IPFIX variable length */
	guint8 v[16];
	guint8 vlen;         /* bytes of v sent for a variable-length field */
} tf;

/* v9 packet: template @tid with @n fields of @fs, one record, decoded. */
static void v9_fields(fx *f, guint tid, const tf *fs, guint n)
{
	pkt b;
	gsize s;

	v9_header(&b, 0, 1);
	s = set_begin(&b, 0);
	p16(&b, tid); p16(&b, n);
	for (guint i = 0; i < n; i++) {
		p16(&b, fs[i].id);
		p16(&b, fs[i].len);
	}
	set_end(&b, s);
	s = set_begin(&b, tid);
	for (guint i = 0; i < n; i++)
		pn(&b, fs[i].v, fs[i].len);
	while ((b.n - s) % 4)
		p8(&b, 0);
	set_end(&b, s);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 1);
}

/* IPFIX message: template @tid with @n fields of @fs, one record. */
static void ipfix_fields(fx *f, guint tid, const tf *fs, guint n)
{
	pkt b;
	gsize s;

	ipfix_header(&b, 0, 1);
	s = set_begin(&b, 2);
	p16(&b, tid); p16(&b, n);
	for (guint i = 0; i < n; i++) {
		p16(&b, fs[i].id);
		p16(&b, fs[i].len);
	}
	set_end(&b, s);
	s = set_begin(&b, tid);
	for (guint i = 0; i < n; i++) {
		if (fs[i].len == 0xFFFF) {
			p8(&b, fs[i].vlen);
			pn(&b, fs[i].v, fs[i].vlen);
		} else {
			pn(&b, fs[i].v, fs[i].len);
		}
	}
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 1);
}

/* Fixed-layout templates are decoded from precomputed offsets: every
 * member lands where it belongs whatever the field order, reduced-size
 * integers included; a template writing one member twice (IPv4 and IPv6
 * source, two byte counters) keeps the RFC's field-by-field meaning,
 * the last field wins. */
static void test_v9_field_layouts(fx *f, gconstpointer d)
{
	static const tf all[] = {
		{ 1, 8, { 0, 0, 0, 0, 0, 1, 0, 0 } },          /* bytes 65536 */
		{ 2, 3, { 1, 0, 1 } },                          /* packets 65537 */
		{ 4, 1, { 17 } }, { 5, 1, { 0x2e } }, { 6, 2, { 0x01, 0x12 } },
		{ 7, 2, { 0x30, 0x39 } }, { 11, 2, { 0, 53 } },
		{ 27, 16, { 0x20, 1, 0xd, 0xb8, [15] = 1 } },   /* src 2001:db8::1 */
		{ 12, 4, { 192, 0, 2, 7 } },
		{ 62, 16, { 0xfe, 0x80, [15] = 9 } },           /* next hop */
		{ 10, 4, { 0, 1, 0, 0 } }, { 14, 1, { 7 } },    /* in 65536, out 7 */
		{ 16, 4, { 0, 0, 0xfd, 0xe8 } }, { 17, 2, { 0x01, 0x02 } },
		{ 99, 3, { 0xAA, 0xBB, 0xCC } },               /* unknown: skipped */
		{ 22, 4, { 0, 1, 0x5f, 0x90 } }, { 21, 4, { 0, 1, 0x86, 0xa0 } },
	};
	const guint n = G_N_ELEMENTS(all);
	tf perm[G_N_ELEMENTS(all)];

	(void)d;
	for (guint rot = 0; rot < n; rot++) {
		/* every rotation, forwards and backwards */
		for (int back = 0; back < 2; back++) {
			for (guint i = 0; i < n; i++)
				perm[i] = all[back ? (n - 1 - (i + rot) % n) : (i + rot) % n];
			v9_fields(f, 256 + rot * 2 + (guint)back, perm, n);
			const nm_flow_record *r = &f->out.recs[0];
			g_assert_cmpuint(r->bytes, ==, 65536);
			g_assert_cmpuint(r->packets, ==, 65537);
			g_assert_cmpuint(r->protocol, ==, 17);
			g_assert_cmpuint(r->tos, ==, 0x2e);
			g_assert_cmpuint(r->tcp_flags, ==, 0x12);
			g_assert_cmpuint(r->src_port, ==, 12345);
			g_assert_cmpuint(r->dst_port, ==, 53);
			g_assert_cmpuint(r->src.family, ==, AF_INET6);
			g_assert_cmpuint(r->src.addr[3], ==, 0xb8);
			g_assert_cmpuint(r->src.addr[15], ==, 1);
			g_assert_cmpuint(r->dst.family, ==, AF_INET);
			g_assert_cmpuint(r->dst.addr[3], ==, 7);
			g_assert_cmpuint(r->next_hop.family, ==, AF_INET6);
			g_assert_cmpuint(r->next_hop.addr[15], ==, 9);
			g_assert_cmpuint(r->in_if, ==, 65536);
			g_assert_cmpuint(r->out_if, ==, 7);
			g_assert_cmpuint(r->src_as, ==, 65000);
			g_assert_cmpuint(r->dst_as, ==, 258);
			g_assert_cmpint(r->start, ==, NOW - (100000 - 90000) * 1000);
			g_assert_cmpint(r->end, ==, NOW);
			g_assert_cmpuint(r->sampling_rate, ==, 1);
		}
	}

	/* Two fields for one member: the later one counts. */
	static const tf dup1[] = {
		{ 8, 4, { 10, 0, 0, 1 } }, { 27, 16, { 0x20, 1, [15] = 2 } },
		{ 1, 4, { 0, 0, 0, 5 } }, { 1, 2, { 0, 6 } },
	};
	v9_fields(f, 400, dup1, G_N_ELEMENTS(dup1));
	g_assert_cmpuint(f->out.recs[0].src.family, ==, AF_INET6);
	g_assert_cmpuint(f->out.recs[0].src.addr[15], ==, 2);
	g_assert_cmpuint(f->out.recs[0].bytes, ==, 6);
	static const tf dup2[] = {
		{ 27, 16, { 0x20, 1, [15] = 2 } }, { 8, 4, { 10, 0, 0, 1 } },
		{ 1, 2, { 0, 6 } }, { 1, 4, { 0, 0, 0, 5 } },
	};
	v9_fields(f, 401, dup2, G_N_ELEMENTS(dup2));
	g_assert_cmpuint(f->out.recs[0].src.family, ==, AF_INET);
	g_assert_cmpuint(f->out.recs[0].src.addr[3], ==, 1);
	g_assert_cmpuint(f->out.recs[0].bytes, ==, 5);

	/* IPFIX: the fields before a variable-length one are compiled, the
	 * rest decoded in order after them, so a member written on both
	 * sides takes the later value. */
	static const tf vl1[] = {
		{ 8, 4, { 10, 0, 0, 1 } }, { 1, 4, { 0, 0, 0, 5 } },
		{ 7, 2, { 0, 99 } },
		{ 96, 0xFFFF, { 'e', 't', 'h' }, 3 },           /* applicationName */
		{ 27, 16, { 0x20, 1, [15] = 2 } }, { 11, 2, { 0, 53 } },
		{ 96, 0xFFFF, { 'x' }, 1 },
		{ 1, 2, { 0, 6 } },
	};
	ipfix_fields(f, 402, vl1, G_N_ELEMENTS(vl1));
	const nm_flow_record *r = &f->out.recs[0];
	g_assert_cmpuint(r->src.family, ==, AF_INET6);
	g_assert_cmpuint(r->src.addr[15], ==, 2);
	g_assert_cmpuint(r->bytes, ==, 6);
	g_assert_cmpuint(r->src_port, ==, 99);
	g_assert_cmpuint(r->dst_port, ==, 53);
	static const tf vl2[] = {
		{ 27, 16, { 0x20, 1, [15] = 2 } }, { 1, 2, { 0, 6 } },
		{ 96, 0xFFFF, { 0 }, 0 },                       /* empty */
		{ 8, 4, { 10, 0, 0, 1 } }, { 1, 4, { 0, 0, 0, 5 } },
		{ 7, 2, { 0, 99 } },
	};
	ipfix_fields(f, 403, vl2, G_N_ELEMENTS(vl2));
	r = &f->out.recs[0];
	g_assert_cmpuint(r->src.family, ==, AF_INET);
	g_assert_cmpuint(r->src.addr[3], ==, 1);
	g_assert_cmpuint(r->bytes, ==, 5);
	g_assert_cmpuint(r->src_port, ==, 99);
}

static void test_v9_data_before_template(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	v9_header(&b, 0, 1);
	v9_data(&b, 256, 4);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->pending_sets, ==, 1);
	v9_header(&b, 1, 1);
	v9_data(&b, 256, 2);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->pending_sets, ==, 2);
	/* The template arrives: both held sets are decoded now. */
	v9_header(&b, 2, 1);
	v9_template(&b, 256);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 6);
	g_assert_cmpuint(ctr(f, &EX1)->pending_sets, ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->template_misses, ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->records, ==, 6);

	/* A set whose template never comes is a miss after the timeout. */
	v9_header(&b, 3, 1);
	v9_data(&b, 999, 1);
	g_assert_true(dec(f, &EX1, &b));
	nf_cache_expire(f->c, NOW + 10 * G_USEC_PER_SEC);
	g_assert_cmpuint(ctr(f, &EX1)->template_misses, ==, 0);
	nf_cache_expire(f->c, NOW + 31 * G_USEC_PER_SEC);
	g_assert_cmpuint(ctr(f, &EX1)->template_misses, ==, 1);
	g_assert_cmpuint(ctr(f, &EX1)->pending_sets, ==, 0);
}

static void test_pending_bounded(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	for (guint i = 0; i < 100; i++) {
		v9_header(&b, i, 1);
		v9_data(&b, 300 + i, 2);
		g_assert_true(dec(f, &EX1, &b));
	}
	g_assert_cmpuint(ctr(f, &EX1)->pending_sets, ==, 64);
	g_assert_cmpuint(ctr(f, &EX1)->template_misses, ==, 36);
}

static void test_v9_refresh_changed_layout(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	v9_header(&b, 0, 1);
	v9_template(&b, 256);
	v9_data(&b, 256, 1);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.recs[0].bytes, ==, 1000);
	/* Same ID, new layout: bytes(8), dst6(16), proto(1). */
	v9_header(&b, 1, 1);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 3);
	p16(&b, 1); p16(&b, 8); p16(&b, 28); p16(&b, 16); p16(&b, 4); p16(&b, 1);
	set_end(&b, s);
	s = set_begin(&b, 256);
	p64(&b, G_GUINT64_CONSTANT(5000000000));
	for (int i = 0; i < 16; i++)
		p8(&b, i == 0 ? 0x20 : i);
	p8(&b, 17);
	p8(&b, 0); p8(&b, 0); p8(&b, 0);  /* padding */
	set_end(&b, s);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 1);
	g_assert_cmpuint(f->out.recs[0].bytes, ==, G_GUINT64_CONSTANT(5000000000));
	g_assert_cmpuint(f->out.recs[0].dst.family, ==, AF_INET6);
	g_assert_cmpuint(f->out.recs[0].dst.addr[0], ==, 0x20);
	g_assert_cmpuint(f->out.recs[0].protocol, ==, 17);
	g_assert_cmpuint(ctr(f, &EX1)->templates, ==, 2);
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 1);
}

static void test_two_exporters_same_id(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	v9_header(&b, 0, 0);
	v9_template(&b, 256);
	g_assert_true(dec(f, &EX1, &b));
	/* Exporter 2: template 256 is just bytes(2). */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 1); p16(&b, 1); p16(&b, 2);
	set_end(&b, s);
	s = set_begin(&b, 256);
	p16(&b, 77); p16(&b, 88);
	set_end(&b, s);
	g_assert_true(dec(f, &EX2, &b));
	g_assert_cmpuint(f->out.n, ==, 2);
	g_assert_cmpuint(f->out.recs[1].bytes, ==, 88);
	v9_header(&b, 1, 0);
	v9_data(&b, 256, 2);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 2);
	g_assert_cmpuint(f->out.recs[1].bytes, ==, 2000);
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 2);
}

static void test_v9_options_sampling(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	v9_header(&b, 0, 3);
	/* Options template 257: scope System(1) len 4, option 34 len 4. */
	s = set_begin(&b, 1);
	p16(&b, 257); p16(&b, 4); p16(&b, 4);
	p16(&b, 1); p16(&b, 4); p16(&b, 34); p16(&b, 4);
	p16(&b, 0);  /* padding */
	set_end(&b, s);
	s = set_begin(&b, 257);
	p32(&b, 1); p32(&b, 64);
	set_end(&b, s);
	v9_template(&b, 256);
	v9_data(&b, 256, 2);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->options_records, ==, 1);
	g_assert_cmpuint(f->out.n, ==, 2);
	g_assert_cmpuint(f->out.recs[0].sampling_rate, ==, 64);
	g_assert_cmpuint(f->out.recs[0].bytes, ==, 64000);
	g_assert_cmpuint(f->out.recs[1].packets, ==, 20 * 64);
}

/* ---- IPFIX ---- */

/* Template 400: src6(16), dst4, bytes(8), pkts(4), enterprise fixed(3),
 * enterprise varlen, varlen IE 82 interfaceName, start ms, end ms. */
static void ipfix_template(pkt *b)
{
	gsize s = set_begin(b, 2);
	p16(b, 400); p16(b, 9);
	p16(b, 27); p16(b, 16); p16(b, 12); p16(b, 4); p16(b, 1); p16(b, 8);
	p16(b, 2); p16(b, 4);
	p16(b, 0x8000 | 5); p16(b, 3); p32(b, 9999);
	p16(b, 0x8000 | 6); p16(b, 0xFFFF); p32(b, 9999);
	p16(b, 82); p16(b, 0xFFFF);
	p16(b, 152); p16(b, 8); p16(b, 153); p16(b, 8);
	set_end(b, s);
}

static void ipfix_record(pkt *b, guint i, guint vl)
{
	for (int k = 0; k < 16; k++)
		p8(b, k == 0 ? 0x20 : k == 15 ? i : 0);
	p8(b, 192); p8(b, 0); p8(b, 2); p8(b, 9);
	p64(b, 100 + i); p32(b, 1 + i);
	p8(b, 1); p8(b, 2); p8(b, 3);
	if (vl < 255) {
		p8(b, vl);
	} else {
		p8(b, 255); p16(b, vl);
	}
	for (guint k = 0; k < vl; k++)
		p8(b, 'x');
	p8(b, 3); pn(b, "ge0", 3);
	p64(b, G_GUINT64_CONSTANT(1700000000000)); p64(b, G_GUINT64_CONSTANT(1700000001500));
}

static void test_ipfix_basic(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	ipfix_header(&b, 0, 42);
	ipfix_template(&b);
	s = set_begin(&b, 400);
	ipfix_record(&b, 0, 0);
	ipfix_record(&b, 1, 5);
	ipfix_record(&b, 2, 300);  /* 3-byte length prefix */
	p8(&b, 0); p8(&b, 0);       /* padding */
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.version, ==, 10);
	g_assert_cmpuint(f->out.domain, ==, 42);
	g_assert_cmpuint(f->out.n, ==, 3);
	const nm_flow_record *r = &f->out.recs[2];
	g_assert_cmpuint(r->src.family, ==, AF_INET6);
	g_assert_cmpuint(r->src.addr[15], ==, 2);
	g_assert_cmpuint(r->dst.family, ==, AF_INET);
	g_assert_cmpuint(r->bytes, ==, 102);
	g_assert_cmpuint(r->packets, ==, 3);
	g_assert_cmpint(r->start, ==, G_GINT64_CONSTANT(1700000000000) * 1000);
	g_assert_cmpint(r->end, ==, G_GINT64_CONSTANT(1700000001500) * 1000);
	/* IPFIX sequence counts records: 3 so far. */
	ipfix_header(&b, 3, 42);
	s = set_begin(&b, 400);
	ipfix_record(&b, 3, 1);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->seq_gaps, ==, 0);
	ipfix_header(&b, 9, 42);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->seq_gaps, ==, 1);
}

static void test_ipfix_varlen_overrun(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	ipfix_header(&b, 0, 1);
	ipfix_template(&b);
	s = set_begin(&b, 400);
	ipfix_record(&b, 0, 2);
	gsize second = b.n;
	ipfix_record(&b, 1, 2);
	set_end(&b, s);
	ipfix_end(&b);
	/* Second record's enterprise varlen claims 200 bytes. */
	b.p[second + 16 + 4 + 8 + 4 + 3] = 200;
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 1);
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, 1);
	/* 255 escape with a 2-byte length past the end. */
	b.p[second + 16 + 4 + 8 + 4 + 3] = 255;
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, 2);
}

static void test_ipfix_withdrawal(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	ipfix_header(&b, 0, 1);
	ipfix_template(&b);
	s = set_begin(&b, 2);
	p16(&b, 401); p16(&b, 1); p16(&b, 1); p16(&b, 4);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 2);
	/* Withdraw 400. */
	ipfix_header(&b, 0, 1);
	s = set_begin(&b, 2);
	p16(&b, 400); p16(&b, 0);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 1);
	g_assert_cmpuint(ctr(f, &EX1)->withdrawals, ==, 1);
	/* Withdraw all (template ID 2 = set ID, RFC 7011 §8.1). */
	ipfix_header(&b, 0, 1);
	s = set_begin(&b, 2);
	p16(&b, 2); p16(&b, 0);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 0);
}

static void test_ipfix_options_sampling(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	ipfix_header(&b, 0, 5);
	s = set_begin(&b, 3);
	p16(&b, 500); p16(&b, 2); p16(&b, 1);
	p16(&b, 149); p16(&b, 4); p16(&b, 50); p16(&b, 4);
	p16(&b, 0);
	set_end(&b, s);
	s = set_begin(&b, 500);
	p32(&b, 5); p32(&b, 10);
	set_end(&b, s);
	ipfix_template(&b);
	s = set_begin(&b, 400);
	ipfix_record(&b, 0, 0);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 1);
	g_assert_cmpuint(f->out.recs[0].sampling_rate, ==, 10);
	g_assert_cmpuint(f->out.recs[0].bytes, ==, 1000);
	g_assert_cmpuint(f->out.recs[0].packets, ==, 10);
}

/* ---- hostile input ---- */

static void test_hostile_headers(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	v9_header(&b, 0, 0);
	for (gsize len = 0; len < 20; len++) {
		nf_output_reset(&f->out);
		g_assert_false(nf_decode(f->c, &EX1, b.p, len, NOW, &f->out));
	}
	ipfix_header(&b, 0, 0);
	ipfix_end(&b);
	for (gsize len = 0; len < 16; len++) {
		nf_output_reset(&f->out);
		g_assert_false(nf_decode(f->c, &EX1, b.p, len, NOW, &f->out));
	}
	/* IPFIX length larger than the datagram, or below the header. */
	fix16(&b, 2, 17);
	g_assert_false(dec(f, &EX1, &b));
	fix16(&b, 2, 15);
	g_assert_false(dec(f, &EX1, &b));
	/* Unknown version. */
	b.n = 0;
	p16(&b, 7); p16(&b, 0);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, 20 + 16 + 3);
	g_assert_cmpuint(ctr(f, &EX1)->packets, ==, 20 + 16 + 3);
}

static void test_hostile_sets(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;

	(void)d;
	/* Set length past the packet end: records before it are kept. */
	v9_header(&b, 0, 0);
	v9_template(&b, 256);
	v9_data(&b, 256, 1);
	s = set_begin(&b, 256);
	v9_record(&b, 1);
	set_end(&b, s);
	fix16(&b, s + 2, b.n - s + 4);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 1);
	/* Set length below 4. */
	v9_header(&b, 1, 0);
	p16(&b, 256); p16(&b, 3); p32(&b, 0);
	g_assert_false(dec(f, &EX1, &b));
	/* Set length 0 (would loop forever if trusted). */
	v9_header(&b, 2, 0);
	p16(&b, 256); p16(&b, 0); p32(&b, 0);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, 3);
}

static void test_hostile_templates(fx *f, gconstpointer d)
{
	pkt b;
	gsize s;
	guint64 m = 0;

	(void)d;
	/* v9 template with 0 fields. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 0);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* Zero-length field. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 2); p16(&b, 1); p16(&b, 4); p16(&b, 2); p16(&b, 0);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* v9 field of length 65535 (no varlen in v9). */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 1); p16(&b, 1); p16(&b, 0xFFFF);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* Oversized fixed fields: a record longer than any message. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 2); p16(&b, 1); p16(&b, 0xFFF0); p16(&b, 2); p16(&b, 0xFFF0);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* An oversized known field (IN_BYTES of 100 octets, longer than its
	 * unsigned64 type; pmacct #934): the template is malformed, and the
	 * data set after it in the packet is not read. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 2); p16(&b, 1); p16(&b, 100); p16(&b, 2); p16(&b, 4);
	set_end(&b, s);
	s = set_begin(&b, 256);
	for (int i = 0; i < 100; i++)
		p8(&b, 0xFF);
	p32(&b, 9);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* An unknown field longer than the record that follows: the data set
	 * is shorter than one record and not padding (zeros) either. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 256); p16(&b, 2); p16(&b, 300); p16(&b, 1000); p16(&b, 2); p16(&b, 4);
	set_end(&b, s);
	s = set_begin(&b, 256);
	for (int i = 0; i < 100; i++)
		p8(&b, 0xFF);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(f->out.n, ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* 65535 fields announced, few present. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 257); p16(&b, 65535);
	for (int i = 0; i < 100; i++) {
		p16(&b, 1); p16(&b, 4);
	}
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* IPFIX: 65535 fields in a message of maximal size. */
	ipfix_header(&b, 0, 0);
	s = set_begin(&b, 2);
	p16(&b, 258); p16(&b, 65535);
	while (b.n + 4 <= 65535) {
		p16(&b, 1); p16(&b, 4);
	}
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* Template field list cut by the set end (enterprise number missing). */
	ipfix_header(&b, 0, 0);
	s = set_begin(&b, 2);
	p16(&b, 259); p16(&b, 1); p16(&b, 0x8001); p16(&b, 4);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* Options template: scope count 0 or above the field count. */
	ipfix_header(&b, 0, 0);
	s = set_begin(&b, 3);
	p16(&b, 260); p16(&b, 1); p16(&b, 2); p16(&b, 34); p16(&b, 4);
	set_end(&b, s);
	ipfix_end(&b);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* Template ID below 256. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 0);
	p16(&b, 255); p16(&b, 1); p16(&b, 1); p16(&b, 4);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	/* v9 options template with scope length not a multiple of 4. */
	v9_header(&b, 0, 0);
	s = set_begin(&b, 1);
	p16(&b, 261); p16(&b, 3); p16(&b, 4); p16(&b, 1); p16(&b, 4); p16(&b, 34); p16(&b, 4);
	set_end(&b, s);
	g_assert_false(dec(f, &EX1, &b));
	g_assert_cmpuint(ctr(f, &EX1)->malformed, ==, ++m);
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 1);
}

/* Random bytes and mutations of valid packets: never a crash, never a
 * read past the buffer (ASan checks that: the buffer is a fresh
 * allocation of exactly the packet's size), counters consistent. */
static void test_random(fx *f, gconstpointer d)
{
	GRand *rnd = g_rand_new_with_seed(12345);
	pkt b;
	gsize s;

	(void)d;
	for (int i = 0; i < 20000; i++) {
		gsize len = (gsize)g_rand_int_range(rnd, 0, 1500);
		guint8 *p = g_malloc(len + 1);
		for (gsize k = 0; k < len; k++)
			p[k] = (guint8)g_rand_int(rnd);
		if (len >= 2 && i % 3 != 0) {
			p[0] = 0;
			p[1] = (guint8)(i % 3 == 1 ? 9 : 10);
		}
		nf_output_reset(&f->out);
		(void)nf_decode(f->c, i % 2 ? &EX1 : &EX2, p, len, NOW, &f->out);
		g_free(p);
	}
	/* Mutations of a valid IPFIX packet. */
	ipfix_header(&b, 0, 1);
	ipfix_template(&b);
	s = set_begin(&b, 400);
	ipfix_record(&b, 0, 3);
	ipfix_record(&b, 1, 300);
	set_end(&b, s);
	ipfix_end(&b);
	for (int i = 0; i < 20000; i++) {
		guint8 *p = g_memdup2(b.p, b.n);
		int flips = g_rand_int_range(rnd, 1, 4);
		for (int k = 0; k < flips; k++)
			p[g_rand_int_range(rnd, 0, (gint32)b.n)] = (guint8)g_rand_int(rnd);
		gsize len = (gsize)g_rand_int_range(rnd, 1, (gint32)b.n + 1);
		nf_output_reset(&f->out);
		(void)nf_decode(f->c, &EX1, p, len, NOW, &f->out);
		g_assert_cmpuint(f->out.n, <=, 2 + 64 * 20);
		g_free(p);
	}
	g_assert_cmpuint(ctr(f, &EX1)->packets + ctr(f, &EX2)->packets, ==, 40000);
	g_assert_cmpuint(ctr(f, &EX1)->malformed, >, 0);
	g_assert_cmpuint(nf_cache_n_templates(f->c), <=, 4096);
	g_rand_free(rnd);
}

/* ---- expiry, limits, persistence ---- */

static void test_template_expiry(fx *f, gconstpointer d)
{
	pkt b;

	(void)d;
	v9_header(&b, 0, 0);
	v9_template(&b, 256);
	g_assert_true(dec(f, &EX1, &b));
	g_assert_cmpuint(nf_cache_expire(f->c, NOW + 1000 * G_USEC_PER_SEC), ==, 0);
	g_assert_cmpuint(nf_cache_expire(f->c, NOW + 1801 * G_USEC_PER_SEC), ==, 1);
	g_assert_cmpuint(nf_cache_n_templates(f->c), ==, 0);
	g_assert_cmpuint(ctr(f, &EX1)->expired, ==, 1);
}

/* Template cache bounds (issue 12's flood): max_templates in all,
 * max_templates_per_exporter each, least recently used evicted (use =
 * refresh or decoding data), and a full exporter table forgets the
 * exporter silent for longest. */
static void test_template_limit(void)
{
	nf_cache_limits lim = { .max_templates = 8, .max_templates_per_exporter = 6,
				.max_exporters = 2 };
	nf_cache *c = nf_cache_new(&lim);
	nf_output out = { 0 };
	pkt b;
	nm_ip ex3 = { .family = AF_INET, .addr = { 127, 0, 0, 3 } };

	/* EX2 has 2 templates; EX1 sends 20, using 256 between each. */
	for (guint i = 0; i < 2; i++) {
		v9_header(&b, i, 0);
		v9_template(&b, 300 + i);
		g_assert_true(nf_decode(c, &EX2, b.p, b.n, NOW, &out));
	}
	for (guint i = 0; i < 20; i++) {
		v9_header(&b, i, 0);
		v9_template(&b, 256 + i);
		nf_output_reset(&out);
		g_assert_true(nf_decode(c, &EX1, b.p, b.n, NOW + i, &out));
		v9_header(&b, i, 0);
		v9_data(&b, 256, 1);
		nf_output_reset(&out);
		g_assert_true(nf_decode(c, &EX1, b.p, b.n, NOW + i, &out));
		g_assert_cmpuint(out.n, ==, 1);  /* 256 is never the LRU one */
	}
	/* EX1 is held to 6 templates (14 evicted), EX2 kept its 2. */
	g_assert_cmpuint(nf_cache_n_templates(c), ==, 8);
	g_assert_cmpuint(nf_cache_counters(c, &EX1)->evicted, ==, 14);
	g_assert_cmpuint(nf_cache_counters(c, &EX1)->expired, ==, 0);
	g_assert_cmpuint(nf_cache_counters(c, &EX2)->evicted, ==, 0);
	/* The newest and the used ones were kept, the oldest went. */
	v9_header(&b, 20, 0);
	v9_data(&b, 256 + 19, 1);
	nf_output_reset(&out);
	g_assert_true(nf_decode(c, &EX1, b.p, b.n, NOW, &out));
	g_assert_cmpuint(out.n, ==, 1);
	v9_header(&b, 21, 0);
	v9_data(&b, 257, 1);
	nf_output_reset(&out);
	g_assert_true(nf_decode(c, &EX1, b.p, b.n, NOW, &out));
	g_assert_cmpuint(out.n, ==, 0);
	g_assert_cmpuint(nf_cache_counters(c, &EX1)->pending_sets, ==, 1);
	/* One more EX1 template: its own least recently used one goes. */
	v9_header(&b, 22, 0);
	v9_template(&b, 400);
	g_assert_true(nf_decode(c, &EX1, b.p, b.n, NOW, &out));
	g_assert_cmpuint(nf_cache_n_templates(c), ==, 8);
	g_assert_cmpuint(nf_cache_counters(c, &EX1)->evicted, ==, 15);
	g_assert_cmpuint(nf_cache_get_stats(c)->templates_evicted, ==, 15);
	/* Exporter table full: EX2 (seen least recently) is forgotten with
	 * its 2 templates; ex3 gets its place. */
	g_assert_true(nf_decode(c, &ex3, b.p, b.n, NOW, &out));
	g_assert_nonnull(nf_cache_counters(c, &ex3));
	g_assert_null(nf_cache_counters(c, &EX2));
	g_assert_nonnull(nf_cache_counters(c, &EX1));
	g_assert_cmpuint(nf_cache_get_stats(c)->exporters_evicted, ==, 1);
	g_assert_cmpuint(nf_cache_n_templates(c), ==, 7);
	/* ex3 fills the cache; its next template evicts the cache's least
	 * recently used one, which is EX1's. */
	for (guint i = 0; i < 2; i++) {
		v9_header(&b, 23 + i, 0);
		v9_template(&b, 401 + i);
		g_assert_true(nf_decode(c, &ex3, b.p, b.n, NOW, &out));
	}
	g_assert_cmpuint(nf_cache_n_templates(c), ==, 8);
	g_assert_cmpuint(nf_cache_counters(c, &EX1)->evicted, ==, 16);
	g_assert_cmpuint(nf_cache_counters(c, &ex3)->evicted, ==, 0);
	g_assert_cmpuint(nf_cache_get_stats(c)->templates_evicted, ==, 16);
	nf_output_clear(&out);
	nf_cache_free(c);
}

/* The peers' bug classes (issue 12), replayed from the fuzz regression
 * inputs t/fuzz/regress/netflow/ (written by t/data/netflow/mkregress.py,
 * format in t/fuzz/fuzz-netflow.h): the hostile datagrams from 127.0.0.1
 * are counted as malformed and their bad part dropped; the well-formed
 * exporter 127.0.0.2 after them loses none of its 3 records. Every file
 * must be in this table, so a new regression input needs an expectation. */
static const struct {
	const char *name;
	guint64 malformed, records;   /* of 127.0.0.1 */
} regress[] = {
	{ "pmacct-934-field-longer-than-type", 1, 0 },
	{ "pmacct-934-field-longer-than-record", 1, 0 },
	{ "pmacct-923-template-refresh-changed-layout", 1, 3 },
	{ "fastnetmon-cve-2024-56073-zero-length-template-set", 1, 0 },
	{ "fastnetmon-cve-2024-56073-zero-field-count", 1, 0 },
	{ "fastnetmon-cve-2024-56073-zero-length-field", 1, 0 },
	{ "nfdump-cve-2019-14459-withdrawal-set-3-bytes", 1, 0 },
	{ "nfdump-cve-2019-14459-withdrawal-trailing-bytes", 1, 0 },
	{ "set-length-0-v9", 1, 0 },
	{ "set-length-2-ipfix", 1, 0 },
	{ "set-length-past-packet-end-v9", 1, 0 },
	{ "set-length-past-packet-end-ipfix", 1, 0 },
	{ "ipfix-message-length-past-datagram", 1, 0 },
	{ "ipfix-varlen-255-ffff", 1, 0 },
	{ "template-65535-fields", 1, 0 },
};

static void test_regress_inputs(void)
{
	gchar *dir = g_test_build_filename(G_TEST_DIST, "fuzz", "regress", "netflow", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	guint seen = 0;

	g_assert_nonnull(d);
	while ((n = g_dir_read_name(d)) != NULL) {
		if (n[0] == '.')
			continue;
		guint k;
		for (k = 0; k < G_N_ELEMENTS(regress); k++)
			if (strcmp(regress[k].name, n) == 0)
				break;
		if (k == G_N_ELEMENTS(regress))
			g_error("%s/%s: no expectation in test-netflow.c", dir, n);
		gchar *path = g_build_filename(dir, n, NULL);
		gchar *data;
		gsize len;
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		nf_cache_limits lim;
		nf_output out = { 0 };
		nm_fuzz_netflow_limits((guint8)data[0], &lim);
		nf_cache *c = nf_cache_new(&lim);
		g_assert_cmpuint(nm_fuzz_netflow_feed(c, (const guint8 *)data, len, &out), >=, 2);
		const nf_counters *bad = nf_cache_counters(c, &EX1);
		const nf_counters *good = nf_cache_counters(c, &EX2);
		g_assert_nonnull(bad);
		g_test_message("%s: malformed %" G_GUINT64_FORMAT " records %" G_GUINT64_FORMAT,
			       n, bad->malformed, bad->records);
		g_assert_cmpuint(bad->malformed, ==, regress[k].malformed);
		g_assert_cmpuint(bad->records, ==, regress[k].records);
		g_assert_nonnull(good);
		g_assert_cmpuint(good->malformed, ==, 0);
		g_assert_cmpuint(good->records, ==, 3);
		g_assert_cmpuint(out.n, ==, 3);   /* the last datagram, the good one */
		g_assert_cmpuint(out.recs[2].bytes, ==, 102);
		nf_output_clear(&out);
		nf_cache_free(c);
		g_free(data);
		g_free(path);
		seen++;
	}
	g_dir_close(d);
	g_assert_cmpuint(seen, ==, G_N_ELEMENTS(regress));
	g_free(dir);
}

static void test_persist(fx *f, gconstpointer d)
{
	pkt b;
	GByteArray *saved;
	nf_cache *c2;
	nf_output out = { 0 };

	(void)d;
	v9_header(&b, 0, 1);
	v9_template(&b, 256);
	g_assert_true(dec(f, &EX1, &b));
	ipfix_header(&b, 0, 2);
	ipfix_template(&b);
	ipfix_end(&b);
	g_assert_true(dec(f, &EX2, &b));
	saved = nf_cache_save(f->c);
	c2 = nf_cache_new(NULL);
	g_assert_cmpint(nf_cache_load(c2, saved->data, saved->len, NOW), ==, 2);
	g_assert_cmpuint(nf_cache_n_templates(c2), ==, 2);
	/* After a "restart", data decodes at once: no template miss. */
	v9_header(&b, 1, 1);
	v9_data(&b, 256, 3);
	g_assert_true(nf_decode(c2, &EX1, b.p, b.n, NOW, &out));
	g_assert_cmpuint(out.n, ==, 3);
	g_assert_cmpuint(out.recs[2].bytes, ==, 3000);
	/* Corrupt or truncated files are refused, without reading past. */
	for (gsize len = 0; len < saved->len; len++) {
		nf_cache *c3 = nf_cache_new(NULL);
		guint8 *copy = g_memdup2(saved->data, len ? len : 1);
		int n = nf_cache_load(c3, copy, len, NOW);
		g_assert_true(n == -1 || (len == 8 && n == 0) || n >= 0);
		g_free(copy);
		nf_cache_free(c3);
	}
	saved->data[8 + 28] = 0xFF;  /* n_fields of the first: huge */
	nf_cache *c4 = nf_cache_new(NULL);
	g_assert_cmpint(nf_cache_load(c4, saved->data, saved->len, NOW), ==, -1);
	nf_cache_free(c4);
	g_byte_array_unref(saved);
	nf_output_clear(&out);
	nf_cache_free(c2);
}

/* ---- aggregation ---- */

static void test_agg(void)
{
	nf_agg *a = nf_agg_new(40, 4, 1000, 100);
	nm_flow_record r[3];
	GPtrArray *m = g_ptr_array_new_with_free_func((GDestroyNotify)nm_msg_unref);
	GString *out = g_string_new(NULL);

	memset(r, 0, sizeof r);
	for (int i = 0; i < 3; i++) {
		r[i].src.family = r[i].dst.family = AF_INET;
		r[i].src.addr[0] = 10;
		r[i].src.addr[3] = (guint8)(i == 2 ? 1 : i);
		r[i].dst.addr[0] = 192;
		r[i].bytes = 100u * (i + 1);
		r[i].packets = 1;
		r[i].protocol = 6;
		r[i].src_port = 40000;
		r[i].dst_port = 443;
		r[i].in_if = 1;
		r[i].out_if = 2;
	}
	nf_agg_add(a, "rtr1", r, 3);
	nf_agg_top(a, "rtr1", NF_BY_SRC, 0, 10, FALSE, out);
	g_assert_nonnull(strstr(out->str, "10.0.0.1"));
	g_string_truncate(out, 0);
	nf_agg_rotate(a, NOW, 60 * G_USEC_PER_SEC, m);
	/* flows, bytes, packets + 2 ifIndexes x 4 series */
	g_assert_cmpuint(m->len, ==, 3 + 2 * 4);
	const nm_metric *b = nm_msg_as_metric(m->pdata[1]);
	g_assert_cmpstr(b->host, ==, "rtr1");
	g_assert_cmpstr(b->plugin, ==, "netflow");
	g_assert_cmpstr(b->type, ==, "bytes");
	g_assert_cmpint(b->values[0].v.derive, ==, 600);
	nf_agg_top(a, NULL, NF_BY_SRC, 0, 1, TRUE, out);
	g_assert_nonnull(strstr(out->str, "\"key\":\"10.0.0.1\",\"bytes\":500"));
	g_string_truncate(out, 0);
	nf_agg_top(a, NULL, NF_BY_APP, 0, 5, TRUE, out);
	g_assert_nonnull(strstr(out->str, "\"key\":\"tcp/443\",\"bytes\":600"));
	g_string_truncate(out, 0);
	nf_agg_top(a, NULL, NF_BY_CONV, 0, 5, FALSE, out);
	g_assert_nonnull(strstr(out->str, "10.0.0.1 -> 192.0.0.0"));
	g_string_truncate(out, 0);
	/* Since after the last interval: only the running one (empty). */
	nf_agg_top(a, NULL, NF_BY_SRC, NOW + 1, 5, TRUE, out);
	g_assert_nonnull(strstr(out->str, "\"top\":[]"));
	g_assert_cmpint(nf_by_from_name("dst"), ==, NF_BY_DST);
	g_assert_cmpint(nf_by_from_name("x"), ==, -1);
	g_string_free(out, TRUE);
	g_ptr_array_free(m, TRUE);
	nf_agg_free(a);
}

/* Key text as nf_agg_top prints it. */
static char *ref_key(nf_by by, const nm_flow_record *r)
{
	char x[64], y[64];

	switch (by) {
	case NF_BY_SRC:
		return g_strdup(nf_ip_to_string(&r->src, x, sizeof x));
	case NF_BY_DST:
		return g_strdup(nf_ip_to_string(&r->dst, x, sizeof x));
	case NF_BY_CONV:
		return g_strdup_printf("%s -> %s", nf_ip_to_string(&r->src, x, sizeof x),
				       nf_ip_to_string(&r->dst, y, sizeof y));
	default: {
		guint16 p = r->src_port != 0 && (r->dst_port == 0 || r->src_port < r->dst_port)
			? r->src_port : r->dst_port;
		return g_strdup_printf("%s/%u", r->protocol == 6 ? "tcp" : "udp", p);
	}
	}
}

/* nf_agg_top of @by (JSON) as key -> bytes; *n_out: entries. */
static GHashTable *top_map(nf_agg *a, nf_by by, guint n)
{
	GString *out = g_string_new(NULL);
	JsonParser *p = json_parser_new();
	GHashTable *m = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	nf_agg_top(a, "rtr", by, 0, n, TRUE, out);
	g_assert_true(json_parser_load_from_data(p, out->str, -1, NULL));
	JsonObject *root = json_node_get_object(json_parser_get_root(p));
	JsonArray *ex = json_object_get_array_member(root, "exporters");
	g_assert_cmpuint(json_array_get_length(ex), ==, 1);
	JsonArray *top = json_object_get_array_member(json_array_get_object_element(ex, 0), "top");
	for (guint i = 0; i < json_array_get_length(top); i++) {
		JsonObject *o = json_array_get_object_element(top, i);
		g_hash_table_insert(m, g_strdup(json_object_get_string_member(o, "key")),
				    GINT_TO_POINTER((gint)json_object_get_int_member(o, "bytes")));
	}
	g_object_unref(p);
	g_string_free(out, TRUE);
	return m;
}

/* Records for the talker tests: @n records over @nsrc sources (every
 * third one IPv6) and 5 destinations (one IPv6), TCP/UDP. */
static nm_flow_record *talker_records(guint n, guint nsrc)
{
	nm_flow_record *r = g_new0(nm_flow_record, n);

	for (guint i = 0; i < n; i++) {
		guint s = i % nsrc, d = (i / 7) % 5;
		if (s % 3 == 0) {
			r[i].src.family = AF_INET6;
			r[i].src.addr[0] = 0x20;
			r[i].src.addr[1] = 0x01;
			r[i].src.addr[14] = (guint8)(s >> 8);
			r[i].src.addr[15] = (guint8)s;
		} else {
			r[i].src.family = AF_INET;
			r[i].src.addr[0] = 10;
			r[i].src.addr[2] = (guint8)(s >> 8);
			r[i].src.addr[3] = (guint8)s;
		}
		if (d == 4) {
			r[i].dst.family = AF_INET6;
			r[i].dst.addr[0] = 0xfd;
			r[i].dst.addr[15] = 1;
		} else {
			r[i].dst.family = AF_INET;
			r[i].dst.addr[0] = 192;
			r[i].dst.addr[3] = (guint8)d;
		}
		r[i].bytes = 1 + i % 977;
		r[i].packets = 1;
		r[i].protocol = i % 2 ? 6 : 17;
		r[i].src_port = (guint16)(1024 + i % 50);
		r[i].dst_port = (guint16)(i % 3 ? 443 : 0);
		r[i].in_if = 1;
		r[i].out_if = 2;
	}
	return r;
}

/* Exact byte totals per key of @by over @r, compared with the live top
 * (every key asked for). */
static void check_exact(nf_agg *a, nf_by by, const nm_flow_record *r, guint n)
{
	GHashTable *ref = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer k, v;

	for (guint i = 0; i < n; i++) {
		char *key = ref_key(by, &r[i]);
		gint sum = GPOINTER_TO_INT(g_hash_table_lookup(ref, key));
		g_hash_table_replace(ref, key, GINT_TO_POINTER(sum + (gint)r[i].bytes));
	}
	GHashTable *got = top_map(a, by, 100000);
	g_assert_cmpuint(g_hash_table_size(got), ==, g_hash_table_size(ref));
	g_hash_table_iter_init(&it, ref);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (!g_hash_table_contains(got, k))
			g_error("%s: key %s missing", by == NF_BY_SRC ? "src" : "?", (char *)k);
		g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(got, k)), ==,
				GPOINTER_TO_INT(v));
	}
	g_hash_table_destroy(got);
	g_hash_table_destroy(ref);
}

/* Talker totals are exact per key for IPv4 (compact tables) and IPv6
 * (wide tables) alike, across table growth; source and destination
 * talkers (summed from the conversations) stay exact when the
 * conversation table is full (max_keys). */
static void test_agg_talkers_exact(void)
{
	const guint n = 20000, nsrc = 3000;
	nm_flow_record *r = talker_records(n, nsrc);
	nf_agg *a = nf_agg_new(40, 4, 100000, 100);
	JsonObject *st;

	for (guint i = 0; i < n; i += 1000)
		nf_agg_add(a, "rtr", r + i, 1000);
	for (int by = 0; by < NF_BY_N; by++)
		check_exact(a, by, r, n);
	/* After the interval ends: the snapshot's top 40 of each kind. */
	nf_agg_rotate(a, NOW, 60 * G_USEC_PER_SEC, NULL);
	GHashTable *top = top_map(a, NF_BY_SRC, 40);
	g_assert_cmpuint(g_hash_table_size(top), ==, 40);
	g_hash_table_destroy(top);
	nf_agg_free(a);

	/* max_keys 500: 3000 sources x 5 destinations do not fit the
	 * conversation table, 5 destinations and 50 applications do; 400
	 * sources do too. */
	a = nf_agg_new(40, 4, 500, 100);
	g_free(r);
	r = talker_records(n, 400);
	nf_agg_add(a, "rtr", r, n);
	check_exact(a, NF_BY_SRC, r, n);
	check_exact(a, NF_BY_DST, r, n);
	check_exact(a, NF_BY_APP, r, n);
	st = json_object_new();
	g_assert_true(nf_agg_exporter_stats(a, "rtr", st));
	g_assert_cmpint(json_object_get_int_member(st, "talkers_dropped"), >, 0);
	g_assert_cmpint(json_object_get_int_member(st, "flows"), ==, n);
	json_object_unref(st);
	top = top_map(a, NF_BY_CONV, 100000);
	g_assert_cmpuint(g_hash_table_size(top), ==, 500);
	g_hash_table_destroy(top);
	nf_agg_free(a);
	g_free(r);
}

#define FX(path, fn) g_test_add(path, fx, NULL, fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	FX("/netflow/v5/decode", test_v5);
	FX("/netflow/v5/hostile", test_v5_hostile);
	FX("/netflow/v9/basic", test_v9_basic);
	FX("/netflow/v9/field-layouts", test_v9_field_layouts);
	FX("/netflow/v9/data-before-template", test_v9_data_before_template);
	FX("/netflow/v9/pending-bounded", test_pending_bounded);
	FX("/netflow/v9/refresh-changed-layout", test_v9_refresh_changed_layout);
	FX("/netflow/v9/two-exporters-same-id", test_two_exporters_same_id);
	FX("/netflow/v9/options-sampling", test_v9_options_sampling);
	FX("/netflow/ipfix/basic-varlen-enterprise", test_ipfix_basic);
	FX("/netflow/ipfix/varlen-overrun", test_ipfix_varlen_overrun);
	FX("/netflow/ipfix/withdrawal", test_ipfix_withdrawal);
	FX("/netflow/ipfix/options-sampling", test_ipfix_options_sampling);
	FX("/netflow/hostile/headers", test_hostile_headers);
	FX("/netflow/hostile/sets", test_hostile_sets);
	FX("/netflow/hostile/templates", test_hostile_templates);
	FX("/netflow/hostile/random", test_random);
	FX("/netflow/cache/expiry", test_template_expiry);
	g_test_add_func("/netflow/cache/limits", test_template_limit);
	g_test_add_func("/netflow/regress/peers-bug-classes", test_regress_inputs);
	FX("/netflow/cache/persist", test_persist);
	g_test_add_func("/netflow/agg/metrics-and-top", test_agg);
	g_test_add_func("/netflow/agg/talkers-exact", test_agg_talkers_exact);
	return g_test_run();
}
