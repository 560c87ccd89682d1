/* Unit tests of the syslog parser: one test per corpus entry
 * (t/data/syslog/corpus.txt), hostile-input and helper tests; the RFC 6587
 * framer (framing.c); and the inputs of peers' CVEs replayed (rsyslog
 * CVE-2022-24903 and CVE-2018-16881 octet counts, syslog-ng CVE-2022-38725
 * truncated timestamps, bad PRIs, a 100 kB TAG).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "framing.h"
#include "parse.h"

/* 2026-03-15T12:00:00Z */
#define NOW_US (G_GINT64_CONSTANT(1773576000) * G_USEC_PER_SEC)

typedef struct {
	char *name;
	GByteArray *input;
	char *sender;
	GHashTable *expect;   /* key -> expected value */
} entry;

static void entry_free(gpointer data)
{
	entry *e = data;

	g_free(e->name);
	if (e->input)
		g_byte_array_unref(e->input);
	g_free(e->sender);
	g_hash_table_destroy(e->expect);
	g_free(e);
}

/* \xNN \n \r \t \\ unescaping of an input line. */
static GByteArray *unescape(const char *s)
{
	GByteArray *b = g_byte_array_new();

	while (*s) {
		guint8 c = (guint8)*s++;
		if (c == '\\' && *s) {
			char k = *s++;
			if (k == 'x' && g_ascii_isxdigit(s[0]) && g_ascii_isxdigit(s[1])) {
				c = (guint8)(g_ascii_xdigit_value(s[0]) * 16 +
					     g_ascii_xdigit_value(s[1]));
				s += 2;
			} else if (k == 'n') {
				c = '\n';
			} else if (k == 'r') {
				c = '\r';
			} else if (k == 't') {
				c = '\t';
			} else {
				c = (guint8)k;
			}
		}
		g_byte_array_append(b, &c, 1);
	}
	return b;
}

static GPtrArray *load_corpus(const char *path)
{
	char *text = NULL;
	GError *err = NULL;
	GPtrArray *entries = g_ptr_array_new_with_free_func(entry_free);
	entry *cur = NULL;
	char **lines;

	if (!g_file_get_contents(path, &text, NULL, &err))
		g_error("cannot read corpus %s: %s", path, err->message);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		char *line = *l, *colon;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		colon = strchr(line, ':');
		if (colon == NULL)
			g_error("%s: bad line '%s'", path, line);
		*colon = '\0';
		const char *value = colon[1] == ' ' ? colon + 2 : colon + 1;
		if (strcmp(line, "name") == 0) {
			cur = g_new0(entry, 1);
			cur->name = g_strdup(value);
			cur->sender = g_strdup("192.0.2.1");
			cur->expect = g_hash_table_new_full(g_str_hash, g_str_equal,
							    g_free, g_free);
			g_ptr_array_add(entries, cur);
		} else if (cur == NULL) {
			g_error("%s: '%s' before any name:", path, line);
		} else if (strcmp(line, "input") == 0) {
			cur->input = unescape(value);
		} else if (strcmp(line, "sender") == 0) {
			g_free(cur->sender);
			cur->sender = g_strdup(value);
		} else {
			g_hash_table_insert(cur->expect, g_strdup(line),
					    g_strdup(value));
		}
	}
	g_strfreev(lines);
	g_free(text);
	return entries;
}

static gint64 expected_time(const char *v)
{
	GDateTime *dt;
	gint64 us;

	if (strcmp(v, "now") == 0)
		return NOW_US;
	dt = g_date_time_new_from_iso8601(v, NULL);
	g_assert_nonnull(dt);
	us = g_date_time_to_unix(dt) * G_USEC_PER_SEC +
	     g_date_time_get_microsecond(dt);
	g_date_time_unref(dt);
	return us;
}

