/* netmon — unit tests of the message bus (core/bus.c) and the message
 * constructors (core/msg.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include <netmon/bus.h>
#include <netmon/msg.h>

#include "tsan.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* A METRIC whose plugin_instance names the publisher and whose single
 * COUNTER value is a sequence number. */
static nm_msg *
mk(const char *publisher, guint64 seq)
{
	nm_value v = { .kind = NM_DS_COUNTER, .v.counter = seq };
	nm_msg *m = nm_metric_new("h", "p", publisher, "t", NULL, 0, 0, 1, &v);

	g_assert_nonnull(m);
	return m;
}

static guint64
seq_of(const nm_msg *m)
{
	const nm_metric *mt = nm_msg_as_metric(m);

	g_assert_nonnull(mt);
	return mt->values[0].v.counter;
}

/* What a test subscriber saw. The callback can be held at a gate: it
 * waits at entry while `gated` and no `permits` are left (one permit per
 * callback call). */
typedef struct {
	GMutex lock;
	GCond cond;
	GArray *seqs;           /* guint64: METRIC sequence numbers */
	guint calls;            /* callbacks entered */
	guint count;            /* messages seen */
	guint max_n;            /* largest batch */
	guint per_type[NM_MSG_N_TYPES];
	gint64 last[2];         /* per publisher "0"/"1": last seq seen */
	guint order_errors;
	gboolean gated;
	guint permits;
	gint64 keep_seq;        /* keep a reference to this seq, or -1 */
	nm_msg *kept;
	gulong sleep_us;        /* sleep this long in each call */
	gint done;              /* set (atomically) when a call returns */
} rec;

static void
rec_lock(rec *r)
{
	g_mutex_lock(&r->lock);
	tsan_locked(&r->lock);
}

static void
rec_unlock(rec *r)
{
	tsan_unlocking(&r->lock);
	g_mutex_unlock(&r->lock);
}

/* Wait on r->cond, until @deadline if not 0; FALSE on timeout. */
static gboolean
rec_wait(rec *r, gint64 deadline)
{
	gboolean ok = TRUE;

	tsan_unlocking(&r->lock);
	if (deadline == 0)
		g_cond_wait(&r->cond, &r->lock);
	else
		ok = g_cond_wait_until(&r->cond, &r->lock, deadline);
	tsan_locked(&r->lock);
	return ok;
}

static void
rec_init(rec *r)
{
	memset(r, 0, sizeof *r);
	g_mutex_init(&r->lock);
	g_cond_init(&r->cond);
	r->seqs = g_array_new(FALSE, FALSE, sizeof(guint64));
	r->last[0] = r->last[1] = -1;
	r->keep_seq = -1;
}

static void
rec_clear(rec *r)
{
	g_array_free(r->seqs, TRUE);
	g_mutex_clear(&r->lock);
	g_cond_clear(&r->cond);
}

static void
rec_cb(nm_msg *const *msgs, guint n, gpointer user_data)
{
	rec *r = user_data;

	rec_lock(r);
	r->calls++;
	g_cond_broadcast(&r->cond);
	while (r->gated && r->permits == 0)
		rec_wait(r, 0);
	if (r->gated)
		r->permits--;
	r->max_n = MAX(r->max_n, n);
	for (guint i = 0; i < n; i++) {
		const nm_metric *m = nm_msg_as_metric(msgs[i]);
		r->count++;
		r->per_type[msgs[i]->type]++;
		if (m == NULL)
			continue;
		guint64 seq = m->values[0].v.counter;
		g_array_append_val(r->seqs, seq);
		if (strcmp(m->plugin_instance, "0") == 0 ||
		    strcmp(m->plugin_instance, "1") == 0) {
			int p = m->plugin_instance[0] - '0';
			if ((gint64)seq != r->last[p] + 1)
				r->order_errors++;
			r->last[p] = (gint64)seq;
		}
		if (r->keep_seq >= 0 && seq == (guint64)r->keep_seq)
			r->kept = nm_msg_ref(msgs[i]);
	}
	rec_unlock(r);
	if (r->sleep_us)
		g_usleep(r->sleep_us);
	g_atomic_int_set(&r->done, 1);
}

typedef struct {
	nm_bus *bus;
	nm_msg *msg;
	guint result;
	gint started, done;
} blocked_pub;

static gpointer
blocked_publisher(gpointer data)
{
	blocked_pub *b = data;

	g_atomic_int_set(&b->started, 1);
	b->result = nm_bus_publish(b->bus, b->msg);
	g_atomic_int_set(&b->done, 1);
	return NULL;
}

/* Start a thread publishing b->msg; return once it is (almost
 * certainly) blocked in nm_bus_publish(). */
static GThread *
start_blocked(blocked_pub *b)
{
	GThread *t = g_thread_new("blocked", blocked_publisher, b);

	while (!g_atomic_int_get(&b->started))
		g_usleep(1000);
	g_usleep(30000);
	g_assert_cmpint(g_atomic_int_get(&b->done), ==, 0);
	return t;
}

/* Wait (≤ 5 s) until the callback has been entered @calls times. */
static void
rec_wait_calls(rec *r, guint calls)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	rec_lock(r);
	while (r->calls < calls)
		if (!rec_wait(r, deadline))
			break;
	g_assert_cmpuint(r->calls, >=, calls);
	rec_unlock(r);
}

static void
rec_permit(rec *r, guint permits)
{
	rec_lock(r);
	r->permits += permits;
	g_cond_broadcast(&r->cond);
	rec_unlock(r);
}

static void
rec_open(rec *r)
{
	rec_lock(r);
	r->gated = FALSE;
	g_cond_broadcast(&r->cond);
	rec_unlock(r);
}

static guint64
rec_seq(rec *r, guint i)
{
	return g_array_index(r->seqs, guint64, i);
}

static nm_subscription *
sub(nm_bus *bus, const char *name, guint32 mask, const nm_sub_options *o,
    rec *r)
{
	GError *err = NULL;
	nm_subscription *s = nm_bus_subscribe(bus, name, mask, o, rec_cb, r,
					      &err);
	g_assert_no_error(err);
	g_assert_nonnull(s);
	return s;
}

