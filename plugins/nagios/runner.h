/* netmon — running one check program with a deadline.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef NETMON_RUNNER_H
#define NETMON_RUNNER_H

#include <glib.h>

G_BEGIN_DECLS

/** What one run produced. Free the members with nm_exec_result_clear(). */
typedef struct {
	int exit_status;     /**< 0..255 when the program exited, else -1 */
	int term_signal;     /**< signal that ended it, else 0 */
	gboolean timed_out;  /**< the deadline passed: its process group got
			          SIGTERM, then SIGKILL after the grace time */
	gboolean truncated;  /**< output was longer than the limit */
	char *output;        /**< stdout+stderr, at most limit bytes, NUL-
			          terminated (may hold NULs before the end) */
	gsize output_len;    /**< bytes in @output */
	gsize output_total;  /**< bytes the program wrote in all */
	gint64 duration;     /**< µs from spawn to reaping */
} nm_exec_result;

/** Free what @r holds and zero it. */
void nm_exec_result_clear(nm_exec_result *r);

/** Run @argv (argv[0] an absolute path, or a name looked up in PATH; no
 *  shell is involved) in a new process group with stdin /dev/null,
 *  stdout and stderr into one pipe, default signal dispositions and an
 *  empty signal mask. Blocks the calling thread (run it on a worker) until
 *  the program has exited and its output is read, or @timeout (µs, > 0)
 *  has passed; then the whole process group is sent SIGTERM, and SIGKILL
 *  after @grace µs. At most @limit bytes of output are kept; the rest is
 *  read and thrown away so the program never blocks on a full pipe.
 *  @envp: environment for the program (NULL: the daemon's).
 *  Returns FALSE with @err set only when the program could not be started
 *  (not found, not executable, out of resources); @r is then zeroed. */
gboolean nm_exec_run(char *const *argv, char *const *envp, gint64 timeout,
		     gint64 grace, gsize limit, nm_exec_result *r,
		     GError **err);

/** As nm_exec_run(), with @input (@input_len bytes, may hold NULs) as the
 *  program's stdin instead of /dev/null (from a memory file, so a program
 *  that does not read it never blocks the caller). NULL @input is
 *  /dev/null. */
gboolean nm_exec_run_input(char *const *argv, char *const *envp,
			   const char *input, gsize input_len, gint64 timeout,
			   gint64 grace, gsize limit, nm_exec_result *r,
			   GError **err);

G_END_DECLS

#endif /* NETMON_RUNNER_H */
