/* netmon test plugin "natsfeed": publishes numbered messages of all six
 * types, and/or counts and checks the ones it receives.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * natsfeed = { send = 1000; per_tick = 100; interval = 0.01; check = true; };
 * With send = N, publishes messages 0..N-1 of every type (N * 6 in all;
 * types = [ "flow", ... ] publishes only those, for contrib/bench/nats),
 * each carrying its sequence number and fields derived from it. With
 * check = true, counts messages from host "natsfeed" per type (counters
 * "<type>_received", "<type>_bad" for a field that is not what the sender
 * put there, "<type>_out_of_order", "<type>_duplicate"); stats details
 * give the number of distinct sequence numbers seen per type, kept over
 * restarts in the file `state` when set.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netmon/plugin.h>

typedef struct {
	nm_plugin *p;
	gint64 send, per_tick, sent;
	guint types;                       /* 1 << nm_msg_type to publish */
	GMutex lock;
	gint64 last[NM_MSG_N_TYPES];
	GByteArray *seen[NM_MSG_N_TYPES];  /* one byte per sequence number */
	gint64 distinct[NM_MSG_N_TYPES];
	char *state;                       /* file keeping `seen` over restarts */
	nm_counter *received[NM_MSG_N_TYPES], *bad[NM_MSG_N_TYPES];
	nm_counter *ooo[NM_MSG_N_TYPES], *dup[NM_MSG_N_TYPES];
} feed;

static const nm_conf_key keys[] = {
	{ .name = "send", .kind = NM_CONF_INT, .has_range = TRUE, .min = 0, .max = 1e9 },
	{ .name = "per_tick", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1, .max = 1e6 },
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 0.001, .max = 3600 },
	{ .name = "check", .kind = NM_CONF_BOOL },
	{ .name = "types", .kind = NM_CONF_ARRAY },
	{ .name = "state", .kind = NM_CONF_STRING },
	{ .name = NULL }
};

#define HOST "natsfeed"

static void make_records(nm_flow_record *r, gint64 i)
{
	memset(r, 0, 2 * sizeof *r);
	r[0].start = i;
	r[0].end = i + 1000000;
	r[0].src.family = AF_INET;
	memcpy(r[0].src.addr, "\xc0\x00\x02\x01", 4);
	r[0].dst.family = AF_INET6;
	r[0].dst.addr[15] = 1;
	r[0].src_port = 1234;
	r[0].dst_port = 443;
	r[0].protocol = 6;
	r[0].bytes = (guint64)i * 1000;
	r[0].packets = (guint64)i;
	r[0].sampling_rate = 1;
	r[1].bytes = (guint64)i;
	r[1].in_if = 7;
}

static void publish_one(feed *f, gint64 i, GPtrArray *out)
{
	gint64 now = g_get_real_time();
	char num[32], text[64];
	nm_value v[2] = { { .kind = NM_DS_GAUGE, .v.gauge = (double)i },
			  { .kind = NM_DS_DERIVE, .v.derive = -i } };
	nm_flow_record r[2];

	g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, i);
	g_snprintf(text, sizeof text, "event %" G_GINT64_FORMAT, i);
	if (f->types & (1u << NM_MSG_METRIC))
		g_ptr_array_add(out, nm_metric_new(HOST, "feed", "p", "gauge", "t", now,
						   G_USEC_PER_SEC, 2, v));
	if (f->types & (1u << NM_MSG_EVENT))
		g_ptr_array_add(out, nm_event_new(&(nm_event){
			.source = "192.0.2.1", .host = HOST, .facility = 4,
			.severity = 6, .app_name = "app", .procid = num, .msgid = "m",
			.structured_data = "[x@1 a=\"b\"]", .text = text }, now));
	make_records(r, i);
	if (f->types & (1u << NM_MSG_FLOW))
		g_ptr_array_add(out, nm_flow_batch_new(HOST, (guint32)i, now, 2, r));
	if (f->types & (1u << NM_MSG_CONFIG))
		g_ptr_array_add(out, nm_config_change_new(HOST, now, num, "prev",
							  "text\n", "diff\n"));
	if (f->types & (1u << NM_MSG_STATE))
		g_ptr_array_add(out, nm_state_new(&(nm_state){
			.host = HOST, .service = "svc", .code = NM_STATE_WARNING,
			.state_type = NM_STATE_HARD, .attempt = (guint)i + 1,
			.max_attempts = 3, .output = text, .long_output = "l",
			.perfdata = "a=1" }, now));
	if (f->types & (1u << NM_MSG_NOTIFICATION))
		g_ptr_array_add(out, nm_notification_new(&(nm_notification){
			.kind = NM_NOTIFY_OPENED, .alert_id = (guint64)i, .host = HOST,
			.service = "svc", .code = NM_STATE_CRITICAL, .output = text,
			.author = "", .comment = "" }, now));
	(void)f;
}

