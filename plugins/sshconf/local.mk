## sshconf plugin (included by the top-level Makefile.am). Paths are relative to
## the top of the tree.
if BUILD_PLUGIN_SSHCONF
pkglib_LTLIBRARIES += plugins/sshconf/sshconf.la
endif
plugins_sshconf_sshconf_la_SOURCES = plugins/sshconf/sshconf.c
plugins_sshconf_sshconf_la_LDFLAGS = $(PLUGIN_MODULE_FLAGS)
