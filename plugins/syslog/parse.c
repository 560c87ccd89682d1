/* netmon syslog plugin — message parser (RFC 5424, RFC 3164 and variants).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Every read is bounds-checked against the end pointer: the input is hostile
 * network data and is never assumed to be NUL-terminated. See parse.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "parse.h"

static const char *const severity_names[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

static const char *const facility_names[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7"
};

const char *nm_syslog_severity_name(int severity)
{
	return severity >= 0 && severity < 8 ? severity_names[severity] : "?";
}

const char *nm_syslog_facility_name(int facility)
{
	return facility >= 0 && facility < 24 ? facility_names[facility] : "?";
}

int nm_syslog_severity_from_name(const char *name)
{
	static const struct { const char *n; int v; } alias[] = {
		{ "emergency", 0 }, { "panic", 0 }, { "critical", 2 },
		{ "error", 3 }, { "warn", 4 }, { "informational", 6 },
	};

	if (name == NULL || *name == '\0')
		return -1;
	if (name[0] >= '0' && name[0] <= '7' && name[1] == '\0')
		return name[0] - '0';
	for (int i = 0; i < 8; i++)
		if (g_ascii_strcasecmp(name, severity_names[i]) == 0)
			return i;
	for (gsize i = 0; i < G_N_ELEMENTS(alias); i++)
		if (g_ascii_strcasecmp(name, alias[i].n) == 0)
			return alias[i].v;
	return -1;
}

/* ---- the arena ------------------------------------------------------- */

void nm_syslog_fields_init(nm_syslog_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->host = f->app_name = f->procid = f->msgid = "";
	f->structured_data = f->text = f->sequence = "";
}

void nm_syslog_fields_clear(nm_syslog_fields *f)
{
	g_free(f->arena);
	if (f->tz != NULL)
		g_time_zone_unref(f->tz);
	nm_syslog_fields_init(f);
}

/* Make room for @need bytes; done once per parse, before any pointer into
 * the arena is handed out, so the pointers stay valid. */
static void arena_reserve(nm_syslog_fields *f, gsize need)
{
	if (f->arena_size < need) {
		g_free(f->arena);
		f->arena_size = MAX(need, 256);
		f->arena = g_malloc(f->arena_size);
	}
	f->arena_len = 0;
}

/* Length of the run of ASCII bytes 0x01..0x7f at @s (at most @n): eight
 * bytes at a time, as nearly every message is plain ASCII. */
static gsize ascii_run(const char *s, gsize n)
{
	const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
	const guint64 highs = G_GUINT64_CONSTANT(0x8080808080808080);
	gsize i = 0;

	while (i + 8 <= n) {
		guint64 w;
		memcpy(&w, s + i, 8);
		/* a byte with the high bit set, or a zero byte */
		if (((w | ((w - ones) & ~w)) & highs) != 0)
			break;
		i += 8;
	}
	while (i < n && (guchar)s[i] - 1u < 0x7fu)
		i++;
	return i;
}

static char *escape_byte(char *d, guchar c)
{
	static const char hex[] = "0123456789abcdef";

	*d++ = '\\';
	*d++ = 'x';
	*d++ = hex[c >> 4];
	*d++ = hex[c & 15];
	return d;
}

/* Copy @s[0..n) into the arena, escaping invalid UTF-8 and NUL as \xNN
 * (so a byte costs at most 4); returns the NUL-terminated copy. ASCII runs
 * are copied as they are; each run of bytes >= 0x80 between them is
 * checked with g_utf8_validate_len() (an ASCII byte always starts a
 * character, so this finds the same invalid bytes as checking the whole). */
