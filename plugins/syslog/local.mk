## syslog plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_SYSLOG
pkglib_LTLIBRARIES += plugins/syslog/syslog.la
endif
plugins_syslog_syslog_la_SOURCES = plugins/syslog/syslog.c
plugins_syslog_syslog_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
