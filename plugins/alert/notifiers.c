/* netmon — email and syslog notifiers of the alert plugin (notifiers.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <string.h>
#include <gio/gio.h>

#include "notifiers.h"

/* A header value: CR, LF and other controls become spaces. */
static char *header_value(const char *s)
{
	char *t = g_strdup(s);

	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return t;
}

static gboolean is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return FALSE;
	return TRUE;
}

/* RFC 2047 encoded word when needed. */
static char *subject_value(const char *s)
{
	char *clean = header_value(s), *b64, *r;

	if (is_ascii(clean))
		return clean;
	b64 = g_base64_encode((const guchar *)clean, strlen(clean));
	r = g_strdup_printf("=?UTF-8?B?%s?=", b64);
	g_free(b64);
	g_free(clean);
	return r;
}

char *al_email_message(const char *from, char *const *to,
		       const GPtrArray *notices, const char *group, gint64 now)
{
	GString *m = g_string_new(NULL);
	const al_notice *first = g_ptr_array_index(notices, 0);
	GDateTime *dt = g_date_time_new_from_unix_utc(now / G_USEC_PER_SEC);
	char *date = dt ? g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S +0000") : NULL;
	char *subj, *v;

	v = header_value(from);
	g_string_append_printf(m, "From: %s\n", v);
	g_free(v);
	g_string_append(m, "To: ");
	for (guint i = 0; to[i] != NULL; i++) {
		v = header_value(to[i]);
		g_string_append_printf(m, "%s%s", i > 0 ? ", " : "", v);
		g_free(v);
	}
	g_string_append_c(m, '\n');
	if (notices->len == 1)
		subj = g_strdup_printf("[netmon] %s %s/%s %s", al_kind_name(first->kind),
				       first->host, first->service,
				       nm_state_code_name(first->code));
	else
		subj = g_strdup_printf("[netmon] %u notifications: %s", notices->len,
				       group && *group ? group : first->host);
	v = subject_value(subj);
	g_string_append_printf(m, "Subject: %s\n", v);
	g_free(v);
	g_free(subj);
	if (date != NULL)
		g_string_append_printf(m, "Date: %s\n", date);
	g_string_append(m, "MIME-Version: 1.0\n"
			"Content-Type: text/plain; charset=UTF-8\n"
			"Content-Transfer-Encoding: 8bit\n"
			"Auto-Submitted: auto-generated\n\n");
	for (guint i = 0; i < notices->len; i++) {
		const al_notice *n = g_ptr_array_index(notices, i);
		GDateTime *t = g_date_time_new_from_unix_utc(n->time / G_USEC_PER_SEC);
		char *ts = t ? g_date_time_format_iso8601(t) : g_strdup("?");

		char *h = header_value(n->host), *sv = header_value(n->service);
		char *o = header_value(n->output);

		if (i > 0)
			g_string_append_c(m, '\n');
		g_string_append_printf(m, "%s: %s/%s is %s\n", al_kind_name(n->kind),
				       h, sv, nm_state_code_name(n->code));
		g_string_append_printf(m, "Output: %s\n", o);
		g_free(h);
		g_free(sv);
		g_free(o);
		if (*n->author || *n->comment)
			g_string_append_printf(m, "By: %s: %s\n", n->author, n->comment);
		g_string_append_printf(m, "Alert: %" G_GUINT64_FORMAT "\nTime: %s\n",
				       n->id, ts);
		g_free(ts);
		if (t)
			g_date_time_unref(t);
	}
	if (dt)
		g_date_time_unref(dt);
	g_free(date);
	return g_string_free(m, FALSE);
}

int al_syslog_facility(const char *name)
{
	static const char *const names[] = { "kern", "user", "mail", "daemon", "auth",
		"syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp",
		"security", "console", "solaris-cron", "local0", "local1", "local2",
		"local3", "local4", "local5", "local6", "local7" };

	for (int i = 0; name != NULL && i < (int)G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(name, names[i]) == 0)
			return i;
	return -1;
}

int al_syslog_severity(const GPtrArray *notices)
{
	int sev = 5;

	for (guint i = 0; i < notices->len; i++) {
		const al_notice *n = g_ptr_array_index(notices, i);
		int s = 5;

		if (n->kind == AL_RESOLVED || n->kind == AL_ACKNOWLEDGED)
			s = 5;
		else if (n->code == NM_STATE_CRITICAL)
			s = 2;
		else if (n->code == NM_STATE_UNKNOWN)
			s = 3;
		else if (n->code == NM_STATE_WARNING)
			s = 4;
		sev = MIN(sev, s);
	}
	return sev;
}

char *al_syslog_text(const GPtrArray *notices, const char *group)
{
	GString *s = g_string_new(NULL);

	if (notices->len > 1)
		g_string_append_printf(s, "%u notifications [%s]: ", notices->len,
				       group ? group : "");
	for (guint i = 0; i < notices->len; i++) {
		char *l = al_notice_line(g_ptr_array_index(notices, i));
		if (i > 0)
			g_string_append(s, "; ");
		g_string_append(s, l);
		g_free(l);
	}
	for (gsize i = 0; i < s->len; i++)
		if (s->str[i] == '\n' || s->str[i] == '\r')
			s->str[i] = ' ';
	return g_string_free(s, FALSE);
}

char *al_syslog_rfc5424(int facility, int severity, const char *hostname,
			const char *msg, gint64 now)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(now / G_USEC_PER_SEC);
	char *ts = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("-");
	char *host = g_strdup(hostname && *hostname ? hostname : "-");
	char *r;

	/* HOSTNAME is PRINTUSASCII without spaces (RFC 5424 §6.2.4) */
	for (char *p = host; *p; p++)
		if (*p <= 32 || *p >= 127)
			*p = '_';
	if (strlen(host) > 255)
		host[255] = '\0';
	r = g_strdup_printf("<%d>1 %s %s netmon - alert - %s", facility * 8 + severity,
			    ts, host, msg);
	if (dt)
		g_date_time_unref(dt);
	g_free(ts);
	g_free(host);
	return r;
}

gboolean al_syslog_send_udp(const char *server, guint16 port,
			    const char *datagram, GError **err)
{
	GResolver *res = g_resolver_get_default();
	GList *addrs = g_resolver_lookup_by_name(res, server, NULL, err);
	gboolean ok = FALSE;

	g_object_unref(res);
	if (addrs == NULL)
		return FALSE;
	{
		GInetAddress *ia = addrs->data;
		GSocket *s = g_socket_new(g_inet_address_get_family(ia), G_SOCKET_TYPE_DATAGRAM,
					  G_SOCKET_PROTOCOL_UDP, err);
		GSocketAddress *sa = g_inet_socket_address_new(ia, port);

		if (s != NULL) {
			gssize n = g_socket_send_to(s, sa, datagram, strlen(datagram), NULL, err);
			ok = n == (gssize)strlen(datagram);
			if (n >= 0 && !ok)
				g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
					    "short UDP send to %s", server);
			g_object_unref(s);
		}
		g_object_unref(sa);
	}
	g_resolver_free_addresses(addrs);
	return ok;
}
