/* netmon snmp plugin — the poll schedule of many targets in one timer:
 * a binary min-heap keyed by due time.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include "snmp-sched.h"

typedef struct {
	gint64 due;
	gpointer item;
} slot;

struct nm_snmp_sched {
	GArray *heap;   /* slot, heap-ordered by due */
};

nm_snmp_sched *nm_snmp_sched_new(void)
{
	nm_snmp_sched *s = g_new0(nm_snmp_sched, 1);

	s->heap = g_array_new(FALSE, FALSE, sizeof(slot));
	return s;
}

void nm_snmp_sched_free(nm_snmp_sched *s)
{
	if (s == NULL)
		return;
	g_array_free(s->heap, TRUE);
	g_free(s);
}

guint nm_snmp_sched_len(const nm_snmp_sched *s)
{
	return s->heap->len;
}

void nm_snmp_sched_push(nm_snmp_sched *s, gint64 due, gpointer item)
{
	slot n = { due, item };
	slot *h;
	guint i;

	g_array_append_val(s->heap, n);
	h = (slot *)s->heap->data;
	for (i = s->heap->len - 1; i > 0; ) {
		guint up = (i - 1) / 2;

		if (h[up].due <= n.due)
			break;
		h[i] = h[up];
		i = up;
	}
	h[i] = n;
}

gpointer nm_snmp_sched_pop_due(nm_snmp_sched *s, gint64 now, gint64 *due)
{
	slot *h = (slot *)s->heap->data;
	slot top, last;
	guint n = s->heap->len, i = 0;

	if (n == 0 || h[0].due > now)
		return NULL;
	top = h[0];
	last = h[n - 1];
	n--;
	g_array_set_size(s->heap, n);
	h = (slot *)s->heap->data;
	if (n > 0) {
		for (;;) {
			guint c = 2 * i + 1;

			if (c >= n)
				break;
			if (c + 1 < n && h[c + 1].due < h[c].due)
				c++;
			if (last.due <= h[c].due)
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = last;
	}
	if (due != NULL)
		*due = top.due;
	return top.item;
}

gint64 nm_snmp_sched_first_due(const char *plugin, const char *name,
			       gint64 interval, gint64 mono, gint64 real)
{
	guint64 h = 14695981039346656037ULL; /* FNV-1a, 64 bit */
	gint64 offset;

	for (const char *c = plugin; *c; c++)
		h = (h ^ (guint8)*c) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *c = name; *c; c++)
		h = (h ^ (guint8)*c) * 1099511628211ULL;
	offset = (gint64)(h % (guint64)interval);
	return mono + (offset - real % interval + interval) % interval;
}

gint64 nm_snmp_sched_next_due(gint64 due, gint64 interval, gint64 now,
			      guint64 *missed)
{
	due += interval;
	if (due <= now) {
		gint64 late = (now - due) / interval + 1;

		*missed += (guint64)late;
		due += late * interval;
	}
	return due;
}
