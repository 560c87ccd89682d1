/* netmon — bus messages: constructors, reference counting, type names.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Every constructor makes exactly one g_malloc() block laid out as
 *   [concrete struct][padding][array, if any][string 0]\0[string 1]\0...
 * so a message is freed with one g_free() and never shares memory with the
 * caller's buffers.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <netmon/msg.h>

/* Messages alive in this process; only touched with __atomic builtins. */
static gint64 live_count;

/* One copied string: where it comes from, its length, the field it is
 * written to. */
typedef struct {
	const char *src;
	gsize len;
	const char **dst;
} str_slot;

/* Allocate and fill a message of @struct_size bytes, followed by an array
 * of @array_size bytes aligned to @array_align (copied from @array_src,
 * its address stored in *@array_dst), followed by the @n_strs strings of
 * @strs (NULL copied as ""). The struct must be the first, zeroed part of
 * the block; the caller fills its scalar fields afterwards. */
static gpointer
msg_alloc(nm_msg_type type, gint64 time, gsize struct_size,
	  gsize array_align, gsize array_size, gconstpointer array_src,
	  gconstpointer *array_dst, str_slot *strs, guint n_strs)
{
	gsize array_off = struct_size;
	gsize total;
	guint i;

	if (array_size > 0)
		array_off = (struct_size + array_align - 1) & ~(array_align - 1);
	total = array_off + array_size;
	for (i = 0; i < n_strs; i++) {
		strs[i].len = strs[i].src != NULL ? strlen(strs[i].src) : 0;
		if (!g_size_checked_add(&total, total, strs[i].len + 1))
			g_error("nm_msg: message too large");
	}

	char *block = g_malloc(total);
	memset(block, 0, struct_size);
	nm_msg *msg = (nm_msg *)block;
	msg->type = type;
	msg->refcount = 1;
	msg->time = time;

	if (array_size > 0) {
		memcpy(block + array_off, array_src, array_size);
		*array_dst = block + array_off;
	}
	char *p = block + array_off + array_size;
	for (i = 0; i < n_strs; i++) {
		if (strs[i].len > 0)
			memcpy(p, strs[i].src, strs[i].len);
		p[strs[i].len] = '\0';
		*strs[i].dst = p;
		p += strs[i].len + 1;
	}
	__atomic_add_fetch(&live_count, 1, __ATOMIC_RELAXED);
	return block;
}

static const char *const type_names[NM_MSG_N_TYPES] = {
	"metric", "event", "flow", "config", "state", "notification"
};

const char *
nm_msg_type_name(nm_msg_type type)
{
	if ((guint)type >= NM_MSG_N_TYPES)
		return "?";
	return type_names[type];
}

