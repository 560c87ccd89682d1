/* Unit tests of the core's fd watches (core/fdwatch.c, one epoll set for
 * all watches) and of nm_plugin_add_watch()/nm_plugin_remove_watch() on it.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "fdwatch.h"

/* Run the default main context without blocking for @ms milliseconds. */
static void spin(guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(1000);
	}
}

/* Run until *@counter >= @want, at most 10 s (a loaded CI machine). */
static void spin_until(const guint *counter, guint want)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (*counter < want && g_get_monotonic_time() < end) {
		g_main_context_iteration(NULL, FALSE);
		if (*counter < want)
			g_usleep(500);
	}
}

static void make_pipe(int fds[2])
{
	g_assert_cmpint(pipe2(fds, O_NONBLOCK | O_CLOEXEC), ==, 0);
}

static void put(int fd)
{
	g_assert_cmpint(write(fd, "x", 1), ==, 1);
}

/* A watch's record of what happened to it. */
typedef struct {
	nm_fdwatch *set;
	guint id;
	guint calls;
	GIOCondition last;
	gboolean drain;      /* read what is there */
	gboolean ret;        /* what the callback returns */
	guint remove_other;  /* a watch id the callback removes, or 0 */
	gboolean remove_self;
	guint destroyed;
	gboolean destroyed_in_call; /* destroy ran while the callback ran */
	gboolean in_call;
	void (*extra)(gpointer);
	gpointer extra_data;
} rec;

static gboolean on_ready(gint fd, GIOCondition cond, gpointer data)
{
	rec *r = data;
	char buf[64];

	r->in_call = TRUE;
	r->calls++;
	r->last = cond;
	if (r->drain)
		while (read(fd, buf, sizeof buf) > 0)
			;
	if (r->remove_other != 0)
		g_assert_true(nm_fdwatch_remove(r->set, r->remove_other));
	if (r->remove_self)
		g_assert_true(nm_fdwatch_remove(r->set, r->id));
	if (r->extra != NULL)
		r->extra(r->extra_data);
	if (r->destroyed > 0)
		r->destroyed_in_call = TRUE;
	r->in_call = FALSE;
	return r->ret;
}

static void on_destroy(gpointer data)
{
	rec *r = data;

	r->destroyed++;
	if (r->in_call)
		r->destroyed_in_call = TRUE;
}

static guint add(nm_fdwatch *set, int fd, GIOCondition c, rec *r)
{
	r->set = set;
	r->id = nm_fdwatch_add(set, fd, c, on_ready, r, on_destroy);
	g_assert_cmpuint(r->id, !=, 0);
	return r->id;
}

static nm_fdwatch *new_set(void)
{
	GError *err = NULL;
	nm_fdwatch *set = nm_fdwatch_new(NULL, &err);

	g_assert_no_error(err);
	g_assert_nonnull(set);
	return set;
}

static guint live(const nm_fdwatch *set)
{
	nm_fdwatch_stats st;

	nm_fdwatch_get_stats(set, &st);
	return st.watches;
}

/* Input is reported with G_IO_IN; G_SOURCE_REMOVE ends the watch and runs
 * its destroy notify once, after the callback returned. */
static void test_basic(void)
{
	nm_fdwatch *set = new_set();
	rec r = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	int p[2];

	make_pipe(p);
	add(set, p[0], G_IO_IN, &r);
	spin(20);
	g_assert_cmpuint(r.calls, ==, 0);
	put(p[1]);
	spin_until(&r.calls, 1);
	g_assert_cmpuint(r.calls, ==, 1);
	g_assert_cmpint(r.last, ==, G_IO_IN);
	r.ret = G_SOURCE_REMOVE;
	put(p[1]);
	spin_until(&r.calls, 2);
	g_assert_cmpuint(r.calls, ==, 2);
	g_assert_cmpuint(r.destroyed, ==, 1);
	g_assert_false(r.destroyed_in_call);
	g_assert_cmpuint(live(set), ==, 0);
	g_assert_false(nm_fdwatch_remove(set, r.id));
	put(p[1]);
	spin(30);
	g_assert_cmpuint(r.calls, ==, 2);
	nm_fdwatch_free(set);
	g_assert_cmpuint(r.destroyed, ==, 1);
	close(p[0]);
	close(p[1]);
}

/* A watch removing itself from its callback (and returning CONTINUE) is
 * not called again; its destroy notify waits until the callback returns. */
