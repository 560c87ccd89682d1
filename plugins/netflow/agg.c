/* netmon netflow plugin — traffic aggregation and top talkers.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "agg.h"
#include "decode.h"

typedef struct {
	nm_ip a, b;
	guint16 port;
	guint8 proto;
	guint8 pad[3];   /* 40 bytes: hashed as five 64-bit words */
} tkey;

G_STATIC_ASSERT(sizeof(tkey) == 40);

typedef struct {
	tkey key;
	guint64 bytes, packets, flows;
} tentry;

/* Live talker table: open addressing, linear probing, entries inline (one
 * 64-byte slot each, so a lookup is about one cache miss, where a
 * GHashTable of allocated entries costs three or four -- this table is hit
 * four times per flow record). flows == 0 marks an empty slot. */
typedef struct {
	tentry *slots;
	guint mask;      /* capacity - 1; capacity a power of two */
	guint n;
} ttab;

/* Compact talker table for keys that fit 64 bits (the common case: IPv4
 * source or destination, an IPv4 conversation, every application key),
 * 32-byte slots -- half a cache line, and a quarter of the memory (and TLB
 * reach) of a wide slot, which is what a busy exporter's lookups miss on.
 * IPv6 keys (and anything else) go to the wide table of the same kind. */
typedef struct {
	guint64 key, bytes, packets, flows;   /* flows == 0: empty slot */
} sentry;

G_STATIC_ASSERT(sizeof(sentry) == 32);

typedef struct {
	sentry *slots;
	guint mask;
	guint n;
} stab;

#define IF_DIRECT 1024   /* ifIndex below this: array slot, no hashing */

typedef struct {
	guint64 flows_in, flows_out, bytes_in, bytes_out, pkts_in, pkts_out;
} ifstat;

typedef struct {
	gint64 start, end;
	GArray *top[NF_BY_N];   /* tentry, sorted by bytes */
} snapshot;

typedef struct {
	char *name;
	guint64 flows, bytes, packets;
	guint64 talkers_dropped;
	GHashTable *ifs;               /* GUINT_TO_POINTER(ifindex+1) -> ifstat* */
	ifstat **if_direct;            /* [IF_DIRECT], the same ifstat* as ifs */
	ttab live[NF_BY_N];            /* wide keys (IPv6, ...) */
	stab small[NF_BY_N];           /* 64-bit keys (IPv4, applications) */
	GQueue history;                /* snapshot*, oldest first */
} exp_agg;

struct nf_agg {
	guint keep, history, max_keys, max_if;
	gint64 interval_start;
	GHashTable *exporters;         /* name -> exp_agg* */
};

static const char *const by_names[] = { "src", "dst", "conv", "app", NULL };

int nf_by_from_name(const char *name)
{
	for (int i = 0; by_names[i] != NULL; i++)
		if (g_strcmp0(name, by_names[i]) == 0)
			return i;
	return -1;
}

static inline guint tkey_hash_inl(const tkey *k)
{
	const guint8 *b = (const guint8 *)k;
	guint64 h = G_GUINT64_CONSTANT(0x9E3779B97F4A7C15);

	/* 8 bytes at a time, multiply-xorshift mixing (keys are zeroed,
	 * padding included, before they are filled). */
	for (gsize i = 0; i < sizeof(tkey); i += 8) {
		guint64 w;
		memcpy(&w, b + i, 8);
		h = (h ^ w) * G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
		h ^= h >> 29;
	}
	h ^= h >> 32;
	return (guint)h;
}

static guint tkey_hash(gconstpointer p)
{
	return tkey_hash_inl(p);
}

/* Zeroed, cache-line aligned memory for @bytes of table slots; tables
 * of 2 MiB and more are 2 MiB aligned and marked for transparent huge
 * pages (a talker table of a busy exporter spans megabytes: with 4 KiB
 * pages nearly every lookup also missed the TLB). Free with free(). */
static void *slots_alloc(gsize bytes)
{
	const gsize huge = 2u << 20;
	gsize align = bytes >= huge ? huge : 64;
	void *p = NULL;

	if (posix_memalign(&p, align, bytes) != 0)
		g_error("netflow: out of memory (%" G_GSIZE_FORMAT " bytes)", bytes);
	/* Only a hint: without THP (or with it disabled) small pages do. */
	if (align == huge && madvise(p, bytes, MADV_HUGEPAGE) != 0)
		errno = 0;
	memset(p, 0, bytes);
	return p;
}

