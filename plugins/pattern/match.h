/* netmon — pattern rules: EVENT messages to STATE (pure logic, no bus).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * A rule matches an EVENT (a syslog message, RFC 5424/3164, or an SNMP
 * trap) by Perl-compatible regular expressions (GRegex, PCRE2) on its
 * text, APP-NAME and HOSTNAME, and by severity: "at least" X means the
 * RFC 5424 §6.2.1 numerical severity is <= X (0 emergency .. 7 debug). A
 * match sets the rule's service on the event's host to the rule's state
 * (WARNING or CRITICAL, Monitoring Plugins codes). The state returns to OK
 * when no further match came for `expire` seconds, or at once when an
 * event matches the rule's optional `clear` expression (e.g. "link up"
 * after "link down"). The service name is a template: {host}, {app},
 * {name} and {1}..{9} (the text expression's capture groups) expand.
 */
#ifndef NETMON_PATTERN_MATCH_H
#define NETMON_PATTERN_MATCH_H

#include <netmon/msg.h>

G_BEGIN_DECLS

/** One compiled rule. Free with nm_pattern_rule_free(). */
typedef struct {
	char *name;            /**< rule name */
	char *service;         /**< service template */
	GRegex *text, *app, *host; /**< NULL = any */
	GRegex *clear;         /**< on text: back to OK at once; NULL = none */
	int severity;          /**< match when event severity <= this (0..7) */
	nm_state_code code;    /**< state on a match: WARNING or CRITICAL */
	gint64 expire;         /**< µs without a match until OK; > 0 */
	guint max_attempts;    /**< passed on in STATE (default 1: hard at once) */
} nm_pattern_rule;

/** Error domain of nm_pattern_rule_new(); code 0. */
#define NM_PATTERN_ERROR (nm_pattern_error_quark())
GQuark nm_pattern_error_quark(void);

/** Parse a severity: a number 0..7 or an RFC 5424 name ("emerg",
 *  "emergency", "alert", "crit", "critical", "err", "error", "warning",
 *  "warn", "notice", "info", "informational", "debug"; any case).
 *  Returns -1 when @s is none of these. */
int nm_pattern_severity(const char *s);

/** Compile a rule. Expressions may be NULL or "" (any). @state is
 *  "WARNING" or "CRITICAL" (any case); @severity_at_least as for
 *  nm_pattern_severity() or NULL (= debug, every event); @expire_us > 0.
 *  Returns NULL with @err naming the field when an expression does not
 *  compile or a value is out of range. */
nm_pattern_rule *nm_pattern_rule_new(const char *name, const char *service,
				     const char *text, const char *app,
				     const char *host, const char *clear,
				     const char *severity_at_least,
				     const char *state, gint64 expire_us,
				     guint max_attempts, GError **err);
void nm_pattern_rule_free(nm_pattern_rule *r);

/** What an event means for a rule. */
typedef enum {
	NM_PATTERN_NONE = 0, /**< no match */
	NM_PATTERN_RAISE,    /**< the rule's state for @service */
	NM_PATTERN_CLEAR     /**< the clear expression matched: OK */
} nm_pattern_result;

/** Match @ev against @r. On RAISE or CLEAR, @service receives the expanded
 *  service name (new string, g_free()). A clear match is tried first, on
 *  the same host/app/severity conditions. Thread-safe (GRegex matching
 *  keeps no state in the rule). */
nm_pattern_result nm_pattern_match(const nm_pattern_rule *r, const nm_event *ev,
				   char **service);

/** The open (non-OK) states and their expiry: a table keyed by
 *  "host\x1fservice". Not thread-safe: the caller locks. */
typedef struct nm_pattern_table nm_pattern_table;

nm_pattern_table *nm_pattern_table_new(void);
void nm_pattern_table_free(nm_pattern_table *t);

/** Record a RAISE at @now (µs): the entry's expiry becomes now +
 *  r->expire. Returns TRUE when the entry was not open before. */
gboolean nm_pattern_table_raise(nm_pattern_table *t, const nm_pattern_rule *r,
				const char *host, const char *service,
				const char *text, gint64 now);

/** Remove the entry (a CLEAR); TRUE when it was open. */
gboolean nm_pattern_table_clear(nm_pattern_table *t, const char *host,
				const char *service);

/** Callback of nm_pattern_table_expire(): one entry gone back to OK. */
typedef void (*nm_pattern_expired_fn)(const char *host, const char *service,
				      gint64 opened, gpointer data);

/** Remove every entry whose expiry is <= @now, calling @fn for each.
 *  Returns how many expired. */
guint nm_pattern_table_expire(nm_pattern_table *t, gint64 now,
			      nm_pattern_expired_fn fn, gpointer data);

/** Number of open entries. */
guint nm_pattern_table_size(const nm_pattern_table *t);

/** Iterate the open entries (for stats): host, service, state code, the
 *  last matching text, expiry (µs). */
typedef void (*nm_pattern_each_fn)(const char *host, const char *service,
				   nm_state_code code, const char *text,
				   gint64 expires, gpointer data);
void nm_pattern_table_foreach(const nm_pattern_table *t, nm_pattern_each_fn fn,
			      gpointer data);

G_END_DECLS

#endif
