/* Unit tests of pattern rules (plugins/pattern/match.c): regex on text,
 * APP-NAME and HOSTNAME, "severity at least", service templates with
 * capture groups, clear expressions, expiry back to OK, bad rules.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>

#include "match.h"

static nm_event ev(const char *host, const char *app, int sev, const char *text)
{
	nm_event e = { .source = "127.0.0.1", .host = host, .facility = 23,
		       .severity = sev, .app_name = app, .procid = "", .msgid = "",
		       .structured_data = "", .text = text };
	return e;
}

static nm_pattern_rule *rule(const char *text, const char *app, const char *host,
			     const char *clear, const char *sev)
{
	GError *err = NULL;
	nm_pattern_rule *r = nm_pattern_rule_new("link", "if {1} on {host}", text, app,
						 host, clear, sev, "CRITICAL",
						 10 * G_USEC_PER_SEC, 0, &err);
	g_assert_no_error(err);
	g_assert_nonnull(r);
	return r;
}

static void test_severity_names(void)
{
	g_assert_cmpint(nm_pattern_severity("emerg"), ==, 0);
	g_assert_cmpint(nm_pattern_severity("ALERT"), ==, 1);
	g_assert_cmpint(nm_pattern_severity("crit"), ==, 2);
	g_assert_cmpint(nm_pattern_severity("err"), ==, 3);
	g_assert_cmpint(nm_pattern_severity("Warning"), ==, 4);
	g_assert_cmpint(nm_pattern_severity("notice"), ==, 5);
	g_assert_cmpint(nm_pattern_severity("info"), ==, 6);
	g_assert_cmpint(nm_pattern_severity("debug"), ==, 7);
	g_assert_cmpint(nm_pattern_severity("3"), ==, 3);
	g_assert_cmpint(nm_pattern_severity("8"), ==, -1);
	g_assert_cmpint(nm_pattern_severity("-1"), ==, -1);
	g_assert_cmpint(nm_pattern_severity("loud"), ==, -1);
	g_assert_cmpint(nm_pattern_severity(""), ==, -1);
}

static void test_match(void)
{
	nm_pattern_rule *r = rule("Interface (\\S+), changed state to down", "^LINK|IF$",
				  "^sw", NULL, "warning");
	nm_event e = ev("sw1", "LINK", 3, "Interface Gi0/1, changed state to down");
	char *svc = NULL;

	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_RAISE);
	g_assert_cmpstr(svc, ==, "if Gi0/1 on sw1");
	g_free(svc);
	/* severity 4 is "at least warning"; 5 (notice) is not */
	e.severity = 4;
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_RAISE);
	g_free(svc);
	e.severity = 5;
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_NONE);
	g_assert_null(svc);
	e.severity = 3;
	e.host = "rtr1";
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_NONE);
	e.host = "sw1";
	e.app_name = "sshd";
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_NONE);
	e.app_name = "IF";
	e.text = "Interface Gi0/1, changed state to up";
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_NONE);
	nm_pattern_rule_free(r);
}

static void test_clear_and_any(void)
{
	nm_pattern_rule *r = rule("Interface (\\S+), changed state to down", NULL, NULL,
				  "Interface (\\S+), changed state to up", NULL);
	nm_event e = ev("sw2", "", 7, "Interface Te1/1, changed state to up");
	char *svc = NULL;

	/* no severity given: every severity, debug included */
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_CLEAR);
	g_assert_cmpstr(svc, ==, "if Te1/1 on sw2");  /* clear's own groups */
	g_free(svc);
	nm_pattern_rule_free(r);
	/* no expression at all: every event matches */
	r = rule(NULL, NULL, NULL, NULL, NULL);
	g_assert_cmpint(nm_pattern_match(r, &e, &svc), ==, NM_PATTERN_RAISE);
	g_assert_cmpstr(svc, ==, "if  on sw2");       /* missing group: empty */
	g_free(svc);
	nm_pattern_rule_free(r);
}

