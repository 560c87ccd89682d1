/* netmon — message bus benchmark: one publisher thread, four BLOCK
 * subscribers, METRIC messages published in batches; prints throughput,
 * CPU cost, delivery latency and peak RSS.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Usage: bus-bench [-n MESSAGES] [-b BATCH] [-p]
 *   -n  messages to publish (default 5000000; each goes to all 4
 *       subscribers, so 20000000 deliveries)
 *   -b  messages per nm_bus_publish_batch() call (default 256)
 *   -p  pre-built: create BATCH messages once and publish them again and
 *       again with nm_msg_ref() (measures the bus alone); the default
 *       creates every message with nm_metric_new() in the publisher loop,
 *       which is what an input plugin pays.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <netmon/bus.h>
#include <netmon/msg.h>

#define N_SUBS 4
#define N_SERIES 64

typedef struct {
	guint64 count;   /* written by the subscription's worker only */
	double sum;      /* touch the payload like a real consumer */
} consumer;

typedef struct {
	nm_bus *bus;
	guint64 messages;
	guint batch;
	gboolean prebuilt;
} publisher_args;

static void
deliver(nm_msg *const *msgs, guint n, gpointer user_data)
{
	consumer *c = user_data;
	double sum = 0;

	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);
		sum += (double)m->values[0].v.derive;
	}
	c->count += n;
	c->sum += sum;
}

/* The publisher thread: @messages METRICs in batches. */
static gpointer
publisher(gpointer data)
{
	publisher_args *a = data;
	char pi[N_SERIES][16];
	nm_msg **batch = g_new(nm_msg *, a->batch);
	nm_msg **proto = NULL;
	guint64 seq = 0;

	for (guint i = 0; i < N_SERIES; i++)
		g_snprintf(pi[i], sizeof pi[i], "eth%u", i);
	if (a->prebuilt) {
		proto = g_new(nm_msg *, a->batch);
		for (guint i = 0; i < a->batch; i++) {
			nm_value v[2] = { { NM_DS_DERIVE, { .derive = i } },
					  { NM_DS_DERIVE, { .derive = i } } };
			proto[i] = nm_metric_new("router1.example.net",
						 "interface", pi[i % N_SERIES],
						 "if_octets", NULL,
						 g_get_real_time(),
						 10 * G_USEC_PER_SEC, 2, v);
		}
	}

	while (seq < a->messages) {
		guint n = (guint)MIN((guint64)a->batch, a->messages - seq);
		if (a->prebuilt) {
			for (guint i = 0; i < n; i++)
				batch[i] = nm_msg_ref(proto[i]);
		} else {
			gint64 now = g_get_real_time();
			for (guint i = 0; i < n; i++) {
				nm_value v[2] = {
					{ NM_DS_DERIVE, { .derive = (gint64)seq } },
					{ NM_DS_DERIVE, { .derive = (gint64)seq * 2 } },
				};
				batch[i] = nm_metric_new(
					"router1.example.net", "interface",
					pi[seq % N_SERIES], "if_octets", NULL,
					now, 10 * G_USEC_PER_SEC, 2, v);
				seq++;
			}
			nm_bus_publish_batch(a->bus, batch, n);
			continue;
		}
		nm_bus_publish_batch(a->bus, batch, n);
		seq += n;
	}

	if (proto != NULL) {
		for (guint i = 0; i < a->batch; i++)
			nm_msg_unref(proto[i]);
		g_free(proto);
	}
	g_free(batch);
	return NULL;
}

static double
cpu_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

static void
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-n MESSAGES] [-b BATCH] [-p]\n", argv0);
	exit(2);
}

