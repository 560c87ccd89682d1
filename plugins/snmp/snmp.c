/* netmon snmp plugin — asynchronous SNMP polling (traps: snmp-trap.c).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Every target has its own net-snmp single session (snmp_sess_open, one UDP
 * socket) whose socket is watched by the core's main loop; replies are
 * read with snmp_sess_read2() and a large fd set, so nothing here is
 * limited by FD_SETSIZE, and nothing blocks. A 50 ms plugin timer calls
 * snmp_sess_timeout() for the sessions with a request outstanding, so a
 * dead target costs a timeout on its own requests only. Addresses given
 * as DNS names are resolved with GResolver (asynchronous, at start and
 * every snmp.resolve_interval), never by net-snmp on the main loop.
 *
 * A poll of a target is a sequence of requests, one at a time: GETs of the
 * scalars (sysUpTime.0 always, for restart detection), then one walk per
 * table column with GETBULK (RFC 3416 §4.2.3; GETNEXT for v1). Each
 * target's poll is driven by its own core timer returning NM_RUN_PENDING,
 * so polls of one target never overlap (the core skips and counts the turn
 * as missed). At most snmp.max_in_flight requests are outstanding over all
 * targets; further ones wait in a FIFO.
 *
 * Metrics: host = target name, plugin "snmp", type from the collect set,
 * type instance = interface name etc. Counters are published as DERIVE
 * values made continuous by nm_snmp_counter_update(): an agent restart
 * (sysUpTime went back) or a counter wrap never shows as a spike.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <dlfcn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <syslog.h>

#include <net-snmp/library/large_fd_set.h>

#include "snmp-logic.h"
#include "snmp-sched.h"
#include "snmp-trap.h"

#define SCALARS_PER_PDU 16
#define TICK_INTERVAL (50 * 1000)   /* µs, net-snmp timeout checks */

typedef struct snmp_plugin snmp_plugin;

/* One walked value. */
typedef struct {
	gboolean have;
	nm_snmp_number num;
	gboolean numeric;
	char *str;
} cell;

/* One column of a table walk in progress. */
typedef struct {
	guint col;          /* column of the table definition */
	nm_snmp_oid cur;    /* last OID received (the column's OID at first) */
	guint rows;
	gboolean done;
} walk_col;

/* One row of a walked table, keyed by its index string. Kept from poll
 * to poll while the agent has it (no allocation per row and poll); its
 * cells count only once this poll's walk has set them. */
typedef struct {
	char *index;
	cell *cells;      /* one per table column */
	guint gen;        /* table_state.gen of the last poll that saw it */
} row;

/* One table of a target's poll. */
typedef struct {
	const nm_snmp_table *def;
	GHashTable *rows;  /* index string -> row*: this and the last poll's */
	GPtrArray *order;  /* row*, in walk order: this poll's */
	guint gen;         /* the poll's number, for row.gen */
	guint last_rows;   /* rows of the last poll: sizes the next GETBULK */
	GHashTable *used;  /* scratch of publish_results(): instance names
			      given in this poll (owned strings) */
} table_state;

typedef struct {
	snmp_plugin *sp;
	nm_snmp_target_conf *conf;
	void *sessp;
	int fd;
	guint watch;
	gint64 next_due;        /* monotonic µs of the next turn */

	GArray *scalars;        /* nm_snmp_oid: merged scalar OIDs */
	GArray *scalar_have;    /* gboolean per scalar */
	GArray *scalar_vals;    /* nm_snmp_number per scalar */
	GArray *scalar_absent;  /* gboolean: v1 noSuchName, leave out */
	char *sys_name, *sys_descr;
	int sys_name_idx, sys_descr_idx;
	GPtrArray *set_scalar_map; /* per set: int* mapping set scalar -> merged */
	GPtrArray *tables;      /* table_state* */

	/* the poll in progress */
	gboolean polling;
	gboolean in_cb;         /* inside poll_cb: it reports the end itself */
	gboolean in_flight;     /* a request is outstanding */
	gboolean queued;        /* waiting for an in-flight slot */
	netsnmp_pdu *pending;
	gint64 poll_start, poll_real;
	int phase;              /* 0 scalars, 1 walks */
	guint scalar_pos, scalar_n;
	guint walk_table;       /* table being walked */
	guint walk_pass;        /* 0: its value columns, 1: fallback-only ones */
	guint walk_next;        /* next column of the pass to consider */
	GArray *group;          /* walk_col: the columns walked together, in
				   one GETBULK (v2c/v3) or one by one (v1) */
	gboolean folded;        /* the request out carries the scalars as
				   GETBULK non-repeaters */
	gboolean cb_hit;        /* net-snmp called back during this read */
	gboolean cb_stranger;   /* ... with a reply from another address */
	GList fly_link;         /* in sp->flying while in_flight */

	/* the agent's address as resolved by net-snmp (family 0: unknown,
	 * then replies are not checked against it) */
	struct sockaddr_storage peer;

	/* DNS (address given as a name): resolved asynchronously */
	guint index;            /* in sp->targets */
	char *dns_host;         /* the name, NULL for an address literal */
	char *dns_port;
	gboolean dns_tcp, dns_v6;
	char *resolved;         /* numeric peer spec of the last answer */
	char *dns_error;        /* last lookup's failure, NULL after success */
	gboolean resolving;     /* a lookup is under way */
	gboolean dns_wait;      /* the poll waits for that lookup */
	gboolean addr_changed;  /* reopen the session at the next poll */

	/* kept across polls */
	gboolean have_uptime;
	guint32 uptime;
	gint64 uptime_time;
	GHashTable *counters;   /* series key -> nm_snmp_counter* */

	/* statistics */
	guint64 polls, successes, failures, timeouts, varbinds, metrics;
	guint64 restarts, walk_errors, truncated;
	guint64 skipped;        /* turns skipped: the previous poll still ran */
	guint64 overlaps;       /* a second request of one poll sent while one
				   was in flight: must stay 0 */
	guint64 deadline_aborts; /* polls aborted at snmp.deadline */
	guint64 wrong_source;   /* datagrams from another address/port */
	guint64 unmatched;      /* replies matching no outstanding request */
	guint64 unmatched_poll; /* unmatched at the start of this poll */
	gint64 last_success, last_error_time, last_duration, max_duration;
	char *last_error;
} target;

struct snmp_plugin {
	nm_plugin *p;
	nm_snmp_config *conf;
	GPtrArray *targets;     /* target* */
	GQueue waitq;           /* target* waiting for a request slot */
	GQueue flying;          /* target* with a request in flight (links
				   in the targets): what tick() checks */
	nm_snmp_sched *sched;   /* target* by due time of the next poll */
	GString *keybuf;        /* scratch: counter keys */
	GString *instbuf, *tibuf; /* scratch: instance names */
	netsnmp_large_fd_set fds; /* scratch: one socket's bit at a time */
	gboolean fds_init;
	int in_flight;
	int max_in_flight;
	gint64 queued_max;
	nm_counter *c_requests, *c_timeouts, *c_polls_failed, *c_metrics;
	nm_counter *c_wrong_source, *c_unmatched;
	nm_snmp_trap *trap;     /* receiver on trap_listen, or NULL */
	/* DNS */
	GResolver *resolver;
	GCancellable *cancel;
	guint pending_lookups;
	gboolean stopped;       /* shutting down: lookups only return */
	nm_counter *c_resolve_fail;
};

static const oid sysUpTime0[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid sysName0[] = { 1, 3, 6, 1, 2, 1, 1, 5, 0 };
static const oid sysDescr0[] = { 1, 3, 6, 1, 2, 1, 1, 1, 0 };

static void send_next(target *t);
static void poll_start(target *t);
static void target_close(target *t);
static gboolean fold_ok(const target *t);
static void poll_fail(target *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Numeric dotted text of an OID (new string, g_free()). */
static char *oid_text(const oid *name, size_t len)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < len; i++)
		g_string_append_printf(s, "%s%lu", i ? "." : "",
				       (unsigned long)name[i]);
	return g_string_free(s, FALSE);
}

static void row_free(gpointer data, guint ncols)
{
	row *r = data;

	for (guint c = 0; c < ncols; c++)
		g_free(r->cells[c].str);
	g_free(r->cells);
	g_free(r->index);
	g_free(r);
}

static gboolean row_stale(gpointer key, gpointer value, gpointer data)
{
	const table_state *ts = data;
	row *r = value;

	(void)key;
	if (r->gen == ts->gen)
		return FALSE;
	row_free(r, ts->def->cols->len);
	return TRUE;
}

/* End of a poll (after publishing): the rows this poll did not see are
 * freed (an interface gone never comes back from memory as a stale
 * instance); the others are kept for the next poll, which sets their
 * cells anew. */
static void table_state_clear(table_state *ts)
{
	g_hash_table_foreach_remove(ts->rows, row_stale, ts);
	g_ptr_array_set_size(ts->order, 0);
	ts->gen++;
}

/* Free every row (target freed). */
static void table_state_free_rows(table_state *ts)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, ts->rows);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		g_hash_table_iter_steal(&it);
		row_free(v, ts->def->cols->len);
	}
	g_ptr_array_set_size(ts->order, 0);
}

/* Index of scalar @name in the target's merged GET list, added if new. */
static int scalar_add(target *t, const oid *name, size_t len)
{
	nm_snmp_oid o;
	gboolean f = FALSE;
	nm_snmp_number z = { 0 };

	for (guint i = 0; i < t->scalars->len; i++) {
		nm_snmp_oid *e = &g_array_index(t->scalars, nm_snmp_oid, i);
		if (snmp_oid_compare(e->name, e->len, name, len) == 0)
			return (int)i;
	}
	memcpy(o.name, name, len * sizeof(oid));
	o.len = len;
	g_array_append_val(t->scalars, o);
	g_array_append_val(t->scalar_have, f);
	g_array_append_val(t->scalar_absent, f);
	g_array_append_val(t->scalar_vals, z);
	return (int)t->scalars->len - 1;
}

