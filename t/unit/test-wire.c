/* Unit tests of the wire encoding: a round trip per message type with every
 * field, truncation at every byte offset, unknown versions and types, and
 * random or mutated input never crashing the decoder.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include <netmon/wire.h>

static nm_msg *make_metric(void)
{
	nm_value v[5] = {
		{ .kind = NM_DS_GAUGE, .v.gauge = -1.25e-300 },
		{ .kind = NM_DS_COUNTER, .v.counter = G_MAXUINT64 },
		{ .kind = NM_DS_DERIVE, .v.derive = G_MININT64 },
		{ .kind = NM_DS_ABSOLUTE, .v.absolute = 300 },
		{ .kind = NM_DS_GAUGE, .v.gauge = NAN },
	};
	return nm_metric_new("router1.example", "snmp", "if-eth0", "if_octets",
			     "rx\xc3\xa9", 1700000000123456, 10 * G_USEC_PER_SEC,
			     5, v);
}

static nm_msg *make_event(void)
{
	nm_event e = { .source = "192.0.2.1", .host = "sw1", .facility = 23,
		       .severity = 7, .app_name = "sshd", .procid = "1234",
		       .msgid = "ID47",
		       .structured_data = "[exampleSDID@32473 iut=\"3\"]",
		       .text = "Accepted publickey for root \xe2\x9c\x93" };
	return nm_event_new(&e, -5);
}

static nm_msg *make_flow(void)
{
	nm_flow_record r[3];

	memset(r, 0, sizeof r);
	r[0].start = 1700000000000000;
	r[0].end = 1700000001000000;
	r[0].src.family = AF_INET;
	memcpy(r[0].src.addr, "\xc0\x00\x02\x01", 4);
	r[0].dst.family = AF_INET6;
	memcpy(r[0].dst.addr, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
	r[0].src_port = 65535;
	r[0].dst_port = 443;
	r[0].protocol = 6;
	r[0].tos = 0xb8;
	r[0].tcp_flags = 0x1b;
	r[0].bytes = G_MAXUINT64;
	r[0].packets = 12345678901ULL;
	r[0].in_if = G_MAXUINT32;
	r[0].out_if = 2;
	r[0].src_as = 64512;
	r[0].dst_as = 4200000000u;
	r[0].sampling_rate = 1000;
	r[1].next_hop.family = AF_INET;
	memcpy(r[1].next_hop.addr, "\x0a\x00\x00\x01", 4);
	r[1].start = -1;
	r[1].sampling_rate = 1;
	r[2].protocol = 17; /* family 0 everywhere */
	return nm_flow_batch_new("198.51.100.7", 4000000000u, 1700000002000000,
				 3, r);
}

static nm_msg *make_config(void)
{
	return nm_config_change_new("core-sw", 1700000003000000, "abc123",
				    "def456", "hostname core-sw\nsecret ***\n",
				    "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n");
}

static nm_msg *make_state(void)
{
	nm_state s = { .host = "web1", .service = "http", .code = NM_STATE_CRITICAL,
		       .state_type = NM_STATE_HARD, .attempt = 3,
		       .max_attempts = G_MAXUINT32, .output = "HTTP CRITICAL",
		       .long_output = "line2\nline3", .perfdata = "time=0.1s;1;2" };
	return nm_state_new(&s, 1700000004000000);
}

static nm_msg *make_notification(void)
{
	nm_notification n = { .kind = NM_NOTIFY_ACKNOWLEDGED,
			      .alert_id = G_MAXUINT64 - 1, .host = "web1",
			      .service = "http", .code = NM_STATE_UNKNOWN,
			      .output = "UNKNOWN: timeout", .author = "alice",
			      .comment = "looking" };
	return nm_notification_new(&n, G_MAXINT64);
}

static nm_msg *make_empty_flow(void)
{
	return nm_flow_batch_new("", 0, G_MININT64, 0, NULL);
}

typedef nm_msg *(*maker)(void);
static const maker makers[] = { make_metric, make_event, make_flow,
				make_config, make_state, make_notification,
				make_empty_flow };

static gboolean same_ip(const nm_ip *a, const nm_ip *b)
{
	gsize n = a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
	return a->family == b->family && memcmp(a->addr, b->addr, n) == 0;
}

