/* libFuzzer target for Monitoring Plugins output and performance data
 * parsing (plugins/nagios/perfdata.c) and the threshold ranges found in
 * perfdata warn/crit fields (plugins/threshold/range.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-nagios
 * Run:   t/fuzz/fuzz-nagios -max_total_time=60 $srcdir/t/fuzz/corpus/nagios
 * The input is a check's whole stdout (NULs included), as the runner reads
 * it. It is split into output / long output / perfdata (as nagios.c does),
 * the perfdata parsed, each item's warn and crit parsed as ranges and
 * evaluated, and the properties the plugin relies on checked (labels never
 * empty, unit letters only, a parsed range prints to text that parses back
 * to the same shape). No state survives between inputs.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"
#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse @text as a range; when it parses, check the canonical text parses
 * back with the same flags and evaluate @v against it. */
static void check_range(const char *text, double v)
{
	nm_range r, r2;

	if (*text == '\0' || !nm_range_parse(text, &r, NULL))
		return;
	(void)nm_range_alert(&r, v);
	char *s = nm_range_to_string(&r);
	if (!nm_range_parse(s, &r2, NULL) || r2.inside != r.inside ||
	    r2.start_inf != r.start_inf || r2.end_inf != r.end_inf)
		abort();
	g_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *lng = NULL, *perf = NULL;
	guint bad = 0;

	/* Exact-size copy, not NUL-terminated, as the runner's buffer. */
	char *copy = g_malloc(size ? size : 1);
	memcpy(copy, data, size);
	nm_check_output_split(copy, size, &out, &lng, &perf);
	g_free(copy);
	if (out == NULL || lng == NULL || perf == NULL || strchr(out, '\n') != NULL)
		abort();
	GPtrArray *items = nm_perfdata_parse(perf, &bad);
	for (guint i = 0; i < items->len; i++) {
		const nm_perf *p = g_ptr_array_index(items, i);

		if (p->label == NULL || *p->label == '\0' || p->uom == NULL ||
		    p->warn == NULL || p->crit == NULL)
			abort();
		if (p->unknown != isnan(p->value))
			abort();
		for (const char *u = p->uom; *u != '\0'; u++)
			if (!g_ascii_isalpha(*u) && *u != '%')
				abort();
		nm_value v;
		if (nm_perf_value(p, &v) &&
		    (v.kind == NM_DS_DERIVE) != nm_perf_is_counter(p))
			abort();
		check_range(p->warn, p->value);
		check_range(p->crit, p->value);
	}
	g_ptr_array_unref(items);
	/* The first line alone, as a range (threshold rule text is similar). */
	check_range(out, 0.0);
	g_free(out);
	g_free(lng);
	g_free(perf);
	return 0;
}