static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	feed *f = data;
	gint64 n = MIN(f->per_tick, f->send - f->sent);
	GPtrArray *batch;

	(void)t;
	(void)due;
	if (n <= 0)
		return NM_RUN_DONE;
	batch = g_ptr_array_new();
	for (gint64 i = 0; i < n; i++)
		publish_one(f, f->sent + i, batch);
	nm_plugin_publish_batch(p, (nm_msg *const *)batch->pdata, batch->len);
	g_ptr_array_free(batch, TRUE);
	f->sent += n;
	if (f->sent == f->send)
		NM_INFO(p, "all %" G_GINT64_FORMAT " x 6 messages published", f->sent);
	return NM_RUN_DONE;
}

/* The sequence number in @m and whether the other fields are right;
 * -1 when the message is not from the feed. */
static gint64 check_msg(const nm_msg *m, gboolean *good)
{
	gint64 i = -1;
	char num[32], text[64];

	*good = FALSE;
	switch (m->type) {
	case NM_MSG_METRIC: {
		const nm_metric *x = nm_msg_as_metric(m);
		if (strcmp(x->host, HOST) != 0)
			return -1;
		i = (gint64)x->values[0].v.gauge;
		*good = x->n_values == 2 && x->values[1].kind == NM_DS_DERIVE &&
			x->values[1].v.derive == -i && strcmp(x->plugin, "feed") == 0 &&
			strcmp(x->plugin_instance, "p") == 0 &&
			strcmp(x->type, "gauge") == 0 && strcmp(x->type_instance, "t") == 0 &&
			x->interval == G_USEC_PER_SEC;
		return i;
	}
	case NM_MSG_EVENT: {
		const nm_event *x = nm_msg_as_event(m);
		if (strcmp(x->host, HOST) != 0)
			return -1;
		i = g_ascii_strtoll(x->procid, NULL, 10);
		g_snprintf(text, sizeof text, "event %" G_GINT64_FORMAT, i);
		*good = strcmp(x->text, text) == 0 && x->facility == 4 &&
			x->severity == 6 && strcmp(x->source, "192.0.2.1") == 0 &&
			strcmp(x->app_name, "app") == 0 && strcmp(x->msgid, "m") == 0 &&
			strcmp(x->structured_data, "[x@1 a=\"b\"]") == 0;
		return i;
	}
	case NM_MSG_FLOW: {
		const nm_flow_batch *x = nm_msg_as_flow(m);
		nm_flow_record r[2];
		if (strcmp(x->exporter, HOST) != 0)
			return -1;
		i = x->observation_domain;
		make_records(r, i);
		*good = x->n_records == 2 &&
			memcmp(x->records, r, sizeof r) == 0;
		return i;
	}
	case NM_MSG_CONFIG: {
		const nm_config_change *x = nm_msg_as_config(m);
		if (strcmp(x->device, HOST) != 0)
			return -1;
		i = g_ascii_strtoll(x->hash, NULL, 10);
		*good = strcmp(x->previous_hash, "prev") == 0 &&
			strcmp(x->text, "text\n") == 0 && strcmp(x->diff, "diff\n") == 0;
		return i;
	}
	case NM_MSG_STATE: {
		const nm_state *x = nm_msg_as_state(m);
		if (strcmp(x->host, HOST) != 0)
			return -1;
		i = (gint64)x->attempt - 1;
		g_snprintf(text, sizeof text, "event %" G_GINT64_FORMAT, i);
		*good = strcmp(x->output, text) == 0 && x->code == NM_STATE_WARNING &&
			x->state_type == NM_STATE_HARD && x->max_attempts == 3 &&
			strcmp(x->long_output, "l") == 0 && strcmp(x->perfdata, "a=1") == 0 &&
			strcmp(x->service, "svc") == 0;
		return i;
	}
	case NM_MSG_NOTIFICATION: {
		const nm_notification *x = nm_msg_as_notification(m);
		if (strcmp(x->host, HOST) != 0)
			return -1;
		i = (gint64)x->alert_id;
		g_snprintf(text, sizeof text, "event %" G_GINT64_FORMAT, i);
		*good = strcmp(x->output, text) == 0 && x->kind == NM_NOTIFY_OPENED &&
			x->code == NM_STATE_CRITICAL && strcmp(x->service, "svc") == 0;
		return i;
	}
	case NM_MSG_N_TYPES:
	default:
		break;
	}
	(void)num;
	return -1;
}

