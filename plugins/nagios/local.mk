## nagios plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_NAGIOS
pkglib_LTLIBRARIES += plugins/nagios/nagios.la
endif
plugins_nagios_nagios_la_SOURCES = plugins/nagios/nagios.c
plugins_nagios_nagios_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