/* Runtime state of one target: merged scalars (sysUpTime.0 first, then
 * sysName.0/sysDescr.0 for "system", then every set's scalars, without
 * duplicates) and one table_state per table of its sets. @conf is
 * borrowed from the plugin's nm_snmp_config. No I/O yet. */
static target *target_new(snmp_plugin *sp, nm_snmp_target_conf *conf)
{
	target *t = g_new0(target, 1);
	gboolean system = FALSE;

	t->sp = sp;
	t->conf = conf;
	t->fd = -1;
	t->scalars = g_array_new(FALSE, TRUE, sizeof(nm_snmp_oid));
	t->scalar_have = g_array_new(FALSE, TRUE, sizeof(gboolean));
	t->scalar_absent = g_array_new(FALSE, TRUE, sizeof(gboolean));
	t->scalar_vals = g_array_new(FALSE, TRUE, sizeof(nm_snmp_number));
	t->set_scalar_map = g_ptr_array_new_with_free_func(g_free);
	t->tables = g_ptr_array_new();
	t->group = g_array_new(FALSE, TRUE, sizeof(walk_col));
	t->counters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    g_free);
	t->sys_name_idx = t->sys_descr_idx = -1;
	if (nm_snmp_peer_split(conf->address, &t->dns_tcp, &t->dns_v6,
			       &t->dns_host, &t->dns_port) &&
	    g_hostname_is_ip_address(t->dns_host)) {
		g_clear_pointer(&t->dns_host, g_free);
		g_clear_pointer(&t->dns_port, g_free);
	}
	scalar_add(t, sysUpTime0, G_N_ELEMENTS(sysUpTime0));
	for (guint i = 0; i < conf->sets->len; i++) {
		const nm_snmp_set *s = g_ptr_array_index(conf->sets, i);
		system |= s->system;
	}
	if (system) {
		t->sys_name_idx = scalar_add(t, sysName0, G_N_ELEMENTS(sysName0));
		t->sys_descr_idx = scalar_add(t, sysDescr0, G_N_ELEMENTS(sysDescr0));
	}
	for (guint i = 0; i < conf->sets->len; i++) {
		const nm_snmp_set *s = g_ptr_array_index(conf->sets, i);
		int *map = g_new0(int, s->scalar_oids->len + 1);

		for (guint k = 0; k < s->scalar_oids->len; k++) {
			const nm_snmp_oid *o = &g_array_index(s->scalar_oids,
							      nm_snmp_oid, k);
			map[k] = scalar_add(t, o->name, o->len);
		}
		g_ptr_array_add(t->set_scalar_map, map);
		for (guint k = 0; k < s->tables->len; k++) {
			table_state *ts = g_new0(table_state, 1);

			ts->def = g_ptr_array_index(s->tables, k);
			ts->rows = g_hash_table_new(g_str_hash, g_str_equal);
			ts->used = g_hash_table_new_full(g_str_hash, g_str_equal,
							 g_free, NULL);
			ts->order = g_ptr_array_new();
			g_ptr_array_add(t->tables, ts);
		}
	}
	return t;
}

/* Remove the fd watch and close the session: outstanding requests are
 * dropped by net-snmp without calling back. */
static void watch_off(target *t);

static void target_close(target *t)
{
	watch_off(t);
	if (t->sessp != NULL) {
		snmp_sess_close(t->sessp);
		t->sessp = NULL;
	}
	t->fd = -1;
}

/* Close and free a target (not in the wait queue any more). */
static void target_free(target *t)
{
	target_close(t);
	if (t->pending != NULL)
		snmp_free_pdu(t->pending);
	for (guint i = 0; i < t->tables->len; i++) {
		table_state *ts = g_ptr_array_index(t->tables, i);

		table_state_free_rows(ts);
		g_hash_table_destroy(ts->rows);
		g_hash_table_destroy(ts->used);
		g_ptr_array_free(ts->order, TRUE);
		g_free(ts);
	}
	g_ptr_array_free(t->tables, TRUE);
	g_array_free(t->group, TRUE);
	g_ptr_array_free(t->set_scalar_map, TRUE);
	g_array_free(t->scalars, TRUE);
	g_array_free(t->scalar_have, TRUE);
	g_array_free(t->scalar_absent, TRUE);
	g_array_free(t->scalar_vals, TRUE);
	g_hash_table_destroy(t->counters);
	g_free(t->sys_name);
	g_free(t->sys_descr);
	g_free(t->last_error);
	g_free(t->dns_host);
	g_free(t->dns_port);
	g_free(t->resolved);
	g_free(t->dns_error);
	g_free(t);
}

/* ------------------------------------------------------------------ */
/* Sessions and I/O                                                    */

/* Is @from (a datagram's source) the target's agent? Address and port
 * must both match; an unknown peer family accepts everything. */
static gboolean from_peer(const target *t, const struct sockaddr_storage *from)
{
	if (t->peer.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&t->peer;
		const struct sockaddr_in *b = (const void *)from;

		return from->ss_family == AF_INET && a->sin_port == b->sin_port &&
		       a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (t->peer.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)&t->peer;
		const struct sockaddr_in6 *b = (const void *)from;

		return from->ss_family == AF_INET6 &&
		       a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr,
			      sizeof(a->sin6_addr)) == 0;
	}
	return TRUE;
}

/* Did @pdu come from the target's agent? net-snmp's UDP transports
 * (IPv4 and IPv6) hand the datagram's source address over as the PDU's
 * transport data, with the remote sockaddr first. An unknown peer family
 * (stream transports: connected) accepts everything; missing transport
 * data from a UDP peer is refused. */
static gboolean pdu_from_peer(const target *t, const netsnmp_pdu *pdu)
{
	struct sockaddr_storage from;
	size_t n;

	if (t->peer.ss_family != AF_INET && t->peer.ss_family != AF_INET6)
		return TRUE;
	if (pdu->transport_data == NULL ||
	    pdu->transport_data_length < (int)sizeof(struct sockaddr_in))
		return FALSE;
	memset(&from, 0, sizeof(from));
	n = MIN((size_t)pdu->transport_data_length, sizeof(from));
	memcpy(&from, pdu->transport_data, n);
	if (from.ss_family == AF_INET6 && n < sizeof(struct sockaddr_in6))
		return FALSE;
	return from_peer(t, &from);
}

/* fd watch: the target's socket is readable (the watch stays on between
 * polls: the core's epoll set costs nothing for an idle socket; a late
 * reply is read and dropped by net-snmp as unmatched).
 *
 * A reply from another address or port than the agent's is dropped and
 * counted (wrong_source): net-snmp itself accepts a reply from anywhere
 * if its request-id matches.
 * - v1/v2c: response_cb() checks the source net-snmp read with the
 *   datagram (pdu_from_peer()) and returns 0 for a stranger's reply, so
 *   net-snmp keeps the request waiting for the agent's own answer; one
 *   recvmsg per datagram. A stranger's datagram matching no request of
 *   ours is counted as unmatched.
 * - v3: the source is checked before net-snmp sees the datagram (one
 *   recvfrom with MSG_PEEK): a stranger's Report must never reach
 *   net-snmp's USM processing (engine ID discovery, time window).
 * snmp_sess_read2() with a large fd set (no FD_SETSIZE limit) parses the
 * datagram and calls response_cb() for the matching request, or
 * unsolicited_cb() for any other. Main loop thread. */
static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	target *t = data;
	snmp_plugin *sp = t->sp;

	(void)cond;
	if (t->sessp == NULL)
		return G_SOURCE_CONTINUE;
	if (t->conf->sec.version == SNMP_VERSION_3) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		char byte;

		memset(&from, 0, sizeof(from));
		if (recvfrom(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen) < 0)
			return G_SOURCE_CONTINUE; /* EAGAIN, or an ICMP error:
						     net-snmp reports the
						     timeout */
		if (!from_peer(t, &from)) {
			if (recv(fd, &byte, 1, MSG_DONTWAIT) >= 0) {
				t->wrong_source++;
				nm_counter_add(t->sp->c_wrong_source, 1);
			}
			return G_SOURCE_CONTINUE;
		}
	}
	/* one fd set kept for all reads (grown as needed): setting up a
	 * large set per datagram cost a malloc and a clear of 1,000+ bits */
	if (!sp->fds_init) {
		netsnmp_large_fd_set_init(&sp->fds, MAX(fd + 1, FD_SETSIZE));
		sp->fds_init = TRUE;
	} else if ((unsigned)fd >= sp->fds.lfs_setsize) {
		netsnmp_large_fd_set_resize(&sp->fds, fd + 1);
	}
	NETSNMP_LARGE_FD_SET(fd, &sp->fds);
	/* Errors (a datagram that does not parse, an ICMP error) are
	 * reported by net-snmp through the callback or ignored: the
	 * request then times out, which is counted. */
	t->cb_hit = FALSE;
	t->cb_stranger = FALSE;
	(void)snmp_sess_read2(t->sessp, &sp->fds);
	NETSNMP_LARGE_FD_CLR(fd, &sp->fds);
	if (t->cb_stranger) {
		/* a reply from another address (v1/v2c), refused by
		 * response_cb(): the request goes on waiting */
		t->wrong_source++;
		nm_counter_add(sp->c_wrong_source, 1);
	} else if (!t->cb_hit) {
		/* A datagram that reached no request's callback: net-snmp
		 * dropped it (a request-id matching nothing outstanding,
		 * e.g. forged or after its timeout; or it did not parse). */
		t->unmatched++;
		nm_counter_add(sp->c_unmatched, 1);
	}
	return G_SOURCE_CONTINUE;
}

static int response_cb(int op, netsnmp_session *sess, int reqid,
		       netsnmp_pdu *pdu, void *magic);

/* The session's own callback: net-snmp calls it for a received PDU that
 * is no response to a request of ours (a response whose request-id
 * matches nothing outstanding it drops itself). Dropped; on_readable()
 * counts it as unmatched; the request in flight goes on waiting.
 * Returns 1. */