static void assert_same(const nm_msg *a, const nm_msg *b)
{
	g_assert_cmpint(a->type, ==, b->type);
	g_assert_cmpint(a->time, ==, b->time);
	switch (a->type) {
	case NM_MSG_METRIC: {
		const nm_metric *x = nm_msg_as_metric(a), *y = nm_msg_as_metric(b);
		g_assert_cmpstr(x->host, ==, y->host);
		g_assert_cmpstr(x->plugin, ==, y->plugin);
		g_assert_cmpstr(x->plugin_instance, ==, y->plugin_instance);
		g_assert_cmpstr(x->type, ==, y->type);
		g_assert_cmpstr(x->type_instance, ==, y->type_instance);
		g_assert_cmpint(x->interval, ==, y->interval);
		g_assert_cmpuint(x->n_values, ==, y->n_values);
		for (guint i = 0; i < x->n_values; i++) {
			g_assert_cmpint(x->values[i].kind, ==, y->values[i].kind);
			/* Compare bits: covers NaN and every union member. */
			g_assert_cmpmem(&x->values[i].v, sizeof x->values[i].v,
					&y->values[i].v, sizeof y->values[i].v);
		}
		break;
	}
	case NM_MSG_EVENT: {
		const nm_event *x = nm_msg_as_event(a), *y = nm_msg_as_event(b);
		g_assert_cmpstr(x->source, ==, y->source);
		g_assert_cmpstr(x->host, ==, y->host);
		g_assert_cmpint(x->facility, ==, y->facility);
		g_assert_cmpint(x->severity, ==, y->severity);
		g_assert_cmpstr(x->app_name, ==, y->app_name);
		g_assert_cmpstr(x->procid, ==, y->procid);
		g_assert_cmpstr(x->msgid, ==, y->msgid);
		g_assert_cmpstr(x->structured_data, ==, y->structured_data);
		g_assert_cmpstr(x->text, ==, y->text);
		break;
	}
	case NM_MSG_FLOW: {
		const nm_flow_batch *x = nm_msg_as_flow(a), *y = nm_msg_as_flow(b);
		g_assert_cmpstr(x->exporter, ==, y->exporter);
		g_assert_cmpuint(x->observation_domain, ==, y->observation_domain);
		g_assert_cmpuint(x->n_records, ==, y->n_records);
		for (guint i = 0; i < x->n_records; i++) {
			const nm_flow_record *p = &x->records[i], *q = &y->records[i];
			g_assert_cmpint(p->start, ==, q->start);
			g_assert_cmpint(p->end, ==, q->end);
			g_assert_true(same_ip(&p->src, &q->src));
			g_assert_true(same_ip(&p->dst, &q->dst));
			g_assert_true(same_ip(&p->next_hop, &q->next_hop));
			g_assert_cmpuint(p->src_port, ==, q->src_port);
			g_assert_cmpuint(p->dst_port, ==, q->dst_port);
			g_assert_cmpuint(p->protocol, ==, q->protocol);
			g_assert_cmpuint(p->tos, ==, q->tos);
			g_assert_cmpuint(p->tcp_flags, ==, q->tcp_flags);
			g_assert_cmpuint(p->bytes, ==, q->bytes);
			g_assert_cmpuint(p->packets, ==, q->packets);
			g_assert_cmpuint(p->in_if, ==, q->in_if);
			g_assert_cmpuint(p->out_if, ==, q->out_if);
			g_assert_cmpuint(p->src_as, ==, q->src_as);
			g_assert_cmpuint(p->dst_as, ==, q->dst_as);
			g_assert_cmpuint(p->sampling_rate, ==, q->sampling_rate);
		}
		break;
	}
	case NM_MSG_CONFIG: {
		const nm_config_change *x = nm_msg_as_config(a), *y = nm_msg_as_config(b);
		g_assert_cmpstr(x->device, ==, y->device);
		g_assert_cmpstr(x->hash, ==, y->hash);
		g_assert_cmpstr(x->previous_hash, ==, y->previous_hash);
		g_assert_cmpstr(x->text, ==, y->text);
		g_assert_cmpstr(x->diff, ==, y->diff);
		break;
	}
	case NM_MSG_STATE: {
		const nm_state *x = nm_msg_as_state(a), *y = nm_msg_as_state(b);
		g_assert_cmpstr(x->host, ==, y->host);
		g_assert_cmpstr(x->service, ==, y->service);
		g_assert_cmpint(x->code, ==, y->code);
		g_assert_cmpint(x->state_type, ==, y->state_type);
		g_assert_cmpuint(x->attempt, ==, y->attempt);
		g_assert_cmpuint(x->max_attempts, ==, y->max_attempts);
		g_assert_cmpstr(x->output, ==, y->output);
		g_assert_cmpstr(x->long_output, ==, y->long_output);
		g_assert_cmpstr(x->perfdata, ==, y->perfdata);
		break;
	}
	case NM_MSG_NOTIFICATION: {
		const nm_notification *x = nm_msg_as_notification(a);
		const nm_notification *y = nm_msg_as_notification(b);
		g_assert_cmpint(x->kind, ==, y->kind);
		g_assert_cmpuint(x->alert_id, ==, y->alert_id);
		g_assert_cmpstr(x->host, ==, y->host);
		g_assert_cmpstr(x->service, ==, y->service);
		g_assert_cmpint(x->code, ==, y->code);
		g_assert_cmpstr(x->output, ==, y->output);
		g_assert_cmpstr(x->author, ==, y->author);
		g_assert_cmpstr(x->comment, ==, y->comment);
		break;
	}
	case NM_MSG_N_TYPES:
	default:
		g_assert_not_reached();
	}
}

