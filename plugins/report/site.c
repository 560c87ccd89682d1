/* netmon report plugin — the static site generator.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-glib/json-glib.h>
#include <rrd.h>

#include <netmon/log.h>

#include "html.h"
#include "site.h"

typedef struct {
	const char *name, *label;
	gint64 seconds;
	gint64 min_age;   /* an existing image younger than this is kept */
} period;

static const period periods[] = {
	{ "day", "last 24 hours", 86400, 0 },
	{ "week", "last 7 days", 7 * 86400, 600 },
	{ "month", "last 31 days", 31 * 86400, 3600 },
	{ "year", "last 366 days", 366 * 86400, 6 * 3600 },
};

typedef struct {
	char *path, *dir, *plugindir, *plugin, *pinst, *type, *tinst, *base;
	gint64 last;
	const rp_graphdef *def;   /* resolved; NULL: not drawn alone */
	gboolean drawn[G_N_ELEMENTS(periods)];
} rrd_entry;

typedef struct {
	char *name;
	char *alias;
	double speed_mbps;   /* NaN: unknown */
	char *oper_status;
	const char *rrd;     /* if_octets file, or NULL */
} iface;

typedef struct {
	char *name, *slug;
	GPtrArray *files;    /* rrd_entry*, sorted */
	gint64 last;
	char *sys_name, *sys_descr;
	GPtrArray *ifaces;   /* iface* */
} host_info;

/* ------------------------------------------------------------------ */

static void entry_free(gpointer data)
{
	rrd_entry *e = data;

	g_free(e->path);
	g_free(e->dir);
	g_free(e->plugindir);
	g_free(e->plugin);
	g_free(e->pinst);
	g_free(e->type);
	g_free(e->tinst);
	g_free(e->base);
	g_free(e);
}

static void iface_free(gpointer data)
{
	iface *i = data;

	g_free(i->name);
	g_free(i->alias);
	g_free(i->oper_status);
	g_free(i);
}

static void host_free(gpointer data)
{
	host_info *h = data;

	g_free(h->name);
	g_free(h->slug);
	g_ptr_array_unref(h->files);
	g_free(h->sys_name);
	g_free(h->sys_descr);
	g_ptr_array_unref(h->ifaces);
	g_free(h);
}

rp_site *rp_site_new(const char *rrd_dir, const char *out_dir,
		     const char *inventory_dir, const char *title,
		     const char *imgformat, int refresh, int width,
		     int height, rp_graphdefs *defs, rp_avail *avail)
{
	rp_site *s = g_new0(rp_site, 1);

	s->rrd_dir = g_strdup(rrd_dir);
	s->out_dir = g_strdup(out_dir);
	s->inventory_dir = g_strdup(inventory_dir);
	s->title = g_strdup(title);
	s->imgformat = g_ascii_strup(imgformat, -1);
	s->refresh = refresh;
	s->width = width;
	s->height = height;
	s->defs = defs;
	s->avail = avail;
	g_mutex_init(&s->lock);
	s->drawn_last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      g_free);
	return s;
}

void rp_site_free(rp_site *s)
{
	if (s == NULL)
		return;
	g_free(s->rrd_dir);
	g_free(s->out_dir);
	g_free(s->inventory_dir);
	g_free(s->title);
	g_free(s->imgformat);
	rp_graphdefs_free(s->defs);
	g_free(s->last_error);
	g_mutex_clear(&s->lock);
	g_hash_table_unref(s->drawn_last);
	g_free(s);
}

