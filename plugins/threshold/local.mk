## threshold plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_THRESHOLD
pkglib_LTLIBRARIES += plugins/threshold/threshold.la
endif
plugins_threshold_threshold_la_SOURCES = plugins/threshold/threshold.c
plugins_threshold_threshold_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
