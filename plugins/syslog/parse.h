/* netmon syslog plugin — message parser (RFC 5424, RFC 3164 and variants).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Pure C, no I/O and no global state (the local time zone is cached per
 * nm_syslog_fields and looked up again once a minute), so it can be
 * unit-tested and fuzzed on its own.
 */
#ifndef NM_SYSLOG_PARSE_H
#define NM_SYSLOG_PARSE_H

#include <glib.h>

G_BEGIN_DECLS

/** The fields of one parsed syslog message. Every string points into the
 *  struct's own arena: it is valid UTF-8 (invalid bytes and NUL escaped as
 *  "\xNN"), NUL-terminated, "" when absent (never NULL), and valid until
 *  the next nm_syslog_parse() or nm_syslog_fields_clear() on the struct. */
typedef struct {
	gint64 time;       /**< message time, µs since the epoch (UTC); the
			        receive time when the message carries none */
	int facility;      /**< 0..23 (RFC 5424 §6.2.1) */
	int severity;      /**< 0 emergency .. 7 debug */
	int version;       /**< 1: RFC 5424; 0: RFC 3164 or unparsed */
	gboolean has_time; /**< TRUE when the time came from the message */
	const char *host;  /**< HOSTNAME, else the sender */
	const char *app_name;  /**< APP-NAME / RFC 3164 TAG */
	const char *procid;    /**< PROCID / the [pid] of a TAG */
	const char *msgid;     /**< MSGID / a Cisco %FAC-SEV-MNEMONIC */
	const char *structured_data; /**< RFC 5424 SD as received */
	const char *text;      /**< MSG (BOM removed); the whole input when
				    parsing failed */
	const char *sequence;  /**< Cisco IOS sequence number, or "" */
	const char *error;     /**< static text: why parsing failed, or NULL */
	/*< private >*/
	char *arena;
	gsize arena_size, arena_len;
	GTimeZone *tz;       /* local zone, looked up again after tz_until */
	gint64 tz_until;     /* monotonic µs */
	int year;            /* local year of minute year_minute of now_us */
	gint64 year_minute;
} nm_syslog_fields;

/** Prepare @f for use (all fields empty). */
void nm_syslog_fields_init(nm_syslog_fields *f);

/** Free the memory held by @f (the struct itself is the caller's). */
void nm_syslog_fields_clear(nm_syslog_fields *f);

/** Parse one syslog message.
 *
 *  @buf, @len: the message as framed by the transport (one UDP datagram or
 *  one RFC 6587 frame, §3.4.1 octet counting or §3.4.2 non-transparent);
 *  it may hold any bytes, including NUL, and need not be NUL-terminated.
 *  Trailing LF, CR and NUL bytes are ignored.
 *  @sender: the peer's address as text, used as host when the message
 *  names none (must not be NULL).
 *  @now_us: the receive time (µs since the epoch); used when the message
 *  has no time, and to guess the year of an RFC 3164 timestamp (the year
 *  that puts it nearest before now, within a day of tolerance).
 *  @out: initialised with nm_syslog_fields_init(); filled in.
 *
 *  Formats: RFC 5424 §6 (VERSION 1, NILVALUE "-", TIMESTAMP with fraction
 *  and offset, STRUCTURED-DATA with \" \\ \] escapes, UTF-8 BOM in MSG);
 *  RFC 3164 §4.1 ("Mmm dd hh:mm:ss HOSTNAME TAG[pid]: text", in the local
 *  time zone) and real-world variants: a Cisco IOS sequence number and
 *  origin host name ("52: router1: "), timestamps prefixed '*' or '.',
 *  with milliseconds, a year or a zone ("UTC"), followed by ':'; a missing
 *  HOSTNAME; RFC 3339 timestamps; Juniper and Linux forms. A message
 *  without a valid timestamp is all CONTENT, as RFC 3164 §4.3.2 says.
 *
 *  Returns TRUE when the message was understood. On FALSE (no valid PRI,
 *  or an RFC 5424 header that breaks the grammar) @out is still complete
 *  and usable: text holds the whole input, host the sender, time @now_us,
 *  facility/severity those of the PRI or user.notice (RFC 3164 §4.3.3),
 *  and error says what was wrong. Never fails otherwise. */
gboolean nm_syslog_parse(const char *buf, gsize len, const char *sender,
			 gint64 now_us, nm_syslog_fields *out);

/** Name of a severity: "emerg", "alert", "crit", "err", "warning",
 *  "notice", "info", "debug"; "?" out of range. */
const char *nm_syslog_severity_name(int severity);

/** Parse a severity name (as above, also "emergency", "critical", "error",
 *  "warn", "informational") or a number 0..7. Returns -1 if not one. */
int nm_syslog_severity_from_name(const char *name);

/** Name of a facility ("kern", "user", ..., "local7"); "?" out of range. */
const char *nm_syslog_facility_name(int facility);

G_END_DECLS

#endif /* NM_SYSLOG_PARSE_H */
