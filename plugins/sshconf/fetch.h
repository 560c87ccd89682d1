/* sshconf — fetch a device's configuration over SSH (libssh).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef SSHCONF_FETCH_H
#define SSHCONF_FETCH_H

#include <glib.h>
#include "text.h"

G_BEGIN_DECLS

/** Everything one fetch needs. Strings are borrowed for the call. */
typedef struct {
	const char *device;        /**< name used in errors */
	const char *host;          /**< address or DNS name */
	guint port;                /**< TCP port, 22 by default */
	const char *username;
	const char *password;      /**< password and keyboard-interactive;
				        NULL: not tried */
	const char *key_file;      /**< private key (OpenSSH/PEM); NULL: none */
	const char *passphrase;    /**< of @key_file, or NULL */
	const char *enable_secret; /**< shell profiles with enable; or NULL */
	const char *known_hosts;   /**< OpenSSH known_hosts file */
	gboolean tofu;             /**< trust an unknown key on first use and
				        append it to @known_hosts */
	gint64 connect_timeout;    /**< µs for TCP connect + key exchange */
	gint64 auth_timeout;       /**< µs for authentication */
	gint64 command_timeout;    /**< µs per command (the profile's own
				        timeout wins when it sets one) */
	gint64 deadline;           /**< g_get_monotonic_time() µs by which the
				        whole fetch ends, whatever the step */
	const sshconf_profile *profile;
	const gint *cancel;        /**< non-zero asks to stop; may be NULL */
	GMutex *known_hosts_lock;  /**< serialises known_hosts writes; may be
				        NULL */
} sshconf_target;

/** What a fetch learnt besides the text. */
typedef struct {
	gboolean trusted_new_key;  /**< TOFU added the key to known_hosts */
	char *fingerprint;         /**< "SHA256:..." of the host key (g_free) */
} sshconf_fetch_info;

/** Connect to @t, verify the host key against @t->known_hosts (RFC 4253
 *  section 8 host key; OpenSSH known_hosts format), authenticate
 *  (RFC 4252: public key, password, keyboard-interactive RFC 4256, tried
 *  in that order with what @t provides), run the profile's commands —
 *  each in its own exec channel (RFC 4254 section 6.5) or, for shell
 *  profiles, in one interactive shell with a pty (section 6.2/6.5) with
 *  prompt detection, pager answering, setup commands and enable — and
 *  return their normalised output, concatenated (g_free()).
 *  Every wait is bounded by the step's timeout and by @t->deadline; TCP
 *  keepalives are on. On failure NULL with @err set (SSHCONF_ERROR; the
 *  message starts with the device name and never contains a credential).
 *  @info (may be NULL) is filled on success and failure; clear it with
 *  sshconf_fetch_info_clear(). Blocking: call from a worker thread. */
char *sshconf_fetch(const sshconf_target *t, sshconf_fetch_info *info,
		    GError **err);

/** Free what @info holds (not @info itself). */
void sshconf_fetch_info_clear(sshconf_fetch_info *info);

G_END_DECLS

#endif /* SSHCONF_FETCH_H */