static void test_entry(gconstpointer data)
{
	const entry *e = data;
	nm_syslog_fields f;
	GHashTableIter it;
	gpointer k, v;
	gboolean ok;

	g_assert_nonnull(e->input);
	nm_syslog_fields_init(&f);
	ok = nm_syslog_parse((const char *)e->input->data, e->input->len,
			     e->sender, NOW_US, &f);
	g_hash_table_iter_init(&it, e->expect);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *key = k, *want = v;
		const char *got = NULL;

		if (strcmp(key, "ok") == 0) {
			g_assert_cmpint(ok, ==, atoi(want));
		} else if (strcmp(key, "version") == 0) {
			g_assert_cmpint(f.version, ==, atoi(want));
		} else if (strcmp(key, "facility") == 0) {
			g_assert_cmpint(f.facility, ==, atoi(want));
		} else if (strcmp(key, "severity") == 0) {
			g_assert_cmpint(f.severity, ==, atoi(want));
		} else if (strcmp(key, "time") == 0) {
			g_assert_cmpint(f.time, ==, expected_time(want));
		} else {
			if (strcmp(key, "host") == 0) got = f.host;
			else if (strcmp(key, "app_name") == 0) got = f.app_name;
			else if (strcmp(key, "procid") == 0) got = f.procid;
			else if (strcmp(key, "msgid") == 0) got = f.msgid;
			else if (strcmp(key, "sd") == 0) got = f.structured_data;
			else if (strcmp(key, "text") == 0) got = f.text;
			else if (strcmp(key, "sequence") == 0) got = f.sequence;
			else g_error("unknown corpus key '%s'", key);
			if (g_strcmp0(got, want) != 0)
				g_test_message("%s: %s", e->name, key);
			g_assert_cmpstr(got, ==, want);
		}
	}
	/* every string is valid UTF-8 and never NULL */
	const char *all[] = { f.host, f.app_name, f.procid, f.msgid,
			      f.structured_data, f.text, f.sequence };
	for (gsize i = 0; i < G_N_ELEMENTS(all); i++) {
		g_assert_nonnull(all[i]);
		g_assert_true(g_utf8_validate(all[i], -1, NULL));
	}
	nm_syslog_fields_clear(&f);
}

/* Random and mutated input: no crash, no read past the end (the buffer is
 * an exact-size heap copy, so ASan sees any over-read), UTF-8 out. */
static void test_hostile(void)
{
	GRand *r = g_rand_new_with_seed(42);
	nm_syslog_fields f;
	static const char *const seeds[] = {
		"<34>1 2003-10-11T22:14:15.003Z h a p m [x@1 a=\"\\\"]\"] t",
		"<189>52: router1: *Mar  1 2026 00:01:09.635 UTC: %A-1-B: x",
		"<13>Mar 15 11:00:00 h app[12]: text",
		"<13>2026-03-15T11:00:00.123456+01:00 h a: x",
		"<166>Mar 15 2026 10:00:00 asa1 : %ASA-6-1: x",
	};

	nm_syslog_fields_init(&f);
	for (int i = 0; i < 20000; i++) {
		const char *seed = seeds[i % G_N_ELEMENTS(seeds)];
		gsize n = strlen(seed);
		gsize cut = (gsize)g_rand_int_range(r, 0, (gint32)n + 1);
		guint8 *buf = g_malloc(MAX(cut, 1));

		memcpy(buf, seed, cut);
		for (int j = 0; j < 3 && cut > 0; j++)
			if (g_rand_boolean(r))
				buf[g_rand_int_range(r, 0, (gint32)cut)] =
					(guint8)g_rand_int_range(r, 0, 256);
		nm_syslog_parse((const char *)buf, cut, "192.0.2.9", NOW_US, &f);
		g_assert_true(g_utf8_validate(f.text, -1, NULL));
		g_assert_true(g_utf8_validate(f.host, -1, NULL));
		g_free(buf);
	}
	for (int i = 0; i < 2000; i++) {
		gsize n = (gsize)g_rand_int_range(r, 0, 300);
		guint8 *buf = g_malloc(MAX(n, 1));
		for (gsize j = 0; j < n; j++)
			buf[j] = (guint8)g_rand_int_range(r, 0, 256);
		if (n > 0)
			buf[0] = '<';
		nm_syslog_parse((const char *)buf, n, "192.0.2.9", NOW_US, &f);
		g_assert_true(g_utf8_validate(f.text, -1, NULL));
		g_free(buf);
	}
	nm_syslog_fields_clear(&f);
	g_rand_free(r);
}

/* One fields struct serves every message of a connection: a field the
 * next message does not have must not keep the previous message's value
 * (found by the 1-hour fuzz-syslog run: a Cisco sequence number followed
 * by an RFC 5424 message left f.sequence pointing into the reused arena). */
