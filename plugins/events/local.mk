## events plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_EVENTS
pkglib_LTLIBRARIES += plugins/events/events.la
endif
plugins_events_events_la_SOURCES = plugins/events/events.c
plugins_events_events_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