static void test_bad_rules(void)
{
	GError *err = NULL;
	nm_pattern_rule *r;

	r = nm_pattern_rule_new("x", NULL, "([a-", NULL, NULL, NULL, NULL, NULL,
				G_USEC_PER_SEC, 1, &err);
	g_assert_null(r);
	g_assert_nonnull(strstr(err->message, "text: bad regular expression"));
	g_clear_error(&err);
	r = nm_pattern_rule_new("x", NULL, NULL, NULL, NULL, NULL, "loud", NULL,
				G_USEC_PER_SEC, 1, &err);
	g_assert_null(r);
	g_assert_nonnull(strstr(err->message, "severity"));
	g_clear_error(&err);
	r = nm_pattern_rule_new("x", NULL, NULL, NULL, NULL, NULL, NULL, "OK",
				G_USEC_PER_SEC, 1, &err);
	g_assert_null(r);
	g_assert_nonnull(strstr(err->message, "state"));
	g_clear_error(&err);
	r = nm_pattern_rule_new("x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 1, &err);
	g_assert_null(r);
	g_clear_error(&err);
	r = nm_pattern_rule_new("x", NULL, NULL, NULL, NULL, NULL, NULL, "warning",
				G_USEC_PER_SEC, 0, &err);
	g_assert_no_error(err);
	g_assert_cmpint(r->code, ==, NM_STATE_WARNING);
	g_assert_cmpuint(r->max_attempts, ==, 1);
	g_assert_cmpstr(r->service, ==, "x");
	nm_pattern_rule_free(r);
}

typedef struct {
	guint n;
	char last[64];
} seen;

static void on_exp(const char *host, const char *service, gint64 opened, gpointer d)
{
	seen *s = d;
	(void)opened;
	s->n++;
	g_snprintf(s->last, sizeof s->last, "%s/%s", host, service);
}

static void test_expiry(void)
{
	nm_pattern_rule *r = rule(NULL, NULL, NULL, NULL, NULL);   /* expire 10 s */
	nm_pattern_table *t = nm_pattern_table_new();
	seen s = { 0 };
	const gint64 T = G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC;

	g_assert_true(nm_pattern_table_raise(t, r, "h", "svc", "first", T));
	g_assert_false(nm_pattern_table_raise(t, r, "h", "svc", "again", T + 5 * G_USEC_PER_SEC));
	g_assert_cmpuint(nm_pattern_table_size(t), ==, 1);
	/* the second match pushed the expiry to T+15 s */
	g_assert_cmpuint(nm_pattern_table_expire(t, T + 14 * G_USEC_PER_SEC, on_exp, &s), ==, 0);
	g_assert_cmpuint(nm_pattern_table_expire(t, T + 15 * G_USEC_PER_SEC, on_exp, &s), ==, 1);
	g_assert_cmpuint(s.n, ==, 1);
	g_assert_cmpstr(s.last, ==, "h/svc");
	g_assert_cmpuint(nm_pattern_table_size(t), ==, 0);
	/* clear removes; a second clear finds nothing */
	g_assert_true(nm_pattern_table_raise(t, r, "h", "svc", "x", T));
	g_assert_true(nm_pattern_table_clear(t, "h", "svc"));
	g_assert_false(nm_pattern_table_clear(t, "h", "svc"));
	g_assert_cmpuint(nm_pattern_table_expire(t, T + 100 * G_USEC_PER_SEC, on_exp, &s), ==, 0);
	nm_pattern_table_free(t);
	nm_pattern_rule_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pattern/severity-names", test_severity_names);
	g_test_add_func("/pattern/match", test_match);
	g_test_add_func("/pattern/clear-and-any", test_clear_and_any);
	g_test_add_func("/pattern/bad-rules", test_bad_rules);
	g_test_add_func("/pattern/expiry", test_expiry);
	return g_test_run();
}
