/* netmon — the typed message bus: bounded per-subscription queues, one
 * delivery thread per subscription, overflow policies, latency statistics.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Locking. The bus's subscription list (all subscriptions in order, plus
 * one array per message type) is guarded by bus->lock, a GRWLock:
 * publishers, nm_bus_drain(), nm_bus_close() and nm_bus_foreach() read it,
 * adding and removing subscriptions writes it. Everything mutable in a
 * subscription is guarded by its own sub->lock. Lock order: bus->lock
 * before sub->lock; callbacks run with no lock held.
 *
 * Each subscription has a ring buffer of {message, enqueue time} that grows
 * on demand up to its high water mark. Publishers append to it under
 * sub->lock (a whole batch under one acquisition) and wake the worker only
 * if it is asleep; the worker takes up to max_batch entries under the lock,
 * releases it, calls the callback, and drops its references.
 *
 * References: before queueing a message anywhere, the publisher adds one
 * reference per extra matching subscription in a single atomic operation,
 * so every (message, subscription) pair owns exactly one reference, which
 * the queue, the overflow policy or the worker gives back.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>
#include <string.h>

#include <netmon/bus.h>

#include "tsan.h"

#define DEFAULT_HIGH_WATER 65536u
#define DEFAULT_BLOCK_TIMEOUT G_USEC_PER_SEC
#define DEFAULT_MAX_BATCH 1024u
#define RING_MIN_CAP 64u

/* Latency histogram: values 0..3 µs get a bucket each; above, every power
 * of two [2^e, 2^(e+1)) is split into 4 equal sub-buckets, for e = 2..41
 * (2^42 µs is about 51 days; larger values land in the last bucket). */
#define LAT_MAX_EXP 41
#define LAT_BUCKETS (4 + (LAT_MAX_EXP - 1) * 4)

/* Stack space for the per-message type bits of a published batch. */
#define BATCH_STACK 1024

typedef struct {
	nm_msg *msg;
	gint64 enqueued_at; /* monotonic µs */
} entry;

struct nm_subscription {
	nm_bus *bus;
	char *name;         /* immutable */
	guint32 type_mask;  /* immutable (kept across re-attach) */
	GThread *thread;    /* the worker */

	GMutex lock;
	GCond cond_work;    /* worker waits for messages / attach / stop */
	GCond cond_space;   /* BLOCK publishers wait for low water */
	GCond cond_idle;    /* detach / drain wait for the callback / queue */

	/* Everything below is guarded by lock. */
	entry *ring;
	guint cap, head, depth;
	guint high_water, low_water, max_batch;
	nm_overflow_policy policy;
	gint64 block_timeout;
	nm_bus_deliver_fn fn;
	gpointer user_data;
	gboolean attached, stop, in_callback, worker_waiting, in_overflow;
	guint space_waiters, idle_waiters;
	guint64 enqueued, delivered, dropped, overflows;
	guint max_depth;
	gint64 latency_max;
	guint64 latency_hist[LAT_BUCKETS];
};

struct nm_bus {
	GRWLock lock;
	GPtrArray *subs;                     /* in subscription order */
	GPtrArray *by_type[NM_MSG_N_TYPES];  /* subscriptions per type */
	gint closed;                         /* atomic */
};

static inline void
sub_lock(nm_subscription *s)
{
	g_mutex_lock(&s->lock);
	tsan_locked(&s->lock);
}

static inline void
sub_unlock(nm_subscription *s)
{
	tsan_unlocking(&s->lock);
	g_mutex_unlock(&s->lock);
}

static inline void
sub_wait(nm_subscription *s, GCond *cond)
{
	tsan_unlocking(&s->lock);
	g_cond_wait(cond, &s->lock);
	tsan_locked(&s->lock);
}

static inline gboolean
sub_wait_until(nm_subscription *s, GCond *cond, gint64 end_time)
{
	tsan_unlocking(&s->lock);
	gboolean r = g_cond_wait_until(cond, &s->lock, end_time);
	tsan_locked(&s->lock);
	return r;
}

