/* netmon snmp plugin — the parts without I/O: configuration, collect sets,
 * varbind conversion, walk termination, counter continuity.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Everything here is pure (no sockets, no timers) so that the unit tests
 * (t/unit/test-snmp.c) exercise it directly. The I/O side is snmp.c.
 */
#ifndef NETMON_SNMP_LOGIC_H
#define NETMON_SNMP_LOGIC_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <netmon/plugin.h>

G_BEGIN_DECLS

/** Most data sources one metric of a collect set may carry. */
#define NM_SNMP_MAX_VALUES 4

/** An OID of a column or scalar. */
typedef struct {
	oid name[MAX_OID_LEN];
	size_t len;
} nm_snmp_oid;

/** One value of a metric definition: where it comes from. For a scalar
 *  metric @col is an index into nm_snmp_set.scalar_oids; for a table
 *  metric an index into nm_snmp_table.cols. @fallback is the column used
 *  for a row where @col has no value (ifInOctets for ifHCInOctets), or -1. */
typedef struct {
	int col;
	int fallback;
} nm_snmp_src;

/** A metric produced from a collect set: a types.db @type with
 *  @n_values data sources of @kind. */
typedef struct {
	char *type;
	char *type_instance;  /**< scalars: the type instance; tables: a
			           suffix appended as "<row>-<suffix>", or "" */
	nm_ds_kind kind;
	guint n_values;
	nm_snmp_src src[NM_SNMP_MAX_VALUES];
	double scale;         /**< every value is multiplied by it (1 = none) */
	double fallback_scale; /**< multiplier instead of @scale when a value
				    came from its fallback column (0: @scale) */
	int scale_col;        /**< tables: per-row multiplier column, or -1 */
} nm_snmp_metric_def;

/** A table of a collect set (RFC 3416 GETBULK walks, one per column). */
typedef struct {
	char *name;            /**< for errors and stats ("ifXTable") */
	GArray *cols;          /**< nm_snmp_oid: column OIDs without index */
	GArray *fallback_only; /**< gboolean per column: walked only if a
				    row lacks the primary value */
	int inst_col[2];       /**< instance from these columns in order,
				    -1 = unused; both -1: the index */
	char *inst_prefix;     /**< prepended to an index instance ("cpu") */
	GPtrArray *metrics;    /**< nm_snmp_metric_def* */
} nm_snmp_table;

/** A collect set ("system", "if", "host-resources" or one from
 *  snmp.sets). */
typedef struct {
	char *name;
	gboolean system;       /**< also fetch sysName.0 and sysDescr.0 */
	GArray *scalar_oids;   /**< nm_snmp_oid, full instance OIDs */
	GPtrArray *scalars;    /**< nm_snmp_metric_def*, src col into scalar_oids */
	GPtrArray *tables;     /**< nm_snmp_table* */
} nm_snmp_set;

/** Security settings of one target (RFC 3414 USM for version 3). The
 *  secrets are kept here only until the session is opened; they are
 *  never logged. */
typedef struct {
	long version;          /**< SNMP_VERSION_1, _2c or _3 */
	char *community;
	char *user;
	int level;             /**< SNMP_SEC_LEVEL_NOAUTH, _AUTHNOPRIV, _AUTHPRIV */
	const oid *auth_proto; /**< net-snmp's OID constant, or NULL */
	size_t auth_proto_len;
	char *auth_password;
	const oid *priv_proto;
	size_t priv_proto_len;
	char *priv_password;
	char *context;
} nm_snmp_security;

/** One polled device. */
typedef struct {
	char *name;            /**< host of its metrics */
	char *address;         /**< net-snmp peer spec, "udp:host:port",
				    "udp6:[::1]:161" */
	nm_snmp_security sec;
	gint64 timeout;        /**< per request, µs */
	int retries;
	gint64 interval;       /**< µs */
	int max_repetitions;   /**< GETBULK max-repetitions (RFC 3416 §4.2.3) */
	int max_rows;          /**< walk stops after this many rows a column */
	gint64 deadline;       /**< µs a poll may run before it is aborted,
				    0 = no deadline */
	GPtrArray *sets;       /**< nm_snmp_set*, borrowed from nm_snmp_config */
} nm_snmp_target_conf;

/** A USM user whose notifications the trap receiver accepts (RFC 3414,
 *  RFC 3416 §4.2.6/4.2.7). sec.level is the lowest level accepted. */
typedef struct {
	nm_snmp_security sec;  /**< version 3; user, level, protocols, keys */
	GPtrArray *engine_ids; /**< GBytes*: traps accepted from these sender
				    engines only; empty = any engine */
} nm_snmp_trap_user;