int
nm_msg_type_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < NM_MSG_N_TYPES; i++)
		if (g_ascii_strcasecmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

nm_msg *
nm_msg_ref(nm_msg *msg)
{
	g_return_val_if_fail(msg != NULL, NULL);
	g_atomic_int_inc(&msg->refcount);
	return msg;
}

void
nm_msg_unref(nm_msg *msg)
{
	if (msg == NULL)
		return;
	if (g_atomic_int_dec_and_test(&msg->refcount)) {
		__atomic_sub_fetch(&live_count, 1, __ATOMIC_RELAXED);
		g_free(msg);
	}
}

gint
nm_msg_refcount(const nm_msg *msg)
{
	g_return_val_if_fail(msg != NULL, 0);
	return g_atomic_int_get(&msg->refcount);
}

gint64
nm_msg_live_count(void)
{
	return __atomic_load_n(&live_count, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------ */
/* METRIC                                                              */

const char *
nm_ds_kind_name(nm_ds_kind kind)
{
	switch (kind) {
	case NM_DS_GAUGE: return "GAUGE";
	case NM_DS_COUNTER: return "COUNTER";
	case NM_DS_DERIVE: return "DERIVE";
	case NM_DS_ABSOLUTE: return "ABSOLUTE";
	}
	return "?";
}

nm_msg *
nm_metric_new(const char *host, const char *plugin,
	      const char *plugin_instance, const char *type,
	      const char *type_instance, gint64 time, gint64 interval,
	      guint n_values, const nm_value *values)
{
	nm_metric *m;

	if (host == NULL || *host == '\0' || plugin == NULL ||
	    *plugin == '\0' || type == NULL || *type == '\0' ||
	    n_values == 0 || n_values > 64 || values == NULL)
		return NULL;

	/* msg_alloc() stores the copies' addresses here. */
	const char *s_host, *s_plugin, *s_pi, *s_type, *s_ti;
	gconstpointer arr;
	str_slot strs[] = {
		{ host, 0, &s_host },
		{ plugin, 0, &s_plugin },
		{ plugin_instance, 0, &s_pi },
		{ type, 0, &s_type },
		{ type_instance, 0, &s_ti },
	};
	m = msg_alloc(NM_MSG_METRIC, time, sizeof(nm_metric),
		      G_ALIGNOF(nm_value), n_values * sizeof(nm_value),
		      values, &arr, strs, G_N_ELEMENTS(strs));
	m->host = s_host;
	m->plugin = s_plugin;
	m->plugin_instance = s_pi;
	m->type = s_type;
	m->type_instance = s_ti;
	m->interval = interval;
	m->n_values = n_values;
	m->values = arr;
	return &m->base;
}

nm_msg *
nm_metric_new_gauge(const char *host, const char *plugin,
		    const char *plugin_instance, const char *type,
		    const char *type_instance, gint64 time,
		    gint64 interval, double value)
{
	nm_value v = { .kind = NM_DS_GAUGE, .v.gauge = value };

	return nm_metric_new(host, plugin, plugin_instance, type,
			     type_instance, time, interval, 1, &v);
}

guint
nm_metric_new_gauges(const char *host, const char *plugin,
		     const char *plugin_instance, gint64 time, gint64 interval,
		     guint n, const char *const *types,
		     const char *const *type_instances, const double *values,
		     nm_msg **out)
{
	gsize lh, lp, lpi, shared, arr_off;
	guint made = 0;

	if (n == 0)
		return 0;
	g_return_val_if_fail(out != NULL, 0);
	if (host == NULL || *host == '\0' || plugin == NULL ||
	    *plugin == '\0' || types == NULL || values == NULL) {
		memset(out, 0, n * sizeof(*out));
		return 0;
	}
	/* The layout of msg_alloc(): struct, the value, the five strings. */
	arr_off = (sizeof(nm_metric) + G_ALIGNOF(nm_value) - 1) &
		  ~(G_ALIGNOF(nm_value) - 1);
	lh = strlen(host);
	lp = strlen(plugin);
	lpi = plugin_instance != NULL ? strlen(plugin_instance) : 0;
	shared = arr_off + sizeof(nm_value) + lh + 1 + lp + 1 + lpi + 1;
	for (guint i = 0; i < n; i++) {
		const char *ty = types[i];
		const char *ti = type_instances != NULL ? type_instances[i] : NULL;
		gsize lt, lti;
		nm_metric *m;
		nm_value *v;
		char *p;

		out[i] = NULL;
		if (ty == NULL || *ty == '\0')
			continue;
		lt = strlen(ty);
		lti = ti != NULL ? strlen(ti) : 0;
		m = g_malloc(shared + lt + 1 + lti + 1);
		memset(m, 0, sizeof(*m));
		m->base.type = NM_MSG_METRIC;
		m->base.refcount = 1;
		m->base.time = time;
		v = (nm_value *)((char *)m + arr_off);
		v->kind = NM_DS_GAUGE;
		v->v.gauge = values[i];
		p = (char *)(v + 1);
		memcpy(p, host, lh + 1);
		m->host = p;
		p += lh + 1;
		memcpy(p, plugin, lp + 1);
		m->plugin = p;
		p += lp + 1;
		if (lpi > 0)
			memcpy(p, plugin_instance, lpi);
		p[lpi] = '\0';
		m->plugin_instance = p;
		p += lpi + 1;
		memcpy(p, ty, lt + 1);
		m->type = p;
		p += lt + 1;
		if (lti > 0)
			memcpy(p, ti, lti);
		p[lti] = '\0';
		m->type_instance = p;
		m->interval = interval;
		m->n_values = 1;
		m->values = v;
		__atomic_add_fetch(&live_count, 1, __ATOMIC_RELAXED);
		out[i] = &m->base;
		made++;
	}
	return made;
}

char *
nm_metric_identity(const nm_metric *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	gboolean pi = m->plugin_instance != NULL && *m->plugin_instance;
	gboolean ti = m->type_instance != NULL && *m->type_instance;

	return g_strconcat(m->host, "/", m->plugin,
			   pi ? "-" : "", pi ? m->plugin_instance : "",
			   "/", m->type,
			   ti ? "-" : "", ti ? m->type_instance : "",
			   NULL);
}

/* ------------------------------------------------------------------ */
/* EVENT                                                               */

nm_msg *
nm_event_new(const nm_event *fields, gint64 time)
{
	g_return_val_if_fail(fields != NULL, NULL);
	nm_event tmp = *fields;
	str_slot strs[] = {
		{ fields->source, 0, &tmp.source },
		{ fields->host, 0, &tmp.host },
		{ fields->app_name, 0, &tmp.app_name },
		{ fields->procid, 0, &tmp.procid },
		{ fields->msgid, 0, &tmp.msgid },
		{ fields->structured_data, 0, &tmp.structured_data },
		{ fields->text, 0, &tmp.text },
	};
	nm_event *e = msg_alloc(NM_MSG_EVENT, time, sizeof(nm_event), 1, 0,
				NULL, NULL, strs, G_N_ELEMENTS(strs));

	tmp.base = e->base;
	*e = tmp;
	return &e->base;
}

/* ------------------------------------------------------------------ */
/* FLOW                                                                */

nm_msg *
nm_flow_batch_new(const char *exporter, guint32 observation_domain,
		  gint64 time, guint n_records,
		  const nm_flow_record *records)
{
	gsize size;

	g_return_val_if_fail(n_records == 0 || records != NULL, NULL);
	if (!g_size_checked_mul(&size, n_records, sizeof(nm_flow_record)))
		g_error("nm_flow_batch_new: too many records");

	const char *s_exporter;
	gconstpointer arr = NULL;
	str_slot strs[] = { { exporter, 0, &s_exporter } };
	nm_flow_batch *f = msg_alloc(NM_MSG_FLOW, time, sizeof(nm_flow_batch),
				     G_ALIGNOF(nm_flow_record), size, records,
				     &arr, strs, G_N_ELEMENTS(strs));
	f->exporter = s_exporter;
	f->observation_domain = observation_domain;
	f->n_records = n_records;
	f->records = n_records > 0 ? arr : NULL;
	return &f->base;
}

/* ------------------------------------------------------------------ */
/* CONFIG                                                              */

nm_msg *
nm_config_change_new(const char *device, gint64 time,
		     const char *hash, const char *previous_hash,
		     const char *text, const char *diff)
{
	nm_config_change tmp;
	str_slot strs[] = {
		{ device, 0, &tmp.device },
		{ hash, 0, &tmp.hash },
		{ previous_hash, 0, &tmp.previous_hash },
		{ text, 0, &tmp.text },
		{ diff, 0, &tmp.diff },
	};
	nm_config_change *c = msg_alloc(NM_MSG_CONFIG, time,
					sizeof(nm_config_change), 1, 0, NULL,
					NULL, strs, G_N_ELEMENTS(strs));

	tmp.base = c->base;
	*c = tmp;
	return &c->base;
}

/* ------------------------------------------------------------------ */
/* STATE                                                               */

const char *
nm_state_code_name(nm_state_code code)
{
	switch (code) {
	case NM_STATE_OK: return "OK";
	case NM_STATE_WARNING: return "WARNING";
	case NM_STATE_CRITICAL: return "CRITICAL";
	case NM_STATE_UNKNOWN: return "UNKNOWN";
	}
	/* Monitoring Plugins treat any other exit code as UNKNOWN. */
	return "UNKNOWN";
}

nm_msg *
nm_state_new(const nm_state *fields, gint64 time)
{
	g_return_val_if_fail(fields != NULL, NULL);
	nm_state tmp = *fields;
	str_slot strs[] = {
		{ fields->host, 0, &tmp.host },
		{ fields->service, 0, &tmp.service },
		{ fields->output, 0, &tmp.output },
		{ fields->long_output, 0, &tmp.long_output },
		{ fields->perfdata, 0, &tmp.perfdata },
	};
	nm_state *s = msg_alloc(NM_MSG_STATE, time, sizeof(nm_state), 1, 0,
				NULL, NULL, strs, G_N_ELEMENTS(strs));

	tmp.base = s->base;
	*s = tmp;
	return &s->base;
}

/* ------------------------------------------------------------------ */
/* NOTIFICATION                                                        */

const char *
nm_notify_kind_name(nm_notify_kind kind)
{
	switch (kind) {
	case NM_NOTIFY_OPENED: return "opened";
	case NM_NOTIFY_RENOTIFIED: return "renotified";
	case NM_NOTIFY_ACKNOWLEDGED: return "acknowledged";
	case NM_NOTIFY_RESOLVED: return "resolved";
	case NM_NOTIFY_FLAPPING_START: return "flapping_start";
	case NM_NOTIFY_FLAPPING_STOP: return "flapping_stop";
	}
	return "?";
}

nm_msg *
nm_notification_new(const nm_notification *fields, gint64 time)
{
	g_return_val_if_fail(fields != NULL, NULL);
	nm_notification tmp = *fields;
	str_slot strs[] = {
		{ fields->host, 0, &tmp.host },
		{ fields->service, 0, &tmp.service },
		{ fields->output, 0, &tmp.output },
		{ fields->author, 0, &tmp.author },
		{ fields->comment, 0, &tmp.comment },
	};
	nm_notification *n = msg_alloc(NM_MSG_NOTIFICATION, time,
				       sizeof(nm_notification), 1, 0, NULL,
				       NULL, strs, G_N_ELEMENTS(strs));

	tmp.base = n->base;
	*n = tmp;
	return &n->base;
}

/* ------------------------------------------------------------------ */
/* Checked casts                                                       */

#define DEFINE_AS(fn, ctype, t)                          \
	const ctype *fn(const nm_msg *msg)               \
	{                                                \
		if (msg == NULL || msg->type != (t))     \
			return NULL;                     \
		return (const ctype *)msg;               \
	}

DEFINE_AS(nm_msg_as_metric, nm_metric, NM_MSG_METRIC)
DEFINE_AS(nm_msg_as_event, nm_event, NM_MSG_EVENT)
DEFINE_AS(nm_msg_as_flow, nm_flow_batch, NM_MSG_FLOW)
DEFINE_AS(nm_msg_as_config, nm_config_change, NM_MSG_CONFIG)
DEFINE_AS(nm_msg_as_state, nm_state, NM_MSG_STATE)
DEFINE_AS(nm_msg_as_notification, nm_notification, NM_MSG_NOTIFICATION)