const char *
nm_overflow_policy_name(nm_overflow_policy policy)
{
	switch (policy) {
	case NM_OVERFLOW_DROP_OLDEST: return "drop-oldest";
	case NM_OVERFLOW_BLOCK: return "block";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* Latency histogram                                                   */

static inline guint
lat_bucket(gint64 v)
{
	if (v < 4)
		return v < 0 ? 0 : (guint)v;
	guint e = 63 - (guint)__builtin_clzll((unsigned long long)v);
	if (e > LAT_MAX_EXP)
		return LAT_BUCKETS - 1;
	return 4 + (e - 2) * 4 + (guint)((v >> (e - 2)) & 3);
}

/* Largest value that falls into bucket @b. */
static gint64
lat_bucket_high(guint b)
{
	if (b < 4)
		return b;
	guint e = (b - 4) / 4 + 2, sub = (b - 4) % 4;
	return ((gint64)(4 + sub + 1) << (e - 2)) - 1;
}

/* The value at rank @rank (1-based) of @hist, as its bucket's upper bound
 * but at most @max. */
static gint64
lat_percentile(const guint64 *hist, guint64 rank, gint64 max)
{
	guint64 cum = 0;

	for (guint b = 0; b < LAT_BUCKETS; b++) {
		cum += hist[b];
		if (cum >= rank)
			return MIN(lat_bucket_high(b), max);
	}
	return max;
}

/* ------------------------------------------------------------------ */
/* Queue helpers (sub->lock held)                                      */

static void
ring_grow(nm_subscription *s)
{
	guint64 want = s->cap ? (guint64)s->cap * 2 : RING_MIN_CAP;
	want = MIN(want, (guint64)s->high_water);
	want = MAX(want, (guint64)s->depth + 1);

	entry *ring = g_new(entry, want);
	guint first = MIN(s->depth, s->cap - s->head);
	if (s->depth > 0) {
		memcpy(ring, s->ring + s->head, first * sizeof(entry));
		memcpy(ring + first, s->ring, (s->depth - first) * sizeof(entry));
	}
	g_free(s->ring);
	s->ring = ring;
	s->cap = (guint)want;
	s->head = 0;
}

static void
drop_oldest(nm_subscription *s)
{
	nm_msg_unref(s->ring[s->head].msg);
	s->head = s->head + 1 == s->cap ? 0 : s->head + 1;
	s->depth--;
	s->dropped++;
}

/* BLOCK policy: wait until the queue has drained to the low water mark,
 * the deadline of this publish call passes (*@deadline, set on the first
 * wait of the call) or the bus closes. Returns TRUE if the message may be
 * queued now; sets *@closed when the bus closed meanwhile. */
static gboolean
block_for_space(nm_bus *bus, nm_subscription *s, gint64 *deadline,
		gboolean *closed)
{
	/* Let the worker work on what this call queued so far. */
	if (s->worker_waiting && s->attached)
		g_cond_signal(&s->cond_work);

	gint64 now = g_get_monotonic_time();
	if (*deadline == 0)
		*deadline = now + s->block_timeout;

	s->space_waiters++;
	while (s->depth > s->low_water && now < *deadline &&
	       !g_atomic_int_get(&bus->closed)) {
		if (!sub_wait_until(s, &s->cond_space, *deadline))
			break;
	}
	s->space_waiters--;

	if (g_atomic_int_get(&bus->closed)) {
		*closed = TRUE;
		return FALSE;
	}
	return s->depth < s->high_water;
}

/* Queue those of @msgs whose type bit (@bits) matches @s, in order; each
 * carries one reference for @s. *@now is the enqueue time (refreshed after
 * a BLOCK wait). Returns how many were queued. */
static guint
sub_enqueue(nm_bus *bus, nm_subscription *s, nm_msg *const *msgs,
	    const guint32 *bits, guint n, gint64 *now, gboolean *closed)
{
	guint32 mask = s->type_mask;
	gint64 deadline = 0;
	guint queued = 0;
	gboolean wake;

	sub_lock(s);
	for (guint i = 0; i < n; i++) {
		if (!(bits[i] & mask))
			continue;
		nm_msg *m = msgs[i];
		if (G_UNLIKELY(*closed)) {
			nm_msg_unref(m);
			continue;
		}
		if (G_UNLIKELY(s->depth >= s->high_water)) {
			if (s->policy == NM_OVERFLOW_DROP_OLDEST) {
				while (s->depth >= s->high_water)
					drop_oldest(s);
			} else if (block_for_space(bus, s, &deadline, closed)) {
				*now = g_get_monotonic_time();
			} else {
				if (!*closed)
					s->dropped++;
				nm_msg_unref(m);
				continue;
			}
		}
		if (G_UNLIKELY(s->depth == s->cap))
			ring_grow(s);
		guint idx = s->head + s->depth;
		if (idx >= s->cap)
			idx -= s->cap;
		s->ring[idx].msg = m;
		s->ring[idx].enqueued_at = *now;
		s->depth++;
		queued++;
		if (G_UNLIKELY(s->depth > s->max_depth))
			s->max_depth = s->depth;
		if (G_UNLIKELY(s->depth >= s->high_water) && !s->in_overflow) {
			s->in_overflow = TRUE;
			s->overflows++;
		}
	}
	s->enqueued += queued;
	wake = queued > 0 && s->worker_waiting && s->attached;
	sub_unlock(s);

	/* The subscription cannot go away: we hold bus->lock for reading. */
	if (wake)
		g_cond_signal(&s->cond_work);
	return queued;
}

/* ------------------------------------------------------------------ */
/* Worker                                                              */

/* The delivery thread of one subscription: takes up to max_batch
 * messages, records their latency, calls the callback unlocked, drops the
 * references; sleeps while the queue is empty or the subscription is
 * detached; exits on stop without delivering the rest. */
static gpointer
worker_main(gpointer data)
{
	nm_subscription *s = data;
	nm_msg **batch = NULL;
	guint batch_cap = 0;

	sub_lock(s);
	for (;;) {
		while (!s->stop && (!s->attached || s->depth == 0)) {
			s->worker_waiting = TRUE;
			sub_wait(s, &s->cond_work);
			s->worker_waiting = FALSE;
		}
		if (s->stop)
			break;

		guint n = MIN(s->depth, s->max_batch);
		if (n > batch_cap) {
			batch_cap = MAX(n, batch_cap * 2);
			batch_cap = MIN(batch_cap, s->max_batch);
			g_free(batch);
			batch = g_new(nm_msg *, batch_cap);
		}
		gint64 now = g_get_monotonic_time();
		gint64 lmax = s->latency_max;
		guint head = s->head;
		for (guint i = 0; i < n; i++) {
			const entry *e = &s->ring[head];
			gint64 lat = now - e->enqueued_at;
			batch[i] = e->msg;
			s->latency_hist[lat_bucket(lat)]++;
			if (lat > lmax)
				lmax = lat;
			head = head + 1 == s->cap ? 0 : head + 1;
		}
		s->head = head;
		s->latency_max = lmax;
		s->depth -= n;
		s->delivered += n;
		if (s->depth <= s->low_water) {
			s->in_overflow = FALSE;
			if (s->space_waiters > 0)
				g_cond_broadcast(&s->cond_space);
		}
		nm_bus_deliver_fn fn = s->fn;
		gpointer user_data = s->user_data;
		s->in_callback = TRUE;
		sub_unlock(s);

		fn(batch, n, user_data);
		for (guint i = 0; i < n; i++)
			nm_msg_unref(batch[i]);

		sub_lock(s);
		s->in_callback = FALSE;
		if (s->idle_waiters > 0)
			g_cond_broadcast(&s->cond_idle);
	}
	sub_unlock(s);
	g_free(batch);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Bus                                                                 */

nm_bus *
nm_bus_new(void)
{
	nm_bus *bus = g_new0(nm_bus, 1);

	g_rw_lock_init(&bus->lock);
	bus->subs = g_ptr_array_new();
	for (guint t = 0; t < NM_MSG_N_TYPES; t++)
		bus->by_type[t] = g_ptr_array_new();
	return bus;
}

/* Stop @s's worker, drop (and count) what is queued, free @s. @s must no
 * longer be reachable from the bus. */
static void
sub_destroy(nm_subscription *s)
{
	sub_lock(s);
	s->stop = TRUE;
	g_cond_signal(&s->cond_work);
	sub_unlock(s);
	g_thread_join(s->thread);

	while (s->depth > 0)
		drop_oldest(s);
	g_free(s->ring);
	tsan_destroy(&s->lock);
	g_mutex_clear(&s->lock);
	g_cond_clear(&s->cond_work);
	g_cond_clear(&s->cond_space);
	g_cond_clear(&s->cond_idle);
	g_free(s->name);
	g_free(s);
}

/* Take @s out of the bus's arrays (bus->lock held for writing). */
static void
bus_unlink(nm_bus *bus, nm_subscription *s)
{
	g_ptr_array_remove(bus->subs, s);
	for (guint t = 0; t < NM_MSG_N_TYPES; t++)
		if (s->type_mask & NM_MSG_MASK(t))
			g_ptr_array_remove(bus->by_type[t], s);
}

void
nm_bus_free(nm_bus *bus)
{
	if (bus == NULL)
		return;
	g_rw_lock_writer_lock(&bus->lock);
	GPtrArray *subs = bus->subs;
	bus->subs = NULL;
	g_rw_lock_writer_unlock(&bus->lock);

	for (guint i = 0; i < subs->len; i++)
		sub_destroy(subs->pdata[i]);
	g_ptr_array_free(subs, TRUE);
	for (guint t = 0; t < NM_MSG_N_TYPES; t++)
		g_ptr_array_free(bus->by_type[t], TRUE);
	g_rw_lock_clear(&bus->lock);
	g_free(bus);
}

/* Apply defaults to @opts (NULL for all defaults) into @out; FALSE with
 * @err if they are invalid. */
static gboolean
resolve_options(const nm_sub_options *opts, nm_sub_options *out,
		GError **err)
{
	static const nm_sub_options zero;

	*out = opts != NULL ? *opts : zero;
	if (out->high_water == 0)
		out->high_water = DEFAULT_HIGH_WATER;
	if (out->low_water == 0)
		out->low_water = out->high_water / 2;
	if (out->block_timeout == 0)
		out->block_timeout = DEFAULT_BLOCK_TIMEOUT;
	if (out->max_batch == 0)
		out->max_batch = DEFAULT_MAX_BATCH;

	if (out->low_water >= out->high_water) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "low_water (%u) must be below high_water (%u)",
			    out->low_water, out->high_water);
		return FALSE;
	}
	if (out->policy != NM_OVERFLOW_DROP_OLDEST &&
	    out->policy != NM_OVERFLOW_BLOCK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "unknown overflow policy %d", (int)out->policy);
		return FALSE;
	}
	if (out->block_timeout < 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "negative block_timeout");
		return FALSE;
	}
	return TRUE;
}