static const char *put(nm_syslog_fields *f, const char *s, gsize n)
{
	char *start = f->arena + f->arena_len;
	char *d = start;
	const char *end = s + n;

	while (s < end) {
		gsize k = ascii_run(s, (gsize)(end - s));

		memcpy(d, s, k);
		d += k;
		s += k;
		if (s == end)
			break;
		if (*s == '\0') {
			d = escape_byte(d, 0);
			s++;
			continue;
		}
		const char *q = s;
		while (q < end && (guchar)*q >= 0x80)
			q++;
		while (s < q) {
			const char *ok_end = NULL;
			if (g_utf8_validate_len(s, (gsize)(q - s), &ok_end)) {
				memcpy(d, s, (gsize)(q - s));
				d += q - s;
				s = q;
				break;
			}
			memcpy(d, s, (gsize)(ok_end - s));
			d += ok_end - s;
			d = escape_byte(d, (guchar)*ok_end);
			s = ok_end + 1;
		}
	}
	*d++ = '\0';
	f->arena_len += (gsize)(d - start);
	g_assert(f->arena_len <= f->arena_size);
	return start;
}

/* ---- small scanners --------------------------------------------------- */

static gboolean is_digit(char c) { return c >= '0' && c <= '9'; }

/* Read exactly @n digits at *p (within e) into *v. */
static gboolean digits(const char **p, const char *e, int n, int *v)
{
	int x = 0;

	if (e - *p < n)
		return FALSE;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return FALSE;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return TRUE;
}

static gboolean lit(const char **p, const char *e, char c)
{
	if (*p < e && **p == c) {
		(*p)++;
		return TRUE;
	}
	return FALSE;
}

static int days_in_month(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static gint64 days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	gint64 era = (y >= 0 ? y : y - 399) / 400;
	gint64 yoe = y - era * 400;
	gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static gint64 civil_seconds(int y, int mo, int d, int h, int mi, int s)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* The local time zone, looked up at most once a minute: GLib's
 * g_time_zone_new_local() stats and reads /etc/localtime on every call,
 * which cost more than the rest of parsing a message. */
static GTimeZone *local_tz(nm_syslog_fields *f)
{
	gint64 now = g_get_monotonic_time();

	if (f->tz == NULL || now >= f->tz_until) {
		if (f->tz != NULL)
			g_time_zone_unref(f->tz);
		f->tz = g_time_zone_new_local();
		f->tz_until = now + 60 * G_USEC_PER_SEC;
	}
	return f->tz;
}

/* Seconds since the epoch of a local wall-clock time in the local zone. */
static gint64 local_to_utc(nm_syslog_fields *f, gint64 wall)
{
	GTimeZone *tz = local_tz(f);
	gint64 t = wall;
	int iv = g_time_zone_adjust_time(tz, G_TIME_TYPE_STANDARD, &t);
	gint64 off = g_time_zone_get_offset(tz, iv);

	return t - off;
}

/* Year of @now_us in the local zone (computed once per minute of now). */
static int local_year(nm_syslog_fields *f, gint64 now_us)
{
	gint64 minute = now_us / (60 * G_USEC_PER_SEC);
	GDateTime *dt;

	if (f->year != 0 && minute == f->year_minute)
		return f->year;
	dt = g_date_time_new_from_unix_local(now_us / G_USEC_PER_SEC);
	f->year = 1970;
	if (dt != NULL) {
		f->year = g_date_time_get_year(dt);
		g_date_time_unref(dt);
	}
	f->year_minute = minute;
	return f->year;
}

/* Optional fraction ".d{1,9}" -> µs. */
static int fraction_us(const char **p, const char *e)
{
	int us = 0, n = 0;

	if (!(*p < e && **p == '.' && *p + 1 < e && is_digit((*p)[1])))
		return 0;
	(*p)++;
	while (*p < e && is_digit(**p)) {
		if (n < 6) {
			us = us * 10 + (**p - '0');
			n++;
		}
		(*p)++;
	}
	for (; n < 6; n++)
		us *= 10;
	return us;
}

/* RFC 3339 / RFC 5424 §6.2.3 timestamp: FULL-DATE "T" FULL-TIME, with a
 * fraction and "Z" or an offset. Also accepts a space for "T" when
 * @lenient. On success *p moves past it and *us is the UTC time. */
static gboolean parse_rfc3339(nm_syslog_fields *f, const char **p, const char *e, gboolean lenient,
			      gint64 *us)
{
	const char *q = *p;
	int y, mo, d, h, mi, s, frac, oh = 0, om = 0, sign = 0;

	if (!digits(&q, e, 4, &y) || !lit(&q, e, '-') || !digits(&q, e, 2, &mo) ||
	    !lit(&q, e, '-') || !digits(&q, e, 2, &d))
		return FALSE;
	if (!(lit(&q, e, 'T') || lit(&q, e, 't') || (lenient && lit(&q, e, ' '))))
		return FALSE;
	if (!digits(&q, e, 2, &h) || !lit(&q, e, ':') || !digits(&q, e, 2, &mi) ||
	    !lit(&q, e, ':') || !digits(&q, e, 2, &s))
		return FALSE;
	frac = fraction_us(&q, e);
	if (lit(&q, e, 'Z') || lit(&q, e, 'z')) {
		sign = 0;
	} else if (q < e && (*q == '+' || *q == '-')) {
		sign = *q == '+' ? 1 : -1;
		q++;
		if (!digits(&q, e, 2, &oh) || !lit(&q, e, ':') ||
		    !digits(&q, e, 2, &om) || oh > 23 || om > 59)
			return FALSE;
	} else if (!lenient) {
		return FALSE;
	} else {
		sign = 2; /* no zone: local time */
	}
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || s > 60)
		return FALSE;
	if (s == 60)
		s = 59; /* leap second */
	gint64 t = civil_seconds(y, mo, d, h, mi, s);
	if (sign == 2)
		t = local_to_utc(f, t);
	else
		t -= sign * (oh * 3600 + om * 60);
	*us = t * G_USEC_PER_SEC + frac;
	*p = q;
	return TRUE;
}

