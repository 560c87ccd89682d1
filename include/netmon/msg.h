/* netmon — typed, immutable, reference-counted bus messages.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Every message starts with an nm_msg header; the type-specific structs
 * below embed it as their first member, so a `const nm_msg *` can be cast
 * to the concrete type with the nm_msg_as_*() accessors (which check the
 * type and return NULL on a mismatch).
 *
 * Lifetime: a constructor returns a message holding one reference, owned by
 * the caller. Publishing it (nm_bus_publish()) hands that reference to the
 * bus. A subscriber that wants to keep a delivered message past its delivery
 * callback takes its own reference with nm_msg_ref() and later drops it with
 * nm_msg_unref(). Once published a message must not be modified: all strings
 * and arrays are copied into the message's single allocation by the
 * constructors.
 *
 * Times are gint64 microseconds since the Unix epoch (GLib's convention,
 * g_get_real_time()); intervals are gint64 microseconds.
 */
#ifndef NETMON_MSG_H
#define NETMON_MSG_H

#include <glib.h>

G_BEGIN_DECLS

/** The six message types of the bus (DESIGN.md, "The message types"). */
typedef enum {
	NM_MSG_METRIC = 0,    /**< nm_metric: one sample of one series */
	NM_MSG_EVENT,         /**< nm_event: a syslog message or SNMP trap */
	NM_MSG_FLOW,          /**< nm_flow_batch: decoded NetFlow/IPFIX records */
	NM_MSG_CONFIG,        /**< nm_config_change: a device config changed */
	NM_MSG_STATE,         /**< nm_state: a check result */
	NM_MSG_NOTIFICATION,  /**< nm_notification: alert lifecycle */
	NM_MSG_N_TYPES
} nm_msg_type;

/** Bit for one message type in a subscription mask. */
#define NM_MSG_MASK(t) (1u << (t))
/** Mask selecting every message type. */
#define NM_MSG_MASK_ALL ((1u << NM_MSG_N_TYPES) - 1u)

/** Common header of every message. Treat as read-only. */
typedef struct nm_msg {
	nm_msg_type type;
	gint refcount;   /**< private: use nm_msg_ref()/nm_msg_unref() */
	gint64 time;     /**< when the observation was made, µs since epoch */
} nm_msg;

/** Lower-case name of a message type ("metric", "event", ...), or "?". */
const char *nm_msg_type_name(nm_msg_type type);
/** Parse a type name (case-insensitive) as printed by nm_msg_type_name().
 *  Returns the type, or -1 if @name is not one. */
int nm_msg_type_from_name(const char *name);

/** Take a reference. Thread-safe. Returns @msg. */
nm_msg *nm_msg_ref(nm_msg *msg);
/** Drop a reference; the message is freed when the last one goes. NULL is
 *  ignored. Thread-safe. */
void nm_msg_unref(nm_msg *msg);
/** Current reference count (for tests and diagnostics only). */
gint nm_msg_refcount(const nm_msg *msg);
/** Number of messages alive in this process (for tests: leak checks). */
gint64 nm_msg_live_count(void);

/* ------------------------------------------------------------------ */
/* METRIC                                                              */

/** Data-source kinds, as RRD and collectd's types.db define them. */
typedef enum {
	NM_DS_GAUGE = 0,  /**< a value as it is (temperature, RTT) */
	NM_DS_COUNTER,    /**< unsigned counter that only grows, wraps 32/64 bit */
	NM_DS_DERIVE,     /**< signed counter; rate may be negative */
	NM_DS_ABSOLUTE    /**< counter reset on every read */
} nm_ds_kind;

/** Name of a data-source kind ("GAUGE", ...). */
const char *nm_ds_kind_name(nm_ds_kind kind);

/** One value of a metric. Which member is valid follows @kind. */
typedef struct {
	nm_ds_kind kind;
	union {
		double gauge;
		guint64 counter;
		gint64 derive;
		guint64 absolute;
	} v;
} nm_value;

/** One sample of one series: identity
 *  host/plugin[-plugin_instance]/type[-type_instance] (collectd's scheme),
 *  the values in the order of the type's data sources in types.db. */