static void
sub_set_options(nm_subscription *s, const nm_sub_options *o)
{
	s->high_water = o->high_water;
	s->low_water = o->low_water;
	s->policy = o->policy;
	s->block_timeout = o->block_timeout;
	s->max_batch = o->max_batch;
}

static nm_subscription *
find_sub(nm_bus *bus, const char *name)
{
	for (guint i = 0; i < bus->subs->len; i++) {
		nm_subscription *s = bus->subs->pdata[i];
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Re-attach @s if it is detached (bus->lock held in either mode); else
 * fail with G_IO_ERROR_EXISTS. */
static gboolean
sub_reattach(nm_subscription *s, const nm_sub_options *o,
	     nm_bus_deliver_fn fn, gpointer user_data, GError **err)
{
	sub_lock(s);
	if (s->attached) {
		sub_unlock(s);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "bus subscription \"%s\" exists", s->name);
		return FALSE;
	}
	sub_set_options(s, o);
	s->fn = fn;
	s->user_data = user_data;
	s->attached = TRUE;
	if (s->worker_waiting)
		g_cond_signal(&s->cond_work);
	/* A publisher may wait with the old low water mark. */
	if (s->space_waiters > 0)
		g_cond_broadcast(&s->cond_space);
	sub_unlock(s);
	return TRUE;
}

nm_subscription *
nm_bus_subscribe(nm_bus *bus, const char *name, guint32 type_mask,
		 const nm_sub_options *opts, nm_bus_deliver_fn fn,
		 gpointer user_data, GError **err)
{
	nm_sub_options o;
	nm_subscription *s;

	g_return_val_if_fail(bus != NULL, NULL);
	g_return_val_if_fail(fn != NULL, NULL);
	g_return_val_if_fail(err == NULL || *err == NULL, NULL);

	if (name == NULL || *name == '\0') {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "empty subscription name");
		return NULL;
	}
	type_mask &= NM_MSG_MASK_ALL;
	if (type_mask == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "subscription \"%s\": empty type mask", name);
		return NULL;
	}
	if (!resolve_options(opts, &o, err)) {
		g_prefix_error(err, "subscription \"%s\": ", name);
		return NULL;
	}

	/* Re-attaching needs only the reader lock, so it does not wait for
	 * publishers blocked on this (detached) subscription. */
	g_rw_lock_reader_lock(&bus->lock);
	s = find_sub(bus, name);
	if (s != NULL) {
		gboolean ok = sub_reattach(s, &o, fn, user_data, err);
		g_rw_lock_reader_unlock(&bus->lock);
		return ok ? s : NULL;
	}
	g_rw_lock_reader_unlock(&bus->lock);

	g_rw_lock_writer_lock(&bus->lock);
	s = find_sub(bus, name);  /* someone may have been quicker */
	if (s != NULL) {
		gboolean ok = sub_reattach(s, &o, fn, user_data, err);
		g_rw_lock_writer_unlock(&bus->lock);
		return ok ? s : NULL;
	}

	s = g_new0(nm_subscription, 1);
	s->bus = bus;
	s->name = g_strdup(name);
	s->type_mask = type_mask;
	g_mutex_init(&s->lock);
	g_cond_init(&s->cond_work);
	g_cond_init(&s->cond_space);
	g_cond_init(&s->cond_idle);
	sub_set_options(s, &o);
	s->fn = fn;
	s->user_data = user_data;
	s->attached = TRUE;

	/* Linux keeps 15 bytes of a thread's name and refuses a longer one
	 * (then top -H shows "netmond"): cut "bus:<plugin>:<name>" to fit */
	char tname[16];
	g_snprintf(tname, sizeof tname, "bus:%s", name);
	s->thread = g_thread_try_new(tname, worker_main, s, err);
	if (s->thread == NULL) {
		g_rw_lock_writer_unlock(&bus->lock);
		g_mutex_clear(&s->lock);
		g_cond_clear(&s->cond_work);
		g_cond_clear(&s->cond_space);
		g_cond_clear(&s->cond_idle);
		g_free(s->name);
		g_free(s);
		return NULL;
	}
	g_ptr_array_add(bus->subs, s);
	for (guint t = 0; t < NM_MSG_N_TYPES; t++)
		if (type_mask & NM_MSG_MASK(t))
			g_ptr_array_add(bus->by_type[t], s);
	g_rw_lock_writer_unlock(&bus->lock);
	return s;
}

