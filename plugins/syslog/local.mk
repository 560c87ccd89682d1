## syslog plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
plugins_syslog_syslog_la_SOURCES = plugins/syslog/syslog.c \
	plugins/syslog/parse.c plugins/syslog/parse.h
plugins_syslog_syslog_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
if BUILD_PLUGIN_SYSLOG
pkglib_LTLIBRARIES += plugins/syslog/syslog.la
check_PROGRAMS += t/unit/test-syslog
t_unit_test_syslog_SOURCES = t/unit/test-syslog.c plugins/syslog/parse.c \
	plugins/syslog/parse.h
t_unit_test_syslog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/syslog
t_unit_test_syslog_LDADD = libnetmoncore.la
t_unit_test_syslog_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-syslog t/integration/syslog.sh t/integration/syslog-tls.sh
EXTRA_DIST += t/integration/syslog.sh t/integration/syslog-tls.sh \
	t/data/syslog/corpus.txt plugins/syslog/README contrib/bench/syslog
endif