typedef struct {
	nm_msg base;                 /**< base.type == NM_MSG_METRIC */
	const char *host;            /**< never NULL */
	const char *plugin;          /**< never NULL */
	const char *plugin_instance; /**< "" when none */
	const char *type;            /**< never NULL, a types.db type */
	const char *type_instance;   /**< "" when none */
	gint64 interval;             /**< sampling interval, µs */
	guint n_values;
	const nm_value *values;      /**< n_values entries */
} nm_metric;

/** Make a METRIC message. Strings are copied (NULL instances become "");
 *  @values (n_values >= 1, at most 64) is copied. One allocation.
 *  @time: µs since epoch; @interval: µs.
 *  Returns a new message with one reference, or NULL if host, plugin or
 *  type is NULL/empty or n_values is 0 or over 64. */
nm_msg *nm_metric_new(const char *host, const char *plugin,
		      const char *plugin_instance, const char *type,
		      const char *type_instance, gint64 time, gint64 interval,
		      guint n_values, const nm_value *values);

/** Convenience: a METRIC with one GAUGE value. Same rules as nm_metric_new(). */
nm_msg *nm_metric_new_gauge(const char *host, const char *plugin,
			    const char *plugin_instance, const char *type,
			    const char *type_instance, gint64 time,
			    gint64 interval, double value);

/** Make @n METRICs of one GAUGE value each that share host, plugin,
 *  plugin instance, @time and @interval (a plugin's figures of one round):
 *  message i has type @types[i], type instance @type_instances[i] (the
 *  array or an entry may be NULL: "") and value @values[i]. Each is what
 *  nm_metric_new_gauge() would make (its own allocation and reference);
 *  the shared strings are measured once. @out gets @n entries, NULL where
 *  nm_metric_new_gauge() would return NULL. Returns how many were made. */
guint nm_metric_new_gauges(const char *host, const char *plugin,
			   const char *plugin_instance, gint64 time,
			   gint64 interval, guint n, const char *const *types,
			   const char *const *type_instances,
			   const double *values, nm_msg **out);

/** Write the identity "host/plugin[-pi]/type[-ti]" into a new string
 *  (caller frees with g_free()). */
char *nm_metric_identity(const nm_metric *m);

/* ------------------------------------------------------------------ */
/* EVENT                                                               */

/** A syslog message (RFC 5424 / RFC 3164) or an SNMP trap.
 *  facility: 0..23 (RFC 5424 §6.2.1), -1 when unknown;
 *  severity: 0 (emergency) .. 7 (debug). Strings are "" when absent,
 *  never NULL. */
typedef struct {
	nm_msg base;               /**< base.type == NM_MSG_EVENT */
	const char *source;        /**< sender's address, e.g. "192.0.2.1" */
	const char *host;          /**< HOSTNAME field, else the sender */
	int facility;
	int severity;
	const char *app_name;
	const char *procid;
	const char *msgid;
	const char *structured_data; /**< RFC 5424 SD as received, or "" */
	const char *text;          /**< MSG part, valid UTF-8 */
} nm_event;

/** Make an EVENT: every field of @fields is copied (NULL strings become "");
 *  fields->base is ignored, @time is used instead. Returns a new message
 *  with one reference. Never fails. */
nm_msg *nm_event_new(const nm_event *fields, gint64 time);

/* ------------------------------------------------------------------ */
/* FLOW                                                                */

/** An IPv4 or IPv6 address in network byte order. family is 0 when the
 *  record carries none, else AF_INET or AF_INET6. */
typedef struct {
	guint8 family;
	guint8 addr[16];  /**< IPv4 uses the first 4 bytes */
} nm_ip;

/** One decoded flow record (NetFlow v5/v9, IPFIX RFC 7011/7012 IEs). */
typedef struct {
	gint64 start, end;        /**< flowStart/flowEnd, µs since epoch */
	nm_ip src, dst, next_hop;
	guint16 src_port, dst_port;
	guint8 protocol, tos, tcp_flags;
	guint64 bytes, packets;   /**< after sampling scaling */
	guint32 in_if, out_if;    /**< ingress/egress ifIndex */
	guint32 src_as, dst_as;
	guint32 sampling_rate;    /**< 1 = unsampled; the factor applied */
} nm_flow_record;

/** A batch of flow records from one exporter and observation domain. */
typedef struct {
	nm_msg base;                  /**< base.type == NM_MSG_FLOW */
	const char *exporter;         /**< exporter's address or name */
	guint32 observation_domain;   /**< v9 source ID / IPFIX domain ID */
	guint n_records;
	const nm_flow_record *records;
} nm_flow_batch;