static void
drain_ok(nm_bus *bus)
{
	g_assert_true(nm_bus_drain(bus, g_get_monotonic_time() +
					     5 * G_USEC_PER_SEC));
}

/* ------------------------------------------------------------------ */
/* Ordering                                                            */

#define ORDER_N 10000

typedef struct {
	nm_bus *bus;
	const char *id;
} pub_args;

/* Publish ORDER_N sequence numbers, alternating single publishes and
 * batches of varying size. */
static gpointer
order_publisher(gpointer data)
{
	pub_args *a = data;
	nm_msg *batch[64];
	guint64 seq = 0;
	guint round = 0;

	while (seq < ORDER_N) {
		guint n = 1 + (round++ * 7) % 64;
		n = (guint)MIN((guint64)n, ORDER_N - seq);
		if (n == 1) {
			nm_bus_publish(a->bus, mk(a->id, seq++));
			continue;
		}
		for (guint i = 0; i < n; i++)
			batch[i] = mk(a->id, seq++);
		nm_bus_publish_batch(a->bus, batch, n);
	}
	return NULL;
}

static void
test_order(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	rec ra, rb, rc;
	nm_sub_options ob = { .high_water = 64, .low_water = 16,
			      .policy = NM_OVERFLOW_BLOCK,
			      .block_timeout = 10 * G_USEC_PER_SEC,
			      .max_batch = 7 };
	nm_sub_options oc = { .max_batch = 1 };
	pub_args a0 = { bus, "0" }, a1 = { bus, "1" };
	nm_sub_stats st;

	rec_init(&ra);
	rec_init(&rb);
	rec_init(&rc);
	sub(bus, "order:default", NM_MSG_MASK(NM_MSG_METRIC), NULL, &ra);
	nm_subscription *sb = sub(bus, "order:block", NM_MSG_MASK_ALL, &ob,
				  &rb);
	sub(bus, "order:one", NM_MSG_MASK(NM_MSG_METRIC), &oc, &rc);

	GThread *t0 = g_thread_new("pub0", order_publisher, &a0);
	GThread *t1 = g_thread_new("pub1", order_publisher, &a1);
	g_thread_join(t0);
	g_thread_join(t1);
	drain_ok(bus);

	rec *all[] = { &ra, &rb, &rc };
	for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
		g_assert_cmpuint(all[i]->count, ==, 2 * ORDER_N);
		g_assert_cmpuint(all[i]->order_errors, ==, 0);
		g_assert_cmpint(all[i]->last[0], ==, ORDER_N - 1);
		g_assert_cmpint(all[i]->last[1], ==, ORDER_N - 1);
	}
	g_assert_cmpuint(rb.max_n, <=, 7);
	g_assert_cmpuint(rc.max_n, ==, 1);
	nm_subscription_stats(sb, &st);
	g_assert_cmpuint(st.dropped, ==, 0);
	g_assert_cmpuint(st.delivered, ==, 2 * ORDER_N);
	g_assert_cmpuint(st.max_depth, <=, 64);

	nm_bus_free(bus);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
	rec_clear(&ra);
	rec_clear(&rb);
	rec_clear(&rc);
}

/* ------------------------------------------------------------------ */
/* Overflow policies                                                   */

static void
test_drop_oldest(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	nm_sub_options o = { .high_water = 10, .low_water = 5 };
	nm_sub_stats st;
	rec r1, r2;

	rec_init(&r1);
	rec_init(&r2);
	nm_subscription *s = sub(bus, "lossy", NM_MSG_MASK_ALL, &o, &r1);
	nm_bus_detach(bus, s);
	for (guint64 i = 0; i < 25; i++)
		g_assert_cmpuint(nm_bus_publish(bus, mk("x", i)), ==, 1);

	nm_subscription_stats(s, &st);
	g_assert_false(st.attached);
	g_assert_cmpuint(st.policy, ==, NM_OVERFLOW_DROP_OLDEST);
	g_assert_cmpuint(st.enqueued, ==, 25);
	g_assert_cmpuint(st.dropped, ==, 15);
	g_assert_cmpuint(st.depth, ==, 10);
	g_assert_cmpuint(st.max_depth, ==, 10);
	g_assert_cmpuint(st.overflows, ==, 1);
	g_assert_cmpuint(st.delivered, ==, 0);
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 10);

	/* The newest ten survived, in order. */
	g_assert_true(sub(bus, "lossy", NM_MSG_MASK_ALL, &o, &r2) == s);
	drain_ok(bus);
	g_assert_cmpuint(r1.count, ==, 0);
	g_assert_cmpuint(r2.count, ==, 10);
	for (guint i = 0; i < 10; i++)
		g_assert_cmpuint(rec_seq(&r2, i), ==, 15 + i);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);

	nm_bus_free(bus);
	rec_clear(&r1);
	rec_clear(&r2);
}

#define BLOCK_TIMEOUT (150 * 1000)

static void
test_block_timeout(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	nm_sub_options o = { .high_water = 4, .low_water = 2,
			     .policy = NM_OVERFLOW_BLOCK,
			     .block_timeout = BLOCK_TIMEOUT };
	nm_sub_stats st;
	rec r;

	rec_init(&r);
	r.gated = TRUE;
	nm_subscription *s = sub(bus, "slow", NM_MSG_MASK_ALL, &o, &r);

	/* Message 0 is taken by the worker, which then hangs in the
	 * callback; 1..4 fill the queue. */
	g_assert_cmpuint(nm_bus_publish(bus, mk("x", 0)), ==, 1);
	rec_wait_calls(&r, 1);
	for (guint64 i = 1; i <= 4; i++)
		g_assert_cmpuint(nm_bus_publish(bus, mk("x", i)), ==, 1);

	gint64 t0 = g_get_monotonic_time();
	g_assert_cmpuint(nm_bus_publish(bus, mk("x", 5)), ==, 0);
	gint64 elapsed = g_get_monotonic_time() - t0;
	g_assert_cmpint(elapsed, >=, BLOCK_TIMEOUT - 1000);
	g_assert_cmpint(elapsed, <, 10 * BLOCK_TIMEOUT);

	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.dropped, ==, 1);
	g_assert_cmpuint(st.overflows, ==, 1);
	g_assert_cmpuint(st.depth, ==, 4);
	g_assert_cmpuint(st.enqueued, ==, 5);

	/* A batch waits once per call, then drops the rest at once: one
	 * wait per message would take at least 3 x BLOCK_TIMEOUT. (The bound
	 * was 2 x, and a loaded CI dry run took 305 ms against 290.) */
	nm_msg *b[3] = { mk("x", 6), mk("x", 7), mk("x", 8) };
	t0 = g_get_monotonic_time();
	g_assert_cmpuint(nm_bus_publish_batch(bus, b, 3), ==, 0);
	elapsed = g_get_monotonic_time() - t0;
	g_assert_cmpint(elapsed, >=, BLOCK_TIMEOUT - 1000);
	g_assert_cmpint(elapsed, <, 3 * BLOCK_TIMEOUT - 10000);
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.dropped, ==, 4);

	rec_open(&r);
	drain_ok(bus);
	g_assert_cmpuint(r.count, ==, 5);
	for (guint i = 0; i < 5; i++)
		g_assert_cmpuint(rec_seq(&r, i), ==, i);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
	nm_bus_free(bus);
	rec_clear(&r);
}