void
nm_bus_detach(nm_bus *bus, nm_subscription *sub)
{
	g_return_if_fail(bus != NULL && sub != NULL && sub->bus == bus);

	sub_lock(sub);
	sub->attached = FALSE;
	if (sub->idle_waiters > 0)  /* a drain need not wait for it now */
		g_cond_broadcast(&sub->cond_idle);
	/* From the subscription's own callback: it returns right after. */
	if (g_thread_self() != sub->thread) {
		sub->idle_waiters++;
		while (sub->in_callback)
			sub_wait(sub, &sub->cond_idle);
		sub->idle_waiters--;
	}
	sub_unlock(sub);
}

void
nm_bus_unsubscribe(nm_bus *bus, nm_subscription *sub)
{
	g_return_if_fail(bus != NULL && sub != NULL && sub->bus == bus);
	g_return_if_fail(g_thread_self() != sub->thread);

	g_rw_lock_writer_lock(&bus->lock);
	bus_unlink(bus, sub);
	g_rw_lock_writer_unlock(&bus->lock);
	sub_destroy(sub);
}

guint
nm_bus_remove_detached(nm_bus *bus)
{
	GPtrArray *gone = g_ptr_array_new();
	guint n;

	g_return_val_if_fail(bus != NULL, 0);

	g_rw_lock_writer_lock(&bus->lock);
	for (guint i = 0; i < bus->subs->len; i++) {
		nm_subscription *s = bus->subs->pdata[i];
		sub_lock(s);
		gboolean detached = !s->attached;
		sub_unlock(s);
		if (detached)
			g_ptr_array_add(gone, s);
	}
	for (guint i = 0; i < gone->len; i++)
		bus_unlink(bus, gone->pdata[i]);
	g_rw_lock_writer_unlock(&bus->lock);

	for (guint i = 0; i < gone->len; i++)
		sub_destroy(gone->pdata[i]);
	n = gone->len;
	g_ptr_array_free(gone, TRUE);
	return n;
}

