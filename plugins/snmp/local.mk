## snmp plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_SNMP
pkglib_LTLIBRARIES += plugins/snmp/snmp.la
endif
plugins_snmp_snmp_la_SOURCES = plugins/snmp/snmp.c
plugins_snmp_snmp_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
