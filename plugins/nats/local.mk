## nats plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_NATS
pkglib_LTLIBRARIES += plugins/nats/nats.la

## A test plugin that publishes and checks messages of all six types.
check_LTLIBRARIES += t/data/nats/natsfeed.la
t_data_nats_natsfeed_la_SOURCES = t/data/nats/natsfeed.c
t_data_nats_natsfeed_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)

TESTS += t/integration/nats.sh t/integration/shard-nats.sh \
	t/integration/nats-outage.sh
endif
EXTRA_DIST += plugins/nats/README t/integration/nats.sh \
	t/integration/shard-nats.sh t/integration/nats-outage.sh \
	contrib/systemd/netmond.service \
	contrib/bench/nats
plugins_nats_nats_la_SOURCES = plugins/nats/nats.c
plugins_nats_nats_la_CFLAGS = $(AM_CFLAGS) $(NATS_CFLAGS)
plugins_nats_nats_la_LIBADD = $(NATS_LIBS)
plugins_nats_nats_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)

## Deployment tests of the core parts this issue owns (privilege drop,
## sd_notify, log targets); they need no libnats.
TESTS += t/integration/privdrop.sh t/integration/sdnotify.sh
EXTRA_DIST += t/integration/privdrop.sh t/integration/sdnotify.sh

## Fuzz target of the wire decoder (t/fuzz/README): replayed over its corpus
## (the round-trip test's encodings: NM_WIRE_WRITE_SEEDS=dir t/unit/test-wire)
## and regression inputs in every build; a libFuzzer program under FUZZING.
## Needs no libnats: the codec is in the core.
WIRE_FUZZ = t/fuzz/fuzz-wire.c core/wire.c core/msg.c
check_PROGRAMS += t/fuzz/replay-wire
TESTS += t/fuzz/replay-wire
t_fuzz_replay_wire_SOURCES = t/fuzz/replay.c $(WIRE_FUZZ)
t_fuzz_replay_wire_CPPFLAGS = $(AM_CPPFLAGS) -DNM_FUZZ_TARGET='"wire"'
t_fuzz_replay_wire_LDADD = $(GLIB_LIBS) -lm
EXTRA_DIST += t/fuzz/corpus/wire t/fuzz/regress/wire
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-wire
FUZZ_TARGETS += t/fuzz/fuzz-wire$(EXEEXT)
t_fuzz_fuzz_wire_SOURCES = $(WIRE_FUZZ)
t_fuzz_fuzz_wire_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_wire_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_wire_LDADD = $(GLIB_LIBS) -lm
endif