static void set_error(rp_site *s, const char *msg)
{
	nm_log(NM_LOG_WARNING, "report", "%s", msg);
	g_mutex_lock(&s->lock);
	s->errors++;
	g_free(s->last_error);
	s->last_error = g_strdup(msg);
	g_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------------ */
/* Scanning                                                            */

/* "name-instance" → name, instance (split at the first '-'). */
static void split_dash(const char *s, char **name, char **inst)
{
	const char *d = strchr(s, '-');

	*name = d != NULL ? g_strndup(s, (gsize)(d - s)) : g_strdup(s);
	*inst = g_strdup(d != NULL ? d + 1 : "");
}

static gint cmp_entry(gconstpointer a, gconstpointer b)
{
	const rrd_entry *x = *(rrd_entry *const *)a, *y = *(rrd_entry *const *)b;
	int c = strcmp(x->plugindir, y->plugindir);

	if (c != 0)
		return c;
	if (x->def != NULL && y->def != NULL && x->def->order != y->def->order)
		return x->def->order < y->def->order ? -1 : 1;
	return strcmp(x->base, y->base);
}

static gboolean consumed(GPtrArray *files, const rrd_entry *e)
{
	for (guint i = 0; i < files->len; i++) {
		const rrd_entry *o = files->pdata[i];
		if (o == e || o->def == NULL || o->def->consumes == NULL ||
		    strcmp(o->dir, e->dir) != 0)
			continue;
		if (g_strv_contains((const char *const *)o->def->consumes,
				    e->base))
			return TRUE;
	}
	return FALSE;
}

static void scan_host(rp_site *s, host_info *h, const char *hostdir)
{
	GDir *d = g_dir_open(hostdir, 0, NULL);
	const char *pd;

	if (d == NULL)
		return;
	while ((pd = g_dir_read_name(d)) != NULL) {
		char *pdir = g_build_filename(hostdir, pd, NULL);
		GDir *d2;
		const char *f;

		if (pd[0] == '.' || !g_file_test(pdir, G_FILE_TEST_IS_DIR) ||
		    (d2 = g_dir_open(pdir, 0, NULL)) == NULL) {
			g_free(pdir);
			continue;
		}
		while ((f = g_dir_read_name(d2)) != NULL) {
			rrd_entry *e;
			if (f[0] == '.' || !g_str_has_suffix(f, ".rrd"))
				continue;
			e = g_new0(rrd_entry, 1);
			e->path = g_build_filename(pdir, f, NULL);
			e->dir = g_strdup(pdir);
			e->plugindir = g_strdup(pd);
			split_dash(pd, &e->plugin, &e->pinst);
			e->base = g_strndup(f, strlen(f) - 4);
			split_dash(e->base, &e->type, &e->tinst);
			e->last = rp_rrd_last(e->path);
			h->last = MAX(h->last, e->last);
			g_ptr_array_add(h->files, e);
		}
		g_dir_close(d2);
		g_free(pdir);
	}
	g_dir_close(d);
	for (guint i = 0; i < h->files->len; i++) {
		rrd_entry *e = h->files->pdata[i];
		rp_graph_src src = { e->path, e->dir, h->name, e->plugin,
				     e->pinst, e->type, e->tinst };
		const rp_graphdef *def = rp_graphdefs_lookup(s->defs, e->type,
							     e->tinst);
		if (def != NULL && !def->hidden)
			e->def = rp_graphdef_resolve(s->defs, def, &src);
	}
	for (guint i = 0; i < h->files->len; i++) {
		rrd_entry *e = h->files->pdata[i];
		if (e->def != NULL && consumed(h->files, e))
			e->def = NULL;
	}
	g_ptr_array_sort(h->files, cmp_entry);
}

static char *json_str(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

/* <inventory_dir>/<host>.json, if there is one. */
static void load_inventory(rp_site *s, host_info *h)
{
	char *base, *path;
	JsonParser *parser;
	GError *err = NULL;
	JsonNode *root;

	if (s->inventory_dir == NULL || strchr(h->name, '/') != NULL ||
	    h->name[0] == '.')
		return;
	base = g_strconcat(h->name, ".json", NULL);
	path = g_build_filename(s->inventory_dir, base, NULL);
	g_free(base);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_free(path);
		return;
	}
	parser = json_parser_new();
	if (!json_parser_load_from_file(parser, path, &err)) {
		char *msg = g_strdup_printf("%s: %s", path, err->message);
		set_error(s, msg);
		g_free(msg);
		g_error_free(err);
	} else if ((root = json_parser_get_root(parser)) != NULL &&
		   JSON_NODE_HOLDS_OBJECT(root)) {
		JsonObject *o = json_node_get_object(root);
		JsonNode *ifs = json_object_get_member(o, "interfaces");
		h->sys_name = json_str(o, "sysName");
		h->sys_descr = json_str(o, "sysDescr");
		if (ifs != NULL && JSON_NODE_HOLDS_ARRAY(ifs)) {
			JsonArray *a = json_node_get_array(ifs);
			for (guint i = 0; i < json_array_get_length(a); i++) {
				JsonNode *n = json_array_get_element(a, i);
				JsonObject *io;
				JsonNode *sp;
				iface *f;
				if (!JSON_NODE_HOLDS_OBJECT(n))
					continue;
				io = json_node_get_object(n);
				f = g_new0(iface, 1);
				f->name = json_str(io, "name");
				if (f->name == NULL) {
					iface_free(f);
					continue;
				}
				f->alias = json_str(io, "alias");
				f->oper_status = json_str(io, "oper_status");
				sp = json_object_get_member(io, "speed_mbps");
				f->speed_mbps = sp != NULL &&
						JSON_NODE_TYPE(sp) == JSON_NODE_VALUE &&
						json_node_get_value_type(sp) != G_TYPE_STRING
							? json_node_get_double(sp)
							: NAN;
				g_ptr_array_add(h->ifaces, f);
			}
		}
	}
	g_object_unref(parser);
	g_free(path);
}

static host_info *host_new(const char *name)
{
	host_info *h = g_new0(host_info, 1);

	h->name = g_strdup(name);
	h->slug = rp_slug(name);
	h->files = g_ptr_array_new_with_free_func(entry_free);
	h->ifaces = g_ptr_array_new_with_free_func(iface_free);
	return h;
}

static gint cmp_host(gconstpointer a, gconstpointer b)
{
	const host_info *x = *(host_info *const *)a;
	const host_info *y = *(host_info *const *)b;

	return g_utf8_collate(x->name, y->name);
}

/* Hosts: folders of the RRD directory, plus hosts with a state. */
static GPtrArray *scan(rp_site *s)
{
	GPtrArray *hosts = g_ptr_array_new_with_free_func(host_free);
	GDir *d = g_dir_open(s->rrd_dir, 0, NULL);
	const char *name;

	if (d != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char *hd = g_build_filename(s->rrd_dir, name, NULL);
			if (name[0] != '.' &&
			    g_file_test(hd, G_FILE_TEST_IS_DIR)) {
				host_info *h = host_new(name);
				scan_host(s, h, hd);
				g_ptr_array_add(hosts, h);
			}
			g_free(hd);
		}
		g_dir_close(d);
	}
	if (s->avail != NULL) {
		GPtrArray *known = rp_avail_hosts(s->avail);
		for (guint i = 0; i < known->len; i++) {
			gboolean have = FALSE;
			for (guint j = 0; !have && j < hosts->len; j++)
				have = strcmp(((host_info *)hosts->pdata[j])->name,
					      known->pdata[i]) == 0;
			if (!have)
				g_ptr_array_add(hosts, host_new(known->pdata[i]));
		}
		g_ptr_array_unref(known);
	}
	for (guint i = 0; i < hosts->len; i++) {
		host_info *h = hosts->pdata[i];
		load_inventory(s, h);
		/* Interfaces with traffic files but no inventory entry. */
		for (guint j = 0; j < h->files->len; j++) {
			rrd_entry *e = h->files->pdata[j];
			iface *f = NULL;
			if (strcmp(e->type, "if_octets") != 0 || e->tinst[0] == '\0')
				continue;
			for (guint k = 0; f == NULL && k < h->ifaces->len; k++)
				if (strcmp(((iface *)h->ifaces->pdata[k])->name,
					   e->tinst) == 0)
					f = h->ifaces->pdata[k];
			if (f == NULL) {
				f = g_new0(iface, 1);
				f->name = g_strdup(e->tinst);
				f->speed_mbps = NAN;
				g_ptr_array_add(h->ifaces, f);
			}
			f->rrd = e->path;
		}
	}
	g_ptr_array_sort(hosts, cmp_host);
	return hosts;
}

