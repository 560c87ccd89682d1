/* netmon — compact, versioned binary encoding of bus messages.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The format is documented in include/netmon/wire.h.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <netmon/wire.h>

G_DEFINE_QUARK(nm-wire-error-quark, nm_wire_error)

#define WIRE_MAGIC0 'N'
#define WIRE_MAGIC1 'M'
#define MAX_VALUES 64

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static void put_u8(GByteArray *b, guint8 v)
{
	g_byte_array_append(b, &v, 1);
}

static void put_fixed64(GByteArray *b, guint64 v)
{
	guint8 tmp[8];

	for (int i = 0; i < 8; i++)
		tmp[i] = (guint8)(v >> (8 * i));
	g_byte_array_append(b, tmp, 8);
}

static void put_uvar(GByteArray *b, guint64 v)
{
	guint8 tmp[10];
	guint n = 0;

	while (v >= 0x80) {
		tmp[n++] = (guint8)(v | 0x80);
		v >>= 7;
	}
	tmp[n++] = (guint8)v;
	g_byte_array_append(b, tmp, n);
}

static void put_svar(GByteArray *b, gint64 v)
{
	put_uvar(b, ((guint64)v << 1) ^ (guint64)(v >> 63));
}

static void put_str(GByteArray *b, const char *s)
{
	gsize n = s != NULL ? strlen(s) : 0;

	put_uvar(b, n);
	if (n > 0)
		g_byte_array_append(b, (const guint8 *)s, (guint)n);
}

static void put_double(GByteArray *b, double d)
{
	guint64 bits;

	G_STATIC_ASSERT(sizeof bits == sizeof d);
	memcpy(&bits, &d, sizeof bits);
	put_fixed64(b, bits);
}

static void put_ip(GByteArray *b, const nm_ip *ip)
{
	if (ip->family == AF_INET) {
		put_u8(b, 4);
		g_byte_array_append(b, ip->addr, 4);
	} else if (ip->family == AF_INET6) {
		put_u8(b, 6);
		g_byte_array_append(b, ip->addr, 16);
	} else {
		put_u8(b, 0);
	}
}

static void encode_metric(GByteArray *b, const nm_metric *m)
{
	put_str(b, m->host);
	put_str(b, m->plugin);
	put_str(b, m->plugin_instance);
	put_str(b, m->type);
	put_str(b, m->type_instance);
	put_svar(b, m->interval);
	put_uvar(b, m->n_values);
	for (guint i = 0; i < m->n_values; i++) {
		const nm_value *v = &m->values[i];
		put_u8(b, (guint8)v->kind);
		switch (v->kind) {
		case NM_DS_GAUGE:
			put_double(b, v->v.gauge);
			break;
		case NM_DS_COUNTER:
			put_uvar(b, v->v.counter);
			break;
		case NM_DS_DERIVE:
			put_svar(b, v->v.derive);
			break;
		case NM_DS_ABSOLUTE:
		default:
			put_uvar(b, v->v.absolute);
			break;
		}
	}
}

static void encode_event(GByteArray *b, const nm_event *e)
{
	put_str(b, e->source);
	put_str(b, e->host);
	put_svar(b, e->facility);
	put_svar(b, e->severity);
	put_str(b, e->app_name);
	put_str(b, e->procid);
	put_str(b, e->msgid);
	put_str(b, e->structured_data);
	put_str(b, e->text);
}

static void encode_flow(GByteArray *b, const nm_flow_batch *f)
{
	put_str(b, f->exporter);
	put_uvar(b, f->observation_domain);
	put_uvar(b, f->n_records);
	for (guint i = 0; i < f->n_records; i++) {
		const nm_flow_record *r = &f->records[i];
		put_svar(b, r->start);
		put_svar(b, r->end);
		put_ip(b, &r->src);
		put_ip(b, &r->dst);
		put_ip(b, &r->next_hop);
		put_uvar(b, r->src_port);
		put_uvar(b, r->dst_port);
		put_u8(b, r->protocol);
		put_u8(b, r->tos);
		put_u8(b, r->tcp_flags);
		put_uvar(b, r->bytes);
		put_uvar(b, r->packets);
		put_uvar(b, r->in_if);
		put_uvar(b, r->out_if);
		put_uvar(b, r->src_as);
		put_uvar(b, r->dst_as);
		put_uvar(b, r->sampling_rate);
	}
}

static void encode_config(GByteArray *b, const nm_config_change *c)
{
	put_str(b, c->device);
	put_str(b, c->hash);
	put_str(b, c->previous_hash);
	put_str(b, c->text);
	put_str(b, c->diff);
}

static void encode_state(GByteArray *b, const nm_state *s)
{
	put_str(b, s->host);
	put_str(b, s->service);
	put_uvar(b, (guint64)s->code);
	put_uvar(b, (guint64)s->state_type);
	put_uvar(b, s->attempt);
	put_uvar(b, s->max_attempts);
	put_str(b, s->output);
	put_str(b, s->long_output);
	put_str(b, s->perfdata);
}

static void encode_notification(GByteArray *b, const nm_notification *n)
{
	put_uvar(b, (guint64)n->kind);
	put_uvar(b, n->alert_id);
	put_str(b, n->host);
	put_str(b, n->service);
	put_uvar(b, (guint64)n->code);
	put_str(b, n->output);
	put_str(b, n->author);
	put_str(b, n->comment);
}

GBytes *nm_wire_encode(const nm_msg *msg)
{
	GByteArray *b;

	if (msg == NULL || (guint)msg->type >= NM_MSG_N_TYPES)
		return NULL;
	b = g_byte_array_sized_new(128);
	put_u8(b, WIRE_MAGIC0);
	put_u8(b, WIRE_MAGIC1);
	put_u8(b, NM_WIRE_VERSION);
	put_u8(b, (guint8)msg->type);
	put_fixed64(b, (guint64)msg->time);
	switch (msg->type) {
	case NM_MSG_METRIC:
		encode_metric(b, nm_msg_as_metric(msg));
		break;
	case NM_MSG_EVENT:
		encode_event(b, nm_msg_as_event(msg));
		break;
	case NM_MSG_FLOW:
		encode_flow(b, nm_msg_as_flow(msg));
		break;
	case NM_MSG_CONFIG:
		encode_config(b, nm_msg_as_config(msg));
		break;
	case NM_MSG_STATE:
		encode_state(b, nm_msg_as_state(msg));
		break;
	case NM_MSG_NOTIFICATION:
		encode_notification(b, nm_msg_as_notification(msg));
		break;
	case NM_MSG_N_TYPES:
	default:
		g_byte_array_unref(b);
		return NULL;
	}
	return g_byte_array_free_to_bytes(b);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

typedef struct {
	const guint8 *buf;
	gsize len, pos;
	GError **err;
	gboolean failed;
	GPtrArray *strings;  /* decoded strings, freed at the end */
} reader;