static int month_of(const char *p, const char *e)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (e - p < 3 || !g_ascii_isalpha(*p))
		return 0;
	for (int i = 0; i < 12; i++)
		if (g_ascii_strncasecmp(p, names + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

/* RFC 3164 §4.1.2 timestamp "Mmm dd hh:mm:ss" ("Mmm  d" padded), with the
 * variants seen on devices: a year after the day ("Mar  1 2023 00:00:00",
 * Cisco "service timestamps ... year"), milliseconds, and a zone name
 * (Cisco "UTC"). *zone_utc tells whether a UTC zone was named. Sets
 * fields of the wall-clock time; the caller picks the zone and year. */
typedef struct {
	int year, mon, day, h, mi, s, us;
	gboolean utc;
} ts3164;

static gboolean parse_bsd_ts(const char **p, const char *e, ts3164 *t)
{
	const char *q = *p;
	int v;

	memset(t, 0, sizeof(*t));
	/* Cisco NX-OS: "2026 Mar 15 10:00:00" */
	{
		const char *r = q;
		if (digits(&r, e, 4, &v) && lit(&r, e, ' ') && month_of(r, e)) {
			t->year = v;
			q = r;
		}
	}
	t->mon = month_of(q, e);
	if (t->mon == 0)
		return FALSE;
	q += 3;
	if (!lit(&q, e, ' '))
		return FALSE;
	lit(&q, e, ' ');
	/* day: 1 or 2 digits */
	if (!(q < e && is_digit(*q)))
		return FALSE;
	t->day = *q++ - '0';
	if (q < e && is_digit(*q))
		t->day = t->day * 10 + (*q++ - '0');
	if (!lit(&q, e, ' '))
		return FALSE;
	/* optional year */
	{
		const char *r = q;
		if (t->year == 0 && digits(&r, e, 4, &v) && lit(&r, e, ' ')) {
			t->year = v;
			q = r;
		}
	}
	if (!digits(&q, e, 2, &t->h) || !lit(&q, e, ':') ||
	    !digits(&q, e, 2, &t->mi) || !lit(&q, e, ':') ||
	    !digits(&q, e, 2, &t->s))
		return FALSE;
	t->us = fraction_us(&q, e);
	/* optional zone: " UTC", " GMT", " CET" (1..5 letters, upper case) */
	{
		const char *r = q;
		if (lit(&r, e, ' ')) {
			const char *z = r;
			while (r < e && r - z < 6 && g_ascii_isupper(*r))
				r++;
			if (r - z >= 1 && r - z <= 5 && (r == e || *r == ' ' || *r == ':')) {
				t->utc = (r - z == 3 && (strncmp(z, "UTC", 3) == 0 ||
							 strncmp(z, "GMT", 3) == 0)) ||
					 (r - z == 1 && *z == 'Z');
				q = r;
			}
		}
	}
	if (t->day < 1 || t->day > 31 || t->h > 23 || t->mi > 59 || t->s > 60)
		return FALSE;
	if (t->s == 60)
		t->s = 59;
	*p = q;
	return TRUE;
}

static gint64 bsd_ts_to_us(nm_syslog_fields *f, const ts3164 *t,
			   gint64 now_us)
{
	int y = t->year ? t->year : local_year(f, now_us);
	int d = MIN(t->day, days_in_month(y, t->mon));
	gint64 wall = civil_seconds(y, t->mon, d, t->h, t->mi, t->s);
	gint64 s = t->utc ? wall : local_to_utc(f, wall);

	/* No year: a time more than a day ahead belongs to last year
	 * ("Dec 31 23:59:59" received on January 1st). */
	if (t->year == 0 && s > now_us / G_USEC_PER_SEC + 86400) {
		y--;
		d = MIN(t->day, days_in_month(y, t->mon));
		wall = civil_seconds(y, t->mon, d, t->h, t->mi, t->s);
		s = t->utc ? wall : local_to_utc(f, wall);
	}
	return s * G_USEC_PER_SEC + t->us;
}

/* PRI "<N>", N in 0..191, one to three digits (RFC 5424 §6.2.1). */
static gboolean parse_pri(const char **p, const char *e, int *pri)
{
	const char *q = *p;
	int v = 0, n = 0;

	if (!lit(&q, e, '<'))
		return FALSE;
	while (q < e && is_digit(*q) && n < 4) {
		v = v * 10 + (*q - '0');
		q++;
		n++;
	}
	if (n < 1 || n > 3 || v > 191 || !lit(&q, e, '>'))
		return FALSE;
	*pri = v;
	*p = q;
	return TRUE;
}

/* A header field of RFC 5424: 1..max PRINTUSASCII, "-" meaning nil.
 * Followed by SP (consumed). */
static gboolean header_field(const char **p, const char *e, gsize max,
			     const char **s, gsize *n)
{
	const char *q = *p, *start = q;

	while (q < e && *q > 32 && *q < 127)
		q++;
	if (q == start || (gsize)(q - start) > max || !lit(&q, e, ' '))
		return FALSE;
	*s = start;
	*n = (gsize)(q - 1 - start);
	if (*n == 1 && *start == '-')
		*n = 0;
	*p = q;
	return TRUE;
}

/* SD-NAME: 1..32 PRINTUSASCII except '=', SP, ']', '"'. */
static gboolean sd_name(const char **p, const char *e)
{
	const char *q = *p;

	while (q < e && *q > 32 && *q < 127 && *q != '=' && *q != ']' && *q != '"')
		q++;
	if (q == *p || q - *p > 32)
		return FALSE;
	*p = q;
	return TRUE;
}

/* STRUCTURED-DATA (RFC 5424 §6.3): "-" or 1*SD-ELEMENT, where a PARAM-VALUE
 * may hold any UTF-8 with '"', '\' and ']' escaped by '\'. */
static gboolean parse_sd(const char **p, const char *e)
{
	const char *q = *p;

	if (lit(&q, e, '-')) {
		*p = q;
		return TRUE;
	}
	if (!(q < e && *q == '['))
		return FALSE;
	while (lit(&q, e, '[')) {
		if (!sd_name(&q, e))
			return FALSE;
		while (lit(&q, e, ' ')) {
			if (!sd_name(&q, e) || !lit(&q, e, '=') || !lit(&q, e, '"'))
				return FALSE;
			for (;;) {
				if (q >= e)
					return FALSE;
				if (*q == '\\' && q + 1 < e) {
					q += 2;
					continue;
				}
				if (*q == '"')
					break;
				q++;
			}
			q++;
		}
		if (!lit(&q, e, ']'))
			return FALSE;
	}
	*p = q;
	return TRUE;
}

static gsize arena_need(gsize len, gsize sender_len)
{
	/* every field is a distinct part of the input, except msgid (a copy
	 * of part of text) and host (possibly the sender): 4 bytes per input
	 * byte at most once escaped, plus terminators. */
	return 8 * len + 4 * sender_len + 64;
}

static void set_fallback(nm_syslog_fields *out, const char *buf, gsize len,
			 const char *sender, gint64 now_us, int pri,
			 const char *why)
{
	arena_reserve(out, arena_need(len, strlen(sender)));
	out->time = now_us;
	out->has_time = FALSE;
	out->version = 0;
	out->facility = pri >= 0 ? pri / 8 : 1;
	out->severity = pri >= 0 ? pri % 8 : 5;
	out->host = put(out, sender, strlen(sender));
	out->app_name = out->procid = out->msgid = "";
	out->structured_data = out->sequence = "";
	out->text = put(out, buf, len);
	out->error = why;
}

static gboolean parse_5424(const char *p, const char *e, const char *sender,
			   gint64 now_us, nm_syslog_fields *out)
{
	const char *host, *app, *proc, *mid, *sd0;
	gsize nhost, napp, nproc, nmid;
	gint64 t = now_us;

	if (p < e && *p == '-') {
		p++;
		out->has_time = FALSE;
	} else {
		if (!parse_rfc3339(out, &p, e, FALSE, &t)) {
			out->error = "RFC 5424: bad TIMESTAMP";
			return FALSE;
		}
		out->has_time = TRUE;
	}
	if (!lit(&p, e, ' ')) {
		out->error = "RFC 5424: no SP after TIMESTAMP";
		return FALSE;
	}
	if (!header_field(&p, e, 255, &host, &nhost) ||
	    !header_field(&p, e, 48, &app, &napp) ||
	    !header_field(&p, e, 128, &proc, &nproc) ||
	    !header_field(&p, e, 32, &mid, &nmid)) {
		out->error = "RFC 5424: bad HOSTNAME, APP-NAME, PROCID or MSGID";
		return FALSE;
	}
	sd0 = p;
	if (!parse_sd(&p, e)) {
		out->error = "RFC 5424: bad STRUCTURED-DATA";
		return FALSE;
	}
	const char *sd1 = p;
	if (p < e && !lit(&p, e, ' ')) {
		out->error = "RFC 5424: no SP after STRUCTURED-DATA";
		return FALSE;
	}
	/* MSG: a UTF-8 BOM marks it as UTF-8 (§6.4); drop the BOM. */
	if (e - p >= 3 && (guchar)p[0] == 0xEF && (guchar)p[1] == 0xBB &&
	    (guchar)p[2] == 0xBF)
		p += 3;
	out->version = 1;
	out->time = t;
	out->host = nhost ? put(out, host, nhost) : put(out, sender, strlen(sender));
	out->app_name = put(out, app, napp);
	out->procid = put(out, proc, nproc);
	out->msgid = put(out, mid, nmid);
	out->structured_data = (sd1 - sd0 == 1 && *sd0 == '-')
				       ? "" : put(out, sd0, (gsize)(sd1 - sd0));
	out->text = put(out, p, (gsize)(e - p));
	return TRUE;
}

/* Characters of an RFC 3164 HOSTNAME (names, IPv4 and IPv6 addresses). */
static gboolean host_char(char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' ||
	       c == '%';
}

/* Is [p, e) starting with a token that is a host name followed by SP? */
static const char *host_token(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && host_char(*q))
		q++;
	if (q == p || q - p > 255 || q >= e || *q != ' ' || q[-1] == ':')
		return NULL;
	return q;
}

/* Cisco sequence number "123: " or "000123: ". Returns past it or NULL. */
static const char *cisco_seq(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && is_digit(*q) && q - p < 12)
		q++;
	if (q == p || e - q < 2 || q[0] != ':' || q[1] != ' ')
		return NULL;
	return q + 2;
}

