/* netmon — internal interfaces of the core (not installed).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_CORE_H
#define NETMON_CORE_H

#include <netmon/plugin.h>

G_BEGIN_DECLS

/* ---- conf.c: the `netmond` group and the parsed file ---------------- */

/** The daemon's own settings (group `netmond`), with defaults applied. */
typedef struct {
	char *file;             /**< path of the config file */
	gint64 interval;        /**< µs; default 60 s */
	char **plugin_dirs;     /**< NULL-terminated; from plugin_dir (a string
				     with ':'-separated folders, or a list);
				     default { NM_PLUGIN_DIR } */
	char *state_dir;        /**< default NM_STATE_DIR */
	char *control_socket;   /**< default <state_dir>/netmond.sock */
	char *pid_file;         /**< default <state_dir>/netmond.pid */
	char *log_file;         /**< NULL: syslog in the background */
	char *log_to;           /**< netmond.log: "auto" (default), "stderr"
				     or "syslog" */
	nm_log_level log_level; /**< default info */
	guint workers;          /**< worker pool size; default 4 */
	gint64 shutdown_timeout; /**< µs to drain at SIGTERM; default 10 s */
	char *user, *group;     /**< drop privileges to these, or NULL */
	gboolean allow_root;    /**< netmond.allow_root: run plugins as root
				     without user (default FALSE: refuse) */
	char *hostname;         /**< default g_get_host_name() */
	guint shard_index;      /**< netmond.shard "I/N": I (default 0) */
	guint shard_count;      /**< N (default 1: every target is ours) */
	config_t cfg;           /**< the parsed file; owns every setting */
	GPtrArray *plugin_groups; /**< config_setting_t* of each top-level group
				       but `netmond`, in file order (not owned) */
} nm_core_config;

/** Parse @file and check the `netmond` group (all problems reported as
 *  "FILE:LINE: netmond.KEY: ..." lines). Top-level settings that are not
 *  groups are errors; plugin groups are only collected here. The path may
 *  be relative (kept as given in messages). Returns NULL with @err set. */
nm_core_config *nm_core_config_load(const char *file, GError **err);
void nm_core_config_free(nm_core_config *c);
/** Parse a shard "I/N" (0 <= I < N <= 1024). Returns FALSE if malformed. */
gboolean nm_shard_parse(const char *text, guint *index, guint *count);

/** The key table of the `netmond` group (for docs and tests). */
extern const nm_conf_key nm_core_config_keys[];

/* ---- log.c ---------------------------------------------------------- */

/** Where lines go. NM_LOG_TO_JOURNAL: stderr connected to journald
 *  (systemd's $JOURNAL_STREAM), lines "<priority>source: text" without a
 *  time stamp (sd-daemon(3) prefixes). */
typedef enum { NM_LOG_TO_STDERR = 0, NM_LOG_TO_SYSLOG, NM_LOG_TO_FILE,
	       NM_LOG_TO_JOURNAL } nm_log_target;
/** Configure logging (main thread, before threads start or under its own
 *  lock). @path for NM_LOG_TO_FILE. Returns FALSE with @err if the file
 *  cannot be opened (the previous target stays). */
gboolean nm_log_setup(nm_log_target target, const char *path,
		      nm_log_level level, GError **err);
void nm_log_set_level(nm_log_level level);
/** TRUE when stderr is the journal stream systemd named in
 *  $JOURNAL_STREAM ("device:inode" of the stream, systemd.exec(5)). */
gboolean nm_log_journal_stream(void);
/** Write the "last message repeated N times" lines of identical messages
 *  held back whose window has passed (@all: every one, at shutdown). */
void nm_log_flush_repeats(gboolean all);

/** Identical lines (same level, source and text) are written at most once
 *  per NM_LOG_REPEAT_WINDOW µs; the ones held back are counted and
 *  reported as "last message repeated N times in S s: text" once the
 *  window has passed. Up to NM_LOG_REPEAT_KEYS distinct lines are tracked
 *  per window; beyond that lines are written untracked. Debug lines are
 *  never held back. */
#define NM_LOG_REPEAT_WINDOW (10 * G_USEC_PER_SEC)
#define NM_LOG_REPEAT_KEYS 256

