/* netmon — running one check program with a deadline (runner.h).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <gio/gio.h>

#include "runner.h"

extern char **environ;

void nm_exec_result_clear(nm_exec_result *r)
{
	g_free(r->output);
	memset(r, 0, sizeof *r);
}

/* Reap @pid without blocking; TRUE when it has been reaped (status in
 * @st). */
static gboolean reap(pid_t pid, int *st)
{
	for (;;) {
		pid_t w = waitpid(pid, st, WNOHANG);
		if (w == pid)
			return TRUE;
		if (w == 0)
			return FALSE;
		if (errno == EINTR)
			continue;
		/* ECHILD: someone else reaped it (should not happen) */
		*st = 0;
		return TRUE;
	}
}

/* A sealed-off memory file holding @input, positioned at its start, for
 * the child's stdin; -1 with @err set on failure. */
static int input_fd(const char *input, gsize len, GError **err)
{
	int fd = memfd_create("netmon-stdin", MFD_CLOEXEC);
	gsize off = 0;

	if (fd < 0) {
		int e = errno;
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e),
			    "memfd_create: %s", g_strerror(e));
		return -1;
	}
	while (off < len) {
		ssize_t n = write(fd, input + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e),
				    "writing the input: %s", g_strerror(e));
			if (close(fd) != 0) {
				/* the write error is reported */
			}
			return -1;
		}
		off += (gsize)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e),
			    "lseek: %s", g_strerror(e));
		if (close(fd) != 0) {
			/* the lseek error is reported */
		}
		return -1;
	}
	return fd;
}

gboolean nm_exec_run(char *const *argv, char *const *envp, gint64 timeout,
		     gint64 grace, gsize limit, nm_exec_result *r,
		     GError **err)
{
	return nm_exec_run_input(argv, envp, NULL, 0, timeout, grace, limit, r, err);
}

gboolean nm_exec_run_input(char *const *argv, char *const *envp,
			   const char *input, gsize input_len, gint64 timeout,
			   gint64 grace, gsize limit, nm_exec_result *r,
			   GError **err)
{
	int in_fd = -1;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defs;
	int fds[2];
	pid_t pid;
	int rc, st = 0;
	gboolean reaped = FALSE, eof = FALSE, killed = FALSE;
	gint64 start = g_get_monotonic_time(), deadline = start + timeout;
	gint64 kill_at = 0;
	GByteArray *buf = g_byte_array_new();
	char chunk[16384];

	memset(r, 0, sizeof *r);
	r->exit_status = -1;
	if (argv == NULL || argv[0] == NULL) {
		g_byte_array_unref(buf);
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "empty command");
		return FALSE;
	}
	if (input != NULL && (in_fd = input_fd(input, input_len, err)) < 0) {
		g_byte_array_unref(buf);
		return FALSE;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		int e = errno;
		if (in_fd >= 0 && close(in_fd) != 0) {
			/* the pipe error is reported */
		}
		g_byte_array_unref(buf);
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(e),
			    "pipe: %s", g_strerror(e));
		return FALSE;
	}
	rc = posix_spawn_file_actions_init(&fa);
	if (rc == 0)
		rc = in_fd >= 0 ? posix_spawn_file_actions_adddup2(&fa, in_fd, 0)
				: posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
								   O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	if (rc == 0)
		rc = posix_spawnattr_init(&attr);
	if (rc == 0) {
		sigemptyset(&none);
		sigfillset(&defs);
		sigdelset(&defs, SIGKILL);
		sigdelset(&defs, SIGSTOP);
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
					      POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
		if (rc == 0)
			rc = posix_spawnattr_setpgroup(&attr, 0);
		if (rc == 0)
			rc = posix_spawnattr_setsigmask(&attr, &none);
		if (rc == 0)
			rc = posix_spawnattr_setsigdefault(&attr, &defs);
		if (rc == 0)
			rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv,
					  envp != NULL ? envp : environ);
		posix_spawnattr_destroy(&attr);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (in_fd >= 0 && close(in_fd) != 0 && rc == 0)
		rc = errno;
	if (close(fds[1]) != 0 && rc == 0)
		rc = errno;
	if (rc != 0) {
		if (close(fds[0]) != 0) {
			/* nothing more to do: the spawn error is reported */
		}
		g_byte_array_unref(buf);
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(rc),
			    "cannot execute %s: %s", argv[0], g_strerror(rc));
		return FALSE;
	}
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
		/* reads below still work, only slower to notice EOF */
	}

	while (!(reaped && eof)) {
		gint64 now = g_get_monotonic_time();
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int wait_ms;

		if (!killed && now >= deadline) {
			/* the whole group: a shell's children too */
			if (kill(-pid, SIGTERM) != 0 && errno != ESRCH)
				g_warning("kill(-%d, SIGTERM): %s", (int)pid,
					  g_strerror(errno));
			if (!reaped)
				r->timed_out = TRUE;
			killed = TRUE;
			kill_at = now + grace;
		}
		if (killed && kill_at != 0 && now >= kill_at) {
			if (kill(-pid, SIGKILL) != 0 && errno != ESRCH)
				g_warning("kill(-%d, SIGKILL): %s", (int)pid,
					  g_strerror(errno));
			kill_at = 0;
			if (eof && !reaped) {
				/* output closed: wait for the kill to land */
				if (waitpid(pid, &st, 0) == pid)
					reaped = TRUE;
			}
		}
		if (killed && kill_at == 0 && now >= deadline + grace + G_USEC_PER_SEC) {
			/* SIGKILL sent a second ago and a member of the group
			 * still holds the pipe (or ignores nothing but escaped
			 * the group): stop reading. */
			eof = TRUE;
		}
		if (!reaped)
			reaped = reap(pid, &st);
		if (eof) {
			if (!reaped)
				g_usleep(10000);
			continue;
		}
		if (killed && kill_at != 0)
			wait_ms = (int)MAX(1, (kill_at - now) / 1000);
		else if (!killed)
			wait_ms = (int)MAX(1, (deadline - now) / 1000);
		else
			wait_ms = 50;
		if (reaped == FALSE)
			wait_ms = MIN(wait_ms, 50); /* notice an exit soon */
		rc = poll(&pfd, 1, wait_ms);
		if (rc < 0 && errno != EINTR) {
			eof = TRUE;
			continue;
		}
		if (rc <= 0)
			continue;
		for (;;) {
			ssize_t n = read(fds[0], chunk, sizeof chunk);
			if (n > 0) {
				gsize keep = 0;
				r->output_total += (gsize)n;
				if (buf->len < limit)
					keep = MIN((gsize)n, limit - buf->len);
				if (keep > 0)
					g_byte_array_append(buf, (guint8 *)chunk,
							    (guint)keep);
				if (keep < (gsize)n)
					r->truncated = TRUE;
				continue;
			}
			if (n == 0)
				eof = TRUE;
			else if (errno == EINTR)
				continue;
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				eof = TRUE;
			break;
		}
	}
	if (close(fds[0]) != 0) {
		/* a read-only pipe: nothing is lost */
	}
	r->duration = g_get_monotonic_time() - start;
	if (WIFEXITED(st))
		r->exit_status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		r->term_signal = WTERMSIG(st);
	r->output_len = buf->len;
	g_byte_array_append(buf, (const guint8 *)"", 1);
	r->output = (char *)g_byte_array_free(buf, FALSE);
	return TRUE;
}
