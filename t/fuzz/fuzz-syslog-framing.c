/* libFuzzer target for the RFC 6587 TCP framing (plugins/syslog/framing.c)
 * with the stream split at arbitrary points.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-syslog-framing
 * Run:   t/fuzz/fuzz-syslog-framing -max_total_time=600 \
 *            $srcdir/t/fuzz/corpus/syslog-framing
 * Input: byte 0 picks max_msg (16..271 bytes, small so that truncation is
 * reached), byte 1 a seed for the read sizes; the rest is the stream. The
 * stream is fed twice through a connection-sized buffer (max_msg + 12, as
 * syslog.c keeps): once in the largest reads that fit, once in reads of
 * 1..N bytes chosen by the seed. Checked: every message is at most
 * max_msg bytes and lies inside the buffer, the buffer never overflows,
 * each full buffer makes progress, and both splits give the same messages
 * and the same framing error (the raw rest passed on after an error
 * depends on what had arrived, so it is left out of the comparison) -- a
 * framer must not depend on where TCP segments end.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	const char *buf;
	gsize cap, max_msg;
	GString *out;    /* messages, each as "<len><T|F>:bytes" */
	gsize last;      /* out->len before the last message */
} sink;

static void found(const char *msg, gsize len, gboolean truncated, gpointer data)
{
	sink *s = data;

	if (len > s->max_msg || msg < s->buf || msg + len > s->buf + s->cap)
		abort();
	s->last = s->out->len;
	g_string_append_printf(s->out, "%zu%c:", (size_t)len, truncated ? 'T' : 'F');
	g_string_append_len(s->out, msg, (gssize)len);
}

/* Feeds @stream through one connection buffer; @seed 0: largest reads.
 * Returns TRUE if the framer reported a framing error. */
static gboolean run(const uint8_t *stream, gsize len, gsize max_msg,
		    guint seed, GString *out)
{
	nm_syslog_framer f;
	nm_syslog_framer_init(&f, max_msg);
	gsize cap = nm_syslog_framer_room(&f), have = 0, pos = 0;
	char *buf = g_malloc(cap);
	sink s = { .buf = buf, .cap = cap, .max_msg = max_msg, .out = out };
	gboolean bad = FALSE;
	guint32 x = seed * 2654435761u + 1;

	for (;;) {
		gsize room = cap - have, want = room;
		if (seed != 0) {
			x = x * 1103515245u + 12345u;
			want = MIN(room, 1 + (x >> 16) % 97);
		}
		want = MIN(want, len - pos);
		memcpy(buf + have, stream + pos, want);
		have += want;
		pos += want;
		gboolean eof = pos == len;
		gsize used = nm_syslog_framer_feed(&f, buf, have, eof, found, &s, &bad);
		if (used > have)
			abort();
		if (bad) /* drop the raw rest: it depends on what had arrived */
			g_string_truncate(out, s.last);
		if (bad || eof)
			break;
		if (have == cap && used == 0)
			abort(); /* a full buffer must make progress */
		have -= used;
		memmove(buf, buf + used, have);
	}
	g_free(buf);
	return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	gsize max_msg = 16 + data[0];
	guint seed = 1 + data[1];
	/* exact-size copy so ASan sees an over-read */
	uint8_t *stream = g_malloc(size - 2 ? size - 2 : 1);
	memcpy(stream, data + 2, size - 2);
	GString *a = g_string_new(NULL), *b = g_string_new(NULL);
	gboolean bad_a = run(stream, size - 2, max_msg, 0, a);
	gboolean bad_b = run(stream, size - 2, max_msg, seed, b);

	/* the same frames, and the same framing error */
	if (bad_a != bad_b || !g_string_equal(a, b))
		abort();
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
	g_free(stream);
	return 0;
}