guint
nm_bus_publish(nm_bus *bus, nm_msg *msg)
{
	return nm_bus_publish_batch(bus, &msg, 1);
}

guint
nm_bus_publish_batch(nm_bus *bus, nm_msg *const *msgs, guint n)
{
	guint32 stack_bits[BATCH_STACK];
	guint32 *bits, present = 0;
	guint queued = 0;
	gboolean closed = FALSE;

	if (n == 0)
		return 0;
	g_return_val_if_fail(msgs != NULL, 0);
	if (bus == NULL || g_atomic_int_get(&bus->closed)) {
		for (guint i = 0; i < n; i++)
			nm_msg_unref(msgs[i]);
		return 0;
	}
	bits = n <= BATCH_STACK ? stack_bits : g_new(guint32, n);

	g_rw_lock_reader_lock(&bus->lock);
	/* One reference per matching subscription, taken before the first
	 * worker can see (and drop) the message. The type bits are kept
	 * aside: after queueing a message it may be freed any time. */
	for (guint i = 0; i < n; i++) {
		nm_msg *m = msgs[i];
		guint k = 0;

		bits[i] = 0;
		if (m == NULL)
			continue;
		if ((guint)m->type < NM_MSG_N_TYPES)
			k = bus->by_type[m->type]->len;
		if (k == 0) {
			nm_msg_unref(m);
			continue;
		}
		if (k > 1)
			g_atomic_int_add(&m->refcount, (gint)(k - 1));
		bits[i] = NM_MSG_MASK(m->type);
		present |= bits[i];
	}

	if (present != 0) {
		gint64 now = g_get_monotonic_time();
		for (guint j = 0; j < bus->subs->len; j++) {
			nm_subscription *s = bus->subs->pdata[j];
			if (s->type_mask & present)
				queued += sub_enqueue(bus, s, msgs, bits, n,
						      &now, &closed);
		}
	}
	g_rw_lock_reader_unlock(&bus->lock);

	if (bits != stack_bits)
		g_free(bits);
	return queued;
}

