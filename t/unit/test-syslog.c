/* Unit tests of the syslog parser: one test per corpus entry
 * (t/data/syslog/corpus.txt), plus hostile-input and helper tests.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

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
	g_test_add_func("/syslog/big-escaped", test_big_escaped);
	g_test_add_func("/syslog/names", test_names);
	rc = g_test_run();
	g_ptr_array_free(corpus, TRUE);
	return rc;
}
