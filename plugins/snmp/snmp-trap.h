/* netmon snmp plugin — the trap/inform receiver on trap_listen.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_SNMP_TRAP_H
#define NETMON_SNMP_TRAP_H

#include "snmp-logic.h"

G_BEGIN_DECLS

/** A trap receiver: one server session on snmp.trap_listen. */
typedef struct nm_snmp_trap nm_snmp_trap;

/** Bind @conf->trap_listen (a net-snmp transport spec, e.g.
 *  "udp:0.0.0.0:162") and receive SNMP notifications on the main loop:
 *  v1 Trap (RFC 3584 §3.1), SNMPv2-Trap and InformRequest (RFC 3416
 *  §4.2.6/4.2.7), each published by @p as one EVENT; informs are
 *  acknowledged. @conf is borrowed and must outlive the receiver; @group
 *  is the snmp config group (for error locations). net-snmp must be
 *  initialised (init_snmp) first. Returns NULL with @err naming the
 *  setting (file:line) when the address cannot be bound. Free with
 *  nm_snmp_trap_close(). */
nm_snmp_trap *nm_snmp_trap_open(nm_plugin *p, const nm_snmp_config *conf,
				const config_setting_t *group, GError **err);

/** Add the receiver's figures to a JSON object being built in @b (for
 *  `netmonctl stats --json`): member "traps" with received, rejected,
 *  v3_engines_learned and v3_rejected by reason (unknown_user,
 *  wrong_digest, decryption_error, not_in_time_window, unknown_engine_id,
 *  security_level). */
void nm_snmp_trap_stats(const nm_snmp_trap *tr, JsonBuilder *b);

/** Stop receiving and free the receiver (NULL is ignored). */
void nm_snmp_trap_close(nm_snmp_trap *tr);

G_END_DECLS

#endif /* NETMON_SNMP_TRAP_H */