/* A timestamp at p, possibly prefixed '*' (clock not set) or '.' (clock
 * not in sync): BSD form or RFC 3339. */
static gboolean any_ts(nm_syslog_fields *f, const char **p, const char *e,
		       gint64 now_us, gint64 *us)
{
	const char *q = *p;
	ts3164 t;

	if (q < e && (*q == '*' || *q == '.'))
		q++;
	if (parse_bsd_ts(&q, e, &t)) {
		*us = bsd_ts_to_us(f, &t, now_us);
	} else if (!parse_rfc3339(f, &q, e, TRUE, us)) {
		return FALSE;
	}
	*p = q;
	return TRUE;
}

/* TAG[PID]: at p. TAG: 1..48 of [A-Za-z0-9_.-/()@]. */
static gboolean parse_tag(const char **p, const char *e, const char **tag,
			  gsize *ntag, const char **pid, gsize *npid)
{
	const char *q = *p;

	while (q < e && (g_ascii_isalnum(*q) || strchr("_.-/()@", *q) != NULL) &&
	       *q != '\0')
		q++;
	if (q == *p || q - *p > 48 || q >= e)
		return FALSE;
	*tag = *p;
	*ntag = (gsize)(q - *p);
	*pid = NULL;
	*npid = 0;
	if (*q == '[') {
		const char *r = q + 1;
		while (r < e && *r != ']' && *r > 32 && *r < 127 && r - q <= 128)
			r++;
		if (r >= e || *r != ']')
			return FALSE;
		*pid = q + 1;
		*npid = (gsize)(r - q - 1);
		q = r + 1;
	}
	if (!lit(&q, e, ':'))
		return FALSE;
	lit(&q, e, ' ');
	*p = q;
	return TRUE;
}