static int unsolicited_cb(int op, netsnmp_session *sess, int reqid,
			  netsnmp_pdu *pdu, void *magic)
{
	(void)sess;
	(void)reqid;
	(void)pdu;
	(void)op;
	(void)magic;
	/* on_readable() counts the datagram as unmatched */
	return 1;
}

/* Is @fd a datagram socket? */
static gboolean socket_is_dgram(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	       type == SOCK_DGRAM;
}

/* Open the target's session (first poll, or again after an error).
 * Returns FALSE with the target's error set. */
static gboolean target_open(target *t)
{
	netsnmp_session s;
	const nm_snmp_security *sec = &t->conf->sec;
	netsnmp_transport *tr;

	snmp_sess_init(&s);
	/* a DNS name was resolved by resolve_target(): never here, where
	 * net-snmp's getaddrinfo() would block the main loop */
	s.peername = t->resolved != NULL ? t->resolved : t->conf->address;
	s.version = sec->version;
	s.timeout = (long)t->conf->timeout;
	s.retries = t->conf->retries;
	s.flags |= SNMP_FLAGS_DONT_PROBE; /* no blocking engineID probe:
					      discovery happens in-band */
	s.callback = unsolicited_cb;
	s.callback_magic = t;
	if (sec->version != SNMP_VERSION_3) {
		s.community = (u_char *)sec->community;
		s.community_len = strlen(sec->community);
	} else {
		s.securityName = sec->user;
		s.securityNameLen = strlen(sec->user);
		s.securityLevel = sec->level;
		s.contextName = sec->context;
		s.contextNameLen = strlen(sec->context);
		s.securityModel = SNMP_SEC_MODEL_USM;
		if (sec->level >= SNMP_SEC_LEVEL_AUTHNOPRIV) {
			s.securityAuthProto = (oid *)sec->auth_proto;
			s.securityAuthProtoLen = sec->auth_proto_len;
			s.securityAuthKeyLen = USM_AUTH_KU_LEN;
			if (generate_Ku(s.securityAuthProto, (u_int)s.securityAuthProtoLen,
					(const u_char *)sec->auth_password,
					strlen(sec->auth_password),
					s.securityAuthKey,
					&s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
				poll_fail(t, "cannot derive the key from "
					  "auth_password (auth_protocol not "
					  "supported by this net-snmp?)");
				return FALSE;
			}
		}
		if (sec->level == SNMP_SEC_LEVEL_AUTHPRIV) {
			s.securityPrivProto = (oid *)sec->priv_proto;
			s.securityPrivProtoLen = sec->priv_proto_len;
			s.securityPrivKeyLen = USM_PRIV_KU_LEN;
			if (generate_Ku(s.securityAuthProto, (u_int)s.securityAuthProtoLen,
					(const u_char *)sec->priv_password,
					strlen(sec->priv_password),
					s.securityPrivKey,
					&s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
				memset(s.securityAuthKey, 0, sizeof(s.securityAuthKey));
				poll_fail(t, "cannot derive the key from priv_password");
				return FALSE;
			}
		}
	}
	t->sessp = snmp_sess_open(&s);
	memset(s.securityAuthKey, 0, sizeof(s.securityAuthKey));
	memset(s.securityPrivKey, 0, sizeof(s.securityPrivKey));
	if (t->sessp == NULL) {
		int cerr = 0, serr = 0;
		char *msg = NULL;

		snmp_error(&s, &cerr, &serr, &msg);
		poll_fail(t, "cannot open a session to address %s: %s",
			  t->conf->address, msg ? msg : "unknown error");
		free(msg);
		return FALSE;
	}
	tr = snmp_sess_transport(t->sessp);
	if (tr == NULL || tr->sock < 0) {
		snmp_sess_close(t->sessp);
		t->sessp = NULL;
		poll_fail(t, "session to %s has no socket", t->conf->address);
		return FALSE;
	}
	t->fd = tr->sock;
	memset(&t->peer, 0, sizeof(t->peer));
	/* UDP transports keep {remote, local} address pairs in ->data (a
	 * stream transport is connected: nothing to check there) */
	if (socket_is_dgram(t->fd) && tr->data != NULL &&
	    tr->data_length >= (int)sizeof(netsnmp_addr_pair)) {
		const netsnmp_addr_pair *ap = tr->data;

		if (ap->remote_addr.sa.sa_family == AF_INET)
			memcpy(&t->peer, &ap->remote_addr.sin, sizeof(struct sockaddr_in));
		else if (ap->remote_addr.sa.sa_family == AF_INET6)
			memcpy(&t->peer, &ap->remote_addr.sin6, sizeof(struct sockaddr_in6));
	}
	return TRUE;
}

/* The socket is watched from the first poll until the session closes:
 * the core keeps fd watches in one epoll set, so an idle socket costs
 * nothing per wake-up of the loop (a watch per poll cost an epoll_ctl and
 * the watch bookkeeping every time). */
static void watch_on(target *t)
{
	if (t->watch == 0 && t->fd >= 0)
		t->watch = nm_plugin_add_watch(t->sp->p, t->fd, G_IO_IN,
					       on_readable, t);
}

static void watch_off(target *t)
{
	if (t->watch != 0) {
		nm_plugin_remove_watch(t->sp->p, t->watch);
		t->watch = 0;
	}
}

static void pump(snmp_plugin *sp);

/* Send @pdu (taken over) asynchronously; a send failure ends the poll with
 * an error naming the cause. */
static void send_now(target *t, netsnmp_pdu *pdu)
{
	snmp_plugin *sp = t->sp;

	if (snmp_sess_async_send(t->sessp, pdu, response_cb, t) == 0) {
		int cerr = 0, serr = 0;
		char *msg = NULL;

		snmp_free_pdu(pdu);
		snmp_sess_error(t->sessp, &cerr, &serr, &msg);
		poll_fail(t, "cannot send a request: %s",
			  msg ? msg : "unknown error");
		free(msg);
		return;
	}
	if (t->in_flight)
		t->overlaps++;
	t->in_flight = TRUE;
	sp->in_flight++;
	t->fly_link.data = t;
	g_queue_push_tail_link(&sp->flying, &t->fly_link);
	nm_counter_add(sp->c_requests, 1);
}

/* Send @pdu now or when an in-flight slot frees (snmp.max_in_flight). */
static void submit(target *t, netsnmp_pdu *pdu)
{
	snmp_plugin *sp = t->sp;

	if (sp->in_flight < sp->max_in_flight && g_queue_is_empty(&sp->waitq)) {
		send_now(t, pdu);
		return;
	}
	t->pending = pdu;
	t->queued = TRUE;
	g_queue_push_tail(&sp->waitq, t);
	if ((gint64)g_queue_get_length(&sp->waitq) > sp->queued_max)
		sp->queued_max = g_queue_get_length(&sp->waitq);
}

/* Has the poll of @t run past its deadline (snmp.deadline) at @now? */
static gboolean past_deadline(const target *t, gint64 now)
{
	return t->polling && t->conf->deadline > 0 &&
	       now - t->poll_start > t->conf->deadline;
}

/* End the poll of @t at its deadline: the request in flight is dropped by
 * closing the session (net-snmp has no way to cancel one; the next poll
 * opens it again), a queued one freed; counted and reported as the
 * target's error. Nothing of the partial poll is published. */
static void poll_abort(target *t)
{
	snmp_plugin *sp = t->sp;

	if (t->queued) {
		g_queue_remove(&sp->waitq, t);
		t->queued = FALSE;
	}
	if (t->pending != NULL) {
		snmp_free_pdu(t->pending);
		t->pending = NULL;
	}
	if (t->in_flight) {
		t->in_flight = FALSE;
		sp->in_flight--;
		g_queue_unlink(&sp->flying, &t->fly_link);
	}
	target_close(t);
	t->deadline_aborts++;
	poll_fail(t, "poll aborted: still running after its deadline of "
		  "%.3g s", (double)t->conf->deadline / G_USEC_PER_SEC);
}

/* Send waiting requests while in-flight slots are free (FIFO order). */
static void pump(snmp_plugin *sp)
{
	while (sp->in_flight < sp->max_in_flight && !g_queue_is_empty(&sp->waitq)) {
		target *t = g_queue_pop_head(&sp->waitq);
		netsnmp_pdu *pdu = t->pending;

		t->pending = NULL;
		t->queued = FALSE;
		if (past_deadline(t, g_get_monotonic_time())) {
			snmp_free_pdu(pdu);
			poll_abort(t);
			continue;
		}
		send_now(t, pdu);
	}
}

/* Every 50 ms: start the polls that are due (a target still polling
 * when its next turn comes skips that turn and counts it: polls of one
 * target never overlap), then snmp_sess_timeout() on each session with a
 * request in flight, which retransmits (retries) or reports
 * NETSNMP_CALLBACK_OP_TIMED_OUT to response_cb(). Only that target's poll
 * is affected. */
static nm_run_status tick(nm_plugin *p, nm_timer *tm, gint64 due, gpointer data)
{
	snmp_plugin *sp = data;
	gint64 now = g_get_monotonic_time(), tdue;
	target *t;

	(void)p;
	(void)tm;
	(void)due;
	while ((t = nm_snmp_sched_pop_due(sp->sched, now, &tdue)) != NULL) {
		t->next_due = nm_snmp_sched_next_due(tdue, t->conf->interval,
						     now, &t->skipped);
		nm_snmp_sched_push(sp->sched, t->next_due, t);
		if (t->polling)
			t->skipped++;
		else
			poll_start(t);
	}
	/* snmp_sess_timeout() may end a poll (unlinking its target) and
	 * start waiting ones (linking theirs at the tail): walk a snapshot */
	if (sp->flying.length > 0) {
		guint n = sp->flying.length, k = 0;
		target **fl = g_new(target *, n);

		for (GList *l = sp->flying.head; l != NULL && k < n; l = l->next)
			fl[k++] = l->data;
		for (guint i = 0; i < k; i++) {
			if (past_deadline(fl[i], now) && fl[i]->in_flight)
				poll_abort(fl[i]);
			else if (fl[i]->in_flight && fl[i]->sessp != NULL)
				snmp_sess_timeout(fl[i]->sessp);
		}
		g_free(fl);
		pump(sp);
	}
	return NM_RUN_DONE;
}

/* ------------------------------------------------------------------ */
/* Poll results                                                        */

/* Fill @v of @kind from a reading: GAUGE scaled; COUNTER/DERIVE from an
 * SNMP counter type through @ctr (continuity across wraps and restarts),
 * else the raw integer; ABSOLUTE raw. */
static void set_value(nm_value *v, nm_ds_kind kind, const nm_snmp_number *n,
		      double scale, nm_snmp_counter *ctr, gboolean restarted)
{
	v->kind = kind;
	switch (kind) {
	case NM_DS_GAUGE:
		v->v.gauge = n->d * scale;
		break;
	case NM_DS_COUNTER:
	case NM_DS_DERIVE:
		if (n->bits != 0 && ctr != NULL) {
			guint64 acc = nm_snmp_counter_update(ctr, n->u, n->bits,
							     restarted);
			if (kind == NM_DS_COUNTER)
				v->v.counter = acc;
			else
				v->v.derive = (gint64)acc;
		} else if (kind == NM_DS_COUNTER) {
			v->v.counter = n->u != 0 ? n->u : (guint64)n->i;
		} else {
			v->v.derive = n->i;
		}
		break;
	case NM_DS_ABSOLUTE:
		v->v.absolute = n->u != 0 ? n->u : (guint64)n->i;
		break;
	}
}

/* The continuity state of the values of series @key ("type/instance"),
 * one per value of the metric, created on first use; kept across polls
 * for the target's lifetime. */
static nm_snmp_counter *counters_for(target *t, const char *key)
{
	nm_snmp_counter *c = g_hash_table_lookup(t->counters, key);

	if (c == NULL) {
		c = g_new0(nm_snmp_counter, NM_SNMP_MAX_VALUES);
		g_hash_table_insert(t->counters, g_strdup(key), c);
	}
	return c;
}

/* Append one METRIC (host = target, plugin "snmp", type @m->type, type
 * instance @ti, time = poll start) to @out. */
static void emit(target *t, GPtrArray *out, const nm_snmp_metric_def *m,
		 const char *ti, const nm_snmp_number *nums, double scale,
		 gboolean restarted)
{
	nm_value vals[NM_SNMP_MAX_VALUES];
	nm_snmp_counter *ctr = NULL;
	nm_msg *msg;

	if (m->kind == NM_DS_COUNTER || m->kind == NM_DS_DERIVE) {
		GString *key = t->sp->keybuf;

		/* one lookup per metric, no printf: this ran per value */
		g_string_assign(key, m->type);
		g_string_append_c(key, '/');
		g_string_append(key, ti);
		ctr = counters_for(t, key->str);
	}
	for (guint k = 0; k < m->n_values; k++)
		set_value(&vals[k], m->kind, &nums[k], m->scale * scale,
			  ctr != NULL ? &ctr[k] : NULL, restarted);
	msg = nm_metric_new(t->conf->name, "snmp", "", m->type, ti,
			    t->poll_real, t->conf->interval, m->n_values, vals);
	if (msg != NULL)
		g_ptr_array_add(out, msg);
}

static const cell *row_cell(const table_state *ts, const row *r, int col)
{
	(void)ts;
	if (col < 0 || !r->cells[col].have)
		return NULL;
	return &r->cells[col];
}

/* Instance name of a row: the first instance column with text, sanitised
 * (RFC 2863 ifName, then ifDescr), else prefix + index; a duplicate gets
 * "_<index>" appended. Records it in @used. Written to @inst (scratch,
 * no allocation but the copy kept in @used). */
static void row_instance(const table_state *ts, const row *r,
			 GHashTable *used, GString *inst)
{
	char buf[64];
	gboolean have = FALSE;

	g_string_truncate(inst, 0);
	for (int k = 0; k < 2 && !have; k++) {
		const cell *c = row_cell(ts, r, ts->def->inst_col[k]);

		if (c != NULL && c->str != NULL) {
			if (nm_snmp_sanitize_instance_into(buf, c->str) > 0) {
				g_string_append(inst, buf);
				have = TRUE;
			}
		} else if (c != NULL && c->numeric) {
			g_string_append_printf(inst, "%" G_GINT64_FORMAT, c->num.i);
			have = TRUE;
		}
	}
	if (!have) {
		g_string_append(inst, ts->def->inst_prefix);
		g_string_append(inst, r->index);
	}
	if (g_hash_table_contains(used, inst->str)) {
		/* two rows with one name (duplicate ifDescr): keep both */
		g_string_append_c(inst, '_');
		g_string_append(inst, r->index);
	}
	g_hash_table_add(used, g_strndup(inst->str, inst->len));
}

/* After a complete poll: detect an agent restart from sysUpTime, build the
 * metrics of every set of the target and publish them as one batch. */
/* The host inventory for the report pages: <state_dir>/inventory/<host>.json
 * with sysName, sysDescr and the interfaces seen in this poll's metrics
 * (name, ifOperStatus, ifHighSpeed), the form plugins/report reads. Written
 * to a temporary name and renamed, and only when it changed. */
static void write_inventory(target *t, GPtrArray *out)
{
	JsonBuilder *b;
	JsonGenerator *gen;
	JsonNode *root;
	GHashTable *speed;
	GPtrArray *ifs;
	char *text, *dir, *path, *tmp, *old = NULL;
	GError *err = NULL;

	if (t->sys_name == NULL && t->sys_descr == NULL)
		return;
	speed = g_hash_table_new(g_str_hash, g_str_equal);
	ifs = g_ptr_array_new();
	for (guint i = 0; i < out->len; i++) {
		const nm_metric *m = nm_msg_as_metric(g_ptr_array_index(out, i));
		if (strcmp(m->type, "bitrate") == 0)
			g_hash_table_insert(speed, (gpointer)m->type_instance,
					    (gpointer)m);
		else if (strcmp(m->type, "operational_state") == 0 &&
			 !g_str_has_suffix(m->type_instance, "-admin"))
			g_ptr_array_add(ifs, (gpointer)m);
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "host");
	json_builder_add_string_value(b, t->conf->name);
	json_builder_set_member_name(b, "sysName");
	json_builder_add_string_value(b, t->sys_name != NULL ? t->sys_name : "");
	json_builder_set_member_name(b, "sysDescr");
	json_builder_add_string_value(b, t->sys_descr != NULL ? t->sys_descr : "");
	json_builder_set_member_name(b, "interfaces");
	json_builder_begin_array(b);
	for (guint i = 0; i < ifs->len; i++) {
		const nm_metric *m = g_ptr_array_index(ifs, i);
		const nm_metric *sp = g_hash_table_lookup(speed, m->type_instance);
		double st = m->values[0].v.gauge;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, m->type_instance);
		json_builder_set_member_name(b, "oper_status");
		json_builder_add_string_value(b, st == 1 ? "up" : st == 2 ? "down"
						 : "other");
		if (sp != NULL) {
			json_builder_set_member_name(b, "speed_mbps");
			json_builder_add_double_value(b, sp->values[0].v.gauge / 1e6);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	gen = json_generator_new();
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	json_node_unref(root);
	g_object_unref(b);

	dir = g_build_filename(nm_plugin_state_dir(t->sp->p), "inventory", NULL);
	path = g_strdup_printf("%s/%s.json", dir, t->conf->name);
	tmp = g_strdup_printf("%s.tmp", path);
	if (g_file_get_contents(path, &old, NULL, NULL) && strcmp(old, text) == 0)
		goto done;
	if (strchr(t->conf->name, '/') != NULL || t->conf->name[0] == '.')
		goto done; /* not a safe file name: no inventory */
	if (g_mkdir_with_parents(dir, 0755) != 0 ||
	    !g_file_set_contents(tmp, text, -1, &err) ||
	    rename(tmp, path) != 0) {
		NM_WARNING(t->sp->p, "%s: cannot write inventory %s: %s",
			   t->conf->name, path,
			   err != NULL ? err->message : g_strerror(errno));
		g_clear_error(&err);
	}
done:
	g_free(old);
	g_free(text);
	g_free(dir);
	g_free(path);
	g_free(tmp);
	g_hash_table_destroy(speed);
	g_ptr_array_free(ifs, TRUE);
}

static void publish_results(target *t)
{
	GPtrArray *out = g_ptr_array_sized_new(64);
	gboolean restarted = FALSE;
	const nm_snmp_number *up = &g_array_index(t->scalar_vals, nm_snmp_number, 0);

	if (g_array_index(t->scalar_have, gboolean, 0)) {
		guint32 now = (guint32)up->u;

		if (t->have_uptime &&
		    nm_snmp_uptime_restarted(t->uptime, now,
					     t->poll_real - t->uptime_time)) {
			restarted = TRUE;
			t->restarts++;
			NM_NOTICE(t->sp->p, "%s: agent restarted (sysUpTime "
				  "%u -> %u); counters continue from their "
				  "previous values", t->conf->name, t->uptime,
				  now);
		}
		t->have_uptime = TRUE;
		t->uptime = now;
		t->uptime_time = t->poll_real;
	}
	/* scalars */
	for (guint i = 0; i < t->conf->sets->len; i++) {
		const nm_snmp_set *s = g_ptr_array_index(t->conf->sets, i);
		const int *map = g_ptr_array_index(t->set_scalar_map, i);

		for (guint k = 0; k < s->scalars->len; k++) {
			const nm_snmp_metric_def *m = g_ptr_array_index(s->scalars, k);
			nm_snmp_number nums[NM_SNMP_MAX_VALUES];
			guint v;

			for (v = 0; v < m->n_values; v++) {
				int idx = map[m->src[v].col];

				if (!g_array_index(t->scalar_have, gboolean, idx))
					break;
				nums[v] = g_array_index(t->scalar_vals,
							nm_snmp_number, idx);
			}
			if (v == m->n_values)
				emit(t, out, m, m->type_instance, nums, 1.0,
				     restarted);
		}
	}
	/* tables */
	for (guint i = 0; i < t->tables->len; i++) {
		table_state *ts = g_ptr_array_index(t->tables, i);
		GHashTable *used = ts->used;
		GString *inst = t->sp->instbuf, *ti = t->sp->tibuf;

		g_hash_table_remove_all(used);
		for (guint r = 0; r < ts->order->len; r++) {
			const row *rw = g_ptr_array_index(ts->order, r);

			row_instance(ts, rw, used, inst);

			for (guint k = 0; k < ts->def->metrics->len; k++) {
				const nm_snmp_metric_def *m =
					g_ptr_array_index(ts->def->metrics, k);
				nm_snmp_number nums[NM_SNMP_MAX_VALUES];
				double scale = 1.0;
				gboolean fb = FALSE;
				guint v;

				for (v = 0; v < m->n_values; v++) {
					const cell *c = row_cell(ts, rw, m->src[v].col);

					if (c == NULL || !c->numeric) {
						c = row_cell(ts, rw, m->src[v].fallback);
						fb = TRUE;
					}
					if (c == NULL || !c->numeric)
						break;
					nums[v] = c->num;
				}
				if (v < m->n_values)
					continue;
				/* e.g. ifSpeed in bit/s for a missing ifHighSpeed */
				if (fb && m->fallback_scale > 0 && m->scale != 0)
					scale = m->fallback_scale / m->scale;
				if (m->scale_col >= 0) {
					const cell *c = row_cell(ts, rw, m->scale_col);
					if (c == NULL || !c->numeric)
						continue;
					scale *= c->num.d;
				}
				if (*m->type_instance) {
					g_string_assign(ti, inst->str);
					g_string_append_c(ti, '-');
					g_string_append(ti, m->type_instance);
					emit(t, out, m, ti->str, nums, scale,
					     restarted);
				} else {
					emit(t, out, m, inst->str, nums, scale,
					     restarted);
				}
			}
		}
	}
	t->metrics += out->len;
	nm_counter_add(t->sp->c_metrics, out->len);
	write_inventory(t, out);
	if (out->len > 0)
		nm_plugin_publish_batch(t->sp->p, (nm_msg *const *)out->pdata,
					out->len);
	g_ptr_array_free(out, TRUE);
}

/* Finish the poll in progress: duration, forget rows, tell the core the
 * NM_RUN_PENDING run is done (unless still inside poll_cb()). */
static void poll_end(target *t)
{
	gint64 d = g_get_monotonic_time() - t->poll_start;

	t->polling = FALSE;
	t->last_duration = d;
	if (d > t->max_duration)
		t->max_duration = d;
	for (guint i = 0; i < t->tables->len; i++) {
		table_state *ts = g_ptr_array_index(t->tables, i);

		ts->last_rows = ts->order->len;
		table_state_clear(ts);
	}
}

/* End the poll with an error: kept as last_error (shown by stats), logged
 * as a warning when it differs from the previous one, counted. The text
 * names the target and never contains a community or password. */
static void poll_fail(target *t, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* log a changed error once, not every interval */
	if (g_strcmp0(msg, t->last_error) != 0)
		NM_WARNING(t->sp->p, "%s: %s", t->conf->name, msg);
	g_free(t->last_error);
	t->last_error = msg;
	t->last_error_time = g_get_real_time();
	t->failures++;
	nm_counter_add(t->sp->c_polls_failed, 1);
	if (t->polling)
		poll_end(t);
}

/* End the poll successfully: publish, record the time of success. */
static void poll_ok(target *t)
{
	publish_results(t);
	t->successes++;
	t->last_success = g_get_real_time();
	if (t->last_error != NULL)
		NM_INFO(t->sp->p, "%s: polling works again", t->conf->name);
	g_free(t->last_error);
	t->last_error = NULL;
	poll_end(t);
}

/* ------------------------------------------------------------------ */
/* The request sequence                                                */

/* Does column @col of table @ts need walking? Fallback-only columns only
 * when some row lacks the primary value they stand in for. */
static gboolean col_needed(const table_state *ts, guint col)
{
	const nm_snmp_table *d = ts->def;

	if (!g_array_index(d->fallback_only, gboolean, col))
		return TRUE;
	for (guint k = 0; k < d->metrics->len; k++) {
		const nm_snmp_metric_def *m = g_ptr_array_index(d->metrics, k);

		for (guint v = 0; v < m->n_values; v++) {
			if (m->src[v].fallback != (int)col)
				continue;
			if (ts->order->len == 0)
				return TRUE;
			for (guint r = 0; r < ts->order->len; r++) {
				const row *rw = g_ptr_array_index(ts->order, r);
				if (!rw->cells[m->src[v].col].have)
					return TRUE;
			}
		}
	}
	return FALSE;
}

/* Set up the next group of columns to walk: all columns of the table's
 * pass at once for GETBULK (the varbinds of one request cover every
 * column, RFC 3416 §4.2.3), one column at a time for v1 GETNEXT.
 * Fallback-only columns form a second pass of their table, walked only
 * when some row lacks the primary value they stand in for. FALSE when
 * every table is done. */
static gboolean next_walk(target *t)
{
	gboolean v1 = t->conf->sec.version == SNMP_VERSION_1;

	for (;;) {
		table_state *ts;
		guint n;

		if (t->walk_table >= t->tables->len)
			return FALSE;
		ts = g_ptr_array_index(t->tables, t->walk_table);
		n = ts->def->cols->len;
		g_array_set_size(t->group, 0);
		while (t->walk_next < n) {
			guint c = t->walk_next++;
			gboolean fb = g_array_index(ts->def->fallback_only,
						    gboolean, c);

			if ((t->walk_pass == 0) == !fb && col_needed(ts, c)) {
				walk_col w = { .col = c };

				w.cur = g_array_index(ts->def->cols, nm_snmp_oid, c);
				g_array_append_val(t->group, w);
				if (v1)
					break;
			}
		}
		if (t->group->len > 0)
			return TRUE;
		if (t->walk_pass == 0) {
			t->walk_pass = 1;
		} else {
			t->walk_table++;
			t->walk_pass = 0;
		}
		t->walk_next = 0;
	}
}

/* Issue the next request of the poll: a GET of up to 16 scalars, or the
 * next GETBULK (RFC 3416 §4.2.3; GETNEXT for v1) of the column being
 * walked, starting after the last OID received. */
static void send_next(target *t)
{
	netsnmp_pdu *pdu;

	if (t->phase == 0 && t->scalar_pos == 0 && fold_ok(t)) {
		/* one GETBULK: the scalars as non-repeaters, then the first
		 * table's columns */
		t->phase = 1;
		t->walk_table = 0;
		t->walk_pass = 0;
		t->walk_next = 0;
		if (next_walk(t))
			t->folded = TRUE;
		else
			t->phase = 0;
	}
	if (t->phase == 0) {
		guint n = 0;

		while (t->scalar_pos < t->scalars->len) {
			if (!g_array_index(t->scalar_absent, gboolean, t->scalar_pos))
				break;
			t->scalar_pos++;
		}
		if (t->scalar_pos < t->scalars->len) {
			pdu = snmp_pdu_create(SNMP_MSG_GET);
			for (guint i = t->scalar_pos;
			     i < t->scalars->len && n < SCALARS_PER_PDU; i++) {
				const nm_snmp_oid *o;

				if (g_array_index(t->scalar_absent, gboolean, i))
					continue;
				o = &g_array_index(t->scalars, nm_snmp_oid, i);
				snmp_add_null_var(pdu, o->name, o->len);
				n++;
				t->scalar_n = i + 1 - t->scalar_pos;
			}
			submit(t, pdu);
			return;
		}
		t->phase = 1;
		t->walk_table = 0;
		t->walk_pass = 0;
		t->walk_next = 0;
		if (!next_walk(t)) {
			poll_ok(t);
			return;
		}
	}
	{
		guint active = 0;

		for (guint i = 0; i < t->group->len; i++)
			active += !g_array_index(t->group, walk_col, i).done;
		if (t->conf->sec.version == SNMP_VERSION_1) {
			pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
		} else {
			/* max_repetitions is the varbinds per response, shared
			 * by the columns: the response stays as large as a
			 * one-column walk's */
			pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
			pdu->non_repeaters = 0;
			pdu->max_repetitions = MAX(1, t->conf->max_repetitions /
						      (long)MAX(active, 1));
			/* no more than the rows seen last time and one to see
			 * the end: nothing past the table to encode, parse
			 * and throw away (a grown table takes another round) */
			{
				const table_state *ts = g_ptr_array_index(
					t->tables, t->walk_table);
				long seen = 0;

				for (guint i = 0; i < t->group->len; i++)
					seen = MAX(seen, (long)g_array_index(
						t->group, walk_col, i).rows);
				if (ts->last_rows > 0)
					pdu->max_repetitions = MIN(
						pdu->max_repetitions,
						MAX(1, (long)ts->last_rows + 1 - seen));
			}
		}
		if (t->folded) {
			pdu->non_repeaters = (long)t->scalars->len;
			for (guint i = 0; i < t->scalars->len; i++) {
				const nm_snmp_oid *o = &g_array_index(t->scalars,
								     nm_snmp_oid, i);

				snmp_add_null_var(pdu, o->name, o->len - 1);
			}
		}
		for (guint i = 0; i < t->group->len; i++) {
			const walk_col *w = &g_array_index(t->group, walk_col, i);

			if (!w->done)
				snmp_add_null_var(pdu, w->cur.name, w->cur.len);
		}
	}
	submit(t, pdu);
}

/* Store the varbinds of a scalar GET response. */
/* Store varbind @vb as merged scalar @i (not absent). */
static void store_scalar(target *t, guint i, const netsnmp_variable_list *vb)
{
	nm_snmp_number num;

	t->varbinds++;
	if (nm_snmp_vb_number(vb, &num)) {
		g_array_index(t->scalar_vals, nm_snmp_number, i) = num;
		g_array_index(t->scalar_have, gboolean, i) = TRUE;
	} else {
		g_array_index(t->scalar_have, gboolean, i) = FALSE;
	}
	if ((int)i == t->sys_name_idx || (int)i == t->sys_descr_idx) {
		char *s = nm_snmp_vb_string(vb);

		if (s != NULL) {
			char **dst = (int)i == t->sys_name_idx
					     ? &t->sys_name : &t->sys_descr;
			g_free(*dst);
			*dst = s;
		}
	}
}

static void got_scalars(target *t, netsnmp_pdu *pdu)
{
	netsnmp_variable_list *vb = pdu->variables;
	guint end = t->scalar_pos + t->scalar_n;

	for (guint i = t->scalar_pos; i < end && vb != NULL; i++) {
		if (g_array_index(t->scalar_absent, gboolean, i))
			continue;
		store_scalar(t, i, vb);
		vb = vb->next_variable;
	}
	t->scalar_pos = end;
}

/* Can the scalars ride in the first GETBULK as non-repeaters (RFC 3416
 * §4.2.3: a non-repeater is a GETNEXT)? When all are instances ".0" of
 * scalar objects: the GETNEXT of the object's OID is then its ".0". */
static gboolean fold_ok(const target *t)
{
	if (t->conf->sec.version == SNMP_VERSION_1 || t->tables->len == 0 ||
	    t->scalars->len > SCALARS_PER_PDU)
		return FALSE;
	for (guint i = 0; i < t->scalars->len; i++) {
		const nm_snmp_oid *o = &g_array_index(t->scalars, nm_snmp_oid, i);

		if (o->len < 2 || o->name[o->len - 1] != 0 ||
		    g_array_index(t->scalar_absent, gboolean, i))
			return FALSE;
	}
	return TRUE;
}

/* The non-repeaters of a folded request: varbind i answers scalar i if
 * its OID is that scalar's (an agent without the object answers the next
 * OID in its MIB: then the scalar is missing this poll). Returns the
 * first varbind after them. */
static netsnmp_variable_list *got_folded(target *t, netsnmp_variable_list *vb)
{
	for (guint i = 0; i < t->scalars->len && vb != NULL; i++) {
		const nm_snmp_oid *o = &g_array_index(t->scalars, nm_snmp_oid, i);

		if (snmp_oid_compare(vb->name, vb->name_length, o->name, o->len) == 0)
			store_scalar(t, i, vb);
		else
			g_array_index(t->scalar_have, gboolean, i) = FALSE;
		vb = vb->next_variable;
	}
	return vb;
}

/* The text of @vb into @c: the last poll's string is kept when the agent
 * sent the same bytes (ifDescr rarely changes). */
static void cell_set_text(cell *c, const netsnmp_variable_list *vb)
{
	if (c->str != NULL && vb->type == ASN_OCTET_STR &&
	    vb->val.string != NULL) {
		size_t n = strnlen((const char *)vb->val.string, vb->val_len);

		if (strlen(c->str) == n && memcmp(c->str, vb->val.string, n) == 0)
			return;
	}
	g_free(c->str);
	c->str = nm_snmp_vb_string(vb);
}

/* Store the rows of a walk response; TRUE if the walk of the group goes
 * on. The varbinds cycle through the group's columns that were still
 * going when the request was sent (RFC 3416 §4.2.3: repetition r of
 * column c is varbind r * columns + c). A column ends at the first OID
 * outside it, endOfMibView, an OID not after the previous one (walk
 * error, logged) or max_rows. A response that moves no column on ends
 * the group, so no agent can make a walk loop. */
static gboolean got_walk(target *t, netsnmp_pdu *pdu)
{
	table_state *ts = g_ptr_array_index(t->tables, t->walk_table);
	guint ncols = ts->def->cols->len;
	guint active[ncols > 0 ? ncols : 1], a = 0, i = 0;
	gboolean progress = FALSE, more = FALSE;
	netsnmp_variable_list *vb = pdu->variables;

	if (t->folded) {
		t->folded = FALSE;
		vb = got_folded(t, vb);
	}
	for (guint k = 0; k < t->group->len && a < ncols; k++)
		if (!g_array_index(t->group, walk_col, k).done)
			active[a++] = k;
	if (a == 0 || vb == NULL)
		return FALSE;
	for (; vb != NULL; vb = vb->next_variable, i++) {
		walk_col *w = &g_array_index(t->group, walk_col, active[i % a]);
		const nm_snmp_oid *root = &g_array_index(ts->def->cols,
							 nm_snmp_oid, w->col);
		nm_snmp_walk_step st;
		char idxbuf[NM_SNMP_INDEX_MAX];
		const char *idx;
		row *r;

		if (w->done)
			continue;
		t->varbinds++;
		st = nm_snmp_walk_classify(root, w->cur.name, w->cur.len, vb);
		if (st == NM_SNMP_WALK_END) {
			w->done = TRUE;
			continue;
		}
		if (st == NM_SNMP_WALK_LOOP) {
			char *o = oid_text(root->name, root->len);

			t->walk_errors++;
			NM_WARNING(t->sp->p, "%s: %s column %s: the agent "
				   "returned OIDs out of order; walk stopped",
				   t->conf->name, ts->def->name, o);
			g_free(o);
			w->done = TRUE;
			continue;
		}
		/* the index text on the stack: a row is looked up once per
		 * column, allocated once */
		if (nm_snmp_index_format(idxbuf, sizeof(idxbuf), vb->name,
					 vb->name_length, root->len) > 0) {
			idx = idxbuf;
			r = g_hash_table_lookup(ts->rows, idx);
		} else {
			idx = NULL;   /* classified as a row: cannot happen */
			r = NULL;
		}
		if (r == NULL) {
			r = g_new0(row, 1);
			r->index = idx != NULL ? g_strdup(idx)
				 : nm_snmp_index_string(vb->name,
							vb->name_length,
							root->len);
			r->cells = g_new0(cell, ncols);
			r->gen = ts->gen;
			g_hash_table_insert(ts->rows, r->index, r);
			g_ptr_array_add(ts->order, r);
		} else if (r->gen != ts->gen) {
			/* a row of the last poll, seen again */
			for (guint c = 0; c < ncols; c++)
				r->cells[c].have = FALSE;
			r->gen = ts->gen;
			g_ptr_array_add(ts->order, r);
		}
		if (!r->cells[w->col].have) {
			cell *c = &r->cells[w->col];

			c->have = TRUE;
			c->numeric = nm_snmp_vb_number(vb, &c->num);
			/* text only where it can name the row */
			if (!c->numeric || (int)w->col == ts->def->inst_col[0] ||
			    (int)w->col == ts->def->inst_col[1])
				cell_set_text(c, vb);
			else
				g_clear_pointer(&c->str, g_free);
		}
		memcpy(w->cur.name, vb->name, vb->name_length * sizeof(oid));
		w->cur.len = vb->name_length;
		progress = TRUE;
		if (++w->rows >= (guint)t->conf->max_rows) {
			t->truncated++;
			w->done = TRUE;
		}
	}
	for (guint k = 0; k < t->group->len; k++) {
		walk_col *w = &g_array_index(t->group, walk_col, k);

		if (!progress)
			w->done = TRUE;
		more |= !w->done;
	}
	return more;
}

/* net-snmp's callback for a target's request: a response, a timeout, a
 * security error (RFC 3414 reports: unknown user, wrong digest) or a
 * failure. Stores the data, sends the next request or ends the poll, then
 * lets waiting targets use the freed slot. @pdu belongs to net-snmp.
 * Returns 1 (handled). */
static int response_cb(int op, netsnmp_session *sess, int reqid,
		       netsnmp_pdu *pdu, void *magic)
{
	target *t = magic;
	snmp_plugin *sp = t->sp;

	(void)reqid;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu != NULL &&
	    t->conf->sec.version != SNMP_VERSION_3 && !pdu_from_peer(t, pdu)) {
		/* 0: not handled, net-snmp keeps the request outstanding
		 * (snmp_api.c _sess_process_packet) */
		t->cb_stranger = TRUE;
		return 0;
	}
	t->cb_hit = TRUE;
	if (op == NETSNMP_CALLBACK_OP_RESEND)
		return 1;       /* a retransmission: the request goes on */
	if (!t->in_flight)
		return 1;
	t->in_flight = FALSE;
	sp->in_flight--;
	g_queue_unlink(&sp->flying, &t->fly_link);
	if (!t->polling) {
		pump(sp);
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT &&
	    t->conf->sec.version == SNMP_VERSION_3 &&
	    t->unmatched > t->unmatched_poll) {
		/* the agent did answer, but net-snmp dropped every answer
		 * (for v3: failed digest or decryption, RFC 3414 §3.2) */
		t->timeouts++;
		nm_counter_add(sp->c_timeouts, 1);
		poll_fail(t, "no authentic answer from %s: %" G_GUINT64_FORMAT
			  " replies dropped (SNMPv3 authentication or decryption "
			  "failed: the agent's keys differ from auth_password/"
			  "priv_password, or the replies are forged)",
			  t->conf->address, t->unmatched - t->unmatched_poll);
	} else if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		t->timeouts++;
		nm_counter_add(sp->c_timeouts, 1);
		poll_fail(t, "timeout: no answer from %s within %.3g s x %d "
			  "tries (agent down, wrong port, or wrong "
			  "community/credentials)", t->conf->address,
			  (double)t->conf->timeout / G_USEC_PER_SEC,
			  t->conf->retries + 1);
	} else if (pdu != NULL && pdu->command == SNMP_MSG_REPORT) {
		poll_fail(t, "SNMPv3 error from %s: %s (check user, "
			  "auth_password, priv_password and the protocols)",
			  t->conf->address,
			  snmp_api_errstring(snmpv3_get_report_type(pdu)));
	} else if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == NULL) {
		int cerr = 0, serr = 0;
		char *msg = NULL;

		snmp_sess_error(t->sessp, &cerr, &serr, &msg);
		if ((msg == NULL || *msg == '\0') && sess->s_snmp_errno != 0) {
			free(msg);
			msg = strdup(snmp_api_errstring(sess->s_snmp_errno));
		}
		if (msg == NULL || *msg == '\0') {
			free(msg);
			msg = strdup(op == NETSNMP_CALLBACK_OP_SEC_ERROR
				     ? "the agent refused our authentication "
				       "or we could not verify its answer"
				     : "unknown error");
		}
		if (op == NETSNMP_CALLBACK_OP_SEC_ERROR)
			poll_fail(t, "SNMPv3 security error with %s: %s (check "
				  "user, auth_password, priv_password and the "
				  "protocols)", t->conf->address,
				  msg ? msg : "unknown");
		else
			poll_fail(t, "request to %s failed: %s",
				  t->conf->address, msg ? msg : "unknown error");
		free(msg);
	} else if (t->phase == 0 && pdu->errstat == SNMP_ERR_NOSUCHNAME &&
		   pdu->errindex > 0) {
		/* v1: one missing scalar fails the PDU; leave it out, retry */
		guint i, k = 0;

		for (i = t->scalar_pos; i < t->scalar_pos + t->scalar_n; i++) {
			if (g_array_index(t->scalar_absent, gboolean, i))
				continue;
			if (++k == (guint)pdu->errindex) {
				g_array_index(t->scalar_absent, gboolean, i) = TRUE;
				break;
			}
		}
		send_next(t);
	} else if (t->phase == 1 && pdu->errstat == SNMP_ERR_NOSUCHNAME) {
		/* v1 GETNEXT past the end of the MIB */
		if (!next_walk(t))
			poll_ok(t);
		else
			send_next(t);
	} else if (pdu->errstat != SNMP_ERR_NOERROR) {
		poll_fail(t, "agent %s answered with error %s (index %ld)",
			  t->conf->address, snmp_errstring((int)pdu->errstat),
			  pdu->errindex);
	} else if (t->phase == 0) {
		got_scalars(t, pdu);
		send_next(t);
	} else if (got_walk(t, pdu)) {
		send_next(t);
	} else if (!next_walk(t)) {
		poll_ok(t);
	} else {
		send_next(t);
	}
	pump(sp);
	return 1;
}

