/* netmon — the "alert" plugin: STATE in, NOTIFICATION out.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Per host/service: soft/hard states with max attempts, notifications on
 * hard changes only, re-notification interval, recovery, Nagios flap
 * detection (engine.c), host-down and parent-down suppression, acks and
 * silences (`netmonctl ack`, `silence`, `alerts`). State lives in SQLite
 * (state_dir/alert.db, or `database`), written before a notification is
 * handed to the notifiers, so a restart neither loses an open problem nor
 * notifies it again. Notifiers run on one thread of their own, in order:
 * exec (argv, no shell, NETMON_* environment variables), webhook
 * (libcurl POST of a JSON object, retries with doubling back-off), email
 * (RFC 5322 message into a sendmail-compatible program) and syslog
 * (RFC 5424 over UDP, or syslog(3)); see notifiers.h. With group_by set,
 * notifications of one group key within group_wait go out as one
 * (group.h). Recurring maintenance windows (maint.h) silence like
 * `netmonctl silence`.
 */
#include <string.h>
#include <syslog.h>
#include <sqlite3.h>
#include <curl/curl.h>

#include <netmon/plugin.h>

#include "engine.h"
#include "group.h"
#include "maint.h"
#include "notice.h"
#include "notifiers.h"
#include "runner.h"

extern char **environ;

typedef al_notice notice;

typedef struct {
	char *type;          /* "exec" | "webhook" | "email" | "syslog" */
	char **argv;         /* exec */
	char *url;           /* webhook */
	guint retries;
	gint64 timeout, backoff;
	char **to;           /* email: recipients */
	char *from, *sendmail; /* email */
	char *server;        /* syslog: UDP server, NULL = syslog(3) */
	guint16 port;        /* syslog */
	int facility;        /* syslog */
} notifier;

typedef struct {
	char *matcher;       /* glob on "host/service" */
	GPatternSpec *spec;
	gint64 until;        /* µs since epoch */
	char *comment;
} silence;

typedef struct {
	nm_plugin *p;
	al_conf conf;
	char *host_service;
	GHashTable *parents;   /* host -> parent */
	GMutex lock;
	GHashTable *checks;    /* "host/service" -> al_check* */
	GPtrArray *silences;   /* silence* */
	sqlite3 *db;
	sqlite3_stmt *st_save;  /* prepared once (lock held to use) */
	guint64 next_id;
	GPtrArray *notifiers;  /* notifier* */
	GAsyncQueue *queue;    /* notice*; NULL notice item = stop */
	GThread *thread;
	al_grouper *grouper;   /* NULL: no grouping (notifier thread only) */
	char *group_by;
	GPtrArray *windows;    /* al_window*, maintenance */
	nm_counter *c_states, *c_sent, *c_suppressed, *c_failed;
	nm_counter *c_grouped, *c_deduplicated;
} alert;

static notice *const STOP = (notice *)&STOP;

static void notice_free(notice *n)
{
	al_notice_free(n);
}

/* ------------------------------------------------------------ store */

static gboolean db_exec(alert *a, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(a->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		NM_ERROR(a->p, "sqlite: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return FALSE;
	}
	return TRUE;
}

static void db_save(alert *a, const al_check *c)
{
	sqlite3_stmt *st;
	static const char sql[] =
		"INSERT OR REPLACE INTO checks(host, service, code, hard_code, attempt,"
		" alert_id, notified_code, last_notified, acked, ack_author, ack_comment,"
		" flapping, hist, output) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

	/* prepared once: parsing the SQL each time was most of the cost */
	if (a->st_save == NULL &&
	    sqlite3_prepare_v2(a->db, sql, -1, &a->st_save, NULL) != SQLITE_OK) {
		NM_ERROR(a->p, "sqlite: %s", sqlite3_errmsg(a->db));
		a->st_save = NULL;
		return;
	}
	st = a->st_save;
	sqlite3_bind_text(st, 1, c->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->service, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, c->code);
	sqlite3_bind_int(st, 4, c->hard_code);
	sqlite3_bind_int(st, 5, (int)c->attempt);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)c->alert_id);
	sqlite3_bind_int(st, 7, c->notified_code);
	sqlite3_bind_int64(st, 8, c->last_notified);
	sqlite3_bind_int(st, 9, c->acked);
	sqlite3_bind_text(st, 10, c->ack_author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->ack_comment, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, c->flapping);
	sqlite3_bind_blob(st, 13, c->hist, (int)c->hist_n, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, c->output, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		NM_ERROR(a->p, "sqlite: saving %s/%s: %s", c->host, c->service,
			 sqlite3_errmsg(a->db));
	if (sqlite3_reset(st) != SQLITE_OK || sqlite3_clear_bindings(st) != SQLITE_OK) {
		/* the step's error is reported above; the statement stays usable */
	}
}