static void ttab_init(ttab *t)
{
	t->mask = 63;
	t->n = 0;
	t->slots = slots_alloc(sizeof(tentry) * (t->mask + 1));
}

static void ttab_free(ttab *t)
{
	free(t->slots);
	t->slots = NULL;
}

/* Empty @t; a table grown past 4096 slots is shrunk back. */
static void ttab_clear(ttab *t)
{
	if (t->mask + 1 > 4096) {
		ttab_free(t);
		ttab_init(t);
		return;
	}
	memset(t->slots, 0, sizeof(tentry) * (t->mask + 1));
	t->n = 0;
}

static void stab_init(stab *t)
{
	t->mask = 127;
	t->n = 0;
	t->slots = slots_alloc(sizeof(sentry) * (t->mask + 1));
}

static void stab_free(stab *t)
{
	free(t->slots);
	t->slots = NULL;
}

static void stab_clear(stab *t)
{
	if (t->mask + 1 > 8192) {
		stab_free(t);
		stab_init(t);
		return;
	}
	memset(t->slots, 0, sizeof(sentry) * (t->mask + 1));
	t->n = 0;
}

/* murmur3's 64-bit finaliser: every key bit reaches the low bits used
 * as the slot index. */
static inline guint skey_hash(guint64 k)
{
	k ^= k >> 33;
	k *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (guint)k;
}

static inline sentry *stab_slot_h(const stab *t, guint64 k, guint h)
{
	guint i = h & t->mask;

	for (;;) {
		sentry *e = &t->slots[i];
		if (e->flows == 0 || e->key == k)
			return e;
		i = (i + 1) & t->mask;
	}
}

static void stab_grow(stab *t)
{
	sentry *old = t->slots;
	guint cap = t->mask + 1;

	t->mask = cap * 2 - 1;
	t->slots = slots_alloc(sizeof(sentry) * cap * 2);
	for (guint i = 0; i < cap; i++)
		if (old[i].flows != 0)
			*stab_slot_h(t, old[i].key, skey_hash(old[i].key)) = old[i];
	free(old);
}

static inline tentry *ttab_slot_h(const ttab *t, const tkey *k, guint h)
{
	guint i = h & t->mask;

	for (;;) {
		tentry *e = &t->slots[i];
		if (e->flows == 0 || memcmp(&e->key, k, sizeof *k) == 0)
			return e;
		i = (i + 1) & t->mask;
	}
}

static inline tentry *ttab_slot(const ttab *t, const tkey *k)
{
	return ttab_slot_h(t, k, tkey_hash_inl(k));
}

static void ttab_grow(ttab *t)
{
	tentry *old = t->slots;
	guint cap = t->mask + 1;

	t->mask = cap * 2 - 1;
	t->slots = slots_alloc(sizeof(tentry) * cap * 2);
	for (guint i = 0; i < cap; i++)
		if (old[i].flows != 0)
			*ttab_slot(t, &old[i].key) = old[i];
	free(old);
}

static gboolean tkey_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(tkey)) == 0;
}

static void snapshot_free(gpointer p)
{
	snapshot *s = p;

	for (int i = 0; i < NF_BY_N; i++)
		g_array_unref(s->top[i]);
	g_free(s);
}

static void exp_free(gpointer p)
{
	exp_agg *e = p;

	g_free(e->name);
	g_hash_table_destroy(e->ifs);
	g_free(e->if_direct);
	for (int i = 0; i < NF_BY_N; i++) {
		ttab_free(&e->live[i]);
		stab_free(&e->small[i]);
	}
	g_queue_clear_full(&e->history, snapshot_free);
	g_free(e);
}

nf_agg *nf_agg_new(guint keep, guint history, guint max_keys, guint max_ifindex)
{
	nf_agg *a = g_new0(nf_agg, 1);

	a->keep = MAX(keep, 1u);
	a->history = MAX(history, 1u);
	a->max_keys = MAX(max_keys, 1u);
	a->max_if = max_ifindex;
	a->interval_start = g_get_real_time();
	a->exporters = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, exp_free);
	return a;
}