static gboolean fail(reader *r, nm_wire_error_code code, const char *what)
{
	if (!r->failed)
		g_set_error(r->err, NM_WIRE_ERROR, code,
			    "wire: %s at byte %" G_GSIZE_FORMAT " of %"
			    G_GSIZE_FORMAT, what, r->pos, r->len);
	r->failed = TRUE;
	return FALSE;
}

static gboolean get_u8(reader *r, guint8 *out, const char *what)
{
	if (r->failed)
		return FALSE;
	if (r->len - r->pos < 1)
		return fail(r, NM_WIRE_ERROR_TRUNCATED, what);
	*out = r->buf[r->pos++];
	return TRUE;
}

static gboolean get_fixed64(reader *r, guint64 *out, const char *what)
{
	guint64 v = 0;

	if (r->failed)
		return FALSE;
	if (r->len - r->pos < 8)
		return fail(r, NM_WIRE_ERROR_TRUNCATED, what);
	for (int i = 0; i < 8; i++)
		v |= (guint64)r->buf[r->pos + (gsize)i] << (8 * i);
	r->pos += 8;
	*out = v;
	return TRUE;
}

static gboolean get_uvar(reader *r, guint64 *out, const char *what)
{
	guint64 v = 0;

	if (r->failed)
		return FALSE;
	for (guint i = 0; i < 10; i++) {
		guint8 byte;
		if (r->pos >= r->len)
			return fail(r, NM_WIRE_ERROR_TRUNCATED, what);
		byte = r->buf[r->pos++];
		if (i == 9 && byte > 1)
			return fail(r, NM_WIRE_ERROR_INVALID,
				    "varint over 64 bits");
		if (i > 0 && byte == 0)
			return fail(r, NM_WIRE_ERROR_INVALID, "overlong varint");
		v |= (guint64)(byte & 0x7f) << (7 * i);
		if ((byte & 0x80) == 0) {
			*out = v;
			return TRUE;
		}
	}
	return fail(r, NM_WIRE_ERROR_INVALID, "varint over 10 bytes");
}