static void db_log(alert *a, const notice *n)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(a->db, "INSERT INTO history(time, alert_id, host,"
			       " service, kind, code, output) VALUES(?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK) {
		NM_ERROR(a->p, "sqlite: %s", sqlite3_errmsg(a->db));
		return;
	}
	sqlite3_bind_int64(st, 1, n->time);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)n->id);
	sqlite3_bind_text(st, 3, n->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, al_kind_name(n->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, n->code);
	sqlite3_bind_text(st, 7, n->output, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		NM_ERROR(a->p, "sqlite: history: %s", sqlite3_errmsg(a->db));
	sqlite3_finalize(st);
}

static gboolean db_open(alert *a, const char *path, GError **err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "alert: %s: %s", path,
			    a->db ? sqlite3_errmsg(a->db) : "cannot open");
		return FALSE;
	}
	if (sqlite3_busy_timeout(a->db, 5000) != SQLITE_OK ||
	    !db_exec(a, "PRAGMA journal_mode=WAL") ||
	    !db_exec(a, "CREATE TABLE IF NOT EXISTS checks(host TEXT, service TEXT,"
		     " code INT, hard_code INT, attempt INT, alert_id INT,"
		     " notified_code INT, last_notified INT, acked INT, ack_author TEXT,"
		     " ack_comment TEXT, flapping INT, hist BLOB, output TEXT,"
		     " PRIMARY KEY(host, service))") ||
	    !db_exec(a, "CREATE TABLE IF NOT EXISTS history(time INT, alert_id INT,"
		     " host TEXT, service TEXT, kind TEXT, code INT, output TEXT)") ||
	    !db_exec(a, "CREATE TABLE IF NOT EXISTS silences(matcher TEXT, until INT,"
		     " comment TEXT)")) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "alert: %s: cannot create tables", path);
		return FALSE;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT host, service, code, hard_code, attempt,"
			       " alert_id, notified_code, last_notified, acked, ack_author,"
			       " ack_comment, flapping, hist, output FROM checks", -1, &st,
			       NULL) != SQLITE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "alert: %s", sqlite3_errmsg(a->db));
		return FALSE;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		al_check *c = al_check_new((const char *)sqlite3_column_text(st, 0),
					   (const char *)sqlite3_column_text(st, 1));
		int hl = sqlite3_column_bytes(st, 12);
		c->code = sqlite3_column_int(st, 2);
		c->hard_code = sqlite3_column_int(st, 3);
		c->attempt = (guint)sqlite3_column_int(st, 4);
		c->alert_id = (guint64)sqlite3_column_int64(st, 5);
		c->notified_code = sqlite3_column_int(st, 6);
		c->last_notified = sqlite3_column_int64(st, 7);
		c->acked = sqlite3_column_int(st, 8);
		g_free(c->ack_author);
		c->ack_author = g_strdup((const char *)sqlite3_column_text(st, 9));
		g_free(c->ack_comment);
		c->ack_comment = g_strdup((const char *)sqlite3_column_text(st, 10));
		c->flapping = sqlite3_column_int(st, 11);
		c->hist_n = (guint)MIN(hl, AL_HISTORY);
		if (hl > 0)
			memcpy(c->hist, sqlite3_column_blob(st, 12), c->hist_n);
		g_free(c->output);
		c->output = g_strdup((const char *)sqlite3_column_text(st, 13));
		a->next_id = MAX(a->next_id, c->alert_id);
		g_hash_table_insert(a->checks, g_strdup_printf("%s/%s", c->host, c->service), c);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(a->db, "SELECT max(alert_id) FROM history", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			a->next_id = MAX(a->next_id, (guint64)sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(a->db, "SELECT matcher, until, comment FROM silences", -1,
			       &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			silence *s = g_new0(silence, 1);
			s->matcher = g_strdup((const char *)sqlite3_column_text(st, 0));
			s->spec = g_pattern_spec_new(s->matcher);
			s->until = sqlite3_column_int64(st, 1);
			s->comment = g_strdup((const char *)sqlite3_column_text(st, 2));
			g_ptr_array_add(a->silences, s);
		}
		sqlite3_finalize(st);
	}
	return TRUE;
}

/* ------------------------------------------------------------ notifiers */

static void notice_json_add(JsonBuilder *b, const notice *n)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, al_kind_name(n->kind));
	json_builder_set_member_name(b, "alert_id");
	json_builder_add_int_value(b, (gint64)n->id);
	json_builder_set_member_name(b, "host");
	json_builder_add_string_value(b, n->host);
	json_builder_set_member_name(b, "service");
	json_builder_add_string_value(b, n->service);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, nm_state_code_name(n->code));
	json_builder_set_member_name(b, "output");
	json_builder_add_string_value(b, n->output);
	json_builder_set_member_name(b, "author");
	json_builder_add_string_value(b, n->author);
	json_builder_set_member_name(b, "comment");
	json_builder_add_string_value(b, n->comment);
	json_builder_set_member_name(b, "time");
	json_builder_add_int_value(b, n->time / G_USEC_PER_SEC);
	json_builder_end_object(b);
}

/* The webhook body: one notice as an object, or with grouping on
 * ({group}) {"group": KEY, "count": N, "alerts": [objects]}. */
static char *batch_json(const GPtrArray *batch, const char *group)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *s;

	if (group == NULL) {
		notice_json_add(b, g_ptr_array_index(batch, 0));
	} else {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "group");
		json_builder_add_string_value(b, group);
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, batch->len);
		json_builder_set_member_name(b, "alerts");
		json_builder_begin_array(b);
		for (guint i = 0; i < batch->len; i++)
			notice_json_add(b, g_ptr_array_index(batch, i));
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	s = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return s;
}

static gboolean send_exec(alert *a, notifier *nf, const GPtrArray *batch,
			  const char *group)
{
	const notice *n = g_ptr_array_index(batch, 0);
	char **env = g_get_environ();
	char cbuf[16];
	GString *all = g_string_new(NULL);
	char idbuf[32], tbuf[32];
	nm_exec_result r;
	GError *e = NULL;
	gboolean ok;

	g_snprintf(idbuf, sizeof idbuf, "%" G_GUINT64_FORMAT, n->id);
	g_snprintf(tbuf, sizeof tbuf, "%" G_GINT64_FORMAT, n->time / G_USEC_PER_SEC);
	env = g_environ_setenv(env, "NETMON_KIND", al_kind_name(n->kind), TRUE);
	env = g_environ_setenv(env, "NETMON_ALERT_ID", idbuf, TRUE);
	env = g_environ_setenv(env, "NETMON_HOST", n->host, TRUE);
	env = g_environ_setenv(env, "NETMON_SERVICE", n->service, TRUE);
	env = g_environ_setenv(env, "NETMON_STATE", nm_state_code_name(n->code), TRUE);
	env = g_environ_setenv(env, "NETMON_OUTPUT", n->output, TRUE);
	env = g_environ_setenv(env, "NETMON_AUTHOR", n->author, TRUE);
	env = g_environ_setenv(env, "NETMON_COMMENT", n->comment, TRUE);
	env = g_environ_setenv(env, "NETMON_TIME", tbuf, TRUE);
	/* a group: the first notice above, all of them one per line here */
	g_snprintf(cbuf, sizeof cbuf, "%u", batch->len);
	for (guint i = 0; i < batch->len; i++) {
		char *l = al_notice_line(g_ptr_array_index(batch, i));
		g_string_append_printf(all, "%s%s", i ? "\n" : "", l);
		g_free(l);
	}
	env = g_environ_setenv(env, "NETMON_COUNT", cbuf, TRUE);
	env = g_environ_setenv(env, "NETMON_GROUP", group ? group : "", TRUE);
	env = g_environ_setenv(env, "NETMON_NOTIFICATIONS", all->str, TRUE);
	g_string_free(all, TRUE);
	ok = nm_exec_run(nf->argv, env, nf->timeout, G_USEC_PER_SEC, 65536, &r, &e);
	g_strfreev(env);
	if (!ok) {
		NM_ERROR(a->p, "exec notifier: %s", e->message);
		g_error_free(e);
		return FALSE;
	}
	ok = r.exit_status == 0;
	if (!ok)
		NM_WARNING(a->p, "exec notifier %s: exit %d signal %d%s", nf->argv[0],
			   r.exit_status, r.term_signal, r.timed_out ? " (timed out)" : "");
	nm_exec_result_clear(&r);
	return ok;
}

