/* netmon netflow plugin — NetFlow v5, v9 and IPFIX decoder.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Pure C: no I/O, no main loop, no threads. The caller hands in one
 * datagram (or one IPFIX message read off a TCP stream) together with the
 * exporter's address and a template cache (nf_cache); the decoder appends
 * nm_flow_record entries to an nf_output and updates the exporter's
 * counters kept in the cache. One cache must not be used by two threads at
 * once.
 *
 * Wire formats:
 *   - NetFlow v5 (Cisco): 24-byte header, 1..30 records of 48 bytes.
 *   - NetFlow v9 (RFC 3954): §5 packet header, §5.2 template FlowSet,
 *     §6.1 options template FlowSet, §5.3 data FlowSet, §5.4 padding.
 *   - IPFIX (RFC 7011): §3.1 message header, §3.3 set header, §3.4
 *     template records (§3.4.1 templates, §3.4.2 options templates, §3.2
 *     enterprise field specifiers), §7 variable-length encoding, §8
 *     template management (withdrawal §8.1).
 *
 * Hostile input: every length read off the wire (message, set, template
 * field count, field length, variable-length prefix) is compared against
 * the bytes that remain before it is used. The first lie stops the packet:
 * the exporter's "malformed" counter grows by one, records decoded before
 * the lie are kept, nothing after it is read. No wire length is ever used
 * as a copy length without that check.
 */
#ifndef NETMON_NETFLOW_DECODE_H
#define NETMON_NETFLOW_DECODE_H

#include <glib.h>
#include <netmon/msg.h>

G_BEGIN_DECLS

/** At most this many fields in one template (RFC 7011 allows up to 65535
 *  on paper; no message can carry more than ~16 000). A template with
 *  more is malformed. */
#define NF_MAX_FIELDS 1024

/** Per-exporter counters (monotonic, except pending_sets). */
typedef struct {
	guint64 packets;          /**< datagrams / messages handed in */
	guint64 records;          /**< flow records decoded */
	guint64 options_records;  /**< options data records decoded */
	guint64 templates;        /**< template records accepted (incl. refresh) */
	guint64 withdrawals;      /**< templates withdrawn (RFC 7011 §8.1) */
	guint64 template_misses;  /**< data sets dropped: no template in time */
	guint64 malformed;        /**< packets stopped at a lying length */
	guint64 seq_gaps;         /**< header sequence numbers not as expected */
	guint64 expired;          /**< templates removed by template_timeout */
	guint64 evicted;          /**< templates evicted (least recently used)
				       by max_templates_per_exporter or
				       max_templates */
	guint64 pending_sets;     /**< data sets held now, waiting for a template */
} nf_counters;

/** Records decoded from one packet. @recs grows as needed (g_renew);
 *  reuse one nf_output across packets with nf_output_reset(). */
typedef struct {
	nm_flow_record *recs;
	guint n, cap;
	guint32 domain;   /**< observation domain / source ID / v5 engine */
	guint8 version;   /**< 5, 9 or 10; 0 if the header was unreadable */
} nf_output;

/** Limits of an nf_cache. Zero members take the defaults shown. */
typedef struct {
	guint max_templates;        /**< all exporters together (4096) */
	guint max_templates_per_exporter; /**< one exporter's (256) */
	guint max_exporters;        /**< distinct exporter addresses (1024);
				         when full, the exporter seen least
				         recently is forgotten */
	guint max_pending_sets;     /**< held data sets per exporter (64) */
	gsize max_pending_bytes;    /**< held bytes per exporter (1 MiB) */
	gint64 pending_timeout;     /**< µs a data set waits for its template (30 s) */
	gint64 template_timeout;    /**< µs since a template was last refreshed
				         before it expires (30 min) */
} nf_cache_limits;

/** Cache-wide counters (monotonic). */
typedef struct {
	guint64 templates_evicted;  /**< by either template limit */
	guint64 exporters_evicted;  /**< forgotten to make room (max_exporters) */
} nf_cache_stats;

