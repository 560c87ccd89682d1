/* netmon syslog plugin — TCP framing of RFC 6587 (see framing.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "framing.h"

#define MAX_DIGITS 9 /* 999,999,999 octets; RFC 6587 sets no limit */

void nm_syslog_framer_init(nm_syslog_framer *f, gsize max_msg)
{
	memset(f, 0, sizeof(*f));
	f->max_msg = max_msg > 0 ? max_msg : 1;
}

gsize nm_syslog_framer_room(const nm_syslog_framer *f)
{
	return f->max_msg + NM_SYSLOG_FRAME_PREFIX;
}

/* One octet-counted frame at @p. Returns the new position, @p when more
 * bytes are needed, NULL on a framing error. */
static const char *octet_frame(nm_syslog_framer *f, const char *p,
			       const char *e, gboolean eof,
			       nm_syslog_frame_fn fn, gpointer data)
{
	const char *q = p;
	gsize msglen = 0;

	while (q < e && g_ascii_isdigit(*q) && q - p < MAX_DIGITS + 1) {
		msglen = msglen * 10 + (gsize)(*q - '0');
		q++;
	}
	if (q == e && q - p <= MAX_DIGITS && !eof)
		return p; /* the count is not complete yet */
	if (q == p || q - p > MAX_DIGITS || q == e || *q != ' ' || *p == '0')
		return NULL;
	const char *body = q + 1;
	gsize take = MIN(msglen, f->max_msg);
	if ((gsize)(e - body) < take) {
		if (!eof)
			return p;
		fn(body, (gsize)(e - body), TRUE, data);
		return e;
	}
	fn(body, take, take < msglen, data);
	f->skip = msglen - take;
	return body + take;
}

gsize nm_syslog_framer_feed(nm_syslog_framer *f, const char *buf, gsize len,
			    gboolean eof, nm_syslog_frame_fn fn, gpointer data,
			    gboolean *bad)
{
	const char *p = buf, *e = buf + len;

	*bad = FALSE;
	while (p < e) {
		if (f->skip > 0) {
			gsize k = MIN(f->skip, (gsize)(e - p));
			p += k;
			f->skip -= k;
			continue;
		}
		if (f->lf_discard) {
			const char *nl = memchr(p, '\n', (gsize)(e - p));
			if (nl == NULL)
				return len;
			p = nl + 1;
			f->lf_discard = FALSE;
			continue;
		}
		if (f->mode == NM_SYSLOG_FRAMING_UNKNOWN)
			f->mode = g_ascii_isdigit(*p) ? NM_SYSLOG_FRAMING_OCTET
						      : NM_SYSLOG_FRAMING_LF;
		if (f->mode == NM_SYSLOG_FRAMING_OCTET) {
			if (*p == '\n' || *p == '\r') { /* tolerated between frames */
				p++;
				continue;
			}
			const char *q = octet_frame(f, p, e, eof, fn, data);
			if (q == NULL) {
				/* keep the bytes as an (unparseable) event */
				gsize k = MIN((gsize)(e - p), f->max_msg);
				fn(p, k, (gsize)(e - p) > k, data);
				*bad = TRUE;
				return len;
			}
			if (q == p)
				break;
			p = q;
			continue;
		}
		/* LF framing */
		const char *nl = memchr(p, '\n', (gsize)(e - p));
		if (nl != NULL) {
			gsize k = (gsize)(nl - p);
			if (k > f->max_msg)
				fn(p, f->max_msg, TRUE, data);
			else if (k > 0)
				fn(p, k, FALSE, data);
			p = nl + 1;
		} else if ((gsize)(e - p) > f->max_msg) {
			fn(p, f->max_msg, TRUE, data);
			p += f->max_msg;
			f->lf_discard = TRUE;
		} else if (eof) {
			fn(p, (gsize)(e - p), FALSE, data);
			p = e;
		} else {
			break;
		}
	}
	return (gsize)(p - buf);
}
