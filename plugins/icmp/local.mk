## icmp plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
plugins_icmp_icmp_la_SOURCES = plugins/icmp/icmp.c plugins/icmp/match.c \
	plugins/icmp/match.h plugins/icmp/proto.c \
	plugins/icmp/proto.h
plugins_icmp_icmp_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
plugins_icmp_icmp_la_LIBADD = -lm
if BUILD_PLUGIN_ICMP
pkglib_LTLIBRARIES += plugins/icmp/icmp.la
check_PROGRAMS += t/unit/test-icmp
t_unit_test_icmp_SOURCES = t/unit/test-icmp.c plugins/icmp/match.c \
	plugins/icmp/match.h plugins/icmp/proto.c \
	plugins/icmp/proto.h
t_unit_test_icmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/icmp
t_unit_test_icmp_LDADD = libnetmoncore.la -lm
t_unit_test_icmp_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-icmp t/integration/icmp.sh
EXTRA_DIST += t/integration/icmp.sh contrib/bench/icmp plugins/icmp/README
endif
## Fuzz target (t/fuzz/README): reply parsing and batch matching, replayed
## over its corpus and regression inputs in every build; a libFuzzer
## program in a --enable-fuzzing build.
ICMP_FUZZ = t/fuzz/fuzz-icmp.c plugins/icmp/match.c plugins/icmp/match.h \
	plugins/icmp/proto.c plugins/icmp/proto.h
check_PROGRAMS += t/fuzz/replay-icmp
TESTS += t/fuzz/replay-icmp
t_fuzz_replay_icmp_SOURCES = t/fuzz/replay.c $(ICMP_FUZZ)
t_fuzz_replay_icmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/icmp \
	-DNM_FUZZ_TARGET='"icmp"'
t_fuzz_replay_icmp_LDADD = $(GLIB_LIBS) -lm
EXTRA_DIST += t/fuzz/corpus/icmp t/fuzz/regress/icmp
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-icmp
FUZZ_TARGETS += t/fuzz/fuzz-icmp$(EXEEXT)
t_fuzz_fuzz_icmp_SOURCES = $(ICMP_FUZZ)
t_fuzz_fuzz_icmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/icmp
t_fuzz_fuzz_icmp_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_icmp_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_icmp_LDADD = $(GLIB_LIBS) -lm
endif
