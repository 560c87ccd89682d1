## report plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
## Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
REPORT_CORE_SOURCES = plugins/report/graphdef.c plugins/report/graphdef.h \
	plugins/report/avail.c plugins/report/avail.h \
	plugins/report/site.c plugins/report/site.h \
	plugins/report/html.c plugins/report/html.h
if BUILD_PLUGIN_REPORT
pkglib_LTLIBRARIES += plugins/report/report.la

## Graph definitions: data, installed beside types.db.
reportdir = $(pkgdatadir)/report
dist_report_DATA = etc/report/graphs.conf

## Unit tests: graph values from rrd_graph_v, definitions, escaping,
## availability, the site generator.
check_PROGRAMS += t/unit/test-report
t_unit_test_report_SOURCES = t/unit/test-report.c $(REPORT_CORE_SOURCES)
t_unit_test_report_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/report
t_unit_test_report_CFLAGS = $(AM_CFLAGS) $(RRD_CFLAGS)
t_unit_test_report_LDADD = libnetmoncore.la $(RRD_LIBS) -lm
t_unit_test_report_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install

TESTS += t/unit/test-report t/integration/report.sh
endif
plugins_report_report_la_SOURCES = plugins/report/report.c $(REPORT_CORE_SOURCES)
plugins_report_report_la_CFLAGS = $(AM_CFLAGS) $(RRD_CFLAGS)
plugins_report_report_la_LIBADD = $(RRD_LIBS) -lm
plugins_report_report_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
EXTRA_DIST += t/integration/report.sh plugins/report/README \
	contrib/nginx/netmon-report.conf t/tools/browser-check \
	t/tools/browser-check.js t/data/report/inventory-r1.json \
	t/data/report/lsan.supp etc/report/graphs.conf