static gboolean send_webhook(alert *a, notifier *nf, const GPtrArray *batch,
			     const char *group)
{
	char *body = batch_json(batch, group);
	gint64 wait = nf->backoff;
	gboolean ok = FALSE;

	for (guint attempt = 0; attempt <= nf->retries && !ok; attempt++) {
		CURL *cu = curl_easy_init();
		struct curl_slist *h = NULL;
		CURLcode rc;
		long status = 0;

		if (cu == NULL)
			break;
		h = curl_slist_append(h, "Content-Type: application/json");
		if (curl_easy_setopt(cu, CURLOPT_URL, nf->url) != CURLE_OK ||
		    curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
		    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h) != CURLE_OK ||
		    curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
		    curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS,
				     (long)(nf->timeout / 1000)) != CURLE_OK) {
			NM_ERROR(a->p, "webhook: curl setup failed");
			curl_slist_free_all(h);
			curl_easy_cleanup(cu);
			break;
		}
		rc = curl_easy_perform(cu);
		if (rc == CURLE_OK &&
		    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status >= 200 && status < 300)
			ok = TRUE;
		else
			NM_WARNING(a->p, "webhook %s: %s (HTTP %ld), attempt %u of %u",
				   nf->url, rc != CURLE_OK ? curl_easy_strerror(rc) : "status",
				   status, attempt + 1, nf->retries + 1);
		curl_slist_free_all(h);
		curl_easy_cleanup(cu);
		if (!ok && attempt < nf->retries) {
			g_usleep((gulong)wait);
			wait *= 2;
		}
	}
	g_free(body);
	return ok;
}

static gboolean send_email(alert *a, notifier *nf, const GPtrArray *batch,
			   const char *group)
{
	char *msg = al_email_message(nf->from, nf->to, batch, group ? group : "",
				     g_get_real_time());
	char *argv[] = { nf->sendmail, (char *)"-oi", (char *)"-t", NULL };
	nm_exec_result r;
	GError *e = NULL;
	gboolean ok;

	ok = nm_exec_run_input(argv, NULL, msg, strlen(msg), nf->timeout,
			       G_USEC_PER_SEC, 65536, &r, &e);
	g_free(msg);
	if (!ok) {
		NM_ERROR(a->p, "email notifier: %s", e->message);
		g_error_free(e);
		return FALSE;
	}
	ok = r.exit_status == 0;
	if (!ok)
		NM_WARNING(a->p, "email notifier %s: exit %d signal %d%s: %.200s",
			   nf->sendmail, r.exit_status, r.term_signal,
			   r.timed_out ? " (timed out)" : "", r.output);
	nm_exec_result_clear(&r);
	return ok;
}

static gboolean send_syslog(alert *a, notifier *nf, const GPtrArray *batch,
			    const char *group)
{
	char *text = al_syslog_text(batch, group);
	int sev = al_syslog_severity(batch);
	gboolean ok = TRUE;

	if (nf->server == NULL) {
		/* the local syslog daemon; no openlog(): no global state */
		syslog(LOG_MAKEPRI(nf->facility << 3, sev), "netmon alert: %s", text);
	} else {
		char *dg = al_syslog_rfc5424(nf->facility, sev, g_get_host_name(), text,
					     g_get_real_time());
		GError *e = NULL;

		ok = al_syslog_send_udp(nf->server, nf->port, dg, &e);
		if (!ok) {
			NM_WARNING(a->p, "syslog notifier %s:%u: %s", nf->server,
				   nf->port, e->message);
			g_error_free(e);
		}
		g_free(dg);
	}
	g_free(text);
	return ok;
}

/* Hand one batch (a single notice, or a group) to every notifier. */
static void send_batch(alert *a, const GPtrArray *batch, const char *group)
{
	for (guint i = 0; i < a->notifiers->len; i++) {
		notifier *nf = g_ptr_array_index(a->notifiers, i);
		gboolean ok;

		if (strcmp(nf->type, "exec") == 0)
			ok = send_exec(a, nf, batch, group);
		else if (strcmp(nf->type, "webhook") == 0)
			ok = send_webhook(a, nf, batch, group);
		else if (strcmp(nf->type, "email") == 0)
			ok = send_email(a, nf, batch, group);
		else
			ok = send_syslog(a, nf, batch, group);
		nm_counter_add(ok ? a->c_sent : a->c_failed, 1);
	}
}

static void send_groups(alert *a, GPtrArray *groups)
{
	for (guint i = 0; i < groups->len; i++) {
		al_group *g = g_ptr_array_index(groups, i);
		nm_counter_add(a->c_grouped, g->notices->len);
		nm_counter_add(a->c_deduplicated, g->dropped);
		send_batch(a, g->notices, g->key);
	}
	g_ptr_array_unref(groups);
}

