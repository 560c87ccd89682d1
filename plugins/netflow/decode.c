/* netmon netflow plugin — NetFlow v5, v9 and IPFIX decoder.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * See decode.h for the contract. Every read goes through a (pointer,
 * remaining) pair that is checked before the read; the helpers rd16/rd32
 * are only called after such a check.
 */
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "decode.h"

/* ------------------------------------------------------------------ */
/* Field kinds: what the decoder does with an information element.     */

enum {
	K_SKIP = 0, K_BYTES, K_PKTS, K_PROTO, K_TOS, K_TCPFLAGS, K_SRCPORT,
	K_DSTPORT, K_SRC4, K_DST4, K_SRC6, K_DST6, K_NH4, K_NH6, K_INIF,
	K_OUTIF, K_SRCAS, K_DSTAS, K_FIRST_UP, K_LAST_UP, K_START_S, K_END_S,
	K_START_MS, K_END_MS, K_SYSINIT_MS, K_SAMPLING,
	K_BAD,   /* a known element with a length its type cannot have */
	K_N
};

G_STATIC_ASSERT(K_N <= 32);  /* nf_template.kinds is a bit set */

#define VARLEN 0xFFFFu

typedef struct {
	guint16 id;
	guint16 len;     /* VARLEN: RFC 7011 §7 variable length */
	guint32 pen;     /* enterprise number, 0 for IETF elements */
	guint8 kind;
} nf_field;

typedef struct {
	nm_ip addr;
	guint32 domain;
	guint16 tid;
	guint8 version;
} tkey;

typedef struct nf_exporter nf_exporter;

typedef struct {
	tkey key;
	nf_exporter *ex;     /* owner */
	GList lru_all;       /* link in nf_cache.lru, data = the template */
	GList lru_ex;        /* link in nf_exporter.templates */
	gboolean options;
	guint16 n_scope;
	guint16 n_fields;
	gboolean varlen;     /* some field is variable-length */
	guint32 min_len;     /* bytes of a record with empty varlen fields */
	gint64 refreshed;    /* µs */
	/* Compiled form of the fixed-layout prefix of a template (the fields
	 * before the first variable-length one: n_prefix fields, prefix_len
	 * bytes) when no record member is written by two of them (see
	 * template_compile()): bit k of kinds set = the field of kind k is at
	 * off[k], flen[k] bytes. */
	gboolean compiled;
	guint16 n_prefix;
	guint32 prefix_len;
	guint32 kinds;
	guint16 off[K_N], flen[K_N];
	nf_field fields[];
} nf_template;

/* Per (exporter, version, domain) state. */
typedef struct {
	guint32 domain;
	guint8 version;
	gboolean have_seq;
	guint32 next_seq;
	guint32 sampling;    /* from options data, 0/1 = none */
} nf_domain;

/* A data set that arrived before its template. */
typedef struct {
	guint8 version;
	guint32 domain;
	guint16 tid;
	guint32 export_s, uptime_ms;
	gint64 arrived;
	gsize len;
	guint8 data[];
} nf_held;

struct nf_exporter {
	nm_ip addr;
	nf_counters ctr;
	GArray *domains;     /* nf_domain */
	GQueue held;         /* nf_held*, oldest first */
	gsize held_bytes;
	GQueue templates;    /* this exporter's nf_template (lru_ex links),
				least recently used first */
	GList lru;           /* link in nf_cache.exporter_lru */
};

/* Templates are in the hash table (lookup) and in two LRU queues made of
 * links embedded in the template: all templates, and the owner's. Every
 * store, refresh or use moves a template to the tails, so eviction pops
 * the head in O(1) (an exporter flooding templates never costs a scan). */
struct nf_cache {
	nf_cache_limits lim;
	GHashTable *templates;   /* tkey* (inside the template) -> nf_template* */
	GHashTable *exporters;   /* nm_ip* (inside) -> nf_exporter* */
	GQueue lru;              /* every nf_template, least recently used first */
	GQueue exporter_lru;     /* nf_exporter, least recently seen first */
	nf_cache_stats stats;
};

/* Context of the packet being decoded. */
typedef struct {
	nf_cache *c;
	nf_exporter *ex;
	nf_domain *dom;
	guint8 version;
	guint32 domain;
	guint32 export_s;    /* header export time, s */
	guint32 uptime_ms;   /* v9 sysUptime */
	gint64 now;
	nf_output *out;
	guint32 data_records; /* IPFIX: records counted for the sequence */
	gboolean seq_unknown; /* IPFIX: a held set hides a record count */
} pctx;

static inline guint16 rd16(const guint8 *p)
{
	return (guint16)((guint16)p[0] << 8 | p[1]);
}

static inline guint32 rd32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 |
	       p[3];
}

/* Unsigned integer of 1..8 bytes, big-endian (RFC 7011 §6.2 reduced-size
 * encoding). Caller guarantees 1 <= len <= 8 and that len bytes exist. */
static inline guint64 rduint(const guint8 *p, guint len)
{
	guint64 v = 0;

	switch (len) {
	case 1: return p[0];
	case 2: return rd16(p);
	case 4: return rd32(p);
	case 8: return (guint64)rd32(p) << 32 | rd32(p + 4);
	default:
		for (guint i = 0; i < len; i++)
			v = v << 8 | p[i];
		return v;
	}
}

/* ------------------------------------------------------------------ */
/* Keys                                                                */

static guint ip_hash(const nm_ip *ip)
{
	guint h = ip->family;

	for (int i = 0; i < 16; i++)
		h = h * 31u + ip->addr[i];
	return h;
}

static guint ip_hash_cb(gconstpointer a)
{
	return ip_hash(a);
}

static gboolean ip_equal_cb(gconstpointer a, gconstpointer b)
{
	const nm_ip *x = a, *y = b;

	return x->family == y->family && memcmp(x->addr, y->addr, 16) == 0;
}

