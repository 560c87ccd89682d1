## sshconf plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
SSHCONF_CORE = plugins/sshconf/text.c plugins/sshconf/text.h \
	plugins/sshconf/store.c plugins/sshconf/store.h \
	plugins/sshconf/fetch.c plugins/sshconf/fetch.h
SSHCONF_PROFILES = etc/profiles/cisco-ios.profile \
	etc/profiles/cisco-nxos.profile etc/profiles/junos.profile \
	etc/profiles/arista-eos.profile etc/profiles/routeros.profile \
	etc/profiles/linux.profile etc/profiles/openwrt.profile
plugins_sshconf_sshconf_la_SOURCES = plugins/sshconf/sshconf.c $(SSHCONF_CORE)
plugins_sshconf_sshconf_la_CFLAGS = $(AM_CFLAGS) $(LIBSSH_CFLAGS) $(LIBGIT2_CFLAGS)
plugins_sshconf_sshconf_la_LIBADD = $(LIBSSH_LIBS) $(LIBGIT2_LIBS)
plugins_sshconf_sshconf_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
if BUILD_PLUGIN_SSHCONF
pkglib_LTLIBRARIES += plugins/sshconf/sshconf.la
sshconfprofilesdir = $(pkgdatadir)/profiles
dist_sshconfprofiles_DATA = $(SSHCONF_PROFILES)

## Unit tests: profiles, the text pipeline, diff, the git store.
check_PROGRAMS += t/unit/test-sshconf
t_unit_test_sshconf_SOURCES = t/unit/test-sshconf.c $(SSHCONF_CORE)
t_unit_test_sshconf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/sshconf \
	-DSRCDIR='"$(abs_top_srcdir)"'
t_unit_test_sshconf_CFLAGS = $(AM_CFLAGS) $(LIBSSH_CFLAGS) $(LIBGIT2_CFLAGS)
t_unit_test_sshconf_LDADD = libnetmoncore.la $(LIBSSH_LIBS) $(LIBGIT2_LIBS)
t_unit_test_sshconf_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install

## A test plugin writing CONFIG and STATE messages to a file.
check_LTLIBRARIES += t/data/sshconf/cfgsink.la
t_data_sshconf_cfgsink_la_SOURCES = t/data/sshconf/cfgsink.c
t_data_sshconf_cfgsink_la_LDFLAGS = $(TEST_PLUGIN_FLAGS)

TESTS += t/unit/test-sshconf t/integration/sshconf.sh

## `make bench-sshconf`: 200 devices against a forced-command sshd.
bench-sshconf: all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	$(SHELL) $(top_srcdir)/contrib/bench/sshconf
endif
.PHONY: bench-sshconf
EXTRA_DIST += plugins/sshconf/README etc/profiles/README \
	t/integration/sshconf.sh contrib/bench/sshconf \
	t/data/sshconf/cisco-ios.in t/data/sshconf/cisco-ios.out t/data/sshconf/fake-ios.sh t/data/sshconf/ios.conf t/data/sshconf/ios.expected t/data/sshconf/junos.in t/data/sshconf/junos.out t/data/sshconf/routeros.in t/data/sshconf/routeros.out