static gpointer notify_thread(gpointer data)
{
	alert *a = data;

	for (;;) {
		gint64 due = a->grouper ? al_grouper_next_due(a->grouper) : G_MAXINT64;
		notice *n;

		if (due == G_MAXINT64) {
			n = g_async_queue_pop(a->queue);
		} else {
			gint64 w = due - g_get_monotonic_time();
			n = w > 0 ? g_async_queue_timeout_pop(a->queue, (guint64)w)
				  : g_async_queue_try_pop(a->queue);
		}
		if (n == STOP) {
			if (a->grouper)   /* nothing pending is lost at shutdown */
				send_groups(a, al_grouper_take(a->grouper, 0, TRUE));
			break;
		}
		if (n != NULL && a->grouper != NULL) {
			al_grouper_add(a->grouper, n, g_get_monotonic_time());
		} else if (n != NULL) {
			GPtrArray *one = g_ptr_array_new();
			g_ptr_array_add(one, n);
			send_batch(a, one, NULL);
			g_ptr_array_unref(one);
			notice_free(n);
		}
		if (a->grouper)
			send_groups(a, al_grouper_take(a->grouper, g_get_monotonic_time(), FALSE));
	}
	return NULL;
}

/* ------------------------------------------------------------ logic */

static gboolean host_down(alert *a, const char *host, guint depth)
{
	char *key;
	al_check *hc;
	const char *parent;

	if (depth > 16 || a->host_service == NULL)
		return FALSE;
	key = g_strdup_printf("%s/%s", host, a->host_service);
	hc = g_hash_table_lookup(a->checks, key);
	g_free(key);
	if (hc != NULL && hc->hard_code != NM_STATE_OK)
		return TRUE;
	parent = g_hash_table_lookup(a->parents, host);
	return parent != NULL && host_down(a, parent, depth + 1);
}

static gboolean silenced(alert *a, const al_check *c, gint64 now)
{
	char *key = g_strdup_printf("%s/%s", c->host, c->service);
	gboolean r = FALSE;

	for (guint i = 0; i < a->silences->len && !r; i++) {
		silence *s = g_ptr_array_index(a->silences, i);
		r = s->until > now && g_pattern_spec_match_string(s->spec, key);
	}
	for (guint i = 0; i < a->windows->len && !r; i++) {
		al_window *w = g_ptr_array_index(a->windows, i);
		r = al_window_matches(w, c->host, c->service) && al_window_active(w, now);
	}
	g_free(key);
	return r;
}

/* Queue @kind for @c (lock held). */
static void emit(alert *a, al_check *c, al_kind kind, gint64 now,
		 const char *author, const char *comment)
{
	notice *n = al_notice_new(kind, c->alert_id, c->host, c->service,
				  kind == AL_RESOLVED ? NM_STATE_OK : c->hard_code,
				  c->output, author, comment, now);

	db_log(a, n);
	if (kind < AL_NONE) {     /* al_kind = nm_notify_kind up to here */
		nm_notification f = { .kind = (nm_notify_kind)kind, .alert_id = n->id,
				      .host = n->host, .service = n->service,
				      .code = n->code, .output = n->output,
				      .author = n->author, .comment = n->comment };
		nm_plugin_publish(a->p, nm_notification_new(&f, now));
	}
	NM_NOTICE(a->p, "%s %s/%s %s: %s", al_kind_name(kind), c->host, c->service,
		  nm_state_code_name(n->code), c->output);
	g_async_queue_push(a->queue, n);
}

/* Decide and send what @c calls for now (lock held). */
static void reconcile(alert *a, al_check *c, gint64 now)
{
	al_kind k = al_wanted(&a->conf, c, now);
	gboolean is_host = a->host_service && strcmp(c->service, a->host_service) == 0;

	if (k == AL_NONE)
		return;
	if (c->flapping || silenced(a, c, now) ||
	    (!is_host && host_down(a, c->host, 0)) ||
	    (is_host && g_hash_table_lookup(a->parents, c->host) &&
	     host_down(a, g_hash_table_lookup(a->parents, c->host), 0))) {
		nm_counter_add(a->c_suppressed, 1);
		return;
	}
	al_sent(c, k, now, k == AL_OPENED ? ++a->next_id : 0);
	db_save(a, c);      /* persisted before it goes out */
	emit(a, c, k, now, NULL, NULL);
}

/* TRUE when what db_save() writes, the output aside, is unchanged. */
static gboolean same_persisted(const al_check *x, const al_check *y)
{
	return x->code == y->code && x->hard_code == y->hard_code &&
	       x->attempt == y->attempt && x->alert_id == y->alert_id &&
	       x->notified_code == y->notified_code &&
	       x->last_notified == y->last_notified && x->acked == y->acked &&
	       x->flapping == y->flapping && x->hist_n == y->hist_n &&
	       memcmp(x->hist, y->hist, sizeof x->hist) == 0;
}

/* TRUE for a check with nothing worth keeping across a restart: OK,
 * nothing notified or acknowledged, not flapping, only OK results in its
 * history (a shorter all-OK history gives the same flap percentage: no
 * state changes). Such a check is not rewritten while its history fills. */
static gboolean all_ok(const al_check *c)
{
	if (c->code != NM_STATE_OK || c->hard_code != NM_STATE_OK ||
	    c->notified_code != NM_STATE_OK || c->acked || c->flapping)
		return FALSE;
	for (guint i = 0; i < c->hist_n && i < AL_HISTORY; i++)
		if (c->hist[i] != NM_STATE_OK)
			return FALSE;
	return TRUE;
}

