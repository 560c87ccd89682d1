/* netmon netflow plugin — traffic aggregation and top talkers.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Pure (no I/O, no main loop, not thread-safe): the plugin feeds decoded
 * records per exporter with nf_agg_add(); at the end of each interval
 * nf_agg_rotate() makes the METRIC messages and snapshots the interval's
 * top talkers into a bounded history that nf_agg_top() queries.
 */
#ifndef NETMON_NETFLOW_AGG_H
#define NETMON_NETFLOW_AGG_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <netmon/msg.h>

G_BEGIN_DECLS

/** What top talkers are ranked by. */
typedef enum {
	NF_BY_SRC = 0,  /**< source address */
	NF_BY_DST,      /**< destination address */
	NF_BY_CONV,     /**< (source, destination) pair */
	NF_BY_APP,      /**< (protocol, lower of the two ports) */
	NF_BY_N
} nf_by;

/** Parse "src", "dst", "conv", "app"; -1 if none. */
int nf_by_from_name(const char *name);

typedef struct nf_agg nf_agg;

/** New aggregator. @keep: talkers kept per interval snapshot and key
 *  kind (>= 1); @history: interval snapshots kept per exporter (>= 1);
 *  @max_keys: distinct talker keys per exporter, kind and interval, past
 *  which new keys are counted in "talkers_dropped" and not tracked;
 *  @max_ifindex: ifIndex series per exporter (further ones are folded
 *  into the totals only). Never fails. */
nf_agg *nf_agg_new(guint keep, guint history, guint max_keys,
		   guint max_ifindex);
/** Free @a. NULL is ignored. */
void nf_agg_free(nf_agg *a);

/** Account @n records (already scaled by sampling) of @exporter (its
 *  name or address text; copied). */
void nf_agg_add(nf_agg *a, const char *exporter, const nm_flow_record *recs,
		guint n);

/** End the interval at @now (µs since epoch): append to @metrics (a
 *  GPtrArray of nm_msg*, references owned by the array's user) one METRIC
 *  per exporter and series — host = exporter, plugin "netflow", types
 *  "flows", "bytes", "packets" (DERIVE, cumulative since the start) and
 *  per ifIndex N "if_octets"/"if_packets" (rx = in_if N, tx = out_if N)
 *  and "flows" with type instance "in-N" / "out-N" — stamped @now with
 *  @interval (µs). Then snapshot the interval's top talkers. */
void nf_agg_rotate(nf_agg *a, gint64 now, gint64 interval, GPtrArray *metrics);

/** Top @n talkers by bytes of @exporter (NULL: each exporter) ranked by
 *  @by over the intervals that ended after @since (µs since epoch) plus the
 *  running one. Appends text, or JSON when @json, to @out. */
void nf_agg_top(const nf_agg *a, const char *exporter, nf_by by, gint64 since,
		guint n, gboolean json, GString *out);

/** Totals of one exporter for stats: adds members "flows", "bytes",
 *  "packets", "talkers_dropped" to @obj. FALSE if unknown. */
gboolean nf_agg_exporter_stats(const nf_agg *a, const char *exporter,
			       JsonObject *obj);

G_END_DECLS

#endif /* NETMON_NETFLOW_AGG_H */
