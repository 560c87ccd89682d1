/* netmon — pattern rules: EVENT messages to STATE (see match.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <string.h>

#include "match.h"

G_DEFINE_QUARK(nm-pattern-error-quark, nm_pattern_error)

int nm_pattern_severity(const char *s)
{
	static const struct { const char *name; int sev; } names[] = {
		{ "emerg", 0 }, { "emergency", 0 }, { "panic", 0 }, { "alert", 1 },
		{ "crit", 2 }, { "critical", 2 }, { "err", 3 }, { "error", 3 },
		{ "warning", 4 }, { "warn", 4 }, { "notice", 5 }, { "info", 6 },
		{ "informational", 6 }, { "debug", 7 } };

	if (s == NULL)
		return -1;
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(s, names[i].name) == 0)
			return names[i].sev;
	return -1;
}

static gboolean compile(const char *field, const char *expr, GRegex **out,
			GError **err)
{
	GError *e = NULL;

	*out = NULL;
	if (expr == NULL || *expr == '\0')
		return TRUE;
	*out = g_regex_new(expr, G_REGEX_OPTIMIZE, 0, &e);
	if (*out == NULL) {
		g_set_error(err, NM_PATTERN_ERROR, 0, "%s: bad regular expression '%s': %s",
			    field, expr, e->message);
		g_error_free(e);
		return FALSE;
	}
	return TRUE;
}

nm_pattern_rule *nm_pattern_rule_new(const char *name, const char *service,
				     const char *text, const char *app,
				     const char *host, const char *clear,
				     const char *severity_at_least,
				     const char *state, gint64 expire_us,
				     guint max_attempts, GError **err)
{
	nm_pattern_rule *r = g_new0(nm_pattern_rule, 1);

	r->name = g_strdup(name != NULL ? name : "pattern");
	r->service = g_strdup(service != NULL && *service ? service : r->name);
	r->expire = expire_us;
	r->max_attempts = max_attempts > 0 ? max_attempts : 1;
	r->severity = severity_at_least != NULL ? nm_pattern_severity(severity_at_least) : 7;
	if (r->severity < 0) {
		g_set_error(err, NM_PATTERN_ERROR, 0,
			    "severity: '%s' is not 0..7 or an RFC 5424 severity name "
			    "(emerg alert crit err warning notice info debug)",
			    severity_at_least);
		goto bad;
	}
	if (state == NULL || g_ascii_strcasecmp(state, "CRITICAL") == 0) {
		r->code = NM_STATE_CRITICAL;
	} else if (g_ascii_strcasecmp(state, "WARNING") == 0) {
		r->code = NM_STATE_WARNING;
	} else {
		g_set_error(err, NM_PATTERN_ERROR, 0,
			    "state: '%s' is not WARNING or CRITICAL", state);
		goto bad;
	}
	if (expire_us <= 0) {
		g_set_error(err, NM_PATTERN_ERROR, 0, "expire: must be > 0");
		goto bad;
	}
	if (!compile("text", text, &r->text, err) || !compile("app", app, &r->app, err) ||
	    !compile("host", host, &r->host, err) || !compile("clear", clear, &r->clear, err))
		goto bad;
	return r;
bad:
	nm_pattern_rule_free(r);
	return NULL;
}

void nm_pattern_rule_free(nm_pattern_rule *r)
{
	if (r == NULL)
		return;
	g_free(r->name);
	g_free(r->service);
	if (r->text)
		g_regex_unref(r->text);
	if (r->app)
		g_regex_unref(r->app);
	if (r->host)
		g_regex_unref(r->host);
	if (r->clear)
		g_regex_unref(r->clear);
	g_free(r);
}

static char *expand(const nm_pattern_rule *r, const nm_event *ev, GMatchInfo *mi)
{
	GString *g = g_string_new(r->service);
	char key[4] = "{1}";

	g_string_replace(g, "{host}", ev->host, 0);
	g_string_replace(g, "{app}", ev->app_name, 0);
	g_string_replace(g, "{name}", r->name, 0);
	for (char d = '1'; d <= '9'; d++) {
		char *v;

		key[1] = d;
		if (strstr(g->str, key) == NULL)
			continue;
		v = mi != NULL ? g_match_info_fetch(mi, d - '0') : NULL;
		g_string_replace(g, key, v != NULL ? v : "", 0);
		g_free(v);
	}
	return g_string_free(g, FALSE);
}

nm_pattern_result nm_pattern_match(const nm_pattern_rule *r, const nm_event *ev,
				   char **service)
{
	GMatchInfo *mi = NULL;
	nm_pattern_result res = NM_PATTERN_NONE;

	*service = NULL;
	if (ev->severity > r->severity ||
	    (r->host != NULL && !g_regex_match(r->host, ev->host, 0, NULL)) ||
	    (r->app != NULL && !g_regex_match(r->app, ev->app_name, 0, NULL)))
		return NM_PATTERN_NONE;
	if (r->clear != NULL && g_regex_match(r->clear, ev->text, 0, &mi)) {
		res = NM_PATTERN_CLEAR;
	} else {
		g_match_info_free(mi);
		mi = NULL;
		if (r->text == NULL || g_regex_match(r->text, ev->text, 0, &mi))
			res = NM_PATTERN_RAISE;
	}
	/* {N} come from the text expression; for a clear, from clear's groups */
	if (res != NM_PATTERN_NONE)
		*service = expand(r, ev, mi);
	g_match_info_free(mi);
	return res;
}