static void deliver(nm_msg *const *msgs, guint n, gpointer data)
{
	alert *a = data;
	gint64 now = g_get_real_time();

	g_mutex_lock(&a->lock);
	if (!db_exec(a, "BEGIN")) {
		g_mutex_unlock(&a->lock);
		return;
	}
	for (guint i = 0; i < n; i++) {
		const nm_state *s = nm_msg_as_state(msgs[i]);
		char *key;
		al_check *c;
		al_kind flap;

		if (s == NULL)
			continue;
		nm_counter_add(a->c_states, 1);
		key = g_strdup_printf("%s/%s", s->host, s->service);
		c = g_hash_table_lookup(a->checks, key);
		if (c == NULL) {
			c = al_check_new(s->host, s->service);
			g_hash_table_insert(a->checks, key, c);
		} else {
			g_free(key);
		}
		al_check before = *c;
		al_step(&a->conf, c, s->code, s->max_attempts, s->output, &flap);
		if (flap != AL_NONE)
			emit(a, c, flap, now, NULL, NULL);
		/* A check that stays OK with the same history need not be
		 * written again (its output text is not worth a row write per
		 * result); anything else is persisted before it can notify. */
		if (!(same_persisted(&before, c) || (all_ok(&before) && all_ok(c))) ||
		    c->hard_code != NM_STATE_OK || c->notified_code != NM_STATE_OK)
			db_save(a, c);
		reconcile(a, c, now);
	}
	db_exec(a, "COMMIT");
	g_mutex_unlock(&a->lock);
}

/* Re-notifications and ends of silences, once a second on the main loop. */
static nm_run_status tick(nm_plugin *p, nm_timer *t, gint64 due, gpointer data)
{
	alert *a = data;
	gint64 now = g_get_real_time();
	GHashTableIter it;
	gpointer k, v;

	(void)p;
	(void)t;
	(void)due;
	g_mutex_lock(&a->lock);
	g_hash_table_iter_init(&it, a->checks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		al_check *c = v;
		if (c->hard_code != NM_STATE_OK || c->notified_code != NM_STATE_OK)
			reconcile(a, c, now);
	}
	g_mutex_unlock(&a->lock);
	return NM_RUN_DONE;
}

/* ------------------------------------------------------------ commands */

/* --name VALUE from argv; returns the value or @def. */
static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return def;
}

static gboolean cmd_ack(nm_plugin *p, int argc, char **argv, GString *out,
			gpointer data, GError **err)
{
	alert *a = data;
	const char *comment = opt(argc, argv, "--comment", "");
	const char *author = opt(argc, argv, "--author", g_get_user_name());
	GHashTableIter it;
	gpointer k, v;
	guint n = 0;
	gint64 now = g_get_real_time();

	(void)p;
	if (argc < 1 || argv[0][0] == '-') {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "usage: ack HOST[/SERVICE] [--comment TEXT] [--author NAME]");
		return FALSE;
	}
	g_mutex_lock(&a->lock);
	g_hash_table_iter_init(&it, a->checks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		al_check *c = v;
		if (c->hard_code == NM_STATE_OK || c->acked ||
		    !(strcmp(k, argv[0]) == 0 || strcmp(c->host, argv[0]) == 0))
			continue;
		c->acked = TRUE;
		g_free(c->ack_author);
		c->ack_author = g_strdup(author);
		g_free(c->ack_comment);
		c->ack_comment = g_strdup(comment);
		db_save(a, c);
		emit(a, c, AL_ACKNOWLEDGED, now, author, comment);
		n++;
	}
	g_mutex_unlock(&a->lock);
	if (n == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no unacknowledged hard problem matches %s", argv[0]);
		return FALSE;
	}
	g_string_append_printf(out, "acknowledged %u problem(s)\n", n);
	return TRUE;
}

/* TIME: seconds since the epoch, +N[smhd], or ISO 8601. */
static gboolean parse_until(const char *s, gint64 *out)
{
	char *end = NULL;
	gint64 v;

	if (s[0] == '+') {
		v = g_ascii_strtoll(s + 1, &end, 10);
		if (end == s + 1 || v < 0)
			return FALSE;
		switch (*end) {
		case '\0': case 's': break;
		case 'm': v *= 60; break;
		case 'h': v *= 3600; break;
		case 'd': v *= 86400; break;
		default: return FALSE;
		}
		*out = g_get_real_time() + v * G_USEC_PER_SEC;
		return TRUE;
	}
	v = g_ascii_strtoll(s, &end, 10);
	if (end != s && *end == '\0') {
		*out = v * G_USEC_PER_SEC;
		return TRUE;
	}
	GDateTime *dt = g_date_time_new_from_iso8601(s, g_time_zone_new_local());
	if (dt == NULL)
		return FALSE;
	*out = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
	g_date_time_unref(dt);
	return TRUE;
}

static gboolean cmd_silence(nm_plugin *p, int argc, char **argv, GString *out,
			    gpointer data, GError **err)
{
	alert *a = data;
	const char *until = opt(argc, argv, "--until", NULL);
	const char *comment = opt(argc, argv, "--comment", "");
	silence *s;
	sqlite3_stmt *st = NULL;
	gint64 t;

	(void)p;
	if (argc < 1 || argv[0][0] == '-' || until == NULL || !parse_until(until, &t)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "usage: silence HOST-GLOB[/SERVICE-GLOB] --until TIME "
			    "(epoch seconds, +30m, +2h, ISO 8601) [--comment TEXT]");
		return FALSE;
	}
	s = g_new0(silence, 1);
	s->matcher = strchr(argv[0], '/') ? g_strdup(argv[0]) : g_strdup_printf("%s/*", argv[0]);
	s->spec = g_pattern_spec_new(s->matcher);
	s->until = t;
	s->comment = g_strdup(comment);
	g_mutex_lock(&a->lock);
	g_ptr_array_add(a->silences, s);
	if (sqlite3_prepare_v2(a->db, "INSERT INTO silences VALUES(?,?,?)", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s->matcher, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->until);
		sqlite3_bind_text(st, 3, s->comment, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			NM_ERROR(a->p, "sqlite: silence: %s", sqlite3_errmsg(a->db));
		sqlite3_finalize(st);
	}
	g_mutex_unlock(&a->lock);
	g_string_append_printf(out, "silenced %s until %" G_GINT64_FORMAT "\n",
			       s->matcher, t / G_USEC_PER_SEC);
	return TRUE;
}

