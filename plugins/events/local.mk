## events plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
plugins_events_events_la_SOURCES = plugins/events/events.c
plugins_events_events_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
plugins_events_events_la_LIBADD = $(SQLITE_LIBS)
plugins_events_events_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
if BUILD_PLUGIN_EVENTS
pkglib_LTLIBRARIES += plugins/events/events.la
TESTS += t/integration/events.sh
EXTRA_DIST += t/integration/events.sh plugins/events/README
endif