/** The plugin's whole configuration. */
typedef struct {
	GPtrArray *targets;    /**< nm_snmp_target_conf* (owned) */
	GPtrArray *sets;       /**< nm_snmp_set* (owned): built-in and user */
	int max_in_flight;
	gint64 resolve_interval; /**< µs between DNS lookups of target names */
	char *trap_listen;     /**< net-snmp transport spec, or NULL */
	char *trap_community;  /**< accepted community, or NULL for any */
	GPtrArray *trap_users; /**< nm_snmp_trap_user* (owned), v3 traps */
	int trap_max_engines;  /**< sender engine IDs learned at most */
	gboolean allow_legacy_crypto;
} nm_snmp_config;

/** The key table of the snmp group, for NM_PLUGIN_DEFINE(.config_keys). */
extern const nm_conf_key nm_snmp_keys[];

/** Parse a validated snmp group (see nm_snmp_keys) into a new
 *  configuration. @default_interval (µs) applies where the group says
 *  nothing. Cross-field errors (unknown collect set, a malformed OID,
 *  MD5/DES without allow_legacy_crypto, v3 without user) are reported as
 *  "FILE:LINE: snmp.targets.[i].SETTING: message" through nm_conf_error().
 *  Returns NULL with @err set on error. Free with nm_snmp_config_free(). */
nm_snmp_config *nm_snmp_config_parse(const config_setting_t *conf,
				     gint64 default_interval, GError **err);
/** Free a configuration (NULL is ignored). Secrets are zeroed first. */
void nm_snmp_config_free(nm_snmp_config *c);

/** A built-in collect set by name ("system", "if", "host-resources"), new,
 *  or NULL if there is none of that name. Free with nm_snmp_set_free(). */
nm_snmp_set *nm_snmp_builtin_set(const char *name);
/** Free a set. */
void nm_snmp_set_free(nm_snmp_set *s);

/** Normalise an address setting to a net-snmp peer spec: "host" and
 *  "host:port" become "udp:host:port" (port 161 by default), "[v6]" and
 *  "[v6]:port" become "udp6:[v6]:port", a spec with a transport prefix
 *  ("udp:", "udp6:", "tcp:") is kept. Returns a new string or NULL if
 *  @address is empty or malformed. */
char *nm_snmp_peer_spec(const char *address);

/** The parts of a net-snmp peer spec made by nm_snmp_peer_spec():
 *  "udp:host:port" -> tcp FALSE, v6 FALSE, host "host", port "port";
 *  "udp6:[addr]:port" -> v6 TRUE, host "addr"; a missing port is "161".
 *  @host and @port are new strings. Returns FALSE if @spec has no
 *  transport prefix or no host. */
gboolean nm_snmp_peer_split(const char *spec, gboolean *tcp, gboolean *v6,
			    char **host, char **port);

/** The numeric peer spec of @ip (an address literal, IPv4 or IPv6) with
 *  @port, over UDP or TCP: "udp:192.0.2.1:161", "udp6:[2001:db8::1]:161".
 *  New string. For target addresses given as DNS names, once resolved. */
char *nm_snmp_peer_numeric(gboolean tcp, const char *ip, const char *port);

/** Parse a numeric OID ("1.3.6.1.2.1.1.3.0", leading dot allowed) or,
 *  if MIBs were loaded, a symbolic one (the plugin loads none). Returns
 *  FALSE if unparsable. */
gboolean nm_snmp_parse_oid(const char *text, nm_snmp_oid *out);

/** Parse an SnmpEngineID (RFC 3411 §5: 5 to 32 octets) written in hex,
 *  with an optional "0x" prefix and optional ':' between octets
 *  ("0x80001f8880..."). Returns new bytes or NULL if malformed. */
GBytes *nm_snmp_engine_id_parse(const char *text);

/** What nm_snmp_v3_peek() found in an SNMPv3 message header. */
typedef struct {
	const guint8 *engine_id; /**< msgAuthoritativeEngineID, in the buffer */
	gsize engine_id_len;
	const guint8 *user;      /**< msgUserName (not NUL-terminated) */
	gsize user_len;
} nm_snmp_v3_header;

/** Read the USM security parameters of an SNMPv3 message (RFC 3412 §6,
 *  RFC 3414 §2.4) from @buf (@len octets, a whole datagram) without
 *  decrypting or authenticating anything: for learning the engine ID of
 *  a trap sender before net-snmp processes the message. Pointers in @out
 *  point into @buf. Returns FALSE if it is not a well-formed v3 message
 *  with the USM model's parameters (then @out is undefined). */
gboolean nm_snmp_v3_peek(const guint8 *buf, gsize len, nm_snmp_v3_header *out);

/** A numeric reading of a varbind. */
typedef struct {
	double d;        /**< the value as a double */
	guint64 u;       /**< counters and unsigned types: exact value */
	gint64 i;        /**< INTEGER: exact value */
	guint bits;      /**< 32 for Counter32, 64 for Counter64, else 0 */
} nm_snmp_number;

