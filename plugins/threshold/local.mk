## threshold plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
THRESHOLD_CORE = plugins/threshold/range.c plugins/threshold/range.h \
	plugins/threshold/eval.c plugins/threshold/eval.h
plugins_threshold_threshold_la_SOURCES = plugins/threshold/threshold.c \
	$(THRESHOLD_CORE)
plugins_threshold_threshold_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
plugins_threshold_threshold_la_LIBADD = -lm
if BUILD_PLUGIN_THRESHOLD
pkglib_LTLIBRARIES += plugins/threshold/threshold.la
check_PROGRAMS += t/unit/test-threshold
t_unit_test_threshold_SOURCES = t/unit/test-threshold.c $(THRESHOLD_CORE)
t_unit_test_threshold_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/threshold
t_unit_test_threshold_LDADD = libnetmoncore.la -lm
t_unit_test_threshold_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-threshold t/integration/threshold.sh \
	t/integration/threshold-examples.sh
EXTRA_DIST += plugins/threshold/README t/integration/threshold.sh \
	t/integration/threshold-examples.sh contrib/bench/alert
## SNMP/ICMP-shaped metric feed for the shipped-rules test and the benchmark.
check_LTLIBRARIES += contrib/bench/alertfeed.la
contrib_bench_alertfeed_la_SOURCES = contrib/bench/alertfeed.c
contrib_bench_alertfeed_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)
## `make bench-alert`: 100,000 series through threshold rules and alert.
bench-alert: contrib/bench/alertfeed.la netmond$(EXEEXT) netmonctl$(EXEEXT)
	top_builddir=$(abs_top_builddir) top_srcdir=$(abs_top_srcdir) \
	$(SHELL) $(top_srcdir)/contrib/bench/alert
endif
.PHONY: bench-alert