static gboolean cmd_alerts(nm_plugin *p, int argc, char **argv, GString *out,
			   gpointer data, GError **err)
{
	alert *a = data;
	gboolean json = argc > 0 && strcmp(argv[0], "--json") == 0;
	JsonBuilder *b = json_builder_new();
	GHashTableIter it;
	gpointer k, v;
	gint64 now = g_get_real_time();

	(void)p;
	(void)err;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "alerts");
	json_builder_begin_array(b);
	g_mutex_lock(&a->lock);
	g_hash_table_iter_init(&it, a->checks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		al_check *c = v;
		if (c->hard_code == NM_STATE_OK && c->code == NM_STATE_OK && !c->flapping)
			continue;
		if (!json)
			g_string_append_printf(out, "%-30s %-8s %s %u %s%s%s%s\n", (char *)k,
				nm_state_code_name(c->code),
				c->hard_code != NM_STATE_OK ? "HARD" : "SOFT", c->attempt,
				c->acked ? "[ack] " : "", c->flapping ? "[flapping] " : "",
				silenced(a, c, now) ? "[silenced] " : "", c->output);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "host");
		json_builder_add_string_value(b, c->host);
		json_builder_set_member_name(b, "service");
		json_builder_add_string_value(b, c->service);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, nm_state_code_name(c->code));
		json_builder_set_member_name(b, "hard_state");
		json_builder_add_string_value(b, nm_state_code_name(c->hard_code));
		json_builder_set_member_name(b, "attempt");
		json_builder_add_int_value(b, c->attempt);
		json_builder_set_member_name(b, "alert_id");
		json_builder_add_int_value(b, (gint64)c->alert_id);
		json_builder_set_member_name(b, "acknowledged");
		json_builder_add_boolean_value(b, c->acked);
		json_builder_set_member_name(b, "flapping");
		json_builder_add_boolean_value(b, c->flapping);
		json_builder_set_member_name(b, "flap_percent");
		json_builder_add_double_value(b, c->flap_pct);
		json_builder_set_member_name(b, "silenced");
		json_builder_add_boolean_value(b, silenced(a, c, now));
		json_builder_set_member_name(b, "output");
		json_builder_add_string_value(b, c->output);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "silences");
	json_builder_begin_array(b);
	for (guint i = 0; i < a->silences->len; i++) {
		silence *s = g_ptr_array_index(a->silences, i);
		if (s->until <= now)
			continue;
		if (!json)
			g_string_append_printf(out, "silence %s until %" G_GINT64_FORMAT " %s\n",
					       s->matcher, s->until / G_USEC_PER_SEC, s->comment);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "matcher");
		json_builder_add_string_value(b, s->matcher);
		json_builder_set_member_name(b, "until");
		json_builder_add_int_value(b, s->until / G_USEC_PER_SEC);
		json_builder_set_member_name(b, "comment");
		json_builder_add_string_value(b, s->comment);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "maintenance");
	json_builder_begin_array(b);
	for (guint i = 0; i < a->windows->len; i++) {
		al_window *w = g_ptr_array_index(a->windows, i);
		char *d = al_window_describe(w);
		gboolean act = al_window_active(w, now);
		if (!json)
			g_string_append_printf(out, "maintenance %s%s %s\n", d,
					       act ? " [active]" : "", w->comment);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "window");
		json_builder_add_string_value(b, d);
		json_builder_set_member_name(b, "matcher");
		json_builder_add_string_value(b, w->matcher);
		json_builder_set_member_name(b, "active");
		json_builder_add_boolean_value(b, act);
		json_builder_set_member_name(b, "comment");
		json_builder_add_string_value(b, w->comment);
		json_builder_end_object(b);
		g_free(d);
	}
	g_mutex_unlock(&a->lock);
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (json) {
		JsonGenerator *g = json_generator_new();
		JsonNode *root = json_builder_get_root(b);
		char *s;
		json_generator_set_root(g, root);
		s = json_generator_to_data(g, NULL);
		g_string_append(out, s);
		g_string_append_c(out, '\n');
		g_free(s);
		json_node_unref(root);
		g_object_unref(g);
	}
	g_object_unref(b);
	return TRUE;
}

/* ------------------------------------------------------------ set-up */

static const char *const ntypes[] = { "exec", "webhook", "email", "syslog", NULL };

static const nm_conf_key notifier_keys[] = {
	{ .name = "type", .kind = NM_CONF_STRING, .required = TRUE, .choices = ntypes },
	{ .name = "command", .kind = NM_CONF_ARRAY, .has_range = TRUE, .min = 1, .max = 64,
	  .help = "exec: program and arguments (no shell)" },
	{ .name = "url", .kind = NM_CONF_STRING, .help = "webhook: http(s) URL" },
	{ .name = "retries", .kind = NM_CONF_INT, .has_range = TRUE, .min = 0, .max = 20 },
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE, .min = 0.1, .max = 600 },
	{ .name = "backoff", .kind = NM_CONF_DURATION, .has_range = TRUE, .min = 0.01, .max = 600 },
	{ .name = "to", .kind = NM_CONF_ARRAY, .has_range = TRUE, .min = 1, .max = 100,
	  .help = "email: recipient addresses" },
	{ .name = "from", .kind = NM_CONF_STRING, .help = "email: From: (default netmon@HOSTNAME)" },
	{ .name = "sendmail", .kind = NM_CONF_STRING,
	  .help = "email: sendmail-compatible program, run as PROG -oi -t (default /usr/sbin/sendmail)" },
	{ .name = "server", .kind = NM_CONF_STRING,
	  .help = "syslog: UDP server (RFC 5426); default: the local syslog(3)" },
	{ .name = "port", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1, .max = 65535,
	  .help = "syslog: UDP port (default 514)" },
	{ .name = "facility", .kind = NM_CONF_STRING, .help = "syslog: facility name (default daemon)" },
	{ .name = NULL }
};

