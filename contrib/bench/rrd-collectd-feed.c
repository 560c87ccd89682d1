/* collectd plugin "benchfeed" for contrib/bench/rrd: dispatches the same
 * METRIC sequence inside collectd that netmon's rrdfeed test plugin
 * publishes on netmon's bus, so both daemons are fed in-process, without
 * a network parser in the way of either.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Debian ships no collectd-dev headers, so the few declarations used are
 * written out here; they match collectd 5.x's plugin ABI (value_list_t with
 * DATA_MAX_NAME_LEN 128, cdtime_t in 2^-30 s).
 *
 * Environment (read at init):
 *   BENCH_SERIES  number of series "HOST/feed/gauge-s<i>" (default 1000)
 *   BENCH_FROM    first round k (default 0); BENCH_COUNT rounds (default 1)
 *   BENCH_START, BENCH_STEP  round k is stamped START + (k + 1) STEP s, value k
 *   BENCH_HOST    host name (default "bench")
 *   BENCH_GO      file to wait for before dispatching (optional)
 *   BENCH_DONE    file created when every value is dispatched (optional)
 *   BENCH_WARMUP  rounds dispatched before waiting for BENCH_RESUME (a file),
 *                 BENCH_WARMDONE created when they are dispatched (optional)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA_MAX_NAME_LEN 128
typedef uint64_t cdtime_t;
typedef union {
	uint64_t counter;
	double gauge;
	int64_t derive;
	uint64_t absolute;
} value_t;
typedef struct {
	value_t *values;
	size_t values_len;
	cdtime_t time;
	cdtime_t interval;
	char host[DATA_MAX_NAME_LEN];
	char plugin[DATA_MAX_NAME_LEN];
	char plugin_instance[DATA_MAX_NAME_LEN];
	char type[DATA_MAX_NAME_LEN];
	char type_instance[DATA_MAX_NAME_LEN];
	void *meta;
} value_list_t;

int plugin_register_init(const char *name, int (*callback)(void));
int plugin_dispatch_values(value_list_t const *vl);
void module_register(void);

#define TIME_T_TO_CDTIME_T(t) (((cdtime_t)(t)) << 30)

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	return s != NULL && *s != '\0' ? strtol(s, NULL, 10) : def;
}

static void *feed(void *arg)
{
	long series = env_long("BENCH_SERIES", 1000);
	long from = env_long("BENCH_FROM", 0), count = env_long("BENCH_COUNT", 1);
	long start = env_long("BENCH_START", 1700000000);
	long step = env_long("BENCH_STEP", 10);
	const char *host = getenv("BENCH_HOST");
	const char *go = getenv("BENCH_GO"), *done = getenv("BENCH_DONE");
	const char *resume = getenv("BENCH_RESUME");
	const char *warmdone = getenv("BENCH_WARMDONE");
	long warmup = env_long("BENCH_WARMUP", 0);
	value_t v;
	value_list_t vl;

	(void)arg;
	if (go != NULL)
		while (access(go, F_OK) != 0)
			usleep(10000);
	memset(&vl, 0, sizeof vl);
	vl.values = &v;
	vl.values_len = 1;
	vl.interval = TIME_T_TO_CDTIME_T(step);
	snprintf(vl.host, sizeof vl.host, "%s", host != NULL ? host : "bench");
	snprintf(vl.plugin, sizeof vl.plugin, "feed");
	snprintf(vl.type, sizeof vl.type, "gauge");
	for (long k = from; k <= from + count; k++) {
		if (resume != NULL && k == from + warmup) {
			if (warmdone != NULL) {
				FILE *f = fopen(warmdone, "w");
				if (f != NULL)
					fclose(f);
			}
			while (k < from + count && access(resume, F_OK) != 0)
				usleep(1000);
		}
		if (k == from + count)
			break;
		vl.time = TIME_T_TO_CDTIME_T(start + (k + 1) * step);
		v.gauge = (double)k;
		for (long i = 0; i < series; i++) {
			snprintf(vl.type_instance, sizeof vl.type_instance, "s%ld", i);
			if (plugin_dispatch_values(&vl) != 0)
				fprintf(stderr, "benchfeed: dispatch failed\n");
		}
	}
	if (done != NULL) {
		FILE *f = fopen(done, "w");
		if (f != NULL)
			fclose(f);
	}
	return NULL;
}

static int feed_init(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, feed, NULL) != 0)
		return -1;
	return pthread_detach(t) == 0 ? 0 : -1;
}

void module_register(void)
{
	plugin_register_init("benchfeed", feed_init);
}