static gboolean get_svar(reader *r, gint64 *out, const char *what)
{
	guint64 u;

	if (!get_uvar(r, &u, what))
		return FALSE;
	*out = (gint64)(u >> 1) ^ -(gint64)(u & 1);
	return TRUE;
}

/* An unsigned varint no larger than @max. */
static gboolean get_uint_max(reader *r, guint64 max, guint64 *out,
			     const char *what)
{
	if (!get_uvar(r, out, what))
		return FALSE;
	if (*out > max) {
		char *m = g_strdup_printf("%s out of range (%" G_GUINT64_FORMAT
					  " > %" G_GUINT64_FORMAT ")", what,
					  *out, max);
		fail(r, NM_WIRE_ERROR_INVALID, m);
		g_free(m);
		return FALSE;
	}
	return TRUE;
}

static gboolean get_u32(reader *r, guint32 *out, const char *what)
{
	guint64 v;

	if (!get_uint_max(r, G_MAXUINT32, &v, what))
		return FALSE;
	*out = (guint32)v;
	return TRUE;
}

/* A string: a new NUL-terminated copy owned by the reader, or NULL. */
static const char *get_str(reader *r, const char *what)
{
	guint64 n;
	char *s;

	if (!get_uvar(r, &n, what))
		return NULL;
	if (n > r->len - r->pos) {
		fail(r, NM_WIRE_ERROR_TRUNCATED, what);
		return NULL;
	}
	if (n > 0 && memchr(r->buf + r->pos, 0, (gsize)n) != NULL) {
		fail(r, NM_WIRE_ERROR_INVALID, "NUL byte in a string");
		return NULL;
	}
	s = g_malloc((gsize)n + 1);
	if (n > 0)
		memcpy(s, r->buf + r->pos, (gsize)n);
	s[n] = '\0';
	r->pos += (gsize)n;
	g_ptr_array_add(r->strings, s);
	return s;
}

static gboolean get_ip(reader *r, nm_ip *ip)
{
	guint8 fam = 0;

	memset(ip, 0, sizeof *ip);
	if (!get_u8(r, &fam, "address family"))
		return FALSE;
	switch (fam) {
	case 0:
		return TRUE;
	case 4:
	case 6: {
		gsize n = fam == 4 ? 4 : 16;
		if (r->len - r->pos < n)
			return fail(r, NM_WIRE_ERROR_TRUNCATED, "address");
		memcpy(ip->addr, r->buf + r->pos, n);
		r->pos += n;
		ip->family = fam == 4 ? AF_INET : AF_INET6;
		return TRUE;
	}
	default:
		return fail(r, NM_WIRE_ERROR_INVALID, "unknown address family");
	}
}