/* Lock held. */
static void mark_seen(feed *f, nm_msg_type t, gint64 i)
{
	if (i < 0 || i > 100000000)
		return;
	if ((gint64)f->seen[t]->len <= i) {
		guint old = f->seen[t]->len;
		g_byte_array_set_size(f->seen[t], (guint)i + 1);
		memset(f->seen[t]->data + old, 0, (gsize)i + 1 - old);
	}
	if (f->seen[t]->data[i] == 0) {
		f->seen[t]->data[i] = 1;
		f->distinct[t]++;
	}
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	feed *f = data;

	for (guint k = 0; k < n; k++) {
		gboolean good;
		gint64 i = check_msg(msgs[k], &good);
		nm_msg_type t = msgs[k]->type;
		if (i < 0)
			continue;
		g_mutex_lock(&f->lock);
		mark_seen(f, t, i);
		if (i <= f->last[t]) {
			nm_counter_add(f->dup[t], 1);
			g_mutex_unlock(&f->lock);
			continue;
		}
		if (i != f->last[t] + 1)
			nm_counter_add(f->ooo[t], 1);
		f->last[t] = i;
		g_mutex_unlock(&f->lock);
		nm_counter_add(f->received[t], 1);
		if (!good)
			nm_counter_add(f->bad[t], 1);
	}
}

/* details: distinct sequence numbers seen per type. */
static JsonNode *feed_stats(nm_plugin *p, gpointer data)
{
	feed *f = data;
	JsonBuilder *jb = json_builder_new();
	JsonNode *n;

	(void)p;
	json_builder_begin_object(jb);
	g_mutex_lock(&f->lock);
	for (int t = 0; t < NM_MSG_N_TYPES; t++) {
		json_builder_set_member_name(jb, nm_msg_type_name((nm_msg_type)t));
		json_builder_add_int_value(jb, f->distinct[t]);
	}
	g_mutex_unlock(&f->lock);
	json_builder_end_object(jb);
	n = json_builder_get_root(jb);
	g_object_unref(jb);
	return n;
}

