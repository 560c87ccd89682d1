/* netmonctl — send one command to a running netmond (see netmonctl(1)).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Exit status: 0 OK, 1 the daemon refused the command, 2 the daemon could
 * not be reached or did not answer, 64 bad command line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

#ifndef NM_DEFAULT_CONTROL_SOCKET
#define NM_DEFAULT_CONTROL_SOCKET "/var/lib/netmon/netmond.sock"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define EXIT_REFUSED 1
#define EXIT_UNREACHABLE 2
#define EXIT_USAGE 64

static const char description[] =
	"Commands:\n"
	"  status                  the daemon's version, pid, configuration "
	"and reloads\n"
	"  plugins                 the plugins, their versions and state\n"
	"  stats [--json]          figures of the bus and the plugins\n"
	"  reload                  re-read the configuration file (as SIGHUP)\n"
	"  flush [IDENTIFIER-GLOB] make caching plugins write their data now\n"
	"  help                    list all commands, plugins' ones included\n"
	"\n"
	"Everything after the command is sent as it is, options included\n"
	"(\"netmonctl stats --json\").\n"
	"\n"
	"Exit status: 0 success, 1 the command was refused, 2 netmond could\n"
	"not be reached or did not answer, 64 bad command line.\n";

/* A bad command line: @message and a hint, or the whole usage. */
static int usage_error(GOptionContext *ctx, const char *message)
{
	char *help;

	if (message != NULL) {
		fprintf(stderr, "netmonctl: %s\n"
				"Try 'netmonctl --help' for more information.\n",
			message);
		return EXIT_USAGE;
	}
	help = g_option_context_get_help(ctx, TRUE, NULL);
	fputs(help, stderr);
	g_free(help);
	return EXIT_USAGE;
}

/* Write @body to stdout, with a final newline if it lacks one. */
static gboolean print_body(const char *body)
{
	size_t n = strlen(body);

	if (n > 0 && fwrite(body, 1, n, stdout) != n)
		return FALSE;
	if (n > 0 && body[n - 1] != '\n' && putchar('\n') == EOF)
		return FALSE;
	return fflush(stdout) == 0;
}

int main(int argc, char **argv)
{
	char *socket_path = NULL;
	gint timeout_s = 10;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "socket", 's', 0, G_OPTION_ARG_FILENAME, &socket_path,
		  "the control socket of netmond (default "
		  NM_DEFAULT_CONTROL_SOCKET ")", "PATH" },
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &timeout_s,
		  "give up after SECONDS without an answer (default 10, 0: never)",
		  "SECONDS" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version,
		  "print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx;
	GError *e = NULL;
	gboolean ok = FALSE;
	char *body = NULL;
	const char *path;
	int status;

	if (setlocale(LC_ALL, "") == NULL)
		(void)setlocale(LC_ALL, "C"); /* messages in English then */

	ctx = g_option_context_new("COMMAND [ARGUMENT...]");
	g_option_context_set_summary(ctx,
				     "Send one command to a running netmond.");
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	/* Stop at the command word: "stats --json" keeps its --json. */
	g_option_context_set_strict_posix(ctx, TRUE);
	if (!g_option_context_parse(ctx, &argc, &argv, &e)) {
		status = usage_error(ctx, e->message);
		g_error_free(e);
		goto out;
	}
	if (version) {
		printf("netmonctl %s\n", PACKAGE_VERSION);
		status = fflush(stdout) == 0 ? 0 : 1;
		goto out;
	}
	/* GOption leaves a "--" that comes before the command. */
	if (argc > 1 && strcmp(argv[1], "--") == 0) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		status = usage_error(ctx, NULL);
		goto out;
	}
	if (timeout_s < 0) {
		status = usage_error(ctx, "the timeout must be 0 (none) or "
					  "more seconds");
		goto out;
	}
	path = socket_path != NULL ? socket_path : NM_DEFAULT_CONTROL_SOCKET;

	if (!nm_ctl_request(path, argc - 1, argv + 1,
			    (gint64)timeout_s * G_USEC_PER_SEC, &ok, &body,
			    &e)) {
		fprintf(stderr, "netmonctl: %s\n", e->message);
		status = g_error_matches(e, G_IO_ERROR,
					 G_IO_ERROR_INVALID_ARGUMENT)
				 ? EXIT_USAGE
				 : EXIT_UNREACHABLE;
		g_error_free(e);
		goto out;
	}
	if (ok) {
		status = 0;
		if (!print_body(body)) {
			fprintf(stderr, "netmonctl: cannot write the answer: "
					"%s\n", g_strerror(errno));
			status = EXIT_REFUSED;
		}
	} else {
		fprintf(stderr, "netmonctl: %s\n", body);
		status = EXIT_REFUSED;
	}
	g_free(body);

out:
	g_option_context_free(ctx);
	g_free(socket_path);
	return status;
}