static void
test_block_resume(void)
{
	nm_bus *bus = nm_bus_new();
	nm_sub_options o = { .high_water = 8, .low_water = 2,
			     .policy = NM_OVERFLOW_BLOCK,
			     .block_timeout = 10 * G_USEC_PER_SEC,
			     .max_batch = 1 };
	nm_sub_stats st;
	rec r;

	rec_init(&r);
	r.gated = TRUE;
	nm_subscription *s = sub(bus, "storage", NM_MSG_MASK_ALL, &o, &r);
	nm_bus_publish(bus, mk("x", 0));
	rec_wait_calls(&r, 1);                 /* worker holds msg 0 */
	for (guint64 i = 1; i <= 8; i++)
		g_assert_cmpuint(nm_bus_publish(bus, mk("x", i)), ==, 1);

	blocked_pub bp = { bus, mk("x", 9), 0, 0, 0 };
	GThread *t = start_blocked(&bp);

	/* Deliver 0..4: the worker then holds 5, depth is 3 > low water. */
	rec_permit(&r, 5);
	rec_wait_calls(&r, 6);
	g_usleep(50000);
	g_assert_cmpint(g_atomic_int_get(&bp.done), ==, 0);
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.depth, ==, 3);

	/* One more: depth reaches 2 = low water, the publisher resumes. */
	rec_permit(&r, 1);
	g_thread_join(t);
	g_assert_cmpuint(bp.result, ==, 1);

	rec_open(&r);
	drain_ok(bus);
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.dropped, ==, 0);
	g_assert_cmpuint(st.delivered, ==, 10);
	g_assert_cmpuint(st.overflows, ==, 1);
	g_assert_cmpuint(r.count, ==, 10);
	for (guint i = 0; i < 10; i++)
		g_assert_cmpuint(rec_seq(&r, i), ==, i);
	nm_bus_free(bus);
	rec_clear(&r);
}

static void
test_counters(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	nm_sub_options o = { .high_water = 100, .low_water = 10 };
	nm_msg *b[50];
	nm_sub_stats st;
	rec r;

	rec_init(&r);
	nm_subscription *s = sub(bus, "count", NM_MSG_MASK_ALL, &o, &r);
	nm_bus_detach(bus, s);
	for (guint64 seq = 0; seq < 1000;) {
		for (guint i = 0; i < 50; i++)
			b[i] = mk("x", seq++);
		g_assert_cmpuint(nm_bus_publish_batch(bus, b, 50), ==, 50);
	}
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.enqueued, ==, 1000);
	g_assert_cmpuint(st.dropped, ==, 900);
	g_assert_cmpuint(st.overflows, ==, 1);   /* one episode */
	g_assert_cmpuint(st.depth, ==, 100);
	g_assert_cmpuint(st.max_depth, ==, 100);
	g_assert_cmpuint(st.high_water, ==, 100);
	g_assert_cmpuint(st.low_water, ==, 10);

	sub(bus, "count", NM_MSG_MASK_ALL, &o, &r);
	drain_ok(bus);
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.delivered, ==, 100);
	g_assert_cmpuint(st.depth, ==, 0);
	g_assert_cmpuint(rec_seq(&r, 0), ==, 900);
	g_assert_cmpuint(rec_seq(&r, 99), ==, 999);

	/* A second episode after the queue fell to the low water mark. */
	nm_bus_detach(bus, s);
	for (guint64 i = 0; i < 150; i++)
		nm_bus_publish(bus, mk("x", i));
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.overflows, ==, 2);
	g_assert_cmpuint(st.dropped, ==, 950);
	g_assert_cmpuint(st.enqueued, ==, 1150);

	/* Unsubscribing frees what is still queued. */
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 100);
	nm_bus_unsubscribe(bus, s);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
	nm_bus_free(bus);
	rec_clear(&r);
}

static void
test_latency(void)
{
	nm_bus *bus = nm_bus_new();
	nm_sub_stats st;
	rec r;

	rec_init(&r);
	nm_subscription *s = sub(bus, "lat", NM_MSG_MASK_ALL, NULL, &r);
	nm_subscription_stats(s, &st);
	g_assert_cmpint(st.latency_p50, ==, 0);
	g_assert_cmpint(st.latency_max, ==, 0);

	nm_bus_detach(bus, s);
	for (guint64 i = 0; i < 20; i++)
		nm_bus_publish(bus, mk("x", i));
	g_usleep(20000);
	sub(bus, "lat", NM_MSG_MASK_ALL, NULL, &r);
	drain_ok(bus);
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.delivered, ==, 20);
	g_assert_cmpint(st.latency_p50, >=, 20000);
	g_assert_cmpint(st.latency_p99, >=, st.latency_p50);
	g_assert_cmpint(st.latency_max, >=, st.latency_p99);
	g_assert_cmpint(st.latency_max, <, 10 * G_USEC_PER_SEC);
	nm_bus_free(bus);
	rec_clear(&r);
}

/* ------------------------------------------------------------------ */
/* Filtering, references, subscriptions                                */

