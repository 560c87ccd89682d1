/* Trap receiver (RFC 3416 §4.2.6/4.2.7, RFC 3584 §3.1 for v1 traps).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * One net-snmp server session on snmp.trap_listen, its socket watched by
 * the core's main loop. Every accepted notification becomes one EVENT
 * (app_name "snmptrap", msgid = trap OID, structured data snmpTrap@32473,
 * text = the varbinds); informs are answered with a Response.
 *
 * SNMPv3 (RFC 3414 USM) for the users of snmp.trap_users. net-snmp looks
 * a message's user up by (msgAuthoritativeEngineID, msgUserName):
 * - an InformRequest is sent to us as the authoritative engine (RFC 3412
 *   §7.1.5), so every trap user is entered with our own engine ID; the
 *   sender discovers it with a Report (RFC 3414 §4);
 * - an SNMPv2-Trap carries the SENDER's engine ID. Users with engine_ids
 *   are entered for those engines only. For the others ("any engine"), the
 *   header of each v3 datagram is read before net-snmp gets it
 *   (nm_snmp_v3_peek(), MSG_PEEK) and, for a configured user name and an
 *   engine ID not seen yet, the user is entered for that engine with keys
 *   localised to it (RFC 3414 §2.6). If the message then fails
 *   authentication the entry is removed again, so forged engine IDs
 *   without the key leave nothing behind; at most trap_max_engines
 *   engines are learned.
 * A message net-snmp rejects (unknown user, wrong digest, decryption
 * error, outside the time window: seen as a change of its usmStats
 * counters around the read, RFC 3414 §5) is counted as traps_rejected and
 * logged once per source address, naming the user, never a key. A v3
 * notification below the user's security_level, or from a user that is
 * not in trap_users (e.g. a polling user), is rejected the same way.
 */
#include "config.h"

#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <netdb.h>

#include <net-snmp/library/large_fd_set.h>

#include "snmp-trap.h"

/* Why a v3 notification was rejected. */
enum {
	REJ_USER = 0,   /* usmStatsUnknownUserNames, or not in trap_users */
	REJ_DIGEST,     /* usmStatsWrongDigests: auth key/protocol */
	REJ_DECRYPT,    /* usmStatsDecryptionErrors: priv key/protocol */
	REJ_TIME,       /* usmStatsNotInTimeWindows */
	REJ_ENGINE,     /* usmStatsUnknownEngineIDs (not the discovery probe) */
	REJ_LEVEL,      /* usmStatsUnsupportedSecLevels, or below the user's */
	REJ_N
};

static const char *const rej_names[REJ_N] = {
	"unknown_user", "wrong_digest", "decryption_error",
	"not_in_time_window", "unknown_engine_id", "security_level"
};

static const char *const rej_text[REJ_N] = {
	"unknown user (not in snmp.trap_users)",
	"wrong authentication digest (check the sender's auth key and "
	"auth_protocol)",
	"decryption failed (check the sender's priv key and priv_protocol)",
	"outside the time window (RFC 3414 §3.2 step 7)",
	"unknown engine ID (user not set up for the sender's engine)",
	"security level below the user's security_level"
};

/* usmStats counters per reason (net-snmp's snmp_get_statistic). */
static const int rej_stat[REJ_N] = {
	STAT_USMSTATSUNKNOWNUSERNAMES, STAT_USMSTATSWRONGDIGESTS,
	STAT_USMSTATSDECRYPTIONERRORS, STAT_USMSTATSNOTINTIMEWINDOWS,
	STAT_USMSTATSUNKNOWNENGINEIDS, STAT_USMSTATSUNSUPPORTEDSECLEVELS
};

#define PEEK_MAX 65536            /* a whole UDP datagram */
#define KUL_MAX USM_LENGTH_KU_HASHBLOCK
#define LOGGED_MAX 4096           /* sources remembered as logged */

struct nm_snmp_trap {
	nm_plugin *p;
	const nm_snmp_config *conf;   /* borrowed */
	void *sessp;
	netsnmp_transport *transport;
	int fd;
	gboolean dgram;               /* peek at v3 headers (UDP only) */
	guint watch;
	guint8 *peekbuf;              /* PEEK_MAX octets, v3 users only */
	GHashTable *logged;           /* source text -> NULL: rejection logged */
	guint engines_learned;
	gboolean engines_full_logged;
	guint64 rejected[REJ_N];      /* by reason */
	u_int before[REJ_N];          /* usmStats before the current read */
	gboolean handled;             /* trap_cb() rejected the current one */
	nm_counter *c_traps, *c_informs, *c_traps_rejected, *c_trap_errors;
	nm_counter *c_engines;
};