int
main(int argc, char **argv)
{
	publisher_args a = { NULL, 5000000, 256, FALSE };
	consumer cons[N_SUBS];
	nm_subscription *subs[N_SUBS];
	struct rusage ru0, ru1;
	int opt;

	while ((opt = getopt(argc, argv, "n:b:p")) != -1) {
		switch (opt) {
		case 'n': a.messages = g_ascii_strtoull(optarg, NULL, 10); break;
		case 'b': a.batch = (guint)atoi(optarg); break;
		case 'p': a.prebuilt = TRUE; break;
		default: usage(argv[0]);
		}
	}
	if (optind != argc || a.messages == 0 || a.batch == 0)
		usage(argv[0]);

	a.bus = nm_bus_new();
	nm_sub_options o = {
		.high_water = 65536,
		.policy = NM_OVERFLOW_BLOCK,
		.block_timeout = (gint64)3600 * G_USEC_PER_SEC,  /* lose nothing */
	};
	memset(cons, 0, sizeof cons);
	for (int i = 0; i < N_SUBS; i++) {
		GError *err = NULL;
		char name[32];

		g_snprintf(name, sizeof name, "bench:%d", i);
		subs[i] = nm_bus_subscribe(a.bus, name,
					   NM_MSG_MASK(NM_MSG_METRIC), &o,
					   deliver, &cons[i], &err);
		if (subs[i] == NULL) {
			fprintf(stderr, "subscribe: %s\n", err->message);
			return 1;
		}
	}

	getrusage(RUSAGE_SELF, &ru0);
	gint64 t0 = g_get_monotonic_time();
	GThread *pub = g_thread_new("publisher", publisher, &a);
	g_thread_join(pub);
	if (!nm_bus_drain(a.bus, G_MAXINT64)) {
		fprintf(stderr, "drain failed\n");
		return 1;
	}
	gint64 t1 = g_get_monotonic_time();
	getrusage(RUSAGE_SELF, &ru1);

	guint64 deliveries = 0, dropped = 0;
	gint64 p50 = 0, p99 = 0, lmax = 0;
	for (int i = 0; i < N_SUBS; i++) {
		nm_sub_stats st;
		nm_subscription_stats(subs[i], &st);
		deliveries += cons[i].count;
		dropped += st.dropped;
		p50 = MAX(p50, st.latency_p50);
		p99 = MAX(p99, st.latency_p99);
		lmax = MAX(lmax, st.latency_max);
		printf("sub %d: delivered %" G_GUINT64_FORMAT
		       " dropped %" G_GUINT64_FORMAT " overflows %"
		       G_GUINT64_FORMAT " max_depth %u p50 %" G_GINT64_FORMAT
		       " us p99 %" G_GINT64_FORMAT " us max %" G_GINT64_FORMAT
		       " us\n", i, st.delivered, st.dropped, st.overflows,
		       st.max_depth, st.latency_p50, st.latency_p99,
		       st.latency_max);
	}

	double wall = (t1 - t0) / 1e6;
	double cpu = cpu_seconds(&ru1) - cpu_seconds(&ru0);
	printf("mode: %s\n", a.prebuilt ?
	       "prebuilt (nm_msg_ref of BATCH pre-created messages)" :
	       "realistic (nm_metric_new per message in the publisher)");
	printf("messages: %" G_GUINT64_FORMAT "\n", a.messages);
	printf("batch: %u\n", a.batch);
	printf("subscribers: %d\n", N_SUBS);
	printf("deliveries: %" G_GUINT64_FORMAT "\n", deliveries);
	printf("dropped: %" G_GUINT64_FORMAT "\n", dropped);
	printf("wall_s: %.3f\n", wall);
	printf("deliveries_per_s: %.0f\n", deliveries / wall);
	printf("cpu_s: %.3f\n", cpu);
	printf("deliveries_per_cpu_s: %.0f\n", cpu > 0 ? deliveries / cpu : 0);
	printf("latency_p50_us: %" G_GINT64_FORMAT " (worst subscriber)\n", p50);
	printf("latency_p99_us: %" G_GINT64_FORMAT " (worst subscriber)\n", p99);
	printf("latency_max_us: %" G_GINT64_FORMAT "\n", lmax);
	printf("peak_rss_kib: %ld\n", ru1.ru_maxrss);

	nm_bus_free(a.bus);
	if (deliveries != a.messages * N_SUBS || dropped != 0) {
		fprintf(stderr, "lost deliveries\n");
		return 1;
	}
	return 0;
}