/* The poll of @t once its address is known: open the session on first
 * use (or after the DNS answer changed) and send the first request. */
static void poll_go(target *t)
{
	t->in_cb = TRUE;
	if (t->addr_changed && t->sessp != NULL)
		target_close(t);
	t->addr_changed = FALSE;
	if (t->sessp != NULL || target_open(t)) {
		watch_on(t);
		t->phase = 0;
		t->folded = FALSE;
		t->scalar_pos = 0;
		t->scalar_n = 0;
		for (guint i = 0; i < t->scalar_have->len; i++)
			g_array_index(t->scalar_have, gboolean, i) = FALSE;
		send_next(t);
	}
	t->in_cb = FALSE;
}

static void resolve_target(target *t);

/* Start a poll of @t, which is not polling. Called by tick() when the
 * target's turn is due. A target named by DNS without an address yet
 * waits for its lookup (resolve_target(), asynchronous). */
static void poll_start(target *t)
{
	t->polls++;
	t->polling = TRUE;
	t->unmatched_poll = t->unmatched;
	t->poll_start = g_get_monotonic_time();
	t->poll_real = g_get_real_time();
	if (t->dns_host != NULL && t->resolved == NULL) {
		t->dns_wait = TRUE;
		resolve_target(t);
		return;
	}
	poll_go(t);
}

