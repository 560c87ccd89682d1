## rrd plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_RRD
pkglib_LTLIBRARIES += plugins/rrd/rrd.la

## Unit tests: the pure parts and the plugin end to end in a fake core.
check_PROGRAMS += t/unit/test-rrd
t_unit_test_rrd_SOURCES = t/unit/test-rrd.c plugins/rrd/rrd-util.c \
	plugins/rrd/rrd-util.h
t_unit_test_rrd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/rrd
t_unit_test_rrd_CFLAGS = $(AM_CFLAGS) $(RRD_CFLAGS)
t_unit_test_rrd_LDADD = libnetmoncore.la $(RRD_LIBS)
t_unit_test_rrd_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install

## A test plugin that publishes known METRIC sequences.
check_LTLIBRARIES += t/data/rrd/rrdfeed.la
t_data_rrd_rrdfeed_la_SOURCES = t/data/rrd/rrdfeed.c
t_data_rrd_rrdfeed_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)

TESTS += t/unit/test-rrd t/integration/rrd.sh t/integration/rrd-outage.sh \
	t/integration/rrd-fullfs.sh
endif
EXTRA_DIST += t/integration/rrd.sh t/integration/rrd-outage.sh \
	t/integration/rrd-fullfs.sh contrib/bench/rrd \
	contrib/bench/rrd-collectd-feed.c contrib/bench/rrd-check.c

## `make bench-rrd`: 100,000 series against collectd (contrib/bench/rrd).
bench-rrd: all t/data/rrd/rrdfeed.la
	$(SHELL) $(top_srcdir)/contrib/bench/rrd $(abs_top_builddir)
.PHONY: bench-rrd
plugins_rrd_rrd_la_SOURCES = plugins/rrd/rrd.c plugins/rrd/rrd-util.c \
	plugins/rrd/rrd-util.h
plugins_rrd_rrd_la_CFLAGS = $(AM_CFLAGS) $(RRD_CFLAGS)
plugins_rrd_rrd_la_LIBADD = $(RRD_LIBS) -lm
plugins_rrd_rrd_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