void nf_agg_free(nf_agg *a)
{
	if (a == NULL)
		return;
	g_hash_table_destroy(a->exporters);
	g_free(a);
}

static exp_agg *get_exp(nf_agg *a, const char *name)
{
	exp_agg *e = g_hash_table_lookup(a->exporters, name);

	if (e != NULL)
		return e;
	e = g_new0(exp_agg, 1);
	e->name = g_strdup(name);
	e->ifs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	e->if_direct = g_new0(ifstat *, IF_DIRECT);
	for (int i = 0; i < NF_BY_N; i++) {
		ttab_init(&e->live[i]);
		stab_init(&e->small[i]);
	}
	g_queue_init(&e->history);
	g_hash_table_insert(a->exporters, e->name, e);
	return e;
}

static ifstat *get_if(nf_agg *a, exp_agg *e, guint32 idx)
{
	if (idx < IF_DIRECT && e->if_direct[idx] != NULL)
		return e->if_direct[idx];

	gpointer k = GUINT_TO_POINTER((guint)idx + 1u);
	ifstat *s = g_hash_table_lookup(e->ifs, k);

	if (s == NULL && g_hash_table_size(e->ifs) < a->max_if) {
		s = g_new0(ifstat, 1);
		g_hash_table_insert(e->ifs, k, s);
	}
	if (idx < IF_DIRECT)
		e->if_direct[idx] = s;
	return s;
}

static inline gboolean talk(nf_agg *a, exp_agg *e, int by, const tkey *k,
			    guint h, const nm_flow_record *r)
{
	ttab *tab = &e->live[by];
	tentry *t = ttab_slot_h(tab, k, h);

	if (t->flows == 0) {
		if (tab->n + e->small[by].n >= a->max_keys) {
			e->talkers_dropped++;
			return FALSE;
		}
		if ((tab->n + 1) * 2 > tab->mask + 1) {
			ttab_grow(tab);
			t = ttab_slot_h(tab, k, h);
		}
		t->key = *k;
		tab->n++;
	}
	t->bytes += r->bytes;
	t->packets += r->packets;
	t->flows++;
	return TRUE;
}

static inline gboolean talk_small(nf_agg *a, exp_agg *e, int by, guint64 k,
				  guint h, const nm_flow_record *r)
{
	stab *tab = &e->small[by];
	sentry *t = stab_slot_h(tab, k, h);

	if (t->flows == 0) {
		if (tab->n + e->live[by].n >= a->max_keys) {
			e->talkers_dropped++;
			return FALSE;
		}
		if ((tab->n + 1) * 2 > tab->mask + 1) {
			stab_grow(tab);
			t = stab_slot_h(tab, k, h);
		}
		t->key = k;
		tab->n++;
	}
	t->bytes += r->bytes;
	t->packets += r->packets;
	t->flows++;
	return TRUE;
}

static inline guint32 ip4_word(const nm_ip *ip)
{
	guint32 w;

	memcpy(&w, ip->addr, 4);
	return w;
}

static inline guint16 app_port(const nm_flow_record *r)
{
	if (r->src_port != 0 && (r->dst_port == 0 || r->src_port < r->dst_port))
		return r->src_port;
	return r->dst_port;
}

/* The 64-bit key of @r for kind @by, if it has one: IPv4 addresses (the
 * four octets as stored), an IPv4 pair, (protocol, port). FALSE: the key
 * needs the wide table. */
static inline gboolean small_key(int by, const nm_flow_record *r, guint64 *k)
{
	switch (by) {
	case NF_BY_SRC:
		*k = ip4_word(&r->src);
		return r->src.family == AF_INET;
	case NF_BY_DST:
		*k = ip4_word(&r->dst);
		return r->dst.family == AF_INET;
	case NF_BY_CONV:
		*k = (guint64)ip4_word(&r->src) << 32 | ip4_word(&r->dst);
		return r->src.family == AF_INET && r->dst.family == AF_INET;
	default:
		*k = (guint64)r->protocol << 16 | app_port(r);
		return TRUE;
	}
}