static void test_remove_self(void)
{
	nm_fdwatch *set = new_set();
	rec r = { .ret = G_SOURCE_CONTINUE, .remove_self = TRUE };
	int p[2];

	make_pipe(p);
	add(set, p[0], G_IO_IN, &r);
	put(p[1]); /* not drained: stays readable (level-triggered) */
	spin_until(&r.calls, 1);
	spin(30);
	g_assert_cmpuint(r.calls, ==, 1);
	g_assert_cmpuint(r.destroyed, ==, 1);
	g_assert_false(r.destroyed_in_call);
	g_assert_cmpuint(live(set), ==, 0);
	nm_fdwatch_free(set);
	close(p[0]);
	close(p[1]);
}

/* Two fds ready in the same batch; whichever callback runs first removes
 * the other watch, which must then not be called. */
static void test_remove_other_in_batch(void)
{
	nm_fdwatch *set = new_set();
	rec a = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec b = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	int pa[2], pb[2];
	guint total = 0;

	make_pipe(pa);
	make_pipe(pb);
	add(set, pa[0], G_IO_IN, &a);
	add(set, pb[0], G_IO_IN, &b);
	a.remove_other = b.id;
	b.remove_other = a.id;
	put(pa[1]);
	put(pb[1]);
	/* Both are ready before the context is iterated: one epoll_wait
	 * batch holds both. */
	while (total == 0) {
		g_main_context_iteration(NULL, TRUE);
		total = a.calls + b.calls;
	}
	spin(30);
	g_assert_cmpuint(a.calls + b.calls, ==, 1);
	g_assert_cmpuint(a.destroyed + b.destroyed, ==, 1);
	g_assert_cmpuint(live(set), ==, 1);
	nm_fdwatch_free(set);
	g_assert_cmpuint(a.destroyed, ==, 1);
	g_assert_cmpuint(b.destroyed, ==, 1);
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
}

/* Closing and reusing fds inside a batch: a callback removes the watch of
 * another ready fd, closes that fd, opens a new pipe on the same number and
 * watches it. The old watch is not called; the new one is called only once
 * its own pipe has data. */
typedef struct {
	nm_fdwatch *set;
	rec *victim;       /* the watch of the fd closed */
	int *victim_pipe;  /* its pipe, replaced */
	rec *fresh;        /* the watch of the new pipe */
	gboolean same_number;
} reuse_ctx;

static void close_and_reuse(gpointer data)
{
	reuse_ctx *c = data;
	int old = c->victim_pipe[0];
	int p[2];

	if (c->victim->id == 0)
		return;
	g_assert_true(nm_fdwatch_remove(c->set, c->victim->id));
	c->victim->id = 0;
	close(c->victim_pipe[0]);
	close(c->victim_pipe[1]);
	make_pipe(p);
	c->same_number = p[0] == old;
	c->victim_pipe[0] = p[0];
	c->victim_pipe[1] = p[1];
	add(c->set, p[0], G_IO_IN, c->fresh);
}

static void test_close_reuse_in_batch(void)
{
	nm_fdwatch *set = new_set();
	rec a = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec b = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec fa = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec fb = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	int pa[2], pb[2];
	/* Whichever of a and b runs first replaces the other's pipe. */
	reuse_ctx ca = { .set = set, .victim = &b, .victim_pipe = pb, .fresh = &fb };
	reuse_ctx cb = { .set = set, .victim = &a, .victim_pipe = pa, .fresh = &fa };
	reuse_ctx *won;
	rec *fresh;
	nm_fdwatch_stats st;

	make_pipe(pa);
	make_pipe(pb);
	add(set, pa[0], G_IO_IN, &a);
	add(set, pb[0], G_IO_IN, &b);
	a.extra = close_and_reuse;
	a.extra_data = &ca;
	b.extra = close_and_reuse;
	b.extra_data = &cb;
	put(pa[1]);
	put(pb[1]);
	/* Both are ready before the context is iterated: one batch. */
	while (a.calls + b.calls == 0)
		g_main_context_iteration(NULL, TRUE);
	spin(30);
	g_assert_cmpuint(a.calls + b.calls, ==, 1);
	won = a.calls == 1 ? &ca : &cb;
	fresh = won->fresh;
	g_assert_cmpuint(won->victim->calls, ==, 0);
	g_assert_cmpuint(won->victim->destroyed, ==, 1);
	g_assert_true(won->same_number); /* pipe() takes the lowest numbers */
	g_assert_cmpuint(fresh->calls, ==, 0);
	put(won->victim_pipe[1]);
	spin_until(&fresh->calls, 1);
	g_assert_cmpuint(fresh->calls, ==, 1);
	g_assert_cmpuint(won->victim->calls, ==, 0);
	nm_fdwatch_get_stats(set, &st);
	g_assert_cmpuint(st.ctl_errors, ==, 0);
	g_assert_cmpuint(st.rebuilds, ==, 0);
	nm_fdwatch_free(set);
	close(pa[0]);
	close(pa[1]);
	close(pb[0]);
	close(pb[1]);
}