/** Read a numeric varbind: INTEGER, Counter32, Gauge32 (Unsigned32),
 *  TimeTicks, Counter64, Opaque float/double, or an OCTET STRING holding a
 *  decimal number (some agents' hrStorage, UCD laLoad). Returns FALSE for
 *  exceptions (noSuchObject, noSuchInstance, endOfMibView, RFC 3416 §4.2)
 *  and non-numeric types. */
gboolean nm_snmp_vb_number(const netsnmp_variable_list *vb, nm_snmp_number *out);

/** Text of an OCTET STRING varbind as a new NUL-terminated string (bytes
 *  copied as they are; NUL bytes end it), or NULL for other types. */
char *nm_snmp_vb_string(const netsnmp_variable_list *vb);

/** Make a metric instance name from agent text (ifName, ifDescr): ASCII
 *  letters, digits and ".:_" kept, '/', ' ' and other bytes become '_',
 *  '-' is kept; runs of '_' collapse, leading/trailing '_' dropped, at most
 *  63 bytes. Returns a new string, or NULL if nothing remains. */
char *nm_snmp_sanitize_instance(const char *text);

/** The index part of @name below a column OID of @root_len sub-ids, as
 *  "1" or "1.2.3" (new string); NULL if @name is not below the column. */
char *nm_snmp_index_string(const oid *name, size_t name_len, size_t root_len);

/** Bytes that always hold nm_snmp_index_format()'s text of an OID of at
 *  most MAX_OID_LEN sub-ids (10 digits and a dot each, and the NUL). */
#define NM_SNMP_INDEX_MAX (MAX_OID_LEN * 11 + 1)

/** nm_snmp_index_string() into @buf of @size bytes (no allocation; use
 *  NM_SNMP_INDEX_MAX). Returns the text's length, or 0 (buf "") if @name
 *  is not below the column or the text does not fit. */
size_t nm_snmp_index_format(char *buf, size_t size, const oid *name,
			    size_t name_len, size_t root_len);

/** nm_snmp_sanitize_instance() into @buf of at least 64 bytes (no
 *  allocation). Returns the length; 0 (buf "") if nothing remains. */
size_t nm_snmp_sanitize_instance_into(char *buf, const char *text);

/** Append "OID = value" of @vb (numeric OID; the value as net-snmp's
 *  snprint_value() prints it, "(value too long)" past 1 kB) to the event
 *  text @s, after "; " if @s is not empty. For trap/inform EVENTs. */
void nm_snmp_vb_append_text(GString *s, const netsnmp_variable_list *vb);

/** What a walk does with one received varbind. */
typedef enum {
	NM_SNMP_WALK_ROW = 0,  /**< a row of the column: keep it, go on */
	NM_SNMP_WALK_END,      /**< left the column or endOfMibView: done */
	NM_SNMP_WALK_LOOP      /**< OID not greater than the previous one: the
				    agent is broken; stop (no endless loop) */
} nm_snmp_walk_step;

/** Classify @vb received in a walk of column @root (RFC 3416 §4.2.2/4.2.3
 *  lexicographic order). @prev (@prev_len sub-ids) is the last OID asked
 *  for (the column itself at the start). */
nm_snmp_walk_step nm_snmp_walk_classify(const nm_snmp_oid *root,
					const oid *prev, size_t prev_len,
					const netsnmp_variable_list *vb);

/** Did the agent restart between two sysUpTime readings (TimeTicks,
 *  1/100 s)? @elapsed is the wall time between the readings, µs. TRUE when
 *  @now is below @prev, unless that is the 2^32 TimeTicks wrap (about 497
 *  days) that @elapsed explains. */
gboolean nm_snmp_uptime_restarted(guint32 prev, guint32 now, gint64 elapsed);

/** Continuity state of one counter series. */
typedef struct {
	guint64 last_raw;   /**< the agent's last value */
	guint64 acc;        /**< what was published last */
	gboolean have;      /**< a previous reading exists */
} nm_snmp_counter;

/** Fold a new raw counter reading @raw (@bits 32 or 64) into @c and
 *  return the value to publish. Published values count from 0 at the
 *  first reading and only grow, so outputs never see a drop:
 *  - normal: + (raw - last_raw);
 *  - Counter32 below the last value: a 32-bit wrap, + 2^32 - last + raw;
 *  - Counter64 below the last value: a wrap if the last value was in the
 *    top half of the range, else a reset (+ raw);
 *  - @restarted (sysUpTime went back): a reset, + raw.
 *  So an agent restart never produces a spike (and never a gap either). */
guint64 nm_snmp_counter_update(nm_snmp_counter *c, guint64 raw, guint bits,
			       gboolean restarted);

G_END_DECLS

#endif /* NETMON_SNMP_LOGIC_H */