static const oid sysUpTime0[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid snmpTrapOID0[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid snmpTraps[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5 };

/* Numeric dotted text of an OID (new string, "" for an empty one). */
static char *trap_oid_text(const oid *name, size_t len)
{
	char *s = nm_snmp_index_string(name, len, 0);

	return s != NULL ? s : g_strdup("");
}

/* The trap user named @name (@len octets), or NULL. */
static const nm_snmp_trap_user *find_user(const nm_snmp_trap *sp,
					  const void *name, gsize len)
{
	for (guint i = 0; i < sp->conf->trap_users->len; i++) {
		const nm_snmp_trap_user *u = g_ptr_array_index(sp->conf->trap_users, i);

		if (strlen(u->sec.user) == len && memcmp(u->sec.user, name, len) == 0)
			return u;
	}
	return NULL;
}

/* Enter @u into net-snmp's USM user table for engine @eid (@elen octets),
 * keys localised to it (RFC 3414 §2.6, A.2). Returns the new entry, or
 * NULL if net-snmp refused (key derivation, memory). Secrets on the stack
 * are zeroed. */
static struct usmUser *usm_enter(const nm_snmp_trap_user *u, const u_char *eid,
				 size_t elen)
{
	const nm_snmp_security *sec = &u->sec;
	struct usmUser *e = usm_create_user();
	u_char ku[USM_AUTH_KU_LEN];
	size_t kulen;
	gboolean ok = FALSE;

	if (e == NULL)
		return NULL;
	e->engineID = netsnmp_memdup(eid, elen);
	e->engineIDLen = elen;
	e->name = strdup(sec->user);
	e->secName = strdup(sec->user);
	e->userStorageType = ST_READONLY;
	if (e->engineID == NULL || e->name == NULL || e->secName == NULL)
		goto out;
	if (sec->level >= SNMP_SEC_LEVEL_AUTHNOPRIV) {
		SNMP_FREE(e->authProtocol);
		e->authProtocol = snmp_duplicate_objid(sec->auth_proto,
						       sec->auth_proto_len);
		e->authProtocolLen = sec->auth_proto_len;
		e->authKey = malloc(KUL_MAX);
		e->authKeyLen = KUL_MAX;
		kulen = sizeof(ku);
		if (e->authProtocol == NULL || e->authKey == NULL ||
		    generate_Ku(sec->auth_proto, (u_int)sec->auth_proto_len,
				(const u_char *)sec->auth_password,
				strlen(sec->auth_password), ku, &kulen) != SNMPERR_SUCCESS ||
		    generate_kul(sec->auth_proto, (u_int)sec->auth_proto_len,
				 eid, elen, ku, kulen, e->authKey,
				 &e->authKeyLen) != SNMPERR_SUCCESS)
			goto out;
	}
	if (sec->level == SNMP_SEC_LEVEL_AUTHPRIV) {
		SNMP_FREE(e->privProtocol);
		e->privProtocol = snmp_duplicate_objid(sec->priv_proto,
						       sec->priv_proto_len);
		e->privProtocolLen = sec->priv_proto_len;
		e->privKey = malloc(KUL_MAX);
		e->privKeyLen = KUL_MAX;
		kulen = sizeof(ku);
		if (e->privProtocol == NULL || e->privKey == NULL ||
		    generate_Ku(sec->auth_proto, (u_int)sec->auth_proto_len,
				(const u_char *)sec->priv_password,
				strlen(sec->priv_password), ku, &kulen) != SNMPERR_SUCCESS ||
		    generate_kul(sec->auth_proto, (u_int)sec->auth_proto_len,
				 eid, elen, ku, kulen, e->privKey,
				 &e->privKeyLen) != SNMPERR_SUCCESS ||
		    usm_extend_user_kul(e, KUL_MAX) != SNMPERR_SUCCESS)
			goto out;
	}
	ok = TRUE;
out:
	memset(ku, 0, sizeof(ku));
	if (!ok) {
		usm_free_user(e);
		return NULL;
	}
	usm_add_user(e);
	return e;
}

/* Log a rejected v3 notification, once per source address. */
static void reject(nm_snmp_trap *sp, const char *source, const char *user,
		   int why)
{
	sp->rejected[why]++;
	nm_counter_add(sp->c_traps_rejected, 1);
	if (g_hash_table_contains(sp->logged, source))
		return;
	if (g_hash_table_size(sp->logged) >= LOGGED_MAX) {
		NM_DEBUG(sp->p, "SNMPv3 notification from %s rejected: %s",
			 source, rej_text[why]);
		return;
	}
	g_hash_table_add(sp->logged, g_strdup(source));
	NM_WARNING(sp->p, "SNMPv3 notification from %s (user '%s') rejected: "
		   "%s; further rejections from %s are only counted",
		   source, user, rej_text[why], source);
}

/* Numeric host text of a socket address (new string). */
static char *addr_text(const struct sockaddr_storage *a, socklen_t len)
{
	char host[NI_MAXHOST];

	if (getnameinfo((const struct sockaddr *)a, len, host, sizeof(host),
			NULL, 0, NI_NUMERICHOST) != 0)
		return g_strdup("?");
	return g_strdup(host);
}

/* Why net-snmp's USM refused the message being read, from its usmStats
 * counters against sp->before (RFC 3414 §3.2), or -1 if none moved. */
static int usm_failure(const nm_snmp_trap *sp)
{
	for (int i = 0; i < REJ_N; i++)
		if (snmp_get_statistic(rej_stat[i]) != sp->before[i])
			return i;
	return -1;
}

/* The sender's IP address of a received PDU (new string). */
static char *trap_source(nm_snmp_trap *sp, netsnmp_pdu *pdu)
{
	char *txt = NULL, *a, *b, *res;

	if (sp->transport->f_fmtaddr != NULL)
		txt = sp->transport->f_fmtaddr(sp->transport,
						    pdu->transport_data,
						    pdu->transport_data_length);
	if (txt == NULL)
		return g_strdup("");
	a = strchr(txt, '[');
	b = a ? strchr(a, ']') : NULL;
	res = (a && b) ? g_strndup(a + 1, (gsize)(b - a - 1)) : g_strdup(txt);
	free(txt);
	return res;
}


/* A PDU on trap_listen: v1 Trap (trap OID from RFC 3584 §3.1), v2c
 * SNMPv2-Trap or InformRequest (RFC 3416 §4.2.6/4.2.7) becomes one EVENT;
 * an inform is acknowledged with a Response. Others are counted as
 * trap_errors; a community other than trap_community as traps_rejected. */
static int trap_cb(int op, netsnmp_session *sess, int reqid, netsnmp_pdu *pdu,
		   void *magic)
{
	nm_snmp_trap *sp = magic;
	nm_event ev = { 0 };
	GString *text, *sd;
	char *source, *trap_oid = NULL;
	const char *kind;

	(void)sess;
	(void)reqid;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == NULL)
		return 1;
	if (pdu->command != SNMP_MSG_TRAP && pdu->command != SNMP_MSG_TRAP2 &&
	    pdu->command != SNMP_MSG_INFORM) {
		nm_counter_add(sp->c_trap_errors, 1);
		return 1;
	}
	if (pdu->version == SNMP_VERSION_3) {
		const nm_snmp_trap_user *u = pdu->securityName == NULL ? NULL
			: find_user(sp, pdu->securityName, pdu->securityNameLen);
		int why = usm_failure(sp);

		/* net-snmp 5.9 hands a PDU that failed USM authentication
		 * to the callback all the same ("parse fail"): the usmStats
		 * counters moving during this read are what tells. */
		if (why < 0 && u == NULL)
			why = REJ_USER;
		else if (why < 0 && pdu->securityLevel < u->sec.level)
			why = REJ_LEVEL;
		if (why >= 0) {
			char *src = trap_source(sp, pdu);
			char *name = g_strndup(pdu->securityName ? pdu->securityName
					       : "", pdu->securityNameLen);

			reject(sp, src, name, why);
			sp->handled = TRUE;
			g_free(name);
			g_free(src);
			return 1;
		}
	} else if (sp->conf->trap_community != NULL &&
	    (pdu->community == NULL ||
	     pdu->community_len != strlen(sp->conf->trap_community) ||
	     memcmp(pdu->community, sp->conf->trap_community,
		    pdu->community_len) != 0)) {
		nm_counter_add(sp->c_traps_rejected, 1);
		return 1;
	}
	source = trap_source(sp, pdu);
	text = g_string_new(NULL);
	if (pdu->command == SNMP_MSG_TRAP) {
		kind = "trap";
		if (pdu->trap_type != SNMP_TRAP_ENTERPRISESPECIFIC &&
		    pdu->trap_type >= 0 && pdu->trap_type < 6) {
			char *base = trap_oid_text(snmpTraps, G_N_ELEMENTS(snmpTraps));
			trap_oid = g_strdup_printf("%s.%ld", base, pdu->trap_type + 1);
			g_free(base);
		} else {
			char *ent = trap_oid_text(pdu->enterprise, pdu->enterprise_length);
			trap_oid = g_strdup_printf("%s.0.%ld", ent, pdu->specific_type);
			g_free(ent);
		}
		for (const netsnmp_variable_list *vb = pdu->variables; vb;
		     vb = vb->next_variable)
			nm_snmp_vb_append_text(text, vb);
	} else {
		kind = pdu->command == SNMP_MSG_INFORM ? "inform" : "trap";
		for (const netsnmp_variable_list *vb = pdu->variables; vb;
		     vb = vb->next_variable) {
			if (snmp_oid_compare(vb->name, vb->name_length, snmpTrapOID0,
					     G_N_ELEMENTS(snmpTrapOID0)) == 0 &&
			    vb->type == ASN_OBJECT_ID && trap_oid == NULL)
				trap_oid = trap_oid_text(vb->val.objid,
						    vb->val_len / sizeof(oid));
			else if (snmp_oid_compare(vb->name, vb->name_length,
						  sysUpTime0,
						  G_N_ELEMENTS(sysUpTime0)) != 0)
				nm_snmp_vb_append_text(text, vb);
		}
	}
	if (trap_oid == NULL)
		trap_oid = g_strdup("");
	sd = g_string_new(NULL);
	g_string_append_printf(sd, "[snmpTrap@32473 oid=\"%s\" version=\"%s\" "
			       "type=\"%s\"", trap_oid,
			       pdu->version == SNMP_VERSION_1 ? "1"
			       : pdu->version == SNMP_VERSION_2c ? "2c" : "3",
			       kind);
	if (pdu->version == SNMP_VERSION_3) {
		/* a trap_users name: RFC 5424 §6.3.3 escapes " \\ ] */
		g_string_append(sd, " user=\"");
		for (size_t i = 0; i < pdu->securityNameLen; i++) {
			char ch = pdu->securityName[i];

			if (ch == '"' || ch == '\\' || ch == ']')
				g_string_append_c(sd, '\\');
			g_string_append_c(sd, ch);
		}
		g_string_append_printf(sd, "\" level=\"%s\"",
				       pdu->securityLevel == SNMP_SEC_LEVEL_AUTHPRIV
				       ? "authPriv"
				       : pdu->securityLevel == SNMP_SEC_LEVEL_AUTHNOPRIV
				       ? "authNoPriv" : "noAuthNoPriv");
	}
	g_string_append_c(sd, ']');
	ev.source = source;
	ev.host = source;
	ev.facility = -1;
	ev.severity = 5; /* notice */
	ev.app_name = "snmptrap";
	ev.msgid = trap_oid;
	ev.structured_data = sd->str;
	ev.text = text->str;
	nm_plugin_publish(sp->p, nm_event_new(&ev, g_get_real_time()));
	nm_counter_add(sp->c_traps, 1);
	if (pdu->command == SNMP_MSG_INFORM) {
		netsnmp_pdu *reply = snmp_clone_pdu(pdu);

		if (reply == NULL) {
			nm_counter_add(sp->c_trap_errors, 1);
		} else {
			reply->command = SNMP_MSG_RESPONSE;
			reply->errstat = 0;
			reply->errindex = 0;
			if (snmp_sess_send(sp->sessp, reply) == 0) {
				snmp_free_pdu(reply);
				nm_counter_add(sp->c_trap_errors, 1);
			} else {
				nm_counter_add(sp->c_informs, 1);
			}
		}
	}
	g_string_free(sd, TRUE);
	g_string_free(text, TRUE);
	g_free(trap_oid);
	g_free(source);
	return 1;
}

/* Before net-snmp reads a v3 datagram: its header (@h, from the peeked
 * datagram); enter a configured "any engine" user for a sender engine not
 * seen yet. Returns the entry made, to be removed again if the message
 * fails, or NULL. */
static struct usmUser *learn_engine(nm_snmp_trap *sp, const nm_snmp_v3_header *h)
{
	const nm_snmp_trap_user *u;
	u_char local[SNMP_MAXBUF_SMALL];
	size_t llen;
	char *name;
	struct usmUser *e;

	if (h->engine_id_len < 5)      /* discovery probe or malformed */
		return NULL;
	u = find_user(sp, h->user, h->user_len);
	if (u == NULL || u->engine_ids->len > 0)
		return NULL;
	llen = snmpv3_get_engineID(local, sizeof(local));
	if (llen == h->engine_id_len && memcmp(local, h->engine_id, llen) == 0)
		return NULL;           /* an inform: entered at open */
	name = g_strndup((const char *)h->user, h->user_len);
	e = usm_get_user(h->engine_id, h->engine_id_len, name);
	g_free(name);
	if (e != NULL)
		return NULL;
	if (sp->engines_learned >= (guint)sp->conf->trap_max_engines) {
		if (!sp->engines_full_logged)
			NM_WARNING(sp->p, "snmp.trap_max_engines (%d) sender "
				   "engines learned: v3 traps from further "
				   "engines are rejected (list them in "
				   "trap_users[].engine_ids or raise the limit)",
				   sp->conf->trap_max_engines);
		sp->engines_full_logged = TRUE;
		return NULL;
	}
	return usm_enter(u, h->engine_id, h->engine_id_len);
}

/* fd watch of the trap socket: read and dispatch to trap_cb(). With v3
 * users, a datagram's v3 header is peeked at first (learn_engine()) and
 * net-snmp's usmStats counters compared around the read: a rise means
 * net-snmp dropped the message (RFC 3414 §3.2), which is counted and
 * logged with the source. */
static gboolean on_trap_readable(gint fd, GIOCondition cond, gpointer data)
{
	nm_snmp_trap *sp = data;
	netsnmp_large_fd_set fds;
	nm_snmp_v3_header h;
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = -1;
	gboolean v3 = FALSE;
	struct usmUser *learned = NULL;
	int why;

	(void)cond;
	if (sp->peekbuf != NULL && sp->dgram) {
		n = recvfrom(fd, sp->peekbuf, PEEK_MAX, MSG_PEEK | MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		v3 = n > 0 && nm_snmp_v3_peek(sp->peekbuf, (gsize)n, &h);
	}
	if (v3)
		learned = learn_engine(sp, &h);
	for (int i = 0; i < REJ_N; i++)
		sp->before[i] = snmp_get_statistic(rej_stat[i]);
	sp->handled = FALSE;
	netsnmp_large_fd_set_init(&fds, fd + 1);
	NETSNMP_LARGE_FD_SET(fd, &fds);
	(void)snmp_sess_read2(sp->sessp, &fds);
	netsnmp_large_fd_set_cleanup(&fds);
	why = usm_failure(sp);
	/* an empty engine ID is a sender's discovery (RFC 3414 §4) */
	if (why == REJ_ENGINE && v3 && h.engine_id_len == 0)
		why = -1;
	if (why >= 0 && !sp->handled) {
		char *src = v3 ? addr_text(&from, flen) : g_strdup("?");
		char *name = v3 ? g_strndup((const char *)h.user, h.user_len)
				: g_strdup("?");

		reject(sp, src, name, why);
		g_free(name);
		g_free(src);
	}
	if (learned != NULL && why >= 0) {
		usm_remove_user(learned);
		usm_free_user(learned);
	} else if (learned != NULL) {
		sp->engines_learned++;
		nm_counter_add(sp->c_engines, 1);
	}
	return G_SOURCE_CONTINUE;
}

/* Enter every trap user for our own engine (informs) and for its
 * engine_ids (traps). FALSE if net-snmp refused one. */
static gboolean enter_users(nm_snmp_trap *sp)
{
	u_char local[SNMP_MAXBUF_SMALL];
	size_t llen = snmpv3_get_engineID(local, sizeof(local));

	if (llen == 0)
		return FALSE;
	for (guint i = 0; i < sp->conf->trap_users->len; i++) {
		const nm_snmp_trap_user *u = g_ptr_array_index(sp->conf->trap_users, i);

		if (usm_get_user(local, llen, u->sec.user) == NULL &&
		    usm_enter(u, local, llen) == NULL)
			return FALSE;
		for (guint k = 0; k < u->engine_ids->len; k++) {
			gsize elen;
			const guint8 *eid = g_bytes_get_data(
				g_ptr_array_index(u->engine_ids, k), &elen);

			if (usm_get_user(eid, elen, u->sec.user) == NULL &&
			    usm_enter(u, eid, elen) == NULL)
				return FALSE;
		}
	}
	return TRUE;
}

void nm_snmp_trap_stats(const nm_snmp_trap *sp, JsonBuilder *b)
{
	json_builder_set_member_name(b, "traps");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "received");
	json_builder_add_int_value(b, (gint64)nm_counter_get(sp->c_traps));
	json_builder_set_member_name(b, "rejected");
	json_builder_add_int_value(b, (gint64)nm_counter_get(sp->c_traps_rejected));
	json_builder_set_member_name(b, "v3_engines_learned");
	json_builder_add_int_value(b, sp->engines_learned);
	json_builder_set_member_name(b, "v3_rejected");
	json_builder_begin_object(b);
	for (int i = 0; i < REJ_N; i++) {
		json_builder_set_member_name(b, rej_names[i]);
		json_builder_add_int_value(b, (gint64)sp->rejected[i]);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
}

nm_snmp_trap *nm_snmp_trap_open(nm_plugin *p, const nm_snmp_config *conf,
				const config_setting_t *group, GError **err)
{
	netsnmp_session s;
	const char *spec = conf->trap_listen;
	nm_snmp_trap *sp = g_new0(nm_snmp_trap, 1);

	sp->p = p;
	sp->conf = conf;
	sp->fd = -1;
	sp->c_traps = nm_plugin_counter(p, "traps_received");
	sp->c_informs = nm_plugin_counter(p, "informs_acknowledged");
	sp->c_traps_rejected = nm_plugin_counter(p, "traps_rejected");
	sp->c_trap_errors = nm_plugin_counter(p, "trap_errors");
	sp->c_engines = nm_plugin_counter(p, "trap_engines_learned");
	sp->logged = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (conf->trap_users->len > 0 && !enter_users(sp)) {
		g_hash_table_destroy(sp->logged);
		g_free(sp);
		(void)nm_conf_error(config_setting_get_member(group, "trap_users"),
				    err, "net-snmp cannot set up these users "
				    "(key derivation failed)");
		return NULL;
	}
	sp->transport = netsnmp_transport_open_server("snmptrap", spec);
	if (sp->transport == NULL) {
		int e = errno;

		g_hash_table_destroy(sp->logged);
		g_free(sp);
		(void)nm_conf_error(config_setting_get_member(group, "trap_listen"),
				    err, "cannot listen on '%s': %s", spec,
				    g_strerror(e));
		return NULL;
	}
	snmp_sess_init(&s);
	s.peername = SNMP_DEFAULT_PEERNAME;
	s.version = SNMP_DEFAULT_VERSION;
	s.community_len = SNMP_DEFAULT_COMMUNITY_LEN;
	s.retries = SNMP_DEFAULT_RETRIES;
	s.timeout = SNMP_DEFAULT_TIMEOUT;
	s.callback = trap_cb;
	s.callback_magic = sp;
	s.authenticator = NULL;
	s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
	sp->sessp = snmp_sess_add(&s, sp->transport, NULL, NULL);
	if (sp->sessp == NULL) {
		/* snmp_sess_add closes the transport on failure */
		g_hash_table_destroy(sp->logged);
		g_free(sp);
		(void)nm_conf_error(config_setting_get_member(group, "trap_listen"),
				    err, "cannot set up trap reception on '%s'",
				    spec);
		return NULL;
	}
	sp->fd = sp->transport->sock;
	{
		int type = 0;
		socklen_t tl = sizeof(type);

		sp->dgram = getsockopt(sp->fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
			    type == SOCK_DGRAM;
	}
	if (conf->trap_users->len > 0)
		sp->peekbuf = g_malloc(PEEK_MAX);
	sp->watch = nm_plugin_add_watch(p, sp->fd, G_IO_IN, on_trap_readable, sp);
	return sp;
}

void nm_snmp_trap_close(nm_snmp_trap *sp)
{
	if (sp == NULL)
		return;
	if (sp->watch != 0)
		nm_plugin_remove_watch(sp->p, sp->watch);
	if (sp->sessp != NULL)
		snmp_sess_close(sp->sessp);
	g_hash_table_destroy(sp->logged);
	g_free(sp->peekbuf);
	g_free(sp);
}
