## netflow plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_NETFLOW
pkglib_LTLIBRARIES += plugins/netflow/netflow.la
endif
plugins_netflow_netflow_la_SOURCES = plugins/netflow/netflow.c
plugins_netflow_netflow_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
