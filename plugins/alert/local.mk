## alert plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
ALERT_CORE = plugins/alert/engine.c plugins/alert/engine.h \
	plugins/alert/group.c plugins/alert/group.h plugins/alert/notice.h \
	plugins/alert/maint.c plugins/alert/maint.h \
	plugins/alert/notifiers.c plugins/alert/notifiers.h
plugins_alert_alert_la_SOURCES = plugins/alert/alert.c $(ALERT_CORE) \
	plugins/nagios/runner.c plugins/nagios/runner.h
plugins_alert_alert_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/nagios
plugins_alert_alert_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CURL_CFLAGS)
plugins_alert_alert_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
plugins_alert_alert_la_LIBADD = $(SQLITE_LIBS) $(CURL_LIBS)
if BUILD_PLUGIN_ALERT
pkglib_LTLIBRARIES += plugins/alert/alert.la
check_PROGRAMS += t/unit/test-alert
t_unit_test_alert_SOURCES = t/unit/test-alert.c $(ALERT_CORE)
t_unit_test_alert_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/alert
t_unit_test_alert_LDADD = libnetmoncore.la
t_unit_test_alert_LDFLAGS = $(AM_LDFLAGS) -export-dynamic -no-install
TESTS += t/unit/test-alert t/integration/alert.sh t/integration/alert-notify.sh
EXTRA_DIST += plugins/alert/README t/integration/alert.sh \
	t/integration/alert-notify.sh
endif