static void test_no_stale_fields(void)
{
	static const char cisco[] = "<187>001234: .Mar 15 2026 10:00:00.1 UTC: %ec.";
	static const char r5424[] = "<38>1 2003-10-05T22:14:07Z lqe s - 8 - \xef\x88\xbb\xd6";
	static const char r3164[] = "<13>Mar 15 11:00:00 h app[12]: text";
	nm_syslog_fields f;

	nm_syslog_fields_init(&f);
	g_assert_true(nm_syslog_parse(cisco, strlen(cisco), "192.0.2.9", NOW_US, &f));
	g_assert_cmpstr(f.sequence, ==, "001234");
	g_assert_true(nm_syslog_parse(r5424, strlen(r5424), "192.0.2.9", NOW_US, &f));
	g_assert_cmpstr(f.sequence, ==, "");
	g_assert_cmpstr(f.msgid, ==, "8");
	g_assert_true(g_utf8_validate(f.text, -1, NULL));
	g_assert_true(nm_syslog_parse(cisco, strlen(cisco), "192.0.2.9", NOW_US, &f));
	g_assert_true(nm_syslog_parse(r3164, strlen(r3164), "192.0.2.9", NOW_US, &f));
	g_assert_cmpstr(f.sequence, ==, "");
	g_assert_cmpstr(f.structured_data, ==, "");
	g_assert_cmpstr(f.msgid, ==, "");
	nm_syslog_fields_clear(&f);
}

/* A large message with many invalid bytes fits the arena (worst case). */
static void test_big_escaped(void)
{
	gsize n = 70000;
	char *buf = g_malloc(n);
	nm_syslog_fields f;

	memcpy(buf, "<13>1 - h a - - - ", 18);
	memset(buf + 18, 0xff, n - 18);
	nm_syslog_fields_init(&f);
	g_assert_true(nm_syslog_parse(buf, n, "s", NOW_US, &f));
	g_assert_cmpuint(strlen(f.text), ==, (n - 18) * 4);
	g_assert_false(nm_syslog_parse(buf + 18, n - 18, "s", NOW_US, &f));
	g_assert_cmpuint(strlen(f.text), ==, (n - 18) * 4);
	nm_syslog_fields_clear(&f);
	g_free(buf);
}

/* The escaping of invalid UTF-8 and NUL (ASCII runs copied eight bytes at
 * a time, the rest checked run by run) gives exactly what checking the
 * whole text with g_utf8_validate_len() gives, for random mixes of ASCII,
 * NUL, valid multi-byte characters and stray bytes. */
static char *reference_escape(const char *s, gsize n)
{
	GString *o = g_string_new(NULL);
	const char *end = s + n;

	while (s < end) {
		const char *ok_end = NULL;
		if (g_utf8_validate_len(s, (gsize)(end - s), &ok_end)) {
			g_string_append_len(o, s, end - s);
			break;
		}
		g_string_append_len(o, s, ok_end - s);
		g_string_append_printf(o, "\\x%02x", (guchar)*ok_end);
		s = ok_end + 1;
	}
	return g_string_free(o, FALSE);
}

static void test_escape_equivalence(void)
{
	static const char *const pieces[] = {
		"a", "abcdefgh", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\x80", "\xc3", "\xe2\x82", "\xff", "", "\xed\xa0\x80", " ",
	};
	GRand *r = g_rand_new_with_seed(7);
	nm_syslog_fields f;

	nm_syslog_fields_init(&f);
	for (int i = 0; i < 5000; i++) {
		GString *m = g_string_new("<13>1 - h a - - - ");
		gsize hdr = m->len;
		int k = g_rand_int_range(r, 0, 40);
		for (int j = 0; j < k; j++) {
			const char *piece = pieces[g_rand_int_range(r, 0, G_N_ELEMENTS(pieces))];
			if (piece[0] == '\0')
				g_string_append_c(m, '\0');
			else
				g_string_append(m, piece);
		}
		/* the parser drops trailing NUL, CR and LF */
		while (m->len > hdr && (m->str[m->len - 1] == '\0' ||
					m->str[m->len - 1] == '\n' ||
					m->str[m->len - 1] == '\r'))
			g_string_truncate(m, m->len - 1);
		char *want = reference_escape(m->str + hdr, m->len - hdr);
		char *copy = g_memdup2(m->str, MAX(m->len, 1));
		g_assert_true(nm_syslog_parse(copy, m->len, "s", NOW_US, &f));
		g_assert_cmpstr(f.text, ==, want);
		g_free(copy);
		g_free(want);
		g_string_free(m, TRUE);
	}
	nm_syslog_fields_clear(&f);
	g_rand_free(r);
}

