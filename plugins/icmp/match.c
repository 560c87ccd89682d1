/* netmon icmp plugin — matching a batch of Echo Replies to probes.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * See match.h. Pure: no sockets, no clocks, no globals.
 */
#include "config.h"

#include <string.h>
#include <netinet/in.h>

#include "match.h"

static gboolean same_addr(const target *t, const struct sockaddr_storage *from)
{
	if (from->ss_family != t->sa.sa.sa_family)
		return FALSE;
	if (from->ss_family == AF_INET)
		return ((const struct sockaddr_in *)from)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&t->sa)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
		      &((const struct sockaddr_in6 *)&t->sa)->sin6_addr,
		      sizeof(struct in6_addr)) == 0;
}

/* One datagram. Returns the target whose round it completed, or NULL. */
static target *match_one(target *const *targets, guint n,
			 const icmp_rx_params *prm, const icmp_rx_pkt *pkt,
			 gint64 now, icmp_rx_counts *c)
{
	icmp_tag tag;
	guint16 seq = 0;
	icmp_parse_result pr;
	target *t;
	probe *p;

	if (pkt->truncated) {
		c->foreign++;
		return NULL;
	}
	pr = icmp_echo_parse(pkt->buf, pkt->len, prm->family,
			     prm->raw && prm->family == AF_INET, prm->raw,
			     prm->ident, prm->magic, &seq, &tag);
	if (pr == ICMP_PARSE_NOT_REPLY) {
		c->ignored++; /* other ICMP traffic on a raw socket */
		return NULL;
	}
	if (pr != ICMP_PARSE_OK || tag.target >= n) {
		c->foreign++;
		return NULL;
	}
	t = targets[tag.target];
	if (!t->have_addr || !same_addr(t, &pkt->from) || tag.seq != seq ||
	    tag.probe >= t->pings || tag.round > t->round) {
		c->foreign++;
		return NULL;
	}
	if (tag.round != t->round || t->ph == PHASE_WAIT) {
		c->late++; /* its round is over */
		return NULL;
	}
	p = &t->probes[tag.probe];
	if (p->state == PROBE_UNSENT || p->seq != seq) {
		c->foreign++;
		return NULL;
	}
	if (p->state == PROBE_REPLIED) {
		c->duplicate++;
		return NULL;
	}
	if (p->state != PROBE_SENT) { /* LATE (or FAILED) already */
		c->late++;
		return NULL;
	}
	/* In time is judged by the kernel's receive stamp: a reply that
	 * arrived in time but was read late (a busy or descheduled daemon)
	 * is not lost. Without a plausible stamp (none, or a stepped clock
	 * made it negative or too large): the monotonic clock at reading. */
	double rtt = pkt->rx_ns > 0 ? (double)(pkt->rx_ns - p->tx_real_ns) / 1e6
				    : -1;
	if (rtt < 0 || rtt * 1000 > (double)t->timeout)
		rtt = (double)(now - p->tx_mono) / 1e3;
	if (rtt * 1000 > (double)t->timeout) {
		p->state = PROBE_LATE;
		t->answered++;
		c->late++;
	} else {
		p->state = PROBE_REPLIED;
		p->rtt_ms = rtt;
		t->last_rtt = rtt;
		t->answered++;
		t->received_total++;
		c->replies++;
	}
	/* Only the reply that answers the last open probe completes it. */
	if (t->next_probe == t->pings && t->answered == t->pings)
		return t;
	return NULL;
}

guint icmp_rx_match(target *const *targets, guint n,
		    const icmp_rx_params *prm, const icmp_rx_pkt *pkts,
		    guint npkts, gint64 now, icmp_rx_counts *counts,
		    target **done)
{
	guint ndone = 0;

	memset(counts, 0, sizeof(*counts));
	for (guint i = 0; i < npkts; i++) {
		target *t = match_one(targets, n, prm, &pkts[i], now, counts);
		if (t != NULL)
			done[ndone++] = t;
	}
	return ndone;
}
