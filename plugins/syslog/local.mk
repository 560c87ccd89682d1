## syslog plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
plugins_syslog_syslog_la_SOURCES = plugins/syslog/syslog.c \
	plugins/syslog/framing.c plugins/syslog/framing.h \
	plugins/syslog/parse.c plugins/syslog/parse.h
plugins_syslog_syslog_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
if BUILD_PLUGIN_SYSLOG
pkglib_LTLIBRARIES += plugins/syslog/syslog.la
check_PROGRAMS += t/unit/test-syslog
t_unit_test_syslog_SOURCES = t/unit/test-syslog.c plugins/syslog/parse.c \
	plugins/syslog/framing.c plugins/syslog/framing.h \
	plugins/syslog/parse.h
t_unit_test_syslog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/syslog
t_unit_test_syslog_LDADD = libnetmoncore.la
t_unit_test_syslog_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-syslog t/integration/syslog.sh t/integration/syslog-tls.sh \
	t/integration/syslog-flood.sh
EXTRA_DIST += t/integration/syslog.sh t/integration/syslog-tls.sh \
	t/integration/syslog-flood.sh \
	t/data/syslog/corpus.txt plugins/syslog/README contrib/bench/syslog
## contrib/bench/syslog's bus consumer that only counts EVENTs (parse-into-
## bus rate without a store); built by `make check` so it stays compiling.
check_LTLIBRARIES += contrib/bench/syslog-evcount/evcount.la
contrib_bench_syslog_evcount_evcount_la_SOURCES = \
	contrib/bench/syslog-evcount/evcount.c
contrib_bench_syslog_evcount_evcount_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
endif
## Fuzz targets (t/fuzz/README): the message parser, and the RFC 6587
## framing with the stream split at arbitrary points. Replayed over their
## corpus and regression inputs in every build; libFuzzer programs in a
## --enable-fuzzing build.
SYSLOG_FUZZ = t/fuzz/fuzz-syslog.c plugins/syslog/parse.c plugins/syslog/parse.h
SYSLOG_FRAMING_FUZZ = t/fuzz/fuzz-syslog-framing.c plugins/syslog/framing.c \
	plugins/syslog/framing.h
check_PROGRAMS += t/fuzz/replay-syslog t/fuzz/replay-syslog-framing
TESTS += t/fuzz/replay-syslog t/fuzz/replay-syslog-framing
t_fuzz_replay_syslog_SOURCES = t/fuzz/replay.c $(SYSLOG_FUZZ)
t_fuzz_replay_syslog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/syslog \
	-DNM_FUZZ_TARGET='"syslog"'
t_fuzz_replay_syslog_LDADD = $(GLIB_LIBS)
t_fuzz_replay_syslog_framing_SOURCES = t/fuzz/replay.c $(SYSLOG_FRAMING_FUZZ)
t_fuzz_replay_syslog_framing_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/syslog -DNM_FUZZ_TARGET='"syslog-framing"'
t_fuzz_replay_syslog_framing_LDADD = $(GLIB_LIBS)
EXTRA_DIST += t/fuzz/corpus/syslog t/fuzz/regress/syslog \
	t/fuzz/corpus/syslog-framing t/fuzz/regress/syslog-framing
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-syslog t/fuzz/fuzz-syslog-framing
FUZZ_TARGETS += t/fuzz/fuzz-syslog$(EXEEXT) t/fuzz/fuzz-syslog-framing$(EXEEXT)
t_fuzz_fuzz_syslog_SOURCES = $(SYSLOG_FUZZ)
t_fuzz_fuzz_syslog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/syslog
t_fuzz_fuzz_syslog_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_syslog_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_syslog_LDADD = $(GLIB_LIBS)
t_fuzz_fuzz_syslog_framing_SOURCES = $(SYSLOG_FRAMING_FUZZ)
t_fuzz_fuzz_syslog_framing_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/syslog
t_fuzz_fuzz_syslog_framing_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_syslog_framing_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_syslog_framing_LDADD = $(GLIB_LIBS)
endif