static const nm_conf_key window_keys[] = {
	{ .name = "match", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "glob on HOST[/SERVICE]" },
	{ .name = "days", .kind = NM_CONF_STRING, .help = "\"*\", Mon..Sun, ranges, lists (default *)" },
	{ .name = "start", .kind = NM_CONF_STRING, .required = TRUE, .help = "HH:MM" },
	{ .name = "end", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "HH:MM; at or before start: the next day" },
	{ .name = "utc", .kind = NM_CONF_BOOL, .help = "times in UTC (default local time)" },
	{ .name = "comment", .kind = NM_CONF_STRING },
	{ .name = NULL }
};

static const nm_conf_key parent_keys[] = {
	{ .name = "host", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = "parent", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = NULL }
};

static const nm_conf_key keys[] = {
	{ .name = "database", .kind = NM_CONF_STRING, .help = "SQLite file (default state_dir/alert.db)" },
	{ .name = "max_attempts", .kind = NM_CONF_INT, .has_range = TRUE, .min = 1, .max = 100 },
	{ .name = "renotify", .kind = NM_CONF_DURATION, .has_range = TRUE, .min = 0, .max = 1e7,
	  .help = "re-notification interval, 0 = never (default 0)" },
	{ .name = "flap_low", .kind = NM_CONF_FLOAT, .has_range = TRUE, .min = 0, .max = 100 },
	{ .name = "flap_high", .kind = NM_CONF_FLOAT, .has_range = TRUE, .min = 0, .max = 100 },
	{ .name = "host_service", .kind = NM_CONF_STRING,
	  .help = "service whose hard problem means the host is down (default \"ping\")" },
	{ .name = "parents", .kind = NM_CONF_LIST, .children = parent_keys },
	{ .name = "notifiers", .kind = NM_CONF_LIST, .children = notifier_keys },
	{ .name = "group_by", .kind = NM_CONF_STRING,
	  .help = "group key template, e.g. \"{host}\" ({host} {service} {kind} {state}); default: no grouping" },
	{ .name = "group_wait", .kind = NM_CONF_DURATION, .has_range = TRUE, .min = 0, .max = 86400,
	  .help = "seconds a group collects before it goes out (default 30)" },
	{ .name = "maintenance", .kind = NM_CONF_LIST, .children = window_keys },
	{ .name = NULL }
};

static al_window *window_from_conf(const config_setting_t *w, GError **err)
{
	return al_window_new(nm_conf_string(w, "match", NULL),
			     nm_conf_string(w, "days", "*"),
			     nm_conf_string(w, "start", NULL),
			     nm_conf_string(w, "end", NULL),
			     nm_conf_bool(w, "utc", FALSE),
			     nm_conf_string(w, "comment", ""), err);
}

static gboolean alert_validate(const config_setting_t *conf, GError **err)
{
	const config_setting_t *l = config_setting_get_member(conf, "notifiers");

	if (nm_conf_float(conf, "flap_low", 5) >= nm_conf_float(conf, "flap_high", 20))
		return nm_conf_error(conf, err, "flap_low must be below flap_high");
	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *n = config_setting_get_elem(l, (unsigned)i);
		const char *t = nm_conf_string(n, "type", "");
		if (strcmp(t, "exec") == 0 && config_setting_get_member(n, "command") == NULL)
			return nm_conf_error(n, err, "an exec notifier needs command");
		if (strcmp(t, "webhook") == 0 && config_setting_get_member(n, "url") == NULL)
			return nm_conf_error(n, err, "a webhook notifier needs url");
		if (strcmp(t, "email") == 0 && config_setting_get_member(n, "to") == NULL)
			return nm_conf_error(n, err, "an email notifier needs to");
		if (strcmp(t, "syslog") == 0 &&
		    al_syslog_facility(nm_conf_string(n, "facility", "daemon")) < 0)
			return nm_conf_error(config_setting_get_member(n, "facility"), err,
					     "unknown syslog facility '%s' (kern, user, "
					     "daemon, local0..local7, ...)",
					     nm_conf_string(n, "facility", ""));
	}
	l = config_setting_get_member(conf, "maintenance");
	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *w = config_setting_get_elem(l, (unsigned)i);
		GError *e = NULL;
		al_window *win = window_from_conf(w, &e);
		if (win == NULL) {
			nm_conf_error(w, err, "%s", e->message);
			g_error_free(e);
			return FALSE;
		}
		al_window_free(win);
	}
	return TRUE;
}

static void notifier_free(gpointer d)
{
	notifier *n = d;
	g_free(n->type);
	g_strfreev(n->argv);
	g_free(n->url);
	g_strfreev(n->to);
	g_free(n->from);
	g_free(n->sendmail);
	g_free(n->server);
	g_free(n);
}

static void silence_free(gpointer d)
{
	silence *s = d;
	g_free(s->matcher);
	g_pattern_spec_free(s->spec);
	g_free(s->comment);
	g_free(s);
}

