/* netmon — email and syslog notifiers of the alert plugin.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * email: an RFC 5322 message (UTF-8 text/plain, RFC 2045 MIME headers,
 * RFC 2047 encoded-word Subject when it is not ASCII) piped into a
 * sendmail-compatible program run as `SENDMAIL -oi -t` (the recipients
 * are in To:), so any MTA (Postfix, Exim, msmtp, nullmailer) delivers it.
 * syslog: one RFC 5424 message per notification, sent over UDP (RFC 5426)
 * to a server, or handed to the local syslog(3) when no server is set.
 * Both take a batch: a single notice, or a group (group.h) that goes out
 * as one message listing every notice.
 */
#ifndef NETMON_ALERT_NOTIFIERS_H
#define NETMON_ALERT_NOTIFIERS_H

#include "notice.h"

G_BEGIN_DECLS

/** The RFC 5322 message for @notices (al_notice*, at least one) of group
 *  @group ("" when not grouped): From @from, To @to (NULL-terminated,
 *  at least one), Date from @now (µs since the epoch). Header values have
 *  CR/LF replaced so a host name cannot inject headers. New string. */
char *al_email_message(const char *from, char *const *to,
		       const GPtrArray *notices, const char *group, gint64 now);

/** Syslog facility code (RFC 5424 §6.2.1 table 1) of a name: "kern",
 *  "user", "mail", "daemon", "auth", "syslog", ..., "local0".."local7";
 *  -1 when unknown. */
int al_syslog_facility(const char *name);

/** RFC 5424 severity for a batch: the worst state (CRITICAL → 2 crit,
 *  UNKNOWN → 3 err, WARNING → 4 warning, else 5 notice). */
int al_syslog_severity(const GPtrArray *notices);

/** The MSG part for @notices: one notice's line, or "N notifications
 *  [group]: line; line; ..." (new string, one line). */
char *al_syslog_text(const GPtrArray *notices, const char *group);

/** A full RFC 5424 message "<PRI>1 TIMESTAMP HOSTNAME netmon - alert - MSG"
 *  (new string). */
char *al_syslog_rfc5424(int facility, int severity, const char *hostname,
			const char *msg, gint64 now);

/** Send @datagram to @server (host name or address) @port over UDP.
 *  FALSE with @err on a resolution or socket error. */
gboolean al_syslog_send_udp(const char *server, guint16 port,
			    const char *datagram, GError **err);

G_END_DECLS

#endif
