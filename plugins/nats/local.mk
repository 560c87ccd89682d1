## nats plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_NATS
pkglib_LTLIBRARIES += plugins/nats/nats.la

## A test plugin that publishes and checks messages of all six types.
check_LTLIBRARIES += t/data/nats/natsfeed.la
t_data_nats_natsfeed_la_SOURCES = t/data/nats/natsfeed.c
t_data_nats_natsfeed_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)

TESTS += t/integration/nats.sh t/integration/shard-nats.sh
endif
EXTRA_DIST += plugins/nats/README t/integration/nats.sh \
	t/integration/shard-nats.sh contrib/systemd/netmond.service \
	contrib/bench/nats
plugins_nats_nats_la_SOURCES = plugins/nats/nats.c
plugins_nats_nats_la_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS)
plugins_nats_nats_la_LIBADD = $(NATS_LIBS)
plugins_nats_nats_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