static nm_msg *decode_metric(reader *r, gint64 time)
{
	const char *host = get_str(r, "metric host");
	const char *plugin = get_str(r, "metric plugin");
	const char *pi = get_str(r, "metric plugin_instance");
	const char *type = get_str(r, "metric type");
	const char *ti = get_str(r, "metric type_instance");
	gint64 interval = 0;
	guint64 n = 0;
	nm_value values[MAX_VALUES];
	nm_msg *m;

	if (!get_svar(r, &interval, "metric interval") ||
	    !get_uvar(r, &n, "metric value count"))
		return NULL;
	if (n == 0 || n > MAX_VALUES) {
		fail(r, NM_WIRE_ERROR_INVALID, "metric value count not in 1..64");
		return NULL;
	}
	memset(values, 0, sizeof values);
	for (guint i = 0; i < n; i++) {
		guint8 kind = 0;
		guint64 bits;
		if (!get_u8(r, &kind, "value kind"))
			return NULL;
		values[i].kind = (nm_ds_kind)kind;
		switch (kind) {
		case NM_DS_GAUGE:
			if (!get_fixed64(r, &bits, "gauge value"))
				return NULL;
			memcpy(&values[i].v.gauge, &bits, sizeof bits);
			break;
		case NM_DS_COUNTER:
			if (!get_uvar(r, &values[i].v.counter, "counter value"))
				return NULL;
			break;
		case NM_DS_DERIVE:
			if (!get_svar(r, &values[i].v.derive, "derive value"))
				return NULL;
			break;
		case NM_DS_ABSOLUTE:
			if (!get_uvar(r, &values[i].v.absolute, "absolute value"))
				return NULL;
			break;
		default:
			fail(r, NM_WIRE_ERROR_INVALID, "unknown value kind");
			return NULL;
		}
	}
	if (r->pos != r->len) {
		fail(r, NM_WIRE_ERROR_INVALID, "trailing bytes");
		return NULL;
	}
	m = nm_metric_new(host, plugin, pi, type, ti, time, interval,
			  (guint)n, values);
	if (m == NULL)
		fail(r, NM_WIRE_ERROR_INVALID,
		     "metric without host, plugin or type");
	return m;
}

static nm_msg *decode_event(reader *r, gint64 time)
{
	nm_event e;
	gint64 fac = 0, sev = 0;

	memset(&e, 0, sizeof e);
	e.source = get_str(r, "event source");
	e.host = get_str(r, "event host");
	if (!get_svar(r, &fac, "event facility") ||
	    !get_svar(r, &sev, "event severity"))
		return NULL;
	if (fac < -1 || fac > 23) {
		fail(r, NM_WIRE_ERROR_INVALID, "event facility not in -1..23");
		return NULL;
	}
	if (sev < 0 || sev > 7) {
		fail(r, NM_WIRE_ERROR_INVALID, "event severity not in 0..7");
		return NULL;
	}
	e.facility = (int)fac;
	e.severity = (int)sev;
	e.app_name = get_str(r, "event app_name");
	e.procid = get_str(r, "event procid");
	e.msgid = get_str(r, "event msgid");
	e.structured_data = get_str(r, "event structured_data");
	e.text = get_str(r, "event text");
	if (r->failed)
		return NULL;
	if (!g_utf8_validate(e.text, -1, NULL)) {
		fail(r, NM_WIRE_ERROR_INVALID, "event text is not UTF-8");
		return NULL;
	}
	if (r->pos != r->len) {
		fail(r, NM_WIRE_ERROR_INVALID, "trailing bytes");
		return NULL;
	}
	return nm_event_new(&e, time);
}

