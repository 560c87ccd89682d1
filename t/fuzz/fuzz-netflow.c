/* libFuzzer target for the NetFlow v5/v9/IPFIX decoder (decode.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-netflow
 * Run:   t/fuzz/fuzz-netflow -max_total_time=60 $srcdir/t/fuzz/corpus/netflow
 * One cache lives across inputs, so templates from one input meet the data
 * of the next (as on the wire); the first byte of an input picks one of
 * two exporters, the rest is the datagram. The cache is bounded, so state
 * stays small; it is emptied every 10 000 inputs anyway.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nf_cache *cache;
static nf_output out;
static unsigned runs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nm_ip ex = { .family = AF_INET, .addr = { 127, 0, 0, 1 } };
	nf_cache_limits lim = { .max_templates = 64, .max_pending_sets = 8,
				.max_pending_bytes = 65536 };

	if (cache == NULL || ++runs % 10000 == 0) {
		nf_cache_free(cache);
		cache = nf_cache_new(&lim);
	}
	if (size < 1)
		return 0;
	ex.addr[3] = (uint8_t)(1 + (data[0] & 1));
	nf_output_reset(&out);
	/* Copy to an exact-size buffer so ASan sees any over-read. */
	uint8_t *copy = g_malloc(size - 1 ? size - 1 : 1);
	memcpy(copy, data + 1, size - 1);
	(void)nf_decode(cache, &ex, copy, size - 1, 1700000000000000, &out);
	g_free(copy);
	if ((data[0] & 0x80) != 0)
		(void)nf_cache_expire(cache, 1700000000000000 + (int64_t)data[0] * 60000000);
	return 0;
}
