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
TESTS += t/unit/test-threshold t/integration/threshold.sh
EXTRA_DIST += plugins/threshold/README t/integration/threshold.sh
endif