/* A watch added on the same fd number after the old file was closed
 * (without its watch being removed first, then removed afterwards) gets
 * the new file's events, and the late removal does not disturb it. */
static void test_close_then_remove(void)
{
	nm_fdwatch *set = new_set();
	rec old = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec neu = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	int p[2], q[2], n;

	make_pipe(p);
	add(set, p[0], G_IO_IN, &old);
	n = p[0];
	close(p[0]);
	close(p[1]);
	g_assert_true(nm_fdwatch_remove(set, old.id));
	make_pipe(q);
	g_assert_cmpint(q[0], ==, n);
	add(set, q[0], G_IO_IN, &neu);
	put(q[1]);
	spin_until(&neu.calls, 1);
	g_assert_cmpuint(neu.calls, ==, 1);
	g_assert_cmpuint(old.calls, ==, 0);
	nm_fdwatch_free(set);
	close(q[0]);
	close(q[1]);
}

/* After the last watch of an fd is removed, input on it calls nobody and
 * does not make the loop spin; a new watch on it works. */
static void test_idle_fd(void)
{
	nm_fdwatch *set = new_set();
	rec r = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	int p[2];
	nm_fdwatch_stats st0, st1;

	make_pipe(p);
	add(set, p[0], G_IO_IN, &r);
	g_assert_true(nm_fdwatch_remove(set, r.id));
	put(p[1]); /* never drained until watched again */
	spin(30);
	nm_fdwatch_get_stats(set, &st0);
	spin(50);
	nm_fdwatch_get_stats(set, &st1);
	g_assert_cmpuint(st1.wakeups, ==, st0.wakeups); /* no busy loop */
	g_assert_cmpuint(r.calls, ==, 0);
	add(set, p[0], G_IO_IN, &r);
	spin_until(&r.calls, 1);
	g_assert_cmpuint(r.calls, ==, 1);
	nm_fdwatch_get_stats(set, &st1);
	g_assert_cmpuint(st1.ctl_errors, ==, 0);
	g_assert_cmpuint(st1.stale_events, ==, 0);
	nm_fdwatch_free(set);
	close(p[0]);
	close(p[1]);
}

/* An fd closed while registered but whose file stays open (a dup): its
 * events are recognised as stale, the set is rebuilt once, nothing is
 * called for them, the loop does not spin, and the watch now using that
 * fd number still works. */