/* Cisco "%FAC-SEV-MNEMONIC:" (also "%ASA-6-302013:"). */
static gboolean cisco_mnemonic(const char *p, const char *e, const char **m,
			       gsize *nm)
{
	const char *q = p + 1;
	int dashes = 0;

	if (!(p < e && *p == '%'))
		return FALSE;
	while (q < e && (g_ascii_isalnum(*q) || *q == '_' || *q == '-')) {
		if (*q == '-')
			dashes++;
		q++;
	}
	if (dashes < 2 || q >= e || *q != ':' || q - p > 64)
		return FALSE;
	*m = p + 1;
	*nm = (gsize)(q - p - 1);
	return TRUE;
}

static void parse_3164(const char *p, const char *e, const char *sender,
		       gint64 now_us, nm_syslog_fields *out)
{
	const char *host = NULL, *seq = NULL, *q;
	gsize nhost = 0, nseq = 0;
	gint64 t = now_us;
	gboolean have_ts = FALSE, ts_colon = FALSE;

	/* Cisco IOS: "52: " sequence number, then maybe "router1: " */
	if ((q = cisco_seq(p, e)) != NULL) {
		seq = p;
		nseq = (gsize)(q - p - 2);
		p = q;
		const char *h = p;
		while (h < e && host_char(*h) && *h != ':')
			h++;
		if (h > p && e - h >= 2 && h[0] == ':' && h[1] == ' ') {
			const char *r = h + 2;
			gint64 dummy;
			if (any_ts(out, &r, e, now_us, &dummy)) {
				host = p;
				nhost = (gsize)(h - p);
				p = h + 2;
			}
		}
	}
	q = p;
	if (any_ts(out, &q, e, now_us, &t)) {
		have_ts = TRUE;
		p = q;
		if (lit(&p, e, ':'))
			ts_colon = TRUE; /* Cisco: "...09.635 UTC: %LINK..." */
		lit(&p, e, ' ');
	}
	if (have_ts && !ts_colon && host == NULL) {
		const char *h = host_token(p, e);
		if (h != NULL && memchr(p, '[', (gsize)(h - p)) == NULL) {
			host = p;
			nhost = (gsize)(h - p);
			p = h + 1;
			/* Cisco ASA: "asa1 : %ASA-..." */
			if (e - p >= 2 && p[0] == ':' && p[1] == ' ')
				p += 2;
			/* Cisco behind the host: "router1 52: *Mar  1 ...: " */
			if (seq == NULL && (q = cisco_seq(p, e)) != NULL) {
				const char *r = q;
				gint64 dummy;
				seq = p;
				nseq = (gsize)(q - p - 2);
				p = q;
				if (any_ts(out, &r, e, now_us, &dummy)) {
					p = r;
					lit(&p, e, ':');
					lit(&p, e, ' ');
				}
			}
		}
	}
	out->version = 0;
	out->time = t;
	out->has_time = have_ts;
	out->host = host ? put(out, host, nhost) : put(out, sender, strlen(sender));
	out->sequence = seq ? put(out, seq, nseq) : "";
	out->structured_data = "";

	const char *tag, *pid, *mn;
	gsize ntag, npid, nmn;
	q = p;
	if (cisco_mnemonic(p, e, &mn, &nmn)) {
		out->app_name = out->procid = "";
		out->msgid = put(out, mn, nmn);
	} else if (parse_tag(&q, e, &tag, &ntag, &pid, &npid)) {
		out->app_name = put(out, tag, ntag);
		out->procid = pid ? put(out, pid, npid) : "";
		out->msgid = "";
		p = q;
		/* Juniper: "mib2d[1380]: SNMP_TRAP_LINK_DOWN: ..." keeps the
		 * event name in the text. */
	} else {
		out->app_name = out->procid = out->msgid = "";
	}
	out->text = put(out, p, (gsize)(e - p));
}