/* The wide key of a small table's entry of kind @by. */
static void small_to_tentry(int by, const sentry *s, tentry *t)
{
	guint32 a = (guint32)(s->key >> 32), b = (guint32)s->key;

	memset(t, 0, sizeof *t);
	switch (by) {
	case NF_BY_SRC:
	case NF_BY_DST:
		t->key.a.family = AF_INET;
		memcpy(t->key.a.addr, &b, 4);
		break;
	case NF_BY_CONV:
		t->key.a.family = AF_INET;
		memcpy(t->key.a.addr, &a, 4);
		t->key.b.family = AF_INET;
		memcpy(t->key.b.addr, &b, 4);
		break;
	default:
		t->key.proto = (guint8)(s->key >> 16);
		t->key.port = (guint16)s->key;
		break;
	}
	t->bytes = s->bytes;
	t->packets = s->packets;
	t->flows = s->flows;
}

/* The talker key of @r for kind @by, zeroed padding included. */
static inline void make_key(int by, const nm_flow_record *r, tkey *k)
{
	memset(k, 0, sizeof *k);
	switch (by) {
	case NF_BY_SRC:
		k->a = r->src;
		break;
	case NF_BY_DST:
		k->a = r->dst;
		break;
	case NF_BY_CONV:
		k->a = r->src;
		k->b = r->dst;
		break;
	default:
		k->proto = r->protocol;
		k->port = app_port(r);
		break;
	}
}

/* Account @r in kind @by's tables, unbatched; FALSE if its key was new
 * and the kind is full. */
static gboolean talk_one(nf_agg *a, exp_agg *e, int by, const nm_flow_record *r)
{
	guint64 sk;
	tkey k;

	if (small_key(by, r, &sk))
		return talk_small(a, e, by, sk, skey_hash(sk), r);
	make_key(by, r, &k);
	return talk(a, e, by, &k, tkey_hash_inl(&k), r);
}

/* Per record only two talker tables are touched: the conversation
 * (source, destination) and the application. Source and destination
 * talkers are sums over the conversations and are made from the
 * conversation table when an interval ends or is queried (see
 * live_entries()), which halves the random memory accesses per record.
 * A record whose conversation could not be tracked (max_keys reached) is
 * accounted in the source and destination tables directly, so those stay
 * exact as long as they have room themselves.
 *
 * Records are taken AGG_CHUNK at a time, one talker kind after the other:
 * first every key's hash is computed and its slot prefetched, then the
 * slots are updated, so the cache misses of a chunk overlap instead of
 * coming one after the other (the conversation table of a busy exporter
 * is megabytes, far beyond the CPU's L2 cache). */
#define AGG_CHUNK 32

void nf_agg_add(nf_agg *a, const char *exporter, const nm_flow_record *recs,
		guint n)
{
	static const int kinds[] = { NF_BY_CONV, NF_BY_APP };
	exp_agg *e = get_exp(a, exporter);
	tkey keys[AGG_CHUNK];
	guint64 skeys[AGG_CHUNK];
	guint hashes[AGG_CHUNK];
	gboolean wide[AGG_CHUNK];

	for (guint i = 0; i < n; i++) {
		const nm_flow_record *r = &recs[i];
		ifstat *s;

		e->flows++;
		e->bytes += r->bytes;
		e->packets += r->packets;
		if ((s = get_if(a, e, r->in_if)) != NULL) {
			s->flows_in++;
			s->bytes_in += r->bytes;
			s->pkts_in += r->packets;
		}
		if ((s = get_if(a, e, r->out_if)) != NULL) {
			s->flows_out++;
			s->bytes_out += r->bytes;
			s->pkts_out += r->packets;
		}
	}
	for (guint base = 0; base < n; base += AGG_CHUNK) {
		guint m = MIN((guint)AGG_CHUNK, n - base);
		for (gsize x = 0; x < G_N_ELEMENTS(kinds); x++) {
			int by = kinds[x];
			const stab *st = &e->small[by];
			const ttab *wt = &e->live[by];
			for (guint j = 0; j < m; j++) {
				const nm_flow_record *r = &recs[base + j];
				wide[j] = !small_key(by, r, &skeys[j]);
				if (!wide[j]) {
					hashes[j] = skey_hash(skeys[j]);
					__builtin_prefetch(&st->slots[hashes[j] & st->mask], 1);
				} else {
					make_key(by, r, &keys[j]);
					hashes[j] = tkey_hash_inl(&keys[j]);
					__builtin_prefetch(&wt->slots[hashes[j] & wt->mask], 1);
				}
			}
			for (guint j = 0; j < m; j++) {
				const nm_flow_record *r = &recs[base + j];
				gboolean ok = !wide[j]
					? talk_small(a, e, by, skeys[j], hashes[j], r)
					: talk(a, e, by, &keys[j], hashes[j], r);
				if (!ok && by == NF_BY_CONV) {
					(void)talk_one(a, e, NF_BY_SRC, r);
					(void)talk_one(a, e, NF_BY_DST, r);
				}
			}
		}
	}
}