static nm_msg *
mk_type(nm_msg_type t)
{
	nm_event ev = { .text = "e" };
	nm_state sta = { .host = "h", .service = "s" };
	nm_notification no = { .host = "h" };

	switch (t) {
	case NM_MSG_METRIC: return mk("m", 0);
	case NM_MSG_EVENT: return nm_event_new(&ev, 0);
	case NM_MSG_FLOW: return nm_flow_batch_new("x", 0, 0, 0, NULL);
	case NM_MSG_CONFIG:
		return nm_config_change_new("d", 0, "a", "", "t", "");
	case NM_MSG_STATE: return nm_state_new(&sta, 0);
	case NM_MSG_NOTIFICATION: return nm_notification_new(&no, 0);
	default: g_assert_not_reached();
	}
}

/* A subscription's worker thread is named "bus:<name>", cut to the 15
 * bytes Linux keeps (a longer name was refused and the thread showed as
 * "netmond" in top -H). */
static void
test_thread_name(void)
{
	nm_bus *bus = nm_bus_new();
	rec r;
	gboolean found = FALSE;
	GDir *dir;
	const char *tid;

	rec_init(&r);
	sub(bus, "events:a-long-subscription", NM_MSG_MASK_ALL, NULL, &r);
	/* the new thread names itself once it runs: look for up to 10 s */
	for (int tries = 0; !found && tries < 1000; tries++) {
		dir = g_dir_open("/proc/self/task", 0, NULL);
		g_assert_nonnull(dir);
		while ((tid = g_dir_read_name(dir)) != NULL) {
			char *path = g_strdup_printf("/proc/self/task/%s/comm", tid);
			char *comm = NULL;

			if (g_file_get_contents(path, &comm, NULL, NULL) &&
			    strcmp(g_strchomp(comm), "bus:events:a-lo") == 0)
				found = TRUE;
			g_free(comm);
			g_free(path);
		}
		g_dir_close(dir);
		if (!found)
			g_usleep(10000);
	}
	g_assert_true(found);
	nm_bus_free(bus);
	rec_clear(&r);
}

static void
test_type_mask(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	nm_msg *b[NM_MSG_N_TYPES];
	rec ra, rb, rc;
	guint total = 0;

	rec_init(&ra);
	rec_init(&rb);
	rec_init(&rc);
	sub(bus, "a", NM_MSG_MASK(NM_MSG_METRIC) | NM_MSG_MASK(NM_MSG_STATE),
	    NULL, &ra);
	sub(bus, "b", NM_MSG_MASK(NM_MSG_EVENT), NULL, &rb);
	sub(bus, "c", NM_MSG_MASK_ALL, NULL, &rc);

	for (int t = 0; t < NM_MSG_N_TYPES; t++)
		total += nm_bus_publish(bus, mk_type(t));
	g_assert_cmpuint(total, ==, 2 + 1 + 6);
	for (int t = 0; t < NM_MSG_N_TYPES; t++)
		b[t] = mk_type(t);
	g_assert_cmpuint(nm_bus_publish_batch(bus, b, NM_MSG_N_TYPES), ==, 9);
	drain_ok(bus);

	g_assert_cmpuint(ra.count, ==, 4);
	g_assert_cmpuint(ra.per_type[NM_MSG_METRIC], ==, 2);
	g_assert_cmpuint(ra.per_type[NM_MSG_STATE], ==, 2);
	g_assert_cmpuint(rb.count, ==, 2);
	g_assert_cmpuint(rb.per_type[NM_MSG_EVENT], ==, 2);
	g_assert_cmpuint(rc.count, ==, 12);
	for (int t = 0; t < NM_MSG_N_TYPES; t++)
		g_assert_cmpuint(rc.per_type[t], ==, 2);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);

	nm_bus_free(bus);
	rec_clear(&ra);
	rec_clear(&rb);
	rec_clear(&rc);
}

static void
test_refcount(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	nm_msg *b[100];
	rec ra, rb;

	/* Plain reference counting. */
	nm_msg *m = mk("x", 1);
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 1);
	g_assert_cmpint(nm_msg_refcount(m), ==, 1);
	g_assert_true(nm_msg_ref(m) == m);
	g_assert_cmpint(nm_msg_refcount(m), ==, 2);
	nm_msg_unref(m);
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 1);
	nm_msg_unref(m);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
	nm_msg_unref(NULL);

	/* Nobody subscribed: the bus drops the reference. */
	g_assert_cmpuint(nm_bus_publish(bus, mk("x", 1)), ==, 0);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);

	rec_init(&ra);
	rec_init(&rb);
	ra.keep_seq = 42;
	sub(bus, "keeper", NM_MSG_MASK_ALL, NULL, &ra);
	sub(bus, "other", NM_MSG_MASK(NM_MSG_METRIC), NULL, &rb);
	for (guint i = 0; i < 100; i++)
		b[i] = mk("x", i);
	g_assert_cmpuint(nm_bus_publish_batch(bus, b, 100), ==, 200);
	/* A type only one of them takes. */
	g_assert_cmpuint(nm_bus_publish(bus, mk_type(NM_MSG_EVENT)), ==, 1);
	drain_ok(bus);

	g_assert_cmpuint(ra.count, ==, 101);
	g_assert_cmpuint(rb.count, ==, 100);
	g_assert_nonnull(ra.kept);
	g_assert_cmpint(nm_msg_refcount(ra.kept), ==, 1);
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 1);
	g_assert_cmpuint(seq_of(ra.kept), ==, 42);
	nm_msg_unref(ra.kept);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);

	nm_bus_free(bus);
	rec_clear(&ra);
	rec_clear(&rb);
}

