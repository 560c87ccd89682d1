/* netmon snmp plugin — OID names from MIB modules, for the configuration.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_SNMP_MIB_H
#define NETMON_SNMP_MIB_H

#include "snmp-logic.h"

G_BEGIN_DECLS

/** MIB modules loaded to turn OID names into numbers while a
 *  configuration is parsed. */
typedef struct nm_snmp_mib nm_snmp_mib;

/** Load MIB modules with net-snmp's parser (netsnmp_init_mib() with
 *  @modules as the "mibs" list, or "ALL" when @modules is NULL or empty):
 *  from the directories @dirs (a ':'-separated
 *  list; NULL = net-snmp's default, /usr/share/snmp/mibs...). Parse errors
 *  and warnings of the MIB files are not printed: a name that did not load
 *  simply does not resolve. Returns a new handle (never NULL); free it
 *  with nm_snmp_mib_unload() before net-snmp is initialised for polling
 *  (it frees net-snmp's MIB tree, a process-wide state). */
nm_snmp_mib *nm_snmp_mib_load(const char *dirs, const char *const *modules);

/** The OID of @text: "IF-MIB::ifHCInOctets", "ifHCInOctets",
 *  "SNMPv2-MIB::sysUpTime.0", or numeric (net-snmp's snmp_parse_oid()).
 *  FALSE if no loaded module defines the name. */
gboolean nm_snmp_mib_resolve(nm_snmp_mib *m, const char *text,
			     nm_snmp_oid *out);

/** The directories searched, as given to nm_snmp_mib_load() (for error
 *  messages; owned by @m). */
const char *nm_snmp_mib_dirs(const nm_snmp_mib *m);

/** Free net-snmp's MIB tree (shutdown_mib()) and @m (NULL is ignored). */
void nm_snmp_mib_unload(nm_snmp_mib *m);

G_END_DECLS

#endif /* NETMON_SNMP_MIB_H */