static void test_round_trip(gconstpointer data)
{
	nm_msg *m = makers[GPOINTER_TO_UINT(data)]();
	GBytes *b;
	nm_msg *d;
	GError *err = NULL;
	gsize len;
	const guint8 *p;

	g_assert_nonnull(m);
	b = nm_wire_encode(m);
	g_assert_nonnull(b);
	p = g_bytes_get_data(b, &len);
	g_assert_cmpuint(len, >, NM_WIRE_HEADER_SIZE);
	g_assert_cmpint(p[0], ==, 'N');
	g_assert_cmpint(p[1], ==, 'M');
	g_assert_cmpint(p[2], ==, NM_WIRE_VERSION);
	g_assert_cmpint(p[3], ==, m->type);
	d = nm_wire_decode(p, len, &err);
	g_assert_no_error(err);
	g_assert_nonnull(d);
	assert_same(m, d);
	/* Encoding is deterministic: the decoded message encodes the same. */
	{
		GBytes *b2 = nm_wire_encode(d);
		g_assert_true(g_bytes_equal(b, b2));
		g_bytes_unref(b2);
	}
	nm_msg_unref(d);
	g_bytes_unref(b);
	nm_msg_unref(m);
}

/* Every proper prefix is rejected (truncated or invalid), never accepted. */
static void test_truncation(void)
{
	for (guint k = 0; k < G_N_ELEMENTS(makers); k++) {
		nm_msg *m = makers[k]();
		GBytes *b = nm_wire_encode(m);
		gsize len;
		const guint8 *p = g_bytes_get_data(b, &len);

		for (gsize cut = 0; cut < len; cut++) {
			/* A copy of exactly cut bytes, so ASan sees overreads. */
			guint8 *copy = g_memdup2(p, cut);
			GError *err = NULL;
			nm_msg *d = nm_wire_decode(cut > 0 ? copy : (const guint8 *)"", cut, &err);
			g_assert_null(d);
			g_assert_error(err, NM_WIRE_ERROR, NM_WIRE_ERROR_TRUNCATED);
			g_clear_error(&err);
			g_free(copy);
		}
		/* One extra byte is rejected too. */
		{
			guint8 *copy = g_malloc(len + 1);
			GError *err = NULL;
			memcpy(copy, p, len);
			copy[len] = 0;
			g_assert_null(nm_wire_decode(copy, len + 1, &err));
			g_assert_error(err, NM_WIRE_ERROR, NM_WIRE_ERROR_INVALID);
			g_assert_nonnull(strstr(err->message, "trailing"));
			g_clear_error(&err);
			g_free(copy);
		}
		g_bytes_unref(b);
		nm_msg_unref(m);
	}
}

static void test_header_errors(void)
{
	nm_msg *m = make_state();
	GBytes *b = nm_wire_encode(m);
	gsize len;
	guint8 *p = g_bytes_unref_to_data(b, &len);
	GError *err = NULL;

	p[2] = 2;
	g_assert_null(nm_wire_decode(p, len, &err));
	g_assert_error(err, NM_WIRE_ERROR, NM_WIRE_ERROR_VERSION);
	g_assert_nonnull(strstr(err->message, "unsupported encoding version 2"));
	g_clear_error(&err);
	p[2] = NM_WIRE_VERSION;
	p[3] = NM_MSG_N_TYPES;
	g_assert_null(nm_wire_decode(p, len, &err));
	g_assert_error(err, NM_WIRE_ERROR, NM_WIRE_ERROR_TYPE);
	g_assert_nonnull(strstr(err->message, "unknown message type 6"));
	g_clear_error(&err);
	p[3] = NM_MSG_STATE;
	p[0] = 'X';
	g_assert_null(nm_wire_decode(p, len, &err));
	g_assert_error(err, NM_WIRE_ERROR, NM_WIRE_ERROR_MAGIC);
	g_clear_error(&err);
	p[0] = 'N';
	{
		nm_msg *d = nm_wire_decode(p, len, &err);
		g_assert_no_error(err);
		nm_msg_unref(d);
	}
	g_free(p);
	nm_msg_unref(m);
	g_assert_null(nm_wire_encode(NULL));
}