/** The rate limiter behind that, a pure object for tests: times are
 *  passed in (µs, monotonic). Not thread-safe (the logger locks). */
typedef struct nm_lograte nm_lograte;
/** Called for each expired line that had repeats: @count lines held back
 *  over @span_us since the line was written. */
typedef void (*nm_lograte_fn)(nm_log_level level, const char *source,
			      const char *text, guint count, gint64 span_us,
			      gpointer data);
nm_lograte *nm_lograte_new(gint64 window_us, guint max_entries);
void nm_lograte_free(nm_lograte *r);
/** TRUE: write this line now (first of its kind in the window, or the
 *  table is full); FALSE: held back and counted. Call nm_lograte_expire()
 *  with the same @now_us first so a passed window opens a new one. */
gboolean nm_lograte_check(nm_lograte *r, nm_log_level level,
			  const char *source, const char *text, gint64 now_us);
/** Forget the lines whose window has passed at @now_us (@all: every
 *  line), calling @fn (may be NULL) for those with repeats first.
 *  Returns the number of @fn calls. */
guint nm_lograte_expire(nm_lograte *r, gint64 now_us, gboolean all,
			nm_lograte_fn fn, gpointer data);

/* ---- ctl.c: the control socket ------------------------------------ */

/** Executes one control request. @argv[0] is the command. Append the reply
 *  to @out; return FALSE with @err set on failure. Main thread. */
typedef gboolean (*nm_ctl_dispatch_fn)(int argc, char **argv, GString *out,
				       gpointer user_data, GError **err);

typedef struct nm_ctl_server nm_ctl_server;

/** Listen on UNIX socket @path (a stale socket file is replaced; a live
 *  one — another netmond answering — is an error), mode 0660, serving
 *  requests on the thread-default main context with @fn.
 *  Protocol (one request per connection): the client sends one line of at
 *  most 64 KiB, words separated by spaces ('\'-escapes and "double quotes"
 *  as in a shell, g_shell_parse_argv()), ending with '\n'. The server
 *  answers "OK\n" or "ERR <message>\n" followed by the reply body, and
 *  closes. Returns NULL with @err set. */
nm_ctl_server *nm_ctl_server_new(const char *path, nm_ctl_dispatch_fn fn,
				 gpointer user_data, GError **err);
/** Stop listening, remove the socket file, free. */
void nm_ctl_server_free(nm_ctl_server *s);

/** Client side (netmonctl, tests): connect to @path, send @argv as one
 *  request (quoting words as needed), wait at most @timeout µs. On success
 *  returns TRUE, *@ok tells OK/ERR, *@body the reply body (or the ERR
 *  message), caller frees. FALSE with @err when the daemon is unreachable. */
gboolean nm_ctl_request(const char *path, int argc, char **argv,
			gint64 timeout, gboolean *ok, char **body,
			GError **err);

/** Server side, without a socket: split one request line @line[0..@n)
 *  (without its '\n'; a trailing '\r' is dropped) into words as
 *  g_shell_parse_argv() does. @line must have room for a NUL at @line[n]
 *  (it is written there). Refuses a NUL byte, invalid UTF-8, an empty line
 *  and bad quoting with a message fit for the "ERR" reply (G_IO_ERROR).
 *  On success *@argv (g_strfreev) holds *@argc >= 1 words. */
gboolean nm_ctl_parse_request(char *line, gsize n, int *argc, char ***argv,
			      GError **err);
/** Client side: the request line for @argv (words quoted as needed so that
 *  nm_ctl_parse_request() gives them back), ending in '\n'. NULL with
 *  @err when @argc is 0 or a word holds a line break. Caller frees. */
GString *nm_ctl_format_request(int argc, char **argv, GError **err);
/** Client side: split a whole reply (NUL-terminated) into its status and
 *  body: "OK\n<body>" gives *@ok TRUE and the body, "ERR <message>\n"
 *  *@ok FALSE and the message without its '\n'. FALSE (nothing set)
 *  when the status line is neither. *@body is the caller's. */
gboolean nm_ctl_parse_reply(const char *reply, gboolean *ok, char **body);

G_END_DECLS

#endif /* NETMON_CORE_H */