/** Template cache and per-exporter state (sequence numbers, sampling
 *  rates, held data sets, counters), keyed by (exporter address, version,
 *  observation domain, template ID). */
typedef struct nf_cache nf_cache;

/** Make an empty cache. @limits may be NULL for the defaults. Never fails;
 *  free with nf_cache_free(). */
nf_cache *nf_cache_new(const nf_cache_limits *limits);
/** Free @c and everything in it. NULL is ignored. */
void nf_cache_free(nf_cache *c);

/** Decode one NetFlow v5/v9 or IPFIX packet of @len bytes at @buf from
 *  @exporter (address family AF_INET or AF_INET6, network byte order).
 *  Appends the flow records to @out (after setting out->version and
 *  out->domain) — including records of data sets held earlier that the
 *  packet's templates now make decodable. @now: current time, µs since the
 *  epoch, used for holding and expiry.
 *  Byte and packet counts are multiplied by the sampling interval known for
 *  the exporter and domain (v5 header, v9/IPFIX options data with
 *  samplingInterval (34) or samplerRandomInterval (50), or those fields in
 *  the record itself); nm_flow_record.sampling_rate says which.
 *  Returns TRUE when the whole packet was well formed; FALSE when it was
 *  counted as malformed, in which case @out holds the records decoded
 *  before the fault. Templates are kept least-recently-used: a new one
 *  beyond max_templates_per_exporter or max_templates evicts the one
 *  unused (neither refreshed nor decoding data) for longest. */
gboolean nf_decode(nf_cache *c, const nm_ip *exporter, const guint8 *buf,
		   gsize len, gint64 now, nf_output *out);

/** Drop templates not refreshed within the template timeout and held data
 *  sets older than the pending timeout (counted as template misses).
 *  @now: µs since the epoch. Returns the number of templates removed. */
guint nf_cache_expire(nf_cache *c, gint64 now);

/** Counters of @exporter, or NULL if the cache has never seen it. The
 *  pointer is valid until the next call that changes the cache. */
const nf_counters *nf_cache_counters(const nf_cache *c, const nm_ip *exporter);

/** Call @fn for every exporter the cache knows, with its counters and the
 *  number of templates it has now. */
typedef void (*nf_exporter_fn)(const nm_ip *exporter, const nf_counters *ctr,
			       guint n_templates, gpointer user_data);
void nf_cache_foreach_exporter(const nf_cache *c, nf_exporter_fn fn,
			       gpointer user_data);

/** Cache-wide counters of @c; valid as long as @c. */
const nf_cache_stats *nf_cache_get_stats(const nf_cache *c);

/** Number of templates (all exporters) in the cache. */
guint nf_cache_n_templates(const nf_cache *c);

/** Serialise every template into a new byte array (caller frees with
 *  g_byte_array_unref()), for persisting to the state directory. The
 *  format is private to this file, versioned by a magic string. */
GByteArray *nf_cache_save(const nf_cache *c);
/** Add the templates of a buffer made by nf_cache_save(), treated as
 *  untrusted bytes (every length checked). Templates get @now as their
 *  refresh time. Returns the number loaded, or -1 if the buffer is not a
 *  valid template file (then nothing, or the part before the fault, is
 *  loaded). */
int nf_cache_load(nf_cache *c, const guint8 *buf, gsize len, gint64 now);

/** Empty @out (keeps its allocation). */
void nf_output_reset(nf_output *out);
/** Free @out's array (not @out itself). */
void nf_output_clear(nf_output *out);

/** Format @ip as text into @buf (at least 46 bytes); "-" if family 0.
 *  Returns @buf. */
char *nf_ip_to_string(const nm_ip *ip, char *buf, gsize size);

G_END_DECLS

#endif /* NETMON_NETFLOW_DECODE_H */