static guint tkey_hash(gconstpointer a)
{
	const tkey *k = a;

	return ip_hash(&k->addr) ^ (k->domain * 2654435761u) ^
	       ((guint)k->tid << 8) ^ k->version;
}

static gboolean tkey_equal(gconstpointer a, gconstpointer b)
{
	const tkey *x = a, *y = b;

	return x->domain == y->domain && x->tid == y->tid &&
	       x->version == y->version && ip_equal_cb(&x->addr, &y->addr);
}

static void norm_ip(nm_ip *dst, const nm_ip *src)
{
	memset(dst, 0, sizeof *dst);
	dst->family = src->family;
	memcpy(dst->addr, src->addr, src->family == AF_INET ? 4 : 16);
}

/* ------------------------------------------------------------------ */
/* Cache                                                               */

static void template_drop(nf_cache *c, nf_template *t);

/* Frees @ex's held sets and itself; its templates must be gone already. */
static void exporter_free(gpointer p)
{
	nf_exporter *ex = p;
	gpointer h;

	while ((h = g_queue_pop_head(&ex->held)) != NULL)
		g_free(h);
	g_array_unref(ex->domains);
	g_free(ex);
}

/* Remove @ex, its templates and held sets from the cache. */
static void exporter_drop(nf_cache *c, nf_exporter *ex)
{
	while (ex->templates.head != NULL)
		template_drop(c, ex->templates.head->data);
	g_queue_unlink(&c->exporter_lru, &ex->lru);
	g_hash_table_remove(c->exporters, &ex->addr);
}

nf_cache *nf_cache_new(const nf_cache_limits *limits)
{
	nf_cache *c = g_new0(nf_cache, 1);

	if (limits != NULL)
		c->lim = *limits;
	if (c->lim.max_templates == 0)
		c->lim.max_templates = 4096;
	if (c->lim.max_templates_per_exporter == 0)
		c->lim.max_templates_per_exporter = 256;
	if (c->lim.max_exporters == 0)
		c->lim.max_exporters = 1024;
	if (c->lim.max_pending_sets == 0)
		c->lim.max_pending_sets = 64;
	if (c->lim.max_pending_bytes == 0)
		c->lim.max_pending_bytes = 1u << 20;
	if (c->lim.pending_timeout == 0)
		c->lim.pending_timeout = 30 * G_USEC_PER_SEC;
	if (c->lim.template_timeout == 0)
		c->lim.template_timeout = 1800 * G_USEC_PER_SEC;
	c->templates = g_hash_table_new(tkey_hash, tkey_equal);
	g_queue_init(&c->lru);
	g_queue_init(&c->exporter_lru);
	c->exporters = g_hash_table_new_full(ip_hash_cb, ip_equal_cb, NULL,
					     exporter_free);
	return c;
}

void nf_cache_free(nf_cache *c)
{
	if (c == NULL)
		return;
	while (c->lru.head != NULL)
		template_drop(c, c->lru.head->data);
	g_hash_table_destroy(c->templates);
	g_hash_table_destroy(c->exporters);
	g_free(c);
}

static nf_exporter *get_exporter(nf_cache *c, const nm_ip *addr, gboolean create)
{
	nm_ip key;
	nf_exporter *ex;

	norm_ip(&key, addr);
	ex = g_hash_table_lookup(c->exporters, &key);
	if (ex != NULL || !create) {
		if (ex != NULL && create && c->exporter_lru.tail != &ex->lru) {
			/* create == a packet from it: most recently seen now */
			g_queue_unlink(&c->exporter_lru, &ex->lru);
			g_queue_push_tail_link(&c->exporter_lru, &ex->lru);
		}
		return ex;
	}
	if (g_hash_table_size(c->exporters) >= c->lim.max_exporters) {
		/* Table full: forget the exporter silent for longest (its
		 * templates and counters go with it). */
		nf_exporter *old = c->exporter_lru.head ? c->exporter_lru.head->data : NULL;
		if (old == NULL)
			return NULL;
		exporter_drop(c, old);
		c->stats.exporters_evicted++;
	}
	ex = g_new0(nf_exporter, 1);
	ex->addr = key;
	ex->domains = g_array_new(FALSE, TRUE, sizeof(nf_domain));
	g_queue_init(&ex->held);
	g_queue_init(&ex->templates);
	ex->lru.data = ex;
	g_queue_push_tail_link(&c->exporter_lru, &ex->lru);
	g_hash_table_insert(c->exporters, &ex->addr, ex);
	return ex;
}

static nf_domain *get_domain(nf_exporter *ex, guint8 version, guint32 domain)
{
	nf_domain d = { .domain = domain, .version = version };

	for (guint i = 0; i < ex->domains->len; i++) {
		nf_domain *x = &g_array_index(ex->domains, nf_domain, i);
		if (x->domain == domain && x->version == version)
			return x;
	}
	/* Bounded: an exporter cycling through domain IDs reuses slots. */
	if (ex->domains->len >= 256)
		g_array_remove_index(ex->domains, 0);
	g_array_append_val(ex->domains, d);
	return &g_array_index(ex->domains, nf_domain, ex->domains->len - 1);
}

const nf_counters *nf_cache_counters(const nf_cache *c, const nm_ip *exporter)
{
	nf_exporter *ex = get_exporter((nf_cache *)c, exporter, FALSE);

	return ex != NULL ? &ex->ctr : NULL;
}

void nf_cache_foreach_exporter(const nf_cache *c, nf_exporter_fn fn,
			       gpointer user_data)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, c->exporters);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		nf_exporter *ex = v;
		fn(&ex->addr, &ex->ctr, ex->templates.length, user_data);
	}
}

guint nf_cache_n_templates(const nf_cache *c)
{
	return g_hash_table_size(c->templates);
}

const nf_cache_stats *nf_cache_get_stats(const nf_cache *c)
{
	return &c->stats;
}