/* ------------------------------------------------------------------ */
/* Graphs                                                              */

static gboolean mkdirs(const char *dir, GError **err)
{
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_set_error(err, RP_ERROR, 6, "cannot create %s: %s", dir,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static char *image_rel(const rrd_entry *e, const period *p, const char *ext)
{
	char *pd = rp_slug(e->plugindir), *b = rp_slug(e->base);
	char *rel = g_strdup_printf("img/%s/%s-%s.%s", pd, b, p->name, ext);

	g_free(pd);
	g_free(b);
	return rel;
}

static void draw_graphs(rp_site *s, host_info *h, gint64 now)
{
	const char *ext = strcmp(s->imgformat, "SVG") == 0 ? "svg" : "png";
	char *hostdir = g_build_filename(s->out_dir, "hosts", h->slug, NULL);

	for (guint i = 0; i < h->files->len; i++) {
		rrd_entry *e = h->files->pdata[i];
		rp_graph_src src = { e->path, e->dir, h->name, e->plugin,
				     e->pinst, e->type, e->tinst };
		GPtrArray *files;
		gint64 last = -1;

		if (g_atomic_int_get(&s->cancel))
			break;
		if (e->def == NULL)
			continue;
		files = rp_graphdef_files(e->def, &src);
		for (guint k = 0; k < files->len; k++)
			last = MAX(last, rp_rrd_last(files->pdata[k]));
		g_ptr_array_unref(files);
		for (guint k = 0; k < G_N_ELEMENTS(periods) &&
				  !g_atomic_int_get(&s->cancel);
		     k++) {
			const period *p = &periods[k];
			char *rel = image_rel(e, p, ext);
			char *out = g_build_filename(hostdir, rel, NULL);
			char *dir = g_path_get_dirname(out);
			gint64 *known = g_hash_table_lookup(s->drawn_last, out);
			struct stat st;
			gboolean exists = stat(out, &st) == 0;
			gboolean fresh;
			GError *err = NULL;
			char **argv;

			/* Unchanged data (or too young an image) and not
			 * older than the definitions: keep it. */
			fresh = exists && (gint64)st.st_mtime >= s->defs->mtime &&
				(known != NULL ? *known == last
					       : (gint64)st.st_mtime >= last);
			if (exists && !fresh && p->min_age > 0 &&
			    now - (gint64)st.st_mtime < p->min_age &&
			    (gint64)st.st_mtime >= s->defs->mtime)
				fresh = TRUE;
			if (fresh) {
				e->drawn[k] = TRUE;
				g_mutex_lock(&s->lock);
				s->skipped++;
				g_mutex_unlock(&s->lock);
			} else if (!mkdirs(dir, &err) ||
				   (argv = rp_graph_args(e->def, &src, out,
							 p->seconds, p->label,
							 s->width, s->height,
							 s->imgformat, &err)) ==
					   NULL) {
				set_error(s, err->message);
				g_error_free(err);
			} else {
				if (rp_graph_draw_atomic(argv, out, NULL, &err)) {
					gint64 *v = g_new(gint64, 1);
					*v = last;
					g_hash_table_replace(s->drawn_last,
							     g_strdup(out), v);
					e->drawn[k] = TRUE;
					g_mutex_lock(&s->lock);
					s->drawn++;
					g_mutex_unlock(&s->lock);
				} else {
					set_error(s, err->message);
					g_error_free(err);
					e->drawn[k] = exists;
				}
				g_strfreev(argv);
			}
			g_free(dir);
			g_free(out);
			g_free(rel);
		}
	}
	g_free(hostdir);
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */

static gboolean write_page(rp_site *s, const char *path, GString *page,
			   GError **err)
{
	char *dir = g_path_get_dirname(path);
	gboolean ok = mkdirs(dir, err) &&
		      g_file_set_contents(path, page->str, (gssize)page->len,
					  err);

	g_free(dir);
	if (ok) {
		g_mutex_lock(&s->lock);
		s->pages++;
		g_mutex_unlock(&s->lock);
	}
	return ok;
}

static const char *state_class(int code)
{
	return code == 0 ? "up" : code == 2 ? "down" : "unknown";
}

static const char *state_word(int code)
{
	return code == 0 ? "up" : code == 2 ? "down" : "unknown";
}

/* Services that tell reachability, in order of preference. */
static const char *const reach_services[] = { "ping", "snmp", NULL };

static void state_badges(rp_site *s, GString *out, const host_info *h)
{
	gboolean any = FALSE;

	for (guint i = 0; s->avail != NULL && reach_services[i] != NULL; i++) {
		gint64 since = 0;
		int code = rp_avail_current(s->avail, h->name,
					    reach_services[i], &since);
		char tbuf[64];
		if (code == -1 && since == 0)
			continue;
		g_string_append_printf(out, "<span class=\"st %s\" title=\"since"
				       " %s\">%s %s</span> ", state_class(code),
				       rp_format_time(since / G_USEC_PER_SEC,
						      tbuf, sizeof tbuf),
				       reach_services[i], state_word(code));
		any = TRUE;
	}
	if (!any)
		g_string_append(out, "<span class=\"st unknown\">no state"
			       "</span>");
}

static void avail_cells(rp_site *s, GString *out, const host_info *h,
			gint64 now)
{
	static const gint64 spans[] = { 86400, 7 * 86400, 30 * 86400 };
	const char *svc = NULL;

	for (guint i = 0; s->avail != NULL && reach_services[i] != NULL; i++) {
		if (rp_avail_ratio(s->avail, h->name, reach_services[i], 0,
				   G_MAXINT64) >= 0) {
			svc = reach_services[i];
			break;
		}
	}
	for (guint i = 0; i < G_N_ELEMENTS(spans); i++) {
		double r = svc == NULL ? -1 :
			   rp_avail_ratio(s->avail, h->name, svc,
					  (now - spans[i]) * G_USEC_PER_SEC,
					  now * G_USEC_PER_SEC);
		if (r < 0)
			g_string_append(out, "<td class=\"num muted\">\xe2\x80\x93</td>");
		else
			g_string_append_printf(out, "<td class=\"num\">%.2f%%</td>",
					       r * 100.0);
	}
}

static void header(rp_site *s, GString *out, const char *heading,
		   const char *prefix)
{
	g_string_append(out, "<header><h1>");
	rp_html_escape_append(out, heading);
	g_string_append_printf(out, "</h1><nav><a href=\"%sindex.html\">Hosts"
			       "</a><a href=\"%sinterfaces.html\">Interfaces</a>"
			       "</nav></header>\n", prefix, prefix);
	(void)s;
}

/* One JSON value as text: strings as they are, µs times as dates. */
static char *json_cell(const char *key, JsonNode *n)
{
	if (JSON_NODE_TYPE(n) != JSON_NODE_VALUE)
		return json_to_string(n, FALSE);
	switch (json_node_get_value_type(n)) {
	case G_TYPE_STRING:
		return g_strdup(json_node_get_string(n));
	case G_TYPE_INT64: {
		gint64 v = json_node_get_int(n);
		char buf[64];
		if (strstr(key, "time") != NULL && v > G_GINT64_CONSTANT(100000000000000))
			return g_strdup(rp_format_time(v / G_USEC_PER_SEC, buf,
						       sizeof buf));
		if (strstr(key, "time") != NULL && v > 100000000)
			return g_strdup(rp_format_time(v, buf, sizeof buf));
		return g_strdup_printf("%" G_GINT64_FORMAT, v);
	}
	case G_TYPE_DOUBLE:
		return g_strdup_printf("%.6g", json_node_get_double(n));
	case G_TYPE_BOOLEAN:
		return g_strdup(json_node_get_boolean(n) ? "yes" : "no");
	default:
		return g_strdup("");
	}
}

gboolean rp_json_table(GString *out, const char *json, guint max_rows)
{
	JsonParser *parser = json_parser_new();
	JsonNode *root;
	JsonArray *arr = NULL;
	GPtrArray *cols;
	guint n;

	if (json == NULL || !json_parser_load_from_data(parser, json, -1, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL) {
		g_object_unref(parser);
		return FALSE;
	}
	if (JSON_NODE_HOLDS_ARRAY(root)) {
		arr = json_node_get_array(root);
	} else if (JSON_NODE_HOLDS_OBJECT(root)) {
		JsonObject *o = json_node_get_object(root);
		GList *members = json_object_get_members(o);
		for (GList *l = members; l != NULL && arr == NULL; l = l->next) {
			JsonNode *m = json_object_get_member(o, l->data);
			if (JSON_NODE_HOLDS_ARRAY(m))
				arr = json_node_get_array(m);
		}
		g_list_free(members);
	}
	if (arr == NULL) {
		g_object_unref(parser);
		return FALSE;
	}
	n = MIN(json_array_get_length(arr), max_rows);
	cols = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < n && cols->len < 8; i++) {
		JsonNode *e = json_array_get_element(arr, i);
		GList *members;
		if (!JSON_NODE_HOLDS_OBJECT(e))
			continue;
		members = json_object_get_members(json_node_get_object(e));
		for (GList *l = members; l != NULL && cols->len < 8; l = l->next)
			if (!g_ptr_array_find_with_equal_func(cols, l->data,
							      g_str_equal, NULL))
				g_ptr_array_add(cols, g_strdup(l->data));
		g_list_free(members);
	}
	g_string_append(out, "<div class=\"scroll\"><table><tr>");
	for (guint c = 0; c < cols->len; c++) {
		g_string_append(out, "<th>");
		rp_html_escape_append(out, cols->pdata[c]);
		g_string_append(out, "</th>");
	}
	g_string_append(out, "</tr>\n");
	for (guint i = 0; i < n; i++) {
		JsonNode *e = json_array_get_element(arr, i);
		JsonObject *o;
		if (!JSON_NODE_HOLDS_OBJECT(e))
			continue;
		o = json_node_get_object(e);
		g_string_append(out, "<tr>");
		for (guint c = 0; c < cols->len; c++) {
			JsonNode *v = json_object_get_member(o, cols->pdata[c]);
			char *text = v != NULL ? json_cell(cols->pdata[c], v)
					       : g_strdup("");
			g_string_append(out, "<td>");
			rp_html_escape_append(out, text);
			g_string_append(out, "</td>");
			g_free(text);
		}
		g_string_append(out, "</tr>\n");
	}
	if (n == 0)
		g_string_append_printf(out, "<tr><td class=\"muted\">none</td>"
				       "</tr>\n");
	g_string_append(out, "</table></div>\n");
	g_ptr_array_unref(cols);
	g_object_unref(parser);
	return TRUE;
}

static gboolean write_index(rp_site *s, GPtrArray *hosts, gint64 now,
			    const rp_extras *extras, GError **err)
{
	GString *out = g_string_new(NULL);
	char *path = g_build_filename(s->out_dir, "index.html", NULL);
	guint up = 0, down = 0;
	gboolean ok;
	GString *section = g_string_new(NULL);

	rp_html_begin(out, s->title, s->refresh, "style.css");
	header(s, out, s->title, "");
	for (guint i = 0; i < hosts->len; i++) {
		host_info *h = hosts->pdata[i];
		for (guint j = 0; s->avail != NULL && reach_services[j] != NULL;
		     j++) {
			int c = rp_avail_current(s->avail, h->name,
						 reach_services[j], NULL);
			if (c == -1)
				continue;
			if (c == 0)
				up++;
			else if (c == 2)
				down++;
			break;
		}
	}
	g_string_append_printf(out, "<p>%u hosts: %u up, %u down, %u without "
			       "state.</p>\n", hosts->len, up, down,
			       hosts->len - up - down);
	g_string_append(out, "<h2>Hosts</h2>\n<div class=\"scroll\"><table>"
		       "<tr><th>Host</th><th>sysName</th><th>State</th>"
		       "<th>Avail. day</th><th>week</th><th>month</th>"
		       "<th>Last update</th><th>Description</th></tr>\n");
	for (guint i = 0; i < hosts->len; i++) {
		host_info *h = hosts->pdata[i];
		char tbuf[64];
		g_string_append_printf(out, "<tr><td><a href=\"hosts/%s/day.html"
				       "\">", h->slug);
		rp_html_escape_append(out, h->name);
		g_string_append(out, "</a></td><td>");
		rp_html_escape_append(out, h->sys_name);
		g_string_append(out, "</td><td>");
		state_badges(s, out, h);
		g_string_append(out, "</td>");
		avail_cells(s, out, h, now);
		g_string_append_printf(out, "<td class=\"num\">%s</td><td>",
				       rp_format_time(h->last, tbuf, sizeof tbuf));
		rp_html_escape_append(out, h->sys_descr);
		g_string_append(out, "</td></tr>\n");
	}
	g_string_append(out, "</table></div>\n");
	if (extras != NULL && rp_json_table(section, extras->events_json, 20)) {
		g_string_append(out, "<h2>Recent events</h2>\n");
		g_string_append_len(out, section->str, (gssize)section->len);
	}
	g_string_truncate(section, 0);
	if (extras != NULL && rp_json_table(section, extras->flows_json, 20)) {
		g_string_append(out, "<h2>Top talkers</h2>\n");
		g_string_append_len(out, section->str, (gssize)section->len);
	}
	g_string_free(section, TRUE);
	rp_html_end(out, now);
	ok = write_page(s, path, out, err);
	g_string_free(out, TRUE);
	g_free(path);
	return ok;
}

static gboolean write_host(rp_site *s, host_info *h, gint64 now, GError **err)
{
	const char *ext = strcmp(s->imgformat, "SVG") == 0 ? "svg" : "png";

	for (guint k = 0; k < G_N_ELEMENTS(periods); k++) {
		const period *p = &periods[k];
		GString *out = g_string_new(NULL);
		char *path, *title, *fname, tbuf[64];
		const char *group = NULL;
		gboolean ok, any = FALSE;

		title = g_strdup_printf("%s \xe2\x80\x94 %s", h->name, p->label);
		rp_html_begin(out, title, s->refresh, "../../style.css");
		header(s, out, h->name, "../../");
		g_free(title);
		g_string_append(out, "<nav>");
		for (guint j = 0; j < G_N_ELEMENTS(periods); j++) {
			if (j == k)
				g_string_append_printf(out, "<strong>%s</strong> ",
						       periods[j].name);
			else
				g_string_append_printf(out, "<a href=\"%s.html\">"
						       "%s</a>", periods[j].name,
						       periods[j].name);
		}
		g_string_append(out, "</nav>\n<div class=\"scroll\"><table>");
		if (h->sys_name != NULL) {
			g_string_append(out, "<tr><th>sysName</th><td>");
			rp_html_escape_append(out, h->sys_name);
			g_string_append(out, "</td></tr>");
		}
		if (h->sys_descr != NULL) {
			g_string_append(out, "<tr><th>sysDescr</th><td>");
			rp_html_escape_append(out, h->sys_descr);
			g_string_append(out, "</td></tr>");
		}
		g_string_append(out, "<tr><th>State</th><td>");
		state_badges(s, out, h);
		g_string_append_printf(out, "</td></tr><tr><th>Last update</th>"
				       "<td>%s</td></tr></table></div>\n",
				       rp_format_time(h->last, tbuf, sizeof tbuf));
		g_string_append(out, "<h2>Availability</h2><div class=\"scroll\">"
			       "<table><tr><th>day</th><th>week</th>"
			       "<th>month</th></tr><tr>");
		avail_cells(s, out, h, now);
		g_string_append(out, "</tr></table></div>\n");
		for (guint i = 0; i < h->files->len; i++) {
			rrd_entry *e = h->files->pdata[i];
			char *rel;
			if (e->def == NULL || !e->drawn[k])
				continue;
			if (group == NULL || strcmp(group, e->plugindir) != 0) {
				if (group != NULL)
					g_string_append(out, "</div>\n");
				group = e->plugindir;
				g_string_append(out, "<h2>");
				rp_html_escape_append(out, group);
				g_string_append(out, "</h2>\n<div class=\"graphs\">");
			}
			rel = image_rel(e, p, ext);
			g_string_append_printf(out, "<div class=\"graph\"><img src="
					       "\"%s\" alt=\"", rel);
			rp_html_escape_append(out, e->base);
			g_string_append(out, "\"></div>\n");
			g_free(rel);
			any = TRUE;
		}
		if (group != NULL)
			g_string_append(out, "</div>\n");
		if (!any)
			g_string_append(out, "<p class=\"muted\">No graphs.</p>\n");
		rp_html_end(out, now);
		fname = g_strconcat(p->name, ".html", NULL);
		path = g_build_filename(s->out_dir, "hosts", h->slug, fname, NULL);
		ok = write_page(s, path, out, err);
		g_free(fname);
		g_free(path);
		g_string_free(out, TRUE);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* Rates (octets/s) of the last row with data in the last 15 minutes. */
static gboolean last_rates(const char *file, gint64 now, double *rx,
			   double *tx)
{
	time_t start = (time_t)(now - 900), end = (time_t)now;
	unsigned long step = 0, n = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;
	int irx = -1, itx = -1;
	gboolean found = FALSE;

	*rx = *tx = NAN;
	if (rrd_fetch_r(file, "AVERAGE", &start, &end, &step, &n, &names,
			&data) != 0) {
		rrd_clear_error();
		return FALSE;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (strcmp(names[i], "rx") == 0)
			irx = (int)i;
		else if (strcmp(names[i], "tx") == 0)
			itx = (int)i;
	}
	if (step > 0 && irx >= 0 && itx >= 0) {
		unsigned long rows = (unsigned long)(end - start) / step;
		for (unsigned long r = rows; r-- > 0 && !found;) {
			double a = data[r * n + (unsigned long)irx];
			double b = data[r * n + (unsigned long)itx];
			if (!isnan(a) || !isnan(b)) {
				*rx = a;
				*tx = b;
				found = TRUE;
			}
		}
	}
	for (unsigned long i = 0; i < n; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return found;
}

static gboolean write_interfaces(rp_site *s, GPtrArray *hosts, gint64 now,
				 GError **err)
{
	GString *out = g_string_new(NULL);
	char *path = g_build_filename(s->out_dir, "interfaces.html", NULL);
	gboolean ok, any = FALSE;

	rp_html_begin(out, "Interfaces", s->refresh, "style.css");
	header(s, out, "Interfaces", "");
	for (guint i = 0; i < hosts->len; i++) {
		host_info *h = hosts->pdata[i];
		if (h->ifaces->len == 0)
			continue;
		any = TRUE;
		g_string_append_printf(out, "<h2><a href=\"hosts/%s/day.html\">",
				       h->slug);
		rp_html_escape_append(out, h->name);
		g_string_append(out, "</a></h2>\n<div class=\"scroll\"><table>"
			       "<tr><th>Name</th><th>Alias</th><th>Speed</th>"
			       "<th>Status</th><th>In</th><th>Out</th>"
			       "<th>Use</th></tr>\n");
		for (guint j = 0; j < h->ifaces->len; j++) {
			iface *f = h->ifaces->pdata[j];
			double rx = NAN, tx = NAN;
			char b1[48], b2[48], b3[48];
			const char *st = f->oper_status;
			if (f->rrd != NULL)
				(void)last_rates(f->rrd, now, &rx, &tx);
			rx *= 8.0;
			tx *= 8.0;
			g_string_append(out, "<tr><td>");
			rp_html_escape_append(out, f->name);
			g_string_append(out, "</td><td>");
			rp_html_escape_append(out, f->alias);
			g_string_append_printf(out, "</td><td class=\"num\">%s"
					       "</td><td>",
					       isnan(f->speed_mbps) ? "\xe2\x80\x93"
					       : rp_format_bits(f->speed_mbps * 1e6,
								b3, sizeof b3));
			if (st != NULL) {
				g_string_append_printf(out, "<span class=\"st %s\">",
						       strcmp(st, "up") == 0 ? "up" :
						       strcmp(st, "down") == 0 ? "down"
									       : "unknown");
				rp_html_escape_append(out, st);
				g_string_append(out, "</span>");
			}
			g_string_append_printf(out, "</td><td class=\"num\">%s</td>"
					       "<td class=\"num\">%s</td>",
					       rp_format_bits(rx, b1, sizeof b1),
					       rp_format_bits(tx, b2, sizeof b2));
			if (!isnan(f->speed_mbps) && f->speed_mbps > 0 &&
			    (!isnan(rx) || !isnan(tx)))
				g_string_append_printf(out, "<td class=\"num\">"
						       "%.1f%%</td></tr>\n",
						       100.0 * fmax(isnan(rx) ? 0 : rx,
								    isnan(tx) ? 0 : tx) /
							       (f->speed_mbps * 1e6));
			else
				g_string_append(out, "<td class=\"num muted\">"
					       "\xe2\x80\x93</td></tr>\n");
		}
		g_string_append(out, "</table></div>\n");
	}
	if (!any)
		g_string_append(out, "<p class=\"muted\">No interfaces known."
			       "</p>\n");
	rp_html_end(out, now);
	ok = write_page(s, path, out, err);
	g_string_free(out, TRUE);
	g_free(path);
	return ok;
}

void rp_site_cancel(rp_site *s)
{
	g_atomic_int_set(&s->cancel, 1);
}

gboolean rp_site_generate(rp_site *s, gint64 now, const rp_extras *extras,
			  GError **err)
{
	gint64 t0 = g_get_monotonic_time();
	GPtrArray *hosts;
	char *css;
	gboolean ok;

	if (!mkdirs(s->out_dir, err))
		return FALSE;
	css = g_build_filename(s->out_dir, "style.css", NULL);
	ok = g_file_set_contents(css, rp_html_css(), -1, err);
	g_free(css);
	if (!ok)
		return FALSE;
	hosts = scan(s);
	for (guint i = 0; ok && i < hosts->len; i++) {
		draw_graphs(s, hosts->pdata[i], now);
		/* Cancelled (shutdown): the pages not reached stay as the
		 * previous run wrote them; a host page is not rewritten with
		 * graphs this run did not draw. */
		if (g_atomic_int_get(&s->cancel)) {
			g_ptr_array_unref(hosts);
			return TRUE;
		}
		ok = write_host(s, hosts->pdata[i], now, err);
	}
	ok = ok && write_interfaces(s, hosts, now, err) &&
	     write_index(s, hosts, now, extras, err);
	g_ptr_array_unref(hosts);
	if (s->avail != NULL)
		rp_avail_touch(s->avail);
	g_mutex_lock(&s->lock);
	s->runs++;
	s->last_duration_us = g_get_monotonic_time() - t0;
	g_mutex_unlock(&s->lock);
	return ok;
}