gboolean nm_syslog_parse(const char *buf, gsize len, const char *sender,
			 gint64 now_us, nm_syslog_fields *out)
{
	const char *p = buf, *e = buf + len;
	int pri = -1;

	g_return_val_if_fail(sender != NULL && out != NULL, FALSE);
	if (buf == NULL)
		len = 0, p = e = "";
	/* trailing LF, CR, NUL: transport leftovers */
	while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\0'))
		e--;
	len = (gsize)(e - p);
	out->error = NULL;
	if (!parse_pri(&p, e, &pri)) {
		set_fallback(out, buf, len, sender, now_us, -1, "no valid PRI");
		return FALSE;
	}
	arena_reserve(out, arena_need(len, strlen(sender)));
	/* The arena was just reused: no field may keep a pointer into the
	 * previous message (RFC 5424 has no sequence number, for one). */
	out->host = out->app_name = out->procid = out->msgid = "";
	out->structured_data = out->text = out->sequence = "";
	out->facility = pri / 8;
	out->severity = pri % 8;
	if (e - p >= 2 && p[0] == '1' && p[1] == ' ') {
		if (!parse_5424(p + 2, e, sender, now_us, out)) {
			const char *why = out->error;
			set_fallback(out, buf, len, sender, now_us, pri, why);
			return FALSE;
		}
		return TRUE;
	}
	parse_3164(p, e, sender, now_us, out);
	return TRUE;
}