/** Make a FLOW batch; @records (n_records entries, may be 0) and
 *  @exporter are copied. Returns a new message with one reference. */
nm_msg *nm_flow_batch_new(const char *exporter, guint32 observation_domain,
			  gint64 time, guint n_records,
			  const nm_flow_record *records);

/* ------------------------------------------------------------------ */
/* CONFIG                                                              */

/** A device configuration that changed (sshconf). */
typedef struct {
	nm_msg base;               /**< base.type == NM_MSG_CONFIG */
	const char *device;
	const char *hash;          /**< hex content hash of the masked text */
	const char *previous_hash; /**< "" for the first fetch */
	const char *text;          /**< masked configuration */
	const char *diff;          /**< unified diff against the previous */
} nm_config_change;

/** Make a CONFIG message; strings copied (NULL becomes ""). */
nm_msg *nm_config_change_new(const char *device, gint64 time,
			     const char *hash, const char *previous_hash,
			     const char *text, const char *diff);

/* ------------------------------------------------------------------ */
/* STATE                                                               */

/** Check states, with the Monitoring Plugins' exit codes as values. */
typedef enum {
	NM_STATE_OK = 0,
	NM_STATE_WARNING = 1,
	NM_STATE_CRITICAL = 2,
	NM_STATE_UNKNOWN = 3
} nm_state_code;

/** SOFT while a problem is being re-checked, HARD once confirmed. */
typedef enum { NM_STATE_SOFT = 0, NM_STATE_HARD = 1 } nm_state_type;

/** "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *nm_state_code_name(nm_state_code code);

/** A check result. */
typedef struct {
	nm_msg base;          /**< base.type == NM_MSG_STATE */
	const char *host;
	const char *service;
	nm_state_code code;
	nm_state_type state_type;
	guint attempt;        /**< 1-based check attempt */
	guint max_attempts;   /**< attempts before HARD */
	const char *output;   /**< first line of output */
	const char *long_output; /**< remaining lines, or "" */
	const char *perfdata; /**< Monitoring Plugins perfdata, or "" */
} nm_state;

/** Make a STATE; every field of @fields copied (NULL strings become "");
 *  fields->base ignored, @time used. Returns a new message, one ref. */
nm_msg *nm_state_new(const nm_state *fields, gint64 time);

/* ------------------------------------------------------------------ */
/* NOTIFICATION                                                        */

typedef enum {
	NM_NOTIFY_OPENED = 0,
	NM_NOTIFY_RENOTIFIED,
	NM_NOTIFY_ACKNOWLEDGED,
	NM_NOTIFY_RESOLVED,
	NM_NOTIFY_FLAPPING_START, /**< the check started flapping (Nagios
				       percent state change >= high threshold) */
	NM_NOTIFY_FLAPPING_STOP   /**< it stopped (below the low threshold) */
} nm_notify_kind;

/** "opened", "renotified", "acknowledged", "resolved", "flapping_start",
 *  "flapping_stop". */
const char *nm_notify_kind_name(nm_notify_kind kind);

/** An alert opened, re-notified, acknowledged or resolved, or a check
 *  that started or stopped flapping. */
typedef struct {
	nm_msg base;          /**< base.type == NM_MSG_NOTIFICATION */
	nm_notify_kind kind;
	guint64 alert_id;
	const char *host;
	const char *service;
	nm_state_code code;
	const char *output;
	const char *author;   /**< who acknowledged, or "" */
	const char *comment;  /**< acknowledgement comment, or "" */
} nm_notification;

/** Make a NOTIFICATION; fields copied as for nm_state_new(). */
nm_msg *nm_notification_new(const nm_notification *fields, gint64 time);

/* ------------------------------------------------------------------ */
/* Checked casts: NULL if @msg is NULL or of another type.             */

const nm_metric *nm_msg_as_metric(const nm_msg *msg);
const nm_event *nm_msg_as_event(const nm_msg *msg);
const nm_flow_batch *nm_msg_as_flow(const nm_msg *msg);
const nm_config_change *nm_msg_as_config(const nm_msg *msg);
const nm_state *nm_msg_as_state(const nm_msg *msg);
const nm_notification *nm_msg_as_notification(const nm_msg *msg);

G_END_DECLS

#endif /* NETMON_MSG_H */
