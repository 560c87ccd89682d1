## alert plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_ALERT
pkglib_LTLIBRARIES += plugins/alert/alert.la
endif
plugins_alert_alert_la_SOURCES = plugins/alert/alert.c
plugins_alert_alert_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
