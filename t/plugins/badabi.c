/* netmon test plugin "badabi": claims an ABI version netmond does not have.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <netmon/plugin.h>

static gboolean badabi_init(nm_plugin *p, const config_setting_t *conf,
			    GError **err)
{
	(void)p;
	(void)conf;
	(void)err;
	return TRUE;
}

G_MODULE_EXPORT const nm_plugin_info nm_plugin_descriptor = {
	.abi_version = 999, .name = "badabi", .version = "1",
	.description = "test: wrong ABI", .init = badabi_init,
};