/* ------------------------------------------------------------------ */
/* DNS (target addresses given as names)                               */

/* How long shutdown waits for cancelled DNS lookups to come back. */
#define SHUTDOWN_DNS_WAIT (2 * G_USEC_PER_SEC)

typedef struct {
	snmp_plugin *sp;
	guint index;     /* the target in sp->targets */
} lookup;

/* A lookup's answer (main loop): keep the first address as the target's
 * numeric peer spec; a changed address reopens the session at the next
 * poll. A failure is that target's error alone: a waiting poll fails,
 * a target with an earlier answer keeps using it. */
static void on_resolved(GObject *src, GAsyncResult *res, gpointer data)
{
	lookup *l = data;
	snmp_plugin *sp = l->sp;
	GError *e = NULL;
	GList *addrs = g_resolver_lookup_by_name_with_flags_finish(
		G_RESOLVER(src), res, &e);
	target *t;

	sp->pending_lookups--;
	if (sp->stopped) {
		if (addrs != NULL)
			g_resolver_free_addresses(addrs);
		g_clear_error(&e);
		g_free(l);
		return;
	}
	t = g_ptr_array_index(sp->targets, l->index);
	g_free(l);
	t->resolving = FALSE;
	if (addrs == NULL) {
		char *msg = g_strdup_printf("cannot resolve '%s': %s",
					    t->dns_host,
					    e != NULL ? e->message : "no address");

		nm_counter_add(sp->c_resolve_fail, 1);
		if (t->resolved != NULL && g_strcmp0(msg, t->dns_error) != 0)
			NM_WARNING(sp->p, "%s: %s (still using %s)",
				   t->conf->name, msg, t->resolved);
		g_free(t->dns_error);
		t->dns_error = msg;
		if (t->dns_wait) {
			t->dns_wait = FALSE;
			poll_fail(t, "%s", msg);
		}
	} else {
		char *ip = g_inet_address_to_string(addrs->data);
		char *spec = nm_snmp_peer_numeric(t->dns_tcp, ip, t->dns_port);

		if (g_strcmp0(spec, t->resolved) != 0) {
			NM_INFO(sp->p, "%s: %s is %s", t->conf->name, t->dns_host, ip);
			if (t->resolved != NULL)
				t->addr_changed = TRUE;
			g_free(t->resolved);
			t->resolved = spec;
		} else {
			g_free(spec);
		}
		g_free(ip);
		g_clear_pointer(&t->dns_error, g_free);
		g_resolver_free_addresses(addrs);
		if (t->dns_wait) {
			t->dns_wait = FALSE;
			poll_go(t);
		}
	}
	g_clear_error(&e);
}