/* Hand-made hostile fields: huge lengths, bad varints, NUL, ranges. */
static void test_hostile_fields(void)
{
	static const struct {
		const char *name;
		gsize len;
		const char *bytes;
		nm_wire_error_code code;
	} cases[] = {
#define HDR(t) "NM\x01" t "\0\0\0\0\0\0\0\0"
		{ "string length 2^63", 12 + 10,
		  HDR("\x03") "\xff\xff\xff\xff\xff\xff\xff\xff\x7f", NM_WIRE_ERROR_TRUNCATED },
		{ "varint over 64 bits", 12 + 10,
		  HDR("\x03") "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", NM_WIRE_ERROR_INVALID },
		{ "overlong varint", 12 + 2, HDR("\x03") "\x80\x00", NM_WIRE_ERROR_INVALID },
		{ "NUL in string", 12 + 3, HDR("\x03") "\x02" "a\0", NM_WIRE_ERROR_INVALID },
		{ "flow count too large", 12 + 1 + 1 + 5,
		  HDR("\x02") "\x00" "\x00" "\xff\xff\xff\xff\x0f", NM_WIRE_ERROR_TRUNCATED },
		{ "metric 0 values", 12 + 5 + 3 + 1 + 1,
		  HDR("\x00") "\x01h\x01p\x00\x01t\x00" "\x00" "\x00", NM_WIRE_ERROR_INVALID },
		{ "metric 65 values", 12 + 5 + 3 + 1 + 1,
		  HDR("\x00") "\x01h\x01p\x00\x01t\x00" "\x00" "\x41", NM_WIRE_ERROR_INVALID },
		{ "metric bad kind", 12 + 8 + 1 + 1 + 2,
		  HDR("\x00") "\x01h\x01p\x00\x01t\x00" "\x00" "\x01" "\x07\x00", NM_WIRE_ERROR_INVALID },
		{ "metric empty host", 12 + 7 + 1 + 1 + 2,
		  HDR("\x00") "\x00\x01p\x00\x01t\x00" "\x00" "\x01" "\x01\x05", NM_WIRE_ERROR_INVALID },
		{ "state code 4", 12 + 2 + 1,
		  HDR("\x04") "\x00\x00" "\x04", NM_WIRE_ERROR_INVALID },
		{ "notification kind 9", 12 + 1, HDR("\x05") "\x09", NM_WIRE_ERROR_INVALID },
		{ "event facility 24", 12 + 2 + 2, HDR("\x01") "\x00\x00" "\x30\x00", NM_WIRE_ERROR_INVALID },
		{ "event bad UTF-8", 12 + 2 + 2 + 4 + 2,
		  HDR("\x01") "\x00\x00" "\x01\x02" "\x00\x00\x00\x00" "\x01\xff", NM_WIRE_ERROR_INVALID },
		{ "flow bad family", 12 + 1 + 1 + 1 + 20,
		  HDR("\x02") "\x00" "\x00" "\x01" "\x00\x00\x05\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
		  NM_WIRE_ERROR_INVALID },
		{ "flow port 65536", 12 + 3 + 2 + 3 + 3 + 20,
		  HDR("\x02") "\x00" "\x00" "\x01" "\x00\x00" "\x00\x00\x00" "\x80\x80\x04"
		  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", NM_WIRE_ERROR_INVALID },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		guint8 *copy = g_memdup2(cases[i].bytes, cases[i].len);
		GError *err = NULL;
		nm_msg *d = nm_wire_decode(copy, cases[i].len, &err);
		if (d != NULL)
			g_error("%s: accepted", cases[i].name);
		if (err->code != (gint)cases[i].code)
			g_error("%s: code %d (%s), want %d", cases[i].name,
				err->code, err->message, cases[i].code);
		g_clear_error(&err);
		g_free(copy);
	}
}

/* Random buffers (some with a valid header) and random mutations of valid
 * messages: the decoder returns a message or an error, never crashes, never
 * reads past the end (ASan build), never leaks. 50,000 rounds: about 1 s
 * plain and 40 s under ASan on the 2-core CI machine; the coverage-guided
 * search is t/fuzz/fuzz-wire's job. */
#define RANDOM_ROUNDS 50000u
static void test_random(void)
{
	GRand *rnd = g_rand_new_with_seed(20261123);
	guint accepted = 0;

	for (guint iter = 0; iter < RANDOM_ROUNDS; iter++) {
		gsize len;
		guint8 *buf;
		GError *err = NULL;
		nm_msg *d;

		if (iter % 2 == 0) {
			len = (gsize)g_rand_int_range(rnd, 0, 64);
			buf = g_malloc(len + 1);
			for (gsize i = 0; i < len; i++)
				buf[i] = (guint8)g_rand_int(rnd);
			if (len >= 4 && iter % 4 == 0) {
				buf[0] = 'N';
				buf[1] = 'M';
				buf[2] = NM_WIRE_VERSION;
				buf[3] = (guint8)g_rand_int_range(rnd, 0, NM_MSG_N_TYPES);
			}
		} else {
			nm_msg *m = makers[iter % G_N_ELEMENTS(makers)]();
			GBytes *b = nm_wire_encode(m);
			guint flips = (guint)g_rand_int_range(rnd, 1, 4);
			buf = g_bytes_unref_to_data(b, &len);
			nm_msg_unref(m);
			for (guint f = 0; f < flips; f++) {
				gsize at = (gsize)g_rand_int_range(rnd, 4, (gint32)len);
				buf[at] ^= (guint8)(1u << g_rand_int_range(rnd, 0, 8));
			}
			if (g_rand_boolean(rnd))
				len = (gsize)g_rand_int_range(rnd, 0, (gint32)len + 1);
			/* Shrink to exactly len bytes so ASan catches overreads. */
			buf = g_realloc(buf, len > 0 ? len : 1);
		}
		d = nm_wire_decode(buf, len, &err);
		if (d != NULL) {
			g_assert_no_error(err);
			accepted++;
			/* Whatever was accepted encodes and decodes again. */
			GBytes *b = nm_wire_encode(d);
			gsize l2;
			const guint8 *p2 = g_bytes_get_data(b, &l2);
			nm_msg *d2 = nm_wire_decode(p2, l2, &err);
			g_assert_no_error(err);
			assert_same(d, d2);
			nm_msg_unref(d2);
			g_bytes_unref(b);
			nm_msg_unref(d);
		} else {
			g_assert_nonnull(err);
			g_assert_true(err->domain == NM_WIRE_ERROR);
			g_clear_error(&err);
		}
		g_free(buf);
	}
	g_test_message("random: %u of %u buffers decoded", accepted, RANDOM_ROUNDS);
	g_rand_free(rnd);
	g_assert_cmpint(nm_msg_live_count(), ==, 0);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "metric", "event", "flow", "config",
					     "state", "notification",
					     "flow-empty" };

	/* NM_WIRE_WRITE_SEEDS=DIR: write each round-trip message's encoding
	 * to DIR/<name> (how t/fuzz/corpus/wire/ was made) and exit. */
	if (g_getenv("NM_WIRE_WRITE_SEEDS") != NULL) {
		for (guint i = 0; i < G_N_ELEMENTS(makers); i++) {
			nm_msg *m = makers[i]();
			GBytes *b = nm_wire_encode(m);
			char *path = g_build_filename(g_getenv("NM_WIRE_WRITE_SEEDS"),
						      names[i], NULL);
			gsize len;
			const guint8 *d = g_bytes_get_data(b, &len);

			if (!g_file_set_contents(path, (const char *)d,
						 (gssize)len, NULL))
				return 1;
			g_free(path);
			g_bytes_unref(b);
			nm_msg_unref(m);
		}
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(makers); i++) {
		char *path = g_strdup_printf("/wire/round-trip/%s", names[i]);
		g_test_add_data_func(path, GUINT_TO_POINTER(i), test_round_trip);
		g_free(path);
	}
	g_test_add_func("/wire/truncation", test_truncation);
	g_test_add_func("/wire/header-errors", test_header_errors);
	g_test_add_func("/wire/hostile-fields", test_hostile_fields);
	g_test_add_func("/wire/random", test_random);
	return g_test_run();
}
