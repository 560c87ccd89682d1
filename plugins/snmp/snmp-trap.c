/* Trap receiver (RFC 3416 §4.2.6/4.2.7, RFC 3584 §3.1 for v1 traps).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * One net-snmp server session on snmp.trap_listen, its socket watched by
 * the core's main loop. Every accepted notification becomes one EVENT
 * (app_name "snmptrap", msgid = trap OID, structured data snmpTrap@32473,
 * text = the varbinds); informs are answered with a Response.
 */
#include "config.h"

#include <string.h>
#include <errno.h>

#include <net-snmp/library/large_fd_set.h>

#include "snmp-trap.h"

struct nm_snmp_trap {
	nm_plugin *p;
	const nm_snmp_config *conf;   /* borrowed */
	void *sessp;
	netsnmp_transport *transport;
	int fd;
	guint watch;
	nm_counter *c_traps, *c_informs, *c_traps_rejected, *c_trap_errors;
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
	if (sp->conf->trap_community != NULL &&
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
			       "type=\"%s\"]", trap_oid,
			       pdu->version == SNMP_VERSION_1 ? "1"
			       : pdu->version == SNMP_VERSION_2c ? "2c" : "3",
			       kind);
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

/* fd watch of the trap socket: read and dispatch to trap_cb(). */
static gboolean on_trap_readable(gint fd, GIOCondition cond, gpointer data)
{
	nm_snmp_trap *sp = data;
	netsnmp_large_fd_set fds;

	(void)cond;
	netsnmp_large_fd_set_init(&fds, fd + 1);
	NETSNMP_LARGE_FD_SET(fd, &fds);
	(void)snmp_sess_read2(sp->sessp, &fds);
	netsnmp_large_fd_set_cleanup(&fds);
	return G_SOURCE_CONTINUE;
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
	sp->transport = netsnmp_transport_open_server("snmptrap", spec);
	if (sp->transport == NULL) {
		int e = errno;

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
		g_free(sp);
		(void)nm_conf_error(config_setting_get_member(group, "trap_listen"),
				    err, "cannot set up trap reception on '%s'",
				    spec);
		return NULL;
	}
	sp->fd = sp->transport->sock;
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
	g_free(sp);
}
