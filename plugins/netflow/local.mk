## netflow plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
NETFLOW_CORE = plugins/netflow/decode.c plugins/netflow/decode.h \
	plugins/netflow/agg.c plugins/netflow/agg.h
plugins_netflow_netflow_la_SOURCES = plugins/netflow/netflow.c $(NETFLOW_CORE)
plugins_netflow_netflow_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
if BUILD_PLUGIN_NETFLOW
pkglib_LTLIBRARIES += plugins/netflow/netflow.la
check_PROGRAMS += t/unit/test-netflow t/tools/nm-flowgen
t_unit_test_netflow_SOURCES = t/unit/test-netflow.c $(NETFLOW_CORE) \
	t/fuzz/fuzz-netflow.c t/fuzz/fuzz-netflow.h
t_unit_test_netflow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/netflow \
	-I$(top_srcdir)/t/fuzz
t_unit_test_netflow_LDADD = libnetmoncore.la
t_unit_test_netflow_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
t_tools_nm_flowgen_SOURCES = t/tools/nm-flowgen.c
t_tools_nm_flowgen_LDADD = $(GLIB_LIBS)
TESTS += t/unit/test-netflow t/integration/netflow.sh \
	t/integration/netflow-softflowd.sh t/integration/netflow-flood.sh \
	t/integration/netflow-rx.sh
EXTRA_DIST += t/integration/netflow.sh t/integration/netflow-softflowd.sh \
	t/integration/netflow-flood.sh t/integration/netflow-rx.sh \
	plugins/netflow/README contrib/bench/netflow t/fuzz/corpus/netflow \
	t/data/netflow/mkpcap.py t/data/netflow/mkregress.py
## `make bench-netflow`: pure decode benchmark (records/s) and nfcapd comparison.
EXTRA_PROGRAMS += contrib/bench/netflow-bench
contrib_bench_netflow_bench_SOURCES = contrib/bench/netflow-bench.c $(NETFLOW_CORE)
contrib_bench_netflow_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/netflow
contrib_bench_netflow_bench_LDADD = libnetmoncore.la
bench-netflow: contrib/bench/netflow-bench$(EXEEXT) t/tools/nm-flowgen$(EXEEXT)
	NETFLOW_BENCH=$(abs_top_builddir)/contrib/bench/netflow-bench$(EXEEXT) \
	NM_FLOWGEN=$(abs_top_builddir)/t/tools/nm-flowgen$(EXEEXT) \
	$(SHELL) $(top_srcdir)/contrib/bench/netflow
endif
.PHONY: bench-netflow
## Fuzz target (t/fuzz/README): replayed over its corpus and regression
## inputs in every build; a libFuzzer program in a --enable-fuzzing build.
NETFLOW_FUZZ = t/fuzz/fuzz-netflow.c t/fuzz/fuzz-netflow.h \
	plugins/netflow/decode.c plugins/netflow/decode.h
check_PROGRAMS += t/fuzz/replay-netflow
TESTS += t/fuzz/replay-netflow
t_fuzz_replay_netflow_SOURCES = t/fuzz/replay.c $(NETFLOW_FUZZ)
t_fuzz_replay_netflow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/netflow \
	-DNM_FUZZ_TARGET='"netflow"'
t_fuzz_replay_netflow_LDADD = $(GLIB_LIBS)
EXTRA_DIST += t/fuzz/regress/netflow
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-netflow
FUZZ_TARGETS += t/fuzz/fuzz-netflow$(EXEEXT)
t_fuzz_fuzz_netflow_SOURCES = $(NETFLOW_FUZZ)
t_fuzz_fuzz_netflow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/netflow
t_fuzz_fuzz_netflow_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_netflow_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_netflow_LDADD = $(GLIB_LIBS)
endif
