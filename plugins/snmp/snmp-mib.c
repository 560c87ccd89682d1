/* netmon snmp plugin — OID names from MIB modules, for the configuration.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The plugin polls with numeric OIDs only and runs with no MIB loaded
 * (parsing MIB files is slow and net-snmp's parser keeps its tree for the
 * life of the process). Names in user collect sets are resolved once,
 * while the configuration is parsed: MIBs are loaded, every name looked
 * up, and the tree freed again before net-snmp is set up for polling.
 */
#include "config.h"

#include <string.h>
#include <dlfcn.h>

#include "snmp-mib.h"

struct nm_snmp_mib {
	char *dirs;
};

/* Keep libnetsnmp mapped when this module is unloaded (after `netmond -t`
 * or a reload's validation): netsnmp_init_mib() allocates a hash table
 * that shutdown_mib() never frees; it then stays reachable and is reused
 * (as snmp.c's keep_netsnmp_resident() does for polling). Best effort. */
static void pin_netsnmp(void)
{
	Dl_info info;

	if (dladdr((void *)netsnmp_init_mib, &info) != 0 && info.dli_fname != NULL)
		(void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

nm_snmp_mib *nm_snmp_mib_load(const char *dirs, const char *const *modules)
{
	nm_snmp_mib *m = g_new0(nm_snmp_mib, 1);
	char *list, *line;

	m->dirs = g_strdup(dirs != NULL ? dirs : NETSNMP_DEFAULT_MIBDIRS);
	list = modules != NULL && modules[0] != NULL
	       ? g_strjoinv(":", (char **)modules) : g_strdup("ALL");
	pin_netsnmp();
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
	/* bare names ("ifHCInOctets.3") anywhere in the tree, as -IR */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RANDOM_ACCESS, 1);
	netsnmp_set_mib_directory(m->dirs);
	/* the module list as the "mibs" token of snmp.conf would give it, so
	 * that net-snmp's default list (SNMPv2-MIB:IF-MIB:...) is not tried:
	 * its missing modules print "MIB search path" to stderr */
	line = g_strdup_printf("mibs %s", list);
	register_mib_handlers();
	(void)netsnmp_config(line);
	g_free(line);
	g_free(list);
	netsnmp_init_mib();
	return m;
}

gboolean nm_snmp_mib_resolve(nm_snmp_mib *m, const char *text,
			     nm_snmp_oid *out)
{
	(void)m;
	out->len = MAX_OID_LEN;
	if (text == NULL || snmp_parse_oid(text, out->name, &out->len) == NULL)
		return FALSE;
	return out->len >= 2;
}

const char *nm_snmp_mib_dirs(const nm_snmp_mib *m)
{
	return m->dirs;
}

void nm_snmp_mib_unload(nm_snmp_mib *m)
{
	if (m == NULL)
		return;
	shutdown_mib();
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_RANDOM_ACCESS, 0);
	g_free(m->dirs);
	g_free(m);
}
