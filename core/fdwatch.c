/* netmon — fd watches of the core: one epoll set per core, one GSource.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * See fdwatch.h for what it does. How:
 * - The set keeps one slot per fd number: the live watches of that fd and
 *   the registration in the epoll set (level-triggered, events = the union
 *   of the watches' conditions). A registration carries the fd and a
 *   serial in its epoll_data; the serial changes whenever the fd number is
 *   registered anew, so an event of an older registration (an fd closed and
 *   reused in the same ready batch) is recognised and dropped.
 * - A watch is found by its id (hash) when dispatched, never through a
 *   pointer kept from before a callback ran: a callback may remove any
 *   watch, and a removed watch is not called again, even when its fd is
 *   later in the same batch. A watch added during a dispatch waits for the
 *   next one (as a GSource attached during a dispatch does).
 * - Removing the last watch of an fd that is registered for input only
 *   leaves the registration in place (no epoll_ctl): the next watch on the
 *   same open file, the usual case for a poller's socket, costs one
 *   EPOLL_CTL_ADD answered EEXIST instead of a DEL and an ADD. Should such
 *   an idle registration fire, it is deleted then. Closing the fd removes it
 *   from the set by itself (epoll(7)), unless the file is still open
 *   elsewhere (a dup, a child process): its events then carry a serial no
 *   slot knows, and the set is rebuilt from the live watches.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <gio/gio.h>
#include <netmon/log.h>

#include "fdwatch.h"

/* Ready fds read per dispatch; more stay ready (level-triggered) and are
 * read on the next main loop iteration. */
#define FDW_BATCH 256
/* Watch ids snapshotted on the stack per ready fd before calling out. */
#define FDW_LOCAL_IDS 8

typedef struct {
	guint id;
	int fd;
	GIOCondition cond;
	GUnixFDSourceFunc fn;
	gpointer user_data;
	GDestroyNotify destroy;
	guint64 added_gen;  /* set->gen when added (not called in that one) */
	gboolean busy;      /* its callback is running */
	gboolean ended;     /* removed while busy: freed when it returns */
} fdw_watch;

typedef struct {
	fdw_watch **w;      /* live watches of this fd */
	guint n, cap;
	guint32 serial;     /* of the registration, 0: never registered */
	guint32 registered; /* its epoll events; 0: not in the set */
	guint64 serial_gen; /* set->gen when the serial last changed */
} fdw_slot;

typedef struct {
	GSource base;
	nm_fdwatch *set;
} fdw_source;

struct nm_fdwatch {
	GSource *source;
	gpointer tag;       /* of the epoll fd in the source */
	int epfd;
	fdw_slot *slots;    /* indexed by fd */
	guint nslots;
	GHashTable *by_id;  /* id -> fdw_watch* (live ones) */
	guint last_id;
	guint32 last_serial;
	guint64 gen;        /* dispatches started */
	gboolean dispatching;
	nm_fdwatch_stats st;
	struct epoll_event ev[FDW_BATCH];
};

static guint32 epoll_events_of(GIOCondition c)
{
	return ((c & G_IO_IN) ? EPOLLIN : 0u) | ((c & G_IO_OUT) ? EPOLLOUT : 0u) |
	       ((c & G_IO_PRI) ? EPOLLPRI : 0u);
}

static GIOCondition condition_of(guint32 e)
{
	GIOCondition c = 0;

	if (e & EPOLLIN)
		c |= G_IO_IN;
	if (e & EPOLLOUT)
		c |= G_IO_OUT;
	if (e & EPOLLPRI)
		c |= G_IO_PRI;
	if (e & EPOLLERR)
		c |= G_IO_ERR;
	if (e & EPOLLHUP)
		c |= G_IO_HUP;
	return c;
}

static guint64 epoll_key(int fd, guint32 serial)
{
	return ((guint64)serial << 32) | (guint32)fd;
}

static guint32 next_serial(nm_fdwatch *set)
{
	if (++set->last_serial == 0)
		set->last_serial = 1;
	return set->last_serial;
}