static gint by_bytes_desc(gconstpointer x, gconstpointer y)
{
	const tentry *a = x, *b = y;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	return memcmp(&a->key, &b->key, sizeof a->key);
}

/* Add @t to @m (tkey* -> tentry*, owns the entries). */
static void merge(GHashTable *m, const tentry *t);

/* Every entry of kind @by's own live tables, small ones widened,
 * appended to @all (tentry); no key twice. */
static void own_entries(const exp_agg *e, int by, GArray *all)
{
	const ttab *t = &e->live[by];
	const stab *st = &e->small[by];

	for (guint i = 0; i <= t->mask; i++)
		if (t->slots[i].flows != 0)
			g_array_append_vals(all, &t->slots[i], 1);
	for (guint i = 0; i <= st->mask; i++)
		if (st->slots[i].flows != 0) {
			tentry x;
			small_to_tentry(by, &st->slots[i], &x);
			g_array_append_vals(all, &x, 1);
		}
}

/* The live (running interval) talkers of kind @by, appended to @all with
 * no key twice. Source and destination talkers are summed from the
 * conversations (see nf_agg_add()) plus their own tables. */
static void live_entries(const exp_agg *e, int by, GArray *all)
{
	GHashTable *m;
	GArray *conv;
	GHashTableIter it;
	gpointer v;

	if (by != NF_BY_SRC && by != NF_BY_DST) {
		own_entries(e, by, all);
		return;
	}
	m = g_hash_table_new_full(tkey_hash, tkey_equal, NULL, g_free);
	conv = g_array_new(FALSE, FALSE, sizeof(tentry));
	own_entries(e, NF_BY_CONV, conv);
	for (guint i = 0; i < conv->len; i++) {
		tentry x = g_array_index(conv, tentry, i);
		if (by == NF_BY_DST)
			x.key.a = x.key.b;
		memset(&x.key.b, 0, sizeof x.key.b);
		merge(m, &x);
	}
	g_array_set_size(conv, 0);
	own_entries(e, by, conv);
	for (guint i = 0; i < conv->len; i++)
		merge(m, &g_array_index(conv, tentry, i));
	g_array_unref(conv);
	g_hash_table_iter_init(&it, m);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_array_append_vals(all, v, 1);
	g_hash_table_destroy(m);
}

/* The top @keep of kind @by's live tables as a sorted array. */
static GArray *top_of_live(const exp_agg *e, int by, guint keep)
{
	GArray *all = g_array_sized_new(FALSE, FALSE, sizeof(tentry),
					e->live[by].n + e->small[by].n);

	live_entries(e, by, all);
	g_array_sort(all, by_bytes_desc);
	if (all->len > keep)
		g_array_set_size(all, keep);
	return all;
}

/* The top @keep of a table as a sorted array. */
static GArray *top_of(GHashTable *h, guint keep)
{
	GArray *all = g_array_sized_new(FALSE, FALSE, sizeof(tentry),
					g_hash_table_size(h));
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_array_append_vals(all, v, 1);
	g_array_sort(all, by_bytes_desc);
	if (all->len > keep)
		g_array_set_size(all, keep);
	return all;
}