/* Start an asynchronous lookup of @t's name (GResolver: getaddrinfo on
 * GLib's resolver thread, answer on the main loop), unless one runs.
 * IPv4 only for udp:/tcp:, IPv6 only for udp6:/tcp6:, as net-snmp's own
 * transports would resolve them. */
static void resolve_target(target *t)
{
	snmp_plugin *sp = t->sp;
	lookup *l;

	if (t->dns_host == NULL || t->resolving || sp->resolver == NULL)
		return;
	l = g_new0(lookup, 1);
	l->sp = sp;
	l->index = t->index;
	t->resolving = TRUE;
	sp->pending_lookups++;
	g_resolver_lookup_by_name_with_flags_async(
		sp->resolver, t->dns_host,
		t->dns_v6 ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY
			  : G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY,
		sp->cancel, on_resolved, l);
}

/* Every snmp.resolve_interval: look every target name up again. */
static nm_run_status resolve_tick(nm_plugin *p, nm_timer *tm, gint64 due,
				  gpointer data)
{
	snmp_plugin *sp = data;

	(void)p;
	(void)tm;
	(void)due;
	for (guint i = 0; i < sp->targets->len; i++)
		resolve_target(g_ptr_array_index(sp->targets, i));
	return NM_RUN_DONE;
}

