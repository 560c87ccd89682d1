/* sshconf — device profiles and the text pipeline (normalise, drop, mask,
 * diff). Pure functions, no I/O besides reading profile files.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef SSHCONF_TEXT_H
#define SSHCONF_TEXT_H

#include <glib.h>

G_BEGIN_DECLS

/** Error domain of the sshconf plugin (profiles, fetch, store). */
#define SSHCONF_ERROR (sshconf_error_quark())
GQuark sshconf_error_quark(void);
typedef enum {
	SSHCONF_ERROR_PROFILE,          /**< profile missing or invalid */
	SSHCONF_ERROR_CONNECT,          /**< TCP/SSH connection failed */
	SSHCONF_ERROR_HOSTKEY_UNKNOWN,  /**< host key not in known_hosts */
	SSHCONF_ERROR_HOSTKEY_CHANGED,  /**< host key differs from known_hosts */
	SSHCONF_ERROR_AUTH,             /**< every authentication method failed */
	SSHCONF_ERROR_COMMAND,          /**< a command failed on the device */
	SSHCONF_ERROR_TIMEOUT,          /**< a step or the whole fetch timed out */
	SSHCONF_ERROR_CANCELLED,        /**< the plugin is stopping */
	SSHCONF_ERROR_STORE             /**< git repository error */
} sshconf_error_code;

/** Replacement text of a masked secret. */
#define SSHCONF_MASK "<removed>"

/** A device profile: how to talk to one kind of device and how to clean
 *  up what it returns. Loaded from a key file (see etc/profiles/README). */
typedef struct {
	char *name;            /**< file name without ".profile" */
	char *path;            /**< file it was read from */
	char *description;
	gboolean shell;        /**< TRUE: interactive shell with prompt
				    detection; FALSE: one exec channel a
				    command (RFC 4254 section 6.5) */
	GPtrArray *setup;      /**< char *: shell commands sent first (paging
				    off), output discarded */
	GPtrArray *commands;   /**< char *: commands whose output is the config */
	GRegex *prompt;        /**< shell: prompt at the end of the output */
	GRegex *more;          /**< shell: pager prompt, answered by a space;
				    NULL when the profile has none */
	char *enable;          /**< shell: command to gain privileges, or NULL */
	GRegex *enable_prompt; /**< shell: password prompt of @enable */
	char *exit;            /**< shell: command to leave, or NULL */
	gint64 command_timeout;/**< µs per command, 0 = plugin's setting */
	GPtrArray *drop;       /**< GRegex *: lines removed */
	GPtrArray *drop_names; /**< char *: key names of @drop (errors, docs) */
	GPtrArray *mask;       /**< GRegex *: secrets replaced by SSHCONF_MASK */
	GPtrArray *mask_names; /**< char *: key names of @mask */
} sshconf_profile;

/** Parse a profile from @data (key-file text). @name and @path label it.
 *  Returns a new profile (free with sshconf_profile_free()) or NULL with
 *  @err set (SSHCONF_ERROR_PROFILE, message "PATH: [group] key: problem"). */
sshconf_profile *sshconf_profile_parse(const char *data, gsize len,
				       const char *name, const char *path,
				       GError **err);

/** Read and parse the file @path (its base name without ".profile" is the
 *  profile's name). Errors as sshconf_profile_parse(), plus I/O errors. */
sshconf_profile *sshconf_profile_load(const char *path, GError **err);

/** Find "@name.profile" in the folders @dirs (NULL-terminated, searched in
 *  order, so an admin's folder listed first overrides a shipped profile)
 *  and load it. @name must match [A-Za-z0-9_.-]+. NULL with @err set when
 *  not found (the message names every folder searched) or invalid. */
sshconf_profile *sshconf_profile_find(const char *const *dirs,
				      const char *name, GError **err);

/** Free a profile (NULL is fine). */
void sshconf_profile_free(sshconf_profile *p);

/** Normalise raw device output: CR LF (and CR CR LF) become LF, a lone
 *  CR returns to the start of the line so what follows overwrites it
 *  (pager erasure), a backspace deletes the character before it on its
 *  line, ANSI/VT100 escape
 *  sequences and other control bytes except TAB are removed, trailing
 *  blanks are cut from each line, and the text ends with one newline
 *  (empty input gives ""). Invalid UTF-8 is kept byte for byte.
 *  Returns a new string (g_free()). */
char *sshconf_normalize(const char *raw, gsize len);

/** Remove what an interactive shell adds around a command's output:
 *  the first line when it ends with the echoed @command, and the last line
 *  when @prompt matches it. @text is normalised output. New string. */
char *sshconf_strip_shell(const char *text, const char *command,
			  const GRegex *prompt);

/** Apply @p's drop and mask rules to normalised @text, one line at a time:
 *  a line matched by a drop regex is removed; in every other line each
 *  match of a mask regex has its capture groups (or, without groups, the
 *  whole match) replaced by SSHCONF_MASK. @masked (may be NULL) receives
 *  the number of replacements, @dropped (may be NULL) the lines removed.
 *  Returns a new string (g_free()). */
char *sshconf_filter(const sshconf_profile *p, const char *text,
		     guint *dropped, guint *masked);

/** Unified diff (3 lines of context) from @old_text to @new_text, with
 *  headers "--- a/@name" and "+++ b/@name" (GNU diff -u form, as produced
 *  by libgit2's git_patch_from_buffers()). @old_text NULL means "no
 *  previous version" (header "--- /dev/null"). Returns "" (new string)
 *  when the texts are equal, NULL with @err set on a libgit2 failure.
 *  @lines_changed (may be NULL) receives added + removed lines. */
char *sshconf_diff(const char *old_text, const char *new_text,
		   const char *name, guint *lines_changed, GError **err);

/** Lower-case hex SHA-256 of @text (the CONFIG message's content hash). */
char *sshconf_hash(const char *text);

/** TRUE when @name is a safe device or profile name: [A-Za-z0-9_.-]+,
 *  not starting with '.', at most 128 bytes (it becomes a file name). */
gboolean sshconf_name_ok(const char *name);

G_END_DECLS

#endif /* SSHCONF_TEXT_H */
