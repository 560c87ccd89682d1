/* libFuzzer target for the icmp plugin's reply path: Echo Reply parsing
 * (plugins/icmp/proto.c, RFC 792 / RFC 4443 §4.2) and matching a
 * recvmmsg() batch of datagrams to probes (plugins/icmp/match.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-icmp
 * Run:   t/fuzz/fuzz-icmp -max_total_time=60 $srcdir/t/fuzz/corpus/icmp
 * Input: byte 0 selects the socket: bit 0 IPv6, bit 1 raw (IPv4 raw
 * sockets deliver the IP header in front). Then datagrams, each a 2-octet
 * big-endian length, 1 octet naming its source (0..3: one of the four
 * targets' addresses, else a stranger) and that many octets (the last one
 * may be cut short). Each datagram gets an exact-size heap copy. Four
 * targets (127.0.0.1..4 or ::1..4), 3 probes each in round 5, identifier
 * 0x4242, magic 0x6e6d6f6e, probe i of target k sent with sequence
 * 100 * k + i. Checked: every datagram gets exactly one verdict, no round
 * completes twice, no probe is answered twice, counters never exceed the
 * probes. No state survives between inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define F_TARGETS 4
#define F_PINGS 3
#define F_MAX_PKTS 64

static void set_addr(icmp_addr *a, int family, guint k)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_addr.s6_addr[15] = (guint8)k;
	} else {
		a->in.sin_family = AF_INET;
		a->in.sin_addr.s_addr = htonl(0x7f000000u | k);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	target tg[F_TARGETS], *tp[F_TARGETS], *done[F_MAX_PKTS];
	probe pr[F_TARGETS][F_PINGS];
	icmp_rx_pkt pkts[F_MAX_PKTS];
	guint8 *copies[F_MAX_PKTS];
	icmp_rx_params prm;
	icmp_rx_counts c;
	guint n = 0, nd;
	size_t off = 1;

	if (size < 1)
		return 0;
	prm.family = (data[0] & 1) ? AF_INET6 : AF_INET;
	prm.raw = (data[0] & 2) != 0;
	prm.ident = 0x4242;
	prm.magic = 0x6e6d6f6e;
	for (guint k = 0; k < F_TARGETS; k++) {
		target *t = &tg[k];
		memset(t, 0, sizeof(*t));
		t->index = k;
		set_addr(&t->sa, prm.family, k + 1);
		t->have_addr = TRUE;
		t->pings = F_PINGS;
		t->timeout = G_USEC_PER_SEC;
		t->round = 5;
		t->ph = k == 3 ? PHASE_WAIT : PHASE_END;
		t->next_probe = k == 2 ? 2 : F_PINGS; /* target 2 mid-round */
		t->probes = pr[k];
		for (guint i = 0; i < F_PINGS; i++) {
			pr[k][i] = (probe){ .tx_mono = 1000000,
					    .tx_real_ns = 1000000000,
					    .seq = (guint16)(100 * k + i),
					    .state = i < t->next_probe ? PROBE_SENT
								       : PROBE_UNSENT };
		}
		tp[k] = t;
	}
	pr[1][2].tx_mono = 0; /* timed out by "now" */
	while (off + 3 <= size && n < F_MAX_PKTS) {
		size_t len = ((size_t)data[off] << 8) | data[off + 1];
		guint src = data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		copies[n] = malloc(len ? len : 1);
		if (copies[n] == NULL)
			abort();
		memcpy(copies[n], data + off, len);
		off += len;
		memset(&pkts[n], 0, sizeof(pkts[n]));
		pkts[n].buf = copies[n];
		pkts[n].len = len;
		pkts[n].truncated = (src & 0x80) != 0;
		pkts[n].rx_ns = (src & 0x40) ? 0 : 1000000000 + 250000;
		if ((src & 3) < F_TARGETS && !(src & 0x20)) {
			icmp_addr a;
			set_addr(&a, prm.family, (src & 3) + 1);
			memcpy(&pkts[n].from, &a, sizeof(a));
		} else {
			icmp_addr a;
			set_addr(&a, prm.family, 200);
			memcpy(&pkts[n].from, &a, sizeof(a));
		}
		n++;
	}
	nd = icmp_rx_match(tp, F_TARGETS, &prm, pkts, n, 1000000 + 500, &c,
			   done);
	if (c.replies + c.late + c.duplicate + c.foreign + c.ignored != n ||
	    nd > n)
		abort();
	for (guint i = 0; i < nd; i++)
		for (guint j = i + 1; j < nd; j++)
			if (done[i] == done[j])
				abort();
	guint replied = 0;
	for (guint k = 0; k < F_TARGETS; k++) {
		guint answered = 0;
		for (guint i = 0; i < F_PINGS; i++) {
			if (pr[k][i].state == PROBE_REPLIED) {
				replied++;
				answered++;
				if (!(pr[k][i].rtt_ms >= 0))
					abort();
			} else if (pr[k][i].state == PROBE_LATE) {
				answered++;
			}
			if (i >= tg[k].next_probe &&
			    pr[k][i].state != PROBE_UNSENT)
				abort(); /* an unsent probe answered */
		}
		if (tg[k].answered != answered || answered > F_PINGS ||
		    (k == 3 && answered != 0))
			abort();
	}
	if (replied != c.replies)
		abort();
	for (guint i = 0; i < n; i++)
		free(copies[i]);
	return 0;
}