static void add_metric(GPtrArray *out, const char *host, const char *type,
		       const char *ti, gint64 now, gint64 interval, guint n,
		       const guint64 *v)
{
	nm_value vals[2];
	nm_msg *m;

	for (guint i = 0; i < n; i++) {
		vals[i].kind = NM_DS_DERIVE;
		vals[i].v.derive = (gint64)MIN(v[i], (guint64)G_MAXINT64);
	}
	m = nm_metric_new(host, "netflow", "", type, ti, now, interval, n, vals);
	if (m != NULL)
		g_ptr_array_add(out, m);
}

void nf_agg_rotate(nf_agg *a, gint64 now, gint64 interval, GPtrArray *metrics)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, a->exporters);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		exp_agg *e = v;
		GHashTableIter ii;
		gpointer k, sv;

		if (metrics != NULL) {
			add_metric(metrics, e->name, "flows", "", now, interval, 1, &e->flows);
			add_metric(metrics, e->name, "bytes", "", now, interval, 1, &e->bytes);
			add_metric(metrics, e->name, "packets", "", now, interval, 1, &e->packets);
			g_hash_table_iter_init(&ii, e->ifs);
			while (g_hash_table_iter_next(&ii, &k, &sv)) {
				ifstat *s = sv;
				guint idx = GPOINTER_TO_UINT(k) - 1u;
				char ti[32];
				guint64 two[2];

				g_snprintf(ti, sizeof ti, "%u", idx);
				two[0] = s->bytes_in;
				two[1] = s->bytes_out;
				add_metric(metrics, e->name, "if_octets", ti, now, interval, 2, two);
				two[0] = s->pkts_in;
				two[1] = s->pkts_out;
				add_metric(metrics, e->name, "if_packets", ti, now, interval, 2, two);
				g_snprintf(ti, sizeof ti, "in-%u", idx);
				add_metric(metrics, e->name, "flows", ti, now, interval, 1, &s->flows_in);
				g_snprintf(ti, sizeof ti, "out-%u", idx);
				add_metric(metrics, e->name, "flows", ti, now, interval, 1, &s->flows_out);
			}
		}
		snapshot *s = g_new0(snapshot, 1);
		s->start = a->interval_start;
		s->end = now;
		for (int b = 0; b < NF_BY_N; b++) {
			s->top[b] = top_of_live(e, b, a->keep);
			ttab_clear(&e->live[b]);
			stab_clear(&e->small[b]);
		}
		g_queue_push_tail(&e->history, s);
		while (e->history.length > a->history)
			snapshot_free(g_queue_pop_head(&e->history));
	}
	a->interval_start = now;
}

static const char *proto_name(guint8 p, char *buf, gsize size)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "ipv6-icmp";
	case 132: return "sctp";
	default:
		g_snprintf(buf, size, "%u", p);
		return buf;
	}
}

static void key_text(int by, const tkey *k, GString *s)
{
	char x[48], y[48];

	switch (by) {
	case NF_BY_SRC:
	case NF_BY_DST:
		g_string_append(s, nf_ip_to_string(&k->a, x, sizeof x));
		break;
	case NF_BY_CONV:
		g_string_append_printf(s, "%s -> %s", nf_ip_to_string(&k->a, x, sizeof x),
				       nf_ip_to_string(&k->b, y, sizeof y));
		break;
	default:
		g_string_append_printf(s, "%s/%u", proto_name(k->proto, x, sizeof x),
				       k->port);
		break;
	}
}

static void merge(GHashTable *m, const tentry *t)
{
	tentry *x = g_hash_table_lookup(m, &t->key);

	if (x == NULL) {
		x = g_new0(tentry, 1);
		x->key = t->key;
		g_hash_table_insert(m, &x->key, x);
	}
	x->bytes += t->bytes;
	x->packets += t->packets;
	x->flows += t->flows;
}

