/* netmon — grouping and de-duplication of notifications (group.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include <string.h>

#include "group.h"

struct al_grouper {
	char *templ;
	gint64 wait;
	GHashTable *open;      /* key -> al_group* (also in order) */
	GPtrArray *order;      /* al_group*, by due time (= creation order) */
};

al_notice *al_notice_new(al_kind kind, guint64 id, const char *host,
			 const char *service, nm_state_code code,
			 const char *output, const char *author,
			 const char *comment, gint64 time)
{
	al_notice *n = g_new0(al_notice, 1);

	n->kind = kind;
	n->id = id;
	n->host = g_strdup(host ? host : "");
	n->service = g_strdup(service ? service : "");
	n->code = code;
	n->output = g_strdup(output ? output : "");
	n->author = g_strdup(author ? author : "");
	n->comment = g_strdup(comment ? comment : "");
	n->time = time;
	return n;
}

void al_notice_free(al_notice *n)
{
	if (n == NULL)
		return;
	g_free(n->host);
	g_free(n->service);
	g_free(n->output);
	g_free(n->author);
	g_free(n->comment);
	g_free(n);
}

char *al_notice_line(const al_notice *n)
{
	return g_strdup_printf("%s %s/%s %s: %s", al_kind_name(n->kind), n->host,
			       n->service, nm_state_code_name(n->code), n->output);
}

void al_group_free(al_group *g)
{
	if (g == NULL)
		return;
	g_free(g->key);
	g_ptr_array_unref(g->notices);
	g_free(g);
}

char *al_group_key(const char *templ, const al_notice *n)
{
	GString *s = g_string_new(templ);

	g_string_replace(s, "{host}", n->host, 0);
	g_string_replace(s, "{service}", n->service, 0);
	g_string_replace(s, "{kind}", al_kind_name(n->kind), 0);
	g_string_replace(s, "{state}", nm_state_code_name(n->code), 0);
	return g_string_free(s, FALSE);
}

al_grouper *al_grouper_new(const char *templ, gint64 wait)
{
	al_grouper *g = g_new0(al_grouper, 1);

	g->templ = g_strdup(templ);
	g->wait = MAX(wait, 0);
	g->open = g_hash_table_new(g_str_hash, g_str_equal);
	g->order = g_ptr_array_new_with_free_func((GDestroyNotify)al_group_free);
	return g;
}

void al_grouper_free(al_grouper *g)
{
	if (g == NULL)
		return;
	g_hash_table_destroy(g->open);
	g_ptr_array_unref(g->order);
	g_free(g->templ);
	g_free(g);
}

void al_grouper_add(al_grouper *g, al_notice *n, gint64 now)
{
	char *key = al_group_key(g->templ, n);
	al_group *grp = g_hash_table_lookup(g->open, key);

	if (grp == NULL) {
		grp = g_new0(al_group, 1);
		grp->key = key;
		grp->notices = g_ptr_array_new_with_free_func((GDestroyNotify)al_notice_free);
		grp->due = now + g->wait;
		g_hash_table_insert(g->open, grp->key, grp);
		g_ptr_array_add(g->order, grp);
	} else {
		g_free(key);
	}
	for (guint i = 0; i < grp->notices->len; i++) {
		al_notice *o = g_ptr_array_index(grp->notices, i);
		if (o->kind == n->kind && strcmp(o->host, n->host) == 0 &&
		    strcmp(o->service, n->service) == 0) {
			al_notice_free(o);
			grp->notices->pdata[i] = n;
			grp->dropped++;
			return;
		}
	}
	g_ptr_array_add(grp->notices, n);
}

gint64 al_grouper_next_due(const al_grouper *g)
{
	/* groups are created in time order with one wait: the first is due first */
	return g->order->len > 0 ? ((al_group *)g->order->pdata[0])->due : G_MAXINT64;
}

GPtrArray *al_grouper_take(al_grouper *g, gint64 now, gboolean all)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)al_group_free);

	while (g->order->len > 0) {
		al_group *grp = g->order->pdata[0];
		if (!all && grp->due > now)
			break;
		g_hash_table_remove(g->open, grp->key);
		g_ptr_array_add(out, g_ptr_array_steal_index(g->order, 0));
	}
	return out;
}