static void
test_reattach(void)
{
	nm_bus *bus = nm_bus_new();
	nm_sub_options o2 = { .max_batch = 10 };
	nm_sub_stats st;
	rec r1, r2;

	rec_init(&r1);
	rec_init(&r2);
	nm_subscription *s = sub(bus, "plugin:x", NM_MSG_MASK(NM_MSG_METRIC),
				 NULL, &r1);
	for (guint64 i = 0; i < 5; i++)
		nm_bus_publish(bus, mk("x", i));
	drain_ok(bus);
	g_assert_cmpuint(r1.count, ==, 5);

	nm_bus_detach(bus, s);
	for (guint64 i = 100; i < 200; i++)
		g_assert_cmpuint(nm_bus_publish(bus, mk("x", i)), ==, 1);
	/* Detached queues do not hold up a drain. */
	drain_ok(bus);
	nm_subscription_stats(s, &st);
	g_assert_false(st.attached);
	g_assert_cmpuint(st.depth, ==, 100);
	g_assert_cmpuint(r1.count, ==, 5);

	/* Same name: the same subscription, its queue and mask kept. */
	nm_subscription *s2 = sub(bus, "plugin:x", NM_MSG_MASK_ALL, &o2, &r2);
	g_assert_true(s2 == s);
	drain_ok(bus);
	g_assert_cmpuint(r2.count, ==, 100);
	for (guint i = 0; i < 100; i++)
		g_assert_cmpuint(rec_seq(&r2, i), ==, 100 + i);
	g_assert_cmpuint(r2.max_n, <=, 10);
	g_assert_cmpuint(r1.count, ==, 5);
	nm_subscription_stats(s, &st);
	g_assert_true(st.attached);
	g_assert_cmpuint(st.type_mask, ==, NM_MSG_MASK(NM_MSG_METRIC));
	g_assert_cmpuint(st.delivered, ==, 105);
	g_assert_cmpuint(st.enqueued, ==, 105);
	g_assert_cmpstr(nm_subscription_name(s), ==, "plugin:x");

	/* Only detached subscriptions are removed. */
	g_assert_cmpuint(nm_bus_remove_detached(bus), ==, 0);
	nm_bus_detach(bus, s);
	g_assert_cmpuint(nm_bus_remove_detached(bus), ==, 1);
	g_assert_cmpuint(nm_bus_publish(bus, mk("x", 1)), ==, 0);

	nm_bus_free(bus);
	rec_clear(&r1);
	rec_clear(&r2);
}

static void
test_detach_waits(void)
{
	nm_bus *bus = nm_bus_new();
	rec r;

	rec_init(&r);
	r.sleep_us = 50000;
	nm_subscription *s = sub(bus, "sleepy", NM_MSG_MASK_ALL, NULL, &r);
	nm_bus_publish(bus, mk("x", 0));
	rec_wait_calls(&r, 1);
	nm_bus_detach(bus, s);
	/* The callback returned before nm_bus_detach() did. */
	g_assert_cmpint(g_atomic_int_get(&r.done), ==, 1);
	nm_bus_free(bus);
	rec_clear(&r);
}

static void
count_cb(nm_subscription *s, gpointer user_data)
{
	GPtrArray *names = user_data;

	g_ptr_array_add(names, (gpointer)nm_subscription_name(s));
}

static void
test_subscribe_errors(void)
{
	nm_bus *bus = nm_bus_new();
	nm_sub_options bad = { .high_water = 10, .low_water = 10 };
	nm_sub_options badpol = { .policy = 7 };
	GError *err = NULL;
	rec r;

	rec_init(&r);
	sub(bus, "dup", NM_MSG_MASK_ALL, NULL, &r);
	g_assert_null(nm_bus_subscribe(bus, "dup", NM_MSG_MASK_ALL, NULL,
				       rec_cb, &r, &err));
	g_assert_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS);
	g_clear_error(&err);

	g_assert_null(nm_bus_subscribe(bus, "bad", NM_MSG_MASK_ALL, &bad,
				       rec_cb, &r, &err));
	g_assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&err);
	g_assert_null(nm_bus_subscribe(bus, "bad", NM_MSG_MASK_ALL, &badpol,
				       rec_cb, &r, &err));
	g_assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&err);
	g_assert_null(nm_bus_subscribe(bus, "bad", 0, NULL, rec_cb, &r, &err));
	g_assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&err);
	g_assert_null(nm_bus_subscribe(bus, "bad", 1u << 20, NULL, rec_cb, &r,
				       &err));
	g_assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&err);

	/* Defaults. */
	nm_subscription *s = sub(bus, "defaults", NM_MSG_MASK_ALL, NULL, &r);
	nm_sub_stats st;
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.high_water, ==, 65536);
	g_assert_cmpuint(st.low_water, ==, 32768);
	g_assert_cmpuint(st.policy, ==, NM_OVERFLOW_DROP_OLDEST);
	g_assert_cmpstr(nm_overflow_policy_name(NM_OVERFLOW_BLOCK), ==,
			"block");

	GPtrArray *names = g_ptr_array_new();
	nm_bus_foreach(bus, count_cb, names);
	g_assert_cmpuint(names->len, ==, 2);
	g_assert_cmpstr(names->pdata[0], ==, "dup");
	g_assert_cmpstr(names->pdata[1], ==, "defaults");
	g_ptr_array_free(names, TRUE);

	nm_bus_free(bus);
	rec_clear(&r);
}

static void
test_drain_deadline(void)
{
	nm_bus *bus = nm_bus_new();
	rec r;

	rec_init(&r);
	r.gated = TRUE;
	sub(bus, "stuck", NM_MSG_MASK_ALL, NULL, &r);
	nm_bus_publish(bus, mk("x", 0));
	rec_wait_calls(&r, 1);

	gint64 t0 = g_get_monotonic_time();
	g_assert_false(nm_bus_drain(bus, t0 + 100000));
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 99000);

	rec_open(&r);
	drain_ok(bus);
	g_assert_cmpuint(r.count, ==, 1);
	nm_bus_free(bus);
	rec_clear(&r);
}

