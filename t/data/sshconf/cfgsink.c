/* netmon test plugin "cfgsink": appends every CONFIG and STATE message to a
 * file, for the sshconf integration test.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * cfgsink = { output = "/tmp/x/sink.out"; };
 * CONFIG: "CONFIG DEVICE HASH PREVIOUS-HASH" then the diff, then "END".
 * STATE:  "STATE HOST SERVICE CODE OUTPUT" then the long output, then "END".
 */
#include <stdio.h>

#include <netmon/plugin.h>

static const nm_conf_key keys[] = {
	{ .name = "output", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = NULL }
};

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	FILE *f = fopen(data, "a");

	if (f == NULL)
		return;
	for (guint i = 0; i < n; i++) {
		const nm_config_change *c = nm_msg_as_config(msgs[i]);
		const nm_state *s = nm_msg_as_state(msgs[i]);
		if (c != NULL)
			fprintf(f, "CONFIG %s %s %s\n%sEND\n", c->device, c->hash,
				c->previous_hash[0] ? c->previous_hash : "-",
				c->diff);
		else if (s != NULL)
			fprintf(f, "STATE %s %s %s %s\n%s%sEND\n", s->host,
				s->service, nm_state_code_name(s->code),
				s->output, s->long_output,
				s->long_output[0] != '\0' &&
				!g_str_has_suffix(s->long_output, "\n") ? "\n" : "");
	}
	fclose(f);
}

static gboolean sink_init(nm_plugin *p, const config_setting_t *conf,
			  GError **err)
{
	char *out = g_strdup(nm_conf_string(conf, "output", ""));

	nm_plugin_set_data(p, out);
	return nm_plugin_subscribe(p, "sink", NM_MSG_MASK(NM_MSG_CONFIG) |
				   NM_MSG_MASK(NM_MSG_STATE), NULL, deliver,
				   out, err);
}

static void sink_shutdown(nm_plugin *p)
{
	g_free(nm_plugin_get_data(p));
}

NM_PLUGIN_DEFINE(.name = "cfgsink", .version = "1",
		 .description = "test: writes CONFIG and STATE messages to a file",
		 .config_keys = keys, .init = sink_init,
		 .shutdown = sink_shutdown);
