/* netmon test plugin "failinit": refuses to start, after registering a
 * timer (which the core must remove).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <netmon/plugin.h>

static nm_run_status never(nm_plugin *p, nm_timer *t, gint64 due, gpointer d)
{
	(void)t;
	(void)due;
	(void)d;
	NM_ERROR(p, "timer of a plugin whose init failed ran");
	return NM_RUN_DONE;
}

static gboolean failinit_init(nm_plugin *p, const config_setting_t *conf,
			      GError **err)
{
	(void)conf;
	nm_plugin_add_timer(p, "never", G_USEC_PER_SEC, NM_TIMER_NOW, never,
			    NULL, NULL);
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED,
		    "refusing to start, as configured");
	return FALSE;
}

NM_PLUGIN_DEFINE(.name = "failinit", .version = "1",
		 .description = "test: init fails", .init = failinit_init);
