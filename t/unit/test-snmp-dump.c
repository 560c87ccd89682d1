/* test-snmp-dump: run an in-process netmon core with a config (normally
 * one with an snmp group) for a while and print every published METRIC and
 * EVENT, then the snmp plugin's `stats --json` details. A helper of
 * t/integration/snmp.sh, not a test by itself.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Usage: test-snmp-dump CONFIG SECONDS [PLUGIN]
 * Runs SECONDS at most; earlier if $SNMP_DUMP_STOP_FILE names a file that
 * comes to exist.
 * Output lines (stdout):
 *   METRIC <host>/<plugin>[-pi]/<type>[-ti] <KIND>:<value>[ <KIND>:<value>]
 *   EVENT source=<addr> msgid=<oid> sd=<structured data> text=<text>
 *   STATS <json of plugins.<PLUGIN>.details>
 * Metrics of plugin "netmon" (self-metrics) are left out. Exit status 0,
 * or 1 with a message on stderr if the core does not start.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "daemon.h"

static GMutex out_lock;

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	(void)data;
	g_mutex_lock(&out_lock);
	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);
		const nm_event *e = nm_msg_as_event(msgs[i]);

		if (m != NULL && g_strcmp0(m->plugin, "netmon") != 0) {
			char *id = nm_metric_identity(m);

			printf("METRIC %s", id);
			for (guint k = 0; k < m->n_values; k++) {
				const nm_value *v = &m->values[k];

				switch (v->kind) {
				case NM_DS_GAUGE:
					printf(" GAUGE:%.17g", v->v.gauge);
					break;
				case NM_DS_COUNTER:
					printf(" COUNTER:%" G_GUINT64_FORMAT, v->v.counter);
					break;
				case NM_DS_DERIVE:
					printf(" DERIVE:%" G_GINT64_FORMAT, v->v.derive);
					break;
				case NM_DS_ABSOLUTE:
					printf(" ABSOLUTE:%" G_GUINT64_FORMAT, v->v.absolute);
					break;
				}
			}
			printf("\n");
			g_free(id);
		} else if (e != NULL) {
			printf("EVENT source=%s host=%s app=%s msgid=%s sd=%s text=%s\n",
			       e->source, e->host, e->app_name, e->msgid,
			       e->structured_data, e->text);
		}
	}
	fflush(stdout);
	g_mutex_unlock(&out_lock);
}

static gboolean quit_loop(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

/* Quit early once the file named by $SNMP_DUMP_STOP_FILE exists. */
static gboolean check_stop(gpointer loop)
{
	const char *f = g_getenv("SNMP_DUMP_STOP_FILE");

	if (f != NULL && g_file_test(f, G_FILE_TEST_EXISTS)) {
		g_main_loop_quit(loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	GError *err = NULL;
	nm_core_config *c;
	nm_core *core;
	GMainLoop *loop;
	nm_plugin *p;
	const char *pname = argc > 3 ? argv[3] : "snmp";

	if (argc < 3) {
		fprintf(stderr, "usage: %s CONFIG SECONDS [PLUGIN]\n", argv[0]);
		return 2;
	}
	c = nm_core_config_load(argv[1], &err);
	if (c == NULL) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		return 1;
	}
	core = nm_core_new(c);
	if (!nm_core_load(core, &err) || !nm_core_start(core, FALSE, &err)) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		nm_core_free(core);
		return 1;
	}
	if (nm_bus_subscribe(core->bus, "dump", NM_MSG_MASK(NM_MSG_METRIC) |
			     NM_MSG_MASK(NM_MSG_EVENT), NULL, deliver, NULL,
			     &err) == NULL) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		nm_core_free(core);
		return 1;
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_timeout_add((guint)(g_ascii_strtod(argv[2], NULL) * 1000), quit_loop,
		      loop);
	if (g_getenv("SNMP_DUMP_STOP_FILE") != NULL)
		g_timeout_add(100, check_stop, loop);
	g_main_loop_run(loop);
	g_main_loop_unref(loop);
	nm_bus_drain(core->bus, g_get_monotonic_time() + 2 * G_USEC_PER_SEC);
	p = nm_core_find_plugin(core, pname);
	if (p != NULL && p->stats_fn != NULL) {
		JsonNode *n = p->stats_fn(p, p->stats_data);
		char *txt = json_to_string(n, FALSE);

		g_mutex_lock(&out_lock);
		printf("STATS %s\n", txt);
		fflush(stdout);
		g_mutex_unlock(&out_lock);
		g_free(txt);
		json_node_unref(n);
	}
	nm_core_stop(core);
	nm_core_free(core);
	return 0;
}