static gboolean alert_init(nm_plugin *p, const config_setting_t *conf, GError **err)
{
	alert *a = g_new0(alert, 1);
	const config_setting_t *l;
	char *db;
	gboolean ok;
	nm_sub_options opts = { .high_water = 200000, .policy = NM_OVERFLOW_BLOCK,
				.block_timeout = 5 * G_USEC_PER_SEC };

	a->p = p;
	a->conf.max_attempts = (guint)nm_conf_int(conf, "max_attempts", 3);
	a->conf.renotify = nm_conf_duration(conf, "renotify", 0);
	a->conf.flap_low = nm_conf_float(conf, "flap_low", 5);
	a->conf.flap_high = nm_conf_float(conf, "flap_high", 20);
	a->host_service = g_strdup(nm_conf_string(conf, "host_service", "ping"));
	a->parents = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	a->checks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)al_check_free);
	a->silences = g_ptr_array_new_with_free_func(silence_free);
	a->notifiers = g_ptr_array_new_with_free_func(notifier_free);
	a->windows = g_ptr_array_new_with_free_func((GDestroyNotify)al_window_free);
	a->queue = g_async_queue_new();
	g_mutex_init(&a->lock);
	a->c_states = nm_plugin_counter(p, "states");
	a->c_sent = nm_plugin_counter(p, "sent");
	a->c_suppressed = nm_plugin_counter(p, "suppressed");
	a->c_failed = nm_plugin_counter(p, "failed");
	a->c_grouped = nm_plugin_counter(p, "grouped");
	a->c_deduplicated = nm_plugin_counter(p, "deduplicated");
	nm_plugin_set_data(p, a);
	l = config_setting_get_member(conf, "parents");
	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		g_hash_table_insert(a->parents, g_strdup(nm_conf_string(e, "host", "")),
				    g_strdup(nm_conf_string(e, "parent", "")));
	}
	l = config_setting_get_member(conf, "notifiers");
	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
		const config_setting_t *cmd = config_setting_get_member(e, "command");
		notifier *n = g_new0(notifier, 1);
		n->type = g_strdup(nm_conf_string(e, "type", "exec"));
		n->url = g_strdup(nm_conf_string(e, "url", NULL));
		n->retries = (guint)nm_conf_int(e, "retries", 3);
		n->timeout = nm_conf_duration(e, "timeout", 10 * G_USEC_PER_SEC);
		n->backoff = nm_conf_duration(e, "backoff", G_USEC_PER_SEC);
		if (cmd != NULL) {
			int c = config_setting_length(cmd);
			n->argv = g_new0(char *, (gsize)c + 1);
			for (int j = 0; j < c; j++)
				n->argv[j] = g_strdup(config_setting_get_string_elem(cmd, (unsigned)j));
		}
		if ((cmd = config_setting_get_member(e, "to")) != NULL) {
			int c = config_setting_length(cmd);
			n->to = g_new0(char *, (gsize)c + 1);
			for (int j = 0; j < c; j++)
				n->to[j] = g_strdup(config_setting_get_string_elem(cmd, (unsigned)j));
		}
		n->from = nm_conf_string(e, "from", NULL)
			? g_strdup(nm_conf_string(e, "from", NULL))
			: g_strdup_printf("netmon@%s", g_get_host_name());
		n->sendmail = g_strdup(nm_conf_string(e, "sendmail", "/usr/sbin/sendmail"));
		n->server = g_strdup(nm_conf_string(e, "server", NULL));
		n->port = (guint16)nm_conf_int(e, "port", 514);
		n->facility = al_syslog_facility(nm_conf_string(e, "facility", "daemon"));
		if (n->facility < 0)
			n->facility = 3;   /* validated; daemon */
		g_ptr_array_add(a->notifiers, n);
	}
	l = config_setting_get_member(conf, "maintenance");
	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		al_window *w = window_from_conf(config_setting_get_elem(l, (unsigned)i), err);
		if (w == NULL)
			return FALSE;   /* validated already; shutdown frees */
		g_ptr_array_add(a->windows, w);
	}
	if (nm_conf_string(conf, "group_by", NULL) != NULL &&
	    *nm_conf_string(conf, "group_by", NULL) != '\0') {
		a->group_by = g_strdup(nm_conf_string(conf, "group_by", NULL));
		a->grouper = al_grouper_new(a->group_by,
					    nm_conf_duration(conf, "group_wait",
							     30 * G_USEC_PER_SEC));
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_FAILED, "alert: curl_global_init failed");
		return FALSE;
	}
	db = nm_conf_string(conf, "database", NULL)
		? g_strdup(nm_conf_string(conf, "database", NULL))
		: g_build_filename(nm_plugin_state_dir(p), "alert.db", NULL);
	ok = db_open(a, db, err);
	g_free(db);
	if (!ok)
		return FALSE;
	a->thread = g_thread_new("alert-notify", notify_thread, a);
	if (!nm_plugin_subscribe(p, "states", NM_MSG_MASK(NM_MSG_STATE), &opts,
				 deliver, a, err) ||
	    !nm_plugin_add_command(p, "ack", "ack HOST[/SERVICE] [--comment T]: acknowledge a problem",
				   cmd_ack, a, err) ||
	    !nm_plugin_add_command(p, "silence", "silence GLOB --until TIME: mute notifications",
				   cmd_silence, a, err) ||
	    !nm_plugin_add_command(p, "alerts", "alerts [--json]: open problems and silences",
				   cmd_alerts, a, err))
		return FALSE;
	nm_plugin_add_timer(p, "renotify", G_USEC_PER_SEC, NM_TIMER_DEFAULT, tick, a, NULL);
	return TRUE;
}

static void alert_shutdown(nm_plugin *p)
{
	alert *a = nm_plugin_get_data(p);

	if (a == NULL)
		return;
	if (a->thread != NULL) {
		g_async_queue_push(a->queue, STOP);
		g_thread_join(a->thread);
	}
	for (notice *n; (n = g_async_queue_try_pop(a->queue)) != NULL;)
		if (n != STOP)
			notice_free(n);
	g_async_queue_unref(a->queue);
	if (a->st_save != NULL && sqlite3_finalize(a->st_save) != SQLITE_OK) {
		/* finalize returns the last step's error; nothing to undo */
	}
	if (a->db != NULL && sqlite3_close(a->db) != SQLITE_OK)
		NM_ERROR(p, "sqlite close: busy");
	curl_global_cleanup();
	g_hash_table_destroy(a->checks);
	g_hash_table_destroy(a->parents);
	g_ptr_array_unref(a->silences);
	g_ptr_array_unref(a->notifiers);
	g_ptr_array_unref(a->windows);
	al_grouper_free(a->grouper);
	g_free(a->group_by);
	g_free(a->host_service);
	g_mutex_clear(&a->lock);
	g_free(a);
}

NM_PLUGIN_DEFINE(.name = "alert", .version = "1.0",
		 .description = "soft/hard alert states, flapping, acks, silences, notifiers",
		 .config_keys = keys, .validate = alert_validate,
		 .init = alert_init, .shutdown = alert_shutdown);
