/* sshconf — configuration history in a git repository (libgit2).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * A bare repository holds one file per device at its top level, named
 * after the device. Every change is one commit on the default branch,
 * "DEVICE: configuration changed at TIME". All calls are serialised by a
 * lock inside the store, so worker threads may share one store.
 */
#ifndef SSHCONF_STORE_H
#define SSHCONF_STORE_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct sshconf_store sshconf_store;

/** Open the bare repository @dir, creating it (and its parents) when
 *  missing. NULL with @err set (SSHCONF_ERROR_STORE) on failure.
 *  Calls git_libgit2_init(); sshconf_store_free() balances it. */
sshconf_store *sshconf_store_open(const char *dir, GError **err);

/** Close the repository (NULL is fine). */
void sshconf_store_free(sshconf_store *s);

/** The text of @device's configuration @rev changes back (0 = the latest
 *  stored version, 1 = the one before, ...). Returns a new string, or NULL:
 *  with @err unset when the device has no such version, with @err set on a
 *  repository error. */
char *sshconf_store_read(sshconf_store *s, const char *device, guint rev,
			 GError **err);

/** Store @text as @device's configuration in a new commit with @message,
 *  author/committer "netmon <netmon@@host>" at @time (µs since the epoch).
 *  Nothing is committed when @text equals the latest stored version: then
 *  *@committed is FALSE. @commit_hex (may be NULL) receives the new
 *  commit's id (g_free()). FALSE with @err set on a repository error. */
gboolean sshconf_store_commit(sshconf_store *s, const char *device,
			      const char *text, const char *message,
			      const char *host, gint64 time,
			      gboolean *committed, char **commit_hex,
			      GError **err);

/** Number of stored versions (commits that changed it) of @device;
 *  -1 with @err set on a repository error. */
int sshconf_store_count(sshconf_store *s, const char *device, GError **err);

G_END_DECLS

#endif /* SSHCONF_STORE_H */