static void test_stale_registration(void)
{
	nm_fdwatch *set = new_set();
	rec r = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec neu = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	int p[2], q[2], keep, n;
	nm_fdwatch_stats st0, st1;

	make_pipe(p);
	add(set, p[0], G_IO_IN, &r);
	g_assert_true(nm_fdwatch_remove(set, r.id)); /* idle, still registered */
	keep = dup(p[0]);
	g_assert_cmpint(keep, >=, 0);
	n = p[0];
	close(p[0]);
	make_pipe(q);
	g_assert_cmpint(q[0], ==, n);
	add(set, q[0], G_IO_IN, &neu);
	put(p[1]); /* the old file, open through @keep, becomes readable */
	spin(50);
	nm_fdwatch_get_stats(set, &st0);
	g_assert_cmpuint(st0.rebuilds, ==, 1);
	g_assert_cmpuint(st0.stale_events, >=, 1);
	g_assert_cmpuint(r.calls + neu.calls, ==, 0);
	spin(50);
	nm_fdwatch_get_stats(set, &st1);
	g_assert_cmpuint(st1.wakeups, ==, st0.wakeups);
	put(q[1]);
	spin_until(&neu.calls, 1);
	g_assert_cmpuint(neu.calls, ==, 1);
	g_assert_cmpuint(r.calls, ==, 0);
	nm_fdwatch_free(set);
	close(keep);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* EPOLLHUP and EPOLLERR reach the callback as G_IO_HUP and G_IO_ERR, also
 * when the watch asked for G_IO_IN only (as poll(2) reports them). */
static void test_hup_err(void)
{
	nm_fdwatch *set = new_set();
	rec h = { .ret = G_SOURCE_REMOVE };
	rec e = { .ret = G_SOURCE_REMOVE };
	int p[2], s, dead;
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	make_pipe(p);
	add(set, p[0], G_IO_IN, &h);
	close(p[1]);
	spin_until(&h.calls, 1);
	g_assert_cmpuint(h.calls, ==, 1);
	g_assert_true(h.last & G_IO_HUP);
	close(p[0]);

	/* UDP to a closed loopback port: the ICMP port unreachable becomes a
	 * pending socket error (EPOLLERR). */
	dead = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(dead, >=, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(dead, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(getsockname(dead, (struct sockaddr *)&a, &len), ==, 0);
	close(dead);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	g_assert_cmpint(s, >=, 0);
	g_assert_cmpint(connect(s, (struct sockaddr *)&a, sizeof a), ==, 0);
	add(set, s, G_IO_IN, &e);
	g_assert_cmpint(send(s, "x", 1, 0), ==, 1);
	spin_until(&e.calls, 1);
	g_assert_cmpuint(e.calls, ==, 1);
	g_assert_true(e.last & G_IO_ERR);
	close(s);
	nm_fdwatch_free(set);
}

/* Two watches on one fd (input and output): each gets its own condition;
 * removing the output one stops the output events (no busy loop) while
 * input still arrives. */
static void test_two_on_one_fd(void)
{
	nm_fdwatch *set = new_set();
	rec in = { .drain = TRUE, .ret = G_SOURCE_CONTINUE };
	rec out = { .ret = G_SOURCE_CONTINUE };
	int sp[2];
	nm_fdwatch_stats st0, st1;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				   SOCK_CLOEXEC, 0, sp), ==, 0);
	add(set, sp[0], G_IO_IN, &in);
	add(set, sp[0], G_IO_OUT, &out);
	spin_until(&out.calls, 1);
	g_assert_cmpint(out.last, ==, G_IO_OUT);
	g_assert_cmpuint(in.calls, ==, 0);
	g_assert_true(nm_fdwatch_remove(set, out.id));
	spin(20);
	nm_fdwatch_get_stats(set, &st0);
	spin(50);
	nm_fdwatch_get_stats(set, &st1);
	g_assert_cmpuint(st1.wakeups, ==, st0.wakeups);
	g_assert_cmpint(write(sp[1], "x", 1), ==, 1);
	spin_until(&in.calls, 1);
	g_assert_cmpint(in.last, ==, G_IO_IN);
	g_assert_cmpuint(st1.ctl_errors, ==, 0);
	nm_fdwatch_free(set);
	close(sp[0]);
	close(sp[1]);
}

/* More ready fds than one epoll_wait batch: each is served exactly once. */
static void test_many(void)
{
	enum { N = 300 }; /* > one batch (256), 600 fds */
	nm_fdwatch *set = new_set();
	rec *r = g_new0(rec, N);
	int (*p)[2] = g_malloc_n(N, sizeof *p);
	guint done = 0;
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	for (int i = 0; i < N; i++) {
		make_pipe(p[i]);
		r[i].drain = TRUE;
		r[i].ret = G_SOURCE_REMOVE;
		add(set, p[i][0], G_IO_IN, &r[i]);
	}
	for (int i = 0; i < N; i++)
		put(p[i][1]);
	while (done < N && g_get_monotonic_time() < end) {
		g_main_context_iteration(NULL, FALSE);
		done = 0;
		for (int i = 0; i < N; i++)
			done += r[i].calls;
	}
	g_assert_cmpuint(done, ==, N);
	for (int i = 0; i < N; i++) {
		g_assert_cmpuint(r[i].calls, ==, 1);
		g_assert_cmpuint(r[i].destroyed, ==, 1);
		close(p[i][0]);
		close(p[i][1]);
	}
	g_assert_cmpuint(live(set), ==, 0);
	nm_fdwatch_free(set);
	g_free(r);
	g_free(p);
}

/* Ids are never 0 and never reused while watches come and go. */
static void test_unique_ids(void)
{
	nm_fdwatch *set = new_set();
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	rec r = { .ret = G_SOURCE_CONTINUE };
	int p[2];

	make_pipe(p);
	for (int i = 0; i < 2000; i++) {
		guint id = add(set, p[0], i % 2 ? G_IO_IN : G_IO_OUT, &r);

		g_assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(id)));
		g_hash_table_add(seen, GUINT_TO_POINTER(id));
		if (i % 3 != 0)
			g_assert_true(nm_fdwatch_remove(set, id));
	}
	g_assert_cmpuint(live(set), ==, 667);
	nm_fdwatch_free(set);
	g_assert_cmpuint(r.destroyed, ==, 2000);
	g_hash_table_destroy(seen);
	close(p[0]);
	close(p[1]);
}