static void
test_close(void)
{
	nm_bus *bus = nm_bus_new();
	gint64 live0 = nm_msg_live_count();
	nm_sub_options o = { .high_water = 2, .low_water = 1,
			     .policy = NM_OVERFLOW_BLOCK,
			     .block_timeout = 20 * G_USEC_PER_SEC };
	nm_sub_stats st;
	rec r;

	rec_init(&r);
	nm_subscription *s = sub(bus, "closing", NM_MSG_MASK_ALL, &o, &r);
	nm_bus_detach(bus, s);
	nm_bus_publish(bus, mk("x", 0));
	nm_bus_publish(bus, mk("x", 1));

	/* A publisher blocked on the full queue is released by close. */
	blocked_pub bp = { bus, mk("x", 2), 99, 0, 0 };
	gint64 t0 = g_get_monotonic_time();
	GThread *t = start_blocked(&bp);
	nm_bus_close(bus);
	g_thread_join(t);
	g_assert_cmpuint(bp.result, ==, 0);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);

	g_assert_cmpuint(nm_bus_publish(bus, mk("x", 3)), ==, 0);
	nm_msg *b[2] = { mk("x", 4), mk("x", 5) };
	g_assert_cmpuint(nm_bus_publish_batch(bus, b, 2), ==, 0);
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 2);
	nm_subscription_stats(s, &st);
	g_assert_cmpuint(st.enqueued, ==, 2);
	g_assert_cmpuint(st.overflows, ==, 1);
	g_assert_cmpuint(st.dropped, ==, 0);

	nm_bus_free(bus);  /* drops the two queued */
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
	g_assert_cmpuint(r.count, ==, 0);
	rec_clear(&r);
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

static void
test_msg_copies(void)
{
	gint64 live0 = nm_msg_live_count();
	char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];
	nm_msg *msgs[NM_MSG_N_TYPES];

#define FILL() do {                                             \
		strcpy(b1, "one"); strcpy(b2, "two");           \
		strcpy(b3, "three"); strcpy(b4, "four");        \
		strcpy(b5, "five"); strcpy(b6, "six");          \
		strcpy(b7, "seven");                            \
	} while (0)
#define SCRIBBLE() do {                                         \
		memset(b1, 'X', 8); memset(b2, 'X', 8);         \
		memset(b3, 'X', 8); memset(b4, 'X', 8);         \
		memset(b5, 'X', 8); memset(b6, 'X', 8);         \
		memset(b7, 'X', 8);                             \
	} while (0)

	nm_value vals[3] = {
		{ NM_DS_GAUGE, { .gauge = 1.5 } },
		{ NM_DS_COUNTER, { .counter = 7 } },
		{ NM_DS_DERIVE, { .derive = -3 } },
	};
	FILL();
	msgs[NM_MSG_METRIC] = nm_metric_new(b1, b2, b3, b4, b5, 11, 22, 3,
					    vals);
	vals[0].v.gauge = 99;
	SCRIBBLE();
	const nm_metric *m = nm_msg_as_metric(msgs[NM_MSG_METRIC]);
	g_assert_nonnull(m);
	g_assert_cmpstr(m->host, ==, "one");
	g_assert_cmpstr(m->plugin, ==, "two");
	g_assert_cmpstr(m->plugin_instance, ==, "three");
	g_assert_cmpstr(m->type, ==, "four");
	g_assert_cmpstr(m->type_instance, ==, "five");
	g_assert_cmpint(m->base.time, ==, 11);
	g_assert_cmpint(m->interval, ==, 22);
	g_assert_cmpuint(m->n_values, ==, 3);
	g_assert_true((guintptr)m->values % G_ALIGNOF(nm_value) == 0);
	g_assert_cmpfloat(m->values[0].v.gauge, ==, 1.5);
	g_assert_cmpuint(m->values[1].v.counter, ==, 7);
	g_assert_cmpint(m->values[2].v.derive, ==, -3);

	FILL();
	nm_event ev = { .source = b1, .host = b2, .facility = 4,
			.severity = 2, .app_name = b3, .procid = b4,
			.msgid = b5, .structured_data = NULL, .text = b7 };
	msgs[NM_MSG_EVENT] = nm_event_new(&ev, 33);
	SCRIBBLE();
	const nm_event *e = nm_msg_as_event(msgs[NM_MSG_EVENT]);
	g_assert_nonnull(e);
	g_assert_cmpint(e->base.type, ==, NM_MSG_EVENT);
	g_assert_cmpint(e->base.time, ==, 33);
	g_assert_cmpstr(e->source, ==, "one");
	g_assert_cmpstr(e->host, ==, "two");
	g_assert_cmpstr(e->app_name, ==, "three");
	g_assert_cmpstr(e->procid, ==, "four");
	g_assert_cmpstr(e->msgid, ==, "five");
	g_assert_cmpstr(e->structured_data, ==, "");
	g_assert_cmpstr(e->text, ==, "seven");
	g_assert_cmpint(e->facility, ==, 4);
	g_assert_cmpint(e->severity, ==, 2);

	FILL();
	nm_flow_record recs[2] = { { .bytes = 1000, .packets = 3,
				     .src_port = 80 },
				   { .bytes = 5, .dst_port = 443 } };
	recs[0].src.family = AF_INET;
	recs[0].src.addr[0] = 192;
	msgs[NM_MSG_FLOW] = nm_flow_batch_new(b1, 9, 44, 2, recs);
	memset(recs, 0xff, sizeof recs);
	SCRIBBLE();
	const nm_flow_batch *f = nm_msg_as_flow(msgs[NM_MSG_FLOW]);
	g_assert_nonnull(f);
	g_assert_cmpstr(f->exporter, ==, "one");
	g_assert_cmpuint(f->observation_domain, ==, 9);
	g_assert_cmpuint(f->n_records, ==, 2);
	g_assert_true((guintptr)f->records % G_ALIGNOF(nm_flow_record) == 0);
	g_assert_cmpuint(f->records[0].bytes, ==, 1000);
	g_assert_cmpuint(f->records[0].src.family, ==, AF_INET);
	g_assert_cmpuint(f->records[0].src.addr[0], ==, 192);
	g_assert_cmpuint(f->records[1].dst_port, ==, 443);

	FILL();
	msgs[NM_MSG_CONFIG] = nm_config_change_new(b1, 55, b2, NULL, b4, b5);
	SCRIBBLE();
	const nm_config_change *c = nm_msg_as_config(msgs[NM_MSG_CONFIG]);
	g_assert_nonnull(c);
	g_assert_cmpstr(c->device, ==, "one");
	g_assert_cmpstr(c->hash, ==, "two");
	g_assert_cmpstr(c->previous_hash, ==, "");
	g_assert_cmpstr(c->text, ==, "four");
	g_assert_cmpstr(c->diff, ==, "five");
	g_assert_cmpint(c->base.time, ==, 55);

	FILL();
	nm_state sf = { .host = b1, .service = b2, .code = NM_STATE_CRITICAL,
			.state_type = NM_STATE_HARD, .attempt = 3,
			.max_attempts = 3, .output = b3, .long_output = NULL,
			.perfdata = b5 };
	msgs[NM_MSG_STATE] = nm_state_new(&sf, 66);
	SCRIBBLE();
	const nm_state *s = nm_msg_as_state(msgs[NM_MSG_STATE]);
	g_assert_nonnull(s);
	g_assert_cmpstr(s->host, ==, "one");
	g_assert_cmpstr(s->service, ==, "two");
	g_assert_cmpstr(s->output, ==, "three");
	g_assert_cmpstr(s->long_output, ==, "");
	g_assert_cmpstr(s->perfdata, ==, "five");
	g_assert_cmpint(s->code, ==, NM_STATE_CRITICAL);
	g_assert_cmpint(s->state_type, ==, NM_STATE_HARD);
	g_assert_cmpuint(s->attempt, ==, 3);
	g_assert_cmpint(s->base.time, ==, 66);

	FILL();
	nm_notification nf = { .kind = NM_NOTIFY_ACKNOWLEDGED, .alert_id = 77,
			       .host = b1, .service = b2,
			       .code = NM_STATE_WARNING, .output = b3,
			       .author = b4, .comment = NULL };
	msgs[NM_MSG_NOTIFICATION] = nm_notification_new(&nf, 88);
	SCRIBBLE();
	const nm_notification *n = nm_msg_as_notification(
		msgs[NM_MSG_NOTIFICATION]);
	g_assert_nonnull(n);
	g_assert_cmpstr(n->host, ==, "one");
	g_assert_cmpstr(n->service, ==, "two");
	g_assert_cmpstr(n->output, ==, "three");
	g_assert_cmpstr(n->author, ==, "four");
	g_assert_cmpstr(n->comment, ==, "");
	g_assert_cmpuint(n->alert_id, ==, 77);
	g_assert_cmpint(n->kind, ==, NM_NOTIFY_ACKNOWLEDGED);
	g_assert_cmpint(n->base.time, ==, 88);

	g_assert_cmpint(nm_msg_live_count(), ==, live0 + NM_MSG_N_TYPES);

	/* Checked casts refuse every other type, and NULL. */
	for (int t = 0; t < NM_MSG_N_TYPES; t++) {
		nm_msg *x = msgs[t];
		g_assert_cmpint(x->type, ==, t);
		g_assert_cmpint(nm_msg_refcount(x), ==, 1);
		g_assert_true((nm_msg_as_metric(x) != NULL) == (t == NM_MSG_METRIC));
		g_assert_true((nm_msg_as_event(x) != NULL) == (t == NM_MSG_EVENT));
		g_assert_true((nm_msg_as_flow(x) != NULL) == (t == NM_MSG_FLOW));
		g_assert_true((nm_msg_as_config(x) != NULL) == (t == NM_MSG_CONFIG));
		g_assert_true((nm_msg_as_state(x) != NULL) == (t == NM_MSG_STATE));
		g_assert_true((nm_msg_as_notification(x) != NULL) ==
			      (t == NM_MSG_NOTIFICATION));
		nm_msg_unref(x);
	}
	g_assert_null(nm_msg_as_metric(NULL));
	g_assert_null(nm_msg_as_notification(NULL));
	g_assert_cmpint(nm_msg_live_count(), ==, live0);

	/* An empty flow batch. */
	nm_msg *fe = nm_flow_batch_new(NULL, 0, 0, 0, NULL);
	g_assert_cmpstr(nm_msg_as_flow(fe)->exporter, ==, "");
	g_assert_cmpuint(nm_msg_as_flow(fe)->n_records, ==, 0);
	nm_msg_unref(fe);
