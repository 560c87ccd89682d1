/* netmon — Monitoring Plugins output and performance data (perfdata.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "perfdata.h"

void nm_perf_free(nm_perf *p)
{
	if (p == NULL)
		return;
	g_free(p->label);
	g_free(p->uom);
	g_free(p->warn);
	g_free(p->crit);
	g_free(p);
}

gboolean nm_perf_is_counter(const nm_perf *p)
{
	return p != NULL && strcmp(p->uom, "c") == 0;
}

gboolean nm_perf_value(const nm_perf *p, nm_value *out)
{
	if (p == NULL || p->unknown || !isfinite(p->value))
		return FALSE;
	if (nm_perf_is_counter(p)) {
		double r = round(p->value);
		/* [-2^63, 2^63): both bounds exact in a double */
		if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
			return FALSE;
		out->kind = NM_DS_DERIVE;
		out->v.derive = (gint64)r;
	} else {
		out->kind = NM_DS_GAUGE;
		out->v.gauge = p->value;
	}
	return TRUE;
}

/* A number at the start of @s; its end in @end. FALSE if none. */
static gboolean lead_number(const char *s, double *v, const char **end)
{
	char *e = NULL;
	const char *q = s;

	if (*q == '+' || *q == '-')
		q++;
	if (!g_ascii_isdigit(*q) && !(*q == '.' && g_ascii_isdigit(q[1])))
		return FALSE;
	errno = 0;
	*v = g_ascii_strtod(s, &e);
	if (e == s || errno == ERANGE || !isfinite(*v))
		return FALSE;
	/* strtod accepts hex ("0x1"); the syntax does not. */
	if (memchr(s, 'x', (size_t)(e - s)) || memchr(s, 'X', (size_t)(e - s)))
		return FALSE;
	*end = e;
	return TRUE;
}

/* min/max field: empty or a number. */
static gboolean opt_number(const char *s, double *v)
{
	const char *e;

	*v = NAN;
	if (*s == '\0')
		return TRUE;
	/* Some plugins print a UOM after min/max too ("0s"): tolerate. */
	return lead_number(s, v, &e);
}

/* Parse one item "label=value..." (label already unquoted in @label). */
static nm_perf *parse_item(char *label, const char *rest)
{
	nm_perf *p;
	char **f;
	const char *e;
	guint n;

	if (*label == '\0')
		return NULL;
	f = g_strsplit(rest, ";", 6);
	n = g_strv_length(f);
	if (n == 0 || n > 5) {
		g_strfreev(f);
		return NULL;
	}
	p = g_new0(nm_perf, 1);
	p->min = p->max = NAN;
	if (f[0][0] == 'U') {      /* "U" or "U" + UOM: unknown */
		p->unknown = TRUE;
		p->value = NAN;
		e = f[0] + 1;
	} else if (!lead_number(f[0], &p->value, &e)) {
		goto bad;
	}
	for (const char *u = e; *u != '\0'; u++)
		if (!g_ascii_isalpha(*u) && *u != '%')
			goto bad;
	p->uom = g_strdup(e);
	p->warn = g_strdup(n > 1 ? f[1] : "");
	p->crit = g_strdup(n > 2 ? f[2] : "");
	if ((n > 3 && !opt_number(f[3], &p->min)) ||
	    (n > 4 && !opt_number(f[4], &p->max)))
		goto bad;
	p->label = g_strdup(label);
	g_strfreev(f);
	return p;
bad:
	g_strfreev(f);
	nm_perf_free(p);
	return NULL;
}

GPtrArray *nm_perfdata_parse(const char *text, guint *n_bad)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)nm_perf_free);
	const char *s = text != NULL ? text : "";
	guint bad = 0;
	GString *label = g_string_new(NULL), *rest = g_string_new(NULL);

	for (;;) {
		gboolean ok = TRUE;

		while (g_ascii_isspace(*s))
			s++;
		if (*s == '\0')
			break;
		g_string_truncate(label, 0);
		g_string_truncate(rest, 0);
		if (*s == '\'') {
			/* quoted label; '' is a literal quote */
			s++;
			for (;;) {
				if (*s == '\0') {
					ok = FALSE;
					break;
				}
				if (*s == '\'' && s[1] == '\'') {
					g_string_append_c(label, '\'');
					s += 2;
				} else if (*s == '\'') {
					s++;
					break;
				} else {
					g_string_append_c(label, *s++);
				}
			}
			if (ok && *s != '=')
				ok = FALSE;
		} else {
			while (*s != '\0' && *s != '=' && !g_ascii_isspace(*s))
				g_string_append_c(label, *s++);
			if (*s != '=')
				ok = FALSE;
		}
		if (ok) {
			s++; /* '=' */
			while (*s != '\0' && !g_ascii_isspace(*s))
				g_string_append_c(rest, *s++);
			nm_perf *p = parse_item(label->str, rest->str);
			if (p != NULL)
				g_ptr_array_add(out, p);
			else
				bad++;
		} else {
			bad++;
			while (*s != '\0' && !g_ascii_isspace(*s))
				s++;
		}
	}
	g_string_free(label, TRUE);
	g_string_free(rest, TRUE);
	if (n_bad != NULL)
		*n_bad = bad;
	return out;
}

static void append_perf(GString *perf, const char *p)
{
	char *t = g_strstrip(g_strdup(p));

	if (*t != '\0') {
		if (perf->len > 0)
			g_string_append_c(perf, ' ');
		g_string_append(perf, t);
	}
	g_free(t);
}

void nm_check_output_split(const char *buf, gsize len, char **output,
			   char **long_output, char **perfdata)
{
	char *text = g_malloc(len + 1);
	GString *lng = g_string_new(NULL), *perf = g_string_new(NULL);
	char **lines;
	gboolean in_perf = FALSE;

	for (gsize i = 0; i < len; i++)
		text[i] = buf[i] == '\0' ? ' ' : buf[i];
	text[len] = '\0';
	lines = g_strsplit(text, "\n", -1);
	*output = NULL;
	for (guint i = 0; lines[i] != NULL; i++) {
		char *line = lines[i];
		char *bar;
		size_t l = strlen(line);

		if (l > 0 && line[l - 1] == '\r')
			line[l - 1] = '\0';
		if (i == 0) {
			bar = strchr(line, '|');
			if (bar != NULL) {
				*bar = '\0';
				append_perf(perf, bar + 1);
			}
			*output = g_strdup(g_strchomp(line));
			continue;
		}
		if (in_perf) {
			append_perf(perf, line);
			continue;
		}
		bar = strchr(line, '|');
		if (bar != NULL) {
			*bar = '\0';
			append_perf(perf, bar + 1);
			in_perf = TRUE;
		}
		if (lng->len > 0)
			g_string_append_c(lng, '\n');
		g_string_append(lng, line);
	}
	if (*output == NULL)
		*output = g_strdup("");
	/* drop trailing blank lines of the long output */
	while (lng->len > 0 && g_ascii_isspace(lng->str[lng->len - 1]))
		g_string_truncate(lng, lng->len - 1);
	*long_output = g_string_free(lng, FALSE);
	*perfdata = g_string_free(perf, FALSE);
	g_strfreev(lines);
	g_free(text);
}