gboolean
nm_bus_drain(nm_bus *bus, gint64 deadline)
{
	GThread *self = g_thread_self();
	gboolean ok = TRUE, waited;

	g_return_val_if_fail(bus != NULL, FALSE);

	g_rw_lock_reader_lock(&bus->lock);
	/* Repeat until one pass finds every attached queue idle: a queue
	 * checked early may have been refilled while we waited on another. */
	do {
		waited = FALSE;
		for (guint i = 0; ok && i < bus->subs->len; i++) {
			nm_subscription *s = bus->subs->pdata[i];
			if (s->thread == self)  /* drain from a callback */
				continue;
			sub_lock(s);
			if (s->attached && (s->depth > 0 || s->in_callback)) {
				waited = TRUE;
				s->idle_waiters++;
				while (s->attached &&
				       (s->depth > 0 || s->in_callback)) {
					if (!sub_wait_until(s, &s->cond_idle,
							    deadline))
						break;
				}
				s->idle_waiters--;
				if (s->attached &&
				    (s->depth > 0 || s->in_callback))
					ok = FALSE;
			}
			sub_unlock(s);
		}
	} while (ok && waited);
	g_rw_lock_reader_unlock(&bus->lock);
	return ok;
}

void
nm_bus_close(nm_bus *bus)
{
	g_return_if_fail(bus != NULL);

	g_atomic_int_set(&bus->closed, 1);
	/* Release publishers blocked on full queues. */
	g_rw_lock_reader_lock(&bus->lock);
	for (guint i = 0; i < bus->subs->len; i++) {
		nm_subscription *s = bus->subs->pdata[i];
		sub_lock(s);
		if (s->space_waiters > 0)
			g_cond_broadcast(&s->cond_space);
		sub_unlock(s);
	}
	g_rw_lock_reader_unlock(&bus->lock);
}

