## Fuzz targets of the core (config loader, control socket, wire codec).
## Plugins' targets live in their own local.mk. Convention (t/fuzz/README):
## t/fuzz/fuzz-<name>.c defines LLVMFuzzerTestOneInput; t/fuzz/replay-<name>
## (always built, a TAP test) replays t/fuzz/corpus/<name>/ and
## t/fuzz/regress/<name>/; under FUZZING t/fuzz/fuzz-<name> is the libFuzzer
## program, listed in FUZZ_TARGETS.

## Both link the whole core: fuzz-conf drives nm_core_config_load() and
## nm_conf_check(); fuzz-ctl parses request lines and replies (ctl.c) and
## dispatches to a real nm_core (commands.c, daemon.c).
CORE_FUZZ_LIBS = $(GLIB_LIBS) $(LIBCONFIG_LIBS) $(JSONGLIB_LIBS) $(LIBLTDL) -lm
check_PROGRAMS += t/fuzz/replay-conf t/fuzz/replay-ctl
TESTS += t/fuzz/replay-conf t/fuzz/replay-ctl
t_fuzz_replay_conf_SOURCES = t/fuzz/replay.c t/fuzz/fuzz-conf.c
t_fuzz_replay_conf_CPPFLAGS = $(AM_CPPFLAGS) -DNM_FUZZ_TARGET='"conf"'
t_fuzz_replay_conf_LDADD = libnetmoncore.la
t_fuzz_replay_ctl_SOURCES = t/fuzz/replay.c t/fuzz/fuzz-ctl.c
t_fuzz_replay_ctl_CPPFLAGS = $(AM_CPPFLAGS) -DNM_FUZZ_TARGET='"ctl"'
t_fuzz_replay_ctl_LDADD = libnetmoncore.la
t_fuzz_replay_ctl_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
EXTRA_DIST += t/fuzz/corpus/conf t/fuzz/regress/conf t/fuzz/corpus/ctl \
	t/fuzz/regress/ctl
if FUZZING
check_PROGRAMS += t/fuzz/fuzz-conf t/fuzz/fuzz-ctl
FUZZ_TARGETS += t/fuzz/fuzz-conf$(EXEEXT) t/fuzz/fuzz-ctl$(EXEEXT)
t_fuzz_fuzz_conf_SOURCES = t/fuzz/fuzz-conf.c $(libnetmoncore_la_SOURCES)
t_fuzz_fuzz_conf_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_conf_LDFLAGS = $(FUZZ_CFLAGS)
t_fuzz_fuzz_conf_LDADD = $(CORE_FUZZ_LIBS)
t_fuzz_fuzz_ctl_SOURCES = t/fuzz/fuzz-ctl.c $(libnetmoncore_la_SOURCES)
t_fuzz_fuzz_ctl_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
t_fuzz_fuzz_ctl_LDFLAGS = $(FUZZ_CFLAGS) -rdynamic
t_fuzz_fuzz_ctl_LDADD = $(CORE_FUZZ_LIBS)
endif
