/* Input format of the NetFlow fuzz target, shared with the unit tests that
 * replay the regression inputs (t/unit/test-netflow.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * An input is one or more datagrams from two exporters, each preceded by a
 * selector byte:
 *
 *     SEL DATAGRAM [ "NFZ|" SEL DATAGRAM ]...
 *
 * SEL bit 0: exporter 127.0.0.1 (0) or 127.0.0.2 (1); bit 7: run template
 * expiry after the datagram, SEL minutes later. Bit 6 of the first SEL:
 * tiny cache limits (1 exporter, 2 templates) so eviction runs. A file
 * holding one selector byte and one datagram (the seed corpus) is valid.
 * Templates and data in one input meet in one fresh cache, so every
 * finding replays from its file alone.
 */
#ifndef NETMON_FUZZ_NETFLOW_H
#define NETMON_FUZZ_NETFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/** Separator between datagrams of one input. */
#define NM_FUZZ_NETFLOW_SEP "NFZ|"

/** Decode every datagram of the fuzz input @data (@size bytes, format
 *  above) into @c, appending records to @out (reset per datagram, so it
 *  holds the last datagram's records). Each datagram is decoded from an
 *  exact-size heap copy. Returns the number of datagrams fed. */
unsigned nm_fuzz_netflow_feed(nf_cache *c, const uint8_t *data, size_t size,
			      nf_output *out);

/** Cache limits the fuzz target uses for an input whose first byte is
 *  @sel0 (see bit 6 above). */
void nm_fuzz_netflow_limits(uint8_t sel0, nf_cache_limits *lim);

#endif
