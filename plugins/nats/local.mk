## nats plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_NATS
pkglib_LTLIBRARIES += plugins/nats/nats.la
endif
plugins_nats_nats_la_SOURCES = plugins/nats/nats.c
plugins_nats_nats_la_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS)
plugins_nats_nats_la_LIBADD = $(NATS_LIBS)
plugins_nats_nats_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