static void test_names(void)
{
	g_assert_cmpint(nm_syslog_severity_from_name("warning"), ==, 4);
	g_assert_cmpint(nm_syslog_severity_from_name("ERR"), ==, 3);
	g_assert_cmpint(nm_syslog_severity_from_name("7"), ==, 7);
	g_assert_cmpint(nm_syslog_severity_from_name("8"), ==, -1);
	g_assert_cmpint(nm_syslog_severity_from_name("bogus"), ==, -1);
	g_assert_cmpstr(nm_syslog_severity_name(0), ==, "emerg");
	g_assert_cmpstr(nm_syslog_facility_name(23), ==, "local7");
	g_assert_cmpstr(nm_syslog_facility_name(24), ==, "?");
}

/* ---- RFC 6587 framing and the peers' CVE inputs ------------------------ */

typedef struct {
	GPtrArray *msgs; /* "T:" or "F:" (truncated) + the message */
} frames;

static void frame_cb(const char *msg, gsize len, gboolean truncated,
		     gpointer data)
{
	frames *fr = data;

	g_ptr_array_add(fr->msgs, g_strdup_printf("%c:%.*s", truncated ? 'T' : 'F',
						  (int)len, msg));
}

/* Frames @stream (given in @nchunks pieces, each fed after the unconsumed
 * rest of the previous, as a connection does) with max_msg @max. Returns
 * the messages; *bad: a framing error was reported; *left: bytes still
 * waiting for more input at the end (without EOF). */
static GPtrArray *frame_stream(const char *const *chunks, gsize nchunks,
			       gsize max, gboolean eof, gboolean *bad,
			       gsize *left)
{
	nm_syslog_framer f;
	frames fr = { g_ptr_array_new_with_free_func(g_free) };
	GString *buf = g_string_new(NULL);

	nm_syslog_framer_init(&f, max);
	*bad = FALSE;
	for (gsize i = 0; i < nchunks && !*bad; i++) {
		g_string_append(buf, chunks[i]);
		/* an exact-size copy, so ASan sees an over-read */
		char *copy = g_memdup2(buf->str, MAX(buf->len, 1));
		gsize used = nm_syslog_framer_feed(&f, copy, buf->len,
						   eof && i + 1 == nchunks,
						   frame_cb, &fr, bad);
		g_free(copy);
		g_assert_cmpuint(used, <=, buf->len);
		g_string_erase(buf, 0, (gssize)used);
	}
	*left = buf->len;
	g_string_free(buf, TRUE);
	return fr.msgs;
}

static void assert_frames(GPtrArray *got, const char *const *want)
{
	guint n = 0;

	while (want[n] != NULL)
		n++;
	for (guint i = 0; i < MIN(n, got->len); i++)
		g_assert_cmpstr(got->pdata[i], ==, want[i]);
	g_assert_cmpuint(got->len, ==, n);
	g_ptr_array_free(got, TRUE);
}