#undef FILL
#undef SCRIBBLE
}

static void
test_msg_names(void)
{
	static const char *const names[] = {
		"metric", "event", "flow", "config", "state", "notification"
	};

	for (int t = 0; t < NM_MSG_N_TYPES; t++) {
		g_assert_cmpstr(nm_msg_type_name(t), ==, names[t]);
		g_assert_cmpint(nm_msg_type_from_name(names[t]), ==, t);
	}
	g_assert_cmpint(nm_msg_type_from_name("METRIC"), ==, NM_MSG_METRIC);
	g_assert_cmpint(nm_msg_type_from_name("Notification"), ==,
			NM_MSG_NOTIFICATION);
	g_assert_cmpint(nm_msg_type_from_name("metrics"), ==, -1);
	g_assert_cmpint(nm_msg_type_from_name(""), ==, -1);
	g_assert_cmpint(nm_msg_type_from_name(NULL), ==, -1);
	g_assert_cmpstr(nm_msg_type_name(NM_MSG_N_TYPES), ==, "?");
	g_assert_cmpstr(nm_ds_kind_name(NM_DS_ABSOLUTE), ==, "ABSOLUTE");
	g_assert_cmpstr(nm_ds_kind_name(NM_DS_GAUGE), ==, "GAUGE");
	g_assert_cmpstr(nm_state_code_name(NM_STATE_WARNING), ==, "WARNING");
	g_assert_cmpstr(nm_notify_kind_name(NM_NOTIFY_RESOLVED), ==,
			"resolved");
}