/* Unlink @t from the table and both LRU queues and free it. */
static void template_drop(nf_cache *c, nf_template *t)
{
	g_queue_unlink(&c->lru, &t->lru_all);
	g_queue_unlink(&t->ex->templates, &t->lru_ex);
	g_hash_table_remove(c->templates, &t->key);
	g_free(t);
}

/* Mark @t most recently used (template refreshed, or data decoded). */
static inline void template_touch(nf_cache *c, nf_template *t)
{
	if (c->lru.tail != &t->lru_all) {
		g_queue_unlink(&c->lru, &t->lru_all);
		g_queue_push_tail_link(&c->lru, &t->lru_all);
	}
	if (t->ex->templates.tail != &t->lru_ex) {
		g_queue_unlink(&t->ex->templates, &t->lru_ex);
		g_queue_push_tail_link(&t->ex->templates, &t->lru_ex);
	}
}

/* Evict the least recently used template of @q's owner (exporter queue)
 * or of the whole cache, counting it on its exporter. */
static void evict_head(nf_cache *c, GQueue *q)
{
	nf_template *t = q->head != NULL ? q->head->data : NULL;

	if (t == NULL)
		return;
	t->ex->ctr.evicted++;
	c->stats.templates_evicted++;
	template_drop(c, t);
}

static void held_drop(nf_exporter *ex, GList *link, gboolean miss)
{
	nf_held *h = link->data;

	ex->held_bytes -= h->len;
	if (miss)
		ex->ctr.template_misses++;
	g_queue_delete_link(&ex->held, link);
	g_free(h);
	ex->ctr.pending_sets = ex->held.length;
}

guint nf_cache_expire(nf_cache *c, gint64 now)
{
	GHashTableIter it;
	gpointer v;
	guint removed = 0;

	for (GList *l = c->lru.head; l != NULL;) {
		GList *next = l->next;
		nf_template *t = l->data;
		if (now - t->refreshed > c->lim.template_timeout) {
			t->ex->ctr.expired++;
			template_drop(c, t);
			removed++;
		}
		l = next;
	}
	g_hash_table_iter_init(&it, c->exporters);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		nf_exporter *ex = v;
		GList *l = ex->held.head;
		while (l != NULL) {
			GList *next = l->next;
			nf_held *h = l->data;
			if (now - h->arrived > c->lim.pending_timeout)
				held_drop(ex, l, TRUE);
			l = next;
		}
	}
	return removed;
}

void nf_output_reset(nf_output *out)
{
	out->n = 0;
	out->domain = 0;
	out->version = 0;
}

void nf_output_clear(nf_output *out)
{
	g_free(out->recs);
	out->recs = NULL;
	out->n = out->cap = 0;
}

static nm_flow_record *out_add(nf_output *out)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 64;
		out->recs = g_renew(nm_flow_record, out->recs, out->cap);
	}
	nm_flow_record *r = &out->recs[out->n++];
	/* A zeroed record; copying a static one compiles to vector stores
	 * where memset of this size became a slow "rep stos". */
	static const nm_flow_record zero;
	*r = zero;
	return r;
}