static guint32 slot_want(const fdw_slot *s)
{
	guint32 e = 0;

	for (guint i = 0; i < s->n; i++)
		e |= epoll_events_of(s->w[i]->cond);
	return e;
}

static int ctl(nm_fdwatch *set, int op, int fd, guint32 events, guint32 serial)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.u64 = epoll_key(fd, serial);
	return epoll_ctl(set->epfd, op, fd, op == EPOLL_CTL_DEL ? NULL : &ev);
}

static void ctl_failed(nm_fdwatch *set, const char *op, int fd, int e)
{
	set->st.ctl_errors++;
	nm_log(NM_LOG_ERROR, "core", "fd watch: epoll_ctl(%s, fd %d): %s", op, fd,
	       g_strerror(e));
}

/* Register fd @fd (slot @s) with its watches' events, a new watch being
 * among them already. One EPOLL_CTL_ADD; EEXIST means this open file is
 * registered already (idle or with other watches): then a MOD only if the
 * events differ or the slot did not know it was registered. */
static gboolean slot_register(nm_fdwatch *set, int fd, fdw_slot *s)
{
	guint32 want = slot_want(s);
	guint32 serial = next_serial(set);

	if (ctl(set, EPOLL_CTL_ADD, fd, want, serial) == 0) {
		s->serial = serial;
		s->serial_gen = set->gen;
		s->registered = want;
		return TRUE;
	}
	if (errno != EEXIST) {
		ctl_failed(set, "ADD", fd, errno);
		return FALSE;
	}
	if (s->registered == want && s->serial != 0)
		return TRUE;
	if (s->registered == 0 || s->serial == 0) {
		/* Registered by an older registration the slot forgot (a DEL
		 * that failed): take it over with a new serial. */
		s->serial = serial;
		s->serial_gen = set->gen;
	}
	if (ctl(set, EPOLL_CTL_MOD, fd, want, s->serial) != 0) {
		ctl_failed(set, "MOD", fd, errno);
		return FALSE;
	}
	s->registered = want;
	return TRUE;
}

/* Delete the registration of @fd. FALSE when the kernel no longer finds it
 * under this fd (closed: EBADF, or reused by another file: ENOENT). */
static gboolean slot_unregister(nm_fdwatch *set, int fd, fdw_slot *s)
{
	s->registered = 0;
	if (ctl(set, EPOLL_CTL_DEL, fd, 0, 0) == 0)
		return TRUE;
	if (errno != EBADF && errno != ENOENT)
		ctl_failed(set, "DEL", fd, errno);
	return FALSE;
}

/* The watches of @fd changed (one removed): follow in the epoll set. */
static void slot_update(nm_fdwatch *set, int fd, fdw_slot *s)
{
	guint32 want = slot_want(s);

	if (s->registered == 0 || want == s->registered)
		return;
	if (want == 0 && !(s->registered & (EPOLLOUT | EPOLLPRI)))
		return; /* idle, input only: kept (see the header comment) */
	if (want == 0) {
		/* Writable is nearly always true: would fire at once. */
		slot_unregister(set, fd, s);
		return;
	}
	if (ctl(set, EPOLL_CTL_MOD, fd, want, s->serial) != 0) {
		ctl_failed(set, "MOD", fd, errno);
		s->registered = 0;
		return;
	}
	s->registered = want;
}

static fdw_slot *slot_of(nm_fdwatch *set, int fd)
{
	if ((guint)fd >= set->nslots) {
		guint n = MAX(set->nslots * 2, 64u);

		while (n <= (guint)fd)
			n *= 2;
		set->slots = g_renew(fdw_slot, set->slots, n);
		memset(set->slots + set->nslots, 0,
		       (n - set->nslots) * sizeof *set->slots);
		set->nslots = n;
	}
	return &set->slots[fd];
}

static void slot_append(fdw_slot *s, fdw_watch *w)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1;
		s->w = g_renew(fdw_watch *, s->w, s->cap);
	}
	s->w[s->n++] = w;
}