static void
test_metric_invalid(void)
{
	gint64 live0 = nm_msg_live_count();
	nm_value v[65] = { { NM_DS_GAUGE, { .gauge = 1 } } };

	g_assert_null(nm_metric_new(NULL, "p", NULL, "t", NULL, 0, 0, 1, v));
	g_assert_null(nm_metric_new("", "p", NULL, "t", NULL, 0, 0, 1, v));
	g_assert_null(nm_metric_new("h", NULL, NULL, "t", NULL, 0, 0, 1, v));
	g_assert_null(nm_metric_new("h", "", NULL, "t", NULL, 0, 0, 1, v));
	g_assert_null(nm_metric_new("h", "p", NULL, NULL, NULL, 0, 0, 1, v));
	g_assert_null(nm_metric_new("h", "p", NULL, "", NULL, 0, 0, 1, v));
	g_assert_null(nm_metric_new("h", "p", NULL, "t", NULL, 0, 0, 0, v));
	g_assert_null(nm_metric_new("h", "p", NULL, "t", NULL, 0, 0, 65, v));
	g_assert_null(nm_metric_new_gauge("", "p", NULL, "t", NULL, 0, 0, 1));
	g_assert_cmpint(nm_msg_live_count(), ==, live0);

	nm_msg *m = nm_metric_new("h", "p", NULL, "t", NULL, 0, 0, 64, v);
	g_assert_nonnull(m);
	g_assert_cmpuint(nm_msg_as_metric(m)->n_values, ==, 64);
	nm_msg_unref(m);
	m = nm_metric_new_gauge("h", "p", NULL, "t", NULL, 5, 6, 2.25);
	g_assert_nonnull(m);
	g_assert_cmpuint(nm_msg_as_metric(m)->n_values, ==, 1);
	g_assert_cmpint(nm_msg_as_metric(m)->values[0].kind, ==, NM_DS_GAUGE);
	g_assert_cmpfloat(nm_msg_as_metric(m)->values[0].v.gauge, ==, 2.25);
	nm_msg_unref(m);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
}

/* nm_metric_new_gauges() makes what nm_metric_new_gauge() makes, one
 * message each, and NULL where it would refuse. */
static void
test_metric_gauges(void)
{
	gint64 live0 = nm_msg_live_count();
	const char *types[] = { "ping", "ping", NULL, "", "ping_droprate" };
	const char *insts[] = { "", "min", "x", "y", NULL };
	const double vals[] = { 1.5, 0.25, 3, 4, -0.0 };
	nm_msg *out[5];

	g_assert_cmpuint(nm_metric_new_gauges("host-a", "icmp", "pi", 77, 10,
					      5, types, insts, vals, out),
			 ==, 3);
	g_assert_cmpint(nm_msg_live_count(), ==, live0 + 3);
	g_assert_null(out[2]);
	g_assert_null(out[3]);
	for (guint i = 0; i < 5; i++) {
		nm_msg *ref;
		const nm_metric *a, *b;
		if (out[i] == NULL)
			continue;
		ref = nm_metric_new_gauge("host-a", "icmp", "pi", types[i],
					  insts[i], 77, 10, vals[i]);
		a = nm_msg_as_metric(out[i]);
		b = nm_msg_as_metric(ref);
		g_assert_nonnull(a);
		g_assert_cmpint(nm_msg_refcount(out[i]), ==, 1);
		g_assert_cmpstr(a->host, ==, b->host);
		g_assert_cmpstr(a->plugin, ==, b->plugin);
		g_assert_cmpstr(a->plugin_instance, ==, b->plugin_instance);
		g_assert_cmpstr(a->type, ==, b->type);
		g_assert_cmpstr(a->type_instance, ==, b->type_instance);
		g_assert_cmpint(a->base.time, ==, 77);
		g_assert_cmpint(a->interval, ==, 10);
		g_assert_cmpuint(a->n_values, ==, 1);
		g_assert_cmpint(a->values[0].kind, ==, NM_DS_GAUGE);
		g_assert_cmpmem(&a->values[0].v.gauge, sizeof(double),
				&b->values[0].v.gauge, sizeof(double));
		g_assert_true((gconstpointer)a->values == (gconstpointer)(
			(const char *)a + ((const char *)b->values -
					   (const char *)b)));
		nm_msg_unref(ref);
		nm_msg_unref(out[i]);
	}
	/* NULL instances and plugin instance, and refusals. */
	g_assert_cmpuint(nm_metric_new_gauges("h", "p", NULL, 0, 0, 1, types,
					      NULL, vals, out), ==, 1);
	g_assert_cmpstr(nm_msg_as_metric(out[0])->plugin_instance, ==, "");
	g_assert_cmpstr(nm_msg_as_metric(out[0])->type_instance, ==, "");
	nm_msg_unref(out[0]);
	out[0] = out[1] = (nm_msg *)0x1;
	g_assert_cmpuint(nm_metric_new_gauges("", "p", NULL, 0, 0, 2, types,
					      insts, vals, out), ==, 0);
	g_assert_true(out[0] == NULL && out[1] == NULL);
	g_assert_cmpuint(nm_metric_new_gauges("h", "p", NULL, 0, 0, 0, types,
					      insts, vals, out), ==, 0);
	g_assert_cmpint(nm_msg_live_count(), ==, live0);
}

static void
check_identity(const char *pi, const char *ti, const char *want)
{
	nm_msg *m = nm_metric_new_gauge("h", "p", pi, "t", ti, 0, 0, 0);
	char *id = nm_metric_identity(nm_msg_as_metric(m));

	g_assert_cmpstr(id, ==, want);
	g_free(id);
	nm_msg_unref(m);
}

static void
test_metric_identity(void)
{
	check_identity("pi", "ti", "h/p-pi/t-ti");
	check_identity(NULL, NULL, "h/p/t");
	check_identity("", "", "h/p/t");
	check_identity("pi", NULL, "h/p-pi/t");
	check_identity(NULL, "ti", "h/p/t-ti");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/msg/copies", test_msg_copies);
	g_test_add_func("/msg/names", test_msg_names);
	g_test_add_func("/msg/metric-invalid", test_metric_invalid);
	g_test_add_func("/msg/metric-identity", test_metric_identity);
	g_test_add_func("/msg/metric-gauges", test_metric_gauges);
	g_test_add_func("/bus/order", test_order);
	g_test_add_func("/bus/drop-oldest", test_drop_oldest);
	g_test_add_func("/bus/block-timeout", test_block_timeout);
	g_test_add_func("/bus/block-resume", test_block_resume);
	g_test_add_func("/bus/counters", test_counters);
	g_test_add_func("/bus/latency", test_latency);
	g_test_add_func("/bus/type-mask", test_type_mask);
	g_test_add_func("/bus/thread-name", test_thread_name);
	g_test_add_func("/bus/refcount", test_refcount);
	g_test_add_func("/bus/reattach", test_reattach);
	g_test_add_func("/bus/detach-waits", test_detach_waits);
	g_test_add_func("/bus/subscribe-errors", test_subscribe_errors);
	g_test_add_func("/bus/drain-deadline", test_drain_deadline);
	g_test_add_func("/bus/close", test_close);

	return g_test_run();
}
