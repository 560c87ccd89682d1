## snmp plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_SNMP
pkglib_LTLIBRARIES += plugins/snmp/snmp.la

check_PROGRAMS += t/unit/test-snmp t/unit/test-snmp-dump
TESTS += t/unit/test-snmp t/integration/snmp.sh t/integration/snmp-hardening.sh \
	t/integration/snmp-v3-forged.sh
endif
plugins_snmp_snmp_la_SOURCES = plugins/snmp/snmp.c plugins/snmp/snmp-logic.c \
	plugins/snmp/snmp-sched.c plugins/snmp/snmp-sched.h \
	plugins/snmp/snmp-trap.c plugins/snmp/snmp-trap.h \
	plugins/snmp/snmp-mib.c plugins/snmp/snmp-mib.h \
	plugins/snmp/snmp-logic.h
plugins_snmp_snmp_la_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
plugins_snmp_snmp_la_LIBADD = $(NETSNMP_LIBS)
plugins_snmp_snmp_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)

## Unit tests of the pure parts (config, conversions, counters, walks).
t_unit_test_snmp_SOURCES = t/unit/test-snmp.c plugins/snmp/snmp-logic.c \
	plugins/snmp/snmp-sched.c plugins/snmp/snmp-sched.h \
	plugins/snmp/snmp-mib.c plugins/snmp/snmp-mib.h \
	plugins/snmp/snmp-logic.h
t_unit_test_snmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/snmp
t_unit_test_snmp_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
t_unit_test_snmp_LDADD = libnetmoncore.la $(NETSNMP_LIBS)
t_unit_test_snmp_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install

## In-process core + snmp plugin that prints every published message; used
## by t/integration/snmp.sh to check metric and event contents.
t_unit_test_snmp_dump_SOURCES = t/unit/test-snmp-dump.c
t_unit_test_snmp_dump_LDADD = libnetmoncore.la
t_unit_test_snmp_dump_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install

EXTRA_DIST += plugins/snmp/README t/integration/snmp.sh t/data/snmp \
	t/integration/snmp-hardening.sh t/integration/snmp-mock-agent.py \
	t/integration/snmp-v3-forged.sh t/integration/snmp-v3-forge-agent.py \
	contrib/bench/snmp

## Fuzz target (t/fuzz/README): netmon's own SNMP code (varbind conversion,
## table assembly and instance names, trap text, counters) replayed over
## its corpus and regression inputs in every build; a libFuzzer program in
## a --enable-fuzzing build.
SNMP_FUZZ = t/fuzz/fuzz-snmp.c plugins/snmp/snmp-logic.c plugins/snmp/snmp-logic.h \
	plugins/snmp/snmp-mib.c plugins/snmp/snmp-mib.h
if BUILD_PLUGIN_SNMP
check_PROGRAMS += t/fuzz/replay-snmp
TESTS += t/fuzz/replay-snmp
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-snmp
FUZZ_TARGETS += t/fuzz/fuzz-snmp$(EXEEXT)
endif
endif
t_fuzz_replay_snmp_SOURCES = t/fuzz/replay.c $(SNMP_FUZZ)
t_fuzz_replay_snmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/snmp \
	-DNM_FUZZ_TARGET='"snmp"'
t_fuzz_replay_snmp_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS)
t_fuzz_replay_snmp_LDADD = libnetmoncore.la $(NETSNMP_LIBS)
t_fuzz_fuzz_snmp_SOURCES = $(SNMP_FUZZ)
t_fuzz_fuzz_snmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/snmp
t_fuzz_fuzz_snmp_CFLAGS = $(AM_CFLAGS) $(NETSNMP_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_snmp_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_snmp_LDADD = libnetmoncore.la $(NETSNMP_LIBS)
EXTRA_DIST += t/fuzz/corpus/snmp t/fuzz/regress/snmp