static void slot_drop(fdw_slot *s, const fdw_watch *w)
{
	for (guint i = 0; i < s->n; i++) {
		if (s->w[i] == w) {
			s->w[i] = s->w[--s->n];
			return;
		}
	}
}

static void watch_free(fdw_watch *w)
{
	if (w->destroy != NULL)
		w->destroy(w->user_data);
	g_free(w);
}

/* Recreate the epoll set from the live watches: the only way to drop a
 * registration whose fd was closed while its file stays open elsewhere. */
static void rebuild(nm_fdwatch *set)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);
	int old = set->epfd;

	if (fd < 0) {
		nm_log(NM_LOG_ERROR, "core", "fd watch: epoll_create1: %s",
		       g_strerror(errno));
		return;
	}
	set->st.rebuilds++;
	nm_log(NM_LOG_WARNING, "core",
	       "fd watch: events of an fd closed while watched (%" G_GUINT64_FORMAT
	       " so far): epoll set rebuilt", set->st.stale_events);
	g_source_remove_unix_fd(set->source, set->tag);
	set->epfd = fd;
	set->tag = g_source_add_unix_fd(set->source, fd, G_IO_IN);
	close(old);
	for (guint i = 0; i < set->nslots; i++) {
		fdw_slot *s = &set->slots[i];

		s->registered = 0;
		if (s->n > 0)
			slot_register(set, (int)i, s);
	}
}

/* Call the live watches of @fd (as of now; later removals are honoured). */
static void dispatch_fd(nm_fdwatch *set, int fd, GIOCondition cond)
{
	guint local[FDW_LOCAL_IDS];
	guint *ids = local;
	guint n = set->slots[fd].n;

	if (n > FDW_LOCAL_IDS)
		ids = g_new(guint, n);
	for (guint i = 0; i < n; i++)
		ids[i] = set->slots[fd].w[i]->id;
	for (guint i = 0; i < n; i++) {
		fdw_watch *w = g_hash_table_lookup(set->by_id, GUINT_TO_POINTER(ids[i]));
		GIOCondition c;
		gboolean keep;

		if (w == NULL || w->added_gen == set->gen)
			continue; /* removed by a callback, or new */
		c = cond & (w->cond | G_IO_ERR | G_IO_HUP);
		if (c == 0)
			continue;
		set->st.dispatches++;
		w->busy = TRUE;
		keep = w->fn(fd, c, w->user_data);
		w->busy = FALSE;
		if (w->ended)
			watch_free(w); /* removed from within its callback */
		else if (!keep)
			nm_fdwatch_remove(set, ids[i]);
	}
	if (ids != local)
		g_free(ids);
}

