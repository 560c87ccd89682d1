/* libFuzzer target for the syslog message parser (plugins/syslog/parse.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-syslog
 * Run:   t/fuzz/fuzz-syslog -max_total_time=600 $srcdir/t/fuzz/corpus/syslog
 * The input is one message as a transport frames it (a UDP datagram or a
 * RFC 6587 frame). Checks what nm_syslog_parse() promises for any input:
 * every field non-NULL, NUL-terminated valid UTF-8, facility 0..23 and
 * severity 0..7, the raw text kept when parsing fails. One fields struct
 * lives across inputs (as in the receiver), so a stale pointer into its
 * arena is seen; and each input is parsed a second time into a fresh
 * struct: both results must be equal (a field kept from the previous
 * message is a bug, as the stale Cisco sequence number was).
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static nm_syslog_fields fields;
static gboolean ready;

static void check_str(const char *s)
{
	if (s == NULL || !g_utf8_validate(s, -1, NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	nm_syslog_fields *f = &fields;
	/* 2026-03-15T12:00:00Z: a fixed "now" keeps runs reproducible */
	const gint64 now = G_GINT64_CONSTANT(1773576000) * G_USEC_PER_SEC;

	if (!ready) {
		nm_syslog_fields_init(f);
		ready = TRUE;
	}
	/* an exact-size copy so ASan sees an over-read by one byte */
	char *copy = g_malloc(size ? size : 1);
	memcpy(copy, data, size);
	gboolean ok = nm_syslog_parse(copy, size, "192.0.2.1", now, f);
	g_free(copy);
	check_str(f->host);
	check_str(f->app_name);
	check_str(f->procid);
	check_str(f->msgid);
	check_str(f->structured_data);
	check_str(f->text);
	check_str(f->sequence);
	if (f->facility < 0 || f->facility > 23 || f->severity < 0 ||
	    f->severity > 7)
		abort();
	if (!ok && f->error == NULL)
		abort();
	if (f->host[0] == '\0')
		abort(); /* the sender stands in for a missing HOSTNAME */

	nm_syslog_fields g;
	nm_syslog_fields_init(&g);
	copy = g_malloc(size ? size : 1);
	memcpy(copy, data, size);
	gboolean ok2 = nm_syslog_parse(copy, size, "192.0.2.1", now, &g);
	g_free(copy);
	if (ok2 != ok || g.facility != f->facility || g.severity != f->severity ||
	    g.has_time != f->has_time || (g.has_time && g.time != f->time) ||
	    g.error != f->error || strcmp(g.host, f->host) != 0 ||
	    strcmp(g.app_name, f->app_name) != 0 ||
	    strcmp(g.procid, f->procid) != 0 || strcmp(g.msgid, f->msgid) != 0 ||
	    strcmp(g.structured_data, f->structured_data) != 0 ||
	    strcmp(g.text, f->text) != 0 || strcmp(g.sequence, f->sequence) != 0)
		abort(); /* the result depends on the previous message */
	nm_syslog_fields_clear(&g);
	return 0;
}
