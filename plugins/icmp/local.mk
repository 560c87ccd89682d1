## icmp plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
plugins_icmp_icmp_la_SOURCES = plugins/icmp/icmp.c plugins/icmp/match.c \
	plugins/icmp/match.h plugins/icmp/proto.c \
	plugins/icmp/proto.h
plugins_icmp_icmp_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
plugins_icmp_icmp_la_LIBADD = -lm
if BUILD_PLUGIN_ICMP
pkglib_LTLIBRARIES += plugins/icmp/icmp.la
check_PROGRAMS += t/unit/test-icmp
t_unit_test_icmp_SOURCES = t/unit/test-icmp.c plugins/icmp/match.c \
	plugins/icmp/match.h plugins/icmp/proto.c \
	plugins/icmp/proto.h
t_unit_test_icmp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/icmp
t_unit_test_icmp_LDADD = libnetmoncore.la -lm
t_unit_test_icmp_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-icmp t/integration/icmp.sh
EXTRA_DIST += t/integration/icmp.sh contrib/bench/icmp plugins/icmp/README
endif