static void top_one(const nf_agg *a, const exp_agg *e, nf_by by, gint64 since,
		    guint n, gboolean json, JsonBuilder *jb, GString *out)
{
	GHashTable *m = g_hash_table_new_full(tkey_hash, tkey_equal, NULL, g_free);
	gint64 from = a->interval_start;
	GArray *top;

	for (GList *l = e->history.head; l != NULL; l = l->next) {
		const snapshot *s = l->data;
		if (s->end <= since)
			continue;
		from = MIN(from, s->start);
		for (guint i = 0; i < s->top[by]->len; i++)
			merge(m, &g_array_index(s->top[by], tentry, i));
	}
	GArray *live = g_array_new(FALSE, FALSE, sizeof(tentry));
	live_entries(e, by, live);
	for (guint i = 0; i < live->len; i++)
		merge(m, &g_array_index(live, tentry, i));
	g_array_unref(live);
	top = top_of(m, n);
	if (json) {
		json_builder_begin_object(jb);
		json_builder_set_member_name(jb, "exporter");
		json_builder_add_string_value(jb, e->name);
		json_builder_set_member_name(jb, "from");
		json_builder_add_int_value(jb, from);
		json_builder_set_member_name(jb, "top");
		json_builder_begin_array(jb);
		for (guint i = 0; i < top->len; i++) {
			const tentry *t = &g_array_index(top, tentry, i);
			GString *k = g_string_new(NULL);
			key_text(by, &t->key, k);
			json_builder_begin_object(jb);
			json_builder_set_member_name(jb, "key");
			json_builder_add_string_value(jb, k->str);
			json_builder_set_member_name(jb, "bytes");
			json_builder_add_int_value(jb, (gint64)t->bytes);
			json_builder_set_member_name(jb, "packets");
			json_builder_add_int_value(jb, (gint64)t->packets);
			json_builder_set_member_name(jb, "flows");
			json_builder_add_int_value(jb, (gint64)t->flows);
			json_builder_end_object(jb);
			g_string_free(k, TRUE);
		}
		json_builder_end_array(jb);
		json_builder_end_object(jb);
	} else {
		g_string_append_printf(out, "exporter %s, top %u by %s, bytes since %"
				       G_GINT64_FORMAT "\n", e->name, n,
				       by_names[by], from / G_USEC_PER_SEC);
		g_string_append_printf(out, "%16s %12s %10s  %s\n", "bytes",
				       "packets", "flows", by_names[by]);
		for (guint i = 0; i < top->len; i++) {
			const tentry *t = &g_array_index(top, tentry, i);
			g_string_append_printf(out, "%16" G_GUINT64_FORMAT " %12"
					       G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT
					       "  ", t->bytes, t->packets, t->flows);
			key_text(by, &t->key, out);
			g_string_append_c(out, '\n');
		}
	}
	g_array_unref(top);
	g_hash_table_destroy(m);
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

void nf_agg_top(const nf_agg *a, const char *exporter, nf_by by, gint64 since,
		guint n, gboolean json, GString *out)
{
	JsonBuilder *jb = json ? json_builder_new() : NULL;
	GPtrArray *names = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, a->exporters);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (exporter == NULL || g_strcmp0(exporter, k) == 0)
			g_ptr_array_add(names, k);
	g_ptr_array_sort(names, str_cmp);
	if (jb != NULL) {
		json_builder_begin_object(jb);
		json_builder_set_member_name(jb, "by");
		json_builder_add_string_value(jb, by_names[by]);
		json_builder_set_member_name(jb, "since");
		json_builder_add_int_value(jb, since);
		json_builder_set_member_name(jb, "exporters");
		json_builder_begin_array(jb);
	}
	for (guint i = 0; i < names->len; i++)
		top_one(a, g_hash_table_lookup(a->exporters, names->pdata[i]), by,
			since, n, json, jb, out);
	if (jb != NULL) {
		json_builder_end_array(jb);
		json_builder_end_object(jb);
		JsonNode *root = json_builder_get_root(jb);
		char *s = json_to_string(root, FALSE);
		g_string_append(out, s);
		g_string_append_c(out, '\n');
		g_free(s);
		json_node_unref(root);
		g_object_unref(jb);
	}
	g_ptr_array_free(names, TRUE);
}

gboolean nf_agg_exporter_stats(const nf_agg *a, const char *exporter,
			       JsonObject *obj)
{
	const exp_agg *e = g_hash_table_lookup(a->exporters, exporter);

	if (e == NULL)
		return FALSE;
	json_object_set_int_member(obj, "flows", (gint64)e->flows);
	json_object_set_int_member(obj, "bytes", (gint64)e->bytes);
	json_object_set_int_member(obj, "flow_packets", (gint64)e->packets);
	json_object_set_int_member(obj, "talkers_dropped", (gint64)e->talkers_dropped);
	return TRUE;
}