/* Shutdown: cancel lookups and wait (up to SHUTDOWN_DNS_WAIT) for their
 * callbacks, so none runs after this module is unloaded. */
static void resolve_stop(snmp_plugin *sp)
{
	gint64 deadline = g_get_monotonic_time() + SHUTDOWN_DNS_WAIT;

	sp->stopped = TRUE;
	if (sp->cancel != NULL)
		g_cancellable_cancel(sp->cancel);
	while (sp->pending_lookups > 0 && g_get_monotonic_time() < deadline)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	if (sp->pending_lookups > 0)
		NM_WARNING(sp->p, "%u DNS lookups still pending at shutdown",
			   sp->pending_lookups);
	g_clear_object(&sp->cancel);
	g_clear_object(&sp->resolver);
}

/* ------------------------------------------------------------------ */
/* Stats                                                               */

/* JSON member: seconds since the epoch (µs in), or null for 0. */
static void add_time(JsonBuilder *b, const char *name, gint64 us)
{
	json_builder_set_member_name(b, name);
	if (us == 0)
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, (double)us / G_USEC_PER_SEC);
}

/* JSON integer member. */
static void add_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

/* `netmonctl stats --json` details: request slots and per-target figures
 * (times in seconds since the epoch, durations in seconds). New node. */
static JsonNode *stats_cb(nm_plugin *p, gpointer data)
{
	snmp_plugin *sp = data;
	JsonBuilder *b = json_builder_new();
	JsonNode *n;

	(void)p;
	json_builder_begin_object(b);
	add_int(b, "in_flight", sp->in_flight);
	add_int(b, "max_in_flight", sp->max_in_flight);
	add_int(b, "queued", g_queue_get_length(&sp->waitq));
	add_int(b, "queued_max", sp->queued_max);
	json_builder_set_member_name(b, "targets");
	json_builder_begin_object(b);
	for (guint i = 0; i < sp->targets->len; i++) {
		target *t = g_ptr_array_index(sp->targets, i);
		json_builder_set_member_name(b, t->conf->name);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "address");
		json_builder_add_string_value(b, t->conf->address);
		if (t->dns_host != NULL) {
			json_builder_set_member_name(b, "resolved");
			if (t->resolved != NULL)
				json_builder_add_string_value(b, t->resolved);
			else
				json_builder_add_null_value(b);
			json_builder_set_member_name(b, "dns_error");
			if (t->dns_error != NULL)
				json_builder_add_string_value(b, t->dns_error);
			else
				json_builder_add_null_value(b);
		}
		add_time(b, "last_success", t->last_success);
		json_builder_set_member_name(b, "last_error");
		if (t->last_error)
			json_builder_add_string_value(b, t->last_error);
		else
			json_builder_add_null_value(b);
		add_time(b, "last_error_time", t->last_error_time);
		add_int(b, "polls", (gint64)t->polls);
		add_int(b, "successes", (gint64)t->successes);
		add_int(b, "failures", (gint64)t->failures);
		add_int(b, "timeouts", (gint64)t->timeouts);
		add_int(b, "skipped", (gint64)t->skipped);
		add_int(b, "overlaps", (gint64)t->overlaps);
		add_int(b, "varbinds", (gint64)t->varbinds);
		add_int(b, "metrics", (gint64)t->metrics);
		add_int(b, "agent_restarts", (gint64)t->restarts);
		add_int(b, "walk_errors", (gint64)t->walk_errors);
		add_int(b, "walks_truncated", (gint64)t->truncated);
		add_int(b, "deadline_aborts", (gint64)t->deadline_aborts);
		add_int(b, "wrong_source", (gint64)t->wrong_source);
		add_int(b, "unmatched", (gint64)t->unmatched);
		json_builder_set_member_name(b, "poll_duration");
		json_builder_add_double_value(b, (double)t->last_duration / G_USEC_PER_SEC);
		json_builder_set_member_name(b, "poll_duration_max");
		json_builder_add_double_value(b, (double)t->max_duration / G_USEC_PER_SEC);
		json_builder_set_member_name(b, "polling");
		json_builder_add_boolean_value(b, t->polling);
		if (t->sys_name != NULL) {
			json_builder_set_member_name(b, "sys_name");
			json_builder_add_string_value(b, t->sys_name);
		}
		if (t->sys_descr != NULL) {
			json_builder_set_member_name(b, "sys_descr");
			json_builder_add_string_value(b, t->sys_descr);
		}
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	if (sp->trap != NULL)
		nm_snmp_trap_stats(sp->trap, b);
	json_builder_end_object(b);
	n = json_builder_get_root(b);
	g_object_unref(b);
	return n;
}