static gboolean get_record(reader *r, nm_flow_record *rec)
{
	guint64 v;

	return get_svar(r, &rec->start, "flow start") &&
	       get_svar(r, &rec->end, "flow end") &&
	       get_ip(r, &rec->src) && get_ip(r, &rec->dst) &&
	       get_ip(r, &rec->next_hop) &&
	       get_uint_max(r, G_MAXUINT16, &v, "flow src_port") &&
	       (rec->src_port = (guint16)v, TRUE) &&
	       get_uint_max(r, G_MAXUINT16, &v, "flow dst_port") &&
	       (rec->dst_port = (guint16)v, TRUE) &&
	       get_u8(r, &rec->protocol, "flow protocol") &&
	       get_u8(r, &rec->tos, "flow tos") &&
	       get_u8(r, &rec->tcp_flags, "flow tcp_flags") &&
	       get_uvar(r, &rec->bytes, "flow bytes") &&
	       get_uvar(r, &rec->packets, "flow packets") &&
	       get_u32(r, &rec->in_if, "flow in_if") &&
	       get_u32(r, &rec->out_if, "flow out_if") &&
	       get_u32(r, &rec->src_as, "flow src_as") &&
	       get_u32(r, &rec->dst_as, "flow dst_as") &&
	       get_u32(r, &rec->sampling_rate, "flow sampling_rate");
}

/* Smallest encoded record: 2 varints, 3 families, 2 ports, 3 u8, 7 varints. */
#define MIN_RECORD_SIZE 17

static nm_msg *decode_flow(reader *r, gint64 time)
{
	const char *exporter = get_str(r, "flow exporter");
	guint32 domain = 0;
	guint64 n = 0;
	nm_flow_record *recs;
	nm_msg *m;

	if (!get_u32(r, &domain, "flow observation_domain") ||
	    !get_uvar(r, &n, "flow record count"))
		return NULL;
	/* Bound the allocation by what the remaining bytes can hold. */
	if (n > (r->len - r->pos) / MIN_RECORD_SIZE) {
		fail(r, NM_WIRE_ERROR_TRUNCATED, "flow record count");
		return NULL;
	}
	recs = g_new0(nm_flow_record, n > 0 ? n : 1);
	for (guint64 i = 0; i < n; i++) {
		if (!get_record(r, &recs[i])) {
			g_free(recs);
			return NULL;
		}
	}
	if (r->pos != r->len) {
		fail(r, NM_WIRE_ERROR_INVALID, "trailing bytes");
		g_free(recs);
		return NULL;
	}
	m = nm_flow_batch_new(exporter, domain, time, (guint)n, recs);
	g_free(recs);
	return m;
}

static nm_msg *decode_config(reader *r, gint64 time)
{
	const char *device = get_str(r, "config device");
	const char *hash = get_str(r, "config hash");
	const char *prev = get_str(r, "config previous_hash");
	const char *text = get_str(r, "config text");
	const char *diff = get_str(r, "config diff");

	if (r->failed)
		return NULL;
	if (r->pos != r->len) {
		fail(r, NM_WIRE_ERROR_INVALID, "trailing bytes");
		return NULL;
	}
	return nm_config_change_new(device, time, hash, prev, text, diff);
}

static nm_msg *decode_state(reader *r, gint64 time)
{
	nm_state s;
	guint64 code = 0, st = 0;
	guint32 attempt = 0, max_attempts = 0;

	memset(&s, 0, sizeof s);
	s.host = get_str(r, "state host");
	s.service = get_str(r, "state service");
	if (!get_uint_max(r, NM_STATE_UNKNOWN, &code, "state code") ||
	    !get_uint_max(r, NM_STATE_HARD, &st, "state type") ||
	    !get_u32(r, &attempt, "state attempt") ||
	    !get_u32(r, &max_attempts, "state max_attempts"))
		return NULL;
	s.code = (nm_state_code)code;
	s.state_type = (nm_state_type)st;
	s.attempt = attempt;
	s.max_attempts = max_attempts;
	s.output = get_str(r, "state output");
	s.long_output = get_str(r, "state long_output");
	s.perfdata = get_str(r, "state perfdata");
	if (r->failed)
		return NULL;
	if (r->pos != r->len) {
		fail(r, NM_WIRE_ERROR_INVALID, "trailing bytes");
		return NULL;
	}
	return nm_state_new(&s, time);
}