/* An fd epoll refuses (a regular file: EPERM) gives id 0, logged. */
static void test_refused_fd(void)
{
	nm_fdwatch *set = new_set();
	rec r = { .ret = G_SOURCE_CONTINUE };
	char *path = NULL;
	int fd = g_file_open_tmp("nm-fdwatch-XXXXXX", &path, NULL);
	nm_fdwatch_stats st;

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpuint(nm_fdwatch_add(set, fd, G_IO_IN, on_ready, &r,
					on_destroy), ==, 0);
	nm_fdwatch_get_stats(set, &st);
	g_assert_cmpuint(st.ctl_errors, ==, 1);
	g_assert_cmpuint(st.watches, ==, 0);
	g_assert_cmpuint(r.destroyed, ==, 0);
	nm_fdwatch_free(set);
	close(fd);
	g_unlink(path);
	g_free(path);
}

/* ---- through the plugin API, on a real core ---- */

static gboolean plugin_cb(gint fd, GIOCondition cond, gpointer data)
{
	char buf[16];

	(void)cond;
	while (read(fd, buf, sizeof buf) > 0)
		;
	(*(guint *)data)++;
	return G_SOURCE_CONTINUE;
}

/* Watches of a plugin are ended when its inputs stop; ids are unique. */
static void test_plugin_watches(void)
{
	GError *err = NULL;
	char *dir = g_dir_make_tmp("nm-fdwatch-XXXXXX", &err);
	char *conf = g_build_filename(dir, "netmond.conf", NULL);
	char *text = g_strdup_printf("netmond = { state_dir = \"%s\"; };\n", dir);
	nm_core_config *c;
	nm_core *core;
	int p[3][2];
	guint calls = 0, ids[3];

	g_assert_no_error(err);
	g_assert_true(g_file_set_contents(conf, text, -1, &err));
	c = nm_core_config_load(conf, &err);
	g_assert_no_error(err);
	core = nm_core_new(c);
	g_assert_true(nm_core_load(core, &err));
	g_assert_true(nm_core_start(core, FALSE, &err));
	for (int i = 0; i < 3; i++) {
		make_pipe(p[i]);
		ids[i] = nm_plugin_add_watch(core->self, p[i][0], G_IO_IN,
					     plugin_cb, &calls);
		g_assert_cmpuint(ids[i], !=, 0);
		for (int j = 0; j < i; j++)
			g_assert_cmpuint(ids[i], !=, ids[j]);
	}
	g_assert_cmpuint(g_hash_table_size(core->self->watches), ==, 3);
	nm_plugin_remove_watch(core->self, ids[1]);
	nm_plugin_remove_watch(core->self, ids[1]); /* a second time: no-op */
	g_assert_cmpuint(g_hash_table_size(core->self->watches), ==, 2);
	put(p[0][1]);
	spin_until(&calls, 1);
	g_assert_cmpuint(calls, ==, 1);
	nm_loader_stop_inputs(core->self);
	g_assert_cmpuint(g_hash_table_size(core->self->watches), ==, 0);
	put(p[0][1]);
	put(p[2][1]);
	spin(50);
	g_assert_cmpuint(calls, ==, 1);
	nm_core_free(core);
	for (int i = 0; i < 3; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	g_unlink(conf);
	g_rmdir(dir);
	g_free(conf);
	g_free(text);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/fdwatch/basic", test_basic);
	g_test_add_func("/fdwatch/remove-self", test_remove_self);
	g_test_add_func("/fdwatch/remove-other-in-batch", test_remove_other_in_batch);
	g_test_add_func("/fdwatch/close-reuse-in-batch", test_close_reuse_in_batch);
	g_test_add_func("/fdwatch/close-then-remove", test_close_then_remove);
	g_test_add_func("/fdwatch/idle-fd", test_idle_fd);
	g_test_add_func("/fdwatch/stale-registration", test_stale_registration);
	g_test_add_func("/fdwatch/hup-err", test_hup_err);
	g_test_add_func("/fdwatch/two-on-one-fd", test_two_on_one_fd);
	g_test_add_func("/fdwatch/many", test_many);
	g_test_add_func("/fdwatch/unique-ids", test_unique_ids);
	g_test_add_func("/fdwatch/refused-fd", test_refused_fd);
	g_test_add_func("/fdwatch/plugin-watches", test_plugin_watches);
	return g_test_run();
}
