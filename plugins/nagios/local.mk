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
## Fuzz target (t/fuzz/README): plugin output, perfdata and the ranges in
## perfdata warn/crit; replayed in every build, libFuzzer under FUZZING.
NAGIOS_FUZZ = t/fuzz/fuzz-nagios.c plugins/nagios/perfdata.c \
	plugins/nagios/perfdata.h plugins/threshold/range.c \
	plugins/threshold/range.h
NAGIOS_FUZZ_CPPFLAGS = -I$(top_srcdir)/plugins/nagios \
	-I$(top_srcdir)/plugins/threshold
check_PROGRAMS += t/fuzz/replay-nagios
TESTS += t/fuzz/replay-nagios
t_fuzz_replay_nagios_SOURCES = t/fuzz/replay.c $(NAGIOS_FUZZ)
t_fuzz_replay_nagios_CPPFLAGS = $(AM_CPPFLAGS) $(NAGIOS_FUZZ_CPPFLAGS) \
	-DNM_FUZZ_TARGET='"nagios"'
t_fuzz_replay_nagios_LDADD = $(GLIB_LIBS) -lm
EXTRA_DIST += t/fuzz/corpus/nagios t/fuzz/regress/nagios
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-nagios
FUZZ_TARGETS += t/fuzz/fuzz-nagios$(EXEEXT)
t_fuzz_fuzz_nagios_SOURCES = $(NAGIOS_FUZZ)
t_fuzz_fuzz_nagios_CPPFLAGS = $(AM_CPPFLAGS) $(NAGIOS_FUZZ_CPPFLAGS)
t_fuzz_fuzz_nagios_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_nagios_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_nagios_LDADD = $(GLIB_LIBS) -lm
endif