static nm_msg *decode_notification(reader *r, gint64 time)
{
	nm_notification n;
	guint64 kind = 0, code = 0;

	memset(&n, 0, sizeof n);
	if (!get_uint_max(r, NM_NOTIFY_FLAPPING_STOP, &kind, "notification kind") ||
	    !get_uvar(r, &n.alert_id, "notification alert_id"))
		return NULL;
	n.kind = (nm_notify_kind)kind;
	n.host = get_str(r, "notification host");
	n.service = get_str(r, "notification service");
	if (!get_uint_max(r, NM_STATE_UNKNOWN, &code, "notification code"))
		return NULL;
	n.code = (nm_state_code)code;
	n.output = get_str(r, "notification output");
	n.author = get_str(r, "notification author");
	n.comment = get_str(r, "notification comment");
	if (r->failed)
		return NULL;
	if (r->pos != r->len) {
		fail(r, NM_WIRE_ERROR_INVALID, "trailing bytes");
		return NULL;
	}
	return nm_notification_new(&n, time);
}

nm_msg *nm_wire_decode(const guint8 *buf, gsize len, GError **err)
{
	reader r = { .buf = buf, .len = len, .err = err };
	guint8 m0 = 0, m1 = 0, version = 0, type = 0;
	guint64 time = 0;
	nm_msg *msg = NULL;

	g_return_val_if_fail(buf != NULL || len == 0, NULL);
	if (!get_u8(&r, &m0, "magic") || !get_u8(&r, &m1, "magic"))
		return NULL;
	if (m0 != WIRE_MAGIC0 || m1 != WIRE_MAGIC1) {
		r.pos = 0;
		fail(&r, NM_WIRE_ERROR_MAGIC, "not a netmon message (bad magic)");
		return NULL;
	}
	if (!get_u8(&r, &version, "version"))
		return NULL;
	if (version != NM_WIRE_VERSION) {
		char *m = g_strdup_printf("unsupported encoding version %u "
					  "(this build reads %u)", version,
					  NM_WIRE_VERSION);
		r.pos = 2;
		fail(&r, NM_WIRE_ERROR_VERSION, m);
		g_free(m);
		return NULL;
	}
	if (!get_u8(&r, &type, "type"))
		return NULL;
	if (type >= NM_MSG_N_TYPES) {
		char *m = g_strdup_printf("unknown message type %u", type);
		r.pos = 3;
		fail(&r, NM_WIRE_ERROR_TYPE, m);
		g_free(m);
		return NULL;
	}
	if (!get_fixed64(&r, &time, "time"))
		return NULL;
	r.strings = g_ptr_array_new_with_free_func(g_free);
	switch ((nm_msg_type)type) {
	case NM_MSG_METRIC:
		msg = decode_metric(&r, (gint64)time);
		break;
	case NM_MSG_EVENT:
		msg = decode_event(&r, (gint64)time);
		break;
	case NM_MSG_FLOW:
		msg = decode_flow(&r, (gint64)time);
		break;
	case NM_MSG_CONFIG:
		msg = decode_config(&r, (gint64)time);
		break;
	case NM_MSG_STATE:
		msg = decode_state(&r, (gint64)time);
		break;
	case NM_MSG_NOTIFICATION:
		msg = decode_notification(&r, (gint64)time);
		break;
	case NM_MSG_N_TYPES:
	default:
		break;
	}
	g_ptr_array_unref(r.strings);
	if (msg == NULL && !r.failed)
		fail(&r, NM_WIRE_ERROR_INVALID, "cannot build the message");
	return msg;
}
