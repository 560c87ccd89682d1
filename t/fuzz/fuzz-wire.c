/* libFuzzer target for the netmon wire decoder (core/wire.c,
 * include/netmon/wire.h): every message type through nm_wire_decode().
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-wire
 * Run:   t/fuzz/fuzz-wire -max_total_time=60 $srcdir/t/fuzz/corpus/wire
 * The input is one NATS message payload as the central node receives it.
 * Beyond "no crash, no over-read": a buffer the decoder accepts must
 * encode again, and that encoding must decode to a message that encodes
 * to the same bytes (the codec is a fixed point after one round), so a
 * decoder that accepts what the encoder cannot write is found too. No
 * state is kept between inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netmon/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *err = NULL;
	nm_msg *m;
	GBytes *once, *twice;
	nm_msg *again;
	gsize n1, n2;
	const guint8 *b1, *b2;

	/* Copy to an exact-size buffer so ASan sees any over-read. */
	guint8 *copy = g_malloc(size ? size : 1);
	memcpy(copy, data, size);
	m = nm_wire_decode(copy, size, &err);
	g_free(copy);
	if (m == NULL) {
		/* Rejected input must say why, in the wire error domain. */
		if (err == NULL || err->domain != NM_WIRE_ERROR)
			abort();
		g_error_free(err);
		return 0;
	}
	if (err != NULL)
		abort();
	once = nm_wire_encode(m);
	if (once == NULL)
		abort();
	b1 = g_bytes_get_data(once, &n1);
	again = nm_wire_decode(b1, n1, &err);
	if (again == NULL)
		abort(); /* accepted once, rejected after re-encoding */
	twice = nm_wire_encode(again);
	if (twice == NULL)
		abort();
	b2 = g_bytes_get_data(twice, &n2);
	if (n1 != n2 || memcmp(b1, b2, n1) != 0)
		abort();
	g_bytes_unref(twice);
	g_bytes_unref(once);
	nm_msg_unref(again);
	nm_msg_unref(m);
	return 0;
}