void
nm_subscription_stats(nm_subscription *sub, nm_sub_stats *out)
{
	guint64 hist[LAT_BUCKETS];

	g_return_if_fail(sub != NULL && out != NULL);

	sub_lock(sub);
	out->enqueued = sub->enqueued;
	out->delivered = sub->delivered;
	out->dropped = sub->dropped;
	out->overflows = sub->overflows;
	out->depth = sub->depth;
	out->max_depth = sub->max_depth;
	out->high_water = sub->high_water;
	out->low_water = sub->low_water;
	out->policy = sub->policy;
	out->latency_max = sub->latency_max;
	out->type_mask = sub->type_mask;
	out->attached = sub->attached;
	memcpy(hist, sub->latency_hist, sizeof hist);
	sub_unlock(sub);

	guint64 total = 0;
	for (guint b = 0; b < LAT_BUCKETS; b++)
		total += hist[b];
	if (total == 0) {
		out->latency_p50 = out->latency_p99 = out->latency_max = 0;
		return;
	}
	out->latency_p50 = lat_percentile(hist, (total + 1) / 2,
					  out->latency_max);
	out->latency_p99 = lat_percentile(hist, (total * 99 + 99) / 100,
					  out->latency_max);
}

const char *
nm_subscription_name(const nm_subscription *sub)
{
	g_return_val_if_fail(sub != NULL, NULL);
	return sub->name;
}

void
nm_bus_foreach(nm_bus *bus,
	       void (*fn)(nm_subscription *sub, gpointer user_data),
	       gpointer user_data)
{
	g_return_if_fail(bus != NULL && fn != NULL);

	g_rw_lock_reader_lock(&bus->lock);
	for (guint i = 0; i < bus->subs->len; i++)
		fn(bus->subs->pdata[i], user_data);
	g_rw_lock_reader_unlock(&bus->lock);
}