static gboolean feed_init(nm_plugin *p, const config_setting_t *conf, GError **err)
{
	feed *f = g_new0(feed, 1);

	f->p = p;
	g_mutex_init(&f->lock);
	f->send = nm_conf_int(conf, "send", 0);
	f->per_tick = nm_conf_int(conf, "per_tick", 100);
	f->types = (1u << NM_MSG_N_TYPES) - 1;
	{
		const config_setting_t *ty = config_setting_get_member(conf, "types");
		if (ty != NULL) {
			f->types = 0;
			for (int k = 0; k < config_setting_length(ty); k++) {
				const char *name = config_setting_get_string_elem(ty, k);
				int t = name != NULL ? nm_msg_type_from_name(name) : -1;
				if (t < 0) {
					g_set_error(err, NM_CONF_ERROR, NM_CONF_ERROR_INVALID,
						    "natsfeed.types: unknown type");
					g_mutex_clear(&f->lock);
					g_free(f);
					return FALSE;
				}
				f->types |= 1u << t;
			}
		}
	}
	nm_plugin_set_data(p, f);
	nm_plugin_set_stats(p, feed_stats, f);
	for (int t = 0; t < NM_MSG_N_TYPES; t++) {
		const char *name = nm_msg_type_name((nm_msg_type)t);
		char *c;
		f->last[t] = -1;
		f->seen[t] = g_byte_array_new();
#define COUNTER(field, suffix)                                           \
		c = g_strconcat(name, suffix, NULL);                     \
		f->field[t] = nm_plugin_counter(p, c);                   \
		g_free(c)
		COUNTER(received, "_received");
		COUNTER(bad, "_bad");
		COUNTER(ooo, "_out_of_order");
		COUNTER(dup, "_duplicate");
#undef COUNTER
	}
	f->state = g_strdup(nm_conf_string(conf, "state", NULL));
	if (f->state != NULL) {
		char *text = NULL;
		if (g_file_get_contents(f->state, &text, NULL, NULL)) {
			char **lines = g_strsplit(text, "\n", -1);
			for (guint k = 0; lines[k] != NULL; k++) {
				char **w = g_strsplit(lines[k], " ", 2);
				int t = w[0] != NULL ? nm_msg_type_from_name(w[0]) : -1;
				if (t >= 0 && w[1] != NULL)
					mark_seen(f, (nm_msg_type)t, g_ascii_strtoll(w[1], NULL, 10));
				g_strfreev(w);
			}
			g_strfreev(lines);
			g_free(text);
		}
	}
	if (nm_conf_bool(conf, "check", FALSE)) {
		nm_sub_options o = { .high_water = 1000000, .policy = NM_OVERFLOW_BLOCK,
				     .block_timeout = 10 * G_USEC_PER_SEC };
		if (!nm_plugin_subscribe(p, "check", NM_MSG_MASK_ALL, &o, deliver, f, err)) {
			for (int t = 0; t < NM_MSG_N_TYPES; t++)
				g_byte_array_unref(f->seen[t]);
			g_free(f->state);
			g_mutex_clear(&f->lock);
			g_free(f);
			return FALSE;
		}
	}
	if (f->send > 0)
		nm_plugin_add_timer(p, "tick", nm_conf_duration(conf, "interval", 10000),
				    NM_TIMER_NOW, tick, f, NULL);
	return TRUE;
}

static void feed_shutdown(nm_plugin *p)
{
	feed *f = nm_plugin_get_data(p);
	GString *s = g_string_new("last");

	for (int t = 0; t < NM_MSG_N_TYPES; t++)
		g_string_append_printf(s, " %s=%" G_GINT64_FORMAT,
				       nm_msg_type_name((nm_msg_type)t), f->last[t]);
	NM_NOTICE(p, "%s", s->str);
	g_string_truncate(s, 0);
	for (int t = 0; t < NM_MSG_N_TYPES; t++) {
		for (guint i = 0; i < f->seen[t]->len; i++)
			if (f->seen[t]->data[i])
				g_string_append_printf(s, "%s %u\n",
						       nm_msg_type_name((nm_msg_type)t), i);
		g_byte_array_unref(f->seen[t]);
	}
	if (f->state != NULL && !g_file_set_contents(f->state, s->str, -1, NULL))
		NM_ERROR(p, "cannot write %s", f->state);
	g_free(f->state);
	g_string_free(s, TRUE);
	nm_plugin_set_stats(p, NULL, NULL);
	g_mutex_clear(&f->lock);
	g_free(f);
}

NM_PLUGIN_DEFINE(.name = "natsfeed", .version = "1",
		 .description = "test: publishes and checks messages of every type",
		 .config_keys = keys, .init = feed_init, .shutdown = feed_shutdown);
