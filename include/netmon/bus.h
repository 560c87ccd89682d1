/* netmon — the typed message bus.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Publishers hand messages to the bus; every subscription whose type mask
 * matches gets a reference in its own bounded queue, and a worker thread of
 * that subscription delivers them in batches to its callback. Messages from
 * one publishing thread reach each subscriber in the order published.
 *
 * Each queue has a high water mark (its capacity) and a low water mark.
 * When a message arrives at a full queue, the subscription's declared
 * overflow policy decides:
 *   - NM_OVERFLOW_DROP_OLDEST: the oldest queued message is dropped (for
 *     lossy consumers such as pages or alert previews);
 *   - NM_OVERFLOW_BLOCK: the publisher waits until the queue has drained to
 *     the low water mark, at most block_timeout µs; if it is still full
 *     then, the new message is dropped for this subscriber (for storage).
 * Every drop is counted per subscription (nm_sub_stats.dropped).
 *
 * Plugins normally use nm_plugin_subscribe()/nm_plugin_publish() from
 * <netmon/plugin.h>, which wrap these calls with the core's bus.
 */
#ifndef NETMON_BUS_H
#define NETMON_BUS_H

#include <glib.h>
#include <netmon/msg.h>

G_BEGIN_DECLS

typedef struct nm_bus nm_bus;
typedef struct nm_subscription nm_subscription;

/** What a full queue does with one more message. */
typedef enum {
	NM_OVERFLOW_DROP_OLDEST = 0,
	NM_OVERFLOW_BLOCK
} nm_overflow_policy;

/** "drop-oldest" or "block". */
const char *nm_overflow_policy_name(nm_overflow_policy policy);

/** Options of a subscription. Zero fields take the defaults noted. */
typedef struct {
	guint high_water;        /**< queue capacity, messages; default 65536 */
	guint low_water;         /**< resume mark for BLOCK, messages;
				      default high_water / 2; must be < high */
	nm_overflow_policy policy; /**< default NM_OVERFLOW_DROP_OLDEST */
	gint64 block_timeout;    /**< BLOCK: longest wait, µs; default 1 s */
	guint max_batch;         /**< most messages per delivery; default 1024 */
} nm_sub_options;

/** Delivery callback, called on the subscription's own worker thread with
 *  1..max_batch messages in publish order. The bus holds the references
 *  and drops them after the call returns; take nm_msg_ref() to keep one.
 *  The array itself is only valid during the call. */
typedef void (*nm_bus_deliver_fn)(nm_msg *const *msgs, guint n,
				  gpointer user_data);

/** Counters of one subscription (a snapshot). */
typedef struct {
	guint64 enqueued;    /**< messages accepted into the queue */
	guint64 delivered;   /**< messages handed to the callback */
	guint64 dropped;     /**< messages lost to the overflow policy */
	guint64 overflows;   /**< times the queue reached the high water mark */
	guint depth;         /**< messages queued now */
	guint max_depth;     /**< deepest the queue has been */
	guint high_water, low_water;
	nm_overflow_policy policy;
	gint64 latency_p50;  /**< delivery latency (enqueue to callback), µs */
	gint64 latency_p99;  /**< µs; 0 when nothing was delivered yet */
	gint64 latency_max;  /**< µs */
	guint32 type_mask;
	gboolean attached;   /**< FALSE while detached (e.g. during reload) */
} nm_sub_stats;

/** Create a bus. Never fails. Free with nm_bus_free(). */
nm_bus *nm_bus_new(void);

/** Stop every subscription's worker (without delivering what is queued:
 *  call nm_bus_drain() first for that), drop queued messages and free the
 *  bus. Publishers must have stopped. */
void nm_bus_free(nm_bus *bus);

/** Subscribe @fn to the types in @type_mask (NM_MSG_MASK() bits).
 *  @name identifies the subscription in stats ("rrd:metrics"); it must be
 *  unique on the bus, except that subscribing with the name of a
 *  *detached* subscription re-attaches it: its queue, counters and mask are
 *  kept, the new options, @fn and @user_data take over (how a plugin
 *  restarted by a reload finds the messages that queued meanwhile).
 *  @opts may be NULL for the defaults.
 *  Returns the subscription, or NULL with @err set (G_IO_ERROR_EXISTS for a
 *  duplicate attached name, G_IO_ERROR_INVALID_ARGUMENT for bad options or
 *  an empty mask). The bus owns the returned object. */
nm_subscription *nm_bus_subscribe(nm_bus *bus, const char *name,
				  guint32 type_mask,
				  const nm_sub_options *opts,
				  nm_bus_deliver_fn fn, gpointer user_data,
				  GError **err);

/** Stop delivering to @sub but keep queueing for it: its worker finishes the
 *  batch in progress, then waits. Returns once no callback of @sub is
 *  running, so the caller may free the callback's user_data. */
void nm_bus_detach(nm_bus *bus, nm_subscription *sub);

/** Remove a subscription: waits for a running callback to return, drops
 *  (and counts) what is still queued, frees it. */
void nm_bus_unsubscribe(nm_bus *bus, nm_subscription *sub);

/** Remove every detached subscription (after a reload, those of plugins
 *  that are gone). Returns how many were removed. */
guint nm_bus_remove_detached(nm_bus *bus);

/** Publish @msg, taking over the caller's reference (even on failure).
 *  May wait up to a BLOCK subscriber's block_timeout. Thread-safe.
 *  Returns the number of subscriptions that queued it (0 when none
 *  matched, all dropped it, or the bus is stopping). */
guint nm_bus_publish(nm_bus *bus, nm_msg *msg);

/** Publish @n messages in order, taking over the caller's reference of
 *  each; cheaper than @n single publishes (one lock per subscriber).
 *  Returns the number of (message, subscription) deliveries queued. */
guint nm_bus_publish_batch(nm_bus *bus, nm_msg *const *msgs, guint n);

/** Wait until every attached subscription's queue is empty and no callback
 *  runs, or until @deadline (monotonic µs, g_get_monotonic_time()).
 *  Returns TRUE when drained, FALSE on the deadline. */
gboolean nm_bus_drain(nm_bus *bus, gint64 deadline);

/** Refuse further publishes (they return 0 and drop the message, not
 *  counted as overflow). Used at shutdown after inputs stopped. */
void nm_bus_close(nm_bus *bus);

/** Snapshot of @sub's counters into @out. */
void nm_subscription_stats(nm_subscription *sub, nm_sub_stats *out);
/** The subscription's name (owned by the bus). */
const char *nm_subscription_name(const nm_subscription *sub);

/** Call @fn for each subscription (in subscription order), with the bus's
 *  subscription list locked: @fn must not subscribe or unsubscribe. */
void nm_bus_foreach(nm_bus *bus,
		    void (*fn)(nm_subscription *sub, gpointer user_data),
		    gpointer user_data);

G_END_DECLS

#endif /* NETMON_BUS_H */