static void test_framing_basic(void)
{
	gboolean bad;
	gsize left;
	/* LF framing, split inside a message, empty lines skipped, the last
	 * unterminated line kept at EOF */
	const char *lf[] = { "<13>a\n\n<13", ">b\n<13>c" };
	assert_frames(frame_stream(lf, 2, 480, TRUE, &bad, &left),
		      (const char *const[]){ "F:<13>a", "F:<13>b", "F:<13>c", NULL });
	g_assert_false(bad);
	/* without EOF the unterminated line waits */
	assert_frames(frame_stream(lf, 2, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:<13>a", "F:<13>b", NULL });
	g_assert_cmpuint(left, ==, 5);
	/* octet counting, split inside the count and the body, CR LF between
	 * frames tolerated */
	const char *oc[] = { "6 <13>ab1", "0 <13>abcdef\r\n7 <13>", "xyz" };
	assert_frames(frame_stream(oc, 3, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:<13>ab", "F:<13>abcdef",
					     "F:<13>xyz", NULL });
	g_assert_false(bad);
	g_assert_cmpuint(left, ==, 0);
	/* an oversize LF line: its first max_msg bytes, truncated; the rest
	 * discarded up to the LF; the next line read */
	char *fill = g_strnfill(600, 'x');
	char *lng = g_strdup_printf("%s\n<13>next\n", fill);
	const char *ol[] = { lng };
	GPtrArray *got = frame_stream(ol, 1, 480, FALSE, &bad, &left);
	g_assert_cmpuint(got->len, ==, 2);
	g_assert_cmpuint(strlen(got->pdata[0]), ==, 2 + 480);
	g_assert_true(((char *)got->pdata[0])[0] == 'T');
	g_assert_cmpstr(got->pdata[1], ==, "F:<13>next");
	g_ptr_array_free(got, TRUE);
	g_free(lng);
	/* a line of exactly max_msg bytes whose LF comes in the next read is
	 * whole, not truncated: the result must not depend on where the
	 * stream was split (it once did, in syslog.c's own framing) */
	char *exact = g_strndup(fill, 480);
	const char *ex[] = { exact, "\n<13>z\n" };
	got = frame_stream(ex, 2, 480, FALSE, &bad, &left);
	g_assert_cmpuint(got->len, ==, 2);
	g_assert_true(((char *)got->pdata[0])[0] == 'F');
	g_assert_cmpuint(strlen(got->pdata[0]), ==, 2 + 480);
	g_assert_cmpstr(got->pdata[1], ==, "F:<13>z");
	g_ptr_array_free(got, TRUE);
	g_free(exact);
	g_free(fill);
}

/* rsyslog CVE-2022-24903 (imptcp/imtcp: an octet count of many digits
 * overflowed a fixed buffer) and CVE-2018-16881 (imptcp: a large octet
 * count): counts of 20 and 10 digits, 0, negative, non-digits and counts
 * larger than the frame. Each bad count is one framing error; the bytes
 * are kept as one raw event (truncated to max_msg), frames before it are
 * delivered, nothing is read past it. */
static void test_framing_cve_octet_counts(void)
{
	gboolean bad;
	gsize left;
	GPtrArray *got;

	/* 20 digits after a good frame */
	const char *d20[] = { "5 <13>a12345678901234567890 <13>x" };
	assert_frames(frame_stream(d20, 1, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:<13>a",
					     "F:12345678901234567890 <13>x", NULL });
	g_assert_true(bad);
	/* 20 digits split so the count arrives a few digits at a time */
	const char *d20s[] = { "5 <13>a1234", "5678901", "234567890 <13>x" };
	assert_frames(frame_stream(d20s, 3, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:<13>a", "F:12345678901", NULL });
	g_assert_true(bad);
	/* 10 digits: over the 9 we accept */
	const char *d10[] = { "1000000000 <13>x" };
	got = frame_stream(d10, 1, 480, FALSE, &bad, &left);
	g_assert_true(bad);
	g_assert_cmpuint(got->len, ==, 1);
	g_ptr_array_free(got, TRUE);
	/* 0 and a leading 0 (RFC 6587: NONZERO-DIGIT first) */
	const char *z[] = { "5 <13>a0 ", "<13>b" };
	assert_frames(frame_stream(z, 2, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:<13>a", "F:0 ", NULL });
	g_assert_true(bad);
	const char *z2[] = { "5 <13>a05 <13>b" };
	got = frame_stream(z2, 1, 480, FALSE, &bad, &left);
	g_assert_true(bad);
	g_assert_cmpuint(got->len, ==, 2);
	g_ptr_array_free(got, TRUE);
	/* negative inside an octet-counted stream: a framing error */
	const char *neg[] = { "5 <13>a-5 <13>b" };
	assert_frames(frame_stream(neg, 1, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:<13>a", "F:-5 <13>b", NULL });
	g_assert_true(bad);
	/* negative as the first byte: not octet counting at all, so LF
	 * framing, and the line is kept as received */
	const char *neg0[] = { "-5 <13>b\n" };
	assert_frames(frame_stream(neg0, 1, 480, FALSE, &bad, &left),
		      (const char *const[]){ "F:-5 <13>b", NULL });
	g_assert_false(bad);
	/* non-digit count, no space after the count */
	const char *nd[] = { "5 <13>a5x<13>b" };
	got = frame_stream(nd, 1, 480, FALSE, &bad, &left);
	g_assert_true(bad);
	g_ptr_array_free(got, TRUE);
	/* a count larger than the frame: waits for the rest (nothing
	 * invented, nothing over-read) ... */
	const char *big[] = { "100 <13>short" };
	assert_frames(frame_stream(big, 1, 480, FALSE, &bad, &left),
		      (const char *const[]){ NULL });
	g_assert_false(bad);
	g_assert_cmpuint(left, ==, 13);
	/* ... and at EOF is one truncated message */
	assert_frames(frame_stream(big, 1, 480, TRUE, &bad, &left),
		      (const char *const[]){ "T:<13>short", NULL });
	/* CVE-2018-16881: 999999999 octets announced, 600 sent: max_msg
	 * bytes delivered truncated, the rest skipped, no 1 GB buffer */
	char *fill = g_strnfill(600, 'y');
	char *huge = g_strdup_printf("999999999 <13>%.586s", fill);
	const char *hg[] = { huge };
	got = frame_stream(hg, 1, 480, TRUE, &bad, &left);
	g_assert_false(bad);
	g_assert_cmpuint(got->len, ==, 1);
	g_assert_cmpuint(strlen(got->pdata[0]), ==, 2 + 480);
	g_assert_true(((char *)got->pdata[0])[0] == 'T');
	g_ptr_array_free(got, TRUE);
	g_free(huge);
	/* a count over max_msg, then a good frame: truncated, skipped, next
	 * one read */
	char *over = g_strdup_printf("600 %s5 <13>z", fill);
	const char *ov[] = { over };
	got = frame_stream(ov, 1, 480, FALSE, &bad, &left);
	g_assert_false(bad);
	g_assert_cmpuint(got->len, ==, 2);
	g_assert_cmpstr(got->pdata[1], ==, "F:<13>z");
	g_ptr_array_free(got, TRUE);
	g_free(over);
	g_free(fill);
}

/* Parses @s (an exact-size copy) and checks the promises for any input. */
static gboolean parse_copy(nm_syslog_fields *f, const char *s, gsize n)
{
	char *copy = g_malloc(MAX(n, 1));
	gboolean ok;

	memcpy(copy, s, n);
	ok = nm_syslog_parse(copy, n, "192.0.2.9", NOW_US, f);
	g_free(copy);
	g_assert_true(g_utf8_validate(f->text, -1, NULL));
	g_assert_true(g_utf8_validate(f->host, -1, NULL));
	g_assert_cmpint(f->facility, >=, 0);
	g_assert_cmpint(f->facility, <=, 23);
	g_assert_cmpint(f->severity, >=, 0);
	g_assert_cmpint(f->severity, <=, 7);
	g_assert_true(ok || f->error != NULL);
	return ok;
}

/* PRI <999>, <-1>, <> and others out of RFC 5424 §6.2.1's 0..191: not
 * parsed, kept whole as the text with the sender as host and
 * user.notice (RFC 3164 §4.3.3). */
static void test_cve_pri(void)
{
	static const char *const bad[] = {
		"<999>1 2026-03-15T12:00:00Z h a - - - x",
		"<-1>Mar 15 12:00:00 h a: x", "<>x", "<192>x", "<1000>x",
		"<", "<1", "<12", "<123", "<0013>x", "<+1>x", "< 1>x",
	};
	nm_syslog_fields f;

	nm_syslog_fields_init(&f);
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("%s", bad[i]);
		g_assert_false(parse_copy(&f, bad[i], strlen(bad[i])));
		g_assert_cmpstr(f.text, ==, bad[i]);
		g_assert_cmpstr(f.host, ==, "192.0.2.9");
		g_assert_cmpint(f.facility, ==, 1);
		g_assert_cmpint(f.severity, ==, 5);
		g_assert_cmpint(f.time, ==, NOW_US);
	}
	g_assert_true(parse_copy(&f, "<191>x", 6));
	g_assert_cmpint(f.facility, ==, 23);
	g_assert_cmpint(f.severity, ==, 7);
	nm_syslog_fields_clear(&f);
}

/* A 100 kB TAG (RFC 3164 §4.1.3 allows 32 characters): no over-run, the
 * TAG not taken as app_name, nothing of the message lost. */
static void test_cve_long_tag(void)
{
	gsize n = 100 * 1024;
	GString *m = g_string_new("<13>Mar 15 11:00:00 host1 ");
	nm_syslog_fields f;

	for (gsize i = 0; i < n; i++)
		g_string_append_c(m, 'A' + (char)(i % 26));
	g_string_append(m, "[123]: the text");
	nm_syslog_fields_init(&f);
	g_assert_true(parse_copy(&f, m->str, m->len));
	g_assert_cmpstr(f.host, ==, "host1");
	g_assert_cmpuint(strlen(f.app_name), <=, 48);
	g_assert_nonnull(strstr(f.text, "[123]: the text"));
	g_assert_cmpuint(strlen(f.text), >=, n);
	/* the same as RFC 5424 APP-NAME (48 characters at most): unparsed */
	g_string_assign(m, "<13>1 2026-03-15T12:00:00Z host1 ");
	for (gsize i = 0; i < n; i++)
		g_string_append_c(m, 'a');
	g_string_append(m, " - - - x");
	g_assert_false(parse_copy(&f, m->str, m->len));
	g_assert_cmpuint(strlen(f.text), ==, m->len);
	nm_syslog_fields_clear(&f);
	g_string_free(m, TRUE);
}

/* syslog-ng CVE-2022-38725 (an integer underflow reading past the end of
 * a truncated RFC 3164 timestamp): every prefix of messages with each
 * timestamp form, in exact-size buffers, so ASan sees a read past the end.
 * A truncated timestamp is no timestamp: the receive time is used. */
static void test_cve_truncated_timestamps(void)
{
	static const char *const msgs[] = {
		"<13>Mar 15 11:00:00 host1 app[1]: text",
		"<13>Mar  1 2026 11:00:00.123 UTC: host1 app: text",
		"<189>52: router1: *Mar  1 00:01:09.635 UTC: %A-1-B: x",
		"<189>53: .Mar  1 00:01:09: %A-1-B: x",
		"<13>1 2026-03-15T11:00:00.123456+01:00 host1 app 1 ID [a b=\"c\"] text",
		"<13>2026-03-15T11:00:00.5-01:30 host1 app: text",
		"<13>Mar 15 11:00:00",
	};
	nm_syslog_fields f;

	nm_syslog_fields_init(&f);
	for (gsize i = 0; i < G_N_ELEMENTS(msgs); i++) {
		gsize n = strlen(msgs[i]);
		for (gsize cut = 0; cut <= n; cut++) {
			parse_copy(&f, msgs[i], cut);
			if (!f.has_time)
				g_assert_cmpint(f.time, ==, NOW_US);
		}
	}
	/* the forms of the syslog-ng advisory: timestamps cut short */
	g_assert_true(parse_copy(&f, "<13>Mar 15 11:0", 15));
	g_assert_false(f.has_time);
	g_assert_cmpstr(f.text, ==, "Mar 15 11:0");
	g_assert_false(parse_copy(&f, "<13>1 2026-03-15T11:00:0", 24));
	g_assert_cmpstr(f.error, ==, "RFC 5424: bad TIMESTAMP");
	g_assert_false(parse_copy(&f, "<13>1 2026-03-15T11:00:00.", 26));
	g_assert_false(parse_copy(&f, "<13>1 2026-03-15T11:00:00+01", 28));
	nm_syslog_fields_clear(&f);
}

int main(int argc, char **argv)
{
	GPtrArray *corpus;
	char *path;
	int rc;

	g_setenv("TZ", "UTC", TRUE);
	g_test_init(&argc, &argv, NULL);
	path = g_test_build_filename(G_TEST_DIST, "data", "syslog", "corpus.txt",
				     NULL);
	corpus = load_corpus(path);
	g_free(path);
	for (guint i = 0; i < corpus->len; i++) {
		entry *e = corpus->pdata[i];
		char *name = g_strdup_printf("/syslog/corpus/%s", e->name);
		g_test_add_data_func(name, e, test_entry);
		g_free(name);
	}
	g_test_add_func("/syslog/hostile", test_hostile);
	g_test_add_func("/syslog/no-stale-fields", test_no_stale_fields);
	g_test_add_func("/syslog/big-escaped", test_big_escaped);
	g_test_add_func("/syslog/names", test_names);
	g_test_add_func("/syslog/escape-equivalence", test_escape_equivalence);
	g_test_add_func("/syslog/framing/basic", test_framing_basic);
	g_test_add_func("/syslog/framing/cve-octet-counts",
			test_framing_cve_octet_counts);
	g_test_add_func("/syslog/cve/pri", test_cve_pri);
	g_test_add_func("/syslog/cve/long-tag", test_cve_long_tag);
	g_test_add_func("/syslog/cve/truncated-timestamps",
			test_cve_truncated_timestamps);
	rc = g_test_run();
	g_ptr_array_free(corpus, TRUE);
	return rc;
}
