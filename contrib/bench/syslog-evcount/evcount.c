/* netmon benchmark plugin "evcount": counts EVENT messages and does
 * nothing else, so contrib/bench/syslog can measure how fast the syslog
 * plugin receives, frames, parses and publishes into the bus without a
 * store behind it.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Config group "evcount" (may be empty): queue (bus queue in messages,
 * default 65536). The subscription blocks the publisher when the queue is
 * full (NM_OVERFLOW_BLOCK), as the events store does, so nothing is
 * dropped. Counter: received.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <netmon/plugin.h>

typedef struct {
	nm_counter *received;
} evcount;

static const nm_conf_key keys[] = {
	{ .name = "queue", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 16, .max = 10000000, .help = "bus queue, messages" },
	{ .name = NULL }
};

/* Delivery (worker thread): count the batch. */
static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	evcount *c = data;

	(void)msgs;
	nm_counter_add(c->received, n);
}

static gboolean evcount_init(nm_plugin *p, const config_setting_t *conf,
			     GError **err)
{
	evcount *c = g_new0(evcount, 1);
	nm_sub_options opts = { 0 };

	c->received = nm_plugin_counter(p, "received");
	nm_plugin_set_data(p, c);
	opts.policy = NM_OVERFLOW_BLOCK;
	opts.high_water = (guint)nm_conf_int(conf, "queue", 65536);
	opts.block_timeout = 10 * G_USEC_PER_SEC;
	opts.max_batch = 4096;
	return nm_plugin_subscribe(p, "evcount", NM_MSG_MASK(NM_MSG_EVENT), &opts,
				   deliver, c, err);
}

static void evcount_shutdown(nm_plugin *p)
{
	g_free(nm_plugin_get_data(p));
	nm_plugin_set_data(p, NULL);
}

NM_PLUGIN_DEFINE(.name = "evcount", .version = "1.0",
		 .description = "benchmark: counts EVENT messages",
		 .config_keys = keys, .init = evcount_init,
		 .shutdown = evcount_shutdown);