/* ------------------------------------------------------------------ */
/* Plugin entry points                                                 */

/* validate (also for `netmond -t`): full parse, cross-field checks,
 * nothing started. */
static gboolean snmp_validate(const config_setting_t *conf, GError **err)
{
	nm_snmp_config *c = nm_snmp_config_parse(conf, G_USEC_PER_SEC, err);

	nm_snmp_config_free(c);
	return c != NULL;
}

/* Keep libnetsnmp loaded when this module is unloaded (reload, shutdown):
 * its global state (the MIB hash table netsnmp_init_mib_internals()
 * allocates and snmp_shutdown() never frees, 4.8 kB) then stays reachable
 * and is reused by the next init instead of being lost with the mapping. */
static void keep_netsnmp_resident(nm_plugin *p)
{
	Dl_info info;

	if (dladdr((void *)snmp_sess_open, &info) == 0 || info.dli_fname == NULL ||
	    dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == NULL)
		NM_DEBUG(p, "cannot pin libnetsnmp in memory: %s", dlerror());
}

/* net-snmp's own messages (MIB files it cannot find and the like) go to
 * the debug log, never to stderr. They never contain secrets. */
static nm_plugin *log_plugin;

static int log_cb(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	char *msg;

	(void)major;
	(void)minor;
	(void)client;
	if (log_plugin == NULL || m == NULL || m->msg == NULL ||
	    !nm_log_enabled(NM_LOG_DEBUG))
		return 0;
	msg = g_strchomp(g_strdup(m->msg));
	NM_DEBUG(log_plugin, "net-snmp: %s", msg);
	g_free(msg);
	return 0;
}

/* Each target has its own socket: make room for thousands. */
static void raise_fd_limit(snmp_plugin *sp)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)sp->targets->len + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = MIN(want, rl.rlim_max);
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		NM_WARNING(sp->p, "%u targets need %lu file descriptors; the "
			   "limit is %lu (raise LimitNOFILE)", sp->targets->len,
			   (unsigned long)want, (unsigned long)rl.rlim_cur);
}

/* init: parse the group, set up net-snmp (no config files, no persistent
 * state, no MIB-dependent output), start one timer per target and the
 * trap listener. Errors: configuration (file:line) or a trap_listen that
 * cannot be bound. */
static gboolean snmp_init(nm_plugin *p, const config_setting_t *conf,
			  GError **err)
{
	snmp_plugin *sp;
	nm_snmp_config *c = nm_snmp_config_parse(conf,
						 nm_plugin_default_interval(p),
						 err);

	if (c == NULL)
		return FALSE;
	sp = g_new0(snmp_plugin, 1);
	sp->p = p;
	sp->conf = c;
	sp->max_in_flight = c->max_in_flight;
	g_queue_init(&sp->waitq);
	sp->targets = g_ptr_array_new();
	sp->sched = nm_snmp_sched_new();
	sp->keybuf = g_string_new(NULL);
	sp->instbuf = g_string_new(NULL);
	sp->tibuf = g_string_new(NULL);
	sp->c_requests = nm_plugin_counter(p, "requests");
	sp->c_timeouts = nm_plugin_counter(p, "timeouts");
	sp->c_polls_failed = nm_plugin_counter(p, "polls_failed");
	sp->c_metrics = nm_plugin_counter(p, "metrics");
	sp->c_wrong_source = nm_plugin_counter(p, "replies_wrong_source");
	sp->c_unmatched = nm_plugin_counter(p, "replies_unmatched");

	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
			       NETSNMP_DS_LIB_QUICK_PRINT, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
			   NETSNMP_OID_OUTPUT_NUMERIC);
	keep_netsnmp_resident(p);
	/* No MIB files: numeric OIDs only. Loading Debian's partial MIB set
	 * is slow, noisy and leaks in net-snmp's parser. */
	netsnmp_set_mib_directory("/nonexistent/netmon-no-mibs");
	log_plugin = p;
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
			       log_cb, NULL);
	init_snmp("netmond");

	nm_plugin_set_data(p, sp);
	for (guint i = 0; i < c->targets->len; i++) {
		target *t;
		char *name;

		/* netmond.shard: another poller polls this one. */
		if (!nm_plugin_owns_target(p, ((const nm_snmp_target_conf *)
					       g_ptr_array_index(c->targets, i))->name))
			continue;
		t = target_new(sp, g_ptr_array_index(c->targets, i));
		name = g_strdup_printf("poll:%s", t->conf->name);

		t->index = sp->targets->len;
		g_ptr_array_add(sp->targets, t);
		t->next_due = nm_snmp_sched_first_due(nm_plugin_name(p), name,
						      t->conf->interval,
						      g_get_monotonic_time(),
						      g_get_real_time());
		nm_snmp_sched_push(sp->sched, t->next_due, t);
		g_free(name);
	}
	raise_fd_limit(sp);
	if (c->targets->len > 0)
		nm_plugin_add_timer(p, "timeouts", TICK_INTERVAL, NM_TIMER_NOW,
				    tick, sp, NULL);
	if (c->trap_listen != NULL &&
	    (sp->trap = nm_snmp_trap_open(p, c, conf, err)) == NULL) {
		for (guint i = 0; i < sp->targets->len; i++)
			target_free(g_ptr_array_index(sp->targets, i));
		g_ptr_array_free(sp->targets, TRUE);
		nm_snmp_sched_free(sp->sched);
		g_string_free(sp->keybuf, TRUE);
	g_string_free(sp->instbuf, TRUE);
	g_string_free(sp->tibuf, TRUE);
		if (sp->fds_init)
			netsnmp_large_fd_set_cleanup(&sp->fds);
		nm_snmp_config_free(c);
		nm_plugin_set_data(p, NULL);
		g_free(sp);
		snmp_shutdown("netmond");
		log_plugin = NULL;
		return FALSE;
	}
	sp->c_resolve_fail = nm_plugin_counter(p, "dns_failures");
	for (guint i = 0; i < sp->targets->len; i++) {
		target *t = g_ptr_array_index(sp->targets, i);

		if (t->dns_host == NULL)
			continue;
		if (sp->resolver == NULL) {
			sp->resolver = g_resolver_get_default();
			sp->cancel = g_cancellable_new();
			nm_plugin_add_timer(p, "resolve", c->resolve_interval, NM_TIMER_DEFAULT,
					    resolve_tick, sp, NULL);
		}
		resolve_target(t);
	}
	nm_plugin_set_stats(p, stats_cb, sp);
	NM_INFO(p, "polling %u target%s%s%s", c->targets->len,
		c->targets->len == 1 ? "" : "s",
		c->trap_listen ? ", traps on " : "",
		c->trap_listen ? c->trap_listen : "");
	return TRUE;
}

/* shutdown: close every session (outstanding requests are dropped without
 * callbacks), the trap listener, and net-snmp itself. */
static void snmp_shutdown_cb(nm_plugin *p)
{
	snmp_plugin *sp = nm_plugin_get_data(p);

	if (sp == NULL)
		return;
	nm_plugin_set_stats(p, NULL, NULL);
	resolve_stop(sp);
	g_queue_clear(&sp->waitq);
	for (guint i = 0; i < sp->targets->len; i++) {
		target *t = g_ptr_array_index(sp->targets, i);

		t->polling = FALSE;
		target_free(t);
	}
	g_ptr_array_free(sp->targets, TRUE);
	nm_snmp_sched_free(sp->sched);
	g_string_free(sp->keybuf, TRUE);
	g_string_free(sp->instbuf, TRUE);
	g_string_free(sp->tibuf, TRUE);
	if (sp->fds_init)
		netsnmp_large_fd_set_cleanup(&sp->fds);
	nm_snmp_trap_close(sp->trap);
	nm_snmp_config_free(sp->conf);
	g_free(sp);
	snmp_shutdown("netmond");
	log_plugin = NULL;
}

NM_PLUGIN_DEFINE(.name = "snmp", .version = "1.0",
		 .description = "SNMP v1/v2c/v3 polling (async, GETBULK) "
				"and trap/inform reception",
		 .config_keys = nm_snmp_keys, .validate = snmp_validate,
		 .init = snmp_init, .shutdown = snmp_shutdown_cb);