/* ------------------------------------------------------------ table */

struct nm_pattern_table {
	GHashTable *h;   /* "host\x1fservice" -> entry* */
};

typedef struct {
	char *host, *service, *text;
	nm_state_code code;
	gint64 opened, expires;
} entry;

static void entry_free(gpointer d)
{
	entry *e = d;
	g_free(e->host);
	g_free(e->service);
	g_free(e->text);
	g_free(e);
}

nm_pattern_table *nm_pattern_table_new(void)
{
	nm_pattern_table *t = g_new0(nm_pattern_table, 1);
	t->h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	return t;
}

void nm_pattern_table_free(nm_pattern_table *t)
{
	if (t == NULL)
		return;
	g_hash_table_destroy(t->h);
	g_free(t);
}

gboolean nm_pattern_table_raise(nm_pattern_table *t, const nm_pattern_rule *r,
				const char *host, const char *service,
				const char *text, gint64 now)
{
	char *key = g_strdup_printf("%s\x1f%s", host, service);
	entry *e = g_hash_table_lookup(t->h, key);
	gboolean fresh = e == NULL;

	if (fresh) {
		e = g_new0(entry, 1);
		e->host = g_strdup(host);
		e->service = g_strdup(service);
		e->opened = now;
		e->code = r->code;
		g_hash_table_insert(t->h, key, e);
	} else {
		g_free(key);
		/* two rules on one service: the worse state stays */
		e->code = MAX(e->code, r->code);
	}
	g_free(e->text);
	e->text = g_strdup(text);
	e->expires = MAX(e->expires, now + r->expire);
	return fresh;
}

gboolean nm_pattern_table_clear(nm_pattern_table *t, const char *host,
				const char *service)
{
	char *key = g_strdup_printf("%s\x1f%s", host, service);
	gboolean r = g_hash_table_remove(t->h, key);
	g_free(key);
	return r;
}

guint nm_pattern_table_expire(nm_pattern_table *t, gint64 now,
			      nm_pattern_expired_fn fn, gpointer data)
{
	GHashTableIter it;
	gpointer k, v;
	guint n = 0;

	g_hash_table_iter_init(&it, t->h);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		entry *e = v;
		if (e->expires > now)
			continue;
		if (fn != NULL)
			fn(e->host, e->service, e->opened, data);
		g_hash_table_iter_remove(&it);
		n++;
	}
	return n;
}

guint nm_pattern_table_size(const nm_pattern_table *t)
{
	return g_hash_table_size(t->h);
}

void nm_pattern_table_foreach(const nm_pattern_table *t, nm_pattern_each_fn fn,
			      gpointer data)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, t->h);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		entry *e = v;
		fn(e->host, e->service, e->code, e->text, e->expires, data);
	}
}
