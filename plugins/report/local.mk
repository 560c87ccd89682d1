## report plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_REPORT
pkglib_LTLIBRARIES += plugins/report/report.la
endif
plugins_report_report_la_SOURCES = plugins/report/report.c
plugins_report_report_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
