## nagios plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
NAGIOS_CORE = plugins/nagios/perfdata.c plugins/nagios/perfdata.h \
	plugins/nagios/runner.c plugins/nagios/runner.h
plugins_nagios_nagios_la_SOURCES = plugins/nagios/nagios.c $(NAGIOS_CORE)
plugins_nagios_nagios_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
plugins_nagios_nagios_la_LIBADD = -lm
if BUILD_PLUGIN_NAGIOS
pkglib_LTLIBRARIES += plugins/nagios/nagios.la
check_PROGRAMS += t/unit/test-nagios
t_unit_test_nagios_SOURCES = t/unit/test-nagios.c $(NAGIOS_CORE)
t_unit_test_nagios_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/nagios
t_unit_test_nagios_LDADD = libnetmoncore.la -lm
t_unit_test_nagios_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-nagios t/integration/nagios.sh
EXTRA_DIST += plugins/nagios/README t/integration/nagios.sh t/data/checks
endif
