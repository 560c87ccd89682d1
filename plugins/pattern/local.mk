## pattern plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
PATTERN_CORE = plugins/pattern/match.c plugins/pattern/match.h
plugins_pattern_pattern_la_SOURCES = plugins/pattern/pattern.c $(PATTERN_CORE)
plugins_pattern_pattern_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
if BUILD_PLUGIN_PATTERN
pkglib_LTLIBRARIES += plugins/pattern/pattern.la
check_PROGRAMS += t/unit/test-pattern
t_unit_test_pattern_SOURCES = t/unit/test-pattern.c $(PATTERN_CORE)
t_unit_test_pattern_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/pattern
t_unit_test_pattern_LDADD = libnetmoncore.la
t_unit_test_pattern_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-pattern t/integration/pattern.sh
EXTRA_DIST += plugins/pattern/README t/integration/pattern.sh
endif