char *nf_ip_to_string(const nm_ip *ip, char *buf, gsize size)
{
	if (ip->family != AF_INET && ip->family != AF_INET6) {
		g_strlcpy(buf, "-", size);
		return buf;
	}
	if (inet_ntop(ip->family, ip->addr, buf, (socklen_t)size) == NULL)
		g_strlcpy(buf, "?", size);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Templates                                                           */

/* TRUE if the @len bytes at @p are all zero (padding). */
static gboolean all_zero(const guint8 *p, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (p[i] != 0)
			return FALSE;
	return TRUE;
}

/* Kind of an IETF element, given its length (NetFlow v9 field types
 * 1..127 are the same numbers, RFC 3954 §8). Lengths that do not fit the
 * element's type make it K_SKIP: the field is skipped by its length. */
static guint8 field_kind(guint16 id, guint32 pen, guint16 len)
{
	gboolean uint_ok = len >= 1 && len <= 8;

	if (pen != 0 || len == VARLEN)
		return K_SKIP;
	switch (id) {
	case 1: return uint_ok ? K_BYTES : K_BAD;
	case 2: return uint_ok ? K_PKTS : K_BAD;
	case 4: return len == 1 ? K_PROTO : K_BAD;
	case 5: return len == 1 ? K_TOS : K_BAD;
	case 6: return len == 1 || len == 2 ? K_TCPFLAGS : K_BAD;
	case 7: return len == 2 ? K_SRCPORT : K_BAD;
	case 11: return len == 2 ? K_DSTPORT : K_BAD;
	case 8: return len == 4 ? K_SRC4 : K_BAD;
	case 12: return len == 4 ? K_DST4 : K_BAD;
	case 15: return len == 4 ? K_NH4 : K_BAD;
	case 27: return len == 16 ? K_SRC6 : K_BAD;
	case 28: return len == 16 ? K_DST6 : K_BAD;
	case 62: return len == 16 ? K_NH6 : K_BAD;
	case 10: return len <= 4 && uint_ok ? K_INIF : K_BAD;
	case 14: return len <= 4 && uint_ok ? K_OUTIF : K_BAD;
	case 16: return len <= 4 && uint_ok ? K_SRCAS : K_BAD;
	case 17: return len <= 4 && uint_ok ? K_DSTAS : K_BAD;
	case 22: return len == 4 ? K_FIRST_UP : K_BAD;
	case 21: return len == 4 ? K_LAST_UP : K_BAD;
	case 150: return len == 4 ? K_START_S : K_BAD;
	case 151: return len == 4 ? K_END_S : K_BAD;
	case 152: return len == 8 ? K_START_MS : K_BAD;
	case 153: return len == 8 ? K_END_MS : K_BAD;
	case 160: return len == 8 ? K_SYSINIT_MS : K_BAD;
	case 34: /* samplingInterval */
	case 50: /* samplerRandomInterval */
		return len <= 4 && uint_ok ? K_SAMPLING : K_BAD;
	default: return K_SKIP;
	}
}

/* Record member a kind writes: kinds that write the same one (an IPv4
 * and an IPv6 source, start in s and in ms, ...) share a number. */
static guint kind_target(guint8 k)
{
	switch (k) {
	case K_SRC6: return K_SRC4;
	case K_DST6: return K_DST4;
	case K_NH6: return K_NH4;
	case K_START_MS: return K_START_S;
	case K_END_MS: return K_END_S;
	default: return k;
	}
}

/* Precompute where each kind sits in the fixed-layout prefix of @t's
 * records (all of a record when no field is variable-length), for
 * decode_fixed(), unless a record member is written twice within the
 * prefix (then field order matters: such templates are decoded field by
 * field). Fields from the first variable-length one on are always decoded
 * field by field, after the prefix, so a later field still wins. */
static void template_compile(nf_template *t)
{
	guint32 targets = 0;
	guint off = 0, i;

	t->compiled = FALSE;
	t->kinds = 0;
	for (i = 0; i < t->n_fields && t->fields[i].len != VARLEN; i++) {
		const nf_field *f = &t->fields[i];
		if (f->kind != K_SKIP) {
			guint32 bit = 1u << kind_target(f->kind);
			if (targets & bit)
				return;
			targets |= bit;
			t->kinds |= 1u << f->kind;
			t->off[f->kind] = (guint16)off;
			t->flen[f->kind] = f->len;
		}
		off += f->len;
	}
	t->n_prefix = (guint16)i;
	t->prefix_len = off;
	t->compiled = TRUE;
}

/* Store a parsed template (replacing any with the same key). */
static void template_store(pctx *x, nf_template *t)
{
	nf_cache *c = x->c;
	nf_exporter *ex = x->ex;
	nf_template *old = g_hash_table_lookup(c->templates, &t->key);

	template_compile(t);

	if (old != NULL) {
		template_drop(c, old);
	} else {
		if (ex->templates.length >= c->lim.max_templates_per_exporter)
			evict_head(c, &ex->templates);
		if (c->lru.length >= c->lim.max_templates)
			evict_head(c, &c->lru);
	}
	t->ex = ex;
	t->lru_all.data = t;
	t->lru_ex.data = t;
	g_hash_table_insert(c->templates, &t->key, t);
	g_queue_push_tail_link(&c->lru, &t->lru_all);
	g_queue_push_tail_link(&ex->templates, &t->lru_ex);
	ex->ctr.templates++;
}

static void template_withdraw(pctx *x, guint16 tid, gboolean all)
{
	for (GList *l = x->ex->templates.head; l != NULL;) {
		GList *next = l->next;
		nf_template *t = l->data;
		if (t->key.version == x->version && t->key.domain == x->domain &&
		    (all || t->key.tid == tid)) {
			template_drop(x->c, t);
			x->ex->ctr.withdrawals++;
		}
		l = next;
	}
}

static gboolean decode_data_set(pctx *x, const nf_template *t,
				const guint8 *p, gsize len);

/* Decode held data sets of @t's key now that the template is known. */
static gboolean release_held(pctx *x, const nf_template *t)
{
	GList *l = x->ex->held.head;
	gboolean ok = TRUE;

	while (l != NULL) {
		GList *next = l->next;
		nf_held *h = l->data;
		if (h->version == t->key.version && h->domain == t->key.domain &&
		    h->tid == t->key.tid) {
			guint32 es = x->export_s, up = x->uptime_ms;
			x->export_s = h->export_s;
			x->uptime_ms = h->uptime_ms;
			/* A held set that turns out malformed is counted, but
			 * does not stop the packet that released it. */
			if (!decode_data_set(x, t, h->data, h->len)) {
				x->ex->ctr.malformed++;
				ok = FALSE;
			}
			x->export_s = es;
			x->uptime_ms = up;
			held_drop(x->ex, l, FALSE);
		}
		l = next;
	}
	return ok;
}

/* Parse the template records of one template or options template set
 * (@p, @len: the set's body after its 4-byte header).
 * RFC 3954 §5.2 / §6.1 for v9, RFC 7011 §3.4.1 / §3.4.2 / §8 for IPFIX.
 * Returns FALSE on a lying length. */
static gboolean parse_template_set(pctx *x, const guint8 *p, gsize len,
				   gboolean options, guint16 set_id)
{
	gboolean ipfix = x->version == 10;

	/* A set holds one or more records (RFC 7011 §3.3.1, RFC 3954 §5.2):
	 * an empty template set is the zero-length template of FastNetMon
	 * CVE-2024-56073. */
	if (len < 4)
		return FALSE;
	while (len >= 4) {
		guint16 tid = rd16(p);
		guint32 nf, nscope = 0;
		gsize hdr = 4;

		if (!ipfix && tid == 0) {
			/* v9 padding after the last template: zeros only. */
			return all_zero(p, len);
		}

		if (!ipfix && options) {
			/* v9 §6.1: id, scope length (bytes), option length. */
			if (len < 6)
				return FALSE;
			guint16 sl = rd16(p + 2), ol = rd16(p + 4);
			if (sl % 4 != 0 || ol % 4 != 0 || sl == 0)
				return FALSE;
			nscope = sl / 4u;
			nf = nscope + ol / 4u;
			hdr = 6;
		} else {
			nf = rd16(p + 2);
			if (ipfix && options) {
				if (nf == 0) {
					hdr = 4;  /* withdrawal has no scope count */
				} else {
					if (len < 6)
						return FALSE;
					nscope = rd16(p + 4);
					hdr = 6;
					if (nscope == 0 || nscope > nf)
						return FALSE;
				}
			}
		}
		if (tid < 256) {
			/* Template IDs 0-255 are reserved; IPFIX withdraw-all
			 * uses the set ID as template ID (RFC 7011 §8.1). */
			if (ipfix && nf == 0 && tid == set_id) {
				template_withdraw(x, 0, TRUE);
				p += hdr;
				len -= hdr;
				continue;
			}
			return FALSE;
		}
		if (nf == 0) {
			if (!ipfix)
				return FALSE;  /* v9 has no withdrawal */
			template_withdraw(x, tid, FALSE);
			p += hdr;
			len -= hdr;
			continue;
		}
		if (nf > NF_MAX_FIELDS || hdr > len)
			return FALSE;
		p += hdr;
		len -= hdr;

		nf_template *t = g_malloc0(sizeof *t + nf * sizeof(nf_field));
		guint32 min_len = 0;
		norm_ip(&t->key.addr, &x->ex->addr);
		t->key.domain = x->domain;
		t->key.tid = tid;
		t->key.version = x->version;
		t->options = options;
		t->n_scope = (guint16)nscope;
		t->n_fields = (guint16)nf;
		t->refreshed = x->now;
		for (guint32 i = 0; i < nf; i++) {
			nf_field *f = &t->fields[i];
			if (len < 4)
				goto bad;
			f->id = rd16(p);
			f->len = rd16(p + 2);
			p += 4;
			len -= 4;
			if (ipfix && (f->id & 0x8000u)) {
				if (len < 4)
					goto bad;
				f->id &= 0x7FFFu;
				f->pen = rd32(p);
				p += 4;
				len -= 4;
			}
			if (f->len == 0)
				goto bad;  /* would make empty records */
			if (f->len == VARLEN) {
				if (!ipfix)
					goto bad;  /* v9 has no varlen */
				t->varlen = TRUE;
				min_len += 1;
			} else {
				min_len += f->len;
			}
			/* v9 scope fields use their own type numbers (§6.1):
			 * never read them as flow fields. */
			f->kind = (!ipfix && i < nscope) ? K_SKIP
					: field_kind(f->id, f->pen, f->len);
			if (f->kind == K_BAD)
				goto bad;
		}
		/* No message can carry a record longer than this. */
		if (min_len > 65535u - 16u - 4u)
			goto bad;
		t->min_len = min_len;
		template_store(x, t);
		if (!release_held(x, t))
			return FALSE;
		continue;
bad:
		g_free(t);
		return FALSE;
	}
	/* What is left (< 4 bytes) is padding (RFC 3954 §5.2, RFC 7011
	 * §3.3.1), which is zeros: anything else is a length that lied (a
	 * withdrawal set of 5..7 bytes, nfdump CVE-2019-14459). */
	return all_zero(p, len);
}

/* ------------------------------------------------------------------ */
/* Data records                                                        */

typedef struct {
	guint32 first_up, last_up;
	gboolean have_up_first, have_up_last;
	guint64 start_ms, end_ms, sysinit_ms;
	guint32 sampling;
} rec_extra;

/* Store the value of one field (@flen bytes at @v, already checked).
 * Always inlined: decode_fixed() calls it with constant kinds. */
static inline __attribute__((always_inline)) void apply_field(guint8 kind, const guint8 *v, gsize flen,
			       nm_flow_record *r, rec_extra *e)
{
	switch (kind) {
	case K_SKIP: break;
	case K_BYTES: r->bytes = rduint(v, (guint)flen); break;
	case K_PKTS: r->packets = rduint(v, (guint)flen); break;
	case K_PROTO: r->protocol = v[0]; break;
	case K_TOS: r->tos = v[0]; break;
	case K_TCPFLAGS: r->tcp_flags = v[flen - 1]; break;
	case K_SRCPORT: r->src_port = rd16(v); break;
	case K_DSTPORT: r->dst_port = rd16(v); break;
	case K_SRC4: r->src.family = AF_INET; memcpy(r->src.addr, v, 4); break;
	case K_DST4: r->dst.family = AF_INET; memcpy(r->dst.addr, v, 4); break;
	case K_NH4: r->next_hop.family = AF_INET; memcpy(r->next_hop.addr, v, 4); break;
	case K_SRC6: r->src.family = AF_INET6; memcpy(r->src.addr, v, 16); break;
	case K_DST6: r->dst.family = AF_INET6; memcpy(r->dst.addr, v, 16); break;
	case K_NH6: r->next_hop.family = AF_INET6; memcpy(r->next_hop.addr, v, 16); break;
	case K_INIF: r->in_if = (guint32)rduint(v, (guint)flen); break;
	case K_OUTIF: r->out_if = (guint32)rduint(v, (guint)flen); break;
	case K_SRCAS: r->src_as = (guint32)rduint(v, (guint)flen); break;
	case K_DSTAS: r->dst_as = (guint32)rduint(v, (guint)flen); break;
	case K_FIRST_UP: e->first_up = rd32(v); e->have_up_first = TRUE; break;
	case K_LAST_UP: e->last_up = rd32(v); e->have_up_last = TRUE; break;
	case K_START_S: e->start_ms = (guint64)rd32(v) * 1000u; break;
	case K_END_S: e->end_ms = (guint64)rd32(v) * 1000u; break;
	case K_START_MS: e->start_ms = rduint(v, 8); break;
	case K_END_MS: e->end_ms = rduint(v, 8); break;
	case K_SYSINIT_MS: e->sysinit_ms = rduint(v, 8); break;
	case K_SAMPLING: e->sampling = (guint32)rduint(v, (guint)flen); break;
	default: break;
	}
}

/* Decode one record of a compiled template (t->min_len bytes at @p,
 * checked by the caller): straight-line code, one well-predicted branch
 * per kind, where decoding field by field costs an indirect jump each. */
static inline void decode_fixed(const nf_template *t, const guint8 *p,
				nm_flow_record *r, rec_extra *e)
{
	const guint32 m = t->kinds;

#define NF_FIELD(k) \
	if (m & (1u << (k))) \
		apply_field((k), p + t->off[(k)], t->flen[(k)], r, e)
	NF_FIELD(K_BYTES); NF_FIELD(K_PKTS); NF_FIELD(K_PROTO); NF_FIELD(K_TOS);
	NF_FIELD(K_TCPFLAGS); NF_FIELD(K_SRCPORT); NF_FIELD(K_DSTPORT);
	NF_FIELD(K_SRC4); NF_FIELD(K_DST4); NF_FIELD(K_SRC6); NF_FIELD(K_DST6);
	NF_FIELD(K_NH4); NF_FIELD(K_NH6); NF_FIELD(K_INIF); NF_FIELD(K_OUTIF);
	NF_FIELD(K_SRCAS); NF_FIELD(K_DSTAS); NF_FIELD(K_FIRST_UP);
	NF_FIELD(K_LAST_UP); NF_FIELD(K_START_S); NF_FIELD(K_END_S);
	NF_FIELD(K_START_MS); NF_FIELD(K_END_MS); NF_FIELD(K_SYSINIT_MS);
	NF_FIELD(K_SAMPLING);
#undef NF_FIELD
}

/* Decode one record of @t at @p (@avail bytes, at least t->min_len).
 * Sets *@used to its length. Returns FALSE if a variable-length field
 * runs past @avail. */
static gboolean decode_record(const nf_template *t, const guint8 *p,
			      gsize avail, gsize *used, nm_flow_record *r,
			      rec_extra *e)
{
	gsize off = 0;
	guint i = 0;

	if (t->compiled) {
		/* prefix_len <= min_len <= avail */
		decode_fixed(t, p, r, e);
		off = t->prefix_len;
		i = t->n_prefix;
		if (i == t->n_fields) {
			*used = off;
			return TRUE;
		}
	} else if (!t->varlen) {
		/* Fixed layout: the caller checked avail >= min_len, which is
		 * the sum of the field lengths. */
		for (i = 0; i < t->n_fields; i++) {
			const nf_field *f = &t->fields[i];
			apply_field(f->kind, p + off, f->len, r, e);
			off += f->len;
		}
		*used = off;
		return TRUE;
	}
	for (; i < t->n_fields; i++) {
		const nf_field *f = &t->fields[i];
		gsize flen = f->len;

		if (flen == VARLEN) {
			/* RFC 7011 §7: 1-byte length, 255 = 2-byte length. */
			if (off + 1 > avail)
				return FALSE;
			flen = p[off++];
			if (flen == 255) {
				if (off + 2 > avail)
					return FALSE;
				flen = rd16(p + off);
				off += 2;
			}
		}
		if (flen > avail - off)
			return FALSE;
		apply_field(f->kind, p + off, flen, r, e);
		off += flen;
	}
	*used = off;
	return TRUE;
}

/* Clamp a millisecond time into the µs range of gint64. */
static gint64 ms_to_us(guint64 ms)
{
	if (ms > (guint64)(G_MAXINT64 / 1000))
		return G_MAXINT64;
	return (gint64)ms * 1000;
}

static void finish_times(const pctx *x, nm_flow_record *r, const rec_extra *e)
{
	gint64 export_us = (gint64)x->export_s * G_USEC_PER_SEC;

	r->start = r->end = export_us;
	if (x->version == 9) {
		/* RFC 3954 §8: FIRST/LAST_SWITCHED are sysUptime in ms. */
		if (e->have_up_first)
			r->start = export_us - (gint64)(guint32)(x->uptime_ms - e->first_up) * 1000;
		if (e->have_up_last)
			r->end = export_us - (gint64)(guint32)(x->uptime_ms - e->last_up) * 1000;
	} else {
		if (e->sysinit_ms != 0 && e->have_up_first)
			r->start = ms_to_us(e->sysinit_ms + e->first_up);
		if (e->sysinit_ms != 0 && e->have_up_last)
			r->end = ms_to_us(e->sysinit_ms + e->last_up);
	}
	if (e->start_ms != 0)
		r->start = ms_to_us(e->start_ms);
	if (e->end_ms != 0)
		r->end = ms_to_us(e->end_ms);
}

static void apply_sampling(nm_flow_record *r, guint32 rate)
{
	if (rate <= 1) {
		r->sampling_rate = 1;
		return;
	}
	r->sampling_rate = rate;
	r->bytes = r->bytes > G_MAXUINT64 / rate ? G_MAXUINT64 : r->bytes * rate;
	r->packets = r->packets > G_MAXUINT64 / rate ? G_MAXUINT64 : r->packets * rate;
}

/* Decode the records of a data set body (@p, @len) with template @t.
 * RFC 3954 §5.3, RFC 7011 §3.3.2, §7. Returns FALSE on a lying length. */
static gboolean decode_data_set(pctx *x, const nf_template *t,
				const guint8 *p, gsize len)
{
	nf_domain *dom = get_domain(x->ex, x->version, x->domain);

	while (len >= t->min_len && len > 0) {
		gsize used = t->min_len;
		rec_extra e = { 0 };

		if (t->options) {
			nm_flow_record tmp;
			memset(&tmp, 0, sizeof tmp);
			if (!decode_record(t, p, len, &used, &tmp, &e))
				return FALSE;
			if (e.sampling != 0)
				dom->sampling = e.sampling;
			x->ex->ctr.options_records++;
		} else {
			nm_flow_record *r = out_add(x->out);
			if (!decode_record(t, p, len, &used, r, &e)) {
				x->out->n--;
				return FALSE;
			}
			finish_times(x, r, &e);
			apply_sampling(r, e.sampling != 0 ? e.sampling : dom->sampling);
			x->ex->ctr.records++;
		}
		x->data_records++;
		p += used;
		len -= used;
	}
	/* Fewer bytes than a record: padding (RFC 7011 §3.3.1, RFC 3954
	 * §5.3), zeros. Other bytes mean the template's record is longer
	 * than what the exporter sent (a field longer than the record,
	 * pmacct #934; data in an old layout after a refresh, pmacct #923). */
	return all_zero(p, len);
}

/* Keep a data set whose template is not known yet (bounded). */
static void hold_set(pctx *x, guint16 tid, const guint8 *p, gsize len)
{
	nf_exporter *ex = x->ex;
	nf_held *h;

	if (len > x->c->lim.max_pending_bytes) {
		ex->ctr.template_misses++;
		return;
	}
	while (ex->held.length > 0 &&
	       (ex->held.length >= x->c->lim.max_pending_sets ||
		ex->held_bytes + len > x->c->lim.max_pending_bytes))
		held_drop(ex, ex->held.head, TRUE);
	h = g_malloc(sizeof *h + len);
	h->version = x->version;
	h->domain = x->domain;
	h->tid = tid;
	h->export_s = x->export_s;
	h->uptime_ms = x->uptime_ms;
	h->arrived = x->now;
	h->len = len;
	memcpy(h->data, p, len);  /* len <= remaining packet, checked by caller */
	g_queue_push_tail(&ex->held, h);
	ex->held_bytes += len;
	ex->ctr.pending_sets = ex->held.length;
}

/* Walk the sets of a v9 or IPFIX packet body. */
static gboolean walk_sets(pctx *x, const guint8 *p, gsize len)
{
	gboolean ipfix = x->version == 10;

	while (len > 0) {
		if (len < 4) {
			/* v9 allows trailing padding; IPFIX sets are exact. */
			return !ipfix;
		}
		guint16 id = rd16(p), slen = rd16(p + 2);
		if (slen < 4 || slen > len)
			return FALSE;
		const guint8 *body = p + 4;
		gsize blen = slen - 4u;
		p += slen;
		len -= slen;

		gboolean tmpl = ipfix ? id == 2 : id == 0;
		gboolean opts = ipfix ? id == 3 : id == 1;
		if (tmpl || opts) {
			if (!parse_template_set(x, body, blen, opts, id))
				return FALSE;
		} else if (id >= 256) {
			tkey k;
			norm_ip(&k.addr, &x->ex->addr);
			k.domain = x->domain;
			k.tid = id;
			k.version = x->version;
			nf_template *t = g_hash_table_lookup(x->c->templates, &k);
			if (t == NULL) {
				hold_set(x, id, body, blen);
				x->seq_unknown = TRUE;
			} else {
				template_touch(x->c, t);
				if (!decode_data_set(x, t, body, blen))
					return FALSE;
			}
		}
		/* Other set IDs (v9 2-255, IPFIX 0,1,4-255) are skipped. */
	}
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Versions                                                            */

static gboolean decode_v5(pctx *x, const guint8 *buf, gsize len)
{
	guint16 count;
	guint32 seq, rate;
	nf_domain *dom;

	if (len < 24)
		return FALSE;
	count = rd16(buf + 2);
	if (count == 0 || count > 30 || len < 24u + 48u * count)
		return FALSE;
	x->uptime_ms = rd32(buf + 4);
	x->export_s = rd32(buf + 8);
	seq = rd32(buf + 16);
	x->domain = (guint32)buf[20] << 8 | buf[21];
	x->out->domain = x->domain;
	dom = get_domain(x->ex, 5, x->domain);
	/* Top 2 bits: sampling mode; low 14: interval. */
	rate = rd16(buf + 22) & 0x3FFFu;
	if (dom->have_seq && seq != dom->next_seq)
		x->ex->ctr.seq_gaps++;
	dom->have_seq = TRUE;
	dom->next_seq = seq + count;
	for (guint i = 0; i < count; i++) {
		const guint8 *r = buf + 24 + 48 * i;
		nm_flow_record *f = out_add(x->out);
		gint64 export_us = (gint64)x->export_s * G_USEC_PER_SEC +
				   rd32(buf + 12) / 1000;

		f->src.family = f->dst.family = AF_INET;
		memcpy(f->src.addr, r, 4);
		memcpy(f->dst.addr, r + 4, 4);
		if (rd32(r + 8) != 0) {
			f->next_hop.family = AF_INET;
			memcpy(f->next_hop.addr, r + 8, 4);
		}
		f->in_if = rd16(r + 12);
		f->out_if = rd16(r + 14);
		f->packets = rd32(r + 16);
		f->bytes = rd32(r + 20);
		f->start = export_us - (gint64)(guint32)(x->uptime_ms - rd32(r + 24)) * 1000;
		f->end = export_us - (gint64)(guint32)(x->uptime_ms - rd32(r + 28)) * 1000;
		f->src_port = rd16(r + 32);
		f->dst_port = rd16(r + 34);
		f->tcp_flags = r[37];
		f->protocol = r[38];
		f->tos = r[39];
		f->src_as = rd16(r + 40);
		f->dst_as = rd16(r + 42);
		apply_sampling(f, rate);
		x->ex->ctr.records++;
	}
	return TRUE;
}

static gboolean decode_v9(pctx *x, const guint8 *buf, gsize len)
{
	guint32 seq;
	nf_domain *dom;

	if (len < 20)
		return FALSE;
	x->uptime_ms = rd32(buf + 4);
	x->export_s = rd32(buf + 8);
	seq = rd32(buf + 12);
	x->domain = rd32(buf + 16);
	x->out->domain = x->domain;
	dom = get_domain(x->ex, 9, x->domain);
	/* RFC 3954 §5.1: sequence counts export packets per source ID. */
	if (dom->have_seq && seq != dom->next_seq)
		x->ex->ctr.seq_gaps++;
	dom->have_seq = TRUE;
	dom->next_seq = seq + 1;
	return walk_sets(x, buf + 20, len - 20);
}

static gboolean decode_ipfix(pctx *x, const guint8 *buf, gsize len)
{
	guint16 mlen;
	guint32 seq;
	nf_domain *dom;
	gboolean ok;

	if (len < 16)
		return FALSE;
	mlen = rd16(buf + 2);
	/* RFC 7011 §3.1: Length is the whole message incl. header. */
	if (mlen < 16 || mlen > len)
		return FALSE;
	x->export_s = rd32(buf + 4);
	seq = rd32(buf + 8);
	x->domain = rd32(buf + 12);
	x->out->domain = x->domain;
	dom = get_domain(x->ex, 10, x->domain);
	/* §3.1: sequence counts data records sent before this message. */
	if (dom->have_seq && seq != dom->next_seq)
		x->ex->ctr.seq_gaps++;
	ok = walk_sets(x, buf + 16, mlen - 16u);
	/* walk_sets may have added a domain slot: look it up again. */
	dom = get_domain(x->ex, 10, x->domain);
	dom->have_seq = ok && !x->seq_unknown;
	dom->next_seq = seq + x->data_records;
	return ok;
}

gboolean nf_decode(nf_cache *c, const nm_ip *exporter, const guint8 *buf,
		   gsize len, gint64 now, nf_output *out)
{
	pctx x = { .c = c, .now = now, .out = out };
	gboolean ok;

	out->version = 0;
	out->domain = 0;
	x.ex = get_exporter(c, exporter, TRUE);
	if (x.ex == NULL)
		return FALSE;
	x.ex->ctr.packets++;
	if (buf == NULL || len < 2) {
		x.ex->ctr.malformed++;
		return FALSE;
	}
	switch (rd16(buf)) {
	case 5:
		x.version = 5;
		out->version = 5;
		ok = decode_v5(&x, buf, len);
		break;
	case 9:
		x.version = 9;
		out->version = 9;
		ok = decode_v9(&x, buf, len);
		break;
	case 10:
		x.version = 10;
		out->version = 10;
		ok = decode_ipfix(&x, buf, len);
		break;
	default:
		ok = FALSE;
		break;
	}
	if (!ok)
		x.ex->ctr.malformed++;
	return ok;
}

/* ------------------------------------------------------------------ */
/* Persistence                                                         */

/* File: "NMNFT001", then per template:
 * family(1) addr(16) domain(4) tid(2) version(1) options(1) n_scope(2)
 * n_fields(2), then n_fields x (id(2) len(2) pen(4)). Big-endian. */
#define MAGIC "NMNFT001"

static void put16(GByteArray *b, guint16 v)
{
	guint8 x[2] = { (guint8)(v >> 8), (guint8)v };
	g_byte_array_append(b, x, 2);
}

static void put32(GByteArray *b, guint32 v)
{
	guint8 x[4] = { (guint8)(v >> 24), (guint8)(v >> 16), (guint8)(v >> 8),
			(guint8)v };
	g_byte_array_append(b, x, 4);
}

GByteArray *nf_cache_save(const nf_cache *c)
{
	GByteArray *b = g_byte_array_new();
	GHashTableIter it;
	gpointer v;

	g_byte_array_append(b, (const guint8 *)MAGIC, 8);
	g_hash_table_iter_init(&it, c->templates);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const nf_template *t = v;
		g_byte_array_append(b, &t->key.addr.family, 1);
		g_byte_array_append(b, t->key.addr.addr, 16);
		put32(b, t->key.domain);
		put16(b, t->key.tid);
		g_byte_array_append(b, &t->key.version, 1);
		guint8 o = t->options ? 1 : 0;
		g_byte_array_append(b, &o, 1);
		put16(b, t->n_scope);
		put16(b, t->n_fields);
		for (guint i = 0; i < t->n_fields; i++) {
			put16(b, t->fields[i].id);
			put16(b, t->fields[i].len);
			put32(b, t->fields[i].pen);
		}
	}
	return b;
}

int nf_cache_load(nf_cache *c, const guint8 *buf, gsize len, gint64 now)
{
	int n = 0;

	if (len < 8 || memcmp(buf, MAGIC, 8) != 0)
		return -1;
	buf += 8;
	len -= 8;
	while (len > 0) {
		if (len < 29)
			return -1;
		nm_ip addr;
		memset(&addr, 0, sizeof addr);
		addr.family = buf[0];
		memcpy(addr.addr, buf + 1, 16);
		guint32 domain = rd32(buf + 17);
		guint16 tid = rd16(buf + 21);
		guint8 version = buf[23];
		gboolean options = buf[24] != 0;
		guint16 nscope = rd16(buf + 25), nf = rd16(buf + 27);
		buf += 29;
		len -= 29;
		if ((addr.family != AF_INET && addr.family != AF_INET6) ||
		    (version != 9 && version != 10) || tid < 256 || nf == 0 ||
		    nf > NF_MAX_FIELDS || nscope > nf || (gsize)nf * 8u > len)
			return -1;
		nf_exporter *ex = get_exporter(c, &addr, TRUE);
		if (ex == NULL)
			return -1;
		nf_template *t = g_malloc0(sizeof *t + nf * sizeof(nf_field));
		guint32 min_len = 0;
		t->key.addr = ex->addr;
		t->key.domain = domain;
		t->key.tid = tid;
		t->key.version = version;
		t->options = options;
		t->n_scope = nscope;
		t->n_fields = nf;
		t->refreshed = now;
		for (guint i = 0; i < nf; i++) {
			nf_field *f = &t->fields[i];
			f->id = rd16(buf);
			f->len = rd16(buf + 2);
			f->pen = rd32(buf + 4);
			buf += 8;
			len -= 8;
			if (f->len == 0 || (f->len == VARLEN && version != 10)) {
				g_free(t);
				return -1;
			}
			if (f->len == VARLEN)
				t->varlen = TRUE;
			min_len += f->len == VARLEN ? 1u : f->len;
			f->kind = (version == 9 && i < nscope) ? K_SKIP
					: field_kind(f->id, f->pen, f->len);
			if (f->kind == K_BAD) {
				g_free(t);
				return -1;
			}
		}
		if (min_len > 65535u - 20u) {
			g_free(t);
			return -1;
		}
		t->min_len = min_len;
		pctx x = { .c = c, .ex = ex, .version = version, .domain = domain,
			   .now = now };
		template_store(&x, t);
		ex->ctr.templates--;  /* a reload is not a received template */
		n++;
	}
	return n;
}