static gboolean fdw_dispatch(GSource *source, GSourceFunc unused_cb,
			     gpointer unused_data)
{
	nm_fdwatch *set = ((fdw_source *)source)->set;
	gboolean stale = FALSE;
	int n;

	(void)unused_cb;
	(void)unused_data;
	n = epoll_wait(set->epfd, set->ev, FDW_BATCH, 0);
	if (n < 0) {
		if (errno != EINTR)
			nm_log(NM_LOG_ERROR, "core", "fd watch: epoll_wait: %s",
			       g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	set->gen++;
	set->st.wakeups++;
	set->dispatching = TRUE;
	for (int i = 0; i < n; i++) {
		int fd = (int)(guint32)set->ev[i].data.u64;
		guint32 serial = (guint32)(set->ev[i].data.u64 >> 32);
		fdw_slot *s;

		if (fd < 0 || (guint)fd >= set->nslots) {
			set->st.stale_events++;
			stale = TRUE;
			continue;
		}
		s = &set->slots[fd];
		if (s->serial != serial) {
			/* Registered anew in this batch (closed and reused by
			 * a callback): the event was the old file's. Else a
			 * registration no slot owns any more. */
			if (s->serial_gen != set->gen) {
				set->st.stale_events++;
				stale = TRUE;
			}
			continue;
		}
		if (s->n == 0) {
			/* An idle registration fired: delete it now. */
			if (s->registered != 0 && !slot_unregister(set, fd, s)) {
				set->st.stale_events++;
				stale = TRUE;
			}
			s->registered = 0;
			continue;
		}
		dispatch_fd(set, fd, condition_of(set->ev[i].events));
	}
	set->dispatching = FALSE;
	if (stale)
		rebuild(set);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs fdw_funcs = {
	.dispatch = fdw_dispatch,
};

nm_fdwatch *nm_fdwatch_new(GMainContext *context, GError **err)
{
	nm_fdwatch *set;
	int fd = epoll_create1(EPOLL_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e),
			    "cannot make the fd watch set: epoll_create1: %s",
			    g_strerror(e));
		return NULL;
	}
	set = g_new0(nm_fdwatch, 1);
	set->epfd = fd;
	set->by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
	set->source = g_source_new(&fdw_funcs, sizeof(fdw_source));
	((fdw_source *)set->source)->set = set;
	g_source_set_name(set->source, "netmon fd watches");
	g_source_set_priority(set->source, G_PRIORITY_DEFAULT);
	set->tag = g_source_add_unix_fd(set->source, fd, G_IO_IN);
	g_source_attach(set->source, context);
	return set;
}

void nm_fdwatch_free(nm_fdwatch *set)
{
	GHashTableIter it;
	gpointer id;

	if (set == NULL)
		return;
	/* Each removal may run a destroy notify that removes others. */
	for (;;) {
		g_hash_table_iter_init(&it, set->by_id);
		if (!g_hash_table_iter_next(&it, &id, NULL))
			break;
		nm_fdwatch_remove(set, GPOINTER_TO_UINT(id));
	}
	g_source_destroy(set->source);
	g_source_unref(set->source);
	close(set->epfd);
	for (guint i = 0; i < set->nslots; i++)
		g_free(set->slots[i].w);
	g_free(set->slots);
	g_hash_table_destroy(set->by_id);
	g_free(set);
}

guint nm_fdwatch_add(nm_fdwatch *set, int fd, GIOCondition condition,
		     GUnixFDSourceFunc fn, gpointer user_data,
		     GDestroyNotify destroy)
{
	fdw_watch *w;
	fdw_slot *s;

	g_return_val_if_fail(set != NULL && fd >= 0 && fn != NULL, 0);
	w = g_new0(fdw_watch, 1);
	w->fd = fd;
	w->cond = condition;
	w->fn = fn;
	w->user_data = user_data;
	w->destroy = destroy;
	w->added_gen = set->dispatching ? set->gen : 0;
	s = slot_of(set, fd);
	slot_append(s, w);
	if (!slot_register(set, fd, s)) {
		slot_drop(s, w);
		g_free(w);
		return 0;
	}
	do {
		w->id = ++set->last_id;
	} while (w->id == 0 ||
		 g_hash_table_contains(set->by_id, GUINT_TO_POINTER(w->id)));
	g_hash_table_insert(set->by_id, GUINT_TO_POINTER(w->id), w);
	return w->id;
}

gboolean nm_fdwatch_remove(nm_fdwatch *set, guint id)
{
	fdw_watch *w;
	fdw_slot *s;

	if (set == NULL || id == 0)
		return FALSE;
	w = g_hash_table_lookup(set->by_id, GUINT_TO_POINTER(id));
	if (w == NULL)
		return FALSE;
	g_hash_table_remove(set->by_id, GUINT_TO_POINTER(id));
	s = &set->slots[w->fd];
	slot_drop(s, w);
	slot_update(set, w->fd, s);
	w->ended = TRUE;
	if (!w->busy)
		watch_free(w);
	return TRUE;
}

void nm_fdwatch_get_stats(const nm_fdwatch *set, nm_fdwatch_stats *out)
{
	*out = set->st;
	out->watches = g_hash_table_size(set->by_id);
}
